//! Shared helpers for the cross-crate tests.

use std::path::PathBuf;

use serde_json::Value;

/// The `tests/fixtures/` folder.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A fixture file (e.g. `fixture("projects/createProjectVersion.response.json")`),
/// parsed as JSON. Panics with the file name when it is missing: a test
/// helper, never used on input data.
#[allow(clippy::panic)]
pub fn fixture(name: &str) -> Value {
    let path = fixtures_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("fixture {name} is not JSON: {e}"))
}
