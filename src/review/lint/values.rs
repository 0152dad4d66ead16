//! The values the lint's data analyses read, gathered row group by row group.
//!
//! The analyses that look at values (letter case, regex anchoring, suffixes, unreadable,
//! unusual and blank values, guests and disabled accounts) want only a few of them: the
//! values on which a clause's answer would change, or that Entra cannot read. Everything
//! else they need is a bit per user (who is null, who matches a clause exactly) and the
//! name of a handful of users to show. So a [`ValueProbe`], made from the compiled rules,
//! reads each row group where it is parsed (on the parsing threads when the export
//! streams, [`crate::pipeline::Probe`]) and keeps just that; [`LintValues`] puts the row
//! groups together. The lint then needs the memory of a plan plus one name per user,
//! instead of every value of every user (issue 13), and a directory held in memory goes
//! through the same probe, so both give the same findings.
//!
//! Which values each analysis keeps is decided in the analysis's own file (`wants`,
//! `differs`, ...), so that what is kept and what is counted cannot drift apart.

use super::data::filter_contexts;
use super::{LintOptions, breadth, case_mismatch, ends_with_culture, integer_shape};
use super::{regex_unanchored, unreadable_values};
use crate::directory::{Chunk, ColId, Directory, TextColumn};
use crate::eval::{Bits, ChunkOutcome, Plan};
use crate::pipeline::Probe;
use crate::regex::DotnetRegex;
use crate::rules::{Operator, RuleSet};
use std::collections::HashMap;

/// What makes a value worth keeping.
enum Test {
    /// It differs from a case-sensitive clause's value only in letter case (S5, S6, S9,
    /// S10; `case-mismatch`).
    Case {
        op: Operator,
        value: String,
        lower: String,
    },
    /// An unanchored pattern matches it and the whole-value pattern does not (S7).
    Regex(Box<(DotnetRegex, DotnetRegex)>),
    /// Ordinal and culture-sensitive ENDS_WITH give different answers on it (S10).
    Culture(String),
    /// It cannot be read as an integer (`true`) or a Boolean (`false`) (S4, S18).
    Unreadable(bool),
    /// An integer not written as plain digits (S18).
    Shape,
    /// Only white space (S1).
    Blank,
}

impl Test {
    fn keeps(&self, v: &str) -> bool {
        match self {
            Test::Case { op, value, lower } => {
                let (exact, folded) = case_mismatch::compare(*op, v, value, lower);
                folded && !exact
            }
            Test::Regex(p) => regex_unanchored::differs(&p.0, &p.1, v),
            Test::Culture(suffix) => ends_with_culture::culture_differs(v, suffix),
            Test::Unreadable(integer) => !unreadable_values::readable(*integer, v),
            Test::Shape => integer_shape::undocumented(v),
            Test::Blank => v.trim().is_empty(),
        }
    }
}

/// Reads, in each row group, what the analyses of a compiled rule set want.
pub(crate) struct ValueProbe {
    /// Columns whose values may be kept, with what keeps one.
    kept: Vec<(ColId, Vec<Test>)>,
    /// Clauses whose exact matches are marked (case-mismatch): clause, column, operator
    /// and value.
    exact: Vec<(usize, ColId, Operator, String)>,
    /// Columns whose nulls are marked (null-excluded).
    nulls: Vec<ColId>,
    /// Where a user's name is read: userPrincipalName, else objectId.
    names: [Option<ColId>; 2],
    /// `userType` (guests, with `#EXT#` in the UPN).
    user_type: Option<ColId>,
    /// `accountEnabled` (disabled accounts).
    enabled: Option<ColId>,
}

impl ValueProbe {
    /// The probe of `rules` compiled as `plan` against the columns of `dir`.
    pub(crate) fn new(rules: &RuleSet, plan: &Plan, dir: &Directory, opts: &LintOptions) -> Self {
        let mut kept: Vec<(ColId, Vec<Test>)> = Vec::new();
        let mut add = |col: ColId, test: Test| match kept.iter_mut().find(|(c, _)| *c == col) {
            Some((_, tests)) => tests.push(test),
            None => kept.push((col, vec![test])),
        };
        let mut exact: Vec<(usize, ColId, Operator, String)> = Vec::new();
        for f in filter_contexts(rules, plan) {
            for (clause, &cid) in f.ast.clauses.iter().zip(&plan.filters[f.id].clauses) {
                let Some(col) = plan.clauses[cid].column else {
                    continue;
                };
                if let Some((op, x)) = case_mismatch::wants(clause) {
                    if !exact.iter().any(|(c, ..)| *c == cid) {
                        exact.push((cid, col, op, x.to_string()));
                    }
                    add(
                        col,
                        Test::Case {
                            op,
                            value: x.to_string(),
                            lower: x.to_lowercase(),
                        },
                    );
                }
                if let Some(p) = regex_unanchored::wants(clause, opts.anchoring) {
                    add(col, Test::Regex(Box::new(p)));
                }
                if let Some(v) = ends_with_culture::wants(clause) {
                    add(col, Test::Culture(v.text.clone()));
                }
            }
        }
        let mut nulls = Vec::new();
        for c in &plan.clauses {
            let Some(col) = c.column else {
                continue;
            };
            if let Some(integer) = unreadable_values::wants(c.operator) {
                add(col, Test::Unreadable(integer));
            }
            if c.operator.is_integer() {
                add(col, Test::Shape);
            }
            if !nulls.contains(&col) {
                nulls.push(col);
                add(col, Test::Blank);
            }
        }
        let upn = dir.column("userPrincipalName");
        ValueProbe {
            kept,
            exact,
            nulls,
            names: [upn, dir.column("objectId")],
            user_type: dir.column("userType"),
            enabled: dir.column("accountEnabled"),
        }
    }
}

/// Kept values of one column: rows (with a value's index) and the distinct values.
type Kept<R> = (Vec<(R, u32)>, Vec<Box<str>>);

/// What [`ValueProbe`] keeps of one row group (rows counted from its first).
pub(crate) struct ChunkValues {
    /// Per kept column: rows with the index of their value in `distinct`.
    kept: Vec<Kept<u32>>,
    exact: Vec<Bits>,
    nulls: Vec<Bits>,
    guests: Bits,
    disabled: Bits,
    names: TextColumn,
}

/// A row group's bits of the users for whom `test` holds.
fn mark(chunk: &Chunk, col: Option<ColId>, bits: &mut Bits, test: impl Fn(&str) -> bool) {
    let Some(col) = col else {
        return;
    };
    for row in 0..chunk.len() {
        if chunk.value(row, col).is_some_and(&test) {
            bits.set(row, true);
        }
    }
}

impl Probe for ValueProbe {
    type Output = ChunkValues;

    fn row_group(&self, chunk: &Chunk, _: Option<&ChunkOutcome>) -> ChunkValues {
        let n = chunk.len();
        let kept = self
            .kept
            .iter()
            .map(|(col, tests)| {
                let mut rows = Vec::new();
                let mut index: HashMap<&str, u32> = HashMap::new();
                for row in 0..n {
                    if let Some(v) = chunk.value(row, *col) {
                        if tests.iter().any(|t| t.keeps(v)) {
                            let next = index.len() as u32;
                            rows.push((row as u32, *index.entry(v).or_insert(next)));
                        }
                    }
                }
                let mut distinct: Vec<(&str, u32)> = index.into_iter().collect();
                distinct.sort_unstable_by_key(|&(_, i)| i);
                (
                    rows,
                    distinct.into_iter().map(|(v, _)| Box::from(v)).collect(),
                )
            })
            .collect();
        let exact = self
            .exact
            .iter()
            .map(|(_, col, op, x)| {
                let mut b = Bits::zeros(n);
                for row in 0..n {
                    if chunk
                        .value(row, *col)
                        .is_some_and(|v| case_mismatch::exact(*op, v, x))
                    {
                        b.set(row, true);
                    }
                }
                b
            })
            .collect();
        let nulls = self
            .nulls
            .iter()
            .map(|&col| {
                let mut b = Bits::zeros(n);
                for row in 0..n {
                    if chunk.value(row, col).is_none() {
                        b.set(row, true);
                    }
                }
                b
            })
            .collect();
        let name = |row: usize| {
            self.names
                .iter()
                .find_map(|c| c.and_then(|c| chunk.value(row, c)))
        };
        let bytes = (0..n).map(|row| name(row).map_or(0, str::len)).sum();
        let mut names = TextColumn::with_capacity(n, bytes);
        for row in 0..n {
            match name(row) {
                Some(v) if names.push(v) => {}
                _ => names.push_null(),
            }
        }
        let (mut guests, mut disabled) = (Bits::zeros(n), Bits::zeros(n));
        mark(chunk, self.user_type, &mut guests, breadth::is_guest_type);
        mark(chunk, self.names[0], &mut guests, breadth::is_external);
        mark(chunk, self.enabled, &mut disabled, breadth::is_disabled);
        ChunkValues {
            kept,
            exact,
            nulls,
            guests,
            disabled,
            names,
        }
    }
}

/// The kept values of a whole directory, for the analyses.
pub(super) struct LintValues {
    /// Per column: the rows of the kept values, in row order, with the index of their
    /// value among the column's distinct kept values.
    kept: HashMap<ColId, Kept<usize>>,
    /// Guests: `userType` Guest or `#EXT#` in the UPN.
    guests: Bits,
    /// Accounts disabled in Entra (S25).
    disabled: Bits,
    /// Per clause: its exact matches (case-mismatch).
    exact: HashMap<usize, Bits>,
    /// Per column: its nulls.
    nulls: HashMap<ColId, Bits>,
    /// Names, per row group with its first row.
    names: Vec<(usize, TextColumn)>,
}

impl LintValues {
    /// Puts the row groups of `n` users together, in row order.
    pub(super) fn new(probe: &ValueProbe, n: usize, groups: Vec<(usize, ChunkValues)>) -> Self {
        let mut kept: HashMap<ColId, Kept<usize>> = probe
            .kept
            .iter()
            .map(|(c, _)| (*c, (Vec::new(), Vec::new())))
            .collect();
        let mut index: HashMap<(ColId, Box<str>), u32> = HashMap::new();
        let (mut guests, mut disabled) = (Bits::zeros(n), Bits::zeros(n));
        let mut exact: HashMap<usize, Bits> = probe
            .exact
            .iter()
            .map(|(cid, ..)| (*cid, Bits::zeros(n)))
            .collect();
        let mut nulls: HashMap<ColId, Bits> =
            probe.nulls.iter().map(|c| (*c, Bits::zeros(n))).collect();
        let mut names = Vec::with_capacity(groups.len());
        for (start, g) in groups {
            for ((col, _), (rows, distinct)) in probe.kept.iter().zip(g.kept) {
                let Some((all_rows, all_distinct)) = kept.get_mut(col) else {
                    continue;
                };
                let ids: Vec<u32> = distinct
                    .into_iter()
                    .map(|v| {
                        *index.entry((*col, v.clone())).or_insert_with(|| {
                            all_distinct.push(v);
                            (all_distinct.len() - 1) as u32
                        })
                    })
                    .collect();
                all_rows.extend(rows.into_iter().map(|(r, i)| {
                    (
                        start + r as usize,
                        ids.get(i as usize).copied().unwrap_or(0),
                    )
                }));
            }
            guests.copy_from(&g.guests, start);
            disabled.copy_from(&g.disabled, start);
            for ((cid, ..), bits) in probe.exact.iter().zip(&g.exact) {
                if let Some(b) = exact.get_mut(cid) {
                    b.copy_from(bits, start);
                }
            }
            for (col, bits) in probe.nulls.iter().zip(&g.nulls) {
                if let Some(b) = nulls.get_mut(col) {
                    b.copy_from(bits, start);
                }
            }
            names.push((start, g.names));
        }
        LintValues {
            kept,
            guests,
            disabled,
            exact,
            nulls,
            names,
        }
    }

    /// The kept values of `col` of the users in `users`, in row order.
    pub(super) fn values<'s>(
        &'s self,
        col: ColId,
        users: &'s Bits,
    ) -> impl Iterator<Item = (usize, &'s str)> + 's {
        self.kept
            .get(&col)
            .into_iter()
            .flat_map(move |(rows, distinct)| {
                rows.iter()
                    .filter(|(row, _)| users.get(*row))
                    .filter_map(|(row, i)| Some((*row, &**distinct.get(*i as usize)?)))
            })
    }

    /// Guests (`userType` Guest or `#EXT#` in the UPN).
    pub(super) fn guests(&self) -> &Bits {
        &self.guests
    }

    /// Accounts disabled in Entra (`accountEnabled` false, S25).
    pub(super) fn disabled(&self) -> &Bits {
        &self.disabled
    }

    /// The users whose `col` is null (everyone when the column is absent, S2).
    pub(super) fn nulls(&self, col: Option<ColId>, n: usize) -> Bits {
        col.and_then(|c| self.nulls.get(&c))
            .cloned()
            .unwrap_or_else(|| Bits::ones(n))
    }

    /// The users who match clause `cid` exactly (case-mismatch); `None` for a clause that
    /// analysis does not look at.
    pub(super) fn exact(&self, cid: usize) -> Option<&Bits> {
        self.exact.get(&cid)
    }

    /// The name of user `row`: userPrincipalName, else objectId, else `row N`.
    pub(super) fn name(&self, row: usize) -> String {
        let at = self.names.partition_point(|(start, _)| *start <= row);
        at.checked_sub(1)
            .and_then(|i| self.names.get(i))
            .and_then(|(start, t)| t.get(row - start))
            .map_or_else(|| format!("row {}", row + 1), str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use crate::directory::assignments::{read_assignments, read_group_members};
    use crate::directory::read::read_directory_with;
    use crate::directory::{ColumnSelection, NoProgress, ReadOptions};
    use crate::review::lint::{LintData, LintOptions, lint};
    use crate::rollout::RolloutInputs;
    use crate::rules::load::load_path;
    use std::path::{Path, PathBuf};

    /// Row groups put together in order give the findings of one row group: counts,
    /// value examples and user names (the names and bits of a later group are offset by
    /// the rows before it).
    #[test]
    fn findings_do_not_depend_on_how_the_export_is_cut_into_row_groups() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let read = |block: usize| {
            let opts = ReadOptions {
                format: None,
                delimiter: None,
                skip_bad_rows: false,
                columns: ColumnSelection::all(),
                skip_hash: true,
            };
            let users = [root.join("fixtures/review/users.csv")];
            read_directory_with(&users, &opts, &NoProgress, block).unwrap()
        };
        let (whole, cut) = (read(1 << 20), read(256));
        assert_eq!(whole.chunk_slice().len(), 1);
        assert!(cut.chunk_slice().len() > 3, "{}", cut.chunk_slice().len());
        let a = read_assignments(&root.join("fixtures/review/assignments.csv")).unwrap();
        let g = read_group_members(&[root.join("fixtures/review/group-members.csv")]).unwrap();
        let inputs = RolloutInputs {
            assignments: Some(&a),
            group_members: Some(&g),
            target_states: &[],
        };
        let mut compared = 0;
        for name in [
            "breadth",
            "case",
            "null",
            "regex",
            "unreadable",
            "dead",
            "suffix",
        ] {
            let path: PathBuf = root.join(format!("fixtures/lint/{name}.scope"));
            let l = load_path(&path);
            let opts = LintOptions::default();
            for inputs in [inputs, RolloutInputs::default()] {
                let key = |dir| {
                    lint(&l, Some(LintData { dir, inputs }), &opts)
                        .into_iter()
                        .map(|f| (f.diagnostic.message, f.affected, f.examples))
                        .collect::<Vec<_>>()
                };
                let want = key(&whole);
                assert_eq!(key(&cut), want, "{name}");
                compared += want.iter().filter(|f| !f.2.is_empty()).count();
            }
        }
        assert!(compared > 10, "only {compared} findings with examples");
    }
}
