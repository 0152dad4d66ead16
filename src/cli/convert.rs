//! `scopesim convert`: between the `.scope` language and Graph schema JSON.

use super::Exit;
use super::output::Out;
use scopesim::diag::{self, Code, Diagnostic};
use scopesim::output::atomic::write_atomic;
use scopesim::rules::check::{CheckOptions, UNDOCUMENTED_OPERATOR, check};
use scopesim::rules::graph_json::{app_bundle_json, scope_json};
use scopesim::rules::load::load_path;
use scopesim::rules::print::{PrintOptions, print_rules};
use scopesim::rules::resolve::stage_view;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum To {
    /// The scopesim rule language.
    Scope,
    /// Graph JSON: the `scope` object of one stage, or a bundle of all stages.
    GraphJson,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A `.scope` file or a Graph schema JSON file.
    pub file: PathBuf,
    /// Output syntax.
    #[arg(long, value_enum)]
    pub to: To,
    /// Only this app.
    #[arg(long)]
    pub app: Option<String>,
    /// Only this stage (its inherited filters included).
    #[arg(long)]
    pub stage: Option<String>,
    /// Write here instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

pub fn run(args: Args, out: &mut Out) -> Exit {
    let loaded = load_path(&args.file);
    let mut diags = loaded.diagnostics.clone();
    if !loaded.has_errors() {
        // `&` and `!&` (S17) are converted as written: only evaluation refuses them.
        diags.extend(
            check(&loaded.rules, CheckOptions::default())
                .into_iter()
                .map(|mut d| {
                    if d.code == UNDOCUMENTED_OPERATOR {
                        d.severity = scopesim::diag::Severity::Warning;
                    }
                    d
                }),
        );
    }
    diag::sort(&mut diags);
    out.diagnostics(&diags, &loaded.sources);
    if diag::has_errors(&diags) {
        out.summary("convert", &diags);
        return Exit::Error;
    }
    let mut rules = loaded.rules.clone();
    if let Some(app) = &args.app {
        rules.apps.retain(|a| &a.name.node == app);
        if rules.apps.is_empty() {
            let names: Vec<String> = loaded
                .rules
                .apps
                .iter()
                .map(|a| format!("`{}`", a.name.node))
                .collect();
            return out.error(
                Diagnostic::error(
                    Code::UnknownApp,
                    format!("no app `{app}` in `{}`", args.file.display()),
                )
                .with_help(format!("apps in this file: {}", names.join(", "))),
            );
        }
    }
    let text = match args.to {
        To::Scope => {
            if let Some(stage) = &args.stage {
                for app in &mut rules.apps {
                    let Some(i) = app.stages.iter().position(|s| &s.name.node == stage) else {
                        continue;
                    };
                    // flatten the stage's inherited filters into it
                    let view = stage_view(app, i);
                    let mut s = app.stages[i].clone();
                    s.extends = None;
                    s.filters.groups = view.scoping.iter().map(|f| (*f).clone()).collect();
                    s.filters.input_groups = view.input.iter().map(|f| (*f).clone()).collect();
                    s.filters.category_groups =
                        view.category.iter().map(|f| (*f).clone()).collect();
                    app.stages = vec![s];
                }
                rules
                    .apps
                    .retain(|a| a.stages.iter().any(|s| &s.name.node == stage));
            }
            print_rules(&rules, PrintOptions::default())
        }
        To::GraphJson => {
            let mut apps = Vec::new();
            let mut single = Vec::new();
            for app in &rules.apps {
                let mut stages = Vec::new();
                for i in 0..app.stages.len() {
                    let v = stage_view(app, i);
                    if args.stage.as_ref().is_some_and(|s| s != &v.stage.name.node) {
                        continue;
                    }
                    let scope = scope_json(
                        v.scoping.iter().copied(),
                        v.input.iter().copied(),
                        v.category.iter().copied(),
                    );
                    single.push(scope.clone());
                    stages.push((v.stage.name.node.clone(), scope));
                }
                if !stages.is_empty() {
                    apps.push(app_bundle_json(app, &stages));
                }
            }
            let value = if single.len() == 1
                && (args.stage.is_some()
                    || rules.apps.len() == 1 && rules.apps[0].stages.len() == 1)
            {
                single.remove(0)
            } else if apps.is_empty() {
                return out.error(
                    Diagnostic::error(
                        Code::UnknownStage,
                        format!(
                            "no stage `{}` in `{}`",
                            args.stage.unwrap_or_default(),
                            args.file.display()
                        ),
                    )
                    .with_help("run `scopesim check` to list apps and stages"),
                );
            } else {
                serde_json::json!({ "apps": apps })
            };
            match serde_json::to_string_pretty(&value) {
                Ok(s) => s + "\n",
                Err(e) => {
                    return out.error(Diagnostic::error(
                        Code::Internal,
                        format!("cannot write JSON: {e}"),
                    ));
                }
            }
        }
    };
    out.summary("convert", &diags);
    if let Some(path) = &args.output {
        let mut inputs: Vec<PathBuf> = loaded
            .sources
            .iter()
            .filter_map(|(_, f)| f.path.clone())
            .collect();
        inputs.push(args.file.clone());
        if let Err(e) = scopesim::output::paths::check_outputs(&inputs, &[("-o", path)]) {
            return out.errors(&e);
        }
    }
    match &args.output {
        Some(path) => match write_atomic(path, |w: &mut dyn Write| w.write_all(text.as_bytes())) {
            Ok(()) => Exit::Ok,
            Err(e) => out.error(
                Diagnostic::error(Code::Io, format!("cannot write `{}`: {e}", path.display()))
                    .with_help("check that the directory exists and is writable"),
            ),
        },
        None => out.stdout(&text),
    }
}
