//! `scopesim convert`: between the `.scope` language and Graph schema JSON. The
//! conversion is `scopesim::rules::convert`; this is arguments, printing and writing.

use super::Exit;
use super::common::RulesArgs;
use super::output::Out;
use scopesim::diag;
use scopesim::rules::convert::{ConvertOptions, Syntax, convert, diagnostics};
use scopesim::rules::load::load_path_with;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A `.scope` file or a Graph schema JSON file (`NAME=schema.json` names its app).
    pub file: PathBuf,
    #[command(flatten)]
    pub rules_opts: RulesArgs,
    /// Output syntax.
    #[arg(long, value_enum)]
    pub to: Syntax,
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
    let loaded = load_path_with(&args.file, &args.rules_opts.options());
    let diags = diagnostics(&loaded);
    out.diagnostics(&diags, &loaded.sources);
    if diag::has_errors(&diags) {
        out.summary("convert", &diags);
        return Exit::Error;
    }
    let opts = ConvertOptions {
        to: args.to,
        app: args.app.as_deref(),
        stage: args.stage.as_deref(),
    };
    let text = match convert(&loaded, opts) {
        Ok(t) => t,
        Err(d) => return out.error(*d),
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
    out.write_result(args.output.as_deref(), &text, Vec::new())
}
