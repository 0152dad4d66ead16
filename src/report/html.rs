//! The plan as one self-contained HTML page, for change reviews and audit files.
//!
//! A page that opens anywhere without a server or network (inline CSS, no scripts, no
//! external assets) and that states what it was computed from: the summary per app and
//! stage, why users land where they do (counts by reason), the warnings, and every input
//! with its SHA-256. Everything user-controlled is HTML-escaped.

use super::plan::{Evidence, SummaryRow};
use crate::diag::Diagnostic;
use crate::rollout::{Action, Rollout, Why};
use crate::source::Sources;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn why_label(w: Why) -> &'static str {
    w.label()
}

/// The whole page.
pub fn plan_html(
    rows: &[SummaryRow],
    rollout: &Rollout,
    users: usize,
    warnings: &[Diagnostic],
    sources: &Sources,
    evidence: &Evidence,
) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>scopesim plan</title>\n<style>\n\
body{{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222}}\
table{{border-collapse:collapse;margin:1em 0}}th,td{{border:1px solid #ccc;padding:.3em .6em}}\
th{{background:#f3f3f3;text-align:left}}td.n{{text-align:right;font-variant-numeric:tabular-nums}}\
.held{{background:#fde2e2;font-weight:bold}}.warn{{color:#8a5300}}code{{background:#f6f6f6;padding:0 .2em}}\
small{{color:#666}}\n</style></head><body>\n<h1>scopesim rollout plan</h1>\n\
<p><small>scopesim {} &middot; {} users &middot; Entra ID app-provisioning simulation; nothing was sent to any tenant.</small></p>\n",
        escape(&evidence.scopesim_version),
        users
    );
    h.push_str("<h2>Stages</h2>\n<table><tr><th>App</th><th>Stage</th><th>Candidates</th><th>In scope</th><th>Create</th><th>Update</th><th>Disable</th><th>Delete</th><th>Skip</th><th>Fail</th><th>Suppressed</th><th>Held</th><th>Initial cycle estimate</th></tr>\n");
    for r in rows {
        let held = if r.held { " class=\"held\"" } else { "" };
        let _ = writeln!(
            h,
            "<tr{held}><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td><td title=\"{}\">{}</td></tr>",
            escape(&r.app),
            escape(&r.stage),
            r.candidates,
            r.in_scope,
            r.create,
            r.update,
            r.disable,
            r.delete,
            r.skip,
            r.fail,
            r.suppressed,
            if r.held {
                "HELD (TooManyDeletes)"
            } else {
                "no"
            },
            escape(&r.estimate_source),
            escape(&r.estimate_display)
        );
    }
    h.push_str("</table>\n<h2>Why</h2>\n<p>Users by action and reason, per stage.</p>\n");
    for app in &rollout.apps {
        for s in &app.stages {
            if !rows.iter().any(|r| r.app == app.name && r.stage == s.name) {
                continue;
            }
            let mut by: BTreeMap<(Action, &'static str), usize> = BTreeMap::new();
            for row in 0..users {
                let a = s.action(row);
                let why = s.why(row);
                // S33: a suppressed action is `none`, but worth listing
                if a != Action::None || why.is_suppressed() {
                    *by.entry((a, why_label(why))).or_default() += 1;
                }
            }
            let _ = writeln!(
                h,
                "<h3>{} &rarr; {}</h3>\n<table><tr><th>Action</th><th>Reason</th><th>Users</th></tr>",
                escape(&app.name),
                escape(&s.name)
            );
            for ((a, w), n) in by {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td class=n>{n}</td></tr>",
                    a.as_str(),
                    w
                );
            }
            h.push_str("</table>\n");
        }
    }
    let _ = writeln!(h, "<h2>Warnings ({})</h2>", warnings.len());
    if warnings.is_empty() {
        h.push_str("<p>None.</p>\n");
    } else {
        h.push_str("<ul>\n");
        for w in warnings {
            let at = w
                .primary_location(sources)
                .map(|l| format!(" <small>{}</small>", escape(&l)))
                .unwrap_or_default();
            let rule = w.rule.map(|r| format!("[{r}] ")).unwrap_or_default();
            let help = w
                .help
                .as_ref()
                .map(|x| format!("<br><small>{}</small>", escape(x)))
                .unwrap_or_default();
            let _ = writeln!(
                h,
                "<li class=warn>{rule}{}{at}{help}</li>",
                escape(&w.message)
            );
        }
        h.push_str("</ul>\n");
    }
    h.push_str("<h2>Inputs</h2>\n<table><tr><th>Role</th><th>File</th><th>Records</th><th>SHA-256</th></tr>\n");
    for i in &evidence.inputs {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=n>{}</td><td><code>{}</code></td></tr>",
            escape(&i.role),
            escape(&i.path),
            i.records.map(|r| r.to_string()).unwrap_or_default(),
            escape(&i.sha256)
        );
    }
    let _ = writeln!(
        h,
        "</table>\n<p><small>Options: <code>{}</code></small></p>\n</body></html>",
        escape(&evidence.options.to_string())
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped() {
        assert_eq!(
            escape("<script>\"x\"&'y'"),
            "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;"
        );
    }
}
