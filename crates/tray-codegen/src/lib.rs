//! Code generation settings for the Tray API specs.
//!
//! This crate is the single place that knows:
//!
//! * which OpenAPI specs exist ([`SPECS`]) and which Rust module each becomes,
//! * how progenitor is configured for them ([`settings`]),
//! * which spec schemas are replaced by types of `tray-api-raw`: the shared
//!   error body ([`REPLACEMENTS`]) and every enum schema, which becomes an
//!   open enum generated from the spec ([`generate_enums`], see the
//!   [`enums`] module for the rules and the [`enums::DESCRIPTIONS_EXTENSION`]
//!   and [`enums::TERMINAL_EXTENSION`] extensions),
//! * which renamed properties still accept their old name during a
//!   transition (`x-tray-aliases` on an object schema, see
//!   [`ALIAS_EXTENSION`]),
//! * which operations may be repeated: every operation carries
//!   `x-tray-retry: idempotent` or `x-tray-retry: non-idempotent` (see
//!   [`RETRY_EXTENSION`]), emitted with the rest of what is known about each
//!   operation as the typed `Operation` enum ([`generate_operations`]) that
//!   `tray-api`'s transport reads,
//! * which generated types derive `schemars::JsonSchema` behind
//!   `tray-api-raw`'s `schemars` feature ([`add_schemars_derives`]: every
//!   serde type of a `types` module).
//!
//! `tray-api-raw`'s `build.rs` and `cargo xtask codegen` both call
//! [`generate`] for each spec and [`Shared::generate`] for the files built
//! from all specs together, so the committed snapshots are byte for byte
//! what the raw crate compiles.
//!
//! ```no_run
//! let spec = tray_codegen::SPECS[0];
//! let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
//! let code = tray_codegen::generate(&root, spec).unwrap();
//! assert!(code.contains("pub struct Client"));
//! let enums = tray_codegen::generate_enums(&root).unwrap();
//! assert!(enums.contains("pub enum DeploymentStatus"));
//! ```

pub mod enums;
pub mod operations;

use std::path::{Path, PathBuf};

mod aliases;

pub use aliases::ALIAS_EXTENSION;
mod derive;

pub use derive::add_schemars_derives;

use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};

/// One OpenAPI spec of the workspace and the Rust module generated from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// Module name in `tray-api-raw` (`tray_api_raw::<module>`), also the
    /// snapshot name.
    pub module: &'static str,
    /// Path of the YAML file, relative to the workspace root.
    pub path: &'static str,
}

impl Spec {
    /// The spec file's absolute path, given the workspace root.
    pub fn file(&self, workspace_root: &Path) -> PathBuf {
        workspace_root.join(self.path)
    }
}

/// Every spec of the workspace, in the order the raw crate includes them.
pub const SPECS: &[Spec] = &[
    Spec {
        module: "deployments",
        path: "openapi/deployments.yaml",
    },
    Spec {
        module: "permissions",
        path: "openapi/permissions.yaml",
    },
    Spec {
        module: "projects",
        path: "openapi/projects.yaml",
    },
    Spec {
        module: "solutions",
        path: "openapi/solutions.yaml",
    },
];

/// Spec schemas that progenitor must not generate, and the hand-written type
/// in `tray-api-raw` that takes their place: `ApiError`, one error body type
/// shared by all four modules, so callers handle errors once.
///
/// Every enum schema is replaced too, by the open enum of the same name
/// generated from the spec ([`generate_enums`]): progenitor generates closed
/// enums, so a value Tray adds later would fail the whole response; the open
/// enums keep unknown values (`Unknown(String)`).
pub const REPLACEMENTS: &[(&str, &str)] = &[("ApiError", "crate::ApiError")];

/// The operation extension that says whether an operation may be repeated
/// after a failure whose outcome is unknown (a timeout, a 5xx, a lost
/// connection): `idempotent` (repeating it does no harm) or
/// `non-idempotent` (repeating it could apply a change twice). Every
/// operation must carry it; generation fails otherwise.
pub const RETRY_EXTENSION: &str = "x-tray-retry";

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum CodegenError {
    /// The spec file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a valid OpenAPI 3.0 document.
    #[error("{path} is not a valid OpenAPI 3.0 document: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        source: serde_yaml::Error,
    },
    /// progenitor rejected the spec.
    #[error("progenitor cannot generate {path}: {message}")]
    Generate {
        /// The file.
        path: PathBuf,
        /// progenitor's message (or panic message).
        message: String,
    },
    /// The spec breaks a rule of this workspace: an operation without
    /// [`RETRY_EXTENSION`] (or with an unknown value), an inline `enum:`,
    /// an enum schema whose values or extensions are wrong (see [`enums`]).
    #[error("{path}: {message}")]
    Spec {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An enum schema of the same name differs between two specs.
    #[error(
        "enum schema {schema} differs between {first} and {second}: {difference}; make them the same enum"
    )]
    EnumMismatch {
        /// The schema name.
        schema: String,
        /// The spec that declared it first.
        first: PathBuf,
        /// The spec that declares it differently.
        second: PathBuf,
        /// What differs.
        difference: String,
    },
    /// Two specs declare the same `operationId`.
    #[error("operationId {operation_id} is declared in {first} and in {second}")]
    DuplicateOperation {
        /// The operation id.
        operation_id: String,
        /// The first spec.
        first: PathBuf,
        /// The second spec.
        second: PathBuf,
    },
    /// progenitor produced tokens that are not a Rust file.
    #[error("generated code for {path} does not parse: {source}")]
    Format {
        /// The file.
        path: PathBuf,
        /// syn's message.
        source: syn::Error,
    },
}

/// The progenitor settings every spec is generated with.
///
/// * Builder interface (`client.list_project_versions().project_id(..).send()`):
///   named setters, stable when parameters are added.
/// * Merged tags: one `Client` per spec module.
/// * `BTreeMap` for free-form maps, so serialization is deterministic.
/// * An inner type `tray_api_raw::ClientState` carrying the bearer token,
///   injected by the raw crate's `ClientHooks` implementation.
/// * `PartialEq` on every type (tests compare values).
pub fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_map_type("::std::collections::BTreeMap")
        .with_derive("PartialEq")
        .with_inner_type(quote_path("crate::ClientState"))
        .with_hooks(progenitor::HooksMode::Expected);
    for (schema, rust_type) in REPLACEMENTS {
        settings.with_replacement(*schema, *rust_type, [TypeImpl::Display].into_iter());
    }
    settings
}

fn quote_path(path: &str) -> proc_macro2::TokenStream {
    // A constant path always tokenizes; fall back to an empty stream to stay
    // panic-free, which makes generation fail with a clear compile error.
    path.parse().unwrap_or_default()
}

/// Parse a spec file into an [`openapiv3::OpenAPI`] document.
pub fn load(workspace_root: &Path, spec: Spec) -> Result<openapiv3::OpenAPI, CodegenError> {
    let path = spec.file(workspace_root);
    parse(&path, &read(&path)?)
}

fn read(path: &Path) -> Result<String, CodegenError> {
    std::fs::read_to_string(path).map_err(|source| CodegenError::Read {
        path: path.to_owned(),
        source,
    })
}

/// The spec's text as an [`openapiv3::OpenAPI`] document or as plain YAML
/// (for its enum schemas and their extensions, which openapiv3 drops).
fn parse<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T, CodegenError> {
    serde_yaml::from_str(text).map_err(|source| CodegenError::Parse {
        path: path.to_owned(),
        source,
    })
}

/// The open enums of one spec's text, checked (no inline `enum:`, values
/// and extensions valid).
fn spec_enums(path: &Path, text: &str) -> Result<Vec<enums::OpenEnum>, CodegenError> {
    enums::collect(&parse(path, text)?).map_err(|message| CodegenError::Spec {
        path: path.to_owned(),
        message,
    })
}

/// Generate the formatted Rust module for one spec.
///
/// The output is what `tray-api-raw` compiles as `tray_api_raw::<module>` and
/// what the xtask snapshot holds. The spec's enum schemas are replaced by the
/// open enums of [`generate_enums`]. Fails, naming the spec and the place,
/// on an operation without [`RETRY_EXTENSION`], an inline `enum:` or an
/// invalid enum schema.
pub fn generate(workspace_root: &Path, spec: Spec) -> Result<String, CodegenError> {
    let path = spec.file(workspace_root);
    let text = read(&path)?;
    let open_enums = spec_enums(&path, &text)?;
    let document: openapiv3::OpenAPI = parse(&path, &text)?;
    let spec_error = |message| CodegenError::Spec {
        path: path.clone(),
        message,
    };
    let operations = operations::collect(&document, spec).map_err(spec_error)?;
    let aliases = aliases::collect(&document).map_err(spec_error)?;
    let components: Vec<String> = document
        .components
        .as_ref()
        .map(|c| c.schemas.keys().cloned().collect())
        .unwrap_or_default();
    let replaced: Vec<String> = REPLACEMENTS
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .chain(open_enums.iter().map(|open| open.name.clone()))
        .collect();
    let mut settings = settings();
    for open in &open_enums {
        settings.with_replacement(
            &open.name,
            format!("crate::{}", open.name),
            [TypeImpl::Display].into_iter(),
        );
    }
    // progenitor panics (instead of returning an error) on some unsupported
    // spec shapes; turn that into an error naming the spec.
    let tokens = std::panic::catch_unwind(move || {
        let mut generator = Generator::new(&settings);
        generator.generate_tokens(&document)
    })
    .map_err(|panic| CodegenError::Generate {
        path: path.clone(),
        message: panic_message(panic.as_ref()),
    })?
    .map_err(|error| CodegenError::Generate {
        path: path.clone(),
        message: error.to_string(),
    })?;
    let mut file = syn::parse2::<syn::File>(tokens).map_err(|source| CodegenError::Format {
        path: path.clone(),
        source,
    })?;
    aliases::apply(&mut file, &aliases).map_err(spec_error)?;
    add_schemars_derives(&mut file);
    derive::add_component_tables(&mut file, &components, &replaced).map_err(spec_error)?;
    let code = prettyplease::unparse(&file);
    // The `Operation` table names each operation as progenitor does.
    if let Some(op) = operations
        .iter()
        .find(|op| !code.contains(&format!("operation_id: \"{}\"", op.id)))
    {
        return Err(CodegenError::Generate {
            path,
            message: format!(
                "progenitor does not name {} `{}`: fix tray_codegen's snake_case",
                op.operation_id, op.id
            ),
        });
    }
    Ok(format!(
        "// @generated by tray-codegen from {}. Do not edit: change the spec and run `cargo xtask codegen`.\n{code}",
        spec.path,
    ))
}

/// Generate `enums.rs`: one open enum per enum schema of all
/// [`SPECS`] (a schema used by several specs once), with the schema's
/// `description`, the values' [`enums::DESCRIPTIONS_EXTENSION`] and, for an
/// enum with [`enums::TERMINAL_EXTENSION`], its `TERMINAL` values and
/// `is_terminal()`.
///
/// Fails naming both files when two specs declare the same enum
/// differently, and naming the spec for any error of
/// [`generate`]'s enum checks.
pub fn generate_enums(workspace_root: &Path) -> Result<String, CodegenError> {
    generate_enums_of(workspace_root, SPECS)
}

/// [`generate_enums`] for the given specs.
pub fn generate_enums_of(workspace_root: &Path, specs: &[Spec]) -> Result<String, CodegenError> {
    let mut per_spec = Vec::with_capacity(specs.len());
    for spec in specs {
        let path = spec.file(workspace_root);
        let open_enums = spec_enums(&path, &read(&path)?)?;
        per_spec.push((path, open_enums));
    }
    let merged = enums::merge(per_spec)?;
    Ok(enums::render(&merged, specs))
}

/// Generate `operations.rs`: the `Operation` enum with one variant per
/// operation of all [`SPECS`] (`ALL`, `operation_id()`, `id()`,
/// `from_id()`, `method()`, `path()`, `spec()`, `retry_safety()`,
/// `Display`), each variant documented with its method, path and retry
/// safety.
///
/// Fails naming the operation when one lacks [`RETRY_EXTENSION`], and
/// naming both files when two specs declare the same `operationId`.
pub fn generate_operations(workspace_root: &Path) -> Result<String, CodegenError> {
    generate_operations_of(workspace_root, SPECS)
}

/// [`generate_operations`] for the given specs.
pub fn generate_operations_of(
    workspace_root: &Path,
    specs: &[Spec],
) -> Result<String, CodegenError> {
    let mut all: Vec<(operations::OperationDef, PathBuf)> = Vec::new();
    for spec in specs {
        let document = load(workspace_root, *spec)?;
        let path = spec.file(workspace_root);
        let ops = operations::collect(&document, *spec).map_err(|message| CodegenError::Spec {
            path: path.clone(),
            message,
        })?;
        for op in ops {
            if let Some((_, first)) = all
                .iter()
                .find(|(known, _)| known.variant == op.variant || known.id == op.id)
            {
                return Err(CodegenError::DuplicateOperation {
                    operation_id: op.operation_id,
                    first: first.clone(),
                    second: path,
                });
            }
            all.push((op, path.clone()));
        }
    }
    let ops: Vec<_> = all.into_iter().map(|(op, _)| op).collect();
    let text = operations::render(&ops, specs);
    let path = PathBuf::from("operations.rs");
    let file = syn::parse_file(&text).map_err(|source| CodegenError::Format { path, source })?;
    let header_end = text.find('\n').map_or(0, |i| i + 1);
    Ok(format!(
        "{}{}",
        &text[..header_end],
        prettyplease::unparse(&file)
    ))
}

/// A file generated from all the specs together, written by `tray-api-raw`'s
/// `build.rs` as `OUT_DIR/<name>.rs` and snapshotted by `cargo xtask
/// codegen` as `xtask/snapshots/<name>.snap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shared {
    /// `enums.rs`: [`generate_enums`].
    Enums,
    /// `operations.rs`: [`generate_operations`].
    Operations,
}

impl Shared {
    /// Every shared file.
    pub const ALL: &'static [Self] = &[Self::Enums, Self::Operations];

    /// The file (and snapshot) name: `enums`, `operations`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Enums => "enums",
            Self::Operations => "operations",
        }
    }

    /// What it is generated from, for the snapshot header.
    pub fn source(self) -> &'static str {
        match self {
            Self::Enums => "the enum schemas of openapi/*.yaml",
            Self::Operations => "the operations of openapi/*.yaml",
        }
    }

    /// Generate it from [`SPECS`].
    pub fn generate(self, workspace_root: &Path) -> Result<String, CodegenError> {
        match self {
            Self::Enums => generate_enums(workspace_root),
            Self::Operations => generate_operations(workspace_root),
        }
    }
}

/// The items of the generated file's `types` module, where progenitor puts
/// the type of every schema (the post-processing passes edit them).
pub(crate) fn types_module(file: &mut syn::File) -> Option<&mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(module) if module.ident == "types" => {
            module.content.as_mut().map(|(_, items)| items)
        }
        _ => None,
    })
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = panic.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = panic.downcast_ref::<String>() {
        message.clone()
    } else {
        "progenitor panicked".to_owned()
    }
}
