//! Auth, routing errors, the request log, the state file and seeding.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::*;
use reqwest::Method;
use tray_api_raw::DeploymentStatus;
use tray_api_raw::deployments::types::DeployConnectorRequest;
use tray_api_raw::projects::types::CreateProjectVersionInput;
use tray_sandbox::{
    DEFAULT_TOKEN, DESTINATION_PROJECT_ID, SOLUTION_ID, SOURCE_PROJECT_ID, Sandbox,
};

#[tokio::test]
async fn missing_or_wrong_token_is_401() {
    let sandbox = start().await;
    assert_eq!(sandbox.token(), DEFAULT_TOKEN);
    assert!(DEFAULT_TOKEN.len() >= 36);
    let path = format!("/core/v1/projects/{SOURCE_PROJECT_ID}/versions");
    for token in [None, Some("wrong-token"), Some("")] {
        let response = plain(&sandbox, Method::GET, &path, token, None).await;
        assert_eq!(response.error(401), "The request is unauthorized");
    }
    let response = reqwest::Client::new()
        .get(format!("{}{path}", sandbox.base_url()))
        .header("authorization", format!("Basic {DEFAULT_TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    // Through the raw client.
    let client = tray_api_raw::deployments::Client::new_with_client(
        &sandbox.base_url(),
        reqwest::Client::new(),
        tray_api_raw::ClientState::bearer("not-the-token").unwrap(),
    );
    let (code, message) = api_error(
        client
            .get_deployment()
            .connector_name("a")
            .connector_version("1.0")
            .id("latest")
            .send()
            .await,
    );
    assert_eq!(
        (code, message.as_str()),
        (401, "The request is unauthorized")
    );
}

#[tokio::test]
async fn read_token_reads_but_cannot_write() {
    let sandbox = fast()
        .token("custom-full-token-000000000000000000000000")
        .read_token("custom-read-token-000000000000000000000000")
        .start()
        .await
        .unwrap();
    let read = sandbox.read_token().unwrap().to_owned();
    let writes = [
        (
            deploy_path("c", "1.0"),
            format!(r#"{{"connectorSourceCode":"{}"}}"#, source_code("c", "1.0")),
        ),
        (
            "/cdk/v1/permissions/connectors/c/versions/1.0/share-with-emails".into(),
            r#"{"emails":["a@b.co"]}"#.into(),
        ),
        (
            format!("/core/v1/projects/{SOURCE_PROJECT_ID}/versions/9"),
            r#"{"title":"t"}"#.into(),
        ),
        (
            format!("/core/v1/projects/{DESTINATION_PROJECT_ID}/imports"),
            "{}".into(),
        ),
        (
            format!("/core/v1/solutions/{SOLUTION_ID}/releases"),
            String::new(),
        ),
    ];
    for (path, body) in writes {
        let response = plain(&sandbox, Method::POST, &path, Some(&read), Some(&body)).await;
        assert!(response.error(403).contains("read-only"), "{path}");
    }
    let ok = plain(
        &sandbox,
        Method::GET,
        &format!("/core/v1/projects/{SOURCE_PROJECT_ID}/versions"),
        Some(&read),
        None,
    )
    .await;
    assert_eq!(ok.status, 200);
    let ok = plain(
        &sandbox,
        Method::POST,
        &format!("/core/v1/solutions/{SOLUTION_ID}/releases/previews"),
        Some(&read),
        None,
    )
    .await;
    assert_eq!(ok.status, 200);
    // The default token is not accepted when another is set.
    let response = plain(
        &sandbox,
        Method::GET,
        &format!("/core/v1/projects/{SOURCE_PROJECT_ID}/versions"),
        Some(DEFAULT_TOKEN),
        None,
    )
    .await;
    assert_eq!(response.status, 401);
    let response = plain(
        &sandbox,
        Method::POST,
        &format!("/core/v1/projects/{SOURCE_PROJECT_ID}/versions/9"),
        Some(sandbox.token()),
        Some(r#"{"title":"t"}"#),
    )
    .await;
    assert_eq!(response.status, 201);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let sandbox = start().await;
    let token = sandbox.token().to_owned();
    let response = plain(&sandbox, Method::GET, "/nope", Some(&token), None).await;
    assert_eq!(response.error(404), "No such endpoint: GET /nope");
    let response = plain(
        &sandbox,
        Method::GET,
        "/core/v1/projects/x/versions/1/export/extra",
        None,
        None,
    )
    .await;
    response.error(404);
    let response = plain(
        &sandbox,
        Method::DELETE,
        &format!("/core/v1/projects/{SOURCE_PROJECT_ID}/versions"),
        Some(&token),
        None,
    )
    .await;
    assert!(response.error(405).contains("use GET"));
    let response = plain(
        &sandbox,
        Method::GET,
        &deploy_path("c", "1.0"),
        Some(&token),
        None,
    )
    .await;
    assert!(response.error(405).contains("use POST"));
    let response = plain(
        &sandbox,
        Method::POST,
        &deploy_path("c", "1.0"),
        Some(&token),
        Some("[1,2]"),
    )
    .await;
    assert_eq!(
        response.error(400),
        "Invalid request body: expected a JSON object"
    );
}

#[tokio::test]
async fn request_log_redacts_the_token() {
    let sandbox = start().await;
    let client = deployments(&sandbox);
    deploy(&client, "logged").await;
    let _ = plain(
        &sandbox,
        Method::GET,
        "/cdk/v1/deployments/connectors/logged/versions/1.0/latest?x=1",
        Some(sandbox.token()),
        None,
    )
    .await;
    let log = sandbox.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].method, "POST");
    assert_eq!(log[0].path, deploy_path("logged", "1.0"));
    assert_eq!(log[0].header("authorization"), Some("Bearer <redacted>"));
    assert!(log[0].body.contains("connectorSourceCode"));
    assert_eq!(
        log[1].path,
        "/cdk/v1/deployments/connectors/logged/versions/1.0/latest?x=1"
    );
    for entry in &log {
        assert!(
            entry
                .headers
                .iter()
                .all(|(_, value)| !value.contains(sandbox.token()))
        );
    }
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let (id, base_version_count) = {
        let sandbox = fast()
            .deploy_time(Duration::ZERO)
            .state_file(&path)
            .start()
            .await
            .unwrap();
        let id = deploy(&deployments(&sandbox), "persisted")
            .await
            .id
            .unwrap();
        projects(&sandbox)
            .create_project_version()
            .project_id(SOURCE_PROJECT_ID)
            .version_number("2")
            .body(CreateProjectVersionInput {
                title: "Kept".into(),
                description: None,
            })
            .send()
            .await
            .unwrap();
        solutions(&sandbox)
            .create_solution_release()
            .solution_id(SOLUTION_ID)
            .send()
            .await
            .unwrap();
        (id, 2)
    };
    assert!(path.exists());
    let sandbox = fast().state_file(&path).start().await.unwrap();
    let client = deployments(&sandbox);
    assert_eq!(
        status(&client, "persisted", "latest").await,
        DeploymentStatus::Deployed
    );
    assert_eq!(
        status(&client, "persisted", &id).await,
        DeploymentStatus::Deployed
    );
    let versions = projects(&sandbox)
        .list_project_versions()
        .project_id(SOURCE_PROJECT_ID)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(versions.elements.len(), base_version_count);
    assert_eq!(versions.elements[1].title, "Kept");
    let preview = solutions(&sandbox)
        .preview_solution_release()
        .solution_id(SOLUTION_ID)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        preview.config_slots.updated.is_empty(),
        "the release was kept"
    );
    // A broken state file is an error, not a silent reset.
    std::fs::write(&path, "{broken").unwrap();
    let error = fast().state_file(&path).start().await.unwrap_err();
    assert!(error.to_string().contains("bad state file"), "{error}");
}

#[tokio::test]
async fn seed_file_adds_projects() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.json");
    let id = uuid::Uuid::new_v4();
    std::fs::write(
        &path,
        serde_json::json!({"projects": [{
            "id": id,
            "name": "From a seed file",
            "config": {"batchSize": 50},
            "versions": [{"versionNumber": "7", "title": "Seeded"}],
            "workflows": [{"title": "Sync", "steps": [{"name": "trigger"}]}]
        }]})
        .to_string(),
    )
    .unwrap();
    let sandbox = fast().seed_file(&path).start().await.unwrap();
    let versions = projects(&sandbox)
        .list_project_versions()
        .project_id(id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(versions.elements[0].version_number, "7");
    let exported = projects(&sandbox)
        .export_project_version()
        .project_id(id)
        .version_number("7")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(exported.0["config"]["batchSize"], 50);
    assert_eq!(exported.0["workflows"][0]["title"], "Sync");
    std::fs::write(&path, r#"{"projects": [{"config": 1}]}"#).unwrap();
    let error = fast().seed_file(&path).start().await.unwrap_err();
    assert!(error.to_string().contains("bad seed file"), "{error}");
    // A file that is not in the seed format is refused, not silently empty.
    std::fs::write(&path, r#"{"project": []}"#).unwrap();
    let error = fast().seed_file(&path).start().await.unwrap_err();
    assert!(error.to_string().contains("project"), "{error}");
}

#[tokio::test]
async fn a_blank_version_number_is_refused() {
    let sandbox = fast().start().await.unwrap();
    let response = reqwest::Client::new()
        .post(format!(
            "{}/core/v1/projects/{}/versions/%20",
            sandbox.base_url(),
            tray_sandbox::SOURCE_PROJECT_ID
        ))
        .bearer_auth(sandbox.token())
        .json(&serde_json::json!({"title": "Blank"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["message"], "versionNumber must not be empty");
    assert_eq!(body["code"], serde_json::Value::Null);
}

#[tokio::test]
async fn banner_and_fixed_ids() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let banner = sandbox.banner();
    assert!(banner.contains(&sandbox.base_url()));
    assert!(banner.contains(&format!("source project {SOURCE_PROJECT_ID}")));
    assert!(banner.contains(&format!("destination project {DESTINATION_PROJECT_ID}")));
    assert!(banner.contains(&format!("solution {SOLUTION_ID}")));
    assert!(sandbox.base_url().starts_with("http://127.0.0.1:"));
    assert!(!sandbox.base_url().ends_with('/'));
    assert_eq!(sandbox.deploy_time(), Duration::from_secs(3));
    // The default deploy time progresses too (just check the first status).
    let client = deployments(&sandbox);
    let deployed = client
        .deploy_connector()
        .connector_name("slow-default")
        .connector_version("1.0")
        .body(DeployConnectorRequest {
            connector_source_code: source_code("slow-default", "1.0"),
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        status(&client, "slow-default", &deployed.id.unwrap()).await,
        DeploymentStatus::Deploying
    );
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let sandbox = start().await;
    let url = format!("{}/nope", sandbox.base_url());
    drop(sandbox);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(reqwest::Client::new().get(&url).send().await.is_err());
}
