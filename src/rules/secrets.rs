//! The synchronization-secrets export, read and applied to an app (S24, S27).
//!
//! A synchronization schema does not carry the job's settings: Entra keeps the scope
//! (`SyncAll`), `SkipOutOfScopeDeletions` and accidental-deletion prevention
//! (`SyncNotificationSettings`: `DeleteThresholdEnabled`, `DeleteThresholdValue`) as job
//! *secrets*. Without them a schema simulates with defaults that may not be the tenant's
//! (assigned, deletions on, no threshold), so `--secrets FILE` reads them from:
//!
//! - Graph: `GET /servicePrincipals/{id}/synchronization/secrets` →
//!   `{"value": [{"key": "SyncAll", "value": "false"}, ...]}`;
//! - the Graph PowerShell SDK: `(Get-MgServicePrincipalSynchronization -ServicePrincipalId
//!   $sp).Secrets | ConvertTo-Json` → `[{"Key": "SyncAll", "Value": "false"}, ...]`, or the
//!   whole synchronization object with its `Secrets`.
//!
//! The export also holds credentials (`SecretToken`, passwords). Their values are masked
//! in the text kept for diagnostics (same length, so spans stay exact), so no error
//! snippet can show them; the rule hash covers the masked text.

use super::ast::*;
use super::json_tree::{Json, JsonKind, parse_json};
use crate::diag::{Code, Diagnostic};
use crate::source::{SourceId, Span};

/// The keys scopesim reads; every other value is masked.
const USED: [&str; 3] = [
    "SyncAll",
    "SkipOutOfScopeDeletions",
    "SyncNotificationSettings",
];

/// One key/value entry of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretEntry {
    /// The key, as written.
    pub key: String,
    /// The value as text (a JSON string's text, or a Boolean or number as written).
    pub value: String,
    /// The whole entry.
    pub span: Span,
    /// The value.
    pub value_span: Span,
}

/// Parses a secrets export. Returns the entries, the text with unused values masked, and
/// the problems found.
pub fn read_secrets(text: &str, source: SourceId) -> (Vec<SecretEntry>, String, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let root = match parse_json(text, source) {
        Ok(j) => j,
        Err(d) => return (Vec::new(), mask_all(text), vec![d]),
    };
    let list = match &root.kind {
        JsonKind::Array(items) => Some(items.as_slice()),
        JsonKind::Object(_) => ["value", "secrets"]
            .iter()
            .find_map(|k| root.get(k).or_else(|| root.get_ignore_case(k)))
            .and_then(Json::as_array),
        _ => None,
    };
    let Some(list) = list else {
        diags.push(
            Diagnostic::error(Code::BadSecrets, "this is not a synchronization-secrets export")
                .with_rule("S24")
                .with_label(source, Span::new(root.span.start, root.span.start + 1), "")
                .with_help("use the JSON of `GET /servicePrincipals/{id}/synchronization/secrets` (`{\"value\": [{\"key\": ..., \"value\": ...}]}`) or `(Get-MgServicePrincipalSynchronization -ServicePrincipalId $sp).Secrets | ConvertTo-Json`"),
        );
        return (Vec::new(), mask_all(text), diags);
    };
    let mut entries = Vec::new();
    let mut masked = text.as_bytes().to_vec();
    for item in list {
        let k = item.get("key").or_else(|| item.get_ignore_case("key"));
        let v = item.get("value").or_else(|| item.get_ignore_case("value"));
        let (Some(k), Some(v)) = (k.and_then(Json::as_str), v) else {
            let at = match item.kind {
                JsonKind::Object(_) | JsonKind::Array(_) => {
                    Span::new(item.span.start, item.span.start + 1)
                }
                _ => item.span,
            };
            let hint = match item.as_str() {
                Some(t) if super::graph_json::is_truncation_text(t) => {
                    "ConvertTo-Json cut the export at its default depth: add `-Depth 5`"
                }
                _ => "each entry is `{\"key\": \"SyncAll\", \"value\": \"false\"}`",
            };
            diags.push(
                Diagnostic::error(
                    Code::BadSecrets,
                    "a secrets entry needs a `key` and a `value`",
                )
                .with_rule("S24")
                .with_label(source, at, "")
                .with_help(hint),
            );
            mask(&mut masked, item.span);
            continue;
        };
        let value = match &v.kind {
            JsonKind::String(s) => s.text.clone(),
            JsonKind::Bool(b) => b.to_string(),
            JsonKind::Number(n) => n.clone(),
            JsonKind::Null => String::new(),
            _ => String::new(),
        };
        if !USED.iter().any(|u| u.eq_ignore_ascii_case(k)) {
            mask(&mut masked, v.span);
        }
        entries.push(SecretEntry {
            key: k.to_string(),
            value,
            span: item.span,
            value_span: v.span,
        });
    }
    let masked = String::from_utf8(masked).unwrap_or_else(|_| mask_all(text));
    (entries, masked, diags)
}

/// Replaces every byte of a JSON value but its quotes with `*` (ASCII, so the text stays
/// UTF-8 and every span keeps its offsets).
fn mask(bytes: &mut [u8], span: Span) {
    let inner = if bytes.get(span.start) == Some(&b'"') && span.len() >= 2 {
        span.start + 1..span.end - 1
    } else {
        span.start..span.end
    };
    for b in bytes.get_mut(inner).into_iter().flatten() {
        *b = b'*';
    }
}

/// A text that could not be read as an export: everything but line breaks masked.
fn mask_all(text: &str) -> String {
    text.chars()
        .map(|c| if c == '\n' || c == '\r' { c } else { '*' })
        .collect()
}

fn bool_of(text: &str) -> Option<bool> {
    // S4: Boolean text in any letter case, blanks ignored.
    match text.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Applies the entries to `app`: a setting the rules file sets itself wins, with a warning
/// when the two differ; every setting taken from the export is recorded in `app.secrets`.
pub fn apply_secrets(
    app: &mut App,
    entries: &[SecretEntry],
    source: SourceId,
    file: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let span = app.name.span;
    let app_name = app.name.node.clone();
    for e in entries {
        let bad = |what: &str| {
            Diagnostic::error(
                Code::BadSecrets,
                format!("`{}` must be {what}, not `{}`", e.key, e.value),
            )
            .with_rule("S24")
            .with_label(source, e.value_span, "")
        };
        let record = |app: &mut App, setting: String| {
            app.secrets.push(SecretSetting {
                key: e.key.clone(),
                value: e.value.clone(),
                setting,
                source,
                span: e.span,
            });
        };
        let overridden = |setting: &str, rules: String, secret: String| {
            Diagnostic::warning(
                Code::SecretsOverridden,
                format!(
                    "the rules set `{setting} {rules}` for `{app_name}`, the secrets export `{}` says `{secret}`: using the rules",
                    e.key
                ),
            )
            .with_rule("S24")
            .with_label(source, e.span, "in the secrets export")
            .with_help(format!("remove `{setting}` from the rules to simulate the setting of `{file}`"))
        };
        match e.key.to_ascii_lowercase().as_str() {
            "syncall" => {
                let Some(all) = bool_of(&e.value) else {
                    diags.push(bad("`true` or `false`"));
                    continue;
                };
                let mode = if all {
                    ScopeMode::All
                } else {
                    ScopeMode::Assigned
                };
                match &app.scope {
                    Some(s) if s.node != mode => diags.push(overridden(
                        "scope",
                        s.node.as_str().to_string(),
                        mode.as_str().to_string(),
                    )),
                    Some(_) => {}
                    None => {
                        app.scope = Some(Spanned::new(mode, span));
                        record(app, format!("scope {}", mode.as_str()));
                    }
                }
            }
            "skipoutofscopedeletions" => {
                let Some(skip) = bool_of(&e.value) else {
                    diags.push(bad("`true` or `false`"));
                    continue;
                };
                match &app.skip_out_of_scope_deletions {
                    Some(s) if s.node != skip => diags.push(overridden(
                        "skip_out_of_scope_deletions",
                        s.node.to_string(),
                        skip.to_string(),
                    )),
                    Some(_) => {}
                    None => {
                        app.skip_out_of_scope_deletions = Some(Spanned::new(skip, span));
                        record(app, format!("skip_out_of_scope_deletions {skip}"));
                    }
                }
            }
            "syncnotificationsettings" => {
                let Some(threshold) = notification_threshold(&e.value) else {
                    diags.push(bad(
                        "a JSON object such as `{\"DeleteThresholdEnabled\":true,\"DeleteThresholdValue\":50}`",
                    ));
                    continue;
                };
                match (&app.deletion_threshold, threshold) {
                    (Some(t), Some(n)) if t.node != n => diags.push(overridden(
                        "deletion_threshold",
                        t.node.to_string(),
                        n.to_string(),
                    )),
                    (Some(t), None) => diags.push(overridden(
                        "deletion_threshold",
                        t.node.to_string(),
                        "off".to_string(),
                    )),
                    (Some(_), Some(_)) => {}
                    (None, Some(n)) => {
                        app.deletion_threshold = Some(Spanned::new(n, span));
                        record(app, format!("deletion_threshold {n}"));
                    }
                    (None, None) => record(app, "no deletion threshold".to_string()),
                }
            }
            _ => {}
        }
    }
}

/// The threshold of a `SyncNotificationSettings` value: `Some(Some(n))` when deletion
/// prevention is on with `n`, `Some(None)` when it is off, `None` when unreadable.
fn notification_threshold(text: &str) -> Option<Option<u64>> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let get = |k: &str| {
        v.as_object()?
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.clone())
    };
    let enabled = match get("DeleteThresholdEnabled") {
        None | Some(serde_json::Value::Null) => false,
        Some(serde_json::Value::Bool(b)) => b,
        Some(serde_json::Value::String(s)) => bool_of(&s)?,
        Some(_) => return None,
    };
    if !enabled {
        return Some(None);
    }
    let n = match get("DeleteThresholdValue")? {
        serde_json::Value::Number(n) => n.as_u64()?,
        serde_json::Value::String(s) => s.trim().parse::<u64>().ok()?,
        _ => return None,
    };
    (n > 0).then_some(Some(n))
}

/// One line per app saying which settings came from a secrets export, for `check`.
pub fn describe(app: &App, file_of: impl Fn(SourceId) -> String) -> Option<String> {
    let first = app.secrets.first()?;
    let parts: Vec<String> = app
        .secrets
        .iter()
        .map(|s| {
            if s.value.len() <= 20 && !s.value.contains('{') {
                format!("{} ({}={})", s.setting, s.key, s.value)
            } else {
                format!("{} ({})", s.setting, s.key)
            }
        })
        .collect();
    Some(format!(
        "settings of `{}` from `{}`: {}",
        app.name.node,
        file_of(first.source),
        parts.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> App {
        App {
            name: Spanned::new("Salesforce".into(), Span::new(0, 1)),
            source: SourceId(0),
            span: Span::new(0, 1),
            scope: None,
            skip_out_of_scope_deletions: None,
            deletion_threshold: None,
            object: ObjectSettings::default(),
            stages: Vec::new(),
            name_origin: NameOrigin::Given,
            secrets: Vec::new(),
        }
    }

    const GRAPH: &str = r#"{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('00000000-0000-0000-0000-000000000000')/synchronization/secrets",
  "value": [
    { "key": "BaseAddress", "value": "https://contoso.my.salesforce.com" },
    { "key": "SecretToken", "value": "s3cr3t-t0ken" },
    { "key": "SyncNotificationSettings", "value": "{\"Enabled\":true,\"Recipients\":\"it-ops@contoso.com\",\"DeleteThresholdEnabled\":true,\"DeleteThresholdValue\":50}" },
    { "key": "SyncAll", "value": "true" },
    { "key": "SkipOutOfScopeDeletions", "value": "True" }
  ]
}"#;

    #[test]
    fn s24_sync_all_and_skip_deletions_come_from_the_graph_secrets() {
        let (entries, masked, d) = read_secrets(GRAPH, SourceId(1));
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(entries.len(), 5);
        // credentials are masked in the kept text, with every offset unchanged
        assert!(!masked.contains("s3cr3t"));
        assert!(!masked.contains("salesforce.com"));
        assert_eq!(masked.len(), GRAPH.len());
        assert!(masked.contains("\"SyncAll\", \"value\": \"true\""));
        let mut a = app();
        let mut diags = Vec::new();
        apply_secrets(&mut a, &entries, SourceId(1), "secrets.json", &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(a.scope_mode(), ScopeMode::All);
        assert!(a.skip_deletions());
        assert_eq!(a.deletion_threshold.as_ref().map(|t| t.node), Some(50));
        let applied: Vec<&str> = a.secrets.iter().map(|s| s.setting.as_str()).collect();
        assert_eq!(
            applied,
            [
                "deletion_threshold 50",
                "scope all",
                "skip_out_of_scope_deletions true"
            ]
        );
    }

    #[test]
    fn s24_the_powershell_form_is_read_the_same() {
        let ps = "[\r\n  {\r\n    \"Key\": \"SyncAll\",\r\n    \"Value\": \"false\",\r\n    \"AdditionalProperties\": {}\r\n  },\r\n  {\r\n    \"Key\": \"SkipOutOfScopeDeletions\",\r\n    \"Value\": \"false\",\r\n    \"AdditionalProperties\": {}\r\n  }\r\n]";
        let (entries, _, d) = read_secrets(ps, SourceId(1));
        assert!(d.is_empty(), "{d:?}");
        let mut a = app();
        let mut diags = Vec::new();
        apply_secrets(&mut a, &entries, SourceId(1), "s.json", &mut diags);
        assert_eq!(a.scope.as_ref().map(|s| s.node), Some(ScopeMode::Assigned));
        assert_eq!(
            a.skip_out_of_scope_deletions.as_ref().map(|s| s.node),
            Some(false)
        );
    }

    #[test]
    fn s24_rules_win_over_the_secrets_with_a_warning() {
        let (entries, _, _) = read_secrets(GRAPH, SourceId(1));
        let mut a = app();
        a.scope = Some(Spanned::new(ScopeMode::Assigned, Span::new(0, 1)));
        let mut diags = Vec::new();
        apply_secrets(&mut a, &entries, SourceId(1), "secrets.json", &mut diags);
        assert_eq!(a.scope_mode(), ScopeMode::Assigned);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::SecretsOverridden);
        assert!(
            diags[0].message.contains("`scope assigned`"),
            "{}",
            diags[0].message
        );
    }

    #[test]
    fn bad_values_are_located_and_never_echo_credentials() {
        let text = r#"{"value":[{"key":"SyncAll","value":"maybe"},{"key":"SecretToken","value":"hunter2"},"@{Key=SyncAll; Value=true}"]}"#;
        let (entries, masked, d) = read_secrets(text, SourceId(1));
        assert_eq!(d.len(), 1);
        assert!(d[0].help.as_deref().unwrap_or("").contains("-Depth"));
        assert!(!masked.contains("hunter2"));
        let mut a = app();
        let mut diags = Vec::new();
        apply_secrets(&mut a, &entries, SourceId(1), "s.json", &mut diags);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::BadSecrets);
        assert!(diags.iter().all(|d| !d.message.contains("hunter2")));
        let (_, masked, d) = read_secrets("{\"value\": \"nope\"", SourceId(1));
        assert_eq!(d[0].code, Code::JsonSyntax);
        assert!(!masked.contains("nope"));
    }

    #[test]
    fn s27_threshold_off_in_the_secrets_leaves_it_off() {
        let text = r#"{"value":[{"key":"SyncNotificationSettings","value":"{\"Enabled\":false,\"DeleteThresholdEnabled\":false}"}]}"#;
        let (entries, _, _) = read_secrets(text, SourceId(1));
        let mut a = app();
        let mut diags = Vec::new();
        apply_secrets(&mut a, &entries, SourceId(1), "s.json", &mut diags);
        assert!(diags.is_empty());
        assert!(a.deletion_threshold.is_none());
        assert_eq!(a.secrets[0].setting, "no deletion threshold");
    }
}
