//! Waits under tokio's paused clock: the timeout is a deadline for the whole
//! wait, the request in flight included, asserted exactly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{TOKEN, connector_zip};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tray_api::types::DeploymentStatus;
use tray_api::{Client, ConnectorZip, Deployment, Error};

/// A scripted HTTP server: GETs of a deployment answer `Deploying` unless
/// `hang_get`; POSTs (deploy uploads) hang. A hanging request never gets an
/// answer (the connection stays open).
async fn scripted(hang_get: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                loop {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        if socket.read(&mut byte).await.unwrap_or(0) == 0 {
                            return;
                        }
                        head.push(byte[0]);
                    }
                    let text = String::from_utf8_lossy(&head).to_string();
                    if text.starts_with("POST") || hang_get {
                        std::future::pending::<()>().await;
                    }
                    let body = r#"{"id":"d-1","deploymentStatus":"Deploying","connectorName":"my-connector","connectorVersion":"1.0"}"#;
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if socket.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .token(TOKEN)
        .rate_limit(None)
        .build()
        .unwrap()
}

fn started() -> Deployment {
    Deployment::new("d-1", DeploymentStatus::Deploying, "my-connector", "1.0")
}

#[tokio::test(start_paused = true)]
async fn a_hanging_status_call_ends_at_the_deadline_not_the_request_timeout() {
    let base = scripted(true).await;
    let client = client(&base);
    let error = client
        .deployments()
        .wait(&started())
        .interval(Duration::from_secs(1))
        .timeout(Duration::from_secs(5))
        .await
        .unwrap_err();
    match error {
        Error::Timeout { elapsed, last, .. } => {
            // Exactly the deadline: not the 60 s request timeout, not later.
            assert_eq!(elapsed, Duration::from_secs(5));
            let last = last.unwrap();
            assert_eq!(last.id, "d-1");
            assert_eq!(last.status, DeploymentStatus::Deploying);
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_hanging_deploy_upload_ends_at_the_deadline() {
    let base = scripted(false).await;
    let client = client(&base);
    let zip = ConnectorZip::from_bytes(connector_zip(Some("c"), "my-connector", "1.0")).unwrap();
    let error = client
        .deployments()
        .deploy(&zip)
        .wait()
        .timeout(Duration::from_secs(3))
        .await
        .unwrap_err();
    match error {
        Error::Timeout {
            elapsed,
            last,
            what,
        } => {
            // Not the 10 minutes a deploy upload may take on its own.
            assert_eq!(elapsed, Duration::from_secs(3));
            assert!(last.is_none(), "{last:?}");
            assert!(what.contains("deploy of my-connector@1.0"), "{what}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_wait_that_never_ends_gives_up_exactly_at_the_timeout() {
    let base = scripted(false).await;
    let client = client(&base);
    let error = client
        .deployments()
        .wait(&started())
        .interval(Duration::from_secs(2))
        .timeout(Duration::from_secs(9))
        .await
        .unwrap_err();
    match error {
        Error::Timeout { elapsed, last, .. } => {
            assert_eq!(elapsed, Duration::from_secs(9));
            assert_eq!(last.unwrap().status, DeploymentStatus::Deploying);
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn an_explicit_deadline_is_shared_with_earlier_work() {
    let base = scripted(true).await;
    let client = client(&base);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(4);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let error = client
        .deployments()
        .wait(&started())
        .deadline(deadline)
        .await
        .unwrap_err();
    match error {
        // 3 s of the wait itself: the deadline was set 1 s before it began.
        Error::Timeout { elapsed, .. } => assert_eq!(elapsed, Duration::from_secs(3)),
        other => panic!("expected a timeout, got {other:?}"),
    }
}
