//! The rollout plan as evidence: a summary per app and stage (table, CSV, JSON) and a
//! per-user report (CSV, or Parquet with the `parquet` feature).
//!
//! Everything here is deterministic: apps and stages in rule order, users in directory
//! order, no timestamps, so the same inputs give byte-identical output whatever the number
//! of threads. Inputs are stated by name and SHA-256, with the rule hash and the scopesim
//! version, so a reader can tell exactly what a report was computed from.

use crate::diag::Diagnostic;
use crate::directory::Directory;
use crate::directory::assignments::GroupMembers;
use crate::eval::Bits;
use crate::eval::{Outcomes, Plan};
use crate::output::color::{Paint, Tone};
use crate::output::csv_guard::guard;
use crate::output::dialect::CsvStyle;
use crate::output::format::{self, duration_range};
use crate::output::grid::{Cell, Column, Grid, fill};
pub use crate::pipeline::evidence::{Evidence, InputRef};
use crate::rollout::reason::Reasons;
use crate::rollout::{Action, AppResult, Candidacy, Rollout, StageResult, Why};
use crate::source::Sources;
use crate::text::escape_control;
use serde::Serialize;
use serde_json::{Value, json};
use std::io::{self, Write};

/// Excel's row limit (header included).
pub const EXCEL_MAX_ROWS: u64 = 1_048_576;

/// One summary row. Each stage counts every user and account once: `candidates +
/// not_candidates` equals the sum of the actions (`create + update + disable + delete +
/// skip + fail + suppressed + none`), which is the stage's number of rows in the per-user
/// report.
#[derive(Debug, Clone, Serialize)]
pub struct SummaryRow {
    /// App.
    pub app: String,
    /// Stage.
    pub stage: String,
    /// Candidates (S24).
    pub candidates: usize,
    /// In scope (S26).
    pub in_scope: usize,
    /// Users and accounts the stage reports that are not candidates: members of nested
    /// groups only (S24), users no longer assigned who have an account, accounts without
    /// a directory user.
    pub not_candidates: usize,
    /// Creates.
    pub create: usize,
    /// Updates.
    pub update: usize,
    /// Disables.
    pub disable: usize,
    /// Deletes.
    pub delete: usize,
    /// Skips (evaluated, nothing done; not-candidates included, see `not_candidates`).
    pub skip: usize,
    /// Predicted failures (S32).
    pub fail: usize,
    /// Actions the object mapping's flow types suppress (S33).
    pub suppressed: usize,
    /// Nothing done and nothing suppressed: an account Entra does not manage (S31), a
    /// user acted on only at another stage, a disabled object mapping (S33).
    pub none: usize,
    /// Held by the deletion threshold (S27).
    pub held: bool,
    /// The app's deletion threshold, when set (S27).
    pub threshold: Option<u64>,
    /// Initial-cycle estimate (S28).
    pub estimate_minutes: EstimateMinutes,
    /// Where the estimate comes from.
    pub estimate_source: String,
    /// The estimate as the table shows it (a published row is quoted as published,
    /// otherwise in the largest sensible unit).
    #[serde(skip)]
    pub estimate_display: String,
    /// Which row of the published table applies (Sync all), for the note under the table.
    #[serde(skip)]
    pub estimate_row: Option<String>,
    /// What the creates and updates would write (S40), when payloads were computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payloads: Option<RowPayloads>,
}

/// The payload counts of a summary row (`plan --payloads`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RowPayloads {
    /// Updates that change at least one attribute.
    pub would_change: usize,
    /// Updates that change nothing: Entra logs them as skipped (`RedundantExport`).
    pub no_change: usize,
    /// Updates whose account values are not all known (no target state, or a column
    /// missing from it).
    pub unknown: usize,
    /// Creates and updates with a predicted failure (counted once per user).
    pub would_fail: usize,
}

/// Adds the payload counts to the rows they belong to.
pub fn add_payloads(rows: &mut [SummaryRow], payloads: &crate::pipeline::payloads::PayloadSummary) {
    for r in rows {
        if let Some(p) = payloads.stage(&r.app, &r.stage) {
            r.payloads = Some(RowPayloads {
                would_change: p.would_change,
                no_change: p.no_change,
                unknown: p.unknown,
                would_fail: p.failed,
            });
        }
    }
}

impl SummaryRow {
    /// Disables and deletes: what the deletion threshold counts (S27).
    pub fn deprovisions(&self) -> usize {
        self.disable + self.delete
    }

    /// The actions, which add up to `candidates + not_candidates`.
    pub fn actions(&self) -> [(Action, usize); 7] {
        [
            (Action::Create, self.create),
            (Action::Update, self.update),
            (Action::Disable, self.disable),
            (Action::Delete, self.delete),
            (Action::Skip, self.skip),
            (Action::Fail, self.fail),
            (Action::None, self.none),
        ]
    }
}

/// Minutes, min and max.
#[derive(Debug, Clone, Serialize)]
pub struct EstimateMinutes {
    /// Lower bound.
    pub min: f64,
    /// Upper bound.
    pub max: f64,
}

/// Users of `app` that the per-user report has a row for at each of `stages`: evaluated
/// (a candidate, or a member of a nested group) or acted on or with an account in the app
/// at one of them. The summary counts the same users, so its columns add up to the
/// report's rows.
pub fn reported_users(app: &AppResult, stages: &[&StageResult], n: usize) -> Bits {
    use rayon::prelude::*;
    // Whole words per task, so that each task writes its own words.
    let words: Vec<u64> = (0..n.div_ceil(64))
        .into_par_iter()
        .with_min_len(ROWS_PER_TASK / 64)
        .map(|w| {
            let mut word = 0u64;
            for bit in 0..64 {
                let row = w * 64 + bit;
                if row < n && is_reported(app, stages, row) {
                    word |= 1 << bit;
                }
            }
            word
        })
        .collect();
    Bits::from_words(words, n)
}

/// Rows of the directory per parallel task of the summary's counts.
const ROWS_PER_TASK: usize = 1 << 16;

/// Whether user `row` has a row in the report of `app` at `stages` ([`reported_users`]).
fn is_reported(app: &AppResult, stages: &[&StageResult], row: usize) -> bool {
    app.candidacy(row) != Candidacy::NotAssigned || stages.iter().any(|s| s.reported(row))
}

/// Of the users of `app` reported at `stages`: how many are not candidates, and per stage
/// how many have no action. One pass over the directory, in parallel row ranges whose
/// counts add up.
fn reported_counts(app: &AppResult, stages: &[&StageResult], n: usize) -> (usize, Vec<usize>) {
    use rayon::prelude::*;
    let zero = || (0usize, vec![0usize; stages.len()]);
    (0..n.div_ceil(ROWS_PER_TASK))
        .into_par_iter()
        .map(|task| {
            let (mut not_candidates, mut idle) = zero();
            for row in task * ROWS_PER_TASK..((task + 1) * ROWS_PER_TASK).min(n) {
                if !is_reported(app, stages, row) {
                    continue;
                }
                if !app.candidacy(row).is_candidate() {
                    not_candidates += 1;
                }
                for (count, s) in idle.iter_mut().zip(stages) {
                    if s.action(row) == Action::None {
                        *count += 1;
                    }
                }
            }
            (not_candidates, idle)
        })
        .reduce(zero, |(a, mut x), (b, y)| {
            x.iter_mut().zip(&y).for_each(|(x, y)| *x += y);
            (a + b, x)
        })
}

/// Summary rows, narrowed by app and stage names.
pub fn summary_rows(rollout: &Rollout, app: Option<&str>, stage: Option<&str>) -> Vec<SummaryRow> {
    let n = rollout.active.len();
    let mut rows = Vec::new();
    for a in rollout
        .apps
        .iter()
        .filter(|a| app.is_none_or(|x| x == a.name))
    {
        let stages: Vec<&StageResult> = a
            .stages
            .iter()
            .filter(|s| stage.is_none_or(|x| x == s.name))
            .collect();
        let (not_candidate_users, idle) = reported_counts(a, &stages, n);
        for (s, &idle_users) in stages.iter().zip(&idle) {
            let idle_orphans = s
                .orphan_actions
                .iter()
                .filter(|(a, _)| *a == Action::None)
                .count();
            rows.push(SummaryRow {
                app: s.app.clone(),
                stage: s.name.clone(),
                candidates: s.candidates,
                in_scope: s.in_scope,
                not_candidates: not_candidate_users + a.orphans.len(),
                create: s.counts.create,
                update: s.counts.update,
                disable: s.counts.disable,
                delete: s.counts.delete,
                skip: s.counts.skip,
                fail: s.counts.fail,
                suppressed: s.counts.suppressed,
                // S33: a suppressed action is `none` in the report, counted as suppressed.
                none: (idle_users + idle_orphans).saturating_sub(s.counts.suppressed),
                held: s.held,
                threshold: a.deletion_threshold,
                estimate_minutes: EstimateMinutes {
                    min: s.estimate.min,
                    max: s.estimate.max,
                },
                estimate_source: s.estimate.source.clone(),
                estimate_display: match s.estimate.published {
                    Some(p) => p.to_string(),
                    None => duration_range(s.estimate.min, s.estimate.max),
                },
                estimate_row: s.estimate.row.clone(),
                payloads: None,
            });
        }
    }
    rows
}

/// The summary as the JSON document of `--format json`.
pub fn summary_json(
    rows: &[SummaryRow],
    warnings: &[Diagnostic],
    sources: &Sources,
    evidence: &Evidence,
) -> Value {
    json!({
        "stages": rows,
        "warnings": warnings.iter().map(|d| d.to_json(sources)).collect::<Vec<_>>(),
        "inputs": evidence.inputs,
        "options": evidence.options,
        "scopesim_version": evidence.scopesim_version,
    })
}

/// A number column of the summary: header, abbreviation, value, whether it is shown only
/// when some row has a value, and its colour when not zero. Adding a count to the summary
/// is adding a line here.
struct CountColumn {
    header: &'static str,
    short: &'static str,
    value: fn(&SummaryRow) -> usize,
    optional: bool,
    /// Shown only when payloads were computed (`plan --payloads`, S40).
    payload: bool,
    tone: Option<Tone>,
}

const COUNT_COLUMNS: &[CountColumn] = &[
    CountColumn {
        header: "Candidates",
        short: "Cand.",
        value: |r| r.candidates,
        optional: false,
        payload: false,
        tone: None,
    },
    CountColumn {
        header: "In scope",
        short: "Scope",
        value: |r| r.in_scope,
        optional: false,
        payload: false,
        tone: None,
    },
    CountColumn {
        header: "Not candidates",
        short: "Not c.",
        value: |r| r.not_candidates,
        optional: false,
        payload: false,
        tone: None,
    },
    CountColumn {
        header: "Create",
        short: "Cre.",
        value: |r| r.create,
        optional: false,
        payload: false,
        tone: Some(Tone::Good),
    },
    CountColumn {
        header: "Update",
        short: "Upd.",
        value: |r| r.update,
        optional: false,
        payload: false,
        tone: None,
    },
    CountColumn {
        header: "Disable",
        short: "Dis.",
        value: |r| r.disable,
        optional: false,
        payload: false,
        tone: Some(Tone::Danger),
    },
    CountColumn {
        header: "Delete",
        short: "Del.",
        value: |r| r.delete,
        optional: false,
        payload: false,
        tone: Some(Tone::Danger),
    },
    CountColumn {
        header: "Skip",
        short: "Skip",
        value: |r| r.skip,
        optional: false,
        payload: false,
        tone: None,
    },
    CountColumn {
        header: "Fail",
        short: "Fail",
        value: |r| r.fail,
        optional: true,
        payload: false,
        tone: Some(Tone::Danger),
    },
    CountColumn {
        header: "Suppressed",
        short: "Supp.",
        value: |r| r.suppressed,
        optional: true,
        payload: false,
        tone: Some(Tone::Warn),
    },
    CountColumn {
        header: "None",
        short: "None",
        value: |r| r.none,
        optional: false,
        payload: false,
        tone: None,
    },
    // S40: the update split and predicted failures, with `--payloads`.
    CountColumn {
        header: "Would change",
        short: "Chg.",
        value: |r| r.payloads.map_or(0, |p| p.would_change),
        optional: false,
        payload: true,
        tone: None,
    },
    CountColumn {
        header: "No change",
        short: "No chg.",
        value: |r| r.payloads.map_or(0, |p| p.no_change),
        optional: false,
        payload: true,
        tone: None,
    },
    CountColumn {
        header: "Change unknown",
        short: "Chg.?",
        value: |r| r.payloads.map_or(0, |p| p.unknown),
        optional: true,
        payload: true,
        tone: Some(Tone::Warn),
    },
    CountColumn {
        header: "Would fail",
        short: "W. fail",
        value: |r| r.payloads.map_or(0, |p| p.would_fail),
        optional: false,
        payload: true,
        tone: Some(Tone::Danger),
    },
];

/// The summary as a grid: app and stage, the counts (`Fail` and `Suppressed` only when
/// a row has any), held, the estimate.
pub fn summary_grid(rows: &[SummaryRow]) -> Grid {
    let payloads = rows.iter().any(|r| r.payloads.is_some());
    let counts: Vec<&CountColumn> = COUNT_COLUMNS
        .iter()
        .filter(|c| !c.payload || payloads)
        .filter(|c| !c.optional || rows.iter().any(|r| (c.value)(r) > 0))
        .collect();
    let mut columns = vec![Column::text("App").key(), Column::text("Stage").key()];
    columns.extend(
        counts
            .iter()
            .map(|c| Column::number(c.header).short(c.short)),
    );
    columns.push(Column::text("Held"));
    columns.push(Column::wrapping("Estimate", 8).short("Est."));
    let mut g = Grid::new(columns);
    for r in rows {
        let mut cells = vec![
            Cell::data(&r.app).tone_if(r.held, Tone::Held),
            Cell::data(&r.stage).tone_if(r.held, Tone::Held),
        ];
        for c in &counts {
            let v = (c.value)(r);
            let cell = Cell::count(v);
            cells.push(match c.tone {
                Some(t) if v > 0 => cell.tone(t),
                _ => cell,
            });
        }
        cells.push(if r.held {
            Cell::data("yes").tone(Tone::Held)
        } else {
            Cell::data("no")
        });
        cells.push(Cell::data(&r.estimate_display));
        g.row(cells);
    }
    g
}

/// The summary as a terminal table that fits `width` (a list when too narrow).
pub fn summary_table(rows: &[SummaryRow], width: usize, paint: Paint) -> String {
    summary_grid(rows).render(width, paint).0
}

/// What the summary's columns mean and that they add up, under the table and on the
/// page (`fail` and `suppressed` named when a row has any).
pub fn summary_note(rows: &[SummaryRow]) -> String {
    let mut sum = String::from("create + update + disable + delete + skip");
    if rows.iter().any(|r| r.fail > 0) {
        sum.push_str(" + fail");
    }
    if rows.iter().any(|r| r.suppressed > 0) {
        sum.push_str(" + suppressed");
    }
    format!(
        "The columns add up: candidates + not candidates = {sum} + none, each user or account once (the stage's rows in `--report`). Not candidates: members of nested groups only (S24), unassigned users who keep an account, accounts with no user. None: nothing is done (an account Entra does not manage, S31, or a user acted on at another stage)."
    )
}

/// The columns of `--format csv`.
pub const SUMMARY_CSV_COLUMNS: [&str; 16] = [
    "app",
    "stage",
    "candidates",
    "in_scope",
    "create",
    "update",
    "disable",
    "delete",
    "skip",
    "held",
    "estimate_min_minutes",
    "estimate_max_minutes",
    "fail",
    "suppressed",
    "not_candidates",
    "none",
];

/// The summary as CSV (`--format csv`) in `style`.
pub fn summary_csv(rows: &[SummaryRow], style: CsvStyle, w: &mut dyn Write) -> io::Result<()> {
    let mut c = style.writer(w)?;
    let payloads = rows.iter().any(|r| r.payloads.is_some());
    let mut header = SUMMARY_CSV_COLUMNS.to_vec();
    if payloads {
        header.extend(["would_change", "no_change", "change_unknown", "would_fail"]);
    }
    c.write_record(&header)?;
    for r in rows {
        let (app, stage) = (guard(&r.app), guard(&r.stage));
        let counts = [
            r.candidates,
            r.in_scope,
            r.create,
            r.update,
            r.disable,
            r.delete,
            r.skip,
        ]
        .map(|n| n.to_string());
        let (min, max) = (
            r.estimate_minutes.min.to_string(),
            r.estimate_minutes.max.to_string(),
        );
        let (fail, suppressed) = (r.fail.to_string(), r.suppressed.to_string());
        let (not_candidates, none) = (r.not_candidates.to_string(), r.none.to_string());
        let mut record: Vec<&str> = vec![app.as_ref(), stage.as_ref()];
        record.extend(counts.iter().map(String::as_str));
        record.extend([
            if r.held { "true" } else { "false" },
            min.as_str(),
            max.as_str(),
            fail.as_str(),
            suppressed.as_str(),
            not_candidates.as_str(),
            none.as_str(),
        ]);
        let p = r.payloads.unwrap_or_default();
        let extra = [p.would_change, p.no_change, p.unknown, p.would_fail].map(|n| n.to_string());
        if payloads {
            record.extend(extra.iter().map(String::as_str));
        }
        c.write_record(&record)?;
    }
    c.flush()
}

/// How `plan` prints its summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryFormat {
    /// A terminal table laid out in `width` columns, with what the columns mean and a
    /// note on the report written. Warnings go to stderr, not into the table.
    Table {
        /// Width to lay out in.
        width: usize,
        /// Colour.
        paint: Paint,
    },
    /// CSV in a style.
    Csv(CsvStyle),
    /// JSON with warnings and evidence.
    Json,
    /// A self-contained HTML page.
    Html,
}

impl SummaryFormat {
    /// True when the warnings are part of the rendered text (otherwise the caller
    /// prints them as diagnostics).
    pub fn embeds_warnings(self) -> bool {
        matches!(self, SummaryFormat::Json)
    }
}

/// The per-user report as written (or as `--report FILE.csv` would write it): its rows
/// and the SHA-256 of its bytes, for the HTML page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDigest {
    /// Where it was written (`None`: not written; the digest is what it would be).
    pub path: Option<String>,
    /// Rows (header excluded).
    pub rows: u64,
    /// SHA-256 of the CSV, hex.
    pub sha256: String,
}

/// Everything the plan summary is rendered from.
#[derive(Clone, Copy)]
pub struct Summary<'a> {
    /// The rows, narrowed by app and stage.
    pub rows: &'a [SummaryRow],
    /// The rollout.
    pub rollout: &'a Rollout,
    /// Users in the directory.
    pub users: usize,
    /// Every warning of the run.
    pub warnings: &'a [Diagnostic],
    /// Rule texts, for warning locations.
    pub sources: &'a Sources,
    /// Inputs, version, options.
    pub evidence: &'a Evidence,
    /// A line about the per-user report, when one was written.
    pub report_note: Option<&'a str>,
    /// The run's users and reasons, for the HTML page (who is disabled or deleted, who
    /// is added and removed, by department, company and country).
    pub context: Option<&'a ReportContext<'a>>,
    /// The per-user CSV report's digest, for the HTML page.
    pub digest: Option<&'a ReportDigest>,
    /// `--stamp`: who filed the page and why (operator, ticket); without it the page is
    /// byte-identical across runs.
    pub stamp: Option<&'a str>,
    /// The rules, for the page's "rules of each stage".
    pub rules: Option<&'a crate::rules::RuleSet>,
}

/// Renders the summary in `format`.
pub fn render_summary(s: &Summary<'_>, format: SummaryFormat) -> io::Result<String> {
    Ok(match format {
        SummaryFormat::Json => {
            let mut t = serde_json::to_string_pretty(&summary_json(
                s.rows, s.warnings, s.sources, s.evidence,
            ))
            .map_err(io::Error::other)?;
            t.push('\n');
            t
        }
        SummaryFormat::Html => crate::report::html::plan_html(s),
        SummaryFormat::Csv(style) => {
            let mut buf = Vec::new();
            summary_csv(s.rows, style, &mut buf)?;
            String::from_utf8_lossy(&buf).into_owned()
        }
        SummaryFormat::Table { width, paint } => table_text(s, width, paint),
    })
}

/// The table, what its columns mean, the estimates' note and the report line.
fn table_text(s: &Summary<'_>, width: usize, paint: Paint) -> String {
    let mut t = summary_table(s.rows, width, paint);
    if s.rows.is_empty() {
        return t;
    }
    t.push('\n');
    t.push_str(&fill(&summary_note(s.rows), width, ""));
    // S28: what the estimate is, and which published row applies.
    t.push_str(&fill(
        &format!(
            "Estimates are for each stage's initial cycle (S28); {}.",
            crate::rollout::estimate::INCREMENTAL
        ),
        width,
        "",
    ));
    let mut seen = Vec::new();
    for r in s.rows {
        if let Some(row) = &r.estimate_row {
            if !seen.contains(&(&r.app, row)) {
                seen.push((&r.app, row));
                t.push_str(&fill(
                    &format!("  {}: {row}", escape_control(&r.app)),
                    width,
                    "    ",
                ));
            }
        }
    }
    for r in s.rows.iter().filter(|r| r.held) {
        let line = format!(
            "HELD: stage `{}` of `{}` would disable or delete {} accounts, against a deletion threshold of {}: Entra holds them and quarantines the job (TooManyDeletes, S27)",
            escape_control(&r.stage),
            escape_control(&r.app),
            format::count(r.deprovisions()),
            r.threshold
                .map_or_else(|| "?".to_string(), format::thousands)
        );
        t.push_str(&paint.paint(Some(Tone::Held), fill(&line, width, "  ").trim_end()));
        t.push('\n');
    }
    if let Some(n) = s.report_note {
        t.push('\n');
        t.push_str(&fill(&escape_control(n), width, "  "));
    }
    t
}

/// A per-user report written but not yet in place (see [`crate::output::atomic::stage`]).
#[derive(Debug)]
pub struct WrittenReport {
    /// The file, to commit when the whole run has succeeded.
    pub staged: crate::output::atomic::Staged,
    /// Rows written (header excluded).
    pub rows: u64,
    /// A warning when a CSV report has more rows than Excel opens.
    pub warning: Option<Diagnostic>,
    /// SHA-256 of a CSV report's bytes (`None` for Parquet).
    pub sha256: Option<String>,
}

/// What the per-user CSV report of `ctx` has: its rows and the SHA-256 of its bytes,
/// computed without writing it (for the HTML page of a run without `--report FILE.csv`).
pub fn report_digest(ctx: &ReportContext<'_>) -> io::Result<ReportDigest> {
    let mut h = crate::output::atomic::Hashing::new(io::sink());
    let rows = write_report_csv(ctx, &mut h)?;
    Ok(ReportDigest {
        path: None,
        rows,
        sha256: h.hex(),
    })
}

/// Writes the per-user report for `path` (Parquet for a `.parquet` path, CSV otherwise),
/// staged: nothing is at `path` until the caller commits it.
pub fn write_report(
    ctx: &ReportContext<'_>,
    path: &std::path::Path,
) -> Result<WrittenReport, crate::diag::Errors> {
    use crate::diag::Code;
    let io_error = |e: io::Error| {
        Diagnostic::error(
            Code::Io,
            format!("cannot write the report `{}`: {e}", path.display()),
        )
        .with_help("check that the directory exists and is writable")
    };
    let is_parquet = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
    if is_parquet {
        #[cfg(feature = "parquet")]
        {
            return crate::report::parquet::write_report_parquet(ctx, path)
                .map(|(staged, rows)| WrittenReport {
                    staged,
                    rows,
                    warning: None,
                    sha256: None,
                })
                .map_err(|e| io_error(e).into());
        }
        #[cfg(not(feature = "parquet"))]
        {
            return Err(Diagnostic::error(
                Code::NoParquet,
                format!(
                    "cannot write `{}`: this scopesim was built without Parquet support",
                    path.display()
                ),
            )
            .with_help(
                "build with `cargo build --release --features parquet`, or write a CSV report",
            )
            .into());
        }
    }
    let rows = ctx.count_rows();
    let warning = (rows + 1 > EXCEL_MAX_ROWS).then(|| {
        Diagnostic::warning(
            Code::ReportTooBigForExcel,
            format!("the report has {rows} rows; Excel opens at most {EXCEL_MAX_ROWS} rows per sheet"),
        )
        .with_help(if cfg!(feature = "parquet") {
            "write `--report FILE.parquet` instead, or narrow it with `--app` and `--stage`"
        } else {
            "narrow it with `--app` and `--stage`, or use a scopesim built with `--features parquet` and `--report FILE.parquet`"
        })
    });
    let (staged, sha256) =
        crate::output::atomic::stage_hashed(path, |w| write_report_csv(ctx, w).map(|_| ()))
            .map_err(io_error)?;
    Ok(WrittenReport {
        staged,
        rows,
        warning,
        sha256: Some(sha256),
    })
}

/// Everything a per-user report row needs.
pub struct ReportContext<'a> {
    /// The rules compiled.
    pub plan: &'a Plan,
    /// Their results.
    pub outcomes: &'a Outcomes,
    /// The directory.
    pub dir: &'a Directory,
    /// The rollout.
    pub rollout: &'a Rollout,
    /// Group membership, for nested-group reasons.
    pub group_members: Option<&'a GroupMembers>,
    /// Only this app.
    pub app: Option<&'a str>,
    /// Only this stage.
    pub stage: Option<&'a str>,
    /// How the CSV report is written (dialect, delimiter).
    pub style: CsvStyle,
}

/// The columns of the per-user report.
pub const REPORT_COLUMNS: [&str; 8] = [
    "app",
    "stage",
    "objectId",
    "userPrincipalName",
    "in_scope",
    "action",
    "reason",
    "held",
];

/// One per-user report row, borrowed from the context and a scratch buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRow<'r> {
    /// App.
    pub app: &'r str,
    /// Stage.
    pub stage: &'r str,
    /// objectId ("" for target-state accounts without a directory user).
    pub object_id: &'r str,
    /// UPN (or the target-state key).
    pub upn: &'r str,
    /// In scope at this stage.
    pub in_scope: bool,
    /// Action.
    pub action: Action,
    /// Why, in words.
    pub reason: &'r str,
    /// The action waits for an admin (S27).
    pub held: bool,
}

/// Users per block of rows formatted in parallel.
const BLOCK: usize = 4_096;

impl ReportContext<'_> {
    fn apps(&self) -> impl Iterator<Item = &AppResult> {
        self.rollout
            .apps
            .iter()
            .filter(|a| self.app.is_none_or(|n| n == a.name))
    }

    fn stages<'s>(
        &self,
        app: &'s AppResult,
    ) -> impl Iterator<Item = &'s StageResult> + use<'s, '_> {
        app.stages
            .iter()
            .filter(|s| self.stage.is_none_or(|n| n == s.name))
    }

    /// Users that appear in the report of `app` ([`reported_users`]). Each gets one row
    /// per stage.
    fn included(&self, app: &AppResult) -> Bits {
        let stages: Vec<&StageResult> = self.stages(app).collect();
        reported_users(app, &stages, self.dir.len())
    }

    /// Number of rows the report will have (header excluded).
    pub fn count_rows(&self) -> u64 {
        self.apps()
            .map(|app| {
                self.stages(app).count() as u64
                    * (self.included(app).count() + app.orphans.len()) as u64
            })
            .sum()
    }

    /// Calls `f` for the rows of users `range` of one app and stage, in order.
    fn visit_block(
        &self,
        app: &AppResult,
        s: &StageResult,
        included: &Bits,
        range: std::ops::Range<usize>,
        f: &mut dyn FnMut(ReportRow<'_>),
    ) {
        let id_col = self.dir.column("objectId");
        let upn_col = self.dir.column("userPrincipalName");
        let mut reason = String::new();
        let Some((mut chunk, mut local)) = self.dir.locate(range.start) else {
            return;
        };
        let mut chunk_index = self
            .dir
            .chunk_starts()
            .partition_point(|&st| st <= range.start)
            .saturating_sub(1);
        for row in range {
            if local >= chunk.len() {
                chunk_index += 1;
                let Some(next) = self.dir.chunk_slice().get(chunk_index) else {
                    return;
                };
                chunk = next;
                local = 0;
            }
            if included.get(row) {
                let action = s.action(row);
                reason.clear();
                let (c, l) = (chunk, local);
                self.reasons()
                    .write(&mut reason, app, s, row, |col| c.value(l, col));
                f(ReportRow {
                    app: &app.name,
                    stage: &s.name,
                    object_id: id_col.and_then(|col| c.value(l, col)).unwrap_or(""),
                    upn: upn_col.and_then(|col| c.value(l, col)).unwrap_or(""),
                    in_scope: s.in_scope_users.get(row),
                    action,
                    reason: &reason,
                    held: s.held && matches!(action, Action::Disable | Action::Delete),
                });
            }
            local += 1;
        }
    }

    /// Rows for target-state accounts that match no directory user.
    fn visit_orphans(&self, app: &AppResult, s: &StageResult, f: &mut dyn FnMut(ReportRow<'_>)) {
        for (i, o) in app.orphans.iter().enumerate() {
            let (action, why) = s
                .orphan_actions
                .get(i)
                .copied()
                .unwrap_or((Action::None, Why::HardDeleted));
            let reason = crate::rollout::reason::orphan_reason(action, why);
            f(ReportRow {
                app: &app.name,
                stage: &s.name,
                object_id: "",
                upn: &o.key,
                in_scope: false,
                action,
                reason,
                held: s.held && action == Action::Delete,
            });
        }
    }

    /// Calls `f` for every row, in deterministic order (apps, stages, users, then
    /// target-state accounts without a user).
    pub fn for_each_row(&self, mut f: impl FnMut(ReportRow<'_>)) {
        let n = self.dir.len();
        for app in self.apps() {
            let included = self.included(app);
            for s in self.stages(app) {
                self.visit_block(app, s, &included, 0..n, &mut f);
                self.visit_orphans(app, s, &mut f);
            }
        }
    }

    /// The reason text for one user at one stage.
    pub fn reason(&self, app: &AppResult, s: &StageResult, row: usize) -> String {
        self.reasons().reason(app, s, row)
    }

    fn reasons(&self) -> Reasons<'_> {
        Reasons {
            plan: self.plan,
            outcomes: self.outcomes,
            dir: self.dir,
            group_members: self.group_members,
        }
    }
}

/// Appends one CSV field: formula-guarded, quoted when it holds the delimiter, a quote
/// or a line break (RFC 4180).
fn push_field(buf: &mut Vec<u8>, cell: &str, style: CsvStyle) {
    let cell = guard(cell);
    let bytes = cell.as_bytes();
    if style.needs_quotes(bytes) {
        buf.push(b'"');
        // Copied a run at a time between quotes (reasons quote the values they name).
        let mut from = 0;
        for at in memchr::memchr_iter(b'"', bytes) {
            buf.extend_from_slice(bytes.get(from..=at).unwrap_or_default());
            buf.push(b'"');
            from = at + 1;
        }
        buf.extend_from_slice(bytes.get(from..).unwrap_or_default());
        buf.push(b'"');
    } else {
        buf.extend_from_slice(bytes);
    }
}

/// The first two cells of a row, app and stage, with their delimiters: the same for
/// every row of a stage, so they are quoted once.
fn row_prefix(app: &str, stage: &str, style: CsvStyle) -> Vec<u8> {
    let mut prefix = Vec::new();
    for field in [app, stage] {
        push_field(&mut prefix, field, style);
        prefix.push(style.delimiter);
    }
    prefix
}

/// A row whose app and stage cells are `prefix` ([`row_prefix`] of `r.app` and
/// `r.stage`).
fn push_row(buf: &mut Vec<u8>, prefix: &[u8], r: &ReportRow<'_>, style: CsvStyle) {
    let d = style.delimiter;
    buf.extend_from_slice(prefix);
    for field in [r.object_id, r.upn] {
        push_field(buf, field, style);
        buf.push(d);
    }
    buf.extend_from_slice(if r.in_scope { b"true" } else { b"false" });
    buf.push(d);
    buf.extend_from_slice(r.action.as_str().as_bytes());
    buf.push(d);
    push_field(buf, r.reason, style);
    buf.push(d);
    buf.extend_from_slice(if r.held { b"true\n" } else { b"false\n" });
}

/// Writes the per-user report as CSV (formula-guarded cells). Blocks of users are
/// formatted in parallel and written in order, a window at a time, so memory stays
/// bounded and the output does not depend on the number of threads. Formatting runs
/// up to two windows ahead of writing (and of the hash a staged report computes on the
/// way), so neither waits for the other.
pub fn write_report_csv(ctx: &ReportContext<'_>, w: &mut dyn Write) -> io::Result<u64> {
    use rayon::prelude::*;
    let style = ctx.style;
    style.start(w)?;
    let mut header = Vec::new();
    for (i, c) in REPORT_COLUMNS.iter().enumerate() {
        if i > 0 {
            header.push(style.delimiter);
        }
        header.extend_from_slice(c.as_bytes());
    }
    header.push(b'\n');
    w.write_all(&header)?;
    let n = ctx.dir.len();
    let window = BLOCK * 8 * rayon::current_num_threads().max(1);
    std::thread::scope(|scope| {
        // Formatted windows, in order: `(bytes, rows)` per block.
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(Vec<u8>, u64)>>(2);
        scope.spawn(move || {
            for app in ctx.apps() {
                let included = ctx.included(app);
                for s in ctx.stages(app) {
                    let prefix = row_prefix(&app.name, &s.name, style);
                    let prefix = prefix.as_slice();
                    let mut start = 0;
                    while start < n {
                        let end = (start + window).min(n);
                        let blocks: Vec<(Vec<u8>, u64)> = (start..end)
                            .step_by(BLOCK)
                            .collect::<Vec<_>>()
                            .par_iter()
                            .map(|&b| {
                                let mut buf = Vec::with_capacity(BLOCK * 64);
                                let mut count = 0u64;
                                let users = b..(b + BLOCK).min(end);
                                ctx.visit_block(app, s, &included, users, &mut |r| {
                                    push_row(&mut buf, prefix, &r, style);
                                    count += 1;
                                });
                                (buf, count)
                            })
                            .collect();
                        // The writer stops receiving only when a write failed.
                        if tx.send(blocks).is_err() {
                            return;
                        }
                        start = end;
                    }
                    let mut buf = Vec::new();
                    let mut count = 0u64;
                    ctx.visit_orphans(app, s, &mut |r| {
                        push_row(&mut buf, prefix, &r, style);
                        count += 1;
                    });
                    if tx.send(vec![(buf, count)]).is_err() {
                        return;
                    }
                }
            }
        });
        let mut rows = 0u64;
        for blocks in rx {
            for (buf, count) in blocks {
                w.write_all(&buf)?;
                rows += count;
            }
        }
        Ok(rows)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4180 quoting as a byte-at-a-time writer does it, with the formula guard.
    fn reference(cell: &str, style: CsvStyle) -> Vec<u8> {
        let cell = guard(cell);
        if !style.needs_quotes(cell.as_bytes()) {
            return cell.as_bytes().to_vec();
        }
        let mut out = vec![b'"'];
        for b in cell.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
        out
    }

    #[test]
    fn fields_are_quoted_with_every_quote_doubled() {
        let style = CsvStyle::default();
        for cell in [
            "",
            "plain",
            "\"",
            "\"\"",
            "a\"b",
            "\"at both ends\"",
            "department EQUALS \"IT\" is false (department is \"Légal\")",
            "a,b",
            "line\nbreak",
            "cr\r",
            "=1+\"x\"",
        ] {
            let mut buf = Vec::new();
            push_field(&mut buf, cell, style);
            assert_eq!(
                String::from_utf8(buf).unwrap(),
                String::from_utf8(reference(cell, style)).unwrap(),
                "{cell:?}"
            );
        }
    }
}
