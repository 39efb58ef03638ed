//! `tray`: deploy Tray CDK connectors (and wait for them), share them, and
//! version, export, import and promote projects, from a terminal or CI.
//!
//! Exit status: 0 success; 1 the API or the network failed; 2 bad usage or
//! bad local input (nothing was sent); 3 a deployment finished `Failed`;
//! 4 gave up waiting.

mod cli;
mod commands;
mod config;
mod context;
mod failure;
mod output;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{
    Cli, Command, DeploymentCommand, ImportCommand, PermissionsCommand, ProjectCommand,
    ReleaseCommand, SandboxCommand, SolutionCommand, VersionCommand,
};
use crate::context::Context;
use crate::failure::{CmdResult, Failure};

fn main() -> ExitCode {
    // Even a bug prints one or two lines, never a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error: {info}");
        eprintln!("hint: this is a bug in tray; please report it with the command you ran");
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help/version on stdout (exit 0) and usage errors on stderr (exit 2).
            let code = if error.use_stderr() {
                failure::USAGE
            } else {
                0
            };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    init_tracing(cli.global.verbose, cli.global.quiet);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            return Failure::usage(format!("cannot start the async runtime: {error}")).report();
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

/// Logs go to stderr: `-v` shows requests, `-vv` more; `RUST_LOG` overrides.
fn init_tracing(verbose: u8, quiet: bool) {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "warn,tray_api=debug,tray_cli=info",
        (false, _) => "info,tray_api=debug,tray_cli=debug,tray_sandbox=debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

async fn run(cli: Cli) -> CmdResult {
    let mut ctx = Context::new(cli.global);
    match cli.command {
        Command::Deployment(DeploymentCommand::Create {
            path,
            name,
            version,
            wait,
        }) => commands::deployment::create(&mut ctx, path, name, version, wait).await,
        Command::Deployment(DeploymentCommand::Get {
            name,
            version,
            id,
            wait,
        }) => commands::deployment::get(&mut ctx, name, version, id, wait).await,
        Command::Permissions(PermissionsCommand::Add {
            name,
            version,
            emails,
        }) => commands::permissions::add(&mut ctx, name, version, emails).await,
        Command::Project(ProjectCommand::Version(VersionCommand::Create {
            project_id,
            version,
            title,
            description,
        })) => {
            commands::project::create_version(&mut ctx, project_id, version, title, description)
                .await
        }
        Command::Project(ProjectCommand::Version(VersionCommand::List { project_id, limit })) => {
            commands::project::list_versions(&mut ctx, project_id, limit).await
        }
        Command::Project(ProjectCommand::Export {
            project_id,
            version,
            out,
        }) => commands::project::export(&mut ctx, project_id, version, out).await,
        Command::Project(ProjectCommand::Import(ImportCommand::Requirements(args))) => {
            commands::project::requirements(&mut ctx, args).await
        }
        Command::Project(ProjectCommand::Import(ImportCommand::Preview(args))) => {
            commands::project::preview(&mut ctx, args).await
        }
        Command::Project(ProjectCommand::Import(ImportCommand::Apply { args, yes })) => {
            commands::project::apply(&mut ctx, args, yes).await
        }
        Command::Project(ProjectCommand::Promote(args)) => {
            commands::project::promote(&mut ctx, args).await
        }
        Command::Solution(SolutionCommand::Release(ReleaseCommand::Preview { solution_id })) => {
            commands::solution::preview(&mut ctx, solution_id).await
        }
        Command::Solution(SolutionCommand::Release(ReleaseCommand::Create { solution_id })) => {
            commands::solution::create(&mut ctx, solution_id).await
        }
        Command::Sandbox(SandboxCommand::Serve(args)) => {
            commands::sandbox::serve(&mut ctx, args).await
        }
        Command::Demo => commands::demo::run(&mut ctx).await,
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "tray", &mut script);
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(&script)
                .and_then(|()| stdout.flush())
                .map_err(output::write_failure)
        }
    }
}
