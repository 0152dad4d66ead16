//! CSV row errors as the user sees them: `file:line:column` where the column is the
//! character column of the offending field's start (what an editor jumps to), the same for
//! quote, field-count and UTF-8 errors; the first [`MAX_ROW_ERRORS`] in full, then a
//! count; under `--skip-bad-rows`, one warning with examples.

use super::record::Problem;
use crate::diag::{Code, Diagnostic, FileLocation};

/// Row errors described in full per file; the rest are counted.
pub(crate) const MAX_ROW_ERRORS: usize = 20;

/// Examples listed in the `--skip-bad-rows` warning.
const SKIP_EXAMPLES: usize = 5;

/// Where a problem is, in file terms, ready to report.
#[derive(Debug, Clone)]
pub(crate) struct RowError {
    /// Physical line of the offending field (or of the record's end).
    pub line: u64,
    /// 1-based character column of the offending field's start.
    pub column: u64,
    /// 1-based data record number.
    pub record: u64,
    /// What is wrong.
    pub problem: Problem,
}

/// The diagnostic for a row error.
pub(crate) fn row_diagnostic(shown: &str, headers: &[String], e: &RowError) -> Diagnostic {
    let name = |i: usize| match headers.get(i) {
        Some(h) => format!("`{h}`"),
        None => "beyond the header".to_string(),
    };
    let (code, message, help) = match e.problem {
        Problem::TooManyFields { fields, field, .. } => (
            Code::CsvTooManyFields,
            format!(
                "row has {fields} fields but the header has {}; field {} has no header",
                headers.len(),
                field + 1
            ),
            "quote values that contain the delimiter, or remove the extra fields",
        ),
        Problem::TooFewFields { fields, .. } => (
            Code::CsvTooFewFields,
            format!(
                "row has {fields} field{} but the header has {}",
                if fields == 1 { "" } else { "s" },
                headers.len()
            ),
            "the row is cut short or a value holds an unquoted line break: complete the row (empty values are written as nothing between two delimiters)",
        ),
        Problem::Unterminated { field, .. } => (
            Code::CsvUnterminatedQuote,
            format!(
                "unterminated quote in field {} ({}): the quoted value runs to the end of the file",
                field + 1,
                name(field)
            ),
            "close the quote; a quote inside a quoted value is written twice (`\"\"`)",
        ),
        Problem::BareQuote { field, .. } => (
            Code::CsvBareQuote,
            format!(
                "quote inside unquoted field {} ({})",
                field + 1,
                name(field)
            ),
            "put the whole value in quotes and double the quotes inside it (`\"12\"\" screen\"`)",
        ),
        Problem::TextAfterQuote { field, .. } => (
            Code::CsvTextAfterQuote,
            format!(
                "text after the closing quote of field {} ({})",
                field + 1,
                name(field)
            ),
            "a quote inside a quoted value is written twice (`\"\"`)",
        ),
    };
    let mut loc = FileLocation::file(shown)
        .at_line(e.line)
        .at_column(e.column);
    if e.record > 0 {
        loc = loc.at_record(e.record);
    }
    Diagnostic::error(code, message).at(loc).with_help(format!(
        "{help}; or pass `--skip-bad-rows` to leave such rows out (they are counted)"
    ))
}

/// Row errors of a file as diagnostics: up to [`MAX_ROW_ERRORS`], then a count.
pub(crate) fn row_diagnostics(
    shown: &str,
    headers: &[String],
    errors: &[RowError],
    total: u64,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = errors
        .iter()
        .take(MAX_ROW_ERRORS)
        .map(|e| row_diagnostic(shown, headers, e))
        .collect();
    let shown_count = out.len() as u64;
    if total > shown_count {
        out.push(
            Diagnostic::error(
                Code::CsvMoreErrors,
                format!("and {} more row errors in `{shown}`", total - shown_count),
            )
            .at(FileLocation::file(shown))
            .with_help("fix the rows above and read again to see the rest"),
        );
    }
    out
}

/// The warning for rows skipped under `--skip-bad-rows`.
pub(crate) fn skipped_warning(
    shown: &str,
    headers: &[String],
    errors: &[RowError],
    total: u64,
) -> Diagnostic {
    let examples: Vec<String> = errors
        .iter()
        .take(SKIP_EXAMPLES)
        .map(|e| {
            format!(
                "line {}: {}",
                e.line,
                row_diagnostic(shown, headers, e).message
            )
        })
        .collect();
    let more = if total > examples.len() as u64 {
        format!("; and {} more", total - examples.len() as u64)
    } else {
        String::new()
    };
    let mut loc = FileLocation::file(shown);
    if let Some(first) = errors.first() {
        loc = loc.at_line(first.line).at_record(first.record);
    }
    Diagnostic::warning(
        Code::CsvSkippedRows,
        format!(
            "skipped {total} malformed row{} in `{shown}` ({}{more})",
            if total == 1 { "" } else { "s" },
            examples.join("; ")
        ),
    )
    .at(loc)
    .with_help("the skipped users are left out of the simulation; fix the rows and read again without `--skip-bad-rows` to see every error")
}

/// The error for an invalid UTF-8 byte at a line and (character) column.
pub(crate) fn utf8_error(shown: &str, line: u64, column: u64) -> Diagnostic {
    Diagnostic::error(
        Code::Encoding,
        format!("`{shown}` is not valid UTF-8 (column {column})"),
    )
    .at(FileLocation::file(shown).at_line(line).at_column(column))
    .with_help(
        "re-export with `-Encoding UTF8` (PowerShell) or save the file as UTF-8 or UTF-16; \
         Windows PowerShell's default ANSI encoding is not supported",
    )
}
