//! Small CSV files read whole (assignments, group members, target state), with the same
//! decoder and record parser as directory exports, so a quote error reads the same
//! everywhere.

use super::super::encoding::{self, Encoding, looks_like_bomless_utf16};
use super::super::input::{NoProgress, column_of, count, io_error, line_col};
use super::errors::{RowError, row_diagnostics, utf8_error};
use super::header::read_header;
use super::record::{
    Specials, empty_line, field_count_problem, field_text, parse_record, record_text_end,
};
use crate::diag::Errors;
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
    let mut buf = text.as_bytes().to_vec();
    let mut eof = true;
    let mut empty: &[u8] = &[];
    let header = read_header(&mut empty, &mut buf, &mut eof, shown, None)?;
    let delim = header.delimiter;
    let sp = Specials::new(delim);
    let data = text.as_bytes().get(header.data_start..).unwrap_or(&[]);
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
        let r = parse_record(data, pos, &sp, &mut fields);
        record += 1;
        let problem = r.problem.or_else(|| {
            field_count_problem(&fields, header.names.len(), record_text_end(data, &r))
        });
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
            None => {
                let vals: Vec<String> = fields
                    .iter()
                    .map(|f| field_text(data_text, *f, &mut scratch).to_string())
                    .collect();
                let columns = fields.iter().map(|f| column_of(data, f.origin)).collect();
                rows.push(TableRow {
                    line,
                    fields: vals,
                    columns,
                });
            }
        }
        line += count(data.get(pos..r.next).unwrap_or(&[]), b'\n');
        pos = r.next;
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
