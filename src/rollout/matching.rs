//! Managed and pre-existing accounts before the first stage (S31), and matching users to
//! pre-existing accounts (S32).
//!
//! A target-state row is *managed* when a `managed` column says so, or (without one) when
//! its `externalId` is a directory user's objectId; every other row is *pre-existing*.
//! An unmanaged user looks for a pre-existing account by the app's matching attributes,
//! lowest `matchingPriority` first, the first attribute with a hit deciding; `--match-on`
//! overrides them, and without either it is `userPrincipalName` against the target's
//! `userName`. Values compare ignoring case for SCIM `userName`, exactly otherwise (a
//! decision, reported when it matters). Several accounts for one user, or several users
//! for one account, is a predicted failure, never a pick.
//!
//! All of this is per account (the target-state files are small); what it leaves for the
//! per-stage cycle is bit sets: the account state of every user and who would fail.

use super::facts::UserFacts;
use super::table::{AccountState, FailBits, MatchFailure, StateBits};
use super::{Orphan, RolloutInputs};
use crate::diag::{Code, Diagnostic, FileLocation};
use crate::directory::assignments::{TargetAccount, TargetState};
use crate::eval::Bits;
use crate::rules::App;
use std::collections::{BTreeMap, HashMap, HashSet};

/// One matching attribute: the user's `source` attribute against the account's `target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchAttr {
    /// Entra (source) attribute, e.g. `userPrincipalName`.
    pub source: String,
    /// Target attribute, e.g. `userName`.
    pub target: String,
}

/// The matching attributes of an app, in the order Entra tries them: `--match-on` when
/// given, else the schema's (`matchingPriority`, lowest first), else
/// `userPrincipalName` ↔ `userName`.
pub fn matching_attributes(app: &App, match_on: Option<&str>) -> Vec<MatchAttr> {
    if let Some(m) = match_on {
        return vec![MatchAttr {
            source: m.to_string(),
            target: m.to_string(),
        }];
    }
    if !app.object.matching.is_empty() {
        let mut m: Vec<_> = app.object.matching.iter().collect();
        m.sort_by_key(|m| m.priority);
        return m
            .into_iter()
            .map(|m| MatchAttr {
                source: m.source.node.clone(),
                target: m.target.clone(),
            })
            .collect();
    }
    vec![MatchAttr {
        source: "userPrincipalName".to_string(),
        target: "userName".to_string(),
    }]
}

/// Is matching modelled for this app: a target-state export names it, or the schema
/// gives its matching attributes? Otherwise no account exists that a user could match,
/// and no matching value is read. (A state built in code, such as the accounts a diff's
/// earlier side manages, has no columns and says nothing about matching.)
pub fn matching_modeled(app: &App, inputs: RolloutInputs<'_>) -> bool {
    !app.object.matching.is_empty()
        || inputs
            .target_states
            .iter()
            .any(|t| t.app == app.name.node && !t.columns.is_empty())
}

/// The `--match-on` attribute an app's target states were read with, which overrides
/// the app's matching attributes (S32).
pub fn match_override<'a>(app: &App, inputs: RolloutInputs<'a>) -> Option<&'a str> {
    inputs
        .target_states
        .iter()
        .filter(|t| t.app == app.name.node)
        .find_map(|t| t.match_on.as_deref())
}

/// The column names in a target-state export that hold a matching attribute.
pub fn target_names(a: &MatchAttr) -> Vec<&str> {
    let mut v = vec![a.target.as_str(), a.source.as_str()];
    if a.source.eq_ignore_ascii_case("userPrincipalName")
        || a.target.eq_ignore_ascii_case("userName")
    {
        v.extend(["userName", "userPrincipalName"]);
    }
    v
}

/// An account in a target-state file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRef {
    /// The file.
    pub file: String,
    /// Its line.
    pub line: u64,
    /// How it is shown.
    pub key: String,
}

/// What matching found for one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchNote {
    /// The matching attribute that hit (source name).
    pub attribute: String,
    /// The user's value of it.
    pub value: String,
    /// The accounts it hit.
    pub accounts: Vec<AccountRef>,
    /// Why matching fails, when it does.
    pub failure: Option<MatchFailure>,
    /// Users that hit the same account (for `DuplicateSourceEntries`).
    pub users: usize,
}

/// An app's matching: its attributes and what they found, for reasons and explanations.
#[derive(Debug, Clone, Default)]
pub struct Matching {
    /// The matching attributes, in the order Entra tries them.
    pub attributes: Vec<MatchAttr>,
    /// Whether matching is modelled for the app (see [`matching_modeled`]).
    pub modeled: bool,
    notes: Vec<(usize, MatchNote)>,
    accounts: Vec<AccountLink>,
    /// The target-state account of each user that has one before the first stage
    /// (managed, or matched uniquely): `(row, (index in the rollout inputs' target
    /// states, index of the account))`, by row.
    user_accounts: Vec<(usize, (usize, usize))>,
    /// Users that share their matching value with another candidate (S32
    /// `DuplicateSourceEntries` among all users, not only those an account holds).
    pub duplicate_users: usize,
}

impl Matching {
    /// What matching found for user `row`, when a pre-existing account has its value.
    pub fn note(&self, row: usize) -> Option<&MatchNote> {
        self.notes
            .binary_search_by_key(&row, |(r, _)| *r)
            .ok()
            .and_then(|i| self.notes.get(i))
            .map(|(_, n)| n)
    }

    /// Every target-state account of the app, in the order of the rollout's
    /// `target_states` and of each file, with whose it is.
    pub fn accounts(&self) -> &[AccountLink] {
        &self.accounts
    }

    /// The target-state account user `row` has before the first stage: the index of its
    /// target state in [`RolloutInputs::target_states`] and of the account in it.
    pub fn account_of(&self, row: usize) -> Option<(usize, usize)> {
        self.user_accounts
            .binary_search_by_key(&row, |(r, _)| *r)
            .ok()
            .and_then(|i| self.user_accounts.get(i))
            .map(|(_, a)| *a)
    }

    /// `userPrincipalName`, or `employeeId, mail`: the attributes, for messages.
    pub fn names(&self) -> String {
        self.attributes
            .iter()
            .map(|a| format!("`{}`", a.source))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Whose account one target-state account is before the first stage (S31, S32): the
/// per-account view of what the matching decided, for consumers that look at accounts
/// rather than users (the least-privilege audit). `usize` values are directory rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountOwner {
    /// Managed by Entra for this user (S31): the user's account state is this account's.
    Managed(usize),
    /// Managed per the export, but a second managed account of a user who has one
    /// already: the rollout tracks one account per user and leaves this one untouched.
    Second(usize),
    /// Managed, but its user is gone from the directory (hard-deleted): listed in
    /// [`AppResult::orphans`](super::AppResult::orphans) with `managed` true.
    Gone,
    /// Managed without `externalId`, and several users have its matching value: the
    /// owner cannot be told, so it is left untouched (listed in the orphans, unmanaged).
    Ambiguous,
    /// Pre-existing, and this user's matching value hits it and only it (S32): matched
    /// when the user is provisionable, managed from then on.
    Matches(usize),
    /// Pre-existing, and matching would fail (S32): several users hit it
    /// (`DuplicateSourceEntries`), or its one user hits several accounts
    /// (`DuplicateTargetEntries`). The users, in directory order.
    Contested(Vec<usize>),
    /// Pre-existing, and its matching value is this user's, but the user already has a
    /// managed account or matches another account first: Entra never matches it.
    Shadowed(usize),
    /// Pre-existing, and no directory user has its matching value (listed in the orphans).
    Unmatched,
}

/// One target-state account of an app and whose it is (see [`AccountOwner`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLink {
    /// The index of its file in the rollout's `target_states` (all apps).
    pub state: usize,
    /// Its index in that file's `accounts`.
    pub index: usize,
    /// Whose account it is.
    pub owner: AccountOwner,
    /// Its index in [`AppResult::orphans`](super::AppResult::orphans), when listed there.
    pub orphan: Option<usize>,
}

/// What an app starts its first stage with.
pub(crate) struct AppStart {
    pub state: StateBits,
    pub fails: FailBits,
    pub orphans: Vec<Orphan>,
    pub managed_at_start: usize,
    pub pre_existing_at_start: usize,
    pub matching: Matching,
    pub warnings: Vec<Diagnostic>,
}

/// Who owns a managed account.
enum Owner {
    One(usize),
    Gone,
    Ambiguous,
}

/// Compares a user's value with an account's: ignoring case (`ci`) or exactly.
fn same(ci: bool, user: &str, account: &str) -> bool {
    if ci {
        user.to_lowercase() == account.to_lowercase()
    } else {
        user == account
    }
}

struct Resolution {
    attr: usize,
    value: String,
    accounts: Vec<(usize, usize)>,
}

/// The managed state, matches and failures of an app before its first stage.
pub(crate) fn start(
    app: &App,
    n: usize,
    facts: &UserFacts,
    inputs: RolloutInputs<'_>,
    candidates: &Bits,
) -> Result<AppStart, Vec<Diagnostic>> {
    let name = app.name.node.as_str();
    let attributes = matching_attributes(app, match_override(app, inputs));
    let modeled = matching_modeled(app, inputs);
    let mut out = AppStart {
        state: StateBits::none(n),
        fails: FailBits::none(n),
        orphans: Vec::new(),
        managed_at_start: 0,
        pre_existing_at_start: 0,
        matching: Matching {
            attributes,
            modeled,
            notes: Vec::new(),
            accounts: Vec::new(),
            user_accounts: Vec::new(),
            duplicate_users: 0,
        },
        warnings: Vec::new(),
    };
    let (positions, states): (Vec<usize>, Vec<&TargetState>) = inputs
        .target_states
        .iter()
        .enumerate()
        .filter(|(_, t)| t.app == name)
        .unzip();
    if states.is_empty() && !modeled {
        return Ok(out);
    }
    let attrs = out.matching.attributes.clone();
    let global: Vec<Option<usize>> = attrs.iter().map(|a| facts.match_attr(&a.source)).collect();
    if modeled {
        out.fails.no_value = no_value(app, &attrs, &global, facts, n, &mut out.warnings);
    }
    // cols[s][k]: the column of state s holding attribute k; ci: compared ignoring case.
    let cols: Vec<Vec<Option<(usize, bool)>>> = states
        .iter()
        .map(|ts| {
            attrs
                .iter()
                .map(|a| {
                    ts.column(&target_names(a))
                        .map(|c| (c, ts.designates(c, "userName")))
                })
                .collect()
        })
        .collect();
    let mut errors = Vec::new();
    let mut pre: Vec<(usize, usize)> = Vec::new();
    // Whose each account is, by (state, account) among this app's states.
    let mut owners: BTreeMap<(usize, usize), AccountOwner> = BTreeMap::new();
    // The (state, account) of each orphan, in the order of `out.orphans`.
    let mut orphan_keys: Vec<(usize, usize)> = Vec::new();
    let (mut ext_unlinked, mut ambiguous, mut twice) = (0usize, 0usize, 0usize);
    for (si, ts) in states.iter().enumerate() {
        let no_column = cols.get(si).is_none_or(|c| c.iter().all(Option::is_none));
        let mut unlinkable = false;
        for (ai, acc) in ts.accounts.iter().enumerate() {
            // A state built in code (no columns: a diff's accounts) may key accounts by UPN
            // where the export has no objectId.
            let by_external = acc.external_id.as_deref().and_then(|x| {
                facts
                    .index
                    .object_id(x)
                    .or_else(|| ts.columns.is_empty().then(|| facts.index.get(x)).flatten())
            });
            // S31: a `managed` column decides; without one, an externalId that is a
            // directory user's objectId does.
            let managed = if ts.has_managed_column {
                acc.managed == Some(true)
            } else {
                by_external.is_some()
            };
            if !managed {
                if no_column {
                    unlinkable = true;
                }
                if !ts.has_managed_column && acc.external_id.is_some() {
                    ext_unlinked += 1;
                }
                pre.push((si, ai));
                continue;
            }
            let owner = match (by_external, &acc.external_id) {
                (Some(row), _) => Owner::One(row),
                (None, Some(_)) => Owner::Gone,
                (None, None) => {
                    if no_column {
                        unlinkable = true;
                    }
                    owner_by_value(acc, &cols[si], &global, facts)
                }
            };
            match owner {
                Owner::One(row) => {
                    if out.state.get(row).is_managed() {
                        twice += 1;
                        owners.insert((si, ai), AccountOwner::Second(row));
                        continue;
                    }
                    owners.insert((si, ai), AccountOwner::Managed(row));
                    // Local to the app's states here; made global below.
                    out.matching.user_accounts.push((row, (si, ai)));
                    let s = if acc.active == Some(false) {
                        AccountState::Disabled
                    } else {
                        AccountState::Enabled
                    };
                    out.state.set(row, s);
                    out.managed_at_start += 1;
                }
                Owner::Gone => {
                    owners.insert((si, ai), AccountOwner::Gone);
                    orphan_keys.push((si, ai));
                    out.orphans.push(orphan(ts, acc, true));
                }
                Owner::Ambiguous => {
                    ambiguous += 1;
                    owners.insert((si, ai), AccountOwner::Ambiguous);
                    orphan_keys.push((si, ai));
                    out.orphans.push(orphan(ts, acc, false));
                }
            }
        }
        if unlinkable {
            let names: Vec<String> = attrs
                .iter()
                .flat_map(|a| target_names(a))
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>();
            errors.push(
                Diagnostic::error(
                    Code::MissingKey,
                    format!(
                        "`{}` has no column for the matching attribute{} of `{name}` ({}), so its accounts cannot be matched to users",
                        ts.path(),
                        if attrs.len() == 1 { "" } else { "s" },
                        dedup(names).join(", ")
                    ),
                )
                .at(FileLocation::file(ts.path()).at_line(ts.header_line))
                .with_rule("S32")
                .with_help("export that column, name the column that holds it with `--match-on <attribute>`, or give every account an `externalId` and a `managed` column"),
            );
        }
        if !ts.has_managed_column && !ts.has_external_id_column && !ts.accounts.is_empty() {
            out.warnings.push(
                Diagnostic::warning(
                    Code::FirstEnablement,
                    format!(
                        "`{}` has neither a `managed` nor an `externalId` column: its {} treated as pre-existing (a first enablement of `{name}`): matched by {} when in scope, never disabled or deleted",
                        ts.path(),
                        crate::diag::count(ts.accounts.len() as u64, "account is", "accounts are"),
                        out.matching.names()
                    ),
                )
                .with_rule("S31")
                .at(FileLocation::file(ts.path()).at_line(ts.header_line))
                .with_help("if Entra already provisions this app, add a `managed` column (true for accounts Entra created or matched) or export `externalId`; otherwise its disables and deletes are not predicted"),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    out.pre_existing_at_start = pre.len();
    if ext_unlinked > 0 {
        out.warnings.push(
            Diagnostic::warning(
                Code::ExternalIdNoUser,
                format!(
                    "{} of `{name}` {} an `externalId` that is no directory user's objectId: treated as pre-existing, never disabled or deleted",
                    crate::diag::count(ext_unlinked as u64, "account", "accounts"),
                    if ext_unlinked == 1 { "has" } else { "have" }
                ),
            )
            .with_rule("S31")
            .with_help("if Entra created them for users since hard-deleted, Entra would delete them: add a `managed` column that says so"),
        );
    }
    if ambiguous > 0 || twice > 0 {
        let mut parts = Vec::new();
        if ambiguous > 0 {
            parts.push(format!(
                "{} without `externalId` {} several users",
                crate::diag::count(ambiguous as u64, "managed account", "managed accounts"),
                if ambiguous == 1 { "matches" } else { "match" }
            ));
        }
        if twice > 0 {
            parts.push(format!(
                "{} a second managed account of a user",
                crate::diag::count(twice as u64, "account is", "accounts are")
            ));
        }
        out.warnings.push(
            Diagnostic::warning(
                Code::ManagedOwnerUnclear,
                format!(
                    "in the target state of `{name}`, {}: left untouched",
                    parts.join("; ")
                ),
            )
            .with_rule("S31")
            .with_help("give managed accounts the `externalId` of their user (its objectId)"),
        );
    }
    let mut found = Found {
        owners,
        orphan_keys,
    };
    resolve(
        &mut out, &states, &cols, &global, &pre, facts, name, &mut found,
    );
    for (_, (si, _)) in &mut out.matching.user_accounts {
        if let Some(g) = positions.get(*si) {
            *si = *g;
        }
    }
    if modeled {
        source_duplicates(&mut out, &attrs, &global, facts, candidates, name);
        // A user who lost the account they matched to a duplicate value leaves it
        // contested (no one's).
        for owner in found.owners.values_mut() {
            if let AccountOwner::Matches(row) = *owner {
                if out.state.get(row) != AccountState::PreExisting {
                    *owner = AccountOwner::Contested(vec![row]);
                }
            }
        }
    }
    out.matching.user_accounts.sort_unstable_by_key(|(r, _)| *r);
    out.matching.accounts = found
        .owners
        .into_iter()
        .filter_map(|((si, ai), owner)| {
            let orphan = found.orphan_keys.iter().position(|k| *k == (si, ai));
            Some(AccountLink {
                state: *positions.get(si)?,
                index: ai,
                owner,
                orphan,
            })
        })
        .collect();
    Ok(out)
}

/// Whose each account is, and which account each orphan is, while `start` and
/// `resolve` decide (keys are (state, account) among the app's states).
struct Found {
    owners: BTreeMap<(usize, usize), AccountOwner>,
    orphan_keys: Vec<(usize, usize)>,
}

/// S32 `DuplicateSourceEntries` among all users: active candidates whose first matching
/// value (in priority order, the first attribute they have a value for) is another active
/// candidate's fail when they have no managed account yet, whether or not an account holds
/// that value [decision: Entra documents the code ("more than one user was found with the
/// configured matching attributes") but not which users it compares; scopesim compares the
/// app's active candidates, whose accounts Entra would look up by that value]. Values
/// compare ignoring case against SCIM `userName`, exactly otherwise, as accounts do.
fn source_duplicates(
    out: &mut AppStart,
    attrs: &[MatchAttr],
    global: &[Option<usize>],
    facts: &UserFacts,
    candidates: &Bits,
    name: &str,
) {
    let mut groups: HashMap<(usize, u64), Vec<usize>> = HashMap::new();
    let mut keyed: Vec<(usize, usize, u64)> = Vec::new();
    for row in candidates.ones_iter() {
        if !facts.active.get(row) {
            continue;
        }
        for (k, (a, g)) in attrs.iter().zip(global).enumerate() {
            let Some(h) = g.and_then(|g| facts.hashes.get(g)).and_then(Option::as_ref) else {
                continue;
            };
            let ci = a.target.eq_ignore_ascii_case("userName");
            let v = h.get(row, ci);
            if v != 0 {
                groups.entry((k, v)).or_default().push(row);
                keyed.push((row, k, v));
                break;
            }
        }
    }
    let mut count = 0;
    for (row, k, v) in keyed {
        let shared = groups.get(&(k, v)).is_some_and(|g| g.len() > 1);
        if !shared || out.state.get(row).is_managed() || out.fails.get(row).is_some() {
            continue;
        }
        out.fails.dup_source.set(row, true);
        if out.state.get(row) == AccountState::PreExisting {
            // A matched account is no match when another user claims the same value.
            out.state.set(row, AccountState::NoAccount);
            out.matching.user_accounts.retain(|(r, _)| *r != row);
            if let Some((_, note)) = out.matching.notes.iter_mut().find(|(r, _)| *r == row) {
                note.failure = Some(MatchFailure::DuplicateSource);
                note.users = note.users.max(2);
            }
        }
        count += 1;
    }
    out.matching.duplicate_users = count;
    if count > 0 {
        out.warnings.push(
            Diagnostic::warning(
                Code::MatchFailures,
                format!(
                    "{} of `{name}` would fail with DuplicateSourceEntries when in scope: another assigned user has the same matching value",
                    crate::diag::count(count as u64, "user", "users")
                ),
            )
            .with_rule("S32")
            .with_help("Entra never picks one: give each user a distinct matching value (the per-user report and `explain` name them) or match on another attribute"),
        );
    }
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    v.retain(|x| seen.insert(x.to_lowercase()));
    v
}

fn orphan(ts: &TargetState, acc: &TargetAccount, managed: bool) -> Orphan {
    Orphan {
        key: acc.key.clone(),
        line: acc.line,
        file: ts.path().to_string(),
        managed,
    }
}

/// The user of a managed account without `externalId`, by its matching values.
fn owner_by_value(
    acc: &TargetAccount,
    cols: &[Option<(usize, bool)>],
    global: &[Option<usize>],
    facts: &UserFacts,
) -> Owner {
    for (k, col) in cols.iter().enumerate() {
        let (Some((c, ci)), Some(Some(g))) = (col, global.get(k)) else {
            continue;
        };
        let Some(v) = acc.value(*c) else { continue };
        let rows: Vec<usize> = facts
            .matches
            .rows(*g, v)
            .iter()
            .filter(|(_, orig)| same(*ci, orig, v))
            .map(|(r, _)| *r)
            .collect();
        match rows.as_slice() {
            [] => {}
            [one] => return Owner::One(*one),
            _ => return Owner::Ambiguous,
        }
    }
    Owner::Gone
}

/// Users with no value for any matching attribute the export has (`ImportSkipped`), and
/// a warning for each matching attribute the export lacks.
fn no_value(
    app: &App,
    attrs: &[MatchAttr],
    global: &[Option<usize>],
    facts: &UserFacts,
    n: usize,
    warnings: &mut Vec<Diagnostic>,
) -> Bits {
    let name = &app.name.node;
    let mut none = Bits::ones(n);
    let mut any_column = false;
    for (a, g) in attrs.iter().zip(global) {
        match g.and_then(|g| facts.present.get(g)).and_then(Option::as_ref) {
            Some(present) => {
                any_column = true;
                none.and_not_with(present);
            }
            None => warnings.push(
                Diagnostic::warning(
                    Code::MatchingAttributeAbsent,
                    format!(
                        "the directory export has no `{}` column, a matching attribute of `{name}`: no user is matched by it",
                        a.source
                    ),
                )
                .with_rule("S32")
                .with_help(format!("export `{}` so that scopesim can match users to the app's accounts and predict `ImportSkipped`", a.source)),
            ),
        }
    }
    if !any_column {
        return Bits::zeros(n);
    }
    let count = none.count();
    if count > 0 {
        warnings.push(
            Diagnostic::warning(
                Code::NoMatchingValue,
                format!(
                    "{} no value for the matching attribute{} of `{name}` ({}): those in scope cannot be matched and are skipped (ImportSkipped), not created",
                    crate::diag::count(count as u64, "user has", "users have"),
                    if attrs.len() == 1 { "" } else { "s" },
                    attrs.iter().map(|a| format!("`{}`", a.source)).collect::<Vec<_>>().join(", ")
                ),
            )
            .with_rule("S32"),
        );
    }
    none
}

/// Matches unmanaged users to pre-existing accounts, attribute by attribute, and sets the
/// pre-existing state, the failures, the notes and the untouched accounts.
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of one app's start, passed once from `start`"
)]
fn resolve(
    out: &mut AppStart,
    states: &[&TargetState],
    cols: &[Vec<Option<(usize, bool)>>],
    global: &[Option<usize>],
    pre: &[(usize, usize)],
    facts: &UserFacts,
    name: &str,
    found: &mut Found,
) {
    let account = |si: usize, ai: usize| states.get(si).and_then(|t| t.accounts.get(ai));
    let mut resolved: BTreeMap<usize, Resolution> = BTreeMap::new();
    let mut case_misses: HashSet<usize> = HashSet::new();
    // Accounts whose matching value is a user's that Entra does not match to them (the
    // user is managed already, or an earlier attribute decided): the first such user.
    let mut shadowed: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for (k, g) in global.iter().enumerate() {
        let Some(g) = *g else { continue };
        let mut by_value: BTreeMap<String, Vec<(usize, usize, &str, bool)>> = BTreeMap::new();
        for &(si, ai) in pre {
            let Some(Some((c, ci))) = cols.get(si).and_then(|c| c.get(k)).copied() else {
                continue;
            };
            if let Some(v) = account(si, ai).and_then(|a| a.value(c)) {
                by_value
                    .entry(v.to_lowercase())
                    .or_default()
                    .push((si, ai, v, ci));
            }
        }
        for (lower, accs) in &by_value {
            for (row, orig) in facts.matches.rows(g, lower) {
                let hits: Vec<(usize, usize)> = accs
                    .iter()
                    .filter(|(_, _, v, ci)| same(*ci, orig, v))
                    .map(|(si, ai, _, _)| (*si, *ai))
                    .collect();
                if out.state.get(*row).is_managed() || resolved.contains_key(row) {
                    for h in hits {
                        shadowed.entry(h).or_insert(*row);
                    }
                    continue;
                }
                if hits.is_empty() {
                    case_misses.insert(*row);
                    continue;
                }
                resolved.insert(
                    *row,
                    Resolution {
                        attr: k,
                        value: orig.clone(),
                        accounts: hits,
                    },
                );
            }
        }
    }
    let mut claims: HashMap<(usize, usize), usize> = HashMap::new();
    for r in resolved.values() {
        if let [one] = r.accounts.as_slice() {
            *claims.entry(*one).or_default() += 1;
        }
    }
    let mut involved: HashSet<(usize, usize)> = HashSet::new();
    // The users whose values hit each account, and whether one of them fails.
    let mut hit_by: BTreeMap<(usize, usize), (Vec<usize>, bool)> = BTreeMap::new();
    let (mut dup_source, mut dup_target) = (Vec::new(), Vec::new());
    for (row, r) in &resolved {
        involved.extend(r.accounts.iter().copied());
        let users = match r.accounts.as_slice() {
            [one] => claims.get(one).copied().unwrap_or(1),
            _ => 1,
        };
        let failure = if r.accounts.len() > 1 {
            out.fails.dup_target.set(*row, true);
            dup_target.push(r.value.clone());
            Some(MatchFailure::DuplicateTarget)
        } else if users > 1 {
            out.fails.dup_source.set(*row, true);
            dup_source.push(r.value.clone());
            Some(MatchFailure::DuplicateSource)
        } else {
            out.state.set(*row, AccountState::PreExisting);
            if let Some(&(si, ai)) = r.accounts.first() {
                // `si` is local to the app's states; `start` makes it global.
                out.matching.user_accounts.push((*row, (si, ai)));
            }
            None
        };
        for acc in &r.accounts {
            let e = hit_by.entry(*acc).or_default();
            e.0.push(*row);
            e.1 |= failure.is_some();
        }
        let accounts = r
            .accounts
            .iter()
            .filter_map(|&(si, ai)| {
                let ts = states.get(si)?;
                let acc = ts.accounts.get(ai)?;
                Some(AccountRef {
                    file: ts.path().to_string(),
                    line: acc.line,
                    key: acc.key.clone(),
                })
            })
            .collect();
        out.matching.notes.push((
            *row,
            MatchNote {
                attribute: out
                    .matching
                    .attributes
                    .get(r.attr)
                    .map(|a| a.source.clone())
                    .unwrap_or_default(),
                value: r.value.clone(),
                accounts,
                failure,
                users,
            },
        ));
    }
    // Pre-existing accounts that no user matches: untouched, listed in the report.
    for &(si, ai) in pre {
        let owner = match hit_by.remove(&(si, ai)) {
            Some((users, false)) if users.len() == 1 => {
                AccountOwner::Matches(users.first().copied().unwrap_or_default())
            }
            Some((mut users, _)) => {
                users.sort_unstable();
                AccountOwner::Contested(users)
            }
            None => match shadowed.get(&(si, ai)) {
                Some(&row) => AccountOwner::Shadowed(row),
                None => AccountOwner::Unmatched,
            },
        };
        found.owners.insert((si, ai), owner);
        if involved.contains(&(si, ai)) {
            continue;
        }
        if let (Some(ts), Some(acc)) = (states.get(si), account(si, ai)) {
            found.orphan_keys.push((si, ai));
            out.orphans.push(orphan(ts, acc, false));
        }
    }
    let misses = case_misses
        .iter()
        .filter(|r| !resolved.contains_key(r))
        .count();
    if misses > 0 {
        out.warnings.push(
            Diagnostic::warning(
                Code::MatchCase,
                format!(
                    "{} a matching value that differs from a pre-existing account of `{name}` only in letter case: not matched, because only SCIM `userName` compares ignoring case",
                    crate::diag::count(misses as u64, "user has", "users have")
                ),
            )
            .with_rule("S32")
            .with_help("scopesim compares other attributes exactly (a decision: the target app's comparison is unknown); if the app ignores case, Entra would match them"),
        );
    }
    for (values, failure) in [
        (dup_source, MatchFailure::DuplicateSource),
        (dup_target, MatchFailure::DuplicateTarget),
    ] {
        if values.is_empty() {
            continue;
        }
        let mut examples: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        examples.dedup();
        examples.truncate(3);
        let what = match failure {
            MatchFailure::DuplicateSource => "share an account of the app with another user",
            _ => "match several accounts of the app",
        };
        out.warnings.push(
            Diagnostic::warning(
                Code::MatchFailures,
                format!(
                    "{} of `{name}` would fail with {} when in scope: their matching values {what} (e.g. {})",
                    crate::diag::count(values.len() as u64, "user", "users"),
                    failure.code(),
                    examples.join(", ")
                ),
            )
            .with_rule("S32")
            .with_help("Entra never picks one: remove the duplicate accounts or fix the users' values before enabling provisioning"),
        );
    }
    // Sorted by file and line, the keys kept beside them (a JSON file's records can share
    // a line).
    let mut paired: Vec<(Orphan, (usize, usize))> = std::mem::take(&mut out.orphans)
        .into_iter()
        .zip(std::mem::take(&mut found.orphan_keys))
        .collect();
    paired.sort_by(|(a, _), (b, _)| (&a.file, a.line).cmp(&(&b.file, b.line)));
    (out.orphans, found.orphan_keys) = paired.into_iter().unzip();
}
