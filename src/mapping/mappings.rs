//! Attribute mappings as a Graph schema's `objectMappings[].attributeMappings[]` hold them
//! (GD-AM): the target attribute, the source expression and how the value flows.
//!
//! This is the model the payload stage evaluates per user; reading it here keeps every
//! mistake located in the schema file. `flowType` and `flowBehavior` are Graph enums,
//! read ignoring letter case; anything else is an error, never a guess (S40).

use super::ast::Expr;
use crate::diag::{Code, Diagnostic, Errors};
use crate::rules::json_tree::{Json, JsonKind};
use crate::source::{SourceId, Sources, Span};

/// When a mapping flows (GD-AM `flowType`, S40).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum FlowType {
    /// On create and on update.
    Always,
    /// Only when the object is created ("Only during object creation").
    ObjectAddOnly,
    /// Only when values are added to a multi-valued attribute.
    MultiValueAddOnly,
    /// Adds values but never removes them.
    ValueAddOnly,
    /// Only when the target attribute has no value yet.
    AttributeAddOnly,
}

impl FlowType {
    /// Graph's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            FlowType::Always => "Always",
            FlowType::ObjectAddOnly => "ObjectAddOnly",
            FlowType::MultiValueAddOnly => "MultiValueAddOnly",
            FlowType::ValueAddOnly => "ValueAddOnly",
            FlowType::AttributeAddOnly => "AttributeAddOnly",
        }
    }

    const ALL: [FlowType; 5] = [
        FlowType::Always,
        FlowType::ObjectAddOnly,
        FlowType::MultiValueAddOnly,
        FlowType::ValueAddOnly,
        FlowType::AttributeAddOnly,
    ];
}

/// When an unchanged value is sent again (GD-AM `flowBehavior`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum FlowBehavior {
    /// Only when the value changed (the default).
    FlowWhenChanged,
    /// On every export.
    FlowAlways,
}

/// One attribute mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// The target attribute (`targetAttributeName`).
    pub target: String,
    /// The source expression; `None` for a constant given only as `defaultValue`.
    pub source: Option<Expr>,
    /// Used on create when the expression gives NULL (S40, ED-ATTR).
    pub default_value: Option<String>,
    /// When it flows.
    pub flow_type: FlowType,
    /// When an unchanged value is sent again.
    pub flow_behavior: FlowBehavior,
    /// Above 0: a matching attribute, lowest tried first (S32).
    pub matching_priority: i64,
    /// Graph's `exportMissingReferences` ("for internal use only").
    pub export_missing_references: bool,
    /// The mapping object in the schema text.
    pub span: Span,
}

impl Mapping {
    /// True for a matching attribute (S32).
    pub fn is_matching(&self) -> bool {
        self.matching_priority > 0
    }

    /// True when the mapping flows on updates (S40: `ObjectAddOnly` flows on create only).
    pub fn flows_on_update(&self) -> bool {
        self.flow_type != FlowType::ObjectAddOnly
    }
}

fn shape(id: SourceId, span: Span, message: String, help: &str) -> Diagnostic {
    Diagnostic::error(Code::GraphShape, message)
        .with_rule("S40")
        .with_label(id, span, "here")
        .with_help(help)
}

/// Reads the `attributeMappings` of one object mapping (a node of source `id`). Every
/// mistake is reported; the expressions' texts are added to `sources`.
pub fn read_mappings(
    object_mapping: &Json,
    sources: &mut Sources,
    id: SourceId,
) -> Result<Vec<Mapping>, Errors> {
    let mut diags = Vec::new();
    let mut out = Vec::new();
    let Some(list) = object_mapping.member("attributeMappings") else {
        return Ok(out);
    };
    let Some(items) = list.as_array() else {
        return Err(Errors::new(shape(
            id,
            list.span,
            "`attributeMappings` must be an array".into(),
            "write a list of mappings",
        ))
        .with_sources(sources));
    };
    for item in items {
        match read_one(item, sources, id) {
            Ok(m) => out.push(m),
            Err(e) => diags.extend(e),
        }
    }
    match Errors::from_vec(diags) {
        Some(e) => Err(e.with_sources(sources)),
        None => Ok(out),
    }
}

fn read_one(j: &Json, sources: &mut Sources, id: SourceId) -> Result<Mapping, Errors> {
    let mut diags = Vec::new();
    let target = match j.member("targetAttributeName").and_then(Json::as_str) {
        Some(t) if !t.is_empty() => t.to_owned(),
        _ => {
            diags.push(shape(
                id,
                j.span,
                "an attribute mapping needs a `targetAttributeName`".into(),
                "name the target attribute",
            ));
            String::new()
        }
    };
    let flow_type = match j.member("flowType") {
        None => FlowType::Always,
        Some(v) if v.is_null() => FlowType::Always,
        Some(v) => {
            let s = v.as_str().unwrap_or("");
            match FlowType::ALL
                .iter()
                .find(|f| f.as_str().eq_ignore_ascii_case(s))
            {
                Some(f) => *f,
                None => {
                    diags.push(shape(id, v.span, format!("`{s}` is not a flowType"), "use Always, ObjectAddOnly, MultiValueAddOnly, ValueAddOnly or AttributeAddOnly"));
                    FlowType::Always
                }
            }
        }
    };
    let flow_behavior = match j.member("flowBehavior").and_then(Json::as_str) {
        None => FlowBehavior::FlowWhenChanged,
        Some(s) if s.eq_ignore_ascii_case("FlowWhenChanged") => FlowBehavior::FlowWhenChanged,
        Some(s) if s.eq_ignore_ascii_case("FlowAlways") => FlowBehavior::FlowAlways,
        Some(s) => {
            let span = j.member("flowBehavior").map_or(j.span, |v| v.span);
            diags.push(shape(
                id,
                span,
                format!("`{s}` is not a flowBehavior"),
                "use FlowWhenChanged or FlowAlways",
            ));
            FlowBehavior::FlowWhenChanged
        }
    };
    let matching_priority = match j.member("matchingPriority").map(|v| &v.kind) {
        None | Some(JsonKind::Null) => 0,
        Some(JsonKind::Number(n)) => match n.parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                diags.push(shape(
                    id,
                    j.span,
                    format!("`matchingPriority` must be a whole number, not `{n}`"),
                    "write 0 for a mapping that is not used for matching",
                ));
                0
            }
        },
        Some(_) => {
            diags.push(shape(
                id,
                j.span,
                "`matchingPriority` must be a number".into(),
                "write 0 for a mapping that is not used for matching",
            ));
            0
        }
    };
    let default_value = match j.member("defaultValue").map(|v| &v.kind) {
        Some(JsonKind::String(v)) => Some(v.text.clone()),
        _ => None,
    };
    let export_missing_references = matches!(
        j.member("exportMissingReferences").map(|v| &v.kind),
        Some(JsonKind::Bool(true))
    );
    let source = match j.member("source") {
        None => None,
        Some(s) if s.is_null() => None,
        Some(s) => match super::json::from_json(s, sources, id, &format!("source of `{target}`")) {
            Ok(e) => Some(e),
            Err(e) => {
                diags.extend(e);
                None
            }
        },
    };
    if let Some(e) = Errors::from_vec(diags) {
        return Err(e);
    }
    Ok(Mapping {
        target,
        source,
        default_value,
        flow_type,
        flow_behavior,
        matching_priority,
        export_missing_references,
        span: j.span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::json_tree::parse_json;

    #[test]
    fn s40_reads_the_graph_object_mapping_example() {
        // GD-OM's example (Salesforce), abridged.
        let text = r#"{"attributeMappings": [
            {"defaultValue": "True", "flowBehavior": "FlowWhenChanged", "flowType": "Always", "matchingPriority": 0,
             "source": {"expression": "Not([IsSoftDeleted])", "name": "Not", "parameters": [{"key": "source", "value": {"expression": "[IsSoftDeleted]", "name": "IsSoftDeleted", "parameters": [], "type": "Attribute"}}], "type": "Function"},
             "targetAttributeName": "IsActive"},
            {"defaultValue": "ISO-8859-1", "flowType": "Always", "matchingPriority": 0, "source": null, "targetAttributeName": "EmailEncodingKey"},
            {"flowType": "ObjectAddOnly", "matchingPriority": 1, "source": {"expression": "[userPrincipalName]", "name": "userPrincipalName", "type": "Attribute"}, "targetAttributeName": "Username"}
        ]}"#;
        let mut s = Sources::new();
        let id = s.add("salesforce.json", None, text);
        let j = parse_json(text, id).unwrap();
        let m = read_mappings(&j, &mut s, id).unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].target, "IsActive");
        assert_eq!(
            super::super::print::print(m[0].source.as_ref().unwrap()),
            "Not([IsSoftDeleted])"
        );
        assert_eq!(m[1].source, None);
        assert_eq!(m[1].default_value.as_deref(), Some("ISO-8859-1"));
        assert!(m[2].is_matching() && !m[2].flows_on_update());
    }

    #[test]
    fn bad_flow_types_are_located_errors() {
        let text =
            r#"{"attributeMappings": [{"targetAttributeName": "X", "flowType": "Sometimes"}]}"#;
        let mut s = Sources::new();
        let id = s.add("s.json", None, text);
        let j = parse_json(text, id).unwrap();
        let e = read_mappings(&j, &mut s, id).unwrap_err();
        assert!(e.first().message.contains("`Sometimes`"));
        assert_eq!(s.slice(id, e.first().labels[0].span), "\"Sometimes\"");
    }
}
