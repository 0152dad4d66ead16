//! Running a suite: every case's user through the same pipeline as `plan`, and each
//! expectation checked against what the rollout decided.
//!
//! Directory users run on the whole export with its assignments and group members (so
//! nested groups, thresholds and the other users count, S24, S27); inline users run
//! together on a directory of their own, each assigned directly to the apps it names
//! (every app by default) and, with `managed_in`, already managed there. Both runs go
//! through [`crate::pipeline::evaluate_directory`], so a test verdict is the plan's
//! verdict. A failing expectation keeps what explains it: candidacy, activity, each
//! filter and clause with the user's value, and the action's reason in words.

use super::coverage::{Coverage, coverage};
use super::suite::{Expectation, Suite, TestUser};
use crate::diag::{Code, Diagnostic, Errors};
use crate::directory::assignments::{
    Assignment, Assignments, PrincipalType, TargetAccount, TargetState,
};
use crate::directory::{Directory, from_rows};
use crate::eval::explain::{FilterTrace, trace};
use crate::eval::{EvalOptions, FilterId, Outcomes, Plan, StageId};
use crate::pipeline::{Options, evaluate_directory};
use crate::rollout::reason::Reasons;
use crate::rollout::{Action, Candidacy, Rollout, RolloutInputs, RolloutOptions};
use crate::rules::load::LoadedRules;
use crate::rules::{RuleSet, ScopeMode, Spanned};
use crate::source::SourceId;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

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
pub(super) struct Run<'a> {
    /// The directory the users are in.
    pub(super) dir: &'a Directory,
    /// The rules compiled against it.
    pub(super) plan: Plan,
    /// Per-clause and per-filter results.
    pub(super) outcomes: Outcomes,
    /// What Entra does to each user at each stage.
    pub(super) rollout: Rollout,
    /// Filter ids by where the filter is written.
    pub(super) filter_ids: HashMap<(SourceId, usize, usize), FilterId>,
}

/// Runs the rules on `dir` through the pipeline, as `plan` would.
fn run_on<'a>(
    rules: &RuleSet,
    dir: &'a Directory,
    inputs: RolloutInputs<'_>,
    eval: EvalOptions,
) -> Result<Run<'a>, RunError> {
    let options = Options {
        eval,
        rollout: RolloutOptions::default(),
    };
    let evaluated = evaluate_directory(rules, dir, inputs, options).map_err(RunError::Rules)?;
    let filter_ids = evaluated
        .plan
        .filters
        .iter()
        .enumerate()
        .map(|(i, f)| ((f.origin.0, f.origin.1.start, f.origin.1.end), i))
        .collect();
    Ok(Run {
        dir,
        plan: evaluated.plan,
        outcomes: evaluated.outcomes,
        rollout: evaluated.rollout,
        filter_ids,
    })
}

/// Which run and row a case's user is.
#[derive(Debug, Clone, Copy)]
pub(super) enum Subject {
    /// A row of the directory export.
    Real(usize),
    /// A row of the inline users' directory.
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
                Some(r) => match r.dir.find_user(&key.node) {
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
            user: crate::review::user_name(run.dir, row),
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
        let reasons = Reasons {
            plan: &run.plan,
            outcomes: &run.outcomes,
            dir: run.dir,
            group_members: real_inputs.and_then(|i| i.group_members),
        };
        FailureExplanation {
            candidacy: app_result.candidacy(row),
            active: run.rollout.active.get(row),
            reason: reasons.reason(app_result, sr, row),
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
