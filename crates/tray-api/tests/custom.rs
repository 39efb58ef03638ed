//! `Client::custom`: any endpoint through the client's pipeline.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use serde_json::json;
use tray_api::{Method, RetryPolicy};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn sends_the_token_query_headers_and_body_and_returns_any_status() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/core/v1/things"))
        .and(query_param("dryRun", "true"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("x-extra", "1"))
        .and(header("content-type", "application/json"))
        .respond_with(
            ResponseTemplate::new(422).set_body_json(json!({"message": "Nope", "code": null})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let response = client(&server)
        .custom(Method::POST, "/core/v1/things?dryRun=true")
        .unwrap()
        .header("X-Extra", "1")
        .unwrap()
        .json_body(r#"{"a":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status, 422);
    assert!(response.is_json());
    assert_eq!(&response.body[..], br#"{"code":null,"message":"Nope"}"#);
    let error = response.error_for_status().unwrap_err();
    assert_eq!(error.status(), Some(422));
    assert_eq!(error.message(), Some("Nope"));
    let received = server.received_requests().await.unwrap();
    assert_eq!(received[0].body, br#"{"a":1}"#);
}

#[tokio::test]
async fn get_is_retried_other_methods_only_with_retry_always() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(503),
            ResponseTemplate::new(200).set_body_json(json!({"ok": true})),
        ]))
        .mount(&server)
        .await;
    let response = client(&server)
        .custom(Method::GET, "/core/v1/x")
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    for (policy, expected) in [
        (RetryPolicy::SafeMethods, 1),
        (RetryPolicy::Never, 1),
        (RetryPolicy::Always, 2),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(Sequence::new(vec![
                ResponseTemplate::new(429),
                ResponseTemplate::new(200),
            ]))
            .mount(&server)
            .await;
        let response = client(&server)
            .custom(Method::POST, "/core/v1/x")
            .unwrap()
            .retry(policy)
            .send()
            .await
            .unwrap();
        let requests = server.received_requests().await.unwrap().len();
        assert_eq!(requests, expected, "{policy:?}");
        assert_eq!(response.status, if expected == 1 { 429 } else { 200 });
    }
}

#[tokio::test]
async fn other_origins_and_authorization_headers_are_refused() {
    let server = MockServer::start().await;
    let client = client(&server);
    let own = format!("{}/core/v1/x", server.uri());
    assert!(client.custom(Method::GET, &own).is_ok());
    let port = server.address().port();
    for other in [
        format!("http://localhost:{port}/core/v1/x"),
        format!("https://127.0.0.1:{port}/core/v1/x"),
        format!("http://127.0.0.1:{}/core/v1/x", port.wrapping_add(1)),
        "https://api.tray.io/core/v1/x".to_owned(),
        "//evil.example/x".to_owned(),
        "core/v1/x".to_owned(),
    ] {
        let error = client.custom(Method::GET, &other).unwrap_err();
        assert!(error.is_local(), "{other}: {error}");
        assert!(!error.to_string().contains(TOKEN));
    }
    for name in ["Authorization", "proxy-authorization"] {
        let error = client
            .custom(Method::GET, "/x")
            .unwrap()
            .header(name, "Bearer x")
            .unwrap_err();
        assert!(error.is_local());
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}
