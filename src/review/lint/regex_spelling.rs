//! `regex-unescaped-dot` (S7) and `regex-dotnet-difference` (S19): how a pattern is
//! spelled, from the rules alone.
//!
//! A `.` in `@contoso.com` matches any character, so `@contosoXcom` passes too; and a few
//! .NET constructs mean something slightly different on the Rust engines scopesim runs
//! (the translator's notes). Both are static: they need no directory, and point at the
//! character or construct inside the pattern.

use crate::diag::{Code, Diagnostic};
use crate::regex::{Anchoring, DotnetRegex};
use crate::review::Finding;
use crate::rules::Clause;

/// Unescaped dots in domain-like patterns, and .NET-vs-Rust differences (S7, S19).
pub(super) fn check(clause: &Clause, anchoring: Anchoring, out: &mut Vec<Finding>) {
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

/// True when byte `i` is preceded by an odd number of backslashes.
pub(super) fn escaped(b: &[u8], i: usize) -> bool {
    b[..i].iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 1
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
}
