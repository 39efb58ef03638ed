//! `tray auth status`, `tray config path` and `tray config list`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{sandbox, stderr, stdout, tray, tray_at};
use serde_json::Value;

async fn output(mut cmd: assert_cmd::Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_status_reports_source_base_url_and_a_working_token_without_printing_it() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let token = sandbox.token().to_owned();
    let mut cmd = tray_at(home.path(), &sandbox);
    cmd.args(["auth", "status"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("TARGET  "), "{text}");
    for cell in [sandbox.base_url().as_str(), "$TRAY_API_TOKEN", "yes"] {
        assert!(lines[1].contains(cell), "{cell} missing: {text}");
    }
    assert!(!text.contains(&token), "{text}");
    assert!(!stderr(&out).contains(&token));

    let mut cmd = tray_at(home.path(), &sandbox);
    cmd.args(["auth", "status", "-o", "json"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["works"], true);
    assert_eq!(rows[0]["tokenSource"], "$TRAY_API_TOKEN");
    assert_eq!(rows[0]["baseUrl"], sandbox.base_url());
    let hint = rows[0]["tokenHint"].as_str().unwrap();
    assert_eq!(hint.chars().count(), 5, "{hint}");
    assert!(token.ends_with(hint.trim_start_matches('…')));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&token));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_token_is_exit_1() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = tray(home.path());
    cmd.env("TRAY_API_URL", sandbox.base_url())
        .env("TRAY_API_TOKEN", "not-the-sandbox-token-0000000000")
        .args(["auth", "status"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("token rejected (HTTP 401)"), "{text}");
    assert!(text.lines().nth(1).unwrap().contains("  no  "), "{text}");
    assert!(stderr(&out).starts_with("error: 1 of 1 cannot authenticate"));
    assert!(!text.contains("not-the-sandbox-token"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_region_of_several_needs_its_own_token() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = tray(home.path());
    cmd.env("TRAY_API_TOKEN", "a-global-token-that-is-not-used-0000")
        .args(["--region", "eu,apac", "auth", "status", "-o", "json"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["target"], "eu");
    assert_eq!(rows[0]["baseUrl"], "https://api.eu1.tray.io");
    assert_eq!(rows[0]["tokenSource"], "$TRAY_API_TOKEN_EU");
    assert_eq!(rows[0]["works"], false);
    assert!(
        rows[0]["error"]
            .as_str()
            .unwrap()
            .contains("TRAY_API_TOKEN_EU is not set")
    );
    assert_eq!(rows[1]["tokenSource"], "$TRAY_API_TOKEN_APAC");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_report_their_token_file_and_config_lists_them() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let token_file = home.path().join("prod.token");
    std::fs::write(&token_file, format!("{}\n", sandbox.token())).unwrap();
    let config = home.path().join("tray.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.prod]\nbase_url = \"{}\"\ntoken_file = \"{}\"\n\n[profiles.eu]\nregion = \"eu\"\ntoken_env = \"EU_TOKEN\"\n",
            sandbox.base_url(),
            token_file.display()
        ),
    )
    .unwrap();
    let config_arg = config.to_str().unwrap();

    let mut cmd = tray(home.path());
    cmd.args([
        "--config",
        config_arg,
        "--profile",
        "prod",
        "auth",
        "status",
    ]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let row = stdout(&out).lines().nth(1).unwrap().to_owned();
    assert!(row.starts_with("prod  "), "{row}");
    assert!(
        row.contains(&format!("file {} (profile prod)", token_file.display())),
        "{row}"
    );
    assert!(row.contains(" yes"), "{row}");

    let mut cmd = tray(home.path());
    cmd.args(["--config", config_arg, "config", "list"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0].split_whitespace().next(), Some("PROFILE"));
    assert!(lines[1].starts_with("eu "), "{text}");
    assert!(lines[1].contains("https://api.eu1.tray.io"), "{text}");
    assert!(lines[1].contains("$EU_TOKEN (profile eu)"), "{text}");
    assert!(lines[2].starts_with("prod "), "{text}");
    assert!(lines[2].contains(&sandbox.base_url()), "{text}");
    assert!(!text.contains(sandbox.token()));

    let mut cmd = tray(home.path());
    cmd.args(["--config", config_arg, "config", "path"]);
    let out = output(cmd).await;
    assert_eq!(stdout(&out).trim_end(), config_arg);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_path_defaults_to_the_platform_config_dir() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = tray(home.path());
    cmd.args(["config", "path", "-o", "json"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["exists"], false);
    assert!(
        doc["path"].as_str().unwrap().ends_with("config.toml"),
        "{doc}"
    );
    assert!(
        doc["path"]
            .as_str()
            .unwrap()
            .starts_with(home.path().to_str().unwrap()),
        "{doc}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_status_with_the_in_process_sandbox() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = tray(home.path());
    cmd.args(["--sandbox", "auth", "status"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).lines().nth(1).unwrap().contains("sandbox"));
}
