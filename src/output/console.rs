//! Where a command's output goes: results to stdout, diagnostics to stderr (human or JSON
//! lines, capped, control characters escaped), colour only on a terminal, and a broken
//! pipe ends the run quietly (ripgrep's way). Every command of the binary prints through
//! one [`Console`], so no warning can bypass `--error-format json`.

use super::atomic::{Staged, stage};
use crate::diag::{Code, Diagnostic, Errors, Severity};
use crate::source::Sources;
use std::io::{IsTerminal, Write};
use std::path::Path;

/// When to use colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

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

/// The terminal a command talks to: what it knows of stdout and stderr, and the one path
/// every diagnostic of every command is printed through.
#[derive(Debug)]
pub struct Console {
    /// Colour on stderr.
    pub color: bool,
    /// How diagnostics are printed.
    pub error_format: ErrorFormat,
    /// Stdout is a terminal.
    pub stdout_tty: bool,
    /// Stderr is a terminal.
    pub stderr_tty: bool,
}

impl Console {
    /// Looks at the terminal: colour (`--color`, `NO_COLOR`) and whether stdout and
    /// stderr are terminals.
    pub fn new(color: ColorChoice, error_format: ErrorFormat) -> Console {
        let stderr_tty = std::io::stderr().is_terminal();
        let stdout_tty = std::io::stdout().is_terminal();
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stderr_tty && std::env::var_os("NO_COLOR").is_none(),
        };
        Console {
            color,
            error_format,
            stdout_tty,
            stderr_tty,
        }
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
