//! The spec checks of `cargo xtask lint`, run as tests: every spec generates,
//! every example is valid and round-trips through the generated types, and
//! every seed sample (fixture) deserializes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use xtask::lint;

/// Every seed sample kept as a fixture. Removing a file (or forgetting to add
/// one here) fails `seed_fixtures_are_all_present`.
const SEED_FIXTURES: &[&str] = &[
    "deployments/deployConnector.response.guide.json",
    "deployments/deployConnector.response.json",
    "deployments/deployConnector.response.repeat.json",
    "deployments/getDeployment.response.deployed.json",
    "deployments/getDeployment.response.deploying.json",
    "deployments/getDeployment.response.json",
    "permissions/shareWithEmails.request.json",
    "projects/createProjectVersion.request.json",
    "projects/createProjectVersion.response.json",
    "projects/error.response.json",
    "projects/getProjectImportRequirements.request.json",
    "projects/getProjectImportRequirements.response.json",
    "projects/importProject.request.json",
    "projects/importProject.response.json",
    "projects/listProjectVersions.response.json",
    "projects/previewProjectImport.request.json",
    "projects/previewProjectImport.response.json",
];

#[test]
fn specs_have_no_lint_problems() {
    let report = lint::run(&xtask::workspace_root());
    assert_eq!(report.problems, Vec::<String>::new());
    assert_eq!(report.specs, 4);
    // Every request/response/error/parameter example of the four specs.
    assert!(
        report.examples >= 39,
        "only {} examples checked",
        report.examples
    );
}

#[test]
fn seed_fixtures_are_all_present_and_checked() {
    let report = lint::run(&xtask::workspace_root());
    assert_eq!(report.fixture_files, SEED_FIXTURES);
    assert_eq!(report.fixtures, SEED_FIXTURES.len());
}

/// A copy of the workspace's specs and fixtures in a temporary folder, to
/// show that the lint fails on broken input.
fn scratch_copy() -> tempfile::TempDir {
    let root = xtask::workspace_root();
    let scratch = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for dir in [
        "openapi",
        "tests/fixtures/deployments",
        "tests/fixtures/permissions",
        "tests/fixtures/projects",
    ] {
        std::fs::create_dir_all(scratch.path().join(dir))
            .unwrap_or_else(|e| panic!("cannot create {dir} in the scratch copy: {e}"));
        let entries =
            std::fs::read_dir(root.join(dir)).unwrap_or_else(|e| panic!("cannot list {dir}: {e}"));
        for entry in entries {
            let entry = entry.unwrap_or_else(|e| panic!("cannot list {dir}: {e}"));
            // Files only: openapi/ also holds the vendored upstream/ folder.
            if !entry.path().is_file() {
                continue;
            }
            std::fs::copy(
                entry.path(),
                scratch.path().join(dir).join(entry.file_name()),
            )
            .unwrap_or_else(|e| panic!("cannot copy {}: {e}", entry.path().display()));
        }
    }
    scratch
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1))
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

#[test]
fn lint_rejects_an_example_that_breaks_its_schema() {
    let scratch = scratch_copy();
    edit(
        &scratch.path().join("openapi/deployments.yaml"),
        "deploymentStatus: Deployed",
        "deploymentStatus: 42",
    );
    let report = lint::run(scratch.path());
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0].contains("getDeployment 200"),
        "{}",
        report.problems[0]
    );
    assert!(
        report.problems[0].contains("does not match its schema"),
        "{}",
        report.problems[0]
    );
}

#[test]
fn lint_rejects_a_fixture_field_the_spec_does_not_know() {
    let scratch = scratch_copy();
    edit(
        &scratch
            .path()
            .join("tests/fixtures/projects/createProjectVersion.response.json"),
        "\"title\"",
        "\"renamedTitle\"",
    );
    let report = lint::run(scratch.path());
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0].contains("fixture projects/createProjectVersion.response.json"),
        "{}",
        report.problems[0]
    );
}

#[test]
fn lint_rejects_a_spec_progenitor_cannot_generate() {
    let scratch = scratch_copy();
    // A second, different error schema: progenitor requires one.
    edit(
        &scratch.path().join("openapi/permissions.yaml"),
        "    NotFound:\n      description: Not found (the connector version does not exist or is not visible to this token)\n      content:\n        application/json:\n          schema:\n            $ref: '#/components/schemas/ApiError'",
        "    NotFound:\n      description: Not found\n      content:\n        application/json:\n          schema:\n            $ref: '#/components/schemas/ShareWithEmailsResponse'",
    );
    let report = lint::run(scratch.path());
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("openapi/permissions.yaml") && p.contains("progenitor")),
        "{:?}",
        report.problems
    );
}
