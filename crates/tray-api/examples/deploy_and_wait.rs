//! Deploy a CDK connector zip and wait until it is live.
//!
//! ```text
//! TRAY_API_TOKEN=... cargo run -p tray-api --example deploy_and_wait -- .tray/connector.zip [us|eu|apac]
//! ```

use std::time::Duration;

use futures::StreamExt;
use tray_api::{Client, ConnectorZip, Error, IfBusy, Region, types::DeploymentStatus};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let zip_path = args.next().unwrap_or_else(|| ".tray/connector.zip".into());
    let region: Region = args.next().as_deref().unwrap_or("us").parse()?;

    let client = Client::builder().region(region).token_from_env().build()?;
    let zip = ConnectorZip::open(&zip_path)?;
    println!(
        "deploying {}@{} ({} bytes) to {}",
        zip.name(),
        zip.version(),
        zip.len(),
        client.region_label()
    );

    // Each upload answer and each new state; the last item is the final
    // deployment of this zip (or an error). A skipped upload (another
    // deployment of the version in progress) is waited out and redone.
    let mut states = client
        .deployments()
        .deploy(&zip)
        .wait()
        .if_busy(IfBusy::Wait)
        .interval(Duration::from_secs(5))
        .timeout(Duration::from_secs(15 * 60))
        .watch();
    let mut result = Err(Error::Local {
        message: "no deployment".into(),
    });
    while let Some(state) = states.next().await {
        result = state.inspect(|deployment| {
            let repeat = if deployment.repeat {
                " (in progress before ours: this upload was skipped)"
            } else {
                ""
            };
            println!("  {}: {}{repeat}", deployment.id, deployment.status);
        });
    }
    let result = result.and_then(|deployment| {
        if deployment.status == DeploymentStatus::Failed {
            Err(Error::DeploymentFailed {
                deployment: Box::new(deployment),
            })
        } else {
            Ok(deployment)
        }
    });
    match result {
        Ok(deployment) => {
            println!("deployed: {}", deployment.id);
            Ok(())
        }
        Err(error) => {
            eprintln!("error: {error}");
            if let Some(hint) = error.hint() {
                eprintln!("hint: {hint}");
            }
            Err(error)
        }
    }
}
