//! The library's front door: load and check rules, read the inputs, run a simulation.
//!
//! Every command and test goes through here, so the order of the stages is written once:
//!
//! ```text
//! rules file --(Rules::load: parse, check)--> Rules
//! input files --(InputFiles::read)--> Inputs (assignments, group members, target states)
//! directory export --(Simulation::run: read or stream, compile, evaluate, facts)
//!              --(rollout)--> Run { directory, plan, outcomes, rollout, warnings, evidence }
//! ```
//!
//! A new stage (reconciliation with provisioning logs, attribute mappings) takes a [`Run`]
//! and adds its own result; nothing upstream changes. The binary only turns arguments into
//! these requests and renders what comes back.

pub mod evidence;
pub mod payloads;
pub mod request;
mod spill;

use crate::diag::{Code, Diagnostic, Errors};
use crate::directory::assignments::{
    AssignmentFile, Assignments, GroupMembers, MemberFile, TargetState, read_assignment_files,
    read_member_files, read_target_state,
};
use crate::directory::{
    Chunk, ColumnSelection, Directory, InputFormat, KeepWhen, NoProgress, Progress, ReadOptions,
    read_directory, stream_directory,
};
use crate::eval::{
    ChunkOutcome, EvalOptions, Outcomes, Plan, assemble, compile, evaluate, evaluate_chunk,
};
use crate::regex::Anchoring;
use crate::rollout::reason::Reasons;
use crate::rollout::{
    FactColumns, Rollout, RolloutInputs, RolloutOptions, UserFacts, chunk_facts,
    fact_match_attributes, simulate_with,
};
use crate::rules::check::{CheckOptions, check_loaded};
use crate::rules::load::{LoadOptions, LoadedRules, load_path_with, split_named_path};
use crate::rules::{OperatorName, RuleSet};
use crate::source::Sources;
use evidence::{Evidence, InputRef};
use payloads::{
    AppMappingsOf, ColumnMap, ComputedMatch, chunk_match_values, computed_match_attributes,
    computed_matches, computed_matches_of, mappings_of, read_app_mappings,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A rule set loaded from a file and checked: it has no errors. The warnings that name a
/// spec rule (S4 Boolean text, S23 category filters, S3 names, ...) are kept, so that a
/// run reports them too; `scopesim check` and `lint` show every warning.
#[derive(Debug, Clone)]
pub struct Rules {
    /// The path as given.
    pub path: PathBuf,
    /// The rules, their source texts and the parser's warnings.
    pub loaded: LoadedRules,
    /// Warnings of the parser and the checker that name a spec rule.
    pub warnings: Vec<Diagnostic>,
    /// Each app's attribute mappings (S39, S40), in rule order.
    pub mappings: Vec<AppMappingsOf>,
}

impl Rules {
    /// Loads `path` (`.scope` or Graph schema JSON) and checks it; every error at once.
    pub fn load(path: &Path, anchoring: Anchoring) -> Result<Rules, Errors> {
        Rules::load_with(path, &LoadOptions::default(), anchoring)
    }

    /// [`Rules::load`] with load options: the app name of a Graph schema (`--app-name`,
    /// or `path` written `NAME=schema.json`) and synchronization-secrets exports.
    pub fn load_with(
        path: &Path,
        opts: &LoadOptions,
        anchoring: Anchoring,
    ) -> Result<Rules, Errors> {
        let loaded = load_path_with(path, opts);
        let diags = check_loaded(&loaded, CheckOptions { anchoring });
        if crate::diag::has_errors(&diags) {
            let mut e = Errors::from(diags).with_sources(&loaded.sources);
            e.sort();
            return Err(e);
        }
        // Every warning of loading (spellings, deprecated settings, settings from secrets)
        // and every checker warning that names a spec rule.
        let warnings = diags
            .into_iter()
            .filter(|d| !d.is_error() && (d.rule.is_some() || loaded.diagnostics.contains(d)))
            .collect();
        let mappings = read_app_mappings(&loaded);
        let mut rules = Rules {
            path: split_named_path(path).1,
            loaded,
            warnings,
            mappings,
        };
        // S32: a matching expression the mapping stage evaluates needs no warning here.
        let computed: Vec<(crate::source::SourceId, crate::source::Span)> = rules
            .rules()
            .apps
            .iter()
            .zip(&rules.mappings)
            .filter(|(_, m)| m.get().is_some())
            .flat_map(|(a, _)| {
                a.object
                    .matching
                    .iter()
                    .filter(|m| m.expression.is_some())
                    .map(move |m| (a.source, m.source.span))
            })
            .collect();
        rules.warnings.retain(|d| {
            d.code != Code::MatchingExpression
                || !d
                    .labels
                    .first()
                    .is_some_and(|l| computed.contains(&(l.source, l.span)))
        });
        let unreadable = payloads::unreadable_warnings(&rules);
        rules.warnings.extend(unreadable);
        Ok(rules)
    }

    /// Wraps rules loaded some other way (from a text, in tests).
    pub fn from_loaded(path: impl Into<PathBuf>, loaded: LoadedRules) -> Rules {
        let mappings = read_app_mappings(&loaded);
        Rules {
            path: path.into(),
            loaded,
            warnings: Vec::new(),
            mappings,
        }
    }

    /// The rule set.
    pub fn rules(&self) -> &RuleSet {
        &self.loaded.rules
    }

    /// The texts the rules came from.
    pub fn sources(&self) -> &Sources {
        &self.loaded.sources
    }

    /// Attribute names the rules read (clauses with a known operator), sorted.
    pub fn attributes(&self) -> Vec<String> {
        rule_attributes(&self.loaded.rules)
    }

    /// Checks that `--app` and `--stage` name something in the rules.
    pub fn check_selection(&self, app: Option<&str>, stage: Option<&str>) -> Result<(), Errors> {
        let rules = &self.loaded.rules;
        if let Some(app) = app {
            if !rules.apps.iter().any(|a| a.name.node == app) {
                let names: Vec<String> = rules
                    .apps
                    .iter()
                    .map(|a| format!("`{}`", a.name.node))
                    .collect();
                return Err(Diagnostic::error(
                    Code::UnknownApp,
                    format!("no app `{app}` in the rules"),
                )
                .with_help(format!("apps: {}", names.join(", ")))
                .into());
            }
        }
        if let Some(stage) = stage {
            if !rules
                .apps
                .iter()
                .flat_map(|a| &a.stages)
                .any(|s| s.name.node == stage)
            {
                return Err(Diagnostic::error(
                    Code::UnknownStage,
                    format!("no stage `{stage}` in the rules"),
                )
                .into());
            }
        }
        Ok(())
    }

    /// Every file the rules were read from (the rules file and the Graph schema files its
    /// stages name).
    pub fn input_paths(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = self
            .loaded
            .sources
            .iter()
            .filter_map(|(_, f)| f.path.clone())
            .collect();
        v.push(self.path.clone());
        v
    }

    /// The rules as evidence: one entry for the whole rule set (the hash covers every text
    /// read), then one per further text it was read from (the Graph schema files its
    /// stages name, secrets exports with credentials masked), each with its own hash.
    pub fn evidence(&self) -> Vec<InputRef> {
        let mut v = vec![InputRef {
            role: "rules".into(),
            path: self.path.display().to_string(),
            sha256: self.loaded.sha256(),
            records: None,
        }];
        for (_, f) in self.loaded.sources.iter().skip(1) {
            use sha2::Digest;
            v.push(InputRef {
                role: "rules-part".into(),
                path: f.name.clone(),
                sha256: crate::text::hex(&sha2::Sha256::digest(f.text.as_bytes())),
                records: None,
            });
        }
        v
    }
}

/// Attribute names a rule set reads (clauses with a known operator), sorted and unique.
pub fn rule_attributes(rules: &RuleSet) -> Vec<String> {
    let mut names: Vec<String> = rules
        .apps
        .iter()
        .flat_map(|a| &a.stages)
        .flat_map(|s| s.filters.iter())
        .flat_map(|f| &f.clauses)
        .filter(|c| !matches!(c.operator.node, OperatorName::Unknown(_)))
        .map(|c| c.attribute.node.clone())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Where the directory export comes from and how to read it.
#[derive(Debug, Clone, Default)]
pub struct DirectorySource {
    /// The files, concatenated in order (Graph pages, or several exports).
    pub paths: Vec<PathBuf>,
    /// Force a format instead of detecting it.
    pub format: Option<InputFormat>,
    /// Force the CSV delimiter.
    pub delimiter: Option<u8>,
    /// Count malformed rows and go on.
    pub skip_bad_rows: bool,
}

impl DirectorySource {
    /// Reading options for these files, keeping `columns`.
    pub fn read_options(&self, columns: ColumnSelection) -> ReadOptions {
        ReadOptions {
            format: self.format,
            delimiter: self.delimiter,
            skip_bad_rows: self.skip_bad_rows,
            columns,
            skip_hash: false,
        }
    }

    /// Reads the whole export, keeping `columns`.
    pub fn read(
        &self,
        columns: ColumnSelection,
        progress: &dyn Progress,
    ) -> Result<Directory, Errors> {
        read_directory(&self.paths, &self.read_options(columns), progress)
    }
}

/// The files besides the directory: who is assigned, who is in which group, and what
/// already exists in the apps.
#[derive(Debug, Clone, Default)]
pub struct InputFiles {
    /// `--assignments`, any number: `[APP=]PATH` (Graph gives one file per app).
    pub assignments: Vec<PathBuf>,
    /// `--group-members`, any number: `[GROUPID=]PATH`.
    pub group_members: Vec<PathBuf>,
    /// `--target-state APP=PATH`, as given.
    pub target_states: Vec<String>,
    /// `--match-on`: the attribute target-state accounts are matched on, instead of the
    /// app's matching attributes (S32).
    pub match_on: Option<String>,
}

/// The files besides the directory, read.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Assignments.
    pub assignments: Option<Assignments>,
    /// Direct group membership.
    pub group_members: Option<GroupMembers>,
    /// Existing accounts per app.
    pub target_states: Vec<TargetState>,
    /// The files, for evidence.
    pub evidence: Vec<InputRef>,
    /// `--match-on`, when given.
    pub match_on: Option<String>,
    /// Warnings found while reading them (skipped service principals, member types).
    pub warnings: Vec<Diagnostic>,
}

impl InputFiles {
    /// True when any file names users (so the directory's ids must be kept).
    pub fn names_users(&self) -> bool {
        !self.assignments.is_empty()
            || !self.group_members.is_empty()
            || !self.target_states.is_empty()
    }

    /// Every file named.
    pub fn paths(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = self.assignments.to_vec();
        v.extend(self.group_members.iter().cloned());
        v.extend(
            self.target_states
                .iter()
                .filter_map(|s| s.split_once('=').map(|(_, p)| PathBuf::from(p))),
        );
        v
    }

    /// Reads every file; all errors at once.
    pub fn read(&self) -> Result<Inputs, Errors> {
        let mut inputs = Inputs {
            match_on: self.match_on.clone(),
            ..Inputs::default()
        };
        let mut errors: Vec<Diagnostic> = Vec::new();
        if !self.assignments.is_empty() {
            let files: Vec<AssignmentFile> = self
                .assignments
                .iter()
                .map(|p| AssignmentFile::parse(p))
                .collect();
            match read_assignment_files(&files) {
                Ok((a, warnings)) => {
                    inputs.evidence.extend(
                        a.inputs
                            .iter()
                            .map(|i| InputRef::from_info("assignments", i)),
                    );
                    inputs.warnings.extend(warnings);
                    inputs.assignments = Some(a);
                }
                Err(e) => errors.extend(e),
            }
        }
        if !self.group_members.is_empty() {
            let files: Vec<MemberFile> = self
                .group_members
                .iter()
                .map(|p| MemberFile::parse(p))
                .collect();
            match read_member_files(&files) {
                Ok(g) => {
                    inputs.evidence.extend(
                        g.inputs()
                            .iter()
                            .map(|i| InputRef::from_info("group-members", i)),
                    );
                    inputs.warnings.extend(g.diagnostics().iter().cloned());
                    inputs.group_members = Some(g);
                }
                Err(e) => errors.extend(e),
            }
        }
        for spec in &self.target_states {
            let Some((app, path)) = spec.split_once('=') else {
                errors.push(
                    Diagnostic::error(
                        Code::Usage,
                        format!("--target-state takes `APP=PATH`, not `{spec}`"),
                    )
                    .with_help("for example `--target-state Salesforce=salesforce-users.csv`"),
                );
                continue;
            };
            match read_target_state(app, Path::new(path), self.match_on.as_deref()) {
                Ok(t) => {
                    inputs
                        .evidence
                        .push(InputRef::from_info("target-state", &t.input));
                    inputs.target_states.push(t);
                }
                Err(e) => errors.extend(e),
            }
        }
        match Errors::from_vec(errors) {
            Some(e) => Err(e),
            None => Ok(inputs),
        }
    }
}

impl Inputs {
    /// The view the rollout takes.
    pub fn rollout_inputs(&self) -> RolloutInputs<'_> {
        RolloutInputs {
            assignments: self.assignments.as_ref(),
            group_members: self.group_members.as_ref(),
            target_states: &self.target_states,
        }
    }
}

/// Options that change results.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Evaluation (regex anchoring).
    pub eval: EvalOptions,
    /// Rollout (threshold boundary, `--allow-missing-members`).
    pub rollout: RolloutOptions,
}

impl Options {
    /// The options as evidence (`match_on` is null when each app's own matching
    /// attributes apply).
    pub fn evidence(&self, match_on: Option<&str>) -> serde_json::Value {
        let mut v = serde_json::json!({
            "regex_anchoring": self.eval.anchoring.as_str(),
            "threshold_boundary": self.rollout.threshold_boundary,
            "match_on": match_on,
        });
        if self.rollout.allow_missing_members {
            v["allow_missing_members"] = serde_json::Value::Bool(true);
        }
        v
    }
}

/// Which attributes of the directory a run keeps.
#[derive(Debug, Clone)]
pub enum Columns {
    /// Only what counts need (the rules' attributes and activity); the export is streamed
    /// when it can be, and values are not kept.
    Counts,
    /// As [`Columns::Counts`], for a summary that shows no evidence (`plan`'s table): the
    /// export's bytes are not hashed either, and its `sha256` in the run's evidence is
    /// empty. Nothing that writes evidence may ask for this.
    Summary,
    /// What a per-user report needs (the rules' attributes, identity, activity), kept.
    Report,
    /// Every attribute of every user, kept.
    All,
    /// Every attribute of one user (named by userPrincipalName or objectId, ignoring
    /// case) and what the rules and the rollout give for everyone: one user's
    /// explanation. The export is streamed when it can be, and only the row group that
    /// holds the user keeps its values; nothing is hashed (an explanation shows no
    /// evidence). Elsewhere every value reads as null, so use [`find_user_in`] to find
    /// the user.
    OneUser(String),
    /// These attributes (plus identity and activity), kept.
    Only(Vec<String>),
    /// These attributes (plus identity and activity), read by a [`Probe`] as each row
    /// group streams and then dropped: lint's value analyses, in the memory of the plan.
    /// Nothing is hashed (nothing that shows evidence may ask for this).
    Probed(Vec<String>),
    /// As [`Columns::Probed`], with the export hashed for the evidence: the first run of
    /// a streamed `diff`, which states its inputs.
    ProbedWithEvidence(Vec<String>),
}

/// A reader of values that runs on each row group where it is parsed, made from the
/// export's columns and the compiled rules ([`Simulation::run_probed`]). It gives a small
/// result per row group (the few values an analysis wants, a bit per user), so that a
/// streamed run needs not keep the values, whatever the export's size.
pub trait Probe: Sync {
    /// What one row group gives.
    type Output: Send;
    /// Reads one row group (its rows are counted from 0), with what the rules gave its
    /// users when the export streams (so that a probe can keep only the users a stage's
    /// filters select); `None` for a directory read whole, where a probe that needs the
    /// outcome keeps every user.
    fn row_group(&self, chunk: &Chunk, outcome: Option<&ChunkOutcome>) -> Self::Output;
}

/// No probe: [`Simulation::run`].
impl Probe for () {
    type Output = ();
    fn row_group(&self, _: &Chunk, _: Option<&ChunkOutcome>) {}
}

/// Which row groups of a streamed export keep their values.
#[derive(Debug, Clone, Copy)]
enum Keep<'a> {
    /// None: only counts and facts are wanted.
    Nothing,
    /// The row groups holding this user (by userPrincipalName or objectId, ignoring
    /// case, as [`Directory::find_user`] finds it).
    User(&'a str),
    /// Every row group: the rules are still evaluated and the facts read on the parsing
    /// threads, while the next blocks are parsed, instead of after the whole read.
    Everyone,
}

/// A simulation to run: rules, the directory, the other inputs, options.
#[derive(Debug, Clone, Copy)]
pub struct Simulation<'a> {
    /// The rules.
    pub rules: &'a Rules,
    /// The directory export.
    pub directory: &'a DirectorySource,
    /// Assignments, group members, target states.
    pub inputs: &'a Inputs,
    /// Options.
    pub options: Options,
}

/// The compiled rules, their results and the rollout, for a directory held elsewhere.
#[derive(Debug, Clone)]
pub struct Evaluated {
    /// The rules compiled against the directory's columns.
    pub plan: Plan,
    /// Per-clause, per-filter and per-stage results.
    pub outcomes: Outcomes,
    /// What Entra does to every account at each stage.
    pub rollout: Rollout,
}

/// A finished simulation: the directory as read, what the rules gave, and everything a
/// report needs to state its inputs.
#[derive(Debug)]
pub struct Run {
    /// The directory (values dropped when streamed for counts).
    pub directory: Directory,
    /// Plan, outcomes and rollout.
    pub evaluated: Evaluated,
    /// Every warning of every stage, in stage order (reading, compiling, values, rollout).
    pub warnings: Vec<Diagnostic>,
    /// Inputs, version and options.
    pub evidence: Evidence,
}

impl Run {
    /// The reasons view of this run (needs the group members of the inputs).
    pub fn reasons<'a>(&'a self, inputs: &'a Inputs) -> Reasons<'a> {
        Reasons {
            plan: &self.evaluated.plan,
            outcomes: &self.evaluated.outcomes,
            dir: &self.directory,
            group_members: inputs.group_members.as_ref(),
        }
    }
}

impl Simulation<'_> {
    /// The column selection for `columns`.
    fn selection(&self, columns: &Columns) -> ColumnSelection {
        let attrs = self.rules.attributes();
        let mut selection = match columns {
            Columns::All | Columns::OneUser(_) => return ColumnSelection::all(),
            Columns::Counts | Columns::Summary if !self.needs_identity() => {
                ColumnSelection::minimal(attrs)
            }
            Columns::Counts | Columns::Summary | Columns::Report => ColumnSelection::only(attrs),
            Columns::Only(extra) | Columns::Probed(extra) | Columns::ProbedWithEvidence(extra) => {
                let mut s = ColumnSelection::only(attrs);
                for e in extra {
                    s.add(e);
                }
                s
            }
        };
        // S32: the matching attributes the rollout reads (none without a target state or
        // schema matching attributes).
        for a in fact_match_attributes(self.rules.rules(), self.inputs.rollout_inputs()) {
            selection.add(&a);
        }
        // S32: what the expression matching attributes read.
        for a in computed_match_attributes(&computed_matches(self.rules)) {
            selection.add(&a);
        }
        selection
    }

    /// Identity columns are needed only to match users to the input files.
    fn needs_identity(&self) -> bool {
        let i = self.inputs;
        i.assignments.is_some() || i.group_members.is_some() || !i.target_states.is_empty()
    }

    /// Reads the directory (streaming a CSV export: each row group is evaluated as it is
    /// parsed, and keeps its values as `columns` says), compiles and evaluates the
    /// rules, and rolls out every app and stage.
    pub fn run(&self, columns: Columns, progress: &dyn Progress) -> Result<Run, Errors> {
        let none = |_: &Directory, _: &Plan| ();
        self.run_probed(columns, progress, &none)
            .map(|(run, _)| run)
    }

    /// [`Simulation::run`] with a probe made by `make` reading every row group (where it
    /// is parsed, when the export streams): its results with each row group's first row,
    /// in row order.
    #[allow(clippy::type_complexity)]
    pub fn run_probed<P: Probe>(
        &self,
        columns: Columns,
        progress: &dyn Progress,
        make: &dyn Fn(&Directory, &Plan) -> P,
    ) -> Result<(Run, Vec<(usize, P::Output)>), Errors> {
        let selection = self.selection(&columns);
        let streamed = match &columns {
            Columns::Counts => {
                self.stream(selection.clone(), false, Keep::Nothing, progress, make)?
            }
            Columns::Summary | Columns::Probed(_) => {
                self.stream(selection.clone(), true, Keep::Nothing, progress, make)?
            }
            Columns::ProbedWithEvidence(_) => {
                self.stream(selection.clone(), false, Keep::Nothing, progress, make)?
            }
            Columns::OneUser(key) => {
                self.stream(selection.clone(), true, Keep::User(key), progress, make)?
            }
            Columns::Report | Columns::All | Columns::Only(_) => {
                self.stream(selection.clone(), false, Keep::Everyone, progress, make)?
            }
        };
        let (directory, plan, outcomes, facts, probed) = match streamed {
            Some(s) => s,
            None => {
                let dir = self.directory.read(selection, progress)?;
                progress.phase(crate::output::progress::phase::EVALUATE);
                let plan = compile(self.rules.rules(), &dir, self.options.eval)
                    .map_err(|e| e.with_sources(self.rules.sources()))?;
                let outcomes = evaluate(&plan, &dir);
                let facts = facts_of(
                    &dir,
                    self.rules.rules(),
                    self.inputs.rollout_inputs(),
                    &computed_matches(self.rules),
                );
                let probed = probe_chunks(&make(&dir, &plan), &dir);
                (dir, plan, outcomes, facts, probed)
            }
        };
        progress.phase(crate::output::progress::phase::ROLLOUT);
        let rollout = simulate_with(
            self.rules.rules(),
            &plan,
            &outcomes,
            &facts,
            self.inputs.rollout_inputs(),
            self.options.rollout,
        )
        .map_err(|e| e.with_sources(self.rules.sources()))?;
        let mut warnings: Vec<Diagnostic> = self.rules.warnings.clone();
        warnings.extend(self.inputs.warnings.iter().cloned());
        warnings.extend(directory.diagnostics().iter().cloned());
        warnings.extend(plan.diagnostics.iter().cloned());
        warnings.extend(crate::eval::value_warnings(&plan, &outcomes));
        warnings.extend(rollout.warnings.iter().cloned());
        let mut inputs = self.rules.evidence();
        inputs.extend(
            directory
                .inputs()
                .iter()
                .map(|i| InputRef::from_info("directory", i)),
        );
        inputs.extend(self.inputs.evidence.iter().cloned());
        let evidence = Evidence {
            scopesim_version: env!("CARGO_PKG_VERSION").to_string(),
            inputs,
            options: self.options.evidence(self.inputs.match_on.as_deref()),
        };
        let run = Run {
            directory,
            evaluated: Evaluated {
                plan,
                outcomes,
                rollout,
            },
            warnings,
            evidence,
        };
        Ok((run, probed))
    }

    /// Streams a CSV export: each row group is evaluated and its facts read on the
    /// parsing threads, while the next ones are parsed, and its values kept as `keep`
    /// says. `Ok(None)` when an input is not CSV.
    #[allow(clippy::type_complexity)]
    fn stream<P: Probe>(
        &self,
        selection: ColumnSelection,
        skip_hash: bool,
        keep: Keep<'_>,
        progress: &dyn Progress,
        make: &dyn Fn(&Directory, &Plan) -> P,
    ) -> Result<
        Option<(
            Directory,
            Plan,
            Outcomes,
            UserFacts,
            Vec<(usize, P::Output)>,
        )>,
        Errors,
    > {
        let opts = ReadOptions {
            skip_hash,
            ..self.directory.read_options(selection)
        };
        let mut prepared: Option<(Arc<Plan>, FactColumns)> = None;
        let rules = self.rules.rules();
        let eval = self.options.eval;
        let inputs = self.inputs.rollout_inputs();
        let sources = self.rules.sources();
        let matches = computed_matches(self.rules);
        // Keeping one user's row group whole, the others are parsed only for what the
        // rules, the rollout and the user's lookup read.
        let reads = match keep {
            Keep::User(_) => Some(self.selection(&Columns::Report)),
            Keep::Nothing | Keep::Everyone => None,
        };
        let streamed = stream_directory(&self.directory.paths, &opts, progress, |schema| {
            let plan = Arc::new(compile(rules, schema, eval).map_err(|e| e.with_sources(sources))?);
            let probe = make(schema, &plan);
            let cols = FactColumns::new(schema, rules, inputs);
            prepared = Some((plan.clone(), cols.clone()));
            let names = ColumnMap::new(schema);
            let matches = matches.clone();
            let ids: Vec<usize> = match keep {
                Keep::User(_) => ["objectId", "userPrincipalName"]
                    .iter()
                    .filter_map(|c| schema.column(c))
                    .collect(),
                Keep::Nothing | Keep::Everyone => Vec::new(),
            };
            Ok(KeepWhen {
                sink: move |chunk: &Chunk| {
                    let computed = if matches.is_empty() {
                        Vec::new()
                    } else {
                        chunk_match_values(chunk, &names, &matches)
                    };
                    let holds = match keep {
                        Keep::Nothing => false,
                        Keep::Everyone => true,
                        Keep::User(key) => (0..chunk.len()).any(|row| {
                            ids.iter().any(|&c| {
                                chunk
                                    .value(row, c)
                                    .is_some_and(|v| v.eq_ignore_ascii_case(key))
                            })
                        }),
                    };
                    let outcome = evaluate_chunk(&plan, chunk);
                    let probed = probe.row_group(chunk, Some(&outcome));
                    (
                        (outcome, (chunk_facts(chunk, &cols), computed), probed),
                        holds,
                    )
                },
                reads: reads.clone(),
            })
        })?;
        let Some(streamed) = streamed else {
            return Ok(None);
        };
        let Some((plan, cols)) = prepared else {
            return Ok(None);
        };
        let plan = Arc::try_unwrap(plan).unwrap_or_else(|shared| (*shared).clone());
        let n = streamed.directory.len();
        let outcomes = assemble(
            &plan,
            n,
            streamed
                .chunks
                .iter()
                .map(|(start, ((o, _, _), _))| (*start, o)),
        );
        let mut facts = UserFacts::assemble(
            n,
            &cols,
            streamed
                .chunks
                .iter()
                .map(|(start, ((_, (f, _), _), _))| (*start, f)),
        );
        for (k, m) in matches.iter().enumerate() {
            let values = streamed
                .chunks
                .iter()
                .flat_map(|(_, ((_, (_, c), _), _))| c.get(k).into_iter().flat_map(|t| t.iter()));
            facts.set_computed(&cols, &m.name, n, values);
        }
        let probed = streamed
            .chunks
            .into_iter()
            .map(|(start, ((_, _, p), _))| (start, p))
            .collect();
        Ok(Some((streamed.directory, plan, outcomes, facts, probed)))
    }
}

/// The row of the user named `key` in a run of [`Columns::OneUser`] (or one that kept
/// every value) over `source`: when the directory was streamed and the user is not in
/// it, the export's identity columns are read again for the closest names of the
/// `unknown-user` error.
pub fn find_user_in(run: &Run, source: &DirectorySource, key: &str) -> Result<usize, Errors> {
    let dir = &run.directory;
    match dir.find_user(key) {
        Ok(row) => Ok(row),
        Err(_) if dir.chunk_slice().iter().any(Chunk::is_streamed) => {
            let ids = source.read(ColumnSelection::only(["objectId"]), &NoProgress)?;
            find_user(&ids, key)
        }
        Err(close) => Err(unknown_user(key, &close)),
    }
}

/// The row of the user named `key` (userPrincipalName or objectId, ignoring case), or an
/// `unknown-user` error with the closest names.
pub fn find_user(dir: &Directory, key: &str) -> Result<usize, Errors> {
    dir.find_user(key)
        .map_err(|close| unknown_user(key, &close))
}

/// The `unknown-user` error for `key`, with the closest names.
fn unknown_user(key: &str, close: &[String]) -> Errors {
    let help = if close.is_empty() {
        "check the spelling; users are found by userPrincipalName or objectId".to_string()
    } else {
        format!(
            "closest matches: {}",
            close
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Diagnostic::error(
        Code::UnknownUser,
        format!("no user `{key}` in the directory export"),
    )
    .with_help(help)
    .into()
}

/// Compiles, evaluates and rolls out a rule set over a directory already in memory (a
/// test file's inline users, the two sides of a diff, lint's data pass).
pub fn evaluate_directory(
    rules: &RuleSet,
    dir: &Directory,
    inputs: RolloutInputs<'_>,
    options: Options,
) -> Result<Evaluated, Errors> {
    let plan = compile(rules, dir, options.eval)?;
    let outcomes = evaluate(&plan, dir);
    let mappings = mappings_of(rules, &Sources::new());
    let facts = facts_of(dir, rules, inputs, &computed_matches_of(rules, &mappings));
    let rollout = simulate_with(rules, &plan, &outcomes, &facts, inputs, options.rollout)?;
    Ok(Evaluated {
        plan,
        outcomes,
        rollout,
    })
}

/// `probe` run on every row group of a directory in memory, in parallel; the results
/// with each row group's first row, in row order.
pub fn probe_chunks<P: Probe>(probe: &P, dir: &Directory) -> Vec<(usize, P::Output)> {
    use rayon::prelude::*;
    let chunks = dir.chunk_slice();
    let mut starts = Vec::with_capacity(chunks.len());
    let mut start = 0;
    for c in chunks {
        starts.push(start);
        start += c.len();
    }
    chunks
        .par_iter()
        .zip(starts)
        .map(|(c, start)| (start, probe.row_group(c, None)))
        .collect()
}

/// The rollout's facts of a directory in memory, with the values of the expression
/// matching attributes computed (S32).
fn facts_of(
    dir: &Directory,
    rules: &RuleSet,
    inputs: RolloutInputs<'_>,
    matches: &[ComputedMatch],
) -> UserFacts {
    let mut facts = UserFacts::from_directory(dir, rules, inputs);
    if matches.is_empty() {
        return facts;
    }
    let cols = FactColumns::new(dir, rules, inputs);
    let names = ColumnMap::new(dir);
    let parts: Vec<Vec<crate::directory::TextColumn>> = {
        use rayon::prelude::*;
        dir.chunk_slice()
            .par_iter()
            .map(|c| chunk_match_values(c, &names, matches))
            .collect()
    };
    for (k, m) in matches.iter().enumerate() {
        let values = parts
            .iter()
            .flat_map(|p| p.get(k).into_iter().flat_map(|t| t.iter()));
        facts.set_computed(&cols, &m.name, dir.len(), values);
    }
    facts
}
