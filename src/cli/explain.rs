//! `scopesim explain`: Entra's on-demand provisioning steps for one user, offline (S29).

use super::Exit;
use super::common::{
    AccessArgs, DirectoryArgs, EvalArgs, FixedArgs, RulesArgs, bar, fail, load_inputs,
    load_rules_with, run_label,
};
use super::output::Out;
use scopesim::pipeline::payloads::user_payloads;
use scopesim::pipeline::{Columns, Options, Simulation, find_user};
use scopesim::report::explain::{add_payloads, explain_user, render_text};
use scopesim::rollout::RolloutOptions;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Rules: a `.scope` file or a Graph schema JSON.
    pub rules: PathBuf,
    #[command(flatten)]
    pub rules_opts: RulesArgs,
    #[command(flatten)]
    pub directory: DirectoryArgs,
    #[command(flatten)]
    pub access: AccessArgs,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// The user: userPrincipalName or objectId.
    #[arg(long, short = 'u', value_name = "UPN_OR_OBJECTID")]
    pub user: String,
    /// Only this app.
    #[arg(long)]
    pub app: Option<String>,
    /// Only this stage.
    #[arg(long)]
    pub stage: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub fixed: FixedArgs,
}

pub fn run(args: Args, out: &mut Out) -> Exit {
    match run_inner(args, out) {
        Ok(e) | Err(e) => e,
    }
}

fn run_inner(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    let rules = load_rules_with(&args.rules, &args.rules_opts, args.eval, out)?;
    let inputs = load_inputs(&args.access.files(), out)?;
    let source = args.directory.source();
    let sim = Simulation {
        rules: &rules,
        directory: &source,
        inputs: &inputs,
        options: Options {
            eval: args.eval.options(),
            rollout: RolloutOptions {
                allow_missing_members: args.access.allow_missing_members,
                ..RolloutOptions::default()
            },
        },
    };
    let bar = bar(out);
    let run = sim
        .run(Columns::All, &bar)
        .map_err(|e| fail(out, &run_label(&e), &e))?;
    drop(bar);
    let row = find_user(&run.directory, &args.user).map_err(|e| out.errors(&e))?;
    let mut explanation = explain_user(
        &run.evaluated.plan,
        &run.directory,
        &run.evaluated.rollout,
        inputs.rollout_inputs(),
        row,
        args.app.as_deref(),
        args.stage.as_deref(),
    );
    // S40: the payload of each create and update, when the schema has attribute mappings.
    if rules.mappings.iter().any(|m| m.get().is_some()) {
        let opts = args
            .fixed
            .options(args.app.as_deref(), args.stage.as_deref(), out)?;
        let payloads =
            user_payloads(&rules, &run, &inputs, row, &opts).map_err(|e| out.errors(&e))?;
        add_payloads(&mut explanation, &payloads);
    }
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&explanation).unwrap_or_default() + "\n",
        Format::Text => scopesim::text::escape_control(&render_text(&explanation)).into_owned(),
    };
    Ok(out.stdout(&text))
}
