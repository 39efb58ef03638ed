//! Helpers for the CLI tests: a `tray` command isolated from the user's
//! environment, a sandbox to point it at, insta filters for snapshots and the
//! sandbox's seeded ids as `&str` constants.

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

/// Export version 1 of the seeded source project to `out` with `cmd` (a
/// `tray` pointed at a sandbox, or given `--sandbox`), which must succeed.
pub fn export_source(cmd: &mut Command, out: &Path) {
    let output = cmd
        .args(["project", "export"])
        .arg(tray_sandbox::SOURCE_PROJECT_ID.to_string())
        .args(["1", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
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

/// insta settings whose filters replace ids, times, durations and ports in
/// snapshots:
/// `common::snapshot_settings().bind(|| insta::assert_snapshot!("name", text))`.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[uuid]",
    );
    settings.add_filter(
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?Z?",
        "[time]",
    );
    settings.add_filter(r"\d+\.\d+s\b", "[secs]");
    settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]");
    settings
}

/// The hyphenated lowercase text of a UUID, computed at compile time, so
/// the sandbox's seeded ids can be `&str` constants (see [`seeded_id`]).
pub const fn hyphenated(id: uuid::Uuid) -> [u8; 36] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = id.as_bytes();
    let mut out = [b'-'; 36];
    let mut i = 0;
    let mut o = 0;
    while i < 16 {
        if o == 8 || o == 13 || o == 18 || o == 23 {
            o += 1;
        }
        out[o] = HEX[(bytes[i] >> 4) as usize];
        out[o + 1] = HEX[(bytes[i] & 0x0f) as usize];
        o += 2;
        i += 1;
    }
    out
}

/// A sandbox seed id (`tray_sandbox::SOURCE_PROJECT_ID`, …) as a `&'static str` constant.
#[macro_export]
macro_rules! seeded_id {
    ($id:expr) => {{
        const TEXT: [u8; 36] = $crate::common::hyphenated($id);
        match std::str::from_utf8(&TEXT) {
            Ok(text) => text,
            Err(_) => panic!("a UUID is ASCII"),
        }
    }};
}

/// The one JSON document on stdout.
pub fn json_doc(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {}", stdout(output)))
}

/// `tray -o json deployment create PROJECT` against `sandbox` (more
/// arguments may follow).
pub fn deploy_json(home: &Path, sandbox: &SandboxHandle, project: &Path) -> Command {
    let mut cmd = tray_at(home, sandbox);
    cmd.args(["-o", "json", "deployment", "create"])
        .arg(project);
    cmd
}

/// stdout of an assert as a string.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// stderr of an assert as a string.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
