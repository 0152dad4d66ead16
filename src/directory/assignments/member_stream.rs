//! The fast path of reading a member list: a CSV read in parallel blocks by the
//! directory's streaming reader, each block turned into compact rows (a GUID parsed to 128
//! bits, a group number, a kind) on the parsing threads, then numbered in file order.
//!
//! A member list of a million users is 70 MB of text; read whole and parsed on one thread
//! it took as long as streaming the 250 MB directory on two. This path holds a few blocks
//! at a time and hashes the file on the reader thread, as the directory does.
//!
//! It is only a fast path: it changes nothing until the whole file has read cleanly. A
//! file it does not take (JSON, a header that is not a member list, a malformed row, a
//! row without its group) is read again by the exact reader in `members.rs`, whose
//! messages name lines and columns; so every message, and every answer, is that reader's.

#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::members::{GROUP_COLUMNS, MEMBER_COLUMNS, MemberFile, NAME_COLUMNS, TYPE_COLUMNS};
use super::{GroupMembers, MEMBER_LIMIT, PrincipalType, find_header, parse_guid};
use crate::diag::{Code, Diagnostic, Errors};
use crate::directory::csv::{CsvOptions, scan_header};
use crate::directory::read::{NoProgress, ReadOptions, Sink, stream_directory_with};
use crate::directory::{Chunk, ColId, ColumnInfo, ColumnSelection, Directory};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// What a row of a block holds (the low bits of [`Block::meta`]): a member whose id is a
/// GUID (in [`Block::guids`]),
const MEMBER: u32 = 0;
/// no member (the group is listed: names only, or a group without members),
const LISTED: u32 = 2;
/// or a member whose id is not a GUID (the next of [`Block::texts`]).
const TEXT: u32 = 3;
/// The bit of [`Block::meta`] set for a member that is a nested group.
const IS_GROUP: u32 = 4;
/// Rows whose members are looked up together before they are numbered.
const BATCH: usize = 32;

/// One block of a member list, rows local to it.
#[derive(Debug, Default)]
struct Block {
    /// Groups as written, in the order the block first lists them.
    groups: Vec<Box<str>>,
    /// `(group, display name)`: each group's last name in the block, in the order those
    /// last names were given (so the last name given wins, whatever the spelling).
    names: Vec<(u32, Box<str>)>,
    /// Per row that lists its group: the member's GUID (0 when not one).
    guids: Vec<u128>,
    /// Per such row: `group << 3 | IS_GROUP | MEMBER, LISTED or TEXT`.
    meta: Vec<u32>,
    /// Member ids that are not GUIDs, in row order.
    texts: Vec<Box<str>>,
    /// Rows with no member type column.
    untyped: u64,
    /// Rows whose member is neither a user nor a group, by type.
    other_kinds: BTreeMap<String, u64>,
    /// A row without its group, or more groups than the rows can number: the exact
    /// reader must say where.
    refused: bool,
}

/// The columns a member list is read by.
#[derive(Debug, Clone, Copy)]
struct Columns {
    group: Option<ColId>,
    member: ColId,
    kind: Option<ColId>,
    name: Option<ColId>,
}

/// The header as written, per column.
fn written(c: &ColumnInfo) -> &str {
    c.original.first().map_or(c.name.as_str(), String::as_str)
}

/// The first column whose header (as written) designates one of `names`, as the exact
/// reader's `find_column` picks it.
fn pick<'d>(dir: &'d Directory, names: &[&str]) -> Option<&'d ColumnInfo> {
    let headers: Vec<&str> = dir.columns().iter().map(written).collect();
    find_header(&headers, names).and_then(|i| dir.columns().get(i))
}

/// Reads `f` through the fast path into `gm`: `false`, with `gm` as it was, when the
/// exact reader must read it instead.
pub(super) fn read_fast(f: &MemberFile, gm: &mut GroupMembers) -> bool {
    read_fast_with(f, gm, crate::directory::csv::DEFAULT_BLOCK)
}

/// [`read_fast`] with a chosen block size (tests cut blocks small).
fn read_fast_with(f: &MemberFile, gm: &mut GroupMembers, block_size: usize) -> bool {
    // What the membership was, to go back to; nothing to keep for the first file.
    let backup = (!gm.is_empty() || !gm.inputs.is_empty()).then(|| gm.clone());
    let taken = std::mem::take(gm);
    match read_merged(f, taken, block_size) {
        Some(read) => {
            *gm = read;
            true
        }
        None => {
            *gm = backup.unwrap_or_default();
            false
        }
    }
}

/// Numbers blocks into the membership in file order, as they come: the thread that
/// parsed the next block numbers it (and any that were waiting for it), while the other
/// goes on parsing. A block is dropped once numbered, so the blocks of a large file are
/// never all held.
struct Merge {
    cols: Columns,
    fixed: Option<String>,
    /// Blocks parsed before their turn, by index.
    waiting: Mutex<BTreeMap<usize, Block>>,
    /// The membership, the next block's index, and what the blocks counted.
    into: Mutex<Merged>,
}

struct Merged {
    gm: GroupMembers,
    next: usize,
    /// Blocks the file is expected to have (its size over the block size), when more
    /// than one: the first block's rows times this is what the tables reserve (about
    /// twice the rows for a UTF-16 file, whose blocks are of decoded bytes).
    blocks: f64,
    records: u64,
    untyped: u64,
    other_kinds: BTreeMap<String, u64>,
    refused: bool,
}

impl Merged {
    fn take(&mut self, b: Block) {
        if b.refused {
            self.refused = true;
        }
        if self.refused {
            return;
        }
        let gm = &mut self.gm;
        if self.next == 0 && self.blocks > 1.0 {
            // The tables are sized once for the whole file rather than grown (and
            // rehashed) while one thread numbers the rows and the other waits.
            gm.reserve_rows((b.meta.len() as f64 * self.blocks * 1.05) as usize);
        }
        // Groups take their positions in the order rows first list them, as when the
        // exact reader meets them row by row.
        let positions: Vec<u32> = b.groups.iter().map(|g| gm.group_index(g)).collect();
        let mut texts = b.texts.iter();
        for (guids, metas) in b.guids.chunks(BATCH).zip(b.meta.chunks(BATCH)) {
            // The look-ups of a batch first: they do not depend on each other, so the
            // processor overlaps their cache misses. The numbering then goes in row order
            // and finds the table's lines in the cache; a member the batch lists twice
            // is numbered by its first row and found by its second.
            let mut found = [None; BATCH];
            for (k, (&guid, &meta)) in found.iter_mut().zip(guids.iter().zip(metas)) {
                if meta & 3 == MEMBER {
                    *k = gm.ids.guid(guid);
                }
            }
            for ((&guid, &meta), number) in guids.iter().zip(metas).zip(found) {
                let Some(&g) = positions.get((meta >> 3) as usize) else {
                    continue;
                };
                let kind = if meta & IS_GROUP != 0 {
                    PrincipalType::Group
                } else {
                    PrincipalType::User
                };
                let numbered = match (meta & 3, number) {
                    (LISTED, _) => continue,
                    (TEXT, _) => match texts.next() {
                        Some(t) => Arc::make_mut(&mut gm.ids).number(t, MEMBER_LIMIT),
                        None => continue,
                    },
                    (_, Some(n)) => Some((n, false)),
                    (_, None) => Arc::make_mut(&mut gm.ids).number_guid(guid, MEMBER_LIMIT),
                };
                gm.add_numbered(g, numbered, kind);
                self.records += 1;
            }
        }
        for (local, name) in &b.names {
            if let Some(group) = b.groups.get(*local as usize) {
                gm.name(group, name);
            }
        }
        self.untyped += b.untyped;
        for (k, n) in b.other_kinds {
            *self.other_kinds.entry(k).or_default() += n;
        }
    }
}

impl Merge {
    /// Numbers the blocks that are next in turn, unless another thread is at it (that
    /// thread takes them, or the caller's final [`Merge::drain`] does).
    fn advance(&self) {
        let Ok(mut into) = self.into.try_lock() else {
            return;
        };
        loop {
            let next = into.next;
            let Some(b) = self.waiting.lock().ok().and_then(|mut w| w.remove(&next)) else {
                return;
            };
            into.take(b);
            into.next += 1;
        }
    }

    /// Numbers every block still waiting; `None` when a block is missing or refused.
    fn drain(self) -> Option<Merged> {
        let mut into = self.into.into_inner().ok()?;
        let waiting = self.waiting.into_inner().ok()?;
        for (index, b) in waiting {
            if index != into.next {
                return None;
            }
            into.take(b);
            into.next += 1;
        }
        (!into.refused).then_some(into)
    }
}

impl Sink for Merge {
    type Output = ();

    /// Only [`Sink::row_group_at`] says where a block goes: a block without its index
    /// sends the file to the exact reader.
    fn row_group(&self, _chunk: &Chunk) {
        if let Ok(mut into) = self.into.lock() {
            into.refused = true;
        }
    }

    fn row_group_at(&self, index: usize, chunk: &Chunk) {
        let b = block(chunk, self.cols, self.fixed.as_deref());
        if let Ok(mut into) = self.into.lock() {
            if index == 0 && into.next > 0 {
                // The file is read a second time (exact cutting): start over.
                into.gm = GroupMembers::default();
                into.refused = true;
            }
        }
        if let Ok(mut w) = self.waiting.lock() {
            w.insert(index, b);
        }
        self.advance();
    }
}

/// Reads `f` into `gm` (which it takes), or `None` when the exact reader must read it.
fn read_merged(f: &MemberFile, gm: GroupMembers, block_size: usize) -> Option<GroupMembers> {
    let shown = f.path.display().to_string();
    let file = std::fs::File::open(&f.path).ok()?;
    let mut all = Directory::builder();
    scan_header(
        file,
        &shown,
        &CsvOptions::default(),
        &ColumnSelection::all(),
        &mut all,
    )
    .ok()?;
    let header = all.build();
    if pick(&header, &["accountEnabled", "department"]).is_some() {
        return None;
    }
    let group = pick(&header, GROUP_COLUMNS);
    let member = pick(&header, MEMBER_COLUMNS)?;
    if group.is_none() && f.group.is_none() {
        return None;
    }
    let kind = pick(&header, TYPE_COLUMNS);
    let name = pick(&header, NAME_COLUMNS);
    let wanted: Vec<&str> = [group, Some(member), kind, name]
        .into_iter()
        .flatten()
        .map(|c| c.name.as_str())
        .collect();
    let opts = ReadOptions {
        columns: ColumnSelection::minimal(&wanted),
        ..ReadOptions::default()
    };
    let names = [group, Some(member), kind, name].map(|c| c.map(|c| c.name.clone()));
    let mut merge = None;
    let size = std::fs::metadata(&f.path).map_or(0, |m| m.len());
    let into = Mutex::new(Merged {
        gm,
        next: 0,
        blocks: size as f64 / block_size.max(1) as f64,
        records: 0,
        untyped: 0,
        other_kinds: BTreeMap::new(),
        refused: false,
    });
    let streamed = stream_directory_with(
        std::slice::from_ref(&f.path),
        &opts,
        &NoProgress,
        block_size,
        |schema| {
            let col = |n: &Option<String>| n.as_deref().and_then(|n| schema.column(n));
            let [g, m, k, n] = &names;
            let Some(member) = col(m) else {
                return Err(Errors::new(Diagnostic::error(
                    Code::Internal,
                    "the member column is not in the stream".to_string(),
                )));
            };
            let cols = Columns {
                group: col(g),
                member,
                kind: col(k),
                name: col(n),
            };
            Ok(MergeRef(merge.insert(Merge {
                cols,
                fixed: f.group.clone(),
                waiting: Mutex::new(BTreeMap::new()),
                into,
            })))
        },
    )
    .ok()??;
    let merged = merge?.drain()?;
    if !streamed.directory.diagnostics().is_empty() {
        return None;
    }
    let [info] = streamed.directory.inputs() else {
        return None;
    };
    let mut info = info.clone();
    info.path = shown;
    info.records = merged.records;
    info.skipped = 0;
    let mut gm = merged.gm;
    super::members::finish_file(&mut gm, info, merged.other_kinds, merged.untyped);
    Some(gm)
}

/// A [`Merge`] lent to the stream, which wants its sink by value.
struct MergeRef<'m>(&'m Merge);

impl Sink for MergeRef<'_> {
    type Output = ();
    fn row_group(&self, chunk: &Chunk) {
        self.0.row_group(chunk);
    }
    fn row_group_at(&self, index: usize, chunk: &Chunk) {
        self.0.row_group_at(index, chunk);
    }
}

/// Turns one row group of a member list into a [`Block`]; `fixed` is the group given as
/// `GROUPID=FILE` (the file's own group and name columns are then not read).
fn block(chunk: &Chunk, cols: Columns, fixed: Option<&str>) -> Block {
    let mut b = Block::default();
    let n = chunk.len();
    b.guids.reserve(n);
    b.meta.reserve(n);
    let column = |c: Option<ColId>| c.and_then(|c| chunk.text(c));
    let (groups, members, kinds) = (
        column(cols.group),
        column(Some(cols.member)),
        column(cols.kind),
    );
    let names = if fixed.is_some() {
        None
    } else {
        column(cols.name)
    };
    let mut local: FxHashMap<&str, u32> = FxHashMap::default();
    let mut last_group: Option<(&str, u32)> = None;
    // Per group, its last name and the row that gave it.
    let mut last_name: Vec<Option<(usize, &str)>> = Vec::new();
    for row in 0..n {
        let group = match fixed {
            Some(g) => g,
            None => match groups.and_then(|c| c.get(row)) {
                Some(g) => g,
                None => {
                    // A row that does not say its group: the exact reader says where.
                    b.refused = true;
                    return b;
                }
            },
        };
        let member = members.and_then(|c| c.get(row));
        let kind_text = kinds.and_then(|c| c.get(row));
        let kind = match kind_text {
            _ if cols.kind.is_none() => Some(PrincipalType::User),
            None => Some(PrincipalType::User),
            Some(t) if t.trim().is_empty() => Some(PrincipalType::User),
            Some(t) => PrincipalType::parse(t),
        };
        let name = names.and_then(|c| c.get(row));
        // A row lists its group, as the exact reader registers it, when it names the
        // group, has no member, or has a member of a kind that counts.
        if !(name.is_some() || member.is_none() || kind.is_some()) {
            *b.other_kinds
                .entry(kind_text.unwrap_or("").to_string())
                .or_default() += 1;
            continue;
        }
        // Rows of one group come together: the previous row's group is checked first,
        // without hashing the id.
        let next = local.len() as u32;
        let g = match last_group {
            Some((text, g)) if text == group => g,
            _ => *local.entry(group).or_insert(next),
        };
        last_group = Some((group, g));
        if g == next {
            if next >= 1 << 28 {
                b.refused = true;
                return b;
            }
            b.groups.push(group.into());
            last_name.push(None);
        }
        if let (Some(name), Some(last)) = (name, last_name.get_mut(g as usize)) {
            *last = Some((row, name));
        }
        let (Some(member), Some(kind)) = (member, kind) else {
            if member.is_none() {
                b.guids.push(0);
                b.meta.push((g << 3) | LISTED);
            } else {
                *b.other_kinds
                    .entry(kind_text.unwrap_or("").to_string())
                    .or_default() += 1;
            }
            continue;
        };
        if cols.kind.is_none() {
            b.untyped += 1;
        }
        let is_group = if kind == PrincipalType::Group {
            IS_GROUP
        } else {
            0
        };
        match parse_guid(member) {
            Some(guid) => {
                b.guids.push(guid);
                b.meta.push((g << 3) | is_group | MEMBER);
            }
            None => {
                b.guids.push(0);
                b.meta.push((g << 3) | is_group | TEXT);
                b.texts.push(member.into());
            }
        }
    }
    let mut names: Vec<(usize, u32, &str)> = last_name
        .iter()
        .enumerate()
        .filter_map(|(g, last)| last.map(|(row, name)| (row, g as u32, name)))
        .collect();
    names.sort_unstable();
    b.names = names.into_iter().map(|(_, g, n)| (g, n.into())).collect();
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;
    use std::path::PathBuf;

    /// Everything a reader of the membership can see, as text.
    fn dump(gm: &GroupMembers) -> String {
        let mut out = String::new();
        for g in gm.groups() {
            let _ = writeln!(out, "group {g} name={:?}", gm.display_name(g));
            for m in gm.members(g) {
                let _ = writeln!(
                    out,
                    "  {} {} in {:?}",
                    m.kind.as_str(),
                    m.id,
                    gm.groups_of(&m.id)
                );
            }
        }
        for d in gm.diagnostics() {
            let _ = writeln!(out, "{}: {}", d.code, d.message);
        }
        for i in gm.inputs() {
            let _ = writeln!(
                out,
                "{} {} {} {} {:?} {:?}",
                i.sha256, i.bytes, i.records, i.skipped, i.encoding, i.delimiter
            );
        }
        out
    }

    /// The fast path and the exact reader give the same membership, with blocks cut at
    /// every size from one record to the whole file.
    fn same_as_exact(name: &str, bytes: &[u8], group: Option<&str>) {
        let dir = tempfile::tempdir().unwrap();
        let path: PathBuf = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let f = MemberFile {
            group: group.map(str::to_string),
            path: path.clone(),
        };
        let mut exact = GroupMembers::default();
        super::super::members::read_members_file(&f, &mut exact).unwrap();
        exact.finish();
        let want = dump(&exact);
        for block in [1, 7, 64, 1 << 20] {
            let mut fast = GroupMembers::default();
            assert!(
                read_fast_with(&f, &mut fast, block),
                "{name}: not read fast"
            );
            fast.finish();
            assert_eq!(dump(&fast), want, "{name}, blocks of {block} bytes");
        }
    }

    const G1: &str = "6c1d9b8e-52a1-4c55-9a0e-5a1e5a1e0001";
    const G2: &str = "6C1D9B8E-52A1-4C55-9A0E-5A1E5A1E0002";
    const U1: &str = "d5cdd2bc-bdd0-5218-a3f4-d45043a76967";
    const U2: &str = "a1b2c3d4-0000-4000-8000-000000000002";

    #[test]
    fn fast_path_reads_what_the_exact_reader_reads() {
        let g1 = G1.to_uppercase();
        let u1 = U1.to_uppercase();
        let text = format!(
            "groupId,memberId,memberType,groupDisplayName\n\
             {G1},{U1},User,All\n\
             {g1},{u1},user,All staff\n\
             {G1},{G2},Group,\n\
             {G2},{U2},,Nested\n\
             {G2},kim@contoso.com,User,\n\
             {G2},KIM@contoso.com,User,\n\
             {G2},dev-1,Device,\n\
             {G2},dev-2,#microsoft.graph.device,\n\
             other,,,Names only\n\
             {G1},{U2},Group,\n\
             \"{G2}\",\"{U1}\",\"User\",\"Nested, really\"\n\
             \n\
             {G1},{U2},User,All\n"
        );
        same_as_exact("m.csv", text.as_bytes(), None);
        same_as_exact("crlf.csv", text.replace('\n', "\r\n").as_bytes(), None);
        same_as_exact("semicolon.csv", text.replace(',', ";").as_bytes(), None);
        let mut utf16 = vec![0xff, 0xfe];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        same_as_exact("utf16.csv", &utf16, None);
    }

    #[test]
    fn fast_path_keeps_a_group_given_before_the_file() {
        let rows = format!("id,displayName,userType\n{U1},Kim,Member\n{U2},Lee,Guest\n");
        same_as_exact("download.csv", rows.as_bytes(), Some(G1));
        // No member at all: the group is not listed, so S36 still sees it missing.
        same_as_exact("empty.csv", b"id,displayName\n", Some(G1));
        let untyped = format!("Id,DeletedDateTime\n{U1},\n{U2},\n");
        same_as_exact("untyped.csv", untyped.as_bytes(), Some(G2));
        let mut gm = GroupMembers::default();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.csv");
        std::fs::write(&path, "id,displayName\n").unwrap();
        let f = MemberFile {
            group: Some(G1.into()),
            path,
        };
        assert!(read_fast(&f, &mut gm));
        gm.finish();
        assert!(!gm.has_group(G1));
    }

    #[test]
    fn the_exact_reader_reads_what_the_fast_path_refuses() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            // A row without its group: the exact reader names the line.
            (
                "nogroup.csv",
                format!("groupId,memberId\n{G1},{U1}\n,{U2}\n"),
            ),
            // A malformed row.
            ("ragged.csv", format!("groupId,memberId\n{G1},{U1},x\n")),
            // No group column and no group given.
            ("orphans.csv", format!("memberId\n{U1}\n")),
            // A user export.
            (
                "users.csv",
                format!("id,department,accountEnabled\n{U1},IT,true\n"),
            ),
            // JSON.
            ("m.json", format!("{{\"groupId\":\"{G1}\",\"value\":[]}}")),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            let f = MemberFile { group: None, path };
            let mut gm = GroupMembers::default();
            assert!(!read_fast(&f, &mut gm), "{name}");
            assert!(gm.is_empty() && gm.inputs().is_empty(), "{name}: touched");
        }
    }

    #[test]
    fn fast_path_over_many_blocks_keeps_file_order() {
        let mut text = String::from("groupId,memberId,memberType,groupDisplayName\n");
        for i in 0..3000u32 {
            let group = format!("{:08x}-0000-4000-8000-{:012x}", i % 7, 0);
            let member = if i % 97 == 0 {
                format!("user{}@contoso.com", i % 500)
            } else {
                format!("{:08x}-1111-4000-8000-{:012x}", i % 1300, i % 13)
            };
            let kind = ["User", "Group", "", "Device"][(i % 23 % 4) as usize];
            let name = if i % 11 == 0 {
                format!("G{}", i % 7)
            } else {
                String::new()
            };
            let _ = writeln!(text, "{group},{member},{kind},{name}");
        }
        same_as_exact("many.csv", text.as_bytes(), None);
    }
}
