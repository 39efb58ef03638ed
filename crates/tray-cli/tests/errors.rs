//! The error contract: messages name what the user asked about, hints name
//! the command or flag to use, writes whose outcome is unknown say so, exit
//! codes follow the phase, `-o json` failures print exactly one document,
//! and the region/token rule.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{export_source, json_doc, stderr, stdout, tray, tray_at};
use serde_json::Value;
use tray_sandbox::{Fault, Sandbox, SandboxHandle};

const SOURCE: &str = crate::seeded_id!(tray_sandbox::SOURCE_PROJECT_ID);

async fn faulty(fault: &str) -> SandboxHandle {
    let sandbox = Sandbox::builder()
        .fault(fault.parse::<Fault>().unwrap())
        .start()
        .await
        .unwrap();
    sandbox.seed_deployed_connector("acme-crm", "1.0");
    sandbox
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_bearer_token_is_no_token_and_sends_nothing() {
    let sandbox = faulty("status=latency:1ms").await;
    let home = tempfile::tempdir().unwrap();
    for token in ["Bearer ", "  ", ""] {
        let output = tray_at(home.path(), &sandbox)
            .env("TRAY_API_TOKEN", token)
            .args(["-o", "json", "deployment", "get", "acme-crm", "1.0"])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{token:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("no API token"),
            "{}",
            stderr(&output)
        );
        let doc = json_doc(&output);
        assert_eq!(doc["error"]["kind"], "no_token", "{doc}");
        assert!(doc.get("region").is_none(), "{doc}");
    }
    assert!(sandbox.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_base_url_never_gets_a_region_token() {
    let sandbox = faulty("status=latency:1ms").await;
    let home = tempfile::tempdir().unwrap();
    let output = tray(home.path())
        .env("TRAY_API_URL", sandbox.base_url())
        .env("TRAY_API_TOKEN_US", sandbox.token())
        .args(["deployment", "get", "acme-crm", "1.0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("TRAY_API_TOKEN"),
        "{}",
        stderr(&output)
    );
    assert!(sandbox.requests().is_empty());
    // A token file serves a base URL.
    let file = home.path().join("token");
    std::fs::write(&file, format!("Bearer {}\n", sandbox.token())).unwrap();
    let output = tray(home.path())
        .env("TRAY_API_URL", sandbox.base_url())
        .args(["--token-file", file.to_str().unwrap()])
        .args(["deployment", "get", "acme-crm", "1.0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn several_regions_need_their_own_tokens() {
    let home = tempfile::tempdir().unwrap();
    let output = tray(home.path())
        .env("TRAY_API_TOKEN", "a-token-for-one-region-only")
        .env("TRAY_API_TOKEN_US", "us-token")
        .args(["--region", "us,eu", "-o", "json"])
        .args([
            "permissions",
            "add",
            "acme-crm",
            "1.0",
            "-e",
            "a@example.com",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("TRAY_API_TOKEN_EU"),
        "{}",
        stderr(&output)
    );
    assert_eq!(json_doc(&output)["error"]["kind"], "no_token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_deployment_is_named_and_one_json_document_says_so() {
    let sandbox = faulty("status=latency:1ms").await;
    let home = tempfile::tempdir().unwrap();
    let output = tray_at(home.path(), &sandbox)
        .args(["-o", "json", "deployment", "get", "nope", "1.0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.starts_with("error: deployment nope 1.0 latest: not found (HTTP 404)"),
        "{err}"
    );
    assert!(err.contains("hint: ") && err.contains("--region"), "{err}");
    assert!(!err.contains("get_deployment"), "{err}");
    let doc = json_doc(&output);
    let label = sandbox.base_url().trim_start_matches("http://").to_owned();
    assert_eq!(doc["region"], Value::String(label), "{doc}");
    assert_eq!(doc["error"]["kind"], "not_found");
    assert_eq!(doc["error"]["status"], 404);
    assert_eq!(doc["error"]["operation"], "get_deployment");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_create_cut_off_may_have_been_applied() {
    let sandbox = faulty("create-version=truncated").await;
    let home = tempfile::tempdir().unwrap();
    let output = tray_at(home.path(), &sandbox)
        .args([
            "project",
            "version",
            "create",
            SOURCE,
            "77",
            "--title",
            "Seventy-seven",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("may have been applied"), "{err}");
    assert!(
        err.contains(&format!("hint: check whether version 77 exists before creating it again: tray project version list {SOURCE}")),
        "{err}"
    );
    assert!(!err.contains("base URL"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_share_answered_by_a_proxy_502_may_have_been_applied() {
    let sandbox = faulty("share=html502").await;
    let home = tempfile::tempdir().unwrap();
    let output = tray_at(home.path(), &sandbox)
        .args([
            "-o",
            "json",
            "permissions",
            "add",
            "acme-crm",
            "1.0",
            "-e",
            "a@example.com",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let doc = json_doc(&output);
    assert_eq!(doc["error"]["kind"], "outcome_unknown", "{doc}");
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("connector acme-crm 1.0: server error (HTTP 502)"),
        "{doc}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_cut_off_once_is_retried() {
    let sandbox = faulty("list-versions=truncated@0.5").await;
    let home = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let output = tray_at(home.path(), &sandbox)
            .args(["-o", "json", "project", "version", "list", SOURCE])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert!(json_doc(&output).is_array());
    }
}

#[test]
fn bad_local_input_is_exit_2_with_an_error_document_without_region() {
    let home = tempfile::tempdir().unwrap();
    let output = tray(home.path())
        .args([
            "--sandbox",
            "-o",
            "json",
            "permissions",
            "add",
            "acme-crm",
            "1.0",
        ])
        .args(["-e", "not-an-email"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let doc = json_doc(&output);
    assert_eq!(doc["error"]["kind"], "local", "{doc}");
    assert!(doc.get("region").is_none(), "{doc}");

    // A command line clap rejects, in JSON mode, is one document too.
    let output = tray(home.path())
        .args(["-o", "json", "deployment", "get", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(json_doc(&output)["error"]["kind"], "usage");
}

#[test]
fn permissions_add_shares_in_every_region_at_once() {
    let home = tempfile::tempdir().unwrap();
    let output = tray(home.path())
        .args(["--sandbox", "--region", "us,eu,apac", "-o", "json"])
        .args([
            "permissions",
            "add",
            "acme-crm",
            "1.0",
            "-e",
            "a@example.com,b@example.com",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let doc = json_doc(&output);
    let regions: Vec<&str> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["region"].as_str().unwrap())
        .collect();
    assert_eq!(regions, ["us", "eu", "apac"]);
    for outcome in doc.as_array().unwrap() {
        assert!(
            outcome["result"]["message"]
                .as_str()
                .unwrap()
                .contains("2 permissions"),
            "{outcome}"
        );
        assert!(outcome.get("error").is_none());
    }
    // Text mode: one line per region.
    let output = tray(home.path())
        .args(["--sandbox", "--region", "us,eu"])
        .args([
            "permissions",
            "add",
            "acme-crm",
            "1.0",
            "-e",
            "a@example.com",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.lines().any(|l| l.starts_with("us: acme-crm 1.0:")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("eu: acme-crm 1.0:")),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_that_cannot_be_written_after_the_download_is_exit_1() {
    let sandbox = faulty("status=latency:1ms").await;
    let home = tempfile::tempdir().unwrap();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    // stdout is redirected to a device that is always full.
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin!("tray"))
        .env_remove("TRAY_PROFILE")
        .env_remove("TRAY_REGION")
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("TRAY_API_URL", sandbox.base_url())
        .env("TRAY_API_TOKEN", sandbox.token())
        .args(["project", "export", SOURCE, "1"])
        .stdout(full)
        .output()
        .unwrap();
    // The download happened.
    assert!(
        sandbox
            .requests()
            .iter()
            .any(|r| r.path.ends_with("/export"))
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("cannot write"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preview_without_auth_names_the_flag_to_add() {
    let sandbox = faulty("status=latency:1ms").await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("export.json");
    export_source(&mut tray_at(home.path(), &sandbox), &file);
    let dest = tray_sandbox::DESTINATION_PROJECT_ID.to_string();
    let output = tray_at(home.path(), &sandbox)
        .args(["project", "import", "preview", &dest, "--export"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.starts_with(&format!("error: project {dest}: rejected (HTTP 400)")),
        "{err}"
    );
    let hint = err.lines().find(|l| l.starts_with("hint: ")).unwrap();
    assert!(
        hint.contains("--auth ") && hint.contains("=<uuid>"),
        "{hint}"
    );
}

/// A one-shot HTTP server answering every request with `body` (200, JSON).
async fn scripted(body: &'static str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                // Read the head and the (small) body.
                while let Ok(n) = socket.read(&mut buffer).await {
                    if n == 0 {
                        break;
                    }
                    request.extend_from_slice(&buffer[..n]);
                    let text = String::from_utf8_lossy(&request);
                    if let Some((head, rest)) = text.split_once("\r\n\r\n") {
                        let length = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if rest.len() >= length {
                            break;
                        }
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            });
        }
    });
    format!("http://{address}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_tray_adds_to_a_share_reach_json_output() {
    let url = scripted(
        r#"{"message":"1 permissions added","failureReason":null,"added":["a@example.com"]}"#,
    )
    .await;
    let home = tempfile::tempdir().unwrap();
    let output = tray(home.path())
        .env("TRAY_API_URL", &url)
        .env("TRAY_API_TOKEN", "scripted-token")
        .args([
            "-o",
            "json",
            "permissions",
            "add",
            "acme-crm",
            "1.0",
            "-e",
            "a@example.com",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        json_doc(&output),
        serde_json::json!({"message": "1 permissions added", "failureReason": null, "added": ["a@example.com"]})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_tray_adds_to_a_version_reach_json_output() {
    let url = scripted(
        r#"{"elements":[{"projectId":"5a8591dd-4039-49df-9202-96385ba3eff8","versionNumber":"1","title":"One","description":"","created":"2026-01-02T03:04:05Z","creator":"u-1","failureReason":"none yet"}],"pageInfo":{"hasNextPage":false,"hasPreviousPage":false}}"#,
    )
    .await;
    let home = tempfile::tempdir().unwrap();
    let output = tray(home.path())
        .env("TRAY_API_URL", &url)
        .env("TRAY_API_TOKEN", "scripted-token")
        .args(["-o", "json", "project", "version", "list", SOURCE])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let doc = json_doc(&output);
    assert_eq!(doc[0]["failureReason"], "none yet", "{doc}");
    assert_eq!(doc[0]["versionNumber"], "1", "{doc}");
}
