//! Parsing one block of a CSV file (a run of whole records) into one row group, on a
//! rayon thread.
//!
//! Values go straight into the selected columns' buffers (no `String` per field). The
//! block is validated as UTF-8 first (SIMD, several times faster than the standard
//! library on mostly-ASCII exports). Problems are located at the block-local line and
//! character column of the offending field, and fixed up to file lines by the caller.
//! Each block also notes, per stored column, whether it held any value and whether its
//! first values look like PowerShell type names, so that the classic export mistakes can
//! be told without keeping the values.

use super::super::input::{column_of, count, line_col, looks_like_type_name};
use super::super::{Chunk, ColumnData, TextColumn};
use super::errors::MAX_ROW_ERRORS;
use super::header::Layout;
use super::record::{
    Field, Problem, Specials, empty_line, field_count_problem, field_text, parse_record,
    record_text_end,
};

/// One block handed to a parser: `bytes[..len]` (buffers are recycled, so they are
/// longer than the data they carry and never need zeroing again).
pub(crate) struct Block {
    pub(crate) index: usize,
    pub(crate) bytes: Vec<u8>,
    pub(crate) len: usize,
}

/// A problem found in a block, located in the block.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlockError {
    /// Block-local record index (0-based).
    pub(crate) record: u64,
    /// Block-local line (0-based) and character column (1-based) of the problem.
    pub(crate) line: u64,
    pub(crate) column: u64,
    pub(crate) problem: Problem,
}

/// What parsing one block gave.
pub(crate) struct Parsed {
    pub(crate) chunk: Option<Chunk>,
    pub(crate) newlines: u64,
    pub(crate) records: u64,
    pub(crate) good: u64,
    /// The first problems.
    pub(crate) errors: Vec<BlockError>,
    pub(crate) bad: u64,
    pub(crate) anomaly: bool,
    /// Local line and character column of the first invalid UTF-8 byte.
    pub(crate) utf8_error: Option<(u64, u64)>,
    pub(crate) overflow: bool,
    /// Per stored column: whether any row of the block had a value.
    pub(crate) filled: Vec<bool>,
    /// Per stored column: a PowerShell type name found among the first values, if any.
    pub(crate) type_name: Vec<Option<String>>,
}

/// Records sampled before column buffers are sized for the whole block, and looked at
/// for PowerShell type names.
const SAMPLE_ROWS: u64 = 32;

/// Parses one block into a row group. `recycled` column buffers (from a streamed row
/// group already consumed) are reused when given, and then kept at their capacity.
pub(crate) fn parse_block(
    block: &Block,
    lay: &Layout,
    delim: u8,
    keep_after_errors: bool,
    recycled: Option<Vec<TextColumn>>,
) -> Parsed {
    let buf = block.bytes.get(..block.len).unwrap_or(&[]);
    let newlines = count(buf, b'\n');
    let mut out = Parsed {
        chunk: None,
        newlines,
        records: 0,
        good: 0,
        errors: Vec::new(),
        bad: 0,
        anomaly: false,
        utf8_error: None,
        overflow: false,
        filled: Vec::new(),
        type_name: vec![None; lay.slot_cols.len()],
    };
    let text = match simdutf8::basic::from_utf8(buf) {
        Ok(t) => t,
        Err(_) => match std::str::from_utf8(buf) {
            Ok(t) => t,
            Err(e) => {
                out.utf8_error = Some(line_col(buf, e.valid_up_to(), 0));
                return out;
            }
        },
    };
    let rows_hint = usize::try_from(newlines)
        .unwrap_or(usize::MAX)
        .saturating_add(1);
    let streaming = recycled.is_some();
    let sp = Specials::new(delim);
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
    // The header positions that are stored, with their slots: a record's loop then
    // visits only the fields it keeps (a real job reads a third of an export's columns).
    let stored: Vec<(usize, usize)> = lay
        .slot_of
        .iter()
        .enumerate()
        .filter_map(|(i, slot)| slot.map(|s| (i, s)))
        .collect();
    let mut fields: Vec<Field> = Vec::with_capacity(lay.header_len + 4);
    let mut scratch = String::new();
    let mut pos = 0;
    // Local error positions are resolved in order, counting lines incrementally.
    let mut located = (0usize, 0u64);
    while pos < buf.len() {
        if let Some(n) = empty_line(buf, pos) {
            pos += n;
            continue;
        }
        let r = parse_record(buf, pos, &sp, &mut fields);
        pos = r.next;
        let record = out.records;
        out.records += 1;
        let problem = r
            .problem
            .or_else(|| field_count_problem(&fields, lay.header_len, record_text_end(buf, &r)));
        if let Some(p) = problem {
            out.anomaly |= p.is_anomaly();
            out.bad += 1;
            if out.errors.len() < MAX_ROW_ERRORS {
                let at = p.at().min(buf.len());
                let (from, lines) = located;
                let lines = lines + count(buf.get(from..at).unwrap_or(&[]), b'\n');
                located = (at, lines);
                let column = column_of(buf, at);
                out.errors.push(BlockError {
                    record,
                    line: lines,
                    column,
                    problem: p,
                });
            }
            continue;
        }
        if out.bad > 0 && !keep_after_errors {
            continue;
        }
        let sample = out.good < SAMPLE_ROWS;
        for &(i, slot) in &stored {
            let Some(col) = cols.get_mut(slot) else {
                continue;
            };
            match fields.get(i) {
                Some(f) => {
                    let v = field_text(text, *f, &mut scratch);
                    if sample && looks_like_type_name(v) {
                        if let Some(t) = out.type_name.get_mut(slot) {
                            t.get_or_insert_with(|| v.to_string());
                        }
                    }
                    if !col.push(v) {
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
    out.filled = cols.iter().map(|c| c.text_len() > 0).collect();
    let mut data: Vec<ColumnData> = (0..lay.ncols).map(|_| ColumnData::Absent).collect();
    for (slot, mut col) in cols.into_iter().enumerate() {
        if !streaming {
            col.shrink_to_fit();
        }
        if let Some(d) = lay.slot_cols.get(slot).and_then(|&c| data.get_mut(c)) {
            *d = ColumnData::Text(col);
        }
    }
    out.chunk = Some(Chunk::new(
        usize::try_from(out.good).unwrap_or(usize::MAX),
        data,
    ));
    out
}
