//! Deployments, permissions, faults and concurrency, through the raw
//! client and plain HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::time::Duration;

use base64::Engine as _;
use common::*;
use reqwest::Method;
use tray_api_raw::DeploymentStatus;
use tray_api_raw::deployments::types::DeployConnectorRequest;
use tray_api_raw::permissions::types::ShareWithEmailsRequest;
use tray_sandbox::{Fault, FaultKind, Route, Sandbox};

#[tokio::test(start_paused = true)]
async fn progresses_deploying_building_deployed() {
    let sandbox = start().await;
    let client = deployments(&sandbox);
    let deployed = deploy(&client, "my-connector").await;
    assert_eq!(
        deployed.deployment_status,
        Some(DeploymentStatus::Deploying)
    );
    assert_eq!(deployed.connector_name.as_deref(), Some("my-connector"));
    assert_eq!(deployed.connector_version.as_deref(), Some("1.0"));
    assert_eq!(deployed.repeat_deployment, None);
    let id = deployed.id.unwrap();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    let seen = poll(&client, "my-connector", &id).await;
    assert_eq!(
        seen,
        vec![
            DeploymentStatus::Deploying,
            DeploymentStatus::Building,
            DeploymentStatus::Deployed
        ]
    );
    // latest resolves to it, with the same id.
    let latest = client
        .get_deployment()
        .connector_name("my-connector")
        .connector_version("1.0")
        .id("latest")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(latest.id.as_deref(), Some(id.as_str()));
    assert_eq!(latest.deployment_status, Some(DeploymentStatus::Deployed));
}

#[tokio::test(start_paused = true)]
async fn progress_follows_the_sandbox_clock() {
    let sandbox = fast().start().await.unwrap();
    let client = deployments(&sandbox);
    let id = deploy(&client, "clocked").await.id.unwrap();
    let at = |ms: u64| {
        let client = &client;
        let id = id.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            status(client, "clocked", &id).await
        }
    };
    // 300 ms: Deploying for the first 150, Building for the next 150.
    assert_eq!(at(0).await, DeploymentStatus::Deploying);
    assert_eq!(at(149).await, DeploymentStatus::Deploying);
    assert_eq!(at(1).await, DeploymentStatus::Building);
    assert_eq!(at(149).await, DeploymentStatus::Building);
    assert_eq!(at(1).await, DeploymentStatus::Deployed);
    assert_eq!(at(3_600_000).await, DeploymentStatus::Deployed);
}

#[tokio::test(start_paused = true)]
async fn zero_deploy_time_is_deployed_at_once_and_latest_follows() {
    let sandbox = Sandbox::builder()
        .deploy_time(Duration::ZERO)
        .start()
        .await
        .unwrap();
    let client = deployments(&sandbox);
    let first = deploy(&client, "quick").await.id.unwrap();
    assert_eq!(
        status(&client, "quick", &first).await,
        DeploymentStatus::Deployed
    );
    let second = deploy(&client, "quick").await;
    assert_eq!(second.repeat_deployment, None, "the first one had finished");
    let second = second.id.unwrap();
    assert_ne!(first, second);
    let latest = client
        .get_deployment()
        .connector_name("quick")
        .connector_version("1.0")
        .id("latest")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(latest.id.as_deref(), Some(second.as_str()));
    // The first stays readable by id.
    assert_eq!(
        status(&client, "quick", &first).await,
        DeploymentStatus::Deployed
    );
}

#[tokio::test(start_paused = true)]
async fn outcomes_by_name() {
    let sandbox = fast()
        .deploy_time(Duration::from_millis(600))
        .start()
        .await
        .unwrap();
    let client = deployments(&sandbox);
    let stuck = deploy(&client, "stuck-forever").await.id.unwrap();

    let unknown = deploy(&client, "unknown-states").await.id.unwrap();
    let seen = poll(&client, "unknown-states", &unknown).await;
    assert_eq!(
        seen.first(),
        Some(&DeploymentStatus::Unknown("Queued".into()))
    );
    assert_eq!(seen.last(), Some(&DeploymentStatus::Deployed));

    let failing = deploy(&client, "fails-on-purpose").await.id.unwrap();
    let seen = poll(&client, "fails-on-purpose", &failing).await;
    assert_eq!(seen.last(), Some(&DeploymentStatus::Failed));
    assert_eq!(seen.first(), Some(&DeploymentStatus::Deploying));

    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(
        status(&client, "stuck-forever", &stuck).await,
        DeploymentStatus::Deploying
    );
    // Still in progress: a new deploy is a repeat of it.
    let repeat = deploy(&client, "stuck-forever").await;
    assert_eq!(repeat.repeat_deployment, Some(true));
    assert_eq!(repeat.id.as_deref(), Some(stuck.as_str()));
    assert_eq!(repeat.deployment_status, Some(DeploymentStatus::Deploying));
}

#[tokio::test(start_paused = true)]
async fn repeat_deployment_while_in_progress() {
    let sandbox = fast()
        .deploy_time(Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    let client = deployments(&sandbox);
    let first = deploy(&client, "busy").await;
    assert_eq!(first.repeat_deployment, None);
    let second = deploy(&client, "busy").await;
    assert_eq!(second.repeat_deployment, Some(true));
    assert_eq!(second.id, first.id);
    assert_eq!(second.deployment_status, Some(DeploymentStatus::Deploying));
    // Raw JSON leaves repeatDeployment out when false, as Tray's examples do.
    let response = plain(
        &sandbox,
        Method::POST,
        &deploy_path("other", "1.0"),
        Some(sandbox.token()),
        Some(&format!(
            r#"{{"connectorSourceCode":"{}"}}"#,
            source_code("other", "1.0")
        )),
    )
    .await;
    assert_eq!(response.status, 200);
    assert!(response.json().get("repeatDeployment").is_none());
}

#[tokio::test(start_paused = true)]
async fn unknown_ids_are_404() {
    let sandbox = start().await;
    let client = deployments(&sandbox);
    let id = deploy(&client, "known").await.id.unwrap();
    for (name, id) in [
        ("known", uuid::Uuid::new_v4().to_string()),
        ("known", "not-a-uuid".to_owned()),
        ("other", id.clone()),
        ("never-deployed", "latest".to_owned()),
    ] {
        let (code, message) = api_error(
            client
                .get_deployment()
                .connector_name(name)
                .connector_version("1.0")
                .id(id.as_str())
                .send()
                .await,
        );
        assert_eq!(code, 404, "{name} {id}");
        assert!(message.contains(&format!("({name}~1.0)")), "{message}");
    }
}

fn zip_of(files: &[(&str, &str)]) -> String {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, content) in files {
        writer
            .start_file(*path, zip::write::SimpleFileOptions::default())
            .unwrap();
        writer.write_all(content.as_bytes()).unwrap();
    }
    base64::engine::general_purpose::STANDARD.encode(writer.finish().unwrap().into_inner())
}

#[tokio::test(start_paused = true)]
async fn each_bad_deploy_has_its_own_400() {
    let sandbox = start().await;
    let token = sandbox.token().to_owned();
    let body = |source: &str| format!(r#"{{"connectorSourceCode":"{source}"}}"#);
    let cases: Vec<(String, String, &str)> = vec![
        (
            deploy_path("c", "1.0"),
            "{not json".to_owned(),
            "not valid JSON",
        ),
        (
            deploy_path("c", "1.0"),
            "{}".to_owned(),
            "missing field `connectorSourceCode`",
        ),
        (
            deploy_path("c", "1.0"),
            r#"{"connectorSourceCode":42}"#.to_owned(),
            "invalid type",
        ),
        (
            deploy_path("c", "1.0"),
            body("@@not base64@@"),
            "not valid base64",
        ),
        (
            deploy_path("c", "1.0"),
            body("aGVsbG8gd29ybGQ="),
            "not a zip archive",
        ),
        (
            deploy_path("c", "1.0"),
            body(&zip_of(&[("c/package.json", "{}")])),
            "has no connector.json",
        ),
        (
            deploy_path("c", "1.0"),
            body(&zip_of(&[("c/connector.json", "{\"name\": 1}")])),
            "connector.json could not be read",
        ),
        (
            deploy_path("other-name", "1.0"),
            body(&source_code("c", "1.0")),
            "name in the path (other-name) does not match the name in connector.json (c)",
        ),
        (
            deploy_path("c", "1.0"),
            body(&source_code("c", "2.0")),
            "version in the path (1.0) does not match the version in connector.json (2.0)",
        ),
        (
            deploy_path("c", "2.0"),
            body(&source_code("c", "2.0")),
            "Connector version 2.0 is not supported. Only version 1.0 is supported.",
        ),
    ];
    let mut messages = Vec::new();
    for (path, body, expected) in cases {
        let response = plain(&sandbox, Method::POST, &path, Some(&token), Some(&body)).await;
        let message = response.error(400);
        assert!(
            message.contains(expected),
            "{expected:?} not in {message:?}"
        );
        messages.push(message);
    }
    let distinct: std::collections::BTreeSet<_> = messages.iter().collect();
    assert_eq!(distinct.len(), messages.len());
    // Root layout and the raw client are accepted too.
    let client = deployments(&sandbox);
    let flat = client
        .deploy_connector()
        .connector_name("flat")
        .connector_version("1.0")
        .body(DeployConnectorRequest {
            connector_source_code: zip_of(&[(
                "connector.json",
                r#"{"name":"flat","version":"1.0"}"#,
            )]),
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(flat.deployment_status, Some(DeploymentStatus::Deploying));
    // Through the raw client, the error is a typed ApiError.
    let (code, message) = api_error(
        client
            .deploy_connector()
            .connector_name("x")
            .connector_version("1.0")
            .body(DeployConnectorRequest {
                connector_source_code: "!!".into(),
            })
            .send()
            .await,
    );
    assert_eq!(code, 400);
    assert!(message.contains("base64"));
}

#[tokio::test(start_paused = true)]
async fn share_counts_new_addresses_only() {
    let sandbox = fast().deploy_time(Duration::ZERO).start().await.unwrap();
    let client = permissions(&sandbox);
    let share = |emails: Vec<&str>| {
        let client = &client;
        let emails: Vec<String> = emails.into_iter().map(str::to_owned).collect();
        async move {
            client
                .share_with_emails()
                .connector_name("shared")
                .connector_version("1.0")
                .body(ShareWithEmailsRequest { emails })
                .send()
                .await
        }
    };
    // Never deployed: 404 in Tray's words.
    let (code, message) = api_error(share(vec!["a@example.com"]).await);
    assert_eq!(code, 404);
    assert_eq!(
        message,
        "The connector (shared~1.0) was not found or you don't have permission to access it"
    );
    deploy(&deployments(&sandbox), "shared").await;
    let first = share(vec!["a@example.com", "b@example.com"])
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.message, "2 permissions added");
    let second = share(vec!["B@example.com", "c@example.com", "c@example.com"])
        .await
        .unwrap()
        .into_inner();
    assert_eq!(second.message, "1 permissions added");
    let third = share(vec!["a@example.com"]).await.unwrap().into_inner();
    assert_eq!(third.message, "0 permissions added");
    let (code, message) = api_error(share(vec!["not-an-email", "x@y.com"]).await);
    assert_eq!(code, 400);
    assert_eq!(message, "Invalid email address: not-an-email");
    let (code, message) = api_error(share(vec![]).await);
    assert_eq!(code, 400);
    assert!(message.contains("at least one"));
    let response = plain(
        &sandbox,
        Method::POST,
        "/cdk/v1/permissions/connectors/shared/versions/1.0/share-with-emails",
        Some(sandbox.token()),
        Some(r#"{"emails": "a@example.com"}"#),
    )
    .await;
    assert!(response.error(400).contains("invalid type"));
}

#[tokio::test(start_paused = true)]
async fn share_needs_a_deployed_version_not_an_in_progress_one() {
    let sandbox = fast()
        .deploy_time(Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    deploy(&deployments(&sandbox), "slow").await;
    let (code, _) = api_error(
        permissions(&sandbox)
            .share_with_emails()
            .connector_name("slow")
            .connector_version("1.0")
            .body(ShareWithEmailsRequest {
                emails: vec!["a@example.com".into()],
            })
            .send()
            .await,
    );
    assert_eq!(code, 404);
}

#[tokio::test(start_paused = true)]
async fn every_fault_kind() {
    let sandbox = fast().deploy_time(Duration::ZERO).start().await.unwrap();
    let client = deployments(&sandbox);
    let id = deploy(&client, "faulty").await.id.unwrap();
    let status_path = format!("/cdk/v1/deployments/connectors/faulty/versions/1.0/{id}");
    let token = sandbox.token().to_owned();
    let get = || plain(&sandbox, Method::GET, &status_path, Some(&token), None);

    sandbox.set_faults(vec![Fault::new(Route::Status, FaultKind::TooManyRequests)]);
    let response = get().await;
    assert_eq!(response.error(429), "Too many requests");

    sandbox.set_faults(vec!["status=500".parse().unwrap()]);
    assert_eq!(get().await.error(500), "Internal error");

    sandbox.set_faults(vec!["*=html502".parse().unwrap()]);
    let response = get().await;
    assert_eq!(response.status, 502);
    assert_eq!(response.content_type, "text/html");
    assert!(response.text.contains("502 Bad Gateway"));

    sandbox.set_faults(vec!["status=truncated".parse().unwrap()]);
    let response = get().await;
    assert_eq!(response.status, 200);
    assert_eq!(response.content_type, "application/json");
    assert!(serde_json::from_str::<serde_json::Value>(&response.text).is_err());
    assert!(
        response.text.starts_with("{\"connectorName\":\"faulty\""),
        "{}",
        response.text
    );

    sandbox.set_faults(vec!["status=unknown-status".parse().unwrap()]);
    assert_eq!(
        status(&client, "faulty", &id).await,
        DeploymentStatus::Unknown("Queued".into())
    );

    sandbox.set_faults(vec!["status=latency:200ms".parse().unwrap()]);
    let started = tokio::time::Instant::now();
    assert_eq!(
        status(&client, "faulty", &id).await,
        DeploymentStatus::Deployed
    );
    assert_eq!(started.elapsed(), Duration::from_millis(200));

    sandbox.set_faults(vec!["status=reset".parse().unwrap()]);
    let result = http()
        .get(format!("{}{status_path}", sandbox.base_url()))
        .bearer_auth(&token)
        .send()
        .await;
    let error = result.expect_err("a reset connection gives no response");
    assert!(!error.is_status(), "{error}");

    // Faults are per route: the deploy route is untouched.
    sandbox.set_faults(vec!["deploy=500".parse().unwrap()]);
    assert_eq!(
        status(&client, "faulty", &id).await,
        DeploymentStatus::Deployed
    );

    // A rate of 0.5 hits exactly every second request.
    sandbox.set_faults(vec!["status=429@0.5".parse().unwrap()]);
    let mut codes = Vec::new();
    for _ in 0..6 {
        codes.push(get().await.status);
    }
    assert_eq!(codes, vec![200, 429, 200, 429, 200, 429]);

    // `*` covers unknown paths too; a route name only its own method.
    sandbox.set_faults(vec!["*=500".parse().unwrap()]);
    let response = plain(&sandbox, Method::GET, "/nope", Some(&token), None).await;
    assert_eq!(response.error(500), "Internal error");
    sandbox.set_faults(vec!["status=500".parse().unwrap()]);
    let response = plain(&sandbox, Method::POST, &status_path, Some(&token), None).await;
    assert!(response.error(405).ends_with("(use GET)"));
    let response = plain(&sandbox, Method::HEAD, &status_path, Some(&token), None).await;
    assert_eq!(response.status, 500, "HEAD is the status route too");

    sandbox.clear_faults();
    assert_eq!(get().await.status, 200);
}

#[tokio::test(start_paused = true)]
async fn faults_set_on_the_builder_and_rate_limit() {
    let sandbox = fast()
        .fault("deploy=429".parse().unwrap())
        .rate_limit(true)
        .start()
        .await
        .unwrap();
    let response = plain(
        &sandbox,
        Method::POST,
        &deploy_path("x", "1.0"),
        Some(sandbox.token()),
        Some("{}"),
    )
    .await;
    assert_eq!(response.error(429), "Too many requests");
    sandbox.clear_faults();
    let http = http();
    let url = format!(
        "{}/core/v1/projects/{}/versions",
        sandbox.base_url(),
        tray_sandbox::SOURCE_PROJECT_ID
    );
    let mut limited = 0;
    for _ in 0..80 {
        let response = http
            .get(&url)
            .bearer_auth(sandbox.token())
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            assert!(response.headers().get("retry-after").is_none());
            let body: serde_json::Value = response.json().await.unwrap();
            assert!(
                body["message"]
                    .as_str()
                    .unwrap()
                    .contains("30 requests per second")
            );
            limited += 1;
        }
    }
    // On tokio's paused clock no time passes: the burst of 50, then 429s.
    assert_eq!(limited, 30, "{limited} of 80 limited");
    // A second later, 30 more are allowed (Tray's 30/s).
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut allowed = 0;
    for _ in 0..40 {
        let response = http
            .get(&url)
            .bearer_auth(sandbox.token())
            .send()
            .await
            .unwrap();
        if response.status() == 200 {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 30);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_clients() {
    let sandbox = fast()
        .deploy_time(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let base_url = sandbox.base_url();
    let token = sandbox.token().to_owned();
    // One connection pool (building 200 TLS-capable reqwest clients is slow
    // in debug builds); each task is its own API client with its own
    // connections, as the pool opens one per concurrent request.
    let http = http();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let base_url = base_url.clone();
            let token = token.clone();
            let http = http.clone();
            tokio::spawn(async move {
                let client = tray_api_raw::deployments::Client::new_with_client(
                    &base_url,
                    http,
                    tray_api_raw::ClientState::bearer(&token).unwrap(),
                );
                let name = format!("concurrent-{i}");
                let deployed = deploy(&client, &name).await;
                assert_eq!(deployed.connector_name.as_deref(), Some(name.as_str()));
                let id = deployed.id.unwrap();
                let seen = poll(&client, &name, &id).await;
                assert_eq!(seen.last(), Some(&DeploymentStatus::Deployed), "{name}");
                let latest = client
                    .get_deployment()
                    .connector_name(&name)
                    .connector_version("1.0")
                    .id("latest")
                    .send()
                    .await
                    .unwrap()
                    .into_inner();
                assert_eq!(latest.id.as_deref(), Some(id.as_str()));
                assert_eq!(latest.connector_name.as_deref(), Some(name.as_str()));
                id
            })
        })
        .collect();
    let mut ids = std::collections::BTreeSet::new();
    for task in tasks {
        ids.insert(task.await.unwrap());
    }
    assert_eq!(ids.len(), 200, "every deployment has its own id");
}

#[tokio::test(start_paused = true)]
async fn a_seeded_connector_is_deployed_and_shareable_at_once() {
    let sandbox = fast().start().await.unwrap();
    let id = sandbox.seed_deployed_connector("acme-crm", "1.0");
    let client = deployments(&sandbox);
    let latest = client
        .get_deployment()
        .connector_name("acme-crm")
        .connector_version("1.0")
        .id("latest")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(latest.id, Some(id.to_string()));
    assert_eq!(latest.deployment_status, Some(DeploymentStatus::Deployed));
    let shared = tray_api_raw::permissions::Client::new_with_client(
        &sandbox.base_url(),
        http(),
        tray_api_raw::ClientState::bearer(sandbox.token()).unwrap(),
    )
    .share_with_emails()
    .connector_name("acme-crm")
    .connector_version("1.0")
    .body(tray_api_raw::permissions::types::ShareWithEmailsRequest {
        emails: vec!["ada@example.com".into()],
    })
    .send()
    .await
    .unwrap()
    .into_inner();
    assert_eq!(shared.message, "1 permissions added");
}
