//! Turning global options, profiles and environment into API clients.

use tray_api::config::Settings;
use tray_api::{Client, Region};
#[cfg(feature = "sandbox")]
use tray_sandbox::{Sandbox, SandboxHandle};

use crate::cli::Global;
use crate::config::Config;
use crate::failure::{CmdResult, Failure};
use crate::output::Printer;

/// The connector every `--sandbox` run starts with, already deployed.
#[cfg(feature = "sandbox")]
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
    #[cfg(feature = "sandbox")]
    sandboxes: Vec<SandboxHandle>,
    label: Option<String>,
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
            #[cfg(feature = "sandbox")]
            sandboxes: Vec::new(),
            label: None,
        }
    }

    fn config(&mut self) -> CmdResult<&Config> {
        if self.config.is_none() {
            self.config = Some(Config::load(self.global.config.as_deref())?);
        }
        Ok(self.config.get_or_insert_with(Config::default))
    }

    /// Where the command calls, for the `region` of a JSON failure
    /// document: the profile, region or base URL host of the last client
    /// made, else what the options name.
    pub fn label(&self) -> String {
        if let Some(label) = &self.label {
            return label.clone();
        }
        if let Some(profile) = self.global.profile.first() {
            return profile.clone();
        }
        if self.global.base_url.is_some() {
            return "base-url".to_owned();
        }
        self.global
            .region
            .first()
            .copied()
            .unwrap_or_default()
            .to_string()
    }

    /// The one client of a single-target command.
    pub async fn client(&mut self) -> CmdResult<Client> {
        if self.global.profile.len() > 1 || self.global.region.len() > 1 {
            return Err(Failure::usage(
                "this command calls one place: give at most one --profile or --region",
            ));
        }
        let profile = self.global.profile.first().cloned();
        let client = self.client_for(profile.as_deref()).await?;
        self.label = Some(profile.unwrap_or_else(|| client.region_label()));
        Ok(client)
    }

    /// Every target of a command that fans out (deploy, share): one per
    /// --profile, else one per --region, else the single default.
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
                let client = self.region_client(region).await?;
                targets.push(Target {
                    label: region.to_string(),
                    client,
                });
            }
        } else {
            let client = self.client_for(None).await?;
            let label = client.region_label();
            self.label = Some(label.clone());
            targets.push(Target { label, client });
        }
        Ok(targets)
    }

    fn settings(&self) -> Settings {
        settings(&self.global)
    }

    /// The client of a profile (or, with `None`, of the global options).
    pub async fn client_for(&mut self, profile: Option<&str>) -> CmdResult<Client> {
        if self.global.sandbox {
            return self.sandbox_client(0).await;
        }
        let settings = self.settings();
        let builder = match profile {
            Some(name) => {
                let profile = self.config()?.profile(name)?.clone();
                profile.client_builder(&settings, &env)?
            }
            None => settings.client_builder(&env)?,
        };
        Ok(self.timeouts(builder).user_agent(user_agent()).build()?)
    }

    /// The client of one region of several called at once: only that
    /// region's own token serves.
    async fn region_client(&mut self, region: Region) -> CmdResult<Client> {
        if self.global.sandbox {
            let index = Region::all().iter().position(|r| *r == region).unwrap_or(0);
            return self.sandbox_client(index).await;
        }
        let settings = Settings::default().region(region).several_regions(true);
        Ok(self
            .timeouts(settings.client_builder(&env)?)
            .user_agent(user_agent())
            .build()?)
    }

    /// A client of the `index`-th in-process sandbox (one per region in a
    /// multi-region `--sandbox` run), started on first use.
    #[cfg(feature = "sandbox")]
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

    /// `--sandbox` without the `sandbox` feature: exit 2, naming it.
    #[cfg(not(feature = "sandbox"))]
    async fn sandbox_client(&mut self, _index: usize) -> CmdResult<Client> {
        Err(crate::without_sandbox::missing())
    }

    /// `--request-timeout`, when given (else the library's defaults).
    fn timeouts(&self, builder: tray_api::ClientBuilder) -> tray_api::ClientBuilder {
        match self.global.request_timeout {
            Some(timeout) => builder.timeout(timeout),
            None => builder,
        }
    }
}

/// The place and token file the global options name (the library's
/// [`Settings`], to which it applies the region/token rule).
pub fn settings(global: &Global) -> Settings {
    let mut settings = Settings::default();
    if let Some(region) = global.region.first() {
        settings = settings.region(*region);
    }
    if let Some(url) = &global.base_url {
        settings = settings.base_url(url.clone());
    }
    if let Some(file) = &global.token_file {
        settings = settings.token_file(file.clone());
    }
    settings
}

/// The process environment, as the library's token rule reads it.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The user agent of every request the CLI sends.
pub fn user_agent() -> String {
    format!("tray-cli/{}", env!("CARGO_PKG_VERSION"))
}
