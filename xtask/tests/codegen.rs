//! The generated code of every spec equals its committed snapshot.
//!
//! On a mismatch, run `cargo xtask codegen` (or `cargo insta review`) and
//! review the diff of `xtask/snapshots/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn generated_code_matches_snapshots() {
    let root = xtask::workspace_root();
    let names: Vec<_> = xtask::snapshot::all().into_iter().map(|(n, _)| n).collect();
    assert!(
        names.contains(&"enums") && names.contains(&"operations"),
        "{names:?}"
    );
    for (name, description) in xtask::snapshot::all() {
        let code = match xtask::snapshot::generate(&root, name) {
            Ok(code) => code,
            Err(error) => panic!("{error}"),
        };
        insta::with_settings!({
            snapshot_path => root.join(xtask::snapshot::SNAPSHOT_DIR),
            prepend_module_to_snapshot => false,
            description => description,
        }, {
            insta::assert_snapshot!(name, code);
        });
    }
}

#[test]
fn snapshot_reader_agrees_with_insta_format() {
    let root = xtask::workspace_root();
    for (name, _) in xtask::snapshot::all() {
        let code = xtask::snapshot::generate(&root, name).unwrap_or_default();
        assert_eq!(
            xtask::snapshot::status(&root, name, &code),
            xtask::snapshot::Status::Current,
            "snapshot {name} is stale: run `cargo xtask codegen`"
        );
    }
}

/// A scratch workspace root holding a copy of the specs and snapshots.
fn scratch() -> tempfile::TempDir {
    let root = xtask::workspace_root();
    let dir = tempfile::tempdir().unwrap();
    let packaged = format!("{}/openapi", xtask::snapshot::PACKAGED_SPECS_IN);
    for folder in ["openapi", xtask::snapshot::SNAPSHOT_DIR, packaged.as_str()] {
        std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        for entry in std::fs::read_dir(root.join(folder)).unwrap().flatten() {
            // Files only: openapi/ also holds the vendored upstream/ folder.
            if !entry.path().is_file() {
                continue;
            }
            std::fs::copy(
                entry.path(),
                dir.path().join(folder).join(entry.file_name()),
            )
            .unwrap();
        }
    }
    dir
}

fn xtask(root: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env("XTASK_WORKSPACE_ROOT", root)
        .output()
        .unwrap()
}

#[test]
fn check_passes_on_the_committed_specs() {
    let dir = scratch();
    let output = xtask(dir.path(), &["codegen", "--check"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn check_fails_naming_the_spec_edited_without_regenerating_and_writes_nothing() {
    let dir = scratch();
    let spec = dir.path().join("openapi/projects.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    // Rename one field of ProjectVersionResponse.
    assert!(text.contains("        creator:\n"));
    std::fs::write(
        &spec,
        text.replacen("        creator:\n", "        createdBy:\n", 1)
            .replace("- creator\n", "- createdBy\n")
            .replace(
                "[projectId, versionNumber, title, description, created, creator]",
                "[projectId, versionNumber, title, description, created, createdBy]",
            ),
    )
    .unwrap();
    let snapshot = dir.path().join("xtask/snapshots/projects.snap");
    let before = std::fs::read_to_string(&snapshot).unwrap();

    let output = xtask(dir.path(), &["codegen", "--check"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("openapi/projects.yaml"), "{stderr}");
    assert!(!stderr.contains("deployments.yaml"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&snapshot).unwrap(),
        before,
        "--check wrote the snapshot"
    );

    // `codegen` shows the change and updates the snapshot; then --check passes.
    let output = xtask(dir.path(), &["codegen"]);
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("+        pub created_by:"), "{stdout}");
    assert!(stdout.contains("-        pub creator:"), "{stdout}");
    assert!(xtask(dir.path(), &["codegen", "--check"]).status.success());
}

#[test]
fn check_fails_when_the_packaged_copy_differs_and_codegen_restores_it() {
    let dir = scratch();
    let copy = dir
        .path()
        .join(xtask::snapshot::PACKAGED_SPECS_IN)
        .join("openapi/solutions.yaml");
    let original = std::fs::read(dir.path().join("openapi/solutions.yaml")).unwrap();
    std::fs::write(&copy, b"# edited by hand\n").unwrap();

    let output = xtask(dir.path(), &["codegen", "--check"]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("solutions    STALE COPY"), "{stdout}");
    assert!(!stdout.contains("projects     STALE"), "{stdout}");
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        b"# edited by hand\n",
        "--check wrote the copy"
    );

    assert!(xtask(dir.path(), &["codegen"]).status.success());
    assert_eq!(std::fs::read(&copy).unwrap(), original);
    assert!(xtask(dir.path(), &["codegen", "--check"]).status.success());
}

#[test]
fn an_operation_without_retry_safety_fails_lint_and_codegen() {
    let dir = scratch();
    let spec = dir.path().join("openapi/solutions.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    let edited = text.replacen("      x-tray-retry: non-idempotent\n", "", 1);
    assert_ne!(edited, text);
    std::fs::write(&spec, edited).unwrap();
    for args in [&["lint"][..], &["codegen", "--check"][..]] {
        let output = xtask(dir.path(), args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("createSolutionRelease") && stderr.contains("lacks x-tray-retry"),
            "{args:?}: {stderr}"
        );
    }
    // An unknown value is refused too.
    std::fs::write(
        &spec,
        text.replacen("x-tray-retry: non-idempotent", "x-tray-retry: maybe", 1),
    )
    .unwrap();
    let output = xtask(dir.path(), &["lint"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("\"maybe\""));
}

/// Replace `from` by `to` in a spec of the scratch workspace (once, and it
/// must be there).
fn edit(root: &std::path::Path, spec: &str, from: &str, to: &str) {
    let path = root.join("openapi").join(spec);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{spec} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn a_status_added_to_the_spec_reaches_the_enums_snapshot_with_no_other_edit() {
    let dir = scratch();
    edit(
        dir.path(),
        "deployments.yaml",
        "enum: [Deploying, Building, Deployed, Failed]",
        "enum: [Deploying, Building, Deployed, Failed, Queued]",
    );
    let snapshot = dir.path().join("xtask/snapshots/enums.snap");
    let before = std::fs::read_to_string(&snapshot).unwrap();
    assert!(!before.contains("\"Queued\""), "{before}");

    // --check: only the enums snapshot (and the spec's packaged copy) is stale.
    let output = xtask(dir.path(), &["codegen", "--check"]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("enums        STALE"), "{stdout}");
    for unchanged in ["deployments  unchanged", "operations   unchanged"] {
        assert!(stdout.contains(unchanged), "{stdout}");
    }
    assert_eq!(std::fs::read_to_string(&snapshot).unwrap(), before);

    // codegen: the diff adds the value everywhere it counts: the variant,
    // KNOWN, the `as_str` arm (Display, serde out) and the `From<&str>` arm
    // (FromStr, serde in).
    let output = xtask(dir.path(), &["codegen"]);
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("+++ b/xtask/snapshots/enums.snap"),
        "{stdout}"
    );
    let added: Vec<&str> = stdout
        .lines()
        .filter(|line| line.starts_with('+') && !line.starts_with("+++"))
        .collect();
    assert_eq!(
        added,
        [
            "+    /// `Queued`.",
            "+    Queued,",
            "+    pub const KNOWN: &'static [&'static str] = &[\"Deploying\", \"Building\", \"Deployed\", \"Failed\", \"Queued\"];",
            "+            Self::Queued => \"Queued\",",
            "+            \"Queued\" => Self::Queued,",
        ],
        "{stdout}"
    );
    assert!(stdout.contains("enums        updated"), "{stdout}");
    let after = std::fs::read_to_string(&snapshot).unwrap();
    let enum_of = |text: &str, start: &str| {
        text.split(start)
            .nth(1)
            .and_then(|rest| rest.split("\n}\n").next())
            .unwrap()
            .to_owned()
    };
    assert!(
        enum_of(&after, "pub enum DeploymentStatus {").ends_with(
            "    Failed,\n    /// `Queued`.\n    Queued,\n    /// A value this version of the library does not know, kept verbatim.\n    Unknown(String),"
        ),
        "{after}"
    );
    assert!(
        enum_of(&after, "impl std::fmt::Display for DeploymentStatus {")
            .contains("f.write_str(self.as_str())"),
        "{after}"
    );
    assert!(
        enum_of(&after, "impl std::str::FromStr for DeploymentStatus {")
            .contains("Ok(Self::from(value))"),
        "{after}"
    );
    assert!(xtask(dir.path(), &["codegen", "--check"]).status.success());
}

#[test]
fn a_terminal_status_not_in_the_enum_fails_codegen() {
    let dir = scratch();
    edit(
        dir.path(),
        "deployments.yaml",
        "x-tray-terminal: [Deployed, Failed]",
        "x-tray-terminal: [Deployed, Failed, Done]",
    );
    let error = tray_codegen::generate_enums(dir.path())
        .unwrap_err()
        .to_string();
    assert!(error.contains("deployments.yaml"), "{error}");
    assert!(
        error.contains(
            "DeploymentStatus: x-tray-terminal lists \"Done\", which is not in its `enum:`"
        ),
        "{error}"
    );
    for args in [&["codegen", "--check"][..], &["lint"][..]] {
        let output = xtask(dir.path(), args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("\"Done\""), "{args:?}: {stderr}");
    }
}

#[test]
fn two_specs_disagreeing_on_an_enum_fail_codegen_naming_both() {
    let dir = scratch();
    // solutions.yaml adds a value to its copy of AuthSlotChangeCode only.
    edit(
        dir.path(),
        "solutions.yaml",
        "        - SlotMadeToNotRequireUnique\n",
        "        - SlotMadeToNotRequireUnique\n        - SlotMadeShared\n",
    );
    let error = tray_codegen::generate_enums(dir.path()).unwrap_err();
    assert!(
        matches!(&error, tray_codegen::CodegenError::EnumMismatch { schema, .. } if schema == "AuthSlotChangeCode"),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("openapi/projects.yaml") && message.contains("openapi/solutions.yaml"),
        "{message}"
    );
    assert!(
        message.contains("only in the second: [SlotMadeShared]"),
        "{message}"
    );
    let output = xtask(dir.path(), &["codegen", "--check"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("AuthSlotChangeCode differs between"),
        "{stderr}"
    );
}

#[test]
fn an_inline_enum_fails_codegen_asking_for_a_component_schema() {
    let dir = scratch();
    // DeploymentStatus written inline on the property instead of a $ref.
    edit(
        dir.path(),
        "deployments.yaml",
        "          $ref: '#/components/schemas/DeploymentStatus'",
        "          type: string\n          enum: [Deploying, Deployed, Failed]",
    );
    let spec = tray_codegen::SPECS[0];
    assert_eq!(spec.module, "deployments");
    let message = tray_codegen::generate(dir.path(), spec)
        .unwrap_err()
        .to_string();
    assert!(message.contains("inline `enum:`"), "{message}");
    assert!(
        message.contains("components.schemas.DeployConnectorResponse.properties.deploymentStatus"),
        "{message}"
    );
    assert!(message.contains("component schema"), "{message}");
}

#[test]
fn an_operation_without_retry_safety_fails_the_operations_table() {
    let dir = scratch();
    edit(
        dir.path(),
        "solutions.yaml",
        "      x-tray-retry: non-idempotent\n",
        "",
    );
    let message = tray_codegen::generate_operations(dir.path())
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("createSolutionRelease") && message.contains("lacks x-tray-retry"),
        "{message}"
    );
    assert!(message.contains("solutions.yaml"), "{message}");
}

#[test]
fn an_openapi_document_missing_from_specs_fails_lint() {
    let dir = scratch();
    std::fs::write(
        dir.path().join("openapi/webhooks.yaml"),
        "openapi: 3.0.3\ninfo: {title: Webhooks, version: '1'}\npaths: {}\n",
    )
    .unwrap();
    let output = xtask(dir.path(), &["lint"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "openapi/webhooks.yaml is an OpenAPI document but not in tray_codegen::SPECS"
        ),
        "{stderr}"
    );
    // Other YAML files of openapi/ (the upstream allowlist) are not specs.
    assert!(!stderr.contains("upstream-allowlist.yaml"), "{stderr}");
}

#[test]
fn lint_runs_every_example_through_its_generated_type() {
    // A valid date-time in another spelling matches the JSON Schema, but the
    // generated type (chrono) writes it back as `...Z`: only the round trip
    // through the type (tray_api_raw::round_trips()) can see it.
    let dir = scratch();
    edit(
        dir.path(),
        "projects.yaml",
        "created: '2019-08-24T14:15:22Z'",
        "created: '2019-08-24T14:15:22+00:00'",
    );
    let output = xtask(dir.path(), &["lint"]);
    assert_eq!(output.status.code(), Some(1));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        text.contains("does not round-trip through ProjectVersionResponse"),
        "{text}"
    );
    assert!(text.contains("2019-08-24T14:15:22Z"), "{text}");
}
