//! Property tests: the compiled, parallel evaluator agrees with the simple reference
//! interpreter; printing and parsing rules round-trip; Graph JSON round-trips; the
//! word-wide rollout agrees with a per-user reference on managed state and matching.

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

// ---- The rollout against a per-user reference: managed state and matching (S24–S33) ----

mod rollout_reference {
    use proptest::prelude::*;
    use scopesim::directory::assignments::{
        Assignment, Assignments, PrincipalType, TargetState, read_target_state,
    };
    use scopesim::directory::from_rows;
    use scopesim::eval::{EvalOptions, compile, evaluate};
    use scopesim::rollout::{Action, RolloutInputs, RolloutOptions, simulate};
    use scopesim::rules::load::load_text;
    use scopesim::rules::{FlowTypes, Spanned};
    use scopesim::source::Span;

    const UPNS: &[&str] = &["a@x", "A@x", "b@x", "c@x", "d@x", "e@x"];
    const ENABLED: &[&str] = &["True", "False", "", "yes"];
    const DEPTS: &[&str] = &["IT", "Sales", ""];
    const FILTERS: &[&str] = &[
        "",
        "filter \"IT\" { department EQUALS \"IT\" }",
        "filter \"Sales\" { department EQUALS \"Sales\" }",
    ];

    /// (UPN, accountEnabled, department, assigned).
    type User = (Option<usize>, usize, usize, bool);
    /// (userName, externalId: none / user j / unknown, active, managed).
    type Account = (Option<usize>, (u8, usize), Option<bool>, bool);

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum St {
        No,
        Pre,
        On,
        Off,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Fail {
        Skipped,
        Source,
        Target,
    }

    fn lower(s: &str) -> String {
        s.to_lowercase()
    }

    /// The spec's action table for one user, written out again as plainly as possible.
    fn table(
        st: St,
        cand: bool,
        scope: bool,
        active: bool,
        fail: Option<Fail>,
        skip: bool,
        f: FlowTypes,
    ) -> (Action, St, bool) {
        let prov = cand && scope && active;
        match st {
            St::No | St::Pre => {
                if !prov {
                    return (if cand { Action::Skip } else { Action::None }, st, false);
                }
                match fail {
                    Some(Fail::Skipped) => return (Action::Skip, st, false),
                    Some(_) => return (Action::Fail, st, false),
                    None => {}
                }
                if st == St::Pre {
                    if f.update {
                        (Action::Update, St::On, false)
                    } else {
                        (Action::None, st, true)
                    }
                } else if f.add {
                    (Action::Create, St::On, false)
                } else {
                    (Action::None, st, true)
                }
            }
            St::On | St::Off => {
                if prov {
                    return if f.update {
                        (Action::Update, St::On, false)
                    } else {
                        (Action::None, st, true)
                    };
                }
                let out = !cand || !scope;
                if (out && skip) || st == St::Off {
                    // kept by SkipOutOfScopeDeletions, or already disabled
                    (Action::Skip, st, false)
                } else if !f.delete {
                    (Action::None, st, true)
                } else if !cand {
                    (Action::Disable, St::Pre, false)
                } else {
                    (Action::Disable, St::Off, false)
                }
            }
        }
    }

    fn users() -> impl Strategy<Value = Vec<User>> {
        prop::collection::vec(
            (
                prop::option::of(0..UPNS.len()),
                0..ENABLED.len(),
                0..DEPTS.len(),
                any::<bool>(),
            ),
            1..25,
        )
    }

    fn accounts() -> impl Strategy<Value = Vec<Account>> {
        prop::collection::vec(
            (
                prop::option::of(0..UPNS.len()),
                (0u8..3, 0usize..25),
                prop::option::of(any::<bool>()),
                any::<bool>(),
            ),
            0..10,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn rollout_agrees_with_a_per_user_reference_on_managed_state_and_matching(
            users in users(),
            accounts in accounts(),
            kind in 0u8..3,
            stages in prop::collection::vec(0..FILTERS.len(), 1..4),
            all in any::<bool>(),
            skip in any::<bool>(),
            flows in (any::<bool>(), any::<bool>(), any::<bool>()),
            enabled in 0u8..6,
            threshold in prop::option::of(1u64..4),
        ) {
            let n = users.len();
            let flows = FlowTypes { add: flows.0, update: flows.1, delete: flows.2 };
            let mapping_enabled = enabled != 0;
            let oid = |i: usize| format!("id{i}");
            // inputs, as files and rules
            let mut text = format!(
                "app \"P\" {{\n scope {}\n skip_out_of_scope_deletions {skip}\n",
                if all { "all" } else { "assigned" }
            );
            if let Some(t) = threshold {
                text.push_str(&format!(" deletion_threshold {t}\n"));
            }
            for (i, f) in stages.iter().enumerate() {
                text.push_str(&format!(" stage \"s{i}\" {{ {} }}\n", FILTERS[*f]));
            }
            text.push_str("}\n");
            let mut l = load_text("p.scope", &text, None);
            prop_assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
            let span = Span::new(0, 0);
            l.rules.apps[0].object.enabled = Some(Spanned::new(mapping_enabled, span));
            l.rules.apps[0].object.flow_types = Some(Spanned::new(flows, span));
            let ids: Vec<String> = (0..n).map(oid).collect();
            let dir = from_rows(users.iter().zip(&ids).map(|(u, id)| {
                vec![
                    ("objectId", id.as_str()),
                    ("userPrincipalName", u.0.map_or("", |k| UPNS[k])),
                    ("accountEnabled", ENABLED[u.1]),
                    ("department", DEPTS[u.2]),
                ]
            }));
            let assignments = Assignments {
                items: users.iter().enumerate().filter(|(_, u)| u.3).map(|(i, _)| Assignment {
                    app: "P".into(),
                    principal_type: PrincipalType::User,
                    principal_id: oid(i),
                    line: 0,
                }).collect(),
                inputs: vec![],
            };
            let ext_text = |e: (u8, usize)| match e.0 {
                1 if e.1 < n => oid(e.1),
                2 => format!("gone{}", e.1),
                _ => String::new(),
            };
            let mut csv = String::from(match kind {
                0 => "userName,active\n",
                1 => "userName,externalId,active\n",
                _ => "userName,externalId,active,managed\n",
            });
            for a in &accounts {
                let name = a.0.map_or("", |k| UPNS[k]);
                let active = a.2.map_or("", |b| if b { "true" } else { "false" });
                match kind {
                    0 => csv.push_str(&format!("{name},{active}\n")),
                    1 => csv.push_str(&format!("{name},{},{active}\n", ext_text(a.1))),
                    _ => csv.push_str(&format!("{name},{},{active},{}\n", ext_text(a.1), a.3)),
                }
            }
            let tmp = tempfile::tempdir().unwrap();
            let path = tmp.path().join("t.csv");
            std::fs::write(&path, &csv).unwrap();
            let ts: Vec<TargetState> = vec![read_target_state("P", &path, None).unwrap()];
            let plan = compile(&l.rules, &dir, EvalOptions::default()).unwrap();
            let out = evaluate(&plan, &dir);
            let inputs = RolloutInputs { assignments: Some(&assignments), group_members: None, target_states: &ts };
            let got = simulate(&l.rules, &plan, &out, &dir, inputs, RolloutOptions::default()).unwrap();
            let app = &got.apps[0];

            // the reference: S31 managed or pre-existing, per account
            let upn = |i: usize| users[i].0.map(|k| UPNS[k]);
            let mut st = vec![St::No; n];
            // (line, managed) of accounts without a user
            let mut orphans: Vec<(u64, bool)> = Vec::new();
            let mut pre: Vec<usize> = Vec::new();
            for (ai, a) in accounts.iter().enumerate() {
                let line = ai as u64 + 2;
                let ext = ext_text(a.1);
                let by_ext = (0..n).find(|&i| !ext.is_empty() && oid(i) == ext);
                let managed = match kind {
                    2 => a.3,
                    1 => by_ext.is_some(),
                    _ => false,
                };
                if !managed {
                    pre.push(ai);
                    continue;
                }
                let owner = if !ext.is_empty() {
                    by_ext.ok_or(true)
                } else {
                    let name = a.0.map(|k| lower(UPNS[k]));
                    let hits: Vec<usize> = (0..n).filter(|&i| name.is_some() && upn(i).map(lower) == name).collect();
                    match hits.as_slice() {
                        [one] => Ok(*one),
                        [] => Err(true),
                        _ => Err(false),
                    }
                };
                match owner {
                    Ok(i) if matches!(st[i], St::On | St::Off) => {}
                    Ok(i) => st[i] = if a.2 == Some(false) { St::Off } else { St::On },
                    Err(gone) => orphans.push((line, gone)),
                }
            }
            // S32: unmanaged users look for pre-existing accounts by UPN = userName (ignoring case)
            let mut fail: Vec<Option<Fail>> = (0..n).map(|i| upn(i).is_none().then_some(Fail::Skipped)).collect();
            let mut hits: Vec<Vec<usize>> = vec![Vec::new(); n];
            for i in 0..n {
                if matches!(st[i], St::On | St::Off) { continue; }
                let Some(u) = upn(i) else { continue };
                hits[i] = pre.iter().copied().filter(|&ai| accounts[ai].0.is_some_and(|k| lower(UPNS[k]) == lower(u))).collect();
            }
            let mut involved = vec![false; accounts.len()];
            for i in 0..n {
                for &ai in &hits[i] { involved[ai] = true; }
                match hits[i].as_slice() {
                    [] => {}
                    [one] => {
                        let claims = (0..n).filter(|&j| hits[j].as_slice() == [*one]).count();
                        if claims > 1 { fail[i] = Some(Fail::Source); } else { st[i] = St::Pre; }
                    }
                    _ => fail[i] = Some(Fail::Target),
                }
            }
            for &ai in &pre {
                if !involved[ai] { orphans.push((ai as u64 + 2, false)); }
            }
            // S32 among all users: active candidates sharing a UPN (ignoring case, against
            // userName) fail unless managed, whether or not an account holds the value.
            let active_of = |i: usize| ENABLED[users[i].1] == "True" || ENABLED[users[i].1].is_empty();
            let cand_of = |i: usize| all || users[i].3;
            let keyed: Vec<Option<String>> = (0..n)
                .map(|i| (cand_of(i) && active_of(i)).then(|| upn(i).map(lower)).flatten())
                .collect();
            for i in 0..n {
                let Some(v) = &keyed[i] else { continue };
                let shared = keyed.iter().filter(|k| k.as_ref() == Some(v)).count() > 1;
                if shared && !matches!(st[i], St::On | St::Off) && fail[i].is_none() {
                    fail[i] = Some(Fail::Source);
                    if st[i] == St::Pre { st[i] = St::No; }
                }
            }
            orphans.sort();
            let got_orphans: Vec<(u64, bool)> = app.orphans.iter().map(|o| (o.line, o.managed)).collect();
            prop_assert_eq!(&got_orphans, &orphans, "{}", csv);

            // each stage: the table per user, then the threshold
            let mut deleted = vec![false; orphans.len()];
            for (si, f) in stages.iter().enumerate() {
                let s = &app.stages[si];
                let mut next = st.clone();
                let (mut create, mut update, mut disable, mut skipc, mut failc, mut suppressed) = (0, 0, 0, 0, 0, 0);
                for i in 0..n {
                    let (_, en, dept, assigned) = users[i];
                    let cand = all || assigned;
                    let scope = match *f { 1 => DEPTS[dept] == "IT", 2 => DEPTS[dept] == "Sales", _ => true };
                    let active = ENABLED[en] == "True" || ENABLED[en].is_empty();
                    let (action, after, supp) = if mapping_enabled {
                        table(st[i], cand, scope, active, fail[i], skip, flows)
                    } else {
                        (Action::None, st[i], false)
                    };
                    prop_assert_eq!(s.action(i), action, "stage {} user {} {:?} state {:?} fail {:?}\n{}", si, i, users[i], st[i], fail[i], csv);
                    next[i] = after;
                    match action {
                        Action::Create => create += 1,
                        Action::Update => update += 1,
                        Action::Disable => disable += 1,
                        Action::Skip => skipc += 1,
                        Action::Fail => failc += 1,
                        _ => {}
                    }
                    if supp { suppressed += 1; }
                }
                let mut delete = 0;
                for (k, (_, managed)) in orphans.iter().enumerate() {
                    let expect = if !mapping_enabled || !managed || deleted[k] {
                        Action::None
                    } else if flows.delete {
                        delete += 1;
                        Action::Delete
                    } else {
                        suppressed += 1;
                        Action::None
                    };
                    prop_assert_eq!(s.orphan_actions[k].0, expect, "orphan {}", k);
                }
                let c = s.counts;
                prop_assert_eq!((c.create, c.update, c.disable, c.delete, c.skip, c.fail, c.suppressed),
                    (create, update, disable, delete, skipc, failc, suppressed));
                let held = threshold.is_some_and(|t| (disable + delete) as u64 > t);
                prop_assert_eq!(s.held, held);
                for i in 0..n {
                    // a held cycle creates and updates, but disables nothing
                    if held && s.action(i) == Action::Disable { next[i] = st[i]; }
                }
                if !held {
                    for (k, d) in deleted.iter_mut().enumerate() {
                        if s.orphan_actions[k].0 == Action::Delete { *d = true; }
                    }
                }
                st = next;
                if let Some(following) = app.stages.get(si + 1) {
                    for (i, want) in st.iter().enumerate() {
                        let have = match following.account_before(i) {
                            scopesim::rollout::AccountState::NoAccount => St::No,
                            scopesim::rollout::AccountState::PreExisting => St::Pre,
                            scopesim::rollout::AccountState::Enabled => St::On,
                            scopesim::rollout::AccountState::Disabled => St::Off,
                        };
                        prop_assert_eq!(have, *want, "state of user {} before stage {}", i, si + 1);
                    }
                }
            }
        }
    }
}
