//! What `scopesim reconcile` writes for the options given: the summary in its format, the
//! per-user report of discrepancies staged beside it, the warnings to print and the exit
//! condition. Decided here, not in the binary (as `report::plan_output` does for `plan`).

use super::html::{ReconcilePage, reconcile_html};
use super::{Reconciliation, Request, reconcile, render};
use crate::diag::write_error as io_error;
use crate::diag::{Code, Diagnostic, Errors};
use crate::output::atomic::Staged;
use crate::source::Sources;
use std::path::Path;

/// The formats of `reconcile`'s summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReconcileFormat {
    /// Counts per class, top reasons, examples, the job.
    Table,
    /// The stable JSON document (`app`, `stage`, `counts`, `discrepancies`, `job`, `inputs`).
    Json,
    /// Counts per class.
    Csv,
    /// A self-contained HTML page.
    Html,
}

/// What the command line asked `reconcile` to write.
#[derive(Debug, Clone, Copy)]
pub struct ReconcileOutputs<'a> {
    /// Summary format.
    pub format: ReconcileFormat,
    /// `--report FILE`.
    pub report: Option<&'a Path>,
    /// Table width.
    pub width: usize,
    /// `--stamp` (HTML only).
    pub stamp: Option<&'a str>,
    /// Rule texts, for the page's warning locations.
    pub sources: &'a Sources,
}

/// What `reconcile` prints and writes.
#[derive(Debug)]
pub struct ReconcileResult {
    /// The summary, to print or write to `-o`.
    pub text: String,
    /// The per-user report, to put in place with it.
    pub staged: Vec<Staged>,
    /// The run's and the reconciliation's warnings, to print on stderr.
    pub warnings: Vec<Diagnostic>,
    /// The reconciliation (its `failed()` gives exit 1).
    pub result: Reconciliation,
}

/// Reconciles and renders the result as `o` asks.
pub fn render_reconcile(
    req: &Request<'_>,
    o: &ReconcileOutputs<'_>,
) -> Result<ReconcileResult, Errors> {
    let result = reconcile(req)?;
    let table = o.format == ReconcileFormat::Table;
    let mut warnings = req.run.warnings.clone();
    warnings.extend(
        result
            .warnings
            .iter()
            // The table states the cycle compared itself.
            .filter(|d| !(table && d.code == Code::LogCycle))
            .cloned(),
    );
    let mut staged = Vec::new();
    let mut written = None;
    if let Some(path) = o.report {
        let what = format!("the report `{}`", path.display());
        let (s, rows, sha) =
            render::write_report(&result, path).map_err(|e| io_error(&what, &e))?;
        staged.push(s);
        written = Some((path.display().to_string(), rows, sha));
    }
    let mut text = match o.format {
        ReconcileFormat::Table => {
            render::summary_text(&result, Some(u16::try_from(o.width).unwrap_or(u16::MAX)))
        }
        ReconcileFormat::Json => {
            serde_json::to_string_pretty(&render::to_json(&result)).unwrap_or_default() + "\n"
        }
        ReconcileFormat::Csv => {
            let mut buf = Vec::new();
            render::counts_csv(&result, &mut buf).map_err(|e| io_error("the summary", &e))?;
            String::from_utf8_lossy(&buf).into_owned()
        }
        ReconcileFormat::Html => {
            let (path, rows, sha) = match &written {
                Some((p, rows, sha)) => (Some(p.as_str()), *rows, sha.clone()),
                None => {
                    let (rows, sha) = render::report_digest(&result)
                        .map_err(|e| io_error("the report digest", &e))?;
                    (None, rows, sha)
                }
            };
            // The page states the cycle compared itself.
            let shown: Vec<Diagnostic> = warnings
                .iter()
                .filter(|d| d.code != Code::LogCycle)
                .cloned()
                .collect();
            let page = ReconcilePage {
                warnings: &shown,
                sources: o.sources,
                report: (path, rows, &sha),
                stamp: o.stamp,
            };
            reconcile_html(&result, &page)
        }
    };
    if let (true, Some((path, rows, _))) = (table, &written) {
        text.push_str(&format!("\nreport: {rows} rows written to {path}\n"));
    }
    if table {
        text = crate::text::escape_control(&text).into_owned();
    }
    Ok(ReconcileResult {
        text,
        staged,
        warnings,
        result,
    })
}
