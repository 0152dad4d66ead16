//! The plan as an audit page: one self-contained HTML file for change reviews and audit
//! files, built with [`crate::output::html`] (the design every page shares).
//!
//! What an auditor asks, in order: is anything held, and was anything sent (nothing: it
//! is a simulation); the summary per app and stage (the same numbers as `--format json`);
//! per app the funnel from candidates to provisionable, the actions per stage, the
//! deletion threshold against each stage's disables and deletes, and who is added and
//! removed between stages by department, company and country; per stage the rules as
//! the rule language writes them, who is disabled or deleted and why (the first
//! [`LISTED`], with the count and the hash of the CSV report that lists everyone), and
//! the users by action and reason; then the warnings and every input with its SHA-256.
//! Without `--stamp` the page is byte-identical across runs.

use super::plan::{ReportContext, Summary, SummaryRow};
use crate::directory::Directory;
use crate::output::format::{count, counted, thousands};
use crate::output::html::{self, Page, Table, Td, action_colour, legend, svg, top_and_other};
use crate::rollout::{Action, AppResult, Rollout, StageResult, Why};
use crate::rules::RuleSet;
use std::collections::BTreeMap;

pub use crate::output::html::escape as escape_html;

/// Users listed by name per stage among those disabled or deleted.
pub const LISTED: usize = 50;

pub use crate::output::html::TOP_VALUES;

/// The attributes the added/removed charts break users down by.
pub const BREAKDOWN: [(&str, &str); 3] = [
    ("department", "department"),
    ("companyName", "company"),
    ("country", "country"),
];

/// The actions in the order charts and legends show them.
const ACTIONS: [&str; 8] = [
    "create",
    "update",
    "disable",
    "delete",
    "skip",
    "fail",
    "suppressed",
    "none",
];

/// The whole page.
pub fn plan_html(s: &Summary<'_>) -> String {
    let mut p = Page::new("scopesim rollout plan");
    let apps: Vec<&AppResult> = s
        .rollout
        .apps
        .iter()
        .filter(|a| s.rows.iter().any(|r| r.app == a.name))
        .collect();
    p.opening(
        &format!(
            "{} in the directory export · {} · {} · scopesim {}",
            counted(s.users, "user", "users"),
            counted(apps.len(), "app", "apps"),
            counted(s.rows.len(), "stage", "stages"),
            s.evidence.scopesim_version
        ),
        html::SIMULATED,
        s.stamp,
    );
    for r in s.rows.iter().filter(|r| r.held) {
        p.para(
            Some("alert"),
            &format!(
                "Stage “{}” of “{}” is HELD: {} disables and deletes against a deletion threshold of {}; Entra would quarantine the job (TooManyDeletes, S27).",
                r.stage,
                r.app,
                count(r.deprovisions()),
                r.threshold.map_or_else(|| "?".to_string(), thousands)
            ),
        );
    }
    summary_section(&mut p, s.rows);
    for app in &apps {
        app_section(&mut p, s, app);
    }
    warnings_section(&mut p, s);
    inputs_section(&mut p, s);
    p.finish()
}

fn summary_section(p: &mut Page, rows: &[SummaryRow]) {
    p.heading(2, "summary", "Summary");
    let mut t = Table::new(&[
        "App",
        "Stage",
        "Candidates",
        "In scope",
        "Not candidates",
        "Create",
        "Update",
        "Disable",
        "Delete",
        "Skip",
        "Fail",
        "Suppressed",
        "None",
        "Held",
    ]);
    t.dense = true;
    for r in rows {
        t.row_with(
            vec![
                Td::Text(r.app.clone()),
                Td::Text(r.stage.clone()),
                Td::Count("candidates", r.candidates),
                Td::Count("in_scope", r.in_scope),
                Td::Count("not_candidates", r.not_candidates),
                Td::Count("create", r.create),
                Td::Count("update", r.update),
                Td::Count("disable", r.disable),
                Td::Count("delete", r.delete),
                Td::Count("skip", r.skip),
                Td::Count("fail", r.fail),
                Td::Count("suppressed", r.suppressed),
                Td::Count("none", r.none),
                if r.held {
                    Td::Markup("<span class=\"held\">HELD</span>".into())
                } else {
                    Td::Text("no".into())
                },
            ],
            r.held.then_some("held"),
            vec![("app", r.app.clone()), ("stage", r.stage.clone())],
        );
    }
    p.table(&t);
    p.para(Some("muted"), &super::plan::summary_note(rows));
}

fn app_section(p: &mut Page, s: &Summary<'_>, app: &AppResult) {
    let stages: Vec<&StageResult> = app
        .stages
        .iter()
        .filter(|st| {
            s.rows
                .iter()
                .any(|r| r.app == app.name && r.stage == st.name)
        })
        .collect();
    p.heading(
        2,
        &format!("app-{}", app.index),
        &format!("App “{}”", app.name),
    );
    p.para(
        None,
        &format!(
            "Scope: {}; SkipOutOfScopeDeletions: {}; deletion threshold: {}.",
            match app.scope {
                crate::rules::ScopeMode::All => "all users and groups",
                crate::rules::ScopeMode::Assigned => "assigned users and groups",
            },
            if app.skip_out_of_scope_deletions {
                "on"
            } else {
                "off"
            },
            app.deletion_threshold
                .map_or_else(|| "none".to_string(), thousands)
        ),
    );
    if let Some(r) = s.rows.iter().find(|r| r.app == app.name) {
        p.para(
            None,
            &format!(
                "Initial cycle of each stage: {} (S28; {}).",
                r.estimate_display, r.estimate_source
            ),
        );
    }
    let groups: Vec<svg::Group> = stages
        .iter()
        .map(|st| svg::Group {
            name: st.name.clone(),
            bars: vec![
                ("candidates".to_string(), st.candidates),
                ("in scope".to_string(), st.in_scope),
                ("provisionable".to_string(), provisionable(s.rollout, st)),
            ],
        })
        .collect();
    p.heading(
        3,
        &format!("funnel-{}", app.index),
        "From candidates to provisionable",
    );
    p.markup(&svg::funnel(
        &format!(
            "{}: candidates, in scope and provisionable per stage",
            app.name
        ),
        &groups,
    ));
    p.para(
        Some("muted"),
        "Candidates are assigned directly or as direct members of an assigned group (S24); in scope pass a scoping filter (S26); provisionable are in scope and active (S25).",
    );
    p.heading(3, &format!("actions-{}", app.index), "Actions per stage");
    let stacks: Vec<svg::Stack> = stages
        .iter()
        .filter_map(|st| row_of(s.rows, &app.name, &st.name))
        .map(|r| svg::Stack {
            label: r.stage.clone(),
            segments: ACTIONS.iter().map(|&a| (a, action_count(r, a))).collect(),
        })
        .collect();
    p.markup(&svg::stacked(
        &format!("{}: actions per stage", app.name),
        &stacks,
    ));
    let entries: Vec<(&str, &str)> = ACTIONS.iter().map(|&a| (a, action_colour(a))).collect();
    p.markup(&legend(&entries));
    if let Some(limit) = app.deletion_threshold {
        p.heading(3, &format!("threshold-{}", app.index), "Deletion threshold");
        let rows: Vec<(String, usize, u64, bool)> = stages
            .iter()
            .map(|st| (st.name.clone(), st.deprovisions(), limit, st.held))
            .collect();
        p.markup(&svg::meter(
            &format!(
                "{}: disables and deletes against the threshold of {limit}",
                app.name
            ),
            &rows,
        ));
    }
    let mut before: Option<&StageResult> = None;
    for st in &stages {
        stage_section(p, s, app, st, before);
        before = Some(st);
    }
}

fn row_of<'r>(rows: &'r [SummaryRow], app: &str, stage: &str) -> Option<&'r SummaryRow> {
    rows.iter().find(|r| r.app == app && r.stage == stage)
}

fn action_count(r: &SummaryRow, action: &str) -> usize {
    match action {
        "create" => r.create,
        "update" => r.update,
        "disable" => r.disable,
        "delete" => r.delete,
        "skip" => r.skip,
        "fail" => r.fail,
        "suppressed" => r.suppressed,
        _ => r.none,
    }
}

/// In scope and active (S25, S26).
fn provisionable(rollout: &Rollout, st: &StageResult) -> usize {
    let mut b = st.in_scope_users.clone();
    b.and_with(&rollout.active);
    b.count()
}

fn stage_section(
    p: &mut Page,
    s: &Summary<'_>,
    app: &AppResult,
    st: &StageResult,
    before: Option<&StageResult>,
) {
    p.heading(
        3,
        &format!("stage-{}-{}", app.index, st.stage),
        &format!("{} → stage “{}”", app.name, st.name),
    );
    if let Some(rules) = s.rules {
        p.para(
            Some("muted"),
            "Its effective filters (inherited ones first), as the rule language writes them:",
        );
        p.pre(&stage_rules(rules, app.index, &st.name));
    }
    if let Some(ctx) = s.context {
        changes(p, ctx.dir, app, st, before);
        deprovisioned(p, s, ctx, app, st);
    }
    why_table(p, s.users, st);
}

/// The stage's effective filters as `.scope` text.
fn stage_rules(rules: &RuleSet, app: usize, stage: &str) -> String {
    let Some(a) = rules.apps.get(app) else {
        return String::new();
    };
    let Some(index) = a.stages.iter().position(|x| x.name.node == stage) else {
        return String::new();
    };
    let view = crate::rules::resolve::stage_view(a, index);
    let mut out = String::new();
    for f in view.scoping.iter().chain(&view.input).chain(&view.category) {
        crate::rules::print::print_filter(&mut out, f, "");
    }
    if out.is_empty() {
        out.push_str("(no filter: every candidate is in scope, S22)\n");
    }
    out
}

/// Who enters and leaves scope at this stage (from the previous stage, or from nobody
/// before the first), by department, company and country.
fn changes(
    p: &mut Page,
    dir: &Directory,
    app: &AppResult,
    st: &StageResult,
    before: Option<&StageResult>,
) {
    let n = dir.len();
    let was = |row: usize| before.is_some_and(|b| b.in_scope_users.get(row));
    let (mut added, mut removed) = (Vec::new(), Vec::new());
    for row in 0..n {
        match (was(row), st.in_scope_users.get(row)) {
            (false, true) => added.push(row),
            (true, false) => removed.push(row),
            _ => {}
        }
    }
    let from = before.map_or_else(
        || "before the first stage (nobody in scope)".to_string(),
        |b| format!("stage “{}”", b.name),
    );
    p.para(
        None,
        &format!(
            "Compared with {from}: {} scope, {} it.",
            counted(added.len(), "user enters", "users enter"),
            counted(removed.len(), "user leaves", "users leave")
        ),
    );
    if added.is_empty() && removed.is_empty() {
        return;
    }
    let mut groups = Vec::new();
    for (attr, label) in BREAKDOWN {
        let Some(col) = dir.column(attr) else {
            p.para(
                Some("muted"),
                &format!("By {label}: the export has no `{attr}` column."),
            );
            continue;
        };
        let mut by: BTreeMap<Option<String>, (usize, usize)> = BTreeMap::new();
        for &r in &added {
            by.entry(dir.value(r, col).map(str::to_string))
                .or_default()
                .0 += 1;
        }
        for &r in &removed {
            by.entry(dir.value(r, col).map(str::to_string))
                .or_default()
                .1 += 1;
        }
        let rows = top_and_other(
            by.into_iter().map(|(v, (a, r))| (v, a, r)).collect(),
            TOP_VALUES,
        );
        groups.push((format!("by {label}"), rows));
    }
    if !groups.is_empty() {
        p.markup(&svg::diverging(
            &format!(
                "{} → {}: users entering and leaving scope",
                app.name, st.name
            ),
            &groups,
        ));
    }
}

/// Who is disabled or deleted, with the reason: the first [`LISTED`], the count, and
/// the report that lists everyone.
fn deprovisioned(
    p: &mut Page,
    s: &Summary<'_>,
    ctx: &ReportContext<'_>,
    app: &AppResult,
    st: &StageResult,
) {
    let total = st.deprovisions();
    if total == 0 {
        p.para(None, "Nobody is disabled or deleted at this stage.");
        return;
    }
    let upn = ctx.dir.column("userPrincipalName");
    let id = ctx.dir.column("objectId");
    let mut t = Table::new(&["User", "objectId", "Action", "Reason"]);
    let mut listed = 0;
    for row in 0..ctx.dir.len() {
        if listed >= LISTED {
            break;
        }
        let action = st.action(row);
        if !matches!(action, Action::Disable | Action::Delete) {
            continue;
        }
        listed += 1;
        t.row_with(
            vec![
                Td::Text(
                    upn.and_then(|c| ctx.dir.value(row, c))
                        .unwrap_or("")
                        .to_string(),
                ),
                Td::Code(
                    id.and_then(|c| ctx.dir.value(row, c))
                        .unwrap_or("")
                        .to_string(),
                ),
                Td::Text(action_label(action, st.held)),
                Td::Text(ctx.reason(app, st, row)),
            ],
            st.held.then_some("held"),
            Vec::new(),
        );
    }
    for (o, (action, why)) in app.orphans.iter().zip(&st.orphan_actions) {
        if listed >= LISTED {
            break;
        }
        if *action != Action::Delete {
            continue;
        }
        listed += 1;
        t.row_with(
            vec![
                Td::Text(o.key.clone()),
                Td::Text(String::new()),
                Td::Text(action_label(*action, st.held)),
                Td::Text(crate::rollout::reason::orphan_reason(*action, *why).to_string()),
            ],
            st.held.then_some("held"),
            Vec::new(),
        );
    }
    p.para(
        None,
        &format!(
            "{} disabled or deleted at this stage{}; the first {} by directory order:",
            counted(total, "account is", "accounts are"),
            if st.held {
                " (held: they wait for an admin)"
            } else {
                ""
            },
            count(listed)
        ),
    );
    p.table(&t);
    if let Some(d) = s.digest {
        let text = html::report_pointer("per-user report", d.path.as_deref(), d.rows, &d.sha256);
        p.para(Some("muted"), &text);
    }
}

fn action_label(action: Action, held: bool) -> String {
    if held {
        format!("{} (held)", action.as_str())
    } else {
        action.as_str().to_string()
    }
}

/// Users and accounts by action and reason at one stage (deletes of accounts without a
/// user included).
fn why_table(p: &mut Page, users: usize, st: &StageResult) {
    let mut by: BTreeMap<(Action, &'static str), usize> = BTreeMap::new();
    for row in 0..users {
        let a = st.action(row);
        let why = st.why(row);
        // S33: a suppressed action is `none`, but worth listing
        if a != Action::None || why.is_suppressed() {
            *by.entry((a, why.label())).or_default() += 1;
        }
    }
    for (a, why) in &st.orphan_actions {
        if *a != Action::None || why.is_suppressed() || *why == Why::PreExisting {
            *by.entry((*a, why.label())).or_default() += 1;
        }
    }
    let mut t = Table::new(&["Action", "Reason", "Users and accounts"]);
    for ((a, w), n) in by {
        t.row(vec![
            Td::Text(a.as_str().to_string()),
            Td::Text(w.to_string()),
            Td::Count("users", n),
        ]);
    }
    p.para(None, "By action and reason:");
    p.table(&t);
}

fn warnings_section(p: &mut Page, s: &Summary<'_>) {
    html::warnings_section(p, s.warnings, s.sources);
}

fn inputs_section(p: &mut Page, s: &Summary<'_>) {
    let rows = s.evidence.inputs.iter();
    let rows = rows.map(|i| (&*i.role, &*i.path, i.records, &*i.sha256));
    let (options, version) = (s.evidence.options.to_string(), &s.evidence.scopesim_version);
    html::inputs_section(p, rows, Some(&options), Some(version), s.stamp.is_some());
}
