//! `tray permissions add`.

use crate::cli::PermissionsAdd;
use crate::commands::deployment::name_and_version;
use crate::context::Context;
use crate::failure::{CmdResult, Failure};

impl PermissionsAdd {
    /// `tray permissions add`: one region (or profile) or several at once, like
    /// `deployment create`. With several, `-o json` prints one array of
    /// `{"region", "result"|"error"}` (the shape of a multi-region deploy).
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        let Self {
            name,
            version,
            emails,
        } = self;
        let (name, version) = name_and_version(name, version)?;
        let emails: Vec<String> = emails
            .iter()
            .map(|e| e.trim().trim_matches(|c| c == '"' || c == '\'').to_owned())
            .filter(|e| !e.is_empty())
            .collect();
        let targets = ctx.targets().await?;
        let printer = ctx.printer;
        if targets.len() == 1 {
            let Some(target) = targets.into_iter().next() else {
                return Err(Failure::usage("nothing to share in"));
            };
            let outcome = target
                .client
                .permissions()
                .share_with_emails(&name, &version, &emails)
                .await?;
            printer.line(format!("{name} {version}: {}", outcome.message))?;
            return printer.json(&outcome);
        }
        let outcomes = tray_api::permissions::share_in_regions(
            targets.into_iter().map(|t| (t.label, t.client)).collect(),
            &name,
            &version,
            &emails,
        )
        .await;
        let mut first_failure: Option<Failure> = None;
        for outcome in &outcomes {
            match &outcome.result {
                Ok(shared) => printer.line(format!(
                    "{}: {name} {version}: {}",
                    outcome.region, shared.message
                ))?,
                Err(error) => {
                    printer.line(format!("{}: error: {error}", outcome.region))?;
                    if first_failure.is_none() {
                        first_failure = Some(Failure::from_ref(error).in_region(&outcome.region));
                    }
                }
            }
        }
        printer.json(&outcomes)?;
        first_failure.map_or(Ok(()), Err)
    }
}
