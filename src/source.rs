//! Source texts and byte spans.
//!
//! Every rule, clause and value keeps the byte range it came from, so that a diagnostic
//! found late (by the checker, the compiler or the lint) can still point at the exact
//! line and column of the file the administrator wrote. Rules can come from several files
//! (a `.scope` file and the Graph schema JSON files its stages name), so a span is always
//! paired with the [`SourceId`] of the file it indexes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A half-open byte range `start..end` inside one source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (swapped if given backwards).
    pub fn new(start: usize, end: usize) -> Span {
        if end < start {
            Span {
                start: end,
                end: start,
            }
        } else {
            Span { start, end }
        }
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// True for an empty span (a position).
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Span {
        Span::new(r.start, r.end)
    }
}

/// Identifies one text in a [`Sources`] collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct SourceId(pub u32);

/// One source text: a rules file or a Graph schema JSON file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown to the user (the path as given on the command line, or a label).
    pub name: String,
    /// The path on disk, when the text came from a file.
    pub path: Option<PathBuf>,
    /// The full text.
    pub text: Arc<str>,
}

/// A 1-based line and column (column counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    /// Line number, from 1.
    pub line: usize,
    /// Column number in characters, from 1.
    pub column: usize,
}

impl SourceFile {
    /// Line and column of a byte offset (clamped into the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        line_col(&self.text, offset)
    }

    /// The text under a span, or "" when the span does not fit the text.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

/// Line and column of a byte offset inside `text`.
pub fn line_col(text: &str, offset: usize) -> LineCol {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    LineCol { line, column }
}

/// All the texts that rules were read from, so diagnostics can be rendered with context.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// An empty collection.
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Adds a text and returns its id.
    pub fn add(
        &mut self,
        name: impl Into<String>,
        path: Option<&Path>,
        text: impl Into<Arc<str>>,
    ) -> SourceId {
        let id = SourceId(self.files.len() as u32);
        self.files.push(SourceFile {
            name: name.into(),
            path: path.map(Path::to_path_buf),
            text: text.into(),
        });
        id
    }

    /// The file behind an id.
    pub fn get(&self, id: SourceId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// Display name of a source ("" when unknown).
    pub fn name(&self, id: SourceId) -> &str {
        self.get(id).map_or("", |f| f.name.as_str())
    }

    /// The text under a span of a source.
    pub fn slice(&self, id: SourceId, span: Span) -> &str {
        self.get(id).map_or("", |f| f.slice(span))
    }

    /// Iterates over all files with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (SourceId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (SourceId(i as u32), f))
    }

    /// Number of texts.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when no text was added.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "ab\nZoë x\n";
        assert_eq!(line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(line_col(text, 3), LineCol { line: 2, column: 1 });
        // "Zoë " is 5 bytes, 4 characters: the x is at column 5.
        let x = text.find('x').unwrap();
        assert_eq!(line_col(text, x), LineCol { line: 2, column: 5 });
        assert_eq!(line_col(text, 999), LineCol { line: 3, column: 1 });
    }
}
