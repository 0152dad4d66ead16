//! Warnings about values Entra would read differently from what the administrator may
//! expect, counted over the whole evaluation: unreadable Booleans and integers (S4, S18)
//! and regexes that gave up (S19).

use super::{Outcomes, Plan};
use crate::diag::{Code, Diagnostic};

/// Warnings about values Entra would read differently from what the admin may expect:
/// unreadable Booleans and integers (S4, S18) and regexes that gave up (S19).
pub fn value_warnings(plan: &Plan, outcomes: &Outcomes) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, c) in plan.clauses.iter().enumerate() {
        let n = outcomes.unreadable(i);
        if n > 0 {
            let (rule, what) = if c.operator.is_integer() {
                ("S18", "an integer")
            } else {
                ("S4", "true or false")
            };
            out.push(
                Diagnostic::warning(
                    Code::UnreadableValues,
                    format!(
                        "{} a `{}` that is not {what}, so `{}` is false for them",
                        crate::diag::count(n, "user has", "users have"),
                        c.attribute,
                        c.text
                    ),
                )
                .with_rule(rule)
                .with_label(c.origin.0, c.origin.1, "")
                .with_help("`scopesim lint --directory ...` lists examples"),
            );
        }
        let n = outcomes.aborted(i);
        if n > 0 {
            out.push(
                Diagnostic::warning(
                    Code::RegexAborted,
                    format!("the pattern of `{}` gave up on {} (backtracking limit), and was treated as no match", c.text, crate::diag::count(n, "user", "users")),
                )
                .with_rule("S19")
                .with_label(c.origin.0, c.origin.1, "")
                .with_help("simplify the pattern: avoid nested quantifiers and back-references"),
            );
        }
    }
    out
}
