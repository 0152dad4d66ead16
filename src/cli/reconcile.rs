//! `scopesim reconcile`: the plan against Entra's provisioning logs, after go-live (S37, S38).

use super::Exit;
use super::common::{SimArgs, Simulated, fail};
use super::output::Out;
use scopesim::diag::Code;
use scopesim::pipeline::Columns;
use scopesim::reconcile::{CycleChoice, Request, reconcile, render};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Counts per class, top reasons, examples, the job.
    Table,
    /// The stable JSON document (`app`, `stage`, `counts`, `discrepancies`, `job`, `inputs`).
    Json,
    /// Counts per class.
    Csv,
    /// A self-contained HTML page.
    Html,
}

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
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the summary here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write one CSV row per user in a class other than as predicted.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

pub fn run(args: Args, out: &mut Out) -> Exit {
    match run_inner(args, out) {
        Ok(e) | Err(e) => e,
    }
}

fn run_inner(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    let outputs = [
        ("-o", args.output.as_deref()),
        ("--report", args.report.as_deref()),
    ];
    let mut logs = args.logs.clone();
    logs.extend(args.job_status.iter().cloned());
    let Simulated { rules, run, .. } = args.sim.simulate(out, Columns::Report, &outputs, &logs)?;
    let (app, stage) = (args.sim.app.as_deref(), args.sim.stage.as_deref());
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
    let result = reconcile(&request).map_err(|e| fail(out, "logs", &e))?;
    let mut warnings = run.warnings.clone();
    warnings.extend(
        result
            .warnings
            .iter()
            // The table states the cycle compared itself.
            .filter(|d| !(args.format == Format::Table && d.code == Code::LogCycle))
            .cloned(),
    );
    out.diagnostics(&warnings, rules.sources());
    let mut text = match args.format {
        Format::Table => {
            render::summary_text(&result, if out.stdout_tty { None } else { Some(160) })
        }
        Format::Json => {
            serde_json::to_string_pretty(&render::to_json(&result)).unwrap_or_default() + "\n"
        }
        Format::Csv => {
            let mut buf = Vec::new();
            render::counts_csv(&result, &mut buf).map_err(|e| out.io_error("the summary", &e))?;
            String::from_utf8_lossy(&buf).into_owned()
        }
        Format::Html => render::html(&result),
    };
    let mut staged = Vec::new();
    if let Some(path) = &args.report {
        let (s, rows) = render::write_report(&result, path)
            .map_err(|e| out.io_error(&format!("the report `{}`", path.display()), &e))?;
        staged.push(s);
        if args.format == Format::Table {
            text.push_str(&format!(
                "\nreport: {rows} rows written to {}\n",
                path.display()
            ));
        }
    }
    if args.format == Format::Table {
        text = scopesim::text::escape_control(&text).into_owned();
    }
    let printed = out.write_result(args.output.as_deref(), &text, staged);
    if printed != Exit::Ok {
        return Ok(printed);
    }
    Ok(if result.failed() {
        Exit::Failed
    } else {
        Exit::Ok
    })
}
