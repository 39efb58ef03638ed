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

/// Fast retries (10 ms first backoff, 50 ms at most; four of them), so the
/// tests against the sandbox's faults stay quick.
pub fn fast_retries() -> tray_api::RetryConfig {
    tray_api::RetryConfig::default()
        .with_initial_backoff(std::time::Duration::from_millis(10))
        .with_max_backoff(std::time::Duration::from_millis(50))
}

/// A client of `sandbox` (its base URL and token) with these retries.
/// Panics when the client cannot be built: a test helper.
#[allow(clippy::expect_used)]
pub fn sandbox_client(
    sandbox: &tray_sandbox::SandboxHandle,
    retry: tray_api::RetryConfig,
) -> tray_api::Client {
    tray_api::Client::builder()
        .base_url(sandbox.base_url())
        .token(sandbox.token().to_owned())
        .retry(retry)
        .build()
        .expect("a client of the sandbox")
}
