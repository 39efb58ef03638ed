//! `tray api` and `--jq`: against the sandbox, and against a small scripted
//! HTTP server that records what reaches it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};

use common::{sandbox, stderr, stdout, tray, tray_at};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TOKEN: &str = "scripted-server-token-0123456789abcdef";

/// A request as the scripted server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A server answering each connection with the next scripted response
/// (status, body), recording connections and requests.
struct Scripted {
    base_url: String,
    port: u16,
    connections: Arc<Mutex<usize>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn scripted(responses: Vec<(u16, &'static str)>) -> Scripted {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(Mutex::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (count, log) = (connections.clone(), seen.clone());
    tokio::spawn(async move {
        let mut responses = responses.into_iter();
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            *count.lock().unwrap() += 1;
            let Some(request) = read_request(&mut socket).await else {
                continue;
            };
            log.lock().unwrap().push(request);
            let (status, body) = responses
                .next()
                .unwrap_or((500, r#"{"message":"no more"}"#));
            let content_type = if body.starts_with(['{', '[']) {
                "application/json"
            } else {
                "text/plain; charset=latin1"
            };
            let reply = format!(
                "HTTP/1.1 {status} Scripted\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nx-scripted: yes\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    Scripted {
        base_url: format!("http://127.0.0.1:{port}"),
        port,
        connections,
        seen,
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Seen> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(pos) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    Some(Seen {
        method,
        target,
        headers,
        body: data[head_end..].to_vec(),
    })
}

/// `tray` pointed at the scripted server with its token.
fn tray_to(home: &std::path::Path, server: &Scripted) -> assert_cmd::Command {
    let mut cmd = tray(home);
    cmd.env("TRAY_API_URL", &server.base_url)
        .env("TRAY_API_TOKEN", TOKEN);
    cmd
}

async fn output(mut cmd: assert_cmd::Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paginate_merges_three_pages_into_one_array() {
    let sandbox = sandbox().await;
    let client = tray_api::Client::builder()
        .base_url(sandbox.base_url())
        .token(sandbox.token().to_owned())
        .build()
        .unwrap();
    let project = tray_sandbox::SOURCE_PROJECT_ID;
    // The seeded project has version 1; 2 to 5 make five: three pages of 2.
    for n in 2..=5 {
        client
            .projects()
            .create_version(project, n.to_string())
            .title(format!("Release {n}"))
            .await
            .unwrap();
    }
    let home = tempfile::tempdir().unwrap();
    let path = format!("/core/v1/projects/{project}/versions");
    let mut cmd = tray_at(home.path(), &sandbox);
    cmd.args(["api", "--paginate", "-f", "first=2", &path, "-i"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    let numbers: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["versionNumber"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["1", "2", "3", "4", "5"]);
    // -i printed one status line per page.
    assert_eq!(
        stderr(&out).matches("HTTP/1.1 200").count(),
        3,
        "{}",
        stderr(&out)
    );

    let mut cmd = tray_at(home.path(), &sandbox);
    cmd.args(["api", "--paginate", "-f", "first=2", "--limit", "3", &path]);
    cmd.args(["--jq", ".[].title"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Initial release\nRelease 2\nRelease 3\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_fields_make_the_json_body() {
    let server = scripted(vec![(201, r#"{"created":true}"#)]).await;
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("note.txt"), "from a file").unwrap();
    let mut cmd = tray_to(home.path(), &server);
    cmd.args([
        "api",
        "/core/v1/things",
        "-F",
        "count=42",
        "-F",
        "enabled=true",
        "-F",
        "gone=null",
        "-f",
        "literal=42",
        "-F",
        "version=1.0",
        "-F",
        "owner.name=acme",
        "-F",
        "owner.id=7",
        "-F",
        "tags[]=a",
        "-F",
        "tags[]=2",
        "-F",
        "note=@note.txt",
        "-H",
        "X-Extra: hello",
    ]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "{\"created\":true}\n");
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let request = &seen[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.target, "/core/v1/things");
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("x-extra"), Some("hello"));
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(
        body,
        json!({
            "count": 42, "enabled": true, "gone": null, "literal": "42", "version": "1.0",
            "owner": {"name": "acme", "id": 7}, "tags": ["a", 2], "note": "from a file",
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_fields_go_to_the_query_string() {
    let server = scripted(vec![(200, "[]")]).await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = tray_to(home.path(), &server);
    cmd.args([
        "api",
        "-X",
        "get",
        "/core/v1/users",
        "-f",
        "first=5",
        "-F",
        "q=a b",
    ]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].target, "/core/v1/users?first=5&q=a+b");
    assert!(seen[0].body.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_hosts_authorization_headers_and_placeholders_are_refused_before_any_request() {
    let server = scripted(vec![]).await;
    let home = tempfile::tempdir().unwrap();
    let cases: Vec<Vec<String>> = vec![
        // Another host: same port, other name; and a remote host.
        vec![format!("http://localhost:{}/core/v1/x", server.port)],
        vec!["https://api.eu1.tray.io/core/v1/x".to_owned()],
        vec![format!("https://127.0.0.1:{}/core/v1/x", server.port)],
        vec!["//evil.example/core/v1/x".to_owned()],
        vec![
            "/core/v1/x".to_owned(),
            "-H".to_owned(),
            "Authorization: Bearer another-token".to_owned(),
        ],
        vec![
            "/core/v1/x".to_owned(),
            "-H".to_owned(),
            "authorization:x".to_owned(),
        ],
        vec!["/core/v1/projects/{projectId}/versions".to_owned()],
        vec!["/core/v1/x".to_owned(), "--jq".to_owned(), ".[".to_owned()],
    ];
    for case in cases {
        let mut cmd = tray_to(home.path(), &server);
        cmd.arg("api").args(&case);
        let out = output(cmd).await;
        assert_eq!(out.status.code(), Some(2), "{case:?}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{case:?}");
        assert!(
            stderr(&out).starts_with("error: "),
            "{case:?}: {}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains(TOKEN), "{case:?}");
    }
    assert_eq!(*server.connections.lock().unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_2xx_status_exits_1_with_the_body_on_stdout() {
    let body = r#"{"message":"Connector not found","code":null}"#;
    let server = scripted(vec![(404, body), (500, r#"{"message":"boom"}"#)]).await;
    let home = tempfile::tempdir().unwrap();
    let mut cmd = tray_to(home.path(), &server);
    cmd.args([
        "api",
        "/cdk/v1/deployments/connectors/x/versions/1/deployments/latest",
    ]);
    cmd.args(["--jq", ".message"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    // The error body is printed whole (as gh api does), not filtered.
    assert_eq!(stdout(&out).trim_end(), body);
    assert_eq!(
        stderr(&out).lines().next(),
        Some(
            "error: GET /cdk/v1/deployments/connectors/x/versions/1/deployments/latest: HTTP 404: Connector not found"
        )
    );
    // A POST answered 500 is not retried: one request, exit 1.
    let mut cmd = tray_to(home.path(), &server);
    cmd.args(["api", "-X", "POST", "/core/v1/things"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out).trim_end(), r#"{"message":"boom"}"#);
    assert_eq!(server.seen.lock().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_answers_unknown_paths_with_trays_json_404() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = tray(home.path());
    cmd.args(["--sandbox", "api", "/core/v1/workspaces"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(1));
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("/core/v1/workspaces")
    );
    assert!(body.get("code").is_some(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jq_filters_the_json_document_of_typed_commands() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = tray(home.path());
    cmd.args([
        "--sandbox",
        "deployment",
        "get",
        "acme-crm",
        "1.0",
        "--jq",
        ".deploymentStatus",
    ]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "Deployed\n");

    let project = tray_sandbox::SOURCE_PROJECT_ID.to_string();
    let mut cmd = tray(home.path());
    cmd.args(["--sandbox", "project", "version", "list", &project]);
    cmd.args(["--jq", ".[] | {versionNumber, title}"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "{\"versionNumber\":\"1\",\"title\":\"Initial release\"}\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_is_the_body_fields_go_to_the_query_and_non_json_prints_as_received() {
    let server = scripted(vec![(200, "plain  text\n\tas sent"), (200, "{}")]).await;
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("body.json"), "{\"raw\": [1, 2]}").unwrap();
    let mut cmd = tray_to(home.path(), &server);
    cmd.args([
        "api",
        "-X",
        "PUT",
        "/core/v1/things/1",
        "--input",
        "body.json",
    ]);
    cmd.args(["-f", "mode=replace", "-i"]);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(out.stdout, b"plain  text\n\tas sent");
    let err = stderr(&out);
    assert!(err.starts_with("HTTP/1.1 200 OK\n"), "{err}");
    assert!(err.contains("x-scripted: yes\n"), "{err}");
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen[0].method, "PUT");
    assert_eq!(seen[0].target, "/core/v1/things/1?mode=replace");
    assert_eq!(seen[0].body, b"{\"raw\": [1, 2]}");

    // The same, with the body from stdin.
    let mut cmd = tray_to(home.path(), &server);
    cmd.args(["api", "/core/v1/things", "--input", "-"])
        .write_stdin("[3]");
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen[1].method, "POST");
    assert_eq!(seen[1].body, b"[3]");
}
