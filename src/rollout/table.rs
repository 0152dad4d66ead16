//! The action table of the spec ("What Entra does at a stage"), twice: [`decide`] for one
//! user, written straight from the table, and [`cycle`] for all users at once as
//! word-wide bit operations (the hot path at a million users). A property test checks
//! that they agree on every action and every state after the cycle.
//!
//! The state Entra keeps between cycles is an [`AccountState`] per user: no account, an
//! account Entra does not manage (pre-existing, S31/S32), or a managed account, enabled or
//! disabled. Matching failures (S32) and the object mapping's own settings (S33) are
//! inputs of the table like candidacy and scope.

use crate::eval::Bits;
use crate::rules::FlowTypes;
use serde::Serialize;

use super::Candidacy;

/// What Entra does to an account in a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum Action {
    /// Nothing: not assigned and not managed, an account Entra does not manage, or an
    /// action the object mapping's settings suppress (S33).
    None = 0,
    /// Created in the target.
    Create = 1,
    /// Kept, matched or re-enabled.
    Update = 2,
    /// Disabled in the target (SCIM `active=false`).
    Disable = 3,
    /// Deleted in the target.
    Delete = 4,
    /// Evaluated, nothing done.
    Skip = 5,
    /// A predicted failure (S32: `DuplicateSourceEntries`, `DuplicateTargetEntries`).
    Fail = 6,
}

impl Action {
    /// Lowercase name, as in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::None => "none",
            Action::Create => "create",
            Action::Update => "update",
            Action::Disable => "disable",
            Action::Delete => "delete",
            Action::Skip => "skip",
            Action::Fail => "fail",
        }
    }
}

/// Why an action was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[repr(u8)]
pub enum Why {
    /// Not assigned and not managed.
    NotAssigned = 0,
    /// In scope and active: created or kept.
    Provisionable = 1,
    /// Was disabled in the target; in scope again, so re-enabled.
    ReEnabled = 2,
    /// Managed, but no filter matches any more.
    FilterFailed = 3,
    /// Managed, but no longer assigned.
    Unassigned = 4,
    /// In scope but disabled (or soft-deleted) in Entra.
    Inactive = 5,
    /// Not managed; no scoping filter matches.
    NotInScope = 6,
    /// Not managed; disabled in Entra, so never created.
    InactiveNotCreated = 7,
    /// Fails an input filter: skipped, never deprovisioned (S23).
    InputFilter = 8,
    /// Out of scope, but SkipOutOfScopeDeletions keeps the account.
    KeptBySkipSetting = 9,
    /// Out of scope and already disabled.
    AlreadyDisabled = 10,
    /// Member of a nested group only (S24).
    NestedOnly = 11,
    /// A managed account in the target-state export whose user is gone: hard-deleted.
    HardDeleted = 12,
    /// Hard-deleted, but the app's Delete flow is off (S33).
    DeleteFlowOff = 13,
    /// In scope, disabled in Entra, and the account is already disabled (S29: not "out of
    /// scope").
    InactiveAlreadyDisabled = 14,
    /// Provisionable, and a pre-existing account matches: matched and updated (S32).
    Matched = 15,
    /// An account in the app that Entra does not manage and no user matches: untouched
    /// (S31).
    PreExisting = 16,
    /// Another user has the same matching value (`DuplicateSourceEntries`, S32).
    DuplicateSource = 17,
    /// The matching value matches several accounts (`DuplicateTargetEntries`, S32).
    DuplicateTarget = 18,
    /// No value for any matching attribute (`ImportSkipped`, S32).
    ImportSkipped = 19,
    /// Would be created, but the Add flow is off (S33).
    AddFlowOff = 20,
    /// Would be updated or re-enabled, but the Update flow is off (S33).
    UpdateFlowOff = 21,
    /// Would be matched and updated, but the Update flow is off (S33).
    MatchFlowOff = 22,
    /// Would be disabled, but the Delete flow is off (S33).
    DisableFlowOff = 23,
    /// The object mapping is disabled: Entra does nothing (S33).
    MappingDisabled = 24,
}

impl Why {
    /// True for actions the object mapping's settings suppress (S33).
    pub fn is_suppressed(self) -> bool {
        matches!(
            self,
            Why::AddFlowOff
                | Why::UpdateFlowOff
                | Why::MatchFlowOff
                | Why::DisableFlowOff
                | Why::DeleteFlowOff
        )
    }

    /// A short label (for the HTML page's tables of reasons).
    pub fn label(self) -> &'static str {
        match self {
            Why::NotAssigned => "not assigned",
            Why::Provisionable => "in scope and active",
            Why::ReEnabled => "in scope again, re-enabled",
            Why::FilterFailed => "no filter matches any more",
            Why::Unassigned => "no longer assigned",
            Why::Inactive => "disabled or soft-deleted in Entra",
            Why::NotInScope => "no filter matches",
            Why::InactiveNotCreated => "disabled in Entra, not created",
            Why::InputFilter => "fails an input filter (kept)",
            Why::KeptBySkipSetting => "kept by SkipOutOfScopeDeletions",
            Why::AlreadyDisabled => "already disabled",
            Why::NestedOnly => "member of a nested group only",
            Why::HardDeleted => "hard-deleted",
            Why::DeleteFlowOff => "hard-deleted, Delete flow off",
            Why::InactiveAlreadyDisabled => "disabled in Entra, account already disabled",
            Why::Matched => "matched an existing account",
            Why::PreExisting => "exists in the app, not managed by Entra",
            Why::DuplicateSource => "DuplicateSourceEntries",
            Why::DuplicateTarget => "DuplicateTargetEntries",
            Why::ImportSkipped => "no matching value (ImportSkipped)",
            Why::AddFlowOff => "would be created, Add flow off",
            Why::UpdateFlowOff => "would be updated, Update flow off",
            Why::MatchFlowOff => "would be matched, Update flow off",
            Why::DisableFlowOff => "would be disabled, Delete flow off",
            Why::MappingDisabled => "object mapping disabled",
        }
    }
}

/// What the app has for a user before a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountState {
    /// No account.
    NoAccount,
    /// An account Entra does not manage whose matching value is the user's (S31, S32): a
    /// pre-existing account, or one Entra stopped managing when the user was unassigned.
    PreExisting,
    /// Managed by Entra, enabled in the app.
    Enabled,
    /// Managed by Entra, disabled in the app.
    Disabled,
}

impl AccountState {
    /// True for accounts Entra manages.
    pub fn is_managed(self) -> bool {
        matches!(self, AccountState::Enabled | AccountState::Disabled)
    }
}

/// Why matching a user to an account would fail (S32), as Entra's provisioning logs say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum MatchFailure {
    /// Several directory users map to one account.
    DuplicateSource,
    /// The user's matching value matches several accounts.
    DuplicateTarget,
    /// The user has no value for any matching attribute.
    ImportSkipped,
}

impl MatchFailure {
    /// Entra's error code.
    pub fn code(self) -> &'static str {
        match self {
            MatchFailure::DuplicateSource => "DuplicateSourceEntries",
            MatchFailure::DuplicateTarget => "DuplicateTargetEntries",
            MatchFailure::ImportSkipped => "ImportSkipped",
        }
    }
}

/// The settings of an app that the table reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppSettings {
    /// SkipOutOfScopeDeletions.
    pub skip_out_of_scope_deletions: bool,
    /// The object mapping's flow types (S33).
    pub flows: FlowTypes,
    /// The object mapping is enabled (S33).
    pub mapping_enabled: bool,
}

/// One user's inputs of the table at one stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserCase {
    /// What the app has for the user before the cycle.
    pub state: AccountState,
    /// How the user is a candidate (S24).
    pub candidacy: Candidacy,
    /// Passes the scoping filters.
    pub pass_scope: bool,
    /// Passes the input filters (S23).
    pub pass_input: bool,
    /// In scope and active (S26).
    pub provisionable: bool,
    /// Why matching would fail, if it would (S32).
    pub failure: Option<MatchFailure>,
}

/// The action table of the spec, for one user at one stage.
/// Returns (action, reason, account state after the cycle).
pub fn decide(u: &UserCase, app: AppSettings) -> (Action, Why, AccountState) {
    use AccountState::{Disabled, Enabled, PreExisting};
    let s = u.state;
    if !app.mapping_enabled {
        return (Action::None, Why::MappingDisabled, s);
    }
    if !s.is_managed() {
        if u.provisionable {
            match u.failure {
                Some(MatchFailure::ImportSkipped) => {
                    return (Action::Skip, Why::ImportSkipped, s);
                }
                Some(MatchFailure::DuplicateSource) => {
                    return (Action::Fail, Why::DuplicateSource, s);
                }
                Some(MatchFailure::DuplicateTarget) => {
                    return (Action::Fail, Why::DuplicateTarget, s);
                }
                None => {}
            }
            if s == PreExisting {
                // S32: matched, managed from now on; matching needs the Update flow (S33).
                return if app.flows.update {
                    (Action::Update, Why::Matched, Enabled)
                } else {
                    (Action::None, Why::MatchFlowOff, s)
                };
            }
            return if app.flows.add {
                (Action::Create, Why::Provisionable, Enabled)
            } else {
                (Action::None, Why::AddFlowOff, s)
            };
        }
        return match u.candidacy {
            Candidacy::NotAssigned => (Action::None, Why::NotAssigned, s),
            Candidacy::NestedOnly => (Action::Skip, Why::NestedOnly, s),
            _ if !u.pass_input => (Action::Skip, Why::InputFilter, s),
            _ if !u.pass_scope => (Action::Skip, Why::NotInScope, s),
            _ => (Action::Skip, Why::InactiveNotCreated, s),
        };
    }
    if u.provisionable {
        let why = if s == Disabled {
            Why::ReEnabled
        } else {
            Why::Provisionable
        };
        return if app.flows.update {
            (Action::Update, why, Enabled)
        } else {
            (Action::None, Why::UpdateFlowOff, s)
        };
    }
    let cand = u.candidacy.is_candidate();
    if cand && !u.pass_input {
        // S23: failing an input filter never deprovisions.
        return (Action::Skip, Why::InputFilter, s);
    }
    if !cand || !u.pass_scope {
        if app.skip_out_of_scope_deletions {
            return (Action::Skip, Why::KeptBySkipSetting, s);
        }
        if s == Disabled {
            return (Action::Skip, Why::AlreadyDisabled, s);
        }
        if !app.flows.delete {
            return (Action::None, Why::DisableFlowOff, s);
        }
        if !cand {
            // Once unassigned and disabled, the service stops managing the account (HPW);
            // the account stays in the app, so a later assignment matches it again.
            return (Action::Disable, Why::Unassigned, PreExisting);
        }
        return (Action::Disable, Why::FilterFailed, Disabled);
    }
    // In scope but inactive: disabled even under SkipOutOfScopeDeletions.
    if s == Disabled {
        return (Action::Skip, Why::InactiveAlreadyDisabled, s);
    }
    if !app.flows.delete {
        return (Action::None, Why::DisableFlowOff, s);
    }
    (Action::Disable, Why::Inactive, Disabled)
}

/// Account states of all users between cycles, as bit sets (disjoint).
#[derive(Debug, Clone)]
pub(crate) struct StateBits {
    pub enabled: Bits,
    pub disabled: Bits,
    pub pre: Bits,
}

impl StateBits {
    pub fn none(n: usize) -> StateBits {
        StateBits {
            enabled: Bits::zeros(n),
            disabled: Bits::zeros(n),
            pre: Bits::zeros(n),
        }
    }

    pub fn get(&self, row: usize) -> AccountState {
        if self.enabled.get(row) {
            AccountState::Enabled
        } else if self.disabled.get(row) {
            AccountState::Disabled
        } else if self.pre.get(row) {
            AccountState::PreExisting
        } else {
            AccountState::NoAccount
        }
    }

    pub fn set(&mut self, row: usize, s: AccountState) {
        self.enabled.set(row, s == AccountState::Enabled);
        self.disabled.set(row, s == AccountState::Disabled);
        self.pre.set(row, s == AccountState::PreExisting);
    }
}

/// Users whose matching would fail (S32), fixed for an app across its stages (disjoint).
#[derive(Debug, Clone)]
pub(crate) struct FailBits {
    pub dup_source: Bits,
    pub dup_target: Bits,
    pub no_value: Bits,
}

impl FailBits {
    pub fn none(n: usize) -> FailBits {
        FailBits {
            dup_source: Bits::zeros(n),
            dup_target: Bits::zeros(n),
            no_value: Bits::zeros(n),
        }
    }

    pub fn get(&self, row: usize) -> Option<MatchFailure> {
        if self.dup_source.get(row) {
            Some(MatchFailure::DuplicateSource)
        } else if self.dup_target.get(row) {
            Some(MatchFailure::DuplicateTarget)
        } else if self.no_value.get(row) {
            Some(MatchFailure::ImportSkipped)
        } else {
            None
        }
    }
}

/// Users by action in one cycle (disjoint; suppressed users have action `none`).
#[derive(Debug, Clone)]
pub(crate) struct ActionBits {
    pub create: Bits,
    pub update: Bits,
    pub disable: Bits,
    pub skip: Bits,
    pub fail: Bits,
    pub suppressed: Bits,
}

impl ActionBits {
    fn zeros(n: usize) -> ActionBits {
        ActionBits {
            create: Bits::zeros(n),
            update: Bits::zeros(n),
            disable: Bits::zeros(n),
            skip: Bits::zeros(n),
            fail: Bits::zeros(n),
            suppressed: Bits::zeros(n),
        }
    }

    pub fn get(&self, row: usize) -> Action {
        if self.create.get(row) {
            Action::Create
        } else if self.update.get(row) {
            Action::Update
        } else if self.disable.get(row) {
            Action::Disable
        } else if self.skip.get(row) {
            Action::Skip
        } else if self.fail.get(row) {
            Action::Fail
        } else {
            Action::None
        }
    }
}

/// The per-user inputs of one cycle, as bit sets: C candidates, N nested-group-only
/// members, S scoping, I input filters, P provisionable.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CycleInputs<'a> {
    pub c: &'a Bits,
    pub nested: &'a Bits,
    pub s: &'a Bits,
    pub i: &'a Bits,
    pub p: &'a Bits,
}

fn and(a: &Bits, b: &Bits) -> Bits {
    let mut x = a.clone();
    x.and_with(b);
    x
}

fn and_not(a: &Bits, b: &Bits) -> Bits {
    let mut x = a.clone();
    x.and_not_with(b);
    x
}

/// One cycle of the action table for all users at once, as word-wide bit operations.
/// Returns the users by action and the account states after the cycle. [`decide`] is the
/// same table for one user; a test checks they agree.
pub(crate) fn cycle(
    st: &StateBits,
    x: CycleInputs<'_>,
    f: &FailBits,
    app: AppSettings,
) -> (ActionBits, StateBits) {
    let n = x.p.len();
    if !app.mapping_enabled {
        return (ActionBits::zeros(n), st.clone());
    }
    let (e, d) = (&st.enabled, &st.disabled);
    let mut m = e.clone();
    m.or_with(d);
    let mut failing_users = f.dup_source.clone();
    failing_users.or_with(&f.dup_target);
    let mut suppressed = Bits::zeros(n);
    // unmanaged and provisionable: fail, ImportSkipped, match or create (S32)
    let pu = and_not(x.p, &m);
    let fail = and(&pu, &failing_users);
    let import_skipped = and_not(&and(&pu, &f.no_value), &failing_users);
    let mut ok = and_not(&pu, &failing_users);
    ok.and_not_with(&f.no_value);
    let matched = and(&ok, &st.pre);
    let mut create = and_not(&ok, &st.pre);
    if !app.flows.add {
        suppressed.or_with(&create);
        create = Bits::zeros(n);
    }
    // managed and provisionable: update (re-enable); matched: update
    let mut update = and(x.p, &m);
    update.or_with(&matched);
    if !app.flows.update {
        suppressed.or_with(&update);
        update = Bits::zeros(n);
    }
    // managed and not provisionable
    let mut rest = and_not(&m, x.p);
    // failing an input filter while a candidate: kept (S23)
    let c_not_i = and_not(x.c, x.i);
    let mut skip = and(&rest, &c_not_i);
    rest.and_not_with(&c_not_i);
    // out of scope: not a candidate, or no scoping filter matches
    let out = and_not(&rest, &and(x.c, x.s));
    // in scope but inactive
    let inactive = and_not(&rest, &out);
    skip.or_with(&and(&inactive, d));
    let mut disable = and(&inactive, e);
    if app.skip_out_of_scope_deletions {
        skip.or_with(&out);
    } else {
        disable.or_with(&and(&out, e));
        skip.or_with(&and(&out, d));
    }
    if !app.flows.delete {
        suppressed.or_with(&disable);
        disable = Bits::zeros(n);
    }
    // unmanaged candidates and nested-group members that are not provisionable
    let mut evaluated = x.c.clone();
    evaluated.or_with(x.nested);
    evaluated.and_not_with(&m);
    evaluated.and_not_with(x.p);
    skip.or_with(&evaluated);
    skip.or_with(&import_skipped);
    let next = after(st, &create, &update, &disable, x.c);
    (
        ActionBits {
            create,
            update,
            disable,
            skip,
            fail,
            suppressed,
        },
        next,
    )
}

/// The account states after a cycle that created, updated and disabled these users:
/// created, kept and matched accounts are enabled; accounts disabled by a filter or by
/// activity stay managed and disabled; accounts disabled because the user was unassigned
/// are no longer managed (HPW) but stay in the app.
pub(crate) fn after(
    st: &StateBits,
    create: &Bits,
    update: &Bits,
    disable: &Bits,
    c: &Bits,
) -> StateBits {
    let mut enabled = and_not(&st.enabled, disable);
    enabled.or_with(update);
    enabled.or_with(create);
    let mut disabled = and_not(&st.disabled, update);
    disabled.or_with(&and(disable, c));
    let mut pre = and_not(&st.pre, update);
    pre.or_with(&and_not(disable, c));
    StateBits {
        enabled,
        disabled,
        pre,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccountState::*;
    use Candidacy::*;

    const ON: AppSettings = AppSettings {
        skip_out_of_scope_deletions: false,
        flows: FlowTypes {
            add: true,
            update: true,
            delete: true,
        },
        mapping_enabled: true,
    };

    fn case(state: AccountState, cand: Candidacy, scope: bool, input: bool, p: bool) -> UserCase {
        UserCase {
            state,
            candidacy: cand,
            pass_scope: scope,
            pass_input: input,
            provisionable: p,
            failure: None,
        }
    }

    #[test]
    fn decide_follows_the_action_table() {
        let skip = AppSettings {
            skip_out_of_scope_deletions: true,
            ..ON
        };
        let d = |u: UserCase| decide(&u, ON);
        // no | provisionable, no pre-existing account | create
        assert_eq!(
            d(case(NoAccount, Direct, true, true, true)),
            (Action::Create, Why::Provisionable, Enabled)
        );
        // no, but a pre-existing account matches | provisionable | update, managed now
        assert_eq!(
            d(case(PreExisting, Direct, true, true, true)),
            (Action::Update, Why::Matched, Enabled)
        );
        // pre-existing, never matched | anything | none (untouched)
        assert_eq!(
            d(case(PreExisting, NotAssigned, false, true, false)),
            (Action::None, Why::NotAssigned, PreExisting)
        );
        assert_eq!(
            d(case(PreExisting, Direct, false, true, false)),
            (Action::Skip, Why::NotInScope, PreExisting)
        );
        // yes | provisionable | update (re-enabled if disabled)
        assert_eq!(
            d(case(Enabled, Direct, true, true, true)),
            (Action::Update, Why::Provisionable, Enabled)
        );
        assert_eq!(
            d(case(Disabled, ViaGroup, true, true, true)),
            (Action::Update, Why::ReEnabled, Enabled)
        );
        // yes | filter fails | disable, or kept with SkipOutOfScopeDeletions
        assert_eq!(
            d(case(Enabled, Direct, false, true, false)),
            (Action::Disable, Why::FilterFailed, Disabled)
        );
        assert_eq!(
            decide(&case(Enabled, Direct, false, true, false), skip),
            (Action::Skip, Why::KeptBySkipSetting, Enabled)
        );
        // yes | unassigned | disable, no longer managed, still in the app
        assert_eq!(
            d(case(Enabled, NotAssigned, true, true, false)),
            (Action::Disable, Why::Unassigned, PreExisting)
        );
        // yes | in scope but inactive | disable even with SkipOutOfScopeDeletions
        assert_eq!(
            decide(&case(Enabled, Direct, true, true, false), skip),
            (Action::Disable, Why::Inactive, Disabled)
        );
        // S29: in scope, inactive, already disabled is not "out of scope"
        assert_eq!(
            d(case(Disabled, Direct, true, true, false)),
            (Action::Skip, Why::InactiveAlreadyDisabled, Disabled)
        );
        // no | not provisionable | skip with the reason
        assert_eq!(
            d(case(NoAccount, Direct, false, true, false)),
            (Action::Skip, Why::NotInScope, NoAccount)
        );
        assert_eq!(
            d(case(NoAccount, Direct, true, true, false)),
            (Action::Skip, Why::InactiveNotCreated, NoAccount)
        );
        assert_eq!(
            d(case(NoAccount, NestedOnly, true, true, false)),
            (Action::Skip, Why::NestedOnly, NoAccount)
        );
        assert_eq!(
            d(case(NoAccount, NotAssigned, true, true, false)),
            (Action::None, Why::NotAssigned, NoAccount)
        );
        // S23: input filter failures are skipped, never deprovisioned
        assert_eq!(
            d(case(Enabled, Direct, true, false, false)),
            (Action::Skip, Why::InputFilter, Enabled)
        );
        // already disabled and out of scope: nothing more to do
        assert_eq!(
            d(case(Disabled, Direct, false, true, false)),
            (Action::Skip, Why::AlreadyDisabled, Disabled)
        );
    }

    #[test]
    fn s32_matching_failures_are_predicted_for_unmanaged_provisionable_users_only() {
        for (f, action, why) in [
            (
                MatchFailure::DuplicateSource,
                Action::Fail,
                Why::DuplicateSource,
            ),
            (
                MatchFailure::DuplicateTarget,
                Action::Fail,
                Why::DuplicateTarget,
            ),
            (
                MatchFailure::ImportSkipped,
                Action::Skip,
                Why::ImportSkipped,
            ),
        ] {
            let mut u = case(PreExisting, Direct, true, true, true);
            u.failure = Some(f);
            assert_eq!(decide(&u, ON), (action, why, PreExisting));
            u.state = Enabled;
            assert_eq!(decide(&u, ON).0, Action::Update, "managed: no matching");
            u.state = NoAccount;
            u.provisionable = false;
            u.pass_scope = false;
            assert_eq!(decide(&u, ON).1, Why::NotInScope);
        }
    }

    #[test]
    fn s33_flow_types_suppress_their_actions_and_a_disabled_mapping_does_nothing() {
        let flows = |add, update, delete| AppSettings {
            flows: FlowTypes {
                add,
                update,
                delete,
            },
            ..ON
        };
        let no_add = flows(false, true, true);
        let no_update = flows(true, false, true);
        let no_delete = flows(true, true, false);
        assert_eq!(
            decide(&case(NoAccount, Direct, true, true, true), no_add),
            (Action::None, Why::AddFlowOff, NoAccount)
        );
        assert_eq!(
            decide(&case(PreExisting, Direct, true, true, true), no_update),
            (Action::None, Why::MatchFlowOff, PreExisting)
        );
        assert_eq!(
            decide(&case(Disabled, Direct, true, true, true), no_update),
            (Action::None, Why::UpdateFlowOff, Disabled)
        );
        assert_eq!(
            decide(&case(Enabled, Direct, false, true, false), no_delete),
            (Action::None, Why::DisableFlowOff, Enabled)
        );
        assert_eq!(
            decide(&case(Enabled, NotAssigned, false, true, false), no_delete),
            (Action::None, Why::DisableFlowOff, Enabled)
        );
        let off = AppSettings {
            mapping_enabled: false,
            ..ON
        };
        assert_eq!(
            decide(&case(Enabled, Direct, false, true, false), off),
            (Action::None, Why::MappingDisabled, Enabled)
        );
    }

    /// (candidacy code, passes scoping, passes input, active, state, failure).
    type TestUser = (u8, bool, bool, bool, u8, u8);

    fn state_of(v: u8) -> AccountState {
        match v {
            1 => PreExisting,
            2 => Enabled,
            3 => Disabled,
            _ => NoAccount,
        }
    }

    fn failure_of(v: u8) -> Option<MatchFailure> {
        match v {
            1 => Some(MatchFailure::DuplicateSource),
            2 => Some(MatchFailure::DuplicateTarget),
            3 => Some(MatchFailure::ImportSkipped),
            _ => None,
        }
    }

    proptest::proptest! {
        /// The word-wide cycle and the per-user table agree on every action and state.
        #[test]
        fn cycle_agrees_with_decide_for_every_user(
            users in proptest::collection::vec((0u8..5, proptest::bool::ANY, proptest::bool::ANY, proptest::bool::ANY, 0u8..4, 0u8..6), 0..300),
            settings in (proptest::bool::ANY, proptest::bool::ANY, proptest::bool::ANY, proptest::bool::ANY, 0u8..8),
        ) {
            let (skip, add, update, delete, off) = settings;
            let app = AppSettings {
                skip_out_of_scope_deletions: skip,
                flows: FlowTypes { add, update, delete },
                mapping_enabled: off != 0,
            };
            let n = users.len();
            let bits = |f: &dyn Fn(&TestUser) -> bool| {
                let mut b = Bits::zeros(n);
                for (i, u) in users.iter().enumerate() {
                    b.set(i, f(u));
                }
                b
            };
            let cand = Candidacy::from_u8;
            let c = bits(&|u| cand(u.0).is_candidate());
            let nested = bits(&|u| cand(u.0) == Candidacy::NestedOnly);
            let s = bits(&|u| u.1);
            let i = bits(&|u| u.2);
            let p = bits(&|u| cand(u.0).is_candidate() && u.1 && u.2 && u.3);
            let mut state = StateBits::none(n);
            for (row, u) in users.iter().enumerate() {
                state.set(row, state_of(u.4));
            }
            let fails = FailBits {
                dup_source: bits(&|u| failure_of(u.5) == Some(MatchFailure::DuplicateSource)),
                dup_target: bits(&|u| failure_of(u.5) == Some(MatchFailure::DuplicateTarget)),
                no_value: bits(&|u| failure_of(u.5) == Some(MatchFailure::ImportSkipped)),
            };
            let x = CycleInputs { c: &c, nested: &nested, s: &s, i: &i, p: &p };
            let (actions, next) = cycle(&state, x, &fails, app);
            for (row, u) in users.iter().enumerate() {
                let uc = UserCase {
                    state: state_of(u.4),
                    candidacy: cand(u.0),
                    pass_scope: u.1,
                    pass_input: u.2,
                    provisionable: p.get(row),
                    failure: failure_of(u.5),
                };
                let (action, why, st) = decide(&uc, app);
                proptest::prop_assert_eq!(actions.get(row), action, "user {:?}", u);
                proptest::prop_assert_eq!(actions.suppressed.get(row), why.is_suppressed(), "user {:?}", u);
                proptest::prop_assert_eq!(next.get(row), st, "user {:?}", u);
                let exclusive = [&actions.create, &actions.update, &actions.disable, &actions.skip, &actions.fail, &actions.suppressed]
                    .iter().filter(|b| b.get(row)).count();
                proptest::prop_assert!(exclusive <= 1);
                let states = [&next.enabled, &next.disabled, &next.pre].iter().filter(|b| b.get(row)).count();
                proptest::prop_assert!(states <= 1);
            }
        }
    }
}
