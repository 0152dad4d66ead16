//! The rollout engine: what Entra would do to every account at each stage (S24–S28).
//!
//! Each stage of an app is one full provisioning cycle run after the previous one (saving
//! a filter restarts a full cycle), so the engine walks the stages in order carrying the
//! state Entra keeps between cycles: which accounts it manages and whether they are
//! disabled in the target. Candidates come from assignments (S24), activity from
//! `accountEnabled` (S25), scope from the evaluated filters (S26), actions from the table
//! in the spec, and a stage whose disables and deletes pass the app's threshold is held
//! (S27). Per-user results are one byte each per stage, so a million users and several
//! stages stay small; reasons are rendered only for the rows a report prints.

pub mod estimate;
pub mod reason;

use crate::diag::{Code, Diagnostic, Errors};
use crate::directory::Directory;
use crate::directory::assignments::{Assignments, GroupMembers, PrincipalType, TargetState};
use crate::eval::{Bits, Outcomes, Plan, StageId};
use crate::rules::{RuleSet, ScopeMode};
use crate::value::parse_bool;
use estimate::Estimate;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// How the deletion threshold compares (S27): the docs say both "above" and "met".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ThresholdBoundary {
    /// Held when disables + deletes > threshold (default: "anything above the threshold").
    #[default]
    Gt,
    /// Held when disables + deletes >= threshold ("when the deletion threshold is met").
    Ge,
}

/// Options of a rollout simulation.
#[derive(Debug, Clone, Copy, Default)]
pub struct RolloutOptions {
    /// S27 boundary.
    pub threshold_boundary: ThresholdBoundary,
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
    fn from_u8(v: u8) -> Candidacy {
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

/// What Entra does to an account in a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum Action {
    /// Not evaluated: not assigned and not managed.
    None = 0,
    /// Created in the target.
    Create = 1,
    /// Kept (and re-enabled if it was disabled).
    Update = 2,
    /// Disabled in the target (SCIM `active=false`).
    Disable = 3,
    /// Deleted in the target.
    Delete = 4,
    /// Evaluated, nothing done.
    Skip = 5,
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
    /// In the target-state export but gone from the directory: hard-deleted.
    HardDeleted = 12,
    /// Hard-deleted, but the app's Delete flow is off.
    DeleteFlowOff = 13,
}

impl Why {}

/// Counts of actions in one stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Accounts created.
    pub create: usize,
    /// Accounts kept (updated).
    pub update: usize,
    /// Accounts disabled.
    pub disable: usize,
    /// Accounts deleted.
    pub delete: usize,
    /// Users evaluated with nothing done (candidates, nested-group members, managed).
    pub skip: usize,
}

impl Counts {
    fn add(&mut self, a: Action) {
        match a {
            Action::Create => self.create += 1,
            Action::Update => self.update += 1,
            Action::Disable => self.disable += 1,
            Action::Delete => self.delete += 1,
            Action::Skip => self.skip += 1,
            Action::None => {}
        }
    }
}

/// A target-state account that matches no directory user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Orphan {
    /// The matching key (e.g. the UPN) as exported from the app.
    pub key: String,
    /// Line in the target-state file.
    pub line: u64,
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
    /// Actions on target-state accounts that match no user, with `orphans` of the app.
    pub orphan_actions: Vec<(Action, Why)>,
}

/// Users by action in one cycle.
#[derive(Debug, Clone)]
struct ActionBits {
    create: Bits,
    update: Bits,
    disable: Bits,
    skip: Bits,
}

/// The per-user inputs of the action table at one stage.
#[derive(Debug, Clone)]
struct StageInputs {
    candidacy: Arc<[u8]>,
    scoping: Bits,
    input: Bits,
    provisionable: Bits,
    enabled_before: Bits,
    disabled_before: Bits,
    skip_setting: bool,
}

/// Managed accounts between cycles: enabled or disabled in the target.
#[derive(Debug, Clone)]
struct Managed {
    enabled: Bits,
    disabled: Bits,
}

impl Managed {
    #[cfg(test)]
    fn state(&self, row: usize) -> u8 {
        if self.enabled.get(row) {
            1
        } else if self.disabled.get(row) {
            2
        } else {
            0
        }
    }
}

impl StageResult {
    /// The action for user `row`.
    pub fn action(&self, row: usize) -> Action {
        let a = &self.actions;
        if a.create.get(row) {
            Action::Create
        } else if a.update.get(row) {
            Action::Update
        } else if a.disable.get(row) {
            Action::Disable
        } else if a.skip.get(row) {
            Action::Skip
        } else {
            Action::None
        }
    }

    /// Why that action: the action table retraced for this one user.
    pub fn why(&self, row: usize) -> Why {
        let i = &self.inputs;
        let cand = i
            .candidacy
            .get(row)
            .copied()
            .map_or(Candidacy::NotAssigned, Candidacy::from_u8);
        let state = self.state_before(row);
        decide(
            state,
            cand,
            i.scoping.get(row),
            i.input.get(row),
            i.provisionable.get(row),
            i.skip_setting,
        )
        .1
    }

    fn state_before(&self, row: usize) -> u8 {
        if self.inputs.enabled_before.get(row) {
            1
        } else if self.inputs.disabled_before.get(row) {
            2
        } else {
            0
        }
    }

    /// Whether the service managed user `row`'s account before this cycle: `None` if
    /// not, `Some(true)` if it was enabled in the target, `Some(false)` if disabled.
    pub fn managed_before(&self, row: usize) -> Option<bool> {
        match self.state_before(row) {
            1 => Some(true),
            2 => Some(false),
            _ => None,
        }
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
    candidacy: Arc<[u8]>,
    /// Users managed before the first stage (from a target-state export).
    pub managed_at_start: usize,
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
    /// Warnings (S25 null accountEnabled, unknown principals, thresholds, ...).
    pub warnings: Vec<Diagnostic>,
}

impl Rollout {
    /// True when any stage is held by a deletion threshold.
    pub fn any_held(&self) -> bool {
        self.apps.iter().flat_map(|a| &a.stages).any(|s| s.held)
    }
}

/// Case-insensitive lookup of users by objectId or userPrincipalName.
#[derive(Debug, Clone, Default)]
pub struct IdIndex {
    map: HashMap<String, usize>,
}

impl IdIndex {
    /// The user with this objectId or UPN (ASCII case ignored).
    pub fn get(&self, id: &str) -> Option<usize> {
        self.map.get(&id.to_ascii_lowercase()).copied()
    }
}

/// What the rollout needs to know of each user besides the filters: whether it is active
/// (S25), and the rows of the ids that the assignment and target-state files name.
#[derive(Debug, Clone)]
pub struct UserFacts {
    /// Active users (S25).
    pub active: Bits,
    /// Users whose `accountEnabled` is null (counted as active).
    pub null_enabled: usize,
    /// Users whose `accountEnabled` is neither true nor false (counted as active).
    pub unreadable_enabled: usize,
    /// The export has an `accountEnabled` column at all.
    pub has_enabled_column: bool,
    /// Rows by objectId and UPN, for the ids that matter.
    pub index: IdIndex,
}

/// The columns [`UserFacts`] read, resolved once.
#[derive(Debug, Clone)]
pub struct FactColumns {
    enabled: Option<usize>,
    deleted: Option<usize>,
    ids: Vec<usize>,
    wanted: HashSet<String>,
}

impl FactColumns {
    /// True when the export has an `accountEnabled` column.
    pub fn has_enabled(&self) -> bool {
        self.enabled.is_some()
    }

    /// Resolves the columns against a directory (or its schema) for the ids `inputs` name.
    pub fn new(dir: &Directory, inputs: RolloutInputs<'_>) -> FactColumns {
        FactColumns {
            enabled: dir.column("accountEnabled"),
            deleted: dir.column("IsSoftDeleted"),
            ids: ["objectId", "userPrincipalName"]
                .iter()
                .filter_map(|c| dir.column(c))
                .collect(),
            wanted: wanted_ids(inputs),
        }
    }
}

/// [`UserFacts`] of one row group, rows local to it.
#[derive(Debug, Clone)]
pub struct ChunkFacts {
    active: Bits,
    null_enabled: usize,
    unreadable_enabled: usize,
    ids: Vec<(String, usize)>,
}

/// Reads activity (S25: `accountEnabled` true, or null with a warning, and not
/// `IsSoftDeleted`) and the wanted ids of one row group.
pub fn chunk_facts(chunk: &crate::directory::Chunk, cols: &FactColumns) -> ChunkFacts {
    let n = chunk.len();
    let mut f = ChunkFacts {
        active: Bits::ones(n),
        null_enabled: 0,
        unreadable_enabled: 0,
        ids: Vec::new(),
    };
    match cols.enabled.and_then(|c| chunk.text(c)) {
        Some(col) => {
            for (i, v) in col.iter().enumerate() {
                match v.map(parse_bool) {
                    Some(Some(true)) => {}
                    Some(Some(false)) => f.active.set(i, false),
                    Some(None) => f.unreadable_enabled += 1,
                    None => f.null_enabled += 1,
                }
            }
        }
        None => f.null_enabled += n,
    }
    if let Some(col) = cols.deleted.and_then(|c| chunk.text(c)) {
        for (i, v) in col.iter().enumerate() {
            if v.and_then(parse_bool) == Some(true) {
                f.active.set(i, false);
            }
        }
    }
    if !cols.wanted.is_empty() {
        let mut buf = String::new();
        for &c in &cols.ids {
            let Some(t) = chunk.text(c) else { continue };
            for (i, v) in t.iter().enumerate() {
                let Some(v) = v else { continue };
                buf.clear();
                buf.push_str(v);
                buf.make_ascii_lowercase();
                if cols.wanted.contains(buf.as_str()) {
                    f.ids.push((buf.clone(), i));
                }
            }
        }
    }
    f
}

impl UserFacts {
    /// Reads the facts of every user of a directory.
    pub fn from_directory(dir: &Directory, inputs: RolloutInputs<'_>) -> UserFacts {
        let cols = FactColumns::new(dir, inputs);
        let parts: Vec<(usize, ChunkFacts)> = dir
            .chunks()
            .map(|(start, c)| (start, chunk_facts(c, &cols)))
            .collect();
        UserFacts::assemble(
            dir.len(),
            cols.enabled.is_some(),
            parts.iter().map(|(s, f)| (*s, f)),
        )
    }

    /// Puts row-group facts (`(first row, facts)`, in row order) together.
    pub fn assemble<'f>(
        n: usize,
        has_enabled_column: bool,
        parts: impl IntoIterator<Item = (usize, &'f ChunkFacts)>,
    ) -> UserFacts {
        let mut active = Bits::zeros(n);
        let mut facts = UserFacts {
            active: Bits::default(),
            null_enabled: 0,
            unreadable_enabled: 0,
            has_enabled_column,
            index: IdIndex::default(),
        };
        for (start, f) in parts {
            active.copy_from(&f.active, start);
            facts.null_enabled += f.null_enabled;
            facts.unreadable_enabled += f.unreadable_enabled;
            for (key, local) in &f.ids {
                facts.index.map.entry(key.clone()).or_insert(start + local);
            }
        }
        facts.active = active;
        facts
    }
}

/// The ids (lowercased) that assignments, group memberships and target states name:
/// only those are indexed, so memory follows the assignment files, not the directory.
pub fn wanted_ids(inputs: RolloutInputs<'_>) -> HashSet<String> {
    let mut wanted: HashSet<String> = HashSet::new();
    if let Some(a) = inputs.assignments {
        wanted.extend(
            a.items
                .iter()
                .filter(|x| x.principal_type == PrincipalType::User)
                .map(|x| x.principal_id.to_ascii_lowercase()),
        );
        if let Some(g) = inputs.group_members {
            for x in a
                .items
                .iter()
                .filter(|x| x.principal_type == PrincipalType::Group)
            {
                collect_members(g, &x.principal_id, &mut wanted, &mut HashSet::new());
            }
        }
    }
    for ts in inputs.target_states {
        wanted.extend(ts.accounts.iter().map(|a| a.key.to_ascii_lowercase()));
    }
    wanted
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
    let facts = UserFacts::from_directory(dir, inputs);
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
    if !errors.is_empty() {
        return Err(Errors::from(errors));
    }

    let (active, null_enabled, unreadable_enabled) = (
        facts.active.clone(),
        facts.null_enabled,
        facts.unreadable_enabled,
    );
    if !facts.has_enabled_column && n > 0 {
        warnings.push(
            Diagnostic::warning(Code::NoAccountEnabled, "the directory export has no `accountEnabled` column: every user is treated as active")
                .with_rule("S25")
                .with_help("export `accountEnabled` (Graph `$select=accountEnabled`, Get-MgUser `-Property AccountEnabled`) to see disabled users"),
        );
    } else if null_enabled > 0 {
        warnings.push(
            Diagnostic::warning(Code::NullAccountEnabled, format!("{} no `accountEnabled` value and {} treated as active", crate::diag::count(null_enabled as u64, "user has", "users have"), if null_enabled == 1 { "is" } else { "are" }))
                .with_rule("S25")
                .with_help("Entra's behaviour for a missing accountEnabled is undocumented; scopesim assumes active"),
        );
    }
    if unreadable_enabled > 0 {
        warnings.push(
            Diagnostic::warning(
                Code::UnreadableAccountEnabled,
                format!("{} an `accountEnabled` value that is neither true nor false and {} treated as active", crate::diag::count(unreadable_enabled as u64, "user has", "users have"), if unreadable_enabled == 1 { "is" } else { "are" }),
            )
            .with_rule("S4"),
        );
    }

    let index = &facts.index;

    let mut apps = Vec::new();
    for (ai, app) in rules.apps.iter().enumerate() {
        let name = app.name.node.clone();
        let (candidacy, assigned_count, unknown) =
            candidates(app.scope_mode(), &name, n, index, inputs);
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
                warnings.push(
                    Diagnostic::warning(Code::AppNotAssigned, format!("the assignments name no principal for app `{name}`, so it has no candidates"))
                        .with_rule("S24")
                        .with_label(app.source, app.name.span, "")
                        .with_help(format!(
                            "apps in the assignments: {listed}; names must match exactly (a Graph schema file used as rules names its app after the file)"
                        )),
                );
            }
        }
        if !unknown.is_empty() {
            let examples: Vec<String> = unknown.iter().take(3).map(|u| format!("`{u}`")).collect();
            warnings.push(
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
        // Managed state: 0 unmanaged, 1 managed and enabled, 2 managed and disabled.
        let mut state = Managed {
            enabled: Bits::zeros(n),
            disabled: Bits::zeros(n),
        };
        let mut orphans = Vec::new();
        let mut managed_at_start = 0;
        for ts in inputs.target_states.iter().filter(|t| t.app == name) {
            for acc in &ts.accounts {
                match index.get(&acc.key) {
                    Some(row) => {
                        let disabled = acc.active == Some(false);
                        state.enabled.set(row, !disabled);
                        state.disabled.set(row, disabled);
                        managed_at_start += 1;
                    }
                    None => orphans.push(Orphan {
                        key: acc.key.clone(),
                        line: acc.line,
                    }),
                }
            }
        }
        let mut candidate_bits = Bits::zeros(n);
        let mut nested_bits = Bits::zeros(n);
        for (u, &c) in candidacy.iter().enumerate() {
            match Candidacy::from_u8(c) {
                Candidacy::NestedOnly => nested_bits.set(u, true),
                c if c.is_candidate() => candidate_bits.set(u, true),
                _ => {}
            }
        }
        let candidacy: Arc<[u8]> = Arc::from(candidacy);
        let candidates_count = candidate_bits.count();
        let mut orphan_pending = vec![true; orphans.len()];
        let mut stages = Vec::new();
        for (sid, s) in plan.stages_of(ai) {
            let scoping = outcomes.scoping(sid);
            let input = outcomes.input(sid);
            let mut in_scope_users = candidate_bits.clone();
            in_scope_users.and_with(scoping);
            in_scope_users.and_with(input);
            let mut provisionable = in_scope_users.clone();
            provisionable.and_with(&active);
            let skip_setting = app.skip_deletions();
            let (actions, mut next) = cycle(
                &state,
                &candidate_bits,
                &nested_bits,
                scoping,
                input,
                &provisionable,
                skip_setting,
            );
            let mut counts = Counts {
                create: actions.create.count(),
                update: actions.update.count(),
                disable: actions.disable.count(),
                delete: 0,
                skip: actions.skip.count(),
            };
            let mut orphan_actions = Vec::with_capacity(orphans.len());
            for (i, _) in orphans.iter().enumerate() {
                let a = if !orphan_pending[i] {
                    (Action::None, Why::HardDeleted)
                } else if app.delete_flow_on() {
                    (Action::Delete, Why::HardDeleted)
                } else {
                    (Action::Skip, Why::DeleteFlowOff)
                };
                counts.add(a.0);
                orphan_actions.push(a);
            }
            let deprovisions = counts.disable + counts.delete;
            let held =
                app.deletion_threshold
                    .as_ref()
                    .is_some_and(|t| match options.threshold_boundary {
                        ThresholdBoundary::Gt => deprovisions as u64 > t.node,
                        ThresholdBoundary::Ge => deprovisions as u64 >= t.node,
                    });
            if held {
                // Entra quarantines the job (TooManyDeletes): disables and deletes wait for
                // an admin; creates and updates go through.
                next = held_cycle(&state, &provisionable);
                let t = app.deletion_threshold.as_ref().map_or(0, |t| t.node);
                warnings.push(
                    Diagnostic::warning(
                        Code::DeletionThreshold,
                        format!(
                            "stage `{}` of `{name}` would disable or delete {deprovisions} accounts, over the threshold of {t}: Entra would hold them and quarantine the job (TooManyDeletes)",
                            s.name
                        ),
                    )
                    .with_rule("S27")
                    .with_help("an admin must allow the deletes (Allow deletes, or restart with `ForceDeletes`); review the report before you save this filter"),
                );
            } else {
                for (i, (a, _)) in orphan_actions.iter().enumerate() {
                    if *a == Action::Delete {
                        orphan_pending[i] = false;
                    }
                }
            }
            let groups = inputs.group_members.map_or(0, GroupMembers::len);
            let estimate = estimate::estimate(app.scope_mode(), assigned_count, n, groups);
            let before = std::mem::replace(&mut state, next);
            stages.push(StageResult {
                stage: sid,
                app: name.clone(),
                name: s.name.clone(),
                candidates: candidates_count,
                in_scope: in_scope_users.count(),
                counts,
                held,
                estimate,
                in_scope_users,
                actions,
                inputs: StageInputs {
                    candidacy: candidacy.clone(),
                    scoping: scoping.clone(),
                    input: input.clone(),
                    provisionable,
                    enabled_before: before.enabled,
                    disabled_before: before.disabled,
                    skip_setting,
                },
                orphan_actions,
            });
        }
        apps.push(AppResult {
            name,
            index: ai,
            scope: app.scope_mode(),
            skip_out_of_scope_deletions: app.skip_deletions(),
            deletion_threshold: app.deletion_threshold.as_ref().map(|t| t.node),
            candidacy,
            managed_at_start,
            orphans,
            stages,
        });
    }
    Ok(Rollout {
        apps,
        active,
        warnings,
    })
}

/// One cycle of the action table for all users at once, as word-wide bit operations
/// (C candidates, N nested-group-only members, S scoping, I input filters, P
/// provisionable, E/D managed and enabled/disabled before the cycle, K
/// SkipOutOfScopeDeletions). Returns the users by action and the managed state after the
/// cycle. [`decide`] is the same table for one user; a test checks they agree.
fn cycle(
    state: &Managed,
    c: &Bits,
    nested: &Bits,
    s: &Bits,
    i: &Bits,
    p: &Bits,
    k: bool,
) -> (ActionBits, Managed) {
    let (e, d) = (&state.enabled, &state.disabled);
    let mut m = e.clone();
    m.or_with(d);
    // create = P & !M; update = P & M
    let mut create = p.clone();
    create.and_not_with(&m);
    let mut update = p.clone();
    update.and_with(&m);
    // managed and not provisionable
    let mut rest = m.clone();
    rest.and_not_with(p);
    // failing an input filter while a candidate: kept (S23)
    let mut c_not_i = c.clone();
    c_not_i.and_not_with(i);
    let mut input_keep = rest.clone();
    input_keep.and_with(&c_not_i);
    rest.and_not_with(&c_not_i);
    // out of scope: not a candidate, or no scoping filter matches
    let mut in_scope_filters = c.clone();
    in_scope_filters.and_with(s);
    let mut out = rest.clone();
    out.and_not_with(&in_scope_filters);
    // in scope but inactive
    let mut inactive = rest;
    inactive.and_not_with(&out);
    let mut disable = inactive.clone();
    disable.and_with(e);
    let mut skip = input_keep;
    let mut inactive_already = inactive;
    inactive_already.and_with(d);
    skip.or_with(&inactive_already);
    if k {
        skip.or_with(&out);
    } else {
        let mut out_enabled = out.clone();
        out_enabled.and_with(e);
        disable.or_with(&out_enabled);
        let mut out_disabled = out;
        out_disabled.and_with(d);
        skip.or_with(&out_disabled);
    }
    // unmanaged candidates and nested-group members that are not provisionable
    let mut evaluated = c.clone();
    evaluated.or_with(nested);
    evaluated.and_not_with(&m);
    evaluated.and_not_with(p);
    skip.or_with(&evaluated);
    // state after: provisionable -> enabled; disabled by filter or activity -> disabled;
    // disabled because unassigned -> no longer managed (HPW)
    let mut enabled = e.clone();
    enabled.and_not_with(&disable);
    enabled.or_with(p);
    let mut disabled = d.clone();
    disabled.and_not_with(p);
    let mut disabled_candidates = disable.clone();
    disabled_candidates.and_with(c);
    disabled.or_with(&disabled_candidates);
    (
        ActionBits {
            create,
            update,
            disable,
            skip,
        },
        Managed { enabled, disabled },
    )
}

/// The state after a held cycle: creates and updates happened, disables did not (S27).
fn held_cycle(state: &Managed, p: &Bits) -> Managed {
    let mut enabled = state.enabled.clone();
    enabled.or_with(p);
    let mut disabled = state.disabled.clone();
    disabled.and_not_with(p);
    Managed { enabled, disabled }
}

/// The action table of the spec, for one user at one stage.
/// Returns (action, reason, managed state after the cycle).
fn decide(
    state: u8,
    cand: Candidacy,
    pass_scope: bool,
    pass_input: bool,
    provisionable: bool,
    skip_setting: bool,
) -> (Action, Why, u8) {
    let managed = state != 0;
    if !managed {
        if provisionable {
            return (Action::Create, Why::Provisionable, 1);
        }
        return match cand {
            Candidacy::NotAssigned => (Action::None, Why::NotAssigned, 0),
            Candidacy::NestedOnly => (Action::Skip, Why::NestedOnly, 0),
            _ if !pass_input => (Action::Skip, Why::InputFilter, 0),
            _ if !pass_scope => (Action::Skip, Why::NotInScope, 0),
            _ => (Action::Skip, Why::InactiveNotCreated, 0),
        };
    }
    if provisionable {
        let why = if state == 2 {
            Why::ReEnabled
        } else {
            Why::Provisionable
        };
        return (Action::Update, why, 1);
    }
    if cand.is_candidate() && !pass_input {
        // S23: failing an input filter never deprovisions.
        return (Action::Skip, Why::InputFilter, state);
    }
    let out_of_scope = !cand.is_candidate() || !pass_scope;
    if out_of_scope {
        if skip_setting {
            return (Action::Skip, Why::KeptBySkipSetting, state);
        }
        if state == 2 {
            return (Action::Skip, Why::AlreadyDisabled, state);
        }
        if !cand.is_candidate() {
            // Once unassigned and disabled, the service stops managing the account (HPW).
            return (Action::Disable, Why::Unassigned, 0);
        }
        return (Action::Disable, Why::FilterFailed, 2);
    }
    // In scope but inactive: disabled even under SkipOutOfScopeDeletions.
    if state == 2 {
        return (Action::Skip, Why::AlreadyDisabled, state);
    }
    (Action::Disable, Why::Inactive, 2)
}

/// Every member id reachable from a group (directly and through nested groups), lowercased.
fn collect_members(
    g: &GroupMembers,
    group: &str,
    out: &mut HashSet<String>,
    seen: &mut HashSet<String>,
) {
    if !seen.insert(group.to_ascii_lowercase()) {
        return;
    }
    for m in g.direct_members(group) {
        match m.kind {
            PrincipalType::User => {
                out.insert(m.id.to_ascii_lowercase());
            }
            PrincipalType::Group => collect_members(g, &m.id, out, seen),
        }
    }
}

/// Candidacy of every user for one app, the size of the assignment for the estimate
/// (assigned users + groups + group members, S28), and assigned ids not found.
fn candidates(
    scope: ScopeMode,
    app: &str,
    n: usize,
    index: &IdIndex,
    inputs: RolloutInputs<'_>,
) -> (Vec<u8>, usize, Vec<String>) {
    if scope == ScopeMode::All {
        return (vec![Candidacy::SyncAll as u8; n], n, Vec::new());
    }
    let mut cand = vec![Candidacy::NotAssigned as u8; n];
    let mut unknown = Vec::new();
    let mut size = 0;
    let Some(assignments) = inputs.assignments else {
        return (cand, 0, unknown);
    };
    let mine: Vec<_> = assignments.items.iter().filter(|a| a.app == app).collect();
    let mut set = |row: usize, c: Candidacy| {
        let cur = Candidacy::from_u8(cand[row]);
        let rank = |c: Candidacy| match c {
            Candidacy::Direct => 4,
            Candidacy::ViaGroup => 3,
            Candidacy::NestedOnly => 2,
            _ => 1,
        };
        if rank(c) > rank(cur) {
            cand[row] = c as u8;
        }
    };
    for a in &mine {
        size += 1;
        match a.principal_type {
            PrincipalType::User => match index.get(&a.principal_id) {
                Some(row) => set(row, Candidacy::Direct),
                None => unknown.push(a.principal_id.clone()),
            },
            PrincipalType::Group => {
                let Some(g) = inputs.group_members else {
                    continue;
                };
                for m in g.direct_members(&a.principal_id) {
                    size += 1;
                    match m.kind {
                        PrincipalType::User => {
                            if let Some(row) = index.get(&m.id) {
                                set(row, Candidacy::ViaGroup);
                            }
                        }
                        PrincipalType::Group => {
                            let mut nested = HashSet::new();
                            collect_members(g, &m.id, &mut nested, &mut HashSet::new());
                            for id in nested {
                                if let Some(row) = index.get(&id) {
                                    set(row, Candidacy::NestedOnly);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    (cand, size, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decide_follows_the_action_table() {
        use Candidacy::*;
        // no | provisionable | create
        assert_eq!(
            decide(0, Direct, true, true, true, false),
            (Action::Create, Why::Provisionable, 1)
        );
        // yes | provisionable | update (re-enabled if disabled)
        assert_eq!(
            decide(1, Direct, true, true, true, false),
            (Action::Update, Why::Provisionable, 1)
        );
        assert_eq!(
            decide(2, ViaGroup, true, true, true, false),
            (Action::Update, Why::ReEnabled, 1)
        );
        // yes | filter fails | disable, or kept with SkipOutOfScopeDeletions
        assert_eq!(
            decide(1, Direct, false, true, false, false),
            (Action::Disable, Why::FilterFailed, 2)
        );
        assert_eq!(
            decide(1, Direct, false, true, false, true),
            (Action::Skip, Why::KeptBySkipSetting, 1)
        );
        // yes | unassigned | disable, no longer managed
        assert_eq!(
            decide(1, NotAssigned, true, true, false, false),
            (Action::Disable, Why::Unassigned, 0)
        );
        // yes | in scope but inactive | disable even with SkipOutOfScopeDeletions
        assert_eq!(
            decide(1, Direct, true, true, false, true),
            (Action::Disable, Why::Inactive, 2)
        );
        // no | not provisionable | skip with the reason
        assert_eq!(
            decide(0, Direct, false, true, false, false),
            (Action::Skip, Why::NotInScope, 0)
        );
        assert_eq!(
            decide(0, Direct, true, true, false, false),
            (Action::Skip, Why::InactiveNotCreated, 0)
        );
        assert_eq!(
            decide(0, NestedOnly, true, true, false, false),
            (Action::Skip, Why::NestedOnly, 0)
        );
        assert_eq!(
            decide(0, NotAssigned, true, true, false, false),
            (Action::None, Why::NotAssigned, 0)
        );
        // S23: input filter failures are skipped, never deprovisioned
        assert_eq!(
            decide(1, Direct, true, false, false, false),
            (Action::Skip, Why::InputFilter, 1)
        );
        // already disabled: nothing more to do
        assert_eq!(
            decide(2, Direct, false, true, false, false),
            (Action::Skip, Why::AlreadyDisabled, 2)
        );
    }

    /// (candidacy code, passes scoping, passes input, active, managed state).
    type TestUser = (u8, bool, bool, bool, u8);

    proptest::proptest! {
        /// The word-wide cycle and the per-user table agree on every action and state.
        #[test]
        fn cycle_agrees_with_decide_for_every_user(
            users in proptest::collection::vec((0u8..5, proptest::bool::ANY, proptest::bool::ANY, proptest::bool::ANY, 0u8..3), 0..300),
            skip_setting in proptest::bool::ANY,
        ) {
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
            let state = Managed { enabled: bits(&|u| u.4 == 1), disabled: bits(&|u| u.4 == 2) };
            let (actions, next) = cycle(&state, &c, &nested, &s, &i, &p, skip_setting);
            for (row, u) in users.iter().enumerate() {
                let (action, _, st) = decide(u.4, cand(u.0), u.1, u.2, p.get(row), skip_setting);
                let got = if actions.create.get(row) { Action::Create } else if actions.update.get(row) { Action::Update }
                    else if actions.disable.get(row) { Action::Disable } else if actions.skip.get(row) { Action::Skip } else { Action::None };
                proptest::prop_assert_eq!(got, action, "user {:?}", u);
                proptest::prop_assert_eq!(next.state(row), st, "user {:?}", u);
                let exclusive = [&actions.create, &actions.update, &actions.disable, &actions.skip].iter().filter(|b| b.get(row)).count();
                proptest::prop_assert!(exclusive <= 1);
            }
        }
    }
}
