//! Deployments: deploy request bytes, zip checks, wait, repeat deployments.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use base64::Engine as _;
use common::*;
use futures::StreamExt;
use serde_json::json;
use tray_api::types::DeploymentStatus;
use tray_api::{ConnectorZip, Error, IfBusy, WaitOptions};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const DEPLOY_PATH: &str =
    "/cdk/v1/deployments/connectors/my-connector/versions/1.0/deploy-connector-from-source";

fn fast_wait() -> WaitOptions {
    WaitOptions::new(Duration::from_millis(5), Duration::from_secs(5))
}

#[tokio::test]
async fn deploy_sends_the_exact_request_from_a_file() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(DEPLOY_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(deployment("d-1", "Deploying")))
        .expect(1)
        .mount(&server)
        .await;
    let bytes = connector_zip(Some("my-connector"), "my-connector", "1.0");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("connector.zip");
    std::fs::write(&file, &bytes).unwrap();

    let zip = ConnectorZip::open(&file).unwrap();
    assert_eq!((zip.name(), zip.version()), ("my-connector", "1.0"));
    assert_eq!(zip.len(), bytes.len() as u64);
    let deployment = client(&server).deployments().deploy(&zip).await.unwrap();
    assert_eq!(deployment.id, "d-1");
    assert_eq!(deployment.status, DeploymentStatus::Deploying);
    assert!(!deployment.repeat);

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.url.path(), DEPLOY_PATH);
    assert_eq!(
        request
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap(),
        format!("Bearer {TOKEN}")
    );
    assert_eq!(
        request
            .headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap(),
        "application/json"
    );
    assert!(request.headers.get("api-version").is_none());
    let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body.as_object().unwrap().len(), 1);
    let encoded = body["connectorSourceCode"].as_str().unwrap();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    assert_eq!(decoded, bytes);
}

#[tokio::test]
async fn deploy_from_bytes_with_root_connector_json() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/cdk/v1/deployments/connectors/root-conn/versions/2.0/deploy-connector-from-source",
        ))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "d-2"})))
        .expect(1)
        .mount(&server)
        .await;
    let bytes = connector_zip(None, "root-conn", "2.0");
    let zip = ConnectorZip::from_bytes(bytes.clone()).unwrap();
    assert_eq!((zip.name(), zip.version()), ("root-conn", "2.0"));
    let deployment = client(&server).deployments().deploy(&zip).await.unwrap();
    // Missing fields are filled from the request.
    assert_eq!(deployment.connector_name, "root-conn");
    assert_eq!(deployment.status, DeploymentStatus::Deploying);
    let body: serde_json::Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(body["connectorSourceCode"].as_str().unwrap())
        .unwrap();
    assert_eq!(decoded, bytes);
}

/// Bad zips and mismatches are local errors, found before any request
/// (the whole table of cases is in `tests/zip_corpus.rs`); `deploy` only
/// takes a `ConnectorZip` that passed them.
#[test]
fn bad_zips_and_mismatches_are_local_errors() {
    let dir = tempfile::tempdir().unwrap();
    let not_zip = dir.path().join("not.zip");
    std::fs::write(&not_zip, b"this is not a zip").unwrap();
    let error = ConnectorZip::open(&not_zip).unwrap_err();
    assert!(error.is_local(), "{error}");
    assert!(error.to_string().contains("not a valid zip"), "{error}");
    assert!(error.to_string().contains("not.zip"), "{error}");

    let missing = ConnectorZip::open(dir.path().join("missing.zip")).unwrap_err();
    assert!(missing.is_local());

    let no_manifest = ConnectorZip::from_bytes(zip_bytes(&[("src/index.ts", b"x")])).unwrap_err();
    assert!(
        matches!(
            &no_manifest,
            tray_api::Error::InvalidZip {
                source: tray_api::ZipError::MissingManifest { .. },
                ..
            }
        ),
        "{no_manifest}"
    );

    let zip = ConnectorZip::from_bytes(connector_zip(Some("c"), "my-connector", "1.0")).unwrap();
    let mismatch = zip.ensure_matches(Some("other"), Some("1.0")).unwrap_err();
    assert!(mismatch.is_local());
    assert_eq!(
        mismatch.to_string(),
        r#"the zip says name "my-connector" in its connector.json but "other" was given"#
    );
    assert!(zip.ensure_matches(None, Some("2.0")).is_err());
    assert!(
        zip.ensure_matches(Some("my-connector"), Some("1.0"))
            .is_ok()
    );
}

#[tokio::test]
async fn repeat_deployment_waits_for_the_running_one_then_uploads_again() {
    let server = MockServer::start().await;
    let mut repeat = deployment("in-progress", "Deploying");
    repeat["repeatDeployment"] = json!(true);
    // First upload: skipped (another deployment runs); second: ours.
    Mock::given(method("POST"))
        .and(path(DEPLOY_PATH))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(200).set_body_json(repeat.clone()),
            ResponseTemplate::new(200).set_body_json(repeat),
            ResponseTemplate::new(200).set_body_json(deployment("ours", "Deploying")),
        ]))
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/cdk/v1/deployments/connectors/my-connector/versions/1.0/in-progress",
        ))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(200).set_body_json(deployment("in-progress", "Building")),
            ResponseTemplate::new(200).set_body_json(deployment("in-progress", "Failed")),
        ]))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/cdk/v1/deployments/connectors/my-connector/versions/1.0/ours",
        ))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(200).set_body_json(deployment("ours", "Building")),
            ResponseTemplate::new(200).set_body_json(deployment("ours", "Deployed")),
        ]))
        .mount(&server)
        .await;
    let zip = ConnectorZip::from_bytes(connector_zip(Some("c"), "my-connector", "1.0")).unwrap();
    let client = client(&server);
    // A plain deploy reports the skip.
    let started = client.deployments().deploy(&zip).send().await.unwrap();
    assert!(started.repeat);
    assert_eq!(started.id, "in-progress");
    let json = serde_json::to_value(&started).unwrap();
    assert_eq!(json["repeatDeployment"], json!(true));

    // A deploy-and-wait follows the running one to its end (Failed does not
    // matter: it is not ours), uploads again, and ends with its own.
    let states: Vec<_> = client
        .deployments()
        .deploy(&zip)
        .wait()
        .options(fast_wait())
        .watch()
        .collect()
        .await;
    let states: Vec<(String, String, bool)> = states
        .into_iter()
        .map(|s| {
            let d = s.unwrap();
            (d.id, d.status.to_string(), d.repeat)
        })
        .collect();
    let expected = [
        ("in-progress", "Deploying", true),
        ("in-progress", "Failed", false),
        ("ours", "Deploying", false),
        ("ours", "Building", false),
        ("ours", "Deployed", false),
    ];
    let expected: Vec<(String, String, bool)> = expected
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), *c))
        .collect();
    // The running deployment's Building may or may not be polled before it
    // fails; everything else is exact.
    let without_building: Vec<_> = states
        .iter()
        .filter(|s| !(s.0 == "in-progress" && s.1 == "Building"))
        .cloned()
        .collect();
    assert_eq!(without_building, expected);
    let uploads = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .count();
    assert_eq!(uploads, 3);
}

#[tokio::test]
async fn if_busy_fail_stops_at_once_naming_the_running_deployment() {
    let server = MockServer::start().await;
    let mut repeat = deployment("in-progress", "Building");
    repeat["repeatDeployment"] = json!(true);
    Mock::given(method("POST"))
        .and(path(DEPLOY_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(repeat))
        .expect(1)
        .mount(&server)
        .await;
    let zip = ConnectorZip::from_bytes(connector_zip(Some("c"), "my-connector", "1.0")).unwrap();
    let error = client(&server)
        .deployments()
        .deploy(&zip)
        .wait()
        .options(fast_wait())
        .if_busy(IfBusy::Fail)
        .await
        .unwrap_err();
    match &error {
        Error::Busy { deployment } => {
            assert_eq!(deployment.id, "in-progress");
            assert!(deployment.repeat);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(error.kind(), "busy");
    assert!(error.to_string().contains("in-progress"), "{error}");
    // No poll was made.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn unknown_fields_are_kept_and_serialized_back() {
    let server = MockServer::start().await;
    let mut body = deployment("d-1", "Failed");
    body["failureReason"] = json!("x");
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body.clone()))
        .mount(&server)
        .await;
    let got = client(&server)
        .deployments()
        .get("my-connector", "1.0", "d-1")
        .await
        .unwrap();
    assert_eq!(got.extra.get("failureReason"), Some(&json!("x")));
    assert_eq!(serde_json::to_value(&got).unwrap(), body);
}

#[tokio::test]
async fn wait_follows_deploying_building_deployed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(
            "/cdk/v1/deployments/connectors/my-connector/versions/1.0/d-1",
        ))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(200).set_body_json(deployment("d-1", "Deploying")),
            ResponseTemplate::new(200).set_body_json(deployment("d-1", "Building")),
            ResponseTemplate::new(200).set_body_json(deployment("d-1", "Deployed")),
        ]))
        .expect(3)
        .mount(&server)
        .await;
    let client = client(&server);
    let start =
        tray_api::Deployment::new("d-1", DeploymentStatus::Deploying, "my-connector", "1.0");
    let seen: Vec<String> = client
        .deployments()
        .wait(&start)
        .options(fast_wait())
        .watch()
        .map(|d| d.unwrap().status.to_string())
        .collect()
        .await;
    // Each new state once; the first poll repeats the known Deploying.
    assert_eq!(seen, ["Building", "Deployed"]);
}

#[tokio::test]
async fn wait_reports_a_failed_deployment_as_an_error_with_the_deployment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(
            "/cdk/v1/deployments/connectors/my-connector/versions/1.0/latest",
        ))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(200).set_body_json(deployment("d-9", "Deploying")),
            ResponseTemplate::new(200).set_body_json(deployment("d-9", "Failed")),
        ]))
        .mount(&server)
        .await;
    let latest = tray_api::Deployment::new("", DeploymentStatus::Deploying, "my-connector", "1.0");
    let error = client(&server)
        .deployments()
        .wait(&latest)
        .options(fast_wait())
        .await
        .unwrap_err();
    match error {
        Error::DeploymentFailed { deployment } => {
            assert_eq!(deployment.id, "d-9");
            assert_eq!(deployment.status, DeploymentStatus::Failed);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn unknown_status_is_in_progress_and_wait_times_out() {
    let server = MockServer::start().await;
    let mut body = deployment("d-1", "Queued");
    body["somethingNew"] = json!({"nested": [1, 2, 3]});
    Mock::given(method("GET"))
        .and(path(
            "/cdk/v1/deployments/connectors/my-connector/versions/1.0/d-1",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let client = client(&server);
    let got = client
        .deployments()
        .get("my-connector", "1.0", "d-1")
        .await
        .unwrap();
    assert_eq!(got.status, DeploymentStatus::Unknown("Queued".into()));

    let error = client
        .deployments()
        .wait(&got)
        .interval(Duration::from_millis(20))
        .timeout(Duration::from_millis(150))
        .await
        .unwrap_err();
    match &error {
        Error::Timeout { last, .. } => {
            let last = last.as_ref().unwrap();
            assert_eq!(last.status.as_str(), "Queued");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(error.hint().is_some());
}

#[tokio::test]
async fn not_found_carries_operation_status_and_message() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"message": "The connector was not found", "code": null})),
        )
        .mount(&server)
        .await;
    let error = client(&server)
        .deployments()
        .get("my-connector", "1.0", "latest")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound(_)), "{error:?}");
    assert_eq!(error.status(), Some(404));
    assert_eq!(error.message(), Some("The connector was not found"));
    assert_eq!(error.operation(), Some("get_deployment"));
    assert!(!error.is_local());
}

#[tokio::test]
async fn deploy_error_statuses_are_mapped() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"message": "Only version 1.0 is supported", "code": "BAD_VERSION"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let zip = ConnectorZip::from_bytes(connector_zip(None, "my-connector", "1.0")).unwrap();
    let error = client(&server)
        .deployments()
        .deploy(&zip)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
    assert_eq!(error.code(), Some("BAD_VERSION"));
    assert_eq!(error.operation(), Some("deploy_connector"));
}

#[tokio::test]
async fn deployment_serializes_with_tray_field_names() {
    let d = tray_api::Deployment::new("x", DeploymentStatus::Deployed, "c", "1.0");
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(
        v,
        json!({"id": "x", "deploymentStatus": "Deployed", "connectorName": "c", "connectorVersion": "1.0"})
    );
}

#[tokio::test]
async fn deploy_is_retried_with_the_same_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(DEPLOY_PATH))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(503).set_body_string("upstream unavailable"),
            ResponseTemplate::new(500).set_body_json(json!({"message": "Internal error"})),
            ResponseTemplate::new(200).set_body_json(deployment("d-3", "Deploying")),
        ]))
        .expect(3)
        .mount(&server)
        .await;
    let bytes = connector_zip(Some("my-connector"), "my-connector", "1.0");
    let zip = ConnectorZip::from_bytes(bytes).unwrap();
    let deployment = client(&server).deployments().deploy(&zip).await.unwrap();
    assert_eq!(deployment.id, "d-3");
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].body, requests[2].body);
    assert!(!requests[0].body.is_empty());
}

/// A region whose first upload is skipped (a deployment runs there), then
/// accepted; the other region deploys at once.
async fn busy_region(busy: bool) -> MockServer {
    let server = MockServer::start().await;
    let mut repeat = deployment("running", "Building");
    repeat["repeatDeployment"] = json!(true);
    let uploads = if busy {
        vec![
            ResponseTemplate::new(200).set_body_json(repeat),
            ResponseTemplate::new(200).set_body_json(deployment("ours", "Deploying")),
        ]
    } else {
        vec![ResponseTemplate::new(200).set_body_json(deployment("ours", "Deploying"))]
    };
    Mock::given(method("POST"))
        .and(path(DEPLOY_PATH))
        .respond_with(Sequence::new(uploads))
        .mount(&server)
        .await;
    for id in ["running", "ours"] {
        Mock::given(method("GET"))
            .and(path(format!(
                "/cdk/v1/deployments/connectors/my-connector/versions/1.0/{id}"
            )))
            .respond_with(ResponseTemplate::new(200).set_body_json(deployment(id, "Deployed")))
            .mount(&server)
            .await;
    }
    server
}

#[tokio::test]
async fn multi_region_deploys_redo_a_skipped_upload_per_region() {
    let zip = ConnectorZip::from_bytes(connector_zip(Some("c"), "my-connector", "1.0")).unwrap();
    let (us, eu) = (busy_region(false).await, busy_region(true).await);
    let targets = vec![
        ("us".to_owned(), client(&us)),
        ("eu".to_owned(), client(&eu)),
    ];
    let outcomes = tray_api::deploy_to_regions(targets, &zip, Some(fast_wait()), |_, _| {}).await;
    for outcome in &outcomes {
        assert_eq!(outcome.result.as_ref().unwrap().id, "ours", "{outcome:?}");
    }
    assert!(outcomes[0].skipped_for.is_empty());
    assert_eq!(outcomes[1].skipped_for, ["running"]);
    let json = serde_json::to_value(&outcomes).unwrap();
    assert_eq!(json[1]["skippedFor"], json!(["running"]));
    assert!(json[0].get("skippedFor").is_none(), "{json}");
    assert_eq!(
        eu.received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.method.as_str() == "POST")
            .count(),
        2
    );

    // With IfBusy::Fail the busy region stops at once; the other deploys.
    let (us, eu) = (busy_region(false).await, busy_region(true).await);
    let targets = vec![
        ("us".to_owned(), client(&us)),
        ("eu".to_owned(), client(&eu)),
    ];
    let options = fast_wait().with_if_busy(IfBusy::Fail);
    let outcomes = tray_api::deploy_to_regions(targets, &zip, Some(options), |_, _| {}).await;
    assert_eq!(outcomes[0].result.as_ref().unwrap().id, "ours");
    match &outcomes[1].result {
        Err(Error::Busy { deployment }) => assert_eq!(deployment.id, "running"),
        other => panic!("expected Busy, got {other:?}"),
    }
    let json = serde_json::to_value(&outcomes).unwrap();
    assert_eq!(json[1]["error"]["kind"], json!("busy"));
}
