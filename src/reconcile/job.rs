//! The provisioning job's status (`GET /servicePrincipals/{id}/synchronization/jobs/{jobId}`),
//! explained in words (`logs-mappings-reference.md` section 2).
//!
//! Everything in a `synchronizationJob` is documented and deterministic, so an exported
//! status can be explained offline: the status code (GD-SSTATUS), the schedule, quarantine
//! and its reason (GD-QUAR, ED-QUAR), whether steady state was ever reached
//! (`0001-01-01T00:00:00Z` is .NET's minimum date: never), the last execution's counts
//! against the escrow rules of ED-QUAR (evaluation from 5,000 failures; quarantine above
//! 40 % of events or 40,000 failures, reference failures excluded; 60,000 in all), and the
//! accidental-deletion threshold (`QuarantineTooManyDeletesThreshold`). "Now" is never read
//! from the clock: ages are measured to the latest time the status itself states, so the
//! explanation of a file is the same whenever it is run.

use super::logs::Timestamp;
use crate::diag::{Code, Diagnostic, Errors, FileLocation};
use serde::Serialize;
use serde_json::Value;
use std::path::Path;

/// Escrow failures from which Entra evaluates quarantine (ED-QUAR).
pub const ESCROW_EVALUATION_MIN: u64 = 5_000;
/// Share of failed events above which Entra quarantines (ED-QUAR).
pub const ESCROW_PROPORTION: f64 = 0.40;
/// Failures (reference failures excluded) above which Entra quarantines (ED-QUAR).
pub const ESCROW_TOTAL: u64 = 40_000;
/// Failures of any kind above which Entra quarantines (ED-QUAR).
pub const ESCROW_ABSOLUTE: u64 = 60_000;
/// Days in quarantine after which Entra disables the job (ED-QUAR: "more than four weeks").
pub const QUARANTINE_DISABLE_DAYS: i64 = 28;

/// The explanation of one job's status, as the `job` object of the JSON output.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct JobExplanation {
    /// The job id.
    pub id: Option<String>,
    /// The template (`scim`, `BoxOutDelta`, ...).
    pub template_id: Option<String>,
    /// `status.code`.
    pub code: Option<String>,
    /// What the code means.
    pub code_meaning: String,
    /// `schedule.state` and `schedule.interval`, in words.
    pub schedule: Option<String>,
    /// Quarantine, when the job is in one.
    pub quarantine: Option<Quarantine>,
    /// Steady state: when first and last reached, or never.
    pub steady_state: String,
    /// The last execution, in words.
    pub last_execution: Option<String>,
    /// The escrow rules applied to the last execution's counts.
    pub escrow: Option<String>,
    /// `QuarantineTooManyDeletesThreshold`, when set.
    pub deletion_threshold: Option<u64>,
    /// Consecutive complete failures.
    pub successive_failures: Option<u64>,
    /// What to do next, most urgent first.
    pub next_steps: Vec<String>,
}

/// A job's quarantine.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Quarantine {
    /// `reason`.
    pub reason: Option<String>,
    /// What the reason means.
    pub meaning: String,
    /// `error.code` and `error.message`.
    pub error: Option<String>,
    /// `seriesBegan`.
    pub series_began: Option<String>,
    /// `nextAttempt`.
    pub next_attempt: Option<String>,
    /// `seriesCount`: times re-evaluated and left in effect.
    pub series_count: Option<u64>,
    /// Days in quarantine, measured to the latest time the status states.
    pub days: Option<i64>,
    /// When Entra disables the job if the quarantine lasts (seriesBegan + 4 weeks).
    pub disabled_after: Option<String>,
}

impl JobExplanation {
    /// True when the job needs attention (quarantine, failures, not running).
    pub fn needs_attention(&self) -> bool {
        self.quarantine.is_some()
            || self
                .code
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case("Quarantine"))
            || self.successive_failures.unwrap_or(0) > 0
    }
}

/// A member by name, ignoring ASCII case.
fn get<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    let o = v.as_object()?;
    o.get(key).or_else(|| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

fn text<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    get(v, key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn number(v: &Value, key: &str) -> Option<u64> {
    let x = get(v, key)?;
    x.as_u64()
        .or_else(|| x.as_str().and_then(|s| s.trim().parse().ok()))
}

fn time(v: &Value, key: &str) -> Option<Timestamp> {
    text(v, key).and_then(Timestamp::parse)
}

/// What a status code means (GD-SSTATUS).
pub fn code_meaning(code: &str) -> &'static str {
    match code.to_ascii_lowercase().as_str() {
        "notconfigured" => "never run: no authorization was provided (admin credentials)",
        "notrun" => "configured, and possibly started, but it has not completed its first run",
        "active" => "running periodically",
        "paused" => "paused (usually by an administrator); its state is preserved",
        "quarantine" => {
            "a high volume of errors, or a critical error such as revoked or expired credentials; cycles run less and less often, down to once a day"
        }
        _ => "a status code Microsoft does not document",
    }
}

/// What a quarantine reason means (GD-QUAR, ED-QUAR).
pub fn reason_meaning(reason: &str) -> &'static str {
    match reason.to_ascii_lowercase().as_str() {
        "toomanydeletes" => {
            "TooManyDeletes: one cycle would disable or delete more accounts than the accidental-deletion threshold allows; those actions are held (logged as stagedDelete) until an administrator allows them"
        }
        "encounteredescrowproportionthreshold" => {
            "EncounteredEscrowProportionThreshold: more than 40% of provisioning events failed (evaluated from 5,000 failures; reference failures are not counted)"
        }
        "encounteredtotalescrowthreshold" => {
            "EncounteredTotalEscrowThreshold: too many failures in all (more than 40,000 non-reference failures, or 60,000 of any kind)"
        }
        "encounteredbaseescrowthreshold" => {
            "EncounteredBaseEscrowThreshold: the failures reached the base escrow threshold at which Entra quarantines"
        }
        "encounteredquarantineexception" => {
            "EncounteredQuarantineException: a critical error, usually invalid admin credentials; the service cannot connect to the target system"
        }
        "quarantinedondemand" | "quarantineondemand" => {
            "QuarantinedOnDemand: Microsoft detected an issue with the application and set the quarantine manually"
        }
        "ingestioninterrupted" => {
            "IngestionInterrupted: reading from the source was interrupted (Microsoft does not document more)"
        }
        "unknown" => "Unknown: Microsoft gives no reason",
        _ => "a quarantine reason Microsoft does not document",
    }
}

/// An ISO-8601 duration (`PT40M`, `P1D`, `P10675199DT2H48M5.4775807S`) in words.
pub fn interval_words(interval: &str) -> String {
    if interval.starts_with("P10675199D") {
        // .NET TimeSpan.MaxValue: a template job that never runs (ED-API, GD-JOBGET).
        return "never (TimeSpan.MaxValue)".to_string();
    }
    let Some(rest) = interval.strip_prefix('P') else {
        return interval.to_string();
    };
    let mut parts = Vec::new();
    let mut num = String::new();
    let mut in_time = false;
    for c in rest.chars() {
        match c {
            'T' => in_time = true,
            '0'..='9' | '.' => num.push(c),
            u => {
                let unit = match (u, in_time) {
                    ('D', _) => "day",
                    ('W', _) => "week",
                    ('H', true) => "hour",
                    ('M', true) => "minute",
                    ('S', true) => "second",
                    ('M', false) => "month",
                    ('Y', _) => "year",
                    _ => return interval.to_string(),
                };
                let plural = if num == "1" { "" } else { "s" };
                parts.push(format!("{num} {unit}{plural}"));
                num.clear();
            }
        }
    }
    if parts.is_empty() {
        interval.to_string()
    } else {
        format!("every {}", parts.join(" "))
    }
}

fn days_between(a: Timestamp, b: Timestamp) -> i64 {
    a.seconds_until(b).div_euclid(86_400)
}

/// Explains one job object.
pub fn explain(job: &Value, rules_threshold: Option<u64>) -> (JobExplanation, Vec<Diagnostic>) {
    let status = get(job, "status").unwrap_or(&Value::Null);
    let code = text(status, "code").map(str::to_string);
    let schedule = get(job, "schedule").map(|s| {
        let state = text(s, "state").unwrap_or("unknown");
        match text(s, "interval") {
            Some(i) => format!("{state}, {}", interval_words(i)),
            None => state.to_string(),
        }
    });
    let mut latest: Option<Timestamp> = None;
    let mut see = |t: Option<Timestamp>| {
        if let Some(t) = t.filter(|t| !t.is_never()) {
            latest = Some(latest.map_or(t, |l| l.max(t)));
        }
    };
    let last = get(status, "lastExecution").filter(|v| v.is_object());
    let quarantine_v = get(status, "quarantine").filter(|v| v.is_object());
    if let Some(l) = last {
        see(time(l, "timeBegan"));
        see(time(l, "timeEnded"));
    }
    if let Some(q) = quarantine_v {
        see(time(q, "currentBegan"));
        see(time(q, "seriesBegan"));
    }
    see(time(status, "steadyStateLastAchievedTime"));
    let quarantine = quarantine_v.map(|q| {
        let reason = text(q, "reason").map(str::to_string);
        let began = time(q, "seriesBegan").filter(|t| !t.is_never());
        let error = get(q, "error").and_then(|e| {
            let c = text(e, "code").filter(|c| !c.eq_ignore_ascii_case("None"))?;
            Some(match text(e, "message") {
                Some(m) => format!("{c}: {m}"),
                None => c.to_string(),
            })
        });
        let meaning = match &reason {
            Some(r) => reason_meaning(r).to_string(),
            None if error.is_some() => {
                "no reason given; the error below is what put the job in quarantine".to_string()
            }
            None => "no reason given".to_string(),
        };
        Quarantine {
            meaning,
            error,
            series_began: began.map(|t| t.to_string()),
            next_attempt: time(q, "nextAttempt")
                .filter(|t| !t.is_never())
                .map(|t| t.to_string()),
            series_count: number(q, "seriesCount"),
            days: began.zip(latest).map(|(b, l)| days_between(b, l)),
            disabled_after: began
                .map(|b| b.plus_secs(QUARANTINE_DISABLE_DAYS * 86_400).to_string()),
            reason,
        }
    });
    let first = time(status, "steadyStateFirstAchievedTime");
    let last_steady = time(status, "steadyStateLastAchievedTime");
    let steady_state = match (first, last_steady) {
        (Some(f), Some(l)) if !f.is_never() => format!(
            "reached: first at {f}, last at {l} (steady state: no more changes to process)"
        ),
        (None, None) => "not stated".to_string(),
        _ => "never reached (0001-01-01T00:00:00Z): the initial cycle has not completed, so users may not have been processed yet".to_string(),
    };
    let mut escrow = None;
    let last_execution = last.map(|l| {
        let state = text(l, "state").unwrap_or("unknown");
        let exports = number(l, "countExports").unwrap_or(0);
        let exported = number(l, "countExported").unwrap_or(0);
        let escrowed = number(l, "countEscrowed").unwrap_or(0);
        let raw = number(l, "countEscrowedRaw").unwrap_or(escrowed);
        let when = match (time(l, "timeBegan"), time(l, "timeEnded")) {
            (Some(b), Some(e)) if !b.is_never() => format!(" from {b} to {e}"),
            (Some(b), None) if !b.is_never() => format!(" from {b}"),
            _ => String::new(),
        };
        let err = get(l, "error")
            .and_then(|e| text(e, "code"))
            .filter(|c| !c.eq_ignore_ascii_case("None"))
            .map(|c| format!("; error {c}"))
            .unwrap_or_default();
        escrow = Some(escrow_words(escrowed, raw, exports));
        format!(
            "{state}{when}: {exported} of {exports} exports done, {escrowed} escrowed (failed) entries{err}"
        )
    });
    let deletion_threshold = get(job, "synchronizationJobSettings")
        .and_then(Value::as_array)
        .and_then(|settings| {
            settings.iter().find_map(|s| {
                let name = text(s, "name")?;
                name.eq_ignore_ascii_case("QuarantineTooManyDeletesThreshold")
                    .then(|| number(s, "value"))
                    .flatten()
            })
        });
    let mut warnings = Vec::new();
    if let (Some(j), Some(r)) = (deletion_threshold, rules_threshold) {
        if j != r {
            warnings.push(
                Diagnostic::warning(
                    Code::JobThresholdDiffers,
                    format!("the job's accidental-deletion threshold is {j}, the rules say {r}: the plan holds deletes at a different count than Entra"),
                )
                .with_rule("S27")
                .with_help("set `deletion_threshold` in the rules to the job's `QuarantineTooManyDeletesThreshold`"),
            );
        }
    }
    let mut e = JobExplanation {
        id: text(job, "id").map(str::to_string),
        template_id: text(job, "templateId").map(str::to_string),
        code_meaning: code
            .as_deref()
            .map_or("not stated", code_meaning)
            .to_string(),
        code,
        schedule,
        quarantine,
        steady_state,
        last_execution,
        escrow,
        deletion_threshold,
        successive_failures: number(status, "countSuccessiveCompleteFailures"),
        next_steps: Vec::new(),
    };
    e.next_steps = next_steps(&e, status);
    (e, warnings)
}

fn escrow_words(escrowed: u64, raw: u64, exports: u64) -> String {
    let share = if exports > 0 {
        escrowed as f64 / exports as f64
    } else {
        0.0
    };
    let pct = format!("{:.1}%", share * 100.0);
    let verdict = if raw > ESCROW_ABSOLUTE {
        format!("over the absolute limit of {ESCROW_ABSOLUTE} failures: quarantine expected")
    } else if escrowed < ESCROW_EVALUATION_MIN {
        format!(
            "below the {ESCROW_EVALUATION_MIN} failures from which Entra evaluates escrow quarantine"
        )
    } else if escrowed > ESCROW_TOTAL {
        format!(
            "over {ESCROW_TOTAL} failures: quarantine expected (EncounteredTotalEscrowThreshold)"
        )
    } else if share > ESCROW_PROPORTION {
        "over 40% of events: quarantine expected (EncounteredEscrowProportionThreshold)".to_string()
    } else {
        "within the 40% and 40,000 rules".to_string()
    };
    format!(
        "{escrowed} failures of {exports} expected exports ({pct}; {raw} including system escrows): {verdict}; reference failures (manager, group members) are excluded from the 40% and 40,000 rules, and the status does not separate them"
    )
}

fn next_steps(e: &JobExplanation, status: &Value) -> Vec<String> {
    let mut steps = Vec::new();
    if let Some(q) = &e.quarantine {
        let reason = q.reason.as_deref().unwrap_or("").to_ascii_lowercase();
        steps.push(match reason.as_str() {
            "toomanydeletes" => "review the held deletes (the users classified `held` and logged `stagedDelete`); if they are intended, choose Allow deletes on the app's Provisioning page (or restart the job with `resetScope` `ForceDeletes`), otherwise fix the scoping or assignments and restart".to_string(),
            "encounteredquarantineexception" => "re-enter valid admin credentials on the app's Provisioning page and Test Connection, then restart provisioning".to_string(),
            "encounteredescrowproportionthreshold" | "encounteredtotalescrowthreshold" | "encounteredbaseescrowthreshold" => "fix the failing entries (the `failed` users, with their error codes), then restart provisioning to clear the escrows".to_string(),
            "quarantinedondemand" | "quarantineondemand" => "contact Microsoft support: the quarantine was set by Microsoft".to_string(),
            _ => "read the Quarantine activity in the audit logs and the failing provisioning events, fix the cause, then restart provisioning".to_string(),
        });
        if let Some(d) = &q.disabled_after {
            steps.push(if q.days.is_some_and(|n| n >= QUARANTINE_DISABLE_DAYS) {
                format!("the quarantine reached four weeks on {d}: Entra disables a job quarantined for more than four weeks, so fix the cause now")
            } else {
                format!("act before {d}: a job in quarantine for more than four weeks is disabled")
            });
        }
    }
    match e.code.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("notconfigured") => steps.push(
            "authorize the job (admin credentials on the Provisioning page) and start it"
                .to_string(),
        ),
        Some("notrun") => steps.push(
            "wait for the first cycle to complete; users without events are `not processed yet`"
                .to_string(),
        ),
        Some("paused") => {
            steps.push("start provisioning again when the pause is no longer wanted".to_string())
        }
        _ => {}
    }
    if e.steady_state.starts_with("never") && e.quarantine.is_none() {
        steps.push(
            "the initial cycle is still running: reconcile again after it completes".to_string(),
        );
    }
    if get(status, "escrowsPruned").and_then(Value::as_bool) == Some(true) {
        steps.push("escrows were pruned during the initial cycle instead of quarantining: the job pauses after it, until the errors are cleaned up".to_string());
    }
    if steps.is_empty() {
        steps.push("nothing: the job is running".to_string());
    }
    steps
}

/// Reads a job-status file: one job, `{"value": [jobs]}` or an array. With several jobs,
/// the one whose id is among `job_ids` (those of the app's events) is taken.
pub fn read_job_status(
    path: &Path,
    job_ids: &[String],
    rules_threshold: Option<u64>,
) -> Result<
    (
        JobExplanation,
        Vec<Diagnostic>,
        crate::pipeline::evidence::InputRef,
    ),
    Errors,
> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(
            Code::Io,
            format!("cannot read the job status `{shown}`: {e}"),
        )
    })?;
    let decoded = crate::text::decode_text(&bytes).map_err(|(line, col)| {
        Diagnostic::error(
            Code::Encoding,
            format!("the job status `{shown}` is not valid UTF-8"),
        )
        .at(FileLocation::file(&shown).at_line(line).at_column(col))
    })?;
    let v: Value = serde_json::from_str(&decoded).map_err(|e| {
        Diagnostic::error(Code::JobStatus, format!("the job status is not JSON: {e}"))
            .at(FileLocation::file(&shown)
                .at_line(e.line() as u64)
                .at_column(e.column() as u64))
            .with_help(
                "save the response of `GET /servicePrincipals/{id}/synchronization/jobs/{jobId}`",
            )
    })?;
    let jobs: Vec<&Value> = match (&v, get(&v, "value")) {
        (_, Some(Value::Array(a))) => a.iter().collect(),
        (Value::Array(a), _) => a.iter().collect(),
        (o, _) => vec![o],
    };
    let job = match jobs.as_slice() {
        [one] => *one,
        many => many
            .iter()
            .copied()
            .find(|j| {
                text(j, "id").is_some_and(|id| job_ids.iter().any(|k| k.eq_ignore_ascii_case(id)))
            })
            .ok_or_else(|| {
                let ids: Vec<String> = many
                    .iter()
                    .filter_map(|j| text(j, "id"))
                    .map(|i| format!("`{i}`"))
                    .collect();
                Diagnostic::error(
                    Code::JobStatus,
                    format!(
                        "the job status holds {} jobs and none is the job of the logs",
                        many.len()
                    ),
                )
                .at(FileLocation::file(&shown))
                .with_help(format!(
                    "jobs in the file: {}; save the app's own job",
                    ids.join(", ")
                ))
            })?,
    };
    if get(job, "status").is_none() {
        return Err(Diagnostic::error(
            Code::JobStatus,
            "the job status has no `status` object".to_string(),
        )
        .at(FileLocation::file(&shown))
        .with_help(
            "save the response of `GET /servicePrincipals/{id}/synchronization/jobs/{jobId}`",
        )
        .into());
    }
    let (e, w) = explain(job, rules_threshold);
    use sha2::Digest;
    let input = crate::pipeline::evidence::InputRef {
        role: "job-status".to_string(),
        path: shown,
        sha256: crate::text::hex(&sha2::Sha256::digest(&bytes)),
        records: Some(1),
    };
    Ok((e, w, input))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_in_words() {
        assert_eq!(interval_words("PT40M"), "every 40 minutes");
        assert_eq!(interval_words("PT1M"), "every 1 minute");
        assert_eq!(interval_words("P1D"), "every 1 day");
        assert_eq!(
            interval_words("P10675199DT2H48M5.4775807S"),
            "never (TimeSpan.MaxValue)"
        );
    }

    #[test]
    fn escrow_rules_of_ed_quar() {
        // ED-QUAR's own examples.
        assert!(escrow_words(4_000, 4_000, 5_000).contains("below the 5000"));
        assert!(escrow_words(45_000, 45_000, 200_000).contains("over 40000"));
        assert!(escrow_words(30_000, 30_000, 35_000).contains("over 40% of events"));
        assert!(escrow_words(20_000, 20_000, 120_000).contains("within"));
        assert!(escrow_words(40_000, 61_000, 200_000).contains("absolute"));
    }
}
