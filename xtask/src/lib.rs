//! Maintainer tasks for the Tray workspace, also used by the tests.
//!
//! * [`snapshot`]: the generated code of every spec, kept as insta snapshots
//!   in `xtask/snapshots/` so each spec change is a reviewable diff.
//! * [`lint`]: spec checks (parse, generate, examples valid and round-trip
//!   through the generated types, seed fixtures).

pub mod lint;
pub mod registry;
pub mod snapshot;

use std::path::PathBuf;

/// The workspace root (the folder with the top-level `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}
