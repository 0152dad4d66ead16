//! `scopesim test`: run a TOML file of expectations against the rules it names. Parsing,
//! running and coverage are in `scopesim::review::testing`; this loads and prints.

use super::Exit;
use super::common::bar;
use super::output::Out;
use scopesim::diag::{Code, Diagnostic};
use scopesim::review::testing::{render_text, run_file, to_json};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The test file (TOML): rules, optional directory, cases with expectations.
    pub tests: PathBuf,
    /// Fail when fewer than this percentage of filter and clause outcomes are covered.
    #[arg(long, value_parser = scopesim::output::format::parse_percent, value_name = "PCT")]
    pub min_coverage: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs the command; `Err` carries the exit code of a failure already printed.
pub fn run(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    let bar = bar(out, [args.tests.as_path()]);
    let report = run_file(&args.tests, &bar).map_err(|f| out.fail(&f.step, &f.errors))?;
    drop(bar);
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&to_json(&report, args.min_coverage))
                .map_err(|e| out.error(Diagnostic::error(Code::Json, e.to_string())))?;
            s.push('\n');
            s
        }
        Format::Text => scopesim::text::escape_control(&render_text(
            &report,
            args.min_coverage,
            if out.stdout_tty { None } else { Some(160) },
        ))
        .into_owned(),
    };
    let printed = out.stdout(&text);
    if printed != Exit::Ok {
        return Ok(printed);
    }
    Ok(if report.ok(args.min_coverage) {
        Exit::Ok
    } else {
        Exit::Failed
    })
}
