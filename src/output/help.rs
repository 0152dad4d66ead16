//! What `--help` ends with, shell completions and the man page: generated from the
//! binary's own argument definition, so they never disagree with it.
//!
//! The examples are real: every line that starts with `scopesim` runs on this
//! repository's fixtures (a test runs them all), so a reader can paste one and see what
//! the command does before pointing it at a tenant's exports.

use crate::diag::{Code, Diagnostic};
use clap::Command;
use std::io::{self, Write};

/// Two or three examples per command, as `--help` shows them at its end.
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "plan",
        "scopesim plan fixtures/rollout.scope -d fixtures/users.csv --assignments fixtures/assignments.csv --group-members fixtures/group-members.csv
scopesim plan fixtures/rollout.scope -d fixtures/users.csv --assignments fixtures/assignments.csv --group-members fixtures/group-members.csv --format html -o target/plan.html --stamp 'CHG-1234, A. Admin'
scopesim plan fixtures/rollout.scope -d fixtures/users.csv --assignments fixtures/assignments.csv --group-members fixtures/group-members.csv --report target/report.csv --csv-dialect excel --csv-delimiter ';'",
    ),
    (
        "explain",
        "scopesim explain fixtures/rollout.scope -d fixtures/users.csv --assignments fixtures/assignments.csv --group-members fixtures/group-members.csv -u kim.nguyen@contoso.com
scopesim explain fixtures/rollout.scope -d fixtures/users.csv --assignments fixtures/assignments.csv --group-members fixtures/group-members.csv -u anna.schmidt@contoso.com --app Salesforce --format json",
    ),
    (
        "check",
        "scopesim check fixtures/rollout.scope
scopesim check fixtures/rollout.scope fixtures/schema/salesforce-schema.json --error-format json",
    ),
    (
        "convert",
        "scopesim convert fixtures/rollout.scope --to graph-json --app Salesforce --stage pilot
scopesim convert fixtures/schema/servicenow-scope.json --to scope",
    ),
    (
        "lint",
        "scopesim lint fixtures/lint/null.scope -d fixtures/review/users.csv
scopesim lint fixtures/lint/null.scope -d fixtures/review/users.csv --format json --deny warning",
    ),
    (
        "diff",
        "scopesim diff fixtures/diff/old.scope fixtures/diff/new.scope -d fixtures/review/users.csv --assignments fixtures/review/assignments.csv --group-members fixtures/review/group-members.csv
scopesim diff fixtures/rollout.scope --app Salesforce --from pilot --to wave-1 -d fixtures/review/users.csv --assignments fixtures/review/assignments.csv --group-members fixtures/review/group-members.csv --format html -o target/diff.html",
    ),
    (
        "test",
        "scopesim test fixtures/tests/rollout.toml
scopesim test fixtures/tests/rollout.toml --min-coverage 90 --format json",
    ),
    (
        "gen",
        "scopesim gen --users 5000 --seed 7 --out target/synth
scopesim gen --users 1000 --formats csv,ndjson --out target/small",
    ),
    (
        "expression",
        "scopesim expression 'Append([userPrincipalName], \".test\")' --set userPrincipalName=anna@contoso.com
scopesim expression 'Switch([country], \"Other\", \"DE\", \"Germany\")' --set country=DE --format json",
    ),
    (
        "completions",
        "scopesim completions bash > ~/.local/share/bash-completion/completions/scopesim
scopesim completions zsh > ~/.zfunc/_scopesim
scopesim completions powershell >> $PROFILE",
    ),
    (
        "man",
        "scopesim man > scopesim.1 && man ./scopesim.1
scopesim man plan > scopesim-plan.1",
    ),
];

/// `cmd` with the examples of each subcommand at the end of its `--help`.
pub fn with_examples(mut cmd: Command) -> Command {
    for (name, text) in EXAMPLES {
        let body: Vec<String> = text.lines().map(|l| format!("  $ {l}")).collect();
        let help = format!("Examples:\n{}", body.join("\n\n"));
        cmd = cmd.mut_subcommand(*name, |c| c.after_help(help));
    }
    cmd
}

/// The completion script of `shell` for `cmd`.
pub fn completions(mut cmd: Command, shell: clap_complete::Shell) -> String {
    let name = cmd.get_name().to_string();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// The man page (roff) of `cmd`, or of its subcommand `sub`, or a usage error naming
/// the commands.
pub fn man(cmd: &Command, sub: Option<&str>) -> Result<String, Diagnostic> {
    let mut buf = Vec::new();
    match man_page(cmd, sub, &mut buf) {
        Ok(true) => Ok(String::from_utf8_lossy(&buf).into_owned()),
        Ok(false) => {
            let names: Vec<String> = cmd
                .get_subcommands()
                .map(|c| format!("`{}`", c.get_name()))
                .collect();
            Err(Diagnostic::error(
                Code::Usage,
                format!("no command `{}`", sub.unwrap_or_default()),
            )
            .with_help(format!("commands: {}", names.join(", "))))
        }
        Err(e) => Err(Diagnostic::error(
            Code::Io,
            format!("cannot write the man page: {e}"),
        )),
    }
}

/// Writes the man page (roff) of `cmd`, or of its subcommand `sub`; `Ok(false)` when there
/// is no such subcommand.
pub fn man_page(cmd: &Command, sub: Option<&str>, w: &mut dyn Write) -> io::Result<bool> {
    let man = match sub {
        None => clap_mangen::Man::new(cmd.clone()),
        Some(s) => match cmd.find_subcommand(s) {
            Some(c) => clap_mangen::Man::new(
                c.clone()
                    .bin_name(format!("{} {s}", cmd.get_name()))
                    .version(env!("CARGO_PKG_VERSION")),
            )
            .title(format!("{}-{s}", cmd.get_name())),
            None => return Ok(false),
        },
    };
    man.render(w)?;
    Ok(true)
}
