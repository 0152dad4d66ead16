//! The rules compared as written: the two sides' effective filters and app settings.
//!
//! Filters are matched by collection (scoping, input, category) and name, then compared
//! clause by clause as canonical text, as a multiset (order and repeats as written do
//! not matter to Entra, S22); an unmatched pair with the same clauses is a rename. A
//! reviewer reads these next to the users they move.

use super::{FilterChange, FilterChangeKind, SettingChange, Side};
use crate::rules::print::clause_text;
use crate::rules::resolve::stage_view;
use crate::rules::{App, Filter, FilterKind, ScopeMode};

/// Structural diff of the two sides' effective filters: by collection and name, then
/// clause by clause (as canonical text, as a multiset); an unmatched pair with the same
/// clauses is a rename.
pub fn filter_changes(before: Side<'_>, after: Side<'_>) -> Vec<FilterChange> {
    let bv = stage_view(before.app(), before.stage);
    let av = stage_view(after.app(), after.stage);
    let mut out = Vec::new();
    for kind in [FilterKind::Scoping, FilterKind::Input, FilterKind::Category] {
        let pick = |v: &crate::rules::resolve::StageView<'_>| -> Vec<Filter> {
            let list = match kind {
                FilterKind::Scoping => &v.scoping,
                FilterKind::Input => &v.input,
                FilterKind::Category => &v.category,
            };
            list.iter().map(|f| (*f).clone()).collect()
        };
        let (old, new) = (pick(&bv), pick(&av));
        let texts = |f: &Filter| -> Vec<String> {
            let mut t: Vec<String> = f.clauses.iter().map(clause_text).collect();
            t.sort();
            t
        };
        let mut matched_old = vec![false; old.len()];
        let mut pending_added: Vec<&Filter> = Vec::new();
        let mut changes: Vec<FilterChange> = Vec::new();
        for f in &new {
            match old
                .iter()
                .enumerate()
                .position(|(i, o)| !matched_old[i] && o.name.node == f.name.node)
            {
                Some(i) => {
                    matched_old[i] = true;
                    let (added, removed) = multiset_diff(&texts(f), &texts(&old[i]));
                    if !added.is_empty() || !removed.is_empty() {
                        changes.push(FilterChange {
                            change: FilterChangeKind::Modified,
                            kind,
                            name: f.name.node.clone(),
                            old_name: None,
                            clauses_added: added,
                            clauses_removed: removed,
                        });
                    }
                }
                None => pending_added.push(f),
            }
        }
        for f in pending_added {
            let t = texts(f);
            let renamed = old
                .iter()
                .enumerate()
                .position(|(i, o)| !matched_old[i] && texts(o) == t);
            match renamed {
                Some(i) => {
                    matched_old[i] = true;
                    changes.push(FilterChange {
                        change: FilterChangeKind::Renamed,
                        kind,
                        name: f.name.node.clone(),
                        old_name: Some(old[i].name.node.clone()),
                        clauses_added: Vec::new(),
                        clauses_removed: Vec::new(),
                    });
                }
                None => changes.push(FilterChange {
                    change: FilterChangeKind::Added,
                    kind,
                    name: f.name.node.clone(),
                    old_name: None,
                    clauses_added: f.clauses.iter().map(clause_text).collect(),
                    clauses_removed: Vec::new(),
                }),
            }
        }
        for (i, o) in old.iter().enumerate() {
            if !matched_old[i] {
                changes.push(FilterChange {
                    change: FilterChangeKind::Removed,
                    kind,
                    name: o.name.node.clone(),
                    old_name: None,
                    clauses_added: Vec::new(),
                    clauses_removed: o.clauses.iter().map(clause_text).collect(),
                });
            }
        }
        out.extend(changes);
    }
    out
}

/// Items of `a` not in `b` and of `b` not in `a`, counting repeats (both sorted).
fn multiset_diff(a: &[String], b: &[String]) -> (Vec<String>, Vec<String>) {
    let mut only_a = Vec::new();
    let mut only_b = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x < y => {
                only_a.push(x.clone());
                i += 1;
            }
            (Some(_), Some(y)) => {
                only_b.push(y.clone());
                j += 1;
            }
            (Some(x), None) => {
                only_a.push(x.clone());
                i += 1;
            }
            (None, Some(y)) => {
                only_b.push(y.clone());
                j += 1;
            }
            (None, None) => break,
        }
    }
    (only_a, only_b)
}

/// The settings that differ between the two apps, by name.
pub(super) fn setting_changes(before: &App, after: &App) -> Vec<SettingChange> {
    let threshold = |a: &App| {
        a.deletion_threshold
            .as_ref()
            .map_or_else(|| "none".to_string(), |t| t.node.to_string())
    };
    let scope = |a: &App| match a.scope_mode() {
        ScopeMode::Assigned => "assigned".to_string(),
        ScopeMode::All => "all".to_string(),
    };
    let rows = [
        ("scope", scope(before), scope(after)),
        (
            "skip_out_of_scope_deletions",
            before.skip_deletions().to_string(),
            after.skip_deletions().to_string(),
        ),
        ("deletion_threshold", threshold(before), threshold(after)),
        (
            "delete_flow",
            before.delete_flow_on().to_string(),
            after.delete_flow_on().to_string(),
        ),
    ];
    rows.into_iter()
        .filter(|(_, b, a)| b != a)
        .map(|(s, b, a)| SettingChange {
            setting: s.to_string(),
            before: b,
            after: a,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiset_diff_counts_repeats() {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (a, b) = multiset_diff(&v(&["a", "b", "b", "d"]), &v(&["b", "c", "d", "d"]));
        assert_eq!(a, v(&["a", "b"]));
        assert_eq!(b, v(&["c", "d"]));
    }
}
