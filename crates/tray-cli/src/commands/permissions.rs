//! `tray permissions add`.

use crate::commands::deployment::name_and_version;
use crate::context::Context;
use crate::failure::CmdResult;

/// `tray permissions add`.
pub async fn add(
    ctx: &mut Context,
    name: Option<String>,
    version: Option<String>,
    emails: Vec<String>,
) -> CmdResult {
    let (name, version) = name_and_version(name, version)?;
    let emails: Vec<String> = emails
        .iter()
        .map(|e| e.trim().trim_matches(|c| c == '"' || c == '\'').to_owned())
        .filter(|e| !e.is_empty())
        .collect();
    let client = ctx.client().await?;
    let outcome = client
        .permissions()
        .share_with_emails(&name, &version, &emails)
        .await?;
    ctx.printer
        .line(format!("{name} {version}: {}", outcome.message));
    ctx.printer.json(&outcome)
}
