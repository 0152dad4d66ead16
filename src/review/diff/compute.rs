//! Running the two sides of a comparison and collecting the users whose scope changes.
//!
//! Each side is its app reduced to the one stage compared, with that stage's effective
//! filters, run through [`crate::pipeline::evaluate_directory`] (as `plan` runs it). OLD's
//! run gives who is in scope and active now, the accounts Entra manages; NEW's run
//! starts from exactly those accounts as a target state, so its actions and deletion
//! threshold (S27) are Entra's for the cycle that saving NEW starts. Every user whose
//! scope differs is kept with its action and the reasons on both sides, and the gains
//! and losses are broken down by department, company and country.

use super::structure::{filter_changes, setting_changes};
use super::{
    AppDiff, Breakdown, BreakdownRow, Change, ChangedUser, Diff, DiffOptions, Selection, Side,
    Threshold, Which, pair_files, pair_stages,
};
use crate::diag::{Code, Diagnostic, Errors};
use crate::directory::Directory;
use crate::directory::assignments::{TargetAccount, TargetState};
use crate::pipeline::{Options, evaluate_directory};
use crate::rollout::reason::Reasons;
use crate::rollout::{Action, RolloutInputs, RolloutOptions};
use crate::rules::resolve::stage_view;
use crate::rules::{App, FilterSet, RuleSet, Stage};
use std::collections::BTreeMap;

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
    let pipeline_options = Options {
        eval: options.eval,
        rollout: RolloutOptions {
            threshold_boundary: options.boundary,
            ..RolloutOptions::default()
        },
    };
    let base = RolloutInputs {
        target_states: &[],
        ..inputs
    };
    // OLD: who is in scope and active now, i.e. managed.
    let before_rules = single_stage(before);
    let before_run = evaluate_directory(&before_rules, dir, base, pipeline_options)
        .map_err(|e| (Which::Before, e))?;
    let before_sim = &before_run.rollout;
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
    let after_run = evaluate_directory(
        &after_rules,
        dir,
        RolloutInputs {
            target_states: &managed,
            ..base
        },
        pipeline_options,
    )
    .map_err(|e| (Which::After, e))?;
    let after_sim = &after_run.rollout;
    let (Some(aapp), Some(astage)) = (
        after_sim.apps.first(),
        after_sim.apps.first().and_then(|a| a.stages.first()),
    ) else {
        return Err((
            Which::After,
            Diagnostic::error(Code::Internal, "the later rules gave no stage to compare").into(),
        ));
    };

    let before_reasons = Reasons {
        plan: &before_run.plan,
        outcomes: &before_run.outcomes,
        dir,
        group_members: inputs.group_members,
    };
    let after_reasons = Reasons {
        plan: &after_run.plan,
        outcomes: &after_run.outcomes,
        dir,
        group_members: inputs.group_members,
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
            reason_before: before_reasons.reason(bapp, bstage, row),
            reason_after: after_reasons.reason(aapp, astage, row),
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
