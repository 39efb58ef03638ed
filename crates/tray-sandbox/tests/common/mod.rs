//! Helpers shared by the sandbox tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;
use tray_api_raw::deployments::types::{DeployConnectorRequest, DeployConnectorResponse};
use tray_api_raw::{ApiError, ClientState, DeploymentStatus};
use tray_sandbox::{Sandbox, SandboxBuilder, SandboxHandle};

/// An HTTP client without an idle-connection timer, so that tests on
/// tokio's paused clock (`start_paused = true`) advance time only when
/// they sleep, never while a request is in flight.
pub fn http() -> reqwest::Client {
    tray_api_raw::http_client_builder()
        .pool_idle_timeout(None)
        .build()
        .unwrap()
}

pub async fn start() -> SandboxHandle {
    fast().start().await.unwrap()
}

pub fn fast() -> SandboxBuilder {
    Sandbox::builder().deploy_time(Duration::from_millis(300))
}

pub fn deployments(sandbox: &SandboxHandle) -> tray_api_raw::deployments::Client {
    tray_api_raw::deployments::Client::new_with_client(
        &sandbox.base_url(),
        http(),
        ClientState::bearer(sandbox.token()).unwrap(),
    )
}

pub fn permissions(sandbox: &SandboxHandle) -> tray_api_raw::permissions::Client {
    tray_api_raw::permissions::Client::new_with_client(
        &sandbox.base_url(),
        http(),
        ClientState::bearer(sandbox.token()).unwrap(),
    )
}

pub fn projects(sandbox: &SandboxHandle) -> tray_api_raw::projects::Client {
    tray_api_raw::projects::Client::new_with_client(
        &sandbox.base_url(),
        http(),
        ClientState::bearer(sandbox.token()).unwrap(),
    )
}

pub fn solutions(sandbox: &SandboxHandle) -> tray_api_raw::solutions::Client {
    tray_api_raw::solutions::Client::new_with_client(
        &sandbox.base_url(),
        http(),
        ClientState::bearer(sandbox.token()).unwrap(),
    )
}

pub fn source_code(name: &str, version: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(tray_sandbox::sample_connector_zip(name, version))
}

pub async fn deploy(
    client: &tray_api_raw::deployments::Client,
    name: &str,
) -> DeployConnectorResponse {
    client
        .deploy_connector()
        .connector_name(name)
        .connector_version("1.0")
        .body(DeployConnectorRequest {
            connector_source_code: source_code(name, "1.0"),
        })
        .send()
        .await
        .unwrap()
        .into_inner()
}

pub async fn status(
    client: &tray_api_raw::deployments::Client,
    name: &str,
    id: &str,
) -> DeploymentStatus {
    client
        .get_deployment()
        .connector_name(name)
        .connector_version("1.0")
        .id(id)
        .send()
        .await
        .unwrap()
        .into_inner()
        .deployment_status
        .unwrap()
}

/// Polls every 10 ms until the status is terminal (or 5 s pass, on
/// tokio's clock); returns every distinct status seen, in order.
pub async fn poll(
    client: &tray_api_raw::deployments::Client,
    name: &str,
    id: &str,
) -> Vec<DeploymentStatus> {
    let mut seen: Vec<DeploymentStatus> = Vec::new();
    for _ in 0..500 {
        let current = status(client, name, id).await;
        if seen.last() != Some(&current) {
            seen.push(current.clone());
        }
        if current.is_terminal() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    seen
}

/// The status and body of an error from the raw client.
pub fn api_error<T: std::fmt::Debug>(
    result: Result<T, tray_api_raw::Error<ApiError>>,
) -> (u16, String) {
    match result {
        Err(tray_api_raw::Error::ErrorResponse(response)) => {
            let status = response.status().as_u16();
            let body = response.into_inner();
            assert_eq!(body.code, None);
            (status, body.message.unwrap_or_default())
        }
        other => panic!("expected an error response, got {other:?}"),
    }
}

/// A plain HTTP response: status, content type, body text.
pub struct Plain {
    pub status: u16,
    pub content_type: String,
    pub text: String,
}

impl Plain {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// Asserts Tray's error body and returns its message.
    pub fn error(&self, status: u16) -> String {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(self.content_type, "application/json");
        let body = self.json();
        assert_eq!(body["code"], Value::Null);
        assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
        body["message"].as_str().unwrap().to_owned()
    }
}

pub async fn plain(
    sandbox: &SandboxHandle,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Plain {
    let mut request = http().request(method, format!("{}{path}", sandbox.base_url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = response.text().await.unwrap();
    Plain {
        status,
        content_type,
        text,
    }
}

pub fn deploy_path(name: &str, version: &str) -> String {
    format!("/cdk/v1/deployments/connectors/{name}/versions/{version}/deploy-connector-from-source")
}

/// A request written by hand on a new connection (for what an HTTP client
/// would normalise, such as a `..` segment): status and body.
pub async fn raw_request(sandbox: &SandboxHandle, method: &str, path: &str, body: &str) -> Plain {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(sandbox.addr())
        .await
        .unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: sandbox\r\nauthorization: Bearer {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        sandbox.token(),
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8(response).unwrap();
    let (head, text) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|line| line.strip_prefix("content-type: "))
        .unwrap_or_default()
        .to_owned();
    Plain {
        status,
        content_type,
        text: text.to_owned(),
    }
}
