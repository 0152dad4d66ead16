//! `scopesim plan`: the rollout plan, per app and stage, with an optional per-user report
//! and payloads. What is written is decided in `scopesim::report::plan_output`.

use super::Exit;
use super::common::{CsvArgs, FixedArgs, SimArgs, phase};
use super::output::Out;
use scopesim::report::plan_output::{PlanFormat, PlanOutputs, render_plan};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub sim: SimArgs,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    pub format: PlanFormat,
    /// Write the summary here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write one row per user, app and stage (CSV, or Parquet with the `parquet` feature).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub csv: CsvArgs,
    /// A line the HTML page shows under its title (operator, ticket): without it the page
    /// is byte-identical across runs.
    #[arg(long, value_name = "TEXT")]
    pub stamp: Option<String>,
    /// Write what Entra would send for each create and update, from the schema's attribute
    /// mappings (S40): one JSON object per user, app and stage (NDJSON). With
    /// `--target-state`, updates are split into would change and no change.
    #[arg(long, value_name = "FILE.ndjson")]
    pub payloads: Option<PathBuf>,
    #[command(flatten)]
    pub fixed: FixedArgs,
    /// Exit 1 when there are warnings.
    #[arg(long)]
    pub fail_on_warnings: bool,
}

/// Runs the command; `Err` carries the exit code of a failure already printed.
pub fn run(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    let (app, stage) = args.sim.selection();
    let payload_opts = match args.payloads {
        Some(_) => Some(args.fixed.options(app, stage).map_err(|d| out.error(d))?),
        None => None,
    };
    let o = PlanOutputs {
        format: args.format,
        report: args.report.as_deref(),
        app,
        stage,
        csv: args.csv.style(),
        stamp: args.stamp.as_deref(),
        width: out.width,
        paint: out.paint(),
        payloads: args.payloads.as_deref().zip(payload_opts.as_ref()),
    };
    let outputs = [
        ("-o", args.output.as_deref()),
        ("--report", args.report.as_deref()),
        ("--payloads", args.payloads.as_deref()),
    ];
    let (done, bar) = args.sim.simulate(out, o.columns(), &outputs, &[])?;
    bar.phase(match o.report {
        Some(_) => phase::REPORT,
        None => phase::RENDER,
    });
    let result = render_plan(&done.simulation(), &done.run, &o, &bar);
    let result = result.map_err(|e| out.errors(&e))?;
    drop(bar);
    out.warnings("plan", &result.warnings, done.rules.sources());
    let printed = out.write_result(args.output.as_deref(), &result.text, result.staged);
    if printed != Exit::Ok {
        return Ok(printed);
    }
    let failed = result.held || (args.fail_on_warnings && result.warning_count > 0);
    Ok(if failed { Exit::Failed } else { Exit::Ok })
}
