//! Small CSV files read whole (assignments, group members, target state), with the same
//! decoder and record parser as directory exports, so a quote error reads the same
//! everywhere.

use super::super::encoding::{self, Encoding, looks_like_bomless_utf16};
use super::super::input::{NoProgress, column_of, count, io_error, line_col};
use super::errors::{RowError, row_diagnostics, utf8_error};
use super::header::read_header;
use super::record::{
    Field, Specials, empty_line, field_count_problem, field_text, parse_record, record_text_end,
};
use crate::diag::Errors;
use std::borrow::Cow;
use std::io::Read;

/// A small CSV text parsed whole: header names as written (trimmed) and rows of texts,
/// with the line each starts on.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub headers: Vec<String>,
    pub header_line: u64,
    pub rows: Vec<TableRow>,
    pub delimiter: u8,
}

/// One row of a [`Table`] (every row has as many fields as the header).
#[derive(Debug, Clone)]
pub(crate) struct TableRow {
    pub line: u64,
    pub fields: Vec<String>,
    /// The character column where each field starts (on the line it starts on).
    pub columns: Vec<u64>,
}

impl TableRow {
    /// The column where field `i` starts (1 when unknown).
    pub fn column(&self, i: usize) -> u64 {
        self.columns.get(i).copied().unwrap_or(1)
    }
}

impl Table {
    /// The position of a column, by name ignoring ASCII case.
    #[allow(dead_code, reason = "for the target-state reader")]
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
    let progress = NoProgress;
    let mut dec = encoding::open(file, &progress, shown)?;
    let enc = dec.encoding();
    let mut bytes = Vec::new();
    dec.read_to_end(&mut bytes)
        .map_err(|e| vec![io_error(shown, &e)])?;
    let (sha, n) = dec.into_inner().finish();
    if enc == Encoding::Utf8 && looks_like_bomless_utf16(&bytes) {
        return Err(Errors::from(vec![encoding::bomless_utf16_error(shown)]));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let pos = e.utf8_error().valid_up_to();
        let (l, c) = line_col(e.as_bytes(), pos, 1);
        vec![utf8_error(shown, l, c)]
    })?;
    Ok((text, sha, n, enc))
}

/// Parses a whole CSV text into a [`Table`]; every row error is reported (up to the
/// usual limit).
pub(crate) fn parse_table(text: &str, shown: &str) -> Result<Table, Errors> {
    let scan = scan_table(text, shown)?;
    let mut rows = Vec::new();
    scan.rows(|row| {
        rows.push(TableRow {
            line: row.line,
            fields: (0..row.len()).map(|i| row.get(i).into_owned()).collect(),
            columns: (0..row.len()).map(|i| row.column(i)).collect(),
        });
    })?;
    let mut table = scan.table;
    table.rows = rows;
    Ok(table)
}

/// How much of a small file is handed to the header reader first: a header is a line or
/// a few, and copying a whole member list (tens of megabytes) only to read its first line
/// would double the reader's memory.
const HEADER_PREFIX: usize = 1 << 20;

/// A small CSV text whose header is read, for visiting its rows one by one without a
/// `String` per field ([`TableScan::rows`]). `table` has the header and no rows.
pub(crate) struct TableScan<'t> {
    pub table: Table,
    text: &'t str,
    shown: &'t str,
    data_start: usize,
    data_line: u64,
}

/// Reads the header of a CSV text (see [`TableScan`]).
pub(crate) fn scan_table<'t>(text: &'t str, shown: &'t str) -> Result<TableScan<'t>, Errors> {
    let read = |len: usize| {
        let mut buf = text
            .as_bytes()
            .get(..len)
            .unwrap_or(text.as_bytes())
            .to_vec();
        let mut eof = true;
        let mut empty: &[u8] = &[];
        read_header(&mut empty, &mut buf, &mut eof, shown, None)
    };
    // The header from a prefix, unless the prefix may have cut it: then from the whole.
    let header = match read(HEADER_PREFIX) {
        Ok(h) if text.len() <= HEADER_PREFIX || h.data_start < HEADER_PREFIX => h,
        Err(e) if text.len() <= HEADER_PREFIX => return Err(e),
        _ => read(text.len())?,
    };
    Ok(TableScan {
        table: Table {
            headers: header.names,
            header_line: header.line,
            rows: Vec::new(),
            delimiter: header.delimiter,
        },
        text,
        shown,
        data_start: header.data_start,
        data_line: header.data_line,
    })
}

/// One row of a [`TableScan`], borrowed from the text: every row has as many fields as
/// the header.
pub(crate) struct RowRef<'a> {
    /// The line the row starts on.
    pub line: u64,
    data: &'a [u8],
    text: &'a str,
    fields: &'a [Field],
}

impl<'a> RowRef<'a> {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// The text of field `i` (empty when there is no such field), unescaped.
    pub fn get(&self, i: usize) -> Cow<'a, str> {
        let Some(&f) = self.fields.get(i) else {
            return Cow::Borrowed("");
        };
        if f.escaped {
            let mut scratch = String::new();
            Cow::Owned(field_text(self.text, f, &mut scratch).to_string())
        } else {
            Cow::Borrowed(self.text.get(f.start..f.end).unwrap_or(""))
        }
    }

    /// The character column where field `i` starts (1 when unknown), computed on demand:
    /// only an error needs it.
    pub fn column(&self, i: usize) -> u64 {
        self.fields
            .get(i)
            .map_or(1, |f| column_of(self.data, f.origin))
    }
}

impl TableScan<'_> {
    /// Visits every well-formed row in order; every row error is reported (up to the usual
    /// limit), after the visit.
    pub fn rows(&self, mut visit: impl FnMut(&RowRef<'_>)) -> Result<(), Errors> {
        let text = self.text;
        let delim = self.table.delimiter;
        let sp = Specials::new(delim);
        let data = text.as_bytes().get(self.data_start..).unwrap_or(&[]);
        let data_text = text.get(self.data_start..).unwrap_or("");
        let n_fields = self.table.headers.len();
        let mut fields = Vec::new();
        let mut errors = Vec::new();
        let mut bad = 0u64;
        let mut line = self.data_line;
        let mut pos = 0;
        let mut record = 0u64;
        while pos < data.len() {
            if let Some(n) = empty_line(data, pos) {
                pos += n;
                line += 1;
                continue;
            }
            let r = parse_record(data, pos, &sp, &mut fields);
            record += 1;
            let problem = r
                .problem
                .or_else(|| field_count_problem(&fields, n_fields, record_text_end(data, &r)));
            match problem {
                Some(p) => {
                    bad += 1;
                    if errors.len() < super::errors::MAX_ROW_ERRORS {
                        let at = p.at();
                        let before = data.get(pos..at.min(data.len())).unwrap_or(&[]);
                        let column = column_of(data, at);
                        errors.push(RowError {
                            line: line + count(before, b'\n'),
                            column,
                            record,
                            problem: p,
                        });
                    }
                }
                None => visit(&RowRef {
                    line,
                    data,
                    text: data_text,
                    fields: &fields,
                }),
            }
            line += count(data.get(pos..r.next).unwrap_or(&[]), b'\n');
            pos = r.next;
        }
        if bad > 0 {
            return Err(Errors::from(row_diagnostics(
                self.shown,
                &self.table.headers,
                &errors,
                bad,
            )));
        }
        Ok(())
    }
}
