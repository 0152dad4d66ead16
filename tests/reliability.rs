//! Bad input and faults, tried on the real binary: no crash, no hang, no clobbered file,
//! no terminal injection (the README's reliability section lists these guarantees).

use crate::cli::scopesim;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_scopesim"))
}

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .display()
        .to_string()
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn reliability_a_mark_past_column_65535_is_shown_cut_and_located() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("schema.json");
    let name = "x".repeat(70_000);
    let text = format!(
        r#"{{"synchronizationRules":[{{"objectMappings":[{{"sourceObjectName":"User","name":"{name}","scope":{{"groups":[{{"name":"g","clauses":[{{"sourceOperandName":"department","operatorName":"EQUAL","targetOperand":{{"values":["IT"]}}}}]}}]}}}}]}}]}}"#
    );
    std::fs::write(&p, &text).unwrap();
    // The mark is the JSON string, opening quote included (1-based column).
    let col = text.find("\"EQUAL\"").unwrap() + 1;
    let out = scopesim()
        .args(["check", p.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(&format!("schema.json:1:{col}")), "{err}");
    assert!(
        err.len() < 4_000,
        "the whole line was printed: {} bytes",
        err.len()
    );
    assert!(err.contains('…'));
}

#[test]
fn reliability_token_soup_gives_bounded_output_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("soup.scope");
    let toks = [
        "app",
        "\"A\"",
        "{",
        "}",
        "filter",
        "stage",
        "EQUALS",
        "x",
        "department",
        "\"v\"",
        "scope",
        "all",
        "IS",
        "NULL",
        "NOT",
        "{",
    ];
    let mut s = String::new();
    let mut x: u64 = 1;
    for _ in 0..50_000 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        s.push_str(toks[(x >> 33) as usize % toks.len()]);
        s.push(' ');
    }
    std::fs::write(&p, s).unwrap();
    let started = Instant::now();
    let out = scopesim()
        .args(["check", p.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(!err.contains("panicked"));
    assert!(err.len() < 200_000, "{} bytes of diagnostics", err.len());
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn reliability_unclosed_braces_in_an_unreadable_line_fail_once() {
    // Found by fuzzing: a line the grammar skips, holding `{` that are never closed, was
    // retried both ways at every brace (2^n). 41 braces took minutes; 5,000 must not.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("braces.scope");
    let text = format!(
        "app \"A\" {{\n  scope all\n  jobTitle[EQUALS \"A{}\"\n  filter \"f\" {{\n    department EQUALS \"IT\"\n  }}\n}}\n",
        "{".repeat(5_000)
    );
    std::fs::write(&p, text).unwrap();
    let started = Instant::now();
    let out = scopesim()
        .args(["check", p.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("braces.scope:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn reliability_more_than_fifty_errors_are_counted_not_printed() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("many.scope");
    let mut s = String::from("app \"A\" {\n  filter \"f\" {\n");
    for i in 0..120 {
        s.push_str(&format!("    department EQUAL{i} \"x\"\n"));
    }
    s.push_str("  }\n}\n");
    std::fs::write(&p, s).unwrap();
    let out = scopesim()
        .args(["check", p.to_str().unwrap()])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(err.matches("  × ").count(), 50, "{err}");
    assert!(err.contains("70 more (70 errors) not shown"), "{err}");
    let out = scopesim()
        .args(["--error-format", "json", "check", p.to_str().unwrap()])
        .output()
        .unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 51);
    assert_eq!(lines[50]["code"], "more-diagnostics");
}

#[test]
fn reliability_a_closed_pipe_ends_the_run_quietly() {
    // stderr closed after one line while 50+ errors are printed; stdout closed at once.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.scope");
    let mut s = String::from("app \"A\" {\n  filter \"f\" {\n");
    for i in 0..200 {
        s.push_str(&format!("    department EQUAL{i} \"x\"\n"));
    }
    s.push_str("  }\n}\n");
    std::fs::write(&p, s).unwrap();
    let mut child = Command::new(bin())
        .args(["check", p.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    drop(err);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2), "not a panic (101)");

    let mut child = Command::new(bin())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "plan",
            "fixtures/rollout.scope",
            "-d",
            "fixtures/users.csv",
            "--assignments",
            "fixtures/assignments.csv",
            "--group-members",
            "fixtures/group-members.csv",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut e = String::new();
    child.stderr.take().unwrap().read_to_string(&mut e).unwrap();
    let status = child.wait().unwrap();
    assert!(!e.contains("panicked"), "{e}");
    assert_ne!(status.code(), Some(101));
}

fn plan_args(dir: &str) -> Vec<String> {
    [
        "plan",
        &fixture("fixtures/rollout.scope"),
        "-d",
        &format!("{dir}/users.csv"),
        "--assignments",
        &fixture("fixtures/assignments.csv"),
        "--group-members",
        &fixture("fixtures/group-members.csv"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn reliability_outputs_never_overwrite_inputs_or_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    std::fs::copy(fixture("fixtures/users.csv"), dir.path().join("users.csv")).unwrap();
    let users = dir.path().join("users.csv");
    let before = std::fs::read(&users).unwrap();
    for extra in [
        vec!["--report".to_string(), users.display().to_string()],
        vec!["-o".to_string(), format!("{d}/./users.csv")],
        vec!["-o".to_string(), fixture("fixtures/rollout.scope")],
        vec![
            "--report".to_string(),
            format!("{d}/r.csv"),
            "-o".to_string(),
            format!("{d}/r.csv"),
        ],
    ] {
        let out = Command::new(bin())
            .args(plan_args(&d))
            .args(&extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr_of(&out));
        assert!(stderr_of(&out).contains("output-clobbers"), "{extra:?}");
    }
    assert_eq!(
        std::fs::read(&users).unwrap(),
        before,
        "the input is untouched"
    );
    assert!(!dir.path().join("r.csv").exists());
    #[cfg(unix)]
    {
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&users, &link).unwrap();
        let out = Command::new(bin())
            .args(plan_args(&d))
            .args(["--report", link.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "a symlink to the input is the input"
        );
    }
}

#[cfg(unix)]
#[test]
fn reliability_outputs_go_through_symlinks_to_devices_and_honour_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    std::fs::copy(fixture("fixtures/users.csv"), dir.path().join("users.csv")).unwrap();
    let target = dir.path().join("summary.txt");
    std::fs::write(&target, "old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("latest.txt");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let report = dir.path().join("report.csv");
    let cmd = format!(
        "umask 022; exec '{}' {} -o '{}' --report '{}'",
        bin().display(),
        plan_args(&d)
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(" "),
        link.display(),
        report.display()
    );
    let out = Command::new("sh").args(["-c", &cmd]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .contains("Salesforce")
    );
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&target), 0o640, "an overwritten file keeps its mode");
    assert_eq!(
        mode(&report),
        0o644,
        "a new report is 0644 under umask 022, not 0600"
    );
    let out = Command::new(bin())
        .args(plan_args(&d))
        .args(["-o", "/dev/null", "--report", "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device_like()
    );
}

#[cfg(unix)]
trait IsCharDevice {
    fn is_char_device_like(&self) -> bool;
}

#[cfg(unix)]
impl IsCharDevice for std::fs::FileType {
    fn is_char_device_like(&self) -> bool {
        use std::os::unix::fs::FileTypeExt;
        self.is_char_device()
    }
}

#[test]
fn reliability_a_failed_run_writes_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    std::fs::copy(fixture("fixtures/users.csv"), dir.path().join("users.csv")).unwrap();
    let report = dir.path().join("report.csv");
    let out = Command::new(bin())
        .args(plan_args(&d))
        .args([
            "--report",
            report.to_str().unwrap(),
            "-o",
            &format!("{d}/missing-dir/summary.txt"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !report.exists(),
        "the report of a failed run is not left behind"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[cfg(unix)]
#[test]
fn reliability_sigterm_stops_promptly_and_removes_the_temporary_report() {
    let dir = tempfile::tempdir().unwrap();
    let made = Command::new(bin())
        .args(["gen", "--users", "300000", "--formats", "csv", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", stderr_of(&made));
    let p = |f: &str| dir.path().join(f).display().to_string();
    let mut child = Command::new(bin())
        .args([
            "plan",
            &fixture("benches/perf.scope"),
            "-d",
            &p("users.csv"),
            "--assignments",
            &p("assignments.csv"),
            "--group-members",
            &p("group-members.csv"),
            "--report",
            &p("report.csv"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the report's temporary file exists, then stop the run.
    let started = Instant::now();
    let tmp_present = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
    };
    while !tmp_present() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before its report was being written"
        );
        assert!(started.elapsed() < Duration::from_secs(120));
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let signalled = Instant::now();
    let status = child.wait().unwrap();
    assert!(
        signalled.elapsed() < Duration::from_secs(5),
        "stopped promptly"
    );
    assert_eq!(status.code(), Some(143));
    assert!(!tmp_present(), "the temporary file is removed");
    assert!(!dir.path().join("report.csv").exists());
}

#[test]
fn reliability_escape_sequences_in_data_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.csv");
    let mut f = std::fs::File::create(&users).unwrap();
    writeln!(
        f,
        "userPrincipalName,objectId,displayName,department,accountEnabled,\"bad\u{1b}[2Jheader\""
    )
    .unwrap();
    writeln!(
        f,
        "evil@contoso.com,1,\"Evil \u{1b}]0;pwned\u{7} User\",\"IT\u{1b}[31m\",True,x"
    )
    .unwrap();
    drop(f);
    let rules = dir.path().join("r.scope");
    std::fs::write(
        &rules,
        "app \"App\u{1b}[5m\" {\n  scope all\n  filter \"f\" {\n    department EQUALS \"IT\"\n  }\n}\n",
    )
    .unwrap();
    for args in [
        vec!["explain", "-u", "evil@contoso.com"],
        vec!["plan"],
        vec!["lint"],
    ] {
        let mut cmd = Command::new(bin());
        cmd.arg(args[0])
            .arg(&rules)
            .arg("-d")
            .arg(&users)
            .args(&args[1..]);
        let out = cmd.output().unwrap();
        let all = [out.stdout.clone(), out.stderr.clone()].concat();
        assert!(
            !all.contains(&0x1b) && !all.contains(&0x07),
            "{args:?} printed a raw escape:\n{}",
            String::from_utf8_lossy(&all)
        );
        assert!(
            String::from_utf8_lossy(&all).contains("\\u{1b}"),
            "{args:?}"
        );
    }
    // JSON keeps the value intact (escaped by JSON itself).
    let out = Command::new(bin())
        .args(["explain"])
        .arg(&rules)
        .arg("-d")
        .arg(&users)
        .args(["-u", "evil@contoso.com", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.to_string().contains("Evil \\u001b]0;pwned\\u0007 User"));
}

/// With colour on, the only escape sequences written are scopesim's own SGR codes: data
/// is escaped cell by cell, so `\u{1b}[31m` in a department is shown, not obeyed.
#[test]
fn reliability_escape_sequences_in_data_never_reach_a_coloured_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.csv");
    std::fs::write(
        &users,
        "userPrincipalName,objectId,displayName,department,accountEnabled\n\
         evil\u{1b}[8m@contoso.com,1,\"Evil \u{1b}]0;pwned\u{7} User\",\"IT\u{1b}[31m\",True\n",
    )
    .unwrap();
    let rules = dir.path().join("r.scope");
    std::fs::write(
        &rules,
        "app \"App\u{1b}[5m\" {\n  scope all\n  deletion_threshold 1\n  filter \"f\u{1b}[2J\" {\n    department EQUALS \"IT\u{1b}[31m\"\n  }\n}\n",
    )
    .unwrap();
    let sgr = regex::Regex::new("\u{1b}\\[[0-9;]*m").unwrap();
    let r = rules.display().to_string();
    let u = users.display().to_string();
    for args in [
        vec!["plan", &r, "-d", &u],
        vec!["plan", &r, "-d", &u, "--width", "40"],
        vec!["lint", &r, "-d", &u],
        vec!["diff", &r, &r, "-d", &u],
        vec!["explain", &r, "-d", &u, "-u", "1"],
    ] {
        let out = Command::new(bin())
            .args(&args)
            .args(["--color", "always"])
            .output()
            .unwrap();
        let all = String::from_utf8_lossy(&[out.stdout.clone(), out.stderr.clone()].concat())
            .into_owned();
        for raw in [
            "\u{1b}[5m",
            "\u{1b}[2J",
            "\u{1b}]0;",
            "\u{1b}[8m",
            "IT\u{1b}[31m",
        ] {
            assert!(
                !all.contains(raw),
                "{args:?} printed data's {raw:?}:\n{all:?}"
            );
        }
        let stripped = sgr.replace_all(&all, "");
        assert!(
            !stripped.contains('\u{1b}') && !stripped.contains('\u{7}'),
            "{args:?} printed a raw escape:\n{all:?}"
        );
        assert!(stripped.contains("\\u{1b}"), "{args:?}: {all:?}");
    }
    // The page shows them too, escaped.
    let out = Command::new(bin())
        .args(["plan", &r, "-d", &u, "--format", "html"])
        .output()
        .unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(!page.contains('\u{1b}') && page.contains("App\\u{1b}[5m"));
}
