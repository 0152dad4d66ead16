//! The payload stage (S39, S40) and matching on mappings (S32), on the fixture tenant and
//! on schemas shaped like the gallery templates' (`fixtures/payloads/`), through the
//! pipeline as `plan --payloads` runs it.

use scopesim::directory::NoProgress;
use scopesim::pipeline::payloads::{PayloadOptions, PayloadSummary, user_payloads};
use scopesim::pipeline::{
    Columns, DirectorySource, InputFiles, Inputs, Options, Rules, Run, Simulation,
};
use scopesim::regex::Anchoring;
use scopesim::rollout::{Action, Why};
use scopesim::rules::load::LoadOptions;
use serde_json::Value;
use std::path::{Path, PathBuf};

struct Case {
    rules: Rules,
    files: InputFiles,
    directory: DirectorySource,
}

impl Case {
    fn new(rules: &str, app: &str, files: InputFiles, users: &[PathBuf]) -> Case {
        let opts = LoadOptions {
            app_name: Some(app.to_string()),
            ..LoadOptions::default()
        };
        let rules = Rules::load_with(Path::new(rules), &opts, Anchoring::Partial)
            .unwrap_or_else(|e| panic!("{e:#?}"));
        Case {
            rules,
            files,
            directory: DirectorySource {
                paths: users.to_vec(),
                ..DirectorySource::default()
            },
        }
    }

    /// The simulation of this case over `inputs` (its files, as read), default options.
    fn simulation<'a>(&'a self, inputs: &'a Inputs) -> Simulation<'a> {
        Simulation {
            rules: &self.rules,
            directory: &self.directory,
            inputs,
            options: Options::default(),
        }
    }

    /// Runs the plan (streamed, as `plan` does) and the payloads; the records by line.
    fn payloads(&self, columns: Columns) -> (Run, PayloadSummary, Vec<Value>) {
        let inputs = self.files.read().unwrap_or_else(|e| panic!("{e:#?}"));
        let sim = self.simulation(&inputs);
        let run = sim
            .run(columns, &NoProgress)
            .unwrap_or_else(|e| panic!("{e:#?}"));
        let mut out = Vec::new();
        let opts = PayloadOptions::new(None, None, Some("2026-11-02T08:00:00Z"), None).unwrap();
        let summary = sim
            .payloads(&run, &opts, &NoProgress, &mut out)
            .unwrap_or_else(|e| panic!("{e:#?}"));
        let text = String::from_utf8(out).unwrap();
        let records = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (run, summary, records)
    }
}

fn salesforce() -> Case {
    Case::new(
        "fixtures/payloads/salesforce-schema.json",
        "Salesforce",
        InputFiles {
            assignments: vec!["fixtures/assignments.csv".into()],
            group_members: vec!["fixtures/group-members.csv".into()],
            target_states: vec!["Salesforce=fixtures/payloads/salesforce-accounts.csv".into()],
            ..InputFiles::default()
        },
        &["fixtures/users.csv".into()],
    )
}

fn scim() -> Case {
    Case::new(
        "fixtures/payloads/scim-schema.json",
        "Contoso SCIM",
        InputFiles {
            assignments: vec!["fixtures/payloads/scim-assignments.csv".into()],
            group_members: vec!["fixtures/group-members.csv".into()],
            target_states: vec!["Contoso SCIM=fixtures/payloads/scim-accounts.json".into()],
            ..InputFiles::default()
        },
        &["fixtures/users.csv".into()],
    )
}

fn record<'a>(records: &'a [Value], upn: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["userPrincipalName"] == upn)
        .unwrap_or_else(|| panic!("no record for {upn}"))
}

#[test]
fn s40_salesforce_template_creates_with_defaults_and_object_add_only() {
    let (_, summary, records) = salesforce().payloads(Columns::Counts);
    let eva = record(&records, "eva.dejong@contoso.com");
    assert_eq!(eva["action"], "create");
    let a = &eva["attributes"];
    assert_eq!(a["Username"], "eva.dejong@contoso.com");
    assert_eq!(a["Alias"], "eva.dejo", "Mid([userPrincipalName], 1, 8)");
    assert_eq!(
        a["IsActive"], "True",
        "Not([IsSoftDeleted]) for a user in scope"
    );
    assert_eq!(a["LastName"], "de Jong");
    // GD-OM: no source, a default: written on create (ED-ATTR).
    assert_eq!(a["EmailEncodingKey"], "ISO-8859-1");
    // [preferredLanguage] is absent from the export: the expression is NULL, the default flows.
    assert_eq!(a["LocaleSidKey"], "en_US");
    assert_eq!(a["ProfileName"], "Chatter Free User");
    assert!(
        eva["defaults"]
            .as_array()
            .unwrap()
            .contains(&Value::from("LocaleSidKey"))
    );
    assert_eq!(a["CommunityNickname"], "eva.dejong@contoso.com");
    // An update never carries the ObjectAddOnly CommunityNickname, nor a default.
    let anna = record(&records, "anna.schmidt@contoso.com");
    assert_eq!(anna["action"], "update");
    assert!(anna["attributes"].get("CommunityNickname").is_none());
    assert!(anna["attributes"].get("LocaleSidKey").is_none());
    let s = summary.stage("Salesforce", "current").unwrap();
    assert_eq!((s.create, s.update), (3, 2));
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.message.contains("[preferredLanguage]"))
    );
}

#[test]
fn update_split_against_salesforce_accounts_names_old_and_new_values() {
    let (_, summary, records) = salesforce().payloads(Columns::Counts);
    let anna = record(&records, "anna.schmidt@contoso.com");
    assert_eq!(
        anna["change"], "no-change",
        "Entra skips it: RedundantExport"
    );
    let david = record(&records, "david.martin@contoso.com");
    assert_eq!(david["change"], "would-change");
    let ch = &david["changes"];
    assert_eq!(ch["Email"]["old"], "d.martin@contoso.com");
    assert_eq!(ch["Email"]["new"], "david.martin@contoso.com");
    assert_eq!(ch["Title"]["old"], Value::Null);
    assert_eq!(ch["Title"]["new"], "Account Executive");
    // ED-ATTR: a mapping without source is left alone on an account that has a value.
    assert!(ch.get("UserPermissionsMarketingUser").is_none());
    let s = summary.stage("Salesforce", "current").unwrap();
    assert_eq!((s.would_change, s.no_change, s.unknown), (1, 1, 0));
}

#[test]
fn a_value_longer_than_the_target_allows_is_a_predicted_failure() {
    let (_, summary, records) = salesforce().payloads(Columns::Counts);
    let lena = record(
        &records,
        "lena.gast_fabrikam.com#EXT#@contoso.onmicrosoft.com",
    );
    let f = &lena["failures"][0];
    assert_eq!(f["code"], "ValueTooLong");
    assert_eq!(f["documented"], false);
    assert_eq!(f["attribute"], "CommunityNickname");
    let s = summary.stage("Salesforce", "current").unwrap();
    assert_eq!(s.failed, 1);
    assert_eq!(s.failures.get("ValueTooLong"), Some(&1));
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.message.contains("would fail with ValueTooLong"))
    );
}

#[test]
fn scim_defaults_split_updates_and_show_the_switch_bug() {
    let (_, summary, records) = scim().payloads(Columns::Counts);
    let anna = record(&records, "anna.schmidt@contoso.com");
    assert_eq!(anna["change"], "no-change", "{anna:#}");
    let a = &anna["attributes"];
    assert_eq!(
        a["active"], "True",
        "Switch([IsSoftDeleted], , \"False\", \"True\", ...)"
    );
    assert_eq!(
        a["emails[type eq \"work\"].value"],
        "anna.schmidt@contoso.com"
    );
    assert_eq!(a["name.formatted"], "Anna Schmidt");
    let ben = record(&records, "ben.mueller@contoso.com");
    assert_eq!(ben["change"], "would-change");
    let dept = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department";
    assert_eq!(ben["changes"][dept]["old"], "IT Operations");
    assert_eq!(ben["changes"][dept]["new"], "IT");
    assert_eq!(ben["changes"]["title"]["old"], "Service Desk Agent");
    // ED-FUNC: the Switch on an unchanged IsSoftDeleted goes NULL while others change.
    assert_eq!(ben["switchNull"], serde_json::json!(["active"]));
    // David's hand-made account is matched by userName (S32) and completed.
    let david = record(&records, "david.martin@contoso.com");
    assert_eq!(david["action"], "update");
    assert_eq!(david["changes"]["externalId"]["old"], Value::Null);
    let s = summary.stage("Contoso SCIM", "current").unwrap();
    assert_eq!((s.would_change, s.no_change), (2, 1));
    assert_eq!(s.switch_null, 2);
}

#[test]
fn s39_iif_on_a_null_attribute_fails_for_that_user_only() {
    let (_, summary, records) = scim().payloads(Columns::Counts);
    let lena = record(
        &records,
        "lena.gast_fabrikam.com#EXT#@contoso.onmicrosoft.com",
    );
    assert_eq!(lena["failures"][0]["code"], "ExpressionEvaluationFailed");
    assert!(
        lena["failures"][0]["message"]
            .as_str()
            .unwrap()
            .contains("IIF")
    );
    let eva = record(&records, "eva.dejong@contoso.com");
    assert_eq!(eva["attributes"]["userType"], "Employee");
    let s = summary.stage("Contoso SCIM", "current").unwrap();
    assert_eq!(s.failures.get("ExpressionEvaluationFailed"), Some(&1));
}

#[test]
fn streamed_payloads_equal_the_explanations_of_a_directory_in_memory() {
    let case = scim();
    let (_, _, streamed) = case.payloads(Columns::Counts);
    let inputs = case.files.read().unwrap();
    let sim = case.simulation(&inputs);
    let run = sim.run(Columns::All, &NoProgress).unwrap();
    let opts = PayloadOptions::new(None, None, Some("2026-11-02T08:00:00Z"), None).unwrap();
    for r in &streamed {
        let upn = r["userPrincipalName"].as_str().unwrap();
        let row = run.directory.find_user(upn).unwrap();
        let mine = user_payloads(&case.rules, &run, &inputs, row, &opts).unwrap();
        let p = &mine[0].payload;
        let names: Vec<&str> = p.attributes.iter().map(|s| s.target.as_str()).collect();
        let theirs: Vec<&str> = r["attributes"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(names, theirs, "{upn}");
        assert_eq!(
            p.changes.len(),
            r.get("changes").map_or(0, |c| c.as_object().unwrap().len())
        );
    }
}

#[test]
fn payloads_are_byte_identical_across_runs_and_graph_json_exports() {
    let case = scim();
    let (_, _, a) = case.payloads(Columns::Counts);
    let (_, _, b) = case.payloads(Columns::Report);
    assert_eq!(a, b);
    // The same users as Graph pages (read whole, not streamed): the same records for the
    // attributes both exports have.
    let mut graph = scim();
    graph.directory.paths = vec![
        "fixtures/graph/users-page1.json".into(),
        "fixtures/graph/users-page2.json".into(),
    ];
    let (_, _, g) = graph.payloads(Columns::Counts);
    assert_eq!(a.len(), g.len());
    for (x, y) in a.iter().zip(&g) {
        assert_eq!(x["userPrincipalName"], y["userPrincipalName"]);
        assert_eq!(x["action"], y["action"]);
        assert_eq!(x["attributes"]["userName"], y["attributes"]["userName"]);
    }
}

/// A schema text with a user mapping of `mappings` (JSON), scope null.
fn schema_file(dir: &Path, mappings: &str) -> PathBuf {
    let p = dir.join("schema.json");
    std::fs::write(
        &p,
        format!(
            r#"{{"synchronizationRules": [{{"sourceDirectoryName": "Azure Active Directory", "targetDirectoryName": "customappsso",
            "objectMappings": [{{"name": "Provision Microsoft Entra ID Users", "enabled": true, "flowTypes": "Add, Update, Delete",
            "sourceObjectName": "User", "targetObjectName": "User", "scope": null, "attributeMappings": {mappings}}}]}}]}}"#
        ),
    )
    .unwrap();
    p
}

fn users_file(dir: &Path, csv: &str) -> PathBuf {
    let p = dir.join("users.csv");
    std::fs::write(&p, csv).unwrap();
    p
}

fn secrets_sync_all(dir: &Path) -> String {
    let p = dir.join("secrets.json");
    std::fs::write(&p, r#"{"value": [{"key": "SyncAll", "value": "true"}]}"#).unwrap();
    p.display().to_string()
}

fn load(schema: &Path, secrets: &str) -> Rules {
    Rules::load_with(
        schema,
        &LoadOptions {
            app_name: Some("App".into()),
            secrets: vec![secrets.to_string()],
        },
        Anchoring::Partial,
    )
    .unwrap_or_else(|e| panic!("{e:#?}"))
}

#[test]
fn s32_matching_on_an_expression_uses_the_mapping_evaluator() {
    let tmp = tempfile::tempdir().unwrap();
    let schema = schema_file(
        tmp.path(),
        r#"[{"targetAttributeName": "userName", "matchingPriority": 1,
             "source": {"expression": "Join(\"@\", [mailNickname], \"contoso.com\")", "name": "Join", "type": "Function",
               "parameters": [{"key": "separator", "value": {"name": "@", "type": "Constant"}},
                              {"key": "source", "value": {"name": "mailNickname", "type": "Attribute"}},
                              {"key": "source", "value": {"name": "contoso.com", "type": "Constant"}}]}},
            {"targetAttributeName": "displayName", "source": {"name": "displayName", "type": "Attribute"}}]"#,
    );
    let users = users_file(
        tmp.path(),
        "objectId,userPrincipalName,mailNickname,displayName,accountEnabled\n\
         u1,anna@fabrikam.com,anna,Anna,True\n\
         u2,ben@fabrikam.com,,Ben,True\n\
         u3,carl@fabrikam.com,carl,Carl,True\n",
    );
    let target = tmp.path().join("accounts.csv");
    std::fs::write(&target, "userName,displayName\nANNA@contoso.com,Anna Old\n").unwrap();
    let rules = load(&schema, &secrets_sync_all(tmp.path()));
    assert!(
        !rules
            .warnings
            .iter()
            .any(|w| w.code == "matching-expression"),
        "evaluated, so no warning: {:?}",
        rules.warnings
    );
    let case = Case {
        rules,
        files: InputFiles {
            target_states: vec![format!("App={}", target.display())],
            ..InputFiles::default()
        },
        directory: DirectorySource {
            paths: vec![users],
            ..DirectorySource::default()
        },
    };
    for columns in [Columns::Counts, Columns::All] {
        let (run, _, records) = case.payloads(columns);
        let s = &run.evaluated.rollout.apps[0].stages[0];
        // Anna's expression gives anna@contoso.com: the account matches (ignoring case,
        // SCIM userName) and is updated.
        assert_eq!(s.action(0), Action::Update);
        assert_eq!(s.why(0), Why::Matched);
        // Ben's gives "contoso.com" (Join skips NULL): no account has it, so a create.
        assert_eq!(s.action(1), Action::Create);
        assert_eq!(s.action(2), Action::Create);
        let anna = record(&records, "anna@fabrikam.com");
        assert_eq!(anna["changes"]["displayName"]["old"], "Anna Old");
    }
}

#[test]
fn s32_duplicate_source_entries_among_all_users_not_only_those_an_account_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let schema = schema_file(
        tmp.path(),
        r#"[{"targetAttributeName": "emails[type eq \"work\"].value", "matchingPriority": 1,
             "source": {"name": "mail", "type": "Attribute"}},
            {"targetAttributeName": "userName", "source": {"name": "userPrincipalName", "type": "Attribute"}}]"#,
    );
    let users = users_file(
        tmp.path(),
        "objectId,userPrincipalName,mail,accountEnabled\n\
         u1,anna@contoso.com,shared@contoso.com,True\n\
         u2,anna.s@contoso.com,shared@contoso.com,True\n\
         u3,ben@contoso.com,ben@contoso.com,True\n\
         u4,gone@contoso.com,shared@contoso.com,False\n",
    );
    let rules = load(&schema, &secrets_sync_all(tmp.path()));
    let case = Case {
        rules,
        files: InputFiles::default(),
        directory: DirectorySource {
            paths: vec![users],
            ..DirectorySource::default()
        },
    };
    let (run, _, records) = case.payloads(Columns::Counts);
    let app = &run.evaluated.rollout.apps[0];
    let s = &app.stages[0];
    assert_eq!(s.action(0), Action::Fail);
    assert_eq!(s.why(0), Why::DuplicateSource);
    assert_eq!(s.action(1), Action::Fail);
    assert_eq!(s.action(2), Action::Create);
    // A disabled user is not provisioned, so it makes no duplicate.
    assert_eq!(s.action(3), Action::Skip);
    assert_eq!(app.matching.duplicate_users, 2);
    assert_eq!(records.len(), 1, "failing users have no payload");
    assert!(
        run.warnings
            .iter()
            .any(|w| w.message.contains("DuplicateSourceEntries"))
    );
}

#[test]
fn s40_a_required_attribute_without_value_is_mandatory_fields_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("schema.json");
    std::fs::write(
        &p,
        r#"{"synchronizationRules": [{"sourceDirectoryName": "Azure Active Directory", "targetDirectoryName": "salesforce.com",
            "objectMappings": [{"name": "Users", "sourceObjectName": "User", "targetObjectName": "User", "scope": null,
              "attributeMappings": [
                {"targetAttributeName": "Username", "matchingPriority": 1, "source": {"name": "userPrincipalName", "type": "Attribute"}},
                {"targetAttributeName": "Email", "source": {"name": "mail", "type": "Attribute"}}]}]}],
          "directories": [{"name": "salesforce.com", "objects": [{"name": "User", "attributes": [
                {"name": "Username", "required": true}, {"name": "Email", "required": true}]}]}]}"#,
    )
    .unwrap();
    let users = users_file(
        tmp.path(),
        "objectId,userPrincipalName,mail,accountEnabled\nu1,anna@contoso.com,,True\nu2,ben@contoso.com,ben@contoso.com,True\n",
    );
    let case = Case {
        rules: load(&p, &secrets_sync_all(tmp.path())),
        files: InputFiles::default(),
        directory: DirectorySource {
            paths: vec![users],
            ..DirectorySource::default()
        },
    };
    let (_, summary, records) = case.payloads(Columns::Counts);
    let anna = record(&records, "anna@contoso.com");
    assert_eq!(anna["failures"][0]["code"], "MandatoryFieldsMissing");
    assert_eq!(anna["failures"][0]["attribute"], "Email");
    assert_eq!(
        record(&records, "ben@contoso.com")["failures"],
        serde_json::json!([])
    );
    assert_eq!(summary.stages[0].failed, 1);
}

#[test]
fn s40_later_stages_compare_with_what_earlier_stages_wrote() {
    // A bundle: one app, two stages, the same attribute mappings (S39/S40 in a bundle).
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("bundle.json");
    std::fs::write(
        &p,
        r#"{"apps": [{"name": "App", "syncAll": true,
            "attributeMappings": [
              {"targetAttributeName": "userName", "matchingPriority": 1, "source": {"name": "userPrincipalName", "type": "Attribute"}},
              {"targetAttributeName": "title", "source": {"name": "jobTitle", "type": "Attribute"}},
              {"targetAttributeName": "nickName", "flowType": "ObjectAddOnly", "source": {"name": "mailNickname", "type": "Attribute"}}],
            "stages": [
              {"name": "pilot", "scope": {"groups": [{"name": "IT", "clauses": [{"sourceOperandName": "department", "operatorName": "EQUALS", "targetOperand": {"values": ["IT"]}}]}]}},
              {"name": "all", "scope": null}]}]}"#,
    )
    .unwrap();
    let users = users_file(
        tmp.path(),
        "objectId,userPrincipalName,department,jobTitle,mailNickname,accountEnabled\n\
         u1,anna@contoso.com,IT,Admin,anna,True\n\
         u2,ben@contoso.com,Sales,Rep,ben,True\n",
    );
    let rules = Rules::load(&p, Anchoring::Partial).unwrap_or_else(|e| panic!("{e:#?}"));
    let case = Case {
        rules,
        files: InputFiles::default(),
        directory: DirectorySource {
            paths: vec![users],
            ..DirectorySource::default()
        },
    };
    let (_, summary, records) = case.payloads(Columns::Counts);
    let anna: Vec<&Value> = records
        .iter()
        .filter(|r| r["userPrincipalName"] == "anna@contoso.com")
        .collect();
    assert_eq!(anna.len(), 2);
    assert_eq!(anna[0]["action"], "create");
    assert_eq!(anna[0]["attributes"]["nickName"], "anna");
    // Created at the pilot with these values: the next cycle changes nothing.
    assert_eq!(anna[1]["action"], "update");
    assert_eq!(anna[1]["change"], "no-change");
    assert!(anna[1]["attributes"].get("nickName").is_none());
    let all = summary.stage("App", "all").unwrap();
    assert_eq!((all.create, all.update, all.no_change), (1, 1, 1));
}

#[test]
fn payloads_without_attribute_mappings_are_refused_with_a_reason() {
    let rules = Rules::load(Path::new("fixtures/rollout.scope"), Anchoring::Partial).unwrap();
    let inputs = InputFiles {
        assignments: vec!["fixtures/assignments.csv".into()],
        group_members: vec!["fixtures/group-members.csv".into()],
        ..InputFiles::default()
    }
    .read()
    .unwrap();
    let source = DirectorySource {
        paths: vec!["fixtures/users.csv".into()],
        ..DirectorySource::default()
    };
    let sim = Simulation {
        rules: &rules,
        directory: &source,
        inputs: &inputs,
        options: Options::default(),
    };
    let run = sim.run(Columns::Counts, &NoProgress).unwrap();
    let e = sim
        .payloads(
            &run,
            &PayloadOptions::default(),
            &NoProgress,
            &mut Vec::new(),
        )
        .unwrap_err();
    assert_eq!(e.first().code, "no-mappings");
}

/// The attribute mappings of the first app, as text: target, flow, default, source.
fn mapping_texts(rules: &Rules) -> Vec<String> {
    let m = rules.mappings[0].get().expect("mappings read");
    m.mappings
        .iter()
        .map(|x| {
            format!(
                "{} {:?} {:?} {} {:?}",
                x.target,
                x.flow_type,
                x.default_value,
                x.matching_priority,
                x.source.as_ref().map(scopesim::mapping::print::print)
            )
        })
        .collect()
}

fn convert_and_reload(path: &Path, app: Option<&str>) -> (Rules, Rules) {
    use scopesim::rules::convert::{ConvertOptions, Syntax, convert};
    let opts = LoadOptions {
        app_name: app.map(str::to_string),
        ..LoadOptions::default()
    };
    let before = Rules::load_with(path, &opts, Anchoring::Partial).unwrap();
    let text = convert(
        &before.loaded,
        ConvertOptions {
            to: Syntax::GraphJson,
            app: None,
            stage: None,
        },
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("converted.json");
    std::fs::write(&out, text).unwrap();
    let after = Rules::load_with(&out, &opts, Anchoring::Partial).unwrap();
    (before, after)
}

#[test]
fn convert_keeps_the_attribute_mappings_of_a_whole_schema() {
    let (before, after) =
        convert_and_reload(Path::new("fixtures/payloads/scim-schema.json"), Some("S"));
    assert_eq!(mapping_texts(&before), mapping_texts(&after));
    assert_eq!(mapping_texts(&before).len(), 23);
    let defs = |r: &Rules| {
        r.mappings[0]
            .get()
            .unwrap()
            .definitions
            .get("userName")
            .cloned()
    };
    assert_eq!(defs(&before), defs(&after));
    assert!(defs(&after).unwrap().required);
}

#[test]
fn convert_writes_the_attribute_mappings_of_a_bundle_back() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("bundle.json");
    std::fs::write(
        &p,
        r#"{"apps": [{"name": "App", "syncAll": true,
            "attributeMappings": [
              {"targetAttributeName": "userName", "matchingPriority": 1, "source": {"name": "userPrincipalName", "type": "Attribute"}},
              {"targetAttributeName": "mailNickname", "flowType": "ObjectAddOnly", "defaultValue": "none",
               "source": {"expression": "Replace([mail], \"@contoso.com\", , , \"\", , )", "name": "Replace", "type": "Function",
                 "parameters": [{"key": "source", "value": {"name": "mail", "type": "Attribute"}},
                                {"key": "Find", "value": {"name": "@contoso.com", "type": "Constant"}},
                                {"key": "Replacement", "value": {"name": "", "type": "Constant"}}]}}],
            "targetObject": {"name": "User", "attributes": [{"name": "userName", "required": true}]},
            "stages": [{"name": "one", "scope": null}, {"name": "two", "scope": null}]}]}"#,
    )
    .unwrap();
    let (before, after) = convert_and_reload(&p, None);
    assert_eq!(mapping_texts(&before), mapping_texts(&after));
    assert_eq!(
        mapping_texts(&after)[1],
        "mailNickname ObjectAddOnly Some(\"none\") 0 Some(\"Replace([mail], \\\"@contoso.com\\\", , , \\\"\\\", , )\")"
    );
    assert_eq!(after.rules().apps[0].object.matching.len(), 1);
    assert!(
        after.mappings[0]
            .get()
            .unwrap()
            .definitions
            .get("userName")
            .unwrap()
            .required
    );
}

#[test]
fn lint_reports_mappings_that_never_flow_constant_matching_and_absent_sources() {
    use scopesim::review::lint::{LintData, LintOptions, lint};
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("schema.json");
    std::fs::write(
        &p,
        r#"{"synchronizationRules": [{"sourceDirectoryName": "Azure Active Directory", "targetDirectoryName": "customappsso",
            "objectMappings": [{"name": "Users", "sourceObjectName": "User", "targetObjectName": "User",
              "flowTypes": "Update, Delete", "scope": null,
              "attributeMappings": [
                {"targetAttributeName": "externalId", "matchingPriority": 1, "source": {"name": "contoso", "type": "Constant"}},
                {"targetAttributeName": "nickName", "flowType": "ObjectAddOnly", "source": {"name": "mailNickname", "type": "Attribute"}},
                {"targetAttributeName": "emails[type eq \"other\"].value",
                 "source": {"expression": "Item([otherMails], 0)", "name": "Item", "type": "Function",
                   "parameters": [{"key": "attribute", "value": {"name": "otherMails", "type": "Attribute"}},
                                  {"key": "index", "value": {"name": "0", "type": "Constant"}}]}},
                {"targetAttributeName": "title", "source": {"name": "jobTitle", "type": "Attribute"}}]}]}]}"#,
    )
    .unwrap();
    let loaded = scopesim::rules::load::load_path_with(&p, &LoadOptions::default());
    let dir = scopesim::directory::from_rows([vec![
        ("objectId", "u1"),
        ("userPrincipalName", "a@contoso.com"),
        ("jobTitle", "Admin"),
    ]]);
    let findings = lint(
        &loaded,
        Some(LintData {
            dir: &dir,
            inputs: scopesim::rollout::RolloutInputs::default(),
        }),
        &LintOptions::default(),
    );
    let codes: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| (f.diagnostic.code.as_str(), f.diagnostic.message.as_str()))
        .collect();
    let has = |code: &str, text: &str| codes.iter().any(|(c, m)| *c == code && m.contains(text));
    assert!(
        has("constant-matching-attribute", "`externalId`"),
        "{codes:#?}"
    );
    assert!(
        has(
            "mapping-never-flows",
            "`nickName` flows only when an account is created"
        ),
        "{codes:#?}"
    );
    assert!(has("mapping-never-flows", "index 0"), "{codes:#?}");
    assert!(
        has("mapping-source-absent", "`[mailNickname]`"),
        "{codes:#?}"
    );
    assert!(has("mapping-source-absent", "`[otherMails]`"), "{codes:#?}");
    assert!(!has("mapping-source-absent", "`[jobTitle]`"), "{codes:#?}");
}

const SCIM_ARGS: &[&str] = &[
    "Contoso SCIM=fixtures/payloads/scim-schema.json",
    "-d",
    "fixtures/users.csv",
    "--assignments",
    "fixtures/payloads/scim-assignments.csv",
    "--group-members",
    "fixtures/group-members.csv",
    "--target-state",
    "Contoso SCIM=fixtures/payloads/scim-accounts.json",
];

#[test]
fn cli_plan_payloads_writes_records_and_the_summary_counts_the_split() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("payloads.ndjson");
    let o = crate::cli::scopesim()
        .arg("plan")
        .args(SCIM_ARGS)
        .args([
            "--format",
            "json",
            "--now",
            "2026-11-02T08:00:00Z",
            "--payloads",
        ])
        .arg(&out)
        .assert()
        .code(0);
    let summary: Value = serde_json::from_slice(&o.get_output().stdout).unwrap();
    let p = &summary["stages"][0]["payloads"];
    assert_eq!(p["would_change"], 2);
    assert_eq!(p["no_change"], 1);
    assert_eq!(p["would_fail"], 1);
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 9);
    // Without --payloads the summary has no payload fields (existing outputs unchanged).
    let o = crate::cli::scopesim()
        .arg("plan")
        .args(SCIM_ARGS)
        .args(["--format", "json"])
        .assert()
        .code(0);
    let summary: Value = serde_json::from_slice(&o.get_output().stdout).unwrap();
    assert!(summary["stages"][0].get("payloads").is_none());
}

#[test]
fn cli_plan_payloads_refuses_an_input_and_rules_without_mappings() {
    let before = std::fs::read("fixtures/users.csv").unwrap();
    crate::cli::scopesim()
        .arg("plan")
        .args(SCIM_ARGS)
        .args(["--payloads", "fixtures/users.csv"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--payloads"));
    assert_eq!(std::fs::read("fixtures/users.csv").unwrap(), before);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("p.ndjson");
    let report = tmp.path().join("r.csv");
    crate::cli::scopesim()
        .args([
            "plan",
            "fixtures/rollout.scope",
            "-d",
            "fixtures/users.csv",
            "--assignments",
            "fixtures/assignments.csv",
            "--group-members",
            "fixtures/group-members.csv",
            "--report",
        ])
        .arg(&report)
        .arg("--payloads")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no-mappings"));
    assert!(!out.exists(), "a failed run writes nothing");
    assert!(!report.exists(), "not even the report");
}

#[test]
fn cli_explain_shows_the_perform_action_step() {
    crate::cli::scopesim()
        .arg("explain")
        .args(SCIM_ARGS)
        .args(["-u", "ben.mueller@contoso.com"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "7. Perform action: Entra would send (the account changes)",
        ))
        .stdout(predicates::str::contains(
            "changes title: \"Service Desk Agent\" -> \"Service Desk\"",
        ));
}

/// S29: `explain` streams the export and keeps only the row group of its user
/// (`Columns::OneUser`): everything it shows of each user, found by objectId or by UPN in
/// another case, is what a run that keeps every value shows.
#[test]
fn s29_explaining_one_user_streamed_equals_explaining_from_the_whole_directory() {
    use scopesim::pipeline::find_user_in;
    use scopesim::report::explain::explain_user;
    let opts = PayloadOptions::new(None, None, Some("2026-11-02T08:00:00Z"), None).unwrap();
    for case in [salesforce(), scim()] {
        let inputs = case.files.read().unwrap();
        let sim = case.simulation(&inputs);
        let whole = sim.run(Columns::All, &NoProgress).unwrap();
        let explained = |run: &Run, row: usize| {
            let e = explain_user(
                &run.evaluated.plan,
                &run.directory,
                &run.evaluated.rollout,
                inputs.rollout_inputs(),
                row,
                None,
                None,
            );
            let payloads = user_payloads(&case.rules, run, &inputs, row, &opts).unwrap();
            (serde_json::to_value(e).unwrap(), format!("{payloads:?}"))
        };
        let mut seen = 0;
        for row in 0..whole.directory.len() {
            for key in [
                whole
                    .directory
                    .value_by_name(row, "objectId")
                    .map(str::to_string),
                whole
                    .directory
                    .value_by_name(row, "userPrincipalName")
                    .map(str::to_uppercase),
            ]
            .into_iter()
            .flatten()
            {
                let Ok(want_row) = find_user_in(&whole, &case.directory, &key) else {
                    continue;
                };
                let one = sim.run(Columns::OneUser(key.clone()), &NoProgress).unwrap();
                let got_row = find_user_in(&one, &case.directory, &key).unwrap();
                assert_eq!(got_row, want_row, "{key}");
                assert_eq!(
                    explained(&one, got_row),
                    explained(&whole, want_row),
                    "{key}"
                );
                assert_eq!(
                    format!("{:?}", one.warnings),
                    format!("{:?}", whole.warnings),
                    "{key}"
                );
                seen += 1;
            }
        }
        assert!(seen > 10, "only {seen} users explained");
        // A user who is not there: the same message, with the same closest names.
        let key = "annaa@contoso.com";
        let one = sim.run(Columns::OneUser(key.into()), &NoProgress).unwrap();
        let got = find_user_in(&one, &case.directory, key).unwrap_err();
        let want = find_user_in(&whole, &case.directory, key).unwrap_err();
        assert_eq!(format!("{got:?}"), format!("{want:?}"));
        assert!(format!("{got:?}").contains("closest matches"), "{got:?}");
    }
}
