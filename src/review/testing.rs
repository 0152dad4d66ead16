//! `scopesim test`: expectations about who is in scope, as data, checked in CI.
//!
//! In the spirit of `opa test` and `cedar run-tests`: a TOML file names the rules, lists
//! users (written inline, or real users of a directory export by UPN or objectId) and what
//! the team expects for each at each app and stage (`in_scope`, `action`, the filter that
//! matches). Real users run through the same pipeline as `plan` on the whole directory
//! (so assignments, nested groups and thresholds count); inline users run on a directory
//! of their own, assigned to the apps they name. A failure shows the stage's filters and
//! clauses with the user's values, the way `explain` does; coverage says which filters
//! were seen both matching and not, and which clauses both true and false, so a suite
//! that never exercises a clause is visible. The file is parsed with spans, so every
//! mistake in it is reported at its line and column.

use super::plural;
use crate::diag::{Code, Diagnostic, Errors, FileLocation};
use crate::directory::assignments::{
    Assignment, Assignments, PrincipalType, TargetAccount, TargetState,
};
use crate::directory::{Directory, from_rows};
use crate::eval::explain::{FilterTrace, trace};
use crate::eval::{EvalOptions, FilterId, Outcomes, Plan, StageId, compile, evaluate};
use crate::regex::Anchoring;
use crate::report::explain::find_user;
use crate::report::plan::ReportContext;
use crate::rollout::{Action, Candidacy, Rollout, RolloutInputs, RolloutOptions, simulate};
use crate::rules::load::LoadedRules;
use crate::rules::{RuleSet, ScopeMode, Spanned};
use crate::source::{SourceId, Sources, Span};
use comfy_table::Cell;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------
// The file

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    rules: toml::Spanned<String>,
    #[serde(default)]
    directory: Option<toml::Spanned<Paths>>,
    #[serde(default)]
    assignments: Option<toml::Spanned<String>>,
    #[serde(default)]
    group_members: Option<toml::Spanned<Paths>>,
    #[serde(default)]
    regex_anchoring: Option<toml::Spanned<String>>,
    #[serde(default, rename = "case")]
    cases: Vec<CaseSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Paths {
    One(String),
    Many(Vec<String>),
}

impl Paths {
    fn list(&self) -> Vec<String> {
        match self {
            Paths::One(s) => vec![s.clone()],
            Paths::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseSpec {
    name: toml::Spanned<String>,
    #[serde(default)]
    user: Option<toml::Spanned<BTreeMap<String, toml::Spanned<toml::Value>>>>,
    #[serde(default)]
    user_ref: Option<toml::Spanned<String>>,
    #[serde(default)]
    assigned_to: Option<Vec<toml::Spanned<String>>>,
    #[serde(default)]
    managed_in: Option<Vec<toml::Spanned<String>>>,
    expect: Vec<toml::Spanned<ExpectSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectSpec {
    app: toml::Spanned<String>,
    #[serde(default)]
    stage: Option<toml::Spanned<String>>,
    #[serde(default)]
    in_scope: Option<bool>,
    #[serde(default)]
    action: Option<toml::Spanned<String>>,
    #[serde(default)]
    filter: Option<toml::Spanned<String>>,
}

/// A test file, read and validated.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The file as given.
    pub path: PathBuf,
    /// The file's text (one source), for diagnostics.
    pub sources: Sources,
    /// Its id in `sources`.
    pub source: SourceId,
    /// The rules file, relative to the test file.
    pub rules: Spanned<PathBuf>,
    /// Directory exports for `user_ref` cases.
    pub directory: Vec<PathBuf>,
    /// Assignments for the directory users.
    pub assignments: Option<PathBuf>,
    /// Group membership for the directory users.
    pub group_members: Vec<PathBuf>,
    /// `regex_anchoring`, when set.
    pub anchoring: Option<Anchoring>,
    /// The cases, in file order.
    pub cases: Vec<Case>,
}

/// One test case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Its name, where it is written.
    pub name: Spanned<String>,
    /// The user under test.
    pub user: TestUser,
    /// For inline users: the apps they are assigned to (`None`: every app).
    pub assigned_to: Option<Vec<Spanned<String>>>,
    /// For inline users: the apps that already have an account for them.
    pub managed_in: Vec<Spanned<String>>,
    /// What is expected.
    pub expect: Vec<Expectation>,
}

/// Who a case is about.
#[derive(Debug, Clone)]
pub enum TestUser {
    /// Attributes written in the test file (`objectId` defaults to `case-N`).
    Inline(Vec<(String, String)>),
    /// A user of the directory, by UPN or objectId.
    Ref(Spanned<String>),
}

/// One expectation of a case.
#[derive(Debug, Clone)]
pub struct Expectation {
    /// The whole `{ app = ..., ... }`.
    pub span: Span,
    /// App name.
    pub app: Spanned<String>,
    /// Stage name (may be left out for an app with one stage).
    pub stage: Option<Spanned<String>>,
    /// Expected scope.
    pub in_scope: Option<bool>,
    /// Expected action.
    pub action: Option<Action>,
    /// Expected matching scoping filter.
    pub filter: Option<String>,
}

/// A test file that cannot be used, with the text its diagnostics point into.
#[derive(Debug, Clone)]
pub struct SuiteError {
    /// The test file's text (empty when it could not be read).
    pub sources: Sources,
    /// What is wrong, all at once.
    pub diagnostics: Vec<Diagnostic>,
}

const SHAPE_HELP: &str = "a test file has `rules = \"...\"` and `[[case]]` tables with `name`, `user = { attribute = \"value\", ... }` or `user_ref = \"upn\"`, and `expect = [ { app = \"...\", stage = \"...\", in_scope = true, action = \"create\" } ]`; see docs/review-tools.md";

fn action_named(s: &str) -> Option<Action> {
    [
        Action::None,
        Action::Create,
        Action::Update,
        Action::Disable,
        Action::Delete,
        Action::Skip,
    ]
    .into_iter()
    .find(|a| a.as_str().eq_ignore_ascii_case(s.trim()))
}

fn span_of<T>(s: &toml::Spanned<T>) -> Span {
    let r = s.span();
    Span::new(r.start, r.end)
}

fn spanned(s: &toml::Spanned<String>) -> Spanned<String> {
    Spanned::new(s.get_ref().clone(), span_of(s))
}

/// Reads and validates a test file. Paths in it are relative to the file.
pub fn load_suite(path: &Path) -> Result<Suite, SuiteError> {
    let shown = path.display().to_string();
    let text = match crate::rules::load::read_text(path) {
        Ok(t) => t,
        Err(d) => {
            return Err(SuiteError {
                sources: Sources::new(),
                diagnostics: vec![d],
            });
        }
    };
    parse_suite(&shown, &text, path.parent().unwrap_or(Path::new("")))
}

/// Parses and validates a test file's text; `base` is the folder paths are relative to.
pub fn parse_suite(name: &str, text: &str, base: &Path) -> Result<Suite, SuiteError> {
    let mut sources = Sources::new();
    let id = sources.add(name, Some(Path::new(name)), text);
    let fail = |sources: Sources, diagnostics: Vec<Diagnostic>| SuiteError {
        sources,
        diagnostics,
    };
    let spec: FileSpec = match toml::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            let message = e.message().lines().next().unwrap_or("").trim().to_string();
            let mut d = Diagnostic::error(Code::TestFile, format!("invalid test file: {message}"))
                .with_help(SHAPE_HELP);
            match e.span() {
                Some(r) => d = d.with_label(id, Span::new(r.start, r.end), "here"),
                None => d = d.at(FileLocation::file(name)),
            }
            return Err(fail(sources, vec![d]));
        }
    };
    let mut errors = Vec::new();
    let rel = |p: &str| -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            lexical_join(base, p)
        }
    };
    let anchoring = match &spec.regex_anchoring {
        None => None,
        Some(s) => match s.get_ref().as_str() {
            "partial" => Some(Anchoring::Partial),
            "full" => Some(Anchoring::Full),
            other => {
                errors.push(
                    Diagnostic::error(
                        Code::TestFile,
                        format!("unknown regex anchoring `{other}`"),
                    )
                    .with_label(id, span_of(s), "not `partial` or `full`")
                    .with_help("write `regex_anchoring = \"partial\"` (Entra's behaviour) or `\"full\"`"),
                );
                None
            }
        },
    };
    let directory: Vec<PathBuf> = spec
        .directory
        .as_ref()
        .map(|d| d.get_ref().list().iter().map(|p| rel(p)).collect())
        .unwrap_or_default();
    if spec.cases.is_empty() {
        errors.push(
            Diagnostic::error(Code::TestFile, "the test file has no `[[case]]`")
                .at(FileLocation::file(name))
                .with_help(SHAPE_HELP),
        );
    }
    let mut cases = Vec::new();
    for (i, c) in spec.cases.iter().enumerate() {
        let name_span = span_of(&c.name);
        let user = match (&c.user, &c.user_ref) {
            (Some(u), None) => {
                let mut attrs = Vec::new();
                for (k, v) in u.get_ref() {
                    let text = match v.get_ref() {
                        toml::Value::String(s) => s.clone(),
                        toml::Value::Boolean(b) => b.to_string(),
                        toml::Value::Integer(n) => n.to_string(),
                        toml::Value::Float(f) => f.to_string(),
                        toml::Value::Datetime(d) => d.to_string(),
                        toml::Value::Array(_) | toml::Value::Table(_) => {
                            errors.push(
                                Diagnostic::error(
                                    Code::TestFile,
                                    format!("the value of `{k}` must be text, not a list or a table"),
                                )
                                .with_label(id, span_of(v), "one value per attribute")
                                .with_help("scoping filters cannot use multi-valued attributes (S20): write the single value as a string"),
                            );
                            continue;
                        }
                    };
                    attrs.push((k.clone(), text));
                }
                if !attrs.iter().any(|(k, _)| k == "objectId") {
                    attrs.push(("objectId".to_string(), format!("case-{}", i + 1)));
                }
                TestUser::Inline(attrs)
            }
            (None, Some(r)) => {
                if directory.is_empty() {
                    errors.push(
                        Diagnostic::error(
                            Code::TestFile,
                            format!("case `{}` refers to a directory user, but the file names no directory", c.name.get_ref()),
                        )
                        .with_label(id, span_of(r), "needs a directory")
                        .with_help("add `directory = [\"users.csv\"]` at the top of the file (relative to it)"),
                    );
                }
                TestUser::Ref(spanned(r))
            }
            (Some(u), Some(_)) => {
                errors.push(
                    Diagnostic::error(
                        Code::TestFile,
                        format!("case `{}` has both `user` and `user_ref`", c.name.get_ref()),
                    )
                    .with_label(id, span_of(u), "one of the two")
                    .with_help("a case is about one user: write its attributes in `user`, or name a directory user in `user_ref`"),
                );
                continue;
            }
            (None, None) => {
                errors.push(
                    Diagnostic::error(
                        Code::TestFile,
                        format!("case `{}` has no user", c.name.get_ref()),
                    )
                    .with_label(id, name_span, "")
                    .with_help("add `user = { attribute = \"value\", ... }` or `user_ref = \"upn or objectId\"`"),
                );
                continue;
            }
        };
        if matches!(user, TestUser::Ref(_)) {
            for (key, list) in [
                ("assigned_to", &c.assigned_to),
                ("managed_in", &c.managed_in),
            ] {
                if let Some(first) = list.as_ref().and_then(|l| l.first()) {
                    errors.push(
                        Diagnostic::error(
                            Code::TestFile,
                            format!("`{key}` applies to inline users only"),
                        )
                        .with_label(id, span_of(first), "")
                        .with_help("a directory user's assignments come from the `assignments` and `group_members` files"),
                    );
                }
            }
        }
        if c.expect.is_empty() {
            errors.push(
                Diagnostic::error(
                    Code::TestFile,
                    format!("case `{}` expects nothing", c.name.get_ref()),
                )
                .with_label(id, name_span, "")
                .with_help(
                    "add `expect = [ { app = \"...\", stage = \"...\", in_scope = true } ]`",
                ),
            );
        }
        let mut expect = Vec::new();
        for e in &c.expect {
            let x = e.get_ref();
            let action = match &x.action {
                None => None,
                Some(a) => match action_named(a.get_ref()) {
                    Some(act) => Some(act),
                    None => {
                        errors.push(
                            Diagnostic::error(
                                Code::TestFile,
                                format!("unknown action `{}`", a.get_ref()),
                            )
                            .with_label(id, span_of(a), "not an action")
                            .with_help("actions are `create`, `update`, `disable`, `delete`, `skip` and `none`"),
                        );
                        continue;
                    }
                },
            };
            if x.in_scope.is_none() && action.is_none() && x.filter.is_none() {
                errors.push(
                    Diagnostic::error(Code::TestFile, "this expectation checks nothing")
                        .with_label(id, span_of(e), "")
                        .with_help("add `in_scope = true|false`, `action = \"...\"` or `filter = \"filter name\"`"),
                );
                continue;
            }
            expect.push(Expectation {
                span: span_of(e),
                app: spanned(&x.app),
                stage: x.stage.as_ref().map(spanned),
                in_scope: x.in_scope,
                action,
                filter: x.filter.as_ref().map(|f| f.get_ref().clone()),
            });
        }
        cases.push(Case {
            name: spanned(&c.name),
            user,
            assigned_to: c
                .assigned_to
                .as_ref()
                .map(|l| l.iter().map(spanned).collect()),
            managed_in: c
                .managed_in
                .as_ref()
                .map(|l| l.iter().map(spanned).collect())
                .unwrap_or_default(),
            expect,
        });
    }
    if !errors.is_empty() {
        return Err(fail(sources, errors));
    }
    Ok(Suite {
        path: PathBuf::from(name),
        rules: Spanned::new(rel(spec.rules.get_ref()), span_of(&spec.rules)),
        directory,
        assignments: spec.assignments.as_ref().map(|a| rel(a.get_ref())),
        group_members: spec
            .group_members
            .as_ref()
            .map(|g| g.get_ref().list().iter().map(|p| rel(p)).collect())
            .unwrap_or_default(),
        anchoring,
        cases,
        sources,
        source: id,
    })
}

/// `base/p` with `x/..` pairs removed, so that paths in messages read as written from the
/// current directory (`fixtures/rollout.scope`, not `fixtures/tests/../rollout.scope`).
fn lexical_join(base: &Path, p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in base.components().chain(p.components()) {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out.iter().collect()
}

// ---------------------------------------------------------------------------------------
// Running

/// Why a suite could not run.
#[derive(Debug, Clone)]
pub enum RunError {
    /// A mistake in the test file (render with the suite's sources).
    Suite(Vec<Diagnostic>),
    /// The rules cannot be evaluated (render with the rules' sources).
    Rules(Errors),
}

/// The directory users and their assignments.
#[derive(Debug, Clone, Copy)]
pub struct RealUsers<'a> {
    /// The directory export.
    pub dir: &'a Directory,
    /// Assignments and groups.
    pub inputs: RolloutInputs<'a>,
}

/// One expectation's result.
#[derive(Debug, Clone, Serialize)]
pub struct ExpectationResult {
    /// App.
    pub app: String,
    /// Stage.
    pub stage: String,
    /// All checks held.
    pub passed: bool,
    /// Expected scope, if checked.
    pub expected_in_scope: Option<bool>,
    /// Actual scope.
    pub in_scope: bool,
    /// Expected action, if checked.
    pub expected_action: Option<Action>,
    /// Actual action.
    pub action: Action,
    /// Expected matching filter, if checked.
    pub expected_filter: Option<String>,
    /// Scoping filters that match.
    pub matched_filters: Vec<String>,
    /// What differs, one line each.
    pub mismatches: Vec<String>,
    /// For failures: the stage's filters with the user's values, and why the action.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<FailureExplanation>,
}

/// What a failing expectation saw.
#[derive(Debug, Clone, Serialize)]
pub struct FailureExplanation {
    /// How the user is a candidate (S24).
    pub candidacy: Candidacy,
    /// Active (S25).
    pub active: bool,
    /// Scoping filters, each clause with the user's value.
    pub filters: Vec<FilterTrace>,
    /// Input and category filters.
    pub input_filters: Vec<FilterTrace>,
    /// The action's reason, in words.
    pub reason: String,
}

/// One case's result.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// Name.
    pub name: String,
    /// `file:line:column` of the case.
    pub location: String,
    /// The user (UPN or objectId).
    pub user: String,
    /// Every expectation held.
    pub passed: bool,
    /// Per expectation.
    pub expectations: Vec<ExpectationResult>,
}

/// Coverage of one clause of a filter.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseCoverage {
    /// The clause.
    pub text: String,
    /// `file:line:column`.
    pub location: String,
    /// Seen true for some test user.
    pub seen_true: bool,
    /// Seen false for some test user.
    pub seen_false: bool,
}

/// Coverage of one filter.
#[derive(Debug, Clone, Serialize)]
pub struct FilterCoverage {
    /// App.
    pub app: String,
    /// Filter name.
    pub filter: String,
    /// `file:line:column`.
    pub location: String,
    /// Seen matching some test user.
    pub seen_matched: bool,
    /// Seen not matching some test user.
    pub seen_unmatched: bool,
    /// Its clauses.
    pub clauses: Vec<ClauseCoverage>,
}

/// Coverage of the rules by the test users.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// Outcomes seen (each filter: matched, not matched; each clause: true, false).
    pub covered: usize,
    /// Outcomes in total.
    pub total: usize,
    /// `covered / total` in percent (100 when there is nothing to cover).
    pub percent: f64,
    /// Per filter, in file order.
    pub filters: Vec<FilterCoverage>,
}

/// The result of a suite.
#[derive(Debug, Clone, Serialize)]
pub struct TestReport {
    /// Per case, in file order.
    pub cases: Vec<CaseResult>,
    /// Cases passed.
    pub passed: usize,
    /// Cases failed.
    pub failed: usize,
    /// Coverage.
    pub coverage: Coverage,
}

impl TestReport {
    /// True when every case passed and coverage reaches `min_coverage` (percent).
    pub fn ok(&self, min_coverage: Option<f64>) -> bool {
        self.failed == 0 && min_coverage.is_none_or(|m| self.coverage.percent + 1e-9 >= m)
    }
}

/// One evaluated directory: the plan, its outcomes and the rollout.
struct Run<'a> {
    dir: &'a Directory,
    plan: Plan,
    outcomes: Outcomes,
    rollout: Rollout,
    /// Filter ids by where the filter is written.
    filter_ids: HashMap<(SourceId, usize, usize), FilterId>,
}

fn run_on<'a>(
    rules: &RuleSet,
    dir: &'a Directory,
    inputs: RolloutInputs<'_>,
    eval: EvalOptions,
) -> Result<Run<'a>, RunError> {
    let plan = compile(rules, dir, eval).map_err(RunError::Rules)?;
    let outcomes = evaluate(&plan, dir);
    let rollout = simulate(
        rules,
        &plan,
        &outcomes,
        dir,
        inputs,
        RolloutOptions::default(),
    )
    .map_err(RunError::Rules)?;
    let filter_ids = plan
        .filters
        .iter()
        .enumerate()
        .map(|(i, f)| ((f.origin.0, f.origin.1.start, f.origin.1.end), i))
        .collect();
    Ok(Run {
        dir,
        plan,
        outcomes,
        rollout,
        filter_ids,
    })
}

/// Which run and row a case's user is.
#[derive(Debug, Clone, Copy)]
enum Subject {
    Real(usize),
    Inline(usize),
}

/// Runs a suite against loaded rules. `real` is needed when a case has a `user_ref`.
pub fn run_suite(
    suite: &Suite,
    loaded: &LoadedRules,
    real: Option<RealUsers<'_>>,
    eval: EvalOptions,
) -> Result<TestReport, RunError> {
    let rules = &loaded.rules;
    let id = suite.source;
    let mut errors = Vec::new();
    // Names: apps, stages, assigned_to, managed_in.
    let app_names: Vec<&str> = rules.apps.iter().map(|a| a.name.node.as_str()).collect();
    let unknown_app = |name: &Spanned<String>| -> Diagnostic {
        let help = match crate::rules::parse::suggest_word(&name.node, &app_names) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("apps in the rules: {}", quoted(&app_names)),
        };
        Diagnostic::error(
            Code::UnknownApp,
            format!("no app `{}` in the rules", name.node),
        )
        .with_label(id, name.span, "unknown app")
        .with_help(help)
    };
    let mut targets: Vec<Vec<(usize, usize)>> = Vec::new(); // per case: (app, stage index)
    for case in &suite.cases {
        let mut t = Vec::new();
        for e in &case.expect {
            let Some(ai) = rules.apps.iter().position(|a| a.name.node == e.app.node) else {
                errors.push(unknown_app(&e.app));
                continue;
            };
            let app = &rules.apps[ai];
            let stage_names: Vec<&str> = app.stages.iter().map(|s| s.name.node.as_str()).collect();
            let si = match &e.stage {
                Some(s) => match app.stages.iter().position(|x| x.name.node == s.node) {
                    Some(si) => si,
                    None => {
                        let help = match crate::rules::parse::suggest_word(&s.node, &stage_names) {
                            Some(x) => format!("did you mean `{x}`?"),
                            None => {
                                format!("stages of `{}`: {}", app.name.node, quoted(&stage_names))
                            }
                        };
                        errors.push(
                            Diagnostic::error(
                                Code::UnknownStage,
                                format!("app `{}` has no stage `{}`", app.name.node, s.node),
                            )
                            .with_label(id, s.span, "unknown stage")
                            .with_help(help),
                        );
                        continue;
                    }
                },
                None if app.stages.len() == 1 => 0,
                None => {
                    errors.push(
                        Diagnostic::error(
                            Code::MissingStage,
                            format!(
                                "app `{}` has {} stages: say which one",
                                app.name.node,
                                app.stages.len()
                            ),
                        )
                        .with_label(id, e.span, "no `stage`")
                        .with_help(format!(
                            "add `stage = \"...\"`, one of {}",
                            quoted(&stage_names)
                        )),
                    );
                    continue;
                }
            };
            t.push((ai, si));
        }
        for name in case.assigned_to.iter().flatten().chain(&case.managed_in) {
            if !app_names.contains(&name.node.as_str()) {
                errors.push(unknown_app(name));
            }
        }
        targets.push(t);
    }
    // Directory users.
    let mut subjects: Vec<Subject> = Vec::new();
    let mut inline_rows: Vec<Vec<(String, String)>> = Vec::new();
    for case in &suite.cases {
        match &case.user {
            TestUser::Inline(attrs) => {
                subjects.push(Subject::Inline(inline_rows.len()));
                inline_rows.push(attrs.clone());
            }
            TestUser::Ref(key) => match real {
                Some(r) => match find_user(r.dir, &key.node) {
                    Ok(row) => subjects.push(Subject::Real(row)),
                    Err(close) => {
                        let help = if close.is_empty() {
                            "users are found by userPrincipalName or objectId".to_string()
                        } else {
                            format!(
                                "closest: {}",
                                quoted(&close.iter().map(String::as_str).collect::<Vec<_>>())
                            )
                        };
                        errors.push(
                            Diagnostic::error(
                                Code::UnknownUser,
                                format!("no user `{}` in the directory", key.node),
                            )
                            .with_label(id, key.span, "not found")
                            .with_help(help),
                        );
                        subjects.push(Subject::Real(0));
                    }
                },
                None => {
                    errors.push(
                        Diagnostic::error(
                            Code::NoDirectory,
                            format!("case `{}` needs a directory", case.name.node),
                        )
                        .with_label(id, key.span, "")
                        .with_help("name the directory export in the test file: `directory = [\"users.csv\"]`"),
                    );
                    subjects.push(Subject::Real(0));
                }
            },
        }
    }
    let has_refs = subjects.iter().any(|s| matches!(s, Subject::Real(_)));
    if let Some(r) = real {
        let assigned: Vec<&str> = rules
            .apps
            .iter()
            .filter(|a| a.scope_mode() == ScopeMode::Assigned)
            .map(|a| a.name.node.as_str())
            .collect();
        if has_refs && r.inputs.assignments.is_none() && !assigned.is_empty() {
            errors.push(
                Diagnostic::error(
                    Code::NoAssignments,
                    format!(
                        "{} only assigned users, but the test file names no assignments for its directory users",
                        if assigned.len() == 1 {
                            format!("{} syncs", quoted(&assigned))
                        } else {
                            format!("{} sync", quoted(&assigned))
                        }
                    ),
                )
                .with_rule("S24")
                .with_label(id, suite.rules.span, "these rules")
                .with_help("add `assignments = \"assignments.csv\"` (and `group_members = [...]` for group assignments) next to `directory`"),
            );
        }
    }
    if !errors.is_empty() {
        return Err(RunError::Suite(errors));
    }

    let real_run = match real {
        Some(r) if has_refs => Some(run_on(rules, r.dir, r.inputs, eval)?),
        _ => None,
    };
    let inline_dir = from_rows(
        inline_rows
            .iter()
            .map(|r| r.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
    );
    let (assignments, target_states) = inline_access(suite, rules, &inline_rows);
    let inline_run = if inline_rows.is_empty() {
        None
    } else {
        Some(run_on(
            rules,
            &inline_dir,
            RolloutInputs {
                assignments: Some(&assignments),
                group_members: None,
                target_states: &target_states,
            },
            eval,
        )?)
    };
    let run_of = |s: Subject| -> Option<(&Run<'_>, usize)> {
        match s {
            Subject::Real(r) => real_run.as_ref().map(|x| (x, r)),
            Subject::Inline(r) => inline_run.as_ref().map(|x| (x, r)),
        }
    };

    let mut cases = Vec::new();
    for ((case, subject), tgts) in suite.cases.iter().zip(&subjects).zip(&targets) {
        let Some((run, row)) = run_of(*subject) else {
            continue;
        };
        let mut results = Vec::new();
        for (e, &(ai, si)) in case.expect.iter().zip(tgts) {
            results.push(check_expectation(
                run,
                rules,
                row,
                ai,
                si,
                e,
                real.map(|r| r.inputs),
            ));
        }
        let loc = suite
            .sources
            .get(id)
            .map(|f| {
                let lc = f.line_col(case.name.span.start);
                format!("{}:{}:{}", f.name, lc.line, lc.column)
            })
            .unwrap_or_default();
        cases.push(CaseResult {
            name: case.name.node.clone(),
            location: loc,
            user: super::user_name(run.dir, row),
            passed: results.iter().all(|r| r.passed),
            expectations: results,
        });
    }
    let coverage = coverage(
        loaded,
        &suite.cases,
        &subjects,
        &targets,
        real_run.as_ref(),
        inline_run.as_ref(),
    );
    let passed = cases.iter().filter(|c| c.passed).count();
    Ok(TestReport {
        failed: cases.len() - passed,
        passed,
        cases,
        coverage,
    })
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Assignments and target states of the inline users: each is assigned directly to the
/// apps in its `assigned_to` (every app by default) and managed in its `managed_in`.
fn inline_access(
    suite: &Suite,
    rules: &RuleSet,
    rows: &[Vec<(String, String)>],
) -> (Assignments, Vec<TargetState>) {
    let mut items = Vec::new();
    let mut managed: BTreeMap<String, Vec<TargetAccount>> = BTreeMap::new();
    let inline_cases = suite
        .cases
        .iter()
        .filter(|c| matches!(c.user, TestUser::Inline(_)));
    for (case, attrs) in inline_cases.zip(rows) {
        let object_id = attrs
            .iter()
            .find(|(k, _)| k == "objectId")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        for app in &rules.apps {
            let assigned = case
                .assigned_to
                .as_ref()
                .is_none_or(|l| l.iter().any(|n| n.node == app.name.node));
            if assigned && app.scope_mode() == ScopeMode::Assigned {
                items.push(Assignment {
                    app: app.name.node.clone(),
                    principal_type: PrincipalType::User,
                    principal_id: object_id.clone(),
                    line: 0,
                });
            }
        }
        for app in &case.managed_in {
            managed
                .entry(app.node.clone())
                .or_default()
                .push(TargetAccount::managed_user(&object_id, Some(true)));
        }
    }
    let path = suite.path.display().to_string();
    let targets = managed
        .into_iter()
        .map(|(app, accounts)| TargetState::managed(&app, &path, accounts))
        .collect();
    (
        Assignments {
            items,
            inputs: Vec::new(),
        },
        targets,
    )
}

fn check_expectation(
    run: &Run<'_>,
    rules: &RuleSet,
    row: usize,
    app: usize,
    stage_index: usize,
    e: &Expectation,
    real_inputs: Option<RolloutInputs<'_>>,
) -> ExpectationResult {
    let app_name = rules.apps[app].name.node.clone();
    let stage_name = rules.apps[app].stages[stage_index].name.node.clone();
    let sid: Option<StageId> = run
        .plan
        .stages
        .iter()
        .position(|s| s.app == app && s.index == stage_index);
    let app_result = run.rollout.apps.iter().find(|a| a.index == app);
    let stage_result = app_result.and_then(|a| a.stages.iter().find(|s| Some(s.stage) == sid));
    let (Some(sid), Some(app_result), Some(sr)) = (sid, app_result, stage_result) else {
        return ExpectationResult {
            app: app_name,
            stage: stage_name,
            passed: false,
            expected_in_scope: e.in_scope,
            in_scope: false,
            expected_action: e.action,
            action: Action::None,
            expected_filter: e.filter.clone(),
            matched_filters: Vec::new(),
            mismatches: vec!["the stage was not evaluated".to_string()],
            explanation: None,
        };
    };
    let in_scope = sr.in_scope_users.get(row);
    let action = sr.action(row);
    let t = trace(&run.plan, run.dir, row, sid);
    let matched: Vec<String> = t
        .scoping
        .iter()
        .filter(|f| f.matched)
        .map(|f| f.name.clone())
        .collect();
    let mut mismatches = Vec::new();
    if let Some(x) = e.in_scope {
        if x != in_scope {
            mismatches.push(format!("in_scope: expected {x}, got {in_scope}"));
        }
    }
    if let Some(x) = e.action {
        if x != action {
            mismatches.push(format!(
                "action: expected {}, got {}",
                x.as_str(),
                action.as_str()
            ));
        }
    }
    if let Some(f) = &e.filter {
        if !matched.contains(f) {
            mismatches.push(if matched.is_empty() {
                format!("filter: expected {f:?} to match, but no scoping filter matches")
            } else {
                format!(
                    "filter: expected {f:?} to match, but only {} {}",
                    matched
                        .iter()
                        .map(|m| format!("{m:?}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if matched.len() == 1 {
                        "matches"
                    } else {
                        "match"
                    }
                )
            });
        }
    }
    let passed = mismatches.is_empty();
    let explanation = (!passed).then(|| {
        let ctx = ReportContext {
            plan: &run.plan,
            outcomes: &run.outcomes,
            dir: run.dir,
            rollout: &run.rollout,
            group_members: real_inputs.and_then(|i| i.group_members),
            app: None,
            stage: None,
        };
        FailureExplanation {
            candidacy: app_result.candidacy(row),
            active: run.rollout.active.get(row),
            reason: ctx.reason(app_result, sr, row),
            filters: t.scoping.clone(),
            input_filters: t.input.clone(),
        }
    });
    ExpectationResult {
        app: app_name,
        stage: stage_name,
        passed,
        expected_in_scope: e.in_scope,
        in_scope,
        expected_action: e.action,
        action,
        expected_filter: e.filter.clone(),
        matched_filters: matched,
        mismatches,
        explanation,
    }
}

/// Coverage of each written filter of each app by the users of the cases that expect
/// something of that app.
fn coverage(
    loaded: &LoadedRules,
    cases: &[Case],
    subjects: &[Subject],
    targets: &[Vec<(usize, usize)>],
    real: Option<&Run<'_>>,
    inline: Option<&Run<'_>>,
) -> Coverage {
    let rules = &loaded.rules;
    let location = |src: SourceId, span: Span| -> String {
        loaded
            .sources
            .get(src)
            .map(|f| {
                let lc = f.line_col(span.start);
                format!("{}:{}:{}", f.name, lc.line, lc.column)
            })
            .unwrap_or_default()
    };
    let mut filters = Vec::new();
    let (mut covered, mut total) = (0, 0);
    for (ai, app) in rules.apps.iter().enumerate() {
        let users: Vec<(&Run<'_>, usize)> = cases
            .iter()
            .zip(subjects)
            .zip(targets)
            .filter(|((_, _), t)| t.iter().any(|&(a, _)| a == ai))
            .filter_map(|((_, s), _)| match *s {
                Subject::Real(r) => real.map(|x| (x, r)),
                Subject::Inline(r) => inline.map(|x| (x, r)),
            })
            .collect();
        for stage in &app.stages {
            for f in stage.filters.iter() {
                let key = (f.source, f.span.start, f.span.end);
                let mut fc = FilterCoverage {
                    app: app.name.node.clone(),
                    filter: f.name.node.clone(),
                    location: location(f.source, f.name.span),
                    seen_matched: false,
                    seen_unmatched: false,
                    clauses: f
                        .clauses
                        .iter()
                        .map(|c| ClauseCoverage {
                            text: crate::rules::print::clause_text(c),
                            location: location(c.source, c.span),
                            seen_true: false,
                            seen_false: false,
                        })
                        .collect(),
                };
                for &(run, row) in &users {
                    let Some(&fid) = run.filter_ids.get(&key) else {
                        continue;
                    };
                    if run.outcomes.filter(fid).get(row) {
                        fc.seen_matched = true;
                    } else {
                        fc.seen_unmatched = true;
                    }
                    for (cc, &cid) in fc.clauses.iter_mut().zip(&run.plan.filters[fid].clauses) {
                        if run.outcomes.clause(cid).get(row) {
                            cc.seen_true = true;
                        } else {
                            cc.seen_false = true;
                        }
                    }
                }
                total += 2 + 2 * fc.clauses.len();
                covered += usize::from(fc.seen_matched) + usize::from(fc.seen_unmatched);
                covered += fc
                    .clauses
                    .iter()
                    .map(|c| usize::from(c.seen_true) + usize::from(c.seen_false))
                    .sum::<usize>();
                filters.push(fc);
            }
        }
    }
    Coverage {
        covered,
        total,
        percent: if total == 0 {
            100.0
        } else {
            covered as f64 * 100.0 / total as f64
        },
        filters,
    }
}

// ---------------------------------------------------------------------------------------
// Rendering

fn mark(ok: bool) -> &'static str {
    if ok { "✓" } else { "✗" }
}

/// The report as text: PASS/FAIL per case with explanations, coverage, totals.
pub fn render_text(report: &TestReport, min_coverage: Option<f64>, width: Option<u16>) -> String {
    let mut s = String::new();
    for c in &report.cases {
        let _ = writeln!(
            s,
            "{}  {}  ({}, {})",
            if c.passed { "PASS" } else { "FAIL" },
            c.name,
            c.user,
            c.location
        );
        for e in c.expectations.iter().filter(|e| !e.passed) {
            let _ = writeln!(s, "      {} / {}:", e.app, e.stage);
            for m in &e.mismatches {
                let _ = writeln!(s, "        {m}");
            }
            if let Some(x) = &e.explanation {
                render_explanation(&mut s, x);
            }
        }
    }
    let cov = &report.coverage;
    let _ = writeln!(
        s,
        "\nCoverage: {} of {} outcomes seen ({:.1}%){}",
        cov.covered,
        cov.total,
        cov.percent,
        match min_coverage {
            Some(m) if cov.percent + 1e-9 < m => format!(", below the minimum of {m}%"),
            Some(m) => format!(", minimum {m}%"),
            None => String::new(),
        }
    );
    if !cov.filters.is_empty() {
        let mut t = crate::output::table(width);
        t.set_header(vec![
            "Location",
            "App",
            "Filter / clause",
            "Matched / true",
            "Not matched / false",
        ]);
        for f in &cov.filters {
            t.add_row(vec![
                Cell::new(&f.location),
                Cell::new(&f.app),
                Cell::new(format!("filter {:?}", f.filter)),
                Cell::new(mark(f.seen_matched)),
                Cell::new(mark(f.seen_unmatched)),
            ]);
            for c in &f.clauses {
                t.add_row(vec![
                    Cell::new(&c.location),
                    Cell::new(""),
                    Cell::new(format!("  {}", c.text)),
                    Cell::new(mark(c.seen_true)),
                    Cell::new(mark(c.seen_false)),
                ]);
            }
        }
        let _ = writeln!(s, "{t}");
    }
    let _ = writeln!(
        s,
        "{}: {} passed, {} failed",
        plural(report.cases.len(), "case"),
        report.passed,
        report.failed
    );
    s
}

fn render_explanation(s: &mut String, x: &FailureExplanation) {
    let cand = match x.candidacy {
        Candidacy::Direct => "assigned directly",
        Candidacy::ViaGroup => "assigned through a group",
        Candidacy::NestedOnly => "member of a nested group only: not a candidate (S24)",
        Candidacy::SyncAll => "every user is a candidate (scope all)",
        Candidacy::NotAssigned => "not assigned: not a candidate (S24)",
    };
    let _ = writeln!(
        s,
        "        candidate: {cand}; active: {}",
        if x.active { "yes" } else { "no (S25)" }
    );
    if x.filters.is_empty() && x.input_filters.is_empty() {
        let _ = writeln!(s, "        no scoping filter: every candidate is in scope");
    }
    crate::report::explain::write_filter_traces(
        s,
        &x.filters,
        &x.input_filters,
        ("matches", "does not match"),
    );
    let _ = writeln!(s, "        why: {}", x.reason);
}

/// The report as JSON.
pub fn to_json(report: &TestReport, min_coverage: Option<f64>) -> serde_json::Value {
    let mut v = serde_json::to_value(report).unwrap_or(serde_json::Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("min_coverage".into(), serde_json::json!(min_coverage));
        o.insert("ok".into(), serde_json::json!(report.ok(min_coverage)));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Suite, SuiteError> {
        parse_suite("t.toml", text, Path::new("/base"))
    }

    fn first_error(text: &str) -> (String, usize, usize) {
        let e = parse(text).err().unwrap();
        let d = &e.diagnostics[0];
        let loc = d
            .labels
            .first()
            .map(|l| e.sources.get(l.source).unwrap().line_col(l.span.start));
        (
            d.message.clone(),
            loc.map_or(0, |l| l.line),
            loc.map_or(0, |l| l.column),
        )
    }

    #[test]
    fn a_valid_file_resolves_paths_and_defaults() {
        let s = parse(
            "rules = \"r.scope\"\ndirectory = \"u.csv\"\n[[case]]\nname = \"a\"\nuser = { department = \"IT\", accountEnabled = true, n = 5 }\nexpect = [ { app = \"A\", in_scope = true, action = \"CREATE\" } ]\n",
        )
        .unwrap();
        assert_eq!(s.rules.node, Path::new("/base/r.scope"));
        assert_eq!(s.directory, vec![PathBuf::from("/base/u.csv")]);
        let TestUser::Inline(attrs) = &s.cases[0].user else {
            panic!("inline user expected");
        };
        assert!(attrs.contains(&("accountEnabled".to_string(), "true".to_string())));
        assert!(attrs.contains(&("n".to_string(), "5".to_string())));
        assert!(attrs.contains(&("objectId".to_string(), "case-1".to_string())));
        assert_eq!(s.cases[0].expect[0].action, Some(Action::Create));
        assert!(s.cases[0].expect[0].stage.is_none());
    }

    #[test]
    fn relative_paths_are_joined_lexically() {
        let j = |b: &str, p: &str| lexical_join(Path::new(b), Path::new(p));
        assert_eq!(
            j("fixtures/tests", "../rollout.scope"),
            Path::new("fixtures/rollout.scope")
        );
        assert_eq!(j("", "./a.csv"), Path::new("a.csv"));
        assert_eq!(j("", "../a.csv"), Path::new("../a.csv"));
        assert_eq!(j("/x/y", "../../z"), Path::new("/z"));
    }

    #[test]
    fn toml_errors_have_line_and_column() {
        let (m, line, col) =
            first_error("rules = \"r.scope\"\n[[case]]\nname = \"a\"\nexpcet = []\n");
        assert!(m.contains("unknown field `expcet`"), "{m}");
        assert_eq!((line, col), (4, 1));
        let (m, line, _) = first_error("rules = \"r.scope\"\n[[case]\n");
        assert!(m.starts_with("invalid test file"), "{m}");
        assert_eq!(line, 2);
    }

    #[test]
    fn shape_mistakes_are_reported_where_they_are() {
        let (m, line, col) = first_error(
            "rules = \"r\"\n[[case]]\nname = \"a\"\nuser = { d = \"x\" }\nexpect = [ { app = \"A\", action = \"remove\" } ]\n",
        );
        assert_eq!(m, "unknown action `remove`");
        assert_eq!((line, col), (5, 34));
        let (m, ..) = first_error(
            "rules = \"r\"\n[[case]]\nname = \"a\"\nuser_ref = \"x@y\"\nexpect = [ { app = \"A\", in_scope = true } ]\n",
        );
        assert!(m.contains("names no directory"), "{m}");
        let (m, ..) = first_error(
            "rules = \"r\"\n[[case]]\nname = \"a\"\nuser = { d = \"x\" }\nexpect = [ { app = \"A\" } ]\n",
        );
        assert_eq!(m, "this expectation checks nothing");
        let (m, ..) = first_error(
            "rules = \"r\"\n[[case]]\nname = \"a\"\nuser = { d = [\"x\"] }\nexpect = [ { app = \"A\", in_scope = true } ]\n",
        );
        assert!(m.contains("must be text"), "{m}");
        let (m, ..) = first_error(
            "rules = \"r\"\n[[case]]\nname = \"a\"\nexpect = [ { app = \"A\", in_scope = true } ]\n",
        );
        assert!(m.contains("has no user"), "{m}");
    }
}
