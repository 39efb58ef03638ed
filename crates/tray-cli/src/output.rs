//! Where output goes: results on stdout (text or one JSON document),
//! progress and notes on stderr.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use serde::Serialize;

use crate::cli::Output;
use crate::failure::{CmdResult, Failure};

/// Prints results in the chosen format.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    /// Text or JSON.
    pub output: Output,
    /// Only errors (and the JSON document).
    pub quiet: bool,
    /// When the command started: progress lines show the time since.
    pub started: std::time::Instant,
}

impl Printer {
    /// Whether results are JSON.
    pub fn is_json(&self) -> bool {
        self.output == Output::Json
    }

    /// Print the command's one JSON document (JSON mode only), or what
    /// `--jq` makes of it.
    pub fn json<T: Serialize + ?Sized>(&self, value: &T) -> CmdResult {
        if !self.is_json() {
            return Ok(());
        }
        let mut text = serde_json::to_vec_pretty(value)
            .map_err(|e| Failure::usage(format!("cannot write JSON output: {e}")))?;
        text.push(b'\n');
        self.document(text)
    }

    /// Print the command's one document, already JSON text (an export as
    /// Tray sent it), filtered by `--jq` when given.
    pub fn document(&self, mut text: Vec<u8>) -> CmdResult {
        crate::failure::mark_document_printed();
        if let Some(expr) = crate::jq::active() {
            text = crate::jq::filter(expr, &text)?;
        }
        write_stdout(&text)
    }

    /// Print a result line (text mode only).
    pub fn line(&self, text: impl AsRef<str>) -> CmdResult {
        if self.is_json() || self.quiet {
            return Ok(());
        }
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", text.as_ref()).map_err(write_failure)
    }

    /// Print a progress note on stderr: only in text mode, when stderr is a
    /// terminal and not in quiet mode (never in JSON mode or when piped).
    pub fn note(&self, text: impl AsRef<str>) {
        if !self.is_json() && !self.quiet && std::io::stderr().is_terminal() {
            eprintln!("{}", text.as_ref());
        }
    }

    /// A progress event, for logs nobody watches live (CI): one plain line
    /// on stderr, `ELAPSED  TEXT` (`12s  acme-crm 1.0  Building`), in text
    /// and JSON mode, on a terminal or not; silenced only by `-q`. No
    /// spinner characters and no ANSI codes.
    pub fn event(&self, text: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}  {}", elapsed(self.started.elapsed()), text.as_ref());
        }
    }

    /// A spinner on stderr, shown only when stderr is a terminal and output is
    /// text and not quiet.
    pub fn progress(&self, message: impl Into<String>) -> Progress {
        let show = !self.is_json() && !self.quiet && std::io::stderr().is_terminal();
        Progress::new(show, message.into())
    }
}

/// A spinner (or nothing, when not on a terminal).
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(show: bool, message: String) -> Self {
        let bar = show.then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(100));
            bar.set_message(message);
            bar
        });
        Self { bar }
    }

    /// Update the message.
    #[cfg_attr(not(feature = "sandbox"), allow(dead_code))] // used by `tray demo`
    pub fn set(&self, message: impl Into<String>) {
        if let Some(bar) = &self.bar {
            bar.set_message(message.into());
        }
    }

    /// Print a progress event line ([`Printer::event`]); on a terminal,
    /// above the spinner (hidden while the line is written), which then
    /// shows the same text.
    pub fn event(&self, printer: &Printer, text: impl AsRef<str>) {
        match &self.bar {
            Some(bar) => {
                bar.suspend(|| printer.event(text.as_ref()));
                bar.set_message(text.as_ref().to_owned());
            }
            None => printer.event(text),
        }
    }

    /// Remove the spinner.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Print the command's one document as it is (a body as received, not
/// filtered), so a failure after it adds no second one.
pub fn raw_document(bytes: &[u8]) -> CmdResult {
    crate::failure::mark_document_printed();
    write_stdout(bytes)
}

/// Write and flush stdout (a closed pipe ends the command quietly).
fn write_stdout(bytes: &[u8]) -> CmdResult {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(write_failure)
}

/// A compact elapsed time for progress lines: `0s`, `12s`, `2m05s`, `1h02m`.
pub fn elapsed(duration: Duration) -> String {
    let secs = duration.as_secs();
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        _ => format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60),
    }
}

/// A failure to write stdout. A closed pipe (`tray ... | head -1`) ends the
/// command quietly with status 0 ([`Failure::closed_stdout`]), as Unix
/// tools do; any other write error is reported (status 1).
pub fn write_failure(error: std::io::Error) -> Failure {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        return Failure::closed_stdout();
    }
    Failure::new(
        crate::failure::API,
        format!("cannot write the output: {error}"),
    )
}

#[cfg(test)]
mod tests {
    use super::elapsed;
    use std::time::Duration;

    #[test]
    fn elapsed_is_compact() {
        assert_eq!(elapsed(Duration::from_millis(900)), "0s");
        assert_eq!(elapsed(Duration::from_secs(12)), "12s");
        assert_eq!(elapsed(Duration::from_secs(125)), "2m05s");
        assert_eq!(elapsed(Duration::from_secs(3720)), "1h02m");
    }
}
