//! `NormalizeDiacritics`: the explicit table ED-FUNC documents, applied as written.
//!
//! Entra does not document a Unicode decomposition (NFD plus mark removal) but a table of
//! characters and what each becomes, including sequences of a base letter and combining
//! marks (`ā́` is `ā` followed by U+0301) and letters that are not decompositions at all
//! (`ø` → `oe`, `ł` → `l`, `ß` → `ss`, `ı` → `i`). This module is that table, copied from
//! the documentation row by row, matched longest sequence first. A character the table
//! does not list is kept, even when it carries a mark (`ŵ`, `œ` without macron): that is
//! what "the documented table" says, and scopesim does not guess beyond it [decision].
//! Decomposed input (`e` followed by U+0308) matches only where the table lists that
//! sequence.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The documented rows: the characters, separated by `, `, and what they become.
const ROWS: &[(&str, &str)] = &[
    ("ä, à, â, ã, å, á, ą, ă, ā, ā́, ā̀, ā̂, ā̃, ǟ, ā̈, ǡ, a̱, å̄", "a"),
    ("Ä, À, Â, Ã, Å, Á, Ą, Ă, Ā, Ā́, Ā̀, Ā̂, Ā̃, Ǟ, Ā̈, Ǡ, A̱, Å̄", "A"),
    ("æ, ǣ", "ae"),
    ("Æ, Ǣ", "AE"),
    ("ç, č, ć, c̄, c̱", "c"),
    ("Ç, Č, Ć, C̄, C̱", "C"),
    ("ď, d̄, ḏ", "d"),
    ("Ď, D̄, Ḏ", "D"),
    ("ë, è, é, ê, ę, ě, ė, ē, ḗ, ḕ, ē̂, ē̃, ê̄, e̱, ë̄, e̊̄", "e"),
    ("Ë, È, É, Ê, Ę, Ě, Ė, Ē, Ḗ, Ḕ, Ē̂, Ē̃, Ê̄, E̱, Ë̄, E̊̄", "E"),
    ("ğ, ḡ, g̱", "g"),
    ("Ğ, Ḡ, G̱", "G"),
    ("ï, î, ì, í, ı, ī, ī́, ī̀, ī̂, ī̃, i̱", "i"),
    ("Ï, Î, Ì, Í, İ, Ī, Ī́, Ī̀, Ī̂, Ī̃, I̱", "I"),
    ("ľ, ł, l̄, ḹ, ḻ", "l"),
    ("Ł, Ľ, L̄, Ḹ, Ḻ", "L"),
    ("ñ, ń, ň, n̄, ṉ", "n"),
    ("Ñ, Ń, Ň, N̄, Ṉ", "N"),
    ("ö, ò, ő, õ, ô, ó, ō, ṓ, ṑ, ō̂, ō̃, ȫ, ō̈, ǭ, ȭ, ȱ, o̱", "o"),
    ("Ö, Ò, Ő, Õ, Ô, Ó, Ō, Ṓ, Ṑ, Ō̂, Ō̃, Ȫ, Ō̈, Ǭ, Ȭ, Ȱ, O̱", "O"),
    ("ø, ø̄, œ̄", "oe"),
    ("Ø, Ø̄, Œ̄", "OE"),
    ("ř, r̄, ṟ, ṝ", "r"),
    ("Ř, R̄, Ṟ, Ṝ", "R"),
    ("ß", "ss"),
    ("š, ś, ș, ş, s̄, s̱", "s"),
    ("Š, Ś, Ș, Ş, S̄, S̱", "S"),
    ("ť, ț, t̄, ṯ", "t"),
    ("Ť, Ț, T̄, Ṯ", "T"),
    ("ü, ù, û, ú, ů, ű, ū, ū́, ū̀, ū̂, ū̃, u̇̄, ǖ, ṻ, ṳ̄, u̱", "u"),
    ("Ü, Ù, Û, Ú, Ů, Ű, Ū, Ū́, Ū̀, Ū̂, Ū̃, U̇̄, Ǖ, Ṻ, Ṳ̄, U̱", "U"),
    ("ÿ, ý, ȳ, ȳ́, ȳ̀, ȳ̃, y̱", "y"),
    ("Ÿ, Ý, Ȳ, Ȳ́, Ȳ̀, Ȳ̃, Y̱", "Y"),
    ("ź, ž, ż, z̄, ẕ", "z"),
    ("Ź, Ž, Ż, Z̄, Ẕ", "Z"),
];

struct Table {
    map: HashMap<&'static str, &'static str>,
    /// Longest entry, in characters.
    longest: usize,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = HashMap::new();
        let mut longest = 1;
        for (chars, to) in ROWS {
            for from in chars.split(", ") {
                longest = longest.max(from.chars().count());
                map.insert(from, *to);
            }
        }
        Table { map, longest }
    })
}

/// Replaces every documented sequence, longest match first.
pub fn normalize(s: &str) -> String {
    let t = table();
    let bounds: Vec<usize> = s
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .collect();
    let mut out = String::with_capacity(s.len());
    let mut k = 0;
    while k + 1 < bounds.len() {
        let mut taken = false;
        for n in (1..=t.longest.min(bounds.len() - 1 - k)).rev() {
            let piece = &s[bounds[k]..bounds[k + n]];
            if let Some(to) = t.map.get(piece) {
                out.push_str(to);
                k += n;
                taken = true;
                break;
            }
        }
        if !taken {
            out.push_str(&s[bounds[k]..bounds[k + 1]]);
            k += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_its_combining_sequences() {
        // `ā́` is U+0101 U+0301: the table keeps the documented sequences as sequences.
        assert!(table().map.contains_key("\u{101}\u{301}"));
        assert!(table().map.contains_key("\u{101}"));
        assert!(table().longest >= 3, "e̊̄ is three characters");
        // Every row's entries map to the row's target.
        assert_eq!(table().map.get("ł"), Some(&"l"));
        assert_eq!(table().map.get("ß"), Some(&"ss"));
    }

    #[test]
    fn longest_match_takes_the_marks_with_the_letter() {
        assert_eq!(normalize("\u{101}\u{301}x"), "ax");
        assert_eq!(normalize("Zoë"), "Zoe");
        assert_eq!(normalize("Jéssica Øster Straße"), "Jessica OEster Strasse");
        // Not in the table: kept.
        assert_eq!(normalize("ŵœ"), "ŵœ");
        // Decomposed ë (e + U+0308) is not a documented sequence.
        assert_eq!(normalize("e\u{308}"), "e\u{308}");
    }
}
