//! The HTTP server: builder, handle, the axum routes and their layers
//! (request log, faults, rate limit), and the request log.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State as AxumState};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use chrono::{DateTime, Utc};
use futures::StreamExt as _;
use serde::Deserialize;
use tokio::sync::watch;
use tray_api_raw::deployments::types::DeployConnectorRequest;
use tray_api_raw::projects::types::CreateProjectVersionInput;
use uuid::Uuid;

use crate::auth::{DEFAULT_TOKEN, Reader, Tokens, Writer};
use crate::faults::{Fault, FaultLayer, FaultSet, RateLimiter, Route};
use crate::http::{
    HttpError, JsonBody, Params, ProjectId, QueryParams, RawBody, SolutionId, VersionNumber,
};
use crate::seed::{self, SeedProject};
use crate::state::{State, StateFile, Store};
use crate::{SandboxError, deployments, permissions, projects, solutions};

/// The largest request body accepted unless told otherwise (64 MiB;
/// connector zips are sent base64 encoded); see
/// [`SandboxBuilder::body_limit`].
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024 * 1024;
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
    body_limit: usize,
    without_routes: Vec<Route>,
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
            body_limit: DEFAULT_BODY_LIMIT,
            without_routes: Vec::new(),
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

    /// Enforces Tray's rate limit
    /// ([`tray_api_raw::RATE_LIMIT_PER_SECOND`] requests/s, bursts of
    /// [`tray_api_raw::RATE_LIMIT_BURST`], one limit for the whole
    /// sandbox, on tokio's clock), answering 429 without `Retry-After`.
    pub fn rate_limit(mut self, enabled: bool) -> Self {
        self.rate_limit = enabled;
        self
    }

    /// Loads the state from this file on start when it exists, and saves
    /// it atomically after each change, before the change is acknowledged
    /// (a change that cannot be saved answers 500). The folder must exist
    /// and be writable: [`SandboxBuilder::start`] fails otherwise. A
    /// symlink is followed (the file it points to is replaced, not the
    /// link).
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

    /// The largest request body accepted (default
    /// [`DEFAULT_BODY_LIMIT`]); a larger one is a 413 with Tray's error
    /// body.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Answers as if this endpoint did not exist (repeatable): its path
    /// is 404 `No such endpoint: METHOD PATH` like any unknown path, or 405
    /// when another route serves the same path with another method. For
    /// trying a client against a region where Tray has not shipped an
    /// endpoint yet, and for testing the coverage check
    /// (`crates/tray-cli/tests/coverage`). [`Route::All`] removes every
    /// route.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use tray_sandbox::{Route, Sandbox};
    /// let sandbox = Sandbox::builder().without_route(Route::Status).start().await.unwrap();
    /// # let _ = sandbox; }
    /// ```
    pub fn without_route(mut self, route: Route) -> Self {
        self.without_routes.push(route);
        self
    }

    /// Loads or seeds the state (with a state file: removes the temporary
    /// files a killed run left, and saves it once, so a folder that is
    /// missing or cannot be written fails here), binds the socket and
    /// starts serving on the current tokio runtime.
    pub async fn start(self) -> Result<SandboxHandle, SandboxError> {
        let state_file = self
            .state_file
            .as_deref()
            .map(StateFile::open)
            .transpose()?;
        let mut state = match &state_file {
            Some(file) => file.load()?.unwrap_or_else(seed::seeded_state),
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
        let store = match state_file {
            Some(file) => Store::persistent(state, file).await?,
            None => Store::in_memory(state),
        };
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
            faults: Arc::new(FaultSet::new(self.faults)),
            rate_limiter: self.rate_limit.then(RateLimiter::new),
            store,
            clock: Clock::start(),
            body_limit: self.body_limit,
            log: Mutex::new(VecDeque::new()),
        });
        let router = router(&app, &self.without_routes);
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
    /// id. A project with the same id is replaced. With a state file, the
    /// writer task saves it in the background (this call does not wait),
    /// as it does for [`SandboxHandle::seed_deployed_connector`].
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
    pub faults: Arc<FaultSet>,
    pub rate_limiter: Option<RateLimiter>,
    pub store: Store,
    pub clock: Clock,
    pub body_limit: usize,
    pub log: Mutex<VecDeque<LoggedRequest>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The sandbox's clock: the wall-clock time at start plus the time elapsed
/// since on tokio's clock, so deployments progress with
/// `tokio::time::pause`/`advance` in tests (`start_paused = true`), and
/// their start times (saved in the state file) stay meaningful across
/// restarts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    wall: DateTime<Utc>,
    origin: tokio::time::Instant,
}

impl Clock {
    fn start() -> Self {
        Clock {
            wall: Utc::now(),
            origin: tokio::time::Instant::now(),
        }
    }

    /// The current time.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::TimeDelta::from_std(self.origin.elapsed()).unwrap_or_default();
        self.wall.checked_add_signed(elapsed).unwrap_or(self.wall)
    }
}

impl App {
    /// Runs `f` with the state read-locked.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        self.store.read(f)
    }

    /// Runs `f` with the state write-locked; the request that made the
    /// change is answered once it is saved (see [`App::respond`]).
    pub(crate) fn write<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        self.store.write(f)
    }

    /// The time on the sandbox's clock.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Runs a handler and answers its response once the changes it made
    /// are saved; a change that cannot be saved is not acknowledged: 500.
    async fn respond(&self, handler: impl FnOnce() -> Result<Response, HttpError>) -> Response {
        match self.store.acknowledged(handler).await {
            Ok(response) => response.unwrap_or_else(IntoResponse::into_response),
            Err(reason) => HttpError::internal(format!(
                "The change could not be saved to the state file, so it was not acknowledged: {reason}"
            ))
            .into_response(),
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

/// The routes, one per operation (method and path from [`Route::endpoint`]),
/// each answering 405 with Tray's body for another method; 404 with Tray's
/// body for any other path. Layers, outermost first: the request log (and
/// the body size limit), the faults, the rate limit; then, in each
/// handler, the token, the path parameters, the query and the body.
/// The routes in `without` are left out ([`SandboxBuilder::without_route`]).
fn router(app: &Arc<App>, without: &[Route]) -> Router {
    let on = |route: Route, method_router: MethodRouter<Arc<App>>| {
        (route, method_router.fallback(method_not_allowed))
    };
    let routes = [
        on(Route::Deploy, post(deploy)),
        on(Route::Status, get(status)),
        on(Route::Share, post(share)),
        on(Route::CreateVersion, post(create_version)),
        on(Route::ListVersions, get(list_versions)),
        on(Route::Export, get(export)),
        on(Route::ImportRequirements, post(import_requirements)),
        on(Route::ImportPreview, post(import_preview)),
        on(Route::Import, post(import)),
        on(Route::ReleasePreview, post(release_preview)),
        on(Route::Release, post(release)),
    ];
    let mut router = Router::new();
    for (route, method_router) in routes {
        if !without.iter().any(|removed| removed.covers(Some(route))) {
            router = router.route(route.path(), method_router);
        }
    }
    router
        .fallback(no_such_endpoint)
        .layer(from_fn_with_state(Arc::clone(app), rate_limit))
        .layer(FaultLayer::new(Arc::clone(&app.faults)))
        .layer(from_fn_with_state(Arc::clone(app), log_request))
        .with_state(Arc::clone(app))
}

/// Reads the body (413 over the limit), logs the request and passes it on.
async fn log_request(
    AxumState(app): AxumState<Arc<App>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(_) => {
                app.log(&parts, &bytes);
                return HttpError::bad_request("The request body could not be read")
                    .into_response();
            }
        };
        if bytes.len() + chunk.len() > app.body_limit {
            app.log(&parts, b"");
            return HttpError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("The request body is larger than {} bytes", app.body_limit),
            )
            .into_response();
        }
        bytes.extend_from_slice(&chunk);
    }
    app.log(&parts, &bytes);
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Tray's rate limit, when enabled.
async fn rate_limit(AxumState(app): AxumState<Arc<App>>, request: Request, next: Next) -> Response {
    if let Some(limiter) = &app.rate_limiter
        && !limiter.allow()
    {
        return RateLimiter::rejection().into_response();
    }
    next.run(request).await
}

async fn no_such_endpoint(method: Method, uri: Uri) -> HttpError {
    HttpError::not_found(format!("No such endpoint: {method} {}", uri.path()))
}

/// 405 for a known path with another method, naming the one to use (and
/// in `Allow`).
async fn method_not_allowed(matched: Option<MatchedPath>, method: Method, uri: Uri) -> Response {
    let allowed = matched
        .and_then(|matched| {
            Route::ALL.iter().find_map(|route| {
                route
                    .endpoint()
                    .filter(|(_, path)| *path == matched.as_str())
                    .map(|(method, _)| method)
            })
        })
        .unwrap_or("GET");
    let mut response = HttpError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!(
            "Method {method} is not allowed on {} (use {allowed})",
            uri.path()
        ),
    )
    .into_response();
    let allow = if allowed == "GET" {
        "GET, HEAD"
    } else {
        allowed
    };
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// `{name}/versions/{version}` of a connector.
#[derive(Debug, Deserialize)]
struct ConnectorPath {
    name: String,
    version: String,
}

/// A deployment of a connector version (`{id}` may be `latest`).
#[derive(Debug, Deserialize)]
struct DeploymentPath {
    name: String,
    version: String,
    id: String,
}

#[derive(Debug, Deserialize)]
struct ProjectPath {
    #[serde(rename = "projectId")]
    project: ProjectId,
}

#[derive(Debug, Deserialize)]
struct ProjectVersionPath {
    #[serde(rename = "projectId")]
    project: ProjectId,
    #[serde(rename = "versionNumber")]
    version: VersionNumber,
}

#[derive(Debug, Deserialize)]
struct SolutionPath {
    #[serde(rename = "solutionId")]
    solution: SolutionId,
}

async fn deploy(
    AxumState(app): AxumState<Arc<App>>,
    _: Writer,
    Params(path): Params<ConnectorPath>,
    JsonBody(request): JsonBody<DeployConnectorRequest>,
) -> Response {
    app.respond(|| deployments::deploy(&app, &path.name, &path.version, &request))
        .await
}

async fn status(
    AxumState(app): AxumState<Arc<App>>,
    _: Reader,
    Params(path): Params<DeploymentPath>,
) -> Response {
    app.respond(|| deployments::status(&app, &path.name, &path.version, &path.id))
        .await
}

async fn share(
    AxumState(app): AxumState<Arc<App>>,
    _: Writer,
    Params(path): Params<ConnectorPath>,
    RawBody(body): RawBody,
) -> Response {
    app.respond(|| permissions::share(&app, &path.name, &path.version, &body))
        .await
}

async fn create_version(
    AxumState(app): AxumState<Arc<App>>,
    _: Writer,
    Params(path): Params<ProjectVersionPath>,
    JsonBody(input): JsonBody<CreateProjectVersionInput>,
) -> Response {
    app.respond(|| projects::create_version(&app, path.project.0, &path.version.0, &input))
        .await
}

async fn list_versions(
    AxumState(app): AxumState<Arc<App>>,
    _: Reader,
    Params(path): Params<ProjectPath>,
    QueryParams(query): QueryParams<projects::ListVersionsQuery>,
) -> Response {
    app.respond(|| projects::list_versions(&app, path.project.0, &query))
        .await
}

async fn export(
    AxumState(app): AxumState<Arc<App>>,
    _: Reader,
    Params(path): Params<ProjectVersionPath>,
) -> Response {
    app.respond(|| projects::export(&app, path.project.0, &path.version.0))
        .await
}

async fn import_requirements(
    AxumState(app): AxumState<Arc<App>>,
    _: Reader,
    Params(path): Params<ProjectPath>,
    RawBody(body): RawBody,
) -> Response {
    app.respond(|| projects::import_requirements(&app, path.project.0, &body))
        .await
}

async fn import_preview(
    AxumState(app): AxumState<Arc<App>>,
    _: Reader,
    Params(path): Params<ProjectPath>,
    RawBody(body): RawBody,
) -> Response {
    app.respond(|| projects::import_preview(&app, path.project.0, &body))
        .await
}

async fn import(
    AxumState(app): AxumState<Arc<App>>,
    _: Writer,
    Params(path): Params<ProjectPath>,
    RawBody(body): RawBody,
) -> Response {
    app.respond(|| projects::import(&app, path.project.0, &body))
        .await
}

async fn release_preview(
    AxumState(app): AxumState<Arc<App>>,
    _: Reader,
    Params(path): Params<SolutionPath>,
) -> Response {
    app.respond(|| solutions::release_preview(&app, path.solution.0))
        .await
}

async fn release(
    AxumState(app): AxumState<Arc<App>>,
    _: Writer,
    Params(path): Params<SolutionPath>,
) -> Response {
    app.respond(|| solutions::release(&app, path.solution.0))
        .await
}
