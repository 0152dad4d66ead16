//! `scopesim audit`: the least-privilege audit of the accounts apps already have. What is
//! written is decided in `scopesim::audit::output`.

use super::Exit;
use super::common::SimArgs;
use super::output::Out;
use scopesim::audit::output::{AuditFormat, AuditOutputs, render_audit};
use scopesim::audit::{Selection, columns};
use scopesim::pipeline::request::Simulated;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Rules, directory, inputs; `--stage` audits that stage (default: each app's last).
    #[command(flatten)]
    pub sim: SimArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
    /// Write the output here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write one row per account (CSV): app, stage, account, user, class, reason, last
    /// stage in scope.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// A line under the HTML page's title (operator, ticket).
    #[arg(long, value_name = "TEXT")]
    pub stamp: Option<String>,
}

/// Runs the command; `Err` carries the exit code of a failure already printed.
pub fn run(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    let outputs = [
        ("-o", args.output.as_deref()),
        ("--report", args.report.as_deref()),
    ];
    let (sim, bar) = args.sim.simulate(out, columns(), &outputs, &[])?;
    let Simulated {
        rules, inputs, run, ..
    } = sim;
    let (app, stage) = args.sim.selection();
    let o = AuditOutputs {
        format: args.format,
        report: args.report.as_deref(),
        selection: Selection { app, stage },
        width: out.width,
        stamp: args.stamp.as_deref(),
    };
    let result = render_audit(&run, &rules, &inputs, &o).map_err(|e| out.fail("audit", &e))?;
    drop(bar);
    out.diagnostics(&result.warnings, rules.sources());
    let printed = out.write_result(args.output.as_deref(), &result.text, result.staged);
    if printed != Exit::Ok {
        return Ok(printed);
    }
    // Exit 1 when an account is in a class Entra will not fix by itself.
    Ok(if result.needing_review > 0 {
        Exit::Failed
    } else {
        Exit::Ok
    })
}
