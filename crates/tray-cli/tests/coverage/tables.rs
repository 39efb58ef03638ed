//! The coverage tables a maintainer edits when an endpoint is added: for
//! each `operationId` of `openapi/*.yaml`, the `tray-api` method that sends
//! it ([`wrappers`]) and the `tray` command that sends it
//! ([`CLI_COMMANDS`]), or an exemption with its reason ([`EXEMPTIONS`]).
//! The sandbox route needs no entry: the check asks the sandbox.
//!
//! An entry is a claim the check verifies: it is run against a sandbox and
//! the sandbox's request log must show the operation's method and path.

use futures::future::BoxFuture;
use tray_api::{Client, ConnectorZip, ImportInput};
use tray_sandbox::{DESTINATION_PROJECT_ID, IMPORT_AUTH_MAPPINGS, SOLUTION_ID, SOURCE_PROJECT_ID};

use crate::check::{Exemption, WrapperEntry};

/// The connector the entries deploy and read.
pub const CONNECTOR: (&str, &str) = ("acme-crm", "1.0");

/// `operationId` -> `tray` arguments. Placeholders: `{connector}` a
/// connector project folder (`acme-crm 1.0`), `{export}` an export of the
/// seeded source project's version 1, `{out}` a file path to write,
/// `{source}`, `{dest}`, `{solution}` the sandbox's seeded source project,
/// destination project and solution, `{auth}` the `--auth NAME=UUID`
/// options the import of `{export}` into `{dest}` needs.
pub const CLI_COMMANDS: &[(&str, &[&str])] = &[
    ("deployConnector", &["deployment", "create", "{connector}"]),
    ("getDeployment", &["deployment", "get", "acme-crm", "1.0"]),
    (
        "shareWithEmails",
        &[
            "permissions",
            "add",
            "acme-crm",
            "1.0",
            "--email",
            "ada@example.com",
        ],
    ),
    (
        "createProjectVersion",
        &[
            "project", "version", "create", "{source}", "8", "--title", "Coverage",
        ],
    ),
    (
        "listProjectVersions",
        &["project", "version", "list", "{source}"],
    ),
    (
        "exportProjectVersion",
        &["project", "export", "{source}", "1", "--out", "{out}"],
    ),
    (
        "getProjectImportRequirements",
        &[
            "project",
            "import",
            "requirements",
            "{dest}",
            "--export",
            "{export}",
        ],
    ),
    (
        "previewProjectImport",
        &[
            "project", "import", "preview", "{dest}", "--export", "{export}", "{auth}",
        ],
    ),
    (
        "importProject",
        &[
            "project", "import", "apply", "{dest}", "--export", "{export}", "{auth}", "--yes",
        ],
    ),
    (
        "previewSolutionRelease",
        &["solution", "release", "preview", "{solution}"],
    ),
    (
        "createSolutionRelease",
        &["solution", "release", "create", "{solution}"],
    ),
];

/// Operations, or layers of one, that are knowingly not covered, each with
/// its reason (empty today: every operation has all three layers). An
/// exemption that is no longer needed is reported.
pub const EXEMPTIONS: &[Exemption] = &[];

/// `operationId` -> the `tray-api` method that sends it, as a closure run
/// against the sandbox (its result is ignored: only the request it sends
/// counts).
pub fn wrappers() -> Vec<WrapperEntry> {
    vec![
        WrapperEntry::new("deployConnector", "Deployments::deploy", |client| {
            Box::pin(async move {
                let (name, version) = CONNECTOR;
                if let Ok(zip) =
                    ConnectorZip::from_bytes(tray_sandbox::sample_connector_zip(name, version))
                {
                    let _ = client.deployments().deploy(&zip).send().await;
                }
            })
        }),
        WrapperEntry::new("getDeployment", "Deployments::get", |client| {
            Box::pin(async move {
                let (name, version) = CONNECTOR;
                let _ = client.deployments().get(name, version, "latest").await;
            })
        }),
        WrapperEntry::new(
            "shareWithEmails",
            "Permissions::share_with_emails",
            |client| {
                Box::pin(async move {
                    let (name, version) = CONNECTOR;
                    let _ = client
                        .permissions()
                        .share_with_emails(name, version, ["grace@example.com"])
                        .await;
                })
            },
        ),
        WrapperEntry::new(
            "createProjectVersion",
            "Projects::create_version",
            |client| {
                Box::pin(async move {
                    let _ = client
                        .projects()
                        .create_version(SOURCE_PROJECT_ID, "7")
                        .title("Coverage")
                        .send()
                        .await;
                })
            },
        ),
        WrapperEntry::new("listProjectVersions", "Projects::versions", |client| {
            Box::pin(async move {
                let _ = client.projects().versions(SOURCE_PROJECT_ID).page().await;
            })
        }),
        WrapperEntry::new("exportProjectVersion", "Projects::export", |client| {
            Box::pin(async move {
                let _ = client.projects().export(SOURCE_PROJECT_ID, "1").await;
            })
        }),
        WrapperEntry::new(
            "getProjectImportRequirements",
            "Projects::import_requirements",
            |client| {
                Box::pin(async move {
                    if let Some(input) = import_input(&client).await {
                        let _ = client
                            .projects()
                            .import_requirements(DESTINATION_PROJECT_ID, &input)
                            .await;
                    }
                })
            },
        ),
        WrapperEntry::new(
            "previewProjectImport",
            "Projects::import_preview",
            |client| {
                Box::pin(async move {
                    if let Some(input) = import_input(&client).await {
                        let _ = client
                            .projects()
                            .import_preview(DESTINATION_PROJECT_ID, &input)
                            .await;
                    }
                })
            },
        ),
        WrapperEntry::new("importProject", "Projects::import", |client| {
            Box::pin(async move {
                if let Some(input) = import_input(&client).await {
                    let _ = client
                        .projects()
                        .import(DESTINATION_PROJECT_ID, &input)
                        .await;
                }
            })
        }),
        WrapperEntry::new(
            "previewSolutionRelease",
            "Solutions::release_preview",
            |client| {
                Box::pin(async move {
                    let _ = client.solutions().release_preview(SOLUTION_ID).await;
                })
            },
        ),
        WrapperEntry::new("createSolutionRelease", "Solutions::release", |client| {
            Box::pin(async move {
                let _ = client.solutions().release(SOLUTION_ID).await;
            })
        }),
    ]
}

/// The import of the seeded source project's version 1 into the seeded
/// destination, with the authentication it needs (`None` when the export
/// fails: the entry then sends nothing and is reported).
fn import_input(client: &Client) -> BoxFuture<'_, Option<ImportInput>> {
    Box::pin(async move {
        let export = client
            .projects()
            .export(SOURCE_PROJECT_ID, "1")
            .await
            .ok()?;
        Some(
            IMPORT_AUTH_MAPPINGS
                .iter()
                .fold(ImportInput::new(export), |input, (name, id)| {
                    input.auth_resolution(*name, *id)
                }),
        )
    })
}

/// The arguments `{auth}` of [`CLI_COMMANDS`] stands for.
pub fn auth_arguments() -> Vec<String> {
    IMPORT_AUTH_MAPPINGS
        .iter()
        .flat_map(|(name, id)| ["--auth".to_owned(), format!("{name}={id}")])
        .collect()
}
