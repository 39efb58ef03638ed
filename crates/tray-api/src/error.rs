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

/// What Tray answered when a call failed: the operation, the HTTP status and
/// Tray's `message` and `code` when the body had them.
///
/// ```
/// use tray_api::ApiErrorDetails;
/// let details = ApiErrorDetails {
///     operation: "get_deployment",
///     status: 404,
///     message: Some("Not found".into()),
///     code: None,
///     excerpt: None,
/// };
/// assert_eq!(details.to_string(), "get_deployment: HTTP 404: Not found");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiErrorDetails {
    /// The snake_case operation id (`"deploy_connector"`, `"import_project"`).
    pub operation: &'static str,
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

impl fmt::Display for ApiErrorDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.operation, self.status)?;
        if let Some(message) = &self.message {
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

/// An authentication of an exported project that the destination cannot
/// resolve by itself (see [`Error::UnresolvedAuthentications`]).
///
/// ```
/// let auth = tray_api::UnresolvedAuthentication {
///     auth_export_id: "a1".into(),
///     title: "Slack (prod)".into(),
///     service_name: "slack".into(),
///     service_version: "2".into(),
/// };
/// assert_eq!(auth.to_string(), "a1: Slack (prod) (service slack@2)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// Everything that can go wrong. Match on the variant to branch; use
/// [`Error::status`], [`Error::message`], [`Error::is_local`] and
/// [`Error::hint`] for reporting.
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
    #[error("unauthorized: {0}")]
    Unauthorized(ApiErrorDetails),
    /// 403: the token's API user may not do this.
    #[error("forbidden: {0}")]
    Forbidden(ApiErrorDetails),
    /// 404: no such connector, deployment, project, version or solution.
    #[error("not found: {0}")]
    NotFound(ApiErrorDetails),
    /// 400: Tray rejected the request; `message` says why.
    #[error("invalid input: {0}")]
    InvalidInput(ApiErrorDetails),
    /// 429 after the configured retries.
    #[error("rate limited: {0}")]
    RateLimited(ApiErrorDetails),
    /// 5xx (after the retries allowed for the operation).
    #[error("server error: {0}")]
    Server(ApiErrorDetails),
    /// Any other status.
    #[error("unexpected status: {0}")]
    UnexpectedStatus(ApiErrorDetails),
    /// The deployment finished with status `Failed`.
    #[error(
        "deployment {} of {}@{} failed",
        deployment.id,
        deployment.connector_name,
        deployment.connector_version
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
    /// The request did not complete: DNS, connect, TLS, timeout, reset.
    #[error("{operation}: request failed: {message}")]
    Transport {
        /// The operation.
        operation: &'static str,
        /// What happened (never contains the token).
        message: String,
        /// The underlying error.
        #[source]
        source: Option<reqwest::Error>,
    },
    /// A response that could not be read or understood: a success status
    /// with a body that is not the documented JSON, truncated or malformed.
    #[error("{operation}: invalid response{}: {message}; body starts with: {excerpt:?}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    InvalidResponse {
        /// The operation.
        operation: &'static str,
        /// The HTTP status, when known.
        status: Option<u16>,
        /// What was wrong with it.
        message: String,
        /// The start of the body (at most [`EXCERPT_CHARS`] characters).
        excerpt: String,
    },
    /// Invalid local input, found before any request (a file that is not a
    /// connector zip, a malformed email, a bad mapping).
    #[error("{message}")]
    Local {
        /// What is wrong.
        message: String,
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
    /// Bad client settings (base URL, token, region).
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
            Self::Unauthorized(d)
            | Self::Forbidden(d)
            | Self::NotFound(d)
            | Self::InvalidInput(d)
            | Self::RateLimited(d)
            | Self::Server(d)
            | Self::UnexpectedStatus(d) => Some(d),
            Self::PromotionIncomplete { source, .. } => source.details(),
            _ => None,
        }
    }

    /// The HTTP status, when the error comes from a response.
    ///
    /// ```
    /// let error = tray_api::Error::Local { message: "bad".into() };
    /// assert_eq!(error.status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::PromotionIncomplete { source, .. } => source.status(),
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
            Self::PromotionIncomplete { source, .. } => source.message(),
            Self::Local { message } | Self::Config { message } => Some(message),
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

    /// The operation that failed, when a request was involved.
    ///
    /// ```
    /// let error = tray_api::Error::Local { message: "bad".into() };
    /// assert_eq!(error.operation(), None);
    /// ```
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Self::PromotionIncomplete { source, .. } => source.operation(),
            Self::Transport { operation, .. } | Self::InvalidResponse { operation, .. } => {
                Some(operation)
            }
            _ => self.details().map(|d| d.operation),
        }
    }

    /// Bad local input or settings, found before any request (exit code 2
    /// in the CLI): [`Error::Local`], [`Error::InvalidZip`] and
    /// [`Error::Config`].
    ///
    /// ```
    /// assert!(tray_api::Error::Local { message: "bad".into() }.is_local());
    /// ```
    pub fn is_local(&self) -> bool {
        matches!(
            self,
            Self::Local { .. } | Self::Config { .. } | Self::InvalidZip { .. }
        )
    }

    /// A short suggestion of what to do about it, for people.
    ///
    /// ```
    /// let error = tray_api::Error::Unauthorized(tray_api::ApiErrorDetails {
    ///     operation: "get_deployment",
    ///     status: 401,
    ///     message: None,
    ///     code: None,
    ///     excerpt: None,
    /// });
    /// assert!(error.hint().unwrap().contains("token"));
    /// ```
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self {
            Self::PromotionIncomplete { report, .. } => crate::promote::incomplete_hint(report),
            Self::Unauthorized(_) => {
                "check the token and the region: tokens are per region (TRAY_API_TOKEN)"
            }
            Self::Forbidden(_) => {
                "the token's API user lacks permission: use the token that deployed the connector or owns the project"
            }
            Self::NotFound(_) => {
                "check the connector name and version (or the project/solution id) and the region"
            }
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
            Self::Transport { .. } => "check the network connection and the base URL",
            Self::InvalidResponse { .. } => {
                "the answer was not Tray's JSON: check the base URL (a proxy or a wrong host?)"
            }
            Self::UnresolvedAuthentications { .. } => {
                "resolve each listed authentication with an auth resolution EXPORT_ID=AUTHENTICATION_UUID"
            }
            Self::Config { .. } => "check the region, base URL and token settings",
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
            Self::Local { .. } => "local",
            Self::InvalidZip { .. } => "invalid_zip",
            Self::UnresolvedAuthentications { .. } => "unresolved_authentications",
            Self::Config { .. } => "config",
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
        let message = describe_reqwest(&source);
        Self::Transport {
            operation,
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
            status,
            message: message.into(),
            excerpt: excerpt(body),
        }
    }
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

fn describe_reqwest(error: &reqwest::Error) -> String {
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

tokio::task_local! {
    /// The status of the last response the transport saw in this call, so
    /// that a malformed body can be reported with its status.
    pub(crate) static LAST_STATUS: std::cell::Cell<Option<u16>>;
}

pub(crate) fn record_status(status: u16) {
    let _ = LAST_STATUS.try_with(|cell| cell.set(Some(status)));
}

/// Runs a generated call and maps its error.
pub(crate) async fn call<T, F>(operation: &'static str, fut: F) -> Result<T>
where
    T: serde::de::DeserializeOwned,
    F: std::future::Future<
            Output = std::result::Result<
                tray_api_raw::ResponseValue<T>,
                tray_api_raw::Error<tray_api_raw::ApiError>,
            >,
        >,
{
    let (result, status) = LAST_STATUS
        .scope(std::cell::Cell::new(None), async move {
            let result = fut.await;
            (result, LAST_STATUS.with(std::cell::Cell::get))
        })
        .await;
    match result {
        Ok(value) => Ok(value.into_inner()),
        Err(error) => map_raw(operation, status, error).await,
    }
}

/// Maps a raw error; a 2xx the spec does not list (say 200 where 201 is
/// documented) is parsed as `T` and accepted.
async fn map_raw<T: serde::de::DeserializeOwned>(
    operation: &'static str,
    status: Option<u16>,
    error: tray_api_raw::Error<tray_api_raw::ApiError>,
) -> Result<T> {
    use tray_api_raw::Error as Raw;
    Err(match error {
        Raw::ErrorResponse(value) => {
            let status = value.status().as_u16();
            let api = value.into_inner();
            Error::from_details(ApiErrorDetails {
                operation,
                status,
                message: api.message,
                code: api.code,
                excerpt: None,
            })
        }
        Raw::UnexpectedResponse(response) => {
            let status = response.status();
            let body = match response.bytes().await {
                Ok(body) => body,
                Err(e) => {
                    return Err(Error::invalid_response(
                        operation,
                        Some(status.as_u16()),
                        format!("cannot read the body: {}", describe_reqwest(&e)),
                        b"",
                    ));
                }
            };
            if status.is_success() {
                return serde_json::from_slice::<T>(&body).map_err(|e| {
                    Error::invalid_response(
                        operation,
                        Some(status.as_u16()),
                        format!("malformed JSON: {e}"),
                        &body,
                    )
                });
            }
            Error::from_status(operation, status.as_u16(), &body)
        }
        Raw::InvalidResponsePayload(body, e) => match status {
            Some(code) if code >= 400 => Error::from_status(operation, code, &body),
            _ => Error::invalid_response(operation, status, format!("malformed JSON: {e}"), &body),
        },
        Raw::ResponseBodyError(e) => Error::invalid_response(
            operation,
            status,
            format!("cannot read the body: {}", describe_reqwest(&e)),
            b"",
        ),
        Raw::CommunicationError(e) | Raw::InvalidUpgrade(e) => Error::transport(operation, e),
        Raw::InvalidRequest(message) => Error::local(format!("{operation}: {message}")),
        Raw::Custom(message) => Error::Transport {
            operation,
            message,
            source: None,
        },
    })
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
