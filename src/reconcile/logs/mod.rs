//! Provisioning-log readers: every shape Microsoft exports one `provisioningObjectSummary`
//! in, streamed into one [`Event`] at a time.
//!
//! The same record reaches an administrator in six shapes (`logs-mappings-reference.md`
//! 1.1): Graph `GET /auditLogs/provisioning` pages (`value`, `@odata.nextLink`), the admin
//! center's JSON download (a bare, minified array), NDJSON written by a paging script, the
//! Log Analytics `AADProvisioningLogs` table (PascalCase columns whose nested objects are JSON
//! *strings*, exported as JSON or CSV), and the storage-account archive of diagnostic
//! settings (an envelope whose `properties` is the Graph object). v1.0 says
//! `provisioningAction` and `provisioningStatusInfo.errorInformation`; beta and older
//! payloads say `action` and a flat `statusInfo` carrying `errorCode` itself; enum values
//! come in any letter case. One reader handles all of them:
//!
//! * **Shape by content, not by name.** A file whose first line is a complete JSON value
//!   is NDJSON (each line parsed from a slice, the fast path); any other JSON is streamed
//!   through `serde_json`'s reader. Either way a top-level value may be an event, an array
//!   of events, a page (`value`), an Event Hub batch (`records`) or an envelope
//!   (`properties`), nested to any of those. A file that is not JSON is read as a Log
//!   Analytics CSV export.
//! * **One event in memory at a time.** Events are deserialized field by field with keys
//!   matched ignoring ASCII case (`json.rs`), nested objects accepted as objects or as
//!   JSON text, and handed to a sink that keeps only what the reduction needs (S37). A
//!   million events of a few kilobytes each never sit in memory together.
//! * **Bad input is located.** A syntax error names the file, line, column and record; a
//!   sink refusing an event (no `sourceIdentity.id`) is reported at the event's end.
//! * **Evidence on the way.** Every byte read is hashed (SHA-256), so reports can state
//!   exactly which log files they stand on without reading them twice.

mod csv;
mod json;

use crate::diag::{Code, Diagnostic, Errors, FileLocation};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

/// What Entra did, as logged (`provisioningAction`, beta `action`, LA `Action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LoggedAction {
    /// `create`.
    Create,
    /// `update`.
    Update,
    /// `delete`.
    Delete,
    /// `disable`.
    Disable,
    /// `stagedDelete` (or `StagedAction`): held by the accidental-deletion threshold.
    StagedDelete,
    /// `other`: no change was made (the source and target already match), or a skip.
    Other,
    /// Absent, or a value Microsoft does not document (`unknownFutureValue`).
    Unknown,
}

impl LoggedAction {
    /// Reads a logged action in any letter case.
    pub fn parse(s: &str) -> LoggedAction {
        let s = s.trim();
        let is = |w: &str| s.eq_ignore_ascii_case(w);
        if is("create") {
            LoggedAction::Create
        } else if is("update") {
            LoggedAction::Update
        } else if is("delete") {
            LoggedAction::Delete
        } else if is("disable") {
            LoggedAction::Disable
        } else if is("stageddelete") || is("stagedaction") {
            LoggedAction::StagedDelete
        } else if is("other") {
            LoggedAction::Other
        } else {
            LoggedAction::Unknown
        }
    }

    /// The spelling of Graph v1.0.
    pub fn as_str(self) -> &'static str {
        match self {
            LoggedAction::Create => "create",
            LoggedAction::Update => "update",
            LoggedAction::Delete => "delete",
            LoggedAction::Disable => "disable",
            LoggedAction::StagedDelete => "stagedDelete",
            LoggedAction::Other => "other",
            LoggedAction::Unknown => "unknown",
        }
    }

    pub(crate) fn from_u8(v: u8) -> LoggedAction {
        match v {
            0 => LoggedAction::Create,
            1 => LoggedAction::Update,
            2 => LoggedAction::Delete,
            3 => LoggedAction::Disable,
            4 => LoggedAction::StagedDelete,
            5 => LoggedAction::Other,
            _ => LoggedAction::Unknown,
        }
    }

    pub(crate) fn to_u8(self) -> u8 {
        match self {
            LoggedAction::Create => 0,
            LoggedAction::Update => 1,
            LoggedAction::Delete => 2,
            LoggedAction::Disable => 3,
            LoggedAction::StagedDelete => 4,
            LoggedAction::Other => 5,
            LoggedAction::Unknown => 6,
        }
    }
}

/// The status of an event or step, ordered by severity (S37: failure > warning > success >
/// skipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Absent or undocumented (`unknownFutureValue`): the least severe.
    Unknown,
    /// `skipped`.
    Skipped,
    /// `success`.
    Success,
    /// `warning`.
    Warning,
    /// `failure`.
    Failure,
}

impl Status {
    /// Reads a status in any letter case (`success`, `Success`, LA `ResultType` values).
    pub fn parse(s: &str) -> Status {
        let s = s.trim();
        let is = |w: &str| s.eq_ignore_ascii_case(w);
        if is("success") {
            Status::Success
        } else if is("failure") || is("failed") {
            Status::Failure
        } else if is("warning") {
            Status::Warning
        } else if is("skipped") {
            Status::Skipped
        } else {
            Status::Unknown
        }
    }

    /// The spelling of Graph v1.0.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unknown => "unknown",
            Status::Skipped => "skipped",
            Status::Success => "success",
            Status::Warning => "warning",
            Status::Failure => "failure",
        }
    }

    pub(crate) fn from_u8(v: u8) -> Status {
        match v {
            1 => Status::Skipped,
            2 => Status::Success,
            3 => Status::Warning,
            4 => Status::Failure,
            _ => Status::Unknown,
        }
    }

    pub(crate) fn to_u8(self) -> u8 {
        self as u8
    }
}

/// A point in time (UTC), to order events: seconds and nanoseconds since 1970.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z (negative before).
    pub secs: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
}

impl Timestamp {
    /// `0001-01-01T00:00:00Z`, .NET's `DateTime.MinValue`: Graph's "never".
    pub const NEVER_SECS: i64 = -62_135_596_800;

    /// Parses ISO 8601 as Graph writes it (`2019-05-04T03:00:54Z`, seven fraction digits,
    /// an offset, or none), and the Log Analytics portal's CSV form
    /// (`7/31/2023, 12:40:37.000 AM`). `None` when it is neither.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let t = text.trim();
        parse_iso(t).or_else(|| parse_portal(t))
    }

    /// True for .NET's minimum date, which Graph writes for "never".
    pub fn is_never(self) -> bool {
        self.secs <= Timestamp::NEVER_SECS
    }

    /// Microseconds since 1970, for compact ordering keys.
    pub fn micros(self) -> i64 {
        self.secs
            .saturating_mul(1_000_000)
            .saturating_add(i64::from(self.nanos / 1000))
    }

    /// Whole seconds between `self` and a later `other` (negative when earlier).
    pub fn seconds_until(self, other: Timestamp) -> i64 {
        other.secs - self.secs
    }

    /// `self` plus `secs` seconds.
    pub fn plus_secs(self, secs: i64) -> Timestamp {
        Timestamp {
            secs: self.secs + secs,
            nanos: self.nanos,
        }
    }
}

impl std::fmt::Display for Timestamp {
    /// `2019-05-04T03:00:54Z` (fractions of a second are not shown).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = crate::value::civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            (rem / 60) % 60,
            rem % 60
        )
    }
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn make_time(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, nanos: u32) -> Option<Timestamp> {
    if !(1..=9999).contains(&y)
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
        || h > 23
        || mi > 59
        || s > 60
    {
        return None;
    }
    Some(Timestamp {
        secs: crate::value::days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s,
        nanos,
    })
}

fn fraction(f: &str) -> Option<u32> {
    if f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut n: u32 = f.parse().ok()?;
    for _ in f.len()..9 {
        n *= 10;
    }
    Some(n)
}

fn parse_iso(t: &str) -> Option<Timestamp> {
    let (date, time) = t.split_once(['T', 't', ' '])?;
    let mut dp = date.splitn(3, '-');
    let (y, mo, d) = (
        digits(dp.next()?)?,
        digits(dp.next()?)?,
        digits(dp.next()?)?,
    );
    // Offset: Z, +hh:mm, -hh:mm, or none (UTC, as downloads are).
    let (clock, offset) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else if let Some(p) = time.rfind(['+', '-']) {
        let (c, o) = time.split_at(p);
        let sign = if o.starts_with('-') { -1 } else { 1 };
        let (oh, om) = o[1..].split_once(':').unwrap_or((&o[1..], "0"));
        let (oh, om) = (digits(oh)?, digits(om)?);
        if oh > 23 || om > 59 {
            return None;
        }
        (c, sign * (oh * 3600 + om * 60))
    } else {
        (time, 0)
    };
    let (hms, frac) = match clock.split_once('.') {
        Some((a, b)) => (a, fraction(b)?),
        None => (clock, 0),
    };
    let mut tp = hms.splitn(3, ':');
    let (h, mi) = (digits(tp.next()?)?, digits(tp.next()?)?);
    let s = tp.next().map_or(Some(0), digits)?;
    let ts = make_time(y, mo, d, h, mi, s, frac)?;
    Some(ts.plus_secs(-offset))
}

/// `7/31/2023, 12:40:37.000 AM` (the Log Analytics portal's CSV export, en-US).
fn parse_portal(t: &str) -> Option<Timestamp> {
    let (date, rest) = t.split_once(',')?;
    let mut dp = date.trim().splitn(3, '/');
    let (mo, d, y) = (
        digits(dp.next()?)?,
        digits(dp.next()?)?,
        digits(dp.next()?)?,
    );
    let rest = rest.trim();
    let (clock, half) = rest.rsplit_once(' ')?;
    let pm = match half {
        "AM" | "am" => false,
        "PM" | "pm" => true,
        _ => return None,
    };
    let (hms, frac) = match clock.split_once('.') {
        Some((a, b)) => (a, fraction(b)?),
        None => (clock, 0),
    };
    let mut tp = hms.splitn(3, ':');
    let (h, mi, s) = (
        digits(tp.next()?)?,
        digits(tp.next()?)?,
        digits(tp.next()?)?,
    );
    if !(1..=12).contains(&h) {
        return None;
    }
    let h = (h % 12) + if pm { 12 } else { 0 };
    make_time(y, mo, d, h, mi, s, frac)
}

/// `provisioningErrorInfo` (v1.0), or the error fields of a flat beta `statusInfo`, or the
/// Log Analytics `ResultSignature` / `ResultDescription` columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorInfo {
    /// `errorCode` (`EntryConflict`, `ContosoEntryConflict`, ...).
    pub code: Option<String>,
    /// `errorCategory` (`failure`, `nonServiceFailure`, ...).
    pub category: Option<String>,
    /// `reason`.
    pub reason: Option<String>,
    /// `recommendedAction`.
    pub recommended_action: Option<String>,
    /// `additionalDetails`.
    pub additional_details: Option<String>,
}

impl ErrorInfo {
    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        self.code.is_none()
            && self.category.is_none()
            && self.reason.is_none()
            && self.recommended_action.is_none()
            && self.additional_details.is_none()
    }
}

/// `servicePrincipal`, `sourceIdentity` or `targetIdentity`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// `id` (for a source identity: the Entra objectId).
    pub id: Option<String>,
    /// `displayName` (or `name`).
    pub display_name: Option<String>,
    /// `identityType` (`User`, `Group`, ...).
    pub identity_type: Option<String>,
    /// `details.UserPrincipalName`, when the record carries it.
    pub upn: Option<String>,
}

/// One of `provisioningSteps`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Step {
    /// `name` (`EntryImportAdd`, `EntrySynchronizationScoping`, ...).
    pub name: String,
    /// `provisioningStepType` (or on-demand `type`), as written.
    pub kind: String,
    /// `status`, as written.
    pub status: String,
    /// `details`: an open dictionary of strings, in file order.
    pub details: Vec<(String, String)>,
}

impl Step {
    /// True when the step is of `kind` (`import`, `scoping`, ...), ignoring case.
    pub fn is(&self, kind: &str) -> bool {
        self.kind.eq_ignore_ascii_case(kind)
    }

    /// A detail by key, ignoring ASCII case.
    pub fn detail(&self, key: &str) -> Option<&str> {
        self.details
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }
}

/// One of `modifiedProperties`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Modified {
    /// `displayName`.
    pub name: String,
    /// `oldValue`.
    pub old: Option<String>,
    /// `newValue`.
    pub new: Option<String>,
}

/// One provisioning event, with the fields reconciliation reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Event {
    /// `activityDateTime` (LA `TimeGenerated`; an envelope's `time` when absent).
    pub time: Option<Timestamp>,
    /// `jobId`.
    pub job_id: Option<String>,
    /// `cycleId`.
    pub cycle_id: Option<String>,
    /// `provisioningAction` (v1.0) or `action` (beta, LA), as written.
    pub action: Option<String>,
    /// `provisioningStatusInfo.status`, flat `statusInfo.status`, or LA `ResultType`.
    pub status: Option<String>,
    /// The error, when the status is not success or skipped.
    pub error: ErrorInfo,
    /// `servicePrincipal` (an object, or the first of an array).
    pub service_principal: Identity,
    /// `sourceIdentity`.
    pub source: Identity,
    /// `targetIdentity`.
    pub target: Identity,
    /// `initiatedBy.initiatorType` (or `initiatingType`).
    pub initiator_type: Option<String>,
    /// `provisioningSteps`.
    pub steps: Vec<Step>,
    /// `modifiedProperties`.
    pub modified: Vec<Modified>,
}

impl Event {
    /// The parsed action.
    pub fn logged_action(&self) -> LoggedAction {
        self.action
            .as_deref()
            .map_or(LoggedAction::Unknown, LoggedAction::parse)
    }

    /// The parsed status.
    pub fn logged_status(&self) -> Status {
        self.status
            .as_deref()
            .map_or(Status::Unknown, Status::parse)
    }

    /// The first step of `kind`.
    pub fn step(&self, kind: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.is(kind))
    }

    /// A `SkipReason` detail of any step.
    pub fn skip_reason(&self) -> Option<&str> {
        self.steps.iter().find_map(|s| s.detail("SkipReason"))
    }
}

/// One log file read, for evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFile {
    /// The path as given.
    pub path: String,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
    /// Events read.
    pub events: u64,
    /// The shape found (`ndjson`, `json`, `csv`).
    pub shape: &'static str,
    /// Graph pages read, and how many carried `@odata.nextLink`.
    pub pages: (u64, u64),
    /// The last page read carried `@odata.nextLink`.
    pub last_page_has_next: bool,
}

/// Receives each event; an `Err` stops reading with that message, located at the event.
pub type Sink<'s> = dyn FnMut(Event) -> Result<(), String> + 's;

/// Reads every file in order, handing each event to `sink`. Errors are located (file,
/// line, column, record); reading stops at the first one of a file, and every file's first
/// error is returned together.
pub fn read_logs(paths: &[impl AsRef<Path>], sink: &mut Sink<'_>) -> Result<Vec<LogFile>, Errors> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        match read_one(p.as_ref(), sink) {
            Ok(f) => files.push(f),
            Err(d) => errors.push(*d),
        }
    }
    match Errors::from_vec(errors) {
        Some(e) => Err(e),
        None => Ok(files),
    }
}

/// Page bookkeeping shared by the JSON readers.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Pages {
    pub(crate) pages: u64,
    pub(crate) with_next: u64,
    pub(crate) last_has_next: bool,
}

/// A `Read` that hashes every byte it passes on, in blocks.
struct Hashing<R> {
    inner: R,
    hash: Rc<RefCell<Sha256>>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut h) = self.hash.try_borrow_mut() {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// UTF-16 (little or big endian) turned into UTF-8 on the fly, so that files written by
/// Windows PowerShell 5.1 (`Out-File` defaults to UTF-16LE) stream like any other.
struct Utf16<R> {
    inner: R,
    little: bool,
    pending: Vec<u8>,
    at: usize,
    carry: Option<u16>,
    odd: Option<u8>,
}

impl<R: Read> Read for Utf16<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at >= self.pending.len() {
            let mut raw = [0u8; 8192];
            let n = self.inner.read(&mut raw)?;
            if n == 0 {
                if self.carry.take().is_some() || self.odd.take().is_some() {
                    self.pending.clear();
                    self.pending.extend_from_slice("\u{fffd}".as_bytes());
                    self.at = 0;
                    continue;
                }
                return Ok(0);
            }
            let mut bytes: Vec<u8> = self.odd.take().into_iter().collect();
            bytes.extend_from_slice(&raw[..n]);
            if bytes.len() % 2 == 1 {
                self.odd = bytes.pop();
            }
            let mut units: Vec<u16> = self.carry.take().into_iter().collect();
            units.extend(bytes.chunks_exact(2).map(|c| {
                if self.little {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            }));
            // Keep a trailing high surrogate for the next block.
            if units.last().is_some_and(|u| (0xd800..0xdc00).contains(u)) {
                self.carry = units.pop();
            }
            self.pending.clear();
            self.at = 0;
            let mut tmp = [0u8; 4];
            for c in char::decode_utf16(units) {
                let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
                self.pending
                    .extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
            }
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The decoded text of a file as a buffered stream, with its hash handle.
type Text = BufReader<Box<dyn Read>>;

fn open(path: &Path) -> Result<(Text, Rc<RefCell<Sha256>>), Box<Diagnostic>> {
    let file = File::open(path).map_err(|e| {
        Box::new(
            Diagnostic::error(
                Code::Io,
                format!("cannot read the provisioning log `{}`: {e}", path.display()),
            )
            .with_help("check the path given to --logs"),
        )
    })?;
    let hash = Rc::new(RefCell::new(Sha256::new()));
    let mut raw = BufReader::with_capacity(
        1 << 20,
        Hashing {
            inner: file,
            hash: hash.clone(),
        },
    );
    let head = raw.fill_buf().map_err(|e| io_error(path, &e))?;
    let inner: Box<dyn Read> = if head.starts_with(&[0xef, 0xbb, 0xbf]) {
        raw.consume(3);
        Box::new(raw)
    } else if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        let little = head[0] == 0xff;
        raw.consume(2);
        Box::new(Utf16 {
            inner: raw,
            little,
            pending: Vec::new(),
            at: 0,
            carry: None,
            odd: None,
        })
    } else {
        Box::new(raw)
    };
    Ok((BufReader::with_capacity(1 << 20, inner), hash))
}

fn io_error(path: &Path, e: &io::Error) -> Box<Diagnostic> {
    Box::new(Diagnostic::error(
        Code::Io,
        format!("cannot read the provisioning log `{}`: {e}", path.display()),
    ))
}

fn finish(hash: &Rc<RefCell<Sha256>>) -> String {
    let digest = hash.replace(Sha256::new()).finalize();
    crate::text::hex(&digest)
}

/// The first byte of a filled buffer (the caller checked it is there).
fn buf_first(text: &mut Text) -> u8 {
    text.fill_buf()
        .ok()
        .and_then(|b| b.first().copied())
        .unwrap_or(b' ')
}

/// Drains what is left of `text` so the hash covers the whole file.
fn drain(text: &mut Text, path: &Path) -> Result<(), Box<Diagnostic>> {
    io::copy(text, &mut io::sink())
        .map(|_| ())
        .map_err(|e| io_error(path, &e))
}

fn read_one(path: &Path, sink: &mut Sink<'_>) -> Result<LogFile, Box<Diagnostic>> {
    let (mut text, hash) = open(path)?;
    let shown = path.display().to_string();
    // Skip leading white space to see the first byte, counting the lines skipped.
    let mut skipped_lines = 0u64;
    let first = loop {
        let buf = text.fill_buf().map_err(|e| io_error(path, &e))?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                skipped_lines += buf[..i].iter().filter(|&&b| b == b'\n').count() as u64;
                text.consume(i);
                break Some(buf_first(&mut text));
            }
            None if buf.is_empty() => break None,
            None => {
                let n = buf.len();
                skipped_lines += buf.iter().filter(|&&b| b == b'\n').count() as u64;
                text.consume(n);
            }
        }
    };
    let mut file = LogFile {
        path: shown.clone(),
        sha256: String::new(),
        events: 0,
        shape: "json",
        pages: (0, 0),
        last_page_has_next: false,
    };
    let mut pages = Pages::default();
    match first {
        None => {
            return Err(Box::new(
                Diagnostic::error(
                    Code::LogSyntax,
                    format!("the provisioning log `{shown}` is empty"),
                )
                .at(FileLocation::file(&shown))
                .with_help("export the logs again (Graph `GET /auditLogs/provisioning`, or Download > JSON in the admin center)"),
            ));
        }
        Some(b'[' | b'{') => {
            let (events, shape) = json::read(&mut text, &shown, sink, &mut pages, skipped_lines)?;
            file.events = events;
            file.shape = shape;
        }
        Some(_) => {
            file.events = csv::read(&mut text, &shown, sink, skipped_lines)?;
            file.shape = "csv";
        }
    }
    drain(&mut text, path)?;
    drop(text);
    file.sha256 = finish(&hash);
    file.pages = (pages.pages, pages.with_next);
    file.last_page_has_next = pages.last_has_next;
    Ok(file)
}

/// A located error in a log file.
pub(crate) fn located(
    code: Code,
    path: &str,
    message: String,
    line: Option<u64>,
    column: Option<u64>,
    record: Option<u64>,
) -> Box<Diagnostic> {
    let mut at = FileLocation::file(path);
    if let Some(l) = line {
        at = at.at_line(l);
        if let Some(c) = column {
            at = at.at_column(c);
        }
    }
    if let Some(r) = record {
        at = at.at_record(r);
    }
    Box::new(Diagnostic::error(code, message).at(at).with_help(
        "provisioning logs are read as Graph `GET /auditLogs/provisioning` pages, the admin center's JSON download, NDJSON, or a Log Analytics `AADProvisioningLogs` export (JSON or CSV)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_every_shape() {
        let a = Timestamp::parse("2019-05-04T03:00:54Z").unwrap();
        assert_eq!(a.to_string(), "2019-05-04T03:00:54Z");
        let b = Timestamp::parse("2026-07-17T13:03:13.4270244Z").unwrap();
        assert_eq!(b.nanos, 427_024_400);
        let c = Timestamp::parse("2019-05-04T05:00:54+02:00").unwrap();
        assert_eq!(c, a);
        let d = Timestamp::parse("5/4/2019, 3:00:54.000 AM").unwrap();
        assert_eq!(d, a);
        let e = Timestamp::parse("5/4/2019, 3:00:54 PM").unwrap();
        assert_eq!(e.secs - a.secs, 12 * 3600);
        assert!(Timestamp::parse("0001-01-01T00:00:00Z").unwrap().is_never());
        assert!(Timestamp::parse("yesterday").is_none());
        assert!(Timestamp::parse("2019-13-04T03:00:54Z").is_none());
        assert!(Timestamp::parse("99999999999999-01-01T00:00:00Z").is_none());
        assert!(Timestamp::parse("2019-05-04T03:00:54+99999999999999:00").is_none());
    }

    #[test]
    fn actions_and_statuses_in_any_case() {
        assert_eq!(LoggedAction::parse("Create"), LoggedAction::Create);
        assert_eq!(
            LoggedAction::parse("stageddelete"),
            LoggedAction::StagedDelete
        );
        assert_eq!(
            LoggedAction::parse("StagedAction"),
            LoggedAction::StagedDelete
        );
        assert_eq!(
            LoggedAction::parse("unknownFutureValue"),
            LoggedAction::Unknown
        );
        assert_eq!(Status::parse("SKIPPED"), Status::Skipped);
        assert!(Status::Failure > Status::Warning && Status::Warning > Status::Success);
        assert!(Status::Success > Status::Skipped);
        for a in 0..7u8 {
            assert_eq!(LoggedAction::from_u8(a).to_u8(), a);
        }
        for s in 0..5u8 {
            assert_eq!(Status::from_u8(s).to_u8(), s);
        }
    }

    #[test]
    fn utf16_streams_as_utf8() {
        let text = "[{\"a\":\"é😀\"}]\n";
        let mut bytes = vec![0xff, 0xfe];
        for u in text.encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let mut r = Utf16 {
            inner: &bytes[2..],
            little: true,
            pending: Vec::new(),
            at: 0,
            carry: None,
            odd: None,
        };
        let mut out = String::new();
        r.read_to_string(&mut out).unwrap();
        assert_eq!(out, text);
    }
}
