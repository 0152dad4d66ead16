//! `broad-scope`, `guests-in-scope` and `disabled-in-scope` (S25): least privilege, stage
//! by stage.
//!
//! A stage that puts more than `--max-scope-share` of the directory in scope, guests
//! (`userType` Guest or `#EXT#` in the UPN; `userType` itself cannot be filtered on, S20)
//! or accounts disabled in Entra (never created, and disabled where managed, S25) is
//! probably wider than meant. Computed from the rollout's in-scope users of each stage.

use super::data::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::review::{Finding, plural};
use crate::rollout::Rollout;
use crate::value::parse_bool;

/// `userType` Guest.
pub(super) fn is_guest_type(v: &str) -> bool {
    v.trim().eq_ignore_ascii_case("guest")
}

/// A guest's UPN (`#EXT#`).
pub(super) fn is_external(upn: &str) -> bool {
    upn.to_ascii_uppercase().contains("#EXT#")
}

/// `accountEnabled` false (S25).
pub(super) fn is_disabled(v: &str) -> bool {
    parse_bool(v) == Some(false)
}

/// Least privilege: stages that put much of the directory, guests or disabled
/// accounts in scope.
pub(super) fn check(ctx: &Ctx<'_>, rollout: &Rollout, out: &mut Vec<Finding>) {
    let n = ctx.dir.len();
    if n == 0 {
        return;
    }
    for app in &rollout.apps {
        let Some(rule_app) = ctx.rules.apps.get(app.index) else {
            continue;
        };
        for s in &app.stages {
            let index = ctx.plan.stages[s.stage].index;
            let Some(stage) = rule_app.stages.get(index) else {
                continue;
            };
            let (src, span) = (stage.source, stage.name.span);
            let in_scope = s.in_scope_users.count();
            let share = in_scope as f64 * 100.0 / n as f64;
            if share > ctx.opts.max_scope_share {
                out.push(
                    Finding::new(
                        Diagnostic::warning(
                            Code::BroadScope,
                            format!(
                                "stage `{}` of `{}` puts {in_scope} of {} in scope ({share:.0}%), more than {}%",
                                s.name,
                                app.name,
                                plural(n, "user"),
                                ctx.opts.max_scope_share
                            ),
                        )
                        .with_label(src, span, "broad stage")
                        .with_help("least privilege: narrow the filters or the assignments, or raise `--max-scope-share` if this is the intent"),
                    )
                    .affecting(in_scope),
                );
            }
            let mut guests = ctx.values.guests().clone();
            guests.and_with(&s.in_scope_users);
            let mut disabled = ctx.values.disabled().clone();
            disabled.and_with(&s.in_scope_users);
            let g = guests.count();
            if g > 0 {
                out.push(
                    Finding::new(
                        Diagnostic::warning(
                            Code::GuestsInScope,
                            format!(
                                "stage `{}` of `{}` puts {} in scope",
                                s.name,
                                app.name,
                                plural(g, "guest")
                            ),
                        )
                        .with_label(src, span, "includes guests")
                        .with_help("guests (`userType` Guest, `#EXT#` in the UPN) rarely need an account; `userType` cannot be filtered on (S20), so exclude them through assignments or another attribute"),
                    )
                    .affecting(g)
                    .with_examples(ctx.user_examples(&guests)),
                );
            }
            let d = disabled.count();
            if d > 0 {
                out.push(
                    Finding::new(
                        Diagnostic::info(
                            Code::DisabledInScope,
                            format!(
                                "stage `{}` of `{}` has {} disabled in Entra in scope",
                                s.name,
                                app.name,
                                plural(d, "account")
                            ),
                        )
                        .with_rule("S25")
                        .with_label(src, span, "includes disabled accounts")
                        .with_help("Entra does not create disabled accounts and disables those it manages (S25); add `accountEnabled IS TRUE` to keep them out of scope"),
                    )
                    .affecting(d)
                    .with_examples(ctx.user_examples(&disabled)),
                );
            }
        }
    }
}
