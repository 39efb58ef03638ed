//! The one error type of the crate, and the mapping from the raw client's
//! errors to it.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use crate::deployments::Deployment;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The longest excerpt of a response body kept in an error, in characters.
pub const EXCERPT_CHARS: usize = 200;

/// What a call was about, in the user's words: the deployment, connector,
/// project, version or solution named in the request. Errors name it first
/// (`deployment acme-crm 1.0 latest: not found (HTTP 404)`), and the hints
/// differ by it (a 404 on a project is not a 404 on a connector).
///
/// ```
/// let subject = tray_api::Subject::deployment("acme-crm", "1.0", "latest");
/// assert_eq!(subject.to_string(), "deployment acme-crm 1.0 latest");
/// let project = uuid::Uuid::nil();
/// assert_eq!(
///     tray_api::Subject::version(project, "3").to_string(),
///     format!("version 3 of project {project}")
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Subject {
    /// One deployment of a connector version (`id` may be `latest`).
    Deployment {
        /// Connector name.
        name: String,
        /// Connector version.
        version: String,
        /// Deployment id or `latest`.
        id: String,
    },
    /// A connector version (deploy, share).
    Connector {
        /// Connector name.
        name: String,
        /// Connector version.
        version: String,
    },
    /// A project (list its versions, import into it).
    Project {
        /// Project id.
        id: uuid::Uuid,
    },
    /// One version of a project (create, export).
    Version {
        /// Project id.
        project: uuid::Uuid,
        /// Version number.
        version: String,
    },
    /// An embedded solution (release preview, release).
    Solution {
        /// Solution id.
        id: uuid::Uuid,
    },
}

impl Subject {
    /// A deployment of `name` `version` (`id` may be `latest`).
    pub fn deployment(name: &str, version: &str, id: &str) -> Self {
        Self::Deployment {
            name: name.to_owned(),
            version: version.to_owned(),
            id: id.to_owned(),
        }
    }

    /// A connector version.
    ///
    /// ```
    /// assert_eq!(tray_api::Subject::connector("acme", "1.0").to_string(), "connector acme 1.0");
    /// ```
    pub fn connector(name: &str, version: &str) -> Self {
        Self::Connector {
            name: name.to_owned(),
            version: version.to_owned(),
        }
    }

    /// A project.
    pub fn project(id: uuid::Uuid) -> Self {
        Self::Project { id }
    }

    /// A version of a project.
    pub fn version(project: uuid::Uuid, version: &str) -> Self {
        Self::Version {
            project,
            version: version.to_owned(),
        }
    }

    /// An embedded solution.
    pub fn solution(id: uuid::Uuid) -> Self {
        Self::Solution { id }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Deployment { name, version, id } => write!(f, "deployment {name} {version} {id}"),
            Self::Connector { name, version } => write!(f, "connector {name} {version}"),
            Self::Project { id } => write!(f, "project {id}"),
            Self::Version { project, version } => {
                write!(f, "version {version} of project {project}")
            }
            Self::Solution { id } => write!(f, "solution {id}"),
        }
    }
}

/// What Tray answered when a call failed: the subject and operation, the
/// HTTP status and Tray's `message` and `code` when the body had them.
///
/// ```
/// use tray_api::{ApiErrorDetails, Subject};
/// let details = ApiErrorDetails::new("get_deployment", 404)
///     .with_message("Not found")
///     .with_subject(Subject::deployment("acme-crm", "1.0", "latest"));
/// assert_eq!(
///     details.to_string(),
///     "deployment acme-crm 1.0 latest: HTTP 404: Not found"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiErrorDetails {
    /// The snake_case operation id (`"deploy_connector"`, `"import_project"`),
    /// for machines; messages name the [`subject`](Self::subject).
    pub operation: &'static str,
    /// What the call was about, when known.
    pub subject: Option<Box<Subject>>,
    /// The HTTP status.
    pub status: u16,
    /// Tray's `message`, when the body was Tray's JSON error.
    pub message: Option<String>,
    /// Tray's `code`, when present (usually `null`).
    pub code: Option<String>,
    /// The start of the body (at most [`EXCERPT_CHARS`] characters) when it
    /// was not Tray's JSON error, e.g. an HTML page from a proxy.
    pub excerpt: Option<String>,
}

impl ApiErrorDetails {
    /// Details of a `status` answer to `operation`, with nothing else known.
    ///
    /// ```
    /// let details = tray_api::ApiErrorDetails::new("get_deployment", 401);
    /// assert_eq!(details.to_string(), "get_deployment: HTTP 401");
    /// ```
    pub fn new(operation: &'static str, status: u16) -> Self {
        Self {
            operation,
            subject: None,
            status,
            message: None,
            code: None,
            excerpt: None,
        }
    }

    /// Set Tray's `message`.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Set the subject.
    pub fn with_subject(mut self, subject: Subject) -> Self {
        self.subject = Some(Box::new(subject));
        self
    }

    fn who(&self) -> String {
        who(self.subject.as_deref(), self.operation)
    }

    /// `WHO: LABEL (HTTP STATUS): MESSAGE (code C) (non-JSON body: ...)`.
    fn describe(&self, f: &mut fmt::Formatter<'_>, label: &str) -> fmt::Result {
        write!(f, "{}: {label} (HTTP {})", self.who(), self.status)?;
        self.tail(f, Some(label))
    }

    fn tail(&self, f: &mut fmt::Formatter<'_>, label: Option<&str>) -> fmt::Result {
        if let Some(message) = &self.message
            && label.is_none_or(|label| !message.trim().eq_ignore_ascii_case(label))
        {
            write!(f, ": {message}")?;
        }
        if let Some(code) = &self.code {
            write!(f, " (code {code})")?;
        }
        if let Some(excerpt) = &self.excerpt {
            write!(f, " (non-JSON body: {excerpt})")?;
        }
        Ok(())
    }
}

fn who(subject: Option<&Subject>, operation: &str) -> String {
    match subject {
        Some(subject) => subject.to_string(),
        None => operation.to_owned(),
    }
}

impl fmt::Display for ApiErrorDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.who(), self.status)?;
        self.tail(f, None)
    }
}

/// Displays an HTTP error variant: `WHO: LABEL (HTTP STATUS): MESSAGE`.
struct Http<'a>(&'a ApiErrorDetails, &'static str);

impl fmt::Display for Http<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.describe(f, self.1)
    }
}

/// An authentication of an exported project that the destination cannot
/// resolve by itself (see [`Error::UnresolvedAuthentications`]).
///
/// Built by the library from Tray's import requirements (Tray may add
/// fields: `#[non_exhaustive]`).
///
/// ```no_run
/// # async fn run(staging: tray_api::Client, production: tray_api::Client, src: uuid::Uuid, dst: uuid::Uuid) {
/// use tray_api::promote::Promotion;
/// if let Err(tray_api::Error::UnresolvedAuthentications { list }) =
///     Promotion::from(&staging, src, "4").to(&production, dst).run().await
/// {
///     for auth in list {
///         // e.g. "a1: Slack (prod) (service slack@2)"
///         eprintln!("resolve {auth} with --auth-resolution {}=UUID", auth.auth_export_id);
///     }
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct UnresolvedAuthentication {
    /// The export id to pass in an auth resolution (`EXPORT_ID=UUID`).
    pub auth_export_id: String,
    /// The title of the authentication in the source project.
    pub title: String,
    /// The service it authenticates.
    pub service_name: String,
    /// The service version.
    pub service_version: String,
}

impl fmt::Display for UnresolvedAuthentication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (service {}@{})",
            self.auth_export_id, self.title, self.service_name, self.service_version
        )
    }
}

fn list_auths(list: &[UnresolvedAuthentication]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The variants that carry Tray's answer ([`ApiErrorDetails`]), listed
/// once: `Some(d)` (shared or mutable, as the scrutinee) or `None`.
macro_rules! api_details {
    ($error:expr) => {
        match $error {
            Error::Unauthorized(d)
            | Error::Forbidden(d)
            | Error::NotFound(d)
            | Error::InvalidInput(d)
            | Error::RateLimited(d)
            | Error::Server(d)
            | Error::UnexpectedStatus(d) => Some(d),
            _ => None,
        }
    };
}

/// Everything that can go wrong. Match on the variant to branch; use
/// [`Error::status`], [`Error::message`], [`Error::is_local`],
/// [`Error::outcome_unknown`] and [`Error::hint`] for reporting.
///
/// Messages name what the call was about ([`Error::subject`]), e.g.
/// `deployment acme-crm 1.0 latest: not found (HTTP 404)`;
/// [`Error::operation`] keeps the generated operation id for machines.
///
/// The API token is never part of an error.
///
/// ```
/// # async fn run(client: tray_api::Client) {
/// match client.deployments().get("my-connector", "1.0", "latest").await {
///     Ok(deployment) => println!("{}", deployment.status),
///     Err(tray_api::Error::NotFound(details)) => println!("no deployment yet: {details}"),
///     Err(error) => eprintln!("{error} ({})", error.hint().unwrap_or("")),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 401: the token is missing, wrong, or from another region.
    #[error("{}", Http(.0, "unauthorized"))]
    Unauthorized(ApiErrorDetails),
    /// 403: the token's API user may not do this.
    #[error("{}", Http(.0, "forbidden"))]
    Forbidden(ApiErrorDetails),
    /// 404: no such connector, deployment, project, version or solution.
    #[error("{}", Http(.0, "not found"))]
    NotFound(ApiErrorDetails),
    /// 400: Tray rejected the request; `message` says why.
    #[error("{}", Http(.0, "rejected"))]
    InvalidInput(ApiErrorDetails),
    /// 429 after the configured retries.
    #[error("{}", Http(.0, "rate limited"))]
    RateLimited(ApiErrorDetails),
    /// 5xx (after the retries allowed for the operation).
    #[error("{}", Http(.0, "server error"))]
    Server(ApiErrorDetails),
    /// Any other status.
    #[error("{}", Http(.0, "unexpected status"))]
    UnexpectedStatus(ApiErrorDetails),
    /// The deployment finished with status `Failed`.
    #[error(
        "deployment {} {} {}: failed",
        deployment.connector_name,
        deployment.connector_version,
        deployment.id
    )]
    DeploymentFailed {
        /// The failed deployment.
        deployment: Box<Deployment>,
    },
    /// Tray skipped the upload of a deploy-and-wait with
    /// [`IfBusy::Fail`](crate::IfBusy): a deployment of the same connector
    /// version (an older zip) is in progress.
    #[error(
        "a deployment of {}@{} is already in progress ({}): Tray skipped this upload",
        deployment.connector_name,
        deployment.connector_version,
        deployment.id
    )]
    Busy {
        /// The deployment in progress (Tray's answer, `repeat: true`).
        deployment: Box<Deployment>,
    },
    /// Gave up waiting.
    #[error("timed out after {:.1}s waiting for {what}{}", elapsed.as_secs_f64(), last.as_ref().map(|d| format!(" (last status {})", d.status)).unwrap_or_default())]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long it waited.
        elapsed: Duration,
        /// The last deployment observed, if any.
        last: Option<Box<Deployment>>,
    },
    /// The request did not complete: DNS, connect, TLS, timeout, reset, or
    /// a connection lost in the middle of the response body.
    #[error("{}: request failed: {message}", who(subject.as_deref(), operation))]
    Transport {
        /// The operation.
        operation: &'static str,
        /// What the call was about, when known.
        subject: Option<Box<Subject>>,
        /// What happened (never contains the token).
        message: String,
        /// The underlying error.
        #[source]
        source: Option<reqwest::Error>,
    },
    /// A response that could not be understood: a success status with a
    /// body that is not the documented JSON (cut off, or not JSON at all).
    #[error("{}: invalid response{}: {message}{}", who(subject.as_deref(), operation), status.map(|s| format!(" (HTTP {s})")).unwrap_or_default(), quote_excerpt(excerpt))]
    InvalidResponse {
        /// The operation.
        operation: &'static str,
        /// What the call was about, when known.
        subject: Option<Box<Subject>>,
        /// The HTTP status, when known.
        status: Option<u16>,
        /// What was wrong with it.
        message: String,
        /// The start of the body (at most [`EXCERPT_CHARS`] characters).
        excerpt: String,
    },
    /// A write (create a version, import, release, share, deploy) failed
    /// after its request was sent: a timeout, a lost connection, a 5xx or an
    /// answer that is not Tray's JSON. The change **may have been applied**;
    /// check before repeating it ([`Error::hint`] says how).
    #[error("{source}; the change may have been applied")]
    OutcomeUnknown {
        /// What failed.
        source: Box<Error>,
    },
    /// Invalid local input, found before any request (a malformed email,
    /// a bad mapping, an empty version number).
    #[error("{message}")]
    Local {
        /// What is wrong.
        message: String,
    },
    /// A local file could not be read (or written) before any request.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A connector zip (or connector project folder) that breaks the
    /// connector zip rule (see [`ConnectorZip`](crate::ConnectorZip)),
    /// found before any request; branch on `source`.
    #[error("{} {source}", path.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "the zip".to_owned()))]
    InvalidZip {
        /// The zip file or project folder, when the zip came from a path.
        path: Option<std::path::PathBuf>,
        /// What is wrong.
        #[source]
        source: crate::connector_zip::ZipError,
    },
    /// What Tray answered could not be saved (an export written to a file
    /// or stdout): the request had succeeded.
    #[error("cannot write {}: {source}", path.as_ref().map_or_else(|| "the output".to_owned(), |p| p.display().to_string()))]
    WriteResult {
        /// The file, when writing to one.
        path: Option<std::path::PathBuf>,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Promoting a project needs authentications the destination cannot
    /// resolve and no resolution was given for them.
    #[error(
        "the import needs authentications that are not resolved: {}",
        list_auths(list)
    )]
    UnresolvedAuthentications {
        /// The authentications to resolve.
        list: Vec<UnresolvedAuthentication>,
    },
    /// No usable API token was found (unset, blank, or `Bearer ` alone),
    /// before any request. `message` says where it was looked for.
    #[error("{message}")]
    NoToken {
        /// Where the token was looked for.
        message: String,
    },
    /// Bad client settings (base URL, token, region, config file).
    #[error("invalid client configuration: {message}")]
    Config {
        /// What is wrong.
        message: String,
    },
    /// A promotion failed after its import was applied at the destination,
    /// or at a write whose outcome is unknown (the request was sent
    /// and the answer lost: the change may have been applied). The report
    /// says what was done; its
    /// [`unknown_step`](crate::promote::PromoteReport::unknown_step) names
    /// the write that may have been applied.
    #[error("{}: {source}", crate::promote::incomplete_summary(report))]
    PromotionIncomplete {
        /// Every step done before the failure.
        report: Box<crate::promote::PromoteReport>,
        /// What failed.
        source: Box<Error>,
    },
}

impl Error {
    pub(crate) fn local(message: impl Into<String>) -> Self {
        Self::Local {
            message: message.into(),
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::Config {
            message: message.into(),
        }
    }

    /// The API details of an HTTP error variant.
    ///
    /// ```
    /// let error = tray_api::Error::Local { message: "bad".into() };
    /// assert!(error.details().is_none());
    /// ```
    pub fn details(&self) -> Option<&ApiErrorDetails> {
        match self {
            Self::PromotionIncomplete { source, .. } | Self::OutcomeUnknown { source } => {
                source.details()
            }
            other => api_details!(other),
        }
    }

    /// What the failed call was about (the deployment, connector, project,
    /// version or solution), when a request was involved.
    ///
    /// ```
    /// let error = tray_api::Error::Local { message: "bad".into() };
    /// assert!(error.subject().is_none());
    /// ```
    pub fn subject(&self) -> Option<&Subject> {
        match self {
            Self::PromotionIncomplete { source, .. } | Self::OutcomeUnknown { source } => {
                source.subject()
            }
            Self::Transport { subject, .. } | Self::InvalidResponse { subject, .. } => {
                subject.as_deref()
            }
            _ => self.details().and_then(|d| d.subject.as_deref()),
        }
    }

    /// The same error, about `subject` (set by each call of this crate).
    pub(crate) fn about(mut self, about: &Subject) -> Self {
        match &mut self {
            Self::Transport { subject, .. } | Self::InvalidResponse { subject, .. } => {
                *subject = Some(Box::new(about.clone()));
            }
            other => {
                if let Some(d) = api_details!(other) {
                    d.subject = Some(Box::new(about.clone()));
                }
            }
        }
        self
    }

    /// The HTTP status, when the error comes from a response.
    ///
    /// ```
    /// let error = tray_api::Error::Local { message: "bad".into() };
    /// assert_eq!(error.status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::PromotionIncomplete { source, .. } | Self::OutcomeUnknown { source } => {
                source.status()
            }
            Self::InvalidResponse { status, .. } => *status,
            Self::Transport { source, .. } => source
                .as_ref()
                .and_then(reqwest::Error::status)
                .map(|s| s.as_u16()),
            _ => self.details().map(|d| d.status),
        }
    }

    /// Tray's `message` for an HTTP error, or the local message.
    ///
    /// ```
    /// let error = tray_api::Error::Local { message: "bad zip".into() };
    /// assert_eq!(error.message(), Some("bad zip"));
    /// ```
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::PromotionIncomplete { source, .. } | Self::OutcomeUnknown { source } => {
                source.message()
            }
            Self::Local { message } | Self::Config { message } | Self::NoToken { message } => {
                Some(message)
            }
            Self::Transport { message, .. } | Self::InvalidResponse { message, .. } => {
                Some(message)
            }
            _ => self.details().and_then(|d| d.message.as_deref()),
        }
    }

    /// Tray's `code`, when present.
    ///
    /// ```
    /// let error = tray_api::Error::Local { message: "bad".into() };
    /// assert_eq!(error.code(), None);
    /// ```
    pub fn code(&self) -> Option<&str> {
        self.details().and_then(|d| d.code.as_deref())
    }

    /// The generated operation that failed (`"get_deployment"`), when a
    /// request was involved: for machines and logs; messages name the
    /// [`subject`](Self::subject).
    ///
    /// ```
    /// let error = tray_api::Error::Local { message: "bad".into() };
    /// assert_eq!(error.operation(), None);
    /// ```
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Self::PromotionIncomplete { source, .. } | Self::OutcomeUnknown { source } => {
                source.operation()
            }
            Self::Transport { operation, .. } | Self::InvalidResponse { operation, .. } => {
                Some(operation)
            }
            _ => self.details().map(|d| d.operation),
        }
    }

    /// Bad local input or settings, found before any request was sent
    /// (exit code 2 in the CLI): [`Error::Local`], [`Error::Config`],
    /// [`Error::NoToken`], [`Error::Io`] and [`Error::InvalidZip`]. An error after a request
    /// (even a local one, such as [`Error::WriteResult`]) is not.
    ///
    /// ```
    /// assert!(tray_api::Error::Local { message: "bad".into() }.is_local());
    /// ```
    pub fn is_local(&self) -> bool {
        matches!(
            self,
            Self::Local { .. }
                | Self::Config { .. }
                | Self::NoToken { .. }
                | Self::Io { .. }
                | Self::InvalidZip { .. }
        )
    }

    /// Whether a write failed after its request was sent, so that the
    /// change may or may not have been applied ([`Error::OutcomeUnknown`],
    /// also inside a [`Error::PromotionIncomplete`]). Check before
    /// repeating the write.
    ///
    /// ```
    /// assert!(!tray_api::Error::Local { message: "bad".into() }.outcome_unknown());
    /// ```
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::OutcomeUnknown { .. } => true,
            Self::PromotionIncomplete { source, .. } => source.outcome_unknown(),
            _ => false,
        }
    }

    /// A short suggestion of what to do about it, for people. It differs by
    /// what the call was about (a 404 on a project is not a 404 on a
    /// connector).
    ///
    /// ```
    /// let error = tray_api::Error::Unauthorized(tray_api::ApiErrorDetails::new("get_deployment", 401));
    /// assert!(error.hint().unwrap().contains("token"));
    /// ```
    pub fn hint(&self) -> Option<&str> {
        let subject = self.subject();
        Some(match self {
            Self::PromotionIncomplete { report, .. } => crate::promote::incomplete_hint(report),
            Self::OutcomeUnknown { source } => match (subject, source.operation()) {
                (_, Some(op)) if op == tray_api_raw::Operation::DeployConnector.id() => {
                    "read the connector version's latest deployment before deploying again"
                }
                (Some(Subject::Connector { .. }), _) => {
                    "sharing again is harmless: repeat the share, or check the connector's users in Tray"
                }
                (Some(Subject::Version { .. }), _) => {
                    "list the project's versions to see whether the version exists before creating it again"
                }
                (Some(Subject::Solution { .. }), _) => {
                    "check the solution's releases in Tray before releasing again"
                }
                _ => "check the destination project before importing again",
            },
            Self::Unauthorized(_) => {
                "check the token and the region: tokens are per region (TRAY_API_TOKEN_<REGION>, TRAY_API_TOKEN)"
            }
            Self::Forbidden(_) => match subject {
                Some(Subject::Connector { .. } | Subject::Deployment { .. }) => {
                    "the token's API user may not use this connector: use the token that deployed it"
                }
                _ => {
                    "the token's API user lacks permission: use a token of an API user that owns the project or solution"
                }
            },
            Self::NotFound(_) => match subject {
                Some(Subject::Deployment { .. }) => {
                    "no such deployment in this region: check the connector name and version, the deployment id and the region"
                }
                Some(Subject::Connector { .. }) => {
                    "the connector version is not deployed in this region: check its name and version, or deploy it first"
                }
                Some(Subject::Project { .. }) => {
                    "no such project for this token: check the project id and the region"
                }
                Some(Subject::Version { .. }) => {
                    "no such version of the project: list its versions, and check the project id and the region"
                }
                Some(Subject::Solution { .. }) => {
                    "no such solution for this token: check the solution id and the region"
                }
                None => "check the names and ids and the region",
            },
            Self::InvalidInput(_) => "Tray rejected the request; see its message",
            Self::RateLimited(_) => {
                "Tray allows 30 requests/s per token; retry later or lower the concurrency"
            }
            Self::Server(_) => "Tray (or a proxy in front of it) failed; retry later",
            Self::DeploymentFailed { .. } => {
                "the connector did not build or start; check it builds locally (tray-cdk connector build) and deploy again"
            }
            Self::Timeout { .. } => {
                "the deployment may still finish: check its status later or wait longer"
            }
            Self::Busy { .. } => {
                "wait for the running deployment to end and deploy again (or let the deploy wait for it: IfBusy::Wait, the CLI's --if-busy wait)"
            }
            Self::Transport { source, .. } if source.as_ref().is_some_and(|e| e.is_connect()) => {
                "could not connect: check the network connection and the base URL or region"
            }
            Self::Transport { .. } => {
                "the connection failed during the call (timeout or lost connection); retry later"
            }
            Self::InvalidResponse { excerpt, .. } if looks_like_json(excerpt) => {
                "the answer was cut off (a lost connection or a proxy); retry"
            }
            Self::InvalidResponse { .. } => {
                "the answer was not Tray's JSON: check the base URL (a proxy or a wrong host?)"
            }
            Self::UnresolvedAuthentications { .. } => {
                "resolve each listed authentication with an auth resolution EXPORT_ID=AUTHENTICATION_UUID"
            }
            Self::Config { .. } => "check the region, base URL and token settings",
            Self::NoToken { .. } => {
                "tokens are per region: TRAY_API_TOKEN_<REGION> (e.g. TRAY_API_TOKEN_EU), else TRAY_API_TOKEN"
            }
            Self::InvalidZip { source, .. } => source.hint(),
            _ => return None,
        })
    }

    /// A stable snake_case name of the variant, for machines (the `kind`
    /// of the error's JSON document).
    ///
    /// ```
    /// assert_eq!(tray_api::Error::Local { message: "bad".into() }.kind(), "local");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::InvalidInput(_) => "invalid_input",
            Self::RateLimited(_) => "rate_limited",
            Self::Server(_) => "server",
            Self::UnexpectedStatus(_) => "unexpected_status",
            Self::DeploymentFailed { .. } => "deployment_failed",
            Self::Timeout { .. } => "timeout",
            Self::Busy { .. } => "busy",
            Self::Transport { .. } => "transport",
            Self::InvalidResponse { .. } => "invalid_response",
            Self::OutcomeUnknown { .. } => "outcome_unknown",
            Self::Local { .. } => "local",
            Self::Io { .. } => "io",
            Self::InvalidZip { .. } => "invalid_zip",
            Self::WriteResult { .. } => "write_result",
            Self::UnresolvedAuthentications { .. } => "unresolved_authentications",
            Self::Config { .. } => "config",
            Self::NoToken { .. } => "no_token",
            Self::PromotionIncomplete { .. } => "promotion_incomplete",
        }
    }

    /// Whether retrying later might succeed (rate limit, 5xx, transport).
    ///
    /// ```
    /// assert!(!tray_api::Error::Local { message: "bad".into() }.is_transient());
    /// ```
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited(_) | Self::Server(_) | Self::Transport { .. }
        )
    }

    /// The error for an HTTP error status and its body.
    pub(crate) fn from_status(operation: &'static str, status: u16, body: &[u8]) -> Self {
        let (message, code, excerpt) = match serde_json::from_slice::<tray_api_raw::ApiError>(body)
        {
            Ok(api) => (api.message, api.code, None),
            Err(_) if body.is_empty() => (None, None, None),
            Err(_) => (None, None, Some(excerpt(body))),
        };
        Self::from_details(ApiErrorDetails {
            operation,
            subject: None,
            status,
            message,
            code,
            excerpt,
        })
    }

    pub(crate) fn from_details(details: ApiErrorDetails) -> Self {
        match details.status {
            400 => Self::InvalidInput(details),
            401 => Self::Unauthorized(details),
            403 => Self::Forbidden(details),
            404 => Self::NotFound(details),
            429 => Self::RateLimited(details),
            500..=599 => Self::Server(details),
            _ => Self::UnexpectedStatus(details),
        }
    }

    pub(crate) fn transport(operation: &'static str, source: reqwest::Error) -> Self {
        // reqwest's Display includes the URL, which never carries the token.
        let mut message = describe_reqwest(&source);
        if source.is_body() || source.is_decode() {
            message = format!("the connection was lost while reading the answer: {message}");
        }
        Self::Transport {
            operation,
            subject: None,
            message,
            source: Some(source),
        }
    }

    pub(crate) fn invalid_response(
        operation: &'static str,
        status: Option<u16>,
        message: impl Into<String>,
        body: &[u8],
    ) -> Self {
        Self::InvalidResponse {
            operation,
            subject: None,
            status,
            message: message.into(),
            excerpt: excerpt(body),
        }
    }

    /// Whether this error, from a write, leaves its outcome unknown: the
    /// request may have been acted on (not a refused connection, a 4xx or
    /// a 429, which Tray answers before doing anything).
    pub(crate) fn after_sending(&self) -> bool {
        match self {
            Self::Transport { source, .. } => !source.as_ref().is_some_and(|e| e.is_connect()),
            Self::InvalidResponse { .. } | Self::Server(_) => true,
            Self::UnexpectedStatus(d) => d.status >= 500,
            _ => false,
        }
    }
}

/// `; body starts with: "…"` for a body that is not JSON (an HTML page
/// says where the answer came from); nothing for JSON cut off, whose start
/// says nothing more.
fn quote_excerpt(excerpt: &str) -> String {
    if excerpt.is_empty() || looks_like_json(excerpt) {
        String::new()
    } else {
        format!("; body starts with: {excerpt:?}")
    }
}

/// Whether a body excerpt starts like a JSON document (so an invalid one was
/// most likely cut off).
fn looks_like_json(excerpt: &str) -> bool {
    excerpt.starts_with('{') || excerpt.starts_with('[')
}

/// The one JSON shape of an error, used wherever an error is written as
/// JSON (the CLI's `-o json` documents, [`RegionOutcome`](crate::RegionOutcome)):
/// `{"kind", "message", "status", "code", "operation", "hint"}`, with
/// `null` for what does not apply. `message` is the error's `Display`.
///
/// ```
/// let error = tray_api::Error::Local { message: "bad zip".into() };
/// assert_eq!(
///     serde_json::to_value(&error).unwrap(),
///     serde_json::json!({
///         "kind": "local", "message": "bad zip", "status": null,
///         "code": null, "operation": null, "hint": null,
///     })
/// );
/// ```
impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Error", 6)?;
        s.serialize_field("kind", self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        s.serialize_field("status", &self.status())?;
        s.serialize_field("code", &self.code())?;
        s.serialize_field("operation", &self.operation())?;
        s.serialize_field("hint", &self.hint())?;
        s.end()
    }
}

pub(crate) fn describe_reqwest(error: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    message
}

/// The first [`EXCERPT_CHARS`] characters of a body (lossy UTF-8, trimmed,
/// whitespace runs collapsed).
pub(crate) fn excerpt(body: &[u8]) -> String {
    let head = &body[..body.len().min(EXCERPT_CHARS * 4)];
    let text = String::from_utf8_lossy(head);
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = collapsed.chars().take(EXCERPT_CHARS).collect();
    if collapsed.chars().count() > EXCERPT_CHARS || body.len() > head.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_is_bounded() {
        let body = "x".repeat(1000);
        let e = excerpt(body.as_bytes());
        assert!(e.chars().count() <= EXCERPT_CHARS + 1);
        assert_eq!(excerpt(b"  <html>\n  <b>502</b> "), "<html> <b>502</b>");
    }

    #[test]
    fn status_mapping() {
        let e = Error::from_status("op", 502, b"<html>Bad Gateway</html>");
        assert!(
            matches!(e, Error::Server(ref d) if d.excerpt.as_deref() == Some("<html>Bad Gateway</html>"))
        );
        let e = Error::from_status("op", 400, br#"{"message":"nope","code":null}"#);
        assert_eq!(e.message(), Some("nope"));
        assert!(matches!(e, Error::InvalidInput(_)));
    }
}
