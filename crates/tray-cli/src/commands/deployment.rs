//! `tray deployment create|get`.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use tray_api::{ConnectorZip, Deployment, WaitOptions};

use crate::cli::WaitArgs;
use crate::context::Context;
use crate::failure::{self, CmdResult, Failure};
use crate::output::Printer;

/// The parts of `connector.json` the CLI reads.
#[derive(Debug, Deserialize)]
pub struct Manifest {
    /// Connector name.
    pub name: String,
    /// Connector version.
    pub version: String,
}

impl Manifest {
    /// Read `<dir>/connector.json`.
    pub fn read(dir: &Path) -> CmdResult<Self> {
        let path = dir.join("connector.json");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
        serde_json::from_str(&text).map_err(|e| {
            Failure::usage(format!(
                "{} is not a valid connector.json (needs \"name\" and \"version\"): {e}",
                path.display()
            ))
        })
    }
}

/// Name and version from the arguments, else from `./connector.json`.
pub fn name_and_version(
    name: Option<String>,
    version: Option<String>,
) -> CmdResult<(String, String)> {
    match (name, version) {
        (Some(name), Some(version)) => Ok((name, version)),
        (name, version) => {
            let manifest = Manifest::read(Path::new(".")).map_err(|f| {
                Failure::usage(format!(
                    "give the connector NAME and VERSION, or run this in a connector folder ({})",
                    f.message
                ))
            })?;
            Ok((
                name.unwrap_or(manifest.name),
                version.unwrap_or(manifest.version),
            ))
        }
    }
}

/// Open the connector zip of a project folder or a zip path, and check it
/// against connector.json and the --name/--version options.
pub fn locate_zip(
    path: &Path,
    name: Option<&str>,
    version: Option<&str>,
) -> CmdResult<ConnectorZip> {
    let zip = if path.is_dir() {
        if !path.join("connector.json").is_file() {
            return Err(Failure::usage(format!(
                "{} is not a connector project: it has no connector.json",
                path.display()
            ))
            .with_hint("give a connector project folder (made by `tray-cdk connector init`) or a .zip file"));
        }
        let manifest = Manifest::read(path)?;
        let candidates = [
            path.join(".tray/connector.zip"),
            path.join("dist/connector.zip"),
        ];
        let Some(file) = candidates.iter().find(|p| p.is_file()) else {
            return Err(Failure::usage(format!(
                "no connector zip in {}: looked for .tray/connector.zip and dist/connector.zip",
                path.display()
            ))
            .with_hint("build it first with `tray-cdk connector build`"));
        };
        let zip = ConnectorZip::open(file)?;
        if zip.name() != manifest.name || zip.version() != manifest.version {
            return Err(Failure::usage(format!(
                "{} holds {} {} but connector.json says {} {}: the build is stale",
                file.display(),
                zip.name(),
                zip.version(),
                manifest.name,
                manifest.version
            ))
            .with_hint("rebuild with `tray-cdk connector build`"));
        }
        zip
    } else if path.is_file() {
        ConnectorZip::open(path)?
    } else {
        return Err(Failure::usage(format!(
            "{} does not exist (give a connector project folder or a .zip file)",
            path.display()
        )));
    };
    zip.ensure_matches(name, version)?;
    Ok(zip)
}

/// `tray deployment create`.
pub async fn create(
    ctx: &mut Context,
    path: PathBuf,
    name: Option<String>,
    version: Option<String>,
    wait: WaitArgs,
) -> CmdResult {
    let zip = locate_zip(&path, name.as_deref(), version.as_deref())?;
    let targets = ctx.targets().await?;
    let printer = ctx.printer;
    if targets.len() > 1 {
        return create_many(printer, targets, &zip, &wait).await;
    }
    let Some(target) = targets.into_iter().next() else {
        return Err(Failure::usage("nothing to deploy to"));
    };
    let deployments = target.client.deployments();
    let progress = printer.progress(format!("deploying {} {}", zip.name(), zip.version()));
    let deployment = deployments.deploy(&zip).await?;
    progress.finish();
    if deployment.repeat {
        printer.line(format!(
            "A deployment of {} {} is already in progress: {}",
            deployment.connector_name, deployment.connector_version, deployment.id
        ));
    } else {
        printer.line(format!(
            "Deployment {} of {} {} started ({})",
            deployment.id,
            deployment.connector_name,
            deployment.connector_version,
            deployment.status
        ));
    }
    if !wait.wait {
        return printer.json(&deployment);
    }
    let last = wait_for(printer, &target.client, &deployment, &wait).await;
    finish(printer, last)
}

/// Wait for a deployment, drawing progress; the final deployment or the error.
async fn wait_for(
    printer: Printer,
    client: &tray_api::Client,
    deployment: &Deployment,
    wait: &WaitArgs,
) -> Result<Deployment, tray_api::Error> {
    let progress = printer.progress(format!("{}: {}", deployment.id, deployment.status));
    let result = client
        .deployments()
        .wait(
            &deployment.connector_name,
            &deployment.connector_version,
            &deployment.id,
            WaitOptions {
                interval: wait.interval,
                timeout: wait.timeout,
            },
            |d: &Deployment| {
                progress.set(format!(
                    "{} {}: {}",
                    d.connector_name, d.connector_version, d.status
                ))
            },
        )
        .await;
    progress.finish();
    result
}

/// Print the final state of a waited-for (or read) deployment and pick the exit status.
fn finish(printer: Printer, result: Result<Deployment, tray_api::Error>) -> CmdResult {
    match result {
        Ok(deployment) if deployment.status == tray_api::types::DeploymentStatus::Failed => {
            printer.json(&deployment)?;
            Err(failed(&deployment))
        }
        Ok(deployment) => {
            printer.line(format!(
                "{} {}: {} (deployment {})",
                deployment.connector_name,
                deployment.connector_version,
                deployment.status,
                deployment.id
            ));
            printer.json(&deployment)
        }
        Err(tray_api::Error::DeploymentFailed { deployment }) => {
            printer.json(&deployment)?;
            Err(failed(&deployment))
        }
        Err(error) => Err(error.into()),
    }
}

fn failed(deployment: &Deployment) -> Failure {
    Failure::new(
        failure::DEPLOYMENT_FAILED,
        format!(
            "deployment {} of {} {} failed",
            deployment.id, deployment.connector_name, deployment.connector_version
        ),
    )
    .with_hint("check the connector builds and its tests pass (`tray-cdk connector build`)")
}

async fn create_many(
    printer: Printer,
    targets: Vec<crate::context::Target>,
    zip: &ConnectorZip,
    wait: &WaitArgs,
) -> CmdResult {
    let labels: Vec<String> = targets.iter().map(|t| t.label.clone()).collect();
    printer.note(format!(
        "deploying {} {} to {}",
        zip.name(),
        zip.version(),
        labels.join(", ")
    ));
    let progress = printer.progress(format!("deploying to {}", labels.join(", ")));
    let wait_options = wait.wait.then_some(WaitOptions {
        interval: wait.interval,
        timeout: wait.timeout,
    });
    let outcomes = tray_api::deploy_to_regions(
        targets.into_iter().map(|t| (t.label, t.client)).collect(),
        zip,
        wait_options,
        |region: &str, d: &Deployment| progress.set(format!("{region}: {}", d.status)),
    )
    .await;
    progress.finish();
    let mut first_failure: Option<Failure> = None;
    for outcome in &outcomes {
        match &outcome.result {
            Ok(deployment) => {
                let note = if deployment.repeat {
                    " (already in progress)"
                } else {
                    ""
                };
                printer.line(format!(
                    "{}: {} {} {} (deployment {}){note}",
                    outcome.region,
                    deployment.connector_name,
                    deployment.connector_version,
                    deployment.status,
                    deployment.id
                ));
                if deployment.status == tray_api::types::DeploymentStatus::Failed
                    && first_failure.is_none()
                {
                    first_failure = Some(failed(deployment));
                }
            }
            Err(error) => {
                if let tray_api::Error::DeploymentFailed { deployment } = error {
                    printer.line(format!(
                        "{}: Failed (deployment {})",
                        outcome.region, deployment.id
                    ));
                } else {
                    printer.line(format!("{}: error: {error}", outcome.region));
                }
                if first_failure.is_none() {
                    let mut failure = match error {
                        tray_api::Error::DeploymentFailed { deployment } => failed(deployment),
                        _ => Failure::from_ref(error),
                    };
                    failure.message = format!("{}: {}", outcome.region, failure.message);
                    first_failure = Some(failure);
                }
            }
        }
    }
    // One shape, defined by the library: `RegionOutcome`'s `Serialize`.
    printer.json(&outcomes)?;
    match first_failure {
        Some(failure) => Err(failure),
        None => Ok(()),
    }
}

/// `tray deployment get`.
pub async fn get(
    ctx: &mut Context,
    name: Option<String>,
    version: Option<String>,
    id: String,
    wait: WaitArgs,
) -> CmdResult {
    let (name, version) = name_and_version(name, version)?;
    let client = ctx.client().await?;
    let printer = ctx.printer;
    let deployment = client.deployments().get(&name, &version, &id).await?;
    if !wait.wait || deployment.status.is_terminal() {
        return finish(printer, Ok(deployment));
    }
    let last = wait_for(printer, &client, &deployment, &wait).await;
    finish(printer, last)
}
