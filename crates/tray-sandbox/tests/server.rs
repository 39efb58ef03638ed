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

#[tokio::test(start_paused = true)]
async fn missing_or_wrong_token_is_401() {
    let sandbox = start().await;
    assert_eq!(sandbox.token(), DEFAULT_TOKEN);
    assert!(DEFAULT_TOKEN.len() >= 36);
    let path = format!("/core/v1/projects/{SOURCE_PROJECT_ID}/versions");
    for token in [None, Some("wrong-token"), Some("")] {
        let response = plain(&sandbox, Method::GET, &path, token, None).await;
        assert_eq!(response.error(401), "The request is unauthorized");
    }
    let response = http()
        .get(format!("{}{path}", sandbox.base_url()))
        .header("authorization", format!("Basic {DEFAULT_TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    // Through the raw client.
    let client = tray_api_raw::deployments::Client::new_with_client(
        &sandbox.base_url(),
        http(),
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

#[tokio::test(start_paused = true)]
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

#[tokio::test(start_paused = true)]
async fn a_route_left_out_answers_as_an_unknown_path() {
    let sandbox = fast()
        .without_route(tray_sandbox::Route::Status)
        .start()
        .await
        .unwrap();
    let token = sandbox.token().to_owned();
    let status_path = "/cdk/v1/deployments/connectors/acme-crm/versions/1.0/latest";
    let response = plain(&sandbox, Method::GET, status_path, Some(&token), None).await;
    assert_eq!(
        response.error(404),
        format!("No such endpoint: GET {status_path}")
    );
    // The other routes, including the deploy route beside it, still answer.
    let deployed = deploy(&deployments(&sandbox), "acme-crm").await;
    assert_eq!(
        deployed.deployment_status,
        Some(DeploymentStatus::Deploying)
    );
    let response = plain(
        &sandbox,
        Method::GET,
        &format!("/core/v1/projects/{SOURCE_PROJECT_ID}/versions"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.text);
    // A path another route serves with another method is still a 405.
    let response = plain(
        &sandbox,
        Method::GET,
        &deploy_path("acme-crm", "1.0"),
        Some(&token),
        None,
    )
    .await;
    assert!(response.error(405).contains("use POST"));

    // `Route::All` leaves every route out.
    let empty = fast()
        .without_route(tray_sandbox::Route::All)
        .start()
        .await
        .unwrap();
    let path = format!("/core/v1/projects/{SOURCE_PROJECT_ID}/versions");
    let response = plain(&empty, Method::GET, &path, Some(&token), None).await;
    assert_eq!(response.error(404), format!("No such endpoint: GET {path}"));
}

#[tokio::test(start_paused = true)]
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

#[tokio::test(start_paused = true)]
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

#[tokio::test(start_paused = true)]
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

#[tokio::test(start_paused = true)]
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

#[tokio::test(start_paused = true)]
async fn a_blank_version_number_is_refused() {
    let sandbox = fast().start().await.unwrap();
    let response = http()
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

#[tokio::test(start_paused = true)]
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

#[tokio::test(start_paused = true)]
async fn dropping_the_handle_stops_the_server() {
    let sandbox = start().await;
    let url = format!("{}/nope", sandbox.base_url());
    drop(sandbox);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(http().get(&url).send().await.is_err());
}

/// Every rejection the app can see is Tray's JSON body with its status:
/// a wrong method, an unknown route, bad path and query values, a body
/// that is not JSON, a body over the limit.
#[tokio::test(start_paused = true)]
async fn every_rejection_is_a_tray_json_body() {
    let sandbox = fast().body_limit(1024).start().await.unwrap();
    let token = sandbox.token().to_owned();
    let versions = format!("/core/v1/projects/{SOURCE_PROJECT_ID}/versions");

    // A wrong method: 405, naming the method to use, also in `Allow`.
    let response = http()
        .put(format!("{}{versions}", sandbox.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "GET, HEAD");
    let response = plain(&sandbox, Method::PUT, &versions, Some(&token), None).await;
    assert_eq!(
        response.error(405),
        format!("Method PUT is not allowed on {versions} (use GET)")
    );
    let response = plain(
        &sandbox,
        Method::PATCH,
        &format!("/core/v1/solutions/{SOLUTION_ID}/releases"),
        Some(&token),
        None,
    )
    .await;
    assert!(response.error(405).ends_with("(use POST)"));

    // An unknown route: 404, before the token is looked at.
    let response = plain(
        &sandbox,
        Method::POST,
        "/core/v2/projects",
        None,
        Some("{}"),
    )
    .await;
    assert_eq!(
        response.error(404),
        "No such endpoint: POST /core/v2/projects"
    );
    let response = plain(
        &sandbox,
        Method::GET,
        &format!("{versions}/"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        response.error(404),
        format!("No such endpoint: GET {versions}/")
    );

    // Bad path values.
    let response = plain(
        &sandbox,
        Method::GET,
        "/core/v1/projects/%FF/versions",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        response.error(400),
        "projectId is not valid UTF-8 once percent-decoded"
    );
    let response = plain(
        &sandbox,
        Method::POST,
        "/core/v1/solutions/not-a-uuid/releases/previews",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(
        response.error(400),
        "solutionId must be a UUID, got \"not-a-uuid\""
    );

    // Bad query values.
    let response = plain(
        &sandbox,
        Method::GET,
        &format!("{versions}?first=2&first=3"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(response.error(400), "duplicate field `first`");
    let response = plain(
        &sandbox,
        Method::GET,
        &format!("{versions}?last=%FF"),
        Some(&token),
        None,
    )
    .await;
    assert!(response.error(400).starts_with("last must be an integer"));

    // A body that is not JSON (whatever its content type).
    let response = plain(
        &sandbox,
        Method::POST,
        &format!("{versions}/7"),
        Some(&token),
        Some("title=Seven"),
    )
    .await;
    assert!(
        response
            .error(400)
            .starts_with("The request body is not valid JSON")
    );

    // A body over the limit: 413, and nothing was created.
    let big = format!(r#"{{"title": "{}"}}"#, "x".repeat(2048));
    let response = plain(
        &sandbox,
        Method::POST,
        &format!("{versions}/8"),
        Some(&token),
        Some(&big),
    )
    .await;
    assert_eq!(
        response.error(413),
        "The request body is larger than 1024 bytes"
    );
    let listed = plain(&sandbox, Method::GET, &versions, Some(&token), None).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()["elements"].as_array().unwrap().len(), 1);
    // The request log keeps it, without the body.
    let logged = sandbox.requests();
    let last = logged.last().unwrap();
    assert_eq!(last.method, "GET");
    let refused = &logged[logged.len() - 2];
    assert_eq!(
        (refused.path.as_str(), refused.body.as_str()),
        (format!("{versions}/8").as_str(), "")
    );

    // HEAD is served where GET is.
    let response = http()
        .head(format!("{}{versions}", sandbox.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test(start_paused = true)]
async fn version_numbers_must_be_printable() {
    let sandbox = fast().start().await.unwrap();
    let versions = format!("/core/v1/projects/{SOURCE_PROJECT_ID}/versions");
    let body = r#"{"title": "Odd"}"#;
    for (segment, expected) in [
        ("%00", "versionNumber must be printable, got \"\\0\""),
        ("1%0A", "versionNumber must be printable, got \"1\\n\""),
        ("%7F", "versionNumber must be printable, got \"\\u{7f}\""),
        ("a%2Fb", "versionNumber must not be a path, got \"a/b\""),
        ("..", "versionNumber must not be a path, got \"..\""),
        ("%2E", "versionNumber must not be a path, got \".\""),
        ("%20%09", "versionNumber must not be empty"),
    ] {
        // By hand: an HTTP client would resolve `..` before sending.
        let response = raw_request(&sandbox, "POST", &format!("{versions}/{segment}"), body).await;
        let message = response.error(400);
        assert!(message.starts_with(expected), "{segment}: {message}");
        let response =
            raw_request(&sandbox, "GET", &format!("{versions}/{segment}/export"), "").await;
        assert!(response.error(400).starts_with(expected), "{segment}");
    }
    // Printable ones, with spaces or dots, are fine.
    for segment in ["2.0.1", "release%204", "..1"] {
        let response = raw_request(&sandbox, "POST", &format!("{versions}/{segment}"), body).await;
        assert_eq!(response.status, 201, "{segment}: {}", response.text);
    }
}

#[tokio::test]
async fn acknowledged_changes_are_already_in_the_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let sandbox = fast().state_file(&path).start().await.unwrap();
    let http = http();
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let request = http
                .post(format!(
                    "{}/core/v1/projects/{SOURCE_PROJECT_ID}/versions/v{i}",
                    sandbox.base_url()
                ))
                .bearer_auth(sandbox.token())
                .json(&serde_json::json!({"title": format!("Saved {i}")}));
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 201);
    }
    // No restart, no wait: what was acknowledged is on disk.
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let versions = saved["projects"][SOURCE_PROJECT_ID.to_string()]["versions"]
        .as_array()
        .unwrap();
    assert_eq!(versions.len(), 21);
    for i in 0..20 {
        assert!(
            versions.iter().any(|v| v["title"] == format!("Saved {i}")),
            "{i}"
        );
    }
}

#[tokio::test]
async fn a_change_that_cannot_be_saved_is_a_500_not_an_acknowledgement() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("state");
    std::fs::create_dir(&folder).unwrap();
    let sandbox = fast()
        .state_file(folder.join("state.json"))
        .start()
        .await
        .unwrap();
    // The folder goes away under the running sandbox.
    std::fs::remove_dir_all(&folder).unwrap();
    let versions = format!("/core/v1/projects/{SOURCE_PROJECT_ID}/versions");
    let response = plain(
        &sandbox,
        Method::POST,
        &format!("{versions}/9"),
        Some(sandbox.token()),
        Some(r#"{"title": "Lost"}"#),
    )
    .await;
    let message = response.error(500);
    assert!(
        message.starts_with("The change could not be saved to the state file"),
        "{message}"
    );
    // Reads are still served.
    let response = plain(
        &sandbox,
        Method::GET,
        &versions,
        Some(sandbox.token()),
        None,
    )
    .await;
    assert_eq!(response.status, 200);
    // Once the folder is back, changes are saved again.
    std::fs::create_dir(&folder).unwrap();
    let response = plain(
        &sandbox,
        Method::POST,
        &format!("{versions}/10"),
        Some(sandbox.token()),
        Some(r#"{"title": "Kept"}"#),
    )
    .await;
    assert_eq!(response.status, 201, "{}", response.text);
    assert!(
        std::fs::read_to_string(folder.join("state.json"))
            .unwrap()
            .contains("\"Kept\"")
    );
}

#[tokio::test]
async fn a_state_folder_that_does_not_exist_fails_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder").join("state.json");
    let error = fast().state_file(&missing).start().await.unwrap_err();
    assert!(
        matches!(error, tray_sandbox::SandboxError::StateFile { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("does not exist"), "{error}");
    assert!(!missing.parent().unwrap().exists());
    // A file where the folder should be.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let error = fast()
        .state_file(file.join("state.json"))
        .start()
        .await
        .unwrap_err();
    assert!(error.to_string().contains("does not exist"), "{error}");
}

#[tokio::test]
async fn stale_temporary_files_are_removed_on_start() {
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join(".state.json.tmpAbC123");
    let unrelated = dir.path().join(".notes.txt.tmp1");
    std::fs::write(&stale, "{half a sta").unwrap();
    std::fs::write(&unrelated, "mine").unwrap();
    let _sandbox = fast()
        .state_file(dir.path().join("state.json"))
        .start()
        .await
        .unwrap();
    assert!(!stale.exists());
    assert!(unrelated.exists(), "only the state file's temporaries go");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[cfg(unix)]
#[tokio::test]
async fn a_symlinked_state_file_stays_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.json");
    let link = dir.path().join("state.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let sandbox = fast().state_file(&link).start().await.unwrap();
    let response = plain(
        &sandbox,
        Method::POST,
        &format!("/core/v1/projects/{SOURCE_PROJECT_ID}/versions/3"),
        Some(sandbox.token()),
        Some(r#"{"title": "Through the link"}"#),
    )
    .await;
    assert_eq!(response.status, 201);
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .contains("Through the link")
    );
}
