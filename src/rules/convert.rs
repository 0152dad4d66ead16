//! Conversion between the `.scope` language and Graph schema JSON (`scopesim convert`).
//!
//! The whole transformation lives here so that the command only parses arguments and
//! writes the text: narrowing to one app or stage (a stage with its inherited filters
//! flattened in, since Graph has no `extends`), choosing what JSON to write, and the
//! checks convert applies (the S17 operators are translated as written, so their error
//! becomes a warning here; only evaluation refuses them).
//!
//! JSON output is one of three shapes:
//! - a Graph schema or object mapping given as input is written back whole, with only the
//!   user mapping's `scope` rewritten (canonical operator spellings), ready to `PUT` back;
//! - the bare `scope` object of one stage, to paste into the schema editor: with `--stage`,
//!   for a bare scope input, or for a file of one stage and no settings;
//! - otherwise a bundle of every app and stage with their settings, which reads back into
//!   the same rules.

use super::ast::*;
use super::check::{CheckOptions, check_loaded};
use super::graph_json::GraphShape;
use super::graph_write::{app_bundle_json, scope_json, splice_scope};
use super::load::LoadedRules;
use super::print::{PrintOptions, print_rules};
use super::resolve::stage_view;
use crate::diag::{Code, Diagnostic, Severity};

/// The syntax to write (`convert --to`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Syntax {
    /// The scopesim rule language.
    Scope,
    /// Graph JSON: a schema given as input written back whole with its scope replaced,
    /// the `scope` object of one stage, or a bundle of all stages.
    GraphJson,
}

/// What to convert.
#[derive(Debug, Clone, Copy)]
pub struct ConvertOptions<'a> {
    /// Output syntax.
    pub to: Syntax,
    /// Only this app.
    pub app: Option<&'a str>,
    /// Only this stage (its inherited filters included).
    pub stage: Option<&'a str>,
}

/// The diagnostics `convert` reports: reading and checks, with the S17 error lowered to
/// a warning (convert only translates).
pub fn diagnostics(loaded: &LoadedRules) -> Vec<Diagnostic> {
    check_loaded(loaded, CheckOptions::default())
        .into_iter()
        .map(|mut d| {
            if d.code == Code::UndocumentedOperator {
                d.severity = Severity::Warning;
            }
            d
        })
        .collect()
}

/// Converts loaded rules (without errors) to text.
pub fn convert(loaded: &LoadedRules, opts: ConvertOptions<'_>) -> Result<String, Box<Diagnostic>> {
    let file = loaded.sources.name(crate::source::SourceId(0)).to_string();
    let mut rules = loaded.rules.clone();
    if let Some(app) = opts.app {
        rules.apps.retain(|a| a.name.node == app);
        if rules.apps.is_empty() {
            let names: Vec<String> = loaded
                .rules
                .apps
                .iter()
                .map(|a| format!("`{}`", a.name.node))
                .collect();
            return Err(Box::new(
                Diagnostic::error(Code::UnknownApp, format!("no app `{app}` in `{file}`"))
                    .with_help(format!("apps in this file: {}", names.join(", "))),
            ));
        }
    }
    if let Some(stage) = opts.stage {
        narrow_to_stage(&mut rules, stage);
        if rules.apps.is_empty() {
            return Err(Box::new(
                Diagnostic::error(
                    Code::UnknownStage,
                    format!("no stage `{stage}` in `{file}`"),
                )
                .with_help("run `scopesim check` to list apps and stages"),
            ));
        }
    }
    match opts.to {
        Syntax::Scope => Ok(print_rules(&rules, PrintOptions::default())),
        Syntax::GraphJson => graph_json(loaded, &rules, opts.stage.is_some()),
    }
}

/// Keeps, in each app that has it, only stage `stage` with its inherited filters
/// flattened into it; drops apps without it.
fn narrow_to_stage(rules: &mut RuleSet, stage: &str) {
    for app in &mut rules.apps {
        let Some(i) = app.stages.iter().position(|s| s.name.node == stage) else {
            continue;
        };
        let view = stage_view(app, i);
        let mut s = view.stage.clone();
        s.extends = None;
        s.filters.groups = view.scoping.iter().map(|f| (*f).clone()).collect();
        s.filters.input_groups = view.input.iter().map(|f| (*f).clone()).collect();
        s.filters.category_groups = view.category.iter().map(|f| (*f).clone()).collect();
        app.stages = vec![s];
    }
    rules.apps.retain(|a| match a.stages.as_slice() {
        [only] => only.name.node == stage,
        _ => false,
    });
}

/// True when an app has a setting that a bare `scope` object cannot carry.
fn has_settings(app: &App) -> bool {
    app.scope.is_some()
        || app.skip_out_of_scope_deletions.is_some()
        || app.deletion_threshold.is_some()
        || app.object != ObjectSettings::default()
}

fn graph_json(
    loaded: &LoadedRules,
    rules: &RuleSet,
    stage_given: bool,
) -> Result<String, Box<Diagnostic>> {
    let write = |v: &serde_json::Value| match serde_json::to_string_pretty(v) {
        Ok(s) => Ok(s + "\n"),
        Err(e) => Err(Box::new(Diagnostic::error(
            Code::Internal,
            format!("cannot write JSON: {e}"),
        ))),
    };
    let scope_of = |app: &App, i: usize| {
        let v = stage_view(app, i);
        scope_json(
            v.scoping.iter().copied(),
            v.input.iter().copied(),
            v.category.iter().copied(),
        )
    };
    // A schema or object mapping given as input: the whole file, only its scope rewritten.
    if let (Some(g), [app]) = (&loaded.graph, rules.apps.as_slice()) {
        if g.scope.shape != GraphShape::Scope && app.stages.len() == 1 {
            let text = loaded
                .sources
                .get(g.source)
                .map(|f| f.text.to_string())
                .unwrap_or_default();
            let scope = scope_of(app, 0);
            return Ok(splice_scope(&text, &g.scope, scope).unwrap_or(text));
        }
    }
    let single = match rules.apps.as_slice() {
        [app] if app.stages.len() == 1 => {
            let bare_input = loaded
                .graph
                .as_ref()
                .is_some_and(|g| g.scope.shape == GraphShape::Scope);
            (stage_given || bare_input || !has_settings(app)).then_some(app)
        }
        _ => None,
    };
    if let Some(app) = single {
        return write(&scope_of(app, 0));
    }
    let apps: Vec<serde_json::Value> = rules
        .apps
        .iter()
        .map(|app| {
            let stages: Vec<(String, serde_json::Value)> = app
                .stages
                .iter()
                .enumerate()
                .map(|(i, s)| (s.name.node.clone(), scope_of(app, i)))
                .collect();
            app_bundle_json(app, &stages)
        })
        .collect();
    write(&serde_json::json!({ "apps": apps }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::load::{LoadOptions, load_path_with, load_text};
    use std::path::Path;

    fn to(loaded: &LoadedRules, syntax: Syntax) -> String {
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        convert(
            loaded,
            ConvertOptions {
                to: syntax,
                app: None,
                stage: None,
            },
        )
        .unwrap()
    }

    const SETTINGS: &str = "app \"Salesforce\" {\n  scope all\n  mapping_enabled false\n  flow_types \"Add, Update\"\n  match userPrincipalName -> userName priority 1\n  match expression 'Join(\"@\", [mailNickname], \"contoso.com\")' -> \"emails[type eq \\\"work\\\"].value\" priority 2\n\n  filter \"IT\" {\n    department EQUALS \"IT\"\n  }\n}\n";

    #[test]
    fn s33_s32_settings_round_trip_through_graph_json() {
        let scope = load_text("s.scope", SETTINGS, None);
        let printed = to(&scope, Syntax::Scope);
        assert_eq!(printed, SETTINGS, "the printer writes what it reads");
        let json = to(&scope, Syntax::GraphJson);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let app = &v["apps"][0];
        assert_eq!(app["enabled"], false);
        assert_eq!(app["flowTypes"], "Add, Update");
        assert_eq!(app["matching"][0]["source"], "userPrincipalName");
        assert_eq!(app["matching"][1]["priority"], 2);
        let back = load_text("b.json", &json, None);
        assert_eq!(to(&back, Syntax::GraphJson), json);
        let again = to(&back, Syntax::Scope);
        for line in SETTINGS.lines().filter(|l| {
            l.contains("flow_types") || l.contains("match") || l.contains("mapping_enabled")
        }) {
            assert!(again.contains(line), "{line} in {again}");
        }
        let app = &back.rules.apps[0];
        assert!(!app.mapping_enabled());
        let reread = load_text("s.scope", &again, None);
        let m = &reread.rules.apps[0].object.matching;
        assert_eq!(m.len(), 2);
        assert!(
            m.iter()
                .zip(&app.object.matching)
                .all(|(a, b)| a.same_as(b))
        );
    }

    #[test]
    fn s33_the_older_delete_flow_bundle_key_reads_as_flow_types() {
        let bundle = r#"{"apps":[{"name":"A","syncAll":true,"skipOutOfScopeDeletions":false,"deleteFlow":false,"stages":[{"name":"current","scope":{"groups":[]}}]}]}"#;
        let l = load_text("b.json", bundle, None);
        assert_eq!(l.diagnostics.len(), 1);
        assert_eq!(l.diagnostics[0].code, Code::DeprecatedSetting);
        assert!(!l.rules.apps[0].delete_flow_on());
        assert!(to(&l, Syntax::Scope).contains("flow_types \"Add, Update\""));
    }

    #[test]
    fn one_stage_without_settings_is_a_bare_scope_and_with_settings_a_bundle() {
        let bare = load_text(
            "a.scope",
            "app \"A\" {\n filter \"f\" { a IS NULL }\n}\n",
            None,
        );
        assert!(to(&bare, Syntax::GraphJson).starts_with("{\n  \"groups\""));
        let with = load_text(
            "b.scope",
            "app \"A\" {\n flow_types \"Add\"\n filter \"f\" { a IS NULL }\n}\n",
            None,
        );
        assert!(to(&with, Syntax::GraphJson).starts_with("{\n  \"apps\""));
        let stage = convert(
            &with,
            ConvertOptions {
                to: Syntax::GraphJson,
                app: None,
                stage: Some("current"),
            },
        )
        .unwrap();
        assert!(
            stage.starts_with("{\n  \"groups\""),
            "asked for one stage: its scope"
        );
    }

    #[test]
    fn s30_a_schema_converts_back_to_the_whole_schema_identical_but_for_its_scope() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/schema");
        for file in ["salesforce-schema.json", "salesforce-schema-ps.json"] {
            let path = fixtures.join(file);
            let l = load_path_with(&path, &LoadOptions::default());
            let out = to(&l, Syntax::GraphJson);
            let original = std::fs::read_to_string(&path).unwrap();
            // the fixtures are written in canonical spellings, so nothing changes at all
            assert_eq!(out, original, "{file}");
        }
        // spellings are canonicalised inside the scope, and only there
        let text = std::fs::read_to_string(fixtures.join("salesforce-schema.json"))
            .unwrap()
            .replace("\"REGEX MATCH\"", "\"regex_match\"")
            .replace("\"Greater_Than_OR_EQUALS\"", "\"GreaterThanOrEquals\"");
        let l = load_text("x.json", &text, None);
        let out = to(&l, Syntax::GraphJson);
        let a: serde_json::Value = serde_json::from_str(&out).unwrap();
        let b: serde_json::Value = serde_json::from_str(&text).unwrap();
        let scope = |v: &serde_json::Value| {
            v["synchronizationRules"][0]["objectMappings"][1]["scope"].clone()
        };
        let strip = |mut v: serde_json::Value| {
            v["synchronizationRules"][0]["objectMappings"][1]["scope"] = serde_json::Value::Null;
            v
        };
        assert_eq!(strip(a.clone()), strip(b));
        assert_eq!(
            scope(&a)["groups"][1]["clauses"][1]["operatorName"],
            "REGEX MATCH"
        );
        assert_eq!(
            scope(&a)["groups"][2]["clauses"][2]["operatorName"],
            "Greater_Than_OR_EQUALS"
        );
    }

    use proptest::prelude::*;

    fn settings_text(
        enabled: Option<bool>,
        flows: Option<(bool, bool, bool)>,
        matching: &[(usize, usize, u32, bool)],
    ) -> String {
        let sources = [
            "userPrincipalName",
            "mail",
            "objectId",
            "extension_5bfc8fdacfc943a9a6de214ea9d15fdb_id",
        ];
        let targets = [
            "userName",
            "externalId",
            "emails[type eq \"work\"].value",
            "Username",
        ];
        let mut t = String::from("app \"A\" {\n");
        if let Some(e) = enabled {
            t.push_str(&format!("  mapping_enabled {e}\n"));
        }
        if let Some((add, update, delete)) = flows {
            let f = FlowTypes {
                add,
                update,
                delete,
            };
            t.push_str(&format!(
                "  flow_types \"{}\"\n",
                f.as_graph().to_lowercase()
            ));
        }
        for &(s, tg, p, expr) in matching {
            let source = if expr {
                format!("expression 'Join(\"@\", [{}], \"x\")'", sources[s])
            } else {
                sources[s].to_string()
            };
            t.push_str(&format!(
                "  match {source} -> {} priority {p}\n",
                crate::rules::print::quote(targets[tg])
            ));
        }
        t.push_str("  filter \"f\" { department IS NOT NULL }\n}\n");
        t
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn s32_s33_object_settings_round_trip_through_print_and_bundle(
            enabled in proptest::option::of(any::<bool>()),
            flows in proptest::option::of((any::<bool>(), any::<bool>(), any::<bool>())),
            matching in proptest::collection::vec((0usize..4, 0usize..4, 1u32..5, any::<bool>()), 0..4),
        ) {
            let text = settings_text(enabled, flows, &matching);
            let l = load_text("p.scope", &text, None);
            prop_assert!(!l.has_errors(), "{:?}\n{}", l.diagnostics, text);
            let object = l.rules.apps[0].object.clone();
            let printed = to(&l, Syntax::Scope);
            let again = load_text("q.scope", &printed, None);
            prop_assert_eq!(to(&again, Syntax::Scope), printed.clone());
            let json = to(&l, Syntax::GraphJson);
            let back = load_text("b.json", &json, None);
            prop_assert!(!back.has_errors(), "{:?}", back.diagnostics);
            for other in [&again.rules.apps[0].object, &back.rules.apps[0].object] {
                prop_assert_eq!(other.enabled.as_ref().map(|e| e.node), object.enabled.as_ref().map(|e| e.node));
                prop_assert_eq!(other.flow_types.as_ref().map(|f| f.node), object.flow_types.as_ref().map(|f| f.node));
                prop_assert_eq!(other.matching.len(), object.matching.len());
                for (a, b) in other.matching.iter().zip(&object.matching) {
                    prop_assert!(a.same_as(b), "{:?} {:?}", a, b);
                }
            }
        }
    }
}
