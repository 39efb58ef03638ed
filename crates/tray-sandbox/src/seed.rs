//! The projects and solution every sandbox starts with, and the seed file
//! format for more.

use std::path::Path;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::SandboxError;
use crate::projects::export_document;
use crate::slots::derive_slots;
use crate::state::{Authentication, Project, ProjectVersion, Service, Solution, State, Workflow};

/// The seeded source project ("Salesforce opportunity alerts").
pub const SOURCE_PROJECT_ID: Uuid = Uuid::from_u128(0x5a8591dd_4039_49df_9202_96385ba3eff8);
/// The seeded destination project ("Salesforce opportunity alerts
/// (production)"), embedded in [`SOLUTION_ID`].
pub const DESTINATION_PROJECT_ID: Uuid = Uuid::from_u128(0x1d7c2f4e_8b3a_4c9d_a6e5_2f1b0c9d8e7a);
/// The seeded solution embedding [`DESTINATION_PROJECT_ID`].
pub const SOLUTION_ID: Uuid = Uuid::from_u128(0x9f3e2d1c_0b4a_4e5f_8a7b_6c5d4e3f2a1b);

/// A spare authentication of the destination project (Salesforce, service
/// version 1, not used by its workflows, so it has no solution slot): pass
/// it in `authenticationResolution` to resolve the source's Salesforce
/// authentication, which does not resolve by itself.
pub const DESTINATION_SPARE_AUTH_ID: Uuid = Uuid::from_u128(0x2f4a6c8e_1b3d_4f5a_8c7e_9d0b1a2c3e4f);

/// The export id (`authExportId`) of the seeded source project's Salesforce
/// authentication. It does not resolve by itself on an import into
/// [`DESTINATION_PROJECT_ID`]: map it to [`DESTINATION_SPARE_AUTH_ID`].
pub const SOURCE_SALESFORCE_AUTH_EXPORT_ID: &str = "salesforce-production";

/// Every authentication an import of the seeded source project into the
/// seeded destination must be given: the source's `authExportId` and the
/// destination authentication to map it to (`--auth NAME=UUID`, an
/// `authenticationResolution`).
///
/// ```
/// let (name, id) = tray_sandbox::IMPORT_AUTH_MAPPINGS[0];
/// assert_eq!(format!("{name}={id}"), "salesforce-production=2f4a6c8e-1b3d-4f5a-8c7e-9d0b1a2c3e4f");
/// ```
pub const IMPORT_AUTH_MAPPINGS: &[(&str, Uuid)] =
    &[(SOURCE_SALESFORCE_AUTH_EXPORT_ID, DESTINATION_SPARE_AUTH_ID)];

/// The `creator` of the project versions the sandbox creates.
pub(crate) const CREATOR: &str = "sandbox-api-user";

/// A project to add to the sandbox, from a test
/// ([`SandboxHandle::seed_project`](crate::SandboxHandle::seed_project)) or
/// a seed file ([`SandboxBuilder::seed_file`](crate::SandboxBuilder::seed_file)).
///
/// In JSON (camelCase; every field but `name` is optional; missing ids are
/// generated):
///
/// ```json
/// {
///   "id": "0b0e6a52-7d3c-4f55-9d51-3c1f9a4e2b10",
///   "name": "Invoice sync",
///   "workflows": [
///     {"id": "…", "title": "Sync invoices", "importedFromId": null,
///      "steps": [{"name": "trigger", "connector": {"name": "scheduled", "version": "1.0"}}]}
///   ],
///   "config": {"batchSize": 50, "currency": "EUR"},
///   "authentications": [
///     {"id": "…", "authExportId": "xero-auth", "title": "Xero",
///      "service": {"name": "xero", "version": "2"}, "scopes": ["accounting.transactions"]}
///   ],
///   "versions": [{"versionNumber": "1", "title": "First", "description": "…"}],
///   "solutionId": null
/// }
/// ```
///
/// A seed file holds `{"projects": [ … ]}`. A `solutionId` embeds the
/// project in a new solution with that id, whose slots are made from the
/// project's config and authentications (published once, at seeding).
///
/// ```
/// use tray_sandbox::SeedProject;
/// let project: SeedProject = serde_json::from_str(r#"{"name": "Empty"}"#).unwrap();
/// assert!(project.workflows.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SeedProject {
    /// The project id (generated when absent).
    pub id: Option<Uuid>,
    /// The project name.
    pub name: String,
    /// Its workflows.
    pub workflows: Vec<SeedWorkflow>,
    /// Its config values (any JSON).
    pub config: Map<String, Value>,
    /// The authentications it uses.
    pub authentications: Vec<SeedAuthentication>,
    /// Versions saved from its initial state, oldest first.
    pub versions: Vec<SeedVersion>,
    /// Embeds the project in a solution with this id.
    pub solution_id: Option<Uuid>,
}

/// A workflow of a [`SeedProject`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SeedWorkflow {
    /// The workflow id (generated when absent).
    pub id: Option<Uuid>,
    /// Its title.
    pub title: String,
    /// The workflow of another project it was imported from.
    pub imported_from_id: Option<Uuid>,
    /// Its steps (free-form JSON objects).
    pub steps: Vec<Value>,
}

/// An authentication of a [`SeedProject`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SeedAuthentication {
    /// The authentication id (generated when absent).
    pub id: Option<Uuid>,
    /// Its export identifier (derived from the service name when absent).
    pub auth_export_id: Option<String>,
    /// Its title.
    pub title: String,
    /// The service it authenticates with.
    pub service: SeedService,
    /// The scopes it grants.
    pub scopes: Vec<String>,
    /// Its service environment (generated when absent).
    pub service_environment_id: Option<Uuid>,
}

/// A 3rd party service, by name and version (`"1"`, `"2"`…).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedService {
    /// The service name.
    pub name: String,
    /// The service version.
    pub version: String,
}

/// A version saved when a [`SeedProject`] is added.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SeedVersion {
    /// The version number.
    pub version_number: String,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: Option<String>,
}

/// The seed file format: `{"projects": [SeedProject, …]}`. Unknown keys
/// are an error, so a misspelt file is not silently ignored.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct SeedFile {
    projects: Vec<SeedProject>,
}

/// Reads a seed file.
pub(crate) fn read_seed_file(path: &Path) -> Result<Vec<SeedProject>, SandboxError> {
    let error = |message: String| SandboxError::SeedFile {
        path: path.to_owned(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    let file: SeedFile = serde_json::from_str(&text).map_err(|e| error(e.to_string()))?;
    for project in &file.projects {
        if project.name.trim().is_empty() {
            return Err(error("every project needs a name".to_owned()));
        }
    }
    Ok(file.projects)
}

/// Adds a seed project (and its solution) to the state; returns its id.
pub(crate) fn add_project(state: &mut State, seed: SeedProject) -> Uuid {
    let id = seed.id.unwrap_or_else(Uuid::new_v4);
    let mut project = Project {
        id,
        name: seed.name,
        workflows: seed
            .workflows
            .into_iter()
            .map(|workflow| Workflow {
                id: workflow.id.unwrap_or_else(Uuid::new_v4),
                title: workflow.title,
                imported_from_id: workflow.imported_from_id,
                steps: workflow.steps,
            })
            .collect(),
        config: seed.config,
        authentications: seed
            .authentications
            .into_iter()
            .map(|auth| Authentication {
                id: auth.id.unwrap_or_else(Uuid::new_v4),
                auth_export_id: auth
                    .auth_export_id
                    .unwrap_or_else(|| format!("{}-auth", auth.service.name)),
                title: auth.title,
                service: Service {
                    name: auth.service.name,
                    version: auth.service.version,
                },
                service_environment_id: auth.service_environment_id.unwrap_or_else(Uuid::new_v4),
                scopes: auth.scopes,
            })
            .collect(),
        versions: Vec::new(),
        imported_from: None,
        auth_links: Default::default(),
        solution_id: seed.solution_id,
    };
    for version in seed.versions {
        state.version_seq += 1;
        let export = export_document(&project, &version.version_number);
        project.versions.push(ProjectVersion {
            version_number: version.version_number,
            title: version.title,
            description: version.description.unwrap_or_default(),
            created: Utc::now(),
            creator: CREATOR.to_owned(),
            seq: state.version_seq,
            export: export.into(),
        });
    }
    if let Some(solution_id) = seed.solution_id {
        let slots = derive_slots(&project);
        state.solutions.insert(
            solution_id,
            Solution {
                id: solution_id,
                project_id: id,
                draft: slots.clone(),
                published: Some(slots),
                releases: Vec::new(),
            },
        );
    }
    state.projects.insert(id, project);
    id
}

fn step(name: &str, connector: &str, version: &str, operation: &str, properties: Value) -> Value {
    json!({
        "name": name,
        "connector": {"name": connector, "version": version},
        "operation": operation,
        "properties": properties,
    })
}

const WF_NEW_OPPORTUNITY: Uuid = Uuid::from_u128(0x6c356389_3f92_480f_bdcc_4698670dd603);
const WF_DIGEST: Uuid = Uuid::from_u128(0x2b8e4d10_7a4f_4c3e_9f21_0d5c6b7a8e91);
const WF_HANDOFF: Uuid = Uuid::from_u128(0x84f0c2a7_1e3b_4d6a_b5c8_9e0f1a2b3c4d);

/// The seeded source project.
pub(crate) fn source_project() -> SeedProject {
    SeedProject {
        id: Some(SOURCE_PROJECT_ID),
        name: "Salesforce opportunity alerts".to_owned(),
        workflows: vec![
            SeedWorkflow {
                id: Some(WF_NEW_OPPORTUNITY),
                title: "New opportunity to Slack".to_owned(),
                imported_from_id: None,
                steps: vec![
                    step(
                        "trigger",
                        "salesforce-trigger",
                        "3.1",
                        "on_record_created",
                        json!({"object": "Opportunity"}),
                    ),
                    step(
                        "filter",
                        "boolean-condition",
                        "2.0",
                        "boolean_condition",
                        json!({"conditions": [{"value1": "$.steps.trigger.Amount", "operator": ">=", "value2": "$.config.alertThreshold"}]}),
                    ),
                    step(
                        "notify",
                        "slack",
                        "10.0",
                        "send_message",
                        json!({"channel": "$.config.slackChannel", "text": "New opportunity: {$.steps.trigger.Name}"}),
                    ),
                ],
            },
            SeedWorkflow {
                id: Some(WF_DIGEST),
                title: "Daily pipeline digest".to_owned(),
                imported_from_id: None,
                steps: vec![
                    step(
                        "trigger",
                        "scheduled",
                        "1.0",
                        "daily",
                        json!({"time": "08:00", "timezone": "Europe/London"}),
                    ),
                    step(
                        "find",
                        "salesforce",
                        "8.3",
                        "find_records",
                        json!({"object": "Opportunity", "limit": 200}),
                    ),
                    step(
                        "notify",
                        "slack",
                        "10.0",
                        "send_message",
                        json!({"channel": "$.config.slackChannel"}),
                    ),
                ],
            },
            SeedWorkflow {
                id: Some(WF_HANDOFF),
                title: "Closed-won handoff".to_owned(),
                imported_from_id: None,
                steps: vec![
                    step(
                        "trigger",
                        "salesforce-trigger",
                        "3.1",
                        "on_record_updated",
                        json!({"object": "Opportunity", "field": "StageName"}),
                    ),
                    step(
                        "notify",
                        "slack",
                        "10.0",
                        "send_message",
                        json!({"channel": "#customer-success"}),
                    ),
                ],
            },
        ],
        config: json_map(json!({
            "slackChannel": "#sales-alerts",
            "alertThreshold": 10000,
            "notifyOwners": true,
            "regions": ["EMEA", "NA"],
            "fieldMapping": {"amount": "Amount", "stage": "StageName"},
        })),
        authentications: vec![
            SeedAuthentication {
                id: Some(Uuid::from_u128(0xc97ede01_dc79_4cb7_8ae8_9e2457649b27)),
                auth_export_id: Some("slack-sales-workspace".to_owned()),
                title: "Slack (sales workspace)".to_owned(),
                service: SeedService {
                    name: "slack".to_owned(),
                    version: "1".to_owned(),
                },
                scopes: vec!["chat:write".to_owned(), "channels:read".to_owned()],
                service_environment_id: Some(Uuid::from_u128(
                    0xa6e07c5a_ab15_47f2_8575_5bb51b45c412,
                )),
            },
            SeedAuthentication {
                id: Some(Uuid::from_u128(0x497f6eca_6276_4993_bfeb_53cbbbba6f08)),
                auth_export_id: Some(SOURCE_SALESFORCE_AUTH_EXPORT_ID.to_owned()),
                title: "Salesforce (production org)".to_owned(),
                service: SeedService {
                    name: "salesforce".to_owned(),
                    version: "2".to_owned(),
                },
                scopes: vec!["api".to_owned(), "refresh_token".to_owned()],
                service_environment_id: Some(Uuid::from_u128(
                    0x8f8bb40f_b96b_40fe_9064_5031fbe483f9,
                )),
            },
        ],
        versions: vec![SeedVersion {
            version_number: "1".to_owned(),
            title: "Initial release".to_owned(),
            description: Some("First version of the alerts".to_owned()),
        }],
        solution_id: None,
    }
}

/// The seeded destination project, embedded in [`SOLUTION_ID`].
pub(crate) fn destination_project() -> SeedProject {
    SeedProject {
        id: Some(DESTINATION_PROJECT_ID),
        name: "Salesforce opportunity alerts (production)".to_owned(),
        workflows: vec![
            SeedWorkflow {
                id: Some(Uuid::from_u128(0x3d2b1a0f_9e8d_4c7b_a6f5_e4d3c2b1a0f9)),
                title: "New opportunity to Slack".to_owned(),
                imported_from_id: Some(WF_NEW_OPPORTUNITY),
                steps: vec![
                    step(
                        "trigger",
                        "salesforce-trigger",
                        "3.1",
                        "on_record_created",
                        json!({"object": "Opportunity"}),
                    ),
                    step(
                        "notify",
                        "slack",
                        "9.2",
                        "send_message",
                        json!({"channel": "$.config.slackChannel", "text": "New opportunity"}),
                    ),
                ],
            },
            SeedWorkflow {
                id: Some(Uuid::from_u128(0x7a6b5c4d_3e2f_4a1b_8c9d_0e1f2a3b4c5d)),
                title: "Legacy weekly report".to_owned(),
                imported_from_id: None,
                steps: vec![step(
                    "trigger",
                    "scheduled",
                    "1.0",
                    "weekly",
                    json!({"day": "monday"}),
                )],
            },
        ],
        config: json_map(json!({
            "slackChannel": "#sales",
            "alertThreshold": 5000,
            "notifyOwners": true,
            "legacyMode": false,
        })),
        authentications: vec![
            SeedAuthentication {
                id: Some(Uuid::from_u128(0x0b6f3c1e_2d4a_4f8b_9e7c_5a1d2c3b4e5f)),
                auth_export_id: Some("slack-production".to_owned()),
                title: "Slack (production workspace)".to_owned(),
                service: SeedService {
                    name: "slack".to_owned(),
                    version: "1".to_owned(),
                },
                scopes: vec!["chat:write".to_owned(), "channels:read".to_owned()],
                service_environment_id: Some(Uuid::from_u128(
                    0xa6e07c5a_ab15_47f2_8575_5bb51b45c412,
                )),
            },
            SeedAuthentication {
                id: Some(DESTINATION_SPARE_AUTH_ID),
                auth_export_id: Some("salesforce-spare".to_owned()),
                title: "Salesforce (spare)".to_owned(),
                service: SeedService {
                    name: "salesforce".to_owned(),
                    version: "1".to_owned(),
                },
                scopes: vec!["api".to_owned(), "refresh_token".to_owned()],
                service_environment_id: Some(Uuid::from_u128(
                    0x5c4b3a29_1807_4f6e_9d5c_4b3a29180706,
                )),
            },
        ],
        versions: vec![SeedVersion {
            version_number: "1".to_owned(),
            title: "Initial release".to_owned(),
            description: None,
        }],
        solution_id: Some(SOLUTION_ID),
    }
}

/// A fresh state with the two seeded projects and the solution. The draft
/// of the solution differs from its published release by one non-breaking
/// change (the `alertThreshold` slot was retitled), so a release preview
/// has something to show from the start.
pub(crate) fn seeded_state() -> State {
    let mut state = State::default();
    add_project(&mut state, source_project());
    add_project(&mut state, destination_project());
    if let Some(solution) = state.solutions.get_mut(&SOLUTION_ID) {
        for slots in [Some(&mut solution.draft), solution.published.as_mut()]
            .into_iter()
            .flatten()
        {
            slots
                .auth_slots
                .retain(|slot| slot.authentication_id != DESTINATION_SPARE_AUTH_ID);
        }
        for slot in &mut solution.draft.config_slots {
            if slot.key == "alertThreshold" {
                slot.title = "Minimum alert amount".to_owned();
            }
        }
    }
    state
}

fn json_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
