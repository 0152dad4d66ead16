//! Compiles rules against a directory's columns into a [`Plan`] that evaluates fast.
//!
//! Names are resolved once (S3: exact, then ignoring case with a warning; S2: absent from
//! the whole export means null for everyone, reported once), regexes are compiled once
//! (S19), integer operands parsed once (S18), and identical clauses shared by several
//! filters, stages and apps are evaluated once per user. The plan owns everything it
//! needs, so it is `Send + Sync` and outlives the rule text.

use crate::diag::{Code, Diagnostic, Errors};
use crate::directory::{ColId, ColumnKind, Directory};
use crate::regex::{Anchoring, DotnetRegex};
use crate::rules::check::UNDOCUMENTED_OPERATOR;
use crate::rules::print::clause_text;
use crate::rules::resolve::stage_view;
use crate::rules::{Clause, Filter, FilterKind, Operator, OperatorName, RuleSet};
use crate::schema::{self, AttrType};
use crate::source::{SourceId, Span};
use crate::value::{boolean_rendering, contains, parse_bool, parse_int};
use std::collections::HashMap;

/// Options that change evaluation.
#[derive(Debug, Clone, Copy, Default)]
pub struct EvalOptions {
    /// S7: `Partial` is .NET `Regex.IsMatch` (a match anywhere, Entra's behaviour as far as
    /// it is known); `Full` requires the whole value to match.
    pub anchoring: Anchoring,
}

/// Index of a deduplicated clause in a [`Plan`].
pub type ClauseId = usize;
/// Index of a filter in a [`Plan`].
pub type FilterId = usize;
/// Index of a stage in a [`Plan`].
pub type StageId = usize;

/// The result of one clause for one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The clause holds.
    True,
    /// The clause does not hold.
    False,
    /// False because the value could not be read as the operator needs (S4, S18).
    Unreadable,
    /// False because the backtracking regex engine gave up (S19).
    Aborted,
}

impl Verdict {
    /// True only for [`Verdict::True`].
    #[inline]
    pub fn holds(self) -> bool {
        self == Verdict::True
    }
}

/// The pre-processed operand of a clause.
#[derive(Debug, Clone)]
pub(crate) enum Test {
    Equals(String),
    NotEquals(String),
    Includes(String),
    EndsWith(String),
    Regex(Box<DotnetRegex>),
    NotRegex(Box<DotnetRegex>),
    Greater(i64),
    GreaterOrEqual(i64),
    IsTrue,
    IsFalse,
    IsNull,
    IsNotNull,
}

/// One deduplicated clause, ready to run.
#[derive(Debug, Clone)]
pub struct CompiledClause {
    /// The attribute as written in the rule.
    pub attribute: String,
    /// The column it resolved to; `None` when absent from the whole export (S2).
    pub column: Option<ColId>,
    /// The operator.
    pub operator: Operator,
    /// The value as written (`None` for unary operators).
    pub value: Option<String>,
    /// `department EQUALS "IT"`, for explanations.
    pub text: String,
    /// Where it was first written.
    pub origin: (SourceId, Span),
    /// String operators on a Boolean attribute see `True`/`False` (S4).
    pub(crate) boolean_text: bool,
    pub(crate) test: Test,
}

/// Tests simple enough to run in a specialised loop (no Boolean rendering, no parsing).
pub(crate) enum FastTest<'a> {
    Equals(&'a str),
    NotEquals(&'a str),
    Includes(&'a str),
    EndsWith(&'a str),
    IsNull,
    IsNotNull,
}

impl CompiledClause {
    /// The test as a [`FastTest`], when it is one.
    pub(crate) fn fast_test(&self) -> Option<FastTest<'_>> {
        if self.boolean_text {
            return None;
        }
        Some(match &self.test {
            Test::Equals(t) => FastTest::Equals(t),
            Test::NotEquals(t) => FastTest::NotEquals(t),
            Test::Includes(t) => FastTest::Includes(t),
            Test::EndsWith(t) => FastTest::EndsWith(t),
            Test::IsNull => FastTest::IsNull,
            Test::IsNotNull => FastTest::IsNotNull,
            _ => return None,
        })
    }

    /// True when one evaluation costs a regex engine call: worth remembering per value.
    pub(crate) fn is_costly(&self) -> bool {
        matches!(&self.test, Test::Regex(re) | Test::NotRegex(re) if !re.is_literal())
    }

    /// Evaluates the clause on one value (`None` = null, S1).
    #[inline]
    pub fn eval(&self, value: Option<&str>) -> Verdict {
        let v = match (&self.test, value) {
            (Test::IsNull, v) => {
                return if v.is_none() {
                    Verdict::True
                } else {
                    Verdict::False
                };
            }
            (Test::IsNotNull, v) => {
                return if v.is_some() {
                    Verdict::True
                } else {
                    Verdict::False
                };
            }
            // Every other operator is false on null (SF "null / empty"), including
            // NOT EQUALS (S6) and NOT REGEX MATCH (S8).
            (_, None) => return Verdict::False,
            (_, Some(v)) => v,
        };
        let v = if self.boolean_text {
            boolean_rendering(v)
        } else {
            v
        };
        let b = match &self.test {
            Test::Equals(t) => v == t,
            Test::NotEquals(t) => v != t,
            Test::Includes(t) => contains(v, t),
            Test::EndsWith(t) => v.ends_with(t.as_str()),
            Test::Regex(re) => match re.is_match(v) {
                Ok(m) => m,
                Err(_) => return Verdict::Aborted,
            },
            Test::NotRegex(re) => match re.is_match(v) {
                Ok(m) => !m,
                Err(_) => return Verdict::Aborted,
            },
            Test::Greater(n) => match parse_int(v) {
                Some(x) => x > *n,
                None => return Verdict::Unreadable,
            },
            Test::GreaterOrEqual(n) => match parse_int(v) {
                Some(x) => x >= *n,
                None => return Verdict::Unreadable,
            },
            Test::IsTrue => match parse_bool(v) {
                Some(x) => x,
                None => return Verdict::Unreadable,
            },
            Test::IsFalse => match parse_bool(v) {
                Some(x) => !x,
                None => return Verdict::Unreadable,
            },
            Test::IsNull | Test::IsNotNull => false,
        };
        if b { Verdict::True } else { Verdict::False }
    }
}

/// A filter: its clauses are ANDed (S22).
#[derive(Debug, Clone)]
pub struct CompiledFilter {
    /// Title.
    pub name: String,
    /// Collection (S23).
    pub kind: FilterKind,
    /// Clauses in written order.
    pub clauses: Vec<ClauseId>,
    /// Where it was written.
    pub origin: (SourceId, Span),
}

/// One stage of one app, with its effective filters.
#[derive(Debug, Clone)]
pub struct CompiledStage {
    /// Index of the app in the rule set.
    pub app: usize,
    /// App name.
    pub app_name: String,
    /// Index of the stage within the app.
    pub index: usize,
    /// Stage name.
    pub name: String,
    /// `groups` filters, ORed; empty = every candidate passes (S22).
    pub scoping: Vec<FilterId>,
    /// `inputFilterGroups` and (experimental) `categoryFilterGroups` (S23).
    pub input: Vec<FilterId>,
}

/// Rules compiled against a directory's columns.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Deduplicated clauses.
    pub clauses: Vec<CompiledClause>,
    /// Filters (each stage's effective filters; shared filters appear once).
    pub filters: Vec<CompiledFilter>,
    /// Stages of all apps, app by app in rollout order.
    pub stages: Vec<CompiledStage>,
    /// Warnings found while compiling (S2 absent attributes, S3 case-insensitive names).
    pub diagnostics: Vec<Diagnostic>,
    /// Options used.
    pub options: EvalOptions,
}

impl Plan {
    /// The stages of app `app` (by index in the rule set).
    pub fn stages_of(&self, app: usize) -> impl Iterator<Item = (StageId, &CompiledStage)> {
        self.stages
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.app == app)
    }

    /// Finds a stage by app and stage name.
    pub fn find_stage(&self, app: &str, stage: &str) -> Option<StageId> {
        self.stages
            .iter()
            .position(|s| s.app_name == app && s.name == stage)
    }
}

/// Compiles every stage of every app. Errors (S17 operators, invalid regexes, unknown
/// operators, missing values) are returned all together; run the checker first for
/// better messages.
pub fn compile(rules: &RuleSet, dir: &Directory, options: EvalOptions) -> Result<Plan, Errors> {
    let mut c = Compiler {
        dir,
        options,
        clauses: Vec::new(),
        clause_ids: HashMap::new(),
        filters: Vec::new(),
        filter_ids: HashMap::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
        reported: HashMap::new(),
    };
    let mut stages = Vec::new();
    for (a, app) in rules.apps.iter().enumerate() {
        for i in 0..app.stages.len() {
            let view = stage_view(app, i);
            let scoping = view.scoping.iter().filter_map(|f| c.filter(f)).collect();
            let input = view
                .input
                .iter()
                .chain(view.category.iter())
                .filter_map(|f| c.filter(f))
                .collect();
            stages.push(CompiledStage {
                app: a,
                app_name: app.name.node.clone(),
                index: i,
                name: view.stage.name.node.clone(),
                scoping,
                input,
            });
        }
    }
    if !c.errors.is_empty() {
        return Err(Errors::from(c.errors));
    }
    Ok(Plan {
        clauses: c.clauses,
        filters: c.filters,
        stages,
        diagnostics: c.warnings,
        options,
    })
}

struct Compiler<'d> {
    dir: &'d Directory,
    options: EvalOptions,
    clauses: Vec<CompiledClause>,
    clause_ids: HashMap<(Option<ColId>, String, Operator, Option<String>), ClauseId>,
    filters: Vec<CompiledFilter>,
    filter_ids: HashMap<(SourceId, usize, usize), FilterId>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    reported: HashMap<String, ()>,
}

impl Compiler<'_> {
    fn filter(&mut self, f: &Filter) -> Option<FilterId> {
        let key = (f.source, f.span.start, f.span.end);
        if let Some(&id) = self.filter_ids.get(&key) {
            return Some(id);
        }
        let mut clauses = Vec::with_capacity(f.clauses.len());
        for c in &f.clauses {
            if let Some(id) = self.clause(c) {
                clauses.push(id);
            }
        }
        let id = self.filters.len();
        self.filters.push(CompiledFilter {
            name: f.name.node.clone(),
            kind: f.kind,
            clauses,
            origin: (f.source, f.span),
        });
        self.filter_ids.insert(key, id);
        Some(id)
    }

    fn resolve(&mut self, c: &Clause) -> Option<ColId> {
        let name = c.attribute.node.as_str();
        if let Some(col) = self.dir.column(name) {
            return self.usable(c, col);
        }
        if let Some(col) = self.dir.column_ignore_case(name) {
            let actual = self.dir.columns()[col].name.clone();
            if self.reported.insert(format!("case:{name}"), ()).is_none() {
                self.warnings.push(
                    Diagnostic::warning(
                        Code::AttributeCase,
                        format!("attribute `{name}` is not in the export; using column `{actual}`, which differs only in case"),
                    )
                    .with_rule("S3")
                    .with_label(c.source, c.attribute.span, "")
                    .with_help(format!("Entra matches names exactly: write `{actual}` if that is the attribute you mean")),
                );
            }
            return self.usable(c, col);
        }
        // Not loaded: either absent from the whole export (S2), or present in the export's
        // header but not selected when reading (a caller mistake we still handle safely).
        let present = self
            .dir
            .available()
            .keys()
            .any(|k| k.eq_ignore_ascii_case(name));
        if !present && self.reported.insert(format!("absent:{name}"), ()).is_none() {
            let mut d = Diagnostic::warning(
                Code::AbsentAttribute,
                format!("`{name}` is not in the directory export, so it is null for every user"),
            )
            .with_rule("S2")
            .with_label(c.source, c.attribute.span, "absent from the export")
            .with_help(
                "Graph and Get-MgUser return only default properties unless asked: export with `$select=...` or `-Property ...` naming this attribute",
            );
            if let Some(help) = crate::directory::hints::absent_attribute_help(self.dir, name) {
                d = d.with_help(help);
            }
            self.warnings.push(d);
        }
        None
    }

    fn usable(&mut self, c: &Clause, col: ColId) -> Option<ColId> {
        if self.dir.columns()[col].kind == ColumnKind::List {
            self.errors.push(
                Diagnostic::error(
                    Code::UnsupportedAttribute,
                    format!("`{}` holds several values per user", c.attribute.node),
                )
                .with_rule("S20")
                .with_label(c.source, c.attribute.span, "multi-valued")
                .with_help("filtering is not supported for multi-valued attributes"),
            );
            return None;
        }
        Some(col)
    }

    fn clause(&mut self, c: &Clause) -> Option<ClauseId> {
        let op = match &c.operator.node {
            OperatorName::Known(op) => *op,
            OperatorName::Unknown(t) => {
                self.errors.push(
                    Diagnostic::error(Code::UnknownOperator, format!("unknown operator `{t}`"))
                        .with_label(c.source, c.operator.span, "not an operator")
                        .with_help("run `scopesim check` for suggestions"),
                );
                return None;
            }
        };
        if op.is_undocumented() {
            self.errors.push(
                Diagnostic::error(
                    UNDOCUMENTED_OPERATOR,
                    format!("`{}` has no documented meaning, so scopesim will not evaluate this rule set", op.canonical()),
                )
                .with_rule("S17")
                .with_label(c.source, c.operator.span, "semantics undocumented")
                .with_help("rewrite the clause with `Includes`, `EQUALS` or `REGEX MATCH`"),
            );
            return None;
        }
        let info = schema::info(&c.attribute.node);
        if let Some(why) = info.unsupported {
            self.errors.push(
                Diagnostic::error(
                    Code::UnsupportedAttribute,
                    format!("`{}` cannot be used in a scoping filter", c.attribute.node),
                )
                .with_rule("S20")
                .with_label(c.source, c.attribute.span, "not supported by Entra")
                .with_help(why),
            );
            return None;
        }
        let value = c.values.first().map(|v| v.text.clone());
        if !op.is_unary() && (value.is_none() || c.values.len() > 1) {
            self.errors.push(
                Diagnostic::error(
                    Code::MissingValue,
                    format!("`{}` needs exactly one value", op.canonical()),
                )
                .with_label(c.source, c.operator.span, "")
                .with_help("run `scopesim check` for details"),
            );
            return None;
        }
        let col = self.resolve(c);
        let key = (col, c.attribute.node.clone(), op, value.clone());
        if let Some(&id) = self.clause_ids.get(&key) {
            return Some(id);
        }
        let v = value.clone().unwrap_or_default();
        let regex = |this: &mut Self| -> Option<Box<DotnetRegex>> {
            match DotnetRegex::new(&v, this.options.anchoring) {
                Ok(re) => Some(Box::new(re)),
                Err(e) => {
                    let span = c
                        .values
                        .first()
                        .map_or(c.span, |val| val.source_span(e.span.clone()));
                    let code = if e.dotnet_accepts {
                        Code::RegexNotSimulated
                    } else {
                        Code::InvalidRegex
                    };
                    let mut d = Diagnostic::error(code, e.message.clone())
                        .with_rule("S19")
                        .with_label(c.source, span, "here");
                    if let Some(help) = &e.help {
                        d = d.with_help(help.clone());
                    }
                    this.errors.push(d);
                    None
                }
            }
        };
        let int = |this: &mut Self| -> Option<i64> {
            let n = parse_int(&v);
            if n.is_some() && !super::warnings::canonical_int(&v) {
                // S18: read as Int64.Parse reads it, but Entra documents `[0,1,2,...]`.
                this.warnings.push(
                    Diagnostic::warning(
                        Code::NonCanonicalInteger,
                        format!("`{}` compares with `{v}`, which is read as {} (a sign, leading zeros or white space); Entra documents plain non-negative integers", op.canonical(), n.unwrap_or_default()),
                    )
                    .with_rule("S18")
                    .with_label(
                        c.source,
                        c.values.first().map_or(c.span, |x| x.span),
                        "not a plain integer",
                    )
                    .with_help(format!("write \"{}\"", n.unwrap_or_default())),
                );
            }
            if n.is_none() {
                this.errors.push(
                    Diagnostic::error(
                        Code::NotAnInteger,
                        format!("`{}` needs a whole number, not `{v}`", op.canonical()),
                    )
                    .with_rule("S18")
                    .with_label(
                        c.source,
                        c.values.first().map_or(c.span, |x| x.span),
                        "not an integer",
                    ),
                );
            }
            n
        };
        let test = match op {
            Operator::Equals => Test::Equals(v.clone()),
            Operator::NotEquals => Test::NotEquals(v.clone()),
            Operator::Includes => Test::Includes(v.clone()),
            Operator::EndsWith => Test::EndsWith(v.clone()),
            Operator::RegexMatch => Test::Regex(regex(self)?),
            Operator::NotRegexMatch => Test::NotRegex(regex(self)?),
            Operator::GreaterThan => Test::Greater(int(self)?),
            Operator::GreaterThanOrEquals => Test::GreaterOrEqual(int(self)?),
            Operator::IsTrue => Test::IsTrue,
            Operator::IsFalse => Test::IsFalse,
            Operator::IsNull => Test::IsNull,
            Operator::IsNotNull => Test::IsNotNull,
            Operator::BitAnd | Operator::NotBitAnd => return None,
        };
        let boolean_text = info.ty == AttrType::Boolean
            && matches!(
                op,
                Operator::Equals
                    | Operator::NotEquals
                    | Operator::Includes
                    | Operator::EndsWith
                    | Operator::RegexMatch
                    | Operator::NotRegexMatch
            );
        let id = self.clauses.len();
        self.clauses.push(CompiledClause {
            attribute: c.attribute.node.clone(),
            column: col,
            operator: op,
            value,
            text: clause_text(c),
            origin: (c.source, c.span),
            boolean_text,
            test,
        });
        self.clause_ids.insert(key, id);
        Some(id)
    }
}

// The plan is shared by rayon workers.
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Plan>();
};
