//! What went wrong, and the exit status it maps to.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the API or the network failed |
//! | 2 | bad usage or bad local input, detected before any request |
//! | 3 | a deployment finished `Failed` |
//! | 4 | gave up waiting |

use std::fmt;
use std::process::ExitCode;

/// A command failure: one line of message, an optional hint line, an exit status.
#[derive(Debug)]
pub struct Failure {
    /// Exit status.
    pub code: u8,
    /// First line.
    pub message: String,
    /// Optional second line.
    pub hint: Option<String>,
}

/// Exit status for API and network failures.
pub const API: u8 = 1;
/// Exit status for bad usage or bad local input.
pub const USAGE: u8 = 2;
/// Exit status for a deployment that finished `Failed`.
pub const DEPLOYMENT_FAILED: u8 = 3;
/// Exit status for giving up waiting.
pub const TIMEOUT: u8 = 4;

impl Failure {
    /// Bad usage or bad local input (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: USAGE,
            message: message.into(),
            hint: None,
        }
    }

    /// Add a hint line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Print to stderr and end the process with the exit status.
    pub fn exit(&self) -> ! {
        self.report();
        std::process::exit(i32::from(self.code))
    }

    /// Print to stderr and return the exit status.
    pub fn report(&self) -> ExitCode {
        eprintln!("error: {}", self.message);
        if let Some(hint) = &self.hint {
            eprintln!("hint: {hint}");
        }
        ExitCode::from(self.code)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<tray_api::Error> for Failure {
    fn from(error: tray_api::Error) -> Self {
        Self::from_ref(&error)
    }
}

impl Failure {
    /// The failure (message, hint, exit status) of a library error.
    pub fn from_ref(error: &tray_api::Error) -> Self {
        let code = match error {
            tray_api::Error::DeploymentFailed { .. } => DEPLOYMENT_FAILED,
            tray_api::Error::Timeout { .. } => TIMEOUT,
            error if error.is_local() => USAGE,
            _ => API,
        };
        Self {
            code,
            message: error.to_string(),
            hint: error.hint().map(str::to_owned),
        }
    }
}

/// Result of a command.
pub type CmdResult<T = ()> = Result<T, Failure>;
