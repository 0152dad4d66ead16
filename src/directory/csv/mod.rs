//! CSV exports (Entra "Download users", PowerShell `Export-Csv`), read in parallel blocks.
//!
//! A million users is a 250 MB file that must load in a fraction of a second on two cores,
//! without holding the file in memory. So the file is read in large blocks (8 MiB) with
//! plain `read`, hashed and decoded on the way by one reader thread, and each block is cut
//! at its last record boundary and handed to rayon, which parses it into one [`Chunk`]
//! holding only the selected columns ([`block`]). Chunks are appended in file order, and
//! line numbers are fixed up afterwards from each block's newline count, so errors name
//! physical lines ([`errors`]).
//!
//! Cutting needs to know whether a newline is inside quotes. The fast cut counts quotes
//! (vectorised) and takes the last newline after an even number of them, which is exact
//! for any well-formed file. A bare quote inside an unquoted field breaks that parity, so
//! the block parser flags such *anomalies*; if any block has one, the file is read again
//! with cuts found by the same state machine the parser uses ([`record`]; slower, and only
//! for files that have errors anyway). Empty lines are skipped; a row with more or fewer
//! fields than the header is an error (or counted under `--skip-bad-rows`).
//!
//! Fields are keyed by header name, mapped with [`crate::schema::canonical_name`] (spec
//! S3, [`header`]); values are kept as written, untrimmed; empty is null (S1). A streamed
//! read hands each row group to a typed [`Sink`] on the parsing thread and keeps only its
//! output.

#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

mod block;
mod errors;
mod header;
mod record;
mod table;
#[cfg(test)]
mod tests;

pub(crate) use errors::MAX_ROW_ERRORS;
pub(crate) use table::{Table, parse_table, read_small_text, scan_table};

use super::encoding::{self, Encoding};
use super::input::{NoProgress, Progress, Sink, io_error};
use super::{Chunk, ColumnSelection, DirectoryBuilder, TextColumn};
use crate::diag::{Code, Diagnostic, Errors, FileLocation};
use block::{Block, Parsed, parse_block};
use errors::{RowError, row_diagnostics, skipped_warning, utf8_error};
use header::{Header, Layout, layout, read_header};
use rayon::prelude::*;
use record::{Cut, Specials, last_boundary};
use std::io::{self, Read};

/// Bytes per block: large enough that per-block costs vanish, small enough that the few
/// in flight per core stay in the processor's caches between the read that fills a block
/// and the parse that reads it. Measured on the real job (README, Performance): 2 MiB
/// against 8 MiB took 15% less wall time and a quarter less memory at 1M users; 1 MiB was
/// no faster than 2.
pub(crate) const DEFAULT_BLOCK: usize = 2 << 20;

/// Settings for reading one CSV input.
#[derive(Debug, Clone)]
pub(crate) struct CsvOptions {
    /// Forced delimiter.
    pub delimiter: Option<u8>,
    /// Skip (and count) malformed rows instead of failing.
    pub skip_bad_rows: bool,
    /// Block size (tests use tiny blocks to cut inside quoted fields).
    pub block_size: usize,
    /// Do not hash the bytes (see [`crate::directory::read::ReadOptions::skip_hash`]).
    pub skip_hash: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: None,
            skip_bad_rows: false,
            block_size: DEFAULT_BLOCK,
            skip_hash: false,
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

/// Reads one CSV input into `b`. With a `sink`, each row group is handed to it on the
/// parsing thread and only its length is kept; the outputs are pushed to `visited` with
/// the index of the row group's first user, in row order.
///
/// `open` opens the raw byte stream; it is called a second time when the file needs the
/// exact (slow) cutting because of malformed quotes.
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_csv<R, F, S>(
    open: F,
    shown: &str,
    opts: &CsvOptions,
    columns: &ColumnSelection,
    b: &mut DirectoryBuilder,
    progress: &dyn Progress,
    sink: Option<&S>,
    visited: &mut Vec<(usize, S::Output)>,
) -> Result<CsvSummary, Errors>
where
    R: Read + Send,
    F: Fn() -> io::Result<R>,
    S: Sink,
{
    for cut in [Cut::Parity, Cut::Exact] {
        if let Pass::Done(s) =
            read_csv_pass(&open, shown, opts, columns, b, progress, cut, sink, visited)?
        {
            return Ok(s);
        }
    }
    Err(Errors::from(vec![
        Diagnostic::error(
            Code::Internal,
            format!("could not find the records of `{shown}`"),
        )
        .at(FileLocation::file(shown)),
    ]))
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
    let progress = NoProgress;
    let mut dec = encoding::open(raw, &progress, shown)?;
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

/// Blocks allocated before the reader starts reusing the buffers of parsed blocks: one
/// being filled, two queued, and one per parsing thread on these 2-core machines.
const IN_FLIGHT: usize = 5;

#[allow(clippy::too_many_arguments)]
fn read_csv_pass<R, F, S>(
    open: &F,
    shown: &str,
    opts: &CsvOptions,
    columns: &ColumnSelection,
    b: &mut DirectoryBuilder,
    progress: &dyn Progress,
    cut: Cut,
    sink: Option<&S>,
    visited: &mut Vec<(usize, S::Output)>,
) -> Result<Pass, Errors>
where
    R: Read + Send,
    F: Fn() -> io::Result<R>,
    S: Sink,
{
    let block_size = opts.block_size.max(1);
    let raw = open().map_err(|e| vec![io_error(shown, &e)])?;
    let mut dec = encoding::open_hashed(raw, progress, shown, !opts.skip_hash)?;
    let enc = dec.encoding();
    let mut buf = Vec::new();
    let mut eof =
        encoding::fill(&mut dec, &mut buf, block_size).map_err(|e| vec![io_error(shown, &e)])?;
    if enc == Encoding::Utf8 && encoding::looks_like_bomless_utf16(&buf) {
        return Err(Errors::from(vec![encoding::bomless_utf16_error(shown)]));
    }
    let mut header = read_header(&mut dec, &mut buf, &mut eof, shown, opts.delimiter)?;
    let delim = header.delimiter;
    let lay = layout(&mut header, shown, columns, b)?;
    // What the sink reads, when fewer columns than the read keeps: the whole layout is
    // parsed only for the row groups it keeps.
    let narrow = sink
        .and_then(Sink::reads)
        .map(|sel| lay.narrowed(&header, sel));
    let parse_lay = narrow.as_ref().unwrap_or(&lay);
    // The first buffer goes on with the data after the header.
    let start = header.data_start.min(buf.len());
    buf.copy_within(start.., 0);
    let first_len = buf.len() - start;
    let keep_after_errors = opts.skip_bad_rows;
    let specials = Specials::new(delim);
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
                    match dec.read(buf.get_mut(len..want).unwrap_or(&mut [])) {
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
                match last_boundary(buf.get(..len).unwrap_or(&[]), cut, &specials) {
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
                        if let (Some(dst), Some(src)) = (next.get_mut(..rest), buf.get(end..len)) {
                            dst.copy_from_slice(src);
                        }
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
        let parsed: Vec<(usize, Parsed, Option<S::Output>)> = rx
            .into_iter()
            .par_bridge()
            .map(|block| {
                // Streaming: reuse the column buffers of a row group already consumed.
                let recycled = sink.map(|_| {
                    col_pool
                        .lock()
                        .ok()
                        .and_then(|mut p| p.pop())
                        .unwrap_or_default()
                });
                let mut parsed = parse_block(&block, parse_lay, delim, keep_after_errors, recycled);
                let mut output = None;
                if let Some((sink, mut chunk)) =
                    sink.and_then(|v| parsed.chunk.take().map(|c| (v, c)))
                {
                    // Consume the row group here, on the parsing thread, and keep only its
                    // length (unless the sink keeps it); its buffers go back to the pool.
                    let out = sink.row_group_at(block.index, &chunk);
                    let keeps = sink.keeps(&out);
                    if keeps && narrow.is_none() {
                        // Kept for good: no spare capacity for a next row group.
                        chunk.shrink_to_fit();
                        parsed.chunk = Some(chunk);
                    } else {
                        let cols = chunk.take_text_columns(&parse_lay.slot_cols);
                        if let Ok(mut p) = col_pool.lock() {
                            p.push(cols);
                        }
                        parsed.chunk = Some(match keeps {
                            // The same records, every kept column this time.
                            true => parse_block(&block, &lay, delim, keep_after_errors, None)
                                .chunk
                                .unwrap_or_else(|| Chunk::new(chunk.len(), Vec::new())),
                            false => Chunk::new(chunk.len(), Vec::new()),
                        });
                    }
                    output = Some(out);
                }
                // Hand the buffer back for reuse; the reader may be gone already.
                let _ = pool_tx.send(block.bytes);
                (block.index, parsed, output)
            })
            .collect();
        let end = reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("reader thread failed")));
        (end, parsed)
    });
    let reader_end = reader_end.map_err(|e| vec![io_error(shown, &e)])?;
    parsed.sort_by_key(|(i, _, _)| *i);

    if cut == Cut::Parity && parsed.iter().any(|(_, p, _)| p.anomaly) {
        return Ok(Pass::NeedsExact);
    }

    // Fix up lines and records across blocks; gather errors in file order.
    let mut line = header.data_line;
    let mut record = 0u64;
    let mut row_errors: Vec<RowError> = Vec::new();
    let mut total_bad = 0u64;
    let mut good = 0u64;
    for (_, p, _) in &parsed {
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
        for e in &p.errors {
            if row_errors.len() < MAX_ROW_ERRORS {
                row_errors.push(RowError {
                    line: line + e.line,
                    column: e.column,
                    record: record + e.record + 1,
                    problem: e.problem,
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
    let mut warnings = std::mem::take(&mut header.warnings);
    warnings.extend(export_mistakes(shown, &header, parse_lay, &parsed, good));
    for (_, p, output) in &mut parsed {
        if let Some(chunk) = p.chunk.take() {
            if let Some(v) = output.take().filter(|_| !chunk.is_empty()) {
                visited.push((b.len(), v));
            }
            b.push_chunk(chunk);
        }
    }
    if total_bad > 0 {
        warnings.push(skipped_warning(
            shown,
            &header.names,
            &row_errors,
            total_bad,
        ));
    }
    if reader_end.replaced > 0 {
        warnings.push(encoding::replaced_warning(shown, reader_end.replaced));
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

/// The classic PowerShell export mistakes, told from what the blocks saw: `Get-MgUser`
/// without `-Property` (S2, S36: the columns the rules read are empty for everyone), and
/// objects written as type names instead of values (not flattened with
/// `Select-Object`).
fn export_mistakes<T>(
    shown: &str,
    header: &Header,
    lay: &Layout,
    parsed: &[(usize, Parsed, T)],
    users: u64,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if users == 0 {
        return out;
    }
    let names: Vec<&str> = lay
        .slot_of
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|_| header.names.get(i).map_or("", String::as_str)))
        .collect();
    let filled = |slot: usize| {
        parsed
            .iter()
            .any(|(_, p, _)| p.filled.get(slot).copied().unwrap_or(false))
    };
    let raw_get_mguser = header
        .names
        .iter()
        .any(|n| n.eq_ignore_ascii_case("AdditionalProperties"))
        || header.type_line.as_deref().is_some_and(|t| {
            // `Selected.Microsoft...` is `Select-Object` output: chosen columns.
            t.trim_start_matches("#TYPE").trim()
                == "Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser"
        });
    if raw_get_mguser {
        let empty: Vec<String> = names
            .iter()
            .enumerate()
            .filter(|&(slot, _)| !filled(slot))
            .map(|(_, n)| format!("`{n}`"))
            .collect();
        if !empty.is_empty() {
            out.push(
                Diagnostic::warning(
                    Code::PowerShellDefaultProperties,
                    format!(
                        "`{shown}` is `Get-MgUser` output without `-Property`: {} {} empty for every user",
                        empty.join(", "),
                        if empty.len() == 1 { "is" } else { "are" }
                    ),
                )
                .with_rule("S2")
                .at(FileLocation::file(shown).at_line(header.line))
                .with_help("Get-MgUser returns only its default properties unless asked: run `scopesim exports RULES` for the `Get-MgUser -All -Property ... | Select-Object ...` command that exports the attributes the rules use"),
            );
        }
    }
    let mut typed: Vec<String> = Vec::new();
    for (slot, n) in names.iter().enumerate() {
        let example = parsed
            .iter()
            .find_map(|(_, p, _)| p.type_name.get(slot).cloned().flatten());
        if let Some(v) = example {
            typed.push(format!("`{n}` (`{}`)", truncate(&v, 80)));
        }
    }
    if !typed.is_empty() {
        out.push(
            Diagnostic::warning(
                Code::PowerShellTypeNames,
                format!(
                    "`{shown}` holds PowerShell type names instead of values in {}",
                    typed.join(", ")
                ),
            )
            .at(FileLocation::file(shown).at_line(header.line))
            .with_help("PowerShell writes an object it cannot flatten as its type name: select the values with calculated properties, e.g. `@{n='extensionAttribute1';e={$_.OnPremisesExtensionAttributes.ExtensionAttribute1}}` (`scopesim exports RULES` prints the whole command)"),
        );
    }
    out
}

/// At most `n` characters of `s`.
fn truncate(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}
