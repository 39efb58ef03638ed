//! Ergonomic Rust client for Tray.io's platform APIs: CDK Deployments,
//! Permissions, Projects and Solutions.
//!
//! What the raw generated client (`tray-api-raw`) leaves to you is done
//! here once: regions and tokens, base64 of the connector zip, polling a
//! deployment, paging, exporting to files, typed import inputs, promotion
//! between environments, multi-region deploys, retries with backoff, a
//! client-side rate limiter, typed errors and tracing.
//!
//! # Client ([`Client`], [`ClientBuilder`], [`Region`])
//!
//! ```no_run
//! # fn main() -> Result<(), tray_api::Error> {
//! use std::time::Duration;
//! use tray_api::{Client, Region};
//!
//! let client = Client::builder()
//!     .region(Region::Eu)          // or .base_url("https://proxy.example.com")
//!     .token_from_env()            // TRAY_API_TOKEN, "Bearer " stripped
//!     .user_agent("my-pipeline/1.0")
//!     .timeout(Duration::from_secs(30))
//!     .build()?;
//! // The token is a secret: never in Debug output, errors or traces.
//! println!("{client:?}");
//! # Ok(()) }
//! ```
//!
//! A token is never sent over plain `http://` except to loopback hosts:
//! that is a build error.
//!
//! # Deployments ([`deployments`])
//!
//! ```no_run
//! # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
//! use std::time::Duration;
//! use futures::StreamExt;
//! use tray_api::{ConnectorZip, Error, IfBusy};
//!
//! // Name and version come from the zip's connector.json.
//! let zip = ConnectorZip::open(".tray/connector.zip")?;
//! // Deploy and wait until a deployment of THIS zip is Deployed (a skipped
//! // upload, `repeatDeployment`, waits for the running one and uploads again).
//! let result = client
//!     .deployments()
//!     .deploy(&zip)
//!     .wait()
//!     .if_busy(IfBusy::Wait)
//!     .interval(Duration::from_secs(2))
//!     .timeout(Duration::from_secs(600))
//!     .send()
//!     .await;
//! match result {
//!     Ok(done) => println!("deployed {}", done.id),
//!     Err(Error::DeploymentFailed { deployment }) => eprintln!("failed: {}", deployment.id),
//!     Err(Error::Timeout { last, .. }) => eprintln!("still {:?}", last.map(|d| d.status)),
//!     Err(other) => return Err(other),
//! }
//!
//! // Or upload once, then watch each new state of that deployment.
//! let started = client.deployments().deploy(&zip).send().await?;
//! let mut states = client.deployments().wait(&started).watch();
//! while let Some(state) = states.next().await {
//!     eprintln!("status: {}", state?.status);
//! }
//! # Ok(()) }
//! ```
//!
//! # Permissions ([`permissions`])
//!
//! ```no_run
//! # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
//! let emails = vec!["jane@example.com".to_string()];
//! let outcome = client.permissions().share_with_emails("my-connector", "1.0", &emails).await?;
//! println!("{}", outcome.message);
//! # Ok(()) }
//! ```
//!
//! # Projects ([`projects`], [`ImportInput`])
//!
//! ```no_run
//! # async fn run(client: tray_api::Client) -> Result<(), tray_api::Error> {
//! use futures::TryStreamExt;
//! use tray_api::ImportInput;
//! let project = uuid::Uuid::parse_str("6f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap();
//! let destination = uuid::Uuid::parse_str("7f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap();
//!
//! client.projects().create_version(project, "4").title("Release 4").await?;
//! let versions: Vec<_> = client.projects().versions(project).stream().try_collect().await?;
//! client.projects().export_to_file(project, "4", "export.json").await?;
//!
//! let export = client.projects().export(project, "4").await?;
//! let input = ImportInput::new(export)
//!     .connector_mappings(["crm@1.0=crm@1.1".parse()?])
//!     .auth_resolutions(["slack-auth=8f9619ff-8b86-d011-b42d-00c04fc964ff".parse()?]);
//! let needs = client.projects().import_requirements(destination, &input).await?;
//! let preview = client.projects().import_preview(destination, &input).await?;
//! let imported = client.projects().import(destination, &input).await?;
//! # Ok(()) }
//! ```
//!
//! # Solutions ([`solutions`])
//!
//! ```no_run
//! # async fn run(client: tray_api::Client, solution: uuid::Uuid) -> Result<(), tray_api::Error> {
//! let impact = client.solutions().release_preview(solution).await?;
//! if !impact.breaking_changes {
//!     client.solutions().release(solution).await?;
//! }
//! # Ok(()) }
//! ```
//!
//! # Promote ([`promote`])
//!
//! ```no_run
//! # async fn run(staging: tray_api::Client, production: tray_api::Client) -> Result<(), tray_api::Error> {
//! use tray_api::promote::Promotion;
//! let source = uuid::Uuid::parse_str("6f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap();
//! let destination = uuid::Uuid::parse_str("7f9619ff-8b86-d011-b42d-00c04fc964ff").unwrap();
//! // Each project id sits next to its client: they cannot be swapped.
//! let report = Promotion::from(&staging, source, "4")
//!     .to(&production, destination)
//!     .auth_resolution("slack-auth", uuid::Uuid::nil())
//!     .run_with(|step| eprintln!("{step}"))   // each step as it ends
//!     .await;
//! match report {
//!     Ok(report) => println!("{} steps", report.steps.len()),
//!     Err(tray_api::Error::UnresolvedAuthentications { list }) => {
//!         for auth in list {
//!             eprintln!("resolve {auth}");
//!         }
//!     }
//!     Err(other) => return Err(other),
//! }
//! # Ok(()) }
//! ```
//!
//! # Multi-region ([`deploy_to_regions`])
//!
//! ```no_run
//! # async fn run(us: tray_api::Client, eu: tray_api::Client) -> Result<(), tray_api::Error> {
//! let zip = tray_api::ConnectorZip::open(".tray/connector.zip")?;
//! let outcomes = tray_api::deploy_to_regions(
//!     vec![("us".into(), us), ("eu".into(), eu)],
//!     &zip,
//!     Some(tray_api::WaitOptions::default()),
//!     |region, d| println!("{region}: {}", d.status),
//! )
//! .await;
//! # Ok(()) }
//! ```
//!
//! # Retries and rate limits ([`RetryConfig`], [`RateLimit`])
//!
//! Tray allows 30 requests/s with bursts of 50 and answers 429 without
//! `Retry-After`. Every client retries 429, 502, 503, 504 and connection
//! errors with exponential backoff and jitter, bounded in count and time;
//! 500 only for calls that are harmless to repeat (reads, previews, deploy).
//! Create version, import, release and share are retried only when the
//! request surely did nothing (a refused connection or a 429): a repeated
//! share would report "0 permissions added" for what the first one did. A limiter
//! keeps one client (and its clones) within the documented rate.
//!
//! | operation | 429 | 502/503/504 | 500 | connect error | other transport error |
//! |---|---|---|---|---|---|
//! | reads and previews (`get_deployment`, `list_project_versions`, `export_project_version`, `get_project_import_requirements`, `preview_project_import`, `preview_solution_release`) | yes | yes | yes | yes | yes |
//! | `deploy_connector` (Tray skips a deploy while one is in progress) | yes | yes | yes | yes | yes |
//! | `create_project_version`, `import_project`, `create_solution_release`, `share_with_emails` | yes | no | no | yes | no |
//!
//! Bodies are kept as `Bytes`, so a retry re-sends the same buffer without
//! copying it.
//!
//! ```
//! # fn main() -> Result<(), tray_api::Error> {
//! use tray_api::{Client, RateLimit, RetryConfig};
//! let client = Client::builder()
//!     .retry(RetryConfig::default().with_max_retries(2))
//!     .rate_limit(Some(RateLimit::default()))
//!     .build()?;
//! let no_safety_net = Client::builder()
//!     .retry(RetryConfig::disabled())
//!     .rate_limit(None)
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! # Errors ([`Error`])
//!
//! One enum with the kinds callers branch on; each API error carries the
//! operation, HTTP status and Tray's `message`/`code`. A non-JSON body (an
//! HTML 502 from a proxy) or a malformed success body gives a short excerpt.
//!
//! ```no_run
//! # async fn run(client: tray_api::Client) {
//! match client.deployments().get("my-connector", "1.0", "latest").await {
//!     Err(e @ tray_api::Error::Unauthorized(_)) => eprintln!("{e}\nhint: {}", e.hint().unwrap_or("")),
//!     Err(e) if e.is_local() => eprintln!("bad input: {e}"),
//!     Err(e) => eprintln!("{e} (status {:?})", e.status()),
//!     Ok(d) => println!("{}", d.status),
//! }
//! # }
//! ```
//!
//! # Observability
//!
//! Every request attempt runs in a `tracing` span `tray.request` with
//! `operation`, `method`, `path`, `attempt`, `status` and `duration_ms`.
//! The token and request bodies are never recorded.
//!
//! # Escape hatch
//!
//! [`Client::raw`] gives the generated clients (same token, retries, rate
//! limiter); [`types`] re-exports the generated types.
//!
//! # Features
//!
//! * `config`: profiles from a TOML config file (`config::Config`), what
//!   the `tray` command reads.
//! * `schemars`: `schemars::JsonSchema` (schemars 1, JSON Schema draft
//!   2020-12) for every generated type ([`types`] and `tray_api_raw`'s
//!   modules, through `tray-api-raw`'s feature of the same name), for tools
//!   that need the schemas of the API's inputs and outputs (an MCP server, a
//!   form): [`json_schemas`] lists every component schema of the specs with
//!   its Rust type's schema; with `config` too, for the config file
//!   (`Config::json_schema`).

/// `impl IntoFuture` for a request builder whose `send(self)` is an async
/// fn returning `Result<$output>`, so `.await` works without `.send()`.
/// Written once for every builder (deploy, wait, create version, …).
macro_rules! into_future {
    ($request:ident, $output:ty) => {
        impl<'a> std::future::IntoFuture for $request<'a> {
            type Output = $crate::Result<$output>;
            type IntoFuture =
                std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send + 'a>>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}

mod client;
pub mod config;
mod connector_zip;
pub mod custom;
mod decode;
pub mod deployments;
mod error;
#[macro_use]
mod import;
mod multi_region;
pub mod permissions;
pub mod projects;
pub mod promote;
mod region;
pub mod solutions;
mod transport;

pub use client::{
    Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, DEPLOY_TIMEOUT, RawClients,
    TOKEN_ENV, clean_token,
};
pub use connector_zip::{
    BUILT_ZIP_PATHS, ConnectorManifest, ConnectorZip, MAX_INFLATED_SIZE, MAX_MANIFEST_SIZE,
    ZipError,
};
pub use custom::{CustomRequest, RawResponse, RetryPolicy};
pub use deployments::{Deployment, IfBusy, WaitOptions};
pub use error::{ApiErrorDetails, EXCERPT_CHARS, Error, Result, Subject, UnresolvedAuthentication};
pub use import::{AuthResolution, ConnectorMapping, ImportInput, ServiceMapping};
pub use multi_region::{RegionOutcome, deploy_to_regions};
pub use permissions::ShareOutcome;
pub use promote::{
    PromoteReport, PromoteStep, PromoteStepKind, PromoteStepStatus, Promotion, PromotionSource,
};
pub use region::Region;
/// HTTP methods and headers of [`Client::custom`] requests (re-exported from `http`).
pub use reqwest::{Method, header::HeaderMap};
pub use transport::{RateLimit, RetryConfig};
#[cfg(feature = "schemars")]
pub use tray_api_raw::json_schemas;
/// Every operation of the specs (method, path, retry safety), generated
/// from `openapi/`; [`ApiErrorDetails::operation`] and
/// [`Error::operation`] name one by its [`Operation::id`].
pub use tray_api_raw::{Operation, RetrySafety};

/// Generated types whose shape is already good, re-exported from
/// `tray-api-raw`: project versions and pages, import inputs and responses,
/// solution release impacts, open enums and Tray's error body.
///
/// ```
/// use tray_api::types::{DeploymentStatus, ProjectVersionResponse, PublishSolutionImpact};
/// assert!(DeploymentStatus::Deployed.is_terminal());
/// ```
pub mod types {
    pub use tray_api_raw::projects::types::*;
    pub use tray_api_raw::solutions::types::PublishSolutionImpact;
    pub use tray_api_raw::{
        ApiError, AuthSlotChangeCode, AuthSlotRecreationReasonCode, ConfigSlotChangeCode,
        ConfigSlotRecreationReasonCode, DeploymentStatus, SolutionChangeType,
    };

    /// Solution release types (their slot types share names with the
    /// import ones above, so they live in their own module).
    pub mod solutions {
        pub use tray_api_raw::solutions::types::*;
    }

    /// CDK Deployments wire types.
    pub mod deployments {
        pub use tray_api_raw::deployments::types::*;
    }

    /// CDK Permissions wire types.
    pub mod permissions {
        pub use tray_api_raw::permissions::types::*;
    }
}

/// The README's Rust example, compiled as a doctest so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
