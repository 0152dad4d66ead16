//! `scopesim diff`: what saving a new version of the rules would do, like `terraform plan`.
//!
//! A comparison has two sides, each one stage of one app: the stage that is live (OLD)
//! and the one about to be saved (NEW), from two files or two stages of one file. Entra
//! re-evaluates every candidate in the full cycle that saving starts, so the diff is two
//! runs of the rollout engine on single-stage copies of the apps: OLD's run says who is
//! in scope and active now, which are the accounts Entra manages; NEW's run starts from
//! exactly those accounts (as a target state) with NEW's settings, so its actions are
//! Entra's: create for users gaining scope, disable (or nothing under
//! SkipOutOfScopeDeletions) for users losing it, and the deletion threshold (S27) counted
//! as Entra would count it. Keeping the sides in separate runs lets them differ in scope
//! mode (`assigned` vs `all`) and in source files without any id clashing. The filters
//! are compared structurally (by name, then clause by clause), so a reviewer sees the
//! cause next to the effect.

use crate::diag::{Code, Diagnostic, Errors};
use crate::directory::Directory;
use crate::directory::assignments::{TargetAccount, TargetState};
use crate::eval::{EvalOptions, compile, evaluate};
use crate::output::csv_guard::guard;
use crate::report::plan::ReportContext;
use crate::rollout::{Action, RolloutInputs, RolloutOptions, ThresholdBoundary, simulate};
use crate::rules::print::clause_text;
use crate::rules::resolve::stage_view;
use crate::rules::{App, Filter, FilterKind, FilterSet, RuleSet, ScopeMode, Stage};
use comfy_table::{Cell, CellAlignment, Table};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Options of a comparison.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiffOptions {
    /// Evaluation options (regex anchoring).
    pub eval: EvalOptions,
    /// S27 boundary for NEW's deletion threshold.
    pub boundary: ThresholdBoundary,
}

/// One side of a comparison: stage `stage` of app `app` of a rule set.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The rules.
    pub rules: &'a RuleSet,
    /// Index of the app.
    pub app: usize,
    /// Index of the stage within the app.
    pub stage: usize,
}

impl Side<'_> {
    fn app(&self) -> &App {
        &self.rules.apps[self.app]
    }

    fn stage_name(&self) -> &str {
        &self.app().stages[self.stage].name.node
    }
}

/// Which side a problem comes from (for rendering it with the right sources).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// OLD.
    Before,
    /// NEW.
    After,
}

/// Apps paired across two rule files.
#[derive(Debug, Clone)]
pub struct Pairing<'a> {
    /// (OLD, NEW) for each app present in both, in NEW's order.
    pub pairs: Vec<(Side<'a>, Side<'a>)>,
    /// Apps only in OLD.
    pub only_before: Vec<String>,
    /// Apps only in NEW.
    pub only_after: Vec<String>,
    /// Apps in both without the requested stage.
    pub without_stage: Vec<String>,
}

/// Pairs the apps of two rule files by name: each app's `stage` if given (apps lacking
/// it in either file are set aside), else the last stage of each. `only_app` narrows to
/// one app, which must be in both.
pub fn pair_files<'a>(
    before: &'a RuleSet,
    after: &'a RuleSet,
    stage: Option<&str>,
    only_app: Option<&str>,
) -> Result<Pairing<'a>, Box<Diagnostic>> {
    let mut p = Pairing {
        pairs: Vec::new(),
        only_before: before
            .apps
            .iter()
            .filter(|a| !after.apps.iter().any(|b| b.name.node == a.name.node))
            .map(|a| a.name.node.clone())
            .collect(),
        only_after: Vec::new(),
        without_stage: Vec::new(),
    };
    for (ai, a) in after.apps.iter().enumerate() {
        if only_app.is_some_and(|n| n != a.name.node) {
            continue;
        }
        let Some(bi) = before.apps.iter().position(|b| b.name.node == a.name.node) else {
            p.only_after.push(a.name.node.clone());
            continue;
        };
        let b = &before.apps[bi];
        let stages = match stage {
            None => match (b.stages.len().checked_sub(1), a.stages.len().checked_sub(1)) {
                (Some(x), Some(y)) => Some((x, y)),
                _ => None,
            },
            Some(s) => b
                .stages
                .iter()
                .position(|x| x.name.node == s)
                .zip(a.stages.iter().position(|x| x.name.node == s)),
        };
        match stages {
            Some((bs, as_)) => p.pairs.push((
                Side {
                    rules: before,
                    app: bi,
                    stage: bs,
                },
                Side {
                    rules: after,
                    app: ai,
                    stage: as_,
                },
            )),
            None => p.without_stage.push(a.name.node.clone()),
        }
    }
    if let Some(name) = only_app {
        if p.pairs.is_empty() && p.without_stage.is_empty() {
            return Err(Box::new(
                Diagnostic::error(
                    Code::UnknownApp,
                    format!("app `{name}` is not in both rule files"),
                )
                .with_help(format!(
                    "apps in both: {}",
                    names_in_both(before, after).join(", ")
                )),
            ));
        }
    }
    if only_app.is_some() {
        // Narrowed to one app: the others are not part of the comparison.
        p.only_before.clear();
    }
    if let Some(s) = stage {
        if p.pairs.is_empty() {
            return Err(Box::new(
                Diagnostic::error(
                    Code::UnknownStage,
                    format!("no app has a stage `{s}` in both rule files"),
                )
                .with_help("leave out `--stage` to compare the last stage of each app"),
            ));
        }
    }
    Ok(p)
}

fn names_in_both(before: &RuleSet, after: &RuleSet) -> Vec<String> {
    after
        .apps
        .iter()
        .filter(|a| before.apps.iter().any(|b| b.name.node == a.name.node))
        .map(|a| format!("`{}`", a.name.node))
        .collect()
}

/// The two sides for comparing stages `from` and `to` of `app` in one rule set.
pub fn pair_stages<'a>(
    rules: &'a RuleSet,
    app: &str,
    from: &str,
    to: &str,
) -> Result<(Side<'a>, Side<'a>), Box<Diagnostic>> {
    let Some(ai) = rules.apps.iter().position(|a| a.name.node == app) else {
        let names: Vec<String> = rules
            .apps
            .iter()
            .map(|a| format!("`{}`", a.name.node))
            .collect();
        return Err(Box::new(
            Diagnostic::error(Code::UnknownApp, format!("no app `{app}` in the rules"))
                .with_help(format!("apps: {}", names.join(", "))),
        ));
    };
    let a = &rules.apps[ai];
    let find = |s: &str| -> Result<usize, Box<Diagnostic>> {
        a.stages
            .iter()
            .position(|x| x.name.node == s)
            .ok_or_else(|| {
                let names: Vec<String> = a
                    .stages
                    .iter()
                    .map(|x| format!("`{}`", x.name.node))
                    .collect();
                Box::new(
                    Diagnostic::error(
                        Code::UnknownStage,
                        format!("app `{app}` has no stage `{s}`"),
                    )
                    .with_help(format!("stages of `{app}`: {}", names.join(", "))),
                )
            })
    };
    let (f, t) = (find(from)?, find(to)?);
    Ok((
        Side {
            rules,
            app: ai,
            stage: f,
        },
        Side {
            rules,
            app: ai,
            stage: t,
        },
    ))
}

/// Gaining or losing scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Out of scope under OLD, in scope under NEW.
    Gained,
    /// In scope under OLD, out of scope under NEW.
    Lost,
}

impl Change {
    /// `gained` or `lost`.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Gained => "gained",
            Change::Lost => "lost",
        }
    }
}

/// A user whose scope changes.
#[derive(Debug, Clone, Serialize)]
pub struct ChangedUser {
    /// Row in the directory.
    #[serde(skip)]
    pub row: usize,
    /// objectId ("" when absent).
    pub object_id: String,
    /// userPrincipalName ("" when absent).
    pub user_principal_name: String,
    /// Gained or lost.
    pub change: Change,
    /// What Entra does in NEW's cycle.
    pub action: Action,
    /// The action waits for an admin (S27).
    pub held: bool,
    /// Why in or out of scope under OLD.
    pub reason_before: String,
    /// Why this action under NEW.
    pub reason_after: String,
}

/// Gains and losses by the values of one attribute.
#[derive(Debug, Clone, Serialize)]
pub struct Breakdown {
    /// The attribute.
    pub attribute: String,
    /// One row per value (`None` = null), by value.
    pub values: Vec<BreakdownRow>,
}

/// One value of a breakdown.
#[derive(Debug, Clone, Serialize)]
pub struct BreakdownRow {
    /// The value (`None` = null).
    pub value: Option<String>,
    /// Users with it who gain scope.
    pub gained: usize,
    /// Users with it who lose scope.
    pub lost: usize,
}

/// How a filter changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FilterChangeKind {
    /// Only in NEW.
    Added,
    /// Only in OLD.
    Removed,
    /// In both by name, with different clauses.
    Modified,
    /// Same clauses, different name.
    Renamed,
}

/// A structural change of the effective filters.
#[derive(Debug, Clone, Serialize)]
pub struct FilterChange {
    /// What happened.
    pub change: FilterChangeKind,
    /// Collection (scoping, input, category).
    pub kind: FilterKind,
    /// Name (NEW's, for renames).
    pub name: String,
    /// OLD's name, for renames.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_name: Option<String>,
    /// Clauses only in NEW's version.
    pub clauses_added: Vec<String>,
    /// Clauses only in OLD's version.
    pub clauses_removed: Vec<String>,
}

/// A changed app setting.
#[derive(Debug, Clone, Serialize)]
pub struct SettingChange {
    /// `scope`, `skip_out_of_scope_deletions`, `deletion_threshold`, `delete_flow`.
    pub setting: String,
    /// OLD's value.
    pub before: String,
    /// NEW's value.
    pub after: String,
}

/// NEW's accidental-deletion prevention against the losses (S27).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Threshold {
    /// NEW's threshold, when set.
    pub limit: Option<u64>,
    /// `gt` or `ge`.
    pub boundary: ThresholdBoundary,
    /// Disables and deletes of NEW's cycle.
    pub deprovisions: usize,
    /// Entra would hold them (TooManyDeletes).
    pub held: bool,
}

/// The comparison of one app.
#[derive(Debug, Clone, Serialize)]
pub struct AppDiff {
    /// App name.
    pub app: String,
    /// OLD's stage.
    pub stage_before: String,
    /// NEW's stage.
    pub stage_after: String,
    /// NEW's SkipOutOfScopeDeletions.
    pub skip_out_of_scope_deletions: bool,
    /// Users gaining scope.
    pub gained: usize,
    /// Users losing scope.
    pub lost: usize,
    /// In scope under both.
    pub unchanged_in_scope: usize,
    /// Out of scope under both.
    pub unchanged_out_of_scope: usize,
    /// Actions of NEW's cycle on the users whose scope changes.
    pub actions: BTreeMap<String, usize>,
    /// Every user whose scope changes, in directory order.
    pub users: Vec<ChangedUser>,
    /// Gains and losses by department, companyName and country.
    pub breakdowns: Vec<Breakdown>,
    /// Structural changes of the effective filters.
    pub filters: Vec<FilterChange>,
    /// Changed settings.
    pub settings: Vec<SettingChange>,
    /// Deletion threshold.
    pub threshold: Threshold,
    /// Warnings of the two runs (unknown principals, accountEnabled, ...).
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
}

/// A whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// What OLD is (a file, or a stage).
    pub before: String,
    /// What NEW is.
    pub after: String,
    /// Per app.
    pub apps: Vec<AppDiff>,
    /// Apps only in OLD.
    pub only_before: Vec<String>,
    /// Apps only in NEW.
    pub only_after: Vec<String>,
    /// Apps in both without the requested stage.
    pub without_stage: Vec<String>,
    /// Warnings of the runs, each once.
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
}

impl Diff {
    /// True when some app's losses would trip NEW's deletion threshold.
    pub fn held(&self) -> bool {
        self.apps.iter().any(|a| a.threshold.held)
    }
}

/// What a comparison pairs.
#[derive(Debug, Clone, Copy)]
pub enum Selection<'s> {
    /// Two stages of one app of one file.
    Stages {
        /// The app.
        app: &'s str,
        /// The stage that is live.
        from: &'s str,
        /// The stage about to be saved.
        to: &'s str,
    },
    /// Two files: each app's `stage` (or last stage), optionally one app only.
    Files {
        /// The stage to compare in each app.
        stage: Option<&'s str>,
        /// Only this app.
        app: Option<&'s str>,
    },
}

/// The attributes a comparison reads from the directory: both rule sets' and the
/// breakdown's.
pub fn columns(before: &RuleSet, after: &RuleSet) -> crate::directory::ColumnSelection {
    let mut names = crate::pipeline::rule_attributes(before);
    names.extend(crate::pipeline::rule_attributes(after));
    names.extend(BREAKDOWN_ATTRIBUTES.iter().map(|s| s.to_string()));
    crate::directory::ColumnSelection::only(names)
}

/// Compares `before` with `after` (or two stages of `before`) on a directory: pairs the
/// apps or stages, runs both sides, and gathers the warnings once each. Errors carry the
/// sources of the side they come from.
pub fn compare(
    before: &crate::pipeline::Rules,
    after: Option<&crate::pipeline::Rules>,
    selection: Selection<'_>,
    dir: &Directory,
    inputs: RolloutInputs<'_>,
    options: DiffOptions,
) -> Result<Diff, Errors> {
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
    let pairs = match selection {
        Selection::Stages { app, from, to } => {
            vec![pair_stages(before.rules(), app, from, to).map_err(|d| Errors::from(*d))?]
        }
        Selection::Files { stage, app } => {
            let p = pair_files(before.rules(), after_rules.rules(), stage, app)
                .map_err(|d| Errors::from(*d))?;
            diff.only_before = p.only_before;
            diff.only_after = p.only_after;
            diff.without_stage = p.without_stage;
            p.pairs
        }
    };
    let inputs = RolloutInputs {
        target_states: &[],
        ..inputs
    };
    for (b, a) in pairs {
        match diff_sides(b, a, dir, inputs, options) {
            Ok(app) => {
                for w in &app.warnings {
                    if !diff.warnings.iter().any(|x| x.message == w.message) {
                        diff.warnings.push(w.clone());
                    }
                }
                diff.apps.push(app);
            }
            Err((which, e)) => {
                let sources = match which {
                    Which::Before => before.sources(),
                    Which::After => after_rules.sources(),
                };
                return Err(e.with_sources(sources));
            }
        }
    }
    Ok(diff)
}

/// The attributes gains and losses are broken down by.
pub const BREAKDOWN_ATTRIBUTES: [&str; 3] = ["department", "companyName", "country"];

/// An app reduced to one stage whose filters are that stage's effective filters.
fn single_stage(side: Side<'_>) -> RuleSet {
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

/// Compares two sides on a directory.
pub fn diff_sides(
    before: Side<'_>,
    after: Side<'_>,
    dir: &Directory,
    inputs: RolloutInputs<'_>,
    options: DiffOptions,
) -> Result<AppDiff, (Which, Errors)> {
    let ropts = RolloutOptions {
        threshold_boundary: options.boundary,
        ..RolloutOptions::default()
    };
    let base = RolloutInputs {
        target_states: &[],
        ..inputs
    };
    // OLD: who is in scope and active now, i.e. managed.
    let before_rules = single_stage(before);
    let bp = compile(&before_rules, dir, options.eval).map_err(|e| (Which::Before, e))?;
    let bo = evaluate(&bp, dir);
    let before_sim =
        simulate(&before_rules, &bp, &bo, dir, base, ropts).map_err(|e| (Which::Before, e))?;
    let (Some(bapp), Some(bstage)) = (
        before_sim.apps.first(),
        before_sim.apps.first().and_then(|a| a.stages.first()),
    ) else {
        return Err((
            Which::Before,
            Diagnostic::error(Code::Internal, "the earlier rules gave no stage to compare").into(),
        ));
    };
    let id_col = dir.column("objectId");
    let upn_col = dir.column("userPrincipalName");
    let key = |row: usize| -> Option<&str> {
        id_col
            .and_then(|c| dir.value(row, c))
            .or_else(|| upn_col.and_then(|c| dir.value(row, c)))
    };
    let mut accounts = Vec::new();
    for row in bstage.in_scope_users.ones_iter() {
        if before_sim.active.get(row) {
            if let Some(k) = key(row) {
                accounts.push(TargetAccount::managed_user(k, Some(true)));
            }
        }
    }
    let after_app = after.app();
    let managed = [TargetState::managed(
        &after_app.name.node,
        "accounts managed under OLD",
        accounts,
    )];

    // NEW: one full cycle from those accounts.
    let after_rules = single_stage(after);
    let ap = compile(&after_rules, dir, options.eval).map_err(|e| (Which::After, e))?;
    let ao = evaluate(&ap, dir);
    let after_sim = simulate(
        &after_rules,
        &ap,
        &ao,
        dir,
        RolloutInputs {
            target_states: &managed,
            ..base
        },
        ropts,
    )
    .map_err(|e| (Which::After, e))?;
    let (Some(aapp), Some(astage)) = (
        after_sim.apps.first(),
        after_sim.apps.first().and_then(|a| a.stages.first()),
    ) else {
        return Err((
            Which::After,
            Diagnostic::error(Code::Internal, "the later rules gave no stage to compare").into(),
        ));
    };

    let before_ctx = ReportContext {
        plan: &bp,
        outcomes: &bo,
        dir,
        rollout: &before_sim,
        group_members: inputs.group_members,
        app: None,
        stage: None,
    };
    let after_ctx = ReportContext {
        plan: &ap,
        outcomes: &ao,
        dir,
        rollout: &after_sim,
        group_members: inputs.group_members,
        app: None,
        stage: None,
    };
    let mut users = Vec::new();
    let mut actions: BTreeMap<String, usize> = BTreeMap::new();
    let (mut both, mut neither) = (0, 0);
    for row in 0..dir.len() {
        let b = bstage.in_scope_users.get(row);
        let a = astage.in_scope_users.get(row);
        let change = match (b, a) {
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
            object_id: id_col
                .and_then(|c| dir.value(row, c))
                .unwrap_or("")
                .to_string(),
            user_principal_name: upn_col
                .and_then(|c| dir.value(row, c))
                .unwrap_or("")
                .to_string(),
            change,
            action,
            held: astage.held && matches!(action, Action::Disable | Action::Delete),
            reason_before: before_ctx.reason(bapp, bstage, row),
            reason_after: after_ctx.reason(aapp, astage, row),
        });
    }
    let breakdowns = BREAKDOWN_ATTRIBUTES
        .iter()
        .filter_map(|&attr| {
            let col = dir.column(attr)?;
            let mut m: BTreeMap<Option<String>, (usize, usize)> = BTreeMap::new();
            for u in &users {
                let e = m
                    .entry(dir.value(u.row, col).map(str::to_string))
                    .or_default();
                match u.change {
                    Change::Gained => e.0 += 1,
                    Change::Lost => e.1 += 1,
                }
            }
            Some(Breakdown {
                attribute: attr.to_string(),
                values: m
                    .into_iter()
                    .map(|(value, (gained, lost))| BreakdownRow {
                        value,
                        gained,
                        lost,
                    })
                    .collect(),
            })
        })
        .collect();
    let mut warnings: Vec<Diagnostic> = Vec::new();
    for w in before_sim.warnings.iter().chain(&after_sim.warnings) {
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

/// Structural diff of the two sides' effective filters: by collection and name, then
/// clause by clause (as canonical text, as a multiset); an unmatched pair with the same
/// clauses is a rename.
pub fn filter_changes(before: Side<'_>, after: Side<'_>) -> Vec<FilterChange> {
    let bv = stage_view(before.app(), before.stage);
    let av = stage_view(after.app(), after.stage);
    let mut out = Vec::new();
    for kind in [FilterKind::Scoping, FilterKind::Input, FilterKind::Category] {
        let pick = |v: &crate::rules::resolve::StageView<'_>| -> Vec<Filter> {
            let list = match kind {
                FilterKind::Scoping => &v.scoping,
                FilterKind::Input => &v.input,
                FilterKind::Category => &v.category,
            };
            list.iter().map(|f| (*f).clone()).collect()
        };
        let (old, new) = (pick(&bv), pick(&av));
        let texts = |f: &Filter| -> Vec<String> {
            let mut t: Vec<String> = f.clauses.iter().map(clause_text).collect();
            t.sort();
            t
        };
        let mut matched_old = vec![false; old.len()];
        let mut pending_added: Vec<&Filter> = Vec::new();
        let mut changes: Vec<FilterChange> = Vec::new();
        for f in &new {
            match old
                .iter()
                .enumerate()
                .position(|(i, o)| !matched_old[i] && o.name.node == f.name.node)
            {
                Some(i) => {
                    matched_old[i] = true;
                    let (added, removed) = multiset_diff(&texts(f), &texts(&old[i]));
                    if !added.is_empty() || !removed.is_empty() {
                        changes.push(FilterChange {
                            change: FilterChangeKind::Modified,
                            kind,
                            name: f.name.node.clone(),
                            old_name: None,
                            clauses_added: added,
                            clauses_removed: removed,
                        });
                    }
                }
                None => pending_added.push(f),
            }
        }
        for f in pending_added {
            let t = texts(f);
            let renamed = old
                .iter()
                .enumerate()
                .position(|(i, o)| !matched_old[i] && texts(o) == t);
            match renamed {
                Some(i) => {
                    matched_old[i] = true;
                    changes.push(FilterChange {
                        change: FilterChangeKind::Renamed,
                        kind,
                        name: f.name.node.clone(),
                        old_name: Some(old[i].name.node.clone()),
                        clauses_added: Vec::new(),
                        clauses_removed: Vec::new(),
                    });
                }
                None => changes.push(FilterChange {
                    change: FilterChangeKind::Added,
                    kind,
                    name: f.name.node.clone(),
                    old_name: None,
                    clauses_added: f.clauses.iter().map(clause_text).collect(),
                    clauses_removed: Vec::new(),
                }),
            }
        }
        for (i, o) in old.iter().enumerate() {
            if !matched_old[i] {
                changes.push(FilterChange {
                    change: FilterChangeKind::Removed,
                    kind,
                    name: o.name.node.clone(),
                    old_name: None,
                    clauses_added: Vec::new(),
                    clauses_removed: o.clauses.iter().map(clause_text).collect(),
                });
            }
        }
        out.extend(changes);
    }
    out
}

/// Items of `a` not in `b` and of `b` not in `a`, counting repeats (both sorted).
fn multiset_diff(a: &[String], b: &[String]) -> (Vec<String>, Vec<String>) {
    let mut only_a = Vec::new();
    let mut only_b = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x < y => {
                only_a.push(x.clone());
                i += 1;
            }
            (Some(_), Some(y)) => {
                only_b.push(y.clone());
                j += 1;
            }
            (Some(x), None) => {
                only_a.push(x.clone());
                i += 1;
            }
            (None, Some(y)) => {
                only_b.push(y.clone());
                j += 1;
            }
            (None, None) => break,
        }
    }
    (only_a, only_b)
}

fn setting_changes(before: &App, after: &App) -> Vec<SettingChange> {
    let threshold = |a: &App| {
        a.deletion_threshold
            .as_ref()
            .map_or_else(|| "none".to_string(), |t| t.node.to_string())
    };
    let scope = |a: &App| match a.scope_mode() {
        ScopeMode::Assigned => "assigned".to_string(),
        ScopeMode::All => "all".to_string(),
    };
    let rows = [
        ("scope", scope(before), scope(after)),
        (
            "skip_out_of_scope_deletions",
            before.skip_deletions().to_string(),
            after.skip_deletions().to_string(),
        ),
        ("deletion_threshold", threshold(before), threshold(after)),
        (
            "delete_flow",
            before.delete_flow_on().to_string(),
            after.delete_flow_on().to_string(),
        ),
    ];
    rows.into_iter()
        .filter(|(_, b, a)| b != a)
        .map(|(s, b, a)| SettingChange {
            setting: s.to_string(),
            before: b,
            after: a,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Rendering

/// The columns of `--report`.
pub const REPORT_COLUMNS: [&str; 12] = [
    "app",
    "stage_before",
    "stage_after",
    "objectId",
    "userPrincipalName",
    "change",
    "before_in_scope",
    "after_in_scope",
    "action",
    "held",
    "reason_before",
    "reason_after",
];

/// Writes every user whose scope changes as CSV: apps in order, users in directory
/// order, every text cell formula-guarded. Returns the number of rows.
pub fn write_report_csv(diff: &Diff, w: &mut dyn Write) -> io::Result<u64> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(REPORT_COLUMNS)?;
    let mut rows = 0;
    for a in &diff.apps {
        for u in &a.users {
            let gained = u.change == Change::Gained;
            c.write_record([
                guard(&a.app).as_ref(),
                guard(&a.stage_before).as_ref(),
                guard(&a.stage_after).as_ref(),
                guard(&u.object_id).as_ref(),
                guard(&u.user_principal_name).as_ref(),
                u.change.as_str(),
                if gained { "false" } else { "true" },
                if gained { "true" } else { "false" },
                u.action.as_str(),
                if u.held { "true" } else { "false" },
                guard(&u.reason_before).as_ref(),
                guard(&u.reason_after).as_ref(),
            ])?;
            rows += 1;
        }
    }
    c.flush()?;
    Ok(rows)
}

/// The diff as JSON.
pub fn to_json(diff: &Diff) -> Value {
    serde_json::to_value(diff).unwrap_or(Value::Null)
}

/// Rendering options of the text form.
#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    /// Users listed per app (the report has all of them).
    pub max_users: usize,
    /// Table width (`None`: the terminal's).
    pub width: Option<u16>,
}

/// The diff as text, `terraform plan` style: per app the filter changes (`+`, `-`, `~`),
/// the users gaining (`+`) and losing (`-`) scope with Entra's action, the breakdowns and
/// the deletion threshold.
pub fn render_text(diff: &Diff, opts: TextOptions) -> String {
    let mut s = String::new();
    for a in &diff.apps {
        s.push_str(&format!(
            "App {:?}: stage {:?} ({}) -> stage {:?} ({})\n",
            a.app, a.stage_before, diff.before, a.stage_after, diff.after
        ));
        if a.filters.is_empty() && a.settings.is_empty() {
            s.push_str("  filters and settings: no change\n");
        }
        for f in &a.filters {
            let kind = match f.kind {
                FilterKind::Scoping => "filter",
                FilterKind::Input => "input_filter",
                FilterKind::Category => "category_filter",
            };
            match f.change {
                FilterChangeKind::Added => s.push_str(&format!("  + {kind} {:?}\n", f.name)),
                FilterChangeKind::Removed => s.push_str(&format!("  - {kind} {:?}\n", f.name)),
                FilterChangeKind::Modified => s.push_str(&format!("  ~ {kind} {:?}\n", f.name)),
                FilterChangeKind::Renamed => s.push_str(&format!(
                    "  ~ {kind} {:?} renamed to {:?} (same clauses)\n",
                    f.old_name.as_deref().unwrap_or(""),
                    f.name
                )),
            }
            for c in &f.clauses_removed {
                s.push_str(&format!("      - {c}\n"));
            }
            for c in &f.clauses_added {
                s.push_str(&format!("      + {c}\n"));
            }
        }
        for c in &a.settings {
            s.push_str(&format!("  ~ {}: {} -> {}\n", c.setting, c.before, c.after));
        }
        s.push_str(&format!(
            "\n  {} scope, {} {} it, {} unchanged ({} in scope, {} out of scope)\n",
            gains(a.gained),
            a.lost,
            if a.lost == 1 { "loses" } else { "lose" },
            a.unchanged_in_scope + a.unchanged_out_of_scope,
            a.unchanged_in_scope,
            a.unchanged_out_of_scope
        ));
        if !a.users.is_empty() {
            let mut t = table(opts.width);
            t.set_header(vec!["", "User", "Action", "Why (after)"]);
            for u in a.users.iter().take(opts.max_users) {
                let sign = match u.change {
                    Change::Gained => "+",
                    Change::Lost => "-",
                };
                let name = if u.user_principal_name.is_empty() {
                    &u.object_id
                } else {
                    &u.user_principal_name
                };
                let action = if u.held {
                    format!("{} (held)", u.action.as_str())
                } else {
                    u.action.as_str().to_string()
                };
                t.add_row(vec![
                    Cell::new(sign),
                    Cell::new(name),
                    Cell::new(action),
                    Cell::new(&u.reason_after),
                ]);
            }
            s.push_str(&indent(&t.to_string()));
            if a.users.len() > opts.max_users {
                s.push_str(&format!(
                    "  ... and {} more (write them all with `--report FILE.csv`)\n",
                    a.users.len() - opts.max_users
                ));
            }
            let mut bt = table(opts.width);
            bt.set_header(vec!["Attribute", "Value", "Gain", "Lose"]);
            let mut any = false;
            for b in &a.breakdowns {
                for r in &b.values {
                    any = true;
                    bt.add_row(vec![
                        Cell::new(&b.attribute),
                        Cell::new(
                            r.value
                                .as_deref()
                                .map_or_else(|| "(null)".to_string(), |v| format!("{v:?}")),
                        ),
                        Cell::new(r.gained).set_alignment(CellAlignment::Right),
                        Cell::new(r.lost).set_alignment(CellAlignment::Right),
                    ]);
                }
            }
            if any {
                s.push_str(&indent(&bt.to_string()));
            }
        }
        let counts: Vec<String> = a.actions.iter().map(|(k, n)| format!("{n} {k}")).collect();
        if !counts.is_empty() {
            s.push_str(&format!("  actions: {}", counts.join(", ")));
            if a.skip_out_of_scope_deletions && a.lost > 0 {
                s.push_str(" (SkipOutOfScopeDeletions keeps the accounts of users losing scope)");
            }
            s.push('\n');
        }
        let t = &a.threshold;
        let boundary = match t.boundary {
            ThresholdBoundary::Gt => "above",
            ThresholdBoundary::Ge => "at or above",
        };
        let count = if t.deprovisions == 1 {
            "1 disable or delete".to_string()
        } else {
            format!("{} disables or deletes", t.deprovisions)
        };
        match t.limit {
            Some(limit) if t.held => s.push_str(&format!(
                "  deletion threshold {limit} (held {boundary} it): TRIPPED by {count}: Entra would hold them and quarantine the job (TooManyDeletes, S27)\n"
            )),
            Some(limit) => s.push_str(&format!(
                "  deletion threshold {limit} (held {boundary} it): not tripped by {count}\n"
            )),
            None => s.push_str(&format!("  deletion threshold: none set ({count})\n")),
        }
        s.push('\n');
    }
    if !diff.only_before.is_empty() {
        s.push_str(&format!(
            "Apps only in {}: {}\n",
            diff.before,
            diff.only_before.join(", ")
        ));
    }
    if !diff.only_after.is_empty() {
        s.push_str(&format!(
            "Apps only in {}: {}\n",
            diff.after,
            diff.only_after.join(", ")
        ));
    }
    if !diff.without_stage.is_empty() {
        s.push_str(&format!(
            "Apps without that stage in both files: {}\n",
            diff.without_stage.join(", ")
        ));
    }
    let gained: usize = diff.apps.iter().map(|a| a.gained).sum();
    let lost: usize = diff.apps.iter().map(|a| a.lost).sum();
    s.push_str(&format!(
        "Summary: {} scope, {} {} it{}\n",
        gains(gained),
        lost,
        if lost == 1 { "loses" } else { "lose" },
        if diff.held() {
            "; the deletion threshold would hold the change"
        } else {
            ""
        }
    ));
    s
}

/// `1 user gains`, `3 users gain`.
fn gains(n: usize) -> String {
    if n == 1 {
        "1 user gains".to_string()
    } else {
        format!("{n} users gain")
    }
}

/// Tables in the diff sit under an indented heading, two columns narrower.
fn table(width: Option<u16>) -> Table {
    crate::output::table(width.map(|w| w.saturating_sub(2)))
}

fn indent(text: &str) -> String {
    let mut s = String::new();
    for line in text.lines() {
        s.push_str("  ");
        s.push_str(line);
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiset_diff_counts_repeats() {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (a, b) = multiset_diff(&v(&["a", "b", "b", "d"]), &v(&["b", "c", "d", "d"]));
        assert_eq!(a, v(&["a", "b"]));
        assert_eq!(b, v(&["c", "d"]));
    }
}
