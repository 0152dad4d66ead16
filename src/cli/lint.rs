//! `scopesim lint`: findings about rules, and with `--directory` about their effect on
//! the users. The analysis is in `scopesim::review::lint`; this is loading and printing.

use super::Exit;
use super::common::{EvalArgs, RulesArgs, bar, parse_format};
use super::output::Out;
use scopesim::diag::Severity;
use scopesim::directory::InputFormat;
use scopesim::output::dialect::parse_delimiter;
use scopesim::output::format::parse_percent;
use scopesim::pipeline::{DirectorySource, InputFiles};
use scopesim::review::lint::request::LintRequest;
use scopesim::review::lint::{LintFormat, LintOptions, fails, render};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Rules: a `.scope` file or a Graph schema JSON.
    pub rules: PathBuf,
    #[command(flatten)]
    pub rules_opts: RulesArgs,
    /// Directory export, for the findings that need users (repeatable). Without it, only
    /// static findings.
    #[arg(long = "directory", short = 'd', value_name = "PATH")]
    pub directory: Vec<PathBuf>,
    /// Force the input format instead of detecting it from the content.
    #[arg(long, value_parser = parse_format, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,
    /// Force the CSV delimiter of the export (detected from the header otherwise).
    #[arg(long, value_parser = parse_delimiter, value_name = "CHAR")]
    pub delimiter: Option<u8>,
    /// Count malformed rows and go on, instead of stopping at them.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Assignments (CSV `app,principalType,principalId`): who is a candidate under
    /// `scope assigned`. Without it, every user is.
    #[arg(long, value_name = "PATH", requires = "directory")]
    pub assignments: Option<PathBuf>,
    /// Direct group membership (CSV `groupId,memberId[,memberType]`, repeatable).
    #[arg(long, value_name = "PATH", requires = "directory")]
    pub group_members: Vec<PathBuf>,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Report a stage that puts more than this percentage of the directory in scope.
    #[arg(long, value_parser = parse_percent, default_value = "50", value_name = "PCT")]
    pub max_scope_share: f64,
    /// Output format (`table`: a located list that fits the width).
    #[arg(long, value_enum, default_value_t = LintFormat::Table)]
    pub format: LintFormat,
    /// Exit 1 when a finding at or above this level exists.
    #[arg(long, value_enum, default_value_t = Severity::Error)]
    pub deny: Severity,
}

/// Runs the command; `Err` carries the exit code of a failure already printed.
pub fn run(args: Args, out: &mut Out) -> Result<Exit, Exit> {
    let options = LintOptions {
        anchoring: args.eval.regex_anchoring,
        max_scope_share: args.max_scope_share,
    };
    let source = DirectorySource {
        paths: args.directory.clone(),
        format: args.input_format,
        delimiter: args.delimiter,
        skip_bad_rows: args.skip_bad_rows,
    };
    let files = InputFiles {
        assignments: args.assignments.clone().into_iter().collect(),
        group_members: args.group_members.clone(),
        ..InputFiles::default()
    };
    let request = LintRequest {
        rules: &args.rules,
        load: &args.rules_opts.options(),
        source: (!args.directory.is_empty()).then_some(&source),
        files: &files,
        options: &options,
    };
    let bar = bar(out, source.paths.iter().map(PathBuf::as_path));
    let done = request.run(&bar).map_err(|f| out.failed(&f))?;
    drop(bar);
    out.diagnostics(&done.warnings, &Default::default());
    let (width, paint) = (out.width, out.paint());
    let text = render(&done.findings, done.sources(), args.format, width, paint);
    let printed = out.stdout(&text);
    if printed != Exit::Ok {
        return Ok(printed);
    }
    Ok(match fails(&done.findings, args.deny) {
        true => Exit::Failed,
        false => Exit::Ok,
    })
}
