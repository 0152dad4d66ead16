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

/// S5, S9, S10, S6: values that differ only in letter case.
pub(super) fn check(
    ctx: &Ctx<'_>,
    clause: &Clause,
    cid: usize,
    cand: &Bits,
    out: &mut Vec<Finding>,
) {
    let Some(op) = clause.operator.node.known() else {
        return;
    };
    if !matches!(
        op,
        Operator::Equals | Operator::NotEquals | Operator::Includes | Operator::EndsWith
    ) {
        return;
    }
    let attr = clause.attribute.node.as_str();
    if schema::info(attr).ty == AttrType::Boolean {
        return;
    }
    let (Some(col), Some(x), Some(value)) = (
        ctx.plan.clauses[cid].column,
        clause.value_text(),
        clause.values.first(),
    ) else {
        return;
    };
    let xl = x.to_lowercase();
    let mut exact = 0usize;
    let mut variants: BTreeMap<String, usize> = BTreeMap::new();
    let mut users = 0usize;
    for row in cand.ones_iter() {
        let Some(v) = ctx.dir.value(row, col) else {
            continue;
        };
        let (is_exact, folded) = match op {
            Operator::Includes => (v.contains(x), v.to_lowercase().contains(&xl)),
            Operator::EndsWith => (v.ends_with(x), v.to_lowercase().ends_with(&xl)),
            _ => (v == x, v.to_lowercase() == xl),
        };
        if is_exact {
            exact += 1;
        } else if folded {
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
