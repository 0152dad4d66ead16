//! Runs a [`Plan`] over a whole directory, in parallel, column by column.
//!
//! Each row group is evaluated on its own rayon task: every distinct clause runs once per
//! user over its one column (so stages and apps that share a clause share the work),
//! then filters are word-wide ANDs of clause bits and stages word-wide ORs of filter bits.
//! Nothing is allocated per user; results are bit sets, stitched together in row order,
//! so the output does not depend on the number of threads.

use super::bits::Bits;
use super::compile::{CompiledClause, FastTest, Plan, Verdict};
use crate::directory::{Chunk, Directory, TextColumn};
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Per-user results of a plan over a directory.
#[derive(Debug, Clone)]
pub struct Outcomes {
    len: usize,
    clauses: Vec<Bits>,
    filters: Vec<Bits>,
    scoping: Vec<Bits>,
    input: Vec<Bits>,
    unreadable: Vec<u64>,
    aborted: Vec<u64>,
    noncanonical: Vec<u64>,
    noncanonical_examples: Vec<Vec<String>>,
}

/// How many example values a count of odd values keeps.
const EXAMPLES: usize = 3;

fn keep_example(list: &mut Vec<String>, v: &str) {
    if list.len() < EXAMPLES && !list.iter().any(|x| x == v) {
        list.push(v.to_string());
    }
}

impl Outcomes {
    /// Number of users.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no users.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Users for whom clause `c` holds.
    pub fn clause(&self, c: usize) -> &Bits {
        &self.clauses[c]
    }

    /// Users matching filter `f` (all its clauses hold).
    pub fn filter(&self, f: usize) -> &Bits {
        &self.filters[f]
    }

    /// Users passing the scoping filters (`groups`) of stage `s` (S22).
    pub fn scoping(&self, s: usize) -> &Bits {
        &self.scoping[s]
    }

    /// Users passing the input and category filters of stage `s` (S23).
    pub fn input(&self, s: usize) -> &Bits {
        &self.input[s]
    }

    /// Users whose value clause `c` could not read (S4, S18).
    pub fn unreadable(&self, c: usize) -> u64 {
        self.unreadable[c]
    }

    /// Users for whom clause `c`'s regex gave up (S19).
    pub fn aborted(&self, c: usize) -> u64 {
        self.aborted[c]
    }

    /// Users whose integer for clause `c` has a sign, leading zeros or white space (S18).
    pub fn noncanonical(&self, c: usize) -> u64 {
        self.noncanonical.get(c).copied().unwrap_or(0)
    }

    /// A few of those values, as exported.
    pub fn noncanonical_examples(&self, c: usize) -> &[String] {
        self.noncanonical_examples.get(c).map_or(&[], Vec::as_slice)
    }
}

/// Bits for a simple test that cannot be unreadable or give up, monomorphised per test.
#[inline]
fn fill(
    col: &TextColumn,
    n: usize,
    mut test: impl FnMut(Option<&str>) -> bool,
) -> (Vec<u64>, u64, u64) {
    let mut words = vec![0u64; n.div_ceil(64)];
    for (i, v) in col.iter().enumerate().take(n) {
        if test(v) {
            words[i / 64] |= 1 << (i % 64);
        }
    }
    (words, 0, 0)
}

/// Every clause's results for one row group: what a streaming reader keeps instead of the
/// row group's values.
#[derive(Debug, Clone)]
pub struct ChunkOutcome {
    clauses: Vec<Bits>,
    unreadable: Vec<u64>,
    aborted: Vec<u64>,
    noncanonical: Vec<u64>,
    noncanonical_examples: Vec<Vec<String>>,
}

/// Evaluates every clause of `plan` over one row group.
pub fn evaluate_chunk(plan: &Plan, chunk: &Chunk) -> ChunkOutcome {
    eval_chunk(plan, chunk)
}

fn eval_chunk(plan: &Plan, chunk: &Chunk) -> ChunkOutcome {
    let n = chunk.len();
    let mut clauses = Vec::with_capacity(plan.clauses.len());
    let mut unreadable = vec![0u64; plan.clauses.len()];
    let mut aborted = vec![0u64; plan.clauses.len()];
    let mut noncanonical = vec![0u64; plan.clauses.len()];
    let mut noncanonical_examples = vec![Vec::new(); plan.clauses.len()];
    for (ci, clause) in plan.clauses.iter().enumerate() {
        let column = clause.column.and_then(|c| chunk.text(c));
        let Some(col) = column else {
            // Absent for this row group (S2): null for everyone.
            clauses.push(if clause.eval(None).holds() {
                Bits::ones(n)
            } else {
                Bits::zeros(n)
            });
            continue;
        };
        let counts = match clause.fast_test() {
            Some(FastTest::Equals(t)) => fill(col, n, |v| v == Some(t)),
            Some(FastTest::NotEquals(t)) => fill(col, n, |v| v.is_some_and(|v| v != t)),
            Some(FastTest::Includes(t)) => {
                fill(col, n, |v| v.is_some_and(|v| crate::value::contains(v, t)))
            }
            Some(FastTest::EndsWith(t)) => fill(col, n, |v| v.is_some_and(|v| v.ends_with(t))),
            Some(FastTest::IsNull) => fill(col, n, |v| v.is_none()),
            Some(FastTest::IsNotNull) => fill(col, n, |v| v.is_some()),
            None => {
                let mut memo = Memo::new(clause.is_costly());
                let mut words = vec![0u64; n.div_ceil(64)];
                let (mut bad, mut gave_up) = (0u64, 0u64);
                let integer = clause.operator.is_integer();
                for (i, v) in col.iter().enumerate().take(n) {
                    match memo.eval(clause, v) {
                        Verdict::True => words[i / 64] |= 1 << (i % 64),
                        Verdict::False => {}
                        Verdict::Unreadable => bad += 1,
                        Verdict::Aborted => gave_up += 1,
                    }
                    // S18: readable, but not written as Entra documents integers.
                    if integer {
                        if let Some(v) = v {
                            if !super::warnings::canonical_int(v)
                                && crate::value::parse_int(v).is_some()
                            {
                                noncanonical[ci] += 1;
                                keep_example(&mut noncanonical_examples[ci], v);
                            }
                        }
                    }
                }
                (words, bad, gave_up)
            }
        };
        let (words, bad, gave_up) = counts;
        unreadable[ci] += bad;
        aborted[ci] += gave_up;
        clauses.push(Bits::from_words(words, n));
    }
    ChunkOutcome {
        clauses,
        unreadable,
        aborted,
        noncanonical,
        noncanonical_examples,
    }
}

/// Remembers the verdicts of a costly clause (a regex the engine must run) per distinct
/// value within one row group. Directory attributes such as department, country or job
/// title repeat a few hundred values across millions of users; for unique values (mail,
/// UPN) the memo notices it is useless and turns itself off.
struct Memo<'a> {
    on: bool,
    seen: HashMap<&'a str, Verdict, BuildHasherDefault<FxHasher>>,
    lookups: usize,
}

const MEMO_PROBE: usize = 4096;
const MEMO_MAX: usize = 1024;

impl<'a> Memo<'a> {
    fn new(on: bool) -> Memo<'a> {
        Memo {
            on,
            seen: HashMap::default(),
            lookups: 0,
        }
    }

    #[inline]
    fn eval(&mut self, clause: &CompiledClause, value: Option<&'a str>) -> Verdict {
        let (true, Some(v)) = (self.on, value) else {
            return clause.eval(value);
        };
        self.lookups += 1;
        if let Some(&verdict) = self.seen.get(v) {
            return verdict;
        }
        let verdict = clause.eval(value);
        if self.seen.len() >= MEMO_MAX
            || (self.lookups >= MEMO_PROBE && self.seen.len() * 4 > self.lookups)
        {
            self.on = false;
            self.seen = HashMap::default();
        } else {
            self.seen.insert(v, verdict);
        }
        verdict
    }
}

/// FxHash (rustc's hasher): fast for short keys; the memo needs no DoS resistance.
#[derive(Default)]
struct FxHasher {
    hash: u64,
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.hash = (self.hash.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.hash = (self.hash.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Evaluates every clause, filter and stage of `plan` for every user of `dir`.
pub fn evaluate(plan: &Plan, dir: &Directory) -> Outcomes {
    let results: Vec<ChunkOutcome> = dir
        .chunk_slice()
        .par_iter()
        .map(|chunk| eval_chunk(plan, chunk))
        .collect();
    assemble(
        plan,
        dir.len(),
        dir.chunk_starts().iter().copied().zip(&results),
    )
}

/// Puts row-group results together (`(first row, outcome)`, any order) into the
/// outcomes of `n` users: clause bits stitched in row order, then filters and stages.
pub fn assemble<'c>(
    plan: &Plan,
    n: usize,
    parts: impl IntoIterator<Item = (usize, &'c ChunkOutcome)>,
) -> Outcomes {
    let mut clauses: Vec<Bits> = (0..plan.clauses.len()).map(|_| Bits::zeros(n)).collect();
    let mut unreadable = vec![0u64; plan.clauses.len()];
    let mut aborted = vec![0u64; plan.clauses.len()];
    let mut noncanonical = vec![0u64; plan.clauses.len()];
    let mut noncanonical_examples = vec![Vec::new(); plan.clauses.len()];
    for (start, r) in parts {
        for (ci, bits) in r.clauses.iter().enumerate() {
            clauses[ci].copy_from(bits, start);
            unreadable[ci] += r.unreadable[ci];
            aborted[ci] += r.aborted[ci];
            noncanonical[ci] += r.noncanonical.get(ci).copied().unwrap_or(0);
            for v in r.noncanonical_examples.get(ci).into_iter().flatten() {
                keep_example(&mut noncanonical_examples[ci], v);
            }
        }
    }
    // Filters: clauses ANDed; a filter without clauses matches everyone (S22).
    let filters: Vec<Bits> = plan
        .filters
        .iter()
        .map(|f| {
            let mut b = Bits::ones(n);
            for &c in &f.clauses {
                b.and_with(&clauses[c]);
            }
            b
        })
        .collect();
    // Stages: filters ORed; no filter puts everyone in scope (S22).
    let any_of = |ids: &[usize]| -> Bits {
        if ids.is_empty() {
            return Bits::ones(n);
        }
        let mut b = Bits::zeros(n);
        for &f in ids {
            b.or_with(&filters[f]);
        }
        b
    };
    let scoping = plan.stages.iter().map(|s| any_of(&s.scoping)).collect();
    let input = plan.stages.iter().map(|s| any_of(&s.input)).collect();
    Outcomes {
        len: n,
        clauses,
        filters,
        scoping,
        input,
        unreadable,
        aborted,
        noncanonical,
        noncanonical_examples,
    }
}
