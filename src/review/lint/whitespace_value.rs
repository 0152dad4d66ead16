//! `whitespace-value` (S1): values made only of white space.
//!
//! Entra treats an absent or empty attribute as null, but `"  "` is a value: IS NULL is
//! false for it and text operators compare the spaces (S1, a scopesim decision made
//! visible here). Counted once per attribute the rules read, among the candidates of the
//! apps whose stages read it.

use super::data::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::directory::ColId;
use crate::eval::Bits;
use crate::review::{Finding, plural};
use std::collections::HashSet;

/// S1: whitespace-only values (not null) of the attributes the rules use, among the
/// candidates of the apps that read them.
pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let mut seen: HashSet<ColId> = HashSet::new();
    for c in &ctx.plan.clauses {
        let Some(col) = c.column else {
            continue;
        };
        if !seen.insert(col) {
            continue;
        }
        let readers = ctx
            .plan
            .clauses
            .iter()
            .enumerate()
            .filter(|(_, x)| x.column == Some(col));
        let mut candidates = Bits::zeros(ctx.dir.len());
        for (other, _) in readers {
            candidates.or_with(&ctx.users_of_clause(other));
        }
        let mut users = Bits::zeros(ctx.dir.len());
        for (row, v) in ctx.values.values(col, &candidates) {
            if v.trim().is_empty() {
                users.set(row, true);
            }
        }
        let n = users.count();
        if n == 0 {
            continue;
        }
        out.push(
            Finding::new(
                Diagnostic::warning(
                    Code::WhitespaceValue,
                    format!(
                        "the `{}` of {} is only white space, which Entra reads as a value, not as null",
                        c.attribute,
                        plural(n, "user")
                    ),
                )
                .with_rule("S1")
                .with_label(c.origin.0, c.origin.1, "reads this attribute")
                .with_help("`IS NULL` is false for them and text operators compare the spaces: clear the attribute in the directory"),
            )
            .affecting(n)
            .with_examples(ctx.user_examples(&users)),
        );
    }
}
