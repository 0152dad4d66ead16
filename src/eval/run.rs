//! Runs a [`Plan`] over a whole directory, in parallel, column by column.
//!
//! Each row group is evaluated on its own rayon task: every distinct clause runs once per
//! user over its one column (so stages and apps that share a clause share the work),
//! then filters are word-wide ANDs of clause bits and stages word-wide ORs of filter bits.
//! Nothing is allocated per user; results are bit sets, stitched together in row order,
//! so the output does not depend on the number of threads.

use super::bits::Bits;
use super::compile::{Plan, Verdict};
use crate::directory::{Chunk, Directory};
use rayon::prelude::*;

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
}

struct ChunkResult {
    clauses: Vec<Bits>,
    unreadable: Vec<u64>,
    aborted: Vec<u64>,
}

fn eval_chunk(plan: &Plan, chunk: &Chunk) -> ChunkResult {
    let n = chunk.len();
    let mut clauses = Vec::with_capacity(plan.clauses.len());
    let mut unreadable = vec![0u64; plan.clauses.len()];
    let mut aborted = vec![0u64; plan.clauses.len()];
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
        let mut words = vec![0u64; n.div_ceil(64)];
        for (wi, word) in words.iter_mut().enumerate() {
            let base = wi * 64;
            let end = (base + 64).min(n);
            let mut w = 0u64;
            for i in base..end {
                match clause.eval(col.get(i)) {
                    Verdict::True => w |= 1 << (i - base),
                    Verdict::False => {}
                    Verdict::Unreadable => unreadable[ci] += 1,
                    Verdict::Aborted => aborted[ci] += 1,
                }
            }
            *word = w;
        }
        clauses.push(Bits::from_words(words, n));
    }
    ChunkResult {
        clauses,
        unreadable,
        aborted,
    }
}

/// Evaluates every clause, filter and stage of `plan` for every user of `dir`.
pub fn evaluate(plan: &Plan, dir: &Directory) -> Outcomes {
    let n = dir.len();
    let results: Vec<ChunkResult> = dir
        .chunk_slice()
        .par_iter()
        .map(|chunk| eval_chunk(plan, chunk))
        .collect();
    let mut clauses: Vec<Bits> = (0..plan.clauses.len()).map(|_| Bits::zeros(n)).collect();
    let mut unreadable = vec![0u64; plan.clauses.len()];
    let mut aborted = vec![0u64; plan.clauses.len()];
    for (&start, r) in dir.chunk_starts().iter().zip(&results) {
        for (ci, bits) in r.clauses.iter().enumerate() {
            clauses[ci].copy_from(bits, start);
            unreadable[ci] += r.unreadable[ci];
            aborted[ci] += r.aborted[ci];
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
    }
}
