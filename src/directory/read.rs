//! TEMPORARY simple reader (sequential UTF-8 CSV only) until the readers branch lands.
use super::{
    Chunk, ColumnData, ColumnKind, ColumnSelection, Directory, InputFormat, InputInfo, TextColumn,
};
use crate::diag::{Diagnostic, FileLocation};
use crate::schema::canonical_name;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub struct ReadOptions {
    pub format: Option<InputFormat>,
    pub delimiter: Option<u8>,
    pub skip_bad_rows: bool,
    pub columns: ColumnSelection,
}
pub trait Progress: Sync {
    fn start(&self, _label: &str, _total_bytes: u64) {}
    fn inc(&self, _bytes: u64) {}
    fn finish(&self) {}
}
pub struct NoProgress;
impl Progress for NoProgress {}

pub fn detect_format(_path: &Path, _first_bytes: &[u8]) -> Option<InputFormat> {
    Some(InputFormat::Csv)
}

pub fn read_directory(
    paths: &[PathBuf],
    opts: &ReadOptions,
    _progress: &dyn Progress,
) -> Result<Directory, Vec<Diagnostic>> {
    let mut b = Directory::builder();
    for path in paths {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| {
            vec![
                Diagnostic::error("io", format!("cannot read `{shown}`: {e}"))
                    .at(FileLocation::file(&shown)),
            ]
        })?;
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(opts.delimiter.unwrap_or(b','))
            .from_reader(bytes.as_slice());
        let headers = rdr
            .headers()
            .map_err(|e| {
                vec![Diagnostic::error("csv", format!("{e}")).at(FileLocation::file(&shown))]
            })?
            .clone();
        let mut cols = Vec::new();
        for h in headers.iter() {
            let name = canonical_name(h).map_or_else(|| h.trim().to_string(), str::to_string);
            b.saw_attribute(&name, ColumnKind::Text);
            cols.push(if opts.columns.wants(&name) {
                Some(b.column(&name, h, ColumnKind::Text))
            } else {
                None
            });
        }
        let width = b.columns().len();
        let mut data: Vec<TextColumn> = (0..width).map(|_| TextColumn::default()).collect();
        let mut rows = 0;
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                vec![Diagnostic::error("csv", format!("{e}")).at(FileLocation::file(&shown))]
            })?;
            for (i, c) in cols.iter().enumerate() {
                if let Some(c) = c {
                    data[*c].push(rec.get(i).unwrap_or(""));
                }
            }
            rows += 1;
        }
        let mut columns = vec![ColumnData::Absent; width];
        for (c, t) in data.into_iter().enumerate() {
            if t.len() == rows {
                columns[c] = ColumnData::Text(t);
            }
        }
        b.push_chunk(Chunk::new(rows, columns));
        b.push_input(InputInfo {
            path: shown,
            format: InputFormat::Csv,
            sha256: crate::rules::load::hex(&Sha256::digest(&bytes)),
            bytes: bytes.len() as u64,
            records: rows as u64,
            skipped: 0,
            encoding: None,
            delimiter: None,
        });
    }
    Ok(b.build())
}
