//! The header of a CSV export: where it is (after an optional `#TYPE` line and blank
//! lines), its delimiter, and how its names map to directory columns.
//!
//! Header names are mapped with [`schema::canonical_name`] (spec S3) once, into a column
//! map built in one pass (a hash of the names seen), so that a header of a million
//! columns costs linear time; past [`MAX_COLUMNS`] a file is refused with a message
//! rather than read slowly into a directory nobody could use.

use super::super::encoding;
use super::super::input::{count, io_error, line_col};
use super::super::{ColId, ColumnKind, ColumnSelection, DirectoryBuilder};
use super::errors::{RowError, row_diagnostic, utf8_error};
use super::record::{
    Specials, detect_delimiter, empty_line, field_text, first_record_end, parse_record,
    starts_with_type_line, type_line_len,
};
use crate::diag::{Code, Diagnostic, Errors, FileLocation};
use crate::schema;
use std::collections::HashMap;
use std::io::Read;

/// The most columns a CSV header may have: what one spreadsheet sheet holds (Excel's
/// 16,384). Entra's user object has a few hundred properties at most.
pub(crate) const MAX_COLUMNS: usize = 16_384;

/// The header of a file and where its data starts.
pub(crate) struct Header {
    pub(crate) names: Vec<String>,
    pub(crate) delimiter: u8,
    /// Offset of the first data byte in the first buffer.
    pub(crate) data_start: usize,
    /// Physical line where the header starts.
    pub(crate) line: u64,
    /// Physical line of the first data byte.
    pub(crate) data_line: u64,
    /// Whether a `#TYPE` line came first (Windows PowerShell 5.1 `Export-Csv`).
    pub(crate) type_line: Option<String>,
    /// The header record's text and the byte offset of each field's start in it, to
    /// locate a header problem at its character column.
    text: String,
    origins: Vec<usize>,
    /// Problems to report as warnings.
    pub(crate) warnings: Vec<Diagnostic>,
}

/// Reads the header record from the start of the decoded stream (reading more of it into
/// `buf` as needed).
pub(crate) fn read_header<R: Read>(
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
        let looking_for_type = start == 0 && starts_with_type_line(buf);
        let parity_end = first_record_end(buf.get(start..).unwrap_or(&[]));
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
    let type_line = if start > 0 {
        buf.get(..start)
            .map(|t| String::from_utf8_lossy(t).trim().to_string())
    } else {
        None
    };
    let rest = buf.get(start..).unwrap_or(&[]);
    // Skip empty lines before the header.
    let mut skip = 0;
    while let Some(n) = empty_line(rest, skip) {
        skip += n;
        line += 1;
    }
    let rest = rest.get(skip..).unwrap_or(&[]);
    let header_end = first_record_end(rest).unwrap_or(rest.len());
    let header_bytes = rest.get(..header_end).unwrap_or(rest);
    let header_text = std::str::from_utf8(header_bytes).map_err(|e| {
        let (l, c) = line_col(header_bytes, e.valid_up_to(), line);
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
    let mut fields = Vec::new();
    let parsed = parse_record(header_bytes, 0, &Specials::new(delimiter), &mut fields);
    if let Some(p) = parsed.problem {
        let (l, c) = line_col(header_bytes, p.at(), line);
        let e = RowError {
            line: l,
            column: c,
            record: 0,
            problem: p,
        };
        let mut d = row_diagnostic(shown, &[], &e);
        d.message = format!("in the header: {}", d.message);
        return Err(Errors::from(vec![d]));
    }
    if fields.len() > MAX_COLUMNS {
        let at = fields.get(MAX_COLUMNS).map_or(0, |f| f.origin);
        let (l, c) = line_col(header_bytes, at, line);
        return Err(Errors::from(vec![
            Diagnostic::error(
                Code::CsvTooManyColumns,
                format!(
                    "the header of `{shown}` has {} columns; scopesim reads at most {MAX_COLUMNS}",
                    fields.len()
                ),
            )
            .at(FileLocation::file(shown).at_line(l).at_column(c))
            .with_help("export only the attributes the rules use (`scopesim exports RULES` prints the command), or check that the delimiter is right (`--delimiter`)"),
        ]));
    }
    let mut scratch = String::new();
    let names: Vec<String> = fields
        .iter()
        .map(|f| field_text(header_text, *f, &mut scratch).trim().to_string())
        .collect();
    let consumed = header_bytes
        .get(..parsed.next.min(header_bytes.len()))
        .unwrap_or(header_bytes);
    let data_line = line + count(consumed, b'\n');
    Ok(Header {
        names,
        delimiter,
        data_start: start + skip + header_end,
        line,
        data_line,
        type_line,
        text: header_text.to_string(),
        origins: fields.iter().map(|f| f.origin).collect(),
        warnings: Vec::new(),
    })
}

impl Header {
    /// A location at the start of header field `i`.
    pub(crate) fn location(&self, shown: &str, i: usize) -> FileLocation {
        let at = self.origins.get(i).copied().unwrap_or(0);
        let (l, c) = line_col(self.text.as_bytes(), at, self.line);
        FileLocation::file(shown).at_line(l).at_column(c)
    }
}

/// How header positions map to stored columns.
pub(crate) struct Layout {
    /// For each header position, the slot it is stored in.
    pub(crate) slot_of: Vec<Option<usize>>,
    /// For each slot, the directory column.
    pub(crate) slot_cols: Vec<ColId>,
    /// Number of header fields.
    pub(crate) header_len: usize,
    /// Directory columns when parsing started.
    pub(crate) ncols: usize,
}

impl Layout {
    /// This layout with only the columns `sel` wants (a subset of the slots, stored in
    /// the same directory columns): what a streamed read parses for the row groups its
    /// sink does not keep ([`super::super::input::Sink::reads`]).
    pub(crate) fn narrowed(&self, header: &Header, sel: &ColumnSelection) -> Layout {
        let mut slot_of = Vec::with_capacity(self.slot_of.len());
        let mut slot_cols = Vec::new();
        for (i, slot) in self.slot_of.iter().enumerate() {
            let wanted = header
                .names
                .get(i)
                .is_some_and(|w| sel.wants(&attribute_name(w)));
            match slot.and_then(|s| self.slot_cols.get(s)).filter(|_| wanted) {
                Some(&col) => {
                    slot_of.push(Some(slot_cols.len()));
                    slot_cols.push(col);
                }
                None => slot_of.push(None),
            }
        }
        Layout {
            slot_of,
            slot_cols,
            header_len: self.header_len,
            ncols: self.ncols,
        }
    }
}

/// The attribute a header name holds (S3: the schema's spelling of a known name).
fn attribute_name(written: &str) -> String {
    schema::canonical_name(written)
        .unwrap_or(written)
        .to_string()
}

/// Maps header names to attributes (S3), rejects duplicates, and registers the columns.
pub(crate) fn layout(
    header: &mut Header,
    shown: &str,
    columns: &ColumnSelection,
    b: &mut DirectoryBuilder,
) -> Result<Layout, Errors> {
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(header.names.len());
    let mut slot_of = Vec::with_capacity(header.names.len());
    let mut slot_cols = Vec::new();
    let mut unnamed: Vec<usize> = Vec::new();
    for (i, written) in header.names.iter().enumerate() {
        if written.is_empty() {
            unnamed.push(i);
            slot_of.push(None);
            continue;
        }
        let name = attribute_name(written);
        if let Some(&j) = seen.get(&name) {
            let first = header.names.get(j).map_or("", String::as_str);
            if errors.len() < super::errors::MAX_ROW_ERRORS {
                errors.push(
                    Diagnostic::error(
                        Code::CsvDuplicateColumn,
                        format!(
                            "columns {} (`{first}`) and {} (`{written}`) of `{shown}` both hold attribute `{name}`",
                            j + 1,
                            i + 1
                        ),
                    )
                    .at(header.location(shown, i))
                    .with_help("remove or rename one of the two columns")
                    .with_rule("S3"),
                );
            }
            slot_of.push(None);
            continue;
        }
        seen.insert(name.clone(), i);
        b.saw_attribute(&name, ColumnKind::Text);
        if columns.wants(&name) {
            let col = b.column(&name, written, ColumnKind::Text);
            slot_of.push(Some(slot_cols.len()));
            slot_cols.push(col);
        } else {
            slot_of.push(None);
        }
    }
    if let Some(&first) = unnamed.first() {
        let listed: Vec<String> = unnamed
            .iter()
            .take(5)
            .map(|i| (i + 1).to_string())
            .collect();
        let more = if unnamed.len() > listed.len() {
            format!(" and {} more", unnamed.len() - listed.len())
        } else {
            String::new()
        };
        let (what, verb) = if unnamed.len() == 1 {
            ("column", "has")
        } else {
            ("columns", "have")
        };
        let loc = header.location(shown, first);
        header.warnings.push(
            Diagnostic::warning(
                Code::CsvUnnamedColumn,
                format!(
                    "{what} {}{more} of `{shown}` {verb} no header; {} values are ignored",
                    listed.join(", "),
                    if unnamed.len() == 1 { "its" } else { "their" }
                ),
            )
            .at(loc)
            .with_help("name the column in the header line, or remove it"),
        );
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
