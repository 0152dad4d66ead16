//! A comparison rendered: `terraform plan`-style text, JSON, the audit page, and the
//! `--report` CSV.
//!
//! The text lists per app the filter changes (`+`, `-`, `~`), the users gaining (`+`) and
//! losing (`-`) scope with Entra's action, the breakdowns and the deletion threshold, in
//! tables that fit the width ([`crate::output::grid`]); data is escaped for the terminal
//! where it enters the text, so that colour (losses red, gains green, a tripped threshold
//! bold red) is the only escape sequence written. The CSV has every changed user,
//! formula-guarded, in directory order, so two runs on the same inputs write the same
//! bytes.

use super::{Change, Diff, FilterChangeKind};
use crate::diag::{Code, Diagnostic};
use crate::output::atomic::{Staged, stage_hashed};
use crate::output::color::{Paint, Tone};
use crate::output::csv_guard::guard;
use crate::output::dialect::CsvStyle;
use crate::output::format::{count, counted};
use crate::output::grid::{Cell, Column, Grid, fill};
use crate::rollout::{Action, ThresholdBoundary};
use crate::rules::FilterKind;
use crate::text::escape_control as esc;
use serde_json::Value;
use std::io::{self, Write};
use std::path::Path;

/// The columns of `--report`.
pub const REPORT_COLUMNS: [&str; 12] = [
    "app",
    "stage_before",
    "stage_after",
    "objectId",
    "userPrincipalName",
    "change",
    "before_in_scope",
    "after_in_scope",
    "action",
    "held",
    "reason_before",
    "reason_after",
];

/// Writes every user whose scope changes as CSV in `style`: apps in order, users in
/// directory order, every text cell formula-guarded. Returns the number of rows.
pub fn write_report_csv(diff: &Diff, style: CsvStyle, w: &mut dyn Write) -> io::Result<u64> {
    let mut c = style.writer(w)?;
    c.write_record(REPORT_COLUMNS)?;
    let mut rows = 0;
    for a in &diff.apps {
        for u in &a.users {
            let gained = u.change == Change::Gained;
            c.write_record([
                guard(&a.app).as_ref(),
                guard(&a.stage_before).as_ref(),
                guard(&a.stage_after).as_ref(),
                guard(&u.object_id).as_ref(),
                guard(&u.user_principal_name).as_ref(),
                u.change.as_str(),
                if gained { "false" } else { "true" },
                if gained { "true" } else { "false" },
                u.action.as_str(),
                if u.held { "true" } else { "false" },
                guard(&u.reason_before).as_ref(),
                guard(&u.reason_after).as_ref(),
            ])?;
            rows += 1;
        }
    }
    c.flush()?;
    Ok(rows)
}

/// Writes the `--report` CSV for `path`, staged (nothing is there until it is committed
/// with the run's other outputs). Returns it, its rows and its SHA-256.
pub fn stage_report(
    diff: &Diff,
    path: &Path,
    style: CsvStyle,
) -> Result<(Staged, u64, String), Diagnostic> {
    let mut rows = 0;
    let (staged, sha256) = stage_hashed(path, |w| {
        rows = write_report_csv(diff, style, w)?;
        Ok(())
    })
    .map_err(|e| {
        Diagnostic::error(
            Code::Io,
            format!("cannot write the report `{}`: {e}", path.display()),
        )
        .with_help("check that the directory exists and is writable")
    })?;
    Ok((staged, rows, sha256))
}

/// The diff as JSON.
pub fn to_json(diff: &Diff) -> Value {
    serde_json::to_value(diff).unwrap_or(Value::Null)
}

/// Rendering options of the text form.
#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    /// Users listed per app (the report has all of them).
    pub max_users: usize,
    /// Width to lay tables out in.
    pub width: usize,
    /// Colour.
    pub paint: Paint,
}

fn action_tone(a: Action) -> Option<Tone> {
    match a {
        Action::Create => Some(Tone::Good),
        Action::Disable | Action::Delete | Action::Fail => Some(Tone::Danger),
        _ => None,
    }
}

/// The diff as text, `terraform plan` style: per app the filter changes (`+`, `-`, `~`),
/// the users gaining (`+`) and losing (`-`) scope with Entra's action, the breakdowns and
/// the deletion threshold.
pub fn render_text(diff: &Diff, opts: TextOptions) -> String {
    let p = opts.paint;
    let (plus, minus) = (
        p.paint(Some(Tone::Good), "+"),
        p.paint(Some(Tone::Danger), "-"),
    );
    let mut s = String::new();
    for a in &diff.apps {
        let heading = format!(
            "App {}: stage {} ({}) -> stage {} ({})",
            q(&a.app),
            q(&a.stage_before),
            esc(&diff.before),
            q(&a.stage_after),
            esc(&diff.after)
        );
        s.push_str(&fill(&heading, opts.width, "    "));
        if a.filters.is_empty() && a.settings.is_empty() {
            s.push_str("  filters and settings: no change\n");
        }
        for f in &a.filters {
            let kind = match f.kind {
                FilterKind::Scoping => "filter",
                FilterKind::Input => "input_filter",
                FilterKind::Category => "category_filter",
            };
            let name = q(&f.name);
            match f.change {
                FilterChangeKind::Added => s.push_str(&format!("  {plus} {kind} {name}\n")),
                FilterChangeKind::Removed => s.push_str(&format!("  {minus} {kind} {name}\n")),
                FilterChangeKind::Modified => s.push_str(&format!("  ~ {kind} {name}\n")),
                FilterChangeKind::Renamed => s.push_str(&format!(
                    "  ~ {kind} {} renamed to {name} (same clauses)\n",
                    q(f.old_name.as_deref().unwrap_or(""))
                )),
            }
            for c in &f.clauses_removed {
                s.push_str(&format!("      {minus} {}\n", esc(c)));
            }
            for c in &f.clauses_added {
                s.push_str(&format!("      {plus} {}\n", esc(c)));
            }
        }
        for c in &a.settings {
            s.push_str(&format!(
                "  ~ {}: {} -> {}\n",
                esc(&c.setting),
                esc(&c.before),
                esc(&c.after)
            ));
        }
        s.push_str(&format!(
            "\n  {} scope, {} {} it, {} unchanged ({} in scope, {} out of scope)\n",
            gains(a.gained),
            count(a.lost),
            if a.lost == 1 { "loses" } else { "lose" },
            count(a.unchanged_in_scope + a.unchanged_out_of_scope),
            count(a.unchanged_in_scope),
            count(a.unchanged_out_of_scope)
        ));
        let inner = opts.width.saturating_sub(2);
        if !a.users.is_empty() {
            let mut g = Grid::new(vec![
                Column::text("").key(),
                Column::wrapping("User", 12).key(),
                Column::text("Action"),
                Column::wrapping("Why (after)", 16).short("Why"),
            ]);
            for u in a.users.iter().take(opts.max_users) {
                let sign = match u.change {
                    Change::Gained => Cell::data("+").tone(Tone::Good),
                    Change::Lost => Cell::data("-").tone(Tone::Danger),
                };
                let name = if u.user_principal_name.is_empty() {
                    &u.object_id
                } else {
                    &u.user_principal_name
                };
                let action = if u.held {
                    Cell::data(&format!("{} (held)", u.action.as_str())).tone(Tone::Held)
                } else {
                    let c = Cell::data(u.action.as_str());
                    match action_tone(u.action) {
                        Some(t) => c.tone(t),
                        None => c,
                    }
                };
                g.row(vec![
                    sign,
                    Cell::data(name),
                    action,
                    Cell::data(&u.reason_after),
                ]);
            }
            s.push_str(&indent(&g.render(inner, p).0));
            if a.users.len() > opts.max_users {
                s.push_str(&format!(
                    "  ... and {} more (write them all with `--report FILE.csv`)\n",
                    count(a.users.len() - opts.max_users)
                ));
            }
            let mut bt = Grid::new(vec![
                Column::text("Attribute").key(),
                Column::wrapping("Value", 10).key(),
                Column::number("Gain"),
                Column::number("Lose"),
            ]);
            for b in &a.breakdowns {
                for r in &b.values {
                    bt.row(vec![
                        Cell::data(&b.attribute),
                        Cell::data(&r.value.as_deref().map_or_else(|| "(null)".to_string(), q)),
                        Cell::count(r.gained).tone_if(r.gained > 0, Tone::Good),
                        Cell::count(r.lost).tone_if(r.lost > 0, Tone::Danger),
                    ]);
                }
            }
            if !bt.rows.is_empty() {
                s.push_str(&indent(&bt.render(inner, p).0));
            }
        }
        let counts: Vec<String> = a
            .actions
            .iter()
            .map(|(k, n)| format!("{} {}", count(*n), esc(k)))
            .collect();
        if !counts.is_empty() {
            let mut line = format!("  actions: {}", counts.join(", "));
            if a.skip_out_of_scope_deletions && a.lost > 0 {
                line.push_str(
                    " (SkipOutOfScopeDeletions keeps the accounts of users losing scope)",
                );
            }
            s.push_str(&fill(&line, opts.width, "    "));
        }
        s.push_str(&threshold_line(a, opts.width, p));
        s.push('\n');
    }
    for (label, apps) in [
        (
            format!("Apps only in {}", esc(&diff.before)),
            &diff.only_before,
        ),
        (
            format!("Apps only in {}", esc(&diff.after)),
            &diff.only_after,
        ),
        (
            "Apps without that stage in both files".to_string(),
            &diff.without_stage,
        ),
    ] {
        if !apps.is_empty() {
            let names: Vec<String> = apps.iter().map(|a| esc(a).into_owned()).collect();
            s.push_str(&format!("{label}: {}\n", names.join(", ")));
        }
    }
    let gained: usize = diff.apps.iter().map(|a| a.gained).sum();
    let lost: usize = diff.apps.iter().map(|a| a.lost).sum();
    s.push_str(&format!(
        "Summary: {} scope, {} {} it{}\n",
        gains(gained),
        count(lost),
        if lost == 1 { "loses" } else { "lose" },
        if diff.held() {
            p.paint(
                Some(Tone::Held),
                "; the deletion threshold would hold the change",
            )
        } else {
            String::new()
        }
    ));
    s
}

fn threshold_line(a: &super::AppDiff, width: usize, p: Paint) -> String {
    let t = &a.threshold;
    let boundary = match t.boundary {
        ThresholdBoundary::Gt => "above",
        ThresholdBoundary::Ge => "at or above",
    };
    let n = counted(t.deprovisions, "disable or delete", "disables or deletes");
    let line = match t.limit {
        Some(limit) if t.held => format!(
            "  deletion threshold {limit} (held {boundary} it): TRIPPED by {n}: Entra would hold them and quarantine the job (TooManyDeletes, S27)"
        ),
        Some(limit) => {
            format!("  deletion threshold {limit} (held {boundary} it): not tripped by {n}")
        }
        None => format!("  deletion threshold: none set ({n})"),
    };
    // Wrapped before it is painted: colour codes have no width.
    fill(&line, width, "    ").replacen("TRIPPED", &p.paint(Some(Tone::Held), "TRIPPED"), 1)
}

/// A name quoted as Rust's Debug quotes it, then escaped for the terminal.
fn q(s: &str) -> String {
    esc(&format!("{s:?}")).into_owned()
}

/// `1 user gains`, `3 users gain`.
fn gains(n: usize) -> String {
    if n == 1 {
        "1 user gains".to_string()
    } else {
        format!("{} users gain", count(n))
    }
}

fn indent(text: &str) -> String {
    let mut s = String::new();
    for line in text.lines() {
        s.push_str("  ");
        s.push_str(line);
        s.push('\n');
    }
    s
}
