//! The shared table of email address cases (`fixtures/emails.json`) against
//! the library's `is_valid_email` and the sandbox's share route (its own
//! implementation of the same rule): 200 for a valid address, 400 with
//! Tray's JSON error body for an invalid one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use tray_api::permissions::is_valid_email;
use tray_sandbox::Sandbox;
use tray_tests::fixtures_dir;

fn cases() -> Vec<(String, bool, String)> {
    let text = std::fs::read_to_string(fixtures_dir().join("emails.json")).unwrap();
    let table: Value = serde_json::from_str(&text).unwrap();
    let cases: Vec<(String, bool, String)> = table["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| {
            (
                case["email"].as_str().unwrap().to_owned(),
                case["valid"].as_bool().unwrap(),
                case["about"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(cases.len() >= 30, "the table lost cases");
    assert!(cases.iter().any(|c| c.1) && cases.iter().any(|c| !c.1));
    cases
}

#[test]
fn the_library_follows_the_table() {
    for (email, valid, about) in cases() {
        assert_eq!(is_valid_email(&email), valid, "{about}: {email:?}");
    }
}

#[tokio::test]
async fn the_sandbox_follows_the_table() {
    let sandbox = Sandbox::builder()
        .deploy_time(Duration::ZERO)
        .start()
        .await
        .unwrap();
    let http = tray_api_raw::http_client_builder().build().unwrap();
    let base = sandbox.base_url();
    let zip = tray_sandbox::sample_connector_zip("shared", "1.0");
    let deployed = http
        .post(format!(
            "{base}/cdk/v1/deployments/connectors/shared/versions/1.0/deploy-connector-from-source"
        ))
        .bearer_auth(sandbox.token())
        .json(
            &json!({"connectorSourceCode": base64::engine::general_purpose::STANDARD.encode(zip)}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deployed.status().as_u16(), 200);
    for (email, valid, about) in cases() {
        let response = http
            .post(format!(
                "{base}/cdk/v1/permissions/connectors/shared/versions/1.0/share-with-emails"
            ))
            .bearer_auth(sandbox.token())
            .json(&json!({ "emails": [email] }))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap();
        if valid {
            assert_eq!(status, 200, "{about}: {email:?}: {answer}");
            assert!(
                answer["message"]
                    .as_str()
                    .unwrap()
                    .ends_with("permissions added")
            );
        } else {
            assert_eq!(status, 400, "{about}: {email:?}: {answer}");
            let message = answer["message"].as_str().unwrap();
            assert!(
                message.starts_with("Invalid email address"),
                "{about}: {message}"
            );
            assert!(
                answer.get("code").is_some(),
                "{about}: not Tray's error body: {answer}"
            );
        }
    }
}
