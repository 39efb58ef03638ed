//! `x-tray-aliases` through the real pipeline: the workspace's deployments
//! spec, with one property marked as renamed, generates a field that also
//! accepts the old name.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

fn scratch_with(edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let spec = tray_codegen::SPECS[0];
    assert_eq!(spec.module, "deployments");
    let text = std::fs::read_to_string(spec.file(&root)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("openapi")).unwrap();
    std::fs::write(spec.file(dir.path()), edit(text)).unwrap();
    dir
}

#[test]
fn a_renamed_property_accepts_its_old_name() {
    let dir = scratch_with(|text| {
        text.replacen(
            "    Deployment:\n      type: object\n",
            "    Deployment:\n      type: object\n      x-tray-aliases:\n        deploymentStatus: [status]\n",
            1,
        )
    });
    let code = tray_codegen::generate(dir.path(), tray_codegen::SPECS[0]).unwrap();
    let start = code.find("pub struct Deployment {").unwrap();
    let field = start
        + code[start..]
            .find("pub deployment_status: ::std::option::Option<crate::DeploymentStatus>")
            .unwrap();
    // The attributes between the previous field and this one.
    let before = &code[start..field];
    let attrs = &before[before.rfind("pub connector_version").unwrap()..];
    assert!(attrs.contains("#[serde(alias = \"status\")]"), "{attrs}");
    assert_eq!(code.matches("alias = ").count(), 1);

    // Without the extension the generated code has no alias at all.
    let plain = scratch_with(|text| text);
    let code = tray_codegen::generate(plain.path(), tray_codegen::SPECS[0]).unwrap();
    assert_eq!(code.matches("alias = ").count(), 0);
}

#[test]
fn an_alias_naming_a_missing_property_fails_generation() {
    let dir = scratch_with(|text| {
        text.replacen(
            "    Deployment:\n      type: object\n",
            "    Deployment:\n      type: object\n      x-tray-aliases:\n        deploymentState: [status]\n",
            1,
        )
    });
    let error = tray_codegen::generate(dir.path(), tray_codegen::SPECS[0])
        .unwrap_err()
        .to_string();
    assert!(error.contains("deployments.yaml"), "{error}");
    assert!(error.contains("\"deploymentState\""), "{error}");
}
