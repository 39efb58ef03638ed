//! Derives progenitor cannot be told to emit behind a cargo feature.
//!
//! progenitor 0.15's `GenerationSettings::with_derive` adds a derive to
//! every type unconditionally, and typify's per-type patches need every type
//! name in advance (inline schemas included). So the parsed file is
//! post-processed instead: every struct and enum of the generated `types`
//! module that derives serde gets
//! `#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]`.
//! The builder types (`types::builder`) and everything outside `types` are
//! left alone.

/// Add the feature-gated `schemars::JsonSchema` derive to every serde type
/// of the file's `types` module. Returns how many types got it.
///
/// ```
/// let mut file: syn::File = syn::parse_str(
///     "pub mod types {
///         #[derive(::serde::Deserialize, ::serde::Serialize, Clone)]
///         pub struct Thing { pub id: String }
///         pub mod builder {
///             #[derive(Clone, Debug)]
///             pub struct Thing { id: Result<String, String> }
///         }
///     }",
/// )
/// .unwrap();
/// assert_eq!(tray_codegen::add_schemars_derives(&mut file), 1);
/// let code = prettyplease::unparse(&file);
/// assert!(code.contains(r#"#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]"#));
/// ```
pub fn add_schemars_derives(file: &mut syn::File) -> usize {
    let mut count = 0;
    for item in crate::types_module(file).into_iter().flatten() {
        let attrs = match item {
            syn::Item::Struct(item) => &mut item.attrs,
            syn::Item::Enum(item) => &mut item.attrs,
            _ => continue,
        };
        if derives_serde(attrs) {
            attrs.push(schemars_attr());
            count += 1;
        }
    }
    count
}

/// Whether one of the attributes is a `derive(...)` naming serde's
/// `Serialize` or `Deserialize`.
fn derives_serde(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("derive") && {
            let tokens = match &attr.meta {
                syn::Meta::List(list) => list.tokens.to_string(),
                _ => String::new(),
            };
            tokens.contains("Serialize") || tokens.contains("Deserialize")
        }
    })
}

/// Adds the component tables to a generated module: for each component
/// schema of the spec, in spec order, its name and the Rust type that stands
/// for it (a generated `types::X`, or the `crate::X` replacing it), as
///
/// * `ROUND_TRIPS`: a function that deserializes a JSON value as that type
///   and serializes it back (`crate::round_trip::<T>`), which `cargo xtask
///   lint` runs every example and fixture through;
/// * `JSON_SCHEMAS`, behind the `schemars` feature: a function giving the
///   type's JSON Schema.
///
/// Both are complete by construction; a component whose generated type
/// cannot be found fails generation, naming it.
pub(crate) fn add_component_tables(
    file: &mut syn::File,
    components: &[String],
    replaced: &[String],
) -> Result<(), String> {
    use heck::ToUpperCamelCase;
    let types: std::collections::BTreeSet<String> = crate::types_module(file)
        .into_iter()
        .flatten()
        .filter_map(|item| match item {
            syn::Item::Struct(item) => Some(item.ident.to_string()),
            syn::Item::Enum(item) => Some(item.ident.to_string()),
            _ => None,
        })
        .collect();
    let mut round_trips = String::new();
    let mut schemas = String::new();
    for name in components {
        let path = if replaced.contains(name) {
            format!("crate::{name}")
        } else {
            let ident = name.to_upper_camel_case();
            if !types.contains(&ident) {
                return Err(format!(
                    "component schema {name}: no generated type {ident} in `types` for the component tables"
                ));
            }
            format!("types::{ident}")
        };
        round_trips.push_str(&format!("({name:?}, crate::round_trip::<{path}>),"));
        schemas.push_str(&format!("({name:?}, crate::schema::schema_of::<{path}>),"));
    }
    for text in [
        format!(
            "/// For each component schema of this spec, in spec order: its name and\n\
             /// a round trip through the Rust type that stands for it (see\n\
             /// [`crate::round_trip`]).\n\
             pub const ROUND_TRIPS: &[(&str, crate::RoundTrip)] = &[{round_trips}];"
        ),
        format!(
            "/// For each component schema of this spec, in spec order: its name and\n\
             /// the JSON Schema of the Rust type that stands for it (feature `schemars`).\n\
             #[cfg(feature = \"schemars\")]\n\
             pub const JSON_SCHEMAS: &[(&str, fn() -> ::schemars::Schema)] = &[{schemas}];"
        ),
    ] {
        let item: syn::Item =
            syn::parse_str(&text).map_err(|e| format!("component tables: {e}"))?;
        file.items.push(item);
    }
    Ok(())
}

fn schemars_attr() -> syn::Attribute {
    syn::parse_quote!(#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::{add_component_tables, add_schemars_derives};

    #[test]
    fn component_tables_list_every_component_and_name_a_missing_type() {
        let source = "pub mod types { pub struct Body {} pub enum Kind { A } }";
        let mut file: syn::File = syn::parse_str(source).unwrap();
        let components = ["Body", "Kind", "ApiError"].map(String::from);
        add_component_tables(&mut file, &components, &["ApiError".to_owned()]).unwrap();
        let code = prettyplease::unparse(&file);
        assert!(code.contains("pub const JSON_SCHEMAS"), "{code}");
        assert!(code.contains("pub const ROUND_TRIPS"), "{code}");
        for row in [
            r#"("Body", crate::schema::schema_of::<types::Body>)"#,
            r#"("Kind", crate::schema::schema_of::<types::Kind>)"#,
            r#"("ApiError", crate::schema::schema_of::<crate::ApiError>)"#,
            r#"("Body", crate::round_trip::<types::Body>)"#,
            r#"("Kind", crate::round_trip::<types::Kind>)"#,
            r#"("ApiError", crate::round_trip::<crate::ApiError>)"#,
        ] {
            assert!(code.contains(row), "{row} missing in {code}");
        }

        let mut file: syn::File = syn::parse_str(source).unwrap();
        let error =
            add_component_tables(&mut file, &["Body".into(), "Missing".into()], &[]).unwrap_err();
        assert!(error.contains("component schema Missing"), "{error}");
    }

    #[test]
    fn only_serde_types_of_the_types_module_get_the_derive() {
        let mut file: syn::File = syn::parse_str(
            "#[derive(::serde::Serialize)]
            pub struct OutsideTypes;
            pub mod types {
                #[derive(::serde::Deserialize, Clone)]
                pub enum Kind { A, B }
                #[derive(Clone, Debug)]
                pub struct NotSerde;
                #[derive(::serde::Serialize)]
                pub struct Body { pub a: Kind }
                pub mod builder {
                    #[derive(::serde::Serialize)]
                    pub struct Body;
                }
            }",
        )
        .unwrap();
        assert_eq!(add_schemars_derives(&mut file), 2);
        let code = prettyplease::unparse(&file);
        let derive = r#"#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]"#;
        assert_eq!(code.matches(derive).count(), 2, "{code}");
        let kind = code.find("pub enum Kind").unwrap();
        let body = code.find("pub struct Body {").unwrap();
        let not_serde = code.find("pub struct NotSerde").unwrap();
        // Each derive sits right before the type it belongs to.
        let derives: Vec<usize> = code.match_indices(derive).map(|(at, _)| at).collect();
        assert!(derives[0] < kind && kind < not_serde, "{code}");
        assert!(not_serde < derives[1] && derives[1] < body, "{code}");
    }
}
