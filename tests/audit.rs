//! The least-privilege audit (issue: who has an account the rules would not give them):
//! every class on the fixture apps of `fixtures/audit/` (README there), the per-account
//! view of the rollout it reads (S31, S32), the exit codes, the report's evidence rules
//! and the JSON shape.

use crate::cli::scopesim;
use scopesim::audit::{Audit, Audited, AuditedAccount, Class, Selection};
use scopesim::directory::NoProgress;
use scopesim::pipeline::{DirectorySource, InputFiles, Options, Rules, Simulation};
use scopesim::regex::Anchoring;
use scopesim::rollout::AccountOwner;
use serde_json::Value;
use std::path::{Path, PathBuf};

const F: &str = "fixtures/audit";

/// The fixture's command line, before the options of a test.
pub const FIXTURE: [&str; 12] = [
    "audit",
    "fixtures/audit/audit.scope",
    "--directory",
    "fixtures/audit/users.csv",
    "--assignments",
    "fixtures/audit/assignments.csv",
    "--group-members",
    "fixtures/audit/group-members.csv",
    "--target-state",
    "Salesforce=fixtures/audit/salesforce-users.csv",
    "--target-state",
    "Slack=fixtures/audit/slack-users.json",
];

/// [`FIXTURE`] as owned arguments.
fn fixture_args() -> Vec<String> {
    FIXTURE.iter().map(|s| s.to_string()).collect()
}

/// Runs the audit through the library on these files.
fn audit_files(
    rules: &Path,
    users: &Path,
    files: InputFiles,
    selection: Selection<'_>,
) -> Result<Audited, scopesim::diag::Errors> {
    let rules = Rules::load(rules, Anchoring::Partial)?;
    let inputs = files.read()?;
    let source = DirectorySource {
        paths: vec![users.to_path_buf()],
        ..DirectorySource::default()
    };
    let sim = Simulation {
        rules: &rules,
        directory: &source,
        inputs: &inputs,
        options: Options::default(),
    };
    scopesim::audit::run(&sim, selection, &NoProgress)
}

fn fixture(stage: Option<&str>) -> Audited {
    let files = InputFiles {
        assignments: vec![format!("{F}/assignments.csv").into()],
        group_members: vec![format!("{F}/group-members.csv").into()],
        target_states: vec![
            format!("Salesforce={F}/salesforce-users.csv"),
            format!("Slack={F}/slack-users.json"),
        ],
        match_on: None,
    };
    audit_files(
        Path::new(&format!("{F}/audit.scope")),
        Path::new(&format!("{F}/users.csv")),
        files,
        Selection { app: None, stage },
    )
    .unwrap_or_else(|e| panic!("{e:#?}"))
}

fn classes(audit: &Audit, app: &str) -> Vec<(String, Class)> {
    audit
        .apps
        .iter()
        .find(|a| a.app == app)
        .unwrap_or_else(|| panic!("no app {app}"))
        .accounts
        .iter()
        .map(|a| (a.key.split('@').next().unwrap().to_string(), a.class))
        .collect()
}

fn account<'a>(audit: &'a Audit, app: &str, key: &str) -> &'a AuditedAccount {
    audit
        .apps
        .iter()
        .find(|a| a.app == app)
        .and_then(|a| a.accounts.iter().find(|x| x.key.starts_with(key)))
        .unwrap_or_else(|| panic!("no account {key} in {app}"))
}

fn pairs(v: &[(&str, Class)]) -> Vec<(String, Class)> {
    v.iter().map(|(k, c)| (k.to_string(), *c)).collect()
}

#[test]
fn s31_s32_s27_every_class_on_the_fixture_apps_at_their_last_stage() {
    let done = fixture(None);
    let a = &done.audit;
    use Class::*;
    // Salesforce: managed accounts (a `managed` column), a held last stage (3 disables > 2).
    assert_eq!(
        classes(a, "Salesforce"),
        pairs(&[
            ("bob.king", Held),
            ("cara.diaz", Held),
            ("dan.ellis", Held),
            ("kim.moss", WillRemove),
            ("eve.ford", EnabledButDisabled),
            ("finn.gray", Unmanaged),
            ("svc.backup", Orphan),
            ("old.leaver", WillRemove),
        ])
    );
    // Slack: a SCIM `GET /Users` without `managed` (externalId decides, S31), and
    // SkipOutOfScopeDeletions; amy and finn (matched by userName, S32) are provisioned.
    assert_eq!(
        classes(a, "Slack"),
        pairs(&[
            ("hank.ives", Kept),
            ("ivy.jones", EnabledButDisabled),
            ("jack.lee", WillRemove),
            ("lara.nash", Unmanaged),
            ("leo.west", Orphan),
            ("payroll-bot", Orphan),
            ("bob.king", ToCreate),
            ("cara.diaz", ToCreate),
            ("dan.ellis", ToCreate),
            ("gina.hall", ToCreate),
            ("kim.moss", ToCreate),
        ])
    );
    let sf = &a.apps[0];
    assert_eq!(
        (sf.stage.as_str(), sf.target_accounts, sf.provisioned),
        ("it-only", 9, 1)
    );
    assert!(sf.held_stage);
    assert_eq!(sf.after_stages, ["current"]);
    let slack = &a.apps[1];
    assert_eq!((slack.target_accounts, slack.provisioned), (8, 2));
    assert_eq!(a.needing_review(), 11);
}

#[test]
fn s27_held_accounts_name_the_threshold_and_their_last_stage_in_scope() {
    let done = fixture(None);
    let bob = account(&done.audit, "Salesforce", "bob.king");
    assert!(
        bob.reason
            .contains("pass the deletion threshold of 2 (S27)"),
        "{}",
        bob.reason
    );
    assert_eq!(bob.last_in_scope_stage.as_deref(), Some("current"));
    assert_eq!(
        bob.active_in_app,
        Some(true),
        "a held disable leaves it active"
    );
    assert_eq!(
        bob.object_id.as_deref(),
        Some("b1ef8ba0-1ee7-54fc-b16c-43fb2c124e3c")
    );
    // The orphan deleted at `current` (1 delete, not held) is gone at `it-only`.
    let leaver = account(&done.audit, "Salesforce", "old.leaver");
    assert!(
        leaver
            .reason
            .contains("deleted it in the cycle of stage `current`")
    );
    assert_eq!(
        (leaver.object_id.as_deref(), leaver.user.as_deref()),
        (None, None)
    );
}

#[test]
fn s24_the_chosen_stage_changes_what_is_provisioned_and_what_is_created() {
    let done = fixture(Some("current"));
    let a = &done.audit;
    use Class::*;
    assert_eq!(
        classes(a, "Salesforce"),
        pairs(&[
            ("kim.moss", WillRemove),
            ("eve.ford", EnabledButDisabled),
            ("finn.gray", Unmanaged),
            ("svc.backup", Orphan),
            ("old.leaver", WillRemove),
            ("gina.hall", ToCreate),
        ])
    );
    let sf = &a.apps[0];
    assert!(!sf.held_stage);
    assert_eq!(
        sf.provisioned, 4,
        "amy, bob, cara and dan are in scope at `current`"
    );
    let leaver = account(a, "Salesforce", "old.leaver");
    assert!(leaver.reason.contains("Entra deletes it in this cycle"));
    // `current` is Salesforce's first stage; Slack has one stage, `current` as well.
    assert_eq!(a.apps.len(), 2);
}

#[test]
fn s25_enabled_but_disabled_says_why_entra_will_not_disable() {
    let done = fixture(None);
    let eve = account(&done.audit, "Salesforce", "eve.ford");
    assert!(
        eve.reason.contains("accountEnabled is false"),
        "{}",
        eve.reason
    );
    assert!(
        eve.reason.contains("not managed by Entra (S31)"),
        "{}",
        eve.reason
    );
    assert_eq!(eve.last_in_scope_stage.as_deref(), Some("it-only"));
    let ivy = account(&done.audit, "Slack", "ivy.jones");
    assert!(
        ivy.reason
            .contains("SkipOutOfScopeDeletions keeps the account"),
        "{}",
        ivy.reason
    );
    // In scope but disabled in Entra: disabled even under SkipOutOfScopeDeletions.
    let jack = account(&done.audit, "Slack", "jack.lee");
    assert!(jack.reason.starts_with("Entra disables it in this cycle"));
}

#[test]
fn s32_the_rollout_tells_whose_each_target_account_is() {
    let done = fixture(None);
    let rollout = &done.run.evaluated.rollout;
    let dir = &done.run.directory;
    let row = |upn: &str| dir.find_user(upn).unwrap();
    let slack = &rollout.apps[1];
    let owners: Vec<AccountOwner> = slack
        .matching
        .accounts()
        .iter()
        .map(|l| l.owner.clone())
        .collect();
    assert_eq!(
        owners,
        vec![
            AccountOwner::Managed(row("amy.chen@fabrikam.com")),
            AccountOwner::Managed(row("hank.ives@fabrikam.com")),
            AccountOwner::Managed(row("ivy.jones@fabrikam.com")),
            AccountOwner::Managed(row("jack.lee@fabrikam.com")),
            // `Finn.Gray@...` without externalId: matched ignoring case (SCIM userName)
            AccountOwner::Matches(row("finn.gray@fabrikam.com")),
            AccountOwner::Matches(row("lara.nash@fabrikam.com")),
            AccountOwner::Unmatched,
            AccountOwner::Unmatched,
        ]
    );
    let sf = &rollout.apps[0];
    let gone = sf
        .matching
        .accounts()
        .iter()
        .find(|l| l.owner == AccountOwner::Gone)
        .unwrap();
    let orphan = &sf.orphans[gone.orphan.unwrap()];
    assert_eq!(
        (orphan.key.as_str(), orphan.managed),
        ("old.leaver@fabrikam.com", true)
    );
}

/// Files in a temporary directory.
struct Tenant {
    dir: tempfile::TempDir,
}

impl Tenant {
    fn new(files: &[(&str, &str)]) -> Tenant {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        Tenant { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Audits `rules.scope` on `users.csv` with these target states (`APP=file`).
    fn audit(&self, targets: &[&str], stage: Option<&str>) -> Audited {
        let files = InputFiles {
            assignments: Vec::new(),
            group_members: vec![],
            target_states: targets
                .iter()
                .map(|t| {
                    let (app, f) = t.split_once('=').unwrap();
                    format!("{app}={}", self.path(f).display())
                })
                .collect(),
            match_on: None,
        };
        audit_files(
            &self.path("rules.scope"),
            &self.path("users.csv"),
            files,
            Selection { app: None, stage },
        )
        .unwrap_or_else(|e| panic!("{e:#?}"))
    }
}

const USERS: &str = "userPrincipalName,objectId,department,accountEnabled\n\
a@x.com,id-a,IT,True\n\
b@x.com,id-b,Sales,True\n\
c@x.com,id-c,Sales,True\n\
d@x.com,id-d,IT,False\n";

#[test]
fn s32_accounts_whose_matching_fails_are_unmanaged_with_the_entra_error() {
    // b and c share a mail (DuplicateSourceEntries); a's UPN matches two accounts
    // (DuplicateTargetEntries, the second through `Username` in another case).
    let t = Tenant::new(&[
        (
            "rules.scope",
            "app \"A\" {\n scope all\n filter \"all\" { department IS NOT NULL }\n}\n",
        ),
        (
            "users.csv",
            "userPrincipalName,objectId,department,accountEnabled\n\
             a@x.com,id-a,IT,True\nb@x.com,id-b,Sales,True\nb@x.com,id-c,Sales,True\n",
        ),
        (
            "a.csv",
            "userName,active\na@x.com,true\nA@X.COM,true\nb@x.com,true\n",
        ),
    ]);
    let done = t.audit(&["A=a.csv"], None);
    let app = &done.audit.apps[0];
    let got: Vec<(&str, Class)> = app
        .accounts
        .iter()
        .map(|a| (a.key.as_str(), a.class))
        .collect();
    assert_eq!(
        got,
        [
            ("a@x.com", Class::Unmanaged),
            ("A@X.COM", Class::Unmanaged),
            ("b@x.com", Class::Unmanaged),
        ]
    );
    assert!(
        app.accounts[0].reason.contains("DuplicateTargetEntries"),
        "{}",
        app.accounts[0].reason
    );
    assert!(
        app.accounts[2].reason.contains("DuplicateSourceEntries"),
        "{}",
        app.accounts[2].reason
    );
    assert_eq!(app.accounts[2].object_id, None, "two users: no one user");
    assert_eq!(app.counts.to_create, 0, "failing users are not created");
}

#[test]
fn s31_an_account_entra_disabled_when_its_user_was_unassigned_is_will_remove_later() {
    // `b` is managed but not a candidate (not assigned): disabled in the first stage's
    // cycle, no longer managed (HPW); at the second stage Entra has already removed it.
    let t = Tenant::new(&[
        (
            "rules.scope",
            "app \"A\" {\n stage \"one\" { filter \"IT\" { department EQUALS \"IT\" } }\n stage \"two\" { filter \"IT\" { department EQUALS \"IT\" } }\n}\n",
        ),
        ("users.csv", USERS),
        ("assign.csv", "app,principalType,principalId\nA,User,id-a\n"),
        (
            "a.csv",
            "userName,externalId,active,managed\na@x.com,id-a,true,true\nb@x.com,id-b,true,true\n",
        ),
    ]);
    let files = InputFiles {
        assignments: vec![t.path("assign.csv")],
        group_members: vec![],
        target_states: vec![format!("A={}", t.path("a.csv").display())],
        match_on: None,
    };
    let run = |stage| {
        audit_files(
            &t.path("rules.scope"),
            &t.path("users.csv"),
            files.clone(),
            Selection { app: None, stage },
        )
        .unwrap()
    };
    let first = run(Some("one"));
    let b = &first.audit.apps[0].accounts[0];
    assert_eq!((b.key.as_str(), b.class), ("b@x.com", Class::WillRemove));
    assert!(
        b.reason.starts_with("Entra disables it in this cycle"),
        "{}",
        b.reason
    );
    let last = run(None);
    let b = &last.audit.apps[0].accounts[0];
    assert_eq!(b.class, Class::WillRemove);
    assert!(
        b.reason
            .contains("in the cycle of stage `one` when `b@x.com` was unassigned"),
        "{}",
        b.reason
    );
    assert_eq!(b.active_in_app, Some(false));
}

#[test]
fn s33_a_managed_orphan_entra_does_not_delete_is_an_orphan() {
    let t = Tenant::new(&[
        (
            "rules.scope",
            "app \"A\" {\n scope all\n flow_types \"Add, Update\"\n filter \"IT\" { department EQUALS \"IT\" }\n}\n",
        ),
        ("users.csv", USERS),
        (
            "a.csv",
            "userName,externalId,active,managed\ngone@x.com,id-gone,true,true\n",
        ),
    ]);
    let done = t.audit(&["A=a.csv"], None);
    let gone = &done.audit.apps[0].accounts[0];
    assert_eq!(gone.class, Class::Orphan);
    assert!(
        gone.reason.contains("the Delete flow is off (S33)"),
        "{}",
        gone.reason
    );
}

#[test]
fn s31_a_second_managed_account_and_a_shadowed_account_are_unmanaged() {
    let t = Tenant::new(&[
        (
            "rules.scope",
            "app \"A\" {\n scope all\n filter \"IT\" { department EQUALS \"IT\" }\n}\n",
        ),
        ("users.csv", USERS),
        // a has two accounts marked managed; a third account has a's userName but
        // is not managed (a already has one: Entra never matches it).
        (
            "a.csv",
            "userName,externalId,active,managed\na@x.com,id-a,true,true\na.admin@x.com,id-a,true,true\na@x.com,,true,false\n",
        ),
    ]);
    let done = t.audit(&["A=a.csv"], None);
    let app = &done.audit.apps[0];
    assert_eq!(app.provisioned, 1);
    let got: Vec<(&str, Class)> = app
        .accounts
        .iter()
        .map(|a| (a.key.as_str(), a.class))
        .collect();
    assert_eq!(
        got,
        [
            ("a.admin@x.com", Class::Unmanaged),
            ("a@x.com", Class::Unmanaged)
        ]
    );
    assert!(
        app.accounts[0]
            .reason
            .contains("a second account marked managed")
    );
    assert!(
        app.accounts[1]
            .reason
            .contains("Entra keeps or matches another account")
    );
    assert_eq!(app.accounts[1].user.as_deref(), Some("a@x.com"));
}

#[test]
fn s31_an_app_without_target_state_is_skipped_and_none_left_is_an_error() {
    let t = Tenant::new(&[
        (
            "rules.scope",
            "app \"A\" {\n scope all\n filter \"IT\" { department EQUALS \"IT\" }\n}\napp \"B\" {\n scope all\n filter \"IT\" { department EQUALS \"IT\" }\n}\n",
        ),
        ("users.csv", USERS),
        ("a.csv", "userName\na@x.com\n"),
    ]);
    let done = t.audit(&["A=a.csv"], None);
    assert_eq!(done.audit.apps.len(), 1);
    let codes: Vec<&str> = done
        .audit
        .warnings
        .iter()
        .map(|w| w.code.as_str())
        .collect();
    assert!(codes.contains(&"audit-app-skipped"), "{codes:?}");
    assert!(codes.contains(&"account-activity-unknown"), "{codes:?}");
    let none = audit_files(
        &t.path("rules.scope"),
        &t.path("users.csv"),
        InputFiles::default(),
        Selection::default(),
    )
    .unwrap_err();
    assert_eq!(none[0].code, "nothing-to-audit");
}

#[test]
fn audit_exits_1_when_entra_leaves_accounts_and_0_when_it_fixes_them_all() {
    scopesim().args(fixture_args()).assert().code(1);
    // Only accounts Entra removes by itself and users to create: 0.
    let t = Tenant::new(&[
        (
            "rules.scope",
            "app \"A\" {\n scope all\n filter \"IT\" { department EQUALS \"IT\" }\n}\n",
        ),
        ("users.csv", USERS),
        (
            "a.csv",
            "userName,externalId,active,managed\nb@x.com,id-b,true,true\nd@x.com,id-d,true,true\n",
        ),
    ]);
    let out = scopesim()
        .args(["audit", "--directory"])
        .arg(t.path("users.csv"))
        .arg(t.path("rules.scope"))
        .arg(format!("--target-state=A={}", t.path("a.csv").display()))
        .args(["--format", "json"])
        .assert()
        .code(0);
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["apps"][0]["counts"]["will_remove"], 2);
    assert_eq!(v["apps"][0]["counts"]["to_create"], 1);
}

#[test]
fn audit_exits_2_on_input_errors() {
    let mut args = fixture_args();
    args.push("--target-state".into());
    args.push("Slack=fixtures/audit/missing.json".into());
    scopesim().args(&args).assert().code(2);
    // No target state at all: nothing to audit.
    let out = scopesim().args(&FIXTURE[..8]).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("nothing to audit"), "{err}");
    // An unknown stage.
    let mut args = fixture_args();
    args.extend(["--stage".into(), "nope".into()]);
    scopesim().args(&args).assert().code(2);
}

#[test]
fn audit_json_has_the_stable_shape_and_is_deterministic() {
    let mut args = fixture_args();
    args.extend(["--format".into(), "json".into()]);
    let a = scopesim().args(&args).assert().code(1);
    let b = scopesim().args(&args).assert().code(1);
    assert_eq!(a.get_output().stdout, b.get_output().stdout);
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let top: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(&top[..2], ["apps", "inputs"]);
    let app = &v["apps"][0];
    for k in ["app", "stage", "counts", "accounts"] {
        assert!(app.get(k).is_some(), "missing {k}");
    }
    assert_eq!(
        (app["app"].as_str(), app["stage"].as_str()),
        (Some("Salesforce"), Some("it-only"))
    );
    let counts: Vec<&str> = app["counts"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        counts,
        [
            "unmanaged",
            "kept",
            "orphan",
            "held",
            "will_remove",
            "enabled_but_disabled",
            "to_create"
        ]
    );
    let first = app["accounts"][0].as_object().unwrap();
    let keys: Vec<&str> = first.keys().map(String::as_str).take(4).collect();
    assert_eq!(keys, ["key", "objectId", "class", "reason"]);
    assert_eq!(first["class"], "held");
    let orphan = app["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["class"] == "orphan")
        .unwrap();
    assert!(orphan["objectId"].is_null());
    // Counts agree with the accounts listed.
    for (class, n) in app["counts"].as_object().unwrap() {
        let listed = app["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["class"] == *class)
            .count();
        assert_eq!(n.as_u64(), Some(listed as u64), "{class}");
    }
    // Inputs are stated with their hashes.
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
            "target-state"
        ]
    );
    assert!(v["inputs"][4]["sha256"].as_str().unwrap().len() == 64);
}

#[test]
fn audit_report_guards_formulas_and_lists_every_account() {
    let t = Tenant::new(&[
        (
            "rules.scope",
            "app \"A\" {\n scope all\n filter \"IT\" { department EQUALS \"IT\" }\n}\n",
        ),
        ("users.csv", USERS),
        (
            "a.csv",
            "userName,active\n\"=HYPERLINK(\"\"http://evil\"\")\",true\n@SUM(1),true\nb@x.com,true\n",
        ),
    ]);
    let report = t.path("report.csv");
    scopesim()
        .args(["audit"])
        .arg(t.path("rules.scope"))
        .arg("--directory")
        .arg(t.path("users.csv"))
        .arg(format!("--target-state=A={}", t.path("a.csv").display()))
        .arg("--report")
        .arg(&report)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("report: 4 rows written to"));
    let text = std::fs::read_to_string(&report).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header,
        [
            "app",
            "stage",
            "account",
            "file",
            "line",
            "objectId",
            "userPrincipalName",
            "class",
            "reason",
            "last_in_scope_stage",
            "active_in_app"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][2], "'=HYPERLINK(\"http://evil\")");
    assert_eq!(&rows[1][2], "'@SUM(1)");
    assert_eq!((&rows[0][7], &rows[2][7]), ("orphan", "unmanaged"));
    assert_eq!((&rows[2][5], &rows[2][6]), ("id-b", "b@x.com"));
    assert_eq!((&rows[3][6], &rows[3][7]), ("a@x.com", "to_create"));
    // Every text cell is guarded, reasons included.
    for row in &rows {
        for cell in row.iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell}");
        }
    }
}

#[test]
fn audit_refuses_a_report_onto_an_input_and_writes_nothing_when_it_fails() {
    let t = Tenant::new(&[(
        "users.csv",
        &std::fs::read_to_string(format!("{F}/users.csv")).unwrap(),
    )]);
    let before = std::fs::read(t.path("users.csv")).unwrap();
    let mut args = fixture_args();
    // The directory is the copy in the temporary directory, and the report is it.
    let at = args
        .iter()
        .position(|a| a == "fixtures/audit/users.csv")
        .unwrap();
    args[at] = t.path("users.csv").display().to_string();
    args.push("--report".into());
    args.push(t.path("users.csv").display().to_string());
    let out = scopesim().args(&args).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("would destroy the input"), "{err}");
    assert_eq!(std::fs::read(t.path("users.csv")).unwrap(), before);
    // A run that fails after the report is staged (`-o` into a missing directory)
    // leaves no report and no temporary file.
    let mut args = fixture_args();
    let report = t.path("report.csv");
    args.push("--report".into());
    args.push(report.display().to_string());
    args.push("-o".into());
    args.push(t.path("missing/summary.txt").display().to_string());
    scopesim().args(&args).assert().code(2);
    assert!(!report.exists());
    let names: Vec<String> = std::fs::read_dir(t.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["users.csv"]);
}

#[test]
fn audit_html_is_self_contained_and_escaped() {
    let t = Tenant::new(&[
        (
            "rules.scope",
            "app \"A\" {\n scope all\n filter \"IT\" { department EQUALS \"IT\" }\n}\n",
        ),
        ("users.csv", USERS),
        ("a.csv", "userName,active\n<script>alert(1)</script>,true\n"),
    ]);
    let out = scopesim()
        .args(["audit"])
        .arg(t.path("rules.scope"))
        .arg("--directory")
        .arg(t.path("users.csv"))
        .arg(format!("--target-state=A={}", t.path("a.csv").display()))
        .args(["--format", "html"])
        .assert()
        .code(1);
    let html = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        !html.contains("<script"),
        "no script, and user text escaped"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external resource"
    );
    assert!(html.contains("<h2 id=\"inputs\">Inputs</h2>"));
}

#[test]
fn audit_summary_breaks_classes_down_by_department_and_says_when_an_attribute_is_absent() {
    let out = scopesim().args(fixture_args()).assert().code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("  held (3): bob.king@fabrikam.com, cara.diaz@fabrikam.com, dan.ellis@fabrikam.com\n    department: Sales 2, Finance 1; companyName: Fabrikam 3\n"),
        "{text}"
    );
    // USERS has no companyName column.
    let t = Tenant::new(&[
        (
            "rules.scope",
            "app \"A\" {\n scope all\n filter \"IT\" { department EQUALS \"IT\" }\n}\n",
        ),
        ("users.csv", USERS),
        ("a.csv", "userName,active\nb@x.com,true\n"),
    ]);
    let out = scopesim()
        .args(["audit"])
        .arg(t.path("rules.scope"))
        .arg("--directory")
        .arg(t.path("users.csv"))
        .arg(format!("--target-state=A={}", t.path("a.csv").display()))
        .assert()
        .code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("department: Sales 1; companyName: not in the directory export"),
        "{text}"
    );
}

#[test]
fn s32_an_account_matched_then_lost_to_a_duplicate_value_is_contested_duplicate_source() {
    // Matching tries mail first, then employeeId. The one account has only an employee
    // number, user 1's. User 1 hits it by employeeId, but its mail (the first matching
    // attribute it has a value for) is also user 2's: DuplicateSourceEntries among all
    // users (S32), so user 1's match fails and the account is nobody's.
    let t = Tenant::new(&[
        (
            "users.csv",
            "userPrincipalName,objectId,department,accountEnabled,mail,employeeId\n\
             a@x.com,id-a,IT,True,shared@x.com,E1\n\
             b@x.com,id-b,IT,True,shared@x.com,\n",
        ),
        ("a.csv", "employeeNumber,mail,active\nE1,,true\n"),
    ]);
    let mut loaded = crate::common::rules(
        "app \"A\" {\n scope all\n filter \"IT\" { department EQUALS \"IT\" }\n}\n",
    );
    loaded.rules.apps[0].object.matching =
        crate::common::matching(&[("mail", "mail", 1), ("employeeId", "employeeNumber", 2)]);
    let rules = Rules::from_loaded(t.path("rules.scope"), loaded);
    let inputs = InputFiles {
        target_states: vec![format!("A={}", t.path("a.csv").display())],
        ..InputFiles::default()
    }
    .read()
    .unwrap();
    let source = DirectorySource {
        paths: vec![t.path("users.csv")],
        ..DirectorySource::default()
    };
    let sim = Simulation {
        rules: &rules,
        directory: &source,
        inputs: &inputs,
        options: Options::default(),
    };
    let done = scopesim::audit::run(
        &sim,
        Selection {
            app: None,
            stage: None,
        },
        &NoProgress,
    )
    .unwrap_or_else(|e| panic!("{e:#?}"));
    let links = done.run.evaluated.rollout.apps[0].matching.accounts();
    assert!(
        links
            .iter()
            .any(|l| matches!(&l.owner, AccountOwner::Contested(rows) if rows == &[0])),
        "user 1 alone contests the account it lost: {links:#?}"
    );
    let app = &done.audit.apps[0];
    let acc = app
        .accounts
        .iter()
        .find(|a| a.key == "line 2")
        .unwrap_or_else(|| panic!("{:#?}", app.accounts));
    assert_eq!(acc.class, Class::Unmanaged);
    assert!(
        acc.reason.contains("DuplicateSourceEntries")
            && !acc.reason.contains("DuplicateTargetEntries"),
        "{}",
        acc.reason
    );
    assert!(acc.reason.contains("a@x.com"), "{}", acc.reason);
}
