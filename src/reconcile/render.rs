//! A reconciliation as evidence: the terminal summary, JSON, CSV (the HTML page is in
//! `html`), and the per-user report of every user in a class other than as predicted.
//!
//! The JSON shape is stable (tests and scripts read it): `app`, `stage`, `counts` (one key
//! per class), `discrepancies` (objectId, userPrincipalName, class, predicted, logged,
//! reason, clause), `job` (or null) and `inputs`, nothing else. Everything is
//! deterministic (classes in report order, users by UPN and objectId, no timestamps of the
//! run); CSV cells go through the spreadsheet formula guard and files are written
//! atomically, as for `plan`.

use super::pair::Class;
use super::{Reconciliation, UserOutcome};
use crate::output::csv_guard::guard;
use serde_json::json;
use std::io::{self, Write};

/// The columns of `--report`.
pub const REPORT_COLUMNS: [&str; 7] = [
    "objectId",
    "userPrincipalName",
    "predicted",
    "logged",
    "class",
    "reason",
    "clause",
];

/// The JSON document of `--format json`.
pub fn to_json(r: &Reconciliation) -> serde_json::Value {
    json!({
        "app": r.app,
        "stage": r.stage,
        "counts": r.counts,
        "discrepancies": r.discrepancies,
        "job": r.job,
        "inputs": r.inputs,
    })
}

/// `--format csv`: one row per class with its count.
pub fn counts_csv(r: &Reconciliation, w: &mut dyn Write) -> io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(["class", "users"])?;
    for class in Class::ALL {
        c.write_record([class.as_str(), &r.counts.get(class).to_string()])?;
    }
    c.flush()
}

/// The per-user report: one row per user in a class other than as predicted.
pub fn report_csv(r: &Reconciliation, w: &mut dyn Write) -> io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(REPORT_COLUMNS)?;
    for d in &r.discrepancies {
        c.write_record([
            guard(&d.object_id).as_ref(),
            guard(&d.upn).as_ref(),
            guard(&d.predicted).as_ref(),
            guard(&d.logged).as_ref(),
            d.class.as_str(),
            guard(&d.reason).as_ref(),
            guard(d.clause.as_deref().unwrap_or("")).as_ref(),
        ])?;
    }
    c.flush()
}

/// Writes the per-user report to `path` atomically; returns the rows written and the
/// SHA-256 of the bytes.
pub fn write_report(
    r: &Reconciliation,
    path: &std::path::Path,
) -> io::Result<(crate::output::atomic::Staged, u64, String)> {
    let (staged, sha) = crate::output::atomic::stage_hashed(path, |w| report_csv(r, w))?;
    Ok((staged, r.discrepancies.len() as u64, sha))
}

/// The rows and SHA-256 of the per-user report, without writing it (the page names the
/// report that lists everyone even when `--report` was not given).
pub fn report_digest(r: &Reconciliation) -> io::Result<(u64, String)> {
    let mut h = crate::output::atomic::Hashing::new(io::sink());
    report_csv(r, &mut h)?;
    Ok((r.discrepancies.len() as u64, h.hex()))
}

/// The terminal summary: what was compared, counts per class, the top reasons, the job.
pub fn summary_text(r: &Reconciliation, width: Option<u16>) -> String {
    // Free text is wrapped to the table's width, continuation lines indented.
    let w = width.map_or(crate::output::console::PIPE_WIDTH, usize::from);
    let fill = |text: &str, indent: &str| crate::output::grid::fill(text, w, indent);
    let mut s = fill(
        &format!(
            "reconciled `{}`, stage `{}`: {} of {} events are the app's",
            r.app, r.stage, r.events.1, r.events.0
        ),
        "  ",
    );
    s.push_str(&fill(&r.cycle_note, "  "));
    s.push('\n');
    let mut t = crate::output::table(width);
    t.set_header(vec!["Class", "Users"]);
    for c in Class::ALL {
        t.add_row(vec![
            comfy_table::Cell::new(c.label()),
            comfy_table::Cell::new(r.counts.get(c))
                .set_alignment(comfy_table::CellAlignment::Right),
        ]);
    }
    s.push_str(&t.to_string());
    s.push('\n');
    let top = r.top_reasons(10);
    if !top.is_empty() {
        s.push_str("\ntop reasons:\n");
        for (c, reason, n) in &top {
            let line = format!("  {n:>7}  {:<13} {reason}", c.as_str());
            s.push_str(&fill(&line, &" ".repeat(25)));
        }
        let examples: Vec<&super::Discrepancy> = Class::ALL
            .iter()
            .filter_map(|c| r.discrepancies.iter().find(|d| d.class == *c))
            .collect();
        s.push_str("\nexamples:\n");
        for d in examples {
            let who = if d.upn.is_empty() {
                &d.object_id
            } else {
                &d.upn
            };
            s.push_str(&fill(
                &format!("  {} {who}: {}", d.class.as_str(), d.reason),
                "      ",
            ));
            if let Some(c) = &d.clause {
                s.push_str(&fill(&format!("      clause: {c}"), "        "));
            }
        }
    }
    if let Some(j) = &r.job {
        s.push('\n');
        let id =
            j.id.as_deref()
                .map(|id| format!(" {id}"))
                .unwrap_or_default();
        s.push_str(&fill(&format!("job{id}:"), "  "));
        let line = |s: &mut String, k: &str, v: &str| {
            s.push_str(&fill(&format!("  {k:<17} {v}"), &" ".repeat(20)));
        };
        line(
            &mut s,
            "status",
            &format!("{}: {}", j.code.as_deref().unwrap_or("?"), j.code_meaning),
        );
        if let Some(x) = &j.schedule {
            line(&mut s, "schedule", x);
        }
        if let Some(q) = &j.quarantine {
            line(&mut s, "quarantine", &q.meaning);
            if let Some(e) = &q.error {
                line(&mut s, "  error", e);
            }
            if let Some(b) = &q.series_began {
                let days = q.days.map(|d| format!(" ({d} days)")).unwrap_or_default();
                line(&mut s, "  since", &format!("{b}{days}"));
            }
            if let Some(n) = &q.next_attempt {
                line(&mut s, "  next attempt", n);
            }
        }
        line(&mut s, "steady state", &j.steady_state);
        if let Some(x) = &j.last_execution {
            line(&mut s, "last execution", x);
        }
        if let Some(x) = &j.escrow {
            line(&mut s, "escrows", x);
        }
        let threshold = j
            .deletion_threshold
            .map_or_else(|| "not set".to_string(), |t| t.to_string());
        line(&mut s, "delete threshold", &threshold);
        s.push_str("  next steps:\n");
        for step in &j.next_steps {
            s.push_str(&fill(&format!("    - {step}"), "      "));
        }
    }
    s
}

/// The lines `explain --logs` adds after the explanation.
pub fn user_outcome_text(o: &UserOutcome) -> String {
    let mut s = format!("\nlogged (app `{}`, stage `{}`", o.app, o.stage);
    if let Some(c) = &o.cycle {
        s.push_str(&format!(", cycle {c}"));
    }
    s.push_str(&format!(
        "): {} ({} event{})\n  predicted {}: {}\n",
        o.logged,
        o.events,
        if o.events == 1 { "" } else { "s" },
        o.predicted,
        o.class.label()
    ));
    if !o.reason.is_empty() {
        s.push_str(&format!("  {}\n", o.reason));
    }
    if let Some(c) = &o.clause {
        s.push_str(&format!("  clause: {c}\n"));
    }
    s
}

/// The user's logged outcome as `explain --logs` adds it to the explanation: the JSON
/// value of its `logged` key and the lines after the steps.
pub fn user_outcome_addendum(o: &UserOutcome) -> (serde_json::Value, String) {
    (
        serde_json::to_value(o).unwrap_or_default(),
        user_outcome_text(o),
    )
}
