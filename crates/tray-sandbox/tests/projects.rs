//! Project versions, export/import and solution releases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use reqwest::Method;
use serde_json::{Map, Value, json};
use tray_api_raw::projects::types::{
    AuthImportInput, CreateProjectVersionInput, PrepareProjectImportInput, ProjectImportInput,
    ProjectVersionPage,
};
use tray_api_raw::{AuthSlotChangeCode, ConfigSlotChangeCode, SolutionChangeType};
use tray_sandbox::{
    DESTINATION_PROJECT_ID, DESTINATION_SPARE_AUTH_ID, SOLUTION_ID, SOURCE_PROJECT_ID,
    SandboxHandle, SeedAuthentication, SeedProject, SeedService,
};
use uuid::Uuid;

const SLACK_DEST_AUTH: Uuid = Uuid::from_u128(0x0b6f3c1e_2d4a_4f8b_9e7c_5a1d2c3b4e5f);
const DEST_COMMON_WORKFLOW: Uuid = Uuid::from_u128(0x3d2b1a0f_9e8d_4c7b_a6f5_e4d3c2b1a0f9);

fn version_input(title: &str) -> CreateProjectVersionInput {
    CreateProjectVersionInput {
        title: title.to_owned(),
        description: Some(format!("{title} description")),
    }
}

async fn export(sandbox: &SandboxHandle, project: Uuid, version: &str) -> Map<String, Value> {
    projects(sandbox)
        .export_project_version()
        .project_id(project)
        .version_number(version)
        .send()
        .await
        .unwrap()
        .into_inner()
        .0
}

fn import_input(export: &Map<String, Value>, resolution: Vec<(&str, Uuid)>) -> ProjectImportInput {
    ProjectImportInput {
        authentication_resolution: resolution
            .into_iter()
            .map(|(auth_export_id, authentication_id)| AuthImportInput {
                auth_export_id: auth_export_id.to_owned(),
                authentication_id,
            })
            .collect(),
        config_override: Map::new(),
        exported_project_json: export.clone(),
        connector_mapping: vec![],
        service_mapping: vec![],
    }
}

#[tokio::test]
async fn create_version_and_errors() {
    let sandbox = start().await;
    let client = projects(&sandbox);
    let created = client
        .create_project_version()
        .project_id(SOURCE_PROJECT_ID)
        .version_number("2")
        .body(version_input("Second"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created = created.into_inner();
    assert_eq!(created.project_id, SOURCE_PROJECT_ID);
    assert_eq!(created.version_number, "2");
    assert_eq!(created.title, "Second");
    assert_eq!(created.description, "Second description");
    assert_eq!(created.creator, "sandbox-api-user");

    let (code, message) = api_error(
        client
            .create_project_version()
            .project_id(SOURCE_PROJECT_ID)
            .version_number("2")
            .body(version_input("Again"))
            .send()
            .await,
    );
    assert_eq!(code, 400);
    assert_eq!(
        message,
        format!(
            "Project version 2 already exists in project {SOURCE_PROJECT_ID}; version numbers must be unique"
        )
    );
    let (code, message) = api_error(
        client
            .create_project_version()
            .project_id(Uuid::new_v4())
            .version_number("1")
            .body(version_input("x"))
            .send()
            .await,
    );
    assert_eq!(code, 404);
    assert!(message.contains("was not found"));

    let path = format!("/core/v1/projects/{SOURCE_PROJECT_ID}/versions/3");
    let token = sandbox.token().to_owned();
    let missing = plain(
        &sandbox,
        Method::POST,
        &path,
        Some(&token),
        Some(r#"{"description":"d"}"#),
    )
    .await;
    assert_eq!(
        missing.error(400),
        "Invalid request body: missing field `title`"
    );
    let empty = plain(
        &sandbox,
        Method::POST,
        &path,
        Some(&token),
        Some(r#"{"title":"  "}"#),
    )
    .await;
    assert_eq!(empty.error(400), "title must not be empty");
    let no_body = plain(&sandbox, Method::POST, &path, Some(&token), None).await;
    assert!(no_body.error(400).contains("empty"));
    let wrong_type = plain(
        &sandbox,
        Method::POST,
        &path,
        Some(&token),
        Some(r#"{"title":5}"#),
    )
    .await;
    assert!(wrong_type.error(400).contains("invalid type"));
    let bad_id = plain(
        &sandbox,
        Method::POST,
        "/core/v1/projects/nope/versions/3",
        Some(&token),
        Some(r#"{"title":"t"}"#),
    )
    .await;
    assert_eq!(bad_id.error(400), "projectId must be a UUID, got \"nope\"");
}

async fn page(
    client: &tray_api_raw::projects::Client,
    project: Uuid,
    first: Option<u32>,
    last: Option<u32>,
    cursor: Option<&str>,
) -> ProjectVersionPage {
    let mut request = client.list_project_versions().project_id(project);
    if let Some(first) = first {
        request = request.first(std::num::NonZeroU32::new(first).unwrap());
    }
    if let Some(last) = last {
        request = request.last(std::num::NonZeroU32::new(last).unwrap());
    }
    if let Some(cursor) = cursor {
        request = request.cursor(cursor);
    }
    request.send().await.unwrap().into_inner()
}

fn numbers(page: &ProjectVersionPage) -> Vec<String> {
    page.elements
        .iter()
        .map(|v| v.version_number.clone())
        .collect()
}

fn range(from: u32, to: u32) -> Vec<String> {
    (from..=to).map(|n| format!("v{n}")).collect()
}

#[tokio::test]
async fn paging_forwards_and_backwards() {
    let sandbox = start().await;
    let project = sandbox.seed_project(SeedProject {
        name: "Paged".into(),
        ..SeedProject::default()
    });
    let client = projects(&sandbox);
    let empty = page(&client, project, None, None, None).await;
    assert!(empty.elements.is_empty());
    assert!(!empty.page_info.has_next_page && !empty.page_info.has_previous_page);
    assert_eq!(empty.page_info.start_cursor, None);
    for n in 1..=25 {
        client
            .create_project_version()
            .project_id(project)
            .version_number(format!("v{n}"))
            .body(version_input(&format!("Version {n}")))
            .send()
            .await
            .unwrap();
    }
    let default = page(&client, project, None, None, None).await;
    assert_eq!(numbers(&default), range(1, 20), "default page size is 20");

    let p1 = page(&client, project, Some(10), None, None).await;
    assert_eq!(numbers(&p1), range(1, 10));
    assert!(p1.page_info.has_next_page && !p1.page_info.has_previous_page);
    let p2 = page(
        &client,
        project,
        Some(10),
        None,
        p1.page_info.end_cursor.as_deref(),
    )
    .await;
    assert_eq!(numbers(&p2), range(11, 20));
    assert!(p2.page_info.has_next_page && p2.page_info.has_previous_page);
    let p3 = page(
        &client,
        project,
        Some(10),
        None,
        p2.page_info.end_cursor.as_deref(),
    )
    .await;
    assert_eq!(numbers(&p3), range(21, 25));
    assert!(!p3.page_info.has_next_page && p3.page_info.has_previous_page);

    let b2 = page(
        &client,
        project,
        None,
        Some(10),
        p3.page_info.start_cursor.as_deref(),
    )
    .await;
    assert_eq!(numbers(&b2), range(11, 20));
    assert!(b2.page_info.has_next_page && b2.page_info.has_previous_page);
    assert_eq!(b2.page_info.start_cursor, p2.page_info.start_cursor);
    let b1 = page(
        &client,
        project,
        None,
        Some(10),
        b2.page_info.start_cursor.as_deref(),
    )
    .await;
    assert_eq!(numbers(&b1), range(1, 10));
    assert!(b1.page_info.has_next_page && !b1.page_info.has_previous_page);
    let tail = page(&client, project, None, Some(10), None).await;
    assert_eq!(numbers(&tail), range(16, 25));
    assert!(!tail.page_info.has_next_page && tail.page_info.has_previous_page);
    let all = page(&client, project, Some(1000), None, None).await;
    assert_eq!(all.elements.len(), 25);

    let (code, message) = api_error(
        client
            .list_project_versions()
            .project_id(project)
            .first(std::num::NonZeroU32::new(1001).unwrap())
            .send()
            .await,
    );
    assert_eq!(code, 400);
    assert_eq!(message, "first must be between 1 and 1000, got 1001");
    let (code, message) = api_error(
        client
            .list_project_versions()
            .project_id(project)
            .cursor("not-a-cursor")
            .send()
            .await,
    );
    assert_eq!(code, 400);
    assert!(message.starts_with("Invalid cursor"));
    // A cursor of another project is not valid here.
    let (code, _) = api_error(
        client
            .list_project_versions()
            .project_id(SOURCE_PROJECT_ID)
            .cursor(p1.page_info.end_cursor.clone().unwrap())
            .send()
            .await,
    );
    assert_eq!(code, 400);
    let base = format!("/core/v1/projects/{project}/versions");
    let token = sandbox.token().to_owned();
    for (query, expected) in [
        ("?first=0", "first must be between 1 and 1000, got 0"),
        ("?last=-3", "last must be between 1 and 1000, got -3"),
        ("?first=ten", "first must be an integer, got \"ten\""),
        (
            "?first=2&last=2",
            "Pass either first (forwards) or last (backwards), not both",
        ),
    ] {
        let response = plain(
            &sandbox,
            Method::GET,
            &format!("{base}{query}"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(response.error(400), expected);
    }
}

#[tokio::test]
async fn export_import_round_trip_changes_the_destination() {
    let sandbox = start().await;
    let client = projects(&sandbox);
    let exported = export(&sandbox, SOURCE_PROJECT_ID, "1").await;
    assert_eq!(exported["exportVersion"], "1");
    assert_eq!(exported["project"]["id"], SOURCE_PROJECT_ID.to_string());
    assert_eq!(exported["project"]["version"], "1");
    assert_eq!(exported["workflows"].as_array().unwrap().len(), 3);
    assert!(exported["workflows"][0]["steps"].as_array().unwrap().len() >= 2);
    assert_eq!(exported["config"]["alertThreshold"], 10000);
    assert_eq!(
        exported["authentications"][1]["authExportId"],
        "salesforce-production"
    );
    assert!(!exported["connectors"].as_array().unwrap().is_empty());
    let dest_before = export(&sandbox, DESTINATION_PROJECT_ID, "1").await;

    // Requirements: Slack resolves to the destination's, Salesforce does not.
    let requirements = client
        .get_project_import_requirements()
        .project_id(DESTINATION_PROJECT_ID)
        .body(PrepareProjectImportInput {
            exported_project_json: exported.clone(),
            connector_mapping: vec![],
            service_mapping: vec![],
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(requirements.unresolved_authentications);
    assert!(requirements.new_config_keys);
    assert_eq!(requirements.config.source["slackChannel"], "#sales-alerts");
    assert_eq!(requirements.config.target["slackChannel"], "#sales");
    let auths = &requirements.authentications_requirements;
    assert_eq!(auths.len(), 2);
    assert_eq!(auths[0].auth_export_id, "slack-sales-workspace");
    assert_eq!(
        auths[0].resolved_authentication.as_ref().unwrap().id,
        SLACK_DEST_AUTH
    );
    assert_eq!(auths[1].auth_export_id, "salesforce-production");
    assert_eq!(auths[1].service.name, "salesforce");
    assert_eq!(auths[1].scopes, vec!["api", "refresh_token"]);
    assert!(auths[1].resolved_authentication.is_none());

    // Unresolved authentication: 400 naming it, for preview and import.
    let (code, message) = api_error(
        client
            .import_project()
            .project_id(DESTINATION_PROJECT_ID)
            .body(import_input(&exported, vec![]))
            .send()
            .await,
    );
    assert_eq!(code, 400);
    assert!(
        message.starts_with("Unresolved authentications: salesforce-production."),
        "{message}"
    );
    let (code, _) = api_error(
        client
            .preview_project_import()
            .project_id(DESTINATION_PROJECT_ID)
            .body(import_input(&exported, vec![]))
            .send()
            .await,
    );
    assert_eq!(code, 400);

    // Bad overrides and resolutions.
    let mut bad = import_input(&exported, vec![("salesforce-production", Uuid::new_v4())]);
    bad.config_override
        .insert("alertThreshold".into(), json!("lots"));
    let (code, message) = api_error(
        client
            .preview_project_import()
            .project_id(DESTINATION_PROJECT_ID)
            .body(bad)
            .send()
            .await,
    );
    assert_eq!(
        (code, message.as_str()),
        (
            400,
            "configOverride value of \"alertThreshold\" must be of type number like the exported configuration, got string"
        )
    );
    let mut bad = import_input(&exported, vec![("salesforce-production", Uuid::new_v4())]);
    bad.config_override.insert("nope".into(), json!(1));
    let (code, _) = api_error(
        client
            .preview_project_import()
            .project_id(DESTINATION_PROJECT_ID)
            .body(bad)
            .send()
            .await,
    );
    assert_eq!(code, 400);
    let bad = import_input(
        &exported,
        vec![
            ("salesforce-production", Uuid::new_v4()),
            ("ghost", Uuid::new_v4()),
        ],
    );
    let (code, message) = api_error(
        client
            .preview_project_import()
            .project_id(DESTINATION_PROJECT_ID)
            .body(bad)
            .send()
            .await,
    );
    assert_eq!(code, 400);
    assert!(message.contains("\"ghost\" is not used"));
    let (code, message) = api_error(
        client
            .preview_project_import()
            .project_id(DESTINATION_PROJECT_ID)
            .body(import_input(&Map::new(), vec![]))
            .send()
            .await,
    );
    assert_eq!(code, 400);
    assert!(message.starts_with("exportedProjectJson is not a project export"));

    // Preview: the real differences, nothing changed yet.
    let salesforce = DESTINATION_SPARE_AUTH_ID;
    let mut input = import_input(&exported, vec![("salesforce-production", salesforce)]);
    input
        .config_override
        .insert("alertThreshold".into(), json!(20000));
    let preview = client
        .preview_project_import()
        .project_id(DESTINATION_PROJECT_ID)
        .body(input.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(preview.import_metadata.project_id, DESTINATION_PROJECT_ID);
    assert_eq!(
        preview.import_metadata.imported_from.project_id,
        SOURCE_PROJECT_ID
    );
    assert_eq!(
        preview
            .import_metadata
            .imported_from
            .project_version
            .as_deref(),
        Some("1")
    );
    let config = &preview.project_impact.config;
    let keys = |items: Vec<&String>| items.into_iter().cloned().collect::<Vec<_>>();
    assert_eq!(
        keys(config.created.iter().map(|c| &c.key).collect()),
        vec!["fieldMapping", "regions"]
    );
    assert_eq!(
        keys(config.updated.iter().map(|c| &c.key).collect()),
        vec!["alertThreshold", "slackChannel"]
    );
    assert_eq!(config.updated[0].old_value, json!(5000));
    assert_eq!(config.updated[0].new_value, json!(20000));
    assert_eq!(
        keys(config.removed.iter().map(|c| &c.key).collect()),
        vec!["legacyMode"]
    );
    let workflows = &preview.project_impact.workflows;
    let names: Vec<&str> = workflows.created.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, vec!["Daily pipeline digest", "Closed-won handoff"]);
    assert_eq!(workflows.updated.len(), 1);
    assert_eq!(workflows.updated[0].id, DEST_COMMON_WORKFLOW);
    assert_eq!(workflows.removed.len(), 1);
    assert_eq!(workflows.removed[0].name, "Legacy weekly report");
    let impact = preview.solution_impact.as_ref().unwrap();
    assert_eq!(impact.change_type, SolutionChangeType::Updated);
    assert!(impact.breaking_changes);
    assert!(impact.requires_new_user_input);
    assert_eq!(impact.auth_slots.created.len(), 1);
    assert_eq!(impact.auth_slots.created[0].authentication_id, salesforce);
    assert_eq!(
        impact.auth_slots.created[0].changes[0].code,
        AuthSlotChangeCode::CreatedMandatorySlot
    );
    assert_eq!(impact.config_slots.created.len(), 2);
    assert_eq!(impact.config_slots.removed.len(), 1);
    assert_eq!(impact.config_slots.updated.len(), 2);
    assert!(impact.config_slots.updated.iter().all(|slot| {
        slot.changes
            .iter()
            .any(|c| c.code == ConfigSlotChangeCode::DefaultValueUpdated)
    }));
    // The preview changed nothing.
    let again = client
        .preview_project_import()
        .project_id(DESTINATION_PROJECT_ID)
        .body(input.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(again.project_impact.workflows.created.len(), 2);

    // Import.
    let imported = client
        .import_project()
        .project_id(DESTINATION_PROJECT_ID)
        .body(input.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(imported.project_impact.workflows.created.len(), 2);
    let new_ids: Vec<Uuid> = imported
        .project_impact
        .workflows
        .created
        .iter()
        .map(|w| w.id)
        .collect();
    assert!(new_ids.iter().all(|id| !id.is_nil()));
    assert_eq!(
        imported.project_impact.config,
        preview.project_impact.config
    );
    let solution_impact = imported.solution_impact.as_ref().unwrap();
    assert_eq!(solution_impact.solution_id, Some(SOLUTION_ID));
    assert!(solution_impact.breaking_changes);

    // The destination changed: a second preview shows nothing to do, and
    // the requirements are all resolved.
    let second = client
        .preview_project_import()
        .project_id(DESTINATION_PROJECT_ID)
        .body(input.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(second.project_impact.config.created.is_empty());
    assert!(second.project_impact.config.updated.is_empty());
    assert!(second.project_impact.config.removed.is_empty());
    assert!(second.project_impact.workflows.created.is_empty());
    assert!(second.project_impact.workflows.updated.is_empty());
    assert!(second.project_impact.workflows.removed.is_empty());
    assert!(!second.solution_impact.as_ref().unwrap().breaking_changes);
    let requirements = client
        .get_project_import_requirements()
        .project_id(DESTINATION_PROJECT_ID)
        .body(PrepareProjectImportInput {
            exported_project_json: exported.clone(),
            connector_mapping: vec![],
            service_mapping: vec![],
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!requirements.unresolved_authentications);
    assert!(!requirements.new_config_keys);
    assert_eq!(
        requirements.authentications_requirements[1]
            .resolved_authentication
            .as_ref()
            .unwrap()
            .id,
        salesforce
    );
    assert_eq!(requirements.config.target["alertThreshold"], 20000);

    // Versions snapshot the state: version 1 is unchanged, version 2 has the import.
    client
        .create_project_version()
        .project_id(DESTINATION_PROJECT_ID)
        .version_number("2")
        .body(version_input("After import"))
        .send()
        .await
        .unwrap();
    let v1 = export(&sandbox, DESTINATION_PROJECT_ID, "1").await;
    assert_eq!(v1["config"], dest_before["config"]);
    assert_eq!(v1["workflows"], dest_before["workflows"]);
    let v2 = export(&sandbox, DESTINATION_PROJECT_ID, "2").await;
    assert_eq!(v2["config"]["alertThreshold"], 20000);
    assert_eq!(v2["config"]["regions"], json!(["EMEA", "NA"]));
    assert_eq!(v2["workflows"].as_array().unwrap().len(), 3);
    assert_eq!(v2["authentications"].as_array().unwrap().len(), 2);
    let (code, _) = api_error(
        client
            .export_project_version()
            .project_id(DESTINATION_PROJECT_ID)
            .version_number("9")
            .send()
            .await,
    );
    assert_eq!(code, 404);

    // Release the imported changes: breaking (new mandatory auth slot).
    let preview = solutions(&sandbox)
        .preview_solution_release()
        .solution_id(SOLUTION_ID)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(preview.release_id, None);
    assert!(preview.breaking_changes);
    assert!(preview.requires_new_user_input);
    assert_eq!(preview.auth_slots.created.len(), 1);
    assert_eq!(preview.config_slots.created.len(), 2);
}

#[tokio::test]
async fn release_preview_and_create() {
    let sandbox = start().await;
    let client = solutions(&sandbox);
    let preview = client
        .preview_solution_release()
        .solution_id(SOLUTION_ID)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(preview.release_id, None);
    assert!(!preview.breaking_changes);
    assert!(!preview.requires_new_user_input && !preview.requires_new_system_input);
    assert_eq!(preview.config_slots.updated.len(), 1);
    let updated = &preview.config_slots.updated[0];
    assert_eq!(updated.key, "alertThreshold");
    assert_eq!(updated.title, "Minimum alert amount");
    assert_eq!(updated.previously.title, "Alert threshold");
    assert_eq!(updated.changes[0].code, ConfigSlotChangeCode::TitleUpdated);
    assert!(!updated.has_breaking_change);
    assert!(preview.auth_slots.created.is_empty());

    let release = client
        .create_solution_release()
        .solution_id(SOLUTION_ID)
        .send()
        .await
        .unwrap()
        .into_inner();
    let first_id = release.release_id.unwrap();
    assert_eq!(release.config_slots.updated.len(), 1);

    let after = client
        .preview_solution_release()
        .solution_id(SOLUTION_ID)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        after.config_slots.updated.is_empty()
            && after.config_slots.created.is_empty()
            && after.config_slots.removed.is_empty()
    );
    assert!(
        after.auth_slots.created.is_empty()
            && after.auth_slots.updated.is_empty()
            && after.auth_slots.removed.is_empty()
    );
    assert!(!after.breaking_changes);
    let second = client
        .create_solution_release()
        .solution_id(SOLUTION_ID)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_ne!(second.release_id.unwrap(), first_id);
    assert!(second.config_slots.updated.is_empty());

    let (code, message) = api_error(
        client
            .preview_solution_release()
            .solution_id(Uuid::new_v4())
            .send()
            .await,
    );
    assert_eq!(code, 404);
    assert!(message.starts_with("Solution "));
    // A body is ignored.
    let response = plain(
        &sandbox,
        Method::POST,
        &format!("/core/v1/solutions/{SOLUTION_ID}/releases/previews"),
        Some(sandbox.token()),
        Some("{}"),
    )
    .await;
    assert_eq!(response.status, 200);
}

#[tokio::test]
async fn seeded_project_from_a_test_is_importable() {
    let sandbox = start().await;
    let (slack, salesforce) = (Uuid::new_v4(), Uuid::new_v4());
    let auth = |id: Uuid, name: &str| SeedAuthentication {
        id: Some(id),
        title: format!("{name} of the target"),
        service: SeedService {
            name: format!("{name}-target"),
            version: "1".into(),
        },
        ..SeedAuthentication::default()
    };
    let target = sandbox.seed_project(SeedProject {
        name: "Empty target".into(),
        authentications: vec![auth(slack, "slack"), auth(salesforce, "salesforce")],
        ..SeedProject::default()
    });
    let exported = export(&sandbox, SOURCE_PROJECT_ID, "1").await;
    let client = projects(&sandbox);
    let input = import_input(
        &exported,
        vec![
            ("slack-sales-workspace", slack),
            ("salesforce-production", salesforce),
        ],
    );
    let result = client
        .import_project()
        .project_id(target)
        .body(input)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(result.project_impact.workflows.created.len(), 3);
    assert_eq!(result.project_impact.config.created.len(), 5);
    assert!(result.solution_impact.is_none(), "not embedded");
    assert_eq!(result.import_metadata.project_name, "Empty target");
}

#[tokio::test]
async fn spare_authentication_resolves_and_is_remembered() {
    let sandbox = start().await;
    let client = projects(&sandbox);
    let exported = export(&sandbox, SOURCE_PROJECT_ID, "1").await;
    let input = import_input(
        &exported,
        vec![("salesforce-production", DESTINATION_SPARE_AUTH_ID)],
    );
    let result = client
        .import_project()
        .project_id(DESTINATION_PROJECT_ID)
        .body(input)
        .send()
        .await
        .unwrap()
        .into_inner();
    let impact = result.solution_impact.unwrap();
    assert_eq!(impact.auth_slots.created.len(), 1);
    assert_eq!(
        impact.auth_slots.created[0].authentication_id,
        DESTINATION_SPARE_AUTH_ID
    );
    assert!(impact.breaking_changes);
    let requirements = client
        .get_project_import_requirements()
        .project_id(DESTINATION_PROJECT_ID)
        .body(PrepareProjectImportInput {
            exported_project_json: exported.clone(),
            connector_mapping: vec![],
            service_mapping: vec![],
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(!requirements.unresolved_authentications);
    let resolved = requirements.authentications_requirements[1]
        .resolved_authentication
        .as_ref()
        .unwrap();
    assert_eq!(resolved.id, DESTINATION_SPARE_AUTH_ID);
    assert_eq!(resolved.title, "Salesforce (spare)");
    // Importing again needs no resolution and changes nothing.
    let again = client
        .preview_project_import()
        .project_id(DESTINATION_PROJECT_ID)
        .body(import_input(&exported, vec![]))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(again.project_impact.workflows.created.is_empty());
    assert!(again.solution_impact.unwrap().auth_slots.created.is_empty());
}

/// The Salesforce authentication of the seeded source project.
const SOURCE_SALESFORCE_AUTH: Uuid = Uuid::from_u128(0x497f6eca_6276_4993_bfeb_53cbbbba6f08);

#[tokio::test]
async fn a_resolution_to_an_authentication_the_destination_lacks_is_refused() {
    let sandbox = start().await;
    let exported = export(&sandbox, SOURCE_PROJECT_ID, "1").await;
    let token = sandbox.token().to_owned();
    // An unknown id, and an authentication of another project (the source).
    for foreign in [Uuid::new_v4(), SOURCE_SALESFORCE_AUTH] {
        let input = import_input(&exported, vec![("salesforce-production", foreign)]);
        let body = serde_json::to_string(&input).unwrap();
        for route in ["imports/previews", "imports"] {
            let response = plain(
                &sandbox,
                Method::POST,
                &format!("/core/v1/projects/{DESTINATION_PROJECT_ID}/{route}"),
                Some(&token),
                Some(&body),
            )
            .await;
            let message = response.error(400);
            assert_eq!(
                message,
                format!(
                    "authenticationResolution: authenticationId {foreign} (for authExportId \"salesforce-production\") is not an authentication of project {DESTINATION_PROJECT_ID}"
                ),
                "{route}"
            );
        }
    }
    // Nothing was imported: the destination still lacks a Salesforce
    // authentication, and the same import with its own one goes through.
    let requirements = projects(&sandbox)
        .get_project_import_requirements()
        .project_id(DESTINATION_PROJECT_ID)
        .body(PrepareProjectImportInput {
            exported_project_json: exported.clone(),
            connector_mapping: vec![],
            service_mapping: vec![],
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(requirements.unresolved_authentications);
    let imported = projects(&sandbox)
        .import_project()
        .project_id(DESTINATION_PROJECT_ID)
        .body(import_input(
            &exported,
            vec![("salesforce-production", DESTINATION_SPARE_AUTH_ID)],
        ))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(imported.project_impact.workflows.created.len(), 2);
}
