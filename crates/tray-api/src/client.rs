//! The client and its builder.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tray_api_raw::ClientState;

use crate::deployments::Deployments;
use crate::error::{Error, Result};
use crate::permissions::Permissions;
use crate::projects::Projects;
use crate::region::Region;
use crate::solutions::Solutions;
use crate::transport::{RateLimit, RetryConfig, Transport};

/// The environment variable read by [`ClientBuilder::token_from_env`].
pub const TOKEN_ENV: &str = "TRAY_API_TOKEN";

/// The default per-request timeout (a deploy upload gets
/// [`DEPLOY_TIMEOUT`] unless [`ClientBuilder::timeout`] is set).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default timeout of a deploy request, which uploads the whole zip
/// (when [`ClientBuilder::timeout`] is not set).
pub const DEPLOY_TIMEOUT: Duration = Duration::from_secs(600);

/// The generated clients, one per API, for anything this crate does not
/// wrap. They share this client's token, rate limiter, retries and tracing.
///
/// ```no_run
/// # async fn run(client: tray_api::Client) -> Result<(), Box<dyn std::error::Error>> {
/// let raw = client.raw();
/// let page = raw
///     .projects
///     .list_project_versions()
///     .project_id(uuid::Uuid::nil())
///     .send()
///     .await?;
/// println!("{}", page.elements.len());
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct RawClients {
    /// CDK Deployments.
    pub deployments: tray_api_raw::deployments::Client,
    /// CDK Permissions.
    pub permissions: tray_api_raw::permissions::Client,
    /// Projects.
    pub projects: tray_api_raw::projects::Client,
    /// Solutions.
    pub solutions: tray_api_raw::solutions::Client,
}

impl fmt::Debug for RawClients {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawClients").finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub(crate) base_url: String,
    pub(crate) region: Option<Region>,
    pub(crate) http: reqwest::Client,
    pub(crate) state: ClientState,
    pub(crate) raw: RawClients,
    pub(crate) deploy_timeout: Duration,
    transport: Arc<Transport>,
}

/// A Tray API client for one region (or base URL) and one token.
///
/// Cheap to clone (an `Arc`); clones share the connection pool and the rate
/// limiter. The API groups are reached through small handles:
/// [`Client::deployments`], [`Client::permissions`], [`Client::projects`],
/// [`Client::solutions`].
///
/// ```no_run
/// # async fn run() -> Result<(), tray_api::Error> {
/// use tray_api::{Client, Region};
/// let client = Client::builder()
///     .region(Region::Eu)
///     .token_from_env()
///     .build()?;
/// let latest = client.deployments().get("my-connector", "1.0", "latest").await?;
/// println!("{}: {}", latest.id, latest.status);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("region", &self.inner.region)
            .field(
                "token",
                &if self.inner.state.has_token() {
                    "<redacted>"
                } else {
                    "<none>"
                },
            )
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder; see [`ClientBuilder`].
    ///
    /// ```
    /// let client = tray_api::Client::builder().build().unwrap();
    /// assert_eq!(client.base_url(), "https://api.tray.io");
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The API base URL, without a trailing slash.
    ///
    /// ```
    /// let client = tray_api::Client::builder()
    ///     .base_url("http://127.0.0.1:8080/")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(client.base_url(), "http://127.0.0.1:8080");
    /// ```
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The region, when the client was built with one (and no base URL).
    ///
    /// ```
    /// let client = tray_api::Client::builder().region(tray_api::Region::Eu).build().unwrap();
    /// assert_eq!(client.region(), Some(tray_api::Region::Eu));
    /// ```
    pub fn region(&self) -> Option<Region> {
        self.inner.region
    }

    /// A short label for output: the region (`us`, `eu`, `apac`), or the
    /// host (and port) of an explicit base URL.
    ///
    /// ```
    /// let client = tray_api::Client::builder()
    ///     .base_url("http://localhost:9000")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(client.region_label(), "localhost:9000");
    /// ```
    pub fn region_label(&self) -> String {
        if let Some(region) = self.inner.region {
            return region.to_string();
        }
        match reqwest::Url::parse(&self.inner.base_url) {
            Ok(url) => match (url.host_str(), url.port()) {
                (Some(host), Some(port)) => format!("{host}:{port}"),
                (Some(host), None) => host.to_owned(),
                _ => self.inner.base_url.clone(),
            },
            Err(_) => self.inner.base_url.clone(),
        }
    }

    /// Deploy connectors and follow deployments.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// let zip = tray_api::ConnectorZip::open(".tray/connector.zip")?;
    /// let deployment = client.deployments().deploy(&zip).await?;
    /// # Ok(()) }
    /// ```
    pub fn deployments(&self) -> Deployments<'_> {
        Deployments { client: self }
    }

    /// Share connector versions.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// client.permissions().share_with_emails("my-connector", "1.0", ["a@example.com"]).await?;
    /// # Ok(()) }
    /// ```
    pub fn permissions(&self) -> Permissions<'_> {
        Permissions { client: self }
    }

    /// Project versions, export and import.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// let export = client.projects().export(uuid::Uuid::nil(), "1").await?;
    /// # Ok(()) }
    /// ```
    pub fn projects(&self) -> Projects<'_> {
        Projects { client: self }
    }

    /// Embedded solution releases.
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// let impact = client.solutions().release_preview(uuid::Uuid::nil()).await?;
    /// # Ok(()) }
    /// ```
    pub fn solutions(&self) -> Solutions<'_> {
        Solutions { client: self }
    }

    /// The generated clients, for operations this crate does not wrap.
    ///
    /// ```
    /// let client = tray_api::Client::builder().build().unwrap();
    /// let _builder = client.raw().deployments.get_deployment();
    /// ```
    pub fn raw(&self) -> &RawClients {
        &self.inner.raw
    }

    /// Send a hand-built request (from [`Client::request`]) through the same
    /// pipeline as every call: token, rate limiter, retries, tracing.
    /// The answer's body is read to its end (and the call retried when the
    /// spec allows and it is cut off); errors are left to [`crate::decode`].
    pub(crate) async fn send(
        &self,
        request: reqwest::Request,
        operation: &'static str,
    ) -> Result<reqwest::Response> {
        let result = self
            .inner
            .state
            .execute(&self.inner.http, request, operation)
            .await;
        result.map_err(|e| Error::transport(operation, e))
    }

    /// Like [`Client::send`], but the answer is handed over after its
    /// headers, for the caller to stream its body.
    pub(crate) async fn send_streamed(
        &self,
        request: reqwest::Request,
        operation: &'static str,
    ) -> Result<reqwest::Response> {
        self.inner
            .transport
            .run(&self.inner.http, request, operation, true)
            .await
            .map_err(|e| Error::transport(operation, e))
    }

    /// A request to `path` (which starts with `/`) with this client's
    /// headers.
    pub(crate) fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        operation: &'static str,
    ) -> Result<reqwest::Request> {
        let url = format!("{}{path}", self.inner.base_url);
        let url = reqwest::Url::parse(&url)
            .map_err(|e| Error::local(format!("{operation}: invalid URL {url}: {e}")))?;
        let mut request = reqwest::Request::new(method, url);
        request.headers_mut().insert(
            reqwest::header::ACCEPT,
            reqwest::header::HeaderValue::from_static("application/json"),
        );
        self.inner.state.prepare(&mut request);
        Ok(request)
    }

    /// A request for a spec operation the generated builder cannot send (a
    /// streamed body): the method and path template come from the spec
    /// ([`tray_api_raw::Operation`]), the template's parameters from
    /// `values`.
    pub(crate) fn operation_request(
        &self,
        operation: tray_api_raw::Operation,
        values: &[(&str, &str)],
    ) -> Result<reqwest::Request> {
        let path = fill_path(operation.path(), values)?;
        let method = reqwest::Method::from_bytes(operation.method().as_bytes())
            .map_err(|e| Error::local(format!("{operation}: {e}")))?;
        self.request(method, &path, operation.id())
    }

    /// The timeout of one deploy upload attempt.
    pub(crate) fn deploy_timeout(&self) -> Duration {
        self.inner.deploy_timeout
    }
}

/// Settings for a [`Client`]. Start from [`Client::builder`].
///
/// Defaults: region `us`, no token, a 60 s request timeout (10 minutes for
/// a deploy upload) and 10 s connect timeout, retries per [`RetryConfig::default`], Tray's documented rate
/// limit ([`RateLimit::default`]).
///
/// ```
/// use std::time::Duration;
/// use tray_api::{Client, Region, RetryConfig};
/// let client = Client::builder()
///     .region(Region::Apac)
///     .token("a-token-from-the-apac-region-000000000000")
///     .user_agent("my-pipeline/1.0")
///     .timeout(Duration::from_secs(30))
///     .retry(RetryConfig::default().with_max_retries(2))
///     .rate_limit(None)
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url(), "https://api.ap1.tray.io");
/// // The token never shows up in Debug output.
/// assert!(!format!("{client:?}").contains("a-token"));
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    region: Option<Region>,
    base_url: Option<String>,
    token: Option<SecretString>,
    token_env_missing: bool,
    user_agent: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    http_client: Option<reqwest::Client>,
    retry: Option<RetryConfig>,
    rate_limit: Option<Option<RateLimit>>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("region", &self.region)
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

/// A token as users paste it, reduced to the token itself: surrounding
/// whitespace (a token file's newline) and a leading `Bearer `/`bearer `
/// are removed. [`ClientBuilder::token`] applies it; tools that check a
/// token before building a client (the `tray` CLI) use it too.
///
/// ```
/// assert_eq!(tray_api::clean_token(" Bearer abc\n"), "abc");
/// assert_eq!(tray_api::clean_token("abc"), "abc");
/// ```
pub fn clean_token(token: &str) -> &str {
    let token = token.trim();
    // A bare prefix (`"Bearer "`, trimmed to `"Bearer"`) is no token at all.
    if token.eq_ignore_ascii_case("bearer") {
        return "";
    }
    token
        .strip_prefix("Bearer ")
        .or_else(|| token.strip_prefix("bearer "))
        .unwrap_or(token)
        .trim()
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost") {
        return true;
    }
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

impl ClientBuilder {
    /// Use a region's API host. An explicit [`ClientBuilder::base_url`] wins.
    ///
    /// ```
    /// let client = tray_api::Client::builder().region(tray_api::Region::Eu).build().unwrap();
    /// assert_eq!(client.base_url(), "https://api.eu1.tray.io");
    /// ```
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }

    /// Use an explicit base URL (a proxy, the sandbox, a test server). A
    /// trailing slash is fine. Plain `http://` is accepted only for
    /// loopback hosts when a token is set.
    ///
    /// ```
    /// let error = tray_api::Client::builder()
    ///     .base_url("http://example.com")
    ///     .token("secret-token-000000000000000000000000000")
    ///     .build()
    ///     .unwrap_err();
    /// assert!(error.is_local());
    /// ```
    pub fn base_url(mut self, url: impl AsRef<str>) -> Self {
        self.base_url = Some(url.as_ref().to_owned());
        self
    }

    /// The API token (RBAC token of an API user of the region). A leading
    /// `Bearer ` is stripped. Held as a secret: never printed.
    ///
    /// ```
    /// let client = tray_api::Client::builder().token("Bearer abc").build().unwrap();
    /// assert!(!format!("{client:?}").contains("abc"));
    /// ```
    pub fn token(mut self, token: impl Into<String>) -> Self {
        let token: String = token.into();
        self.token = Some(SecretString::from(clean_token(&token).to_owned()));
        self.token_env_missing = false;
        self
    }

    /// Read the token from `TRAY_API_TOKEN` (a leading `Bearer ` stripped);
    /// [`ClientBuilder::build`] fails if it is unset, blank or a bare
    /// `Bearer `. For the per-region variables and the CLI's whole rule, see
    /// [`Client::from_env`].
    ///
    /// ```no_run
    /// let client = tray_api::Client::builder().token_from_env().build()?;
    /// # Ok::<(), tray_api::Error>(())
    /// ```
    pub fn token_from_env(mut self) -> Self {
        match std::env::var(TOKEN_ENV) {
            Ok(token) if !clean_token(&token).is_empty() => {
                self.token = Some(SecretString::from(clean_token(&token).to_owned()));
                self.token_env_missing = false;
            }
            _ => {
                self.token = None;
                self.token_env_missing = true;
            }
        }
        self
    }

    /// The `User-Agent` header (default `tray-api-rust/<version>`). Ignored
    /// with [`ClientBuilder::http_client`].
    ///
    /// ```
    /// let builder = tray_api::Client::builder().user_agent("my-ci/2.0");
    /// # let _ = builder;
    /// ```
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Timeout of one HTTP request attempt, every operation included (the
    /// CLI's `--request-timeout`). When not set: 60 s, and 10 minutes for a
    /// deploy upload, which sends the whole zip. Applies to a
    /// caller-supplied HTTP client too. A wait's own timeout
    /// ([`WaitOptions::timeout`](crate::WaitOptions)) is a deadline for the
    /// whole wait and cuts a request in flight whatever this says.
    ///
    /// ```
    /// let builder = tray_api::Client::builder().timeout(std::time::Duration::from_secs(20));
    /// # let _ = builder;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Connect timeout (default 10 s). Ignored with
    /// [`ClientBuilder::http_client`].
    ///
    /// ```
    /// let builder = tray_api::Client::builder().connect_timeout(std::time::Duration::from_secs(3));
    /// # let _ = builder;
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Use this `reqwest::Client` (proxies, TLS roots, ...). The token is
    /// still added per request and never set as a default header.
    ///
    /// Build it from [`tray_api_raw::http_client_builder`]: HTTPS uses
    /// rustls with the `ring` provider, which reqwest needs installed as the
    /// process default before any `reqwest::Client` is built (see
    /// [`tray_api_raw::install_crypto_provider`]).
    ///
    /// ```
    /// let http = tray_api_raw::http_client_builder()
    ///     .connect_timeout(std::time::Duration::from_secs(5))
    ///     .build()?;
    /// let client = tray_api::Client::builder().http_client(http).build()?;
    /// # let _ = client;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Retry settings; [`RetryConfig::disabled`] turns retries off.
    ///
    /// ```
    /// let builder = tray_api::Client::builder().retry(tray_api::RetryConfig::disabled());
    /// # let _ = builder;
    /// ```
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Client-side rate limit; `None` turns it off. Default: 30/s, bursts
    /// of 50.
    ///
    /// ```
    /// let builder = tray_api::Client::builder().rate_limit(None);
    /// # let _ = builder;
    /// ```
    pub fn rate_limit(mut self, rate_limit: Option<RateLimit>) -> Self {
        self.rate_limit = Some(rate_limit);
        self
    }

    /// Build the client. Fails with [`Error::Config`] on a malformed base
    /// URL, a token over plain `http://` to a non-loopback host, an unusable
    /// token, or [`ClientBuilder::token_from_env`] without the variable.
    ///
    /// ```
    /// let client = tray_api::Client::builder().build().unwrap();
    /// # let _ = client;
    /// ```
    pub fn build(self) -> Result<Client> {
        if self.token_env_missing {
            return Err(Error::NoToken {
                message: format!("no API token: {TOKEN_ENV} is not set or empty"),
            });
        }
        let (base_url, region) = match &self.base_url {
            Some(url) => (url.trim().trim_end_matches('/').to_owned(), None),
            None => {
                let region = self.region.unwrap_or_default();
                (region.base_url().to_owned(), Some(region))
            }
        };
        let parsed = reqwest::Url::parse(&base_url)
            .map_err(|e| Error::config(format!("invalid base URL {base_url:?}: {e}")))?;
        match parsed.scheme() {
            "https" => {}
            "http" => {
                if self.token.is_some() && !is_loopback(&parsed) {
                    return Err(Error::config(format!(
                        "refusing to send the API token over plain http to {}: use https (http is allowed only for localhost)",
                        parsed.host_str().unwrap_or("")
                    )));
                }
            }
            other => {
                return Err(Error::config(format!(
                    "invalid base URL {base_url:?}: scheme {other:?} is not http or https"
                )));
            }
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(Error::config(format!(
                "invalid base URL {base_url:?}: no host"
            )));
        }
        let mut state = match &self.token {
            Some(token) if token.expose_secret().is_empty() => {
                return Err(Error::NoToken {
                    message: "the API token is empty".into(),
                });
            }
            Some(token) => ClientState::bearer(token.expose_secret())
                .map_err(|e| Error::config(e.to_string()))?,
            None => ClientState::default(),
        };
        let timeout = Some(self.timeout.unwrap_or(DEFAULT_TIMEOUT));
        let deploy_timeout = self.timeout.unwrap_or(DEPLOY_TIMEOUT);
        let http = match self.http_client {
            Some(client) => client,
            None => tray_api_raw::http_client_builder()
                .user_agent(
                    self.user_agent
                        .unwrap_or_else(|| format!("tray-api-rust/{}", env!("CARGO_PKG_VERSION"))),
                )
                .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .build()
                .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?,
        };
        let transport = Transport::new(
            self.rate_limit.unwrap_or(Some(RateLimit::default())),
            self.retry.unwrap_or_default(),
            timeout,
        );
        state = state.with_executor(transport.clone());
        let raw = RawClients {
            deployments: tray_api_raw::deployments::Client::new_with_client(
                &base_url,
                http.clone(),
                state.clone(),
            ),
            permissions: tray_api_raw::permissions::Client::new_with_client(
                &base_url,
                http.clone(),
                state.clone(),
            ),
            projects: tray_api_raw::projects::Client::new_with_client(
                &base_url,
                http.clone(),
                state.clone(),
            ),
            solutions: tray_api_raw::solutions::Client::new_with_client(
                &base_url,
                http.clone(),
                state.clone(),
            ),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                base_url,
                region,
                http,
                state,
                raw,
                deploy_timeout,
                transport,
            }),
        })
    }
}

/// The spec's path template of an operation with its parameters filled in
/// (percent-encoded); an error if the template has a parameter this client
/// does not fill (the spec renamed or added one).
fn fill_path(template: &str, values: &[(&str, &str)]) -> Result<String> {
    let mut path = template.to_owned();
    for (name, value) in values {
        path = path.replace(&format!("{{{name}}}"), &encode_segment(value));
    }
    if path.contains('{') {
        return Err(Error::local(format!(
            "the spec's path {template} has a parameter this client does not fill"
        )));
    }
    Ok(path)
}

/// Percent-encodes a path segment (as the generated code does).
fn encode_segment(segment: &str) -> String {
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use tray_api_raw::Operation;

    #[test]
    fn token_is_cleaned() {
        assert_eq!(clean_token(" Bearer abc "), "abc");
        assert_eq!(clean_token("bearer abc"), "abc");
        assert_eq!(clean_token("abc"), "abc");
        assert_eq!(clean_token("Bearer "), "");
        assert_eq!(clean_token(" bearer\n"), "");
        assert!(Client::builder().token("Bearer ").build().is_err());
    }

    #[test]
    fn loopback_rules() {
        for ok in [
            "http://localhost:1",
            "http://127.0.0.1:2",
            "http://[::1]:3",
            "https://example.com",
        ] {
            assert!(
                Client::builder().base_url(ok).token("t").build().is_ok(),
                "{ok}"
            );
        }
        for bad in ["http://example.com", "http://10.0.0.1", "ftp://x", "nope"] {
            assert!(
                Client::builder().base_url(bad).token("t").build().is_err(),
                "{bad}"
            );
        }
        assert!(
            Client::builder()
                .base_url("http://example.com")
                .build()
                .is_ok()
        );
    }

    #[test]
    fn the_spec_path_is_filled_and_encoded() {
        let path = fill_path(
            Operation::DeployConnector.path(),
            &[("connector-name", "acme crm"), ("connector-version", "1.0")],
        )
        .unwrap();
        assert_eq!(
            path,
            "/cdk/v1/deployments/connectors/acme%20crm/versions/1.0/deploy-connector-from-source"
        );
    }

    #[test]
    fn a_parameter_the_client_does_not_fill_is_an_error() {
        let error = fill_path(
            "/cdk/v1/deployments/connectors/{connectorName}/versions/{connector-version}",
            &[("connector-name", "acme-crm"), ("connector-version", "1.0")],
        )
        .unwrap_err();
        assert!(error.to_string().contains("{connectorName}"), "{error}");
    }
}
