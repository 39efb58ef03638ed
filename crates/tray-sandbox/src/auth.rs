//! Bearer token checks: 401 for a missing or wrong token, 403 for writes
//! with the read-only token.

use axum::http::{HeaderMap, StatusCode, header};

use crate::http::HttpError;

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
