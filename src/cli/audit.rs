//! `scopesim audit`: the least-privilege audit of the accounts apps already have.

use super::Exit;
use super::common::{
    AccessArgs, DirectoryArgs, EvalArgs, RulesArgs, bar, fail, load_inputs, load_rules_with,
    run_label,
};
use super::output::Out;
use super::plan::Boundary;
use scopesim::audit::render::{Format as AuditFormat, Page, render, write_report};
use scopesim::audit::{Selection, run as run_audit};
use scopesim::output::paths::check_outputs;
use scopesim::pipeline::{Options, Simulation};
use scopesim::rollout::RolloutOptions;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Counts per app and class, top departments and companies, the first accounts.
    Table,
    /// Counts per app as CSV.
    Csv,
    /// Every account with its class and reason, warnings and inputs.
    Json,
    /// A self-contained HTML page.
    Html,
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the output here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write one row per account (CSV): app, stage, account, user, class, reason, last
    /// stage in scope.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Only this app.
    #[arg(long)]
    pub app: Option<String>,
    /// Audit this stage (default: each app's last).
    #[arg(long)]
    pub stage: Option<String>,
    /// Accidental-deletion boundary (S27): held above the threshold (`gt`) or at it (`ge`).
    #[arg(long, value_enum, default_value_t = Boundary::Gt)]
    pub threshold_boundary: Boundary,
}

pub fn run(args: Args, out: &mut Out) -> Exit {
    match run_inner(args, out) {
        Ok(e) | Err(e) => e,
    }
}

fn run_inner(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    let rules = load_rules_with(&args.rules, &args.rules_opts, args.eval, out)?;
    let (app, stage) = (args.app.as_deref(), args.stage.as_deref());
    rules
        .check_selection(app, stage)
        .map_err(|e| out.errors(&e))?;
    let files = args.access.files();
    let source = args.directory.source();
    let mut input_paths = rules.input_paths();
    input_paths.extend(source.paths.iter().cloned());
    input_paths.extend(files.paths());
    let outputs: Vec<(&str, &std::path::Path)> = [("-o", &args.output), ("--report", &args.report)]
        .into_iter()
        .filter_map(|(f, p)| p.as_deref().map(|p| (f, p)))
        .collect();
    check_outputs(&input_paths, &outputs).map_err(|e| out.errors(&e))?;
    let inputs = load_inputs(&files, out)?;
    let sim = Simulation {
        rules: &rules,
        directory: &source,
        inputs: &inputs,
        options: Options {
            eval: args.eval.options(),
            rollout: RolloutOptions {
                threshold_boundary: args.threshold_boundary.get(),
                allow_missing_members: args.access.allow_missing_members,
            },
        },
    };
    let bar = bar(out);
    let done = run_audit(&sim, Selection { app, stage }, &bar)
        .map_err(|e| fail(out, &run_label(&e), &e))?;
    drop(bar);
    let mut warnings = done.run.warnings.clone();
    warnings.extend(done.audit.warnings.iter().cloned());

    let mut staged = Vec::new();
    let mut report_note = None;
    if let Some(path) = &args.report {
        let (s, rows) = write_report(&done.audit, path).map_err(|e| out.errors(&e))?;
        staged.push(s);
        report_note = Some(format!("report: {rows} rows written to {}", path.display()));
    }
    let format = match args.format {
        Format::Table => AuditFormat::Table {
            width: if out.stdout_tty { None } else { Some(160) },
        },
        Format::Csv => AuditFormat::Csv,
        Format::Json => AuditFormat::Json,
        Format::Html => AuditFormat::Html,
    };
    if !format.embeds_warnings() {
        out.diagnostics(&warnings, rules.sources());
    }
    let page = Page {
        audit: &done.audit,
        warnings: &warnings,
        sources: rules.sources(),
        evidence: &done.run.evidence,
        users: done.run.directory.len(),
        report_note: report_note.as_deref(),
    };
    let mut text = render(&page, format).map_err(|e| out.io_error("the audit", &e))?;
    if matches!(format, AuditFormat::Table { .. }) {
        text = scopesim::text::escape_control(&text).into_owned();
    }
    let printed = out.write_result(args.output.as_deref(), &text, staged);
    if printed != Exit::Ok {
        return Ok(printed);
    }
    // Exit 1 when an account is in a class Entra will not fix by itself.
    Ok(if done.audit.needing_review() > 0 {
        Exit::Failed
    } else {
        Exit::Ok
    })
}
