//! One user's provisioning, step by step, as Entra's on-demand provisioning shows it (S29):
//! import (the attributes read), scope (active? assigned, and how? each filter and clause
//! with the user's value), match (managed already?), and the action at each stage.
//!
//! Built as data first (serializable, for `--format json`) and rendered as text second.

use crate::directory::Directory;
use crate::directory::assignments::PrincipalType;
use crate::eval::Plan;
use crate::eval::explain::{FilterTrace, trace, write_filter_traces};
use crate::rollout::reason::match_step;
use crate::rollout::{AccountState, Action, Candidacy, Rollout, RolloutInputs, Why};
use crate::rules::FlowTypes;
use crate::value::parse_bool;
use serde::Serialize;
use std::fmt::Write;

/// The formats of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    /// The steps as on-demand provisioning shows them (control characters escaped).
    Text,
    /// The explanation as data.
    Json,
}

/// The explanation in `format`.
pub fn render(e: &Explanation, format: ExplainFormat) -> String {
    match format {
        ExplainFormat::Json => serde_json::to_string_pretty(e).unwrap_or_default() + "\n",
        ExplainFormat::Text => crate::text::escape_control(&render_text(e)).into_owned(),
    }
}

/// The explanation in `format` with more under `key` (another stage's view of the user,
/// such as the logged outcome from `explain --logs`): its JSON value and its lines.
pub fn render_with(
    e: &Explanation,
    format: ExplainFormat,
    more: Option<(&str, serde_json::Value, &str)>,
) -> String {
    let Some((key, json, text)) = more else {
        return render(e, format);
    };
    match format {
        ExplainFormat::Json => {
            let mut v = serde_json::to_value(e).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.insert(key.to_string(), json);
            }
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        ExplainFormat::Text => crate::text::escape_control(&(render_text(e) + text)).into_owned(),
    }
}

/// The whole explanation.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// The user's UPN.
    pub user_principal_name: Option<String>,
    /// The user's objectId.
    pub object_id: Option<String>,
    /// Step 1: non-null attributes, as read and mapped (S1, S3).
    pub attributes: Vec<(String, String)>,
    /// Step 2: active in the source system (S25).
    pub active: bool,
    /// Why active or not.
    pub active_reason: String,
    /// Per app.
    pub apps: Vec<AppExplanation>,
}

/// One app.
#[derive(Debug, Clone, Serialize)]
pub struct AppExplanation {
    /// Name.
    pub app: String,
    /// `assigned` or `all`.
    pub scope: String,
    /// Candidacy (S24).
    pub candidacy: Candidacy,
    /// How the user is (or is not) assigned, in words.
    pub assignment: String,
    /// The user object mapping is enabled (S33).
    pub mapping_enabled: bool,
    /// Its flow types (S33).
    pub flows: FlowTypes,
    /// The matching attributes, in the order Entra tries them (S32).
    pub matching: Vec<String>,
    /// Stages.
    pub stages: Vec<StageExplanation>,
}

/// One stage.
#[derive(Debug, Clone, Serialize)]
pub struct StageExplanation {
    /// Name.
    pub stage: String,
    /// Scoping filters with each clause.
    pub filters: Vec<FilterTrace>,
    /// Input and category filters.
    pub input_filters: Vec<FilterTrace>,
    /// Passes the filters.
    pub passes_filters: bool,
    /// Candidate and passes the filters (S26).
    pub in_scope: bool,
    /// Managed before this cycle: `enabled`, `disabled`, `pre-existing` (an account Entra
    /// does not manage, S31) or `no`.
    pub managed_before: String,
    /// Step 5 in words: the account and what matching finds (S31, S32).
    pub matching: String,
    /// The action.
    pub action: Action,
    /// Why, as a code.
    pub why: Why,
    /// Held by the deletion threshold (S27).
    pub held: bool,
    /// Step 7, for a create or update of an app with attribute mappings: what Entra would
    /// send (S40), as on-demand provisioning's "Perform action" step lists it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<PayloadStep>,
}

/// What Entra would send for one create or update (S40).
#[derive(Debug, Clone, Serialize)]
pub struct PayloadStep {
    /// For an update: `would-change`, `no-change` (skipped, `RedundantExport`) or
    /// `unknown`; `None` for a create.
    pub change: Option<&'static str>,
    /// The attributes sent and their values (`"text"`, `["a", "b"]`), in mapping order,
    /// and whether the value is the mapping's default.
    pub attributes: Vec<(String, String, bool)>,
    /// For an update: target attribute, old value, new value.
    pub changes: Vec<(String, String, String)>,
    /// Predicted failures: Entra's error code and what fails.
    pub failures: Vec<(String, String)>,
    /// Limits of the prediction, ED-FUNC's Switch bug.
    pub notes: Vec<String>,
}

/// Adds step 7 to the stages of `e` that `payloads` (one user's, from
/// [`crate::pipeline::payloads::user_payloads`]) have a payload for.
pub fn add_payloads(e: &mut Explanation, payloads: &[crate::pipeline::payloads::UserPayload]) {
    use crate::mapping::Current;
    let shown = |c: &Current| match c {
        Current::Unknown => "unknown".to_string(),
        Current::Null => "NULL".to_string(),
        Current::Str(s) => crate::mapping::value::quote(s),
        Current::List(l) => crate::mapping::Value::List(l.clone()).display(),
    };
    for app in &mut e.apps {
        for st in &mut app.stages {
            let Some(up) = payloads
                .iter()
                .find(|p| p.app == app.app && p.stage == st.stage)
            else {
                continue;
            };
            let p = &up.payload;
            st.payload = Some(PayloadStep {
                change: match p.state {
                    crate::mapping::ChangeState::Create => None,
                    s => Some(s.as_str()),
                },
                attributes: p
                    .attributes
                    .iter()
                    .map(|a| (a.target.clone(), a.value.display(), a.default))
                    .collect(),
                changes: p
                    .changes
                    .iter()
                    .map(|c| (c.target.clone(), shown(&c.old), c.new.display()))
                    .collect(),
                failures: p
                    .failures
                    .iter()
                    .map(|f| (f.code.to_string(), f.message.clone()))
                    .collect(),
                notes: p.notes.clone(),
            });
        }
    }
}

/// Explains user `row`, narrowed by app and stage names.
pub fn explain_user(
    plan: &Plan,
    dir: &Directory,
    rollout: &Rollout,
    inputs: RolloutInputs<'_>,
    row: usize,
    app: Option<&str>,
    stage: Option<&str>,
) -> Explanation {
    let enabled = dir.value_by_name(row, "accountEnabled");
    let soft_deleted = dir.value_by_name(row, "IsSoftDeleted").and_then(parse_bool) == Some(true);
    let active = rollout.active.get(row);
    let active_reason = match (enabled, parse_bool(enabled.unwrap_or(""))) {
        _ if soft_deleted => "soft-deleted in Entra (IsSoftDeleted is true)".to_string(),
        (None, _) => {
            "accountEnabled is null: treated as active (S25, a scopesim decision)".to_string()
        }
        (Some(v), Some(true)) => format!("accountEnabled is {v:?}"),
        (Some(v), Some(false)) => {
            format!("accountEnabled is {v:?}: disabled users are never created (S25)")
        }
        (Some(v), None) => format!(
            "accountEnabled is {v:?}, neither true, false nor null: treated as not active, never created (S25)"
        ),
    };
    let ids: Vec<String> = ["objectId", "userPrincipalName"]
        .iter()
        .filter_map(|c| dir.value_by_name(row, c))
        .map(str::to_string)
        .collect();
    let mut apps = Vec::new();
    for a in rollout
        .apps
        .iter()
        .filter(|a| app.is_none_or(|n| n == a.name))
    {
        let candidacy = a.candidacy(row);
        let assignment = assignment_text(&a.name, candidacy, &ids, inputs);
        let mut stages = Vec::new();
        for s in a
            .stages
            .iter()
            .filter(|s| stage.is_none_or(|n| n == s.name))
        {
            let t = trace(plan, dir, row, s.stage);
            let action = s.action(row);
            stages.push(StageExplanation {
                stage: s.name.clone(),
                passes_filters: t.passes_scoping && t.passes_input,
                filters: t.scoping,
                input_filters: t.input,
                in_scope: s.in_scope_users.get(row),
                managed_before: match s.account_before(row) {
                    AccountState::Enabled => "enabled".into(),
                    AccountState::Disabled => "disabled".into(),
                    AccountState::PreExisting => "pre-existing".into(),
                    AccountState::NoAccount => "no".into(),
                },
                matching: match_step(a, s, row),
                action,
                why: s.why(row),
                held: s.held && matches!(action, Action::Disable | Action::Delete),
                payload: None,
            });
        }
        apps.push(AppExplanation {
            app: a.name.clone(),
            scope: a.scope.as_str().to_string(),
            candidacy,
            assignment,
            mapping_enabled: a.settings.mapping_enabled,
            flows: a.settings.flows,
            matching: a
                .matching
                .attributes
                .iter()
                .map(|m| m.source.clone())
                .collect(),
            stages,
        });
    }
    Explanation {
        user_principal_name: dir
            .value_by_name(row, "userPrincipalName")
            .map(str::to_string),
        object_id: dir.value_by_name(row, "objectId").map(str::to_string),
        attributes: dir
            .record(row)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        active,
        active_reason,
        apps,
    }
}

fn assignment_text(app: &str, c: Candidacy, ids: &[String], inputs: RolloutInputs<'_>) -> String {
    let groups = inputs.group_members;
    let name = |g: &str| -> String {
        match groups.and_then(|m| m.display_name(g)) {
            Some(n) => format!("{n:?} ({g})"),
            None => format!("`{g}`"),
        }
    };
    let assigned_groups: Vec<&str> = inputs
        .assignments
        .map(|a| {
            a.items
                .iter()
                .filter(|x| x.app == app && x.principal_type == PrincipalType::Group)
                .map(|x| x.principal_id.as_str())
                .collect()
        })
        .unwrap_or_default();
    let direct_groups = |id: &str| -> Vec<String> {
        groups
            .map(|g| {
                g.groups_of(id)
                    .iter()
                    .filter(|x| assigned_groups.iter().any(|a| a.eq_ignore_ascii_case(x)))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    };
    match c {
        Candidacy::SyncAll => "scope is `all`: every user is a candidate".to_string(),
        Candidacy::Direct => "assigned to the app directly".to_string(),
        Candidacy::ViaGroup => {
            let via: Vec<String> = ids
                .iter()
                .flat_map(|id| direct_groups(id))
                .map(|g| name(&g))
                .collect();
            format!("assigned through group {}", via.join(", "))
        }
        Candidacy::NestedOnly => {
            let mut path = String::new();
            if let Some(g) = groups {
                'outer: for id in ids {
                    for nested in g.groups_of(id) {
                        if let Some(parent) = g.groups_of(nested).first() {
                            path = format!(
                                " (member of {} inside assigned group {})",
                                name(nested),
                                name(parent)
                            );
                            break 'outer;
                        }
                    }
                }
            }
            format!(
                "only a member of a nested group{path}: not a candidate, Entra provisions direct members of assigned groups only (S24)"
            )
        }
        Candidacy::NotAssigned => {
            "not assigned to the app, directly or through a group".to_string()
        }
    }
}

/// Renders the explanation as text.
pub fn render_text(e: &Explanation) -> String {
    let mut s = String::new();
    let who = e
        .user_principal_name
        .as_deref()
        .or(e.object_id.as_deref())
        .unwrap_or("?");
    let _ = writeln!(
        s,
        "User {who}{}",
        e.object_id
            .as_ref()
            .map(|o| format!(" (objectId {o})"))
            .unwrap_or_default()
    );
    let _ = writeln!(s, "\n1. Import: attributes read");
    let width = e.attributes.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in &e.attributes {
        let _ = writeln!(s, "   {k:width$}  {v:?}");
    }
    let _ = writeln!(
        s,
        "\n2. Active in source system: {} ({})",
        if e.active { "yes" } else { "no" },
        e.active_reason
    );
    for a in &e.apps {
        let _ = writeln!(s, "\nApp {:?} (scope: {})", a.app, a.scope);
        // S33: the object mapping's own settings, when they are not the defaults
        if !a.mapping_enabled {
            let _ = writeln!(
                s,
                "   object mapping: disabled (`enabled: false`): Entra does nothing for this app"
            );
        }
        if a.flows != FlowTypes::default() {
            let f = a.flows;
            let on: Vec<&str> = [("Add", f.add), ("Update", f.update), ("Delete", f.delete)]
                .iter()
                .filter(|(_, on)| *on)
                .map(|(n, _)| *n)
                .collect();
            let _ = writeln!(
                s,
                "   flow types: {}",
                if on.is_empty() {
                    "none".to_string()
                } else {
                    on.join(", ")
                }
            );
        }
        let _ = writeln!(s, "3. Assigned: {}", a.assignment);
        for st in &a.stages {
            let _ = writeln!(s, "   Stage {:?}", st.stage);
            if st.filters.is_empty() && st.input_filters.is_empty() {
                let _ = writeln!(s, "     4. Scoping filters: none, every candidate passes");
            } else {
                let _ = writeln!(
                    s,
                    "     4. Scoping filters (a filter matches when all its clauses hold; any filter will do)"
                );
            }
            write_filter_traces(
                &mut s,
                &st.filters,
                &st.input_filters,
                ("matched", "did not match"),
            );
            let _ = writeln!(
                s,
                "        in scope: {}",
                if st.in_scope { "yes" } else { "no" }
            );
            let _ = writeln!(s, "     5. Match: {}", st.matching);
            let held = if st.held {
                " — HELD by the deletion threshold (S27)"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "     6. Action: {} ({}){held}",
                st.action.as_str(),
                why_text(st.why)
            );
            if let Some(p) = &st.payload {
                write_payload(&mut s, p);
            }
        }
    }
    s
}

/// Step 7: the attributes Entra would send (S40).
fn write_payload(s: &mut String, p: &PayloadStep) {
    let head = match p.change {
        None => "Entra would send",
        Some("would-change") => "Entra would send (the account changes)",
        Some("no-change") => {
            "nothing changes: Entra skips the update (RedundantExport); the values it compares"
        }
        Some(_) => "Entra would send (whether the account changes is unknown)",
    };
    let _ = writeln!(s, "     7. Perform action: {head}");
    let width = p.attributes.iter().map(|a| a.0.len()).max().unwrap_or(0);
    for (k, v, default) in &p.attributes {
        let d = if *default { "  (default value)" } else { "" };
        let _ = writeln!(s, "          {k:width$}  {v}{d}");
    }
    for (k, old, new) in &p.changes {
        let _ = writeln!(s, "        changes {k}: {old} -> {new}");
    }
    for (code, message) in &p.failures {
        let _ = writeln!(s, "        fails: {code}: {message}");
    }
    for n in &p.notes {
        let _ = writeln!(s, "        note: {n}");
    }
}

fn why_text(w: Why) -> &'static str {
    match w {
        Why::NotAssigned => "not assigned: not evaluated",
        Why::Provisionable => "in scope and active",
        Why::ReEnabled => "in scope again: re-enabled",
        Why::FilterFailed => "no scoping filter matches any more",
        Why::Unassigned => "no longer assigned",
        Why::Inactive => "disabled or soft-deleted in Entra",
        Why::NotInScope => "no scoping filter matches",
        Why::InactiveNotCreated => "disabled in Entra, so never created",
        Why::InputFilter => "fails an input filter: skipped, never deprovisioned",
        Why::KeptBySkipSetting => "out of scope, kept by SkipOutOfScopeDeletions",
        Why::AlreadyDisabled => "out of scope and already disabled",
        Why::NestedOnly => "member of a nested group only",
        Why::HardDeleted => "hard-deleted",
        Why::DeleteFlowOff => "hard-deleted, Delete flow off",
        Why::InactiveAlreadyDisabled => {
            "in scope, but disabled or soft-deleted in Entra; the account is already disabled"
        }
        Why::Matched => {
            "in scope and active: matched the app's existing account, managed from now on (S32)"
        }
        Why::PreExisting => "exists in the app, not managed by Entra: never disabled or deleted",
        Why::DuplicateSource => {
            "matching fails: several users match one account (DuplicateSourceEntries)"
        }
        Why::DuplicateTarget => {
            "matching fails: the value matches several accounts (DuplicateTargetEntries)"
        }
        Why::ImportSkipped => "no value for the matching attribute (ImportSkipped)",
        Why::AddFlowOff => "would be created, but the Add flow is off (S33)",
        Why::UpdateFlowOff => "would be updated, but the Update flow is off (S33)",
        Why::MatchFlowOff => "would be matched and updated, but the Update flow is off (S33)",
        Why::DisableFlowOff => "would be disabled, but the Delete flow is off (S33)",
        Why::MappingDisabled => "the object mapping is disabled: Entra does nothing (S33)",
    }
}
