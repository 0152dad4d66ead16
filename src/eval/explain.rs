//! Why a user is in or out of scope: the filter that matched, or each filter's failing
//! clause with the user's actual value.
//!
//! Entra's on-demand provisioning shows each scoping filter and clause for one user (S29);
//! an administrator reading a report of thousands needs the same answer in one line per
//! user. Both come from here, computed from the clause bits already evaluated (for report
//! reasons) or by re-running the clauses of one user (for full traces). The traces'
//! text form is here too, so `explain` and a failing `scopesim test` case print a
//! filter and its clauses the same way.

use super::compile::{ClauseId, FilterId, Plan, StageId, Verdict};
use super::run::Outcomes;
use crate::directory::Directory;
use crate::rules::{FilterKind, Operator};
use serde::Serialize;
use std::fmt::Write as _;

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
    let mut s = String::new();
    write_failure_note(&mut s, plan, clause, actual);
    s
}

fn write_failure_note(out: &mut String, plan: &Plan, clause: ClauseId, actual: Option<&str>) {
    let c = &plan.clauses[clause];
    out.push_str(&c.attribute);
    match (c.eval(actual), actual) {
        (Verdict::Unreadable, v) => {
            out.push_str(" is ");
            push_quoted(out, v.unwrap_or(""));
            out.push_str(if c.operator.is_integer() {
                ", not an integer"
            } else {
                ", not a Boolean"
            });
        }
        (Verdict::Aborted, v) => {
            out.push_str(" is ");
            push_quoted(out, v.unwrap_or(""));
            out.push_str(if c.operator == Operator::NotRegexMatch {
                "; the regex gave up (backtracking limit) and was assumed to match, so the clause is false"
            } else {
                "; the regex gave up (backtracking limit) and was assumed not to match, so the clause is false"
            });
        }
        _ if c.column.is_none() => out.push_str(" is absent from the export"),
        (_, Some(v)) => {
            out.push_str(" is ");
            push_quoted(out, v);
        }
        (_, None) => out.push_str(" is null"),
    }
}

/// Appends `"text"` with Rust-style escapes, as `{:?}` would, without the formatting
/// machinery for the common case of text with nothing to escape.
pub fn push_quoted(out: &mut String, text: &str) {
    use std::fmt::Write;
    if text
        .bytes()
        .all(|b| b >= 0x20 && b != b'"' && b != b'\\' && b < 0x7f)
    {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        let _ = write!(out, "{text:?}");
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
    let mut s = String::new();
    write_scope_reason(&mut s, plan, outcomes, row, stage, |col| {
        dir.value(row, col)
    });
    s
}

/// [`scope_reason`] written into `out`, reading values through `value` (so callers that
/// walk a row group can avoid looking the row up again).
pub fn write_scope_reason<'v>(
    out: &mut String,
    plan: &Plan,
    outcomes: &Outcomes,
    row: usize,
    stage: StageId,
    value: impl Fn(crate::directory::ColId) -> Option<&'v str>,
) {
    let s = &plan.stages[stage];
    if !s.input.is_empty() && !outcomes.input(stage).get(row) {
        out.push_str("input filter not passed: ");
        write_failures(out, plan, outcomes, row, &s.input, &value);
        return;
    }
    if s.scoping.is_empty() {
        out.push_str("no scoping filter: every candidate is in scope");
        return;
    }
    if let Some(&f) = s.scoping.iter().find(|&&f| outcomes.filter(f).get(row)) {
        out.push_str("matched filter ");
        push_quoted(out, &plan.filters[f].name);
        return;
    }
    write_failures(out, plan, outcomes, row, &s.scoping, &value);
}

fn write_failures<'v>(
    out: &mut String,
    plan: &Plan,
    outcomes: &Outcomes,
    row: usize,
    filters: &[FilterId],
    value: &impl Fn(crate::directory::ColId) -> Option<&'v str>,
) {
    for (i, &f) in filters.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        let filter = &plan.filters[f];
        match filter
            .clauses
            .iter()
            .find(|&&c| !outcomes.clause(c).get(row))
        {
            Some(&c) => {
                let clause = &plan.clauses[c];
                let actual = clause.column.and_then(value);
                out.push_str("filter ");
                push_quoted(out, &filter.name);
                out.push_str(": ");
                out.push_str(&clause.text);
                out.push_str(" is false (");
                write_failure_note(out, plan, c, actual);
                out.push(')');
            }
            None => {
                out.push_str("filter ");
                push_quoted(out, &filter.name);
                out.push_str(" matched");
            }
        }
    }
}

fn mark(ok: bool) -> &'static str {
    if ok { "✓" } else { "✗" }
}

/// Each filter with a ✓/✗, and under it each clause with the user's value, aligned:
/// the body of step 4 of an explanation, also used by failing `scopesim test` cases.
/// `words` says how a filter result reads ("matched"/"did not match").
pub fn write_filter_traces(
    s: &mut String,
    filters: &[FilterTrace],
    input: &[FilterTrace],
    words: (&str, &str),
) {
    for (label, list) in [("filter", filters), ("input filter", input)] {
        for f in list {
            let _ = writeln!(
                s,
                "        {} {label} {:?} {}",
                mark(f.matched),
                f.name,
                if f.matched { words.0 } else { words.1 }
            );
            let w = f
                .clauses
                .iter()
                .map(|c| c.text.chars().count())
                .max()
                .unwrap_or(0);
            for c in &f.clauses {
                let actual = match &c.actual {
                    Some(v) => format!("{} = {v:?}", c.attribute),
                    None => format!("{} is null", c.attribute),
                };
                let note = match c.verdict {
                    VerdictName::Unreadable => " (unreadable value)",
                    VerdictName::Aborted => " (regex gave up)",
                    _ => "",
                };
                let pad = w.saturating_sub(c.text.chars().count());
                let _ = writeln!(
                    s,
                    "            {} {}{}   {actual}{note}",
                    mark(c.verdict == VerdictName::True),
                    c.text,
                    " ".repeat(pad)
                );
            }
        }
    }
}
