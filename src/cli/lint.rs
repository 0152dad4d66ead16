//! `scopesim lint`: findings about rules, and with `--directory` about their effect on
//! the users. The analysis is in `scopesim::review::lint`; this is loading and printing.

use super::Exit;
use super::common::{EvalArgs, RulesArgs, bar, load_inputs, parse_format, phase};
use super::output::Out;
use scopesim::diag::Severity;
use scopesim::directory::{ColumnSelection, InputFormat};
use scopesim::output::dialect::parse_delimiter;
use scopesim::output::format::parse_percent;
use scopesim::pipeline::{DirectorySource, InputFiles, rule_attributes};
use scopesim::review::lint::{LintData, LintFormat, LintOptions, fails, lint, render};
use scopesim::rules::load::load_path_with;
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
    let loaded = load_path_with(&args.rules, &args.rules_opts.options());
    if loaded.has_errors() {
        // Syntax errors: nothing to lint.
        let mut e =
            scopesim::diag::Errors::from(loaded.diagnostics.clone()).with_sources(&loaded.sources);
        e.sort();
        return Err(out.fail(&args.rules.display().to_string(), &e));
    }
    let opts = LintOptions {
        anchoring: args.eval.regex_anchoring,
        max_scope_share: args.max_scope_share,
    };
    let findings = if args.directory.is_empty() {
        lint(&loaded, None, &opts)
    } else {
        let files = InputFiles {
            assignments: args.assignments.clone(),
            group_members: args.group_members.clone(),
            ..InputFiles::default()
        };
        let inputs = load_inputs(&files, out)?;
        let mut selection = ColumnSelection::only(rule_attributes(&loaded.rules));
        selection.add("userType");
        let source = DirectorySource {
            paths: args.directory.clone(),
            format: args.input_format,
            delimiter: args.delimiter,
            skip_bad_rows: args.skip_bad_rows,
        };
        let bar = bar(out, source.paths.iter().map(PathBuf::as_path));
        let dir = source
            .read(selection, &bar)
            .map_err(|e| out.fail("directory", &e))?;
        bar.phase(phase::LINT);
        out.diagnostics(dir.diagnostics(), &Default::default());
        let inputs = inputs.rollout_inputs();
        lint(&loaded, Some(LintData { dir: &dir, inputs }), &opts)
    };
    let text = render(
        &findings,
        &loaded.sources,
        args.format,
        out.width,
        out.paint(),
    );
    let printed = out.stdout(&text);
    if printed != Exit::Ok {
        return Ok(printed);
    }
    if fails(&findings, args.deny) {
        return Ok(Exit::Failed);
    }
    Ok(Exit::Ok)
}
