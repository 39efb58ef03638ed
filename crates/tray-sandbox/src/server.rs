//! The HTTP server: builder, handle, routing, faults, auth and the request log.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State as AxumState};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;
use uuid::Uuid;

use crate::auth::{DEFAULT_TOKEN, Tokens};
use crate::faults::{Fault, FaultKind, FaultSet, RateLimiter, Route};
use crate::http::{HttpError, json_bytes, percent_decode};
use crate::seed::{self, SeedProject};
use crate::state::{self, State};
use crate::{SandboxError, deployments, permissions, projects, solutions};

/// The largest request body read (connector zips are sent base64 encoded).
const MAX_BODY: usize = 64 * 1024 * 1024;
/// How many requests the log keeps (the most recent ones).
pub const REQUEST_LOG_CAPACITY: usize = 10_000;
/// The deploy time when none is set: 3 s, half `Deploying`, half `Building`.
pub const DEFAULT_DEPLOY_TIME: Duration = Duration::from_secs(3);

/// The local emulator of Tray's Deployments, Permissions, Projects and
/// Solutions APIs. Start one with [`Sandbox::builder`].
///
/// ```no_run
/// # async fn run() -> Result<(), tray_sandbox::SandboxError> {
/// let sandbox = tray_sandbox::Sandbox::builder()
///     .deploy_time(std::time::Duration::from_millis(300))
///     .start()
///     .await?;
/// println!("{} {}", sandbox.base_url(), sandbox.token());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Sandbox;

impl Sandbox {
    /// A builder with every option at its default.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }
}

/// Options of a sandbox; all optional.
#[derive(Debug, Clone)]
pub struct SandboxBuilder {
    token: String,
    read_token: Option<String>,
    deploy_time: Duration,
    addr: SocketAddr,
    faults: Vec<Fault>,
    rate_limit: bool,
    state_file: Option<PathBuf>,
    seed_file: Option<PathBuf>,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            token: DEFAULT_TOKEN.to_owned(),
            read_token: None,
            deploy_time: DEFAULT_DEPLOY_TIME,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            faults: Vec::new(),
            rate_limit: false,
            state_file: None,
            seed_file: None,
        }
    }
}

impl SandboxBuilder {
    /// The token that may do everything (default [`DEFAULT_TOKEN`]).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = token.into();
        self
    }

    /// A second token that may only read: deploy, share, create version,
    /// import and release answer 403 with it. The requirements and preview
    /// calls, although `POST`, only read and are allowed.
    pub fn read_token(mut self, token: impl Into<String>) -> Self {
        self.read_token = Some(token.into());
        self
    }

    /// How long a deployment takes, split evenly between `Deploying` and
    /// `Building` (default 3 s). `Duration::ZERO`: `Deployed` at the first
    /// status read.
    pub fn deploy_time(mut self, deploy_time: Duration) -> Self {
        self.deploy_time = deploy_time;
        self
    }

    /// Where to listen (default `127.0.0.1:0`, an ephemeral port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Adds a fault (repeatable); see [`Fault`].
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Enforces Tray's rate limit (30 requests/s, bursts of 50, one bucket
    /// for the whole sandbox), answering 429 without `Retry-After`.
    pub fn rate_limit(mut self, enabled: bool) -> Self {
        self.rate_limit = enabled;
        self
    }

    /// Loads the state from this file on start when it exists, and saves
    /// it atomically after each change.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Adds the projects of this seed file (`{"projects": [SeedProject…]}`,
    /// see [`SeedProject`]) on start; projects whose id already exists are
    /// kept as they are.
    pub fn seed_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.seed_file = Some(path.into());
        self
    }

    /// Binds the socket, loads or seeds the state and starts serving on the
    /// current tokio runtime.
    pub async fn start(self) -> Result<SandboxHandle, SandboxError> {
        let mut state = match &self.state_file {
            Some(path) => state::load(path)?.unwrap_or_else(seed::seeded_state),
            None => seed::seeded_state(),
        };
        if let Some(path) = &self.seed_file {
            for project in seed::read_seed_file(path)? {
                let exists = project
                    .id
                    .is_some_and(|id| state.projects.contains_key(&id));
                if !exists {
                    seed::add_project(&mut state, project);
                }
            }
        }
        let listener = tokio::net::TcpListener::bind(self.addr)
            .await
            .map_err(|source| SandboxError::Bind {
                addr: self.addr,
                source,
            })?;
        let addr = listener.local_addr()?;
        let app = Arc::new(App {
            tokens: Tokens {
                full: self.token,
                read_only: self.read_token,
            },
            deploy_time: self.deploy_time,
            faults: FaultSet::new(self.faults),
            rate_limiter: self.rate_limit.then(RateLimiter::new),
            state: RwLock::new(state),
            state_file: self.state_file,
            persist_lock: Mutex::new(()),
            log: Mutex::new(VecDeque::new()),
        });
        app.persist();
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&app));
        let (shutdown_tx, mut shutdown_rx) = watch::channel(false);
        let server = tokio::spawn(async move {
            let shutdown = async move {
                let _ = shutdown_rx.wait_for(|stop| *stop).await;
            };
            if let Err(error) = axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(%error, "sandbox server stopped");
            }
        });
        tracing::info!(%addr, "tray sandbox listening");
        Ok(SandboxHandle {
            addr,
            app,
            shutdown: shutdown_tx,
            server: Some(server),
        })
    }
}

/// A running sandbox; shuts the server down when dropped.
#[derive(Debug)]
pub struct SandboxHandle {
    addr: SocketAddr,
    app: Arc<App>,
    shutdown: watch::Sender<bool>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl SandboxHandle {
    /// `http://127.0.0.1:PORT`, without a trailing slash: the base URL to
    /// give a client instead of `https://api.tray.io`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the sandbox listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The token that may do everything.
    pub fn token(&self) -> &str {
        &self.app.tokens.full
    }

    /// The read-only token, when one was set.
    pub fn read_token(&self) -> Option<&str> {
        self.app.tokens.read_only.as_deref()
    }

    /// The deploy time in force.
    pub fn deploy_time(&self) -> Duration {
        self.app.deploy_time
    }

    /// The requests received so far (the most recent
    /// [`REQUEST_LOG_CAPACITY`]), oldest first, with the token redacted.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.app.log).iter().cloned().collect()
    }

    /// Replaces the faults in force.
    pub fn set_faults(&self, faults: Vec<Fault>) {
        self.app.faults.replace(faults);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.app.faults.replace(Vec::new());
    }

    /// Records a finished (`Deployed`) deployment of a connector version,
    /// as if it had been deployed earlier; returns the deployment id. It
    /// becomes the version's `latest`, so the connector can be read and
    /// shared at once (`tray --sandbox` seeds `acme-crm 1.0` this way).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let sandbox = tray_sandbox::Sandbox::builder().start().await.unwrap();
    /// let id = sandbox.seed_deployed_connector("acme-crm", "1.0");
    /// # let _ = id; }
    /// ```
    pub fn seed_deployed_connector(&self, name: &str, version: &str) -> Uuid {
        let id = Uuid::new_v4();
        self.app.write(|state| {
            state.deployments.insert(
                id,
                crate::state::DeploymentRecord {
                    id,
                    connector_name: name.to_owned(),
                    connector_version: version.to_owned(),
                    started: chrono::DateTime::<chrono::Utc>::UNIX_EPOCH,
                    deploy_time_ms: 0,
                },
            );
            state
                .latest
                .insert(crate::state::connector_key(name, version), id);
        });
        id
    }

    /// Adds a project (and, with `solution_id`, its solution); returns its
    /// id. A project with the same id is replaced.
    pub fn seed_project(&self, project: SeedProject) -> Uuid {
        self.app.write(|state| seed::add_project(state, project))
    }

    /// The start banner of `tray sandbox serve`: base URL, token and the
    /// seeded ids, one per line.
    pub fn banner(&self) -> String {
        let mut banner = format!(
            "tray sandbox listening on {}\ntoken {}\n",
            self.base_url(),
            self.token()
        );
        if let Some(read_token) = self.read_token() {
            banner.push_str(&format!("read-only token {read_token}\n"));
        }
        banner.push_str(&format!(
            "source project {}\ndestination project {}\nsolution {}\nspare destination authentication {}\n",
            seed::SOURCE_PROJECT_ID,
            seed::DESTINATION_PROJECT_ID,
            seed::SOLUTION_ID,
            seed::DESTINATION_SPARE_AUTH_ID
        ));
        banner
    }

    /// Serves until ctrl-c, then shuts down.
    pub async fn wait(mut self) {
        let server = self.server.take();
        if let Some(server) = server {
            tokio::select! {
                _ = server => {}
                _ = tokio::signal::ctrl_c() => {
                    let _ = self.shutdown.send(true);
                }
            }
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// One request as the sandbox received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// `GET`, `POST`…
    pub method: String,
    /// The path with its query string.
    pub path: String,
    /// The headers in order; `Authorization` is `Bearer <redacted>`.
    pub headers: Vec<(String, String)>,
    /// The body, decoded as UTF-8 (lossy).
    pub body: String,
}

impl LoggedRequest {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Shared by every request.
#[derive(Debug)]
pub(crate) struct App {
    pub tokens: Tokens,
    pub deploy_time: Duration,
    pub faults: FaultSet,
    pub rate_limiter: Option<RateLimiter>,
    pub state: RwLock<State>,
    pub state_file: Option<PathBuf>,
    pub persist_lock: Mutex<()>,
    pub log: Mutex<VecDeque<LoggedRequest>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl App {
    /// Runs `f` with the state read-locked.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        match self.state.read() {
            Ok(guard) => f(&guard),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    /// Runs `f` with the state write-locked, then saves the state file.
    pub(crate) fn write<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let result = match self.state.write() {
            Ok(mut guard) => f(&mut guard),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        };
        self.persist();
        result
    }

    /// Saves the state file (serialized under the persist lock, so the
    /// last write always holds the latest state).
    pub(crate) fn persist(&self) {
        let Some(path) = &self.state_file else {
            return;
        };
        let _guard = lock(&self.persist_lock);
        let snapshot = self.read(Clone::clone);
        if let Err(error) = state::save(path, &snapshot) {
            tracing::warn!(path = %path.display(), %error, "cannot save the sandbox state");
        }
    }

    fn log(&self, parts: &axum::http::request::Parts, body: &[u8]) {
        let headers = parts
            .headers
            .iter()
            .map(|(name, value)| {
                let value = if name == header::AUTHORIZATION {
                    "Bearer <redacted>".to_owned()
                } else {
                    String::from_utf8_lossy(value.as_bytes()).into_owned()
                };
                (name.as_str().to_owned(), value)
            })
            .collect();
        let entry = LoggedRequest {
            method: parts.method.to_string(),
            path: parts
                .uri
                .path_and_query()
                .map(|pq| pq.as_str().to_owned())
                .unwrap_or_else(|| parts.uri.path().to_owned()),
            headers,
            body: String::from_utf8_lossy(body).into_owned(),
        };
        let mut log = lock(&self.log);
        if log.len() >= REQUEST_LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(entry);
    }
}

/// A request the sandbox serves, with its path parameters (decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Deploy {
        name: String,
        version: String,
    },
    Status {
        name: String,
        version: String,
        id: String,
    },
    Share {
        name: String,
        version: String,
    },
    CreateVersion {
        project: String,
        version: String,
    },
    ListVersions {
        project: String,
    },
    Export {
        project: String,
        version: String,
    },
    ImportRequirements {
        project: String,
    },
    ImportPreview {
        project: String,
    },
    Import {
        project: String,
    },
    ReleasePreview {
        solution: String,
    },
    Release {
        solution: String,
    },
}

impl Endpoint {
    fn route(&self) -> Route {
        match self {
            Endpoint::Deploy { .. } => Route::Deploy,
            Endpoint::Status { .. } => Route::Status,
            Endpoint::Share { .. } => Route::Share,
            Endpoint::CreateVersion { .. } => Route::CreateVersion,
            Endpoint::ListVersions { .. } => Route::ListVersions,
            Endpoint::Export { .. } => Route::Export,
            Endpoint::ImportRequirements { .. } => Route::ImportRequirements,
            Endpoint::ImportPreview { .. } => Route::ImportPreview,
            Endpoint::Import { .. } => Route::Import,
            Endpoint::ReleasePreview { .. } => Route::ReleasePreview,
            Endpoint::Release { .. } => Route::Release,
        }
    }

    /// Whether the endpoint changes state (refused to the read-only token).
    fn is_write(&self) -> bool {
        matches!(
            self,
            Endpoint::Deploy { .. }
                | Endpoint::Share { .. }
                | Endpoint::CreateVersion { .. }
                | Endpoint::Import { .. }
                | Endpoint::Release { .. }
        )
    }

    /// Matches a method and path: 404 for an unknown path, 405 for a known
    /// path with another method.
    fn parse(method: &Method, path: &str) -> Result<Endpoint, HttpError> {
        let segments: Vec<String> = path
            .strip_prefix('/')
            .unwrap_or(path)
            .split('/')
            .map(|segment| percent_decode(segment, false))
            .collect();
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        let owned = |value: &str| value.to_owned();
        let (endpoint, allowed) = match s.as_slice() {
            [
                "cdk",
                "v1",
                "deployments",
                "connectors",
                name,
                "versions",
                version,
                "deploy-connector-from-source",
            ] => (
                Endpoint::Deploy {
                    name: owned(name),
                    version: owned(version),
                },
                Method::POST,
            ),
            [
                "cdk",
                "v1",
                "deployments",
                "connectors",
                name,
                "versions",
                version,
                id,
            ] => (
                Endpoint::Status {
                    name: owned(name),
                    version: owned(version),
                    id: owned(id),
                },
                Method::GET,
            ),
            [
                "cdk",
                "v1",
                "permissions",
                "connectors",
                name,
                "versions",
                version,
                "share-with-emails",
            ] => (
                Endpoint::Share {
                    name: owned(name),
                    version: owned(version),
                },
                Method::POST,
            ),
            ["core", "v1", "projects", project, "versions"] => (
                Endpoint::ListVersions {
                    project: owned(project),
                },
                Method::GET,
            ),
            ["core", "v1", "projects", project, "versions", version] => (
                Endpoint::CreateVersion {
                    project: owned(project),
                    version: owned(version),
                },
                Method::POST,
            ),
            [
                "core",
                "v1",
                "projects",
                project,
                "versions",
                version,
                "export",
            ] => (
                Endpoint::Export {
                    project: owned(project),
                    version: owned(version),
                },
                Method::GET,
            ),
            ["core", "v1", "projects", project, "imports", "requirements"] => (
                Endpoint::ImportRequirements {
                    project: owned(project),
                },
                Method::POST,
            ),
            ["core", "v1", "projects", project, "imports", "previews"] => (
                Endpoint::ImportPreview {
                    project: owned(project),
                },
                Method::POST,
            ),
            ["core", "v1", "projects", project, "imports"] => (
                Endpoint::Import {
                    project: owned(project),
                },
                Method::POST,
            ),
            ["core", "v1", "solutions", solution, "releases", "previews"] => (
                Endpoint::ReleasePreview {
                    solution: owned(solution),
                },
                Method::POST,
            ),
            ["core", "v1", "solutions", solution, "releases"] => (
                Endpoint::Release {
                    solution: owned(solution),
                },
                Method::POST,
            ),
            _ => {
                return Err(HttpError::not_found(format!(
                    "No such endpoint: {method} {path}"
                )));
            }
        };
        if s.iter().any(|segment| segment.is_empty()) {
            return Err(HttpError::not_found(format!(
                "No such endpoint: {method} {path}"
            )));
        }
        if method == allowed || (allowed == Method::GET && method == Method::HEAD) {
            Ok(endpoint)
        } else {
            Err(HttpError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("Method {method} is not allowed on {path} (use {allowed})"),
            ))
        }
    }
}

/// Per-request facts the handlers need.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    /// The `unknown-status` fault fired for this request.
    pub unknown_status: bool,
}

/// Parses a path parameter declared `format: uuid`.
pub(crate) fn uuid_param(name: &str, value: &str) -> Result<Uuid, HttpError> {
    Uuid::parse_str(value)
        .map_err(|_| HttpError::bad_request(format!("{name} must be a UUID, got {value:?}")))
}

async fn handle(AxumState(app): AxumState<Arc<App>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return HttpError::bad_request(format!(
                "The request body could not be read or is larger than {MAX_BODY} bytes"
            ))
            .into_response();
        }
    };
    app.log(&parts, &bytes);
    let endpoint = Endpoint::parse(&parts.method, parts.uri.path());
    let plan = app.faults.plan(endpoint.as_ref().ok().map(Endpoint::route));
    if !plan.latency.is_zero() {
        tokio::time::sleep(plan.latency).await;
    }
    match plan.action {
        Some(FaultKind::TooManyRequests) => {
            return HttpError::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests")
                .into_response();
        }
        Some(FaultKind::InternalError) => {
            return HttpError::internal("Internal error").into_response();
        }
        Some(FaultKind::Html502) => return html_502(),
        Some(FaultKind::Reset) => return reset(),
        _ => {}
    }
    if let Some(limiter) = &app.rate_limiter
        && !limiter.allow()
    {
        return HttpError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Rate limit exceeded: at most 30 requests per second (bursts of 50)",
        )
        .into_response();
    }
    let endpoint = match endpoint {
        Ok(endpoint) => endpoint,
        Err(error) => return error.into_response(),
    };
    if let Err(error) = app.tokens.check(&parts.headers, endpoint.is_write()) {
        return error.into_response();
    }
    let ctx = Ctx {
        unknown_status: plan.action == Some(FaultKind::UnknownStatus),
    };
    let response = dispatch(&app, endpoint, parts.uri.query(), &bytes, ctx)
        .unwrap_or_else(IntoResponse::into_response);
    if plan.action == Some(FaultKind::Truncated) {
        truncate(response).await
    } else {
        response
    }
}

fn dispatch(
    app: &App,
    endpoint: Endpoint,
    query: Option<&str>,
    body: &Bytes,
    ctx: Ctx,
) -> Result<Response, HttpError> {
    match endpoint {
        Endpoint::Deploy { name, version } => deployments::deploy(app, &name, &version, body, ctx),
        Endpoint::Status { name, version, id } => {
            deployments::status(app, &name, &version, &id, ctx)
        }
        Endpoint::Share { name, version } => permissions::share(app, &name, &version, body),
        Endpoint::CreateVersion { project, version } => {
            projects::create_version(app, &project, &version, body)
        }
        Endpoint::ListVersions { project } => projects::list_versions(app, &project, query),
        Endpoint::Export { project, version } => projects::export(app, &project, &version),
        Endpoint::ImportRequirements { project } => {
            projects::import_requirements(app, &project, body)
        }
        Endpoint::ImportPreview { project } => projects::import_preview(app, &project, body),
        Endpoint::Import { project } => projects::import(app, &project, body),
        Endpoint::ReleasePreview { solution } => solutions::release_preview(app, &solution),
        Endpoint::Release { solution } => solutions::release(app, &solution),
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

/// The same response as 200 with its body cut in half.
async fn truncate(response: Response) -> Response {
    let bytes = axum::body::to_bytes(response.into_body(), MAX_BODY)
        .await
        .unwrap_or_default();
    let cut = bytes.len() / 2;
    json_bytes(StatusCode::OK, bytes[..cut].to_vec())
}
