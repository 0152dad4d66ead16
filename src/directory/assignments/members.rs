//! Direct group membership (CSV `groupId,memberId[,memberType]`, or Graph `members` pages):
//! the members of assigned groups are candidates, members of nested groups are not (S24).

#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::*;
use crate::diag::{Code, Errors};

/// Reads group memberships from one or more files: CSV `groupId,memberId[,memberType]
/// [,groupDisplayName]` (`memberType` defaults to `User`), CSV `groupId,displayName` (names
/// only), or Graph `members` JSON pages carrying a `groupId` (one group per file, or an
/// array of pages).
pub fn read_group_members(paths: &[PathBuf]) -> Result<GroupMembers, Errors> {
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
        Err(Errors::from(errors))
    }
}

fn read_members_file(path: &Path, gm: &mut GroupMembers) -> Result<(), Errors> {
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
                    Diagnostic::error(Code::MissingProperty, format!("member record {} of `{shown}` does not say its group", r.record))
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
                        Code::MissingProperty,
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
            return Err(Errors::from(vec![missing_column(
                &shown, &t, "groupId", help,
            )]));
        };
        let m = t.column("memberId");
        let ty = t.column("memberType");
        let name = t
            .column("groupDisplayName")
            .or_else(|| t.column("displayName"));
        if m.is_none() && name.is_none() {
            return Err(Errors::from(vec![missing_column(
                &shown, &t, "memberId", help,
            )]));
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
                    Diagnostic::error(Code::MissingValue, "row has an empty `groupId`")
                        .at(FileLocation::file(&shown)
                            .at_line(row.line)
                            .at_column(row.column(g)))
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
                    ty.map(|c| row.column(c)),
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
                Code::MemberNotUserOrGroup,
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
        return Err(Errors::from(errors));
    }
    gm.inputs.push(input_info(
        &shown, format, sha, bytes, records, enc, delimiter,
    ));
    Ok(())
}
