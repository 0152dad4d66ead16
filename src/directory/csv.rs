//! CSV exports (Entra "Download users", PowerShell `Export-Csv`), read in parallel blocks.
//!
//! A million users is a 250 MB file that must load in a fraction of a second on two cores,
//! without holding the file in memory. So the file is read in large blocks (8 MiB) with
//! plain `read`, hashed and decoded on the way by one reader thread, and each block is cut
//! at its last record boundary and handed to rayon, which parses it into one [`Chunk`]
//! holding only the selected columns (values go straight into the column buffers; no
//! `String` per field). Chunks are appended in file order, and line numbers are fixed up
//! afterwards from each block's newline count, so errors name physical lines.
//!
//! Cutting needs to know whether a newline is inside quotes. The fast cut counts quotes
//! (vectorised) and takes the last newline after an even number of them, which is exact
//! for any well-formed file. A bare quote inside an unquoted field breaks that parity, so
//! the block parser flags such *anomalies*; if any block has one, the file is read again
//! with cuts found by the same state machine the parser uses (slower, and only for files
//! that have errors anyway). Both ways, the records are those of one state machine: a
//! quote opens a quoted field only at the start of a field, `""` inside quotes is a quote,
//! and a record ends at a newline outside quotes (`\r\n` or `\n`). Empty lines are skipped.
//!
//! Fields are keyed by header name, mapped with [`schema::canonical_name`] (spec S3);
//! values are kept as written, untrimmed; empty is null (S1).

use super::encoding::{self, Decoder, Encoding, HashingReader};
use super::read::{Progress, Visit};
use super::{Chunk, ColId, ColumnData, ColumnKind, ColumnSelection, DirectoryBuilder, TextColumn};
use crate::diag::{Code, Diagnostic, Errors, FileLocation};
use crate::schema;
use rayon::prelude::*;
use std::any::Any;
use std::io::{self, Read};

/// Bytes per block: large enough that per-block costs vanish, small enough to keep a few
/// in flight per core.
pub(crate) const DEFAULT_BLOCK: usize = 8 << 20;

/// Row errors described in full per file; the rest are counted.
pub(crate) const MAX_ROW_ERRORS: usize = 20;

/// Examples listed in the `--skip-bad-rows` warning.
const SKIP_EXAMPLES: usize = 5;

/// What is wrong with a row. Field numbers are 0-based here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Problem {
    /// More fields than the header has.
    TooManyFields(usize),
    /// A quoted field still open at the end of the file.
    Unterminated(usize),
    /// A `"` inside a field that did not start with one.
    BareQuote(usize),
    /// Something other than a delimiter or line end after a closing quote.
    TextAfterQuote(usize),
}

impl Problem {
    /// Problems that can make quote parity disagree with the state machine.
    fn is_anomaly(self) -> bool {
        matches!(self, Problem::BareQuote(_) | Problem::TextAfterQuote(_))
    }
}

/// A field of a record: byte range in the block, and whether it holds `""` escapes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    start: usize,
    end: usize,
    escaped: bool,
}

/// Bytes that end an unquoted field or make it suspicious.
fn special_table(delim: u8) -> [bool; 256] {
    let mut t = [false; 256];
    t[usize::from(delim)] = true;
    t[usize::from(b'\n')] = true;
    t[usize::from(b'"')] = true;
    t
}

/// The first position at or after `p` holding the delimiter, a quote or a newline (or
/// `buf.len()`). Eight bytes at a time: for each, `has(b)` sets the high bit of every byte
/// equal to `b` (the lowest set bit is exact; higher ones may be false positives, so only
/// the lowest is used), then the table confirms.
#[inline]
fn skip_plain(buf: &[u8], mut p: usize, delim: u8, special: &[bool; 256]) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has = |x: u64, b: u8| -> u64 {
        let y = x ^ (LO * u64::from(b));
        y.wrapping_sub(LO) & !y & HI
    };
    while let Some(word) = buf.get(p..p + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let x = u64::from_le_bytes(w);
        let m = has(x, delim) | has(x, b'"') | has(x, b'\n');
        if m == 0 {
            p += 8;
            continue;
        }
        let at = p + (m.trailing_zeros() / 8) as usize;
        // the lowest flagged byte is a real match
        return at;
    }
    while p < buf.len() && !special[usize::from(buf[p])] {
        p += 1;
    }
    p
}

/// Parses the record starting at `pos` into `fields`; returns the position after it
/// (past its newline, or the end of `buf`), its first problem, and whether a newline ended
/// it (a record cut off by the end of `buf` may go on in the next block).
pub(crate) fn parse_record(
    buf: &[u8],
    pos: usize,
    delim: u8,
    special: &[bool; 256],
    fields: &mut Vec<Field>,
) -> (usize, Option<Problem>, bool) {
    let n = buf.len();
    fields.clear();
    let mut problem: Option<Problem> = None;
    let mut p = pos;
    loop {
        let idx = fields.len();
        if buf.get(p) == Some(&b'"') {
            let start = p + 1;
            let mut q = start;
            let mut escaped = false;
            loop {
                match memchr::memchr(b'"', buf.get(q..).unwrap_or(&[])) {
                    None => {
                        fields.push(Field {
                            start,
                            end: n,
                            escaped,
                        });
                        return (
                            n,
                            Some(problem.unwrap_or(Problem::Unterminated(idx))),
                            false,
                        );
                    }
                    Some(i) => {
                        let at = q + i;
                        if buf.get(at + 1) == Some(&b'"') {
                            escaped = true;
                            q = at + 2;
                        } else {
                            fields.push(Field {
                                start,
                                end: at,
                                escaped,
                            });
                            p = at + 1;
                            break;
                        }
                    }
                }
            }
            match buf.get(p) {
                None => return (n, problem, false),
                Some(&b) if b == delim => p += 1,
                Some(b'\n') => return (p + 1, problem, true),
                Some(b'\r') if matches!(buf.get(p + 1), None | Some(b'\n')) => {
                    let complete = p + 1 < n;
                    return ((p + 2).min(n), problem, complete);
                }
                Some(_) => {
                    problem.get_or_insert(Problem::TextAfterQuote(idx));
                    // The rest of the field is taken literally, as the state machine does.
                    while p < n && buf[p] != delim && buf[p] != b'\n' {
                        p += 1;
                    }
                    match buf.get(p) {
                        None => return (n, problem, false),
                        Some(b'\n') => return (p + 1, problem, true),
                        Some(_) => p += 1,
                    }
                }
            }
        } else {
            let start = p;
            p = skip_plain(buf, p, delim, special);
            if p < n && buf[p] == b'"' {
                problem.get_or_insert(Problem::BareQuote(idx));
                while p < n && buf[p] != delim && buf[p] != b'\n' {
                    p += 1;
                }
            }
            if p >= n {
                // A last line ending in a lone `\r` (CRLF file cut before its LF).
                let end = if n > start && buf[n - 1] == b'\r' {
                    n - 1
                } else {
                    n
                };
                fields.push(Field {
                    start,
                    end,
                    escaped: false,
                });
                return (n, problem, false);
            }
            if buf[p] == b'\n' {
                let end = if p > start && buf[p - 1] == b'\r' {
                    p - 1
                } else {
                    p
                };
                fields.push(Field {
                    start,
                    end,
                    escaped: false,
                });
                return (p + 1, problem, true);
            }
            fields.push(Field {
                start,
                end: p,
                escaped: false,
            });
            p += 1;
        }
    }
}

/// Length of an empty line at `pos` (`\n` or `\r\n`), if there is one.
fn empty_line(buf: &[u8], pos: usize) -> Option<usize> {
    match buf.get(pos) {
        Some(b'\n') => Some(1),
        Some(b'\r') if buf.get(pos + 1) == Some(&b'\n') => Some(2),
        _ => None,
    }
}

/// The text of a field, with `""` unescaped into `scratch` when needed.
fn field_text<'a>(text: &'a str, f: Field, scratch: &'a mut String) -> &'a str {
    let raw = text.get(f.start..f.end).unwrap_or("");
    if !f.escaped {
        return raw;
    }
    scratch.clear();
    for (i, part) in raw.split("\"\"").enumerate() {
        if i > 0 {
            scratch.push('"');
        }
        scratch.push_str(part);
    }
    scratch.as_str()
}

/// How blocks are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// Last newline after an even number of quotes (fast; exact for well-formed files).
    Parity,
    /// Last record end found by the parser's state machine.
    Exact,
}

/// Offset just past the last record boundary in `buf` (which starts at a record start).
fn last_boundary(buf: &[u8], cut: Cut, delim: u8, special: &[bool; 256]) -> Option<usize> {
    match cut {
        Cut::Parity => {
            let total = count_byte(buf, b'"');
            let mut after = 0usize;
            let mut end = buf.len();
            while let Some(nl) = memchr::memrchr(b'\n', &buf[..end]) {
                after += count_byte(&buf[nl..end], b'"');
                if (total - after) % 2 == 0 {
                    return Some(nl + 1);
                }
                end = nl;
            }
            None
        }
        Cut::Exact => {
            let mut fields = Vec::new();
            let mut pos = 0;
            let mut last = None;
            while pos < buf.len() {
                let (next, _, complete) = parse_record(buf, pos, delim, special, &mut fields);
                // A record cut off by the end of the buffer may go on in the next read.
                if !complete {
                    break;
                }
                last = Some(next);
                pos = next;
            }
            last
        }
    }
}

/// Counts a byte. Written with byte-wide lane counters so that the compiler vectorises it
/// even for baseline x86-64 (a `filter().count()` sums into 64-bit lanes, 8x slower).
pub(crate) fn count_byte(buf: &[u8], b: u8) -> usize {
    const LANES: usize = 64;
    let mut total = 0usize;
    let mut acc = [0u8; LANES];
    let mut rounds = 0u32;
    let mut chunks = buf.chunks_exact(LANES);
    for c in &mut chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a += u8::from(x == b);
        }
        rounds += 1;
        if rounds == 255 {
            total += acc.iter().map(|&a| usize::from(a)).sum::<usize>();
            acc = [0; LANES];
            rounds = 0;
        }
    }
    total += acc.iter().map(|&a| usize::from(a)).sum::<usize>();
    total + chunks.remainder().iter().filter(|&&x| x == b).count()
}

/// The `,` or `;` that occurs more often outside quotes in the header (`,` on a tie).
fn detect_delimiter(header: &[u8]) -> u8 {
    let (mut commas, mut semis, mut quoted) = (0usize, 0usize, false);
    for &b in header {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semis += 1,
            _ => {}
        }
    }
    if semis > commas { b';' } else { b',' }
}

/// Bytes of a leading `#TYPE ...` line (Windows PowerShell 5.1), including its newline.
fn type_line_len(buf: &[u8]) -> Option<usize> {
    if buf.len() >= 5 && buf[..5].eq_ignore_ascii_case(b"#TYPE") {
        memchr::memchr(b'\n', buf).map(|i| i + 1)
    } else {
        None
    }
}

/// Where a problem is, in file terms, ready to report.
#[derive(Debug, Clone)]
pub(crate) struct RowError {
    /// Physical line where the record starts.
    pub line: u64,
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
    let (code, column, message, help) = match e.problem {
        Problem::TooManyFields(n) => (
            Code::CsvTooManyFields,
            headers.len() + 1,
            format!(
                "row has {n} fields but the header has {}; field {} has no header",
                headers.len(),
                headers.len() + 1
            ),
            "quote values that contain the delimiter, or remove the extra fields".to_string(),
        ),
        Problem::Unterminated(f) => (
            Code::CsvUnterminatedQuote,
            f + 1,
            format!(
                "unterminated quote in field {} ({}): the quoted value runs to the end of the file",
                f + 1,
                name(f)
            ),
            "close the quote; a quote inside a quoted value is written twice (`\"\"`)".to_string(),
        ),
        Problem::BareQuote(f) => (
            Code::CsvBareQuote,
            f + 1,
            format!("quote inside unquoted field {} ({})", f + 1, name(f)),
            "put the whole value in quotes and double the quotes inside it (`\"12\"\" screen\"`)"
                .to_string(),
        ),
        Problem::TextAfterQuote(f) => (
            Code::CsvTextAfterQuote,
            f + 1,
            format!(
                "text after the closing quote of field {} ({})",
                f + 1,
                name(f)
            ),
            "a quote inside a quoted value is written twice (`\"\"`)".to_string(),
        ),
    };
    Diagnostic::error(code, message)
        .at(FileLocation::file(shown)
            .at_line(e.line)
            .at_column(column as u64)
            .at_record(e.record))
        .with_help(format!(
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

/// Settings for reading one CSV input.
#[derive(Debug, Clone)]
pub(crate) struct CsvOptions {
    /// Forced delimiter.
    pub delimiter: Option<u8>,
    /// Skip (and count) malformed rows instead of failing.
    pub skip_bad_rows: bool,
    /// Block size (tests use tiny blocks to cut inside quoted fields).
    pub block_size: usize,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: None,
            skip_bad_rows: false,
            block_size: DEFAULT_BLOCK,
        }
    }
}

/// What reading a CSV input produced besides its rows (which went into the builder).
#[derive(Debug, Clone)]
pub(crate) struct CsvSummary {
    pub sha256: String,
    pub bytes: u64,
    pub records: u64,
    pub skipped: u64,
    pub encoding: Encoding,
    pub delimiter: u8,
    pub warnings: Vec<Diagnostic>,
}

/// The header of a file and where its data starts.
struct Header {
    names: Vec<String>,
    delimiter: u8,
    /// Offset of the first data byte in the first buffer.
    data_start: usize,
    /// Physical line where the header starts.
    line: u64,
    /// Physical line of the first data byte.
    data_line: u64,
    /// Problems to report as warnings.
    warnings: Vec<Diagnostic>,
}

fn io_error(shown: &str, e: &io::Error) -> Diagnostic {
    Diagnostic::error(Code::Io, format!("cannot read `{shown}`: {e}"))
        .at(FileLocation::file(shown))
        .with_help("check the path and that the file is readable")
}

fn utf8_error(shown: &str, line: u64, column: u64) -> Diagnostic {
    Diagnostic::error(
        Code::Encoding,
        format!("`{shown}` is not valid UTF-8 (byte column {column})"),
    )
    .at(FileLocation::file(shown).at_line(line).at_column(column))
    .with_help(
        "re-export with `-Encoding UTF8` (PowerShell) or save the file as UTF-8 or UTF-16; \
         Windows PowerShell's default ANSI encoding is not supported",
    )
}

/// Reads the header record from the start of the decoded stream (reading more of it into
/// `buf` as needed).
fn read_header<R: Read>(
    dec: &mut R,
    buf: &mut Vec<u8>,
    eof: &mut bool,
    shown: &str,
    forced: Option<u8>,
) -> Result<Header, Errors> {
    let mut start = 0usize;
    let mut line = 1u64;
    loop {
        // `#TYPE` line first, when complete.
        let type_len = if start == 0 { type_line_len(buf) } else { None };
        if let Some(len) = type_len {
            start = len;
            line = 2;
            continue;
        }
        let looking_for_type =
            start == 0 && buf.len() >= 5 && buf[..5].eq_ignore_ascii_case(b"#TYPE");
        let rest = &buf[start..];
        let parity_end = first_record_end(rest);
        if looking_for_type || (parity_end.is_none() && !*eof) {
            if *eof {
                break;
            }
            let want = (buf.len() * 2).max(1 << 16);
            *eof = encoding::fill(dec, buf, want).map_err(|e| vec![io_error(shown, &e)])?;
            continue;
        }
        break;
    }
    let rest = &buf[start..];
    // Skip empty lines before the header.
    let mut skip = 0;
    while let Some(n) = empty_line(rest, skip) {
        skip += n;
        line += 1;
    }
    let rest = &rest[skip..];
    let header_end = first_record_end(rest).unwrap_or(rest.len());
    let header_bytes = &rest[..header_end];
    let header_text = std::str::from_utf8(header_bytes).map_err(|e| {
        let (l, c) = encoding::line_col(header_bytes, e.valid_up_to(), line);
        vec![utf8_error(shown, l, c)]
    })?;
    if header_text.trim().is_empty() {
        return Err(Errors::from(vec![
            Diagnostic::error(Code::CsvNoHeader, format!("`{shown}` has no header line"))
                .at(FileLocation::file(shown).at_line(line))
                .with_help(
                    "the first line must name the columns, e.g. `userPrincipalName,department`",
                ),
        ]));
    }
    let delimiter = forced.unwrap_or_else(|| detect_delimiter(header_bytes));
    let special = special_table(delimiter);
    let mut fields = Vec::new();
    let (end, problem, _) = parse_record(header_bytes, 0, delimiter, &special, &mut fields);
    if let Some(p) = problem {
        let e = RowError {
            line,
            record: 0,
            problem: p,
        };
        let mut d = row_diagnostic(shown, &[], &e);
        d.message = format!("in the header: {}", d.message);
        d.location = Some(Box::new(FileLocation::file(shown).at_line(line)));
        return Err(Errors::from(vec![d]));
    }
    let mut scratch = String::new();
    let names: Vec<String> = fields
        .iter()
        .map(|f| field_text(header_text, *f, &mut scratch).trim().to_string())
        .collect();
    let consumed = header_bytes[..end.min(header_bytes.len())].len();
    let data_line = line + count_byte(&header_bytes[..consumed], b'\n') as u64;
    Ok(Header {
        names,
        delimiter,
        data_start: start + skip + header_end,
        line,
        data_line,
        warnings: Vec::new(),
    })
}

/// The first newline after an even number of quotes (the end of the first record, unless
/// it has a bare quote), as an offset just past it.
fn first_record_end(buf: &[u8]) -> Option<usize> {
    let mut quotes = 0usize;
    let mut from = 0;
    while let Some(i) = memchr::memchr2(b'"', b'\n', &buf[from..]) {
        let at = from + i;
        if buf[at] == b'"' {
            quotes += 1;
        } else if quotes % 2 == 0 {
            return Some(at + 1);
        }
        from = at + 1;
    }
    None
}

/// How header positions map to stored columns.
struct Layout {
    /// For each header position, the slot it is stored in.
    slot_of: Vec<Option<usize>>,
    /// For each slot, the directory column.
    slot_cols: Vec<ColId>,
    /// Number of header fields.
    header_len: usize,
    /// Directory columns when parsing started.
    ncols: usize,
}

/// Maps header names to attributes (S3), rejects duplicates, and registers the columns.
fn layout(
    header: &mut Header,
    shown: &str,
    columns: &ColumnSelection,
    b: &mut DirectoryBuilder,
) -> Result<Layout, Errors> {
    let mut errors = Vec::new();
    let mut seen: Vec<(String, usize)> = Vec::new();
    let mut slot_of = Vec::with_capacity(header.names.len());
    let mut slot_cols = Vec::new();
    let header_line = header.line;
    for (i, written) in header.names.iter().enumerate() {
        if written.is_empty() {
            header.warnings.push(
                Diagnostic::warning(
                    Code::CsvUnnamedColumn,
                    format!(
                        "column {} of `{shown}` has no header; its values are ignored",
                        i + 1
                    ),
                )
                .at(FileLocation::file(shown)
                    .at_line(header_line)
                    .at_column(i as u64 + 1))
                .with_help("name the column in the header line, or remove it"),
            );
            slot_of.push(None);
            continue;
        }
        let name = schema::canonical_name(written)
            .unwrap_or(written.as_str())
            .to_string();
        if let Some((_, j)) = seen.iter().find(|(n, _)| *n == name) {
            let first = &header.names[*j];
            errors.push(
                Diagnostic::error(
                    Code::CsvDuplicateColumn,
                    format!(
                        "columns {} (`{first}`) and {} (`{written}`) of `{shown}` both hold attribute `{name}`",
                        j + 1,
                        i + 1
                    ),
                )
                .at(FileLocation::file(shown).at_line(header_line).at_column(i as u64 + 1))
                .with_help("remove or rename one of the two columns")
                .with_rule("S3"),
            );
            slot_of.push(None);
            continue;
        }
        seen.push((name.clone(), i));
        b.saw_attribute(&name, ColumnKind::Text);
        if columns.wants(&name) {
            let col = b.column(&name, written, ColumnKind::Text);
            slot_of.push(Some(slot_cols.len()));
            slot_cols.push(col);
        } else {
            slot_of.push(None);
        }
    }
    if !errors.is_empty() {
        return Err(Errors::from(errors));
    }
    Ok(Layout {
        header_len: header.names.len(),
        slot_of,
        slot_cols,
        ncols: b.columns().len(),
    })
}

/// Blocks allocated before the reader starts reusing the buffers of parsed blocks: one
/// being filled, two queued, and one per parsing thread on these 2-core machines.
const IN_FLIGHT: usize = 5;

/// One block handed to a parser: `bytes[..len]` (buffers are recycled, so they are
/// longer than the data they carry and never need zeroing again).
struct Block {
    index: usize,
    bytes: Vec<u8>,
    len: usize,
}

/// What parsing one block gave.
struct Parsed {
    chunk: Option<Chunk>,
    /// What the streaming visitor returned for the chunk.
    visited: Option<Box<dyn Any + Send>>,
    newlines: u64,
    records: u64,
    good: u64,
    /// (offset of the record start, local record index, problem), first ones only.
    errors: Vec<(usize, u64, Problem)>,
    /// Local line and record of each error above (filled in the task).
    error_lines: Vec<u64>,
    bad: u64,
    anomaly: bool,
    /// Local line and byte column of the first invalid UTF-8 byte.
    utf8_error: Option<(u64, u64)>,
    overflow: bool,
}

/// Records sampled before column buffers are sized for the whole block.
const SAMPLE_ROWS: u64 = 32;

/// Parses one block into a row group. `recycled` column buffers (from a streamed row
/// group already consumed) are reused when given, and then kept at their capacity.
fn parse_block(
    block: &Block,
    lay: &Layout,
    delim: u8,
    keep_after_errors: bool,
    recycled: Option<Vec<TextColumn>>,
) -> Parsed {
    let buf = block.bytes.get(..block.len).unwrap_or(&[]);
    let newlines = count_byte(buf, b'\n') as u64;
    let mut out = Parsed {
        chunk: None,
        visited: None,
        newlines,
        records: 0,
        good: 0,
        errors: Vec::new(),
        error_lines: Vec::new(),
        bad: 0,
        anomaly: false,
        utf8_error: None,
        overflow: false,
    };
    // SIMD validation first (several times faster on mostly-ASCII exports); the standard
    // library's only to locate an error.
    let text = match simdutf8::basic::from_utf8(buf) {
        Ok(t) => t,
        Err(_) => match std::str::from_utf8(buf) {
            Ok(t) => t,
            Err(e) => {
                out.utf8_error = Some(encoding::line_col(buf, e.valid_up_to(), 0));
                return out;
            }
        },
    };
    let special = special_table(delim);
    let rows_hint = newlines as usize + 1;
    let streaming = recycled.is_some();
    let mut cols: Vec<TextColumn> = match recycled {
        Some(mut cols) if cols.len() == lay.slot_cols.len() => {
            cols.iter_mut().for_each(TextColumn::clear);
            cols
        }
        _ => lay
            .slot_cols
            .iter()
            .map(|_| TextColumn::with_capacity(rows_hint, 0))
            .collect(),
    };
    let mut fields: Vec<Field> = Vec::with_capacity(lay.header_len + 4);
    let mut scratch = String::new();
    let mut pos = 0;
    while pos < buf.len() {
        if let Some(n) = empty_line(buf, pos) {
            pos += n;
            continue;
        }
        let start = pos;
        let (next, mut problem, _) = parse_record(buf, pos, delim, &special, &mut fields);
        pos = next;
        let record = out.records;
        out.records += 1;
        if problem.is_none() && fields.len() > lay.header_len {
            problem = Some(Problem::TooManyFields(fields.len()));
        }
        if let Some(p) = problem {
            out.anomaly |= p.is_anomaly();
            out.bad += 1;
            if out.errors.len() < MAX_ROW_ERRORS {
                out.errors.push((start, record, p));
            }
            continue;
        }
        if out.bad > 0 && !keep_after_errors {
            continue;
        }
        for (i, slot) in lay.slot_of.iter().enumerate() {
            let Some(slot) = *slot else { continue };
            let col = &mut cols[slot];
            match fields.get(i) {
                Some(f) => {
                    if !col.push(field_text(text, *f, &mut scratch)) {
                        out.overflow = true;
                    }
                }
                None => col.push_null(),
            }
        }
        out.good += 1;
        if out.good == SAMPLE_ROWS {
            // Size each column for the block from what the first rows hold, so that the
            // buffers are not copied while growing.
            let rest = rows_hint.saturating_sub(SAMPLE_ROWS as usize);
            for col in &mut cols {
                let per_row = col.text_len() as f64 / SAMPLE_ROWS as f64;
                col.reserve(0, (per_row * rest as f64 * 1.1) as usize);
            }
        }
    }
    for (start, _, _) in &out.errors {
        out.error_lines
            .push(count_byte(&buf[..*start], b'\n') as u64);
    }
    let mut data: Vec<ColumnData> = (0..lay.ncols).map(|_| ColumnData::Absent).collect();
    for (slot, mut col) in cols.into_iter().enumerate() {
        if !streaming {
            col.shrink_to_fit();
        }
        if let Some(d) = data.get_mut(lay.slot_cols[slot]) {
            *d = ColumnData::Text(col);
        }
    }
    out.chunk = Some(Chunk::new(out.good as usize, data));
    out
}

/// Reads one CSV input into `b`.
///
/// `open` opens the raw byte stream; it is called a second time when the file needs the
/// exact (slow) cutting because of malformed quotes.
pub(crate) fn read_csv<R, F>(
    open: F,
    shown: &str,
    opts: &CsvOptions,
    columns: &ColumnSelection,
    b: &mut DirectoryBuilder,
    progress: &dyn Progress,
    visit: Option<&Visit<'_>>,
) -> Result<CsvSummary, Errors>
where
    R: Read + Send,
    F: Fn() -> io::Result<R>,
{
    match read_csv_pass(&open, shown, opts, columns, b, progress, Cut::Parity, visit)? {
        Pass::Done(s) => Ok(s),
        Pass::NeedsExact => {
            match read_csv_pass(&open, shown, opts, columns, b, progress, Cut::Exact, visit)? {
                Pass::Done(s) => Ok(s),
                Pass::NeedsExact => Err(Errors::from(vec![
                    Diagnostic::error(
                        Code::Internal,
                        format!("could not find the records of `{shown}`"),
                    )
                    .at(FileLocation::file(shown)),
                ])),
            }
        }
    }
}

/// Reads only the header of a CSV input and registers its columns in `b`, exactly as
/// [`read_csv`] will: lets a caller compile rules against the columns before the rows
/// are read (streaming).
pub(crate) fn scan_header<R: Read>(
    raw: R,
    shown: &str,
    opts: &CsvOptions,
    columns: &ColumnSelection,
    b: &mut DirectoryBuilder,
) -> Result<(), Errors> {
    let progress = super::read::NoProgress;
    let mut dec =
        Decoder::new(HashingReader::new(raw, &progress)).map_err(|e| vec![io_error(shown, &e)])?;
    let mut buf = Vec::new();
    let mut eof = encoding::fill(&mut dec, &mut buf, opts.block_size.clamp(1, 1 << 20))
        .map_err(|e| vec![io_error(shown, &e)])?;
    let mut header = read_header(&mut dec, &mut buf, &mut eof, shown, opts.delimiter)?;
    layout(&mut header, shown, columns, b).map(|_| ())
}

enum Pass {
    Done(CsvSummary),
    NeedsExact,
}

/// What the reader thread hands back at the end.
struct ReaderEnd {
    sha256: String,
    bytes: u64,
    replaced: u64,
}

#[allow(clippy::too_many_arguments)]
fn read_csv_pass<R, F>(
    open: &F,
    shown: &str,
    opts: &CsvOptions,
    columns: &ColumnSelection,
    b: &mut DirectoryBuilder,
    progress: &dyn Progress,
    cut: Cut,
    visit: Option<&Visit<'_>>,
) -> Result<Pass, Errors>
where
    R: Read + Send,
    F: Fn() -> io::Result<R>,
{
    let block_size = opts.block_size.max(1);
    let raw = open().map_err(|e| vec![io_error(shown, &e)])?;
    let mut dec =
        Decoder::new(HashingReader::new(raw, progress)).map_err(|e| vec![io_error(shown, &e)])?;
    let enc = dec.encoding();
    let mut buf = Vec::new();
    let mut eof =
        encoding::fill(&mut dec, &mut buf, block_size).map_err(|e| vec![io_error(shown, &e)])?;
    if enc == Encoding::Utf8 && encoding::looks_like_bomless_utf16(&buf) {
        return Err(Errors::from(vec![
            Diagnostic::error(
                Code::Encoding,
                format!("`{shown}` looks like UTF-16 without a byte-order mark"),
            )
            .at(FileLocation::file(shown).at_line(1))
            .with_help("re-export with `-Encoding UTF8`, or save the file as UTF-16 with a BOM"),
        ]));
    }
    let mut header = read_header(&mut dec, &mut buf, &mut eof, shown, opts.delimiter)?;
    let delim = header.delimiter;
    let lay = layout(&mut header, shown, columns, b)?;
    // The first buffer goes on with the data after the header.
    let start = header.data_start.min(buf.len());
    buf.copy_within(start.., 0);
    let first_len = buf.len() - start;
    let special = special_table(delim);
    let keep_after_errors = opts.skip_bad_rows;
    let (pool_tx, pool_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let col_pool: std::sync::Mutex<Vec<Vec<TextColumn>>> = std::sync::Mutex::new(Vec::new());

    let (reader_end, mut parsed) = std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Block>(2);
        let reader = s.spawn(move || -> io::Result<ReaderEnd> {
            let mut dec = dec;
            let mut buf = buf;
            let mut len = first_len;
            let mut eof = eof;
            let mut index = 0usize;
            let mut want = block_size.max(len);
            loop {
                while !eof && len < want {
                    if buf.len() < want {
                        buf.resize(want, 0);
                    }
                    match dec.read(&mut buf[len..want]) {
                        Ok(0) => eof = true,
                        Ok(n) => len += n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                }
                if eof {
                    if len > 0 {
                        // The receiver only goes away if parsing panicked; nothing to do then.
                        let _ = tx.send(Block {
                            index,
                            bytes: buf,
                            len,
                        });
                    }
                    break;
                }
                match last_boundary(&buf[..len], cut, delim, &special) {
                    Some(end) => {
                        let rest = len - end;
                        let need = block_size.max(rest + 1);
                        // After the first few blocks, wait for a parsed block's buffer
                        // rather than allocating: fresh pages cost a page fault each.
                        let mut next = if index >= IN_FLIGHT {
                            pool_rx.recv().unwrap_or_default()
                        } else {
                            pool_rx.try_recv().unwrap_or_default()
                        };
                        if next.len() < need {
                            next = vec![0; need];
                        }
                        next[..rest].copy_from_slice(&buf[end..len]);
                        if tx
                            .send(Block {
                                index,
                                bytes: buf,
                                len: end,
                            })
                            .is_err()
                        {
                            break;
                        }
                        index += 1;
                        buf = next;
                        len = rest;
                        want = need;
                    }
                    // One record longer than the block: read on.
                    None => want = len * 2 + 1,
                }
            }
            let replaced = dec.replaced();
            let (sha256, bytes) = dec.into_inner().finish();
            Ok(ReaderEnd {
                sha256,
                bytes,
                replaced,
            })
        });
        let parsed: Vec<(usize, Parsed)> = rx
            .into_iter()
            .par_bridge()
            .map(|block| {
                // Streaming: reuse the column buffers of a row group already consumed.
                let recycled = visit.map(|_| {
                    col_pool
                        .lock()
                        .ok()
                        .and_then(|mut p| p.pop())
                        .unwrap_or_default()
                });
                let mut parsed = parse_block(&block, &lay, delim, keep_after_errors, recycled);
                if let Some((visit, mut chunk)) =
                    visit.and_then(|v| parsed.chunk.take().map(|c| (v, c)))
                {
                    // Consume the row group here, on the parsing thread, and keep only its
                    // length; its buffers go back to the pool.
                    parsed.visited = Some(visit(&chunk));
                    let cols = chunk.take_text_columns(&lay.slot_cols);
                    if let Ok(mut p) = col_pool.lock() {
                        p.push(cols);
                    }
                    parsed.chunk = Some(Chunk::new(chunk.len(), Vec::new()));
                }
                // Hand the buffer back for reuse; the reader may be gone already.
                let _ = pool_tx.send(block.bytes);
                (block.index, parsed)
            })
            .collect();
        let end = reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("reader thread failed")));
        (end, parsed)
    });
    let reader_end = reader_end.map_err(|e| vec![io_error(shown, &e)])?;
    parsed.sort_by_key(|(i, _)| *i);

    if cut == Cut::Parity && parsed.iter().any(|(_, p)| p.anomaly) {
        return Ok(Pass::NeedsExact);
    }

    // Fix up lines and records across blocks; gather errors in file order.
    let mut line = header.data_line;
    let mut record = 0u64;
    let mut row_errors: Vec<RowError> = Vec::new();
    let mut total_bad = 0u64;
    let mut good = 0u64;
    for (_, p) in &parsed {
        if let Some((l, c)) = p.utf8_error {
            return Err(Errors::from(vec![utf8_error(shown, line + l, c)]));
        }
        if p.overflow {
            return Err(Errors::from(vec![
                Diagnostic::error(
                    Code::CsvTooLarge,
                    format!("a record of `{shown}` is too large to hold"),
                )
                .at(FileLocation::file(shown).at_line(line))
                .with_help("check the file for an unterminated quote"),
            ]));
        }
        for ((_, rec, problem), l) in p.errors.iter().zip(&p.error_lines) {
            if row_errors.len() < MAX_ROW_ERRORS {
                row_errors.push(RowError {
                    line: line + l,
                    record: record + rec + 1,
                    problem: *problem,
                });
            }
        }
        total_bad += p.bad;
        good += p.good;
        line += p.newlines;
        record += p.records;
    }
    if total_bad > 0 && !opts.skip_bad_rows {
        return Err(Errors::from(row_diagnostics(
            shown,
            &header.names,
            &row_errors,
            total_bad,
        )));
    }
    for (_, p) in &mut parsed {
        if let Some(chunk) = p.chunk.take() {
            if !chunk.is_empty() {
                if let Some(v) = p.visited.take() {
                    b.push_visited(v);
                }
            }
            b.push_chunk(chunk);
        }
    }
    let mut warnings = std::mem::take(&mut header.warnings);
    if total_bad > 0 {
        warnings.push(skipped_warning(
            shown,
            &header.names,
            &row_errors,
            total_bad,
        ));
    }
    if reader_end.replaced > 0 {
        warnings.push(
            Diagnostic::warning(
                Code::Encoding,
                format!(
                    "`{shown}` has {} unpaired UTF-16 surrogate{}, read as U+FFFD",
                    reader_end.replaced,
                    if reader_end.replaced == 1 { "" } else { "s" }
                ),
            )
            .at(FileLocation::file(shown))
            .with_help("re-export the file; values with those characters may not match rules"),
        );
    }
    Ok(Pass::Done(CsvSummary {
        sha256: reader_end.sha256,
        bytes: reader_end.bytes,
        records: good,
        skipped: total_bad,
        encoding: enc,
        delimiter: delim,
        warnings,
    }))
}

/// A small CSV text parsed whole (assignments, group members, target state): header names
/// as written (trimmed) and rows of texts, with the line each starts on.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub headers: Vec<String>,
    pub header_line: u64,
    pub rows: Vec<TableRow>,
    pub delimiter: u8,
}

/// One row of a [`Table`]; missing trailing fields are empty.
#[derive(Debug, Clone)]
pub(crate) struct TableRow {
    pub line: u64,
    pub fields: Vec<String>,
}

impl Table {
    /// The position of a column, by name ignoring ASCII case.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }
}

/// Decoded UTF-8 text of a (small) file, with its hash and encoding.
pub(crate) fn read_small_text(
    path: &std::path::Path,
    shown: &str,
) -> Result<(String, String, u64, Encoding), Errors> {
    let file = std::fs::File::open(path).map_err(|e| vec![io_error(shown, &e)])?;
    let progress = super::read::NoProgress;
    let mut dec =
        Decoder::new(HashingReader::new(file, &progress)).map_err(|e| vec![io_error(shown, &e)])?;
    let enc = dec.encoding();
    let mut bytes = Vec::new();
    dec.read_to_end(&mut bytes)
        .map_err(|e| vec![io_error(shown, &e)])?;
    let (sha, n) = dec.into_inner().finish();
    if enc == Encoding::Utf8 && encoding::looks_like_bomless_utf16(&bytes) {
        return Err(Errors::from(vec![
            Diagnostic::error(
                Code::Encoding,
                format!("`{shown}` looks like UTF-16 without a byte-order mark"),
            )
            .at(FileLocation::file(shown).at_line(1))
            .with_help("re-export with `-Encoding UTF8`, or save the file as UTF-16 with a BOM"),
        ]));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let pos = e.utf8_error().valid_up_to();
        let (l, c) = encoding::line_col(e.as_bytes(), pos, 1);
        vec![utf8_error(shown, l, c)]
    })?;
    Ok((text, sha, n, enc))
}

/// Parses a whole CSV text into a [`Table`].
/// Row errors are all reported (up to the usual limit).
pub(crate) fn parse_table(text: &str, shown: &str) -> Result<Table, Errors> {
    let mut buf = text.as_bytes().to_vec();
    let mut eof = true;
    let mut empty: &[u8] = &[];
    let header = read_header(&mut empty, &mut buf, &mut eof, shown, None)?;
    let delim = header.delimiter;
    let special = special_table(delim);
    let data = &text.as_bytes()[header.data_start.min(text.len())..];
    let data_text = text.get(header.data_start..).unwrap_or("");
    let mut fields = Vec::new();
    let mut scratch = String::new();
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut bad = 0u64;
    let mut line = header.data_line;
    let mut pos = 0;
    let mut record = 0u64;
    while pos < data.len() {
        if let Some(n) = empty_line(data, pos) {
            pos += n;
            line += 1;
            continue;
        }
        let (next, mut problem, _) = parse_record(data, pos, delim, &special, &mut fields);
        record += 1;
        if problem.is_none() && fields.len() > header.names.len() {
            problem = Some(Problem::TooManyFields(fields.len()));
        }
        match problem {
            Some(p) => {
                bad += 1;
                errors.push(RowError {
                    line,
                    record,
                    problem: p,
                });
            }
            None => {
                let mut vals: Vec<String> = fields
                    .iter()
                    .map(|f| field_text(data_text, *f, &mut scratch).to_string())
                    .collect();
                vals.resize(header.names.len(), String::new());
                rows.push(TableRow { line, fields: vals });
            }
        }
        line += count_byte(&data[pos..next], b'\n') as u64;
        pos = next;
    }
    if bad > 0 {
        return Err(Errors::from(row_diagnostics(
            shown,
            &header.names,
            &errors,
            bad,
        )));
    }
    Ok(Table {
        headers: header.names,
        header_line: header.line,
        rows,
        delimiter: delim,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::read::NoProgress;
    use crate::directory::{ColumnSelection, Directory};
    use proptest::prelude::*;

    fn read_bytes(
        bytes: &[u8],
        block: usize,
        skip: bool,
        cols: &ColumnSelection,
    ) -> Result<(Directory, CsvSummary), Errors> {
        let mut b = Directory::builder();
        let opts = CsvOptions {
            delimiter: None,
            skip_bad_rows: skip,
            block_size: block,
        };
        let s = read_csv(
            || Ok(io::Cursor::new(bytes.to_vec())),
            "t.csv",
            &opts,
            cols,
            &mut b,
            &NoProgress,
            None,
        )?;
        Ok((b.build(), s))
    }

    fn rows(d: &Directory) -> Vec<Vec<String>> {
        (0..d.len())
            .map(|r| {
                (0..d.columns().len())
                    .map(|c| d.value(r, c).unwrap_or("").to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn quoted_unquoted_crlf_embedded_newlines_and_escapes() {
        let text = "a,b,c\r\n1,\"x,y\",\"he said \"\"hi\"\"\"\r\n\"2\",\"multi\r\nline\",\r\n3\n";
        for block in [1, 2, 3, 5, 8, 64, 1 << 20] {
            let (d, s) =
                read_bytes(text.as_bytes(), block, false, &ColumnSelection::all()).unwrap();
            assert_eq!(
                rows(&d),
                vec![
                    vec!["1", "x,y", "he said \"hi\""],
                    vec!["2", "multi\r\nline", ""],
                    vec!["3", "", ""],
                ],
                "block {block}"
            );
            assert_eq!(s.records, 3);
            assert_eq!(s.delimiter, b',');
        }
    }

    #[test]
    fn semicolon_detected_outside_quotes_and_type_line_skipped() {
        let text = "#TYPE Selected.Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser\n\"a,b\";\"c\"\n\"1,2\";\"3\"\n";
        let (d, s) = read_bytes(text.as_bytes(), 4, false, &ColumnSelection::all()).unwrap();
        assert_eq!(s.delimiter, b';');
        assert_eq!(d.columns()[0].name, "a,b");
        assert_eq!(rows(&d), vec![vec!["1,2", "3"]]);
    }

    #[test]
    fn errors_name_line_field_and_header() {
        let text = "a,b\n1,2\n\"x\ny\",2,3\n4,5\"6\n7,\"open\n";
        let errs = read_bytes(text.as_bytes(), 3, false, &ColumnSelection::all()).unwrap_err();
        let got: Vec<_> = errs
            .iter()
            .map(|d| {
                let l = d.location.as_ref().unwrap();
                (
                    d.code.as_str(),
                    l.line.unwrap(),
                    l.column.unwrap(),
                    l.record.unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("csv-too-many-fields", 3, 3, 2),
                ("csv-bare-quote", 5, 2, 3),
                ("csv-unterminated-quote", 6, 2, 4),
            ]
        );
        assert!(
            errs[1].message.contains("field 2 (`b`)"),
            "{}",
            errs[1].message
        );
        // With --skip-bad-rows: counted, one warning, good rows kept.
        let (d, s) = read_bytes(text.as_bytes(), 3, true, &ColumnSelection::all()).unwrap();
        assert_eq!(rows(&d), vec![vec!["1", "2"]]);
        assert_eq!(s.skipped, 3);
        assert_eq!(s.warnings.len(), 1);
        assert!(s.warnings[0].message.contains("skipped 3 malformed rows"));
        assert!(s.warnings[0].message.contains("line 5:"));
    }

    #[test]
    fn a_last_line_without_newline_is_read() {
        for text in ["a,b\n1,2", "a,b\r\n1,2\r", "a,b\n1,\"2\""] {
            let (d, _) = read_bytes(text.as_bytes(), 3, false, &ColumnSelection::all()).unwrap();
            assert_eq!(rows(&d), vec![vec!["1", "2"]], "{text:?}");
        }
    }

    #[test]
    fn fewer_fields_are_null_and_blank_lines_skipped() {
        let (d, _) = read_bytes(
            b"a,b,c\n1\n\n2,,x\n",
            1 << 20,
            false,
            &ColumnSelection::all(),
        )
        .unwrap();
        assert_eq!(rows(&d), vec![vec!["1", "", ""], vec!["2", "", "x"]]);
        assert_eq!(d.value(0, 1), None);
    }

    #[test]
    fn invalid_utf8_reports_line_and_byte_column() {
        let errs =
            read_bytes(b"a,b\n1,2\n3,x\xff\n", 4, false, &ColumnSelection::all()).unwrap_err();
        let l = errs[0].location.as_ref().unwrap();
        assert_eq!((l.line, l.column), (Some(3), Some(4)));
        assert!(errs[0].help.as_ref().unwrap().contains("-Encoding UTF8"));
    }

    #[test]
    fn only_selected_columns_are_stored_but_all_are_seen() {
        let sel = ColumnSelection::only(["Department"]);
        let (d, _) = read_bytes(b"Department,City,Id\nIT,Bonn,1\n", 1 << 20, false, &sel).unwrap();
        let names: Vec<_> = d.columns().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, vec!["department", "objectId"]);
        assert!(d.available().contains_key("city"));
        assert_eq!(d.columns()[1].original, vec!["Id".to_string()]);
    }

    #[test]
    fn duplicate_headers_name_both_columns() {
        let errs = read_bytes(
            b"Id,name,objectId\n1,a,1\n",
            1 << 20,
            false,
            &ColumnSelection::all(),
        )
        .unwrap_err();
        assert_eq!(errs[0].code, "csv-duplicate-column");
        assert!(
            errs[0]
                .message
                .contains("columns 1 (`Id`) and 3 (`objectId`)"),
            "{}",
            errs[0].message
        );
        assert!(errs[0].message.contains("`t.csv`"));
    }

    #[test]
    fn utf16_input_reads_like_utf8() {
        let text = "\"a\",\"b\"\r\n\"Jörg\",\"x\"\r\n";
        let mut bytes = vec![0xff, 0xfe];
        for u in text.encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let (d, s) = read_bytes(&bytes, 5, false, &ColumnSelection::all()).unwrap();
        assert_eq!(rows(&d), vec![vec!["Jörg", "x"]]);
        assert_eq!(s.encoding, Encoding::Utf16Le);
    }

    #[test]
    fn too_many_errors_are_summarised() {
        let mut text = String::from("a\n");
        for _ in 0..25 {
            text.push_str("1,2\n");
        }
        let errs = read_bytes(text.as_bytes(), 16, false, &ColumnSelection::all()).unwrap_err();
        assert_eq!(errs.len(), MAX_ROW_ERRORS + 1);
        assert_eq!(
            errs[MAX_ROW_ERRORS].message,
            "and 5 more row errors in `t.csv`"
        );
        assert_eq!(errs[19].location.as_ref().unwrap().line, Some(21));
    }

    #[test]
    fn skip_plain_finds_the_first_special_byte() {
        let special = special_table(b',');
        for text in [
            "abcdefghijklmnop,x",
            "a,b",
            "abcdefgh\n",
            "abcdefg\"",
            ",",
            "",
            "abcdefghijklmnopqrstuvwxyz",
            "ü,ab",
            "12345678,",
        ] {
            let buf = text.as_bytes();
            for start in 0..buf.len() {
                let want = (start..buf.len())
                    .find(|&i| special[usize::from(buf[i])])
                    .unwrap_or(buf.len());
                assert_eq!(
                    skip_plain(buf, start, b',', &special),
                    want,
                    "{text:?} from {start}"
                );
            }
        }
    }

    #[test]
    fn count_byte_matches_a_plain_count() {
        let mut x: u32 = 7;
        let buf: Vec<u8> = (0..64 * 255 * 3 + 77)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                if (x >> 16) % 3 == 0 { b'"' } else { b'a' }
            })
            .collect();
        for len in [0, 1, 63, 64, 65, 64 * 255, 64 * 255 + 1, buf.len()] {
            let want = buf[..len].iter().filter(|&&b| b == b'"').count();
            assert_eq!(count_byte(&buf[..len], b'"'), want, "len {len}");
        }
        assert_eq!(count_byte(&[b'"'; 64 * 256], b'"'), 64 * 256);
    }

    fn cell() -> impl Strategy<Value = String> {
        proptest::string::string_regex("[a-zé😀 ,;\"\r\n\t#x]{0,12}").unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn random_tables_round_trip_through_tiny_blocks(
            ncols in 1usize..5,
            cells in proptest::collection::vec(cell(), 0..60),
            semicolon in any::<bool>(),
            style in 0u8..3,
            crlf in any::<bool>(),
            block in 1usize..40,
        ) {
            let rows_in: Vec<Vec<String>> = cells.chunks(ncols).filter(|r| r.len() == ncols).map(<[String]>::to_vec).collect();
            let mut w = ::csv::WriterBuilder::new()
                .delimiter(if semicolon { b';' } else { b',' })
                .quote_style(match style { 0 => ::csv::QuoteStyle::Necessary, 1 => ::csv::QuoteStyle::Always, _ => ::csv::QuoteStyle::NonNumeric })
                .terminator(if crlf { ::csv::Terminator::CRLF } else { ::csv::Terminator::Any(b'\n') })
                .from_writer(Vec::new());
            let header: Vec<String> = (0..ncols).map(|i| format!("h{i}")).collect();
            w.write_record(&header).unwrap();
            for r in &rows_in {
                w.write_record(r).unwrap();
            }
            let bytes = w.into_inner().unwrap();
            let mut b = Directory::builder();
            let opts = CsvOptions { delimiter: Some(if semicolon { b';' } else { b',' }), skip_bad_rows: false, block_size: block };
            let s = read_csv(|| Ok(io::Cursor::new(bytes.clone())), "p.csv", &opts, &ColumnSelection::all(), &mut b, &NoProgress, None).unwrap();
            let d = b.build();
            // A row of one empty field is written as `""` by the csv crate and reads back
            // as one null; rows that are all empty with several columns are kept too.
            prop_assert_eq!(rows(&d), rows_in.clone());
            prop_assert_eq!(s.records as usize, rows_in.len());
        }
    }
}
