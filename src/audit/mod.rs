//! The least-privilege audit: who has an account in an app that the rules would not give
//! them, and will Entra ever take it away? (S24–S27, S31, S32.)
//!
//! A rollout plan asks "whom will Entra provision"; an access review asks the reverse, of
//! the accounts that already exist. This module answers it from a finished
//! [`pipeline::Run`](crate::pipeline::Run): for each app and one stage (the last unless
//! asked), every account of the target state that the rules do not provision gets one
//! class, a reason in words, the user it belongs to (if any) and the last stage in which
//! that user was in scope; the users in scope with no account yet are listed beside them.
//!
//! An account is *provisioned by the rules* (and not listed) when it is the account Entra
//! keeps or would match for one user (S31, S32) and that user is in scope and active at the
//! stage (S26). Every other account gets the first class of this precedence that
//! describes it, so each has exactly one:
//!
//! 1. **held**: Entra disables or deletes it in this stage's cycle, but the stage passes
//!    the deletion threshold (S27), so it waits for an admin;
//! 2. **will_remove**: Entra takes its access away by itself: it disables or deletes it in
//!    this cycle, disabled or deleted it in an earlier stage's cycle, or it is a managed
//!    account already disabled in the app that Entra keeps disabled [decision: a disabled
//!    account under Entra's management grants nothing, and Entra re-enables it only if the
//!    rules bring its user back];
//! 3. **orphan**: no directory user has it (a leaver, a test, a service account): a
//!    pre-existing account no user matches, or a managed one whose user is gone and that
//!    Entra does not delete (the Delete flow is off, S33);
//! 4. **enabled_but_disabled**: active in the app while its user is not active in Entra
//!    (S25), and Entra will not disable it (the account is not managed, or
//!    SkipOutOfScopeDeletions, an input filter or the flow settings keep it);
//! 5. **kept**: managed by Entra, not provisioned by the rules, and left active
//!    (SkipOutOfScopeDeletions, an input filter (S23), the Delete flow off or the mapping
//!    disabled, S33);
//! 6. **unmanaged**: pre-existing, never created or matched by Entra (S31): never disabled
//!    or deleted, so someone must clean it up by hand (this includes accounts whose
//!    matching fails, S32, and second accounts of a user).
//!
//! The reverse gap, **to_create**, is users in scope and active with no account before the
//! stage's cycle (the rollout's own account states: users created by an earlier stage have
//! one). Classes 1 and 3–6 are what Entra will not fix by itself; `scopesim audit` exits 1
//! when any account is in one of them.
//!
//! The rollout keeps a state per user; the audit needs one per account, so it reads the
//! rollout's per-account view ([`Matching::accounts`](crate::rollout::Matching::accounts))
//! and retraces each account's user through the stages up to the chosen one.

pub mod html;
pub mod output;
pub mod render;

use crate::diag::{Code, Diagnostic, Errors, FileLocation};
use crate::directory::assignments::{TargetAccount, TargetState};
use crate::directory::{Directory, Progress};
use crate::eval::Bits;
use crate::pipeline::{Columns, Inputs, Run, Simulation};
use crate::rollout::reason::{PRE_EXISTING, Reasons, inactive_reason};
use crate::rollout::{
    AccountOwner, AccountState, Action, AppResult, MatchFailure, StageResult, Why,
};
use serde::Serialize;

/// Directory attributes the audit breaks its classes down by, when present.
pub const GROUP_BY: [&str; 2] = ["department", "companyName"];

/// Why an account that the rules do not provision is there, and what Entra does about it.
/// The variants are in precedence order (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Its disable or delete is held by the deletion threshold (S27).
    Held,
    /// Entra disables or deletes it by itself (or already has).
    WillRemove,
    /// No directory user has it.
    Orphan,
    /// Active in the app, its user disabled in Entra, and Entra will not disable it.
    EnabledButDisabled,
    /// Managed, not provisioned, and kept active (SkipOutOfScopeDeletions and the like).
    Kept,
    /// Pre-existing: never created or matched by Entra (S31).
    Unmanaged,
    /// A user in scope and active with no account yet (the reverse gap).
    ToCreate,
}

impl Class {
    /// Every class, in precedence order (to_create last).
    pub const ALL: [Class; 7] = [
        Class::Held,
        Class::WillRemove,
        Class::Orphan,
        Class::EnabledButDisabled,
        Class::Kept,
        Class::Unmanaged,
        Class::ToCreate,
    ];

    /// The name used in JSON, CSV and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Held => "held",
            Class::WillRemove => "will_remove",
            Class::Orphan => "orphan",
            Class::EnabledButDisabled => "enabled_but_disabled",
            Class::Kept => "kept",
            Class::Unmanaged => "unmanaged",
            Class::ToCreate => "to_create",
        }
    }

    /// A heading for people.
    pub fn label(self) -> &'static str {
        match self {
            Class::Held => "Held",
            Class::WillRemove => "Will remove",
            Class::Orphan => "Orphan",
            Class::EnabledButDisabled => "Enabled, user disabled",
            Class::Kept => "Kept",
            Class::Unmanaged => "Unmanaged",
            Class::ToCreate => "To create",
        }
    }

    /// True for the classes Entra will not fix by itself (the audit fails on them).
    pub fn needs_review(self) -> bool {
        !matches!(self, Class::WillRemove | Class::ToCreate)
    }
}

/// Accounts per class, in the order of the JSON document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ClassCounts {
    /// Pre-existing accounts Entra never touches.
    pub unmanaged: usize,
    /// Managed accounts kept active out of scope.
    pub kept: usize,
    /// Accounts without a directory user.
    pub orphan: usize,
    /// Disables and deletes held by the threshold.
    pub held: usize,
    /// Accounts Entra disables or deletes by itself.
    pub will_remove: usize,
    /// Active accounts of users disabled in Entra, which Entra will not disable.
    pub enabled_but_disabled: usize,
    /// Users in scope with no account yet.
    pub to_create: usize,
}

impl ClassCounts {
    /// The count of one class.
    pub fn get(&self, c: Class) -> usize {
        match c {
            Class::Unmanaged => self.unmanaged,
            Class::Kept => self.kept,
            Class::Orphan => self.orphan,
            Class::Held => self.held,
            Class::WillRemove => self.will_remove,
            Class::EnabledButDisabled => self.enabled_but_disabled,
            Class::ToCreate => self.to_create,
        }
    }

    fn add(&mut self, c: Class) {
        let n = match c {
            Class::Unmanaged => &mut self.unmanaged,
            Class::Kept => &mut self.kept,
            Class::Orphan => &mut self.orphan,
            Class::Held => &mut self.held,
            Class::WillRemove => &mut self.will_remove,
            Class::EnabledButDisabled => &mut self.enabled_but_disabled,
            Class::ToCreate => &mut self.to_create,
        };
        *n += 1;
    }

    /// Accounts in the classes Entra will not fix by itself.
    pub fn needing_review(&self) -> usize {
        Class::ALL
            .iter()
            .filter(|c| c.needs_review())
            .map(|&c| self.get(c))
            .sum()
    }
}

/// Whether Entra removes an account's access in a cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// No.
    No,
    /// It disables or deletes the account in this stage's cycle.
    Now,
    /// It disabled or deleted the account in an earlier stage's cycle, and it stays so.
    Earlier,
}

/// What the audit knows of one account at the chosen stage: the inputs of [`classify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The account is the one Entra keeps, or would match, for exactly one user.
    pub owned: bool,
    /// Some directory user has it (one, or several whose matching fails).
    pub has_user: bool,
    /// Its (one) user is in scope and active at the stage (S26).
    pub provisionable: bool,
    /// Entra manages it before the stage's cycle (S31).
    pub managed: bool,
    /// Whether Entra removes it.
    pub removal: Removal,
    /// The stage passes the deletion threshold (S27).
    pub held: bool,
    /// Active in the app after the stage's cycle.
    pub active: bool,
    /// Its users are not active in Entra (S25).
    pub user_inactive: bool,
}

/// The class of an account, or `None` when the rules provision it (see the module
/// documentation for the precedence).
pub fn classify(f: &Facts) -> Option<Class> {
    if f.owned && f.provisionable {
        return None;
    }
    Some(match f.removal {
        Removal::Now if f.held => Class::Held,
        Removal::Now | Removal::Earlier => Class::WillRemove,
        Removal::No if f.managed && !f.active => Class::WillRemove,
        Removal::No if !f.has_user => Class::Orphan,
        Removal::No if f.has_user && f.active && f.user_inactive => Class::EnabledButDisabled,
        Removal::No if f.managed => Class::Kept,
        Removal::No => Class::Unmanaged,
    })
}

/// One account of the audit (or, for `to_create`, one user without an account).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditedAccount {
    /// How the account is shown (its userName, UPN or externalId); for `to_create`, the
    /// user's userPrincipalName (or objectId).
    pub key: String,
    /// The objectId of its user, when it has exactly one.
    #[serde(rename = "objectId")]
    pub object_id: Option<String>,
    /// The class.
    pub class: Class,
    /// Why, in words.
    pub reason: String,
    /// The userPrincipalName of its user, when it has exactly one.
    #[serde(rename = "userPrincipalName")]
    pub user: Option<String>,
    /// The last stage, up to the chosen one, in which its user was in scope.
    pub last_in_scope_stage: Option<String>,
    /// Active in the app after the stage's cycle (`None` for users without an account).
    pub active_in_app: Option<bool>,
    /// The target-state file (`None` for users without an account).
    pub file: Option<String>,
    /// Its line in that file.
    pub line: Option<u64>,
    /// The user's department (or the account's, for accounts without a user).
    pub department: Option<String>,
    /// The user's companyName (or the account's).
    #[serde(rename = "companyName")]
    pub company: Option<String>,
}

/// The audit of one app at one stage.
#[derive(Debug, Clone, Serialize)]
pub struct AppAudit {
    /// App name.
    pub app: String,
    /// The stage audited.
    pub stage: String,
    /// The stages simulated before it, in order.
    pub after_stages: Vec<String>,
    /// Accounts in the app's target states.
    pub target_accounts: usize,
    /// Of those, accounts the rules provision at the stage (not listed).
    pub provisioned: usize,
    /// The stage passes the deletion threshold (S27).
    pub held_stage: bool,
    /// Accounts per class.
    pub counts: ClassCounts,
    /// Every account not provisioned, in target-state order, then the users to create in
    /// directory order.
    pub accounts: Vec<AuditedAccount>,
}

/// Whether a breakdown attribute can be shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupAttribute {
    /// The attribute (`department`, `companyName`).
    pub name: String,
    /// The directory export has it.
    pub in_directory: bool,
}

/// The whole audit.
#[derive(Debug, Clone)]
pub struct Audit {
    /// Apps in rule order.
    pub apps: Vec<AppAudit>,
    /// The audit's own warnings (apps skipped, activity unknown).
    pub warnings: Vec<Diagnostic>,
    /// The breakdown attributes and whether the directory has them.
    pub group_by: Vec<GroupAttribute>,
}

impl Audit {
    /// Accounts, over every app, in the classes Entra will not fix by itself.
    pub fn needing_review(&self) -> usize {
        self.apps.iter().map(|a| a.counts.needing_review()).sum()
    }
}

/// Which app and stage to audit.
#[derive(Debug, Clone, Copy, Default)]
pub struct Selection<'a> {
    /// Only this app.
    pub app: Option<&'a str>,
    /// This stage (the last of each app when `None`).
    pub stage: Option<&'a str>,
}

/// The directory attributes an audit reads besides the rules' (the breakdown).
pub fn columns() -> Columns {
    Columns::Only(GROUP_BY.iter().map(|s| s.to_string()).collect())
}

/// A run and its audit.
#[derive(Debug)]
pub struct Audited {
    /// The simulation.
    pub run: Run,
    /// The audit of it.
    pub audit: Audit,
}

/// Runs the simulation with the columns the audit needs, and audits it.
pub fn run(
    sim: &Simulation<'_>,
    selection: Selection<'_>,
    progress: &dyn Progress,
) -> Result<Audited, Errors> {
    let run = sim.run(columns(), progress)?;
    let audit = audit(&run, sim.inputs, selection)?;
    Ok(Audited { run, audit })
}

/// Audits a finished run (which should keep [`GROUP_BY`] and the rules' attributes, see
/// [`columns`]). An app without a target state, or without the stage asked, is skipped
/// with a warning; none left is an error.
pub fn audit(run: &Run, inputs: &Inputs, selection: Selection<'_>) -> Result<Audit, Errors> {
    let mut warnings = Vec::new();
    let mut apps = Vec::new();
    let dir = &run.directory;
    let ctx = Ctx {
        dir,
        active: &run.evaluated.rollout.active,
        reasons: run.reasons(inputs),
        inputs,
        group_cols: GROUP_BY.map(|g| dir.column(g).or_else(|| dir.column_ignore_case(g))),
    };
    let mut considered = Vec::new();
    for app in &run.evaluated.rollout.apps {
        if selection.app.is_some_and(|n| n != app.name) {
            continue;
        }
        considered.push(app.name.as_str());
        let states: Vec<&TargetState> = inputs
            .target_states
            .iter()
            .filter(|t| t.app == app.name)
            .collect();
        if states.is_empty() {
            warnings.push(
                Diagnostic::warning(
                    Code::AuditAppSkipped,
                    format!("app `{}` has no `--target-state`: its accounts are unknown, so it is not audited", app.name),
                )
                .with_rule("S31")
                .with_help(format!("export the app's accounts and pass `--target-state {}=FILE`", app.name)),
            );
            continue;
        }
        let si = match selection.stage {
            None => app.stages.len().checked_sub(1),
            Some(name) => app.stages.iter().position(|s| s.name == name),
        };
        let Some(si) = si else {
            let names: Vec<String> = app.stages.iter().map(|s| format!("`{}`", s.name)).collect();
            warnings.push(
                Diagnostic::warning(
                    Code::AuditAppSkipped,
                    format!(
                        "app `{}` has no stage `{}`: not audited",
                        app.name,
                        selection.stage.unwrap_or_default()
                    ),
                )
                .with_help(format!("its stages: {}", names.join(", "))),
            );
            continue;
        };
        for ts in &states {
            if !ts.accounts.is_empty() && ts.column(ACTIVE_NAMES).is_none() {
                warnings.push(
                    Diagnostic::warning(
                        Code::AccountActivityUnknown,
                        format!(
                            "`{}` has no `active` column: its accounts are taken as active in `{}`",
                            ts.path(),
                            app.name
                        ),
                    )
                    .at(FileLocation::file(ts.path()).at_line(ts.header_line))
                    .with_rule("S31")
                    .with_help("export the account's status (SCIM `active`, Salesforce `IsActive`) so that disabled accounts are told apart"),
                );
            }
        }
        apps.push(audit_app(&ctx, app, si));
    }
    if apps.is_empty() {
        let mut e = vec![
            Diagnostic::error(
                Code::NothingToAudit,
                match (considered.as_slice(), selection.stage) {
                    ([one], None) => format!("nothing to audit: app `{one}` has no target state"),
                    (_, None) => "nothing to audit: no app selected has a target state".to_string(),
                    (_, Some(st)) => format!(
                        "nothing to audit: no app selected has both a target state and a stage `{st}`"
                    ),
                },
            )
            .with_rule("S31")
            .with_help("pass `--target-state APP=FILE` with the accounts the app already has (SCIM `GET /Users`, or the app's user export)"),
        ];
        e.extend(warnings);
        return Err(Errors::from(e));
    }
    let group_by = GROUP_BY
        .iter()
        .zip(ctx.group_cols)
        .map(|(g, c)| GroupAttribute {
            name: g.to_string(),
            in_directory: c.is_some(),
        })
        .collect();
    Ok(Audit {
        apps,
        warnings,
        group_by,
    })
}

/// Names of a target state's column that says whether an account is active (as the
/// target-state reader reads them).
const ACTIVE_NAMES: &[&str] = &["active", "accountEnabled", "IsActive"];

/// What every account of an audit reads.
struct Ctx<'a> {
    dir: &'a Directory,
    /// Users active in Entra (S25), as the rollout read them.
    active: &'a Bits,
    reasons: Reasons<'a>,
    inputs: &'a Inputs,
    group_cols: [Option<usize>; 2],
}

/// One account's user retraced through the stages before the chosen one.
#[derive(Debug, Clone, Copy)]
struct Trace {
    /// Active in the app before the chosen stage's cycle.
    active: bool,
    /// Entra managed it at some point (created, matched, or managed in the export).
    ever_managed: bool,
    /// The earlier stage whose cycle last disabled it (and it stayed disabled).
    disabled_at: Option<usize>,
    /// The last stage up to the chosen one in which the user was in scope.
    last_in_scope: Option<usize>,
}

fn trace(app: &AppResult, si: usize, row: usize, active: bool, managed: bool) -> Trace {
    let mut t = Trace {
        active,
        ever_managed: managed,
        disabled_at: None,
        last_in_scope: None,
    };
    for (j, s) in app.stages.iter().enumerate().take(si + 1) {
        if s.in_scope_users.get(row) {
            t.last_in_scope = Some(j);
        }
        if j == si {
            break;
        }
        match s.action(row) {
            Action::Update => {
                t.active = true;
                t.ever_managed = true;
                t.disabled_at = None;
            }
            // S27: a held stage's disables wait for an admin; the account stays as it was.
            Action::Disable if !s.held => {
                t.active = false;
                t.disabled_at = Some(j);
            }
            _ => {}
        }
    }
    t
}

/// The user's reason at the stage, without the rollout's note on pre-existing accounts
/// (the audit's own reason says it).
fn user_reason(ctx: &Ctx<'_>, app: &AppResult, s: &StageResult, row: usize) -> String {
    let mut r = ctx.reasons.reason(app, s, row);
    let suffix = format!("; its account {PRE_EXISTING}");
    if r.ends_with(&suffix) {
        r.truncate(r.len() - suffix.len());
    }
    r
}

/// `anna@contoso.com` (or the objectId, or `row N`).
fn user_name(dir: &Directory, row: usize) -> String {
    dir.value_by_name(row, "userPrincipalName")
        .or_else(|| dir.value_by_name(row, "objectId"))
        .map_or_else(|| format!("row {}", row + 1), str::to_string)
}

fn threshold_note(app: &AppResult, s: &StageResult) -> String {
    format!(
        "the stage's {} disables and deletes pass the deletion threshold of {} (S27): held until an admin allows them",
        s.deprovisions(),
        app.deletion_threshold.unwrap_or(0)
    )
}

fn audit_app(ctx: &Ctx<'_>, app: &AppResult, si: usize) -> AppAudit {
    let stage_name = |j: usize| app.stages.get(j).map(|s| s.name.clone());
    let mut out = AppAudit {
        app: app.name.clone(),
        stage: stage_name(si).unwrap_or_default(),
        after_stages: app.stages.iter().take(si).map(|s| s.name.clone()).collect(),
        target_accounts: 0,
        provisioned: 0,
        held_stage: false,
        counts: ClassCounts::default(),
        accounts: Vec::new(),
    };
    let Some(s) = app.stages.get(si) else {
        return out;
    };
    out.held_stage = s.held;
    for link in app.matching.accounts() {
        let Some(ts) = ctx.inputs.target_states.get(link.state) else {
            continue;
        };
        let Some(acc) = ts.accounts.get(link.index) else {
            continue;
        };
        out.target_accounts += 1;
        let a = account(ctx, app, si, s, ts, acc, &link.owner, link.orphan);
        match a {
            Some(a) => {
                out.counts.add(a.class);
                out.accounts.push(a);
            }
            None => out.provisioned += 1,
        }
    }
    // The reverse gap: in scope and active, no account before this cycle.
    for row in 0..ctx.dir.len() {
        let case = s.case(row);
        if !case.provisionable
            || s.account_before(row) != AccountState::NoAccount
            || s.action(row) == Action::Fail
        {
            continue;
        }
        let why = user_reason(ctx, app, s, row);
        let reason = if s.action(row) == Action::Create {
            format!(
                "in scope and active, no account in the app: Entra creates it in this cycle ({why})"
            )
        } else {
            format!(
                "in scope and active, no account in the app, but Entra does not create it: {why}"
            )
        };
        let (department, company) = groups_of_user(ctx, row);
        out.counts.add(Class::ToCreate);
        out.accounts.push(AuditedAccount {
            key: user_name(ctx.dir, row),
            object_id: ctx.dir.value_by_name(row, "objectId").map(str::to_string),
            class: Class::ToCreate,
            reason,
            user: ctx
                .dir
                .value_by_name(row, "userPrincipalName")
                .map(str::to_string),
            last_in_scope_stage: Some(s.name.clone()),
            active_in_app: None,
            file: None,
            line: None,
            department,
            company,
        });
    }
    out
}

fn groups_of_user(ctx: &Ctx<'_>, row: usize) -> (Option<String>, Option<String>) {
    let [d, c] = ctx
        .group_cols
        .map(|col| col.and_then(|c| ctx.dir.value(row, c)).map(str::to_string));
    (d, c)
}

fn groups_of_account(ts: &TargetState, acc: &TargetAccount) -> (Option<String>, Option<String>) {
    let get = |names: &[&str]| {
        ts.column(names)
            .and_then(|c| acc.value(c))
            .map(str::to_string)
    };
    (get(&["department"]), get(&["companyName", "company"]))
}

/// Classifies one target-state account at stage `si`; `None` when the rules provision it.
#[expect(
    clippy::too_many_arguments,
    reason = "one account with its app, stage and file, passed once from `audit_app`"
)]
fn account(
    ctx: &Ctx<'_>,
    app: &AppResult,
    si: usize,
    s: &StageResult,
    ts: &TargetState,
    acc: &TargetAccount,
    owner: &AccountOwner,
    orphan: Option<usize>,
) -> Option<AuditedAccount> {
    // As the rollout reads it: an account without an `active` value is active.
    let export_active = acc.active != Some(false);
    let rollout_active = |row: usize| ctx.active.get(row);
    let stage = |j: usize| app.stages.get(j).map(|x| x.name.clone());
    let mut user_row = None;
    let (facts, class, reason, last_in_scope) = match owner {
        AccountOwner::Managed(row) | AccountOwner::Matches(row) => {
            let row = *row;
            user_row = Some(row);
            let managed_export = matches!(owner, AccountOwner::Managed(_));
            let t = trace(app, si, row, export_active, managed_export);
            let action = s.action(row);
            let before = s.account_before(row);
            let managed = before.is_managed();
            let removal = if action == Action::Disable {
                Removal::Now
            } else if !managed && t.ever_managed && !t.active {
                // Disabled when its user was unassigned; Entra stopped managing it (HPW).
                Removal::Earlier
            } else {
                Removal::No
            };
            let active_after = match action {
                Action::Update => true,
                Action::Disable if !s.held => false,
                _ => t.active,
            };
            let f = Facts {
                owned: true,
                has_user: true,
                provisionable: s.case(row).provisionable,
                managed,
                removal,
                held: s.held,
                active: active_after,
                user_inactive: !rollout_active(row),
            };
            let class = classify(&f)?;
            let who = user_name(ctx.dir, row);
            let why = user_reason(ctx, app, s, row);
            let reason = match class {
                Class::Held => format!(
                    "Entra would disable it in this cycle ({why}), but {}",
                    threshold_note(app, s)
                ),
                Class::WillRemove if removal == Removal::Now => {
                    format!("Entra disables it in this cycle: {why}")
                }
                Class::WillRemove => match t.disabled_at.and_then(stage) {
                    Some(at) if !managed => format!(
                        "Entra disabled it in the cycle of stage `{at}` when `{who}` was unassigned, and no longer manages it; no access left ({why})"
                    ),
                    Some(at) => format!(
                        "Entra disabled it in the cycle of stage `{at}` and keeps it disabled ({why})"
                    ),
                    None => format!(
                        "managed by Entra and already disabled in the app: no access, and Entra keeps it disabled ({why})"
                    ),
                },
                Class::EnabledButDisabled => format!(
                    "active in the app, but `{who}` is {}; Entra will not disable it: {}",
                    inactive_words(ctx, row),
                    if managed {
                        why
                    } else {
                        "it is not managed by Entra (S31), so never disabled or deleted".to_string()
                    }
                ),
                Class::Kept => format!(
                    "managed by Entra and kept active although the rules do not provision `{who}`: {why}"
                ),
                _ => format!(
                    "not managed by Entra (S31): never disabled or deleted, remove it by hand; `{who}`: {why}"
                ),
            };
            (f, class, reason, t.last_in_scope)
        }
        AccountOwner::Second(row) | AccountOwner::Shadowed(row) => {
            let row = *row;
            user_row = Some(row);
            let t = trace(app, si, row, export_active, false);
            let f = Facts {
                owned: false,
                has_user: true,
                provisionable: s.case(row).provisionable,
                managed: false,
                removal: Removal::No,
                held: s.held,
                active: export_active,
                user_inactive: !rollout_active(row),
            };
            let class = classify(&f)?;
            let who = user_name(ctx.dir, row);
            let what = if matches!(owner, AccountOwner::Second(_)) {
                format!(
                    "a second account marked managed for `{who}`, who has one already: scopesim follows one account per user and takes this one as untouched [decision]"
                )
            } else {
                format!(
                    "its matching value is `{who}`'s, but Entra keeps or matches another account for that user (S32), so it never touches this one"
                )
            };
            let reason = if class == Class::EnabledButDisabled {
                format!(
                    "active in the app, but `{who}` is {}; Entra will not disable it: {what}",
                    inactive_words(ctx, row)
                )
            } else {
                format!("not managed by Entra (S31): {what}; remove it by hand")
            };
            (f, class, reason, t.last_in_scope)
        }
        AccountOwner::Contested(rows) => {
            let single = match rows.as_slice() {
                [one] => Some(*one),
                _ => None,
            };
            user_row = single;
            let all_inactive = !rows.is_empty() && rows.iter().all(|&r| !rollout_active(r));
            let f = Facts {
                owned: false,
                has_user: true,
                provisionable: false,
                managed: false,
                removal: Removal::No,
                held: s.held,
                active: export_active,
                user_inactive: all_inactive,
            };
            let class = classify(&f)?;
            let names: Vec<String> = rows
                .iter()
                .take(3)
                .map(|&r| format!("`{}`", user_name(ctx.dir, r)))
                .collect();
            let attr = rows
                .first()
                .and_then(|&r| app.matching.note(r))
                .map(|n| format!("`{}`", n.attribute))
                .unwrap_or_else(|| app.matching.names());
            // One user who lost the account to another user's equal value (S32
            // `DuplicateSourceEntries` among all users) is not a user who hits several
            // accounts.
            let lost_to_duplicate = single.is_some_and(|r| {
                app.matching.note(r).and_then(|n| n.failure) == Some(MatchFailure::DuplicateSource)
            });
            let failure = match single {
                Some(r) if lost_to_duplicate => format!(
                    "{} has a matching value that another directory user has too, and Entra never picks one (DuplicateSourceEntries, S32)",
                    names
                        .first()
                        .cloned()
                        .unwrap_or_else(|| user_name(ctx.dir, r))
                ),
                Some(r) => format!(
                    "{}'s {attr} matches several accounts of the app, and Entra never picks one (DuplicateTargetEntries, S32)",
                    names
                        .first()
                        .cloned()
                        .unwrap_or_else(|| user_name(ctx.dir, r))
                ),
                None => format!(
                    "{} directory users ({}{}) have its {attr}, and Entra never picks one (DuplicateSourceEntries, S32)",
                    rows.len(),
                    names.join(", "),
                    if rows.len() > 3 { ", ..." } else { "" }
                ),
            };
            let reason = if class == Class::EnabledButDisabled {
                format!(
                    "active in the app, but its user is disabled in Entra; Entra will not disable it: not managed by Entra (S31), and {failure}"
                )
            } else {
                format!(
                    "not managed by Entra (S31), and matching it fails: {failure}; fix the duplicates"
                )
            };
            let last = single.and_then(|r| trace(app, si, r, export_active, false).last_in_scope);
            (f, class, reason, last)
        }
        AccountOwner::Ambiguous => {
            let f = Facts {
                owned: false,
                has_user: true,
                provisionable: false,
                managed: false,
                removal: Removal::No,
                held: s.held,
                active: export_active,
                user_inactive: false,
            };
            let class = classify(&f)?;
            (
                f,
                class,
                "marked managed but without `externalId`, and several directory users have its matching value: whose it is cannot be told, so it is taken as untouched (S31); give it its user's objectId as externalId".to_string(),
                None,
            )
        }
        AccountOwner::Gone | AccountOwner::Unmatched => {
            let managed = matches!(owner, AccountOwner::Gone);
            let (action, why) = orphan
                .and_then(|i| s.orphan_actions.get(i).copied())
                .unwrap_or((Action::None, Why::PreExisting));
            let removal = match (action, why) {
                (Action::Delete, _) => Removal::Now,
                (Action::None, Why::HardDeleted) => Removal::Earlier,
                _ => Removal::No,
            };
            let f = Facts {
                owned: false,
                has_user: false,
                provisionable: false,
                managed,
                removal,
                held: s.held,
                active: export_active && removal == Removal::No,
                user_inactive: false,
            };
            let class = classify(&f)?;
            let gone = "managed by Entra, its user is gone from the directory (hard-deleted)";
            let reason = match (class, why) {
                (Class::Held, _) => {
                    format!(
                        "{gone}: Entra would delete it, but {}",
                        threshold_note(app, s)
                    )
                }
                (Class::WillRemove, _) if removal == Removal::Now => {
                    format!("{gone}: Entra deletes it in this cycle")
                }
                (Class::WillRemove, _) if removal == Removal::Earlier => {
                    match deleted_at(app, si, orphan).and_then(stage) {
                        Some(at) => {
                            format!("{gone}: Entra deleted it in the cycle of stage `{at}`")
                        }
                        None => format!("{gone}: Entra deleted it in an earlier cycle"),
                    }
                }
                (Class::WillRemove, _) => format!(
                    "{gone}; already disabled in the app, and Entra does not delete it (the Delete flow is off, S33)"
                ),
                (_, Why::MappingDisabled) => format!(
                    "{gone}, but the user object mapping is disabled (S33): Entra never deletes it; remove it by hand"
                ),
                _ if managed => format!(
                    "{gone}, but the Delete flow is off (S33): Entra never deletes it; remove it by hand"
                ),
                _ => {
                    let mut r = format!(
                        "no directory user matches it by {}, and Entra does not manage it (S31): nobody's account, never disabled or deleted by Entra; remove it by hand",
                        app.matching.names()
                    );
                    if let (Some(x), false) = (&acc.external_id, ts.has_managed_column) {
                        r.push_str(&format!(
                            " (its externalId `{x}` is no directory user's objectId)"
                        ));
                    }
                    r
                }
            };
            (f, class, reason, None)
        }
    };
    let (department, company) = match user_row {
        Some(row) => {
            let (d, c) = groups_of_user(ctx, row);
            let (td, tc) = groups_of_account(ts, acc);
            (d.or(td), c.or(tc))
        }
        None => groups_of_account(ts, acc),
    };
    Some(AuditedAccount {
        key: acc.key.clone(),
        object_id: user_row.and_then(|r| ctx.dir.value_by_name(r, "objectId").map(str::to_string)),
        class,
        reason,
        user: user_row.and_then(|r| {
            ctx.dir
                .value_by_name(r, "userPrincipalName")
                .map(str::to_string)
        }),
        last_in_scope_stage: last_in_scope.and_then(stage),
        active_in_app: Some(facts.active),
        file: Some(ts.path().to_string()),
        line: Some(acc.line),
        department,
        company,
    })
}

/// The stage (before `si`) whose cycle deleted orphan `i`.
fn deleted_at(app: &AppResult, si: usize, orphan: Option<usize>) -> Option<usize> {
    let i = orphan?;
    app.stages.iter().take(si).position(|s| {
        !s.held
            && s.orphan_actions
                .get(i)
                .is_some_and(|(a, _)| *a == Action::Delete)
    })
}

/// "disabled in Entra (accountEnabled is false)", "soft-deleted in Entra", ...
fn inactive_words(ctx: &Ctx<'_>, row: usize) -> String {
    let r = inactive_reason(ctx.dir, row);
    r.strip_prefix("account ").map(str::to_string).unwrap_or(r)
}

#[cfg(test)]
mod tests;
