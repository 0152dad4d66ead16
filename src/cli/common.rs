//! Arguments shared by the commands that read a directory, turned into the library's
//! pipeline requests once (ripgrep's low-level to high-level arguments), and the progress
//! bar.

use super::output::Out;
use super::{AnchoringArg, Exit};
use scopesim::diag::Errors;
use scopesim::directory::InputFormat;
use scopesim::eval::EvalOptions;
pub use scopesim::output::progress::Bar as ProgressBar;
use scopesim::pipeline::{DirectorySource, InputFiles, Inputs, Rules};
use scopesim::rules::load::LoadOptions;
use std::path::{Path, PathBuf};

pub fn parse_format(s: &str) -> Result<InputFormat, String> {
    InputFormat::parse(s).ok_or_else(|| {
        format!("unknown input format `{s}`; use csv, graph-json, ndjson or parquet")
    })
}

pub fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "\\t" | "tab" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "the delimiter must be one ASCII character (or `tab`), not `{s}`"
        )),
    }
}

/// Where the directory comes from.
#[derive(clap::Args, Debug, Clone)]
pub struct DirectoryArgs {
    /// Directory export: Entra or PowerShell CSV, Graph `/users` JSON or NDJSON, Parquet.
    /// Repeat for several files (e.g. Graph pages); they are concatenated.
    #[arg(long = "directory", short = 'd', required = true, value_name = "PATH")]
    pub directory: Vec<PathBuf>,
    /// Force the input format instead of detecting it from the content.
    #[arg(long, value_parser = parse_format, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,
    /// Force the CSV delimiter (detected from the header otherwise).
    #[arg(long, value_parser = parse_delimiter, value_name = "CHAR")]
    pub delimiter: Option<u8>,
    /// Count malformed rows and go on, instead of stopping at them.
    #[arg(long)]
    pub skip_bad_rows: bool,
}

impl DirectoryArgs {
    pub fn source(&self) -> DirectorySource {
        DirectorySource {
            paths: self.directory.clone(),
            format: self.input_format,
            delimiter: self.delimiter,
            skip_bad_rows: self.skip_bad_rows,
        }
    }
}

/// Who is assigned and what already exists in the apps.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct AccessArgs {
    /// Assignments: CSV `app,principalType,principalId`, or Graph `appRoleAssignedTo` JSON.
    #[arg(long, value_name = "PATH")]
    pub assignments: Option<PathBuf>,
    /// Direct group membership: CSV `groupId,memberId[,memberType]` (repeatable).
    #[arg(long, value_name = "PATH")]
    pub group_members: Vec<PathBuf>,
    /// Accounts that already exist in an app: `APP=PATH` (repeatable).
    #[arg(long, value_name = "APP=PATH")]
    pub target_state: Vec<String>,
    /// The attribute that matches target-state accounts to users, instead of the schema's
    /// matching attributes (default `userPrincipalName`, against SCIM `userName`).
    #[arg(long, value_name = "ATTRIBUTE")]
    pub match_on: Option<String>,
    /// Treat assigned groups without member data as empty, with a warning, instead of an
    /// error (S36).
    #[arg(long)]
    pub allow_missing_members: bool,
}

impl AccessArgs {
    pub fn files(&self) -> InputFiles {
        InputFiles {
            assignments: self.assignments.clone(),
            group_members: self.group_members.clone(),
            target_states: self.target_state.clone(),
            match_on: self.match_on.clone(),
        }
    }
}

/// Evaluation options.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct EvalArgs {
    /// How REGEX MATCH patterns are anchored (S7): `partial` is .NET IsMatch (a match
    /// anywhere, Entra's engine); `full` requires the whole value to match.
    #[arg(long, value_enum, default_value_t = AnchoringArg::Partial)]
    pub regex_anchoring: AnchoringArg,
}

impl EvalArgs {
    pub fn options(self) -> EvalOptions {
        EvalOptions {
            anchoring: self.regex_anchoring.get(),
        }
    }
}

/// Prints a failure of one step (`what` names it in the summary line) and gives exit 2.
pub fn fail(out: &mut Out, what: &str, e: &Errors) -> Exit {
    out.diagnostics(e, e.sources());
    out.summary(what, e);
    Exit::Error
}

/// What a failed run is called in its summary line: errors of the rules (compiled against
/// the export's columns) carry spans; errors of one input file name that file.
pub fn run_label(e: &Errors) -> String {
    if e.iter().all(|d| !d.labels.is_empty()) {
        return "rules".to_string();
    }
    let mut files = e
        .iter()
        .filter_map(|d| d.location.as_ref().map(|l| l.path.as_str()));
    match files.next() {
        Some(first) if files.all(|f| f == first) => first.to_string(),
        _ => "inputs".to_string(),
    }
}

/// How to read a Graph schema given as RULES: its app's name and the job's secrets.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct RulesArgs {
    /// The app's name for a Graph schema given as RULES (or write RULES as
    /// `NAME=schema.json`). A schema does not carry it: without it the app is named after
    /// the file, and no assignment names that.
    #[arg(long, value_name = "NAME")]
    pub app_name: Option<String>,
    /// The job's synchronization secrets (JSON of `GET
    /// .../synchronization/secrets`): SyncAll, SkipOutOfScopeDeletions and the deletion
    /// threshold, applied to the app (`APP=FILE` when the rules have several). Repeatable.
    #[arg(long, value_name = "[APP=]FILE")]
    pub secrets: Vec<String>,
}

impl RulesArgs {
    pub fn options(&self) -> LoadOptions {
        LoadOptions {
            app_name: self.app_name.clone(),
            secrets: self.secrets.clone(),
        }
    }
}

/// Loads and checks rules; on errors prints them and returns exit 2.
pub fn load_rules(path: &Path, eval: EvalArgs, out: &mut Out) -> Result<Rules, Exit> {
    load_rules_with(path, &RulesArgs::default(), eval, out)
}

/// [`load_rules`] with a schema's app name and secrets.
pub fn load_rules_with(
    path: &Path,
    rules: &RulesArgs,
    eval: EvalArgs,
    out: &mut Out,
) -> Result<Rules, Exit> {
    Rules::load_with(path, &rules.options(), eval.regex_anchoring.get())
        .map_err(|e| fail(out, &path.display().to_string(), &e))
}

/// Reads assignments, group members and target states; on errors exit 2.
pub fn load_inputs(files: &InputFiles, out: &mut Out) -> Result<Inputs, Exit> {
    files.read().map_err(|e| fail(out, "inputs", &e))
}

/// The progress bar for a run: on stderr, only on a terminal.
pub fn bar(out: &Out) -> ProgressBar {
    ProgressBar::new(out.stderr_tty)
}

/// The fixed inputs of attribute-mapping expressions (`Now()`, `Guid()`, `RandomString()`).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct FixedArgs {
    /// The time `Now()` returns in payloads (ISO 8601, such as 2024-05-01T12:00:00Z);
    /// without it, the system clock at the start of the run, and the payloads say so.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// The seed `Guid()` and `RandomString()` draw from in payloads (default 0), mixed
    /// with each user's objectId.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

impl FixedArgs {
    /// The payload options for `app` and `stage`; a `--now` that is no time is exit 2.
    pub fn options(
        &self,
        app: Option<&str>,
        stage: Option<&str>,
        out: &mut Out,
    ) -> Result<scopesim::pipeline::payloads::PayloadOptions, Exit> {
        scopesim::pipeline::payloads::PayloadOptions::new(
            app,
            stage,
            self.now.as_deref(),
            self.seed,
        )
        .map_err(|d| out.error(d))
    }
}
