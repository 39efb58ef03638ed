//! Deploys and waits tell the truth in unattended runs: a skipped upload is
//! redone (or reported), progress is one plain line per state on stderr,
//! `--timeout` bounds the whole command, and `-o json` prints Tray's body
//! with its unknown fields.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use common::{connector_project, deploy_json, json_doc, stderr, stdout, tray, tray_at};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tray_sandbox::{Sandbox, SandboxHandle};

const DEPLOY_SUFFIX: &str = "/deploy-connector-from-source";

fn code(output: &Output) -> Option<i32> {
    output.status.code()
}

async fn sandbox_with(deploy_time: Duration) -> SandboxHandle {
    Sandbox::builder()
        .deploy_time(deploy_time)
        .start()
        .await
        .unwrap()
}

/// The project's zip with an archive comment: a valid zip of the same
/// connector whose bytes differ from the sandbox's sample (a new build).
fn rebuild_with_comment(project: &Path, comment: &str) {
    let path = project.join(".tray/connector.zip");
    let mut bytes = std::fs::read(&path).unwrap();
    let len = bytes.len();
    // The end-of-central-directory record ends with the comment length (0).
    assert_eq!(&bytes[len - 2..], &[0, 0]);
    let n = u16::try_from(comment.len()).unwrap().to_le_bytes();
    bytes[len - 2] = n[0];
    bytes[len - 1] = n[1];
    bytes.extend_from_slice(comment.as_bytes());
    std::fs::write(&path, bytes).unwrap();
}

fn deploy_bodies(sandbox: &SandboxHandle) -> Vec<String> {
    sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with(DEPLOY_SUFFIX))
        .map(|r| r.body)
        .collect()
}

/// Every stderr line before the error (if any) is a plain progress line:
/// `ELAPSED  TEXT`, no ANSI escape, no spinner.
fn progress_lines(err: &str) -> Vec<String> {
    assert!(!err.contains('\x1b'), "ANSI codes off a terminal: {err:?}");
    let elapsed = regex::Regex::new(r"^\d+(s|m\d\ds|h\d\dm)  \S").unwrap();
    err.lines()
        .take_while(|l| !l.starts_with("error:") && !l.starts_with("warning:"))
        .map(|l| {
            assert!(elapsed.is_match(l), "not a plain progress line: {l:?}");
            l.split_once("  ").unwrap().1.to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deploy_while_another_runs_waits_and_deploys_its_own_zip() {
    let sandbox = sandbox_with(Duration::from_secs(4)).await;
    let home = tempfile::tempdir().unwrap();
    let old = connector_project(&home.path().join("old"), "acme-crm", "1.0");
    let new = connector_project(&home.path().join("new"), "acme-crm", "1.0");
    rebuild_with_comment(&new, "build 2");

    let first = tray_at(home.path(), &sandbox)
        .args(["-o", "json", "deployment", "create", old.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(code(&first), Some(0), "{}", stderr(&first));
    let running = json_doc(&first)["id"].as_str().unwrap().to_owned();

    let output = tray_at(home.path(), &sandbox)
        .args(["-o", "json", "deployment", "create", new.to_str().unwrap()])
        .args(["--wait", "--interval", "100ms", "--timeout", "60s"])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let done = json_doc(&output);
    let own = done["id"].as_str().unwrap().to_owned();
    assert_ne!(own, running, "exit 0 must be for a deployment of this zip");
    assert_eq!(done["deploymentStatus"], "Deployed");
    assert_eq!(done["skippedFor"], json!([running]));
    assert!(done.get("repeatDeployment").is_none(), "{done}");

    // The sandbox saw the command upload twice: skipped, then accepted; both
    // uploads carried the new zip, not the one already running.
    let bodies = deploy_bodies(&sandbox);
    assert_eq!(bodies.len(), 3, "uploads: {}", bodies.len());
    assert_ne!(bodies[0], bodies[1]);
    assert_eq!(bodies[1], bodies[2]);
    let latest = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.ends_with(&format!("/{own}")))
        .count();
    assert!(latest >= 1, "the command polled its own deployment");

    let lines = progress_lines(&stderr(&output));
    assert!(
        lines[0].starts_with("acme-crm 1.0  uploading ("),
        "{lines:#?}"
    );
    assert_eq!(
        &lines[1],
        &format!(
            "acme-crm 1.0  upload skipped: deployment {running} is already in progress (Deploying); waiting for it to end, then uploading again"
        )
    );
    let again = lines
        .iter()
        .position(|l| {
            l == &format!(
                "acme-crm 1.0  Deployed (deployment {running}, in progress before ours); uploading again"
            )
        })
        .unwrap_or_else(|| panic!("{lines:#?}"));
    let ours = lines
        .iter()
        .position(|l| l == &format!("acme-crm 1.0  Deploying (deployment {own})"))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert!(again < ours, "{lines:#?}");
    assert_eq!(lines.last().unwrap(), "acme-crm 1.0  Deployed");

    // The deployment now live is the one this command uploaded.
    let text = tray_at(home.path(), &sandbox)
        .args(["deployment", "get", "acme-crm", "1.0", "latest"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&text).trim(),
        format!("acme-crm 1.0: Deployed (deployment {own})")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn if_busy_fail_exits_1_naming_the_running_deployment() {
    let sandbox = sandbox_with(Duration::from_secs(60)).await;
    let home = tempfile::tempdir().unwrap();
    let project = connector_project(home.path(), "acme-crm", "1.0");
    let first = deploy_json(home.path(), &sandbox, &project)
        .output()
        .unwrap();
    let running = json_doc(&first)["id"].as_str().unwrap().to_owned();

    let output = tray_at(home.path(), &sandbox)
        .args(["deployment", "create", project.to_str().unwrap()])
        .args(["--wait", "--if-busy", "fail", "--interval", "50ms"])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    let error = err.lines().find(|l| l.starts_with("error:")).unwrap();
    assert!(error.contains(&running), "{err}");
    assert!(error.contains("already in progress"), "{err}");
    assert!(err.contains("hint: "), "{err}");
    assert!(output.stdout.is_empty(), "{}", stdout(&output));
    assert_eq!(deploy_bodies(&sandbox).len(), 2);
    // Stopped at once: no status poll.
    assert!(
        sandbox.requests().iter().all(|r| r.method != "GET"),
        "{:?}",
        sandbox.requests()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skipped_upload_without_wait_is_said_on_stderr() {
    let sandbox = sandbox_with(Duration::from_secs(60)).await;
    let home = tempfile::tempdir().unwrap();
    let project = connector_project(home.path(), "acme-crm", "1.0");
    let first = deploy_json(home.path(), &sandbox, &project)
        .output()
        .unwrap();
    let running = json_doc(&first)["id"].as_str().unwrap().to_owned();
    assert!(stderr(&first).is_empty(), "{}", stderr(&first));

    let output = deploy_json(home.path(), &sandbox, &project)
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let body = json_doc(&output);
    assert_eq!(body["repeatDeployment"], true);
    assert_eq!(body["id"], running.as_str());
    let err = stderr(&output);
    assert!(
        err.starts_with("warning: Tray skipped this upload"),
        "{err}"
    );
    assert!(err.contains(&running), "{err}");
    assert!(err.contains("repeatDeployment"), "{err}");

    // -q silences the note, not the document.
    let quiet = tray_at(home.path(), &sandbox)
        .args([
            "-q",
            "-o",
            "json",
            "deployment",
            "create",
            project.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(quiet.stderr.is_empty(), "{}", stderr(&quiet));
    assert_eq!(json_doc(&quiet)["repeatDeployment"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waits_print_one_plain_line_per_state_on_stderr() {
    let sandbox = sandbox_with(Duration::from_secs(2)).await;
    let home = tempfile::tempdir().unwrap();
    let project = connector_project(home.path(), "unknown-crm", "1.0");
    let output = tray_at(home.path(), &sandbox)
        .args(["deployment", "create", project.to_str().unwrap()])
        .args(["--wait", "--interval", "50ms"])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert_eq!(out.lines().count(), 1, "only the result on stdout: {out}");
    assert!(
        out.starts_with("unknown-crm 1.0: Deployed (deployment "),
        "{out}"
    );
    let lines = progress_lines(&stderr(&output));
    let size = std::fs::metadata(project.join(".tray/connector.zip"))
        .unwrap()
        .len();
    assert_eq!(
        lines[0],
        format!("unknown-crm 1.0  uploading ({size} bytes)")
    );
    assert!(
        lines[1].starts_with("unknown-crm 1.0  Deploying (deployment "),
        "{lines:#?}"
    );
    // An undocumented status is printed, once; then the known ones, in order.
    assert_eq!(
        &lines[2..],
        [
            "unknown-crm 1.0  Queued",
            "unknown-crm 1.0  Building",
            "unknown-crm 1.0  Deployed"
        ],
        "{lines:#?}"
    );

    // -o json: the same lines on stderr, one document on stdout.
    let output = tray_at(home.path(), &sandbox)
        .args(["-o", "json", "deployment", "get", "unknown-crm", "1.0"])
        .args(["latest", "--wait", "--interval", "50ms"])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    assert_eq!(json_doc(&output)["deploymentStatus"], "Deployed");

    let project = connector_project(home.path(), "other-crm", "1.0");
    let output = deploy_json(home.path(), &sandbox, &project)
        .args(["--wait", "--interval", "50ms"])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    assert_eq!(json_doc(&output)["deploymentStatus"], "Deployed");
    let lines = progress_lines(&stderr(&output));
    assert!(lines[0].starts_with("other-crm 1.0  uploading ("));
    assert!(lines[1].starts_with("other-crm 1.0  Deploying (deployment "));
    assert_eq!(
        &lines[2..],
        ["other-crm 1.0  Building", "other-crm 1.0  Deployed"]
    );

    // -q: nothing on stderr.
    let project = connector_project(home.path(), "quiet-crm", "1.0");
    let output = tray_at(home.path(), &sandbox)
        .args(["-q", "deployment", "create", project.to_str().unwrap()])
        .args(["--wait", "--interval", "50ms"])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
}

#[test]
fn multi_region_lines_carry_the_region() {
    let home = tempfile::tempdir().unwrap();
    let project = connector_project(home.path(), "acme-crm", "1.0");
    let output = tray(home.path())
        .args(["--sandbox", "--region", "us,eu", "-o", "json"])
        .args(["deployment", "create", project.to_str().unwrap()])
        .args(["--wait", "--interval", "100ms"])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    assert_eq!(json_doc(&output).as_array().unwrap().len(), 2);
    let lines = progress_lines(&stderr(&output));
    for region in ["us", "eu"] {
        let mine: Vec<_> = lines
            .iter()
            .filter(|l| l.starts_with(&format!("{region}  acme-crm 1.0  ")))
            .collect();
        assert!(mine[0].ends_with(" bytes)"), "{lines:#?}");
        assert!(mine[1].contains("  Deploying (deployment "), "{lines:#?}");
        assert!(mine.last().unwrap().ends_with("  Deployed"), "{lines:#?}");
    }
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("us  ") || l.starts_with("eu  ")),
        "{lines:#?}"
    );
}

/// What the scripted server does with a request.
#[derive(Clone)]
enum Reply {
    Json(&'static str),
    Hang,
}

/// A small scripted HTTP server: `route(method, path)` decides.
async fn scripted(route: impl Fn(&str, &str) -> Reply + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let route = Arc::new(route);
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let route = route.clone();
            tokio::spawn(async move {
                loop {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        if socket.read(&mut byte).await.unwrap_or(0) == 0 {
                            return;
                        }
                        head.push(byte[0]);
                    }
                    let head = String::from_utf8_lossy(&head).to_string();
                    let mut words = head.split_whitespace();
                    let method = words.next().unwrap_or("").to_owned();
                    let path = words.next().unwrap_or("").to_owned();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    let mut body = vec![0u8; length];
                    if socket.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    match route(&method, &path) {
                        Reply::Hang => std::future::pending::<()>().await,
                        Reply::Json(body) => {
                            let answer = format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                                body.len()
                            );
                            if socket.write_all(answer.as_bytes()).await.is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

const STARTED: &str = r#"{"id":"d-1","deploymentStatus":"Deploying","connectorName":"acme-crm","connectorVersion":"1.0"}"#;

fn tray_to(home: &Path, base_url: &str) -> assert_cmd::Command {
    let mut cmd = tray(home);
    cmd.env("TRAY_API_URL", base_url).env(
        "TRAY_API_TOKEN",
        "test-token-0123456789abcdef0123456789abcdef",
    );
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_cuts_a_hanging_status_call_and_prints_the_last_deployment() {
    let base = scripted(|method, _| {
        if method == "POST" {
            Reply::Json(STARTED)
        } else {
            Reply::Hang
        }
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let project = connector_project(home.path(), "acme-crm", "1.0");
    let output = tray_to(home.path(), &base)
        .args(["--region", "eu", "-o", "json", "deployment", "create"])
        .arg(&project)
        .args(["--wait", "--interval", "100ms", "--timeout", "1s"])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(4), "{}", stderr(&output));
    let mut expected: Value = serde_json::from_str(STARTED).unwrap();
    expected["timedOut"] = json!(true);
    assert_eq!(json_doc(&output), expected);
    let err = stderr(&output);
    assert!(
        err.contains(
            "hint: to resume waiting: tray deployment get acme-crm 1.0 d-1 --wait --region eu\n"
        ),
        "{err}"
    );

    // The same for `deployment get --wait`, whose first read hangs.
    let output = tray_to(home.path(), &base)
        .args(["-o", "json", "deployment", "get", "acme-crm", "1.0", "d-1"])
        .args(["--wait", "--timeout", "1s"])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(4), "{}", stderr(&output));
    assert_eq!(
        json_doc(&output),
        json!({"connectorName": "acme-crm", "connectorVersion": "1.0", "timedOut": true})
    );
    assert!(
        stderr(&output).contains("tray deployment get acme-crm 1.0 d-1 --wait\n"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_cuts_a_hanging_deploy_upload() {
    let base = scripted(|_, _| Reply::Hang).await;
    let home = tempfile::tempdir().unwrap();
    let project = connector_project(home.path(), "acme-crm", "1.0");
    let output = tray_to(home.path(), &base)
        .args(["-o", "json", "deployment", "create"])
        .arg(&project)
        .args(["--wait", "--timeout", "1s"])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(4), "{}", stderr(&output));
    assert_eq!(
        json_doc(&output),
        json!({"connectorName": "acme-crm", "connectorVersion": "1.0", "timedOut": true})
    );
    let err = stderr(&output);
    assert!(
        err.contains("tray deployment get acme-crm 1.0 latest"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_timeout_bounds_one_call() {
    let base = scripted(|_, _| Reply::Hang).await;
    let home = tempfile::tempdir().unwrap();
    let output = tray_to(home.path(), &base)
        .args(["--request-timeout", "300ms", "deployment", "get"])
        .args(["acme-crm", "1.0", "d-1"])
        .output()
        .unwrap();
    // Not a wait: a request that gives up is a network failure.
    assert_eq!(code(&output), Some(1), "{}", stderr(&output));
    // The error names what was asked about (not the API operation).
    assert!(
        stderr(&output).contains("deployment acme-crm 1.0 d-1: request failed"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_response_fields_reach_json_output() {
    let base = scripted(|_, _| {
        Reply::Json(
            r#"{"id":"d-1","deploymentStatus":"Failed","connectorName":"acme-crm","connectorVersion":"1.0","failureReason":"x","details":{"step":2}}"#,
        )
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let output = tray_to(home.path(), &base)
        .args(["-o", "json", "deployment", "get", "acme-crm", "1.0", "d-1"])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(3), "{}", stderr(&output));
    let body = json_doc(&output);
    assert_eq!(body["failureReason"], "x");
    assert_eq!(body["details"], json!({"step": 2}));
}

#[test]
fn a_multi_region_timeout_marks_each_last_deployment() {
    let home = tempfile::tempdir().unwrap();
    let project = connector_project(home.path(), "stuck-crm", "1.0");
    let output = tray(home.path())
        .args(["--sandbox", "--region", "us,eu", "-o", "json"])
        .args(["deployment", "create", project.to_str().unwrap()])
        .args(["--wait", "--interval", "100ms", "--timeout", "1s"])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(4), "{}", stderr(&output));
    let outcomes = json_doc(&output);
    for (outcome, region) in outcomes.as_array().unwrap().iter().zip(["us", "eu"]) {
        assert_eq!(outcome["region"], region);
        assert_eq!(outcome["error"]["kind"], "timeout");
        assert_eq!(outcome["deployment"]["timedOut"], true);
        assert_eq!(outcome["deployment"]["deploymentStatus"], "Deploying");
    }
    let err = stderr(&output);
    assert!(
        err.contains("hint: to resume waiting: tray deployment get stuck-crm 1.0 "),
        "{err}"
    );
}
