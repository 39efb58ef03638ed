//! `tray completions`.

use std::io::Write;

use crate::cli::CompletionsArgs;
use crate::context::Context;
use crate::failure::CmdResult;

impl CompletionsArgs {
    /// `tray completions SHELL`: the script on stdout, with the profile
    /// names of the config file as it is now.
    pub fn run(self, ctx: &mut Context) -> CmdResult {
        let mut script = Vec::new();
        let mut command = crate::help::completion_command(ctx.global.config.as_deref());
        clap_complete::generate(self.shell, &mut command, "tray", &mut script);
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(&script)
            .and_then(|()| stdout.flush())
            .map_err(crate::output::write_failure)
    }
}
