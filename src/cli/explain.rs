//! `scopesim explain`: Entra's on-demand provisioning steps for one user, offline (S29).

use super::Exit;
use super::common::{SimArgs, Simulated, fail};
use super::output::Out;
use scopesim::pipeline::{Columns, find_user};
use scopesim::report::explain::{explain_user, render_text};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub sim: SimArgs,
    /// The user: userPrincipalName or objectId.
    #[arg(long, short = 'u', value_name = "UPN_OR_OBJECTID")]
    pub user: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Provisioning logs: add the user's logged outcome, paired with the plan (repeatable).
    #[arg(long, value_name = "FILE")]
    pub logs: Vec<PathBuf>,
}

pub fn run(args: Args, out: &mut Out) -> Exit {
    match run_inner(args, out) {
        Ok(e) | Err(e) => e,
    }
}

fn run_inner(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    let Simulated { inputs, run, .. } = args.sim.simulate(out, Columns::All, &[], &[])?;
    let (app, stage) = (args.sim.app.as_deref(), args.sim.stage.as_deref());
    let row = find_user(&run.directory, &args.user).map_err(|e| out.errors(&e))?;
    let explanation = explain_user(
        &run.evaluated.plan,
        &run.directory,
        &run.evaluated.rollout,
        inputs.rollout_inputs(),
        row,
        app,
        stage,
    );
    let logged = match args.logs.is_empty() {
        true => None,
        false => Some(
            scopesim::reconcile::user_outcome(&run, app, stage, row, &args.logs, None)
                .map_err(|e| fail(out, "logs", &e))?,
        ),
    };
    let text = match args.format {
        Format::Json => {
            let mut v = serde_json::to_value(&explanation).unwrap_or_default();
            if let (Some(o), Some(l)) = (v.as_object_mut(), &logged) {
                o.insert("logged".into(), serde_json::to_value(l).unwrap_or_default());
            }
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        Format::Text => {
            let mut t = render_text(&explanation);
            if let Some(l) = &logged {
                t.push_str(&scopesim::reconcile::render::user_outcome_text(l));
            }
            scopesim::text::escape_control(&t).into_owned()
        }
    };
    Ok(out.stdout(&text))
}
