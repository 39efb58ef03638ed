//! One operation of ours against the upstream operation it wraps.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde_json::Value;

use super::Difference;
use super::schema::{Cut, Extra, Resolver, Shape, child_path};

/// The extension naming the upstream operation one of ours wraps.
pub const UPSTREAM_OPERATION_EXTENSION: &str = "x-tray-upstream-operation-id";

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of a document, with what is needed to compare it.
pub(crate) struct Operation<'a> {
    /// `operationId`, or `METHOD path` when there is none.
    pub id: String,
    /// Upper case: `GET`, `POST`, …
    pub method: String,
    pub path: String,
    pub tags: Vec<String>,
    /// Ours only: the value of `x-tray-upstream-operation-id`.
    pub upstream_id: Option<String>,
    node: &'a Value,
    path_item: &'a Value,
    root: &'a Value,
}

impl Operation<'_> {
    /// `POST /core/v1/...`
    pub fn route(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Every operation of a whole document, in document order.
pub(crate) fn operations(root: &Value) -> Vec<Operation<'_>> {
    let resolver = Resolver::new(root);
    let mut operations = Vec::new();
    let Some(paths) = root.get("paths").and_then(Value::as_object) else {
        return operations;
    };
    for (path, item) in paths {
        let Some(item) = resolver.deref(item) else {
            continue;
        };
        let Some(methods) = item.as_object() else {
            continue;
        };
        for (method, node) in methods {
            if !METHODS.contains(&method.as_str()) || !node.is_object() {
                continue;
            }
            let method = method.to_uppercase();
            let id = node
                .get("operationId")
                .and_then(Value::as_str)
                .map_or_else(|| format!("{method} {path}"), str::to_owned);
            operations.push(Operation {
                id,
                method,
                path: path.clone(),
                tags: strings(node.get("tags")),
                upstream_id: node
                    .get(UPSTREAM_OPERATION_EXTENSION)
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                node,
                path_item: item,
                root,
            });
        }
    }
    operations
}

/// The mapping `value` holds, or an empty one.
fn object(value: Option<&Value>) -> &serde_json::Map<String, Value> {
    static EMPTY: LazyLock<serde_json::Map<String, Value>> = LazyLock::new(serde_json::Map::new);
    value.and_then(Value::as_object).unwrap_or(&EMPTY)
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

/// Collects the differences of one operation.
struct Out<'o> {
    operation: &'o str,
    list: &'o mut Vec<Difference>,
}

impl Out<'_> {
    fn push(
        &mut self,
        at: impl Into<String>,
        upstream: impl Into<String>,
        ours: impl Into<String>,
    ) {
        self.list.push(Difference {
            operation: self.operation.to_owned(),
            at: at.into(),
            upstream: upstream.into(),
            ours: ours.into(),
        });
    }
}

/// Every difference between `ours` and the upstream operation it maps to,
/// named after our operation.
pub(crate) fn operation(
    upstream: &Operation<'_>,
    ours: &Operation<'_>,
    list: &mut Vec<Difference>,
) {
    let mut out = Out {
        operation: &ours.id,
        list,
    };
    if upstream.method != ours.method {
        out.push("method", &upstream.method, &ours.method);
    }
    if upstream.path != ours.path {
        out.push("path", &upstream.path, &ours.path);
    }
    let mut up = Side::new(upstream);
    let mut our = Side::new(ours);
    parameters(&mut out, &mut up, &mut our);
    request_body(&mut out, &mut up, &mut our);
    responses(&mut out, &mut up, &mut our);
    let (up_security, our_security) = (security(upstream), security(ours));
    if up_security != our_security {
        out.push("security", up_security, our_security);
    }
}

/// One side of the comparison: the operation and a resolver of its document.
struct Side<'a, 'o> {
    operation: &'o Operation<'a>,
    resolver: Resolver<'a>,
}

impl<'a, 'o> Side<'a, 'o> {
    fn new(operation: &'o Operation<'a>) -> Self {
        Self {
            operation,
            resolver: Resolver::new(operation.root),
        }
    }

    fn deref(&self, value: &'a Value) -> Option<&'a Value> {
        self.resolver.deref(value)
    }

    /// Path-item parameters, overridden by the operation's, keyed by
    /// location and name (header names compared case-insensitively).
    fn parameters(&self) -> BTreeMap<(String, String), &'a Value> {
        let mut map = BTreeMap::new();
        for list in [
            self.operation.path_item.get("parameters"),
            self.operation.node.get("parameters"),
        ] {
            for parameter in list.and_then(Value::as_array).into_iter().flatten() {
                let Some(parameter) = self.deref(parameter) else {
                    continue;
                };
                let location = parameter
                    .get("in")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_owned();
                let name = parameter.get("name").and_then(Value::as_str).unwrap_or("?");
                let key = if location == "header" {
                    name.to_ascii_lowercase()
                } else {
                    name.to_owned()
                };
                map.insert((location, key), parameter);
            }
        }
        map
    }

    fn shape(&mut self, schema: Option<&'a Value>) -> Shape {
        schema.map_or_else(Shape::default, |schema| self.resolver.shape(schema))
    }
}

fn parameters(out: &mut Out<'_>, up: &mut Side<'_, '_>, ours: &mut Side<'_, '_>) {
    let up_map = up.parameters();
    let our_map = ours.parameters();
    let keys: BTreeSet<&(String, String)> = up_map.keys().chain(our_map.keys()).collect();
    for key in keys {
        let (up_param, our_param) = (up_map.get(key).copied(), our_map.get(key).copied());
        let name = up_param
            .or(our_param)
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .unwrap_or(&key.1);
        let at = format!("parameter {} \"{name}\"", key.0);
        let up_shape = up.shape(up_param.and_then(parameter_schema));
        let our_shape = ours.shape(our_param.and_then(parameter_schema));
        match (up_param, our_param) {
            (Some(u), Some(o)) => {
                let (u_required, o_required) = (required(u), required(o));
                if u_required != o_required {
                    out.push(at.clone(), optionality(u_required), optionality(o_required));
                }
                schema(out, &at, "", &up_shape, &our_shape);
            }
            (Some(u), None) => out.push(at, presence(required(u), &up_shape), "missing"),
            (None, Some(o)) => out.push(at, "missing", presence(required(o), &our_shape)),
            (None, None) => {}
        }
    }
}

fn parameter_schema(parameter: &Value) -> Option<&Value> {
    parameter.get("schema").or_else(|| {
        parameter
            .get("content")
            .and_then(Value::as_object)
            .and_then(|content| content.values().next())
            .and_then(|media| media.get("schema"))
    })
}

fn required(value: &Value) -> bool {
    value.get("required").and_then(Value::as_bool) == Some(true)
}

fn optionality(required: bool) -> &'static str {
    if required { "required" } else { "optional" }
}

fn presence(required: bool, shape: &Shape) -> String {
    format!("{} {}", optionality(required), shape.type_text())
}

fn request_body(out: &mut Out<'_>, up: &mut Side<'_, '_>, ours: &mut Side<'_, '_>) {
    let up_body = up
        .operation
        .node
        .get("requestBody")
        .and_then(|b| up.deref(b));
    let our_body = ours
        .operation
        .node
        .get("requestBody")
        .and_then(|b| ours.deref(b));
    let at = "request body";
    match (up_body, our_body) {
        (Some(u), Some(o)) => {
            let (u_required, o_required) = (required(u), required(o));
            if u_required != o_required {
                out.push(at, optionality(u_required), optionality(o_required));
            }
            content(out, at, up, u.get("content"), ours, o.get("content"));
        }
        (Some(u), None) => out.push(at, body_text(u), "missing"),
        (None, Some(o)) => out.push(at, "missing", body_text(o)),
        (None, None) => {}
    }
}

fn body_text(body: &Value) -> String {
    let media: Vec<&str> = body
        .get("content")
        .and_then(Value::as_object)
        .map(|content| content.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let media = if media.is_empty() {
        "without content".to_owned()
    } else {
        media.join(", ")
    };
    format!("{} {media}", optionality(required(body)))
}

fn responses(out: &mut Out<'_>, up: &mut Side<'_, '_>, ours: &mut Side<'_, '_>) {
    let up_map = object(up.operation.node.get("responses"));
    let our_map = object(ours.operation.node.get("responses"));
    let codes: BTreeSet<&String> = up_map.keys().chain(our_map.keys()).collect();
    for code in codes {
        let at = format!("response {code}");
        // A response whose `$ref` does not resolve is declared without content.
        let up_response = up_map.get(code.as_str()).map(|r| up.deref(r));
        let our_response = our_map.get(code.as_str()).map(|r| ours.deref(r));
        match (up_response, our_response) {
            (Some(u), Some(o)) => {
                let up_content = u.and_then(|u| u.get("content"));
                let our_content = o.and_then(|o| o.get("content"));
                content(out, &at, up, up_content, ours, our_content);
            }
            (Some(_), None) => out.push(at, "declared", "missing"),
            (None, Some(_)) => out.push(at, "missing", "declared"),
            (None, None) => {}
        }
    }
}

/// The media types of a body and, for each one both sides declare, its
/// schema.
fn content<'a, 'b>(
    out: &mut Out<'_>,
    at: &str,
    up: &mut Side<'a, '_>,
    up_content: Option<&'a Value>,
    ours: &mut Side<'b, '_>,
    our_content: Option<&'b Value>,
) {
    let up_media = object(up_content);
    let our_media = object(our_content);
    let types: BTreeSet<&String> = up_media.keys().chain(our_media.keys()).collect();
    for media in types {
        match (up_media.get(media.as_str()), our_media.get(media.as_str())) {
            (Some(u), Some(o)) => {
                let prefix = if media == "application/json" {
                    at.to_owned()
                } else {
                    format!("{at} ({media})")
                };
                let up_shape = up.shape(u.get("schema"));
                let our_shape = ours.shape(o.get("schema"));
                schema(out, &prefix, "", &up_shape, &our_shape);
            }
            (Some(_), None) => out.push(
                format!("{at} media type \"{media}\""),
                "declared",
                "missing",
            ),
            (None, Some(_)) => out.push(
                format!("{at} media type \"{media}\""),
                "missing",
                "declared",
            ),
            (None, None) => {}
        }
    }
}

/// Compare two shapes at `path` (empty for the schema itself) and recurse
/// into properties and items.
fn schema(out: &mut Out<'_>, prefix: &str, path: &str, up: &Shape, ours: &Shape) {
    let at = if path.is_empty() {
        prefix.to_owned()
    } else {
        format!("{prefix} property \"{path}\"")
    };
    if up.cut.is_some() || ours.cut.is_some() {
        // A cycle (compared where it started) or a dangling `$ref` (reported
        // as its type): nothing further to compare.
        let unresolved = |s: &Shape| matches!(s.cut, Some(Cut::Unresolved(_)));
        if (unresolved(up) || unresolved(ours)) && up.type_text() != ours.type_text() {
            out.push(at, up.type_text(), ours.type_text());
        }
        return;
    }
    let (up_type, our_type) = (up.type_text(), ours.type_text());
    if up_type != our_type {
        out.push(at.clone(), up_type, our_type);
    }
    match (&up.enum_values, &ours.enum_values) {
        (Some(u), Some(o)) => {
            for value in u.difference(o) {
                out.push(format!("{at} enum value {value}"), "present", "missing");
            }
            for value in o.difference(u) {
                out.push(format!("{at} enum value {value}"), "missing", "present");
            }
        }
        (None, None) => {}
        _ => out.push(format!("{at} enum"), up.enum_text(), ours.enum_text()),
    }
    if up.types.is_empty() || ours.types.is_empty() {
        // One side accepts any value: its type line says it all.
        return;
    }
    if up.format != ours.format {
        out.push(format!("{at} format"), up.format_text(), ours.format_text());
    }
    if up.is_object() && ours.is_object() {
        extra(out, &at, &up.extra, &ours.extra);
        let names: BTreeSet<&String> = up
            .properties
            .keys()
            .chain(ours.properties.keys())
            .chain(up.required.iter())
            .chain(ours.required.iter())
            .collect();
        for name in names {
            let child = child_path(path, name);
            let child_at = format!("{prefix} property \"{child}\"");
            let (u_required, o_required) =
                (up.required.contains(name), ours.required.contains(name));
            match (up.properties.get(name), ours.properties.get(name)) {
                (None, None) => {
                    // Only named in `required`: compare that.
                    if u_required != o_required {
                        out.push(child_at, optionality(u_required), optionality(o_required));
                    }
                }
                (Some(u), None) => out.push(child_at, presence_text(u_required, u), "missing"),
                (None, Some(o)) => out.push(child_at, "missing", presence_text(o_required, o)),
                (Some(u), Some(o)) => {
                    if u_required != o_required {
                        out.push(child_at, optionality(u_required), optionality(o_required));
                    }
                    schema(out, prefix, &child, u, o);
                }
            }
        }
    }
    if up.is_array() && ours.is_array() {
        let any = Shape::default();
        let u = up.items.as_deref().unwrap_or(&any);
        let o = ours.items.as_deref().unwrap_or(&any);
        schema(out, prefix, &format!("{path}[]"), u, o);
    }
}

/// `additionalProperties`: a difference when one side allows other
/// properties and the other does not (absent or `false`, which are not told
/// apart), or when both allow them with values of different types.
fn extra(out: &mut Out<'_>, at: &str, up: &Extra, ours: &Extra) {
    if (up.allows() || ours.allows()) && up.text() != ours.text() {
        out.push(format!("{at} additionalProperties"), up.text(), ours.text());
    }
}

fn presence_text(required: bool, shape: &Shape) -> String {
    if required {
        format!("required {}", shape.type_text())
    } else {
        shape.type_text()
    }
}

/// The security an operation needs, with each scheme by its definition
/// (type, scheme, location, name), not its key: alternatives joined by
/// ` | `, schemes needed together by ` + `; `none` when nothing is needed.
fn security(operation: &Operation<'_>) -> String {
    let resolver = Resolver::new(operation.root);
    let requirements = operation
        .node
        .get("security")
        .or_else(|| operation.root.get("security"))
        .and_then(Value::as_array);
    let Some(requirements) = requirements.filter(|r| !r.is_empty()) else {
        return "none".to_owned();
    };
    let mut alternatives = BTreeSet::new();
    for requirement in requirements {
        let Some(requirement) = requirement.as_object() else {
            continue;
        };
        if requirement.is_empty() {
            alternatives.insert("anonymous".to_owned());
            continue;
        }
        let mut schemes = BTreeSet::new();
        for (key, scopes) in requirement {
            let definition = operation
                .root
                .pointer(&format!(
                    "/components/securitySchemes/{}",
                    key.replace('~', "~0").replace('/', "~1")
                ))
                .and_then(|d| resolver.deref(d));
            let mut text =
                definition.map_or_else(|| format!("undefined scheme \"{key}\""), scheme_text);
            let scopes = strings(Some(scopes));
            if !scopes.is_empty() {
                text.push_str(&format!(" [{}]", scopes.join(", ")));
            }
            schemes.insert(text);
        }
        alternatives.insert(schemes.into_iter().collect::<Vec<_>>().join(" + "));
    }
    alternatives.into_iter().collect::<Vec<_>>().join(" | ")
}

fn scheme_text(definition: &Value) -> String {
    let field = |name: &str| definition.get(name).and_then(Value::as_str).unwrap_or("");
    match field("type") {
        "http" => format!("http {}", field("scheme").to_ascii_lowercase()),
        "apiKey" => format!("apiKey {} \"{}\"", field("in"), field("name")),
        "oauth2" => {
            let flows: Vec<&str> = definition
                .get("flows")
                .and_then(Value::as_object)
                .map(|flows| flows.keys().map(String::as_str).collect())
                .unwrap_or_default();
            format!("oauth2 ({})", flows.join(", "))
        }
        "openIdConnect" => format!("openIdConnect {}", field("openIdConnectUrl")),
        other => other.to_owned(),
    }
}
