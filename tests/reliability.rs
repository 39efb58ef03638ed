//! The wrapper against the sandbox's faults: what Tray (or a proxy in front
//! of it) can do to a client, and what `tray-api` makes of it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use futures::StreamExt;
use std::time::Duration;

use tray_api::{ConnectorZip, Error, RetryConfig, WaitOptions, types::DeploymentStatus};
use tray_sandbox::{Fault, Sandbox, SandboxHandle};

use tray_tests::{fast_retries, sandbox_client as client};

fn fault(spec: &str) -> Fault {
    spec.parse().unwrap()
}

/// Requests the sandbox received whose path contains `part`.
fn count(sandbox: &SandboxHandle, method: &str, part: &str) -> usize {
    sandbox
        .requests()
        .iter()
        .filter(|r| r.method == method && r.path.contains(part))
        .count()
}

async fn deployed(sandbox: &SandboxHandle) {
    sandbox.seed_deployed_connector("acme-crm", "1.0");
}

#[tokio::test]
async fn every_second_429_is_retried_transparently() {
    let sandbox = Sandbox::builder()
        .fault(fault("status=429@0.5"))
        .start()
        .await
        .unwrap();
    deployed(&sandbox).await;
    let client = client(&sandbox, fast_retries());
    for _ in 0..5 {
        let deployment = client
            .deployments()
            .get("acme-crm", "1.0", "latest")
            .await
            .unwrap();
        assert_eq!(deployment.status, DeploymentStatus::Deployed);
    }
    // `@0.5` refuses every second request (the first goes through): the
    // first call takes one request, each later call a 429 and a retry.
    assert_eq!(count(&sandbox, "GET", "/versions/1.0/latest"), 9);
}

#[tokio::test]
async fn a_persistent_429_gives_up_with_rate_limited_after_the_retries() {
    let sandbox = Sandbox::builder()
        .fault(fault("status=429"))
        .start()
        .await
        .unwrap();
    let client = client(&sandbox, fast_retries().with_max_retries(2));
    let error = client
        .deployments()
        .get("acme-crm", "1.0", "latest")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::RateLimited(_)), "{error:?}");
    assert_eq!(error.status(), Some(429));
    assert_eq!(count(&sandbox, "GET", "/latest"), 3);
}

#[tokio::test]
async fn an_import_answered_500_is_not_retried() {
    let sandbox = Sandbox::builder()
        .fault(fault("import=500"))
        .start()
        .await
        .unwrap();
    let client = client(&sandbox, fast_retries());
    let export = client
        .projects()
        .export(tray_sandbox::SOURCE_PROJECT_ID, "1")
        .await
        .unwrap();
    let input = tray_api::ImportInput::new(export).auth_resolution(
        "salesforce-production",
        tray_sandbox::DESTINATION_SPARE_AUTH_ID,
    );
    let error = client
        .projects()
        .import(tray_sandbox::DESTINATION_PROJECT_ID, &input)
        .await
        .unwrap_err();
    assert!(error.outcome_unknown(), "{error:?}");
    assert_eq!(error.status(), Some(500));
    assert_eq!(
        count(&sandbox, "POST", "/imports"),
        1,
        "a non-idempotent import was retried"
    );
}

#[tokio::test]
async fn a_read_answered_500_is_retried() {
    let sandbox = Sandbox::builder()
        .fault(fault("list-versions=500@0.5"))
        .start()
        .await
        .unwrap();
    let client = client(&sandbox, fast_retries());
    for _ in 0..2 {
        let page = client
            .projects()
            .versions(tray_sandbox::SOURCE_PROJECT_ID)
            .page()
            .await
            .unwrap();
        assert_eq!(page.elements.len(), 1);
    }
    // The second call met a 500 (every second request) and was retried.
    assert_eq!(count(&sandbox, "GET", "/versions"), 3);
}

#[tokio::test]
async fn an_html_502_from_a_proxy_is_a_server_error_with_an_excerpt() {
    let sandbox = Sandbox::builder()
        .fault(fault("status=html502"))
        .start()
        .await
        .unwrap();
    let client = client(&sandbox, RetryConfig::disabled());
    let error = client
        .deployments()
        .get("acme-crm", "1.0", "latest")
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(502), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("502"), "{text}");
    assert!(text.len() < 600, "the message must stay short: {text}");
    let details = error.details().unwrap();
    assert!(
        details.excerpt.as_deref().is_some_and(|e| e.contains('<')),
        "{details:?}"
    );
}

#[tokio::test]
async fn a_truncated_json_body_is_an_invalid_response_not_a_panic() {
    let sandbox = Sandbox::builder()
        .fault(fault("status=truncated"))
        .start()
        .await
        .unwrap();
    deployed(&sandbox).await;
    let client = client(&sandbox, RetryConfig::disabled());
    let error = client
        .deployments()
        .get("acme-crm", "1.0", "latest")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { .. }), "{error:?}");
}

#[tokio::test]
async fn a_reset_connection_is_a_transport_error_and_is_retried() {
    let sandbox = Sandbox::builder()
        .fault(fault("status=reset@0.5"))
        .start()
        .await
        .unwrap();
    deployed(&sandbox).await;
    let ok = client(&sandbox, fast_retries())
        .deployments()
        .get("acme-crm", "1.0", "latest")
        .await;
    assert_eq!(ok.unwrap().status, DeploymentStatus::Deployed);

    let sandbox = Sandbox::builder()
        .fault(fault("status=reset"))
        .start()
        .await
        .unwrap();
    let error = client(&sandbox, RetryConfig::disabled())
        .deployments()
        .get("acme-crm", "1.0", "latest")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
}

#[tokio::test(start_paused = true)]
async fn added_latency_is_absorbed_by_the_default_timeouts() {
    let sandbox = Sandbox::builder()
        .fault(fault("status=latency:200ms"))
        .start()
        .await
        .unwrap();
    deployed(&sandbox).await;
    // On the paused clock the sandbox's added latency is the only wait.
    let started = tokio::time::Instant::now();
    let deployment = client(&sandbox, RetryConfig::disabled())
        .deployments()
        .get("acme-crm", "1.0", "latest")
        .await
        .unwrap();
    assert_eq!(deployment.status, DeploymentStatus::Deployed);
    assert_eq!(started.elapsed(), Duration::from_millis(200));
}

#[tokio::test]
async fn an_unknown_status_keeps_waiting_until_a_known_terminal_one() {
    let sandbox = Sandbox::builder()
        .deploy_time(Duration::from_millis(200))
        .fault(fault("status=unknown-status"))
        .start()
        .await
        .unwrap();
    let client = client(&sandbox, fast_retries());
    let zip =
        ConnectorZip::from_bytes(tray_sandbox::sample_connector_zip("acme-crm", "1.0")).unwrap();
    let started = client.deployments().deploy(&zip).await.unwrap();
    let mut seen = Vec::new();
    let deployments = client.deployments();
    let waiting = async {
        let mut states = deployments
            .wait(&started)
            .options(WaitOptions::new(
                Duration::from_millis(20),
                Duration::from_secs(10),
            ))
            .watch();
        let mut last = None;
        while let Some(state) = states.next().await {
            let state = state.unwrap();
            seen.push(state.status.clone());
            last = Some(state);
        }
        last.unwrap()
    };
    // Tray starts answering a status this library does not know; waiting
    // goes on until it answers a known terminal one.
    let lift = async {
        tokio::time::sleep(Duration::from_millis(400)).await;
        sandbox.clear_faults();
    };
    let (result, ()) = tokio::join!(waiting, lift);
    assert_eq!(result.status, DeploymentStatus::Deployed);
    assert!(seen.iter().any(|s| !s.is_known()), "{seen:?}");
}

#[tokio::test]
async fn the_client_limiter_keeps_a_fan_out_under_the_servers_rate_limit() {
    // The sandbox enforces Tray's 30/s (bursts of 50) and answers 429 beyond
    // it; the client's own limiter (same numbers) keeps 80 concurrent calls
    // from being refused, and retries absorb any edge of the two buckets.
    let sandbox = Sandbox::builder().rate_limit(true).start().await.unwrap();
    deployed(&sandbox).await;
    let client = client(&sandbox, fast_retries());
    let calls = (0..80).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.deployments().get("acme-crm", "1.0", "latest").await })
    });
    for call in futures::future::join_all(calls).await {
        assert_eq!(call.unwrap().unwrap().status, DeploymentStatus::Deployed);
    }
    let requests = count(&sandbox, "GET", "/latest");
    assert!(
        (80..=90).contains(&requests),
        "{requests} requests for 80 calls"
    );
}

#[tokio::test]
async fn a_share_answered_500_is_not_retried() {
    // A repeat would report "0 permissions added" for what the first did.
    let sandbox = Sandbox::builder()
        .fault(fault("share=500"))
        .start()
        .await
        .unwrap();
    deployed(&sandbox).await;
    let emails = vec!["ada@example.com".to_owned()];
    let error = client(&sandbox, fast_retries())
        .permissions()
        .share_with_emails("acme-crm", "1.0", &emails)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(500), "{error:?}");
    assert_eq!(count(&sandbox, "POST", "/share-with-emails"), 1);
}

#[tokio::test]
async fn a_truncated_export_leaves_no_file_and_errors_on_a_writer() {
    let sandbox = Sandbox::builder()
        .fault(fault("export=truncated"))
        .start()
        .await
        .unwrap();
    let client = client(&sandbox, RetryConfig::disabled());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("export.json");
    let error = client
        .projects()
        .export_to_file(tray_sandbox::SOURCE_PROJECT_ID, "1", &file)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { .. }), "{error:?}");
    assert!(!file.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "a temporary file was left"
    );

    let mut sink = Vec::new();
    let error = client
        .projects()
        .export_to_writer(tray_sandbox::SOURCE_PROJECT_ID, "1", &mut sink)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { .. }), "{error:?}");
    assert!(!sink.is_empty());
}
