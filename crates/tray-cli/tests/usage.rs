//! Exit status 2: bad usage or bad local input, detected before any request.
//! These run without a server: a request would fail with exit 1 instead.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{connector_project, stderr, tray};

/// Runs `tray` with `args` (no server reachable: base URL is a closed port)
/// and returns stderr after asserting exit status 2.
fn usage_error(args: &[&str], token: bool) -> String {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = tray(home.path());
    cmd.env("TRAY_API_URL", "http://127.0.0.1:9");
    if token {
        cmd.env(
            "TRAY_API_TOKEN",
            "a-token-that-is-long-enough-0123456789abcdef",
        );
    }
    let output = cmd.args(args).output().unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "args {args:?}: stderr {err}");
    assert!(
        output.stdout.is_empty(),
        "stdout must be empty: {}",
        common::stdout(&output)
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.lines().count() <= 4 || err.contains("Usage:"), "{err}");
    err
}

#[test]
fn no_token_is_a_usage_error() {
    let err = usage_error(&["deployment", "get", "my-connector", "1.0"], false);
    assert!(err.contains("no API token"), "{err}");
    assert!(err.contains("TRAY_API_TOKEN"), "{err}");
}

#[test]
fn there_is_no_token_option() {
    let err = usage_error(
        &["--token", "secret-value", "deployment", "get", "c", "1.0"],
        true,
    );
    assert!(err.contains("--token"), "{err}");
}

#[test]
fn unknown_region_is_a_usage_error_even_with_a_base_url() {
    let err = usage_error(&["--region", "mars", "deployment", "get", "c", "1.0"], true);
    assert!(err.contains("mars"), "{err}");
}

#[test]
fn unknown_region_from_the_environment_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let output = tray(home.path())
        .env("TRAY_REGION", "moon")
        .env(
            "TRAY_API_TOKEN",
            "a-token-that-is-long-enough-0123456789abcdef",
        )
        .args(["deployment", "get", "c", "1.0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn malformed_durations_are_usage_errors() {
    let err = usage_error(
        &[
            "deployment",
            "get",
            "c",
            "1.0",
            "--wait",
            "--timeout",
            "soon",
        ],
        true,
    );
    assert!(err.contains("soon"), "{err}");
    usage_error(
        &[
            "deployment",
            "get",
            "c",
            "1.0",
            "--wait",
            "--interval",
            "5 parsecs",
        ],
        true,
    );
}

#[test]
fn limit_must_be_at_least_one() {
    let project = "5a8591dd-4039-49df-9202-96385ba3eff8";
    usage_error(
        &["project", "version", "list", project, "--limit", "0"],
        true,
    );
    usage_error(
        &["project", "version", "list", project, "--limit", "-3"],
        true,
    );
}

#[test]
fn bad_uuid_is_a_usage_error() {
    let err = usage_error(&["project", "version", "list", "not-a-uuid"], true);
    assert!(err.contains("not-a-uuid"), "{err}");
}

#[test]
fn missing_connector_path_is_a_usage_error() {
    let err = usage_error(&["deployment", "create", "no/such/folder"], true);
    assert!(err.contains("no/such/folder"), "{err}");
}

#[test]
fn a_file_that_is_not_a_zip_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("connector.zip");
    std::fs::write(&file, "this is not a zip").unwrap();
    let err = usage_error(&["deployment", "create", file.to_str().unwrap()], true);
    assert!(err.to_lowercase().contains("zip"), "{err}");
}

#[test]
fn a_folder_without_a_built_zip_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let project = connector_project(home.path(), "my-connector", "1.0");
    std::fs::remove_file(project.join(".tray/connector.zip")).unwrap();
    let err = usage_error(&["deployment", "create", project.to_str().unwrap()], true);
    assert!(err.contains("tray-cdk connector build"), "{err}");
}

#[test]
fn name_or_version_mismatch_with_the_zip_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let project = connector_project(home.path(), "my-connector", "1.0");
    let err = usage_error(
        &[
            "deployment",
            "create",
            project.to_str().unwrap(),
            "--name",
            "other",
        ],
        true,
    );
    assert!(
        err.contains("other") && err.contains("my-connector"),
        "{err}"
    );
    usage_error(
        &[
            "deployment",
            "create",
            project.to_str().unwrap(),
            "--version",
            "2.0",
        ],
        true,
    );
}

#[test]
fn malformed_email_is_a_usage_error() {
    let err = usage_error(
        &[
            "permissions",
            "add",
            "c",
            "1.0",
            "--email",
            "ada@example.com,not-an-email",
        ],
        true,
    );
    assert!(err.contains("not-an-email"), "{err}");
}

#[test]
fn unreadable_mapping_files_and_bad_mappings_are_usage_errors() {
    let dest = "5a8591dd-4039-49df-9202-96385ba3eff8";
    let home = tempfile::tempdir().unwrap();
    let export = home.path().join("export.json");
    std::fs::write(&export, "{}").unwrap();
    let export = export.to_str().unwrap();
    usage_error(
        &[
            "project",
            "import",
            "preview",
            dest,
            "--export",
            "missing.json",
        ],
        true,
    );
    usage_error(
        &[
            "project",
            "import",
            "preview",
            dest,
            "--export",
            export,
            "--config-override",
            "missing.json",
        ],
        true,
    );
    usage_error(
        &[
            "project",
            "import",
            "preview",
            dest,
            "--export",
            export,
            "--connector-map",
            "nonsense",
        ],
        true,
    );
    usage_error(
        &[
            "project",
            "import",
            "preview",
            dest,
            "--export",
            export,
            "--auth",
            "export-1=not-a-uuid",
        ],
        true,
    );
}

#[test]
fn import_apply_without_yes_off_a_terminal_is_refused() {
    let dest = "5a8591dd-4039-49df-9202-96385ba3eff8";
    let home = tempfile::tempdir().unwrap();
    let export = home.path().join("export.json");
    std::fs::write(&export, "{}").unwrap();
    let err = usage_error(
        &[
            "project",
            "import",
            "apply",
            dest,
            "--export",
            export.to_str().unwrap(),
        ],
        true,
    );
    assert!(err.contains("--yes"), "{err}");
}

#[test]
fn a_missing_profile_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("tray.toml");
    std::fs::write(
        &config,
        "[profiles.prod]\nregion = \"eu\"\ntoken_env = \"PROD_TOKEN\"\n",
    )
    .unwrap();
    let err = usage_error(
        &[
            "--config",
            config.to_str().unwrap(),
            "--profile",
            "staging",
            "deployment",
            "get",
            "c",
            "1.0",
        ],
        true,
    );
    assert!(err.contains("staging") && err.contains("prod"), "{err}");
    // The profile exists but its token variable is not set.
    let err = usage_error(
        &[
            "--config",
            config.to_str().unwrap(),
            "--profile",
            "prod",
            "deployment",
            "get",
            "c",
            "1.0",
        ],
        true,
    );
    assert!(err.contains("PROD_TOKEN"), "{err}");
}

#[test]
fn version_and_completions_work_without_anything() {
    let home = tempfile::tempdir().unwrap();
    tray(home.path())
        .arg("--version")
        .assert()
        .success()
        .stdout(predicates::str::starts_with("tray "));
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = tray(home.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success(), "{shell}");
        assert!(common::stdout(&output).contains("deployment"), "{shell}");
    }
}

#[test]
fn plain_http_is_only_for_loopback_hosts() {
    let home = tempfile::tempdir().unwrap();
    let output = tray(home.path())
        .env(
            "TRAY_API_TOKEN",
            "a-token-that-is-long-enough-0123456789abcdef",
        )
        .args([
            "--base-url",
            "http://api.example.com",
            "deployment",
            "get",
            "c",
            "1.0",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("plain http"), "{err}");
    assert!(!err.contains("a-token-that-is-long-enough"), "{err}");
}

#[test]
fn a_folder_that_is_not_a_connector_project_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let err = usage_error(
        &["deployment", "create", home.path().to_str().unwrap()],
        true,
    );
    assert!(err.contains("not a connector project"), "{err}");
}

#[test]
fn each_region_of_a_multi_region_deploy_needs_its_own_token() {
    let home = tempfile::tempdir().unwrap();
    let project = connector_project(home.path(), "my-connector", "1.0");
    let output = tray(home.path())
        .env(
            "TRAY_API_TOKEN",
            "a-token-that-is-long-enough-0123456789abcdef",
        )
        .env(
            "TRAY_API_TOKEN_US",
            "us-token-that-is-long-enough-0123456789abcdef",
        )
        .args([
            "--region",
            "us,eu",
            "deployment",
            "create",
            project.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("TRAY_API_TOKEN_EU"), "{err}");
}

/// Built without the `sandbox` feature, the three things that need it
/// still parse and answer exit 2 with one line naming the feature.
#[cfg(not(feature = "sandbox"))]
#[test]
fn without_the_sandbox_feature_its_commands_name_it() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        &["--sandbox", "deployment", "get", "acme-crm", "1.0"][..],
        &["demo"][..],
        &["sandbox", "serve"][..],
    ] {
        let output = tray(home.path()).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            "error: this tray was built without the \"sandbox\" feature; reinstall with default features: cargo install tray-cli\n",
            "{args:?}"
        );
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}
