//! Reading user values the way Entra's .NET service does (S4 Booleans, S18 integers).
//!
//! Exports render the same value differently (`True` in CSV, `true` in Graph JSON), and
//! Entra's service is .NET: `Boolean.Parse` ignores case and surrounding white space, and
//! `Int64.Parse` takes an optional sign, leading zeros and surrounding white space. These
//! functions are that behaviour, byte for byte, without allocating. The calendar (days
//! to and from a date) is here too, shared by attribute-mapping dates and log timestamps.

/// .NET white space for `Int64.Parse`/`Boolean.Parse` trimming: U+0009..U+000D, U+0020,
/// and (for Boolean.Parse) U+0000.
fn is_dotnet_ws(c: char) -> bool {
    matches!(c, '\u{9}'..='\u{d}' | ' ' | '\u{0}' | '\u{85}' | '\u{a0}')
        || (c as u32 > 0x7f && c.is_whitespace())
}

/// S4: `true`/`false` in any letter case with surrounding white space ignored; anything
/// else is neither (`None`).
#[inline]
pub fn parse_bool(s: &str) -> Option<bool> {
    // The spellings exports actually use, without trimming.
    match s {
        "True" | "true" | "TRUE" => return Some(true),
        "False" | "false" | "FALSE" => return Some(false),
        _ => {}
    }
    let t = s.trim_matches(is_dotnet_ws);
    if t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// S18: a signed 64-bit decimal integer: optional `+`/`-`, ASCII digits (leading zeros
/// allowed), surrounding white space ignored; overflow and anything else is `None`.
#[inline]
pub fn parse_int(s: &str) -> Option<i64> {
    let ws = |b: u8| matches!(b, b'\t'..=b'\r' | b' ');
    let bytes = s.as_bytes();
    let t = if bytes.first().is_some_and(|&b| ws(b)) || bytes.last().is_some_and(|&b| ws(b)) {
        s.trim_matches(|c: char| matches!(c, '\u{9}'..='\u{d}' | ' '))
    } else {
        s
    };
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: i64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        let d = i64::from(b - b'0');
        v = v.checked_mul(10)?;
        v = if neg {
            v.checked_sub(d)?
        } else {
            v.checked_add(d)?
        };
    }
    Some(v)
}

/// Ordinal substring test (.NET `String.Contains(string)`), fast on short values: find
/// the needle's first byte with memchr and compare from there.
#[inline]
pub fn contains(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = n.split_first() else {
        return true;
    };
    if h.len() < n.len() {
        return false;
    }
    let last_start = h.len() - n.len();
    let mut i = 0;
    while i <= last_start {
        match memchr::memchr(first, &h[i..=last_start]) {
            Some(p) => {
                let at = i + p;
                if &h[at + 1..at + n.len()] == rest {
                    return true;
                }
                i = at + 1;
            }
            None => return false,
        }
    }
    false
}

/// The text Entra's service shows for a Boolean attribute (`True`/`False`, G-POD), used
/// when a string operator tests a Boolean attribute; other text is returned unchanged.
#[inline]
pub fn boolean_rendering(s: &str) -> &str {
    match parse_bool(s) {
        Some(true) => "True",
        Some(false) => "False",
        None => s,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm): the
/// one calendar both the mapping functions' dates and the provisioning logs' timestamps
/// are computed with.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `(year, month, day)` of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s4_booleans_ignore_case_and_surrounding_white_space() {
        for t in ["true", "True", "TRUE", " true ", "\ttRuE\n"] {
            assert_eq!(parse_bool(t), Some(true), "{t:?}");
        }
        for f in ["false", "False", "FALSE", " false"] {
            assert_eq!(parse_bool(f), Some(false), "{f:?}");
        }
        for n in ["", "yes", "1", "0", "t", "tru e", "truee"] {
            assert_eq!(parse_bool(n), None, "{n:?}");
        }
    }

    #[test]
    fn s18_integers_read_like_int64_parse() {
        assert_eq!(parse_int("100"), Some(100));
        assert_eq!(parse_int("007"), Some(7));
        assert_eq!(parse_int(" 42 "), Some(42));
        assert_eq!(parse_int("-5"), Some(-5));
        assert_eq!(parse_int("+5"), Some(5));
        assert_eq!(parse_int("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_int("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_int("9223372036854775808"), None);
        for bad in ["", "-", "1.5", "1e3", "n/a", "1 000", "0x10", "١٢"] {
            assert_eq!(parse_int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn contains_is_an_ordinal_substring_test() {
        for (h, n) in [
            ("Sales Manager", "Manager"),
            ("Manager", "Manager"),
            ("Manage", "Manager"),
            ("", ""),
            ("x", ""),
            ("", "x"),
            ("aab", "ab"),
            ("éclair", "clair"),
            ("abcabd", "abd"),
            ("ab", "b"),
        ] {
            assert_eq!(contains(h, n), h.contains(n), "{h:?} {n:?}");
        }
    }

    #[test]
    fn boolean_rendering_is_dotnet_tostring() {
        assert_eq!(boolean_rendering("true"), "True");
        assert_eq!(boolean_rendering("FALSE"), "False");
        assert_eq!(boolean_rendering("maybe"), "maybe");
    }
}
