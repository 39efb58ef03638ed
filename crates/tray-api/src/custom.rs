//! Requests to any endpoint, through the client's pipeline: the escape hatch
//! for the operations this crate (and the generated client) does not cover.
//!
//! [`Client::custom`] sends a request with the same token, rate limiter,
//! retries and tracing as every typed call, and returns the response as
//! received ([`RawResponse`]), whatever its status.
//!
//! The token is only ever sent to the client's own origin: an absolute URL
//! to another scheme, host or port is refused before anything is sent.

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::client::Client;
use crate::error::{Error, Result};

/// The operation name of custom requests (in traces and errors), when
/// retries follow the method: GET and HEAD are retried, other methods never.
const OPERATION_AUTO: &str = "custom_request";
/// The operation name of custom requests retried whatever their method.
pub(crate) const OPERATION_RETRY: &str = "custom_request_retry";
/// The operation name of custom requests never retried.
pub(crate) const OPERATION_ONCE: &str = "custom_request_once";

/// When a custom request is retried (429, 5xx, transport errors; see the
/// transport's table in the crate docs).
///
/// ```
/// assert_eq!(tray_api::RetryPolicy::default(), tray_api::RetryPolicy::SafeMethods);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryPolicy {
    /// Retry GET and HEAD; send any other method exactly once.
    #[default]
    SafeMethods,
    /// Retry whatever the method (the caller knows the call is idempotent).
    Always,
    /// Send exactly once.
    Never,
}

/// A request to any endpoint, from [`Client::custom`]. Send it with
/// [`CustomRequest::send`].
///
/// ```no_run
/// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
/// use tray_api::Method;
/// let response = client
///     .custom(Method::GET, "/core/v1/connectors")?
///     .query("first", "10")
///     .send()
///     .await?;
/// println!("{} {}", response.status, String::from_utf8_lossy(&response.body));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct CustomRequest<'a> {
    client: &'a Client,
    method: Method,
    url: reqwest::Url,
    headers: HeaderMap,
    body: Option<Bytes>,
    retry: RetryPolicy,
}

/// A response as received: status, headers and the whole body, whatever the
/// status. [`RawResponse::error_for_status`] turns a non-2xx status into the
/// crate's typed [`Error`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RawResponse {
    /// The HTTP status.
    pub status: u16,
    /// The HTTP version, as `HTTP/1.1`, `HTTP/2.0`.
    pub version: String,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body, as received.
    pub body: Bytes,
}

impl RawResponse {
    /// The status line, as `HTTP/1.1 404 Not Found`.
    ///
    /// ```
    /// # fn check(response: tray_api::RawResponse) {
    /// eprintln!("{}", response.status_line());
    /// # }
    /// ```
    pub fn status_line(&self) -> String {
        let reason = reqwest::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        format!("{} {} {reason}", self.version, self.status)
            .trim_end()
            .to_owned()
    }

    /// Whether the status is 2xx.
    ///
    /// ```
    /// # fn check(response: tray_api::RawResponse) {
    /// if !response.is_success() { eprintln!("HTTP {}", response.status); }
    /// # }
    /// ```
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// `Ok` for a 2xx status, else the typed error ([`Error::NotFound`],
    /// [`Error::Unauthorized`], …) with Tray's `message` from the body.
    ///
    /// ```
    /// # fn check(response: tray_api::RawResponse) -> Result<(), tray_api::Error> {
    /// response.error_for_status()?;
    /// # Ok(()) }
    /// ```
    pub fn error_for_status(&self) -> Result<()> {
        if self.is_success() {
            Ok(())
        } else {
            Err(Error::from_status(OPERATION_AUTO, self.status, &self.body))
        }
    }

    /// Whether the body is JSON, by its `Content-Type` (`application/json`
    /// or any `+json` type).
    ///
    /// ```
    /// # fn check(response: tray_api::RawResponse) {
    /// if response.is_json() { /* parse it */ }
    /// # }
    /// ```
    pub fn is_json(&self) -> bool {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let essence = v.split(';').next().unwrap_or("").trim();
                essence.eq_ignore_ascii_case("application/json") || essence.ends_with("+json")
            })
            .unwrap_or(false)
    }
}

impl Client {
    /// A request to any endpoint of this client's API: `target` is a path
    /// relative to the base URL (`/core/v1/connectors`, a query string
    /// allowed) or an absolute URL with the base URL's origin (scheme, host
    /// and port). It goes through the same pipeline as every call: token,
    /// rate limiter, retries ([`RetryPolicy`]) and tracing.
    ///
    /// Fails before sending anything ([`Error::Local`]) when `target` is an
    /// absolute URL of another origin — the token never leaves for a host
    /// it was not given for — or does not start with `/`.
    ///
    /// ```
    /// use tray_api::Method;
    /// let client = tray_api::Client::builder().token("t0ken").build().unwrap();
    /// assert!(client.custom(Method::GET, "/core/v1/connectors").is_ok());
    /// assert!(client.custom(Method::GET, "https://api.tray.io/core/v1/x").is_ok());
    /// let error = client.custom(Method::GET, "https://evil.example/core/v1/x").unwrap_err();
    /// assert!(error.is_local());
    /// ```
    pub fn custom(&self, method: Method, target: &str) -> Result<CustomRequest<'_>> {
        let url = self.resolve(target)?;
        Ok(CustomRequest {
            client: self,
            method,
            url,
            headers: HeaderMap::new(),
            body: None,
            retry: RetryPolicy::default(),
        })
    }

    fn resolve(&self, target: &str) -> Result<reqwest::Url> {
        let base = reqwest::Url::parse(self.base_url())
            .map_err(|e| Error::local(format!("invalid base URL: {e}")))?;
        if target.starts_with('/') && !target.starts_with("//") {
            let joined = format!("{}{target}", self.base_url());
            return reqwest::Url::parse(&joined)
                .map_err(|e| Error::local(format!("invalid path {target:?}: {e}")));
        }
        let url = reqwest::Url::parse(target).map_err(|_| {
            Error::local(format!(
                "invalid path {target:?}: give a path that starts with / (relative to {}) or a URL of that origin",
                self.base_url()
            ))
        })?;
        if url.origin() != base.origin() {
            return Err(Error::local(format!(
                "refusing to send the API token to {}: only {} is allowed",
                url.origin().ascii_serialization(),
                base.origin().ascii_serialization()
            )));
        }
        Ok(url)
    }
}

impl CustomRequest<'_> {
    /// Append a query parameter.
    ///
    /// ```
    /// # fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// let request = client.custom(tray_api::Method::GET, "/core/v1/users")?.query("first", "50");
    /// # let _ = request; Ok(()) }
    /// ```
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.url.query_pairs_mut().append_pair(name, value);
        self
    }

    /// Set query parameter `name`, replacing any value it had.
    ///
    /// ```
    /// # fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// let request = client
    ///     .custom(tray_api::Method::GET, "/core/v1/users?cursor=a")?
    ///     .set_query("cursor", "b");
    /// # let _ = request; Ok(()) }
    /// ```
    pub fn set_query(mut self, name: &str, value: &str) -> Self {
        let kept: Vec<(String, String)> = self
            .url
            .query_pairs()
            .filter(|(k, _)| k != name)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        self.url.set_query(None);
        {
            let mut pairs = self.url.query_pairs_mut();
            for (k, v) in &kept {
                pairs.append_pair(k, v);
            }
            pairs.append_pair(name, value);
        }
        self
    }

    /// Add a header. `Authorization` is refused ([`Error::Local`]): the
    /// client sends its own token and nothing else.
    ///
    /// ```
    /// # fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// let request = client
    ///     .custom(tray_api::Method::GET, "/core/v1/users")?
    ///     .header("X-Request-Id", "abc")?;
    /// assert!(client
    ///     .custom(tray_api::Method::GET, "/core/v1/users")?
    ///     .header("authorization", "Bearer other")
    ///     .unwrap_err()
    ///     .is_local());
    /// # let _ = request; Ok(()) }
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Result<Self> {
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|e| Error::local(format!("invalid header name {name:?}: {e}")))?;
        if name == reqwest::header::AUTHORIZATION || name == reqwest::header::PROXY_AUTHORIZATION {
            return Err(Error::local(format!(
                "refusing the {name} header: the client sends its own token"
            )));
        }
        let value = HeaderValue::from_str(value.trim())
            .map_err(|e| Error::local(format!("invalid value for header {name}: {e}")))?;
        self.headers.append(name, value);
        Ok(self)
    }

    /// A JSON body (`Content-Type: application/json` unless a header set
    /// another), sent as is.
    ///
    /// ```
    /// # fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// let request = client
    ///     .custom(tray_api::Method::POST, "/core/v1/things")?
    ///     .json_body(r#"{"name":"a"}"#);
    /// # let _ = request; Ok(()) }
    /// ```
    pub fn json_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        if !self.headers.contains_key(reqwest::header::CONTENT_TYPE) {
            self.headers.insert(
                reqwest::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        self
    }

    /// When to retry; default [`RetryPolicy::SafeMethods`].
    ///
    /// ```
    /// # fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// let request = client
    ///     .custom(tray_api::Method::PUT, "/core/v1/things/1")?
    ///     .retry(tray_api::RetryPolicy::Always); // a PUT that is safe to repeat
    /// # let _ = request; Ok(()) }
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Send the request and read the whole response. Any status is `Ok`;
    /// `Err` means no response ([`Error::Transport`]).
    ///
    /// ```no_run
    /// # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
    /// let response = client.custom(tray_api::Method::GET, "/core/v1/users")?.send().await?;
    /// response.error_for_status()?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<RawResponse> {
        let operation = match self.retry {
            RetryPolicy::SafeMethods
                if self.method == Method::GET || self.method == Method::HEAD =>
            {
                OPERATION_AUTO
            }
            RetryPolicy::SafeMethods | RetryPolicy::Never => OPERATION_ONCE,
            RetryPolicy::Always => OPERATION_RETRY,
        };
        let mut request = reqwest::Request::new(self.method, self.url);
        request.headers_mut().insert(
            reqwest::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        if self.headers.contains_key(reqwest::header::ACCEPT) {
            request.headers_mut().remove(reqwest::header::ACCEPT);
        }
        for (name, value) in &self.headers {
            request.headers_mut().append(name.clone(), value.clone());
        }
        if let Some(body) = self.body {
            *request.body_mut() = Some(body.into());
        }
        self.client.inner.state.prepare(&mut request);
        let response = self.client.send(request, operation).await?;
        let status = response.status().as_u16();
        let version = format!("{:?}", response.version());
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| Error::transport(operation, e))?;
        Ok(RawResponse {
            status,
            version,
            headers,
            body,
        })
    }
}
