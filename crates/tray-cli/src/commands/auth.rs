//! `tray auth status`: for each place a command with the same options would
//! call, where the token comes from, the base URL, and whether the token
//! works.
//!
//! The check is one cheap authenticated read: the latest deployment of a
//! connector that cannot exist ([`CHECK_CONNECTOR`]). Tray answers 404 when
//! the token is good (it got past authentication), 401/403 when it is not.

use serde::Serialize;
use tray_api::{Client, Region};

use crate::config::Config;
use crate::context::Context;
use crate::failure::{self, CmdResult, Failure};
use crate::token_source::{self, Source};

/// The connector name and version of the check: no such connector exists.
pub const CHECK_CONNECTOR: (&str, &str) = ("tray-cli-auth-status-check", "0.0.0");

/// One line of the report.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Row {
    /// Region or profile name.
    target: String,
    base_url: String,
    token_source: Source,
    /// The token's last 4 characters, when it is long enough to show them.
    token_hint: Option<String>,
    /// Whether the authenticated read succeeded.
    works: bool,
    /// Why not.
    error: Option<String>,
}

enum Spec {
    Profile(String),
    Region(Region),
    Default,
}

/// `tray auth status`.
pub async fn status(ctx: &mut Context) -> CmdResult {
    let rows = if ctx.global.sandbox {
        let mut rows = Vec::new();
        for target in ctx.targets().await? {
            let (works, error) = check(&target.client).await;
            rows.push(Row {
                target: target.label,
                base_url: target.client.base_url().to_owned(),
                token_source: Source::Sandbox,
                token_hint: None,
                works,
                error,
            });
        }
        rows
    } else {
        let specs = if !ctx.global.profile.is_empty() {
            ctx.global
                .profile
                .iter()
                .cloned()
                .map(Spec::Profile)
                .collect()
        } else if ctx.global.region.len() > 1 {
            if ctx.global.base_url.is_some() {
                return Err(Failure::usage(
                    "--base-url calls one place; it cannot be combined with several --region",
                ));
            }
            ctx.global
                .region
                .iter()
                .copied()
                .map(Spec::Region)
                .collect()
        } else {
            vec![Spec::Default]
        };
        let config = if ctx.global.profile.is_empty() {
            Config::default()
        } else {
            Config::load(ctx.global.config.as_deref())?
        };
        let mut rows = Vec::new();
        for spec in specs {
            rows.push(row(ctx, &config, spec).await?);
        }
        rows
    };
    let text_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            vec![
                row.target.clone(),
                row.base_url.clone(),
                row.token_source.to_string(),
                row.token_hint.clone().unwrap_or_else(|| "-".to_owned()),
                crate::table::yes_no(row.works).to_owned(),
                row.error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    for line in crate::table::lines(
        &[
            "TARGET",
            "BASE URL",
            "TOKEN FROM",
            "TOKEN",
            "WORKS",
            "DETAIL",
        ],
        &text_rows,
    ) {
        ctx.printer.line(line)?;
    }
    ctx.printer.json(&rows)?;
    let failed: Vec<String> = rows
        .iter()
        .filter(|row| !row.works)
        .map(|row| row.target.clone())
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure {
            code: failure::API,
            message: format!(
                "{} of {} cannot authenticate: {}",
                failed.len(),
                rows.len(),
                failed.join(", ")
            ),
            hint: Some("see the DETAIL column (or `error` with -o json)".to_owned()),
            error: None,
        })
    }
}

async fn row(ctx: &mut Context, config: &Config, spec: Spec) -> CmdResult<Row> {
    let (target, source, base_url, client) = match spec {
        Spec::Profile(name) => {
            let profile = config.profile(&name)?.clone();
            let source = token_source::source(&ctx.global, Some((&name, &profile)), None);
            let base_url = token_source::base_url(&ctx.global, Some(&profile), None);
            let client = ctx.client_for(Some(&name)).await;
            (name, source, base_url, client)
        }
        Spec::Region(region) => {
            let source = token_source::source(&ctx.global, None, Some(region));
            let base_url = region.base_url().to_owned();
            let client = token_source::read(&source)
                .map_err(Failure::usage)
                .and_then(|token| {
                    Client::builder()
                        .region(region)
                        .token(token)
                        .user_agent(crate::context::user_agent())
                        .build()
                        .map_err(Failure::from)
                });
            (region.to_string(), source, base_url, client)
        }
        Spec::Default => {
            let source = token_source::source(&ctx.global, None, None);
            let base_url = token_source::base_url(&ctx.global, None, None);
            let client = ctx.client_for(None).await;
            let label = match &client {
                Ok(client) => client.region_label(),
                Err(_) => ctx
                    .global
                    .region
                    .first()
                    .copied()
                    .unwrap_or(Region::Us)
                    .to_string(),
            };
            (label, source, base_url, client)
        }
    };
    let token_hint = token_source::read(&source)
        .ok()
        .and_then(|t| token_source::hint(&t));
    let (works, error) = match client {
        Ok(client) => check(&client).await,
        Err(failure) => (false, Some(failure.message)),
    };
    Ok(Row {
        target,
        base_url,
        token_source: source,
        token_hint,
        works,
        error,
    })
}

/// The cheap authenticated read: 404 (or a deployment) means the token
/// got through; anything else is reported.
async fn check(client: &Client) -> (bool, Option<String>) {
    let (name, version) = CHECK_CONNECTOR;
    match client.deployments().get(name, version, "latest").await {
        Ok(_) | Err(tray_api::Error::NotFound(_)) => (true, None),
        Err(error @ (tray_api::Error::Unauthorized(_) | tray_api::Error::Forbidden(_))) => (
            false,
            Some(format!(
                "token rejected (HTTP {})",
                error.status().unwrap_or(0)
            )),
        ),
        Err(error) => (false, Some(error.to_string())),
    }
}
