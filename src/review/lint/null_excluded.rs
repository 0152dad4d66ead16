//! `null-excluded` (S6, S8): users who fall out of a filter only because a negated
//! clause is false on null.
//!
//! `employeeType NOT EQUALS "Contractor"` reads as "everyone but contractors", but Entra
//! makes every operator except IS NULL / IS NOT NULL false when the attribute is null, so
//! users without an `employeeType` are out too. Counted among the candidates for whom
//! every other clause of the filter holds and no other filter of the stage keeps them in
//! scope: exactly the users this one clause drops.

use super::data::{Ctx, FilterCtx};
use crate::diag::{Code, Diagnostic};
use crate::eval::Bits;
use crate::review::{Finding, plural};
use crate::rules::print::clause_text;
use crate::rules::{Clause, FilterKind, Operator};

/// S6, S8: users with a null value who fail only this negated clause.
pub(super) fn check(
    ctx: &Ctx<'_>,
    f: &FilterCtx<'_>,
    clause: &Clause,
    cid: usize,
    rest: &Bits,
    out: &mut Vec<Finding>,
) {
    let Some(op) = clause.operator.node.known() else {
        return;
    };
    if !matches!(op, Operator::NotEquals | Operator::NotRegexMatch) {
        return;
    }
    let mut users = rest.clone();
    users.and_with(
        &ctx.values
            .nulls(ctx.plan.clauses[cid].column, ctx.dir.len()),
    );
    // Users that another filter of the stage keeps in scope do not fall out.
    if let Some(s) = f.first_stage {
        let stage = &ctx.plan.stages[s];
        let list = if f.ast.kind == FilterKind::Scoping {
            &stage.scoping
        } else {
            &stage.input
        };
        for &g in list.iter().filter(|&&g| g != f.id) {
            users.and_not_with(ctx.outcomes.filter(g));
        }
    }
    let n = users.count();
    if n == 0 {
        return;
    }
    let attr = &clause.attribute.node;
    out.push(
        Finding::new(
            Diagnostic::warning(
                Code::NullExcluded,
                format!(
                    "{} with no `{attr}` {} out of filter `{}`: `{}` is false on null",
                    plural(n, "candidate"),
                    if n == 1 { "falls" } else { "fall" },
                    f.ast.name.node,
                    clause_text(clause)
                ),
            )
            .with_rule(op.rule())
            .with_label(clause.source, clause.operator.span, "false when the value is null")
            .with_help(format!(
                "`{}` does not mean \"everyone except\": to keep users without `{attr}`, add a filter with the other clauses and `{attr} IS NULL` (filters are ORed)",
                op.canonical()
            )),
        )
        .affecting(n)
        .with_examples(ctx.user_examples(&users)),
    );
}
