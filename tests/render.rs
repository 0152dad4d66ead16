//! Snapshots of every renderer for people, at 80 and 120 columns: the plan summary
//! (table, abbreviated table, list; held and fail columns; the payload columns), the lint
//! list, the diff text, the explanation, the reconcile and audit tables, and the pages. Every line must fit its width. Review a change
//! with `INSTA_UPDATE=always cargo test --test tests render` and `git diff`, or read the
//! `.snap.new` files.

use assert_cmd::Command;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs scopesim in the repository root without colour; returns (stdout, stderr, code).
fn run(args: &[&str]) -> (String, String, i32) {
    let o = Command::cargo_bin("scopesim")
        .unwrap()
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
        o.status.code().unwrap_or(-1),
    )
}

fn width_of(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

fn assert_fits(text: &str, width: usize) {
    for line in text.lines() {
        assert!(
            width_of(line) <= width,
            "a line is wider than {width} columns ({}):\n{line}\n\n{text}",
            width_of(line)
        );
    }
}

const PLAN: [&str; 8] = [
    "plan",
    "fixtures/rollout.scope",
    "-d",
    "fixtures/users.csv",
    "--assignments",
    "fixtures/assignments.csv",
    "--group-members",
    "fixtures/group-members.csv",
];

#[test]
fn render_plan_summary_at_80_and_120_columns() {
    for width in [80, 120, 160] {
        let w = width.to_string();
        let (out, err, code) = run(&[&PLAN[..], &["--width", &w]].concat());
        assert_eq!(code, 0, "{err}");
        assert_fits(&out, width);
        assert!(!out.contains("warning"), "warnings go to stderr:\n{out}");
        assert!(err.contains("plan: 0 errors, 3 warnings"), "{err}");
        insta::assert_snapshot!(format!("plan_summary_{width}"), out);
    }
}

/// A managed target state and a threshold of 2: the pilot's 2 disables and 1 delete hold
/// it (S27).
fn held_rules(dir: &Path) -> String {
    let text = std::fs::read_to_string(root().join("fixtures/rollout.scope"))
        .unwrap()
        .replace("deletion_threshold 50", "deletion_threshold 2");
    let p = dir.join("held.scope");
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn render_plan_held_stage_at_80_and_120_columns() {
    let dir = tempfile::tempdir().unwrap();
    let rules = held_rules(dir.path());
    for width in [80, 120] {
        let w = width.to_string();
        let mut args = PLAN.to_vec();
        args[1] = &rules;
        args.extend([
            "--target-state",
            "Salesforce=fixtures/target-state/salesforce-managed.csv",
            "--app",
            "Salesforce",
            "--width",
            &w,
        ]);
        let (out, err, code) = run(&args);
        assert_eq!(code, 1, "a held stage exits 1: {err}");
        assert_fits(&out, width);
        assert!(out.contains("HELD: stage `pilot` of `Salesforce`"), "{out}");
        insta::assert_snapshot!(format!("plan_held_{width}"), out);
    }
}

#[test]
fn render_plan_colour_marks_held_stages_disables_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let rules = held_rules(dir.path());
    let mut args = PLAN.to_vec();
    args[1] = &rules;
    args.extend([
        "--target-state",
        "Salesforce=fixtures/target-state/salesforce-managed.csv",
        "--app",
        "Salesforce",
        "--color",
        "always",
    ]);
    let (out, _, _) = run(&args);
    assert!(out.contains("\u{1b}[1;31myes\u{1b}[0m"), "{out:?}");
    assert!(out.contains("\u{1b}[1;31mHELD: stage"), "{out:?}");
    assert!(
        out.contains("\u{1b}[31m2\u{1b}[0m"),
        "disables in red: {out:?}"
    );
    assert!(out.contains("\u{1b}[32m"), "creates in green: {out:?}");
    // NO_COLOR is set, but --color always wins; without it, nothing is painted.
    let (plain, _, _) = run(&args[..args.len() - 2]);
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    // CLICOLOR_FORCE colours a pipe.
    let o = Command::cargo_bin("scopesim")
        .unwrap()
        .current_dir(root())
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .args(&args[..args.len() - 2])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("\u{1b}[1;31mHELD"));
}

#[test]
fn render_lint_list_at_80_and_120_columns() {
    for width in [80, 120] {
        let w = width.to_string();
        let (out, err, code) = run(&[
            "lint",
            "fixtures/lint/null.scope",
            "-d",
            "fixtures/review/users.csv",
            "--width",
            &w,
        ]);
        assert_eq!(code, 0, "{err}");
        assert_fits(&out, width);
        insta::assert_snapshot!(format!("lint_list_{width}"), out);
    }
    // Every finding kind in one run: compact, about four lines a finding.
    let (out, _, _) = run(&[
        "lint",
        "fixtures/lint/integers.scope",
        "-d",
        "fixtures/lint/tenant-values.json",
        "--width",
        "80",
    ]);
    let findings: usize = out
        .lines()
        .last()
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(findings > 0, "{out}");
    assert!(out.lines().count() <= findings * 6 + 1, "{out}");
}

const DIFF: [&str; 9] = [
    "diff",
    "fixtures/diff/old.scope",
    "fixtures/diff/new.scope",
    "-d",
    "fixtures/review/users.csv",
    "--assignments",
    "fixtures/review/assignments.csv",
    "--group-members",
    "fixtures/review/group-members.csv",
];

#[test]
fn render_diff_at_80_and_120_columns() {
    for width in [80, 120] {
        let w = width.to_string();
        let (out, err, code) = run(&[&DIFF[..], &["--width", &w]].concat());
        assert_eq!(code, 0, "{err}");
        assert_fits(&out, width);
        insta::assert_snapshot!(format!("diff_text_{width}"), out);
    }
}

#[test]
fn render_explain_text() {
    let (out, err, code) = run(&[
        "explain",
        "fixtures/rollout.scope",
        "-d",
        "fixtures/users.csv",
        "--assignments",
        "fixtures/assignments.csv",
        "--group-members",
        "fixtures/group-members.csv",
        "-u",
        "ben.mueller@contoso.com",
        "--target-state",
        "Salesforce=fixtures/target-state/salesforce-managed.csv",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_fits(&out, 120);
    insta::assert_snapshot!("explain_text", out);
}

/// Runs a page twice (byte-identical without `--stamp`), snapshots it as `name`, checks
/// that it holds every text of `must` and that `--stamp` adds an escaped line under the
/// title, and returns the page.
fn page_is_deterministic_and_stamped(
    name: &str,
    args: &[&str],
    code: i32,
    must: &[&str],
) -> String {
    let (a, err, got) = run(args);
    assert_eq!(got, code, "{err}");
    let (b, _, _) = run(args);
    assert_eq!(a, b, "byte-identical without --stamp");
    insta::assert_snapshot!(name, a);
    let (stamped, _, _) = run(&[args, &["--stamp", "CHG-1234 <A. Admin>"]].concat());
    assert!(stamped.contains("<p class=\"stamp\">CHG-1234 &lt;A. Admin&gt;</p>"));
    assert!(stamped.contains("byte for byte, except the stamp"));
    for m in must {
        assert!(a.contains(m), "{m}");
    }
    a
}

#[test]
fn render_plan_page_is_deterministic_and_stamped() {
    let args = [
        &PLAN[..],
        &[
            "--target-state",
            "Salesforce=fixtures/target-state/salesforce-managed.csv",
            "--format",
            "html",
        ],
    ]
    .concat();
    let must = [
        "nothing was sent to any tenant",
        "ben.mueller@contoso.com",
        "old.leaver@contoso.com",
        "filter &quot;IT pilot&quot; {",
        "by department",
        "Everyone is listed in the per-user report",
    ];
    page_is_deterministic_and_stamped("plan_page", &args, 0, &must);
}

#[test]
fn render_diff_page() {
    let (page, err, code) = run(&[&DIFF[..], &["--format", "html"]].concat());
    assert_eq!(code, 0, "{err}");
    for must in [
        "nothing was sent to any tenant",
        "dave@contoso.com",
        "data-field=\"lost\" data-value=\"2\"",
        "<svg",
        "fixtures/review/users.csv",
    ] {
        assert!(page.contains(must), "{must}");
    }
    insta::assert_snapshot!("diff_page", page);
}

/// The reconcile fixture with its logs and a quarantined job: every class, a job section.
pub fn reconcile_args() -> Vec<&'static str> {
    let logs = [
        "--logs",
        "fixtures/logs/events.ndjson",
        "--job-status",
        "fixtures/logs/job-too-many-deletes.json",
    ];
    [&crate::reconcile::BASE[..], &logs[..]].concat()
}

#[test]
fn render_reconcile_page_is_deterministic_and_stamped() {
    let args = [&reconcile_args()[..], &["--format", "html"]].concat();
    // Discrepancies and a quarantined job exit 1.
    let must = [
        "read from exported logs; nothing was sent to any tenant",
        "data-field=\"as_predicted\" data-value=\"7\"",
        "fill=\"#2e7d32\"><title>as predicted: 7</title>",
        "fill=\"#f9a825\"><title>not processed yet: 1</title>",
        "hugo.blank@contoso.com",
        "<h2 id=\"job\">Provisioning job</h2>",
        "TooManyDeletes",
        "fixtures/logs/events.ndjson",
        "Everyone is listed in the per-user report that <code>--report FILE.csv</code> writes (6 rows, SHA-256 ",
    ];
    let a = page_is_deterministic_and_stamped("reconcile_page", &args, 1, &must);
    // The page states the cycle compared itself, not again as a warning.
    assert!(!a.contains("<code>log-cycle</code>"));
    // The hash the page names is that of the report `--report` writes.
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.csv");
    let (with_report, _, _) = run(&[&args[..], &["--report", report.to_str().unwrap()]].concat());
    let sha = sha256_hex(&std::fs::read(&report).unwrap());
    assert!(
        a.contains(&sha),
        "the page names the report's SHA-256 {sha}"
    );
    assert!(with_report.contains(&format!(
        "<code>{}</code> (6 rows, SHA-256 {sha})",
        report.display()
    )));
}

#[test]
fn render_reconcile_table_at_80_and_120_columns() {
    for width in [80, 120] {
        let w = width.to_string();
        let (out, err, code) = run(&[&reconcile_args()[..], &["--width", &w]].concat());
        // Discrepancies and a quarantined job exit 1.
        assert_eq!(code, 1, "{err}");
        assert_fits(&out, width);
        insta::assert_snapshot!(format!("reconcile_table_{width}"), out);
    }
}

#[test]
fn render_audit_table_at_80_and_120_columns() {
    for width in [80, 120] {
        let w = width.to_string();
        let (out, err, code) = run(&[&crate::audit::FIXTURE[..], &["--width", &w]].concat());
        // Accounts need review: exit 1.
        assert_eq!(code, 1, "{err}");
        assert_fits(&out, width);
        insta::assert_snapshot!(format!("audit_table_{width}"), out);
    }
}

#[test]
fn render_plan_with_payloads_at_80_and_120_columns() {
    let dir = tempfile::tempdir().unwrap();
    let payloads = dir.path().join("p.ndjson");
    let args = [
        "plan",
        "Contoso SCIM=fixtures/payloads/scim-schema.json",
        "-d",
        "fixtures/users.csv",
        "--assignments",
        "fixtures/payloads/scim-assignments.csv",
        "--group-members",
        "fixtures/group-members.csv",
        "--target-state",
        "Contoso SCIM=fixtures/payloads/scim-accounts.json",
        "--now",
        "2026-11-02T08:00:00Z",
        "--payloads",
        payloads.to_str().unwrap(),
    ];
    for width in [80, 120] {
        let w = width.to_string();
        let (out, err, code) = run(&[&args[..], &["--width", &w]].concat());
        assert_eq!(code, 0, "{err}");
        assert_fits(&out, width);
        // The temporary path differs between runs.
        let out = out.replace(payloads.to_str().unwrap(), "PAYLOADS");
        insta::assert_snapshot!(format!("plan_payloads_{width}"), out);
    }
}

#[test]
fn render_audit_page_is_deterministic_and_stamped() {
    let args = [&crate::audit::FIXTURE[..], &["--format", "html"]].concat();
    // Accounts need review: exit 1.
    let must = [
        "nothing was sent to any tenant",
        "<tr class=\"held\" data-app=\"Salesforce\" data-stage=\"it-only\">",
        "data-field=\"held\" data-value=\"3\"",
        "<text x=\"0\" y=\"18\" font-weight=\"600\">by department</text>",
        "bob.king@fabrikam.com",
        "Everyone is listed in the per-account report that <code>--report FILE.csv</code> writes",
        "<h2 id=\"inputs\">Inputs</h2>",
    ];
    page_is_deterministic_and_stamped("audit_page", &args, 1, &must);
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What an export can carry into a page: markup, a spreadsheet formula and terminal
/// control characters in a UPN and in a logged error's reason.
const HOSTILE: &str = "<script>alert(1)</script>=cmd|' /C calc'!A0\u{1b}[2J\u{7}";

fn assert_hostile_escaped(page: &str) {
    assert!(!page.contains("<script"), "markup from data is escaped");
    assert!(
        !page.contains('\u{1b}') && !page.contains('\u{7}'),
        "control characters are shown, not written"
    );
    assert!(
        page.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt;=cmd|&#39; /C calc&#39;!A0\\u{1b}[2J\\u{7}"
        ),
        "the text is kept, escaped and visible"
    );
}

#[test]
fn render_pages_escape_hostile_upns_and_reasons() {
    let dir = tempfile::tempdir().unwrap();
    // Reconcile: an unknown user created, and one whose create failed, both with
    // hostile text from the logs.
    let original = std::fs::read_to_string(root().join("fixtures/logs/events.ndjson")).unwrap();
    let mallory = original
        .lines()
        .find(|l| l.contains("mallory.stone@contoso.com"))
        .unwrap();
    let json_text = serde_json::to_string(HOSTILE).unwrap();
    let json_text = &json_text[1..json_text.len() - 1];
    let upn = mallory
        .replace(
            "mallory.stone@contoso.com",
            &format!("{json_text}@contoso.com"),
        )
        .replace(
            "28690c62-c035-5cf0-8bde-767268629686",
            "28690c62-c035-5cf0-8bde-000000000001",
        )
        .replace(
            "015e883c-d293-5c67-9e80-d43d63d82da2",
            "015e883c-d293-5c67-9e80-000000000001",
        );
    let failed = mallory
        .replace("28690c62-c035-5cf0-8bde-767268629686", "28690c62-c035-5cf0-8bde-000000000002")
        .replace("015e883c-d293-5c67-9e80-d43d63d82da2", "015e883c-d293-5c67-9e80-000000000002")
        .replace(
            "\"provisioningStatusInfo\":{\"status\":\"success\",\"errorInformation\":null}",
            &format!(
                "\"provisioningStatusInfo\":{{\"status\":\"failure\",\"errorInformation\":{{\"errorCode\":\"X\",\"reason\":\"{json_text}\"}}}}"
            ),
        );
    let logs = dir.path().join("events.ndjson");
    std::fs::write(&logs, format!("{original}{upn}\n{failed}\n")).unwrap();
    let mut args = reconcile_args();
    let logs = logs.display().to_string();
    args[11] = &logs;
    let (page, err, code) = run(&[&args[..], &["--format", "html"]].concat());
    assert_eq!(code, 1, "{err}");
    assert!(
        page.contains("data-field=\"unexpected\" data-value=\"2\""),
        "{page}"
    );
    assert!(page.contains("data-field=\"failed\" data-value=\"2\""));
    assert_hostile_escaped(&page);

    // Audit: a hostile account name in the Salesforce target state.
    let accounts = dir.path().join("a.csv");
    let csv_text = HOSTILE.replace('"', "\"\"");
    std::fs::write(
        &accounts,
        format!("Username,IsActive\n\"{csv_text}\",true\n"),
    )
    .unwrap();
    let ts = format!("Salesforce={}", accounts.display());
    let audit = &crate::audit::FIXTURE[..8];
    let only = [
        "--target-state",
        &ts,
        "--app",
        "Salesforce",
        "--format",
        "html",
    ];
    let (page, err, code) = run(&[audit, &only[..]].concat());
    assert_eq!(code, 1, "{err}");
    assert_hostile_escaped(&page);
}
