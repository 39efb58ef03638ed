//! Raw Tray.io API client, generated at build time from the OpenAPI specs in
//! `openapi/` by progenitor (through `tray-codegen`).
//!
//! One module per spec, each with its own `Client`, request builders and
//! `types`:
//!
//! | module | spec | operations |
//! |---|---|---|
//! | [`deployments`] | `openapi/deployments.yaml` | `deploy_connector`, `get_deployment` |
//! | [`permissions`] | `openapi/permissions.yaml` | `share_with_emails` |
//! | [`projects`] | `openapi/projects.yaml` | `create_project_version`, `list_project_versions`, `export_project_version`, `get_project_import_requirements`, `preview_project_import`, `import_project` |
//! | [`solutions`] | `openapi/solutions.yaml` | `preview_solution_release`, `create_solution_release` |
//!
//! Most users want the `tray-api` crate instead, which adds regions, waiting,
//! paging, retries and typed errors on top of this one. This crate is the
//! escape hatch for anything the wrapper does not cover.
//!
//! The only hand-written code here is the glue the generated code is
//! configured to use: [`ClientState`] (bearer token and an optional
//! [`Executor`] hook), the shared error body [`ApiError`], and open enums
//! ([`DeploymentStatus`] and friends) that keep values Tray adds later.
//!
//! ## JSON Schemas (feature `schemars`)
//!
//! With the `schemars` feature every generated type of the `types` modules,
//! [`ApiError`] and the open enums implement `schemars::JsonSchema` (schemars
//! 1, JSON Schema draft 2020-12): the schemas of the API's inputs and outputs,
//! for tools built on it (an MCP server's tool parameters, a form). An open
//! enum's schema is `type: string` accepting any string, with the values the
//! spec documents as `examples`, so a value Tray adds later stays valid. A
//! test compares each generated type's schema with its component schema in
//! the spec (`cargo test -p tray-api-raw --features schemars --test schemas`).
//!
//! ```
//! # #[cfg(feature = "schemars")] {
//! let schema = schemars::schema_for!(tray_api_raw::projects::types::CreateProjectVersionInput);
//! assert_eq!(schema.get("required"), Some(&serde_json::json!(["title"])));
//! # }
//! ```
//!
//! ## TLS
//!
//! HTTPS uses rustls with the `ring` crypto provider (reqwest's
//! `rustls-no-provider` feature: aws-lc-rs is not built). reqwest needs a
//! process-wide default provider before any `reqwest::Client` is built;
//! making a [`ClientState`] installs `ring` as that default (unless you
//! installed a provider before), so the generated `Client::new` just works.
//! For a `reqwest::Client` of your own, start from [`http_client_builder`]
//! or call [`install_crypto_provider`] first.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use tray_api_raw::{deployments, ClientState};
//!
//! let state = ClientState::bearer("my-token")?;
//! let client = deployments::Client::new("https://api.tray.io", state);
//! let deployment = client
//!     .get_deployment()
//!     .connector_name("my-connector")
//!     .connector_version("1.0")
//!     .id("latest")
//!     .send()
//!     .await?
//!     .into_inner();
//! println!("{:?}", deployment.deployment_status);
//! # Ok(()) }
//! ```

mod enums;
mod error;
mod hooks;
mod schema;
mod tls;

pub use enums::{
    AuthSlotChangeCode, AuthSlotRecreationReasonCode, ConfigSlotChangeCode,
    ConfigSlotRecreationReasonCode, DeploymentStatus, SolutionChangeType,
};
pub use error::ApiError;
pub use hooks::{ClientState, Executor, ExecutorFuture, InvalidToken};
pub use tls::{http_client_builder, install_crypto_provider};

/// Whether an operation may be repeated after a failure whose outcome is
/// unknown (a timeout, a 5xx, a lost connection). Each spec operation says
/// which with its `x-tray-retry` extension; see [`retry_safety`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetrySafety {
    /// Repeating it does no harm (reads, previews, a deploy: Tray skips a
    /// deploy while one of the same version is in progress).
    Idempotent,
    /// Repeating it could apply a change twice: retry only what surely did
    /// not reach the server.
    NonIdempotent,
}

/// The retry safety the specs give an operation (its snake_case id, as the
/// [`Executor`] receives it), or `None` for an operation no spec has.
///
/// ```
/// use tray_api_raw::{RetrySafety, retry_safety};
/// assert_eq!(retry_safety("get_deployment"), Some(RetrySafety::Idempotent));
/// assert_eq!(retry_safety("import_project"), Some(RetrySafety::NonIdempotent));
/// assert_eq!(retry_safety("no_such_operation"), None);
/// ```
pub fn retry_safety(operation: &str) -> Option<RetrySafety> {
    [
        deployments::RETRY_SAFETY,
        permissions::RETRY_SAFETY,
        projects::RETRY_SAFETY,
        solutions::RETRY_SAFETY,
    ]
    .into_iter()
    .flatten()
    .find(|(id, _)| *id == operation)
    .map(|(_, safety)| *safety)
}
pub use progenitor_client::{ByteStream, Error, ResponseValue};

/// Tray's documented sustained rate limit: 30 requests per second (1,800
/// per minute) on every Platform API endpoint.
///
/// Source: Tray's rate-limiting page
/// (<https://developer.tray.ai/openapi/trayapi/tag/rateLimiting/>, quoted in
/// the workspace's `tray-api.md` reference, section 1.4). Tray answers 429
/// without `Retry-After` above it. The one definition of the limit: the
/// client-side limiter of `tray-api` and the sandbox's `--rate-limit` use it.
///
/// ```
/// assert_eq!(tray_api_raw::RATE_LIMIT_PER_SECOND, 30);
/// ```
pub const RATE_LIMIT_PER_SECOND: u32 = 30;

/// Tray's documented burst allowance: short bursts of up to 50 requests
/// "as long as the overall rate is not broken" (same source as
/// [`RATE_LIMIT_PER_SECOND`]).
///
/// ```
/// assert!(tray_api_raw::RATE_LIMIT_BURST > tray_api_raw::RATE_LIMIT_PER_SECOND);
/// ```
pub const RATE_LIMIT_BURST: u32 = 50;

/// Implements the request hooks (token injection, executor) for a generated
/// `Client`; invoked inside each generated module.
macro_rules! client_hooks {
    () => {
        impl progenitor_client::ClientHooks<crate::ClientState> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                _info: &progenitor_client::OperationInfo,
            ) -> std::result::Result<(), progenitor_client::Error<E>> {
                crate::hooks::prepare(progenitor_client::ClientInfo::inner(self), request);
                Ok(())
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                crate::hooks::execute(
                    progenitor_client::ClientInfo::inner(self),
                    progenitor_client::ClientInfo::client(self),
                    request,
                    info.operation_id,
                )
                .await
            }
        }
    };
}

/// CDK Deployments: deploy a connector and follow its deployment
/// (generated from `openapi/deployments.yaml`).
#[allow(
    missing_docs,
    unused,
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]
pub mod deployments {
    include!(concat!(env!("OUT_DIR"), "/deployments.rs"));
    client_hooks!();
}

/// CDK Permissions: share a deployed connector version with users
/// (generated from `openapi/permissions.yaml`).
#[allow(
    missing_docs,
    unused,
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]
pub mod permissions {
    include!(concat!(env!("OUT_DIR"), "/permissions.rs"));
    client_hooks!();
}

/// Projects: versions, export and import between environments
/// (generated from `openapi/projects.yaml`).
#[allow(
    missing_docs,
    unused,
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]
pub mod projects {
    include!(concat!(env!("OUT_DIR"), "/projects.rs"));
    client_hooks!();
}

/// Solutions: preview and publish a release of an embedded solution
/// (generated from `openapi/solutions.yaml`).
#[allow(
    missing_docs,
    unused,
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]
pub mod solutions {
    include!(concat!(env!("OUT_DIR"), "/solutions.rs"));
    client_hooks!();
}
