//! What went wrong, and the exit status it maps to.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the API or the network failed, or a result could not be written |
//! | 2 | bad usage or bad local input, detected before any request |
//! | 3 | a deployment finished `Failed` |
//! | 4 | gave up waiting |
//!
//! The status follows the phase of the error, not its kind: a file that
//! cannot be read before the call is 2; an export that cannot be written
//! after a successful download is 1.
//!
//! With `-o json`, a failed command prints exactly one document on stdout
//! (see [`json_document`]): the document the command defines for its
//! failure if it printed one (a `Failed` deployment, a timeout's last
//! deployment, the per-region array of a multi-region command), else
//! `{"region": LABEL, "error": ERROR}`, or `{"error": ERROR}` for a usage
//! error found before any request.

use std::fmt;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};
use tray_api::{Error, Subject};

/// A command failure: one line of message, an optional hint line, an exit status.
#[derive(Debug)]
pub struct Failure {
    /// Exit status.
    pub code: u8,
    /// First line.
    pub message: String,
    /// Optional second line.
    pub hint: Option<String>,
    /// The library error's JSON (`{"kind","message",...}`), when the
    /// failure comes from one; build failures with [`Failure::new`].
    pub error: Option<Value>,
}

/// Exit status for API and network failures.
pub const API: u8 = 1;
/// Exit status for bad usage or bad local input.
pub const USAGE: u8 = 2;
/// Exit status for a deployment that finished `Failed`.
pub const DEPLOYMENT_FAILED: u8 = 3;
/// Exit status for giving up waiting.
pub const TIMEOUT: u8 = 4;

/// Whether the command already wrote its one JSON document on stdout.
static DOCUMENT_PRINTED: AtomicBool = AtomicBool::new(false);

/// Record that the command's JSON document is on stdout (called by
/// `Printer::json`), so that a failure adds no second one.
pub fn mark_document_printed() {
    DOCUMENT_PRINTED.store(true, Ordering::Relaxed);
}

/// Whether the command's JSON document is already on stdout.
pub fn document_printed() -> bool {
    DOCUMENT_PRINTED.load(Ordering::Relaxed)
}

impl Failure {
    /// A failure with this exit status and message.
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            hint: None,
            error: None,
        }
    }

    /// Bad usage or bad local input (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(USAGE, message)
    }

    /// The failure of one region (or profile) of a command that calls
    /// several: the message starts with its label (`eu: ...`).
    pub fn in_region(mut self, region: &str) -> Self {
        self.message = format!("{region}: {}", self.message);
        self
    }

    /// Add a hint line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The end of a command whose stdout was closed by its reader
    /// (`tray ... | head -1`): nothing more to print, so the command stops
    /// and `main` ends the process quietly with status 0, as Unix tools do.
    /// It travels as a failure so that every destructor (a temporary file,
    /// a sandbox) still runs on the way out.
    pub fn closed_stdout() -> Self {
        Self::new(0, "stdout was closed")
    }

    /// Whether this is [`Failure::closed_stdout`]: nothing to print, status 0.
    pub fn is_quiet(&self) -> bool {
        self.code == 0
    }

    /// Print to stderr (nothing for a quiet end) and return the exit status.
    pub fn report(&self) -> ExitCode {
        if self.is_quiet() {
            return ExitCode::SUCCESS;
        }
        eprintln!("error: {}", self.message);
        if let Some(hint) = &self.hint {
            eprintln!("hint: {hint}");
        }
        ExitCode::from(self.code)
    }

    /// The error part of the JSON failure document: the library's error
    /// shape (`{"kind","message","status","code","operation","hint"}`),
    /// or, for a failure of the CLI itself, the same fields with `kind`
    /// `"usage"` (exit 2) or `"cli"`.
    pub fn error_json(&self) -> Value {
        if let Some(error) = &self.error {
            let mut error = error.clone();
            // The message may carry a prefix (the region) and the hint the
            // CLI's words: the document says what stderr says.
            error["message"] = json!(self.message);
            error["hint"] = json!(self.hint);
            return error;
        }
        json!({
            "kind": if self.code == USAGE { "usage" } else { "cli" },
            "message": self.message,
            "status": null,
            "code": null,
            "operation": null,
            "hint": self.hint,
        })
    }
}

/// The one JSON document a failed command prints on stdout in JSON mode,
/// or `None` when the command already printed its own. `region` is the
/// label of the place the command called (none before any request).
pub fn json_document(failure: &Failure, region: Option<&str>) -> Option<Value> {
    if document_printed() {
        return None;
    }
    let error = failure.error_json();
    Some(match region {
        Some(region) if failure.code != USAGE => json!({"region": region, "error": error}),
        _ => json!({"error": error}),
    })
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self::from_ref(&error)
    }
}

impl Failure {
    /// The failure (message, hint, exit status) of a library error: the
    /// status follows the phase (2 only when nothing was sent), the hint
    /// names the `tray` command or flag to use.
    pub fn from_ref(error: &Error) -> Self {
        let code = match error {
            Error::DeploymentFailed { .. } => DEPLOYMENT_FAILED,
            Error::Timeout { .. } => TIMEOUT,
            error if error.is_local() => USAGE,
            _ => API,
        };
        Self {
            code,
            message: error.to_string(),
            hint: cli_hint(error).or_else(|| error.hint().map(str::to_owned)),
            error: serde_json::to_value(error).ok(),
        }
    }
}

/// A hint in the CLI's words (commands and flags), where the library's
/// generic one can be made exact.
fn cli_hint(error: &Error) -> Option<String> {
    let subject = error.subject();
    match error {
        Error::OutcomeUnknown { .. } => Some(match subject? {
            Subject::Version { project, version } => format!(
                "check whether version {version} exists before creating it again: tray project version list {project}"
            ),
            Subject::Connector { name, version }
                if error.operation() == Some(tray_api::Operation::DeployConnector.id()) =>
            {
                format!("check before deploying again: tray deployment get {name} {version} latest")
            }
            Subject::Connector { .. } => {
                "sharing again is harmless: run the same `tray permissions add` again".to_owned()
            }
            Subject::Project { id } => format!(
                "check project {id} in Tray before importing again (`tray project import preview` shows what is left to change)"
            ),
            Subject::Solution { id } => format!(
                "check the releases of solution {id} in Tray before `tray solution release create` again"
            ),
            _ => return None,
        }),
        Error::NotFound(_) => Some(match subject? {
            Subject::Deployment { name, version, .. } => format!(
                "no such deployment of {name} {version} in this region: check the name, version and --region, or deploy it (tray deployment create)"
            ),
            Subject::Connector { name, version } => format!(
                "{name} {version} is not deployed in this region: deploy it first (tray deployment create) or check --region"
            ),
            Subject::Project { .. } => {
                "no such project for this token: check the project id and --region".to_owned()
            }
            Subject::Version { project, .. } => format!(
                "no such version: list them with `tray project version list {project}`, and check --region"
            ),
            Subject::Solution { .. } => {
                "no such solution for this token: check the solution id and --region".to_owned()
            }
            _ => return None,
        }),
        Error::InvalidInput(details)
            if matches!(subject, Some(Subject::Project { .. }))
                && details
                    .message
                    .as_deref()
                    .is_some_and(|m| m.to_ascii_lowercase().contains("unresolved authentication")) =>
        {
            let ids = unresolved_ids(details.message.as_deref().unwrap_or(""));
            Some(if ids.is_empty() {
                "resolve each authentication with --auth EXPORT_ID=<authentication uuid> (`tray project import requirements` lists them)".to_owned()
            } else {
                format!(
                    "add {} (the destination authentications to use; `tray project import requirements` lists them)",
                    ids.iter()
                        .map(|id| format!("--auth {id}=<uuid>"))
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            })
        }
        Error::Unauthorized(_) => Some(
            "check the token of this region: --token-file, TRAY_API_TOKEN_<REGION> or TRAY_API_TOKEN (tokens are per region)".to_owned(),
        ),
        Error::NoToken { .. } => Some(
            "set the variable named above or pass --token-file PATH (see `tray --help` for the region/token rule); or try any command with --sandbox, which needs no token".to_owned(),
        ),
        _ => None,
    }
}

/// The export ids in Tray's "Unresolved authentications: a, b. ..." message.
fn unresolved_ids(message: &str) -> Vec<String> {
    let lower = message.to_ascii_lowercase();
    let Some(start) = lower.find("unresolved authentications:") else {
        return Vec::new();
    };
    let rest = &message[start + "unresolved authentications:".len()..];
    let list = rest.split('.').next().unwrap_or("");
    list.split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty() && !id.contains(' '))
        .map(str::to_owned)
        .collect()
}

/// Result of a command.
pub type CmdResult<T = ()> = Result<T, Failure>;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn unresolved_ids_are_read_from_trays_message() {
        assert_eq!(
            unresolved_ids(
                "Unresolved authentications: salesforce-production, slack. Map each authExportId to an authentication"
            ),
            vec!["salesforce-production", "slack"]
        );
        assert!(unresolved_ids("something else").is_empty());
    }

    #[test]
    fn a_usage_failure_has_no_region() {
        let doc = json_document(&Failure::usage("bad"), Some("us")).unwrap();
        assert_eq!(doc["error"]["kind"], "usage");
        assert!(doc.get("region").is_none());
    }
}
