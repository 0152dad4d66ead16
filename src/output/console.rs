//! Where a command's output goes: results to stdout, diagnostics to stderr (human or JSON
//! lines, capped, control characters escaped), colour decided once per stream
//! ([`ColorChoice::resolve`]), the width tables are laid out in (`--width`, the
//! terminal's, or [`PIPE_WIDTH`] in a pipe), and a broken pipe ends the run quietly
//! (ripgrep's way). Every command of the binary prints through one [`Console`], so no
//! warning can bypass `--error-format json`.

use super::atomic::{Staged, stage};
use super::color::Paint;
use crate::diag::{Code, Diagnostic, Errors, Severity};
use crate::source::Sources;
use std::io::{IsTerminal, Write};
use std::path::Path;

pub use super::color::ColorChoice;

/// How errors and warnings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ErrorFormat {
    /// For people: the message, the source excerpt with marks, the help.
    Human,
    /// For machines: one JSON object per line on stderr.
    Json,
}

/// Process exit status: part of the interface. 0 ran fine; 1 ran, but a requested check
/// failed; 2 usage, input or rules error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Ran fine.
    Ok = 0,
    /// Ran, but a requested check failed.
    Failed = 1,
    /// Usage, input or rules error.
    Error = 2,
}

/// The width tables are laid out in when stdout is not a terminal and no `--width` is
/// given.
pub const PIPE_WIDTH: usize = 160;

/// The terminal a command talks to: what it knows of stdout and stderr, and the one path
/// every diagnostic of every command is printed through.
#[derive(Debug)]
pub struct Console {
    /// Colour on stderr.
    pub color: bool,
    /// Colour on stdout (tables, lists).
    pub stdout_color: bool,
    /// How diagnostics are printed.
    pub error_format: ErrorFormat,
    /// Stdout is a terminal.
    pub stdout_tty: bool,
    /// Stderr is a terminal.
    pub stderr_tty: bool,
    /// The width tables on stdout are laid out in.
    pub width: usize,
}

impl Console {
    /// Looks at the terminal: colour of each stream (`--color`, `NO_COLOR`,
    /// `CLICOLOR_FORCE`), whether stdout and stderr are terminals, and the table width
    /// (`width` when given, else the terminal's, else [`PIPE_WIDTH`]).
    pub fn new(color: ColorChoice, error_format: ErrorFormat, width: Option<usize>) -> Console {
        let stderr_tty = std::io::stderr().is_terminal();
        let stdout_tty = std::io::stdout().is_terminal();
        let terminal =
            || terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| usize::from(w.0));
        let width = match width {
            Some(w) => w,
            None if stdout_tty => terminal().unwrap_or(80),
            None => PIPE_WIDTH,
        };
        Console {
            color: color.resolve(stderr_tty),
            stdout_color: color.resolve(stdout_tty),
            error_format,
            stdout_tty,
            stderr_tty,
            width: width.max(20),
        }
    }

    /// How tables and lists on stdout are painted.
    pub fn paint(&self) -> Paint {
        Paint::new(self.stdout_color)
    }

    /// Prints a failure of one step (`what` names it in the summary line) and gives
    /// exit 2.
    pub fn fail(&mut self, what: &str, e: &Errors) -> Exit {
        self.diagnostics(e, e.sources());
        self.summary(what, e);
        Exit::Error
    }

    /// Prints a failed step: with its summary line when it names one; exit 2.
    pub fn failed(&mut self, f: &crate::diag::Failure) -> Exit {
        match &f.step {
            Some(step) => self.fail(step, &f.errors),
            None => self.errors(&f.errors),
        }
    }

    /// Prints a failed run and gives exit 2; its summary line names what failed
    /// ([`run_label`]).
    pub fn fail_run(&mut self, e: &Errors) -> Exit {
        self.fail(&run_label(e), e)
    }

    /// Prints diagnostics to stderr, in reading order: at most [`crate::diag::MAX_SHOWN`],
    /// then a note counting the rest. A closed stderr is not an error.
    pub fn diagnostics(&mut self, diags: &[Diagnostic], sources: &Sources) {
        let (shown, more) = crate::diag::capped(diags);
        let mut err = std::io::stderr().lock();
        for d in shown.iter().chain(more.as_ref()) {
            let r = match self.error_format {
                ErrorFormat::Json => writeln!(err, "{}", d.to_json(sources)),
                ErrorFormat::Human => write!(err, "{}", d.render(sources, self.color)),
            };
            if r.is_err() {
                return;
            }
        }
    }

    /// Prints a summary line of diagnostic counts to stderr (human format only).
    pub fn summary(&mut self, what: &str, diags: &[Diagnostic]) {
        if self.error_format == ErrorFormat::Json {
            return;
        }
        let errors = diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let warnings = diags
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count();
        if errors + warnings == 0 {
            return;
        }
        let plural = |n: usize, s: &str| {
            if n == 1 {
                format!("{n} {s}")
            } else {
                format!("{n} {s}s")
            }
        };
        let _ = writeln!(
            std::io::stderr(),
            "{what}: {}, {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        );
    }

    /// Prints warnings (or any diagnostics) with their summary line, `what: N errors, M
    /// warnings`, on stderr.
    pub fn warnings(&mut self, what: &str, diags: &[Diagnostic], sources: &Sources) {
        self.diagnostics(diags, sources);
        self.summary(what, diags);
    }

    /// Writes a result to stdout; a closed pipe is not an error.
    pub fn stdout(&mut self, text: &str) -> Exit {
        let mut o = std::io::stdout().lock();
        match o.write_all(text.as_bytes()).and_then(|_| o.flush()) {
            Ok(()) => Exit::Ok,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok,
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "error: cannot write output: {e}");
                Exit::Error
            }
        }
    }

    /// Prints one error without source context.
    pub fn error(&mut self, d: Diagnostic) -> Exit {
        self.diagnostics(&[d], &Sources::new());
        Exit::Error
    }

    /// A usage error (exit 2) with help.
    pub fn usage(&mut self, message: &str, help: &str) -> Exit {
        self.error(Diagnostic::error(Code::Usage, message.to_string()).with_help(help.to_string()))
    }

    /// Prints a failure (with the rule texts it carries) and gives exit 2.
    pub fn errors(&mut self, e: &Errors) -> Exit {
        self.diagnostics(e, e.sources());
        Exit::Error
    }

    /// Prints "cannot write `what`" and gives exit 2.
    pub fn io_error(&mut self, what: &str, e: &std::io::Error) -> Exit {
        self.error(Diagnostic::error(
            Code::Io,
            format!("cannot write {what}: {e}"),
        ))
    }

    /// Writes a command's result to `path` (atomically) or to stdout, and puts the
    /// `staged` outputs of the run (its reports) in place with it: when the result
    /// cannot be written, none of them is (a failed run writes nothing).
    pub fn write_result(&mut self, path: Option<&Path>, text: &str, staged: Vec<Staged>) -> Exit {
        let result = match path {
            Some(path) => match stage(path, |w| w.write_all(text.as_bytes())) {
                Ok(s) => Some(s),
                Err(e) => {
                    return self.error(Diagnostic::error(
                        Code::Io,
                        format!("cannot write `{}`: {e}", path.display()),
                    ));
                }
            },
            None => None,
        };
        for s in staged.into_iter().chain(result) {
            if let Err(e) = s.commit() {
                return self.error(Diagnostic::error(
                    Code::Io,
                    format!("cannot put an output in place: {e}"),
                ));
            }
        }
        match path {
            Some(_) => Exit::Ok,
            None => self.stdout(text),
        }
    }
}

/// What a failed run is called in its summary line: errors of the rules (compiled against
/// the export's columns) carry spans; errors of one input file name that file.
pub fn run_label(e: &Errors) -> String {
    if e.iter().all(|d| !d.labels.is_empty()) {
        return "rules".to_string();
    }
    let mut files = e
        .iter()
        .filter_map(|d| d.location.as_ref().map(|l| l.path.as_str()));
    match files.next() {
        Some(first) if files.all(|f| f == first) => first.to_string(),
        _ => "inputs".to_string(),
    }
}

/// On SIGINT or SIGTERM: remove the temporary files of outputs not yet in place, say so,
/// and exit 130 or 143 at once (from a watcher thread, so that a long read or report
/// stops promptly whatever it is doing).
pub fn watch_signals() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            super::atomic::remove_pending();
            let name = if sig == SIGINT { "SIGINT" } else { "SIGTERM" };
            let _ = std::io::stderr().write_all(
                format!(
                    "interrupted ({name}): stopped, and outputs not yet in place were removed\n"
                )
                .as_bytes(),
            );
            std::process::exit(128 + sig);
        }
    });
}
