//! The rollout engine against the spec: S23–S28 and every row of the action table.

use crate::common::rules;
use scopesim::directory::assignments::{
    Assignment, Assignments, GroupMembers, Member, PrincipalType, TargetAccount, TargetState,
};
use scopesim::directory::{Directory, InputFormat, InputInfo, from_rows};
use scopesim::eval::{EvalOptions, compile, evaluate};
use scopesim::rollout::{
    Action, Candidacy, Rollout, RolloutInputs, RolloutOptions, ThresholdBoundary, Why, simulate,
};

fn info() -> InputInfo {
    InputInfo {
        path: "test".into(),
        format: InputFormat::Csv,
        sha256: String::new(),
        bytes: 0,
        records: 0,
        skipped: 0,
        encoding: None,
        delimiter: None,
    }
}

fn user(
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

fn assign(app: &str, items: &[(PrincipalType, &str)]) -> Assignments {
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

fn target(app: &str, keys: &[(&str, Option<bool>)]) -> TargetState {
    TargetState {
        app: app.into(),
        match_on: "userPrincipalName".into(),
        accounts: keys
            .iter()
            .enumerate()
            .map(|(i, (k, a))| TargetAccount {
                key: (*k).into(),
                active: *a,
                line: i as u64 + 2,
            })
            .collect(),
        input: info(),
    }
}

struct Sim {
    rollout: Rollout,
    dir: Directory,
}

fn sim(text: &str, dir: Directory, inputs: RolloutInputs<'_>, options: RolloutOptions) -> Sim {
    let l = rules(text);
    let plan = compile(&l.rules, &dir, EvalOptions::default()).unwrap();
    let out = evaluate(&plan, &dir);
    let rollout =
        simulate(&l.rules, &plan, &out, &dir, inputs, options).unwrap_or_else(|e| panic!("{e:#?}"));
    Sim { rollout, dir }
}

impl Sim {
    fn action(&self, stage: usize, row: usize) -> (Action, Why) {
        let s = &self.rollout.apps[0].stages[stage];
        (s.action(row), s.why(row))
    }
}

const ALL_TWO_STAGES: &str = "app \"A\" {\n scope all\n stage \"it\" { filter \"IT\" { department EQUALS \"IT\" } }\n stage \"sales\" { filter \"Sales\" { department EQUALS \"Sales\" } }\n}\n";

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
    let ts = [target("A", &[("1@contoso.com", Some(true))])];
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
    let ts = [target("A", &[("1@contoso.com", None)])];
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
    let ts = [target(
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
        (Action::Skip, Why::DeleteFlowOff)
    );
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
