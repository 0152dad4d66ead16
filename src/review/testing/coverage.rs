//! Coverage: which outcomes of the rules the suite's users have seen.
//!
//! In the spirit of branch coverage: each written filter counts two outcomes (seen
//! matching some test user, seen not matching one) and each of its clauses two more
//! (true, false), over the users of the cases that expect something of its app. A suite
//! whose users all pass a clause never shows what happens when it fails, and the
//! coverage table says so, clause by clause; `--min-coverage` turns that into a verdict.

use super::run::{Run, Subject};
use super::suite::Case;
use crate::rules::load::LoadedRules;
use crate::source::{SourceId, Span};
use serde::Serialize;

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

/// Coverage of each written filter of each app by the users of the cases that expect
/// something of that app.
pub(super) fn coverage(
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
