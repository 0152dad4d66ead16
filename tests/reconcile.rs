//! Reconciliation with provisioning logs (S37, S38): every class, every log shape, the
//! reduction of several events per object, the clause-level comparison, the job status,
//! the command line, and a generated log of 100,000 users reconciled exactly.

use assert_cmd::Command;
use scopesim::pipeline::{Columns, DirectorySource, InputFiles, Options, Rules, Run, Simulation};
use scopesim::reconcile::pair::Class;
use scopesim::reconcile::{CycleChoice, Reconciliation, Request, reconcile, render, user_outcome};
use scopesim::regex::Anchoring;
use std::path::{Path, PathBuf};

const RULES: &str = "fixtures/logs/salesforce.scope";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn p(rel: &str) -> PathBuf {
    root().join(rel)
}

/// The fixture tenant simulated with the fixture rules and the app's accounts.
fn fixture_run() -> Run {
    let rules = Rules::load(&p(RULES), Anchoring::default()).unwrap();
    let files = InputFiles {
        assignments: vec![p("fixtures/assignments.csv")],
        group_members: vec![p("fixtures/group-members.csv")],
        target_states: vec![format!(
            "Salesforce={}",
            p("fixtures/logs/salesforce-accounts.csv").display()
        )],
        ..InputFiles::default()
    };
    let inputs = files.read().unwrap();
    let source = DirectorySource {
        paths: vec![p("fixtures/users.csv")],
        ..DirectorySource::default()
    };
    Simulation {
        rules: &rules,
        directory: &source,
        inputs: &inputs,
        options: Options::default(),
    }
    .run(Columns::Report, &scopesim::directory::NoProgress)
    .unwrap()
}

fn rec(run: &Run, logs: &[PathBuf], cycles: CycleChoice) -> Reconciliation {
    reconcile(&Request {
        run,
        app: None,
        stage: None,
        logs,
        log_app: None,
        cycles: &cycles,
        job_status: None,
    })
    .unwrap_or_else(|e| panic!("{e:#?}"))
}

fn class_of<'r>(r: &'r Reconciliation, upn: &str) -> Option<&'r scopesim::reconcile::Discrepancy> {
    r.discrepancies.iter().find(|d| d.upn == upn)
}

fn graph_pages() -> Vec<PathBuf> {
    vec![
        p("fixtures/logs/graph-page-1.json"),
        p("fixtures/logs/graph-page-2.json"),
    ]
}

/// Writes events (one JSON object per line) to a temporary NDJSON file.
fn ndjson(dir: &tempfile::TempDir, name: &str, events: &[serde_json::Value]) -> PathBuf {
    let path = dir.path().join(name);
    let text: String = events.iter().map(|e| format!("{e}\n")).collect();
    std::fs::write(&path, text).unwrap();
    path
}

/// The fixture events by user, as Graph v1.0 objects (from the NDJSON fixture).
fn fixture_event(user_prefix: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(p("fixtures/logs/events.ndjson")).unwrap();
    text.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| {
            e["sourceIdentity"]["details"]["UserPrincipalName"]
                .as_str()
                .is_some_and(|u| u.starts_with(user_prefix))
                && e["servicePrincipal"]["displayName"] == "Salesforce"
        })
        .unwrap()
}

#[test]
fn s38_fixture_cycle_has_every_class() {
    let run = fixture_run();
    let r = rec(&run, &graph_pages(), CycleChoice::LatestFull);
    let counts: Vec<u64> = Class::ALL.iter().map(|&c| r.counts.get(c)).collect();
    assert_eq!(counts, [7, 2, 1, 1, 1, 1], "{:#?}", r.discrepancies);
    let d = class_of(&r, "lena.gast_fabrikam.com#EXT#@contoso.onmicrosoft.com").unwrap();
    assert_eq!(
        (d.class, d.predicted.as_str(), d.logged.as_str()),
        (Class::Mismatch, "create", "skip NotEffectivelyEntitled")
    );
    assert!(
        d.reason.contains("data changed between export and cycle"),
        "{}",
        d.reason
    );
    assert!(
        d.reason
            .contains("\"DE\" in the export, \"AT\" in the cycle"),
        "{}",
        d.reason
    );
    assert_eq!(
        d.clause.as_deref(),
        Some("Sales EMEA.country REGEX MATCH '^(DE|FR|NL)$': Entra false, scopesim true")
    );
    let d = class_of(&r, "hugo.blank@contoso.com").unwrap();
    assert_eq!(
        (d.predicted.as_str(), d.logged.as_str()),
        ("skip", "create")
    );
    assert!(
        d.reason
            .contains("`country` is null in the export, \"FR\" in the cycle")
    );
    let d = class_of(&r, "eva.dejong@contoso.com").unwrap();
    assert_eq!(
        (d.class, d.logged.as_str()),
        (Class::Failed, "create failure")
    );
    assert!(d.reason.starts_with("SalesforceEntryConflict (nonServiceFailure): Message: Salesforce returned an error response with the HTTP status code 409."));
    let d = class_of(&r, "jan.klein@contoso.com").unwrap();
    assert_eq!(
        (d.class, d.predicted.as_str(), d.logged.as_str()),
        (Class::Held, "held", "disable")
    );
    assert!(
        d.reason
            .contains("4 disables and deletes over the threshold of 3")
    );
    let d = class_of(&r, "frank.miller@contoso.com").unwrap();
    assert_eq!((d.class, d.logged.as_str()), (Class::NotProcessed, "none"));
    let d = class_of(&r, "mallory.stone@contoso.com").unwrap();
    assert_eq!(d.class, Class::Unexpected);
    assert!(d.reason.contains("not in the directory export"));
    // Anna (update + manager reference), Ben and the leaver (stagedDelete, held as
    // predicted), Carla (Create/Skipped while disabled), David and Greta (created).
    for ok in [
        "anna.schmidt@contoso.com",
        "ben.mueller@contoso.com",
        "carla.weber@contoso.com",
        "david.martin@contoso.com",
        "greta.fischer@contoso.com",
        "old.leaver@contoso.com",
    ] {
        assert!(class_of(&r, ok).is_none(), "{ok}");
    }
    // Deterministic order: by class, then UPN.
    let order: Vec<Class> = r.discrepancies.iter().map(|d| d.class).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    // Every input is stated with its hash, the log pages included.
    let logs: Vec<_> = r.inputs.iter().filter(|i| i.role == "logs").collect();
    assert_eq!(logs.len(), 2);
    assert!(logs.iter().all(|i| i.sha256.len() == 64));
    assert_eq!(logs.iter().map(|i| i.records.unwrap()).sum::<u64>(), 16);
    assert!(r.failed());
}

#[test]
fn s37_every_log_shape_gives_the_same_reconciliation() {
    let run = fixture_run();
    let strip = |r: &Reconciliation| {
        let mut v = render::to_json(r);
        v.as_object_mut().unwrap().remove("inputs");
        v
    };
    let reference = strip(&rec(&run, &graph_pages(), CycleChoice::LatestFull));
    for shape in [
        "fixtures/logs/admin-center-download.json",
        "fixtures/logs/events.ndjson",
        "fixtures/logs/beta-page.json",
        "fixtures/logs/log-analytics.json",
        "fixtures/logs/log-analytics.csv",
        "fixtures/logs/storage-account-PT1H.json",
    ] {
        let got = strip(&rec(&run, &[p(shape)], CycleChoice::LatestFull));
        assert_eq!(got, reference, "{shape}");
    }
}

#[test]
fn s37_a_reference_update_never_overrides_the_create() {
    let run = fixture_run();
    let dir = tempfile::tempdir().unwrap();
    let create = fixture_event("david");
    let mut reference = create.clone();
    reference["activityDateTime"] = "2025-03-03T09:30:00Z".into();
    reference["provisioningAction"] = "update".into();
    reference["provisioningSteps"] = serde_json::json!([
        {"name": "EntryReferenceResolution", "provisioningStepType": "referenceResolution", "status": "success", "details": {}},
        {"name": "EntryExportUpdate", "provisioningStepType": "export", "status": "success", "details": {}}
    ]);
    reference["modifiedProperties"] =
        serde_json::json!([{"displayName": "manager", "oldValue": null, "newValue": "x"}]);
    // Newest first, as Graph lists them.
    let logs = ndjson(&dir, "ref.ndjson", &[reference.clone(), create.clone()]);
    let r = rec(&run, &[logs], CycleChoice::LatestFull);
    assert!(
        class_of(&r, "david.martin@contoso.com").is_none(),
        "{:#?}",
        r.discrepancies
    );
    // An update that changes an ordinary attribute is the last export action.
    let mut update = reference.clone();
    update["modifiedProperties"] = serde_json::json!([{"displayName": "department", "oldValue": "Sales", "newValue": "Sales EMEA"}]);
    let logs = ndjson(&dir, "upd.ndjson", &[update, create.clone()]);
    let r = rec(&run, &[logs], CycleChoice::LatestFull);
    let d = class_of(&r, "david.martin@contoso.com").unwrap();
    assert_eq!(
        (d.class, d.predicted.as_str(), d.logged.as_str()),
        (Class::Mismatch, "create", "update")
    );
}

#[test]
fn s37_the_most_severe_status_wins_with_its_error() {
    let run = fixture_run();
    let dir = tempfile::tempdir().unwrap();
    let create = fixture_event("david");
    let mut failed_ref = create.clone();
    failed_ref["activityDateTime"] = "2025-03-03T09:30:00Z".into();
    failed_ref["provisioningAction"] = "update".into();
    failed_ref["provisioningStatusInfo"] = serde_json::json!({"status": "failure", "errorInformation": {
        "errorCode": "UnableToResolveReferenceAttributeValue", "reason": "manager not provisioned",
        "errorCategory": "nonServiceFailure", "recommendedAction": "provision the manager first", "additionalDetails": null}});
    failed_ref["provisioningSteps"] = serde_json::json!([
        {"name": "EntryReferenceResolution", "provisioningStepType": "referenceResolution", "status": "failure", "details": {}}
    ]);
    failed_ref["modifiedProperties"] =
        serde_json::json!([{"displayName": "manager", "oldValue": null, "newValue": "x"}]);
    let logs = ndjson(&dir, "sev.ndjson", &[create.clone(), failed_ref]);
    let r = rec(&run, &[logs], CycleChoice::LatestFull);
    let d = class_of(&r, "david.martin@contoso.com").unwrap();
    assert_eq!(d.class, Class::Failed);
    assert_eq!(
        d.logged, "create failure",
        "the action stays the create (S37)"
    );
    assert!(d.reason.starts_with("UnableToResolveReferenceAttributeValue (nonServiceFailure): manager not provisioned; recommended action: provision the manager first"), "{}", d.reason);
    // A warning does not make a discrepancy; the later of two exports is the action.
    let mut warn = create.clone();
    warn["provisioningStatusInfo"]["status"] = "warning".into();
    let mut skip = create.clone();
    skip["activityDateTime"] = "2025-03-03T08:00:00Z".into();
    skip["provisioningAction"] = "other".into();
    skip["provisioningStatusInfo"]["status"] = "skipped".into();
    let logs = ndjson(&dir, "warn.ndjson", &[warn, skip]);
    let r = rec(&run, &[logs], CycleChoice::LatestFull);
    assert!(
        class_of(&r, "david.martin@contoso.com").is_none(),
        "{:#?}",
        r.discrepancies
    );
}

#[test]
fn s38_clause_comparison_tells_fidelity_from_data_change() {
    let run = fixture_run();
    let dir = tempfile::tempdir().unwrap();
    // Jan's department is "sales" in the export and in the cycle; a log claiming
    // `department EQUALS 'Sales'` true on it disagrees with S5 on the same value.
    let mut jan = fixture_event("jan");
    jan["provisioningAction"] = "update".into();
    let steps = jan["provisioningSteps"].as_array_mut().unwrap();
    steps[1]["details"]["ScopeEvaluationResult"] =
        "{\"Sales EMEA.department EQUALS 'Sales'\":true,\"Sales EMEA.country REGEX MATCH '^(DE|FR|NL)$'\":true}".into();
    steps.truncate(3);
    jan["modifiedProperties"] = serde_json::json!([]);
    let logs = ndjson(&dir, "fid.ndjson", &[jan.clone()]);
    let r = rec(&run, &[logs], CycleChoice::LatestFull);
    let d = class_of(&r, "jan.klein@contoso.com").unwrap();
    assert_eq!(d.class, Class::Mismatch);
    assert!(
        d.reason.contains(
            "a fidelity difference in scopesim: Entra evaluated `department` = \"sales\" as true"
        ),
        "{}",
        d.reason
    );
    assert_eq!(
        d.clause.as_deref(),
        Some("Sales EMEA.department EQUALS 'Sales': Entra true, scopesim false")
    );
    // Without the attribute in the import step, nobody can tell.
    let mut unknown = jan.clone();
    unknown["provisioningSteps"][0]["details"] = serde_json::json!({"objectId": "x"});
    let logs = ndjson(&dir, "unk.ndjson", &[unknown]);
    let r = rec(&run, &[logs], CycleChoice::LatestFull);
    let d = class_of(&r, "jan.klein@contoso.com").unwrap();
    assert!(
        d.reason
            .contains("cannot tell a data change from a fidelity difference"),
        "{}",
        d.reason
    );
    // A clause the rules do not have: the rules differ from the live configuration.
    let mut foreign = jan.clone();
    foreign["provisioningSteps"][1]["details"]["ScopeEvaluationResult"] =
        "{\"Sales EMEA.department EQUALS 'Sales'\":false,\"Sales EMEA.companyName EQUALS 'Contoso'\":true}".into();
    let logs = ndjson(&dir, "nir.ndjson", &[foreign]);
    let r = rec(&run, &[logs], CycleChoice::LatestFull);
    let d = class_of(&r, "jan.klein@contoso.com").unwrap();
    assert_eq!(
        d.clause.as_deref(),
        Some("Sales EMEA.companyName EQUALS 'Contoso': Entra true, scopesim not in the rules")
    );
    assert!(
        d.reason
            .contains("the rules file differs from the live configuration")
    );
    // No scoping filter in the log at all.
    let mut none = jan.clone();
    none["provisioningSteps"][1]["details"]["ScopeEvaluationResult"] = "{}".into();
    let logs = ndjson(&dir, "none.ndjson", &[none]);
    let r = rec(&run, &[logs], CycleChoice::LatestFull);
    let d = class_of(&r, "jan.klein@contoso.com").unwrap();
    assert!(
        d.clause
            .as_deref()
            .unwrap()
            .starts_with("no scoping filter in the log"),
        "{d:?}"
    );
}

#[test]
fn s38_assignment_and_activity_disagreements_are_named() {
    let run = fixture_run();
    let dir = tempfile::tempdir().unwrap();
    let mut lena = fixture_event("lena");
    let details = &mut lena["provisioningSteps"][1]["details"];
    details["Assigned to the application"] = "False".into();
    details["Active in the source system"] = "False".into();
    details["ScopeEvaluationResult"] =
        "{\"Sales EMEA.country REGEX MATCH '^(DE|FR|NL)$'\":true}".into();
    lena["provisioningSteps"][0]["details"]["country"] = "DE".into();
    let logs = ndjson(&dir, "facts.ndjson", &[lena]);
    let r = rec(&run, &[logs], CycleChoice::LatestFull);
    let d = class_of(&r, "lena.gast_fabrikam.com#EXT#@contoso.onmicrosoft.com").unwrap();
    assert!(
        d.reason
            .contains("Entra says not assigned to the application"),
        "{}",
        d.reason
    );
    assert!(
        d.reason
            .contains("Entra says not active in the source system"),
        "{}",
        d.reason
    );
    assert_eq!(d.clause, None);
}

#[test]
fn s37_cycles_are_chosen_and_can_be_named() {
    let run = fixture_run();
    let r = rec(&run, &graph_pages(), CycleChoice::LatestFull);
    assert_eq!(r.compared, ["b6502552-018d-49bd-8869-a47194dc65c1"]);
    assert_eq!(r.cycles.len(), 2);
    // The earlier, one-event cycle alone: only Anna was logged.
    let r = rec(
        &run,
        &graph_pages(),
        CycleChoice::Ids(vec!["44576E58-A14B-40FA-8404-3D22BB46ED93".into()]),
    );
    assert_eq!(
        r.counts.get(Class::NotProcessed),
        8,
        "{:#?}",
        r.discrepancies
    );
    // Every cycle: each user's latest.
    let all = rec(&run, &graph_pages(), CycleChoice::All);
    let full = rec(&run, &graph_pages(), CycleChoice::LatestFull);
    assert_eq!(all.counts, full.counts);
    let e = reconcile(&Request {
        run: &run,
        app: None,
        stage: None,
        logs: &graph_pages(),
        log_app: None,
        cycles: &CycleChoice::Ids(vec!["nope".into()]),
        job_status: None,
    })
    .unwrap_err();
    assert_eq!(e.first().code, "log-unknown-cycle");
}

#[test]
fn s36_no_event_for_the_app_is_an_error_naming_the_apps_found() {
    let run = fixture_run();
    let e = reconcile(&Request {
        run: &run,
        app: None,
        stage: None,
        logs: &graph_pages(),
        log_app: Some("Workday"),
        cycles: &CycleChoice::LatestFull,
        job_status: None,
    })
    .unwrap_err();
    let d = e.first();
    assert_eq!(d.code, "log-no-events");
    assert!(
        d.help.as_deref().unwrap().contains("`Salesforce` (15)"),
        "{d:?}"
    );
    // The app can be named by its service principal id or its job id.
    for name in [
        "6cc35b93-185a-4485-a519-50c09549f3ad",
        "SalesforceOutDelta.74beb1753b804b63b9d56f0b76082b16.10a7a801-7101-4c69-ae00-ce9f75f8460a",
        "10a7a801-7101-4c69-ae00-ce9f75f8460a",
    ] {
        let r = reconcile(&Request {
            run: &run,
            app: None,
            stage: None,
            logs: &graph_pages(),
            log_app: Some(name),
            cycles: &CycleChoice::LatestFull,
            job_status: None,
        })
        .unwrap();
        assert_eq!(r.counts.discrepancies(), 6, "{name}");
    }
}

#[test]
fn malformed_logs_are_located() {
    let run = fixture_run();
    let err = |f: &str| {
        reconcile(&Request {
            run: &run,
            app: None,
            stage: None,
            logs: &[p(f)],
            log_app: None,
            cycles: &CycleChoice::LatestFull,
            job_status: None,
        })
        .unwrap_err()
        .first()
        .clone()
    };
    let d = err("fixtures/logs/bad/truncated.json");
    assert_eq!(d.code, "log-syntax");
    let at = d.location.as_ref().unwrap();
    assert_eq!((at.line, at.record), (Some(3), Some(2)), "{d:?}");
    let d = err("fixtures/logs/bad/no-source-id.ndjson");
    assert_eq!(d.code, "log-shape");
    assert!(
        d.message.contains("no `sourceIdentity.id`"),
        "{}",
        d.message
    );
    assert_eq!(d.location.as_ref().unwrap().line, Some(2));
    assert_eq!(d.location.as_ref().unwrap().record, Some(2));
    let d = err("fixtures/logs/bad/bad-date.ndjson");
    assert!(
        d.message.contains("`activityDateTime` is `yesterday`"),
        "{}",
        d.message
    );
    let d = err("fixtures/logs/nope.json");
    assert_eq!(d.code, "io");
}

fn job(
    file: &str,
) -> (
    scopesim::reconcile::job::JobExplanation,
    Vec<scopesim::diag::Diagnostic>,
) {
    let (j, w, input) = scopesim::reconcile::job::read_job_status(&p(file), &[], Some(3)).unwrap();
    assert_eq!(input.role, "job-status");
    (j, w)
}

#[test]
fn job_status_explanations() {
    let (j, w) = job("fixtures/logs/job-too-many-deletes.json");
    let q = j.quarantine.as_ref().unwrap();
    assert!(
        q.meaning
            .starts_with("TooManyDeletes: one cycle would disable or delete more accounts")
    );
    assert_eq!(q.disabled_after.as_deref(), Some("2025-03-31T09:03:00Z"));
    assert!(j.steady_state.starts_with("never reached"));
    assert_eq!(j.deletion_threshold, Some(3));
    assert!(w.is_empty(), "the job's threshold is the rules' one");
    assert!(j.next_steps[0].contains("Allow deletes"));
    assert!(j.needs_attention());

    let (j, _) = job("fixtures/logs/job-escrow.json");
    let q = j.quarantine.as_ref().unwrap();
    assert!(
        q.meaning
            .contains("more than 40% of provisioning events failed")
    );
    assert_eq!(
        q.days,
        Some(28),
        "measured to the last execution's end, not the clock"
    );
    assert!(
        j.escrow
            .as_deref()
            .unwrap()
            .contains("30000 failures of 35000 expected exports (85.7%")
    );
    assert!(
        j.escrow
            .as_deref()
            .unwrap()
            .contains("quarantine expected (EncounteredEscrowProportionThreshold)")
    );
    assert!(
        j.steady_state
            .starts_with("reached: first at 2025-01-10T10:00:00Z")
    );
    assert!(
        j.next_steps
            .iter()
            .any(|s| s.contains("fix the failing entries"))
    );

    let (j, w) = job("fixtures/logs/job-active.json");
    assert!(j.quarantine.is_none());
    assert_eq!(j.code_meaning, "running periodically");
    assert_eq!(j.schedule.as_deref(), Some("Active, every 40 minutes"));
    assert!(!j.needs_attention());
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].code, "job-threshold-differs");
    assert!(
        w[0].message
            .contains("the job's accidental-deletion threshold is 500, the rules say 3")
    );

    // Microsoft's own example, with dates as empty strings.
    let (j, _) = job("fixtures/logs/job-graph-example.json");
    assert_eq!(j.code.as_deref(), Some("Paused"));
    assert_eq!(
        j.schedule.as_deref(),
        Some("Disabled, never (TimeSpan.MaxValue)")
    );
    let q = j.quarantine.as_ref().unwrap();
    assert_eq!(q.reason, None);
    assert!(
        q.error.as_deref().unwrap().starts_with(
            "SalesforceInvalidCredentials: Your Salesforce.com credentials are invalid."
        )
    );
    assert_eq!(q.series_began, None);
    assert!(
        j.next_steps
            .iter()
            .any(|s| s.contains("start provisioning again"))
    );
}

fn cli() -> Command {
    let mut c = Command::cargo_bin("scopesim").unwrap();
    c.current_dir(root()).env("NO_COLOR", "1");
    c
}

/// The fixture's command line, before `--logs`.
pub const BASE: [&str; 10] = [
    "reconcile",
    RULES,
    "-d",
    "fixtures/users.csv",
    "--assignments",
    "fixtures/assignments.csv",
    "--group-members",
    "fixtures/group-members.csv",
    "--target-state",
    "Salesforce=fixtures/logs/salesforce-accounts.csv",
];

#[test]
fn cli_json_shape_report_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.csv");
    let out = cli()
        .args(BASE)
        .args([
            "--logs",
            "fixtures/logs/events.ndjson",
            "--format",
            "json",
            "--job-status",
        ])
        .arg("fixtures/logs/job-too-many-deletes.json")
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["app", "stage", "counts", "discrepancies", "job", "inputs"]
    );
    let counts: Vec<&str> = v["counts"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        counts,
        [
            "as_predicted",
            "mismatch",
            "failed",
            "held",
            "not_processed",
            "unexpected"
        ]
    );
    let d = &v["discrepancies"][0];
    let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "objectId",
            "userPrincipalName",
            "class",
            "predicted",
            "logged",
            "reason",
            "clause"
        ]
    );
    assert_eq!(v["job"]["quarantine"]["reason"], "TooManyDeletes");
    let roles: Vec<&str> = v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        [
            "rules",
            "directory",
            "assignments",
            "group-members",
            "target-state",
            "logs",
            "job-status"
        ]
    );
    let csv = std::fs::read_to_string(&report).unwrap();
    assert!(csv.starts_with("objectId,userPrincipalName,predicted,logged,class,reason,clause\n"));
    assert_eq!(csv.lines().count(), 7);

    // HTML is self-contained and escaped.
    let out = cli()
        .args(BASE)
        .args(["--logs", "fixtures/logs/events.ndjson", "--format", "html"])
        .output()
        .unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("lena.gast_fabrikam.com#EXT#@contoso.onmicrosoft.com"));
    assert!(html.contains("REGEX MATCH &#39;^(DE|FR|NL)$&#39;"));
    assert!(!html.contains("<script"));

    // Malformed logs: exit 2 with the location.
    let out = cli()
        .args(BASE)
        .args(["--logs", "fixtures/logs/bad/truncated.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("fixtures/logs/bad/truncated.json:3"), "{err}");
}

#[test]
fn csv_report_cells_are_formula_guarded() {
    let run = fixture_run();
    let mut r = rec(&run, &graph_pages(), CycleChoice::LatestFull);
    r.discrepancies[0].reason = "=HYPERLINK(\"http://x\")".into();
    let mut buf = Vec::new();
    render::report_csv(&r, &mut buf).unwrap();
    assert!(String::from_utf8(buf).unwrap().contains("'=HYPERLINK"));
}

#[test]
fn explain_with_logs_adds_the_logged_outcome() {
    let run = fixture_run();
    let row = (0..run.directory.len())
        .find(|&r| {
            run.directory.value_by_name(r, "userPrincipalName") == Some("hugo.blank@contoso.com")
        })
        .unwrap();
    let o = user_outcome(&run, None, None, row, &graph_pages(), None).unwrap();
    assert_eq!(
        (o.class, o.predicted.as_str(), o.logged.as_str()),
        (Class::Mismatch, "skip", "create")
    );
    assert_eq!(o.events, 1);
    let out = cli()
        .args([
            "explain",
            RULES,
            "-d",
            "fixtures/users.csv",
            "--assignments",
            "fixtures/assignments.csv",
            "--group-members",
            "fixtures/group-members.csv",
            "--target-state",
            "Salesforce=fixtures/logs/salesforce-accounts.csv",
            "-u",
            "anna.schmidt@contoso.com",
            "--logs",
            "fixtures/logs/events.ndjson",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("logged (app `Salesforce`, stage `wave-1`, cycle b6502552-018d-49bd-8869-a47194dc65c1): update (2 events)"), "{text}");
    assert!(text.contains("predicted update: as predicted"), "{text}");
}

/// `scopesim gen --logs` for 100,000 users, 25 discrepancies of each kind injected:
/// reconciliation finds every injected user in its class, and nothing else.
#[test]
fn generated_log_for_100000_users_reconciles_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = cli()
        .args([
            "gen",
            "--users",
            "100000",
            "--seed",
            "3",
            "--formats",
            "csv",
            "--out",
        ])
        .arg(d)
        .args(["--logs", "fixtures/logs/generated.scope", "--inject", "25"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "(injected: 25 mismatch, 25 failed, 25 held, 25 not_processed, 25 unexpected)"
        ),
        "{text}"
    );
    let report = d.join("report.csv");
    let out = cli()
        .args(["reconcile", "fixtures/logs/generated.scope", "-d"])
        .arg(d.join("users.csv"))
        .arg("--assignments")
        .arg(d.join("assignments.csv"))
        .arg("--group-members")
        .arg(d.join("group-members.csv"))
        .arg("--logs")
        .arg(d.join("provisioning-logs.ndjson"))
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |path: &Path| -> Vec<(String, String)> {
        let mut rows: Vec<(String, String)> = csv::Reader::from_path(path)
            .unwrap()
            .records()
            .map(|r| {
                let r = r.unwrap();
                if r.len() == 2 {
                    (r[0].to_string(), r[1].to_string())
                } else {
                    (r[0].to_string(), r[4].to_string())
                }
            })
            .collect();
        rows.sort();
        rows
    };
    let expected = read(&d.join("provisioning-logs.expected.csv"));
    assert_eq!(expected.len(), 125);
    assert_eq!(read(&report), expected);
}

#[test]
fn s38_undocumented_values_are_counted_and_never_agree() {
    let run = fixture_run();
    let dir = tempfile::tempdir().unwrap();
    let mut david = fixture_event("david");
    david["provisioningAction"] = "unknownFutureValue".into();
    let logs = ndjson(&dir, "unk.ndjson", &[david]);
    let r = rec(&run, &[logs], CycleChoice::LatestFull);
    let d = class_of(&r, "david.martin@contoso.com").unwrap();
    assert_eq!((d.class, d.logged.as_str()), (Class::Mismatch, "unknown"));
    assert!(d.reason.contains("an action Microsoft does not document"));
    let w = r
        .warnings
        .iter()
        .find(|w| w.code == "log-unknown-value")
        .unwrap();
    assert!(
        w.message.contains("`unknownFutureValue` (1)"),
        "{}",
        w.message
    );
}

#[test]
fn s37_a_log_without_most_predicted_events_is_flagged() {
    let run = fixture_run();
    let dir = tempfile::tempdir().unwrap();
    // Only David's create: eight of the nine predicted actions (the leaver's delete
    // included) have no event.
    let logs = ndjson(&dir, "one.ndjson", &[fixture_event("david")]);
    let r = rec(&run, &[logs], CycleChoice::LatestFull);
    assert_eq!(r.counts.get(Class::NotProcessed), 8);
    // Below ten acting users the warning would be noise; the fixture has nine.
    assert!(r.warnings.iter().all(|w| w.code != "log-partial-cycle"));
    // On a generated tenant a quarter of the log is not enough.
    let gen_dir = tempfile::tempdir().unwrap();
    let out = cli()
        .args(["gen", "--users", "400", "--formats", "csv", "--out"])
        .arg(gen_dir.path())
        .args(["--logs", "fixtures/logs/generated.scope"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let log = gen_dir.path().join("provisioning-logs.ndjson");
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&log, lines[..lines.len() / 4].join("\n")).unwrap();
    let out = cli()
        .args(["reconcile", "fixtures/logs/generated.scope", "-d"])
        .arg(gen_dir.path().join("users.csv"))
        .arg("--assignments")
        .arg(gen_dir.path().join("assignments.csv"))
        .arg("--group-members")
        .arg(gen_dir.path().join("group-members.csv"))
        .arg("--logs")
        .arg(&log)
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("log-partial-cycle"), "{err}");
}

#[test]
fn utf16_logs_from_windows_powershell_read_like_utf8() {
    let run = fixture_run();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(p("fixtures/logs/events.ndjson")).unwrap();
    let mut bytes = vec![0xff, 0xfe];
    for u in text.replace('\n', "\r\n").encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let path = dir.path().join("utf16.json");
    std::fs::write(&path, bytes).unwrap();
    let a = rec(&run, &[path], CycleChoice::LatestFull);
    let b = rec(
        &run,
        &[p("fixtures/logs/events.ndjson")],
        CycleChoice::LatestFull,
    );
    assert_eq!(a.counts, b.counts);
    assert_eq!(a.discrepancies, b.discrepancies);
}
