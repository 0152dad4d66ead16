//! `no-candidates` (S24): an app that no user of the directory is assigned to.
//!
//! Under `scope assigned` only assigned users and direct members of assigned groups are
//! evaluated; when none of them is in the export (an app named differently in the
//! assignments, an export of another tenant, groups without members), every filter of the
//! app matches no one, and each `dead-filter` would only repeat that.

use crate::diag::{Code, Diagnostic};
use crate::directory::Directory;
use crate::eval::Bits;
use crate::review::Finding;
use crate::rollout::Rollout;
use crate::rules::RuleSet;

/// Reports each app of `rollout` whose candidates (`candidates`, one per app) are none
/// of a non-empty directory's users.
pub(super) fn check(
    rules: &RuleSet,
    dir: &Directory,
    rollout: &Rollout,
    candidates: &[Bits],
    out: &mut Vec<Finding>,
) {
    for (app, cand) in rollout.apps.iter().zip(candidates) {
        let Some(rule_app) = rules.apps.get(app.index) else {
            continue;
        };
        if !dir.is_empty() && cand.count() == 0 {
            out.push(Finding::new(
                Diagnostic::warning(
                    Code::NoCandidates,
                    format!(
                        "no user of the directory is assigned to `{}`, so no filter of it can match anyone",
                        app.name
                    ),
                )
                .with_rule("S24")
                .with_label(rule_app.source, rule_app.name.span, "no candidates")
                .with_help("check that the assignments name this app exactly as the rules do, and that the directory export has the assigned users"),
            ).affecting(0));
        }
    }
}
