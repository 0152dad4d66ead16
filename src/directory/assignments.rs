//! Who is assigned to which app, who is in which group, and which accounts an app already
//! has: the inputs besides the user directory that decide candidates (spec S24) and the
//! managed state (S26).
//!
//! These files are small next to a directory export (thousands of rows, not millions), so
//! each is read whole, decoded like the directory (BOM, UTF-16) and parsed with the same
//! CSV record parser, so a quote error reads the same everywhere. JSON forms (Graph
//! `appRoleAssignedTo`, group `members` pages, SCIM `ListResponse`) are parsed record by
//! record from raw slices of the text, so that every record keeps its line number for
//! messages. Object ids and user principal names are compared ignoring case, as Entra
//! does.

use super::csv::{Table, parse_table, read_small_text};
use super::encoding::Encoding;
use super::{InputFormat, InputInfo};
use crate::diag::{Diagnostic, FileLocation};
use crate::schema;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

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

/// A direct member of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// objectId (or userPrincipalName) of the member.
    pub id: String,
    /// User or nested group.
    pub kind: PrincipalType,
}

#[derive(Debug, Clone, Default)]
struct Group {
    id: String,
    members: Vec<Member>,
    seen: HashSet<(String, PrincipalType)>,
}

/// Direct members of groups (nested groups appear as members of kind `Group`; their own
/// members are not expanded, S24).
#[derive(Debug, Clone, Default)]
pub struct GroupMembers {
    groups: Vec<Group>,
    index: HashMap<String, usize>,
    member_of: HashMap<String, Vec<String>>,
    names: HashMap<String, String>,
    inputs: Vec<InputInfo>,
    diagnostics: Vec<Diagnostic>,
}

impl GroupMembers {
    /// The direct members of a group, in file order, without duplicates (empty when the
    /// group is unknown).
    pub fn direct_members(&self, group: &str) -> &[Member] {
        self.index
            .get(&group.to_lowercase())
            .and_then(|&i| self.groups.get(i))
            .map_or(&[], |g| g.members.as_slice())
    }

    /// The groups that directly contain a member id.
    pub fn groups_of(&self, member: &str) -> &[String] {
        self.member_of
            .get(&member.to_lowercase())
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
        self.names.get(&group.to_lowercase()).map(String::as_str)
    }

    /// Group ids, in the order first seen.
    pub fn groups(&self) -> impl Iterator<Item = &str> {
        self.groups.iter().map(|g| g.id.as_str())
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
        g
    }

    /// Warnings found while reading (members that are neither users nor groups).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    fn group_mut(&mut self, id: &str) -> &mut Group {
        let key = id.to_lowercase();
        let i = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                self.groups.push(Group {
                    id: id.to_string(),
                    ..Group::default()
                });
                self.index.insert(key, self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        &mut self.groups[i]
    }

    fn add(&mut self, group: &str, member: &str, kind: PrincipalType) {
        let g = self.group_mut(group);
        let gid = g.id.clone();
        if g.seen.insert((member.to_lowercase(), kind)) {
            g.members.push(Member {
                id: member.to_string(),
                kind,
            });
            self.member_of
                .entry(member.to_lowercase())
                .or_default()
                .push(gid);
        }
    }

    fn name(&mut self, group: &str, name: &str) {
        if !name.is_empty() {
            self.group_mut(group);
            self.names.insert(group.to_lowercase(), name.to_string());
        }
    }
}

/// One account of an app's target system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetAccount {
    /// The matching value (by default the userPrincipalName).
    pub key: String,
    /// Whether the account is active there, when the export says.
    pub active: Option<bool>,
    /// Line in the file.
    pub line: u64,
}

/// The accounts an app already has (the managed state before a rollout).
#[derive(Debug, Clone)]
pub struct TargetState {
    /// The app.
    pub app: String,
    /// The attribute accounts are matched on.
    pub match_on: String,
    /// In file order.
    pub accounts: Vec<TargetAccount>,
    /// The file read.
    pub input: InputInfo,
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
fn json_records(
    text: &str,
    shown: &str,
    list_keys: &[&str],
) -> Result<Vec<JsonRecord>, Vec<Diagnostic>> {
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
                    "json-shape",
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
        Err(errors)
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

fn missing_column(shown: &str, t: &Table, wanted: &str, help: &str) -> Diagnostic {
    let have: Vec<String> = t.headers.iter().map(|h| format!("`{h}`")).collect();
    Diagnostic::error(
        "missing-column",
        format!(
            "`{shown}` has no `{wanted}` column (it has {})",
            have.join(", ")
        ),
    )
    .at(FileLocation::file(shown).at_line(t.header_line))
    .with_help(help.to_string())
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
        "bad-principal-type",
        format!("principal type `{value}` is neither `User` nor `Group`"),
    )
    .at(loc)
    .with_help("only users and groups can be assigned to an app for provisioning; remove this row or fix its type")
}

/// Reads app assignments: CSV `app,principalType,principalId` (any column order, header
/// case ignored) or Graph `appRoleAssignedTo` JSON (`app` is `resourceDisplayName`).
pub fn read_assignments(path: &Path) -> Result<Assignments, Vec<Diagnostic>> {
    let shown = path.display().to_string();
    let (text, sha, bytes, enc) = read_small_text(path, &shown)?;
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let (format, delimiter) = if looks_like_json(&text) {
        for r in json_records(&text, &shown, &["value"])? {
            let app = prop_text(&r.map, "resourceDisplayName")
                .or_else(|| prop_text(&r.map, "app"))
                .or_else(|| {
                    r.page
                        .as_ref()
                        .and_then(|p| prop_text(p, "resourceDisplayName"))
                });
            let id = prop_text(&r.map, "principalId");
            let ty = prop_text(&r.map, "principalType");
            let loc = FileLocation::file(&shown)
                .at_line(r.line)
                .at_record(r.record);
            let (Some(app), Some(id), Some(ty)) = (app, id, ty) else {
                errors.push(
                    Diagnostic::error(
                        "missing-property",
                        format!("assignment record {} of `{shown}` lacks `resourceDisplayName`, `principalId` or `principalType`", r.record),
                    )
                    .at(loc)
                    .with_help("export with `GET /servicePrincipals/{id}/appRoleAssignedTo`, which gives all three"),
                );
                continue;
            };
            match PrincipalType::parse(&ty) {
                Some(t) => items.push(Assignment {
                    app,
                    principal_type: t,
                    principal_id: id,
                    line: r.line,
                }),
                None => errors.push(bad_principal_type(
                    &shown,
                    &ty,
                    r.line,
                    None,
                    Some(r.record),
                )),
            }
        }
        (InputFormat::GraphJson, None)
    } else {
        let t = parse_table(&text, &shown)?;
        let help = "the header must be `app,principalType,principalId` (any order)";
        let app = t.column("app").or_else(|| t.column("resourceDisplayName"));
        let ty = t.column("principalType");
        let id = t.column("principalId");
        let (Some(app), Some(ty), Some(id)) = (app, ty, id) else {
            let missing = [("app", app), ("principalType", ty), ("principalId", id)]
                .into_iter()
                .filter(|(_, c)| c.is_none())
                .map(|(n, _)| n)
                .collect::<Vec<_>>();
            return Err(missing
                .into_iter()
                .map(|m| missing_column(&shown, &t, m, help))
                .collect());
        };
        for row in &t.rows {
            let get = |i: usize| row.fields.get(i).map(String::as_str).unwrap_or("");
            if get(app).is_empty() || get(id).is_empty() {
                errors.push(
                    Diagnostic::error(
                        "missing-value",
                        "assignment row has an empty `app` or `principalId`",
                    )
                    .at(FileLocation::file(&shown).at_line(row.line))
                    .with_help("fill in both, or remove the row"),
                );
                continue;
            }
            match PrincipalType::parse(get(ty)) {
                Some(p) => items.push(Assignment {
                    app: get(app).to_string(),
                    principal_type: p,
                    principal_id: get(id).to_string(),
                    line: row.line,
                }),
                None => errors.push(bad_principal_type(
                    &shown,
                    get(ty),
                    row.line,
                    Some(ty as u64 + 1),
                    None,
                )),
            }
        }
        (InputFormat::Csv, Some(t.delimiter))
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let info = input_info(
        &shown,
        format,
        sha,
        bytes,
        items.len() as u64,
        enc,
        delimiter,
    );
    Ok(Assignments {
        items,
        inputs: vec![info],
    })
}

/// Reads group memberships from one or more files: CSV `groupId,memberId[,memberType]
/// [,groupDisplayName]` (`memberType` defaults to `User`), CSV `groupId,displayName` (names
/// only), or Graph `members` JSON pages carrying a `groupId` (one group per file, or an
/// array of pages).
pub fn read_group_members(paths: &[PathBuf]) -> Result<GroupMembers, Vec<Diagnostic>> {
    let mut gm = GroupMembers::default();
    let mut errors = Vec::new();
    for path in paths {
        if let Err(e) = read_members_file(path, &mut gm) {
            errors.extend(e);
        }
    }
    if errors.is_empty() {
        Ok(gm)
    } else {
        Err(errors)
    }
}

fn read_members_file(path: &Path, gm: &mut GroupMembers) -> Result<(), Vec<Diagnostic>> {
    let shown = path.display().to_string();
    let (text, sha, bytes, enc) = read_small_text(path, &shown)?;
    let mut errors = Vec::new();
    let mut records = 0u64;
    let mut other_kinds: HashMap<String, u64> = HashMap::new();
    let (format, delimiter) = if looks_like_json(&text) {
        for r in json_records(&text, &shown, &["value"])? {
            let group = r
                .page
                .as_ref()
                .and_then(|p| prop_text(p, "groupId"))
                .or_else(|| prop_text(&r.map, "groupId"));
            let Some(group) = group else {
                errors.push(
                    Diagnostic::error("missing-property", format!("member record {} of `{shown}` does not say its group", r.record))
                        .at(FileLocation::file(&shown).at_line(r.line).at_record(r.record))
                        .with_help("add `\"groupId\": \"<group object id>\"` beside `value` in each page of `GET /groups/{id}/members`"),
                );
                continue;
            };
            if let Some(name) = r.page.as_ref().and_then(|p| {
                prop_text(p, "groupDisplayName").or_else(|| prop_text(p, "displayName"))
            }) {
                gm.name(&group, &name);
            }
            let Some(id) = prop_text(&r.map, "id") else {
                errors.push(
                    Diagnostic::error(
                        "missing-property",
                        format!("member record {} of `{shown}` has no `id`", r.record),
                    )
                    .at(FileLocation::file(&shown)
                        .at_line(r.line)
                        .at_record(r.record))
                    .with_help("select `id` when exporting the members"),
                );
                continue;
            };
            let ty = prop_text(&r.map, "@odata.type").unwrap_or_else(|| "User".to_string());
            match PrincipalType::parse(&ty) {
                Some(kind) => {
                    gm.add(&group, &id, kind);
                    records += 1;
                }
                None => *other_kinds.entry(ty).or_default() += 1,
            }
        }
        (InputFormat::GraphJson, None)
    } else {
        let t = parse_table(&text, &shown)?;
        let help = "the header must be `groupId,memberId[,memberType][,groupDisplayName]`, or `groupId,displayName` for names";
        let Some(g) = t.column("groupId") else {
            return Err(vec![missing_column(&shown, &t, "groupId", help)]);
        };
        let m = t.column("memberId");
        let ty = t.column("memberType");
        let name = t
            .column("groupDisplayName")
            .or_else(|| t.column("displayName"));
        if m.is_none() && name.is_none() {
            return Err(vec![missing_column(&shown, &t, "memberId", help)]);
        }
        for row in &t.rows {
            let get = |i: Option<usize>| {
                i.and_then(|i| row.fields.get(i))
                    .map(String::as_str)
                    .unwrap_or("")
            };
            let group = get(Some(g));
            if group.is_empty() {
                errors.push(
                    Diagnostic::error("missing-value", "row has an empty `groupId`")
                        .at(FileLocation::file(&shown)
                            .at_line(row.line)
                            .at_column(g as u64 + 1))
                        .with_help("fill in the group's object id, or remove the row"),
                );
                continue;
            }
            gm.name(group, get(name));
            if m.is_none() || get(m).is_empty() {
                // A names-only row (or a group listed without members).
                gm.group_mut(group);
                continue;
            }
            let kind_text = get(ty);
            let kind = if kind_text.trim().is_empty() {
                Some(PrincipalType::User)
            } else {
                PrincipalType::parse(kind_text)
            };
            match kind {
                Some(k) => {
                    gm.add(group, get(m), k);
                    records += 1;
                }
                None => errors.push(bad_principal_type(
                    &shown,
                    kind_text,
                    row.line,
                    ty.map(|c| c as u64 + 1),
                    None,
                )),
            }
        }
        (InputFormat::Csv, Some(t.delimiter))
    };
    let mut kinds: Vec<_> = other_kinds.into_iter().collect();
    kinds.sort();
    for (kind, n) in kinds {
        gm.diagnostics.push(
            Diagnostic::warning(
                "member-not-user-or-group",
                format!(
                    "{n} member{} of type `{kind}` in `{shown}` ignored",
                    if n == 1 { "" } else { "s" }
                ),
            )
            .at(FileLocation::file(&shown))
            .with_help("only users and groups take part in user provisioning"),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    gm.inputs.push(input_info(
        &shown, format, sha, bytes, records, enc, delimiter,
    ));
    Ok(())
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

/// S4 reading of a Boolean: `true`/`false` in any case, white space ignored.
fn parse_bool(s: &str) -> Option<bool> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Reads an app's existing accounts (CSV, a JSON array, `{"value": [...]}`, or a SCIM
/// `ListResponse` with `Resources`), keyed by the `match_on` column (SCIM `userName` also
/// counts for `userPrincipalName`), with `active`/`accountEnabled` when present.
pub fn read_target_state(
    app: &str,
    path: &Path,
    match_on: &str,
) -> Result<TargetState, Vec<Diagnostic>> {
    let shown = path.display().to_string();
    let (text, sha, bytes, enc) = read_small_text(path, &shown)?;
    let wanted = key_names(match_on);
    let mut accounts = Vec::new();
    let mut errors = Vec::new();
    let help = |have: &str| {
        format!(
            "pick the column that holds the matching attribute with `--match-on <name>` (this file has {have}), or export it"
        )
    };
    let (format, delimiter) = if looks_like_json(&text) {
        for r in json_records(&text, &shown, &["value", "Resources"])? {
            let key = r
                .map
                .iter()
                .find(|(k, _)| wanted.iter().any(|w| names_match(k, w)))
                .map(|(k, _)| k.clone());
            let Some(key) = key.and_then(|k| prop_text(&r.map, &k)) else {
                let have: Vec<String> = r.map.keys().map(|k| format!("`{k}`")).collect();
                errors.push(
                    Diagnostic::error(
                        "missing-key",
                        format!("record {} of `{shown}` has no `{match_on}`", r.record),
                    )
                    .at(FileLocation::file(&shown)
                        .at_line(r.line)
                        .at_record(r.record))
                    .with_help(help(&have.join(", "))),
                );
                if errors.len() >= 20 {
                    break;
                }
                continue;
            };
            let active = r
                .map
                .iter()
                .find(|(k, _)| names_match(k, "active") || names_match(k, "accountEnabled"))
                .and_then(|(_, v)| match v {
                    Value::Bool(b) => Some(*b),
                    Value::String(s) => parse_bool(s),
                    _ => None,
                });
            accounts.push(TargetAccount {
                key,
                active,
                line: r.line,
            });
        }
        (InputFormat::GraphJson, None)
    } else {
        let t = parse_table(&text, &shown)?;
        let Some(k) = t
            .headers
            .iter()
            .position(|h| wanted.iter().any(|w| names_match(h, w)))
        else {
            let have: Vec<String> = t.headers.iter().map(|h| format!("`{h}`")).collect();
            return Err(vec![
                Diagnostic::error(
                    "missing-key",
                    format!("`{shown}` has no `{match_on}` column to match accounts on"),
                )
                .at(FileLocation::file(&shown).at_line(t.header_line))
                .with_help(help(&have.join(", "))),
            ]);
        };
        let a = t
            .headers
            .iter()
            .position(|h| names_match(h, "active"))
            .or_else(|| {
                t.headers
                    .iter()
                    .position(|h| names_match(h, "accountEnabled"))
            });
        for row in &t.rows {
            let key = row.fields.get(k).map(String::as_str).unwrap_or("");
            if key.is_empty() {
                errors.push(
                    Diagnostic::error(
                        "missing-key",
                        format!("account row has an empty `{}`", t.headers[k]),
                    )
                    .at(FileLocation::file(&shown)
                        .at_line(row.line)
                        .at_column(k as u64 + 1))
                    .with_help("fill in the value the account is matched on, or remove the row"),
                );
                continue;
            }
            accounts.push(TargetAccount {
                key: key.to_string(),
                active: a
                    .and_then(|a| row.fields.get(a))
                    .and_then(|v| parse_bool(v)),
                line: row.line,
            });
        }
        (InputFormat::Csv, Some(t.delimiter))
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let input = input_info(
        &shown,
        format,
        sha,
        bytes,
        accounts.len() as u64,
        enc,
        delimiter,
    );
    Ok(TargetState {
        app: app.to_string(),
        match_on: match_on.to_string(),
        accounts,
        input,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        (dir, p)
    }

    #[test]
    fn assignments_csv_any_order_and_case() {
        let (_d, p) = file(
            "a.csv",
            "PrincipalID,APP,principaltype\n1,Salesforce,group\nbob@x.com,Salesforce,User\n",
        );
        let a = read_assignments(&p).unwrap();
        assert_eq!(a.items.len(), 2);
        assert_eq!(a.items[0].principal_type, PrincipalType::Group);
        assert_eq!(a.items[1].principal_id, "bob@x.com");
        assert_eq!(a.items[1].line, 3);
        assert_eq!(a.inputs[0].records, 2);
    }

    #[test]
    fn assignments_json_pages_with_lines() {
        let (_d, p) = file(
            "a.json",
            "[{\"value\":[\n{\"principalId\":\"1\",\"principalType\":\"Group\",\"resourceDisplayName\":\"S\"}]},\n{\"value\":[\n{\"principalId\":\"2\",\"principalType\":\"ServicePrincipal\",\"resourceDisplayName\":\"S\"}]}]",
        );
        let errs = read_assignments(&p).unwrap_err();
        assert_eq!(errs[0].code, "bad-principal-type");
        let l = errs[0].location.as_ref().unwrap();
        assert_eq!((l.line, l.record), (Some(4), Some(2)));
    }

    #[test]
    fn group_members_dedup_nesting_and_names() {
        let (_d, p) = file(
            "m.csv",
            "groupId,memberId,memberType,groupDisplayName\nG1,u1,,All\nG1,u1,User,All\nG1,G2,Group,All\nG2,u2,User,\n",
        );
        let gm = read_group_members(&[p]).unwrap();
        assert_eq!(gm.len(), 2);
        assert_eq!(
            gm.direct_members("g1"),
            &[
                Member {
                    id: "u1".into(),
                    kind: PrincipalType::User
                },
                Member {
                    id: "G2".into(),
                    kind: PrincipalType::Group
                }
            ]
        );
        assert_eq!(gm.groups_of("U1"), &["G1".to_string()]);
        assert_eq!(gm.groups_of("u2"), &["G2".to_string()]);
        assert_eq!(gm.display_name("G1"), Some("All"));
        assert_eq!(gm.display_name("G2"), None);
        assert!(gm.direct_members("nope").is_empty());
    }

    #[test]
    fn group_members_graph_json() {
        let (_d, p) = file(
            "m.json",
            r##"{"groupId":"G1","value":[{"@odata.type":"#microsoft.graph.user","id":"u1"},{"@odata.type":"#microsoft.graph.group","id":"G2"},{"@odata.type":"#microsoft.graph.device","id":"d1"}]}"##,
        );
        let gm = read_group_members(&[p]).unwrap();
        assert_eq!(gm.direct_members("G1").len(), 2);
        assert_eq!(gm.direct_members("G1")[1].kind, PrincipalType::Group);
        assert_eq!(gm.diagnostics()[0].code, "member-not-user-or-group");
    }

    #[test]
    fn target_state_keys_active_and_missing_key() {
        let (_d, p) = file(
            "t.csv",
            "User Principal Name,Active\na@x,TRUE\nb@x,false\nc@x,\n",
        );
        let t = read_target_state("S", &p, "userPrincipalName").unwrap();
        let got: Vec<_> = t
            .accounts
            .iter()
            .map(|a| (a.key.as_str(), a.active, a.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a@x", Some(true), 2),
                ("b@x", Some(false), 3),
                ("c@x", None, 4)
            ]
        );
        let errs = read_target_state("S", &p, "employeeId").unwrap_err();
        assert!(errs[0].message.contains("no `employeeId` column"));
        assert!(errs[0].help.as_ref().unwrap().contains("--match-on"));
        assert!(
            errs[0]
                .help
                .as_ref()
                .unwrap()
                .contains("`User Principal Name`")
        );
    }

    #[test]
    fn target_state_scim_list_response() {
        let (_d, p) = file(
            "t.json",
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,"Resources":[
{"userName":"a@x","active":true},
{"userName":"b@x","active":false}]}"#,
        );
        let t = read_target_state("S", &p, "userPrincipalName").unwrap();
        assert_eq!(t.accounts.len(), 2);
        assert_eq!(
            (
                t.accounts[1].key.as_str(),
                t.accounts[1].active,
                t.accounts[1].line
            ),
            ("b@x", Some(false), 3)
        );
        assert_eq!(t.input.format, InputFormat::GraphJson);
    }
}
