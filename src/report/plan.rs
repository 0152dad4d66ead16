//! The rollout plan as evidence: a summary per app and stage (table, CSV, JSON) and a
//! per-user report (CSV, or Parquet with the `parquet` feature).
//!
//! Everything here is deterministic: apps and stages in rule order, users in directory
//! order, no timestamps, so the same inputs give byte-identical output whatever the number
//! of threads. Inputs are stated by name and SHA-256, with the rule hash and the scopesim
//! version, so a reader can tell exactly what a report was computed from.

use crate::diag::{Code, Diagnostic};
use crate::directory::assignments::GroupMembers;
use crate::directory::{Directory, InputInfo};
use crate::eval::Bits;
use crate::eval::explain::write_scope_reason;
use crate::eval::{Outcomes, Plan};
use crate::output::csv_guard::guard;
use crate::rollout::{Action, AppResult, Candidacy, Rollout, StageResult, Why};
use crate::source::Sources;
use comfy_table::{Cell, CellAlignment};
use serde::Serialize;
use serde_json::{Value, json};
use std::io::{self, Write};

/// Excel's row limit (header included).
pub const EXCEL_MAX_ROWS: u64 = 1_048_576;

/// One input file, stated in reports.
#[derive(Debug, Clone, Serialize)]
pub struct InputRef {
    /// Role: `rules`, `directory`, `assignments`, `group-members`, `target-state`.
    pub role: String,
    /// Path as given.
    pub path: String,
    /// SHA-256 of the bytes (for rules: of every text read, see `LoadedRules::sha256`).
    pub sha256: String,
    /// Records read, when meaningful.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<u64>,
}

impl InputRef {
    /// From a reader's evidence.
    pub fn from_info(role: &str, info: &InputInfo) -> InputRef {
        InputRef {
            role: role.to_string(),
            path: info.path.clone(),
            sha256: info.sha256.clone(),
            records: Some(info.records),
        }
    }
}

/// What a report was computed from.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// scopesim version.
    pub scopesim_version: String,
    /// Every input file.
    pub inputs: Vec<InputRef>,
    /// Options that change results.
    pub options: Value,
}

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
    /// Held by the deletion threshold (S27).
    pub held: bool,
    /// Initial-cycle estimate (S28).
    pub estimate_minutes: EstimateMinutes,
    /// Where the estimate comes from.
    pub estimate_source: String,
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
            held: s.held,
            estimate_minutes: EstimateMinutes {
                min: s.estimate.min,
                max: s.estimate.max,
            },
            estimate_source: s.estimate.source.clone(),
        })
        .collect()
}

/// Warnings about values Entra would read differently from what the admin may expect:
/// unreadable Booleans and integers (S4, S18) and regexes that gave up (S19).
pub fn value_warnings(plan: &Plan, outcomes: &Outcomes) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, c) in plan.clauses.iter().enumerate() {
        let n = outcomes.unreadable(i);
        if n > 0 {
            let (rule, what) = if c.operator.is_integer() {
                ("S18", "an integer")
            } else {
                ("S4", "true or false")
            };
            out.push(
                Diagnostic::warning(
                    Code::UnreadableValues,
                    format!(
                        "{} a `{}` that is not {what}, so `{}` is false for them",
                        crate::diag::count(n, "user has", "users have"),
                        c.attribute,
                        c.text
                    ),
                )
                .with_rule(rule)
                .with_label(c.origin.0, c.origin.1, "")
                .with_help("`scopesim lint --directory ...` lists examples"),
            );
        }
        let n = outcomes.aborted(i);
        if n > 0 {
            out.push(
                Diagnostic::warning(
                    Code::RegexAborted,
                    format!("the pattern of `{}` gave up on {} (backtracking limit), and was treated as no match", c.text, crate::diag::count(n, "user", "users")),
                )
                .with_rule("S19")
                .with_label(c.origin.0, c.origin.1, "")
                .with_help("simplify the pattern: avoid nested quantifiers and back-references"),
            );
        }
    }
    out
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

/// The summary as a terminal table.
pub fn summary_table(rows: &[SummaryRow], width: Option<u16>) -> String {
    let mut t = crate::output::table(width);
    t.set_header(vec![
        "App",
        "Stage",
        "Candidates",
        "In scope",
        "Create",
        "Update",
        "Disable",
        "Delete",
        "Skip",
        "Held",
        "Estimate",
    ]);
    for r in rows {
        let num = |n: usize| Cell::new(n).set_alignment(CellAlignment::Right);
        t.add_row(vec![
            Cell::new(&r.app),
            Cell::new(&r.stage),
            num(r.candidates),
            num(r.in_scope),
            num(r.create),
            num(r.update),
            num(r.disable),
            num(r.delete),
            num(r.skip),
            Cell::new(if r.held { "HELD" } else { "no" }),
            Cell::new(
                crate::rollout::estimate::Estimate {
                    min: r.estimate_minutes.min,
                    max: r.estimate_minutes.max,
                    basis: 0,
                    source: String::new(),
                }
                .display(),
            ),
        ]);
    }
    t.to_string()
}

/// The summary as CSV (`--format csv`).
pub fn summary_csv(rows: &[SummaryRow], w: &mut dyn Write) -> io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record([
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
    ])?;
    for r in rows {
        c.write_record([
            guard(&r.app).as_ref(),
            guard(&r.stage).as_ref(),
            &r.candidates.to_string(),
            &r.in_scope.to_string(),
            &r.create.to_string(),
            &r.update.to_string(),
            &r.disable.to_string(),
            &r.delete.to_string(),
            &r.skip.to_string(),
            if r.held { "true" } else { "false" },
            &r.estimate_minutes.min.to_string(),
            &r.estimate_minutes.max.to_string(),
        ])?;
    }
    c.flush()
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
                || stages.iter().any(|s| s.action(row) != Action::None)
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
                self.write_reason(&mut reason, app, s, row, |col| c.value(l, col));
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
            let reason = match (action, why) {
                (Action::None, _) => "deleted in an earlier stage",
                (_, Why::DeleteFlowOff) => {
                    "in the app but not in the directory (hard-deleted); the Delete flow is off, so the account stays"
                }
                _ => {
                    "in the app but not in the directory: hard-deleted in Entra, so the account is deleted"
                }
            };
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
        let mut out = String::new();
        self.write_reason(&mut out, app, s, row, |col| self.dir.value(row, col));
        out
    }

    fn write_reason<'v>(
        &self,
        out: &mut String,
        app: &AppResult,
        s: &StageResult,
        row: usize,
        value: impl Fn(usize) -> Option<&'v str>,
    ) {
        let scope = |out: &mut String| {
            write_scope_reason(out, self.plan, self.outcomes, row, s.stage, &value)
        };
        match s.why(row) {
            Why::Provisionable | Why::NotInScope => scope(out),
            Why::ReEnabled => {
                out.push_str("in scope again, re-enabled: ");
                scope(out);
            }
            Why::FilterFailed => {
                out.push_str("out of scope: ");
                scope(out);
            }
            Why::Unassigned => out.push_str("no longer assigned to the app"),
            Why::Inactive => {
                out.push_str(inactive_reason(self.dir, row));
                out.push_str("; ");
                scope(out);
            }
            Why::InactiveNotCreated => {
                out.push_str(inactive_reason(self.dir, row));
                out.push_str(", so it is not created; ");
                scope(out);
            }
            Why::InputFilter => {
                scope(out);
                out.push_str(": skipped, never deprovisioned (S23)");
            }
            Why::KeptBySkipSetting => {
                out.push_str("out of scope (");
                scope(out);
                out.push_str("); SkipOutOfScopeDeletions keeps the account");
            }
            Why::AlreadyDisabled => {
                out.push_str("already disabled; ");
                scope(out);
            }
            Why::NestedOnly => out.push_str(&nested_reason(self.dir, self.group_members, row)),
            Why::NotAssigned => match app.candidacy(row) {
                Candidacy::NotAssigned => out.push_str("not assigned to the app"),
                _ => scope(out),
            },
            Why::HardDeleted | Why::DeleteFlowOff => out.push_str("hard-deleted"),
        }
    }
}

fn inactive_reason(dir: &Directory, row: usize) -> &'static str {
    let deleted = dir
        .value_by_name(row, "IsSoftDeleted")
        .and_then(crate::value::parse_bool)
        .unwrap_or(false);
    if deleted {
        "soft-deleted in Entra"
    } else {
        "account disabled in Entra (accountEnabled is false)"
    }
}

/// "member of nested group `X` (inside assigned group `Y`) only" for a nested-only user.
pub fn nested_reason(dir: &Directory, groups: Option<&GroupMembers>, row: usize) -> String {
    let base = "member of a nested group only: Entra provisions direct members of assigned groups only (S24)";
    let Some(g) = groups else {
        return base.to_string();
    };
    let ids: Vec<&str> = ["objectId", "userPrincipalName"]
        .iter()
        .filter_map(|c| dir.value_by_name(row, c))
        .collect();
    for id in ids {
        for nested in g.groups_of(id) {
            if let Some(parent) = g.groups_of(nested).first() {
                let name = |id: &str| {
                    g.display_name(id)
                        .map_or_else(|| format!("`{id}`"), |n| format!("`{n}`"))
                };
                return format!(
                    "member of nested group {} inside assigned group {} only: Entra provisions direct members of assigned groups only (S24)",
                    name(nested),
                    name(parent)
                );
            }
        }
    }
    base.to_string()
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
