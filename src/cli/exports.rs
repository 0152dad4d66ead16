//! `scopesim exports`: the commands that export every input the rules need.

use super::Exit;
use super::common::{EvalArgs, load_rules};
use super::output::Out;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Rules file (.scope or Graph schema JSON).
    pub rules: PathBuf,
    /// Only this app's exports.
    #[arg(long)]
    pub app: Option<String>,
    #[command(flatten)]
    pub eval: EvalArgs,
}

pub fn run(args: Args, out: &mut Out) -> Exit {
    let Ok(rules) = load_rules(&args.rules, args.eval.regex_anchoring, out) else {
        return Exit::Error;
    };
    match scopesim::exports::exports(&rules, args.app.as_deref()) {
        Ok(e) => out.stdout(&scopesim::exports::render(&e)),
        Err(e) => out.fail("exports", &e),
    }
}
