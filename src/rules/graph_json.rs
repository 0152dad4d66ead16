//! Entra's Graph synchronization-schema JSON, read (spec S30, S21, S23, S32, S33, S35).
//!
//! Administrators have their live filters as JSON (`GET .../synchronization/jobs/{id}/schema`),
//! exported either from Graph (camelCase keys) or with the Graph PowerShell SDK
//! (`Get-MgServicePrincipalSynchronizationJobSchema | ConvertTo-Json -Depth 20`, PascalCase
//! keys), so keys are matched exactly first and then ignoring letter case. Reading accepts
//! a whole schema (the user object mapping is used), one object mapping, or a bare `scope`
//! object. From the user mapping it takes the scope, `enabled` and `flowTypes` (S33) and
//! the matching attributes (`attributeMappings[]` with `matchingPriority > 0`, S32).
//!
//! `ConvertTo-Json` at its default depth writes nested objects as text
//! (`System.Collections.Hashtable`, `@{...}`, a .NET type name): wherever an object or an
//! array is expected and such a text is found, the error says so and how to export again,
//! instead of a generic shape error or, worse, an empty filter.
//!
//! A Graph scope holds exactly one stage. To carry several apps and stages through JSON
//! (for `scopesim convert` round trips), we also read a small *bundle*:
//! `{"apps": [{"name", "syncAll", "skipOutOfScopeDeletions", "deleteThreshold", "enabled",
//! "flowTypes", "matching", "stages": [{"name", "scope": <Graph scope>}]}]}`, whose setting
//! names are the job secrets and object-mapping properties Entra uses. The writers are in
//! [`super::graph_write`].

use super::ast::*;
use super::json_tree::{Json, JsonKind, parse_json};
use super::operator::{Operator, Spelling};
use super::parse::spelling_warning;
use crate::diag::{Code, Diagnostic};
use crate::source::{SourceId, Sources, Span};
use std::sync::Arc;

pub use super::graph_write::{app_bundle_json, scope_json};

/// What a JSON rules file holds.
#[derive(Debug, Clone)]
pub enum GraphDocument {
    /// The user mapping of a schema, one object mapping, or a bare scope.
    Scope(GraphScope),
    /// A scopesim bundle of apps and stages.
    Bundle(RuleSet),
}

/// Which Graph object a document was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphShape {
    /// A whole synchronization schema (`synchronizationRules`).
    Schema,
    /// One object mapping (`sourceObjectName`, `scope`).
    Mapping,
    /// A bare `scope` (filter) object.
    Scope,
}

/// The user object mapping read from a Graph document.
#[derive(Debug, Clone)]
pub struct GraphScope {
    /// The mapping's filters.
    pub filters: FilterSet,
    /// The object mapping's `name`, when the file had one.
    pub mapping_name: Option<String>,
    /// `enabled`, `flowTypes` and the matching attributes, as far as the file has them.
    pub object: ObjectSettings,
    /// What the document was.
    pub shape: GraphShape,
    /// The span of the user mapping's `scope` value (an object or `null`), or of the whole
    /// document for a bare scope; `None` when the mapping has no `scope` property.
    pub scope_span: Option<Span>,
    /// The keys are PascalCase (the Graph PowerShell SDK's objects through ConvertTo-Json).
    pub pascal_case: bool,
}

struct Reader<'a> {
    source: SourceId,
    diags: &'a mut Vec<Diagnostic>,
    /// A ConvertTo-Json truncation was reported (one error explains them all).
    truncated: bool,
}

const SCHEMA_HELP: &str = "use the JSON of `GET /servicePrincipals/{id}/synchronization/jobs/{jobId}/schema`, or the `scope` object of its user mapping";
const DEPTH_HELP: &str = "export the schema again with a depth that keeps every level, such as `Get-MgServicePrincipalSynchronizationJobSchema -ServicePrincipalId $sp -SynchronizationJobId $job | ConvertTo-Json -Depth 20`";

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
        truncated: false,
    };
    let doc = r.document(&root);
    // A truncated export is missing what it cut: nothing read from it can be trusted.
    let doc = if r.truncated { None } else { doc };
    (doc, diags)
}

/// The member `key` of an object: exact first, then ignoring ASCII case (PowerShell
/// writes `Scope` for Graph's `scope`).
fn key<'j>(j: &'j Json, name: &str) -> Option<&'j Json> {
    j.get(name).or_else(|| j.get_ignore_case(name))
}

/// Where to point at a value in a message: its opening bracket for an array or an object
/// (which may span a whole minified file), the whole value otherwise.
fn head(j: &Json) -> Span {
    match j.kind {
        JsonKind::Array(_) | JsonKind::Object(_) => Span::new(j.span.start, j.span.start + 1),
        _ => j.span,
    }
}

/// The key `name` as the object writes it (`Scope` in PowerShell's JSON), for messages.
fn written(j: &Json, name: &str) -> String {
    match &j.kind {
        JsonKind::Object(members) => members
            .iter()
            .find(|(k, _)| k.text == name)
            .or_else(|| {
                members
                    .iter()
                    .find(|(k, _)| k.text.eq_ignore_ascii_case(name))
            })
            .map_or_else(|| name.to_string(), |(k, _)| k.text.clone()),
        _ => name.to_string(),
    }
}

/// True when a text is what ConvertTo-Json writes for an object it did not descend into:
/// `System.Collections.Hashtable`, `System.Object[]`, `@{Groups=...}`, a .NET type name
/// such as `Microsoft.Graph.PowerShell.Models.MicrosoftGraphFilter`, or an object's JSON as
/// a text. Only ever asked where an object or an array is expected.
pub fn is_truncation_text(text: &str) -> bool {
    let t = text.trim();
    // `@{...}` (a PSCustomObject), or JSON written as text (a model's own ToString).
    let wrapped = |open: &str, close: char| t.starts_with(open) && t.ends_with(close);
    if wrapped("@{", '}') || wrapped("{", '}') || wrapped("[", ']') {
        return true;
    }
    let type_name = |prefix: &str| {
        t.starts_with(prefix)
            && t.len() > prefix.len()
            && t.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '`' | '[' | ']' | ',')
            })
    };
    type_name("System.") || type_name("Microsoft.")
}

impl Reader<'_> {
    fn error(&mut self, code: Code, span: Span, message: String, help: &str) {
        let mut d = Diagnostic::error(code, message).with_label(self.source, span, "");
        if !help.is_empty() {
            d = d.with_help(help);
        }
        self.diags.push(d);
    }

    /// Reports a ConvertTo-Json truncation at `j` (once per file), if it is one.
    fn truncation(&mut self, j: &Json, what: &str) -> bool {
        let Some(text) = j.as_str() else {
            return false;
        };
        if !is_truncation_text(text) {
            return false;
        }
        if !self.truncated {
            self.truncated = true;
            let shown: String = text.chars().take(60).collect();
            let dots = if text.chars().count() > 60 { "…" } else { "" };
            self.diags.push(
                Diagnostic::error(
                    Code::GraphTruncated,
                    format!("{what} is the text `{shown}{dots}`: ConvertTo-Json cut the schema at its default depth"),
                )
                .with_rule("S30")
                .with_label(self.source, j.span, "an object written as text")
                .with_help(DEPTH_HELP),
            );
        }
        true
    }

    /// True when `j` is an object; otherwise reports a truncation or a shape error.
    fn want_object(&mut self, j: &Json, what: &str) -> bool {
        if matches!(j.kind, JsonKind::Object(_)) {
            return true;
        }
        if !self.truncation(j, what) {
            self.error(
                Code::GraphShape,
                head(j),
                format!("{what} must be an object, found {}", j.kind_name()),
                "",
            );
        }
        false
    }

    /// The items when `j` is an array; otherwise reports a truncation or a shape error.
    fn want_array<'j>(&mut self, j: &'j Json, what: &str) -> Option<&'j [Json]> {
        if let Some(items) = j.as_array() {
            return Some(items);
        }
        if !self.truncation(j, what) {
            self.error(
                Code::GraphShape,
                head(j),
                format!("{what} must be an array, found {}", j.kind_name()),
                "",
            );
        }
        None
    }

    fn document(&mut self, root: &Json) -> Option<GraphDocument> {
        if !matches!(root.kind, JsonKind::Object(_)) {
            if !self.truncation(root, "the file") {
                self.error(
                    Code::GraphShape,
                    head(root),
                    format!(
                        "expected a synchronization schema or a `scope` object, found {}",
                        root.kind_name()
                    ),
                    SCHEMA_HELP,
                );
            }
            return None;
        }
        if let Some(apps) = key(root, "apps") {
            return self.bundle(apps).map(GraphDocument::Bundle);
        }
        if let Some(rules) = key(root, "synchronizationRules") {
            return self.schema(root, rules);
        }
        if key(root, "sourceObjectName").is_some() {
            return self.mapping(root, GraphShape::Mapping);
        }
        if let Some(mappings) = key(root, "objectMappings") {
            let list = self.want_array(mappings, "`objectMappings`")?;
            return self.mappings(list, head(mappings));
        }
        if let Some(scope) = key(root, "scope") {
            let filters = self.scope(Some(scope), &written(root, "scope"));
            return Some(GraphDocument::Scope(GraphScope {
                filters,
                mapping_name: None,
                object: ObjectSettings::default(),
                shape: GraphShape::Mapping,
                scope_span: Some(scope.span),
                pascal_case: root.get("Scope").is_some(),
            }));
        }
        if ["groups", "inputFilterGroups", "categoryFilterGroups"]
            .iter()
            .any(|k| key(root, k).is_some())
        {
            return Some(GraphDocument::Scope(GraphScope {
                filters: self.scope(Some(root), "scope"),
                mapping_name: None,
                object: ObjectSettings::default(),
                shape: GraphShape::Scope,
                scope_span: Some(root.span),
                pascal_case: root.get("Groups").is_some(),
            }));
        }
        self.error(
            Code::GraphShape,
            head(root),
            "this JSON has no `synchronizationRules`, `objectMappings`, `scope` or `groups`"
                .to_string(),
            SCHEMA_HELP,
        );
        None
    }

    fn schema(&mut self, root: &Json, rules: &Json) -> Option<GraphDocument> {
        let items = self.want_array(rules, "`synchronizationRules`")?;
        let mut all = Vec::new();
        let mut rule_of: Vec<&Json> = Vec::new();
        for rule in items {
            if !self.want_object(rule, "a synchronization rule") {
                continue;
            }
            let Some(mappings) = key(rule, "objectMappings") else {
                continue;
            };
            if mappings.is_null() {
                continue;
            }
            if let Some(list) = self.want_array(mappings, "`objectMappings`") {
                all.extend(list.iter());
                rule_of.extend(list.iter().map(|_| rule));
            }
        }
        let doc = self.pick_user_mapping(&all, head(rules))?;
        let rule = all
            .iter()
            .position(|m| std::ptr::eq(*m, doc))
            .and_then(|i| rule_of.get(i).copied());
        let mut out = self.mapping(doc, GraphShape::Schema)?;
        if let (GraphDocument::Scope(g), Some(rule)) = (&mut out, rule) {
            if let Some(raw) = &mut g.object.attribute_mappings {
                raw.target_object = Self::target_object(root, rule, doc);
            }
        }
        Some(out)
    }

    fn mappings(&mut self, list: &[Json], span: Span) -> Option<GraphDocument> {
        let all: Vec<&Json> = list.iter().collect();
        let doc = self.pick_user_mapping(&all, span)?;
        self.mapping(doc, GraphShape::Mapping)
    }

    fn pick_user_mapping<'j>(&mut self, all: &[&'j Json], span: Span) -> Option<&'j Json> {
        let mut users = Vec::new();
        for m in all {
            if !self.want_object(m, "an object mapping") {
                continue;
            }
            let is_user = key(m, "sourceObjectName")
                .and_then(Json::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case("User"));
            if is_user {
                users.push(*m);
            }
        }
        let Some(first) = users.first().copied() else {
            if !self.truncated {
                self.error(
                    Code::GraphNoUserMapping,
                    span,
                    "the schema has no object mapping whose `sourceObjectName` is `User`"
                        .to_string(),
                    "scopesim simulates user provisioning: export the schema of a job that provisions users",
                );
            }
            return None;
        };
        if let Some(second) = users.get(1) {
            let name = key(first, "name").and_then(Json::as_str).unwrap_or("");
            self.diags.push(
                Diagnostic::warning(
                    Code::GraphSeveralUserMappings,
                    format!(
                        "the schema has {} user object mappings; using the first, `{name}`",
                        users.len()
                    ),
                )
                .with_label(self.source, head(first), "used")
                .with_label(self.source, head(second), "ignored"),
            );
        }
        Some(first)
    }

    fn mapping(&mut self, m: &Json, shape: GraphShape) -> Option<GraphDocument> {
        let scope = key(m, "scope");
        let filters = self.scope(scope, &written(m, "scope"));
        let pascal_case = match &m.kind {
            JsonKind::Object(members) => members
                .iter()
                .any(|(k, _)| k.text.starts_with(|c: char| c.is_ascii_uppercase())),
            _ => false,
        };
        let object = self.object_settings(m);
        Some(GraphDocument::Scope(GraphScope {
            filters,
            mapping_name: key(m, "name").and_then(Json::as_str).map(str::to_string),
            object,
            shape,
            scope_span: scope.map(|s| s.span),
            pascal_case,
        }))
    }

    /// `enabled`, `flowTypes` and the matching attributes of an object mapping (S32, S33).
    fn object_settings(&mut self, m: &Json) -> ObjectSettings {
        let mut object = ObjectSettings::default();
        if let Some(e) = key(m, "enabled") {
            match &e.kind {
                JsonKind::Null => {}
                JsonKind::Bool(b) => object.enabled = Some(Spanned::new(*b, e.span)),
                JsonKind::String(s) if s.text.eq_ignore_ascii_case("true") => {
                    object.enabled = Some(Spanned::new(true, e.span));
                }
                JsonKind::String(s) if s.text.eq_ignore_ascii_case("false") => {
                    object.enabled = Some(Spanned::new(false, e.span));
                }
                _ => self.error(
                    Code::GraphShape,
                    e.span,
                    format!(
                        "`enabled` must be `true` or `false`, found {}",
                        e.kind_name()
                    ),
                    "",
                ),
            }
        }
        if let Some(f) = key(m, "flowTypes") {
            object.flow_types = self.flow_types(f);
        }
        if let Some(list) = key(m, "attributeMappings") {
            if !list.is_null() {
                if let Some(items) = self.want_array(list, "`attributeMappings`") {
                    for a in items {
                        if let Some(matching) = self.matching(a) {
                            object.matching.push(matching);
                        }
                    }
                    if !items.is_empty() {
                        // S39/S40: the expressions are read by `mapping`, above this layer.
                        object.attribute_mappings = Some(RawMappings {
                            source: self.source,
                            object_mapping: Arc::new(m.clone()),
                            target_object: None,
                        });
                    }
                }
            }
        }
        object
    }

    /// The target directory's definition of the user mapping's target object: in
    /// `directories[]`, the one named by the rule's `targetDirectoryName`, its `objects[]`
    /// entry named by the mapping's `targetObjectName` (names ignoring case).
    fn target_object(root: &Json, rule: &Json, mapping: &Json) -> Option<Arc<Json>> {
        let dir_name = key(rule, "targetDirectoryName").and_then(Json::as_str)?;
        let object_name = key(mapping, "targetObjectName").and_then(Json::as_str)?;
        let named = |j: &&Json, n: &str| {
            ["name", "id"].iter().any(|k| {
                key(j, k)
                    .and_then(Json::as_str)
                    .is_some_and(|v| v.eq_ignore_ascii_case(n))
            })
        };
        let dirs = key(root, "directories").and_then(Json::as_array)?;
        let dir = dirs.iter().find(|d| named(d, dir_name))?;
        let objects = key(dir, "objects").and_then(Json::as_array)?;
        objects
            .iter()
            .find(|o| named(o, object_name))
            .map(|o| Arc::new(o.clone()))
    }

    fn flow_types(&mut self, f: &Json) -> Option<Spanned<FlowTypes>> {
        match &f.kind {
            JsonKind::Null => None,
            JsonKind::String(v) => match FlowTypes::parse(&v.text) {
                Ok(flows) => Some(Spanned::new(flows, f.span)),
                Err(e) => {
                    self.diags.push(
                        Diagnostic::error(
                            Code::BadFlowTypes,
                            format!("`flowTypes`: {}", e.message),
                        )
                        .with_rule("S33")
                        .with_label(self.source, v.source_span(e.range), "not a flow type")
                        .with_help(e.help),
                    );
                    None
                }
            },
            JsonKind::Number(n) => {
                self.diags.push(
                    Diagnostic::error(Code::BadFlowTypes, format!("`flowTypes` is the number `{n}`, not Graph's text such as `Add, Update, Delete`"))
                        .with_rule("S33")
                        .with_label(self.source, f.span, "a number")
                        .with_help("export with Graph, or with `ConvertTo-Json -EnumsAsStrings -Depth 20` in PowerShell 7, so that flags are written as their names"),
                );
                None
            }
            _ => {
                if !self.truncation(f, "`flowTypes`") {
                    self.error(
                        Code::BadFlowTypes,
                        f.span,
                        format!(
                            "`flowTypes` must be a text such as `Add, Update, Delete`, found {}",
                            f.kind_name()
                        ),
                        "",
                    );
                }
                None
            }
        }
    }

    /// One `attributeMappings[]` entry: a matching attribute when `matchingPriority > 0`.
    fn matching(&mut self, a: &Json) -> Option<Matching> {
        if !self.want_object(a, "an attribute mapping") {
            return None;
        }
        let p = key(a, "matchingPriority")?;
        let priority = match &p.kind {
            JsonKind::Null => return None,
            JsonKind::Number(n) => match n.parse::<i64>() {
                Ok(0) => return None,
                Ok(v) => match u32::try_from(v) {
                    Ok(v) => v,
                    Err(_) => {
                        self.bad_matching(p.span, format!("`matchingPriority` must be 0 (not matching) or a positive whole number, not `{n}`"));
                        return None;
                    }
                },
                Err(_) => {
                    self.bad_matching(
                        p.span,
                        format!("`matchingPriority` must be a whole number, not `{n}`"),
                    );
                    return None;
                }
            },
            _ => {
                self.bad_matching(
                    p.span,
                    format!(
                        "`matchingPriority` must be a number, found {}",
                        p.kind_name()
                    ),
                );
                return None;
            }
        };
        let Some(target) = key(a, "targetAttributeName").and_then(Json::as_str) else {
            self.bad_matching(
                head(a),
                "a matching attribute needs its `targetAttributeName`".to_string(),
            );
            return None;
        };
        let target = target.to_string();
        let source = match key(a, "source") {
            Some(s) if matches!(s.kind, JsonKind::Object(_)) => s,
            Some(s) if self.truncation(s, "the mapping's `source`") => return None,
            other => {
                self.bad_matching(
                    other.map_or(head(a), head),
                    format!("the matching attribute `{target}` has no source attribute"),
                );
                return None;
            }
        };
        let kind = key(source, "type").and_then(Json::as_str).unwrap_or("");
        let name = key(source, "name").filter(|n| n.as_str().is_some_and(|t| !t.is_empty()));
        let expression = key(source, "expression").filter(|e| e.as_str().is_some());
        if kind.eq_ignore_ascii_case("Attribute") {
            if let Some(n) = name {
                let text = n.as_str().unwrap_or_default().to_string();
                return Some(Matching {
                    source: Spanned::new(text, n.span),
                    target,
                    priority,
                    expression: None,
                });
            }
        }
        if kind.eq_ignore_ascii_case("Constant") && expression.is_none() {
            // A constant (every user the same value; `lint` says so): its expression text.
            let value = key(source, "name").and_then(Json::as_str).unwrap_or("");
            let text = format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""));
            return Some(Matching {
                source: Spanned::new(text.clone(), head(source)),
                target,
                priority,
                expression: Some(text),
            });
        }
        let Some(e) = expression else {
            self.bad_matching(
                head(source),
                format!("the source of the matching attribute `{target}` has neither an attribute `name` nor an `expression`"),
            );
            return None;
        };
        let text = e.as_str().unwrap_or_default();
        // `[userPrincipalName]` as an expression is the attribute itself.
        Some(match expression_attribute(text) {
            Some(attr) => Matching {
                source: Spanned::new(attr.to_string(), e.span),
                target,
                priority,
                expression: None,
            },
            None => Matching {
                source: Spanned::new(text.to_string(), e.span),
                target,
                priority,
                expression: Some(text.to_string()),
            },
        })
    }

    fn bad_matching(&mut self, span: Span, message: String) {
        self.diags.push(
            Diagnostic::error(Code::BadMatching, message)
                .with_rule("S32")
                .with_label(self.source, span, ""),
        );
    }

    fn scope(&mut self, scope: Option<&Json>, name: &str) -> FilterSet {
        let mut set = FilterSet::default();
        let Some(scope) = scope else { return set };
        if scope.is_null() || !self.want_object(scope, &format!("`{name}`")) {
            return set;
        }
        for kind in [FilterKind::Scoping, FilterKind::Input, FilterKind::Category] {
            let Some(groups) = key(scope, kind.json_key()) else {
                continue;
            };
            if groups.is_null() {
                continue;
            }
            let what = format!("`{}`", written(scope, kind.json_key()));
            let Some(items) = self.want_array(groups, &what) else {
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
        if !self.want_object(g, "a filter group") {
            return None;
        }
        let name = match key(g, "name") {
            Some(n) => match n.as_str() {
                Some(s) => Spanned::new(s.to_string(), n.span),
                None => Spanned::new(String::new(), n.span),
            },
            None => Spanned::new(String::new(), head(g)),
        };
        let mut clauses = Vec::new();
        if let Some(c) = key(g, "clauses") {
            if !c.is_null() {
                if let Some(items) = self.want_array(c, "`clauses`") {
                    for item in items {
                        if let Some(clause) = self.clause(item) {
                            clauses.push(clause);
                        }
                    }
                }
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
        if !self.want_object(c, "a clause") {
            return None;
        }
        let attribute = match key(c, "sourceOperandName") {
            Some(a) if a.as_str().is_some_and(|t| t.trim().is_empty()) => {
                self.diags.push(
                    Diagnostic::error(Code::EmptyAttribute, "`sourceOperandName` is empty")
                        .with_rule("S30")
                        .with_label(self.source, a.span, "no attribute")
                        .with_help(
                            "name the source attribute the clause tests, such as `department`",
                        ),
                );
                return None;
            }
            Some(a) if a.as_str().is_some() => {
                Spanned::new(a.as_str().unwrap_or_default().to_string(), a.span)
            }
            other => {
                self.error(
                    Code::GraphShape,
                    other.map_or(head(c), head),
                    "a clause needs `sourceOperandName`, the attribute to test".to_string(),
                    "",
                );
                return None;
            }
        };
        let operator = match key(c, "operatorName") {
            Some(o) if o.as_str().is_some() => {
                let text = o.as_str().unwrap_or_default();
                let name = match Operator::spelling(text) {
                    Spelling::Documented(op) => OperatorName::Known(op),
                    Spelling::Variant(op) => {
                        // S35: read, with a warning naming the canonical spelling.
                        self.diags
                            .push(spelling_warning(self.source, text, op, o.span));
                        OperatorName::Known(op)
                    }
                    Spelling::Unknown => OperatorName::Unknown(text.to_string()),
                };
                Spanned::new(name, o.span)
            }
            other => {
                self.error(
                    Code::GraphShape,
                    other.map_or(head(c), head),
                    "a clause needs `operatorName`".to_string(),
                    "",
                );
                return None;
            }
        };
        let mut values = Vec::new();
        if let Some(t) = key(c, "targetOperand") {
            if !t.is_null() && self.want_object(t, "`targetOperand`") {
                if let Some(v) = key(t, "values") {
                    if !v.is_null() {
                        if let Some(items) = self.want_array(v, "`targetOperand.values`") {
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
                                        head(item),
                                        format!(
                                            "`values` holds strings, found {}",
                                            item.kind_name()
                                        ),
                                        "write the value as a JSON string",
                                    ),
                                }
                            }
                        }
                    }
                }
            }
        }
        // S21: the portal saves a unary operator with `values: [""]`.
        if operator.node.known().is_some_and(Operator::is_unary)
            && values.iter().all(|v| v.text.is_empty())
        {
            values.clear();
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
        let items = self.want_array(apps, "`apps`")?;
        let mut rules = RuleSet::default();
        for a in items {
            if !self.want_object(a, "an app") {
                continue;
            }
            let name = match key(a, "name").and_then(|n| n.as_str().map(|s| (s, n.span))) {
                Some((s, span)) => Spanned::new(s.to_string(), span),
                None => {
                    self.error(
                        Code::GraphShape,
                        head(a),
                        "an app needs a `name`".to_string(),
                        "",
                    );
                    continue;
                }
            };
            let flag = |k: &str| -> Option<Spanned<bool>> {
                key(a, k).and_then(|v| match v.kind {
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
            let deletion_threshold = key(a, "deleteThreshold").and_then(|v| match &v.kind {
                JsonKind::Number(n) => n.parse::<u64>().ok().map(|n| Spanned::new(n, v.span)),
                _ => None,
            });
            let mut object = ObjectSettings {
                enabled: flag("enabled"),
                flow_types: key(a, "flowTypes").and_then(|f| self.flow_types(f)),
                matching: Vec::new(),
                attribute_mappings: None,
            };
            if let Some(d) = flag("deleteFlow") {
                // The bundle of earlier versions: the Delete flag alone (S33).
                let flows = FlowTypes {
                    delete: d.node,
                    ..FlowTypes::default()
                };
                self.diags.push(
                    Diagnostic::warning(
                        Code::DeprecatedSetting,
                        format!(
                            "`deleteFlow` is deprecated: read as `\"flowTypes\": \"{}\"`",
                            flows.as_graph()
                        ),
                    )
                    .with_rule("S33")
                    .with_label(self.source, d.span, "deprecated"),
                );
                if object.flow_types.is_none() {
                    object.flow_types = Some(Spanned::new(flows, d.span));
                }
            }
            if let Some(list) = key(a, "matching").and_then(Json::as_array) {
                for m in list {
                    if let Some(m) = self.bundle_matching(m) {
                        object.matching.push(m);
                    }
                }
            }
            // S39/S40: a bundle app may carry its user mapping's `attributeMappings` (and
            // `targetObject`, the target object's definition) as a schema holds them;
            // without a `matching` list, the matching attributes are read from them.
            if let Some(items) = key(a, "attributeMappings").and_then(Json::as_array) {
                if key(a, "matching").is_none() {
                    for item in items {
                        if let Some(m) = self.matching(item) {
                            object.matching.push(m);
                        }
                    }
                }
                if !items.is_empty() {
                    object.attribute_mappings = Some(RawMappings {
                        source: self.source,
                        object_mapping: Arc::new(a.clone()),
                        target_object: key(a, "targetObject").map(|t| Arc::new(t.clone())),
                    });
                }
            }
            let mut app = App {
                name,
                source: self.source,
                span: a.span,
                scope,
                skip_out_of_scope_deletions: flag("skipOutOfScopeDeletions"),
                deletion_threshold,
                object,
                stages: Vec::new(),
                name_origin: NameOrigin::Written,
                secrets: Vec::new(),
            };
            let stages = key(a, "stages").and_then(Json::as_array).unwrap_or(&[]);
            for s in stages {
                let Some((sname, sspan)) =
                    key(s, "name").and_then(|n| n.as_str().map(|t| (t, n.span)))
                else {
                    self.error(
                        Code::GraphShape,
                        head(s),
                        "a stage needs a `name`".to_string(),
                        "",
                    );
                    continue;
                };
                let filters = self.scope(key(s, "scope"), "scope");
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

    /// A bundle's `{"source" | "expression", "target", "priority"}`.
    fn bundle_matching(&mut self, m: &Json) -> Option<Matching> {
        let target = key(m, "target").and_then(Json::as_str);
        let priority = key(m, "priority").and_then(|p| match &p.kind {
            JsonKind::Number(n) => n.parse::<u32>().ok().filter(|&n| n > 0),
            _ => None,
        });
        let (source, expression) = match (key(m, "source"), key(m, "expression")) {
            (_, Some(e)) if e.as_str().is_some() => {
                let t = e.as_str().unwrap_or_default().to_string();
                (Spanned::new(t.clone(), e.span), Some(t))
            }
            (Some(s), _) if s.as_str().is_some() => (
                Spanned::new(s.as_str().unwrap_or_default().to_string(), s.span),
                None,
            ),
            _ => (Spanned::new(String::new(), m.span), None),
        };
        match (target, priority) {
            (Some(t), Some(p)) if !source.node.is_empty() => Some(Matching {
                source,
                target: t.to_string(),
                priority: p,
                expression,
            }),
            _ => {
                self.bad_matching(
                    head(m),
                    "a bundle's matching entry needs `source` (or `expression`), `target` and a `priority` from 1".to_string(),
                );
                None
            }
        }
    }
}

#[cfg(test)]
#[path = "graph_json_tests.rs"]
mod tests;
