//! Code generation settings for the Tray API specs.
//!
//! This crate is the single place that knows:
//!
//! * which OpenAPI specs exist ([`SPECS`]) and which Rust module each becomes,
//! * how progenitor is configured for them ([`settings`]),
//! * which spec schemas are replaced by hand-written types in `tray-api-raw`
//!   (open enums and the shared error body, see [`REPLACEMENTS`]),
//! * which operations may be repeated: every operation carries
//!   `x-tray-retry: idempotent` or `x-tray-retry: non-idempotent` (see
//!   [`RETRY_EXTENSION`]), emitted as a `RETRY_SAFETY` table in each module
//!   that `tray-api`'s transport reads,
//! * which generated types derive `schemars::JsonSchema` behind
//!   `tray-api-raw`'s `schemars` feature ([`add_schemars_derives`]: every
//!   serde type of a `types` module).
//!
//! `tray-api-raw`'s `build.rs` and `cargo xtask codegen` both call
//! [`generate`], so the committed snapshots are byte for byte what the raw
//! crate compiles.
//!
//! ```no_run
//! let spec = tray_codegen::SPECS[0];
//! let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
//! let code = tray_codegen::generate(&root, spec).unwrap();
//! assert!(code.contains("pub struct Client"));
//! ```

use std::path::{Path, PathBuf};

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
/// in `tray-api-raw` that takes their place.
///
/// * `ApiError`: one error body type shared by all four modules, so callers
///   handle errors once.
/// * The enums: progenitor generates closed enums, so a value Tray adds later
///   would fail the whole response. The replacements are open enums that keep
///   unknown values (`Unknown(String)`).
pub const REPLACEMENTS: &[(&str, &str)] = &[
    ("ApiError", "crate::ApiError"),
    ("DeploymentStatus", "crate::DeploymentStatus"),
    ("SolutionChangeType", "crate::SolutionChangeType"),
    ("AuthSlotChangeCode", "crate::AuthSlotChangeCode"),
    ("ConfigSlotChangeCode", "crate::ConfigSlotChangeCode"),
    (
        "AuthSlotRecreationReasonCode",
        "crate::AuthSlotRecreationReasonCode",
    ),
    (
        "ConfigSlotRecreationReasonCode",
        "crate::ConfigSlotRecreationReasonCode",
    ),
];

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
    /// The spec breaks a rule of this workspace (an operation without
    /// [`RETRY_EXTENSION`], or with an unknown value).
    #[error("{path}: {message}")]
    Spec {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
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
/// * An inner type [`tray_api_raw::ClientState`] carrying the bearer token,
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
    let text = std::fs::read_to_string(&path).map_err(|source| CodegenError::Read {
        path: path.clone(),
        source,
    })?;
    serde_yaml::from_str(&text).map_err(|source| CodegenError::Parse { path, source })
}

/// Generate the formatted Rust module for one spec.
///
/// The output is what `tray-api-raw` compiles as `tray_api_raw::<module>` and
/// what the xtask snapshot holds.
pub fn generate(workspace_root: &Path, spec: Spec) -> Result<String, CodegenError> {
    let document = load(workspace_root, spec)?;
    let path = spec.file(workspace_root);
    let retry_table = retry_table(&document).map_err(|message| CodegenError::Spec {
        path: path.clone(),
        message,
    })?;
    let settings = settings();
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
    let mut file =
        syn::parse2::<syn::File>(tokens).map_err(|source| CodegenError::Format { path, source })?;
    add_schemars_derives(&mut file);
    Ok(format!(
        "// @generated by tray-codegen from {}. Do not edit: change the spec and run `cargo xtask codegen`.\n{}{}",
        spec.path,
        prettyplease::unparse(&file),
        retry_table
    ))
}

/// The `RETRY_SAFETY` table of a spec, from each operation's
/// [`RETRY_EXTENSION`], keyed by the snake_case operation id the generated
/// code reports.
fn retry_table(document: &openapiv3::OpenAPI) -> Result<String, String> {
    let mut rows = Vec::new();
    for (path, item) in document.paths.iter() {
        let Some(item) = item.as_item() else {
            continue;
        };
        for (method, operation) in item.iter() {
            let id = operation
                .operation_id
                .as_deref()
                .ok_or_else(|| format!("{method} {path} has no operationId"))?;
            let safety = match operation
                .extensions
                .get(RETRY_EXTENSION)
                .and_then(|v| v.as_str())
            {
                Some("idempotent") => "Idempotent",
                Some("non-idempotent") => "NonIdempotent",
                Some(other) => {
                    return Err(format!(
                        "{id}: {RETRY_EXTENSION}: {other:?} is not idempotent or non-idempotent"
                    ));
                }
                None => {
                    return Err(format!(
                        "{id} ({method} {path}) lacks {RETRY_EXTENSION}: idempotent | non-idempotent"
                    ));
                }
            };
            rows.push((snake_case(id), safety));
        }
    }
    rows.sort();
    let mut out = String::from(
        "\n/// Whether each operation of this spec may be repeated, from its `x-tray-retry`.\npub const RETRY_SAFETY: &[(&str, crate::RetrySafety)] = &[\n",
    );
    for (id, safety) in rows {
        out.push_str(&format!("    (\"{id}\", crate::RetrySafety::{safety}),\n"));
    }
    out.push_str("];\n");
    Ok(out)
}

/// `getDeployment` -> `get_deployment`, as progenitor names operations.
fn snake_case(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 4);
    for (i, c) in id.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
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
