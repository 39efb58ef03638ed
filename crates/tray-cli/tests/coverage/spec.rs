//! The operations of the specs, read from `openapi/*.yaml` at test time (not
//! from a hand list or the generated code), so an operation added to a spec
//! shows up here by itself.

use std::path::{Path, PathBuf};

use serde_yaml::Value;

/// The HTTP methods an OpenAPI path item may hold, as keys.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of a spec: its `operationId`, method and path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The `operationId`.
    pub id: String,
    /// Upper case: `GET`, `POST`…
    pub method: String,
    /// The path template as the spec writes it (`/core/v1/projects/{projectId}/versions`).
    pub path: String,
    /// The path with each parameter filled with a sample value of its type.
    pub sample_path: String,
}

impl Operation {
    /// An operation whose path parameters are all filled with `sample`
    /// (for operations the tests add to the list by hand).
    pub fn new(id: &str, method: &str, path: &str) -> Self {
        Operation {
            id: id.to_owned(),
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            sample_path: fill(path, |_| "sample".to_owned()),
        }
    }

    /// `METHOD /path/{template}`.
    pub fn request(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Whether a request (method, path with or without a query) is one of
    /// this operation: same method, same number of segments, equal literal
    /// segments; a `{parameter}` segment matches any non-empty segment.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let template: Vec<&str> = self.path.split('/').collect();
        let actual: Vec<&str> = path.split('/').collect();
        method.eq_ignore_ascii_case(&self.method)
            && template.len() == actual.len()
            && template.iter().zip(&actual).all(|(want, got)| {
                if want.starts_with('{') && want.ends_with('}') {
                    !got.is_empty()
                } else {
                    want == got
                }
            })
    }
}

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every operation of every OpenAPI document in `openapi/*.yaml` (files in
/// name order, operations in document order). A YAML file there that is
/// not an OpenAPI document (no `openapi` and `paths` keys) is skipped.
pub fn operations(root: &Path) -> Result<Vec<Operation>, String> {
    let dir = root.join("openapi");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    let mut operations = Vec::new();
    for file in files {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let doc: Value =
            serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        if doc.get("openapi").is_none() {
            continue;
        }
        let Some(paths) = doc.get("paths").and_then(Value::as_mapping) else {
            continue;
        };
        for (path, item) in paths {
            let path = path
                .as_str()
                .ok_or_else(|| format!("{}: a path that is not a string", file.display()))?;
            let path_parameters = item.get("parameters");
            for method in METHODS {
                let Some(operation) = item.get(*method) else {
                    continue;
                };
                let id = operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        format!(
                            "{}: {} {path} has no operationId",
                            file.display(),
                            method.to_ascii_uppercase()
                        )
                    })?;
                let sample_path = fill(path, |name| {
                    sample_value(&doc, operation.get("parameters"), path_parameters, name)
                });
                operations.push(Operation {
                    id: id.to_owned(),
                    method: method.to_ascii_uppercase(),
                    path: path.to_owned(),
                    sample_path,
                });
            }
        }
    }
    Ok(operations)
}

/// The path with each `{name}` replaced by `value(name)`.
fn fill(template: &str, mut value: impl FnMut(&str) -> String) -> String {
    template
        .split('/')
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => value(name),
                None => segment.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// A sample value for path parameter `name`, from its schema (the
/// operation's parameters first, then the path item's; local `$ref`s
/// resolved): a UUID for `format: uuid`, `1` for an integer or a number,
/// else `sample`.
fn sample_value(
    doc: &Value,
    operation_parameters: Option<&Value>,
    path_parameters: Option<&Value>,
    name: &str,
) -> String {
    let parameter = [operation_parameters, path_parameters]
        .into_iter()
        .flatten()
        .filter_map(Value::as_sequence)
        .flatten()
        .map(|parameter| resolve(doc, parameter))
        .find(|parameter| {
            parameter.get("name").and_then(Value::as_str) == Some(name)
                && parameter.get("in").and_then(Value::as_str) == Some("path")
        });
    let schema = parameter
        .and_then(|parameter| parameter.get("schema"))
        .map(|schema| resolve(doc, schema));
    let field = |key: &str| {
        schema
            .and_then(|schema| schema.get(key))
            .and_then(Value::as_str)
    };
    match (field("type"), field("format")) {
        (_, Some("uuid")) => "6f9619ff-8b86-4011-b42d-00c04fc964ff".to_owned(),
        (Some("integer" | "number"), _) => "1".to_owned(),
        _ => "sample".to_owned(),
    }
}

/// Follows a local `$ref` (`#/components/...`), once or more.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut value = value;
    for _ in 0..8 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some(pointer) = reference.strip_prefix("#/") else {
            break;
        };
        let mut target = doc;
        for key in pointer.split('/') {
            match target.get(key) {
                Some(next) => target = next,
                None => return value,
            }
        }
        value = target;
    }
    value
}
