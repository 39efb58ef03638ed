//! Helpers for the CLI tests: a `tray` command isolated from the user's
//! environment, a sandbox to point it at, and output redaction for snapshots.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tray_sandbox::{Sandbox, SandboxHandle};

/// The `tray` binary with a clean environment: no token, no region, no
/// profile, a config dir of its own.
pub fn tray(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("tray").unwrap();
    for var in [
        "TRAY_API_TOKEN",
        "TRAY_API_TOKEN_US",
        "TRAY_API_TOKEN_EU",
        "TRAY_API_TOKEN_APAC",
        "TRAY_REGION",
        "TRAY_API_URL",
        "TRAY_PROFILE",
        "TRAY_CONFIG",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("NO_COLOR", "1")
        .current_dir(home);
    cmd
}

/// `tray` pointed at a running sandbox, with its token.
pub fn tray_at(home: &Path, sandbox: &SandboxHandle) -> Command {
    let mut cmd = tray(home);
    cmd.env("TRAY_API_URL", sandbox.base_url())
        .env("TRAY_API_TOKEN", sandbox.token());
    cmd
}

/// A sandbox with fast deployments.
pub async fn sandbox() -> SandboxHandle {
    Sandbox::builder()
        .deploy_time(std::time::Duration::from_millis(300))
        .start()
        .await
        .unwrap()
}

/// Write a connector project folder (`connector.json` + `.tray/connector.zip`).
pub fn connector_project(dir: &Path, name: &str, version: &str) -> PathBuf {
    let project = dir.join(name);
    std::fs::create_dir_all(project.join(".tray")).unwrap();
    std::fs::write(
        project.join("connector.json"),
        serde_json::json!({"name": name, "version": version, "title": name}).to_string(),
    )
    .unwrap();
    std::fs::write(
        project.join(".tray/connector.zip"),
        tray_sandbox::sample_connector_zip(name, version),
    )
    .unwrap();
    project
}

/// Output with ids, times and ports replaced, for snapshots.
pub fn redact(text: &str) -> String {
    let patterns = [
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[uuid]",
        ),
        (
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?Z?",
            "[time]",
        ),
        (r"\d+\.\d+s\b", "[secs]"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[port]"),
    ];
    let mut out = text.to_owned();
    for (pattern, replacement) in patterns {
        out = regex_lite(pattern, &out, replacement);
    }
    out
}

fn regex_lite(pattern: &str, text: &str, replacement: &str) -> String {
    regex::Regex::new(pattern)
        .unwrap()
        .replace_all(text, replacement)
        .into_owned()
}

/// stdout of an assert as a string.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// stderr of an assert as a string.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
