//! The help a newcomer reads: every command's examples run as written, global
//! options under their own heading after the command's own, the region, token
//! and config rules in `tray --help`, `sandbox serve --help` without API
//! options, every fault kind and route, completions of regions and profiles,
//! and no colour codes in logs off a terminal.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::io::BufRead;
use std::path::Path;

use common::{export_source, stderr, stdout, tray};

/// `tray PATH --help`.
fn help(home: &Path, path: &[String]) -> String {
    let output = tray(home).args(path).arg("--help").output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{path:?}: {}",
        stderr(&output)
    );
    stdout(&output)
}

/// The subcommand names of a help text's `Commands:` section (not `help`).
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| !line.is_empty())
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// Every command path, the root (`[]`) first, with its help.
fn every_help(home: &Path) -> Vec<(Vec<String>, String)> {
    let mut found = Vec::new();
    let mut queue = vec![Vec::new()];
    while let Some(path) = queue.pop() {
        let text = help(home, &path);
        for name in subcommands(&text).into_iter().rev() {
            let mut sub = path.clone();
            sub.push(name);
            queue.push(sub);
        }
        found.push((path, text));
    }
    found
}

/// The commands of a help text's `Examples:` block (continuation lines
/// ending in ` \` joined).
fn examples(help: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut continued = false;
    for line in help
        .lines()
        .skip_while(|line| *line != "Examples:")
        .skip(1)
        .take_while(|line| !line.is_empty())
    {
        let (text, more) = match line.trim().strip_suffix(" \\") {
            Some(text) => (text, true),
            None => (line.trim(), false),
        };
        match found.last_mut() {
            Some(last) if continued => {
                last.push(' ');
                last.push_str(text);
            }
            _ => found.push(text.to_owned()),
        }
        continued = more;
    }
    found
}

/// Shell words of an example: comment and `> FILE` dropped, double quotes honoured.
fn words(example: &str) -> Vec<String> {
    let example = example.split("  #").next().unwrap();
    let example = example.split(" > ").next().unwrap();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in example.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// A folder the examples run in: a connector project (acme-crm 1.0) holding
/// an `export.json`.
fn example_folder() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".tray")).unwrap();
    std::fs::write(
        home.path().join("connector.json"),
        serde_json::json!({"name": "acme-crm", "version": "1.0", "title": "ACME CRM"}).to_string(),
    )
    .unwrap();
    std::fs::write(
        home.path().join(".tray/connector.zip"),
        tray_sandbox::sample_connector_zip("acme-crm", "1.0"),
    )
    .unwrap();
    export_source(
        tray(home.path()).arg("--sandbox"),
        &home.path().join("export.json"),
    );
    home
}

/// Runs `tray sandbox serve …` on a free port until its first line.
fn check_serve(home: &Path, mut args: Vec<String>) {
    match args.iter().position(|a| a == "--addr") {
        Some(at) => args[at + 1] = "127.0.0.1:0".to_owned(),
        None => args.extend(["--addr".to_owned(), "127.0.0.1:0".to_owned()]),
    }
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tray"))
        .args(&args)
        .current_dir(home)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let first = std::io::BufReader::new(child.stdout.take().unwrap())
        .lines()
        .next()
        .map(Result::unwrap);
    child.kill().unwrap();
    child.wait().unwrap();
    let first = first.unwrap_or_default();
    assert!(
        first.starts_with("base url http://127.0.0.1:"),
        "{args:?}: {first:?}"
    );
}

#[test]
fn every_command_has_examples_that_run_as_written() {
    let home = example_folder();
    let mut seen = BTreeSet::new();
    for (path, text) in every_help(home.path()) {
        let examples = examples(&text);
        assert!(
            !examples.is_empty(),
            "`tray {}` has no examples",
            path.join(" ")
        );
        for example in examples {
            if !seen.insert(example.clone()) {
                continue;
            }
            let words = words(&example);
            // A line clap wrapped (too long) starts with something else.
            assert_eq!(words[0], "tray", "{example}");
            if words.get(1..3) == Some(&["sandbox".to_owned(), "serve".to_owned()][..]) {
                check_serve(home.path(), words[1..].to_vec());
                continue;
            }
            let output = tray(home.path()).args(&words[1..]).output().unwrap();
            assert_eq!(
                output.status.code(),
                Some(0),
                "`{example}`\nstderr: {}",
                stderr(&output)
            );
            if words.iter().any(|w| w == "json") {
                serde_json::from_slice::<serde_json::Value>(&output.stdout)
                    .unwrap_or_else(|e| panic!("`{example}` did not print one JSON document: {e}"));
            }
        }
    }
    assert!(seen.len() >= 30, "{seen:?}");
}

#[test]
fn global_options_have_their_heading_after_each_commands_own() {
    let home = tempfile::tempdir().unwrap();
    for (path, text) in every_help(home.path()) {
        let global = text
            .find("\nGlobal options:\n")
            .unwrap_or_else(|| panic!("`tray {} --help`:\n{text}", path.join(" ")));
        let own = text.find("\nOptions:\n").unwrap();
        assert!(own < global, "`tray {} --help`:\n{text}", path.join(" "));
        // The global options are listed under their heading only.
        let own_section = &text[own..global];
        for option in [
            "--region",
            "--base-url",
            "--token-file",
            "--verbose",
            "--sandbox",
        ] {
            assert!(
                !own_section.contains(option),
                "{option} in {path:?}:\n{text}"
            );
        }
    }
}

#[test]
fn tray_help_names_the_default_region_the_token_variables_and_the_config_file() {
    let home = tempfile::tempdir().unwrap();
    let text = help(home.path(), &[]);
    for needle in [
        "default us",
        "TRAY_REGION",
        "TRAY_API_TOKEN_US",
        "TRAY_API_TOKEN_EU",
        "TRAY_API_TOKEN_APAC",
        "else TRAY_API_TOKEN.",
        "--token-file",
        "TRAY_CONFIG",
        "[profiles.dev]",
        "token_env = ",
        "token_file = ",
        "base_url = ",
        "[possible values: us, eu, apac]",
    ] {
        assert!(text.contains(needle), "no {needle:?} in:\n{text}");
    }
}

#[test]
fn sandbox_serve_help_lists_only_its_options_and_every_fault() {
    let home = tempfile::tempdir().unwrap();
    let text = help(home.path(), &["sandbox".into(), "serve".into()]);
    for absent in [
        "--region",
        "--base-url",
        "--token-file",
        "--profile",
        "--config",
        "--sandbox",
    ] {
        assert!(!text.contains(absent), "{absent} in:\n{text}");
    }
    for present in [
        "--addr",
        "--fault",
        "--state",
        "--output",
        "--verbose",
        "--quiet",
    ] {
        assert!(text.contains(present), "no {present} in:\n{text}");
    }
    // Help is wrapped: compare without line breaks.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for kind in tray_sandbox::FAULT_KINDS {
        assert!(
            flat.contains(&format!(" {kind},")) || flat.contains(&format!(" {kind}.")),
            "no {kind}"
        );
        let example = kind.replace("DUR", "250ms");
        assert!(
            example.parse::<tray_sandbox::FaultKind>().is_ok(),
            "{example}"
        );
    }
    for route in tray_sandbox::Route::ALL {
        assert!(
            flat.contains(&format!(" {route},")) || flat.contains(&format!(" {route} ")),
            "no {route}"
        );
    }
}

#[test]
fn completions_offer_regions_and_the_config_files_profiles() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("tray.toml");
    std::fs::write(
        &config,
        "[profiles.staging]\nregion = \"eu\"\n\n[profiles.prod-apac]\nregion = \"apac\"\n",
    )
    .unwrap();
    let output = tray(home.path())
        .arg("--config")
        .arg(&config)
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let script = stdout(&output);
    assert!(script.contains("us eu apac"), "no regions");
    assert!(script.contains("prod-apac staging"), "no profiles");
    // Without a config file there is nothing to offer, and no error.
    let output = tray(home.path())
        .args(["completions", "zsh"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("us eu apac"));
}

#[test]
fn regions_still_parse_in_any_case() {
    let home = tempfile::tempdir().unwrap();
    let output = tray(home.path())
        .args([
            "--sandbox",
            "--region",
            "EU",
            "deployment",
            "get",
            "acme-crm",
            "1.0",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = tray(home.path())
        .args([
            "--sandbox",
            "--region",
            "mars",
            "deployment",
            "get",
            "acme-crm",
            "1.0",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unknown region"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn verbose_logs_have_no_colour_codes_off_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    let output = tray(home.path())
        .env_remove("NO_COLOR")
        .args(["-v", "--sandbox", "deployment", "get", "acme-crm", "1.0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("get_deployment") || !err.is_empty(),
        "no log: {err:?}"
    );
    assert!(!err.contains("\x1b["), "{err:?}");
}
