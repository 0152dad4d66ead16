//! `scopesim plan`: the rollout plan, per app and stage, with an optional per-user report.

use super::Exit;
use super::common::{
    AccessArgs, DirectoryArgs, EvalArgs, FixedArgs, RulesArgs, bar, fail, load_inputs,
    load_rules_with, run_label,
};
use super::output::Out;
use scopesim::output::paths::check_outputs;
use scopesim::pipeline::{Columns, Options, Simulation};
use scopesim::report::plan::{
    ReportContext, Summary, SummaryFormat, add_payloads, render_summary, summary_rows, write_report,
};
use scopesim::rollout::{RolloutOptions, ThresholdBoundary};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    /// A self-contained HTML page (summary, reasons, warnings, inputs).
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Boundary {
    /// Held when disables + deletes are above the threshold.
    Gt,
    /// Held when they reach it.
    Ge,
}

impl Boundary {
    pub fn get(self) -> ThresholdBoundary {
        match self {
            Boundary::Gt => ThresholdBoundary::Gt,
            Boundary::Ge => ThresholdBoundary::Ge,
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Rules: a `.scope` file or a Graph schema JSON.
    pub rules: PathBuf,
    #[command(flatten)]
    pub rules_opts: RulesArgs,
    #[command(flatten)]
    pub directory: DirectoryArgs,
    #[command(flatten)]
    pub access: AccessArgs,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the summary here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write one row per user, app and stage (CSV, or Parquet with the `parquet` feature).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Write what Entra would send for each create and update, from the schema's attribute
    /// mappings (S40): one JSON object per user, app and stage (NDJSON). With
    /// `--target-state`, updates are split into would change and no change.
    #[arg(long, value_name = "FILE.ndjson")]
    pub payloads: Option<PathBuf>,
    #[command(flatten)]
    pub fixed: FixedArgs,
    /// Only this app.
    #[arg(long)]
    pub app: Option<String>,
    /// Only this stage.
    #[arg(long)]
    pub stage: Option<String>,
    /// Accidental-deletion boundary (S27): held above the threshold (`gt`) or at it (`ge`).
    #[arg(long, value_enum, default_value_t = Boundary::Gt)]
    pub threshold_boundary: Boundary,
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
    let rules = load_rules_with(&args.rules, &args.rules_opts, args.eval, out)?;
    let (app, stage) = (args.app.as_deref(), args.stage.as_deref());
    rules
        .check_selection(app, stage)
        .map_err(|e| out.errors(&e))?;
    let files = args.access.files();
    let source = args.directory.source();
    let mut input_paths = rules.input_paths();
    input_paths.extend(source.paths.iter().cloned());
    input_paths.extend(files.paths());
    let outputs: Vec<(&str, &std::path::Path)> = [
        ("-o", &args.output),
        ("--report", &args.report),
        ("--payloads", &args.payloads),
    ]
    .into_iter()
    .filter_map(|(f, p)| p.as_deref().map(|p| (f, p)))
    .collect();
    check_outputs(&input_paths, &outputs).map_err(|e| out.errors(&e))?;
    let payload_opts = match args.payloads {
        Some(_) => Some(args.fixed.options(app, stage, out)?),
        None => None,
    };
    let inputs = load_inputs(&files, out)?;
    let sim = Simulation {
        rules: &rules,
        directory: &source,
        inputs: &inputs,
        options: Options {
            eval: args.eval.options(),
            rollout: RolloutOptions {
                threshold_boundary: args.threshold_boundary.get(),
                allow_missing_members: args.access.allow_missing_members,
            },
        },
    };
    // Without a per-user report no value is needed after evaluation: stream the export.
    let columns = if args.report.is_some() {
        Columns::Report
    } else {
        Columns::Counts
    };
    let bar = bar(out);
    let run = sim
        .run(columns, &bar)
        .map_err(|e| fail(out, &run_label(&e), &e))?;
    drop(bar);
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

    let mut payloads = None;
    if let (Some(path), Some(opts)) = (&args.payloads, &payload_opts) {
        let progress = super::common::bar(out);
        let (file, summary) = sim
            .write_payloads(&run, opts, path, &progress)
            .map_err(|e| fail(out, "payloads", &e))?;
        drop(progress);
        warnings.extend(summary.warnings.iter().cloned());
        let note = format!(
            "payloads: {} records written to {}",
            summary.records,
            path.display()
        );
        report_note = Some(report_note.map_or(note.clone(), |n| format!("{n}\n{note}")));
        staged.push(file);
        payloads = Some(summary);
    }

    let mut rows = summary_rows(&ev.rollout, app, stage);
    if let Some(p) = &payloads {
        add_payloads(&mut rows, p);
    }
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
    let held = ev
        .rollout
        .apps
        .iter()
        .filter(|a| app.is_none_or(|n| n == a.name))
        .flat_map(|a| &a.stages)
        .any(|s| s.held && stage.is_none_or(|n| n == s.name));
    if held || (args.fail_on_warnings && !warnings.is_empty()) {
        return Ok(Exit::Failed);
    }
    Ok(Exit::Ok)
}
