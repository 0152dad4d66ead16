//! `scopesim lint`: what in a rules file will not do what its author thinks.
//!
//! Entra evaluates scoping filters literally: case-sensitive comparisons (S5, S9, S10),
//! `NOT EQUALS` false on null (S6, S8), regexes that match anywhere (S7), values it cannot
//! read (S4, S18). None of these is an error, so Entra never says a word; the lint says
//! it, with the span to fix and, when a directory is given, how many users it concerns and
//! who. It runs in two layers: static findings need only the rules (everything `check`
//! reports, filters that can never match, regex spellings), data findings evaluate the
//! rules on the directory with the same compiler and rollout engine as `plan` (candidates
//! from assignments, S24), so a count in the lint is a count in the plan. Every analysis
//! works on the evaluated bit sets; only the few that look at values (letter case, regex
//! anchoring, unreadable and blank values) read the directory again, column by column.

use super::{Finding, plural, user_name, value_examples};
use crate::diag::{Code, Diagnostic, Severity};
use crate::directory::{ColId, Directory};
use crate::eval::{Bits, EvalOptions, FilterId, Outcomes, Plan, StageId, compile, evaluate};
use crate::regex::{Anchoring, DotnetRegex};
use crate::rollout::{Rollout, RolloutInputs, RolloutOptions, simulate};
use crate::rules::check::{CheckOptions, check};
use crate::rules::load::LoadedRules;
use crate::rules::print::clause_text;
use crate::rules::{Clause, Filter, FilterKind, Operator, RuleSet, ScopeMode, Spanned};
use crate::schema::{self, AttrType};
use crate::source::{SourceId, Sources};
use crate::value::{parse_bool, parse_int};
use comfy_table::{Cell, CellAlignment};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Options of a lint run.
#[derive(Debug, Clone, Copy)]
pub struct LintOptions {
    /// Regex anchoring the rules are evaluated with (S7); the unanchored-pattern finding
    /// applies only to `Partial`, Entra's behaviour.
    pub anchoring: Anchoring,
    /// A stage putting more than this percentage of the directory in scope is reported.
    pub max_scope_share: f64,
}

impl Default for LintOptions {
    fn default() -> LintOptions {
        LintOptions {
            anchoring: Anchoring::Partial,
            max_scope_share: 50.0,
        }
    }
}

/// The directory and assignments that data findings are computed on.
#[derive(Debug, Clone, Copy)]
pub struct LintData<'a> {
    /// The directory (read with the rules' attributes plus `userType`).
    pub dir: &'a Directory,
    /// Assignments and group membership; without assignments every user is a candidate.
    pub inputs: RolloutInputs<'a>,
}

/// Lints rules, and with `data` their effect on a directory. Findings are sorted by file
/// position, then code. Reading errors (syntax) are returned as findings and stop there.
pub fn lint(loaded: &LoadedRules, data: Option<LintData<'_>>, opts: &LintOptions) -> Vec<Finding> {
    let mut out: Vec<Finding> = loaded
        .diagnostics
        .iter()
        .cloned()
        .map(Finding::new)
        .collect();
    if loaded.has_errors() {
        sort_findings(&mut out);
        return out;
    }
    out.extend(
        check(
            &loaded.rules,
            CheckOptions {
                anchoring: opts.anchoring,
            },
        )
        .into_iter()
        .map(Finding::new),
    );
    let mut unsatisfiable = HashSet::new();
    static_findings(&loaded.rules, opts, &mut out, &mut unsatisfiable);
    if let Some(data) = data {
        data_findings(&loaded.rules, data, opts, &unsatisfiable, &mut out);
    }
    sort_findings(&mut out);
    out
}

/// True when a finding is at or above `deny`.
pub fn fails(findings: &[Finding], deny: Severity) -> bool {
    findings.iter().any(|f| f.diagnostic.severity >= deny)
}

/// Deterministic order: by file and position of the primary label, then code, then
/// message; findings without a span last.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            let d = &f.diagnostic;
            match d.labels.first() {
                Some(l) => (0, l.source.0, l.span.start, l.span.end),
                None => (1, 0, 0, 0),
            }
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.diagnostic.code.cmp(&b.diagnostic.code))
            .then_with(|| a.diagnostic.message.cmp(&b.diagnostic.message))
    });
}

type FilterKey = (SourceId, usize, usize);

fn filter_key(f: &Filter) -> FilterKey {
    (f.source, f.span.start, f.span.end)
}

// ---------------------------------------------------------------------------------------
// Static findings

fn static_findings(
    rules: &RuleSet,
    opts: &LintOptions,
    out: &mut Vec<Finding>,
    unsatisfiable: &mut HashSet<FilterKey>,
) {
    for app in &rules.apps {
        for stage in &app.stages {
            for filter in stage.filters.iter() {
                if let Some(f) = contradiction(filter, opts.anchoring) {
                    unsatisfiable.insert(filter_key(filter));
                    out.push(f);
                }
                for clause in &filter.clauses {
                    regex_spelling(clause, opts.anchoring, out);
                }
            }
        }
    }
}

/// Unescaped dots in domain-like patterns, and .NET-vs-Rust differences (S7, S19).
fn regex_spelling(clause: &Clause, anchoring: Anchoring, out: &mut Vec<Finding>) {
    let Some(op) = clause.operator.node.known() else {
        return;
    };
    if !op.is_regex() || clause.values.len() != 1 {
        return;
    }
    let value = &clause.values[0];
    let pattern = value.text.as_str();
    for i in domain_dots(pattern) {
        let literal = format!("{}\\.{}", &pattern[..i], &pattern[i + 1..]);
        out.push(Finding::new(
            Diagnostic::warning(
                Code::RegexUnescapedDot,
                format!("the `.` in `{pattern}` matches any character, not only a dot"),
            )
            .with_rule("S7")
            .with_label(clause.source, value.source_span(i..i + 1), "any character")
            .with_help(format!("write `\\.` for a literal dot: `{literal}`")),
        ));
    }
    if let Ok(re) = DotnetRegex::new(pattern, anchoring) {
        out.extend(dotnet_note_findings(clause, re.notes()));
    }
}

/// One finding per note of the .NET translator, at the construct it concerns.
pub fn dotnet_note_findings(clause: &Clause, notes: &[crate::regex::Note]) -> Vec<Finding> {
    let Some(value) = clause.values.first() else {
        return Vec::new();
    };
    notes
        .iter()
        .map(|n| {
            Finding::new(
                Diagnostic::warning(Code::RegexDotnetDifference, n.message.clone())
                    .with_rule("S19")
                    .with_label(clause.source, value.source_span(n.span.clone()), "differs from .NET")
                    .with_help("Entra runs the pattern on .NET and scopesim on Rust's engines: check the users it concerns with `scopesim explain`, or write the pattern without this construct"),
            )
        })
        .collect()
}

/// Byte offsets of unescaped `.` outside character classes that sit inside a domain or
/// dotted name (`contoso.com`): a word character before, letters after, and either an
/// `@` in the pattern or the letters ending the pattern or a group.
pub fn domain_dots(pattern: &str) -> Vec<usize> {
    let b = pattern.as_bytes();
    let has_at = pattern.contains('@');
    let mut out = Vec::new();
    let mut in_class = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                i += 2;
                continue;
            }
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            b'.' if !in_class => {
                let before = i > 0 && b[i - 1].is_ascii_alphanumeric() && !escaped(b, i - 1);
                let letters = b[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .count();
                let after = b.get(i + 1 + letters);
                let ends = matches!(after, None | Some(b'$' | b')' | b'|' | b'.' | b'/'));
                if before && letters >= 2 && (has_at || ends) {
                    out.push(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// True when a pattern is anchored at its start or end (`^`, `\A`, `$`, `\z`, `\Z`).
pub fn is_anchored(pattern: &str) -> bool {
    let p = pattern.trim_start_matches('(');
    let q = pattern.trim_end_matches(')');
    p.starts_with('^')
        || p.starts_with("\\A")
        || (q.ends_with('$') && !escaped(q.as_bytes(), q.len() - 1))
        || q.ends_with("\\z")
        || q.ends_with("\\Z")
}

/// True when byte `i` is preceded by an odd number of backslashes.
fn escaped(b: &[u8], i: usize) -> bool {
    b[..i].iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 1
}

/// The first pair of clauses of a filter that cannot hold together, as a finding.
fn contradiction(filter: &Filter, anchoring: Anchoring) -> Option<Finding> {
    let clauses: Vec<(&Clause, Operator)> = filter
        .clauses
        .iter()
        .filter_map(|c| c.operator.node.known().map(|op| (c, op)))
        .filter(|(_, op)| !op.is_undocumented())
        .collect();
    for (j, &(b, ob)) in clauses.iter().enumerate() {
        for &(a, oa) in &clauses[..j] {
            if a.attribute.node != b.attribute.node {
                continue;
            }
            let why =
                conflict(a, oa, b, ob, anchoring).or_else(|| conflict(b, ob, a, oa, anchoring));
            if let Some(why) = why {
                return Some(Finding::new(
                    Diagnostic::warning(
                        Code::UnsatisfiableFilter,
                        format!(
                            "filter `{}` can never match: `{}` and `{}` cannot both hold",
                            filter.name.node,
                            clause_text(a),
                            clause_text(b)
                        ),
                    )
                    .with_rule("S22")
                    .with_label(b.source, b.span, "contradicts an earlier clause")
                    .with_label(a.source, a.span, "this clause")
                    .with_help(format!("{why}; clauses of a filter are ANDed (S22): to accept either, write one filter for each")),
                ));
            }
        }
    }
    None
}

/// Why clauses `a` and `b` on the same attribute cannot both hold, if they cannot.
fn conflict(
    a: &Clause,
    oa: Operator,
    b: &Clause,
    ob: Operator,
    anchoring: Anchoring,
) -> Option<String> {
    let attr = &a.attribute.node;
    let va = a.value_text();
    let vb = b.value_text();
    match (oa, ob) {
        (Operator::IsNull, Operator::IsNull) => None,
        (Operator::IsNull, Operator::IsNotNull) => {
            Some(format!("`{attr}` cannot be null and not null (S15, S16)"))
        }
        (Operator::IsNull, _) => Some(format!(
            "every operator but IS NULL and IS NOT NULL is false when `{attr}` is null"
        )),
        (Operator::IsTrue, Operator::IsFalse) => {
            Some(format!("`{attr}` cannot be true and false (S13, S14)"))
        }
        (Operator::Equals, Operator::Equals) => match (va, vb) {
            (Some(x), Some(y)) if x != y => {
                Some(format!("`{attr}` cannot equal both {x:?} and {y:?}"))
            }
            _ => None,
        },
        (Operator::Equals, Operator::NotEquals) => match (va, vb) {
            (Some(x), Some(y)) if x == y => {
                Some(format!("`{attr}` cannot equal {x:?} and differ from it"))
            }
            _ => None,
        },
        (Operator::Equals, other) => {
            // Booleans are compared as `True`/`False` text (S4): leave them to the rules above.
            if schema::info(attr).ty == AttrType::Boolean {
                return None;
            }
            let x = va?;
            let holds = match (other, vb) {
                (Operator::Includes, Some(y)) => x.contains(y),
                (Operator::EndsWith, Some(y)) => x.ends_with(y),
                (Operator::RegexMatch, Some(p)) => {
                    DotnetRegex::new(p, anchoring).ok()?.is_match(x).ok()?
                }
                (Operator::NotRegexMatch, Some(p)) => {
                    !DotnetRegex::new(p, anchoring).ok()?.is_match(x).ok()?
                }
                (Operator::GreaterThan, Some(n)) => {
                    let n = parse_int(n)?;
                    parse_int(x).is_some_and(|v| v > n)
                }
                (Operator::GreaterThanOrEquals, Some(n)) => {
                    let n = parse_int(n)?;
                    parse_int(x).is_some_and(|v| v >= n)
                }
                (Operator::IsTrue, _) => parse_bool(x) == Some(true),
                (Operator::IsFalse, _) => parse_bool(x) == Some(false),
                _ => return None,
            };
            (!holds).then(|| {
                format!(
                    "`{attr}` must equal {x:?}, and `{}` is false for that value",
                    clause_text(b)
                )
            })
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Data findings

/// A compiled filter with where it was written.
struct FilterCtx<'r> {
    id: FilterId,
    ast: &'r Filter,
    app: usize,
    /// The stage it is written in.
    own_stage: Option<StageId>,
    /// The first stage whose effective filters include it.
    first_stage: Option<StageId>,
}

fn data_findings(
    rules: &RuleSet,
    data: LintData<'_>,
    opts: &LintOptions,
    unsatisfiable: &HashSet<FilterKey>,
    out: &mut Vec<Finding>,
) {
    let dir = data.dir;
    let plan = match compile(
        rules,
        dir,
        EvalOptions {
            anchoring: opts.anchoring,
        },
    ) {
        Ok(p) => p,
        Err(errors) => {
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
            return;
        }
    };
    out.extend(plan.diagnostics.iter().cloned().map(Finding::new));
    let outcomes = evaluate(&plan, dir);

    // Candidates (S24): from the assignments, or everyone when there are none.
    let assigned: Vec<usize> = rules
        .apps
        .iter()
        .enumerate()
        .filter(|(_, a)| a.scope_mode() == ScopeMode::Assigned)
        .map(|(i, _)| i)
        .collect();
    let relaxed;
    let sim_rules = if data.inputs.assignments.is_none() && !assigned.is_empty() {
        let names: Vec<String> = assigned
            .iter()
            .map(|&i| format!("`{}`", rules.apps[i].name.node))
            .collect();
        let first = &rules.apps[assigned[0]];
        out.push(Finding::new(
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
        ));
        let mut r = rules.clone();
        for &i in &assigned {
            let span = r.apps[i].name.span;
            r.apps[i].scope = Some(Spanned::new(ScopeMode::All, span));
        }
        relaxed = r;
        &relaxed
    } else {
        rules
    };
    let inputs = RolloutInputs {
        target_states: &[],
        ..data.inputs
    };
    let rollout = match simulate(
        sim_rules,
        &plan,
        &outcomes,
        dir,
        inputs,
        RolloutOptions::default(),
    ) {
        Ok(r) => r,
        Err(errors) => {
            out.extend(errors.into_iter().map(Finding::new));
            return;
        }
    };
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
    for (app, cand) in rollout.apps.iter().zip(&candidates) {
        let Some(rule_app) = rules.apps.get(app.index) else {
            continue;
        };
        if !dir.is_empty() && cand.count() == 0 {
            out.push(Finding::new(
                Diagnostic::warning(
                    Code::NoCandidates,
                    format!(
                        "no user of the directory is assigned to `{}`, so no filter of it can match anyone",
                        app.name
                    ),
                )
                .with_rule("S24")
                .with_label(rule_app.source, rule_app.name.span, "no candidates")
                .with_help("check that the assignments name this app exactly as the rules do, and that the directory export has the assigned users"),
            ).affecting(0));
        }
    }

    let ctx = Ctx {
        rules,
        plan: &plan,
        outcomes: &outcomes,
        dir,
        opts,
        candidates: &candidates,
    };
    let filters = filter_contexts(rules, &plan);
    for f in &filters {
        let unsat = unsatisfiable.contains(&filter_key(f.ast));
        ctx.filter_findings(f, unsat, out);
    }
    ctx.redundant_filters(&filters, unsatisfiable, out);
    ctx.unreadable_values(out);
    ctx.blank_values(out);
    ctx.breadth(&rollout, out);
}

/// Each compiled filter with its AST filter, app and stages.
fn filter_contexts<'r>(rules: &'r RuleSet, plan: &Plan) -> Vec<FilterCtx<'r>> {
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

struct Ctx<'a> {
    rules: &'a RuleSet,
    plan: &'a Plan,
    outcomes: &'a Outcomes,
    dir: &'a Directory,
    opts: &'a LintOptions,
    candidates: &'a [Bits],
}

impl Ctx<'_> {
    fn user_examples(&self, users: &Bits) -> Vec<String> {
        users
            .ones_iter()
            .take(super::MAX_EXAMPLES)
            .map(|r| user_name(self.dir, r))
            .collect()
    }

    /// Users for whom a column is null (everyone when the column is absent, S2).
    fn nulls(&self, col: Option<ColId>) -> Bits {
        let n = self.dir.len();
        let Some(col) = col else {
            return Bits::ones(n);
        };
        let mut b = Bits::zeros(n);
        for row in 0..n {
            if self.dir.value(row, col).is_none() {
                b.set(row, true);
            }
        }
        b
    }

    fn filter_findings(&self, f: &FilterCtx<'_>, unsat: bool, out: &mut Vec<Finding>) {
        let Some(cand) = self.candidates.get(f.app) else {
            return;
        };
        let cids = &self.plan.filters[f.id].clauses;
        let mut matched = self.outcomes.filter(f.id).clone();
        matched.and_with(cand);
        if !unsat && cand.count() > 0 && matched.count() == 0 {
            out.push(
                Finding::new(
                    Diagnostic::warning(
                        Code::DeadFilter,
                        format!(
                            "filter `{}` matches none of the {} of `{}`",
                            f.ast.name.node,
                            plural(cand.count(), "candidate"),
                            self.rules.apps[f.app].name.node
                        ),
                    )
                    .with_label(f.ast.source, f.ast.name.span, "matches no one")
                    .with_help("check its values against the directory (`scopesim explain` shows each clause for one user), or remove it"),
                )
                .affecting(0),
            );
        }
        for (k, (clause, &cid)) in f.ast.clauses.iter().zip(cids).enumerate() {
            let mut rest = cand.clone();
            for (j, &c) in cids.iter().enumerate() {
                if j != k {
                    rest.and_with(self.outcomes.clause(c));
                }
            }
            self.case_traps(clause, cid, cand, out);
            self.unanchored(clause, cid, cand, out);
            if !unsat {
                self.null_trap(f, clause, cid, &rest, out);
                self.never_decides(f, clause, cid, &rest, out);
            }
        }
    }

    /// S5, S9, S10, S6: values that differ only in letter case.
    fn case_traps(&self, clause: &Clause, cid: usize, cand: &Bits, out: &mut Vec<Finding>) {
        let Some(op) = clause.operator.node.known() else {
            return;
        };
        if !matches!(
            op,
            Operator::Equals | Operator::NotEquals | Operator::Includes | Operator::EndsWith
        ) {
            return;
        }
        let attr = clause.attribute.node.as_str();
        if schema::info(attr).ty == AttrType::Boolean {
            return;
        }
        let (Some(col), Some(x), Some(value)) = (
            self.plan.clauses[cid].column,
            clause.value_text(),
            clause.values.first(),
        ) else {
            return;
        };
        let xl = x.to_lowercase();
        let mut exact = 0usize;
        let mut variants: BTreeMap<String, usize> = BTreeMap::new();
        let mut users = 0usize;
        for row in cand.ones_iter() {
            let Some(v) = self.dir.value(row, col) else {
                continue;
            };
            let (is_exact, folded) = match op {
                Operator::Includes => (v.contains(x), v.to_lowercase().contains(&xl)),
                Operator::EndsWith => (v.ends_with(x), v.to_lowercase().ends_with(&xl)),
                _ => (v == x, v.to_lowercase() == xl),
            };
            if is_exact {
                exact += 1;
            } else if folded {
                users += 1;
                *variants.entry(v.to_string()).or_default() += 1;
            }
        }
        if users == 0 {
            return;
        }
        let text = clause_text(clause);
        let rule = op.rule();
        let d = if op == Operator::NotEquals {
            Diagnostic::warning(
                Code::CaseMismatch,
                format!(
                    "`{text}` lets through {} whose `{attr}` differs from {x:?} only in letter case",
                    plural(users, "candidate")
                ),
            )
            .with_label(clause.source, value.span, "case-sensitive")
            .with_help(format!(
                "NOT EQUALS is case-sensitive ({rule}): add a clause for each spelling to exclude, or correct the values in the directory"
            ))
        } else if exact == 0 {
            Diagnostic::warning(
                Code::CaseMismatch,
                format!(
                    "`{text}` matches no candidate, but {} {} a `{attr}` that differs only in letter case",
                    users,
                    if users == 1 { "has" } else { "have" }
                ),
            )
            .with_label(clause.source, value.span, "case-sensitive")
            .with_help(format!(
                "`{}` is case-sensitive ({rule}): write the value as the directory spells it, or add a filter for each spelling",
                op.canonical()
            ))
        } else {
            Diagnostic::info(
                Code::CaseVariant,
                format!(
                    "`{text}` matches {} exactly, but leaves out {} whose `{attr}` differs only in letter case",
                    plural(exact, "candidate"),
                    users
                ),
            )
            .with_label(clause.source, value.span, "case-sensitive")
            .with_help(format!(
                "`{}` is case-sensitive ({rule}): correct the values in the directory, or add a filter for the other spelling",
                op.canonical()
            ))
        };
        out.push(
            Finding::new(d.with_rule(rule))
                .affecting(users)
                .with_examples(value_examples(&variants)),
        );
    }

    /// S6, S8: users with a null value who fail only this negated clause.
    fn null_trap(
        &self,
        f: &FilterCtx<'_>,
        clause: &Clause,
        cid: usize,
        rest: &Bits,
        out: &mut Vec<Finding>,
    ) {
        let Some(op) = clause.operator.node.known() else {
            return;
        };
        if !matches!(op, Operator::NotEquals | Operator::NotRegexMatch) {
            return;
        }
        let mut users = rest.clone();
        users.and_with(&self.nulls(self.plan.clauses[cid].column));
        // Users that another filter of the stage keeps in scope do not fall out.
        if let Some(s) = f.first_stage {
            let stage = &self.plan.stages[s];
            let list = if f.ast.kind == FilterKind::Scoping {
                &stage.scoping
            } else {
                &stage.input
            };
            for &g in list.iter().filter(|&&g| g != f.id) {
                users.and_not_with(self.outcomes.filter(g));
            }
        }
        let n = users.count();
        if n == 0 {
            return;
        }
        let attr = &clause.attribute.node;
        out.push(
            Finding::new(
                Diagnostic::warning(
                    Code::NullExcluded,
                    format!(
                        "{} with no `{attr}` {} out of filter `{}`: `{}` is false on null",
                        plural(n, "candidate"),
                        if n == 1 { "falls" } else { "fall" },
                        f.ast.name.node,
                        clause_text(clause)
                    ),
                )
                .with_rule(op.rule())
                .with_label(clause.source, clause.operator.span, "false when the value is null")
                .with_help(format!(
                    "`{}` does not mean \"everyone except\": to keep users without `{attr}`, add a filter with the other clauses and `{attr} IS NULL` (filters are ORed)",
                    op.canonical()
                )),
            )
            .affecting(n)
            .with_examples(self.user_examples(&users)),
        );
    }

    /// S7: values an unanchored pattern matches but a whole-value pattern would not.
    fn unanchored(&self, clause: &Clause, cid: usize, cand: &Bits, out: &mut Vec<Finding>) {
        if self.opts.anchoring != Anchoring::Partial {
            return;
        }
        let Some(op) = clause.operator.node.known() else {
            return;
        };
        if !op.is_regex() || schema::info(&clause.attribute.node).ty == AttrType::Boolean {
            return;
        }
        let (Some(col), Some(value)) = (self.plan.clauses[cid].column, clause.values.first())
        else {
            return;
        };
        let pattern = value.text.as_str();
        if is_anchored(pattern) {
            // Anchored at one end at least: the author chose what to leave open.
            return;
        }
        let (Ok(partial), Ok(full)) = (
            DotnetRegex::new(pattern, Anchoring::Partial),
            DotnetRegex::new(pattern, Anchoring::Full),
        ) else {
            return;
        };
        let mut values: BTreeMap<String, usize> = BTreeMap::new();
        let mut users = 0;
        for row in cand.ones_iter() {
            let Some(v) = self.dir.value(row, col) else {
                continue;
            };
            if matches!(partial.is_match(v), Ok(true)) && matches!(full.is_match(v), Ok(false)) {
                users += 1;
                *values.entry(v.to_string()).or_default() += 1;
            }
        }
        if users == 0 {
            return;
        }
        let verb = if op == Operator::RegexMatch {
            "matches"
        } else {
            "excludes"
        };
        let d = Diagnostic::warning(
            Code::RegexUnanchored,
            format!(
                "`{}` also {verb} {} that a whole-value pattern would not ({})",
                clause_text(clause),
                plural(values.len(), "value"),
                plural(users, "candidate")
            ),
        );
        out.push(
            Finding::new(
                d.with_rule("S7")
                    .with_label(clause.source, value.span, "matches anywhere in the value")
                    .with_help(format!(
                        "REGEX MATCH finds the pattern anywhere in the value: write `^(?:{pattern})$` if you mean the whole value"
                    )),
            )
            .affecting(users)
            .with_examples(value_examples(&values)),
        );
    }

    /// A clause true for everyone who passes the other clauses of its filter.
    fn never_decides(
        &self,
        f: &FilterCtx<'_>,
        clause: &Clause,
        cid: usize,
        rest: &Bits,
        out: &mut Vec<Finding>,
    ) {
        let n = rest.count();
        if n == 0 {
            return;
        }
        let mut fails = rest.clone();
        fails.and_not_with(self.outcomes.clause(cid));
        if fails.count() > 0 {
            return;
        }
        let who = if f.ast.clauses.len() == 1 {
            format!("all {}", plural(n, "candidate"))
        } else {
            format!(
                "all {} that pass the other clauses of filter `{}`",
                plural(n, "candidate"),
                f.ast.name.node
            )
        };
        out.push(
            Finding::new(
                Diagnostic::info(
                    Code::ClauseNeverDecides,
                    format!("`{}` holds for {who}, so it decides nothing", clause_text(clause)),
                )
                .with_label(clause.source, clause.span, "always true here")
                .with_help("with this directory the clause changes no one's scope: remove it, or keep it as a guard for users to come"),
            )
            .affecting(n),
        );
    }

    /// Filters of a stage whose candidates all match the stage's other filters.
    fn redundant_filters(
        &self,
        filters: &[FilterCtx<'_>],
        unsatisfiable: &HashSet<FilterKey>,
        out: &mut Vec<Finding>,
    ) {
        let by_id: HashMap<FilterId, &FilterCtx<'_>> = filters.iter().map(|f| (f.id, f)).collect();
        let mut reported: HashSet<FilterId> = HashSet::new();
        for (sid, stage) in self.plan.stages.iter().enumerate() {
            let Some(cand) = self.candidates.get(stage.app) else {
                continue;
            };
            for list in [&stage.scoping, &stage.input] {
                let bits: Vec<Bits> = list
                    .iter()
                    .map(|&f| {
                        let mut b = self.outcomes.filter(f).clone();
                        b.and_with(cand);
                        b
                    })
                    .collect();
                // Last to first, against the filters kept so far: of two identical
                // filters, the later one is reported.
                let mut redundant = vec![false; list.len()];
                for i in (0..list.len()).rev() {
                    if bits[i].count() == 0 {
                        continue;
                    }
                    let mut others = Bits::zeros(self.dir.len());
                    for j in (0..list.len()).filter(|&j| j != i && !redundant[j]) {
                        others.or_with(&bits[j]);
                    }
                    let mut left = bits[i].clone();
                    left.and_not_with(&others);
                    if left.count() > 0 {
                        continue;
                    }
                    redundant[i] = true;
                    let Some(f) = by_id.get(&list[i]) else {
                        continue;
                    };
                    if f.own_stage != Some(sid)
                        || unsatisfiable.contains(&filter_key(f.ast))
                        || !reported.insert(f.id)
                    {
                        continue;
                    }
                    let covering: Vec<String> = (0..list.len())
                        .filter(|&j| j != i && !redundant[j])
                        .filter(|&j| {
                            let mut b = bits[i].clone();
                            b.and_with(&bits[j]);
                            b.count() > 0
                        })
                        .map(|j| format!("`{}`", self.plan.filters[list[j]].name))
                        .collect();
                    let n = bits[i].count();
                    out.push(
                        Finding::new(
                            Diagnostic::info(
                                Code::RedundantFilter,
                                format!(
                                    "filter `{}` adds no one to stage `{}`: {} also {} {} {}",
                                    f.ast.name.node,
                                    stage.name,
                                    if n == 1 {
                                        "the one candidate it matches".to_string()
                                    } else {
                                        format!("all {n} candidates it matches")
                                    },
                                    if n == 1 { "matches" } else { "match" },
                                    if covering.len() == 1 { "filter" } else { "filters" },
                                    covering.join(", ")
                                ),
                            )
                            .with_rule("S22")
                            .with_label(f.ast.source, f.ast.name.span, "covered by other filters")
                            .with_help("filters are ORed (S22): with this directory, removing it changes no one's scope"),
                        )
                        .affecting(n)
                        .with_examples(self.user_examples(&bits[i])),
                    );
                }
            }
        }
    }

    /// The candidates of every app whose stages use clause `cid`.
    fn users_of_clause(&self, cid: usize) -> Bits {
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

    /// S4, S18: Boolean and integer values that cannot be read, among the candidates of
    /// the apps that read them.
    fn unreadable_values(&self, out: &mut Vec<Finding>) {
        let mut seen: HashSet<(String, bool)> = HashSet::new();
        for (cid, c) in self.plan.clauses.iter().enumerate() {
            let integer = c.operator.is_integer();
            if !(integer || matches!(c.operator, Operator::IsTrue | Operator::IsFalse)) {
                continue;
            }
            let Some(col) = c.column else {
                continue;
            };
            if !seen.insert((c.attribute.clone(), integer)) {
                continue;
            }
            let mut values: BTreeMap<String, usize> = BTreeMap::new();
            let mut users = 0;
            for row in self.users_of_clause(cid).ones_iter() {
                let Some(v) = self.dir.value(row, col) else {
                    continue;
                };
                let readable = if integer {
                    parse_int(v).is_some()
                } else {
                    parse_bool(v).is_some()
                };
                if !readable {
                    users += 1;
                    *values.entry(v.to_string()).or_default() += 1;
                }
            }
            if users == 0 {
                continue;
            }
            let (rule, what, help) = if integer {
                (
                    "S18",
                    "a whole number",
                    "Greater_Than compares 64-bit whole numbers only (S18): correct these values in the directory, or these users stay out of scope",
                )
            } else {
                (
                    "S4",
                    "true or false",
                    "Entra reads Booleans as `true`/`false` in any letter case (S4): correct these values in the directory",
                )
            };
            out.push(
                Finding::new(
                    Diagnostic::warning(
                        Code::UnreadableValues,
                        format!(
                            "the `{}` of {} is not {what}, so `{}` is false for {}",
                            c.attribute,
                            plural(users, "user"),
                            c.text,
                            if users == 1 { "that user" } else { "them" }
                        ),
                    )
                    .with_rule(rule)
                    .with_label(c.origin.0, c.origin.1, "cannot read some values")
                    .with_help(help),
                )
                .affecting(users)
                .with_examples(value_examples(&values)),
            );
        }
    }

    /// S1: whitespace-only values (not null) of the attributes the rules use, among the
    /// candidates of the apps that read them.
    fn blank_values(&self, out: &mut Vec<Finding>) {
        let mut seen: HashSet<ColId> = HashSet::new();
        for c in &self.plan.clauses {
            let Some(col) = c.column else {
                continue;
            };
            if !seen.insert(col) {
                continue;
            }
            let readers = self
                .plan
                .clauses
                .iter()
                .enumerate()
                .filter(|(_, x)| x.column == Some(col));
            let mut candidates = Bits::zeros(self.dir.len());
            for (other, _) in readers {
                candidates.or_with(&self.users_of_clause(other));
            }
            let mut users = Bits::zeros(self.dir.len());
            for row in candidates.ones_iter() {
                if self
                    .dir
                    .value(row, col)
                    .is_some_and(|v| v.trim().is_empty())
                {
                    users.set(row, true);
                }
            }
            let n = users.count();
            if n == 0 {
                continue;
            }
            out.push(
                Finding::new(
                    Diagnostic::warning(
                        Code::WhitespaceValue,
                        format!(
                            "the `{}` of {} is only white space, which Entra reads as a value, not as null",
                            c.attribute,
                            plural(n, "user")
                        ),
                    )
                    .with_rule("S1")
                    .with_label(c.origin.0, c.origin.1, "reads this attribute")
                    .with_help("`IS NULL` is false for them and text operators compare the spaces: clear the attribute in the directory"),
                )
                .affecting(n)
                .with_examples(self.user_examples(&users)),
            );
        }
    }

    /// Least privilege: stages that put much of the directory, guests or disabled
    /// accounts in scope.
    fn breadth(&self, rollout: &Rollout, out: &mut Vec<Finding>) {
        let n = self.dir.len();
        if n == 0 {
            return;
        }
        let user_type = self.dir.column("userType");
        let upn = self.dir.column("userPrincipalName");
        let enabled = self.dir.column("accountEnabled");
        for app in &rollout.apps {
            let Some(rule_app) = self.rules.apps.get(app.index) else {
                continue;
            };
            for s in &app.stages {
                let index = self.plan.stages[s.stage].index;
                let Some(stage) = rule_app.stages.get(index) else {
                    continue;
                };
                let (src, span) = (stage.source, stage.name.span);
                let in_scope = s.in_scope_users.count();
                let share = in_scope as f64 * 100.0 / n as f64;
                if share > self.opts.max_scope_share {
                    out.push(
                        Finding::new(
                            Diagnostic::warning(
                                Code::BroadScope,
                                format!(
                                    "stage `{}` of `{}` puts {in_scope} of {} in scope ({share:.0}%), more than {}%",
                                    s.name,
                                    app.name,
                                    plural(n, "user"),
                                    self.opts.max_scope_share
                                ),
                            )
                            .with_label(src, span, "broad stage")
                            .with_help("least privilege: narrow the filters or the assignments, or raise `--max-scope-share` if this is the intent"),
                        )
                        .affecting(in_scope),
                    );
                }
                let mut guests = Bits::zeros(n);
                let mut disabled = Bits::zeros(n);
                for row in s.in_scope_users.ones_iter() {
                    let is_guest = user_type
                        .and_then(|c| self.dir.value(row, c))
                        .is_some_and(|v| v.trim().eq_ignore_ascii_case("guest"))
                        || upn
                            .and_then(|c| self.dir.value(row, c))
                            .is_some_and(|v| v.to_ascii_uppercase().contains("#EXT#"));
                    if is_guest {
                        guests.set(row, true);
                    }
                    if enabled
                        .and_then(|c| self.dir.value(row, c))
                        .and_then(parse_bool)
                        == Some(false)
                    {
                        disabled.set(row, true);
                    }
                }
                let g = guests.count();
                if g > 0 {
                    out.push(
                        Finding::new(
                            Diagnostic::warning(
                                Code::GuestsInScope,
                                format!(
                                    "stage `{}` of `{}` puts {} in scope",
                                    s.name,
                                    app.name,
                                    plural(g, "guest")
                                ),
                            )
                            .with_label(src, span, "includes guests")
                            .with_help("guests (`userType` Guest, `#EXT#` in the UPN) rarely need an account; `userType` cannot be filtered on (S20), so exclude them through assignments or another attribute"),
                        )
                        .affecting(g)
                        .with_examples(self.user_examples(&guests)),
                    );
                }
                let d = disabled.count();
                if d > 0 {
                    out.push(
                        Finding::new(
                            Diagnostic::info(
                                Code::DisabledInScope,
                                format!(
                                    "stage `{}` of `{}` has {} disabled in Entra in scope",
                                    s.name,
                                    app.name,
                                    plural(d, "account")
                                ),
                            )
                            .with_rule("S25")
                            .with_label(src, span, "includes disabled accounts")
                            .with_help("Entra does not create disabled accounts and disables those it manages (S25); add `accountEnabled IS TRUE` to keep them out of scope"),
                        )
                        .affecting(d)
                        .with_examples(self.user_examples(&disabled)),
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Rendering

/// Findings as JSON: `{"findings": [...], "counts": {...}}`.
pub fn to_json(findings: &[Finding], sources: &Sources) -> Value {
    let count = |s: Severity| {
        findings
            .iter()
            .filter(|f| f.diagnostic.severity == s)
            .count()
    };
    json!({
        "findings": findings.iter().map(|f| f.to_json(sources)).collect::<Vec<_>>(),
        "counts": {
            "error": count(Severity::Error),
            "warning": count(Severity::Warning),
            "info": count(Severity::Info),
        },
    })
}

/// Findings as a terminal table, followed by a count line.
pub fn render_table(findings: &[Finding], sources: &Sources, width: Option<u16>) -> String {
    if findings.is_empty() {
        return "no findings\n".to_string();
    }
    let mut t = crate::output::table(width);
    t.set_header(vec!["Location", "Level", "Finding", "Users", "Examples"]);
    for f in findings {
        let d = &f.diagnostic;
        let code = match d.rule {
            Some(r) => format!("{} ({r})", d.code),
            None => d.code.to_string(),
        };
        let mut text = format!("{code}: {}", d.message);
        if let Some(h) = &d.help {
            text.push_str(&format!("\nhelp: {h}"));
        }
        t.add_row(vec![
            Cell::new(super::location(d, sources)),
            Cell::new(d.severity.as_str()),
            Cell::new(text),
            Cell::new(f.affected.map_or_else(String::new, |n| n.to_string()))
                .set_alignment(CellAlignment::Right),
            Cell::new(f.examples.join("\n")),
        ]);
    }
    let count = |s: Severity| {
        findings
            .iter()
            .filter(|f| f.diagnostic.severity == s)
            .count()
    };
    format!(
        "{t}\n{}: {}, {}, {}\n",
        plural(findings.len(), "finding"),
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        count(Severity::Info).to_string() + " info"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regex::Note;
    use crate::rules::load::load_text;

    #[test]
    fn domain_dots_are_found_outside_escapes_and_classes() {
        assert_eq!(domain_dots("@contoso.com$"), vec![8]);
        assert_eq!(domain_dots("@contoso\\.com$"), Vec::<usize>::new());
        assert_eq!(domain_dots("^[a.z]+@x\\.io$"), Vec::<usize>::new());
        assert_eq!(domain_dots("^.*@contoso.co.uk$"), vec![11, 14]);
        assert_eq!(domain_dots("(contoso.com|fabrikam.com)"), vec![8, 21]);
        // an escaped backslash before the dot leaves the dot unescaped
        assert_eq!(domain_dots("a\\\\b.com$"), vec![4]);
        // not domain-like: wildcard use, no letters after, no @ and not at the end
        assert_eq!(domain_dots("^Sales.*$"), Vec::<usize>::new());
        assert_eq!(domain_dots("v1.2"), Vec::<usize>::new());
        assert_eq!(domain_dots("ab.cd ef"), Vec::<usize>::new());
    }

    #[test]
    fn anchors_are_seen_at_either_end() {
        for p in [
            "^Sales", "Sales$", "(^a|b)", "\\ASales", "Sales\\z", "(a|b$)",
        ] {
            assert!(is_anchored(p), "{p}");
        }
        for p in ["Sales", "a[^b]c", "price\\$", "a|b"] {
            assert!(!is_anchored(p), "{p}");
        }
    }

    #[test]
    fn dotnet_notes_become_findings_at_their_construct() {
        let text = "app \"A\" {\n  filter \"f\" {\n    displayName REGEX MATCH '^\\w+$'\n  }\n}\n";
        let l = load_text("t.scope", text, None);
        let clause = &l.rules.apps[0].stages[0].filters.groups[0].clauses[0];
        let notes = [Note {
            span: 1..3,
            message: "`\\w` uses Rust's Unicode word class".to_string(),
        }];
        let f = dotnet_note_findings(clause, &notes);
        assert_eq!(f.len(), 1);
        let d = &f[0].diagnostic;
        assert_eq!(d.code, "regex-dotnet-difference");
        let span = d.labels[0].span;
        assert_eq!(&text[span.start..span.end], "\\w");
    }

    #[test]
    fn contradictions_are_found_for_each_kind() {
        let lint_one = |clauses: &str| -> Vec<&'static str> {
            let text = format!("app \"A\" {{\n scope all\n filter \"f\" {{\n{clauses}\n }}\n}}\n");
            let l = load_text("t.scope", &text, None);
            lint(&l, None, &LintOptions::default())
                .iter()
                .map(|f| f.diagnostic.code.as_str())
                .filter(|c| *c == "unsatisfiable-filter")
                .collect()
        };
        let yes = [
            "department EQUALS \"A\"\n department EQUALS \"B\"",
            "department EQUALS \"A\"\n department NOT EQUALS \"A\"",
            "department IS NULL\n department NOT EQUALS \"A\"",
            "department IS NULL\n department IS NOT NULL",
            "accountEnabled IS TRUE\n accountEnabled IS FALSE",
            "department EQUALS \"IT\"\n department Includes \"Sales\"",
            "department EQUALS \"IT\"\n department REGEX MATCH \"^S\"",
            "extensionAttribute1 EQUALS \"5\"\n extensionAttribute1 Greater_Than \"10\"",
        ];
        for c in yes {
            assert_eq!(lint_one(c), vec!["unsatisfiable-filter"], "{c}");
        }
        let no = [
            "department EQUALS \"A\"\n department EQUALS \"A\"",
            "department EQUALS \"A\"\n country EQUALS \"B\"",
            "department IS NULL\n department IS NULL",
            "department EQUALS \"IT\"\n department REGEX MATCH \"^I\"",
            "department NOT EQUALS \"A\"\n department NOT EQUALS \"B\"",
            "extensionAttribute1 EQUALS \"50\"\n extensionAttribute1 Greater_Than \"10\"",
        ];
        for c in no {
            assert!(lint_one(c).is_empty(), "{c}");
        }
    }
}
