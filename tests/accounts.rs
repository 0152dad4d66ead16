//! Managed and pre-existing accounts (S31), matching (S32), the object mapping's own
//! settings (S33) and no silent emptiness (S36), on the fixture tenant and on inputs
//! shaped like a real tenant's (target-state exports read by the real reader).

use crate::common::rules;
use crate::rollout::{ALL_TWO_STAGES, Sim, managed, sim, target_csv, user};
use scopesim::directory::{Directory, from_rows};
use scopesim::eval::{EvalOptions, compile, evaluate};
use scopesim::rollout::{Action, RolloutInputs, RolloutOptions, Why, simulate};

use scopesim::directory::NoProgress;
use scopesim::pipeline::{
    Columns, DirectorySource, InputFiles, Inputs, Options, Rules, Run, Simulation,
};
use scopesim::regex::Anchoring;
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
        assignments: vec!["fixtures/assignments.csv".into()],
        group_members: vec!["fixtures/group-members.csv".into()],
        target_states: target.iter().map(|t| format!("Salesforce={t}")).collect(),
        ..InputFiles::default()
    }
}

fn row_of(run: &Run, upn: &str) -> usize {
    run.directory
        .find_user(upn)
        .unwrap_or_else(|c| panic!("no {upn}: {c:?}"))
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
        assignments: vec!["fixtures/assignments.csv".into()],
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
    let mut l = rules(text);
    l.rules.apps[0].object.matching = crate::common::matching(m);
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
fn s33_explain_shows_the_object_mapping_settings() {
    use scopesim::report::explain::{explain_user, render_text};
    let l = with_object(ALL_TWO_STAGES, Some(false), Some((false, true, true)));
    let dir = from_rows([user("1", "IT", "True")]);
    let plan = compile(&l.rules, &dir, EvalOptions::default()).unwrap();
    let out = evaluate(&plan, &dir);
    let r = simulate(
        &l.rules,
        &plan,
        &out,
        &dir,
        RolloutInputs::default(),
        RolloutOptions::default(),
    )
    .unwrap();
    let e = explain_user(&plan, &dir, &r, RolloutInputs::default(), 0, None, None);
    assert!(!e.apps[0].mapping_enabled);
    let text = render_text(&e);
    assert!(text.contains("object mapping: disabled"), "{text}");
    assert!(text.contains("flow types: Update, Delete"), "{text}");
    assert!(
        text.contains("6. Action: none (the object mapping is disabled"),
        "{text}"
    );
}
