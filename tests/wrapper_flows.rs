//! The library against the sandbox, end to end: the flows users automate.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use futures::TryStreamExt;
use tray_api::promote::{PromoteStepKind, PromoteStepStatus, Promotion};
use tray_api::{
    Client, ConnectorZip, Error, WaitOptions, deploy_to_regions, types::DeploymentStatus,
};
use tray_sandbox::{
    DESTINATION_PROJECT_ID, DESTINATION_SPARE_AUTH_ID, SOLUTION_ID, SOURCE_PROJECT_ID, Sandbox,
    SandboxHandle, SeedProject, SeedVersion,
};

fn client(sandbox: &SandboxHandle) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .token(sandbox.token().to_owned())
        .build()
        .unwrap()
}

fn wait() -> WaitOptions {
    WaitOptions::new(Duration::from_millis(25), Duration::from_secs(10))
}

#[tokio::test]
async fn deploy_wait_and_share() {
    let sandbox = Sandbox::builder()
        .deploy_time(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let client = client(&sandbox);
    let zip =
        ConnectorZip::from_bytes(tray_sandbox::sample_connector_zip("acme-crm", "1.0")).unwrap();
    let started = client.deployments().deploy(&zip).await.unwrap();
    assert!(!started.repeat);
    let again = client.deployments().deploy(&zip).await.unwrap();
    assert!(
        again.repeat,
        "a deploy while one is in progress is a repeat"
    );
    assert_eq!(again.id, started.id);

    // Each new state once, ending with the terminal one.
    let seen: Vec<DeploymentStatus> = client
        .deployments()
        .wait(&started)
        .options(wait())
        .watch()
        .map_ok(|d| d.status)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(seen.last(), Some(&DeploymentStatus::Deployed));
    assert!(seen.windows(2).all(|w| w[0] != w[1]), "{seen:?}");
    assert!(!seen.contains(&DeploymentStatus::Deploying), "{seen:?}");

    let emails = vec!["ada@example.com".to_owned(), "grace@example.com".to_owned()];
    let shared = client
        .permissions()
        .share_with_emails("acme-crm", "1.0", &emails)
        .await
        .unwrap();
    assert_eq!(shared.message, "2 permissions added");
    // The request to the sandbox carried the zip the caller gave.
    let deploy = sandbox
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/deploy-connector-from-source"))
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&deploy.body).unwrap();
    assert!(
        body["connectorSourceCode"]
            .as_str()
            .is_some_and(|s| s.len() > 100)
    );
}

#[tokio::test]
async fn a_failed_deployment_is_an_error_carrying_it() {
    let sandbox = Sandbox::builder()
        .deploy_time(Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    let client = client(&sandbox);
    let zip =
        ConnectorZip::from_bytes(tray_sandbox::sample_connector_zip("fails-crm", "1.0")).unwrap();
    let started = client.deployments().deploy(&zip).await.unwrap();
    let error = client
        .deployments()
        .wait(&started)
        .options(wait())
        .await
        .unwrap_err();
    match error {
        Error::DeploymentFailed { deployment } => {
            assert_eq!(deployment.id, started.id);
            assert_eq!(deployment.status, DeploymentStatus::Failed);
        }
        other => panic!("expected DeploymentFailed, got {other:?}"),
    }
}

#[tokio::test]
async fn tokens_wrong_or_read_only_are_typed_errors() {
    let sandbox = Sandbox::builder()
        .read_token("read-only-token-000000000000000000000000")
        .start()
        .await
        .unwrap();
    let wrong = Client::builder()
        .base_url(sandbox.base_url())
        .token("wrong-token-0000000000000000000000000000")
        .build()
        .unwrap();
    let error = wrong
        .projects()
        .export(SOURCE_PROJECT_ID, "1")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Unauthorized(_)), "{error:?}");
    assert!(!format!("{error:?} {error}").contains("wrong-token"));

    let reader = Client::builder()
        .base_url(sandbox.base_url())
        .token("read-only-token-000000000000000000000000")
        .build()
        .unwrap();
    reader
        .projects()
        .export(SOURCE_PROJECT_ID, "1")
        .await
        .unwrap();
    let error = reader
        .projects()
        .create_version(SOURCE_PROJECT_ID, "9")
        .title("Nope")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Forbidden(_)), "{error:?}");
    assert_eq!(error.status(), Some(403));
}

#[tokio::test]
async fn listing_pages_through_thousands_of_versions_in_order() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let versions = (1..=2500)
        .map(|n| SeedVersion {
            version_number: n.to_string(),
            title: format!("Version {n}"),
            description: None,
        })
        .collect();
    let project = sandbox.seed_project(SeedProject {
        name: "Big".into(),
        versions,
        ..SeedProject::default()
    });
    let client = client(&sandbox);
    let listed: Vec<_> = client
        .projects()
        .versions(project)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 2500);
    let numbers: Vec<String> = listed.iter().map(|v| v.version_number.clone()).collect();
    let expected: Vec<String> = (1..=2500).map(|n| n.to_string()).collect();
    assert_eq!(numbers, expected);
    // Pages of 1000: three requests.
    let pages = sandbox
        .requests()
        .iter()
        .filter(|r| r.path.contains(&format!("{project}/versions")))
        .count();
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn export_to_file_then_promote_and_publish() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = client(&sandbox);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    let bytes = client
        .projects()
        .export_to_file(SOURCE_PROJECT_ID, "1", &file)
        .await
        .unwrap();
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(std::fs::metadata(&file).unwrap().len(), bytes);
    #[cfg(unix)]
    {
        // Made like any file of the user's (umask applies), not 0600.
        use std::os::unix::fs::PermissionsExt;
        let reference = dir.path().join("reference");
        std::fs::write(&reference, "{}").unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&file), mode(&reference));
    }
    assert_eq!(
        written,
        serde_json::Value::Object(
            client
                .projects()
                .export(SOURCE_PROJECT_ID, "1")
                .await
                .unwrap()
        )
    );

    // Each step is reported as it ends: the request log at that moment ends
    // with the step's own request.
    let mut last_request_at_step = Vec::new();
    let report = Promotion::from(&client, SOURCE_PROJECT_ID, "2")
        .to(&client, DESTINATION_PROJECT_ID)
        .title("Release 2")
        .auth_resolution("salesforce-production", DESTINATION_SPARE_AUTH_ID)
        .publish_solution(SOLUTION_ID)
        .run_with(|step| {
            let last = sandbox
                .requests()
                .last()
                .map(|r| format!("{} {}", r.method, r.path));
            last_request_at_step.push((step.kind, last.unwrap_or_default()));
        })
        .await
        .unwrap();
    let at = |kind: PromoteStepKind| {
        last_request_at_step
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, r)| r.clone())
            .unwrap()
    };
    assert_eq!(
        at(PromoteStepKind::CreateSourceVersion),
        format!("POST /core/v1/projects/{SOURCE_PROJECT_ID}/versions/2")
    );
    assert_eq!(
        at(PromoteStepKind::Import),
        format!("POST /core/v1/projects/{DESTINATION_PROJECT_ID}/imports")
    );
    assert_eq!(
        at(PromoteStepKind::Release),
        format!("POST /core/v1/solutions/{SOLUTION_ID}/releases")
    );
    assert!(!report.dry_run);
    assert!(report.source_version_created);
    assert!(report.import.is_some());
    assert!(
        report
            .release
            .as_ref()
            .is_some_and(|r| r.release_id.is_some()),
        "{report:?}"
    );
    let destination: Vec<_> = client
        .projects()
        .versions(DESTINATION_PROJECT_ID)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(
        destination
            .iter()
            .any(|v| v.version_number == "2" && v.title == "Release 2")
    );
    // The same promotion again changes nothing more at the destination.
    let input = tray_api::ImportInput::new(
        client
            .projects()
            .export(SOURCE_PROJECT_ID, "2")
            .await
            .unwrap(),
    )
    .auth_resolution("salesforce-production", DESTINATION_SPARE_AUTH_ID);
    let preview = client
        .projects()
        .import_preview(DESTINATION_PROJECT_ID, &input)
        .await
        .unwrap();
    assert!(preview.project_impact.workflows.created.is_empty());
    assert!(preview.project_impact.config.updated.is_empty());
}

#[tokio::test]
async fn multi_region_deploys_to_every_sandbox() {
    let mut sandboxes = Vec::new();
    for _ in 0..3 {
        sandboxes.push(
            Sandbox::builder()
                .deploy_time(Duration::from_millis(150))
                .start()
                .await
                .unwrap(),
        );
    }
    let targets = ["us", "eu", "apac"]
        .iter()
        .zip(&sandboxes)
        .map(|(label, s)| (label.to_string(), client(s)))
        .collect();
    let zip =
        ConnectorZip::from_bytes(tray_sandbox::sample_connector_zip("acme-crm", "1.0")).unwrap();
    let outcomes = deploy_to_regions(targets, &zip, Some(wait()), |_, _| {}).await;
    assert_eq!(
        outcomes
            .iter()
            .map(|o| o.region.as_str())
            .collect::<Vec<_>>(),
        ["us", "eu", "apac"]
    );
    for (outcome, sandbox) in outcomes.iter().zip(&sandboxes) {
        let deployment = outcome.result.as_ref().unwrap();
        assert_eq!(deployment.status, DeploymentStatus::Deployed);
        // Each region got exactly one deploy.
        assert_eq!(
            sandbox
                .requests()
                .iter()
                .filter(|r| r.method == "POST")
                .count(),
            1
        );
    }
}

#[tokio::test]
async fn promote_without_resolving_an_authentication_is_a_readable_error() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = client(&sandbox);
    let error = Promotion::from(&client, SOURCE_PROJECT_ID, "3")
        .to(&client, DESTINATION_PROJECT_ID)
        .run()
        .await
        .unwrap_err();
    match &error {
        Error::UnresolvedAuthentications { list } => {
            let ids: Vec<&str> = list.iter().map(|a| a.auth_export_id.as_str()).collect();
            assert_eq!(ids, ["salesforce-production"]);
        }
        other => panic!("expected UnresolvedAuthentications, got {other:?}"),
    }
    assert!(
        error.to_string().contains("salesforce-production"),
        "{error}"
    );
    // Nothing reached the destination.
    assert!(
        !sandbox
            .requests()
            .iter()
            .any(|r| r.method == "POST" && r.path.ends_with("/imports"))
    );
    let destination: Vec<_> = client
        .projects()
        .versions(DESTINATION_PROJECT_ID)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!destination.iter().any(|v| v.version_number == "3"));
}

#[tokio::test]
async fn a_release_failing_after_the_import_reports_what_was_done() {
    let sandbox = Sandbox::builder()
        .fault("release=500".parse().unwrap())
        .start()
        .await
        .unwrap();
    let client = client(&sandbox);
    let error = Promotion::from(&client, SOURCE_PROJECT_ID, "2")
        .to(&client, DESTINATION_PROJECT_ID)
        .auth_resolution("salesforce-production", DESTINATION_SPARE_AUTH_ID)
        .publish_solution(SOLUTION_ID)
        .run()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(500));
    assert!(
        error
            .to_string()
            .contains("release step, whose outcome is unknown"),
        "{error}"
    );
    match error {
        Error::PromotionIncomplete { report, .. } => {
            assert!(report.import.is_some());
            assert!(report.destination_version_created);
            assert!(report.release_preview.is_some());
            assert!(report.release.is_none());
            let steps: Vec<(PromoteStepKind, PromoteStepStatus)> =
                report.steps.iter().map(|s| (s.kind, s.status)).collect();
            // A 500 to the release: it may have been published.
            assert_eq!(
                steps.last(),
                Some(&(PromoteStepKind::Release, PromoteStepStatus::Unknown)),
                "{steps:?}"
            );
            assert!(steps.contains(&(PromoteStepKind::ReleasePreview, PromoteStepStatus::Done)));
        }
        other => panic!("expected PromotionIncomplete, got {other:?}"),
    }
}

async fn version_count(client: &Client, project: uuid::Uuid) -> usize {
    client
        .projects()
        .versions(project)
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .len()
}

/// Requests that may change something: every POST but the reads that Tray
/// models as POSTs (import requirements and previews, release previews).
fn writes(sandbox: &SandboxHandle) -> Vec<String> {
    sandbox
        .requests()
        .iter()
        .filter(|r| {
            r.method == "POST"
                && !r.path.ends_with("/imports/requirements")
                && !r.path.ends_with("/previews")
        })
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::test]
async fn a_dry_run_writes_nothing_even_for_a_version_that_does_not_exist() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let client = client(&sandbox);
    let before = (
        version_count(&client, SOURCE_PROJECT_ID).await,
        version_count(&client, DESTINATION_PROJECT_ID).await,
    );
    let report = Promotion::from(&client, SOURCE_PROJECT_ID, "7")
        .to(&client, DESTINATION_PROJECT_ID)
        .auth_resolution("salesforce-production", DESTINATION_SPARE_AUTH_ID)
        .publish_solution(SOLUTION_ID)
        .dry_run(true)
        .run()
        .await
        .unwrap();
    assert!(report.failed_step().is_none(), "{:?}", report.steps);
    assert!(report.steps[0].detail.contains("latest version, 1"));
    assert!(report.preview.is_some());
    let after = (
        version_count(&client, SOURCE_PROJECT_ID).await,
        version_count(&client, DESTINATION_PROJECT_ID).await,
    );
    assert_eq!(before, after);
    assert_eq!(writes(&sandbox), Vec::<String>::new());
    // The reads it needed did happen.
    let paths: Vec<String> = sandbox.requests().iter().map(|r| r.path.clone()).collect();
    assert!(paths.iter().any(|p| p.ends_with("/versions/1/export")));
    assert!(paths.iter().any(|p| p.ends_with("/imports/previews")));
}

#[tokio::test]
async fn an_import_whose_answer_is_cut_off_is_reported_as_unknown() {
    let sandbox = Sandbox::builder()
        .fault("import=truncated".parse().unwrap())
        .start()
        .await
        .unwrap();
    let client = client(&sandbox);
    let error = Promotion::from(&client, SOURCE_PROJECT_ID, "1")
        .to(&client, DESTINATION_PROJECT_ID)
        .auth_resolution("salesforce-production", DESTINATION_SPARE_AUTH_ID)
        .run()
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("may have been applied"),
        "{error}"
    );
    let Error::PromotionIncomplete { report, .. } = &error else {
        panic!("expected PromotionIncomplete, got {error:?}");
    };
    let step = report.unknown_step().unwrap();
    assert_eq!(step.kind, PromoteStepKind::Import);
    assert!(report.destination_version.is_none());
    // It was in fact applied: nothing is left to change.
    sandbox.clear_faults();
    let input = tray_api::ImportInput::new(
        client
            .projects()
            .export(SOURCE_PROJECT_ID, "1")
            .await
            .unwrap(),
    );
    let preview = client
        .projects()
        .import_preview(DESTINATION_PROJECT_ID, &input)
        .await
        .unwrap();
    assert!(preview.project_impact.workflows.created.is_empty());
}
