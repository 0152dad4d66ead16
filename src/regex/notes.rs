//! Notes: the constructs whose .NET meaning scopesim reproduces but cannot promise to
//! match exactly, or that mean something else in other dialects; each is reported once,
//! with the span of its first occurrence, and the lint shows it at the construct.

use super::parse::{NoteKind, Parser};
use std::ops::Range;

impl Parser<'_> {
    /// `[:name:]` inside a class, skipped by .NET (`span` covers it).
    pub(super) fn note_posix(&mut self, span: Range<usize>) {
        let text = self.text(span.clone());
        self.note(
            NoteKind::PosixBracket,
            span,
            format!(
                "`{text}` is not a POSIX class in .NET: .NET skips it, so of its characters only the `[` is in the class"
            ),
        );
    }

    pub(super) fn note_case_insensitive(&mut self, span: Range<usize>) {
        self.note(
            NoteKind::CaseInsensitive,
            span,
            "case-insensitive matching uses Unicode simple case folding, while .NET pairs characters by lower-casing them, which differs for a few characters: `ſ` and `s`, `ς` and `σ`, `µ` and `μ`, and, outside the invariant culture, the Turkish `İ` and `i`".to_owned(),
        );
    }
}
