//! The rollout engine against the spec: S23–S29 and every row of the action table (S31–S33
//! and S36 are in `accounts.rs`).

use crate::common::rules;
use scopesim::directory::assignments::{
    Assignment, Assignments, GroupMembers, Member, PrincipalType, TargetState, read_target_state,
};
use scopesim::directory::{Directory, from_rows};
use scopesim::eval::{EvalOptions, compile, evaluate};
use scopesim::rollout::{
    Action, Candidacy, Rollout, RolloutInputs, RolloutOptions, ThresholdBoundary, Why, simulate,
};

pub fn user(
    id: &'static str,
    dept: &'static str,
    enabled: &'static str,
) -> Vec<(&'static str, &'static str)> {
    vec![
        ("objectId", id),
        (
            "userPrincipalName",
            Box::leak(format!("{id}@contoso.com").into_boxed_str()),
        ),
        ("department", dept),
        ("accountEnabled", enabled),
    ]
}

pub fn assign(app: &str, items: &[(PrincipalType, &str)]) -> Assignments {
    Assignments {
        items: items
            .iter()
            .enumerate()
            .map(|(i, (t, id))| Assignment {
                app: app.into(),
                principal_type: *t,
                principal_id: (*id).into(),
                line: i as u64 + 2,
            })
            .collect(),
        inputs: vec![],
    }
}

/// A target-state export as an app writes it, read by the real reader.
pub fn target_csv(app: &str, text: &str, match_on: Option<&str>) -> TargetState {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("target.csv");
    std::fs::write(&p, text).unwrap();
    read_target_state(app, &p, match_on).unwrap_or_else(|e| panic!("{e:#?}"))
}

/// Accounts Entra manages (a `managed` column, S31), by `userName`.
pub fn managed(app: &str, keys: &[(&str, Option<bool>)]) -> TargetState {
    let mut t = String::from("userName,active,managed\n");
    for (k, a) in keys {
        let a = a.map_or("", |b| if b { "true" } else { "false" });
        t.push_str(&format!("{k},{a},true\n"));
    }
    target_csv(app, &t, None)
}

pub struct Sim {
    pub rollout: Rollout,
    pub dir: Directory,
}

pub fn sim(text: &str, dir: Directory, inputs: RolloutInputs<'_>, options: RolloutOptions) -> Sim {
    let l = rules(text);
    let plan = compile(&l.rules, &dir, EvalOptions::default()).unwrap();
    let out = evaluate(&plan, &dir);
    let rollout =
        simulate(&l.rules, &plan, &out, &dir, inputs, options).unwrap_or_else(|e| panic!("{e:#?}"));
    Sim { rollout, dir }
}

impl Sim {
    pub fn action(&self, stage: usize, row: usize) -> (Action, Why) {
        let s = &self.rollout.apps[0].stages[stage];
        (s.action(row), s.why(row))
    }
}

pub const ALL_TWO_STAGES: &str = "app \"A\" {\n scope all\n stage \"it\" { filter \"IT\" { department EQUALS \"IT\" } }\n stage \"sales\" { filter \"Sales\" { department EQUALS \"Sales\" } }\n}\n";

#[test]
fn action_table_no_provisionable_creates() {
    let s = sim(
        ALL_TWO_STAGES,
        from_rows([user("1", "IT", "True")]),
        RolloutInputs::default(),
        RolloutOptions::default(),
    );
    assert_eq!(s.action(0, 0), (Action::Create, Why::Provisionable));
}

#[test]
fn action_table_managed_and_provisionable_is_updated_and_re_enabled() {
    let text = "app \"A\" {\n scope all\n stage \"a\" { filter \"IT\" { department EQUALS \"IT\" } }\n stage \"b\" { filter \"HR\" { department EQUALS \"HR\" } }\n stage \"c\" { filter \"IT\" { department EQUALS \"IT\" } }\n}\n";
    let s = sim(
        text,
        from_rows([user("1", "IT", "True")]),
        RolloutInputs::default(),
        RolloutOptions::default(),
    );
    assert_eq!(s.action(0, 0).0, Action::Create);
    assert_eq!(s.action(1, 0), (Action::Disable, Why::FilterFailed));
    assert_eq!(s.action(2, 0), (Action::Update, Why::ReEnabled));
    // and managed from a target-state export: update
    let ts = [managed("A", &[("1@contoso.com", Some(true))])];
    let s = sim(
        text,
        from_rows([user("1", "IT", "True")]),
        RolloutInputs {
            target_states: &ts,
            ..Default::default()
        },
        RolloutOptions::default(),
    );
    assert_eq!(s.action(0, 0), (Action::Update, Why::Provisionable));
    assert_eq!(s.rollout.apps[0].managed_at_start, 1);
}

#[test]
fn action_table_managed_and_out_of_scope_is_disabled() {
    let s = sim(
        ALL_TWO_STAGES,
        from_rows([user("1", "IT", "True")]),
        RolloutInputs::default(),
        RolloutOptions::default(),
    );
    assert_eq!(s.action(1, 0), (Action::Disable, Why::FilterFailed));
    assert!(!s.rollout.apps[0].stages[1].in_scope_users.get(0));
}

#[test]
fn action_table_skip_out_of_scope_deletions_keeps_the_account() {
    let text = ALL_TWO_STAGES.replace("scope all", "scope all\n skip_out_of_scope_deletions true");
    let s = sim(
        &text,
        from_rows([user("1", "IT", "True")]),
        RolloutInputs::default(),
        RolloutOptions::default(),
    );
    assert_eq!(s.action(1, 0), (Action::Skip, Why::KeptBySkipSetting));
    assert_eq!(s.rollout.apps[0].stages[1].counts.disable, 0);
}

#[test]
fn action_table_managed_in_scope_but_inactive_is_disabled_even_with_skip_setting() {
    let text = "app \"A\" {\n scope all\n skip_out_of_scope_deletions true\n filter \"IT\" { department EQUALS \"IT\" }\n}\n";
    let ts = [managed("A", &[("1@contoso.com", None)])];
    let s = sim(
        text,
        from_rows([user("1", "IT", "False")]),
        RolloutInputs {
            target_states: &ts,
            ..Default::default()
        },
        RolloutOptions::default(),
    );
    assert_eq!(s.action(0, 0), (Action::Disable, Why::Inactive));
}

#[test]
fn action_table_gone_from_the_export_is_deleted_if_the_delete_flow_is_on() {
    let ts = [managed(
        "A",
        &[("1@contoso.com", None), ("gone@contoso.com", None)],
    )];
    let s = sim(
        ALL_TWO_STAGES,
        from_rows([user("1", "IT", "True")]),
        RolloutInputs {
            target_states: &ts,
            ..Default::default()
        },
        RolloutOptions::default(),
    );
    let app = &s.rollout.apps[0];
    assert_eq!(app.orphans.len(), 1);
    assert_eq!(
        app.stages[0].orphan_actions[0],
        (Action::Delete, Why::HardDeleted)
    );
    assert_eq!(app.stages[0].counts.delete, 1);
    // deleted once: nothing more at the next stage
    assert_eq!(app.stages[1].orphan_actions[0].0, Action::None);
    let text = ALL_TWO_STAGES.replace("scope all", "scope all\n flow_types \"Add, Update\"");
    let s = sim(
        &text,
        from_rows([user("1", "IT", "True")]),
        RolloutInputs {
            target_states: &ts,
            ..Default::default()
        },
        RolloutOptions::default(),
    );
    assert_eq!(
        s.rollout.apps[0].stages[0].orphan_actions[0],
        (Action::None, Why::DeleteFlowOff),
        "S33: a suppressed delete does nothing"
    );
    assert_eq!(s.rollout.apps[0].stages[0].counts.suppressed, 1);
}

#[test]
fn action_table_not_managed_and_not_provisionable_is_skipped_with_the_reason() {
    let dir = from_rows([
        user("1", "HR", "True"),
        user("2", "IT", "False"),
        user("3", "IT", "True"),
    ]);
    let a = assign(
        "A",
        &[(PrincipalType::User, "1"), (PrincipalType::User, "2")],
    );
    let text = "app \"A\" {\n filter \"IT\" { department EQUALS \"IT\" }\n}\n";
    let s = sim(
        text,
        dir,
        RolloutInputs {
            assignments: Some(&a),
            ..Default::default()
        },
        RolloutOptions::default(),
    );
    assert_eq!(s.action(0, 0), (Action::Skip, Why::NotInScope), "filter");
    assert_eq!(
        s.action(0, 1),
        (Action::Skip, Why::InactiveNotCreated),
        "inactive"
    );
    assert_eq!(
        s.action(0, 2),
        (Action::None, Why::NotAssigned),
        "not a candidate"
    );
    assert_eq!(s.rollout.apps[0].stages[0].counts.skip, 2);
}

#[test]
fn s23_input_filter_failures_are_skipped_and_never_deprovisioned() {
    let text = "app \"A\" {\n scope all\n stage \"a\" { filter \"all\" { department IS NOT NULL } }\n stage \"b\" {\n  filter \"all\" { department IS NOT NULL }\n  input_filter \"not HR\" { department NOT EQUALS \"HR\" }\n }\n}\n";
    let s = sim(
        text,
        from_rows([user("1", "HR", "True"), user("2", "IT", "True")]),
        RolloutInputs::default(),
        RolloutOptions::default(),
    );
    assert_eq!(s.action(0, 0).0, Action::Create);
    assert_eq!(
        s.action(1, 0),
        (Action::Skip, Why::InputFilter),
        "kept, not disabled"
    );
    assert_eq!(s.action(1, 1), (Action::Update, Why::Provisionable));
}

#[test]
fn s24_only_direct_members_of_assigned_groups_are_candidates() {
    let dir = from_rows([
        user("u1", "IT", "True"),
        user("u2", "IT", "True"),
        user("u3", "IT", "True"),
        user("u4", "IT", "True"),
    ]);
    let a = assign(
        "A",
        &[
            (PrincipalType::Group, "g1"),
            (PrincipalType::User, "u4@contoso.com"),
        ],
    );
    let g = GroupMembers::from_edges([
        (
            "g1".to_string(),
            Member {
                id: "u1".into(),
                kind: PrincipalType::User,
            },
        ),
        (
            "g1".to_string(),
            Member {
                id: "g2".into(),
                kind: PrincipalType::Group,
            },
        ),
        (
            "g2".to_string(),
            Member {
                id: "u2".into(),
                kind: PrincipalType::User,
            },
        ),
        (
            "g2".to_string(),
            Member {
                id: "u1".into(),
                kind: PrincipalType::User,
            },
        ),
    ]);
    let text = "app \"A\" {\n stage \"everyone\" { }\n}\n";
    let s = sim(
        text,
        dir,
        RolloutInputs {
            assignments: Some(&a),
            group_members: Some(&g),
            ..Default::default()
        },
        RolloutOptions::default(),
    );
    let app = &s.rollout.apps[0];
    assert_eq!(
        app.candidacy(0),
        Candidacy::ViaGroup,
        "direct member (also nested) is a candidate"
    );
    assert_eq!(
        app.candidacy(1),
        Candidacy::NestedOnly,
        "nested only: not a candidate"
    );
    assert_eq!(app.candidacy(2), Candidacy::NotAssigned);
    assert_eq!(app.candidacy(3), Candidacy::Direct, "assigned by UPN");
    assert_eq!(s.action(0, 1), (Action::Skip, Why::NestedOnly));
    assert_eq!(app.stages[0].candidates, 2);
    assert_eq!(app.stages[0].counts.create, 2);
}

#[test]
fn s24_assignment_by_object_id_or_upn_ignores_case() {
    let dir = from_rows([user("AbC", "IT", "True"), user("def", "IT", "True")]);
    let a = assign(
        "A",
        &[
            (PrincipalType::User, "abc"),
            (PrincipalType::User, "DEF@CONTOSO.COM"),
            (PrincipalType::User, "nobody"),
        ],
    );
    let s = sim(
        "app \"A\" { }\n",
        dir,
        RolloutInputs {
            assignments: Some(&a),
            ..Default::default()
        },
        RolloutOptions::default(),
    );
    let app = &s.rollout.apps[0];
    assert_eq!(
        (app.candidacy(0), app.candidacy(1)),
        (Candidacy::Direct, Candidacy::Direct)
    );
    assert!(
        s.rollout
            .warnings
            .iter()
            .any(|w| w.code == "unknown-principal" && w.message.contains("nobody"))
    );
}

#[test]
fn s24_assigned_scope_without_assignments_is_an_error_that_says_what_to_pass() {
    let l = rules("app \"A\" { }\n");
    let dir = from_rows([user("1", "IT", "True")]);
    let plan = compile(&l.rules, &dir, EvalOptions::default()).unwrap();
    let out = evaluate(&plan, &dir);
    let e = simulate(
        &l.rules,
        &plan,
        &out,
        &dir,
        RolloutInputs::default(),
        RolloutOptions::default(),
    )
    .unwrap_err();
    assert!(e[0].help.as_deref().unwrap_or("").contains("--assignments"));
}

#[test]
fn s24_sync_all_makes_everyone_a_candidate() {
    let s = sim(
        ALL_TWO_STAGES,
        from_rows([user("1", "HR", "True"), user("2", "IT", "True")]),
        RolloutInputs::default(),
        RolloutOptions::default(),
    );
    assert_eq!(s.rollout.apps[0].stages[0].candidates, 2);
    assert_eq!(s.action(0, 0), (Action::Skip, Why::NotInScope));
}

#[test]
fn s25_inactive_users_are_never_created_and_null_account_enabled_is_active_with_a_warning() {
    let s = sim(
        ALL_TWO_STAGES,
        from_rows([
            user("1", "IT", "False"),
            user("2", "IT", ""),
            user("3", "IT", "true"),
        ]),
        RolloutInputs::default(),
        RolloutOptions::default(),
    );
    assert_eq!(s.action(0, 0), (Action::Skip, Why::InactiveNotCreated));
    assert_eq!(s.action(0, 1).0, Action::Create);
    assert_eq!(s.action(0, 2).0, Action::Create);
    let w: Vec<_> = s
        .rollout
        .warnings
        .iter()
        .filter(|w| w.rule == Some("S25"))
        .collect();
    assert_eq!(w.len(), 1);
    assert!(w[0].message.starts_with("1 user has"), "{}", w[0].message);
    // soft-deleted users are inactive too
    let mut u = user("4", "IT", "True");
    u.push(("IsSoftDeleted", "True"));
    let s = sim(
        ALL_TWO_STAGES,
        from_rows([u]),
        RolloutInputs::default(),
        RolloutOptions::default(),
    );
    assert_eq!(s.action(0, 0), (Action::Skip, Why::InactiveNotCreated));
    assert!(!s.rollout.active.get(0));
    let _ = &s.dir;
}

#[test]
fn s26_in_scope_is_candidate_and_filters_provisionable_adds_active() {
    let dir = from_rows([
        user("1", "IT", "False"),
        user("2", "IT", "True"),
        user("3", "HR", "True"),
    ]);
    let a = assign(
        "A",
        &[(PrincipalType::User, "1"), (PrincipalType::User, "3")],
    );
    let s = sim(
        "app \"A\" { filter \"IT\" { department EQUALS \"IT\" } }\n",
        dir,
        RolloutInputs {
            assignments: Some(&a),
            ..Default::default()
        },
        RolloutOptions::default(),
    );
    let st = &s.rollout.apps[0].stages[0];
    assert_eq!(
        st.in_scope_users.ones_iter().collect::<Vec<_>>(),
        vec![0],
        "assigned and IT; user 2 is IT but not assigned"
    );
    assert_eq!(st.counts.create, 0, "user 1 is in scope but inactive");
}

fn threshold_case(boundary: ThresholdBoundary, threshold: u64) -> Sim {
    let text = format!(
        "app \"A\" {{\n scope all\n deletion_threshold {threshold}\n stage \"all\" {{ }}\n stage \"IT only\" {{ filter \"IT\" {{ department EQUALS \"IT\" }} }}\n stage \"again\" {{ filter \"IT\" {{ department EQUALS \"IT\" }} }}\n}}\n"
    );
    let dir = from_rows([
        user("1", "IT", "True"),
        user("2", "HR", "True"),
        user("3", "HR", "True"),
    ]);
    sim(
        &text,
        dir,
        RolloutInputs::default(),
        RolloutOptions {
            threshold_boundary: boundary,
            ..RolloutOptions::default()
        },
    )
}

#[test]
fn s27_deletion_threshold_holds_a_stage_over_it_with_gt_by_default() {
    // stage 2 disables 2 accounts
    let s = threshold_case(ThresholdBoundary::Gt, 2);
    assert!(!s.rollout.apps[0].stages[1].held, "2 > 2 is false");
    let s = threshold_case(ThresholdBoundary::Gt, 1);
    assert!(s.rollout.apps[0].stages[1].held, "2 > 1");
    assert!(
        s.rollout
            .warnings
            .iter()
            .any(|w| w.rule == Some("S27") && w.message.contains("TooManyDeletes"))
    );
    // held disables were not applied: the next cycle tries again
    assert_eq!(s.action(2, 1), (Action::Disable, Why::FilterFailed));
}

#[test]
fn s27_threshold_boundary_ge_holds_when_met() {
    let s = threshold_case(ThresholdBoundary::Ge, 2);
    assert!(s.rollout.apps[0].stages[1].held, "2 >= 2");
    let s = threshold_case(ThresholdBoundary::Ge, 3);
    assert!(!s.rollout.apps[0].stages[1].held);
    // not held: applied, so the next cycle has nothing left to disable
    assert_eq!(s.action(2, 1), (Action::Skip, Why::AlreadyDisabled));
}

#[test]
fn s27_no_threshold_unless_set() {
    let s = sim(
        ALL_TWO_STAGES,
        from_rows((0..600).map(|_| user("x", "IT", "True"))),
        RolloutInputs::default(),
        RolloutOptions::default(),
    );
    assert_eq!(s.rollout.apps[0].stages[1].counts.disable, 600);
    assert!(
        !s.rollout.any_held(),
        "no default of 500: that is Entra Connect's"
    );
}

#[test]
fn s28_each_stage_carries_a_duration_estimate_with_its_source() {
    let dir = from_rows((0..100).map(|_| user("x", "IT", "True")));
    let a = assign("A", &[(PrincipalType::Group, "g1")]);
    let g = GroupMembers::from_edges((0..50).map(|i| {
        (
            "g1".to_string(),
            Member {
                id: format!("m{i}"),
                kind: PrincipalType::User,
            },
        )
    }));
    let s = sim(
        "app \"A\" { }\n",
        dir,
        RolloutInputs {
            assignments: Some(&a),
            group_members: Some(&g),
            ..Default::default()
        },
        RolloutOptions::default(),
    );
    let e = &s.rollout.apps[0].stages[0].estimate;
    assert_eq!(e.basis, 51, "1 group + 50 members");
    assert_eq!((e.min, e.max), (0.51, 4.08));
    assert!(e.source.contains("Microsoft Learn"));
}

#[test]
fn s29_explain_shows_the_on_demand_steps_for_one_user() {
    use scopesim::report::explain::{explain_user, render_text};
    let dir = from_rows([user("u1", "Sales", "True"), user("u2", "IT", "True")]);
    let a = assign("A", &[(PrincipalType::Group, "g1")]);
    let g = GroupMembers::from_edges([
        (
            "g1".to_string(),
            Member {
                id: "u1".into(),
                kind: PrincipalType::User,
            },
        ),
        (
            "g1".to_string(),
            Member {
                id: "u2".into(),
                kind: PrincipalType::User,
            },
        ),
    ]);
    let text = "app \"A\" {\n stage \"it\" { filter \"IT\" { department EQUALS \"IT\" } }\n stage \"all\" { }\n}\n";
    let l = rules(text);
    let plan = compile(&l.rules, &dir, EvalOptions::default()).unwrap();
    let out = evaluate(&plan, &dir);
    let inputs = RolloutInputs {
        assignments: Some(&a),
        group_members: Some(&g),
        ..Default::default()
    };
    let rollout = simulate(
        &l.rules,
        &plan,
        &out,
        &dir,
        inputs,
        RolloutOptions::default(),
    )
    .unwrap();
    let row = dir.find_user("U1@CONTOSO.COM").unwrap();
    let e = explain_user(&plan, &dir, &rollout, inputs, row, None, None);
    // import: the attributes read
    assert!(
        e.attributes
            .iter()
            .any(|(k, v)| k == "department" && v == "Sales")
    );
    // scope: active, assigned (how), each clause with the actual value
    assert!(e.active);
    assert!(
        e.apps[0].assignment.contains("through group `g1`"),
        "{}",
        e.apps[0].assignment
    );
    let st = &e.apps[0].stages[0];
    assert_eq!(st.filters[0].clauses[0].actual.as_deref(), Some("Sales"));
    assert!(!st.in_scope);
    // match and action, stage by stage
    assert_eq!(
        (st.managed_before.as_str(), st.action),
        ("no", Action::Skip)
    );
    let st = &e.apps[0].stages[1];
    assert_eq!(
        (st.managed_before.as_str(), st.action),
        ("no", Action::Create)
    );
    let text = render_text(&e);
    for step in [
        "1. Import",
        "2. Active",
        "3. Assigned",
        "4. Scoping filters",
        "5. Match",
        "6. Action",
    ] {
        assert!(text.contains(step), "{step} missing in\n{text}");
    }
    assert!(
        text.contains("✗ department EQUALS \"IT\"   department = \"Sales\""),
        "{text}"
    );
    // a user that is not found gets the closest matches
    assert_eq!(
        dir.find_user("u3@contoso.com").unwrap_err()[0],
        "u1@contoso.com"
    );
}

#[test]
fn s25_an_account_enabled_that_is_neither_true_false_nor_null_is_not_active() {
    let s = sim(
        ALL_TWO_STAGES,
        from_rows([
            user("1", "IT", "0"),
            user("2", "IT", "yes"),
            user("3", "IT", "1"),
            user("4", "IT", "yes"),
            user("5", "IT", ""),
        ]),
        RolloutInputs::default(),
        RolloutOptions::default(),
    );
    for row in 0..4 {
        assert_eq!(
            s.action(0, row),
            (Action::Skip, Why::InactiveNotCreated),
            "user {row}"
        );
    }
    assert_eq!(
        s.action(0, 4).0,
        Action::Create,
        "null keeps the benefit of the doubt"
    );
    let w = s
        .rollout
        .warnings
        .iter()
        .find(|w| w.code == "unreadable-account-enabled")
        .unwrap();
    assert!(
        w.message.starts_with("4 users have an `accountEnabled` that is neither true, false nor null (e.g. `0`, `yes`, `1`)"),
        "{}",
        w.message
    );
    assert!(
        s.rollout
            .warnings
            .iter()
            .any(|w| w.code == "null-account-enabled")
    );
}

#[test]
fn s27_at_the_threshold_with_ge_the_message_says_reaches() {
    let s = threshold_case(ThresholdBoundary::Ge, 2);
    let w = s
        .rollout
        .warnings
        .iter()
        .find(|w| w.rule == Some("S27"))
        .unwrap();
    assert!(
        w.message
            .contains("2 accounts, reaching the threshold of 2"),
        "{}",
        w.message
    );
    let s = threshold_case(ThresholdBoundary::Gt, 1);
    let w = s
        .rollout
        .warnings
        .iter()
        .find(|w| w.rule == Some("S27"))
        .unwrap();
    assert!(
        w.message.contains("over the threshold of 1"),
        "{}",
        w.message
    );
}

#[test]
fn s28_the_estimate_says_later_cycles_are_incremental() {
    let s = sim(
        ALL_TWO_STAGES,
        from_rows([user("1", "IT", "True")]),
        RolloutInputs::default(),
        RolloutOptions::default(),
    );
    let e = &s.rollout.apps[0].stages[0].estimate;
    assert!(
        e.source
            .contains("later cycles are incremental, about every 40 minutes"),
        "{}",
        e.source
    );
    assert!(e.source.contains("row \"< 1,000\""), "{}", e.source);
}

#[test]
fn s24_a_cycle_in_nested_groups_is_a_warning_that_names_the_groups() {
    let dir = from_rows([user("u1", "IT", "True"), user("u2", "IT", "True")]);
    let a = assign("A", &[(PrincipalType::Group, "g1")]);
    let edge = |g: &str, m: &str, kind| (g.to_string(), Member { id: m.into(), kind });
    let g = GroupMembers::from_edges([
        edge("g1", "u1", PrincipalType::User),
        edge("g1", "g2", PrincipalType::Group),
        edge("g2", "g3", PrincipalType::Group),
        edge("g3", "g2", PrincipalType::Group),
        edge("g3", "u2", PrincipalType::User),
    ]);
    let s = sim(
        "app \"A\" { stage \"s\" { } }\n",
        dir,
        RolloutInputs {
            assignments: Some(&a),
            group_members: Some(&g),
            ..Default::default()
        },
        RolloutOptions::default(),
    );
    let w = s
        .rollout
        .warnings
        .iter()
        .find(|w| w.code == "group-cycle")
        .unwrap();
    assert!(w.message.contains("`g2` → `g3` → `g2`"), "{}", w.message);
    assert_eq!(s.rollout.apps[0].candidacy(1), Candidacy::NestedOnly);
}

/// 100,000 groups nested in a chain below the assigned group, with a user at the bottom.
fn deep_chain(dir: &std::path::Path, depth: usize) -> std::path::PathBuf {
    let mut t = String::from("groupId,memberId,memberType\n");
    t.push_str("g0,146de049-11a3-55e3-9983-6960ccc58899,User\n");
    for i in 0..depth {
        t.push_str(&format!("g{i},g{},Group\n", i + 1));
    }
    t.push_str(&format!(
        "g{depth},d5cdd2bc-bdd0-5218-a3f4-d45043a76967,User\n"
    ));
    let p = dir.join("deep.csv");
    std::fs::write(&p, t).unwrap();
    p
}

#[test]
fn s24_a_100000_deep_nested_group_chain_gives_no_stack_overflow() {
    let tmp = tempfile::tempdir().unwrap();
    let members = deep_chain(tmp.path(), 100_000);
    let assignments = tmp.path().join("a.csv");
    std::fs::write(
        &assignments,
        "app,principalType,principalId\nSalesforce,Group,g0\n",
    )
    .unwrap();
    let rules = tmp.path().join("r.scope");
    std::fs::write(&rules, "app \"Salesforce\" {\n stage \"all\" { }\n}\n").unwrap();
    let report = tmp.path().join("report.csv");
    let common = |cmd: &str| {
        let mut c = crate::cli::scopesim();
        c.args([cmd])
            .arg(&rules)
            .args(["--directory", "fixtures/users.csv", "--assignments"])
            .arg(&assignments)
            .arg("--group-members")
            .arg(&members);
        c
    };
    let out = common("plan").arg("--report").arg(&report).assert().code(0);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("group-nesting-too-deep") && stderr.contains("1000 levels"),
        "{stderr}"
    );
    let report = std::fs::read_to_string(&report).unwrap();
    assert!(
        report.contains("anna.schmidt@contoso.com,true,create"),
        "{report}"
    );
    common("explain")
        .args(["--user", "kim.nguyen@contoso.com"])
        .assert()
        .code(0);
    let lint = common("lint").assert();
    assert!(
        lint.get_output().status.code().is_some_and(|c| c < 2),
        "lint ran"
    );
}

#[test]
fn s29_an_in_scope_inactive_already_disabled_user_is_not_explained_as_out_of_scope() {
    use scopesim::report::explain::{explain_user, render_text};
    use scopesim::rollout::reason::Reasons;
    let text = "app \"A\" {\n scope all\n filter \"IT\" { department EQUALS \"IT\" }\n}\n";
    let dir = from_rows([user("1", "IT", "False")]);
    let ts = [managed("A", &[("1@contoso.com", Some(false))])];
    let inputs = RolloutInputs {
        target_states: &ts,
        ..Default::default()
    };
    let l = rules(text);
    let plan = compile(&l.rules, &dir, EvalOptions::default()).unwrap();
    let out = evaluate(&plan, &dir);
    let r = simulate(
        &l.rules,
        &plan,
        &out,
        &dir,
        inputs,
        RolloutOptions::default(),
    )
    .unwrap();
    let (app, st) = (&r.apps[0], &r.apps[0].stages[0]);
    assert!(st.in_scope_users.get(0));
    assert_eq!(
        (st.action(0), st.why(0)),
        (Action::Skip, Why::InactiveAlreadyDisabled)
    );
    let reason = Reasons {
        plan: &plan,
        outcomes: &out,
        dir: &dir,
        group_members: None,
    }
    .reason(app, st, 0);
    assert!(!reason.contains("out of scope"), "{reason}");
    let e = render_text(&explain_user(&plan, &dir, &r, inputs, 0, None, None));
    assert!(
        e.contains("6. Action: skip (in scope, but disabled or soft-deleted in Entra; the account is already disabled)"),
        "{e}"
    );
    assert!(!e.contains("out of scope"), "{e}");
}
