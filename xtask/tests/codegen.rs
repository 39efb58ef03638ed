//! The generated code of every spec equals its committed snapshot.
//!
//! On a mismatch, run `cargo xtask codegen` (or `cargo insta review`) and
//! review the diff of `xtask/snapshots/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn generated_code_matches_snapshots() {
    let root = xtask::workspace_root();
    for spec in tray_codegen::SPECS {
        let code = match tray_codegen::generate(&root, *spec) {
            Ok(code) => code,
            Err(error) => panic!("{error}"),
        };
        insta::with_settings!({
            snapshot_path => root.join(xtask::snapshot::SNAPSHOT_DIR),
            prepend_module_to_snapshot => false,
            description => spec.path,
        }, {
            insta::assert_snapshot!(spec.module, code);
        });
    }
}

#[test]
fn snapshot_reader_agrees_with_insta_format() {
    let root = xtask::workspace_root();
    for spec in tray_codegen::SPECS {
        let code = tray_codegen::generate(&root, *spec).unwrap_or_default();
        assert_eq!(
            xtask::snapshot::status(&root, *spec, &code),
            xtask::snapshot::Status::Current,
            "snapshot of {} is stale: run `cargo xtask codegen`",
            spec.module
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
