//! The `tray` built without the `sandbox` cargo feature
//! (`cargo install tray-cli --no-default-features`): `--sandbox`, `tray
//! demo` and `tray sandbox serve` still parse, and answer exit 2 with one
//! line naming the feature. Everything the feature switches is here, but
//! for the imports of `tray_sandbox` in `context.rs` and `help.rs`.

use crate::cli::ServeArgs;
use crate::context::Context;
use crate::failure::{CmdResult, Failure};

/// The failure of anything that needs the in-process sandbox.
pub fn missing() -> Failure {
    Failure::usage(
        "this tray was built without the \"sandbox\" feature; reinstall with default features: cargo install tray-cli",
    )
}

/// Stand-ins for the sandbox's seeded ids in the help's examples.
pub const SOURCE_PROJECT_ID: &str = "SOURCE_PROJECT_ID";
/// See [`SOURCE_PROJECT_ID`].
pub const DESTINATION_PROJECT_ID: &str = "DEST_PROJECT_ID";
/// See [`SOURCE_PROJECT_ID`].
pub const SOLUTION_ID: &str = "SOLUTION_ID";
/// See [`SOURCE_PROJECT_ID`].
pub const IMPORT_AUTH_MAPPINGS: &[(&str, &str)] = &[("AUTH_EXPORT_ID", "AUTH_ID")];

/// `tray demo`.
pub mod demo {
    use crate::context::Context;
    use crate::failure::CmdResult;

    /// Needs the sandbox.
    pub async fn run(_ctx: &mut Context) -> CmdResult {
        Err(super::missing())
    }
}

impl ServeArgs {
    /// `tray sandbox serve`: needs the sandbox.
    pub async fn run(self, _ctx: &mut Context) -> CmdResult {
        Err(missing())
    }
}
