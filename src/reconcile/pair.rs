//! Predicted vs logged (S38): the one place where a plan action and a logged outcome are
//! paired and classified.
//!
//! The mapping is S38's: create ↔ `create`; update ↔ `update`, or a skip with
//! `RedundantExport` (nothing to change agrees with an update that changes nothing);
//! disable ↔ `disable`, or an `update` exporting `active=false` (Entra "disables the user
//! in the target system via an update", ED-HOW); delete ↔ `delete`; held ↔ `stagedDelete`;
//! skip ↔ a skip (`NotEffectivelyEntitled`) or no event at all. Two readings come first:
//! a logged **failure** is always reported as failed (whatever was predicted, the account
//! needs attention), and a **skipped** status means nothing was done whatever the action
//! field says (disabled users log `Create`/`Skipped`/`NotEffectivelyEntitled`, ED tutorial).
//! Everything else is a mismatch, except actions on users the plan leaves alone, which
//! are unexpected, and a disagreement about the deletion threshold alone, which is held.

use super::logs::{LoggedAction, Status};
use crate::rollout::{Action, StageResult};
use serde::Serialize;

/// What the plan says happens to a user at the stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Predicted {
    /// Not evaluated (not assigned, not managed).
    None,
    /// Created.
    Create,
    /// Updated (kept, matched or re-enabled).
    Update,
    /// Disabled.
    Disable,
    /// Deleted.
    Delete,
    /// Evaluated, nothing done.
    Skip,
    /// A disable or delete held by the deletion threshold (S27).
    Held,
    /// A predicted failure (S32: DuplicateSourceEntries, DuplicateTargetEntries): the log
    /// should show the object failing.
    Fail,
    /// An action this reconciler does not know yet (named as the rollout names it).
    Other(&'static str),
}

impl Predicted {
    /// The name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Predicted::None => "none",
            Predicted::Create => "create",
            Predicted::Update => "update",
            Predicted::Disable => "disable",
            Predicted::Delete => "delete",
            Predicted::Skip => "skip",
            Predicted::Held => "held",
            Predicted::Fail => "fail",
            Predicted::Other(s) => s,
        }
    }

    /// True when the plan predicts that Entra acts (so an absent event is news).
    pub fn acts(self) -> bool {
        !matches!(self, Predicted::None | Predicted::Skip)
    }

    /// From a rollout action at a stage that is held or not.
    pub fn from_action(action: Action, held: bool) -> Predicted {
        #[allow(unreachable_patterns)]
        match action {
            Action::None => Predicted::None,
            Action::Create => Predicted::Create,
            Action::Update => Predicted::Update,
            Action::Disable if held => Predicted::Held,
            Action::Delete if held => Predicted::Held,
            Action::Disable => Predicted::Disable,
            Action::Delete => Predicted::Delete,
            Action::Skip => Predicted::Skip,
            Action::Fail => Predicted::Fail,
            // Actions added to the rollout later (predicted failures, ...) are named, never
            // silently read as one of the above.
            other => Predicted::Other(other.as_str()),
        }
    }
}

/// The prediction for user `row` at `stage`.
pub fn predict(stage: &StageResult, row: usize) -> Predicted {
    Predicted::from_action(stage.action(row), stage.held)
}

/// What a reduced log outcome amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoggedKind {
    /// An account was created.
    Create,
    /// An account was updated.
    Update,
    /// Disabled, by `disable` or by an update exporting `active=false`.
    Disable,
    /// Deleted.
    Delete,
    /// Held by the deletion threshold.
    StagedDelete,
    /// Nothing to change (`RedundantExport`, or `other` with success).
    NoChange,
    /// Skipped for another reason (`NotEffectivelyEntitled`, ...).
    Skip,
    /// The event failed.
    Failure,
    /// An action Microsoft does not document.
    Unknown,
}

/// The logged outcome of one object in the compared cycle(s), as pairing needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Logged<'a> {
    /// The action (S37: the last export, reference updates aside).
    pub action: LoggedAction,
    /// The most severe status (S37).
    pub status: Status,
    /// `SkipReason`.
    pub skip_reason: Option<&'a str>,
    /// The update exported `active=false` (or `IsSoftDeleted=true`).
    pub soft_delete: bool,
}

impl Logged<'_> {
    /// The kind of outcome.
    pub fn kind(&self) -> LoggedKind {
        if self.status == Status::Failure {
            return LoggedKind::Failure;
        }
        if self.status == Status::Skipped {
            return match self.skip_reason {
                Some(r) if r.eq_ignore_ascii_case("RedundantExport") => LoggedKind::NoChange,
                _ if self.action == LoggedAction::StagedDelete => LoggedKind::StagedDelete,
                _ => LoggedKind::Skip,
            };
        }
        match self.action {
            LoggedAction::Create => LoggedKind::Create,
            LoggedAction::Update if self.soft_delete => LoggedKind::Disable,
            LoggedAction::Update => LoggedKind::Update,
            LoggedAction::Disable => LoggedKind::Disable,
            LoggedAction::Delete => LoggedKind::Delete,
            LoggedAction::StagedDelete => LoggedKind::StagedDelete,
            LoggedAction::Other => LoggedKind::NoChange,
            LoggedAction::Unknown => LoggedKind::Unknown,
        }
    }

    /// `create`, `skip NotEffectivelyEntitled`, `create failure`, `update active=false`.
    pub fn describe(&self) -> String {
        let mut s = match self.kind() {
            LoggedKind::Skip | LoggedKind::NoChange if self.status == Status::Skipped => {
                match self.skip_reason {
                    Some(r) => format!("skip {r}"),
                    None => "skip".to_string(),
                }
            }
            LoggedKind::Failure => format!("{} failure", self.action.as_str()),
            LoggedKind::Disable if self.action == LoggedAction::Update => {
                "update active=false".to_string()
            }
            _ => self.action.as_str().to_string(),
        };
        if self.status == Status::Warning {
            s.push_str(" (warning)");
        }
        s
    }
}

/// The classes of a reconciliation, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// The log shows what the plan predicted.
    AsPredicted,
    /// Predicted one thing, logged another.
    Mismatch,
    /// The event failed.
    Failed,
    /// The deletion threshold held what the plan let through, or the reverse.
    Held,
    /// Predicted an action, no event (the cycle may not have reached the user).
    NotProcessed,
    /// Logged an action for a user the plan does nothing to.
    Unexpected,
}

impl Class {
    /// Every class, in report order.
    pub const ALL: [Class; 6] = [
        Class::AsPredicted,
        Class::Mismatch,
        Class::Failed,
        Class::Held,
        Class::NotProcessed,
        Class::Unexpected,
    ];

    /// The spelling of the JSON `counts` keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::AsPredicted => "as_predicted",
            Class::Mismatch => "mismatch",
            Class::Failed => "failed",
            Class::Held => "held",
            Class::NotProcessed => "not_processed",
            Class::Unexpected => "unexpected",
        }
    }

    /// Parses [`Class::as_str`].
    pub fn parse(s: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// For people: `as predicted`, `not processed yet`.
    pub fn label(self) -> &'static str {
        match self {
            Class::AsPredicted => "as predicted",
            Class::Mismatch => "mismatch",
            Class::Failed => "failed",
            Class::Held => "held",
            Class::NotProcessed => "not processed yet",
            Class::Unexpected => "unexpected",
        }
    }
}

/// How a pairing came out, for the reason text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pairing {
    /// Agrees (S38).
    Agrees,
    /// The event failed.
    Failure,
    /// Entra held a disable or delete the plan lets through.
    HeldByEntra,
    /// The plan holds a disable or delete Entra carried out.
    NotHeldByEntra,
    /// Predicted an action; no event.
    NoEvent,
    /// Entra acted on a user the plan leaves alone.
    Unexpected,
    /// Anything else: predicted X, logged Y.
    Differs,
}

impl Pairing {
    /// The class of this pairing.
    pub fn class(self) -> Class {
        match self {
            Pairing::Agrees => Class::AsPredicted,
            Pairing::Failure => Class::Failed,
            Pairing::HeldByEntra | Pairing::NotHeldByEntra => Class::Held,
            Pairing::NoEvent => Class::NotProcessed,
            Pairing::Unexpected => Class::Unexpected,
            Pairing::Differs => Class::Mismatch,
        }
    }
}

/// Pairs a prediction with the logged outcome (`None`: no event in the compared cycles).
pub fn pair(predicted: Predicted, logged: Option<&Logged<'_>>) -> Pairing {
    use LoggedKind as L;
    use Predicted as P;
    let Some(logged) = logged else {
        // S38: skip ↔ no event at all; an action with no event is not processed (yet).
        return if predicted.acts() {
            Pairing::NoEvent
        } else {
            Pairing::Agrees
        };
    };
    let kind = logged.kind();
    if kind == L::Failure {
        // A failure the plan predicted (S32) is as predicted; any other is a failure.
        return if predicted == P::Fail {
            Pairing::Agrees
        } else {
            Pairing::Failure
        };
    }
    match (predicted, kind) {
        (P::Create, L::Create)
        | (P::Update, L::Update | L::NoChange)
        | (P::Disable, L::Disable)
        | (P::Delete, L::Delete)
        | (P::Held, L::StagedDelete)
        | (P::Skip | P::None, L::Skip | L::NoChange) => Pairing::Agrees,
        (P::Disable | P::Delete, L::StagedDelete) => Pairing::HeldByEntra,
        (P::Held, L::Disable | L::Delete) => Pairing::NotHeldByEntra,
        (P::None, _) => Pairing::Unexpected,
        _ => Pairing::Differs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logged(action: LoggedAction, status: Status, skip: Option<&str>, soft: bool) -> Logged<'_> {
        Logged {
            action,
            status,
            skip_reason: skip,
            soft_delete: soft,
        }
    }

    /// Every row of S38's mapping, and its reverse where one exists.
    #[test]
    fn s38_every_row_of_the_mapping_pairs() {
        use LoggedAction as A;
        use Status as S;
        let agree = |p: Predicted, l: Option<Logged<'_>>| {
            assert_eq!(pair(p, l.as_ref()), Pairing::Agrees, "{p:?} vs {l:?}");
        };
        agree(
            Predicted::Create,
            Some(logged(A::Create, S::Success, None, false)),
        );
        agree(
            Predicted::Update,
            Some(logged(A::Update, S::Success, None, false)),
        );
        agree(
            Predicted::Update,
            Some(logged(A::Other, S::Skipped, Some("RedundantExport"), false)),
        );
        agree(
            Predicted::Disable,
            Some(logged(A::Disable, S::Success, None, false)),
        );
        agree(
            Predicted::Disable,
            Some(logged(A::Update, S::Success, None, true)),
        );
        agree(
            Predicted::Delete,
            Some(logged(A::Delete, S::Success, None, false)),
        );
        agree(
            Predicted::Held,
            Some(logged(A::StagedDelete, S::Success, None, false)),
        );
        agree(
            Predicted::Skip,
            Some(logged(
                A::Other,
                S::Skipped,
                Some("NotEffectivelyEntitled"),
                false,
            )),
        );
        // Disabled users log Create/Skipped/NotEffectivelyEntitled.
        agree(
            Predicted::Skip,
            Some(logged(
                A::Create,
                S::Skipped,
                Some("NotEffectivelyEntitled"),
                false,
            )),
        );
        agree(Predicted::Skip, None);
        agree(Predicted::None, None);
        // The service evaluates out-of-scope objects too (ED-ANALYZE): a skip is no news.
        agree(
            Predicted::None,
            Some(logged(
                A::Other,
                S::Skipped,
                Some("NotEffectivelyEntitled"),
                false,
            )),
        );
        // A warning does not change the action.
        agree(
            Predicted::Create,
            Some(logged(A::Create, S::Warning, None, false)),
        );
    }

    #[test]
    fn s38_disagreements_are_classified() {
        use LoggedAction as A;
        use Status as S;
        let class = |p: Predicted, l: Option<Logged<'_>>| pair(p, l.as_ref()).class();
        let skip = logged(A::Other, S::Skipped, Some("NotEffectivelyEntitled"), false);
        assert_eq!(class(Predicted::Create, Some(skip)), Class::Mismatch);
        assert_eq!(
            class(
                Predicted::Create,
                Some(logged(A::Create, S::Failure, None, false))
            ),
            Class::Failed
        );
        assert_eq!(
            class(
                Predicted::Skip,
                Some(logged(A::Update, S::Failure, None, false))
            ),
            Class::Failed
        );
        assert_eq!(
            class(
                Predicted::Disable,
                Some(logged(A::StagedDelete, S::Success, None, false))
            ),
            Class::Held
        );
        assert_eq!(
            class(
                Predicted::Held,
                Some(logged(A::Disable, S::Success, None, false))
            ),
            Class::Held
        );
        for p in [
            Predicted::Create,
            Predicted::Update,
            Predicted::Disable,
            Predicted::Delete,
            Predicted::Held,
        ] {
            assert_eq!(class(p, None), Class::NotProcessed, "{p:?}");
        }
        for a in [A::Create, A::Update, A::Disable, A::Delete, A::StagedDelete] {
            assert_eq!(
                class(Predicted::None, Some(logged(a, S::Success, None, false))),
                Class::Unexpected,
                "{a:?}"
            );
        }
        // An update that exports active=false is a disable, not the predicted update.
        assert_eq!(
            class(
                Predicted::Update,
                Some(logged(A::Update, S::Success, None, true))
            ),
            Class::Mismatch
        );
        assert_eq!(
            class(
                Predicted::Create,
                Some(logged(A::Update, S::Success, None, false))
            ),
            Class::Mismatch
        );
        assert_eq!(
            class(
                Predicted::Skip,
                Some(logged(A::Create, S::Success, None, false))
            ),
            Class::Mismatch
        );
        assert_eq!(
            class(
                Predicted::Update,
                Some(logged(A::Unknown, S::Success, None, false))
            ),
            Class::Mismatch
        );
        assert_eq!(
            class(
                Predicted::Fail,
                Some(logged(A::Create, S::Success, None, false))
            ),
            Class::Mismatch
        );
    }

    #[test]
    fn s32_a_predicted_failure_agrees_with_a_logged_failure_only() {
        use LoggedAction as A;
        use Status as S;
        let failure = logged(A::Create, S::Failure, None, false);
        assert_eq!(pair(Predicted::Fail, Some(&failure)), Pairing::Agrees);
        assert_eq!(pair(Predicted::Create, Some(&failure)), Pairing::Failure);
        assert_eq!(pair(Predicted::Fail, None), Pairing::NoEvent);
        let created = logged(A::Create, S::Success, None, false);
        assert_eq!(pair(Predicted::Fail, Some(&created)), Pairing::Differs);
    }

    #[test]
    fn logged_outcomes_are_described_as_the_issue_spells_them() {
        use LoggedAction as A;
        use Status as S;
        let l = logged(A::Other, S::Skipped, Some("NotEffectivelyEntitled"), false);
        assert_eq!(l.describe(), "skip NotEffectivelyEntitled");
        assert_eq!(
            logged(A::Create, S::Failure, None, false).describe(),
            "create failure"
        );
        assert_eq!(
            logged(A::Update, S::Success, None, true).describe(),
            "update active=false"
        );
        assert_eq!(
            logged(A::StagedDelete, S::Success, None, false).describe(),
            "stagedDelete"
        );
    }

    #[test]
    fn every_rollout_action_has_a_prediction() {
        for a in [
            Action::None,
            Action::Create,
            Action::Update,
            Action::Disable,
            Action::Delete,
            Action::Skip,
            Action::Fail,
        ] {
            let p = Predicted::from_action(a, false);
            assert!(!matches!(p, Predicted::Other(_)), "{a:?}");
        }
        assert_eq!(
            Predicted::from_action(Action::Disable, true),
            Predicted::Held
        );
        assert_eq!(
            Predicted::from_action(Action::Update, true),
            Predicted::Update
        );
    }
}
