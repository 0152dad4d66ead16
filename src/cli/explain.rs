//! `scopesim explain`: Entra's on-demand provisioning steps for one user, offline (S29).

use super::Exit;
use super::common::{FixedArgs, SimArgs};
use super::output::Out;
use scopesim::pipeline::payloads::user_payloads;
use scopesim::pipeline::request::Simulated;
use scopesim::pipeline::{Columns, find_user_in};
use scopesim::reconcile::{render::user_outcome_addendum, user_outcome};
use scopesim::report::explain::{ExplainFormat, add_payloads, explain_user, render_with};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub sim: SimArgs,
    /// The user: userPrincipalName or objectId.
    #[arg(long, short = 'u', value_name = "UPN_OR_OBJECTID")]
    pub user: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
    /// Provisioning logs: add the user's logged outcome, paired with the plan (repeatable).
    #[arg(long, value_name = "FILE")]
    pub logs: Vec<PathBuf>,
    #[command(flatten)]
    pub fixed: FixedArgs,
}

/// Runs the command; `Err` carries the exit code of a failure already printed.
pub fn run(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    // The logged outcome pairs the logs with every user's identity, so it reads them all.
    let columns = match args.logs.is_empty() {
        true => Columns::OneUser(args.user.clone()),
        false => Columns::All,
    };
    let (sim, bar) = args.sim.simulate(out, columns, &[], &args.logs)?;
    drop(bar);
    let row = find_user_in(&sim.run, &sim.source, &args.user).map_err(|e| out.errors(&e))?;
    let Simulated {
        rules, inputs, run, ..
    } = sim;
    let (app, stage) = args.sim.selection();
    let mut explanation = explain_user(
        &run.evaluated.plan,
        &run.directory,
        &run.evaluated.rollout,
        inputs.rollout_inputs(),
        row,
        app,
        stage,
    );
    // S40: the payload of each create and update, when the schema has attribute mappings.
    if rules.mappings.iter().any(|m| m.get().is_some()) {
        let opts = args.fixed.options(app, stage).map_err(|d| out.error(d))?;
        let payloads = user_payloads(&rules, &run, &inputs, row, &opts);
        add_payloads(&mut explanation, &payloads.map_err(|e| out.errors(&e))?);
    }
    let logged = match args.logs.is_empty() {
        true => None,
        false => Some(user_outcome_addendum(
            &user_outcome(&run, app, stage, row, &args.logs, None)
                .map_err(|e| out.fail("logs", &e))?,
        )),
    };
    let more = logged
        .as_ref()
        .map(|(j, t)| ("logged", j.clone(), t.as_str()));
    Ok(out.stdout(&render_with(&explanation, args.format, more)))
}
