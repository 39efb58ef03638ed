//! The coverage check: for each operation of the specs, does the sandbox
//! route it, does a `tray-api` method send it, does a `tray` command send
//! it? Each layer is observed against a running sandbox (its answer, its
//! request log), never taken from the tables' word.

use std::fmt;
use std::path::{Path, PathBuf};

use futures::future::BoxFuture;
use tray_api::Client;
use tray_sandbox::{LoggedRequest, SandboxHandle};

use crate::spec::Operation;
use crate::tables;

/// One layer an endpoint must reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// A route in `tray-sandbox`'s router.
    Sandbox,
    /// A `tray-api` method.
    Wrapper,
    /// A `tray` command.
    Cli,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layer::Sandbox => "sandbox route",
            Layer::Wrapper => "wrapper method in tray-api",
            Layer::Cli => "CLI command",
        })
    }
}

/// A layer an operation knowingly lacks, and why.
#[derive(Debug, Clone, Copy)]
pub struct Exemption {
    /// The `operationId`.
    pub operation: &'static str,
    /// The layer it lacks.
    pub layer: Layer,
    /// Why (required).
    pub reason: &'static str,
}

/// A closure calling a `tray-api` method (its result ignored).
pub type WrapperCall = fn(Client) -> BoxFuture<'static, ()>;

/// `operationId` -> the `tray-api` method that sends it.
#[derive(Debug, Clone, Copy)]
pub struct WrapperEntry {
    /// The `operationId`.
    pub operation: &'static str,
    /// The method's name, for the report (`Deployments::get`).
    pub method: &'static str,
    /// Calls it.
    pub call: WrapperCall,
}

impl WrapperEntry {
    /// An entry.
    pub fn new(operation: &'static str, method: &'static str, call: WrapperCall) -> Self {
        WrapperEntry {
            operation,
            method,
            call,
        }
    }
}

/// The tables the check reads.
#[derive(Debug, Clone)]
pub struct Tables {
    /// `operationId` -> `tray-api` method.
    pub wrappers: Vec<WrapperEntry>,
    /// `operationId` -> `tray` arguments (placeholders: see
    /// [`tables::CLI_COMMANDS`]).
    pub cli: Vec<(&'static str, &'static [&'static str])>,
    /// Layers knowingly missing.
    pub exemptions: Vec<Exemption>,
}

impl Tables {
    /// The workspace's tables ([`tables`]).
    pub fn standard() -> Self {
        Tables {
            wrappers: tables::wrappers(),
            cli: tables::CLI_COMMANDS.to_vec(),
            exemptions: tables::EXEMPTIONS.to_vec(),
        }
    }
}

/// What the check found for one layer of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Reached; how (the sandbox's status, the method, the command).
    Covered(String),
    /// Exempt, with its reason.
    Exempt(String),
    /// Not reached: no table entry (`None`), or what happened instead.
    Missing(Option<String>),
}

impl Cell {
    fn short(&self) -> String {
        match self {
            Cell::Covered(what) => what.clone(),
            Cell::Exempt(reason) => format!("exempt: {reason}"),
            Cell::Missing(None) => "MISSING (no entry)".to_owned(),
            Cell::Missing(Some(_)) => "MISSING".to_owned(),
        }
    }
}

/// One operation's row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The operation.
    pub operation: Operation,
    /// The sandbox route.
    pub sandbox: Cell,
    /// The `tray-api` method.
    pub wrapper: Cell,
    /// The `tray` command.
    pub cli: Cell,
}

/// The result of a check.
#[derive(Debug, Clone)]
pub struct Report {
    /// One row per operation, in spec order.
    pub rows: Vec<Row>,
    /// Table entries or exemptions that are wrong (unknown operation,
    /// duplicate, no reason, not needed).
    pub table_problems: Vec<String>,
}

impl Report {
    /// Every problem, one line each: first the operations missing a layer
    /// (`getDeployment: no sandbox route (...); add it, or an exemption
    /// with its reason`), then the tables' own problems. Empty: all
    /// covered.
    pub fn problems(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for row in &self.rows {
            let request = row.operation.request();
            let mut parts = Vec::new();
            if let Cell::Missing(detail) = &row.sandbox {
                parts.push(format!(
                    "no sandbox route ({request} answers {})",
                    detail.as_deref().unwrap_or("nothing")
                ));
            }
            for (layer, cell) in [(Layer::Wrapper, &row.wrapper), (Layer::Cli, &row.cli)] {
                match cell {
                    Cell::Missing(None) => parts.push(format!("no {layer}")),
                    Cell::Missing(Some(detail)) => parts.push(format!("no {layer} ({detail})")),
                    Cell::Covered(_) | Cell::Exempt(_) => {}
                }
            }
            if !parts.is_empty() {
                let them = if parts.len() == 1 { "it" } else { "them" };
                lines.push(format!(
                    "{}: {}; add {them}, or an exemption with its reason",
                    row.operation.id,
                    parts.join(", ")
                ));
            }
        }
        lines.extend(self.table_problems.iter().cloned());
        lines
    }

    /// The table checked, for the test's output.
    pub fn table(&self) -> String {
        let mut rows = vec![[
            "operationId".to_owned(),
            "request".to_owned(),
            "sandbox route".to_owned(),
            "tray-api method".to_owned(),
            "tray command".to_owned(),
        ]];
        for row in &self.rows {
            rows.push([
                row.operation.id.clone(),
                row.operation.request(),
                row.sandbox.short(),
                row.wrapper.short(),
                row.cli.short(),
            ]);
        }
        let mut widths = [0; 5];
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut text = String::new();
        for row in &rows {
            let line = row
                .iter()
                .zip(widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect::<Vec<_>>()
                .join("  ");
            text.push_str(line.trim_end());
            text.push('\n');
        }
        text
    }
}

/// Checks every operation against the tables and the sandbox: its route
/// (a request with the operation's method and sample path must not get
/// the sandbox's route-miss answer: 404 `No such endpoint` or 405), its
/// `tray-api` method and its `tray` command (each run against the sandbox
/// must make its request log show the operation's method and path).
/// `sandbox` must be seeded as the tables expect (a deployed `acme-crm
/// 1.0` and the default seeds: see [`crate::coverage_sandbox`]).
pub async fn check(operations: &[Operation], tables: &Tables, sandbox: &SandboxHandle) -> Report {
    let mut table_problems = table_problems(operations, tables);
    let fixtures = Fixtures::new(sandbox).await;
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .token(sandbox.token())
        .build()
        .unwrap_or_else(|e| panic!("a client for the sandbox: {e}"));
    let exemption = |operation: &Operation, layer: Layer| {
        tables
            .exemptions
            .iter()
            .find(|e| e.operation == operation.id && e.layer == layer)
    };

    let mut rows = Vec::new();
    for operation in operations {
        // The sandbox route.
        let probe = probe_route(sandbox, operation).await;
        let sandbox_cell = match (probe, exemption(operation, Layer::Sandbox)) {
            (Ok(status), None) => Cell::Covered(format!("served ({status})")),
            (Ok(status), Some(_)) => {
                table_problems.push(format!(
                    "{}: exempt from {} but the sandbox serves {} ({status}); remove the exemption",
                    operation.id,
                    Layer::Sandbox,
                    operation.request()
                ));
                Cell::Covered(format!("served ({status})"))
            }
            (Err(_), Some(exempt)) => Cell::Exempt(exempt.reason.to_owned()),
            (Err(answer), None) => Cell::Missing(Some(answer)),
        };

        // The tray-api method.
        let entry = tables
            .wrappers
            .iter()
            .find(|entry| entry.operation == operation.id);
        let wrapper_cell = match (entry, exemption(operation, Layer::Wrapper)) {
            (None, Some(exempt)) => Cell::Exempt(exempt.reason.to_owned()),
            (None, None) => Cell::Missing(None),
            (Some(entry), _) => {
                let before = sandbox.requests().len();
                (entry.call)(client.clone()).await;
                let sent = sent_since(sandbox, before);
                if sent.iter().any(|r| operation.matches(&r.method, &r.path)) {
                    Cell::Covered(entry.method.to_owned())
                } else {
                    Cell::Missing(Some(format!(
                        "its entry {} sent {}, not {}",
                        entry.method,
                        describe(&sent),
                        operation.request()
                    )))
                }
            }
        };

        // The tray command.
        let entry = tables.cli.iter().find(|(id, _)| *id == operation.id);
        let cli_cell = match (entry, exemption(operation, Layer::Cli)) {
            (None, Some(exempt)) => Cell::Exempt(exempt.reason.to_owned()),
            (None, None) => Cell::Missing(None),
            (Some((_, args)), _) => {
                let shown = format!("tray {}", args.join(" "));
                let before = sandbox.requests().len();
                let output = fixtures.run(sandbox, args).await;
                let sent = sent_since(sandbox, before);
                if sent.iter().any(|r| operation.matches(&r.method, &r.path)) {
                    Cell::Covered(shown)
                } else {
                    let stderr = String::from_utf8_lossy(&output.stderr);
                    Cell::Missing(Some(format!(
                        "`{shown}` exited {} and sent {}, not {}{}",
                        output
                            .status
                            .code()
                            .map_or_else(|| "by a signal".to_owned(), |c| c.to_string()),
                        describe(&sent),
                        operation.request(),
                        stderr
                            .lines()
                            .next()
                            .map(|line| format!(": {line}"))
                            .unwrap_or_default()
                    )))
                }
            }
        };

        rows.push(Row {
            operation: operation.clone(),
            sandbox: sandbox_cell,
            wrapper: wrapper_cell,
            cli: cli_cell,
        });
    }
    Report {
        rows,
        table_problems,
    }
}

/// Entries and exemptions that name no operation of the specs, repeated
/// entries, exemptions without a reason or beside an entry.
fn table_problems(operations: &[Operation], tables: &Tables) -> Vec<String> {
    let known = |id: &str| operations.iter().any(|operation| operation.id == id);
    let mut problems = Vec::new();
    let wrapper_ids: Vec<&str> = tables.wrappers.iter().map(|e| e.operation).collect();
    let cli_ids: Vec<&str> = tables.cli.iter().map(|(id, _)| *id).collect();
    for (layer, ids) in [(Layer::Wrapper, &wrapper_ids), (Layer::Cli, &cli_ids)] {
        for (i, id) in ids.iter().enumerate() {
            if !known(id) {
                problems.push(format!(
                    "{id}: a {layer} entry, but no spec has this operationId; remove it"
                ));
            }
            if ids[..i].contains(id) {
                problems.push(format!("{id}: more than one {layer} entry; keep one"));
            }
        }
    }
    for exemption in &tables.exemptions {
        let Exemption {
            operation,
            layer,
            reason,
        } = exemption;
        if !known(operation) {
            problems.push(format!(
                "{operation}: exempt from {layer}, but no spec has this operationId; remove the exemption"
            ));
        }
        if reason.trim().is_empty() {
            problems.push(format!(
                "{operation}: exempt from {layer} without a reason; write why"
            ));
        }
        let has_entry = match layer {
            Layer::Sandbox => false,
            Layer::Wrapper => wrapper_ids.contains(operation),
            Layer::Cli => cli_ids.contains(operation),
        };
        if has_entry {
            problems.push(format!(
                "{operation}: exempt from {layer}, but the table has an entry for it; remove the exemption"
            ));
        }
    }
    problems
}

/// The requests the sandbox logged after the first `before`.
fn sent_since(sandbox: &SandboxHandle, before: usize) -> Vec<LoggedRequest> {
    sandbox.requests().into_iter().skip(before).collect()
}

/// `nothing`, or `GET /a, POST /b`.
fn describe(sent: &[LoggedRequest]) -> String {
    if sent.is_empty() {
        return "nothing".to_owned();
    }
    sent.iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sends the operation's method and sample path to the sandbox by hand
/// (not through the client under test): `Ok(status)` when a route answered,
/// `Err("404 No such endpoint: …")` for the sandbox's route-miss answers.
async fn probe_route(sandbox: &SandboxHandle, operation: &Operation) -> Result<u16, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(sandbox.addr())
        .await
        .unwrap_or_else(|e| panic!("connect to the sandbox: {e}"));
    let request = format!(
        "{} {} HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {}\r\ncontent-type: application/json\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        operation.method,
        operation.sample_path,
        sandbox.addr(),
        sandbox.token()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("write to the sandbox: {e}"));
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .unwrap_or_else(|e| panic!("read from the sandbox: {e}"));
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {head}"));
    let message = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|body| body["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| body.trim().to_owned());
    let route_miss = status == 405 || (status == 404 && message.starts_with("No such endpoint"));
    if route_miss {
        Err(format!("{status} {message}"))
    } else {
        Ok(status)
    }
}

/// What the CLI table's placeholders stand for: a home folder with a
/// connector project and an export file.
struct Fixtures {
    home: tempfile::TempDir,
    connector: PathBuf,
    export: PathBuf,
}

impl Fixtures {
    async fn new(sandbox: &SandboxHandle) -> Self {
        let home = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary folder: {e}"));
        let (name, version) = tables::CONNECTOR;
        let connector = crate::common::connector_project(home.path(), name, version);
        let export = home.path().join("export.json");
        let client = Client::builder()
            .base_url(sandbox.base_url())
            .token(sandbox.token())
            .build()
            .unwrap_or_else(|e| panic!("a client for the sandbox: {e}"));
        // Written only when the sandbox exports; else the import commands
        // fail on a missing file and are reported with that error.
        if let Ok(document) = client
            .projects()
            .export(tray_sandbox::SOURCE_PROJECT_ID, "1")
            .await
        {
            let text = serde_json::Value::Object(document).to_string();
            std::fs::write(&export, text).unwrap_or_else(|e| panic!("write the export: {e}"));
        }
        Fixtures {
            home,
            connector,
            export,
        }
    }

    /// The arguments with the placeholders replaced.
    fn expand(&self, args: &[&str]) -> Vec<String> {
        let path = |path: &Path| path.display().to_string();
        let mut expanded = Vec::new();
        for arg in args {
            if *arg == "{auth}" {
                expanded.extend(tables::auth_arguments());
                continue;
            }
            expanded.push(
                arg.replace("{connector}", &path(&self.connector))
                    .replace("{export}", &path(&self.export))
                    .replace("{out}", &path(&self.home.path().join("out.json")))
                    .replace("{source}", &tray_sandbox::SOURCE_PROJECT_ID.to_string())
                    .replace("{dest}", &tray_sandbox::DESTINATION_PROJECT_ID.to_string())
                    .replace("{solution}", &tray_sandbox::SOLUTION_ID.to_string()),
            );
        }
        expanded
    }

    /// Runs `tray ARGS` against the sandbox (off the async threads).
    async fn run(&self, sandbox: &SandboxHandle, args: &[&str]) -> std::process::Output {
        let mut command = crate::common::tray_at(self.home.path(), sandbox);
        command.args(self.expand(args));
        tokio::task::spawn_blocking(move || command.output())
            .await
            .unwrap_or_else(|e| panic!("the tray process task: {e}"))
            .unwrap_or_else(|e| panic!("run tray: {e}"))
    }
}
