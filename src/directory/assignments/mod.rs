//! Who is assigned to which app, who is in which group, and which accounts an app already
//! has: the inputs besides the user directory that decide candidates (spec S24) and the
//! managed state (S26).
//!
//! Assignment and target-state files are small next to a directory export (thousands of
//! rows, not millions), so each is read whole, decoded like the directory (BOM, UTF-16)
//! and parsed with the same CSV record parser, so a quote error reads the same
//! everywhere. A member list can have as many rows as the directory: a CSV one is
//! streamed in parallel blocks first (`member_stream`), and read whole only when that
//! fast path refuses it. JSON forms (Graph
//! `appRoleAssignedTo`, group `members` pages, SCIM `ListResponse`) are parsed record by
//! record from raw slices of the text, so that every record keeps its line number for
//! messages. Object ids and user principal names are compared ignoring case, as Entra
//! does.

mod app_roles;
mod ids;
mod member_stream;
mod members;
mod target;

pub use app_roles::{AssignmentFile, read_assignment_files, read_assignments};
pub use ids::{IdKey, IdMap, IdNumbers, IdSet, parse_guid};
pub use members::{MemberFile, read_group_members, read_member_files};
pub use target::{TargetAccount, TargetState, read_target_state};

use super::csv::{MAX_ROW_ERRORS, Table, parse_table, read_small_text};
use super::encoding::Encoding;
use super::{InputFormat, InputInfo};
use crate::diag::{Code, Diagnostic, Errors, FileLocation};
use crate::schema;
use crate::value::parse_bool;
use rustc_hash::FxHashMap;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

/// What an assignment or membership points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum PrincipalType {
    /// A user.
    User,
    /// A group (whose direct members are candidates, S24).
    Group,
}

impl PrincipalType {
    /// Parses `User`/`Group` (any case) and Graph's `#microsoft.graph.user`/`group`.
    pub fn parse(s: &str) -> Option<PrincipalType> {
        let s = s.trim();
        let s = s.strip_prefix("#microsoft.graph.").unwrap_or(s);
        if s.eq_ignore_ascii_case("user") {
            Some(PrincipalType::User)
        } else if s.eq_ignore_ascii_case("group") {
            Some(PrincipalType::Group)
        } else {
            None
        }
    }

    /// `User` or `Group`.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::User => "User",
            PrincipalType::Group => "Group",
        }
    }
}

/// One app assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The app (Graph `resourceDisplayName`).
    pub app: String,
    /// User or group.
    pub principal_type: PrincipalType,
    /// A user's objectId or userPrincipalName, or a group's objectId.
    pub principal_id: String,
    /// Line in the file.
    pub line: u64,
}

/// Assignments read from one file.
#[derive(Debug, Clone, Default)]
pub struct Assignments {
    /// In file order.
    pub items: Vec<Assignment>,
    /// The file read.
    pub inputs: Vec<InputInfo>,
}

/// A direct member of a group, as a caller spells it ([`GroupMembers::from_edges`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// objectId (or userPrincipalName) of the member.
    pub id: String,
    /// User or nested group.
    pub kind: PrincipalType,
}

/// A direct member as [`GroupMembers`] keeps it, in four bytes: the member's number (its
/// id is [`GroupMembers::member_id`]) and whether it is a nested group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemberEntry(u32);

impl MemberEntry {
    fn new(number: u32, kind: PrincipalType) -> MemberEntry {
        MemberEntry((number << 1) | u32::from(kind == PrincipalType::Group))
    }

    /// The member's number: the same for every group the member is in.
    pub fn number(self) -> u32 {
        self.0 >> 1
    }

    /// User or nested group.
    pub fn kind(self) -> PrincipalType {
        if self.0 & 1 == 1 {
            PrincipalType::Group
        } else {
            PrincipalType::User
        }
    }
}

/// Member numbers take 31 bits (the last one says "group"): more distinct members than
/// that is an error, not a wrap-around.
const MEMBER_LIMIT: u32 = u32::MAX >> 1;

#[derive(Debug, Clone, Default)]
struct Group {
    id: String,
    members: Vec<MemberEntry>,
}

/// No list of groups (a member number that is in no group).
const NO_LIST: u32 = u32::MAX;

/// Direct members of groups (nested groups appear as members of kind `Group`; their own
/// members are not expanded, S24).
///
/// Shaped for member lists of a million rows: every member id gets a number once (a GUID
/// is parsed to a 128-bit key, [`IdNumbers`]), a group's members are those numbers,
/// duplicates are found by number, and which groups hold a member is a compact adjacency
/// (member number to one of the distinct lists of groups, built once all files are read)
/// rather than a list of strings per member. The directory stream looks its users' ids up
/// in [`GroupMembers::numbers`], so candidacy is array indexing, not a lookup per member.
#[derive(Debug, Clone, Default)]
pub struct GroupMembers {
    groups: Vec<Group>,
    index: IdMap<u32, true>,
    /// Group ids exactly as written to their positions, while reading: groups are few and
    /// named on every row, so this small map answers before `index` is asked.
    spelled: FxHashMap<Box<str>, u32>,
    /// Member ids (lowercased, as `index`) to their numbers; shared with the directory
    /// stream.
    ids: Arc<IdNumbers<true>>,
    /// `(member, group)` of every member row, in file order, repeats included, while
    /// reading.
    edges: Vec<(MemberEntry, u32)>,
    /// Member number to its groups, an index into `lists` (or [`NO_LIST`]).
    member_of: Vec<u32>,
    /// The distinct lists of groups (ids as written) that members are in.
    lists: Vec<Vec<String>>,
    /// Member number of a group to its position among the groups read.
    nested: FxHashMap<u32, u32>,
    /// Member rows dropped because every member number was taken.
    overflow: u64,
    names: IdMap<String, true>,
    inputs: Vec<InputInfo>,
    diagnostics: Vec<Diagnostic>,
}

impl GroupMembers {
    /// The direct members of a group, in file order, without duplicates (empty when the
    /// group is unknown).
    pub fn direct_members(&self, group: &str) -> &[MemberEntry] {
        self.group_position(group)
            .map_or(&[], |i| self.members_at(i))
    }

    /// The direct members of a group with their ids (see [`GroupMembers::member_id`]),
    /// in file order: for callers that show them.
    pub fn members(&self, group: &str) -> Vec<Member> {
        self.direct_members(group)
            .iter()
            .map(|&m| Member {
                id: self.member_id(m).into_owned(),
                kind: m.kind(),
            })
            .collect()
    }

    /// The direct members of the group at a position ([`GroupMembers::group_position`]).
    pub fn members_at(&self, position: u32) -> &[MemberEntry] {
        self.groups
            .get(position as usize)
            .map_or(&[], |g| g.members.as_slice())
    }

    /// The position of a group among those read (ignoring case).
    pub fn group_position(&self, group: &str) -> Option<u32> {
        self.index.get(group).copied()
    }

    /// The id of the group at a position, as first written.
    pub fn group_id(&self, position: u32) -> &str {
        self.groups
            .get(position as usize)
            .map_or("", |g| g.id.as_str())
    }

    /// The position of the group that a member of kind `Group` is, when that group's
    /// members were read.
    pub fn nested_group(&self, member: MemberEntry) -> Option<u32> {
        self.nested.get(&member.number()).copied()
    }

    /// A member's id: as written when it is not a GUID, else the GUID in lowercase.
    pub fn member_id(&self, member: MemberEntry) -> Cow<'_, str> {
        self.ids.id(member.number())
    }

    /// True when a member's id is not a GUID (a UPN, say): such ids are matched to users
    /// as text.
    pub fn member_is_text(&self, member: MemberEntry) -> bool {
        self.ids.is_text(member.number())
    }

    /// True when some member id is not a GUID.
    pub fn has_text_members(&self) -> bool {
        self.ids.has_text_ids()
    }

    /// The member numbers by id, for looking users up while the directory streams.
    pub fn numbers(&self) -> Arc<IdNumbers<true>> {
        self.ids.clone()
    }

    /// Number of distinct member ids.
    pub fn member_count(&self) -> usize {
        self.ids.len()
    }

    /// The groups that directly contain a member id.
    pub fn groups_of(&self, member: &str) -> &[String] {
        self.ids
            .get(member)
            .and_then(|m| self.member_of.get(m as usize))
            .and_then(|&l| self.lists.get(l as usize))
            .map_or(&[], Vec::as_slice)
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// True when no group was read.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// A group's display name, when a file gave one.
    pub fn display_name(&self, group: &str) -> Option<&str> {
        self.names.get(group).map(String::as_str)
    }

    /// Group ids, in the order first seen.
    pub fn groups(&self) -> impl Iterator<Item = &str> {
        self.groups.iter().map(|g| g.id.as_str())
    }

    /// True when a group is known (listed with members or without).
    pub fn has_group(&self, group: &str) -> bool {
        self.index.contains(group)
    }

    /// The files read.
    pub fn inputs(&self) -> &[InputInfo] {
        &self.inputs
    }

    /// Builds membership from `(group id, member)` pairs, as the readers do: for tests,
    /// and for callers that get membership from elsewhere.
    pub fn from_edges(edges: impl IntoIterator<Item = (String, Member)>) -> GroupMembers {
        let mut g = GroupMembers::default();
        for (group, m) in edges {
            g.add(&group, &m.id, m.kind);
        }
        g.finish();
        g
    }

    /// Warnings found while reading (members that are neither users nor groups).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The position of a group, added (as written) when new.
    fn group_index(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.spelled.get(id) {
            return i;
        }
        let next = self.groups.len() as u32;
        let i = *self.index.get_or_insert_with(id, || next);
        if i == next {
            self.groups.push(Group {
                id: id.to_string(),
                members: Vec::new(),
            });
        }
        self.spelled.insert(id.into(), i);
        i
    }

    fn group_mut(&mut self, id: &str) {
        self.group_index(id);
    }

    fn add(&mut self, group: &str, member: &str, kind: PrincipalType) {
        let g = self.group_index(group);
        let numbered = Arc::make_mut(&mut self.ids).number(member, MEMBER_LIMIT);
        self.add_numbered(g, numbered, kind);
    }

    /// Room for about `rows` more member rows (estimated from a file's first block).
    fn reserve_rows(&mut self, rows: usize) {
        Arc::make_mut(&mut self.ids).reserve(rows);
        self.edges.reserve(rows);
    }

    /// Adds a member already numbered (`None`: no number was left). A row that repeats
    /// a membership is dropped by [`GroupMembers::finish`], which can find repeats by
    /// member in one pass: looking each row up here would cost a random access per row
    /// on the one thread that numbers them.
    fn add_numbered(&mut self, g: u32, numbered: Option<(u32, bool)>, kind: PrincipalType) {
        match numbered {
            Some((m, _)) => self.edges.push((MemberEntry::new(m, kind), g)),
            None => self.overflow += 1,
        }
    }

    fn name(&mut self, group: &str, name: &str) {
        if !name.is_empty() {
            self.group_mut(group);
            self.names.insert(group, name.to_string());
        }
    }

    /// The error for member rows dropped because every member number was taken.
    fn overflow_error(&self) -> Option<Diagnostic> {
        (self.overflow > 0).then(|| {
            Diagnostic::error(
                Code::TooManyMembers,
                format!(
                    "the group-member files name more than {MEMBER_LIMIT} distinct members; {} member rows could not be read",
                    self.overflow
                ),
            )
            .with_help("pass only the member lists of the groups assigned to the apps in the rules")
        })
    }

    /// Builds which groups hold each member (once every file is read) and drops what only
    /// reading needs.
    fn finish(&mut self) {
        let n = self.ids.len();
        let edges = std::mem::take(&mut self.edges);
        // Counting sort of the edges (their positions) by member, keeping file order
        // within a member.
        let mut start = vec![0u32; n + 1];
        for &(m, _) in &edges {
            if let Some(c) = start.get_mut(m.number() as usize + 1) {
                *c += 1;
            }
        }
        for i in 1..start.len() {
            let before = start.get(i - 1).copied().unwrap_or(0);
            if let Some(c) = start.get_mut(i) {
                *c += before;
            }
        }
        let mut fill = start.clone();
        let mut by_member = vec![0u32; edges.len()];
        for (e, &(m, _)) in edges.iter().enumerate() {
            if let Some(at) = fill.get_mut(m.number() as usize) {
                if let Some(slot) = by_member.get_mut(*at as usize) {
                    *slot = e as u32;
                }
                *at += 1;
            }
        }
        drop(fill);
        // A membership `(group, kind)` listed again for the same member is a repeat:
        // `last` holds, per group and kind, the last member that had it.
        let mut last = vec![u32::MAX; self.groups.len() * 2];
        let mut repeat = vec![false; edges.len()];
        let mut gs: Vec<u32> = Vec::new();
        let mut known: FxHashMap<Box<[u32]>, u32> = FxHashMap::default();
        let mut lists: Vec<Vec<String>> = Vec::new();
        let mut member_of = vec![NO_LIST; n];
        // Per group, the list holding it alone, once a member has it.
        let mut alone: Vec<Option<u32>> = vec![None; self.groups.len()];
        for (m, slot) in member_of.iter_mut().enumerate() {
            let (a, b) = (
                start.get(m).copied().unwrap_or(0) as usize,
                start.get(m + 1).copied().unwrap_or(0) as usize,
            );
            gs.clear();
            for &e in by_member.get(a..b).unwrap_or(&[]) {
                let Some(&(entry, g)) = edges.get(e as usize) else {
                    continue;
                };
                let kind = usize::from(entry.kind() == PrincipalType::Group);
                match last.get_mut(g as usize * 2 + kind) {
                    Some(l) if *l == m as u32 => {
                        if let Some(r) = repeat.get_mut(e as usize) {
                            *r = true;
                        }
                    }
                    Some(l) => {
                        *l = m as u32;
                        gs.push(g);
                    }
                    None => {}
                }
            }
            if gs.is_empty() {
                continue;
            }
            let mut make = |gs: &[u32]| {
                lists.push(
                    gs.iter()
                        .filter_map(|&g| self.groups.get(g as usize).map(|x| x.id.clone()))
                        .collect(),
                );
                (lists.len() - 1) as u32
            };
            // Most members are in one group: its list is found by the group's position,
            // without hashing the list.
            *slot = match (
                gs.as_slice(),
                gs.first().and_then(|&g| alone.get_mut(g as usize)),
            ) {
                ([_], Some(list)) => *list.get_or_insert_with(|| make(&gs)),
                _ => match known.get(gs.as_slice()) {
                    Some(&l) => l,
                    None => {
                        let l = make(&gs);
                        known.insert(gs.as_slice().into(), l);
                        l
                    }
                },
            };
        }
        drop((by_member, start, last));
        // Each group's members in file order, repeats left out.
        let mut sizes = vec![0usize; self.groups.len()];
        for (&(_, g), &r) in edges.iter().zip(&repeat) {
            if let Some(c) = sizes.get_mut(g as usize).filter(|_| !r) {
                *c += 1;
            }
        }
        for (g, size) in self.groups.iter_mut().zip(sizes) {
            g.members.reserve_exact(size);
        }
        for (&(entry, g), r) in edges.iter().zip(repeat) {
            if let Some(grp) = self.groups.get_mut(g as usize).filter(|_| !r) {
                grp.members.push(entry);
            }
        }
        self.lists = lists;
        self.member_of = member_of;
        self.nested = self
            .groups
            .iter()
            .enumerate()
            .filter_map(|(i, g)| Some((self.ids.get(&g.id)?, i as u32)))
            .collect();
        self.spelled = FxHashMap::default();
        for g in &mut self.groups {
            g.members.shrink_to_fit();
        }
        Arc::make_mut(&mut self.ids).shrink_to_fit();
    }
}

/// A record of a JSON file: its line and number, its properties, and its page's.
#[derive(Debug)]
struct JsonRecord {
    line: u64,
    record: u64,
    map: Map<String, Value>,
    page: Option<Rc<Map<String, Value>>>,
}

fn looks_like_json(text: &str) -> bool {
    matches!(text.trim_start().chars().next(), Some('{' | '['))
}

/// Byte offsets of line starts, for line numbers of raw JSON slices.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        let mut v = vec![0];
        v.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Lines(v)
    }
    fn line_of(&self, offset: usize) -> u64 {
        self.0.partition_point(|&s| s <= offset) as u64
    }
}

/// Splits a JSON text into records: an object with one of `list_keys` holding an array is
/// a page (its other properties go with each record), an array holds pages or records, and
/// any other object is one record.
fn json_records(text: &str, shown: &str, list_keys: &[&str]) -> Result<Vec<JsonRecord>, Errors> {
    let lines = Lines::new(text);
    let base = text.as_ptr() as usize;
    let line_of =
        |raw: &RawValue| lines.line_of((raw.get().as_ptr() as usize).saturating_sub(base));
    let top: &RawValue =
        serde_json::from_str(text).map_err(|e| vec![super::json::json_error(shown, &e, None)])?;
    let mut out = Vec::new();
    let mut pending: Vec<Pending<'_>> = Vec::new();
    let trimmed = top.get().trim_start();
    if trimmed.starts_with('[') {
        let items: Vec<&RawValue> = serde_json::from_str(top.get())
            .map_err(|e| vec![super::json::json_error(shown, &e, None)])?;
        for item in items {
            if !page_items(item, list_keys, &mut pending) {
                pending.push((item, None));
            }
        }
    } else if !page_items(top, list_keys, &mut pending) {
        pending.push((top, None));
    }
    let mut errors = Vec::new();
    for (i, (raw, page)) in pending.into_iter().enumerate() {
        let line = line_of(raw);
        let record = i as u64 + 1;
        match serde_json::from_str::<Map<String, Value>>(raw.get()) {
            Ok(map) => out.push(JsonRecord {
                line,
                record,
                map,
                page,
            }),
            Err(_) => errors.push(
                Diagnostic::error(
                    Code::JsonShape,
                    format!(
                        "record {record} of `{shown}` is not an object: `{}`",
                        truncate(raw.get(), 40)
                    ),
                )
                .at(FileLocation::file(shown).at_line(line).at_record(record))
                .with_help("each record must be a JSON object with named properties"),
            ),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(Errors::from(errors))
    }
}

/// A record waiting to be parsed, with its page's other properties.
type Pending<'t> = (&'t RawValue, Option<Rc<Map<String, Value>>>);

/// When `raw` is a page (an object with one of `list_keys` holding an array), queues its
/// items with the page's other properties and returns true.
fn page_items<'t>(raw: &'t RawValue, list_keys: &[&str], pending: &mut Vec<Pending<'t>>) -> bool {
    let Ok(obj) = serde_json::from_str::<BTreeMap<String, &'t RawValue>>(raw.get()) else {
        return false;
    };
    for key in list_keys {
        let Some(list) = obj.get(*key) else {
            continue;
        };
        let Ok(items) = serde_json::from_str::<Vec<&'t RawValue>>(list.get()) else {
            continue;
        };
        let mut meta = Map::new();
        for (k, v) in &obj {
            if k != key {
                if let Ok(v) = serde_json::from_str::<Value>(v.get()) {
                    meta.insert(k.clone(), v);
                }
            }
        }
        let meta = Rc::new(meta);
        pending.extend(items.into_iter().map(|i| (i, Some(meta.clone()))));
        return true;
    }
    false
}

fn truncate(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// A property as text (strings as they are, other scalars as JSON text, null as `None`).
fn prop_text(map: &Map<String, Value>, name: &str) -> Option<String> {
    let v = map
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)?;
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn input_info(
    shown: &str,
    format: InputFormat,
    sha256: String,
    bytes: u64,
    records: u64,
    encoding: Encoding,
    delimiter: Option<u8>,
) -> InputInfo {
    InputInfo {
        path: shown.to_string(),
        format,
        sha256,
        bytes,
        records,
        skipped: 0,
        encoding: Some(encoding.as_str().to_string()),
        delimiter: delimiter.map(char::from),
    }
}

fn bad_principal_type(
    shown: &str,
    value: &str,
    line: u64,
    column: Option<u64>,
    record: Option<u64>,
) -> Diagnostic {
    let mut loc = FileLocation::file(shown).at_line(line);
    if let Some(c) = column {
        loc = loc.at_column(c);
    }
    if let Some(r) = record {
        loc = loc.at_record(r);
    }
    Diagnostic::error(
        Code::BadPrincipalType,
        format!("principal type `{value}` is neither `User` nor `Group`"),
    )
    .at(loc)
    .with_help("only users and groups can be assigned to an app for provisioning; remove this row or fix its type")
}

/// Does a header or property name designate `wanted` (same name ignoring case and
/// punctuation, or the same provisioning attribute)?
fn names_match(header: &str, wanted: &str) -> bool {
    let (h, w) = (schema::name_key(header), schema::name_key(wanted));
    if h.is_empty() {
        return false;
    }
    h == w
        || matches!((schema::canonical_name(header), schema::canonical_name(wanted)), (Some(a), Some(b)) if a == b)
}

fn key_names(match_on: &str) -> Vec<&str> {
    let mut v = vec![match_on];
    if names_match("userPrincipalName", match_on) {
        v.push("userName");
    }
    v
}

/// Splits `NAME=PATH` (an app or a group named before the file). A spec that names an
/// existing file is a path, even with a `=` in it; so is one whose `NAME` would hold a
/// path separator.
pub(crate) fn split_spec(spec: &Path) -> (Option<String>, PathBuf) {
    if spec.exists() {
        return (None, spec.to_path_buf());
    }
    let Some(text) = spec.to_str() else {
        return (None, spec.to_path_buf());
    };
    match text.split_once('=') {
        Some((name, path))
            if !name.trim().is_empty() && !name.contains(['/', '\\']) && !path.is_empty() =>
        {
            (Some(name.trim().to_string()), PathBuf::from(path))
        }
        _ => (None, spec.to_path_buf()),
    }
}

/// The first column whose header designates one of `names` (ignoring case, spaces and
/// punctuation, as [`schema::name_key`] compares them).
fn find_column(t: &Table, names: &[&str]) -> Option<usize> {
    find_header(&t.headers, names)
}

/// The first of `headers` (as written) that designates one of `names`, tried in order.
pub(crate) fn find_header<S: AsRef<str>>(headers: &[S], names: &[&str]) -> Option<usize> {
    names.iter().find_map(|n| {
        let key = schema::name_key(n);
        headers
            .iter()
            .position(|h| schema::name_key(h.as_ref()) == key)
    })
}

#[cfg(test)]
mod tests;
