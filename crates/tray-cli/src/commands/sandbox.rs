//! `tray sandbox serve`.

use serde_json::json;
use tray_sandbox::{DESTINATION_PROJECT_ID, Fault, SOLUTION_ID, SOURCE_PROJECT_ID, Sandbox};

use crate::cli::ServeArgs;
use crate::context::Context;
use crate::failure::{CmdResult, Failure};

/// `tray sandbox serve`: print the base URL, token and seeded ids, then serve until interrupted.
pub async fn serve(ctx: &mut Context, args: ServeArgs) -> CmdResult {
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
    let printer = ctx.printer;
    printer.line(format!("base url {}", sandbox.base_url()));
    printer.line(format!("token {}", sandbox.token()));
    printer.line(format!("source project {SOURCE_PROJECT_ID}"));
    printer.line(format!("destination project {DESTINATION_PROJECT_ID}"));
    printer.line(format!("solution {SOLUTION_ID}"));
    printer.json(&json!({
        "baseUrl": sandbox.base_url(),
        "token": sandbox.token(),
        "sourceProjectId": SOURCE_PROJECT_ID,
        "destinationProjectId": DESTINATION_PROJECT_ID,
        "solutionId": SOLUTION_ID,
    }))?;
    printer.note("serving; press Ctrl-C to stop");
    sandbox.wait().await;
    Ok(())
}
