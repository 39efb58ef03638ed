//! The proof that codegen kept what the spec says: for every component
//! schema of every spec in `openapi/`, the JSON Schema schemars derives from
//! the Rust type that stands for it is compared with the spec's schema:
//! property names, required sets, types (string, integer, number, boolean,
//! array, object, any), nullability, string formats, kept unknown fields
//! (`additionalProperties`) and enum values, recursing through `$ref`s on
//! both sides.
//!
//! Rules of the comparison (what "kept" means):
//! * A property is nullable in Rust when it may be `null`. A spec property
//!   that is `nullable` must be nullable in Rust; a Rust property may be
//!   nullable beyond the spec only when it is optional (`Option<T>` for a
//!   property the spec does not require: absent and `null` read the same).
//! * A spec `enum` is an open enum in Rust: `type: string` accepting any
//!   string, with exactly the spec's values as `examples`. A closed Rust
//!   `enum` is a mismatch (a value Tray adds later would fail a response).
//! * A string `format` of the spec (`uuid`, `date-time`, …) must be the Rust
//!   schema's; numeric formats (`int32`) are not compared.
//!
//! The Rust types come from `tray_api_raw::json_schemas()`, the table
//! tray-codegen generates from the same specs; the test still checks it both
//! ways: a component schema with no Rust type fails the test, naming it, and
//! so does a table entry with no component. Intentional differences are entries
//! of [`ALLOWED`], each with its reason; an entry that no longer matches
//! anything fails too.
//!
//! Runs with `cargo test -p tray-api-raw --features schemars --test schemas`
//! (or `cargo test --features schemars` from the workspace root); without the
//! feature this file compiles to nothing.

#![cfg(feature = "schemars")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// The schema schemars derives for a type, as JSON.
fn schema_of<T: schemars::JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap()
}

/// The Rust types' schemas, by spec module and component name: the table
/// tray-codegen generates into every module (`JSON_SCHEMAS`), complete by
/// construction.
fn rust_schemas() -> BTreeMap<(String, String), Value> {
    tray_api_raw::json_schemas()
        .into_iter()
        .map(|(module, name, schema)| {
            (
                (module.to_owned(), name.to_owned()),
                serde_json::to_value(schema).unwrap(),
            )
        })
        .collect()
}

/// Intentional differences: (where, what the mismatch starts with, why).
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "deployments DeployConnectorRequest.connectorSourceCode",
        "format: spec \"byte\"",
        "OpenAPI's `byte` (base64 text) is not a JSON Schema format; the Rust field is the \
         base64 String itself (tray-api encodes the zip)",
    ),
    (
        "projects ApiError",
        "required:",
        "one ApiError serves every module and every error status: the CDK specs require \
         nothing, so an error body without `message` must still parse",
    ),
    (
        "projects ApiError.message",
        "accepts null in Rust",
        "the same lenient ApiError: `message` is an Option",
    ),
    (
        "solutions ApiError",
        "required:",
        "one ApiError serves every module and every error status (see projects ApiError)",
    ),
    (
        "solutions ApiError.message",
        "accepts null in Rust",
        "the same lenient ApiError: `message` is an Option",
    ),
];

/// One difference between a spec schema and a Rust schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Mismatch {
    /// `projects ProjectVersionResponse.pageInfo`.
    at: String,
    /// `required: spec [a, b], Rust [a]`.
    what: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.what)
    }
}

/// A schema with its `$ref`s, `allOf` of one and null alternatives
/// resolved: the schema proper and whether it also accepts `null`.
struct Resolved<'a> {
    schema: &'a Value,
    nullable: bool,
    /// The name of the last `$ref` followed, if any (recursion guard).
    name: Option<String>,
}

/// Compares one spec schema (inside the spec document `spec_root`) with one
/// Rust schema (inside the root schema `rust_root`, whose `$defs` its
/// `$ref`s point to).
struct Comparison<'a> {
    spec_root: &'a Value,
    rust_root: &'a Value,
    seen: BTreeSet<(String, String)>,
    found: Vec<Mismatch>,
}

impl<'a> Comparison<'a> {
    fn new(spec_root: &'a Value, rust_root: &'a Value) -> Self {
        Self {
            spec_root,
            rust_root,
            seen: BTreeSet::new(),
            found: Vec::new(),
        }
    }

    fn report(&mut self, at: &str, what: String) {
        self.found.push(Mismatch {
            at: at.to_owned(),
            what,
        });
    }

    fn resolve(&self, root: &'a Value, mut schema: &'a Value, spec: bool) -> Resolved<'a> {
        let mut nullable = false;
        let mut name = None;
        for _ in 0..32 {
            if spec && schema.get("nullable") == Some(&Value::Bool(true)) {
                nullable = true;
            }
            if let Some(types) = schema.get("type").and_then(Value::as_array)
                && types.iter().any(|t| t == "null")
            {
                nullable = true;
            }
            if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
                let pointer = reference.trim_start_matches('#');
                name = pointer.rsplit('/').next().map(str::to_owned);
                match root.pointer(pointer) {
                    Some(target) => {
                        schema = target;
                        continue;
                    }
                    None => break,
                }
            }
            let alternatives = ["anyOf", "oneOf"]
                .iter()
                .find_map(|key| schema.get(*key).and_then(Value::as_array));
            if let Some(alternatives) = alternatives {
                let (nulls, others): (Vec<&Value>, Vec<&Value>) = alternatives
                    .iter()
                    .partition(|alt| alt.get("type") == Some(&json!("null")));
                if !nulls.is_empty() && others.len() == 1 {
                    nullable = true;
                    schema = others[0];
                    continue;
                }
            }
            if let Some([only]) = schema
                .get("allOf")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
            {
                schema = only;
                continue;
            }
            break;
        }
        Resolved {
            schema,
            nullable,
            name,
        }
    }

    /// The JSON type a schema says, `null` aside: `string`, `object`, …,
    /// or `any` for a schema that constrains nothing.
    fn kind(schema: &Value) -> String {
        match schema.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Array(types)) => {
                let types: Vec<&str> = types
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|t| *t != "null")
                    .collect();
                match types.as_slice() {
                    [one] => (*one).to_owned(),
                    _ => format!("one of {types:?}"),
                }
            }
            _ if schema.get("properties").is_some() => "object".to_owned(),
            _ if schema.get("items").is_some() => "array".to_owned(),
            _ if schema.get("enum").is_some() => "enum".to_owned(),
            _ if schema.is_boolean() || schema.as_object().is_some() => "any".to_owned(),
            _ => "unknown".to_owned(),
        }
    }

    /// Compare the two schemas at `at` (`required`: whether the property
    /// holding them is required, `None` at the top).
    fn compare(&mut self, at: &str, spec: &'a Value, rust: &'a Value, required: Option<bool>) {
        let spec = self.resolve(self.spec_root, spec, true);
        let rust = self.resolve(self.rust_root, rust, false);
        if spec.nullable && !rust.nullable {
            self.report(at, "nullable in the spec, not in Rust".to_owned());
        }
        if rust.nullable && !spec.nullable && required != Some(false) {
            self.report(
                at,
                "accepts null in Rust, not in the spec (and is required or top-level)".to_owned(),
            );
        }
        if let (Some(spec_name), Some(rust_name)) = (&spec.name, &rust.name)
            && !self.seen.insert((spec_name.clone(), rust_name.clone()))
        {
            return;
        }
        let (spec, rust) = (spec.schema, rust.schema);
        let spec_kind = Self::kind(spec);
        let rust_kind = Self::kind(rust);
        if spec_kind != rust_kind {
            self.report(at, format!("type: spec {spec_kind}, Rust {rust_kind}"));
            return;
        }
        if spec_kind == "string"
            && let Some(format) = spec.get("format")
            && rust.get("format") != Some(format)
        {
            self.report(
                at,
                format!(
                    "format: spec {format}, Rust {}",
                    rust.get("format").unwrap_or(&Value::Null)
                ),
            );
        }
        self.compare_enum(at, spec, rust);
        match spec_kind.as_str() {
            "object" => self.compare_object(at, spec, rust),
            "array" => match (spec.get("items"), rust.get("items")) {
                (Some(spec_items), Some(rust_items)) => {
                    self.compare(&format!("{at}[]"), spec_items, rust_items, None);
                }
                (spec_items, rust_items) => self.report(
                    at,
                    format!(
                        "items: spec {}, Rust {}",
                        spec_items.is_some(),
                        rust_items.is_some()
                    ),
                ),
            },
            _ => {}
        }
    }

    fn compare_enum(&mut self, at: &str, spec: &Value, rust: &Value) {
        let values = |key: &str, schema: &Value| -> Option<BTreeSet<String>> {
            schema.get(key).and_then(Value::as_array).map(|values| {
                values
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect()
            })
        };
        let spec_values = values("enum", spec);
        if let Some(closed) = values("enum", rust) {
            self.report(
                at,
                format!(
                    "closed enum in Rust {closed:?}: a value Tray adds later would fail (expected an open enum)"
                ),
            );
            return;
        }
        let Some(spec_values) = spec_values else {
            return;
        };
        let Some(known) = values("examples", rust) else {
            self.report(
                at,
                format!("enum: spec {spec_values:?}, Rust lists no known values"),
            );
            return;
        };
        let missing: Vec<&String> = spec_values.difference(&known).collect();
        let extra: Vec<&String> = known.difference(&spec_values).collect();
        if !missing.is_empty() {
            self.report(at, format!("enum: values not known in Rust: {missing:?}"));
        }
        if !extra.is_empty() {
            self.report(
                at,
                format!("enum: values known in Rust, not in the spec: {extra:?}"),
            );
        }
    }

    fn compare_object(&mut self, at: &str, spec: &'a Value, rust: &'a Value) {
        let props = |schema: &'a Value| -> BTreeMap<&'a String, &'a Value> {
            schema
                .get("properties")
                .and_then(Value::as_object)
                .map(|props| props.iter().collect())
                .unwrap_or_default()
        };
        let required = |schema: &Value| -> BTreeSet<String> {
            schema
                .get("required")
                .and_then(Value::as_array)
                .map(|names| {
                    names
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let (spec_props, rust_props) = (props(spec), props(rust));
        let spec_names: BTreeSet<&String> = spec_props.keys().copied().collect();
        let rust_names: BTreeSet<&String> = rust_props.keys().copied().collect();
        for name in spec_names.difference(&rust_names) {
            self.report(
                at,
                format!("property {name:?}: in the spec, missing in Rust"),
            );
        }
        for name in rust_names.difference(&spec_names) {
            self.report(at, format!("property {name:?}: in Rust, not in the spec"));
        }
        let (spec_required, rust_required) = (required(spec), required(rust));
        if spec_required != rust_required {
            self.report(
                at,
                format!("required: spec {spec_required:?}, Rust {rust_required:?}"),
            );
        }
        let keeps = |schema: &Value| {
            schema
                .get("additionalProperties")
                .is_some_and(|extra| extra != &Value::Bool(false))
        };
        if keeps(spec) != keeps(rust) {
            self.report(
                at,
                format!(
                    "unknown fields kept (additionalProperties): spec {}, Rust {}",
                    keeps(spec),
                    keeps(rust)
                ),
            );
        }
        for name in spec_names.intersection(&rust_names) {
            let is_required = spec_required.contains(*name);
            self.compare(
                &format!("{at}.{name}"),
                spec_props[*name],
                rust_props[*name],
                Some(is_required),
            );
        }
    }
}

/// Every difference between the spec schema and the Rust schema.
fn compare(at: &str, spec_root: &Value, spec: &Value, rust_root: &Value) -> Vec<Mismatch> {
    let mut comparison = Comparison::new(spec_root, rust_root);
    comparison.compare(at, spec, rust_root, None);
    comparison.found
}

/// The specs, by module name: the files of this package's `openapi/` (the
/// copies `cargo xtask codegen` writes of exactly the specs tray-codegen
/// generates; other files of the workspace's `openapi/`, such as Tray's
/// vendored upstream document, are not specs of a module), read from the
/// workspace's `openapi/` when there is one (what build.rs generates from,
/// even before the copies are refreshed).
fn specs() -> BTreeMap<String, Value> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = manifest.join("../..");
    let source: PathBuf = if workspace.join("openapi").is_dir() && workspace.join("xtask").is_dir()
    {
        workspace.join("openapi")
    } else {
        manifest.join("openapi")
    };
    let mut specs = BTreeMap::new();
    for entry in std::fs::read_dir(manifest.join("openapi")).unwrap() {
        let name = entry.unwrap().file_name();
        let name = Path::new(&name);
        if name.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let path = source.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let document: Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let module = name.file_stem().unwrap().to_string_lossy().into_owned();
        specs.insert(module, document);
    }
    assert!(specs.len() >= 4, "specs found: {:?}", specs.keys());
    specs
}

/// Every component schema of every spec, compared with its Rust type.
/// Returns the mismatches (allowed ones included), the problems of the list
/// itself, and how many types were compared.
fn compare_all(specs: &BTreeMap<String, Value>) -> (Vec<Mismatch>, Vec<String>, usize) {
    let rust_schemas = rust_schemas();
    let mut mismatches = Vec::new();
    let mut problems = Vec::new();
    let mut compared = 0;
    let mut used = BTreeSet::new();
    for (module, document) in specs {
        let components = document
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (name, spec_schema) in &components {
            let key = (module.clone(), name.clone());
            let Some(rust_root) = rust_schemas.get(&key) else {
                problems.push(format!(
                    "{module} {name}: a component schema of openapi/{module}.yaml with no Rust \
                     type in tray_api_raw::json_schemas() (run `cargo xtask codegen`)"
                ));
                continue;
            };
            used.insert(key);
            mismatches.extend(compare(
                &format!("{module} {name}"),
                document,
                spec_schema,
                rust_root,
            ));
            compared += 1;
        }
    }
    for (module, name) in rust_schemas.keys() {
        if specs.contains_key(module) && !used.contains(&(module.clone(), name.clone())) {
            problems.push(format!(
                "{module} {name}: in tray_api_raw::json_schemas(), but openapi/{module}.yaml has \
                 no such component schema"
            ));
        }
    }
    (mismatches, problems, compared)
}

fn allowed(mismatch: &Mismatch) -> bool {
    ALLOWED
        .iter()
        .any(|(at, what, _)| mismatch.at == *at && mismatch.what.starts_with(what))
}

#[test]
fn every_generated_type_has_the_schema_its_spec_component_says() {
    let (mismatches, problems, compared) = compare_all(&specs());
    let mut report: Vec<String> = problems;
    report.extend(
        mismatches
            .iter()
            .filter(|m| !allowed(m))
            .map(ToString::to_string),
    );
    for (at, what, reason) in ALLOWED {
        if !mismatches
            .iter()
            .any(|m| m.at == *at && m.what.starts_with(what))
        {
            report.push(format!(
                "stale ALLOWED entry ({at}, {what}): nothing matches it any more ({reason})"
            ));
        }
    }
    assert!(
        report.is_empty(),
        "{} difference(s) between the specs and the generated types' schemas:\n{}",
        report.len(),
        report.join("\n")
    );
    // At least every generated type (a hand-written one counts once per
    // spec that has its component).
    assert_eq!(compared, rust_schemas().len(), "{compared} types compared");
    println!("{compared} component schemas compared with their Rust types");
}

/// A spec and a Rust type for the tests below: `ShareWithEmailsRequest`
/// (required `emails`, an array of strings).
fn share_request() -> (Value, Value) {
    let specs = specs();
    let document = specs["permissions"].clone();
    let rust = schema_of::<tray_api_raw::permissions::types::ShareWithEmailsRequest>();
    (document, rust)
}

#[test]
fn the_comparison_passes_the_real_schema() {
    let (document, rust) = share_request();
    let spec = document
        .pointer("/components/schemas/ShareWithEmailsRequest")
        .unwrap();
    assert_eq!(compare("x", &document, spec, &rust), vec![]);
}

#[test]
fn the_comparison_reports_an_extra_required_property() {
    let (document, rust) = share_request();
    let mut spec = document
        .pointer("/components/schemas/ShareWithEmailsRequest")
        .unwrap()
        .clone();
    spec["required"].as_array_mut().unwrap().push(json!("note"));
    spec["properties"]["note"] = json!({"type": "string"});
    let found: Vec<String> = compare(
        "permissions ShareWithEmailsRequest",
        &document,
        &spec,
        &rust,
    )
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(
        found,
        vec![
            "permissions ShareWithEmailsRequest: property \"note\": in the spec, missing in Rust",
            "permissions ShareWithEmailsRequest: required: spec {\"emails\", \"note\"}, Rust {\"emails\"}",
        ]
    );
}

#[test]
fn the_comparison_reports_types_nullability_formats_and_enum_values() {
    let (document, _) = share_request();
    let spec = json!({
        "type": "object",
        "required": ["id", "count", "status"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "count": {"type": "integer", "nullable": true},
            "status": {"type": "string", "enum": ["Deploying", "Building", "Deployed", "Failed", "Queued"]},
            "tags": {"type": "array", "items": {"type": "integer"}},
        }
    });
    let rust = json!({
        "type": "object",
        "required": ["id", "count", "status"],
        "properties": {
            "id": {"type": "string"},
            "count": {"type": "integer"},
            "status": {"$ref": "#/$defs/DeploymentStatus"},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "$defs": {"DeploymentStatus": schema_of::<tray_api_raw::DeploymentStatus>()},
    });
    let found: Vec<String> = compare("t", &document, &spec, &rust)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        vec![
            "t.count: nullable in the spec, not in Rust",
            "t.id: format: spec \"uuid\", Rust null",
            "t.status: enum: values not known in Rust: [\"Queued\"]",
            "t.tags[]: type: spec integer, Rust string",
        ]
    );
}

#[test]
fn an_open_enum_accepts_any_string_and_lists_the_known_values() {
    let schema = schema_of::<tray_api_raw::DeploymentStatus>();
    assert_eq!(schema["type"], "string");
    assert!(schema.get("enum").is_none(), "{schema}");
    assert_eq!(
        schema["examples"],
        json!(tray_api_raw::DeploymentStatus::KNOWN)
    );
    let description = schema["description"].as_str().unwrap();
    assert!(description.contains("`Building`"), "{description}");
    // A closed enum in its place is reported.
    let (document, _) = share_request();
    let spec = json!({"type": "string", "enum": ["a", "b"]});
    let rust = json!({"type": "string", "enum": ["a", "b"]});
    let found = compare("e", &document, &spec, &rust);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].what.starts_with("closed enum in Rust"),
        "{found:?}"
    );
}

#[test]
fn the_comparison_follows_refs_on_both_sides() {
    // ProjectVersionPage.pageInfo is a $ref to PageInfo in the spec and to
    // $defs/PageInfo in Rust: a required field added to the spec's PageInfo
    // is reported inside ProjectVersionPage.
    let mut document = specs()["projects"].clone();
    let page_info = document
        .pointer_mut("/components/schemas/PageInfo")
        .unwrap();
    page_info["required"]
        .as_array_mut()
        .unwrap()
        .push(json!("total"));
    page_info["properties"]["total"] = json!({"type": "integer"});
    let spec = document
        .pointer("/components/schemas/ProjectVersionPage")
        .unwrap()
        .clone();
    let rust = schema_of::<tray_api_raw::projects::types::ProjectVersionPage>();
    let found: Vec<String> = compare("p", &document, &spec, &rust)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(
        found[0],
        "p.pageInfo: property \"total\": in the spec, missing in Rust"
    );
    assert!(
        found[1].starts_with("p.pageInfo: required: spec {"),
        "{found:#?}"
    );
}

#[test]
fn a_component_without_a_rust_type_is_named() {
    let mut specs = specs();
    specs.get_mut("solutions").unwrap()["components"]["schemas"]["ReleaseNote"] =
        json!({"type": "object", "properties": {"text": {"type": "string"}}});
    specs
        .get_mut("deployments")
        .unwrap()
        .pointer_mut("/components/schemas")
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove("Deployment");
    let (_, problems, _) = compare_all(&specs);
    assert_eq!(
        problems,
        vec![
            "solutions ReleaseNote: a component schema of openapi/solutions.yaml with no Rust \
             type in tray_api_raw::json_schemas() (run `cargo xtask codegen`)",
            "deployments Deployment: in tray_api_raw::json_schemas(), but \
             openapi/deployments.yaml has no such component schema",
        ]
    );
}
