//! Helpers shared by the integration tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use tray_api::{Client, RetryConfig};
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

pub const TOKEN: &str = "test-token-0123456789abcdef0123456789abcdef";
pub const PROJECT: &str = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
pub const DEST_PROJECT: &str = "7f9619ff-8b86-d011-b42d-00c04fc964ff";
pub const SOLUTION: &str = "8f9619ff-8b86-d011-b42d-00c04fc964ff";

/// Fast retries so tests stay quick.
pub fn fast_retry() -> RetryConfig {
    RetryConfig::default()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
}

pub fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .token(TOKEN)
        .retry(fast_retry())
        .build()
        .unwrap()
}

pub fn zip_bytes(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut buffer);
    for (name, data) in entries {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap();
    buffer.into_inner()
}

pub fn connector_zip(top: Option<&str>, name: &str, version: &str) -> Vec<u8> {
    let manifest = json!({"name": name, "version": version, "title": "Test"}).to_string();
    let path = match top {
        Some(top) => format!("{top}/connector.json"),
        None => "connector.json".to_owned(),
    };
    let source = match top {
        Some(top) => format!("{top}/src/index.ts"),
        None => "src/index.ts".to_owned(),
    };
    zip_bytes(&[
        (path.as_str(), manifest.as_bytes()),
        (source.as_str(), b"export const x = 1;"),
    ])
}

/// Answers the responses of a list in order, repeating the last one.
pub struct Sequence {
    responses: Vec<ResponseTemplate>,
    count: Arc<AtomicUsize>,
}

impl Sequence {
    pub fn new(responses: Vec<ResponseTemplate>) -> Self {
        Self {
            responses,
            count: Arc::new(AtomicUsize::new(0)),
        }
    }
}

impl Respond for Sequence {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let n = self.count.fetch_add(1, Ordering::SeqCst);
        self.responses[n.min(self.responses.len() - 1)].clone()
    }
}

pub fn deployment(id: &str, status: &str) -> Value {
    json!({"id": id, "deploymentStatus": status, "connectorName": "my-connector", "connectorVersion": "1.0"})
}

pub fn version(number: &str, project: &str) -> Value {
    json!({
        "projectId": project,
        "versionNumber": number,
        "title": format!("Version {number}"),
        "description": "",
        "created": "2024-05-25T18:56:09Z",
        "creator": "user-1"
    })
}

pub fn requirements(unresolved: bool) -> Value {
    json!({
        "unresolvedAuthentications": unresolved,
        "newConfigKeys": false,
        "config": {"source": {}, "target": {}},
        "authenticationsRequirements": [
            {
                "authExportId": "slack-auth",
                "title": "Slack (prod)",
                "service": {"name": "slack", "version": "2"},
                "scopes": ["chat:write"]
            }
        ]
    })
}

pub fn import_metadata() -> Value {
    json!({
        "importedFrom": {"projectId": PROJECT, "projectName": "Source", "projectVersion": "3"},
        "projectId": DEST_PROJECT,
        "projectName": "Destination"
    })
}

pub fn preview() -> Value {
    json!({
        "importMetadata": import_metadata(),
        "projectImpact": {
            "config": {"created": [], "updated": [], "removed": []},
            "workflows": {
                "created": [{"name": "New flow", "importedFromId": PROJECT}],
                "updated": [],
                "removed": []
            }
        }
    })
}

pub fn import_result() -> Value {
    json!({
        "importMetadata": import_metadata(),
        "projectImpact": {
            "config": {"created": [], "updated": [], "removed": []},
            "workflows": {
                "created": [{"id": DEST_PROJECT, "name": "New flow", "importedFromId": PROJECT}],
                "updated": [],
                "removed": []
            }
        }
    })
}

pub fn release_impact(release_id: Option<&str>) -> Value {
    let mut v = json!({
        "authSlots": {"created": [], "updated": [], "removed": []},
        "configSlots": {"created": [], "updated": [], "removed": []},
        "breakingChanges": false,
        "requiresNewUserInput": false,
        "requiresNewSystemInput": false
    });
    if let Some(id) = release_id {
        v["releaseId"] = json!(id);
    }
    v
}

pub fn page(elements: Vec<Value>, next: Option<&str>) -> Value {
    json!({
        "elements": elements,
        "pageInfo": {
            "startCursor": null,
            "endCursor": next,
            "hasNextPage": next.is_some(),
            "hasPreviousPage": false
        }
    })
}

/// Reads from a hand-scripted server's connection until the end of the
/// request head (`\r\n\r\n`) and returns what was read, or `None` when
/// the client closed the connection (or it failed) before that.
pub async fn read_request_head<S>(stream: &mut S) -> Option<Vec<u8>>
where
    S: tokio::io::AsyncRead + Unpin,
{
    use tokio::io::AsyncReadExt;
    let mut buffer = vec![0u8; 16 * 1024];
    let mut head = Vec::new();
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return None,
            Ok(read) => head.extend_from_slice(&buffer[..read]),
        }
    }
    Some(head)
}
