//! `scopesim plan`: the rollout plan, per app and stage, with an optional per-user report.
//! What is written is decided in `scopesim::report::plan_output`.

use super::Exit;
use super::common::{
    AccessArgs, CsvArgs, DirectoryArgs, EvalArgs, RulesArgs, load_all, phase, run_bar,
};
use super::output::Out;
use scopesim::output::paths::check_given;
use scopesim::pipeline::{Options, Simulation};
use scopesim::report::plan_output::{PlanFormat, PlanOutputs, render_plan};
use scopesim::rollout::{RolloutOptions, ThresholdBoundary};
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
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    pub format: PlanFormat,
    /// Write the summary here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write one row per user, app and stage (CSV, or Parquet with the `parquet` feature).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub csv: CsvArgs,
    /// A line the HTML page shows under its title (operator, ticket): without it the page
    /// is byte-identical across runs.
    #[arg(long, value_name = "TEXT")]
    pub stamp: Option<String>,
    /// Only this app.
    #[arg(long)]
    pub app: Option<String>,
    /// Only this stage.
    #[arg(long)]
    pub stage: Option<String>,
    /// Accidental-deletion boundary (S27): held above the threshold (`gt`) or at it (`ge`).
    #[arg(long, value_enum, default_value_t = ThresholdBoundary::Gt)]
    pub threshold_boundary: ThresholdBoundary,
    /// Exit 1 when there are warnings.
    #[arg(long)]
    pub fail_on_warnings: bool,
}

/// Runs the command; `Err` carries the exit code of a failure already printed.
pub fn run(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    let files = args.access.files();
    let source = args.directory.source();
    let bar = run_bar(out, &args.rules, &source, &files);
    let rule_args = (args.rules.as_path(), &args.rules_opts, args.eval);
    let (rules, inputs) = load_all(rule_args, &files, &bar, out)?;
    let (app, stage) = (args.app.as_deref(), args.stage.as_deref());
    rules
        .check_selection(app, stage)
        .map_err(|e| out.errors(&e))?;
    let mut input_paths = rules.input_paths();
    input_paths.extend(source.paths.iter().cloned());
    input_paths.extend(files.paths());
    let outputs = [
        ("-o", args.output.as_deref()),
        ("--report", args.report.as_deref()),
    ];
    check_given(&input_paths, &outputs).map_err(|e| out.errors(&e))?;
    let sim = Simulation {
        rules: &rules,
        directory: &source,
        inputs: &inputs,
        options: Options {
            eval: args.eval.options(),
            rollout: RolloutOptions {
                threshold_boundary: args.threshold_boundary,
                allow_missing_members: args.access.allow_missing_members,
            },
        },
    };
    let o = PlanOutputs {
        format: args.format,
        report: args.report.as_deref(),
        app,
        stage,
        csv: args.csv.style(),
        stamp: args.stamp.as_deref(),
        width: out.width,
        paint: out.paint(),
    };
    let run = sim.run(o.columns(), &bar).map_err(|e| out.fail_run(&e))?;
    bar.phase(if o.report.is_some() {
        phase::REPORT
    } else {
        phase::RENDER
    });
    let result = render_plan(&run, &rules, &inputs, &o).map_err(|e| out.errors(&e))?;
    drop(bar);
    out.warnings("plan", &result.warnings, rules.sources());
    let printed = out.write_result(args.output.as_deref(), &result.text, result.staged);
    if printed != Exit::Ok {
        return Ok(printed);
    }
    if result.held || (args.fail_on_warnings && result.warning_count > 0) {
        return Ok(Exit::Failed);
    }
    Ok(Exit::Ok)
}
