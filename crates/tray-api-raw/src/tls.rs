//! The TLS crypto provider: rustls with `ring`.
//!
//! The workspace builds reqwest with `rustls-no-provider` (not its default
//! aws-lc-rs provider, whose C build dominated a cold install). reqwest then
//! takes the process-wide default `rustls::crypto::CryptoProvider`, and a
//! `reqwest::Client` built while there is none panics. These functions make
//! sure there is one.

/// Install rustls's `ring` provider as the process-wide default crypto
/// provider, unless a provider is installed already (yours is kept).
///
/// Idempotent, cheap after the first call, and never fails or panics. Every
/// [`ClientState`](crate::ClientState) constructor and the `tray-api` client
/// builder call it, so a generated `Client::new(url, state)` is covered. Call
/// it yourself before building a `reqwest::Client` of your own (for
/// `new_with_client`, or `tray_api::ClientBuilder::http_client`), or build it
/// from [`http_client_builder`].
///
/// To use another provider (aws-lc-rs, FIPS), install it before anything of
/// this crate runs: `CryptoProvider::install_default` fails once a default
/// is set, including the one set here.
///
/// ```
/// tray_api_raw::install_crypto_provider();
/// assert!(rustls::crypto::CryptoProvider::get_default().is_some());
/// // Now any reqwest client can be built.
/// let client = reqwest::Client::new();
/// # let _ = client;
/// ```
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // An `Err` means another thread installed a provider in between;
        // that one is the default now, which is all this function promises.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// A `reqwest::ClientBuilder` that is safe to build: it calls
/// [`install_crypto_provider`] first. Use it for the client you give to a
/// generated `Client::new_with_client` (or to `tray-api`), to add proxies,
/// extra root certificates or timeouts.
///
/// ```
/// use tray_api_raw::{deployments, ClientState};
///
/// let http = tray_api_raw::http_client_builder()
///     .connect_timeout(std::time::Duration::from_secs(5))
///     .build()?;
/// let client = deployments::Client::new_with_client(
///     "https://api.tray.io",
///     http,
///     ClientState::bearer("my-token")?,
/// );
/// # let _ = client;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn http_client_builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
}
