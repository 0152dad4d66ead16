//! The rule model: apps, stages, filters and clauses, each with the span it came from.
//!
//! Both inputs (the `.scope` language and Entra's Graph schema JSON) produce this one
//! model, so the checker, compiler, converter and reports never care which syntax a rule
//! was written in. The model keeps what the user wrote even when it is wrong (an unknown
//! operator, a missing value), because the checker reports those with spans instead of the
//! parser giving up at the first one.

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
    /// `delete_flow true|false`: whether hard-deleted users are deleted in the target
    /// (the object mapping's Delete flow type), default true.
    pub delete_flow: Option<Spanned<bool>>,
    /// The user object mapping's own settings: enabled, flow types, matching (S32, S33).
    pub object: ObjectSettings,
    /// Stages in rollout order.
    pub stages: Vec<Stage>,
}

/// Which actions an object mapping may take: Graph `flowTypes` (S33), default
/// `"Add, Update, Delete"`.
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

/// One matching attribute of the user object mapping (S32): a target account whose
/// `target` attribute equals the user's `source` attribute is the user's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matching {
    /// Source (Entra) attribute, e.g. `userPrincipalName`.
    pub source: Spanned<String>,
    /// Target attribute, e.g. `userName`.
    pub target: String,
    /// `matchingPriority`: lowest is tried first.
    pub priority: u32,
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
}

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

    /// The effective Delete flow.
    pub fn delete_flow_on(&self) -> bool {
        self.delete_flow.as_ref().is_none_or(|s| s.node)
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
    pub map: Option<Arc<[u32]>>,
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
                    .map_or(self.span.start, |&o| o as usize),
                None => self.span.start + self.quote_len() + i.min(self.text.len()),
            }
        };
        let start = at(range.start);
        let end = at(range.end).max(start);
        Span::new(start, end)
    }
}
