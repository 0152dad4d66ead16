//! Why an action was chosen, in words: the action table retraced for one user, with the
//! scoping clause that decided it and the user's value (what a report's `reason` column
//! and a failing test case show), and the words for target-state accounts without a user.

use super::{AccountState, Action, AppResult, Candidacy, MatchFailure, StageResult, Why};
use crate::directory::Directory;
use crate::directory::assignments::GroupMembers;
use crate::eval::explain::write_scope_reason;
use crate::eval::{Outcomes, Plan};
use crate::value::parse_bool;

/// What the report says of a pre-existing account (S31).
pub const PRE_EXISTING: &str = "exists in the app, not managed by Entra: never disabled or deleted";

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
        let dir = self.dir;
        self.write_with(out, app, s, row, value, |name| dir.value_by_name(row, name));
    }

    /// [`Reasons::write`] for a directory that holds no values (streamed): `value` reads
    /// the user's attributes by the directory's column, `by_name` by attribute name
    /// (`accountEnabled`, `IsSoftDeleted`, the ids), both from wherever they were kept.
    pub fn write_with<'v, 'w>(
        &self,
        out: &mut String,
        app: &AppResult,
        s: &StageResult,
        row: usize,
        value: impl Fn(usize) -> Option<&'v str>,
        by_name: impl Fn(&str) -> Option<&'w str>,
    ) {
        let scope = |out: &mut String| {
            write_scope_reason(out, self.plan, self.outcomes, row, s.stage, &value)
        };
        let why = s.why(row);
        match why {
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
                out.push_str(&inactive_reason_of(&by_name));
                out.push_str("; ");
                scope(out);
            }
            Why::InactiveNotCreated => {
                out.push_str(&inactive_reason_of(&by_name));
                out.push_str(", so it is not created; ");
                scope(out);
            }
            Why::InactiveAlreadyDisabled => {
                out.push_str("in scope, but ");
                out.push_str(&inactive_reason_of(&by_name));
                out.push_str(", and the account is already disabled; ");
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
            Why::NestedOnly => out.push_str(&nested_reason_of(self.group_members, &by_name)),
            Why::NotAssigned => match app.candidacy(row) {
                Candidacy::NotAssigned => out.push_str("not assigned to the app"),
                _ => scope(out),
            },
            Why::Matched => {
                out.push_str(&matched_reason(app, row));
                out.push_str("; ");
                scope(out);
            }
            Why::DuplicateSource | Why::DuplicateTarget | Why::ImportSkipped => {
                out.push_str(&failure_reason(app, row, why));
            }
            Why::AddFlowOff => {
                out.push_str("would be created, but the Add flow is off (S33); ");
                scope(out);
            }
            Why::UpdateFlowOff => {
                out.push_str(if s.account_before(row) == AccountState::Disabled {
                    "would be re-enabled"
                } else {
                    "would be updated"
                });
                out.push_str(", but the Update flow is off (S33); ");
                scope(out);
            }
            Why::MatchFlowOff => {
                out.push_str("would be ");
                out.push_str(&matched_reason(app, row));
                out.push_str(" and updated, but the Update flow is off (S33)");
            }
            Why::DisableFlowOff => {
                out.push_str("would be disabled, but the Delete flow is off (S33): ");
                if app.candidacy(row).is_candidate() {
                    let case = s.case(row);
                    if case.pass_scope {
                        out.push_str(&inactive_reason_of(&by_name));
                    } else {
                        out.push_str("out of scope: ");
                        scope(out);
                    }
                } else {
                    out.push_str("no longer assigned to the app");
                }
            }
            Why::MappingDisabled => out.push_str(MAPPING_DISABLED),
            Why::HardDeleted | Why::DeleteFlowOff | Why::PreExisting => {
                out.push_str("hard-deleted");
            }
        }
        // S31: an account Entra does not manage is never deprovisioned; say so wherever
        // the user's own action leaves it alone.
        if s.account_before(row) == AccountState::PreExisting
            && matches!(s.action(row), Action::None | Action::Skip)
            && why != Why::MatchFlowOff
            && why != Why::MappingDisabled
        {
            out.push_str("; its account ");
            out.push_str(PRE_EXISTING);
        }
    }
}

const MAPPING_DISABLED: &str =
    "the user object mapping is disabled (`enabled: false`): Entra does nothing for this app (S33)";

/// The reason for a target-state account with no directory user.
pub fn orphan_reason(action: Action, why: Why) -> &'static str {
    match (action, why) {
        (_, Why::MappingDisabled) => MAPPING_DISABLED,
        (_, Why::PreExisting) => PRE_EXISTING,
        (_, Why::DeleteFlowOff) => {
            "managed by Entra, its user is gone from the directory (hard-deleted); would be deleted, but the Delete flow is off (S33)"
        }
        (Action::None, _) => "deleted in an earlier stage",
        _ => {
            "managed by Entra, its user is gone from the directory: hard-deleted in Entra, so the account is deleted"
        }
    }
}

/// Step 5 of an explanation (S29): what the app has for user `row` before the stage and
/// what matching finds (S31, S32).
pub fn match_step(app: &AppResult, s: &StageResult, row: usize) -> String {
    let note = app.matching.note(row);
    match s.account_before(row) {
        AccountState::Enabled => "the app already has this account (enabled), managed by Entra".to_string(),
        AccountState::Disabled => "the app already has this account (disabled), managed by Entra".to_string(),
        AccountState::PreExisting => match note {
            Some(n) => {
                let at = n
                    .accounts
                    .first()
                    .map(|a| format!("`{}` (line {} of `{}`)", a.key, a.line, a.file))
                    .unwrap_or_default();
                format!(
                    "the app has account {at}, which Entra does not manage (pre-existing): matched by `{}` = {:?} when the user is provisionable",
                    n.attribute, n.value
                )
            }
            None => "the app has the account Entra stopped managing when the user was unassigned: matched again when the user is provisionable".to_string(),
        },
        AccountState::NoAccount => match s.case(row).failure {
            Some(f @ (MatchFailure::DuplicateSource | MatchFailure::DuplicateTarget)) => {
                let why = if f == MatchFailure::DuplicateSource {
                    Why::DuplicateSource
                } else {
                    Why::DuplicateTarget
                };
                format!("matching {}", failure_reason(app, row, why))
            }
            Some(MatchFailure::ImportSkipped) => failure_reason(app, row, Why::ImportSkipped),
            None if app.matching.modeled => format!(
                "no account in the app has the user's {}",
                app.matching.names()
            ),
            None => "no account in the app yet".to_string(),
        },
    }
}

/// "matched existing account by `userPrincipalName`" (with the account's line).
fn matched_reason(app: &AppResult, row: usize) -> String {
    match app.matching.note(row) {
        Some(n) => {
            let at = n
                .accounts
                .first()
                .map(|a| format!(" (`{}`, line {})", a.key, a.line))
                .unwrap_or_default();
            format!("matched existing account by `{}`{at}", n.attribute)
        }
        None => {
            "matched its earlier account again (Entra stopped managing it when the user was unassigned)"
                .to_string()
        }
    }
}

/// Why matching fails, with the Entra error code (S32).
fn failure_reason(app: &AppResult, row: usize, why: Why) -> String {
    let note = app.matching.note(row);
    match (why, note) {
        (Why::DuplicateTarget, Some(n)) => {
            let lines: Vec<String> = n.accounts.iter().map(|a| a.line.to_string()).collect();
            format!(
                "fails: `{}` = {:?} matches {} accounts in the app (lines {}), Entra never picks one ({})",
                n.attribute,
                n.value,
                n.accounts.len(),
                lines.join(", "),
                MatchFailure::DuplicateTarget.code()
            )
        }
        (Why::DuplicateSource, Some(n)) => {
            let at = n
                .accounts
                .first()
                .map(|a| format!(" (line {})", a.line))
                .unwrap_or_default();
            format!(
                "fails: {} directory users match the same account{at} by `{}` = {:?} ({})",
                n.users,
                n.attribute,
                n.value,
                MatchFailure::DuplicateSource.code()
            )
        }
        _ => format!(
            "cannot be matched: no value for {} ({}): Entra skips the user",
            app.matching.names(),
            MatchFailure::ImportSkipped.code()
        ),
    }
}

/// Why a user is not active, in words (S25): soft-deleted, `accountEnabled` false, or a
/// value that is neither true nor false.
pub fn inactive_reason(dir: &Directory, row: usize) -> String {
    inactive_reason_of(&|name| dir.value_by_name(row, name))
}

/// [`inactive_reason`] with the user's attributes read by name.
fn inactive_reason_of<'w>(by_name: &dyn Fn(&str) -> Option<&'w str>) -> String {
    let deleted = by_name("IsSoftDeleted")
        .and_then(parse_bool)
        .unwrap_or(false);
    if deleted {
        return "soft-deleted in Entra".to_string();
    }
    match by_name("accountEnabled") {
        Some(v) if parse_bool(v).is_none() => {
            format!("accountEnabled is {v:?}, neither true nor false: treated as not active (S25)")
        }
        _ => "account disabled in Entra (accountEnabled is false)".to_string(),
    }
}

/// "member of nested group `X` (inside assigned group `Y`) only" for a nested-only user.
pub fn nested_reason(dir: &Directory, groups: Option<&GroupMembers>, row: usize) -> String {
    nested_reason_of(groups, &|name| dir.value_by_name(row, name))
}

/// [`nested_reason`] with the user's ids read by name.
fn nested_reason_of<'w>(
    groups: Option<&GroupMembers>,
    by_name: &dyn Fn(&str) -> Option<&'w str>,
) -> String {
    let base = "member of a nested group only: Entra provisions direct members of assigned groups only (S24)";
    let Some(g) = groups else {
        return base.to_string();
    };
    let ids: Vec<&str> = ["objectId", "userPrincipalName"]
        .iter()
        .filter_map(|c| by_name(c))
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
