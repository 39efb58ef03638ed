//! CDK Deployments: deploy a connector zip, read a deployment's status, wait
//! for it to finish, watch its states as a stream.
//!
//! Request builders in the octocrab / aws-sdk style: set what you need, then
//! `.send().await` (or just `.await`):
//!
//! ```no_run
//! # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
//! use std::time::Duration;
//! use tray_api::{ConnectorZip, IfBusy};
//! let zip = ConnectorZip::open(".tray/connector.zip")?;
//! // Upload, then wait until a deployment of THIS zip is Deployed. When Tray
//! // skips the upload (`repeatDeployment`: another deployment of the version
//! // is running), wait for that one to end and upload again.
//! let done = client
//!     .deployments()
//!     .deploy(&zip)
//!     .wait()
//!     .if_busy(IfBusy::Wait)
//!     .interval(Duration::from_secs(2))
//!     .timeout(Duration::from_secs(600))
//!     .send()
//!     .await?;
//! println!("deployed {}", done.id);
//! # Ok(()) }
//! ```

use std::time::Duration;
use tray_api_raw::Operation;

use bytes::Bytes;
use futures::stream::{BoxStream, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;
use tray_api_raw::DeploymentStatus;
use tray_api_raw::deployments::types as raw;

use crate::client::Client;
use crate::connector_zip::ConnectorZip;
use crate::decode::{self, Op, call};
use crate::error::{Error, Result, Subject};

/// The literal deployment id that means "the last deployment of this
/// connector version".
pub const LATEST: &str = "latest";

/// One deployment of a connector version: the body Tray sent.
///
/// Serializes with Tray's field names
/// (`{"id","deploymentStatus","connectorName","connectorVersion"}`), plus
/// `"repeatDeployment": true` only for a repeat deployment, plus every field
/// Tray sent that this library does not know ([`Deployment::extra`]), so
/// printing a deployment prints what Tray said.
///
/// ```
/// use tray_api::{Deployment, types::DeploymentStatus};
/// let mut deployment = Deployment::new("d-1", DeploymentStatus::Deploying, "my-connector", "1.0");
/// deployment.extra.insert("failureReason".into(), "x".into());
/// assert_eq!(
///     serde_json::to_string(&deployment).unwrap(),
///     r#"{"id":"d-1","deploymentStatus":"Deploying","connectorName":"my-connector","connectorVersion":"1.0","failureReason":"x"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
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
    /// `true` when Tray skipped the upload because a deployment of this
    /// connector version was already in progress; `id` is that deployment
    /// (which holds an older zip, not the one just sent).
    #[serde(
        rename = "repeatDeployment",
        default,
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub repeat: bool,
    /// Fields of Tray's answer this library does not know yet (say a
    /// `failureReason`), kept as sent and serialized back.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Deployment {
    /// A deployment with no extra fields and `repeat: false`.
    ///
    /// ```
    /// use tray_api::{Deployment, types::DeploymentStatus};
    /// let d = Deployment::new("d-1", DeploymentStatus::Deployed, "my-connector", "1.0");
    /// assert!(d.is_terminal());
    /// ```
    pub fn new(
        id: impl Into<String>,
        status: DeploymentStatus,
        connector_name: impl Into<String>,
        connector_version: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            status,
            connector_name: connector_name.into(),
            connector_version: connector_version.into(),
            repeat: false,
            extra: serde_json::Map::new(),
        }
    }

    /// `Deployed` or `Failed`.
    ///
    /// ```
    /// # use tray_api::{Deployment, types::DeploymentStatus};
    /// assert!(!Deployment::new("x", DeploymentStatus::Building, "c", "1.0").is_terminal());
    /// ```
    pub fn is_terminal(&self) -> bool {
        self.status.is_terminal()
    }
}

/// What a deploy-and-wait does when Tray skips the upload because another
/// deployment of the same connector version is in progress
/// (`repeatDeployment: true`).
///
/// ```
/// assert_eq!(tray_api::IfBusy::default(), tray_api::IfBusy::Wait);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum IfBusy {
    /// Wait until the running deployment ends (`Deployed` or `Failed`),
    /// then upload again; repeat until a deployment of this zip ends or the
    /// timeout passes.
    #[default]
    Wait,
    /// Stop at once with [`Error::Busy`], which names the running
    /// deployment.
    Fail,
}

/// Polling settings of a wait: the interval between polls, the timeout of
/// the whole wait (uploads and the request in flight included), and what a
/// deploy-and-wait does when Tray is busy with another deployment.
///
/// ```
/// use std::time::Duration;
/// use tray_api::{IfBusy, WaitOptions};
/// let options = WaitOptions::new(Duration::from_secs(2), Duration::from_secs(300))
///     .with_if_busy(IfBusy::Fail);
/// assert_eq!(options.timeout, Duration::from_secs(300));
/// assert_eq!(WaitOptions::default().interval, Duration::from_secs(5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaitOptions {
    /// Time between two polls, and the least time between two uploads of a
    /// deploy-and-wait (default 5 s).
    pub interval: Duration,
    /// Give up after this long (default 15 minutes): a deadline for the
    /// whole wait, the request in flight included.
    pub timeout: Duration,
    /// For a deploy-and-wait: what to do when Tray skips the upload
    /// (default [`IfBusy::Wait`]).
    pub if_busy: IfBusy,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(5),
            timeout: Duration::from_secs(15 * 60),
            if_busy: IfBusy::Wait,
        }
    }
}

impl WaitOptions {
    /// Options with this interval and timeout (and [`IfBusy::Wait`]).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let o = tray_api::WaitOptions::new(Duration::from_secs(1), Duration::from_secs(60));
    /// assert_eq!(o.interval, Duration::from_secs(1));
    /// ```
    pub fn new(interval: Duration, timeout: Duration) -> Self {
        Self {
            interval,
            timeout,
            ..Self::default()
        }
    }

    /// Set [`WaitOptions::interval`].
    ///
    /// ```
    /// # use std::time::Duration;
    /// let o = tray_api::WaitOptions::default().with_interval(Duration::from_millis(500));
    /// assert_eq!(o.interval, Duration::from_millis(500));
    /// ```
    pub fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Set [`WaitOptions::timeout`].
    ///
    /// ```
    /// # use std::time::Duration;
    /// let o = tray_api::WaitOptions::default().with_timeout(Duration::from_secs(30));
    /// assert_eq!(o.timeout, Duration::from_secs(30));
    /// ```
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Set [`WaitOptions::if_busy`].
    ///
    /// ```
    /// let o = tray_api::WaitOptions::default().with_if_busy(tray_api::IfBusy::Fail);
    /// assert_eq!(o.if_busy, tray_api::IfBusy::Fail);
    /// ```
    pub fn with_if_busy(mut self, if_busy: IfBusy) -> Self {
        self.if_busy = if_busy;
        self
    }
}

/// The CDK Deployments API of a [`Client`]; from [`Client::deployments`].
///
/// ```no_run
/// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
/// use std::time::Duration;
/// let zip = tray_api::ConnectorZip::open(".tray/connector.zip")?;
/// let started = client.deployments().deploy(&zip).send().await?;
/// let done = client
///     .deployments()
///     .wait(&started)
///     .interval(Duration::from_secs(2))
///     .send()
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

impl<'a> Deployments<'a> {
    /// A request to deploy a connector zip under the name and version of
    /// its `connector.json`: `.send()` (or `.await`) uploads once and
    /// returns Tray's answer; `.wait()` turns it into a deploy-and-wait.
    ///
    /// A repeat deployment (Tray skipped the upload: one is already in
    /// progress) is returned by `.send()` with [`Deployment::repeat`] set and
    /// the id of the deployment in progress.
    ///
    /// The body is built in one buffer straight from the file (no copy of
    /// the zip, its base64 and a JSON body side by side) and reused, not
    /// copied, on retries and re-uploads.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// let zip = tray_api::ConnectorZip::open(".tray/connector.zip")?;
    /// let deployment = client.deployments().deploy(&zip).send().await?;
    /// if deployment.repeat {
    ///     println!("skipped: {} is already in progress", deployment.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn deploy(&self, zip: &'a ConnectorZip) -> DeployRequest<'a> {
        DeployRequest {
            deployments: Deployments {
                client: self.client,
            },
            zip,
        }
    }

    /// Deploy a prepared body (shared by the regions of a multi-region
    /// deploy).
    pub(crate) async fn deploy_body(
        &self,
        name: &str,
        version: &str,
        body: Bytes,
    ) -> Result<Deployment> {
        // The upload is streamed, so it bypasses the generated builder; its
        // method and path still come from the spec.
        const DEPLOY: Operation = Operation::DeployConnector;
        const OPERATION: &str = DEPLOY.id();
        non_empty(name, "connector name")?;
        non_empty(version, "connector version")?;
        let mut request = self.client.operation_request(
            DEPLOY,
            &[("connector-name", name), ("connector-version", version)],
        )?;
        request.headers_mut().insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("application/json"),
        );
        *request.timeout_mut() = Some(self.client.deploy_timeout());
        *request.body_mut() = Some(reqwest::Body::from(body));
        let op = Op::write(DEPLOY, Subject::connector(name, version));
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
            extra: answer.extra,
        })
    }

    /// The status of one deployment, by id or [`LATEST`] (`"latest"`). The
    /// fields Tray sent that this library does not know are kept in
    /// [`Deployment::extra`].
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
            &Op::read(
                Operation::GetDeployment,
                Subject::deployment(name, version, id),
            ),
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
            extra: answer.extra,
        })
    }

    /// A request to wait for a deployment (as returned by a deploy or
    /// [`Deployments::get`]) until it is `Deployed` (returned) or `Failed`
    /// ([`Error::DeploymentFailed`], carrying the deployment). A status this
    /// library does not know counts as in progress. After the timeout,
    /// [`Error::Timeout`] carries the last deployment seen. `.watch()` gives
    /// each new state as a stream instead.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// use std::time::Duration;
    /// let latest = client.deployments().get("my-connector", "1.0", "latest").await?;
    /// let done = client
    ///     .deployments()
    ///     .wait(&latest)
    ///     .interval(Duration::from_secs(2))
    ///     .timeout(Duration::from_secs(300))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn wait(&self, deployment: &Deployment) -> WaitRequest<'a> {
        WaitRequest {
            deployments: Deployments {
                client: self.client,
            },
            deployment: deployment.clone(),
            options: WaitOptions::default(),
            deadline: None,
        }
    }
}

/// The settings a deploy-and-wait and a wait share, written once:
/// `interval`, `timeout`, `deadline` and `options` (the doc examples take
/// the receiver's setup and the call that makes the request).
macro_rules! wait_setters {
    ($setup:literal, $request:literal) => {
        /// Time between two polls (default 5 s; for a deploy-and-wait also
        /// the least time between two uploads).
        ///
        /// ```no_run
        #[doc = concat!("# async fn run(client: tray_api::Client, ", $setup, ") -> Result<(), tray_api::Error> {")]
        #[doc = concat!("client.deployments()", $request, ".interval(std::time::Duration::from_secs(2)).await?;")]
        /// # Ok(()) }
        /// ```
        pub fn interval(mut self, interval: Duration) -> Self {
            self.options.interval = interval;
            self
        }

        /// Give up after this long (default 15 minutes), counted from the
        /// start (a deploy's first upload), the request in flight included.
        ///
        /// ```no_run
        #[doc = concat!("# async fn run(client: tray_api::Client, ", $setup, ") -> Result<(), tray_api::Error> {")]
        #[doc = concat!("client.deployments()", $request, ".timeout(std::time::Duration::from_secs(60)).await?;")]
        /// # Ok(()) }
        /// ```
        pub fn timeout(mut self, timeout: Duration) -> Self {
            self.options.timeout = timeout;
            self
        }

        /// Give up at this instant instead (a deadline shared with other work).
        ///
        /// ```no_run
        #[doc = concat!("# async fn run(client: tray_api::Client, ", $setup, ") -> Result<(), tray_api::Error> {")]
        /// let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
        #[doc = concat!("client.deployments()", $request, ".deadline(deadline).await?;")]
        /// # Ok(()) }
        /// ```
        pub fn deadline(mut self, deadline: Instant) -> Self {
            self.deadline = Some(deadline);
            self
        }

        /// All the settings at once (`if_busy` applies only to a
        /// deploy-and-wait).
        ///
        /// ```no_run
        #[doc = concat!("# async fn run(client: tray_api::Client, ", $setup, ") -> Result<(), tray_api::Error> {")]
        #[doc = concat!("client.deployments()", $request, ".options(tray_api::WaitOptions::default()).await?;")]
        /// # Ok(()) }
        /// ```
        pub fn options(mut self, options: WaitOptions) -> Self {
            self.options = options;
            self
        }
    };
}

/// A deploy of one connector zip; from [`Deployments::deploy`].
#[derive(Debug, Clone, Copy)]
#[must_use = "a request does nothing until it is sent"]
pub struct DeployRequest<'a> {
    deployments: Deployments<'a>,
    zip: &'a ConnectorZip,
}

impl<'a> DeployRequest<'a> {
    /// Upload the zip once and return Tray's answer (a repeat deployment
    /// has [`Deployment::repeat`] set).
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// let zip = tray_api::ConnectorZip::open(".tray/connector.zip")?;
    /// let started = client.deployments().deploy(&zip).send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Deployment> {
        let body = self.zip.deploy_body().await?;
        self.deployments
            .deploy_body(self.zip.name(), self.zip.version(), body)
            .await
    }

    /// Deploy and wait until a deployment of this zip is `Deployed`; see
    /// [`DeployAndWait`].
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// let zip = tray_api::ConnectorZip::open(".tray/connector.zip")?;
    /// let done = client.deployments().deploy(&zip).wait().await?;
    /// # Ok(()) }
    /// ```
    pub fn wait(self) -> DeployAndWait<'a> {
        DeployAndWait {
            deployments: self.deployments,
            zip: self.zip,
            options: WaitOptions::default(),
            deadline: None,
        }
    }
}

into_future!(DeployRequest, Deployment);

/// Deploy a zip and wait until a deployment **of this zip** is `Deployed`;
/// from [`DeployRequest::wait`].
///
/// When Tray skips the upload (`repeatDeployment: true`: a deployment of
/// the same version, holding an older zip, is in progress), the default
/// [`IfBusy::Wait`] waits until that deployment ends (`Deployed` or
/// `Failed`), then uploads again, as often as needed until the timeout;
/// [`IfBusy::Fail`] stops at once with [`Error::Busy`]. The timeout is a
/// deadline for everything (uploads, polls, the request in flight).
///
/// `.send()` (or `.await`) returns the final deployment, or
/// [`Error::DeploymentFailed`], [`Error::Timeout`] (with the last
/// deployment seen), [`Error::Busy`] or the error of a call. `.watch()` is
/// the stream everything is built on: each upload answer (a skipped one
/// with `repeat: true`) and each new state of the deployment followed, the
/// last item being the final deployment (`Deployed` or `Failed`) or an
/// error.
///
/// ```no_run
/// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
/// use futures::StreamExt;
/// use std::time::Duration;
/// let zip = tray_api::ConnectorZip::open(".tray/connector.zip")?;
/// let mut states = client
///     .deployments()
///     .deploy(&zip)
///     .wait()
///     .timeout(Duration::from_secs(600))
///     .watch();
/// while let Some(state) = states.next().await {
///     let d = state?;
///     if d.repeat {
///         println!("skipped: {} is in progress; uploading again after it", d.id);
///     } else {
///         println!("{} {}", d.id, d.status);
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
#[must_use = "a request does nothing until it is sent"]
pub struct DeployAndWait<'a> {
    deployments: Deployments<'a>,
    zip: &'a ConnectorZip,
    options: WaitOptions,
    deadline: Option<Instant>,
}

impl<'a> DeployAndWait<'a> {
    wait_setters!("zip: tray_api::ConnectorZip", ".deploy(&zip).wait()");

    /// What to do when Tray skips the upload (default [`IfBusy::Wait`]).
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client, zip: tray_api::ConnectorZip) -> Result<(), tray_api::Error> {
    /// use tray_api::{Error, IfBusy};
    /// match client.deployments().deploy(&zip).wait().if_busy(IfBusy::Fail).await {
    ///     Err(Error::Busy { deployment }) => eprintln!("{} is in progress", deployment.id),
    ///     other => { other?; }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn if_busy(mut self, if_busy: IfBusy) -> Self {
        self.options.if_busy = if_busy;
        self
    }

    /// The states as a stream (see [`DeployAndWait`]).
    pub fn watch(self) -> BoxStream<'a, Result<Deployment>> {
        let watcher = Watcher {
            deployments: self.deployments,
            name: self.zip.name().to_owned(),
            version: self.zip.version().to_owned(),
            source: Some(Source::Zip(self.zip)),
            options: self.options,
            deadline: self.deadline,
            started: None,
            last: None,
            seen: None,
            last_upload: None,
            phase: Phase::Upload,
        };
        watcher.into_stream()
    }

    /// Deploy and wait; the final `Deployed` deployment of this zip.
    pub async fn send(self) -> Result<Deployment> {
        finish(self.watch()).await
    }
}

into_future!(DeployAndWait, Deployment);

/// A wait for one deployment; from [`Deployments::wait`].
///
/// `.send()` (or `.await`) returns the deployment once `Deployed`, or
/// [`Error::DeploymentFailed`], [`Error::Timeout`] (with the last deployment
/// seen) or the error of a poll. `.watch()` yields each new state (a status
/// or id different from the one before; the first poll happens at once),
/// ending with the terminal one or an error.
///
/// ```no_run
/// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
/// use futures::StreamExt;
/// let latest = client.deployments().get("my-connector", "1.0", "latest").await?;
/// let mut states = client.deployments().wait(&latest).watch();
/// while let Some(state) = states.next().await {
///     println!("{}", state?.status);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct WaitRequest<'a> {
    deployments: Deployments<'a>,
    deployment: Deployment,
    options: WaitOptions,
    deadline: Option<Instant>,
}

impl<'a> WaitRequest<'a> {
    wait_setters!("d: tray_api::Deployment", ".wait(&d)");

    /// Each new state as a stream (see [`WaitRequest`]).
    pub fn watch(self) -> BoxStream<'a, Result<Deployment>> {
        let id = if self.deployment.id.is_empty() {
            LATEST.to_owned()
        } else {
            self.deployment.id.clone()
        };
        let watcher = Watcher {
            deployments: self.deployments,
            name: self.deployment.connector_name.clone(),
            version: self.deployment.connector_version.clone(),
            source: None,
            options: self.options,
            deadline: self.deadline,
            started: None,
            seen: Some((self.deployment.id.clone(), self.deployment.status.clone())),
            last: Some(self.deployment),
            last_upload: None,
            phase: Phase::Follow {
                id,
                own: true,
                sleep_first: false,
            },
        };
        watcher.into_stream()
    }

    /// Wait; the deployment once `Deployed`.
    pub async fn send(self) -> Result<Deployment> {
        finish(self.watch()).await
    }
}

into_future!(WaitRequest, Deployment);

/// Drain a watch: the final deployment if `Deployed`, else the error.
async fn finish(mut states: BoxStream<'_, Result<Deployment>>) -> Result<Deployment> {
    let mut last = None;
    while let Some(state) = states.next().await {
        last = Some(state?);
    }
    match last {
        Some(deployment) if deployment.status == DeploymentStatus::Failed => {
            Err(Error::DeploymentFailed {
                deployment: Box::new(deployment),
            })
        }
        Some(deployment) => Ok(deployment),
        // A watch always ends with a terminal deployment or an error.
        None => Err(Error::local("the wait ended without a deployment")),
    }
}

/// What a deploy-and-wait uploads: a zip (its body built on first use) or a
/// body already built (shared by the regions of a multi-region deploy).
#[derive(Debug, Clone)]
pub(crate) enum Source<'a> {
    Zip(&'a ConnectorZip),
    Body(Bytes),
}

#[derive(Debug)]
enum Phase {
    /// Upload (again).
    Upload,
    /// Poll deployment `id`; `own` when it holds the zip this watch
    /// uploaded (or is the one a plain wait follows).
    Follow {
        id: String,
        own: bool,
        sleep_first: bool,
    },
    Done,
}

/// The state machine behind every wait: uploads when asked, polls, keeps
/// the last deployment seen, enforces the deadline on every request.
pub(crate) struct Watcher<'a> {
    deployments: Deployments<'a>,
    name: String,
    version: String,
    source: Option<Source<'a>>,
    options: WaitOptions,
    deadline: Option<Instant>,
    started: Option<Instant>,
    last: Option<Deployment>,
    seen: Option<(String, DeploymentStatus)>,
    last_upload: Option<Instant>,
    phase: Phase,
}

impl<'a> Watcher<'a> {
    /// A deploy-and-wait of a prepared body.
    pub(crate) fn deploy_body(
        client: &'a Client,
        name: &str,
        version: &str,
        body: Bytes,
        options: WaitOptions,
    ) -> Self {
        Self {
            deployments: client.deployments(),
            name: name.to_owned(),
            version: version.to_owned(),
            source: Some(Source::Body(body)),
            options,
            deadline: None,
            started: None,
            last: None,
            seen: None,
            last_upload: None,
            phase: Phase::Upload,
        }
    }

    pub(crate) fn into_stream(self) -> BoxStream<'a, Result<Deployment>> {
        futures::stream::unfold(self, |mut watcher| async move {
            let item = watcher.step().await?;
            Some((item, watcher))
        })
        .boxed()
    }

    fn stop(&mut self, error: Error) -> Option<Result<Deployment>> {
        self.phase = Phase::Done;
        Some(Err(error))
    }

    fn timed_out(&mut self, started: Instant) -> Option<Result<Deployment>> {
        let what = match &self.phase {
            Phase::Follow { id, .. } => {
                format!("deployment {id} of {}@{}", self.name, self.version)
            }
            _ => format!("the deploy of {}@{}", self.name, self.version),
        };
        let error = Error::Timeout {
            what,
            elapsed: Instant::now().saturating_duration_since(started),
            last: self.last.clone().map(Box::new),
        };
        self.stop(error)
    }

    /// Sleep `interval` after `from`, unless that passes the deadline
    /// (then sleep until the deadline and say so).
    async fn pause(&self, from: Instant, deadline: Instant) -> bool {
        let next = from + self.options.interval;
        if next >= deadline {
            tokio::time::sleep_until(deadline).await;
            return false;
        }
        tokio::time::sleep_until(next).await;
        true
    }

    async fn step(&mut self) -> Option<Result<Deployment>> {
        let started = *self.started.get_or_insert_with(Instant::now);
        let deadline = *self
            .deadline
            .get_or_insert_with(|| started + self.options.timeout);
        loop {
            match &self.phase {
                Phase::Done => return None,
                Phase::Upload => {
                    if let Some(at) = self.last_upload
                        && !self.pause(at, deadline).await
                    {
                        return self.timed_out(started);
                    }
                    let body = match self.source.clone() {
                        Some(Source::Body(body)) => body,
                        Some(Source::Zip(zip)) => {
                            match tokio::time::timeout_at(deadline, zip.deploy_body()).await {
                                Err(_) => return self.timed_out(started),
                                Ok(Err(error)) => return self.stop(error),
                                Ok(Ok(body)) => {
                                    self.source = Some(Source::Body(body.clone()));
                                    body
                                }
                            }
                        }
                        None => return self.stop(Error::local("nothing to upload")),
                    };
                    let upload = self
                        .deployments
                        .deploy_body(&self.name, &self.version, body);
                    let answer = match tokio::time::timeout_at(deadline, upload).await {
                        Err(_) => return self.timed_out(started),
                        Ok(Err(error)) => return self.stop(error),
                        Ok(Ok(answer)) => answer,
                    };
                    self.last_upload = Some(Instant::now());
                    self.last = Some(answer.clone());
                    self.seen = Some((answer.id.clone(), answer.status.clone()));
                    if answer.repeat && self.options.if_busy == IfBusy::Fail {
                        return self.stop(Error::Busy {
                            deployment: Box::new(answer),
                        });
                    }
                    self.phase = Phase::Follow {
                        id: answer.id.clone(),
                        own: !answer.repeat,
                        sleep_first: true,
                    };
                    return Some(Ok(answer));
                }
                Phase::Follow {
                    id,
                    own,
                    sleep_first,
                } => {
                    let (id, own) = (id.clone(), *own);
                    if *sleep_first && !self.pause(Instant::now(), deadline).await {
                        return self.timed_out(started);
                    }
                    self.phase = Phase::Follow {
                        id: id.clone(),
                        own,
                        sleep_first: true,
                    };
                    let poll = self.deployments.get(&self.name, &self.version, &id);
                    let deployment = match tokio::time::timeout_at(deadline, poll).await {
                        Err(_) => return self.timed_out(started),
                        Ok(Err(error)) => return self.stop(error),
                        Ok(Ok(deployment)) => deployment,
                    };
                    let key = (deployment.id.clone(), deployment.status.clone());
                    let new = self.seen.as_ref() != Some(&key);
                    self.seen = Some(key);
                    self.last = Some(deployment.clone());
                    if deployment.is_terminal() {
                        if own {
                            self.phase = Phase::Done;
                            return Some(Ok(deployment));
                        }
                        // The deployment that made Tray skip our upload has
                        // ended: upload again.
                        self.phase = Phase::Upload;
                    }
                    if new {
                        return Some(Ok(deployment));
                    }
                }
            }
        }
    }
}
