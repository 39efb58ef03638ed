//! The shared table of connector zip cases (`tests/fixtures/zips/cases.json`)
//! against `tray_api::ConnectorZip`; the CLI and the sandbox run the same
//! table (`crates/tray-cli/tests/zip_corpus.rs`, `tests/zip_corpus.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use serde_json::Value;
use tray_api::{ConnectorZip, Error};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/zips")
}

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(corpus().join("cases.json")).unwrap();
    let table: Value = serde_json::from_str(&text).unwrap();
    table["cases"].as_array().unwrap().clone()
}

fn text<'a>(case: &'a Value, pointer: &str) -> Option<&'a str> {
    case.pointer(pointer).and_then(Value::as_str)
}

/// Open the case's zip the way a caller does: a project folder through
/// `locate`, else the file, then check the given name and version.
fn check(index: usize, case: &Value, scratch: &Path) -> Result<ConnectorZip, Error> {
    let file = corpus().join(text(case, "/file").unwrap());
    let zip = match case.get("project") {
        Some(project) => {
            let dir = scratch.join(format!("project-{index}"));
            std::fs::create_dir_all(dir.join(".tray")).unwrap();
            std::fs::write(dir.join("connector.json"), project.to_string()).unwrap();
            std::fs::copy(&file, dir.join(".tray/connector.zip")).unwrap();
            ConnectorZip::locate(&dir)?
        }
        None => ConnectorZip::open(&file)?,
    };
    zip.ensure_matches(text(case, "/given/name"), text(case, "/given/version"))?;
    Ok(zip)
}

#[test]
fn every_case_of_the_table_gets_its_verdict() {
    let scratch = tempfile::tempdir().unwrap();
    let cases = cases();
    assert!(cases.len() >= 15, "the table lost cases");
    for (index, case) in cases.iter().enumerate() {
        let about = text(case, "/about").unwrap();
        let from_file = check(index, case, scratch.path());
        match text(case, "/verdict").unwrap() {
            "ok" => {
                let zip = from_file.unwrap_or_else(|e| panic!("{about}: {e}"));
                assert_eq!(
                    (Some(zip.name()), Some(zip.version())),
                    (text(case, "/name"), text(case, "/version")),
                    "{about}"
                );
            }
            "error" => {
                let error = from_file.expect_err(about);
                assert!(error.is_local(), "{about}: {error}");
                let Error::InvalidZip { source, .. } = &error else {
                    panic!("{about}: not InvalidZip: {error}");
                };
                assert_eq!(
                    Some(source.category()),
                    text(case, "/category"),
                    "{about}: {error}"
                );
            }
            other => panic!("{about}: unknown verdict {other}"),
        }
        // The same verdict from bytes in memory (no project folder there).
        if case.get("project").is_none() {
            let bytes = std::fs::read(corpus().join(text(case, "/file").unwrap())).unwrap();
            let from_bytes = ConnectorZip::from_bytes(bytes).and_then(|zip| {
                zip.ensure_matches(text(case, "/given/name"), text(case, "/given/version"))
                    .map(|()| zip)
            });
            match (&from_bytes, text(case, "/verdict")) {
                (Ok(_), Some("ok")) => {}
                (Err(Error::InvalidZip { source, .. }), Some("error")) => {
                    assert_eq!(Some(source.category()), text(case, "/category"), "{about}");
                }
                (other, _) => panic!("{about}: from bytes: {other:?}"),
            }
        }
    }
}

#[test]
fn a_project_folder_finds_its_built_zip_or_says_why_not() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path();
    let category = |error: Error| match error {
        Error::InvalidZip { source, .. } => source.category(),
        other => panic!("{other}"),
    };
    // Not a folder, not a file.
    assert_eq!(
        category(ConnectorZip::locate(dir.join("missing")).unwrap_err()),
        "not-found"
    );
    // A folder without connector.json.
    assert_eq!(
        category(ConnectorZip::locate(dir).unwrap_err()),
        "not-a-project"
    );
    // connector.json but nothing built.
    std::fs::write(
        dir.join("connector.json"),
        r#"{"name":"acme","version":"1.0"}"#,
    )
    .unwrap();
    let not_built = ConnectorZip::locate(dir).unwrap_err();
    assert!(
        not_built
            .hint()
            .unwrap()
            .contains("tray-cdk connector build")
    );
    assert_eq!(category(not_built), "not-built");
    // dist/connector.zip is the fallback, .tray/connector.zip wins.
    std::fs::create_dir_all(dir.join("dist")).unwrap();
    std::fs::copy(corpus().join("flat.zip"), dir.join("dist/connector.zip")).unwrap();
    let zip = ConnectorZip::locate(dir).unwrap();
    assert_eq!(zip.path(), Some(dir.join("dist/connector.zip").as_path()));
    std::fs::create_dir_all(dir.join(".tray")).unwrap();
    std::fs::copy(corpus().join("finder.zip"), dir.join(".tray/connector.zip")).unwrap();
    let zip = ConnectorZip::locate(dir).unwrap();
    assert_eq!(zip.path(), Some(dir.join(".tray/connector.zip").as_path()));
    // A bad connector.json in the folder.
    std::fs::write(dir.join("connector.json"), r#"{"name":"acme"}"#).unwrap();
    assert_eq!(
        category(ConnectorZip::locate(dir).unwrap_err()),
        "bad-manifest"
    );
}
