//! `scopesim gen --logs RULES`: a provisioning log consistent with the plan of a rules file,
//! with discrepancies of each kind injected, for demos, tests and benchmarks.
//!
//! For the stage compared, every user the plan acts on or evaluates gets the event Entra
//! would log (the shapes of Microsoft's v1.0 examples: import step with the attribute
//! values read, scoping step with the four Booleans and a `ScopeEvaluationResult` built
//! from scopesim's own clause results, matching and export steps), every fifth created
//! user a second, later reference update (`manager`, S37), one user in fifty an event of
//! another app (to be ignored), and 1% of users an event in an earlier, smaller cycle (to
//! be left out by the cycle choice). Then `inject` users of each class are made to
//! disagree: a create logged as skipped `NotEffectivelyEntitled` with one clause flipped
//! (mismatch), a create that fails with `EntryConflict` (failed), a disable logged as
//! `stagedDelete`, or a held one logged as done (held), a predicted action with no event
//! (not processed), and a create for a user the plan leaves alone (unexpected). The
//! injected users are written to `provisioning-logs.expected.csv` so a test can check that
//! reconciliation finds every one of them and nothing else.
//!
//! Output is a pure function of the run, the options and the seed: no clock, no thread
//! count, events in directory order.

use super::pair::{self, Class, Predicted};
use super::scope::clause_key;
use crate::diag::{Code, Diagnostic, Errors};
use crate::directory::NoProgress;
use crate::pipeline::{Columns, DirectorySource, InputFiles, Options, Rules, Run, Simulation};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// File name of the generated log (NDJSON).
pub const LOGS_NDJSON: &str = "provisioning-logs.ndjson";
/// File name of the generated log (the admin center's JSON download: one array).
pub const LOGS_JSON: &str = "provisioning-logs.json";
/// File name of the injected discrepancies.
pub const EXPECTED_CSV: &str = "provisioning-logs.expected.csv";

/// The shape of the generated log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogShape {
    /// One event per line, as a script paging Graph writes it.
    #[default]
    Ndjson,
    /// One minified array, as the admin center's Download > JSON writes it.
    Array,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct LogGenOptions {
    /// The app (`None`: the only one).
    pub app: Option<String>,
    /// The stage (`None`: the app's last).
    pub stage: Option<String>,
    /// Discrepancies of each kind to inject.
    pub inject: usize,
    /// Seed of ids and of the choice of injected users.
    pub seed: u64,
    /// Shape of the log file.
    pub shape: LogShape,
    /// Directory to write into.
    pub out_dir: PathBuf,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogGenSummary {
    /// The app and stage.
    pub app: String,
    /// The stage.
    pub stage: String,
    /// Events written.
    pub events: u64,
    /// Injected users per class.
    pub injected: BTreeMap<Class, usize>,
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Kinds that could not be injected as often as asked, and why.
    pub notes: Vec<String>,
}

/// Simulates `rules` over a directory written by `scopesim gen` in `dir` and writes the
/// log next to it.
pub fn generate_for_directory(
    rules: &Rules,
    dir: &Path,
    opts: &LogGenOptions,
) -> Result<LogGenSummary, Errors> {
    let users = ["users.csv", "users.ndjson", "users.json"]
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.exists())
        .ok_or_else(|| {
            Diagnostic::error(
                Code::Gen,
                format!(
                    "no users file in `{}` to simulate the logs on",
                    dir.display()
                ),
            )
        })?;
    let files = InputFiles {
        assignments: vec![dir.join(crate::directory::synth::ASSIGNMENTS_CSV)],
        group_members: vec![dir.join(crate::directory::synth::GROUP_MEMBERS_CSV)],
        ..InputFiles::default()
    };
    let inputs = files.read()?;
    let source = DirectorySource {
        paths: vec![users],
        ..DirectorySource::default()
    };
    let sim = Simulation {
        rules,
        directory: &source,
        inputs: &inputs,
        options: Options::default(),
    };
    let run = sim.run(Columns::Only(vec!["displayName".to_string()]), &NoProgress)?;
    write_logs(&run, opts)
}

/// A SplitMix64 step: the ids and the shuffle are pure functions of the seed.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn uuid(seed: u64, a: u64, b: u64) -> String {
    let x = mix(seed ^ mix(a.wrapping_mul(31).wrapping_add(b)));
    let y = mix(x ^ 0x5555_aaaa_5555_aaaa);
    let h = format!("{x:016x}{y:016x}");
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// A JSON string literal (most values need no escape: copied as they are).
fn q(s: &str) -> String {
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        let mut o = String::with_capacity(s.len() + 2);
        o.push('"');
        o.push_str(s);
        o.push('"');
        return o;
    }
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// `2025-01-06T10:00:00Z` plus `secs`.
fn at(secs: i64) -> String {
    super::logs::Timestamp {
        secs: 1_736_157_600 + secs,
        nanos: 0,
    }
    .to_string()
}

/// The steps and fields of one event to write.
struct Ev<'a> {
    action: &'a str,
    status: &'a str,
    error: Option<(&'a str, &'a str, &'a str)>,
    steps: Vec<String>,
    modified: Vec<(&'a str, &'a str)>,
    target_id: String,
}

fn step(
    name: &str,
    kind: &str,
    status: &str,
    description: &str,
    details: &[(&str, String)],
) -> String {
    let d: Vec<String> = details
        .iter()
        .map(|(k, v)| format!("{}:{}", q(k), q(v)))
        .collect();
    format!(
        "{{\"name\":{},\"provisioningStepType\":{},\"status\":{},\"description\":{},\"details\":{{{}}}}}",
        q(name),
        q(kind),
        q(status),
        q(description),
        d.join(",")
    )
}

/// Everything the writer needs about the run, resolved once.
struct Ctx<'r> {
    run: &'r Run,
    app: &'r crate::rollout::AppResult,
    stage: &'r crate::rollout::StageResult,
    seed: u64,
    tenant: String,
    sp: String,
    job: String,
    cycle: String,
    early_cycle: String,
    other_sp: String,
    other_job: String,
    cols: (Option<usize>, Option<usize>, Option<usize>, Option<usize>),
    /// (attribute, column) read by the stage's clauses.
    attrs: Vec<(String, Option<usize>)>,
    /// (filter title, clause id) of the stage's scoping filters, in order.
    clauses: Vec<(String, usize)>,
}

impl Ctx<'_> {
    fn value(&self, row: usize, col: Option<usize>) -> &str {
        col.and_then(|c| self.run.directory.value(row, c))
            .unwrap_or("")
    }

    fn import_step(&self, row: usize, add: bool) -> String {
        let (oid, upn, name, enabled) = self.cols;
        let mut d: Vec<(&str, String)> = vec![
            ("objectId", self.value(row, oid).to_string()),
            ("userPrincipalName", self.value(row, upn).to_string()),
            ("displayName", self.value(row, name).to_string()),
        ];
        let active = self.run.evaluated.rollout.active.get(row);
        d.push((
            "accountEnabled",
            match self.value(row, enabled) {
                "" => String::new(),
                _ if active => "True".to_string(),
                _ => "False".to_string(),
            },
        ));
        for (a, c) in &self.attrs {
            if !d.iter().any(|(k, _)| k.eq_ignore_ascii_case(a)) {
                d.push((a.as_str(), self.value(row, *c).to_string()));
            }
        }
        d.push(("IsSoftDeleted", "False".to_string()));
        let kind = if add { "Add" } else { "Update" };
        step(
            if add {
                "EntryImportAdd"
            } else {
                "EntryImportUpdate"
            },
            "import",
            "success",
            &format!(
                "Received User '{}' change of type ({kind}) from Azure Active Directory",
                self.value(row, upn)
            ),
            &d,
        )
    }

    /// The scoping step; `flip` makes Entra disagree on the first clause and the filter.
    fn scoping_step(&self, row: usize, skip: bool, flip: bool) -> String {
        let o = &self.run.evaluated.outcomes;
        let sid = self.stage.stage;
        let plan = &self.run.evaluated.plan;
        let mut result = serde_json::Map::new();
        for (i, (title, c)) in self.clauses.iter().enumerate() {
            let clause = &plan.clauses[*c];
            let mut v = o.clause(*c).get(row);
            if flip && i == 0 {
                v = !v;
            }
            result.insert(
                clause_key(
                    title,
                    &clause.attribute,
                    clause.operator,
                    clause.value.as_deref(),
                ),
                serde_json::Value::Bool(v),
            );
        }
        let passed = o.scoping(sid).get(row) && o.input(sid).get(row) && !flip;
        let b = |x: bool| if x { "True" } else { "False" }.to_string();
        let assigned = self.app.candidacy(row).is_candidate();
        let mut d = vec![
            (
                "Active in the source system",
                b(self.run.evaluated.rollout.active.get(row)),
            ),
            ("Assigned to the application", b(assigned)),
            ("User has the required role", b(assigned)),
            ("Scoping filter evaluation passed", b(passed)),
            (
                "ScopeEvaluationResult",
                serde_json::Value::Object(result).to_string(),
            ),
        ];
        if skip {
            d.push(("SkipReason", "NotEffectivelyEntitled".to_string()));
        }
        step(
            "EntrySynchronizationScoping",
            "scoping",
            if skip { "skipped" } else { "success" },
            "Determine if User in scope by evaluating against each scoping filter",
            &d,
        )
    }

    /// Writes one event; `other` writes it as another app's (to be ignored).
    #[allow(clippy::too_many_arguments)]
    fn write(
        &self,
        out: &mut Vec<u8>,
        row: usize,
        k: u64,
        secs: i64,
        cycle: &str,
        ev: &Ev<'_>,
        other: bool,
    ) {
        let (oid, upn, name, _) = self.cols;
        let (app, sp, job) = if other {
            (
                "Workday to Entra",
                self.other_sp.as_str(),
                self.other_job.as_str(),
            )
        } else {
            (self.app.name.as_str(), self.sp.as_str(), self.job.as_str())
        };
        let error = match ev.error {
            None => "null".to_string(),
            Some((code, category, reason)) => format!(
                "{{\"errorCode\":{},\"reason\":{},\"additionalDetails\":null,\"errorCategory\":{},\"recommendedAction\":null}}",
                q(code),
                q(reason),
                q(category)
            ),
        };
        let modified: Vec<String> = ev
            .modified
            .iter()
            .map(|(n, v)| {
                format!(
                    "{{\"displayName\":{},\"oldValue\":null,\"newValue\":{}}}",
                    q(n),
                    q(v)
                )
            })
            .collect();
        let _ = write!(
            out,
            "{{\"id\":{},\"activityDateTime\":{},\"tenantId\":{},\"jobId\":{},\"cycleId\":{},\"changeId\":{},\"provisioningAction\":{},\"durationInMilliseconds\":{},\"initiatedBy\":{{\"id\":\"\",\"displayName\":\"Azure AD Provisioning Service\",\"initiatorType\":\"system\"}},\"servicePrincipal\":{{\"id\":{},\"displayName\":{}}},\"sourceSystem\":{{\"id\":\"0404601d-a9c0-4ec7-bbcd-02660120d8c9\",\"displayName\":\"Azure Active Directory\",\"details\":{{}}}},\"targetSystem\":{{\"id\":\"cd22f60b-5f2d-4adb-adb4-76ef31db996b\",\"displayName\":{},\"details\":{{\"ServicePrincipalId\":{},\"ServicePrincipalDisplayName\":{}}}}},\"sourceIdentity\":{{\"id\":{},\"displayName\":{},\"identityType\":\"User\",\"details\":{{\"id\":{},\"odatatype\":\"User\",\"DisplayName\":{},\"UserPrincipalName\":{}}}}},\"targetIdentity\":{{\"id\":{},\"displayName\":\"\",\"identityType\":\"User\",\"details\":{{}}}},\"provisioningStatusInfo\":{{\"status\":{},\"errorInformation\":{}}},\"provisioningSteps\":[{}],\"modifiedProperties\":[{}]}}",
            q(&uuid(self.seed, row as u64, k)),
            q(&at(secs)),
            q(&self.tenant),
            q(job),
            q(cycle),
            q(&uuid(self.seed, row as u64, k + 1000)),
            q(ev.action),
            200 + (mix(row as u64 ^ k) % 3000),
            q(sp),
            q(app),
            q(app),
            q(sp),
            q(app),
            q(self.value(row, oid)),
            q(self.value(row, name)),
            q(self.value(row, oid)),
            q(self.value(row, name)),
            q(self.value(row, upn)),
            q(&ev.target_id),
            q(ev.status),
            error,
            ev.steps.join(","),
            modified.join(",")
        );
    }
}

/// A kind of injected discrepancy: its class, which predictions it can be injected into,
/// and those predictions in words.
type Kind<'a> = (Class, &'a dyn Fn(Predicted) -> bool, &'a str);

/// Writes the log for `run` (see the module documentation).
pub fn write_logs(run: &Run, opts: &LogGenOptions) -> Result<LogGenSummary, Errors> {
    let (app, stage) = super::target(run, opts.app.as_deref(), opts.stage.as_deref())?;
    let dir = &run.directory;
    let plan = &run.evaluated.plan;
    let cs = &plan.stages[stage.stage];
    let mut attrs: Vec<(String, Option<usize>)> = Vec::new();
    let mut clauses = Vec::new();
    for &f in cs.scoping.iter().chain(&cs.input) {
        for &c in &plan.filters[f].clauses {
            let clause = &plan.clauses[c];
            if !attrs.iter().any(|(a, _)| a == &clause.attribute) {
                attrs.push((clause.attribute.clone(), clause.column));
            }
            if cs.scoping.contains(&f) {
                clauses.push((plan.filters[f].name.clone(), c));
            }
        }
    }
    let seed = opts.seed;
    let tenant = uuid(seed, u64::MAX, 1);
    let ctx = Ctx {
        run,
        app,
        stage,
        seed,
        job: format!(
            "scim.{}.{}",
            tenant.replace('-', ""),
            uuid(seed, u64::MAX, 2)
        ),
        tenant,
        sp: uuid(seed, u64::MAX, 3),
        cycle: uuid(seed, u64::MAX, 4),
        early_cycle: uuid(seed, u64::MAX, 5),
        other_sp: uuid(seed, u64::MAX, 6),
        other_job: format!("Workday.{}", uuid(seed, u64::MAX, 7)),
        cols: (
            dir.column("objectId"),
            dir.column("userPrincipalName"),
            dir.column("displayName"),
            dir.column("accountEnabled"),
        ),
        attrs,
        clauses,
    };
    if ctx.cols.0.is_none() {
        return Err(Diagnostic::error(
            Code::Gen,
            "the directory has no `objectId` column to write logs for",
        )
        .into());
    }

    // Injected users: the first eligible rows of a seeded shuffle, disjoint across kinds.
    let n = dir.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&r| mix(seed ^ (r as u64).wrapping_mul(0x2545_f491_4f6c_dd1d)));
    let predicted: Vec<Predicted> = (0..n).map(|r| pair::predict(stage, r)).collect();
    let held_kind = if stage.held {
        Predicted::Held
    } else {
        Predicted::Disable
    };
    let kinds: [Kind<'_>; 5] = [
        (
            Class::Mismatch,
            &|p| p == Predicted::Create,
            "predicted creates",
        ),
        (
            Class::Failed,
            &|p| p == Predicted::Create,
            "predicted creates",
        ),
        (
            Class::Held,
            &|p| p == held_kind,
            if stage.held {
                "held disables"
            } else {
                "predicted disables"
            },
        ),
        (
            Class::NotProcessed,
            &|p| matches!(p, Predicted::Create | Predicted::Update),
            "predicted creates and updates",
        ),
        (
            Class::Unexpected,
            &|p| p == Predicted::None,
            "users the plan leaves alone",
        ),
    ];
    let mut injected: HashMap<usize, Class> = HashMap::new();
    let mut counts: BTreeMap<Class, usize> = BTreeMap::new();
    let mut notes = Vec::new();
    for (class, eligible, what) in kinds {
        let mut k = 0;
        if opts.inject > 0 {
            for &r in &order {
                if k == opts.inject {
                    break;
                }
                if !injected.contains_key(&r) && predicted.get(r).is_some_and(|&p| eligible(p)) {
                    injected.insert(r, class);
                    k += 1;
                }
            }
        }
        if k < opts.inject {
            notes.push(format!(
                "injected {k} of {} `{}`: the stage has only {k} more {what}",
                opts.inject,
                class.as_str()
            ));
        }
        counts.insert(class, k);
    }

    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut events = 0u64;
    let shape = opts.shape;
    let path = opts.out_dir.join(match shape {
        LogShape::Ndjson => LOGS_NDJSON,
        LogShape::Array => LOGS_JSON,
    });
    let io = |e: std::io::Error, p: &Path| -> Errors {
        Diagnostic::error(Code::Gen, format!("cannot write `{}`: {e}", p.display())).into()
    };
    std::fs::create_dir_all(&opts.out_dir).map_err(|e| io(e, &opts.out_dir))?;
    let mut expected: Vec<(String, Class)> = Vec::new();
    crate::output::atomic::write_atomic(&path, |w| {
        if shape == LogShape::Array {
            w.write_all(b"[")?;
        }
        let mut first = true;
        let mut emit = |w: &mut dyn Write, buf: &mut Vec<u8>| -> std::io::Result<()> {
            if shape == LogShape::Array && !first {
                w.write_all(b",")?;
            }
            first = false;
            w.write_all(buf)?;
            if shape == LogShape::Ndjson {
                w.write_all(b"\n")?;
            }
            buf.clear();
            events += 1;
            Ok(())
        };
        for row in 0..n {
            let p = predicted.get(row).copied().unwrap_or(Predicted::None);
            let inj = injected.get(&row).copied();
            let secs = (row / 100) as i64 + 3600;
            let upn = ctx.value(row, ctx.cols.1).to_string();
            if let Some(c) = inj {
                expected.push((ctx.value(row, ctx.cols.0).to_string(), c));
            }
            // Another app's event, to be ignored.
            if row % 50 == 7 {
                let other = Ev {
                    action: "update",
                    status: "success",
                    error: None,
                    steps: vec![ctx.import_step(row, false)],
                    modified: vec![],
                    target_id: uuid(seed, row as u64, 77),
                };
                ctx.write(&mut buf, row, 90, secs, &ctx.cycle, &other, true);
                emit(w, &mut buf)?;
            }
            // An earlier, smaller cycle (1% of evaluated users), never chosen by default.
            if row % 100 == 3 && inj.is_none() && p != Predicted::None {
                let early = Ev {
                    action: "other",
                    status: "skipped",
                    error: None,
                    steps: vec![ctx.import_step(row, false), ctx.scoping_step(row, true, false)],
                    modified: vec![],
                    target_id: String::new(),
                };
                ctx.write(&mut buf, row, 80, secs - 3600, &ctx.early_cycle, &early, false);
                emit(w, &mut buf)?;
            }
            let target = uuid(seed, row as u64, 5);
            let matching_add = step(
                "EntrySynchronizationAdd",
                "matching",
                "success",
                &format!("User '{upn}' will be created in {} (User is active and assigned in Azure Active Directory, but no matching User was found in {})", app.name, app.name),
                &[],
            );
            let matching_found = step(
                "EntryImport",
                "matching",
                "success",
                &format!("Retrieved '{upn}' from {}", app.name),
                &[("userName", upn.clone()), ("active", "True".to_string())],
            );
            let export = |name: &str, status: &str, verb: &str| {
                step(name, "export", status, &format!("User '{upn}' was {verb} in {}", app.name), &[("ReportableIdentifier", upn.clone())])
            };
            let ev: Option<Ev<'_>> = match (inj, p) {
                (Some(Class::NotProcessed), _) => None,
                (Some(Class::Mismatch), _) => Some(Ev {
                    action: "other",
                    status: "skipped",
                    error: None,
                    steps: vec![ctx.import_step(row, true), ctx.scoping_step(row, true, true)],
                    modified: vec![],
                    target_id: String::new(),
                }),
                (Some(Class::Failed), _) => Some(Ev {
                    action: "create",
                    status: "failure",
                    error: Some(("EntryConflict", "nonServiceFailure", "Message: the target returned an error response with the HTTP status code 409. This response indicates that a user or a group already exists with the same name.")),
                    steps: vec![ctx.import_step(row, true), ctx.scoping_step(row, false, false), matching_add.clone(), export("EntryExportAdd", "failure", "not created")],
                    modified: vec![("userName", &upn)],
                    target_id: String::new(),
                }),
                (Some(Class::Held), Predicted::Held) | (None, Predicted::Disable) => Some(Ev {
                    action: "disable",
                    status: "success",
                    error: None,
                    steps: vec![ctx.import_step(row, false), ctx.scoping_step(row, false, false), matching_found.clone(), export("EntryExportUpdateSoftDelete", "success", "disabled")],
                    modified: vec![("active", "False")],
                    target_id: target.clone(),
                }),
                (Some(Class::Held), _) | (None, Predicted::Held) => Some(Ev {
                    action: "stagedDelete",
                    status: "skipped",
                    error: None,
                    steps: vec![ctx.import_step(row, false), ctx.scoping_step(row, false, false), matching_found.clone()],
                    modified: vec![],
                    target_id: target.clone(),
                }),
                (Some(Class::Unexpected), _) | (None, Predicted::Create) => Some(Ev {
                    action: "create",
                    status: "success",
                    error: None,
                    steps: vec![ctx.import_step(row, true), ctx.scoping_step(row, false, false), matching_add.clone(), export("EntryExportAdd", "success", "created")],
                    modified: vec![("userName", &upn), ("active", "True")],
                    target_id: target.clone(),
                }),
                (None, Predicted::Update) if row % 2 == 0 => Some(Ev {
                    action: "other",
                    status: "skipped",
                    error: None,
                    steps: vec![ctx.import_step(row, false), ctx.scoping_step(row, false, false), matching_found.clone(), step("EntrySynchronizationSkip", "export", "skipped", &format!("The state of the entry in both the source and target systems already match. No change to the User '{upn}' currently needs to be made."), &[("ReportableIdentifier", upn.clone()), ("SkipReason", "RedundantExport".to_string())])],
                    modified: vec![],
                    target_id: target.clone(),
                }),
                (None, Predicted::Update) => Some(Ev {
                    action: "update",
                    status: "success",
                    error: None,
                    steps: vec![ctx.import_step(row, false), ctx.scoping_step(row, false, false), matching_found.clone(), export("EntryExportUpdate", "success", "updated")],
                    modified: vec![("active", "True")],
                    target_id: target.clone(),
                }),
                (None, Predicted::Skip) => Some(Ev {
                    action: "other",
                    status: "skipped",
                    error: None,
                    steps: vec![ctx.import_step(row, false), ctx.scoping_step(row, true, false)],
                    modified: vec![],
                    target_id: String::new(),
                }),
                (None, Predicted::Delete) => Some(Ev {
                    action: "delete",
                    status: "success",
                    error: None,
                    steps: vec![export("EntryExportDelete", "success", "deleted")],
                    modified: vec![],
                    target_id: target.clone(),
                }),
                _ => None,
            };
            if let Some(ev) = ev {
                ctx.write(&mut buf, row, 0, secs, &ctx.cycle, &ev, false);
                emit(w, &mut buf)?;
                // S37: a later reference update never overrides the create.
                if inj.is_none() && p == Predicted::Create && row % 5 == 0 {
                    let manager = uuid(seed, row as u64, 9);
                    let reference = Ev {
                        action: "update",
                        status: "success",
                        error: None,
                        steps: vec![
                            ctx.import_step(row, false),
                            step("EntryReferenceResolution", "referenceResolution", "success", "Resolved the reference attribute `manager`", &[]),
                            export("EntryExportUpdate", "success", "updated"),
                        ],
                        modified: vec![("manager", &manager)],
                        target_id: target.clone(),
                    };
                    ctx.write(&mut buf, row, 1, secs + 600, &ctx.cycle, &reference, false);
                    emit(w, &mut buf)?;
                }
            }
        }
        if shape == LogShape::Array {
            w.write_all(b"]")?;
        }
        Ok(())
    })
    .map_err(|e| io(e, &path))?;
    expected.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    let expected_path = opts.out_dir.join(EXPECTED_CSV);
    crate::output::atomic::write_atomic(&expected_path, |w| {
        writeln!(w, "objectId,class")?;
        for (id, c) in &expected {
            writeln!(w, "{id},{}", c.as_str())?;
        }
        Ok(())
    })
    .map_err(|e| io(e, &expected_path))?;
    Ok(LogGenSummary {
        app: app.name.clone(),
        stage: stage.name.clone(),
        events,
        injected: counts,
        files: vec![path, expected_path],
        notes,
    })
}

impl LogGenSummary {
    /// What `scopesim gen --logs` prints.
    pub fn describe(&self) -> String {
        let injected: Vec<String> = self
            .injected
            .iter()
            .map(|(c, n)| format!("{n} {}", c.as_str()))
            .collect();
        let mut s = format!(
            "generated {} provisioning events for `{}`, stage `{}` (injected: {})\n",
            self.events,
            self.app,
            self.stage,
            if injected.is_empty() {
                "none".to_string()
            } else {
                injected.join(", ")
            }
        );
        for f in &self.files {
            s.push_str(&format!("  {}\n", f.display()));
        }
        for n in &self.notes {
            s.push_str(&format!("  note: {n}\n"));
        }
        s
    }
}

/// `scopesim gen --logs RULES --inject N [--app A] [--stage S] [--logs-format F]`, after
/// the directory was generated in `dir`: loads the rules, writes the log, returns the text
/// to print.
pub fn from_args(
    rules: &Path,
    dir: &Path,
    seed: u64,
    inject: usize,
    app: Option<String>,
    stage: Option<String>,
    format: &str,
) -> Result<String, Errors> {
    let shape = match format.to_ascii_lowercase().as_str() {
        "ndjson" | "jsonl" => LogShape::Ndjson,
        "json" | "array" => LogShape::Array,
        other => {
            return Err(
                Diagnostic::error(Code::Usage, format!("unknown log format `{other}`"))
                    .with_help("use `ndjson` or `json`")
                    .into(),
            );
        }
    };
    let rules = Rules::load(rules, crate::regex::Anchoring::default())?;
    rules.check_selection(app.as_deref(), stage.as_deref())?;
    let opts = LogGenOptions {
        app,
        stage,
        inject,
        seed,
        shape,
        out_dir: dir.to_path_buf(),
    };
    generate_for_directory(&rules, dir, &opts).map(|s| s.describe())
}
