//! What `scopesim audit` writes for the options given: the summary in its format, the
//! per-account report staged beside it, the warnings to print and the exit condition.
//! Decided here, not in the binary, so that the library owns every stage (as
//! `report::plan_output` does for `plan`).

use super::render::{Format, Page, render, report_digest, write_report};
use super::{Audit, Selection, audit};
use crate::diag::write_error as io_error;
use crate::diag::{Diagnostic, Errors};
use crate::output::atomic::Staged;
use crate::pipeline::{Inputs, Rules, Run};
use std::path::Path;

/// The formats of `audit`'s summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    /// Counts per app and class, top departments and companies, the first accounts.
    Table,
    /// Counts per app as CSV.
    Csv,
    /// Every account with its class and reason, warnings and inputs.
    Json,
    /// A self-contained HTML page.
    Html,
}

/// What the command line asked `audit` to write.
#[derive(Debug, Clone, Copy)]
pub struct AuditOutputs<'a> {
    /// Summary format.
    pub format: AuditFormat,
    /// `--report FILE`.
    pub report: Option<&'a Path>,
    /// `--app` and `--stage`.
    pub selection: Selection<'a>,
    /// Table width.
    pub width: usize,
    /// `--stamp` (HTML only).
    pub stamp: Option<&'a str>,
}

/// What `audit` prints and writes.
#[derive(Debug)]
pub struct AuditResult {
    /// The summary, to print or write to `-o`.
    pub text: String,
    /// The per-account report, to put in place with it.
    pub staged: Vec<Staged>,
    /// Warnings to print on stderr (none when the format carries them).
    pub warnings: Vec<Diagnostic>,
    /// Accounts in a class Entra will not fix by itself (exit 1 when any).
    pub needing_review: usize,
    /// The audit itself.
    pub audit: Audit,
}

/// Audits a finished run and renders it as `o` asks.
pub fn render_audit(
    run: &Run,
    rules: &Rules,
    inputs: &Inputs,
    o: &AuditOutputs<'_>,
) -> Result<AuditResult, Errors> {
    let audit = audit(run, inputs, o.selection)?;
    let mut warnings = run.warnings.clone();
    warnings.extend(audit.warnings.iter().cloned());
    let mut staged = Vec::new();
    let mut report_note = None;
    let mut written = None;
    if let Some(path) = o.report {
        let (s, rows, sha) = write_report(&audit, path)?;
        staged.push(s);
        report_note = Some(format!("report: {rows} rows written to {}", path.display()));
        written = Some((Some(path.display().to_string()), rows, sha));
    }
    if written.is_none() && o.format == AuditFormat::Html {
        let (rows, sha) = report_digest(&audit).map_err(|e| io_error("the report digest", &e))?;
        written = Some((None, rows, sha));
    }
    let format = match o.format {
        AuditFormat::Table => Format::Table {
            width: Some(u16::try_from(o.width).unwrap_or(u16::MAX)),
        },
        AuditFormat::Csv => Format::Csv,
        AuditFormat::Json => Format::Json,
        AuditFormat::Html => Format::Html,
    };
    let page = Page {
        audit: &audit,
        warnings: &warnings,
        sources: rules.sources(),
        evidence: &run.evidence,
        users: run.directory.len(),
        report_note: report_note.as_deref(),
        report: written
            .as_ref()
            .map(|(p, rows, sha)| (p.as_deref(), *rows, sha.as_str())),
        stamp: o.stamp,
    };
    let mut text = render(&page, format).map_err(|e| io_error("the audit", &e))?;
    if o.format == AuditFormat::Table {
        text = crate::text::escape_control(&text).into_owned();
    }
    if format.embeds_warnings() {
        warnings.clear();
    }
    Ok(AuditResult {
        text,
        staged,
        warnings,
        needing_review: audit.needing_review(),
        audit,
    })
}
