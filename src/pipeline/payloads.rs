//! The attribute-mapping stage: what Entra would write for each user, app and stage whose
//! action is create or update (S39, S40), after the rollout has decided the actions.
//!
//! This is the only place that sees both the rollout (the action, `IsSoftDeleted`, the
//! target-state account a user has) and the mappings (`mapping::payload`), so it is the
//! pipeline's. It is shaped by two constraints:
//!
//! * **Bounded memory.** A plan streams a CSV export and drops its values; the payloads
//!   need them again. So the export is read a second time, streamed, each row group's
//!   mapped columns spilled to an anonymous temporary file on the parsing threads, then
//!   read back in row order, one row group at a time, its users' payloads computed in
//!   parallel and written in order. Memory is a few row groups, whatever the number of
//!   users. Graph JSON and Parquet exports cannot be streamed and are read whole.
//! * **Stages in order.** Each stage is one cycle after the previous, so an account
//!   created or updated at one stage holds what was written when the next one compares:
//!   the payloads of a user are computed stage by stage, the written values laid over the
//!   target-state account (or over nothing, for an account Entra created).
//!
//! The matching values of an expression matching attribute (S32) are computed here too,
//! per row group, before the rollout, and handed to it as a value column.

use super::spill::{spill, unspill};
use super::{Inputs, Rules, Run, Simulation};
use crate::diag::{Code, Diagnostic, Errors};
use crate::directory::assignments::{TargetAccount, TargetState};
use crate::directory::{
    Chunk, ColId, ColumnData, ColumnKind, ColumnSelection, Directory, Progress, TextColumn,
    read_directory, stream_directory,
};
use crate::mapping::date::DateTime;
use crate::mapping::payload::{AppMappings, ChangeState, Op, Payload, flow};
use crate::mapping::target::{Current, CurrentValues, Definitions, resolve};
use crate::mapping::{Context, EvalError, Evaluation, Value, Values, read_mappings};
use crate::rollout::facts::value_hash;
use crate::rollout::{Action, Rollout};
use crate::rules::RuleSet;
use crate::rules::load::LoadedRules;
use crate::source::Sources;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::Arc;

/// An app's attribute mappings, as read from its schema.
#[derive(Debug, Clone)]
pub enum AppMappingsOf {
    /// The app's rules have no attribute mappings (a `.scope` file, a bare scope).
    None,
    /// Read and ready to evaluate.
    Read(Arc<AppMappings>),
    /// The mappings cannot be read (an undocumented function, a bad tree): payloads
    /// cannot be computed for the app, and the errors say why.
    Unreadable(Errors),
}

impl AppMappingsOf {
    /// The mappings, when read.
    pub fn get(&self) -> Option<&Arc<AppMappings>> {
        match self {
            AppMappingsOf::Read(m) => Some(m),
            _ => None,
        }
    }
}

/// Reads every app's attribute mappings (in rule order). Expression texts are added to a
/// copy of the rules' sources, so the rule hash does not change.
pub fn read_app_mappings(loaded: &LoadedRules) -> Vec<AppMappingsOf> {
    mappings_of(&loaded.rules, &loaded.sources)
}

/// [`read_app_mappings`] for a rule set and the texts it was read from.
pub fn mappings_of(rules: &RuleSet, sources: &Sources) -> Vec<AppMappingsOf> {
    rules
        .apps
        .iter()
        .map(|app| {
            let Some(raw) = &app.object.attribute_mappings else {
                return AppMappingsOf::None;
            };
            let mut sources = sources.clone();
            match read_mappings(&raw.object_mapping, &mut sources, raw.source) {
                Ok(m) => {
                    let defs = raw
                        .target_object
                        .as_deref()
                        .map_or_else(Definitions::none, Definitions::read);
                    AppMappingsOf::Read(Arc::new(AppMappings::new(m, defs)))
                }
                Err(e) => AppMappingsOf::Unreadable(e),
            }
        })
        .collect()
}

/// A warning for each app whose mappings cannot be read: its matching expressions are
/// not evaluated, and no payload is computed.
pub(super) fn unreadable_warnings(rules: &Rules) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (app, m) in rules.rules().apps.iter().zip(&rules.mappings) {
        if let AppMappingsOf::Unreadable(e) = m {
            out.push(
                Diagnostic::warning(
                    Code::MappingsUnreadable,
                    format!(
                        "the attribute mappings of `{}` cannot be evaluated: {}",
                        app.name.node,
                        e.first().message
                    ),
                )
                .with_rule("S39")
                .with_label(app.source, app.span, "")
                .with_help("`scopesim lint` shows every mistake with its location; until they are fixed, matching expressions are not evaluated and `--payloads` is refused"),
            );
        }
    }
    out
}

/// The columns of a directory by name, for the values an expression reads. A mapping
/// reads a few dozen attributes per user, so lookups are a scan of the names (exact, then
/// ignoring ASCII case, S3), without hashing or allocating.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap {
    columns: Vec<(String, ColId, ColumnKind)>,
    names: Vec<String>,
}

impl ColumnMap {
    /// The columns of `dir` (or of a streamed directory's schema).
    pub fn new(dir: &Directory) -> ColumnMap {
        let mut m = ColumnMap::default();
        for (i, c) in dir.columns().iter().enumerate() {
            m.columns.push((c.name.clone(), i, c.kind));
            m.names.push(c.name.clone());
        }
        m
    }

    fn find(&self, name: &str) -> Option<(ColId, ColumnKind)> {
        self.columns
            .iter()
            .find(|(n, _, _)| n == name)
            .or_else(|| {
                self.columns
                    .iter()
                    .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
            })
            .map(|(_, c, k)| (*c, *k))
    }
}

/// One user's values as an expression reads them: the row of a row group.
pub struct RowValues<'a> {
    chunk: &'a Chunk,
    row: usize,
    cols: &'a ColumnMap,
}

impl<'a> RowValues<'a> {
    /// Local row `row` of `chunk`, whose columns `cols` names.
    pub fn new(chunk: &'a Chunk, row: usize, cols: &'a ColumnMap) -> RowValues<'a> {
        RowValues { chunk, row, cols }
    }

    fn text(&self, name: &str) -> Option<&'a str> {
        let (c, _) = self.cols.find(name)?;
        self.chunk.value(self.row, c)
    }
}

impl Values for RowValues<'_> {
    fn get(&self, name: &str) -> Value {
        let Some((c, _)) = self.cols.find(name) else {
            return Value::Null;
        };
        match self.chunk.column(c) {
            ColumnData::Text(t) => t.get(self.row).map_or(Value::Null, Value::str),
            ColumnData::List(l) => {
                let items: Vec<String> = l.get(self.row).map(str::to_string).collect();
                if items.is_empty() {
                    Value::Null
                } else {
                    Value::List(items)
                }
            }
            ColumnData::Absent => Value::Null,
        }
    }

    fn names(&self) -> Vec<String> {
        self.cols.names.clone()
    }
}

/// An expression matching attribute of an app (S32): its text, as the rollout names it,
/// and the mapping that computes it.
#[derive(Debug, Clone)]
pub struct ComputedMatch {
    /// The expression's text (the rollout's matching attribute name).
    pub name: String,
    /// The mappings.
    pub mappings: Arc<AppMappings>,
    /// The mapping's index.
    pub index: usize,
}

/// The matching attributes whose source is an expression and whose mapping is read, one
/// per distinct text.
pub fn computed_matches(rules: &Rules) -> Vec<ComputedMatch> {
    computed_matches_of(rules.rules(), &rules.mappings)
}

/// [`computed_matches`] for a rule set and its mappings.
pub fn computed_matches_of(rules: &RuleSet, mappings: &[AppMappingsOf]) -> Vec<ComputedMatch> {
    let mut out: Vec<ComputedMatch> = Vec::new();
    for (app, m) in rules.apps.iter().zip(mappings) {
        let Some(m) = m.get() else { continue };
        for matching in &app.object.matching {
            let Some(text) = &matching.expression else {
                continue;
            };
            if out.iter().any(|c| &c.name == text) {
                continue;
            }
            let index = m
                .mappings
                .iter()
                .position(|x| x.is_matching() && x.target.eq_ignore_ascii_case(&matching.target));
            if let Some(index) = index {
                out.push(ComputedMatch {
                    name: text.clone(),
                    mappings: m.clone(),
                    index,
                });
            }
        }
    }
    out
}

/// The attributes the computed matching values read (to keep when reading).
pub fn computed_match_attributes(matches: &[ComputedMatch]) -> Vec<String> {
    let mut out = Vec::new();
    for c in matches {
        if let Some(e) = c
            .mappings
            .mappings
            .get(c.index)
            .and_then(|m| m.source.as_ref())
        {
            out.extend(e.attributes().iter().map(|a| (*a).to_string()));
        }
    }
    out
}

/// The value of one computed matching attribute for each user of a row group: the
/// expression's text, or null for NULL or an expression that fails for the user
/// (matching then uses the next attribute, or the user is `ImportSkipped`).
pub fn chunk_match_values(
    chunk: &Chunk,
    cols: &ColumnMap,
    matches: &[ComputedMatch],
) -> Vec<TextColumn> {
    let ctx = Context::default();
    matches
        .iter()
        .map(|m| {
            let mut out = TextColumn::with_capacity(chunk.len(), chunk.len() * 24);
            let expr = m
                .mappings
                .mappings
                .get(m.index)
                .and_then(|x| x.source.as_ref());
            for row in 0..chunk.len() {
                let v = RowValues::new(chunk, row, cols);
                let text = expr
                    .and_then(|e| crate::mapping::evaluate(e, &v, &ctx).ok())
                    .and_then(|ev| ev.value.text().ok().flatten());
                match text {
                    Some(t) if !t.is_empty() && out.push(&t) => {}
                    _ => out.push_null(),
                }
            }
            out
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The payload stage
// ---------------------------------------------------------------------------------------

/// How payloads are computed.
#[derive(Debug, Clone, Default)]
pub struct PayloadOptions {
    /// Only this app.
    pub app: Option<String>,
    /// Only this stage.
    pub stage: Option<String>,
    /// What `Now()` returns; `None`: the system clock at the start of the run, stated in
    /// the output.
    pub now: Option<DateTime>,
    /// The seed `Guid()` and `RandomString()` draw from; each user draws from this seed
    /// mixed with a hash of their objectId, so users get different values that the same
    /// inputs reproduce.
    pub seed: u64,
}

impl PayloadOptions {
    /// Options for `app` and `stage` with `--now TIME` and `--seed N` as given; a time
    /// that does not read as one is a usage error.
    pub fn new(
        app: Option<&str>,
        stage: Option<&str>,
        now: Option<&str>,
        seed: Option<u64>,
    ) -> Result<PayloadOptions, Diagnostic> {
        let now = match now {
            None => None,
            Some(t) => match DateTime::parse(t) {
                Ok(d) => Some(d.to_utc()),
                Err(e) => {
                    return Err(Diagnostic::error(
                        Code::Usage,
                        format!("`--now {t}` is not a time: {}", e.0),
                    )
                    .with_help("write an ISO 8601 time such as `2024-05-01T12:00:00Z`"));
                }
            },
        };
        Ok(PayloadOptions {
            app: app.map(str::to_string),
            stage: stage.map(str::to_string),
            now,
            seed: seed.unwrap_or(0),
        })
    }
}

/// Payload counts of one app and stage.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct StagePayloads {
    /// App.
    pub app: String,
    /// Stage.
    pub stage: String,
    /// Creates with a payload.
    pub create: usize,
    /// Updates with a payload.
    pub update: usize,
    /// Updates that change at least one attribute.
    pub would_change: usize,
    /// Updates that change nothing (`RedundantExport`, logged as skipped).
    pub no_change: usize,
    /// Updates whose current values are not all known.
    pub unknown: usize,
    /// Users with at least one predicted failure.
    pub failed: usize,
    /// Failures by Entra error code.
    pub failures: BTreeMap<String, usize>,
    /// Updates where ED-FUNC's Switch bug would clear an attribute.
    pub switch_null: usize,
    /// Up to three examples per error code: `user: message`.
    #[serde(skip)]
    pub examples: BTreeMap<String, Vec<String>>,
}

/// What the payload stage produced besides the records.
#[derive(Debug, Clone, Default)]
pub struct PayloadSummary {
    /// Per app and stage, in rule order (apps with mappings only).
    pub stages: Vec<StagePayloads>,
    /// Records written.
    pub records: u64,
    /// Warnings: source attributes the export lacks, predicted failures, the clock.
    pub warnings: Vec<Diagnostic>,
}

impl PayloadSummary {
    /// The counts of one app and stage.
    pub fn stage(&self, app: &str, stage: &str) -> Option<&StagePayloads> {
        self.stages
            .iter()
            .find(|s| s.app == app && s.stage == stage)
    }
}

/// One user's payload at one app and stage, as `explain` shows it.
#[derive(Debug, Clone)]
pub struct UserPayload {
    /// App.
    pub app: String,
    /// Stage.
    pub stage: String,
    /// The action (create or update).
    pub action: Action,
    /// What Entra would write.
    pub payload: Payload,
}

/// Everything the per-user computation reads, shared by the streaming and in-memory paths.
struct Stage<'a> {
    rules: &'a Rules,
    rollout: &'a Rollout,
    inputs: &'a Inputs,
    opts: &'a PayloadOptions,
    now: DateTime,
}

/// The account a user has in the app before the first stage, with the values later
/// stages write laid over it.
struct Account<'a> {
    base: Option<(&'a TargetState, &'a TargetAccount)>,
    /// Values written by earlier stages of this run.
    written: HashMap<String, Current>,
    /// Created by this run: an attribute never written has no value.
    created: bool,
}

impl CurrentValues for Account<'_> {
    fn current(&self, target: &str) -> Current {
        if let Some(v) = self.written.get(target) {
            return v.clone();
        }
        if self.created {
            return Current::Null;
        }
        let Some((ts, acc)) = self.base else {
            return Current::Unknown;
        };
        let column = |name: &str| -> Option<Option<&str>> {
            ts.columns
                .iter()
                .position(|c| c.eq_ignore_ascii_case(name))
                .map(|c| acc.value(c))
        };
        resolve(target, &column)
    }
}

impl Account<'_> {
    fn apply(&mut self, p: &Payload) {
        for s in &p.attributes {
            let cur = match &s.value {
                Value::List(l) => Current::List(l.clone()),
                v => Current::Str(v.text().ok().flatten().unwrap_or_default()),
            };
            self.written.insert(s.target.clone(), cur);
        }
        for t in &p.switch_null {
            self.written.insert(t.clone(), Current::Null);
        }
    }
}

type Evals = Vec<Result<Evaluation, EvalError>>;

impl Stage<'_> {
    fn context(&self, key: &str) -> Context {
        Context {
            now: Some(self.now),
            seed: self.opts.seed ^ value_hash(key),
            taken: None,
        }
    }

    /// The payloads of user `row`, for every app and stage in order; `emit` gets those the
    /// options select.
    fn user(
        &self,
        row: usize,
        values: &dyn Values,
        key: &str,
        emit: &mut dyn FnMut(usize, usize, Action, Payload),
    ) {
        let ctx = self.context(key);
        for (ai, app) in self.rollout.apps.iter().enumerate() {
            if self.opts.app.as_ref().is_some_and(|n| n != &app.name) {
                continue;
            }
            let Some(m) = self
                .rules
                .mappings
                .get(app.index)
                .and_then(AppMappingsOf::get)
            else {
                continue;
            };
            let acts: Vec<Action> = app.stages.iter().map(|s| s.action(row)).collect();
            if !acts
                .iter()
                .any(|a| matches!(a, Action::Create | Action::Update))
            {
                continue;
            }
            let base = app.matching.account_of(row).and_then(|(si, ai)| {
                let ts = self.inputs.target_states.get(si)?;
                Some((ts, ts.accounts.get(ai)?))
            });
            let mut account = Account {
                base,
                written: HashMap::new(),
                created: false,
            };
            let mut evals: Option<Evals> = None;
            for (si, (s, action)) in app.stages.iter().zip(&acts).enumerate() {
                // S40: IsSoftDeleted is true when the user is out of scope (unassigned or
                // failing a filter) or not active (soft-deleted, accountEnabled false).
                let soft_deleted = !(s.in_scope_users.get(row) && self.rollout.active.get(row));
                let op = match action {
                    Action::Create => Op::Create,
                    Action::Update => Op::Update,
                    Action::Disable => {
                        // The disable writes the soft-deleted values (SCIM `active`).
                        let base = evals.get_or_insert_with(|| m.evaluate(values, false, &ctx));
                        let gone = m.evaluate_soft_deleted(values, true, &ctx, base);
                        for (i, mp) in m.mappings.iter().enumerate() {
                            if m.reads_soft_deleted(i) {
                                if let Some(Ok(ev)) = gone.get(i) {
                                    if !ev.value.is_null() {
                                        let cur = match &ev.value {
                                            Value::List(l) => Current::List(l.clone()),
                                            v => Current::Str(
                                                v.text().ok().flatten().unwrap_or_default(),
                                            ),
                                        };
                                        account.written.insert(mp.target.clone(), cur);
                                    }
                                }
                            }
                        }
                        continue;
                    }
                    _ => continue,
                };
                let ev = evals.get_or_insert_with(|| m.evaluate(values, soft_deleted, &ctx));
                let payload = if op == Op::Create {
                    flow(m, ev, op, &crate::mapping::target::NoAccount)
                } else {
                    flow(m, ev, op, &account)
                };
                if op == Op::Create {
                    account = Account {
                        base: None,
                        written: HashMap::new(),
                        created: true,
                    };
                }
                account.apply(&payload);
                if self.opts.stage.as_ref().is_none_or(|n| n == &s.name) {
                    emit(ai, si, *action, payload);
                }
            }
        }
    }
}

/// The JSON object of one record (one line of `--payloads`).
pub fn record_json(
    app: &str,
    stage: &str,
    object_id: Option<&str>,
    upn: Option<&str>,
    action: Action,
    p: &Payload,
    now_from_clock: bool,
) -> serde_json::Value {
    use serde_json::{Map, Value as J, json};
    let value = |v: &Value| -> J {
        match v {
            Value::Null => J::Null,
            Value::List(l) => J::from(l.clone()),
            other => J::String(other.text().ok().flatten().unwrap_or_default()),
        }
    };
    let mut attrs = Map::new();
    for s in &p.attributes {
        attrs.insert(s.target.clone(), value(&s.value));
    }
    let mut o = Map::new();
    o.insert("app".into(), json!(app));
    o.insert("stage".into(), json!(stage));
    o.insert("objectId".into(), json!(object_id));
    o.insert("userPrincipalName".into(), json!(upn));
    o.insert("action".into(), json!(action.as_str()));
    o.insert(
        "change".into(),
        match p.state {
            ChangeState::Create => J::Null,
            s => json!(s.as_str()),
        },
    );
    o.insert("attributes".into(), J::Object(attrs));
    if !p.changes.is_empty() {
        let mut ch = Map::new();
        for c in &p.changes {
            ch.insert(
                c.target.clone(),
                json!({"old": c.old.to_json(), "new": value(&c.new)}),
            );
        }
        o.insert("changes".into(), J::Object(ch));
    }
    let defaults: Vec<&str> = p
        .attributes
        .iter()
        .filter(|s| s.default)
        .map(|s| s.target.as_str())
        .collect();
    if !defaults.is_empty() {
        o.insert("defaults".into(), json!(defaults));
    }
    o.insert("failures".into(), json!(p.failures));
    if !p.switch_null.is_empty() {
        o.insert("switchNull".into(), json!(p.switch_null));
    }
    if !p.fixed.is_empty() {
        o.insert(
            "fixedInputs".into(),
            json!({
                "now": p.fixed.now.map(|d| d.iso()),
                "nowFrom": p.fixed.now.map(|_| if now_from_clock { "system clock" } else { "--now" }),
                "seed": p.fixed.seed,
            }),
        );
    }
    if !p.notes.is_empty() {
        o.insert("notes".into(), json!(p.notes));
    }
    J::Object(o)
}

/// Counts and examples, gathered per app and stage.
struct Tally {
    stages: Vec<StagePayloads>,
    index: HashMap<(usize, usize), usize>,
}

impl Tally {
    fn new(rollout: &Rollout, rules: &Rules, opts: &PayloadOptions) -> Tally {
        let mut stages = Vec::new();
        let mut index = HashMap::new();
        for (ai, app) in rollout.apps.iter().enumerate() {
            if opts.app.as_ref().is_some_and(|n| n != &app.name) {
                continue;
            }
            if rules
                .mappings
                .get(app.index)
                .and_then(AppMappingsOf::get)
                .is_none()
            {
                continue;
            }
            for (si, s) in app.stages.iter().enumerate() {
                if opts.stage.as_ref().is_some_and(|n| n != &s.name) {
                    continue;
                }
                index.insert((ai, si), stages.len());
                stages.push(StagePayloads {
                    app: app.name.clone(),
                    stage: s.name.clone(),
                    ..StagePayloads::default()
                });
            }
        }
        Tally { stages, index }
    }

    fn add(&mut self, ai: usize, si: usize, p: &Payload, who: &str) {
        let Some(t) = self
            .index
            .get(&(ai, si))
            .and_then(|&i| self.stages.get_mut(i))
        else {
            return;
        };
        match p.op {
            Op::Create => t.create += 1,
            Op::Update => t.update += 1,
        }
        match p.state {
            ChangeState::WouldChange => t.would_change += 1,
            ChangeState::NoChange => t.no_change += 1,
            ChangeState::Unknown => t.unknown += 1,
            ChangeState::Create => {}
        }
        if !p.switch_null.is_empty() {
            t.switch_null += 1;
        }
        if !p.failures.is_empty() {
            t.failed += 1;
        }
        let mut seen: Vec<&str> = Vec::new();
        for f in &p.failures {
            if seen.contains(&f.code) {
                continue;
            }
            seen.push(f.code);
            *t.failures.entry(f.code.to_string()).or_default() += 1;
            let ex = t.examples.entry(f.code.to_string()).or_default();
            if ex.len() < 3 {
                ex.push(format!("{who}: {}", f.message));
            }
        }
    }

    fn merge(&mut self, other: Tally) {
        for (mine, theirs) in self.stages.iter_mut().zip(other.stages) {
            mine.create += theirs.create;
            mine.update += theirs.update;
            mine.would_change += theirs.would_change;
            mine.no_change += theirs.no_change;
            mine.unknown += theirs.unknown;
            mine.failed += theirs.failed;
            mine.switch_null += theirs.switch_null;
            for (k, v) in theirs.failures {
                *mine.failures.entry(k).or_default() += v;
            }
            for (k, v) in theirs.examples {
                let ex = mine.examples.entry(k).or_default();
                for e in v {
                    if ex.len() < 3 {
                        ex.push(e);
                    }
                }
            }
        }
    }

    fn empty_like(&self) -> Tally {
        Tally {
            stages: self
                .stages
                .iter()
                .map(|s| StagePayloads {
                    app: s.app.clone(),
                    stage: s.stage.clone(),
                    ..StagePayloads::default()
                })
                .collect(),
            index: self.index.clone(),
        }
    }
}

/// Users per block computed in parallel within a row group.
const BLOCK: usize = 4096;

/// Computes and writes the records of one row group (first row `start`), in row order.
fn write_chunk(
    st: &Stage<'_>,
    start: usize,
    chunk: &Chunk,
    cols: &ColumnMap,
    tally: &mut Tally,
    sink: &mut dyn Write,
) -> std::io::Result<u64> {
    use rayon::prelude::*;
    let from_clock = st.opts.now.is_none();
    let blocks: Vec<(Vec<u8>, Tally, u64)> = (0..chunk.len())
        .step_by(BLOCK)
        .collect::<Vec<_>>()
        .par_iter()
        .map(|&b| {
            let mut buf = Vec::new();
            let mut t = tally.empty_like();
            let mut records = 0u64;
            for local in b..(b + BLOCK).min(chunk.len()) {
                let values = RowValues::new(chunk, local, cols);
                let oid = values.text("objectId");
                let upn = values.text("userPrincipalName");
                let row = start + local;
                let row_key = row.to_string();
                let key = oid.or(upn).unwrap_or(&row_key);
                st.user(row, &values, key, &mut |ai, si, action, p| {
                    let (app, stage) = match st.rollout.apps.get(ai) {
                        Some(a) => (
                            a.name.as_str(),
                            a.stages.get(si).map_or("", |s| s.name.as_str()),
                        ),
                        None => ("", ""),
                    };
                    t.add(ai, si, &p, upn.or(oid).unwrap_or(&row_key));
                    let j = record_json(app, stage, oid, upn, action, &p, from_clock);
                    if serde_json::to_writer(&mut buf, &j).is_ok() {
                        buf.push(b'\n');
                        records += 1;
                    }
                });
            }
            (buf, t, records)
        })
        .collect();
    let mut records = 0;
    for (buf, t, n) in blocks {
        sink.write_all(&buf)?;
        tally.merge(t);
        records += n;
    }
    Ok(records)
}

/// The attributes the payloads read, besides identity and activity.
fn payload_attributes(rules: &Rules) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in rules.mappings.iter().filter_map(AppMappingsOf::get) {
        for a in m.source_attributes() {
            if !out.contains(&a) {
                out.push(a);
            }
        }
    }
    out
}

/// Refuses payloads for apps whose mappings cannot be read, and says when no app has any.
fn check_mappings(rules: &Rules, opts: &PayloadOptions) -> Result<(), Errors> {
    let mut errors = Vec::new();
    let mut any = false;
    for (app, m) in rules.rules().apps.iter().zip(&rules.mappings) {
        if opts.app.as_ref().is_some_and(|n| n != &app.name.node) {
            continue;
        }
        match m {
            AppMappingsOf::Read(_) => any = true,
            AppMappingsOf::Unreadable(e) => errors.extend(e.iter().cloned()),
            AppMappingsOf::None => {}
        }
    }
    if let Some(e) = Errors::from_vec(errors) {
        let sources = rules
            .mappings
            .iter()
            .find_map(|m| match m {
                AppMappingsOf::Unreadable(e) => Some(e.sources().clone()),
                _ => None,
            })
            .unwrap_or_default();
        return Err(e.with_sources(&sources));
    }
    if !any {
        return Err(Diagnostic::error(
            Code::NoMappings,
            "no app of the rules has attribute mappings, so there is no payload to compute",
        )
        .with_rule("S40")
        .with_help("give the Graph synchronization schema (`GET .../synchronization/jobs/{id}/schema`) as RULES: its user mapping's `attributeMappings` are what Entra writes")
        .into());
    }
    Ok(())
}

/// S36-style warnings: mapping sources the export does not have (NULL for every user), and
/// `[appRoleAssignments]`, which the assignments export does not carry.
fn absent_warnings(rules: &Rules, dir: &Directory) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (app, m) in rules.rules().apps.iter().zip(&rules.mappings) {
        let Some(m) = m.get() else { continue };
        let mut absent = Vec::new();
        let mut roles = false;
        for a in m.source_attributes() {
            if a.eq_ignore_ascii_case("appRoleAssignments") {
                roles = true;
                continue;
            }
            let have = dir.available().keys().any(|k| k.eq_ignore_ascii_case(&a));
            if !have {
                absent.push(format!("`[{a}]`"));
            }
        }
        if !absent.is_empty() {
            out.push(
                Diagnostic::warning(
                    Code::MappingSourceAbsent,
                    format!(
                        "the attribute mappings of `{}` read {}, which the directory export does not have: NULL for every user, so those attributes do not flow (or get their default on create)",
                        app.name.node,
                        absent.join(", ")
                    ),
                )
                .with_rule("S36")
                .with_help("export those attributes too (Graph `$select`, Get-MgUser `-Property`) to predict what Entra writes"),
            );
        }
        if roles {
            out.push(
                Diagnostic::warning(
                    Code::MappingSourceAbsent,
                    format!(
                        "the attribute mappings of `{}` read `[appRoleAssignments]`, the user's app roles, which scopesim does not read: NULL for every user",
                        app.name.node
                    ),
                )
                .with_rule("S36")
                .with_help("the role mappings' defaults apply on create; check the roles in Entra"),
            );
        }
    }
    out
}

fn failure_warnings(stages: &[StagePayloads]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for s in stages.iter().filter(|s| s.switch_null > 0) {
        out.push(
            Diagnostic::warning(
                Code::PayloadFailures,
                format!(
                    "{} of `{}` at stage `{}` would meet ED-FUNC's documented Switch bug: a Switch whose source does not change evaluates to NULL while other attributes change, and Entra clears its target",
                    crate::diag::count(s.switch_null as u64, "update", "updates"),
                    s.app,
                    s.stage
                ),
            )
            .with_rule("S40")
            .with_help("the payloads file names the attributes (`switchNull`); ED-FUNC's resolution is to write the mapping with nested IIF instead of Switch"),
        );
    }
    for s in stages {
        for (code, n) in &s.failures {
            let examples = s.examples.get(code).cloned().unwrap_or_default();
            out.push(
                Diagnostic::warning(
                    Code::PayloadFailures,
                    format!(
                        "{} of `{}` would fail with {code} at stage `{}` (e.g. {})",
                        crate::diag::count(*n as u64, "user", "users"),
                        s.app,
                        s.stage,
                        examples.join("; ")
                    ),
                )
                .with_rule("S40")
                .with_help("the payloads file lists each user's failures; fix the source values or the mappings before go-live"),
            );
        }
    }
    out
}

fn io_error(e: &std::io::Error) -> Errors {
    Diagnostic::error(Code::Io, format!("cannot write the payloads: {e}"))
        .with_help("check that the directory exists and is writable, and that the disk has room")
        .into()
}

impl Simulation<'_> {
    /// Computes the payload of every user, app and stage whose action is create or update
    /// (S40) and writes them to `sink` as NDJSON, one record per line, in rule, stage and
    /// directory order. The export is read again (streamed for CSV), so memory stays
    /// bounded; `run` is this simulation's result.
    pub fn payloads(
        &self,
        run: &Run,
        opts: &PayloadOptions,
        progress: &dyn Progress,
        sink: &mut dyn Write,
    ) -> Result<PayloadSummary, Errors> {
        check_mappings(self.rules, opts)?;
        let mut selection = ColumnSelection::only(payload_attributes(self.rules));
        for a in ["objectId", "userPrincipalName"] {
            selection.add(a);
        }
        let read = self.directory.read_options(selection);
        let spilled = stream_directory(&self.directory.paths, &read, progress, |schema| {
            let cols = Arc::new(ColumnMap::new(schema));
            let ids: Vec<ColId> = (0..schema.columns().len()).collect();
            Ok(move |chunk: &Chunk| (spill(chunk, &ids), cols.clone()))
        })?;
        let st = Stage {
            rules: self.rules,
            rollout: &run.evaluated.rollout,
            inputs: self.inputs,
            opts,
            now: opts
                .now
                .unwrap_or_else(crate::mapping::parse_expression::system_now),
        };
        let mut tally = Tally::new(&run.evaluated.rollout, self.rules, opts);
        let mut records = 0u64;
        let dir_for_warnings = match spilled {
            Some(s) => {
                check_rows(s.directory.len(), run.directory.len())?;
                for (start, (file, cols)) in s.chunks {
                    let chunk = unspill(file).map_err(|e| io_error(&e))?;
                    records += write_chunk(&st, start, &chunk, &cols, &mut tally, sink)
                        .map_err(|e| io_error(&e))?;
                }
                s.directory
            }
            None => {
                let dir = read_directory(&self.directory.paths, &read, progress)?;
                check_rows(dir.len(), run.directory.len())?;
                let cols = ColumnMap::new(&dir);
                for (start, chunk) in dir.chunks() {
                    records += write_chunk(&st, start, chunk, &cols, &mut tally, sink)
                        .map_err(|e| io_error(&e))?;
                }
                dir
            }
        };
        sink.flush().map_err(|e| io_error(&e))?;
        let mut warnings = absent_warnings(self.rules, &dir_for_warnings);
        warnings.extend(failure_warnings(&tally.stages));
        Ok(PayloadSummary {
            stages: tally.stages,
            records,
            warnings,
        })
    }
}

impl Simulation<'_> {
    /// [`Simulation::payloads`] into `path`, staged like every report
    /// ([`crate::output::atomic::stage`]): nothing is at `path` until the caller commits
    /// the file with the run's other outputs.
    pub fn write_payloads(
        &self,
        run: &Run,
        opts: &PayloadOptions,
        path: &std::path::Path,
        progress: &dyn Progress,
    ) -> Result<(crate::output::atomic::Staged, PayloadSummary), Errors> {
        let mut result = None;
        let staged = crate::output::atomic::stage(path, |w| {
            let r = self.payloads(run, opts, progress, w);
            let failed = r.is_err();
            result = Some(r);
            if failed {
                Err(std::io::Error::other("the payloads could not be computed"))
            } else {
                Ok(())
            }
        });
        match (result, staged) {
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(summary)), Ok(file)) => Ok((file, summary)),
            (_, Err(e)) => Err(Diagnostic::error(
                Code::Io,
                format!("cannot write the payloads `{}`: {e}", path.display()),
            )
            .with_help("check that the directory exists and is writable")
            .into()),
            (None, Ok(_)) => {
                Err(Diagnostic::error(Code::Internal, "the payloads were not written").into())
            }
        }
    }
}

fn check_rows(now: usize, before: usize) -> Result<(), Errors> {
    if now == before {
        return Ok(());
    }
    Err(Diagnostic::error(
        Code::InputChanged,
        format!("the directory export had {before} users when the plan read it and {now} when the payloads read it again"),
    )
    .with_help("an input changed during the run: run again on files nobody is writing")
    .into())
}

/// The payloads of one user (row `row` of `dir`, which holds values), for `explain`.
pub fn user_payloads(
    rules: &Rules,
    run: &Run,
    inputs: &Inputs,
    row: usize,
    opts: &PayloadOptions,
) -> Result<Vec<UserPayload>, Errors> {
    // Apps whose mappings cannot be read are left out (the run's warnings say why).
    let dir = &run.directory;
    let cols = ColumnMap::new(dir);
    let Some((chunk, local)) = dir.locate(row) else {
        return Ok(Vec::new());
    };
    let st = Stage {
        rules,
        rollout: &run.evaluated.rollout,
        inputs,
        opts,
        now: opts
            .now
            .unwrap_or_else(crate::mapping::parse_expression::system_now),
    };
    let values = RowValues::new(chunk, local, &cols);
    let row_key = row.to_string();
    let key = values
        .text("objectId")
        .or(values.text("userPrincipalName"))
        .unwrap_or(&row_key)
        .to_string();
    let mut out = Vec::new();
    st.user(row, &values, &key, &mut |ai, si, action, payload| {
        if let Some(app) = st.rollout.apps.get(ai) {
            out.push(UserPayload {
                app: app.name.clone(),
                stage: app
                    .stages
                    .get(si)
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
                action,
                payload,
            });
        }
    });
    Ok(out)
}
