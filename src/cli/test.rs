//! `scopesim test`: run a TOML file of expectations against the rules it names. Parsing,
//! running and coverage are in `scopesim::review::testing`; this loads and prints.

use super::Exit;
use super::common::bar;
use super::output::Out;
use scopesim::review::testing::{TestFormat, render, run_file};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The test file (TOML): rules, optional directory, cases with expectations.
    pub tests: PathBuf,
    /// Fail when fewer than this percentage of filter and clause outcomes are covered.
    #[arg(long, value_parser = scopesim::output::format::parse_percent, value_name = "PCT")]
    pub min_coverage: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,
}

/// Runs the command; `Err` carries the exit code of a failure already printed.
pub fn run(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    let bar = bar(out, [args.tests.as_path()]);
    let report = run_file(&args.tests, &bar).map_err(|f| out.fail(&f.step, &f.errors))?;
    drop(bar);
    let width = u16::try_from(out.width).unwrap_or(u16::MAX);
    let text = render(&report, args.min_coverage, args.format, width);
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
