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
        match parse_guid(id) {
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
