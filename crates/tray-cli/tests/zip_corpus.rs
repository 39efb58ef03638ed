//! The shared table of connector zip cases (`tests/fixtures/zips/cases.json`)
//! against `tray deployment create`: exit 0 and the deployment for an ok
//! zip; exit 2 with one `error:` and one `hint:` line, before any request,
//! for a bad one. The library and the sandbox run the same table
//! (`crates/tray-api/tests/zip_corpus.rs`, `tests/zip_corpus.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::{sandbox, stderr, stdout, tray_at};
use serde_json::Value;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/zips")
}

fn text<'a>(case: &'a Value, pointer: &str) -> Option<&'a str> {
    case.pointer(pointer).and_then(Value::as_str)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_of_the_table_gets_its_exit_status() {
    let table: Value =
        serde_json::from_str(&std::fs::read_to_string(corpus().join("cases.json")).unwrap())
            .unwrap();
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() >= 15, "the table lost cases");
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    for (index, case) in cases.iter().enumerate() {
        let about = text(case, "/about").unwrap();
        let file = corpus().join(text(case, "/file").unwrap());
        let path = match case.get("project") {
            Some(project) => {
                let dir = home.path().join(format!("project-{index}"));
                std::fs::create_dir_all(dir.join(".tray")).unwrap();
                std::fs::write(dir.join("connector.json"), project.to_string()).unwrap();
                std::fs::copy(&file, dir.join(".tray/connector.zip")).unwrap();
                dir
            }
            None => file,
        };
        let mut args = vec![
            "-o".to_owned(),
            "json".to_owned(),
            "deployment".to_owned(),
            "create".to_owned(),
            path.display().to_string(),
        ];
        for field in ["name", "version"] {
            if let Some(value) = text(case, &format!("/given/{field}")) {
                args.extend([format!("--{field}"), value.to_owned()]);
            }
        }
        let requests_before = sandbox.requests().len();
        let output = tray_at(home.path(), &sandbox).args(&args).output().unwrap();
        let (out, err) = (stdout(&output), stderr(&output));
        match text(case, "/verdict").unwrap() {
            "ok" => {
                assert_eq!(output.status.code(), Some(0), "{about}: {err}");
                let deployment: Value = serde_json::from_str(&out).unwrap();
                assert_eq!(
                    deployment["connectorName"].as_str(),
                    text(case, "/name"),
                    "{about}"
                );
                assert_eq!(
                    deployment["connectorVersion"].as_str(),
                    text(case, "/version"),
                    "{about}"
                );
            }
            "error" => {
                assert_eq!(output.status.code(), Some(2), "{about}: {err}");
                // `-o json`: the one document of a usage error, without a region.
                let document: Value = serde_json::from_str(&out).unwrap();
                assert!(document["error"]["kind"].is_string(), "{about}: {out}");
                assert!(document.get("region").is_none(), "{about}: {out}");
                let lines: Vec<&str> = err.lines().collect();
                assert_eq!(lines.len(), 2, "{about}: {err}");
                assert!(lines[0].starts_with("error: "), "{about}: {err}");
                assert!(lines[1].starts_with("hint: "), "{about}: {err}");
                assert_eq!(
                    sandbox.requests().len(),
                    requests_before,
                    "{about}: a request was sent"
                );
            }
            other => panic!("{about}: unknown verdict {other}"),
        }
    }
}
