//! Bearer token checks: 401 for a missing or wrong token, 403 for writes
//! with the read-only token; as extractors ([`Reader`], [`Writer`]) that
//! come first in each handler.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};

use crate::http::HttpError;
use crate::server::App;

/// The token a sandbox accepts unless told otherwise (at least 36
/// characters, like the format Tray's CLI checks).
pub const DEFAULT_TOKEN: &str = "sandbox-token-0000000000000000000000000000";

/// Tray's message for a missing or wrong token.
pub(crate) const UNAUTHORIZED: &str = "The request is unauthorized";

/// What a token may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tokens {
    pub full: String,
    pub read_only: Option<String>,
}

impl Tokens {
    /// Checks the `Authorization: Bearer` header for a request that
    /// changes state (`write`) or not.
    pub(crate) fn check(&self, headers: &HeaderMap, write: bool) -> Result<(), HttpError> {
        let unauthorized = || HttpError::new(StatusCode::UNAUTHORIZED, UNAUTHORIZED);
        let value = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(unauthorized)?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or_else(unauthorized)?;
        if token == self.full {
            return Ok(());
        }
        if self.read_only.as_deref() == Some(token) {
            if write {
                return Err(HttpError::new(
                    StatusCode::FORBIDDEN,
                    "This token is read-only: it cannot change connectors, projects or solutions",
                ));
            }
            return Ok(());
        }
        Err(unauthorized())
    }
}

/// A request whose token may read (either token).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reader;

/// A request whose token may change state (the full token only).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Writer;

impl FromRequestParts<Arc<App>> for Reader {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, HttpError> {
        app.tokens.check(&parts.headers, false).map(|()| Reader)
    }
}

impl FromRequestParts<Arc<App>> for Writer {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, HttpError> {
        app.tokens.check(&parts.headers, true).map(|()| Writer)
    }
}
