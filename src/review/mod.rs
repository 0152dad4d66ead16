//! Review tools: `lint` (what in these rules will surprise you), `diff` (what changes if
//! you save this version), `test` (do the rules still do what the team agreed).
//!
//! All three answer questions an administrator asks *before* saving a scoping filter, with
//! the same engine `plan` uses: each runs its simulations through
//! [`crate::pipeline::evaluate_directory`] (compile, evaluate, rollout in one place), so a
//! lint count, a diff and a test verdict can never disagree with the plan. Each produces a plain data model
//! (findings, per-app diffs, case results) that the CLI renders as a table or JSON, so
//! CI and other programs can use them without the binary. Users are named by their
//! userPrincipalName (or objectId), values are quoted as exported, and every finding,
//! change or failure points at the rule text it comes from.

pub mod diff;
pub mod lint;
pub mod testing;

use crate::diag::Diagnostic;
use crate::directory::Directory;
use crate::source::Sources;
use std::collections::BTreeMap;

/// At most this many example users or values per finding.
pub const MAX_EXAMPLES: usize = 5;

/// A review finding: a diagnostic (severity, code, spec rule, message, help, spans) with
/// the number of users it affects and a few of them, or of the values concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What, where, how serious.
    pub diagnostic: Diagnostic,
    /// Users affected, for findings computed from a directory.
    pub affected: Option<usize>,
    /// Up to [`MAX_EXAMPLES`] users (UPNs) or values (`"Sales" (12 users)`).
    pub examples: Vec<String>,
}

impl Finding {
    /// A finding without data (a static one).
    pub fn new(diagnostic: Diagnostic) -> Finding {
        Finding {
            diagnostic,
            affected: None,
            examples: Vec::new(),
        }
    }

    /// Adds the count of users affected.
    pub fn affecting(mut self, users: usize) -> Finding {
        self.affected = Some(users);
        self
    }

    /// Adds examples (only the first [`MAX_EXAMPLES`] are kept).
    pub fn with_examples(mut self, examples: impl IntoIterator<Item = String>) -> Finding {
        self.examples = examples.into_iter().take(MAX_EXAMPLES).collect();
        self
    }

    /// The finding as JSON: the diagnostic's fields plus `affected` and `examples`.
    pub fn to_json(&self, sources: &Sources) -> serde_json::Value {
        let mut v = self.diagnostic.to_json(sources);
        if let Some(obj) = v.as_object_mut() {
            obj.insert("affected".into(), serde_json::json!(self.affected));
            obj.insert("examples".into(), serde_json::json!(self.examples));
        }
        v
    }
}

/// How a user is named in findings and reports: UPN, else objectId, else the row number.
pub fn user_name(dir: &Directory, row: usize) -> String {
    dir.value_by_name(row, "userPrincipalName")
        .or_else(|| dir.value_by_name(row, "objectId"))
        .map_or_else(|| format!("row {}", row + 1), str::to_string)
}

/// Counts of distinct values, rendered as examples: most frequent first, then by value.
pub fn value_examples(counts: &BTreeMap<String, usize>) -> Vec<String> {
    let mut v: Vec<(&String, &usize)> = counts.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
    v.into_iter()
        .take(MAX_EXAMPLES)
        .map(|(value, n)| format!("{value:?} ({n} {})", plural_word(*n, "user")))
        .collect()
}

/// `user` or `users`.
pub fn plural_word(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

/// `1 user`, `3 users`.
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {}", plural_word(n, word))
}

/// A `file:line:column` for the primary label of a diagnostic, or "".
pub fn location(d: &Diagnostic, sources: &Sources) -> String {
    d.primary_location(sources).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_examples_are_most_frequent_first_and_capped() {
        let mut m = BTreeMap::new();
        for (v, n) in [("a", 1), ("b", 5), ("c", 5), ("d", 2), ("e", 1), ("f", 1)] {
            m.insert(v.to_string(), n);
        }
        assert_eq!(
            value_examples(&m),
            vec![
                "\"b\" (5 users)",
                "\"c\" (5 users)",
                "\"d\" (2 users)",
                "\"a\" (1 user)",
                "\"e\" (1 user)"
            ]
        );
    }

    #[test]
    fn users_are_named_by_upn_then_object_id() {
        let d = crate::directory::from_rows([
            vec![("objectId", "1"), ("userPrincipalName", "a@x")],
            vec![("objectId", "2")],
            vec![("displayName", "nobody")],
        ]);
        assert_eq!(user_name(&d, 0), "a@x");
        assert_eq!(user_name(&d, 1), "2");
        assert_eq!(user_name(&d, 2), "row 3");
    }
}
