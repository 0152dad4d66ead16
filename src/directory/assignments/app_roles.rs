//! Assignments: who is assigned to which app, the first input of candidacy (S24).
//!
//! Graph gives one `appRoleAssignedTo` list per service principal, so `--assignments` is
//! repeatable, and `APP=FILE` names the app as the rules do when the file does not (the
//! portal's "Users and groups" download) or names it differently (`resourceDisplayName`
//! "Salesforce Sandbox" for rules that say "Salesforce"). Accepted shapes, told apart by
//! their columns or properties, never by position:
//!
//! - CSV `app,principalType,principalId` (our own shape, any order, header case ignored);
//! - Graph `appRoleAssignedTo` pages (JSON), or the same objects written by
//!   `Get-MgServicePrincipalAppRoleAssignedTo | Export-Csv` (`PrincipalType`,
//!   `PrincipalId`, `ResourceDisplayName`);
//! - the portal's "Users and groups" list (`Display Name`, `Object Type`, `Object ID`);
//!   its app comes from `APP=FILE`.
//!
//! Service principals are assignable too (`appRoleAssignedTo` lists them), but only users
//! and groups are provisioned: those rows are skipped with one warning that counts them.

#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::*;
use crate::diag::{Code, Errors};

/// One `--assignments` argument: a file, and the app it is for when given as `APP=FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentFile {
    /// The app, as the rules name it; overrides what the file says.
    pub app: Option<String>,
    /// The file.
    pub path: PathBuf,
}

impl AssignmentFile {
    /// Parses `[APP=]PATH` (a path that exists is taken whole, even with a `=` in it).
    pub fn parse(spec: &Path) -> AssignmentFile {
        let (app, path) = split_spec(spec);
        AssignmentFile { app, path }
    }
}

/// Column names that hold each field, compared by [`schema::name_key`].
const APP_COLUMNS: &[&str] = &["app", "resourceDisplayName", "application"];
const TYPE_COLUMNS: &[&str] = &["principalType", "objectType", "type"];
const ID_COLUMNS: &[&str] = &["principalId", "objectId", "id", "object id"];

/// Reads app assignments from every file, in order; all errors at once. The warnings
/// (skipped service principals) come back beside the assignments.
pub fn read_assignment_files(
    files: &[AssignmentFile],
) -> Result<(Assignments, Vec<Diagnostic>), Errors> {
    let mut all = Assignments::default();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    for f in files {
        match read_one(f, &mut warnings) {
            Ok(a) => {
                all.items.extend(a.items);
                all.inputs.extend(a.inputs);
            }
            Err(e) => errors.extend(e),
        }
    }
    match Errors::from_vec(errors) {
        Some(e) => Err(e),
        None => Ok((all, warnings)),
    }
}

/// Reads one assignments file (CSV or Graph `appRoleAssignedTo` JSON); the warnings are
/// dropped: prefer [`read_assignment_files`].
pub fn read_assignments(path: &Path) -> Result<Assignments, Errors> {
    read_assignment_files(&[AssignmentFile {
        app: None,
        path: path.to_path_buf(),
    }])
    .map(|(a, _)| a)
}

/// Rows skipped because their principal is a service principal, for one warning.
#[derive(Default)]
struct Skipped {
    count: u64,
    first_line: Option<u64>,
}

fn read_one(f: &AssignmentFile, warnings: &mut Vec<Diagnostic>) -> Result<Assignments, Errors> {
    let shown = f.path.display().to_string();
    let (text, sha, bytes, enc) = read_small_text(&f.path, &shown)?;
    let mut items = Vec::new();
    let mut errors = Vec::new();
    let mut skipped = Skipped::default();
    let (format, delimiter) = if looks_like_json(&text) {
        for r in json_records(&text, &shown, &["value"])? {
            let app = f.app.clone().or_else(|| {
                prop_text(&r.map, "resourceDisplayName")
                    .or_else(|| prop_text(&r.map, "app"))
                    .or_else(|| {
                        r.page
                            .as_ref()
                            .and_then(|p| prop_text(p, "resourceDisplayName"))
                    })
            });
            let id = prop_text(&r.map, "principalId");
            let ty = prop_text(&r.map, "principalType");
            let loc = FileLocation::file(&shown)
                .at_line(r.line)
                .at_record(r.record);
            let (Some(app), Some(id), Some(ty)) = (app, id, ty) else {
                if errors.len() < MAX_ROW_ERRORS {
                    errors.push(
                        Diagnostic::error(
                            Code::MissingProperty,
                            format!("assignment record {} of `{shown}` lacks `resourceDisplayName`, `principalId` or `principalType`", r.record),
                        )
                        .at(loc)
                        .with_help("export with `GET /servicePrincipals/{id}/appRoleAssignedTo`, which gives all three (or name the app with `--assignments APP=FILE`)"),
                    );
                }
                continue;
            };
            match principal(&ty) {
                Kind::Assignable(t) => items.push(Assignment {
                    app,
                    principal_type: t,
                    principal_id: id,
                    line: r.line,
                }),
                Kind::ServicePrincipal => {
                    skipped.count += 1;
                    skipped.first_line.get_or_insert(r.line);
                }
                Kind::Other => errors.push(bad_principal_type(
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
        let app_col = find_column(&t, APP_COLUMNS);
        let ty = find_column(&t, TYPE_COLUMNS);
        let id = find_column(&t, ID_COLUMNS);
        let (Some(ty), Some(id)) = (ty, id) else {
            return Err(Errors::from(vec![wrong_file(&shown, &t, ty, id)]));
        };
        if app_col.is_none() && f.app.is_none() {
            return Err(Errors::from(vec![
                Diagnostic::error(
                    Code::MissingColumn,
                    format!("`{shown}` does not say which app its assignments are for"),
                )
                .at(FileLocation::file(&shown).at_line(t.header_line))
                .with_help(format!(
                    "name the app as the rules do: `--assignments \"Salesforce={shown}\"`"
                )),
            ]));
        }
        for row in &t.rows {
            let get = |i: usize| row.fields.get(i).map(String::as_str).unwrap_or("");
            let app = match (&f.app, app_col) {
                (Some(a), _) => a.as_str(),
                (None, Some(c)) => get(c),
                (None, None) => "",
            };
            if app.is_empty() || get(id).is_empty() {
                if errors.len() < MAX_ROW_ERRORS {
                    errors.push(
                        Diagnostic::error(
                            Code::MissingValue,
                            "assignment row has an empty app or principal id",
                        )
                        .at(FileLocation::file(&shown).at_line(row.line))
                        .with_help("fill in both, or remove the row"),
                    );
                }
                continue;
            }
            match principal(get(ty)) {
                Kind::Assignable(p) => items.push(Assignment {
                    app: app.to_string(),
                    principal_type: p,
                    principal_id: get(id).to_string(),
                    line: row.line,
                }),
                Kind::ServicePrincipal => {
                    skipped.count += 1;
                    skipped.first_line.get_or_insert(row.line);
                }
                Kind::Other => errors.push(bad_principal_type(
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
    if let Some(e) = Errors::from_vec(errors) {
        return Err(e);
    }
    if let Some(line) = skipped.first_line {
        let n = skipped.count;
        warnings.push(
            Diagnostic::warning(
                Code::ServicePrincipalAssignments,
                format!(
                    "{n} assignment{} in `{shown}` {} to service principals, not users or groups: skipped",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "is" } else { "are" }
                ),
            )
            .with_rule("S24")
            .at(FileLocation::file(&shown).at_line(line))
            .with_help("only users and groups are provisioned; nothing to do unless you expected users there"),
        );
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

/// What a principal type names.
enum Kind {
    Assignable(PrincipalType),
    ServicePrincipal,
    Other,
}

fn principal(ty: &str) -> Kind {
    if let Some(t) = PrincipalType::parse(ty) {
        return Kind::Assignable(t);
    }
    let t = ty.trim();
    let t = t.strip_prefix("#microsoft.graph.").unwrap_or(t);
    if schema::name_key(t) == "serviceprincipal" {
        Kind::ServicePrincipal
    } else {
        Kind::Other
    }
}

/// The one error for a CSV that is not an assignments file: what it lacks, and what it
/// looks like instead.
fn wrong_file(shown: &str, t: &Table, ty: Option<usize>, id: Option<usize>) -> Diagnostic {
    let missing: Vec<&str> = [
        ("principalType", ty.is_some()),
        ("principalId", id.is_some()),
    ]
    .into_iter()
    .filter(|(_, found)| !found)
    .map(|(n, _)| n)
    .collect();
    let mut help = "the header must be `app,principalType,principalId` (any order), as `Get-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $sp.Id -All | Select-Object @{n='app';e={$_.ResourceDisplayName}},PrincipalType,PrincipalId | Export-Csv ...` writes it".to_string();
    if find_column(t, &["userPrincipalName"]).is_some() && find_column(t, &["groupId"]).is_none() {
        help = format!("this looks like a user export: pass it with `--directory`; {help}");
    } else if find_column(t, &["groupId", "memberId"]).is_some() {
        help = format!(
            "this looks like a group-member export: pass it with `--group-members`; {help}"
        );
    }
    let have: Vec<String> = t
        .headers
        .iter()
        .take(12)
        .map(|h| format!("`{h}`"))
        .collect();
    Diagnostic::error(
        Code::WrongInputFile,
        format!(
            "`{shown}` is not an assignments file: it has no {} column (it has {}{})",
            missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(" or "),
            have.join(", "),
            if t.headers.len() > 12 { ", ..." } else { "" }
        ),
    )
    .at(FileLocation::file(shown).at_line(t.header_line))
    .with_help(help)
}
