//! S19: the .NET constructs that are translated rather than refused: class
//! subtraction, named blocks, `\G`, conditionals, duplicate group names, quantified
//! look-arounds, large counted repetitions, .NET's word class and boundaries, and the
//! few patterns that cannot be simulated (refused with a span and the reason).

use super::*;
use crate::regex::tables::BLOCKS;

#[test]
fn s19_class_subtraction_removes_the_subtracted_class() {
    let p = "^[a-z-[aeiou]]+$";
    assert!(m(p, "bcd"));
    assert!(!m(p, "bad"));
    assert!(!m(p, "B"));
    assert_eq!(rust("[a-z-[aeiou]]"), "[[a-z]--[aeiou]]");
    // nested: a-z minus (d-f minus e)
    assert!(m("^[a-z-[d-f-[e]]]$", "e"));
    assert!(!m("^[a-z-[d-f-[e]]]$", "d"));
    // the negation applies to the base, before the subtraction
    assert!(!m("^[^a-z-[aeiou]]$", "a"));
    assert!(m("^[^a-z-[aeiou]]$", "1"));
    // a negated subtracted class keeps only what it lists
    assert!(m("^[a-z-[^aeiou]]$", "a"));
    assert!(!m("^[a-z-[^aeiou]]$", "b"));
    // after a single character, and with escapes and categories
    assert!(m("^[a-[b]]$", "a"));
    assert!(!m("^[a-[b]]$", "-"));
    assert!(m(r"^[\d-[5]]$", "١"));
    assert!(!m(r"^[\d-[5]]$", "5"));
    assert!(m(r"^[\p{L}-[a-z]]$", "é"));
    assert!(!m(r"^[\p{L}-[a-z]]$", "q"));
    // case-insensitive: both sides fold
    assert!(!m("(?i)^[a-z-[A]]$", "a"));
    assert!(m("(?i)^[a-z-[A]]$", "B"));
    // `-[` first in a class is no subtraction
    assert!(m("^[-[a]]$", "-]"));
    assert!(!m("^[-[a]]$", "-"));
}

#[test]
fn s19_class_subtraction_must_be_last() {
    let e = err("[a-c-[b]x]");
    assert_eq!(
        e.message,
        "a subtraction must be the last element in a character class"
    );
    assert_eq!(e.span, 5..9);
    let deep = "[a".to_owned() + &"-[a".repeat(150) + &"]".repeat(151);
    assert!(err(&deep).message.contains("nested"));
}

#[test]
fn s19_named_blocks_are_their_ranges() {
    let unit = |u: u32| char::from_u32(u).map(String::from);
    for &(name, first, end) in BLOCKS {
        let last = end - 1;
        let (Some(first_char), Some(last_char)) = (unit(first), unit(last)) else {
            continue; // the surrogate blocks: see s34_surrogate_blocks_and_category
        };
        let inside = re(&format!(r"^\p{{{name}}}$"));
        let outside = re(&format!(r"^\P{{{name}}}$"));
        let in_class = re(&format!(r"^[x\p{{{name}}}]$"));
        for c in [&first_char, &last_char] {
            assert_eq!(inside.is_match(c), Ok(true), "{name} U+{first:04X}");
            assert_eq!(outside.is_match(c), Ok(false), "{name}");
            assert_eq!(in_class.is_match(c), Ok(true), "{name}");
        }
        if let Some(before) = first.checked_sub(1).and_then(unit) {
            assert_eq!(inside.is_match(&before), Ok(false), "{name} before");
            assert_eq!(outside.is_match(&before), Ok(true), "{name} before");
        }
        assert_eq!(outside.is_match("😀"), Ok(false), "{name}: 😀 is two units");
        assert_eq!(
            re(&format!(r"^\P{{{name}}}{{2}}$")).is_match("😀"),
            Ok(true)
        );
    }
    assert_eq!(rust(r"\p{IsGreek}"), r"[\x{370}-\x{3FF}]");
    assert!(m(r"^\p{IsBasicLatin}+$", "Sales"));
    assert!(!m(r"^\p{IsBasicLatin}+$", "Ventes é"));
    assert!(m(r"^[^\P{IsCyrillic}]$", "ж"));
    assert!(
        err(r"\p{IsKlingon}")
            .message
            .contains("unknown unicode category")
    );
    assert!(err(r"\p{_xmlW}").message.contains("cannot be simulated"));
}

#[test]
fn s19_contiguity_anchor_is_the_start_of_the_value() {
    // `IsMatch` scans from the start, and `\G` stays there during the scan.
    assert!(m(r"\Ga", "a"));
    assert!(!m(r"\Ga", "ba"));
    assert!(!m(r"x\Ga", "xa"));
    assert!(m(r"(?:a|\Gb)c", "bc"));
    assert!(!m(r"(?:a|\Gb)c", "xbc"));
    assert_eq!(rust(r"\Gb"), r"\Ab");
    assert_eq!(engine(r"\Gb"), Engine::Linear);
}

#[test]
fn s19_conditionals_on_groups() {
    let p = "^(x)?(?(1)a|b)$";
    assert!(m(p, "xa"));
    assert!(m(p, "b"));
    assert!(!m(p, "a"));
    assert!(!m(p, "xb"));
    assert!(m("^(?<n>x)?(?(n)a|b)$", "xa"));
    assert!(!m("^(?<n>x)?(?(n)a|b)$", "a"));
    assert_eq!(engine(p), Engine::Backtracking);
    // a missing `no` is empty (.NET 7+; .NET Framework's prefix search differs)
    assert!(m("(x)?(?(1)a)", "b"));
    assert!(!m("^(x)?(?(1)a)$", "x"));
    // group 0 is never set while matching
    assert!(m("(?(0)x|y)", "y"));
    assert!(!m("^(?(0)x|y)$", "x"));
    // a name used twice: any of its groups
    let p = "^(?<x>a)?(?<x>b)?(?(x)c|d)$";
    for (v, want) in [
        ("ac", true),
        ("bc", true),
        ("abc", true),
        ("d", true),
        ("c", false),
    ] {
        assert_eq!(m(p, v), want, "{v}");
    }
    let e = err("(?(2)a)(b)");
    assert_eq!(
        e.message,
        "conditional refers to undefined group number `2`"
    );
    assert_eq!(e.span, 0..5);
    assert!(err("(?(1x)a)(b)").message.contains("malformed"));
}

#[test]
fn s19_conditionals_on_expressions() {
    // the condition is a zero-width look-ahead; `no` is not tried when it holds
    assert!(!m("(?(a)b|c)", "ab"));
    assert!(m("(?(a)b|c)", "ac"));
    assert!(m("^(?(?=x)xy|z)", "xy"));
    assert!(!m("^(?(?=x)xy|z)", "x"));
    assert!(!m("(?(?=x)xz|x)", "xy"));
    assert!(m("^(?(?!a)b|c)", "b"));
    assert!(m("x(?(?<=x)b|c)", "xb"));
    assert!(!m("x(?(?<=x)b|c)", "xc"));
    assert!(m(r"^(?(\d)\d{2}|[a-z]{2})$", "12"));
    assert!(!m(r"^(?(\d)\d{2}|[a-z]{2})$", "1a"));
    // a name that is no group is an expression
    assert!(m("^(?(x)a)$", ""));
    assert!(!m("^(?(x)a)$", "x"));
    // .NET's quirk: after `(?(?=...)`, the next plain group is numbered but does not
    // capture, so a backreference to it never matches
    assert!(!m(r"(?(?=x)x|y)(a)\1", "xaa"));
    assert!(m(r"(?(x)x|y)(a)\1", "xaa"));
    assert!(m(r"(?(?=x)x|y)(?<n>a)\k<n>", "xaa"));
}

#[test]
fn s19_conditional_syntax_errors_follow_dotnet() {
    assert_eq!(err_text("(?(1)a|b|c)(x)"), "(?(1)a|b|c)");
    assert!(err("(?(?#c)a)").message.contains("comment"));
    assert!(err("(?(?<n>a)b)").message.contains("named group"));
    assert!(err("(?(?'n'a)b)").message.contains("named group"));
    // .NET does not scan inline options directly inside an expression conditional
    assert!(
        err("(?(?=a)(?i:b))")
            .message
            .contains("unrecognized grouping construct")
    );
    assert!(m("^(?(?=b)(?:(?i:b)))$", "b"));
    assert!(!m("^(?(?=b)(?:(?i:b)))$", "B"));
    assert!(m("^(?((?i)a)b|c)$", "c"));
}

#[test]
fn s19_conditionals_inside_look_behinds_test_at_their_right_end() {
    // .NET matches a look-behind right to left: the condition is tested where the
    // conditional ends, and an expression condition is matched leftwards.
    assert!(m("(?<=(?(a)a|c))b", "ab"));
    assert!(m("(?<=(?(a)a|c))b", "cb"));
    assert!(!m("(?<=(?(a)x|c))b", "xb"));
    assert!(m("(?<=(?(?=b)a|c))b", "ab"));
    assert!(!m("(?<=(?(?=b)a|c))b", "cb"));
    assert!(!m("(?<=(?(?<=a)x|c))b", "axb"));
    assert!(m("(?<=x(?(?=b)a|c))b", "xab"));
}

#[test]
fn s19_what_right_to_left_look_behinds_make_order_dependent_is_refused() {
    let e = err("(?<=(?>a|ab)c)d");
    assert!(e.message.contains("cannot be simulated"), "{}", e.message);
    assert_eq!(e.span, 4..12);
    let e = err(r"(?<=(a+))b\1");
    assert!(e.message.contains("cannot be simulated"), "{}", e.message);
    assert_eq!(e.span, 4..8);
    assert!(
        err(r"(?<=(a)(?(1)b|c))d")
            .message
            .contains("cannot be simulated")
    );
    // choice-free atomic groups and unread groups are fine
    assert!(m("(?<=(?>ab)c)d", "abcd"));
    assert!(m("(?<=(a+))b", "aab"));
}

#[test]
fn s19_duplicate_group_names_read_the_latest_capture() {
    assert!(m(r"(?<x>a)|(?<x>b)\k<x>", "bb"));
    assert!(!m(r"^(?:(?<x>a)|(?<x>b)\k<x>)$", "b"));
    let p = r"^(?<x>a)(?<x>b)?\k<x>$";
    assert!(m(p, "abb"));
    assert!(m(p, "aa"));
    assert!(!m(p, "aba"));
    // the outer group closes last, so it captured last
    assert!(m(r"^(?<x>a(?<x>b))\k<x>$", "abab"));
    assert!(!m(r"^(?<x>a(?<x>b))\k<x>$", "abb"));
    // a number given twice
    assert!(m(r"^(?<1>a)(b)\1$", "abb"));
    // which group captured last inside a repetition is .NET's capture stack's secret
    let e = err(r"(?:(?<x>a)|(?<x>b))+\k<x>");
    assert!(e.message.contains("cannot be simulated"), "{}", e.message);
    assert_eq!(e.span, 20..25);
}

#[test]
fn s19_unset_groups_and_group_zero_never_match() {
    assert!(!m(r"a\k<0>", "aa"));
    assert!(!m(r"\1(a)", "aa"));
    assert_eq!(rust(r"a\k<0>"), r"a[^\x{0}-\x{10FFFF}]");
    assert_eq!(err_text("(?<0>a)"), "0");
}

#[test]
fn s19_quantified_look_arounds() {
    assert!(m("(?=a)*b", "b"));
    assert!(!m("(?=a){1,3}b", "b"));
    assert!(m("(?=a){1,3}a", "a"));
    // a look-ahead that captures: optional means "try it, else skip it"
    assert!(m(r"(?=(a))?\1", "a"));
    assert!(!m(r"(?=(a))?\1", "b"));
    assert!(m(r"^(?=(a))*a\1", "aa"));
    assert!(!m(r"^(?=(a))??a\1", "a"));
    assert!(m(r"(?!(a))*b", "ab"));
    assert!(m(r"\b*a", "a"));
    assert!(!m("^+a", "ba"));
}

#[test]
fn s19_large_counted_repetitions_run_as_loops() {
    let p = r"^\w{1000}$";
    let r = re(p);
    assert_eq!(r.engine(), Engine::Backtracking);
    assert!(r.rust_pattern().contains("(?:(?=)"), "{}", r.rust_pattern());
    assert_eq!(r.is_match(&"a".repeat(1000)), Ok(true));
    assert_eq!(r.is_match(&"a".repeat(999)), Ok(false));
    assert_eq!(
        r.is_match(&format!("{}\u{903}", "a".repeat(999))),
        Ok(false)
    );
    assert!(m(r"^(?:a|b){300}$", &"ab".repeat(150)));
    assert!(!m(r"^(?:a|b){300}$", &"ab".repeat(149)));
    assert!(m(r"\w{200}x", &format!("{}x", "a".repeat(200))));
    assert!(m(r"(?=x)\w{100000}|x", "x"));
    // small repetitions stay on the linear engine
    assert_eq!(engine(r"^\w{1,256}$"), Engine::Linear);
    // what no loop can shrink is refused with the reason
    let e = err(&r"\p{L}".repeat(5_000));
    assert!(e.message.contains("too large"), "{}", e.message);
    assert!(e.dotnet_accepts);
    assert!(e.help.is_some());
}

#[test]
fn s19_balancing_groups_cannot_be_simulated() {
    let e = err("(?<o>a)(?<c-o>b)");
    assert_eq!(e.span, 7..14);
    assert!(e.message.contains("cannot be simulated"), "{}", e.message);
    assert!(e.message.contains("capture stacks"));
    assert!(
        e.dotnet_accepts,
        "reported as a valid pattern that cannot be simulated"
    );
    assert!(!err("a)").dotnet_accepts);
    assert!(
        !err("(?<-o>b)").dotnet_accepts,
        "no group `o`: .NET rejects it too"
    );
    assert_eq!(err_text("(?<o>a)(?'-o'b)"), "(?'-o'");
}

#[test]
fn s19_word_class_is_dotnets() {
    // Every BMP character, run through the translations of `\w` and `\W`.
    let all: String = (0..=0xFFFFu32).filter_map(char::from_u32).collect();
    let members = |rust: &str| -> Vec<char> {
        let Ok(r) = regex::Regex::new(rust) else {
            panic!("{rust} compiles");
        };
        r.find_iter(&all).flat_map(|m| m.as_str().chars()).collect()
    };
    let expected = members(r"[\p{L}\p{Mn}\p{Nd}\p{Pc}]");
    assert_eq!(members(&rust(r"\w")), expected);
    let word: std::collections::HashSet<char> = expected.iter().copied().collect();
    let not_expected: Vec<char> = all.chars().filter(|c| !word.contains(c)).collect();
    assert_eq!(members(&rust(r"\W")), not_expected);
    // Rust's own `\w` holds these; .NET's does not
    for c in ["\u{903}", "Ⓐ", "ⅻ", "\u{200D}"] {
        assert!(!m(r"\w", c), "{c:?}");
    }
    assert!(re(r"\w+").notes().is_empty());
}

#[test]
fn s19_word_boundaries_use_dotnets_word_class() {
    // a spacing mark is no word character for .NET: a boundary lies before it
    assert!(m(r"a\b", "a\u{903}"));
    assert!(!m(r"a\B", "a\u{903}"));
    assert!(m(r"a\b", "aⓐ"));
    // U+200D joins words for `\b` in both dialects
    assert!(!m(r"a\b", "a\u{200D}"));
    assert!(m(r"\bword\b", "a word here"));
    assert!(!m(r"\bword\b", "swordfish"));
    let t = translate(r"\bx\b", Anchoring::Partial).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(t.engine, Engine::Linear);
    assert!(t.exact_boundary.is_some());
    // on the backtracking engine only the exact spelling is used
    let t = translate(r"(?=x)\b", Anchoring::Partial).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(t.exact_boundary.is_none());
    assert!(!t.rust_pattern.contains(r"\b"), "{}", t.rust_pattern);
    assert!(re(r"\bx").notes().is_empty());
}

#[test]
fn s19_posix_brackets_are_skipped_as_dotnet_does() {
    let r = re("^[[:alpha:]]$");
    assert_eq!(r.is_match("["), Ok(true));
    assert_eq!(r.is_match("a"), Ok(false));
    assert_eq!(r.is_match(":"), Ok(false));
    assert!(m("^[[:alpha:]]]$", "[]"));
    assert!(m("^[a[:x:]b]$", "["));
    assert!(!m("^[a[:x:]b]$", "x"));
    assert_eq!(r.notes().len(), 1);
    assert_eq!(r.notes()[0].span, 2..11);
    assert!(r.notes()[0].message.contains("skips"));
}

#[test]
fn s19_categories_mean_the_same_on_both_engines() {
    use crate::regex::tables::CATEGORIES;
    let sample: Vec<String> = (0..=0xFFFFu32)
        .step_by(13)
        .chain(0..0x100)
        .filter_map(char::from_u32)
        .map(String::from)
        .chain(["😀".to_owned(), "𝐀".to_owned()])
        .collect();
    for name in CATEGORIES {
        for pattern in [format!(r"^\p{{{name}}}$"), format!(r"^[x\P{{{name}}}]$")] {
            let linear = re(&pattern);
            let Ok(fancy) = fancy_regex::Regex::new(linear.rust_pattern()) else {
                panic!("{pattern} on the backtracking engine");
            };
            for s in &sample {
                let mut units = String::new();
                crate::regex::matcher::to_units(s, &mut units);
                assert_eq!(
                    fancy.is_match(&units).ok(),
                    linear.is_match(s).ok(),
                    "{pattern} on {s:?}"
                );
            }
        }
    }
    assert!(m(r"\p{Sc}", "€"));
    assert!(m(r"\p{Cn}", "\u{378}"));
    assert_eq!(err_text(r"a\p{Greek}"), r"\p{Greek}");
    assert_eq!(err_text(r"\p{lu}"), r"\p{lu}");
}
