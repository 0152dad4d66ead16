//! Groups, options, quantifiers, errors and their plumbing.

use super::*;

// -- groups and options -------------------------------------------------

#[test]
fn named_groups_and_backreferences() {
    assert!(m(r"(?<year>\d{4})-\k<year>", "2020-2020"));
    assert!(!m(r"(?<year>\d{4})-\k<year>", "2020-2021"));
    assert!(m(r"(?'y'a)\k'y'", "aa"));
    assert!(m(r"(?<y>a)\<y>", "aa"));
    assert!(m(r"(?<y>a)\k<1>", "aa"));
    assert!(m(r"(?<3>a)\3", "aa"));
    assert_eq!(err_text(r"(a)\k<b>"), r"\k<b>");
    assert_eq!(err_text(r"\k<2>"), r"\k<2>");
    assert_eq!(err_text(r"a\kb"), r"\kb");
}

#[test]
fn unnamed_groups_are_numbered_before_named_ones() {
    assert!(m(r"(?<x>a)(b)\1", "abb"));
    assert!(!m(r"(?<x>a)(b)\1", "aba"));
    assert!(m(r"(?<x>a)(b)\2", "aba"));
}

#[test]
fn forward_and_case_insensitive_backreferences() {
    assert!(m(r"(?:\1b|(a))+", "aab"));
    assert!(!m(r"\1(a)", "aa"), "an unset group never matches");
    assert!(m(r"(?i)(a)\1", "aA"));
    assert!(!m(r"(a)\1", "aA"));
    assert!(!re(r"(?i)(a)\1").notes().is_empty());
}

#[test]
fn unreferenced_groups_do_not_capture() {
    assert_eq!(rust("(a)(?<n>b)"), "(?:a)(?:b)");
    assert_eq!(rust(r"(a)(b)\2"), r"(?:a)(b)\k<1>");
    assert_eq!(engine("(a)(?<n>b)"), Engine::Linear);
}

#[test]
fn balancing_groups_are_rejected() {
    assert_eq!(err_text("(?<o>a)(?<c-o>b)"), "(?<c-o>");
    assert_eq!(err_text("(?<o>a)(?'-o'b)"), "(?'-o'");
    assert!(err("(?<o>a)(?<-o>b)").message.contains("balancing"));
    // as in .NET, the group it pops must exist
    assert_eq!(
        err("(?<-o>b)").message,
        "reference to undefined group name `o`"
    );
}

#[test]
fn non_capturing_atomic_and_lookahead_groups() {
    assert!(m("(?:ab)+c", "ababc"));
    assert!(!m("(?>a*)a", "aaa"), "an atomic group gives nothing back");
    assert!(m("(?>a*)b", "aab"));
    assert_eq!(engine("(?>a)"), Engine::Backtracking);
    assert!(m("foo(?!bar)", "foobaz"));
    assert!(!m("foo(?!bar)", "foobar"));
    assert!(m("foo(?=bar)", "foobar"));
}

#[test]
fn inline_options_scope_like_dotnet() {
    assert!(m("(?i)abc", "xABCx"));
    assert!(
        m("a(?i)b|c", "C"),
        "(?i) reaches across `|` to the group end"
    );
    assert!(!m("(a(?i)b)c", "aBC"), "but not past the group");
    assert!(m("(a(?i)b)c", "aBc"));
    assert!(m("(?i:a)b", "Ab"));
    assert!(!m("(?i:a)b", "AB"));
    assert!(m("(?i)a(?-i)b", "Ab"));
    assert!(!m("(?i)a(?-i)b", "AB"));
    assert!(m("(?I)A", "a"), "option letters are case-insensitive");
    assert!(m("(?i-s+m)^a.$", "x\nA\u{1}\ny"));
    assert!(m("(?s).", "\n"));
    assert!(!m(".", "\n"));
    assert!(m("(?-)a", "a"));
    assert!(m("(?i)[a-c]", "B"));
}

#[test]
fn full_anchoring_keeps_flags_and_alternatives_inside() {
    assert!(fm("(?i)a|b", "B"));
    assert!(!fm("a|b", "ab"));
    assert!(fm("a|b", "b"));
    assert!(fm("", ""));
    assert!(!fm("", "x"));
    assert_eq!(
        translate("(?i)a|b", Anchoring::Full).map(|t| t.rust_pattern),
        Ok(r"\A(?:(?i:a)|(?i:b))\z".to_owned())
    );
}

#[test]
fn unknown_inline_options_are_rejected() {
    let e = err("(?r)a");
    assert_eq!(e.span, 2..3);
    assert_eq!(e.message, "inline option `r` is not supported");
    assert_eq!(err_text("(?ie:a)"), "e");
    assert_eq!(err_text("(?P<n>a)"), "(?P");
    assert!(err("(?P<n>a)").help.is_some_and(|h| h.contains("(?<name>")));
    assert_eq!(err_text("(?'=a)"), "(?'=");
}

#[test]
fn ignore_pattern_whitespace_mode() {
    assert!(fm("(?x) a b # comment\n c", "abc"));
    assert!(m("(?x)[ ]", " "), "white space inside a class still counts");
    assert!(fm(r"(?x)a\ b", "a b"));
    assert!(
        fm("(?x)a #c\n*", "aaa"),
        "the quantifier reaches across the comment"
    );
    assert!(fm("(?x)a+ ?b", "ab"));
    assert!(fm("(?x:a b)c d", "abc d"));
    assert!(m("(?x)a#b", "a"));
    assert!(!fm("(?x)a#b", "a#b"));
}

#[test]
fn inline_comments_are_removed() {
    assert!(fm("a(?#x)b", "ab"));
    assert!(fm("a(?#x)*", "aaa"));
    assert!(fm(r"\d(?#x)+", "123"));
    assert_eq!(rust("a(?#comment)b"), "ab");
    let e = err("a(?#open");
    assert_eq!(e.span, 1..8);
}

#[test]
fn lazy_quantifiers() {
    assert!(fm("a+?b", "aab"));
    assert!(fm("a{2,3}?", "aa"));
    assert!(fm("a*?", ""));
    assert!(fm("a??b", "b"));
    assert_eq!(rust("a{2,3}?b{4}c{5,}"), "a{2,3}?b{4}c{5,}");
}

#[test]
fn quantifier_errors() {
    let e = err("*a");
    assert_eq!(e.span, 0..1);
    assert_eq!(e.message, "quantifier `*` follows nothing");
    assert_eq!(
        e.help.as_deref(),
        Some(r"escape it as `\*` to match it literally")
    );
    assert_eq!(err_text("a|+"), "+");
    assert_eq!(err_text("({2}a)"), "{2}");
    let e = err("x{3,2}");
    assert_eq!(e.span, 1..6);
    assert_eq!(err_text("a{99999999999}"), "99999999999");
}

#[test]
fn parenthesis_errors() {
    let e = err("a)b");
    assert_eq!(e.span, 1..2);
    assert_eq!(e.message, "unmatched closing parenthesis `)`");
    let e = err("a(b(?:c)");
    assert_eq!(e.span, 1..2, "the unclosed group");
    assert_eq!(e.message, "missing closing parenthesis");
    assert_eq!(err_text("x(?<n>a"), "(?<n>");
    assert_eq!(err_text("(?"), "(?");
}

#[test]
fn nesting_limit() {
    let deep = "(".repeat(MAX_GROUP_DEPTH + 1) + &")".repeat(MAX_GROUP_DEPTH + 1);
    assert!(err(&deep).message.contains("nested"));
    let ok = "(".repeat(MAX_GROUP_DEPTH) + "a" + &")".repeat(MAX_GROUP_DEPTH);
    assert!(m(&ok, "a"));
}

#[test]
fn empty_pattern_matches_everything() {
    assert!(m("", ""));
    assert!(m("", "anything"));
    assert!(m("()", "x"));
    assert!(m("a|", "b"));
}

// -- error plumbing -------------------------------------------------------

#[test]
fn error_messages_follow_the_style() {
    for pattern in [
        "[a-z-[aeiou]x]",
        "(?(1)a|b|c)(x)",
        "(?(?#c)a)",
        "(?(?<n>a)b)",
        "(?(?=a)(?i:b))",
        r"\p{_xmlI}",
        r"(?:(?<x>a)|(?<x>b))+\k<x>",
        "(?<=(?>a|ab)c)d",
        r"(?<=(a+))b\1",
        "a*+",
        "(?<a-b>x)",
        "(?r)",
        "[abc",
        "a)",
        "(a",
        r"\q",
        r"\x1",
        r"\p{Foo}",
        r"\1",
        "x{2,1}",
        "*",
    ] {
        let e = err(pattern);
        assert!(
            e.span.start < e.span.end,
            "`{pattern}`: empty span {:?}",
            e.span
        );
        assert!(
            e.span.end <= pattern.len(),
            "`{pattern}`: span past the end"
        );
        let first = e.message.chars().next().unwrap_or('X');
        assert!(!first.is_uppercase(), "`{pattern}`: {}", e.message);
        assert!(!e.message.ends_with('.'), "`{pattern}`: {}", e.message);
        assert_eq!(e.to_string(), e.message);
        if let Some(help) = &e.help {
            assert!(!help.ends_with('.'), "`{pattern}`: {help}");
        }
    }
}

#[test]
fn caret_offsets_of_regex_errors_are_read_back() {
    let unbalanced = String::from("ab(cd");
    let Err(e) = regex::Regex::new(&unbalanced) else {
        panic!("unbalanced pattern must fail");
    };
    assert_eq!(caret_offset(&e.to_string()), Some(2));
    let mut map = OffsetMap::default();
    map.push(0..5, 0..9);
    map.push(2..3, 4..6);
    assert_eq!(map.lookup(2), Some(4..6));
    assert_eq!(map.lookup(4), Some(0..9));
    assert_eq!(map.lookup(7), None);
    let mapped = linear_error(&e, &map, 9);
    assert_eq!(mapped.span, 4..6);
    assert!(
        mapped.message.contains("unclosed group"),
        "{}",
        mapped.message
    );
}

#[test]
fn the_translation_is_ascii_and_maps_back() {
    let (t, map) = match translate_mapped("(?i)é+x\\d", Anchoring::Full) {
        Ok(pair) => pair,
        Err(e) => panic!("{e:?}"),
    };
    assert!(t.rust_pattern.is_ascii(), "{}", t.rust_pattern);
    let at = t.rust_pattern.find("[\\p{Nd}").unwrap_or(0);
    assert_eq!(map.lookup(at), Some(8..10));
}

#[test]
fn compiled_regex_is_shareable() {
    fn assert_traits<T: Send + Sync + Clone>() {}
    assert_traits::<DotnetRegex>();
    assert_traits::<RegexError>();
    assert_eq!(Anchoring::default(), Anchoring::Partial);
    let a = re("a+");
    let b = a.clone();
    assert_eq!(b.pattern(), "a+");
    assert_eq!(b.translation().engine, Engine::Linear);
    assert_eq!(b.is_match("caat"), Ok(true));
    assert!(!MatchAborted.to_string().is_empty());
}
