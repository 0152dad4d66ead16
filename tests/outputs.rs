//! What scopesim writes besides tables: CSV dialects, file modes, completions, the man
//! page, the examples at the end of `--help`, and a summary whose columns add up.

use assert_cmd::Command;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scopesim() -> Command {
    let mut c = Command::cargo_bin("scopesim").unwrap();
    c.current_dir(root()).env("NO_COLOR", "1");
    c
}

const PLAN: [&str; 10] = [
    "plan",
    "fixtures/rollout.scope",
    "-d",
    "fixtures/users.csv",
    "--assignments",
    "fixtures/assignments.csv",
    "--group-members",
    "fixtures/group-members.csv",
    "--target-state",
    "Salesforce=fixtures/target-state/salesforce-managed.csv",
];

#[test]
fn outputs_csv_dialect_excel_has_a_bom_and_the_delimiter_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let (summary, report) = (dir.path().join("s.csv"), dir.path().join("r.csv"));
    scopesim()
        .args(PLAN)
        .args([
            "--format",
            "csv",
            "--csv-dialect",
            "excel",
            "--csv-delimiter",
            ";",
        ])
        .arg("-o")
        .arg(&summary)
        .arg("--report")
        .arg(&report)
        .assert()
        .code(0);
    for p in [&summary, &report] {
        let bytes = std::fs::read(p).unwrap();
        assert!(
            bytes.starts_with(b"\xEF\xBB\xBFapp;stage;"),
            "{}",
            p.display()
        );
    }
    let r = std::fs::read_to_string(&report).unwrap();
    // A reason holding `;` is quoted; commas in it are not.
    assert!(r.lines().skip(1).all(|l| l.split(';').count() >= 8), "{r}");
    // The default is unchanged: RFC 4180, no BOM.
    let out = scopesim()
        .args(PLAN)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert!(out.stdout.starts_with(b"app,stage,candidates,"));
    // diff --report too.
    let diff = dir.path().join("d.csv");
    scopesim()
        .args([
            "diff",
            "fixtures/diff/old.scope",
            "fixtures/diff/new.scope",
            "-d",
            "fixtures/review/users.csv",
            "--assignments",
            "fixtures/review/assignments.csv",
            "--group-members",
            "fixtures/review/group-members.csv",
            "--csv-dialect",
            "excel",
            "--csv-delimiter",
            "tab",
            "--report",
        ])
        .arg(&diff)
        .assert()
        .code(0);
    assert!(
        std::fs::read(&diff)
            .unwrap()
            .starts_with(b"\xEF\xBB\xBFapp\tstage_before\t")
    );
}

#[cfg(unix)]
#[test]
fn outputs_every_written_file_honours_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let bin = assert_cmd::cargo::cargo_bin("scopesim");
    let q = |args: &[&str]| {
        args.iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let cmds = [
        format!(
            "{} --format html -o '{d}/page.html' --report '{d}/report.csv' --csv-dialect excel",
            q(&PLAN)
        ),
        format!("{} --format json -o '{d}/plan.json'", q(&PLAN)),
        format!(
            "{} -o '{d}/diff.html' --format html --report '{d}/diff.csv'",
            q(&[
                "diff",
                "fixtures/diff/old.scope",
                "fixtures/diff/new.scope",
                "-d",
                "fixtures/review/users.csv",
                "--assignments",
                "fixtures/review/assignments.csv",
                "--group-members",
                "fixtures/review/group-members.csv",
            ])
        ),
        format!(
            "{} -o '{d}/rules.json'",
            q(&["convert", "fixtures/rollout.scope", "--to", "graph-json"])
        ),
    ];
    for c in &cmds {
        let script = format!("umask 022; exec '{}' {c}", bin.display());
        let out = std::process::Command::new("sh")
            .args(["-c", &script])
            .current_dir(root())
            .output()
            .unwrap();
        assert!(
            out.status.code().is_some_and(|c| c < 2),
            "{c}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for f in [
        "page.html",
        "report.csv",
        "plan.json",
        "diff.html",
        "diff.csv",
        "rules.json",
    ] {
        let mode = std::fs::metadata(dir.path().join(f))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o644, "{f} is {mode:o} under umask 022, not 0644");
    }
}

#[test]
fn outputs_completions_for_every_shell_and_a_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = scopesim().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("scopesim") && text.contains("plan"),
            "{shell}"
        );
        assert!(
            text.contains("--csv-dialect"),
            "{shell}: every flag completes"
        );
    }
    let out = scopesim().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let man = scopesim().arg("man").output().unwrap();
    let page = String::from_utf8(man.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH scopesim"),
        "{page}"
    );
    assert!(page.contains("plan"));
    let man = scopesim().args(["man", "plan"]).output().unwrap();
    let page = String::from_utf8(man.stdout).unwrap();
    assert!(page.contains(".TH scopesim-plan"), "{page}");
    assert!(page.contains("csv\\-dialect"), "{page}");
    let bad = scopesim().args(["man", "plam"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no command `plam`"));
}

/// Splits a command line as a POSIX shell does for our examples (single quotes).
fn words(cmd: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    for c in cmd.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                word.get_or_insert_with(String::new);
            }
            c if c.is_whitespace() && !quoted => out.extend(word.take()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    out.extend(word);
    out
}

#[test]
fn outputs_every_help_ends_with_examples_that_run() {
    use scopesim::output::help::EXAMPLES;
    for (name, text) in EXAMPLES {
        let help = scopesim().args([name, "--help"]).output().unwrap();
        let help = String::from_utf8(help.stdout).unwrap();
        assert!(
            help.contains("Examples:\n  $ scopesim"),
            "{name} --help:\n{help}"
        );
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            (2..=3).contains(&lines.len()),
            "{name}: two or three examples"
        );
        for line in lines {
            // Redirections are the shell's; run what comes before them.
            let cmd = line
                .split(" > ")
                .next()
                .unwrap()
                .split(" >> ")
                .next()
                .unwrap();
            let cmd = cmd.split(" && ").next().unwrap();
            let args = words(cmd);
            assert_eq!(args[0], "scopesim", "{line}");
            let out = scopesim().args(&args[1..]).output().unwrap();
            let code = out.status.code();
            assert!(
                matches!(code, Some(0 | 1)),
                "`{line}` exits {code:?}:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn outputs_width_is_a_number_of_columns() {
    let out = scopesim()
        .args(PLAN)
        .args(["--width", "10"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = scopesim()
        .args(PLAN)
        .args(["--width", "wide"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// S24, S31: each stage counts every user and account once, so the summary's columns add
/// up, and they add up to the stage's rows in the per-user report; `none` is the report's
/// `none` minus the suppressed actions (S33), and no non-candidate hides in `skip`
/// unannounced.
#[test]
fn s24_s31_the_summary_counts_every_user_and_account_once() {
    let dir = tempfile::tempdir().unwrap();
    let saw_not_candidates = summary_adds_up_to_the_report(&PLAN, dir.path());
    assert!(
        saw_not_candidates,
        "the fixture has a nested-group member and accounts with no user"
    );
}

/// S24, S31 over a generated tenant larger than one parallel task of the summary's
/// counts (65,536 rows; 140,000 users make two whole tasks and a part), with nested
/// groups and users outside every assignment: the counts summed over the row ranges are
/// the report's.
#[test]
fn s24_s31_the_summary_counted_in_parallel_row_ranges_adds_up_to_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    crate::common::generate_tenant(140_000, 7, d);
    let path = |f: &str| d.join(f).to_string_lossy().into_owned();
    let args = [
        "plan".to_string(),
        "benches/real.scope".to_string(),
        "-d".to_string(),
        path("users.csv"),
        "--assignments".to_string(),
        path("assignments.csv"),
        "--group-members".to_string(),
        path("group-members.csv"),
    ];
    let saw_not_candidates = summary_adds_up_to_the_report(&args, d);
    assert!(
        saw_not_candidates,
        "the generated tenant has nested-group members"
    );
}

/// Runs `plan` with `args`, a JSON summary and a report into `dir`, and checks each
/// stage's columns against the report: candidates and non-candidates add up to the
/// actions and to the stage's rows, and `none` is the report's `none` minus the
/// suppressed actions (S33). True when some stage counted a non-candidate.
fn summary_adds_up_to_the_report<S: AsRef<std::ffi::OsStr>>(args: &[S], dir: &Path) -> bool {
    let report = dir.join("r.csv");
    let out = scopesim()
        .args(args)
        .args(["--format", "json", "--report"])
        .arg(&report)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let csv = std::fs::read_to_string(&report).unwrap();
    let mut saw_not_candidates = false;
    for s in v["stages"].as_array().unwrap() {
        let n = |k: &str| s[k].as_u64().unwrap();
        let population = n("candidates") + n("not_candidates");
        let actions: u64 = [
            "create",
            "update",
            "disable",
            "delete",
            "skip",
            "fail",
            "suppressed",
            "none",
        ]
        .iter()
        .map(|k| n(k))
        .sum();
        assert_eq!(population, actions, "{s}");
        let (app, stage) = (s["app"].as_str().unwrap(), s["stage"].as_str().unwrap());
        let prefix = format!("{app},{stage},");
        let rows: Vec<&str> = csv.lines().filter(|l| l.starts_with(&prefix)).collect();
        assert_eq!(rows.len() as u64, population, "{app}/{stage}");
        let none = rows.iter().filter(|l| l.contains(",none,")).count() as u64;
        assert_eq!(none, n("none") + n("suppressed"), "{app}/{stage}");
        saw_not_candidates |= n("not_candidates") > 0;
    }
    saw_not_candidates
}

/// The table summary shows no evidence, so the streamed export is not hashed for it
/// (SHA-256 was an eighth of a plan's CPU time); every output that shows evidence still
/// hashes, and the counts are the same either way.
#[test]
fn outputs_only_the_table_summary_skips_hashing_the_export() {
    use scopesim::directory::NoProgress;
    use scopesim::pipeline::{Columns, DirectorySource, InputFiles, Options, Rules, Simulation};
    use scopesim::report::plan::summary_rows;
    let rules = Rules::load(
        &root().join("fixtures/rollout.scope"),
        scopesim::regex::Anchoring::Partial,
    )
    .unwrap();
    let inputs = InputFiles {
        assignments: vec![root().join("fixtures/assignments.csv")],
        group_members: vec![root().join("fixtures/group-members.csv")],
        ..InputFiles::default()
    }
    .read()
    .unwrap();
    let source = DirectorySource {
        paths: vec![root().join("fixtures/users.csv")],
        ..DirectorySource::default()
    };
    let sim = Simulation {
        rules: &rules,
        directory: &source,
        inputs: &inputs,
        options: Options::default(),
    };
    let directory_hash = |columns: Columns| {
        let run = sim.run(columns, &NoProgress).unwrap();
        let hash = run
            .evidence
            .inputs
            .iter()
            .find(|i| i.role == "directory")
            .map(|i| i.sha256.clone())
            .unwrap();
        let counts: Vec<(usize, usize)> = summary_rows(&run.evaluated.rollout, None, None)
            .iter()
            .map(|r| (r.candidates, r.in_scope))
            .collect();
        (hash, counts)
    };
    let (summary, summary_counts) = directory_hash(Columns::Summary);
    let (counts, counted) = directory_hash(Columns::Counts);
    assert_eq!(summary, "");
    assert_eq!(counts.len(), 64);
    assert_eq!(summary_counts, counted);
    let expected = {
        use sha2::Digest;
        let bytes = std::fs::read(root().join("fixtures/users.csv")).unwrap();
        scopesim::text::hex(&sha2::Sha256::digest(&bytes))
    };
    assert_eq!(counts, expected);
    // The JSON summary, which shows the evidence, has the hash.
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
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains(&expected));
}
