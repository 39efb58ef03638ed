//! Deploy one connector zip to several regions at once.

use futures::StreamExt;
use serde::Serialize;

use crate::client::Client;
use crate::connector_zip::ConnectorZip;
use crate::deployments::{Deployment, WaitOptions, Watcher};
use crate::error::Error;

/// The result of a multi-region deploy for one region.
///
/// Serializes as `{"region", "deployment": {…}}` on success and
/// `{"region", "error": {…}}` on failure (the error's one JSON shape, see
/// [`Error`]'s `Serialize`); a deployment that finished `Failed`, and the
/// last deployment seen before a timeout (with `"timedOut": true` added),
/// also go in `"deployment"`. When
/// Tray skipped an upload because another deployment was in progress,
/// `"skippedFor"` lists those deployments' ids (the final deployment is
/// always one of this zip).
#[derive(Debug)]
#[non_exhaustive]
pub struct RegionOutcome {
    /// The label given with the client (`"us"`, `"eu"`, a profile name).
    pub region: String,
    /// The final deployment (after waiting, when asked), or the error.
    pub result: Result<Deployment, Error>,
    /// With a wait: the ids of the deployments that were in progress when
    /// Tray skipped an upload (`repeatDeployment`), in order; the zip was
    /// uploaded again after each ended.
    pub skipped_for: Vec<String>,
}

/// The last deployment seen before a timeout, with `"timedOut": true`.
#[derive(Serialize)]
struct TimedOut<'a> {
    #[serde(flatten)]
    deployment: &'a Deployment,
    #[serde(rename = "timedOut")]
    timed_out: bool,
}

impl Serialize for RegionOutcome {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("RegionOutcome", 4)?;
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
                    Error::Timeout {
                        last: Some(deployment),
                        ..
                    } => {
                        s.serialize_field(
                            "deployment",
                            &TimedOut {
                                deployment,
                                timed_out: true,
                            },
                        )?;
                    }
                    _ => s.skip_field("deployment")?,
                }
                s.serialize_field("error", error)?;
            }
        }
        if self.skipped_for.is_empty() {
            s.skip_field("skippedFor")?;
        } else {
            s.serialize_field("skippedFor", &self.skipped_for)?;
        }
        s.end()
    }
}

/// Deploy `zip` to every target concurrently (one client, hence one token,
/// per region) and, with `wait`, wait in each region until a deployment of
/// this zip is `Deployed`, exactly as
/// [`DeployAndWait`](crate::deployments::DeployAndWait) does for one region
/// (a skipped upload waits for the running deployment and uploads again, or
/// fails with [`Error::Busy`] under [`IfBusy::Fail`](crate::IfBusy)).
/// Returns one outcome per target, in the order given; one region failing
/// does not stop the others. The total time is close to the slowest region,
/// not the sum.
///
/// `on_status` is called with the region's label for each upload answer and
/// each new state (the stream of [`DeployAndWait::watch`](crate::deployments::DeployAndWait::watch)).
/// The request body is built once and shared by all regions.
///
/// ```no_run
/// # async fn run() -> Result<(), tray_api::Error> {
/// use tray_api::{Client, ConnectorZip, Region, WaitOptions};
/// let zip = ConnectorZip::open(".tray/connector.zip")?;
/// let mut targets = Vec::new();
/// for &region in Region::all() {
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
                    skipped_for: Vec::new(),
                })
                .collect();
        }
    };
    let on_status = &on_status;
    let runs = targets.into_iter().map(|(region, client)| {
        let body = body.clone();
        async move {
            let mut skipped_for = Vec::new();
            let result = match wait {
                None => {
                    let started = client
                        .deployments()
                        .deploy_body(zip.name(), zip.version(), body)
                        .await;
                    if let Ok(started) = &started {
                        on_status(&region, started);
                    }
                    started
                }
                Some(options) => {
                    let mut states =
                        Watcher::deploy_body(&client, zip.name(), zip.version(), body, options)
                            .into_stream();
                    let mut last = None;
                    let mut error = None;
                    while let Some(state) = states.next().await {
                        match state {
                            Ok(deployment) => {
                                on_status(&region, &deployment);
                                if deployment.repeat {
                                    skipped_for.push(deployment.id.clone());
                                }
                                last = Some(deployment);
                            }
                            Err(e) => error = Some(e),
                        }
                    }
                    match (error, last) {
                        (Some(error), _) => Err(error),
                        (None, Some(d)) if d.status == tray_api_raw::DeploymentStatus::Failed => {
                            Err(Error::DeploymentFailed {
                                deployment: Box::new(d),
                            })
                        }
                        (None, Some(d)) => Ok(d),
                        (None, None) => Err(Error::local("the wait ended without a deployment")),
                    }
                }
            };
            RegionOutcome {
                region,
                result,
                skipped_for,
            }
        }
    });
    futures::future::join_all(runs).await
}
