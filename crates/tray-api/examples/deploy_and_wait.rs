//! Deploy a CDK connector zip and wait until it is live.
//!
//! ```text
//! TRAY_API_TOKEN=... cargo run -p tray-api --example deploy_and_wait -- .tray/connector.zip [us|eu|apac]
//! ```

use std::time::Duration;

use tray_api::{Client, ConnectorZip, Error, Region, WaitOptions};

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

    let options = WaitOptions {
        interval: Duration::from_secs(5),
        timeout: Duration::from_secs(15 * 60),
    };
    let result = client
        .deployments()
        .deploy_and_wait(&zip, options, |deployment| {
            let repeat = if deployment.repeat {
                " (already in progress)"
            } else {
                ""
            };
            println!("  {}: {}{repeat}", deployment.id, deployment.status);
        })
        .await;
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
