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
    for item in &mut file.items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        if module.ident != "types" {
            continue;
        }
        let Some((_, items)) = &mut module.content else {
            continue;
        };
        for item in items {
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

fn schemars_attr() -> syn::Attribute {
    syn::parse_quote!(#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::add_schemars_derives;

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
