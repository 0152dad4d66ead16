//! Graph schema JSON as first-class rules, through the real binary: the app's name
//! (`--app-name`, `NAME=schema.json`), the Graph PowerShell SDK's JSON, the secrets
//! export, the whole schema written back, and the export mistakes (S24, S30, S32, S33,
//! S35).

use super::cli::scopesim;
use predicates::prelude::*;
use serde_json::Value;

const SCHEMA: &str = "fixtures/schema/salesforce-schema.json";
const SCHEMA_PS: &str = "fixtures/schema/salesforce-schema-ps.json";
const SECRETS: &str = "fixtures/schema/salesforce-secrets.json";
const SECRETS_PS: &str = "fixtures/schema/salesforce-secrets-ps.json";

fn stdout(args: &[&str], code: i32) -> String {
    let out = scopesim().args(args).assert().code(code);
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

fn stderr(args: &[&str], code: i32) -> String {
    let out = scopesim().args(args).assert().code(code);
    String::from_utf8(out.get_output().stderr.clone()).unwrap()
}

#[test]
fn s30_convert_writes_the_whole_schema_back_identical_but_for_its_scope() {
    for file in [SCHEMA, SCHEMA_PS] {
        let out = stdout(&["convert", file, "--to", "graph-json"], 0);
        let original = std::fs::read_to_string(file).unwrap();
        // canonical spellings already: byte for byte the export, so it can be PUT back
        assert_eq!(out, original, "{file}");
    }
    // a scope spelt loosely: only the scope changes
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(SCHEMA)
        .unwrap()
        .replace("\"IS TRUE\"", "\"is_true\"");
    let p = dir.path().join("loose.json");
    std::fs::write(&p, &text).unwrap();
    let out = stdout(&["convert", p.to_str().unwrap(), "--to", "graph-json"], 0);
    let mut a: Value = serde_json::from_str(&out).unwrap();
    let mut b: Value = serde_json::from_str(&text).unwrap();
    let scope = "/synchronizationRules/0/objectMappings/1/scope";
    assert_eq!(
        a.pointer(&format!("{scope}/groups/0/clauses/1/operatorName")),
        Some(&Value::from("IS TRUE"))
    );
    *a.pointer_mut(scope).unwrap() = Value::Null;
    *b.pointer_mut(scope).unwrap() = Value::Null;
    assert_eq!(a, b, "every other property as exported");
}

#[test]
fn s30_the_powershell_sdk_schema_converts_to_the_same_rules_as_its_graph_twin() {
    let graph = stdout(
        &["convert", &format!("Salesforce={SCHEMA}"), "--to", "scope"],
        0,
    );
    let ps = stdout(
        &[
            "convert",
            SCHEMA_PS,
            "--app-name",
            "Salesforce",
            "--to",
            "scope",
        ],
        0,
    );
    let without_matching: String = ps
        .lines()
        .filter(|l| !l.trim_start().starts_with("match "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(without_matching, graph);
    assert!(
        ps.contains("  match userPrincipalName -> Username priority 1\n"),
        "{ps}"
    );
}

#[test]
fn s24_secrets_set_the_scope_and_deletion_settings_and_say_so() {
    for secrets in [SECRETS, SECRETS_PS] {
        let out = stdout(
            &[
                "check",
                &format!("Salesforce={SCHEMA}"),
                "--secrets",
                secrets,
            ],
            0,
        );
        assert!(
            out.contains(&format!("settings of `Salesforce` from `{secrets}`: deletion_threshold 50 (SyncNotificationSettings), scope assigned (SyncAll=false), skip_out_of_scope_deletions true (SkipOutOfScopeDeletions=true)")),
            "{out}"
        );
        let scope = stdout(
            &[
                "convert",
                &format!("Salesforce={SCHEMA}"),
                "--secrets",
                secrets,
                "--to",
                "scope",
            ],
            0,
        );
        assert!(
            scope.contains("  scope assigned  # SyncAll=false in the secrets export\n"),
            "{scope}"
        );
        assert!(
            scope.contains(
                "  deletion_threshold 50  # SyncNotificationSettings in the secrets export\n"
            ),
            "{scope}"
        );
    }
}

#[test]
fn s30_diff_of_a_schema_named_after_its_file_pairs_nothing_and_says_how_to_name_it() {
    let err = stderr(
        &[
            "diff",
            SCHEMA,
            "fixtures/rollout.scope",
            "-d",
            "fixtures/users.csv",
        ],
        2,
    );
    assert!(err.contains("no-app-in-both"), "{err}");
    assert!(err.contains("--app-name NAME"), "{err}");
    // named: the comparison runs
    let out = stdout(
        &[
            "diff",
            &format!("Salesforce={SCHEMA}"),
            "fixtures/rollout.scope",
            "-d",
            "fixtures/users.csv",
            "--assignments",
            "fixtures/assignments.csv",
            "--group-members",
            "fixtures/group-members.csv",
            "--format",
            "json",
        ],
        0,
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["apps"][0]["app"], "Salesforce", "{v}");
}

#[test]
fn s30_a_truncated_powershell_export_is_one_located_error_with_the_fix() {
    let err = stderr(&["check", "fixtures/rules-bad/schema-depth-2.json"], 2);
    assert!(err.contains("graph-truncated"), "{err}");
    assert!(err.contains("schema-depth-2.json:116:20"), "{err}");
    assert!(err.contains("ConvertTo-Json -Depth 20"), "{err}");
    assert!(err.contains("check: 1 error, 0 warnings"), "{err}");
}

#[test]
fn s35_loose_operator_spellings_in_a_schema_are_warnings_that_name_the_canonical_one() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("s.json");
    std::fs::write(
        &p,
        r#"{"groups":[{"name":"x","clauses":[{"sourceOperandName":"mail","operatorName":"ENDSWITH","targetOperand":{"values":["@contoso.com"]}},{"sourceOperandName":"accountEnabled","operatorName":"IsTrue","targetOperand":{"values":[""]}}]}]}"#,
    )
    .unwrap();
    scopesim()
        .args(["check", p.to_str().unwrap()])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "operator `ENDSWITH` is read as `ENDS_WITH`",
        ))
        .stderr(predicate::str::contains(
            "operator `IsTrue` is read as `IS TRUE`",
        ))
        .stderr(predicate::str::contains("check: 0 errors, 2 warnings"));
}

#[test]
fn check_reports_every_mistake_of_a_file_after_a_bad_setting() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.scope");
    std::fs::write(
        &p,
        "app \"A\" {\n  deletion_threshold 99999999999999999999\n  flow_types \"Add, Remove\"\n  filter \"f\" {\n    extensionAttribute1 Greater_Than \"99999999999999999999\"\n  }\n}\n",
    )
    .unwrap();
    let err = stderr(&["check", p.to_str().unwrap()], 2);
    assert!(err.contains("check: 3 errors, 0 warnings"), "{err}");
}

#[test]
fn a_hundred_thousand_unclosed_braces_finish_fast_with_two_lines_of_help() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("braces.scope");
    std::fs::write(&p, "{\n".repeat(100_000)).unwrap();
    let start = std::time::Instant::now();
    let err = stderr(&["check", p.to_str().unwrap()], 2);
    assert!(start.elapsed().as_secs() < 20);
    assert!(err.len() < 2_000, "{} bytes on stderr", err.len());
    assert!(err.contains("99999 more"), "{err}");
}

#[test]
fn s30_a_schema_nested_100000_deep_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("deep.json");
    std::fs::write(
        &p,
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    )
    .unwrap();
    let err = stderr(&["--error-format", "json", "check", p.to_str().unwrap()], 2);
    assert!(err.contains("\"code\":\"nesting-too-deep\""), "{err}");
}
