//! The README's examples are real runs, so they never rot.
//!
//! Every ```` ```console ```` block starts with `$ scopesim ARGS`; the binary is run with
//! those arguments from the repository root and must print what the block shows
//! (standard error, then standard output). A ```` ```text ```` block after
//! `<!-- file: PATH, first N lines -->` must equal the first N lines of a file written by
//! an earlier example. `BLESS_DOCS=1 cargo test docs` rewrites the blocks after an
//! intended change.

use assert_cmd::Command;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Splits a command line at white space, keeping `'single-quoted'` words whole as a POSIX
/// shell does (so a README example can be pasted into a terminal as it is written).
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

fn run(cmd: &str) -> String {
    let owned = words(cmd);
    let args: Vec<&str> = owned.iter().map(String::as_str).collect();
    assert_eq!(args.first(), Some(&"scopesim"), "{cmd}");
    let o = Command::cargo_bin("scopesim")
        .unwrap()
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("SCOPESIM_TIMINGS")
        .args(&args[1..])
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8(o.stderr).unwrap(),
        String::from_utf8(o.stdout).unwrap()
    )
}

/// Checks (or with BLESS_DOCS, rewrites) one Markdown file; returns the number of blocks.
fn check_file(rel: &str) -> usize {
    let path = root().join(rel);
    let doc = std::fs::read_to_string(&path).unwrap();
    let bless = std::env::var_os("BLESS_DOCS").is_some();
    let mut out = String::new();
    let mut rest = doc.as_str();
    let mut blocks = 0;
    let mut mismatches = Vec::new();
    loop {
        let console = rest.find("```console\n$ ");
        let file = rest.find("<!-- file: ");
        let (at, is_console) = match (console, file) {
            (Some(c), Some(f)) if f < c => (f, false),
            (Some(c), _) => (c, true),
            (None, Some(f)) => (f, false),
            (None, None) => break,
        };
        if is_console {
            let head = "```console\n$ ";
            let after = &rest[at + head.len()..];
            let (cmd, body) = after.split_once('\n').unwrap();
            let end = body.find("```\n").unwrap();
            let expected = &body[..end];
            let got = run(cmd);
            out.push_str(&rest[..at + head.len()]);
            out.push_str(cmd);
            out.push('\n');
            out.push_str(&got);
            if expected != got {
                mismatches.push(format!(
                    "`{cmd}`:\n--- README\n{expected}\n--- actual\n{got}"
                ));
            }
            rest = &body[end..];
        } else {
            let after = &rest[at + "<!-- file: ".len()..];
            let (spec, body) = after.split_once(" -->\n```text\n").unwrap();
            let (file, lines) = spec.split_once(", first ").unwrap();
            let n: usize = lines.trim_end_matches(" lines").parse().unwrap();
            let end = body.find("```\n").unwrap();
            let expected = &body[..end];
            let text = std::fs::read_to_string(root().join(file)).unwrap_or_default();
            let got: String = text.lines().take(n).map(|l| format!("{l}\n")).collect();
            out.push_str(&rest[..at]);
            out.push_str(&format!("<!-- file: {spec} -->\n```text\n{got}"));
            if expected != got {
                mismatches.push(format!(
                    "{file}:\n--- README\n{expected}\n--- actual\n{got}"
                ));
            }
            rest = &body[end..];
        }
        blocks += 1;
    }
    out.push_str(rest);
    if bless {
        std::fs::write(&path, out).unwrap();
    } else {
        assert!(
            mismatches.is_empty(),
            "{rel} is out of date (rerun with BLESS_DOCS=1):\n{}",
            mismatches.join("\n")
        );
    }
    blocks
}

#[test]
fn docs_readme_examples_are_real_output() {
    assert!(check_file("README.md") >= 20);
}
