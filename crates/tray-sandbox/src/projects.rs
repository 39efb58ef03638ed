//! Project versions (create, list, export) and imports (requirements,
//! preview, apply).

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine as _;
use chrono::Utc;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use tray_api_raw::SolutionChangeType;
use tray_api_raw::projects::types as pt;
use uuid::Uuid;

use crate::http::{HttpError, json as json_response, parse_body};
use crate::seed::CREATOR;
use crate::server::App;
use crate::slots::{diff, slots_after_import, value_type};
use crate::state::{
    Authentication, ImportedFromRecord, Project, ProjectVersion, Service, Slots, State, Workflow,
};

/// The page size of `listProjectVersions` when neither `first` nor `last`
/// is given (Tray documents none).
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// The largest `first` or `last` (Tray: "with a maximum of 1000").
pub const MAX_PAGE_SIZE: i64 = 1000;
/// The `exportVersion` of the documents the sandbox exports.
pub const EXPORT_FORMAT_VERSION: &str = "1";

fn not_found(project: Uuid) -> HttpError {
    HttpError::not_found(format!("Project {project} was not found"))
}

/// The export document of a project in its current state, as version
/// `version`.
pub(crate) fn export_document(project: &Project, version: &str) -> Map<String, Value> {
    let mut connectors: Vec<Value> = Vec::new();
    for workflow in &project.workflows {
        for step in &workflow.steps {
            if let Some(connector) = step.get("connector")
                && !connectors.contains(connector)
            {
                connectors.push(connector.clone());
            }
        }
    }
    let mut services: Vec<Value> = Vec::new();
    for auth in &project.authentications {
        let service = json!({"name": auth.service.name, "version": auth.service.version});
        if !services.contains(&service) {
            services.push(service);
        }
    }
    let document = json!({
        "exportVersion": EXPORT_FORMAT_VERSION,
        "exported": Utc::now(),
        "project": {"id": project.id, "name": project.name, "version": version},
        "workflows": project.workflows.iter().map(|workflow| json!({
            "id": workflow.id,
            "title": workflow.title,
            "steps": workflow.steps,
        })).collect::<Vec<_>>(),
        "config": project.config,
        "authentications": project.authentications.iter().map(|auth| json!({
            "authExportId": auth.auth_export_id,
            "title": auth.title,
            "service": {"name": auth.service.name, "version": auth.service.version},
            "scopes": auth.scopes,
        })).collect::<Vec<_>>(),
        "connectors": connectors,
        "services": services,
    });
    match document {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Creates a version (`version` was checked by the route's
/// `VersionNumber`).
pub(crate) fn create_version(
    app: &App,
    project_id: Uuid,
    version: &str,
    input: &pt::CreateProjectVersionInput,
) -> Result<Response, HttpError> {
    if input.title.trim().is_empty() {
        return Err(HttpError::bad_request("title must not be empty"));
    }
    let created = app.write(|state| {
        state.version_seq += 1;
        let seq = state.version_seq;
        let project = state
            .projects
            .get_mut(&project_id)
            .ok_or_else(|| not_found(project_id))?;
        if project.versions.iter().any(|v| v.version_number == version) {
            return Err(HttpError::bad_request(format!(
                "Project version {version} already exists in project {project_id}; version numbers must be unique"
            )));
        }
        let saved = ProjectVersion {
            version_number: version.to_owned(),
            title: input.title.clone(),
            description: input.description.clone().unwrap_or_default(),
            created: app.now(),
            creator: CREATOR.to_owned(),
            seq,
            export: export_document(project, version).into(),
        };
        project.versions.push(saved.clone());
        Ok(saved)
    })?;
    Ok(json_response(
        StatusCode::CREATED,
        &version_response(project_id, &created),
    ))
}

fn version_response(project_id: Uuid, version: &ProjectVersion) -> pt::ProjectVersionResponse {
    pt::ProjectVersionResponse {
        extra: Default::default(),
        project_id,
        version_number: version.version_number.clone(),
        title: version.title.clone(),
        description: version.description.clone(),
        created: version.created,
        creator: version.creator.clone(),
    }
}

/// An opaque cursor: the creation sequence of a version, for one project.
fn encode_cursor(project: Uuid, seq: u64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("pv1:{project}:{seq}"))
}

fn decode_cursor(project: Uuid, cursor: &str) -> Result<u64, HttpError> {
    let invalid = || HttpError::bad_request(format!("Invalid cursor: {cursor:?}"));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let rest = text
        .strip_prefix("pv1:")
        .and_then(|rest| rest.strip_prefix(&project.to_string()))
        .and_then(|rest| rest.strip_prefix(':'))
        .ok_or_else(invalid)?;
    rest.parse().map_err(|_| invalid())
}

fn page_size(name: &str, value: &str) -> Result<usize, String> {
    let size: i64 = value
        .trim()
        .parse()
        .map_err(|_| format!("{name} must be an integer, got {value:?}"))?;
    if !(1..=MAX_PAGE_SIZE).contains(&size) {
        return Err(format!(
            "{name} must be between 1 and {MAX_PAGE_SIZE}, got {size}"
        ));
    }
    usize::try_from(size).map_err(|_| format!("{name} is out of range"))
}

/// The query of `listProjectVersions` (other parameters are ignored); a
/// bad `first`/`last` is a 400 with its own message.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListVersionsQuery {
    #[serde(default, deserialize_with = "first")]
    first: Option<usize>,
    #[serde(default, deserialize_with = "last")]
    last: Option<usize>,
    #[serde(default)]
    cursor: Option<String>,
}

fn first<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<usize>, D::Error> {
    let value = String::deserialize(deserializer)?;
    page_size("first", &value)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

fn last<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<usize>, D::Error> {
    let value = String::deserialize(deserializer)?;
    page_size("last", &value)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

pub(crate) fn list_versions(
    app: &App,
    project_id: Uuid,
    query: &ListVersionsQuery,
) -> Result<Response, HttpError> {
    let (first, last) = (query.first, query.last);
    let cursor = match query.cursor.as_deref() {
        Some(cursor) if !cursor.is_empty() => Some(decode_cursor(project_id, cursor)?),
        _ => None,
    };
    if first.is_some() && last.is_some() {
        return Err(HttpError::bad_request(
            "Pass either first (forwards) or last (backwards), not both",
        ));
    }
    let page = app.read(|state| {
        let project = state
            .projects
            .get(&project_id)
            .ok_or_else(|| not_found(project_id))?;
        let versions = &project.versions;
        let n = versions.len();
        let (start, end) = match last {
            Some(size) => {
                let end =
                    cursor.map_or(n, |seq| versions.iter().take_while(|v| v.seq < seq).count());
                (end.saturating_sub(size), end)
            }
            None => {
                let size = first.unwrap_or(DEFAULT_PAGE_SIZE);
                let start = cursor.map_or(0, |seq| {
                    versions.iter().take_while(|v| v.seq <= seq).count()
                });
                (start, (start + size).min(n))
            }
        };
        let elements = &versions[start..end];
        Ok(pt::ProjectVersionPage {
            extra: Default::default(),
            elements: elements
                .iter()
                .map(|version| version_response(project_id, version))
                .collect(),
            page_info: pt::PageInfo {
                start_cursor: elements.first().map(|v| encode_cursor(project_id, v.seq)),
                end_cursor: elements.last().map(|v| encode_cursor(project_id, v.seq)),
                has_next_page: end < n,
                has_previous_page: start > 0,
            },
        })
    })?;
    Ok(json_response(StatusCode::OK, &page))
}

pub(crate) fn export(app: &App, project_id: Uuid, version: &str) -> Result<Response, HttpError> {
    let document = app.read(|state| {
        let project = state
            .projects
            .get(&project_id)
            .ok_or_else(|| not_found(project_id))?;
        project
            .versions
            .iter()
            .find(|v| v.version_number == version)
            .map(|v| pt::ProjectExport(v.export.to_map()))
            .ok_or_else(|| {
                HttpError::not_found(format!(
                    "Project version {version} was not found in project {project_id}"
                ))
            })
    })?;
    Ok(json_response(StatusCode::OK, &document))
}

/// The parts of an export document an import reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExportDoc {
    project: ExportProject,
    #[serde(default)]
    workflows: Vec<ExportWorkflow>,
    #[serde(default)]
    config: Map<String, Value>,
    #[serde(default)]
    authentications: Vec<ExportAuth>,
}

#[derive(Debug, Clone, Deserialize)]
struct ExportProject {
    id: Uuid,
    name: String,
    #[serde(default)]
    version: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct ExportWorkflow {
    id: Uuid,
    title: String,
    #[serde(default)]
    steps: Vec<Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExportAuth {
    auth_export_id: String,
    title: String,
    service: Service,
    #[serde(default)]
    scopes: Vec<String>,
}

fn parse_export(document: &Map<String, Value>) -> Result<ExportDoc, HttpError> {
    serde_json::from_value(Value::Object(document.clone())).map_err(|error| {
        HttpError::bad_request(format!(
            "exportedProjectJson is not a project export (as returned by the export endpoint): {error}"
        ))
    })
}

fn map_service(service: &Service, mapping: &[pt::ServiceMappingInput]) -> Service {
    mapping
        .iter()
        .find(|m| m.from.name == service.name && m.from.version == service.version)
        .map_or_else(
            || service.clone(),
            |m| Service {
                name: m.to.name.clone(),
                version: m.to.version.clone(),
            },
        )
}

fn map_connectors(steps: &[Value], mapping: &[pt::ConnectorMappingInput]) -> Vec<Value> {
    steps
        .iter()
        .map(|step| {
            let mut step = step.clone();
            if let Some(connector) = step.get_mut("connector") {
                let name = connector.get("name").and_then(Value::as_str);
                let version = connector.get("version").and_then(Value::as_str);
                if let Some(m) = mapping.iter().find(|m| {
                    Some(m.from.name.as_str()) == name && Some(m.from.version.as_str()) == version
                }) {
                    *connector = json!({"name": m.to.name, "version": m.to.version});
                }
            }
            step
        })
        .collect()
}

/// The destination authentication an exported one resolves to: the one an
/// earlier import resolved it to, else one imported from it (same
/// `authExportId`), else one of the same (mapped) service.
fn resolve<'a>(
    dest: &'a Project,
    auth: &ExportAuth,
    service: &Service,
) -> Option<&'a Authentication> {
    dest.auth_links
        .get(&auth.auth_export_id)
        .and_then(|id| dest.authentications.iter().find(|a| a.id == *id))
        .or_else(|| {
            dest.authentications
                .iter()
                .find(|a| a.auth_export_id == auth.auth_export_id)
        })
        .or_else(|| dest.authentications.iter().find(|a| &a.service == service))
}

fn service_ref(service: &Service) -> pt::ServiceRef {
    pt::ServiceRef {
        name: service.name.clone(),
        version: service.version.clone(),
    }
}

pub(crate) fn import_requirements(
    app: &App,
    project_id: Uuid,
    body: &[u8],
) -> Result<Response, HttpError> {
    let input: pt::PrepareProjectImportInput = parse_body(body)?;
    let doc = parse_export(&input.exported_project_json)?;
    let response = app.read(|state| {
        let dest = state
            .projects
            .get(&project_id)
            .ok_or_else(|| not_found(project_id))?;
        let requirements: Vec<pt::AuthenticationRequirement> = doc
            .authentications
            .iter()
            .map(|auth| {
                let service = map_service(&auth.service, &input.service_mapping);
                pt::AuthenticationRequirement {
                    auth_export_id: auth.auth_export_id.clone(),
                    title: auth.title.clone(),
                    service: service_ref(&service),
                    scopes: auth.scopes.clone(),
                    resolved_authentication: resolve(dest, auth, &service).map(|found| {
                        pt::ResolvedAuthentication {
                            id: found.id,
                            title: found.title.clone(),
                            service: service_ref(&found.service),
                            service_environment: pt::ResolvedAuthenticationServiceEnvironment {
                                id: found.service_environment_id,
                            },
                            scopes: found.scopes.clone(),
                        }
                    }),
                }
            })
            .collect();
        Ok::<_, HttpError>(pt::PrepareProjectImportResponse {
            extra: Default::default(),
            unresolved_authentications: requirements
                .iter()
                .any(|r| r.resolved_authentication.is_none()),
            new_config_keys: doc.config.keys().any(|key| !dest.config.contains_key(key)),
            config: pt::ImportConfigRequirements {
                source: doc.config.clone(),
                target: dest.config.clone(),
            },
            authentications_requirements: requirements,
        })
    })?;
    Ok(json_response(StatusCode::OK, &response))
}

/// Everything an import would change.
struct Plan {
    metadata: pt::ImportMetadata,
    imported_from: ImportedFromRecord,
    new_config: Map<String, Value>,
    config_changes: pt::ConfigChanges,
    workflows: Vec<Workflow>,
    created: Vec<pt::CreatedWorkflow>,
    updated: Vec<pt::UpdatedWorkflow>,
    removed: Vec<pt::RemovedWorkflow>,
    auth_links: Vec<(String, Uuid)>,
    solution: Option<(Uuid, Slots)>,
    solution_diff: Option<crate::slots::SlotDiff>,
}

fn plan(
    state: &State,
    project_id: Uuid,
    input: &pt::ProjectImportInput,
) -> Result<Plan, HttpError> {
    let doc = parse_export(&input.exported_project_json)?;
    let dest = state
        .projects
        .get(&project_id)
        .ok_or_else(|| not_found(project_id))?;

    // Config, with the overrides (same keys and JSON types as the export).
    let mut new_config = doc.config.clone();
    for (key, value) in &input.config_override {
        let Some(exported) = doc.config.get(key) else {
            return Err(HttpError::bad_request(format!(
                "configOverride key {key:?} is not in the exported project configuration"
            )));
        };
        if value_type(exported) != value_type(value) {
            return Err(HttpError::bad_request(format!(
                "configOverride value of {key:?} must be of type {} like the exported configuration, got {}",
                value_type(exported),
                value_type(value)
            )));
        }
        new_config.insert(key.clone(), value.clone());
    }
    let mut config_changes = pt::ConfigChanges {
        created: Vec::new(),
        updated: Vec::new(),
        removed: Vec::new(),
    };
    for (key, value) in &new_config {
        match dest.config.get(key) {
            None => config_changes.created.push(pt::ConfigValueChange {
                key: key.clone(),
                value: value.clone(),
            }),
            Some(old) if old != value => config_changes.updated.push(pt::ConfigValueUpdate {
                key: key.clone(),
                old_value: old.clone(),
                new_value: value.clone(),
            }),
            Some(_) => {}
        }
    }
    for (key, value) in &dest.config {
        if !new_config.contains_key(key) {
            config_changes.removed.push(pt::ConfigValueChange {
                key: key.clone(),
                value: value.clone(),
            });
        }
    }

    // Authentications: every one the export uses must resolve.
    for resolution in &input.authentication_resolution {
        if !doc
            .authentications
            .iter()
            .any(|a| a.auth_export_id == resolution.auth_export_id)
        {
            return Err(HttpError::bad_request(format!(
                "authenticationResolution: authExportId {:?} is not used by the exported project",
                resolution.auth_export_id
            )));
        }
    }
    // Each resolution names an authentication the destination project has.
    for resolution in &input.authentication_resolution {
        if !dest
            .authentications
            .iter()
            .any(|a| a.id == resolution.authentication_id)
        {
            return Err(HttpError::bad_request(format!(
                "authenticationResolution: authenticationId {} (for authExportId {:?}) is not an authentication of project {project_id}",
                resolution.authentication_id, resolution.auth_export_id
            )));
        }
    }
    let mut used_auths = Vec::new();
    let mut auth_links = Vec::new();
    let mut missing = Vec::new();
    for auth in &doc.authentications {
        let service = map_service(&auth.service, &input.service_mapping);
        let chosen = input
            .authentication_resolution
            .iter()
            .find(|r| r.auth_export_id == auth.auth_export_id);
        if let Some(chosen) = chosen {
            auth_links.push((auth.auth_export_id.clone(), chosen.authentication_id));
        }
        match chosen {
            Some(chosen) => {
                if let Some(existing) = dest
                    .authentications
                    .iter()
                    .find(|a| a.id == chosen.authentication_id)
                {
                    used_auths.push(existing.clone());
                }
            }
            None => match resolve(dest, auth, &service) {
                Some(existing) => used_auths.push(existing.clone()),
                None => missing.push(auth.auth_export_id.clone()),
            },
        }
    }
    if !missing.is_empty() {
        return Err(HttpError::bad_request(format!(
            "Unresolved authentications: {}. Map each authExportId to an authentication of the destination project in authenticationResolution",
            missing.join(", ")
        )));
    }

    // Workflows: matched by the source workflow they were imported from.
    let mut workflows = Vec::new();
    let (mut created, mut updated, mut removed) = (Vec::new(), Vec::new(), Vec::new());
    for exported in &doc.workflows {
        let steps = map_connectors(&exported.steps, &input.connector_mapping);
        match dest
            .workflows
            .iter()
            .find(|w| w.imported_from_id == Some(exported.id))
        {
            Some(existing) => {
                if existing.title != exported.title || existing.steps != steps {
                    updated.push(pt::UpdatedWorkflow {
                        id: existing.id,
                        name: exported.title.clone(),
                        imported_from_id: exported.id,
                    });
                }
                workflows.push(Workflow {
                    id: existing.id,
                    title: exported.title.clone(),
                    imported_from_id: Some(exported.id),
                    steps,
                });
            }
            None => {
                let id = Uuid::new_v4();
                created.push(pt::CreatedWorkflow {
                    id,
                    name: exported.title.clone(),
                    imported_from_id: exported.id,
                });
                workflows.push(Workflow {
                    id,
                    title: exported.title.clone(),
                    imported_from_id: Some(exported.id),
                    steps,
                });
            }
        }
    }
    for existing in &dest.workflows {
        if !workflows.iter().any(|w| w.id == existing.id) {
            removed.push(pt::RemovedWorkflow {
                id: existing.id,
                name: existing.title.clone(),
            });
        }
    }

    let (solution, solution_diff) = match dest.solution_id.and_then(|id| state.solutions.get(&id)) {
        Some(solution) => {
            let after = slots_after_import(&solution.draft, &new_config, &used_auths);
            let changes = diff(&solution.draft, &after).map_err(HttpError::internal)?;
            (Some((solution.id, after)), Some(changes))
        }
        None => (None, None),
    };

    Ok(Plan {
        metadata: pt::ImportMetadata {
            imported_from: pt::ImportedFrom {
                project_id: doc.project.id,
                project_name: doc.project.name.clone(),
                project_version: doc.project.version.clone(),
            },
            project_id: dest.id,
            project_name: dest.name.clone(),
        },
        imported_from: ImportedFromRecord {
            project_id: doc.project.id,
            project_version: doc.project.version.clone(),
            project_name: doc.project.name.clone(),
            imported: Utc::now(),
        },
        new_config,
        config_changes,
        workflows,
        created,
        updated,
        removed,
        auth_links,
        solution,
        solution_diff,
    })
}

/// Converts solution-module slot changes to the projects-module types of
/// the same shape, dropping the ids of created slots for previews.
fn convert<T: DeserializeOwned>(
    value: &impl serde::Serialize,
    preview: bool,
) -> Result<T, HttpError> {
    let mut value = serde_json::to_value(value).map_err(|e| HttpError::internal(e.to_string()))?;
    if preview && let Some(created) = value.get_mut("created").and_then(Value::as_array_mut) {
        for item in created {
            if let Some(object) = item.as_object_mut() {
                object.remove("id");
            }
        }
    }
    serde_json::from_value(value).map_err(|e| HttpError::internal(e.to_string()))
}

pub(crate) fn import_preview(
    app: &App,
    project_id: Uuid,
    body: &[u8],
) -> Result<Response, HttpError> {
    let input: pt::ProjectImportInput = parse_body(body)?;
    let plan = app.read(|state| plan(state, project_id, &input))?;
    let solution_impact = match &plan.solution_diff {
        Some(changes) => Some(pt::SolutionImpactForPreview {
            change_type: SolutionChangeType::Updated,
            breaking_changes: changes.breaking_changes,
            requires_new_user_input: changes.requires_new_user_input,
            requires_new_system_input: changes.requires_new_system_input,
            auth_slots: convert(&changes.auth_slots, true)?,
            config_slots: convert(&changes.config_slots, true)?,
        }),
        None => None,
    };
    let response = pt::ProjectImportPreviewResponse {
        extra: Default::default(),
        import_metadata: plan.metadata,
        project_impact: pt::ProjectImpactForPreview {
            config: plan.config_changes,
            workflows: pt::WorkflowChangesForPreview {
                created: plan
                    .created
                    .into_iter()
                    .map(|w| pt::CreatedWorkflowForPreview {
                        name: w.name,
                        imported_from_id: w.imported_from_id,
                    })
                    .collect(),
                updated: plan.updated,
                removed: plan.removed,
            },
        },
        solution_impact,
    };
    Ok(json_response(StatusCode::OK, &response))
}

pub(crate) fn import(app: &App, project_id: Uuid, body: &[u8]) -> Result<Response, HttpError> {
    let input: pt::ProjectImportInput = parse_body(body)?;
    let plan = app.write(|state| {
        let plan = plan(state, project_id, &input)?;
        if let Some(dest) = state.projects.get_mut(&project_id) {
            dest.config = plan.new_config.clone();
            dest.workflows = plan.workflows.clone();
            dest.imported_from = Some(plan.imported_from.clone());
            dest.auth_links.extend(plan.auth_links.iter().cloned());
        }
        if let Some((solution_id, after)) = &plan.solution
            && let Some(solution) = state.solutions.get_mut(solution_id)
        {
            solution.draft = after.clone();
        }
        Ok::<_, HttpError>(plan)
    })?;
    let solution_impact = match (&plan.solution, &plan.solution_diff) {
        (Some((solution_id, _)), Some(changes)) => Some(pt::SolutionImpact {
            solution_id: Some(*solution_id),
            change_type: SolutionChangeType::Updated,
            breaking_changes: changes.breaking_changes,
            requires_new_user_input: changes.requires_new_user_input,
            requires_new_system_input: changes.requires_new_system_input,
            auth_slots: convert(&changes.auth_slots, false)?,
            config_slots: convert(&changes.config_slots, false)?,
        }),
        _ => None,
    };
    let response = pt::ProjectImportResponse {
        extra: Default::default(),
        import_metadata: plan.metadata,
        project_impact: pt::ProjectImpact {
            config: plan.config_changes,
            workflows: pt::WorkflowChanges {
                created: plan.created,
                updated: plan.updated,
                removed: plan.removed,
            },
        },
        solution_impact,
    };
    Ok(json_response(StatusCode::OK, &response))
}
