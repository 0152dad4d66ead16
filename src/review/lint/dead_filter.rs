//! `dead-filter`: a filter that matches none of its app's candidates.
//!
//! Usually a value spelled differently from the directory (`Sales ` with a space, a
//! department renamed), an attribute the export lacks, or a filter left over from an
//! earlier rollout. Filters that can never match are reported as unsatisfiable instead,
//! and an app without candidates as `no-candidates`, so this says only what the directory
//! shows.

use super::data::{Ctx, FilterCtx};
use crate::diag::{Code, Diagnostic};
use crate::eval::Bits;
use crate::review::{Finding, plural};

/// Reports filter `f` when candidates exist and none of them matches it.
pub(super) fn check(ctx: &Ctx<'_>, f: &FilterCtx<'_>, cand: &Bits, out: &mut Vec<Finding>) {
    let mut matched = ctx.outcomes.filter(f.id).clone();
    matched.and_with(cand);
    if cand.count() > 0 && matched.count() == 0 {
        out.push(
            Finding::new(
                Diagnostic::warning(
                    Code::DeadFilter,
                    format!(
                        "filter `{}` matches none of the {} of `{}`",
                        f.ast.name.node,
                        plural(cand.count(), "candidate"),
                        ctx.rules.apps[f.app].name.node
                    ),
                )
                .with_label(f.ast.source, f.ast.name.span, "matches no one")
                .with_help("check its values against the directory (`scopesim explain` shows each clause for one user), or remove it"),
            )
            .affecting(0),
        );
    }
}
