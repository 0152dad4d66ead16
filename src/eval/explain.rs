//! Why a user is in or out of scope: the filter that matched, or each filter's failing
//! clause with the user's actual value.
//!
//! Entra's on-demand provisioning shows each scoping filter and clause for one user (S29);
//! an administrator reading a report of thousands needs the same answer in one line per
//! user. Both come from here, computed from the clause bits already evaluated (for report
//! reasons) or by re-running the clauses of one user (for full traces).

use super::compile::{ClauseId, FilterId, Plan, StageId, Verdict};
use super::run::Outcomes;
use crate::directory::Directory;
use crate::rules::FilterKind;
use serde::Serialize;

/// One clause's result for one user.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseTrace {
    /// Clause id in the plan.
    pub clause: ClauseId,
    /// `department EQUALS "IT"`.
    pub text: String,
    /// The attribute.
    pub attribute: String,
    /// The user's value (`None` = null).
    pub actual: Option<String>,
    /// The result.
    pub verdict: VerdictName,
}

/// Serializable verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VerdictName {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// False: unreadable value.
    Unreadable,
    /// False: regex gave up.
    Aborted,
}

impl From<Verdict> for VerdictName {
    fn from(v: Verdict) -> VerdictName {
        match v {
            Verdict::True => VerdictName::True,
            Verdict::False => VerdictName::False,
            Verdict::Unreadable => VerdictName::Unreadable,
            Verdict::Aborted => VerdictName::Aborted,
        }
    }
}

/// One filter's result for one user.
#[derive(Debug, Clone, Serialize)]
pub struct FilterTrace {
    /// Filter id in the plan.
    pub filter: FilterId,
    /// Title.
    pub name: String,
    /// Collection.
    pub kind: FilterKind,
    /// All clauses held.
    pub matched: bool,
    /// Every clause, in order (Entra evaluates each).
    pub clauses: Vec<ClauseTrace>,
}

/// A user's scoping result at one stage.
#[derive(Debug, Clone, Serialize)]
pub struct StageTrace {
    /// Stage id.
    pub stage: StageId,
    /// Scoping filters (`groups`).
    pub scoping: Vec<FilterTrace>,
    /// Input and category filters.
    pub input: Vec<FilterTrace>,
    /// Passes the scoping filters (S22).
    pub passes_scoping: bool,
    /// Passes input filters (S23).
    pub passes_input: bool,
}

/// Evaluates every filter and clause of `stage` for user `row`.
pub fn trace(plan: &Plan, dir: &Directory, row: usize, stage: StageId) -> StageTrace {
    let s = &plan.stages[stage];
    let filter_trace = |f: FilterId| -> FilterTrace {
        let filter = &plan.filters[f];
        let clauses: Vec<ClauseTrace> = filter
            .clauses
            .iter()
            .map(|&c| {
                let clause = &plan.clauses[c];
                let actual = clause.column.and_then(|col| dir.value(row, col));
                ClauseTrace {
                    clause: c,
                    text: clause.text.clone(),
                    attribute: clause.attribute.clone(),
                    actual: actual.map(str::to_string),
                    verdict: clause.eval(actual).into(),
                }
            })
            .collect();
        FilterTrace {
            filter: f,
            name: filter.name.clone(),
            kind: filter.kind,
            matched: clauses.iter().all(|c| c.verdict == VerdictName::True),
            clauses,
        }
    };
    let scoping: Vec<FilterTrace> = s.scoping.iter().map(|&f| filter_trace(f)).collect();
    let input: Vec<FilterTrace> = s.input.iter().map(|&f| filter_trace(f)).collect();
    StageTrace {
        stage,
        passes_scoping: scoping.is_empty() || scoping.iter().any(|f| f.matched),
        passes_input: input.is_empty() || input.iter().any(|f| f.matched),
        scoping,
        input,
    }
}

/// A value for messages: `"Sales"`, or `null`.
pub fn show_value(v: Option<&str>) -> String {
    match v {
        Some(v) => format!("{v:?}"),
        None => "null".to_string(),
    }
}

/// Why a clause is false for a value, in words.
pub fn failure_note(plan: &Plan, clause: ClauseId, actual: Option<&str>) -> String {
    let c = &plan.clauses[clause];
    let shown = show_value(actual);
    match c.eval(actual) {
        Verdict::Unreadable => {
            let what = if c.operator.is_integer() {
                "not an integer"
            } else {
                "not a Boolean"
            };
            format!("{} is {shown}, {what}", c.attribute)
        }
        Verdict::Aborted => format!(
            "{} is {shown}; the regex gave up (backtracking limit)",
            c.attribute
        ),
        _ if c.column.is_none() => format!("{} is absent from the export", c.attribute),
        _ => format!("{} is {shown}", c.attribute),
    }
}

/// A one-line reason for a user's scoping result at a stage, from evaluated outcomes:
/// the first matching filter, or each filter's first failing clause with the value.
pub fn scope_reason(
    plan: &Plan,
    outcomes: &Outcomes,
    dir: &Directory,
    row: usize,
    stage: StageId,
) -> String {
    let s = &plan.stages[stage];
    if !s.input.is_empty() && !outcomes.input(stage).get(row) {
        return format!(
            "input filter not passed: {}",
            failures(plan, outcomes, dir, row, &s.input)
        );
    }
    if s.scoping.is_empty() {
        return "no scoping filter: every candidate is in scope".to_string();
    }
    if let Some(&f) = s.scoping.iter().find(|&&f| outcomes.filter(f).get(row)) {
        return format!("matched filter {:?}", plan.filters[f].name);
    }
    failures(plan, outcomes, dir, row, &s.scoping)
}

fn failures(
    plan: &Plan,
    outcomes: &Outcomes,
    dir: &Directory,
    row: usize,
    filters: &[FilterId],
) -> String {
    let parts: Vec<String> = filters
        .iter()
        .map(|&f| {
            let filter = &plan.filters[f];
            match filter
                .clauses
                .iter()
                .find(|&&c| !outcomes.clause(c).get(row))
            {
                Some(&c) => {
                    let clause = &plan.clauses[c];
                    let actual = clause.column.and_then(|col| dir.value(row, col));
                    format!(
                        "filter {:?}: {} is false ({})",
                        filter.name,
                        clause.text,
                        failure_note(plan, c, actual)
                    )
                }
                None => format!("filter {:?} matched", filter.name),
            }
        })
        .collect();
    parts.join("; ")
}
