//! Promote between two environments, and multi-region deploys.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use common::*;
use serde_json::json;
use tray_api::promote::{PromoteReport, PromoteStepKind, PromoteStepStatus, Promotion};
use tray_api::types::DeploymentStatus;
use tray_api::{ConnectorZip, Error, WaitOptions, deploy_to_regions};
use uuid::Uuid;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn ids() -> (Uuid, Uuid, Uuid) {
    (
        Uuid::parse_str(PROJECT).unwrap(),
        Uuid::parse_str(DEST_PROJECT).unwrap(),
        Uuid::parse_str(SOLUTION).unwrap(),
    )
}

/// The source: versions 2 (and 3 when `existing`), version 3 created on
/// demand (`expected_creates` times), and the export of `exported`.
async fn mount_source(source: &MockServer, existing: bool, expected_creates: u64, exported: &str) {
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
        .expect(expected_creates)
        .mount(source)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/core/v1/projects/{PROJECT}/versions/{exported}/export"
        )))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"projects": [{"name": "Source"}]})),
        )
        .mount(source)
        .await;
}

/// The destination project: its (empty) version list and the requirements.
async fn mount_destination(dest: &MockServer, unresolved: bool) {
    Mock::given(method("GET"))
        .and(path(format!("/core/v1/projects/{DEST_PROJECT}/versions")))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(vec![], None)))
        .mount(dest)
        .await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/core/v1/projects/{DEST_PROJECT}/imports/requirements"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(requirements(unresolved)))
        .mount(dest)
        .await;
}

async fn mount_preview(dest: &MockServer) {
    Mock::given(method("POST"))
        .and(path(format!(
            "/core/v1/projects/{DEST_PROJECT}/imports/previews"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(preview()))
        .mount(dest)
        .await;
}

/// Requests other than GET (writes and the POST reads) received by `server`.
async fn posts(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| r.url.path().to_owned())
        .collect()
}

fn kinds(report: &PromoteReport) -> Vec<PromoteStepKind> {
    report.steps.iter().map(|s| s.kind).collect()
}

#[tokio::test]
async fn promote_happy_path_with_solution_release() {
    let (project, destination, solution) = ids();
    let source = MockServer::start().await;
    let dest = MockServer::start().await;
    mount_source(&source, false, 1, "3").await;
    mount_destination(&dest, true).await;
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
    Mock::given(method("POST"))
        .and(path(format!("/core/v1/projects/{DEST_PROJECT}/versions/3")))
        .and(body_json(json!({"title": "Version 3"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(version("3", DEST_PROJECT)))
        .expect(1)
        .mount(&dest)
        .await;
    // Read before anything is written, and again after the import.
    Mock::given(method("POST"))
        .and(path(format!(
            "/core/v1/solutions/{SOLUTION}/releases/previews"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(release_impact(None)))
        .expect(2)
        .mount(&dest)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/core/v1/solutions/{SOLUTION}/releases")))
        .respond_with(ResponseTemplate::new(200).set_body_json(release_impact(Some(SOLUTION))))
        .expect(1)
        .mount(&dest)
        .await;

    let mut seen = Vec::new();
    let report = Promotion::from(&client(&source), project, "3")
        .to(&client(&dest), destination)
        .title("Release 3")
        .auth_resolution("slack-auth", solution)
        .publish_solution(solution)
        .run_with(|step| seen.push(step.clone()))
        .await
        .unwrap();
    assert!(report.source_version_created);
    assert!(report.destination_version_created);
    assert!(report.import.is_some());
    assert!(report.release.is_some());
    use PromoteStepKind as K;
    assert_eq!(
        kinds(&report),
        [
            K::SourceVersion,
            K::DestinationProject,
            K::SolutionCheck,
            K::CreateSourceVersion,
            K::Export,
            K::Requirements,
            K::Preview,
            K::Import,
            K::DestinationVersion,
            K::ReleasePreview,
            K::Release
        ]
    );
    assert!(
        report
            .steps
            .iter()
            .all(|s| s.status == PromoteStepStatus::Done)
    );
    // The callback saw every step, in order.
    assert_eq!(seen, report.steps);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["dryRun"], json!(false));
    assert_eq!(json["steps"][0]["step"], json!("source_version"));
    assert_eq!(json["steps"][0]["status"], json!("done"));
    assert_eq!(json["steps"][7]["step"], json!("import"));
}

#[tokio::test]
async fn promote_stops_on_unresolved_authentications() {
    let (project, destination, _) = ids();
    let source = MockServer::start().await;
    let dest = MockServer::start().await;
    mount_source(&source, true, 0, "3").await;
    mount_destination(&dest, true).await;
    let error = Promotion::from(&client(&source), project, "3")
        .to(&client(&dest), destination)
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
    // Only reads reached the destination: no preview, no import.
    assert_eq!(
        posts(&dest).await,
        [format!(
            "/core/v1/projects/{DEST_PROJECT}/imports/requirements"
        )]
    );
}

#[tokio::test]
async fn a_dry_run_reports_unresolved_authentications_instead_of_failing() {
    let (project, destination, _) = ids();
    let source = MockServer::start().await;
    let dest = MockServer::start().await;
    mount_source(&source, true, 0, "3").await;
    mount_destination(&dest, true).await;
    let report = Promotion::from(&client(&source), project, "3")
        .to(&client(&dest), destination)
        .dry_run(true)
        .run()
        .await
        .unwrap();
    let failed = report.failed_step().unwrap();
    assert_eq!(failed.kind, PromoteStepKind::Requirements);
    assert_eq!(failed.status, PromoteStepStatus::Failed);
    assert!(
        failed.detail.contains("1 unresolved: slack-auth"),
        "{failed}"
    );
    assert_eq!(report.unresolved_authentications.len(), 1);
    assert_eq!(
        report.unresolved_authentications[0].auth_export_id,
        "slack-auth"
    );
    assert!(report.preview.is_none());
    assert_eq!(report.steps.last().unwrap().kind, PromoteStepKind::DryRun);
}

#[tokio::test]
async fn promote_dry_run_stops_after_the_preview() {
    let (project, destination, _) = ids();
    let source = MockServer::start().await;
    let dest = MockServer::start().await;
    mount_source(&source, true, 0, "3").await;
    mount_destination(&dest, false).await;
    mount_preview(&dest).await;
    let report = Promotion::from(&client(&source), project, "3")
        .to(&client(&dest), destination)
        .dry_run(true)
        .run()
        .await
        .unwrap();
    assert!(report.dry_run);
    assert!(!report.source_version_created);
    assert!(report.import.is_none());
    assert!(report.preview.is_some());
    assert!(report.failed_step().is_none());
    assert_eq!(report.steps.last().unwrap().kind, PromoteStepKind::DryRun);
    // Reads only: the version list, requirements and preview.
    assert_eq!(dest.received_requests().await.unwrap().len(), 3);
    assert_eq!(
        posts(&dest).await,
        [
            format!("/core/v1/projects/{DEST_PROJECT}/imports/requirements"),
            format!("/core/v1/projects/{DEST_PROJECT}/imports/previews")
        ]
    );
}

#[tokio::test]
async fn a_dry_run_of_a_missing_version_reads_the_latest_and_creates_nothing() {
    let (project, destination, _) = ids();
    let source = MockServer::start().await;
    let dest = MockServer::start().await;
    // Version 3 does not exist: the export of version 2 is read instead.
    mount_source(&source, false, 0, "2").await;
    mount_destination(&dest, false).await;
    mount_preview(&dest).await;
    let report = Promotion::from(&client(&source), project, "3")
        .to(&client(&dest), destination)
        .title("Release 3")
        .dry_run(true)
        .run()
        .await
        .unwrap();
    assert!(!report.source_version_created);
    assert_eq!(report.source_version.as_ref().unwrap().version_number, "2");
    let first = &report.steps[0];
    assert_eq!(first.kind, PromoteStepKind::SourceVersion);
    assert!(
        first.detail.contains("does not exist yet") && first.detail.contains("latest version, 2"),
        "{first}"
    );
    assert!(!kinds(&report).contains(&PromoteStepKind::CreateSourceVersion));
    assert!(posts(&source).await.is_empty(), "no write at the source");
}

#[tokio::test]
async fn an_unknown_destination_project_or_solution_stops_before_any_write() {
    let (project, destination, solution) = ids();
    // Unknown destination project: its version list is a 404.
    let source = MockServer::start().await;
    let dest = MockServer::start().await;
    mount_source(&source, false, 0, "3").await;
    let error = Promotion::from(&client(&source), project, "3")
        .to(&client(&dest), destination)
        .title("Release 3")
        .run()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound(_)), "{error:?}");
    assert!(posts(&source).await.is_empty(), "no version created");
    assert!(posts(&dest).await.is_empty());

    // Unknown solution: its release preview is a 404.
    let dest = MockServer::start().await;
    mount_destination(&dest, false).await;
    let mut seen = Vec::new();
    let error = Promotion::from(&client(&source), project, "3")
        .to(&client(&dest), destination)
        .title("Release 3")
        .publish_solution(solution)
        .run_with(|step| seen.push((step.kind, step.status)))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::NotFound(_)), "{error:?}");
    assert_eq!(
        seen.last(),
        Some(&(PromoteStepKind::SolutionCheck, PromoteStepStatus::Failed))
    );
    assert!(posts(&source).await.is_empty(), "no version created");
    assert_eq!(
        posts(&dest).await,
        [format!("/core/v1/solutions/{SOLUTION}/releases/previews")]
    );
}

#[tokio::test]
async fn an_import_answered_500_is_reported_as_unknown() {
    let (project, destination, _) = ids();
    for (status, unknown) in [(500, true), (400, false)] {
        let source = MockServer::start().await;
        let dest = MockServer::start().await;
        mount_source(&source, true, 0, "3").await;
        mount_destination(&dest, false).await;
        mount_preview(&dest).await;
        Mock::given(method("POST"))
            .and(path(format!("/core/v1/projects/{DEST_PROJECT}/imports")))
            .respond_with(
                ResponseTemplate::new(status)
                    .set_body_json(json!({"message": "boom", "code": null})),
            )
            .expect(1)
            .mount(&dest)
            .await;
        let error = Promotion::from(&client(&source), project, "3")
            .to(&client(&dest), destination)
            .run()
            .await
            .unwrap_err();
        if unknown {
            let Error::PromotionIncomplete { report, source } = &error else {
                panic!("expected PromotionIncomplete, got {error:?}");
            };
            let step = report.unknown_step().unwrap();
            assert_eq!(step.kind, PromoteStepKind::Import);
            assert_eq!(step.status, PromoteStepStatus::Unknown);
            assert!(report.import.is_none());
            assert_eq!(source.status(), Some(500));
            let text = error.to_string();
            assert!(text.contains("may have been applied"), "{text}");
            assert!(error.hint().unwrap().contains("import preview"));
            let json = serde_json::to_value(report.as_ref()).unwrap();
            assert_eq!(json["steps"][5]["status"], json!("unknown"));
        } else {
            // Tray refused it: nothing was applied, the error is Tray's.
            assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
        }
    }
}

const DEPLOY_PATH: &str =
    "/cdk/v1/deployments/connectors/my-connector/versions/1.0/deploy-connector-from-source";

/// Holds every deploy until `expected` deploys (across the region servers,
/// each on its own thread) have arrived, so the deploys are answered only
/// if all of them are in flight at once. A deploy held longer than the
/// guard (a sequential caller would wait forever) is answered 503 and
/// counted as not overlapping: a liveness guard, not a time bound.
struct Gate {
    expected: usize,
    arrived: Mutex<usize>,
    all_in: Condvar,
    alone: Mutex<usize>,
}

impl Gate {
    fn new(expected: usize) -> Arc<Self> {
        Arc::new(Self {
            expected,
            arrived: Mutex::new(0),
            all_in: Condvar::new(),
            alone: Mutex::new(0),
        })
    }
}

struct GatedDeploy(Arc<Gate>);

impl Respond for GatedDeploy {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let gate = &self.0;
        let mut arrived = gate.arrived.lock().unwrap();
        *arrived += 1;
        gate.all_in.notify_all();
        let (arrived, _) = gate
            .all_in
            .wait_timeout_while(arrived, Duration::from_secs(30), |n| *n < gate.expected)
            .unwrap();
        if *arrived < gate.expected {
            *gate.alone.lock().unwrap() += 1;
            return ResponseTemplate::new(503);
        }
        ResponseTemplate::new(200).set_body_json(deployment("d-1", "Deploying"))
    }
}

async fn region_server(gate: Arc<Gate>, fail: bool) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(DEPLOY_PATH))
        .respond_with(GatedDeploy(gate))
        .expect(1)
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
    let gate = Gate::new(3);
    let servers = [
        region_server(gate.clone(), false).await,
        region_server(gate.clone(), false).await,
        region_server(gate.clone(), true).await,
    ];
    let targets = ["us", "eu", "apac"]
        .iter()
        .zip(&servers)
        .map(|(label, server)| (label.to_string(), client(server)))
        .collect();
    let zip = ConnectorZip::from_bytes(connector_zip(Some("c"), "my-connector", "1.0")).unwrap();
    let seen = Mutex::new(Vec::new());
    let outcomes = deploy_to_regions(
        targets,
        &zip,
        Some(WaitOptions::new(
            Duration::from_millis(10),
            Duration::from_secs(5),
        )),
        |region, d| seen.lock().unwrap().push(format!("{region}:{}", d.status)),
    )
    .await;
    // Each deploy was answered only once all three were in flight: the
    // regions overlap (a sequential caller would have had none answered).
    assert_eq!(*gate.arrived.lock().unwrap(), 3);
    assert_eq!(*gate.alone.lock().unwrap(), 0);

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
    assert_eq!(json[2]["error"]["kind"], json!("deployment_failed"));
    assert!(
        json[2]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("failed")
    );
    assert_eq!(json[2]["deployment"]["deploymentStatus"], json!("Failed"));
}
