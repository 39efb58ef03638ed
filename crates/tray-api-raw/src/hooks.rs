//! Per-client state consulted by the generated code on every request.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use reqwest::header::{AUTHORIZATION, HeaderValue};

/// The future returned by an [`Executor`].
pub type ExecutorFuture<'a> =
    Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Sends a prepared request; the place for rate limiting, retries and
/// tracing (the `tray-api` crate plugs its transport in here).
///
/// `operation` is the snake_case operation id (`"get_deployment"`).
///
/// ```
/// use tray_api_raw::{ClientState, Executor, ExecutorFuture};
///
/// struct Logging;
/// impl Executor for Logging {
///     fn execute<'a>(
///         &'a self,
///         client: &'a reqwest::Client,
///         request: reqwest::Request,
///         operation: &'static str,
///     ) -> ExecutorFuture<'a> {
///         eprintln!("{operation}: {} {}", request.method(), request.url().path());
///         Box::pin(client.execute(request))
///     }
/// }
/// let state = ClientState::default().with_executor(std::sync::Arc::new(Logging));
/// # let _ = state;
/// ```
pub trait Executor: Send + Sync {
    /// Send `request` with `client` and return the final response.
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> ExecutorFuture<'a>;
}

/// The token is not usable in an HTTP header (it has a control character or a
/// line break). The token itself is never part of this error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidToken;

impl fmt::Display for InvalidToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the API token contains characters that cannot be sent in an HTTP header")
    }
}

impl std::error::Error for InvalidToken {}

/// What every generated `Client` carries: the bearer token (if any) and an
/// optional [`Executor`].
///
/// The token is stored as a header value marked *sensitive* (hidden from
/// reqwest's and hyper's debug output) and is never printed by `Debug`.
///
/// Making one (any constructor) first calls
/// [`install_crypto_provider`](crate::install_crypto_provider), so the
/// `reqwest::Client` a generated `Client::new` builds right after finds a
/// TLS crypto provider.
#[derive(Clone)]
pub struct ClientState {
    authorization: Option<HeaderValue>,
    executor: Option<Arc<dyn Executor>>,
}

impl Default for ClientState {
    /// No token, no executor.
    fn default() -> Self {
        crate::install_crypto_provider();
        Self {
            authorization: None,
            executor: None,
        }
    }
}

impl ClientState {
    /// State that sends `Authorization: Bearer <token>` on every request.
    pub fn bearer(token: &str) -> Result<Self, InvalidToken> {
        Self::default().with_bearer(token)
    }

    /// Set the bearer token.
    pub fn with_bearer(mut self, token: &str) -> Result<Self, InvalidToken> {
        let mut value =
            HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| InvalidToken)?;
        value.set_sensitive(true);
        self.authorization = Some(value);
        Ok(self)
    }

    /// Route every request through `executor`.
    pub fn with_executor(mut self, executor: Arc<dyn Executor>) -> Self {
        self.executor = Some(executor);
        self
    }

    /// Whether a token is set.
    pub fn has_token(&self) -> bool {
        self.authorization.is_some()
    }

    /// Add this state's headers to a request built outside the generated
    /// code (used by `tray-api` for streamed bodies).
    pub fn prepare(&self, request: &mut reqwest::Request) {
        prepare(self, request);
    }

    /// Send a request built outside the generated code through the same
    /// executor the generated code uses.
    pub fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static str,
    ) -> ExecutorFuture<'a> {
        Box::pin(execute(self, client, request, operation))
    }
}

impl fmt::Debug for ClientState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientState")
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "Bearer <redacted>"),
            )
            .field("executor", &self.executor.as_ref().map(|_| "custom"))
            .finish()
    }
}

/// Adds the bearer token and drops progenitor's `api-version` header, which
/// Tray does not document (requests look like the ones in Tray's curl guide).
pub(crate) fn prepare(state: &ClientState, request: &mut reqwest::Request) {
    let headers = request.headers_mut();
    headers.remove("api-version");
    if let Some(value) = &state.authorization {
        headers.insert(AUTHORIZATION, value.clone());
    }
}

pub(crate) async fn execute(
    state: &ClientState,
    client: &reqwest::Client,
    request: reqwest::Request,
    operation: &'static str,
) -> reqwest::Result<reqwest::Response> {
    match &state.executor {
        Some(executor) => executor.execute(client, request, operation).await,
        None => client.execute(request).await,
    }
}
