//! CDK Deployments: deploy a connector zip, read a deployment's status, wait
//! for it to finish.

use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tray_api_raw::DeploymentStatus;
use tray_api_raw::deployments::types as raw;

use crate::client::{Client, DEPLOY_TIMEOUT};
use crate::connector_zip::ConnectorZip;
use crate::decode::{self, Op, call};
use crate::error::{Error, Result, Subject};

/// The literal deployment id that means "the last deployment of this
/// connector version".
pub const LATEST: &str = "latest";

/// One deployment of a connector version.
///
/// Serializes with Tray's field names
/// (`{"id","deploymentStatus","connectorName","connectorVersion"}`), plus
/// `"repeatDeployment": true` only for a repeat deployment.
///
/// ```
/// let deployment = tray_api::Deployment {
///     id: "d-1".into(),
///     status: tray_api::types::DeploymentStatus::Deploying,
///     connector_name: "my-connector".into(),
///     connector_version: "1.0".into(),
///     repeat: false,
/// };
/// assert_eq!(
///     serde_json::to_string(&deployment).unwrap(),
///     r#"{"id":"d-1","deploymentStatus":"Deploying","connectorName":"my-connector","connectorVersion":"1.0"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// The deployment id.
    pub id: String,
    /// The status; unknown values are kept and count as in progress.
    #[serde(rename = "deploymentStatus")]
    pub status: DeploymentStatus,
    /// The connector name.
    #[serde(rename = "connectorName")]
    pub connector_name: String,
    /// The connector version.
    #[serde(rename = "connectorVersion")]
    pub connector_version: String,
    /// `true` when the deploy was skipped because a deployment of this
    /// connector version was already in progress; `id` is that deployment.
    #[serde(
        rename = "repeatDeployment",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub repeat: bool,
}

impl Deployment {
    /// `Deployed` or `Failed`.
    ///
    /// ```
    /// # let mut d = tray_api::Deployment { id: "x".into(), status: tray_api::types::DeploymentStatus::Deployed, connector_name: "c".into(), connector_version: "1.0".into(), repeat: false };
    /// assert!(d.is_terminal());
    /// ```
    pub fn is_terminal(&self) -> bool {
        self.status.is_terminal()
    }
}

/// Polling settings for [`Deployments::wait`].
///
/// ```
/// use std::time::Duration;
/// let options = tray_api::WaitOptions { interval: Duration::from_secs(2), timeout: Duration::from_secs(300) };
/// assert_eq!(tray_api::WaitOptions::default().interval, Duration::from_secs(5));
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitOptions {
    /// Time between two polls (default 5 s).
    pub interval: Duration,
    /// Give up after this long (default 15 minutes).
    pub timeout: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(5),
            timeout: Duration::from_secs(15 * 60),
        }
    }
}

/// The CDK Deployments API of a [`Client`]; from [`Client::deployments`].
///
/// ```no_run
/// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
/// use tray_api::{ConnectorZip, WaitOptions};
/// let zip = ConnectorZip::open(".tray/connector.zip")?;
/// let started = client.deployments().deploy(&zip).await?;
/// let done = client
///     .deployments()
///     .wait(zip.name(), zip.version(), &started.id, WaitOptions::default(), |d| {
///         println!("{}", d.status)
///     })
///     .await?;
/// println!("deployed {}", done.id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Deployments<'a> {
    pub(crate) client: &'a Client,
}

fn non_empty(value: &str, what: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::local(format!("the {what} is empty")))
    } else {
        Ok(())
    }
}

impl Deployments<'_> {
    /// Deploy a connector zip under the name and version of its
    /// `connector.json`. A repeat deployment (one already in progress) is
    /// returned with [`Deployment::repeat`] set and the id of the deployment
    /// in progress.
    ///
    /// The body is built in one buffer straight from the file (no copy of
    /// the zip, its base64 and a JSON body side by side) and reused, not
    /// copied, on retries.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// let zip = tray_api::ConnectorZip::open(".tray/connector.zip")?;
    /// let deployment = client.deployments().deploy(&zip).await?;
    /// if deployment.repeat {
    ///     println!("already in progress: {}", deployment.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn deploy(&self, zip: &ConnectorZip) -> Result<Deployment> {
        let body = zip.deploy_body().await?;
        self.deploy_body(zip.name(), zip.version(), body).await
    }

    /// Deploy a prepared body (shared by the regions of a multi-region
    /// deploy).
    pub(crate) async fn deploy_body(
        &self,
        name: &str,
        version: &str,
        body: Bytes,
    ) -> Result<Deployment> {
        const OPERATION: &str = "deploy_connector";
        non_empty(name, "connector name")?;
        non_empty(version, "connector version")?;
        let path = format!(
            "/cdk/v1/deployments/connectors/{}/versions/{}/deploy-connector-from-source",
            encode_segment(name),
            encode_segment(version)
        );
        let mut request = self
            .client
            .request(reqwest::Method::POST, &path, OPERATION)?;
        request.headers_mut().insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("application/json"),
        );
        *request.timeout_mut() = Some(
            self.client
                .timeout()
                .map_or(DEPLOY_TIMEOUT, |t| t.max(DEPLOY_TIMEOUT)),
        );
        *request.body_mut() = Some(reqwest::Body::from(body));
        let op = Op::write(OPERATION, Subject::connector(name, version));
        let response = self
            .client
            .send(request, OPERATION)
            .await
            .map_err(|e| op.fail(e))?;
        let status = response.status().as_u16();
        let answer: raw::DeployConnectorResponse = decode::response(&op, response).await?;
        let Some(id) = answer.id.filter(|id| !id.is_empty()) else {
            return Err(op.fail(Error::invalid_response(
                OPERATION,
                Some(status),
                "the answer has no deployment id",
                b"",
            )));
        };
        Ok(Deployment {
            id,
            status: answer
                .deployment_status
                .unwrap_or(DeploymentStatus::Deploying),
            connector_name: answer.connector_name.unwrap_or_else(|| name.to_owned()),
            connector_version: answer
                .connector_version
                .unwrap_or_else(|| version.to_owned()),
            repeat: answer.repeat_deployment.unwrap_or(false),
        })
    }

    /// The status of one deployment, by id or [`LATEST`] (`"latest"`).
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// let latest = client.deployments().get("my-connector", "1.0", "latest").await?;
    /// println!("{} is {}", latest.id, latest.status);
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, name: &str, version: &str, id: &str) -> Result<Deployment> {
        non_empty(name, "connector name")?;
        non_empty(version, "connector version")?;
        non_empty(id, "deployment id")?;
        let answer = call(
            &Op::read("get_deployment", Subject::deployment(name, version, id)),
            self.client
                .raw()
                .deployments
                .get_deployment()
                .connector_name(name)
                .connector_version(version)
                .id(id)
                .send(),
        )
        .await?;
        Ok(Deployment {
            id: answer
                .id
                .unwrap_or_else(|| if id == LATEST { "" } else { id }.to_owned()),
            status: answer
                .deployment_status
                .unwrap_or_else(|| DeploymentStatus::Unknown(String::new())),
            connector_name: answer.connector_name.unwrap_or_else(|| name.to_owned()),
            connector_version: answer
                .connector_version
                .unwrap_or_else(|| version.to_owned()),
            repeat: false,
        })
    }

    /// Poll a deployment until it is `Deployed` (returned) or `Failed`
    /// ([`Error::DeploymentFailed`], carrying the deployment). Every
    /// observed status is passed to `on_status`; a status this library does
    /// not know counts as in progress. After `options.timeout`,
    /// [`Error::Timeout`] carries the last deployment seen.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// let done = client
    ///     .deployments()
    ///     .wait("my-connector", "1.0", "latest", tray_api::WaitOptions::default(), |_| {})
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn wait(
        &self,
        name: &str,
        version: &str,
        id: &str,
        options: WaitOptions,
        mut on_status: impl FnMut(&Deployment),
    ) -> Result<Deployment> {
        let started = tokio::time::Instant::now();
        loop {
            let deployment = self.get(name, version, id).await?;
            on_status(&deployment);
            match deployment.status {
                DeploymentStatus::Deployed => return Ok(deployment),
                DeploymentStatus::Failed => {
                    return Err(Error::DeploymentFailed {
                        deployment: Box::new(deployment),
                    });
                }
                _ => {}
            }
            let elapsed = started.elapsed();
            if elapsed >= options.timeout {
                return Err(Error::Timeout {
                    what: format!("deployment {id} of {name}@{version}"),
                    elapsed,
                    last: Some(Box::new(deployment)),
                });
            }
            // The last poll happens at the deadline.
            tokio::time::sleep(options.interval.min(options.timeout - elapsed)).await;
        }
    }

    /// Deploy, then wait for the deployment (a repeat deployment follows
    /// the deployment already in progress and keeps `repeat: true`).
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// let zip = tray_api::ConnectorZip::open(".tray/connector.zip")?;
    /// let done = client
    ///     .deployments()
    ///     .deploy_and_wait(&zip, tray_api::WaitOptions::default(), |d| println!("{}", d.status))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn deploy_and_wait(
        &self,
        zip: &ConnectorZip,
        options: WaitOptions,
        mut on_status: impl FnMut(&Deployment),
    ) -> Result<Deployment> {
        let started = self.deploy(zip).await?;
        on_status(&started);
        let mut done = self
            .wait(zip.name(), zip.version(), &started.id, options, on_status)
            .await?;
        done.repeat = started.repeat;
        Ok(done)
    }
}

/// Percent-encodes a path segment (as the generated code does).
pub(crate) fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
