//! Microsoft Graph `/users` JSON: one response page, an array of pages, an array of users,
//! or NDJSON (one user per line), streamed into column builders.
//!
//! A tenant's export is hundreds of megabytes of JSON, so no `serde_json::Value` is ever
//! built for a file or a user: a [`DeserializeSeed`] visitor walks the stream and writes
//! each property straight into a reusable row buffer, which is committed into columnar
//! row groups of [`ROW_GROUP`] users. The same visitor reads every shape: an object with a
//! `value` array is a page, any other object is a user, and a file holds one or more
//! top-level values (so NDJSON and a single response share the code). Property names are
//! resolved once per distinct name (cached), then mapped with [`schema::canonical_name`]:
//! nested objects flatten to `parent.child` (so `onPremisesExtensionAttributes.
//! extensionAttribute1` becomes `extensionAttribute1`), `@odata.*` annotations are
//! skipped, arrays become list columns, and `businessPhones[0]` also fills
//! `telephoneNumber` (spec S3). `null`, absent and `""` are all null (S1).

#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::encoding;
use super::input::{
    InputFormat, InputInfo, Progress, ROW_GROUP, count, io_error, looks_like_type_name,
};
use super::{
    Chunk, ColId, ColumnData, ColumnKind, ColumnSelection, DirectoryBuilder, ListColumn, TextColumn,
};
use crate::diag::{Code, Diagnostic, Errors, FileLocation};
use crate::schema;
mod pages;

pub(crate) use pages::JsonState;
use pages::{Page, id_hash};

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::{BufReader, Read};

/// A property name seen in the input, resolved once.
#[derive(Debug)]
struct Field {
    /// Path as written (`parent.child` for nested properties).
    path: String,
    /// Provisioning-schema name (S3), or the path.
    name: String,
    /// Nested properties, by key.
    children: HashMap<String, usize>,
    /// The directory column, once the field was first committed with a value (`None`
    /// inside: not selected).
    col: Option<Option<ColId>>,
    is_business_phones: bool,
}

/// A value in the row buffer.
#[derive(Debug, Clone, Copy)]
enum Val {
    Null,
    /// Byte range in the row text.
    Text(usize, usize),
    /// Range in the row's list items.
    List(usize, usize),
}

/// One user being read.
#[derive(Debug, Default)]
struct Row {
    text: String,
    items: Vec<(usize, usize)>,
    entries: Vec<(usize, Val)>,
}

/// A column of the row group being filled.
#[derive(Debug)]
enum Buf {
    Text(TextColumn),
    List(ListColumn),
}

struct Ctx<'b> {
    shown: String,
    b: &'b mut DirectoryBuilder,
    columns: &'b ColumnSelection,
    fields: Vec<Field>,
    top: HashMap<String, usize>,
    row: Row,
    /// Columns of the current row group, by directory column id.
    group: Vec<Option<Buf>>,
    group_rows: usize,
    /// Per-row scratch: the value for each column id.
    slots: Vec<Option<Val>>,
    users: u64,
    /// The pages read (objects with a `value` array of users).
    pages: Vec<Page>,
    top_values: u64,
    current_record: Option<u64>,
    /// Hash of each user's id, in record order (for duplicates across pages).
    ids: Vec<u64>,
    /// Users with neither `id` nor `userPrincipalName`: how many, and the first.
    no_id: (u64, Option<u64>),
    /// Properties holding PowerShell type names: (path, count, example).
    type_names: Vec<(String, u64, String)>,
    /// Attributes present in this input (with their kind once known).
    seen: BTreeMap<String, Option<ColumnKind>>,
    mixed: HashSet<ColId>,
    warnings: Vec<Diagnostic>,
    overflow: bool,
    /// Row groups read, pushed to the builder once the whole input has read cleanly.
    chunks: Vec<Chunk>,
}

impl Ctx<'_> {
    fn field(&mut self, parent: Option<usize>, key: &str) -> usize {
        let found = match parent {
            None => self.top.get(key).copied(),
            Some(p) => self
                .fields
                .get(p)
                .and_then(|f| f.children.get(key).copied()),
        };
        if let Some(i) = found {
            return i;
        }
        let path = match parent.and_then(|p| self.fields.get(p)) {
            Some(f) => format!("{}.{key}", f.path),
            None => key.to_string(),
        };
        let name = schema::canonical_name(&path)
            .map(str::to_string)
            .unwrap_or_else(|| path.clone());
        let i = self.fields.len();
        self.fields.push(Field {
            is_business_phones: name == "businessPhones",
            path,
            name,
            children: HashMap::new(),
            col: None,
        });
        match parent.and_then(|p| self.fields.get_mut(p)) {
            Some(f) => {
                f.children.insert(key.to_string(), i);
            }
            None => {
                self.top.insert(key.to_string(), i);
            }
        }
        i
    }

    fn begin_row(&mut self) {
        self.row.text.clear();
        self.row.items.clear();
        self.row.entries.clear();
        self.current_record = Some(self.users + 1);
    }

    fn push_text(&mut self, field: usize, s: &str) {
        if s.is_empty() {
            self.row.entries.push((field, Val::Null));
            return;
        }
        let start = self.row.text.len();
        self.row.text.push_str(s);
        self.row
            .entries
            .push((field, Val::Text(start, self.row.text.len())));
    }

    fn note_seen(&mut self, name: &str, kind: Option<ColumnKind>) {
        match self.seen.get_mut(name) {
            Some(k) => {
                if k.is_none() {
                    *k = kind;
                }
            }
            None => {
                self.seen.insert(name.to_string(), kind);
            }
        }
    }

    /// The column id for a field, registering it on first use.
    fn column_of(&mut self, field: usize, kind: ColumnKind) -> Option<ColId> {
        let f = self.fields.get(field)?;
        if let Some(c) = f.col {
            return c;
        }
        let col = if self.columns.wants(&f.name) {
            Some(self.b.column(&f.name, &f.path, kind))
        } else {
            None
        };
        if let Some(f) = self.fields.get_mut(field) {
            f.col = Some(col);
        }
        col
    }

    fn commit_row(&mut self) {
        self.current_record = None;
        let mut explicit_phone = false;
        let mut derived_phone: Option<Val> = None;
        let entries = std::mem::take(&mut self.row.entries);
        let mut id: Option<u64> = None;
        let mut has_upn = false;
        for &(field, val) in &entries {
            if let (Some(f), Val::Text(a, z)) = (self.fields.get(field), val) {
                if f.name == "objectId" {
                    id = self.row.text.get(a..z).map(id_hash);
                } else if f.name == "userPrincipalName" {
                    has_upn = true;
                }
            }
        }
        match id {
            Some(h) => self.ids.push(h),
            None => {
                if !has_upn {
                    self.no_id.0 += 1;
                    self.no_id.1.get_or_insert(self.users + 1);
                }
            }
        }
        for &(field, val) in &entries {
            let kind = match val {
                Val::Null => None,
                Val::Text(..) => Some(ColumnKind::Text),
                Val::List(..) => Some(ColumnKind::List),
            };
            let (name, phones) = match self.fields.get(field) {
                Some(f) => (f.name.clone(), f.is_business_phones),
                None => continue,
            };
            self.note_seen(&name, kind);
            if name == "telephoneNumber" {
                explicit_phone = true;
            }
            if phones {
                self.note_seen("telephoneNumber", Some(ColumnKind::Text));
                derived_phone = Some(match val {
                    Val::List(s, e) if e > s => match self.row.items.get(s) {
                        Some(&(a, z)) => Val::Text(a, z),
                        None => Val::Null,
                    },
                    _ => Val::Null,
                });
            }
            if matches!(val, Val::Null) {
                // Null: a column is only made once a value shows its kind.
                if let Some(Some(Some(c))) = self.fields.get(field).map(|f| f.col) {
                    self.set_slot(c, val);
                }
                continue;
            }
            if let Some(c) = self.column_of(field, kind.unwrap_or(ColumnKind::Text)) {
                self.set_slot(c, val);
            }
        }
        if let (false, Some(val)) = (explicit_phone, derived_phone) {
            if self.columns.wants("telephoneNumber") {
                let c = self
                    .b
                    .column("telephoneNumber", "businessPhones", ColumnKind::Text);
                self.set_slot(c, val);
            }
        }
        self.row.entries = entries;
        self.push_row();
        self.users += 1;
        if self.group_rows >= ROW_GROUP {
            self.flush();
        }
    }

    fn set_slot(&mut self, c: ColId, val: Val) {
        if self.slots.len() <= c {
            self.slots.resize(c + 1, None);
        }
        if let Some(slot) = self.slots.get_mut(c) {
            *slot = Some(val);
        }
    }

    fn push_row(&mut self) {
        let ncols = self.b.columns().len();
        if self.group.len() < ncols {
            self.group.resize_with(ncols, || None);
        }
        if self.slots.len() < ncols {
            self.slots.resize(ncols, None);
        }
        for c in 0..ncols {
            let val = self.slots.get_mut(c).and_then(Option::take);
            if self.group.get(c).is_some_and(Option::is_none) {
                let Some(val) = val else { continue };
                let kind = self.b.columns().get(c).map_or(ColumnKind::Text, |i| i.kind);
                let mut buf = match kind {
                    ColumnKind::Text => Buf::Text(TextColumn::default()),
                    ColumnKind::List => Buf::List(ListColumn::default()),
                };
                for _ in 0..self.group_rows {
                    match &mut buf {
                        Buf::Text(t) => t.push_null(),
                        Buf::List(l) => l.push_null(),
                    }
                }
                if let Some(g) = self.group.get_mut(c) {
                    *g = Some(buf);
                }
                self.push_val(c, Some(val));
            } else {
                self.push_val(c, val);
            }
        }
        self.group_rows += 1;
    }

    fn push_val(&mut self, c: ColId, val: Option<Val>) {
        let row = &self.row;
        let Some(Some(buf)) = self.group.get_mut(c) else {
            return;
        };
        let text = |a: usize, z: usize| row.text.get(a..z).unwrap_or("");
        let items = |s: usize, e: usize| row.items.get(s..e).unwrap_or(&[]);
        let ok = match (buf, val) {
            (Buf::Text(t), None | Some(Val::Null)) => {
                t.push_null();
                true
            }
            (Buf::List(l), None | Some(Val::Null)) => {
                l.push_null();
                true
            }
            (Buf::Text(t), Some(Val::Text(a, z))) => t.push(text(a, z)),
            (Buf::List(l), Some(Val::List(s, e))) => {
                l.push(items(s, e).iter().map(|&(a, z)| text(a, z)))
            }
            (Buf::List(l), Some(Val::Text(a, z))) => {
                self.mixed.insert(c);
                l.push([text(a, z)])
            }
            (Buf::Text(t), Some(Val::List(s, e))) => {
                self.mixed.insert(c);
                let joined: Vec<&str> = items(s, e).iter().map(|&(a, z)| text(a, z)).collect();
                t.push(&joined.join("; "))
            }
        };
        if !ok {
            self.overflow = true;
        }
    }

    fn flush(&mut self) {
        if self.group_rows == 0 {
            return;
        }
        let ncols = self.b.columns().len();
        let mut data: Vec<ColumnData> = Vec::with_capacity(ncols);
        for c in 0..ncols {
            data.push(match self.group.get_mut(c).and_then(Option::take) {
                Some(Buf::Text(mut t)) => {
                    t.shrink_to_fit();
                    ColumnData::Text(t)
                }
                Some(Buf::List(mut l)) => {
                    l.shrink_to_fit();
                    ColumnData::List(l)
                }
                None => ColumnData::Absent,
            });
        }
        self.chunks.push(Chunk::new(self.group_rows, data));
        self.group.clear();
        self.group_rows = 0;
    }
}

/// At most `n` characters of `s`.
fn truncate_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

/// The error for a page whose `value` is not an array of users.
fn not_a_user_list<E: de::Error>(what: &str) -> E {
    E::custom(format!(
        "`value` is {what}, not the array of users a Graph response page holds"
    ))
}

impl Ctx<'_> {
    /// Notes a PowerShell type name written instead of a value (a nested object flattened
    /// by `ConvertTo-Json` at its default depth, S36).
    fn type_name(&mut self, field: usize, v: &str) {
        let path = self.fields.get(field).map_or("", |f| f.path.as_str());
        match self.type_names.iter_mut().find(|(p, _, _)| p == path) {
            Some(t) => t.1 += 1,
            None => {
                let (path, v) = (path.to_string(), v.to_string());
                self.type_names.push((path, 1, v));
            }
        }
    }
}

/// A top-level key of a page-or-user object.
enum Key {
    Value(usize),
    NextLink,
    Count,
    Annotation,
    Field(usize),
}

struct KeySeed<'a, 'b> {
    ctx: &'a mut Ctx<'b>,
    parent: Option<usize>,
    page_level: bool,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = Key;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_, '_> {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a property name")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        if key.contains("@odata.") || key.starts_with('@') {
            if self.page_level && key == "@odata.nextLink" {
                return Ok(Key::NextLink);
            }
            if self.page_level && key == "@odata.count" {
                return Ok(Key::Count);
            }
            return Ok(Key::Annotation);
        }
        let i = self.ctx.field(self.parent, key);
        if self.page_level && key == "value" {
            return Ok(Key::Value(i));
        }
        Ok(Key::Field(i))
    }
}

/// A property value; `page` when it is the `value` of a top-level object (a page's users).
struct PropSeed<'a, 'b> {
    ctx: &'a mut Ctx<'b>,
    field: usize,
    page: bool,
}

/// Set by [`PropSeed`] when a `value` array was read as a page's users.
struct IsPage(bool);

impl<'de> DeserializeSeed<'de> for PropSeed<'_, '_> {
    type Value = IsPage;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<IsPage, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PropSeed<'_, '_> {
    type Value = IsPage;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a property value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<IsPage, E> {
        if self.page {
            return Err(not_a_user_list("a string"));
        }
        if looks_like_type_name(v) {
            self.ctx.type_name(self.field, v);
        }
        self.ctx.push_text(self.field, v);
        Ok(IsPage(false))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<IsPage, E> {
        if self.page {
            return Err(not_a_user_list("a Boolean"));
        }
        // S4: a JSON Boolean reads as .NET renders a Boolean (`True`/`False`), as the same
        // tenant exported to CSV does, also for directory extensions of unknown type.
        self.visit_str(if v { "True" } else { "False" })
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<IsPage, E> {
        if self.page {
            return Err(not_a_user_list("a number"));
        }
        self.visit_str(&v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<IsPage, E> {
        if self.page {
            return Err(not_a_user_list("a number"));
        }
        self.visit_str(&v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<IsPage, E> {
        if self.page {
            return Err(not_a_user_list("a number"));
        }
        self.visit_str(&v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<IsPage, E> {
        if self.page {
            return Err(not_a_user_list("null"));
        }
        self.ctx.row.entries.push((self.field, Val::Null));
        Ok(IsPage(false))
    }
    fn visit_none<E: de::Error>(self) -> Result<IsPage, E> {
        self.visit_unit()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<IsPage, A::Error> {
        if self.page {
            while seq.next_element_seed(UserSeed { ctx: self.ctx })?.is_some() {}
            return Ok(IsPage(true));
        }
        let start = self.ctx.row.items.len();
        while seq.next_element_seed(ItemSeed { ctx: self.ctx })?.is_some() {}
        let end = self.ctx.row.items.len();
        self.ctx
            .row
            .entries
            .push((self.field, Val::List(start, end)));
        Ok(IsPage(false))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<IsPage, A::Error> {
        if self.page {
            return Err(not_a_user_list("an object"));
        }
        // A nested object: flatten to `parent.child`.
        read_properties(self.ctx, Some(self.field), &mut map)?;
        Ok(IsPage(false))
    }
}

/// Reads the properties of one user object (`parent: None`) or of an object nested in a
/// property (flattened to `parent.child`), skipping `@odata` annotations.
fn read_properties<'de, A: MapAccess<'de>>(
    ctx: &mut Ctx<'_>,
    parent: Option<usize>,
    map: &mut A,
) -> Result<(), A::Error> {
    while let Some(key) = map.next_key_seed(KeySeed {
        ctx: &mut *ctx,
        parent,
        page_level: false,
    })? {
        match key {
            Key::Field(i) | Key::Value(i) => {
                map.next_value_seed(PropSeed {
                    ctx: &mut *ctx,
                    field: i,
                    page: false,
                })?;
            }
            Key::NextLink | Key::Count | Key::Annotation => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    Ok(())
}

/// One element of an array property: its text (objects and arrays as compact JSON).
struct ItemSeed<'a, 'b> {
    ctx: &'a mut Ctx<'b>,
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let row = &mut self.ctx.row;
        let start = row.text.len();
        match v {
            serde_json::Value::Null => return Ok(()),
            serde_json::Value::String(s) => row.text.push_str(&s),
            other => row.text.push_str(&other.to_string()),
        }
        if row.text.len() > start {
            row.items.push((start, row.text.len()));
        }
        Ok(())
    }
}

use serde::Deserialize;

/// A user object (an element of a page's `value`).
struct UserSeed<'a, 'b> {
    ctx: &'a mut Ctx<'b>,
}

impl<'de> DeserializeSeed<'de> for UserSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.ctx.current_record = Some(self.ctx.users + 1);
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for UserSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a user object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.ctx.begin_row();
        read_properties(self.ctx, None, &mut map)?;
        self.ctx.commit_row();
        Ok(())
    }
}

/// A top-level value, or an element of a top-level array: a page or a user.
struct PageOrUserSeed<'a, 'b> {
    ctx: &'a mut Ctx<'b>,
    /// At the top level an array (of pages or users) is also fine.
    top: bool,
}

impl<'de> DeserializeSeed<'de> for PageOrUserSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.ctx.current_record = Some(self.ctx.users + 1);
        if self.top {
            d.deserialize_any(self)
        } else {
            d.deserialize_map(self)
        }
    }
}

impl<'de> Visitor<'de> for PageOrUserSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.top {
            f.write_str("a Graph `/users` response (an object with `value`, an array, or one user object per line)")
        } else {
            f.write_str("a user object or a response page")
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if !self.top {
            return Err(de::Error::invalid_type(de::Unexpected::Seq, &self));
        }
        while seq
            .next_element_seed(PageOrUserSeed {
                ctx: self.ctx,
                top: false,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.ctx.begin_row();
        let users_before = self.ctx.users;
        let mut is_page = false;
        let mut next_link: Option<String> = None;
        let mut count: Option<u64> = None;
        while let Some(key) = map.next_key_seed(KeySeed {
            ctx: self.ctx,
            parent: None,
            page_level: true,
        })? {
            match key {
                Key::Value(i) => {
                    let IsPage(p) = map.next_value_seed(PropSeed {
                        ctx: self.ctx,
                        field: i,
                        page: true,
                    })?;
                    is_page |= p;
                }
                Key::Field(i) => {
                    map.next_value_seed(PropSeed {
                        ctx: self.ctx,
                        field: i,
                        page: false,
                    })?;
                }
                Key::NextLink => next_link = map.next_value::<Option<String>>()?,
                Key::Count => count = map.next_value::<Option<u64>>()?,
                Key::Annotation => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if is_page {
            self.ctx.row.entries.clear();
            self.ctx.current_record = None;
            let index = self.ctx.pages.len() as u64 + 1;
            self.ctx.pages.push(Page {
                index,
                next_link,
                count,
                users: self.ctx.users - users_before,
            });
        } else {
            self.ctx.commit_row();
        }
        Ok(())
    }
}

/// The message of a serde_json error without its ` at line L column C` suffix.
pub(crate) fn json_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) if e.line() > 0 => s[..i].to_string(),
        _ => s,
    }
}

/// The diagnostic for a JSON error at a known position.
pub(crate) fn json_error(shown: &str, e: &serde_json::Error, record: Option<u64>) -> Diagnostic {
    json_error_after(shown, e, record, 0)
}

/// [`json_error`] for text that starts after `lines_before` lines of the file.
fn json_error_after(
    shown: &str,
    e: &serde_json::Error,
    record: Option<u64>,
    lines_before: u64,
) -> Diagnostic {
    let mut loc = FileLocation::file(shown);
    if e.line() > 0 {
        loc = loc
            .at_line(e.line() as u64 + lines_before)
            .at_column(e.column() as u64);
    }
    if let Some(r) = record {
        loc = loc.at_record(r);
    }
    let (code, message, help) = match e.classify() {
        serde_json::error::Category::Syntax => (
            Code::JsonSyntax,
            format!("JSON syntax error in `{shown}`: {}", json_message(e)),
            "fix the JSON at this position; a file cut off while downloading also ends this way",
        ),
        serde_json::error::Category::Eof => (
            Code::JsonSyntax,
            format!("`{shown}` ends in the middle of a JSON value"),
            "the file is incomplete: download or export it again",
        ),
        serde_json::error::Category::Io => (
            Code::Io,
            format!("cannot read `{shown}`: {}", json_message(e)),
            "check that the file is readable",
        ),
        serde_json::error::Category::Data => (
            Code::JsonShape,
            format!("unexpected JSON in `{shown}`: {}", json_message(e)),
            "a Graph `/users` export is `{\"value\": [users]}`, an array of such pages or of users, or one user object per line",
        ),
    };
    Diagnostic::error(code, message).at(loc).with_help(help)
}

/// Bytes of NDJSON parsed at a time (cut at a line end).
const LINES_BLOCK: usize = 4 << 20;

/// How a JSON input is walked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// One value per line, each parsed from a slice (NDJSON; about twice as fast as
    /// reading through `io::Read`).
    Lines,
    /// One stream (a page or an array of pages may span the whole file), with the line
    /// of an NDJSON line cut short, if the line pass found one.
    Stream(Option<u64>),
}

/// Reads one Graph JSON or NDJSON input into `b`. `lines` says the file looks like NDJSON;
/// it is then parsed in blocks of lines, and read again as one stream if a value turns
/// out to span a block boundary.
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_json<R: Read, F: Fn() -> std::io::Result<R>>(
    open: F,
    shown: &str,
    columns: &ColumnSelection,
    b: &mut DirectoryBuilder,
    progress: &dyn Progress,
    state: &mut JsonState,
    lines: bool,
) -> Result<(), Errors> {
    let mut cut_line = None;
    if lines {
        match read_json_pass(&open, shown, columns, b, progress, state, Mode::Lines)? {
            Pass::Done => return Ok(()),
            Pass::AsStream(line) => cut_line = line,
        }
    }
    if let Pass::Done = read_json_pass(
        &open,
        shown,
        columns,
        b,
        progress,
        state,
        Mode::Stream(cut_line),
    )? {
        return Ok(());
    }
    Err(Errors::from(vec![
        Diagnostic::error(Code::Internal, format!("could not read `{shown}` as JSON"))
            .at(FileLocation::file(shown)),
    ]))
}

/// How a pass over a JSON input ended.
enum Pass {
    Done,
    /// Read the file again as one stream; when whole lines were read before a value went
    /// on over its line, the number of that line (an NDJSON line cut short).
    AsStream(Option<u64>),
}

/// The error for an NDJSON line whose value does not end on it.
fn cut_line_error(shown: &str, line: u64) -> Diagnostic {
    Diagnostic::error(
        Code::JsonSyntax,
        format!("line {line} of `{shown}` ends in the middle of a JSON value"),
    )
    .at(FileLocation::file(shown).at_line(line))
    .with_help("NDJSON holds one whole user object per line: the line was cut (a partial download or a line break inside a value); export the users again")
}

/// One pass over a JSON input.
#[allow(clippy::too_many_arguments)]
fn read_json_pass<R: Read, F: Fn() -> std::io::Result<R>>(
    open: &F,
    shown: &str,
    columns: &ColumnSelection,
    b: &mut DirectoryBuilder,
    progress: &dyn Progress,
    state: &mut JsonState,
    mode: Mode,
) -> Result<Pass, Errors> {
    let io = |e: std::io::Error| vec![io_error(shown, &e)];
    let mut dec = encoding::open(open().map_err(io)?, progress, shown)?;
    let encoding = dec.encoding();
    let mut ctx = Ctx {
        shown: shown.to_string(),
        b,
        columns,
        fields: Vec::new(),
        top: HashMap::new(),
        row: Row::default(),
        group: Vec::new(),
        group_rows: 0,
        slots: Vec::new(),
        users: 0,
        pages: Vec::new(),
        top_values: 0,
        current_record: None,
        ids: Vec::new(),
        no_id: (0, None),
        type_names: Vec::new(),
        seen: BTreeMap::new(),
        mixed: HashSet::new(),
        warnings: Vec::new(),
        overflow: false,
        chunks: Vec::new(),
    };
    let (sha256, bytes, replaced) = match mode {
        Mode::Stream(cut_line) => {
            let mut reader = BufReader::with_capacity(1 << 20, dec);
            let mut de = serde_json::Deserializer::from_reader(&mut reader);
            parse_values(&mut de, &mut ctx, shown, 0, true).map_err(|e| match cut_line {
                Some(line) => Errors::from(vec![cut_line_error(shown, line)]),
                None => e,
            })?;
            drop(de);
            let dec = reader.into_inner();
            let replaced = dec.replaced();
            let (sha, n) = dec.into_inner().finish();
            (sha, n, replaced)
        }
        Mode::Lines => {
            let mut buf: Vec<u8> = Vec::new();
            let mut lines_before = 0u64;
            let mut eof = false;
            while !eof || !buf.is_empty() {
                if !eof {
                    let want = buf.len() + LINES_BLOCK;
                    eof = encoding::fill(&mut dec, &mut buf, want).map_err(io)?;
                }
                let cut = if eof {
                    buf.len()
                } else {
                    match memchr::memrchr(b'\n', &buf) {
                        Some(i) => i + 1,
                        None => continue,
                    }
                };
                let block = buf.get(..cut).unwrap_or(&[]);
                // One deserializer per line: serde_json computes the position of every
                // error it makes (even the "not at the end yet" one) by scanning its
                // slice from the start, so a deserializer over a whole block is quadratic.
                for (i, line) in block.split(|&c| c == b'\n').enumerate() {
                    if line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    let mut de = serde_json::Deserializer::from_slice(line);
                    let whole_lines_before = ctx.top_values;
                    if !parse_values(&mut de, &mut ctx, shown, lines_before + i as u64, false)? {
                        // A value goes on over the next line: not NDJSON after all, or
                        // NDJSON with a line cut short (then its line is the error's).
                        let line = lines_before + i as u64 + 1;
                        return Ok(Pass::AsStream((whole_lines_before > 0).then_some(line)));
                    }
                }
                lines_before += count(block, b'\n');
                buf.drain(..cut);
            }
            let replaced = dec.replaced();
            let (sha, n) = dec.into_inner().finish();
            (sha, n, replaced)
        }
    };
    if replaced > 0 {
        ctx.warnings
            .push(super::encoding::replaced_warning(shown, replaced));
    }
    if ctx.top_values == 0 {
        return Err(Errors::from(vec![
            Diagnostic::error(Code::JsonEmpty, format!("`{shown}` holds no JSON"))
                .at(FileLocation::file(shown))
                .with_help("export the users again"),
        ]));
    }
    if ctx.overflow {
        return Err(Errors::from(vec![
            Diagnostic::error(
                Code::JsonTooLarge,
                format!("a row group of `{shown}` is too large to hold"),
            )
            .at(FileLocation::file(shown))
            .with_help("split the file into smaller pages"),
        ]));
    }
    if let (n, Some(record)) = ctx.no_id {
        return Err(Errors::from(vec![
            Diagnostic::error(
                Code::GraphUserWithoutId,
                format!(
                    "user {record} of `{shown}` has neither `id` nor `userPrincipalName`{}",
                    if n > 1 {
                        format!(" (nor have {} more users)", n - 1)
                    } else {
                        String::new()
                    }
                ),
            )
            .at(FileLocation::file(shown).at_record(record))
            .with_help("a user that names no id cannot be matched to assignments, groups or accounts: export with `$select=id,userPrincipalName,...`"),
        ]));
    }
    for (path, n, example) in std::mem::take(&mut ctx.type_names) {
        ctx.warnings.push(
            Diagnostic::warning(
                Code::PowerShellTypeNames,
                format!(
                    "property `{path}` of `{shown}` holds `{}` for {n} user{} instead of its values: the JSON was written by `ConvertTo-Json` at its default depth",
                    truncate_chars(&example, 60),
                    if n == 1 { "" } else { "s" }
                ),
            )
            .with_rule("S36")
            .at(FileLocation::file(shown))
            .with_help("`ConvertTo-Json` writes objects nested deeper than its `-Depth` (default 2) as type names: export again with `ConvertTo-Json -Depth 10`"),
        );
    }
    ctx.flush();
    for (name, kind) in std::mem::take(&mut ctx.seen) {
        ctx.b.saw_attribute(&name, kind.unwrap_or(ColumnKind::Text));
    }
    let mut mixed: Vec<ColId> = ctx.mixed.iter().copied().collect();
    mixed.sort_unstable();
    for c in mixed {
        let name = ctx
            .b
            .columns()
            .get(c)
            .map(|i| i.name.clone())
            .unwrap_or_default();
        ctx.warnings.push(
            Diagnostic::warning(
                Code::JsonMixedKinds,
                format!("property `{name}` in `{}` is a list for some users and a single value for others", ctx.shown),
            )
            .at(FileLocation::file(&ctx.shown))
            .with_help("lists were joined with `; ` (or single values read as one-item lists); check the export"),
        );
    }
    let format = if ctx.pages.is_empty() && ctx.top_values > 1 {
        InputFormat::Ndjson
    } else {
        InputFormat::GraphJson
    };
    state.add_input(shown, std::mem::take(&mut ctx.pages), &ctx.ids);
    let users = ctx.users;
    let warnings = std::mem::take(&mut ctx.warnings);
    let chunks = std::mem::take(&mut ctx.chunks);
    drop(ctx);
    for chunk in chunks {
        b.push_chunk(chunk);
    }
    b.push_input(InputInfo {
        path: shown.to_string(),
        format,
        sha256,
        bytes,
        records: users,
        skipped: 0,
        encoding: Some(encoding.as_str().to_string()),
        delimiter: None,
    });
    for w in warnings {
        b.push_diagnostic(w);
    }
    Ok(Pass::Done)
}

/// Reads top-level values until the end of `de`. Returns false when the text ends inside
/// a value and `last` is false (the block cut a value in two).
fn parse_values<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    ctx: &mut Ctx<'_>,
    shown: &str,
    lines_before: u64,
    last: bool,
) -> Result<bool, Errors> {
    loop {
        match de.end() {
            Ok(()) => return Ok(true),
            Err(e) if e.classify() == serde_json::error::Category::Io => {
                return Err(Errors::from(vec![json_error(shown, &e, None)]));
            }
            Err(_) => {}
        }
        ctx.top_values += 1;
        if let Err(e) = (PageOrUserSeed { ctx, top: true }).deserialize(&mut *de) {
            if !last && e.classify() == serde_json::error::Category::Eof {
                return Ok(false);
            }
            return Err(Errors::from(vec![json_error_after(
                shown,
                &e,
                ctx.current_record,
                lines_before,
            )]));
        }
    }
}

#[cfg(test)]
mod tests;
