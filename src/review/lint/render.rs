//! Lint findings rendered: a compact located list with a count line, or JSON for CI.
//!
//! The list reads like a compiler's: one line per finding with its location, level and
//! code, then the message, the users it concerns and the help, indented and wrapped to
//! the width. Both keep the order the lint sorted them in (file position, then code), so
//! two runs on the same inputs print the same bytes. Data in messages and examples is
//! escaped for the terminal here, so that colour is the only escape sequence written.

use crate::diag::Severity;
use crate::output::color::{Paint, Tone};
use crate::output::format::counted;
use crate::output::grid::fill;
use crate::review::{Finding, plural};
use crate::source::Sources;
use crate::text::escape_control;
use serde_json::{Value, json};

/// The formats of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    /// A located list that fits the width, with a count line.
    Table,
    /// JSON for CI.
    Json,
}

/// Findings in `format`, laid out in `width` columns with `paint` (text only).
pub fn render(
    findings: &[Finding],
    sources: &Sources,
    format: LintFormat,
    width: usize,
    paint: Paint,
) -> String {
    match format {
        LintFormat::Json => format!("{:#}\n", to_json(findings, sources)),
        LintFormat::Table => render_list(findings, sources, width, paint),
    }
}

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

fn tone(s: Severity) -> Tone {
    match s {
        Severity::Error => Tone::Danger,
        Severity::Warning => Tone::Warn,
        Severity::Info => Tone::Info,
    }
}

/// Findings as a located list wrapped to `width`, followed by a count line.
pub fn render_list(findings: &[Finding], sources: &Sources, width: usize, paint: Paint) -> String {
    if findings.is_empty() {
        return "no findings\n".to_string();
    }
    let mut s = String::new();
    for f in findings {
        let d = &f.diagnostic;
        let code = match d.rule {
            Some(r) => format!("{} ({r})", d.code),
            None => d.code.to_string(),
        };
        let at = escape_control(&crate::review::location(d, sources)).into_owned();
        let at = if at.is_empty() {
            "(rules)".to_string()
        } else {
            at
        };
        s.push_str(&format!(
            "{at}  {}  {}\n",
            paint.paint(Some(tone(d.severity)), d.severity.as_str()),
            paint.paint(Some(Tone::Strong), &code)
        ));
        s.push_str(&fill(
            &format!("  {}", escape_control(&d.message)),
            width,
            "  ",
        ));
        let examples: Vec<String> = f
            .examples
            .iter()
            .map(|e| escape_control(e).into_owned())
            .collect();
        // Examples are users, or values with their counts (`"Sales" (12 users)`).
        let values = examples
            .iter()
            .all(|e| e.ends_with(" user)") || e.ends_with(" users)"));
        match (f.affected, examples.is_empty()) {
            (Some(n), false) => s.push_str(&fill(
                &format!(
                    "  {}{} {}",
                    counted(n, "user", "users"),
                    if values { "; values:" } else { ":" },
                    examples.join(", ")
                ),
                width,
                "    ",
            )),
            (Some(n), true) => {
                s.push_str(&format!("  {}\n", counted(n, "user", "users")));
            }
            (None, false) => s.push_str(&fill(
                &format!("  examples: {}", examples.join(", ")),
                width,
                "    ",
            )),
            (None, true) => {}
        }
        if let Some(h) = &d.help {
            s.push_str(&fill(
                &format!("  help: {}", escape_control(h)),
                width,
                "        ",
            ));
        }
    }
    let n = |sev: Severity| {
        findings
            .iter()
            .filter(|f| f.diagnostic.severity == sev)
            .count()
    };
    s.push_str(&format!(
        "{}: {}, {}, {} info\n",
        plural(findings.len(), "finding"),
        plural(n(Severity::Error), "error"),
        plural(n(Severity::Warning), "warning"),
        n(Severity::Info)
    ));
    s
}
