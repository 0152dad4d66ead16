//! The per-user report as Parquet, for reports past Excel's row limit.
//!
//! Parquet keeps millions of rows compact and typed (Booleans stay Booleans) and opens in
//! Power BI, pandas, Polars and DuckDB. Written through polars, behind the `parquet` feature.

use super::plan::ReportContext;
use polars::prelude::*;
use std::io;
use std::path::Path;

/// Writes the report rows to `path` (atomically); returns the number of rows.
pub fn write_report_parquet(ctx: &ReportContext<'_>, path: &Path) -> io::Result<u64> {
    let mut app = Vec::new();
    let mut stage = Vec::new();
    let mut object_id = Vec::new();
    let mut upn = Vec::new();
    let mut in_scope = Vec::new();
    let mut action = Vec::new();
    let mut reason = Vec::new();
    let mut held = Vec::new();
    ctx.for_each_row(|r| {
        app.push(r.app.to_string());
        stage.push(r.stage.to_string());
        object_id.push(r.object_id.to_string());
        upn.push(r.upn.to_string());
        in_scope.push(r.in_scope);
        action.push(r.action.as_str());
        reason.push(r.reason.to_string());
        held.push(r.held);
    });
    let rows = app.len() as u64;
    let columns = vec![
        Column::new("app".into(), app),
        Column::new("stage".into(), stage),
        Column::new("objectId".into(), object_id),
        Column::new("userPrincipalName".into(), upn),
        Column::new("in_scope".into(), in_scope),
        Column::new("action".into(), action),
        Column::new("reason".into(), reason),
        Column::new("held".into(), held),
    ];
    let mut df = DataFrame::new(rows as usize, columns).map_err(io::Error::other)?;
    super::atomic::write_atomic(path, |w| {
        ParquetWriter::new(w)
            .finish(&mut df)
            .map(|_| ())
            .map_err(io::Error::other)
    })?;
    Ok(rows)
}
