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
//!
//! The module follows the comparison: [`pairing`] chooses the two sides (apps by name
//! across two files, or two stages of one app), [`compute`] runs them and collects the
//! users whose scope changes, [`structure`] compares the filters and settings as
//! written, [`render`] prints the result (text, JSON, the `--report` CSV), [`html`]
//! builds its audit page and [`output`] decides what the command writes. This file
//! holds the data model they share.

pub mod compute;
pub mod html;
pub mod output;
pub mod pairing;
pub mod render;
pub mod request;
pub mod stream;
pub mod structure;

pub use compute::{BREAKDOWN_ATTRIBUTES, PairError, columns, compare, compare_with, diff_sides};
pub use pairing::{Pairing, pair_files, pair_stages};
pub use render::{
    REPORT_COLUMNS, TextOptions, render_text, stage_report, to_json, write_report_csv,
};
pub use structure::filter_changes;

use crate::diag::Diagnostic;
use crate::eval::EvalOptions;
use crate::rollout::{Action, ThresholdBoundary};
use crate::rules::{App, FilterKind, RuleSet};
use serde::Serialize;
use std::collections::BTreeMap;

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
