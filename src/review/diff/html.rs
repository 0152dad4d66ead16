//! A comparison as an audit page, in the design every page shares
//! ([`crate::output::html`]): is the change held, and was anything sent (nothing); per
//! app the filter and setting changes as written, the actions of NEW's cycle on the users
//! whose scope changes, the deletion threshold against them, who gains and loses scope by
//! department, company and country (top values and "other"), and the users themselves
//! with the reasons (the first [`LISTED`], with the count and the hash of the CSV
//! report that lists everyone); then the warnings and every input with its SHA-256.

use super::{AppDiff, Change, Diff, FilterChangeKind};
use crate::diag::Diagnostic;
use crate::output::format::{count, counted};
use crate::output::html::{
    self, Counts, Page, TOP_VALUES, Table, Td, action_colour, legend, svg, top_and_other,
};
use crate::pipeline::evidence::InputRef;
use crate::source::Sources;

/// Users listed by name per app.
pub const LISTED: usize = 50;

/// What the page states besides the comparison.
#[derive(Debug, Clone, Copy)]
pub struct DiffPage<'a> {
    /// Every input, with its hash.
    pub inputs: &'a [InputRef],
    /// Warnings of the two runs.
    pub warnings: &'a [Diagnostic],
    /// Rule texts, for warning locations.
    pub sources: &'a Sources,
    /// The `--report` CSV written: path, rows, SHA-256.
    pub report: Option<(&'a str, u64, &'a str)>,
    /// `--stamp`.
    pub stamp: Option<&'a str>,
}

/// The whole page.
pub fn diff_html(diff: &Diff, page: &DiffPage<'_>) -> String {
    let mut p = Page::new("scopesim diff: what saving the new rules would do");
    p.opening(
        &format!(
            "Live (OLD): {} · about to be saved (NEW): {} · scopesim {}",
            diff.before,
            diff.after,
            env!("CARGO_PKG_VERSION")
        ),
        html::SIMULATED,
        page.stamp,
    );
    for a in diff.apps.iter().filter(|a| a.threshold.held) {
        p.para(
            Some("alert"),
            &format!(
                "“{}”: the change is HELD: {} against a deletion threshold of {}; Entra would quarantine the job (TooManyDeletes, S27).",
                a.app,
                counted(a.threshold.deprovisions, "disable or delete", "disables or deletes"),
                a.threshold.limit.unwrap_or(0)
            ),
        );
    }
    p.heading(2, "summary", "Summary");
    let mut t = Table::new(&[
        "App",
        "Stage (OLD)",
        "Stage (NEW)",
        "Gain scope",
        "Lose scope",
        "Unchanged in scope",
        "Unchanged out of scope",
        "Disables and deletes",
        "Threshold",
    ]);
    for a in &diff.apps {
        t.row_with(
            vec![
                Td::Text(a.app.clone()),
                Td::Text(a.stage_before.clone()),
                Td::Text(a.stage_after.clone()),
                Td::Count("gained", a.gained),
                Td::Count("lost", a.lost),
                Td::Count("unchanged_in_scope", a.unchanged_in_scope),
                Td::Count("unchanged_out_of_scope", a.unchanged_out_of_scope),
                Td::Count("deprovisions", a.threshold.deprovisions),
                Td::Text(match (a.threshold.limit, a.threshold.held) {
                    (Some(l), true) => format!("{l}: HELD"),
                    (Some(l), false) => format!("{l}: not tripped"),
                    (None, _) => "none".to_string(),
                }),
            ],
            a.threshold.held.then_some("held"),
            vec![("app", a.app.clone())],
        );
    }
    p.table(&t);
    for (label, apps) in [
        (format!("Apps only in {}", diff.before), &diff.only_before),
        (format!("Apps only in {}", diff.after), &diff.only_after),
        (
            "Apps without that stage in both files".to_string(),
            &diff.without_stage,
        ),
    ] {
        if !apps.is_empty() {
            p.para(None, &format!("{label}: {}.", apps.join(", ")));
        }
    }
    for (i, a) in diff.apps.iter().enumerate() {
        app_section(&mut p, i, a, page);
    }
    html::warnings_section(&mut p, page.warnings, page.sources);
    let rows = page.inputs.iter();
    let rows = rows.map(|i| (&*i.role, &*i.path, i.records, &*i.sha256));
    html::inputs_section(&mut p, rows, None, None, page.stamp.is_some());
    p.finish()
}

fn app_section(p: &mut Page, i: usize, a: &AppDiff, page: &DiffPage<'_>) {
    p.heading(
        2,
        &format!("app-{i}"),
        &format!(
            "App “{}”: “{}” → “{}”",
            a.app, a.stage_before, a.stage_after
        ),
    );
    let mut changes = String::new();
    for f in &a.filters {
        let (sign, what) = match f.change {
            FilterChangeKind::Added => ("+", "added"),
            FilterChangeKind::Removed => ("-", "removed"),
            FilterChangeKind::Modified => ("~", "changed"),
            FilterChangeKind::Renamed => ("~", "renamed"),
        };
        changes.push_str(&format!("{sign} {} {:?} ({what}", f.kind.keyword(), f.name));
        if let Some(old) = &f.old_name {
            changes.push_str(&format!(" from {old:?}, same clauses"));
        }
        changes.push_str(")\n");
        for c in &f.clauses_removed {
            changes.push_str(&format!("    - {c}\n"));
        }
        for c in &f.clauses_added {
            changes.push_str(&format!("    + {c}\n"));
        }
    }
    for c in &a.settings {
        changes.push_str(&format!("~ {}: {} -> {}\n", c.setting, c.before, c.after));
    }
    if changes.is_empty() {
        p.para(None, "Filters and settings: no change.");
    } else {
        p.para(None, "What changes in the rules, as written:");
        p.pre(&changes);
    }
    p.para(
        None,
        &format!(
            "{} scope, {} it, {} unchanged.",
            counted(a.gained, "user gains", "users gain"),
            counted(a.lost, "user loses", "users lose"),
            count(a.unchanged_in_scope + a.unchanged_out_of_scope)
        ),
    );
    let segments: Vec<(&'static str, usize)> = [
        "create", "update", "disable", "delete", "skip", "fail", "none",
    ]
    .into_iter()
    .map(|k| (k, a.actions.get(k).copied().unwrap_or(0)))
    .collect();
    p.markup(&svg::stacked(
        &format!(
            "{}: what NEW's cycle does to the users whose scope changes",
            a.app
        ),
        &[svg::Stack {
            label: "changed users".to_string(),
            segments: segments.clone(),
        }],
    ));
    let entries: Vec<(&str, &str)> = segments
        .iter()
        .map(|(k, _)| (*k, action_colour(k)))
        .collect();
    p.markup(&legend(&entries));
    if let Some(limit) = a.threshold.limit {
        p.markup(&svg::meter(
            &format!(
                "{}: disables and deletes against the threshold of {limit}",
                a.app
            ),
            &[(
                a.stage_after.clone(),
                a.threshold.deprovisions,
                limit,
                a.threshold.held,
            )],
        ));
    }
    let groups: Vec<(String, Counts)> = a
        .breakdowns
        .iter()
        .map(|b| {
            let rows = b
                .values
                .iter()
                .map(|r| (r.value.clone(), r.gained, r.lost))
                .collect();
            (
                format!("by {}", b.attribute),
                top_and_other(rows, TOP_VALUES),
            )
        })
        .filter(|(_, rows)| !rows.is_empty())
        .collect();
    if !groups.is_empty() {
        p.markup(&svg::diverging(
            &format!("{}: users gaining and losing scope", a.app),
            &groups,
        ));
    }
    if a.users.is_empty() {
        return;
    }
    let mut t = Table::new(&["", "User", "objectId", "Action", "Why (NEW)", "Why (OLD)"]);
    for u in a.users.iter().take(LISTED) {
        let action = if u.held {
            format!("{} (held)", u.action.as_str())
        } else {
            u.action.as_str().to_string()
        };
        t.row_with(
            vec![
                Td::Text(match u.change {
                    Change::Gained => "+".into(),
                    Change::Lost => "-".into(),
                }),
                Td::Text(u.user_principal_name.clone()),
                Td::Code(u.object_id.clone()),
                Td::Text(action),
                Td::Text(u.reason_after.clone()),
                Td::Text(u.reason_before.clone()),
            ],
            u.held.then_some("held"),
            Vec::new(),
        );
    }
    p.para(
        None,
        &format!(
            "The users whose scope changes ({} in all; the first {} in directory order):",
            count(a.users.len()),
            count(a.users.len().min(LISTED))
        ),
    );
    p.table(&t);
    if let Some((path, rows, sha)) = page.report {
        p.para(
            Some("muted"),
            &format!(
                "Everyone is listed in `{path}` ({} rows, SHA-256 {sha}).",
                count(usize::try_from(rows).unwrap_or(usize::MAX))
            ),
        );
    } else if a.users.len() > LISTED {
        p.para(Some("muted"), "`--report FILE.csv` lists everyone.");
    }
}
