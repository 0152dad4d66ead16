//! Examples from the spec and Entra's documentation, anchors, literals, escapes and
//! character classes.

use super::*;

// -- examples from the spec and Entra's documentation ------------------

#[test]
fn two_digit_group_partial_and_full() {
    assert!(m("([1-9][0-9])", "100"));
    assert!(!fm("([1-9][0-9])", "100"));
    assert!(fm("([1-9][0-9])", "10"));
    assert!(!m("([1-9][0-9])", "09"));
}

#[test]
fn country_codes_and_dollar_before_final_newline() {
    let p = "^(DE|FR|NL)$";
    assert!(m(p, "DE"));
    assert!(!m(p, "DEU"));
    assert!(m(p, "DE\n"), ".NET `$` matches before a final newline");
    assert!(!m(p, "DE\n\n"));
    assert!(!m(p, "xDE"));
    assert!(!fm(p, "DE\n"), "the whole value is not matched");
    assert!(fm(p, "NL"));
    assert_eq!(engine(p), Engine::Linear);
    assert_eq!(rust(p), r"\A(?:DE|FR|NL)(?:\n?\z)");
}

#[test]
fn three_digits() {
    assert!(m(r"^\d{3}$", "123"));
    assert!(!m(r"^\d{3}$", "1234"));
    assert!(!m(r"^\d{3}$", "12a"));
    assert!(m(r"^\d{3}$", "١٢٣"), "both dialects read \\d as Unicode Nd");
}

#[test]
fn entra_doc_example_escaped_at_sign() {
    let re = re(r".*\@domain.com");
    assert_eq!(re.engine(), Engine::Linear);
    assert!(re.is_match("jane@domain.com").unwrap_or(false));
    assert!(
        re.is_match("jane@domainXcom").unwrap_or(false),
        "`.` is any character"
    );
    assert!(!re.is_match("jane@other.com").unwrap_or(true));
    assert_eq!(re.rust_pattern(), ".*@domain.com");
    assert!(m(r"\@domain\.com$", "jane@domain.com"));
    assert!(!m(r"\@domain\.com$", "jane@domainXcom"));
}

#[test]
fn open_bracket_inside_class_is_literal() {
    assert!(m("[[]", "["));
    assert!(!m("[[]", "a"));
    assert_eq!(rust("[[]"), r"[\[]");
}

#[test]
fn lookbehind_runs_on_the_backtracking_engine() {
    let re = re("(?<=x)y");
    assert_eq!(re.engine(), Engine::Backtracking);
    assert_eq!(re.is_match("xy"), Ok(true));
    assert_eq!(re.is_match("zy"), Ok(false));
    assert!(m("(?<=a+)b", "aab"), "variable-length lookbehind works");
    assert!(!m("(?<!a)b", "ab"));
    assert!(m("(?<!a)b", "cb"));
}

#[test]
fn backreference_to_word_character() {
    assert!(m(r"(\w)\1", "aa"));
    assert!(!m(r"(\w)\1", "ab"));
    assert_eq!(engine(r"(\w)\1"), Engine::Backtracking);
}

#[test]
fn brace_without_valid_quantifier_is_literal() {
    assert!(m("a{,3}", "a{,3}"));
    assert!(!m("a{,3}", "aaa"));
    assert!(m("a{", "a{"));
    assert!(m("{foo}", "{foo}"));
    assert!(m("x{2, 3}", "x{2, 3}"), "a space makes it literal");
    assert!(m("a{1", "a{1"));
    assert!(fm("x{2,}", "xxxx"));
    assert!(!fm("x{2,}", "x"));
    assert_eq!(rust("a{,3}"), r"a\{,3\}");
}

#[test]
fn explicit_capture_option_is_accepted() {
    assert!(m("(?n)(a)", "a"));
    assert!(!m("(?n)(a)", "b"));
    // Under `n` the unnamed group does not count, so \1 is the named one.
    assert!(m(r"(?n)(a)(?<x>b)\1", "abb"));
    assert!(
        err(r"(?n)(a)\1")
            .message
            .contains("undefined group number `1`")
    );
}

#[test]
fn possessive_quantifier_is_a_nested_quantifier() {
    let e = err("a*+");
    assert_eq!(e.span, 2..3);
    assert!(e.message.contains("nested quantifier"), "{}", e.message);
    assert!(e.help.is_some_and(|h| h.contains("`(?>a*)`")));
    let e = err(r"x\d+*");
    assert!(
        e.help
            .is_some_and(|h| h.contains(r"`(?>\d+)`") && h.contains(r"`(?:\d+)*`"))
    );
    assert_eq!(err_text("a**"), "*");
    assert_eq!(err_text("a{2}{3}"), "{3}");
    assert_eq!(err_text("a??+"), "+");
}

#[test]
fn catastrophic_backtracking_never_hangs() {
    let haystack = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!";
    let started = std::time::Instant::now();
    let re = re("(?=a)(a+)+$");
    assert_eq!(re.engine(), Engine::Backtracking);
    let answer = re.is_match(haystack);
    assert!(
        matches!(answer, Ok(false) | Err(MatchAborted)),
        "{answer:?}"
    );
    // Here the budget really runs out.
    let re2 = super::re("(?:(?=a)a|a)+b");
    assert_eq!(re2.is_match(haystack), Err(MatchAborted));
    assert_eq!(re2.is_match("aab"), Ok(true));
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

// -- anchors ------------------------------------------------------------

#[test]
fn dollar_and_backslash_z_upper_match_before_final_newline_only() {
    assert!(m("a$", "a\n"));
    assert!(!m("a$", "a\nb"));
    assert!(!m("a$", "a\n\n"));
    assert!(m(r"a\Z", "a\n"));
    assert!(!m(r"a\z", "a\n"));
    assert!(m(r"a\z", "a"));
    assert!(m("$$", "a\n"));
    assert!(m("a$|b", "a\n"));
    assert_eq!(engine("a$|b"), Engine::Linear);
}

#[test]
fn dollar_not_at_the_end_uses_a_lookahead() {
    assert_eq!(engine("a$\n"), Engine::Backtracking);
    assert!(
        m("a$\n", "a\n"),
        "$ before the final newline, then the newline"
    );
    assert!(!m("a$\n", "a\nb"));
    assert!(
        !m(r"a$\z", "a\n"),
        "consuming the newline would be wrong here"
    );
    assert!(m("(a$)+", "a\n"));
    assert!(m("(?=a$)a", "a\n"));
    assert_eq!(rust("a$b"), r"a(?=\n?\z)b");
    assert!(!m("a$b", "ab"));
}

#[test]
fn full_anchoring_turns_dollar_into_end_of_text() {
    assert!(fm("abc$", "abc"));
    assert!(!fm("abc$", "abc\n"));
    assert!(fm("abc$\n", "abc\n"));
    assert_eq!(
        translate("a|b$", Anchoring::Full).map(|t| t.rust_pattern),
        Ok(r"\A(?:a|b\z)\z".to_owned())
    );
}

#[test]
fn caret_and_multiline() {
    assert!(!m("^b", "a\nb"));
    assert!(m("(?m)^b", "a\nb"));
    assert!(m("(?m)a$", "a\nb"));
    assert!(!m("a$", "a\nb"));
    assert!(m(r"\Ab", "b"));
    assert!(!m(r"(?m)\Ab", "a\nb"));
    assert!(m("(?m:^b$)", "a\nb\nc"));
}

#[test]
fn quantified_assertions_are_valid() {
    assert!(m(r"\b*a", "a"));
    assert!(m("^+a", "a"));
    assert!(!m("^+a", "ba"));
    assert!(m("(?=a)*b", "b"), "zero repetitions of a lookahead");
    assert_eq!(engine("(?=a)*b"), Engine::Linear);
    assert!(!m("(?=a){1,3}b", "b"));
    assert!(m("(?=a){1,3}a", "a"));
}

// -- literals and escapes ------------------------------------------------

#[test]
fn escaped_punctuation_is_literal() {
    for (pattern, text) in [
        (r"\@", "@"),
        (r"\/", "/"),
        (r"\'", "'"),
        ("\\\"", "\""),
        (r"\!", "!"),
        (r"\#", "#"),
        (r"\ ", " "),
        (r"\%", "%"),
        (r"\,", ","),
        (r"\<", "<"),
        (r"\>", ">"),
        (r"\:", ":"),
        (r"\»", "»"),
        (r"\-", "-"),
        (r"\~", "~"),
        (r"\&", "&"),
    ] {
        assert!(m(pattern, text), "`{pattern}`");
        assert!(!m(pattern, "x"), "`{pattern}`");
    }
}

#[test]
fn word_character_escapes_are_errors() {
    let e = err(r"a\q");
    assert_eq!(e.span, 1..3);
    assert_eq!(e.message, r"unrecognized escape `\q`");
    assert_eq!(err_text(r"\_"), r"\_");
    assert_eq!(err_text(r"\é"), r"\é");
    assert_eq!(err_text(r"a\ä"), r"\ä");
    assert_eq!(err_text(r"\i"), r"\i");
    let e = err(r"a\");
    assert_eq!(e.span, 1..2);
}

#[test]
fn hex_unicode_control_and_named_escapes() {
    assert!(m(r"\x41", "A"));
    assert!(m(r"\x41", "zAz"));
    assert!(m(r"\x412", "A2"), "exactly two hex digits");
    assert!(m(r"\u00e9", "é"));
    assert!(m(r"\u00C9", "É"));
    assert!(m(r"\cM", "\r"));
    assert!(m(r"\ca", "\u{1}"));
    assert!(m(r"\c[", "\u{1b}"));
    assert!(m(r"\e", "\u{1b}"));
    assert!(m(r"\a\f\v\t\r\n", "\u{7}\u{c}\u{b}\t\r\n"));
    assert_eq!(err_text(r"a\x4"), r"\x4");
    assert_eq!(err_text(r"\x4g"), r"\x4g");
    assert_eq!(err_text(r"\u12"), r"\u12");
    assert_eq!(err_text(r"\c1"), r"\c1");
    assert_eq!(err_text(r"\c"), r"\c");
}

#[test]
fn octal_escapes_and_backreference_numbers() {
    assert!(m(r"\0", "\0"));
    assert!(m(r"a\012b", "a\nb"));
    assert!(m(r"\101", "A"));
    assert!(m(r"\0123", "\n3"), "at most three octal digits");
    assert!(m(r"\10", "\u{8}"), "no group 10: octal");
    assert!(m(r"(a)\10", "a\u{8}"), "group 1 only: \\10 is still octal");
    assert!(m(r"\18", "\u{1}8"));
    assert!(m(r"\477", "?"), "octal keeps the low eight bits of 0477");
    assert_eq!(err_text(r"x\1"), r"\1");
    assert_eq!(err_text(r"\8"), r"\8");
    assert_eq!(err_text(r"\99"), r"\9");
    assert!(m(r"(a)\1", "aa"));
    assert!(!m(r"(a)\1", "ab"));
}

// -- character classes --------------------------------------------------

#[test]
fn class_edge_syntax() {
    assert!(m("[]a]", "]"));
    assert!(m("[^]a]", "b"));
    assert!(!m("[^]a]", "]"));
    assert!(m("[a-]", "-"));
    assert!(m("[-a]", "-"));
    assert!(m(r"[a\-z]", "-"));
    assert!(!m(r"[a\-z]", "m"));
    assert!(m(r"[\d-z]", "-"));
    assert!(m(r"[\d-z]", "5"));
    assert!(!m(r"[\d-z]", "m"));
    assert!(m(r"[\x41-\x43]", "B"));
    assert!(m(r"[a\]]", "]"));
    assert!(m(r"[\b]", "\u{8}"), "\\b in a class is backspace");
    assert!(m(r"[.]", "."));
    assert!(!m(r"[.]", "a"));
    assert!(m("[ab]", "b"));
    assert!(m("[^ab]", "c"));
}

#[test]
fn rust_set_operators_are_plain_characters_in_dotnet() {
    assert!(m("[a&&b]", "&"));
    assert!(m("[a&&b]", "a"));
    assert!(m("[&&]", "&"));
    assert!(m("[a~~b]", "~"));
    assert!(m("[a~~b]", "b"));
    assert!(m("[--x]", "a"), "a range from `-` to `x`");
    assert_eq!(err_text("[x--]"), "x--", "a reversed range, as in .NET");
    assert!(m("[[a]", "["));
    assert!(m("[[a]]", "a]"));
    assert!(!m("[[a]]", "a"));
}

#[test]
fn class_errors_point_at_the_offending_bytes() {
    let e = err("x[z-a]");
    assert_eq!(e.span, 2..5);
    assert_eq!(e.help.as_deref(), Some("write it as `a-z`"));
    assert_eq!(err_text(r"[a-\d]"), r"a-\d");
    let e = err("a[bc");
    assert_eq!(e.span, 1..4);
    assert_eq!(e.message, "unterminated character class");
    assert_eq!(err_text("[]"), "[]");
}

#[test]
fn case_insensitive_cased_letter_categories() {
    assert!(m(r"(?i)\p{Lu}", "é"));
    assert!(m(r"(?i)[\p{Ll}]", "É"));
    assert!(!m(r"(?i)\P{Lu}", "é"));
    assert!(m(r"(?i)\P{Lu}", "1"));
    assert!(!m(r"\p{Lu}", "é"));
}

#[test]
fn whitespace_class_is_the_same_set_in_both_dialects() {
    // .NET's \s is char.IsWhiteSpace: these 25 characters.
    let dotnet: Vec<char> = [
        0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
        0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F,
        0x3000,
    ]
    .iter()
    .filter_map(|&u| char::from_u32(u))
    .collect();
    let s = re(r"\A\s\z");
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        let expected = dotnet.contains(&c);
        assert_eq!(
            s.is_match(&c.to_string()),
            Ok(expected),
            "U+{:04X}",
            u32::from(c)
        );
    }
    assert!(re(r"\s").notes().is_empty());
    assert!(re(r"\d\D").notes().is_empty());
}
