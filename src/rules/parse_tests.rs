//! Tests of the `.scope` parser: settings, matching, spellings, recovery and limits.

use super::*;

fn parse(text: &str) -> (RuleSet, Vec<Diagnostic>, Sources) {
    let mut sources = Sources::new();
    let id = sources.add("t.scope", None, text);
    let (r, d) = parse_scope(&sources, id);
    (r, d, sources)
}

#[test]
fn parses_settings_stages_filters_clauses() {
    let (r, d, _) = parse(
        "app \"A\" {\n scope all\n skip_out_of_scope_deletions true\n deletion_threshold 5\n stage \"p\" {\n  filter \"f\" {\n   department EQUALS \"IT\"\n   accountEnabled IS TRUE\n   country regex_match '^(DE|FR)$'\n  }\n }\n stage \"q\" extends \"p\" { }\n}\n",
    );
    assert!(d.is_empty(), "{d:?}");
    let app = &r.apps[0];
    assert_eq!(app.name.node, "A");
    assert_eq!(app.scope_mode(), ScopeMode::All);
    assert!(app.skip_deletions());
    assert_eq!(app.deletion_threshold.as_ref().unwrap().node, 5);
    assert_eq!(app.stages.len(), 2);
    let f = &app.stages[0].filters.groups[0];
    assert_eq!(f.clauses.len(), 3);
    assert_eq!(
        f.clauses[1].operator.node,
        OperatorName::Known(Operator::IsTrue)
    );
    assert!(f.clauses[1].values.is_empty());
    assert_eq!(
        f.clauses[2].operator.node,
        OperatorName::Known(Operator::RegexMatch)
    );
    assert_eq!(f.clauses[2].values[0].text, "^(DE|FR)$");
    assert_eq!(app.stages[1].extends.as_ref().unwrap().node, "p");
}

#[test]
fn raw_strings_keep_backslashes_and_double_quotes_escape() {
    let (r, d, _) = parse(
        "app \"A\" { filter \"f\" {\n a REGEX MATCH '^\\d{3}$'\n b EQUALS \"x\\\"y\"\n c EQUALS 'it''s'\n} }",
    );
    assert!(d.is_empty(), "{d:?}");
    let c = &r.apps[0].stages[0].filters.groups[0].clauses;
    assert_eq!(c[0].values[0].text, "^\\d{3}$");
    assert_eq!(c[1].values[0].text, "x\"y");
    assert_eq!(c[2].values[0].text, "it's");
    assert!(r.apps[0].stages[0].implicit);
    assert_eq!(r.apps[0].stages[0].name.node, "current");
}

#[test]
fn value_spans_map_through_escapes() {
    let text = "app \"A\" { filter \"f\" {\n a REGEX MATCH \"a\\\"(b\"\n} }";
    let (r, _, _) = parse(text);
    let v = &r.apps[0].stages[0].filters.groups[0].clauses[0].values[0];
    assert_eq!(v.text, "a\"(b");
    // the `(` is byte 2 of the decoded text
    let s = v.source_span(2..3);
    assert_eq!(&text[s.start..s.end], "(");
}

#[test]
fn one_pass_reports_every_mistake() {
    let (_, d, _) = parse(
        "app \"A\" {\n  scoop all\n  filter \"f\" {\n    department EQUAL \"IT\"\n    country\n  }\n  stag \"x\" { }\n}\n",
    );
    let codes: Vec<_> = d.iter().map(|d| (d.code, d.message.as_str())).collect();
    assert_eq!(d.len(), 3, "{codes:?}");
    assert!(d[0].message.contains("unknown setting `scoop`"));
    assert!(
        d[1].message
            .contains("expected an operator after `country`")
    );
    assert!(d[2].message.contains("unknown keyword `stag`"));
}

#[test]
fn unknown_operator_followed_by_bare_value_is_split() {
    let (r, _, sources) = parse("app \"A\" { filter \"f\" {\n department EQUAL IT\n} }");
    let c = &r.apps[0].stages[0].filters.groups[0].clauses[0];
    assert_eq!(c.operator.node, OperatorName::Unknown("EQUAL".into()));
    assert_eq!(c.values[0].text, "IT");
    assert_eq!(c.values[0].style, ValueStyle::Bare);
    assert_eq!(sources.slice(c.source, c.operator.span), "EQUAL");
}

#[test]
fn unbalanced_braces_are_located() {
    let (_, d, sources) = parse("app \"A\" {\n filter \"f\" {\n a IS NULL\n}\n");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "unbalanced-brace");
    let l = &d[0].labels[0];
    assert_eq!(
        sources.get(l.source).unwrap().line_col(l.span.start).line,
        1
    );
}

#[test]
fn clauses_end_at_line_end_semicolon_or_brace() {
    let (r, d, _) = parse("app \"A\" { filter \"f\" { a IS NULL; b EQUALS \"x\" } }");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(r.apps[0].stages[0].filters.groups[0].clauses.len(), 2);
}

#[test]
fn s33_mapping_enabled_and_flow_types_are_settings() {
    let (r, d, sources) = parse(
        "app \"A\" {\n  mapping_enabled false\n  flow_types \"Update , add\"\n  filter \"f\" { a IS NULL }\n}\n",
    );
    assert!(d.is_empty(), "{d:?}");
    let app = &r.apps[0];
    assert!(!app.mapping_enabled());
    let flows = app.flows();
    assert!(flows.add && flows.update && !flows.delete);
    assert!(!app.delete_flow_on());
    let f = app.object.flow_types.as_ref().unwrap();
    assert_eq!(
        sources.slice(app.source, f.span),
        "flow_types \"Update , add\""
    );
    // one word needs no quotes
    let (r, d, _) = parse("app \"A\" {\n  flow_types none\n}\n");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(r.apps[0].flows(), FlowTypes::NONE);
}

#[test]
fn s33_a_bad_flow_type_is_located_in_the_string() {
    let text = "app \"A\" {\n  flow_types \"Add, Remove\"\n}\n";
    let (_, d, _) = parse(text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code, Code::BadFlowTypes);
    let s = d[0].labels[0].span;
    assert_eq!(&text[s.start..s.end], "Remove");
}

#[test]
fn s33_delete_flow_is_read_as_flow_types_with_a_deprecation_warning() {
    let (r, d, _) = parse("app \"A\" {\n  delete_flow false\n}\n");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code, Code::DeprecatedSetting);
    assert!(
        d[0].help
            .as_deref()
            .unwrap_or("")
            .contains("flow_types \"Add, Update\"")
    );
    let app = &r.apps[0];
    assert!(!app.delete_flow_on());
    assert!(app.flows().add && app.flows().update);
    // both spellings in one app set the flow types twice
    let (_, d, _) = parse("app \"A\" {\n  delete_flow true\n  flow_types \"Add\"\n}\n");
    assert!(d.iter().any(|d| d.code == Code::DuplicateSetting), "{d:?}");
}

#[test]
fn s32_match_lines_are_the_matching_attributes() {
    let text = "app \"A\" {\n  match userPrincipalName -> userName priority 1\n  match mail -> \"emails[type eq \\\"work\\\"].value\"\n  match expression 'Join(\"@\", [mailNickname], \"contoso.com\")' -> externalId priority 5\n  match expression '[objectId]' -> id priority 9\n}\n";
    let (r, d, sources) = parse(text);
    assert!(d.is_empty(), "{d:?}");
    let m = &r.apps[0].object.matching;
    assert_eq!(m.len(), 4);
    assert_eq!(
        (m[0].attribute(), m[0].target.as_str(), m[0].priority),
        (Some("userPrincipalName"), "userName", 1)
    );
    assert_eq!(
        sources.slice(r.apps[0].source, m[0].source.span),
        "userPrincipalName"
    );
    // no priority: after the ones before it
    assert_eq!(
        (m[1].target.as_str(), m[1].priority),
        ("emails[type eq \"work\"].value", 2)
    );
    assert_eq!(
        m[2].expression.as_deref(),
        Some("Join(\"@\", [mailNickname], \"contoso.com\")")
    );
    assert_eq!(m[2].attribute(), None);
    assert_eq!((m[3].attribute(), m[3].priority), (Some("objectId"), 9));
}

#[test]
fn s32_bad_match_lines_are_reported() {
    let (_, d, _) = parse("app \"A\" {\n  match userPrincipalName -> userName priority 0\n}\n");
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].message.contains("priority"), "{}", d[0].message);
    let (_, d, _) = parse("app \"A\" {\n  match userPrincipalName userName\n}\n");
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(
        d[0].help
            .as_deref()
            .unwrap_or("")
            .contains("match SOURCE -> TARGET"),
        "{d:?}"
    );
    let (_, d, _) = parse("app \"A\" {\n  match a -> b priority 99999999999\n}\n");
    assert_eq!(d.len(), 1, "{d:?}");
}

#[test]
fn s35_joined_operator_words_are_read_with_a_warning() {
    let text = "app \"A\" { filter \"f\" {\n accountEnabled IsTrue\n mail ENDSWITH \"@contoso.com\"\n department NOTEQUALS Sales\n country NOT  EQUALS \"DE\"\n} }";
    let (r, d, sources) = parse(text);
    let c = &r.apps[0].stages[0].filters.groups[0].clauses;
    let ops: Vec<_> = c.iter().map(|c| c.operator.node.known()).collect();
    assert_eq!(
        ops,
        [
            Some(Operator::IsTrue),
            Some(Operator::EndsWith),
            Some(Operator::NotEquals),
            Some(Operator::NotEquals)
        ]
    );
    // runs of blanks between words are the language's own spelling: no warning for them
    assert_eq!(d.len(), 3, "{d:?}");
    assert!(d.iter().all(|d| d.code == Code::OperatorSpelling));
    let spans: Vec<&str> = d
        .iter()
        .map(|d| sources.slice(d.labels[0].source, d.labels[0].span))
        .collect();
    assert_eq!(spans, ["IsTrue", "ENDSWITH", "NOTEQUALS"]);
    assert_eq!(
        c[2].values[0].style,
        ValueStyle::Bare,
        "the bare value after it is kept"
    );
}

#[test]
fn a_hundred_thousand_unclosed_braces_give_one_error_with_a_count() {
    let text = "{".repeat(100_000);
    let start = std::time::Instant::now();
    let (_, d, _) = parse(&text);
    assert!(start.elapsed().as_secs() < 5);
    assert_eq!(d.len(), 1, "{}", d.len());
    assert_eq!(d[0].labels[0].span, Span::new(0, 1));
    assert!(
        d[0].help.as_deref().unwrap_or("").contains("99999 more"),
        "{:?}",
        d[0].help
    );
    let text = "}".repeat(100_000);
    let (_, d, _) = parse(&text);
    assert_eq!(d.len(), 1);
    assert!(d[0].help.as_deref().unwrap_or("").contains("99999 more"));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // balanced, so it reaches the grammar, whose recovery rule recurses per brace
    let text = format!(
        "app \"A\" {{\n{}{}\n}}\n",
        "{".repeat(100_000),
        "}".repeat(100_000)
    );
    let (_, d, _) = parse(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code, Code::NestingTooDeep);
    // the deepest nesting allowed still goes through pest on a test thread
    let depth = MAX_BRACE_DEPTH - 1;
    let text = format!(
        "app \"A\" {{\n{}{}\n}}\n",
        "{".repeat(depth),
        "}".repeat(depth)
    );
    let (_, d, _) = parse(&text);
    assert!(d.iter().all(|d| d.code == Code::Syntax), "{d:?}");
}

#[test]
fn fifty_thousand_random_tokens_parse_fast_without_panic() {
    let tokens = [
        "app",
        "stage",
        "filter",
        "{",
        "}",
        "\"x\"",
        "'y'",
        "EQUALS",
        "IS",
        "TRUE",
        "department",
        "scope",
        "all",
        "123",
        ";",
        "extends",
        "graph",
        "NOT",
        "REGEX",
        "MATCH",
        "=",
        "match",
        "->",
        "priority",
        "flow_types",
        "99999999999999999999",
        "\"A\"",
        "\n",
        "#c\n",
        "\"",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..3 {
        let mut text = String::new();
        let mut depth = 0i64;
        for _ in 0..50_000 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let t = tokens[(seed >> 33) as usize % tokens.len()];
            // the first two rounds keep braces balanced and shallow, so the whole grammar
            // runs (and leave out the lone `"`, whose string swallows braces to the line end)
            if round < 2 && (t == "}" && depth == 0 || t == "{" && depth >= 3 || t == "\"") {
                continue;
            }
            depth += i64::from(t == "{") - i64::from(t == "}");
            text.push_str(t);
            text.push(' ');
        }
        if round < 2 {
            text.push_str(&"}".repeat(usize::try_from(depth.max(0)).unwrap()));
        }
        let start = std::time::Instant::now();
        let (_, d, _) = parse(&text);
        assert!(
            start.elapsed().as_secs() < 10,
            "round {round}: {:?}",
            start.elapsed()
        );
        assert!(!d.is_empty());
        if round < 2 {
            // the grammar ran: many located mistakes, not one brace error
            assert!(d.len() > 100, "round {round}: {}", d.len());
            assert!(
                d.iter()
                    .all(|d| d.code != Code::UnbalancedBrace && d.code != Code::NestingTooDeep)
            );
        }
    }
}
