//! Errors from the Rust engines, mapped back onto the .NET pattern: the emitter records
//! which bytes of the translation came from which bytes of the .NET pattern, so an error
//! the engine reports at an offset of the translation still points at what the
//! administrator wrote.

use super::RegexError;
use std::ops::Range;

/// Pieces of the translated pattern and the .NET bytes they came from.
#[derive(Debug, Default)]
pub(super) struct OffsetMap {
    pub(super) entries: Vec<(Range<usize>, Range<usize>)>,
}

impl OffsetMap {
    pub(super) fn push(&mut self, rust: Range<usize>, dotnet: Range<usize>) {
        self.entries.push((rust, dotnet));
    }

    /// The .NET span of the narrowest translated piece that contains `offset`.
    pub(super) fn lookup(&self, offset: usize) -> Option<Range<usize>> {
        self.entries
            .iter()
            .filter(|(rust, _)| rust.start <= offset && offset < rust.end.max(rust.start + 1))
            .min_by_key(|(rust, _)| rust.end - rust.start)
            .map(|(_, dotnet)| dotnet.clone())
    }
}

pub(super) const TOO_BIG_HELP: &str =
    "reduce large repetition counts such as `{1000}`, especially on `\\w` or other Unicode classes";

pub(super) fn linear_error(err: &regex::Error, map: &OffsetMap, len: usize) -> RegexError {
    match err {
        regex::Error::CompiledTooBig(limit) => RegexError::new(
            0..len,
            format!("pattern is too large: it compiles to more than {limit} bytes"),
        )
        .with_help(TOO_BIG_HELP),
        other => {
            let text = other.to_string();
            let span = caret_offset(&text)
                .and_then(|offset| map.lookup(offset))
                .unwrap_or(0..len);
            let detail = text
                .lines()
                .find_map(|line| line.strip_prefix("error: "))
                .unwrap_or(text.as_str());
            RegexError::new(
                span,
                format!("the regex engine rejects this pattern: {}", tidy(detail)),
            )
        }
    }
}

pub(super) fn backtracking_error(
    err: &fancy_regex::Error,
    map: &OffsetMap,
    len: usize,
) -> RegexError {
    match err {
        fancy_regex::Error::ParseError(offset, detail) => RegexError::new(
            map.lookup(*offset).unwrap_or(0..len),
            format!(
                "the backtracking engine rejects this pattern: {}",
                tidy(&detail.to_string())
            ),
        ),
        fancy_regex::Error::CompileError(inner) if matches!(&**inner, fancy_regex::CompileError::InnerError(build) if build.size_limit().is_some()) => {
            RegexError::new(0..len, "pattern is too large to compile").with_help(TOO_BIG_HELP)
        }
        other => {
            let text = other.to_string();
            if text.contains("size limit") {
                return RegexError::new(0..len, "pattern is too large to compile")
                    .with_help(TOO_BIG_HELP);
            }
            RegexError::new(
                0..len,
                format!(
                    "the backtracking engine rejects this pattern: {}",
                    tidy(&text)
                ),
            )
        }
    }
}

/// The byte offset of the first `^` marker in a regex-syntax error rendering of a
/// single-line ASCII pattern.
pub(super) fn caret_offset(text: &str) -> Option<usize> {
    let mut lines = text.lines().skip(1);
    let _pattern_line = lines.next()?;
    let marker = lines.next()?;
    let start = marker.find('^')?;
    if !marker.trim().chars().all(|c| c == '^' || c == ' ') {
        return None;
    }
    start.checked_sub(4)
}

/// Lowercases the first letter and drops a trailing period.
pub(super) fn tidy(message: &str) -> String {
    let trimmed = message.trim().trim_end_matches('.');
    let mut chars = trimmed.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
