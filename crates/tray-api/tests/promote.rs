//! Promote between two environments, and multi-region deploys.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;
use tray_api::promote::Promotion;
use tray_api::types::DeploymentStatus;
use tray_api::{ConnectorZip, Error, WaitOptions, deploy_to_regions};
use uuid::Uuid;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn ids() -> (Uuid, Uuid, Uuid) {
    (
        Uuid::parse_str(PROJECT).unwrap(),
        Uuid::parse_str(DEST_PROJECT).unwrap(),
        Uuid::parse_str(SOLUTION).unwrap(),
    )
}

async fn mount_source(source: &MockServer, existing: bool) {
    let versions = if existing {
        vec![version("2", PROJECT), version("3", PROJECT)]
    } else {
        vec![version("2", PROJECT)]
    };
    Mock::given(method("GET"))
        .and(path(format!("/core/v1/projects/{PROJECT}/versions")))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(versions, None)))
        .mount(source)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/core/v1/projects/{PROJECT}/versions/3")))
        .and(body_json(json!({"title": "Release 3"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(version("3", PROJECT)))
        .expect(if existing { 0 } else { 1 })
        .mount(source)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/core/v1/projects/{PROJECT}/versions/3/export"
        )))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"projects": [{"name": "Source"}]})),
        )
        .expect(1)
        .mount(source)
        .await;
}

#[tokio::test]
async fn promote_happy_path_with_solution_release() {
    let (project, destination, solution) = ids();
    let source = MockServer::start().await;
    let dest = MockServer::start().await;
    mount_source(&source, false).await;

    Mock::given(method("POST"))
        .and(path(format!(
            "/core/v1/projects/{DEST_PROJECT}/imports/requirements"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(requirements(true)))
        .expect(1)
        .mount(&dest)
        .await;
    let expected_import = json!({
        "exportedProjectJson": {"projects": [{"name": "Source"}]},
        "connectorMapping": [],
        "serviceMapping": [],
        "authenticationResolution": [{"authExportId": "slack-auth", "authenticationId": SOLUTION}]
    });
    Mock::given(method("POST"))
        .and(path(format!(
            "/core/v1/projects/{DEST_PROJECT}/imports/previews"
        )))
        .and(body_json(expected_import.clone()))
        .respond_with(ResponseTemplate::new(200).set_body_json(preview()))
        .expect(1)
        .mount(&dest)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/core/v1/projects/{DEST_PROJECT}/imports")))
        .and(body_json(expected_import))
        .respond_with(ResponseTemplate::new(200).set_body_json(import_result()))
        .expect(1)
        .mount(&dest)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/core/v1/projects/{DEST_PROJECT}/versions")))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![], None)))
        .mount(&dest)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/core/v1/projects/{DEST_PROJECT}/versions/3")))
        .and(body_json(json!({"title": "Version 3"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(version("3", DEST_PROJECT)))
        .expect(1)
        .mount(&dest)
        .await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/core/v1/solutions/{SOLUTION}/releases/previews"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(release_impact(None)))
        .expect(1)
        .mount(&dest)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/core/v1/solutions/{SOLUTION}/releases")))
        .respond_with(ResponseTemplate::new(200).set_body_json(release_impact(Some(SOLUTION))))
        .expect(1)
        .mount(&dest)
        .await;

    let report = Promotion::new(client(&source), client(&dest), project, "3", destination)
        .title("Release 3")
        .auth_resolution("slack-auth", solution)
        .publish_solution(Some(solution))
        .run()
        .await
        .unwrap();
    assert!(report.source_version_created);
    assert!(report.destination_version_created);
    assert!(report.import.is_some());
    assert!(report.release.is_some());
    let names: Vec<_> = report.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "source version",
            "export",
            "requirements",
            "preview",
            "import",
            "destination version",
            "release preview",
            "release"
        ]
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["dryRun"], json!(false));
    assert_eq!(json["steps"][0]["name"], json!("source version"));
}

#[tokio::test]
async fn promote_stops_on_unresolved_authentications() {
    let (project, destination, _) = ids();
    let source = MockServer::start().await;
    let dest = MockServer::start().await;
    mount_source(&source, true).await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/core/v1/projects/{DEST_PROJECT}/imports/requirements"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(requirements(true)))
        .expect(1)
        .mount(&dest)
        .await;
    let error = Promotion::new(client(&source), client(&dest), project, "3", destination)
        .run()
        .await
        .unwrap_err();
    match &error {
        Error::UnresolvedAuthentications { list } => {
            assert_eq!(list.len(), 1);
            assert_eq!(list[0].auth_export_id, "slack-auth");
            assert_eq!(list[0].service_name, "slack");
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = error.to_string();
    assert!(
        text.contains("slack-auth: Slack (prod) (service slack@2)"),
        "{text}"
    );
    assert!(error.hint().unwrap().contains("EXPORT_ID"));
    // Only the requirements call reached the destination: no preview, no import.
    assert_eq!(dest.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn promote_dry_run_stops_after_the_preview() {
    let (project, destination, _) = ids();
    let source = MockServer::start().await;
    let dest = MockServer::start().await;
    mount_source(&source, true).await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/core/v1/projects/{DEST_PROJECT}/imports/requirements"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(requirements(false)))
        .mount(&dest)
        .await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/core/v1/projects/{DEST_PROJECT}/imports/previews"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(preview()))
        .expect(1)
        .mount(&dest)
        .await;
    let report = Promotion::new(client(&source), client(&dest), project, "3", destination)
        .dry_run(true)
        .run()
        .await
        .unwrap();
    assert!(report.dry_run);
    assert!(!report.source_version_created);
    assert!(report.import.is_none());
    assert_eq!(report.steps.last().unwrap().name, "dry run");
    assert_eq!(dest.received_requests().await.unwrap().len(), 2);
}

const DEPLOY_PATH: &str =
    "/cdk/v1/deployments/connectors/my-connector/versions/1.0/deploy-connector-from-source";

async fn region_server(delay: Duration, fail: bool) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(DEPLOY_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(deployment("d-1", "Deploying"))
                .set_delay(delay),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/cdk/v1/deployments/connectors/my-connector/versions/1.0/d-1",
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(deployment("d-1", if fail { "Failed" } else { "Deployed" })),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn multi_region_deploys_concurrently() {
    let delay = Duration::from_millis(300);
    let servers = [
        region_server(delay, false).await,
        region_server(delay, false).await,
        region_server(delay, true).await,
    ];
    let targets = ["us", "eu", "apac"]
        .iter()
        .zip(&servers)
        .map(|(label, server)| (label.to_string(), client(server)))
        .collect();
    let zip = ConnectorZip::from_bytes(connector_zip(Some("c"), "my-connector", "1.0")).unwrap();
    let seen = Mutex::new(Vec::new());
    let started = Instant::now();
    let outcomes = deploy_to_regions(
        targets,
        &zip,
        Some(WaitOptions {
            interval: Duration::from_millis(10),
            timeout: Duration::from_secs(5),
        }),
        |region, d| seen.lock().unwrap().push(format!("{region}:{}", d.status)),
    )
    .await;
    let elapsed = started.elapsed();
    // Sequential would take at least 3 × 300 ms; concurrent is close to
    // 300 ms. The bound proves the overlap with room for a loaded machine.
    assert!(elapsed >= delay, "{elapsed:?}");
    assert!(
        elapsed < delay * 3,
        "took {elapsed:?}, expected < {:?}",
        delay * 3
    );

    let regions: Vec<_> = outcomes.iter().map(|o| o.region.as_str()).collect();
    assert_eq!(regions, ["us", "eu", "apac"]);
    assert_eq!(
        outcomes[0].result.as_ref().unwrap().status,
        DeploymentStatus::Deployed
    );
    assert_eq!(
        outcomes[1].result.as_ref().unwrap().status,
        DeploymentStatus::Deployed
    );
    assert!(matches!(
        outcomes[2].result,
        Err(Error::DeploymentFailed { .. })
    ));
    let seen = seen.lock().unwrap();
    assert!(seen.contains(&"apac:Failed".to_string()), "{seen:?}");
    assert!(seen.contains(&"us:Deploying".to_string()), "{seen:?}");
    let json = serde_json::to_value(&outcomes).unwrap();
    assert_eq!(json[0]["deployment"]["deploymentStatus"], json!("Deployed"));
    assert!(
        json[2]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("failed")
    );
}
