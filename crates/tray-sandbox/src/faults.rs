//! Faults injected on demand (`--fault ROUTE=KIND[@RATE]`) as a tower
//! layer in front of the routes, and Tray's rate limit (governor).

use std::convert::Infallible;
use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::future::BoxFuture;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter as Governor};
use tray_api_raw::{RATE_LIMIT_BURST, RATE_LIMIT_PER_SECOND};

use crate::SandboxError;
use crate::deployments::UNKNOWN_STATUS;
use crate::http::{HttpError, json_bytes};

/// The route names a [`Fault`] can name (`--fault ROUTE=…`), in the order
/// of [`Route::ALL`]; `*` is every request.
///
/// ```
/// assert_eq!(tray_sandbox::ROUTES[0], "*");
/// assert!(tray_sandbox::ROUTES.contains(&"create-version"));
/// assert_eq!(tray_sandbox::ROUTES.len(), tray_sandbox::Route::ALL.len());
/// ```
pub const ROUTES: &[&str] = &[
    Route::All.as_str(),
    Route::Deploy.as_str(),
    Route::Status.as_str(),
    Route::Share.as_str(),
    Route::CreateVersion.as_str(),
    Route::ListVersions.as_str(),
    Route::Export.as_str(),
    Route::ImportRequirements.as_str(),
    Route::ImportPreview.as_str(),
    Route::Import.as_str(),
    Route::ReleasePreview.as_str(),
    Route::Release.as_str(),
];

/// The fault kinds of the `--fault ROUTE=KIND[@RATE]` syntax, as written
/// there (`latency:DUR` takes a humantime duration such as `300ms`); see
/// [`FaultKind`].
///
/// ```
/// for kind in tray_sandbox::FAULT_KINDS {
///     let kind = kind.replace("DUR", "1s");
///     assert!(kind.parse::<tray_sandbox::FaultKind>().is_ok(), "{kind}");
/// }
/// ```
pub const FAULT_KINDS: &[&str] = &[
    "latency:DUR",
    "429",
    "500",
    "html502",
    "reset",
    "truncated",
    "unknown-status",
];

/// The endpoint (or all of them) a [`Fault`] applies to.
///
/// | name | endpoint |
/// |---|---|
/// | `*` | every request, including unknown paths |
/// | `deploy` | `POST /cdk/v1/deployments/connectors/{name}/versions/{version}/deploy-connector-from-source` |
/// | `status` | `GET /cdk/v1/deployments/connectors/{name}/versions/{version}/{id}` |
/// | `share` | `POST /cdk/v1/permissions/connectors/{name}/versions/{version}/share-with-emails` |
/// | `create-version` | `POST /core/v1/projects/{projectId}/versions/{versionNumber}` |
/// | `list-versions` | `GET /core/v1/projects/{projectId}/versions` |
/// | `export` | `GET /core/v1/projects/{projectId}/versions/{versionNumber}/export` |
/// | `import-requirements` | `POST /core/v1/projects/{projectId}/imports/requirements` |
/// | `import-preview` | `POST /core/v1/projects/{projectId}/imports/previews` |
/// | `import` | `POST /core/v1/projects/{projectId}/imports` |
/// | `release-preview` | `POST /core/v1/solutions/{solutionId}/releases/previews` |
/// | `release` | `POST /core/v1/solutions/{solutionId}/releases` |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// Every request.
    All,
    /// Deploy a connector.
    Deploy,
    /// Read a deployment status.
    Status,
    /// Share a connector version with emails.
    Share,
    /// Create a project version.
    CreateVersion,
    /// List project versions.
    ListVersions,
    /// Export a project version.
    Export,
    /// Import requirements.
    ImportRequirements,
    /// Import preview.
    ImportPreview,
    /// Import.
    Import,
    /// Solution release preview.
    ReleasePreview,
    /// Solution release.
    Release,
}

impl Route {
    /// Every route, in the order of the table above.
    pub const ALL: &'static [Route] = &[
        Route::All,
        Route::Deploy,
        Route::Status,
        Route::Share,
        Route::CreateVersion,
        Route::ListVersions,
        Route::Export,
        Route::ImportRequirements,
        Route::ImportPreview,
        Route::Import,
        Route::ReleasePreview,
        Route::Release,
    ];

    /// The name used in fault specifications (one of [`ROUTES`]).
    ///
    /// ```
    /// assert_eq!(tray_sandbox::Route::CreateVersion.as_str(), "create-version");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Route::All => "*",
            Route::Deploy => "deploy",
            Route::Status => "status",
            Route::Share => "share",
            Route::CreateVersion => "create-version",
            Route::ListVersions => "list-versions",
            Route::Export => "export",
            Route::ImportRequirements => "import-requirements",
            Route::ImportPreview => "import-preview",
            Route::Import => "import",
            Route::ReleasePreview => "release-preview",
            Route::Release => "release",
        }
    }

    /// The method and path template the sandbox serves this route at (the
    /// table above; `None` for [`Route::All`]). The router is built from
    /// this table and the fault layer recognises requests by it.
    ///
    /// ```
    /// use tray_sandbox::Route;
    /// assert_eq!(
    ///     Route::ListVersions.endpoint(),
    ///     Some(("GET", "/core/v1/projects/{projectId}/versions"))
    /// );
    /// assert_eq!(Route::All.endpoint(), None);
    /// ```
    pub fn endpoint(self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            Route::All => return None,
            Route::Deploy => (
                "POST",
                "/cdk/v1/deployments/connectors/{name}/versions/{version}/deploy-connector-from-source",
            ),
            Route::Status => (
                "GET",
                "/cdk/v1/deployments/connectors/{name}/versions/{version}/{id}",
            ),
            Route::Share => (
                "POST",
                "/cdk/v1/permissions/connectors/{name}/versions/{version}/share-with-emails",
            ),
            Route::CreateVersion => (
                "POST",
                "/core/v1/projects/{projectId}/versions/{versionNumber}",
            ),
            Route::ListVersions => ("GET", "/core/v1/projects/{projectId}/versions"),
            Route::Export => (
                "GET",
                "/core/v1/projects/{projectId}/versions/{versionNumber}/export",
            ),
            Route::ImportRequirements => {
                ("POST", "/core/v1/projects/{projectId}/imports/requirements")
            }
            Route::ImportPreview => ("POST", "/core/v1/projects/{projectId}/imports/previews"),
            Route::Import => ("POST", "/core/v1/projects/{projectId}/imports"),
            Route::ReleasePreview => ("POST", "/core/v1/solutions/{solutionId}/releases/previews"),
            Route::Release => ("POST", "/core/v1/solutions/{solutionId}/releases"),
        })
    }

    /// The path template of the route (`""` for [`Route::All`]).
    pub(crate) fn path(self) -> &'static str {
        self.endpoint().map_or("", |(_, path)| path)
    }

    /// The route a request was routed to: its matched path template and
    /// its method (`HEAD` counts as `GET`). `None` for an unknown path or a
    /// known path with another method.
    pub(crate) fn of_request(request: &Request) -> Option<Route> {
        let matched = request.extensions().get::<MatchedPath>()?.as_str();
        let method = request.method();
        Route::ALL.iter().copied().find(|route| {
            route.endpoint().is_some_and(|(allowed, path)| {
                path == matched
                    && (method.as_str() == allowed || (allowed == "GET" && method == Method::HEAD))
            })
        })
    }

    /// Whether a fault on `self` applies to a request of `route` (`None`:
    /// a path the sandbox does not serve).
    pub(crate) fn covers(self, route: Option<Route>) -> bool {
        self == Route::All || Some(self) == route
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Route {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Route::ALL
            .iter()
            .copied()
            .find(|route| route.as_str() == value)
            .ok_or_else(|| {
                format!(
                    "unknown route {value:?} (expected one of {})",
                    ROUTES.join(", ")
                )
            })
    }
}

/// What a [`Fault`] does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// Waits this long, then answers normally (`latency:300ms`).
    Latency(Duration),
    /// Answers 429 with Tray's error body and no `Retry-After` (`429`).
    TooManyRequests,
    /// Answers 500 with Tray's error body (`500`).
    InternalError,
    /// Answers 502 with an HTML page, as a load balancer does (`html502`).
    Html502,
    /// Closes the connection without answering (`reset`).
    Reset,
    /// Handles the request, then answers 200 with the JSON body cut in
    /// half (`truncated`).
    Truncated,
    /// Deployment status reads (and deploy answers) report `Queued`, a
    /// status Tray does not document (`unknown-status`).
    UnknownStatus,
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultKind::Latency(duration) => {
                write!(f, "latency:{}", humantime::format_duration(*duration))
            }
            FaultKind::TooManyRequests => f.write_str("429"),
            FaultKind::InternalError => f.write_str("500"),
            FaultKind::Html502 => f.write_str("html502"),
            FaultKind::Reset => f.write_str("reset"),
            FaultKind::Truncated => f.write_str("truncated"),
            FaultKind::UnknownStatus => f.write_str("unknown-status"),
        }
    }
}

impl FromStr for FaultKind {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        if let Some(duration) = value.strip_prefix("latency:") {
            return humantime::parse_duration(duration)
                .map(FaultKind::Latency)
                .map_err(|error| format!("bad latency {duration:?}: {error}"));
        }
        match value {
            "429" => Ok(FaultKind::TooManyRequests),
            "500" => Ok(FaultKind::InternalError),
            "html502" | "502" => Ok(FaultKind::Html502),
            "reset" => Ok(FaultKind::Reset),
            "truncated" => Ok(FaultKind::Truncated),
            "unknown-status" | "unknown" => Ok(FaultKind::UnknownStatus),
            other => Err(format!(
                "unknown fault kind {other:?} (expected one of {})",
                FAULT_KINDS.join(", ")
            )),
        }
    }
}

/// A fault injected into the requests of one route (or all of them).
///
/// Parsed from the `--fault` syntax `ROUTE=KIND[@RATE]`: `ROUTE` is a
/// [`Route`] name, `KIND` one of `latency:DUR`, `429`, `500`, `html502`,
/// `reset`, `truncated`, `unknown-status`, and `RATE` the fraction of
/// matching requests affected (default `1.0`). The rate is applied
/// deterministically: with `@0.5` exactly every second matching request is
/// affected, starting with the second.
///
/// ```
/// use std::time::Duration;
/// use tray_sandbox::{Fault, FaultKind, Route};
///
/// let fault: Fault = "status=latency:300ms".parse().unwrap();
/// assert_eq!(fault.route, Route::Status);
/// assert_eq!(fault.kind, FaultKind::Latency(Duration::from_millis(300)));
/// assert_eq!(fault.rate, 1.0);
///
/// let fault: Fault = "*=html502@0.5".parse().unwrap();
/// assert_eq!((fault.route, fault.kind, fault.rate), (Route::All, FaultKind::Html502, 0.5));
/// assert_eq!(fault.to_string(), "*=html502@0.5");
/// assert!("deploy=teapot".parse::<Fault>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fault {
    /// The route it applies to.
    pub route: Route,
    /// What it does.
    pub kind: FaultKind,
    /// The fraction of matching requests it affects, in `0.0..=1.0`.
    pub rate: f64,
}

impl Fault {
    /// A fault affecting every matching request.
    pub fn new(route: Route, kind: FaultKind) -> Self {
        Fault {
            route,
            kind,
            rate: 1.0,
        }
    }

    /// The same fault affecting only a fraction of matching requests
    /// (clamped to `0.0..=1.0`).
    pub fn with_rate(mut self, rate: f64) -> Self {
        self.rate = if rate.is_nan() {
            0.0
        } else {
            rate.clamp(0.0, 1.0)
        };
        self
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.route, self.kind)?;
        if self.rate < 1.0 {
            write!(f, "@{}", self.rate)?;
        }
        Ok(())
    }
}

impl FromStr for Fault {
    type Err = SandboxError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let error = |message: String| SandboxError::FaultSpec {
            spec: spec.to_owned(),
            message,
        };
        let (route, rest) = spec
            .split_once('=')
            .ok_or_else(|| error("expected ROUTE=KIND[@RATE]".to_owned()))?;
        let route: Route = route.trim().parse().map_err(error)?;
        let (kind, rate) = match rest.rsplit_once('@') {
            Some((kind, rate)) => {
                let rate: f64 = rate
                    .trim()
                    .parse()
                    .map_err(|_| error(format!("bad rate {rate:?}")))?;
                if !(0.0..=1.0).contains(&rate) {
                    return Err(error(format!("rate {rate} is not between 0 and 1")));
                }
                (kind, rate)
            }
            None => (rest, 1.0),
        };
        let kind: FaultKind = kind.trim().parse().map_err(error)?;
        Ok(Fault { route, kind, rate })
    }
}

/// A fault and how many matching requests it has seen.
#[derive(Debug)]
struct ActiveFault {
    fault: Fault,
    seen: AtomicU64,
}

impl ActiveFault {
    /// Whether this matching request is affected: exactly `rate` of them are.
    fn fires(&self) -> bool {
        let n = self.seen.fetch_add(1, Ordering::Relaxed) as f64;
        ((n + 1.0) * self.fault.rate).floor() > (n * self.fault.rate).floor()
    }
}

/// What the faults decided for one request.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct FaultPlan {
    /// Total added latency.
    pub latency: Duration,
    /// The first non-latency fault that fired.
    pub action: Option<FaultKind>,
}

/// The faults in force, changeable at run time.
#[derive(Debug, Default)]
pub(crate) struct FaultSet {
    faults: std::sync::RwLock<Vec<ActiveFault>>,
}

impl FaultSet {
    pub(crate) fn new(faults: Vec<Fault>) -> Self {
        let set = FaultSet::default();
        set.replace(faults);
        set
    }

    pub(crate) fn replace(&self, faults: Vec<Fault>) {
        let active = faults
            .into_iter()
            .map(|fault| ActiveFault {
                fault,
                seen: AtomicU64::new(0),
            })
            .collect();
        match self.faults.write() {
            Ok(mut guard) => *guard = active,
            Err(poisoned) => *poisoned.into_inner() = active,
        }
    }

    pub(crate) fn plan(&self, route: Option<Route>) -> FaultPlan {
        let guard = match self.faults.read() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut plan = FaultPlan::default();
        for active in guard
            .iter()
            .filter(|active| active.fault.route.covers(route))
        {
            if !active.fires() {
                continue;
            }
            match active.fault.kind {
                FaultKind::Latency(duration) => plan.latency += duration,
                kind => {
                    if plan.action.is_none() {
                        plan.action = Some(kind);
                    }
                }
            }
        }
        plan
    }
}

/// A tower layer injecting the faults of a [`FaultSet`] into the requests
/// of the routes it wraps. It recognises a request's [`Route`] by the path
/// template axum matched and the method, so it must be added with
/// `Router::layer` (after routing).
#[derive(Debug, Clone)]
pub(crate) struct FaultLayer {
    faults: Arc<FaultSet>,
}

impl FaultLayer {
    pub(crate) fn new(faults: Arc<FaultSet>) -> Self {
        FaultLayer { faults }
    }
}

impl<S> tower::Layer<S> for FaultLayer {
    type Service = FaultService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FaultService {
            inner,
            faults: Arc::clone(&self.faults),
        }
    }
}

/// The service of a [`FaultLayer`].
#[derive(Debug, Clone)]
pub(crate) struct FaultService<S> {
    inner: S,
    faults: Arc<FaultSet>,
}

impl<S> tower::Service<Request> for FaultService<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let plan = self.faults.plan(Route::of_request(&request));
        // The clone that was polled ready serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            if !plan.latency.is_zero() {
                tokio::time::sleep(plan.latency).await;
            }
            let response = match plan.action {
                Some(FaultKind::TooManyRequests) => {
                    return Ok(
                        HttpError::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests")
                            .into_response(),
                    );
                }
                Some(FaultKind::InternalError) => {
                    return Ok(HttpError::internal("Internal error").into_response());
                }
                Some(FaultKind::Html502) => return Ok(html_502()),
                Some(FaultKind::Reset) => return Ok(reset()),
                _ => inner.call(request).await?,
            };
            Ok(match plan.action {
                Some(FaultKind::Truncated) => truncate(response).await,
                Some(FaultKind::UnknownStatus) => unknown_status(response).await,
                _ => response,
            })
        })
    }
}

/// A load balancer's HTML error page.
fn html_502() -> Response {
    let page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
    let mut response = Response::new(Body::from(page));
    *response.status_mut() = StatusCode::BAD_GATEWAY;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

/// A response whose body fails at once: the server drops the connection
/// before anything is written, so the client sees it closed.
fn reset() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "sandbox fault: reset",
        ))
    });
    Response::new(Body::from_stream(stream))
}

/// The response body, read whole (the sandbox's own responses are small).
async fn body_of(response: Response) -> (axum::http::response::Parts, Bytes) {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    (parts, bytes)
}

/// The same response as 200 with its body cut in half.
async fn truncate(response: Response) -> Response {
    let (_, bytes) = body_of(response).await;
    let cut = bytes.len() / 2;
    json_bytes(StatusCode::OK, bytes[..cut].to_vec())
}

/// The same response with its `deploymentStatus` (deploy and status
/// answers) replaced by [`UNKNOWN_STATUS`], a status Tray does not
/// document; other responses are unchanged.
async fn unknown_status(response: Response) -> Response {
    let (parts, bytes) = body_of(response).await;
    let mut value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(_) => return Response::from_parts(parts, Body::from(bytes)),
    };
    match value.get_mut("deploymentStatus") {
        Some(status) => *status = serde_json::Value::String(UNKNOWN_STATUS.to_owned()),
        None => return Response::from_parts(parts, Body::from(bytes)),
    }
    match serde_json::to_vec(&value) {
        Ok(body) => json_bytes(parts.status, body),
        Err(_) => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// A governor clock on tokio's time, so the limit follows
/// `tokio::time::pause` in tests.
#[derive(Debug, Clone)]
struct TokioClock {
    origin: tokio::time::Instant,
}

impl governor::clock::Clock for TokioClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        tokio::time::Instant::now().saturating_duration_since(self.origin)
    }
}

/// Tray's documented limit ([`RATE_LIMIT_PER_SECOND`] requests/s, bursts
/// of up to [`RATE_LIMIT_BURST`]) for the whole sandbox, as a GCRA.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limiter: Governor<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Duration>>,
}

impl RateLimiter {
    pub(crate) fn new() -> Self {
        let quota =
            Quota::per_second(NonZeroU32::new(RATE_LIMIT_PER_SECOND).unwrap_or(NonZeroU32::MIN))
                .allow_burst(NonZeroU32::new(RATE_LIMIT_BURST).unwrap_or(NonZeroU32::MIN));
        let clock = TokioClock {
            origin: tokio::time::Instant::now(),
        };
        RateLimiter {
            limiter: Governor::direct_with_clock(quota, clock),
        }
    }

    /// Takes a cell; `false` when the limit is reached.
    pub(crate) fn allow(&self) -> bool {
        self.limiter.check().is_ok()
    }

    /// The 429 answered over the limit (without `Retry-After`, as Tray).
    pub(crate) fn rejection() -> HttpError {
        HttpError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Rate limit exceeded: at most {RATE_LIMIT_PER_SECOND} requests per second (bursts of {RATE_LIMIT_BURST})"
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn rate_is_exact() {
        let set = FaultSet::new(vec![
            Fault::new(Route::Status, FaultKind::InternalError).with_rate(0.25),
        ]);
        let fired = (0..100)
            .filter(|_| set.plan(Some(Route::Status)).action.is_some())
            .count();
        assert_eq!(fired, 25);
        assert!(set.plan(Some(Route::Deploy)).action.is_none());
    }

    #[test]
    fn parses_every_kind() {
        for spec in [
            "deploy=429",
            "status=500",
            "share=html502",
            "export=reset",
            "import=truncated",
            "status=unknown-status",
            "release=latency:1s@0.5",
        ] {
            let fault: Fault = spec.parse().unwrap();
            assert_eq!(fault.to_string(), spec);
        }
        assert!("nowhere=429".parse::<Fault>().is_err());
        assert!("deploy=429@2".parse::<Fault>().is_err());
        assert!("deploy".parse::<Fault>().is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn limit_allows_the_burst_then_the_rate() {
        let limiter = RateLimiter::new();
        let allowed = (0..80).filter(|_| limiter.allow()).count();
        assert_eq!(allowed, RATE_LIMIT_BURST as usize);
        // One second later, 30 more.
        tokio::time::advance(Duration::from_secs(1)).await;
        let allowed = (0..80).filter(|_| limiter.allow()).count();
        assert_eq!(allowed, RATE_LIMIT_PER_SECOND as usize);
    }

    #[test]
    fn every_route_has_its_name_and_endpoint() {
        assert_eq!(ROUTES.len(), Route::ALL.len());
        for (route, name) in Route::ALL.iter().zip(ROUTES) {
            assert_eq!(route.as_str(), *name);
            assert_eq!(name.parse::<Route>().unwrap(), *route);
            assert_eq!(route.endpoint().is_none(), *route == Route::All);
        }
        let message = "nowhere".parse::<Route>().unwrap_err();
        assert!(
            message.contains("create-version, list-versions"),
            "{message}"
        );
    }
}
