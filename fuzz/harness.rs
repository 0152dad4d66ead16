//! What each fuzz target checks, shared by the libFuzzer targets (`fuzz/fuzz_targets/`)
//! and the stable corpus runner (`tests/fuzz_corpus.rs`): for any bytes, the parser or
//! reader returns a result or located diagnostics, never panics, never hangs, and every
//! diagnostic renders (spans inside the text, long lines cut).

#![allow(dead_code)]

use scopesim::diag::Diagnostic;
use scopesim::directory::{ColumnSelection, InputFormat, NoProgress, ReadOptions, read_directory};
use scopesim::regex::{Anchoring, DotnetRegex};
use scopesim::rules::check::{CheckOptions, check};
use scopesim::rules::load::load_text;
use scopesim::rules::print::{PrintOptions, print_rules};
use scopesim::source::Sources;
use std::io::Write;

fn render_all(diags: &[Diagnostic], sources: &Sources) {
    for d in diags.iter().take(20) {
        for l in &d.labels {
            if let Some(f) = sources.get(l.source) {
                assert!(
                    l.span.start <= l.span.end && l.span.end <= f.text.len(),
                    "{d:?}"
                );
                assert!(
                    f.text.is_char_boundary(l.span.start) && f.text.is_char_boundary(l.span.end)
                );
            }
        }
        let _ = d.render(sources, false);
        let _ = d.to_json(sources);
    }
}

/// The rule language and Graph schema JSON: parse, check, print, re-parse.
pub fn rules(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let loaded = load_text("fuzz.scope", text, None);
    render_all(&loaded.diagnostics, &loaded.sources);
    if loaded.has_errors() {
        return;
    }
    let diags = check(&loaded.rules, CheckOptions::default());
    render_all(&diags, &loaded.sources);
    let printed = print_rules(&loaded.rules, PrintOptions::default());
    let again = load_text("printed.scope", &printed, None);
    render_all(&again.diagnostics, &again.sources);
}

fn read_as(data: &[u8], format: Option<InputFormat>, skip_bad_rows: bool) {
    let Ok(mut f) = tempfile::NamedTempFile::new() else {
        return;
    };
    if f.write_all(data).and_then(|_| f.flush()).is_err() {
        return;
    }
    let opts = ReadOptions {
        format,
        delimiter: None,
        skip_bad_rows,
        columns: ColumnSelection::all(),
        skip_hash: false,
    };
    match read_directory(&[f.path().to_path_buf()], &opts, &NoProgress) {
        Ok(dir) => {
            for row in 0..dir.len().min(50) {
                let _ = dir.record(row);
            }
            render_all(dir.diagnostics(), &Sources::new());
        }
        Err(e) => render_all(&e, e.sources()),
    }
}

/// A Graph `/users` export (pages, arrays, NDJSON), forced and detected.
pub fn graph_json(data: &[u8]) {
    read_as(data, Some(InputFormat::GraphJson), false);
    read_as(data, Some(InputFormat::Ndjson), false);
    read_as(data, None, false);
}

/// A CSV export, strict and with `--skip-bad-rows`.
pub fn csv(data: &[u8]) {
    read_as(data, Some(InputFormat::Csv), false);
    read_as(data, Some(InputFormat::Csv), true);
}

/// A .NET pattern (first line) and values (the other lines).
pub fn dotnet_regex(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let pattern = lines.next().unwrap_or("");
    let values: Vec<&str> = lines.take(16).collect();
    for anchoring in [Anchoring::Partial, Anchoring::Full] {
        if let Ok(re) = DotnetRegex::new(pattern, anchoring) {
            for v in &values {
                let _ = re.is_match(v);
            }
        }
    }
}
