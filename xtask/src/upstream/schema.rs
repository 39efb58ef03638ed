//! Schemas normalised to one comparable [`Shape`], whichever OpenAPI version
//! wrote them.
//!
//! * Local `$ref`s are resolved (a `$ref` already being resolved further up
//!   is cut, so cycles end); a `$ref` with sibling keywords (3.1) is merged
//!   with them like an `allOf`.
//! * 3.1 `type: [x, "null"]`, `type: "null"`, a `null` enum value and a
//!   `{type: "null"}` branch of a `oneOf`/`anyOf` all mean what 3.0's
//!   `nullable: true` means.
//! * `allOf` branches are merged; a `oneOf`/`anyOf` of plain types is the
//!   union of those types, and a union of every JSON type is "any".
//! * `properties` (or `required`) without `type: object` is an object, and
//!   `items` without `type: array` an array (Tray's published document
//!   leaves the type out).
//! * `format` is kept as written (`date-time`, `uuid`, …), read through
//!   `$ref`, `allOf` and null unions like the type.
//! * `additionalProperties` is kept as [`Extra`]: absent is "not declared",
//!   `false` forbids, `true` and `{}` allow any value, a schema allows values
//!   of its type.
//! * Descriptions, examples, titles and defaults are not compared.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// A schema reduced to what `upstream-diff` compares.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Shape {
    /// JSON types accepted (`string`, `integer`, `object`, …); empty means
    /// any value.
    pub types: BTreeSet<String>,
    /// `null` is accepted too.
    pub nullable: bool,
    /// The allowed values, rendered as JSON, when the schema has an enum.
    pub enum_values: Option<BTreeSet<String>>,
    /// Object properties.
    pub properties: BTreeMap<String, Shape>,
    /// Required property names.
    pub required: BTreeSet<String>,
    /// Array items.
    pub items: Option<Box<Shape>>,
    /// The `format` (`date-time`, `uuid`, …), if any.
    pub format: Option<String>,
    /// What `additionalProperties` says.
    pub extra: Extra,
    /// Set where a `$ref` was not followed: a cycle (`recursive`), or a
    /// reference that does not resolve in its document.
    pub cut: Option<Cut>,
}

/// What an object's `additionalProperties` says.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum Extra {
    /// Absent.
    #[default]
    NotDeclared,
    /// `false`.
    Forbidden,
    /// `true`, `{}` or a schema: other properties are allowed, with values
    /// of this shape (any value for `true` and `{}`).
    Allowed(Box<Shape>),
}

impl Extra {
    /// As the report prints it: `not declared`, `false`, `any`, `string`, …
    pub fn text(&self) -> String {
        match self {
            Self::NotDeclared => "not declared".to_owned(),
            Self::Forbidden => "false".to_owned(),
            Self::Allowed(shape) => shape.type_text(),
        }
    }

    /// Are properties other than the declared ones allowed?
    pub fn allows(&self) -> bool {
        matches!(self, Self::Allowed(_))
    }
}

/// Why a [`Shape`] was not expanded.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cut {
    /// The `$ref` is already being resolved further up (a cycle).
    Recursive(String),
    /// The `$ref` does not resolve.
    Unresolved(String),
}

/// The JSON types that together accept any (non-null) value.
const EVERY_TYPE: [&str; 5] = ["array", "boolean", "number", "object", "string"];

impl Shape {
    /// The type as the report prints it: `string`, `string or null`,
    /// `integer or string`, `any`.
    pub fn type_text(&self) -> String {
        if let Some(cut) = &self.cut {
            return match cut {
                Cut::Recursive(name) => format!("recursive {name}"),
                Cut::Unresolved(name) => format!("unresolved $ref {name}"),
            };
        }
        if self.types.is_empty() {
            return "any".to_owned();
        }
        let mut text = self.types.iter().cloned().collect::<Vec<_>>().join(" or ");
        if self.nullable {
            text.push_str(" or null");
        }
        text
    }

    /// The enum values as the report prints them.
    pub fn enum_text(&self) -> String {
        match &self.enum_values {
            None => "none".to_owned(),
            Some(values) => values.iter().cloned().collect::<Vec<_>>().join(", "),
        }
    }

    /// The format as the report prints it: `missing` when there is none.
    pub fn format_text(&self) -> String {
        self.format.clone().unwrap_or_else(|| "missing".to_owned())
    }

    /// Does this shape hold properties worth comparing?
    pub fn is_object(&self) -> bool {
        self.types.contains("object") || !self.properties.is_empty()
    }

    /// Does this shape describe an array?
    pub fn is_array(&self) -> bool {
        self.types.contains("array") || self.items.is_some()
    }

    fn merge(&mut self, other: Shape) {
        if self.cut.is_none() {
            self.cut = other.cut;
        }
        if self.types.is_empty() {
            self.types = other.types;
        } else if !other.types.is_empty() {
            let common: BTreeSet<String> = self.types.intersection(&other.types).cloned().collect();
            if !common.is_empty() {
                self.types = common;
            }
        }
        self.nullable = self.nullable || other.nullable;
        if self.enum_values.is_none() {
            self.enum_values = other.enum_values;
        }
        if self.format.is_none() {
            self.format = other.format;
        }
        if self.extra == Extra::NotDeclared {
            self.extra = other.extra;
        }
        for (name, shape) in other.properties {
            match self.properties.get_mut(&name) {
                Some(existing) => existing.merge(shape),
                None => {
                    self.properties.insert(name, shape);
                }
            }
        }
        self.required.extend(other.required);
        match (&mut self.items, other.items) {
            (Some(mine), Some(theirs)) => mine.merge(*theirs),
            (mine @ None, theirs) => *mine = theirs,
            _ => {}
        }
    }
}

/// Builds [`Shape`]s from the schemas of one document.
pub(crate) struct Resolver<'a> {
    root: &'a Value,
    /// `$ref`s being resolved, innermost last.
    stack: Vec<String>,
}

impl<'a> Resolver<'a> {
    /// A resolver for the schemas of `root` (a whole OpenAPI document).
    pub fn new(root: &'a Value) -> Self {
        Self {
            root,
            stack: Vec::new(),
        }
    }

    /// Follow a local `$ref` (`#/components/...`): `None` for a reference to
    /// another file or one that does not resolve.
    pub fn pointer(&self, reference: &str) -> Option<&'a Value> {
        let pointer = reference.strip_prefix('#')?;
        self.root.pointer(pointer)
    }

    /// Follow `$ref`s until the value is not a reference (parameters,
    /// responses, request bodies). A cycle or a dangling reference gives
    /// `None`.
    pub fn deref(&self, mut value: &'a Value) -> Option<&'a Value> {
        let mut seen = Vec::new();
        while let Some(reference) = value.get("$ref").and_then(Value::as_str) {
            if seen.contains(&reference) {
                return None;
            }
            seen.push(reference);
            value = self.pointer(reference)?;
        }
        Some(value)
    }

    /// The normalised shape of `schema`.
    pub fn shape(&mut self, schema: &'a Value) -> Shape {
        let Some(object) = schema.as_object() else {
            // `true` / `false` schemas (3.1) and anything odd: any value.
            return Shape::default();
        };
        let mut shape = Shape::default();
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            shape = self.reference(reference);
        }
        for key in ["allOf"] {
            for branch in object
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let branch = self.shape(branch);
                shape.merge(branch);
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = object.get(key).and_then(Value::as_array) {
                let union = self.union(branches);
                shape.merge(union);
            }
        }
        shape.merge(self.own(object));
        shape
    }

    fn reference(&mut self, reference: &str) -> Shape {
        if self.stack.iter().any(|r| r == reference) {
            return Shape {
                cut: Some(Cut::Recursive(reference.to_owned())),
                ..Shape::default()
            };
        }
        let Some(target) = self.pointer(reference) else {
            return Shape {
                cut: Some(Cut::Unresolved(reference.to_owned())),
                ..Shape::default()
            };
        };
        self.stack.push(reference.to_owned());
        let shape = self.shape(target);
        self.stack.pop();
        shape
    }

    /// A `oneOf` / `anyOf`.
    fn union(&mut self, branches: &'a [Value]) -> Shape {
        let mut nullable = false;
        let mut rest = Vec::new();
        for branch in branches {
            let shape = self.shape(branch);
            if shape.types.len() == 1 && shape.types.contains("null") {
                nullable = true;
            } else {
                rest.push(shape);
            }
        }
        let mut union = match rest.len() {
            0 => Shape::default(),
            1 => rest.remove(0),
            _ => {
                let mut union = Shape::default();
                let mut first = true;
                for shape in rest {
                    if shape.types.is_empty() && shape.cut.is_none() {
                        // One branch accepts anything: so does the union.
                        return Shape::default();
                    }
                    union.types.extend(shape.types.iter().cloned());
                    union.nullable |= shape.nullable;
                    if first {
                        union.required = shape.required.clone();
                    } else {
                        union.required = union
                            .required
                            .intersection(&shape.required)
                            .cloned()
                            .collect();
                    }
                    first = false;
                    let others = Shape {
                        properties: shape.properties,
                        items: shape.items,
                        ..Shape::default()
                    };
                    let required = std::mem::take(&mut union.required);
                    union.merge(others);
                    union.required = required;
                }
                if union.types.contains("integer") && union.types.contains("number") {
                    union.types.remove("integer");
                }
                if EVERY_TYPE.iter().all(|t| {
                    union.types.contains(*t) || (*t == "number" && union.types.contains("integer"))
                }) {
                    return Shape::default();
                }
                union
            }
        };
        union.nullable |= nullable;
        union
    }

    /// The keywords of the schema object itself.
    fn own(&mut self, object: &'a serde_json::Map<String, Value>) -> Shape {
        let mut shape = Shape::default();
        match object.get("type") {
            Some(Value::String(t)) => {
                shape.types.insert(t.clone());
            }
            Some(Value::Array(types)) => {
                for t in types.iter().filter_map(Value::as_str) {
                    shape.types.insert(t.to_owned());
                }
            }
            _ => {}
        }
        if shape.types.remove("null") {
            shape.nullable = true;
            if shape.types.is_empty() {
                // `type: "null"` alone.
                shape.types.insert("null".to_owned());
            }
        }
        if object.get("nullable").and_then(Value::as_bool) == Some(true) {
            shape.nullable = true;
        }
        let values = object
            .get("enum")
            .and_then(Value::as_array)
            .cloned()
            .or_else(|| object.get("const").map(|v| vec![v.clone()]));
        if let Some(values) = values {
            let mut set = BTreeSet::new();
            for value in values {
                if value.is_null() {
                    shape.nullable = true;
                } else {
                    set.insert(value.to_string());
                }
            }
            shape.enum_values = Some(set);
        }
        if let Some(properties) = object.get("properties").and_then(Value::as_object) {
            for (name, schema) in properties {
                let property = self.shape(schema);
                shape.properties.insert(name.clone(), property);
            }
        }
        if let Some(required) = object.get("required").and_then(Value::as_array) {
            shape.required = required
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
        }
        if let Some(items) = object.get("items") {
            shape.items = Some(Box::new(self.shape(items)));
        }
        shape.format = object
            .get("format")
            .and_then(Value::as_str)
            .map(str::to_owned);
        match object.get("additionalProperties") {
            None => {}
            Some(Value::Bool(false)) => shape.extra = Extra::Forbidden,
            Some(schema) => shape.extra = Extra::Allowed(Box::new(self.shape(schema))),
        }
        if shape.types.is_empty() {
            if object.contains_key("properties") || object.contains_key("required") {
                shape.types.insert("object".to_owned());
            } else if object.contains_key("items") {
                shape.types.insert("array".to_owned());
            }
        }
        shape
    }
}

/// `"a"`, `"a.b"`, `"a[]"`, `"a[].b"`: where a nested value sits.
pub(crate) fn child_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}
