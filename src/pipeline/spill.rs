//! Row groups spilled to disk between the two reads of a payload run.
//!
//! The payload stage re-reads a CSV export streamed, on the parsing threads, while it must
//! write its records in row order: so each row group's columns are written to an anonymous
//! temporary file (removed by the system when dropped) and read back in order, one at a
//! time. The format is private to this file: the row count and column count as
//! little-endian `u64`, then per column a tag (0 absent, 1 text) and per row a `u32`
//! length (`u32::MAX` for null) and the UTF-8 bytes. CSV row groups hold text columns only.

use crate::directory::{Chunk, ColId, ColumnData, TextColumn};
use std::io::{Read, Seek, Write};

/// A row group written to an anonymous temporary file (deleted when dropped), or the
/// error that prevented it, reported when the row group is read back.
pub(super) type Spilled = Result<std::fs::File, std::io::Error>;

pub(super) fn spill(chunk: &Chunk, ids: &[ColId]) -> Spilled {
    let mut buf: Vec<u8> = Vec::with_capacity(chunk.len() * 64);
    buf.extend_from_slice(&(chunk.len() as u64).to_le_bytes());
    buf.extend_from_slice(&(ids.len() as u64).to_le_bytes());
    for &c in ids {
        match chunk.column(c) {
            ColumnData::Text(t) => {
                buf.push(1);
                for v in t.iter() {
                    match v {
                        None => buf.extend_from_slice(&u32::MAX.to_le_bytes()),
                        Some(s) => {
                            buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
                            buf.extend_from_slice(s.as_bytes());
                        }
                    }
                }
            }
            // CSV has no lists; a list column is written as absent.
            _ => buf.push(0),
        }
    }
    let mut f = tempfile::tempfile()?;
    f.write_all(&buf)?;
    Ok(f)
}

pub(super) fn unspill(file: Spilled) -> std::io::Result<Chunk> {
    let mut f = file?;
    f.rewind()?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf)?;
    let bad = || std::io::Error::other("a spilled row group is damaged");
    let mut at = 0usize;
    let mut take = |n: usize| -> std::io::Result<&[u8]> {
        let s = buf.get(at..at + n).ok_or_else(bad)?;
        at += n;
        Ok(s)
    };
    let u64_of = |b: &[u8]| -> u64 { b.try_into().map_or(0, u64::from_le_bytes) };
    let len = u64_of(take(8)?) as usize;
    let ncols = u64_of(take(8)?) as usize;
    let mut columns = Vec::with_capacity(ncols);
    for _ in 0..ncols {
        let tag = take(1)?.first().copied().unwrap_or(0);
        if tag == 0 {
            columns.push(ColumnData::Absent);
            continue;
        }
        let mut t = TextColumn::with_capacity(len, len * 16);
        for _ in 0..len {
            let n = u32::from_le_bytes(take(4)?.try_into().map_err(|_| bad())?);
            if n == u32::MAX {
                t.push_null();
            } else {
                let s = std::str::from_utf8(take(n as usize)?).map_err(|_| bad())?;
                if !t.push(s) {
                    return Err(bad());
                }
            }
        }
        columns.push(ColumnData::Text(t));
    }
    Ok(Chunk::new(len, columns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_group_survives_its_spill() {
        let mut a = TextColumn::default();
        a.push("anna@contoso.com");
        a.push_null();
        a.push("Zoë 😀");
        let chunk = Chunk::new(3, vec![ColumnData::Text(a.clone()), ColumnData::Absent]);
        let back = unspill(spill(&chunk, &[0, 1])).unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(back.value(0, 0), Some("anna@contoso.com"));
        assert_eq!(back.value(1, 0), None);
        assert_eq!(back.value(2, 0), Some("Zoë 😀"));
        assert!(matches!(back.column(1), ColumnData::Absent));
    }
}
