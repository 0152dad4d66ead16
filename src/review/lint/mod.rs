//! `scopesim lint`: what in a rules file will not do what its author thinks.
//!
//! Entra evaluates scoping filters literally: case-sensitive comparisons (S5, S9, S10),
//! `NOT EQUALS` false on null (S6, S8), regexes that match anywhere (S7), values it cannot
//! read (S4, S18). None of these is an error, so Entra never says a word; the lint says
//! it, with the span to fix and, when a directory is given, how many users it concerns and
//! who. It runs in two layers: static findings need only the rules (everything `check`
//! reports, filters that can never match, regex spellings, integer and suffix spellings),
//! data findings evaluate the rules on the directory through the pipeline, exactly as
//! `plan` does (candidates from assignments, S24), so a count in the lint is a count in
//! the plan. Every analysis works on the evaluated bit sets; the few that look at values
//! (letter case, regex anchoring, suffixes, unreadable, unusual and blank values, guests)
//! read only the values a probe kept while the export streamed (`values.rs`), so a lint
//! takes the memory of a plan, not of the whole directory.
//!
//! As in ruff's `rules/*.rs`, each analysis is a file that can be read whole, named after
//! its code; this file is the driver (options, the two layers, the order of findings),
//! `data.rs` the data pass and what its analyses share, `values.rs` the values they read,
//! `render.rs` the table and JSON.

mod breadth;
mod case_mismatch;
mod constant_matching;
mod contradiction;
mod data;
mod dead_filter;
mod ends_with_culture;
mod integer_shape;
mod mapping_never_flows;
mod mapping_source_absent;
mod never_decides;
mod no_candidates;
mod null_excluded;
mod redundant_filter;
mod regex_spelling;
mod regex_unanchored;
mod render;
pub mod request;
mod unreadable_values;
mod values;
mod whitespace_value;

pub use ends_with_culture::{CultureChar, culture_differs, culture_sensitive_chars};
pub use integer_shape::{IntegerShape, integer_shape};
pub use regex_spelling::{domain_dots, dotnet_note_findings};
pub use regex_unanchored::is_anchored;
pub use render::{LintFormat, render, render_list, to_json};

use super::Finding;
use crate::diag::Severity;
use crate::directory::Directory;
use crate::pipeline::payloads::AppMappingsOf;
use crate::regex::Anchoring;
use crate::rollout::RolloutInputs;
use crate::rules::check::{CheckOptions, check};
use crate::rules::load::LoadedRules;
use crate::rules::{Filter, RuleSet};
use crate::source::SourceId;
use std::collections::HashSet;

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
    lint_with(loaded, data.map(Data::Read), opts)
}

/// What the data findings are computed from.
enum Data<'a> {
    /// A directory in memory, evaluated here.
    Read(LintData<'a>),
    /// A run of the pipeline with the values its probe kept (a streamed export).
    Evaluated(data::DataPass<'a>),
}

impl Data<'_> {
    fn dir(&self) -> &Directory {
        match self {
            Data::Read(d) => d.dir,
            Data::Evaluated(p) => p.dir,
        }
    }
}

/// [`lint`] on what the data findings are computed from.
fn lint_with(loaded: &LoadedRules, data: Option<Data<'_>>, opts: &LintOptions) -> Vec<Finding> {
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
    // S39/S40: the attribute mappings, read as the payload stage reads them.
    let mappings = crate::pipeline::payloads::read_app_mappings(loaded);
    for (app, m) in loaded.rules.apps.iter().zip(&mappings) {
        match m {
            AppMappingsOf::Read(m) => {
                mapping_never_flows::check(app, &m.mappings, &mut out);
                constant_matching::check(app, &m.mappings, &mut out);
                if let Some(data) = &data {
                    mapping_source_absent::check(app, &m.mappings, data.dir(), &mut out);
                }
            }
            AppMappingsOf::Unreadable(e) => {
                out.extend(mapping_errors(app, e, loaded.sources.len()));
            }
            AppMappingsOf::None => {}
        }
    }
    match data {
        Some(Data::Read(d)) => {
            data::data_findings(&loaded.rules, d, opts, &unsatisfiable, &mut out)
        }
        Some(Data::Evaluated(p)) => data::analyse(&loaded.rules, p, opts, &unsatisfiable, &mut out),
        None => {}
    }
    sort_findings(&mut out);
    out
}

/// The errors of mappings that cannot be read, as findings. A label inside an
/// expression's text (which the rules' sources do not hold) is replaced by one on the app.
fn mapping_errors(
    app: &crate::rules::App,
    errors: &crate::diag::Errors,
    known_sources: usize,
) -> Vec<Finding> {
    errors
        .iter()
        .map(|d| {
            let mut d = d.clone();
            d.labels.retain(|l| (l.source.0 as usize) < known_sources);
            if d.labels.is_empty() {
                d = d.with_label(app.source, app.span, "in this app's attribute mappings");
            }
            Finding::new(d)
        })
        .collect()
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

/// The static layer: what the rules alone tell, filter by filter and clause by clause.
/// Unsatisfiable filters are collected in `unsatisfiable` for the data layer.
fn static_findings(
    rules: &RuleSet,
    opts: &LintOptions,
    out: &mut Vec<Finding>,
    unsatisfiable: &mut HashSet<FilterKey>,
) {
    for app in &rules.apps {
        for stage in &app.stages {
            for filter in stage.filters.iter() {
                if let Some(f) = contradiction::check(filter, opts.anchoring) {
                    unsatisfiable.insert(filter_key(filter));
                    out.push(f);
                }
                for clause in &filter.clauses {
                    regex_spelling::check(clause, opts.anchoring, out);
                    integer_shape::check_rule(clause, out);
                    ends_with_culture::check_rule(clause, out);
                }
            }
        }
    }
}
