//! Assignments: who is assigned to which app (CSV `app,principalType,principalId`, or Graph
//! `appRoleAssignedTo` pages), the first input of candidacy (S24).

#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::*;
use crate::diag::{Code, Errors};

/// Reads app assignments: CSV `app,principalType,principalId` (any column order, header
/// case ignored) or Graph `appRoleAssignedTo` JSON (`app` is `resourceDisplayName`).
pub fn read_assignments(path: &Path) -> Result<Assignments, Errors> {
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
                        Code::MissingProperty,
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
                        Code::MissingValue,
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
                    Some(row.column(ty)),
                    None,
                )),
            }
        }
        (InputFormat::Csv, Some(t.delimiter))
    };
    if !errors.is_empty() {
        return Err(Errors::from(errors));
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
