//! Tests of the Graph schema reader and writers, on JSON shaped as Graph and the Graph
//! PowerShell SDK write it.

use super::*;
use crate::rules::graph_write::{scope_json, splice_scope};
use serde_json::json;

fn read(text: &str) -> (Option<GraphDocument>, Vec<Diagnostic>) {
    let mut s = Sources::new();
    let id = s.add("s.json", None, text);
    read_graph(&s, id)
}

fn scope_of(text: &str) -> (GraphScope, Vec<Diagnostic>) {
    match read(text) {
        (Some(GraphDocument::Scope(g)), d) => (g, d),
        (other, d) => panic!("{other:?} {d:?}"),
    }
}

const SCHEMA: &str = r#"{
  "synchronizationRules": [{
    "name": "USER_TO_USER",
    "objectMappings": [
      {"name": "Provision Groups", "sourceObjectName": "Group", "scope": null},
      {"name": "Provision Microsoft Entra ID Users", "sourceObjectName": "User",
       "scope": {
         "groups": [
           {"name": "Phase 2 - Sales EMEA", "clauses": [
             {"sourceOperandName": "department", "operatorName": "EQUALS", "targetOperand": {"values": ["Sales"]}},
             {"sourceOperandName": "country", "operatorName": "REGEX MATCH", "targetOperand": {"values": ["^(DE|FR|NL)$"]}},
             {"sourceOperandName": "accountEnabled", "operatorName": "IS TRUE", "targetOperand": {"values": []}}
           ]},
           {"name": "Pilot wave 1", "clauses": [
             {"sourceOperandName": "extension_5bfc8fdacfc943a9a6de214ea9d15fdb_rolloutWave", "operatorName": "EQUALS", "targetOperand": {"values": ["wave1"]}}
           ]}
         ],
         "inputFilterGroups": [],
         "categoryFilterGroups": []
       }}
    ]
  }]
}"#;

#[test]
fn s30_reads_the_user_mapping_of_a_whole_schema() {
    let (g, d) = scope_of(SCHEMA);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(
        g.mapping_name.as_deref(),
        Some("Provision Microsoft Entra ID Users")
    );
    assert_eq!(g.shape, GraphShape::Schema);
    assert!(!g.pascal_case);
    let filters = g.filters;
    assert_eq!(filters.groups.len(), 2);
    let c = &filters.groups[0].clauses;
    assert_eq!(
        c[1].operator.node,
        OperatorName::Known(Operator::RegexMatch)
    );
    assert_eq!(c[1].values[0].text, "^(DE|FR|NL)$");
    assert!(c[2].values.is_empty());
}

#[test]
fn s30_reads_a_bare_scope_and_documented_spellings_silently() {
    let (g, d) = scope_of(
        r#"{"groups":[{"name":"x","clauses":[{"sourceOperandName":"a","operatorName":"not_equals","targetOperand":{"values":["b"]}},{"sourceOperandName":"a","operatorName":"IS NULL","targetOperand":null},{"sourceOperandName":"a","operatorName":"EQUAL","targetOperand":{"values":["b"]}}]}]}"#,
    );
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(g.shape, GraphShape::Scope);
    let c = &g.filters.groups[0].clauses;
    assert_eq!(c[0].operator.node, OperatorName::Known(Operator::NotEquals));
    assert!(c[1].values.is_empty());
    assert_eq!(c[2].operator.node, OperatorName::Unknown("EQUAL".into()));
}

#[test]
fn s23_reads_input_and_category_filter_groups() {
    let (g, _) = scope_of(
        r#"{"scope":{"groups":[],"inputFilterGroups":[{"name":"in","clauses":[]}],"categoryFilterGroups":[{"name":"cat","clauses":[]}]}}"#,
    );
    assert_eq!(g.filters.input_groups[0].kind, FilterKind::Input);
    assert_eq!(g.filters.category_groups[0].kind, FilterKind::Category);
}

#[test]
fn shape_errors_are_located() {
    let text = r#"{"groups":[{"name":"x","clauses":[{"operatorName":"EQUALS"}]}]}"#;
    let (_, d) = read(text);
    assert_eq!(d.len(), 1);
    assert!(d[0].message.contains("sourceOperandName"));
}

#[test]
fn writes_canonical_spellings() {
    let (g, _) = scope_of(SCHEMA);
    let filters = g.filters;
    let j = scope_json(
        &filters.groups,
        &filters.input_groups,
        &filters.category_groups,
    );
    assert_eq!(j["groups"][0]["clauses"][1]["operatorName"], "REGEX MATCH");
    assert_eq!(
        j["groups"][0]["clauses"][2]["targetOperand"]["values"],
        json!([])
    );
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn mapping(extra: &str) -> String {
    format!(
        r#"{{"name": "Provision Microsoft Entra ID Users", "sourceObjectName": "User", {extra}
           "scope": {{"groups": [{{"name": "IT", "clauses": [{{"sourceOperandName": "department", "operatorName": "EQUALS", "targetOperand": {{"values": ["IT"]}}}}]}}]}}}}"#
    )
}

#[test]
fn s33_enabled_and_flow_types_are_read_from_the_user_mapping() {
    let (g, d) = scope_of(&mapping(r#""enabled": false, "flowTypes": "Add, Update","#));
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(g.object.enabled.as_ref().map(|e| e.node), Some(false));
    let flows = g.object.flow_types.as_ref().unwrap().node;
    assert_eq!(
        flows,
        FlowTypes {
            add: true,
            update: true,
            delete: false
        }
    );
    // absent: the defaults, and nothing recorded
    let (g, _) = scope_of(&mapping(""));
    assert!(g.object.enabled.is_none() && g.object.flow_types.is_none());
}

#[test]
fn s33_flow_types_any_subset_order_case_and_spacing() {
    for (text, add, update, delete) in [
        ("Add, Update, Delete", true, true, true),
        ("Delete,Add", true, false, true),
        ("  update ,  DELETE ", false, true, true),
        ("Update", false, true, false),
        ("None", false, false, false),
        ("add, add", true, false, false),
    ] {
        let f = FlowTypes::parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert_eq!((f.add, f.update, f.delete), (add, update, delete), "{text}");
    }
    assert_eq!(
        FlowTypes::parse("delete, add").unwrap().as_graph(),
        "Add, Delete"
    );
    assert_eq!(FlowTypes::NONE.as_graph(), "None");
}

#[test]
fn s33_a_bad_flow_type_is_located_inside_the_text() {
    let text = mapping(r#""flowTypes": "Add, Updte, Delete","#);
    let (_, d) = read(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code, Code::BadFlowTypes);
    let s = d[0].labels[0].span;
    assert_eq!(&text[s.start..s.end], "Updte");
    assert_eq!(d[0].help.as_deref(), Some("did you mean `Update`?"));
    for bad in [
        "\"\"",
        "\"Add,,Delete\"",
        "\"None, Add\"",
        "\"Create\"",
        "7",
    ] {
        let (_, d) = read(&mapping(&format!(r#""flowTypes": {bad},"#)));
        assert_eq!(
            d.iter().map(|d| d.code).collect::<Vec<_>>(),
            [Code::BadFlowTypes],
            "{bad}"
        );
    }
}

const MATCHING: &str = r#""attributeMappings": [
  {"targetAttributeName": "userName", "matchingPriority": 1, "source": {"expression": "[userPrincipalName]", "name": "userPrincipalName", "parameters": [], "type": "Attribute"}},
  {"targetAttributeName": "active", "matchingPriority": 0, "source": {"expression": "Not([IsSoftDeleted])", "name": "Not", "parameters": [], "type": "Function"}},
  {"targetAttributeName": "externalId", "matchingPriority": 3, "source": {"expression": " [objectId] ", "name": "", "parameters": [], "type": "Function"}},
  {"targetAttributeName": "emails[type eq \"work\"].value", "matchingPriority": 2, "source": {"expression": "Join(\"@\", [mailNickname], \"contoso.com\")", "name": "Join", "parameters": [], "type": "Function"}},
  {"targetAttributeName": "displayName", "source": {"expression": "[displayName]", "name": "displayName", "type": "Attribute"}}
],"#;

#[test]
fn s32_matching_attributes_are_the_mappings_with_a_matching_priority() {
    let (g, d) = scope_of(&mapping(MATCHING));
    assert!(d.is_empty(), "{d:?}");
    let m = &g.object.matching;
    assert_eq!(m.len(), 3, "{m:?}");
    assert_eq!(
        (
            m[0].source.node.as_str(),
            m[0].target.as_str(),
            m[0].priority
        ),
        ("userPrincipalName", "userName", 1)
    );
    assert_eq!(m[0].attribute(), Some("userPrincipalName"));
    // an expression that is one attribute reference is that attribute
    assert_eq!((m[1].attribute(), m[1].priority), (Some("objectId"), 3));
    // any other expression is kept, for the attribute-mapping stage
    assert_eq!(m[2].attribute(), None);
    assert_eq!(
        m[2].expression.as_deref(),
        Some("Join(\"@\", [mailNickname], \"contoso.com\")")
    );
    assert_eq!(m[2].target, "emails[type eq \"work\"].value");
}

#[test]
fn s32_bad_matching_priorities_are_located() {
    for (entry, needle) in [
        (
            r#"{"targetAttributeName": "userName", "matchingPriority": -1, "source": {"name": "mail", "type": "Attribute"}}"#,
            "-1",
        ),
        (
            r#"{"targetAttributeName": "userName", "matchingPriority": 1.5, "source": {"name": "mail", "type": "Attribute"}}"#,
            "1.5",
        ),
        (
            r#"{"targetAttributeName": "userName", "matchingPriority": "1", "source": {"name": "mail", "type": "Attribute"}}"#,
            "\"1\"",
        ),
        (
            r#"{"matchingPriority": 1, "source": {"name": "mail", "type": "Attribute"}}"#,
            "{",
        ),
        (
            r#"{"targetAttributeName": "userName", "matchingPriority": 1, "source": null}"#,
            "null",
        ),
    ] {
        let text = mapping(&format!(r#""attributeMappings": [{entry}],"#));
        let (_, d) = read(&text);
        assert_eq!(
            d.iter().map(|d| d.code).collect::<Vec<_>>(),
            [Code::BadMatching],
            "{entry}"
        );
        let s = d[0].labels[0].span;
        assert!(
            text[s.start..s.end].starts_with(needle),
            "{entry}: {}",
            &text[s.start..s.end]
        );
    }
}

#[test]
fn s35_other_operator_spellings_are_read_with_a_located_warning() {
    for (spelling, op) in [
        ("IsTrue", Operator::IsTrue),
        ("ENDSWITH", Operator::EndsWith),
        ("NOT  EQUALS", Operator::NotEquals),
        (" EQUALS", Operator::Equals),
        ("EQUALS ", Operator::Equals),
    ] {
        let text = format!(
            r#"{{"groups":[{{"name":"x","clauses":[{{"sourceOperandName":"department","operatorName":"{spelling}","targetOperand":{{"values":["IT"]}}}}]}}]}}"#
        );
        let (g, d) = scope_of(&text);
        assert_eq!(d.len(), 1, "{spelling}: {d:?}");
        assert_eq!(d[0].code, Code::OperatorSpelling);
        assert_eq!(d[0].severity, crate::diag::Severity::Warning);
        assert!(d[0].message.contains(op.canonical()), "{}", d[0].message);
        let s = d[0].labels[0].span;
        assert_eq!(&text[s.start..s.end], format!("\"{spelling}\""));
        assert_eq!(
            g.filters.groups[0].clauses[0].operator.node,
            OperatorName::Known(op)
        );
    }
    // documented spellings: silent
    for spelling in [
        "not_equals",
        "Greater Than",
        "ends with",
        "is true",
        "INCLUDES",
    ] {
        let text = format!(
            r#"{{"groups":[{{"name":"x","clauses":[{{"sourceOperandName":"a","operatorName":"{spelling}","targetOperand":{{"values":["1"]}}}}]}}]}}"#
        );
        assert!(read(&text).1.is_empty(), "{spelling}");
    }
}

#[test]
fn s30_an_empty_source_operand_name_is_an_error() {
    for name in ["\"\"", "\"  \""] {
        let text = format!(
            r#"{{"groups":[{{"name":"x","clauses":[{{"sourceOperandName":{name},"operatorName":"EQUALS","targetOperand":{{"values":["IT"]}}}}]}}]}}"#
        );
        let (_, d) = read(&text);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, Code::EmptyAttribute);
        let s = d[0].labels[0].span;
        assert_eq!(&text[s.start..s.end], name);
    }
}

#[test]
fn s21_a_unary_operator_with_one_empty_value_is_accepted() {
    let (g, d) = scope_of(
        r#"{"groups":[{"name":"x","clauses":[{"sourceOperandName":"accountEnabled","operatorName":"IS TRUE","targetOperand":{"values":[""]}},{"sourceOperandName":"mobile","operatorName":"IS NOT NULL","targetOperand":{"values":["x"]}}]}]}"#,
    );
    assert!(d.is_empty(), "{d:?}");
    let c = &g.filters.groups[0].clauses;
    assert!(c[0].values.is_empty(), "the portal's [\"\"] is no value");
    assert_eq!(
        c[1].values.len(),
        1,
        "a real value stays, for the checker to refuse"
    );
}

#[test]
fn s30_the_powershell_sdk_json_reads_like_its_graph_twin() {
    let (ps, d) = scope_of(&fixture("schema/salesforce-schema-ps.json"));
    assert!(d.is_empty(), "{d:?}");
    let (graph, _) = scope_of(&fixture("schema/salesforce-schema.json"));
    assert!(ps.pascal_case && !graph.pascal_case);
    assert_eq!(ps.shape, GraphShape::Schema);
    assert_eq!(ps.mapping_name, graph.mapping_name);
    let j = |g: &GraphScope| {
        scope_json(
            &g.filters.groups,
            &g.filters.input_groups,
            &g.filters.category_groups,
        )
    };
    assert_eq!(j(&ps), j(&graph));
    assert_eq!(ps.object.enabled.as_ref().map(|e| e.node), Some(true));
    assert_eq!(
        ps.object.flow_types.as_ref().map(|f| f.node),
        Some(FlowTypes::default())
    );
    assert_eq!(graph.object.enabled.as_ref().map(|e| e.node), Some(true));
    // the twin has the attribute mappings that the Graph fixture leaves out
    let m: Vec<(Option<&str>, &str, u32)> = ps
        .object
        .matching
        .iter()
        .map(|m| (m.attribute(), m.target.as_str(), m.priority))
        .collect();
    assert_eq!(
        m,
        [
            (Some("userPrincipalName"), "Username", 1),
            (None, "FederationIdentifier", 2)
        ]
    );
}

#[test]
fn s30_convert_to_json_at_its_default_depth_is_a_located_error() {
    let text = fixture("rules-bad/schema-depth-2.json");
    let (doc, d) = read(&text);
    assert!(doc.is_none());
    assert_eq!(d.len(), 1, "one error explains the truncation: {d:?}");
    assert_eq!(d[0].code, Code::GraphTruncated);
    assert!(d[0].help.as_deref().unwrap_or("").contains("-Depth 20"));
    let s = d[0].labels[0].span;
    assert_eq!(
        &text[s.start..s.end],
        "\"Microsoft.Graph.PowerShell.Models.MicrosoftGraphFilter\""
    );
    for (shape, truncated) in [
        (
            r#"{"SynchronizationRules": ["System.Collections.Hashtable"]}"#,
            "System.Collections.Hashtable",
        ),
        (
            r#"{"SynchronizationRules": [{"ObjectMappings": "System.Object[]"}]}"#,
            "System.Object[]",
        ),
        (
            r#"{"Groups": ["@{Clauses=System.Object[]; Name=IT pilot}"]}"#,
            "@{Clauses",
        ),
        (
            r#"{"groups": [{"name": "x", "clauses": [{"sourceOperandName": "a", "operatorName": "EQUALS", "targetOperand": "@{Values=System.Object[]}"}]}]}"#,
            "@{Values",
        ),
        (
            r#"{"SynchronizationRules": [{"ObjectMappings": ["{\"name\": \"Users\"}"]}]}"#,
            "{\\\"name",
        ),
    ] {
        let (_, d) = read(shape);
        assert_eq!(
            d.iter().map(|d| d.code).collect::<Vec<_>>(),
            [Code::GraphTruncated],
            "{shape}"
        );
        let s = d[0].labels[0].span;
        assert!(shape[s.start + 1..s.end].starts_with(truncated), "{shape}");
    }
}

/// Every property but the user mapping's scope, for comparing whole schemas.
fn without_user_scope(mut v: serde_json::Value) -> serde_json::Value {
    let rules = if v.get("synchronizationRules").is_some() {
        "synchronizationRules"
    } else {
        "SynchronizationRules"
    };
    let (maps, scope, kind) = if rules == "synchronizationRules" {
        ("objectMappings", "scope", "sourceObjectName")
    } else {
        ("ObjectMappings", "Scope", "SourceObjectName")
    };
    for r in v[rules].as_array_mut().unwrap() {
        for m in r[maps].as_array_mut().unwrap() {
            if m[kind] == "User" {
                m.as_object_mut().unwrap().remove(scope);
            }
        }
    }
    v
}

#[test]
fn s30_a_schema_is_written_back_whole_with_only_its_scope_replaced() {
    for file in [
        "schema/salesforce-schema.json",
        "schema/salesforce-schema-ps.json",
    ] {
        let text = fixture(file);
        let (g, _) = scope_of(&text);
        // rewrite with the scope spelt differently, to see the splice happen
        let mut scope = scope_json(&g.filters.groups, &[], &[]);
        scope["groups"][0]["name"] = json!("Renamed");
        let out = splice_scope(&text, &g, scope).unwrap();
        let before: serde_json::Value = serde_json::from_str(&text).unwrap();
        let after: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            without_user_scope(before),
            without_user_scope(after.clone()),
            "{file}"
        );
        let (g2, d) = scope_of(&out);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(g2.filters.groups[0].name.node, "Renamed", "{file}");
        assert_eq!(g2.pascal_case, g.pascal_case);
        // the rest of the text is byte for byte the original
        let span = g.scope_span.unwrap();
        assert!(out.starts_with(&text[..span.start]));
        assert!(out.ends_with(&text[span.end..]));
        if text.contains("\r\n") {
            assert!(!out.replace("\r\n", "").contains('\n'), "line ends kept");
        }
    }
    // a one-line (minified) schema stays on one line
    let text = serde_json::to_string(
        &serde_json::from_str::<serde_json::Value>(&fixture("schema/salesforce-schema.json"))
            .unwrap(),
    )
    .unwrap();
    let (g, _) = scope_of(&text);
    let out = splice_scope(&text, &g, scope_json(&g.filters.groups, &[], &[])).unwrap();
    assert!(!out.contains('\n'));
}
