//! The rollout engine: what Entra would do to every account at each stage (S23–S33, S36).
//!
//! Each stage of an app is one full provisioning cycle run after the previous one (saving
//! a filter restarts a full cycle), so the engine walks the stages in order carrying the
//! state Entra keeps between cycles: which accounts exist in the app, which of them it
//! manages and whether they are disabled. The parts, one file each:
//!
//! - [`facts`]: activity (S25), ids and matching values, read once per row group;
//! - [`candidacy`]: who is a candidate (S24), group nesting walked without recursion, and
//!   the S36 check that assigned groups have member data;
//! - [`matching`]: managed and pre-existing accounts of a target state (S31) and matching
//!   users to them (S32);
//! - [`table`]: the action table, per user and word-wide, with the flow settings (S33);
//! - [`reason`] and [`estimate`]: the words for each action, the duration (S28).
//!
//! A stage whose disables and deletes pass the app's threshold is held (S27). Per-user
//! results are a few bits each per stage, so a million users and several stages stay
//! small; reasons are rendered only for the rows a report prints.

pub mod candidacy;
pub mod estimate;
pub mod facts;
pub mod matching;
pub mod reason;
pub mod table;

pub use facts::{
    ChunkFacts, FactColumns, IdIndex, MatchIndex, UserFacts, chunk_facts, fact_match_attributes,
    wanted_ids,
};
pub use matching::{
    AccountLink, AccountOwner, AccountRef, MatchAttr, MatchNote, Matching, matching_attributes,
};
pub use table::{AccountState, Action, AppSettings, MatchFailure, UserCase, Why, decide};

use crate::diag::{Code, Diagnostic, Errors};
use crate::directory::Directory;
use crate::directory::assignments::{Assignments, GroupMembers, TargetState};
use crate::eval::{Bits, Outcomes, Plan, StageId};
use crate::rules::{App, RuleSet, ScopeMode};
use estimate::Estimate;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::Arc;
use table::{ActionBits, CycleInputs, FailBits, StateBits};

/// How the deletion threshold compares (S27): the docs say both "above" and "met".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ThresholdBoundary {
    /// Held when disables + deletes are above the threshold (default: "anything above the
    /// threshold").
    #[default]
    Gt,
    /// Held when they reach it ("when the deletion threshold is met").
    Ge,
}

/// Options of a rollout simulation.
#[derive(Debug, Clone, Copy, Default)]
pub struct RolloutOptions {
    /// S27 boundary.
    pub threshold_boundary: ThresholdBoundary,
    /// `--allow-missing-members`: an assigned group without member data is a warning that
    /// counts them, not an error (S36).
    pub allow_missing_members: bool,
}

/// The files that say who is assigned and what already exists.
#[derive(Debug, Clone, Copy, Default)]
pub struct RolloutInputs<'a> {
    /// `--assignments`.
    pub assignments: Option<&'a Assignments>,
    /// `--group-members`.
    pub group_members: Option<&'a GroupMembers>,
    /// `--target-state APP=PATH`, any number.
    pub target_states: &'a [TargetState],
}

/// How a user is a candidate for an app (S24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[repr(u8)]
pub enum Candidacy {
    /// Not assigned, directly or through a group.
    NotAssigned = 0,
    /// Assigned to the app directly.
    Direct = 1,
    /// A direct member of a group assigned to the app.
    ViaGroup = 2,
    /// Only a member of a group nested in an assigned group: never a candidate (S24).
    NestedOnly = 3,
    /// The app syncs all users (`scope all`).
    SyncAll = 4,
}

impl Candidacy {
    /// The candidacy stored as `v` (unknown codes are `NotAssigned`).
    pub fn from_u8(v: u8) -> Candidacy {
        match v {
            1 => Candidacy::Direct,
            2 => Candidacy::ViaGroup,
            3 => Candidacy::NestedOnly,
            4 => Candidacy::SyncAll,
            _ => Candidacy::NotAssigned,
        }
    }

    /// True for users the provisioning service considers.
    pub fn is_candidate(self) -> bool {
        matches!(
            self,
            Candidacy::Direct | Candidacy::ViaGroup | Candidacy::SyncAll
        )
    }
}

/// Counts of actions in one stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Accounts created.
    pub create: usize,
    /// Accounts kept, matched or re-enabled (updated).
    pub update: usize,
    /// Accounts disabled.
    pub disable: usize,
    /// Accounts deleted.
    pub delete: usize,
    /// Users evaluated with nothing done (candidates, nested-group members, managed).
    pub skip: usize,
    /// Predicted failures (S32).
    pub fail: usize,
    /// Actions the object mapping's flow types suppress (S33); counted nowhere else.
    pub suppressed: usize,
}

/// A target-state account with no directory user: a managed account whose user is gone
/// (hard-deleted), or a pre-existing account that no user matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Orphan {
    /// How the account is shown (its userName, UPN or externalId).
    pub key: String,
    /// Line in the target-state file.
    pub line: u64,
    /// The target-state file.
    pub file: String,
    /// Managed by Entra (S31): deleted when its user is gone; otherwise untouched.
    pub managed: bool,
}

/// One stage of one app.
#[derive(Debug, Clone)]
pub struct StageResult {
    /// The stage in the plan.
    pub stage: StageId,
    /// App name.
    pub app: String,
    /// Stage name.
    pub name: String,
    /// Users the service considers (S24).
    pub candidates: usize,
    /// Candidates passing the filters (S26).
    pub in_scope: usize,
    /// Action counts (held actions included).
    pub counts: Counts,
    /// Disables + deletes over the threshold: Entra would quarantine the job (S27).
    pub held: bool,
    /// Duration estimate of the cycle (S28).
    pub estimate: Estimate,
    /// Users in scope at this stage.
    pub in_scope_users: Bits,
    /// The action of every user, as one bit set per action.
    actions: ActionBits,
    /// What `why` needs to retrace the action table for one user.
    inputs: StageInputs,
    /// Actions on target-state accounts with no user, in the order of the app's
    /// `orphans`.
    pub orphan_actions: Vec<(Action, Why)>,
}

/// The per-user inputs of the action table at one stage.
#[derive(Debug, Clone)]
struct StageInputs {
    candidacy: Arc<[u8]>,
    scoping: Bits,
    input: Bits,
    provisionable: Bits,
    before: StateBits,
    fails: Arc<FailBits>,
    settings: AppSettings,
}

impl StageResult {
    /// The action for user `row`.
    pub fn action(&self, row: usize) -> Action {
        self.actions.get(row)
    }

    /// Why that action: the action table retraced for this one user.
    pub fn why(&self, row: usize) -> Why {
        decide(&self.case(row), self.inputs.settings).1
    }

    /// The inputs of the action table for user `row`.
    pub fn case(&self, row: usize) -> UserCase {
        let i = &self.inputs;
        UserCase {
            state: i.before.get(row),
            candidacy: i
                .candidacy
                .get(row)
                .copied()
                .map_or(Candidacy::NotAssigned, Candidacy::from_u8),
            pass_scope: i.scoping.get(row),
            pass_input: i.input.get(row),
            provisionable: i.provisionable.get(row),
            failure: i.fails.get(row),
        }
    }

    /// What the app had for user `row` before this cycle.
    pub fn account_before(&self, row: usize) -> AccountState {
        self.inputs.before.get(row)
    }

    /// Whether the service managed user `row`'s account before this cycle: `None` if
    /// not, `Some(true)` if it was enabled in the target, `Some(false)` if disabled.
    pub fn managed_before(&self, row: usize) -> Option<bool> {
        match self.account_before(row) {
            AccountState::Enabled => Some(true),
            AccountState::Disabled => Some(false),
            _ => None,
        }
    }

    /// True when user `row` belongs in a per-user report of this stage: acted on, or
    /// with an account in the app.
    pub fn reported(&self, row: usize) -> bool {
        self.action(row) != Action::None || self.account_before(row) != AccountState::NoAccount
    }

    /// Disables and deletes (what the threshold counts).
    pub fn deprovisions(&self) -> usize {
        self.counts.disable + self.counts.delete
    }
}

/// One app through all its stages.
#[derive(Debug, Clone)]
pub struct AppResult {
    /// App name.
    pub name: String,
    /// Index in the rule set.
    pub index: usize,
    /// Scope setting.
    pub scope: ScopeMode,
    /// SkipOutOfScopeDeletions.
    pub skip_out_of_scope_deletions: bool,
    /// Deletion threshold, when set.
    pub deletion_threshold: Option<u64>,
    /// The object mapping's settings as the table reads them (S33).
    pub settings: AppSettings,
    candidacy: Arc<[u8]>,
    /// Users with an account managed by Entra before the first stage (S31).
    pub managed_at_start: usize,
    /// Target-state accounts Entra does not manage before the first stage (S31).
    pub pre_existing_at_start: usize,
    /// The matching attributes and what they found (S32).
    pub matching: Matching,
    /// Target-state accounts with no directory user.
    pub orphans: Vec<Orphan>,
    /// Stages in order.
    pub stages: Vec<StageResult>,
}

impl AppResult {
    /// How user `row` is a candidate.
    pub fn candidacy(&self, row: usize) -> Candidacy {
        self.candidacy
            .get(row)
            .copied()
            .map_or(Candidacy::NotAssigned, Candidacy::from_u8)
    }
}

/// The whole simulation.
#[derive(Debug, Clone)]
pub struct Rollout {
    /// Apps in file order.
    pub apps: Vec<AppResult>,
    /// Users considered active (S25).
    pub active: Bits,
    /// Warnings (S25 activity, S24/S36 assignments, S31/S32 accounts, S27 thresholds, ...).
    pub warnings: Vec<Diagnostic>,
}

impl Rollout {
    /// True when any stage is held by a deletion threshold.
    pub fn any_held(&self) -> bool {
        self.held_in(None, None)
    }

    /// True when a stage of `app` named `stage` (each: any, when `None`) is held.
    pub fn held_in(&self, app: Option<&str>, stage: Option<&str>) -> bool {
        self.apps
            .iter()
            .filter(|a| app.is_none_or(|n| n == a.name))
            .flat_map(|a| &a.stages)
            .any(|s| s.held && stage.is_none_or(|n| n == s.name))
    }
}

/// Simulates every app of `rules` through its stages.
pub fn simulate(
    rules: &RuleSet,
    plan: &Plan,
    outcomes: &Outcomes,
    dir: &Directory,
    inputs: RolloutInputs<'_>,
    options: RolloutOptions,
) -> Result<Rollout, Errors> {
    let facts = UserFacts::from_directory(dir, rules, inputs);
    simulate_with(rules, plan, outcomes, &facts, inputs, options)
}

/// [`simulate`] from facts already read (by a streaming reader, see [`chunk_facts`]).
pub fn simulate_with(
    rules: &RuleSet,
    plan: &Plan,
    outcomes: &Outcomes,
    facts: &UserFacts,
    inputs: RolloutInputs<'_>,
    options: RolloutOptions,
) -> Result<Rollout, Errors> {
    let n = outcomes.len();
    let mut warnings = Vec::new();
    check_inputs(rules, inputs, options, &mut warnings)?;
    warnings.extend(activity_warnings(facts, n));
    // Apps are independent: simulated in parallel, their results and warnings taken in
    // app order, so the output is the same on any number of threads.
    type AppRun = (Result<AppResult, Vec<Diagnostic>>, Vec<Diagnostic>);
    let results: Vec<AppRun> = rules
        .apps
        .par_iter()
        .enumerate()
        .map(|(ai, app)| {
            let mut w = Vec::new();
            let r = simulate_app(ai, app, plan, outcomes, facts, inputs, options, &mut w);
            (r, w)
        })
        .collect();
    let mut apps = Vec::new();
    let mut errors = Vec::new();
    for (r, w) in results {
        warnings.extend(w);
        match r {
            Ok(a) => apps.push(a),
            Err(e) => errors.extend(e),
        }
    }
    if let Some(e) = Errors::from_vec(errors) {
        return Err(e);
    }
    Ok(Rollout {
        apps,
        active: facts.active.clone(),
        warnings,
    })
}

/// Errors that stop the simulation before it starts: an `assigned` app without
/// assignments (S24), a target state for an unknown app, assigned groups without member
/// data (S36, a warning with `--allow-missing-members`).
fn check_inputs(
    rules: &RuleSet,
    inputs: RolloutInputs<'_>,
    options: RolloutOptions,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(), Errors> {
    let mut errors = Vec::new();
    for app in &rules.apps {
        if app.scope_mode() == ScopeMode::Assigned && inputs.assignments.is_none() {
            errors.push(
                Diagnostic::error(
                    Code::NoAssignments,
                    format!("app `{}` syncs only assigned users and groups, but no assignments were given", app.name.node),
                )
                .with_rule("S24")
                .with_label(app.source, app.name.span, "scope assigned (the default)")
                .with_help("pass `--assignments FILE` (and `--group-members FILE` for group assignments), or write `scope all` in the app"),
            );
        }
        if let Some(d) = candidacy::missing_members(app, inputs, options.allow_missing_members) {
            if d.is_error() {
                errors.push(d);
            } else {
                warnings.push(d);
            }
        }
    }
    for ts in inputs.target_states {
        if !rules.apps.iter().any(|a| a.name.node == ts.app) {
            let names: Vec<String> = rules
                .apps
                .iter()
                .map(|a| format!("`{}`", a.name.node))
                .collect();
            errors.push(
                Diagnostic::error(
                    Code::UnknownApp,
                    format!(
                        "--target-state names app `{}`, which the rules do not define",
                        ts.app
                    ),
                )
                .with_help(format!("apps in the rules: {}", names.join(", "))),
            );
        }
    }
    match Errors::from_vec(errors) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// S25 warnings: no `accountEnabled` column, null values (active), other values (not
/// active).
fn activity_warnings(facts: &UserFacts, n: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let (null, bad) = (facts.null_enabled, facts.unreadable_enabled);
    if !facts.has_enabled_column && n > 0 {
        out.push(
            Diagnostic::warning(Code::NoAccountEnabled, "the directory export has no `accountEnabled` column: every user is treated as active")
                .with_rule("S25")
                .with_help("export `accountEnabled` (Graph `$select=accountEnabled`, Get-MgUser `-Property AccountEnabled`) to see disabled users"),
        );
    } else if null > 0 {
        out.push(
            Diagnostic::warning(Code::NullAccountEnabled, format!("{} no `accountEnabled` value and {} treated as active", crate::diag::count(null as u64, "user has", "users have"), if null == 1 { "is" } else { "are" }))
                .with_rule("S25")
                .with_help("Entra's behaviour for a missing accountEnabled is undocumented; scopesim assumes active"),
        );
    }
    if bad > 0 {
        let examples: Vec<String> = facts
            .unreadable_examples
            .iter()
            .map(|e| format!("`{e}`"))
            .collect();
        out.push(
            Diagnostic::warning(
                Code::UnreadableAccountEnabled,
                format!(
                    "{} an `accountEnabled` that is neither true, false nor null (e.g. {}) and {} treated as not active: never created",
                    crate::diag::count(bad as u64, "user has", "users have"),
                    examples.join(", "),
                    if bad == 1 { "is" } else { "are" }
                ),
            )
            .with_rule("S25")
            .with_help("Entra reads accountEnabled as a Boolean; rather than create an account the export may mark disabled, scopesim assumes not active: fix the export"),
        );
    }
    out
}

/// One app through its stages.
#[expect(
    clippy::too_many_arguments,
    reason = "the inputs of one app's simulation, passed once from `simulate_with`"
)]
fn simulate_app(
    ai: usize,
    app: &App,
    plan: &Plan,
    outcomes: &Outcomes,
    facts: &UserFacts,
    inputs: RolloutInputs<'_>,
    options: RolloutOptions,
    warnings: &mut Vec<Diagnostic>,
) -> Result<AppResult, Vec<Diagnostic>> {
    let n = outcomes.len();
    let name = app.name.node.clone();
    let found = candidacy::candidates(app, n, facts, inputs);
    warnings.extend(assignment_warnings(app, inputs, &found.unknown));
    warnings.extend(found.warnings);
    let mut candidate_bits = Bits::zeros(n);
    let mut nested_bits = Bits::zeros(n);
    for (u, &c) in found.candidacy.iter().enumerate() {
        match Candidacy::from_u8(c) {
            Candidacy::NestedOnly => nested_bits.set(u, true),
            c if c.is_candidate() => candidate_bits.set(u, true),
            _ => {}
        }
    }
    let start = matching::start(app, n, facts, inputs, &candidate_bits)?;
    warnings.extend(start.warnings);
    let settings = AppSettings {
        skip_out_of_scope_deletions: app.skip_deletions(),
        flows: app.flows(),
        mapping_enabled: app.mapping_enabled(),
    };
    if !settings.mapping_enabled {
        warnings.push(
            Diagnostic::warning(
                Code::MappingDisabled,
                format!("the user object mapping of `{name}` is disabled (`enabled: false`): Entra provisions nothing for it"),
            )
            .with_rule("S33")
            .with_help("every user is reported with action `none`; enable the mapping to simulate it"),
        );
    }
    let candidacy: Arc<[u8]> = Arc::from(found.candidacy);
    let candidates_count = candidate_bits.count();
    let fails = Arc::new(start.fails);
    let orphans = start.orphans;
    let mut state = start.state;
    let mut orphan_deleted = vec![false; orphans.len()];
    let delete_on = app.delete_flow_on() && settings.flows.delete;
    let groups = inputs.group_members.map_or(0, GroupMembers::len);
    let estimate = estimate::estimate(app.scope_mode(), found.assigned_count, n, groups);
    let mut stages = Vec::new();
    for (sid, s) in plan.stages_of(ai) {
        let scoping = outcomes.scoping(sid);
        let input = outcomes.input(sid);
        let mut in_scope_users = candidate_bits.clone();
        in_scope_users.and_with(scoping);
        in_scope_users.and_with(input);
        let mut provisionable = in_scope_users.clone();
        provisionable.and_with(&facts.active);
        let x = CycleInputs {
            c: &candidate_bits,
            nested: &nested_bits,
            s: scoping,
            i: input,
            p: &provisionable,
        };
        let (actions, mut next) = table::cycle(&state, x, &fails, settings);
        let mut counts = Counts {
            create: actions.create.count(),
            update: actions.update.count(),
            disable: actions.disable.count(),
            delete: 0,
            skip: actions.skip.count(),
            fail: actions.fail.count(),
            suppressed: actions.suppressed.count(),
        };
        let orphan_actions: Vec<(Action, Why)> = orphans
            .iter()
            .zip(&orphan_deleted)
            .map(|(o, &deleted)| orphan_action(o, deleted, settings, delete_on))
            .collect();
        for (a, why) in &orphan_actions {
            match a {
                Action::Delete => counts.delete += 1,
                Action::None if why.is_suppressed() => counts.suppressed += 1,
                _ => {}
            }
        }
        let deprovisions = counts.disable + counts.delete;
        let threshold = app.deletion_threshold.as_ref().map(|t| t.node);
        let held = threshold.is_some_and(|t| match options.threshold_boundary {
            ThresholdBoundary::Gt => deprovisions as u64 > t,
            ThresholdBoundary::Ge => deprovisions as u64 >= t,
        });
        if held {
            // Entra quarantines the job (TooManyDeletes): disables and deletes wait for
            // an admin; creates and updates go through.
            next = table::after(
                &state,
                &actions.create,
                &actions.update,
                &Bits::zeros(n),
                &candidate_bits,
            );
            let t = threshold.unwrap_or(0);
            let relation = if deprovisions as u64 == t {
                "reaching"
            } else {
                "over"
            };
            warnings.push(
                Diagnostic::warning(
                    Code::DeletionThreshold,
                    format!(
                        "stage `{}` of `{name}` would disable or delete {deprovisions} accounts, {relation} the threshold of {t}: Entra would hold them and quarantine the job (TooManyDeletes)",
                        s.name
                    ),
                )
                .with_rule("S27")
                .with_help("an admin must allow the deletes (Allow deletes, or restart with `ForceDeletes`); review the report before you save this filter"),
            );
        } else {
            for (done, (a, _)) in orphan_deleted.iter_mut().zip(&orphan_actions) {
                if *a == Action::Delete {
                    *done = true;
                }
            }
        }
        if counts.suppressed > 0 {
            warnings.push(suppressed_warning(
                &name, &s.name, &counts, settings, delete_on,
            ));
        }
        let before = std::mem::replace(&mut state, next);
        stages.push(StageResult {
            stage: sid,
            app: name.clone(),
            name: s.name.clone(),
            candidates: candidates_count,
            in_scope: in_scope_users.count(),
            counts,
            held,
            estimate: estimate.clone(),
            in_scope_users,
            actions,
            inputs: StageInputs {
                candidacy: candidacy.clone(),
                scoping: scoping.clone(),
                input: input.clone(),
                provisionable,
                before,
                fails: fails.clone(),
                settings,
            },
            orphan_actions,
        });
    }
    Ok(AppResult {
        name,
        index: ai,
        scope: app.scope_mode(),
        skip_out_of_scope_deletions: app.skip_deletions(),
        deletion_threshold: app.deletion_threshold.as_ref().map(|t| t.node),
        settings,
        candidacy,
        managed_at_start: start.managed_at_start,
        pre_existing_at_start: start.pre_existing_at_start,
        matching: start.matching,
        orphans,
        stages,
    })
}

/// What happens to a target-state account with no directory user at one stage.
fn orphan_action(
    o: &Orphan,
    deleted: bool,
    settings: AppSettings,
    delete_on: bool,
) -> (Action, Why) {
    if !settings.mapping_enabled {
        (Action::None, Why::MappingDisabled)
    } else if !o.managed {
        // S31: never in scope, so never deprovisioned.
        (Action::None, Why::PreExisting)
    } else if deleted {
        (Action::None, Why::HardDeleted)
    } else if delete_on {
        (Action::Delete, Why::HardDeleted)
    } else {
        (Action::None, Why::DeleteFlowOff)
    }
}

/// S33: the actions a stage's flow types suppressed, counted.
fn suppressed_warning(
    app: &str,
    stage: &str,
    counts: &Counts,
    settings: AppSettings,
    delete_on: bool,
) -> Diagnostic {
    let f = settings.flows;
    let off: Vec<&str> = [("Add", f.add), ("Update", f.update), ("Delete", delete_on)]
        .iter()
        .filter(|(_, on)| !on)
        .map(|(n, _)| *n)
        .collect();
    Diagnostic::warning(
        Code::FlowSuppressed,
        format!(
            "stage `{stage}` of `{app}`: {} suppressed because the {} flow{} off",
            crate::diag::count(counts.suppressed as u64, "action is", "actions are"),
            off.join(" and "),
            if off.len() == 1 { " is" } else { "s are" }
        ),
    )
    .with_rule("S33")
    .with_help("the report lists each user with the action that was suppressed; `flowTypes` in the schema (or `flow_types` in the rules) turns them back on")
}

/// S24/S36: the assignments name no principal for an app, or users the export lacks.
fn assignment_warnings(
    app: &App,
    inputs: RolloutInputs<'_>,
    unknown: &[String],
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let name = app.name.node.as_str();
    if let (ScopeMode::Assigned, Some(a)) = (app.scope_mode(), inputs.assignments) {
        if !a.items.iter().any(|x| x.app == name) {
            let mut apps: Vec<&str> = a.items.iter().map(|x| x.app.as_str()).collect();
            apps.sort_unstable();
            apps.dedup();
            let listed = apps
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ");
            out.push(
                Diagnostic::warning(Code::AppNotAssigned, format!("the assignments name no principal for app `{name}`, so it has no candidates"))
                    .with_rule("S24")
                    .with_label(app.source, app.name.span, "")
                    .with_help(match app.naming_help() {
                        Some(h) => format!("apps in the assignments: {listed}; {h}"),
                        None => format!("apps in the assignments: {listed}; names must match exactly"),
                    }),
            );
        }
    }
    if !unknown.is_empty() {
        let examples: Vec<String> = unknown.iter().take(3).map(|u| format!("`{u}`")).collect();
        out.push(
            Diagnostic::warning(
                Code::UnknownPrincipal,
                format!(
                    "{} assigned to `{name}` not in the directory export (e.g. {})",
                    crate::diag::count(unknown.len() as u64, "user is", "users are"),
                    examples.join(", ")
                ),
            )
            .with_rule("S24")
            .with_help("check that the assignments and the directory export come from the same tenant and time"),
        );
    }
    out
}
