//! `clause-never-decides`: a clause true for every candidate that passes the other
//! clauses of its filter.
//!
//! With this directory such a clause changes no one's scope: a leftover, a guard written
//! for users to come, or a sign that the clause does not test what its author meant (an
//! `IS NOT NULL` on an attribute everyone has). An info, with the count of users.

use super::data::{Ctx, FilterCtx};
use crate::diag::{Code, Diagnostic};
use crate::eval::Bits;
use crate::review::{Finding, plural};
use crate::rules::Clause;
use crate::rules::print::clause_text;

/// A clause true for everyone who passes the other clauses of its filter.
pub(super) fn check(
    ctx: &Ctx<'_>,
    f: &FilterCtx<'_>,
    clause: &Clause,
    cid: usize,
    rest: &Bits,
    out: &mut Vec<Finding>,
) {
    let n = rest.count();
    if n == 0 {
        return;
    }
    let mut fails = rest.clone();
    fails.and_not_with(ctx.outcomes.clause(cid));
    if fails.count() > 0 {
        return;
    }
    let who = if f.ast.clauses.len() == 1 {
        format!("all {}", plural(n, "candidate"))
    } else {
        format!(
            "all {} that pass the other clauses of filter `{}`",
            plural(n, "candidate"),
            f.ast.name.node
        )
    };
    out.push(
        Finding::new(
            Diagnostic::info(
                Code::ClauseNeverDecides,
                format!("`{}` holds for {who}, so it decides nothing", clause_text(clause)),
            )
            .with_label(clause.source, clause.span, "always true here")
            .with_help("with this directory the clause changes no one's scope: remove it, or keep it as a guard for users to come"),
        )
        .affecting(n),
    );
}
