//! A stateful local emulator of Tray.io's CDK Deployments, CDK Permissions,
//! Projects and Solutions APIs, for tests, demos and trying the tools
//! without a Tray account (like LocalStack or stripe-mock).
//!
//! It serves exactly the paths, status codes and bodies of the specs in
//! `openapi/`; every request and response body goes through the types
//! generated from them (`tray_api_raw::*::types`), so the sandbox and the
//! specs cannot drift apart silently.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use tray_sandbox::{Fault, Sandbox};
//!
//! let sandbox = Sandbox::builder()
//!     .deploy_time(Duration::from_millis(300))
//!     .fault("status=latency:50ms".parse::<Fault>()?)
//!     .start()
//!     .await?;
//! let client = tray_api_raw::deployments::Client::new(
//!     &sandbox.base_url(),
//!     tray_api_raw::ClientState::bearer(sandbox.token())?,
//! );
//! # let _ = client;
//! # Ok(()) }
//! ```
//!
//! # Behaviour
//!
//! Where Tray's documentation is silent the sandbox picks the plausible
//! behaviour listed here.
//!
//! **Errors.** Every error the sandbox answers is Tray's body
//! `{"message": "...", "code": null}` with `Content-Type: application/json`.
//! The routes are axum routes, one per operation ([`Route::endpoint`]), and
//! every rejection goes through the same body: 400 for a body that is
//! empty, not JSON, not an object, or has a missing or wrongly typed field
//! (never a framework 415 or 422), 413 for a body over
//! [`SandboxBuilder::body_limit`], 401 `The request is unauthorized` for a
//! missing or wrong `Authorization: Bearer` token, 403 for writes with the
//! read-only token, 404 for unknown paths (`No such endpoint: METHOD
//! PATH`, before the token is checked) and resources, 405 for a known path
//! with another method (naming the method to use, also in `Allow`; `HEAD`
//! is served where `GET` is), 400 for a path id that is not a UUID, a
//! path parameter that is not UTF-8 once percent-decoded, or a bad query
//! value (`first=ten`, a repeated `first`). Only what hyper refuses before
//! the app (a request line over its limits, bytes that are not HTTP) keeps
//! hyper's bare status. The request `Content-Type` is not checked (Tray's
//! own CLI sends JSON as `application/x-www-form-urlencoded`). Order of
//! checks: faults, rate limit, route and method, token, path parameters,
//! query, body.
//!
//! **Writes** (refused to the read-only token): deploy, share, create
//! version, import, release. Import requirements, import preview and
//! release preview only read.
//!
//! **Deployments.** `connectorSourceCode` is standard base64 (whitespace
//! ignored) of a connector zip, checked by the sandbox's own implementation
//! of the connector zip rule the README states (the client's is
//! `tray_api::ConnectorZip`; both are held to `tests/fixtures/zips/cases.json`):
//! `connector.json` at its root or in its single top-level folder with
//! nothing beside it, `__MACOSX/` ignored (the `tray-cdk connector build`
//! layout, see [`sample_connector_zip`], and Finder's). Checks, each with
//! its own 400 message, in order: body JSON, `connectorSourceCode` field,
//! base64, zip, inflated size (256 MiB in all, from the sizes the zip
//! declares and then counted while inflating into nothing), entry names
//! (no absolute name, no `..`), layout and `connector.json` present,
//! `connector.json` at most 1 MiB and readable (non-empty `name` and
//! `version` strings), name equals the path's, version equals the path's,
//! version is `1.0`. The status is computed from the time since the deploy
//! on the sandbox's clock (no background task): the wall-clock time at
//! start plus the time elapsed since on tokio's clock, so a test on
//! tokio's paused clock (`#[tokio::test(start_paused = true)]`) drives a
//! deployment with `tokio::time::sleep`/`advance`, without waiting.
//! `Deploying` for the first half of the deploy time,
//! `Building` for the second, then `Deployed`. By connector name:
//! `fails-…` ends `Failed`; `stuck-…` stays `Deploying`; `unknown-…`
//! reports `Queued` (undocumented) instead of `Deploying`, and its
//! progression lasts at least 200 ms so `Queued` is seen even with a zero
//! deploy time. A deploy while the latest deployment of that connector
//! version is in progress answers `repeatDeployment: true` with that
//! deployment's id and `Deploying`. `latest` is the most recent deployment
//! of the connector version. An id of another connector version is 404.
//! Connector versions share one namespace (no per-token ownership).
//!
//! **Permissions.** Only a connector version with a `Deployed` deployment
//! can be shared (else 404 `The connector (name~version) was not found or
//! you don't have permission to access it`). Emails follow the rule the
//! README states (the sandbox's own implementation; the client's is
//! `tray_api::permissions::is_valid_email`, both held to
//! `tests/fixtures/emails.json`), else 400 `Invalid email address: …`;
//! the list must not be empty. The answer is `"N permissions added"`, counting addresses
//! (case-insensitive) that did not have access yet.
//!
//! **Projects.** See [`SOURCE_PROJECT_ID`], [`DESTINATION_PROJECT_ID`],
//! [`DESTINATION_SPARE_AUTH_ID`] and [`SOLUTION_ID`] for the seeds.
//! Creating a version answers 201; a version number that exists in the
//! project is 400; a missing or empty `title` is 400. A version number
//! (creating or exporting) must be printable: blank, a control character
//! (NUL, newline, DEL…), `/`, `\\`, `.` or `..` is a 400. The version stores an export of the project taken at
//! that moment, which is what exporting it returns. Versions list in
//! creation order; the default page size is [`DEFAULT_PAGE_SIZE`] (20);
//! `first`/`last` must be 1..=1000 and not both given; cursors are opaque
//! (base64 of the position, tied to the project; another value is 400);
//! `first` + `cursor` gives the versions after the cursor, `last` +
//! `cursor` those before it; `hasNextPage`/`hasPreviousPage` are exact in
//! both directions.
//!
//! The export document is `{"exportVersion": "1", "exported", "project":
//! {"id", "name", "version"}, "workflows": [{"id", "title", "steps"}],
//! "config": {…}, "authentications": [{"authExportId", "title", "service":
//! {"name", "version"}, "scopes"}], "connectors": [{"name", "version"}],
//! "services": [{"name", "version"}]}`. Imports read `project`,
//! `workflows`, `config` and `authentications` (400 when they are not
//! there).
//!
//! Import requirements: `config.source`/`config.target` are the exported
//! and current config; `newConfigKeys` tells whether the export has keys
//! the destination lacks; each exported authentication resolves to the
//! destination authentication imported from it before (same
//! `authExportId`) or else one of the same service (after
//! `serviceMapping`); an import remembers the authentications chosen in
//! `authenticationResolution` for later imports. Preview and import take the same checks:
//! `configOverride` keys must be in the exported config with the same JSON
//! type; `authenticationResolution` ids must be used by the export; every
//! authentication that does not resolve must be in
//! `authenticationResolution` (400 listing the missing `authExportId`s).
//! Each `authenticationResolution` `authenticationId` must be an
//! authentication of the destination project (400 otherwise, as Tray). Config
//! changes are the created, updated and removed keys; workflows match by
//! `importedFromId`: exported workflows without a match are created (new
//! ids on import), matches whose title or steps differ are updated, and
//! destination workflows the export does not have are removed.
//! `connectorMapping` rewrites the steps' `connector`. After an import, a
//! second preview shows no changes.
//!
//! **Solutions.** The seeded solution's slots are one config slot per
//! destination config key and one auth slot per authentication. Its draft
//! starts with one non-breaking change to release (a retitled slot). An
//! import into an embedded project updates the draft (config slot default
//! values and types follow the config, new keys get optional slots,
//! removed keys lose theirs, each newly used authentication gets a
//! mandatory auth slot) and reports that as `solutionImpact`. The release
//! preview compares the draft with the last published release; breaking
//! changes are a new mandatory slot, a slot made mandatory, more scopes, a
//! changed authentication/service/environment, a changed key or value
//! type. Creating a release publishes the draft and answers the same
//! comparison with a `releaseId`; releasing again without changes reports
//! no changes.
//!
//! **Faults** ([`Fault`], `--fault ROUTE=KIND[@RATE]`, names in
//! [`ROUTES`] and [`FAULT_KINDS`]) are a tower layer in front of the
//! routes: they run before the rate limit, the token check and the
//! handler; `*` also covers unknown paths and wrong methods, a route name
//! only its own method and path. **Rate limit**
//! ([`SandboxBuilder::rate_limit`]): Tray's
//! [`tray_api_raw::RATE_LIMIT_PER_SECOND`] requests/s with bursts of
//! [`tray_api_raw::RATE_LIMIT_BURST`] (governor's GCRA on tokio's clock),
//! for the whole sandbox; 429 without `Retry-After`.
//! **Leaving a route out** ([`SandboxBuilder::without_route`]) makes the
//! sandbox answer as if Tray had not shipped that endpoint (404 `No such
//! endpoint`, or 405 where another route serves the path); the coverage
//! test uses it to prove it notices a missing route.
//!
//! **State** is in memory; with [`SandboxBuilder::state_file`] it is loaded
//! on start (the seeds are not re-added then) and saved after each change
//! by one writer task, off the request path. A change is answered only
//! once it is on disk: the writer saves everything pending in one write,
//! fsync and rename, then fsyncs the folder (group commit). A change that
//! cannot be saved answers 500 and is not acknowledged; reads never wait
//! for the disk. The folder must exist and be writable when the sandbox
//! starts (else [`SandboxBuilder::start`] fails), temporary files a killed
//! run left (`.NAME.tmp*`) are removed then, and a symlinked state file
//! stays a symlink. A deployment's progression is computed from its start
//! time, so it goes on across restarts.
//!
//! **Request log** ([`SandboxHandle::requests`]): method, path with query,
//! headers (`Authorization` shown as `Bearer <redacted>`), body; the most
//! recent [`REQUEST_LOG_CAPACITY`] requests.
//!
//! # Seed file
//!
//! [`SandboxBuilder::seed_file`] reads `{"projects": [SeedProject…]}`; see
//! [`SeedProject`] for the format of a project.

mod auth;
mod deployments;
mod error;
mod faults;
mod http;
mod permissions;
mod projects;
mod seed;
mod server;
mod slots;
mod solutions;
mod state;
mod zipcheck;

pub use auth::DEFAULT_TOKEN;
pub use deployments::UNKNOWN_STATUS;
pub use error::SandboxError;
pub use faults::{FAULT_KINDS, Fault, FaultKind, ROUTES, Route};
pub use projects::{DEFAULT_PAGE_SIZE, EXPORT_FORMAT_VERSION, MAX_PAGE_SIZE};
pub use seed::{
    DESTINATION_PROJECT_ID, DESTINATION_SPARE_AUTH_ID, IMPORT_AUTH_MAPPINGS, SOLUTION_ID,
    SOURCE_PROJECT_ID, SOURCE_SALESFORCE_AUTH_EXPORT_ID, SeedAuthentication, SeedProject,
    SeedService, SeedVersion, SeedWorkflow,
};
pub use server::{
    DEFAULT_BODY_LIMIT, DEFAULT_DEPLOY_TIME, LoggedRequest, REQUEST_LOG_CAPACITY, Sandbox,
    SandboxBuilder, SandboxHandle,
};
pub use zipcheck::{SUPPORTED_VERSION, sample_connector_zip};
