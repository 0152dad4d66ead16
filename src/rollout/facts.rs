//! What the rollout needs to know of each user besides the filters, read once per row
//! group: activity (S25), the rows of the ids that the assignment and target-state files
//! name, the values of the matching attributes that target-state accounts hold (S32), and
//! whether each user has a value for them at all (`ImportSkipped`).
//!
//! A streaming reader drops a row group's values once it is evaluated, so everything a
//! later step looks up is collected here, on the parsing threads. Only the ids and values
//! the small input files name are indexed, so memory follows those files, not the
//! directory; without a target state or explicit matching attributes nothing of matching
//! runs per user.

use super::RolloutInputs;
use super::matching::{
    MatchAttr, match_override, matching_attributes, matching_modeled, target_names,
};
use crate::directory::assignments::{IdKey, IdMap, IdNumbers, IdSet, PrincipalType, parse_guid};
use crate::directory::{Chunk, Directory};
use crate::eval::Bits;
use crate::rules::RuleSet;
use crate::value::parse_bool;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// No directory row (in [`UserFacts::member_rows`]).
pub const NO_ROW: u32 = u32::MAX;

/// How many unreadable `accountEnabled` values a warning shows.
pub(crate) const EXAMPLES: usize = 3;

/// Case-insensitive lookup of users by objectId or userPrincipalName.
#[derive(Debug, Clone, Default)]
pub struct IdIndex {
    /// Id (ASCII case ignored) to (row, the id is that user's objectId rather than its UPN).
    map: IdMap<(usize, bool)>,
}

impl IdIndex {
    /// The user with this objectId or UPN (ASCII case ignored).
    pub fn get(&self, id: &str) -> Option<usize> {
        self.map.get(id).map(|&(row, _)| row)
    }

    /// The user with this objectId (ASCII case ignored): what an `externalId` names (S31).
    pub fn object_id(&self, id: &str) -> Option<usize> {
        self.map
            .get(id)
            .filter(|(_, is_id)| *is_id)
            .map(|&(row, _)| row)
    }
}

/// Users by the value of a matching attribute, for the values target-state accounts hold
/// (S32): the lowercased value to every `(row, value as exported)`.
#[derive(Debug, Clone, Default)]
pub struct MatchIndex {
    map: HashMap<(usize, String), Vec<(usize, String)>>,
}

impl MatchIndex {
    /// Users whose attribute `attr` (an index into [`UserFacts::match_attrs`]) equals
    /// `value` ignoring case, with their value as exported, in row order.
    pub fn rows(&self, attr: usize, value: &str) -> &[(usize, String)] {
        self.map
            .get(&(attr, value.to_lowercase()))
            .map_or(&[], Vec::as_slice)
    }
}

/// What the rollout knows of each user besides the filters.
#[derive(Debug, Clone)]
pub struct UserFacts {
    /// Active users (S25).
    pub active: Bits,
    /// Users whose `accountEnabled` is null (counted as active).
    pub null_enabled: usize,
    /// Users whose `accountEnabled` is neither true, false nor null (not active, S25).
    pub unreadable_enabled: usize,
    /// A few of those values, for the warning.
    pub unreadable_examples: Vec<String>,
    /// The export has an `accountEnabled` column at all.
    pub has_enabled_column: bool,
    /// Rows by objectId and UPN, for the ids that matter.
    pub index: IdIndex,
    /// Per group-member number ([`crate::directory::assignments::MemberEntry::number`]),
    /// the row of the user whose objectId (or UPN) it is, or [`NO_ROW`]: found while the
    /// directory streams, so that candidacy indexes an array instead of looking up ids.
    pub member_rows: Vec<u32>,
    /// The matching attributes read (source names, S32), in [`FactColumns`] order.
    pub match_attrs: Vec<String>,
    /// Per matching attribute, the users with a value (`None` when the export has no such
    /// column).
    pub present: Vec<Option<Bits>>,
    /// Users by matching value, for the values target-state accounts hold.
    pub matches: MatchIndex,
    /// Per matching attribute, a hash of every user's value (exact, and ignoring case;
    /// 0 for NULL), so that two users with the same value are found among all users
    /// without keeping the values (S32 `DuplicateSourceEntries`). `None` when the export
    /// has no such column.
    pub hashes: Vec<Option<ValueHashes>>,
}

/// Per-user hashes of one matching attribute's values (see [`UserFacts::hashes`]).
#[derive(Debug, Clone, Default)]
pub struct ValueHashes {
    /// Of the value as exported.
    pub exact: Vec<u64>,
    /// Of the value in lower case.
    pub folded: Vec<u64>,
}

impl ValueHashes {
    /// The hash of user `row`'s value (0 for NULL), ignoring case or not.
    pub fn get(&self, row: usize, ignore_case: bool) -> u64 {
        let v = if ignore_case {
            &self.folded
        } else {
            &self.exact
        };
        v.get(row).copied().unwrap_or(0)
    }
}

/// A value's hash, never 0 (0 stands for NULL). FNV-1a: deterministic across runs and
/// threads [decision: two different values share a 64-bit hash with a probability below
/// 10^-7 among a million users].
pub fn value_hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h.max(1)
}

impl UserFacts {
    /// The index of a matching attribute in [`UserFacts::match_attrs`].
    pub fn match_attr(&self, name: &str) -> Option<usize> {
        self.match_attrs.iter().position(|a| a == name)
    }

    /// S32: the values of a matching attribute whose source is an expression (`name` is
    /// its text), computed per user by the attribute-mapping stage (`None` for NULL or an
    /// expression that fails for the user). They stand where a directory column would:
    /// who has a value (`ImportSkipped`), who holds a value a target-state account holds,
    /// and the hashes for duplicates.
    pub fn set_computed<'v>(
        &mut self,
        cols: &FactColumns,
        name: &str,
        n: usize,
        values: impl Iterator<Item = Option<&'v str>>,
    ) {
        let Some(k) = self.match_attr(name) else {
            return;
        };
        let wanted = cols.match_wanted.get(k).filter(|w| !w.is_empty());
        let (present, hashes, hits) = read_match_values(n, values, wanted);
        for (row, lower, original) in hits {
            self.matches
                .map
                .entry((k, lower))
                .or_default()
                .push((row, original));
        }
        if let Some(p) = self.present.get_mut(k) {
            *p = Some(present);
        }
        if let Some(h) = self.hashes.get_mut(k) {
            *h = Some(hashes);
        }
    }
}

/// One matching attribute's values, row by row (`None` for NULL): who has a value, the
/// hashes of every value (exact and lowercased), and `(row, lowercased, as exported)` of
/// the values in `wanted` (those target-state accounts hold).
fn read_match_values<'v>(
    n: usize,
    values: impl Iterator<Item = Option<&'v str>>,
    wanted: Option<&HashSet<String>>,
) -> (Bits, ValueHashes, Vec<(usize, String, String)>) {
    let mut present = Bits::zeros(n);
    let mut hashes = ValueHashes {
        exact: vec![0; n],
        folded: vec![0; n],
    };
    let mut hits = Vec::new();
    for (row, v) in values.enumerate().take(n) {
        let Some(v) = v else { continue };
        present.set(row, true);
        let lower = v.to_lowercase();
        if let (Some(e), Some(f)) = (hashes.exact.get_mut(row), hashes.folded.get_mut(row)) {
            *e = value_hash(v);
            *f = value_hash(&lower);
        }
        if wanted.is_some_and(|w| w.contains(&lower)) {
            hits.push((row, lower, v.to_string()));
        }
    }
    (present, hashes, hits)
}

/// The columns [`UserFacts`] read, resolved once.
#[derive(Debug, Clone)]
pub struct FactColumns {
    enabled: Option<usize>,
    deleted: Option<usize>,
    ids: Vec<(usize, bool)>,
    /// Shared: the streaming reader keeps a copy of the columns.
    wanted: Arc<IdSet>,
    /// The group members' numbers, shared with the membership.
    members: Option<Arc<IdNumbers<true>>>,
    match_cols: Vec<(String, Option<usize>)>,
    match_wanted: Vec<HashSet<String>>,
}

impl FactColumns {
    /// True when the export has an `accountEnabled` column.
    pub fn has_enabled(&self) -> bool {
        self.enabled.is_some()
    }

    /// Resolves the columns against a directory (or its schema) for the ids `inputs`
    /// name and the matching attributes of the apps of `rules` whose matching is modelled.
    pub fn new(dir: &Directory, rules: &RuleSet, inputs: RolloutInputs<'_>) -> FactColumns {
        let attrs = fact_match_attributes(rules, inputs);
        let mut match_wanted: Vec<HashSet<String>> = vec![HashSet::new(); attrs.len()];
        for app in &rules.apps {
            let app_attrs = matching_attributes(app, match_override(app, inputs));
            for ts in inputs
                .target_states
                .iter()
                .filter(|t| t.app == app.name.node)
            {
                for a in &app_attrs {
                    let Some(k) = attrs.iter().position(|x| *x == a.source) else {
                        continue;
                    };
                    let Some(col) = ts.column(&target_names(a)) else {
                        continue;
                    };
                    if let Some(set) = match_wanted.get_mut(k) {
                        set.extend(
                            ts.accounts
                                .iter()
                                .filter_map(|acc| acc.value(col))
                                .map(str::to_lowercase),
                        );
                    }
                }
            }
        }
        FactColumns {
            enabled: dir.column("accountEnabled"),
            deleted: dir.column("IsSoftDeleted"),
            ids: [("objectId", true), ("userPrincipalName", false)]
                .iter()
                .filter_map(|(c, is_id)| dir.column(c).map(|c| (c, *is_id)))
                .collect(),
            wanted: Arc::new(wanted_ids(inputs)),
            members: inputs.group_members.map(|g| g.numbers()),
            match_cols: attrs
                .into_iter()
                .map(|a| {
                    let col = dir.column(&a).or_else(|| dir.column_ignore_case(&a));
                    (a, col)
                })
                .collect(),
            match_wanted,
        }
    }
}

/// The matching attributes (source names) whose values the rollout reads: those of
/// every app whose matching is modelled (a target state, `--match-on`, or the schema's
/// matching attributes), unique, in first-seen order.
pub fn fact_match_attributes(rules: &RuleSet, inputs: RolloutInputs<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for app in rules.apps.iter().filter(|a| matching_modeled(a, inputs)) {
        for MatchAttr { source, .. } in matching_attributes(app, match_override(app, inputs)) {
            if !out.contains(&source) {
                out.push(source);
            }
        }
    }
    out
}

/// [`UserFacts`] of one row group, rows local to it.
#[derive(Debug, Clone)]
pub struct ChunkFacts {
    active: Bits,
    null_enabled: usize,
    unreadable_enabled: usize,
    unreadable_examples: Vec<String>,
    ids: Vec<(IdKey, usize, bool)>,
    /// `(member number, row)` of the users that group members name.
    member_hits: Vec<(u32, u32)>,
    present: Vec<Option<Bits>>,
    hits: Vec<(usize, String, String, usize)>,
    hashes: Vec<Option<ValueHashes>>,
}

/// Reads activity (S25: `accountEnabled` true, or null with a warning, and not
/// `IsSoftDeleted`; any other value is not active), the wanted ids and the matching
/// values of one row group.
pub fn chunk_facts(chunk: &Chunk, cols: &FactColumns) -> ChunkFacts {
    let n = chunk.len();
    let mut f = ChunkFacts {
        active: Bits::ones(n),
        null_enabled: 0,
        unreadable_enabled: 0,
        unreadable_examples: Vec::new(),
        ids: Vec::new(),
        member_hits: Vec::new(),
        present: Vec::with_capacity(cols.match_cols.len()),
        hits: Vec::new(),
        hashes: Vec::with_capacity(cols.match_cols.len()),
    };
    match cols.enabled.and_then(|c| chunk.text(c)) {
        Some(col) => {
            for (i, v) in col.iter().enumerate() {
                match v.map(|v| (v, parse_bool(v))) {
                    Some((_, Some(true))) => {}
                    Some((_, Some(false))) => f.active.set(i, false),
                    Some((v, None)) => {
                        // S25: neither true, false nor null: not active.
                        f.active.set(i, false);
                        f.unreadable_enabled += 1;
                        if f.unreadable_examples.len() < EXAMPLES
                            && !f.unreadable_examples.iter().any(|e| e == v)
                        {
                            f.unreadable_examples.push(v.to_string());
                        }
                    }
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
    let members = cols.members.as_deref().filter(|m| !m.is_empty());
    let wanted = Some(cols.wanted.as_ref()).filter(|w| !w.is_empty());
    if wanted.is_some() || members.is_some() {
        let mut guids: Vec<Option<u128>> = Vec::new();
        for &(c, is_id) in &cols.ids {
            let Some(t) = chunk.text(c) else { continue };
            // Each id is parsed once, for both lookups.
            guids.clear();
            guids.extend(t.iter().map(|v| v.and_then(parse_guid)));
            if let Some(m) = members {
                // A loop of look-ups only: the processor overlaps the cache misses of
                // several (the member table is larger than the cache), which it could
                // not while each was between two GUID parses.
                for (i, g) in guids.iter().enumerate() {
                    if let Some(number) = g.and_then(|g| m.guid(g)) {
                        f.member_hits.push((number, i as u32));
                    }
                }
            }
            for ((i, v), &guid) in t.iter().enumerate().zip(&guids) {
                let Some(v) = v else { continue };
                if wanted.is_some_and(|w| w.get_parsed(v, guid).is_some()) {
                    let key = match guid {
                        Some(g) => IdKey::Guid(g),
                        None => IdSet::<false>::key(v),
                    };
                    f.ids.push((key, i, is_id));
                }
            }
        }
    }
    for (k, (_, col)) in cols.match_cols.iter().enumerate() {
        let Some(t) = col.and_then(|c| chunk.text(c)) else {
            // The column is in the export's schema but absent from this row group (a
            // later Graph page without the property): null here.
            f.present.push(col.map(|_| Bits::zeros(n)));
            f.hashes.push(col.map(|_| ValueHashes {
                exact: vec![0; n],
                folded: vec![0; n],
            }));
            continue;
        };
        let wanted = cols.match_wanted.get(k).filter(|w| !w.is_empty());
        let (present, hashes, hits) = read_match_values(n, t.iter(), wanted);
        f.hits.extend(
            hits.into_iter()
                .map(|(i, lower, original)| (k, lower, original, i)),
        );
        f.present.push(Some(present));
        f.hashes.push(Some(hashes));
    }
    f
}

impl UserFacts {
    /// Reads the facts of every user of a directory.
    pub fn from_directory(
        dir: &Directory,
        rules: &RuleSet,
        inputs: RolloutInputs<'_>,
    ) -> UserFacts {
        use rayon::prelude::*;
        let cols = FactColumns::new(dir, rules, inputs);
        // Row groups in parallel, as the parsing threads do when a directory streams.
        let parts: Vec<ChunkFacts> = dir
            .chunk_slice()
            .par_iter()
            .map(|c| chunk_facts(c, &cols))
            .collect();
        let starts = dir.chunk_starts().iter().copied();
        UserFacts::assemble(dir.len(), &cols, starts.zip(&parts))
    }

    /// Puts row-group facts (`(first row, facts)`, in row order) together.
    pub fn assemble<'f>(
        n: usize,
        cols: &FactColumns,
        parts: impl IntoIterator<Item = (usize, &'f ChunkFacts)>,
    ) -> UserFacts {
        let mut active = Bits::zeros(n);
        let mut present: Vec<Option<Bits>> = cols
            .match_cols
            .iter()
            .map(|(_, c)| c.map(|_| Bits::zeros(n)))
            .collect();
        let mut facts = UserFacts {
            active: Bits::default(),
            null_enabled: 0,
            unreadable_enabled: 0,
            unreadable_examples: Vec::new(),
            has_enabled_column: cols.has_enabled(),
            index: IdIndex::default(),
            member_rows: vec![NO_ROW; cols.members.as_ref().map_or(0, |m| m.len())],
            match_attrs: cols.match_cols.iter().map(|(a, _)| a.clone()).collect(),
            present: Vec::new(),
            matches: MatchIndex::default(),
            hashes: Vec::new(),
        };
        let mut hashes: Vec<Option<ValueHashes>> = cols
            .match_cols
            .iter()
            .map(|(_, c)| {
                c.map(|_| ValueHashes {
                    exact: vec![0; n],
                    folded: vec![0; n],
                })
            })
            .collect();
        for (start, f) in parts {
            active.copy_from(&f.active, start);
            facts.null_enabled += f.null_enabled;
            facts.unreadable_enabled += f.unreadable_enabled;
            for e in &f.unreadable_examples {
                if facts.unreadable_examples.len() < EXAMPLES
                    && !facts.unreadable_examples.contains(e)
                {
                    facts.unreadable_examples.push(e.clone());
                }
            }
            for (key, local, is_id) in &f.ids {
                facts
                    .index
                    .map
                    .key_or_insert_with(key.clone(), || (start + local, *is_id));
            }
            for &(number, local) in &f.member_hits {
                if let Some(slot) = facts.member_rows.get_mut(number as usize) {
                    if *slot == NO_ROW {
                        *slot = u32::try_from(start + local as usize).unwrap_or(NO_ROW);
                    }
                }
            }
            for (all, part) in present.iter_mut().zip(&f.present) {
                if let (Some(all), Some(part)) = (all, part) {
                    all.copy_from(part, start);
                }
            }
            for (all, part) in hashes.iter_mut().zip(&f.hashes) {
                if let (Some(all), Some(part)) = (all, part) {
                    for (dst, src) in [
                        (&mut all.exact, &part.exact),
                        (&mut all.folded, &part.folded),
                    ] {
                        if let Some(d) = dst.get_mut(start..start + src.len()) {
                            d.copy_from_slice(src);
                        }
                    }
                }
            }
            for (k, lower, original, local) in &f.hits {
                facts
                    .matches
                    .map
                    .entry((*k, lower.clone()))
                    .or_default()
                    .push((start + local, original.clone()));
            }
        }
        facts.active = active;
        facts.present = present;
        facts.hashes = hashes;
        facts
    }
}

/// The ids (ASCII case ignored) that assignments, group memberships and target states
/// name: only those are indexed, so memory follows the assignment files, not the
/// directory.
pub fn wanted_ids(inputs: RolloutInputs<'_>) -> IdSet {
    let mut wanted = IdSet::default();
    if let Some(a) = inputs.assignments {
        for x in a
            .items
            .iter()
            .filter(|x| x.principal_type == PrincipalType::User)
        {
            wanted.add(&x.principal_id);
        }
        if let Some(g) = inputs.group_members.filter(|g| g.has_text_members()) {
            // Members named by GUID are found through `member_rows`; only the others
            // (UPNs, say) are looked up as ids.
            let groups = a
                .items
                .iter()
                .filter(|x| x.principal_type == PrincipalType::Group)
                .filter_map(|x| g.group_position(&x.principal_id));
            let reach = super::candidacy::reachable_members(g, groups);
            for m in reach.users.into_iter().filter(|&m| g.member_is_text(m)) {
                wanted.add(&g.member_id(m));
            }
        }
    }
    for ts in inputs.target_states {
        for id in ts.accounts.iter().filter_map(|a| a.external_id.as_deref()) {
            wanted.add(id);
        }
    }
    wanted
}
