//! Property tests: any pattern translates or is rejected cleanly; the syntax both
//! dialects share matches as the Rust crate does; the literal fast path agrees with the
//! engine.

use super::*;
use proptest::prelude::*;

// -- property: patterns both dialects read the same ------------------------

fn common_pattern() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just("c".to_owned()),
        Just("[ab]".to_owned()),
        Just("[^a]".to_owned()),
        Just("[a-c]".to_owned()),
        Just(".".to_owned()),
        Just("\\.".to_owned()),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| v.concat()),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("(?:{a}|{b})")),
            inner.clone().prop_map(|a| format!("({a})")),
            (
                inner,
                prop_oneof![
                    Just("*"),
                    Just("+"),
                    Just("?"),
                    Just("{2}"),
                    Just("{1,2}"),
                    Just("{0,}"),
                    Just("*?"),
                    Just("+?"),
                    Just("??"),
                    Just("{1,3}?"),
                ]
            )
                .prop_map(|(a, q)| format!("(?:{a}){q}")),
        ]
    })
}

/// Pattern soup rich in .NET syntax.
fn dotnet_soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("a"),
        Just("b"),
        Just("é"),
        Just("😀"),
        Just(" "),
        Just("\n"),
        Just("0"),
        Just("1"),
        Just("9"),
        Just("("),
        Just(")"),
        Just("["),
        Just("]"),
        Just("{"),
        Just("}"),
        Just("\\"),
        Just("^"),
        Just("$"),
        Just("."),
        Just("*"),
        Just("+"),
        Just("?"),
        Just("|"),
        Just("-"),
        Just(","),
        Just("<"),
        Just(">"),
        Just("'"),
        Just("="),
        Just("!"),
        Just(":"),
        Just("#"),
        Just("&"),
        Just("~"),
        Just("i"),
        Just("m"),
        Just("n"),
        Just("s"),
        Just("x"),
        Just("k"),
        Just("p"),
        Just("P"),
        Just("d"),
        Just("w"),
        Just("W"),
        Just("b"),
        Just("B"),
        Just("L"),
        Just("u"),
        Just("A"),
        Just("Z"),
        Just("z"),
        Just("c"),
        Just("e"),
        Just("_"),
        Just("{2}"),
        Just("{1,}"),
        Just("(?"),
        Just("(?<"),
        Just("(?i)"),
        Just("(?x)"),
        Just("(?#c)"),
        Just("\\k<"),
        Just("\\p{L}"),
        Just("\\u00e9"),
        Just("\\x4"),
        Just("[^"),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]
    #[test]
    fn any_pattern_translates_compiles_or_is_rejected_cleanly(
        pattern in dotnet_soup(),
        haystack in "[ab é😀\n0-9_{}()]{0,6}",
    ) {
        for anchoring in [Anchoring::Partial, Anchoring::Full] {
            match DotnetRegex::new(&pattern, anchoring) {
                Ok(re) => {
                    let _ = re.is_match(&haystack);
                }
                Err(e) => {
                    prop_assert!(e.span.start <= e.span.end && e.span.end <= pattern.len(),
                        "{:?} for `{}`", e, pattern);
                    prop_assert!(pattern.get(e.span.clone()).is_some(), "{:?} for `{}`", e, pattern);
                    prop_assert!(!e.message.contains("rejects this pattern"),
                        "translation bug: `{}` -> {:?} ({:?})", pattern,
                        translate(&pattern, anchoring).map(|t| t.rust_pattern), e);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn shared_syntax_matches_like_the_rust_crate(
        body in common_pattern(),
        anchored in any::<bool>(),
        haystacks in prop::collection::vec("[abc.\n]{0,8}", 1..6),
    ) {
        let pattern = if anchored { format!("^{body}") } else { body };
        let dotnet = DotnetRegex::new(&pattern, Anchoring::Partial);
        let dotnet_full = DotnetRegex::new(&pattern, Anchoring::Full);
        let plain = regex::Regex::new(&pattern);
        let plain_full = regex::Regex::new(&format!(r"\A(?:{pattern})\z"));
        prop_assert!(dotnet.is_ok() && dotnet_full.is_ok() && plain.is_ok() && plain_full.is_ok());
        if let (Ok(dotnet), Ok(dotnet_full), Ok(plain), Ok(plain_full)) =
            (dotnet, dotnet_full, plain, plain_full)
        {
            prop_assert_eq!(dotnet.engine(), Engine::Linear);
            // The same translation must also mean the same on the backtracking engine.
            let fancy = fancy_regex::Regex::new(dotnet.rust_pattern());
            prop_assert!(fancy.is_ok());
            for h in &haystacks {
                prop_assert_eq!(dotnet.is_match(h), Ok(plain.is_match(h)), "{} on {:?}", pattern, h);
                prop_assert_eq!(dotnet_full.is_match(h), Ok(plain_full.is_match(h)), "{} on {:?}", pattern, h);
                if let Ok(fancy) = &fancy {
                    prop_assert_eq!(fancy.is_match(h).ok(), Some(plain.is_match(h)), "fancy {} on {:?}", pattern, h);
                }
            }
        }
    }
}

#[test]
fn literal_fast_path_agrees_with_the_engine() {
    let patterns = [
        "@contoso\\.com$",
        "^(DE|AT|CH)$",
        "^Sales",
        "contoso",
        "^IT$",
        "a|b",
        "^(x|y)",
        "(DE|FR)$",
        "Sales Manager",
        "\\u00e9$",
        "^$",
        "a.b",
        "^(?i)it$",
        "[ab]",
        "(a)(b)",
        "a\\d",
        "x$|^y",
        "^a|b",
        "a|b$",
    ];
    let values = [
        "",
        "DE",
        "DE\n",
        "DEU",
        "xDE",
        "@contoso.com",
        "a@contoso.com",
        "a@contoso.com\n",
        "a@contoso.comx",
        "Sales",
        "Sales Manager",
        "sales",
        "IT",
        "IT\n",
        "it",
        "ab",
        "b",
        "x",
        "y",
        "ba",
        "xa",
        "b\n",
        "é",
        "caf\u{e9}",
        "a.b",
        "axb",
    ];
    for p in patterns {
        for anchoring in [Anchoring::Partial, Anchoring::Full] {
            let Ok(re) = DotnetRegex::new(p, anchoring) else {
                continue;
            };
            let Compiled::Linear(engine) = &re.compiled else {
                continue;
            };
            for v in values {
                assert_eq!(
                    re.is_match(v).unwrap(),
                    engine.is_match(v),
                    "{p:?} {anchoring:?} on {v:?} (literal {:?})",
                    re.literal
                );
            }
        }
    }
    assert!(
        DotnetRegex::new("@contoso\\.com$", Anchoring::Partial)
            .unwrap()
            .literal
            .is_some()
    );
    assert!(
        DotnetRegex::new("^(DE|AT|CH)$", Anchoring::Partial)
            .unwrap()
            .literal
            .is_some()
    );
    assert!(
        DotnetRegex::new("a.b", Anchoring::Partial)
            .unwrap()
            .literal
            .is_none()
    );
}
