//! `scopesim explain`: Entra's on-demand provisioning steps for one user, offline (S29).

use super::Exit;
use super::common::{
    AccessArgs, Bar, DirectoryArgs, EvalArgs, fail, load_inputs, load_rules, run_label,
};
use super::output::Out;
use scopesim::diag::{Code, Diagnostic};
use scopesim::pipeline::{Columns, Options, Simulation};
use scopesim::report::explain::{explain_user, find_user, render_text};
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
    let rules = load_rules(&args.rules, args.eval, out)?;
    let inputs = load_inputs(&args.access.files(), out)?;
    let source = args.directory.source();
    let sim = Simulation {
        rules: &rules,
        directory: &source,
        inputs: &inputs,
        options: Options {
            eval: args.eval.options(),
            rollout: RolloutOptions::default(),
        },
    };
    let bar = Bar::new(out);
    let run = sim
        .run(Columns::All, &bar)
        .map_err(|e| fail(out, run_label(&e), &e))?;
    drop(bar);
    let row = match find_user(&run.directory, &args.user) {
        Ok(row) => row,
        Err(close) => {
            let help = if close.is_empty() {
                "check the spelling; users are found by userPrincipalName or objectId".to_string()
            } else {
                format!(
                    "closest matches: {}",
                    close
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err(out.error(
                Diagnostic::error(
                    Code::UnknownUser,
                    format!("no user `{}` in the directory export", args.user),
                )
                .with_help(help),
            ));
        }
    };
    let explanation = explain_user(
        &run.evaluated.plan,
        &run.directory,
        &run.evaluated.rollout,
        inputs.rollout_inputs(),
        row,
        args.app.as_deref(),
        args.stage.as_deref(),
    );
    let logged = if args.logs.is_empty() {
        None
    } else {
        let (app, stage) = (args.app.as_deref(), args.stage.as_deref());
        Some(
            scopesim::reconcile::user_outcome(&run, app, stage, row, &args.logs, None)
                .map_err(|e| fail(out, "logs", &e))?,
        )
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
            t
        }
    };
    Ok(out.stdout(&text))
}
