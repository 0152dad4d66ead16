//! S34: .NET strings are UTF-16, so a character outside the basic multilingual plane
//! is two units for `.`, negated classes, `\W`, `\S`, `\D`, `\P{..}`, counted
//! quantifiers and class membership; anchors are unaffected.

use super::*;
use crate::regex::matcher::to_units;

#[test]
fn s34_dot_counts_utf16_units() {
    assert!(!m("^.$", "😀"));
    assert!(m("^.{2}$", "😀"));
    assert!(m("^.{3}$", "a😀"));
    assert!(m("^.{4}$", "😀𝐀"));
    assert!(m("(?s)^.{4}$", "😀😀"));
    assert!(!m("^.{3}$", "😀😀"));
    assert!(m(r"^(.)\1$", "aa"));
    assert!(!m(r"^(.)\1$", "😀"), "the two halves differ");
}

#[test]
fn s34_negated_classes_and_escapes_count_units() {
    for p in [
        r"^[^a]{2}$",
        r"^\W{2}$",
        r"^\S{2}$",
        r"^\D{2}$",
        r"^\P{L}{2}$",
        r"^\P{Co}{2}$",
    ] {
        assert!(m(p, "😀"), "{p}");
        assert!(m(p, "𝐀"), "{p}: a supplementary letter is two non-letters");
    }
    for p in [r"^[^a]$", r"^\W$", r"^\S$", r"^\P{L}$"] {
        assert!(!m(p, "😀"), "{p}");
    }
    assert!(!m(r"\w", "𝐀"));
    assert!(!m(r"\d", "𝟎"), "a supplementary digit is no digit to .NET");
    assert!(!m(r"\p{L}", "𝐀"));
}

#[test]
fn s34_quantifiers_after_a_supplementary_character_repeat_its_second_half() {
    assert!(m("^😀+$", "😀"));
    assert!(!m("^😀+$", "😀😀"), "`+` repeats the low surrogate only");
    assert!(m("^(?:😀)+$", "😀😀"));
    assert!(m(r"^\😀+$", "😀"));
    assert!(m(r"^\uD83D\uDE00$", "😀"));
}

#[test]
fn s34_surrogate_escapes_match_one_half() {
    assert!(m(r"\uD83D", "😀"));
    assert!(m(r"\uD83D", "😁"));
    assert!(!m(r"^\uDE00", "😀"));
    assert!(m(r"\uDE00$", "😀"));
    assert!(m(r"[\uD800-\uDBFF]", "a😀"));
    assert!(!m(r"[\uD800-\uDBFF]", "abc"));
    assert!(m(r"(?<=\uDE00)a", "😀a"));
}

#[test]
fn s34_classes_hold_units() {
    assert!(!m("^[a😀]$", "😀"));
    assert!(m("^[a😀]{2}$", "😀"));
    assert!(m(r"^[\u0000-\uFFFF]{2}$", "😀"));
    assert!(!m(r"^[\u0000-\uFFFF]$", "😀"));
    assert!(!m(r"[^\u0000-\uFFFF]", "😀"));
    // `[😀-😁]` is D83D, then the range DE00-D83D: reversed, as .NET says
    let e = err("[😀-😁]");
    assert!(e.message.contains("reverse order"), "{}", e.message);
    assert_eq!(e.span, 1..10);
}

#[test]
fn s34_surrogate_blocks_and_category() {
    assert!(m(r"^\p{Cs}{2}$", "😀"));
    assert!(!m(r"\p{Cs}", "abc"));
    assert!(m(r"^\P{Cs}$", "a"));
    assert!(!m(r"^\P{Cs}$", "😀"));
    assert!(m(r"^\p{C}{2}$", "😀"));
    assert!(m(r"^\p{IsHighSurrogates}\p{IsLowSurrogates}$", "😀"));
    assert!(m(
        r"^\p{IsHighPrivateUseSurrogates}\p{IsLowSurrogates}$",
        "\u{F0000}"
    ));
    // a private-use character of plane 15 is a surrogate pair, not private use
    assert!(!m(r"\p{Co}", "\u{F0000}"));
    assert!(m(r"\p{Co}", "\u{E000}"));
    assert!(m(r"^\uDB80\uDC00$", "\u{F0000}"));
}

#[test]
fn s34_anchors_and_boundaries_are_unaffected() {
    assert!(m("^😀$", "😀"));
    assert!(m("^😀$", "😀\n"));
    assert!(m("(?m)^b", "😀\nb"));
    assert!(
        m(r"a\b", "a𝐀"),
        "the halves of a supplementary letter are no word characters"
    );
    assert!(m(r"\b", "𝐀a"));
    assert!(!m(r"^\b", "𝐀"));
}

#[test]
fn s34_values_are_converted_only_when_the_pattern_can_see_a_half() {
    for p in [
        r"^\d{3}$",
        r"@contoso\.com$",
        "^[a-z]+$",
        r"^\w+$",
        r"\p{L}",
        r"^\p{IsGreek}",
    ] {
        let t = translate(p, Anchoring::Partial).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(!t.utf16_units, "{p}: {}", t.rust_pattern);
    }
    for p in [
        ".", "[^x]", r"\W", r"\S", r"\D", r"\P{L}", r"\b", "😀", r"\uD83D", r"\p{Cs}",
    ] {
        let t = translate(p, Anchoring::Partial).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(t.utf16_units, "{p}: {}", t.rust_pattern);
    }
    // unconverted values still get .NET's answer
    assert!(!m(r"^\d+$", "1😀"));
    assert!(m("[a-z]", "😀a"));
    assert!(!m(r"^\w+$", "a𝐀"));
}

#[test]
fn s34_every_supplementary_character_is_two_units() {
    let two = re("^..$");
    let high_low = re(r"^[\uD800-\uDBFF][\uDC00-\uDFFF]$");
    for c in (0x10000..=0x10FFFFu32)
        .step_by(97)
        .filter_map(char::from_u32)
    {
        let s = c.to_string();
        assert_eq!(two.is_match(&s), Ok(true), "U+{:X}", u32::from(c));
        assert_eq!(high_low.is_match(&s), Ok(true), "U+{:X}", u32::from(c));
        let mut units = String::new();
        to_units(&s, &mut units);
        assert_eq!(units.chars().count(), 2);
        assert!(
            units
                .chars()
                .all(|u| (0xF0000..0xF0800).contains(&u32::from(u)))
        );
    }
}

#[test]
fn s34_case_folding_keeps_the_basic_plane_closed() {
    // Classes are restricted to the BMP so unconverted values need no rewrite; under
    // `i` that is only sound if no BMP character folds to a supplementary one.
    let Ok(folded) = regex::Regex::new(r"(?i)[\x{0}-\x{FFFF}]") else {
        panic!("compiles");
    };
    let supplementary: String = (0x10000..=0x10FFFFu32).filter_map(char::from_u32).collect();
    assert_eq!(
        folded.find(&supplementary).map(|m| m.as_str().to_owned()),
        None
    );
}
