//! Permissions, solutions, client construction and secrecy of the token.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::json;
use tray_api::{Client, Error, Region};
use uuid::Uuid;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn share_with_emails_sends_the_list() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/cdk/v1/permissions/connectors/my-connector/versions/1.0/share-with-emails",
        ))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(
            json!({"emails": ["john.doe@domain.com", "jane.doe@domain.com"]}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"message": "2 permissions added"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let outcome = client(&server)
        .permissions()
        .share_with_emails(
            "my-connector",
            "1.0",
            [" john.doe@domain.com", "jane.doe@domain.com"],
        )
        .await
        .unwrap();
    assert_eq!(outcome.message, "2 permissions added");
}

#[tokio::test]
async fn bad_email_lists_make_no_request() {
    let server = MockServer::start().await;
    let client = client(&server);
    let empty = client
        .permissions()
        .share_with_emails("my-connector", "1.0", Vec::<String>::new())
        .await
        .unwrap_err();
    assert!(empty.is_local());
    let bad = client
        .permissions()
        .share_with_emails(
            "my-connector",
            "1.0",
            ["ok@example.com", "not-an-email", "a b@c.com"],
        )
        .await
        .unwrap_err();
    assert!(matches!(bad, Error::Local { .. }));
    assert!(bad.to_string().contains("not-an-email"), "{bad}");
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}

#[tokio::test]
async fn solution_release_preview_and_release() {
    let server = MockServer::start().await;
    let release_id = "9f9619ff-8b86-d011-b42d-00c04fc964ff";
    Mock::given(method("POST"))
        .and(path(format!(
            "/core/v1/solutions/{SOLUTION}/releases/previews"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(release_impact(None)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/core/v1/solutions/{SOLUTION}/releases")))
        .respond_with(ResponseTemplate::new(200).set_body_json(release_impact(Some(release_id))))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let solution = Uuid::parse_str(SOLUTION).unwrap();
    let preview = client.solutions().release_preview(solution).await.unwrap();
    assert!(preview.release_id.is_none());
    let release = client.solutions().release(solution).await.unwrap();
    assert_eq!(release.release_id.unwrap().to_string(), release_id);
}

#[tokio::test]
async fn release_answered_500_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"message": "boom"})))
        .mount(&server)
        .await;
    let error = client(&server)
        .solutions()
        .release(Uuid::parse_str(SOLUTION).unwrap())
        .await
        .unwrap_err();
    assert!(error.outcome_unknown(), "{error:?}");
    assert!(
        matches!(&error, Error::OutcomeUnknown { source } if matches!(**source, Error::Server(_)))
    );
    assert!(
        error.to_string().contains("may have been applied"),
        "{error}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[test]
fn regions_and_base_urls() {
    assert_eq!(
        Client::builder()
            .region(Region::Us)
            .build()
            .unwrap()
            .base_url(),
        "https://api.tray.io"
    );
    assert_eq!(
        Client::builder()
            .region(Region::Eu)
            .build()
            .unwrap()
            .base_url(),
        "https://api.eu1.tray.io"
    );
    let apac = Client::builder().region(Region::Apac).build().unwrap();
    assert_eq!(apac.base_url(), "https://api.ap1.tray.io");
    assert_eq!(apac.region_label(), "apac");
    // An explicit base URL wins, trailing slash removed.
    let custom = Client::builder()
        .region(Region::Eu)
        .base_url("https://proxy.example.com/tray/")
        .build()
        .unwrap();
    assert_eq!(custom.base_url(), "https://proxy.example.com/tray");
    assert_eq!(custom.region_label(), "proxy.example.com");
    for (text, region) in [
        ("us", Region::Us),
        ("EU", Region::Eu),
        ("Apac", Region::Apac),
    ] {
        assert_eq!(text.parse::<Region>().unwrap(), region);
    }
    let error = "ap1".parse::<Region>().unwrap_err();
    assert!(error.to_string().contains("us, eu or apac"), "{error}");
    let names: Vec<String> = Region::all().iter().map(ToString::to_string).collect();
    assert_eq!(names, ["us", "eu", "apac"]);
}

#[test]
fn plain_http_with_a_token_is_refused_except_loopback() {
    let error = Client::builder()
        .base_url("http://api.example.com")
        .token(TOKEN)
        .build()
        .unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
    assert!(error.is_local());
    assert!(!error.to_string().contains(TOKEN));
    assert!(
        Client::builder()
            .base_url("http://127.0.0.1:9")
            .token(TOKEN)
            .build()
            .is_ok()
    );
    assert!(
        Client::builder()
            .base_url("http://localhost:9")
            .token(TOKEN)
            .build()
            .is_ok()
    );
    assert!(
        Client::builder()
            .base_url("not a url")
            .build()
            .unwrap_err()
            .is_local()
    );
    assert!(Client::builder().token("  ").build().is_err());
    assert!(Client::builder().token("bad\ntoken").build().is_err());
}

#[test]
fn token_is_absent_from_debug_output() {
    let builder = Client::builder().token(format!("Bearer {TOKEN}"));
    assert!(!format!("{builder:?}").contains(TOKEN));
    let client = builder.build().unwrap();
    let debug = format!("{client:?} {:?}", client.raw());
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(debug.contains("<redacted>"));
}
