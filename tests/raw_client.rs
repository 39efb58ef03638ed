//! Every endpoint of every spec is a typed method of the raw client: each one
//! is called against a local HTTP mock, which checks the method, the path,
//! the bearer token and the JSON body, and answers with the seed sample.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Value, json};
use tray_api_raw::{
    ApiError, ClientState, DeploymentStatus, deployments, permissions, projects, solutions,
};
use tray_tests::fixture;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "test-token-0123456789abcdef0123456789abcdef";
const PROJECT: &str = "5a8591dd-4039-49df-9202-96385ba3eff8";
const SOLUTION: &str = "9ff66092-33fb-498c-8123-e85aa68facfe";

fn state() -> ClientState {
    ClientState::bearer(TOKEN).unwrap()
}

/// Mount a mock that only answers `verb path` with the token (and `body`,
/// when given), and expects exactly one call.
async fn expect(
    server: &MockServer,
    verb: &str,
    route: &str,
    body: Option<&Value>,
    status: u16,
    reply: &Value,
) {
    let mut mock = Mock::given(method(verb))
        .and(path(route))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()));
    if let Some(body) = body {
        mock = mock.and(body_json(body));
    }
    mock.respond_with(ResponseTemplate::new(status).set_body_json(reply))
        .expect(1)
        .mount(server)
        .await;
}

/// What the generated client sent, checked once per test: no progenitor
/// `api-version` header, JSON content type on bodies.
async fn assert_requests_clean(server: &MockServer) {
    for request in server
        .received_requests()
        .await
        .expect("the mock server records requests")
    {
        assert!(
            request.headers.get("api-version").is_none(),
            "api-version sent to {}",
            request.url
        );
        if !request.body.is_empty() {
            assert_eq!(
                request
                    .headers
                    .get("content-type")
                    .map(|v| v.to_str().unwrap()),
                Some("application/json")
            );
        }
    }
}

fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

#[tokio::test]
async fn deploy_connector_posts_the_source_code() {
    let server = MockServer::start().await;
    let body = json!({"connectorSourceCode": "UEsDBAo="});
    let reply = fixture("deployments/deployConnector.response.guide.json");
    expect(
        &server,
        "POST",
        "/cdk/v1/deployments/connectors/my-connector/versions/1.0/deploy-connector-from-source",
        Some(&body),
        200,
        &reply,
    )
    .await;
    let client = deployments::Client::new(&server.uri(), state());
    let deployment = client
        .deploy_connector()
        .connector_name("my-connector")
        .connector_version("1.0")
        .body(deployments::types::DeployConnectorRequest {
            connector_source_code: "UEsDBAo=".into(),
        })
        .send()
        .await
        .map(|r| r.into_inner());
    let deployment = deployment.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        deployment.id.as_deref(),
        Some("3c5e4a2d-ad3a-58e9-8e2d-eff986f62387")
    );
    assert_eq!(
        deployment.deployment_status,
        Some(DeploymentStatus::Deploying)
    );
    assert_eq!(deployment.repeat_deployment, None);
    assert_requests_clean(&server).await;
}

#[tokio::test]
async fn get_deployment_reads_latest_and_keeps_unknown_statuses() {
    let server = MockServer::start().await;
    let mut reply = fixture("deployments/getDeployment.response.json");
    reply["deploymentStatus"] = json!("Queued");
    expect(
        &server,
        "GET",
        "/cdk/v1/deployments/connectors/my-connector/versions/1.0/latest",
        None,
        200,
        &reply,
    )
    .await;
    let client = deployments::Client::new(&server.uri(), state());
    let deployment = client
        .get_deployment()
        .connector_name("my-connector")
        .connector_version("1.0")
        .id("latest")
        .send()
        .await
        .map(|r| r.into_inner())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        deployment.deployment_status,
        Some(DeploymentStatus::Unknown("Queued".into()))
    );
    assert_eq!(deployment.connector_name.as_deref(), Some("my-connector"));
    assert_requests_clean(&server).await;
}

#[tokio::test]
async fn share_with_emails_posts_the_emails() {
    let server = MockServer::start().await;
    let body = fixture("permissions/shareWithEmails.request.json");
    expect(
        &server,
        "POST",
        "/cdk/v1/permissions/connectors/my-connector/versions/1.0/share-with-emails",
        Some(&body),
        200,
        &json!({"message": "2 permissions added"}),
    )
    .await;
    let client = permissions::Client::new(&server.uri(), state());
    let shared = client
        .share_with_emails()
        .connector_name("my-connector")
        .connector_version("1.0")
        .body(permissions::types::ShareWithEmailsRequest {
            emails: vec!["john.doe@domain.com".into(), "jane.doe@domain.com".into()],
        })
        .send()
        .await
        .map(|r| r.into_inner())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(shared.message, "2 permissions added");
    assert_requests_clean(&server).await;
}

#[tokio::test]
async fn create_project_version_answers_201() {
    let server = MockServer::start().await;
    let body = fixture("projects/createProjectVersion.request.json");
    let reply = fixture("projects/createProjectVersion.response.json");
    expect(
        &server,
        "POST",
        &format!("/core/v1/projects/{PROJECT}/versions/3"),
        Some(&body),
        201,
        &reply,
    )
    .await;
    let client = projects::Client::new(&server.uri(), state());
    let version = client
        .create_project_version()
        .project_id(PROJECT.parse::<uuid::Uuid>().unwrap())
        .version_number("3")
        .body(
            serde_json::from_value::<projects::types::CreateProjectVersionInput>(body)
                .unwrap_or_else(|e| panic!("{e}")),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(version.status().as_u16(), 201);
    assert_eq!(to_value(&version.into_inner()), reply);
    assert_requests_clean(&server).await;
}

#[tokio::test]
async fn list_project_versions_sends_paging_parameters() {
    let server = MockServer::start().await;
    let reply = fixture("projects/listProjectVersions.response.json");
    Mock::given(method("GET"))
        .and(path(format!("/core/v1/projects/{PROJECT}/versions")))
        .and(query_param("first", "1000"))
        .and(query_param("cursor", "abc"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(&reply))
        .expect(1)
        .mount(&server)
        .await;
    let client = projects::Client::new(&server.uri(), state());
    let page = client
        .list_project_versions()
        .project_id(PROJECT.parse::<uuid::Uuid>().unwrap())
        .first(std::num::NonZeroU32::new(1000).unwrap())
        .cursor("abc")
        .send()
        .await
        .map(|r| r.into_inner())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.elements.len(), 1);
    assert!(page.page_info.has_next_page);
    assert_eq!(to_value(&page), reply);
    assert_requests_clean(&server).await;
}

#[tokio::test]
async fn export_project_version_returns_the_document() {
    let server = MockServer::start().await;
    let reply = json!({"projectName": "Source", "workflows": [{"name": "Sync"}], "config": {"region": "us"}});
    expect(
        &server,
        "GET",
        &format!("/core/v1/projects/{PROJECT}/versions/3/export"),
        None,
        200,
        &reply,
    )
    .await;
    let client = projects::Client::new(&server.uri(), state());
    let export = client
        .export_project_version()
        .project_id(PROJECT.parse::<uuid::Uuid>().unwrap())
        .version_number("3")
        .send()
        .await
        .map(|r| r.into_inner())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(to_value(&export), reply);
    assert_requests_clean(&server).await;
}

#[tokio::test]
async fn import_requirements_preview_and_import_post_their_inputs() {
    let server = MockServer::start().await;
    let project = PROJECT.parse::<uuid::Uuid>().unwrap();
    let client = projects::Client::new(&server.uri(), state());

    let body = fixture("projects/getProjectImportRequirements.request.json");
    let reply = fixture("projects/getProjectImportRequirements.response.json");
    expect(
        &server,
        "POST",
        &format!("/core/v1/projects/{PROJECT}/imports/requirements"),
        Some(&body),
        200,
        &reply,
    )
    .await;
    let requirements = client
        .get_project_import_requirements()
        .project_id(project)
        .body(
            serde_json::from_value::<projects::types::PrepareProjectImportInput>(body)
                .unwrap_or_else(|e| panic!("{e}")),
        )
        .send()
        .await
        .map(|r| r.into_inner())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(requirements.unresolved_authentications);
    assert_eq!(to_value(&requirements), reply);

    let body = fixture("projects/previewProjectImport.request.json");
    let reply = fixture("projects/previewProjectImport.response.json");
    // The client leaves out the empty optional `configOverride`.
    let mut sent = body.clone();
    sent.as_object_mut().map(|o| o.remove("configOverride"));
    expect(
        &server,
        "POST",
        &format!("/core/v1/projects/{PROJECT}/imports/previews"),
        Some(&sent),
        200,
        &reply,
    )
    .await;
    let preview = client
        .preview_project_import()
        .project_id(project)
        .body(
            serde_json::from_value::<projects::types::ProjectImportInput>(body)
                .unwrap_or_else(|e| panic!("{e}")),
        )
        .send()
        .await
        .map(|r| r.into_inner())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(to_value(&preview), reply);

    let body = fixture("projects/importProject.request.json");
    let reply = fixture("projects/importProject.response.json");
    expect(
        &server,
        "POST",
        &format!("/core/v1/projects/{PROJECT}/imports"),
        Some(&sent),
        200,
        &reply,
    )
    .await;
    let imported = client
        .import_project()
        .project_id(project)
        .body(
            serde_json::from_value::<projects::types::ProjectImportInput>(body)
                .unwrap_or_else(|e| panic!("{e}")),
        )
        .send()
        .await
        .map(|r| r.into_inner())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(to_value(&imported), reply);
    assert_requests_clean(&server).await;
}

#[tokio::test]
async fn solution_release_preview_and_create_post_without_body() {
    let server = MockServer::start().await;
    let solution = SOLUTION.parse::<uuid::Uuid>().unwrap();
    let reply = json!({
        "breakingChanges": false, "requiresNewUserInput": false, "requiresNewSystemInput": false,
        "authSlots": {"created": [], "updated": [], "removed": []},
        "configSlots": {"created": [], "updated": [], "removed": []}
    });
    expect(
        &server,
        "POST",
        &format!("/core/v1/solutions/{SOLUTION}/releases/previews"),
        None,
        200,
        &reply,
    )
    .await;
    let mut released = reply.clone();
    released["releaseId"] = json!("6c356389-3f92-480f-bdcc-4698670dd603");
    expect(
        &server,
        "POST",
        &format!("/core/v1/solutions/{SOLUTION}/releases"),
        None,
        200,
        &released,
    )
    .await;

    let client = solutions::Client::new(&server.uri(), state());
    let preview = client
        .preview_solution_release()
        .solution_id(solution)
        .send()
        .await
        .map(|r| r.into_inner())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(preview.release_id, None);
    assert!(!preview.breaking_changes);
    let release = client
        .create_solution_release()
        .solution_id(solution)
        .send()
        .await
        .map(|r| r.into_inner())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        release.release_id.map(|id| id.to_string()).as_deref(),
        Some("6c356389-3f92-480f-bdcc-4698670dd603")
    );
    assert_requests_clean(&server).await;
}

#[tokio::test]
async fn errors_decode_into_the_shared_api_error() {
    let server = MockServer::start().await;
    let reply = fixture("projects/error.response.json");
    expect(
        &server,
        "GET",
        &format!("/core/v1/projects/{PROJECT}/versions/9/export"),
        None,
        404,
        &reply,
    )
    .await;
    let client = projects::Client::new(&server.uri(), state());
    let error = client
        .export_project_version()
        .project_id(PROJECT.parse::<uuid::Uuid>().unwrap())
        .version_number("9")
        .send()
        .await
        .err();
    match error {
        Some(tray_api_raw::Error::ErrorResponse(response)) => {
            assert_eq!(response.status().as_u16(), 404);
            assert_eq!(
                response.into_inner(),
                ApiError::new("string").with_code("string")
            );
        }
        other => panic!("expected an error response, got {other:?}"),
    }
}

#[test]
fn client_state_debug_hides_the_token() {
    let debug = format!("{:?}", state());
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
}
