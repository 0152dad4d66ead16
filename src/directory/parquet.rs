//! Parquet exports (data-lake copies of the directory), read through polars.
//!
//! Parquet is columnar already, so only the selected columns are read (projection), and
//! each is converted once into the directory's text columns, in row groups of
//! [`ROW_GROUP`] users: strings stay strings, Booleans become `True`/`False` as .NET renders them (S4),
//! integers decimal text, lists list columns, null and `""` null (S1). Column names are
//! mapped with [`schema::canonical_name`] like CSV headers (S3). Parquet needs seeking, so
//! the file's SHA-256 is taken in a separate streaming pass (it is read from the page
//! cache the second time).

#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::encoding::HashingReader;
use super::input::{InputFormat, InputInfo, Progress, ROW_GROUP, io_error};
use super::{
    Chunk, ColId, ColumnData, ColumnKind, ColumnSelection, DirectoryBuilder, ListColumn, TextColumn,
};
use crate::diag::{Code, Diagnostic, Errors, FileLocation};
use crate::schema;
use polars::prelude::*;
use std::path::Path;

fn polars_error(shown: &str, e: &PolarsError) -> Vec<Diagnostic> {
    vec![
        Diagnostic::error(
            Code::Parquet,
            format!("cannot read Parquet file `{shown}`: {e}"),
        )
        .at(FileLocation::file(shown))
        .with_help("check that the file is a complete Parquet file, or export the users as CSV"),
    ]
}

/// Calls `f` with the text of every value of `s` (`None` for null).
fn for_each_text(s: &Series, f: &mut dyn FnMut(Option<&str>)) -> PolarsResult<()> {
    let mut buf = String::new();
    let mut num = |v: Option<String>, f: &mut dyn FnMut(Option<&str>)| {
        buf.clear();
        match v {
            Some(t) => {
                buf.push_str(&t);
                f(Some(&buf));
            }
            None => f(None),
        }
    };
    match s.dtype() {
        DataType::String => {
            for v in s.str()?.iter() {
                f(v);
            }
        }
        DataType::Boolean => s
            .bool()?
            .iter()
            .for_each(|v| f(v.map(|b| if b { "True" } else { "False" }))),
        DataType::UInt64 => {
            for v in s.u64()?.iter() {
                num(v.map(|x| x.to_string()), f);
            }
        }
        dt if dt.is_integer() => {
            let c = s.cast(&DataType::Int64)?;
            for v in c.i64()?.iter() {
                num(v.map(|x| x.to_string()), f);
            }
        }
        dt if dt.is_float() => {
            let c = s.cast(&DataType::Float64)?;
            for v in c.f64()?.iter() {
                num(v.map(|x| x.to_string()), f);
            }
        }
        _ => {
            let c = s.cast(&DataType::String)?;
            for v in c.str()?.iter() {
                f(v);
            }
        }
    }
    Ok(())
}

fn text_column(s: &Series) -> PolarsResult<(TextColumn, bool)> {
    let mut col = TextColumn::with_capacity(s.len(), 0);
    let mut ok = true;
    for_each_text(s, &mut |v| match v {
        Some(t) => ok &= col.push(t),
        None => col.push_null(),
    })?;
    col.shrink_to_fit();
    Ok((col, ok))
}

fn list_column(s: &Series) -> PolarsResult<(ListColumn, bool)> {
    let mut col = ListColumn::default();
    let mut ok = true;
    for item in s.list()?.amortized_iter() {
        let mut texts: Vec<String> = Vec::new();
        if let Some(inner) = item {
            for_each_text(inner.as_ref(), &mut |v| {
                if let Some(t) = v {
                    if !t.is_empty() {
                        texts.push(t.to_string());
                    }
                }
            })?;
        }
        ok &= col.push(texts.iter().map(String::as_str));
    }
    col.shrink_to_fit();
    Ok((col, ok))
}

/// Reads one Parquet input into `b`.
pub(crate) fn read_parquet(
    path: &Path,
    shown: &str,
    columns: &ColumnSelection,
    b: &mut DirectoryBuilder,
    progress: &dyn Progress,
) -> Result<(), Errors> {
    let io = |e: std::io::Error| vec![io_error(shown, &e)];
    let mut hashing = HashingReader::new(std::fs::File::open(path).map_err(io)?, progress);
    std::io::copy(&mut hashing, &mut std::io::sink()).map_err(io)?;
    let (sha256, bytes) = hashing.finish();

    let file = std::fs::File::open(path).map_err(io)?;
    let mut reader = ParquetReader::new(file);
    let arrow_schema = reader.schema().map_err(|e| polars_error(shown, &e))?;
    let mut errors = Vec::new();
    let mut seen: Vec<(String, usize, String)> = Vec::new();
    let mut wanted: Vec<(String, ColId)> = Vec::new();
    for (i, field) in arrow_schema.iter_values().enumerate() {
        let written = field.name.to_string();
        let name = schema::canonical_name(&written)
            .map(str::to_string)
            .unwrap_or_else(|| written.clone());
        if let Some((_, j, first)) = seen.iter().find(|(n, _, _)| *n == name) {
            errors.push(
                Diagnostic::error(
                    Code::DuplicateColumn,
                    format!(
                        "columns {} (`{first}`) and {} (`{written}`) of `{shown}` both hold attribute `{name}`",
                        j + 1,
                        i + 1
                    ),
                )
                .at(FileLocation::file(shown).at_column(i as u64 + 1))
                .with_help("remove or rename one of the two columns")
                .with_rule("S3"),
            );
            continue;
        }
        seen.push((name.clone(), i, written.clone()));
        let kind = match field.dtype() {
            ArrowDataType::List(_)
            | ArrowDataType::LargeList(_)
            | ArrowDataType::FixedSizeList(..) => ColumnKind::List,
            _ => ColumnKind::Text,
        };
        b.saw_attribute(&name, kind);
        if columns.wants(&name) {
            let col = b.column(&name, &written, kind);
            wanted.push((written, col));
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let names: Vec<String> = wanted.iter().map(|(n, _)| n.clone()).collect();
    let df = reader
        .with_columns(Some(names))
        .finish()
        .map_err(|e| polars_error(shown, &e))?;
    let height = df.height();
    let ncols = b.columns().len();
    let mut start = 0usize;
    while start < height {
        let len = ROW_GROUP.min(height - start);
        let mut data: Vec<ColumnData> = (0..ncols).map(|_| ColumnData::Absent).collect();
        for (written, col) in &wanted {
            let series = df
                .column(written)
                .map_err(|e| polars_error(shown, &e))?
                .as_materialized_series()
                .slice(start as i64, len);
            let kind = b.columns().get(*col).map_or(ColumnKind::Text, |c| c.kind);
            let (cd, ok) = match (kind, series.dtype()) {
                (ColumnKind::List, DataType::List(_)) => {
                    let (l, ok) = list_column(&series).map_err(|e| polars_error(shown, &e))?;
                    (ColumnData::List(l), ok)
                }
                _ => {
                    let (t, ok) = text_column(&series).map_err(|e| polars_error(shown, &e))?;
                    (ColumnData::Text(t), ok)
                }
            };
            if !ok {
                return Err(Errors::from(vec![
                    Diagnostic::error(
                        Code::ParquetTooLarge,
                        format!("column `{written}` of `{shown}` is too large to hold"),
                    )
                    .at(FileLocation::file(shown))
                    .with_help("split the file"),
                ]));
            }
            if let Some(d) = data.get_mut(*col) {
                *d = cd;
            }
        }
        b.push_chunk(Chunk::new(len, data));
        start += len;
    }
    b.push_input(InputInfo {
        path: shown.to_string(),
        format: InputFormat::Parquet,
        sha256,
        bytes,
        records: height as u64,
        skipped: 0,
        encoding: None,
        delimiter: None,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::Directory;
    use crate::directory::read::{NoProgress, ReadOptions, read_directory};
    use std::path::PathBuf;

    fn write(df: &mut DataFrame, path: &Path) {
        let mut f = std::fs::File::create(path).unwrap();
        ParquetWriter::new(&mut f).finish(df).unwrap();
    }

    #[test]
    fn types_become_text_and_lists() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("u.parquet");
        let mails = Series::new(
            "otherMails".into(),
            &[
                Series::new("".into(), &["a@x", "b@x"]),
                Series::new("".into(), Vec::<String>::new()),
                Series::new("".into(), &["c@x"]),
            ],
        );
        let mut df = DataFrame::new_infer_height(vec![
            Series::new("id".into(), &["1", "2", "3"]).into(),
            Series::new("department".into(), &[Some("IT"), None, Some("")]).into(),
            Series::new("accountEnabled".into(), &[Some(true), Some(false), None]).into(),
            Series::new(
                "onPremisesExtensionAttributes.extensionAttribute1".into(),
                &[Some(150i64), None, Some(-7)],
            )
            .into(),
            Series::new("score".into(), &[1.5f64, 2.0, 0.25]).into(),
            Series::new("city".into(), &["Bonn", "Köln", "Ulm"]).into(),
            mails.into(),
        ])
        .unwrap();
        write(&mut df, &p);
        let opts = ReadOptions {
            columns: ColumnSelection::only([
                "department",
                "extensionAttribute1",
                "otherMails",
                "score",
            ]),
            ..ReadOptions::default()
        };
        let d = read_directory(&[p], &opts, &NoProgress).unwrap();
        assert_eq!(d.len(), 3);
        assert_eq!(d.inputs()[0].format, InputFormat::Parquet);
        assert_eq!(d.value_by_name(0, "objectId"), Some("1"));
        assert_eq!(d.value_by_name(0, "department"), Some("IT"));
        assert_eq!(d.value_by_name(1, "department"), None);
        assert_eq!(d.value_by_name(2, "department"), None);
        // S4: a Parquet Boolean reads as .NET renders it, as the CSV export does.
        assert_eq!(d.value_by_name(0, "accountEnabled"), Some("True"));
        assert_eq!(d.value_by_name(1, "accountEnabled"), Some("False"));
        assert_eq!(d.value_by_name(2, "accountEnabled"), None);
        assert_eq!(d.value_by_name(0, "extensionAttribute1"), Some("150"));
        assert_eq!(d.value_by_name(2, "extensionAttribute1"), Some("-7"));
        assert_eq!(d.value_by_name(2, "score"), Some("0.25"));
        let m = d.column("otherMails").unwrap();
        assert_eq!(d.columns()[m].kind, ColumnKind::List);
        assert_eq!(d.list(0, m), vec!["a@x", "b@x"]);
        assert!(d.list(1, m).is_empty());
        // Not selected: seen (S2) but not stored.
        assert!(d.column("city").is_none());
        assert!(d.available().contains_key("city"));
    }

    fn fixture(rel: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(rel)
    }

    fn csv_users() -> Directory {
        let opts = ReadOptions {
            columns: ColumnSelection::all(),
            ..ReadOptions::default()
        };
        read_directory(&[fixture("users.csv")], &opts, &NoProgress).unwrap()
    }

    /// Writes `fixtures/users.parquet` from `fixtures/users.csv` (accountEnabled as a
    /// Boolean column, everything else as strings). Run with
    /// `cargo test --features parquet -- --ignored write_parquet_fixture`.
    #[test]
    #[ignore]
    fn write_parquet_fixture() {
        let d = csv_users();
        let mut cols: Vec<Column> = Vec::new();
        for (c, info) in d.columns().iter().enumerate() {
            let name: PlSmallStr = info.name.as_str().into();
            if info.name == "accountEnabled" {
                let v: Vec<Option<bool>> = (0..d.len())
                    .map(|r| d.value(r, c).map(|s| s.eq_ignore_ascii_case("true")))
                    .collect();
                cols.push(Series::new(name, v).into());
            } else {
                let v: Vec<Option<&str>> = (0..d.len()).map(|r| d.value(r, c)).collect();
                cols.push(Series::new(name, v).into());
            }
        }
        let mut df = DataFrame::new_infer_height(cols).unwrap();
        write(&mut df, &fixture("users.parquet"));
    }

    #[test]
    fn parquet_fixture_reads_like_the_csv() {
        let want = csv_users();
        let opts = ReadOptions {
            columns: ColumnSelection::all(),
            ..ReadOptions::default()
        };
        let got = read_directory(&[fixture("users.parquet")], &opts, &NoProgress).unwrap();
        assert_eq!(got.len(), want.len());
        for (c, info) in want.columns().iter().enumerate() {
            let g = got.column(&info.name).unwrap();
            for r in 0..want.len() {
                let w = want.value(r, c).map(str::to_string);
                assert_eq!(
                    got.value(r, g).map(str::to_string),
                    w,
                    "{} row {r}",
                    info.name
                );
            }
        }
    }
}
