//! Promote a project version from one environment (or region) to another in
//! one call.
//!
//! Steps, in order (each recorded in the [`PromoteReport`]):
//!
//! 1. find the version at the source (listing its versions), or create it;
//! 2. export it;
//! 3. ask the destination for the import requirements; stop with
//!    [`Error::UnresolvedAuthentications`] if some authentication is neither
//!    resolved by Tray nor by a given resolution;
//! 4. preview the import (a dry run stops here);
//! 5. import;
//! 6. create the same version number in the destination project (kept if it
//!    already exists);
//! 7. with [`Promotion::publish_solution`]: preview the solution release,
//!    then publish it.

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

/// One step of a promotion.
///
/// ```
/// let step = tray_api::promote::PromoteStep { name: "export".into(), detail: "12 keys".into() };
/// assert_eq!(step.to_string(), "export: 12 keys");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PromoteStep {
    /// A short name (`"source version"`, `"export"`, `"import"`, ...).
    pub name: String,
    /// What happened.
    pub detail: String,
}

impl std::fmt::Display for PromoteStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.name, self.detail)
    }
}

/// What a promotion did. Serializes with camelCase keys.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PromoteReport {
    /// Stopped after the preview.
    pub dry_run: bool,
    /// Every step, in order.
    pub steps: Vec<PromoteStep>,
    /// The source version that was exported.
    pub source_version: ProjectVersionResponse,
    /// Whether this promotion created the source version.
    pub source_version_created: bool,
    /// The import requirements at the destination.
    pub requirements: PrepareProjectImportResponse,
    /// The import preview.
    pub preview: ProjectImportPreviewResponse,
    /// The import result (not for a dry run).
    pub import: Option<ProjectImportResponse>,
    /// The version at the destination (not for a dry run).
    pub destination_version: Option<ProjectVersionResponse>,
    /// Whether this promotion created the destination version.
    pub destination_version_created: bool,
    /// The solution release preview, when publishing.
    pub release_preview: Option<PublishSolutionImpact>,
    /// The solution release, when publishing.
    pub release: Option<PublishSolutionImpact>,
}

/// A promotion of one project version from a source client to a
/// destination client (another environment, region or token).
///
/// ```no_run
/// # async fn run() -> Result<(), tray_api::Error> {
/// use tray_api::{promote::Promotion, Client, Region};
/// let staging = Client::builder().region(Region::Us).token("staging-token").build()?;
/// let production = Client::builder().region(Region::Eu).token("prod-token").build()?;
/// let source = uuid::Uuid::parse_str("6f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap();
/// let destination = uuid::Uuid::parse_str("7f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap();
/// let report = Promotion::new(staging, production, source, "3", destination)
///     .title("Release 3")
///     .auth_resolution("slack-auth", uuid::Uuid::nil())
///     .dry_run(true)
///     .run()
///     .await?;
/// for step in &report.steps {
///     println!("{step}");
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

impl Promotion {
    /// Promote version `version` of project `project_id` at `source` into
    /// project `destination_project_id` at `destination`.
    ///
    /// ```
    /// # let client = tray_api::Client::builder().build().unwrap();
    /// let promotion = tray_api::promote::Promotion::new(
    ///     client.clone(), client, uuid::Uuid::nil(), "1", uuid::Uuid::nil(),
    /// );
    /// # let _ = promotion;
    /// ```
    pub fn new(
        source: Client,
        destination: Client,
        project_id: Uuid,
        version: &str,
        destination_project_id: Uuid,
    ) -> Self {
        Self {
            source,
            destination,
            project_id,
            version: version.to_owned(),
            destination_project_id,
            title: None,
            description: None,
            options: ImportOptions::default(),
            dry_run: false,
            publish_solution: None,
        }
    }

    /// Title of the version when it has to be created (default
    /// `"Version <n>"`).
    ///
    /// ```
    /// # let client = tray_api::Client::builder().build().unwrap();
    /// # let p = tray_api::promote::Promotion::new(client.clone(), client, uuid::Uuid::nil(), "1", uuid::Uuid::nil());
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
    /// # let p = tray_api::promote::Promotion::new(client.clone(), client, uuid::Uuid::nil(), "1", uuid::Uuid::nil());
    /// let p = p.description("Adds the EU workflows");
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    import_option_setters!(
        "# let client = tray_api::Client::builder().build().unwrap();\nlet x = tray_api::promote::Promotion::new(client.clone(), client, uuid::Uuid::nil(), \"1\", uuid::Uuid::nil());"
    );

    /// Stop after the import preview (nothing changes at the destination;
    /// the source version is still created if missing).
    ///
    /// ```
    /// # let client = tray_api::Client::builder().build().unwrap();
    /// # let p = tray_api::promote::Promotion::new(client.clone(), client, uuid::Uuid::nil(), "1", uuid::Uuid::nil());
    /// let p = p.dry_run(true);
    /// ```
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// After the import, preview and publish a release of this embedded
    /// solution at the destination.
    ///
    /// ```
    /// # let client = tray_api::Client::builder().build().unwrap();
    /// # let p = tray_api::promote::Promotion::new(client.clone(), client, uuid::Uuid::nil(), "1", uuid::Uuid::nil());
    /// let p = p.publish_solution(Some(uuid::Uuid::nil()));
    /// ```
    pub fn publish_solution(mut self, solution_id: Option<Uuid>) -> Self {
        self.publish_solution = solution_id;
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
        if self.version.trim().is_empty() {
            return Err(Error::local("the version number is empty"));
        }
        let mut steps = Vec::new();
        let mut step = |name: &str, detail: String| {
            tracing::info!(step = name, %detail, "promote");
            steps.push(PromoteStep {
                name: name.to_owned(),
                detail,
            });
        };

        // 1. Source version: reuse or create.
        let existing = find_version(&self.source, self.project_id, &self.version).await?;
        let (source_version, source_version_created) = match existing {
            Some(version) => {
                step(
                    "source version",
                    format!(
                        "version {} of project {} exists ({:?}); reusing it",
                        version.version_number, self.project_id, version.title
                    ),
                );
                (version, false)
            }
            None => {
                let title = self
                    .title
                    .clone()
                    .unwrap_or_else(|| format!("Version {}", self.version));
                let version = self
                    .source
                    .projects()
                    .create_version(
                        self.project_id,
                        &self.version,
                        &title,
                        self.description.as_deref(),
                    )
                    .await?;
                step(
                    "source version",
                    format!(
                        "created version {} of project {}",
                        version.version_number, self.project_id
                    ),
                );
                (version, true)
            }
        };

        // 2. Export.
        let export = self
            .source
            .projects()
            .export(self.project_id, &self.version)
            .await?;
        step(
            "export",
            format!(
                "exported version {} ({} top-level keys)",
                self.version,
                export.len()
            ),
        );

        // 3. Requirements.
        let input = crate::ImportInput::new(export).with_options(self.options.clone());
        let requirements = self
            .destination
            .projects()
            .import_requirements(self.destination_project_id, &input)
            .await?;
        let unresolved: Vec<UnresolvedAuthentication> = requirements
            .authentications_requirements
            .iter()
            .filter(|r| {
                r.resolved_authentication.is_none() && !self.options.resolves(&r.auth_export_id)
            })
            .map(|r| UnresolvedAuthentication {
                auth_export_id: r.auth_export_id.clone(),
                title: r.title.clone(),
                service_name: r.service.name.clone(),
                service_version: r.service.version.clone(),
            })
            .collect();
        if requirements.unresolved_authentications && !unresolved.is_empty() {
            return Err(Error::UnresolvedAuthentications { list: unresolved });
        }
        step(
            "requirements",
            format!(
                "{} authentication(s) required, all resolved; new config keys: {}",
                requirements.authentications_requirements.len(),
                requirements.new_config_keys
            ),
        );

        // 4. Preview.
        let preview = self
            .destination
            .projects()
            .import_preview(self.destination_project_id, &input)
            .await?;
        let workflows = &preview.project_impact.workflows;
        step(
            "preview",
            format!(
                "workflows: {} created, {} updated, {} removed",
                workflows.created.len(),
                workflows.updated.len(),
                workflows.removed.len()
            ),
        );

        let mut report = PromoteReport {
            dry_run: self.dry_run,
            steps: Vec::new(),
            source_version,
            source_version_created,
            requirements,
            preview,
            import: None,
            destination_version: None,
            destination_version_created: false,
            release_preview: None,
            release: None,
        };
        if self.dry_run {
            step(
                "dry run",
                "stopped after the preview; nothing imported".into(),
            );
            report.steps = steps;
            return Ok(report);
        }

        // 5. Import.
        let import = self
            .destination
            .projects()
            .import(self.destination_project_id, &input)
            .await?;
        drop(input);
        let workflows = &import.project_impact.workflows;
        step(
            "import",
            format!(
                "imported into project {}: workflows {} created, {} updated, {} removed",
                self.destination_project_id,
                workflows.created.len(),
                workflows.updated.len(),
                workflows.removed.len()
            ),
        );
        report.import = Some(import);

        // 6-7. Destination version and release. The import is applied, so
        // a failure from here on returns the report of what was done.
        if let Err(source) = self.after_import(&mut report, &mut step).await {
            report.steps = steps;
            return Err(Error::PromotionIncomplete {
                report: Box::new(report),
                source: Box::new(source),
            });
        }
        report.steps = steps;
        Ok(report)
    }

    /// The steps after the import: the destination version, then (when
    /// asked) the solution release.
    async fn after_import(
        &self,
        report: &mut PromoteReport,
        step: &mut impl FnMut(&str, String),
    ) -> Result<()> {
        // 6. Destination version.
        let existing = find_version(
            &self.destination,
            self.destination_project_id,
            &self.version,
        )
        .await?;
        let destination_version = match existing {
            Some(version) => {
                step(
                    "destination version",
                    format!("version {} already exists; kept", version.version_number),
                );
                version
            }
            None => {
                let description = Some(report.source_version.description.as_str())
                    .filter(|d| !d.is_empty())
                    .or(self.description.as_deref());
                let version = self
                    .destination
                    .projects()
                    .create_version(
                        self.destination_project_id,
                        &self.version,
                        &report.source_version.title,
                        description,
                    )
                    .await?;
                report.destination_version_created = true;
                step(
                    "destination version",
                    format!(
                        "created version {} of project {}",
                        version.version_number, self.destination_project_id
                    ),
                );
                version
            }
        };
        report.destination_version = Some(destination_version);

        // 7. Solution release.
        if let Some(solution) = self.publish_solution {
            let preview = self
                .destination
                .solutions()
                .release_preview(solution)
                .await?;
            step(
                "release preview",
                format!(
                    "solution {solution}: breaking changes: {}, new user input: {}, new system input: {}",
                    preview.breaking_changes,
                    preview.requires_new_user_input,
                    preview.requires_new_system_input
                ),
            );
            report.release_preview = Some(preview);
            let release = self.destination.solutions().release(solution).await?;
            step(
                "release",
                format!(
                    "published solution {solution}{}",
                    release
                        .release_id
                        .map(|id| format!(" (release {id})"))
                        .unwrap_or_default()
                ),
            );
            report.release = Some(release);
        }
        Ok(())
    }
}

async fn find_version(
    client: &Client,
    project_id: Uuid,
    version: &str,
) -> Result<Option<ProjectVersionResponse>> {
    let versions = client.projects().list_versions(project_id);
    let mut versions = std::pin::pin!(versions);
    while let Some(candidate) = versions.try_next().await? {
        if candidate.version_number == version {
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}
