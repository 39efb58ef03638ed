//! A variable set to a blank value counts as unset (CI systems write
//! `VAR: ""` for a variable or secret that is not defined).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{json_doc, stderr, stdout, tray};
use tray_sandbox::Sandbox;

#[tokio::test(flavor = "multi_thread")]
async fn blank_tray_variables_count_as_unset() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    sandbox.seed_deployed_connector("acme-crm", "1.0");
    let home = tempfile::tempdir().unwrap();
    let output = tray(home.path())
        .env("TRAY_API_URL", "")
        .env("TRAY_REGION", " ")
        .env("TRAY_PROFILE", "")
        .env("TRAY_CONFIG", "")
        .env("TRAY_API_TOKEN", sandbox.token())
        .args(["--base-url", &sandbox.base_url()])
        .args(["deployment", "get", "acme-crm", "1.0", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(json_doc(&output)["deploymentStatus"], "Deployed");
}

#[test]
fn a_blank_config_variable_means_the_default_file() {
    let home = tempfile::tempdir().unwrap();
    let output = tray(home.path())
        .env("TRAY_CONFIG", "")
        .args(["config", "path"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let expected = home.path().join(".config").join("tray").join("config.toml");
    assert_eq!(stdout(&output).trim(), expected.display().to_string());
}
