//! One module per command group. Each command's options (a clap struct of
//! `cli.rs`) have a `run(self, ctx)` in the module of its group; a group's
//! enum hands over to the `run` of its variant.

pub mod api;
pub mod auth;
pub mod completions;
pub mod config_cmd;
#[cfg(feature = "sandbox")]
pub mod demo;
pub mod deployment;
pub mod permissions;
pub mod project;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod solution;

#[cfg(not(feature = "sandbox"))]
use crate::without_sandbox::demo;

use crate::cli::{
    AuthCommand, Command, ConfigCommand, DeploymentCommand, ImportCommand, PermissionsCommand,
    ProjectCommand, ReleaseCommand, SandboxCommand, SolutionCommand, VersionCommand,
};
use crate::context::Context;
use crate::failure::CmdResult;

impl Command {
    /// Run the command.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        match self {
            Command::Deployment(command) => command.run(ctx).await,
            Command::Permissions(command) => command.run(ctx).await,
            Command::Project(command) => command.run(ctx).await,
            Command::Solution(command) => command.run(ctx).await,
            Command::Sandbox(command) => command.run(ctx).await,
            Command::Api(command) => command.run(ctx).await,
            Command::Auth(command) => command.run(ctx).await,
            Command::Config(command) => command.run(ctx),
            Command::Demo => demo::run(ctx).await,
            Command::Completions(command) => command.run(ctx),
        }
    }
}

impl DeploymentCommand {
    /// Run `tray deployment ...`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        match self {
            DeploymentCommand::Create(command) => command.run(ctx).await,
            DeploymentCommand::Get(command) => command.run(ctx).await,
        }
    }
}

impl PermissionsCommand {
    /// Run `tray permissions ...`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        match self {
            PermissionsCommand::Add(command) => command.run(ctx).await,
        }
    }
}

impl ProjectCommand {
    /// Run `tray project ...`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        match self {
            ProjectCommand::Version(command) => command.run(ctx).await,
            ProjectCommand::Export(command) => command.run(ctx).await,
            ProjectCommand::Import(command) => command.run(ctx).await,
            ProjectCommand::Promote(command) => command.run(ctx).await,
        }
    }
}

impl VersionCommand {
    /// Run `tray project version ...`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        match self {
            VersionCommand::Create(command) => command.run(ctx).await,
            VersionCommand::List(command) => command.run(ctx).await,
        }
    }
}

impl ImportCommand {
    /// Run `tray project import ...`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        match self {
            ImportCommand::Requirements(command) => command.run(ctx).await,
            ImportCommand::Preview(command) => command.run(ctx).await,
            ImportCommand::Apply(command) => command.run(ctx).await,
        }
    }
}

impl SolutionCommand {
    /// Run `tray solution ...`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        match self {
            SolutionCommand::Release(command) => command.run(ctx).await,
        }
    }
}

impl ReleaseCommand {
    /// Run `tray solution release ...`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        match self {
            ReleaseCommand::Preview(command) => command.run(ctx).await,
            ReleaseCommand::Create(command) => command.run(ctx).await,
        }
    }
}

impl SandboxCommand {
    /// Run `tray sandbox ...`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        match self {
            SandboxCommand::Serve(command) => command.run(ctx).await,
        }
    }
}

impl AuthCommand {
    /// Run `tray auth ...`.
    pub async fn run(self, ctx: &mut Context) -> CmdResult {
        match self {
            AuthCommand::Status => auth::status(ctx).await,
        }
    }
}

impl ConfigCommand {
    /// Run `tray config ...`.
    pub fn run(self, ctx: &mut Context) -> CmdResult {
        match self {
            ConfigCommand::Path => config_cmd::path(ctx),
            ConfigCommand::List => config_cmd::list(ctx),
            ConfigCommand::Schema => config_cmd::schema(ctx),
        }
    }
}
