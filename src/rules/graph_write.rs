//! Entra's Graph synchronization-schema JSON, written (spec S30, S32, S33).
//!
//! Three outputs: the `scope` object of one stage, ready to paste into the schema editor;
//! a scopesim *bundle* of every app and stage (see [`super::graph_json`]); and a whole
//! schema (or object mapping) read from a file, written back with only the user mapping's
//! `scope` replaced. The last one is done on the text, not by re-serialising a tree: every
//! other byte (property order, numbers as written, metadata Entra says not to touch)
//! stays as exported, so the file can be `PUT` back. Operators are always written in
//! their canonical spelling.

use super::ast::*;
use super::graph_json::GraphScope;
use serde::Serialize;
use serde_json::{Map, Value as JValue, json};

/// The Graph `scope` object for a set of filters, with canonical operator spellings.
pub fn scope_json<'a>(
    groups: impl IntoIterator<Item = &'a Filter>,
    input_groups: impl IntoIterator<Item = &'a Filter>,
    category_groups: impl IntoIterator<Item = &'a Filter>,
) -> JValue {
    let list = |fs: &mut dyn Iterator<Item = &'a Filter>| -> JValue {
        JValue::Array(fs.map(filter_json).collect())
    };
    json!({
        "groups": list(&mut groups.into_iter()),
        "inputFilterGroups": list(&mut input_groups.into_iter()),
        "categoryFilterGroups": list(&mut category_groups.into_iter()),
    })
}

fn filter_json(f: &Filter) -> JValue {
    let clauses: Vec<JValue> = f
        .clauses
        .iter()
        .map(|c| {
            let op = match &c.operator.node {
                OperatorName::Known(op) => op.canonical().to_string(),
                OperatorName::Unknown(s) => s.clone(),
            };
            json!({
                "sourceOperandName": c.attribute.node,
                "operatorName": op,
                "targetOperand": { "values": c.values.iter().map(|v| v.text.clone()).collect::<Vec<_>>() },
            })
        })
        .collect();
    json!({ "name": f.name.node, "clauses": clauses })
}

/// A bundle entry for one app: settings as Entra's job secrets and object mapping name
/// them, and one Graph scope per stage (inherited filters included, since Graph has no
/// `extends`).
pub fn app_bundle_json(app: &App, stages: &[(String, JValue)]) -> JValue {
    let mut m = Map::new();
    m.insert("name".into(), JValue::String(app.name.node.clone()));
    m.insert(
        "syncAll".into(),
        JValue::Bool(app.scope_mode() == ScopeMode::All),
    );
    m.insert(
        "skipOutOfScopeDeletions".into(),
        JValue::Bool(app.skip_deletions()),
    );
    if let Some(t) = &app.deletion_threshold {
        m.insert("deleteThreshold".into(), JValue::from(t.node));
    }
    if let Some(e) = &app.object.enabled {
        m.insert("enabled".into(), JValue::Bool(e.node));
    }
    if let Some(f) = &app.object.flow_types {
        m.insert("flowTypes".into(), JValue::String(f.node.as_graph()));
    }
    if !app.object.matching.is_empty() {
        let list = app
            .object
            .matching
            .iter()
            .map(|x| {
                let mut e = Map::new();
                match &x.expression {
                    Some(text) => e.insert("expression".into(), JValue::String(text.clone())),
                    None => e.insert("source".into(), JValue::String(x.source.node.clone())),
                };
                e.insert("target".into(), JValue::String(x.target.clone()));
                e.insert("priority".into(), JValue::from(x.priority));
                JValue::Object(e)
            })
            .collect();
        m.insert("matching".into(), JValue::Array(list));
    }
    // S39/S40: the attribute mappings are copied as the schema holds them.
    if let Some(raw) = &app.object.attribute_mappings {
        if let Some(list) = raw.object_mapping.member("attributeMappings") {
            m.insert("attributeMappings".into(), list.to_serde());
        }
        if let Some(t) = &raw.target_object {
            m.insert("targetObject".into(), t.to_serde());
        }
    }
    m.insert(
        "stages".into(),
        JValue::Array(
            stages
                .iter()
                .map(|(name, scope)| json!({ "name": name, "scope": scope }))
                .collect(),
        ),
    );
    JValue::Object(m)
}

/// A JSON value in the Graph PowerShell SDK's style: every object key's first letter
/// upper-cased (`Groups`, `Clauses`, `SourceOperandName`), keys in alphabetical order as
/// the SDK's models list them, and, when `additional`, the SDK's empty
/// `AdditionalProperties` on every object.
pub fn pascal_case(v: JValue, additional: bool) -> JValue {
    match v {
        JValue::Object(m) => {
            let mut members: Vec<(String, JValue)> = m
                .into_iter()
                .map(|(k, v)| {
                    let mut chars = k.chars();
                    let k = match chars.next() {
                        Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
                        None => k,
                    };
                    (k, pascal_case(v, additional))
                })
                .collect();
            members.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out: Map<String, JValue> = members.into_iter().collect();
            if additional {
                out.insert("AdditionalProperties".into(), JValue::Object(Map::new()));
            }
            JValue::Object(out)
        }
        JValue::Array(items) => JValue::Array(
            items
                .into_iter()
                .map(|v| pascal_case(v, additional))
                .collect(),
        ),
        other => other,
    }
}

/// The schema (or object mapping) `text` with the user mapping's `scope` replaced by
/// `scope`, written in the file's own style: its key case, its line ends, and
/// pretty-printed with its indentation (or on one line when the file is one line). Everything else is the
/// original text, byte for byte; a scope equal to the one written is left as written.
/// `None` when the mapping has no `scope` property to replace (then a scope that is
/// empty needs no change).
pub fn splice_scope(text: &str, graph: &GraphScope, scope: JValue) -> Option<String> {
    let span = graph.scope_span?;
    let before = text.get(..span.start)?;
    let after = text.get(span.end..)?;
    let original: Option<JValue> = text
        .get(span.start..span.end)
        .and_then(|t| serde_json::from_str(t).ok());
    let scope = if graph.pascal_case {
        let additional = text.contains("\"AdditionalProperties\"");
        pascal_case(scope, additional)
    } else {
        scope
    };
    // Nothing changed (the scope was already written canonically): the file as it is.
    if original.as_ref() == Some(&scope) {
        return Some(text.to_string());
    }
    let multiline = text.trim_end().contains('\n');
    let body = if multiline {
        let unit = indent_unit(text);
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let indent: String = before[line_start..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let pretty = to_pretty(&scope, &unit);
        pretty.replace('\n', &format!("{newline}{indent}"))
    } else {
        serde_json::to_string(&scope).unwrap_or_default()
    };
    Some(format!("{before}{body}{after}"))
}

/// The leading white space of the first indented line (two spaces when none is).
fn indent_unit(text: &str) -> String {
    text.lines()
        .map(|l| {
            l.chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect::<String>()
        })
        .find(|w| !w.is_empty())
        .unwrap_or_else(|| "  ".to_string())
}

fn to_pretty(v: &JValue, unit: &str) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(unit.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    match v.serialize(&mut ser) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(_) => String::new(),
    }
}
