//! The audit as evidence: a terminal summary, the JSON document, a CSV summary and the
//! per-account report, with the same rules as the plan's (inputs by SHA-256, the formula
//! guard on every text cell, staged writes that appear only when the whole run succeeds).
//!
//! Everything is deterministic: apps in rule order, accounts in target-state order then
//! users in directory order, breakdowns by count then name.

use super::{AppAudit, Audit, AuditedAccount, Class, GroupAttribute};
use crate::diag::{Code, Diagnostic, Errors};
use crate::output::atomic::{Staged, stage_hashed};
use crate::output::csv_guard::guard;
use crate::pipeline::evidence::Evidence;
use crate::source::Sources;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

/// How the audit is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The terminal summary, wrapped to `width` (the terminal's when `None`).
    Table {
        /// Width to wrap to.
        width: Option<u16>,
    },
    /// The JSON document (with warnings and evidence).
    Json,
    /// Counts per app as CSV.
    Csv,
    /// A self-contained HTML page.
    Html,
}

impl Format {
    /// True when the warnings are part of the rendered text (otherwise the caller prints
    /// them as diagnostics).
    pub fn embeds_warnings(self) -> bool {
        !matches!(self, Format::Csv)
    }
}

/// Everything the audit is rendered from.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    /// The audit.
    pub audit: &'a Audit,
    /// Every warning of the run and of the audit.
    pub warnings: &'a [Diagnostic],
    /// Rule texts, for warning locations.
    pub sources: &'a Sources,
    /// Inputs, version, options.
    pub evidence: &'a Evidence,
    /// Users in the directory.
    pub users: usize,
    /// A line about the per-account report, when one was written.
    pub report_note: Option<&'a str>,
    /// The per-account report for the page: its path when written, rows and SHA-256.
    pub report: Option<(Option<&'a str>, u64, &'a str)>,
    /// `--stamp` (HTML only).
    pub stamp: Option<&'a str>,
}

/// Renders the audit in `format`.
pub fn render(p: &Page<'_>, format: Format) -> io::Result<String> {
    Ok(match format {
        Format::Json => {
            let mut t = serde_json::to_string_pretty(&json(p)).map_err(io::Error::other)?;
            t.push('\n');
            t
        }
        Format::Csv => {
            let mut buf = Vec::new();
            summary_csv(p.audit, &mut buf)?;
            String::from_utf8_lossy(&buf).into_owned()
        }
        Format::Html => super::html::page(p),
        Format::Table { width } => table(p, width),
    })
}

/// The JSON document: `{"apps": [{"app", "stage", "counts", "accounts", ...}], "inputs",
/// "options", "scopesim_version", "warnings"}`.
pub fn json(p: &Page<'_>) -> serde_json::Value {
    #[derive(Serialize)]
    struct Doc<'a> {
        apps: &'a [AppAudit],
        inputs: &'a [crate::pipeline::evidence::InputRef],
        options: &'a serde_json::Value,
        scopesim_version: &'a str,
        group_by: &'a [GroupAttribute],
        warnings: Vec<serde_json::Value>,
    }
    serde_json::to_value(Doc {
        apps: &p.audit.apps,
        inputs: &p.evidence.inputs,
        options: &p.evidence.options,
        scopesim_version: &p.evidence.scopesim_version,
        group_by: &p.audit.group_by,
        warnings: p.warnings.iter().map(|d| d.to_json(p.sources)).collect(),
    })
    .unwrap_or_default()
}

/// The classes in the order the summary shows them (as in the JSON counts).
pub const SHOWN: [Class; 7] = [
    Class::Unmanaged,
    Class::Kept,
    Class::Orphan,
    Class::Held,
    Class::WillRemove,
    Class::EnabledButDisabled,
    Class::ToCreate,
];

/// Counts per app as CSV (`--format csv`).
pub fn summary_csv(audit: &Audit, w: &mut dyn Write) -> io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    let mut header = vec!["app", "stage", "target_accounts", "provisioned"];
    header.extend(SHOWN.iter().map(|c| c.as_str()));
    c.write_record(&header)?;
    for a in &audit.apps {
        let mut row = vec![
            guard(&a.app).into_owned(),
            guard(&a.stage).into_owned(),
            a.target_accounts.to_string(),
            a.provisioned.to_string(),
        ];
        row.extend(SHOWN.iter().map(|&k| a.counts.get(k).to_string()));
        c.write_record(&row)?;
    }
    c.flush()
}

/// The columns of the per-account report.
pub const REPORT_COLUMNS: [&str; 11] = [
    "app",
    "stage",
    "account",
    "file",
    "line",
    "objectId",
    "userPrincipalName",
    "class",
    "reason",
    "last_in_scope_stage",
    "active_in_app",
];

/// Writes the per-account report as CSV: one row per account (and user to create),
/// every text cell formula-guarded. Returns the rows written.
pub fn report_csv(audit: &Audit, w: &mut dyn Write) -> io::Result<u64> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(REPORT_COLUMNS)?;
    let mut rows = 0;
    for a in &audit.apps {
        for x in &a.accounts {
            fn text(v: &Option<String>) -> std::borrow::Cow<'_, str> {
                v.as_deref().map(guard).unwrap_or_default()
            }
            c.write_record([
                guard(&a.app).as_ref(),
                guard(&a.stage).as_ref(),
                guard(&x.key).as_ref(),
                text(&x.file).as_ref(),
                &x.line.map(|l| l.to_string()).unwrap_or_default(),
                text(&x.object_id).as_ref(),
                text(&x.user).as_ref(),
                x.class.as_str(),
                guard(&x.reason).as_ref(),
                text(&x.last_in_scope_stage).as_ref(),
                match x.active_in_app {
                    Some(true) => "true",
                    Some(false) => "false",
                    None => "",
                },
            ])?;
            rows += 1;
        }
    }
    c.flush()?;
    Ok(rows)
}

/// The rows and SHA-256 of the per-account report, without writing it (the page names
/// the report that lists everyone even when `--report` was not given).
pub fn report_digest(audit: &Audit) -> io::Result<(u64, String)> {
    let mut h = crate::output::atomic::Hashing::new(io::sink());
    let rows = report_csv(audit, &mut h)?;
    Ok((rows, h.hex()))
}

/// Writes the per-account report for `path`, staged: nothing is at `path` until the
/// caller commits it (with the summary, see `Console::write_result`). Returns the rows
/// and the SHA-256 of the bytes written.
pub fn write_report(audit: &Audit, path: &Path) -> Result<(Staged, u64, String), Errors> {
    let mut rows = 0;
    let (staged, sha) = stage_hashed(path, |w| {
        rows = report_csv(audit, w)?;
        Ok(())
    })
    .map_err(|e| {
        Errors::from(
            Diagnostic::error(
                Code::Io,
                format!("cannot write the report `{}`: {e}", path.display()),
            )
            .with_help("check that the directory exists and is writable"),
        )
    })?;
    Ok((staged, rows, sha))
}

/// Accounts of one class, counted by the values of one breakdown attribute, most first
/// (ties by name); `None` values count as `(none)`.
pub fn breakdown<'a>(
    accounts: impl Iterator<Item = &'a AuditedAccount>,
    attribute: usize,
) -> Vec<(String, usize)> {
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for a in accounts {
        let v = match attribute {
            0 => a.department.as_deref(),
            _ => a.company.as_deref(),
        };
        *by.entry(v.unwrap_or("(none)").to_string()).or_default() += 1;
    }
    let mut v: Vec<(String, usize)> = by.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// How many breakdown values, and how many accounts per class, the summary shows.
const TOP: usize = 3;
const LISTED: usize = 5;

/// "Sales 2, Finance 1, IT 1, and 2 more" (or why it cannot be shown).
fn breakdown_line(a: &AppAudit, class: Class, g: &GroupAttribute, index: usize) -> String {
    let accounts = || a.accounts.iter().filter(|x| x.class == class);
    let values = breakdown(accounts(), index);
    if !g.in_directory && values.iter().all(|(v, _)| v == "(none)") {
        return format!("{}: not in the directory export", g.name);
    }
    let mut parts: Vec<String> = values
        .iter()
        .take(TOP)
        .map(|(v, n)| format!("{v} {n}"))
        .collect();
    if values.len() > TOP {
        parts.push(format!("and {} more", values.len() - TOP));
    }
    format!("{}: {}", g.name, parts.join(", "))
}

/// ", after `a`, `b`": the stages simulated before the audited one (empty when none).
pub fn after_stages(a: &AppAudit) -> String {
    if a.after_stages.is_empty() {
        return String::new();
    }
    let quoted: Vec<String> = a.after_stages.iter().map(|x| format!("`{x}`")).collect();
    format!(", after {}", quoted.join(", "))
}

/// The terminal summary: counts per app and class, then per class the top departments
/// and companies and the first accounts, then the verdict, the warnings and the report.
/// The abbreviation of each class's column when the table must be narrow.
fn short_label(c: Class) -> &'static str {
    match c {
        Class::Unmanaged => "Unm.",
        Class::Kept => "Kept",
        Class::Orphan => "Orph.",
        Class::Held => "Held",
        Class::WillRemove => "Rem.",
        Class::EnabledButDisabled => "En./dis.",
        Class::ToCreate => "Create",
    }
}

fn table(p: &Page<'_>, width: Option<u16>) -> String {
    use crate::output::grid::{Cell as GridCell, Column, Grid, fill};
    let audit = p.audit;
    let w = width.map_or(crate::output::console::PIPE_WIDTH, usize::from);
    let mut columns = vec![
        Column::text("App").key(),
        Column::text("Stage").key(),
        Column::number("Accounts").short("Acc."),
        Column::number("Provisioned").short("Prov."),
    ];
    columns.extend(
        SHOWN
            .iter()
            .map(|&c| Column::number(c.label()).short(short_label(c))),
    );
    let mut g = Grid::new(columns);
    for a in &audit.apps {
        let mut cells = vec![
            GridCell::data(&a.app),
            GridCell::data(&a.stage),
            GridCell::count(a.target_accounts),
            GridCell::count(a.provisioned),
        ];
        cells.extend(SHOWN.iter().map(|&c| GridCell::count(a.counts.get(c))));
        g.row(cells);
    }
    let (table, _) = g.render(w, crate::output::color::Paint::new(false));
    // Free text is wrapped to the width, continuation lines indented.
    let mut s = String::new();
    let mut text = String::new();
    let flush = |text: &mut String, s: &mut String| {
        for line in std::mem::take(text).lines() {
            let indent = " ".repeat(line.len() - line.trim_start().len() + 2);
            s.push_str(&fill(line, w, &indent));
        }
    };
    s.push_str(&table);
    for a in &audit.apps {
        text.push('\n');
        let after = after_stages(a);
        let held = if a.held_stage {
            "; the stage is held by the deletion threshold (S27)"
        } else {
            ""
        };
        text.push_str(&format!(
            "{} at stage `{}`{after}{held}: {} of {} accounts not provisioned by the rules\n",
            a.app,
            a.stage,
            a.target_accounts - a.provisioned,
            a.target_accounts
        ));
        for class in SHOWN {
            let n = a.counts.get(class);
            if n == 0 {
                continue;
            }
            text.push_str(&format!("  {} ({n}):", class.as_str()));
            let keys: Vec<&str> = a
                .accounts
                .iter()
                .filter(|x| x.class == class)
                .take(LISTED)
                .map(|x| x.key.as_str())
                .collect();
            text.push(' ');
            text.push_str(&keys.join(", "));
            if n > LISTED {
                text.push_str(&format!(", and {} more", n - LISTED));
            }
            text.push('\n');
            let lines: Vec<String> = audit
                .group_by
                .iter()
                .enumerate()
                .map(|(i, g)| breakdown_line(a, class, g, i))
                .collect();
            text.push_str(&format!("    {}\n", lines.join("; ")));
        }
    }
    let review = audit.needing_review();
    text.push('\n');
    if review == 0 {
        text.push_str("No account needs review: Entra removes every account the rules do not provision by itself.\n");
    } else {
        text.push_str(&format!(
            "{} Entra will not fix by itself (unmanaged, kept, orphan, held, enabled_but_disabled): review {}.\n",
            crate::diag::count(review as u64, "account", "accounts"),
            if review == 1 { "it" } else { "them" }
        ));
    }
    if !p.warnings.is_empty() {
        text.push_str(&format!(
            "\n{} warning{}:\n",
            p.warnings.len(),
            if p.warnings.len() == 1 { "" } else { "s" }
        ));
        for w in p.warnings {
            let at = w
                .primary_location(p.sources)
                .map(|l| format!(" ({l})"))
                .unwrap_or_default();
            let rule = w.rule.map(|r| format!("[{r}]")).unwrap_or_default();
            text.push_str(&format!("  warning{rule}: {}{at}\n", w.message));
            if let Some(h) = &w.help {
                text.push_str(&format!("    help: {h}\n"));
            }
        }
    }
    match p.report_note {
        Some(n) => text.push_str(&format!("\n{n}\n")),
        None if review > 0 => {
            text.push_str("\n`--report FILE` writes every account with its reason.\n");
        }
        None => {}
    }
    flush(&mut text, &mut s);
    s
}
