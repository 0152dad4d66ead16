//! The Log Analytics `AADProvisioningLogs` table exported as CSV.
//!
//! Columns are the table's (`TimeGenerated`, `JobId`, `CycleId`, `ProvisioningAction`,
//! `ProvisioningStatusInfo`, `ProvisioningSteps`, `SourceIdentity`, `ServicePrincipal`, ...;
//! the portal appends ` [UTC]` to date columns), and every nested object is a JSON text in
//! its cell. Each row becomes a JSON object of strings and goes through the same event
//! reader as the JSON shapes, so a column means the same thing in both.
//!
//! The admin center's own CSV download is a different thing (three files joined by change
//! ID, headers undocumented, `logs-mappings-reference.md` 1.1): a file of that shape has no
//! `SourceIdentity` column and is refused with a message that says to download JSON.

use super::json::Item;
use super::{Pages, Sink, Text};
use crate::diag::{Code, Diagnostic};
use serde::de::DeserializeSeed;
use serde_json::{Map, Value};

/// Reads a CSV export; returns the number of events.
pub(super) fn read(
    text: &mut Text,
    path: &str,
    sink: &mut Sink<'_>,
    skipped_lines: u64,
) -> Result<u64, Box<Diagnostic>> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|c| {
                let c = c.trim();
                c.strip_suffix("[UTC]").unwrap_or(c).trim().to_string()
            })
            .collect(),
        Err(e) => return Err(csv_error(&e, path, skipped_lines)),
    };
    let has = |name: &str| headers.iter().any(|h| h.eq_ignore_ascii_case(name));
    if !has("SourceIdentity") {
        return Err(super::located(
            Code::LogShape,
            path,
            "the provisioning log is neither JSON nor a Log Analytics CSV export (no `SourceIdentity` column)".to_string(),
            Some(skipped_lines + 1),
            None,
            None,
        ));
    }
    let mut events = 0u64;
    let mut pages = Pages::default();
    let mut record = csv::StringRecord::new();
    let mut row = 0u64;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(&e, path, skipped_lines)),
        }
        row += 1;
        let line = record.position().map(|p| p.line() + skipped_lines);
        let mut obj = Map::new();
        for (h, cell) in headers.iter().zip(record.iter()) {
            if !cell.is_empty() {
                obj.insert(h.clone(), Value::String(cell.to_string()));
            }
        }
        let item = Item {
            sink: &mut *sink,
            pages: &mut pages,
            events: &mut events,
            depth: 0,
        };
        item.deserialize(Value::Object(obj)).map_err(|e| {
            super::located(
                Code::LogShape,
                path,
                format!("cannot read the provisioning log: {e}"),
                line,
                None,
                Some(row),
            )
        })?;
    }
    Ok(events)
}

fn csv_error(e: &csv::Error, path: &str, skipped_lines: u64) -> Box<Diagnostic> {
    let line = e.position().map(|p| p.line() + skipped_lines);
    let record = e.position().map(|p| p.record());
    let msg = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("a row has {len} fields, the header {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "the file is not valid UTF-8".to_string(),
        _ => e.to_string(),
    };
    super::located(
        Code::LogSyntax,
        path,
        format!("cannot read the provisioning log: {msg}"),
        line,
        None,
        record,
    )
}
