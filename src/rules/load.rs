//! Loads a rules file (`.scope` or Graph JSON) and the Graph files its stages name.
//!
//! This is the only place rules touch the file system, so the rest of the pipeline works
//! on texts already in a [`Sources`] collection and every diagnostic can show its source.
//! The SHA-256 of all texts read is the *rule hash* that reports state as evidence.
//!
//! A Graph schema is a first-class rules file, but it carries neither the app's name nor
//! the job's settings: [`LoadOptions`] supplies both (`--app-name NAME` or
//! `NAME=schema.json`, and `--secrets [APP=]FILE`). An app named after its file says so
//! ([`App::naming_help`]), because assignments and `diff` match apps by name.

use super::ast::*;
use super::graph_json::{GraphDocument, GraphScope, read_graph};
use super::parse::parse_scope;
use super::secrets::{apply_secrets, read_secrets};
use crate::diag::{Code, Diagnostic, FileLocation};
use crate::source::{SourceId, Sources, Span};
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
    /// When the rules file is a Graph schema, object mapping or bare scope: what it was
    /// and where its scope is, so that `convert` can write the whole file back.
    pub graph: Option<GraphInput>,
}

/// A Graph document given as the rules file.
#[derive(Debug, Clone)]
pub struct GraphInput {
    /// Its text.
    pub source: SourceId,
    /// What was read from it.
    pub scope: GraphScope,
}

/// How to load a rules file, beyond its path.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The name of the app of a Graph schema (`--app-name`). A schema does not carry the
    /// app's name; without one the app is named after the file, which no assignment names.
    pub app_name: Option<String>,
    /// Synchronization-secrets exports, each `FILE` or `APP=FILE` (`--secrets`).
    pub secrets: Vec<String>,
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

/// Splits `NAME=FILE` (the app name of a Graph schema given with the file). A path that
/// exists as given is never split, so a file whose name holds `=` still loads; a `NAME`
/// with a path separator is a path, not a name.
pub fn split_named_path(arg: &Path) -> (Option<String>, PathBuf) {
    if arg.exists() {
        return (None, arg.to_path_buf());
    }
    match arg.to_str().and_then(|s| s.split_once('=')) {
        Some((name, file))
            if !name.is_empty() && !file.is_empty() && !name.contains(['/', '\\']) =>
        {
            (Some(name.to_string()), PathBuf::from(file))
        }
        _ => (None, arg.to_path_buf()),
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
    load_path_with(path, &LoadOptions::default())
}

/// Loads rules from a file with options: the app name of a schema (`--app-name`, or the
/// `NAME=schema.json` form of `path`) and secrets exports applied to an app.
pub fn load_path_with(path: &Path, opts: &LoadOptions) -> LoadedRules {
    let mut loaded = LoadedRules::default();
    let (named, path) = split_named_path(path);
    let app_name = match (named, &opts.app_name) {
        (Some(a), Some(b)) if &a != b => {
            loaded.diagnostics.push(
                Diagnostic::error(
                    Code::Usage,
                    format!(
                        "the app is named twice: `{a}={}` and `--app-name {b}`",
                        path.display()
                    ),
                )
                .with_help("give the name once"),
            );
            return loaded;
        }
        (Some(a), _) => Some(a),
        (None, b) => b.clone(),
    };
    match read_text(&path) {
        Ok(text) => {
            let name = path.display().to_string();
            let base = path.parent().map(Path::to_path_buf);
            load_into(
                &mut loaded,
                &name,
                text,
                base.as_deref(),
                &path,
                app_name.as_deref(),
            );
        }
        Err(d) => {
            loaded.diagnostics.push(d);
            return loaded;
        }
    }
    for arg in &opts.secrets {
        load_secrets(&mut loaded, arg);
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
        None,
    );
    loaded
}

fn load_into(
    loaded: &mut LoadedRules,
    name: &str,
    text: String,
    base: Option<&Path>,
    path: &Path,
    app_name: Option<&str>,
) {
    let json = looks_like_json(path, &text);
    let id = loaded.sources.add(name, Some(path), text);
    let whole = loaded
        .sources
        .get(id)
        .map_or_else(Span::default, |f| Span::new(0, f.text.len().min(1)));
    let ignored = |loaded: &mut LoadedRules, what: &str| {
        if let Some(n) = app_name {
            loaded.diagnostics.push(
                Diagnostic::warning(
                    Code::AppNameIgnored,
                    format!("the app name `{n}` is not used: `{name}` {what}"),
                )
                .with_label(id, whole, "")
                .with_help("`--app-name` and `NAME=FILE` name the app of a Graph schema, which has no name of its own"),
            );
        }
    };
    if json {
        let (doc, diags) = read_graph(&loaded.sources, id);
        loaded.diagnostics.extend(diags);
        match doc {
            Some(GraphDocument::Bundle(rules)) => {
                ignored(loaded, "is a bundle that names its apps");
                loaded.rules = rules;
            }
            Some(GraphDocument::Scope(graph)) => {
                let (app_name, origin) = match app_name {
                    Some(n) => (n.to_string(), NameOrigin::Given),
                    None => (
                        path.file_stem()
                            .and_then(|s| s.to_str())
                            .unwrap_or("app")
                            .to_string(),
                        NameOrigin::FileStem(name.to_string()),
                    ),
                };
                loaded.rules.apps.push(App {
                    name: Spanned::new(app_name, whole),
                    source: id,
                    span: whole,
                    scope: None,
                    skip_out_of_scope_deletions: None,
                    deletion_threshold: None,
                    object: graph.object.clone(),
                    stages: vec![Stage {
                        name: Spanned::new("current".into(), whole),
                        extends: None,
                        source: id,
                        span: whole,
                        implicit: true,
                        graph: None,
                        filters: graph.filters.clone(),
                    }],
                    name_origin: origin,
                    secrets: Vec::new(),
                });
                loaded.graph = Some(GraphInput {
                    source: id,
                    scope: graph,
                });
            }
            None => {}
        }
        return;
    }
    let (mut rules, diags) = parse_scope(&loaded.sources, id);
    loaded.diagnostics.extend(diags);
    ignored(loaded, "names its apps itself");
    for app in &mut rules.apps {
        for i in 0..app.stages.len() {
            let Some(graph) = app.stages.get(i).and_then(|s| s.graph.clone()) else {
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
                Some(GraphDocument::Scope(g)) => {
                    stage_settings_not_applied(app, &g, id, &graph, &shown, &mut loaded.diagnostics);
                    if let Some(stage) = app.stages.get_mut(i) {
                        stage.filters = g.filters;
                    }
                }
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

/// S33: a `graph` stage takes only the scope of its schema. When the schema's mapping has
/// settings that differ from the app's (disabled, other flow types, matching attributes),
/// say they are not applied and how to write them.
fn stage_settings_not_applied(
    app: &App,
    g: &GraphScope,
    id: SourceId,
    graph: &Spanned<String>,
    shown: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let mut missing = Vec::new();
    if let Some(e) = &g.object.enabled {
        if e.node != app.mapping_enabled() {
            missing.push(format!("mapping_enabled {}", e.node));
        }
    }
    if let Some(f) = &g.object.flow_types {
        if f.node != app.flows() {
            missing.push(format!("flow_types \"{}\"", f.node.as_graph()));
        }
    }
    let same = g.object.matching.len() == app.object.matching.len()
        && g.object
            .matching
            .iter()
            .zip(&app.object.matching)
            .all(|(a, b)| a.same_as(b));
    if !same && !g.object.matching.is_empty() {
        for m in &g.object.matching {
            missing.push(super::print::matching_text(m));
        }
    }
    if missing.is_empty() {
        return;
    }
    diags.push(
        Diagnostic::warning(
            Code::GraphStageSettings,
            format!(
                "the object-mapping settings of `{shown}` are not applied to app `{}`",
                app.name.node
            ),
        )
        .with_rule("S33")
        .with_label(id, graph.span, "only the scope is read")
        .with_help(format!(
            "a stage is a version of the scope; write the settings in the app to simulate them: {}",
            missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    );
}

/// Reads one `--secrets [APP=]FILE` and applies it to its app.
fn load_secrets(loaded: &mut LoadedRules, arg: &str) {
    let (app, path) = split_named_path(Path::new(arg));
    let text = match read_text(&path) {
        Ok(t) => t,
        Err(d) => {
            loaded.diagnostics.push(d);
            return;
        }
    };
    let shown = path.display().to_string();
    let provisional = loaded.sources.len();
    let (entries, masked, diags) = read_secrets(
        &text,
        SourceId(u32::try_from(provisional).unwrap_or(u32::MAX)),
    );
    let id = loaded.sources.add(shown.clone(), Some(&path), masked);
    loaded.diagnostics.extend(diags);
    let names: Vec<String> = loaded
        .rules
        .apps
        .iter()
        .map(|a| format!("`{}`", a.name.node))
        .collect();
    let index = match &app {
        Some(n) => loaded.rules.apps.iter().position(|a| &a.name.node == n),
        None if loaded.rules.apps.len() == 1 => Some(0),
        None => None,
    };
    let Some(target) = index.and_then(|i| loaded.rules.apps.get_mut(i)) else {
        if loaded.rules.apps.is_empty() {
            return;
        }
        let message = match &app {
            Some(n) => {
                format!("the secrets `{shown}` are for app `{n}`, which the rules do not have")
            }
            None => format!(
                "the rules have {} apps: say which one the secrets `{shown}` belong to",
                loaded.rules.apps.len()
            ),
        };
        loaded.diagnostics.push(
            Diagnostic::error(Code::BadSecrets, message)
                .with_label(id, Span::new(0, 0), "")
                .with_help(format!(
                    "write `--secrets APP={shown}`; apps: {}",
                    names.join(", ")
                )),
        );
        return;
    };
    apply_secrets(target, &entries, id, &shown, &mut loaded.diagnostics);
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

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
    }

    #[test]
    fn s30_a_schema_without_a_name_is_named_after_its_file_and_says_so() {
        let l = load_path(&fixtures().join("schema/salesforce-schema.json"));
        let app = &l.rules.apps[0];
        assert_eq!(app.name.node, "salesforce-schema");
        assert!(matches!(app.name_origin, NameOrigin::FileStem(_)));
        let help = app.naming_help().unwrap();
        assert!(help.contains("--app-name NAME"), "{help}");
        assert!(help.contains("salesforce-schema.json"), "{help}");
    }

    #[test]
    fn s30_the_app_name_comes_from_the_option_or_the_name_equals_file_form() {
        let schema = fixtures().join("schema/salesforce-schema.json");
        let opts = LoadOptions {
            app_name: Some("Salesforce".into()),
            ..LoadOptions::default()
        };
        let l = load_path_with(&schema, &opts);
        assert_eq!(l.rules.apps[0].name.node, "Salesforce");
        assert_eq!(l.rules.apps[0].name_origin, NameOrigin::Given);
        assert!(l.rules.apps[0].naming_help().is_none());
        let named = PathBuf::from(format!("Salesforce={}", schema.display()));
        let l = load_path(&named);
        assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
        assert_eq!(l.rules.apps[0].name.node, "Salesforce");
        // named twice, differently
        let l = load_path_with(
            &named,
            &LoadOptions {
                app_name: Some("Other".into()),
                ..LoadOptions::default()
            },
        );
        assert_eq!(l.diagnostics[0].code, Code::Usage);
        // a .scope names its apps: the option is reported as unused
        let l = load_path_with(&fixtures().join("rollout.scope"), &opts);
        assert_eq!(l.diagnostics.len(), 1);
        assert_eq!(l.diagnostics[0].code, Code::AppNameIgnored);
    }

    #[test]
    fn a_path_holding_an_equals_sign_that_exists_is_not_split() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a=b.scope");
        std::fs::write(&p, "app \"A\" { }\n").unwrap();
        assert_eq!(split_named_path(&p), (None, p.clone()));
        assert_eq!(
            split_named_path(Path::new("Sales Force=x.json")),
            (Some("Sales Force".into()), PathBuf::from("x.json"))
        );
        // a directory before the `=`: a path (a test suite joins its own directory)
        assert_eq!(
            split_named_path(Path::new("tests/Sales=x.json")),
            (None, PathBuf::from("tests/Sales=x.json"))
        );
    }

    #[test]
    fn s24_secrets_apply_to_the_schema_app_and_are_recorded() {
        let l = load_path_with(
            &PathBuf::from(format!(
                "Salesforce={}",
                fixtures().join("schema/salesforce-schema.json").display()
            )),
            &LoadOptions {
                app_name: None,
                secrets: vec![
                    fixtures()
                        .join("schema/salesforce-secrets.json")
                        .display()
                        .to_string(),
                ],
            },
        );
        assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
        let app = &l.rules.apps[0];
        assert_eq!(app.scope_mode(), ScopeMode::Assigned);
        assert!(app.skip_deletions());
        assert_eq!(app.deletion_threshold.as_ref().map(|t| t.node), Some(50));
        assert_eq!(app.secrets.len(), 3);
        // the credentials of the export are not kept
        let kept = &l.sources.get(app.secrets[0].source).unwrap().text;
        assert!(!kept.contains("placeholder-token"));
        assert!(!kept.contains("contoso.my.salesforce.com"));
    }

    #[test]
    fn s24_secrets_for_a_file_of_several_apps_must_name_the_app() {
        let secrets = fixtures()
            .join("schema/salesforce-secrets-ps.json")
            .display()
            .to_string();
        let rules = fixtures().join("rollout.scope");
        let l = load_path_with(
            &rules,
            &LoadOptions {
                app_name: None,
                secrets: vec![secrets.clone()],
            },
        );
        assert_eq!(l.diagnostics.len(), 1, "{:?}", l.diagnostics);
        assert_eq!(l.diagnostics[0].code, Code::BadSecrets);
        assert!(
            l.diagnostics[0]
                .help
                .as_deref()
                .unwrap_or("")
                .contains("APP=")
        );
        let l = load_path_with(
            &rules,
            &LoadOptions {
                app_name: None,
                secrets: vec![format!("Salesforce={secrets}")],
            },
        );
        // rollout.scope sets `scope assigned` and `skip_out_of_scope_deletions false`;
        // the export says SkipOutOfScopeDeletions=true: the rules win, with a warning
        let codes: Vec<Code> = l.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::SecretsOverridden], "{:?}", l.diagnostics);
        assert!(!l.rules.apps[0].skip_deletions());
    }

    #[test]
    fn s33_a_graph_stage_says_which_mapping_settings_it_does_not_apply() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(
            fixtures().join("schema/salesforce-schema-ps.json"),
            dir.path().join("live.json"),
        )
        .unwrap();
        let rules = dir.path().join("r.scope");
        std::fs::write(
            &rules,
            "app \"A\" {\n stage \"live\" graph \"live.json\"\n}\n",
        )
        .unwrap();
        let l = load_path(&rules);
        assert_eq!(l.diagnostics.len(), 1, "{:?}", l.diagnostics);
        assert_eq!(l.diagnostics[0].code, Code::GraphStageSettings);
        let help = l.diagnostics[0].help.as_deref().unwrap_or("");
        assert!(
            help.contains("`match userPrincipalName -> Username priority 1`"),
            "{help}"
        );
        // the same settings written in the app: nothing to say
        std::fs::write(
            &rules,
            "app \"A\" {\n match userPrincipalName -> Username priority 1\n match expression 'Join(\"@\", [mailNickname], \"contoso.com\")' -> FederationIdentifier priority 2\n stage \"live\" graph \"live.json\"\n}\n",
        )
        .unwrap();
        let l = load_path(&rules);
        assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    }
}
