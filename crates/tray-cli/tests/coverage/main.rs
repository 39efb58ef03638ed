//! The coverage test: every `operationId` of `openapi/*.yaml` has a route
//! in the sandbox, a method in `tray-api` and a command in `tray` (or an
//! exemption with its reason), each observed against a running sandbox, so
//! adding an endpoint cannot be half done.
//!
//! * [`spec`] lists the operations from the specs themselves.
//! * [`tables`] is what a maintainer edits: `wrappers()` (operationId ->
//!   tray-api call), `CLI_COMMANDS` (operationId -> tray arguments) and
//!   `EXEMPTIONS`.
//! * [`check`] runs the check and writes the report.
//!
//! `cargo test -p tray-cli --test coverage -- --nocapture` prints the table.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;

mod check;
mod spec;
mod tables;

use check::{Cell, Exemption, Layer, Tables, WrapperEntry, check};
use spec::Operation;
use tray_sandbox::{Route, Sandbox, SandboxBuilder, SandboxHandle};

/// A sandbox as the tables expect it: the default seeds and a deployed
/// `acme-crm 1.0` (so reading and sharing it succeed), deployments done at
/// once.
pub async fn coverage_sandbox(builder: SandboxBuilder) -> SandboxHandle {
    let sandbox = builder
        .deploy_time(std::time::Duration::ZERO)
        .start()
        .await
        .unwrap();
    let (name, version) = tables::CONNECTOR;
    sandbox.seed_deployed_connector(name, version);
    sandbox
}

fn spec_operations() -> Vec<Operation> {
    spec::operations(&spec::workspace_root()).unwrap()
}

const STATUS_TEMPLATE: &str =
    "/cdk/v1/deployments/connectors/{connector-name}/versions/{connector-version}/{id}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_has_a_sandbox_route_a_wrapper_and_a_command() {
    let operations = spec_operations();
    let sandbox = coverage_sandbox(Sandbox::builder()).await;
    let report = check(&operations, &Tables::standard(), &sandbox).await;
    println!("{}", report.table());
    let problems = report.problems();
    assert!(
        problems.is_empty(),
        "an endpoint is half done:\n{}\n\n{}",
        problems.join("\n"),
        report.table()
    );
    assert_eq!(report.rows.len(), operations.len());
    for row in &report.rows {
        for cell in [&row.sandbox, &row.wrapper, &row.cli] {
            assert!(matches!(cell, Cell::Covered(_)), "{row:?}");
        }
    }
}

#[test]
fn the_operations_come_from_the_specs() {
    let operations = spec_operations();
    let get = operations
        .iter()
        .find(|operation| operation.id == "getDeployment")
        .unwrap();
    assert_eq!(get.method, "GET");
    assert_eq!(get.path, STATUS_TEMPLATE);
    assert_eq!(
        get.sample_path,
        "/cdk/v1/deployments/connectors/sample/versions/sample/sample"
    );
    let list = operations
        .iter()
        .find(|operation| operation.id == "listProjectVersions")
        .unwrap();
    // `projectId` is a `format: uuid` parameter behind a `$ref`.
    assert_eq!(
        list.sample_path,
        "/core/v1/projects/6f9619ff-8b86-4011-b42d-00c04fc964ff/versions"
    );
    for operation in &operations {
        assert!(
            ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&operation.method.as_str()),
            "{operation:?}"
        );
        assert!(operation.path.starts_with('/'), "{operation:?}");
        let same = operations.iter().filter(|o| o.id == operation.id).count();
        assert_eq!(same, 1, "{} is not unique", operation.id);
    }
    // What this test reads from `openapi/` is exactly what codegen generated
    // (`Operation::ALL`, from `tray_codegen::SPECS`): same operations, same
    // methods and paths, so neither reader can skip a spec or an operation.
    let mut read: Vec<(String, String, String)> = operations
        .iter()
        .map(|o| (o.id.clone(), o.method.clone(), o.path.clone()))
        .collect();
    let mut generated: Vec<(String, String, String)> = tray_api::Operation::ALL
        .iter()
        .map(|o| (o.operation_id().into(), o.method().into(), o.path().into()))
        .collect();
    read.sort();
    generated.sort();
    assert_eq!(read, generated);
    // Every spec file is read (its first operation is listed).
    for first in [
        "deployConnector",
        "shareWithEmails",
        "createProjectVersion",
        "previewSolutionRelease",
    ] {
        assert!(operations.iter().any(|o| o.id == first), "{first}");
    }
}

#[test]
fn only_the_openapi_documents_directly_in_openapi_are_read() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("openapi");
    std::fs::create_dir_all(dir.join("upstream")).unwrap();
    let doc = |id: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /v1/things/{{thingId}}:\n    \
             parameters:\n      - {{name: thingId, in: path, required: true, schema: {{type: integer}}}}\n    \
             get:\n      operationId: {id}\n      responses: {{'200': {{description: ok}}}}\n    \
             delete:\n      operationId: {id}Delete\n      responses: {{'204': {{description: ok}}}}\n"
        )
    };
    std::fs::write(dir.join("b.yaml"), doc("getThing")).unwrap();
    std::fs::write(dir.join("a.yaml"), doc("getOther")).unwrap();
    // Not specs of ours: an allowlist, a vendored upstream copy, another extension.
    std::fs::write(dir.join("allowlist.yaml"), "differences: []\n").unwrap();
    std::fs::write(dir.join("upstream/tray.yaml"), doc("upstreamThing")).unwrap();
    std::fs::write(dir.join("c.json"), doc("jsonThing")).unwrap();
    let operations = spec::operations(root.path()).unwrap();
    let listed: Vec<(&str, &str, &str)> = operations
        .iter()
        .map(|o| (o.id.as_str(), o.method.as_str(), o.sample_path.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            ("getOther", "GET", "/v1/things/1"),
            ("getOtherDelete", "DELETE", "/v1/things/1"),
            ("getThing", "GET", "/v1/things/1"),
            ("getThingDelete", "DELETE", "/v1/things/1"),
        ]
    );
    // An operation without an operationId is an error, not skipped.
    std::fs::write(dir.join("d.yaml"), doc("x").replace("operationId: x\n", "")).unwrap();
    let error = spec::operations(root.path()).unwrap_err();
    assert!(
        error.contains("GET /v1/things/{thingId} has no operationId"),
        "{error}"
    );
}

#[test]
fn a_request_matches_its_operation_by_method_and_template() {
    let get = Operation::new("getDeployment", "get", STATUS_TEMPLATE);
    assert!(get.matches(
        "GET",
        "/cdk/v1/deployments/connectors/a/versions/1.0/latest"
    ));
    assert!(get.matches("GET", "/cdk/v1/deployments/connectors/a/versions/1.0/x?y=1"));
    assert!(!get.matches(
        "POST",
        "/cdk/v1/deployments/connectors/a/versions/1.0/latest"
    ));
    assert!(!get.matches("GET", "/cdk/v1/deployments/connectors/a/versions/1.0"));
    assert!(!get.matches("GET", "/cdk/v1/deployments/connectors/a/versions/1.0/x/y"));
    assert!(!get.matches("GET", "/cdk/v1/deployments/connectors/a/versions//x"));
    assert!(!get.matches(
        "GET",
        "/cdk/v1/permissions/connectors/a/versions/1.0/latest"
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sandbox_without_a_route_is_reported_and_nothing_else() {
    let sandbox = coverage_sandbox(Sandbox::builder().without_route(Route::Status)).await;
    let report = check(&spec_operations(), &Tables::standard(), &sandbox).await;
    assert_eq!(
        report.problems(),
        [format!(
            "getDeployment: no sandbox route (GET {STATUS_TEMPLATE} answers 404 No such endpoint: \
             GET /cdk/v1/deployments/connectors/sample/versions/sample/sample); \
             add it, or an exemption with its reason"
        )],
        "\n{}",
        report.table()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_without_entries_is_reported_in_every_layer() {
    let mut operations = spec_operations();
    operations.push(Operation::new(
        "deleteDeployment",
        "DELETE",
        STATUS_TEMPLATE,
    ));
    let sandbox = coverage_sandbox(Sandbox::builder()).await;
    let report = check(&operations, &Tables::standard(), &sandbox).await;
    assert_eq!(
        report.problems(),
        [format!(
            "deleteDeployment: no sandbox route (DELETE {STATUS_TEMPLATE} answers 405 Method DELETE \
             is not allowed on /cdk/v1/deployments/connectors/sample/versions/sample/sample (use GET)), \
             no wrapper method in tray-api, no CLI command; add them, or an exemption with its reason"
        )],
        "\n{}",
        report.table()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_that_send_another_request_are_reported() {
    let mut tables = Tables::standard();
    // getDeployment's entries claim it but call the versions list.
    for entry in &mut tables.wrappers {
        if entry.operation == "getDeployment" {
            *entry = WrapperEntry::new("getDeployment", "Deployments::get", |client| {
                Box::pin(async move {
                    let _ = client
                        .projects()
                        .versions(tray_sandbox::SOURCE_PROJECT_ID)
                        .page()
                        .await;
                })
            });
        }
    }
    for entry in &mut tables.cli {
        if entry.0 == "getDeployment" {
            entry.1 = &["project", "version", "list", "{source}"];
        }
    }
    let sandbox = coverage_sandbox(Sandbox::builder()).await;
    let report = check(&spec_operations(), &tables, &sandbox).await;
    let problems = report.problems();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let source = tray_sandbox::SOURCE_PROJECT_ID;
    let line = &problems[0];
    assert!(
        line.starts_with(&format!(
            "getDeployment: no wrapper method in tray-api (its entry Deployments::get sent \
             GET /core/v1/projects/{source}/versions"
        )),
        "{line}"
    );
    assert!(
        line.contains(&format!(
            ", not GET {STATUS_TEMPLATE}), no CLI command (`tray project version list {{source}}` \
             exited 0 and sent GET /core/v1/projects/{source}/versions"
        )),
        "{line}"
    );
    assert!(
        line.ends_with(&format!(
            ", not GET {STATUS_TEMPLATE}); add them, or an exemption with its reason"
        )),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exemptions_need_a_reason_a_known_operation_and_a_gap() {
    let mut operations = spec_operations();
    operations.push(Operation::new(
        "deleteDeployment",
        "DELETE",
        STATUS_TEMPLATE,
    ));
    let mut tables = Tables::standard();
    let exempt = |operation, layer, reason| Exemption {
        operation,
        layer,
        reason,
    };
    tables.exemptions = vec![
        // Needed and reasoned: deleteDeployment is not reported.
        exempt("deleteDeployment", Layer::Sandbox, "not emulated yet"),
        exempt(
            "deleteDeployment",
            Layer::Wrapper,
            "destructive; raw client only",
        ),
        exempt(
            "deleteDeployment",
            Layer::Cli,
            "destructive; raw client only",
        ),
        // Wrong ones.
        exempt("getDeployment", Layer::Wrapper, "stale"),
        exempt("getDeployment", Layer::Sandbox, "stale"),
        exempt("noSuchOperation", Layer::Cli, "gone"),
        exempt("listProjectVersions", Layer::Cli, " "),
    ];
    tables
        .cli
        .push(("anotherUnknownOperation", &["auth", "status"]));
    let sandbox = coverage_sandbox(Sandbox::builder()).await;
    let report = check(&operations, &tables, &sandbox).await;
    let delete = report.rows.last().unwrap();
    assert_eq!(delete.operation.id, "deleteDeployment");
    assert_eq!(
        delete.wrapper,
        Cell::Exempt("destructive; raw client only".into())
    );
    assert_eq!(delete.sandbox, Cell::Exempt("not emulated yet".into()));
    assert_eq!(
        report.problems(),
        [
            "anotherUnknownOperation: a CLI command entry, but no spec has this operationId; remove it".to_owned(),
            "getDeployment: exempt from wrapper method in tray-api, but the table has an entry for it; remove the exemption".to_owned(),
            "noSuchOperation: exempt from CLI command, but no spec has this operationId; remove the exemption".to_owned(),
            "listProjectVersions: exempt from CLI command without a reason; write why".to_owned(),
            "listProjectVersions: exempt from CLI command, but the table has an entry for it; remove the exemption".to_owned(),
            format!("getDeployment: exempt from sandbox route but the sandbox serves GET {STATUS_TEMPLATE} (404); remove the exemption"),
        ],
        "\n{}",
        report.table()
    );
}
