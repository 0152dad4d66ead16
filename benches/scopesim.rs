//! Micro-benchmarks (divan): parse + compile, evaluation per clause kind, the full plan,
//! and the inputs of the real job (assignments and group members, in rows per second, and
//! the candidacy they decide), on a synthetic directory from `scopesim gen` (100,000
//! users, seed 7).
//!
//! Run with `cargo bench --bench scopesim`; set `SCOPESIM_BENCH_USERS` to change the size.
//! The side-by-side comparison with Polars and DuckDB is `benches/compare.sh`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use scopesim::directory::assignments::{
    Assignments, GroupMembers, read_assignments, read_group_members,
};
use scopesim::directory::synth::{GenOptions, generate};
use scopesim::directory::{ColumnSelection, Directory, NoProgress, ReadOptions, read_directory};
use scopesim::eval::{EvalOptions, Plan, compile, evaluate};
use scopesim::rollout::{RolloutInputs, RolloutOptions, simulate};
use scopesim::rules::load::{LoadedRules, load_text};
use std::path::PathBuf;
use std::sync::OnceLock;

const PERF_RULES: &str = include_str!("perf.scope");
const REAL_RULES: &str = include_str!("real.scope");

fn data_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let users: usize = std::env::var("SCOPESIM_BENCH_USERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000);
        let dir = std::env::temp_dir().join(format!("scopesim-bench-{users}"));
        if !dir.join("users.csv").exists() {
            generate(&GenOptions::new(users, 7, &dir)).unwrap();
        }
        dir
    })
}

fn directory() -> &'static Directory {
    static D: OnceLock<Directory> = OnceLock::new();
    D.get_or_init(|| read(ColumnSelection::all()))
}

fn read(columns: ColumnSelection) -> Directory {
    let opts = ReadOptions {
        format: None,
        delimiter: None,
        skip_bad_rows: false,
        columns,
        skip_hash: false,
    };
    read_directory(&[data_dir().join("users.csv")], &opts, &NoProgress).unwrap()
}

fn rules(text: &str) -> LoadedRules {
    let l = load_text("bench.scope", text, None);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    l
}

fn one_clause(clause: &str) -> (LoadedRules, Plan) {
    let l = rules(&format!(
        "app \"A\" {{\n scope all\n filter \"f\" {{\n  {clause}\n }}\n}}\n"
    ));
    let plan = compile(&l.rules, directory(), EvalOptions::default()).unwrap();
    (l, plan)
}

fn main() {
    divan::main();
}

#[divan::bench]
fn parse_and_compile(bencher: divan::Bencher) {
    let dir = directory();
    bencher.bench(|| {
        let l = load_text("perf.scope", PERF_RULES, None);
        compile(&l.rules, dir, EvalOptions::default()).unwrap()
    });
}

#[divan::bench(args = [
    "department EQUALS \"Sales\"",
    "employeeType NOT EQUALS \"Contractor\"",
    "jobTitle Includes \"Manager\"",
    "mail ENDS_WITH \"@contoso.com\"",
    "country REGEX MATCH '^(DE|AT|CH)$'",
    "mail REGEX MATCH '@contoso\\.com$'",
    "extensionAttribute1 Greater_Than \"100\"",
    "accountEnabled IS TRUE",
    "extensionAttribute2 IS NOT NULL",
])]
fn evaluate_clause(bencher: divan::Bencher, clause: &str) {
    let (_l, plan) = one_clause(clause);
    let dir = directory();
    bencher.bench(|| evaluate(&plan, dir));
}

#[divan::bench]
fn evaluate_perf_rules(bencher: divan::Bencher) {
    let l = rules(PERF_RULES);
    let dir = directory();
    let plan = compile(&l.rules, dir, EvalOptions::default()).unwrap();
    bencher.bench(|| evaluate(&plan, dir));
}

#[divan::bench(sample_count = 10)]
fn full_plan(bencher: divan::Bencher) {
    let l = rules(PERF_RULES);
    let names: Vec<String> = l
        .rules
        .apps
        .iter()
        .flat_map(|a| &a.stages)
        .flat_map(|s| s.filters.iter())
        .flat_map(|f| &f.clauses)
        .map(|c| c.attribute.node.clone())
        .collect();
    bencher.bench(|| {
        let dir = read(ColumnSelection::only(&names));
        let plan = compile(&l.rules, &dir, EvalOptions::default()).unwrap();
        let out = evaluate(&plan, &dir);
        simulate(
            &l.rules,
            &plan,
            &out,
            &dir,
            RolloutInputs::default(),
            RolloutOptions::default(),
        )
        .unwrap()
    });
}

/// Reading the CSV export alone (every column, and the few a rule set reads): the hot
/// path of every command, measured before and after changes to the readers.
#[divan::bench(args = ["all", "selected"], sample_count = 20)]
fn read_csv(bencher: divan::Bencher, columns: &str) {
    let _ = data_dir();
    bencher.bench(|| {
        let selection = match columns {
            "all" => ColumnSelection::all(),
            _ => ColumnSelection::only(["department", "country", "employeeType"]),
        };
        read(selection)
    });
}

/// Data rows of a generated CSV file (its lines but the header).
fn data_rows(name: &str) -> u64 {
    let text = std::fs::read(data_dir().join(name)).unwrap();
    (text.iter().filter(|&&b| b == b'\n').count() as u64).saturating_sub(1)
}

/// Reading `assignments.csv` (one row per assigned user or group), in rows per second.
#[divan::bench(sample_count = 20)]
fn read_assignments_csv(bencher: divan::Bencher) {
    let path = data_dir().join("assignments.csv");
    bencher
        .counter(divan::counter::ItemsCount::new(data_rows(
            "assignments.csv",
        )))
        .bench(|| read_assignments(&path).unwrap());
}

/// Reading `group-members.csv` (one row per direct member of a group): ids to 128-bit
/// keys, duplicates dropped, which groups hold each member; in rows per second.
#[divan::bench(sample_count = 10)]
fn read_group_members_csv(bencher: divan::Bencher) {
    let path = data_dir().join("group-members.csv");
    bencher
        .counter(divan::counter::ItemsCount::new(data_rows(
            "group-members.csv",
        )))
        .bench(|| read_group_members(std::slice::from_ref(&path)).unwrap());
}

fn real_inputs() -> &'static (Assignments, GroupMembers) {
    static I: OnceLock<(Assignments, GroupMembers)> = OnceLock::new();
    I.get_or_init(|| {
        let a = read_assignments(&data_dir().join("assignments.csv")).unwrap();
        let g = read_group_members(&[data_dir().join("group-members.csv")]).unwrap();
        (a, g)
    })
}

/// The rollout of the real job (benches/real.scope, `scope assigned`) on a directory
/// already read and evaluated: candidacy from the assignments and group members, the
/// facts of every user, and the stages; in users per second.
#[divan::bench(sample_count = 10)]
fn real_rollout(bencher: divan::Bencher) {
    let l = rules(REAL_RULES);
    let dir = directory();
    let plan = compile(&l.rules, dir, EvalOptions::default()).unwrap();
    let out = evaluate(&plan, dir);
    let (a, g) = real_inputs();
    let inputs = RolloutInputs {
        assignments: Some(a),
        group_members: Some(g),
        target_states: &[],
    };
    bencher
        .counter(divan::counter::ItemsCount::new(dir.len()))
        .bench(|| {
            simulate(
                &l.rules,
                &plan,
                &out,
                dir,
                inputs,
                RolloutOptions::default(),
            )
            .unwrap()
        });
}
