//! `redundant-filter` (S22): a filter whose candidates all match other filters of the
//! stage it is written in.
//!
//! Filters are ORed, so such a filter adds no one: removing it changes no one's scope
//! with this directory. Of two identical filters the later one is reported (the stage's
//! filters are compared last to first against those kept so far), and the filters that
//! cover it are named. A filter inherited from an earlier stage is reported only where it
//! is written.

use super::data::{Ctx, FilterCtx};
use super::{FilterKey, filter_key};
use crate::diag::{Code, Diagnostic};
use crate::eval::{Bits, FilterId};
use crate::review::Finding;
use std::collections::{HashMap, HashSet};

/// Filters of a stage whose candidates all match the stage's other filters.
pub(super) fn check(
    ctx: &Ctx<'_>,
    filters: &[FilterCtx<'_>],
    unsatisfiable: &HashSet<FilterKey>,
    out: &mut Vec<Finding>,
) {
    let by_id: HashMap<FilterId, &FilterCtx<'_>> = filters.iter().map(|f| (f.id, f)).collect();
    let mut reported: HashSet<FilterId> = HashSet::new();
    for (sid, stage) in ctx.plan.stages.iter().enumerate() {
        let Some(cand) = ctx.candidates.get(stage.app) else {
            continue;
        };
        for list in [&stage.scoping, &stage.input] {
            let bits: Vec<Bits> = list
                .iter()
                .map(|&f| {
                    let mut b = ctx.outcomes.filter(f).clone();
                    b.and_with(cand);
                    b
                })
                .collect();
            // Last to first, against the filters kept so far: of two identical
            // filters, the later one is reported.
            let mut redundant = vec![false; list.len()];
            for i in (0..list.len()).rev() {
                if bits[i].count() == 0 {
                    continue;
                }
                let mut others = Bits::zeros(ctx.dir.len());
                for j in (0..list.len()).filter(|&j| j != i && !redundant[j]) {
                    others.or_with(&bits[j]);
                }
                let mut left = bits[i].clone();
                left.and_not_with(&others);
                if left.count() > 0 {
                    continue;
                }
                redundant[i] = true;
                let Some(f) = by_id.get(&list[i]) else {
                    continue;
                };
                if f.own_stage != Some(sid)
                    || unsatisfiable.contains(&filter_key(f.ast))
                    || !reported.insert(f.id)
                {
                    continue;
                }
                let covering: Vec<String> = (0..list.len())
                    .filter(|&j| j != i && !redundant[j])
                    .filter(|&j| {
                        let mut b = bits[i].clone();
                        b.and_with(&bits[j]);
                        b.count() > 0
                    })
                    .map(|j| format!("`{}`", ctx.plan.filters[list[j]].name))
                    .collect();
                let n = bits[i].count();
                out.push(
                    Finding::new(
                        Diagnostic::info(
                            Code::RedundantFilter,
                            format!(
                                "filter `{}` adds no one to stage `{}`: {} also {} {} {}",
                                f.ast.name.node,
                                stage.name,
                                if n == 1 {
                                    "the one candidate it matches".to_string()
                                } else {
                                    format!("all {n} candidates it matches")
                                },
                                if n == 1 { "matches" } else { "match" },
                                if covering.len() == 1 { "filter" } else { "filters" },
                                covering.join(", ")
                            ),
                        )
                        .with_rule("S22")
                        .with_label(f.ast.source, f.ast.name.span, "covered by other filters")
                        .with_help("filters are ORed (S22): with this directory, removing it changes no one's scope"),
                    )
                    .affecting(n)
                    .with_examples(ctx.user_examples(&bits[i])),
                );
            }
        }
    }
}
