//! Where output goes: results to stdout, diagnostics to stderr (human or JSON lines),
//! colour only on a terminal, and a broken pipe ends the run quietly.

use super::{ColorChoice, ErrorFormat, Exit};
use scopesim::diag::{Code, Diagnostic, Errors, Severity};
use scopesim::output::atomic::{Staged, stage};
use scopesim::source::Sources;
use std::io::{IsTerminal, Write};
use std::path::Path;

pub struct Out {
    pub color: bool,
    pub error_format: ErrorFormat,
    pub stdout_tty: bool,
    pub stderr_tty: bool,
}

impl Out {
    pub fn new(color: ColorChoice, error_format: ErrorFormat) -> Out {
        let stderr_tty = std::io::stderr().is_terminal();
        let stdout_tty = std::io::stdout().is_terminal();
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stderr_tty && std::env::var_os("NO_COLOR").is_none(),
        };
        Out {
            color,
            error_format,
            stdout_tty,
            stderr_tty,
        }
    }

    /// Prints diagnostics to stderr, in reading order: at most [`scopesim::diag::MAX_SHOWN`],
    /// then a note counting the rest. A closed stderr is not an error.
    pub fn diagnostics(&mut self, diags: &[Diagnostic], sources: &Sources) {
        let (shown, more) = scopesim::diag::capped(diags);
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
