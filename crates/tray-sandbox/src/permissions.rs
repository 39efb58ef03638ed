//! Share a deployed connector version with emails.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use tray_api_raw::DeploymentStatus;
use tray_api_raw::permissions::types::{ShareWithEmailsRequest, ShareWithEmailsResponse};

use crate::http::{HttpError, json, parse_body};
use crate::server::App;
use crate::state::connector_key;

/// A plausible email address: one `@`, a non-empty local part, a domain
/// with a dot and no empty label, no spaces.
pub(crate) fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty())
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
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
    let now = Utc::now();
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
