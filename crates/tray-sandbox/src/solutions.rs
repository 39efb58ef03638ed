//! Solution releases: preview and publish the draft.

use axum::http::StatusCode;
use axum::response::Response;
use tray_api_raw::solutions::types::PublishSolutionImpact;
use uuid::Uuid;

use crate::http::{HttpError, json};
use crate::server::App;
use crate::slots::{SlotDiff, diff};
use crate::state::{Release, Slots};

fn not_found(solution: Uuid) -> HttpError {
    HttpError::not_found(format!("Solution {solution} was not found"))
}

fn impact(changes: SlotDiff, release_id: Option<Uuid>) -> PublishSolutionImpact {
    PublishSolutionImpact {
        extra: Default::default(),
        release_id,
        breaking_changes: changes.breaking_changes,
        requires_new_user_input: changes.requires_new_user_input,
        requires_new_system_input: changes.requires_new_system_input,
        auth_slots: changes.auth_slots,
        config_slots: changes.config_slots,
    }
}

/// Compares the draft with the last published release (everything is new
/// when nothing was published yet).
pub(crate) fn release_preview(app: &App, solution_id: Uuid) -> Result<Response, HttpError> {
    let changes = app.read(|state| {
        let solution = state
            .solutions
            .get(&solution_id)
            .ok_or_else(|| not_found(solution_id))?;
        let empty = Slots::default();
        diff(
            solution.published.as_ref().unwrap_or(&empty),
            &solution.draft,
        )
        .map_err(HttpError::internal)
    })?;
    Ok(json(StatusCode::OK, &impact(changes, None)))
}

/// Publishes the draft: answers the same comparison as the preview, with
/// the new `releaseId`. A release without changes is allowed and reports
/// no changes.
pub(crate) fn release(app: &App, solution_id: Uuid) -> Result<Response, HttpError> {
    let (changes, release_id) = app.write(|state| {
        let solution = state
            .solutions
            .get_mut(&solution_id)
            .ok_or_else(|| not_found(solution_id))?;
        let empty = Slots::default();
        let changes = diff(
            solution.published.as_ref().unwrap_or(&empty),
            &solution.draft,
        )
        .map_err(HttpError::internal)?;
        let release_id = Uuid::new_v4();
        solution.published = Some(solution.draft.clone());
        solution.releases.push(Release {
            id: release_id,
            created: app.now(),
        });
        Ok::<_, HttpError>((changes, release_id))
    })?;
    Ok(json(StatusCode::OK, &impact(changes, Some(release_id))))
}
