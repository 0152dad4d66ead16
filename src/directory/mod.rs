//! A directory export held column-wise, in row groups, keeping only the attributes asked for.
//!
//! Exports can be millions of rows and gigabytes, while a rule set reads a handful of
//! attributes. So readers keep only the selected columns, as one string buffer plus
//! offsets per column and row group (no allocation per value), and row groups are parsed
//! in parallel and appended in file order. Attribute names are resolved once, at load, to
//! the provisioning schema's names (spec S3); evaluation then works on column indices.
//! A value is *null* (spec S1) when the column is absent for the row or the text is empty;
//! both are stored as an empty string, so `value()` returns `None` for them.

pub mod assignments;
mod csv;
pub mod encoding;
#[cfg(test)]
mod export_tests;
#[cfg(test)]
mod fixture_tests;
pub mod hints;
pub mod input;
mod json;
mod lookup;
#[cfg(feature = "parquet")]
mod parquet;
pub mod read;
pub mod synth;

pub use input::{InputFormat, InputInfo, KeepAll, KeepWhen, NoProgress, Progress, Sink};
pub use read::{ReadOptions, Streamed, read_directory, stream_directory, streams_again};

use crate::diag::Diagnostic;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Index of a column in a [`Directory`].
pub type ColId = usize;

/// What kind of values a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ColumnKind {
    /// One text value per user (possibly null).
    Text,
    /// A list of texts per user (Graph multi-valued properties). Rules may not use these (S20).
    List,
}

/// A column of the directory: the attribute it holds and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ColumnInfo {
    /// Provisioning-schema attribute name (S3), or the header as written when unknown.
    pub name: String,
    /// The header or property names this column was read from, per input, when different.
    pub original: Vec<String>,
    /// Text or list.
    pub kind: ColumnKind,
}

/// Texts of one column within one row group: one buffer, and the end offset of each value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextColumn {
    bytes: String,
    ends: Vec<u32>,
}

impl TextColumn {
    /// An empty column with room for `rows` values.
    pub fn with_capacity(rows: usize, bytes: usize) -> TextColumn {
        TextColumn {
            bytes: String::with_capacity(bytes),
            ends: Vec::with_capacity(rows),
        }
    }

    /// Appends a value ("" is null, S1).
    ///
    /// Returns `false` (and appends nothing) when the row group's text would pass 4 GiB;
    /// readers keep row groups far smaller than that.
    pub fn push(&mut self, value: &str) -> bool {
        let end = self.bytes.len() + value.len();
        let Ok(end32) = u32::try_from(end) else {
            return false;
        };
        self.bytes.push_str(value);
        self.ends.push(end32);
        true
    }

    /// Appends a null value.
    pub fn push_null(&mut self) {
        let end = self.bytes.len() as u32;
        self.ends.push(end);
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The raw text of value `i` ("" for null or out of range).
    #[inline]
    pub fn raw(&self, i: usize) -> &str {
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0) as usize
        };
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        self.bytes.get(start..end).unwrap_or("")
    }

    /// Value `i`, or `None` when null (S1: empty text is null).
    #[inline]
    pub fn get(&self, i: usize) -> Option<&str> {
        let v = self.raw(i);
        if v.is_empty() { None } else { Some(v) }
    }

    /// Bytes held (for memory accounting).
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 4
    }

    /// Removes every value, keeping the buffers' capacity (for reuse by a reader).
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    /// Every value in order (`None` for null), without per-value bounds lookups.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        let mut start = 0usize;
        self.ends.iter().map(move |&end| {
            let end = end as usize;
            let v = self.bytes.get(start..end).unwrap_or("");
            start = end;
            if v.is_empty() { None } else { Some(v) }
        })
    }

    /// Bytes of text held (all values together).
    pub fn text_len(&self) -> usize {
        self.bytes.len()
    }

    /// Reserves room for `rows` more values of `bytes` more text in total.
    pub fn reserve(&mut self, rows: usize, bytes: usize) {
        self.ends.reserve(rows);
        self.bytes.reserve(bytes);
    }

    /// Releases spare capacity (readers call it when a row group is complete).
    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

/// Lists of texts of one column within one row group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListColumn {
    items: TextColumn,
    ends: Vec<u32>,
}

impl ListColumn {
    /// Appends a list (an empty list is null).
    pub fn push<'a>(&mut self, values: impl IntoIterator<Item = &'a str>) -> bool {
        for v in values {
            if !self.items.push(v) {
                return false;
            }
        }
        self.ends.push(self.items.len() as u32);
        true
    }

    /// Number of lists.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Appends a null (empty) list.
    pub fn push_null(&mut self) {
        self.ends.push(self.items.len() as u32);
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.items.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// The items of list `i`.
    pub fn get(&self, i: usize) -> impl Iterator<Item = &str> {
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0) as usize
        };
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        (start..end).map(move |j| self.items.raw(j))
    }
}

/// One column's data within a row group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnData {
    /// Single values.
    Text(TextColumn),
    /// Lists.
    List(ListColumn),
    /// The input this row group came from has no such column: null for every row (S2).
    Absent,
}

/// A run of consecutive users, as read from one part of one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    len: usize,
    columns: Vec<ColumnData>,
}

impl Chunk {
    /// A row group of `len` users; `columns[c]` holds column `c` of the directory
    /// (columns past the end of the vector are absent).
    pub fn new(len: usize, columns: Vec<ColumnData>) -> Chunk {
        Chunk { len, columns }
    }

    /// Number of users.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The text column `col`, when this row group has it as text.
    #[inline]
    pub fn text(&self, col: ColId) -> Option<&TextColumn> {
        match self.columns.get(col) {
            Some(ColumnData::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// Value of `col` for local row `row`, `None` when null.
    #[inline]
    pub fn value(&self, row: usize, col: ColId) -> Option<&str> {
        self.text(col).and_then(|t| t.get(row))
    }

    /// True for a row group whose values a streamed read dropped (it holds no column;
    /// every value reads as null).
    pub fn is_streamed(&self) -> bool {
        self.columns.is_empty() && self.len > 0
    }

    /// The data of column `col`.
    pub fn column(&self, col: ColId) -> &ColumnData {
        self.columns.get(col).unwrap_or(&ColumnData::Absent)
    }

    /// Takes the text columns `ids` out (in that order; absent ones come back empty), so
    /// that a streaming reader can reuse their buffers for the next row group.
    pub(crate) fn take_text_columns(&mut self, ids: &[ColId]) -> Vec<TextColumn> {
        ids.iter()
            .map(|&c| {
                match self
                    .columns
                    .get_mut(c)
                    .map(|d| std::mem::replace(d, ColumnData::Absent))
                {
                    Some(ColumnData::Text(t)) => t,
                    _ => TextColumn::default(),
                }
            })
            .collect()
    }

    /// Drops the spare capacity of its columns (a streamed read reserves ahead).
    pub(crate) fn shrink_to_fit(&mut self) {
        for c in &mut self.columns {
            match c {
                ColumnData::Text(t) => t.shrink_to_fit(),
                ColumnData::List(l) => l.shrink_to_fit(),
                ColumnData::Absent => {}
            }
        }
    }

    fn heap_bytes(&self) -> usize {
        self.columns
            .iter()
            .map(|c| match c {
                ColumnData::Text(t) => t.heap_bytes(),
                ColumnData::List(l) => l.items.heap_bytes() + l.ends.capacity() * 4,
                ColumnData::Absent => 0,
            })
            .sum()
    }
}

/// Which attributes to keep while reading.
#[derive(Debug, Clone, Default)]
pub struct ColumnSelection {
    all: bool,
    names: BTreeSet<String>,
}

/// Attributes every scopesim command needs: identity (for reports, assignments and target
/// state) and activity (S25).
pub const ALWAYS_KEPT: &[&str] = &[
    "objectId",
    "userPrincipalName",
    "accountEnabled",
    "IsSoftDeleted",
];

impl ColumnSelection {
    /// Keep every column.
    pub fn all() -> ColumnSelection {
        ColumnSelection {
            all: true,
            names: BTreeSet::new(),
        }
    }

    /// Keep the named attributes (matched ignoring ASCII case, so that a rule spelled
    /// `Department` still finds `department`; the compiler warns about it, S3) plus
    /// [`ALWAYS_KEPT`].
    pub fn only<I, S>(names: I) -> ColumnSelection
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut set: BTreeSet<String> = names
            .into_iter()
            .map(|n| n.as_ref().to_ascii_lowercase())
            .collect();
        set.extend(ALWAYS_KEPT.iter().map(|n| n.to_ascii_lowercase()));
        ColumnSelection {
            all: false,
            names: set,
        }
    }

    /// Keep the named attributes plus activity (`accountEnabled`, `IsSoftDeleted`, S25)
    /// but not identity: for runs that print only counts, where objectId and
    /// userPrincipalName would be read, kept and never looked at.
    pub fn minimal<I, S>(names: I) -> ColumnSelection
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut set: BTreeSet<String> = names
            .into_iter()
            .map(|n| n.as_ref().to_ascii_lowercase())
            .collect();
        set.extend(["accountenabled".to_string(), "issoftdeleted".to_string()]);
        ColumnSelection {
            all: false,
            names: set,
        }
    }

    /// Adds names.
    pub fn add<S: AsRef<str>>(&mut self, name: S) {
        self.names.insert(name.as_ref().to_ascii_lowercase());
    }

    /// True when every column is kept.
    pub fn is_all(&self) -> bool {
        self.all
    }

    /// Should a column with this provisioning-schema name be kept?
    pub fn wants(&self, name: &str) -> bool {
        self.all || self.names.contains(&name.to_ascii_lowercase())
    }
}

/// A whole directory: the union of the inputs, in input order.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    columns: Vec<ColumnInfo>,
    chunks: Vec<Chunk>,
    starts: Vec<usize>,
    len: usize,
    available: BTreeMap<String, ColumnKind>,
    inputs: Vec<InputInfo>,
    diagnostics: Vec<Diagnostic>,
}

impl Directory {
    /// Starts an empty directory.
    pub fn builder() -> DirectoryBuilder {
        DirectoryBuilder::default()
    }

    /// Number of users.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no users.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The loaded columns.
    pub fn columns(&self) -> &[ColumnInfo] {
        &self.columns
    }

    /// The column holding an attribute, by exact name.
    pub fn column(&self, name: &str) -> Option<ColId> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The column holding an attribute, ignoring ASCII case (used with a warning, S3).
    pub fn column_ignore_case(&self, name: &str) -> Option<ColId> {
        self.columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// Every attribute present in any input (loaded or not), with its kind. An attribute
    /// missing here is absent from the whole export (S2).
    pub fn available(&self) -> &BTreeMap<String, ColumnKind> {
        &self.available
    }

    /// Row groups, in order, with the index of their first user.
    pub fn chunks(&self) -> impl ExactSizeIterator<Item = (usize, &Chunk)> {
        self.starts.iter().copied().zip(self.chunks.iter())
    }

    /// Row groups as a slice (for parallel iteration).
    pub fn chunk_slice(&self) -> &[Chunk] {
        &self.chunks
    }

    /// Index of the first user of each row group.
    pub fn chunk_starts(&self) -> &[usize] {
        &self.starts
    }

    /// The row group holding user `row`, and the row within it.
    pub fn locate(&self, row: usize) -> Option<(&Chunk, usize)> {
        if row >= self.len {
            return None;
        }
        let i = self.starts.partition_point(|&s| s <= row).saturating_sub(1);
        let chunk = self.chunks.get(i)?;
        Some((chunk, row - self.starts[i]))
    }

    /// Value of `col` for user `row`, `None` when null (S1).
    pub fn value(&self, row: usize, col: ColId) -> Option<&str> {
        let (chunk, local) = self.locate(row)?;
        chunk.value(local, col)
    }

    /// Value by attribute name (exact), `None` when null or not loaded.
    pub fn value_by_name(&self, row: usize, name: &str) -> Option<&str> {
        self.column(name).and_then(|c| self.value(row, c))
    }

    /// The items of a list column for user `row`.
    pub fn list(&self, row: usize, col: ColId) -> Vec<&str> {
        match self.locate(row) {
            Some((chunk, local)) => match chunk.column(col) {
                ColumnData::List(l) => l.get(local).collect(),
                ColumnData::Text(t) => t.get(local).into_iter().collect(),
                ColumnData::Absent => Vec::new(),
            },
            None => Vec::new(),
        }
    }

    /// All non-null attributes of one user, in column order (lists joined with `; `).
    pub fn record(&self, row: usize) -> Vec<(&str, String)> {
        let mut out = Vec::new();
        for (c, info) in self.columns.iter().enumerate() {
            match info.kind {
                ColumnKind::Text => {
                    if let Some(v) = self.value(row, c) {
                        out.push((info.name.as_str(), v.to_string()));
                    }
                }
                ColumnKind::List => {
                    let items = self.list(row, c);
                    if !items.is_empty() {
                        out.push((info.name.as_str(), items.join("; ")));
                    }
                }
            }
        }
        out
    }

    /// The files read.
    pub fn inputs(&self) -> &[InputInfo] {
        &self.inputs
    }

    /// Warnings found while reading (skipped rows, ambiguous headers, ...).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Approximate heap bytes held by the values.
    pub fn heap_bytes(&self) -> usize {
        self.chunks.iter().map(Chunk::heap_bytes).sum()
    }
}

/// Assembles a [`Directory`] from row groups; used by the readers.
#[derive(Debug, Default, Clone)]
pub struct DirectoryBuilder {
    dir: Directory,
    /// Column ids by name, so that registering a header of many columns is linear.
    index: HashMap<String, ColId>,
}

impl DirectoryBuilder {
    /// The id of the column for attribute `name`, adding it if new. `original` is the
    /// header as written in the input (recorded when it differs from `name`).
    pub fn column(&mut self, name: &str, original: &str, kind: ColumnKind) -> ColId {
        if let Some(&i) = self.index.get(name) {
            if let Some(info) = self.dir.columns.get_mut(i) {
                if original != name && !info.original.iter().any(|o| o == original) {
                    info.original.push(original.to_string());
                }
            }
            return i;
        }
        self.dir.columns.push(ColumnInfo {
            name: name.to_string(),
            original: if original == name {
                Vec::new()
            } else {
                vec![original.to_string()]
            },
            kind,
        });
        let id = self.dir.columns.len() - 1;
        self.index.insert(name.to_string(), id);
        id
    }

    /// Records that an input has this attribute (loaded or not), for S2.
    pub fn saw_attribute(&mut self, name: &str, kind: ColumnKind) {
        self.dir.available.entry(name.to_string()).or_insert(kind);
    }

    /// Appends a row group (columns indexed by the ids [`Self::column`] returned).
    pub fn push_chunk(&mut self, chunk: Chunk) {
        if chunk.is_empty() {
            return;
        }
        self.dir.starts.push(self.dir.len);
        self.dir.len += chunk.len;
        self.dir.chunks.push(chunk);
    }

    /// Records an input file.
    pub fn push_input(&mut self, info: InputInfo) {
        self.dir.inputs.push(info);
    }

    /// Records a warning.
    pub fn push_diagnostic(&mut self, d: Diagnostic) {
        self.dir.diagnostics.push(d);
    }

    /// Records warnings.
    pub fn extend_diagnostics(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.dir.diagnostics.extend(ds);
    }

    /// Number of users so far.
    pub fn len(&self) -> usize {
        self.dir.len
    }

    /// True when no user was added yet.
    pub fn is_empty(&self) -> bool {
        self.dir.len == 0
    }

    /// The columns so far.
    pub fn columns(&self) -> &[ColumnInfo] {
        &self.dir.columns
    }

    /// Finishes.
    pub fn build(self) -> Directory {
        self.dir
    }
}

/// Builds a small in-memory directory from rows of `(attribute, value)` pairs; for tests,
/// examples and `scopesim test` inline users. Attributes missing from a row are null.
pub fn from_rows<'a, R, I>(rows: R) -> Directory
where
    R: IntoIterator<Item = I>,
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let rows: Vec<Vec<(&str, &str)>> = rows.into_iter().map(|r| r.into_iter().collect()).collect();
    let mut b = Directory::builder();
    for row in &rows {
        for (name, _) in row {
            b.column(name, name, ColumnKind::Text);
            b.saw_attribute(name, ColumnKind::Text);
        }
    }
    let ncols = b.columns().len();
    let mut cols: Vec<TextColumn> = (0..ncols).map(|_| TextColumn::default()).collect();
    for row in &rows {
        for (c, col) in cols.iter_mut().enumerate() {
            let name = &b.columns()[c].name;
            match row.iter().find(|(n, _)| n == name) {
                Some((_, v)) => {
                    col.push(v);
                }
                None => col.push_null(),
            }
        }
    }
    b.push_chunk(Chunk::new(
        rows.len(),
        cols.into_iter().map(ColumnData::Text).collect(),
    ));
    b.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s1_empty_text_is_null() {
        let d = from_rows([
            vec![("department", ""), ("city", "Berlin")],
            vec![("department", "IT")],
        ]);
        let dept = d.column("department").unwrap();
        let city = d.column("city").unwrap();
        assert_eq!(d.value(0, dept), None);
        assert_eq!(d.value(0, city), Some("Berlin"));
        assert_eq!(d.value(1, dept), Some("IT"));
        // absent for the row: null
        assert_eq!(d.value(1, city), None);
    }

    #[test]
    fn rows_are_found_across_row_groups() {
        let mut b = Directory::builder();
        let c = b.column("department", "Department", ColumnKind::Text);
        for vals in [&["a", "b"][..], &["c"][..], &["d", "", "f"][..]] {
            let mut t = TextColumn::default();
            for v in vals {
                t.push(v);
            }
            b.push_chunk(Chunk::new(vals.len(), vec![ColumnData::Text(t)]));
        }
        let d = b.build();
        assert_eq!(d.len(), 6);
        let got: Vec<_> = (0..6).map(|r| d.value(r, c)).collect();
        assert_eq!(
            got,
            vec![Some("a"), Some("b"), Some("c"), Some("d"), None, Some("f")]
        );
        assert_eq!(d.columns()[c].original, vec!["Department".to_string()]);
        assert_eq!(d.value(6, c), None);
    }

    #[test]
    fn selection_is_case_insensitive_and_keeps_identity() {
        let s = ColumnSelection::only(["Department"]);
        assert!(s.wants("department"));
        assert!(s.wants("objectId"));
        assert!(s.wants("userPrincipalName"));
        assert!(!s.wants("city"));
        assert!(ColumnSelection::all().wants("city"));
    }
}
