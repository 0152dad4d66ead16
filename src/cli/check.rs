//! `scopesim check`: read and statically check rule files.

use super::Exit;
use super::common::RulesArgs;
use super::output::Out;
use scopesim::diag;
use scopesim::regex::Anchoring;
use scopesim::rules::check::{CheckOptions, check_file};
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
        let (loaded, diags, ok) = check_file(path, &args.rules_opts.options(), opts);
        out.diagnostics(&diags, &loaded.sources);
        report.push_str(ok.as_deref().unwrap_or_default());
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
