//! `tray project version|export|import|promote`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use futures::TryStreamExt;
use serde_json::{Map, Value, json};
use tray_api::promote::{
    PromoteReport, PromoteStep, PromoteStepKind, PromoteStepStatus, Promotion,
};
use tray_api::types::ProjectImportPreviewResponse;
use tray_api::{AuthResolution, ConnectorMapping, ImportInput, ServiceMapping};
use uuid::Uuid;

use crate::cli::{
    ImportApply, ImportArgs, ImportPreview, ImportRequirements, MappingArgs, ProjectExport,
    PromoteArgs, VersionCreate, VersionList,
};
use crate::context::Context;
use crate::failure::{CmdResult, Failure};
use crate::output::Printer;
use crate::table::yes_no;

/// `[created, updated, removed]`: the counts of a list of changes (config
/// or workflows, which the spec gives types of their own).
macro_rules! counts {
    ($changes:expr) => {
        [
            $changes.created.len(),
            $changes.updated.len(),
            $changes.removed.len(),
        ]
    };
}

impl VersionCreate {
    /// `tray project version create`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        let Self {
            project_id,
            version,
            title,
            description,
        } = self;
        if title.trim().is_empty() {
            return Err(Failure::usage("--title must not be empty"));
        }
        let client = ctx.client().await?;
        let created = client
            .projects()
            .create_version(project_id, version)
            .title(title)
            .set_description(description)
            .await?;
        ctx.printer.line(format!(
            "Created version {} of project {}: {}",
            created.version_number, created.project_id, created.title
        ))?;
        ctx.printer.json(&created)
    }
}

impl VersionList {
    /// `tray project version list`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        let Self {
            project_id,
            limit,
            reverse,
        } = self;
        let client = ctx.client().await?;
        let limit = limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
        // Tray documents no order for its pages, so every page is read and the
        // versions sorted here (stable: the same instant keeps Tray's order).
        let mut versions: Vec<_> = client
            .projects()
            .versions(project_id)
            .stream()
            .try_collect()
            .await?;
        versions.sort_by_key(|v| v.created);
        if !reverse {
            versions.reverse();
        }
        versions.truncate(limit);
        if versions.is_empty() {
            ctx.printer
                .line(format!("Project {project_id} has no versions"))?;
        } else {
            let rows: Vec<Vec<String>> = versions
                .iter()
                .map(|v| {
                    vec![
                        v.version_number.clone(),
                        v.created.format("%Y-%m-%d %H:%M:%SZ").to_string(),
                        v.title.clone(),
                        v.creator.clone(),
                    ]
                })
                .collect();
            for line in crate::table::lines(&["VERSION", "CREATED", "TITLE", "CREATOR"], &rows) {
                ctx.printer.line(line)?;
            }
        }
        ctx.printer.json(&versions)
    }
}

impl ProjectExport {
    /// `tray project export`: to stdout (no `--out`, `--out -`, or a path that
    /// is this process's stdout), else to the file `--out` names (atomically,
    /// following symbolic links; devices and FIFOs written straight through).
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        let Self {
            project_id,
            version,
            out,
        } = self;
        let client = ctx.client().await?;
        match out.filter(|path| !is_stdout(path)) {
            Some(path) => {
                let bytes = client
                    .projects()
                    .export_to_file(project_id, &version, &path)
                    .await?;
                ctx.printer.line(format!(
                    "Exported version {version} of project {project_id} to {} ({bytes} bytes)",
                    path.display()
                ))?;
                ctx.printer.json(&json!({
                    "projectId": project_id, "versionNumber": version,
                    "file": path.display().to_string(), "bytes": bytes,
                }))
            }
            None => {
                // The export document is the output in both modes. It goes
                // through a temporary file (checked whole, then copied), so a
                // cut-off or malformed export never reaches stdout.
                let dir = tempfile::tempdir()
                    .map_err(|e| Failure::usage(format!("cannot create a temporary file: {e}")))?;
                let file = dir.path().join("export.json");
                client
                    .projects()
                    .export_to_file(project_id, &version, &file)
                    .await?;
                // The request succeeded: a failure from here on is not a usage error.
                let mut text = std::fs::read(&file).map_err(|e| {
                    Failure::new(
                        crate::failure::API,
                        format!("cannot read the export back: {e}"),
                    )
                })?;
                text.push(b'\n');
                ctx.printer.document(text)
            }
        }
    }
}

/// Whether `--out PATH` means stdout: `-`, or a path naming the file this
/// process's stdout is (`/dev/stdout`, `/dev/fd/1`, or the file stdout is
/// redirected to), so the export is checked whole before it is printed and
/// no result line is mixed into it.
fn is_stdout(path: &Path) -> bool {
    if path.as_os_str() == "-" {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::MetadataExt;
        let stdout = std::io::stdout()
            .as_fd()
            .try_clone_to_owned()
            .map(std::fs::File::from)
            .and_then(|file| file.metadata());
        if let (Ok(stdout), Ok(target)) = (stdout, std::fs::metadata(path)) {
            return stdout.dev() == target.dev() && stdout.ino() == target.ino();
        }
    }
    false
}

/// The exported project document of `--export FILE`.
fn read_export(path: &Path) -> CmdResult<Map<String, Value>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read export file {}: {e}", path.display())))?;
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Failure::usage(format!(
            "{} is not a JSON object (a project export)",
            path.display()
        ))),
        Err(e) => Err(Failure::usage(format!(
            "{} is not valid JSON: {e}",
            path.display()
        ))),
    }
}

/// The parsed mapping options; every error is local (exit 2).
struct Mappings {
    connectors: Vec<ConnectorMapping>,
    services: Vec<ServiceMapping>,
    auths: Vec<AuthResolution>,
    config: Option<Map<String, Value>>,
}

impl Mappings {
    fn parse(mapping: &MappingArgs) -> CmdResult<Self> {
        let connectors = mapping
            .connector_map
            .iter()
            .map(|t| t.parse::<ConnectorMapping>())
            .collect::<Result<_, _>>()?;
        let services = mapping
            .service_map
            .iter()
            .map(|t| t.parse::<ServiceMapping>())
            .collect::<Result<_, _>>()?;
        let auths = mapping
            .auth
            .iter()
            .map(|t| t.parse::<AuthResolution>())
            .collect::<Result<_, _>>()?;
        let config = match &mapping.config_override {
            None => None,
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    Failure::usage(format!(
                        "cannot read config override file {}: {e}",
                        path.display()
                    ))
                })?;
                match serde_json::from_str::<Value>(&text) {
                    Ok(Value::Object(map)) => Some(map),
                    _ => {
                        return Err(Failure::usage(format!(
                            "{} must hold a JSON object of config keys and values",
                            path.display()
                        )));
                    }
                }
            }
        };
        Ok(Self {
            connectors,
            services,
            auths,
            config,
        })
    }

    fn into_input(self, export: Map<String, Value>) -> ImportInput {
        let input = ImportInput::new(export)
            .connector_mappings(self.connectors)
            .service_mappings(self.services)
            .auth_resolutions(self.auths);
        match self.config {
            Some(config) => input.config_override(config),
            None => input,
        }
    }

    fn into_promotion(self, promotion: Promotion) -> Promotion {
        let promotion = promotion
            .connector_mappings(self.connectors)
            .service_mappings(self.services)
            .auth_resolutions(self.auths);
        match self.config {
            Some(config) => promotion.config_override(config),
            None => promotion,
        }
    }
}

fn import_input(args: &ImportArgs) -> CmdResult<ImportInput> {
    let mappings = Mappings::parse(&args.mapping)?;
    Ok(mappings.into_input(read_export(&args.export)?))
}

impl ImportRequirements {
    /// `tray project import requirements`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        let Self { args } = self;
        let input = import_input(&args)?;
        let client = ctx.client().await?;
        let needs = client
            .projects()
            .import_requirements(args.dest_project_id, &input)
            .await?;
        let printer = ctx.printer;
        printer.line(format!(
            "Authentications: {} ({} unresolved); new config keys: {}",
            needs.authentications_requirements.len(),
            needs
                .authentications_requirements
                .iter()
                .filter(|a| a.resolved_authentication.is_none())
                .count(),
            yes_no(needs.new_config_keys)
        ))?;
        for auth in &needs.authentications_requirements {
            match &auth.resolved_authentication {
                Some(resolved) => printer.line(format!(
                    "  {} ({} {}): resolved to {} ({})",
                    auth.auth_export_id,
                    auth.service.name,
                    auth.service.version,
                    resolved.id,
                    resolved.title
                ))?,
                None => printer.line(format!(
                    "  {} ({} {}): UNRESOLVED, pass --auth {}=<authentication uuid>",
                    auth.auth_export_id,
                    auth.service.name,
                    auth.service.version,
                    auth.auth_export_id
                ))?,
            }
        }
        printer.json(&needs)
    }
}

impl ImportPreview {
    /// `tray project import preview`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        let Self { args } = self;
        let input = import_input(&args)?;
        let client = ctx.client().await?;
        let preview = client
            .projects()
            .import_preview(args.dest_project_id, &input)
            .await?;
        let impact = &preview.project_impact;
        print_changes(
            ctx.printer,
            "would",
            counts!(impact.config),
            counts!(impact.workflows),
        )?;
        if let Some(solution) = &preview.solution_impact {
            ctx.printer.line(format!(
                "solution: {} (breaking changes: {})",
                solution.change_type,
                yes_no(solution.breaking_changes)
            ))?;
        }
        ctx.printer.json(&preview)
    }
}

fn print_changes(
    printer: Printer,
    verb: &str,
    config: [usize; 3],
    workflows: [usize; 3],
) -> CmdResult {
    printer.line(format!(
        "config: {verb} create {}, update {}, remove {}; workflows: {verb} create {}, update {}, remove {}",
        config[0], config[1], config[2], workflows[0], workflows[1], workflows[2]
    ))
}

impl ImportApply {
    /// `tray project import apply`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        let Self { args, yes } = self;
        let input = import_input(&args)?;
        if !yes {
            require_terminal("import", "pass --yes to import from a script")?;
        }
        let client = ctx.client().await?;
        if !yes {
            // On a terminal: what will change, then the question.
            let preview = client
                .projects()
                .import_preview(args.dest_project_id, &input)
                .await?;
            eprint!("{}", preview_summary(args.dest_project_id, &preview));
            ask(&format!("Import into project {}?", args.dest_project_id))?;
        }
        let imported = client
            .projects()
            .import(args.dest_project_id, &input)
            .await
            .map_err(|error| {
                let failure = Failure::from_ref(&error);
                if error.outcome_unknown() {
                    failure.with_hint(format!(
                        "the import may have been applied: `tray project import preview {} --export {}` shows nothing left to change if it was",
                        args.dest_project_id,
                        args.export.display()
                    ))
                } else {
                    failure
                }
            })?;
        let impact = &imported.project_impact;
        ctx.printer.line(format!(
            "Imported {} into project {}",
            imported.import_metadata.imported_from.project_name,
            imported.import_metadata.project_id
        ))?;
        print_changes(
            ctx.printer,
            "did",
            counts!(impact.config),
            counts!(impact.workflows),
        )?;
        ctx.printer.json(&imported)
    }
}

/// What an import will change, for the confirmation prompt (on stderr).
fn preview_summary(dest: Uuid, preview: &ProjectImportPreviewResponse) -> String {
    let impact = &preview.project_impact;
    let names = |list: Vec<&str>| {
        if list.is_empty() {
            String::new()
        } else {
            format!(" ({})", list.join(", "))
        }
    };
    let mut text = format!(
        "The import into project {dest} ({}) will change:\n  config: create {}, update {}, remove {}\n  workflows: create {}{}, update {}{}, remove {}{}\n",
        preview.import_metadata.project_name,
        impact.config.created.len(),
        impact.config.updated.len(),
        impact.config.removed.len(),
        impact.workflows.created.len(),
        names(
            impact
                .workflows
                .created
                .iter()
                .map(|w| w.name.as_str())
                .collect()
        ),
        impact.workflows.updated.len(),
        names(
            impact
                .workflows
                .updated
                .iter()
                .map(|w| w.name.as_str())
                .collect()
        ),
        impact.workflows.removed.len(),
        names(
            impact
                .workflows
                .removed
                .iter()
                .map(|w| w.name.as_str())
                .collect()
        ),
    );
    if let Some(solution) = &preview.solution_impact {
        text.push_str(&format!(
            "  solution: {} (breaking changes: {}, new user input: {}, new system input: {})\n",
            solution.change_type,
            yes_no(solution.breaking_changes),
            yes_no(solution.requires_new_user_input),
            yes_no(solution.requires_new_system_input)
        ));
    }
    text
}

/// Refuse (exit 2, before any request) to `what` without `--yes` when
/// stdin is not a terminal.
fn require_terminal(what: &str, hint: &str) -> CmdResult {
    if std::io::stdin().is_terminal() {
        Ok(())
    } else {
        Err(Failure::usage(format!(
            "refusing to {what} without confirmation: stdin is not a terminal"
        ))
        .with_hint(hint))
    }
}

/// Ask on the terminal; anything but yes cancels (exit 2).
fn ask(question: &str) -> CmdResult {
    eprint!("{question} [y/N] ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::usage(format!("cannot read the answer: {e}")))?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        Err(Failure::usage("cancelled: nothing was changed"))
    }
}

impl PromoteArgs {
    /// `tray project promote`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        let args = self;
        let mappings = Mappings::parse(&args.mapping)?;
        let confirm = !args.dry_run && !args.yes;
        if confirm {
            require_terminal(
                "promote",
                "pass --yes to promote from a script, or --dry-run to only check",
            )?;
        }
        // Each side is its profile, else the global options (one region and
        // token serve both projects of the same account).
        let source = match args.from.as_deref() {
            Some(profile) => ctx.client_for(Some(profile)).await?,
            None => ctx.client().await?,
        };
        let destination = match args.to.as_deref() {
            Some(profile) => ctx.client_for(Some(profile)).await?,
            None => ctx.client().await?,
        };
        let printer = ctx.printer;
        let mut promotion = Promotion::from(&source, args.project_id, args.version.clone())
            .to(&destination, args.dest_project);
        if let Some(title) = &args.title {
            promotion = promotion.title(title);
        }
        if let Some(solution) = args.publish_solution {
            promotion = promotion.publish_solution(solution);
        }
        promotion = mappings.into_promotion(promotion);

        if confirm {
            // On a terminal: check everything (writing nothing), show what will
            // change, then ask.
            let mut last = None;
            let plan = promotion
                .clone()
                .dry_run(true)
                .run_with(|step| {
                    last = Some(step.kind);
                    printer.event(step_line(step));
                })
                .await
                .map_err(|error| promote_failure(&args, last, &error))?;
            match plan.failed_step() {
                // A project without any version: nothing to preview, but a
                // real run creates the version first.
                Some(step) if step.kind == PromoteStepKind::SourceVersion => {
                    eprintln!(
                        "The import cannot be previewed before version {} exists.",
                        args.version
                    );
                }
                Some(_) => {
                    print_promotion(printer, &plan)?;
                    return Err(dry_run_failure(&args, &plan));
                }
                None => {}
            }
            if let Some(preview) = &plan.preview {
                eprint!("{}", preview_summary(args.dest_project, preview));
            }
            if let Some(read) = plan
                .source_version
                .as_ref()
                .filter(|v| v.version_number != args.version)
            {
                eprintln!(
                    "  (previewed from version {}: version {} does not exist yet and is created from the project's current state)",
                    read.version_number, args.version
                );
            }
            ask(&format!(
                "Promote version {} of project {} into project {}?",
                args.version, args.project_id, args.dest_project
            ))?;
        }

        let mut last = None;
        let result = promotion
            .dry_run(args.dry_run)
            .run_with(|step| {
                last = Some(step.kind);
                printer.event(step_line(step));
            })
            .await;
        match result {
            Ok(report) => {
                print_promotion(printer, &report)?;
                if report.failed_step().is_some() {
                    return Err(dry_run_failure(&args, &report));
                }
                Ok(())
            }
            Err(error) => {
                // Failed after a write: say what was done before the error.
                if let tray_api::Error::PromotionIncomplete { report, .. } = &error {
                    print_promotion(printer, report)?;
                }
                Err(promote_failure(&args, last, &error))
            }
        }
    }
}

/// One progress line: `import  imported into project …`.
fn step_line(step: &PromoteStep) -> String {
    match step.status {
        PromoteStepStatus::Done => format!("{}  {}", step.kind, step.detail),
        status => format!("{} ({status})  {}", step.kind, step.detail),
    }
}

/// The `--auth` flags that resolve `list`, as the user types them.
fn auth_flags(list: &[tray_api::UnresolvedAuthentication]) -> String {
    list.iter()
        .map(|a| format!("--auth {}=<uuid>", a.auth_export_id))
        .collect::<Vec<_>>()
        .join(" ")
}

fn unresolved_failure(list: &[tray_api::UnresolvedAuthentication], dry_run: bool) -> Failure {
    Failure {
        code: crate::failure::API,
        message: format!(
            "{}the import needs authentications the destination does not resolve: {}",
            if dry_run { "dry run: " } else { "" },
            list.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ),
        hint: Some(format!(
            "add {} (each UUID: an authentication of the destination project)",
            auth_flags(list)
        )),
        error: None,
    }
}

/// The failure of a dry run whose checks did not all pass (exit 1).
fn dry_run_failure(args: &PromoteArgs, report: &PromoteReport) -> Failure {
    if !report.unresolved_authentications.is_empty() {
        return unresolved_failure(&report.unresolved_authentications, true);
    }
    let detail = report
        .failed_step()
        .map_or_else(String::new, ToString::to_string);
    Failure {
        code: crate::failure::API,
        message: format!("dry run: the promotion cannot be checked: {detail}"),
        hint: Some(format!(
            "create a version first: tray project version create {} {} --title TITLE",
            args.project_id, args.version
        )),
        error: None,
    }
}

/// The failure of a promotion, naming what the user gave and how to check
/// a write whose outcome is unknown.
fn promote_failure(
    args: &PromoteArgs,
    last: Option<PromoteStepKind>,
    error: &tray_api::Error,
) -> Failure {
    let failure = Failure::from_ref(error);
    if let tray_api::Error::UnresolvedAuthentications { list } = error {
        return unresolved_failure(list, false);
    }
    let not_found = matches!(error, tray_api::Error::NotFound(_));
    let (src, dest, version) = (args.project_id, args.dest_project, &args.version);
    match (last, error) {
        (Some(PromoteStepKind::SourceVersion), _) if not_found => Failure {
            message: format!("source project {src}: not found (HTTP 404)"),
            hint: Some("check PROJECT_ID and the source (--from, --region, --base-url)".into()),
            ..failure
        },
        (Some(PromoteStepKind::DestinationProject), _) if not_found => Failure {
            message: format!(
                "destination project {dest}: not found (HTTP 404); nothing was written"
            ),
            hint: Some(
                "check --dest-project and the destination (--to, --region, --base-url)".into(),
            ),
            ..failure
        },
        (Some(PromoteStepKind::SolutionCheck), _) if not_found => Failure {
            message: format!(
                "solution {}: not found at the destination (HTTP 404); nothing was written",
                args.publish_solution
                    .map(|s| s.to_string())
                    .unwrap_or_default()
            ),
            hint: Some(format!(
                "check --publish-solution: it must be the solution embedding project {dest}"
            )),
            ..failure
        },
        (_, tray_api::Error::PromotionIncomplete { report, .. }) => {
            let hint = match report.unknown_step().map(|s| s.kind) {
                Some(PromoteStepKind::CreateSourceVersion) => Some(format!(
                    "check with `tray project version list {src}`; running the promotion again reuses the version"
                )),
                Some(PromoteStepKind::Import) => Some(format!(
                    "check with `tray project promote {src} {version} --dest-project {dest} --dry-run` (a preview with nothing left to change means it was applied); running the promotion again is safe"
                )),
                Some(PromoteStepKind::DestinationVersion) => Some(format!(
                    "check with `tray project version list {dest}`; running the promotion again keeps the version"
                )),
                Some(PromoteStepKind::Release) => Some(format!(
                    "check with `tray solution release preview {}` (no changes left means it was published)",
                    args.publish_solution
                        .map(|s| s.to_string())
                        .unwrap_or_default()
                )),
                _ => failure.hint.clone(),
            };
            Failure { hint, ..failure }
        }
        _ => failure,
    }
}

fn print_promotion(printer: Printer, report: &PromoteReport) -> CmdResult {
    for step in &report.steps {
        let name = match step.status {
            PromoteStepStatus::Done => step.kind.to_string(),
            status => format!("{} ({status})", step.kind),
        };
        printer.line(format!("{name:<22} {}", step.detail))?;
    }
    printer.json(report)
}
