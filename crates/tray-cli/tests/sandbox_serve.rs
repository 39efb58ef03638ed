//! `tray sandbox serve`: the banner tells a user everything the README's
//! "The sandbox" section needs (URL, token, seeded ids, the authentication
//! to map on import, the deployed connector), and a signal stops it cleanly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::BufRead;
use std::process::{Child, Command, Stdio};

use common::{stderr, tray};
use tray_sandbox::{DESTINATION_PROJECT_ID, IMPORT_AUTH_MAPPINGS, SOURCE_PROJECT_ID};

/// `tray sandbox serve` on a free port; returns the child and its banner
/// (the lines up to `deployed connector …`).
fn serve(home: &std::path::Path) -> (Child, Vec<String>) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("tray"))
        .args(["sandbox", "serve", "--addr", "127.0.0.1:0"])
        .current_dir(home)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = Vec::new();
    for _ in 0..20 {
        let line = lines.next().unwrap().unwrap();
        let last = line.starts_with("deployed connector ");
        banner.push(line);
        if last {
            break;
        }
    }
    (child, banner)
}

/// The value of the banner line `key VALUE`.
fn value<'a>(banner: &'a [String], key: &str) -> &'a str {
    banner
        .iter()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {key:?} in {banner:?}"))
}

fn stop(mut child: Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn the_banner_names_the_ids_the_auths_to_map_and_the_connector() {
    let home = tempfile::tempdir().unwrap();
    let (child, banner) = serve(home.path());
    stop(child);
    let (name, id) = IMPORT_AUTH_MAPPINGS[0];
    assert!(
        banner.contains(&format!("destination authentication {name} {id}")),
        "{banner:?}"
    );
    assert_eq!(
        value(&banner, "source project"),
        SOURCE_PROJECT_ID.to_string()
    );
    assert_eq!(value(&banner, "deployed connector"), "acme-crm 1.0");
    let banner = banner.join("\n");
    common::snapshot_settings().bind(|| insta::assert_snapshot!("serve_banner", banner));
}

/// The README's "The sandbox" story, from the banner alone: the deployed
/// connector, then requirements → preview → import with the mapping it names.
#[test]
fn the_readme_flow_works_against_a_fresh_serve() {
    let home = tempfile::tempdir().unwrap();
    let (child, banner) = serve(home.path());
    let url = value(&banner, "base url").to_owned();
    let token = value(&banner, "token").to_owned();
    let dest = value(&banner, "destination project").to_owned();
    let source = value(&banner, "source project").to_owned();
    let (name, id) = value(&banner, "destination authentication")
        .split_once(' ')
        .unwrap();
    let auth = format!("{name}={id}");
    let run = |args: &[&str]| {
        let output = tray(home.path())
            .env("TRAY_API_URL", &url)
            .env("TRAY_API_TOKEN", &token)
            .args(args)
            .output()
            .unwrap();
        (output.status.code(), stderr(&output))
    };
    let steps: [&[&str]; 5] = [
        &["deployment", "get", "acme-crm", "1.0"],
        &["project", "export", &source, "1", "--out", "export.json"],
        &[
            "project",
            "import",
            "requirements",
            &dest,
            "--export",
            "export.json",
        ],
        &[
            "project",
            "import",
            "preview",
            &dest,
            "--export",
            "export.json",
            "--auth",
            &auth,
        ],
        &[
            "project",
            "import",
            "apply",
            &dest,
            "--export",
            "export.json",
            "--auth",
            &auth,
            "--yes",
        ],
    ];
    let results: Vec<_> = steps[..2].iter().map(|args| run(args)).collect();
    // Without the mapping the banner names, the import is refused.
    let unmapped = run(&[
        "project",
        "import",
        "apply",
        &dest,
        "--export",
        "export.json",
        "--yes",
    ]);
    let results: Vec<_> = results
        .into_iter()
        .chain(steps[2..].iter().map(|args| run(args)))
        .collect();
    stop(child);
    for (args, (code, err)) in steps.iter().zip(&results) {
        assert_eq!(*code, Some(0), "{args:?}: {err}");
    }
    assert_ne!(unmapped.0, Some(0));
    assert!(unmapped.1.contains(name), "{}", unmapped.1);
    assert_eq!(DESTINATION_PROJECT_ID.to_string(), dest);
}

#[cfg(unix)]
#[test]
fn a_signal_stops_serve_with_status_0() {
    for signal in ["-INT", "-TERM"] {
        let home = tempfile::tempdir().unwrap();
        let (child, _banner) = serve(home.path());
        let killed = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{signal}");
    }
}

/// The README shows the banner of a fresh `tray sandbox serve` as it is.
#[test]
fn the_readme_shows_the_banner_as_printed() {
    let readme = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"),
    )
    .unwrap();
    let shown: Vec<&str> = readme
        .lines()
        .skip_while(|line| !line.starts_with("base url http://127.0.0.1:8787"))
        .take_while(|line| !line.starts_with("```"))
        .collect();
    let home = tempfile::tempdir().unwrap();
    let (child, banner) = serve(home.path());
    stop(child);
    let printed: Vec<String> = banner.iter().map(|line| with_port_8787(line)).collect();
    assert_eq!(shown, printed);
}

/// `line` with the port of `127.0.0.1:PORT` replaced by 8787.
fn with_port_8787(line: &str) -> String {
    const HOST: &str = "127.0.0.1:";
    match line.find(HOST) {
        Some(at) => {
            let port_start = at + HOST.len();
            let digits = line[port_start..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            format!(
                "{}8787{}",
                &line[..port_start],
                &line[port_start + digits..]
            )
        }
        None => line.to_owned(),
    }
}

/// The sandbox's own log (`-vv`) has no colour codes when stderr is piped.
#[test]
fn the_sandbox_log_has_no_colour_codes_off_a_terminal() {
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("tray"))
        .args(["-vv", "sandbox", "serve", "--addr", "127.0.0.1:0"])
        .current_dir(home.path())
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The log line is written before the banner.
    let first = std::io::BufReader::new(child.stdout.take().unwrap())
        .lines()
        .next()
        .unwrap()
        .unwrap();
    assert!(first.starts_with("base url "), "{first}");
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("tray sandbox listening"), "{log:?}");
    assert!(!log.contains("\x1b["), "{log:?}");
}
