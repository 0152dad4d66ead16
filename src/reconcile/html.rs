//! A reconciliation as an audit page, in the design every page shares
//! ([`crate::output::html`]): the simulation against what Entra's exported provisioning
//! logs say happened (read from files: nothing was sent to any tenant), and whether they
//! agree; the users per class as a table and a bar chart coloured by meaning (as
//! predicted green, discrepancies red, not processed yet amber); the top reasons; the
//! users not as predicted with the reason and the clause that differs (the first
//! [`LISTED`], with the count and the hash of the CSV report that lists everyone); the
//! job's status explained; the warnings; and every input, the logs included, with its
//! SHA-256. Without `--stamp` the page is byte-identical across runs.

use super::Reconciliation;
use super::pair::Class;
use crate::diag::Diagnostic;
use crate::output::format::{count, counted};
use crate::output::html::{self, Page, Table, Td, legend, svg};
use crate::source::Sources;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Users listed by name (the report lists everyone).
pub const LISTED: usize = 50;

/// What the page states besides the reconciliation.
#[derive(Debug, Clone, Copy)]
pub struct ReconcilePage<'a> {
    /// The run's and the reconciliation's warnings.
    pub warnings: &'a [Diagnostic],
    /// Rule texts, for warning locations.
    pub sources: &'a Sources,
    /// The per-user report: its path when written, rows and SHA-256.
    pub report: (Option<&'a str>, u64, &'a str),
    /// `--stamp`.
    pub stamp: Option<&'a str>,
}

/// The colour of each class, the same in the chart and the legend: as predicted green,
/// the discrepancies red, not processed yet amber (the cycle may not have reached them).
pub fn class_colour(c: Class) -> &'static str {
    match c {
        Class::AsPredicted => "#2e7d32",
        Class::Mismatch => "#b71c1c",
        Class::Failed => "#c62828",
        Class::Held => "#d84315",
        Class::NotProcessed => "#f9a825",
        Class::Unexpected => "#e53935",
    }
}

/// What each class means (S38).
fn meaning(c: Class) -> &'static str {
    match c {
        Class::AsPredicted => "the log shows what the plan predicted (S38)",
        Class::Mismatch => "predicted one thing, logged another",
        Class::Failed => "the event failed (the account needs attention)",
        Class::Held => {
            "the deletion threshold held what the plan lets through, or the reverse (S27)"
        }
        Class::NotProcessed => {
            "the plan predicts an action and the cycle logged none (it may not have reached the user yet)"
        }
        Class::Unexpected => {
            "Entra acted on a user the plan leaves alone, or on an object the export lacks"
        }
    }
}

/// The whole page.
pub fn reconcile_html(r: &Reconciliation, page: &ReconcilePage<'_>) -> String {
    let mut p = Page::new("scopesim reconcile: the simulation against the provisioning logs");
    p.opening(
        &format!(
            "App “{}”, stage “{}” · {} of {} events are the app's · scopesim {}",
            r.app,
            r.stage,
            count(usize::try_from(r.events.1).unwrap_or(usize::MAX)),
            count(usize::try_from(r.events.0).unwrap_or(usize::MAX)),
            VERSION
        ),
        "A simulation of Entra ID app provisioning compared with what Entra logged, read from exported logs; nothing was sent to any tenant.",
        page.stamp,
    );
    p.para(None, &r.cycle_note);
    let off = r.counts.discrepancies();
    if off > 0 {
        p.para(
            Some("alert"),
            &format!(
                "{} not as predicted: {}.",
                counted(
                    usize::try_from(off).unwrap_or(usize::MAX),
                    "user is",
                    "users are"
                ),
                Class::ALL[1..]
                    .iter()
                    .filter(|c| r.counts.get(**c) > 0)
                    .map(|c| format!("{} {}", count(r.counts.get(*c) as usize), c.label()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    } else {
        p.para(Some("safe"), "Every user is as predicted.");
    }
    if r.job.as_ref().is_some_and(|j| j.needs_attention()) {
        p.para(
            Some("alert"),
            "The provisioning job needs attention: see “Provisioning job” below.",
        );
    }
    summary_section(&mut p, r);
    discrepancies_section(&mut p, r, page);
    job_section(&mut p, r);
    html::warnings_section(&mut p, page.warnings, page.sources);
    let rows = r.inputs.iter();
    let rows = rows.map(|i| (&*i.role, &*i.path, i.records, &*i.sha256));
    html::inputs_section(&mut p, rows, None, Some(VERSION), page.stamp.is_some());
    p.finish()
}

fn summary_section(p: &mut Page, r: &Reconciliation) {
    p.heading(2, "summary", "Users per class");
    let mut t = Table::new(&["Class", "Users", "Meaning"]);
    for c in Class::ALL {
        t.row_with(
            vec![
                Td::Text(c.label().to_string()),
                Td::Count(
                    c.as_str(),
                    usize::try_from(r.counts.get(c)).unwrap_or(usize::MAX),
                ),
                Td::Text(meaning(c).to_string()),
            ],
            None,
            vec![("class", c.as_str().to_string())],
        );
    }
    p.table(&t);
    let bars = Class::ALL
        .iter()
        .map(|c| {
            let n = usize::try_from(r.counts.get(*c)).unwrap_or(usize::MAX);
            (c.label().to_string(), n)
        })
        .collect();
    p.markup(&svg::bars(
        &format!("{} at stage {}: users per class", r.app, r.stage),
        &[svg::Group {
            name: String::new(),
            bars,
        }],
        &|i, _| class_colour(Class::ALL[i.min(Class::ALL.len() - 1)]),
    ));
    let entries: Vec<(&str, &str)> = Class::ALL
        .iter()
        .map(|c| (c.label(), class_colour(*c)))
        .collect();
    p.markup(&legend(&entries));
    let top = r.top_reasons(10);
    if top.is_empty() {
        return;
    }
    p.heading(3, "reasons", "Top reasons");
    let mut t = Table::new(&["Users", "Class", "Reason"]);
    for (c, reason, n) in &top {
        t.row_with(
            vec![
                Td::Count("users", usize::try_from(*n).unwrap_or(usize::MAX)),
                Td::Text(c.label().to_string()),
                Td::Text(reason.clone()),
            ],
            None,
            vec![("class", c.as_str().to_string())],
        );
    }
    p.table(&t);
}

fn discrepancies_section(p: &mut Page, r: &Reconciliation, page: &ReconcilePage<'_>) {
    if r.discrepancies.is_empty() {
        return;
    }
    p.heading(2, "users", "Users not as predicted");
    p.para(
        None,
        &format!(
            "{} in all; the first {} by class, userPrincipalName and objectId:",
            counted(r.discrepancies.len(), "user", "users"),
            count(r.discrepancies.len().min(LISTED))
        ),
    );
    let mut t = Table::new(&[
        "User",
        "objectId",
        "Class",
        "Predicted",
        "Logged",
        "Reason",
        "Clause",
    ]);
    for d in r.discrepancies.iter().take(LISTED) {
        t.row_with(
            vec![
                Td::Text(d.upn.clone()),
                Td::Code(d.object_id.clone()),
                Td::Text(d.class.label().to_string()),
                Td::Text(d.predicted.clone()),
                Td::Text(d.logged.clone()),
                Td::Markup(html::escape_text(&d.reason)),
                Td::Text(d.clause.clone().unwrap_or_default()),
            ],
            None,
            vec![("class", d.class.as_str().to_string())],
        );
    }
    p.table(&t);
    let (path, rows, sha) = page.report;
    p.para(
        Some("muted"),
        &html::report_pointer("per-user report", path, rows, sha),
    );
}

fn job_section(p: &mut Page, r: &Reconciliation) {
    let Some(j) = &r.job else {
        return;
    };
    p.heading(2, "job", "Provisioning job");
    let mut t = Table::new(&["", "Status"]);
    let mut row = |k: &str, v: &str| t.row(vec![Td::Text(k.to_string()), Td::Text(v.to_string())]);
    row("id", j.id.as_deref().unwrap_or(""));
    row(
        "status",
        &format!("{}: {}", j.code.as_deref().unwrap_or("?"), j.code_meaning),
    );
    if let Some(x) = &j.schedule {
        row("schedule", x);
    }
    if let Some(q) = &j.quarantine {
        row("quarantine", &q.meaning);
        if let Some(x) = &q.error {
            row("quarantine error", x);
        }
        if let Some(b) = &q.series_began {
            let days = q.days.map(|d| format!(" ({d} days)")).unwrap_or_default();
            row("in quarantine since", &format!("{b}{days}"));
        }
        if let Some(x) = &q.next_attempt {
            row("next attempt", x);
        }
    }
    row("steady state", &j.steady_state);
    if let Some(x) = &j.last_execution {
        row("last execution", x);
    }
    if let Some(x) = &j.escrow {
        row("escrows", x);
    }
    let threshold = j
        .deletion_threshold
        .map_or_else(|| "not set".to_string(), |t| t.to_string());
    row("deletion threshold", &threshold);
    p.table(&t);
    if !j.next_steps.is_empty() {
        p.heading(3, "next-steps", "Next steps");
        p.list(&j.next_steps, None);
    }
}
