//! The audit page in a real browser: headless Chromium renders `plan --format html`, its
//! DOM must hold the numbers of `plan --format json`, and its screenshots (at 1,000 and
//! 600 px) must not be blank. Skipped with a message where Chromium is absent (CI
//! installs it: `apt-get install -y chromium`).
//!
//! `SCOPESIM_SCREENSHOT=docs/plan-page.png` also writes the wide screenshot there (the
//! README shows it).

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The Chromium binary: `SCOPESIM_CHROMIUM`, or the first of the usual names.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SCOPESIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// Runs Chromium headless on `page` with `extra` arguments, in a fresh profile, for at
/// most two minutes; returns its standard output.
fn run_chromium(bin: &Path, page: &Path, extra: &[String]) -> Vec<u8> {
    let profile = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).unwrap();
        buf
    });
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium failed: {status}");
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish in two minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap()
}

/// Luminance variance and number of distinct colours of a PNG.
fn png_stats(path: &Path) -> (f64, usize, u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let bytes = &buf[..info.buffer_size()];
    let mut lum = Vec::new();
    let mut colours = std::collections::HashSet::new();
    for px in bytes.chunks(channels) {
        let (r, g, b) = match channels {
            1 | 2 => (px[0], px[0], px[0]),
            _ => (px[0], px[1], px[2]),
        };
        colours.insert((r, g, b));
        lum.push(0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b));
    }
    let mean = lum.iter().sum::<f64>() / lum.len() as f64;
    let var = lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lum.len() as f64;
    (var, colours.len(), info.width, info.height)
}

const PLAN: [&str; 10] = [
    "plan",
    "fixtures/rollout.scope",
    "--directory",
    "fixtures/users.csv",
    "--assignments",
    "fixtures/assignments.csv",
    "--group-members",
    "fixtures/group-members.csv",
    "--target-state",
    "Salesforce=fixtures/target-state/salesforce-managed.csv",
];

#[test]
fn browser_the_audit_page_renders_with_the_numbers_of_the_json() {
    let Some(bin) = chromium() else {
        eprintln!(
            "browser test skipped: no Chromium found (install it with `apt-get install -y chromium`, or set SCOPESIM_CHROMIUM)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("plan.html");
    let run = |extra: &[&str]| {
        Command::cargo_bin("scopesim")
            .unwrap()
            .current_dir(root())
            .args(PLAN)
            .args(extra)
            .output()
            .unwrap()
    };
    let json = run(&["--format", "json"]);
    assert_eq!(json.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let html = run(&["--format", "html", "-o", page.to_str().unwrap()]);
    assert_eq!(
        html.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&html.stderr)
    );

    let dom = String::from_utf8(run_chromium(&bin, &page, &["--dump-dom".to_string()])).unwrap();
    assert!(dom.contains("nothing was sent to any tenant"), "{dom}");
    let stages = json["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 4);
    for s in stages {
        let (app, stage) = (s["app"].as_str().unwrap(), s["stage"].as_str().unwrap());
        let open = format!("<tr data-app=\"{app}\" data-stage=\"{stage}\">");
        let at = dom
            .find(&open)
            .unwrap_or_else(|| panic!("no row {open} in the DOM"));
        let row = &dom[at..at + dom[at..].find("</tr>").unwrap()];
        for field in [
            "candidates",
            "in_scope",
            "not_candidates",
            "create",
            "update",
            "disable",
            "delete",
            "skip",
            "fail",
            "suppressed",
            "none",
        ] {
            let n = s[field].as_u64().unwrap();
            assert!(
                row.contains(&format!(
                    "data-field=\"{field}\" data-value=\"{n}\">{n}</td>"
                )),
                "{app}/{stage}: {field} = {n} not in {row}"
            );
        }
    }
    for input in json["inputs"].as_array().unwrap() {
        assert!(dom.contains(input["sha256"].as_str().unwrap()), "{input}");
    }
    // The users disabled and deleted, by name.
    for upn in [
        "ben.mueller@contoso.com",
        "carla.weber@contoso.com",
        "old.leaver@contoso.com",
    ] {
        assert!(dom.contains(upn), "{upn}");
    }
    assert!(dom.matches("<svg").count() >= 4, "charts are inline SVG");

    for (width, height, name) in [(1000, 1500, "wide.png"), (600, 2400, "narrow.png")] {
        let shot = dir.path().join(name);
        run_chromium(
            &bin,
            &page,
            &[
                format!("--screenshot={}", shot.display()),
                format!("--window-size={width},{height}"),
            ],
        );
        let (variance, colours, w, h) = png_stats(&shot);
        assert_eq!((w, h), (width, height));
        assert!(
            variance > 100.0,
            "{name} looks blank: luminance variance {variance}"
        );
        assert!(colours > 50, "{name} has only {colours} colours");
        if name == "wide.png" {
            if let Some(dest) = std::env::var_os("SCOPESIM_SCREENSHOT") {
                std::fs::copy(&shot, root().join(dest)).unwrap();
            }
        }
    }
}
