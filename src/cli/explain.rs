//! `scopesim explain`: Entra's on-demand provisioning steps for one user, offline (S29).

use super::Exit;
use super::common::{AccessArgs, DirectoryArgs, EvalArgs, RulesArgs, load_all, run_bar};
use super::output::Out;
use scopesim::pipeline::{Columns, Options, Simulation, find_user};
use scopesim::report::explain::{ExplainFormat, explain_user, render};
use scopesim::rollout::RolloutOptions;
use std::path::PathBuf;

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
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
}

/// Runs the command; `Err` carries the exit code of a failure already printed.
pub fn run(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    let files = args.access.files();
    let source = args.directory.source();
    let bar = run_bar(out, &args.rules, &source, &files);
    let (rules, inputs) = load_all(
        (&args.rules, &args.rules_opts, args.eval),
        &files,
        &bar,
        out,
    )?;
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
    let run = sim.run(Columns::All, &bar).map_err(|e| out.fail_run(&e))?;
    drop(bar);
    let row = find_user(&run.directory, &args.user).map_err(|e| out.errors(&e))?;
    let explanation = explain_user(
        &run.evaluated.plan,
        &run.directory,
        &run.evaluated.rollout,
        inputs.rollout_inputs(),
        row,
        args.app.as_deref(),
        args.stage.as_deref(),
    );
    Ok(out.stdout(&render(&explanation, args.format)))
}
