//! Reads cut off mid-way are retried; writes that fail after their request
//! was sent say that the change may have been applied. Against the
//! sandbox's faults (`truncated`, `reset`, `html502`, `latency`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use futures::TryStreamExt;
use tray_api::{Client, ConnectorZip, Error, ImportInput, RetryConfig, Subject};
use tray_sandbox::{
    DESTINATION_PROJECT_ID, Fault, SOLUTION_ID, SOURCE_PROJECT_ID, Sandbox, SandboxHandle,
};

use tray_tests::{fast_retries, sandbox_client as client};

async fn sandbox(fault: &str) -> SandboxHandle {
    let sandbox = Sandbox::builder()
        .fault(fault.parse::<Fault>().unwrap())
        .start()
        .await
        .unwrap();
    sandbox.seed_deployed_connector("acme-crm", "1.0");
    sandbox
}

fn count(sandbox: &SandboxHandle, method: &str, part: &str) -> usize {
    sandbox
        .requests()
        .iter()
        .filter(|r| r.method == method && r.path.contains(part))
        .count()
}

#[tokio::test]
async fn a_read_cut_off_is_retried_and_succeeds() {
    // Every second status read is cut in half.
    let sandbox = sandbox("status=truncated@0.5").await;
    let client = client(&sandbox, fast_retries());
    for _ in 0..3 {
        let deployment = client
            .deployments()
            .get("acme-crm", "1.0", "latest")
            .await
            .unwrap();
        assert_eq!(deployment.connector_name, "acme-crm");
    }
    // Requests 2 and 4 are cut off and each is followed by a retry: 3 reads
    // take 5 requests, and none fails.
    assert_eq!(count(&sandbox, "GET", "/latest"), 5);
}

#[tokio::test]
async fn a_version_list_cut_off_is_retried_and_succeeds() {
    let sandbox = sandbox("list-versions=truncated@0.5").await;
    let client = client(&sandbox, fast_retries());
    for _ in 0..2 {
        let versions: Vec<_> = client
            .projects()
            .versions(SOURCE_PROJECT_ID)
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert!(!versions.is_empty());
    }
    assert_eq!(count(&sandbox, "GET", "/versions"), 3);
}

/// The checks every unknown-outcome error passes.
fn assert_unknown(error: &Error, subject: &Subject) {
    assert!(error.outcome_unknown(), "{error:?}");
    assert_eq!(error.kind(), "outcome_unknown");
    assert_eq!(error.subject(), Some(subject));
    let text = error.to_string();
    assert!(text.contains("may have been applied"), "{text}");
    assert!(text.starts_with(&subject.to_string()), "{text}");
    let hint = error.hint().unwrap();
    assert!(!hint.contains("base URL"), "{hint}");
}

#[tokio::test]
async fn a_version_create_cut_off_may_have_been_applied_and_was() {
    let sandbox = sandbox("create-version=truncated").await;
    let client = client(&sandbox, fast_retries());
    let error = client
        .projects()
        .create_version(SOURCE_PROJECT_ID, "42")
        .title("Forty-two")
        .await
        .unwrap_err();
    assert_unknown(&error, &Subject::version(SOURCE_PROJECT_ID, "42"));
    assert!(error.hint().unwrap().contains("versions"));
    // Not repeated, and the sandbox did create it: "may have been" was right.
    assert_eq!(count(&sandbox, "POST", "/versions/42"), 1);
    let versions: Vec<_> = client
        .projects()
        .versions(SOURCE_PROJECT_ID)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(versions.iter().any(|v| v.version_number == "42"));
}

#[tokio::test]
async fn an_import_reset_may_have_been_applied() {
    let sandbox = sandbox("import=reset").await;
    let client = client(&sandbox, fast_retries());
    let export = client.projects().export(SOURCE_PROJECT_ID, "1").await;
    let input = ImportInput::new(export.unwrap_or_default());
    let error = client
        .projects()
        .import(DESTINATION_PROJECT_ID, &input)
        .await
        .unwrap_err();
    assert_unknown(&error, &Subject::project(DESTINATION_PROJECT_ID));
    assert_eq!(count(&sandbox, "POST", "/imports"), 1);
}

#[tokio::test]
async fn a_release_answered_by_a_proxy_502_may_have_been_applied() {
    let sandbox = sandbox("release=html502").await;
    let client = client(&sandbox, fast_retries());
    let error = client.solutions().release(SOLUTION_ID).await.unwrap_err();
    assert_unknown(&error, &Subject::solution(SOLUTION_ID));
    assert_eq!(error.status(), Some(502));
    assert_eq!(count(&sandbox, "POST", "/releases"), 1);
}

#[tokio::test]
async fn a_share_that_times_out_may_have_been_applied() {
    let sandbox = sandbox("share=latency:2s").await;
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .token(sandbox.token().to_owned())
        .retry(fast_retries())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let error = client
        .permissions()
        .share_with_emails("acme-crm", "1.0", ["jane@example.com"])
        .await
        .unwrap_err();
    assert_unknown(&error, &Subject::connector("acme-crm", "1.0"));
    assert!(
        matches!(&error, Error::OutcomeUnknown { source } if matches!(**source, Error::Transport { .. }))
    );
}

#[tokio::test]
async fn a_deploy_cut_off_may_have_been_applied() {
    let sandbox = sandbox("deploy=truncated").await;
    let client = client(&sandbox, RetryConfig::disabled());
    let zip =
        ConnectorZip::from_bytes(tray_sandbox::sample_connector_zip("acme-crm", "1.0")).unwrap();
    let error = client.deployments().deploy(&zip).await.unwrap_err();
    assert_unknown(&error, &Subject::connector("acme-crm", "1.0"));
    assert!(error.hint().unwrap().contains("latest deployment"));
}

#[tokio::test]
async fn a_refused_write_is_not_unknown() {
    let sandbox = sandbox("create-version=429").await;
    let client = client(&sandbox, RetryConfig::disabled());
    let error = client
        .projects()
        .create_version(SOURCE_PROJECT_ID, "43")
        .title("Forty-three")
        .await
        .unwrap_err();
    assert!(!error.outcome_unknown(), "{error:?}");
    assert!(matches!(error, Error::RateLimited(_)));
    assert_eq!(
        error.to_string(),
        format!(
            "version 43 of project {SOURCE_PROJECT_ID}: rate limited (HTTP 429): Too many requests"
        )
    );
}

#[tokio::test]
async fn a_missing_deployment_names_what_was_asked() {
    let sandbox = sandbox("status=latency:1ms").await;
    let error = client(&sandbox, RetryConfig::disabled())
        .deployments()
        .get("nope", "1.0", "latest")
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("deployment nope 1.0 latest: not found (HTTP 404)"),
        "{error}"
    );
    assert_eq!(error.operation(), Some("get_deployment"));
    assert!(error.hint().unwrap().contains("deployment"));
}
