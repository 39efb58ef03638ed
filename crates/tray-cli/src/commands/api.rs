//! `tray api`: any endpoint, with the CLI's token, region, rate limit,
//! retries and safety, following `gh api`'s conventions.
//!
//! Everything local is checked before any request (exit 2): the method,
//! `{placeholders}` left in the path, fields, headers (never
//! `Authorization`), the `--input` file, and the host (only the base URL's
//! origin ever gets the token).

use std::io::{IsTerminal, Read};
use std::path::Path;

use jaq_json::Val;
use serde_json::{Map, Value};
use tray_api::{Method, RawResponse, RetryPolicy};

use crate::cli::ApiArgs;
use crate::context::Context;
use crate::failure::{self, CmdResult, Failure};

impl ApiArgs {
    /// `tray api`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        let args = self;
        let plan = Plan::new(&args)?;
        let client = ctx.client().await?;
        // Builds (and so checks host and headers) before anything is sent.
        let first = plan.request(&client, None)?;
        drop(first);
        if args.paginate {
            paginate(&client, &plan, &args).await
        } else {
            let response = plan.request(&client, None)?.send().await?;
            if args.include {
                print_head(&response);
            }
            crate::output::raw_document(&format_body(&response)?)?;
            status_failure(&plan, &response)
        }
    }
}

/// What to send, checked and built from the arguments before any request.
#[derive(Debug)]
struct Plan {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    headers: Vec<(String, String)>,
    retry: RetryPolicy,
}

impl Plan {
    fn new(args: &ApiArgs) -> CmdResult<Self> {
        check_placeholders(&args.path)?;
        let has_fields = !args.raw_fields.is_empty() || !args.fields.is_empty();
        let method = match &args.method {
            Some(text) => Method::from_bytes(text.trim().to_ascii_uppercase().as_bytes())
                .map_err(|_| Failure::usage(format!("invalid HTTP method {text:?}")))?,
            None if (has_fields || args.input.is_some()) && !args.paginate => Method::POST,
            None => Method::GET,
        };
        if args.paginate && method != Method::GET {
            return Err(Failure::usage("--paginate follows GET listings only"));
        }
        let mut fields = Vec::new();
        for raw in &args.raw_fields {
            let (key, value) = split_field(raw, "-f")?;
            fields.push((key.to_owned(), Value::String(value.to_owned())));
        }
        for typed in &args.fields {
            let (key, value) = split_field(typed, "-F")?;
            fields.push((key.to_owned(), typed_value(value)?));
        }
        let fields_in_query =
            method == Method::GET || method == Method::HEAD || args.input.is_some();
        let mut query = Vec::new();
        let mut body = None;
        if fields_in_query {
            for (key, value) in fields {
                let text = match value {
                    Value::String(text) => text,
                    other => other.to_string(),
                };
                query.push((key, text));
            }
        } else if has_fields {
            let mut object = Map::new();
            for (key, value) in fields {
                insert_field(&mut object, &key, value)?;
            }
            body = Some(Value::Object(object).to_string().into_bytes());
        }
        if let Some(input) = &args.input {
            body = Some(read_input(input)?);
        }
        let mut headers = Vec::new();
        for header in &args.headers {
            let Some((name, value)) = header.split_once(':') else {
                return Err(Failure::usage(format!(
                    "invalid header {header:?}: write it as 'Name: value'"
                )));
            };
            let name = name.trim();
            if name.eq_ignore_ascii_case("authorization")
                || name.eq_ignore_ascii_case("proxy-authorization")
            {
                return Err(Failure::usage(format!(
                    "refusing the {name} header: tray sends the token of the region or profile itself"
                ))
                .with_hint("set the token with TRAY_API_TOKEN, --token-file or a profile"));
            }
            headers.push((name.to_owned(), value.trim().to_owned()));
        }
        let retry = if args.retry {
            RetryPolicy::Always
        } else {
            RetryPolicy::SafeMethods
        };
        Ok(Self {
            method,
            path: args.path.trim().to_owned(),
            query,
            body,
            headers,
            retry,
        })
    }

    /// The request, with `cursor` set for a page after the first.
    fn request<'c>(
        &self,
        client: &'c tray_api::Client,
        cursor: Option<&str>,
    ) -> CmdResult<tray_api::CustomRequest<'c>> {
        let mut request = client
            .custom(self.method.clone(), &self.path)?
            .retry(self.retry);
        for (key, value) in &self.query {
            request = request.query(key, value);
        }
        for (name, value) in &self.headers {
            request = request.header(name, value)?;
        }
        if let Some(body) = &self.body {
            request = request.json_body(body.clone());
        }
        if let Some(cursor) = cursor {
            request = request.set_query("cursor", cursor);
        }
        Ok(request)
    }
}

/// `{id}` left in a path is a template nobody filled in.
fn check_placeholders(path: &str) -> CmdResult {
    let path_part = path.split(['?', '#']).next().unwrap_or(path);
    if let Some(start) = path_part.find('{')
        && let Some(len) = path_part[start..].find('}')
    {
        let placeholder = &path_part[start..=start + len];
        return Err(Failure::usage(format!(
            "the path still has the placeholder {placeholder}: put the real value in its place"
        ))
        .with_hint(
            "e.g. tray api /core/v1/projects/6f9619ff-8b86-d011-b42d-00c04fc964ff/versions",
        ));
    }
    Ok(())
}

fn split_field<'a>(field: &'a str, flag: &str) -> CmdResult<(&'a str, &'a str)> {
    match field.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key, value)),
        _ => Err(Failure::usage(format!(
            "invalid field {field:?}: write {flag} key=value"
        ))),
    }
}

/// A `-F` value: integers, `true`, `false` and `null` as JSON, `@file` the
/// file's content (`@-` stdin), anything else a string.
fn typed_value(text: &str) -> CmdResult<Value> {
    Ok(match text {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "null" => Value::Null,
        _ if text.starts_with('@') => {
            let bytes = read_input(Path::new(&text[1..]))?;
            Value::String(
                String::from_utf8(bytes)
                    .map_err(|_| Failure::usage(format!("{}: not UTF-8 text", &text[1..])))?,
            )
        }
        _ => match text.parse::<i64>() {
            Ok(number) if !text.starts_with('+') => Value::from(number),
            _ => Value::String(text.to_owned()),
        },
    })
}

/// Put `value` at `key` (`a.b.c`, `list[]`) in `object`.
fn insert_field(object: &mut Map<String, Value>, key: &str, value: Value) -> CmdResult {
    let (path, append) = match key.strip_suffix("[]") {
        Some(path) => (path, true),
        None => (key, false),
    };
    let parts: Vec<&str> = path.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(Failure::usage(format!("invalid field name {key:?}")));
    }
    let conflict = || Failure::usage(format!("field {key:?} conflicts with another field"));
    let mut current = object;
    for part in &parts[..parts.len() - 1] {
        let entry = current
            .entry((*part).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        current = entry.as_object_mut().ok_or_else(conflict)?;
    }
    let last = parts[parts.len() - 1].to_owned();
    if append {
        let entry = current
            .entry(last)
            .or_insert_with(|| Value::Array(Vec::new()));
        entry.as_array_mut().ok_or_else(conflict)?.push(value);
    } else if current.insert(last, value).is_some() {
        return Err(conflict());
    }
    Ok(())
}

fn read_input(path: &Path) -> CmdResult<Vec<u8>> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::usage(format!("cannot read stdin: {e}")))?;
        return Ok(bytes);
    }
    std::fs::read(path).map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))
}

/// Follow `pageInfo.endCursor` while `pageInfo.hasNextPage`, collecting
/// `elements`; print one array.
async fn paginate(client: &tray_api::Client, plan: &Plan, args: &ApiArgs) -> CmdResult {
    let limit = args
        .limit
        .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    let mut elements: Vec<Val> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let response = plan.request(client, cursor.as_deref())?.send().await?;
        if args.include {
            print_head(&response);
        }
        if !response.is_success() {
            crate::output::raw_document(&format_body(&response)?)?;
            return status_failure(plan, &response);
        }
        let page = jaq_json::read::parse_single(&response.body)
            .map_err(|e| api_failure(format!("--paginate: a page is not JSON: {e}")))?;
        let Some(Val::Arr(list)) = field(&page, "elements") else {
            return Err(api_failure(
                "--paginate: the response has no `elements` array (not a paged listing)",
            ));
        };
        elements.extend(list.iter().cloned());
        if elements.len() >= limit {
            elements.truncate(limit);
            break;
        }
        let info = field(&page, "pageInfo");
        let more = matches!(
            info.and_then(|i| field(i, "hasNextPage")),
            Some(Val::Bool(true))
        );
        let next = match info.and_then(|i| field(i, "endCursor")) {
            Some(Val::TStr(bytes)) => Some(String::from_utf8_lossy(bytes).into_owned()),
            _ => None,
        };
        match next {
            Some(next) if more => {
                if cursor.as_deref() == Some(next.as_str()) {
                    return Err(api_failure(format!(
                        "--paginate: the server returned the same cursor twice ({next}); stopping"
                    )));
                }
                cursor = Some(next);
            }
            _ => break,
        }
    }
    let all = Val::from_iter(elements);
    let body = if let Some(expr) = crate::jq::active() {
        crate::jq::filter(expr, all.to_string().as_bytes())?
    } else {
        write_json(&all)
    };
    crate::output::raw_document(&body)
}

fn field<'v>(value: &'v Val, name: &str) -> Option<&'v Val> {
    match value {
        Val::Obj(map) => map.get(&Val::utf8_str(name.to_owned().into_bytes())),
        _ => None,
    }
}

fn looks_like_json(body: &[u8]) -> bool {
    matches!(
        body.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    ) && jaq_json::read::parse_single(body).is_ok()
}

/// The body to print: non-JSON as received; JSON through `--jq` if given
/// (on 2xx only, as `gh api` does: an error body is printed whole), else
/// pretty on a terminal and as received when piped.
fn format_body(response: &RawResponse) -> CmdResult<Vec<u8>> {
    let body = &response.body[..];
    if !(response.is_json() || looks_like_json(body)) {
        return Ok(body.to_vec());
    }
    if let Some(expr) = crate::jq::active()
        && response.is_success()
    {
        return crate::jq::filter(expr, body);
    }
    if body.is_empty() {
        return Ok(Vec::new());
    }
    if !std::io::stdout().is_terminal() {
        let mut out = body.to_vec();
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        return Ok(out);
    }
    match jaq_json::read::parse_single(body) {
        Ok(value) => Ok(write_json(&value)),
        Err(_) => Ok(body.to_vec()),
    }
}

/// A value as JSON: pretty (two spaces) on a terminal, compact when piped.
fn write_json(value: &Val) -> Vec<u8> {
    let pp = if std::io::stdout().is_terminal() {
        jaq_json::write::Pp {
            indent: Some("  ".to_owned()),
            sep_space: true,
            ..Default::default()
        }
    } else {
        jaq_json::write::Pp::default()
    };
    let mut out = Vec::new();
    let _ = jaq_json::write::write(&mut out, &pp, 0, value);
    out.push(b'\n');
    out
}

fn print_head(response: &RawResponse) {
    let mut head = format!("{}\n", response.status_line());
    for (name, value) in &response.headers {
        head.push_str(&format!(
            "{name}: {}\n",
            String::from_utf8_lossy(value.as_bytes())
        ));
    }
    eprintln!("{head}");
}

/// Exit 1 with one line for a non-2xx status (the body is already printed).
fn status_failure(plan: &Plan, response: &RawResponse) -> CmdResult {
    match response.error_for_status() {
        Ok(()) => Ok(()),
        Err(error) => {
            let mut message = format!("{} {}: HTTP {}", plan.method, plan.path, response.status);
            if let Some(tray_message) = error.message() {
                message.push_str(&format!(": {tray_message}"));
            }
            Err(Failure {
                code: failure::API,
                message,
                // The typed commands' hints name their own resources; only
                // the token hints apply to any path.
                hint: matches!(response.status, 401 | 403)
                    .then(|| error.hint().map(str::to_owned))
                    .flatten(),
                error: None,
            })
        }
    }
}

fn api_failure(message: impl Into<String>) -> Failure {
    Failure {
        code: failure::API,
        message: message.into(),
        hint: None,
        error: None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(fields: &[(&str, &str)]) -> Value {
        let mut object = Map::new();
        for (key, value) in fields {
            insert_field(&mut object, key, typed_value(value).unwrap()).unwrap();
        }
        Value::Object(object)
    }

    #[test]
    fn typed_fields_nest_and_append() {
        assert_eq!(
            body(&[
                ("n", "42"),
                ("neg", "-3"),
                ("t", "true"),
                ("f", "false"),
                ("z", "null"),
                ("s", "1.0"),
                ("name", "acme"),
                ("a.b.c", "1"),
                ("a.b.d", "x"),
                ("tags[]", "one"),
                ("tags[]", "2"),
            ]),
            json!({
                "n": 42, "neg": -3, "t": true, "f": false, "z": null, "s": "1.0",
                "name": "acme", "a": {"b": {"c": 1, "d": "x"}}, "tags": ["one", 2],
            })
        );
    }

    #[test]
    fn conflicting_fields_are_refused() {
        let mut object = Map::new();
        insert_field(&mut object, "a", json!(1)).unwrap();
        assert!(insert_field(&mut object, "a.b", json!(2)).is_err());
        assert!(insert_field(&mut object, "a", json!(3)).is_err());
        assert!(insert_field(&mut object, "a[]", json!(3)).is_err());
        assert!(insert_field(&mut object, "x..y", json!(3)).is_err());
    }

    #[test]
    fn placeholders_are_refused() {
        assert!(check_placeholders("/core/v1/projects/{id}/versions").is_err());
        assert!(check_placeholders("/core/v1/projects/abc/versions").is_ok());
        assert!(check_placeholders("/core/v1/x?filter={a}").is_ok());
    }
}
