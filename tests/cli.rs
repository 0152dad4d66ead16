//! The real binary on `fixtures/`: check, convert round trips, exit codes, error formats.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

pub fn scopesim() -> Command {
    let mut c = Command::cargo_bin("scopesim").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

#[test]
fn check_accepts_the_issue_example() {
    scopesim()
        .args(["check", "fixtures/rollout.scope"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "ok: fixtures/rollout.scope (2 apps, 4 stages, 3 filters, 6 clauses)",
        ));
}

#[test]
fn check_reports_three_located_mistakes_and_exits_2() {
    let out = scopesim()
        .args(["check", "fixtures/rules-bad/three-mistakes.scope"])
        .assert()
        .code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    for at in [
        "three-mistakes.scope:5:16",
        "three-mistakes.scope:6:38",
        "three-mistakes.scope:7:27",
    ] {
        assert!(stderr.contains(at), "missing {at} in\n{stderr}");
    }
    assert!(stderr.contains("did you mean `EQUALS`?"));
    assert!(stderr.contains("check: 3 errors, 0 warnings"));
    insta::assert_snapshot!("check_three_mistakes", stderr);
}

#[test]
fn check_error_format_json_gives_one_object_per_diagnostic() {
    let out = scopesim()
        .args([
            "--error-format",
            "json",
            "check",
            "fixtures/rules-bad/three-mistakes.scope",
        ])
        .assert()
        .code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    let lines: Vec<Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    let codes: Vec<&str> = lines.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        ["unknown-operator", "not-an-integer", "invalid-regex"]
    );
    let lines_cols: Vec<(u64, u64)> = lines
        .iter()
        .map(|d| {
            (
                d["labels"][0]["start"]["line"].as_u64().unwrap(),
                d["labels"][0]["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(lines_cols, [(5, 16), (6, 38), (7, 27)]);
    assert_eq!(lines[2]["rule"], "S19");
}

#[test]
fn check_reads_graph_schemas_and_stages_that_name_them() {
    scopesim()
        .args([
            "check",
            "fixtures/rollout-live.scope",
            "fixtures/schema/salesforce-schema.json",
            "fixtures/schema/servicenow-scope.json",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "ok: fixtures/rollout-live.scope (1 app, 2 stages, 4 filters, 9 clauses)",
        ));
}

#[test]
fn a_missing_rules_file_is_an_input_error() {
    scopesim()
        .args(["check", "fixtures/nope.scope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read `fixtures/nope.scope`",
        ));
}

fn convert(file: &Path, to: &str, extra: &[&str]) -> String {
    let out = scopesim()
        .arg("convert")
        .arg(file)
        .args(["--to", to])
        .args(extra)
        .assert()
        .code(0);
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

/// Every stage's effective filters as Graph JSON `scope` objects, keyed by app and stage.
fn stage_scopes(file: &Path) -> Vec<(String, String, Value)> {
    let json: Value = serde_json::from_str(&convert(file, "graph-json", &[])).unwrap();
    match json.get("apps") {
        Some(apps) => apps
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|a| {
                let app = a["name"].as_str().unwrap().to_string();
                a["stages"].as_array().unwrap().iter().map(move |s| {
                    (
                        app.clone(),
                        s["name"].as_str().unwrap().to_string(),
                        s["scope"].clone(),
                    )
                })
            })
            .collect(),
        None => vec![(String::new(), String::new(), json)],
    }
}

#[test]
fn convert_round_trips_rule_files_through_graph_json() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["fixtures/rollout.scope", "fixtures/rollout-live.scope"] {
        let json = convert(Path::new(file), "graph-json", &[]);
        let json_path = dir.path().join("bundle.json");
        std::fs::write(&json_path, &json).unwrap();
        let scope = convert(&json_path, "scope", &[]);
        let scope_path = dir.path().join("back.scope");
        std::fs::write(&scope_path, &scope).unwrap();
        assert_eq!(
            stage_scopes(Path::new(file)),
            stage_scopes(&scope_path),
            "{file}"
        );
        // and once more: the printed form is stable
        assert_eq!(convert(&scope_path, "scope", &[]), scope);
    }
}

#[test]
fn convert_round_trips_graph_schemas_through_the_rule_language() {
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "fixtures/schema/salesforce-schema.json",
        "fixtures/schema/servicenow-scope.json",
    ] {
        let original: Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let original_scope = match original.get("synchronizationRules") {
            Some(rules) => rules[0]["objectMappings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["sourceObjectName"] == "User")
                .unwrap()["scope"]
                .clone(),
            None => original,
        };
        let scope = convert(Path::new(file), "scope", &[]);
        let p = dir.path().join("s.scope");
        std::fs::write(&p, &scope).unwrap();
        let back: Value = serde_json::from_str(&convert(&p, "graph-json", &[])).unwrap();
        // a schema's object-mapping settings (enabled, flowTypes) make it a bundle
        let back = match back.get("apps") {
            Some(apps) => apps[0]["stages"][0]["scope"].clone(),
            None => back,
        };
        // values of unary clauses come back as [] whether they were null or []
        let normalise = |mut v: Value| {
            for g in v["groups"].as_array_mut().unwrap() {
                for c in g["clauses"].as_array_mut().unwrap() {
                    if c["targetOperand"].is_null() {
                        c["targetOperand"] = serde_json::json!({ "values": [] });
                    }
                }
            }
            v
        };
        assert_eq!(normalise(original_scope), back, "{file}");
    }
}

#[test]
fn convert_one_stage_gives_the_scope_object_to_paste() {
    let json: Value = serde_json::from_str(&convert(
        Path::new("fixtures/rollout.scope"),
        "graph-json",
        &["--app", "Salesforce", "--stage", "wave-1"],
    ))
    .unwrap();
    let names: Vec<&str> = json["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["IT pilot", "Sales EMEA"],
        "inherited filters included"
    );
    assert_eq!(
        json["groups"][1]["clauses"][1]["operatorName"],
        "REGEX MATCH"
    );
}

#[test]
fn convert_keeps_undocumented_operators_but_plan_refuses_them() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bits.scope");
    std::fs::write(
        &p,
        "app \"A\" {\n scope all\n filter \"f\" {\n  extensionAttribute1 & \"4\"\n }\n}\n",
    )
    .unwrap();
    let json = convert(&p, "graph-json", &[]);
    assert!(json.contains("\"operatorName\": \"&\""));
    let users = dir.path().join("u.csv");
    std::fs::write(&users, "objectId,extensionAttribute1\n1,4\n").unwrap();
    scopesim()
        .arg("plan")
        .arg(&p)
        .arg("-d")
        .arg(&users)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no documented meaning"));
}

/// The per-user report as Parquet holds the same rows as the CSV report, and a Parquet
/// directory gives the same plan as the CSV it was written from.
#[cfg(feature = "parquet")]
#[test]
fn parquet_report_and_input_match_csv() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("r.csv");
    let pq = dir.path().join("r.parquet");
    let base = [
        "plan",
        "fixtures/rollout.scope",
        "--assignments",
        "fixtures/assignments.csv",
        "--group-members",
        "fixtures/group-members.csv",
        "--format",
        "json",
    ];
    let out_csv = scopesim()
        .args(base)
        .args(["-d", "fixtures/users.csv", "--report"])
        .arg(&csv)
        .assert()
        .code(0);
    scopesim()
        .args(base)
        .args(["-d", "fixtures/users.csv", "--report"])
        .arg(&pq)
        .assert()
        .code(0);
    let out_pq = scopesim()
        .args(base)
        .args(["-d", "fixtures/users.parquet"])
        .assert()
        .code(0);
    let stages = |o: &assert_cmd::assert::Assert| -> Value {
        serde_json::from_slice::<Value>(&o.get_output().stdout).unwrap()["stages"].clone()
    };
    assert_eq!(stages(&out_csv), stages(&out_pq));
    let df = ParquetReader::new(std::fs::File::open(&pq).unwrap())
        .finish()
        .unwrap();
    let csv_rows = std::fs::read_to_string(&csv).unwrap().lines().count() - 1;
    assert_eq!(df.height(), csv_rows);
    assert_eq!(
        df.get_column_names()
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
        [
            "app",
            "stage",
            "objectId",
            "userPrincipalName",
            "in_scope",
            "action",
            "reason",
            "held"
        ]
    );
}

const MAIN: [&str; 8] = [
    "plan",
    "fixtures/rollout.scope",
    "--directory",
    "fixtures/users.csv",
    "--assignments",
    "fixtures/assignments.csv",
    "--group-members",
    "fixtures/group-members.csv",
];

#[test]
fn plan_json_has_the_documented_shape_and_states_its_inputs() {
    let out = scopesim()
        .args(MAIN)
        .args(["--format", "json"])
        .assert()
        .code(0);
    let j: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let stage = &j["stages"][0];
    for key in [
        "app",
        "stage",
        "candidates",
        "in_scope",
        "create",
        "update",
        "disable",
        "delete",
        "skip",
        "held",
    ] {
        assert!(stage.get(key).is_some(), "missing {key} in {stage}");
    }
    assert!(
        stage["estimate_minutes"]["min"].is_number()
            && stage["estimate_minutes"]["max"].is_number()
    );
    assert_eq!(
        (stage["app"].as_str(), stage["stage"].as_str()),
        (Some("Salesforce"), Some("pilot"))
    );
    assert_eq!(j["stages"].as_array().unwrap().len(), 4);
    assert!(
        j["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["rule"] == "S25")
    );
    let roles: Vec<&str> = j["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        ["rules", "directory", "assignments", "group-members"]
    );
    for i in j["inputs"].as_array().unwrap() {
        assert_eq!(i["sha256"].as_str().unwrap().len(), 64, "{i}");
    }
    assert_eq!(j["scopesim_version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn plan_output_and_report_are_byte_identical_for_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let report = dir.path().join(format!("r{threads}.csv"));
        let out = scopesim()
            .env("RAYON_NUM_THREADS", threads)
            .args(MAIN)
            .args([
                "--target-state",
                "Salesforce=fixtures/target-state/salesforce.csv",
                "--format",
                "json",
                "--report",
            ])
            .arg(&report)
            .assert()
            .code(0);
        outputs.push((
            out.get_output().stdout.clone(),
            std::fs::read(&report).unwrap(),
        ));
    }
    assert_eq!(outputs[0].0, outputs[1].0, "summary differs");
    assert_eq!(outputs[0].1, outputs[1].1, "report differs");
    // and on a directory big enough to be read in several blocks and evaluated in parallel
    let generated = dir.path().join("gen");
    scopesim()
        .args([
            "gen",
            "--users",
            "30000",
            "--seed",
            "3",
            "--formats",
            "csv",
            "--out",
        ])
        .arg(&generated)
        .assert()
        .code(0);
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let report = dir.path().join(format!("g{threads}.csv"));
        let out = scopesim()
            .env("RAYON_NUM_THREADS", threads)
            .args(["plan", "benches/perf.scope", "-d"])
            .arg(generated.join("users.csv"))
            .args(["--format", "json", "--report"])
            .arg(&report)
            .assert()
            .code(0);
        outputs.push((
            out.get_output().stdout.clone(),
            std::fs::read(&report).unwrap(),
        ));
    }
    assert_eq!(outputs[0].0, outputs[1].0, "summary differs");
    assert!(outputs[0].1 == outputs[1].1, "report differs");
    // without --report the export is streamed (values dropped after evaluation): same plan
    let streamed = scopesim()
        .args(["plan", "benches/perf.scope", "-d"])
        .arg(generated.join("users.csv"))
        .args(["--format", "json"])
        .assert()
        .code(0);
    assert_eq!(
        streamed.get_output().stdout,
        outputs[0].0,
        "streamed summary differs"
    );
}

#[test]
fn plan_report_neutralises_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("u.csv");
    std::fs::write(
        &users,
        "objectId,userPrincipalName,department,accountEnabled\n=1+1,\"=HYPERLINK(\"\"http://evil\"\")\",@SUM,True\n-2,+x@contoso.com,IT,True\n",
    )
    .unwrap();
    let rules = dir.path().join("r.scope");
    std::fs::write(
        &rules,
        "app \"A\" {\n scope all\n filter \"f\" { department EQUALS \"IT\" }\n}\n",
    )
    .unwrap();
    let report = dir.path().join("r.csv");
    scopesim()
        .arg("plan")
        .arg(&rules)
        .arg("-d")
        .arg(&users)
        .arg("--report")
        .arg(&report)
        .assert()
        .code(0);
    let text = std::fs::read_to_string(&report).unwrap();
    let mut r = csv_rows(&text);
    r.remove(0);
    for row in &r {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "unguarded cell {cell:?} in\n{text}"
            );
        }
    }
    assert_eq!(r[0][2], "'=1+1");
    assert_eq!(r[0][3], "'=HYPERLINK(\"http://evil\")");
    assert!(
        r[0][6].contains("@SUM"),
        "reason keeps the value: {}",
        r[0][6]
    );
    assert_eq!(r[1][2], "'-2");
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    rdr.records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn plan_exit_codes_for_held_stages_and_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("r.scope");
    std::fs::write(
        &rules,
        "app \"A\" {\n scope all\n deletion_threshold 2\n stage \"all\" { }\n stage \"IT\" { filter \"IT\" { department EQUALS \"IT\" } }\n}\n",
    )
    .unwrap();
    // 12 users, 4 of them IT: the second stage disables 7 enabled non-IT accounts (> 2)
    let out = scopesim()
        .arg("plan")
        .arg(&rules)
        .args(["-d", "fixtures/users.csv", "--format", "json"])
        .assert()
        .code(1);
    let j: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(j["stages"][1]["held"], true);
    assert!(
        j["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["code"] == "deletion-threshold")
    );
    // warnings alone exit 0, unless asked
    scopesim().args(MAIN).assert().code(0);
    scopesim()
        .args(MAIN)
        .arg("--fail-on-warnings")
        .assert()
        .code(1);
    // an input error exits 2 and writes nothing
    let report = dir.path().join("never.csv");
    scopesim()
        .args([
            "plan",
            "fixtures/rollout.scope",
            "-d",
            "fixtures/bad/unterminated-quote.csv",
            "--report",
        ])
        .arg(&report)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unterminated-quote.csv:3"));
    assert!(!report.exists());
}

#[test]
fn gen_is_reproducible_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    for out in ["a", "b"] {
        scopesim()
            .args(["gen", "--users", "2000", "--seed", "42", "--out"])
            .arg(dir.path().join(out))
            .assert()
            .code(0)
            .stdout(predicate::str::contains("generated 2000 users"));
    }
    for f in [
        "users.csv",
        "users.json",
        "assignments.csv",
        "group-members.csv",
        "groups.csv",
        "manifest.json",
    ] {
        assert_eq!(
            std::fs::read(dir.path().join("a").join(f)).unwrap(),
            std::fs::read(dir.path().join("b").join(f)).unwrap(),
            "{f}"
        );
    }
    // and the generated directory runs through the main job
    let d = dir.path().join("a");
    scopesim()
        .args(["plan", "fixtures/rollout.scope", "-d"])
        .arg(d.join("users.csv"))
        .arg("--assignments")
        .arg(d.join("assignments.csv"))
        .arg("--group-members")
        .arg(d.join("group-members.csv"))
        .assert()
        .code(0);
}

#[test]
fn plan_html_is_self_contained_and_escapes_names() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("r.scope");
    std::fs::write(&rules, "app \"<script>alert(1)</script>\" {\n scope all\n filter \"IT\" { department EQUALS \"IT\" }\n}\n").unwrap();
    let out = scopesim()
        .arg("plan")
        .arg(&rules)
        .args(["-d", "fixtures/users.csv", "--format", "html"])
        .assert()
        .code(0);
    let html = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(!html.contains("<script>"), "user text must be escaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external assets"
    );
    assert!(
        html.contains("data-field=\"candidates\" data-value=\"12\">12</td>"),
        "12 candidates"
    );
    assert!(html.contains("no filter matches"), "users by reason");
    assert!(html.contains(&"fixtures/users.csv".to_string()));
}

/// A rules file that puts every IT user in scope, and `n` IT users as CSV.
fn all_it(n: usize) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("all.scope");
    std::fs::write(
        &rules,
        "app \"A\" {\n  scope all\n  filter \"f\" {\n    department EQUALS \"IT\"\n  }\n}\n",
    )
    .unwrap();
    let mut csv = String::from("objectId,userPrincipalName,department,accountEnabled\n");
    for i in 0..n {
        csv.push_str(&format!("{i},u{i}@x.com,IT,True\n"));
    }
    (dir, rules, csv)
}

fn in_scope_of(stdout: &[u8]) -> u64 {
    let v: Value = serde_json::from_slice(stdout).unwrap();
    v["stages"][0]["in_scope"].as_u64().unwrap()
}

#[test]
fn a_pipe_as_directory_is_read_once_and_counted_right() {
    // `-d /dev/stdin` and `-d -` fed by a pipe: read as a file with the same bytes would
    // be (it is copied once), never a partial count.
    let (_d, rules, csv) = all_it(200_000);
    for path in ["/dev/stdin", "-"] {
        let out = scopesim()
            .args([
                "plan",
                rules.to_str().unwrap(),
                "-d",
                path,
                "--format",
                "json",
            ])
            .write_stdin(csv.clone())
            .assert()
            .code(0);
        let stdout = &out.get_output().stdout;
        assert_eq!(in_scope_of(stdout), 200_000, "{path}");
        let v: Value = serde_json::from_slice(stdout).unwrap();
        assert_eq!(v["inputs"][1]["path"], path);
        assert_eq!(v["inputs"][1]["records"], 200_000);
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_as_directory_is_read_right_also_with_a_report() {
    let (dir, rules, csv) = all_it(50_000);
    for report in [false, true] {
        let fifo = dir.path().join(format!("users-{report}.fifo"));
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let writer = {
            let (fifo, csv) = (fifo.clone(), csv.clone());
            std::thread::spawn(move || std::fs::write(fifo, csv).unwrap())
        };
        let report_path = dir.path().join(format!("report-{report}.csv"));
        let mut cmd = scopesim();
        cmd.args([
            "plan",
            rules.to_str().unwrap(),
            "-d",
            fifo.to_str().unwrap(),
            "--format",
            "json",
        ]);
        if report {
            cmd.args(["--report", report_path.to_str().unwrap()]);
        }
        let out = cmd
            .timeout(std::time::Duration::from_secs(120))
            .assert()
            .code(0);
        writer.join().unwrap();
        assert_eq!(
            in_scope_of(&out.get_output().stdout),
            50_000,
            "report {report}"
        );
        if report {
            let text = std::fs::read_to_string(&report_path).unwrap();
            assert_eq!(text.lines().count(), 50_001);
        }
    }
}

#[test]
fn exports_prints_the_commands_for_the_rules_attributes() {
    let out = scopesim()
        .args(["exports", "fixtures/rollout.scope"])
        .assert()
        .code(0);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains(
        "Get-MgUser -All -Property Id,UserPrincipalName,AccountEnabled,Country,Department,EmployeeType,OnPremisesExtensionAttributes |"
    ));
    assert!(stdout.contains("$select=id,userPrincipalName,accountEnabled,country,department,employeeType,onPremisesExtensionAttributes&$top=999"));
    scopesim()
        .args(["exports", "fixtures/rollout.scope", "--app", "Workday"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no app `Workday` in the rules"));
}

#[test]
fn s24_assignments_repeat_per_app_and_service_principals_are_one_warning_each() {
    let out = scopesim()
        .args([
            "plan",
            "fixtures/rollout.scope",
            "-d",
            "fixtures/users.csv",
            "--assignments",
            "fixtures/exports/approleassignedto-salesforce.json",
            "--assignments",
            "fixtures/exports/approleassignedto-servicenow.json",
            "--group-members",
            "fixtures/exports/members-all-sales-it.json",
            "--group-members",
            "6c1d9b8e-52a1-4c55-9a0e-5a1e5a1e0002=fixtures/exports/members-it-contractors.json",
            "--format",
            "json",
        ])
        .assert()
        .code(0);
    let graph: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let out = scopesim()
        .args([
            "plan",
            "fixtures/rollout.scope",
            "-d",
            "fixtures/users.csv",
            "--assignments",
            "fixtures/assignments.csv",
            "--group-members",
            "fixtures/group-members.csv",
            "--format",
            "json",
        ])
        .assert()
        .code(0);
    let csv: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    // The same plan from the Graph shapes as from the CSV twins.
    assert_eq!(graph["stages"], csv["stages"]);
    let codes: Vec<&str> = graph["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes
            .iter()
            .filter(|c| **c == "service-principal-assignments")
            .count(),
        2,
        "{codes:?}"
    );
    assert!(codes.contains(&"member-not-user-or-group"), "{codes:?}");
}

#[test]
fn s3_a_graph_name_in_the_rules_gets_help_naming_the_schema_attribute() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("graph-names.scope");
    std::fs::write(
        &rules,
        "app \"A\" {\n  scope all\n  filter \"f\" {\n    mobilePhone IS NOT NULL\n  }\n}\n",
    )
    .unwrap();
    let out = scopesim()
        .args([
            "plan",
            rules.to_str().unwrap(),
            "-d",
            "fixtures/graph/users-pages.json",
        ])
        .assert();
    let o = out.get_output();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    // Help text is wrapped to the width: compare words.
    let words = all.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("write `mobile`, the schema's name for `mobilePhone`"),
        "{all}"
    );
    assert!(!all.contains("export with `$select"), "{all}");
}
