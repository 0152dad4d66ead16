//! The rollout plan as evidence: a summary per app and stage (table, CSV, JSON) and a
//! per-user report (CSV, or Parquet with the `parquet` feature).
//!
//! Everything here is deterministic: apps and stages in rule order, users in directory
//! order, no timestamps, so the same inputs give byte-identical output whatever the number
//! of threads. Inputs are stated by name and SHA-256, with the rule hash and the scopesim
//! version, so a reader can tell exactly what a report was computed from.

use super::csv_guard::guard;
use crate::diag::Diagnostic;
use crate::directory::assignments::GroupMembers;
use crate::directory::{Directory, InputInfo};
use crate::eval::explain::scope_reason;
use crate::eval::{Outcomes, Plan};
use crate::rollout::{Action, AppResult, Candidacy, Rollout, StageResult, Why};
use crate::source::Sources;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
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
                    "unreadable-values",
                    format!(
                        "{n} users have a `{}` that is not {what}, so `{}` is false for them",
                        c.attribute, c.text
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
                    "regex-aborted",
                    format!("the pattern of `{}` gave up on {n} users (backtracking limit), and was treated as no match", c.text),
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
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(w) = width {
        t.set_width(w);
    }
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

/// One per-user report row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    /// App.
    pub app: String,
    /// Stage.
    pub stage: String,
    /// objectId ("" for target-state accounts without a directory user).
    pub object_id: String,
    /// UPN (or the target-state key).
    pub upn: String,
    /// In scope at this stage.
    pub in_scope: bool,
    /// Action.
    pub action: Action,
    /// Why, in words.
    pub reason: String,
    /// The action waits for an admin (S27).
    pub held: bool,
}

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

    /// Does user `row` appear in the report of `app`: in scope at some stage, acted on,
    /// or evaluated (a candidate, managed, or a nested-group member)?
    fn included(&self, app: &AppResult, row: usize) -> bool {
        app.candidacy(row) != Candidacy::NotAssigned
            || self.stages(app).any(|s| s.action(row) != Action::None)
    }

    /// Number of rows the report will have (header excluded).
    pub fn count_rows(&self) -> u64 {
        let mut total = 0u64;
        for app in self.apps() {
            let stages = self.stages(app).count() as u64;
            let users = (0..self.dir.len())
                .filter(|&r| self.included(app, r))
                .count() as u64;
            let orphans = app.orphans.len() as u64;
            total += stages * (users + orphans);
        }
        total
    }

    /// Calls `f` for every row, in deterministic order.
    pub fn for_each_row(&self, mut f: impl FnMut(&ReportRow) -> io::Result<()>) -> io::Result<()> {
        let id_col = self.dir.column("objectId");
        let upn_col = self.dir.column("userPrincipalName");
        for app in self.apps() {
            let stages: Vec<&StageResult> = self.stages(app).collect();
            for s in &stages {
                for row in 0..self.dir.len() {
                    if !self.included(app, row) {
                        continue;
                    }
                    let action = s.action(row);
                    let r = ReportRow {
                        app: app.name.clone(),
                        stage: s.name.clone(),
                        object_id: id_col
                            .and_then(|c| self.dir.value(row, c))
                            .unwrap_or("")
                            .to_string(),
                        upn: upn_col
                            .and_then(|c| self.dir.value(row, c))
                            .unwrap_or("")
                            .to_string(),
                        in_scope: s.in_scope_users.get(row),
                        action,
                        reason: self.reason(app, s, row),
                        held: s.held && matches!(action, Action::Disable | Action::Delete),
                    };
                    f(&r)?;
                }
                for (i, o) in app.orphans.iter().enumerate() {
                    let (action, why) = s
                        .orphan_actions
                        .get(i)
                        .copied()
                        .unwrap_or((Action::None, Why::HardDeleted));
                    let reason = match (action, why) {
                        (Action::None, _) => "deleted in an earlier stage".to_string(),
                        (_, Why::DeleteFlowOff) => "in the app but not in the directory (hard-deleted); the Delete flow is off, so the account stays".to_string(),
                        _ => "in the app but not in the directory: hard-deleted in Entra, so the account is deleted".to_string(),
                    };
                    f(&ReportRow {
                        app: app.name.clone(),
                        stage: s.name.clone(),
                        object_id: String::new(),
                        upn: o.key.clone(),
                        in_scope: false,
                        action,
                        reason,
                        held: s.held && action == Action::Delete,
                    })?;
                }
            }
        }
        Ok(())
    }

    /// The reason text for one user at one stage.
    pub fn reason(&self, app: &AppResult, s: &StageResult, row: usize) -> String {
        let scope = || scope_reason(self.plan, self.outcomes, self.dir, row, s.stage);
        match s.why(row) {
            Why::Provisionable => scope(),
            Why::ReEnabled => format!("in scope again, re-enabled: {}", scope()),
            Why::FilterFailed => format!("out of scope: {}", scope()),
            Why::Unassigned => "no longer assigned to the app".to_string(),
            Why::Inactive => format!("{}; {}", inactive_reason(self.dir, row), scope()),
            Why::NotInScope => scope(),
            Why::InactiveNotCreated => format!(
                "{}, so it is not created; {}",
                inactive_reason(self.dir, row),
                scope()
            ),
            Why::InputFilter => format!("{}: skipped, never deprovisioned (S23)", scope()),
            Why::KeptBySkipSetting => format!(
                "out of scope ({}); SkipOutOfScopeDeletions keeps the account",
                scope()
            ),
            Why::AlreadyDisabled => format!("already disabled; {}", scope()),
            Why::NestedOnly => nested_reason(self.dir, self.group_members, row),
            Why::NotAssigned => match app.candidacy(row) {
                Candidacy::NotAssigned => "not assigned to the app".to_string(),
                _ => scope(),
            },
            Why::HardDeleted | Why::DeleteFlowOff => "hard-deleted".to_string(),
        }
    }
}

fn inactive_reason(dir: &Directory, row: usize) -> String {
    let deleted = dir
        .value_by_name(row, "IsSoftDeleted")
        .and_then(crate::eval::value::parse_bool)
        .unwrap_or(false);
    if deleted {
        "soft-deleted in Entra".to_string()
    } else {
        "account disabled in Entra (accountEnabled is false)".to_string()
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

/// Writes the per-user report as CSV (formula-guarded cells).
pub fn write_report_csv(ctx: &ReportContext<'_>, w: &mut dyn Write) -> io::Result<u64> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(REPORT_COLUMNS)?;
    let mut rows = 0u64;
    ctx.for_each_row(|r| {
        rows += 1;
        c.write_record([
            guard(&r.app).as_ref(),
            guard(&r.stage).as_ref(),
            guard(&r.object_id).as_ref(),
            guard(&r.upn).as_ref(),
            if r.in_scope { "true" } else { "false" },
            r.action.as_str(),
            guard(&r.reason).as_ref(),
            if r.held { "true" } else { "false" },
        ])
        .map_err(io::Error::other)
    })?;
    c.flush()?;
    Ok(rows)
}
