//! `scopesim test`: run a TOML file of expectations against the rules it names. Parsing,
//! running and coverage are in `scopesim::review::testing`; this loads and prints.

use super::Exit;
use super::common::{bar, load_inputs, load_rules};
use super::output::Out;
use scopesim::diag::{Code, Diagnostic};
use scopesim::directory::ColumnSelection;
use scopesim::eval::EvalOptions;
use scopesim::pipeline::{DirectorySource, InputFiles};
use scopesim::regex::Anchoring;
use scopesim::review::testing::{RealUsers, RunError, load_suite, render_text, run_suite, to_json};
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
    let suite = match load_suite(&args.tests) {
        Ok(s) => s,
        Err(e) => {
            out.warnings(
                &args.tests.display().to_string(),
                &e.diagnostics,
                &e.sources,
            );
            return Err(Exit::Error);
        }
    };
    let anchoring = suite.anchoring.unwrap_or(Anchoring::Partial);
    let loaded = load_rules(&suite.rules.node, anchoring, out)?;
    let real = if suite.directory.is_empty() {
        None
    } else {
        let inputs = load_inputs(
            &InputFiles {
                assignments: suite.assignments.clone(),
                group_members: suite.group_members.clone(),
                ..InputFiles::default()
            },
            out,
        )?;
        let source = DirectorySource {
            paths: suite.directory.clone(),
            ..DirectorySource::default()
        };
        let bar = bar(out, source.paths.iter().map(PathBuf::as_path));
        let dir = source
            .read(ColumnSelection::only(loaded.attributes()), &bar)
            .map_err(|e| out.fail("directory", &e))?;
        drop(bar);
        Some((dir, inputs))
    };
    let result = run_suite(
        &suite,
        &loaded.loaded,
        real.as_ref().map(|(dir, access)| RealUsers {
            dir,
            inputs: access.rollout_inputs(),
        }),
        EvalOptions { anchoring },
    );
    let report = match result {
        Ok(r) => r,
        Err(RunError::Suite(d)) => {
            out.warnings(&args.tests.display().to_string(), &d, &suite.sources);
            return Err(Exit::Error);
        }
        Err(RunError::Rules(d)) => {
            return Err(out.fail("rules", &d.with_sources(loaded.sources())));
        }
    };
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
