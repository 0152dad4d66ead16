//! The layering of `docs/architecture.md`, checked on the source: dependencies run one
//! way, from the leaves to the root, and no module imports one to its right.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Layers, leaves first. A module may use modules of earlier layers and itself; modules of
/// one layer do not use each other, except where a leaf is listed before another leaf.
const LAYERS: &[&[&str]] = &[
    &["source"],
    &["text"],
    &["value"],
    &["schema"],
    &["diag"],
    &["output"],
    &["regex"],
    &["rules"],
    &["directory"],
    &["eval"],
    &["rollout", "mapping"],
    &["pipeline"],
    &["report", "review", "reconcile", "audit", "exports"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `crate::name` references in code (comments stripped), with their line numbers.
fn crate_refs(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_test = false;
    for (i, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        if code.trim_start().starts_with("#[cfg(test)]") {
            // Test modules may reach anywhere.
            in_test = true;
        }
        if in_test {
            continue;
        }
        let mut rest = code;
        while let Some(p) = rest.find("crate::") {
            let after = &rest[p + 7..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push((i + 1, name));
            }
            rest = after;
        }
        // `use crate::{a, b}` groups.
        if let Some(p) = code.find("crate::{") {
            let group = &code[p + 8..];
            for part in group.split([',', '}']) {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push((i + 1, name));
                }
            }
        }
    }
    out
}

#[test]
fn architecture_dependencies_run_from_leaves_to_root() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut violations = Vec::new();
    let mut unknown = BTreeMap::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if matches!(module.as_str(), "cli" | "main" | "lib") {
            continue;
        }
        let Some(mine) = layer_of(&module) else {
            unknown.insert(module.clone(), rel.display().to_string());
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap();
        for (line, used) in crate_refs(&text) {
            if used == module {
                continue;
            }
            match layer_of(&used) {
                Some(theirs) if theirs < mine => {}
                Some(_) => violations.push(format!(
                    "src/{}:{line}: `{module}` uses `{used}`, which is not below it",
                    rel.display()
                )),
                None => {}
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "modules missing from the layers of tests/architecture.rs and docs/architecture.md: {unknown:?}"
    );
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn architecture_file_sizes_stay_readable() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut big = Vec::new();
    let mut cli_total = 0;
    for f in &files {
        let n = std::fs::read_to_string(f).unwrap().lines().count();
        let rel = f.strip_prefix(&src).unwrap().display().to_string();
        if n > 1200 {
            big.push(format!("src/{rel}: {n} lines"));
        }
        if rel.starts_with("cli") {
            cli_total += n;
        }
    }
    assert!(
        big.is_empty(),
        "files over 1,200 lines:\n{}",
        big.join("\n")
    );
    assert!(
        cli_total < 1200,
        "src/cli/ has {cli_total} lines (limit 1,200)"
    );
}
