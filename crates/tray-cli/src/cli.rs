//! The command line, as clap derive structs.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tray_api::Region;
use uuid::Uuid;

/// Deploy Tray CDK connectors and wait for them, share them, and version,
/// export, import and promote projects — from a terminal or a CI job.
///
/// Exit status: 0 success, 1 the API or the network failed, 2 bad usage or
/// bad local input (nothing was sent), 3 a deployment finished Failed,
/// 4 gave up waiting.
#[derive(Debug, Parser)]
#[command(name = "tray", version, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Tray region (default us); repeat (or comma-separate) to deploy to, or share in,
    /// several regions at once.
    #[arg(long, global = true, env = "TRAY_REGION", value_delimiter = ',', value_parser = parse_region)]
    pub region: Vec<Region>,

    /// API base URL (wins over --region), e.g. a proxy or `tray sandbox serve`.
    #[arg(long, global = true, env = "TRAY_API_URL", value_name = "URL")]
    pub base_url: Option<String>,

    /// Read the API token from this file. The rule for every command: for region R
    /// the token is --token-file, else TRAY_API_TOKEN_<R>, else TRAY_API_TOKEN; with
    /// several regions at once only TRAY_API_TOKEN_<R> (or a profile) serves; with
    /// --base-url only --token-file or TRAY_API_TOKEN. There is deliberately no --token
    /// option: tokens never belong in shell history.
    #[arg(long, global = true, value_name = "PATH")]
    pub token_file: Option<PathBuf>,

    /// Profile from the config file; repeat to deploy to several profiles at once.
    #[arg(long, global = true, env = "TRAY_PROFILE", value_delimiter = ',')]
    pub profile: Vec<String>,

    /// Config file with profiles (default: the platform config dir, e.g. ~/.config/tray/config.toml).
    #[arg(long, global = true, env = "TRAY_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Output format: short human text, or exactly one JSON document on stdout.
    #[arg(short, long, global = true, value_enum, default_value_t = Output::Text)]
    pub output: Output,

    /// Log requests to stderr (-vv for more); RUST_LOG also works.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Print nothing but errors (and the JSON document with -o json).
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Run against an in-process sandbox: no token, no network. It starts with
    /// the seeded projects of `tray sandbox serve` and a deployed connector
    /// `acme-crm 1.0`, and forgets everything when the command ends.
    #[arg(long, global = true)]
    pub sandbox: bool,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Short human-readable lines.
    Text,
    /// One JSON document on stdout (the API's body, field names as Tray sends them).
    Json,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Deploy CDK connectors and check deployments.
    #[command(subcommand)]
    Deployment(DeploymentCommand),
    /// Share deployed connectors with users.
    #[command(subcommand)]
    Permissions(PermissionsCommand),
    /// Project versions, export, import and promotion.
    #[command(subcommand)]
    Project(ProjectCommand),
    /// Embedded solution releases.
    #[command(subcommand)]
    Solution(SolutionCommand),
    /// The local Tray emulator.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// Run the whole story against an in-process sandbox: deploy, wait, share,
    /// version, export, import and release.
    Demo,
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Waiting options.
#[derive(Debug, Clone, Args)]
pub struct WaitArgs {
    /// Wait until the deployment is Deployed (exit 0) or Failed (exit 3).
    #[arg(long)]
    pub wait: bool,
    /// Time between two status checks.
    #[arg(long, value_name = "DUR", default_value = "2s", value_parser = parse_duration)]
    pub interval: Duration,
    /// Give up waiting after this long (exit 4).
    #[arg(long, value_name = "DUR", default_value = "10m", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// `tray deployment ...`
#[derive(Debug, Subcommand)]
pub enum DeploymentCommand {
    /// Deploy a connector: a project folder (its .tray/connector.zip, else
    /// dist/connector.zip) or a .zip file.
    Create {
        /// Connector project folder or .zip file.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Connector name (must match connector.json).
        #[arg(long)]
        name: Option<String>,
        /// Connector version (must match connector.json).
        #[arg(long)]
        version: Option<String>,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Show a deployment (default: the latest of the connector in the current folder).
    Get {
        /// Connector name (default: connector.json in the current folder).
        name: Option<String>,
        /// Connector version (default: connector.json in the current folder).
        version: Option<String>,
        /// Deployment id, or `latest`.
        #[arg(default_value = "latest")]
        id: String,
        #[command(flatten)]
        wait: WaitArgs,
    },
}

/// `tray permissions ...`
#[derive(Debug, Subcommand)]
pub enum PermissionsCommand {
    /// Share a connector version with users of your organisation; with several
    /// --region (or --profile) it shares in each at once, like `deployment create`.
    Add {
        /// Connector name (default: connector.json in the current folder).
        name: Option<String>,
        /// Connector version (default: connector.json in the current folder).
        version: Option<String>,
        /// Email to share with; repeat or comma-separate.
        #[arg(long = "email", short = 'e', required = true, value_delimiter = ',')]
        emails: Vec<String>,
    },
}

/// `tray project ...`
#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// Project versions.
    #[command(subcommand)]
    Version(VersionCommand),
    /// Export a project version as JSON.
    Export {
        /// Project id.
        project_id: Uuid,
        /// Version number.
        version: String,
        /// Write to this file (atomically) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Import an exported project into a destination project.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Move a project version from one environment/region to another:
    /// version, export, check, preview, import, version, and optionally release.
    Promote {
        /// Source project id.
        project_id: Uuid,
        /// Version number (created at the source if missing, and at the destination).
        version: String,
        /// Source profile.
        #[arg(long)]
        from: Option<String>,
        /// Destination profile.
        #[arg(long)]
        to: Option<String>,
        /// Destination project id.
        #[arg(long)]
        dest_project: Uuid,
        /// Title of the versions created.
        #[arg(long)]
        title: Option<String>,
        #[command(flatten)]
        mapping: MappingArgs,
        /// Stop after the import preview.
        #[arg(long)]
        dry_run: bool,
        /// Preview and publish this embedded solution after the import.
        #[arg(long, value_name = "SOLUTION_ID")]
        publish_solution: Option<Uuid>,
    },
}

/// `tray project version ...`
#[derive(Debug, Subcommand)]
pub enum VersionCommand {
    /// Save the current state of a project as a version.
    Create {
        /// Project id.
        project_id: Uuid,
        /// Version number, e.g. 3 (keep it the same across environments).
        version: String,
        /// Title.
        #[arg(long)]
        title: String,
        /// Description.
        #[arg(long)]
        description: Option<String>,
    },
    /// List the versions of a project (all pages unless --limit).
    List {
        /// Project id.
        project_id: Uuid,
        /// Stop after this many versions (at least 1).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        limit: Option<u64>,
    },
}

/// Mapping options of import and promote.
#[derive(Debug, Clone, Args)]
pub struct MappingArgs {
    /// Map a connector: FROM_NAME@VER=TO_NAME@VER (repeatable).
    #[arg(long = "connector-map", value_name = "FROM@VER=TO@VER")]
    pub connector_map: Vec<String>,
    /// Map a service: FROM_NAME@VER=TO_NAME@VER (repeatable).
    #[arg(long = "service-map", value_name = "FROM@VER=TO@VER")]
    pub service_map: Vec<String>,
    /// Resolve an authentication: EXPORT_ID=AUTH_UUID (repeatable).
    #[arg(long = "auth", value_name = "EXPORT_ID=UUID")]
    pub auth: Vec<String>,
    /// JSON file of config values to override.
    #[arg(long, value_name = "FILE")]
    pub config_override: Option<PathBuf>,
}

/// Common arguments of the import commands.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// Destination project id.
    pub dest_project_id: Uuid,
    /// The exported project JSON (`tray project export`).
    #[arg(long, value_name = "FILE")]
    pub export: PathBuf,
    #[command(flatten)]
    pub mapping: MappingArgs,
}

/// `tray project import ...`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// What the import needs: authentications to resolve, new config keys.
    Requirements(ImportArgs),
    /// What the import would change in the project (and its solution).
    Preview(ImportArgs),
    /// Apply the import (asks for confirmation; --yes in scripts).
    Apply {
        #[command(flatten)]
        args: ImportArgs,
        /// Do not ask for confirmation (required when stdin is not a terminal).
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

/// `tray solution ...`
#[derive(Debug, Subcommand)]
pub enum SolutionCommand {
    /// Solution releases.
    #[command(subcommand)]
    Release(ReleaseCommand),
}

/// `tray solution release ...`
#[derive(Debug, Subcommand)]
pub enum ReleaseCommand {
    /// What publishing would change (breaking changes, new inputs).
    Preview {
        /// Solution id.
        solution_id: Uuid,
    },
    /// Publish the draft solution.
    Create {
        /// Solution id.
        solution_id: Uuid,
    },
}

/// `tray sandbox ...`
#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Serve the stateful sandbox on a local port until interrupted.
    Serve(ServeArgs),
}

/// `tray sandbox serve` options.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: std::net::SocketAddr,
    /// Token clients must send (default: the sandbox's fixed token, printed at start).
    #[arg(long = "token", value_name = "T")]
    pub server_token: Option<String>,
    /// A read-only token: writes answer 403.
    #[arg(long, value_name = "T")]
    pub read_token: Option<String>,
    /// Keep the state in this file (reloaded on start, saved after each change).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// JSON file with more projects to seed.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// How long a deployment takes (split over Deploying and Building).
    #[arg(long, value_name = "DUR", default_value = "3s", value_parser = parse_duration)]
    pub deploy_time: Duration,
    /// Inject a fault: ROUTE=KIND[@RATE], KIND one of latency:DUR, 429, 500, html502, reset, truncated.
    #[arg(long, value_name = "ROUTE=KIND")]
    pub fault: Vec<String>,
    /// Enforce Tray's rate limit (30/s, bursts of 50; 429 without Retry-After).
    #[arg(long)]
    pub rate_limit: bool,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text)
        .map_err(|e| format!("{e} (write durations like 250ms, 30s, 2m)"))
}

fn parse_region(text: &str) -> Result<Region, String> {
    text.parse::<Region>().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
