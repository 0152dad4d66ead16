//! `scopesim check`: read and statically check rule files.

use super::Exit;
use super::common::RulesArgs;
use super::output::Out;
use scopesim::diag;
use scopesim::regex::Anchoring;
use scopesim::rules::check::{CheckOptions, Counts, check_loaded};
use scopesim::rules::load::{load_path_with, split_named_path};
use scopesim::rules::secrets::describe;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Rule files: `.scope`, or Graph synchronization-schema JSON (`NAME=schema.json`
    /// names its app).
    #[arg(required = true)]
    pub rules: Vec<PathBuf>,
    #[command(flatten)]
    pub rules_opts: RulesArgs,
    /// How REGEX MATCH patterns are anchored (S7).
    #[arg(long, value_enum, default_value_t = Anchoring::Partial)]
    pub regex_anchoring: Anchoring,
}

pub fn run(args: Args, out: &mut Out) -> Exit {
    let mut all = Vec::new();
    let mut report = String::new();
    let opts = CheckOptions {
        anchoring: args.regex_anchoring,
    };
    for path in &args.rules {
        let loaded = load_path_with(path, &args.rules_opts.options());
        let diags = check_loaded(&loaded, opts);
        out.diagnostics(&diags, &loaded.sources);
        if !diag::has_errors(&diags) {
            let shown = split_named_path(path).1.display().to_string();
            report.push_str(&format!("ok: {shown} ({})\n", Counts::of(&loaded.rules)));
            for app in &loaded.rules.apps {
                if let Some(line) = describe(app, |id| loaded.sources.name(id).to_string()) {
                    report.push_str(&format!("  {line}\n"));
                }
            }
        }
        all.extend(diags);
    }
    out.summary("check", &all);
    let printed = out.stdout(&scopesim::text::escape_control(&report));
    if diag::has_errors(&all) {
        Exit::Error
    } else {
        printed
    }
}
