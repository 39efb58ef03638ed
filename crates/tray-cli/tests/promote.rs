//! `tray project promote` and `import apply` against a sandbox whose request
//! log shows what was sent: dry runs write nothing, nothing is sent without
//! `--yes` off a terminal, checks come before the import, one region and
//! token are enough, one progress line per step, unknown outcomes said so.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{export_source, sandbox, stderr, stdout, tray, tray_at};
use serde_json::Value;
use tray_sandbox::{
    DESTINATION_PROJECT_ID, DESTINATION_SPARE_AUTH_ID, SOLUTION_ID, SOURCE_PROJECT_ID,
    SandboxHandle,
};

fn auth() -> String {
    format!("salesforce-production={DESTINATION_SPARE_AUTH_ID}")
}

/// `tray project promote SOURCE VERSION --dest-project DEST [extra]`,
/// pointed at `sandbox` with TRAY_API_URL and TRAY_API_TOKEN (no profile).
fn promote(
    home: &std::path::Path,
    sandbox: &SandboxHandle,
    version: &str,
    extra: &[&str],
) -> std::process::Output {
    tray_at(home, sandbox)
        .args([
            "project",
            "promote",
            &SOURCE_PROJECT_ID.to_string(),
            version,
        ])
        .args(["--dest-project", &DESTINATION_PROJECT_ID.to_string()])
        .args(extra)
        .output()
        .unwrap()
}

/// Requests that may change something: every POST but the reads Tray
/// models as POSTs (import requirements and previews, release previews).
fn writes(sandbox: &SandboxHandle) -> Vec<String> {
    sandbox
        .requests()
        .iter()
        .filter(|r| {
            r.method == "POST"
                && !r.path.ends_with("/imports/requirements")
                && !r.path.ends_with("/previews")
        })
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// The version numbers of a project, read through the CLI.
fn versions(home: &std::path::Path, sandbox: &SandboxHandle, project: uuid::Uuid) -> Vec<String> {
    let output = tray_at(home, sandbox)
        .args(["-o", "json", "project", "version", "list"])
        .arg(project.to_string())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v["versionNumber"].as_str().unwrap().to_owned())
        .collect()
}

/// The progress lines of stderr: `ELAPSED  STEP  DETAIL`.
fn events(err: &str) -> Vec<String> {
    err.lines()
        .filter_map(|l| {
            let (elapsed, rest) = l.split_once("  ")?;
            is_elapsed(elapsed).then(|| rest.to_owned())
        })
        .collect()
}

/// `12s`, `2m05s` or `1h02m`, as `Printer::event` writes the elapsed time.
fn is_elapsed(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(secs) = text.strip_suffix('s') {
        match secs.split_once('m') {
            Some((m, s)) => digits(m) && s.len() == 2 && digits(s),
            None => digits(secs),
        }
    } else if let Some(rest) = text.strip_suffix('m') {
        matches!(rest.split_once('h'), Some((h, m)) if digits(h) && m.len() == 2 && digits(m))
    } else {
        false
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_changes_nothing_and_needs_no_yes() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let before = (
        versions(home.path(), &sandbox, SOURCE_PROJECT_ID),
        versions(home.path(), &sandbox, DESTINATION_PROJECT_ID),
    );
    let start = sandbox.requests().len();
    let auth = auth();
    // Version 7 does not exist: the latest version is read, and it says so.
    let output = promote(
        home.path(),
        &sandbox,
        "7",
        &[
            "--dry-run",
            "--auth",
            &auth,
            "--publish-solution",
            &SOLUTION_ID.to_string(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("does not exist yet") && text.contains("reads the latest version, 1"),
        "{text}"
    );
    assert!(
        text.contains("preview") && text.contains("dry run"),
        "{text}"
    );
    // An existing version, in JSON.
    let output = promote(
        home.path(),
        &sandbox,
        "1",
        &["--dry-run", "--auth", &auth, "-o", "json"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["dryRun"], true);
    assert!(report["preview"]["projectImpact"].is_object(), "{report}");
    assert_eq!(report["import"], Value::Null);

    let after = (
        versions(home.path(), &sandbox, SOURCE_PROJECT_ID),
        versions(home.path(), &sandbox, DESTINATION_PROJECT_ID),
    );
    assert_eq!(before, after);
    assert_eq!(writes(&sandbox), Vec::<String>::new());
    // It did read what it needed: the export, the requirements, the preview.
    let paths: Vec<String> = sandbox.requests()[start..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    for needed in [
        "/versions/1/export",
        "/imports/requirements",
        "/imports/previews",
    ] {
        assert!(
            paths.iter().any(|p| p.ends_with(needed)),
            "{needed}: {paths:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_yes_off_a_terminal_nothing_is_sent() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let output = promote(home.path(), &sandbox, "2", &["--auth", &auth()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("stdin is not a terminal"), "{err}");
    assert!(err.contains("hint: pass --yes"), "{err}");
    assert!(stdout(&output).is_empty());
    assert_eq!(sandbox.requests().len(), 0, "no request at all");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_fail_before_anything_is_written() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let auth = auth();
    let unknown = uuid::Uuid::new_v4().to_string();

    // A bad --publish-solution id.
    let output = promote(
        home.path(),
        &sandbox,
        "2",
        &["--auth", &auth, "--publish-solution", &unknown, "--yes"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "error: solution {unknown}: not found at the destination"
        )),
        "{err}"
    );
    assert!(err.contains("hint: check --publish-solution"), "{err}");
    assert_eq!(writes(&sandbox), Vec::<String>::new());

    // An unknown destination project.
    let output = tray_at(home.path(), &sandbox)
        .args(["project", "promote", &SOURCE_PROJECT_ID.to_string(), "2"])
        .args(["--dest-project", &unknown, "--auth", &auth, "--yes"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(&format!("error: destination project {unknown}: not found")),
        "{err}"
    );
    assert!(err.contains("hint: check --dest-project"), "{err}");
    assert_eq!(writes(&sandbox), Vec::<String>::new());

    // Unresolved authentications (version 1 exists: nothing to create).
    let output = promote(home.path(), &sandbox, "1", &["--yes"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("salesforce-production"), "{err}");
    assert!(
        err.contains("hint: add --auth salesforce-production=<uuid>"),
        "{err}"
    );
    assert_eq!(writes(&sandbox), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_with_unresolved_authentications_reports_then_exits_1() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let output = promote(home.path(), &sandbox, "1", &["--dry-run"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("requirements (failed)")
            && text.contains("1 unresolved: salesforce-production"),
        "{text}"
    );
    let err = stderr(&output);
    assert!(
        err.contains("error: dry run: the import needs authentications"),
        "{err}"
    );
    assert!(
        err.contains("hint: add --auth salesforce-production=<uuid>"),
        "{err}"
    );
    // JSON: the report on stdout, the same exit status.
    let output = promote(home.path(), &sandbox, "1", &["--dry-run", "-o", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["unresolvedAuthentications"][0]["auth_export_id"],
        "salesforce-production"
    );
    assert_eq!(writes(&sandbox), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_region_and_token_are_enough_and_each_step_is_a_line() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let auth = auth();
    let solution = SOLUTION_ID.to_string();
    let output = promote(
        home.path(),
        &sandbox,
        "2",
        &[
            "--auth",
            &auth,
            "--publish-solution",
            &solution,
            "--yes",
            "-o",
            "json",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // stdout: the report only.
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["release"]["releaseId"].is_string(), "{report}");
    // stderr: one plain line per step, in order, as in the report.
    let lines = events(&stderr(&output));
    let steps: Vec<String> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap().replace('_', " "))
        .collect();
    assert_eq!(lines.len(), steps.len(), "{lines:?}");
    for (line, step) in lines.iter().zip(&steps) {
        assert!(line.starts_with(&format!("{step}  ")), "{line} / {step}");
    }
    assert!(!stderr(&output).contains('\u{1b}'), "no ANSI codes");
    assert!(versions(home.path(), &sandbox, DESTINATION_PROJECT_ID).contains(&"2".to_owned()));

    // -q: nothing on stderr.
    let output = promote(
        home.path(),
        &sandbox,
        "2",
        &["--auth", &auth, "--yes", "-q"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    assert_eq!(stdout(&output), "");
}

#[test]
fn promote_with_sandbox_needs_no_profile() {
    let home = tempfile::tempdir().unwrap();
    let output = tray(home.path())
        .args([
            "--sandbox",
            "project",
            "promote",
            &SOURCE_PROJECT_ID.to_string(),
            "2",
        ])
        .args(["--dest-project", &DESTINATION_PROJECT_ID.to_string()])
        .args(["--auth", &auth(), "--yes"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("create source version") && text.contains("import "),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_whose_answer_is_cut_off_is_reported_as_unknown() {
    let sandbox = sandbox().await;
    sandbox.set_faults(vec!["import=truncated".parse().unwrap()]);
    let home = tempfile::tempdir().unwrap();
    let output = promote(home.path(), &sandbox, "1", &["--auth", &auth(), "--yes"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("import (unknown)"), "{text}");
    let err = stderr(&output);
    assert!(err.contains("may have been applied"), "{err}");
    assert!(!err.contains("check the base URL"), "{err}");
    assert!(
        err.contains(&format!(
            "hint: check with `tray project promote {SOURCE_PROJECT_ID} 1 --dest-project {DESTINATION_PROJECT_ID} --dry-run`"
        )),
        "{err}"
    );
    assert!(
        events(&err)
            .iter()
            .any(|l| l.starts_with("import (unknown)  ")),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_apply_without_yes_off_a_terminal_sends_nothing() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let export = home.path().join("export.json");
    std::fs::write(&export, "{}").unwrap();
    let output = tray_at(home.path(), &sandbox)
        .args([
            "project",
            "import",
            "apply",
            &DESTINATION_PROJECT_ID.to_string(),
        ])
        .arg("--export")
        .arg(&export)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(sandbox.requests().len(), 0);
}

/// Runs `tray ARGS` on a pseudo-terminal (util-linux `script`), typing
/// `answer`; returns what the terminal showed and the exit status.
#[cfg(target_os = "linux")]
fn on_a_terminal(home: &std::path::Path, args: &str, answer: &str) -> (String, Option<i32>) {
    use std::io::Write;
    let tray = assert_cmd::cargo::cargo_bin("tray");
    let mut child = std::process::Command::new("script")
        .args(["-qec", &format!("{} {args}", tray.display()), "/dev/null"])
        .current_dir(home)
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .env_remove("TRAY_API_TOKEN")
        .env_remove("TRAY_API_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("util-linux `script` runs the command on a pseudo-terminal");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (stdout(&output), output.status.code())
}

#[cfg(target_os = "linux")]
#[test]
fn on_a_terminal_the_summary_comes_before_the_question() {
    let home = tempfile::tempdir().unwrap();
    let promote = format!(
        "--sandbox project promote {SOURCE_PROJECT_ID} 1 --dest-project {DESTINATION_PROJECT_ID} --auth {}",
        auth()
    );
    let (screen, code) = on_a_terminal(home.path(), &promote, "y\n");
    assert_eq!(code, Some(0), "{screen}");
    let summary = screen.find("will change:").expect(&screen);
    let question = screen.find("[y/N]").expect(&screen);
    assert!(summary < question, "{screen}");
    assert!(
        screen[summary..question]
            .contains("workflows: create 2 (Daily pipeline digest, Closed-won handoff)"),
        "{screen}"
    );
    assert!(
        screen[question..].contains("import  imported into project"),
        "{screen}"
    );

    // No: nothing is imported, exit 2.
    let (screen, code) = on_a_terminal(home.path(), &promote, "n\n");
    assert_eq!(code, Some(2), "{screen}");
    assert!(
        screen.contains("cancelled: nothing was changed"),
        "{screen}"
    );
    assert!(!screen.contains("import  imported"), "{screen}");

    // `import apply` shows the same summary before its question.
    let export = home.path().join("export.json");
    export_source(tray(home.path()).arg("--sandbox"), &export);
    let apply = format!(
        "--sandbox project import apply {DESTINATION_PROJECT_ID} --export {} --auth {}",
        export.display(),
        auth()
    );
    let (screen, code) = on_a_terminal(home.path(), &apply, "y\n");
    assert_eq!(code, Some(0), "{screen}");
    let summary = screen.find("will change:").expect(&screen);
    let question = screen.find("Import into project").expect(&screen);
    assert!(summary < question, "{screen}");
    assert!(
        screen[summary..question].contains("config: create 2, update 2, remove 1"),
        "{screen}"
    );
    assert!(screen[question..].contains("Imported"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_apply_whose_answer_is_cut_off_says_it_may_be_applied() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let export = home.path().join("export.json");
    export_source(&mut tray_at(home.path(), &sandbox), &export);
    sandbox.set_faults(vec!["import=truncated".parse().unwrap()]);
    let output = tray_at(home.path(), &sandbox)
        .args([
            "project",
            "import",
            "apply",
            &DESTINATION_PROJECT_ID.to_string(),
        ])
        .arg("--export")
        .arg(&export)
        .args(["--auth", &auth(), "--yes"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "hint: the import may have been applied: `tray project import preview {DESTINATION_PROJECT_ID} --export {}`",
            export.display()
        )),
        "{err}"
    );
}
