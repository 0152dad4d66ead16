//! `scopesim diff`: what saving a rules change would do to the users. The comparison and
//! what is written are in `scopesim::review::diff`; this is arguments and loading.

use super::Exit;
use super::common::{
    CsvArgs, DirectoryArgs, EvalArgs, RulesArgs, bar, load_inputs, load_rules_with, phase,
};
use super::output::Out;
use scopesim::output::paths::check_given;
use scopesim::pipeline::InputFiles;
use scopesim::pipeline::evidence::InputRef;
use scopesim::review::diff::output::{DiffFormat, DiffOutputs, render_diff, selection};
use scopesim::review::diff::{DiffOptions, columns, compare};
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
    let selection = selection(
        args.rules.len(),
        app,
        stage,
        args.from.as_deref(),
        args.to.as_deref(),
    )
    .map_err(|d| out.error(d))?;
    let source = args.directory.source();
    let bar = bar(out, source.paths.iter().map(PathBuf::as_path));
    bar.phase(phase::RULES);
    let old = load_rules_with(&args.rules[0], &args.rules_opts, args.eval, out)?;
    let new = match args.rules.get(1) {
        Some(p) => Some(load_rules_with(p, &args.rules_opts, args.eval, out)?),
        None => None,
    };
    let files = InputFiles {
        assignments: args.assignments.clone(),
        group_members: args.group_members.clone(),
        ..InputFiles::default()
    };
    let mut paths = old.input_paths();
    paths.extend(new.iter().flat_map(|n| n.input_paths()));
    paths.extend(source.paths.iter().cloned());
    paths.extend(files.paths());
    let outputs = [
        ("-o", args.output.as_deref()),
        ("--report", args.report.as_deref()),
    ];
    check_given(&paths, &outputs).map_err(|e| out.errors(&e))?;
    bar.phase(phase::INPUTS);
    let inputs = load_inputs(&files, out)?;
    let columns = columns(old.rules(), new.as_ref().unwrap_or(&old).rules());
    let dir = source
        .read(columns, &bar)
        .map_err(|e| out.fail("directory", &e))?;
    bar.phase(phase::COMPARE);
    let options = DiffOptions {
        eval: args.eval.options(),
        boundary: args.threshold_boundary,
    };
    let compared = compare(
        &old,
        new.as_ref(),
        selection,
        &dir,
        inputs.rollout_inputs(),
        options,
    );
    drop(bar);
    out.diagnostics(dir.diagnostics(), &Default::default());
    // Pairing errors carry no sources and have no summary line.
    let diff = compared.map_err(|e| match e.sources().is_empty() {
        true => out.errors(&e),
        false => out.fail("rules", &e),
    })?;
    out.diagnostics(&diff.warnings, &Default::default());
    let mut evidence: Vec<InputRef> = old.evidence();
    evidence.extend(new.iter().flat_map(|n| n.evidence()));
    evidence.extend(
        dir.inputs()
            .iter()
            .map(|i| InputRef::from_info("directory", i)),
    );
    evidence.extend(inputs.evidence.iter().cloned());
    let o = DiffOutputs {
        format: args.format,
        report: args.report.as_deref(),
        csv: args.csv.style(),
        stamp: args.stamp.as_deref(),
        max_users: args.max_users,
        width: out.width,
        paint: out.paint(),
    };
    let (text, staged) =
        render_diff(&diff, &o, &evidence, old.sources()).map_err(|d| out.error(d))?;
    let printed = out.write_result(args.output.as_deref(), &text, staged);
    if printed != Exit::Ok {
        return Ok(printed);
    }
    Ok(if diff.held() { Exit::Failed } else { Exit::Ok })
}
