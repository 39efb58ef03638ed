//! The generated `Client::new` builds its own `reqwest::Client`; with
//! reqwest's `rustls-no-provider` that panics unless a rustls crypto
//! provider is installed. Making the `ClientState` it takes installs `ring`.
//!
//! One test in this binary on purpose: it must be the first thing in its
//! process to build an HTTP client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tray_api_raw::{ClientState, Error, deployments};

#[tokio::test]
async fn generated_new_needs_no_preinstalled_provider() {
    assert!(
        rustls::crypto::CryptoProvider::get_default().is_none(),
        "this test must run before anything installs a crypto provider"
    );
    // A port on 127.0.0.1 that nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();

    let client = deployments::Client::new(
        &format!("https://127.0.0.1:{port}"),
        ClientState::bearer("t0ken").unwrap(),
    );
    assert!(rustls::crypto::CryptoProvider::get_default().is_some());

    let error = client
        .get_deployment()
        .connector_name("acme")
        .connector_version("1.0")
        .id("d-1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::CommunicationError(e) if e.is_connect()),
        "{error:?}"
    );
}
