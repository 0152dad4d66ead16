//! The lint's data pass: the rules evaluated on a directory, and what every data analysis
//! shares.
//!
//! The simulation is the plan's: `lint` runs the pipeline (`request.rs`, the export
//! streamed), and a directory in memory goes through
//! [`crate::pipeline::evaluate_directory`], so a count in the lint is a count in the plan:
//! the same compiled rules, the same candidates (S24: from the assignments, or everyone
//! when none are given, which the `assignments-assumed` finding says), the same activity.
//! The analyses then read the evaluated bit sets ([`Ctx`]) and, for the few that look at
//! values, what the probe of `values.rs` kept. Each analysis is a file of its own; this
//! one only decides which runs on what (per filter, per clause, per attribute, per stage).

use super::values::{LintValues, ValueProbe};
use super::{
    FilterKey, LintData, LintOptions, breadth, case_mismatch, dead_filter, ends_with_culture,
    filter_key, integer_shape, never_decides, no_candidates, null_excluded, redundant_filter,
    regex_unanchored, unreadable_values, whitespace_value,
};
use crate::diag::{Code, Diagnostic, Errors};
use crate::directory::Directory;
use crate::eval::{Bits, EvalOptions, FilterId, Outcomes, Plan, StageId};
use crate::pipeline::{Evaluated, Options, evaluate_directory, probe_chunks};
use crate::review::Finding;
use crate::rollout::{RolloutInputs, RolloutOptions};
use crate::rules::{Filter, RuleSet, ScopeMode, Spanned};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// A compiled filter with where it was written.
pub(super) struct FilterCtx<'r> {
    /// Its id in the plan.
    pub(super) id: FilterId,
    /// The filter as written.
    pub(super) ast: &'r Filter,
    /// The app it belongs to.
    pub(super) app: usize,
    /// The stage it is written in.
    pub(super) own_stage: Option<StageId>,
    /// The first stage whose effective filters include it.
    pub(super) first_stage: Option<StageId>,
}

/// What the data analyses read: the rules, their compiled form and results, the
/// directory, and each app's candidates (S24).
pub(super) struct Ctx<'a> {
    /// The rules as written.
    pub(super) rules: &'a RuleSet,
    /// The rules compiled against the directory.
    pub(super) plan: &'a Plan,
    /// Per-clause and per-filter results.
    pub(super) outcomes: &'a Outcomes,
    /// The directory: its columns and size (a streamed one holds no values).
    pub(super) dir: &'a Directory,
    /// The values the analyses read.
    pub(super) values: &'a LintValues,
    /// The lint's options.
    pub(super) opts: &'a LintOptions,
    /// Candidates per app, in rollout order (the rules' order).
    pub(super) candidates: &'a [Bits],
}

impl Ctx<'_> {
    /// Up to [`crate::review::MAX_EXAMPLES`] users, by name, in directory order.
    pub(super) fn user_examples(&self, users: &Bits) -> Vec<String> {
        users
            .ones_iter()
            .take(crate::review::MAX_EXAMPLES)
            .map(|r| self.values.name(r))
            .collect()
    }

    /// The candidates of every app whose stages use clause `cid`.
    pub(super) fn users_of_clause(&self, cid: usize) -> Bits {
        let mut users = Bits::zeros(self.dir.len());
        for stage in &self.plan.stages {
            let uses = stage
                .scoping
                .iter()
                .chain(&stage.input)
                .any(|&f| self.plan.filters[f].clauses.contains(&cid));
            if uses {
                if let Some(c) = self.candidates.get(stage.app) {
                    users.or_with(c);
                }
            }
        }
        users
    }

    /// The findings of one filter among its app's candidates: whether it matches anyone,
    /// then each clause (letter case, anchoring, ordinal suffixes, nulls, clauses that
    /// decide nothing). `unsat` filters were reported as unsatisfiable already.
    fn filter_findings(&self, f: &FilterCtx<'_>, unsat: bool, out: &mut Vec<Finding>) {
        let Some(cand) = self.candidates.get(f.app) else {
            return;
        };
        let cids = &self.plan.filters[f.id].clauses;
        if !unsat {
            dead_filter::check(self, f, cand, out);
        }
        for (k, (clause, &cid)) in f.ast.clauses.iter().zip(cids).enumerate() {
            let mut rest = cand.clone();
            for (j, &c) in cids.iter().enumerate() {
                if j != k {
                    rest.and_with(self.outcomes.clause(c));
                }
            }
            case_mismatch::check(self, clause, cid, cand, out);
            regex_unanchored::check(self, clause, cid, cand, out);
            ends_with_culture::check_users(self, clause, cid, cand, out);
            if !unsat {
                null_excluded::check(self, f, clause, cid, &rest, out);
                never_decides::check(self, f, clause, cid, &rest, out);
            }
        }
    }
}

/// The rules the data pass simulates: `rules`, with every `scope assigned` app read as
/// `scope all` when no assignments were given (everyone is a candidate), and the
/// `assignments-assumed` finding that says so.
pub(crate) fn simulated_rules(
    rules: &RuleSet,
    assignments_given: bool,
) -> (Cow<'_, RuleSet>, Option<Finding>) {
    let assigned: Vec<usize> = rules
        .apps
        .iter()
        .enumerate()
        .filter(|(_, a)| a.scope_mode() == ScopeMode::Assigned)
        .map(|(i, _)| i)
        .collect();
    let Some(&first) = assigned.first() else {
        return (Cow::Borrowed(rules), None);
    };
    if assignments_given {
        return (Cow::Borrowed(rules), None);
    }
    let names: Vec<String> = assigned
        .iter()
        .map(|&i| format!("`{}`", rules.apps[i].name.node))
        .collect();
    let first = &rules.apps[first];
    let assumed = Finding::new(
        Diagnostic::info(
            Code::AssignmentsAssumed,
            format!(
                "{} {} only assigned users, but no assignments were given: every user is treated as a candidate",
                names.join(", "),
                if names.len() == 1 { "syncs" } else { "sync" }
            ),
        )
        .with_rule("S24")
        .with_label(first.source, first.name.span, "scope assigned")
        .with_help("pass `--assignments FILE` (and `--group-members FILE`) to lint only the users Entra would consider"),
    );
    let mut r = rules.clone();
    for &i in &assigned {
        let span = r.apps[i].name.span;
        r.apps[i].scope = Some(Spanned::new(ScopeMode::All, span));
    }
    (Cow::Owned(r), Some(assumed))
}

/// The options the data pass simulates with.
pub(crate) fn simulation_options(opts: &LintOptions) -> Options {
    Options {
        eval: EvalOptions {
            anchoring: opts.anchoring,
        },
        rollout: RolloutOptions::default(),
    }
}

/// The data pass on a directory in memory: evaluates the rules as `plan` does, reads
/// the values through the same probe as a streamed lint, and runs every data analysis.
pub(super) fn data_findings(
    rules: &RuleSet,
    data: LintData<'_>,
    opts: &LintOptions,
    unsatisfiable: &HashSet<FilterKey>,
    out: &mut Vec<Finding>,
) {
    let dir = data.dir;
    let (sim_rules, assumed) = simulated_rules(rules, data.inputs.assignments.is_some());
    let inputs = RolloutInputs {
        target_states: &[],
        ..data.inputs
    };
    let evaluated = match evaluate_directory(&sim_rules, dir, inputs, simulation_options(opts)) {
        Ok(e) => e,
        Err(errors) => {
            not_evaluated(errors, out);
            return;
        }
    };
    let probe = ValueProbe::new(rules, &evaluated.plan, dir, opts);
    let values = LintValues::new(&probe, dir.len(), probe_chunks(&probe, dir));
    let pass = DataPass {
        dir,
        evaluated: &evaluated,
        values: &values,
        assumed,
    };
    analyse(rules, pass, opts, unsatisfiable, out);
}

/// Errors of the evaluation, as findings (each once, next to those of the checker),
/// followed by a `data-lint-skipped` note.
pub(super) fn not_evaluated(errors: Errors, out: &mut Vec<Finding>) {
    for e in errors {
        let dup = out.iter().any(|f| {
            f.diagnostic.code == e.code
                && f.diagnostic.labels.first().map(|l| (l.source, l.span))
                    == e.labels.first().map(|l| (l.source, l.span))
        });
        if !dup {
            out.push(Finding::new(e));
        }
    }
    out.push(Finding::new(
        Diagnostic::info(
            Code::DataLintSkipped,
            "the rules cannot be evaluated, so the findings that need the directory were skipped",
        )
        .with_help("fix the errors, then lint again"),
    ));
}

/// What the data analyses run on: the directory's shape, the rules evaluated on it (as
/// `plan` evaluates them), the values the analyses read, and the `assignments-assumed`
/// finding of [`simulated_rules`].
pub(super) struct DataPass<'a> {
    pub(super) dir: &'a Directory,
    pub(super) evaluated: &'a Evaluated,
    pub(super) values: &'a LintValues,
    pub(super) assumed: Option<Finding>,
}

/// Runs every data analysis.
pub(super) fn analyse(
    rules: &RuleSet,
    pass: DataPass<'_>,
    opts: &LintOptions,
    unsatisfiable: &HashSet<FilterKey>,
    out: &mut Vec<Finding>,
) {
    let dir = pass.dir;
    let (plan, outcomes, rollout) = (
        &pass.evaluated.plan,
        &pass.evaluated.outcomes,
        &pass.evaluated.rollout,
    );
    out.extend(plan.diagnostics.iter().cloned().map(Finding::new));
    out.extend(pass.assumed);

    let candidates: Vec<Bits> = rollout
        .apps
        .iter()
        .map(|a| {
            let mut b = Bits::zeros(dir.len());
            for row in 0..dir.len() {
                if a.candidacy(row).is_candidate() {
                    b.set(row, true);
                }
            }
            b
        })
        .collect();
    // Assigned ids missing from the export shrink every count below: say so.
    out.extend(
        rollout
            .warnings
            .iter()
            .filter(|w| w.code == "unknown-principal")
            .cloned()
            .map(Finding::new),
    );
    no_candidates::check(rules, dir, rollout, &candidates, out);

    let ctx = Ctx {
        rules,
        plan,
        outcomes,
        dir,
        values: pass.values,
        opts,
        candidates: &candidates,
    };
    let filters = filter_contexts(rules, plan);
    for f in &filters {
        let unsat = unsatisfiable.contains(&filter_key(f.ast));
        ctx.filter_findings(f, unsat, out);
    }
    redundant_filter::check(&ctx, &filters, unsatisfiable, out);
    unreadable_values::check(&ctx, out);
    integer_shape::check_users(&ctx, out);
    whitespace_value::check(&ctx, out);
    breadth::check(&ctx, rollout, out);
}

/// Each compiled filter with its AST filter, app and stages.
pub(super) fn filter_contexts<'r>(rules: &'r RuleSet, plan: &Plan) -> Vec<FilterCtx<'r>> {
    let mut written: HashMap<FilterKey, (&'r Filter, usize, usize)> = HashMap::new();
    for (a, app) in rules.apps.iter().enumerate() {
        for (s, stage) in app.stages.iter().enumerate() {
            for f in stage.filters.iter() {
                written.entry(filter_key(f)).or_insert((f, a, s));
            }
        }
    }
    let mut out = Vec::new();
    for (id, cf) in plan.filters.iter().enumerate() {
        let key = (cf.origin.0, cf.origin.1.start, cf.origin.1.end);
        let Some(&(ast, app, stage_index)) = written.get(&key) else {
            continue;
        };
        if ast.clauses.len() != cf.clauses.len() {
            continue;
        }
        let own_stage = plan
            .stages
            .iter()
            .position(|s| s.app == app && s.index == stage_index);
        let first_stage = plan
            .stages
            .iter()
            .position(|s| s.scoping.contains(&id) || s.input.contains(&id));
        out.push(FilterCtx {
            id,
            ast,
            app,
            own_stage,
            first_stage,
        });
    }
    out
}
