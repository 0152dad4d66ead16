//! The string functions' .NET semantics: UTF-16 positions, invariant and Turkish casing,
//! `TextInfo.ToTitleCase`, Visual Basic's `InStr`, `Left`, `Mid` and `Word`.
//!
//! Positions and lengths count UTF-16 units (S34). Where a cut would fall between the two
//! halves of a character outside the basic multilingual plane, .NET would return half a
//! character; Rust text cannot, so that is an error naming the function, never a
//! silently different result.

use super::value::{HalfPair, byte_to_utf16, utf16_len, utf16_slice, utf16_to_byte};
use std::sync::OnceLock;

/// `Convert.ToBase64String(Encoding.Unicode.GetBytes(s))`: base64 of UTF-16LE.
pub fn base64_utf16le(s: &str) -> String {
    let bytes: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
    base64(&bytes)
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(A[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Upper-case hex of the UTF-8 bytes.
pub fn utf8_hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02X}")).collect()
}

/// Visual Basic `InStr(start, hay, needle, compare)`: the 1-based UTF-16 position of the
/// first occurrence at or after `start`, or 0. An empty needle gives `start` (when it is
/// inside the text). Text compare ignores letter case (invariant simple case folding).
pub fn instr(hay: &str, needle: &str, start: usize, text_compare: bool) -> usize {
    let len = utf16_len(hay);
    if start > len + 1 || (start > len && !needle.is_empty()) {
        return 0;
    }
    if needle.is_empty() {
        return start;
    }
    let Ok(from) = utf16_to_byte(hay, start - 1) else {
        return 0;
    };
    let (h, n) = if text_compare {
        (fold(&hay[from..]), fold(needle))
    } else {
        (hay[from..].to_owned(), needle.to_owned())
    };
    match h.find(&n) {
        // Case folding here keeps the number of UTF-16 units per character, so the
        // offset in the folded text maps back one to one.
        Some(at) => start + byte_to_utf16(&h, at),
        None => 0,
    }
}

/// Simple (one character to one character) lower-casing, as the invariant culture does.
fn fold(s: &str) -> String {
    s.chars().map(|c| simple_lower(c, false)).collect()
}

/// `Left(s, n)` (ED-FUNC: 0 gives "", a negative count the whole string, a short string
/// itself).
pub fn left(s: &str, n: i64) -> Result<String, String> {
    if n < 0 {
        return Ok(s.to_owned());
    }
    utf16_slice(s, 0, n as usize)
        .map(str::to_owned)
        .map_err(|HalfPair| "`Left` would cut a character outside the basic multilingual plane in half (.NET counts UTF-16 units)".to_owned())
}

/// `Mid(s, start, length)`: 1-based; a length past the end stops at the end (ED-FUNC).
/// [decision] A start past the end gives "" (Visual Basic); a start below 1 or a negative
/// length is an error, as in Visual Basic.
pub fn mid(s: &str, start: i64, len: i64) -> Result<String, String> {
    if start < 1 {
        return Err(format!(
            "`Mid`'s start counts from 1, so {start} is not a position"
        ));
    }
    if len < 0 {
        return Err(format!("`Mid`'s length cannot be negative ({len})"));
    }
    utf16_slice(s, start as usize - 1, len as usize)
        .map(str::to_owned)
        .map_err(|HalfPair| "`Mid` would cut a character outside the basic multilingual plane in half (.NET counts UTF-16 units)".to_owned())
}

/// `Word(s, n, delimiters)`: the n-th word, words being the non-empty runs between any of
/// the delimiter characters (ED-FUNC; [decision] consecutive delimiters make no empty
/// word). Below 1, or fewer words, gives "".
pub fn word(s: &str, n: i64, delimiters: &str) -> String {
    if n < 1 {
        return String::new();
    }
    s.split(|c| delimiters.contains(c))
        .filter(|w| !w.is_empty())
        .nth(n as usize - 1)
        .unwrap_or("")
        .to_owned()
}

/// For `ToLower`/`ToUpper`'s culture argument: `Some(true)` for Turkish and Azeri (whose
/// dotted and dotless i differ, the one casing difference .NET's cultures make), `Some(false)`
/// for any other well-formed RFC 4646 name, `None` for a malformed one. [decision] Only
/// the shape is checked: scopesim has no list of the cultures Entra's servers install.
pub fn culture_is_turkic(name: &str) -> Option<bool> {
    let mut parts = name.split(['-', '_']);
    let lang = parts.next()?;
    if !(2..=3).contains(&lang.len()) || !lang.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    for p in parts {
        if p.is_empty() || p.len() > 8 || !p.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
    }
    Some(matches!(lang.to_ascii_lowercase().as_str(), "tr" | "az"))
}

/// One character lower-cased as .NET does it: the simple mapping (never longer), with
/// Turkish `I` → `ı` and `İ` → `i` when asked.
fn simple_lower(c: char, turkish: bool) -> char {
    match c {
        'I' if turkish => 'ı',
        '\u{130}' => {
            if turkish {
                'i'
            } else {
                // The invariant culture's simple mapping of İ is i.
                'i'
            }
        }
        _ => {
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(x), None) => x,
                _ => c,
            }
        }
    }
}

/// One character upper-cased with the simple mapping (`ß` stays `ß`, as in .NET).
fn simple_upper(c: char, turkish: bool) -> char {
    match c {
        'i' if turkish => '\u{130}',
        'ı' => 'I',
        // Greek letters with ypogegrammeni: the simple mapping is the prosgegrammeni form.
        '\u{1F80}'..='\u{1F87}' | '\u{1F90}'..='\u{1F97}' | '\u{1FA0}'..='\u{1FA7}' => {
            char::from_u32(c as u32 + 8).unwrap_or(c)
        }
        '\u{1FB3}' => '\u{1FBC}',
        '\u{1FC3}' => '\u{1FCC}',
        '\u{1FF3}' => '\u{1FFC}',
        _ => {
            let mut u = c.to_uppercase();
            match (u.next(), u.next()) {
                (Some(x), None) => x,
                _ => c,
            }
        }
    }
}

/// `ToLower(s, culture)`.
pub fn to_lower(s: &str, turkish: bool) -> String {
    s.chars().map(|c| simple_lower(c, turkish)).collect()
}

/// `ToUpper(s, culture)`.
pub fn to_upper(s: &str, turkish: bool) -> String {
    s.chars().map(|c| simple_upper(c, turkish)).collect()
}

/// Unicode general categories .NET's `ToTitleCase` cares about.
struct Categories {
    letter: regex::Regex,
    separator: regex::Regex,
}

fn categories() -> Option<&'static Categories> {
    static C: OnceLock<Option<Categories>> = OnceLock::new();
    C.get_or_init(|| {
        Some(Categories {
            letter: regex::Regex::new(r"^\p{L}$").ok()?,
            // .NET's word-separator mask: Zs Zl Zp Cc Cf Pc Pd Ps Pe Pi Pf Po Sm Sc Sk So.
            separator: regex::Regex::new(
                r"^[\p{Zs}\p{Zl}\p{Zp}\p{Cc}\p{Cf}\p{Pc}\p{Pd}\p{Ps}\p{Pe}\p{Pi}\p{Pf}\p{Po}\p{Sm}\p{Sc}\p{Sk}\p{So}]$",
            )
            .ok()?,
        })
    })
    .as_ref()
}

fn is(re: &regex::Regex, c: char) -> bool {
    let mut buf = [0u8; 4];
    re.is_match(c.encode_utf8(&mut buf))
}

/// The title-case form of a word's first letter (.NET's `AddTitlecaseLetter`: the four
/// digraph letters have title forms; others are upper-cased).
fn titlecase(c: char) -> char {
    match c {
        '\u{1C4}'..='\u{1C6}' => '\u{1C5}',
        '\u{1C7}'..='\u{1C9}' => '\u{1C8}',
        '\u{1CA}'..='\u{1CC}' => '\u{1CB}',
        '\u{1F1}'..='\u{1F3}' => '\u{1F2}',
        _ => simple_upper(c, false),
    }
}

/// `PCase(source)`: .NET `TextInfo.ToTitleCase` of the lower-cased source.
///
/// ED-FUNC says the first character of each word is upper-cased and *all others* are
/// lower-cased, and its example turns `PABLO GONSALVES (SECOND)` into
/// `Pablo Gonsalves (Second)`; `ToTitleCase` alone leaves all-capital words (acronyms)
/// alone, so the service must lower-case first [inferred]. The word rules are
/// `ToTitleCase`'s: a word starts at a letter; letters, marks, digits and an apostrophe
/// continue it (after `'` the letters stay lower: `o'neil` → `O'neil`); the categories
/// ED-FUNC lists (space, control, format, punctuation, symbols) end it. A digit does not
/// start a word, so `3rd` → `3Rd`, as .NET does.
pub fn pcase(s: &str) -> String {
    let lower = to_lower(s, false);
    let Some(cat) = categories() else {
        return lower;
    };
    let chars: Vec<char> = lower.chars().collect();
    let mut out = String::with_capacity(lower.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if !is(&cat.letter, c) {
            out.push(c);
            i += 1;
            continue;
        }
        out.push(titlecase(c));
        i += 1;
        while let Some(&d) = chars.get(i) {
            if is(&cat.letter, d) || d == '\'' || !is(&cat.separator, d) {
                out.push(d);
                i += 1;
            } else {
                break;
            }
        }
    }
    out
}

/// `PCase(source, wordSeparators)`: only the given characters separate words; the first
/// character of each word is upper-cased and the rest lower-cased (ED-FUNC).
pub fn pcase_with(s: &str, separators: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if separators.contains(c) {
            out.push(c);
            start = true;
        } else if start {
            out.push(titlecase(c));
            start = false;
        } else {
            out.push(simple_lower(c, false));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
    }

    #[test]
    fn title_case_follows_dotnet_word_rules() {
        assert_eq!(pcase("o'neil mcdonald-smith"), "O'neil Mcdonald-Smith");
        assert_eq!(pcase("3rd floor"), "3Rd Floor");
        assert_eq!(pcase("ǆemal"), "ǅemal");
        assert_eq!(pcase("hello_world"), "Hello_World");
    }

    #[test]
    fn casing_is_simple_and_turkish_when_asked() {
        assert_eq!(to_upper("straße", false), "STRAßE");
        assert_eq!(to_upper("istanbul", true), "İSTANBUL");
        assert_eq!(to_lower("ISTANBUL", true), "ıstanbul");
        assert_eq!(to_lower("İ", false), "i");
        assert_eq!(culture_is_turkic("tr-TR"), Some(true));
        assert_eq!(culture_is_turkic("en-US"), Some(false));
        assert_eq!(culture_is_turkic("english"), None);
    }

    #[test]
    fn s34_instr_counts_utf16_units() {
        assert_eq!(instr("😀ab", "b", 1, false), 4);
        assert_eq!(instr("abc", "", 2, false), 2);
        assert_eq!(instr("abc", "x", 1, false), 0);
        assert_eq!(instr("abc", "c", 4, false), 0);
    }
}
