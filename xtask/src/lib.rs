//! Maintainer tasks for the Tray workspace, also used by the tests.
//!
//! * [`snapshot`]: the generated code of every spec, kept as insta snapshots
//!   in `xtask/snapshots/` so each spec change is a reviewable diff.
//! * [`lint`]: spec checks (parse, generate, examples valid and round-trip
//!   through the generated types, seed fixtures).
//! * [`upstream`]: our specs against Tray's published OpenAPI document
//!   (`cargo xtask upstream-diff`, run by `.ci/run`).
//! * [`unused_deps`]: every dependency a workspace package declares is used
//!   by its sources (`cargo xtask unused-deps`, run by `.ci/run`).

pub mod lint;
pub mod snapshot;
pub mod unused_deps;
pub mod upstream;

use std::path::PathBuf;

/// The workspace root (the folder with the top-level `Cargo.toml`), or
/// `$XTASK_WORKSPACE_ROOT` when set (the tests point the tasks at a scratch
/// copy of the specs).
pub fn workspace_root() -> PathBuf {
    std::env::var_os("XTASK_WORKSPACE_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
}
