//! `scopesim diff`: what saving a rules change would do to the users. The comparison is
//! in `scopesim::review::diff`; this is argument checks, loading and printing.

use super::Exit;
use super::common::{DirectoryArgs, EvalArgs, RulesArgs, bar, fail, load_inputs, load_rules_with};
use super::output::Out;
use scopesim::diag::{Code, Diagnostic};
use scopesim::output::atomic::stage;
use scopesim::output::paths::check_outputs;
use scopesim::pipeline::InputFiles;
use scopesim::review::diff::{
    DiffOptions, Selection, TextOptions, columns, compare, render_text, to_json, write_report_csv,
};
use scopesim::rollout::ThresholdBoundary;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
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
    #[arg(long, value_enum, default_value_t = ThresholdBoundary::Gt)]
    pub threshold_boundary: ThresholdBoundary,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write every user whose scope changes to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    pub report: Option<PathBuf>,
    /// Users listed per app in the table (the report and JSON have all of them).
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub max_users: usize,
}

pub fn run(args: Args, out: &mut Out) -> Exit {
    match run_inner(args, out) {
        Ok(e) | Err(e) => e,
    }
}

fn usage(out: &mut Out, message: &str, help: &str) -> Exit {
    out.error(Diagnostic::error(Code::Usage, message.to_string()).with_help(help.to_string()))
}

fn run_inner(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    let stage_mode = args.rules.len() == 1;
    if stage_mode && (args.app.is_none() || args.from.is_none()) {
        return Err(usage(
            out,
            "with one rules file, say which stages to compare",
            "write `scopesim diff RULES --app APP --from STAGE --to STAGE -d users.csv`, or give two files: `scopesim diff OLD NEW -d users.csv`",
        ));
    }
    if !stage_mode && args.from.is_some() {
        return Err(usage(
            out,
            "`--from` and `--to` compare two stages of one file",
            "with two files, pick a stage with `--stage NAME`, or leave it out to compare each app's last stage",
        ));
    }
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
        assignments: args.assignments.clone().into_iter().collect(),
        group_members: args.group_members.clone(),
        ..InputFiles::default()
    };
    if let Some(report) = &args.report {
        let mut paths = old.input_paths();
        paths.extend(new.iter().flat_map(|n| n.input_paths()));
        paths.extend(args.directory.directory.iter().cloned());
        paths.extend(files.paths());
        check_outputs(&paths, &[("--report", report)]).map_err(|e| out.errors(&e))?;
    }
    let inputs = load_inputs(&files, out)?;
    let columns = columns(old.rules(), new.as_ref().unwrap_or(&old).rules());
    let bar = bar(out);
    let dir = args
        .directory
        .source()
        .read(columns, &bar)
        .map_err(|e| fail(out, "directory", &e))?;
    drop(bar);
    out.diagnostics(dir.diagnostics(), &Default::default());
    let options = DiffOptions {
        eval: args.eval.options(),
        boundary: args.threshold_boundary,
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
            fail(out, "rules", &e)
        }
    })?;
    out.diagnostics(&diff.warnings, &Default::default());

    let mut note = None;
    let mut staged = Vec::new();
    if let Some(path) = &args.report {
        let mut rows = 0;
        let s = stage(path, |w| {
            rows = write_report_csv(&diff, w)?;
            Ok(())
        })
        .map_err(|e| {
            out.error(
                Diagnostic::error(
                    Code::Io,
                    format!("cannot write the report `{}`: {e}", path.display()),
                )
                .with_help("check that the directory exists and is writable"),
            )
        })?;
        staged.push(s);
        note = Some(format!(
            "report: {rows} rows written to {}\n",
            path.display()
        ));
    }
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&to_json(&diff))
                .map_err(|e| out.error(Diagnostic::error(Code::Json, e.to_string())))?;
            s.push('\n');
            s
        }
        Format::Table => {
            let mut s = render_text(
                &diff,
                TextOptions {
                    max_users: args.max_users,
                    width: if out.stdout_tty { None } else { Some(160) },
                },
            );
            if let Some(n) = &note {
                s.push_str(n);
            }
            scopesim::text::escape_control(&s).into_owned()
        }
    };
    let printed = out.write_result(None, &text, staged);
    if printed != Exit::Ok {
        return Ok(printed);
    }
    Ok(if diff.held() { Exit::Failed } else { Exit::Ok })
}
