//! The fuzz corpus on stable: every file of `fuzz/corpus/<target>/` through its target's
//! checks (`fuzz/harness.rs`), then seeded mutations of them (a proptest-driven stand-in
//! for libFuzzer where no nightly toolchain is available). A panic here is a bug found by
//! fuzzing; add the input to the corpus when fixing it.

#[path = "../fuzz/harness.rs"]
mod harness;

use proptest::prelude::*;
use std::path::Path;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let v: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(!v.is_empty(), "empty corpus for {target}");
    v
}

fn run_corpus(target: &str, f: fn(&[u8])) {
    for input in corpus(target) {
        f(&input);
    }
}

/// A mutation: an edit at a position (0 delete, 1 insert, 2 replace, 3 duplicate a slice).
fn mutate(input: &[u8], edits: &[(u8, usize, u8, usize)]) -> Vec<u8> {
    let mut v = input.to_vec();
    for &(kind, at, byte, len) in edits {
        if v.is_empty() {
            v.push(byte);
            continue;
        }
        let at = at % v.len();
        match kind % 4 {
            0 => {
                let end = (at + len % 8 + 1).min(v.len());
                v.drain(at..end);
            }
            1 => v.insert(at, byte),
            2 => v[at] = byte,
            _ => {
                let end = (at + len % 64 + 1).min(v.len());
                let piece: Vec<u8> = v[at..end].to_vec();
                v.splice(at..at, piece);
            }
        }
    }
    v
}

fn edits() -> impl Strategy<Value = (usize, Vec<(u8, usize, u8, usize)>)> {
    (
        any::<usize>(),
        proptest::collection::vec(
            (any::<u8>(), any::<usize>(), any::<u8>(), any::<usize>()),
            1..12,
        ),
    )
}

#[test]
fn fuzz_corpus_rules() {
    run_corpus("rules", harness::rules);
}

#[test]
fn fuzz_corpus_graph_json() {
    run_corpus("graph_json", harness::graph_json);
}

#[test]
fn fuzz_corpus_csv() {
    run_corpus("csv", harness::csv);
}

#[test]
fn fuzz_corpus_dotnet_regex() {
    run_corpus("dotnet_regex", harness::dotnet_regex);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_mutated_rules((pick, e) in edits()) {
        let c = corpus("rules");
        harness::rules(&mutate(&c[pick % c.len()], &e));
    }

    #[test]
    fn fuzz_mutated_dotnet_regex((pick, e) in edits()) {
        let c = corpus("dotnet_regex");
        harness::dotnet_regex(&mutate(&c[pick % c.len()], &e));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_mutated_graph_json((pick, e) in edits()) {
        let c = corpus("graph_json");
        harness::graph_json(&mutate(&c[pick % c.len()], &e));
    }

    #[test]
    fn fuzz_mutated_csv((pick, e) in edits()) {
        let c = corpus("csv");
        harness::csv(&mutate(&c[pick % c.len()], &e));
    }
}
