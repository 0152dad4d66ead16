//! The audit pages in a real browser: headless Chromium renders `plan`, `reconcile` and
//! `audit --format html`, each DOM must hold the numbers of the same command's
//! `--format json`, and the screenshots (at 1,000 and 600 px) must not be blank. Skipped
//! with a message where Chromium is absent (CI installs it: `apt-get install -y
//! chromium`).
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
    let Some(bin) = skipped() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (json, dom, page) = page_and_json(&bin, dir.path(), &PLAN, 0);
    let stages = json["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 4);
    for s in stages {
        let (app, stage) = (s["app"].as_str().unwrap(), s["stage"].as_str().unwrap());
        let tr = row(
            &dom,
            &format!("<tr data-app=\"{app}\" data-stage=\"{stage}\">"),
        );
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
                tr.contains(&cell(field, n)),
                "{app}/{stage}: {field} = {n} not in {tr}"
            );
        }
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
    let save = std::env::var_os("SCOPESIM_SCREENSHOT");
    assert_screenshots(&bin, &page, dir.path(), save);
}

/// Screenshots of `page` at 1,000 and 600 px must not be blank; the wide one is copied
/// to `save` (relative to the repository) when given.
fn assert_screenshots(bin: &Path, page: &Path, dir: &Path, save: Option<std::ffi::OsString>) {
    for (width, height, name) in [(1000, 1500, "wide.png"), (600, 2400, "narrow.png")] {
        let shot = dir.join(name);
        run_chromium(
            bin,
            page,
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
            if let Some(dest) = &save {
                std::fs::copy(&shot, root().join(dest)).unwrap();
            }
        }
    }
}

/// The page and JSON of one command: runs it with `--format json`, then with `--format
/// html` into `dir`, and renders the page in Chromium; returns the JSON, the DOM and the
/// page's path. Both runs must exit with `code`.
fn page_and_json(
    bin: &Path,
    dir: &Path,
    args: &[&str],
    code: i32,
) -> (serde_json::Value, String, PathBuf) {
    let page = dir.join("page.html");
    let run = |extra: &[&str]| {
        Command::cargo_bin("scopesim")
            .unwrap()
            .current_dir(root())
            .args(args)
            .args(extra)
            .output()
            .unwrap()
    };
    let json = run(&["--format", "json"]);
    assert_eq!(json.status.code(), Some(code));
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let html = run(&["--format", "html", "-o", page.to_str().unwrap()]);
    assert_eq!(
        html.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&html.stderr)
    );
    let dom = String::from_utf8(run_chromium(bin, &page, &["--dump-dom".to_string()])).unwrap();
    assert!(dom.contains("nothing was sent to any tenant"), "{dom}");
    for input in json["inputs"].as_array().unwrap() {
        assert!(dom.contains(input["sha256"].as_str().unwrap()), "{input}");
    }
    (json, dom, page)
}

/// The `<tr>` opened by `open` in the DOM.
fn row<'a>(dom: &'a str, open: &str) -> &'a str {
    let at = dom
        .find(open)
        .unwrap_or_else(|| panic!("no row {open} in the DOM"));
    &dom[at..at + dom[at..].find("</tr>").unwrap()]
}

/// A count cell as the pages write it: the exact value in `data-value`, the shown one
/// with thousands separators (the fixtures' counts are small).
fn cell(field: &str, n: u64) -> String {
    format!("data-field=\"{field}\" data-value=\"{n}\">{n}</td>")
}

fn skipped() -> Option<PathBuf> {
    let bin = chromium();
    if bin.is_none() {
        eprintln!(
            "browser test skipped: no Chromium found (install it with `apt-get install -y chromium`, or set SCOPESIM_CHROMIUM)"
        );
    }
    bin
}

#[test]
fn browser_the_reconcile_page_renders_with_the_numbers_of_the_json() {
    let Some(bin) = skipped() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let args = crate::render::reconcile_args();
    let (json, dom, page) = page_and_json(&bin, dir.path(), &args, 1);
    let counts = json["counts"].as_object().unwrap();
    assert_eq!(counts.len(), 6);
    let mut off = 0;
    for (class, n) in counts {
        let n = n.as_u64().unwrap();
        let tr = row(&dom, &format!("<tr data-class=\"{class}\">"));
        assert!(tr.contains(&cell(class, n)), "{class} = {n} not in {tr}");
        if class != "as_predicted" {
            off += n;
        }
    }
    let users = json["discrepancies"].as_array().unwrap();
    assert_eq!(users.len() as u64, off);
    for d in users {
        assert!(dom.contains(d["objectId"].as_str().unwrap()), "{d}");
    }
    assert!(dom.contains(&format!("{} users in all", users.len())));
    assert!(dom.contains(json["job"]["id"].as_str().unwrap()));
    assert!(dom.contains("<svg"), "the chart is inline SVG");
    assert_screenshots(&bin, &page, dir.path(), None);
}

#[test]
fn browser_the_least_privilege_audit_page_renders_with_the_numbers_of_the_json() {
    let Some(bin) = skipped() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (json, dom, page) = page_and_json(&bin, dir.path(), &crate::audit::FIXTURE, 1);
    let apps = json["apps"].as_array().unwrap();
    assert_eq!(apps.len(), 2);
    for a in apps {
        let (app, stage) = (a["app"].as_str().unwrap(), a["stage"].as_str().unwrap());
        let tr = row(&dom, &format!("data-app=\"{app}\" data-stage=\"{stage}\">"));
        for field in ["target_accounts", "provisioned"] {
            let n = a[field].as_u64().unwrap();
            assert!(
                tr.contains(&cell(field, n)),
                "{app}: {field} = {n} not in {tr}"
            );
        }
        for (class, n) in a["counts"].as_object().unwrap() {
            let n = n.as_u64().unwrap();
            assert!(
                tr.contains(&cell(class, n)),
                "{app}: {class} = {n} not in {tr}"
            );
        }
        for x in a["accounts"].as_array().unwrap() {
            assert!(dom.contains(x["key"].as_str().unwrap()), "{x}");
        }
    }
    assert!(dom.matches("<svg").count() >= 3, "charts are inline SVG");
    assert_screenshots(&bin, &page, dir.path(), None);
}
