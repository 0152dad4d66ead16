//! Attribute-mapping expressions: `scopesim expression` as a user runs it, and the round
//! trips of the expression language (text → tree → text, tree → Graph JSON → tree).

use assert_cmd::Command;
use proptest::prelude::*;
use scopesim::mapping::functions::FUNCTIONS;
use scopesim::mapping::json::{from_json, to_json, tree_eq};
use scopesim::mapping::parse::parse_source;
use scopesim::mapping::print::print;
use scopesim::mapping::{Arg, Call, Compare, CompareOp, Expr, ExprKind};
use scopesim::rules::json_tree::parse_json;
use scopesim::source::Sources;
use serde_json::Value as JValue;

fn scopesim() -> Command {
    let mut c = Command::cargo_bin("scopesim").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = scopesim().args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn s39_expression_evaluates_the_documented_append_example() {
    let (code, out, err) = run(&[
        "expression",
        r#"Append([userPrincipalName], ".test")"#,
        "--set",
        "userPrincipalName=John.Doe@contoso.com",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "expression:   Append([userPrincipalName], \".test\")\nresult:       \"John.Doe@contoso.com.test\"\n"
    );
    assert!(err.is_empty(), "{err}");
}

#[test]
fn s39_expression_json_matches_graph_parse_expression() {
    // GD-PARSE: `Replace([preferredLanguage], "-", , , "_", , )` with preferredLanguage
    // "EN-US" gives evaluationResult ["EN_US"] and a tree with the keys source, Find,
    // Replacement.
    let (code, out, _) = run(&[
        "expression",
        r#"Replace([preferredLanguage], "-", , , "_", , )"#,
        "--set",
        "preferredLanguage=EN-US",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let j: JValue = serde_json::from_str(&out).unwrap();
    assert_eq!(j["parsingSucceeded"], true);
    assert_eq!(j["evaluationSucceeded"], true);
    assert_eq!(j["evaluationResult"], serde_json::json!(["EN_US"]));
    assert_eq!(j["error"], JValue::Null);
    let keys: Vec<&str> = j["parsedExpression"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["source", "Find", "Replacement"]);
    assert_eq!(
        j["parsedExpression"]["expression"],
        r#"Replace([preferredLanguage], "-", , , "_", , )"#
    );
}

#[test]
fn s39_a_case_mistake_is_an_unknown_function_with_a_did_you_mean_and_exit_2() {
    let (code, out, err) = run(&[
        "expression",
        r#"append([mail], ".test")"#,
        "--set",
        "mail=a",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown function `append`"), "{err}");
    assert!(
        err.contains("did you mean `Append`? the syntax is case-sensitive"),
        "{err}"
    );
    assert!(out.contains("not evaluated"), "{out}");
    let (code, _, err) = run(&[
        "--error-format",
        "json",
        "expression",
        r#"append([mail], ".test")"#,
    ]);
    assert_eq!(code, 2);
    let first: JValue = serde_json::from_str(err.lines().next().unwrap()).unwrap();
    assert_eq!(first["code"], "unknown-function");
    assert_eq!(first["labels"][0]["start"]["column"], 1);
}

#[test]
fn s39_iif_on_a_null_source_fails_for_the_user_with_exit_2() {
    let (code, out, err) = run(&[
        "expression",
        r#"IIF([country]="USA",[country],[department])"#,
        "--set",
        "department=Sales",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("IIF's condition check fails"), "{err}");
    assert!(out.contains("the evaluation fails"), "{out}");
}

#[test]
fn expression_states_the_fixed_inputs_it_used() {
    let (code, out, _) = run(&[
        "expression",
        r#"DateDiff("d", Now(), CDate([StatusHireDate]))"#,
        "--set",
        "StatusHireDate=2021-08-31+08:00",
        "--now",
        "2021-08-25T17:41:18Z",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("result:       \"4\""), "{out}");
    assert!(
        out.contains("Now() = 8/25/2021 5:41:18 PM (2021-08-25T17:41:18Z, --now)"),
        "{out}"
    );
    let (_, out, _) = run(&["expression", "CStr(Now())"]);
    assert!(out.contains("the system clock; pin it with --now"), "{out}");
    let (_, out, _) = run(&["expression", "Guid()", "--seed", "3", "--format", "json"]);
    let j: JValue = serde_json::from_str(&out).unwrap();
    assert_eq!(j["fixedInputs"]["seed"], 3);
}

#[test]
fn expression_lists_and_empty_values() {
    let (code, out, _) = run(&[
        "expression",
        "Item([proxyAddresses], 2)",
        "--set-list",
        "proxyAddresses=SMTP:a@contoso.com,smtp:b@contoso.com",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("\"smtp:b@contoso.com\""), "{out}");
    let (_, out, _) = run(&["expression", "IsNull([mail])", "--set", "mail="]);
    assert!(out.contains("\"False\""), "{out}");
    let (_, out, _) = run(&["expression", "IsNullOrEmpty([mail])", "--set", "mail="]);
    assert!(out.contains("\"True\""), "{out}");
}

#[test]
fn expression_bad_input_is_exit_2_never_a_crash() {
    let (code, _, err) = run(&["expression", "[mail]", "--set", "mail"]);
    assert_eq!(code, 2);
    assert!(err.contains("NAME=VALUE"), "{err}");
    let (code, _, err) = run(&["expression", "Now()", "--now", "yesterday"]);
    assert_eq!(code, 2);
    assert!(err.contains("`--now yesterday` is not a time"), "{err}");
    // 20,000 nested calls (an argument the OS accepts): two located errors (length,
    // depth), no stack overflow. The parser's own test nests 100,000.
    let deep = format!("{}[a]{}", "Not(".repeat(20_000), ")".repeat(20_000));
    let (code, _, err) = run(&["--error-format", "json", "expression", &deep]);
    assert_eq!(code, 2);
    assert!(err.contains("expression-too-long"), "{err}");
    assert!(err.contains("expression-too-deep"), "{err}");
}

// ---------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------

fn parse(text: &str) -> Option<Expr> {
    let mut s = Sources::new();
    let id = s.add("e", None, text);
    parse_source(&s, id).0
}

fn read_json(text: &str) -> Expr {
    let mut s = Sources::new();
    let id = s.add("tree.json", None, text);
    let j = parse_json(text, id).unwrap();
    match from_json(&j, &mut s, id, "test") {
        Ok(e) => e,
        Err(e) => panic!("{text}: {e:?}"),
    }
}

fn strip_expressions(j: &mut JValue) {
    match j {
        JValue::Object(m) => {
            m.remove("expression");
            for v in m.values_mut() {
                strip_expressions(v);
            }
        }
        JValue::Array(a) => a.iter_mut().for_each(strip_expressions),
        _ => {}
    }
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        "[a-zA-Z_][a-zA-Z0-9_ .:-]{0,12}".prop_map(|n| Expr::new(ExprKind::Attribute(n))),
        "(?s).{0,12}".prop_map(|s| Expr::new(ExprKind::Str(s))),
        any::<i32>().prop_map(|n| Expr::new(ExprKind::Number(i64::from(n)))),
        (0u64..0xFFFF_FFFF).prop_map(|n| Expr::new(ExprKind::Hex(n))),
        Just(Expr::new(ExprKind::Name("vbTextCompare".into()))),
    ]
}

fn call(name: String, args: Vec<Option<Expr>>) -> Expr {
    Expr::new(ExprKind::Call(Call {
        name,
        name_span: Default::default(),
        args: args
            .into_iter()
            .map(|expr| Arg {
                expr,
                span: Default::default(),
            })
            .collect(),
    }))
}

fn compare(left: Expr, op: usize, right: Expr) -> Expr {
    Expr::new(ExprKind::Compare(Box::new(Compare {
        op: CompareOp::ALL[op % 6],
        op_span: Default::default(),
        left,
        right,
    })))
}

/// Any expression the printer can write (function names need not be documented).
fn any_expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            (
                "[A-Za-z][A-Za-z0-9_]{0,10}",
                prop::collection::vec(prop::option::weighted(0.8, inner.clone()), 0..5)
            )
                .prop_map(|(n, args)| call(n, args)),
            (leaf(), 0usize..6, leaf()).prop_map(|(l, op, r)| compare(l, op, r)),
        ]
    })
}

/// Expressions Graph's tree can hold: documented functions with allowed arities, and
/// no empty argument in a required or repeating position.
fn tree_expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            4 => (0..FUNCTIONS.len(), 0usize..4, prop::collection::vec((any::<bool>(), inner.clone()), 8))
                .prop_map(|(k, extra, pool)| {
                    let f = &FUNCTIONS[k];
                    let mut n = match f.max {
                        Some(m) => f.min + extra.min(m - f.min),
                        None => f.min + extra,
                    };
                    if f.pairs && (n - 2) % 2 != 0 {
                        n += 1;
                    }
                    let fixed = if f.max.is_none() { f.params.len() - 1 } else { f.params.len() };
                    let args = (0..n)
                        .map(|i| {
                            let (keep, e) = pool[i % pool.len()].clone();
                            let optional = i >= f.min && i < fixed;
                            (keep || !optional).then_some(e)
                        })
                        .collect();
                    call(f.name.to_owned(), args)
                }),
            1 => (inner.clone(), 0usize..6, inner).prop_filter_map("no comparison of comparisons", |(l, op, r)| {
                let nested = |e: &Expr| matches!(e.kind, ExprKind::Compare(_));
                (!nested(&l) && !nested(&r)).then(|| compare(l, op, r))
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// print → parse → print gives the same text.
    #[test]
    fn s39_print_parse_print_round_trips(e in any_expr()) {
        let text = print(&e);
        let parsed = parse(&text);
        prop_assert!(parsed.is_some(), "`{}` does not parse", text);
        prop_assert_eq!(print(&parsed.unwrap()), text);
    }

    /// tree → Graph JSON → tree gives the same tree, through the `expression` texts and
    /// through the parameters alone (keys placing the arguments).
    #[test]
    fn s39_tree_json_tree_round_trips(e in tree_expr()) {
        let j = to_json(&e).unwrap();
        let text = serde_json::to_string(&j).unwrap();
        prop_assert_eq!(&read_json(&text), &e);
        let mut bare = j.clone();
        strip_expressions(&mut bare);
        let back = read_json(&serde_json::to_string(&bare).unwrap());
        prop_assert!(tree_eq(&back, &e), "{} vs {}", print(&back), print(&e));
    }
}
