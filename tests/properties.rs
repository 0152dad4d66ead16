//! Property tests: the compiled, parallel evaluator agrees with the simple reference
//! interpreter; printing and parsing rules round-trip; Graph JSON round-trips.

use proptest::prelude::*;
use scopesim::directory::{Chunk, ColumnData, ColumnKind, Directory, TextColumn};
use scopesim::eval::reference;
use scopesim::eval::{EvalOptions, compile, evaluate};
use scopesim::regex::Anchoring;
use scopesim::rules::check::{CheckOptions, check};
use scopesim::rules::graph_json::scope_json;
use scopesim::rules::load::load_text;
use scopesim::rules::print::{PrintOptions, print_rules, value_literal};
use scopesim::rules::resolve::stage_view;
use std::collections::HashMap;

const ATTRS: &[&str] = &[
    "department",
    "country",
    "accountEnabled",
    "extensionAttribute1",
    "jobTitle",
    "Department",
];
const VALUES: &[&str] = &[
    "", " ", "IT", "it", "Sales", "Sales ", "DE", "de", "True", "true", "FALSE", "yes", "007", "7",
    "-3", "100", "1e3", "a\"b", "x\\y", "Zoë",
];
const PATTERNS: &[&str] = &[
    "^(DE|FR)$",
    "[0-9]+",
    "^S",
    "e$",
    "(?i)sales",
    "a|b",
    "^$",
    "\\d{3}",
    "(?<=S)a",
];
const OPS: &[&str] = &[
    "EQUALS",
    "NOT EQUALS",
    "Includes",
    "ENDS_WITH",
    "REGEX MATCH",
    "NOT REGEX MATCH",
    "Greater_Than",
    "Greater_Than_OR_EQUALS",
    "IS TRUE",
    "IS FALSE",
    "IS NULL",
    "IS NOT NULL",
];

fn clause() -> impl Strategy<Value = String> {
    (
        0..ATTRS.len(),
        0..OPS.len(),
        0..VALUES.len(),
        0..PATTERNS.len(),
        -5i64..120,
    )
        .prop_map(|(a, o, v, p, n)| {
            let op = OPS[o];
            let value = match op {
                "IS TRUE" | "IS FALSE" | "IS NULL" | "IS NOT NULL" => String::new(),
                "REGEX MATCH" | "NOT REGEX MATCH" => format!(" {}", value_literal(PATTERNS[p])),
                "Greater_Than" | "Greater_Than_OR_EQUALS" => format!(" \"{n}\""),
                _ => format!(" {}", value_literal(VALUES[v])),
            };
            format!("{} {op}{value}", ATTRS[a])
        })
}

fn rules_text() -> impl Strategy<Value = String> {
    let filter = prop::collection::vec(clause(), 0..4);
    let stage = prop::collection::vec(filter, 0..4);
    prop::collection::vec(stage, 1..4).prop_map(|stages| {
        let mut s = String::from("app \"P\" {\n");
        for (i, filters) in stages.iter().enumerate() {
            s.push_str(&format!("  stage \"s{i}\" {{\n"));
            for (j, clauses) in filters.iter().enumerate() {
                s.push_str(&format!("    filter \"f{j}\" {{\n"));
                for c in clauses {
                    s.push_str(&format!("      {c}\n"));
                }
                s.push_str("    }\n");
            }
            s.push_str("  }\n");
        }
        s.push_str("}\n");
        s
    })
}

type Row = Vec<Option<usize>>;

fn users() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        prop::collection::vec(prop::option::of(0..VALUES.len()), ATTRS.len() - 1),
        0..150,
    )
}

/// A directory of the generated users, split into row groups of `chunk` users; the last
/// attribute of ATTRS (`Department`) is never a column, to exercise S2/S3.
fn directory(rows: &[Row], chunk: usize) -> Directory {
    let mut b = Directory::builder();
    let cols: Vec<usize> = ATTRS[..ATTRS.len() - 1]
        .iter()
        .map(|a| {
            b.saw_attribute(a, ColumnKind::Text);
            b.column(a, a, ColumnKind::Text)
        })
        .collect();
    for part in rows.chunks(chunk.max(1)) {
        let mut data = vec![ColumnData::Absent; cols.len()];
        for (ci, &c) in cols.iter().enumerate() {
            let mut t = TextColumn::default();
            for r in part {
                match r[ci] {
                    Some(v) => {
                        t.push(VALUES[v]);
                    }
                    None => t.push_null(),
                }
            }
            data[c] = ColumnData::Text(t);
        }
        b.push_chunk(Chunk::new(part.len(), data));
    }
    b.build()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn compiled_evaluator_agrees_with_the_reference_interpreter(
        text in rules_text(),
        rows in users(),
        chunk in 1usize..70,
        full in any::<bool>(),
    ) {
        let anchoring = if full { Anchoring::Full } else { Anchoring::Partial };
        let l = load_text("p.scope", &text, None);
        prop_assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
        let errors: Vec<_> = check(&l.rules, CheckOptions { anchoring }).into_iter().filter(|d| d.is_error()).collect();
        prop_assert!(errors.is_empty(), "{errors:?}");
        let dir = directory(&rows, chunk);
        let plan = compile(&l.rules, &dir, EvalOptions { anchoring }).unwrap();
        let out = evaluate(&plan, &dir);
        let app = &l.rules.apps[0];
        for (s, _) in app.stages.iter().enumerate() {
            let view = stage_view(app, s);
            for (i, r) in rows.iter().enumerate() {
                let user: HashMap<&str, &str> = r
                    .iter()
                    .enumerate()
                    .filter_map(|(ci, v)| v.map(|v| (ATTRS[ci], VALUES[v])))
                    .collect();
                let expected = reference::passes_scoping(&view, &user, anchoring).unwrap();
                prop_assert_eq!(out.scoping(s).get(i), expected, "stage {} user {} {:?}\n{}", s, i, user, text);
            }
        }
    }

    #[test]
    fn printing_then_parsing_gives_the_same_rules(text in rules_text()) {
        let l = load_text("p.scope", &text, None);
        let printed = print_rules(&l.rules, PrintOptions::default());
        let again = load_text("q.scope", &printed, None);
        prop_assert!(again.diagnostics.is_empty(), "{:?}\n{}", again.diagnostics, printed);
        prop_assert_eq!(print_rules(&again.rules, PrintOptions::default()), printed.clone());
        // same clauses, values and operators (spans differ)
        let flat = |r: &scopesim::rules::RuleSet| -> Vec<String> {
            r.apps.iter().flat_map(|a| a.stages.iter()).flat_map(|s| s.filters.iter())
                .flat_map(|f| f.clauses.iter().map(move |c| format!("{}|{:?}|{:?}|{:?}", f.name.node, c.attribute.node, c.operator.node, c.values.iter().map(|v| &v.text).collect::<Vec<_>>())))
                .collect()
        };
        prop_assert_eq!(flat(&l.rules), flat(&again.rules));
    }

    #[test]
    fn graph_json_round_trips_through_rules(text in rules_text()) {
        let l = load_text("p.scope", &text, None);
        let app = &l.rules.apps[0];
        for s in 0..app.stages.len() {
            let v = stage_view(app, s);
            let json = scope_json(v.scoping.iter().copied(), v.input.iter().copied(), v.category.iter().copied());
            let json_text = serde_json::to_string_pretty(&json).unwrap();
            let back = load_text("s.json", &json_text, None);
            prop_assert!(back.diagnostics.is_empty(), "{:?}", back.diagnostics);
            let printed = print_rules(&back.rules, PrintOptions::default());
            let again = load_text("s.scope", &printed, None);
            let v2 = stage_view(&again.rules.apps[0], 0);
            let json2 = scope_json(v2.scoping.iter().copied(), v2.input.iter().copied(), v2.category.iter().copied());
            prop_assert_eq!(json, json2);
        }
    }
}

/// Text built from the rule language's own tokens, shuffled: near-misses of real files.
fn token_soup() -> impl Strategy<Value = String> {
    let tokens = prop::sample::select(vec![
        "app",
        "stage",
        "filter",
        "input_filter",
        "extends",
        "graph",
        "scope",
        "all",
        "assigned",
        "\"A\"",
        "'x'",
        "\"",
        "'",
        "{",
        "}",
        "\n",
        " ",
        "\t",
        ";",
        "#c\n",
        "department",
        "EQUALS",
        "NOT",
        "REGEX",
        "MATCH",
        "IS",
        "TRUE",
        "NULL",
        "_",
        "&",
        "!&",
        "42",
        "-1",
        "\\",
        "\\\"",
        "é",
        "\u{feff}",
        "deletion_threshold",
        "skip_out_of_scope_deletions",
        "\r\n",
    ]);
    prop::collection::vec(tokens, 0..60).prop_map(|t| t.concat())
}

fn json_soup() -> impl Strategy<Value = String> {
    let tokens = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "\"groups\"",
        "\"clauses\"",
        "\"name\"",
        "\"sourceOperandName\"",
        "\"operatorName\"",
        "\"targetOperand\"",
        "\"values\"",
        "\"EQUALS\"",
        "\"IS NULL\"",
        "\"x\"",
        "null",
        "true",
        "1",
        "\"\\u00e9\"",
        "\"\\\\\"",
        " ",
        "\"synchronizationRules\"",
        "\"objectMappings\"",
        "\"sourceObjectName\"",
        "\"User\"",
        "\"scope\"",
        "\"apps\"",
        "\"stages\"",
    ]);
    prop::collection::vec(tokens, 0..80).prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// The parsers and the checker never panic, and every diagnostic's span fits the text.
    #[test]
    fn rule_parser_never_panics_and_spans_fit(text in token_soup()) {
        let l = load_text("soup.scope", &text, None);
        let mut d = l.diagnostics.clone();
        d.extend(check(&l.rules, CheckOptions::default()));
        for diag in &d {
            for label in &diag.labels {
                let src = l.sources.get(label.source).unwrap();
                prop_assert!(label.span.end <= src.text.len(), "{diag:?}");
            }
        }
    }

    #[test]
    fn graph_json_reader_never_panics_and_spans_fit(text in json_soup()) {
        let l = load_text("soup.json", &text, None);
        let mut d = l.diagnostics.clone();
        d.extend(check(&l.rules, CheckOptions::default()));
        for diag in &d {
            for label in &diag.labels {
                let src = l.sources.get(label.source).unwrap();
                prop_assert!(label.span.end <= src.text.len(), "{diag:?}");
            }
        }
    }
}
