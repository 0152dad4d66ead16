//! A comparison that streams the export instead of holding it: what `scopesim diff` runs,
//! so that comparing two stages of a 4-million-user tenant takes about the memory of its
//! plan, not the memory of every user's values.
//!
//! Each pair is two streamed runs of the pipeline, as `plan` runs it. OLD's run keeps
//! only the keys (objectId, else userPrincipalName) of the users its stage's filters
//! select, from which the accounts it manages (in scope and active) become NEW's target
//! state, as in memory ([`super::compute::managed_accounts`]). NEW's run keeps the
//! values of only the users whose scope may change: both sides' filters are evaluated on
//! each row group, and a user whose candidacy is the same on both sides (same app, same
//! scope mode) can change scope only where the two stages' filters disagree on it. When
//! the scope modes differ, every user either stage selects is kept. Both runs end in the
//! same [`super::compute::collect`] as a comparison in memory. An export that cannot be
//! streamed twice (JSON, Parquet, standard input or a pipe, which can be read only once)
//! is read whole, once, and every pair compared in memory.

use super::compute::{
    PairError, SideRun, UserValues, collect, diff_sides, managed_accounts, pipeline_options,
    single_stage, user_key,
};
use super::{AppDiff, DiffOptions, Side, Which};
use crate::diag::{Diagnostic, Errors};
use crate::directory::{
    Chunk, ColId, ColumnSelection, Directory, InputInfo, Progress, streams_again,
};
use crate::eval::{Bits, ChunkOutcome, EvalOptions, Plan, assemble, compile, evaluate_chunk};
use crate::pipeline::{Columns, DirectorySource, Inputs, Probe, Rules, Simulation};
use crate::rules::RuleSet;
use crate::rules::load::LoadedRules;

/// What the first streamed run read of the export: its warnings and its evidence.
#[derive(Debug, Clone)]
pub struct ExportRead {
    /// The directory's warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// The files read, with their hashes.
    pub inputs: Vec<InputInfo>,
}

/// Runs the pairs of one comparison over a streamed export.
pub struct Streamed<'a> {
    /// The directory export.
    pub source: &'a DirectorySource,
    /// Assignments and group members (their target states are set aside while a pair
    /// runs: a comparison starts from what OLD manages).
    pub inputs: &'a mut Inputs,
    /// The attributes read besides the rules' own: both rule sets' and the breakdown's.
    pub attributes: Vec<String>,
    /// Options.
    pub options: DiffOptions,
    /// Progress of the reads.
    pub progress: &'a dyn Progress,
    /// The export's warnings (from the first run that read every attribute) and its
    /// files with their hashes.
    pub read: Option<ExportRead>,
    /// The files as the first run read them, hashed (once per comparison).
    hashed: Option<Vec<InputInfo>>,
    /// Whether the export can be streamed twice (files in CSV); if not, it is read once
    /// and each pair compared in memory.
    streams: bool,
    /// The export read whole, when it does not stream.
    whole: Option<Directory>,
}

impl<'a> Streamed<'a> {
    /// A comparison over `source`, reading `attributes` besides the rules' own.
    pub fn new(
        source: &'a DirectorySource,
        inputs: &'a mut Inputs,
        attributes: Vec<String>,
        options: DiffOptions,
        progress: &'a dyn Progress,
    ) -> Streamed<'a> {
        Streamed {
            source,
            inputs,
            attributes,
            options,
            progress,
            read: None,
            hashed: None,
            streams: streams_again(&source.paths, source.format),
            whole: None,
        }
    }

    /// Compares one pair: OLD's run, then NEW's from the accounts OLD manages.
    pub fn pair(
        &mut self,
        before: Side<'_>,
        before_rules: &Rules,
        after: Side<'_>,
        after_rules: &Rules,
    ) -> Result<AppDiff, PairError> {
        self.given_states_aside(|s| s.run_pair(before, before_rules, after, after_rules))
    }

    /// Runs `f` with the target states given on the command line set aside (a
    /// comparison starts from what OLD manages, not from them), and puts them back.
    fn given_states_aside<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let given = std::mem::take(&mut self.inputs.target_states);
        let out = f(self);
        self.inputs.target_states = given;
        out
    }

    /// Reads the export once without comparing anything (no pair to compare), for its
    /// warnings and evidence.
    pub fn read_only(&mut self, rules: &Rules) -> Result<(), PairError> {
        if !self.streams {
            drop(self.read_whole()?);
            return Ok(());
        }
        let empty = side_rules(rules, RuleSet { apps: Vec::new() });
        let columns = Columns::ProbedWithEvidence(self.attributes.clone());
        let run = self.given_states_aside(|s| {
            s.simulation(&empty)
                .run_probed(columns, s.progress, &|_: &Directory, _: &Plan| ())
        });
        let (run, _) = run.map_err(|e| classify(Which::Before, e))?;
        self.note_read(&run.directory);
        Ok(())
    }

    /// Keeps the warnings of the first read of every attribute compared.
    fn note_read(&mut self, dir: &Directory) {
        if self.read.is_none() {
            self.read = Some(ExportRead {
                diagnostics: dir.diagnostics().to_vec(),
                inputs: self.hashed.clone().unwrap_or_else(|| dir.inputs().to_vec()),
            });
        }
    }

    /// Reads the export whole, every attribute compared, and notes its warnings.
    fn read_whole(&mut self) -> Result<Directory, PairError> {
        let columns = ColumnSelection::only(self.attributes.clone());
        let dir = self
            .source
            .read(columns, self.progress)
            .map_err(PairError::Input)?;
        self.note_read(&dir);
        Ok(dir)
    }

    /// Compares a pair over the export read whole, once for every pair.
    fn in_memory(&mut self, before: Side<'_>, after: Side<'_>) -> Result<AppDiff, PairError> {
        let dir = match self.whole.take() {
            Some(dir) => dir,
            None => self.read_whole()?,
        };
        let compared = diff_sides(
            before,
            after,
            &dir,
            self.inputs.rollout_inputs(),
            self.options,
        )
        .map_err(PairError::Side);
        self.whole = Some(dir);
        compared
    }

    fn simulation<'s>(&'s self, rules: &'s Rules) -> Simulation<'s> {
        Simulation {
            rules,
            directory: self.source,
            inputs: self.inputs,
            options: pipeline_options(self.options),
        }
    }

    fn run_pair(
        &mut self,
        before: Side<'_>,
        before_rules: &Rules,
        after: Side<'_>,
        after_rules: &Rules,
    ) -> Result<AppDiff, PairError> {
        if !self.streams {
            return self.in_memory(before, after);
        }
        let old = single_stage(before);
        let old_rules = side_rules(before_rules, old.clone());
        // OLD, reading only its own attributes (and the ids and activity), hashing the
        // export the first time it is read.
        let columns = match self.hashed {
            None => Columns::ProbedWithEvidence(Vec::new()),
            Some(_) => Columns::Probed(Vec::new()),
        };
        let make_keys = |schema: &Directory, plan: &Plan| KeyProbe::new(schema, plan);
        let (first, keys) = self
            .simulation(&old_rules)
            .run_probed(columns, self.progress, &make_keys)
            .map_err(|e| classify(Which::Before, e))?;
        if self.hashed.is_none() {
            self.hashed = Some(first.directory.inputs().to_vec());
        }
        let keys = KeptValues::new(vec![KEY.to_string()], keys);
        let managed = managed_accounts(&first.evaluated, after.app(), |row| keys.get(row, KEY))
            .map_err(PairError::Side)?;
        drop(keys);

        // NEW, from the accounts OLD manages, keeping the users who may change.
        self.inputs.target_states = vec![managed];
        let new_rules = side_rules(after_rules, single_stage(after));
        let same_candidates = before.app().name.node == after.app().name.node
            && before.app().scope_mode() == after.app().scope_mode();
        let eval = self.options.eval;
        let make_changes = |schema: &Directory, plan: &Plan| {
            ChangeProbe::new(&old, schema, plan, eval, same_candidates)
        };
        let second = self.simulation(&new_rules).run_probed(
            Columns::Probed(self.attributes.clone()),
            self.progress,
            &make_changes,
        );
        self.inputs.target_states.clear();
        let (second, kept) = second.map_err(|e| classify(Which::After, e))?;
        self.note_read(&second.directory);
        let names = second.directory.columns().iter().map(|c| c.name.clone());
        let values = KeptValues::new(names.collect(), kept);
        collect(
            (
                before,
                SideRun {
                    evaluated: &first.evaluated,
                    schema: &first.directory,
                },
            ),
            (
                after,
                SideRun {
                    evaluated: &second.evaluated,
                    schema: &second.directory,
                },
            ),
            &values,
            self.inputs.rollout_inputs(),
            self.options,
        )
        .map_err(PairError::Side)
    }
}

/// A side's single-stage rules, with the texts of the rules they come from (for spans).
fn side_rules(rules: &Rules, set: RuleSet) -> Rules {
    Rules::from_loaded(
        rules.path.clone(),
        LoadedRules {
            rules: set,
            sources: rules.sources().clone(),
            diagnostics: Vec::new(),
            graph: None,
        },
    )
}

/// A run's errors: the side's rules when every one points into them (compiled against
/// the export's columns), else the export's or another input's.
fn classify(which: Which, e: Errors) -> PairError {
    if e.iter().all(|d| !d.labels.is_empty()) {
        PairError::Side((which, e))
    } else {
        PairError::Input(e)
    }
}

/// Who a side's one stage selects in a row group: its scoping and input filters (S22);
/// everyone when the outcome is not known (a directory read whole).
fn stage_pass(plan: &Plan, n: usize, outcome: Option<&ChunkOutcome>) -> Bits {
    let (Some((sid, _)), Some(outcome)) = (plan.stages_of(0).next(), outcome) else {
        return Bits::ones(n);
    };
    let o = assemble(plan, n, [(0, outcome)]);
    let mut pass = o.scoping(sid).clone();
    pass.and_with(o.input(sid));
    pass
}

/// The one attribute OLD's run keeps: each user's [`user_key`].
const KEY: &str = "key";

/// OLD's probe: the key of every user its stage's filters select (the accounts it
/// manages are among them), as the one cell of a [`ChunkRows`].
struct KeyProbe {
    plan: Plan,
    object_id: Option<ColId>,
    upn: Option<ColId>,
}

impl KeyProbe {
    fn new(schema: &Directory, plan: &Plan) -> KeyProbe {
        KeyProbe {
            plan: plan.clone(),
            object_id: schema.column("objectId"),
            upn: schema.column("userPrincipalName"),
        }
    }
}

impl Probe for KeyProbe {
    type Output = ChunkRows;

    fn row_group(&self, chunk: &Chunk, outcome: Option<&ChunkOutcome>) -> ChunkRows {
        let mut keys = ChunkRows::default();
        let value = |row: usize, col: Option<ColId>| col.and_then(|c| chunk.value(row, c));
        for row in stage_pass(&self.plan, chunk.len(), outcome).ones_iter() {
            let key = user_key(|name| match name {
                "objectId" => value(row, self.object_id),
                _ => value(row, self.upn),
            });
            if let (Some(k), Ok(r)) = (key, u32::try_from(row)) {
                keys.rows.push(r);
                keys.push(Some(k));
            }
        }
        keys
    }
}

/// NEW's probe: every value of each user whose scope may change (see the module's
/// comment), OLD's plan compiled against the same columns.
struct ChangeProbe {
    old: Option<Plan>,
    new: Plan,
    same_candidates: bool,
    columns: usize,
}

impl ChangeProbe {
    fn new(
        old: &RuleSet,
        schema: &Directory,
        plan: &Plan,
        eval: EvalOptions,
        same_candidates: bool,
    ) -> ChangeProbe {
        ChangeProbe {
            // OLD compiled against this export already (its run came first); if it did
            // not, every user is kept, which is only slower.
            old: compile(old, schema, eval).ok(),
            new: plan.clone(),
            same_candidates,
            columns: schema.columns().len(),
        }
    }
}

/// The values kept of one row group: the rows, and each row's cells in column order as
/// ends in one text (`end << 1 | 1` for a value, `end << 1` for a null).
#[derive(Debug, Default)]
struct ChunkRows {
    rows: Vec<u32>,
    cells: Vec<u32>,
    text: String,
}

impl ChunkRows {
    fn push(&mut self, value: Option<&str>) {
        if let Some(v) = value {
            self.text.push_str(v);
        }
        let end = u32::try_from(self.text.len()).unwrap_or(u32::MAX >> 1);
        self.cells.push(end << 1 | u32::from(value.is_some()));
    }

    fn cell(&self, i: usize) -> Option<&str> {
        let c = *self.cells.get(i)?;
        if c & 1 == 0 {
            return None;
        }
        let begin = match i {
            0 => 0,
            _ => self.cells.get(i - 1).map_or(0, |&p| (p >> 1) as usize),
        };
        self.text.get(begin..(c >> 1) as usize)
    }
}

impl Probe for ChangeProbe {
    type Output = ChunkRows;

    fn row_group(&self, chunk: &Chunk, outcome: Option<&ChunkOutcome>) -> ChunkRows {
        let n = chunk.len();
        let now = stage_pass(&self.new, n, outcome);
        let known = self.old.is_some() && outcome.is_some();
        let was = match (&self.old, known) {
            (Some(old), true) => stage_pass(old, n, Some(&evaluate_chunk(old, chunk))),
            _ => Bits::ones(n),
        };
        let mut kept = ChunkRows::default();
        for row in 0..n {
            let (w, a) = (was.get(row), now.get(row));
            let may_change = match (known, self.same_candidates) {
                (false, _) => true,
                (true, true) => w != a,
                (true, false) => w || a,
            };
            let Ok(r) = u32::try_from(row) else { continue };
            if may_change {
                kept.rows.push(r);
                for c in 0..self.columns {
                    kept.push(chunk.value(row, c));
                }
            }
        }
        kept
    }
}

/// The values a run kept, by row and attribute name: NEW's every attribute of the users
/// who may change, OLD's [`KEY`] of the users its stage selects.
struct KeptValues {
    names: Vec<String>,
    /// `(first row of the row group, its kept rows)`, in row order.
    chunks: Vec<(usize, ChunkRows)>,
}

impl KeptValues {
    fn new(names: Vec<String>, chunks: Vec<(usize, ChunkRows)>) -> KeptValues {
        KeptValues { names, chunks }
    }
}

impl UserValues for KeptValues {
    fn get(&self, row: usize, name: &str) -> Option<&str> {
        let col = self.names.iter().position(|n| n == name)?;
        let i = self
            .chunks
            .partition_point(|(s, _)| *s <= row)
            .checked_sub(1)?;
        let (start, kept) = self.chunks.get(i)?;
        let local = u32::try_from(row - start).ok()?;
        let k = kept.rows.binary_search(&local).ok()?;
        kept.cell(k * self.names.len() + col)
    }
}
