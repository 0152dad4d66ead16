//! Arguments and loading steps shared by the commands that read a directory.

use super::output::Out;
use super::{AnchoringArg, Exit};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use scopesim::diag::{self, Code, Diagnostic};
use scopesim::directory::assignments::{
    Assignments, GroupMembers, TargetState, read_assignments, read_group_members, read_target_state,
};
use scopesim::directory::{
    Chunk, ColumnSelection, Directory, InputFormat, Progress, ReadOptions, read_directory,
    stream_directory,
};
use scopesim::eval::{EvalOptions, Outcomes, Plan, assemble, compile, evaluate, evaluate_chunk};
use scopesim::report::plan::InputRef;
use scopesim::rollout::{FactColumns, RolloutInputs, UserFacts, chunk_facts};
use scopesim::rules::check::{CheckOptions, check};
use scopesim::rules::load::{LoadedRules, load_path};
use scopesim::rules::{OperatorName, RuleSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
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
    /// The attribute that matches target-state accounts to users.
    #[arg(long, default_value = "userPrincipalName", value_name = "ATTRIBUTE")]
    pub match_on: String,
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

/// Assignment files, read.
#[derive(Default)]
pub struct Access {
    pub assignments: Option<Assignments>,
    pub group_members: Option<GroupMembers>,
    pub target_states: Vec<TargetState>,
    pub evidence: Vec<InputRef>,
}

impl Access {
    pub fn inputs(&self) -> RolloutInputs<'_> {
        RolloutInputs {
            assignments: self.assignments.as_ref(),
            group_members: self.group_members.as_ref(),
            target_states: &self.target_states,
        }
    }
}

/// Loads rules and checks them; on errors prints them and returns exit 2.
pub fn load_rules(path: &Path, eval: EvalArgs, out: &mut Out) -> Result<LoadedRules, Exit> {
    let loaded = load_path(path);
    let mut diags = loaded.diagnostics.clone();
    if !loaded.has_errors() {
        diags.extend(
            check(
                &loaded.rules,
                CheckOptions {
                    anchoring: eval.regex_anchoring.get(),
                },
            )
            .into_iter()
            .filter(|d| d.is_error()),
        );
    }
    if diag::has_errors(&diags) {
        diag::sort(&mut diags);
        out.diagnostics(&diags, &loaded.sources);
        out.summary(&path.display().to_string(), &diags);
        return Err(Exit::Error);
    }
    Ok(loaded)
}

/// Attribute names the rules read.
pub fn rule_attributes(rules: &RuleSet) -> Vec<String> {
    let mut names: Vec<String> = rules
        .apps
        .iter()
        .flat_map(|a| &a.stages)
        .flat_map(|s| s.filters.iter())
        .flat_map(|f| &f.clauses)
        .filter(|c| !matches!(c.operator.node, OperatorName::Unknown(_)))
        .map(|c| c.attribute.node.clone())
        .collect();
    names.sort();
    names.dedup();
    names
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

/// Reads the directory; on errors prints them and returns exit 2.
pub fn load_directory(
    args: &DirectoryArgs,
    columns: ColumnSelection,
    out: &mut Out,
) -> Result<Directory, Exit> {
    let opts = ReadOptions {
        format: args.input_format,
        delimiter: args.delimiter,
        skip_bad_rows: args.skip_bad_rows,
        columns,
    };
    let bar = Bar::new(out);
    let result = read_directory(&args.directory, &opts, &bar);
    bar.finish();
    match result {
        Ok(dir) => Ok(dir),
        Err(diags) => {
            out.diagnostics(&diags, &Default::default());
            out.summary("directory", &diags);
            Err(Exit::Error)
        }
    }
}

/// Reads assignments, group members and target states; on errors exit 2.
pub fn load_access(args: &AccessArgs, out: &mut Out) -> Result<Access, Exit> {
    let mut access = Access::default();
    let mut errors: Vec<Diagnostic> = Vec::new();
    if let Some(p) = &args.assignments {
        match read_assignments(p) {
            Ok(a) => {
                access.evidence.extend(
                    a.inputs
                        .iter()
                        .map(|i| InputRef::from_info("assignments", i)),
                );
                access.assignments = Some(a);
            }
            Err(e) => errors.extend(e),
        }
    }
    if !args.group_members.is_empty() {
        match read_group_members(&args.group_members) {
            Ok(g) => {
                access.evidence.extend(
                    g.inputs()
                        .iter()
                        .map(|i| InputRef::from_info("group-members", i)),
                );
                access.group_members = Some(g);
            }
            Err(e) => errors.extend(e),
        }
    }
    for spec in &args.target_state {
        let Some((app, path)) = spec.split_once('=') else {
            errors.push(
                Diagnostic::error(
                    Code::Usage,
                    format!("--target-state takes `APP=PATH`, not `{spec}`"),
                )
                .with_help("for example `--target-state Salesforce=salesforce-users.csv`"),
            );
            continue;
        };
        match read_target_state(app, Path::new(path), &args.match_on) {
            Ok(t) => {
                access
                    .evidence
                    .push(InputRef::from_info("target-state", &t.input));
                access.target_states.push(t);
            }
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(access)
    } else {
        out.diagnostics(&errors, &Default::default());
        out.summary("inputs", &errors);
        Err(Exit::Error)
    }
}

/// Reads a CSV directory as a stream: each row group is evaluated and its activity and
/// ids read on the parsing threads, and its values dropped. For runs that print only
/// per-stage results (no per-user report), this is faster and holds far less memory than
/// keeping the export. `Ok(None)` when an input is not CSV (the caller reads it whole).
pub fn stream_and_evaluate(
    loaded: &LoadedRules,
    args: &DirectoryArgs,
    columns: ColumnSelection,
    eval: EvalArgs,
    inputs: RolloutInputs<'_>,
    out: &mut Out,
) -> Result<Option<(Directory, Plan, Outcomes, UserFacts)>, Exit> {
    let opts = ReadOptions {
        format: args.input_format,
        delimiter: args.delimiter,
        skip_bad_rows: args.skip_bad_rows,
        columns,
    };
    let bar = Bar::new(out);
    let mut prepared: Option<(Arc<Plan>, FactColumns)> = None;
    let result = stream_directory(&args.directory, &opts, &bar, |schema| {
        let plan = Arc::new(compile(&loaded.rules, schema, eval.options())?);
        let cols = FactColumns::new(schema, inputs);
        prepared = Some((plan.clone(), cols.clone()));
        Ok(move |chunk: &Chunk| (evaluate_chunk(&plan, chunk), chunk_facts(chunk, &cols)))
    });
    bar.finish();
    let streamed = match result {
        Ok(Some(s)) => s,
        Ok(None) => return Ok(None),
        Err(diags) => {
            // Errors of the rules (compiled against the export's columns) carry spans.
            let what = if diags.iter().all(|d| !d.labels.is_empty()) {
                "rules"
            } else {
                "directory"
            };
            out.diagnostics(&diags, &loaded.sources);
            out.summary(what, &diags);
            return Err(Exit::Error);
        }
    };
    let Some((plan, cols)) = prepared else {
        return Ok(None);
    };
    let plan = Arc::try_unwrap(plan).unwrap_or_else(|shared| (*shared).clone());
    let n = streamed.directory.len();
    let outcomes = assemble(
        &plan,
        n,
        streamed.chunks.iter().map(|(start, (o, _))| (*start, o)),
    );
    let facts = UserFacts::assemble(
        n,
        cols.has_enabled(),
        streamed.chunks.iter().map(|(start, (_, f))| (*start, f)),
    );
    Ok(Some((streamed.directory, plan, outcomes, facts)))
}

/// Compiles and evaluates; on errors exit 2.
pub fn compile_and_run(
    loaded: &LoadedRules,
    dir: &Directory,
    eval: EvalArgs,
    out: &mut Out,
) -> Result<(Plan, Outcomes), Exit> {
    match compile(&loaded.rules, dir, eval.options()) {
        Ok(plan) => {
            let outcomes = evaluate(&plan, dir);
            Ok((plan, outcomes))
        }
        Err(diags) => {
            out.diagnostics(&diags, &loaded.sources);
            out.summary("rules", &diags);
            Err(Exit::Error)
        }
    }
}

/// Phase timings on stderr when `SCOPESIM_TIMINGS` is set (for performance work).
pub struct Timings {
    on: bool,
    last: std::cell::Cell<Instant>,
}

impl Timings {
    pub fn new() -> Timings {
        Timings {
            on: std::env::var_os("SCOPESIM_TIMINGS").is_some(),
            last: std::cell::Cell::new(Instant::now()),
        }
    }

    pub fn lap(&self, what: &str) {
        if self.on {
            let now = Instant::now();
            eprintln!(
                "timing: {what:16} {:8.1} ms",
                (now - self.last.get()).as_secs_f64() * 1000.0
            );
            self.last.set(now);
        }
    }
}
