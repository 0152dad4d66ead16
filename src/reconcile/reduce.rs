//! One outcome per object and cycle (S37), kept small while a million events stream by.
//!
//! An object logs several events in one cycle: the export, then a reference update such
//! as `manager` (ED-HOW step 6), sometimes a retry. S37 reduces them to one outcome per
//! (`sourceIdentity.id`, `cycleId`): the most severe status (failure > warning > success >
//! skipped) with its error, and the last export action, where a reference update (an
//! event with a `referenceResolution` step whose only changes are reference attributes)
//! never overrides the object's own create or update. "Last" is by `activityDateTime`,
//! then by position in the files (Graph lists newest first unless told otherwise, so file
//! order alone would be wrong).
//!
//! Only what pairing needs is kept per (object, cycle): the action, status and skip reason
//! in a few bytes, the scoping step's three Booleans, the error of a failed event, and the
//! first clause that differs from scopesim's (computed while the event is at hand, so the
//! event itself can go). Objects are directory rows found through a compact objectId
//! index (128-bit GUIDs, sorted); objects the export lacks get an index of their own.

use super::logs::{ErrorInfo, Event, LoggedAction, Status, Timestamp};
use super::pair::Logged;
use super::scope::{ClauseDiff, ScopeIndex};
use crate::diag::{Code, Diagnostic};
use crate::directory::Directory;
use crate::eval::{Outcomes, Plan};
use crate::value::parse_bool;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// A multiply-rotate hasher for the (row, cycle) keys of the reduction: SipHash's
/// protection against chosen keys buys nothing for row numbers and costs a tenth of the
/// reading time.
#[derive(Default)]
struct RowHasher(u64);

impl Hasher for RowHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type RowMap<V> = HashMap<(u32, u32), V, BuildHasherDefault<RowHasher>>;

/// Attributes whose update is a reference update (S37).
const REFERENCE_ATTRIBUTES: [&str; 2] = ["manager", "members"];

/// Distinct names kept per tally (other apps, unknown values): beyond, they are summed.
const MAX_NAMES: usize = 1000;

/// Directory rows by objectId.
#[derive(Debug, Clone, Default)]
pub struct UserIndex {
    guids: Vec<(u128, u32)>,
    other: HashMap<String, u32>,
}

/// A GUID in its usual text form (any case, braces allowed).
fn guid(s: &str) -> Option<u128> {
    let s = s.trim().trim_start_matches('{').trim_end_matches('}');
    if s.len() != 36 {
        return None;
    }
    let mut v: u128 = 0;
    for (i, b) in s.bytes().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if b != b'-' {
                return None;
            }
            continue;
        }
        let d = (b as char).to_digit(16)?;
        v = (v << 4) | u128::from(d);
    }
    Some(v)
}

impl UserIndex {
    /// Indexes the `objectId` column of a directory.
    pub fn new(dir: &Directory) -> Result<UserIndex, Diagnostic> {
        let Some(col) = dir.column("objectId") else {
            return Err(Diagnostic::error(
                Code::MissingColumn,
                "the directory export has no `objectId` column: provisioning logs name users by objectId (`sourceIdentity.id`)",
            )
            .with_help("export `id` (Graph) or `objectId` (CSV) with the users"));
        };
        let mut idx = UserIndex::default();
        for row in 0..dir.len() {
            let Some(id) = dir.value(row, col) else {
                continue;
            };
            let r = row as u32;
            match guid(id) {
                Some(g) => idx.guids.push((g, r)),
                None => {
                    idx.other.entry(id.to_ascii_lowercase()).or_insert(r);
                }
            }
        }
        idx.guids.sort_unstable();
        idx.guids.dedup_by_key(|(g, _)| *g);
        Ok(idx)
    }

    /// The row of an objectId.
    pub fn get(&self, id: &str) -> Option<usize> {
        match guid(id) {
            Some(g) => self
                .guids
                .binary_search_by_key(&g, |(k, _)| *k)
                .ok()
                .and_then(|i| self.guids.get(i))
                .map(|(_, r)| *r as usize),
            None => self
                .other
                .get(&id.to_ascii_lowercase())
                .map(|&r| r as usize),
        }
    }
}

/// Which events are the app's: `servicePrincipal` display name or id, or `jobId` (whole, or
/// its last `.`-separated part), compared ignoring ASCII case.
#[derive(Debug, Clone)]
pub struct AppSelector {
    names: Vec<String>,
}

impl AppSelector {
    /// Matches any of `names`.
    pub fn new(names: impl IntoIterator<Item = String>) -> AppSelector {
        AppSelector {
            names: names.into_iter().filter(|n| !n.is_empty()).collect(),
        }
    }

    /// The names matched.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// `Some(true)` for the app's events, `None` for events naming no app at all.
    pub fn matches(&self, ev: &Event) -> Option<bool> {
        let sp = &ev.service_principal;
        let cands = [
            sp.display_name.as_deref(),
            sp.id.as_deref(),
            ev.job_id.as_deref(),
            ev.job_id.as_deref().and_then(|j| j.rsplit('.').next()),
        ];
        if cands.iter().all(Option::is_none) {
            return None;
        }
        Some(
            cands
                .iter()
                .flatten()
                .any(|c| self.names.iter().any(|n| n.eq_ignore_ascii_case(c.trim()))),
        )
    }
}

/// One cycle of the logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    /// `cycleId` (`""` when events carry none).
    pub id: String,
    /// Earliest event.
    pub first: Option<Timestamp>,
    /// Latest event.
    pub last: Option<Timestamp>,
    /// Events of the app's users in the cycle.
    pub events: u64,
    /// Distinct objects.
    pub objects: u64,
}

/// A skip reason, stored small.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Skip {
    None,
    NotEffectivelyEntitled,
    RedundantExport,
    Other(Box<str>),
}

impl Skip {
    fn from(s: Option<&str>) -> Skip {
        match s {
            None => Skip::None,
            Some(s) if s.eq_ignore_ascii_case("NotEffectivelyEntitled") => {
                Skip::NotEffectivelyEntitled
            }
            Some(s) if s.eq_ignore_ascii_case("RedundantExport") => Skip::RedundantExport,
            Some(s) => Skip::Other(s.into()),
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Skip::None => None,
            Skip::NotEffectivelyEntitled => Some("NotEffectivelyEntitled"),
            Skip::RedundantExport => Some("RedundantExport"),
            Skip::Other(s) => Some(s),
        }
    }
}

/// `(activityDateTime in µs, position in the files)`.
type Order = (i64, u64);

/// A tri-state Boolean in two bits: 0 unknown, 1 false, 2 true.
fn tri(v: Option<bool>) -> u8 {
    match v {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    }
}

fn untri(v: u8) -> Option<bool> {
    match v & 3 {
        1 => Some(false),
        2 => Some(true),
        _ => None,
    }
}

/// The export action of one event.
#[derive(Debug, Clone)]
struct Rec {
    at: Order,
    action: u8,
    /// bit 0 soft delete; bits 1-2 assigned, 3-4 active, 5-6 scoping passed (tri-state).
    flags: u8,
    skip: Skip,
    clause: Option<Box<ClauseDiff>>,
}

/// Everything kept of one object in one cycle.
#[derive(Debug, Clone)]
pub struct Entry {
    main: Option<Rec>,
    reference: Option<(Order, u8)>,
    worst: u8,
    worst_at: Order,
    error: Option<Box<ErrorInfo>>,
    events: u32,
}

/// The scoping step's Booleans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScopeFacts {
    /// `Assigned to the application`.
    pub assigned: Option<bool>,
    /// `Active in the source system`.
    pub active: Option<bool>,
    /// `Scoping filter evaluation passed`.
    pub passed: Option<bool>,
}

impl Entry {
    /// The outcome as pairing reads it.
    pub fn logged(&self) -> Logged<'_> {
        let (action, skip, soft) = match (&self.main, &self.reference) {
            (Some(m), _) => (m.action, m.skip.as_str(), m.flags & 1 == 1),
            (None, Some((_, a))) => (*a, None, false),
            (None, None) => (LoggedAction::Unknown.to_u8(), None, false),
        };
        Logged {
            action: LoggedAction::from_u8(action),
            status: Status::from_u8(self.worst),
            skip_reason: skip,
            soft_delete: soft,
        }
    }

    /// The error of the most severe event, when it carried one.
    pub fn error(&self) -> Option<&ErrorInfo> {
        self.error.as_deref()
    }

    /// The first clause that differs from scopesim's, in the event that gave the action.
    pub fn clause(&self) -> Option<&ClauseDiff> {
        self.main.as_ref().and_then(|m| m.clause.as_deref())
    }

    /// The scoping step's Booleans, from the event that gave the action.
    pub fn scope(&self) -> ScopeFacts {
        let f = self.main.as_ref().map_or(0, |m| m.flags);
        ScopeFacts {
            assigned: untri(f >> 1),
            active: untri(f >> 3),
            passed: untri(f >> 5),
        }
    }

    /// Events reduced into this outcome.
    pub fn events(&self) -> u32 {
        self.events
    }
}

/// An object of the logs that the directory export does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Foreign {
    /// `sourceIdentity.id`.
    pub id: String,
    /// Its UPN, when the event carries one.
    pub upn: Option<String>,
}

/// Counts kept while reading, for warnings and the summary.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Events read.
    pub events: u64,
    /// Events of the app.
    pub app_events: u64,
    /// Events of other apps, by name.
    pub other_apps: BTreeMap<String, u64>,
    /// Events naming no app.
    pub unattributed: u64,
    /// Events of the app about objects other than users (`Group`, ...), by type.
    pub other_types: BTreeMap<String, u64>,
    /// Events without `cycleId`.
    pub no_cycle: u64,
    /// Undocumented or absent action values, by value.
    pub unknown_actions: BTreeMap<String, u64>,
    /// Undocumented or absent status values, by value.
    pub unknown_statuses: BTreeMap<String, u64>,
    /// `ScopeEvaluationResult`s that could not be read, and the first message.
    pub scope_errors: (u64, Option<String>),
    /// Job ids of the app's events.
    pub job_ids: BTreeMap<String, u64>,
}

fn tally(map: &mut BTreeMap<String, u64>, key: &str) {
    if let Some(n) = map.get_mut(key) {
        *n += 1;
    } else if map.len() < MAX_NAMES {
        map.insert(key.to_string(), 1);
    } else {
        *map.entry("(others)".to_string()).or_insert(0) += 1;
    }
}

/// What the reducer compares events against.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The compiled rules.
    pub plan: &'a Plan,
    /// Their results.
    pub outcomes: &'a Outcomes,
    /// The directory.
    pub dir: &'a Directory,
    /// The stage's clauses by log key.
    pub scope: &'a ScopeIndex,
    /// Users by objectId.
    pub index: &'a UserIndex,
    /// The app's events.
    pub selector: &'a AppSelector,
    /// Keep only this row (one user's explanation).
    pub only_row: Option<usize>,
}

/// The S37 reduction.
pub struct Reducer<'a> {
    ctx: Context<'a>,
    n: u32,
    entries: RowMap<Entry>,
    cycles: Vec<Cycle>,
    cycle_ids: HashMap<String, u32>,
    foreign: Vec<Foreign>,
    foreign_ids: HashMap<String, u32>,
    seq: u64,
    /// Counts for warnings.
    pub stats: Stats,
}

impl<'a> Reducer<'a> {
    /// An empty reduction.
    pub fn new(ctx: Context<'a>) -> Reducer<'a> {
        Reducer {
            n: ctx.dir.len() as u32,
            ctx,
            entries: RowMap::default(),
            cycles: Vec::new(),
            cycle_ids: HashMap::new(),
            foreign: Vec::new(),
            foreign_ids: HashMap::new(),
            seq: 0,
            stats: Stats::default(),
        }
    }

    /// Takes one event in.
    pub fn push(&mut self, ev: Event) -> Result<(), String> {
        self.seq += 1;
        self.stats.events += 1;
        match self.ctx.selector.matches(&ev) {
            Some(true) => {}
            Some(false) => {
                let name = ev
                    .service_principal
                    .display_name
                    .as_deref()
                    .or(ev.service_principal.id.as_deref())
                    .or(ev.job_id.as_deref())
                    .unwrap_or("");
                tally(&mut self.stats.other_apps, name);
                return Ok(());
            }
            None => {
                self.stats.unattributed += 1;
                return Ok(());
            }
        }
        self.stats.app_events += 1;
        if let Some(j) = &ev.job_id {
            tally(&mut self.stats.job_ids, j);
        }
        if let Some(t) = ev.source.identity_type.as_deref() {
            if !t.is_empty() && !t.eq_ignore_ascii_case("user") {
                tally(&mut self.stats.other_types, t);
                return Ok(());
            }
        }
        let id = match ev.source.id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => id,
            _ => {
                return Err(
                    "the event has no `sourceIdentity.id`, so scopesim cannot tell which user it is about"
                        .to_string(),
                );
            }
        };
        let row = self.ctx.index.get(id);
        // Cycle bookkeeping covers every event of the app, so that the choice of cycle is
        // the same for one user's explanation as for the whole reconciliation.
        let cycle_id = match ev.cycle_id.as_deref() {
            Some(c) if !c.is_empty() => c,
            _ => {
                self.stats.no_cycle += 1;
                ""
            }
        };
        let ci = match self.cycle_ids.get(cycle_id) {
            Some(&c) => c,
            None => {
                let c = self.cycles.len() as u32;
                self.cycles.push(Cycle {
                    id: cycle_id.to_string(),
                    first: None,
                    last: None,
                    events: 0,
                    objects: 0,
                });
                self.cycle_ids.insert(cycle_id.to_string(), c);
                c
            }
        };
        if let Some(cy) = self.cycles.get_mut(ci as usize) {
            cy.events += 1;
            if let Some(t) = ev.time {
                cy.first = Some(cy.first.map_or(t, |f| f.min(t)));
                cy.last = Some(cy.last.map_or(t, |l| l.max(t)));
            }
        }
        if let Some(only) = self.ctx.only_row {
            if row != Some(only) {
                return Ok(());
            }
        }
        let action = ev.logged_action();
        let status = ev.logged_status();
        if action == LoggedAction::Unknown {
            tally(
                &mut self.stats.unknown_actions,
                ev.action.as_deref().unwrap_or("(absent)"),
            );
        }
        if status == Status::Unknown {
            tally(
                &mut self.stats.unknown_statuses,
                ev.status.as_deref().unwrap_or("(absent)"),
            );
        }
        let obj = match row {
            Some(r) => r as u32,
            None => {
                let key = id.to_ascii_lowercase();
                match self.foreign_ids.get(&key) {
                    Some(&f) => self.n + f,
                    None => {
                        let f = self.foreign.len() as u32;
                        let upn = ev.source.upn.clone().or_else(|| {
                            ev.step("import")
                                .and_then(|s| s.detail("userPrincipalName"))
                                .map(str::to_string)
                        });
                        self.foreign.push(Foreign {
                            id: id.to_string(),
                            upn,
                        });
                        self.foreign_ids.insert(key, f);
                        self.n + f
                    }
                }
            }
        };
        let clause = match row {
            Some(r) => {
                match self
                    .ctx
                    .scope
                    .compare(self.ctx.plan, self.ctx.outcomes, self.ctx.dir, r, &ev)
                {
                    Ok(d) => d.map(Box::new),
                    Err(msg) => {
                        self.stats.scope_errors.0 += 1;
                        self.stats.scope_errors.1.get_or_insert(msg);
                        None
                    }
                }
            }
            None => None,
        };
        let scoping = ev.step("scoping");
        let fact = |keys: &[&str]| {
            scoping.and_then(|s| keys.iter().find_map(|k| s.detail(k)).and_then(parse_bool))
        };
        let assigned = fact(&["Assigned to the application", "Assigned"]);
        let active = fact(&["Active in the source system", "IsActive"]);
        let passed = fact(&[
            "Scoping filter evaluation passed",
            "IsInProvisioningScope",
            "IsInProvisioningScopeDisplayName",
        ]);
        let soft = soft_delete(&ev);
        let flags = u8::from(soft) | tri(assigned) << 1 | tri(active) << 3 | tri(passed) << 5;
        let reference = is_reference(&ev);
        let at: Order = (ev.time.map_or(i64::MIN, Timestamp::micros), self.seq);
        let error = (status >= Status::Warning && !ev.error.is_empty()).then(|| ev.error.clone());
        let skip = Skip::from(ev.skip_reason());
        let entry = self.entries.entry((obj, ci)).or_insert_with(|| Entry {
            main: None,
            reference: None,
            worst: 0,
            worst_at: (i64::MIN, 0),
            error: None,
            events: 0,
        });
        if entry.events == 0 {
            if let Some(cy) = self.cycles.get_mut(ci as usize) {
                cy.objects += 1;
            }
        }
        entry.events = entry.events.saturating_add(1);
        // S37: the most severe status, and the error of its latest event.
        let s = status.to_u8();
        if s > entry.worst || (s == entry.worst && at >= entry.worst_at) {
            if s > entry.worst || error.is_some() {
                entry.error = error.map(Box::new);
            }
            entry.worst = s;
            entry.worst_at = at;
        }
        // S37: the last export action; a reference update never overrides it.
        if reference {
            if entry.reference.is_none_or(|(o, _)| at >= o) {
                entry.reference = Some((at, action.to_u8()));
            }
        } else if entry.main.as_ref().is_none_or(|m| at >= m.at) {
            entry.main = Some(Rec {
                at,
                action: action.to_u8(),
                flags,
                skip,
                clause,
            });
        }
        Ok(())
    }

    /// The cycles seen, in order of first appearance.
    pub fn cycles(&self) -> &[Cycle] {
        &self.cycles
    }

    /// Objects the directory lacks, by index (object index minus the directory size).
    pub fn foreign(&self) -> &[Foreign] {
        &self.foreign
    }

    /// Number of directory rows (object indexes below it are rows).
    pub fn rows(&self) -> usize {
        self.n as usize
    }

    /// The outcome of every object (rows, then foreign objects) over `cycles` (indexes
    /// into [`Reducer::cycles`]): each object's outcome in the latest of those cycles it
    /// appears in.
    pub fn outcomes(&self, cycles: &[usize]) -> Vec<Option<&Entry>> {
        let total = self.n as usize + self.foreign.len();
        let mut rank: HashMap<u32, usize> = HashMap::new();
        let mut by_time: Vec<usize> = cycles.to_vec();
        by_time.sort_by_key(|&c| {
            self.cycles
                .get(c)
                .map(|cy| (cy.last, cy.first, c))
                .unwrap_or_default()
        });
        for (r, &c) in by_time.iter().enumerate() {
            rank.insert(c as u32, r + 1);
        }
        let mut best: Vec<(usize, Option<&Entry>)> = vec![(0, None); total];
        for (&(obj, c), e) in &self.entries {
            let Some(&r) = rank.get(&c) else { continue };
            if let Some(slot) = best.get_mut(obj as usize) {
                if r > slot.0 {
                    *slot = (r, Some(e));
                }
            }
        }
        best.into_iter().map(|(_, e)| e).collect()
    }
}

/// S38: an update exporting `active=false` (or `IsSoftDeleted=true`) is a disable.
fn soft_delete(ev: &Event) -> bool {
    ev.steps
        .iter()
        .any(|s| s.name.eq_ignore_ascii_case("EntryExportUpdateSoftDelete"))
        || ev.modified.iter().any(|m| {
            let v = m.new.as_deref().and_then(parse_bool);
            (m.name.eq_ignore_ascii_case("active") && v == Some(false))
                || (m.name.eq_ignore_ascii_case("IsSoftDeleted") && v == Some(true))
        })
}

/// S37: an event with a `referenceResolution` step whose changes are all reference
/// attributes (or none).
fn is_reference(ev: &Event) -> bool {
    ev.step("referenceResolution").is_some()
        && ev.modified.iter().all(|m| {
            REFERENCE_ATTRIBUTES
                .iter()
                .any(|r| m.name.eq_ignore_ascii_case(r))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_parse_in_any_case() {
        let a = guid("146de049-11a3-55e3-9983-6960ccc58899").unwrap();
        assert_eq!(guid("146DE049-11A3-55E3-9983-6960CCC58899"), Some(a));
        assert_eq!(guid("{146de049-11a3-55e3-9983-6960ccc58899}"), Some(a));
        assert!(guid("146de049_11a3-55e3-9983-6960ccc58899").is_none());
        assert!(guid("alice@contoso.com").is_none());
    }
}
