//! Direct group membership: the members of assigned groups are candidates, members of
//! nested groups are not (S24).
//!
//! Every export of a group's members lists one group and does not name it inside (Graph
//! `/groups/{id}/members` pages name it only in their `@odata.nextLink`, if at all), so a
//! file can be given as `--group-members GROUPID=FILE`. Accepted shapes:
//!
//! - CSV `groupId,memberId[,memberType][,groupDisplayName]` (our own, many groups), or
//!   `groupId,displayName` (names only);
//! - Graph `/groups/{id}/members` pages (JSON, `@odata.type` per member); the group is
//!   `GROUPID=`, a `groupId` beside `value`, or the id in `@odata.nextLink`/`@odata.context`;
//! - `Get-MgGroupMember | Export-Csv` (`Id`, and `AdditionalProperties` written as a type
//!   name, so without member types: every member is then taken as a user, with a warning);
//! - the admin center's "Download members" CSV (`id`, `objectType` or `userType`, ...).
//!
//! A file of the wrong kind gets one located error, not one per row.

#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::*;
use crate::diag::{Code, Errors};
use crate::directory::csv::scan_table;
use std::borrow::Cow;

/// One `--group-members` argument: a file, and the group it lists when given as
/// `GROUPID=FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFile {
    /// The group's object id; overrides what the file says.
    pub group: Option<String>,
    /// The file.
    pub path: PathBuf,
}

impl MemberFile {
    /// Parses `[GROUPID=]PATH` (a path that exists is taken whole).
    pub fn parse(spec: &Path) -> MemberFile {
        let (group, path) = split_spec(spec);
        MemberFile { group, path }
    }
}

pub(super) const GROUP_COLUMNS: &[&str] = &["groupId", "group object id"];
pub(super) const MEMBER_COLUMNS: &[&str] = &[
    "memberId",
    "member object id",
    "id",
    "objectId",
    "object id",
];
pub(super) const TYPE_COLUMNS: &[&str] = &[
    "memberType",
    "@odata.type",
    "odataType",
    "objectType",
    "object type",
    "principalType",
];
pub(super) const NAME_COLUMNS: &[&str] = &["groupDisplayName", "displayName"];

/// Reads group memberships from one or more files (see the module documentation).
pub fn read_group_members(paths: &[PathBuf]) -> Result<GroupMembers, Errors> {
    let files: Vec<MemberFile> = paths.iter().map(|p| MemberFile::parse(p)).collect();
    read_member_files(&files)
}

/// Reads group memberships from the files, in order; all errors at once. Warnings are in
/// [`GroupMembers::diagnostics`].
pub fn read_member_files(files: &[MemberFile]) -> Result<GroupMembers, Errors> {
    let mut gm = GroupMembers::default();
    let mut errors = Vec::new();
    for f in files {
        let regular = std::fs::metadata(&f.path).is_ok_and(|m| m.is_file());
        if regular && super::member_stream::read_fast(f, &mut gm) {
            continue;
        }
        if let Err(e) = read_members_file(f, &mut gm) {
            errors.extend(e);
        }
    }
    gm.finish();
    errors.extend(gm.overflow_error());
    match Errors::from_vec(errors) {
        Some(e) => Err(e),
        None => Ok(gm),
    }
}

/// The group id in a Graph members link: `.../groups/{id}/members...` or
/// `...groups('{id}')/members`.
fn group_in_link(link: &str) -> Option<String> {
    let lower = link.to_ascii_lowercase();
    let at = lower
        .find("groups/")
        .map(|i| i + 7)
        .or_else(|| lower.find("groups('").map(|i| i + 8))?;
    let rest = link.get(at..)?;
    let id: String = rest
        .chars()
        .take_while(|c| c.is_ascii_hexdigit() || *c == '-')
        .collect();
    (id.len() >= 32).then_some(id)
}

pub(super) fn read_members_file(f: &MemberFile, gm: &mut GroupMembers) -> Result<(), Errors> {
    let shown = f.path.display().to_string();
    let (text, sha, bytes, enc) = read_small_text(&f.path, &shown)?;
    let mut records = 0u64;
    let mut other_kinds: BTreeMap<String, u64> = BTreeMap::new();
    let mut untyped = 0u64;
    let (format, delimiter) = if looks_like_json(&text) {
        let recs = json_records(&text, &shown, &["value"])?;
        // The group: `GROUPID=`, else `groupId` beside `value`, else a link's id.
        let from_file = recs.iter().find_map(|r| {
            let page = r.page.as_ref()?;
            prop_text(page, "groupId")
                .or_else(|| prop_text(page, "@odata.nextLink").and_then(|l| group_in_link(&l)))
                .or_else(|| prop_text(page, "@odata.context").and_then(|l| group_in_link(&l)))
        });
        let group = f
            .group
            .clone()
            .or(from_file)
            .or_else(|| recs.iter().find_map(|r| prop_text(&r.map, "groupId")));
        let Some(group) = group else {
            if recs.is_empty() {
                gm.inputs.push(input_info(
                    &shown,
                    InputFormat::GraphJson,
                    sha,
                    bytes,
                    0,
                    enc,
                    None,
                ));
                return Ok(());
            }
            return Err(Errors::from(vec![no_group(&shown, Some(1))]));
        };
        if let Some(name) = recs.iter().find_map(|r| {
            r.page.as_ref().and_then(|p| {
                prop_text(p, "groupDisplayName").or_else(|| prop_text(p, "displayName"))
            })
        }) {
            gm.name(&group, &name);
        }
        let mut no_id: Option<(u64, u64, u64)> = None;
        for r in &recs {
            let Some(id) = prop_text(&r.map, "id") else {
                let e = no_id.get_or_insert((r.line, r.record, 0));
                e.2 += 1;
                continue;
            };
            let ty = match prop_text(&r.map, "@odata.type") {
                Some(t) => t,
                None => {
                    untyped += 1;
                    "User".to_string()
                }
            };
            match PrincipalType::parse(&ty) {
                Some(kind) => {
                    gm.add(&group, &id, kind);
                    records += 1;
                }
                None => {
                    let kind = ty.trim_start_matches("#microsoft.graph.").to_string();
                    *other_kinds.entry(kind).or_default() += 1;
                }
            }
        }
        if let Some((line, record, n)) = no_id {
            return Err(Errors::from(vec![
                Diagnostic::error(
                    Code::MissingProperty,
                    format!(
                        "member record {record} of `{shown}` has no `id`{}",
                        if n > 1 {
                            format!(" (nor have {} more)", n - 1)
                        } else {
                            String::new()
                        }
                    ),
                )
                .at(FileLocation::file(&shown).at_line(line).at_record(record))
                .with_help("export the members with `GET /groups/{id}/members?$select=id`, which gives `id` and `@odata.type`"),
            ]));
        }
        (InputFormat::GraphJson, None)
    } else {
        // Rows are visited in place (no `String` per field): member lists run to a million
        // rows. Row errors come before the errors about the file's shape, as when the
        // table was parsed whole first.
        let scan = scan_table(&text, &shown)?;
        let t = &scan.table;
        let g = find_column(t, GROUP_COLUMNS);
        let m = find_column(t, MEMBER_COLUMNS);
        let ty = find_column(t, TYPE_COLUMNS);
        let name = find_column(t, NAME_COLUMNS);
        let users_export = find_column(t, &["accountEnabled", "department"]).is_some();
        let shape_error = if users_export || (g.is_none() && f.group.is_none()) {
            // A file that does not say its group, or a user export: one error.
            Some(if m.is_some() && !users_export {
                no_group(&shown, Some(t.header_line))
            } else {
                wrong_members_file(&shown, t)
            })
        } else if m.is_none() && (name.is_none() || f.group.is_some()) {
            Some(wrong_members_file(&shown, t))
        } else {
            None
        };
        let mut empty_group: Option<(u64, u64, u64)> = None;
        let rows = scan.rows(|row| {
            if shape_error.is_some() {
                return;
            }
            let get = |i: Option<usize>| i.map_or(Cow::Borrowed(""), |i| row.get(i));
            let group = match &f.group {
                Some(g) => Cow::Borrowed(g.as_str()),
                None => get(g),
            };
            if group.is_empty() {
                let e = empty_group.get_or_insert((row.line, g.map_or(1, |c| row.column(c)), 0));
                e.2 += 1;
                return;
            }
            if f.group.is_none() {
                gm.name(&group, &get(name));
            }
            let member = get(m);
            if m.is_none() || member.is_empty() {
                // A names-only row (or a group listed without members).
                gm.group_mut(&group);
                return;
            }
            let kind_text = get(ty);
            let kind = if ty.is_none() {
                untyped += 1;
                Some(PrincipalType::User)
            } else if kind_text.trim().is_empty() {
                Some(PrincipalType::User)
            } else {
                PrincipalType::parse(&kind_text)
            };
            match kind {
                Some(k) => {
                    gm.add(&group, &member, k);
                    records += 1;
                }
                None => *other_kinds.entry(kind_text.into_owned()).or_default() += 1,
            }
        });
        rows?;
        if let Some(e) = shape_error {
            return Err(Errors::from(vec![e]));
        }
        (InputFormat::Csv, Some(t.delimiter))
    };
    let info = input_info(&shown, format, sha, bytes, records, enc, delimiter);
    finish_file(gm, info, other_kinds, untyped);
    Ok(())
}

/// Records a file read: its warnings (members of other kinds, members without a type)
/// and its input record.
pub(super) fn finish_file(
    gm: &mut GroupMembers,
    info: InputInfo,
    other_kinds: BTreeMap<String, u64>,
    untyped: u64,
) {
    let shown = info.path.as_str();
    for (kind, n) in other_kinds {
        gm.diagnostics.push(
            Diagnostic::warning(
                Code::MemberNotUserOrGroup,
                format!(
                    "{n} member{} of type `{kind}` in `{shown}` ignored",
                    if n == 1 { "" } else { "s" }
                ),
            )
            .with_rule("S24")
            .at(FileLocation::file(shown))
            .with_help("only users and groups take part in user provisioning"),
        );
    }
    if untyped > 0 {
        gm.diagnostics.push(
            Diagnostic::warning(
                Code::MemberTypesUnknown,
                format!(
                    "`{shown}` does not say whether its members are users or groups: {untyped} taken as users"
                ),
            )
            .with_rule("S24")
            .at(FileLocation::file(shown))
            .with_help("a nested group taken as a user is a candidate nobody has, and its members are not expanded; export the type too: `Get-MgGroupMember -GroupId $g -All | Select-Object Id,@{n='memberType';e={$_.AdditionalProperties['@odata.type'] -replace '#microsoft.graph.',''}} | Export-Csv ...`"),
        );
    }
    gm.inputs.push(info);
}

/// The error for a member list that does not name its group.
fn no_group(shown: &str, line: Option<u64>) -> Diagnostic {
    let mut loc = FileLocation::file(shown);
    if let Some(l) = line {
        loc = loc.at_line(l);
    }
    Diagnostic::error(
        Code::MembersWithoutGroup,
        format!("`{shown}` lists members but does not say of which group"),
    )
    .at(loc)
    .with_help(format!(
        "give the group's object id before the file: `--group-members <group id>={shown}`"
    ))
}

/// The one error for a CSV that is not a member list.
fn wrong_members_file(shown: &str, t: &Table) -> Diagnostic {
    let have: Vec<String> = t
        .headers
        .iter()
        .take(12)
        .map(|h| format!("`{h}`"))
        .collect();
    let mut help = "a member list has a member id column (`memberId`, `id` or `objectId`) and, unless given as `GROUPID=FILE`, a `groupId` column".to_string();
    if find_column(t, &["principalType", "principalId"]).is_some() {
        help = format!("this looks like an assignments file: pass it with `--assignments`; {help}");
    } else if find_column(t, &["accountEnabled", "department"]).is_some() {
        help = format!("this looks like a user export: pass it with `--directory`; {help}");
    }
    Diagnostic::error(
        Code::WrongInputFile,
        format!(
            "`{shown}` is not a group-member list (it has {}{})",
            have.join(", "),
            if t.headers.len() > 12 { ", ..." } else { "" }
        ),
    )
    .at(FileLocation::file(shown).at_line(t.header_line))
    .with_help(help)
}
