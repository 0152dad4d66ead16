//! Running the two sides of a comparison and collecting the users whose scope changes.
//!
//! Each side is its app reduced to the one stage compared, with that stage's effective
//! filters, run as `plan` runs it: over a directory in memory here
//! ([`crate::pipeline::evaluate_directory`]), or streamed from the export by
//! [`super::stream`]. OLD's run gives who is in scope and active now, the accounts Entra
//! manages; NEW's run starts from exactly those accounts as a target state, so its
//! actions and deletion threshold (S27) are Entra's for the cycle that saving NEW
//! starts. Every user whose scope differs is kept with its action and the reasons on
//! both sides, and the gains and losses are broken down by department, company and
//! country. Both ways of running end in [`collect`], so they cannot disagree on what a
//! change is.

use super::structure::{filter_changes, setting_changes};
use super::{
    AppDiff, Breakdown, BreakdownRow, Change, ChangedUser, Diff, DiffOptions, Selection, Side,
    Threshold, Which, pair_files, pair_stages,
};
use crate::diag::{Code, Diagnostic, Errors};
use crate::directory::Directory;
use crate::directory::assignments::{TargetAccount, TargetState};
use crate::pipeline::{Evaluated, Options, Rules, evaluate_directory};
use crate::rollout::reason::Reasons;
use crate::rollout::{Action, AppResult, RolloutInputs, RolloutOptions, StageResult};
use crate::rules::resolve::stage_view;
use crate::rules::{App, FilterSet, RuleSet, Stage};
use std::collections::BTreeMap;

/// The attributes a comparison reads from the directory: both rule sets' and the
/// breakdown's.
pub fn columns(before: &RuleSet, after: &RuleSet) -> crate::directory::ColumnSelection {
    crate::directory::ColumnSelection::only(attributes(before, after))
}

/// The names of [`columns`].
pub fn attributes(before: &RuleSet, after: &RuleSet) -> Vec<String> {
    let mut names = crate::pipeline::rule_attributes(before);
    names.extend(crate::pipeline::rule_attributes(after));
    names.extend(BREAKDOWN_ATTRIBUTES.iter().map(|s| s.to_string()));
    names
}

/// Compares `before` with `after` (or two stages of `before`) on a directory: pairs the
/// apps or stages, runs both sides, and gathers the warnings once each. Errors carry the
/// sources of the side they come from.
pub fn compare(
    before: &Rules,
    after: Option<&Rules>,
    selection: Selection<'_>,
    dir: &Directory,
    inputs: RolloutInputs<'_>,
    options: DiffOptions,
) -> Result<Diff, Errors> {
    let inputs = RolloutInputs {
        target_states: &[],
        ..inputs
    };
    let mut run = |b: Side<'_>, _: &Rules, a: Side<'_>, _: &Rules| {
        diff_sides(b, a, dir, inputs, options).map_err(PairError::Side)
    };
    compare_with(before, after, selection, &mut run).map_err(PairError::into_errors)
}

/// Why a comparison failed: the apps or stages asked for do not pair, an error of one
/// side's rules (compiled against the export), or of reading the inputs.
#[derive(Debug)]
pub enum PairError {
    /// `--app`, `--from`, `--to` or `--stage` name nothing to compare.
    Pairing(Errors),
    /// The rules of one side.
    Side((Which, Errors)),
    /// The directory export or another input.
    Input(Errors),
}

impl PairError {
    /// The errors, whatever their cause.
    pub fn into_errors(self) -> Errors {
        match self {
            PairError::Pairing(e) | PairError::Side((_, e)) | PairError::Input(e) => e,
        }
    }
}

/// How [`compare_with`] runs one pair: OLD's side and rules, NEW's side and rules.
pub type RunPair<'r> =
    dyn FnMut(Side<'_>, &Rules, Side<'_>, &Rules) -> Result<AppDiff, PairError> + 'r;

/// [`compare`] with each pair run by `run` (OLD's side and rules, NEW's side and rules):
/// pairs the apps or stages, runs each pair, and gathers the warnings once each. A side's
/// errors carry that side's sources.
pub fn compare_with(
    before: &Rules,
    after: Option<&Rules>,
    selection: Selection<'_>,
    run: &mut RunPair<'_>,
) -> Result<Diff, PairError> {
    let after_rules = after.unwrap_or(before);
    let mut diff = Diff {
        before: before.path.display().to_string(),
        after: after_rules.path.display().to_string(),
        apps: Vec::new(),
        only_before: Vec::new(),
        only_after: Vec::new(),
        without_stage: Vec::new(),
        warnings: Vec::new(),
    };
    let pairing = |d: Box<Diagnostic>| PairError::Pairing(Errors::from(*d));
    let pairs = match selection {
        Selection::Stages { app, from, to } => {
            vec![pair_stages(before.rules(), app, from, to).map_err(pairing)?]
        }
        Selection::Files { stage, app } => {
            let p = pair_files(before.rules(), after_rules.rules(), stage, app).map_err(pairing)?;
            diff.only_before = p.only_before;
            diff.only_after = p.only_after;
            diff.without_stage = p.without_stage;
            p.pairs
        }
    };
    for (b, a) in pairs {
        match run(b, before, a, after_rules) {
            Ok(app) => {
                for w in &app.warnings {
                    if !diff.warnings.iter().any(|x| x.message == w.message) {
                        diff.warnings.push(w.clone());
                    }
                }
                diff.apps.push(app);
            }
            Err(PairError::Side((which, e))) => {
                let sources = match which {
                    Which::Before => before.sources(),
                    Which::After => after_rules.sources(),
                };
                return Err(PairError::Side((which, e.with_sources(sources))));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(diff)
}

/// The attributes gains and losses are broken down by.
pub const BREAKDOWN_ATTRIBUTES: [&str; 3] = ["department", "companyName", "country"];

/// An app reduced to one stage whose filters are that stage's effective filters.
pub(super) fn single_stage(side: Side<'_>) -> RuleSet {
    let app = side.app();
    let view = stage_view(app, side.stage);
    let stage = Stage {
        name: view.stage.name.clone(),
        extends: None,
        source: view.stage.source,
        span: view.stage.span,
        implicit: view.stage.implicit,
        graph: None,
        filters: FilterSet {
            groups: view.scoping.iter().map(|f| (*f).clone()).collect(),
            input_groups: view.input.iter().map(|f| (*f).clone()).collect(),
            category_groups: view.category.iter().map(|f| (*f).clone()).collect(),
        },
    };
    RuleSet {
        apps: vec![App {
            stages: vec![stage],
            ..app.clone()
        }],
    }
}

/// The options both sides of a comparison run with.
pub(super) fn pipeline_options(options: DiffOptions) -> Options {
    Options {
        eval: options.eval,
        rollout: RolloutOptions {
            threshold_boundary: options.boundary,
            ..RolloutOptions::default()
        },
    }
}

/// Compares two sides on a directory in memory.
pub fn diff_sides(
    before: Side<'_>,
    after: Side<'_>,
    dir: &Directory,
    inputs: RolloutInputs<'_>,
    options: DiffOptions,
) -> Result<AppDiff, (Which, Errors)> {
    let base = RolloutInputs {
        target_states: &[],
        ..inputs
    };
    // OLD: who is in scope and active now, i.e. managed.
    let before_run =
        evaluate_directory(&single_stage(before), dir, base, pipeline_options(options))
            .map_err(|e| (Which::Before, e))?;
    let managed = [managed_accounts(&before_run, after.app(), |row| {
        user_key(|c| dir.value_by_name(row, c))
    })?];

    // NEW: one full cycle from those accounts.
    let after_inputs = RolloutInputs {
        target_states: &managed,
        ..base
    };
    let after_run = evaluate_directory(
        &single_stage(after),
        dir,
        after_inputs,
        pipeline_options(options),
    )
    .map_err(|e| (Which::After, e))?;
    collect(
        (
            before,
            SideRun {
                evaluated: &before_run,
                schema: dir,
            },
        ),
        (
            after,
            SideRun {
                evaluated: &after_run,
                schema: dir,
            },
        ),
        dir,
        inputs,
        options,
    )
}

/// The key a managed account is known by: the user's objectId, else its
/// userPrincipalName (`value` reads the user's attributes by name).
pub(super) fn user_key<'v>(value: impl Fn(&str) -> Option<&'v str>) -> Option<&'v str> {
    value("objectId").or_else(|| value("userPrincipalName"))
}

/// The accounts Entra manages after OLD's run: its users in scope and active (S25),
/// each known by [`user_key`] (`key` gives it for a row), as a target state of NEW's app.
pub(super) fn managed_accounts<'k>(
    before: &Evaluated,
    after_app: &App,
    key: impl Fn(usize) -> Option<&'k str>,
) -> Result<TargetState, (Which, Errors)> {
    let (_, bstage) = first_stage(before, Which::Before)?;
    let mut accounts = Vec::new();
    for row in bstage.in_scope_users.ones_iter() {
        if before.rollout.active.get(row) {
            if let Some(k) = key(row) {
                accounts.push(TargetAccount::managed_user(k, Some(true)));
            }
        }
    }
    Ok(TargetState::managed(
        &after_app.name.node,
        "accounts managed under OLD",
        accounts,
    ))
}

/// The one app and stage of a side's run.
fn first_stage(
    run: &Evaluated,
    which: Which,
) -> Result<(&AppResult, &StageResult), (Which, Errors)> {
    match run.rollout.apps.first() {
        Some(app) => match app.stages.first() {
            Some(stage) => Ok((app, stage)),
            None => Err(no_stage(which)),
        },
        None => Err(no_stage(which)),
    }
}

fn no_stage(which: Which) -> (Which, Errors) {
    let side = match which {
        Which::Before => "earlier",
        Which::After => "later",
    };
    (
        which,
        Diagnostic::error(
            Code::Internal,
            format!("the {side} rules gave no stage to compare"),
        )
        .into(),
    )
}

/// One side's run and the directory its plan's columns index (the same directory in
/// memory for both sides, or each streamed run's own schema).
#[derive(Clone, Copy)]
pub(super) struct SideRun<'a> {
    /// Plan, outcomes and rollout of the side's single-stage rules.
    pub evaluated: &'a Evaluated,
    /// The directory the plan was compiled against (for column names).
    pub schema: &'a Directory,
}

/// Where a comparison reads the attributes of the users it reports, by name: the
/// directory in memory, or what a streamed run kept of the users who may change.
pub(super) trait UserValues {
    /// The value of attribute `name` for user `row`, `None` when null or not kept.
    fn get(&self, row: usize, name: &str) -> Option<&str>;
}

impl UserValues for Directory {
    fn get(&self, row: usize, name: &str) -> Option<&str> {
        self.value_by_name(row, name)
    }
}

/// Collects a comparison from both sides' runs: the users whose scope changes, with
/// NEW's action and both reasons, the breakdowns, the threshold and the warnings.
/// `values` must hold the attributes of every user whose scope changes.
pub(super) fn collect(
    (before, b): (Side<'_>, SideRun<'_>),
    (after, a): (Side<'_>, SideRun<'_>),
    values: &dyn UserValues,
    inputs: RolloutInputs<'_>,
    options: DiffOptions,
) -> Result<AppDiff, (Which, Errors)> {
    let after_app = after.app();
    let (bapp, bstage) = first_stage(b.evaluated, Which::Before)?;
    let (aapp, astage) = first_stage(a.evaluated, Which::After)?;
    let reason = |side: SideRun<'_>, app: &AppResult, stage: &StageResult, row: usize| {
        let mut out = String::new();
        let columns = side.schema.columns();
        let reasons = Reasons {
            plan: &side.evaluated.plan,
            outcomes: &side.evaluated.outcomes,
            dir: side.schema,
            group_members: inputs.group_members,
        };
        reasons.write_with(
            &mut out,
            app,
            stage,
            row,
            |col| columns.get(col).and_then(|c| values.get(row, &c.name)),
            |name| values.get(row, name),
        );
        out
    };
    let n = astage.in_scope_users.len();
    let mut users = Vec::new();
    let mut actions: BTreeMap<String, usize> = BTreeMap::new();
    let (mut both, mut neither) = (0, 0);
    for row in 0..n {
        let was = bstage.in_scope_users.get(row);
        let now = astage.in_scope_users.get(row);
        let change = match (was, now) {
            (true, true) => {
                both += 1;
                continue;
            }
            (false, false) => {
                neither += 1;
                continue;
            }
            (false, true) => Change::Gained,
            (true, false) => Change::Lost,
        };
        let action = astage.action(row);
        *actions.entry(action.as_str().to_string()).or_default() += 1;
        users.push(ChangedUser {
            row,
            object_id: values.get(row, "objectId").unwrap_or("").to_string(),
            user_principal_name: values
                .get(row, "userPrincipalName")
                .unwrap_or("")
                .to_string(),
            change,
            action,
            held: astage.held && matches!(action, Action::Disable | Action::Delete),
            reason_before: reason(b, bapp, bstage, row),
            reason_after: reason(a, aapp, astage, row),
        });
    }
    let breakdowns = BREAKDOWN_ATTRIBUTES
        .iter()
        .filter(|&&attr| a.schema.column(attr).is_some())
        .map(|&attr| {
            let mut m: BTreeMap<Option<String>, (usize, usize)> = BTreeMap::new();
            for u in &users {
                let e = m
                    .entry(values.get(u.row, attr).map(str::to_string))
                    .or_default();
                match u.change {
                    Change::Gained => e.0 += 1,
                    Change::Lost => e.1 += 1,
                }
            }
            Breakdown {
                attribute: attr.to_string(),
                values: m
                    .into_iter()
                    .map(|(value, (gained, lost))| BreakdownRow {
                        value,
                        gained,
                        lost,
                    })
                    .collect(),
            }
        })
        .collect();
    let mut warnings: Vec<Diagnostic> = Vec::new();
    for w in b
        .evaluated
        .rollout
        .warnings
        .iter()
        .chain(&a.evaluated.rollout.warnings)
    {
        // The threshold is reported by the diff itself.
        if w.code != "deletion-threshold" && !warnings.contains(w) {
            warnings.push(w.clone());
        }
    }
    let gained = users.iter().filter(|u| u.change == Change::Gained).count();
    Ok(AppDiff {
        app: after_app.name.node.clone(),
        stage_before: before.stage_name().to_string(),
        stage_after: after.stage_name().to_string(),
        skip_out_of_scope_deletions: after_app.skip_deletions(),
        gained,
        lost: users.len() - gained,
        unchanged_in_scope: both,
        unchanged_out_of_scope: neither,
        actions,
        breakdowns,
        filters: filter_changes(before, after),
        settings: setting_changes(before.app(), after_app),
        threshold: Threshold {
            limit: after_app.deletion_threshold.as_ref().map(|t| t.node),
            boundary: options.boundary,
            deprovisions: astage.deprovisions(),
            held: astage.held,
        },
        users,
        warnings,
    })
}
