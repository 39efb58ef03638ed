//! Open enums from the specs' enum schemas.
//!
//! Every component schema that is `type: string` with `enum:` becomes an
//! open enum of `tray-api-raw` (known variants plus `Unknown(String)`) in the
//! generated `enums.rs`: the enum, `KNOWN`, `as_str` (`Display`) and
//! `From<&str>` (`FromStr`) with one match arm per value, so a value added to
//! the spec shows in each of them in the snapshot diff; `open_enum_common!`
//! adds what does not depend on the values (`is_known`, `From<String>`,
//! serde, the JSON Schema).
//!
//! * the enum's doc comment is the schema's `description`;
//! * each variant's doc comment is its entry in [`DESCRIPTIONS_EXTENSION`]
//!   (`x-enum-descriptions`, a map from wire value to text);
//! * the variant names are the wire values in UpperCamel case
//!   (`in-progress` -> `InProgress`); two values giving one name, or a value
//!   named `Unknown` or `Self`, are an error;
//! * [`TERMINAL_EXTENSION`] (`x-tray-terminal: [Deployed, Failed]`) lists
//!   the values that end a wait: the enum gets `TERMINAL` and
//!   `is_terminal()`.
//!
//! An `enum:` anywhere else (on a property, a parameter, an item) is an
//! error: it would become one of progenitor's closed enums, which fail a
//! whole response on a value Tray adds later. A schema name used in several
//! specs must be the same enum in each (values, descriptions, terminal
//! values), or generation fails naming both files.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde_yaml::Value;

use crate::{CodegenError, Spec};

/// The enum schema extension giving each value's documentation: a map from
/// wire value to text, e.g. `x-enum-descriptions: {Deployed: "Live."}`.
/// A value without an entry is documented by its name only; a key that is
/// not one of the `enum:` values is an error.
pub const DESCRIPTIONS_EXTENSION: &str = "x-enum-descriptions";

/// The enum schema extension listing the values that end a wait, e.g.
/// `x-tray-terminal: [Deployed, Failed]` on `DeploymentStatus`. The
/// generated enum gets a `TERMINAL` constant and an `is_terminal()` method;
/// a value that is not one of the `enum:` values is an error.
pub const TERMINAL_EXTENSION: &str = "x-tray-terminal";

/// One known value of an open enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValue {
    /// The value as Tray sends it.
    pub wire: String,
    /// The Rust variant name (UpperCamel case of the value).
    pub variant: String,
    /// Its documentation from [`DESCRIPTIONS_EXTENSION`], if any.
    pub description: Option<String>,
}

/// An open enum declared by a component schema of one or more specs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenEnum {
    /// The schema (and Rust type) name.
    pub name: String,
    /// The schema's `description`.
    pub description: Option<String>,
    /// The known values, in spec order.
    pub values: Vec<EnumValue>,
    /// The values listed in [`TERMINAL_EXTENSION`], in the order given.
    pub terminal: Vec<String>,
}

/// The open enums one spec declares, in the order of its component schemas,
/// after checking that it has no enum outside a component schema.
pub(crate) fn collect(document: &Value) -> Result<Vec<OpenEnum>, String> {
    let mut inline = Vec::new();
    find_inline(document, &mut Vec::new(), false, &mut inline);
    if let Some(location) = inline.first() {
        return Err(format!(
            "an inline `enum:` at {location}: progenitor would make it a closed enum, which fails a whole \
             response on a value Tray adds later. Move it to a component schema (`components.schemas.NAME` \
             with `type: string` and the `enum:`) and `$ref` it, so it becomes an open enum{}",
            if inline.len() > 1 {
                format!(" (also at {})", inline[1..].join(", "))
            } else {
                String::new()
            }
        ));
    }
    let Some(schemas) = document
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_mapping)
    else {
        return Ok(Vec::new());
    };
    let mut enums = Vec::new();
    for (name, schema) in schemas {
        let Some(name) = name.as_str() else {
            continue;
        };
        if let Some(open) = open_enum(name, schema)? {
            enums.push(open);
        }
    }
    Ok(enums)
}

/// The open enum of one component schema, if it has `enum:`.
fn open_enum(name: &str, schema: &Value) -> Result<Option<OpenEnum>, String> {
    let Some(values) = schema.get("enum") else {
        for extension in [DESCRIPTIONS_EXTENSION, TERMINAL_EXTENSION] {
            if schema.get(extension).is_some() {
                return Err(format!("schema {name}: {extension} without `enum:`"));
            }
        }
        return Ok(None);
    };
    if schema.get("type").and_then(Value::as_str) != Some("string") {
        return Err(format!(
            "schema {name}: an `enum:` needs `type: string` (open enums are string enums)"
        ));
    }
    let Some(values) = values.as_sequence() else {
        return Err(format!("schema {name}: `enum:` is not a list"));
    };
    let descriptions = match schema.get(DESCRIPTIONS_EXTENSION) {
        None => BTreeMap::new(),
        Some(map) => string_map(map).ok_or_else(|| {
            format!("schema {name}: {DESCRIPTIONS_EXTENSION} is not a map of value to text")
        })?,
    };
    let mut known: Vec<EnumValue> = Vec::with_capacity(values.len());
    for value in values {
        let Some(wire) = value.as_str() else {
            return Err(format!(
                "schema {name}: enum value {} is not a string (quote it)",
                display(value)
            ));
        };
        let variant = variant_name(wire).ok_or_else(|| {
            format!("schema {name}: enum value {wire:?} gives no Rust variant name")
        })?;
        if variant == "Unknown" || variant == "Self" {
            return Err(format!(
                "schema {name}: enum value {wire:?} would be the variant `{variant}`, which the open enum reserves"
            ));
        }
        if let Some(other) = known.iter().find(|v| v.variant == variant) {
            let what = if other.wire == wire {
                "is listed twice".to_owned()
            } else {
                format!("and {:?} both become the variant `{variant}`", other.wire)
            };
            return Err(format!("schema {name}: enum value {wire:?} {what}"));
        }
        known.push(EnumValue {
            wire: wire.to_owned(),
            variant,
            description: descriptions.get(wire).cloned(),
        });
    }
    if let Some(stray) = descriptions
        .keys()
        .find(|key| !known.iter().any(|v| &v.wire == *key))
    {
        return Err(format!(
            "schema {name}: {DESCRIPTIONS_EXTENSION} describes {stray:?}, which is not in its `enum:`"
        ));
    }
    let terminal = match schema.get(TERMINAL_EXTENSION) {
        None => Vec::new(),
        Some(list) => {
            let list = list.as_sequence().ok_or_else(|| {
                format!("schema {name}: {TERMINAL_EXTENSION} is not a list of enum values")
            })?;
            let mut terminal: Vec<String> = Vec::with_capacity(list.len());
            for value in list {
                let Some(value) = value
                    .as_str()
                    .filter(|v| known.iter().any(|k| k.wire == *v))
                else {
                    return Err(format!(
                        "schema {name}: {TERMINAL_EXTENSION} lists {}, which is not in its `enum:` ({})",
                        display(value),
                        known
                            .iter()
                            .map(|k| k.wire.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                };
                if terminal.iter().any(|t| t == value) {
                    return Err(format!(
                        "schema {name}: {TERMINAL_EXTENSION} lists {value:?} twice"
                    ));
                }
                terminal.push(value.to_owned());
            }
            terminal
        }
    };
    Ok(Some(OpenEnum {
        name: name.to_owned(),
        description: schema
            .get("description")
            .and_then(Value::as_str)
            .map(|d| d.trim().to_owned()),
        values: known,
        terminal,
    }))
}

fn string_map(value: &Value) -> Option<BTreeMap<String, String>> {
    value
        .as_mapping()?
        .iter()
        .map(|(k, v)| Some((k.as_str()?.to_owned(), v.as_str()?.trim().to_owned())))
        .collect()
}

fn display(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        other => serde_yaml::to_string(other)
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|_| "a value".to_owned()),
    }
}

/// The Rust variant name of a wire value: UpperCamel case, words split at
/// anything that is not an ASCII letter or digit. An all-capitals word is
/// lowered after its first letter (`IN_PROGRESS` -> `InProgress`); a mixed
/// word keeps its capitals (`SlotMadeToSkipCTA` stays). A name that would
/// start with a digit gets a `Value` prefix.
pub fn variant_name(wire: &str) -> Option<String> {
    let mut name = String::with_capacity(wire.len());
    for word in wire
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let all_caps = word.chars().all(|c| !c.is_ascii_lowercase());
        for (i, c) in word.chars().enumerate() {
            match (i, all_caps) {
                (0, _) => name.push(c.to_ascii_uppercase()),
                (_, true) => name.push(c.to_ascii_lowercase()),
                (_, false) => name.push(c),
            }
        }
    }
    match name.chars().next() {
        None => None,
        Some(c) if c.is_ascii_digit() => Some(format!("Value{name}")),
        Some(_) => Some(name),
    }
}

/// Keys whose value is a map from names (property names, paths, status
/// codes, media types, component names) to objects, not a schema's
/// keywords.
const NAME_MAPS: &[&str] = &[
    "properties",
    "schemas",
    "paths",
    "responses",
    "content",
    "headers",
    "parameters",
    "requestBodies",
    "securitySchemes",
    "patternProperties",
];

/// Collect the location of every `enum:` that is not the top level of a
/// component schema. Examples and extensions are not walked.
fn find_inline(value: &Value, path: &mut Vec<String>, names: bool, found: &mut Vec<String>) {
    match value {
        Value::Mapping(map) => {
            for (key, child) in map {
                let Some(key) = key.as_str() else {
                    continue;
                };
                if !names {
                    if key == "example" || key == "examples" || key.starts_with("x-") {
                        continue;
                    }
                    if key == "enum" && child.is_sequence() {
                        let component =
                            path.len() == 3 && path[0] == "components" && path[1] == "schemas";
                        if !component {
                            found.push(path.join("."));
                        }
                        continue;
                    }
                }
                path.push(key.to_owned());
                find_inline(child, path, !names && NAME_MAPS.contains(&key), found);
                path.pop();
            }
        }
        Value::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                if let Some(last) = path.last_mut() {
                    let saved = last.clone();
                    last.push_str(&format!("[{i}]"));
                    find_inline(item, path, false, found);
                    if let Some(last) = path.last_mut() {
                        *last = saved;
                    }
                }
            }
        }
        Value::Tagged(tagged) => find_inline(&tagged.value, path, names, found),
        _ => {}
    }
}

/// Merge the open enums of every spec: one per name, in spec order. A name
/// declared in two specs must be the same enum in both.
pub(crate) fn merge(
    per_spec: Vec<(PathBuf, Vec<OpenEnum>)>,
) -> Result<Vec<(OpenEnum, Vec<PathBuf>)>, CodegenError> {
    let mut merged: Vec<(OpenEnum, Vec<PathBuf>)> = Vec::new();
    for (path, enums) in per_spec {
        for open in enums {
            match merged.iter_mut().find(|(known, _)| known.name == open.name) {
                None => merged.push((open, vec![path.clone()])),
                Some((known, paths)) => {
                    if let Some(difference) = difference(known, &open) {
                        return Err(CodegenError::EnumMismatch {
                            schema: open.name,
                            first: paths.first().cloned().unwrap_or_default(),
                            second: path,
                            difference,
                        });
                    }
                    paths.push(path.clone());
                }
            }
        }
    }
    Ok(merged)
}

fn difference(a: &OpenEnum, b: &OpenEnum) -> Option<String> {
    let wires = |e: &OpenEnum| e.values.iter().map(|v| v.wire.clone()).collect::<Vec<_>>();
    if wires(a) != wires(b) {
        let only = |x: &OpenEnum, y: &OpenEnum| {
            wires(x)
                .into_iter()
                .filter(|w| !y.values.iter().any(|v| &v.wire == w))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Some(format!(
            "the `enum:` values differ (only in the first: [{}]; only in the second: [{}]; \
             or the order differs)",
            only(a, b),
            only(b, a)
        ));
    }
    if a.terminal != b.terminal {
        return Some(format!("{TERMINAL_EXTENSION} differs"));
    }
    if a.values
        .iter()
        .zip(&b.values)
        .any(|(x, y)| x.description != y.description)
    {
        return Some(format!("{DESCRIPTIONS_EXTENSION} differs"));
    }
    if a.description != b.description {
        return Some("the `description` differs".to_owned());
    }
    None
}

/// The text of the generated `enums.rs`.
pub(crate) fn render(enums: &[(OpenEnum, Vec<PathBuf>)], specs: &[Spec]) -> String {
    let mut out = format!(
        "// @generated by tray-codegen from the enum schemas of {}. Do not edit: change the spec and run `cargo xtask codegen`.\n",
        specs.iter().map(|s| s.path).collect::<Vec<_>>().join(", ")
    );
    for (open, paths) in enums {
        let files = paths
            .iter()
            .filter_map(|p| specs.iter().find(|s| p.ends_with(s.path)).map(|s| s.path))
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ");
        out.push('\n');
        match &open.description {
            Some(description) => doc(&mut out, "", description),
            None => doc(
                &mut out,
                "",
                &format!("The `{}` values of the spec.", open.name),
            ),
        }
        doc(&mut out, "", "");
        doc(
            &mut out,
            "",
            &format!("Generated from the schema `{}` of {files}.", open.name),
        );
        let _ = write!(
            out,
            "///\n\
             /// `#[non_exhaustive]`: a value the spec adds later becomes a new variant\n\
             /// without breaking a `match` (which needs a `_` arm).\n\
             ///\n\
             /// ```\n\
             /// use tray_api_raw::{name};\n\
             ///\n\
             /// // Every value the spec documents round-trips through its text.\n\
             /// for value in {name}::KNOWN {{\n\
             ///     let known: {name} = value.parse().unwrap();\n\
             ///     assert!(known.is_known());\n\
             ///     assert_eq!(known.to_string(), *value);\n\
             /// }}\n\
             /// // A value Tray adds later is kept, not an error.\n\
             /// let new: {name} = serde_json::from_str(r#\"\"AValueTrayAddsLater\"\"#).unwrap();\n\
             /// assert_eq!(new, {name}::Unknown(\"AValueTrayAddsLater\".into()));\n\
             /// assert!(!new.is_known());\n\
             /// assert_eq!(serde_json::to_string(&new).unwrap(), r#\"\"AValueTrayAddsLater\"\"#);\n\
             /// ```\n\
             #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]\n\
             #[non_exhaustive]\n\
             pub enum {name} {{\n",
            name = open.name
        );
        for value in &open.values {
            match &value.description {
                Some(text) => doc(&mut out, "    ", text),
                None => doc(&mut out, "    ", &format!("`{}`.", value.wire)),
            }
            let _ = writeln!(out, "    {},", value.variant);
        }
        let known = open
            .values
            .iter()
            .map(|v| format!("{:?}", v.wire))
            .collect::<Vec<_>>()
            .join(", ");
        // One match arm per value, in spec order.
        let arms = |arm: &dyn Fn(&EnumValue) -> String| -> String {
            open.values
                .iter()
                .map(|value| format!("            {},\n", arm(value)))
                .collect()
        };
        let _ = write!(
            out,
            "    /// A value this version of the library does not know, kept verbatim.\n    \
             Unknown(String),\n}}\n\n\
             impl {name} {{\n    \
             /// Every value the spec documents, in spec order.\n    \
             pub const KNOWN: &'static [&'static str] = &[{known}];\n\n    \
             /// The value as Tray spells it: what `Display` and serde write.\n    \
             pub fn as_str(&self) -> &str {{\n        \
             match self {{\n\
             {as_str_arms}            \
             Self::Unknown(value) => value,\n        }}\n    }}\n}}\n\n\
             /// The variant for a value as Tray spells it: what `FromStr` and serde read.\n\
             /// Any other value is kept as `Unknown`.\n\
             impl From<&str> for {name} {{\n    \
             fn from(value: &str) -> Self {{\n        \
             match value {{\n\
             {from_arms}            \
             other => Self::Unknown(other.to_owned()),\n        }}\n    }}\n}}\n\n\
             impl std::fmt::Display for {name} {{\n    \
             fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{\n        \
             f.write_str(self.as_str())\n    }}\n}}\n\n\
             impl std::str::FromStr for {name} {{\n    \
             type Err = std::convert::Infallible;\n\n    \
             fn from_str(value: &str) -> Result<Self, Self::Err> {{\n        \
             Ok(Self::from(value))\n    }}\n}}\n\n\
             open_enum_common!({name});\n",
            name = open.name,
            as_str_arms = arms(&|v| format!("Self::{} => {:?}", v.variant, v.wire)),
            from_arms = arms(&|v| format!("{:?} => Self::{}", v.wire, v.variant)),
        );
        if !open.terminal.is_empty() {
            let variants: Vec<String> = open
                .terminal
                .iter()
                .filter_map(|t| open.values.iter().find(|v| &v.wire == t))
                .map(|v| format!("Self::{}", v.variant))
                .collect();
            let listed = open
                .terminal
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = write!(
                out,
                "\nimpl {name} {{\n    \
                 /// The values that end a wait ({listed}), from the spec's `{TERMINAL_EXTENSION}`.\n    \
                 pub const TERMINAL: &'static [Self] = &[{list}];\n\n    \
                 /// Whether this value ends a wait ({listed}): polling can stop. A value\n    \
                 /// this library does not know is not terminal.\n    \
                 ///\n    \
                 /// ```\n    \
                 /// use tray_api_raw::{name};\n    \
                 /// assert!({name}::TERMINAL.iter().all({name}::is_terminal));\n    \
                 /// assert!({name}::{first}.is_terminal());\n    \
                 /// assert!(!{name}::from(\"AValueTrayAddsLater\").is_terminal());\n    \
                 /// ```\n    \
                 pub fn is_terminal(&self) -> bool {{\n        \
                 matches!(self, {pattern})\n    }}\n}}\n",
                name = open.name,
                first = variants
                    .first()
                    .map_or("", |v| v.trim_start_matches("Self::")),
                list = variants.join(", "),
                pattern = variants.join(" | "),
            );
        }
    }
    out
}

/// Append `text` as `///` lines with the given indent.
pub(crate) fn doc(out: &mut String, indent: &str, text: &str) {
    if text.is_empty() {
        let _ = writeln!(out, "{indent}///");
        return;
    }
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn variant_names_from_values() {
        for (wire, name) in [
            ("Deployed", "Deployed"),
            ("SlotMadeToSkipCTA", "SlotMadeToSkipCTA"),
            (
                "AuthSlotReferencedByDLLFieldChanged",
                "AuthSlotReferencedByDLLFieldChanged",
            ),
            ("in-progress", "InProgress"),
            ("IN_PROGRESS", "InProgress"),
            ("queued", "Queued"),
            ("rate limited", "RateLimited"),
            ("2fa", "Value2fa"),
            ("v1.2", "V12"),
        ] {
            assert_eq!(variant_name(wire).as_deref(), Some(name), "{wire}");
        }
        assert_eq!(variant_name("--"), None);
        assert_eq!(variant_name(""), None);
    }

    fn spec(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn an_inline_enum_is_an_error_naming_where_it_is() {
        let doc = spec(
            "paths:\n  /x:\n    get:\n      parameters:\n        - name: state\n          in: query\n          schema:\n            type: string\n            enum: [a, b]\ncomponents:\n  schemas:\n    Thing:\n      type: object\n      properties:\n        enum:\n          type: string\n        kind:\n          type: string\n          enum: [x]\n      example:\n        kind: {enum: [not, a, schema]}\n",
        );
        let error = collect(&doc).unwrap_err();
        assert!(
            error.contains("paths./x.get.parameters[0].schema"),
            "{error}"
        );
        assert!(
            error.contains("components.schemas.Thing.properties.kind"),
            "{error}"
        );
        assert!(error.contains("component schema"), "{error}");
        assert!(!error.contains("example"), "{error}");
    }

    #[test]
    fn values_and_extensions_are_checked() {
        let base = "components:\n  schemas:\n    Status:\n      type: string\n      description: A status.\n      enum: [Running, Done, in-progress]\n";
        let enums = collect(&spec(base)).unwrap();
        assert_eq!(enums.len(), 1);
        let names: Vec<_> = enums[0].values.iter().map(|v| v.variant.as_str()).collect();
        assert_eq!(names, ["Running", "Done", "InProgress"]);

        for (extra, expected) in [
            (
                "      x-tray-terminal: [Done, Gone]\n",
                "x-tray-terminal lists \"Gone\", which is not in its `enum:`",
            ),
            (
                "      x-tray-terminal: [Done, Done]\n",
                "lists \"Done\" twice",
            ),
            (
                "      x-enum-descriptions: {Gone: text}\n",
                "describes \"Gone\"",
            ),
        ] {
            let error = collect(&spec(&format!("{base}{extra}"))).unwrap_err();
            assert!(error.contains(expected), "{error}");
        }
        for (values, expected) in [
            (
                "[Done, DONE]",
                "\"DONE\" and \"Done\" both become the variant `Done`",
            ),
            ("[Done, Done]", "\"Done\" is listed twice"),
            ("[Done, unknown]", "reserves"),
            ("[Done, 1]", "not a string"),
        ] {
            let text = base.replace("[Running, Done, in-progress]", values);
            let error = collect(&spec(&text)).unwrap_err();
            assert!(error.contains(expected), "{values}: {error}");
        }
        let error = collect(&spec(&base.replace("type: string", "type: integer"))).unwrap_err();
        assert!(error.contains("type: string"), "{error}");
    }
}
