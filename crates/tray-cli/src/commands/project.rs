//! `tray project version|export|import|promote`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use futures::TryStreamExt;
use serde_json::{Map, Value, json};
use tray_api::promote::Promotion;
use tray_api::{AuthResolution, ConnectorMapping, ImportInput, ServiceMapping};
use uuid::Uuid;

use crate::cli::{ImportArgs, MappingArgs};
use crate::context::Context;
use crate::failure::{CmdResult, Failure};
use crate::output::Printer;

/// `tray project version create`.
pub async fn create_version(
    ctx: &mut Context,
    project_id: Uuid,
    version: String,
    title: String,
    description: Option<String>,
) -> CmdResult {
    if title.trim().is_empty() {
        return Err(Failure::usage("--title must not be empty"));
    }
    let client = ctx.client().await?;
    let created = client
        .projects()
        .create_version(project_id, &version, &title, description.as_deref())
        .await?;
    ctx.printer.line(format!(
        "Created version {} of project {}: {}",
        created.version_number, created.project_id, created.title
    ));
    ctx.printer.json(&created)
}

/// `tray project version list`.
pub async fn list_versions(
    ctx: &mut Context,
    project_id: Uuid,
    limit: Option<u64>,
    reverse: bool,
) -> CmdResult {
    let client = ctx.client().await?;
    let limit = limit.map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    // Tray documents no order for its pages, so every page is read and the
    // versions sorted here (stable: the same instant keeps Tray's order).
    let mut versions: Vec<_> = client
        .projects()
        .list_versions(project_id)
        .try_collect()
        .await?;
    versions.sort_by_key(|v| v.created);
    if !reverse {
        versions.reverse();
    }
    versions.truncate(limit);
    if versions.is_empty() {
        ctx.printer
            .line(format!("Project {project_id} has no versions"));
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
            ctx.printer.line(line);
        }
    }
    ctx.printer.json(&versions)
}

/// `tray project export`: to stdout (no `--out`, `--out -`, or a path that
/// is this process's stdout), else to the file `--out` names (atomically,
/// following symbolic links; devices and FIFOs written straight through).
pub async fn export(
    ctx: &mut Context,
    project_id: Uuid,
    version: String,
    out: Option<PathBuf>,
) -> CmdResult {
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
            ));
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
            let mut reader = std::fs::File::open(&file)
                .map_err(|e| Failure::usage(format!("cannot read the export back: {e}")))?;
            let mut stdout = std::io::stdout().lock();
            std::io::copy(&mut reader, &mut stdout)
                .and_then(|_| stdout.write_all(b"\n"))
                .and_then(|()| stdout.flush())
                .map_err(crate::output::write_failure)?;
            Ok(())
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

/// `tray project import requirements`.
pub async fn requirements(ctx: &mut Context, args: ImportArgs) -> CmdResult {
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
        if needs.new_config_keys { "yes" } else { "no" }
    ));
    for auth in &needs.authentications_requirements {
        match &auth.resolved_authentication {
            Some(resolved) => printer.line(format!(
                "  {} ({} {}): resolved to {} ({})",
                auth.auth_export_id,
                auth.service.name,
                auth.service.version,
                resolved.id,
                resolved.title
            )),
            None => printer.line(format!(
                "  {} ({} {}): UNRESOLVED, pass --auth {}=<authentication uuid>",
                auth.auth_export_id, auth.service.name, auth.service.version, auth.auth_export_id
            )),
        }
    }
    printer.json(&needs)
}

/// `tray project import preview`.
pub async fn preview(ctx: &mut Context, args: ImportArgs) -> CmdResult {
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
        [
            impact.config.created.len(),
            impact.config.updated.len(),
            impact.config.removed.len(),
        ],
        [
            impact.workflows.created.len(),
            impact.workflows.updated.len(),
            impact.workflows.removed.len(),
        ],
    );
    if let Some(solution) = &preview.solution_impact {
        ctx.printer.line(format!(
            "solution: {} (breaking changes: {})",
            solution.change_type,
            if solution.breaking_changes {
                "yes"
            } else {
                "no"
            }
        ));
    }
    ctx.printer.json(&preview)
}

fn print_changes(printer: Printer, verb: &str, config: [usize; 3], workflows: [usize; 3]) {
    printer.line(format!(
        "config: {verb} create {}, update {}, remove {}; workflows: {verb} create {}, update {}, remove {}",
        config[0], config[1], config[2], workflows[0], workflows[1], workflows[2]
    ));
}

/// `tray project import apply`.
pub async fn apply(ctx: &mut Context, args: ImportArgs, yes: bool) -> CmdResult {
    let input = import_input(&args)?;
    if !yes {
        confirm(&format!("Import into project {}?", args.dest_project_id))?;
    }
    let client = ctx.client().await?;
    let imported = client
        .projects()
        .import(args.dest_project_id, &input)
        .await?;
    let impact = &imported.project_impact;
    ctx.printer.line(format!(
        "Imported {} into project {}",
        imported.import_metadata.imported_from.project_name, imported.import_metadata.project_id
    ));
    print_changes(
        ctx.printer,
        "did",
        [
            impact.config.created.len(),
            impact.config.updated.len(),
            impact.config.removed.len(),
        ],
        [
            impact.workflows.created.len(),
            impact.workflows.updated.len(),
            impact.workflows.removed.len(),
        ],
    );
    ctx.printer.json(&imported)
}

/// Ask on the terminal; refuse (exit 2) when stdin is not a terminal.
fn confirm(question: &str) -> CmdResult {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(
            "refusing to import without confirmation: stdin is not a terminal",
        )
        .with_hint("pass --yes to import from a script"));
    }
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
        Err(Failure::usage("import cancelled"))
    }
}

/// `tray project promote`.
#[allow(clippy::too_many_arguments)]
pub async fn promote(
    ctx: &mut Context,
    project_id: Uuid,
    version: String,
    from: Option<String>,
    to: Option<String>,
    dest_project: Uuid,
    title: Option<String>,
    mapping: MappingArgs,
    dry_run: bool,
    publish_solution: Option<Uuid>,
) -> CmdResult {
    let mappings = Mappings::parse(&mapping)?;
    if !ctx.global.sandbox && (from.is_none() || to.is_none()) {
        return Err(
            Failure::usage("promote needs --from PROFILE and --to PROFILE")
                .with_hint("profiles live in the config file (--config); or try it with --sandbox"),
        );
    }
    let source = ctx.client_for(from.as_deref()).await?;
    let destination = ctx.client_for(to.as_deref()).await?;
    let printer = ctx.printer;
    let mut promotion = Promotion::new(source, destination, project_id, &version, dest_project)
        .dry_run(dry_run)
        .publish_solution(publish_solution);
    if let Some(title) = title {
        promotion = promotion.title(title);
    }
    promotion = mappings.into_promotion(promotion);
    let progress = printer.progress(format!("promoting project {project_id} version {version}"));
    let report = promotion.run().await;
    progress.finish();
    match report {
        Ok(report) => print_promotion(printer, &report),
        Err(error) => {
            // Failed after the import: say what was done before the error.
            if let tray_api::Error::PromotionIncomplete { report, .. } = &error {
                print_promotion(printer, report)?;
            }
            Err(error.into())
        }
    }
}

fn print_promotion(printer: Printer, report: &tray_api::promote::PromoteReport) -> CmdResult {
    for step in &report.steps {
        printer.line(format!("{:<22} {}", step.name, step.detail));
    }
    printer.json(report)
}
