//! Notes: the known .NET-versus-Rust differences a pattern touches, each reported once
//! with the span of its first occurrence.

use super::parse::{NoteKind, Parser};
use super::tables::is_word_unit;
use std::ops::Range;

impl Parser<'_> {
    pub(super) fn note_word(&mut self, span: Range<usize>) {
        let text = self.text(span.clone());
        self.note(
            NoteKind::Word,
            span,
            format!(
                "`{text}` uses Rust's Unicode word class, which unlike .NET's `[\\p{{L}}\\p{{Mn}}\\p{{Nd}}\\p{{Pc}}]` also contains spacing and enclosing marks (Mc, Me), letter numbers such as `Ⅻ`, symbols such as `Ⓐ`, and U+200C/U+200D"
            ),
        );
    }

    pub(super) fn note_boundary(&mut self, span: Range<usize>) {
        let text = self.text(span.clone());
        self.note(
            NoteKind::Boundary,
            span,
            format!(
                "`{text}` finds word boundaries with Rust's wider word class, so it can differ from .NET next to marks (Mc, Me), letter numbers or symbols such as `Ⓐ`"
            ),
        );
    }

    /// `[:name:]` inside a class: a POSIX class elsewhere, plain characters in .NET.
    pub(super) fn note_posix(&mut self, at: usize) {
        let rest = self.pat.get(at + 2..).unwrap_or("");
        let name_len = rest
            .char_indices()
            .find(|&(_, c)| !is_word_unit(c))
            .map_or(rest.len(), |(i, _)| i);
        if name_len == 0 || !rest[name_len..].starts_with(":]") {
            return;
        }
        let span = at..at + 2 + name_len + 2;
        let text = self.text(span.clone());
        self.note(
            NoteKind::PosixBracket,
            span,
            format!(
                "`{text}` is not a POSIX class in .NET: its characters are matched one by one and its `]` closes the class"
            ),
        );
    }

    pub(super) fn note_case_insensitive(&mut self, span: Range<usize>) {
        self.note(
            NoteKind::CaseInsensitive,
            span,
            "case-insensitive matching uses Unicode simple case folding in Rust and .NET's case-equivalence table in .NET, which differ for a few characters such as the Turkish `İ` and `ı`".to_owned(),
        );
    }
}
