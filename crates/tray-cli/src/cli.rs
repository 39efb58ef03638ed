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
#[command(next_help_heading = "Global options")]
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

    /// Filter the JSON output with a jq expression (implies -o json), as
    /// `gh --jq` does: strings print raw (like `jq -r`), other values as
    /// compact JSON, one per line. E.g. `--jq .id`, `--jq '.elements[].name'`.
    #[arg(long, global = true, value_name = "EXPR")]
    pub jq: Option<String>,

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

    /// Give up on one HTTP request after this long (default 60 s, 10 min for a
    /// deploy upload). A wait's --timeout cuts a request in flight anyway.
    #[arg(long, global = true, value_name = "DUR", value_parser = parse_duration)]
    pub request_timeout: Option<Duration>,
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
    /// Call any Tray endpoint with the CLI's token, region, retries and
    /// safety (like `gh api`): `tray api /core/v1/projects/ID/versions`.
    ///
    /// The body is printed as received (pretty JSON on a terminal). Exit 0
    /// on 2xx; 1 on any other status, with the body still on stdout; 2 for
    /// bad usage (a URL of another host, an Authorization header, a
    /// `{placeholder}` left in the path), before any request.
    Api(ApiArgs),
    /// Where each token comes from, the base URL, and whether the token works.
    #[command(subcommand)]
    Auth(AuthCommand),
    /// The config file: where it is, its profiles.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Run the whole story against an in-process sandbox: deploy, wait, share,
    /// version, export, import and release.
    Demo,
    /// Print a shell completion script.
    ///
    /// It completes commands, options, regions and the profile names of the
    /// config file as it is now: generate it again after adding a profile.
    Completions(CompletionsArgs),
}

/// `tray completions` options.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// `tray api` options.
#[derive(Debug, Clone, Args)]
pub struct ApiArgs {
    /// Path relative to the base URL (`/core/v1/connectors`, a query string
    /// allowed), or a URL with the base URL's scheme, host and port.
    pub path: String,
    /// HTTP method (default GET, or POST when fields or --input are given,
    /// except with --paginate).
    #[arg(short = 'X', long = "method", value_name = "METHOD")]
    pub method: Option<String>,
    /// A string field KEY=VALUE (a query parameter for GET, else part of the
    /// JSON body); repeatable.
    #[arg(short = 'f', long = "raw-field", value_name = "KEY=VALUE")]
    pub raw_fields: Vec<String>,
    /// A typed field KEY=VALUE: integers, true, false and null become JSON
    /// values, @FILE a file's content (@- stdin); `key[]=v` appends to an
    /// array, `a.b=v` nests objects; repeatable.
    #[arg(short = 'F', long = "field", value_name = "KEY=VALUE")]
    pub fields: Vec<String>,
    /// The request body, as is, from a file (`-` for stdin); fields then go
    /// to the query string.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// An extra header `Name: value` (repeatable); never Authorization.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Print the status line and response headers on stderr.
    #[arg(short = 'i', long = "include")]
    pub include: bool,
    /// Follow Tray's cursor paging (`first`, `cursor`, `pageInfo`) and print
    /// one JSON array of all `elements`.
    #[arg(long)]
    pub paginate: bool,
    /// With --paginate, stop after this many elements.
    #[arg(long, requires = "paginate", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
    /// Retry a method other than GET on 429, 5xx and network errors (only
    /// when repeating the call is harmless).
    #[arg(long)]
    pub retry: bool,
}

/// `tray auth ...`
#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// For each region or profile the options select: where the token comes
    /// from, the base URL, and whether an authenticated read succeeds (exit
    /// 1 if one does not). The token itself is never printed.
    Status,
}

/// `tray config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the path of the config file (whether it exists or not).
    Path,
    /// List the profiles: region or base URL, and where the token comes from.
    List,
    /// Print the JSON Schema (draft 2020-12) of the config file, for editors
    /// that complete and check TOML with it (Taplo, Even Better TOML).
    Schema,
}

/// Waiting options.
#[derive(Debug, Clone, Args)]
pub struct WaitArgs {
    /// Wait until the deployment is Deployed (exit 0) or Failed (exit 3),
    /// printing one line per status change on stderr.
    #[arg(long)]
    pub wait: bool,
    /// Time between two status checks.
    #[arg(long, value_name = "DUR", default_value = "2s", value_parser = parse_duration)]
    pub interval: Duration,
    /// With --wait: give up after this long, counted from the start of the
    /// command, the request in flight included (exit 4).
    #[arg(long, value_name = "DUR", default_value = "10m", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// Waiting options of `deployment create`.
#[derive(Debug, Clone, Args)]
pub struct CreateWaitArgs {
    #[command(flatten)]
    pub wait: WaitArgs,
    /// With --wait, when Tray skips the upload because a deployment of this
    /// version is in progress (repeatDeployment): wait for it to end and
    /// upload again (wait), or stop at once with exit 1 (fail).
    #[arg(long, value_enum, value_name = "WHAT", default_value_t = IfBusyArg::Wait)]
    pub if_busy: IfBusyArg,
}

/// `--if-busy` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IfBusyArg {
    /// Wait for the running deployment to end, then upload again.
    Wait,
    /// Stop at once (exit 1), naming the running deployment.
    Fail,
}

/// `tray deployment ...`
#[derive(Debug, Subcommand)]
pub enum DeploymentCommand {
    /// Deploy a connector: a project folder (its .tray/connector.zip, else
    /// dist/connector.zip) or a .zip file.
    Create(DeploymentCreate),
    /// Show a deployment (default: the latest of the connector in the current folder).
    Get(DeploymentGet),
}

/// `tray deployment create` options.
#[derive(Debug, Clone, Args)]
pub struct DeploymentCreate {
    /// Connector project folder or .zip file.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Connector name (must match connector.json).
    #[arg(long)]
    pub name: Option<String>,
    /// Connector version (must match connector.json).
    #[arg(long)]
    pub version: Option<String>,
    #[command(flatten)]
    pub wait: CreateWaitArgs,
}

/// `tray deployment get` options.
#[derive(Debug, Clone, Args)]
pub struct DeploymentGet {
    /// Connector name (default: connector.json in the current folder).
    pub name: Option<String>,
    /// Connector version (default: connector.json in the current folder).
    pub version: Option<String>,
    /// Deployment id, or `latest`.
    #[arg(default_value = "latest")]
    pub id: String,
    #[command(flatten)]
    pub wait: WaitArgs,
}

/// `tray permissions ...`
#[derive(Debug, Subcommand)]
pub enum PermissionsCommand {
    /// Share a connector version with users of your organisation; with several
    /// --region (or --profile) it shares in each at once, like `deployment create`.
    Add(PermissionsAdd),
}

/// `tray permissions add` options.
#[derive(Debug, Clone, Args)]
pub struct PermissionsAdd {
    /// Connector name (default: connector.json in the current folder).
    pub name: Option<String>,
    /// Connector version (default: connector.json in the current folder).
    pub version: Option<String>,
    /// Email to share with; repeat or comma-separate.
    #[arg(long = "email", short = 'e', required = true, value_delimiter = ',')]
    pub emails: Vec<String>,
}

/// `tray project ...`
#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// Project versions.
    #[command(subcommand)]
    Version(VersionCommand),
    /// Export a project version as JSON.
    Export(ProjectExport),
    /// Import an exported project into a destination project.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Move a project version from one environment/region to another: check
    /// (source version, destination project, solution, export, requirements,
    /// preview), then version, import, version, and optionally release.
    ///
    /// Every check comes before the first write. One line per step on
    /// stderr as it happens; asks before writing (--yes in scripts).
    Promote(PromoteArgs),
}

/// `tray project export` options.
#[derive(Debug, Clone, Args)]
pub struct ProjectExport {
    /// Project id.
    pub project_id: Uuid,
    /// Version number.
    pub version: String,
    /// Write to this file (atomically) instead of stdout.
    /// `-` is stdout; a symbolic link is followed (the file it points to is
    /// replaced, the link stays); a device or FIFO is written straight through.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `tray project promote` options.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:
  tray project promote $SRC 7 --dest-project $DST --dry-run
  tray project promote $SRC 7 --dest-project $DST --auth salesforce-production=$AUTH --yes
  tray project promote $SRC 7 --from dev --to prod --dest-project $DST --publish-solution $SOL")]
pub struct PromoteArgs {
    /// Source project id.
    pub project_id: Uuid,
    /// Version number (created at the source if missing, and at the destination).
    pub version: String,
    /// Source profile (default: the global options, e.g. the region and TRAY_API_TOKEN).
    #[arg(long)]
    pub from: Option<String>,
    /// Destination profile (default: the global options, as for --from).
    #[arg(long)]
    pub to: Option<String>,
    /// Destination project id.
    #[arg(long)]
    pub dest_project: Uuid,
    /// Title of the versions created.
    #[arg(long)]
    pub title: Option<String>,
    #[command(flatten)]
    pub mapping: MappingArgs,
    /// Check everything and change nothing: no version created, no import, no
    /// release (needs no --yes). When the version does not exist yet, the
    /// latest version is read instead. Exit 1 if a check fails.
    #[arg(long)]
    pub dry_run: bool,
    /// Preview and publish this embedded solution after the import (checked before it).
    #[arg(long, value_name = "SOLUTION_ID")]
    pub publish_solution: Option<Uuid>,
    /// Do not ask for confirmation (required when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `tray project version ...`
#[derive(Debug, Subcommand)]
pub enum VersionCommand {
    /// Save the current state of a project as a version.
    Create(VersionCreate),
    /// List the versions of a project, newest first (a table: VERSION,
    /// CREATED, TITLE, CREATOR; with -o json, the versions in the same order).
    List(VersionList),
}

/// `tray project version create` options.
#[derive(Debug, Clone, Args)]
pub struct VersionCreate {
    /// Project id.
    pub project_id: Uuid,
    /// Version number, e.g. 3 (keep it the same across environments).
    pub version: String,
    /// Title.
    #[arg(long)]
    pub title: String,
    /// Description.
    #[arg(long)]
    pub description: Option<String>,
}

/// `tray project version list` options.
#[derive(Debug, Clone, Args)]
pub struct VersionList {
    /// Project id.
    pub project_id: Uuid,
    /// Show at most this many versions (the newest; with --reverse, the
    /// oldest). At least 1.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
    /// Oldest first.
    #[arg(long)]
    pub reverse: bool,
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
    Requirements(ImportRequirements),
    /// What the import would change in the project (and its solution).
    Preview(ImportPreview),
    /// Apply the import. On a terminal it shows the preview's summary (what
    /// will change) and asks; off a terminal it needs --yes.
    Apply(ImportApply),
}

/// `tray project import requirements` options.
#[derive(Debug, Clone, Args)]
pub struct ImportRequirements {
    #[command(flatten)]
    pub args: ImportArgs,
}

/// `tray project import preview` options.
#[derive(Debug, Clone, Args)]
pub struct ImportPreview {
    #[command(flatten)]
    pub args: ImportArgs,
}

/// `tray project import apply` options.
#[derive(Debug, Clone, Args)]
pub struct ImportApply {
    #[command(flatten)]
    pub args: ImportArgs,
    /// Do not ask for confirmation (required when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
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
    Preview(ReleasePreview),
    /// Publish the draft solution.
    Create(ReleaseCreate),
}

/// `tray solution release preview` options.
#[derive(Debug, Clone, Args)]
pub struct ReleasePreview {
    /// Solution id.
    pub solution_id: Uuid,
}

/// `tray solution release create` options.
#[derive(Debug, Clone, Args)]
pub struct ReleaseCreate {
    /// Solution id.
    pub solution_id: Uuid,
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
    /// Inject a fault: ROUTE=KIND[@RATE] (the help text, listing every kind and route, is built
    /// from tray_sandbox::FAULT_KINDS and Route::ALL in help.rs).
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
