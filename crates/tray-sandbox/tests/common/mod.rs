//! Helpers shared by the sandbox tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;
use tray_api_raw::deployments::types::{DeployConnectorRequest, DeployConnectorResponse};
use tray_api_raw::{ApiError, ClientState, DeploymentStatus};
use tray_sandbox::{Sandbox, SandboxBuilder, SandboxHandle};

pub async fn start() -> SandboxHandle {
    fast().start().await.unwrap()
}

pub fn fast() -> SandboxBuilder {
    Sandbox::builder().deploy_time(Duration::from_millis(300))
}

pub fn deployments(sandbox: &SandboxHandle) -> tray_api_raw::deployments::Client {
    tray_api_raw::deployments::Client::new_with_client(
        &sandbox.base_url(),
        reqwest::Client::new(),
        ClientState::bearer(sandbox.token()).unwrap(),
    )
}

pub fn permissions(sandbox: &SandboxHandle) -> tray_api_raw::permissions::Client {
    tray_api_raw::permissions::Client::new_with_client(
        &sandbox.base_url(),
        reqwest::Client::new(),
        ClientState::bearer(sandbox.token()).unwrap(),
    )
}

pub fn projects(sandbox: &SandboxHandle) -> tray_api_raw::projects::Client {
    tray_api_raw::projects::Client::new_with_client(
        &sandbox.base_url(),
        reqwest::Client::new(),
        ClientState::bearer(sandbox.token()).unwrap(),
    )
}

pub fn solutions(sandbox: &SandboxHandle) -> tray_api_raw::solutions::Client {
    tray_api_raw::solutions::Client::new_with_client(
        &sandbox.base_url(),
        reqwest::Client::new(),
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

/// Polls until the status is terminal (or 5 s pass); returns every
/// distinct status seen, in order.
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
    let mut request =
        reqwest::Client::new().request(method, format!("{}{path}", sandbox.base_url()));
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
