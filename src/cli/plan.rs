//! `scopesim plan`: the rollout plan, per app and stage, with an optional per-user report.

use super::Exit;
use super::common::{
    AccessArgs, DirectoryArgs, EvalArgs, Timings, compile_and_run, load_access, load_directory,
    load_rules, rule_attributes, stream_and_evaluate,
};
use super::output::Out;
use scopesim::diag::{Code, Diagnostic};
use scopesim::directory::ColumnSelection;
use scopesim::output::atomic::write_atomic;
use scopesim::report::plan::{
    EXCEL_MAX_ROWS, Evidence, InputRef, ReportContext, summary_csv, summary_json, summary_rows,
    summary_table, value_warnings, write_report_csv,
};
use scopesim::rollout::{RolloutOptions, ThresholdBoundary, UserFacts, simulate_with};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
    /// A self-contained HTML page (summary, reasons, warnings, inputs).
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Boundary {
    /// Held when disables + deletes are above the threshold.
    Gt,
    /// Held when they reach it.
    Ge,
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
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the summary here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write one row per user, app and stage (CSV, or Parquet with the `parquet` feature).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Only this app.
    #[arg(long)]
    pub app: Option<String>,
    /// Only this stage.
    #[arg(long)]
    pub stage: Option<String>,
    /// Accidental-deletion boundary (S27): held above the threshold (`gt`) or at it (`ge`).
    #[arg(long, value_enum, default_value_t = Boundary::Gt)]
    pub threshold_boundary: Boundary,
    /// Exit 1 when there are warnings.
    #[arg(long)]
    pub fail_on_warnings: bool,
}

pub fn run(args: Args, out: &mut Out) -> Exit {
    match run_inner(args, out) {
        Ok(e) | Err(e) => e,
    }
}

fn run_inner(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    let loaded = load_rules(&args.rules, args.eval, out)?;
    if let Some(app) = &args.app {
        if !loaded.rules.apps.iter().any(|a| &a.name.node == app) {
            let names: Vec<String> = loaded
                .rules
                .apps
                .iter()
                .map(|a| format!("`{}`", a.name.node))
                .collect();
            return Err(out.error(
                Diagnostic::error(Code::UnknownApp, format!("no app `{app}` in the rules"))
                    .with_help(format!("apps: {}", names.join(", "))),
            ));
        }
    }
    if let Some(stage) = &args.stage {
        if !loaded
            .rules
            .apps
            .iter()
            .flat_map(|a| &a.stages)
            .any(|s| &s.name.node == stage)
        {
            return Err(out.error(Diagnostic::error(
                Code::UnknownStage,
                format!("no stage `{stage}` in the rules"),
            )));
        }
    }
    // Identity columns are needed only to name users or to match them to assignments.
    let needs_identity = args.report.is_some()
        || args.access.assignments.is_some()
        || !args.access.group_members.is_empty()
        || !args.access.target_state.is_empty();
    let mut selection = if needs_identity {
        ColumnSelection::only(rule_attributes(&loaded.rules))
    } else {
        ColumnSelection::minimal(rule_attributes(&loaded.rules))
    };
    if args.access.match_on != "userPrincipalName" {
        selection.add(&args.access.match_on);
    }
    let timings = Timings::new();
    let access = load_access(&args.access, out)?;
    // Without a per-user report no value is needed after evaluation: stream the export
    // (CSV) and keep only per-user results.
    let streamed = if args.report.is_none() {
        stream_and_evaluate(
            &loaded,
            &args.directory,
            selection.clone(),
            args.eval,
            access.inputs(),
            out,
        )?
    } else {
        None
    };
    let (dir, plan, outcomes, facts) = match streamed {
        Some(s) => s,
        None => {
            let dir = load_directory(&args.directory, selection, out)?;
            let (plan, outcomes) = compile_and_run(&loaded, &dir, args.eval, out)?;
            let facts = UserFacts::from_directory(&dir, access.inputs());
            (dir, plan, outcomes, facts)
        }
    };
    timings.lap("read and evaluate");
    let options = RolloutOptions {
        threshold_boundary: match args.threshold_boundary {
            Boundary::Gt => ThresholdBoundary::Gt,
            Boundary::Ge => ThresholdBoundary::Ge,
        },
    };
    let rollout = match simulate_with(
        &loaded.rules,
        &plan,
        &outcomes,
        &facts,
        access.inputs(),
        options,
    ) {
        Ok(r) => r,
        Err(diags) => {
            out.diagnostics(&diags, &loaded.sources);
            return Err(Exit::Error);
        }
    };

    timings.lap("rollout");
    let mut warnings: Vec<Diagnostic> = dir.diagnostics().to_vec();
    warnings.extend(plan.diagnostics.iter().cloned());
    warnings.extend(value_warnings(&plan, &outcomes));
    warnings.extend(rollout.warnings.iter().cloned());

    let mut inputs = vec![InputRef {
        role: "rules".into(),
        path: args.rules.display().to_string(),
        sha256: loaded.sha256(),
        records: None,
    }];
    inputs.extend(
        dir.inputs()
            .iter()
            .map(|i| InputRef::from_info("directory", i)),
    );
    inputs.extend(access.evidence.iter().cloned());
    let evidence = Evidence {
        scopesim_version: env!("CARGO_PKG_VERSION").to_string(),
        inputs,
        options: serde_json::json!({
            "regex_anchoring": format!("{:?}", args.eval.regex_anchoring).to_lowercase(),
            "threshold_boundary": options.threshold_boundary,
            "match_on": args.access.match_on,
        }),
    };

    let mut report_note = None;
    if let Some(path) = &args.report {
        let ctx = ReportContext {
            plan: &plan,
            outcomes: &outcomes,
            dir: &dir,
            rollout: &rollout,
            group_members: access.group_members.as_ref(),
            app: args.app.as_deref(),
            stage: args.stage.as_deref(),
        };
        let is_parquet = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
        let result = if is_parquet {
            write_parquet_report(&ctx, path)
        } else {
            let rows = ctx.count_rows();
            if rows + 1 > EXCEL_MAX_ROWS {
                warnings.push(
                    Diagnostic::warning(
                        Code::ReportTooBigForExcel,
                        format!("the report has {rows} rows; Excel opens at most {EXCEL_MAX_ROWS} rows per sheet"),
                    )
                    .with_help(if cfg!(feature = "parquet") {
                        "write `--report FILE.parquet` instead, or narrow it with `--app` and `--stage`"
                    } else {
                        "narrow it with `--app` and `--stage`, or use a scopesim built with `--features parquet` and `--report FILE.parquet`"
                    }),
                );
            }
            write_atomic(path, |w| write_report_csv(&ctx, w).map(|_| ()))
                .map(|_| rows)
                .map_err(|e| {
                    Diagnostic::error(
                        Code::Io,
                        format!("cannot write the report `{}`: {e}", path.display()),
                    )
                    .with_help("check that the directory exists and is writable")
                })
        };
        match result {
            Ok(rows) => {
                report_note = Some(format!("report: {rows} rows written to {}", path.display()))
            }
            Err(d) => return Err(out.error(d)),
        }
    }

    timings.lap("report");
    let rows = summary_rows(&rollout, args.app.as_deref(), args.stage.as_deref());
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&summary_json(
                &rows,
                &warnings,
                &loaded.sources,
                &evidence,
            ))
            .unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Html => {
            out.diagnostics(&warnings, &loaded.sources);
            scopesim::report::html::plan_html(
                &rows,
                &rollout,
                dir.len(),
                &warnings,
                &loaded.sources,
                &evidence,
            )
        }
        Format::Csv => {
            let mut buf = Vec::new();
            if let Err(e) = summary_csv(&rows, &mut buf) {
                return Err(out.error(Diagnostic::error(
                    Code::Io,
                    format!("cannot write CSV: {e}"),
                )));
            }
            out.diagnostics(&warnings, &loaded.sources);
            String::from_utf8_lossy(&buf).into_owned()
        }
        Format::Table => {
            let width = if out.stdout_tty { None } else { Some(160) };
            let mut s = summary_table(&rows, width);
            s.push('\n');
            if !warnings.is_empty() {
                s.push_str(&format!(
                    "\n{} warning{}:\n",
                    warnings.len(),
                    if warnings.len() == 1 { "" } else { "s" }
                ));
                for w in &warnings {
                    let at = w
                        .primary_location(&loaded.sources)
                        .map(|l| format!(" ({l})"))
                        .unwrap_or_default();
                    let rule = w.rule.map(|r| format!("[{r}]")).unwrap_or_default();
                    s.push_str(&format!("  warning{rule}: {}{at}\n", w.message));
                    if let Some(h) = &w.help {
                        s.push_str(&format!("    help: {h}\n"));
                    }
                }
            }
            if let Some(n) = &report_note {
                s.push_str(&format!("\n{n}\n"));
            }
            s
        }
    };
    let printed = match &args.output {
        Some(path) => match write_atomic(path, |w: &mut dyn Write| w.write_all(text.as_bytes())) {
            Ok(()) => Exit::Ok,
            Err(e) => {
                return Err(out.error(Diagnostic::error(
                    Code::Io,
                    format!("cannot write `{}`: {e}", path.display()),
                )));
            }
        },
        None => out.stdout(&text),
    };
    timings.lap("output");
    if printed != Exit::Ok {
        return Ok(printed);
    }
    let held = rollout
        .apps
        .iter()
        .filter(|a| args.app.as_ref().is_none_or(|n| n == &a.name))
        .flat_map(|a| &a.stages)
        .any(|s| s.held && args.stage.as_ref().is_none_or(|n| n == &s.name));
    if held || (args.fail_on_warnings && !warnings.is_empty()) {
        return Ok(Exit::Failed);
    }
    Ok(Exit::Ok)
}

#[cfg(feature = "parquet")]
fn write_parquet_report(
    ctx: &ReportContext<'_>,
    path: &std::path::Path,
) -> Result<u64, Diagnostic> {
    scopesim::report::parquet::write_report_parquet(ctx, path).map_err(|e| {
        Diagnostic::error(
            Code::Io,
            format!("cannot write the report `{}`: {e}", path.display()),
        )
    })
}

#[cfg(not(feature = "parquet"))]
fn write_parquet_report(
    _ctx: &ReportContext<'_>,
    path: &std::path::Path,
) -> Result<u64, Diagnostic> {
    Err(Diagnostic::error(
        Code::NoParquet,
        format!(
            "cannot write `{}`: this scopesim was built without Parquet support",
            path.display()
        ),
    )
    .with_help("build with `cargo build --release --features parquet`, or write a CSV report"))
}
