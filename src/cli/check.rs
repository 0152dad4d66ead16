//! `scopesim check`: read and statically check rule files.

use super::output::Out;
use super::{AnchoringArg, Exit};
use scopesim::diag;
use scopesim::rules::check::{CheckOptions, check};
use scopesim::rules::load::load_path;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Rule files: `.scope`, or Graph synchronization-schema JSON.
    #[arg(required = true)]
    pub rules: Vec<PathBuf>,
    /// How REGEX MATCH patterns are anchored (S7).
    #[arg(long, value_enum, default_value_t = AnchoringArg::Partial)]
    pub regex_anchoring: AnchoringArg,
}

pub fn run(args: Args, out: &mut Out) -> Exit {
    let mut all = Vec::new();
    let mut report = String::new();
    for path in &args.rules {
        let loaded = load_path(path);
        let mut diags = loaded.diagnostics.clone();
        if !loaded.has_errors() {
            diags.extend(check(
                &loaded.rules,
                CheckOptions {
                    anchoring: args.regex_anchoring.get(),
                },
            ));
        }
        diag::sort(&mut diags);
        out.diagnostics(&diags, &loaded.sources);
        if !diag::has_errors(&diags) {
            let apps = loaded.rules.apps.len();
            let stages: usize = loaded.rules.apps.iter().map(|a| a.stages.len()).sum();
            let filters: usize = loaded
                .rules
                .apps
                .iter()
                .flat_map(|a| &a.stages)
                .map(|s| s.filters.iter().count())
                .sum();
            let clauses: usize = loaded
                .rules
                .apps
                .iter()
                .flat_map(|a| &a.stages)
                .flat_map(|s| s.filters.iter())
                .map(|f| f.clauses.len())
                .sum();
            let plural = |n: usize, s: &str| {
                if n == 1 {
                    format!("{n} {s}")
                } else {
                    format!("{n} {s}s")
                }
            };
            report.push_str(&format!(
                "ok: {} ({}, {}, {}, {})\n",
                path.display(),
                plural(apps, "app"),
                plural(stages, "stage"),
                plural(filters, "filter"),
                plural(clauses, "clause")
            ));
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
