//! Object ids and user principal names as hash keys, compared ignoring case as Entra
//! compares them, without a `String` per lookup.
//!
//! The files that name users and groups (assignments, group members, target states) hold
//! hundreds of thousands of ids, and every user of the directory is looked up by its
//! objectId and UPN: hashing and lowercasing text for each of them dominated the real job.
//! An objectId in its canonical 8-4-4-4-12 form is parsed once into a 128-bit integer (hex
//! digits are case-insensitive, so two spellings that differ only in case give the same
//! number, and no other text does); anything else is lowercased text, allocated only when
//! it has capitals. The hasher is FxHash: the keys come from the user's own files, and the
//! tool runs offline on them, so hash flooding is no concern.

use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// Hex digit values (`0xff`: not a hex digit).
const HEX: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// The 128-bit value of a GUID written `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex digits
/// in any case), or `None` for any other text.
pub fn parse_guid(s: &str) -> Option<u128> {
    let b: &[u8; 36] = s.as_bytes().try_into().ok()?;
    let [
        a0,
        a1,
        a2,
        a3,
        a4,
        a5,
        a6,
        a7,
        d0,
        b0,
        b1,
        b2,
        b3,
        d1,
        c0,
        c1,
        c2,
        c3,
        d2,
        e0,
        e1,
        e2,
        e3,
        d3,
        f0,
        f1,
        f2,
        f3,
        f4,
        f5,
        f6,
        f7,
        f8,
        f9,
        f10,
        f11,
    ] = *b;
    if [d0, d1, d2, d3] != [b'-'; 4] {
        return None;
    }
    let digits = [
        a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, c0, c1, c2, c3, e0, e1, e2, e3, f0, f1, f2,
        f3, f4, f5, f6, f7, f8, f9, f10, f11,
    ];
    let mut v: u128 = 0;
    let mut bad = 0u8;
    for c in digits {
        let d = HEX[usize::from(c)];
        bad |= d;
        v = (v << 4) | u128::from(d & 0x0f);
    }
    (bad < 0x10).then_some(v)
}

/// Lowercases `s` (Unicode when `UNICODE`, else ASCII only), borrowing it when it has no
/// capital to fold.
fn fold<const UNICODE: bool>(s: &str) -> Cow<'_, str> {
    if UNICODE {
        if s.is_ascii() {
            fold::<false>(s)
        } else {
            Cow::Owned(s.to_lowercase())
        }
    } else if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// An id as a key of an [`IdMap`], owned: what a reader keeps of an id it has found
/// while the text it came from is dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IdKey {
    /// A GUID.
    Guid(u128),
    /// Any other id, lowercased.
    Text(Box<str>),
}

/// A map from ids to values, ignoring case: GUIDs as 128-bit integers, other ids as text
/// lowercased (with Unicode rules when `UNICODE`, as group ids are compared; ASCII only
/// otherwise, as users are looked up).
#[derive(Debug, Clone)]
pub struct IdMap<V, const UNICODE: bool = false> {
    guids: FxHashMap<u128, V>,
    text: FxHashMap<Box<str>, V>,
}

impl<V, const UNICODE: bool> Default for IdMap<V, UNICODE> {
    fn default() -> Self {
        IdMap {
            guids: FxHashMap::default(),
            text: FxHashMap::default(),
        }
    }
}

impl<V, const UNICODE: bool> IdMap<V, UNICODE> {
    /// The value of an id.
    pub fn get(&self, id: &str) -> Option<&V> {
        self.get_parsed(id, parse_guid(id))
    }

    /// The value of an id already parsed: `guid` is what [`parse_guid`] gives for `id`.
    pub fn get_parsed(&self, id: &str, guid: Option<u128>) -> Option<&V> {
        match guid {
            Some(g) => self.guids.get(&g),
            None if self.text.is_empty() => None,
            None => self.text.get(fold::<UNICODE>(id).as_ref()),
        }
    }

    /// True when the id has a value.
    pub fn contains(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// The value of an id, inserting `make()` first when it has none.
    pub fn get_or_insert_with(&mut self, id: &str, make: impl FnOnce() -> V) -> &mut V {
        match parse_guid(id) {
            Some(g) => self.guids.entry(g).or_insert_with(make),
            // Text ids (UPNs, ids not in GUID form) are the uncommon case: one key each.
            None => self
                .text
                .entry(fold::<UNICODE>(id).into_owned().into_boxed_str())
                .or_insert_with(make),
        }
    }

    /// The key of an id, as this map folds it.
    pub fn key(id: &str) -> IdKey {
        match parse_guid(id) {
            Some(g) => IdKey::Guid(g),
            None => IdKey::Text(fold::<UNICODE>(id).into_owned().into_boxed_str()),
        }
    }

    /// The value of a key made by [`IdMap::key`], inserting `make()` first when it has
    /// none.
    pub fn key_or_insert_with(&mut self, key: IdKey, make: impl FnOnce() -> V) -> &mut V {
        match key {
            IdKey::Guid(g) => self.guids.entry(g).or_insert_with(make),
            IdKey::Text(t) => self.text.entry(t).or_insert_with(make),
        }
    }

    /// Sets the value of an id, returning the previous one.
    pub fn insert(&mut self, id: &str, value: V) -> Option<V> {
        match parse_guid(id) {
            Some(g) => self.guids.insert(g, value),
            None => self
                .text
                .insert(fold::<UNICODE>(id).into_owned().into_boxed_str(), value),
        }
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.guids.len() + self.text.len()
    }

    /// True when there is no id.
    pub fn is_empty(&self) -> bool {
        self.guids.is_empty() && self.text.is_empty()
    }

    /// True when some id that is not a GUID has a value: looking up other text is then
    /// needed at all.
    pub fn has_text_ids(&self) -> bool {
        !self.text.is_empty()
    }

    /// Room for `n` more GUIDs.
    pub fn reserve_guids(&mut self, n: usize) {
        self.guids.reserve(n);
    }
}

/// Numbers for ids, ignoring case as [`IdMap`] does, given in the order the ids are first
/// seen: what a member list of a million rows keeps of its member ids.
///
/// A GUID costs its 16 bytes and a 4-byte slot in a table of numbers (an `IdMap<u32>`
/// would spend 32 bytes a slot on the padded pair); the rare id that is not a GUID is kept
/// lowercased for lookups and as written for messages.
#[derive(Debug, Clone, Default)]
pub struct IdNumbers<const UNICODE: bool = true> {
    /// Per number, its GUID (0 for an id that is not one).
    guids: Vec<u128>,
    /// Numbers of GUID ids, hashed by their GUID.
    table: hashbrown::HashTable<u32>,
    /// Lowercased ids that are not GUIDs, to their numbers.
    text: FxHashMap<Box<str>, u32>,
    /// Ids that are not GUIDs, as written, by number.
    written: FxHashMap<u32, Box<str>>,
}

fn guid_hash(g: u128) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(g)
}

impl<const UNICODE: bool> IdNumbers<UNICODE> {
    /// Number of ids.
    pub fn len(&self) -> usize {
        self.guids.len()
    }

    /// True when there is no id.
    pub fn is_empty(&self) -> bool {
        self.guids.is_empty()
    }

    /// True when some id is not a GUID.
    pub fn has_text_ids(&self) -> bool {
        !self.text.is_empty()
    }

    /// The number of a GUID.
    pub fn guid(&self, g: u128) -> Option<u32> {
        self.table
            .find(guid_hash(g), |&n| self.guids.get(n as usize) == Some(&g))
            .copied()
    }

    /// The number of an id.
    pub fn get(&self, id: &str) -> Option<u32> {
        match parse_guid(id) {
            Some(g) => self.guid(g),
            None if self.text.is_empty() => None,
            None => self.text.get(fold::<UNICODE>(id).as_ref()).copied(),
        }
    }

    /// The number of an id, numbering it when new (`true`). `None` when every number
    /// a `u32` holds below `limit` is taken.
    pub fn number(&mut self, id: &str, limit: u32) -> Option<(u32, bool)> {
        match parse_guid(id) {
            Some(g) => self.number_guid(g, limit),
            None => {
                let key = fold::<UNICODE>(id);
                if let Some(&n) = self.text.get(key.as_ref()) {
                    return Some((n, false));
                }
                let n = self.next(limit)?;
                self.text.insert(key.into_owned().into_boxed_str(), n);
                self.written.insert(n, id.into());
                self.guids.push(0);
                Some((n, true))
            }
        }
    }

    /// The number of a GUID, numbering it when new (`true`); `None` past `limit`.
    pub fn number_guid(&mut self, g: u128, limit: u32) -> Option<(u32, bool)> {
        let hash = guid_hash(g);
        if let Some(&n) = self
            .table
            .find(hash, |&n| self.guids.get(n as usize) == Some(&g))
        {
            return Some((n, false));
        }
        let n = self.next(limit)?;
        let guids = &self.guids;
        self.table.insert_unique(hash, n, |&m| {
            guid_hash(guids.get(m as usize).copied().unwrap_or(0))
        });
        self.guids.push(g);
        Some((n, true))
    }

    fn next(&self, limit: u32) -> Option<u32> {
        u32::try_from(self.guids.len()).ok().filter(|&n| n < limit)
    }

    /// An id by number: as written when it is not a GUID, else the GUID in its canonical
    /// lowercase form.
    pub fn id(&self, n: u32) -> Cow<'_, str> {
        if let Some(w) = self.written.get(&n) {
            return Cow::Borrowed(w);
        }
        let g = self.guids.get(n as usize).copied().unwrap_or(0);
        let h = format!("{g:032x}");
        Cow::Owned(format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        ))
    }

    /// True when id number `n` is not a GUID.
    pub fn is_text(&self, n: u32) -> bool {
        self.written.contains_key(&n)
    }

    /// Room for `n` more GUIDs, so that numbering a large file does not grow (and
    /// rehash) the table as it goes.
    pub fn reserve(&mut self, n: usize) {
        self.guids.reserve(n);
        let guids = &self.guids;
        self.table.reserve(n, |&m| {
            guid_hash(guids.get(m as usize).copied().unwrap_or(0))
        });
    }

    /// Gives back what growing left unused, once every id is numbered.
    pub fn shrink_to_fit(&mut self) {
        self.guids.shrink_to_fit();
    }
}

/// A set of ids, ignoring case (see [`IdMap`]).
pub type IdSet<const UNICODE: bool = false> = IdMap<(), UNICODE>;

impl<const UNICODE: bool> IdMap<(), UNICODE> {
    /// Adds an id.
    pub fn add(&mut self, id: &str) {
        self.get_or_insert_with(id, || ());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_ignore_case_and_nothing_else() {
        let a = "6C1D9B8E-52a1-4c55-9a0e-5a1e5a1e0001";
        assert_eq!(parse_guid(a), parse_guid(&a.to_lowercase()));
        assert!(parse_guid("6c1d9b8e52a14c559a0e5a1e5a1e0001").is_none());
        assert!(parse_guid(" 6c1d9b8e-52a1-4c55-9a0e-5a1e5a1e0001").is_none());
        assert!(parse_guid("6c1d9b8e-52a1-4c55-9a0e-5a1e5a1e000g").is_none());
        assert!(parse_guid("6c1d9b8e_52a1-4c55-9a0e-5a1e5a1e0001").is_none());
    }

    #[test]
    fn numbers_in_first_seen_order_ignoring_case() {
        let mut n: IdNumbers = IdNumbers::default();
        let a = "6C1D9B8E-52a1-4c55-9a0e-5a1e5a1e0001";
        assert_eq!(n.number(a, u32::MAX), Some((0, true)));
        assert_eq!(n.number("Kim@Contoso.com", u32::MAX), Some((1, true)));
        assert_eq!(n.number(&a.to_lowercase(), u32::MAX), Some((0, false)));
        assert_eq!(n.number("kim@contoso.COM", u32::MAX), Some((1, false)));
        assert_eq!(n.get("6c1d9b8e-52a1-4c55-9A0E-5a1e5a1e0001"), Some(0));
        assert_eq!(n.get("KIM@contoso.com"), Some(1));
        assert_eq!(n.get("nobody"), None);
        assert_eq!(n.id(0), "6c1d9b8e-52a1-4c55-9a0e-5a1e5a1e0001");
        assert_eq!(n.id(1), "Kim@Contoso.com");
        assert!(n.is_text(1) && !n.is_text(0));
        assert_eq!(n.number("other", 2), None, "the limit is kept");
        let many: Vec<u32> = (0..10_000u128)
            .map(|i| n.number_guid(i * 7919 + 3, u32::MAX).unwrap().0)
            .collect();
        assert_eq!(many.first(), Some(&2));
        assert!((0..10_000u128).all(|i| n.guid(i * 7919 + 3) == Some(i as u32 + 2)));
    }

    #[test]
    fn map_ignores_case_of_guids_and_text() {
        let mut m: IdMap<u32> = IdMap::default();
        m.insert("6C1D9B8E-52a1-4c55-9a0e-5a1e5a1e0001", 1);
        m.insert("Kim@Contoso.com", 2);
        assert_eq!(m.get("6c1d9b8e-52A1-4c55-9a0e-5a1e5a1e0001"), Some(&1));
        assert_eq!(m.get("kim@contoso.COM"), Some(&2));
        assert_eq!(m.get("kim@contoso.de"), None);
        assert_eq!(m.len(), 2);
        let mut u: IdMap<u32, true> = IdMap::default();
        *u.get_or_insert_with("ÉLODIE", || 0) += 1;
        *u.get_or_insert_with("élodie", || 0) += 1;
        assert_eq!(u.get("Élodie"), Some(&2));
        let mut a: IdMap<u32> = IdMap::default();
        a.insert("ÉLODIE", 1);
        // ASCII folding only: `É` is not `é`.
        assert_eq!(a.get("élodie"), None);
    }
}
