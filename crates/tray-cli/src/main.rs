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
mod help;
mod jq;
mod output;
mod table;
mod token_source;
#[cfg(not(feature = "sandbox"))]
mod without_sandbox;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::FromArgMatches;

use crate::cli::{Cli, Command, SandboxCommand};
use crate::context::Context;
use crate::failure::{CmdResult, Failure};

fn main() -> ExitCode {
    // Even a bug prints one or two lines, never a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error: {info}");
        eprintln!("hint: this is a bug in tray; please report it with the command you ran");
    }));
    let cli = match help::parsing_command(|name| std::env::var_os(name))
        .try_get_matches()
        .and_then(|matches| {
            Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut help::command()))
        }) {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help/version on stdout (exit 0) and usage errors on stderr (exit 2).
            let code = if error.use_stderr() {
                failure::USAGE
            } else {
                0
            };
            let _ = error.print();
            if code == failure::USAGE && json_requested() {
                let message = error.kind().as_str().unwrap_or("invalid command line");
                print_json_failure(&Failure::usage(format!("{message} (see --help)")), None);
            }
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
    // `sandbox serve` runs until it is stopped: a signal is its normal end.
    let serves = matches!(cli.command, Command::Sandbox(SandboxCommand::Serve(_)));
    // The command races the signals: on SIGINT/SIGTERM its future is dropped
    // (and with it any temporary file, such as an export's), then the
    // process ends with 128 + the signal's number.
    let outcome = runtime.block_on(async {
        tokio::select! {
            biased;
            signal = interrupted() => Err(signal),
            result = run(cli) => Ok(result),
        }
    });
    if outcome.is_err() {
        // A blocking call still running (opening a FIFO nobody reads,
        // encoding a zip) must not hold the exit.
        runtime.shutdown_background();
    }
    match outcome {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(failure)) => failure.report(),
        Err(_) if serves => ExitCode::SUCCESS,
        Err(signal) => Failure::new(
            signal.exit_code(),
            format!(
                "interrupted by {}: the command did not finish",
                signal.name()
            ),
        )
        .report(),
    }
}

/// A signal that ends a command.
#[derive(Debug, Clone, Copy)]
enum Signal {
    /// SIGINT (Ctrl-C): exit 130.
    Interrupt,
    /// SIGTERM: exit 143.
    Terminate,
}

impl Signal {
    fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }
}

/// Resolves on the first SIGINT or SIGTERM; never, if they cannot be watched.
async fn interrupted() -> Signal {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let (Ok(mut interrupt), Ok(mut terminate)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            return tokio::select! {
                _ = interrupt.recv() => Signal::Interrupt,
                _ = terminate.recv() => Signal::Terminate,
            };
        }
    }
    #[cfg(not(unix))]
    if tokio::signal::ctrl_c().await.is_ok() {
        return Signal::Interrupt;
    }
    std::future::pending().await
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
        .with_ansi(colors_on_stderr())
        .try_init();
}

/// Colours only on a terminal, and never when `NO_COLOR` is set (and not empty).
fn colors_on_stderr() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    !no_color && std::io::stderr().is_terminal()
}

/// Whether the command line asks for `-o json`, read leniently (for a
/// command line clap rejected).
fn json_requested() -> bool {
    help::command()
        .ignore_errors(true)
        .try_get_matches_from(std::env::args_os())
        .ok()
        .and_then(|matches| matches.get_one::<cli::Output>("output").copied())
        == Some(cli::Output::Json)
}

/// Prints the JSON failure document (see `failure::json_document`).
fn print_json_failure(failure: &Failure, region: Option<&str>) {
    if let Some(document) = failure::json_document(failure, region) {
        let mut stdout = std::io::stdout().lock();
        let text = serde_json::to_string_pretty(&document).unwrap_or_default();
        let _ = writeln!(stdout, "{text}").and_then(|()| stdout.flush());
    }
}

async fn run(mut cli: Cli) -> CmdResult {
    if let Some(expr) = &cli.global.jq {
        // Checked before anything else: a bad expression sends nothing.
        jq::set(expr)?;
        cli.global.output = cli::Output::Json;
    }
    let mut ctx = Context::new(cli.global);
    let result = cli.command.run(&mut ctx).await;
    if let Err(failure) = &result
        && ctx.printer.is_json()
        && !failure.is_quiet()
    {
        // One rule for every command: exactly one document on stdout.
        let region = ctx.label();
        print_json_failure(failure, Some(&region));
    }
    result
}
