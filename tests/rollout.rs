//! The rollout engine against the spec: S23–S28 and every row of the action table.

use crate::common::rules;
use scopesim::directory::assignments::{
    Assignment, Assignments, GroupMembers, Member, PrincipalType, TargetState, read_target_state,
};
use scopesim::directory::{Directory, from_rows};
use scopesim::eval::{EvalOptions, compile, evaluate};
use scopesim::rollout::{
    Action, Candidacy, Rollout, RolloutInputs, RolloutOptions, ThresholdBoundary, Why, simulate,
};

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

/// A target-state export as an app writes it, read by the real reader.
fn target_csv(app: &str, text: &str, match_on: Option<&str>) -> TargetState {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("target.csv");
    std::fs::write(&p, text).unwrap();
    read_target_state(app, &p, match_on).unwrap_or_else(|e| panic!("{e:#?}"))
}

/// Accounts Entra manages (a `managed` column, S31), by `userName`.
fn managed(app: &str, keys: &[(&str, Option<bool>)]) -> TargetState {
    let mut t = String::from("userName,active,managed\n");
    for (k, a) in keys {
        let a = a.map_or("", |b| if b { "true" } else { "false" });
        t.push_str(&format!("{k},{a},true\n"));
    }
    target_csv(app, &t, None)
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
    let text = ALL_TWO_STAGES.replace("scope all", "scope all\n delete_flow false");
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
    use scopesim::report::explain::{explain_user, find_user, render_text};
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
    let row = find_user(&dir, "U1@CONTOSO.COM").unwrap();
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
        find_user(&dir, "u3@contoso.com").unwrap_err()[0],
        "u1@contoso.com"
    );
}

// ---- S31–S33, S36 on the fixtures and on tenant-shaped inputs ----

use scopesim::directory::NoProgress;
use scopesim::pipeline::{
    Columns, DirectorySource, InputFiles, Inputs, Options, Rules, Run, Simulation,
};
use scopesim::regex::Anchoring;
use scopesim::report::explain::find_user;
use scopesim::rollout::AccountState;
use scopesim::rollout::reason::PRE_EXISTING;

/// `fixtures/rollout.scope` on the fixture tenant, with these target states.
fn fixture_run(
    files: InputFiles,
    options: Options,
) -> Result<(Rules, Inputs, Run), scopesim::diag::Errors> {
    let rules = Rules::load(
        std::path::Path::new("fixtures/rollout.scope"),
        Anchoring::Partial,
    )?;
    let inputs = files.read()?;
    let source = DirectorySource {
        paths: vec!["fixtures/users.csv".into()],
        ..DirectorySource::default()
    };
    let run = Simulation {
        rules: &rules,
        directory: &source,
        inputs: &inputs,
        options,
    }
    .run(Columns::Report, &NoProgress)?;
    Ok((rules, inputs, run))
}

fn fixture_files(target: &[&str]) -> InputFiles {
    InputFiles {
        assignments: Some("fixtures/assignments.csv".into()),
        group_members: vec!["fixtures/group-members.csv".into()],
        target_states: target.iter().map(|t| format!("Salesforce={t}")).collect(),
        ..InputFiles::default()
    }
}

fn row_of(run: &Run, upn: &str) -> usize {
    find_user(&run.directory, upn).unwrap_or_else(|c| panic!("no {upn}: {c:?}"))
}

#[test]
fn s31_first_enablement_into_an_app_with_accounts_predicts_no_disable_no_delete_no_hold() {
    let (_, inputs, run) = fixture_run(
        fixture_files(&["fixtures/target-state/salesforce.csv"]),
        Options::default(),
    )
    .unwrap();
    let app = &run.evaluated.rollout.apps[0];
    assert_eq!((app.managed_at_start, app.pre_existing_at_start), (0, 4));
    for s in &app.stages {
        assert_eq!(
            (s.counts.disable, s.counts.delete),
            (0, 0),
            "stage {}",
            s.name
        );
        assert!(!s.held);
    }
    assert!(
        run.warnings.iter().any(|w| w.code == "first-enablement"
            && w.message.contains("4 accounts are treated as pre-existing")),
        "the summary says it is a first enablement: {:#?}",
        run.warnings
    );
    let reasons = run.reasons(&inputs);
    let pilot = &app.stages[0];
    // Anna is in the pilot and has an account: matched, not created (S32)
    let anna = row_of(&run, "anna.schmidt@contoso.com");
    assert_eq!(
        (pilot.action(anna), pilot.why(anna)),
        (Action::Update, Why::Matched)
    );
    let text = reasons.reason(app, pilot, anna);
    assert!(
        text.starts_with("matched existing account by `userPrincipalName`"),
        "{text}"
    );
    // Ben and Carla are out of the pilot: their accounts are not Entra's to disable
    let ben = row_of(&run, "ben.mueller@contoso.com");
    assert_eq!(pilot.account_before(ben), AccountState::PreExisting);
    assert_eq!(pilot.action(ben), Action::Skip);
    assert!(reasons.reason(app, pilot, ben).ends_with(PRE_EXISTING));
    // old.leaver has no user: untouched, never "hard-deleted"
    let leaver = app
        .orphans
        .iter()
        .position(|o| o.key == "old.leaver@contoso.com")
        .unwrap();
    assert!(!app.orphans[leaver].managed);
    assert_eq!(
        pilot.orphan_actions[leaver],
        (Action::None, Why::PreExisting)
    );
    // matched in the pilot, managed from then on
    assert_eq!(app.stages[1].account_before(anna), AccountState::Enabled);
    let carla = row_of(&run, "carla.weber@contoso.com");
    assert_eq!(
        app.stages[2].action(carla),
        Action::Skip,
        "disabled in Entra: never matched, never disabled"
    );
}

#[test]
fn s31_the_same_app_with_managed_accounts_follows_the_action_table() {
    let (_, inputs, run) = fixture_run(
        fixture_files(&["fixtures/target-state/salesforce-managed.csv"]),
        Options::default(),
    )
    .unwrap();
    let app = &run.evaluated.rollout.apps[0];
    assert_eq!((app.managed_at_start, app.pre_existing_at_start), (3, 2));
    let pilot = &app.stages[0];
    let (ben, carla, david) = (
        row_of(&run, "ben.mueller@contoso.com"),
        row_of(&run, "carla.weber@contoso.com"),
        row_of(&run, "david.martin@contoso.com"),
    );
    assert_eq!(
        (pilot.action(ben), pilot.why(ben)),
        (Action::Disable, Why::FilterFailed)
    );
    assert_eq!(pilot.action(carla), Action::Disable);
    assert_eq!((pilot.counts.disable, pilot.counts.delete), (2, 1));
    let o = |key: &str| app.orphans.iter().position(|o| o.key == key).unwrap();
    assert_eq!(
        pilot.orphan_actions[o("old.leaver@contoso.com")],
        (Action::Delete, Why::HardDeleted)
    );
    assert_eq!(
        pilot.orphan_actions[o("sf.integration@contoso.com")],
        (Action::None, Why::PreExisting)
    );
    assert!(
        !run.warnings.iter().any(|w| w.code == "first-enablement"),
        "a managed column: provisioning already runs"
    );
    // David's hand-made account is matched when wave-1 brings him in scope
    let wave = &app.stages[1];
    assert_eq!(
        (wave.action(david), wave.why(david)),
        (Action::Update, Why::Matched)
    );
    let text = run.reasons(&inputs).reason(app, wave, david);
    assert!(
        text.contains("(`david.martin@contoso.com`, line 7)"),
        "{text}"
    );
    // S29: the explanation's match step says what the app has
    let e = scopesim::report::explain::explain_user(
        &run.evaluated.plan,
        &run.directory,
        &run.evaluated.rollout,
        inputs.rollout_inputs(),
        david,
        Some("Salesforce"),
        Some("wave-1"),
    );
    assert_eq!(e.apps[0].stages[0].managed_before, "pre-existing");
    assert!(
        e.apps[0].stages[0]
            .matching
            .contains("which Entra does not manage"),
        "{}",
        e.apps[0].stages[0].matching
    );
}

#[test]
fn s31_scim_export_external_id_equal_to_object_id_marks_managed() {
    let (_, _, run) = fixture_run(
        fixture_files(&["fixtures/target-state/scim-users.json"]),
        Options::default(),
    )
    .unwrap();
    let app = &run.evaluated.rollout.apps[0];
    assert_eq!(app.managed_at_start, 2, "Anna and Carla by externalId");
    let carla = row_of(&run, "carla.weber@contoso.com");
    assert_eq!(app.stages[0].account_before(carla), AccountState::Disabled);
    // old.leaver's externalId is no directory user's: pre-existing, with a warning
    assert!(run.warnings.iter().any(|w| w.code == "external-id-no-user"));
    let leaver = app
        .orphans
        .iter()
        .position(|o| o.key == "old.leaver@contoso.com")
        .unwrap();
    assert_eq!(
        app.stages[0].orphan_actions[leaver],
        (Action::None, Why::PreExisting)
    );
    assert_eq!(app.stages[0].counts.delete, 0);
    // S32: SCIM userName compares ignoring case: EVA.DEJONG matches Eva
    let eva = row_of(&run, "eva.dejong@contoso.com");
    assert_eq!(app.stages[1].why(eva), Why::Matched);
    // S29: in scope, inactive, already disabled is not "out of scope"
    let everyone = &app.stages[2];
    assert_eq!(everyone.why(carla), Why::InactiveAlreadyDisabled);
    let text = run.reasons(&Inputs::default()).reason(app, everyone, carla);
    assert!(
        text.starts_with("in scope, but account disabled in Entra"),
        "{text}"
    );
    assert!(!text.contains("out of scope"), "{text}");
}

#[test]
fn s36_an_assigned_group_without_member_data_is_an_error_naming_it_unless_allowed() {
    let files = InputFiles {
        assignments: Some("fixtures/assignments.csv".into()),
        ..InputFiles::default()
    };
    let e = fixture_run(files.clone(), Options::default()).unwrap_err();
    let d = e
        .iter()
        .find(|d| d.code == "missing-group-members")
        .unwrap();
    assert!(
        d.message.contains("`6c1d9b8e-52a1-4c55-9a0e-5a1e5a1e0001`"),
        "{}",
        d.message
    );
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("--allow-missing-members")
    );
    let at = d.location.as_ref().unwrap();
    assert_eq!(
        (at.path.as_str(), at.line),
        ("fixtures/assignments.csv", Some(2))
    );
    let mut options = Options::default();
    options.rollout.allow_missing_members = true;
    let (_, _, run) = fixture_run(files, options).unwrap();
    let w: Vec<_> = run
        .warnings
        .iter()
        .filter(|w| w.code == "missing-group-members")
        .collect();
    assert_eq!(w.len(), 1, "ServiceNow syncs all users");
    assert!(
        w[0].message.starts_with(
            "1 group assigned to `Salesforce` has no member data and is treated as empty"
        ),
        "{}",
        w[0].message
    );
    assert_eq!(
        run.evaluated.rollout.apps[0].stages[0].candidates, 2,
        "Anna and Frank, directly"
    );
}

#[test]
fn s36_rule_warnings_come_out_of_the_run_so_plan_prints_them() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.scope");
    std::fs::write(
        &p,
        "app \"A\" {\n scope all\n filter \"on\" { accountEnabled EQUALS \"true\" }\n}\n",
    )
    .unwrap();
    let rules = Rules::load(&p, Anchoring::Partial).unwrap();
    let inputs = InputFiles::default().read().unwrap();
    let source = DirectorySource {
        paths: vec!["fixtures/users.csv".into()],
        ..DirectorySource::default()
    };
    let run = Simulation {
        rules: &rules,
        directory: &source,
        inputs: &inputs,
        options: Options::default(),
    }
    .run(Columns::Counts, &NoProgress)
    .unwrap();
    assert!(
        run.warnings
            .iter()
            .any(|w| w.rule == Some("S4") && w.code == "boolean-text"),
        "{:#?}",
        run.warnings
    );
}

const TWO_STAGES_ALL: &str = "app \"A\" {\n scope all\n stage \"it\" { filter \"IT\" { department EQUALS \"IT\" } }\n stage \"all\" { }\n stage \"sales\" { filter \"Sales\" { department EQUALS \"Sales\" } }\n}\n";

#[test]
fn s32_a_matched_account_is_updated_and_managed_from_then_on() {
    let dir = from_rows([user("1", "HR", "True")]);
    let ts = [target_csv(
        "A",
        "userName,active\n1@contoso.com,false\n",
        None,
    )];
    let s = sim(
        TWO_STAGES_ALL,
        dir,
        RolloutInputs {
            target_states: &ts,
            ..Default::default()
        },
        RolloutOptions::default(),
    );
    assert_eq!(
        s.action(0, 0),
        (Action::Skip, Why::NotInScope),
        "not in scope: untouched"
    );
    assert_eq!(s.action(1, 0), (Action::Update, Why::Matched));
    assert_eq!(s.rollout.apps[0].stages[1].counts.update, 1);
    // managed now: leaving scope disables it
    assert_eq!(s.action(2, 0), (Action::Disable, Why::FilterFailed));
}

#[test]
fn s32_user_principal_name_matches_scim_user_name_ignoring_case_other_attributes_exactly() {
    let mut a = user("1", "IT", "True");
    a.push(("mail", "Ann@Contoso.com"));
    let dir = from_rows([a]);
    let ts = [target_csv(
        "A",
        "userName,mail\nONE@X,ann@contoso.com\n",
        Some("mail"),
    )];
    let s = sim(
        TWO_STAGES_ALL,
        dir.clone(),
        RolloutInputs {
            target_states: &ts,
            ..Default::default()
        },
        RolloutOptions::default(),
    );
    assert_eq!(
        s.action(0, 0),
        (Action::Create, Why::Provisionable),
        "mail compares exactly"
    );
    assert!(
        s.rollout.warnings.iter().any(|w| w.code == "match-case"),
        "the decision is visible"
    );
    let ts = [target_csv("A", "userName\n1@CONTOSO.COM\n", None)];
    let s = sim(
        TWO_STAGES_ALL,
        dir,
        RolloutInputs {
            target_states: &ts,
            ..Default::default()
        },
        RolloutOptions::default(),
    );
    assert_eq!(
        s.action(0, 0),
        (Action::Update, Why::Matched),
        "SCIM userName ignores case"
    );
}

#[test]
fn s32_one_user_matching_two_accounts_fails_with_duplicate_target_entries() {
    let dir = from_rows([user("1", "IT", "True")]);
    let ts = [target_csv(
        "A",
        "userName\n1@contoso.com\n1@Contoso.com\n",
        None,
    )];
    let s = sim(
        TWO_STAGES_ALL,
        dir,
        RolloutInputs {
            target_states: &ts,
            ..Default::default()
        },
        RolloutOptions::default(),
    );
    assert_eq!(s.action(0, 0), (Action::Fail, Why::DuplicateTarget));
    let st = &s.rollout.apps[0].stages[0];
    assert_eq!(
        (st.counts.fail, st.counts.create, st.counts.update),
        (1, 0, 0)
    );
    assert!(
        s.rollout
            .warnings
            .iter()
            .any(|w| w.code == "match-failures" && w.message.contains("DuplicateTargetEntries"))
    );
    let reasons = scopesim::rollout::reason::Reasons {
        plan: &compile(&rules(TWO_STAGES_ALL).rules, &s.dir, EvalOptions::default()).unwrap(),
        outcomes: &evaluate(
            &compile(&rules(TWO_STAGES_ALL).rules, &s.dir, EvalOptions::default()).unwrap(),
            &s.dir,
        ),
        dir: &s.dir,
        group_members: None,
    };
    let text = reasons.reason(&s.rollout.apps[0], st, 0);
    assert!(
        text.contains("matches 2 accounts in the app (lines 2, 3)")
            && text.contains("DuplicateTargetEntries"),
        "{text}"
    );
}

#[test]
fn s32_two_users_with_the_same_matching_value_fail_with_duplicate_source_entries() {
    let mut a = user("1", "IT", "True");
    a.push(("mail", "shared@contoso.com"));
    let mut b = user("2", "IT", "True");
    b.push(("mail", "shared@contoso.com"));
    let dir = from_rows([a, b, user("3", "IT", "True")]);
    let ts = [target_csv(
        "A",
        "userName,mail\nx,shared@contoso.com\n",
        Some("mail"),
    )];
    let s = sim(
        TWO_STAGES_ALL,
        dir,
        RolloutInputs {
            target_states: &ts,
            ..Default::default()
        },
        RolloutOptions::default(),
    );
    assert_eq!(s.action(0, 0), (Action::Fail, Why::DuplicateSource));
    assert_eq!(s.action(0, 1), (Action::Fail, Why::DuplicateSource));
    assert_eq!(
        s.action(0, 2),
        (Action::Skip, Why::ImportSkipped),
        "user 3 has no mail"
    );
}

#[test]
fn s32_a_user_without_a_matching_value_is_import_skipped() {
    let mut a = user("1", "IT", "True");
    a.push(("employeeId", "E1"));
    let dir = from_rows([a, user("2", "IT", "True")]);
    let ts = [target_csv("A", "employeeId\nE9\n", Some("employeeId"))];
    let s = sim(
        TWO_STAGES_ALL,
        dir,
        RolloutInputs {
            target_states: &ts,
            ..Default::default()
        },
        RolloutOptions::default(),
    );
    assert_eq!(s.action(0, 0), (Action::Create, Why::Provisionable));
    assert_eq!(s.action(0, 1), (Action::Skip, Why::ImportSkipped));
    assert!(
        s.rollout
            .warnings
            .iter()
            .any(|w| w.code == "no-matching-value" && w.message.starts_with("1 user has no value"))
    );
}

fn with_matching(text: &str, m: &[(&str, &str, u32)]) -> scopesim::rules::load::LoadedRules {
    use scopesim::rules::{Matching, Spanned};
    let mut l = rules(text);
    l.rules.apps[0].object.matching = m
        .iter()
        .map(|(source, target, priority)| Matching {
            source: Spanned::new((*source).to_string(), scopesim::source::Span::new(0, 0)),
            target: (*target).to_string(),
            priority: *priority,
        })
        .collect();
    l
}

fn sim_rules(
    l: &scopesim::rules::load::LoadedRules,
    dir: Directory,
    inputs: RolloutInputs<'_>,
) -> Sim {
    let plan = compile(&l.rules, &dir, EvalOptions::default()).unwrap();
    let out = evaluate(&plan, &dir);
    let rollout = simulate(
        &l.rules,
        &plan,
        &out,
        &dir,
        inputs,
        RolloutOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e:#?}"));
    Sim { rollout, dir }
}

#[test]
fn s32_schema_matching_priority_lowest_first_first_hit_wins_and_match_on_overrides() {
    let mut a = user("1", "IT", "True");
    a.extend([("employeeId", "E1"), ("mail", "a@contoso.com")]);
    let mut b = user("2", "IT", "True");
    b.push(("mail", "b@contoso.com"));
    let dir = from_rows([a, b]);
    // account 1 has user 1's mail, account 2 user 1's employee id; user 2 has no id
    let text = "employeeNumber,mail,active\n,a@contoso.com,true\nE1,,false\n,b@contoso.com,true\n";
    let l = with_matching(
        TWO_STAGES_ALL,
        &[("mail", "mail", 2), ("employeeId", "employeeNumber", 1)],
    );
    let ts = [target_csv("A", text, None)];
    let s = sim_rules(
        &l,
        dir.clone(),
        RolloutInputs {
            target_states: &ts,
            ..Default::default()
        },
    );
    let m = &s.rollout.apps[0].matching;
    assert_eq!(
        m.attributes[0].source, "employeeId",
        "lowest matchingPriority first"
    );
    let note = m.note(0).unwrap();
    assert_eq!(
        (note.attribute.as_str(), note.accounts[0].line),
        ("employeeId", 3)
    );
    assert_eq!(
        m.note(1).unwrap().attribute,
        "mail",
        "no employeeId: the next attribute"
    );
    assert_eq!(s.action(0, 1), (Action::Update, Why::Matched));
    // --match-on overrides the schema
    let ts = [target_csv("A", text, Some("mail"))];
    let s = sim_rules(
        &l,
        dir,
        RolloutInputs {
            target_states: &ts,
            ..Default::default()
        },
    );
    assert_eq!(
        s.rollout.apps[0].matching.note(0).unwrap().accounts[0].line,
        2
    );
}

fn with_object(
    text: &str,
    enabled: Option<bool>,
    flows: Option<(bool, bool, bool)>,
) -> scopesim::rules::load::LoadedRules {
    use scopesim::rules::{FlowTypes, Spanned};
    let span = scopesim::source::Span::new(0, 0);
    let mut l = rules(text);
    let o = &mut l.rules.apps[0].object;
    o.enabled = enabled.map(|e| Spanned::new(e, span));
    o.flow_types = flows.map(|(add, update, delete)| {
        Spanned::new(
            FlowTypes {
                add,
                update,
                delete,
            },
            span,
        )
    });
    l
}

#[test]
fn s33_a_disabled_object_mapping_does_nothing() {
    let l = with_object(ALL_TWO_STAGES, Some(false), None);
    let ts = [managed(
        "A",
        &[("2@contoso.com", None), ("gone@contoso.com", None)],
    )];
    let s = sim_rules(
        &l,
        from_rows([user("1", "IT", "True"), user("2", "HR", "True")]),
        RolloutInputs {
            target_states: &ts,
            ..Default::default()
        },
    );
    let app = &s.rollout.apps[0];
    for st in &app.stages {
        assert_eq!(
            st.counts,
            scopesim::rollout::Counts::default(),
            "stage {}",
            st.name
        );
        assert_eq!(
            (st.action(0), st.why(0)),
            (Action::None, Why::MappingDisabled)
        );
        assert_eq!(st.orphan_actions[0], (Action::None, Why::MappingDisabled));
    }
    assert!(
        s.rollout
            .warnings
            .iter()
            .any(|w| w.code == "mapping-disabled")
    );
}

#[test]
fn s33_without_add_update_or_delete_the_actions_are_suppressed_and_counted() {
    let dir = || {
        from_rows([
            user("1", "IT", "True"),
            user("2", "IT", "True"),
            user("3", "Sales", "True"),
        ])
    };
    let ts = [managed(
        "A",
        &[
            ("2@contoso.com", Some(false)),
            ("3@contoso.com", None),
            ("gone@contoso.com", None),
        ],
    )];
    let inputs = RolloutInputs {
        target_states: &ts,
        ..Default::default()
    };
    // without Add: user 1 would be created
    let s = sim_rules(
        &with_object(ALL_TWO_STAGES, None, Some((false, true, true))),
        dir(),
        inputs,
    );
    assert_eq!(s.action(0, 0), (Action::None, Why::AddFlowOff));
    let st = &s.rollout.apps[0].stages[0];
    assert_eq!((st.counts.create, st.counts.suppressed), (0, 1));
    assert!(
        s.rollout
            .warnings
            .iter()
            .any(|w| w.code == "flow-suppressed" && w.message.contains("the Add flow is off"))
    );
    assert_eq!(s.action(0, 1), (Action::Update, Why::ReEnabled));
    // without Update: no update, no re-enable
    let s = sim_rules(
        &with_object(ALL_TWO_STAGES, None, Some((true, false, true))),
        dir(),
        inputs,
    );
    assert_eq!(s.action(0, 1), (Action::None, Why::UpdateFlowOff));
    assert_eq!(
        s.rollout.apps[0].stages[0].account_before(1),
        AccountState::Disabled
    );
    assert_eq!(
        s.rollout.apps[0].stages[1].account_before(1),
        AccountState::Disabled,
        "still disabled"
    );
    // without Delete: no disable, no delete, and nothing counts toward a threshold
    let s = sim_rules(
        &with_object(ALL_TWO_STAGES, None, Some((true, true, false))),
        dir(),
        inputs,
    );
    assert_eq!(s.action(0, 2), (Action::None, Why::DisableFlowOff));
    let st = &s.rollout.apps[0].stages[0];
    assert_eq!(st.orphan_actions[0], (Action::None, Why::DeleteFlowOff));
    assert_eq!((st.deprovisions(), st.counts.suppressed), (0, 2));
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
    let stderr = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(stderr.contains("deeper than 1000 levels"), "{stderr}");
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
