//! After go-live: reconcile a finished plan with Entra's provisioning logs (S37, S38).
//!
//! A consumer of [`crate::pipeline::Run`], beside `report` and `review`: it takes the
//! plan's prediction for every user at one stage of one app, streams the provisioning logs
//! (`logs`), reduces their events to one outcome per object and cycle (`reduce`, S37),
//! pairs each user's prediction with the logged outcome (`pair`, S38) and classifies it:
//! as predicted, mismatch, failed, held, not processed yet, or unexpected. Where the log's
//! scoping step disagrees, its `ScopeEvaluationResult` is compared clause by clause with
//! scopesim's own results (`scope`), and the import step's values tell a data change from
//! a fidelity difference. A job-status export is explained on the side (`job`). The
//! result is plain data ([`Reconciliation`]); `render` turns it into a terminal summary,
//! JSON, CSV and the per-user report, `html` into the audit page; `generate` writes logs
//! consistent with a plan, with discrepancies injected, for demos, tests and benchmarks.

pub mod generate;
pub mod html;
pub mod job;
pub mod logs;
pub mod output;
pub mod pair;
pub mod reduce;
pub mod render;
pub mod scope;

use crate::diag::{Code, Diagnostic, Errors};
use crate::pipeline::Run;
use crate::pipeline::evidence::InputRef;
use crate::rollout::{AppResult, StageResult};
use job::JobExplanation;
use logs::LogFile;
use pair::{Class, Logged, Pairing, Predicted};
use reduce::{AppSelector, Context, Cycle, Entry, Reducer, UserIndex};
use scope::ScopeIndex;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Which cycles of the logs to compare.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CycleChoice {
    /// The latest full cycle [decision]: the latest cycle with at least half as many events
    /// as the largest one (a full cycle evaluates every object; an incremental one only
    /// changes). Said in the output.
    #[default]
    LatestFull,
    /// Every cycle; each object's outcome from the latest cycle it appears in.
    All,
    /// These cycle ids; each object's outcome from the latest of them it appears in.
    Ids(Vec<String>),
}

impl CycleChoice {
    /// From `--cycle` values: none is the latest full cycle, `all` every cycle.
    pub fn from_args(values: &[String]) -> CycleChoice {
        if values.is_empty() {
            CycleChoice::LatestFull
        } else if values.iter().any(|v| v.eq_ignore_ascii_case("all")) {
            CycleChoice::All
        } else {
            CycleChoice::Ids(values.to_vec())
        }
    }
}

/// What to reconcile.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The finished simulation.
    pub run: &'a Run,
    /// The app (`None`: the only one).
    pub app: Option<&'a str>,
    /// The stage (`None`: the app's last).
    pub stage: Option<&'a str>,
    /// Provisioning-log files, read in order.
    pub logs: &'a [PathBuf],
    /// How the logs name the app (`servicePrincipal` name or id, or `jobId`); the app's
    /// name when `None`.
    pub log_app: Option<&'a str>,
    /// The cycles to compare.
    pub cycles: &'a CycleChoice,
    /// A job-status export to explain.
    pub job_status: Option<&'a Path>,
}

/// Counts per class, serialized as the JSON `counts` object.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts([u64; 6]);

impl Counts {
    /// The count of one class.
    pub fn get(&self, c: Class) -> u64 {
        self.0[c as usize]
    }

    fn add(&mut self, c: Class) {
        self.0[c as usize] += 1;
    }

    /// Users in a class other than as predicted.
    pub fn discrepancies(&self) -> u64 {
        self.0.iter().skip(1).sum()
    }
}

impl Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(6))?;
        for c in Class::ALL {
            m.serialize_entry(c.as_str(), &self.get(c))?;
        }
        m.end()
    }
}

/// One user (or log object) in a class other than as predicted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Discrepancy {
    /// objectId (`""` for a target-state account the directory lacks).
    #[serde(rename = "objectId")]
    pub object_id: String,
    /// userPrincipalName, when known.
    #[serde(rename = "userPrincipalName")]
    pub upn: String,
    /// The class.
    pub class: Class,
    /// The plan's action (`create`, `held`, ...).
    pub predicted: String,
    /// The logged outcome (`skip NotEffectivelyEntitled`, `create failure`, `none`).
    pub logged: String,
    /// Why, in words.
    pub reason: String,
    /// The first clause whose result differs, with both results.
    pub clause: Option<String>,
    /// The reason without per-user values, for the top reasons.
    #[serde(skip)]
    pub summary: String,
}

/// A finished reconciliation.
#[derive(Debug, Clone)]
pub struct Reconciliation {
    /// The app.
    pub app: String,
    /// The stage.
    pub stage: String,
    /// Users per class.
    pub counts: Counts,
    /// Every user in a class other than as predicted, by class, UPN and objectId.
    pub discrepancies: Vec<Discrepancy>,
    /// The job status explained, when one was given.
    pub job: Option<JobExplanation>,
    /// Every input (rules, directory, assignments, logs, job status) with its hash.
    pub inputs: Vec<InputRef>,
    /// Every cycle of the app's events, in order of first appearance.
    pub cycles: Vec<Cycle>,
    /// The ids of the cycles compared.
    pub compared: Vec<String>,
    /// Which cycles were compared and why.
    pub cycle_note: String,
    /// Events read, and those of the app.
    pub events: (u64, u64),
    /// Warnings (unknown values, other objects, a truncated export, ...).
    pub warnings: Vec<Diagnostic>,
}

impl Reconciliation {
    /// True when any user is in a class other than as predicted, or the job needs
    /// attention: `reconcile` exits 1.
    pub fn failed(&self) -> bool {
        self.counts.discrepancies() > 0
            || self
                .job
                .as_ref()
                .is_some_and(JobExplanation::needs_attention)
    }

    /// The most common reasons: (class, reason summary, users), most frequent first.
    pub fn top_reasons(&self, n: usize) -> Vec<(Class, String, u64)> {
        let mut by: BTreeMap<(Class, &str), u64> = BTreeMap::new();
        for d in &self.discrepancies {
            *by.entry((d.class, d.summary.as_str())).or_insert(0) += 1;
        }
        let mut v: Vec<(Class, String, u64)> = by
            .into_iter()
            .map(|((c, s), k)| (c, s.to_string(), k))
            .collect();
        v.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
        v.truncate(n);
        v
    }
}

/// The app and stage a request names, in the rollout.
fn target<'r>(
    run: &'r Run,
    app: Option<&str>,
    stage: Option<&str>,
) -> Result<(&'r AppResult, &'r StageResult), Errors> {
    let apps = &run.evaluated.rollout.apps;
    let names = || {
        apps.iter()
            .map(|a| format!("`{}`", a.name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let a = match app {
        Some(n) => apps.iter().find(|a| a.name == n).ok_or_else(|| {
            Diagnostic::error(Code::UnknownApp, format!("no app `{n}` in the rules"))
                .with_help(format!("apps: {}", names()))
        })?,
        None => match apps.as_slice() {
            [one] => one,
            _ => {
                return Err(Diagnostic::error(
                    Code::Usage,
                    "the rules define several apps; name the one the logs are for".to_string(),
                )
                .with_help(format!("pass `--app NAME`; apps: {}", names()))
                .into());
            }
        },
    };
    let s = match stage {
        Some(n) => a.stages.iter().find(|s| s.name == n).ok_or_else(|| {
            let stages: Vec<String> = a.stages.iter().map(|s| format!("`{}`", s.name)).collect();
            Diagnostic::error(
                Code::UnknownStage,
                format!("app `{}` has no stage `{n}`", a.name),
            )
            .with_help(format!("stages: {}", stages.join(", ")))
        })?,
        None => a.stages.last().ok_or_else(|| {
            Diagnostic::error(Code::UnknownStage, format!("app `{}` has no stage", a.name))
        })?,
    };
    Ok((a, s))
}

/// The logs read and reduced for one app and stage.
struct Read<'r> {
    reducer: Reducer<'r>,
    files: Vec<LogFile>,
}

fn read_logs<'r>(
    run: &'r Run,
    scope: &'r ScopeIndex,
    index: &'r UserIndex,
    selector: &'r AppSelector,
    logs: &[PathBuf],
    only_row: Option<usize>,
) -> Result<Read<'r>, Errors> {
    let ctx = Context {
        plan: &run.evaluated.plan,
        outcomes: &run.evaluated.outcomes,
        dir: &run.directory,
        scope,
        index,
        selector,
        only_row,
    };
    let mut reducer = Reducer::new(ctx);
    let files = logs::read_logs(logs, &mut |ev| reducer.push(ev))?;
    if reducer.stats.app_events == 0 || reducer.cycles().is_empty() {
        let mut others: Vec<(&String, &u64)> = reducer.stats.other_apps.iter().collect();
        others.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let listed: Vec<String> = others
            .iter()
            .take(5)
            .map(|(n, k)| format!("`{n}` ({k})"))
            .collect();
        let wanted = selector
            .names()
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(" or ");
        let (message, help) = if reducer.stats.app_events > 0 {
            (
                format!("the logs hold events for {wanted}, but none about a user"),
                "scopesim reconciles users; export the user provisioning events".to_string(),
            )
        } else if listed.is_empty() {
            (
                format!("the logs hold no event for {wanted} ({} events read)", reducer.stats.events),
                "export the logs of the app (Graph `$filter=servicePrincipal/displayName eq '...'`)".to_string(),
            )
        } else {
            (
                format!("the logs hold no event for {wanted}"),
                format!(
                    "events are for: {}; name the app as the logs do with `--log-app`",
                    listed.join(", ")
                ),
            )
        };
        return Err(Diagnostic::error(Code::LogNoEvents, message)
            .with_rule("S36")
            .with_help(help)
            .into());
    }
    Ok(Read { reducer, files })
}

/// Picks the cycles to compare; returns their indexes and a sentence saying why.
fn choose_cycles(cycles: &[Cycle], choice: &CycleChoice) -> Result<(Vec<usize>, String), Errors> {
    let label = |c: &Cycle| {
        let id = if c.id.is_empty() {
            "(no cycleId)"
        } else {
            &c.id
        };
        let span = match (c.first, c.last) {
            (Some(f), Some(l)) => format!(", {f} to {l}"),
            _ => String::new(),
        };
        format!("{id} ({} events{span})", c.events)
    };
    match choice {
        CycleChoice::All => Ok((
            (0..cycles.len()).collect(),
            format!(
                "compared every cycle ({}); each user's outcome is from the latest cycle it appears in",
                cycles.len()
            ),
        )),
        CycleChoice::Ids(ids) => {
            let mut out = Vec::new();
            for id in ids {
                match cycles.iter().position(|c| c.id.eq_ignore_ascii_case(id)) {
                    Some(i) => out.push(i),
                    None => {
                        let known: Vec<String> = cycles.iter().take(8).map(label).collect();
                        return Err(Diagnostic::error(
                            Code::LogUnknownCycle,
                            format!("the logs hold no cycle `{id}` for this app"),
                        )
                        .with_help(format!("cycles: {}", known.join("; ")))
                        .into());
                    }
                }
            }
            let named: Vec<String> = out
                .iter()
                .filter_map(|&i| cycles.get(i))
                .map(label)
                .collect();
            Ok((out, format!("compared cycle {}", named.join(", "))))
        }
        CycleChoice::LatestFull => {
            let max = cycles.iter().map(|c| c.events).max().unwrap_or(0);
            let best = cycles
                .iter()
                .enumerate()
                .filter(|(_, c)| c.events * 2 >= max)
                .max_by_key(|(i, c)| (c.last, c.first, *i))
                .map(|(i, _)| i);
            let Some(best) = best else {
                return Ok((Vec::new(), "no cycle to compare".to_string()));
            };
            let others = cycles.len() - 1;
            let mut note = format!(
                "compared cycle {}, the latest full cycle",
                cycles.get(best).map(label).unwrap_or_default()
            );
            if others > 0 {
                note.push_str(&format!(
                    "; {others} other cycle{} not compared (`--cycle ID` or `--cycle all` to choose)",
                    if others == 1 { "" } else { "s" }
                ));
            }
            Ok((vec![best], note))
        }
    }
}

/// What the reason of a discrepancy needs to know about the user and stage.
struct Why<'a> {
    app: &'a AppResult,
    stage: &'a StageResult,
    run: &'a Run,
    row: Option<usize>,
}

fn why_words(stage: &StageResult, row: usize) -> String {
    serde_json::to_value(stage.why(row))
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('-', " ")))
        .unwrap_or_default()
}

/// The reason, the clause and the summary of one pairing.
fn explain(
    w: &Why<'_>,
    pairing: Pairing,
    predicted: Predicted,
    logged: Option<&Logged<'_>>,
    entry: Option<&Entry>,
) -> (String, Option<String>, String) {
    let p = predicted.as_str();
    let l = logged.map_or_else(|| "none".to_string(), Logged::describe);
    let clause = entry.and_then(Entry::clause);
    let clause_text = clause.map(scope::ClauseDiff::clause_text);
    let deprov = w.stage.deprovisions();
    let threshold = w.app.deletion_threshold;
    let (reason, summary) = match pairing {
        Pairing::Agrees => (String::new(), String::new()),
        Pairing::Failure => {
            let e = entry.and_then(Entry::error);
            let code = e.and_then(|e| e.code.as_deref()).unwrap_or("failure");
            let mut r = match e {
                Some(e) => {
                    let mut r = code.to_string();
                    if let Some(c) = &e.category {
                        r.push_str(&format!(" ({c})"));
                    }
                    if let Some(reason) = &e.reason {
                        r.push_str(&format!(": {reason}"));
                    }
                    if let Some(a) = &e.recommended_action {
                        r.push_str(&format!("; recommended action: {a}"));
                    }
                    r
                }
                None => format!("logged {l} with no error information"),
            };
            r.push_str(&format!(" (predicted {p})"));
            (
                r,
                format!("{code} on {}", logged.map_or("", |x| x.action.as_str())),
            )
        }
        Pairing::HeldByEntra => {
            let t = match threshold {
                Some(t) => format!("within the threshold of {t}"),
                None => "and the rules set no deletion threshold".to_string(),
            };
            (
                format!(
                    "Entra held the {p} (stagedDelete): the plan predicts {deprov} disables and deletes at this stage, {t}; Entra also counts groups, and its threshold may differ (compare the job's QuarantineTooManyDeletesThreshold)"
                ),
                "held by Entra, not by the plan".to_string(),
            )
        }
        Pairing::NotHeldByEntra => (
            format!(
                "the plan holds this deprovisioning ({deprov} disables and deletes over the threshold of {}), but Entra carried it out ({l}): the deletes were allowed, or Entra's threshold differs",
                threshold.unwrap_or(0)
            ),
            "held by the plan, not by Entra".to_string(),
        ),
        Pairing::NoEvent => (
            format!(
                "predicted {p}, no event in the compared cycle: the cycle may not have reached the user yet"
            ),
            format!("predicted {p}, no event"),
        ),
        Pairing::Unexpected => {
            let why = match w.row {
                Some(r) => format!(
                    "the plan does nothing to this user ({})",
                    why_words(w.stage, r)
                ),
                None => {
                    "the object is not in the directory export (deleted since, or another tenant's)"
                        .to_string()
                }
            };
            (
                format!("logged {l}, but {why}"),
                format!("logged {l} for a user the plan leaves alone"),
            )
        }
        Pairing::Differs => {
            let mut notes: Vec<String> = Vec::new();
            if let Some(c) = clause {
                notes.push(c.cause_text());
            }
            if let (Some(row), Some(e)) = (w.row, entry) {
                let facts = e.scope();
                let cand = w.app.candidacy(row);
                if facts.assigned == Some(false) && cand.is_candidate() {
                    notes.push("Entra says not assigned to the application, the assignments export says assigned (assignment changed, or replication delay)".to_string());
                } else if facts.assigned == Some(true) && !cand.is_candidate() {
                    notes.push(
                        "Entra says assigned to the application, the assignments export does not"
                            .to_string(),
                    );
                }
                let active = w.run.evaluated.rollout.active.get(row);
                if facts.active == Some(false) && active {
                    notes.push(
                        "Entra says not active in the source system, the export says active"
                            .to_string(),
                    );
                } else if facts.active == Some(true) && !active {
                    notes.push(
                        "Entra says active in the source system, the export says not".to_string(),
                    );
                }
                if clause.is_none() {
                    if let Some(passed) = facts.passed {
                        let ours = w.run.evaluated.outcomes.scoping(w.stage.stage).get(row)
                            && w.run.evaluated.outcomes.input(w.stage.stage).get(row);
                        if passed != ours {
                            notes.push(format!(
                                "Entra's scoping filter evaluation {}, scopesim's {}",
                                if passed { "passed" } else { "failed" },
                                if ours { "passes" } else { "fails" }
                            ));
                        }
                    }
                }
            }
            let kind = logged.map(Logged::kind);
            match (predicted, kind) {
                (Predicted::Create, Some(pair::LoggedKind::Update | pair::LoggedKind::NoChange)) => notes.push(
                    "Entra matched an existing account: give the app's accounts with `--target-state`".to_string(),
                ),
                (Predicted::Update | Predicted::Disable, Some(pair::LoggedKind::Create)) => notes.push(
                    "Entra found no account for a user the plan counts as managed".to_string(),
                ),
                (Predicted::Skip, Some(pair::LoggedKind::Disable | pair::LoggedKind::Delete | pair::LoggedKind::StagedDelete)) => notes.push(
                    "Entra manages an account the plan does not know of: give the app's accounts with `--target-state`".to_string(),
                ),
                (_, Some(pair::LoggedKind::Unknown)) => notes.push("an action Microsoft does not document".to_string()),
                _ => {}
            }
            let mut r = format!("predicted {p}, logged {l}");
            for n in &notes {
                r.push_str("; ");
                r.push_str(n);
            }
            (r, format!("predicted {p}, logged {l}"))
        }
    };
    (reason, clause_text, summary)
}

fn upn_of(run: &Run, row: usize) -> (String, String) {
    let dir = &run.directory;
    let get = |c: &str| {
        dir.column(c)
            .and_then(|col| dir.value(row, col))
            .unwrap_or("")
            .to_string()
    };
    (get("objectId"), get("userPrincipalName"))
}

/// Reconciles the plan with the logs.
pub fn reconcile(req: &Request<'_>) -> Result<Reconciliation, Errors> {
    let run = req.run;
    let (app, stage) = target(run, req.app, req.stage)?;
    let index = UserIndex::new(&run.directory)?;
    let scope = ScopeIndex::new(&run.evaluated.plan, stage.stage);
    let selector = AppSelector::new([req.log_app.unwrap_or(&app.name).to_string()]);
    let read = read_logs(run, &scope, &index, &selector, req.logs, None)?;
    let reducer = &read.reducer;
    let (chosen, cycle_note) = choose_cycles(reducer.cycles(), req.cycles)?;
    let outcomes = reducer.outcomes(&chosen);
    let w = |row: Option<usize>| Why {
        app,
        stage,
        run,
        row,
    };
    let mut counts = Counts::default();
    let mut discrepancies = Vec::new();
    let mut clause_only = 0u64;
    let n = run.directory.len();
    for row in 0..n {
        let predicted = pair::predict(stage, row);
        let entry = outcomes.get(row).copied().flatten();
        let logged = entry.map(Entry::logged);
        let pairing = pair::pair(predicted, logged.as_ref());
        let class = pairing.class();
        counts.add(class);
        if class == Class::AsPredicted {
            if entry.and_then(Entry::clause).is_some() {
                clause_only += 1;
            }
            continue;
        }
        let (reason, clause, summary) =
            explain(&w(Some(row)), pairing, predicted, logged.as_ref(), entry);
        let (object_id, upn) = upn_of(run, row);
        discrepancies.push(Discrepancy {
            object_id,
            upn,
            class,
            predicted: predicted.as_str().to_string(),
            logged: logged.map_or_else(|| "none".to_string(), |l| l.describe()),
            reason,
            clause,
            summary,
        });
    }
    // Objects of the logs that the directory lacks: a target-state account gone from the
    // directory (predicted delete), or something the plan knows nothing of.
    let orphan_action = |key: &str| {
        app.orphans
            .iter()
            .position(|o| o.key.eq_ignore_ascii_case(key))
            .and_then(|i| stage.orphan_actions.get(i).map(|(a, _)| (i, *a)))
    };
    let mut orphan_seen = vec![false; app.orphans.len()];
    for (fi, f) in reducer.foreign().iter().enumerate() {
        let Some(entry) = outcomes.get(n + fi).copied().flatten() else {
            continue;
        };
        let found = orphan_action(&f.id).or_else(|| f.upn.as_deref().and_then(orphan_action));
        let predicted = match found {
            Some((i, a)) => {
                if let Some(s) = orphan_seen.get_mut(i) {
                    *s = true;
                }
                Predicted::from_action(a, stage.held)
            }
            None => Predicted::None,
        };
        let logged = entry.logged();
        let pairing = pair::pair(predicted, Some(&logged));
        let class = pairing.class();
        if class == Class::AsPredicted {
            continue;
        }
        counts.add(class);
        let (reason, clause, summary) =
            explain(&w(None), pairing, predicted, Some(&logged), Some(entry));
        discrepancies.push(Discrepancy {
            object_id: f.id.clone(),
            upn: f.upn.clone().unwrap_or_default(),
            class,
            predicted: predicted.as_str().to_string(),
            logged: logged.describe(),
            reason,
            clause,
            summary,
        });
    }
    for (i, o) in app.orphans.iter().enumerate() {
        if orphan_seen.get(i).copied().unwrap_or(true) {
            continue;
        }
        let Some((a, _)) = stage.orphan_actions.get(i) else {
            continue;
        };
        let predicted = Predicted::from_action(*a, stage.held);
        let pairing = pair::pair(predicted, None);
        let class = pairing.class();
        if class == Class::AsPredicted {
            continue;
        }
        counts.add(class);
        let (reason, clause, summary) = explain(&w(None), pairing, predicted, None, None);
        discrepancies.push(Discrepancy {
            object_id: String::new(),
            upn: o.key.clone(),
            class,
            predicted: predicted.as_str().to_string(),
            logged: "none".to_string(),
            reason,
            clause,
            summary,
        });
    }
    discrepancies
        .sort_by(|a, b| (a.class, &a.upn, &a.object_id).cmp(&(b.class, &b.upn, &b.object_id)));

    let mut warnings = warnings(&read, &cycle_note, clause_only);
    // S36 in spirit: a reconciliation where most predicted actions have no event says more
    // about the logs chosen than about the users.
    let acting = (0..n).filter(|&r| pair::predict(stage, r).acts()).count() as u64
        + stage
            .orphan_actions
            .iter()
            .filter(|(a, _)| Predicted::from_action(*a, stage.held).acts())
            .count() as u64;
    let missing = counts.get(Class::NotProcessed);
    if acting >= 10 && missing * 2 > acting {
        warnings.push(
            Diagnostic::warning(
                Code::LogPartialCycle,
                format!(
                    "{missing} of the {acting} users the plan acts on have no event in the compared cycle: it may be an incremental cycle, a cycle still running, or the logs of another stage"
                ),
            )
            .with_rule("S37")
            .with_help("compare the full cycle after the stage was saved (`--cycle ID`), or export the logs of that cycle"),
        );
    }
    let mut inputs = run.evidence.inputs.clone();
    inputs.extend(read.files.iter().map(|f| InputRef {
        role: "logs".to_string(),
        path: f.path.clone(),
        sha256: f.sha256.clone(),
        records: Some(f.events),
    }));
    let job = match req.job_status {
        Some(path) => {
            let ids: Vec<String> = reducer.stats.job_ids.keys().cloned().collect();
            let (job, w, input) = job::read_job_status(path, &ids, app.deletion_threshold)?;
            warnings.extend(w);
            inputs.push(input);
            Some(job)
        }
        None => None,
    };
    Ok(Reconciliation {
        app: app.name.clone(),
        stage: stage.name.clone(),
        counts,
        discrepancies,
        job,
        inputs,
        cycles: reducer.cycles().to_vec(),
        compared: chosen
            .iter()
            .filter_map(|&i| reducer.cycles().get(i).map(|c| c.id.clone()))
            .collect(),
        cycle_note,
        events: (reducer.stats.events, reducer.stats.app_events),
        warnings,
    })
}

fn listed(map: &BTreeMap<String, u64>) -> String {
    map.iter()
        .take(5)
        .map(|(k, v)| format!("`{k}` ({v})"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn warnings(read: &Read<'_>, cycle_note: &str, clause_only: u64) -> Vec<Diagnostic> {
    let s = &read.reducer.stats;
    let mut w = vec![Diagnostic::info(Code::LogCycle, cycle_note.to_string()).with_rule("S37")];
    // A complete Graph export has one page without `@odata.nextLink`, the last.
    let (pages, with_next) = read
        .files
        .iter()
        .fold((0, 0), |(p, n), f| (p + f.pages.0, n + f.pages.1));
    if pages > 0 && with_next == pages {
        let last = read.files.iter().rev().find(|f| f.last_page_has_next);
        w.push(
            Diagnostic::warning(
                Code::LogNextLink,
                format!(
                    "every Graph page given has `@odata.nextLink` (the last in `{}`): the export stops before the end of the logs",
                    last.map_or("", |f| f.path.as_str())
                ),
            )
            .with_rule("S36")
            .with_help("follow `@odata.nextLink` until a page has none, and pass every page"),
        );
    }
    if !s.unknown_actions.is_empty() {
        w.push(
            Diagnostic::warning(
                Code::LogUnknownValue,
                format!(
                    "{} with an action Microsoft does not document: {}",
                    crate::diag::count(s.unknown_actions.values().sum::<u64>(), "event", "events"),
                    listed(&s.unknown_actions)
                ),
            )
            .with_rule("S38")
            .with_help("documented actions: create, update, delete, stagedDelete, disable, other"),
        );
    }
    if !s.unknown_statuses.is_empty() {
        w.push(
            Diagnostic::warning(
                Code::LogUnknownValue,
                format!(
                    "{} with a status Microsoft does not document: {}",
                    crate::diag::count(s.unknown_statuses.values().sum::<u64>(), "event", "events"),
                    listed(&s.unknown_statuses)
                ),
            )
            .with_rule("S38")
            .with_help("documented statuses: success, warning, failure, skipped"),
        );
    }
    if !s.other_types.is_empty() {
        w.push(Diagnostic::info(
            Code::LogOtherObjects,
            format!(
                "{} about objects other than users not reconciled: {}",
                crate::diag::count(s.other_types.values().sum::<u64>(), "event", "events"),
                listed(&s.other_types)
            ),
        ));
    }
    if s.no_cycle > 0 {
        w.push(Diagnostic::warning(
            Code::LogShape,
            format!(
                "{} no `cycleId`; they are treated as one cycle",
                crate::diag::count(s.no_cycle, "event has", "events have")
            ),
        ));
    }
    if s.scope_errors.0 > 0 {
        w.push(
            Diagnostic::warning(
                Code::LogScopeResult,
                format!(
                    "{} a `ScopeEvaluationResult` scopesim cannot read (first: {})",
                    crate::diag::count(s.scope_errors.0, "event has", "events have"),
                    s.scope_errors.1.as_deref().unwrap_or("")
                ),
            )
            .with_rule("S38"),
        );
    }
    if clause_only > 0 {
        w.push(
            Diagnostic::warning(
                Code::LogClauseDisagreement,
                format!(
                    "{} a clause result that differs from scopesim's although the action agrees",
                    crate::diag::count(clause_only, "user has", "users have")
                ),
            )
            .with_rule("S38")
            .with_help("run `scopesim explain --logs` for one of them to see the clause"),
        );
    }
    w
}

/// One user's logged outcome, for `explain --logs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserOutcome {
    /// The app.
    pub app: String,
    /// The stage.
    pub stage: String,
    /// The plan's action.
    pub predicted: String,
    /// The logged outcome (`none` without an event).
    pub logged: String,
    /// The class.
    pub class: Class,
    /// Why, in words (empty when as predicted).
    pub reason: String,
    /// The first clause whose result differs.
    pub clause: Option<String>,
    /// The cycle compared.
    pub cycle: Option<String>,
    /// Events of this user reduced into the outcome (S37).
    pub events: u32,
}

/// The logged outcome of directory user `row`, paired with the plan (S37, S38): the hook
/// `explain --logs` prints after the explanation.
pub fn user_outcome(
    run: &Run,
    app: Option<&str>,
    stage: Option<&str>,
    row: usize,
    logs: &[PathBuf],
    log_app: Option<&str>,
) -> Result<UserOutcome, Errors> {
    let (a, s) = target(run, app, stage)?;
    let index = UserIndex::new(&run.directory)?;
    let scope = ScopeIndex::new(&run.evaluated.plan, s.stage);
    let selector = AppSelector::new([log_app.unwrap_or(&a.name).to_string()]);
    let read = read_logs(run, &scope, &index, &selector, logs, Some(row))?;
    let (chosen, _) = choose_cycles(read.reducer.cycles(), &CycleChoice::LatestFull)?;
    let outcomes = read.reducer.outcomes(&chosen);
    let entry = outcomes.get(row).copied().flatten();
    let predicted = pair::predict(s, row);
    let logged = entry.map(Entry::logged);
    let pairing = pair::pair(predicted, logged.as_ref());
    let w = Why {
        app: a,
        stage: s,
        run,
        row: Some(row),
    };
    let (reason, clause, _) = explain(&w, pairing, predicted, logged.as_ref(), entry);
    Ok(UserOutcome {
        app: a.name.clone(),
        stage: s.name.clone(),
        predicted: predicted.as_str().to_string(),
        logged: logged.map_or_else(|| "none".to_string(), |l| l.describe()),
        class: pairing.class(),
        reason,
        clause,
        cycle: chosen
            .first()
            .and_then(|&i| read.reducer.cycles().get(i))
            .map(|c| c.id.clone()),
        events: entry.map_or(0, Entry::events),
    })
}
