//! Arguments shared by the commands that read a directory, turned into the library's
//! pipeline requests once (ripgrep's low-level to high-level arguments), and the progress
//! bar.

use super::output::Out;
use super::{AnchoringArg, Exit};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use scopesim::diag::Errors;
use scopesim::directory::{InputFormat, Progress};
use scopesim::eval::EvalOptions;
use scopesim::pipeline::{DirectorySource, InputFiles, Inputs, Rules};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
    /// The attribute that matches target-state accounts to users.
    #[arg(long, default_value = "userPrincipalName", value_name = "ATTRIBUTE")]
    pub match_on: String,
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

/// What a directory-reading failure is called: errors of the rules (compiled against the
/// export's columns) carry spans; reading errors do not.
pub fn run_label(e: &Errors) -> &'static str {
    if e.iter().all(|d| !d.labels.is_empty()) {
        "rules"
    } else {
        "directory"
    }
}

/// Loads and checks rules; on errors prints them and returns exit 2.
pub fn load_rules(path: &Path, eval: EvalArgs, out: &mut Out) -> Result<Rules, Exit> {
    Rules::load(path, eval.regex_anchoring.get())
        .map_err(|e| fail(out, &path.display().to_string(), &e))
}

/// Reads assignments, group members and target states; on errors exit 2.
pub fn load_inputs(files: &InputFiles, out: &mut Out) -> Result<Inputs, Exit> {
    files.read().map_err(|e| fail(out, "inputs", &e))
}

/// A progress bar on stderr that appears only when work lasts more than a second and
/// stderr is a terminal.
pub struct Bar {
    bar: ProgressBar,
    started: Instant,
    shown: Mutex<bool>,
    enabled: bool,
}

impl Bar {
    pub fn new(out: &Out) -> Bar {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) =
            ProgressStyle::with_template("{msg:12} [{bar:40}] {bytes}/{total_bytes} ({eta})")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        Bar {
            bar,
            started: Instant::now(),
            shown: Mutex::new(false),
            enabled: out.stderr_tty,
        }
    }

    fn maybe_show(&self) {
        if !self.enabled || self.started.elapsed() < Duration::from_secs(1) {
            return;
        }
        if let Ok(mut shown) = self.shown.lock() {
            if !*shown {
                self.bar.set_draw_target(ProgressDrawTarget::stderr());
                *shown = true;
            }
        }
    }
}

impl Progress for Bar {
    fn start(&self, label: &str, total_bytes: u64) {
        self.bar.set_message(label.to_string());
        self.bar.set_length(total_bytes);
        self.bar.set_position(0);
    }
    fn inc(&self, bytes: u64) {
        self.bar.inc(bytes);
        self.maybe_show();
    }
    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
