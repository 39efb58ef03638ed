//! The sandbox's state: deployments, shares, projects and solutions, and
//! its state file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tray_api_raw::DeploymentStatus;
use tray_api_raw::solutions::types::{AuthSlot, ConfigSlot};
use uuid::Uuid;

use crate::SandboxError;

/// Everything the sandbox remembers; saved as JSON in the state file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct State {
    /// Deployments by id.
    #[serde(default)]
    pub deployments: HashMap<Uuid, DeploymentRecord>,
    /// The latest deployment of each connector version (`name~version`).
    #[serde(default)]
    pub latest: HashMap<String, Uuid>,
    /// Who a connector version (`name~version`) is shared with (lowercased emails).
    #[serde(default)]
    pub shares: HashMap<String, BTreeSet<String>>,
    /// Projects by id.
    #[serde(default)]
    pub projects: BTreeMap<Uuid, Project>,
    /// Solutions by id.
    #[serde(default)]
    pub solutions: BTreeMap<Uuid, Solution>,
    /// Creation counter of project versions (their stable order).
    #[serde(default)]
    pub version_seq: u64,
}

/// `name~version`, Tray's way of naming a connector version.
pub(crate) fn connector_key(name: &str, version: &str) -> String {
    format!("{name}~{version}")
}

/// One deployment of a connector version.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeploymentRecord {
    pub id: Uuid,
    pub connector_name: String,
    pub connector_version: String,
    pub started: DateTime<Utc>,
    pub deploy_time_ms: u64,
}

impl DeploymentRecord {
    /// The status at `now`, from the time since the deploy and the
    /// connector name (`fails-`, `stuck-`, `unknown-` prefixes).
    pub(crate) fn status_at(&self, now: DateTime<Utc>) -> DeploymentStatus {
        let elapsed = (now - self.started).num_milliseconds().max(0) as u64;
        let name = self.connector_name.as_str();
        if name.starts_with("stuck-") {
            return DeploymentStatus::Deploying;
        }
        let total = if name.starts_with("unknown-") {
            self.deploy_time_ms.max(UNKNOWN_MIN_MS)
        } else {
            self.deploy_time_ms
        };
        let half = total / 2;
        if elapsed < half {
            if name.starts_with("unknown-") {
                DeploymentStatus::Unknown("Queued".to_owned())
            } else {
                DeploymentStatus::Deploying
            }
        } else if elapsed < total {
            DeploymentStatus::Building
        } else if name.starts_with("fails-") {
            DeploymentStatus::Failed
        } else {
            DeploymentStatus::Deployed
        }
    }
}

/// The shortest progression of an `unknown-` connector, so that its
/// `Queued` phase can be seen even with a zero deploy time.
pub(crate) const UNKNOWN_MIN_MS: u64 = 200;

/// A project: workflows, config, authentications and saved versions.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Project {
    pub id: Uuid,
    pub name: String,
    pub workflows: Vec<Workflow>,
    pub config: Map<String, Value>,
    pub authentications: Vec<Authentication>,
    pub versions: Vec<ProjectVersion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported_from: Option<ImportedFromRecord>,
    /// Exported authentications (`authExportId`) resolved by an import to
    /// an authentication of this project.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub auth_links: BTreeMap<String, Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solution_id: Option<Uuid>,
}

/// A workflow of a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Workflow {
    pub id: Uuid,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported_from_id: Option<Uuid>,
    #[serde(default)]
    pub steps: Vec<Value>,
}

/// A 3rd party service, by name and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Service {
    pub name: String,
    pub version: String,
}

/// An authentication available to a project.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Authentication {
    pub id: Uuid,
    pub auth_export_id: String,
    pub title: String,
    pub service: Service,
    pub service_environment_id: Uuid,
    pub scopes: Vec<String>,
}

/// A saved project version, with the export taken when it was saved.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProjectVersion {
    pub version_number: String,
    pub title: String,
    pub description: String,
    pub created: DateTime<Utc>,
    pub creator: String,
    pub seq: u64,
    pub export: Map<String, Value>,
}

/// Where a project's last import came from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ImportedFromRecord {
    pub project_id: Uuid,
    pub project_version: Option<String>,
    pub project_name: String,
    pub imported: DateTime<Utc>,
}

/// The slots of a solution (draft or published).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Slots {
    pub auth_slots: Vec<AuthSlot>,
    pub config_slots: Vec<ConfigSlot>,
}

/// A solution embedding a project.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Solution {
    pub id: Uuid,
    pub project_id: Uuid,
    pub draft: Slots,
    pub published: Option<Slots>,
    pub releases: Vec<Release>,
}

/// A published release.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Release {
    pub id: Uuid,
    pub created: DateTime<Utc>,
}

/// Reads a state file; `Ok(None)` when it does not exist.
pub(crate) fn load(path: &Path) -> Result<Option<State>, SandboxError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            return Err(SandboxError::StateFile {
                path: path.to_owned(),
                message: error.to_string(),
            });
        }
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|error| SandboxError::StateFile {
            path: path.to_owned(),
            message: error.to_string(),
        })
}

/// Writes the state file atomically: a temporary file in the same folder,
/// renamed over the old one.
pub(crate) fn save(path: &PathBuf, state: &State) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(state).map_err(std::io::Error::other)?;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(&dir)?;
    std::io::Write::write_all(&mut file, &json)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}
