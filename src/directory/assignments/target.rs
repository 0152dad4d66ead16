//! Target state: the accounts an app already has, with every column the export gives
//! (S31, S32).
//!
//! Whether an account is *managed* by Entra or *pre-existing* depends on the directory (an
//! `externalId` equal to a user's objectId) and which columns are matched depends on the
//! rules (the schema's `matchingPriority`), so the reader keeps every column of these
//! small files and decides nothing: the rollout does, with the directory and the rules at
//! hand. What it reads here is only what needs no context: the `managed` column (a Boolean,
//! S4), `externalId`, and `active`/`accountEnabled`/`IsActive`.

use super::*;
use crate::diag::{Code, Errors};

/// One account of an app's target system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetAccount {
    /// How the account is shown in reports: its `userName`/`userPrincipalName` (or the
    /// `--match-on` column), else its `externalId`, else `line N`.
    pub key: String,
    /// Whether the account is active there, when the export says.
    pub active: Option<bool>,
    /// Line in the file.
    pub line: u64,
    /// The `managed` column, when the file has one (S31): `Some(true)` for accounts Entra
    /// created or matched, `None` when the cell is empty.
    pub managed: Option<bool>,
    /// The `externalId` (Entra's default SCIM mapping writes the user's objectId there).
    pub external_id: Option<String>,
    /// Every column's value, in the order of [`TargetState::columns`]; `None` when empty.
    pub values: Vec<Option<String>>,
}

impl TargetAccount {
    /// An account Entra manages for the user with this objectId (for states built in
    /// code: the accounts one side of a diff provisions, a test case's `managed_in`).
    pub fn managed_user(object_id: &str, active: Option<bool>) -> TargetAccount {
        TargetAccount {
            key: object_id.to_string(),
            active,
            line: 0,
            managed: Some(true),
            external_id: Some(object_id.to_string()),
            values: Vec::new(),
        }
    }

    /// The value of column `col` (`None` when empty or absent).
    pub fn value(&self, col: usize) -> Option<&str> {
        self.values.get(col).and_then(|v| v.as_deref())
    }
}

/// The accounts an app already has.
#[derive(Debug, Clone)]
pub struct TargetState {
    /// The app.
    pub app: String,
    /// The `--match-on` attribute the file was read with: it overrides the app's matching
    /// attributes (S32).
    pub match_on: Option<String>,
    /// Column (CSV header or JSON property) names, in file order.
    pub columns: Vec<String>,
    /// The file has a `managed` column (S31).
    pub has_managed_column: bool,
    /// The file has an `externalId` column (S31).
    pub has_external_id_column: bool,
    /// The header line (CSV), or 1 (JSON): where a missing column is reported.
    pub header_line: u64,
    /// In file order.
    pub accounts: Vec<TargetAccount>,
    /// The file read.
    pub input: InputInfo,
}

impl TargetState {
    /// A state of accounts Entra manages, built in code (see
    /// [`TargetAccount::managed_user`]); `label` names it where a file path would.
    pub fn managed(app: &str, label: &str, accounts: Vec<TargetAccount>) -> TargetState {
        TargetState {
            app: app.to_string(),
            match_on: None,
            columns: Vec::new(),
            has_managed_column: true,
            has_external_id_column: true,
            header_line: 0,
            accounts,
            input: InputInfo {
                path: label.to_string(),
                format: InputFormat::Csv,
                sha256: String::new(),
                bytes: 0,
                records: 0,
                skipped: 0,
                encoding: None,
                delimiter: None,
            },
        }
    }

    /// The first column that designates one of `names` (same name ignoring case and
    /// punctuation, or the same provisioning attribute), trying the names in order.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.columns.iter().position(|c| names_match(c, n)))
    }

    /// The column name at `col`.
    pub fn column_name(&self, col: usize) -> &str {
        self.columns.get(col).map_or("", String::as_str)
    }

    /// Does column `col` designate `name` (see [`TargetState::column`])?
    pub fn designates(&self, col: usize, name: &str) -> bool {
        names_match(self.column_name(col), name)
    }

    /// The file, for messages.
    pub fn path(&self) -> &str {
        &self.input.path
    }
}

/// Names of the columns that say whether an account is active in the target.
const ACTIVE_NAMES: &[&str] = &["active", "accountEnabled", "IsActive"];

/// Names that show an account in reports, after the `--match-on` column.
const SHOWN_NAMES: &[&str] = &["userName", "userPrincipalName", "mail", "email"];

/// Reads an app's existing accounts (CSV, a JSON array, `{"value": [...]}`, or a SCIM
/// `ListResponse` with `Resources`), keeping every column. With `match_on` given
/// (`--match-on`), the file must have that column (SCIM `userName` counts for
/// `userPrincipalName`); otherwise the rollout checks the columns the app's matching
/// attributes need. A `managed` value that is neither true, false nor empty is an error.
pub fn read_target_state(
    app: &str,
    path: &Path,
    match_on: Option<&str>,
) -> Result<TargetState, Errors> {
    let shown = path.display().to_string();
    let (text, sha, bytes, enc) = read_small_text(path, &shown)?;
    let mut errors = Vec::new();
    let (format, delimiter, columns, rows, header_line) = if looks_like_json(&text) {
        let records = json_records(&text, &shown, &["value", "Resources"])?;
        let mut columns: Vec<String> = Vec::new();
        for r in &records {
            for k in r.map.keys() {
                if !columns.iter().any(|c| c == k) {
                    columns.push(k.clone());
                }
            }
        }
        let rows: Vec<RawRow> = records
            .iter()
            .map(|r| RawRow {
                line: r.line,
                record: Some(r.record),
                values: columns
                    .iter()
                    .map(|c| r.map.get(c).and_then(json_text))
                    .collect(),
            })
            .collect();
        (InputFormat::GraphJson, None, columns, rows, 1)
    } else {
        let t = parse_table(&text, &shown)?;
        let rows: Vec<RawRow> = t
            .rows
            .iter()
            .map(|row| RawRow {
                line: row.line,
                record: None,
                values: (0..t.headers.len())
                    .map(|i| row.fields.get(i).filter(|v| !v.is_empty()).cloned())
                    .collect(),
            })
            .collect();
        (
            InputFormat::Csv,
            Some(t.delimiter),
            t.headers.clone(),
            rows,
            t.header_line,
        )
    };
    let find = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| columns.iter().position(|c| names_match(c, n)))
    };
    let mut shown_names: Vec<&str> = Vec::new();
    if let Some(m) = match_on {
        shown_names.extend(key_names(m));
        if find(&shown_names).is_none() {
            let have: Vec<String> = columns.iter().map(|h| format!("`{h}`")).collect();
            return Err(Errors::from(vec![
                Diagnostic::error(
                    Code::MissingKey,
                    format!("`{shown}` has no `{m}` column to match accounts on"),
                )
                .at(FileLocation::file(&shown).at_line(header_line))
                .with_rule("S32")
                .with_help(format!(
                    "pick the column that holds the matching attribute with `--match-on <name>` (this file has {}), or export it",
                    have.join(", ")
                )),
            ]));
        }
    }
    shown_names.extend(SHOWN_NAMES);
    let shown_col = find(&shown_names);
    let managed_col = find(&["managed"]);
    let external_col = find(&["externalId"]);
    let active_col = find(ACTIVE_NAMES);
    let mut accounts = Vec::with_capacity(rows.len());
    for row in rows {
        let get = |c: Option<usize>| c.and_then(|c| row.values.get(c)).and_then(|v| v.clone());
        let managed = match get(managed_col) {
            None => None,
            Some(v) => match parse_bool(&v) {
                Some(b) => Some(b),
                None => {
                    let mut loc = FileLocation::file(&shown).at_line(row.line);
                    if let Some(r) = row.record {
                        loc = loc.at_record(r);
                    } else if let Some(c) = managed_col {
                        loc = loc.at_column(c as u64 + 1);
                    }
                    errors.push(
                        Diagnostic::error(
                            Code::BadManagedValue,
                            format!("`managed` is `{v}`, which is neither true nor false"),
                        )
                        .at(loc)
                        .with_rule("S31")
                        .with_help("write `true` for accounts Entra created or matched, `false` (or nothing) for accounts it does not manage"),
                    );
                    if errors.len() >= 20 {
                        break;
                    }
                    continue;
                }
            },
        };
        let external_id = get(external_col);
        let key = get(shown_col)
            .or_else(|| external_id.clone())
            .unwrap_or_else(|| format!("line {}", row.line));
        accounts.push(TargetAccount {
            key,
            active: get(active_col).and_then(|v| parse_bool(&v)),
            line: row.line,
            managed,
            external_id,
            values: row.values,
        });
    }
    if !errors.is_empty() {
        return Err(Errors::from(errors));
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
        match_on: match_on.map(str::to_string),
        has_managed_column: managed_col.is_some(),
        has_external_id_column: external_col.is_some(),
        columns,
        header_line,
        accounts,
        input,
    })
}

/// One record before interpretation.
struct RawRow {
    line: u64,
    record: Option<u64>,
    values: Vec<Option<String>>,
}

/// A JSON property as text: strings as they are, Booleans as `true`/`false`, other
/// values as JSON text; null and `""` are `None`.
fn json_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
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
    fn s31_every_column_is_kept_with_managed_and_external_id() {
        let (_d, p) = file(
            "t.csv",
            "Username,Email,IsActive,externalId,managed\nA@x,a@x,true,id-1,TRUE\nb@x,,False,,\n",
        );
        let t = read_target_state("S", &p, None).unwrap();
        assert!(t.has_managed_column && t.has_external_id_column);
        assert_eq!(t.columns.len(), 5);
        let a = &t.accounts[0];
        assert_eq!(
            (
                a.key.as_str(),
                a.active,
                a.managed,
                a.external_id.as_deref()
            ),
            ("A@x", Some(true), Some(true), Some("id-1"))
        );
        let b = &t.accounts[1];
        assert_eq!(
            (b.active, b.managed, b.external_id.as_deref()),
            (Some(false), None, None)
        );
        assert_eq!(b.value(1), None, "empty is null");
        assert_eq!(t.column(&["userName"]), Some(0));
        assert_eq!(t.column(&["mail"]), Some(1));
    }

    #[test]
    fn s31_an_unreadable_managed_value_is_a_located_error() {
        let (_d, p) = file("t.csv", "userName,managed\na@x,yes\n");
        let e = read_target_state("S", &p, None).unwrap_err();
        assert_eq!(e[0].code, "bad-managed-value");
        let l = e[0].location.as_ref().unwrap();
        assert_eq!((l.line, l.column), (Some(2), Some(2)));
    }

    #[test]
    fn s31_scim_json_keeps_nested_values_as_text() {
        let (_d, p) = file(
            "t.json",
            r#"{"Resources":[{"userName":"a@x","externalId":"1","active":true,"emails":[{"value":"a@x"}]},{"userName":"b@x","active":false}]}"#,
        );
        let t = read_target_state("S", &p, None).unwrap();
        assert!(!t.has_managed_column && t.has_external_id_column);
        assert_eq!(t.accounts[0].external_id.as_deref(), Some("1"));
        let emails = t.column(&["emails"]).unwrap();
        assert_eq!(t.accounts[0].value(emails), Some(r#"[{"value":"a@x"}]"#));
        assert_eq!(t.accounts[1].value(emails), None);
        assert_eq!(t.accounts[1].active, Some(false));
    }
}
