//! Loads a rules file (`.scope` or Graph JSON) and the Graph files its stages name.
//!
//! This is the only place rules touch the file system, so the rest of the pipeline works
//! on texts already in a [`Sources`] collection and every diagnostic can show its source.
//! The SHA-256 of all texts read is the *rule hash* that reports state as evidence.

use super::ast::*;
use super::graph_json::{GraphDocument, read_graph};
use super::parse::parse_scope;
use crate::diag::{Code, Diagnostic, FileLocation};
use crate::source::Sources;
use crate::text::{decode_text, hex};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Rules with the texts they came from and what was found wrong while reading them.
#[derive(Debug, Clone, Default)]
pub struct LoadedRules {
    /// The model.
    pub rules: RuleSet,
    /// Every text read (the rules file first).
    pub sources: Sources,
    /// Syntax and shape problems (the checker adds its own).
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadedRules {
    /// True when reading found an error.
    pub fn has_errors(&self) -> bool {
        crate::diag::has_errors(&self.diagnostics)
    }

    /// Lowercase hex SHA-256 over every text read, in order (name, NUL, text, NUL).
    pub fn sha256(&self) -> String {
        let mut h = Sha256::new();
        for (_, f) in self.sources.iter() {
            h.update(f.name.as_bytes());
            h.update([0]);
            h.update(f.text.as_bytes());
            h.update([0]);
        }
        hex(&h.finalize())
    }
}

/// Reads a text file for rules: UTF-8 with or without BOM, or UTF-16 with BOM.
pub fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(Code::Io, format!("cannot read `{shown}`: {e}"))
            .at(FileLocation::file(&shown))
            .with_help("check the path and that the file is readable")
    })?;
    decode_text(&bytes).map_err(|(line, col)| {
        Diagnostic::error(Code::Encoding, format!("`{shown}` is not valid UTF-8"))
            .at(FileLocation::file(&shown).at_line(line).at_column(col))
            .with_help("save the file as UTF-8")
    })
}

/// True when a text looks like JSON rather than `.scope`.
fn looks_like_json(path: &Path, text: &str) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext.eq_ignore_ascii_case("json") {
        return true;
    }
    if ext.eq_ignore_ascii_case("scope") {
        return false;
    }
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
}

/// Loads rules from a file: `.scope` (with its `graph` stages) or Graph JSON.
pub fn load_path(path: &Path) -> LoadedRules {
    let mut loaded = LoadedRules::default();
    match read_text(path) {
        Ok(text) => {
            let name = path.display().to_string();
            let base = path.parent().map(Path::to_path_buf);
            load_into(&mut loaded, &name, text, base.as_deref(), path);
        }
        Err(d) => loaded.diagnostics.push(d),
    }
    loaded
}

/// Loads rules from a text (`name` is shown in messages; `graph` paths are relative to
/// `base_dir`, or the current directory).
pub fn load_text(name: &str, text: &str, base_dir: Option<&Path>) -> LoadedRules {
    let mut loaded = LoadedRules::default();
    load_into(
        &mut loaded,
        name,
        text.to_string(),
        base_dir,
        Path::new(name),
    );
    loaded
}

fn load_into(loaded: &mut LoadedRules, name: &str, text: String, base: Option<&Path>, path: &Path) {
    let json = looks_like_json(path, &text);
    let id = loaded.sources.add(name, Some(path), text);
    if json {
        let (doc, diags) = read_graph(&loaded.sources, id);
        loaded.diagnostics.extend(diags);
        match doc {
            Some(GraphDocument::Bundle(rules)) => loaded.rules = rules,
            Some(GraphDocument::Scope { filters, .. }) => {
                let stem = path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("app")
                    .to_string();
                let span = loaded.sources.get(id).map_or_else(Default::default, |f| {
                    crate::source::Span::new(0, f.text.len().min(1))
                });
                loaded.rules.apps.push(App {
                    name: Spanned::new(stem, span),
                    source: id,
                    span,
                    scope: None,
                    skip_out_of_scope_deletions: None,
                    deletion_threshold: None,
                    delete_flow: None,
                    object: ObjectSettings::default(),
                    stages: vec![Stage {
                        name: Spanned::new("current".into(), span),
                        extends: None,
                        source: id,
                        span,
                        implicit: true,
                        graph: None,
                        filters,
                    }],
                });
            }
            None => {}
        }
        return;
    }
    let (mut rules, diags) = parse_scope(&loaded.sources, id);
    loaded.diagnostics.extend(diags);
    for app in &mut rules.apps {
        for stage in &mut app.stages {
            let Some(graph) = stage.graph.clone() else {
                continue;
            };
            let file: PathBuf = match base {
                Some(b) => b.join(&graph.node),
                None => PathBuf::from(&graph.node),
            };
            let shown = file.display().to_string();
            let text = match std::fs::read(&file) {
                Ok(bytes) => match decode_text(&bytes) {
                    Ok(t) => t,
                    Err((line, col)) => {
                        loaded.diagnostics.push(
                            Diagnostic::error(
                                Code::Encoding,
                                format!("`{shown}` is not valid UTF-8 (line {line}, column {col})"),
                            )
                            .with_label(id, graph.span, "named here")
                            .with_help("save the schema as UTF-8"),
                        );
                        continue;
                    }
                },
                Err(e) => {
                    loaded.diagnostics.push(
                        Diagnostic::error(
                            Code::GraphFile,
                            format!("cannot read Graph schema `{shown}`: {e}"),
                        )
                        .with_label(id, graph.span, "named here")
                        .with_help("paths are relative to the rules file"),
                    );
                    continue;
                }
            };
            let gid = loaded.sources.add(shown.clone(), Some(&file), text);
            let (doc, diags) = read_graph(&loaded.sources, gid);
            loaded.diagnostics.extend(diags);
            match doc {
                Some(GraphDocument::Scope { filters, .. }) => stage.filters = filters,
                Some(GraphDocument::Bundle(_)) => loaded.diagnostics.push(
                    Diagnostic::error(Code::GraphFile, format!("`{shown}` is a scopesim bundle, not a Graph schema"))
                        .with_label(id, graph.span, "named here")
                        .with_help("a stage takes the `scope` of one object mapping; convert the bundle with `scopesim convert` instead"),
                ),
                None => {}
            }
        }
    }
    loaded.rules = rules;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_boms_and_reports_bad_utf8_position() {
        assert_eq!(decode_text(b"\xef\xbb\xbfab").unwrap(), "ab");
        assert_eq!(decode_text(b"\xff\xfea\x00b\x00").unwrap(), "ab");
        assert_eq!(decode_text(b"\xfe\xff\x00a\x00b").unwrap(), "ab");
        assert_eq!(decode_text(b"ok\nab\xffc"), Err((2, 3)));
    }

    #[test]
    fn graph_stage_reads_the_named_file_relative_to_the_rules() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("s.json"),
            r#"{"groups":[{"name":"g","clauses":[{"sourceOperandName":"department","operatorName":"EQUALS","targetOperand":{"values":["IT"]}}]}]}"#,
        )
        .unwrap();
        let rules = dir.path().join("r.scope");
        std::fs::write(&rules, "app \"A\" {\n stage \"live\" graph \"s.json\"\n}\n").unwrap();
        let l = load_path(&rules);
        assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
        assert_eq!(l.sources.len(), 2);
        let f = &l.rules.apps[0].stages[0].filters.groups[0];
        assert_eq!(f.clauses[0].values[0].text, "IT");
        assert_eq!(l.sha256().len(), 64);
    }

    #[test]
    fn missing_graph_file_is_reported_at_its_reference() {
        let l = load_text(
            "r.scope",
            "app \"A\" {\n stage \"live\" graph \"nope.json\"\n}\n",
            None,
        );
        assert_eq!(l.diagnostics.len(), 1);
        assert!(l.diagnostics[0].message.contains("nope.json"));
        assert_eq!(l.diagnostics[0].labels[0].span.start, 30);
    }
}
