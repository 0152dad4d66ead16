//! The audit as one self-contained HTML page, for access reviews and audit files.
//!
//! In the style of the plan's page (inline CSS, no scripts, no external assets, opens
//! anywhere without a server or network), with its own small renderer so that it can
//! follow that page's design without importing it (the two are peers): the counts per
//! app and class, then per app every account with its class, user, reason and last stage
//! in scope, the breakdowns, the warnings and every input with its SHA-256. Everything
//! user-controlled is HTML-escaped.

use super::Class;
use super::render::{Page, SHOWN, breakdown};
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

/// What each class means, for the page's legend.
fn meaning(c: Class) -> &'static str {
    match c {
        Class::Unmanaged => {
            "pre-existing, never created or matched by Entra: never disabled or deleted (S31)"
        }
        Class::Kept => {
            "managed, not provisioned, kept active (SkipOutOfScopeDeletions, an input filter, flow settings)"
        }
        Class::Orphan => "no directory user has it",
        Class::Held => "its disable or delete is held by the deletion threshold (S27)",
        Class::WillRemove => "Entra disables or deletes it by itself (or already has)",
        Class::EnabledButDisabled => {
            "active in the app, its user disabled in Entra, and Entra will not disable it"
        }
        Class::ToCreate => "in scope and active, no account yet",
    }
}

/// The whole page.
pub fn page(p: &Page<'_>) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>scopesim audit</title>\n<style>\n\
body{{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222}}\
table{{border-collapse:collapse;margin:1em 0}}th,td{{border:1px solid #ccc;padding:.3em .6em;vertical-align:top}}\
th{{background:#f3f3f3;text-align:left}}td.n{{text-align:right;font-variant-numeric:tabular-nums}}\
.review{{background:#fde2e2}}.warn{{color:#8a5300}}code{{background:#f6f6f6;padding:0 .2em}}\
small{{color:#666}}\n</style></head><body>\n<h1>scopesim least-privilege audit</h1>\n\
<p><small>scopesim {} &middot; {} users &middot; who has an account in the app that the rules would not give them; computed offline, nothing was sent to any tenant.</small></p>\n",
        escape(&p.evidence.scopesim_version),
        p.users
    );
    let review = p.audit.needing_review();
    let _ = writeln!(
        h,
        "<p{}><strong>{}</strong></p>",
        if review > 0 { " class=review" } else { "" },
        if review == 0 {
            "No account needs review: Entra removes every account the rules do not provision by itself.".to_string()
        } else {
            format!(
                "{} Entra will not fix by itself (unmanaged, kept, orphan, held, enabled_but_disabled).",
                crate::diag::count(review as u64, "account", "accounts")
            )
        }
    );
    h.push_str(
        "<h2>Apps</h2>\n<table><tr><th>App</th><th>Stage</th><th>Accounts</th><th>Provisioned</th>",
    );
    for c in SHOWN {
        let _ = write!(h, "<th title=\"{}\">{}</th>", escape(meaning(c)), c.label());
    }
    h.push_str("</tr>\n");
    for a in &p.audit.apps {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td>",
            escape(&a.app),
            escape(&a.stage),
            a.target_accounts,
            a.provisioned
        );
        for c in SHOWN {
            let n = a.counts.get(c);
            let cls = if n > 0 && c.needs_review() {
                " review"
            } else {
                ""
            };
            let _ = write!(h, "<td class=\"n{cls}\">{n}</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n<dl>\n");
    for c in SHOWN {
        let _ = writeln!(
            h,
            "<dt><code>{}</code></dt><dd>{}</dd>",
            c.as_str(),
            escape(meaning(c))
        );
    }
    h.push_str("</dl>\n");
    for a in &p.audit.apps {
        let after = if a.after_stages.is_empty() {
            String::new()
        } else {
            format!(
                " <small>(after {})</small>",
                a.after_stages
                    .iter()
                    .map(|s| escape(s))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let _ = writeln!(
            h,
            "<h2>{} &rarr; {}{after}</h2>",
            escape(&a.app),
            escape(&a.stage)
        );
        if a.held_stage {
            h.push_str("<p class=review>The stage passes the deletion threshold: Entra holds its disables and deletes (S27).</p>\n");
        }
        for c in SHOWN {
            if a.counts.get(c) == 0 {
                continue;
            }
            let _ = writeln!(
                h,
                "<h3>{} ({})</h3>\n<p><small>{}</small></p>",
                c.label(),
                a.counts.get(c),
                escape(meaning(c))
            );
            let groups: Vec<String> = p
                .audit
                .group_by
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    let v = breakdown(a.accounts.iter().filter(|x| x.class == c), i);
                    if !g.in_directory && v.iter().all(|(x, _)| x == "(none)") {
                        format!("{}: not in the directory export", escape(&g.name))
                    } else {
                        format!(
                            "{}: {}",
                            escape(&g.name),
                            v.iter()
                                .map(|(x, n)| format!("{} {n}", escape(x)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                })
                .collect();
            let _ = writeln!(h, "<p><small>{}</small></p>", groups.join(" &middot; "));
            h.push_str("<table><tr><th>Account</th><th>User</th><th>Reason</th><th>Last stage in scope</th><th>Where</th></tr>\n");
            for x in a.accounts.iter().filter(|x| x.class == c) {
                let user = match (&x.user, &x.object_id) {
                    (Some(u), _) => escape(u),
                    (None, Some(o)) => escape(o),
                    (None, None) => "&mdash;".to_string(),
                };
                let at = match (&x.file, x.line) {
                    (Some(f), Some(l)) => format!("{}:{l}", escape(f)),
                    _ => String::new(),
                };
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{user}</td><td>{}</td><td>{}</td><td><small>{at}</small></td></tr>",
                    escape(&x.key),
                    escape(&x.reason),
                    x.last_in_scope_stage
                        .as_deref()
                        .map_or_else(|| "&mdash;".to_string(), escape)
                );
            }
            h.push_str("</table>\n");
        }
    }
    let _ = writeln!(h, "<h2>Warnings ({})</h2>", p.warnings.len());
    if p.warnings.is_empty() {
        h.push_str("<p>None.</p>\n");
    } else {
        h.push_str("<ul>\n");
        for w in p.warnings {
            let at = w
                .primary_location(p.sources)
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
    for i in &p.evidence.inputs {
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
        escape(&p.evidence.options.to_string())
    );
    h
}
