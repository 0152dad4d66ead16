//! Arguments shared by the commands that read a directory, turned into the library's
//! pipeline requests once (ripgrep's low-level to high-level arguments), and the progress
//! bar over the whole run.

use super::Exit;
use super::output::Out;
use scopesim::diag::Diagnostic;
use scopesim::directory::InputFormat;
use scopesim::eval::EvalOptions;
use scopesim::output::dialect::{CsvDialect, CsvStyle, parse_delimiter};
pub use scopesim::output::progress::{Bar as ProgressBar, phase, total_size};
use scopesim::pipeline::payloads::PayloadOptions;
use scopesim::pipeline::request::{SimRequest, Simulated};
use scopesim::pipeline::{Columns, DirectorySource, InputFiles, Options, Rules};
use scopesim::regex::Anchoring;
use scopesim::rollout::{RolloutOptions, ThresholdBoundary};
use scopesim::rules::load::LoadOptions;
use std::path::{Path, PathBuf};

pub fn parse_format(s: &str) -> Result<InputFormat, String> {
    InputFormat::parse(s).ok_or_else(|| {
        format!("unknown input format `{s}`; use csv, graph-json, ndjson or parquet")
    })
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
    /// Force the CSV delimiter of the export (detected from the header otherwise).
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
    /// Assignments: CSV `app,principalType,principalId`, Graph `appRoleAssignedTo` JSON, or
    /// the portal's "Users and groups" list; `APP=PATH` names the app (repeatable: Graph
    /// gives one file per app).
    #[arg(long, value_name = "[APP=]PATH")]
    pub assignments: Vec<PathBuf>,
    /// Direct group membership: CSV `groupId,memberId[,memberType]`, Graph
    /// `/groups/{id}/members` JSON, `Get-MgGroupMember` or "Download members" CSV;
    /// `GROUPID=PATH` names the group (repeatable).
    #[arg(long, value_name = "[GROUPID=]PATH")]
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

/// How written CSV files (`--format csv`, `--report`) look.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct CsvArgs {
    /// CSV convention of written files: `standard` (RFC 4180) or `excel` (a UTF-8
    /// byte-order mark, so Excel opens non-ASCII text intact).
    #[arg(long, value_enum, default_value_t = CsvDialect::Standard)]
    pub csv_dialect: CsvDialect,
    /// Field delimiter of written CSV files (`;` for Excel in locales with a decimal
    /// comma; `tab`).
    #[arg(long, value_parser = parse_delimiter, value_name = "CHAR")]
    pub csv_delimiter: Option<u8>,
}

impl CsvArgs {
    pub fn style(self) -> CsvStyle {
        CsvStyle::new(self.csv_dialect, self.csv_delimiter)
    }
}

/// Evaluation options.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct EvalArgs {
    /// How REGEX MATCH patterns are anchored (S7): `partial` is .NET IsMatch (a match
    /// anywhere, Entra's engine); `full` requires the whole value to match.
    #[arg(long, value_enum, default_value_t = Anchoring::Partial)]
    pub regex_anchoring: Anchoring,
}

impl EvalArgs {
    pub fn options(self) -> EvalOptions {
        EvalOptions {
            anchoring: self.regex_anchoring,
        }
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
pub fn load_rules(path: &Path, anchoring: Anchoring, out: &mut Out) -> Result<Rules, Exit> {
    Rules::load_with(path, &LoadOptions::default(), anchoring)
        .map_err(|e| out.fail(&path.display().to_string(), &e))
}

/// The progress bar over a run that reads `paths`: on stderr, only on a terminal.
pub fn bar<'a>(out: &Out, paths: impl IntoIterator<Item = &'a Path>) -> ProgressBar {
    ProgressBar::for_run(out.stderr_tty, total_size(paths))
}

/// What every command that simulates a rollout takes: rules, directory, the other inputs,
/// evaluation options, the app and stage to look at, and the threshold boundary.
#[derive(clap::Args, Debug)]
pub struct SimArgs {
    /// Rules: a `.scope` file or a Graph schema JSON (`NAME=schema.json` names its app).
    pub rules: PathBuf,
    #[command(flatten)]
    pub rules_opts: RulesArgs,
    #[command(flatten)]
    pub directory: DirectoryArgs,
    #[command(flatten)]
    pub access: AccessArgs,
    #[command(flatten)]
    pub eval: EvalArgs,
    /// Only this app.
    #[arg(long)]
    pub app: Option<String>,
    /// Only this stage.
    #[arg(long)]
    pub stage: Option<String>,
    /// Accidental-deletion boundary (S27): held above the threshold (`gt`) or at it (`ge`).
    #[arg(long, value_enum, default_value_t = ThresholdBoundary::Gt)]
    pub threshold_boundary: ThresholdBoundary,
}

impl SimArgs {
    /// The app and stage asked for.
    pub fn selection(&self) -> (Option<&str>, Option<&str>) {
        (self.app.as_deref(), self.stage.as_deref())
    }

    /// Runs the simulation (`scopesim::pipeline::request`), with `outputs` as `(flag,
    /// path)` and `extra_inputs` read besides, and gives the bar for the phases after it;
    /// prints every failure and gives exit 2.
    pub fn simulate(
        &self,
        out: &mut Out,
        columns: Columns,
        outputs: &[(&str, Option<&Path>)],
        extra_inputs: &[PathBuf],
    ) -> Result<(Simulated, ProgressBar), Exit> {
        let (source, files, load) = (
            self.directory.source(),
            self.access.files(),
            self.rules_opts.options(),
        );
        let request = SimRequest {
            rules: &self.rules,
            load: &load,
            source: &source,
            files: &files,
            options: Options {
                eval: self.eval.options(),
                rollout: RolloutOptions {
                    threshold_boundary: self.threshold_boundary,
                    allow_missing_members: self.access.allow_missing_members,
                },
            },
            app: self.app.as_deref(),
            stage: self.stage.as_deref(),
            outputs,
            extra_inputs,
        };
        let bar = bar(out, request.read_paths().iter().map(PathBuf::as_path));
        let done = request.run(columns, &bar).map_err(|f| out.failed(&f))?;
        Ok((done, bar))
    }
}

/// The fixed inputs of attribute-mapping expressions (`Now()`, `Guid()`, `RandomString()`).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct FixedArgs {
    /// The time `Now()` returns (ISO 8601, such as 2024-05-01T12:00:00Z); without it, the
    /// system clock at the start of the run, and the output says so.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// The seed `Guid()` and `RandomString()` draw from (default 0); payloads mix it with
    /// each user's objectId.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

impl FixedArgs {
    /// The payload options for `app` and `stage`; a `--now` that is no time is exit 2.
    pub fn options(
        &self,
        app: Option<&str>,
        stage: Option<&str>,
    ) -> Result<PayloadOptions, Diagnostic> {
        PayloadOptions::new(app, stage, self.now.as_deref(), self.seed)
    }
}
