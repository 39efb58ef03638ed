//! Spec checks run by `cargo xtask lint` and by the tests.
//!
//! 1. Every spec parses as OpenAPI 3.0 and generates Rust code, which
//!    includes every operation carrying `x-tray-retry: idempotent` or
//!    `x-tray-retry: non-idempotent` (see `tray_codegen::RETRY_EXTENSION`).
//! 2. Every example (request and response bodies, error responses, component
//!    schemas, parameters) validates against its schema, deserializes into
//!    the generated type and re-serializes to equal JSON.
//! 3. Every seed fixture in `tests/fixtures/<module>/` (named
//!    `<operationId>.request.json` or `<operationId>.response.json`, or
//!    `error.response.json`) deserializes into the generated type of that
//!    operation's body and round-trips.

use std::borrow::Cow;
use std::path::Path;

use serde_json::{Map, Value, json};
use tray_codegen::{SPECS, Spec};

/// Result of a lint run.
#[derive(Debug, Default)]
pub struct Report {
    /// Specs checked.
    pub specs: usize,
    /// Examples checked.
    pub examples: usize,
    /// Fixture files checked (names, relative to `tests/fixtures/`).
    pub fixture_files: Vec<String>,
    /// Fixtures checked.
    pub fixtures: usize,
    /// Everything wrong, one line each.
    pub problems: Vec<String>,
}

/// Run every check on every spec.
pub fn run(root: &Path) -> Report {
    let mut report = Report::default();
    report.problems.extend(unlisted_specs(root));
    for spec in SPECS {
        report.specs += 1;
        if let Err(error) = tray_codegen::generate(root, *spec) {
            report.problems.push(error.to_string());
            continue;
        }
        let document = match read_json(&spec.file(root)) {
            Ok(document) => document,
            Err(problem) => {
                report.problems.push(problem);
                continue;
            }
        };
        let checker = Checker {
            spec: *spec,
            document: &document,
            components: json!({ "schemas": to_json_schema(&document["components"]["schemas"]) }),
        };
        checker.examples(&mut report);
        checker.fixtures(root, &mut report);
    }
    report
}

/// The OpenAPI documents directly in `openapi/` that are not in
/// `tray_codegen::SPECS`: codegen would silently generate nothing for them
/// (and the tests that read the specs would disagree on the list).
fn unlisted_specs(root: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join("openapi")) else {
        return vec!["cannot read the openapi/ folder".to_owned()];
    };
    let mut problems = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let relative = format!("openapi/{}", entry.file_name().to_string_lossy());
        if SPECS.iter().any(|spec| spec.path == relative) {
            continue;
        }
        if read_json(&path).is_ok_and(|document| document.get("openapi").is_some()) {
            problems.push(format!(
                "{relative} is an OpenAPI document but not in tray_codegen::SPECS: add it there (or move it out of openapi/)"
            ));
        }
    }
    problems
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_yaml::from_str(&text).map_err(|e| format!("{} does not parse: {e}", path.display()))
}

struct Checker<'a> {
    spec: Spec,
    document: &'a Value,
    /// `components` in JSON Schema form, converted once per spec and
    /// attached to every example's schema so `$ref`s resolve.
    components: Value,
}

/// Where an example sits, and the schema it must satisfy.
struct Example<'a> {
    location: String,
    schema: Cow<'a, Value>,
    value: &'a Value,
}

impl Checker<'_> {
    fn examples(&self, report: &mut Report) {
        for example in self.collect_examples() {
            report.examples += 1;
            if let Err(problem) = self.check(&example.schema, example.value) {
                report.problems.push(format!(
                    "{}: {}: {problem}",
                    self.spec.path, example.location
                ));
            }
        }
    }

    fn collect_examples(&self) -> Vec<Example<'_>> {
        let mut found = Vec::new();
        for (path, item) in entries(&self.document["paths"]) {
            for (method, operation) in entries(item) {
                let id = operation["operationId"].as_str().unwrap_or(method);
                for parameter in operation["parameters"].as_array().into_iter().flatten() {
                    let parameter = self.resolve(parameter);
                    self.media_examples(
                        &format!("{id} parameter {}", parameter["name"]),
                        parameter,
                        &mut found,
                    );
                }
                let body = self.resolve(&operation["requestBody"]);
                self.content_examples(&format!("{id} request"), body, &mut found);
                for (status, response) in entries(&operation["responses"]) {
                    let response = self.resolve(response);
                    self.content_examples(&format!("{id} {status} ({path})"), response, &mut found);
                }
            }
        }
        let components = &self.document["components"];
        for (name, parameter) in entries(&components["parameters"]) {
            self.media_examples(&format!("parameter {name}"), parameter, &mut found);
        }
        for (name, schema) in entries(&components["schemas"]) {
            if let Some(value) = schema.get("example") {
                found.push(Example {
                    location: format!("schema {name}"),
                    schema: Cow::Owned(json!({ "$ref": format!("#/components/schemas/{name}") })),
                    value,
                });
            }
        }
        found
    }

    fn content_examples<'d>(
        &'d self,
        location: &str,
        holder: &'d Value,
        found: &mut Vec<Example<'d>>,
    ) {
        if let Some(content) = holder["content"].as_object() {
            for (media, entry) in content {
                self.media_examples(&format!("{location} {media}"), entry, found);
            }
        }
    }

    /// `example` / `examples` of a media type or parameter object.
    fn media_examples<'d>(
        &'d self,
        location: &str,
        holder: &'d Value,
        found: &mut Vec<Example<'d>>,
    ) {
        let schema = &holder["schema"];
        if let Some(value) = holder.get("example") {
            found.push(Example {
                location: location.to_owned(),
                schema: Cow::Borrowed(schema),
                value,
            });
        }
        if let Some(examples) = holder["examples"].as_object() {
            for (name, example) in examples {
                found.push(Example {
                    location: format!("{location} example {name}"),
                    schema: Cow::Borrowed(schema),
                    value: &self.resolve(example)["value"],
                });
            }
        }
    }

    fn resolve<'d>(&'d self, value: &'d Value) -> &'d Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(pointer) => self
                .document
                .pointer(pointer.trim_start_matches('#'))
                .unwrap_or(&Value::Null),
            None => value,
        }
    }

    /// Validate against the JSON Schema form of `schema`, then round-trip
    /// through the generated type when `schema` names a component.
    fn check(&self, schema: &Value, value: &Value) -> Result<(), String> {
        let mut root = to_json_schema(schema);
        if let Some(object) = root.as_object_mut() {
            object.insert("components".into(), self.components.clone());
        }
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&root)
            .map_err(|e| format!("schema does not compile: {e}"))?;
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if !errors.is_empty() {
            return Err(format!("does not match its schema: {}", errors.join("; ")));
        }
        match schema["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            Some(name) => self.round_trip(name, value),
            None => Ok(()),
        }
    }

    fn round_trip(&self, schema: &str, value: &Value) -> Result<(), String> {
        // The generated table has a round trip for every component schema
        // of every spec; a missing one means the spec and the build differ.
        let Some((_, _, round_trip)) = tray_api_raw::round_trips()
            .find(|(module, name, _)| (*module, *name) == (self.spec.module, schema))
        else {
            return Err(format!(
                "no generated type for {}::{schema} in tray_api_raw::round_trips() (rebuild after `cargo xtask codegen`)",
                self.spec.module
            ));
        };
        match round_trip(value) {
            Err(error) => Err(format!("does not deserialize into {schema}: {error}")),
            Ok(back) if back == without_empty_objects_missing_in(value, &back) => Ok(()),
            Ok(back) => Err(format!(
                "does not round-trip through {schema}: re-serialized as {back}"
            )),
        }
    }

    fn fixtures(&self, root: &Path, report: &mut Report) {
        let folder = root.join("tests/fixtures").join(self.spec.module);
        let Ok(entries) = std::fs::read_dir(&folder) else {
            return;
        };
        let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for file in files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "json"))
        {
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let display = format!("{}/{name}", self.spec.module);
            report.fixtures += 1;
            report.fixture_files.push(display.clone());
            if let Err(problem) = self.fixture(file, name) {
                report
                    .problems
                    .push(format!("fixture {display}: {problem}"));
            }
        }
    }

    fn fixture(&self, file: &Path, name: &str) -> Result<(), String> {
        let value: Value =
            serde_json::from_str(&std::fs::read_to_string(file).map_err(|e| e.to_string())?)
                .map_err(|e| format!("not JSON: {e}"))?;
        let mut parts = name.split('.');
        let (operation, direction) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        let schema = if operation == "error" {
            "ApiError".to_owned()
        } else {
            self.body_schema(operation, direction)?
        };
        self.round_trip(&schema, &value)
    }

    /// The component schema of an operation's request body or success
    /// response.
    fn body_schema(&self, operation_id: &str, direction: &str) -> Result<String, String> {
        let operation = self.document["paths"]
            .as_object()
            .into_iter()
            .flat_map(|paths| paths.values())
            .filter_map(Value::as_object)
            .flat_map(|item| item.values())
            .find(|op| op["operationId"] == operation_id)
            .ok_or_else(|| format!("no operation {operation_id} in {}", self.spec.path))?;
        let holder = match direction {
            "request" => self.resolve(&operation["requestBody"]),
            "response" => operation["responses"]
                .as_object()
                .and_then(|r| r.iter().find(|(status, _)| status.starts_with('2')))
                .map(|(_, response)| self.resolve(response))
                .unwrap_or(&Value::Null),
            other => return Err(format!("unknown direction {other:?} (request or response)")),
        };
        holder["content"]["application/json"]["schema"]["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .map(str::to_owned)
            .ok_or_else(|| format!("{operation_id} has no {direction} body schema"))
    }
}

/// `original` minus the members whose value is `{}` and that `back` leaves
/// out: typify skips an empty optional free-form map when serializing
/// (`configOverride: {}`), which sends Tray the same request. Nothing else is
/// forgiven.
fn without_empty_objects_missing_in(original: &Value, back: &Value) -> Value {
    match (original, back) {
        (Value::Object(original), Value::Object(back)) => Value::Object(
            original
                .iter()
                .filter(|(key, value)| {
                    !value.as_object().is_some_and(Map::is_empty) || back.contains_key(*key)
                })
                .map(|(key, value)| {
                    let back = back.get(key).unwrap_or(&Value::Null);
                    (key.clone(), without_empty_objects_missing_in(value, back))
                })
                .collect(),
        ),
        (Value::Array(original), Value::Array(back)) => Value::Array(
            original
                .iter()
                .enumerate()
                .map(|(i, value)| {
                    without_empty_objects_missing_in(value, back.get(i).unwrap_or(&Value::Null))
                })
                .collect(),
        ),
        (original, _) => original.clone(),
    }
}

/// The entries of a JSON object (none for anything else).
fn entries(value: &Value) -> impl Iterator<Item = (&String, &Value)> {
    value.as_object().into_iter().flatten()
}

/// Convert an OpenAPI 3.0 schema to JSON Schema 2020-12: `nullable: true`
/// becomes a `null` alternative, OpenAPI-only keywords are dropped.
pub fn to_json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(object) => {
            let mut out = Map::new();
            for (key, value) in object {
                match key.as_str() {
                    // Property names are not keywords: keep them all.
                    "properties" => {
                        let properties = value
                            .as_object()
                            .map(|p| {
                                p.iter()
                                    .map(|(k, v)| (k.clone(), to_json_schema(v)))
                                    .collect()
                            })
                            .unwrap_or_default();
                        out.insert(key.clone(), Value::Object(properties));
                    }
                    "nullable" | "example" | "examples" | "xml" | "externalDocs" | "deprecated"
                    | "discriminator" | "readOnly" | "writeOnly" => {}
                    _ => {
                        out.insert(key.clone(), to_json_schema(value));
                    }
                }
            }
            if object.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(kind)) = out.get("type").cloned() {
                    out.insert("type".into(), json!([kind, "null"]));
                }
                if let Some(Value::Array(values)) = out.get_mut("enum") {
                    values.push(Value::Null);
                }
                if !out.contains_key("type") {
                    return json!({ "anyOf": [Value::Object(out), { "type": "null" }] });
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}
