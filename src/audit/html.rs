//! The audit as an audit page, for access reviews and audit files, in the design every
//! page shares ([`crate::output::html`]): who has an account in an app that the rules
//! would not give them, computed offline from exported files (nothing was sent to any
//! tenant); whether any account needs review; the accounts per app and class as a table
//! (the same numbers as `--format json`) and a bar chart coloured by meaning (red where
//! Entra will not fix it by itself); then per app and class what the class means, the
//! accounts by department and company (the top values and "other") and the accounts
//! themselves with the reason (the first [`LISTED`], with the count and the hash of the
//! CSV report that lists everyone); the warnings; and every input with its SHA-256.
//! Without `--stamp` the page is byte-identical across runs.

use super::Class;
use super::render::{Page, SHOWN, after_stages, breakdown};
use crate::output::format::{count, counted};
use crate::output::html::{self, TOP_VALUES, Table, Td, legend, svg, top_counts};

/// Accounts listed by name per app and class (the report lists everyone).
pub const LISTED: usize = 50;

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

/// The colour of each class, the same in every chart and the legend: reds for the
/// classes Entra will not fix by itself, green for what it removes, blue for the reverse
/// gap.
pub fn class_colour(c: Class) -> &'static str {
    match c {
        Class::Unmanaged => "#b71c1c",
        Class::Kept => "#e65100",
        Class::Orphan => "#6a1b9a",
        Class::Held => "#c62828",
        Class::EnabledButDisabled => "#ad1457",
        Class::WillRemove => "#2e7d32",
        Class::ToCreate => "#1565c0",
    }
}

/// The whole page.
pub fn page(p: &Page<'_>) -> String {
    let mut h = html::Page::new("scopesim least-privilege audit");
    h.opening(
        &format!(
            "{} in the directory export · {} · scopesim {}",
            counted(p.users, "user", "users"),
            counted(p.audit.apps.len(), "app", "apps"),
            p.evidence.scopesim_version
        ),
        "Who has an account in an app that the rules would not give them, computed offline from exported files: nothing was sent to any tenant.",
        p.stamp,
    );
    let review = p.audit.needing_review();
    if review == 0 {
        h.para(
            Some("safe"),
            "No account needs review: Entra removes every account the rules do not provision by itself.",
        );
    } else {
        h.para(
            Some("alert"),
            &format!(
                "{} Entra will not fix by itself (unmanaged, kept, orphan, held, enabled_but_disabled): review {}.",
                counted(review, "account", "accounts"),
                if review == 1 { "it" } else { "them" }
            ),
        );
    }
    summary_section(&mut h, p);
    for i in 0..p.audit.apps.len() {
        app_section(&mut h, p, i);
    }
    html::warnings_section(&mut h, p.warnings, p.sources);
    let rows = p.evidence.inputs.iter();
    let rows = rows.map(|i| (&*i.role, &*i.path, i.records, &*i.sha256));
    let (options, version) = (p.evidence.options.to_string(), &p.evidence.scopesim_version);
    html::inputs_section(
        &mut h,
        rows,
        Some(&options),
        Some(version),
        p.stamp.is_some(),
    );
    h.finish()
}

fn summary_section(h: &mut html::Page, p: &Page<'_>) {
    h.heading(2, "summary", "Accounts per app and class");
    let mut head = vec!["App", "Stage", "Accounts", "Provisioned"];
    head.extend(SHOWN.iter().map(|c| c.label()));
    let mut t = Table::new(&head);
    t.dense = true;
    for a in &p.audit.apps {
        let mut cells = vec![
            Td::Text(a.app.clone()),
            Td::Text(a.stage.clone()),
            Td::Count("target_accounts", a.target_accounts),
            Td::Count("provisioned", a.provisioned),
        ];
        cells.extend(
            SHOWN
                .iter()
                .map(|c| Td::Count(c.as_str(), a.counts.get(*c))),
        );
        let review = a.counts.needing_review() > 0;
        t.row_with(
            cells,
            review.then_some("held"),
            vec![("app", a.app.clone()), ("stage", a.stage.clone())],
        );
    }
    h.table(&t);
    let groups: Vec<svg::Group> = p
        .audit
        .apps
        .iter()
        .map(|a| svg::Group {
            name: format!("{} at {}", a.app, a.stage),
            bars: SHOWN
                .iter()
                .map(|c| (c.label().to_string(), a.counts.get(*c)))
                .collect(),
        })
        .collect();
    h.markup(&svg::bars(
        "accounts per app and class",
        &groups,
        &|i, _| class_colour(SHOWN[i.min(SHOWN.len() - 1)]),
    ));
    let entries: Vec<(&str, &str)> = SHOWN
        .iter()
        .map(|c| (c.label(), class_colour(*c)))
        .collect();
    h.markup(&legend(&entries));
    let items: Vec<String> = SHOWN
        .iter()
        .map(|c| format!("`{}` ({}): {}", c.as_str(), c.label(), meaning(*c)))
        .collect();
    h.list(&items, None);
}

fn app_section(h: &mut html::Page, p: &Page<'_>, index: usize) {
    let Some(a) = p.audit.apps.get(index) else {
        return;
    };
    h.heading(
        2,
        &format!("app-{index}"),
        &format!("App “{}” at stage “{}”", a.app, a.stage),
    );
    let lead = format!(
        "{} of {} not provisioned by the rules{}.",
        count(a.target_accounts - a.provisioned.min(a.target_accounts)),
        counted(a.target_accounts, "account", "accounts"),
        after_stages(a)
    );
    h.para(None, &lead);
    if a.held_stage {
        h.para(
            Some("alert"),
            "The stage passes the deletion threshold: Entra holds its disables and deletes (S27).",
        );
    }
    for c in SHOWN {
        let n = a.counts.get(c);
        if n == 0 {
            continue;
        }
        h.heading(
            3,
            &format!("app-{index}-{}", c.as_str()),
            &format!("{} ({})", c.label(), count(n)),
        );
        h.para(Some("muted"), meaning(c));
        let accounts = || a.accounts.iter().filter(|x| x.class == c);
        let mut groups = Vec::new();
        for (i, g) in p.audit.group_by.iter().enumerate() {
            let values = breakdown(accounts(), i);
            if !g.in_directory && values.iter().all(|(x, _)| x == "(none)") {
                h.para(
                    Some("muted"),
                    &format!("`{}`: not in the directory export.", g.name),
                );
                continue;
            }
            groups.push(svg::Group {
                name: format!("by {}", g.name),
                bars: top_counts(values, TOP_VALUES),
            });
        }
        if !groups.is_empty() {
            let colour = class_colour(c);
            h.markup(&svg::bars(
                &format!(
                    "{}: {} accounts by department and company",
                    a.app,
                    c.as_str()
                ),
                &groups,
                &|_, _| colour,
            ));
        }
        let mut t = Table::new(&["Account", "User", "Reason", "Last stage in scope", "Where"]);
        for x in accounts().take(LISTED) {
            let user = x.user.clone().or_else(|| x.object_id.clone());
            let at = match (&x.file, x.line) {
                (Some(f), Some(l)) => Td::Code(format!("{f}:{l}")),
                _ => Td::Text(String::new()),
            };
            t.row_with(
                vec![
                    Td::Text(x.key.clone()),
                    Td::Text(user.unwrap_or_else(|| "—".to_string())),
                    Td::Markup(html::escape_text(&x.reason)),
                    Td::Text(
                        x.last_in_scope_stage
                            .clone()
                            .unwrap_or_else(|| "—".to_string()),
                    ),
                    at,
                ],
                None,
                vec![("class", c.as_str().to_string())],
            );
        }
        if n > LISTED {
            h.para(
                None,
                &format!("The first {} in target-state order:", count(LISTED)),
            );
        }
        h.table(&t);
    }
    if let Some((path, rows, sha)) = p.report {
        let pointer = html::report_pointer("per-account report", path, rows, sha);
        h.para(Some("muted"), &pointer);
    }
}
