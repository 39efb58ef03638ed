//! `tray demo`: the whole story against an in-process sandbox, step by step.

use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::TryStreamExt;
use tray_api::promote::{PromoteStepKind, Promotion};
use tray_api::{AuthResolution, Client, ConnectorZip, Deployment, ImportInput};
use tray_sandbox::{DESTINATION_PROJECT_ID, SOLUTION_ID, SOURCE_PROJECT_ID, Sandbox};

use crate::context::Context;
use crate::failure::{CmdResult, Failure};

const CONNECTOR: &str = "acme-crm";
const VERSION: &str = "1.0";
const PROJECT_VERSION: &str = "2";

/// Run the demo.
pub async fn run(ctx: &mut Context) -> CmdResult {
    let printer = ctx.printer;
    let started = Instant::now();
    let sandbox = Sandbox::builder()
        .deploy_time(Duration::from_millis(1500))
        .start()
        .await
        .map_err(|e| Failure::usage(format!("cannot start the sandbox: {e}")))?;
    printer.line(format!(
        "Sandbox running at {} (in-process, no Tray account needed)\n",
        sandbox.base_url()
    ))?;
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .token(sandbox.token().to_owned())
        .build()?;
    let mut steps: Vec<serde_json::Value> = Vec::new();
    let mut step = |printer: &crate::output::Printer, title: &str, detail: String| {
        printer.line(format!("{:>2}. {title:<28} {detail}", steps.len() + 1))?;
        steps.push(serde_json::json!({ "step": title, "detail": detail }));
        Ok::<(), Failure>(())
    };

    // Deploy the bundled sample connector and wait for it.
    let zip = ConnectorZip::from_bytes(tray_sandbox::sample_connector_zip(CONNECTOR, VERSION))?;
    let deployment = client.deployments().deploy(&zip).await?;
    step(
        &printer,
        "deploy connector",
        format!(
            "{CONNECTOR} {VERSION}: deployment {} {}",
            deployment.id, deployment.status
        ),
    )?;
    let mut seen: Vec<String> = vec![deployment.status.to_string()];
    let progress = printer.progress("waiting for the deployment");
    let waited = Instant::now();
    let mut states = client
        .deployments()
        .wait(&deployment)
        .interval(Duration::from_millis(250))
        .timeout(Duration::from_secs(30))
        .watch();
    let mut deployed: Result<Deployment, tray_api::Error> = Ok(deployment.clone());
    while let Some(state) = states.next().await {
        deployed = state.inspect(|d: &Deployment| {
            progress.set(format!("{CONNECTOR} {VERSION}: {}", d.status));
            if seen.last() != Some(&d.status.to_string()) {
                seen.push(d.status.to_string());
            }
        });
    }
    drop(states);
    let deployed = deployed.and_then(|d| {
        if d.status == tray_api::types::DeploymentStatus::Failed {
            Err(tray_api::Error::DeploymentFailed {
                deployment: Box::new(d),
            })
        } else {
            Ok(d)
        }
    });
    progress.finish();
    let deployed = deployed?;
    step(
        &printer,
        "wait for deployment",
        format!(
            "{} after {:.1}s ({})",
            deployed.status,
            waited.elapsed().as_secs_f64(),
            seen.join(" → ")
        ),
    )?;

    // Share it.
    let emails = vec!["ada@example.com".to_owned(), "grace@example.com".to_owned()];
    let shared = client
        .permissions()
        .share_with_emails(CONNECTOR, VERSION, &emails)
        .await?;
    step(
        &printer,
        "share connector",
        format!("{} ({})", shared.message, emails.join(", ")),
    )?;

    // Versions of the source project.
    let created = client
        .projects()
        .create_version(SOURCE_PROJECT_ID, PROJECT_VERSION)
        .title("Demo release")
        .description("Created by tray demo")
        .await?;
    step(
        &printer,
        "create project version",
        format!(
            "version {} of project {}: {}",
            created.version_number, created.project_id, created.title
        ),
    )?;
    let versions: Vec<_> = client
        .projects()
        .versions(SOURCE_PROJECT_ID)
        .stream()
        .try_collect()
        .await?;
    step(
        &printer,
        "list project versions",
        format!(
            "{} versions: {}",
            versions.len(),
            versions
                .iter()
                .map(|v| v.version_number.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )?;

    // Export, then look at what an import needs and would change.
    let export = client
        .projects()
        .export(SOURCE_PROJECT_ID, PROJECT_VERSION)
        .await?;
    step(
        &printer,
        "export version",
        format!(
            "{} top-level keys, {} bytes",
            export.len(),
            serde_json::to_vec(&export).map(|v| v.len()).unwrap_or(0)
        ),
    )?;
    let input = ImportInput::new(export.clone());
    let needs = client
        .projects()
        .import_requirements(DESTINATION_PROJECT_ID, &input)
        .await?;
    let unresolved: Vec<_> = needs
        .authentications_requirements
        .iter()
        .filter(|a| a.resolved_authentication.is_none())
        .collect();
    step(
        &printer,
        "import requirements",
        format!(
            "{} authentications ({} unresolved), new config keys: {}",
            needs.authentications_requirements.len(),
            unresolved.len(),
            crate::table::yes_no(needs.new_config_keys)
        ),
    )?;
    let mut resolutions = Vec::new();
    for auth in &unresolved {
        let resolution = tray_sandbox::DESTINATION_SPARE_AUTH_ID;
        resolutions.push(AuthResolution::new(auth.auth_export_id.clone(), resolution));
        printer.line(format!(
            "    resolve {} with destination authentication {resolution}",
            auth.auth_export_id
        ))?;
    }
    let input = input.auth_resolutions(resolutions.clone());
    let preview = client
        .projects()
        .import_preview(DESTINATION_PROJECT_ID, &input)
        .await?;
    let p = &preview.project_impact;
    step(
        &printer,
        "import preview",
        format!(
            "config +{} ~{} -{}, workflows +{} ~{} -{}",
            p.config.created.len(),
            p.config.updated.len(),
            p.config.removed.len(),
            p.workflows.created.len(),
            p.workflows.updated.len(),
            p.workflows.removed.len()
        ),
    )?;

    // Import and release, the way `tray project promote` does it; the
    // checks it repeats (versions, export, requirements, preview) are the
    // steps above, so only its writes are listed.
    let report = Promotion::from(&client, SOURCE_PROJECT_ID, PROJECT_VERSION)
        .to(&client, DESTINATION_PROJECT_ID)
        .title("Demo release")
        .auth_resolutions(resolutions)
        .publish_solution(SOLUTION_ID)
        .run()
        .await?;
    for s in report.steps.iter().filter(|s| {
        !matches!(
            s.kind,
            PromoteStepKind::SourceVersion
                | PromoteStepKind::DestinationProject
                | PromoteStepKind::SolutionCheck
                | PromoteStepKind::Export
                | PromoteStepKind::Requirements
                | PromoteStepKind::Preview
        )
    }) {
        step(&printer, s.kind.as_str(), s.detail.clone())?;
    }
    printer.line(format!(
        "\nDone in {:.1}s. Every step above is one `tray` command; see the README.",
        started.elapsed().as_secs_f64()
    ))?;
    printer.json(&serde_json::json!({ "steps": steps, "promotion": report }))
}
