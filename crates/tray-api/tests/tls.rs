//! HTTPS with the `ring` provider, the way users build clients, in a process
//! where nothing installed a rustls crypto provider beforehand (reqwest is
//! built with `rustls-no-provider`: without one, building a client panics).
//!
//! One test in this binary on purpose: it must be the first thing in its
//! process to build an HTTP client.
//!
//! `fixtures/tls/`: a test CA (`ca.pem`, its key thrown away) and a server
//! certificate for `localhost` and `127.0.0.1` it signed (`server.pem`,
//! `server.key`, PKCS#8 P-256), valid until 2126, made with `openssl req
//! -x509` / `openssl x509 -req`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use common::read_request_head;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tray_api::{Client, Error, RetryConfig};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

/// A port on 127.0.0.1 that nothing listens on (bound, then released).
async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// Serves one HTTPS connection with the fixture certificate: reads the
/// request head, answers Tray's JSON 404, and returns the request line.
async fn https_server() -> (u16, tokio::task::JoinHandle<String>) {
    let certs = CertificateDer::pem_file_iter(fixture("server.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(fixture("server.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut tls = acceptor.accept(tcp).await.unwrap();
        let head = read_request_head(&mut tls)
            .await
            .expect("the client closed before sending a request");
        let body = r#"{"message":"Deployment not found","code":null}"#;
        let response = format!(
            "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        tls.write_all(response.as_bytes()).await.unwrap();
        tls.shutdown().await.unwrap();
        let head = String::from_utf8(head).unwrap();
        head.lines().next().unwrap().to_owned()
    });
    (port, server)
}

#[tokio::test]
async fn https_clients_build_without_a_preinstalled_provider_and_handshake_with_ring() {
    assert!(
        rustls::crypto::CryptoProvider::get_default().is_none(),
        "this test must run before anything installs a crypto provider"
    );

    // 1. The default builder (its own reqwest client): building must not
    // panic, and a request to a closed port is a transport error.
    let port = closed_port().await;
    let client = Client::builder()
        .base_url(format!("https://127.0.0.1:{port}"))
        .token("t0ken")
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    let error = client
        .deployments()
        .get("acme", "1.0", "d-1")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Transport { source: Some(e), .. } if e.is_connect()),
        "{error:?}"
    );

    // 2. A user's own reqwest client trusting an extra root: a full TLS
    // handshake with a rustls server, then Tray's 404 comes back as such.
    let (port, server) = https_server().await;
    let ca = reqwest::Certificate::from_pem(&std::fs::read(fixture("ca.pem")).unwrap()).unwrap();
    let http = tray_api_raw::http_client_builder()
        .add_root_certificate(ca)
        .build()
        .unwrap();
    let client = Client::builder()
        .base_url(format!("https://localhost:{port}"))
        .token("t0ken")
        .http_client(http)
        .retry(RetryConfig::disabled())
        .build()
        .unwrap();
    let error = client
        .deployments()
        .get("acme", "1.0", "d-1")
        .await
        .unwrap_err();
    match &error {
        Error::NotFound(details) => {
            assert_eq!(details.status, 404);
            assert_eq!(details.message.as_deref(), Some("Deployment not found"));
        }
        other => panic!("expected Tray's 404 over TLS, got {other:?}"),
    }
    assert_eq!(
        server.await.unwrap(),
        "GET /cdk/v1/deployments/connectors/acme/versions/1.0/d-1 HTTP/1.1"
    );
}
