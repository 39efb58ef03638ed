//! Promote a project version from one environment (or region) to another in
//! one call.
//!
//! Build a [`Promotion`] with [`Promotion::from`] (the source client,
//! project and version) and [`PromotionSource::to`] (the destination client
//! and project), then [`run`](Promotion::run) it, or
//! [`run_with`](Promotion::run_with) it to hear of each step as it happens.
//!
//! Steps, in order (each a [`PromoteStepKind`], recorded in the
//! [`PromoteReport`]). Every check comes before the first write, and no
//! write happens before the import but the source version's creation:
//!
//! 1. [`SourceVersion`](PromoteStepKind::SourceVersion): look the version
//!    up at the source (listing its versions);
//! 2. [`DestinationProject`](PromoteStepKind::DestinationProject): list the
//!    destination project's versions (an unknown project stops here, before
//!    anything is written);
//! 3. [`SolutionCheck`](PromoteStepKind::SolutionCheck), with
//!    [`Promotion::publish_solution`]: read the solution's release preview
//!    (an unknown solution stops here);
//! 4. [`CreateSourceVersion`](PromoteStepKind::CreateSourceVersion): create
//!    the version at the source when it is missing (never in a dry run);
//! 5. [`Export`](PromoteStepKind::Export) it;
//! 6. [`Requirements`](PromoteStepKind::Requirements): stop with
//!    [`Error::UnresolvedAuthentications`] if an authentication is resolved
//!    neither by Tray nor by a given resolution;
//! 7. [`Preview`](PromoteStepKind::Preview) the import;
//! 8. [`DryRun`](PromoteStepKind::DryRun): a dry run stops here;
//! 9. [`Import`](PromoteStepKind::Import);
//! 10. [`DestinationVersion`](PromoteStepKind::DestinationVersion): create
//!     the same version number at the destination (kept if it exists);
//! 11. [`ReleasePreview`](PromoteStepKind::ReleasePreview) and
//!     [`Release`](PromoteStepKind::Release) of the solution, when
//!     publishing.
//!
//! # Dry run
//!
//! [`Promotion::dry_run`] writes nothing anywhere: no version is created,
//! nothing is imported or released. When the version does not exist yet at
//! the source, the dry run reads the latest version's export instead and its
//! [`SourceVersion`](PromoteStepKind::SourceVersion) step says so. A dry run
//! does not stop at a failed check: it returns `Ok` with the report, whose
//! [`PromoteReport::failed_step`] names the check that failed and whose
//! [`PromoteReport::unresolved_authentications`] lists what to resolve.
//!
//! # Errors
//!
//! A failure before the import returns the error itself (an unknown
//! project or solution is [`Error::NotFound`], missing resolutions are
//! [`Error::UnresolvedAuthentications`]); a failure once the import is
//! applied returns [`Error::PromotionIncomplete`] with the report of what
//! was done. [`Promotion::run_with`] hears of the failed step either way.
//!
//! # Outcome unknown
//!
//! A write (creating a version, the import, the release) that fails after
//! its request was sent (a timeout, a reset connection, a truncated or
//! non-JSON answer, a 5xx) may have been applied. Its step is reported with
//! [`PromoteStepStatus::Unknown`] and the promotion ends with
//! [`Error::PromotionIncomplete`], whose report holds every step and whose
//! message and hint say how to check.

use std::fmt;

use futures::TryStreamExt;
use serde::Serialize;
use tray_api_raw::projects::types::{
    PrepareProjectImportResponse, ProjectImportPreviewResponse, ProjectImportResponse,
    ProjectVersionResponse,
};
use tray_api_raw::solutions::types::PublishSolutionImpact;
use uuid::Uuid;

use crate::client::Client;
use crate::error::{Error, Result, UnresolvedAuthentication};
use crate::import::ImportOptions;

/// The steps of a promotion, in the order they run (see the
/// [module docs](self)). `Display` gives the words the CLI prints
/// (`"source version"`); JSON gives snake_case names (`"source_version"`).
///
/// ```
/// use tray_api::promote::PromoteStepKind;
/// assert_eq!(PromoteStepKind::DestinationVersion.to_string(), "destination version");
/// assert_eq!(
///     serde_json::to_value(PromoteStepKind::DestinationVersion).unwrap(),
///     "destination_version"
/// );
/// assert!(PromoteStepKind::Import.is_write());
/// assert!(!PromoteStepKind::Preview.is_write());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PromoteStepKind {
    /// The version looked up at the source.
    SourceVersion,
    /// The destination project looked up (its versions listed).
    DestinationProject,
    /// The solution's release preview read before anything is written.
    SolutionCheck,
    /// The version created at the source (when it was missing).
    CreateSourceVersion,
    /// The version exported.
    Export,
    /// The import requirements at the destination.
    Requirements,
    /// The import preview.
    Preview,
    /// A dry run stopped after the checks.
    DryRun,
    /// The import.
    Import,
    /// The version at the destination, created or kept.
    DestinationVersion,
    /// The solution's release preview after the import.
    ReleasePreview,
    /// The solution's release.
    Release,
}

impl PromoteStepKind {
    /// The words printed for the step (`"source version"`).
    ///
    /// ```
    /// assert_eq!(tray_api::promote::PromoteStepKind::SolutionCheck.as_str(), "solution check");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SourceVersion => "source version",
            Self::DestinationProject => "destination project",
            Self::SolutionCheck => "solution check",
            Self::CreateSourceVersion => "create source version",
            Self::Export => "export",
            Self::Requirements => "requirements",
            Self::Preview => "preview",
            Self::DryRun => "dry run",
            Self::Import => "import",
            Self::DestinationVersion => "destination version",
            Self::ReleasePreview => "release preview",
            Self::Release => "release",
        }
    }

    /// Whether the step may change something (at the source or the
    /// destination): only these can end with an unknown outcome.
    ///
    /// ```
    /// assert!(tray_api::promote::PromoteStepKind::Release.is_write());
    /// ```
    pub fn is_write(self) -> bool {
        matches!(
            self,
            Self::CreateSourceVersion | Self::Import | Self::DestinationVersion | Self::Release
        )
    }
}

impl fmt::Display for PromoteStepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a step ended. JSON and `Display`: `"done"`, `"failed"`, `"unknown"`.
///
/// ```
/// use tray_api::promote::PromoteStepStatus;
/// assert_eq!(PromoteStepStatus::Unknown.to_string(), "unknown");
/// assert_eq!(serde_json::to_value(PromoteStepStatus::Failed).unwrap(), "failed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PromoteStepStatus {
    /// The step did what it says.
    Done,
    /// The step failed and changed nothing: a check that did not pass, or
    /// a request Tray refused.
    Failed,
    /// A write whose request was sent but whose answer was lost or
    /// unreadable (timeout, reset, truncated or non-JSON body, 5xx): the
    /// change may have been applied.
    Unknown,
}

impl PromoteStepStatus {
    /// `"done"`, `"failed"` or `"unknown"`.
    ///
    /// ```
    /// assert_eq!(tray_api::promote::PromoteStepStatus::Done.as_str(), "done");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for PromoteStepStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step of a promotion. JSON: `{"step", "status", "detail"}`.
///
/// ```
/// use tray_api::promote::{PromoteStep, PromoteStepKind, PromoteStepStatus};
/// let step = PromoteStep::new(PromoteStepKind::Export, PromoteStepStatus::Done, "12 keys");
/// assert_eq!(step.to_string(), "export: 12 keys");
/// let step = PromoteStep::new(PromoteStepKind::Import, PromoteStepStatus::Unknown, "timed out");
/// assert_eq!(step.to_string(), "import (outcome unknown): timed out");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PromoteStep {
    /// Which step.
    #[serde(rename = "step")]
    pub kind: PromoteStepKind,
    /// How it ended.
    pub status: PromoteStepStatus,
    /// What happened, in words.
    pub detail: String,
}

impl PromoteStep {
    /// A step.
    ///
    /// ```
    /// use tray_api::promote::{PromoteStep, PromoteStepKind, PromoteStepStatus};
    /// let step = PromoteStep::new(PromoteStepKind::Preview, PromoteStepStatus::Done, "no changes");
    /// assert_eq!(step.kind, PromoteStepKind::Preview);
    /// ```
    pub fn new(
        kind: PromoteStepKind,
        status: PromoteStepStatus,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            status,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for PromoteStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            PromoteStepStatus::Done => write!(f, "{}: {}", self.kind, self.detail),
            PromoteStepStatus::Failed => write!(f, "{} (failed): {}", self.kind, self.detail),
            PromoteStepStatus::Unknown => {
                write!(f, "{} (outcome unknown): {}", self.kind, self.detail)
            }
        }
    }
}

/// What a promotion did. Serializes with camelCase keys.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PromoteReport {
    /// A dry run: nothing was written.
    pub dry_run: bool,
    /// Every step, in order.
    pub steps: Vec<PromoteStep>,
    /// The source version that was exported (in a dry run whose version
    /// does not exist yet, the latest version).
    pub source_version: Option<ProjectVersionResponse>,
    /// Whether this promotion created the source version.
    pub source_version_created: bool,
    /// The import requirements at the destination.
    pub requirements: Option<PrepareProjectImportResponse>,
    /// Authentications resolved neither by Tray nor by a given resolution
    /// (a dry run reports them here; a real run stops with
    /// [`Error::UnresolvedAuthentications`]).
    pub unresolved_authentications: Vec<UnresolvedAuthentication>,
    /// The import preview.
    pub preview: Option<ProjectImportPreviewResponse>,
    /// The import result (not for a dry run).
    pub import: Option<ProjectImportResponse>,
    /// The version at the destination (not for a dry run).
    pub destination_version: Option<ProjectVersionResponse>,
    /// Whether this promotion created the destination version.
    pub destination_version_created: bool,
    /// The solution release preview after the import, when publishing.
    pub release_preview: Option<PublishSolutionImpact>,
    /// The solution release, when publishing.
    pub release: Option<PublishSolutionImpact>,
}

impl PromoteReport {
    fn new(dry_run: bool) -> Self {
        Self {
            dry_run,
            steps: Vec::new(),
            source_version: None,
            source_version_created: false,
            requirements: None,
            unresolved_authentications: Vec::new(),
            preview: None,
            import: None,
            destination_version: None,
            destination_version_created: false,
            release_preview: None,
            release: None,
        }
    }

    /// The first step that did not end [`Done`](PromoteStepStatus::Done):
    /// a failed check of a dry run, or the write whose outcome is unknown.
    ///
    /// ```no_run
    /// # async fn run(p: tray_api::promote::Promotion) -> Result<(), tray_api::Error> {
    /// let report = p.dry_run(true).run().await?;
    /// if let Some(step) = report.failed_step() {
    ///     eprintln!("the promotion would fail: {step}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn failed_step(&self) -> Option<&PromoteStep> {
        self.steps
            .iter()
            .find(|s| s.status != PromoteStepStatus::Done)
    }

    /// The step whose outcome is unknown, if any.
    ///
    /// ```no_run
    /// # async fn run(p: tray_api::promote::Promotion) {
    /// if let Err(tray_api::Error::PromotionIncomplete { report, .. }) = p.run().await {
    ///     if let Some(step) = report.unknown_step() {
    ///         eprintln!("{} may have been applied", step.kind);
    ///     }
    /// }
    /// # }
    /// ```
    pub fn unknown_step(&self) -> Option<&PromoteStep> {
        self.steps
            .iter()
            .find(|s| s.status == PromoteStepStatus::Unknown)
    }
}

/// The first line of [`Error::PromotionIncomplete`]: what is known to be
/// applied, or which write may have been.
pub(crate) fn incomplete_summary(report: &PromoteReport) -> String {
    if let Some(step) = report.unknown_step() {
        format!(
            "the promotion stopped at its {} step, whose outcome is unknown: the change may have been applied",
            step.kind
        )
    } else if report.import.is_some() {
        "the promotion stopped after the import was applied".to_owned()
    } else {
        "the promotion stopped".to_owned()
    }
}

/// The hint of [`Error::PromotionIncomplete`]: how to check what happened.
pub(crate) fn incomplete_hint(report: &PromoteReport) -> &'static str {
    match report.unknown_step().map(|s| s.kind) {
        Some(PromoteStepKind::CreateSourceVersion) => {
            "the source version may exist: check with `tray project version list SOURCE_PROJECT`; running the promotion again reuses it"
        }
        Some(PromoteStepKind::Import) => {
            "the import may be applied: `tray project import preview` shows nothing left to change if it was; running the promotion again is safe"
        }
        Some(PromoteStepKind::DestinationVersion) => {
            "the destination version may exist: check with `tray project version list DEST_PROJECT`; running the promotion again keeps it"
        }
        Some(PromoteStepKind::Release) => {
            "the solution may be published: `tray solution release preview SOLUTION` shows no changes left if it was"
        }
        _ if report.import.is_some() => {
            "the import is applied at the destination; fix the cause and run the promotion again (what exists is kept)"
        }
        _ => "fix the cause and run the promotion again (what exists is reused)",
    }
}

/// Whether a failed write may have been applied: its request may have
/// reached Tray and the answer was lost or unreadable (timeout, reset,
/// truncated or non-JSON body, 5xx). A refused connection, a 429 or
/// another 4xx means Tray did not apply it.
/// Yes/no answers in step details are written `yes`/`no`, as the CLI does.
fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

fn outcome_unknown(error: &Error) -> bool {
    error.outcome_unknown()
}

/// A promotion of one project version from a source client to a
/// destination client (another environment, region or token). Start with
/// [`Promotion::from`].
///
/// ```no_run
/// # async fn run() -> Result<(), tray_api::Error> {
/// use tray_api::{promote::Promotion, Client, Region};
/// let staging = Client::builder().region(Region::Us).token("staging-token").build()?;
/// let production = Client::builder().region(Region::Eu).token("prod-token").build()?;
/// let source = uuid::Uuid::parse_str("6f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap();
/// let destination = uuid::Uuid::parse_str("7f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap();
/// let report = Promotion::from(&staging, source, "3")
///     .to(&production, destination)
///     .title("Release 3")
///     .auth_resolution("slack-auth", uuid::Uuid::nil())
///     .dry_run(true)
///     .run_with(|step| eprintln!("{step}"))
///     .await?;
/// if let Some(step) = report.failed_step() {
///     eprintln!("a real run would stop at: {step}");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a promotion does nothing until `run` is awaited"]
pub struct Promotion {
    source: Client,
    destination: Client,
    project_id: Uuid,
    version: String,
    destination_project_id: Uuid,
    title: Option<String>,
    description: Option<String>,
    options: ImportOptions,
    dry_run: bool,
    publish_solution: Option<Uuid>,
}

/// The source half of a [`Promotion`]: call [`to`](Self::to) to name the
/// destination.
#[derive(Debug, Clone)]
#[must_use = "name the destination with `.to(&client, project_id)`"]
pub struct PromotionSource {
    client: Client,
    project_id: Uuid,
    version: String,
}

impl PromotionSource {
    /// Promote into project `project_id` at `destination`.
    ///
    /// ```
    /// # let client = tray_api::Client::builder().build().unwrap();
    /// # let (source, dest) = (uuid::Uuid::nil(), uuid::Uuid::max());
    /// let promotion = tray_api::promote::Promotion::from(&client, source, "1").to(&client, dest);
    /// # let _ = promotion;
    /// ```
    pub fn to(self, destination: &Client, project_id: Uuid) -> Promotion {
        Promotion {
            source: self.client,
            destination: destination.clone(),
            project_id: self.project_id,
            version: self.version,
            destination_project_id: project_id,
            title: None,
            description: None,
            options: ImportOptions::default(),
            dry_run: false,
            publish_solution: None,
        }
    }
}

impl Promotion {
    /// Promote version `version` of project `project_id` at `source`; name
    /// the destination with [`PromotionSource::to`]. Each project id sits
    /// next to its client, so the two cannot be swapped silently.
    ///
    /// ```
    /// # let client = tray_api::Client::builder().build().unwrap();
    /// # let (source, dest) = (uuid::Uuid::nil(), uuid::Uuid::max());
    /// let promotion = tray_api::promote::Promotion::from(&client, source, "7").to(&client, dest);
    /// # let _ = promotion;
    /// ```
    #[allow(clippy::should_implement_trait)] // three arguments: not `From::from`
    pub fn from(source: &Client, project_id: Uuid, version: impl Into<String>) -> PromotionSource {
        PromotionSource {
            client: source.clone(),
            project_id,
            version: version.into(),
        }
    }

    /// Title of the versions when they have to be created (default
    /// `"Version <n>"` at the source; the source version's title at the
    /// destination).
    ///
    /// ```
    /// # let client = tray_api::Client::builder().build().unwrap();
    /// # let p = tray_api::promote::Promotion::from(&client, uuid::Uuid::nil(), "1").to(&client, uuid::Uuid::max());
    /// let p = p.title("Release 1");
    /// ```
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Description of the version when it has to be created.
    ///
    /// ```
    /// # let client = tray_api::Client::builder().build().unwrap();
    /// # let p = tray_api::promote::Promotion::from(&client, uuid::Uuid::nil(), "1").to(&client, uuid::Uuid::max());
    /// let p = p.description("Adds the EU workflows");
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    import_option_setters!(
        "# let client = tray_api::Client::builder().build().unwrap();\nlet x = tray_api::promote::Promotion::from(&client, uuid::Uuid::nil(), \"1\").to(&client, uuid::Uuid::max());"
    );

    /// Check everything and write nothing: stop after the import preview,
    /// without creating any version (see the [module docs](self#dry-run)).
    ///
    /// ```
    /// # let client = tray_api::Client::builder().build().unwrap();
    /// # let p = tray_api::promote::Promotion::from(&client, uuid::Uuid::nil(), "1").to(&client, uuid::Uuid::max());
    /// let p = p.dry_run(true);
    /// ```
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// After the import, preview and publish a release of this embedded
    /// solution at the destination (its release preview is also read
    /// before anything is written, so an unknown id stops the promotion
    /// early).
    ///
    /// ```
    /// # let client = tray_api::Client::builder().build().unwrap();
    /// # let p = tray_api::promote::Promotion::from(&client, uuid::Uuid::nil(), "1").to(&client, uuid::Uuid::max());
    /// let p = p.publish_solution(uuid::Uuid::nil());
    /// ```
    pub fn publish_solution(mut self, solution_id: Uuid) -> Self {
        self.publish_solution = Some(solution_id);
        self
    }

    /// Run the promotion. See the [module docs](self) for the steps.
    ///
    /// ```no_run
    /// # async fn run(p: tray_api::promote::Promotion) -> Result<(), tray_api::Error> {
    /// let report = p.run().await?;
    /// println!("{}", serde_json::to_string_pretty(&report).unwrap());
    /// # Ok(()) }
    /// ```
    pub async fn run(self) -> Result<PromoteReport> {
        self.run_with(|_| {}).await
    }

    /// Run the promotion, calling `on_step` with each step as soon as it
    /// ends (failed steps and steps whose outcome is unknown included),
    /// before the next one starts. The same steps end up in
    /// [`PromoteReport::steps`].
    ///
    /// ```no_run
    /// # async fn run(p: tray_api::promote::Promotion) -> Result<(), tray_api::Error> {
    /// let started = std::time::Instant::now();
    /// let report = p
    ///     .run_with(|step| eprintln!("{:>5.1}s  {step}", started.elapsed().as_secs_f64()))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn run_with(self, mut on_step: impl FnMut(&PromoteStep)) -> Result<PromoteReport> {
        if self.version.trim().is_empty() {
            return Err(Error::local("the version number is empty"));
        }
        let mut run = Run {
            promotion: &self,
            report: PromoteReport::new(self.dry_run),
            on_step: &mut on_step,
        };
        match run.checks_and_import().await {
            Ok(()) => Ok(run.report),
            Err(Stop::Error(error)) => Err(error),
            Err(Stop::Incomplete(source)) => Err(Error::PromotionIncomplete {
                report: Box::new(run.report),
                source: Box::new(source),
            }),
        }
    }
}

/// Why a run stopped: an error to return as is, or one after a write
/// (applied, or whose outcome is unknown), returned with the report.
enum Stop {
    Error(Error),
    Incomplete(Error),
}

struct Run<'a, F: FnMut(&PromoteStep)> {
    promotion: &'a Promotion,
    report: PromoteReport,
    on_step: &'a mut F,
}

impl<F: FnMut(&PromoteStep)> Run<'_, F> {
    fn step(&mut self, kind: PromoteStepKind, status: PromoteStepStatus, detail: String) {
        tracing::info!(step = kind.as_str(), status = status.as_str(), %detail, "promote");
        let step = PromoteStep {
            kind,
            status,
            detail,
        };
        (self.on_step)(&step);
        self.report.steps.push(step);
    }

    fn done(&mut self, kind: PromoteStepKind, detail: String) {
        self.step(kind, PromoteStepStatus::Done, detail);
    }

    /// Records a failed step and stops with its error (with the report
    /// once the import is applied).
    fn read_failed(&mut self, kind: PromoteStepKind, error: Error) -> Stop {
        self.step(kind, PromoteStepStatus::Failed, error.to_string());
        if self.report.import.is_some() {
            Stop::Incomplete(error)
        } else {
            Stop::Error(error)
        }
    }

    /// Records a failed write (failed, or outcome unknown) and stops.
    fn write_failed(&mut self, kind: PromoteStepKind, error: Error) -> Stop {
        if outcome_unknown(&error) {
            self.step(
                kind,
                PromoteStepStatus::Unknown,
                format!("the request was sent but its answer was lost or unreadable, so the change may have been applied: {error}"),
            );
            Stop::Incomplete(error)
        } else {
            self.read_failed(kind, error)
        }
    }

    async fn checks_and_import(&mut self) -> Result<(), Stop> {
        let p = self.promotion;
        let dry_run = p.dry_run;

        // 1. The source version: found, or the latest one (dry run), or to create.
        let (found, latest) = match find_version(&p.source, p.project_id, &p.version).await {
            Ok(found) => found,
            Err(error) => return Err(self.read_failed(PromoteStepKind::SourceVersion, error)),
        };
        let to_read: Option<ProjectVersionResponse> = match (found, latest) {
            (Some(version), _) => {
                self.done(
                    PromoteStepKind::SourceVersion,
                    format!(
                        "version {} of project {} exists ({:?}); reusing it",
                        version.version_number, p.project_id, version.title
                    ),
                );
                Some(version)
            }
            (None, Some(latest)) if dry_run => {
                self.done(
                    PromoteStepKind::SourceVersion,
                    format!(
                        "version {} of project {} does not exist yet (a real run creates it); this dry run reads the latest version, {}, instead",
                        p.version, p.project_id, latest.version_number
                    ),
                );
                Some(latest)
            }
            (None, None) if dry_run => {
                self.step(
                    PromoteStepKind::SourceVersion,
                    PromoteStepStatus::Failed,
                    format!(
                        "project {} has no version to read (a real run creates version {}), so this dry run cannot check the import",
                        p.project_id, p.version
                    ),
                );
                None
            }
            (None, _) => {
                self.done(
                    PromoteStepKind::SourceVersion,
                    format!(
                        "version {} of project {} does not exist yet; it is created after the checks",
                        p.version, p.project_id
                    ),
                );
                None
            }
        };

        // 2. The destination project (and whether it has the version).
        let destination_existing =
            match find_version(&p.destination, p.destination_project_id, &p.version).await {
                Ok((found, _)) => found,
                Err(error) => {
                    return Err(self.read_failed(PromoteStepKind::DestinationProject, error));
                }
            };
        self.done(
            PromoteStepKind::DestinationProject,
            match &destination_existing {
                Some(_) => format!(
                    "project {} exists and already has version {} (kept)",
                    p.destination_project_id, p.version
                ),
                None => format!(
                    "project {} exists; version {} is created there after the import",
                    p.destination_project_id, p.version
                ),
            },
        );

        // 3. The solution, before anything is written.
        if let Some(solution) = p.publish_solution {
            match p.destination.solutions().release_preview(solution).await {
                Ok(preview) => self.done(
                    PromoteStepKind::SolutionCheck,
                    format!(
                        "solution {solution} exists (its draft now: breaking changes: {}); released after the import",
                        yes_no(preview.breaking_changes)
                    ),
                ),
                Err(error) => return Err(self.read_failed(PromoteStepKind::SolutionCheck, error)),
            }
        }

        // 4. Create the source version (real runs only).
        let source_version = match to_read {
            Some(version) => version,
            None if dry_run => {
                self.done(
                    PromoteStepKind::DryRun,
                    "stopped before the export: nothing was written".to_owned(),
                );
                return Ok(());
            }
            None => {
                let title = p
                    .title
                    .clone()
                    .unwrap_or_else(|| format!("Version {}", p.version));
                match p
                    .source
                    .projects()
                    .create_version(p.project_id, &p.version)
                    .title(title)
                    .set_description(p.description.clone())
                    .await
                {
                    Ok(version) => {
                        self.report.source_version_created = true;
                        self.done(
                            PromoteStepKind::CreateSourceVersion,
                            format!(
                                "created version {} of project {}",
                                version.version_number, p.project_id
                            ),
                        );
                        version
                    }
                    Err(error) => {
                        return Err(self.write_failed(PromoteStepKind::CreateSourceVersion, error));
                    }
                }
            }
        };
        let exported_version = source_version.version_number.clone();
        self.report.source_version = Some(source_version);

        // 5. Export.
        let export = match p
            .source
            .projects()
            .export(p.project_id, &exported_version)
            .await
        {
            Ok(export) => export,
            Err(error) => return Err(self.read_failed(PromoteStepKind::Export, error)),
        };
        self.done(
            PromoteStepKind::Export,
            format!(
                "exported version {exported_version} ({} top-level keys)",
                export.len()
            ),
        );

        // 6. Requirements.
        let input = crate::ImportInput::new(export).with_options(p.options.clone());
        let requirements = match p
            .destination
            .projects()
            .import_requirements(p.destination_project_id, &input)
            .await
        {
            Ok(requirements) => requirements,
            Err(error) => return Err(self.read_failed(PromoteStepKind::Requirements, error)),
        };
        // Tray's flag decides; the list names what no resolution covers.
        let flagged = requirements.unresolved_authentications;
        let unresolved: Vec<UnresolvedAuthentication> = requirements
            .authentications_requirements
            .iter()
            .filter(|_| flagged)
            .filter(|r| {
                r.resolved_authentication.is_none() && !p.options.resolves(&r.auth_export_id)
            })
            .map(|r| UnresolvedAuthentication {
                auth_export_id: r.auth_export_id.clone(),
                title: r.title.clone(),
                service_name: r.service.name.clone(),
                service_version: r.service.version.clone(),
            })
            .collect();
        let total = requirements.authentications_requirements.len();
        let new_config_keys = requirements.new_config_keys;
        self.report.requirements = Some(requirements);
        if !unresolved.is_empty() {
            self.step(
                PromoteStepKind::Requirements,
                PromoteStepStatus::Failed,
                format!(
                    "{total} authentication(s) required, {} unresolved: {}",
                    unresolved.len(),
                    unresolved
                        .iter()
                        .map(|a| a.auth_export_id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            if dry_run {
                self.report.unresolved_authentications = unresolved;
                self.done(
                    PromoteStepKind::DryRun,
                    "stopped at the unresolved authentications (no preview without them): nothing was written".to_owned(),
                );
                return Ok(());
            }
            // Returned as is, even when the source version was just created
            // (harmless: a new run reuses it; the steps said so).
            return Err(Stop::Error(Error::UnresolvedAuthentications {
                list: unresolved,
            }));
        }
        self.done(
            PromoteStepKind::Requirements,
            format!(
                "{total} authentication(s) required, all resolved; new config keys: {new_config_keys}"
            ),
        );

        // 7. Preview.
        let preview = match p
            .destination
            .projects()
            .import_preview(p.destination_project_id, &input)
            .await
        {
            Ok(preview) => preview,
            Err(error) => return Err(self.read_failed(PromoteStepKind::Preview, error)),
        };
        let impact = &preview.project_impact;
        self.done(
            PromoteStepKind::Preview,
            format!(
                "config: {} created, {} updated, {} removed; workflows: {} created, {} updated, {} removed",
                impact.config.created.len(),
                impact.config.updated.len(),
                impact.config.removed.len(),
                impact.workflows.created.len(),
                impact.workflows.updated.len(),
                impact.workflows.removed.len()
            ),
        );
        self.report.preview = Some(preview);

        // 8. A dry run stops here.
        if dry_run {
            self.done(
                PromoteStepKind::DryRun,
                "stopped after the preview: nothing was written".to_owned(),
            );
            return Ok(());
        }

        // 9. Import.
        let import = match p
            .destination
            .projects()
            .import(p.destination_project_id, &input)
            .await
        {
            Ok(import) => import,
            Err(error) => return Err(self.write_failed(PromoteStepKind::Import, error)),
        };
        drop(input);
        let workflows = &import.project_impact.workflows;
        self.done(
            PromoteStepKind::Import,
            format!(
                "imported into project {}: workflows {} created, {} updated, {} removed",
                p.destination_project_id,
                workflows.created.len(),
                workflows.updated.len(),
                workflows.removed.len()
            ),
        );
        self.report.import = Some(import);

        // 10. Destination version.
        let destination_version = match destination_existing {
            Some(version) => {
                self.done(
                    PromoteStepKind::DestinationVersion,
                    format!("version {} already exists; kept", version.version_number),
                );
                version
            }
            None => {
                let source = self.report.source_version.as_ref();
                let title =
                    source.map_or_else(|| format!("Version {}", p.version), |v| v.title.clone());
                let description = source
                    .map(|v| v.description.clone())
                    .filter(|d| !d.is_empty())
                    .or_else(|| p.description.clone());
                match p
                    .destination
                    .projects()
                    .create_version(p.destination_project_id, &p.version)
                    .title(title)
                    .set_description(description)
                    .await
                {
                    Ok(version) => {
                        self.report.destination_version_created = true;
                        self.done(
                            PromoteStepKind::DestinationVersion,
                            format!(
                                "created version {} of project {}",
                                version.version_number, p.destination_project_id
                            ),
                        );
                        version
                    }
                    Err(error) => {
                        return Err(self.write_failed(PromoteStepKind::DestinationVersion, error));
                    }
                }
            }
        };
        self.report.destination_version = Some(destination_version);

        // 11. Solution release.
        if let Some(solution) = p.publish_solution {
            let preview = match p.destination.solutions().release_preview(solution).await {
                Ok(preview) => preview,
                Err(error) => return Err(self.read_failed(PromoteStepKind::ReleasePreview, error)),
            };
            self.done(
                PromoteStepKind::ReleasePreview,
                format!(
                    "solution {solution}: breaking changes: {}, new user input: {}, new system input: {}",
                    yes_no(preview.breaking_changes),
                    yes_no(preview.requires_new_user_input),
                    yes_no(preview.requires_new_system_input)
                ),
            );
            self.report.release_preview = Some(preview);
            let release = match p.destination.solutions().release(solution).await {
                Ok(release) => release,
                Err(error) => return Err(self.write_failed(PromoteStepKind::Release, error)),
            };
            self.done(
                PromoteStepKind::Release,
                format!(
                    "published solution {solution}{}",
                    release
                        .release_id
                        .map(|id| format!(" (release {id})"))
                        .unwrap_or_default()
                ),
            );
            self.report.release = Some(release);
        }
        Ok(())
    }
}

/// The version numbered `version` of a project, else its latest version
/// (the last listed), listing its versions.
async fn find_version(
    client: &Client,
    project_id: Uuid,
    version: &str,
) -> Result<(
    Option<ProjectVersionResponse>,
    Option<ProjectVersionResponse>,
)> {
    let mut versions = client.projects().versions(project_id).stream();
    let mut latest = None;
    while let Some(candidate) = versions.try_next().await? {
        if candidate.version_number == version {
            return Ok((Some(candidate), None));
        }
        latest = Some(candidate);
    }
    Ok((None, latest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_kinds_have_distinct_names() {
        use PromoteStepKind as K;
        let all = [
            K::SourceVersion,
            K::DestinationProject,
            K::SolutionCheck,
            K::CreateSourceVersion,
            K::Export,
            K::Requirements,
            K::Preview,
            K::DryRun,
            K::Import,
            K::DestinationVersion,
            K::ReleasePreview,
            K::Release,
        ];
        let mut names: Vec<&str> = all.iter().map(|k| k.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
        for kind in all {
            let json = serde_json::to_value(kind).unwrap_or_default();
            assert_eq!(json, kind.as_str().replace(' ', "_"));
        }
    }
}
