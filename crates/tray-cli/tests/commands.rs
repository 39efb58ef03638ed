//! Every command against a live sandbox: text and JSON output (snapshots
//! with ids and times redacted), and the exit status contract.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::BufRead;

use common::{
    connector_project, deploy_json, export_source, json_doc, sandbox, stderr, stdout, tray, tray_at,
};
use serde_json::Value;

const SOURCE: &str = crate::seeded_id!(tray_sandbox::SOURCE_PROJECT_ID);
const DEST: &str = crate::seeded_id!(tray_sandbox::DESTINATION_PROJECT_ID);
const SOLUTION: &str = crate::seeded_id!(tray_sandbox::SOLUTION_ID);
const SPARE_AUTH: &str = crate::seeded_id!(tray_sandbox::DESTINATION_SPARE_AUTH_ID);

fn code(output: &std::process::Output) -> Option<i32> {
    output.status.code()
}

/// `tray deployment create PROJECT --wait --interval 50ms [extra]` against `sandbox`.
fn deploy_wait(
    home: &std::path::Path,
    sandbox: &tray_sandbox::SandboxHandle,
    project: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    tray_at(home, sandbox)
        .args([
            "deployment",
            "create",
            project.to_str().unwrap(),
            "--wait",
            "--interval",
            "50ms",
        ])
        .args(extra)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_and_wait_then_get() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let project = connector_project(home.path(), "acme-crm", "1.0");
    let output = deploy_wait(home.path(), &sandbox, &project, &[]);
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    common::snapshot_settings()
        .bind(|| insta::assert_snapshot!("deploy_wait_text", stdout(&output)));

    // `get` defaults NAME and VERSION from connector.json in the current folder.
    let output = tray_at(&project, &sandbox)
        .args(["-o", "json", "deployment", "get"])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let deployment = json_doc(&output);
    assert_eq!(deployment["deploymentStatus"], "Deployed");
    assert_eq!(deployment["connectorName"], "acme-crm");
    assert_eq!(deployment["connectorVersion"], "1.0");
    assert!(deployment.get("repeatDeployment").is_none(), "{deployment}");
    insta::assert_json_snapshot!("deployment_get_json", deployment, { ".id" => "[uuid]" });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeat_deployment_says_so_with_the_id_in_progress() {
    let sandbox = tray_sandbox::Sandbox::builder()
        .deploy_time(std::time::Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let project = connector_project(home.path(), "acme-crm", "1.0");
    let first = deploy_json(home.path(), &sandbox, &project)
        .output()
        .unwrap();
    assert_eq!(code(&first), Some(0), "{}", stderr(&first));
    let first = json_doc(&first);
    let second = tray_at(home.path(), &sandbox)
        .args(["deployment", "create", project.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(code(&second), Some(0), "{}", stderr(&second));
    let text = stdout(&second);
    assert!(text.contains("already in progress"), "{text}");
    assert!(text.contains(first["id"].as_str().unwrap()), "{text}");
    common::snapshot_settings().bind(|| insta::assert_snapshot!("deploy_repeat_text", &text));
    let third = deploy_json(home.path(), &sandbox, &project)
        .output()
        .unwrap();
    let third = json_doc(&third);
    assert_eq!(third["repeatDeployment"], true);
    assert_eq!(third["id"], first["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_deployment_exits_3_with_or_without_wait() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let project = connector_project(home.path(), "fails-crm", "1.0");
    let output = deploy_wait(home.path(), &sandbox, &project, &[]);
    assert_eq!(code(&output), Some(3), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("failed"), "{err}");
    // Progress lines, then one error line and its hint.
    let tail: Vec<_> = err
        .lines()
        .skip_while(|l| !l.starts_with("error:"))
        .collect();
    assert_eq!(tail.len(), 2, "{err}");
    assert!(tail[1].starts_with("hint:"), "{err}");

    let output = tray_at(home.path(), &sandbox)
        .args([
            "-o",
            "json",
            "deployment",
            "get",
            "fails-crm",
            "1.0",
            "latest",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(3), "{}", stderr(&output));
    assert_eq!(json_doc(&output)["deploymentStatus"], "Failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn giving_up_waiting_exits_4() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let project = connector_project(home.path(), "stuck-crm", "1.0");
    let output = deploy_wait(home.path(), &sandbox, &project, &["--timeout", "400ms"]);
    assert_eq!(code(&output), Some(4), "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_failures_exit_1_with_status_message_and_hint() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let output = tray_at(home.path(), &sandbox)
        .args([
            "deployment",
            "get",
            "acme-crm",
            "1.0",
            "3c5e4a2d-ad3a-58e9-8e2d-eff986f62387",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(1));
    let err = stderr(&output);
    assert!(err.contains("404"), "{err}");
    assert!(err.lines().count() <= 2, "{err}");
    assert!(output.stdout.is_empty());

    let output = tray(home.path())
        .env("TRAY_API_URL", sandbox.base_url())
        .env(
            "TRAY_API_TOKEN",
            "Bearer wrong-token-0123456789abcdef0123456789",
        )
        .args(["deployment", "get", "acme-crm", "1.0"])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(1));
    let err = stderr(&output);
    assert!(err.contains("401"), "{err}");
    assert!(err.contains("token"), "{err}");
    assert!(!err.contains("wrong-token"), "the token leaked: {err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn share_a_deployed_connector() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let project = connector_project(home.path(), "acme-crm", "1.0");
    let output = deploy_wait(home.path(), &sandbox, &project, &[]);
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let output = tray_at(home.path(), &sandbox)
        .args([
            "permissions",
            "add",
            "acme-crm",
            "1.0",
            "--email",
            "ada@example.com,grace@example.com",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "acme-crm 1.0: 2 permissions added\n");
    let output = tray_at(home.path(), &sandbox)
        .args([
            "-o",
            "json",
            "permissions",
            "add",
            "acme-crm",
            "1.0",
            "-e",
            "ada@example.com",
            "-e",
            "linus@example.com",
        ])
        .output()
        .unwrap();
    assert_eq!(
        json_doc(&output),
        serde_json::json!({"message": "1 permissions added"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_versions_create_and_list() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let output = tray_at(home.path(), &sandbox)
        .args([
            "project",
            "version",
            "create",
            SOURCE,
            "2",
            "--title",
            "Second",
            "--description",
            "From a test",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    common::snapshot_settings()
        .bind(|| insta::assert_snapshot!("version_create_text", stdout(&output)));

    let output = tray_at(home.path(), &sandbox)
        .args(["-o", "json", "project", "version", "list", SOURCE])
        .output()
        .unwrap();
    let versions = json_doc(&output);
    insta::assert_json_snapshot!("version_list_json", versions, { "[].created" => "[time]" });
    let numbers: Vec<&str> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["versionNumber"].as_str().unwrap())
        .collect();
    // Newest first.
    assert_eq!(numbers, ["2", "1"]);
    assert_eq!(versions[0]["title"], "Second");
    assert_eq!(versions[0]["description"], "From a test");

    let output = tray_at(home.path(), &sandbox)
        .args(["project", "version", "list", SOURCE])
        .output()
        .unwrap();
    common::snapshot_settings()
        .bind(|| insta::assert_snapshot!("version_list_text", stdout(&output)));

    let output = tray_at(home.path(), &sandbox)
        .args([
            "project",
            "version",
            "list",
            SOURCE,
            "--reverse",
            "--limit",
            "1",
        ])
        .output()
        .unwrap();
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(
        lines[0],
        "VERSION  CREATED               TITLE            CREATOR"
    );
    // The oldest version; CREATED (`YYYY-MM-DD HH:MM:SSZ`) is checked by its shape.
    let words: Vec<&str> = lines[1].split_whitespace().collect();
    let (date, time) = (words[1], words[2]);
    assert!(date.len() == 10 && date.matches('-').count() == 2, "{date}");
    assert!(time.len() == 9 && time.ends_with('Z'), "{time}");
    assert_eq!(
        [words[0], words[3], words[4], words[5]],
        ["1", "Initial", "release", "sandbox-api-user"]
    );

    let output = tray_at(home.path(), &sandbox)
        .args([
            "-o", "json", "project", "version", "list", SOURCE, "--limit", "1",
        ])
        .output()
        .unwrap();
    assert_eq!(json_doc(&output).as_array().unwrap().len(), 1);

    // A duplicate version number is an API error.
    let output = tray_at(home.path(), &sandbox)
        .args([
            "project", "version", "create", SOURCE, "2", "--title", "Again",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(1), "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_to_stdout_and_to_a_file_atomically() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let output = tray_at(home.path(), &sandbox)
        .args(["project", "export", SOURCE, "1"])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let document = json_doc(&output);
    assert!(document.as_object().is_some_and(|d| !d.is_empty()));

    let file = home.path().join("export.json");
    let output = tray_at(home.path(), &sandbox)
        .args([
            "project",
            "export",
            SOURCE,
            "1",
            "--out",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(written, document);

    // A failed export leaves no file behind.
    let missing = home.path().join("missing.json");
    let output = tray_at(home.path(), &sandbox)
        .args([
            "project",
            "export",
            SOURCE,
            "99",
            "--out",
            missing.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(1), "{}", stderr(&output));
    assert!(!missing.exists());
    let leftovers: Vec<_> = std::fs::read_dir(home.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_requirements_preview_and_apply() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("export.json");
    export_source(&mut tray_at(home.path(), &sandbox), &file);
    let export = file.to_str().unwrap();

    let output = tray_at(home.path(), &sandbox)
        .args([
            "project",
            "import",
            "requirements",
            DEST,
            "--export",
            export,
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    common::snapshot_settings()
        .bind(|| insta::assert_snapshot!("import_requirements_text", stdout(&output)));

    let output = tray_at(home.path(), &sandbox)
        .args([
            "-o",
            "json",
            "project",
            "import",
            "requirements",
            DEST,
            "--export",
            export,
        ])
        .output()
        .unwrap();
    let needs = json_doc(&output);
    insta::assert_json_snapshot!("import_requirements_json", needs);
    let unresolved: Vec<String> = needs["authenticationsRequirements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a.get("resolvedAuthentication").is_none())
        .map(|a| a["authExportId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(needs["unresolvedAuthentications"], !unresolved.is_empty());
    let mut args: Vec<String> = vec!["--export".into(), export.into()];
    for id in &unresolved {
        args.push("--auth".into());
        args.push(format!("{id}={SPARE_AUTH}"));
    }

    let output = tray_at(home.path(), &sandbox)
        .args(["project", "import", "preview", DEST])
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    common::snapshot_settings()
        .bind(|| insta::assert_snapshot!("import_preview_text", stdout(&output)));

    let output = tray_at(home.path(), &sandbox)
        .args(["-o", "json", "project", "import", "apply", DEST, "--yes"])
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let imported = json_doc(&output);
    assert_eq!(imported["importMetadata"]["projectId"], DEST);
    assert_eq!(
        imported["importMetadata"]["importedFrom"]["projectId"],
        SOURCE
    );

    // Imported: a second preview shows nothing left to change.
    let output = tray_at(home.path(), &sandbox)
        .args(["-o", "json", "project", "import", "preview", DEST])
        .args(&args)
        .output()
        .unwrap();
    let again = json_doc(&output);
    for part in ["created", "updated", "removed"] {
        assert_eq!(
            again["projectImpact"]["workflows"][part],
            serde_json::json!([]),
            "{again}"
        );
        assert_eq!(
            again["projectImpact"]["config"][part],
            serde_json::json!([]),
            "{again}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promote_between_profiles_and_publish_the_solution() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("tray.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.dev]\nbase_url = \"{url}\"\ntoken_env = \"DEV_TOKEN\"\n\n[profiles.prod]\nbase_url = \"{url}/\"\ntoken_env = \"PROD_TOKEN\"\n",
            url = sandbox.base_url()
        ),
    )
    .unwrap();
    let run = |extra: &[&str]| {
        tray(home.path())
            .env("DEV_TOKEN", sandbox.token())
            .env("PROD_TOKEN", sandbox.token())
            .args([
                "--config",
                config.to_str().unwrap(),
                "project",
                "promote",
                SOURCE,
                "2",
                "--from",
                "dev",
                "--to",
                "prod",
                "--dest-project",
                DEST,
                "--title",
                "Release 2",
                "--auth",
                &format!("salesforce-production={SPARE_AUTH}"),
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let output = run(&["--dry-run"]);
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    common::snapshot_settings()
        .bind(|| insta::assert_snapshot!("promote_dry_run_text", stdout(&output)));

    let output = run(&["-o", "json", "--publish-solution", SOLUTION, "--yes"]);
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let report = json_doc(&output);
    assert_eq!(report["dryRun"], false);
    assert!(report["import"].is_object(), "{report}");
    let steps: Vec<&str> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert!(
        steps.contains(&"import") && steps.contains(&"release"),
        "{steps:?}"
    );

    // The destination now has version 2.
    let output = tray_at(home.path(), &sandbox)
        .args(["-o", "json", "project", "version", "list", DEST])
        .output()
        .unwrap();
    let versions = json_doc(&output);
    assert!(
        versions
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["versionNumber"] == "2"),
        "{versions}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn solution_release_preview_and_create() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let output = tray_at(home.path(), &sandbox)
        .args(["solution", "release", "preview", SOLUTION])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    common::snapshot_settings()
        .bind(|| insta::assert_snapshot!("release_preview_text", stdout(&output)));
    let output = tray_at(home.path(), &sandbox)
        .args(["-o", "json", "solution", "release", "create", SOLUTION])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    assert!(json_doc(&output)["releaseId"].is_string());
}

#[test]
fn multi_region_deploy_reports_each_region() {
    let home = tempfile::tempdir().unwrap();
    let project = connector_project(home.path(), "acme-crm", "1.0");
    let output = tray(home.path())
        .args([
            "--sandbox",
            "--region",
            "us,eu,apac",
            "-o",
            "json",
            "deployment",
            "create",
            project.to_str().unwrap(),
            "--wait",
            "--interval",
            "100ms",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let results = json_doc(&output);
    insta::assert_json_snapshot!("multi_region_json", results, { "[].deployment.id" => "[uuid]" });
    let regions: Vec<&str> = results
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["region"].as_str().unwrap())
        .collect();
    assert_eq!(regions, ["us", "eu", "apac"]);
    for result in results.as_array().unwrap() {
        assert_eq!(
            result["deployment"]["deploymentStatus"], "Deployed",
            "{result}"
        );
    }
}

#[test]
fn multi_region_failure_is_reported_per_region_and_in_the_exit_status() {
    let home = tempfile::tempdir().unwrap();
    let project = connector_project(home.path(), "fails-crm", "1.0");
    let output = tray(home.path())
        .args([
            "--sandbox",
            "--region",
            "us",
            "--region",
            "eu",
            "deployment",
            "create",
            project.to_str().unwrap(),
            "--wait",
            "--interval",
            "100ms",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(3), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("us: ") && text.contains("eu: "), "{text}");
}

#[test]
fn verbose_logs_go_to_stderr_without_the_token() {
    let home = tempfile::tempdir().unwrap();
    let output = tray(home.path())
        .args([
            "--sandbox",
            "-v",
            "-o",
            "json",
            "project",
            "version",
            "list",
            SOURCE,
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    json_doc(&output);
    let err = stderr(&output);
    assert!(err.contains("list_project_versions"), "{err}");
    assert!(!err.contains(tray_sandbox::DEFAULT_TOKEN), "{err}");
}

#[test]
fn sandbox_serve_prints_its_url_and_seeded_ids() {
    let home = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tray"))
        .args(["sandbox", "serve", "--addr", "127.0.0.1:0"])
        .current_dir(home.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let banner: Vec<String> = (0..5).map(|_| lines.next().unwrap().unwrap()).collect();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        banner[0].starts_with("base url http://127.0.0.1:"),
        "{banner:?}"
    );
    assert!(
        banner.contains(&format!("source project {SOURCE}")),
        "{banner:?}"
    );
    assert!(
        banner.contains(&format!("destination project {DEST}")),
        "{banner:?}"
    );
    assert!(
        banner.contains(&format!("solution {SOLUTION}")),
        "{banner:?}"
    );
}

#[test]
fn demo_runs_the_whole_story() {
    let home = tempfile::tempdir().unwrap();
    let output = tray(home.path()).arg("demo").output().unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    common::snapshot_settings().bind(|| insta::assert_snapshot!("demo_text", stdout(&output)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_file_with_bearer_prefix_and_trailing_slash_base_url() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let token_file = home.path().join("token");
    std::fs::write(&token_file, format!("Bearer {}\n", sandbox.token())).unwrap();
    let output = tray(home.path())
        .args([
            "--base-url",
            &format!("{}/", sandbox.base_url()),
            "--token-file",
            token_file.to_str().unwrap(),
        ])
        .args(["-o", "json", "project", "version", "list", SOURCE])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    assert_eq!(json_doc(&output).as_array().unwrap().len(), 1);
    // The request carried the token, never in the URL.
    let request = sandbox.requests().into_iter().last().unwrap();
    assert_eq!(request.header("authorization"), Some("Bearer <redacted>"));
    assert!(!request.path.contains(sandbox.token()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_export_fails_without_output_or_file() {
    let sandbox = sandbox().await;
    sandbox.set_faults(vec!["export=truncated".parse().unwrap()]);
    let home = tempfile::tempdir().unwrap();
    let output = tray_at(home.path(), &sandbox)
        .args(["project", "export", SOURCE, "1"])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(1), "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "{}", stdout(&output));
    let file = home.path().join("export.json");
    let output = tray_at(home.path(), &sandbox)
        .args([
            "project",
            "export",
            SOURCE,
            "1",
            "--out",
            file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(1), "{}", stderr(&output));
    assert!(!file.exists());
    assert!(
        stderr(&output).contains("not one complete JSON object"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        &["completions", "bash"][..],
        &["--sandbox", "project", "version", "list", SOURCE][..],
    ] {
        // The read end is closed before the child starts: every write meets EPIPE.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("tray"))
            .args(args)
            .current_dir(home.path())
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let err = stderr(&output);
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
        assert_eq!(output.status.code(), Some(0), "{args:?}: {err}");
    }
}

/// An export to a closed stdout still removes its temporary copy: the
/// closed pipe ends the command through `main`, destructors included.
#[cfg(unix)]
#[test]
fn an_export_to_a_closed_stdout_leaves_no_temporary_file() {
    let home = tempfile::tempdir().unwrap();
    let tmp = home.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("tray"))
        .args(["--sandbox", "project", "export", SOURCE, "1"])
        .current_dir(home.path())
        .env("TMPDIR", &tmp)
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().flatten().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promotion_failing_after_the_import_prints_what_was_done() {
    let sandbox = sandbox().await;
    sandbox.set_faults(vec!["release=500".parse().unwrap()]);
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("tray.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.env]\nbase_url = \"{}\"\ntoken_env = \"ENV_TOKEN\"\n",
            sandbox.base_url()
        ),
    )
    .unwrap();
    let output = tray(home.path())
        .env("ENV_TOKEN", sandbox.token())
        .args([
            "--config",
            config.to_str().unwrap(),
            "project",
            "promote",
            SOURCE,
            "2",
            "--from",
            "env",
            "--to",
            "env",
        ])
        .args([
            "--dest-project",
            DEST,
            "--publish-solution",
            SOLUTION,
            "--auth",
            &format!("salesforce-production={SPARE_AUTH}"),
            "--yes",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("import ")
            && text.contains("destination version")
            && text.contains("release (unknown)"),
        "{text}"
    );
    // A 500 to the release: it may have been published, and the hint says
    // how to check.
    let err = stderr(&output);
    assert!(
        err.contains("may have been applied") && err.contains("500"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "hint: check with `tray solution release preview {SOLUTION}`"
        )),
        "{err}"
    );
}
