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
use crate::output::csv_guard::guard;
pub use crate::pipeline::evidence::{Evidence, InputRef};
use crate::rollout::reason::Reasons;
use crate::rollout::{Action, AppResult, Candidacy, Rollout, StageResult, Why};
use crate::source::Sources;
use comfy_table::{Cell, CellAlignment};
use serde::Serialize;
use serde_json::{Value, json};
use std::io::{self, Write};

/// Excel's row limit (header included).
pub const EXCEL_MAX_ROWS: u64 = 1_048_576;

/// One summary row.
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
    /// Creates.
    pub create: usize,
    /// Updates.
    pub update: usize,
    /// Disables.
    pub disable: usize,
    /// Deletes.
    pub delete: usize,
    /// Skips.
    pub skip: usize,
    /// Predicted failures (S32).
    pub fail: usize,
    /// Actions the object mapping's flow types suppress (S33).
    pub suppressed: usize,
    /// Held by the deletion threshold (S27).
    pub held: bool,
    /// Initial-cycle estimate (S28).
    pub estimate_minutes: EstimateMinutes,
    /// Where the estimate comes from.
    pub estimate_source: String,
    /// The estimate as the table shows it (a published row is quoted as published).
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

/// Minutes, min and max.
#[derive(Debug, Clone, Serialize)]
pub struct EstimateMinutes {
    /// Lower bound.
    pub min: f64,
    /// Upper bound.
    pub max: f64,
}

/// Summary rows, narrowed by app and stage names.
pub fn summary_rows(rollout: &Rollout, app: Option<&str>, stage: Option<&str>) -> Vec<SummaryRow> {
    rollout
        .apps
        .iter()
        .filter(|a| app.is_none_or(|n| n == a.name))
        .flat_map(|a| a.stages.iter())
        .filter(|s| stage.is_none_or(|n| n == s.name))
        .map(|s| SummaryRow {
            app: s.app.clone(),
            stage: s.name.clone(),
            candidates: s.candidates,
            in_scope: s.in_scope,
            create: s.counts.create,
            update: s.counts.update,
            disable: s.counts.disable,
            delete: s.counts.delete,
            skip: s.counts.skip,
            fail: s.counts.fail,
            suppressed: s.counts.suppressed,
            held: s.held,
            estimate_minutes: EstimateMinutes {
                min: s.estimate.min,
                max: s.estimate.max,
            },
            estimate_source: s.estimate.source.clone(),
            estimate_display: s.estimate.display(),
            estimate_row: s.estimate.row.clone(),
            payloads: None,
        })
        .collect()
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

/// The summary as a terminal table. `Fail` (S32) and `Suppressed` (S33) columns appear
/// when a row has any.
pub fn summary_table(rows: &[SummaryRow], width: Option<u16>) -> String {
    let mut t = crate::output::table(width);
    let fail = rows.iter().any(|r| r.fail > 0);
    let suppressed = rows.iter().any(|r| r.suppressed > 0);
    // S40: the update split, with `--payloads`.
    let payloads = rows.iter().any(|r| r.payloads.is_some());
    let unknown = rows
        .iter()
        .any(|r| r.payloads.is_some_and(|p| p.unknown > 0));
    let mut header = vec![
        "App",
        "Stage",
        "Candidates",
        "In scope",
        "Create",
        "Update",
        "Disable",
        "Delete",
        "Skip",
    ];
    if fail {
        header.push("Fail");
    }
    if suppressed {
        header.push("Suppressed");
    }
    if payloads {
        header.extend(["Would change", "No change"]);
        if unknown {
            header.push("Change unknown");
        }
        header.push("Would fail");
    }
    header.extend(["Held", "Estimate"]);
    t.set_header(header);
    for r in rows {
        let num = |n: usize| Cell::new(n).set_alignment(CellAlignment::Right);
        let mut cells = vec![
            Cell::new(&r.app),
            Cell::new(&r.stage),
            num(r.candidates),
            num(r.in_scope),
            num(r.create),
            num(r.update),
            num(r.disable),
            num(r.delete),
            num(r.skip),
        ];
        if fail {
            cells.push(num(r.fail));
        }
        if suppressed {
            cells.push(num(r.suppressed));
        }
        if payloads {
            let p = r.payloads.unwrap_or_default();
            cells.extend([num(p.would_change), num(p.no_change)]);
            if unknown {
                cells.push(num(p.unknown));
            }
            cells.push(num(p.would_fail));
        }
        cells.push(Cell::new(if r.held { "HELD" } else { "no" }));
        cells.push(Cell::new(&r.estimate_display));
        t.add_row(cells);
    }
    t.to_string()
}

/// The summary as CSV (`--format csv`).
pub fn summary_csv(rows: &[SummaryRow], w: &mut dyn Write) -> io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    let mut header = vec![
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
    ];
    let payloads = rows.iter().any(|r| r.payloads.is_some());
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
        let mut record: Vec<&str> = vec![app.as_ref(), stage.as_ref()];
        record.extend(counts.iter().map(String::as_str));
        record.extend([
            if r.held { "true" } else { "false" },
            min.as_str(),
            max.as_str(),
            fail.as_str(),
            suppressed.as_str(),
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
    /// A terminal table (wrapped to `width`, the terminal's when `None`), then the
    /// warnings and a note on the report written.
    Table {
        /// Width to wrap to.
        width: Option<u16>,
    },
    /// CSV.
    Csv,
    /// JSON with warnings and evidence.
    Json,
    /// A self-contained HTML page.
    Html,
}

impl SummaryFormat {
    /// True when the warnings are part of the rendered text (otherwise the caller
    /// prints them as diagnostics).
    pub fn embeds_warnings(self) -> bool {
        matches!(self, SummaryFormat::Table { .. } | SummaryFormat::Json)
    }
}

/// Everything the plan summary is rendered from.
#[derive(Debug, Clone, Copy)]
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
        SummaryFormat::Html => crate::report::html::plan_html(
            s.rows, s.rollout, s.users, s.warnings, s.sources, s.evidence,
        ),
        SummaryFormat::Csv => {
            let mut buf = Vec::new();
            summary_csv(s.rows, &mut buf)?;
            String::from_utf8_lossy(&buf).into_owned()
        }
        SummaryFormat::Table { width } => {
            let mut t = summary_table(s.rows, width);
            t.push('\n');
            if !s.rows.is_empty() {
                // S28: what the estimate is, and which published row applies.
                t.push_str(&format!(
                    "\nEstimates are for each stage's initial cycle (S28); {}.\n",
                    crate::rollout::estimate::INCREMENTAL
                ));
                let mut seen = Vec::new();
                for r in s.rows {
                    if let Some(row) = &r.estimate_row {
                        if !seen.contains(&(&r.app, row)) {
                            seen.push((&r.app, row));
                            t.push_str(&format!("  {}: {row}\n", r.app));
                        }
                    }
                }
            }
            if !s.warnings.is_empty() {
                t.push_str(&format!(
                    "\n{} warning{}:\n",
                    s.warnings.len(),
                    if s.warnings.len() == 1 { "" } else { "s" }
                ));
                for w in s.warnings {
                    let at = w
                        .primary_location(s.sources)
                        .map(|l| format!(" ({l})"))
                        .unwrap_or_default();
                    let rule = w.rule.map(|r| format!("[{r}]")).unwrap_or_default();
                    t.push_str(&format!("  warning{rule}: {}{at}\n", w.message));
                    if let Some(h) = &w.help {
                        t.push_str(&format!("    help: {h}\n"));
                    }
                }
            }
            if let Some(n) = s.report_note {
                t.push_str(&format!("\n{n}\n"));
            }
            t
        }
    })
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
    let staged = crate::output::atomic::stage(path, |w| write_report_csv(ctx, w).map(|_| ()))
        .map_err(io_error)?;
    Ok(WrittenReport {
        staged,
        rows,
        warning,
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
const BLOCK: usize = 16_384;

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

    /// Users that appear in the report of `app`: evaluated (a candidate, managed, or a
    /// nested-group member) or acted on at some stage. Each gets one row per stage.
    fn included(&self, app: &AppResult) -> Bits {
        let n = self.dir.len();
        let mut bits = Bits::zeros(n);
        let stages: Vec<&StageResult> = self.stages(app).collect();
        for row in 0..n {
            if app.candidacy(row) != Candidacy::NotAssigned
                || stages.iter().any(|s| s.reported(row))
            {
                bits.set(row, true);
            }
        }
        bits
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

/// Appends one CSV field: formula-guarded, quoted when it holds a delimiter, quote or
/// line break (RFC 4180).
fn push_field(buf: &mut Vec<u8>, cell: &str) {
    let cell = guard(cell);
    let bytes = cell.as_bytes();
    if bytes
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        buf.push(b'"');
        for &b in bytes {
            if b == b'"' {
                buf.push(b'"');
            }
            buf.push(b);
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(bytes);
    }
}

fn push_row(buf: &mut Vec<u8>, r: &ReportRow<'_>) {
    push_field(buf, r.app);
    buf.push(b',');
    push_field(buf, r.stage);
    buf.push(b',');
    push_field(buf, r.object_id);
    buf.push(b',');
    push_field(buf, r.upn);
    buf.extend_from_slice(if r.in_scope { b",true," } else { b",false," });
    buf.extend_from_slice(r.action.as_str().as_bytes());
    buf.push(b',');
    push_field(buf, r.reason);
    buf.extend_from_slice(if r.held { b",true\n" } else { b",false\n" });
}

/// Writes the per-user report as CSV (formula-guarded cells). Blocks of users are
/// formatted in parallel and written in order, a window at a time, so memory stays
/// bounded and the output does not depend on the number of threads.
pub fn write_report_csv(ctx: &ReportContext<'_>, w: &mut dyn Write) -> io::Result<u64> {
    use rayon::prelude::*;
    let mut header = Vec::new();
    for (i, c) in REPORT_COLUMNS.iter().enumerate() {
        if i > 0 {
            header.push(b',');
        }
        header.extend_from_slice(c.as_bytes());
    }
    header.push(b'\n');
    w.write_all(&header)?;
    let n = ctx.dir.len();
    let window = BLOCK * 2 * rayon::current_num_threads().max(1);
    let mut rows = 0u64;
    for app in ctx.apps() {
        let included = ctx.included(app);
        for s in ctx.stages(app) {
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
                        ctx.visit_block(app, s, &included, b..(b + BLOCK).min(end), &mut |r| {
                            push_row(&mut buf, &r);
                            count += 1;
                        });
                        (buf, count)
                    })
                    .collect();
                for (buf, count) in blocks {
                    w.write_all(&buf)?;
                    rows += count;
                }
                start = end;
            }
            let mut buf = Vec::new();
            ctx.visit_orphans(app, s, &mut |r| {
                push_row(&mut buf, &r);
                rows += 1;
            });
            w.write_all(&buf)?;
        }
    }
    Ok(rows)
}
