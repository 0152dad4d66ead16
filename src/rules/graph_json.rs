//! Entra's Graph synchronization-schema JSON, read and written (spec S30, S21, S23).
//!
//! Administrators have their live filters as JSON (`GET .../synchronization/jobs/{id}/schema`)
//! and need to paste ours back into the schema editor, so both directions matter and the
//! output uses the canonical operator spellings. Reading accepts a whole schema (the user
//! object mapping's `scope` is used), one object mapping, or a bare `scope` object.
//!
//! A Graph scope holds exactly one stage. To carry several apps and stages through JSON
//! (for `scopesim convert` round trips), we also read and write a small *bundle*:
//! `{"apps": [{"name", "syncAll", "skipOutOfScopeDeletions", "deleteThreshold",
//! "stages": [{"name", "scope": <Graph scope>}]}]}`, whose setting names are the job
//! secrets Entra uses (`SyncAll`, `SkipOutOfScopeDeletions`, `DeleteThresholdValue`).

use super::ast::*;
use super::json_tree::{Json, JsonKind, parse_json};
use super::operator::Operator;
use crate::diag::{Code, Diagnostic};
use crate::source::{SourceId, Sources, Span};
use serde_json::{Map, Value as JValue, json};

/// What a JSON rules file holds.
#[derive(Debug, Clone)]
pub enum GraphDocument {
    /// The filters of one object mapping (a whole schema, one mapping, or a bare scope).
    Scope {
        /// The user mapping's filters.
        filters: FilterSet,
        /// The object mapping's `name`, when the file had one.
        mapping_name: Option<String>,
    },
    /// A scopesim bundle of apps and stages.
    Bundle(RuleSet),
}

struct Reader<'a> {
    source: SourceId,
    diags: &'a mut Vec<Diagnostic>,
}

/// Reads a Graph JSON text (source `id`).
pub fn read_graph(sources: &Sources, id: SourceId) -> (Option<GraphDocument>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let Some(file) = sources.get(id) else {
        return (None, diags);
    };
    let root = match parse_json(&file.text, id) {
        Ok(j) => j,
        Err(d) => {
            diags.push(d);
            return (None, diags);
        }
    };
    let mut r = Reader {
        source: id,
        diags: &mut diags,
    };
    let doc = r.document(&root);
    (doc, diags)
}

impl Reader<'_> {
    fn error(&mut self, code: Code, span: Span, message: String, help: &str) {
        let mut d = Diagnostic::error(code, message).with_label(self.source, span, "");
        if !help.is_empty() {
            d = d.with_help(help);
        }
        self.diags.push(d);
    }

    fn document(&mut self, root: &Json) -> Option<GraphDocument> {
        if !matches!(root.kind, JsonKind::Object(_)) {
            self.error(
                Code::GraphShape,
                root.span,
                format!("expected a synchronization schema or a `scope` object, found {}", root.kind_name()),
                "use the JSON of `GET /servicePrincipals/{id}/synchronization/jobs/{jobId}/schema`, or the `scope` object of its user mapping",
            );
            return None;
        }
        if let Some(apps) = root.get("apps") {
            return self.bundle(apps).map(GraphDocument::Bundle);
        }
        if let Some(rules) = root.get("synchronizationRules") {
            return self.schema(rules);
        }
        if root.get("sourceObjectName").is_some() || root.get("objectMappings").is_some() {
            if let Some(mappings) = root.get("objectMappings") {
                return self.mappings(&[mappings]);
            }
            return Some(self.mapping(root));
        }
        if root.get("scope").is_some() {
            let filters = self.scope(root.get("scope"));
            return Some(GraphDocument::Scope {
                filters,
                mapping_name: None,
            });
        }
        if ["groups", "inputFilterGroups", "categoryFilterGroups"]
            .iter()
            .any(|k| root.get(k).is_some())
        {
            return Some(GraphDocument::Scope {
                filters: self.scope(Some(root)),
                mapping_name: None,
            });
        }
        self.error(
            Code::GraphShape,
            root.span,
            "this JSON has no `synchronizationRules`, `objectMappings`, `scope` or `groups`".to_string(),
            "use the JSON of `GET /servicePrincipals/{id}/synchronization/jobs/{jobId}/schema`, or the `scope` object of its user mapping",
        );
        None
    }

    fn schema(&mut self, rules: &Json) -> Option<GraphDocument> {
        let Some(items) = rules.as_array() else {
            self.error(
                Code::GraphShape,
                rules.span,
                format!(
                    "`synchronizationRules` must be an array, found {}",
                    rules.kind_name()
                ),
                "",
            );
            return None;
        };
        let mappings: Vec<&Json> = items
            .iter()
            .filter_map(|r| r.get("objectMappings"))
            .collect();
        self.mappings(&mappings)
    }

    fn mappings(&mut self, lists: &[&Json]) -> Option<GraphDocument> {
        let all: Vec<&Json> = lists
            .iter()
            .filter_map(|l| l.as_array())
            .flat_map(|a| a.iter())
            .collect();
        let users: Vec<&Json> = all
            .iter()
            .copied()
            .filter(|m| {
                m.get("sourceObjectName")
                    .and_then(Json::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case("User"))
            })
            .collect();
        let Some(first) = users.first() else {
            let span = lists.first().map_or(Span::default(), |l| l.span);
            self.error(
                Code::GraphNoUserMapping,
                span,
                "the schema has no object mapping whose `sourceObjectName` is `User`".to_string(),
                "scopesim simulates user provisioning: export the schema of a job that provisions users",
            );
            return None;
        };
        if users.len() > 1 {
            let name = first.get("name").and_then(Json::as_str).unwrap_or("");
            self.diags.push(
                Diagnostic::warning(
                    Code::GraphSeveralUserMappings,
                    format!(
                        "the schema has {} user object mappings; using the first, `{name}`",
                        users.len()
                    ),
                )
                .with_label(self.source, first.span, "used")
                .with_label(self.source, users[1].span, "ignored"),
            );
        }
        Some(self.mapping(first))
    }

    fn mapping(&mut self, m: &Json) -> GraphDocument {
        let filters = self.scope(m.get("scope"));
        GraphDocument::Scope {
            filters,
            mapping_name: m.get("name").and_then(Json::as_str).map(str::to_string),
        }
    }

    fn scope(&mut self, scope: Option<&Json>) -> FilterSet {
        let mut set = FilterSet::default();
        let Some(scope) = scope else { return set };
        if scope.is_null() {
            return set;
        }
        if !matches!(scope.kind, JsonKind::Object(_)) {
            self.error(
                Code::GraphShape,
                scope.span,
                format!(
                    "`scope` must be an object or null, found {}",
                    scope.kind_name()
                ),
                "",
            );
            return set;
        }
        for kind in [FilterKind::Scoping, FilterKind::Input, FilterKind::Category] {
            let Some(groups) = scope.get(kind.json_key()) else {
                continue;
            };
            if groups.is_null() {
                continue;
            }
            let Some(items) = groups.as_array() else {
                self.error(
                    Code::GraphShape,
                    groups.span,
                    format!(
                        "`{}` must be an array, found {}",
                        kind.json_key(),
                        groups.kind_name()
                    ),
                    "",
                );
                continue;
            };
            for g in items {
                if let Some(f) = self.filter_group(g, kind) {
                    set.push(f);
                }
            }
        }
        set
    }

    fn filter_group(&mut self, g: &Json, kind: FilterKind) -> Option<Filter> {
        if !matches!(g.kind, JsonKind::Object(_)) {
            self.error(
                Code::GraphShape,
                g.span,
                format!("a filter group must be an object, found {}", g.kind_name()),
                "",
            );
            return None;
        }
        let name = match g.get("name") {
            Some(n) => match n.as_str() {
                Some(s) => Spanned::new(s.to_string(), n.span),
                None => Spanned::new(String::new(), n.span),
            },
            None => Spanned::new(String::new(), g.span),
        };
        let mut clauses = Vec::new();
        if let Some(c) = g.get("clauses") {
            match c.as_array() {
                Some(items) => {
                    for item in items {
                        if let Some(clause) = self.clause(item) {
                            clauses.push(clause);
                        }
                    }
                }
                None if c.is_null() => {}
                None => self.error(
                    Code::GraphShape,
                    c.span,
                    format!("`clauses` must be an array, found {}", c.kind_name()),
                    "",
                ),
            }
        }
        Some(Filter {
            name,
            kind,
            clauses,
            source: self.source,
            span: g.span,
        })
    }

    fn clause(&mut self, c: &Json) -> Option<Clause> {
        if !matches!(c.kind, JsonKind::Object(_)) {
            self.error(
                Code::GraphShape,
                c.span,
                format!("a clause must be an object, found {}", c.kind_name()),
                "",
            );
            return None;
        }
        let attribute = match c.get("sourceOperandName") {
            Some(a) if a.as_str().is_some() => {
                Spanned::new(a.as_str().unwrap_or("").to_string(), a.span)
            }
            other => {
                self.error(
                    Code::GraphShape,
                    other.map_or(c.span, |a| a.span),
                    "a clause needs `sourceOperandName`, the attribute to test".to_string(),
                    "",
                );
                return None;
            }
        };
        let operator = match c.get("operatorName") {
            Some(o) if o.as_str().is_some() => {
                let text = o.as_str().unwrap_or("");
                let name = match Operator::parse(text) {
                    Some(op) => OperatorName::Known(op),
                    None => OperatorName::Unknown(text.to_string()),
                };
                Spanned::new(name, o.span)
            }
            other => {
                self.error(
                    Code::GraphShape,
                    other.map_or(c.span, |a| a.span),
                    "a clause needs `operatorName`".to_string(),
                    "",
                );
                return None;
            }
        };
        let mut values = Vec::new();
        if let Some(t) = c.get("targetOperand") {
            if !t.is_null() {
                match t.get("values") {
                    Some(v) if v.is_null() => {}
                    Some(v) => match v.as_array() {
                        Some(items) => {
                            for item in items {
                                match &item.kind {
                                    JsonKind::String(s) => values.push(s.clone()),
                                    JsonKind::Number(n) => values.push(Value::plain(
                                        n.clone(),
                                        ValueStyle::Number,
                                        item.span,
                                    )),
                                    _ => self.error(
                                        Code::GraphShape,
                                        item.span,
                                        format!(
                                            "`values` holds strings, found {}",
                                            item.kind_name()
                                        ),
                                        "write the value as a JSON string",
                                    ),
                                }
                            }
                        }
                        None => self.error(
                            Code::GraphShape,
                            v.span,
                            format!(
                                "`targetOperand.values` must be an array of strings, found {}",
                                v.kind_name()
                            ),
                            "",
                        ),
                    },
                    None => {}
                }
            }
        }
        Some(Clause {
            attribute,
            operator,
            values,
            source: self.source,
            span: c.span,
        })
    }

    fn bundle(&mut self, apps: &Json) -> Option<RuleSet> {
        let Some(items) = apps.as_array() else {
            self.error(
                Code::GraphShape,
                apps.span,
                "`apps` must be an array".to_string(),
                "",
            );
            return None;
        };
        let mut rules = RuleSet::default();
        for a in items {
            let name = match a.get("name").and_then(|n| n.as_str().map(|s| (s, n.span))) {
                Some((s, span)) => Spanned::new(s.to_string(), span),
                None => {
                    self.error(
                        Code::GraphShape,
                        a.span,
                        "an app needs a `name`".to_string(),
                        "",
                    );
                    continue;
                }
            };
            let flag = |key: &str| -> Option<Spanned<bool>> {
                a.get(key).and_then(|v| match v.kind {
                    JsonKind::Bool(b) => Some(Spanned::new(b, v.span)),
                    JsonKind::String(ref s) => match s.text.to_ascii_lowercase().as_str() {
                        "true" => Some(Spanned::new(true, v.span)),
                        "false" => Some(Spanned::new(false, v.span)),
                        _ => None,
                    },
                    _ => None,
                })
            };
            let scope = flag("syncAll").map(|s| {
                Spanned::new(
                    if s.node {
                        ScopeMode::All
                    } else {
                        ScopeMode::Assigned
                    },
                    s.span,
                )
            });
            let deletion_threshold = a.get("deleteThreshold").and_then(|v| match &v.kind {
                JsonKind::Number(n) => n.parse::<u64>().ok().map(|n| Spanned::new(n, v.span)),
                _ => None,
            });
            let mut app = App {
                name,
                source: self.source,
                span: a.span,
                scope,
                skip_out_of_scope_deletions: flag("skipOutOfScopeDeletions"),
                deletion_threshold,
                delete_flow: flag("deleteFlow"),
                object: ObjectSettings::default(),
                stages: Vec::new(),
            };
            for s in a.get("stages").and_then(Json::as_array).unwrap_or(&[]) {
                let Some((sname, sspan)) =
                    s.get("name").and_then(|n| n.as_str().map(|t| (t, n.span)))
                else {
                    self.error(
                        Code::GraphShape,
                        s.span,
                        "a stage needs a `name`".to_string(),
                        "",
                    );
                    continue;
                };
                let filters = self.scope(s.get("scope"));
                app.stages.push(Stage {
                    name: Spanned::new(sname.to_string(), sspan),
                    extends: None,
                    source: self.source,
                    span: s.span,
                    implicit: false,
                    graph: None,
                    filters,
                });
            }
            rules.apps.push(app);
        }
        Some(rules)
    }
}

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

/// A bundle entry for one app: settings as Entra's job secrets name them, and one Graph
/// scope per stage (inherited filters included, since Graph has no `extends`).
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
    if let Some(d) = &app.delete_flow {
        m.insert("deleteFlow".into(), JValue::Bool(d.node));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Option<GraphDocument>, Vec<Diagnostic>) {
        let mut s = Sources::new();
        let id = s.add("s.json", None, text);
        read_graph(&s, id)
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
        let (doc, d) = read(SCHEMA);
        assert!(d.is_empty(), "{d:?}");
        let Some(GraphDocument::Scope {
            filters,
            mapping_name,
        }) = doc
        else {
            panic!()
        };
        assert_eq!(
            mapping_name.as_deref(),
            Some("Provision Microsoft Entra ID Users")
        );
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
    fn s30_reads_a_bare_scope_and_operator_spellings_loosely() {
        let (doc, d) = read(
            r#"{"groups":[{"name":"x","clauses":[{"sourceOperandName":"a","operatorName":"not_equals","targetOperand":{"values":["b"]}},{"sourceOperandName":"a","operatorName":"IS NULL","targetOperand":null},{"sourceOperandName":"a","operatorName":"EQUAL","targetOperand":{"values":["b"]}}]}]}"#,
        );
        assert!(d.is_empty(), "{d:?}");
        let Some(GraphDocument::Scope { filters, .. }) = doc else {
            panic!()
        };
        let c = &filters.groups[0].clauses;
        assert_eq!(c[0].operator.node, OperatorName::Known(Operator::NotEquals));
        assert!(c[1].values.is_empty());
        assert_eq!(c[2].operator.node, OperatorName::Unknown("EQUAL".into()));
    }

    #[test]
    fn s23_reads_input_and_category_filter_groups() {
        let (doc, _) = read(
            r#"{"scope":{"groups":[],"inputFilterGroups":[{"name":"in","clauses":[]}],"categoryFilterGroups":[{"name":"cat","clauses":[]}]}}"#,
        );
        let Some(GraphDocument::Scope { filters, .. }) = doc else {
            panic!()
        };
        assert_eq!(filters.input_groups[0].kind, FilterKind::Input);
        assert_eq!(filters.category_groups[0].kind, FilterKind::Category);
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
        let (doc, _) = read(SCHEMA);
        let Some(GraphDocument::Scope { filters, .. }) = doc else {
            panic!()
        };
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
}
