//! The README's `console` examples, run as written from the workspace root,
//! so they cannot rot. A line may end with `# exit N` to expect that status.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

/// `$ tray ...` lines of the README's ```console blocks.
fn examples(readme: &str) -> Vec<String> {
    let mut in_console = false;
    let mut found = Vec::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            in_console = line.trim() == "```console";
            continue;
        }
        if in_console && let Some(command) = line.strip_prefix("$ ") {
            // `$ id=$(tray ...)`: the command inside the substitution.
            let command = match command.split_once("=$(") {
                Some((name, inner))
                    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
                {
                    inner.strip_suffix(')').unwrap_or(inner)
                }
                _ => command,
            };
            found.push(command.to_owned());
        }
    }
    found
}

/// Split a command line on spaces, honouring double quotes; returns the
/// words and the expected exit status (`# exit N`, default 0).
fn parse(line: &str) -> (Vec<String>, i32) {
    let (command, expected) = match line.split_once("# exit ") {
        Some((command, code)) => (command, code.trim().parse().unwrap()),
        None => (line, 0),
    };
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in command.chars() {
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
    (words, expected)
}

#[test]
fn readme_examples_work_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let examples = examples(&readme);
    assert!(
        examples.len() >= 10,
        "only {} examples found",
        examples.len()
    );
    let home = tempfile::tempdir().unwrap();
    for example in &examples {
        let (words, expected) = parse(example);
        assert_eq!(words[0], "tray", "{example}");
        let output = common::tray(home.path())
            .current_dir(&root)
            .args(&words[1..])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(expected),
            "`{example}`\nstdout: {}\nstderr: {}",
            common::stdout(&output),
            common::stderr(&output)
        );
        if words.iter().any(|w| w == "--jq") {
            // `--jq` prints jq's results, e.g. a raw id: one non-empty line at least.
            assert!(
                !common::stdout(&output).trim().is_empty(),
                "`{example}` printed nothing"
            );
        } else if words.iter().any(|w| w == "json") {
            serde_json::from_slice::<serde_json::Value>(&output.stdout)
                .unwrap_or_else(|e| panic!("`{example}` did not print one JSON document: {e}"));
        }
    }
}

#[test]
fn the_readme_documents_the_seeded_ids_and_the_two_commands() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for id in [
        tray_sandbox::SOURCE_PROJECT_ID,
        tray_sandbox::DESTINATION_PROJECT_ID,
        tray_sandbox::SOLUTION_ID,
        tray_sandbox::DESTINATION_SPARE_AUTH_ID,
    ] {
        assert!(readme.contains(&id.to_string()), "README lacks {id}");
    }
    assert!(readme.contains(tray_sandbox::DEFAULT_TOKEN));
    assert!(readme.contains("cargo run --release -p tray-cli -- demo"));
    // CI must call the README's test command.
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    assert!(readme.contains("cargo test --workspace"));
    assert!(
        ci.lines().any(|l| l.trim() == "cargo test --workspace"),
        "{ci}"
    );
}
