//! Renamed fields during a transition: the spec's `x-tray-aliases`.
//!
//! When Tray renames a property, responses may carry either name for a
//! while. The spec then names the property by its new name and lists the
//! old one on the object schema:
//!
//! ```yaml
//! Deployment:
//!   type: object
//!   x-tray-aliases:
//!     deploymentStatus: [status]   # new name: [old names Tray may still send]
//!   properties:
//!     deploymentStatus: { $ref: '#/components/schemas/DeploymentStatus' }
//! ```
//!
//! and codegen adds `#[serde(alias = "status")]` to the generated field, so
//! both names deserialize into it (serialization always uses the new name).
//! progenitor has no setting for this, so it is applied to the generated
//! syntax tree here; generation fails when an alias names a schema or
//! property that does not exist, or an old name that is still a property.

use openapiv3::{OpenAPI, ReferenceOr, SchemaKind, Type};

/// The object-schema extension that lists the old names of renamed
/// properties: a map from the property's (new) name to its old names.
pub const ALIAS_EXTENSION: &str = "x-tray-aliases";

/// One renamed property of one component schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Alias {
    schema: String,
    property: String,
    old: Vec<String>,
}

/// Every [`ALIAS_EXTENSION`] entry of the document's component schemas.
pub(crate) fn collect(document: &OpenAPI) -> Result<Vec<Alias>, String> {
    let mut aliases = Vec::new();
    let Some(components) = &document.components else {
        return Ok(aliases);
    };
    for (name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let Some(value) = schema.schema_data.extensions.get(ALIAS_EXTENSION) else {
            continue;
        };
        let properties = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => &object.properties,
            _ => {
                return Err(format!(
                    "schema {name}: {ALIAS_EXTENSION} is only for object schemas with properties"
                ));
            }
        };
        let map = value.as_object().ok_or_else(|| {
            format!(
                "schema {name}: {ALIAS_EXTENSION} must map a property name to a list of old names"
            )
        })?;
        for (property, old) in map {
            if !properties.contains_key(property) {
                return Err(format!(
                    "schema {name}: {ALIAS_EXTENSION} names property {property:?}, which the schema does not have"
                ));
            }
            let old: Vec<String> = match old {
                serde_json::Value::String(one) => vec![one.clone()],
                serde_json::Value::Array(many) => many
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned))
                    .collect::<Option<_>>()
                    .ok_or_else(|| {
                        format!(
                            "schema {name}: {ALIAS_EXTENSION}.{property} must be a list of strings"
                        )
                    })?,
                _ => {
                    return Err(format!(
                        "schema {name}: {ALIAS_EXTENSION}.{property} must be a list of strings"
                    ));
                }
            };
            if let Some(clash) = old.iter().find(|o| properties.contains_key(*o)) {
                return Err(format!(
                    "schema {name}: {ALIAS_EXTENSION}.{property} lists {clash:?}, which is still a property of the schema (remove one)"
                ));
            }
            aliases.push(Alias {
                schema: name.clone(),
                property: property.clone(),
                old,
            });
        }
    }
    Ok(aliases)
}

/// Adds `#[serde(alias = "…")]` to each aliased field of the generated
/// `types` module.
pub(crate) fn apply(file: &mut syn::File, aliases: &[Alias]) -> Result<(), String> {
    if aliases.is_empty() {
        return Ok(());
    }
    let types = crate::types_module(file).ok_or("the generated code has no `types` module")?;
    for alias in aliases {
        let item = types
            .iter_mut()
            .find_map(|item| match item {
                syn::Item::Struct(item) if item.ident == alias.schema.as_str() => Some(item),
                _ => None,
            })
            .ok_or_else(|| {
                format!(
                    "{ALIAS_EXTENSION}: no generated struct {} for schema {}",
                    alias.schema, alias.schema
                )
            })?;
        let field = item
            .fields
            .iter_mut()
            .find(|field| wire_name(field).as_deref() == Some(alias.property.as_str()))
            .ok_or_else(|| {
                format!(
                    "{ALIAS_EXTENSION}: the generated struct {} has no field for property {:?}",
                    alias.schema, alias.property
                )
            })?;
        for old in &alias.old {
            let text = format!("#[serde(alias = {old:?})]");
            let attrs = syn::parse::Parser::parse_str(syn::Attribute::parse_outer, &text)
                .map_err(|e| format!("{ALIAS_EXTENSION}: {old:?} is not a usable name: {e}"))?;
            field.attrs.extend(attrs);
        }
    }
    Ok(())
}

/// The JSON name of a generated field: its `#[serde(rename = "…")]`, else
/// its identifier.
fn wire_name(field: &syn::Field) -> Option<String> {
    let mut rename = None;
    for attr in &field.attrs {
        if !attr.path().is_ident("serde") {
            continue;
        }
        // Attributes progenitor writes always parse; one that does not is
        // simply not a rename.
        let _ = attr.parse_nested_meta(|meta| {
            if meta.input.peek(syn::Token![=]) {
                let value: syn::LitStr = meta.value()?.parse()?;
                if meta.path.is_ident("rename") {
                    rename = Some(value.value());
                }
            }
            Ok(())
        });
    }
    rename.or_else(|| field.ident.as_ref().map(ToString::to_string))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn document(schema: &str) -> OpenAPI {
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{schema}"
        );
        serde_yaml::from_str(&text).unwrap()
    }

    const RENAMED: &str = "    Deployment:
      type: object
      x-tray-aliases:
        deploymentStatus: [status, state]
      properties:
        deploymentStatus: {type: string}
        id: {type: string}
";

    #[test]
    fn collects_the_old_names_of_each_property() {
        let aliases = collect(&document(RENAMED)).unwrap();
        assert_eq!(
            aliases,
            vec![Alias {
                schema: "Deployment".into(),
                property: "deploymentStatus".into(),
                old: vec!["status".into(), "state".into()],
            }]
        );
    }

    #[test]
    fn adds_serde_alias_to_the_renamed_field_only() {
        let aliases = collect(&document(RENAMED)).unwrap();
        let mut file: syn::File = syn::parse_str(
            r#"pub mod types {
                pub struct Deployment {
                    #[serde(rename = "deploymentStatus", skip_serializing_if = "Option::is_none")]
                    pub deployment_status: Option<String>,
                    #[serde(default)]
                    pub id: Option<String>,
                }
                pub mod builder { pub struct Deployment { deployment_status: Option<String> } }
            }"#,
        )
        .unwrap();
        apply(&mut file, &aliases).unwrap();
        let code = prettyplease::unparse(&file);
        assert!(code.contains(
            "#[serde(alias = \"status\")]\n        #[serde(alias = \"state\")]\n        pub deployment_status"
        ), "{code}");
        assert_eq!(code.matches("alias").count(), 2, "{code}");
    }

    #[test]
    fn an_alias_of_a_missing_property_fails() {
        let error = collect(&document(
            "    Deployment:
      type: object
      x-tray-aliases: {deploymentState: [status]}
      properties:
        deploymentStatus: {type: string}
",
        ))
        .unwrap_err();
        assert!(error.contains("\"deploymentState\""), "{error}");
        assert!(error.contains("does not have"), "{error}");
    }

    #[test]
    fn an_old_name_that_is_still_a_property_fails() {
        let error = collect(&document(
            "    Deployment:
      type: object
      x-tray-aliases: {deploymentStatus: [id]}
      properties:
        deploymentStatus: {type: string}
        id: {type: string}
",
        ))
        .unwrap_err();
        assert!(error.contains("still a property"), "{error}");
    }

    #[test]
    fn a_struct_missing_from_the_generated_code_fails() {
        let aliases = collect(&document(RENAMED)).unwrap();
        let mut file: syn::File = syn::parse_str("pub mod types { pub struct Other {} }").unwrap();
        let error = apply(&mut file, &aliases).unwrap_err();
        assert!(error.contains("no generated struct Deployment"), "{error}");
    }
}
