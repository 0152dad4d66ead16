//! A suite's report rendered: PASS/FAIL per case with what a failure saw, the coverage
//! table and the totals as text, or the whole report as JSON for CI.

use super::run::{FailureExplanation, TestReport};
use crate::review::plural;
use crate::rollout::Candidacy;
use comfy_table::Cell;
use std::fmt::Write;

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
    crate::eval::explain::write_filter_traces(
        s,
        &x.filters,
        &x.input_filters,
        ("matches", "does not match"),
    );
    let _ = writeln!(s, "        why: {}", x.reason);
}

/// The report as JSON.
/// The formats of `scopesim test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    /// Each case, failures explained, coverage (control characters escaped).
    Text,
    /// The report as data, with `min_coverage` and `ok`.
    Json,
}

/// The report in `format`, tables laid out in `width`.
pub fn render(
    report: &TestReport,
    min_coverage: Option<f64>,
    format: TestFormat,
    width: u16,
) -> String {
    match format {
        TestFormat::Json => {
            let v = to_json(report, min_coverage);
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        TestFormat::Text => {
            let text = render_text(report, min_coverage, Some(width));
            crate::text::escape_control(&text).into_owned()
        }
    }
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
