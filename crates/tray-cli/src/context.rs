//! Turning global options, profiles and environment into API clients.

use std::path::Path;

use tray_api::{Client, Region};
use tray_sandbox::{Sandbox, SandboxHandle};

use crate::cli::Global;
use crate::config::{Config, Profile};
use crate::failure::{CmdResult, Failure};
use crate::output::Printer;

/// The connector every `--sandbox` run starts with, already deployed.
pub const SANDBOX_CONNECTOR: (&str, &str) = ("acme-crm", "1.0");

/// One place to call: a label for output and a client.
pub struct Target {
    /// `us`, `eu`, `apac` or the profile name.
    pub label: String,
    /// The client.
    pub client: Client,
}

/// Everything a command needs besides its own arguments.
pub struct Context {
    /// Global options.
    pub global: Global,
    /// Output.
    pub printer: Printer,
    config: Option<Config>,
    sandboxes: Vec<SandboxHandle>,
}

impl Context {
    /// A context from the global options.
    pub fn new(global: Global) -> Self {
        let printer = Printer {
            output: global.output,
            quiet: global.quiet,
            started: std::time::Instant::now(),
        };
        Self {
            global,
            printer,
            config: None,
            sandboxes: Vec::new(),
        }
    }

    fn config(&mut self) -> CmdResult<&Config> {
        if self.config.is_none() {
            self.config = Some(Config::load(self.global.config.as_deref())?);
        }
        Ok(self.config.get_or_insert_with(Config::default))
    }

    /// The one client of a single-target command.
    pub async fn client(&mut self) -> CmdResult<Client> {
        if self.global.profile.len() > 1 || self.global.region.len() > 1 {
            return Err(Failure::usage(
                "this command calls one place: give at most one --profile or --region",
            ));
        }
        let profile = self.global.profile.first().cloned();
        self.client_for(profile.as_deref()).await
    }

    /// Every target of a command that fans out (deploy): one per --profile,
    /// else one per --region, else the single default.
    pub async fn targets(&mut self) -> CmdResult<Vec<Target>> {
        let mut targets = Vec::new();
        if !self.global.profile.is_empty() {
            for name in self.global.profile.clone() {
                let client = self.client_for(Some(&name)).await?;
                targets.push(Target {
                    label: name,
                    client,
                });
            }
        } else if self.global.region.len() > 1 {
            if self.global.base_url.is_some() {
                return Err(Failure::usage(
                    "--base-url calls one place; it cannot be combined with several --region",
                ));
            }
            for region in self.global.region.clone() {
                let client = self.region_client(region, true).await?;
                targets.push(Target {
                    label: region.to_string(),
                    client,
                });
            }
        } else {
            let region = self.global.region.first().copied().unwrap_or(Region::Us);
            let client = self.client_for(None).await?;
            targets.push(Target {
                label: region.to_string(),
                client,
            });
        }
        Ok(targets)
    }

    /// The client of a profile (or, with `None`, of the global options).
    pub async fn client_for(&mut self, profile: Option<&str>) -> CmdResult<Client> {
        if self.global.sandbox {
            return self.sandbox_client(0).await;
        }
        let profile = match profile {
            Some(name) => Some(self.config()?.profile(name)?.clone()),
            None => None,
        };
        let region = match profile.as_ref().and_then(|p| p.region.as_deref()) {
            Some(text) => text
                .parse::<Region>()
                .map_err(|e| Failure::usage(format!("profile: {e}")))?,
            None => self.global.region.first().copied().unwrap_or(Region::Us),
        };
        // A profile that names a place (base URL or region) wins over the
        // global options, including an ambient TRAY_API_URL.
        let base_url = match &profile {
            Some(p) if p.base_url.is_some() || p.region.is_some() => p.base_url.clone(),
            _ => self.global.base_url.clone(),
        };
        let token = self.token(profile.as_ref(), None)?;
        let builder = self.timeouts(Client::builder().token(token).user_agent(user_agent()));
        let builder = match base_url {
            Some(url) => builder.base_url(url),
            None => builder.region(region),
        };
        Ok(builder.build()?)
    }

    async fn region_client(&mut self, region: Region, multi: bool) -> CmdResult<Client> {
        if self.global.sandbox {
            let index = Region::all().iter().position(|r| *r == region).unwrap_or(0);
            return self.sandbox_client(index).await;
        }
        let token = self.token(None, multi.then_some(region))?;
        Ok(self
            .timeouts(Client::builder())
            .region(region)
            .token(token)
            .user_agent(user_agent())
            .build()?)
    }

    /// A client of the `index`-th in-process sandbox (one per region in a
    /// multi-region `--sandbox` run), started on first use.
    async fn sandbox_client(&mut self, index: usize) -> CmdResult<Client> {
        while self.sandboxes.len() <= index {
            let sandbox = Sandbox::builder()
                .deploy_time(std::time::Duration::from_millis(1500))
                .start()
                .await
                .map_err(|e| Failure::usage(format!("cannot start the sandbox: {e}")))?;
            // So `deployment get` and `permissions add` work at once.
            sandbox.seed_deployed_connector(SANDBOX_CONNECTOR.0, SANDBOX_CONNECTOR.1);
            self.sandboxes.push(sandbox);
        }
        let sandbox = &self.sandboxes[index];
        Ok(self
            .timeouts(Client::builder())
            .base_url(sandbox.base_url())
            .token(sandbox.token().to_owned())
            .user_agent(user_agent())
            .build()?)
    }

    /// `--request-timeout`, when given (else the library's defaults).
    fn timeouts(&self, builder: tray_api::ClientBuilder) -> tray_api::ClientBuilder {
        match self.global.request_timeout {
            Some(timeout) => builder.timeout(timeout),
            None => builder,
        }
    }

    /// The token of a profile; else, for one region of several, only
    /// `TRAY_API_TOKEN_<REGION>`; else `--token-file`, else `TRAY_API_TOKEN`.
    fn token(&self, profile: Option<&Profile>, region: Option<Region>) -> CmdResult<String> {
        if let Some(profile) = profile {
            if let Some(file) = &profile.token_file {
                return read_token_file(file);
            }
            if let Some(var) = &profile.token_env {
                return std::env::var(var).map(|t| clean(&t)).map_err(|_| {
                    Failure::usage(format!(
                        "no API token: the profile reads it from ${var}, which is not set"
                    ))
                });
            }
        }
        if let Some(region) = region {
            // Tokens are per region: one region's token is never sent to another.
            let var = format!("TRAY_API_TOKEN_{}", region.to_string().to_uppercase());
            return match std::env::var(&var) {
                Ok(token) if !token.trim().is_empty() => Ok(clean(&token)),
                _ => Err(Failure::usage(format!(
                    "no API token for region {region}: set {var} (each region needs its own token)"
                ))
                .with_hint("or use one --profile per region, or --token-file for a single region")),
            };
        }
        if let Some(file) = &self.global.token_file {
            return read_token_file(file);
        }
        match std::env::var("TRAY_API_TOKEN") {
            Ok(token) if !token.trim().is_empty() => Ok(clean(&token)),
            _ => Err(
                Failure::usage("no API token: set TRAY_API_TOKEN or pass --token-file PATH")
                    .with_hint("or try any command with --sandbox, which needs no token"),
            ),
        }
    }
}

fn read_token_file(path: &Path) -> CmdResult<String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read token file {}: {e}", path.display())))?;
    let token = clean(&text);
    if token.is_empty() {
        return Err(Failure::usage(format!(
            "token file {} is empty",
            path.display()
        )));
    }
    Ok(token)
}

/// The token itself, as `tray-api` reads it (whitespace and `Bearer ` removed).
fn clean(token: &str) -> String {
    tray_api::clean_token(token).to_owned()
}

fn user_agent() -> String {
    format!("tray-cli/{}", env!("CARGO_PKG_VERSION"))
}
