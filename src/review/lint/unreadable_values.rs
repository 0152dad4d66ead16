//! `unreadable-values` (S4, S18): Boolean and integer values that cannot be read.
//!
//! IS TRUE / IS FALSE read `true`/`false` in any letter case (S4), and Greater_Than and
//! Greater_Than_OR_EQUALS read 64-bit whole numbers (S18); any other value makes the
//! clause false for that user, silently in Entra. Counted once per attribute and kind,
//! among the candidates of the apps whose stages read it, with the values as examples.

use super::data::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::review::{Finding, plural, value_examples};
use crate::rules::Operator;
use crate::value::{parse_bool, parse_int};
use std::collections::{BTreeMap, HashSet};

/// Whether an operator reads integers (`Some(true)`) or Booleans (`Some(false)`).
pub(super) fn wants(op: Operator) -> Option<bool> {
    let integer = op.is_integer();
    (integer || matches!(op, Operator::IsTrue | Operator::IsFalse)).then_some(integer)
}

/// Whether `v` reads as an integer (or a Boolean).
pub(super) fn readable(integer: bool, v: &str) -> bool {
    if integer {
        parse_int(v).is_some()
    } else {
        parse_bool(v).is_some()
    }
}

/// S4, S18: Boolean and integer values that cannot be read, among the candidates of
/// the apps that read them.
pub(super) fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let mut seen: HashSet<(String, bool)> = HashSet::new();
    for (cid, c) in ctx.plan.clauses.iter().enumerate() {
        let Some(integer) = wants(c.operator) else {
            continue;
        };
        let Some(col) = c.column else {
            continue;
        };
        if !seen.insert((c.attribute.clone(), integer)) {
            continue;
        }
        let mut values: BTreeMap<String, usize> = BTreeMap::new();
        let mut users = 0;
        let readers = ctx.users_of_clause(cid);
        for (_, v) in ctx.values.values(col, &readers) {
            if !readable(integer, v) {
                users += 1;
                *values.entry(v.to_string()).or_default() += 1;
            }
        }
        if users == 0 {
            continue;
        }
        let (rule, what, help) = if integer {
            (
                "S18",
                "a whole number",
                "Greater_Than compares 64-bit whole numbers only (S18): correct these values in the directory, or these users stay out of scope",
            )
        } else {
            (
                "S4",
                "true or false",
                "Entra reads Booleans as `true`/`false` in any letter case (S4): correct these values in the directory",
            )
        };
        out.push(
            Finding::new(
                Diagnostic::warning(
                    Code::UnreadableValues,
                    format!(
                        "the `{}` of {} is not {what}, so `{}` is false for {}",
                        c.attribute,
                        plural(users, "user"),
                        c.text,
                        if users == 1 { "that user" } else { "them" }
                    ),
                )
                .with_rule(rule)
                .with_label(c.origin.0, c.origin.1, "cannot read some values")
                .with_help(help),
            )
            .affecting(users)
            .with_examples(value_examples(&values)),
        );
    }
}
