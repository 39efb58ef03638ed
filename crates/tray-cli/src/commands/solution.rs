//! `tray solution release preview|create`.

use tray_api::types::PublishSolutionImpact;

use crate::cli::{ReleaseCreate, ReleasePreview};
use crate::context::Context;
use crate::failure::CmdResult;
use crate::output::Printer;

impl ReleasePreview {
    /// `tray solution release preview`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        let Self { solution_id } = self;
        let client = ctx.client().await?;
        let impact = client.solutions().release_preview(solution_id).await?;
        print_impact(ctx.printer, "Publishing would", &impact)?;
        ctx.printer.json(&impact)
    }
}

impl ReleaseCreate {
    /// `tray solution release create`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        let Self { solution_id } = self;
        let client = ctx.client().await?;
        let impact = client.solutions().release(solution_id).await?;
        match impact.release_id {
            Some(id) => ctx.printer.line(format!("Published release {id}"))?,
            None => ctx.printer.line("Published")?,
        }
        print_impact(ctx.printer, "The release", &impact)?;
        ctx.printer.json(&impact)
    }
}

/// Human summary of a release impact.
pub fn print_impact(printer: Printer, lead: &str, impact: &PublishSolutionImpact) -> CmdResult {
    let auth = &impact.auth_slots;
    let config = &impact.config_slots;
    printer.line(format!(
        "{lead} create {} / update {} / remove {} auth slots and create {} / update {} / remove {} config slots",
        auth.created.len(),
        auth.updated.len(),
        auth.removed.len(),
        config.created.len(),
        config.updated.len(),
        config.removed.len()
    ))?;
    printer.line(format!(
        "breaking changes: {}; new user input needed: {}; new system input needed: {}",
        crate::table::yes_no(impact.breaking_changes),
        crate::table::yes_no(impact.requires_new_user_input),
        crate::table::yes_no(impact.requires_new_system_input)
    ))
}
