//! The help a newcomer reads, added to the clap definition of `cli.rs`:
//! examples under every command, the regions, token variables and config
//! file in `tray --help`, the fault kinds and routes of `sandbox serve
//! --fault`, region and profile completions, and a `sandbox serve --help`
//! without the API options that do not apply to it.
//!
//! Every example is a real command that runs as written with `--sandbox`
//! (in a connector folder holding `export.json`); a test runs them all.

use std::ffi::OsStr;
use std::path::Path;

#[cfg(not(feature = "sandbox"))]
use crate::without_sandbox::{
    DESTINATION_PROJECT_ID, IMPORT_AUTH_MAPPINGS, SOLUTION_ID, SOURCE_PROJECT_ID,
};
use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Arg, Command, CommandFactory};
use tray_api::Region;
#[cfg(feature = "sandbox")]
use tray_sandbox::{
    DESTINATION_PROJECT_ID, FAULT_KINDS, IMPORT_AUTH_MAPPINGS, Route, SOLUTION_ID,
    SOURCE_PROJECT_ID,
};

use crate::cli::Cli;
use crate::config::Config;

/// The global options that only matter to commands calling Tray's API,
/// hidden from `tray sandbox serve --help`.
const API_OPTIONS: &[&str] = &[
    "region",
    "base_url",
    "token_file",
    "profile",
    "config",
    "sandbox",
];

/// [`command`] as this process parses it: an option's environment variable
/// set to a blank value counts as unset, as in the library's token and
/// region rule (CI systems write `VAR: ""` for a variable or secret that is
/// not defined), instead of `TRAY_API_URL=""` calling the URL `""` or
/// `TRAY_CONFIG=""` failing the command line.
pub fn parsing_command(lookup: impl Fn(&OsStr) -> Option<std::ffi::OsString>) -> Command {
    let mut command = command();
    let blank: Vec<clap::Id> = command
        .get_arguments()
        .filter(|arg| {
            arg.get_env()
                .and_then(&lookup)
                .is_some_and(|value| value.to_string_lossy().trim().is_empty())
        })
        .map(|arg| arg.get_id().clone())
        .collect();
    for id in blank {
        command = command.mut_arg(id, |arg| arg.env(None));
    }
    command
}

/// The command line with its help: used to parse and for `--help`.
pub fn command() -> Command {
    let mut command = Cli::command()
        .after_help(ROOT_SHORT_HELP)
        .after_long_help(root_long_help())
        .mut_arg("region", |arg| arg.value_parser(RegionParser));
    for (path, examples) in examples() {
        command = with_examples(command, &path, &examples);
    }
    // Global options reach every subcommand when the command is built,
    // except where one of the same name is already defined: `sandbox serve`
    // gets hidden copies (still accepted, as before, but not listed).
    let hidden: Vec<Arg> = command
        .get_arguments()
        .filter(|arg| API_OPTIONS.contains(&arg.get_id().as_str()))
        .map(|arg| arg.clone().hide(true))
        .collect();
    command.mut_subcommand("sandbox", |sandbox| {
        sandbox.mut_subcommand("serve", |serve| with_fault_help(serve.args(hidden)))
    })
}

/// The command line for a completion script: `command()` with the profile
/// names of the config file (`--config`, `TRAY_CONFIG` or the default) as
/// the values `--profile` completes to.
pub fn completion_command(config: Option<&Path>) -> Command {
    // clap holds possible values as `&'static str`: the few names live as
    // long as this one-shot `tray completions` process anyway.
    let profiles: Vec<&'static str> = Config::load(config)
        .map(|config| {
            config
                .profiles
                .into_keys()
                .map(|name| &*Box::leak(name.into_boxed_str()))
                .collect()
        })
        .unwrap_or_default();
    let command = command();
    if profiles.is_empty() {
        return command;
    }
    with_profiles(command, &profiles)
}

/// `--profile` completing to `profiles` (set before the command is built,
/// so every subcommand's copy of the global option has them).
fn with_profiles(command: Command, profiles: &[&'static str]) -> Command {
    let values = profiles.to_vec();
    command.mut_arg("profile", move |arg| {
        arg.value_parser(clap::builder::PossibleValuesParser::new(values))
    })
}

/// `--region`: Tray's regions as possible values (help and completions),
/// parsed as before (case and spaces ignored).
#[derive(Debug, Clone, Copy)]
struct RegionParser;

impl TypedValueParser for RegionParser {
    type Value = Region;

    fn parse_ref(
        &self,
        command: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> Result<Region, clap::Error> {
        let parse: fn(&str) -> Result<Region, String> =
            |text| text.parse().map_err(|e: tray_api::Error| e.to_string());
        parse.parse_ref(command, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            Region::all()
                .iter()
                .map(|region| PossibleValue::new(region.as_str())),
        ))
    }
}

/// `sandbox serve` with the `--fault` help listing every kind and route
/// (the sandbox's own lists; without the `sandbox` feature, the short help
/// of `cli.rs`).
fn with_fault_help(serve: Command) -> Command {
    #[cfg(feature = "sandbox")]
    let serve = serve.mut_arg("fault", |arg| arg.help(fault_help()));
    serve
}

/// `--fault` help: every kind and route, from the sandbox.
#[cfg(feature = "sandbox")]
fn fault_help() -> String {
    let routes: Vec<&str> = Route::ALL.iter().map(|route| route.as_str()).collect();
    format!(
        "Inject a fault: ROUTE=KIND[@RATE] (repeatable; RATE a fraction of the requests, default 1). \
         KIND: {}. ROUTE: {} (* is every request)",
        FAULT_KINDS.join(", "),
        routes.join(", ")
    )
}

/// `tray -h`: a pointer to `--help`.
const ROOT_SHORT_HELP: &str = "Try it without an account: tray demo, or any command with --sandbox.\n\
     `tray --help` lists the region, token and config file settings; `tray COMMAND --help` shows examples.";

/// `tray --help`: examples, then where the region, token and profiles come from.
fn root_long_help() -> String {
    let regions: Vec<&str> = Region::all().iter().map(|r| r.as_str()).collect();
    format!(
        "{examples}\n\n\
Region: --region or TRAY_REGION, one of {regions}; default {default}.\n\n\
Token, for region R: --token-file PATH, else TRAY_API_TOKEN_<R> (TRAY_API_TOKEN_US,\n\
TRAY_API_TOKEN_EU, TRAY_API_TOKEN_APAC), else TRAY_API_TOKEN. A \"Bearer \" prefix is fine.\n\
When several regions run at once, each takes only its own TRAY_API_TOKEN_<R> (or a profile's),\n\
so a token is never sent to a region it was not given for.\n\n\
Profiles: --profile NAME (or TRAY_PROFILE) reads the config file (--config PATH or TRAY_CONFIG;\n\
default {config}), TOML:\n\n\
\x20   [profiles.dev]\n\
\x20   region = \"us\"                    # or base_url = \"https://api.eu1.tray.io\"\n\
\x20   token_env = \"TRAY_TOKEN_DEV\"     # or token_file = \"/run/secrets/tray-dev\"\n\n\
Its JSON Schema, for an editor to complete and check it: tray config schema.",
        examples = render(&[
            "tray demo  # the whole story against an in-process sandbox".to_owned(),
            "tray --sandbox deployment create --wait  # in a connector folder".to_owned(),
            "tray --sandbox -o json deployment get acme-crm 1.0".to_owned(),
        ]),
        regions = regions.join(", "),
        default = Region::default(),
        config = crate::config::default_path().map_or_else(
            || "none on this platform".to_owned(),
            |p| p.display().to_string()
        ),
    )
}

/// `command` with `examples` as the after-help of the subcommand at `path`.
fn with_examples(command: Command, path: &[&str], examples: &[String]) -> Command {
    match path.split_first() {
        None => command.after_help(render(examples)),
        Some((first, rest)) => {
            command.mut_subcommand(*first, |sub| with_examples(sub, rest, examples))
        }
    }
}

/// An `Examples:` block: one command per item, indented; an item may hold
/// `\n` to continue a long command on the next line (written with ` \`).
fn render(examples: &[String]) -> String {
    let mut text = String::from("Examples:");
    for example in examples {
        let mut lines = example.split('\n');
        if let Some(first) = lines.next() {
            text.push_str("\n  ");
            text.push_str(first);
        }
        for line in lines {
            text.push_str(" \\\n      ");
            text.push_str(line);
        }
    }
    text
}

/// The examples of each command, by subcommand path.
fn examples() -> Vec<(Vec<&'static str>, Vec<String>)> {
    let source = SOURCE_PROJECT_ID;
    let dest = DESTINATION_PROJECT_ID;
    let solution = SOLUTION_ID;
    let auth: String = IMPORT_AUTH_MAPPINGS
        .iter()
        .map(|(name, id)| format!("--auth {name}={id}"))
        .collect::<Vec<_>>()
        .join(" ");
    let e = |lines: &[&str]| lines.iter().map(|l| (*l).to_owned()).collect::<Vec<_>>();
    vec![
        (
            vec!["deployment"],
            e(&[
                "tray --sandbox deployment create --wait  # in a connector folder",
                "tray --sandbox deployment get acme-crm 1.0",
            ]),
        ),
        (
            vec!["deployment", "create"],
            e(&[
                "tray --sandbox deployment create --wait  # .tray/connector.zip of this folder",
                "tray --sandbox deployment create .tray/connector.zip --name acme-crm --version 1.0",
                "tray --sandbox --region us,eu,apac deployment create --wait --timeout 5m",
            ]),
        ),
        (
            vec!["deployment", "get"],
            e(&[
                "tray --sandbox deployment get acme-crm 1.0",
                "tray --sandbox -o json deployment get acme-crm 1.0 latest",
                "tray --sandbox deployment get --wait --timeout 2m  # connector.json of this folder",
            ]),
        ),
        (
            vec!["permissions"],
            e(&["tray --sandbox permissions add acme-crm 1.0 --email ada@example.com"]),
        ),
        (
            vec!["permissions", "add"],
            e(&[
                "tray --sandbox permissions add acme-crm 1.0 --email ada@example.com",
                "tray --sandbox permissions add --email ada@example.com,grace@example.com  # connector.json here",
            ]),
        ),
        (
            vec!["project"],
            vec![
                format!("tray --sandbox project version list {source}"),
                format!("tray --sandbox project export {source} 1 --out export.json"),
            ],
        ),
        (
            vec!["project", "version"],
            vec![
                format!("tray --sandbox project version create {source} 2 --title \"Release 2\""),
                format!("tray --sandbox project version list {source}"),
            ],
        ),
        (
            vec!["project", "version", "create"],
            vec![
                format!("tray --sandbox project version create {source} 2 --title \"Release 2\""),
                format!(
                    "tray --sandbox -o json project version create {source} 2\n--title \"Release 2\" --description \"EMEA alerts\""
                ),
            ],
        ),
        (
            vec!["project", "version", "list"],
            vec![
                format!("tray --sandbox project version list {source}"),
                format!("tray --sandbox -o json project version list {source} --limit 10"),
            ],
        ),
        (
            vec!["project", "export"],
            vec![
                format!("tray --sandbox project export {source} 1 --out export.json"),
                format!("tray --sandbox project export {source} 1 --out -  # to stdout"),
            ],
        ),
        (
            vec!["project", "import"],
            vec![
                format!("tray --sandbox project import requirements {dest}\n--export export.json"),
                format!(
                    "tray --sandbox project import preview {dest}\n--export export.json {auth}"
                ),
            ],
        ),
        (
            vec!["project", "import", "requirements"],
            vec![
                format!("tray --sandbox project import requirements {dest}\n--export export.json"),
                format!(
                    "tray --sandbox -o json project import requirements {dest}\n--export export.json {auth}"
                ),
            ],
        ),
        (
            vec!["project", "import", "preview"],
            vec![format!(
                "tray --sandbox project import preview {dest}\n--export export.json {auth}"
            )],
        ),
        (
            vec!["project", "import", "apply"],
            vec![format!(
                "tray --sandbox project import apply {dest} --yes\n--export export.json {auth}"
            )],
        ),
        (
            vec!["project", "promote"],
            vec![
                format!(
                    "tray --sandbox project promote {source} 2 --dry-run\n--dest-project {dest}\n{auth}"
                ),
                format!(
                    "tray --sandbox -o json project promote {source} 2 --dry-run\n--dest-project {dest}\n{auth}"
                ),
            ],
        ),
        (
            vec!["solution"],
            vec![format!(
                "tray --sandbox solution release preview {solution}"
            )],
        ),
        (
            vec!["solution", "release"],
            vec![
                format!("tray --sandbox solution release preview {solution}"),
                format!("tray --sandbox solution release create {solution}"),
            ],
        ),
        (
            vec!["solution", "release", "preview"],
            vec![
                format!("tray --sandbox solution release preview {solution}"),
                format!("tray --sandbox -o json solution release preview {solution}"),
            ],
        ),
        (
            vec!["solution", "release", "create"],
            vec![format!("tray --sandbox solution release create {solution}")],
        ),
        (
            vec!["api"],
            vec![
                format!("tray --sandbox api /core/v1/projects/{source}/versions"),
                format!(
                    "tray --sandbox api /core/v1/projects/{source}/versions --paginate\n--jq \".[].versionNumber\""
                ),
                format!(
                    "tray --sandbox api -X POST /core/v1/projects/{source}/versions/9\n-f title=\"Release 9\""
                ),
            ],
        ),
        (vec!["auth"], e(&["tray --sandbox auth status"])),
        (
            vec!["auth", "status"],
            e(&[
                "tray --sandbox auth status",
                "tray --sandbox -o json auth status",
            ]),
        ),
        (
            vec!["config"],
            e(&[
                "tray config path",
                "tray config list",
                "tray config schema > ~/.config/tray/config.schema.json",
            ]),
        ),
        (vec!["config", "path"], e(&["tray config path"])),
        (
            vec!["config", "list"],
            e(&["tray config list", "tray -o json config list"]),
        ),
        (
            vec!["config", "schema"],
            e(&[
                "tray config schema",
                "tray config schema > ~/.config/tray/config.schema.json",
            ]),
        ),
        (
            vec!["sandbox"],
            e(&["tray sandbox serve  # on 127.0.0.1:8787; prints its URL, token and seeded ids"]),
        ),
        (
            vec!["sandbox", "serve"],
            e(&[
                "tray sandbox serve  # on 127.0.0.1:8787; prints its URL, token and seeded ids",
                "tray sandbox serve --addr 127.0.0.1:9000 --deploy-time 10s --state sandbox.json",
                "tray sandbox serve --fault export=latency:5s --fault status=500@0.5 --rate-limit",
            ]),
        ),
        (
            vec!["demo"],
            e(&[
                "tray demo",
                "tray -o json demo  # the steps as one JSON document",
            ]),
        ),
        (
            vec!["completions"],
            e(&[
                "tray completions bash > ~/.local/share/bash-completion/completions/tray",
                "tray completions zsh > ~/.zfunc/_tray",
                "tray completions fish > ~/.config/fish/completions/tray.fish",
            ]),
        ),
    ]
}
