//! Share a deployed connector version with emails.

use axum::http::StatusCode;
use axum::response::Response;
use tray_api_raw::DeploymentStatus;
use tray_api_raw::permissions::types::{ShareWithEmailsRequest, ShareWithEmailsResponse};

use crate::http::{HttpError, json, parse_body};
use crate::server::App;
use crate::state::connector_key;

/// A well-formed email address (the sandbox's own implementation of the
/// rule `tray_api::permissions::is_valid_email` documents; both are held to
/// `tests/fixtures/emails.json`). Surrounding whitespace is ignored; then
/// `local@domain`, at most 254 characters, one `@`; the local part 1–64
/// characters without whitespace, control characters or `"(),:;<>[\]`,
/// no dot at either end and no two dots in a row; the domain two or more
/// labels of 1–63 letters, digits or `-` (not at either end of a label), the
/// last label not all digits.
pub(crate) fn is_valid_email(email: &str) -> bool {
    let email = email.trim();
    if email.chars().count() > 254 || email.matches('@').count() != 1 {
        return false;
    }
    let Some(at) = email.find('@') else {
        return false;
    };
    let (local, domain) = (&email[..at], &email[at + 1..]);
    let local_ok = matches!(local.chars().count(), 1..=64)
        && !local.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    '"' | '(' | ')' | ',' | ':' | ';' | '<' | '>' | '[' | '\\' | ']'
                )
        })
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    let mut labels = 0;
    let mut last_numeric = false;
    for label in domain.split('.') {
        let length = label.chars().count();
        if !(1..=63).contains(&length)
            || label.starts_with('-')
            || label.ends_with('-')
            || label.chars().any(|c| !(c.is_alphanumeric() || c == '-'))
        {
            return false;
        }
        labels += 1;
        last_numeric = label.bytes().all(|b| b.is_ascii_digit());
    }
    local_ok && labels >= 2 && !last_numeric
}

pub(crate) fn share(
    app: &App,
    name: &str,
    version: &str,
    body: &[u8],
) -> Result<Response, HttpError> {
    let request: ShareWithEmailsRequest = parse_body(body)?;
    if request.emails.is_empty() {
        return Err(HttpError::bad_request(
            "emails must hold at least one email address",
        ));
    }
    let invalid: Vec<&str> = request
        .emails
        .iter()
        .map(|email| email.trim())
        .filter(|email| !is_valid_email(email))
        .collect();
    if !invalid.is_empty() {
        return Err(HttpError::bad_request(format!(
            "Invalid email address: {}",
            invalid.join(", ")
        )));
    }
    let key = connector_key(name, version);
    let now = app.now();
    let added = app.write(|state| {
        let deployed = state.deployments.values().any(|record| {
            record.connector_name == name
                && record.connector_version == version
                && record.status_at(now) == DeploymentStatus::Deployed
        });
        if !deployed {
            return Err(HttpError::not_found(format!(
                "The connector ({key}) was not found or you don't have permission to access it"
            )));
        }
        let shared = state.shares.entry(key.clone()).or_default();
        Ok(request
            .emails
            .iter()
            .filter(|email| shared.insert(email.trim().to_lowercase()))
            .count())
    })?;
    Ok(json(
        StatusCode::OK,
        &ShareWithEmailsResponse {
            message: format!("{added} permissions added"),
            extra: Default::default(),
        },
    ))
}
