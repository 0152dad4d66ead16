//! The entry point: detect each input's format, read the inputs in order into one
//! [`Directory`], and gather every error before giving up.
//!
//! Formats are told apart by content (the Parquet magic, a JSON opening bracket, a second
//! JSON object on its own line for NDJSON), with the extension only as a tie-break,
//! because exports get renamed (`users.txt`, `export.json` holding NDJSON). All inputs are
//! read even when one fails, so that a user fixing a batch of files sees every problem at
//! once; nothing is built unless all of them read cleanly.
//!
//! Detection and the CSV reader's exact second pass read a file more than once, which a
//! pipe or FIFO cannot give (`-d /dev/stdin`, `-d -`, `-d <(...)`): such an input is
//! copied once into a temporary file first, and read from there, so that it is read
//! exactly as a file with the same bytes would be (its hash and size are of those bytes).

#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::csv::{self, CsvOptions};
use super::input::{InputFormat, InputInfo, io_error};
pub use super::input::{KeepAll, NoProgress, Progress, Sink};
use super::{ColumnSelection, Directory, DirectoryBuilder};
use crate::diag::{Code, Diagnostic, Errors, FileLocation};
use std::io::Read;
use std::path::{Path, PathBuf};

/// How to read the inputs.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Force a format instead of detecting it.
    pub format: Option<InputFormat>,
    /// Force the CSV delimiter instead of detecting `,` or `;`.
    pub delimiter: Option<u8>,
    /// Skip malformed CSV rows (counted, and reported in one warning) instead of failing.
    pub skip_bad_rows: bool,
    /// The attributes to keep.
    pub columns: ColumnSelection,
    /// Do not hash CSV inputs (their `sha256` is then empty): for a run whose output
    /// shows no evidence (a table summary). SHA-256 was an eighth of a plan's CPU time.
    pub skip_hash: bool,
}

/// Bytes looked at to detect a format.
const SNIFF: usize = 64 << 10;

/// Reads and concatenates the inputs, in order. All errors found are returned together.
pub fn read_directory(
    paths: &[PathBuf],
    opts: &ReadOptions,
    progress: &dyn Progress,
) -> Result<Directory, Errors> {
    read_directory_with(paths, opts, progress, csv::DEFAULT_BLOCK)
}

/// A directory read without keeping its values, and what the sink returned for each
/// row group, in row order.
#[derive(Debug)]
pub struct Streamed<T> {
    /// Columns, inputs, row count and row groups (lengths only: every value reads as null).
    pub directory: Directory,
    /// `(first row, sink output)` per row group, in row order.
    pub chunks: Vec<(usize, T)>,
}

/// Reads CSV inputs row group by row group and hands each to a [`Sink`] on the parsing
/// threads, then drops its values: for callers that need only per-user results (a plan
/// summary), this keeps memory far below the size of the export and skips copying values
/// into long-lived buffers. `prepare` sees the columns (all headers are read first, with
/// the ids the rows will use) and returns the sink, for example rules compiled against
/// those columns.
///
/// Returns `Ok(None)` when an input is not CSV (Graph JSON properties are known only
/// after the whole file); use [`read_directory`] then.
pub fn stream_directory<S, P>(
    paths: &[PathBuf],
    opts: &ReadOptions,
    progress: &dyn Progress,
    prepare: P,
) -> Result<Option<Streamed<S::Output>>, Errors>
where
    S: Sink,
    P: FnOnce(&Directory) -> Result<S, Errors>,
{
    stream_directory_with(paths, opts, progress, csv::DEFAULT_BLOCK, prepare)
}

/// [`stream_directory`] with a chosen CSV block size (tests cut blocks small).
pub(crate) fn stream_directory_with<S, P>(
    paths: &[PathBuf],
    opts: &ReadOptions,
    progress: &dyn Progress,
    block_size: usize,
    prepare: P,
) -> Result<Option<Streamed<S::Output>>, Errors>
where
    S: Sink,
    P: FnOnce(&Directory) -> Result<S, Errors>,
{
    let inputs = Inputs::open(paths)?;
    let mut b = Directory::builder();
    let copts = CsvOptions {
        delimiter: opts.delimiter,
        skip_bad_rows: opts.skip_bad_rows,
        block_size,
        skip_hash: opts.skip_hash,
    };
    let mut errors = Vec::new();
    for input in &inputs.0 {
        let format = format_of(&input.path, opts.format)
            .map_err(|e| Errors::from(vec![io_error(&input.shown, &e)]))?;
        if format != InputFormat::Csv {
            return Ok(None);
        }
        let file =
            std::fs::File::open(&input.path).map_err(|e| vec![io_error(&input.shown, &e)])?;
        if let Err(e) = csv::scan_header(file, &input.shown, &copts, &opts.columns, &mut b) {
            errors.extend(e);
        }
    }
    if let Some(e) = Errors::from_vec(errors) {
        return Err(e);
    }
    let sink = prepare(&b.clone().build())?;
    let mut chunks = Vec::new();
    let b = read_into(
        &inputs,
        opts,
        progress,
        block_size,
        b,
        Some(&sink),
        &mut chunks,
    )?;
    Ok(Some(Streamed {
        directory: b.build(),
        chunks,
    }))
}

/// [`read_directory`] with a chosen CSV block size (tests cut blocks small).
pub(crate) fn read_directory_with(
    paths: &[PathBuf],
    opts: &ReadOptions,
    progress: &dyn Progress,
    block_size: usize,
) -> Result<Directory, Errors> {
    let inputs = Inputs::open(paths)?;
    read_into::<KeepAll>(
        &inputs,
        opts,
        progress,
        block_size,
        Directory::builder(),
        None,
        &mut Vec::new(),
    )
    .map(DirectoryBuilder::build)
}

/// One input, ready to be opened as many times as a reader needs.
struct Input {
    /// The path as given (what messages and evidence name).
    shown: String,
    /// Where to read it: the path itself, or the copy of a pipe.
    path: PathBuf,
    /// The copy of a pipe, removed when reading is done.
    _spool: Option<tempfile::TempPath>,
}

/// The inputs of one read.
struct Inputs(Vec<Input>);

impl Inputs {
    /// Resolves the paths: `-` is standard input, and a pipe or FIFO (anything that is
    /// not a regular file) is copied once into a temporary file.
    fn open(paths: &[PathBuf]) -> Result<Inputs, Errors> {
        let mut out = Vec::with_capacity(paths.len());
        let mut errors = Vec::new();
        for path in paths {
            let shown = path.display().to_string();
            let stdin = path.as_os_str() == "-";
            let regular =
                !stdin && std::fs::metadata(path).map_or(true, |m| m.is_file() || m.is_dir());
            if regular {
                out.push(Input {
                    shown,
                    path: path.clone(),
                    _spool: None,
                });
                continue;
            }
            match spool(path, stdin) {
                Ok(spooled) => out.push(Input {
                    shown,
                    path: spooled.to_path_buf(),
                    _spool: Some(spooled),
                }),
                Err(e) => errors.push(
                    Diagnostic::error(
                        Code::Io,
                        format!("cannot read `{shown}` (a pipe, copied before reading): {e}"),
                    )
                    .at(FileLocation::file(&shown))
                    .with_help("scopesim copies a pipe or FIFO into a temporary file before reading it: check that the temporary directory (`TMPDIR`) is writable and has room, or pass a regular file"),
                ),
            }
        }
        match Errors::from_vec(errors) {
            Some(e) => Err(e),
            None => Ok(Inputs(out)),
        }
    }
}

/// Copies a pipe (or standard input) into a temporary file, once.
fn spool(path: &Path, stdin: bool) -> std::io::Result<tempfile::TempPath> {
    let mut tmp = tempfile::Builder::new()
        .prefix("scopesim-input-")
        .tempfile()?;
    if stdin {
        std::io::copy(&mut std::io::stdin().lock(), tmp.as_file_mut())?;
    } else {
        std::io::copy(&mut std::fs::File::open(path)?, tmp.as_file_mut())?;
    }
    Ok(tmp.into_temp_path())
}

fn read_into<S: Sink>(
    inputs: &Inputs,
    opts: &ReadOptions,
    progress: &dyn Progress,
    block_size: usize,
    mut b: DirectoryBuilder,
    sink: Option<&S>,
    visited: &mut Vec<(usize, S::Output)>,
) -> Result<DirectoryBuilder, Errors> {
    let mut errors = Vec::new();
    let mut json = super::json::JsonState::default();
    for input in &inputs.0 {
        let format = match opts.format {
            Some(f) => f,
            None => match sniff(&input.path) {
                Ok(head) => detect_format(&input.path, &head).unwrap_or(InputFormat::Csv),
                Err(e) => {
                    errors.push(io_error(&input.shown, &e));
                    continue;
                }
            },
        };
        let total = std::fs::metadata(&input.path).map(|m| m.len()).unwrap_or(0);
        progress.start(&input.shown, total);
        let result = read_one(
            input, format, opts, progress, block_size, &mut b, &mut json, sink, visited,
        );
        progress.finish();
        if let Err(e) = result {
            errors.extend(e);
        }
    }
    b.extend_diagnostics(json.finish());
    match Errors::from_vec(errors) {
        Some(e) => Err(e),
        None => Ok(b),
    }
}

#[allow(clippy::too_many_arguments)]
fn read_one<S: Sink>(
    input: &Input,
    format: InputFormat,
    opts: &ReadOptions,
    progress: &dyn Progress,
    block_size: usize,
    b: &mut DirectoryBuilder,
    json: &mut super::json::JsonState,
    sink: Option<&S>,
    visited: &mut Vec<(usize, S::Output)>,
) -> Result<(), Errors> {
    let (path, shown) = (&input.path, input.shown.as_str());
    if sink.is_some() && format != InputFormat::Csv {
        return Err(Errors::from(vec![
            Diagnostic::error(
                Code::Internal,
                format!("`{shown}` is not CSV and cannot be streamed"),
            )
            .at(FileLocation::file(shown)),
        ]));
    }
    match format {
        InputFormat::Csv => {
            let copts = CsvOptions {
                delimiter: opts.delimiter,
                skip_bad_rows: opts.skip_bad_rows,
                block_size,
                skip_hash: opts.skip_hash,
            };
            let s = csv::read_csv(
                || std::fs::File::open(path),
                shown,
                &copts,
                &opts.columns,
                b,
                progress,
                sink,
                visited,
            )?;
            b.push_input(InputInfo {
                path: shown.to_string(),
                format: InputFormat::Csv,
                sha256: s.sha256,
                bytes: s.bytes,
                records: s.records,
                skipped: s.skipped,
                encoding: Some(s.encoding.as_str().to_string()),
                delimiter: Some(char::from(s.delimiter)),
            });
            b.extend_diagnostics(s.warnings);
            Ok(())
        }
        InputFormat::GraphJson | InputFormat::Ndjson => super::json::read_json(
            || std::fs::File::open(path),
            shown,
            &opts.columns,
            b,
            progress,
            json,
            format == InputFormat::Ndjson,
        ),
        InputFormat::Parquet => read_parquet(path, shown, opts, b, progress),
    }
}

#[cfg(feature = "parquet")]
fn read_parquet(
    path: &Path,
    shown: &str,
    opts: &ReadOptions,
    b: &mut DirectoryBuilder,
    progress: &dyn Progress,
) -> Result<(), Errors> {
    super::parquet::read_parquet(path, shown, &opts.columns, b, progress)
}

#[cfg(not(feature = "parquet"))]
fn read_parquet(
    _path: &Path,
    shown: &str,
    _opts: &ReadOptions,
    _b: &mut DirectoryBuilder,
    _progress: &dyn Progress,
) -> Result<(), Errors> {
    Err(Errors::from(vec![
        Diagnostic::error(
            Code::ParquetUnsupported,
            format!("`{shown}` is Parquet, and this scopesim was built without Parquet support"),
        )
        .at(FileLocation::file(shown))
        .with_help("install a build with the `parquet` feature (`cargo install scopesim --features parquet`), or export the users as CSV"),
    ]))
}

/// The format of an input: `given`, else detected from its first bytes (CSV when
/// nothing tells).
fn format_of(path: &Path, given: Option<InputFormat>) -> std::io::Result<InputFormat> {
    match given {
        Some(f) => Ok(f),
        None => sniff(path).map(|head| detect_format(path, &head).unwrap_or(InputFormat::Csv)),
    }
}

/// True when [`stream_directory`] can stream `paths` more than once: every one is a file
/// (not standard input or a pipe, which can be read only once) in CSV. A path that cannot
/// be read counts as streamable, so that the streaming read reports it.
pub fn streams_again(paths: &[PathBuf], format: Option<InputFormat>) -> bool {
    paths.iter().all(|path| {
        if path.as_os_str() == "-" {
            return false;
        }
        match std::fs::metadata(path) {
            Ok(m) if !m.is_file() => false,
            Ok(_) => format_of(path, format).map_or(true, |f| f == InputFormat::Csv),
            Err(_) => true,
        }
    })
}

/// The first bytes of a file.
fn sniff(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(SNIFF);
    std::fs::File::open(path)?
        .take(SNIFF as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// The format of a file, from its first bytes (content first, extension as a tie-break).
/// `None` when nothing tells (an empty file with an unknown extension).
pub fn detect_format(path: &Path, first_bytes: &[u8]) -> Option<InputFormat> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let by_ext = match ext.as_str() {
        "csv" | "tsv" | "txt" => Some(InputFormat::Csv),
        "json" => Some(InputFormat::GraphJson),
        "ndjson" | "jsonl" => Some(InputFormat::Ndjson),
        "parquet" | "pq" => Some(InputFormat::Parquet),
        _ => None,
    };
    if first_bytes.starts_with(b"PAR1") {
        return Some(InputFormat::Parquet);
    }
    let text = match crate::text::decode_text(first_bytes) {
        Ok(t) => t,
        // A bad byte in the first block; cut the sample before it and look at the rest.
        Err(_) => String::from_utf8_lossy(first_bytes).into_owned(),
    };
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return by_ext;
    }
    if trimmed.starts_with('[') {
        return Some(InputFormat::GraphJson);
    }
    if trimmed.starts_with('{') {
        if by_ext == Some(InputFormat::Ndjson) {
            return Some(InputFormat::Ndjson);
        }
        // NDJSON: the first line is a whole object and another object follows on a new line.
        let mut lines = trimmed.lines().filter(|l| !l.trim().is_empty());
        let first = lines.next().unwrap_or("");
        let whole = serde_json::from_str::<serde::de::IgnoredAny>(first).is_ok();
        let next_is_object = lines
            .next()
            .is_some_and(|l| l.trim_start().starts_with('{'));
        if whole && next_is_object {
            return Some(InputFormat::Ndjson);
        }
        return Some(InputFormat::GraphJson);
    }
    // A whole file that is one JSON scalar (`null`, `42`, `"x"`, `true`) is JSON of the
    // wrong shape, which the JSON reader refuses; read as CSV it would be zero users.
    if serde_json::from_str::<serde_json::Value>(trimmed)
        .is_ok_and(|v| !v.is_object() && !v.is_array())
    {
        return Some(InputFormat::GraphJson);
    }
    match by_ext {
        Some(InputFormat::Parquet) => Some(InputFormat::Parquet),
        _ => Some(InputFormat::Csv),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_detected_from_content() {
        let p = Path::new("users.txt");
        assert_eq!(detect_format(p, b"PAR1\0\0"), Some(InputFormat::Parquet));
        assert_eq!(
            detect_format(p, b"  {\"@odata.context\":\"x\",\n\"value\":[]}"),
            Some(InputFormat::GraphJson)
        );
        assert_eq!(
            detect_format(p, b"{\"id\":\"1\"}\n\n{\"id\":\"2\"}\n"),
            Some(InputFormat::Ndjson)
        );
        assert_eq!(
            detect_format(p, b"[{\"value\":[]}]"),
            Some(InputFormat::GraphJson)
        );
        assert_eq!(
            detect_format(p, b"\xef\xbb\xbfId;Name\r\n"),
            Some(InputFormat::Csv)
        );
        assert_eq!(
            detect_format(Path::new("x.json"), b"Id,Name\n"),
            Some(InputFormat::Csv)
        );
        // A JSON scalar is JSON (and then refused), not a one-column CSV of no rows.
        for text in [&b"null"[..], b" 42\n", b"\"users\"", b"true"] {
            assert_eq!(detect_format(p, text), Some(InputFormat::GraphJson));
        }
    }

    #[test]
    fn extension_breaks_ties() {
        assert_eq!(
            detect_format(Path::new("a.ndjson"), b"{\"id\":\"1\"}"),
            Some(InputFormat::Ndjson)
        );
        assert_eq!(
            detect_format(Path::new("a.json"), b"{\"id\":\"1\"}"),
            Some(InputFormat::GraphJson)
        );
        assert_eq!(
            detect_format(Path::new("a.parquet"), b""),
            Some(InputFormat::Parquet)
        );
        assert_eq!(detect_format(Path::new("a.bin"), b""), None);
        let mut utf16 = vec![0xff, 0xfe];
        for u in "[{}]".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(
            detect_format(Path::new("a"), &utf16),
            Some(InputFormat::GraphJson)
        );
    }
}
