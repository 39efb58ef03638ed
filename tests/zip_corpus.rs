//! The shared table of connector zip cases (`fixtures/zips/cases.json`)
//! against the sandbox's own check, through its deploy route: 200 for an ok
//! zip, 400 with Tray's JSON error body for a bad one. The library and the
//! CLI run the same table (`crates/tray-api/tests/zip_corpus.rs`,
//! `crates/tray-cli/tests/zip_corpus.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine as _;
use serde_json::{Value, json};
use tray_sandbox::Sandbox;
use tray_tests::fixtures_dir;

fn text<'a>(case: &'a Value, pointer: &str) -> Option<&'a str> {
    case.pointer(pointer).and_then(Value::as_str)
}

/// What the sandbox's 400 message says for each category of the table.
fn sandbox_phrase(category: &str) -> &'static str {
    match category {
        "not-a-zip" => "is not a zip archive",
        "too-large" => "is too large",
        "unsafe-path" => "unsafe file name",
        "layout" => "nothing beside that folder",
        "missing-manifest" => "has no connector.json",
        "bad-manifest" => "connector.json could not be read",
        "mismatch" => "does not match",
        other => panic!("no sandbox phrase for category {other}"),
    }
}

#[tokio::test]
async fn every_case_of_the_table_gets_its_status_from_the_sandbox() {
    let dir = fixtures_dir().join("zips");
    let table: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json")).unwrap()).unwrap();
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() >= 15, "the table lost cases");
    let sandbox = Sandbox::builder().start().await.unwrap();
    let http = tray_api_raw::http_client_builder().build().unwrap();
    for case in cases {
        let about = text(case, "/about").unwrap();
        let zip = std::fs::read(dir.join(text(case, "/file").unwrap())).unwrap();
        // The deploy path: what was given, else the project folder's
        // connector.json, else the connector the case is about.
        let field = |key: &str| {
            text(case, &format!("/given/{key}"))
                .or_else(|| text(case, &format!("/project/{key}")))
                .or_else(|| text(case, &format!("/{key}")))
                .unwrap()
                .to_owned()
        };
        let (name, version) = (field("name"), field("version"));
        let url = format!(
            "{}/cdk/v1/deployments/connectors/{name}/versions/{version}/deploy-connector-from-source",
            sandbox.base_url()
        );
        let body = json!({
            "connectorSourceCode": base64::engine::general_purpose::STANDARD.encode(&zip)
        });
        let response = http
            .post(&url)
            .bearer_auth(sandbox.token())
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap();
        match text(case, "/verdict").unwrap() {
            "ok" => {
                assert_eq!(status, 200, "{about}: {answer}");
                assert_eq!(
                    answer["connectorName"].as_str(),
                    Some(name.as_str()),
                    "{about}"
                );
                assert_eq!(
                    answer["connectorVersion"].as_str(),
                    Some(version.as_str()),
                    "{about}"
                );
            }
            "error" => {
                assert_eq!(status, 400, "{about}: {answer}");
                let message = answer["message"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{about}: {answer}"));
                assert!(
                    answer.get("code").is_some(),
                    "{about}: not Tray's error body: {answer}"
                );
                let phrase = sandbox_phrase(text(case, "/category").unwrap());
                assert!(
                    message.contains(phrase),
                    "{about}: {phrase:?} not in {message:?}"
                );
            }
            other => panic!("{about}: unknown verdict {other}"),
        }
    }
}

/// A zip whose headers understate a file's size (so the declared total is
/// under the cap) is still rejected: the sandbox inflates every file into
/// nothing, counting, and the zip reader stops at the declared size.
#[tokio::test]
async fn a_zip_lying_about_its_sizes_is_rejected() {
    let zip = std::fs::read(fixtures_dir().join("zips/bomb.zip")).unwrap();
    let lying = understate_sizes(&zip, "acme/assets/zeros.bin");
    let sandbox = Sandbox::builder().start().await.unwrap();
    let response = tray_api_raw::http_client_builder()
        .build()
        .unwrap()
        .post(format!(
            "{}/cdk/v1/deployments/connectors/acme/versions/1.0/deploy-connector-from-source",
            sandbox.base_url()
        ))
        .bearer_auth(sandbox.token())
        .json(&json!({
            "connectorSourceCode": base64::engine::general_purpose::STANDARD.encode(&lying)
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let answer: Value = response.json().await.unwrap();
    let message = answer["message"].as_str().unwrap();
    // Either the inflate count or the zip reader's own size check stops it.
    assert!(
        message.contains("is too large") || message.contains("is not a zip archive"),
        "{message}"
    );
}

/// Rewrites the uncompressed size of `entry` to 1 byte in its local header
/// and its central directory record.
fn understate_sizes(zip: &[u8], entry: &str) -> Vec<u8> {
    let mut out = zip.to_vec();
    let name = entry.as_bytes();
    let mut patched = 0;
    for at in 0..out.len().saturating_sub(46) {
        let (signature, size_at, name_len_at, name_at) = match &out[at..at + 4] {
            [0x50, 0x4b, 0x03, 0x04] => ("local", at + 22, at + 26, at + 30),
            [0x50, 0x4b, 0x01, 0x02] => ("central", at + 24, at + 28, at + 46),
            _ => continue,
        };
        let name_len = usize::from(u16::from_le_bytes([out[name_len_at], out[name_len_at + 1]]));
        if name_len == name.len() && out.get(name_at..name_at + name_len) == Some(name) {
            out[size_at..size_at + 4].copy_from_slice(&1u32.to_le_bytes());
            patched += 1;
            let _ = signature;
        }
    }
    assert_eq!(patched, 2, "the local header and the central record");
    out
}
