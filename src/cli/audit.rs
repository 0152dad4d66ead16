//! `scopesim audit`: the least-privilege audit of the accounts apps already have.

use super::Exit;
use super::common::{SimArgs, Simulated, fail};
use super::output::Out;
use scopesim::audit::render::{Format as AuditFormat, Page, render, write_report};
use scopesim::audit::{Audited, Selection, audit, columns};
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
    /// Rules, directory, inputs; `--stage` audits that stage (default: each app's last).
    #[command(flatten)]
    pub sim: SimArgs,
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
}

pub fn run(args: Args, out: &mut Out) -> Exit {
    match run_inner(args, out) {
        Ok(e) | Err(e) => e,
    }
}

fn run_inner(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    let outputs = [
        ("-o", args.output.as_deref()),
        ("--report", args.report.as_deref()),
    ];
    let Simulated { rules, inputs, run } = args.sim.simulate(out, columns(), &outputs, &[])?;
    let selection = Selection {
        app: args.sim.app.as_deref(),
        stage: args.sim.stage.as_deref(),
    };
    let audit = audit(&run, &inputs, selection).map_err(|e| fail(out, "audit", &e))?;
    let done = Audited { run, audit };
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
