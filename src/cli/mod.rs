//! Command-line definition and dispatch.
//!
//! Exit codes are part of the interface (see [`Exit`]): 0 ran fine; 1 ran, but a
//! requested check failed (a stage held by the deletion threshold, lint findings at or
//! above `--deny`, a diff that would trip the deletion threshold, failing expectations or
//! coverage below `--min-coverage`, warnings with `--fail-on-warnings`); 2 usage, input or
//! rules error (including a malformed test file).

mod audit;
mod check;
mod common;
mod convert;
mod diff;
mod explain;
mod exports;
mod expression;
mod gen_cmd;
mod lint;
mod plan;
mod reconcile;
mod test;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
pub use scopesim::output::console::Exit;
use scopesim::output::console::{ColorChoice, Console as Out, ErrorFormat};
use scopesim::output::help;

/// The console, under the name the commands use.
mod output {
    pub use scopesim::output::console::Console as Out;
}
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "scopesim",
    version,
    about = "Simulate Microsoft Entra ID app-provisioning scoping filters offline",
    long_about = "Simulate Microsoft Entra ID app-provisioning scoping filters offline: who would be created, kept, disabled or deleted at each stage of a rollout, from exported files, before anything goes live."
)]
pub struct Cli {
    /// When to use colours (`auto` honours NO_COLOR and CLICOLOR_FORCE).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// How to print errors and warnings (json: one object per line on stderr).
    #[arg(long, global = true, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,
    /// Lay tables out in N columns (default: the terminal's width; 160 in a pipe).
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(20..))]
    pub width: Option<u16>,
    #[command(subcommand)]
    pub command: Command,
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
    /// Audit the accounts apps already have: who has access the rules would not give.
    Audit(audit::Args),
    /// Write a reproducible synthetic directory (users, groups, assignments).
    Gen(gen_cmd::Args),
    /// Evaluate one attribute-mapping expression on given values, like Graph's parseExpression.
    Expression(expression::Args),
    /// After go-live: compare the plan with Entra's provisioning logs, user by user.
    Reconcile(reconcile::Args),
    /// Print the commands that export every input the rules need (users, assignments,
    /// group members, the provisioning schema and secrets, target state).
    Exports(exports::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) of scopesim, or of one command.
    Man {
        /// The command (`plan`, `diff`, ...); without it, scopesim's page.
        command: Option<String>,
    },
}

/// The command line with each command's examples at the end of its `--help`.
pub fn command() -> clap::Command {
    help::with_examples(Cli::command())
}

pub fn main() -> ExitCode {
    scopesim::output::console::watch_signals();
    let cli = match command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
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
    let width = cli.width.map(usize::from);
    let mut out = Out::new(cli.color, cli.error_format, width);
    let exit = match cli.command {
        Command::Check(a) => check::run(a, &mut out),
        Command::Convert(a) => convert::run(a, &mut out),
        Command::Plan(a) => plan::run(a, &mut out).unwrap_or_else(|e| e),
        Command::Explain(a) => explain::run(a, &mut out).unwrap_or_else(|e| e),
        Command::Lint(a) => lint::run(a, &mut out).unwrap_or_else(|e| e),
        Command::Diff(a) => diff::run(a, &mut out).unwrap_or_else(|e| e),
        Command::Test(a) => test::run(a, &mut out).unwrap_or_else(|e| e),
        Command::Audit(a) => audit::run(a, &mut out).unwrap_or_else(|e| e),
        Command::Reconcile(a) => reconcile::run(a, &mut out).unwrap_or_else(|e| e),
        Command::Exports(a) => exports::run(a, &mut out),
        Command::Gen(a) => gen_cmd::run(a, &mut out),
        Command::Expression(a) => expression::run(a, &mut out),
        Command::Completions { shell } => out.stdout(&help::completions(command(), shell)),
        Command::Man { command: sub } => match help::man(&command(), sub.as_deref()) {
            Ok(page) => out.stdout(&page),
            Err(d) => out.error(d),
        },
    };
    ExitCode::from(exit as u8)
}
