//! The sandbox's state: deployments, shares, projects and solutions; its
//! state file, and the writer task that saves it off the request path.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use tokio::sync::{mpsc, watch};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
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
    pub export: SharedExport,
}

/// The export document saved with a project version: never changed after
/// the version is created, so it is kept serialized and shared. A snapshot
/// of the state for the state file copies a pointer, and writing it copies
/// the bytes instead of serializing the document again.
#[derive(Debug, Clone)]
pub(crate) enum SharedExport {
    /// The document as JSON text.
    Json(Arc<RawValue>),
    /// The document itself (only if it could not be serialized, which a
    /// JSON object cannot fail).
    Document(Arc<Map<String, Value>>),
}

impl SharedExport {
    /// A copy of the document.
    pub(crate) fn to_map(&self) -> Map<String, Value> {
        match self {
            SharedExport::Json(json) => serde_json::from_str(json.get()).unwrap_or_default(),
            SharedExport::Document(document) => (**document).clone(),
        }
    }
}

impl From<Map<String, Value>> for SharedExport {
    fn from(document: Map<String, Value>) -> Self {
        match serde_json::value::to_raw_value(&document) {
            Ok(json) => SharedExport::Json(Arc::from(json)),
            Err(_) => SharedExport::Document(Arc::new(document)),
        }
    }
}

impl Serialize for SharedExport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            SharedExport::Json(json) => json.serialize(serializer),
            SharedExport::Document(document) => document.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for SharedExport {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(|json| SharedExport::Json(Arc::from(json)))
    }
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

/// The state file: where it is (a symlink resolved to the file it points
/// to, so the link is never replaced), its folder, and the prefix of its
/// temporary files.
#[derive(Debug, Clone)]
pub(crate) struct StateFile {
    path: PathBuf,
    dir: PathBuf,
    temp_prefix: String,
}

impl StateFile {
    /// Checks that the folder of `path` exists, and removes the temporary
    /// files (`.NAME.tmp*`) a killed run left there.
    pub(crate) fn open(path: &Path) -> Result<Self, SandboxError> {
        let error = |message: String| SandboxError::StateFile {
            path: path.to_owned(),
            message,
        };
        // Follow symlinks (even one to a file not written yet), so the
        // rename replaces the file, never the link.
        let mut resolved = path.to_owned();
        for _ in 0..40 {
            match std::fs::read_link(&resolved) {
                Ok(target) => {
                    resolved = match resolved.parent() {
                        Some(parent) => parent.join(target),
                        None => target,
                    }
                }
                Err(_) => break,
            }
        }
        let dir = match resolved.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(error(format!(
                "its folder {} does not exist or is not a folder (create it first)",
                dir.display()
            )));
        }
        let name = resolved
            .file_name()
            .ok_or_else(|| error("it is not a file name".to_owned()))?
            .to_string_lossy()
            .into_owned();
        let file = StateFile {
            temp_prefix: format!(".{name}.tmp"),
            path: resolved,
            dir,
        };
        file.remove_stale_temporaries();
        Ok(file)
    }

    fn remove_stale_temporaries(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with(&self.temp_prefix)
            {
                let stale = entry.path();
                match std::fs::remove_file(&stale) {
                    Ok(()) => {
                        tracing::info!(path = %stale.display(), "removed a stale temporary state file")
                    }
                    Err(error) => {
                        tracing::warn!(path = %stale.display(), %error, "cannot remove a stale temporary state file")
                    }
                }
            }
        }
    }

    /// Reads the state; `Ok(None)` when the file does not exist.
    pub(crate) fn load(&self) -> Result<Option<State>, SandboxError> {
        let error = |message: String| SandboxError::StateFile {
            path: self.path.clone(),
            message,
        };
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(error(e.to_string())),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| error(e.to_string()))
    }

    /// Writes `json` atomically and durably: a temporary file in the same
    /// folder, written and fsynced, renamed over the old one, then the
    /// folder fsynced so the rename survives a crash.
    pub(crate) fn save(&self, json: &[u8]) -> std::io::Result<()> {
        let mut file = tempfile::Builder::new()
            .prefix(&self.temp_prefix)
            .tempfile_in(&self.dir)?;
        std::io::Write::write_all(&mut file, json)?;
        file.as_file().sync_all()?;
        file.persist(&self.path).map_err(|error| error.error)?;
        #[cfg(unix)]
        std::fs::File::open(&self.dir)?.sync_all()?;
        Ok(())
    }

    /// The file written.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

tokio::task_local! {
    /// The generation of the last change a request made (0: none).
    static WRITTEN: Cell<u64>;
}

/// The state in memory and, with a state file, its writer task.
///
/// Each change bumps a generation number (under the write lock). The
/// writer task saves everything pending in one write + fsync + rename
/// (group commit) whenever it is rung, and publishes the generation saved;
/// a request waits for the generation of its own change
/// ([`Store::acknowledged`]), so an acknowledged change is on disk, and
/// reads never wait for the disk.
#[derive(Debug)]
pub(crate) struct Store {
    shared: Arc<Shared>,
    saver: Option<Saver>,
}

#[derive(Debug)]
struct Shared {
    state: RwLock<State>,
    generation: AtomicU64,
}

#[derive(Debug)]
struct Saver {
    doorbell: mpsc::Sender<()>,
    saved: watch::Receiver<Saved>,
}

/// What the writer task has done.
#[derive(Debug, Clone, Default)]
struct Saved {
    /// Every change up to this generation is on disk.
    generation: u64,
    /// The last failed save: the generation it covered and why.
    failed: Option<(u64, Arc<str>)>,
}

impl Store {
    /// The state in memory only.
    pub(crate) fn in_memory(state: State) -> Self {
        Store {
            shared: Arc::new(Shared {
                state: RwLock::new(state),
                generation: AtomicU64::new(0),
            }),
            saver: None,
        }
    }

    /// The state saved to `file`: saves it once now (so a file that cannot
    /// be written fails here, at start), then starts the writer task on
    /// the current runtime.
    pub(crate) async fn persistent(state: State, file: StateFile) -> Result<Self, SandboxError> {
        let json = serde_json::to_vec(&state).map_err(|e| SandboxError::StateFile {
            path: file.path().to_owned(),
            message: e.to_string(),
        })?;
        let first = file.clone();
        tokio::task::spawn_blocking(move || first.save(&json))
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|result| result)
            .map_err(|source| SandboxError::StateWrite {
                path: file.path().to_owned(),
                source,
            })?;
        let shared = Arc::new(Shared {
            state: RwLock::new(state),
            generation: AtomicU64::new(0),
        });
        let (doorbell, rung) = mpsc::channel(1);
        let (saved_tx, saved) = watch::channel(Saved::default());
        tokio::spawn(write_behind(Arc::clone(&shared), file, rung, saved_tx));
        Ok(Store {
            shared,
            saver: Some(Saver { doorbell, saved }),
        })
    }

    /// Runs `f` with the state read-locked.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        match self.shared.state.read() {
            Ok(guard) => f(&guard),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    /// Runs `f` with the state write-locked, records the change for the
    /// request in progress (see [`Store::acknowledged`]) and rings the
    /// writer task.
    pub(crate) fn write<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let (result, generation) = {
            let mut guard = match self.shared.state.write() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            let result = f(&mut guard);
            let generation = self.shared.generation.fetch_add(1, Ordering::AcqRel) + 1;
            (result, generation)
        };
        let _ = WRITTEN.try_with(|written| written.set(generation));
        if let Some(saver) = &self.saver {
            // Full: a ring is pending already, and it will save this too.
            let _ = saver.doorbell.try_send(());
        }
        result
    }

    /// Runs a request's handler `f`, then waits until the changes it made
    /// are saved; `Err` (the reason) when they could not be.
    pub(crate) async fn acknowledged<R>(&self, f: impl FnOnce() -> R) -> Result<R, String> {
        let (result, generation) = WRITTEN.sync_scope(Cell::new(0), || {
            let result = f();
            (result, WRITTEN.with(Cell::get))
        });
        if generation == 0 {
            return Ok(result);
        }
        let Some(saver) = &self.saver else {
            return Ok(result);
        };
        let mut saved = saver.saved.clone();
        let outcome = saved
            .wait_for(|saved| {
                saved.generation >= generation
                    || saved.failed.as_ref().is_some_and(|(g, _)| *g >= generation)
            })
            .await
            .map(|saved| saved.clone());
        match outcome {
            Ok(saved) if saved.generation >= generation => Ok(result),
            Ok(saved) => Err(saved
                .failed
                .map(|(_, reason)| reason.to_string())
                .unwrap_or_default()),
            Err(_) => Err("the state writer has stopped".to_owned()),
        }
    }
}

/// The writer task: on each ring, saves everything changed since the last
/// save in one write (group commit); stops when the store is dropped,
/// after saving what was still pending.
async fn write_behind(
    shared: Arc<Shared>,
    file: StateFile,
    mut rung: mpsc::Receiver<()>,
    saved: watch::Sender<Saved>,
) {
    let mut done = 0;
    while rung.recv().await.is_some() {
        if shared.generation.load(Ordering::Acquire) <= done {
            continue;
        }
        let (snapshot_of, target) = (Arc::clone(&shared), file.clone());
        let outcome = tokio::task::spawn_blocking(move || {
            // A consistent copy under the read lock (cheap: version exports
            // are shared), serialized and written without any lock.
            let (generation, snapshot) = {
                let guard = match snapshot_of.state.read() {
                    Ok(guard) => guard,
                    Err(poisoned) => poisoned.into_inner(),
                };
                (
                    snapshot_of.generation.load(Ordering::Acquire),
                    State::clone(&guard),
                )
            };
            let result = serde_json::to_vec(&snapshot)
                .map_err(std::io::Error::other)
                .and_then(|json| target.save(&json));
            (generation, result)
        })
        .await;
        match outcome {
            Ok((generation, Ok(()))) => {
                done = generation;
                saved.send_modify(|saved| saved.generation = generation);
            }
            Ok((generation, Err(error))) => {
                tracing::error!(path = %file.path().display(), %error, "cannot save the sandbox state");
                saved.send_modify(|saved| {
                    saved.failed = Some((generation, Arc::from(error.to_string())));
                });
            }
            Err(error) => {
                let generation = shared.generation.load(Ordering::Acquire);
                saved.send_modify(|saved| {
                    saved.failed = Some((generation, Arc::from(error.to_string())));
                });
            }
        }
    }
}
