//! Target state: the accounts an app already has, the managed state before a rollout
//! (S31).

use super::*;
use crate::diag::{Code, Errors};

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

/// Reads an app's existing accounts (CSV, a JSON array, `{"value": [...]}`, or a SCIM
/// `ListResponse` with `Resources`), keyed by the `match_on` column (SCIM `userName` also
/// counts for `userPrincipalName`), with `active`/`accountEnabled` when present.
pub fn read_target_state(app: &str, path: &Path, match_on: &str) -> Result<TargetState, Errors> {
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
                        Code::MissingKey,
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
            return Err(Errors::from(vec![
                Diagnostic::error(
                    Code::MissingKey,
                    format!("`{shown}` has no `{match_on}` column to match accounts on"),
                )
                .at(FileLocation::file(&shown).at_line(t.header_line))
                .with_help(help(&have.join(", "))),
            ]));
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
                        Code::MissingKey,
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
        match_on: match_on.to_string(),
        accounts,
        input,
    })
}
