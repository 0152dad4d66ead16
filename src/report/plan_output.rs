//! What `plan` writes, decided in the library: which columns a run must keep for the
//! format asked, the per-user report (staged), the summary in its format, the warnings
//! to print beside it, and whether a requested check failed.
//!
//! The binary parses arguments into [`PlanOutputs`], runs the simulation with
//! [`PlanOutputs::columns`] and hands the run to [`render_plan`]; what comes back is text
//! to print and files to put in place, so a test or another program gets exactly what the
//! command prints.

use super::html::BREAKDOWN;
use super::plan::{
    ReportContext, ReportDigest, Summary, SummaryFormat, add_payloads, render_summary,
    report_digest, summary_rows, write_report,
};
use crate::diag::{Diagnostic, Errors};
use crate::directory::Progress;
use crate::output::atomic::Staged;
use crate::output::color::Paint;
use crate::output::dialect::CsvStyle;
use crate::pipeline::payloads::PayloadOptions;
use crate::pipeline::{Columns, Run, Simulation};
use std::path::Path;

/// The formats of `plan`'s summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    /// A terminal table that fits the width (a list when too narrow).
    Table,
    /// CSV (`--csv-dialect`, `--csv-delimiter`).
    Csv,
    /// JSON with warnings and evidence.
    Json,
    /// A self-contained audit page: charts, who is disabled or deleted and why, the rules
    /// of each stage, warnings, inputs with their SHA-256.
    Html,
}

/// What the command line asked `plan` to write.
#[derive(Debug, Clone, Copy)]
pub struct PlanOutputs<'a> {
    /// Summary format.
    pub format: PlanFormat,
    /// `--report FILE`.
    pub report: Option<&'a Path>,
    /// `--app`.
    pub app: Option<&'a str>,
    /// `--stage`.
    pub stage: Option<&'a str>,
    /// CSV style of `--format csv` and a CSV `--report`.
    pub csv: CsvStyle,
    /// `--stamp` (HTML only).
    pub stamp: Option<&'a str>,
    /// Table width.
    pub width: usize,
    /// Table colour.
    pub paint: Paint,
    /// `--payloads FILE` and the fixed `Now()` and seed (S40).
    pub payloads: Option<(&'a Path, &'a PayloadOptions)>,
}

/// What `plan` prints and writes.
#[derive(Debug)]
pub struct PlanResult {
    /// The summary, to print or write to `-o`.
    pub text: String,
    /// Outputs to put in place with it (the per-user report).
    pub staged: Vec<Staged>,
    /// Warnings to print on stderr (none when the format carries them: JSON).
    pub warnings: Vec<Diagnostic>,
    /// Every warning of the run (for `--fail-on-warnings`).
    pub warning_count: usize,
    /// A selected stage is held by the deletion threshold (S27).
    pub held: bool,
}

impl PlanOutputs<'_> {
    /// The columns the run must keep: none without a report or a page (the export is
    /// streamed, and not even hashed for the table, which shows no evidence); the
    /// report's; the page's (the report's and the attributes it breaks users down by).
    pub fn columns(&self) -> Columns {
        match (self.format, self.report) {
            (PlanFormat::Html, _) => {
                Columns::Only(BREAKDOWN.iter().map(|(a, _)| a.to_string()).collect())
            }
            (_, Some(_)) => Columns::Report,
            (PlanFormat::Table, None) if self.payloads.is_none() => Columns::Summary,
            _ => Columns::Counts,
        }
    }
}

/// Renders `run` as `plan` does: writes the per-user report (staged), renders the
/// summary, and gathers the warnings.
pub fn render_plan(
    sim: &Simulation<'_>,
    run: &Run,
    o: &PlanOutputs<'_>,
    progress: &dyn Progress,
) -> Result<PlanResult, Errors> {
    let (rules, inputs) = (sim.rules, sim.inputs);
    let ev = &run.evaluated;
    let mut warnings = run.warnings.clone();
    let ctx = ReportContext {
        plan: &ev.plan,
        outcomes: &ev.outcomes,
        dir: &run.directory,
        rollout: &ev.rollout,
        group_members: inputs.group_members.as_ref(),
        app: o.app,
        stage: o.stage,
        style: o.csv,
    };
    let mut staged = Vec::new();
    let mut note = None;
    let mut digest = None;
    if let Some(path) = o.report {
        let written = write_report(&ctx, path)?;
        warnings.extend(written.warning);
        note = Some(format!(
            "report: {} written to {}",
            crate::output::format::counted(
                usize::try_from(written.rows).unwrap_or(usize::MAX),
                "row",
                "rows"
            ),
            path.display()
        ));
        digest = written.sha256.map(|sha256| ReportDigest {
            path: Some(path.display().to_string()),
            rows: written.rows,
            sha256,
        });
        staged.push(written.staged);
    }
    let html = o.format == PlanFormat::Html;
    if html && digest.is_none() {
        digest = Some(report_digest(&ctx).map_err(|e| io_error("the report digest", &e))?);
    }
    let mut rows = summary_rows(&ev.rollout, o.app, o.stage);
    if let Some((path, opts)) = o.payloads {
        // S40: what the creates and updates would write, from a second read of the export.
        let (file, written) = sim.write_payloads(run, opts, path, progress)?;
        warnings.extend(written.warnings.iter().cloned());
        let line = format!(
            "payloads: {} written to {}",
            crate::output::format::counted(
                usize::try_from(written.records).unwrap_or(usize::MAX),
                "record",
                "records"
            ),
            path.display()
        );
        note = Some(note.map_or(line.clone(), |n| format!("{n}\n{line}")));
        staged.push(file);
        add_payloads(&mut rows, &written);
    }
    let format = match o.format {
        PlanFormat::Table => SummaryFormat::Table {
            width: o.width,
            paint: o.paint,
        },
        PlanFormat::Csv => SummaryFormat::Csv(o.csv),
        PlanFormat::Json => SummaryFormat::Json,
        PlanFormat::Html => SummaryFormat::Html,
    };
    let summary = Summary {
        rows: &rows,
        rollout: &ev.rollout,
        users: run.directory.len(),
        warnings: &warnings,
        sources: rules.sources(),
        evidence: &run.evidence,
        report_note: note.as_deref(),
        context: html.then_some(&ctx),
        digest: digest.as_ref(),
        stamp: o.stamp,
        rules: Some(rules.rules()),
    };
    let text = render_summary(&summary, format).map_err(|e| io_error("the summary", &e))?;
    let held = rows.iter().any(|r| r.held);
    let warning_count = warnings.len();
    Ok(PlanResult {
        text,
        staged,
        warnings: if format.embeds_warnings() {
            Vec::new()
        } else {
            warnings
        },
        warning_count,
        held,
    })
}

use crate::diag::write_error as io_error;
