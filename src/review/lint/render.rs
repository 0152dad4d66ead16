//! Lint findings rendered: a terminal table with a count line, or JSON for CI.
//!
//! Both keep the order the lint sorted them in (file position, then code), so two runs
//! on the same inputs print the same bytes.

use crate::diag::Severity;
use crate::review::{Finding, plural};
use crate::source::Sources;
use comfy_table::{Cell, CellAlignment};
use serde_json::{Value, json};

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
            Cell::new(crate::review::location(d, sources)),
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
