//! `scopesim diff`: what saving a rules change would do to the users. The comparison is
//! in `scopesim::review::diff`; this is argument checks, loading and printing.

use super::Exit;
use super::common::{
    CsvArgs, DirectoryArgs, EvalArgs, RulesArgs, bar, load_inputs, load_rules_with, phase,
};
use super::output::Out;
use super::plan::Boundary;
use scopesim::diag::{Code, Diagnostic};
use scopesim::output::paths::check_outputs;
use scopesim::pipeline::InputFiles;
use scopesim::pipeline::evidence::InputRef;
use scopesim::review::diff::html::{DiffPage, diff_html};
use scopesim::review::diff::{
    DiffOptions, Selection, TextOptions, columns, compare, render_text, stage_report, to_json,
};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    /// A self-contained audit page (charts, users and reasons, inputs with hashes).
    Html,
}

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
    #[arg(long, value_enum, default_value_t = Boundary::Gt)]
    pub threshold_boundary: Boundary,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
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

pub fn run(args: Args, out: &mut Out) -> Exit {
    match run_inner(args, out) {
        Ok(e) | Err(e) => e,
    }
}

fn run_inner(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    let stage_mode = args.rules.len() == 1;
    if stage_mode && (args.app.is_none() || args.from.is_none()) {
        return Err(out.usage(
            "with one rules file, say which stages to compare",
            "write `scopesim diff RULES --app APP --from STAGE --to STAGE -d users.csv`, or give two files: `scopesim diff OLD NEW -d users.csv`",
        ));
    }
    if !stage_mode && args.from.is_some() {
        return Err(out.usage(
            "`--from` and `--to` compare two stages of one file",
            "with two files, pick a stage with `--stage NAME`, or leave it out to compare each app's last stage",
        ));
    }
    let source = args.directory.source();
    let bar = bar(out, source.paths.iter().map(PathBuf::as_path));
    bar.phase(phase::RULES);
    let old = load_rules_with(&args.rules[0], &args.rules_opts, args.eval, out)?;
    let new = match args.rules.get(1) {
        Some(p) if !stage_mode => Some(load_rules_with(p, &args.rules_opts, args.eval, out)?),
        _ => None,
    };
    let selection = match (&args.app, &args.from, &args.to) {
        (Some(app), Some(from), Some(to)) if stage_mode => Selection::Stages { app, from, to },
        _ => Selection::Files {
            stage: args.stage.as_deref(),
            app: args.app.as_deref(),
        },
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
    let outputs: Vec<(&str, &std::path::Path)> = [("-o", &args.output), ("--report", &args.report)]
        .into_iter()
        .filter_map(|(f, p)| p.as_deref().map(|p| (f, p)))
        .collect();
    check_outputs(&paths, &outputs).map_err(|e| out.errors(&e))?;
    bar.phase(phase::INPUTS);
    let inputs = load_inputs(&files, out)?;
    let columns = columns(old.rules(), new.as_ref().unwrap_or(&old).rules());
    let dir = source
        .read(columns, &bar)
        .map_err(|e| out.fail("directory", &e))?;
    bar.phase(phase::COMPARE);
    out.diagnostics(dir.diagnostics(), &Default::default());
    let options = DiffOptions {
        eval: args.eval.options(),
        boundary: args.threshold_boundary.get(),
    };
    let diff = compare(
        &old,
        new.as_ref(),
        selection,
        &dir,
        inputs.rollout_inputs(),
        options,
    )
    .map_err(|e| {
        // Pairing errors carry no sources and have no summary line.
        if e.sources().is_empty() {
            out.errors(&e)
        } else {
            out.fail("rules", &e)
        }
    })?;
    drop(bar);
    out.diagnostics(&diff.warnings, &Default::default());
    let mut staged = Vec::new();
    let mut written = None;
    if let Some(path) = &args.report {
        let (s, rows, sha) =
            stage_report(&diff, path, args.csv.style()).map_err(|d| out.error(d))?;
        staged.push(s);
        written = Some((path.display().to_string(), rows, sha));
    }
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&to_json(&diff))
                .map_err(|e| out.error(Diagnostic::error(Code::Json, e.to_string())))?;
            s.push('\n');
            s
        }
        Format::Html => {
            let mut evidence: Vec<InputRef> = old.evidence();
            evidence.extend(new.iter().flat_map(|n| n.evidence()));
            evidence.extend(
                dir.inputs()
                    .iter()
                    .map(|i| InputRef::from_info("directory", i)),
            );
            evidence.extend(inputs.evidence.iter().cloned());
            let page = DiffPage {
                inputs: &evidence,
                warnings: &diff.warnings,
                sources: old.sources(),
                report: written
                    .as_ref()
                    .map(|(p, r, s)| (p.as_str(), *r, s.as_str())),
                stamp: args.stamp.as_deref(),
            };
            diff_html(&diff, &page)
        }
        Format::Table => {
            let opts = TextOptions {
                max_users: args.max_users,
                width: out.width,
                paint: out.paint(),
            };
            let mut s = render_text(&diff, opts);
            if let Some((path, rows, _)) = &written {
                let path = scopesim::text::escape_control(path);
                s.push_str(&format!("report: {rows} rows written to {path}\n"));
            }
            s
        }
    };
    let printed = out.write_result(args.output.as_deref(), &text, staged);
    if printed != Exit::Ok {
        return Ok(printed);
    }
    Ok(if diff.held() { Exit::Failed } else { Exit::Ok })
}
