//! A comparison rendered: `terraform plan`-style text, JSON, and the `--report` CSV.
//!
//! The text lists per app the filter changes (`+`, `-`, `~`), the users gaining (`+`) and
//! losing (`-`) scope with Entra's action, the breakdowns and the deletion threshold; the
//! CSV has every changed user, formula-guarded, in directory order, so two runs on the
//! same inputs write the same bytes.

use super::{Change, Diff, FilterChangeKind};
use crate::output::csv_guard::guard;
use crate::rollout::ThresholdBoundary;
use crate::rules::FilterKind;
use comfy_table::{Cell, CellAlignment, Table};
use serde_json::Value;
use std::io::{self, Write};

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

/// Writes every user whose scope changes as CSV: apps in order, users in directory
/// order, every text cell formula-guarded. Returns the number of rows.
pub fn write_report_csv(diff: &Diff, w: &mut dyn Write) -> io::Result<u64> {
    let mut c = csv::Writer::from_writer(w);
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

/// The diff as JSON.
pub fn to_json(diff: &Diff) -> Value {
    serde_json::to_value(diff).unwrap_or(Value::Null)
}

/// Rendering options of the text form.
#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    /// Users listed per app (the report has all of them).
    pub max_users: usize,
    /// Table width (`None`: the terminal's).
    pub width: Option<u16>,
}

/// The diff as text, `terraform plan` style: per app the filter changes (`+`, `-`, `~`),
/// the users gaining (`+`) and losing (`-`) scope with Entra's action, the breakdowns and
/// the deletion threshold.
pub fn render_text(diff: &Diff, opts: TextOptions) -> String {
    let mut s = String::new();
    for a in &diff.apps {
        s.push_str(&format!(
            "App {:?}: stage {:?} ({}) -> stage {:?} ({})\n",
            a.app, a.stage_before, diff.before, a.stage_after, diff.after
        ));
        if a.filters.is_empty() && a.settings.is_empty() {
            s.push_str("  filters and settings: no change\n");
        }
        for f in &a.filters {
            let kind = match f.kind {
                FilterKind::Scoping => "filter",
                FilterKind::Input => "input_filter",
                FilterKind::Category => "category_filter",
            };
            match f.change {
                FilterChangeKind::Added => s.push_str(&format!("  + {kind} {:?}\n", f.name)),
                FilterChangeKind::Removed => s.push_str(&format!("  - {kind} {:?}\n", f.name)),
                FilterChangeKind::Modified => s.push_str(&format!("  ~ {kind} {:?}\n", f.name)),
                FilterChangeKind::Renamed => s.push_str(&format!(
                    "  ~ {kind} {:?} renamed to {:?} (same clauses)\n",
                    f.old_name.as_deref().unwrap_or(""),
                    f.name
                )),
            }
            for c in &f.clauses_removed {
                s.push_str(&format!("      - {c}\n"));
            }
            for c in &f.clauses_added {
                s.push_str(&format!("      + {c}\n"));
            }
        }
        for c in &a.settings {
            s.push_str(&format!("  ~ {}: {} -> {}\n", c.setting, c.before, c.after));
        }
        s.push_str(&format!(
            "\n  {} scope, {} {} it, {} unchanged ({} in scope, {} out of scope)\n",
            gains(a.gained),
            a.lost,
            if a.lost == 1 { "loses" } else { "lose" },
            a.unchanged_in_scope + a.unchanged_out_of_scope,
            a.unchanged_in_scope,
            a.unchanged_out_of_scope
        ));
        if !a.users.is_empty() {
            let mut t = table(opts.width);
            t.set_header(vec!["", "User", "Action", "Why (after)"]);
            for u in a.users.iter().take(opts.max_users) {
                let sign = match u.change {
                    Change::Gained => "+",
                    Change::Lost => "-",
                };
                let name = if u.user_principal_name.is_empty() {
                    &u.object_id
                } else {
                    &u.user_principal_name
                };
                let action = if u.held {
                    format!("{} (held)", u.action.as_str())
                } else {
                    u.action.as_str().to_string()
                };
                t.add_row(vec![
                    Cell::new(sign),
                    Cell::new(name),
                    Cell::new(action),
                    Cell::new(&u.reason_after),
                ]);
            }
            s.push_str(&indent(&t.to_string()));
            if a.users.len() > opts.max_users {
                s.push_str(&format!(
                    "  ... and {} more (write them all with `--report FILE.csv`)\n",
                    a.users.len() - opts.max_users
                ));
            }
            let mut bt = table(opts.width);
            bt.set_header(vec!["Attribute", "Value", "Gain", "Lose"]);
            let mut any = false;
            for b in &a.breakdowns {
                for r in &b.values {
                    any = true;
                    bt.add_row(vec![
                        Cell::new(&b.attribute),
                        Cell::new(
                            r.value
                                .as_deref()
                                .map_or_else(|| "(null)".to_string(), |v| format!("{v:?}")),
                        ),
                        Cell::new(r.gained).set_alignment(CellAlignment::Right),
                        Cell::new(r.lost).set_alignment(CellAlignment::Right),
                    ]);
                }
            }
            if any {
                s.push_str(&indent(&bt.to_string()));
            }
        }
        let counts: Vec<String> = a.actions.iter().map(|(k, n)| format!("{n} {k}")).collect();
        if !counts.is_empty() {
            s.push_str(&format!("  actions: {}", counts.join(", ")));
            if a.skip_out_of_scope_deletions && a.lost > 0 {
                s.push_str(" (SkipOutOfScopeDeletions keeps the accounts of users losing scope)");
            }
            s.push('\n');
        }
        let t = &a.threshold;
        let boundary = match t.boundary {
            ThresholdBoundary::Gt => "above",
            ThresholdBoundary::Ge => "at or above",
        };
        let count = if t.deprovisions == 1 {
            "1 disable or delete".to_string()
        } else {
            format!("{} disables or deletes", t.deprovisions)
        };
        match t.limit {
            Some(limit) if t.held => s.push_str(&format!(
                "  deletion threshold {limit} (held {boundary} it): TRIPPED by {count}: Entra would hold them and quarantine the job (TooManyDeletes, S27)\n"
            )),
            Some(limit) => s.push_str(&format!(
                "  deletion threshold {limit} (held {boundary} it): not tripped by {count}\n"
            )),
            None => s.push_str(&format!("  deletion threshold: none set ({count})\n")),
        }
        s.push('\n');
    }
    if !diff.only_before.is_empty() {
        s.push_str(&format!(
            "Apps only in {}: {}\n",
            diff.before,
            diff.only_before.join(", ")
        ));
    }
    if !diff.only_after.is_empty() {
        s.push_str(&format!(
            "Apps only in {}: {}\n",
            diff.after,
            diff.only_after.join(", ")
        ));
    }
    if !diff.without_stage.is_empty() {
        s.push_str(&format!(
            "Apps without that stage in both files: {}\n",
            diff.without_stage.join(", ")
        ));
    }
    let gained: usize = diff.apps.iter().map(|a| a.gained).sum();
    let lost: usize = diff.apps.iter().map(|a| a.lost).sum();
    s.push_str(&format!(
        "Summary: {} scope, {} {} it{}\n",
        gains(gained),
        lost,
        if lost == 1 { "loses" } else { "lose" },
        if diff.held() {
            "; the deletion threshold would hold the change"
        } else {
            ""
        }
    ));
    s
}

/// `1 user gains`, `3 users gain`.
fn gains(n: usize) -> String {
    if n == 1 {
        "1 user gains".to_string()
    } else {
        format!("{n} users gain")
    }
}

/// Tables in the diff sit under an indented heading, two columns narrower.
fn table(width: Option<u16>) -> Table {
    crate::output::table(width.map(|w| w.saturating_sub(2)))
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
