//! Retries, rate limiting and error decoding.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::json;
use tray_api::{Client, Error, ImportInput, RateLimit, RetryConfig};
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn project() -> Uuid {
    Uuid::parse_str(PROJECT).unwrap()
}

#[tokio::test]
async fn rate_limited_twice_then_ok_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(429).set_body_json(json!({"message": "Limit exceeded"})),
            ResponseTemplate::new(429).set_body_json(json!({"message": "Limit exceeded"})),
            ResponseTemplate::new(200).set_body_json(deployment("d-1", "Deployed")),
        ]))
        .expect(3)
        .mount(&server)
        .await;
    let got = client(&server)
        .deployments()
        .get("my-connector", "1.0", "d-1")
        .await
        .unwrap();
    assert_eq!(got.id, "d-1");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn rate_limited_until_retries_run_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429).set_body_json(json!({"message": "Limit exceeded"})),
        )
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .token(TOKEN)
        .retry(fast_retry().with_max_retries(2))
        .build()
        .unwrap();
    let error = client
        .deployments()
        .get("my-connector", "1.0", "d-1")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::RateLimited(_)), "{error:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn import_answered_500_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/core/v1/projects/{PROJECT}/imports")))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(json!({"message": "Internal error"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server)
        .projects()
        .import(project(), &ImportInput::new(Default::default()))
        .await
        .unwrap_err();
    assert!(error.outcome_unknown(), "{error:?}");
    assert!(
        matches!(&error, Error::OutcomeUnknown { source } if matches!(**source, Error::Server(_)))
    );
    assert_eq!(error.message(), Some("Internal error"));
    assert_eq!(error.status(), Some(500));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn create_version_answered_503_is_not_retried_but_429_is() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(429).set_body_json(json!({"message": "Limit exceeded"})),
            ResponseTemplate::new(503).set_body_string("Service Unavailable"),
            ResponseTemplate::new(201).set_body_json(version("1", PROJECT)),
        ]))
        .mount(&server)
        .await;
    let error = client(&server)
        .projects()
        .create_version(project(), "1")
        .title("One")
        .await
        .unwrap_err();
    assert!(error.outcome_unknown(), "{error:?}");
    assert_eq!(error.status(), Some(503));
    assert_eq!(error.kind(), "outcome_unknown");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn get_answered_500_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(500).set_body_json(json!({"message": "Internal error"})),
            ResponseTemplate::new(200).set_body_json(deployment("d-1", "Deploying")),
        ]))
        .mount(&server)
        .await;
    client(&server)
        .deployments()
        .get("my-connector", "1.0", "d-1")
        .await
        .unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn retries_can_be_disabled() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .retry(RetryConfig::disabled())
        .rate_limit(None)
        .build()
        .unwrap();
    let error = client.deployments().get("c", "1.0", "x").await.unwrap_err();
    assert!(matches!(error, Error::Server(_)));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn html_502_gives_a_server_error_with_an_excerpt() {
    let server = MockServer::start().await;
    let html = format!(
        "<html><head><title>502 Bad Gateway</title></head><body>{}</body></html>",
        "nginx ".repeat(100)
    );
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_raw(html, "text/html"))
        .mount(&server)
        .await;
    let error = client(&server)
        .deployments()
        .get("my-connector", "1.0", "latest")
        .await
        .unwrap_err();
    let Error::Server(details) = &error else {
        panic!("unexpected {error:?}");
    };
    assert_eq!(details.status, 502);
    let excerpt = details.excerpt.as_deref().unwrap();
    assert!(
        excerpt.starts_with("<html><head><title>502 Bad Gateway"),
        "{excerpt}"
    );
    assert!(excerpt.chars().count() <= tray_api::EXCERPT_CHARS + 1);
    assert!(error.to_string().contains("502 Bad Gateway"));
    // 1 attempt + 4 retries.
    assert_eq!(server.received_requests().await.unwrap().len(), 5);
}

#[tokio::test]
async fn html_body_on_a_documented_error_status_keeps_the_status() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_raw("<html>login</html>", "text/html"))
        .mount(&server)
        .await;
    let error = client(&server)
        .deployments()
        .get("my-connector", "1.0", "latest")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Unauthorized(_)), "{error:?}");
    assert_eq!(error.status(), Some(401));
    assert!(error.hint().unwrap().contains("token"));
}

#[tokio::test]
async fn truncated_json_is_retried_then_an_invalid_response() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"id":"d-1","deploymentStatus":"Depl"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    let error = client(&server)
        .deployments()
        .get("my-connector", "1.0", "d-1")
        .await
        .unwrap_err();
    match &error {
        Error::InvalidResponse {
            operation,
            status,
            excerpt,
            ..
        } => {
            assert_eq!(*operation, "get_deployment");
            assert_eq!(*status, Some(200));
            assert!(excerpt.contains("deploymentStatus"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        error.hint().unwrap().contains("cut off"),
        "{:?}",
        error.hint()
    );
    // A read cut off is retried like a reset (1 + 4 retries).
    assert_eq!(server.received_requests().await.unwrap().len(), 5);
}

#[tokio::test]
async fn html_success_body_is_an_invalid_response() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw("<html>captive portal</html>", "text/html"),
        )
        .mount(&server)
        .await;
    let error = client(&server)
        .projects()
        .versions(project())
        .page()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { .. }), "{error:?}");
    assert!(error.to_string().contains("captive portal"));
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let client = Client::builder()
        .base_url(format!("http://{address}"))
        .token(TOKEN)
        .retry(fast_retry().with_max_retries(1))
        .build()
        .unwrap();
    let error = client.deployments().get("c", "1.0", "x").await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(!format!("{error:?}").contains(TOKEN));
    assert!(error.hint().is_some());
}

/// A scripted server in the test's runtime that answers every request with
/// a deployment and records, on tokio's (paused) clock, when each arrived.
async fn arrivals_server() -> (String, Arc<Mutex<Vec<tokio::time::Instant>>>) {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let recorded = arrivals.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let recorded = recorded.clone();
            tokio::spawn(async move {
                if read_request_head(&mut socket).await.is_none() {
                    return;
                }
                recorded.lock().unwrap().push(tokio::time::Instant::now());
                let body = deployment("d-1", "Deployed").to_string();
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    (format!("http://{address}"), arrivals)
}

#[tokio::test(start_paused = true)]
async fn limiter_keeps_100_concurrent_calls_within_30_per_second_plus_burst() {
    let (url, arrivals) = arrivals_server().await;
    let client = Client::builder()
        .base_url(&url)
        .token(TOKEN)
        .rate_limit(Some(RateLimit::default()))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let calls = (0..100).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.deployments().get("c", "1.0", "d-1").await })
    });
    for call in futures::future::join_all(calls).await {
        call.unwrap().unwrap();
    }
    let mut times: Vec<Duration> = arrivals
        .lock()
        .unwrap()
        .iter()
        .map(|t| t.duration_since(started))
        .collect();
    times.sort();
    assert_eq!(times.len(), 100);
    // On the paused clock: the burst of 50 at once, then one every 1/30 s,
    // the last one 50/30 s after the start (timers tick in milliseconds).
    assert_eq!(times.iter().filter(|t| t.is_zero()).count(), 50);
    let last = times[99];
    assert!(
        (Duration::from_millis(1660)..=Duration::from_millis(1700)).contains(&last),
        "{last:?}"
    );
    // In any window, at most burst + rate * window (+1 for the millisecond
    // rounding of timers).
    for (i, start) in times.iter().enumerate() {
        for (j, end) in times.iter().enumerate().skip(i) {
            let window = (*end - *start).as_secs_f64();
            let allowed = 50.0 + 30.0 * window + 1.0;
            assert!(
                (j - i + 1) as f64 <= allowed,
                "{} requests in {window:.3}s",
                j - i + 1
            );
        }
    }
}

/// A server whose first `cut` answers send their headers and half the body,
/// then close the connection (a connection lost mid-body); later ones
/// answer in full. Returns its base URL and the number of connections.
async fn cut_mid_body(cut: usize, body: &'static str) -> (String, Arc<Mutex<usize>>) {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(0usize));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let n = {
                let mut seen = counter.lock().unwrap();
                *seen += 1;
                *seen
            };
            tokio::spawn(async move {
                if read_request_head(&mut socket).await.is_none() {
                    return;
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                if n <= cut {
                    let _ = socket.write_all(&body.as_bytes()[..body.len() / 2]).await;
                    let _ = socket.flush().await;
                    // Dropping the socket closes the connection mid-body.
                } else {
                    let _ = socket.write_all(body.as_bytes()).await;
                }
            });
        }
    });
    (format!("http://{address}"), seen)
}

#[tokio::test]
async fn a_connection_lost_mid_body_is_retried_for_reads() {
    let body = r#"{"id":"d-1","deploymentStatus":"Deployed","connectorName":"my-connector","connectorVersion":"1.0"}"#;
    let (url, seen) = cut_mid_body(2, body).await;
    let client = Client::builder()
        .base_url(&url)
        .token(TOKEN)
        .retry(fast_retry())
        .build()
        .unwrap();
    let deployment = client
        .deployments()
        .get("my-connector", "1.0", "d-1")
        .await
        .unwrap();
    assert_eq!(deployment.id, "d-1");
    assert_eq!(*seen.lock().unwrap(), 3);
}

#[tokio::test]
async fn a_connection_lost_mid_body_is_a_transport_error_not_a_bad_base_url() {
    let body = r#"{"id":"d-1","deploymentStatus":"Deployed","connectorName":"my-connector","connectorVersion":"1.0"}"#;
    let (url, _) = cut_mid_body(usize::MAX, body).await;
    let client = Client::builder()
        .base_url(&url)
        .token(TOKEN)
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let error = client
        .deployments()
        .get("my-connector", "1.0", "d-1")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(error.to_string().contains("lost"), "{error}");
    assert!(
        !error.hint().unwrap().contains("base URL"),
        "{:?}",
        error.hint()
    );

    // A write cut off the same way may have been applied.
    let error = client
        .projects()
        .create_version(project(), "9")
        .title("Nine")
        .await
        .unwrap_err();
    assert!(error.outcome_unknown(), "{error:?}");

    // A streamed export reports it as a lost connection too.
    let mut sink = Vec::new();
    let error = client
        .projects()
        .export_to_writer(project(), "1", &mut sink)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
}
