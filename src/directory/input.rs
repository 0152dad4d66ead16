//! What every directory reader shares: progress reporting, I/O errors, the row-group size,
//! positions in a file, the description of an input read, and the streaming sink.
//!
//! A leaf inside `directory/`: it uses nothing else of the module, and the readers (CSV,
//! Graph JSON, Parquet, the small-file readers) use it instead of borrowing helpers from
//! each other, so that the dependencies inside `directory/` run one way:
//! `input` → `encoding` → `csv`, `json`, `parquet` → `read`. The streaming sink is typed
//! (ripgrep's `Sink`, with an associated output type): a reader hands each row group to it
//! on the parsing thread and keeps what it returns, with no `Any` and no downcast.

#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use crate::diag::{Code, Diagnostic, FileLocation};

/// Users per row group for readers that build row groups themselves (Graph JSON,
/// Parquet); the CSV reader cuts its row groups at block boundaries instead.
pub(crate) const ROW_GROUP: usize = 65_536;

/// Progress of reading (the trait and the no-op), defined with the bar that shows it.
pub use crate::output::progress::{NoProgress, Progress};

/// A consumer of row groups while a directory is streamed: called on the parsing threads,
/// once per row group, in any order; its outputs are handed back in row order.
///
/// Any `Fn(&Chunk) -> T + Sync` closure is a sink.
pub trait Sink: Sync {
    /// What the sink makes of one row group.
    type Output: Send;
    /// Consumes one row group (its values are dropped afterwards).
    fn row_group(&self, chunk: &super::Chunk) -> Self::Output;

    /// Consumes row group `index` of its file (counted from 0 in file order; a file read
    /// a second time, for the exact cutting, counts from 0 again): what the CSV reader
    /// calls, for sinks that put row groups back in order themselves.
    fn row_group_at(&self, index: usize, chunk: &super::Chunk) -> Self::Output {
        let _ = index;
        self.row_group(chunk)
    }

    /// Whether the reader keeps the values of the row group that gave `output` instead
    /// of dropping them (a streamed explanation keeps the row group holding its user).
    fn keeps(&self, output: &Self::Output) -> bool {
        let _ = output;
        false
    }

    /// The columns the sink reads, when fewer than the read keeps: the CSV reader then
    /// parses only these for the sink, and the whole row (every column the read keeps)
    /// only for the row groups the sink keeps.
    fn reads(&self) -> Option<&super::ColumnSelection> {
        None
    }
}

impl<T: Send, F: Fn(&super::Chunk) -> T + Sync> Sink for F {
    type Output = T;
    fn row_group(&self, chunk: &super::Chunk) -> T {
        self(chunk)
    }
}

/// A sink whose closure also says whether to keep the row group's values (`true` in the
/// second half of its output), and that reads only some columns: one user of a streamed
/// export kept whole, the others seen only through the columns the rules read.
#[derive(Debug, Clone)]
pub struct KeepWhen<F> {
    /// The closure, called on each row group (holding the columns of `reads`).
    pub sink: F,
    /// The columns the closure reads; `None` for every column the read keeps.
    pub reads: Option<super::ColumnSelection>,
}

impl<T: Send, F: Fn(&super::Chunk) -> (T, bool) + Sync> Sink for KeepWhen<F> {
    type Output = (T, bool);
    fn row_group(&self, chunk: &super::Chunk) -> (T, bool) {
        (self.sink)(chunk)
    }
    fn keeps(&self, output: &(T, bool)) -> bool {
        output.1
    }
    fn reads(&self) -> Option<&super::ColumnSelection> {
        self.reads.as_ref()
    }
}

/// The sink of a read that keeps every value: it is never called.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeepAll;

impl Sink for KeepAll {
    type Output = ();
    fn row_group(&self, _chunk: &super::Chunk) {}
}

/// The diagnostic for an input that cannot be read.
pub(crate) fn io_error(shown: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(Code::Io, format!("cannot read `{shown}`: {e}"))
        .at(FileLocation::file(shown))
        .with_help("check the path and that the file is readable")
}

/// Number of `byte`s in `buf` (memchr's vectorised counter).
#[inline]
pub(crate) fn count(buf: &[u8], byte: u8) -> u64 {
    memchr::memchr_iter(byte, buf).count() as u64
}

/// Line (1-based, counting from `first_line`) and column (1-based, in characters, as an
/// editor counts them) of byte offset `pos` in `text`. Positions are 64-bit end to end, so
/// a one-line file of any length is located exactly.
pub(crate) fn line_col(text: &[u8], pos: usize, first_line: u64) -> (u64, u64) {
    let before = text.get(..pos.min(text.len())).unwrap_or(text);
    let line = first_line + count(before, b'\n');
    (line, column_of(text, pos))
}

/// The 1-based character column of byte offset `pos` in its line of `text`.
pub(crate) fn column_of(text: &[u8], pos: usize) -> u64 {
    let before = text.get(..pos.min(text.len())).unwrap_or(text);
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    chars_in(before.get(line_start..).unwrap_or(&[])) + 1
}

/// Characters in a UTF-8 byte slice (bytes that do not start a character are not
/// counted; an invalid byte counts as one).
pub(crate) fn chars_in(bytes: &[u8]) -> u64 {
    // A byte starts a character unless it is a continuation byte (0b10xx_xxxx).
    let continuation = bytes.iter().filter(|&&b| (b & 0xc0) == 0x80).count();
    (bytes.len() - continuation) as u64
}

/// Whether a value is what PowerShell writes for an object it could not flatten: a .NET
/// type name (`Microsoft.Graph.PowerShell.Models.MicrosoftGraphOnPremisesExtensionAttributes`,
/// `System.String[]`, `System.Collections.Generic.Dictionary`2[...]`), or a hashtable
/// rendered by `ConvertTo-Json` at its default depth (`System.Collections.Hashtable`,
/// `@{extensionAttribute1=...}`).
pub(crate) fn looks_like_type_name(v: &str) -> bool {
    let b = v.as_bytes();
    match b.first() {
        Some(b'S') => {
            v.starts_with("System.")
                && !v.contains(' ')
                && (v.ends_with("[]")
                    || v.starts_with("System.Collections.")
                    || v == "System.Object")
        }
        Some(b'M') => v.starts_with("Microsoft.Graph.PowerShell.Models.") && !v.contains(' '),
        Some(b'@') => v.starts_with("@{") && v.ends_with('}'),
        _ => false,
    }
}

/// The file formats scopesim reads directories from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputFormat {
    /// Entra "Download users" or PowerShell `Export-Csv`.
    Csv,
    /// Graph `/users` response(s): `{"value": [...]}` or an array of such pages.
    GraphJson,
    /// One Graph user object per line.
    Ndjson,
    /// Parquet (with the `parquet` feature).
    Parquet,
}

impl InputFormat {
    /// Parses `csv`, `json`/`graph-json`, `ndjson`/`jsonl`, `parquet`.
    pub fn parse(s: &str) -> Option<InputFormat> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Some(InputFormat::Csv),
            "json" | "graph-json" | "graph" => Some(InputFormat::GraphJson),
            "ndjson" | "jsonl" => Some(InputFormat::Ndjson),
            "parquet" => Some(InputFormat::Parquet),
            _ => None,
        }
    }

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::Csv => "csv",
            InputFormat::GraphJson => "graph-json",
            InputFormat::Ndjson => "ndjson",
            InputFormat::Parquet => "parquet",
        }
    }
}

/// What was read from one input file: evidence for reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputInfo {
    /// The path as given.
    pub path: String,
    /// Detected or forced format.
    pub format: InputFormat,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// File size.
    pub bytes: u64,
    /// Users read.
    pub records: u64,
    /// Rows skipped under `--skip-bad-rows`.
    pub skipped: u64,
    /// Text encoding (`utf-8`, `utf-8-bom`, `utf-16le`, `utf-16be`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// CSV delimiter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<char>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_character_column() {
        assert_eq!(line_col(b"ab\ncd\nef", 7, 1), (3, 2));
        assert_eq!(line_col(b"ab\ncd\nef", 0, 5), (5, 1));
        // Columns count characters: `ü` is two bytes, one column.
        assert_eq!(line_col("a\nüx".as_bytes(), 4, 1), (2, 2));
    }

    #[test]
    fn type_names_are_recognised() {
        for v in [
            "Microsoft.Graph.PowerShell.Models.MicrosoftGraphOnPremisesExtensionAttributes",
            "System.String[]",
            "System.Collections.Generic.Dictionary`2[System.String,System.Object]",
            "System.Collections.Hashtable",
            "@{extensionAttribute1=150; extensionAttribute2=}",
        ] {
            assert!(looks_like_type_name(v), "{v}");
        }
        for v in [
            "Sales",
            "System Administrator",
            "Microsoft",
            "@contoso",
            "",
            "S",
        ] {
            assert!(!looks_like_type_name(v), "{v}");
        }
    }

    #[test]
    fn count_matches_a_plain_count() {
        let buf: Vec<u8> = (0..100_000u32)
            .map(|i| if i % 7 == 0 { b'"' } else { b'a' })
            .collect();
        for len in [0, 1, 63, 64, 65, 1000, buf.len()] {
            let want = buf[..len].iter().filter(|&&b| b == b'"').count() as u64;
            assert_eq!(count(&buf[..len], b'"'), want);
        }
    }
}
