//! `scopesim plan`: the rollout plan, per app and stage, with an optional per-user report.

use super::Exit;
use super::common::{SimArgs, Simulated};
use super::output::Out;
use scopesim::pipeline::Columns;
use scopesim::report::plan::{
    ReportContext, Summary, SummaryFormat, render_summary, summary_rows, write_report,
};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    /// A self-contained HTML page (summary, reasons, warnings, inputs).
    Html,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub sim: SimArgs,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the summary here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write one row per user, app and stage (CSV, or Parquet with the `parquet` feature).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Exit 1 when there are warnings.
    #[arg(long)]
    pub fail_on_warnings: bool,
}

pub fn run(args: Args, out: &mut Out) -> Exit {
    match run_inner(args, out) {
        Ok(e) | Err(e) => e,
    }
}

fn run_inner(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    // Without a per-user report no value is needed after evaluation: stream the export.
    let columns = match args.report {
        Some(_) => Columns::Report,
        None => Columns::Counts,
    };
    let outputs = [
        ("-o", args.output.as_deref()),
        ("--report", args.report.as_deref()),
    ];
    let Simulated { rules, inputs, run } = args.sim.simulate(out, columns, &outputs, &[])?;
    let (app, stage) = (args.sim.app.as_deref(), args.sim.stage.as_deref());
    let mut warnings = run.warnings.clone();
    let ev = &run.evaluated;
    let mut report_note = None;
    let mut staged = Vec::new();
    if let Some(path) = &args.report {
        let ctx = ReportContext {
            plan: &ev.plan,
            outcomes: &ev.outcomes,
            dir: &run.directory,
            rollout: &ev.rollout,
            group_members: inputs.group_members.as_ref(),
            app,
            stage,
        };
        let written = write_report(&ctx, path).map_err(|e| out.errors(&e))?;
        warnings.extend(written.warning);
        report_note = Some(format!(
            "report: {} rows written to {}",
            written.rows,
            path.display()
        ));
        staged.push(written.staged);
    }
    let rows = summary_rows(&ev.rollout, app, stage);
    let format = match args.format {
        Format::Table => SummaryFormat::Table {
            width: if out.stdout_tty { None } else { Some(160) },
        },
        Format::Csv => SummaryFormat::Csv,
        Format::Json => SummaryFormat::Json,
        Format::Html => SummaryFormat::Html,
    };
    if !format.embeds_warnings() {
        out.diagnostics(&warnings, rules.sources());
    }
    let summary = Summary {
        rows: &rows,
        rollout: &ev.rollout,
        users: run.directory.len(),
        warnings: &warnings,
        sources: rules.sources(),
        evidence: &run.evidence,
        report_note: report_note.as_deref(),
    };
    let mut text = render_summary(&summary, format).map_err(|e| out.io_error("the summary", &e))?;
    if matches!(format, SummaryFormat::Table { .. }) {
        text = scopesim::text::escape_control(&text).into_owned();
    }
    let printed = out.write_result(args.output.as_deref(), &text, staged);
    if printed != Exit::Ok {
        return Ok(printed);
    }
    let failed = ev.rollout.held_in(app, stage) || (args.fail_on_warnings && !warnings.is_empty());
    Ok(if failed { Exit::Failed } else { Exit::Ok })
}
