//! The rule model: apps, stages, filters and clauses, each with the span it came from.
//!
//! Both inputs (the `.scope` language and Entra's Graph schema JSON) produce this one
//! model, so the checker, compiler, converter and reports never care which syntax a rule
//! was written in. The model keeps what the user wrote even when it is wrong (an unknown
//! operator, a missing value), because the checker reports those with spans instead of the
//! parser giving up at the first one.

use super::json_tree::Json;
use super::operator::Operator;
use crate::source::{SourceId, Span};
use serde::Serialize;
use std::sync::Arc;

/// A value with the span it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Pairs a value with a span.
    pub fn new(node: T, span: Span) -> Spanned<T> {
        Spanned { node, span }
    }
}

/// Everything read from one rules file and the Graph schema files its stages name.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    /// The apps, in file order.
    pub apps: Vec<App>,
}

/// Entra's Settings > Scope choice (S24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScopeMode {
    /// "Sync only assigned users and groups" (`SyncAll=false`), the default.
    #[default]
    Assigned,
    /// "Sync all users and groups" (`SyncAll=true`).
    All,
}

impl ScopeMode {
    /// The keyword in the rule language.
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeMode::Assigned => "assigned",
            ScopeMode::All => "all",
        }
    }
}

/// One application's provisioning configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    /// Display name, unique in the file.
    pub name: Spanned<String>,
    /// The file it is written in.
    pub source: SourceId,
    /// The whole `app { ... }` block.
    pub span: Span,
    /// `scope assigned|all`, default assigned.
    pub scope: Option<Spanned<ScopeMode>>,
    /// `skip_out_of_scope_deletions true|false`, default false.
    pub skip_out_of_scope_deletions: Option<Spanned<bool>>,
    /// `deletion_threshold N`: accidental-deletion prevention (S27), off when absent.
    pub deletion_threshold: Option<Spanned<u64>>,
    /// The user object mapping's own settings: enabled, flow types, matching (S32, S33).
    /// (The older `delete_flow BOOL` setting is read into `object.flow_types`.)
    pub object: ObjectSettings,
    /// Stages in rollout order.
    pub stages: Vec<Stage>,
    /// Where the app's name came from (a Graph schema has none of its own).
    pub name_origin: NameOrigin,
    /// Settings taken from a synchronization-secrets export (`--secrets`) rather than
    /// from the rules file, in the order applied.
    pub secrets: Vec<SecretSetting>,
}

/// Where an app's name came from. Assignments and `diff` match apps by name, so a name
/// scopesim made up must say so when nothing matches it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum NameOrigin {
    /// Written in the rules (`app "Name" { ... }`, or a bundle's `name`).
    #[default]
    Written,
    /// Given on the command line (`--app-name NAME` or `NAME=schema.json`).
    Given,
    /// A Graph schema loaded without a name: named after its file (the path as given).
    FileStem(String),
}

/// One setting applied from a synchronization-secrets export (S24, S27 and
/// SkipOutOfScopeDeletions live there, not in the schema).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretSetting {
    /// The secret's key, e.g. `SyncAll`.
    pub key: String,
    /// Its value as exported, e.g. `false`.
    pub value: String,
    /// The rule-language setting it set, e.g. `scope assigned`.
    pub setting: String,
    /// The secrets file.
    pub source: SourceId,
    /// The key/value entry in that file.
    pub span: Span,
}

/// Which actions an object mapping may take: Graph `flowTypes` (S33), default
/// `"Add, Update, Delete"`. Graph writes the flags enum `objectFlowTypes` as its names
/// joined by `", "`, or `None` for no flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FlowTypes {
    /// `Add`: create accounts.
    pub add: bool,
    /// `Update`: update, match, re-enable (and disable, which is an update).
    pub update: bool,
    /// `Delete`: disable and delete.
    pub delete: bool,
}

impl Default for FlowTypes {
    fn default() -> FlowTypes {
        FlowTypes {
            add: true,
            update: true,
            delete: true,
        }
    }
}

/// A `flowTypes` text that is not a list of `Add`, `Update` and `Delete`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowTypesError {
    /// What is wrong.
    pub message: String,
    /// The byte range of the offending word in the text.
    pub range: std::ops::Range<usize>,
    /// A suggestion, when there is one.
    pub help: String,
}

impl FlowTypes {
    /// No flow at all (Graph `None`).
    pub const NONE: FlowTypes = FlowTypes {
        add: false,
        update: false,
        delete: false,
    };

    /// Reads Graph's spelling of the flags: any subset of `Add`, `Update`, `Delete` in any
    /// order and letter case, separated by commas with any spacing (as .NET's
    /// `Enum.Parse` reads a flags enum), or `None`. Anything else is an error located in
    /// the text.
    pub fn parse(text: &str) -> Result<FlowTypes, FlowTypesError> {
        if text.trim().is_empty() {
            return Err(FlowTypesError {
                message: "the flow types are empty".to_string(),
                range: 0..text.len(),
                help: "write `Add, Update, Delete` (the default), a subset of it, or `None`"
                    .to_string(),
            });
        }
        let mut flows = FlowTypes::NONE;
        let mut none: Option<std::ops::Range<usize>> = None;
        let mut words = 0;
        let mut start = 0;
        for part in text.split(',') {
            let range = start..start + part.len();
            start += part.len() + 1;
            let word = part.trim();
            let lead = part.len() - part.trim_start().len();
            let at = range.start + lead..range.start + lead + word.len();
            words += 1;
            match word.to_ascii_lowercase().as_str() {
                "add" => flows.add = true,
                "update" => flows.update = true,
                "delete" => flows.delete = true,
                "none" => none = Some(at),
                "" => {
                    return Err(FlowTypesError {
                        message: "an empty entry in the flow types".to_string(),
                        range: range.start..range.end.max(range.start + 1).min(text.len()),
                        help: "separate `Add`, `Update` and `Delete` with single commas"
                            .to_string(),
                    });
                }
                _ => {
                    let lower = word.to_ascii_lowercase();
                    let near = ["Add", "Update", "Delete", "None"]
                        .into_iter()
                        .map(|k| (strsim::levenshtein(&k.to_ascii_lowercase(), &lower), k))
                        .filter(|(d, _)| *d <= 2)
                        .min_by_key(|(d, _)| *d);
                    let help = match near {
                        Some((_, k)) => format!("did you mean `{k}`?"),
                        None if lower == "create" => {
                            "the portal's Create is Graph's `Add`".to_string()
                        }
                        None => "the flow types are `Add`, `Update` and `Delete`, joined by commas, or `None`".to_string(),
                    };
                    return Err(FlowTypesError {
                        message: format!("`{word}` is not a flow type"),
                        range: at,
                        help,
                    });
                }
            }
        }
        if let Some(at) = none {
            if words > 1 {
                return Err(FlowTypesError {
                    message: "`None` cannot be combined with other flow types".to_string(),
                    range: at,
                    help: "write `None` alone, or list the flows that are on".to_string(),
                });
            }
        }
        Ok(flows)
    }

    /// Graph's spelling: `"Add, Update, Delete"`, a subset in that order, or `"None"`.
    pub fn as_graph(self) -> String {
        let names: Vec<&str> = [
            (self.add, "Add"),
            (self.update, "Update"),
            (self.delete, "Delete"),
        ]
        .into_iter()
        .filter_map(|(on, n)| on.then_some(n))
        .collect();
        if names.is_empty() {
            "None".to_string()
        } else {
            names.join(", ")
        }
    }

    /// True for the default, all three flows.
    pub fn is_default(self) -> bool {
        self == FlowTypes::default()
    }
}

/// One matching attribute of the user object mapping (S32): a target account whose
/// `target` attribute equals the user's `source` attribute is the user's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matching {
    /// Source (Entra) attribute, e.g. `userPrincipalName`. When `expression` is set, this
    /// holds the expression's text instead, which is not an attribute name.
    pub source: Spanned<String>,
    /// Target attribute, e.g. `userName`.
    pub target: String,
    /// `matchingPriority`: lowest is tried first.
    pub priority: u32,
    /// The mapping's source is an expression other than one `[attribute]` (its text,
    /// e.g. `Join("@", [mailNickname], "contoso.com")`): the value to match is what the
    /// expression gives, which the attribute-mapping stage evaluates (S39), not a column.
    pub expression: Option<String>,
}

/// The attribute of an attribute-mapping expression that is one attribute reference
/// (`[userPrincipalName]`, blanks around it allowed), or `None` for any other expression.
pub fn expression_attribute(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix('[')?.strip_suffix(']')?;
    let ok = !inner.is_empty() && inner.trim() == inner && !inner.contains(['[', ']']);
    ok.then_some(inner)
}

impl Matching {
    /// True when both say the same (source, target, priority), wherever they are written.
    pub fn same_as(&self, other: &Matching) -> bool {
        self.source.node == other.source.node
            && self.target == other.target
            && self.priority == other.priority
            && self.expression == other.expression
    }

    /// The source attribute, or `None` when the source is an expression.
    pub fn attribute(&self) -> Option<&str> {
        match self.expression {
            None => Some(self.source.node.as_str()),
            Some(_) => None,
        }
    }
}

/// The object mapping's own settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectSettings {
    /// `objectMappings[].enabled` (S33): a disabled mapping does nothing. Default true.
    pub enabled: Option<Spanned<bool>>,
    /// `objectMappings[].flowTypes` (S33). Default all three.
    pub flow_types: Option<Spanned<FlowTypes>>,
    /// Matching attributes (S32), in the order written; sort by `priority` to use.
    pub matching: Vec<Matching>,
    /// The user object mapping's `attributeMappings` as the Graph schema holds them, kept
    /// as JSON for the attribute-mapping stage (`mapping::read_mappings`, S39, S40): the
    /// rules layer sits below the expression language, so it keeps the tree and its
    /// spans and leaves reading the expressions to `mapping`.
    pub attribute_mappings: Option<RawMappings>,
}

/// An object mapping's attribute mappings and its target object's attribute definitions,
/// as JSON nodes of a schema file.
#[derive(Debug, Clone)]
pub struct RawMappings {
    /// The schema file.
    pub source: SourceId,
    /// The object mapping (`objectMappings[]` entry) holding `attributeMappings`.
    pub object_mapping: Arc<Json>,
    /// The target directory's definition of the mapped object (`directories[].objects[]`
    /// named by the mapping's `targetObjectName`), whose `attributes[]` say which target
    /// attributes are required and how long they may be; `None` when the file has none.
    pub target_object: Option<Arc<Json>>,
}

impl PartialEq for RawMappings {
    fn eq(&self, other: &RawMappings) -> bool {
        self.source == other.source
            && self.object_mapping == other.object_mapping
            && self.target_object == other.target_object
    }
}

/// JSON trees hold no floating-point values (numbers are kept as written), so equality is
/// an equivalence.
impl Eq for RawMappings {}

impl App {
    /// The effective flow types (S33).
    pub fn flows(&self) -> FlowTypes {
        self.object
            .flow_types
            .as_ref()
            .map(|f| f.node)
            .unwrap_or_default()
    }

    /// Whether the user object mapping is enabled (S33).
    pub fn mapping_enabled(&self) -> bool {
        self.object.enabled.as_ref().is_none_or(|e| e.node)
    }

    /// The effective scope setting.
    pub fn scope_mode(&self) -> ScopeMode {
        self.scope.as_ref().map(|s| s.node).unwrap_or_default()
    }

    /// The effective SkipOutOfScopeDeletions.
    pub fn skip_deletions(&self) -> bool {
        self.skip_out_of_scope_deletions
            .as_ref()
            .is_some_and(|s| s.node)
    }

    /// The effective Delete flow (S33): the `Delete` flag of the flow types.
    pub fn delete_flow_on(&self) -> bool {
        self.flows().delete
    }

    /// The matching attributes in the order Entra tries them (S32): lowest
    /// `matchingPriority` first; equal priorities in the order written.
    pub fn matching_order(&self) -> Vec<&Matching> {
        let mut m: Vec<&Matching> = self.object.matching.iter().collect();
        m.sort_by_key(|m| m.priority);
        m
    }

    /// For an app named after its schema file, how to give it its real name (assignments
    /// and `diff` match apps by name).
    pub fn naming_help(&self) -> Option<String> {
        match &self.name_origin {
            NameOrigin::FileStem(file) => Some(format!(
                "the app of `{file}` is named `{}` after its file, because a Graph schema does not carry the app's name: give the name the app has in Entra (and in the assignments) with `--app-name NAME` or as `NAME={file}`",
                self.name.node
            )),
            _ => None,
        }
    }

    /// The stage with this name.
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name.node == name)
    }
}

/// A version of an app's scoping configuration; each is one full provisioning cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// Name, unique within the app.
    pub name: Spanned<String>,
    /// `extends "earlier"`: inherit that stage's filters.
    pub extends: Option<Spanned<String>>,
    /// The file the stage is declared in.
    pub source: SourceId,
    /// The whole stage.
    pub span: Span,
    /// True for the stage `current` made of filters written directly in an app.
    pub implicit: bool,
    /// `graph "file.json"`: the filters come from a Graph schema file (path as written).
    pub graph: Option<Spanned<String>>,
    /// The stage's own filters (not counting inherited ones).
    pub filters: FilterSet,
}

/// The three filter collections of a Graph `filter` object (S23).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterSet {
    /// `groups`: portal scoping filters; failing users are deprovisioned.
    pub groups: Vec<Filter>,
    /// `inputFilterGroups`: failing users are skipped, never deprovisioned.
    pub input_groups: Vec<Filter>,
    /// `categoryFilterGroups`: read and reported, experimental.
    pub category_groups: Vec<Filter>,
}

impl FilterSet {
    /// True when no collection has a filter.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.input_groups.is_empty() && self.category_groups.is_empty()
    }

    /// All filters with their kind.
    pub fn iter(&self) -> impl Iterator<Item = &Filter> {
        self.groups
            .iter()
            .chain(self.input_groups.iter())
            .chain(self.category_groups.iter())
    }

    /// The collection for a kind.
    pub fn of_kind(&self, kind: FilterKind) -> &[Filter] {
        match kind {
            FilterKind::Scoping => &self.groups,
            FilterKind::Input => &self.input_groups,
            FilterKind::Category => &self.category_groups,
        }
    }

    /// Adds a filter to the collection of its kind.
    pub fn push(&mut self, filter: Filter) {
        match filter.kind {
            FilterKind::Scoping => self.groups.push(filter),
            FilterKind::Input => self.input_groups.push(filter),
            FilterKind::Category => self.category_groups.push(filter),
        }
    }
}

/// Which collection a filter belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FilterKind {
    /// `filter` / `groups`.
    Scoping,
    /// `input_filter` / `inputFilterGroups`.
    Input,
    /// `category_filter` / `categoryFilterGroups`.
    Category,
}

impl FilterKind {
    /// Keyword in the rule language.
    pub fn keyword(self) -> &'static str {
        match self {
            FilterKind::Scoping => "filter",
            FilterKind::Input => "input_filter",
            FilterKind::Category => "category_filter",
        }
    }

    /// Property name in the Graph JSON.
    pub fn json_key(self) -> &'static str {
        match self {
            FilterKind::Scoping => "groups",
            FilterKind::Input => "inputFilterGroups",
            FilterKind::Category => "categoryFilterGroups",
        }
    }
}

/// One scoping filter: its clauses are ANDed (S22).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Title (the Graph `filterGroup.name`).
    pub name: Spanned<String>,
    /// Collection.
    pub kind: FilterKind,
    /// Clauses, in order.
    pub clauses: Vec<Clause>,
    /// The file it was written in.
    pub source: SourceId,
    /// The whole filter.
    pub span: Span,
}

/// The operator as written: known, or not (reported by the checker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperatorName {
    /// One of the fourteen.
    Known(Operator),
    /// Anything else, as written.
    Unknown(String),
}

impl OperatorName {
    /// The operator, when known.
    pub fn known(&self) -> Option<Operator> {
        match self {
            OperatorName::Known(op) => Some(*op),
            OperatorName::Unknown(_) => None,
        }
    }
}

/// One condition: attribute, operator, value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// The source attribute (`sourceOperandName`).
    pub attribute: Spanned<String>,
    /// The operator.
    pub operator: Spanned<OperatorName>,
    /// The values (`targetOperand.values`); exactly one for binary operators (S21).
    pub values: Vec<Value>,
    /// The file it was written in.
    pub source: SourceId,
    /// The whole clause.
    pub span: Span,
}

impl Clause {
    /// The first value's text, if any.
    pub fn value_text(&self) -> Option<&str> {
        self.values.first().map(|v| v.text.as_str())
    }
}

/// How a value was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueStyle {
    /// `"..."` with backslash escapes.
    Quoted,
    /// `'...'`, backslash literal, `''` for a quote.
    Raw,
    /// An unquoted integer.
    Number,
    /// An unquoted word (accepted by the grammar, refused by the checker).
    Bare,
    /// A JSON string.
    Json,
}

/// A literal value and where each of its bytes came from, so that an error inside a regex
/// pattern can point at the exact characters in the file even through escapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    /// The decoded text.
    pub text: String,
    /// How it was written.
    pub style: ValueStyle,
    /// The whole literal, quotes included.
    pub span: Span,
    /// For each byte offset of `text` (and one past the end), its offset in the source.
    /// `None` when the mapping is `span.start + quote + i` (no escapes).
    pub map: Option<Arc<[usize]>>,
}

impl Value {
    /// A value whose text is written as-is between one-byte quotes (or without quotes).
    pub fn plain(text: impl Into<String>, style: ValueStyle, span: Span) -> Value {
        Value {
            text: text.into(),
            style,
            span,
            map: None,
        }
    }

    fn quote_len(&self) -> usize {
        match self.style {
            ValueStyle::Number | ValueStyle::Bare => 0,
            _ => 1,
        }
    }

    /// Maps a byte range of the decoded text to a span in the source.
    pub fn source_span(&self, range: std::ops::Range<usize>) -> Span {
        let at = |i: usize| -> usize {
            match &self.map {
                Some(map) => map
                    .get(i.min(map.len().saturating_sub(1)))
                    .map_or(self.span.start, |&o| o),
                None => self.span.start + self.quote_len() + i.min(self.text.len()),
            }
        };
        let start = at(range.start);
        let end = at(range.end).max(start);
        Span::new(start, end)
    }
}
