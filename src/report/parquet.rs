//! The per-user report as Parquet, for reports past Excel's row limit.
//!
//! Parquet keeps millions of rows compact and typed (Booleans stay Booleans) and opens in
//! Power BI, pandas, Polars and DuckDB. Written through polars, behind the `parquet`
//! feature, in row groups of a quarter of a million rows built with column builders, so
//! memory stays bounded and no row becomes a set of owned strings.

use super::plan::{ReportContext, ReportRow};
use polars::prelude::*;
use std::io;
use std::path::Path;

/// Rows per Parquet row group.
const BATCH: usize = 1 << 18;

struct Batch {
    app: StringChunkedBuilder,
    stage: StringChunkedBuilder,
    object_id: StringChunkedBuilder,
    upn: StringChunkedBuilder,
    in_scope: BooleanChunkedBuilder,
    action: StringChunkedBuilder,
    reason: StringChunkedBuilder,
    held: BooleanChunkedBuilder,
    len: usize,
}

impl Batch {
    fn new() -> Batch {
        let s = |name: &str| StringChunkedBuilder::new(name.into(), BATCH);
        let b = |name: &str| BooleanChunkedBuilder::new(name.into(), BATCH);
        Batch {
            app: s("app"),
            stage: s("stage"),
            object_id: s("objectId"),
            upn: s("userPrincipalName"),
            in_scope: b("in_scope"),
            action: s("action"),
            reason: s("reason"),
            held: b("held"),
            len: 0,
        }
    }

    fn push(&mut self, r: &ReportRow<'_>) {
        self.app.append_value(r.app);
        self.stage.append_value(r.stage);
        self.object_id.append_value(r.object_id);
        self.upn.append_value(r.upn);
        self.in_scope.append_value(r.in_scope);
        self.action.append_value(r.action.as_str());
        self.reason.append_value(r.reason);
        self.held.append_value(r.held);
        self.len += 1;
    }

    fn into_frame(self) -> PolarsResult<DataFrame> {
        let columns: Vec<Column> = vec![
            self.app.finish().into_column(),
            self.stage.finish().into_column(),
            self.object_id.finish().into_column(),
            self.upn.finish().into_column(),
            self.in_scope.finish().into_column(),
            self.action.finish().into_column(),
            self.reason.finish().into_column(),
            self.held.finish().into_column(),
        ];
        DataFrame::new(self.len, columns)
    }
}

fn schema() -> Schema {
    Schema::from_iter([
        Field::new("app".into(), DataType::String),
        Field::new("stage".into(), DataType::String),
        Field::new("objectId".into(), DataType::String),
        Field::new("userPrincipalName".into(), DataType::String),
        Field::new("in_scope".into(), DataType::Boolean),
        Field::new("action".into(), DataType::String),
        Field::new("reason".into(), DataType::String),
        Field::new("held".into(), DataType::Boolean),
    ])
}

/// Writes the report rows for `path`, staged (see [`crate::output::atomic::stage`]);
/// returns it with the number of rows.
pub fn write_report_parquet(
    ctx: &ReportContext<'_>,
    path: &Path,
) -> io::Result<(crate::output::atomic::Staged, u64)> {
    let mut rows = 0u64;
    let staged = crate::output::atomic::stage(path, |w| {
        let mut writer = ParquetWriter::new(w)
            .batched(&schema())
            .map_err(io::Error::other)?;
        let mut batch = Batch::new();
        let mut failed: Option<PolarsError> = None;
        ctx.for_each_row(|r| {
            if failed.is_some() {
                return;
            }
            batch.push(&r);
            rows += 1;
            if batch.len >= BATCH {
                let full = std::mem::replace(&mut batch, Batch::new());
                if let Err(e) = full.into_frame().and_then(|df| writer.write_batch(&df)) {
                    failed = Some(e);
                }
            }
        });
        if let Some(e) = failed {
            return Err(io::Error::other(e));
        }
        if batch.len > 0 {
            let df = batch.into_frame().map_err(io::Error::other)?;
            writer.write_batch(&df).map_err(io::Error::other)?;
        }
        writer.finish().map(|_| ()).map_err(io::Error::other)
    })?;
    Ok((staged, rows))
}
