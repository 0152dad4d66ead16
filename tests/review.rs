//! The review tools against their fixtures: `lint` (each finding kind: count, span,
//! examples), `diff` (exact gained and lost sets, actions, threshold, the CSV report's
//! rules) and `test` (the rollout suite passes, a wrong expectation fails readably, a
//! malformed file exits 2 at its line and column). Library calls check the data; the
//! real binary checks the interface (exit codes, formats).

use assert_cmd::cargo::cargo_bin_cmd;
use scopesim::diag::Severity;
use scopesim::directory::assignments::{read_assignments, read_group_members};
use scopesim::directory::{ColumnSelection, Directory, NoProgress, ReadOptions, read_directory};
use scopesim::eval::EvalOptions;
use scopesim::regex::{Anchoring, DotnetRegex};
use scopesim::review::Finding;
use scopesim::review::diff::{Change, DiffOptions, diff_sides, pair_files, pair_stages};
use scopesim::review::lint::{LintData, LintOptions, lint};
use scopesim::review::testing::{RunError, parse_suite, run_suite};
use scopesim::rollout::{Action, RolloutInputs, ThresholdBoundary};
use scopesim::rules::load::{LoadedRules, load_path};
use std::path::{Path, PathBuf};

const USERS: &str = "fixtures/review/users.csv";
const ASSIGNMENTS: &str = "fixtures/review/assignments.csv";
const GROUPS: &str = "fixtures/review/group-members.csv";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn directory(path: &str) -> Directory {
    read_directory(
        &[root().join(path)],
        &ReadOptions {
            format: None,
            delimiter: None,
            skip_bad_rows: false,
            columns: ColumnSelection::all(),
            skip_hash: false,
        },
        &NoProgress,
    )
    .unwrap()
}

/// Loads a fixture by its path relative to the package, so locations read `fixtures/...`.
fn rules(path: &str) -> LoadedRules {
    let prev = std::env::current_dir().unwrap();
    assert_eq!(prev, root(), "integration tests run from the package root");
    let l = load_path(Path::new(path));
    assert!(!l.has_errors(), "{path}: {:?}", l.diagnostics);
    l
}

enum Data {
    None,
    Directory,
    WithAssignments,
}

fn lint_fixture(path: &str, data: Data) -> (LoadedRules, Vec<Finding>) {
    lint_with(path, data, LintOptions::default())
}

fn lint_with(path: &str, data: Data, opts: LintOptions) -> (LoadedRules, Vec<Finding>) {
    let l = rules(path);
    let dir = directory(USERS);
    let a = read_assignments(&root().join(ASSIGNMENTS)).unwrap();
    let g = read_group_members(&[root().join(GROUPS)]).unwrap();
    let findings = match data {
        Data::None => lint(&l, None, &opts),
        Data::Directory => lint(
            &l,
            Some(LintData {
                dir: &dir,
                inputs: RolloutInputs::default(),
            }),
            &opts,
        ),
        Data::WithAssignments => lint(
            &l,
            Some(LintData {
                dir: &dir,
                inputs: RolloutInputs {
                    assignments: Some(&a),
                    group_members: Some(&g),
                    target_states: &[],
                },
            }),
            &opts,
        ),
    };
    (l, findings)
}

/// `(location, affected, examples)` of the findings with `code`.
fn found(
    l: &LoadedRules,
    findings: &[Finding],
    code: &str,
) -> Vec<(String, Option<usize>, Vec<String>)> {
    findings
        .iter()
        .filter(|f| f.diagnostic.code == code)
        .map(|f| {
            (
                f.diagnostic
                    .primary_location(&l.sources)
                    .unwrap_or_default(),
                f.affected,
                f.examples.clone(),
            )
        })
        .collect()
}

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------------------
// lint: one test per finding kind

#[test]
fn lint_case_traps_s5_s9_s10_s6() {
    let (l, f) = lint_fixture("fixtures/lint/case.scope", Data::Directory);
    assert_eq!(
        found(&l, &f, "case-mismatch"),
        vec![
            (
                "fixtures/lint/case.scope:6:23".into(),
                Some(6),
                strings(&["\"Sales\" (5 users)", "\"sales\" (1 user)"])
            ),
            (
                "fixtures/lint/case.scope:12:25".into(),
                Some(1),
                strings(&["\"Sales Ops\" (1 user)"])
            ),
            (
                "fixtures/lint/case.scope:15:27".into(),
                Some(2),
                strings(&["\"Fabrikam\" (2 users)"])
            ),
            (
                "fixtures/lint/case.scope:18:29".into(),
                Some(1),
                strings(&["\"contractor\" (1 user)"])
            ),
        ]
    );
    let rules: Vec<_> = f
        .iter()
        .filter(|x| x.diagnostic.code == "case-mismatch")
        .map(|x| x.diagnostic.rule)
        .collect();
    assert_eq!(rules, vec![Some("S5"), Some("S9"), Some("S10"), Some("S6")]);
    let variant = f
        .iter()
        .find(|x| x.diagnostic.code == "case-variant")
        .unwrap();
    assert_eq!(variant.diagnostic.severity, Severity::Info);
    assert_eq!(
        found(&l, &f, "case-variant"),
        vec![(
            "fixtures/lint/case.scope:9:23".into(),
            Some(1),
            strings(&["\"sales\" (1 user)"])
        )]
    );
}

#[test]
fn lint_null_trap_s6_counts_users_failing_only_the_negation() {
    let (l, f) = lint_fixture("fixtures/lint/null.scope", Data::Directory);
    // heidi (DE) and mallory (DE) have no employeeType; ivan has none either, but is in
    // GB, which the other clause excludes anyway.
    assert_eq!(
        found(&l, &f, "null-excluded"),
        vec![(
            "fixtures/lint/null.scope:6:18".into(),
            Some(2),
            strings(&[
                "heidi@contoso.com",
                "mallory_fabrikam.com#EXT#@contoso.onmicrosoft.com"
            ])
        )]
    );
    // In case.scope, heidi is the only one: mallory is in scope through another filter.
    let (l, f) = lint_fixture("fixtures/lint/case.scope", Data::Directory);
    assert_eq!(
        found(&l, &f, "null-excluded"),
        vec![(
            "fixtures/lint/case.scope:18:18".into(),
            Some(1),
            strings(&["heidi@contoso.com"])
        )]
    );
}

#[test]
fn lint_regex_traps_s7_s19() {
    let (l, f) = lint_fixture("fixtures/lint/regex.scope", Data::Directory);
    assert_eq!(
        found(&l, &f, "regex-unanchored"),
        vec![(
            "fixtures/lint/regex.scope:6:28".into(),
            Some(1),
            strings(&["\"Sales Ops\" (1 user)"])
        )]
    );
    assert_eq!(
        found(&l, &f, "regex-unescaped-dot"),
        vec![("fixtures/lint/regex.scope:9:44".into(), None, vec![])]
    );
    // Under full anchoring there is nothing unanchored to report.
    let (l2, f2) = lint_with(
        "fixtures/lint/regex.scope",
        Data::Directory,
        LintOptions {
            anchoring: Anchoring::Full,
            ..LintOptions::default()
        },
    );
    assert!(found(&l2, &f2, "regex-unanchored").is_empty());
    // .NET-vs-Rust notes: one finding per note of the translator, at its construct.
    let pattern = "^[[:alpha:]]+ Eng$";
    let notes = DotnetRegex::new(pattern, Anchoring::Partial)
        .unwrap()
        .notes()
        .to_vec();
    let notes_found: Vec<&Finding> = f
        .iter()
        .filter(|x| x.diagnostic.code == "regex-dotnet-difference")
        .collect();
    assert_eq!(notes_found.len(), notes.len());
    // the translator notes that .NET skips `[:alpha:]` (it is no POSIX class there)
    assert_eq!(
        found(&l, &f, "regex-dotnet-difference")
            .into_iter()
            .map(|x| x.0)
            .collect::<Vec<_>>(),
        strings(&["fixtures/lint/regex.scope:13:32"])
    );
    let text = &l.sources.iter().next().unwrap().1.text;
    for (finding, note) in notes_found.iter().zip(&notes) {
        let span = finding.diagnostic.labels[0].span;
        assert_eq!(&text[span.start..span.end], &pattern[note.span.clone()]);
        assert_eq!(finding.diagnostic.message, note.message);
    }
}

#[test]
fn lint_dead_and_redundant_with_data() {
    let (l, f) = lint_fixture("fixtures/lint/dead.scope", Data::Directory);
    assert_eq!(
        found(&l, &f, "dead-filter"),
        vec![("fixtures/lint/dead.scope:6:12".into(), Some(0), vec![])]
    );
    assert_eq!(
        found(&l, &f, "clause-never-decides"),
        vec![("fixtures/lint/dead.scope:11:7".into(), Some(3), vec![])]
    );
    assert_eq!(
        found(&l, &f, "redundant-filter"),
        vec![(
            "fixtures/lint/dead.scope:13:12".into(),
            Some(1),
            strings(&["alice@contoso.com"])
        )]
    );
}

#[test]
fn lint_unsatisfiable_filters_need_no_data() {
    let (l, f) = lint_fixture("fixtures/lint/unsatisfiable.scope", Data::None);
    let got: Vec<String> = found(&l, &f, "unsatisfiable-filter")
        .into_iter()
        .map(|x| x.0)
        .collect();
    assert_eq!(
        got,
        strings(&[
            "fixtures/lint/unsatisfiable.scope:6:5",
            "fixtures/lint/unsatisfiable.scope:10:5",
            "fixtures/lint/unsatisfiable.scope:14:5",
            "fixtures/lint/unsatisfiable.scope:18:5",
        ])
    );
    // the secondary label is the clause it contradicts
    let first = f
        .iter()
        .find(|x| x.diagnostic.code == "unsatisfiable-filter")
        .unwrap();
    let src = l.sources.get(first.diagnostic.labels[1].source).unwrap();
    assert_eq!(src.line_col(first.diagnostic.labels[1].span.start).line, 5);
    // and with data they are not also reported as dead
    let (l, f) = lint_fixture("fixtures/lint/unsatisfiable.scope", Data::Directory);
    assert!(found(&l, &f, "dead-filter").is_empty());
    assert!(found(&l, &f, "null-excluded").is_empty());
}

#[test]
fn lint_unreadable_values_s4_s18_and_whitespace_s1() {
    let (l, f) = lint_fixture("fixtures/lint/unreadable.scope", Data::Directory);
    assert_eq!(
        found(&l, &f, "unreadable-values"),
        vec![
            (
                "fixtures/lint/unreadable.scope:6:5".into(),
                Some(1),
                strings(&["\"yes\" (1 user)"])
            ),
            (
                "fixtures/lint/unreadable.scope:7:5".into(),
                Some(1),
                strings(&["\"n/a\" (1 user)"])
            ),
        ]
    );
    assert_eq!(
        found(&l, &f, "whitespace-value"),
        vec![(
            "fixtures/lint/unreadable.scope:8:5".into(),
            Some(1),
            strings(&["olivia@contoso.com"])
        )]
    );
}

#[test]
fn lint_scope_breadth_guests_and_disabled_accounts() {
    let (l, f) = lint_fixture("fixtures/lint/breadth.scope", Data::Directory);
    assert_eq!(
        found(&l, &f, "broad-scope"),
        vec![("fixtures/lint/breadth.scope:5:9".into(), Some(18), vec![])]
    );
    assert_eq!(
        found(&l, &f, "guests-in-scope"),
        vec![(
            "fixtures/lint/breadth.scope:5:9".into(),
            Some(1),
            strings(&["mallory_fabrikam.com#EXT#@contoso.onmicrosoft.com"])
        )]
    );
    assert_eq!(
        found(&l, &f, "disabled-in-scope"),
        vec![(
            "fixtures/lint/breadth.scope:5:9".into(),
            Some(2),
            strings(&["bob@contoso.com", "walter@contoso.com"])
        )]
    );
    let (l, f) = lint_with(
        "fixtures/lint/breadth.scope",
        Data::Directory,
        LintOptions {
            max_scope_share: 95.0,
            ..LintOptions::default()
        },
    );
    assert!(found(&l, &f, "broad-scope").is_empty());
}

#[test]
fn lint_unsupported_s17_s20_and_absent_s2() {
    let (l, f) = lint_fixture("fixtures/lint/unsupported.scope", Data::Directory);
    assert_eq!(
        found(&l, &f, "unsupported-attribute"),
        vec![("fixtures/lint/unsupported.scope:5:5".into(), None, vec![])]
    );
    assert_eq!(
        found(&l, &f, "undocumented-operator"),
        vec![("fixtures/lint/unsupported.scope:6:25".into(), None, vec![])]
    );
    assert!(
        f.iter().all(|x| x.diagnostic.severity == Severity::Error
            || x.diagnostic.code == "data-lint-skipped")
    );
    let (l, f) = lint_fixture("fixtures/lint/absent.scope", Data::Directory);
    assert_eq!(
        found(&l, &f, "absent-attribute"),
        vec![("fixtures/lint/absent.scope:6:5".into(), None, vec![])]
    );
    assert_eq!(
        f.iter()
            .find(|x| x.diagnostic.code == "absent-attribute")
            .unwrap()
            .diagnostic
            .rule,
        Some("S2")
    );
}

#[test]
fn lint_says_once_when_it_assumes_everyone_is_assigned() {
    let (l, f) = lint_fixture("fixtures/lint/assigned.scope", Data::Directory);
    assert_eq!(
        found(&l, &f, "assignments-assumed"),
        vec![("fixtures/lint/assigned.scope:3:5".into(), None, vec![])]
    );
    let (_, f) = lint_fixture("fixtures/lint/assigned.scope", Data::WithAssignments);
    assert!(f.is_empty(), "{f:#?}");
    // an app the assignments do not name has no candidates at all
    let (l, f) = lint_fixture("fixtures/lint/unassigned.scope", Data::WithAssignments);
    assert_eq!(
        found(&l, &f, "no-candidates"),
        vec![("fixtures/lint/unassigned.scope:2:5".into(), Some(0), vec![])]
    );
    assert!(found(&l, &f, "dead-filter").is_empty());
}

#[test]
fn lint_clean_file_has_no_findings() {
    for data in [Data::None, Data::WithAssignments] {
        let (_, f) = lint_fixture("fixtures/lint/clean.scope", data);
        assert!(f.is_empty(), "{f:#?}");
    }
}

#[test]
fn lint_findings_are_in_file_order() {
    let (l, f) = lint_fixture("fixtures/lint/case.scope", Data::Directory);
    let keys: Vec<(usize, usize, &str)> = f
        .iter()
        .filter_map(|x| {
            let lab = x.diagnostic.labels.first()?;
            let lc = l.sources.get(lab.source)?.line_col(lab.span.start);
            Some((lc.line, lc.column, x.diagnostic.code.as_str()))
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

/// Lints a fixture against `fixtures/lint/tenant-values.json`, a Graph page of six users
/// whose values are written as real exports write them (zero-padded levels from an HR
/// feed, a macOS export's decomposed `ü`, a soft hyphen pasted from a document).
fn lint_tenant(path: &str, with_data: bool) -> (LoadedRules, Vec<Finding>) {
    let l = rules(path);
    let dir = directory("fixtures/lint/tenant-values.json");
    let data = with_data.then_some(LintData {
        dir: &dir,
        inputs: RolloutInputs::default(),
    });
    let f = lint(&l, data, &LintOptions::default());
    (l, f)
}

#[test]
fn s18_lint_flags_integers_not_written_as_documented() {
    // Without data: each rule value with a sign, leading zeros or spaces.
    let (l, f) = lint_tenant("fixtures/lint/integers.scope", false);
    let spelled: Vec<(String, Severity, Option<&str>)> = f
        .iter()
        .filter(|x| x.diagnostic.code == "integer-spelling")
        .map(|x| {
            (
                x.diagnostic
                    .primary_location(&l.sources)
                    .unwrap_or_default(),
                x.diagnostic.severity,
                x.diagnostic.rule,
            )
        })
        .collect();
    assert_eq!(
        spelled,
        vec![
            (
                "fixtures/lint/integers.scope:9:40".into(),
                Severity::Warning,
                Some("S18")
            ),
            (
                "fixtures/lint/integers.scope:14:50".into(),
                Severity::Warning,
                Some("S18")
            ),
            (
                "fixtures/lint/integers.scope:19:50".into(),
                Severity::Warning,
                Some("S18")
            ),
        ]
    );
    let messages: Vec<&str> = f
        .iter()
        .filter(|x| x.diagnostic.code == "integer-spelling")
        .map(|x| x.diagnostic.message.as_str())
        .collect();
    assert!(
        messages[0].contains("written with a `+` sign: scopesim reads it as 100"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("leading zeros or surrounding white space"),
        "{messages:?}"
    );
    assert!(
        messages[2].contains("a `-` sign: scopesim reads it as -1"),
        "{messages:?}"
    );

    // With data: the users whose level is written `0042`, ` 150 `, `+7` or `-1`, once for
    // the attribute; `n/a` is unreadable, not this, and `150` is as documented.
    let (l, f) = lint_tenant("fixtures/lint/integers.scope", true);
    let users: Vec<_> = found(&l, &f, "integer-spelling")
        .into_iter()
        .filter(|x| x.1.is_some())
        .collect();
    assert_eq!(
        users,
        vec![(
            "fixtures/lint/integers.scope:9:7".into(),
            Some(4),
            strings(&[
                "\" 150 \" (1 user)",
                "\"+7\" (1 user)",
                "\"-1\" (1 user)",
                "\"0042\" (1 user)"
            ])
        )]
    );
    assert_eq!(
        found(&l, &f, "unreadable-values"),
        vec![(
            "fixtures/lint/integers.scope:9:7".into(),
            Some(1),
            strings(&["\"n/a\" (1 user)"])
        )]
    );

    // Flagged, but evaluated as today (Int64.Parse): `+100` is 100, ` 150 ` is 150, `0042`
    // is 42, `-1` is -1.
    let dir = directory("fixtures/lint/tenant-values.json");
    let run = scopesim::pipeline::evaluate_directory(
        &l.rules,
        &dir,
        RolloutInputs::default(),
        scopesim::pipeline::Options::default(),
    )
    .unwrap();
    let in_scope = |stage: usize| -> Vec<String> {
        run.rollout.apps[0].stages[stage]
            .in_scope_users
            .ones_iter()
            .map(|r| scopesim::review::user_name(&dir, r))
            .collect()
    };
    assert_eq!(
        in_scope(0),
        strings(&["anna.schmidt@contoso.com", "chloe.dupont@contoso.com"])
    );
    assert_eq!(in_scope(1), in_scope(0));
    assert_eq!(
        in_scope(2),
        strings(&[
            "anna.schmidt@contoso.com",
            "ben.meier@contoso.com",
            "chloe.dupont@contoso.com",
            "david.weiss@contoso.com",
            "emma.keller@contoso.com"
        ])
    );
}

#[test]
fn s10_lint_makes_the_ordinal_ends_with_visible() {
    // Without data: suffixes holding a precomposed letter or an invisible soft hyphen.
    let (l, f) = lint_tenant("fixtures/lint/suffix.scope", false);
    let notes: Vec<_> = f
        .iter()
        .filter(|x| x.diagnostic.code == "ends-with-ordinal")
        .map(|x| {
            let lab = &x.diagnostic.labels[0];
            let text = l.sources.get(lab.source).unwrap().text.clone();
            (
                x.diagnostic
                    .primary_location(&l.sources)
                    .unwrap_or_default(),
                x.diagnostic.severity,
                text[lab.span.start..lab.span.end].to_string(),
            )
        })
        .collect();
    assert_eq!(
        notes,
        vec![
            // at the `ü` itself
            (
                "fixtures/lint/suffix.scope:15:44".into(),
                Severity::Info,
                "ü".into()
            ),
            // at the escape that wrote the soft hyphen
            (
                "fixtures/lint/suffix.scope:18:25".into(),
                Severity::Info,
                "\\u{ad}".into()
            ),
        ]
    );
    assert!(
        f.iter()
            .all(|x| x.diagnostic.rule == Some("S10") || x.diagnostic.code != "ends-with-ordinal")
    );
    let hyphen = f
        .iter()
        .rfind(|x| x.diagnostic.code == "ends-with-ordinal")
        .unwrap();
    assert!(
        hyphen.diagnostic.message.contains("a soft hyphen (U+00AD)"),
        "{f:#?}"
    );
    assert!(
        hyphen.diagnostic.message.contains("\\u{ad}"),
        "the invisible character is shown as an escape"
    );

    // With data: the candidates on whom a culture-sensitive EndsWith answers otherwise:
    // a trailing soft hyphen, `ß` against `ss`, a decomposed `ü`, and every mail against
    // the suffix with the hidden hyphen. `Vertrieb`, `Aussendienst` and `Zürich` written
    // alike on both sides are not counted.
    let (l, f) = lint_tenant("fixtures/lint/suffix.scope", true);
    let users: Vec<_> = found(&l, &f, "ends-with-ordinal")
        .into_iter()
        .filter(|x| x.1.is_some())
        .collect();
    assert_eq!(
        users,
        vec![
            (
                "fixtures/lint/suffix.scope:9:26".into(),
                Some(1),
                strings(&["\"Innendienst Vertrieb\\u{ad}\" (1 user)"])
            ),
            (
                "fixtures/lint/suffix.scope:12:26".into(),
                Some(1),
                strings(&["\"Vertrieb Außendienst\" (1 user)"])
            ),
            (
                "fixtures/lint/suffix.scope:15:42".into(),
                Some(1),
                strings(&["\"Zu\\u{308}rich\" (1 user)"])
            ),
            ("fixtures/lint/suffix.scope:18:20".into(), Some(6), {
                let mut v = strings(&[
                    "anna.schmidt",
                    "ben.meier",
                    "chloe.dupont",
                    "david.weiss",
                    "emma.keller",
                ]);
                for x in &mut v {
                    *x = format!("\"{x}@contoso.com\" (1 user)");
                }
                v
            }),
        ]
    );
    let warning = f
        .iter()
        .find(|x| x.diagnostic.code == "ends-with-ordinal" && x.affected == Some(6))
        .unwrap();
    assert_eq!(warning.diagnostic.severity, Severity::Warning);
    assert_eq!(
        warning.diagnostic.message,
        "`mail ENDS_WITH \"@con\\u{ad}toso.com\"` is false for 6 candidates for whom a culture-sensitive EndsWith would be true"
    );
    // The ordinal decision stands: the filter matches no one in scopesim.
    assert_eq!(
        found(&l, &f, "dead-filter"),
        vec![("fixtures/lint/suffix.scope:17:10".into(), Some(0), vec![])]
    );
}

#[test]
fn cli_lint_exit_codes_and_formats() {
    let run = |args: &[&str]| {
        let o = cargo_bin_cmd!("scopesim")
            .current_dir(root())
            .arg("lint")
            .args(args)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8(o.stdout).unwrap(),
            String::from_utf8(o.stderr).unwrap(),
        )
    };
    let (code, out, _) = run(&["fixtures/lint/clean.scope"]);
    assert_eq!((code, out.as_str()), (Some(0), "no findings\n"));
    let data = [
        "-d",
        USERS,
        "--assignments",
        ASSIGNMENTS,
        "--group-members",
        GROUPS,
    ];
    let (code, out, _) = run(&[&["fixtures/lint/clean.scope"][..], &data].concat());
    assert_eq!((code, out.as_str()), (Some(0), "no findings\n"));
    // warnings pass by default, fail with --deny warning
    let (code, out, _) = run(&[&["fixtures/lint/case.scope"][..], &data[..2]].concat());
    assert_eq!(code, Some(0));
    assert!(out.contains("fixtures/lint/case.scope:6:23"), "{out}");
    assert!(out.contains("case-mismatch (S5)"), "{out}");
    let (code, ..) = run(&["fixtures/lint/case.scope", "-d", USERS, "--deny", "warning"]);
    assert_eq!(code, Some(1));
    // errors (S17, S20) fail by default
    let (code, ..) = run(&["fixtures/lint/unsupported.scope"]);
    assert_eq!(code, Some(1));
    // JSON: findings with counts and examples, deterministic
    let args = ["fixtures/lint/null.scope", "-d", USERS, "--format", "json"];
    let (code, out, _) = run(&args);
    assert_eq!(code, Some(0));
    let (_, again, _) = run(&args);
    assert_eq!(out, again);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "null-excluded")
        .unwrap();
    assert_eq!(f["affected"], 2);
    assert_eq!(f["rule"], "S6");
    assert_eq!(f["labels"][0]["start"]["line"], 6);
    assert_eq!(f["labels"][0]["start"]["column"], 18);
    assert_eq!(v["counts"]["error"], 0);
    // a syntax error is a rules error: exit 2
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.scope");
    std::fs::write(&bad, "app \"A\" { filter \"f\" { department EQUALS } \n").unwrap();
    let (code, _, err) = run(&[bad.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    // --assignments needs a directory
    let (code, ..) = run(&["fixtures/lint/clean.scope", "--assignments", ASSIGNMENTS]);
    assert_eq!(code, Some(2));
}

// ---------------------------------------------------------------------------------------
// diff

fn names(d: &scopesim::review::diff::AppDiff, change: Change) -> Vec<(String, Action)> {
    d.users
        .iter()
        .filter(|u| u.change == change)
        .map(|u| (u.user_principal_name.clone(), u.action))
        .collect()
}

#[test]
fn diff_files_gives_exact_gained_and_lost_sets() {
    let old = rules("fixtures/diff/old.scope");
    let new = rules("fixtures/diff/new.scope");
    let dir = directory(USERS);
    let a = read_assignments(&root().join(ASSIGNMENTS)).unwrap();
    let g = read_group_members(&[root().join(GROUPS)]).unwrap();
    let inputs = RolloutInputs {
        assignments: Some(&a),
        group_members: Some(&g),
        target_states: &[],
    };
    let p = pair_files(&old.rules, &new.rules, None, None).unwrap();
    assert_eq!(p.only_before, strings(&["Workday"]));
    assert_eq!(p.only_after, strings(&["Slack"]));
    let diffs: Vec<_> = p
        .pairs
        .iter()
        .map(|(b, a)| diff_sides(*b, *a, &dir, inputs, DiffOptions::default()).unwrap())
        .collect();
    let sf = &diffs[0];
    assert_eq!(
        (
            sf.app.as_str(),
            sf.stage_before.as_str(),
            sf.stage_after.as_str()
        ),
        ("Salesforce", "wave-1", "wave-1")
    );
    assert_eq!(
        names(sf, Change::Gained),
        vec![("zoe@contoso.com".into(), Action::Create)]
    );
    assert_eq!(
        names(sf, Change::Lost),
        vec![
            ("dave@contoso.com".into(), Action::Disable),
            ("rupert@contoso.com".into(), Action::Disable)
        ]
    );
    assert_eq!((sf.unchanged_in_scope, sf.unchanged_out_of_scope), (4, 13));
    assert_eq!(sf.threshold.limit, Some(2));
    assert_eq!(sf.threshold.deprovisions, 2);
    assert!(
        !sf.threshold.held,
        "2 disables are not above a threshold of 2"
    );
    let dept = &sf.breakdowns[0];
    assert_eq!(dept.attribute, "department");
    let legal = dept
        .values
        .iter()
        .find(|r| r.value.as_deref() == Some("Legal"))
        .unwrap();
    assert_eq!((legal.gained, legal.lost), (1, 0));
    // filters: IT modified (clause added), Sales EMEA modified, Legal added
    let fc: Vec<(String, Vec<String>, Vec<String>)> = sf
        .filters
        .iter()
        .map(|f| {
            (
                f.name.clone(),
                f.clauses_added.clone(),
                f.clauses_removed.clone(),
            )
        })
        .collect();
    assert_eq!(
        fc,
        vec![
            ("IT".into(), strings(&["country NOT EQUALS \"NL\""]), vec![]),
            (
                "Sales EMEA".into(),
                strings(&["country REGEX MATCH \"^(DE|NL)$\""]),
                strings(&["country REGEX MATCH \"^(DE|FR|NL)$\""])
            ),
            (
                "Legal".into(),
                strings(&["department EQUALS \"Legal\""]),
                vec![]
            ),
        ]
    );

    let sn = &diffs[1];
    assert_eq!(sn.app, "ServiceNow");
    assert_eq!(
        names(sn, Change::Gained),
        vec![("dave@contoso.com".into(), Action::Create)]
    );
    // SkipOutOfScopeDeletions in NEW: losing scope does nothing to the accounts
    assert_eq!(
        names(sn, Change::Lost),
        vec![
            ("heidi@contoso.com".into(), Action::Skip),
            ("ivan@contoso.com".into(), Action::Skip)
        ]
    );
    assert_eq!(sn.threshold.deprovisions, 0);
    let kinds: Vec<String> = sn
        .filters
        .iter()
        .map(|f| format!("{:?} {} {:?}", f.change, f.name, f.old_name))
        .collect();
    assert_eq!(
        kinds,
        strings(&[
            "Renamed Staff Some(\"Employees\")",
            "Added Contractors None",
            "Removed Marketing None"
        ])
    );
    assert_eq!(sn.settings.len(), 1);
    assert_eq!(sn.settings[0].setting, "skip_out_of_scope_deletions");

    // with `ge`, 2 disables meet the threshold of 2: held
    let (b, a2) = p.pairs[0];
    let held = diff_sides(
        b,
        a2,
        &dir,
        inputs,
        DiffOptions {
            boundary: ThresholdBoundary::Ge,
            ..DiffOptions::default()
        },
    )
    .unwrap();
    assert!(held.threshold.held);
    assert!(
        held.users
            .iter()
            .filter(|u| u.change == Change::Lost)
            .all(|u| u.held)
    );
}

#[test]
fn diff_two_stages_of_one_file() {
    let l = rules("fixtures/rollout.scope");
    let dir = directory(USERS);
    let a = read_assignments(&root().join(ASSIGNMENTS)).unwrap();
    let g = read_group_members(&[root().join(GROUPS)]).unwrap();
    let inputs = RolloutInputs {
        assignments: Some(&a),
        group_members: Some(&g),
        target_states: &[],
    };
    let (b, af) = pair_stages(&l.rules, "Salesforce", "pilot", "wave-1").unwrap();
    let d = diff_sides(b, af, &dir, inputs, DiffOptions::default()).unwrap();
    let gained: Vec<String> = names(&d, Change::Gained).into_iter().map(|x| x.0).collect();
    assert_eq!(
        gained,
        strings(&[
            "carol@contoso.com",
            "dave@contoso.com",
            "erin@contoso.com",
            "mallory_fabrikam.com#EXT#@contoso.onmicrosoft.com"
        ])
    );
    assert!(names(&d, Change::Lost).is_empty());
    // and back: everyone who gained now loses, and is disabled
    let (b, af) = pair_stages(&l.rules, "Salesforce", "wave-1", "pilot").unwrap();
    let back = diff_sides(b, af, &dir, inputs, DiffOptions::default()).unwrap();
    let lost: Vec<(String, Action)> = names(&back, Change::Lost);
    assert_eq!(lost.len(), 4);
    assert!(lost.iter().all(|(_, a)| *a == Action::Disable));
    assert!(pair_stages(&l.rules, "Salesforce", "pilot", "wave-2").is_err());
    assert!(pair_stages(&l.rules, "Nope", "pilot", "wave-1").is_err());
}

fn diff_cmd(args: &[&str]) -> (Option<i32>, String, String) {
    let o = cargo_bin_cmd!("scopesim")
        .current_dir(root())
        .arg("diff")
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn cli_diff_exit_code_follows_the_deletion_threshold() {
    let base = [
        "fixtures/diff/old.scope",
        "fixtures/diff/new.scope",
        "-d",
        USERS,
        "--assignments",
        ASSIGNMENTS,
        "--group-members",
        GROUPS,
    ];
    let (code, out, err) = diff_cmd(&base);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("App \"Salesforce\""), "{out}");
    assert!(out.contains("+ filter \"Legal\""), "{out}");
    assert!(
        out.contains("Apps only in fixtures/diff/old.scope: Workday"),
        "{out}"
    );
    let (code, out, _) = diff_cmd(&[&base[..], &["--threshold-boundary", "ge"]].concat());
    assert_eq!(code, Some(1));
    assert!(out.contains("TRIPPED"), "{out}");
    // JSON
    let (code, out, _) =
        diff_cmd(&[&base[..], &["--format", "json", "--app", "Salesforce"]].concat());
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["apps"].as_array().unwrap().len(), 1);
    assert_eq!(v["apps"][0]["gained"], 1);
    assert_eq!(v["apps"][0]["lost"], 2);
    assert_eq!(
        v["apps"][0]["users"][0]["user_principal_name"],
        "dave@contoso.com"
    );
    assert_eq!(v["apps"][0]["users"][0]["action"], "disable");
    // usage: one file needs --app, --from and --to
    let (code, _, err) = diff_cmd(&["fixtures/rollout.scope", "-d", USERS]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--app APP --from STAGE --to STAGE"), "{err}");
    let (code, out, _) = diff_cmd(&[
        "fixtures/rollout.scope",
        "--app",
        "Salesforce",
        "--from",
        "pilot",
        "--to",
        "wave-1",
        "-d",
        USERS,
        "--assignments",
        ASSIGNMENTS,
        "--group-members",
        GROUPS,
    ]);
    assert_eq!(code, Some(0));
    assert!(out.contains("4 users gain scope, 0 lose it"), "{out}");
    // `scope assigned` without assignments is an input error
    let (code, _, err) = diff_cmd(&[
        "fixtures/diff/old.scope",
        "fixtures/diff/new.scope",
        "-d",
        USERS,
    ]);
    assert_eq!(code, Some(2), "{err}");
}

#[test]
fn cli_diff_report_is_guarded_atomic_and_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    std::fs::write(
        t.join("users.csv"),
        "objectId,userPrincipalName,department,companyName,country,accountEnabled\n\
         1,\"=HYPERLINK(\"\"http://x\"\")\",IT,+Corp,DE,True\n\
         2,b@contoso.com,IT,@Corp,-FR,True\n\
         3,c@contoso.com,Sales,Contoso,DE,True\n\
         4,d@contoso.com,HR,Contoso,DE,True\n",
    )
    .unwrap();
    std::fs::write(
        t.join("old.scope"),
        "app \"=App\" {\n  scope all\n  filter \"IT\" {\n    department EQUALS \"IT\"\n  }\n}\n",
    )
    .unwrap();
    std::fs::write(
        t.join("new.scope"),
        "app \"=App\" {\n  scope all\n  filter \"Sales\" {\n    department EQUALS \"Sales\"\n  }\n}\n",
    )
    .unwrap();
    let report = t.join("out").join("diff.csv");
    let args = |report: &Path| -> Vec<String> {
        vec![
            t.join("old.scope").display().to_string(),
            t.join("new.scope").display().to_string(),
            "-d".into(),
            t.join("users.csv").display().to_string(),
            "--report".into(),
            report.display().to_string(),
        ]
    };
    // the report's folder does not exist: error, and nothing written
    let a = args(&report);
    let (code, _, err) = diff_cmd(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, Some(2));
    assert!(err.contains("cannot write the report"), "{err}");
    assert!(!report.exists());
    std::fs::create_dir(t.join("out")).unwrap();
    let (code, out, err) = diff_cmd(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("report: 3 rows written"), "{out}");
    let first = std::fs::read_to_string(&report).unwrap();
    let mut rdr = csv::Reader::from_reader(first.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    for col in [
        "app",
        "objectId",
        "userPrincipalName",
        "before_in_scope",
        "after_in_scope",
        "action",
        "reason_before",
        "reason_after",
    ] {
        assert!(header.iter().any(|h| h == col), "missing {col}");
    }
    let rows: Vec<Vec<String>> = rdr
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    // directory order; every cell guarded, including the app name and the UPN
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][0], "'=App");
    assert_eq!(rows[0][4], "'=HYPERLINK(\"http://x\")");
    assert_eq!(rows[0][5], "lost");
    assert_eq!(rows[0][8], "disable");
    assert_eq!(rows[1][4], "b@contoso.com");
    assert_eq!(rows[2][4], "c@contoso.com");
    assert_eq!(rows[2][5], "gained");
    assert_eq!(rows[2][8], "create");
    for row in &rows {
        for cell in row {
            assert!(
                !matches!(cell.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@')),
                "unguarded cell {cell:?}"
            );
        }
    }
    // no temporary file left next to the report; a second run is byte-identical
    let names: Vec<PathBuf> = std::fs::read_dir(t.join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(names, vec![report.clone()]);
    let (code, ..) = diff_cmd(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, Some(0));
    assert_eq!(std::fs::read_to_string(&report).unwrap(), first);
}

// ---------------------------------------------------------------------------------------
// test

fn test_cmd(args: &[&str]) -> (Option<i32>, String, String) {
    let o = cargo_bin_cmd!("scopesim")
        .current_dir(root())
        .arg("test")
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn test_rollout_suite_passes_with_full_coverage() {
    let (code, out, err) = test_cmd(&["fixtures/tests/rollout.toml", "--min-coverage", "100"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("12 cases: 12 passed, 0 failed"), "{out}");
    assert!(
        out.contains("Coverage: 18 of 18 outcomes seen (100.0%)"),
        "{out}"
    );
    assert!(!out.contains("FAIL"), "{out}");
    let (code, out, _) = test_cmd(&["fixtures/tests/rollout.toml", "--format", "json"]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["passed"], 12);
    assert_eq!(v["ok"], true);
    assert_eq!(v["coverage"]["percent"], 100.0);
}

#[test]
fn test_wrong_expectation_fails_with_an_explanation() {
    let (code, out, err) = test_cmd(&["fixtures/tests/wrong.toml"]);
    assert_eq!(code, Some(1), "{out}{err}");
    for line in [
        "PASS  an IT admin is in the pilot  (it@contoso.com, fixtures/tests/wrong.toml:6:8)",
        "FAIL  Sales in Paris is in the pilot  (paris@contoso.com, fixtures/tests/wrong.toml:11:8)",
        "      Salesforce / pilot:",
        "        in_scope: expected true, got false",
        "        action: expected create, got skip",
        "        filter: expected \"IT pilot\" to match, but no scoping filter matches",
        "        ✗ filter \"IT pilot\" does not match",
        "            ✗ department EQUALS \"IT\"   department = \"Sales\"",
        "            ✓ accountEnabled IS TRUE   accountEnabled = \"True\"",
        "2 cases: 1 passed, 1 failed",
    ] {
        assert!(out.lines().any(|l| l == line), "missing {line:?} in\n{out}");
    }
    // coverage: ServiceNow is never exercised, so 100% is out of reach
    let (code, out, _) = test_cmd(&["fixtures/tests/wrong.toml", "--format", "json"]);
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let e = &v["cases"][1]["expectations"][0];
    assert_eq!(e["passed"], false);
    assert_eq!(
        e["explanation"]["filters"][0]["clauses"][0]["actual"],
        "Sales"
    );
    assert!(v["coverage"]["percent"].as_f64().unwrap() < 100.0);
}

#[test]
fn test_min_coverage_fails_a_passing_suite_below_it() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("t.toml");
    std::fs::write(
        &path,
        format!(
            "rules = {:?}\n[[case]]\nname = \"IT\"\nuser = {{ department = \"IT\", accountEnabled = \"True\" }}\nexpect = [ {{ app = \"Salesforce\", stage = \"pilot\", in_scope = true }} ]\n",
            root().join("fixtures/rollout.scope").display().to_string()
        ),
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let (code, out, _) = test_cmd(&[p]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out, _) = test_cmd(&[p, "--min-coverage", "80"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("below the minimum of 80%"), "{out}");
}

#[test]
fn test_malformed_files_exit_2_at_their_line_and_column() {
    let (code, _, err) = test_cmd(&["fixtures/tests/malformed.toml", "--error-format", "json"]);
    assert_eq!(code, Some(2));
    let d: serde_json::Value = serde_json::from_str(err.lines().next().unwrap()).unwrap();
    assert_eq!(d["labels"][0]["file"], "fixtures/tests/malformed.toml");
    assert_eq!(d["labels"][0]["start"]["line"], 7);
    assert_eq!(d["labels"][0]["start"]["column"], 1);
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `expcet`")
    );
    assert!(d["help"].as_str().unwrap().contains("[[case]]"));
    // names checked against the rules, with a suggestion
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("t.toml");
    std::fs::write(
        &path,
        format!(
            "rules = {:?}\n[[case]]\nname = \"x\"\nuser = {{ department = \"IT\" }}\nexpect = [ {{ app = \"Salesforce\", stage = \"pilots\", in_scope = true }} ]\n",
            root().join("fixtures/rollout.scope").display().to_string()
        ),
    )
    .unwrap();
    let (code, _, err) = test_cmd(&[path.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("app `Salesforce` has no stage `pilots`"),
        "{err}"
    );
    assert!(err.contains("did you mean `pilot`?"), "{err}");
    assert!(err.contains("t.toml:5:"), "{err}");
}

#[test]
fn test_inline_users_can_be_managed_already() {
    let suite = parse_suite(
        "t.toml",
        "rules = \"x\"\n[[case]]\nname = \"managed HR\"\nuser = { department = \"HR\", accountEnabled = \"True\" }\nmanaged_in = [\"Salesforce\"]\nexpect = [\n  { app = \"Salesforce\", stage = \"pilot\", in_scope = false, action = \"disable\" },\n  { app = \"Salesforce\", stage = \"wave-1\", action = \"skip\" },\n  { app = \"Salesforce\", stage = \"everyone\", in_scope = true, action = \"update\" },\n]\n",
        root(),
    )
    .unwrap();
    let l = rules("fixtures/rollout.scope");
    let r = run_suite(&suite, &l, None, EvalOptions::default()).unwrap();
    assert_eq!((r.passed, r.failed), (1, 0), "{:#?}", r.cases);
    // and a wrong action is reported with what happened instead
    let suite = parse_suite(
        "t.toml",
        "rules = \"x\"\n[[case]]\nname = \"x\"\nuser = { department = \"HR\" }\nmanaged_in = [\"Salesforce\"]\nexpect = [ { app = \"Salesforce\", stage = \"pilot\", action = \"update\" } ]\n",
        root(),
    )
    .unwrap();
    let r = run_suite(&suite, &l, None, EvalOptions::default()).unwrap();
    assert_eq!(
        r.cases[0].expectations[0].mismatches,
        strings(&["action: expected update, got disable"])
    );
}

#[test]
fn test_directory_users_need_assignments_under_scope_assigned() {
    let suite = parse_suite(
        "t.toml",
        "rules = \"x\"\ndirectory = \"users.csv\"\n[[case]]\nname = \"alice\"\nuser_ref = \"alice@contoso.com\"\nexpect = [ { app = \"Salesforce\", stage = \"pilot\", in_scope = true } ]\n",
        root(),
    )
    .unwrap();
    let l = rules("fixtures/rollout.scope");
    let dir = directory(USERS);
    let real = scopesim::review::testing::RealUsers {
        dir: &dir,
        inputs: RolloutInputs::default(),
    };
    match run_suite(&suite, &l, Some(real), EvalOptions::default()) {
        Err(RunError::Suite(d)) => {
            assert_eq!(d[0].code, "no-assignments");
            let lc = suite
                .sources
                .get(suite.source)
                .unwrap()
                .line_col(d[0].labels[0].span.start);
            assert_eq!((lc.line, lc.column), (1, 9));
        }
        other => panic!("expected a test-file error, got {other:?}"),
    }
}

/// Every finding of `lint` as the command computes it (the export streamed, the values
/// read by the probe as row groups are parsed) and as the library computes it on a
/// directory read whole must be the same finding: code, place, count, examples, text.
#[test]
fn lint_of_a_streamed_export_equals_lint_of_the_directory_read_whole() {
    use scopesim::pipeline::{DirectorySource, InputFiles};
    use scopesim::review::lint::request::LintRequest;
    use scopesim::rules::load::LoadOptions;
    let key = |l: &LoadedRules, f: &Finding| {
        (
            f.diagnostic.code.to_string(),
            f.diagnostic.primary_location(&l.sources),
            f.diagnostic.message.clone(),
            f.affected,
            f.examples.clone(),
        )
    };
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/lint"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "scope"))
        .map(|p| p.strip_prefix(root()).unwrap().to_path_buf())
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 10, "{fixtures:?}");
    let mut compared = 0;
    for users in [USERS, "fixtures/lint/tenant-values.json"] {
        for with_assignments in [false, true] {
            let source = DirectorySource {
                paths: vec![PathBuf::from(users)],
                format: None,
                delimiter: None,
                skip_bad_rows: false,
            };
            let files = InputFiles {
                assignments: if with_assignments {
                    vec![PathBuf::from(ASSIGNMENTS)]
                } else {
                    Vec::new()
                },
                group_members: if with_assignments {
                    vec![PathBuf::from(GROUPS)]
                } else {
                    Vec::new()
                },
                ..InputFiles::default()
            };
            let dir = directory(users);
            let a = read_assignments(&root().join(ASSIGNMENTS)).unwrap();
            let g = read_group_members(&[root().join(GROUPS)]).unwrap();
            for path in &fixtures {
                let opts = LintOptions::default();
                let request = LintRequest {
                    rules: path,
                    load: &LoadOptions::default(),
                    source: Some(&source),
                    files: &files,
                    options: &opts,
                };
                let streamed = request.run(&NoProgress).unwrap();
                let l = rules(path.to_str().unwrap());
                let inputs = if with_assignments {
                    RolloutInputs {
                        assignments: Some(&a),
                        group_members: Some(&g),
                        target_states: &[],
                    }
                } else {
                    RolloutInputs::default()
                };
                let whole = lint(&l, Some(LintData { dir: &dir, inputs }), &opts);
                let got: Vec<_> = streamed
                    .findings
                    .iter()
                    .map(|f| key(&streamed.loaded, f))
                    .collect();
                let want: Vec<_> = whole.iter().map(|f| key(&l, f)).collect();
                assert_eq!(got, want, "{} on {users}", path.display());
                compared += want.len();
            }
        }
    }
    assert!(compared > 50, "only {compared} findings compared");
}

/// Runs `diff` as the command does (the export streamed, `DiffRequest`) and in memory
/// (`compare` over the whole directory), and gives both comparisons as JSON, with the
/// warnings and the directory's evidence of each.
fn diff_streamed_and_in_memory(
    rules: &[&Path],
    source: &scopesim::pipeline::DirectorySource,
    files: &scopesim::pipeline::InputFiles,
    selection: scopesim::review::diff::Selection<'_>,
) -> [(serde_json::Value, Vec<String>, Vec<String>); 2] {
    use scopesim::pipeline::Rules;
    use scopesim::review::diff::request::DiffRequest;
    use scopesim::review::diff::{columns, compare, to_json};
    let paths: Vec<PathBuf> = rules.iter().map(|p| p.to_path_buf()).collect();
    let load = scopesim::rules::load::LoadOptions::default();
    let request = DiffRequest {
        rules: &paths,
        load: &load,
        source,
        files,
        selection,
        options: DiffOptions::default(),
        outputs: &[],
    };
    let streamed = request.run(&NoProgress).unwrap();
    let text = |w: &[scopesim::diag::Diagnostic]| w.iter().map(|d| d.message.clone()).collect();
    let hashes = |e: &[scopesim::pipeline::evidence::InputRef]| {
        e.iter()
            .map(|i| format!("{} {} {}", i.role, i.path, i.sha256))
            .collect()
    };
    let old = Rules::load(&paths[0], Anchoring::default()).unwrap();
    let new = paths
        .get(1)
        .map(|p| Rules::load(p, Anchoring::default()).unwrap());
    let inputs = files.read().unwrap();
    let dir = source
        .read(
            columns(old.rules(), new.as_ref().unwrap_or(&old).rules()),
            &NoProgress,
        )
        .unwrap();
    let memory = compare(
        &old,
        new.as_ref(),
        selection,
        &dir,
        inputs.rollout_inputs(),
        DiffOptions::default(),
    )
    .unwrap();
    let mut memory_warnings = dir.diagnostics().to_vec();
    memory_warnings.extend(memory.warnings.iter().cloned());
    let mut memory_evidence = old.evidence();
    memory_evidence.extend(new.iter().flat_map(Rules::evidence));
    memory_evidence.extend(
        dir.inputs()
            .iter()
            .map(|i| scopesim::pipeline::evidence::InputRef::from_info("directory", i)),
    );
    memory_evidence.extend(inputs.evidence.iter().cloned());
    [
        (
            to_json(&streamed.diff),
            text(&streamed.warnings),
            hashes(&streamed.evidence),
        ),
        (
            to_json(&memory),
            text(&memory_warnings),
            hashes(&memory_evidence),
        ),
    ]
}

/// S24, S25, S27: `diff` streams the export in two runs (OLD keeping the keys its stage
/// selects, NEW keeping the values of the users whose scope may change) and gives what a
/// comparison of the whole directory in memory gives, byte for byte: on a generated
/// tenant of several row groups with nested groups, disabled users and users outside
/// every assignment, for gains (pilot to wave-1), losses with the threshold (wave-1 to
/// pilot), the same with malformed rows skipped (both runs skip the same rows), and two
/// files whose scope modes differ (every user either stage selects may change); and on a
/// Graph JSON export, which does not stream.
#[test]
fn s24_s25_s27_diff_streamed_equals_diff_of_the_whole_directory() {
    use scopesim::review::diff::Selection;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    crate::common::generate_tenant(80_000, 3, d);
    assert!(
        std::fs::metadata(d.join("users.csv")).unwrap().len() > 8 << 20,
        "the export must make several row groups of the streaming reader (2 MiB blocks)"
    );
    let files = scopesim::pipeline::InputFiles {
        assignments: vec![d.join("assignments.csv")],
        group_members: vec![d.join("group-members.csv")],
        ..Default::default()
    };
    let real = root().join("benches/real.scope");
    let all = d.join("all.scope");
    let text = std::fs::read_to_string(&real).unwrap();
    std::fs::write(
        &all,
        text.replacen("  scope assigned\n", "  scope all\n", 1),
    )
    .unwrap();
    let users = scopesim::pipeline::DirectorySource {
        paths: vec![d.join("users.csv")],
        ..Default::default()
    };
    // The same export with malformed rows (too many fields), skipped with
    // `--skip-bad-rows`: both runs must skip the same rows, or users would shift.
    let text = std::fs::read_to_string(d.join("users.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let bad = "x,y,z,".repeat(40);
    for at in [lines.len() - 5, lines.len() / 2, 3] {
        lines.insert(at, &bad);
    }
    std::fs::write(d.join("bad.csv"), lines.join("\n") + "\n").unwrap();
    let bad_rows = scopesim::pipeline::DirectorySource {
        paths: vec![d.join("bad.csv")],
        skip_bad_rows: true,
        ..Default::default()
    };
    let cases: [(
        Vec<&Path>,
        &scopesim::pipeline::DirectorySource,
        Selection<'_>,
    ); 4] = [
        (
            vec![&real],
            &users,
            Selection::Stages {
                app: "Salesforce",
                from: "pilot",
                to: "wave-1",
            },
        ),
        (
            vec![&real],
            &bad_rows,
            Selection::Stages {
                app: "Salesforce",
                from: "pilot",
                to: "wave-1",
            },
        ),
        (
            vec![&real],
            &users,
            Selection::Stages {
                app: "Salesforce",
                from: "wave-1",
                to: "pilot",
            },
        ),
        (
            vec![&real, &all],
            &users,
            Selection::Files {
                stage: Some("wave-1"),
                app: Some("Salesforce"),
            },
        ),
    ];
    for (rules, source, selection) in cases {
        let [streamed, memory] = diff_streamed_and_in_memory(&rules, source, &files, selection);
        assert_eq!(streamed, memory, "{rules:?} {selection:?}");
        if source.skip_bad_rows {
            assert!(
                streamed
                    .1
                    .iter()
                    .any(|w| w.starts_with("skipped 3 malformed rows")),
                "{:?}",
                streamed.1
            );
        }
        let app = &streamed.0["apps"][0];
        assert!(
            app["gained"].as_u64().unwrap() + app["lost"].as_u64().unwrap() > 100,
            "{rules:?} {selection:?}: the case must change many users"
        );
    }
    // A Graph JSON export is read whole and compared in memory.
    let pages = scopesim::pipeline::DirectorySource {
        paths: vec![root().join("fixtures/graph/users-pages.json")],
        ..Default::default()
    };
    let fixture = scopesim::pipeline::InputFiles {
        assignments: vec![root().join("fixtures/assignments.csv")],
        group_members: vec![root().join("fixtures/group-members.csv")],
        ..Default::default()
    };
    let rollout = root().join("fixtures/rollout.scope");
    let selection = Selection::Stages {
        app: "Salesforce",
        from: "pilot",
        to: "wave-1",
    };
    let [streamed, memory] = diff_streamed_and_in_memory(&[&rollout], &pages, &fixture, selection);
    assert_eq!(streamed, memory);
    assert!(streamed.0["apps"][0]["gained"].as_u64().unwrap() > 0);
}

/// `diff -d -`: an export on standard input can be read only once, so it is compared in
/// memory, with the same result as the file (the streamed comparison reads a file twice).
#[test]
fn diff_reads_the_export_from_standard_input_as_from_a_file() {
    let args = |users: &str| {
        [
            "diff",
            "fixtures/rollout.scope",
            "--app",
            "Salesforce",
            "--from",
            "pilot",
            "--to",
            "wave-1",
            "--assignments",
            ASSIGNMENTS,
            "--group-members",
            GROUPS,
            "--format",
            "json",
            "-d",
        ]
        .into_iter()
        .map(str::to_string)
        .chain([users.to_string()])
        .collect::<Vec<_>>()
    };
    let file = cargo_bin_cmd!("scopesim")
        .current_dir(root())
        .args(args(USERS))
        .output()
        .unwrap();
    let piped = cargo_bin_cmd!("scopesim")
        .current_dir(root())
        .args(args("-"))
        .write_stdin(std::fs::read(root().join(USERS)).unwrap())
        .output()
        .unwrap();
    assert_eq!(piped.status.code(), file.status.code());
    let json = |o: &std::process::Output| -> serde_json::Value {
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let (a, b) = (json(&piped), json(&file));
    assert!(b["apps"][0]["gained"].as_u64().unwrap() > 0);
    assert_eq!(a, b, "{}", String::from_utf8_lossy(&piped.stderr));
}
