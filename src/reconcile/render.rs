//! A reconciliation as evidence: the terminal summary, JSON, CSV, a self-contained HTML
//! page, and the per-user report of every user in a class other than as predicted.
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

/// Writes the per-user report to `path` atomically; returns the rows written.
pub fn write_report(
    r: &Reconciliation,
    path: &std::path::Path,
) -> io::Result<(crate::output::atomic::Staged, u64)> {
    let staged = crate::output::atomic::stage(path, |w| report_csv(r, w))?;
    Ok((staged, r.discrepancies.len() as u64))
}

/// The terminal summary: what was compared, counts per class, the top reasons, the job.
pub fn summary_text(r: &Reconciliation, width: Option<u16>) -> String {
    let mut s = format!(
        "reconciled `{}`, stage `{}`: {} of {} events are the app's\n{}\n\n",
        r.app, r.stage, r.events.1, r.events.0, r.cycle_note
    );
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
            s.push_str(&format!("  {n:>7}  {:<13} {reason}\n", c.as_str()));
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
            s.push_str(&format!("  {} {who}: {}\n", d.class.as_str(), d.reason));
            if let Some(c) = &d.clause {
                s.push_str(&format!("      clause: {c}\n"));
            }
        }
    }
    if let Some(j) = &r.job {
        s.push_str("\njob");
        if let Some(id) = &j.id {
            s.push_str(&format!(" {id}"));
        }
        s.push_str(":\n");
        let line = |s: &mut String, k: &str, v: &str| s.push_str(&format!("  {k:<17} {v}\n"));
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
            s.push_str(&format!("    - {step}\n"));
        }
    }
    s
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Rows of the HTML discrepancy table at most; the report holds them all.
const HTML_ROWS: usize = 5_000;

/// A self-contained HTML page (no scripts, no external resources).
pub fn html(r: &Reconciliation) -> String {
    let e = escape;
    let mut h = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>scopesim reconcile</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f4f4f4}td.n{text-align:right}.as_predicted{color:#2a7}.mismatch,.failed,.held,.unexpected{color:#b22}.not_processed{color:#a70}code{font-size:90%}</style>\n</head><body>\n",
    );
    h.push_str(&format!(
        "<h1>Reconciliation of <code>{}</code>, stage <code>{}</code></h1>\n<p>{} of {} events are the app's. {}</p>\n",
        e(&r.app),
        e(&r.stage),
        r.events.1,
        r.events.0,
        e(&r.cycle_note)
    ));
    h.push_str("<table><tr><th>Class</th><th>Users</th></tr>\n");
    for c in Class::ALL {
        h.push_str(&format!(
            "<tr><td class=\"{}\">{}</td><td class=\"n\">{}</td></tr>\n",
            c.as_str(),
            e(c.label()),
            r.counts.get(c)
        ));
    }
    h.push_str("</table>\n");
    let top = r.top_reasons(10);
    if !top.is_empty() {
        h.push_str(
            "<h2>Top reasons</h2>\n<table><tr><th>Users</th><th>Class</th><th>Reason</th></tr>\n",
        );
        for (c, reason, n) in &top {
            h.push_str(&format!(
                "<tr><td class=\"n\">{n}</td><td class=\"{}\">{}</td><td>{}</td></tr>\n",
                c.as_str(),
                c.as_str(),
                e(reason)
            ));
        }
        h.push_str("</table>\n");
    }
    if !r.discrepancies.is_empty() {
        h.push_str("<h2>Users</h2>\n<table><tr>");
        for col in REPORT_COLUMNS {
            h.push_str(&format!("<th>{col}</th>"));
        }
        h.push_str("</tr>\n");
        for d in r.discrepancies.iter().take(HTML_ROWS) {
            h.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td></tr>\n",
                e(&d.object_id),
                e(&d.upn),
                e(&d.predicted),
                e(&d.logged),
                d.class.as_str(),
                d.class.as_str(),
                e(&d.reason),
                e(d.clause.as_deref().unwrap_or(""))
            ));
        }
        h.push_str("</table>\n");
        if r.discrepancies.len() > HTML_ROWS {
            h.push_str(&format!(
                "<p>{} more users: write them all with <code>--report FILE</code>.</p>\n",
                r.discrepancies.len() - HTML_ROWS
            ));
        }
    }
    if let Some(j) = &r.job {
        h.push_str("<h2>Provisioning job</h2>\n<table>\n");
        let row = |h: &mut String, k: &str, v: &str| {
            h.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>\n", e(k), e(v)));
        };
        row(&mut h, "id", j.id.as_deref().unwrap_or(""));
        row(
            &mut h,
            "status",
            &format!("{}: {}", j.code.as_deref().unwrap_or("?"), j.code_meaning),
        );
        if let Some(x) = &j.schedule {
            row(&mut h, "schedule", x);
        }
        if let Some(q) = &j.quarantine {
            row(&mut h, "quarantine", &q.meaning);
            if let Some(x) = &q.error {
                row(&mut h, "quarantine error", x);
            }
            if let Some(x) = &q.series_began {
                row(&mut h, "in quarantine since", x);
            }
        }
        row(&mut h, "steady state", &j.steady_state);
        if let Some(x) = &j.last_execution {
            row(&mut h, "last execution", x);
        }
        if let Some(x) = &j.escrow {
            row(&mut h, "escrows", x);
        }
        row(
            &mut h,
            "deletion threshold",
            &j.deletion_threshold
                .map_or_else(|| "not set".to_string(), |t| t.to_string()),
        );
        row(&mut h, "next steps", &j.next_steps.join("; "));
        h.push_str("</table>\n");
    }
    h.push_str("<h2>Inputs</h2>\n<table><tr><th>Role</th><th>Path</th><th>SHA-256</th><th>Records</th></tr>\n");
    for i in &r.inputs {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td class=\"n\">{}</td></tr>\n",
            e(&i.role),
            e(&i.path),
            e(&i.sha256),
            i.records.map(|n| n.to_string()).unwrap_or_default()
        ));
    }
    h.push_str("</table>\n</body></html>\n");
    h
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_user_text() {
        assert_eq!(
            escape("<b>\"x\" & 'y'"),
            "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;"
        );
    }
}
