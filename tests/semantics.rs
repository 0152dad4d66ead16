//! One test per rule of `../shared/spec/semantics.md`, named after it (S1–S22 here; the
//! rollout rules S23–S36 are tested in `rollout.rs`, S30 in `graph.rs`).

use crate::common::*;
use scopesim::directory::from_rows;
use scopesim::eval::{EvalOptions, compile, evaluate, value_warnings};
use scopesim::regex::Anchoring;
use scopesim::rules::check::{CheckOptions, check};
use scopesim::rules::load::load_text;

#[test]
fn s1_null_is_absent_or_empty_text() {
    // absent for the user, and empty text, are both null
    let r = clause_on(
        "department",
        "department IS NULL",
        &[None, Some(""), Some("IT")],
    );
    assert_eq!(r, vec![true, true, false]);
}

#[test]
fn s1_whitespace_only_is_not_null() {
    let r = clause_on("department", "department IS NULL", &[Some(" "), Some("\t")]);
    assert_eq!(r, vec![false, false]);
    let r = clause_on("department", "department IS NOT NULL", &[Some(" ")]);
    assert_eq!(r, vec![true]);
}

#[test]
fn s2_attribute_absent_from_the_whole_export_is_null_for_everyone_and_reported_once() {
    let text = "app \"A\" {\n filter \"a\" { costCenter IS NULL }\n filter \"b\" { costCenter EQUALS \"x\" }\n}\n";
    let dir = from_rows([
        vec![("objectId", "1"), ("department", "IT")],
        vec![("objectId", "2")],
    ]);
    let l = rules(text);
    let plan = compile(&l.rules, &dir, EvalOptions::default()).unwrap();
    let out = evaluate(&plan, &dir);
    assert!(
        out.scoping(0).get(0) && out.scoping(0).get(1),
        "IS NULL is true for everyone"
    );
    let absent: Vec<_> = plan
        .diagnostics
        .iter()
        .filter(|d| d.code == "absent-attribute")
        .collect();
    assert_eq!(absent.len(), 1, "reported once: {:?}", plan.diagnostics);
    assert_eq!(absent[0].rule, Some("S2"));
    assert!(absent[0].message.contains("costCenter"));
}

#[test]
fn s3_names_match_exactly_first_then_ignoring_case_with_a_warning() {
    let dir = from_rows([vec![("department", "IT")]]);
    let l = load_text("t.scope", &one_filter(&["Department EQUALS \"IT\""]), None);
    let plan = compile(&l.rules, &dir, EvalOptions::default()).unwrap();
    assert!(evaluate(&plan, &dir).scoping(0).get(0));
    assert!(
        plan.diagnostics
            .iter()
            .any(|d| d.code == "attribute-case" && d.rule == Some("S3"))
    );
    // exact wins when both spellings exist
    let dir = from_rows([vec![("department", "IT"), ("Department", "Sales")]]);
    let plan = compile(&l.rules, &dir, EvalOptions::default()).unwrap();
    assert!(!evaluate(&plan, &dir).scoping(0).get(0));
    assert!(plan.diagnostics.is_empty());
}

#[test]
fn s4_booleans_read_true_false_in_any_case_ignoring_white_space() {
    let vals = [
        Some("True"),
        Some("true"),
        Some("TRUE"),
        Some(" true "),
        Some("False"),
        Some("yes"),
        Some("1"),
        None,
    ];
    assert_eq!(
        clause_on("accountEnabled", "accountEnabled IS TRUE", &vals),
        vec![true, true, true, true, false, false, false, false]
    );
}

#[test]
fn s4_unreadable_booleans_are_counted() {
    let dir = from_rows([
        vec![("accountEnabled", "yes")],
        vec![("accountEnabled", "True")],
        vec![("accountEnabled", "")],
    ]);
    let (plan, out, _) = run_with(
        &one_filter(&["accountEnabled IS TRUE"]),
        dir,
        EvalOptions::default(),
    );
    assert_eq!(plan.clauses.len(), 1);
    assert_eq!(out.unreadable(0), 1, "only `yes`; null is not unreadable");
}

#[test]
fn s4_string_operators_see_booleans_as_dotnet_renders_them() {
    // Entra renders Booleans as `True`/`False` whatever the export wrote (G-POD).
    let r = clause_on(
        "accountEnabled",
        "accountEnabled EQUALS \"True\"",
        &[Some("true"), Some("True"), Some("TRUE")],
    );
    assert_eq!(r, vec![true, true, true]);
    let r = clause_on(
        "accountEnabled",
        "accountEnabled EQUALS \"true\"",
        &[Some("true")],
    );
    assert_eq!(r, vec![false]);
}

#[test]
fn s5_equals_is_ordinal_and_case_sensitive() {
    let r = clause_on(
        "department",
        "department EQUALS \"Sales\"",
        &[
            Some("Sales"),
            Some("sales"),
            Some("Sales "),
            Some("SALES"),
            None,
        ],
    );
    assert_eq!(r, vec![true, false, false, false, false]);
    // ordinal: no Unicode normalisation (é precomposed vs combining)
    let r = clause_on(
        "city",
        "city EQUALS \"Bogot\u{e1}\"",
        &[Some("Bogot\u{e1}"), Some("Bogota\u{301}")],
    );
    assert_eq!(r, vec![true, false]);
}

#[test]
fn s6_not_equals_is_false_on_null() {
    let r = clause_on(
        "employeeType",
        "employeeType NOT EQUALS \"Contractor\"",
        &[
            Some("Employee"),
            Some("Contractor"),
            Some("contractor"),
            Some(""),
            None,
        ],
    );
    assert_eq!(r, vec![true, false, true, false, false]);
}

#[test]
fn s7_regex_match_is_unanchored_like_dotnet_is_match() {
    // The doc's own example: `([1-9][0-9])` also matches "100" under IsMatch.
    let r = clause_on(
        "extensionAttribute1",
        "extensionAttribute1 REGEX MATCH '([1-9][0-9])'",
        &[Some("42"), Some("100"), Some("7"), None],
    );
    assert_eq!(r, vec![true, true, false, false]);
    // case-sensitive
    let r = clause_on(
        "country",
        "country REGEX MATCH '^(DE|FR)$'",
        &[Some("DE"), Some("de"), Some("DEU")],
    );
    assert_eq!(r, vec![true, false, false]);
}

#[test]
fn s7_full_anchoring_is_an_option() {
    let text = one_filter(&["extensionAttribute1 REGEX MATCH '([1-9][0-9])'"]);
    let users: [&[(&str, &str)]; 2] = [
        &[("extensionAttribute1", "42")],
        &[("extensionAttribute1", "100")],
    ];
    let full = EvalOptions {
        anchoring: Anchoring::Full,
    };
    assert_eq!(in_scope_with(&text, &users, full), vec![true, false]);
    assert_eq!(in_scope(&text, &users), vec![true, true]);
}

#[test]
fn s8_not_regex_match_is_false_on_null() {
    let r = clause_on(
        "mail",
        "mail NOT REGEX MATCH '@contoso\\.com$'",
        &[
            Some("a@fabrikam.com"),
            Some("a@contoso.com"),
            Some(""),
            None,
        ],
    );
    assert_eq!(r, vec![true, false, false, false]);
}

#[test]
fn s9_includes_is_an_ordinal_case_sensitive_substring_test() {
    let r = clause_on(
        "jobTitle",
        "jobTitle Includes \"Engineer\"",
        &[
            Some("Senior Engineer"),
            Some("engineer"),
            Some("Engineering"),
            Some("Eng"),
            None,
        ],
    );
    assert_eq!(r, vec![true, false, true, false, false]);
    // an empty needle is contained in every non-null value (String.Contains(""))
    let r = clause_on("jobTitle", "jobTitle Includes \"\"", &[Some("x"), None]);
    assert_eq!(r, vec![true, false]);
}

#[test]
fn s10_ends_with_is_ordinal_and_case_sensitive() {
    let r = clause_on(
        "mail",
        "mail ENDS_WITH \"@contoso.com\"",
        &[
            Some("a@contoso.com"),
            Some("a@Contoso.com"),
            Some("a@contoso.com.evil"),
            None,
        ],
    );
    assert_eq!(r, vec![true, false, false, false]);
}

#[test]
fn s11_greater_than_compares_integers() {
    let r = clause_on(
        "extensionAttribute1",
        "extensionAttribute1 Greater_Than \"100\"",
        &[
            Some("101"),
            Some("100"),
            Some("99"),
            Some("1000"),
            Some("n/a"),
            None,
        ],
    );
    // "1000" > 100 as integers (a string comparison would say "1000" < "101")
    assert_eq!(r, vec![true, false, false, true, false, false]);
}

#[test]
fn s12_greater_than_or_equals_compares_integers() {
    let r = clause_on(
        "extensionAttribute1",
        "extensionAttribute1 Greater_Than_OR_EQUALS \"100\"",
        &[Some("101"), Some("100"), Some("99"), None],
    );
    assert_eq!(r, vec![true, true, false, false]);
}

#[test]
fn s13_is_true_reads_boolean_true() {
    let r = clause_on(
        "accountEnabled",
        "accountEnabled IS TRUE",
        &[Some("True"), Some("False"), None],
    );
    assert_eq!(r, vec![true, false, false]);
}

#[test]
fn s14_is_false_reads_boolean_false_and_null_is_not_false() {
    let r = clause_on(
        "accountEnabled",
        "accountEnabled IS FALSE",
        &[
            Some("False"),
            Some("false"),
            Some("True"),
            Some(""),
            None,
            Some("no"),
        ],
    );
    assert_eq!(r, vec![true, true, false, false, false, false]);
}

#[test]
fn s15_is_null_is_true_for_null_only() {
    let r = clause_on(
        "mobile",
        "mobile IS NULL",
        &[None, Some(""), Some("+49 30 1")],
    );
    assert_eq!(r, vec![true, true, false]);
}

#[test]
fn s16_is_not_null_is_true_for_any_text() {
    let r = clause_on(
        "mobile",
        "mobile IS NOT NULL",
        &[None, Some(""), Some("+49 30 1"), Some(" ")],
    );
    assert_eq!(r, vec![false, false, true, true]);
}

#[test]
fn s17_bitwise_operators_parse_and_convert_but_are_refused_for_evaluation() {
    let text = one_filter(&["extensionAttribute1 & \"4\""]);
    let l = load_text("t.scope", &text, None);
    assert!(l.diagnostics.is_empty(), "parses: {:?}", l.diagnostics);
    let d = check(&l.rules, CheckOptions::default());
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].rule, Some("S17"));
    let dir = from_rows([vec![("extensionAttribute1", "4")]]);
    let e = compile(&l.rules, &dir, EvalOptions::default()).unwrap_err();
    assert_eq!(e[0].code, "undocumented-operator");
    assert!(
        e[0].message.contains("&"),
        "names the operator: {}",
        e[0].message
    );
    assert_eq!(
        &text[e[0].labels[0].span.start..e[0].labels[0].span.end],
        "&"
    );
}

#[test]
fn s18_integers_read_like_dotnet_int64_parse_and_unreadable_users_are_counted() {
    let vals = [
        Some("007"),
        Some(" 8 "),
        Some("+9"),
        Some("-20"),
        Some("1.5"),
        Some("9223372036854775808"),
        Some("ten"),
    ];
    let r = clause_on(
        "extensionAttribute1",
        "extensionAttribute1 Greater_Than_OR_EQUALS \"7\"",
        &vals,
    );
    assert_eq!(r, vec![true, true, true, false, false, false, false]);
    let dir = from_rows(
        vals.iter()
            .map(|v| vec![("extensionAttribute1", v.unwrap_or(""))]),
    );
    let (_, out, _) = run_with(
        &one_filter(&["extensionAttribute1 Greater_Than \"7\""]),
        dir,
        EvalOptions::default(),
    );
    assert_eq!(out.unreadable(0), 3);
    // the rule's own value must be an integer
    let l = load_text(
        "t.scope",
        &one_filter(&["extensionAttribute1 Greater_Than \"7.5\""]),
        None,
    );
    let d = check(&l.rules, CheckOptions::default());
    assert_eq!(d[0].code, "not-an-integer");
    assert_eq!(d[0].rule, Some("S18"));
}

#[test]
fn s19_patterns_follow_dotnet_syntax() {
    // the doc's `.*\@domain.com` escapes `@`, which .NET allows and Rust's regex does not
    let r = clause_on(
        "mail",
        "mail REGEX MATCH '.*\\@contoso.com'",
        &[Some("jane@contoso.com"), Some("jane@fabrikam.com")],
    );
    assert_eq!(r, vec![true, false]);
    // look-behind needs the backtracking engine
    let r = clause_on(
        "mail",
        "mail REGEX MATCH '(?<=@)contoso'",
        &[Some("a@contoso.com"), Some("contoso")],
    );
    assert_eq!(r, vec![true, false]);
    // .NET character-class subtraction is translated
    let r = clause_on(
        "department",
        "department REGEX MATCH '^[A-Z-[AEIOU]]{2}$'",
        &[Some("IT"), Some("HR"), Some("EU")],
    );
    assert_eq!(r, vec![false, true, false]);
    // a balancing group (.NET's capture stacks) cannot be simulated: an error with a
    // span inside the pattern
    let text = one_filter(&["department REGEX MATCH '(?<o>x)(?<c-o>y)'"]);
    let l = load_text("t.scope", &text, None);
    let d = check(&l.rules, CheckOptions::default());
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].rule, Some("S19"));
    assert_eq!(d[0].code, "regex-not-simulated");
    assert!(
        d[0].message.contains("cannot be simulated"),
        "{}",
        d[0].message
    );
    let pattern_at = text.find("'(").unwrap() + 1;
    let span = d[0].labels[0].span;
    assert_eq!(&text[span.start..span.end], "(?<c-o>");
    assert!(span.start > pattern_at, "{span:?}");
}

#[test]
fn s19_a_pattern_that_gives_up_leaves_the_clause_false_and_says_what_was_assumed() {
    // 32 `a`s and no `b`: the look-ahead makes the backtracking engine give up.
    let hopeless = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!";
    for (operator, assumed, holds_for_ab) in [
        (
            "REGEX MATCH",
            "assumed not to match, so `REGEX MATCH` is false",
            true,
        ),
        (
            "NOT REGEX MATCH",
            "assumed to match, so `NOT REGEX MATCH` is false",
            false,
        ),
    ] {
        let text = one_filter(&[&format!("extensionAttribute1 {operator} '(?:(?=a)a|a)+b'")]);
        let dir = from_rows([
            vec![("objectId", "1"), ("extensionAttribute1", hopeless)],
            vec![("objectId", "2"), ("extensionAttribute1", "ab")],
        ]);
        let (plan, out, _) = run_with(&text, dir, EvalOptions::default());
        assert!(!out.scoping(0).get(0), "{operator}: the clause is false");
        assert_eq!(out.scoping(0).get(1), holds_for_ab, "{operator}");
        let w = value_warnings(&plan, &out);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].rule, Some("S19"));
        assert!(
            w[0].message.contains("gave up on 1 user"),
            "{}",
            w[0].message
        );
        assert!(w[0].message.contains(assumed), "{}", w[0].message);
    }
}

#[test]
fn s34_regex_counts_utf16_units_in_directory_values() {
    // `.` is one UTF-16 unit: an emoji is two, `é` one.
    let r = clause_on(
        "displayName",
        "displayName REGEX MATCH '^.{2}$'",
        &[Some("😀"), Some("ab"), Some("é"), Some("😀a")],
    );
    assert_eq!(r, vec![true, true, false, false]);
    let r = clause_on(
        "displayName",
        "displayName NOT REGEX MATCH '^\\w+$'",
        &[Some("Ana"), Some("Ana😀"), Some("किताब")],
    );
    // `😀` is no word character, nor are the spacing marks U+093F and U+093E of
    // `किताब` to .NET (Rust's own `\w` would count them)
    assert_eq!(r, vec![false, true, true]);
}

#[test]
fn s20_unsupported_attributes_are_errors() {
    for clause in [
        "userType EQUALS \"Guest\"",
        "manager IS NOT NULL",
        "proxyAddresses Includes \"smtp:\"",
        "appRoleAssignments IS NOT NULL",
        "memberOf EQUALS \"x\"",
        "employeeHireDate IS NOT NULL",
    ] {
        let l = load_text("t.scope", &one_filter(&[clause]), None);
        let d = check(&l.rules, CheckOptions::default());
        assert!(
            d.iter().any(|d| d.rule == Some("S20") && d.is_error()),
            "{clause}: {d:?}"
        );
        let e = compile(
            &l.rules,
            &from_rows([vec![("x", "y")]]),
            EvalOptions::default(),
        )
        .unwrap_err();
        assert_eq!(e[0].rule, Some("S20"));
    }
}

#[test]
fn s20_multi_valued_columns_cannot_be_filtered() {
    use scopesim::directory::{Chunk, ColumnData, ColumnKind, Directory, ListColumn};
    let mut b = Directory::builder();
    let c = b.column("customList", "customList", ColumnKind::List);
    let mut l = ListColumn::default();
    l.push(["a", "b"]);
    let mut cols = vec![ColumnData::Absent; c + 1];
    cols[c] = ColumnData::List(l);
    b.push_chunk(Chunk::new(1, cols));
    let dir = b.build();
    let rules = load_text("t.scope", &one_filter(&["customList EQUALS \"a\""]), None);
    let e = compile(&rules.rules, &dir, EvalOptions::default()).unwrap_err();
    assert_eq!(e[0].rule, Some("S20"));
}

#[test]
fn s21_a_clause_takes_exactly_one_value_and_unary_values_may_be_absent_null_or_empty() {
    let several = r#"{"groups":[{"name":"x","clauses":[{"sourceOperandName":"department","operatorName":"EQUALS","targetOperand":{"values":["a","b"]}}]}]}"#;
    let l = load_text("s.json", several, None);
    let d = check(&l.rules, CheckOptions::default());
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].rule, Some("S21"));
    for unary in [
        r#"{"sourceOperandName":"accountEnabled","operatorName":"IS TRUE"}"#,
        r#"{"sourceOperandName":"accountEnabled","operatorName":"IS TRUE","targetOperand":null}"#,
        r#"{"sourceOperandName":"accountEnabled","operatorName":"IS TRUE","targetOperand":{"values":null}}"#,
        r#"{"sourceOperandName":"accountEnabled","operatorName":"IS TRUE","targetOperand":{"values":[]}}"#,
    ] {
        let text = format!(r#"{{"groups":[{{"name":"x","clauses":[{unary}]}}]}}"#);
        let l = load_text("s.json", &text, None);
        assert!(
            l.diagnostics.is_empty() && check(&l.rules, CheckOptions::default()).is_empty(),
            "{unary}"
        );
    }
}

#[test]
fn s22_clauses_are_anded_filters_are_ored_and_no_filter_means_everyone() {
    let text = "app \"A\" {\n stage \"s\" {\n  filter \"IT DE\" {\n   department EQUALS \"IT\"\n   country EQUALS \"DE\"\n  }\n  filter \"Sales\" {\n   department EQUALS \"Sales\"\n  }\n }\n stage \"all\" { }\n}\n";
    let users: [&[(&str, &str)]; 4] = [
        &[("department", "IT"), ("country", "DE")],
        &[("department", "IT"), ("country", "FR")],
        &[("department", "Sales"), ("country", "US")],
        &[("department", "HR"), ("country", "DE")],
    ];
    assert_eq!(in_scope(text, &users), vec![true, false, true, false]);
    let dir = from_rows(users.iter().map(|u| u.iter().copied()));
    let (_, out, _) = run_with(text, dir, EvalOptions::default());
    assert_eq!(
        out.scoping(1).count(),
        4,
        "a stage without filters puts everyone in scope"
    );
}

/// A directory read from a file of this content, every column kept.
fn read_text(name: &str, text: &str) -> scopesim::directory::Directory {
    use scopesim::directory::{ColumnSelection, NoProgress, ReadOptions, read_directory};
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    let opts = ReadOptions {
        columns: ColumnSelection::all(),
        ..ReadOptions::default()
    };
    read_directory(&[p], &opts, &NoProgress).unwrap_or_else(|e| panic!("{e:#?}"))
}

#[test]
fn s4_a_graph_json_boolean_compares_as_true_exactly_as_the_same_tenant_exported_as_csv() {
    const EXT: &str = "extension_5bfc8fdacfc943a9a6de214ea9d15fdb_isManager";
    // one tenant, as Graph `/users` writes it and as Get-MgUser | Export-Csv writes it
    let json = format!(
        r#"{{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[
{{"id":"1","accountEnabled":true,"{EXT}":true}},
{{"id":"2","accountEnabled":false,"{EXT}":false}},
{{"id":"3","accountEnabled":true,"{EXT}":null}}]}}"#
    );
    let csv = format!(
        "\"Id\",\"AccountEnabled\",\"{EXT}\"\n\"1\",\"True\",\"True\"\n\"2\",\"False\",\"False\"\n\"3\",\"True\",\"\"\n"
    );
    let from_json = read_text("users.json", &json);
    let from_csv = read_text("users.csv", &csv);
    for clause in [
        format!("{EXT} EQUALS \"True\""),
        format!("{EXT} NOT EQUALS \"True\""),
        format!("{EXT} EQUALS \"False\""),
        format!("{EXT} IS TRUE"),
        "accountEnabled EQUALS \"True\"".to_string(),
        "accountEnabled NOT EQUALS \"False\"".to_string(),
    ] {
        let text = format!("app \"A\" {{\n scope all\n filter \"f\" {{ {clause} }}\n}}\n");
        let got = |dir: &scopesim::directory::Directory| -> Vec<bool> {
            let (_, out, dir) = run_with(&text, dir.clone(), EvalOptions::default());
            (0..dir.len()).map(|i| out.scoping(0).get(i)).collect()
        };
        assert_eq!(got(&from_json), got(&from_csv), "{clause}");
    }
    let text = format!("app \"A\" {{\n scope all\n filter \"f\" {{ {EXT} EQUALS \"True\" }}\n}}\n");
    let (_, out, _) = run_with(&text, from_json, EvalOptions::default());
    assert_eq!(
        (0..3).map(|i| out.scoping(0).get(i)).collect::<Vec<_>>(),
        vec![true, false, false]
    );
}

#[test]
fn s18_signs_leading_zeros_and_white_space_read_like_int64_parse_and_are_counted_in_a_plan_warning()
{
    let vals = [
        Some("+101"),
        Some("0101"),
        Some(" 150 "),
        Some("-5"),
        Some("150"),
        Some("99"),
    ];
    let r = clause_on(
        "extensionAttribute1",
        "extensionAttribute1 Greater_Than \"100\"",
        &vals,
    );
    assert_eq!(r, vec![true, true, true, false, true, false], "as today");
    let dir = from_rows(
        vals.iter()
            .map(|v| vec![("extensionAttribute1", v.unwrap_or(""))]),
    );
    let (plan, out, _) = run_with(
        &one_filter(&["extensionAttribute1 Greater_Than \"100\""]),
        dir,
        EvalOptions::default(),
    );
    assert_eq!(out.noncanonical(0), 4);
    let w = scopesim::eval::value_warnings(&plan, &out);
    let w = w
        .iter()
        .find(|w| w.code == "non-canonical-integer")
        .unwrap();
    assert_eq!(w.rule, Some("S18"));
    assert!(
        w.message.starts_with("4 users have a `extensionAttribute1` written with a sign, leading zeros or white space (e.g. \"+101\", \"0101\", \" 150 \")"),
        "{}",
        w.message
    );
    // the rule side too: read as Int64.Parse, with a warning in the plan
    for v in ["+100", "0100", "-1", " 100"] {
        let (plan, _, _) = run_with(
            &one_filter(&[&format!("extensionAttribute1 Greater_Than \"{v}\"")]),
            from_rows([vec![("extensionAttribute1", "150")]]),
            EvalOptions::default(),
        );
        assert!(
            plan.diagnostics
                .iter()
                .any(|d| d.code == "non-canonical-integer" && !d.labels.is_empty()),
            "{v}: {:#?}",
            plan.diagnostics
        );
    }
}
