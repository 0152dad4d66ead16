//! `scopesim reconcile`: the plan against Entra's provisioning logs, after go-live (S37, S38).

use super::Exit;
use super::common::SimArgs;
use super::output::Out;
use scopesim::pipeline::Columns;
use scopesim::pipeline::request::Simulated;
use scopesim::reconcile::output::{ReconcileFormat, ReconcileOutputs, render_reconcile};
use scopesim::reconcile::{CycleChoice, Request};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub sim: SimArgs,
    /// Provisioning logs: Graph `/auditLogs/provisioning` pages, the admin center's JSON
    /// download, NDJSON, or a Log Analytics `AADProvisioningLogs` export (repeatable).
    #[arg(long, required = true, value_name = "FILE")]
    pub logs: Vec<PathBuf>,
    /// How the logs name the app: `servicePrincipal` display name or id, or `jobId`
    /// (default: the app's name).
    #[arg(long, value_name = "NAME_OR_ID")]
    pub log_app: Option<String>,
    /// Compare this cycle (repeatable), or `all`; default: the latest full cycle.
    #[arg(long, value_name = "CYCLE_ID")]
    pub cycle: Vec<String>,
    /// The job's status: the JSON of `GET /servicePrincipals/{id}/synchronization/jobs/{jobId}`.
    #[arg(long, value_name = "FILE")]
    pub job_status: Option<PathBuf>,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = ReconcileFormat::Table)]
    pub format: ReconcileFormat,
    /// Write the summary here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write one CSV row per user in a class other than as predicted.
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
    let mut logs = args.logs.clone();
    logs.extend(args.job_status.iter().cloned());
    let (sim, bar) = args.sim.simulate(out, Columns::Report, &outputs, &logs)?;
    let Simulated { rules, run, .. } = sim;
    let (app, stage) = args.sim.selection();
    let cycles = CycleChoice::from_args(&args.cycle);
    let request = Request {
        run: &run,
        app,
        stage,
        logs: &args.logs,
        log_app: args.log_app.as_deref(),
        cycles: &cycles,
        job_status: args.job_status.as_deref(),
    };
    let o = ReconcileOutputs {
        format: args.format,
        report: args.report.as_deref(),
        width: out.width,
        stamp: args.stamp.as_deref(),
        sources: rules.sources(),
    };
    let done = render_reconcile(&request, &o).map_err(|e| out.fail("logs", &e))?;
    drop(bar);
    out.diagnostics(&done.warnings, rules.sources());
    let printed = out.write_result(args.output.as_deref(), &done.text, done.staged);
    if printed != Exit::Ok {
        return Ok(printed);
    }
    Ok(if done.result.failed() {
        Exit::Failed
    } else {
        Exit::Ok
    })
}
