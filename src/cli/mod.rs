//! Command-line definition and dispatch.
//!
//! Exit codes are part of the interface (see [`Exit`]): 0 ran fine; 1 ran, but a
//! requested check failed (a stage held by the deletion threshold, lint findings at or
//! above `--deny`, a diff that would trip the deletion threshold, failing expectations or
//! coverage below `--min-coverage`, warnings with `--fail-on-warnings`); 2 usage, input or
//! rules error (including a malformed test file).

mod check;
mod common;
mod convert;
mod diff;
mod explain;
mod exports;
mod gen_cmd;
mod lint;
mod output;
mod plan;
mod test;

use clap::{Parser, Subcommand, ValueEnum};
use output::Out;
use std::process::ExitCode;

/// Process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Ran fine.
    Ok = 0,
    /// Ran, but a requested check failed.
    Failed = 1,
    /// Usage, input or rules error.
    Error = 2,
}

#[derive(Parser, Debug)]
#[command(
    name = "scopesim",
    version,
    about = "Simulate Microsoft Entra ID app-provisioning scoping filters offline",
    long_about = "Simulate Microsoft Entra ID app-provisioning scoping filters offline: who would be created, kept, disabled or deleted at each stage of a rollout, from exported files, before anything goes live."
)]
pub struct Cli {
    /// When to use colours.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// How to print errors and warnings (json: one object per line on stderr).
    #[arg(long, global = true, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ErrorFormat {
    Human,
    Json,
}

/// Regex anchoring for REGEX MATCH (spec S7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum AnchoringArg {
    /// .NET Regex.IsMatch: a match anywhere in the value (Entra's engine).
    #[default]
    Partial,
    /// The whole value must match.
    Full,
}

impl AnchoringArg {
    pub fn get(self) -> scopesim::regex::Anchoring {
        match self {
            AnchoringArg::Partial => scopesim::regex::Anchoring::Partial,
            AnchoringArg::Full => scopesim::regex::Anchoring::Full,
        }
    }
}

/// A finding level, for `lint --deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    Info,
    Warning,
    Error,
}

impl SeverityArg {
    pub fn get(self) -> scopesim::diag::Severity {
        match self {
            SeverityArg::Info => scopesim::diag::Severity::Info,
            SeverityArg::Warning => scopesim::diag::Severity::Warning,
            SeverityArg::Error => scopesim::diag::Severity::Error,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse and statically check rule files (.scope or Graph schema JSON).
    Check(check::Args),
    /// Convert rules between the .scope language and Graph schema JSON.
    Convert(convert::Args),
    /// Predict what Entra would do to every account at each stage of a rollout.
    Plan(plan::Args),
    /// Show Entra's provisioning steps for one user, offline.
    Explain(explain::Args),
    /// Find what in the rules will not do what you think: case, null and regex traps,
    /// dead or redundant filters, unreadable values, scope breadth.
    Lint(lint::Args),
    /// Compare two versions of the rules (or two stages) on a directory: who gains and
    /// loses scope and what Entra would do to them.
    Diff(diff::Args),
    /// Run a TOML file of expected outcomes against the rules, with coverage.
    Test(test::Args),
    /// Write a reproducible synthetic directory (users, groups, assignments).
    Gen(gen_cmd::Args),
    /// Print the commands that export every input the rules need (users, assignments,
    /// group members, the provisioning schema and secrets, target state).
    Exports(exports::Args),
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Error
            } else {
                Exit::Ok
            };
            let _ = e.print();
            return ExitCode::from(code as u8);
        }
    };
    let mut out = Out::new(cli.color, cli.error_format);
    let exit = match cli.command {
        Command::Check(a) => check::run(a, &mut out),
        Command::Convert(a) => convert::run(a, &mut out),
        Command::Plan(a) => plan::run(a, &mut out),
        Command::Explain(a) => explain::run(a, &mut out),
        Command::Lint(a) => lint::run(a, &mut out),
        Command::Diff(a) => diff::run(a, &mut out),
        Command::Test(a) => test::run(a, &mut out),
        Command::Gen(a) => gen_cmd::run(a, &mut out),
        Command::Exports(a) => exports::run(a, &mut out),
    };
    ExitCode::from(exit as u8)
}
