//! Why an action was chosen, in words: the action table retraced for one user, with the
//! scoping clause that decided it and the user's value (what a report's `reason` column
//! and a failing test case show).

use super::{AppResult, Candidacy, StageResult, Why};
use crate::directory::Directory;
use crate::directory::assignments::GroupMembers;
use crate::eval::explain::write_scope_reason;
use crate::eval::{Outcomes, Plan};

/// What a reason needs besides the rollout: the compiled rules and their results (for
/// the deciding clause), the directory (for values) and group membership (for nested
/// groups).
#[derive(Debug, Clone, Copy)]
pub struct Reasons<'a> {
    /// The rules compiled.
    pub plan: &'a Plan,
    /// Their results.
    pub outcomes: &'a Outcomes,
    /// The directory.
    pub dir: &'a Directory,
    /// Group membership, for nested-group reasons.
    pub group_members: Option<&'a GroupMembers>,
}

impl Reasons<'_> {
    /// The reason text for one user at one stage.
    pub fn reason(&self, app: &AppResult, s: &StageResult, row: usize) -> String {
        let mut out = String::new();
        self.write(&mut out, app, s, row, |col| self.dir.value(row, col));
        out
    }

    /// Writes the reason for one user at one stage; `value` reads the user's attributes
    /// by column (the report passes its current row group, to avoid a lookup per value).
    pub fn write<'v>(
        &self,
        out: &mut String,
        app: &AppResult,
        s: &StageResult,
        row: usize,
        value: impl Fn(usize) -> Option<&'v str>,
    ) {
        let scope = |out: &mut String| {
            write_scope_reason(out, self.plan, self.outcomes, row, s.stage, &value)
        };
        match s.why(row) {
            Why::Provisionable | Why::NotInScope => scope(out),
            Why::ReEnabled => {
                out.push_str("in scope again, re-enabled: ");
                scope(out);
            }
            Why::FilterFailed => {
                out.push_str("out of scope: ");
                scope(out);
            }
            Why::Unassigned => out.push_str("no longer assigned to the app"),
            Why::Inactive => {
                out.push_str(inactive_reason(self.dir, row));
                out.push_str("; ");
                scope(out);
            }
            Why::InactiveNotCreated => {
                out.push_str(inactive_reason(self.dir, row));
                out.push_str(", so it is not created; ");
                scope(out);
            }
            Why::InputFilter => {
                scope(out);
                out.push_str(": skipped, never deprovisioned (S23)");
            }
            Why::KeptBySkipSetting => {
                out.push_str("out of scope (");
                scope(out);
                out.push_str("); SkipOutOfScopeDeletions keeps the account");
            }
            Why::AlreadyDisabled => {
                out.push_str("already disabled; ");
                scope(out);
            }
            Why::NestedOnly => out.push_str(&nested_reason(self.dir, self.group_members, row)),
            Why::NotAssigned => match app.candidacy(row) {
                Candidacy::NotAssigned => out.push_str("not assigned to the app"),
                _ => scope(out),
            },
            Why::HardDeleted | Why::DeleteFlowOff => out.push_str("hard-deleted"),
        }
    }
}

fn inactive_reason(dir: &Directory, row: usize) -> &'static str {
    let deleted = dir
        .value_by_name(row, "IsSoftDeleted")
        .and_then(crate::value::parse_bool)
        .unwrap_or(false);
    if deleted {
        "soft-deleted in Entra"
    } else {
        "account disabled in Entra (accountEnabled is false)"
    }
}

/// "member of nested group `X` (inside assigned group `Y`) only" for a nested-only user.
pub fn nested_reason(dir: &Directory, groups: Option<&GroupMembers>, row: usize) -> String {
    let base = "member of a nested group only: Entra provisions direct members of assigned groups only (S24)";
    let Some(g) = groups else {
        return base.to_string();
    };
    let ids: Vec<&str> = ["objectId", "userPrincipalName"]
        .iter()
        .filter_map(|c| dir.value_by_name(row, c))
        .collect();
    for id in ids {
        for nested in g.groups_of(id) {
            if let Some(parent) = g.groups_of(nested).first() {
                let name = |id: &str| {
                    g.display_name(id)
                        .map_or_else(|| format!("`{id}`"), |n| format!("`{n}`"))
                };
                return format!(
                    "member of nested group {} inside assigned group {} only: Entra provisions direct members of assigned groups only (S24)",
                    name(nested),
                    name(parent)
                );
            }
        }
    }
    base.to_string()
}
