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
