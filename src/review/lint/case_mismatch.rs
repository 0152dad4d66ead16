//! `case-mismatch` and `case-variant` (S5, S6, S9, S10): values that differ from the
//! rule's only in letter case.
//!
//! EQUALS, NOT EQUALS, Includes and ENDS_WITH compare ordinally and case-sensitively, so
//! `department EQUALS "Sales"` leaves out a user whose department is `sales`, and `NOT
//! EQUALS "Contractor"` lets `contractor` through. Among the candidates of the clause's
//! app, the users that a case-insensitive comparison would decide differently are
//! counted, with their spellings: a warning when no candidate matches exactly (the author
//! probably wrote the other spelling), an info when some do (a few odd values).

use super::data::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::eval::Bits;
use crate::review::{Finding, plural, value_examples};
use crate::rules::print::clause_text;
use crate::rules::{Clause, Operator};
use crate::schema::{self, AttrType};
use std::collections::BTreeMap;

/// The operator and value of a clause this analysis looks at: a case-sensitive text
/// comparison (not of a Boolean attribute, which compares `True`/`False`, S4).
pub(super) fn wants(clause: &Clause) -> Option<(Operator, &str)> {
    let op = clause.operator.node.known()?;
    if !matches!(
        op,
        Operator::Equals | Operator::NotEquals | Operator::Includes | Operator::EndsWith
    ) {
        return None;
    }
    if schema::info(clause.attribute.node.as_str()).ty == AttrType::Boolean {
        return None;
    }
    Some((op, clause.value_text()?))
}

/// Whether `v` matches `x` as written (`exact`), and ignoring letter case (`folded`,
/// with `lower` the lowercase of `x`).
pub(super) fn compare(op: Operator, v: &str, x: &str, lower: &str) -> (bool, bool) {
    let exact = exact(op, v, x);
    let folded = exact
        || match op {
            Operator::Includes => v.to_lowercase().contains(lower),
            Operator::EndsWith => v.to_lowercase().ends_with(lower),
            _ => v.to_lowercase() == lower,
        };
    (exact, folded)
}

/// Whether `v` matches `x` as written: the comparison Entra makes (ordinal).
pub(super) fn exact(op: Operator, v: &str, x: &str) -> bool {
    match op {
        Operator::Includes => v.contains(x),
        Operator::EndsWith => v.ends_with(x),
        _ => v == x,
    }
}

/// S5, S9, S10, S6: values that differ only in letter case.
pub(super) fn check(
    ctx: &Ctx<'_>,
    clause: &Clause,
    cid: usize,
    cand: &Bits,
    out: &mut Vec<Finding>,
) {
    let Some((op, x)) = wants(clause) else {
        return;
    };
    let attr = clause.attribute.node.as_str();
    let (Some(col), Some(value)) = (ctx.plan.clauses[cid].column, clause.values.first()) else {
        return;
    };
    let xl = x.to_lowercase();
    let exact = ctx.values.exact(cid).map_or(0, |b| b.and_count(cand));
    let mut variants: BTreeMap<String, usize> = BTreeMap::new();
    let mut users = 0usize;
    for (_, v) in ctx.values.values(col, cand) {
        if let (false, true) = compare(op, v, x, &xl) {
            users += 1;
            *variants.entry(v.to_string()).or_default() += 1;
        }
    }
    if users == 0 {
        return;
    }
    let text = clause_text(clause);
    let rule = op.rule();
    let d = if op == Operator::NotEquals {
        Diagnostic::warning(
            Code::CaseMismatch,
            format!(
                "`{text}` lets through {} whose `{attr}` differs from {x:?} only in letter case",
                plural(users, "candidate")
            ),
        )
        .with_label(clause.source, value.span, "case-sensitive")
        .with_help(format!(
            "NOT EQUALS is case-sensitive ({rule}): add a clause for each spelling to exclude, or correct the values in the directory"
        ))
    } else if exact == 0 {
        Diagnostic::warning(
            Code::CaseMismatch,
            format!(
                "`{text}` matches no candidate, but {} {} a `{attr}` that differs only in letter case",
                users,
                if users == 1 { "has" } else { "have" }
            ),
        )
        .with_label(clause.source, value.span, "case-sensitive")
        .with_help(format!(
            "`{}` is case-sensitive ({rule}): write the value as the directory spells it, or add a filter for each spelling",
            op.canonical()
        ))
    } else {
        Diagnostic::info(
            Code::CaseVariant,
            format!(
                "`{text}` matches {} exactly, but leaves out {} whose `{attr}` differs only in letter case",
                plural(exact, "candidate"),
                users
            ),
        )
        .with_label(clause.source, value.span, "case-sensitive")
        .with_help(format!(
            "`{}` is case-sensitive ({rule}): correct the values in the directory, or add a filter for the other spelling",
            op.canonical()
        ))
    };
    out.push(
        Finding::new(d.with_rule(rule))
            .affecting(users)
            .with_examples(value_examples(&variants)),
    );
}
