//! `--jq EXPR`: filter the JSON document with a jq expression, without an
//! external `jq` (the jaq crates), and print the results as `jq -r` would:
//! strings raw, other values as compact JSON, one per line.
//!
//! The expression is checked when the command line is read ([`set`]), so a
//! bad expression is exit 2 before any request.

use std::io::Write;
use std::sync::OnceLock;

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Ctx, Vars, data};
use jaq_json::Val;

use crate::failure::{CmdResult, Failure};

/// The expression of `--jq`, once checked.
static EXPR: OnceLock<String> = OnceLock::new();

/// Check `expr` and make it the filter of this run's JSON document.
pub fn set(expr: &str) -> CmdResult {
    compile(expr)?;
    let _ = EXPR.set(expr.to_owned());
    Ok(())
}

/// The `--jq` expression of this run, if any.
pub fn active() -> Option<&'static str> {
    EXPR.get().map(String::as_str)
}

type Filter = jaq_core::compile::Filter<jaq_core::Native<data::JustLut<Val>>>;

fn compile(expr: &str) -> CmdResult<Filter> {
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let funs = jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs());
    let loader = Loader::new(defs);
    let arena = Arena::default();
    let program = File {
        code: expr,
        path: (),
    };
    let modules = loader.load(&arena, program).map_err(|errors| {
        let mut reasons = Vec::new();
        for (_, error) in errors {
            match error {
                jaq_core::load::Error::Io(list) => {
                    reasons.extend(list.into_iter().map(|(path, e)| format!("{path}: {e}")));
                }
                jaq_core::load::Error::Lex(list) => {
                    reasons.extend(list.into_iter().map(|(expect, at)| {
                        format!("expected {} at {}", expect.as_str(), near(at))
                    }))
                }
                jaq_core::load::Error::Parse(list) => {
                    reasons.extend(list.into_iter().map(|(expect, at)| {
                        format!("expected {} at {}", expect.as_str(), near(at))
                    }))
                }
            }
        }
        bad_expression(expr, &reasons)
    })?;
    jaq_core::Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|errors| {
            let reasons: Vec<String> = errors
                .into_iter()
                .flat_map(|(_, list)| list)
                .map(|(name, undefined)| format!("undefined {undefined:?} {name}").to_lowercase())
                .collect();
            bad_expression(expr, &reasons)
        })
}

/// Where a lex or parse error is: the rest of the expression from there.
fn near(rest: &str) -> String {
    if rest.is_empty() {
        "the end".to_owned()
    } else {
        format!("{:?}", rest.chars().take(20).collect::<String>())
    }
}

fn bad_expression(expr: &str, reasons: &[String]) -> Failure {
    let reason = if reasons.is_empty() {
        "invalid".to_owned()
    } else {
        reasons.join("; ")
    };
    Failure::usage(format!("invalid --jq expression {expr:?}: {reason}"))
        .with_hint("--jq takes a jq filter, e.g. .id or .elements[].name")
}

/// Run `expr` on a JSON document and return what to print: each result on
/// its own line, strings raw, other values as compact JSON.
pub fn filter(expr: &str, json: &[u8]) -> CmdResult<Vec<u8>> {
    let filter = compile(expr)?;
    let input = jaq_json::read::parse_single(json).map_err(|e| Failure {
        code: crate::failure::API,
        message: format!("--jq: the response is not JSON: {e}"),
        hint: None,
        error: None,
    })?;
    let ctx = Ctx::<data::JustLut<Val>>::new(&filter.lut, Vars::new([]));
    let mut out = Vec::new();
    for result in filter.id.run((ctx, input)).map(jaq_core::unwrap_valr) {
        let value = result.map_err(|e| Failure {
            code: crate::failure::API,
            message: format!("--jq {expr:?}: {e}"),
            hint: None,
            error: None,
        })?;
        match &value {
            Val::TStr(bytes) | Val::BStr(bytes) => out.extend_from_slice(bytes),
            other => {
                let _ = write!(out, "{other}");
            }
        }
        out.push(b'\n');
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn run(expr: &str, json: &str) -> String {
        String::from_utf8(filter(expr, json.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn strings_are_raw_and_other_values_compact_json() {
        let doc = r#"{"id":"abc","n":3,"list":[{"a":1},{"a":"x y"}],"ok":true,"none":null}"#;
        assert_eq!(run(".id", doc), "abc\n");
        assert_eq!(run(".n", doc), "3\n");
        assert_eq!(run(".list[].a", doc), "1\nx y\n");
        assert_eq!(run(".list[0]", doc), "{\"a\":1}\n");
        assert_eq!(run(".ok, .none", doc), "true\nnull\n");
        assert_eq!(run("[.list[].a] | length", doc), "2\n");
        assert_eq!(
            run(".list | map(.a) | map(tostring) | join(\",\")", doc),
            "1,x y\n"
        );
        assert_eq!(run("empty", doc), "");
    }

    #[test]
    fn bad_expressions_are_usage_errors() {
        for bad in [".[", "foo_not_defined", ".a |", "(."] {
            let failure = compile(bad).err().unwrap();
            assert_eq!(failure.code, crate::failure::USAGE, "{bad}");
            assert!(
                failure.message.contains("invalid --jq expression"),
                "{}",
                failure.message
            );
        }
    }

    #[test]
    fn runtime_errors_and_non_json_fail() {
        let failure = filter(".a.b", br#"{"a":"text"}"#).err().unwrap();
        assert_eq!(failure.code, crate::failure::API);
        let failure = filter(".", b"<html>").err().unwrap();
        assert!(failure.message.contains("not JSON"), "{}", failure.message);
    }
}
