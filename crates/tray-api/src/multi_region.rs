//! Deploy one connector zip to several regions at once.

use serde::Serialize;

use crate::client::Client;
use crate::connector_zip::ConnectorZip;
use crate::deployments::{Deployment, WaitOptions};
use crate::error::Error;

/// The result of a multi-region deploy for one region.
///
/// Serializes as `{"region", "deployment": {…}}` on success and
/// `{"region", "error": {…}}` on failure (the error's one JSON shape, see
/// [`Error`]'s `Serialize`); a deployment that finished `Failed` also
/// carries its `"deployment"`.
#[derive(Debug)]
pub struct RegionOutcome {
    /// The label given with the client (`"us"`, `"eu"`, a profile name).
    pub region: String,
    /// The final deployment (after waiting, when asked), or the error.
    pub result: Result<Deployment, Error>,
}

impl Serialize for RegionOutcome {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("RegionOutcome", 3)?;
        s.serialize_field("region", &self.region)?;
        match &self.result {
            Ok(deployment) => {
                s.serialize_field("deployment", deployment)?;
                s.skip_field("error")?;
            }
            Err(error) => {
                match error {
                    Error::DeploymentFailed { deployment } => {
                        s.serialize_field("deployment", deployment)?;
                    }
                    _ => s.skip_field("deployment")?,
                }
                s.serialize_field("error", error)?;
            }
        }
        s.end()
    }
}

/// Deploy `zip` to every target concurrently (one client, hence one token,
/// per region) and, with `wait`, wait for every deployment. Returns one
/// outcome per target, in the order given; one region failing does not stop
/// the others. The total time is close to the slowest region, not the sum.
///
/// The request body is built once and shared by all regions.
///
/// ```no_run
/// # async fn run() -> Result<(), tray_api::Error> {
/// use tray_api::{Client, ConnectorZip, Region, WaitOptions};
/// let zip = ConnectorZip::open(".tray/connector.zip")?;
/// let mut targets = Vec::new();
/// for region in Region::all() {
///     let token = std::env::var(format!("TRAY_API_TOKEN_{}", region.as_str().to_uppercase())).unwrap();
///     targets.push((region.to_string(), Client::builder().region(region).token(token).build()?));
/// }
/// let outcomes = tray_api::deploy_to_regions(targets, &zip, Some(WaitOptions::default()), |region, d| {
///     println!("{region}: {}", d.status);
/// })
/// .await;
/// for outcome in outcomes {
///     match outcome.result {
///         Ok(d) => println!("{}: {} {}", outcome.region, d.id, d.status),
///         Err(e) => println!("{}: {e}", outcome.region),
///     }
/// }
/// # Ok(()) }
/// ```
pub async fn deploy_to_regions(
    targets: Vec<(String, Client)>,
    zip: &ConnectorZip,
    wait: Option<WaitOptions>,
    on_status: impl Fn(&str, &Deployment) + Sync,
) -> Vec<RegionOutcome> {
    let body = match zip.deploy_body().await {
        Ok(body) => body,
        Err(error) => {
            let message = error.to_string();
            return targets
                .into_iter()
                .map(|(region, _)| RegionOutcome {
                    region,
                    result: Err(Error::local(message.clone())),
                })
                .collect();
        }
    };
    let on_status = &on_status;
    let runs = targets.into_iter().map(|(region, client)| {
        let body = body.clone();
        async move {
            let result = async {
                let deployments = client.deployments();
                let started = deployments
                    .deploy_body(zip.name(), zip.version(), body)
                    .await?;
                on_status(&region, &started);
                match wait {
                    None => Ok(started),
                    Some(options) => deployments
                        .wait(zip.name(), zip.version(), &started.id, options, |d| {
                            on_status(&region, d);
                        })
                        .await
                        .map(|mut done| {
                            done.repeat = started.repeat;
                            done
                        }),
                }
            }
            .await;
            RegionOutcome { region, result }
        }
    });
    futures::future::join_all(runs).await
}
