//! Deploy a connector, read a deployment status.

use axum::http::StatusCode;
use axum::response::Response;
use tray_api_raw::DeploymentStatus;
use tray_api_raw::deployments::types::{
    DeployConnectorRequest, DeployConnectorResponse, Deployment,
};
use uuid::Uuid;

use crate::http::{HttpError, json};
use crate::server::App;
use crate::state::{DeploymentRecord, connector_key};
use crate::zipcheck::check_connector_source;

/// The status Tray does not document that `unknown-` connectors and the
/// `unknown-status` fault report (the fault layer rewrites the
/// `deploymentStatus` of the answer).
pub const UNKNOWN_STATUS: &str = "Queued";

pub(crate) fn deploy(
    app: &App,
    name: &str,
    version: &str,
    request: &DeployConnectorRequest,
) -> Result<Response, HttpError> {
    check_connector_source(&request.connector_source_code, name, version)
        .map_err(HttpError::bad_request)?;
    let now = app.now();
    let key = connector_key(name, version);
    let deploy_time_ms = u64::try_from(app.deploy_time.as_millis()).unwrap_or(u64::MAX);
    let (id, repeat) = app.write(|state| {
        if let Some(current) = state
            .latest
            .get(&key)
            .and_then(|id| state.deployments.get(id))
            && !current.status_at(now).is_terminal()
        {
            return (current.id, true);
        }
        let id = Uuid::new_v4();
        state.deployments.insert(
            id,
            DeploymentRecord {
                id,
                connector_name: name.to_owned(),
                connector_version: version.to_owned(),
                started: now,
                deploy_time_ms,
            },
        );
        state.latest.insert(key, id);
        (id, false)
    });
    Ok(json(
        StatusCode::OK,
        &DeployConnectorResponse {
            id: Some(id.to_string()),
            repeat_deployment: repeat.then_some(true),
            deployment_status: Some(DeploymentStatus::Deploying),
            connector_name: Some(name.to_owned()),
            connector_version: Some(version.to_owned()),
            extra: serde_json::Map::new(),
        },
    ))
}

pub(crate) fn status(
    app: &App,
    name: &str,
    version: &str,
    id: &str,
) -> Result<Response, HttpError> {
    let now = app.now();
    let key = connector_key(name, version);
    let found = app.read(|state| {
        let wanted = if id == "latest" {
            state.latest.get(&key).copied()
        } else {
            Uuid::parse_str(id).ok()
        };
        wanted
            .and_then(|wanted| state.deployments.get(&wanted))
            .filter(|record| record.connector_name == name && record.connector_version == version)
            .map(|record| (record.id, record.status_at(now)))
    });
    let Some((found_id, status)) = found else {
        return Err(HttpError::not_found(if id == "latest" {
            format!("No deployment of the connector ({key}) was found")
        } else {
            format!("The deployment {id} of the connector ({key}) was not found")
        }));
    };
    Ok(json(
        StatusCode::OK,
        &Deployment {
            id: Some(found_id.to_string()),
            deployment_status: Some(status),
            connector_name: Some(name.to_owned()),
            connector_version: Some(version.to_owned()),
            extra: serde_json::Map::new(),
        },
    ))
}
