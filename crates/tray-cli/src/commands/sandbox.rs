//! `tray sandbox serve`.

use serde_json::json;
use tray_sandbox::{
    DESTINATION_PROJECT_ID, Fault, IMPORT_AUTH_MAPPINGS, SOLUTION_ID, SOURCE_PROJECT_ID, Sandbox,
};

use crate::cli::ServeArgs;
use crate::context::{Context, SANDBOX_CONNECTOR};
use crate::failure::{CmdResult, Failure};

impl ServeArgs {
    /// `tray sandbox serve`: print the base URL, token, seeded ids, the deployed
    /// connector and the authentications to map on import, then serve until
    /// interrupted (SIGINT or SIGTERM: exit 0).
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        let args = self;
        let mut builder = Sandbox::builder()
            .addr(args.addr)
            .deploy_time(args.deploy_time)
            .rate_limit(args.rate_limit);
        if let Some(token) = args.server_token {
            builder = builder.token(token);
        }
        if let Some(token) = args.read_token {
            builder = builder.read_token(token);
        }
        // A state file that exists holds the whole state, seeds included; only
        // a fresh state is seeded (as the sandbox seeds its projects).
        let fresh = args.state.as_ref().is_none_or(|path| !path.exists());
        if let Some(path) = args.state {
            builder = builder.state_file(path);
        }
        if let Some(path) = args.seed {
            builder = builder.seed_file(path);
        }
        for text in &args.fault {
            let fault = text
                .parse::<Fault>()
                .map_err(|e| Failure::usage(format!("--fault {text}: {e}")))?;
            builder = builder.fault(fault);
        }
        let sandbox = builder
            .start()
            .await
            .map_err(|e| Failure::usage(format!("cannot start the sandbox: {e}")))?;
        let (connector, connector_version) = SANDBOX_CONNECTOR;
        if fresh {
            // As with `--sandbox`, so `deployment get acme-crm 1.0` works at once.
            sandbox.seed_deployed_connector(connector, connector_version);
        }
        let printer = ctx.printer;
        printer.line(format!("base url {}", sandbox.base_url()))?;
        printer.line(format!("token {}", sandbox.token()))?;
        if let Some(token) = sandbox.read_token() {
            printer.line(format!("read-only token {token}"))?;
        }
        printer.line(format!("source project {SOURCE_PROJECT_ID}"))?;
        printer.line(format!("destination project {DESTINATION_PROJECT_ID}"))?;
        printer.line(format!("solution {SOLUTION_ID}"))?;
        for (name, id) in IMPORT_AUTH_MAPPINGS {
            printer.line(format!("destination authentication {name} {id}"))?;
        }
        if fresh {
            printer.line(format!(
                "deployed connector {connector} {connector_version}"
            ))?;
        }
        printer.json(&json!({
        "baseUrl": sandbox.base_url(),
        "token": sandbox.token(),
        "readOnlyToken": sandbox.read_token(),
        "sourceProjectId": SOURCE_PROJECT_ID,
        "destinationProjectId": DESTINATION_PROJECT_ID,
        "solutionId": SOLUTION_ID,
        "destinationAuthentications": IMPORT_AUTH_MAPPINGS
            .iter()
            .map(|(name, id)| json!({"authExportId": name, "id": id}))
            .collect::<Vec<_>>(),
        "deployedConnector": fresh.then(|| json!({"name": connector, "version": connector_version})),
    }))?;
        printer.note(format!(
        "serving; map authentications on import with --auth NAME=ID (e.g. {}); press Ctrl-C to stop",
        IMPORT_AUTH_MAPPINGS
            .iter()
            .map(|(name, id)| format!("--auth {name}={id}"))
            .collect::<Vec<_>>()
            .join(" ")
    ));
        sandbox.wait().await;
        Ok(())
    }
}
