//! Helpers shared by the integration tests.
#![allow(dead_code)]

use scopesim::directory::{Directory, from_rows};
use scopesim::eval::{EvalOptions, Outcomes, Plan, compile, evaluate};
use scopesim::rules::check::{CheckOptions, check};
use scopesim::rules::load::{LoadedRules, load_text};

/// Loads rules from text and asserts they read and check without errors.
pub fn rules(text: &str) -> LoadedRules {
    let l = load_text("test.scope", text, None);
    let mut d = l.diagnostics.clone();
    d.extend(
        check(&l.rules, CheckOptions::default())
            .into_iter()
            .filter(|d| d.is_error()),
    );
    assert!(d.is_empty(), "rules have errors: {d:#?}");
    l
}

/// One filter with the given clause lines, in an app with default settings.
/// The user object mapping's matching attributes, as a Graph schema gives them:
/// `(source, target, matchingPriority)`.
pub fn matching(m: &[(&str, &str, u32)]) -> Vec<scopesim::rules::Matching> {
    use scopesim::rules::{Matching, Spanned};
    m.iter()
        .map(|(source, target, priority)| Matching {
            source: Spanned::new((*source).to_string(), scopesim::source::Span::new(0, 0)),
            target: (*target).to_string(),
            priority: *priority,
            expression: None,
        })
        .collect()
}

pub fn one_filter(clauses: &[&str]) -> String {
    format!(
        "app \"A\" {{\n  filter \"f\" {{\n    {}\n  }}\n}}\n",
        clauses.join("\n    ")
    )
}

/// Compiles and evaluates; returns the plan, outcomes and directory.
pub fn run_with(text: &str, dir: Directory, opts: EvalOptions) -> (Plan, Outcomes, Directory) {
    let l = rules(text);
    let plan = compile(&l.rules, &dir, opts).unwrap_or_else(|e| panic!("compile failed: {e:#?}"));
    let out = evaluate(&plan, &dir);
    (plan, out, dir)
}

/// For each user, whether the first stage's scoping filters pass.
pub fn in_scope(text: &str, users: &[&[(&str, &str)]]) -> Vec<bool> {
    in_scope_with(text, users, EvalOptions::default())
}

/// Same, with options.
pub fn in_scope_with(text: &str, users: &[&[(&str, &str)]], opts: EvalOptions) -> Vec<bool> {
    let dir = from_rows(users.iter().map(|u| u.iter().copied()));
    let (_, out, dir) = run_with(text, dir, opts);
    (0..dir.len()).map(|i| out.scoping(0).get(i)).collect()
}

/// For each value, whether a single clause `attr OP literal` holds for a user with
/// `attr = value` (`None` = attribute absent for that user; other users keep the column).
pub fn clause_on(attr: &str, clause: &str, values: &[Option<&str>]) -> Vec<bool> {
    let text = one_filter(&[clause]);
    let mut users: Vec<Vec<(&str, &str)>> = values
        .iter()
        .map(|v| match v {
            Some(v) => vec![("objectId", "x"), (attr, *v)],
            None => vec![("objectId", "x")],
        })
        .collect();
    // make sure the column exists in the export even if every value is None
    users.push(vec![("objectId", "pad"), (attr, "")]);
    let refs: Vec<&[(&str, &str)]> = users.iter().map(|u| u.as_slice()).collect();
    let mut r = in_scope(&text, &refs);
    r.pop();
    r
}

/// Writes a generated tenant of `users` users (`scopesim gen --seed SEED --formats csv`:
/// users, assignments, group members with nested groups) into `out`.
pub fn generate_tenant(users: u32, seed: u32, out: &std::path::Path) {
    let o = assert_cmd::cargo::cargo_bin_cmd!("scopesim")
        .args([
            "gen",
            "--users",
            &users.to_string(),
            "--seed",
            &seed.to_string(),
        ])
        .args(["--formats", "csv", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
