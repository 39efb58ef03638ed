//! Snapshot files of the generated code, in insta's `.snap` format: one
//! per spec (`deployments.snap`, ...) and one per file generated from all
//! specs together (`enums.snap`, `operations.snap`).
//!
//! `cargo xtask codegen` writes them; the `codegen` test of this crate
//! (`insta::assert_snapshot!`) and `cargo xtask codegen --check` compare
//! them with what `tray-codegen` generates now.

use std::path::{Path, PathBuf};

use tray_codegen::{SPECS, Shared, Spec};

/// Folder of the snapshots, relative to the workspace root.
pub const SNAPSHOT_DIR: &str = "xtask/snapshots";

/// The package whose `openapi/` folder carries byte-identical copies of the
/// specs, so that its published `.crate` (and its `build.rs`) has them.
pub const PACKAGED_SPECS_IN: &str = "crates/tray-api-raw";

/// The packaged copy of one spec (`crates/tray-api-raw/openapi/NAME.yaml`).
pub fn packaged_copy(workspace_root: &Path, spec: Spec) -> PathBuf {
    workspace_root.join(PACKAGED_SPECS_IN).join(spec.path)
}

/// Whether the packaged copy of `spec` is byte-identical to the spec.
pub fn copy_is_current(workspace_root: &Path, spec: Spec) -> bool {
    match (
        std::fs::read(spec.file(workspace_root)),
        std::fs::read(packaged_copy(workspace_root, spec)),
    ) {
        (Ok(spec), Ok(copy)) => spec == copy,
        _ => false,
    }
}

/// The snapshot file `name.snap`: a spec's module name
/// ([`Spec::module`]) or a shared file's ([`Shared::name`]).
pub fn path(workspace_root: &Path, name: &str) -> PathBuf {
    workspace_root
        .join(SNAPSHOT_DIR)
        .join(format!("{name}.snap"))
}

/// Every snapshot: one per spec (named after its module, described by its
/// path), then one per shared file ([`Shared`]), as `(name, description)`.
pub fn all() -> Vec<(&'static str, &'static str)> {
    SPECS
        .iter()
        .map(|spec| (spec.module, spec.path))
        .chain(
            Shared::ALL
                .iter()
                .map(|shared| (shared.name(), shared.source())),
        )
        .collect()
}

/// The code a snapshot holds, generated now: [`tray_codegen::generate`] for
/// a spec's module, [`Shared::generate`] for a shared file.
pub fn generate(workspace_root: &Path, name: &str) -> Result<String, String> {
    if let Some(spec) = SPECS.iter().find(|spec| spec.module == name) {
        return tray_codegen::generate(workspace_root, *spec).map_err(|e| e.to_string());
    }
    match Shared::ALL.iter().find(|shared| shared.name() == name) {
        Some(shared) => shared.generate(workspace_root).map_err(|e| e.to_string()),
        None => Err(format!("no generated file is called {name}")),
    }
}

/// The body of a snapshot file as insta writes it (`description`: what the
/// code is generated from).
pub fn render(description: &str, code: &str) -> String {
    format!(
        "---\nsource: xtask/tests/codegen.rs\ndescription: {description}\nexpression: code\n---\n{}\n",
        code.trim_end()
    )
}

/// The code stored in a snapshot file (`None` if the file is missing).
pub fn read(workspace_root: &Path, name: &str) -> Option<String> {
    let text = std::fs::read_to_string(path(workspace_root, name)).ok()?;
    let body = text.strip_prefix("---\n")?;
    let end = body.find("\n---\n")?;
    Some(body[end + 5..].trim_end().to_owned())
}

/// How a snapshot compares with the code generated now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Snapshot and generated code agree.
    Current,
    /// No snapshot yet.
    Missing,
    /// The spec changed since the snapshot was taken; holds a unified diff.
    Stale(String),
}

/// Compare the snapshot `name` with freshly generated `code`.
pub fn status(workspace_root: &Path, name: &str, code: &str) -> Status {
    match read(workspace_root, name) {
        None => Status::Missing,
        Some(old) if old == code.trim_end() => Status::Current,
        Some(old) => Status::Stale(
            similar::TextDiff::from_lines(old.as_str(), code.trim_end())
                .unified_diff()
                .context_radius(3)
                .header(
                    &format!("a/{SNAPSHOT_DIR}/{name}.snap"),
                    &format!("b/{SNAPSHOT_DIR}/{name}.snap"),
                )
                .to_string(),
        ),
    }
}
