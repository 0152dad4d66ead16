//! Source excerpts for terminal rendering: the lines around a diagnostic's marks, with
//! long lines cut to a window around the marks and control characters escaped.
//!
//! A minified Graph schema is one line of megabytes. Printing it whole under every
//! diagnostic wrote gigabytes to stderr, and the rendering library panics on lines wider
//! than 65,535 columns. Rules files are also user input: an escape sequence inside a
//! quoted value must not reach the terminal raw. So when the lines to show are long or
//! hold unsafe characters, the renderer gets this excerpt instead of the whole text: the
//! same line numbers and the true line and column of the primary mark, with only what
//! fits around the marks.

use crate::source::{SourceFile, Span};
use crate::text::is_unsafe_for_terminal;
use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Lines longer than this (in characters) are cut around the marks.
pub const MAX_LINE_CHARS: usize = 160;
/// Characters kept before the first mark of a cut line.
const LEAD: usize = 48;
/// Lines around the marks that are shown.
const CONTEXT_LINES: usize = 1;
/// Marks further than this many lines from the primary mark are left out of the excerpt
/// (the caller lists them as "see also").
pub const MAX_LINE_DISTANCE: usize = 10;

/// An excerpt of one source text, implementing miette's [`SourceCode`].
#[derive(Debug, Clone)]
pub struct Excerpt {
    name: String,
    text: String,
    /// 0-based line number of the excerpt's first line in the source.
    first_line: usize,
    /// The primary mark in the excerpt, and its true 0-based line and column.
    primary: (Span, usize, usize),
    /// Byte offsets: (offset in the source, offset in the excerpt) of every kept
    /// character, in order, plus the end of each kept window.
    map: Vec<(usize, usize)>,
}

/// The 0-based start offsets of the lines of `text`.
fn line_starts(text: &str) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
    v
}

/// True when the lines shown for `spans` are too long or hold unsafe characters.
pub fn needed(file: &SourceFile, spans: &[Span]) -> bool {
    let text: &str = &file.text;
    let starts = line_starts(text);
    spans.iter().any(|s| {
        let (a, b) = shown_lines(&starts, *s);
        (a..=b).any(|l| {
            let line = line_text(text, &starts, l);
            line.len() > MAX_LINE_CHARS || line.chars().any(is_unsafe_for_terminal)
        })
    })
}

fn line_of(starts: &[usize], offset: usize) -> usize {
    starts.partition_point(|&s| s <= offset).saturating_sub(1)
}

fn shown_lines(starts: &[usize], s: Span) -> (usize, usize) {
    let a = line_of(starts, s.start).saturating_sub(CONTEXT_LINES);
    let b = (line_of(starts, s.end.max(s.start)) + CONTEXT_LINES).min(starts.len() - 1);
    (a, b)
}

fn line_text<'t>(text: &'t str, starts: &[usize], line: usize) -> &'t str {
    let start = starts.get(line).copied().unwrap_or(text.len());
    let end = starts
        .get(line + 1)
        .map_or(text.len(), |&e| e.saturating_sub(1));
    let s = text.get(start..end.max(start)).unwrap_or("");
    s.strip_suffix('\r').unwrap_or(s)
}

impl Excerpt {
    /// The excerpt of `file` for the marks `spans`, `primary` first among them. Marks
    /// more than [`MAX_LINE_DISTANCE`] lines from the primary are not in the excerpt.
    pub fn new(file: &SourceFile, primary: Span, spans: &[Span]) -> Excerpt {
        let text: &str = &file.text;
        let starts = line_starts(text);
        let pline = line_of(&starts, primary.start);
        let near: Vec<Span> = spans
            .iter()
            .copied()
            .filter(|s| line_of(&starts, s.start).abs_diff(pline) <= MAX_LINE_DISTANCE)
            .collect();
        let mut first = usize::MAX;
        let mut last = 0;
        for s in near.iter().chain(std::iter::once(&primary)) {
            let (a, b) = shown_lines(&starts, *s);
            first = first.min(a);
            last = last.max(b);
        }
        let mut out = String::new();
        let mut map = Vec::new();
        for l in first..=last {
            let line_start = starts.get(l).copied().unwrap_or(text.len());
            let line = line_text(text, &starts, l);
            let chars: Vec<(usize, char)> = line.char_indices().collect();
            let (from, to) = window(&chars, line_start, &near, line.len());
            if from > 0 {
                out.push('…');
            }
            for &(i, c) in chars.get(from..to).unwrap_or(&[]) {
                map.push((line_start + i, out.len()));
                if is_unsafe_for_terminal(c) {
                    out.push_str(&format!("\\u{{{:x}}}", c as u32));
                } else {
                    out.push(c);
                }
            }
            let end_orig = chars
                .get(to)
                .map_or(line_start + line.len(), |&(i, _)| line_start + i);
            map.push((end_orig, out.len()));
            if to < chars.len() {
                out.push('…');
            }
            if l < last {
                out.push('\n');
            }
        }
        let lc = file.line_col(primary.start);
        let mut e = Excerpt {
            name: file.name.clone(),
            text: out,
            first_line: first,
            primary: (
                Span::default(),
                lc.line.saturating_sub(1),
                lc.column.saturating_sub(1),
            ),
            map,
        };
        e.primary.0 = e.map_span(primary);
        e
    }

    /// Where a source offset is in the excerpt (the nearest kept character at or after it).
    fn map_offset(&self, offset: usize) -> usize {
        let i = self.map.partition_point(|&(o, _)| o < offset);
        match self.map.get(i) {
            Some(&(_, n)) => n,
            None => self.text.len(),
        }
    }

    /// A source span in excerpt offsets.
    pub fn map_span(&self, s: Span) -> Span {
        let start = self.map_offset(s.start);
        let end = self.map_offset(s.end).max(start);
        Span::new(start, end)
    }

    /// The primary mark, in excerpt offsets.
    #[cfg(test)]
    pub fn primary(&self) -> Span {
        self.primary.0
    }
}

/// The char range of a line to keep: the whole line when short; else a window of
/// [`MAX_LINE_CHARS`] starting a little before the first mark on the line.
fn window(
    chars: &[(usize, char)],
    line_start: usize,
    spans: &[Span],
    len: usize,
) -> (usize, usize) {
    if chars.len() <= MAX_LINE_CHARS {
        return (0, chars.len());
    }
    let line_end = line_start + len;
    let first_mark = spans
        .iter()
        .filter(|s| s.start <= line_end && s.end >= line_start)
        .map(|s| s.start.max(line_start) - line_start)
        .min();
    let from = match first_mark {
        Some(byte) => chars
            .partition_point(|&(i, _)| i < byte)
            .saturating_sub(LEAD),
        None => 0,
    };
    (from, (from + MAX_LINE_CHARS).min(chars.len()))
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        // The header names the primary mark's true position, not its place in the cut.
        let is_primary = before == 0
            && after == 0
            && span.offset() == self.primary.0.start
            && span.len() == self.primary.0.len();
        let (line, column) = if is_primary {
            (self.primary.1, self.primary.2)
        } else {
            (inner.line() + self.first_line, inner.column())
        };
        Ok(Box::new(
            MietteSpanContents::new_named(
                self.name.clone(),
                inner.data(),
                *inner.span(),
                line,
                column,
                inner.line_count(),
            )
            .with_language("scopesim"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Sources;

    fn file(text: &str) -> SourceFile {
        let mut s = Sources::new();
        let id = s.add("f.json", None, text);
        s.get(id).unwrap().clone()
    }

    #[test]
    fn long_lines_are_cut_around_the_mark_with_the_true_position() {
        let text = format!("{{\"a\":\"{}\",\"op\":\"EQUAL\"}}", "x".repeat(100_000));
        let f = file(&text);
        let at = text.find("EQUAL").unwrap();
        let span = Span::new(at, at + 5);
        assert!(needed(&f, &[span]));
        let e = Excerpt::new(&f, span, &[span]);
        assert!(
            e.text.chars().count() <= MAX_LINE_CHARS + 2,
            "{}",
            e.text.len()
        );
        assert!(e.text.starts_with('…'));
        let m = e.primary();
        assert_eq!(&e.text[m.start..m.end], "EQUAL");
        assert_eq!(e.primary.1, 0);
        assert_eq!(e.primary.2, at);
    }

    #[test]
    fn control_characters_in_sources_are_escaped() {
        let text = "app \"A\u{1b}[2J\" {\n  scope sometimes\n}\n";
        let f = file(text);
        let at = text.find("sometimes").unwrap();
        let span = Span::new(at, at + 9);
        assert!(needed(&f, &[span]));
        let e = Excerpt::new(&f, span, &[span]);
        assert!(!e.text.contains('\u{1b}'));
        assert!(e.text.contains("\\u{1b}[2J"));
        let m = e.primary();
        assert_eq!(&e.text[m.start..m.end], "sometimes");
        assert_eq!((e.primary.1, e.primary.2), (1, 8));
    }

    #[test]
    fn short_clean_lines_need_no_excerpt() {
        let f = file("app \"A\" {\n  scope all\n}\n");
        assert!(!needed(&f, &[Span::new(12, 17)]));
    }
}
