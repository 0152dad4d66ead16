//! `scopesim diff`: what saving a rules change would do to the users. The comparison and
//! what is written are in `scopesim::review::diff`; this is arguments and loading.

use super::Exit;
use super::common::{CsvArgs, DirectoryArgs, EvalArgs, RulesArgs, bar};
use super::output::Out;
use scopesim::pipeline::InputFiles;
use scopesim::review::diff::DiffOptions;
use scopesim::review::diff::output::{DiffFormat, DiffOutputs, render_diff, selection};
use scopesim::review::diff::request::DiffRequest;
use scopesim::rollout::ThresholdBoundary;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// `OLD NEW`: two versions of the rules; or one rules file with `--app`, `--from`
    /// and `--to` to compare two of its stages.
    #[arg(required = true, num_args = 1..=2, value_name = "RULES")]
    pub rules: Vec<PathBuf>,
    #[command(flatten)]
    pub rules_opts: RulesArgs,
    #[command(flatten)]
    pub directory: DirectoryArgs,
    /// Assignments (CSV `app,principalType,principalId`), for apps with `scope assigned`.
    #[arg(long, value_name = "PATH")]
    pub assignments: Option<PathBuf>,
    /// Direct group membership (CSV `groupId,memberId[,memberType]`, repeatable).
    #[arg(long, value_name = "PATH")]
    pub group_members: Vec<PathBuf>,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Only this app (required with `--from`/`--to`).
    #[arg(long)]
    pub app: Option<String>,
    /// With two files: compare this stage of each app (default: each app's last stage).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub stage: Option<String>,
    /// With one file: the stage that is live.
    #[arg(long, requires = "to")]
    pub from: Option<String>,
    /// With one file: the stage about to be saved.
    #[arg(long, requires = "from")]
    pub to: Option<String>,
    /// Accidental-deletion boundary (S27): held above the threshold (`gt`) or at it (`ge`).
    #[arg(long, value_enum, default_value_t = ThresholdBoundary::Gt)]
    pub threshold_boundary: ThresholdBoundary,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Write the output here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write every user whose scope changes to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub csv: CsvArgs,
    /// A line the HTML page shows under its title (operator, ticket).
    #[arg(long, value_name = "TEXT")]
    pub stamp: Option<String>,
    /// Users listed per app in the table (the report and JSON have all of them).
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub max_users: usize,
}

/// Runs the command; `Err` carries the exit code of a failure already printed.
pub fn run(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    let (app, stage) = (args.app.as_deref(), args.stage.as_deref());
    let (from, to) = (args.from.as_deref(), args.to.as_deref());
    let selection = selection(args.rules.len(), app, stage, from, to).map_err(|d| out.error(d))?;
    let (source, load) = (args.directory.source(), args.rules_opts.options());
    let files = InputFiles {
        assignments: args.assignments.clone().into_iter().collect(),
        group_members: args.group_members.clone(),
        ..InputFiles::default()
    };
    let outputs = [
        ("-o", args.output.as_deref()),
        ("--report", args.report.as_deref()),
    ];
    let request = DiffRequest {
        rules: &args.rules,
        load: &load,
        source: &source,
        files: &files,
        selection,
        options: DiffOptions {
            eval: args.eval.options(),
            boundary: args.threshold_boundary,
        },
        outputs: &outputs,
    };
    let bar = bar(out, source.paths.iter().map(PathBuf::as_path));
    let done = request.run(&bar).map_err(|f| out.failed(&f))?;
    drop(bar);
    out.diagnostics(&done.warnings, &Default::default());
    let o = DiffOutputs {
        format: args.format,
        report: args.report.as_deref(),
        csv: args.csv.style(),
        stamp: args.stamp.as_deref(),
        max_users: args.max_users,
        width: out.width,
        paint: out.paint(),
    };
    let rendered = render_diff(&done.diff, &o, &done.evidence, done.old.sources());
    let (text, staged) = rendered.map_err(|d| out.error(d))?;
    let printed = out.write_result(args.output.as_deref(), &text, staged);
    if printed != Exit::Ok {
        return Ok(printed);
    }
    Ok(if done.diff.held() {
        Exit::Failed
    } else {
        Exit::Ok
    })
}
