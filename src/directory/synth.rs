//! Synthetic directories: `scopesim gen --users N --seed S --out DIR`.
//!
//! Writes an Entra ID tenant export (users, groups, group members, app assignments) that
//! looks like the real thing to a scoping-filter simulator: mostly members with some
//! guests (`#EXT#` UPNs), disabled and blank `accountEnabled`, departments with blank,
//! wrong-case and trailing-space variants, lower-case country codes, non-integer
//! `extensionAttribute1` values, non-ASCII names, and groups assigned to apps, one of
//! which nests another group whose members Entra does not provision.
//!
//! # Why it is shaped like this
//!
//! * **Reproducible to the byte.** Demos, snapshot tests and benchmarks compare files, so
//!   the output is a pure function of `(users, seed, formats, json_page_size)`. The PRNG
//!   (`synth/rng.rs`: SplitMix64 + xoshiro256**) is written here rather than taken from a
//!   crate, so an upgrade cannot change it; word lists and weights are static tables
//!   (`synth/data.rs`); the manifest holds no timestamp or path; a test pins the SHA-256
//!   of a small directory. Each *user* gets its own PRNG stream seeded from
//!   `(seed, user index)`, a finer grain than `(seed, block index)`, so a user does not
//!   even depend on the block size; its name pair comes from a seeded shuffle of all
//!   (given name, surname) pairs, which makes `given.surname{n}` unique without a shared
//!   counter. Thread count cannot matter: blocks of [`BLOCK_USERS`] users are generated
//!   in parallel into private buffers and written strictly in block order. Group ids and
//!   `$skiptoken`s come from streams of their own.
//! * **Fast enough for 4,000,000 users.** Rayon fills a window of blocks while the
//!   calling thread writes the previous window (double buffering). A user is built in a
//!   reused scratch `String`; its columns are spans of it or `&'static str`s from the
//!   word lists (`synth/user.rs`), and the CSV and JSON encoders (`synth/encode.rs`) append
//!   to reused per-block `Vec<u8>`s, so the steady state allocates nothing per user.
//!   1,000,000 users to CSV take under a second in release on 2 cores.
//! * **No half-written outputs.** Every file is written to a temporary file in the output
//!   directory and renamed into place only once all of them are complete (manifest
//!   last); on error the temporaries are removed.
//! * **Shapes of real exports.** `users.csv` follows the Entra admin center "Download
//!   users" CSV; `users.json` is what paging through Graph `GET /v1.0/users?$select=...`
//!   returns (an array of pages of up to 999 users); group and assignment files are
//!   plain CSV because Entra has no single export for them. The group layout is fixed
//!   (see `synth/groups.rs`). Group memberships are written in user order (the order in
//!   which they are generated), group-in-group rows first.

mod data;
mod encode;
mod groups;
mod rng;
mod user;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use encode::{GRAPH_SELECT, csv_field, csv_header, csv_row, graph_user};
use groups::{GROUPS, group_ids};
use rng::{Rng, STREAM_PAGE};
use user::{DirectBy, NamePlan, Record, col};

pub use user::CSV_COLUMNS;

/// Users per generation block (the unit of parallel work).
pub const BLOCK_USERS: usize = 16_384;
/// Users per page of `users.json`: the maximum `$top` Graph accepts for `/users`.
pub const DEFAULT_JSON_PAGE_SIZE: usize = 999;
/// Largest directory `generate` accepts.
pub const MAX_USERS: usize = 100_000_000;
/// Version of the generated content; bump when any output changes for a given seed.
pub const FORMAT_VERSION: u32 = 1;

/// Header of `assignments.csv`.
pub const ASSIGNMENTS_HEADER: &str = "app,principalType,principalId";
/// Header of `group-members.csv`.
pub const GROUP_MEMBERS_HEADER: &str = "groupId,memberId,memberType";
/// Header of `groups.csv`.
pub const GROUPS_HEADER: &str = "groupId,displayName";

/// File names inside the output directory.
pub const USERS_CSV: &str = "users.csv";
pub const USERS_JSON: &str = "users.json";
pub const USERS_NDJSON: &str = "users.ndjson";
pub const ASSIGNMENTS_CSV: &str = "assignments.csv";
pub const GROUP_MEMBERS_CSV: &str = "group-members.csv";
pub const GROUPS_CSV: &str = "groups.csv";
pub const MANIFEST_JSON: &str = "manifest.json";

const GRAPH_ROOT: &str = "https://graph.microsoft.com/v1.0";

/// A users file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GenFormat {
    /// `users.csv`, the Entra admin center "Download users" shape.
    Csv,
    /// `users.json`, an array of Graph `/users` response pages.
    Json,
    /// `users.ndjson`, one Graph user object per line.
    Ndjson,
}

impl GenFormat {
    /// All formats, in the order their files are written.
    pub const ALL: [GenFormat; 3] = [GenFormat::Csv, GenFormat::Json, GenFormat::Ndjson];

    /// The name used on the command line and in the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            GenFormat::Csv => "csv",
            GenFormat::Json => "json",
            GenFormat::Ndjson => "ndjson",
        }
    }

    /// The users file this format produces.
    pub fn file_name(self) -> &'static str {
        match self {
            GenFormat::Csv => USERS_CSV,
            GenFormat::Json => USERS_JSON,
            GenFormat::Ndjson => USERS_NDJSON,
        }
    }
}

impl std::fmt::Display for GenFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for GenFormat {
    type Err = GenError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(GenFormat::Csv),
            "json" => Ok(GenFormat::Json),
            "ndjson" | "jsonl" => Ok(GenFormat::Ndjson),
            _ => Err(GenError::InvalidOptions(format!(
                "unknown format {s:?} (expected csv, json or ndjson)"
            ))),
        }
    }
}

/// What to generate and where.
#[derive(Debug, Clone)]
pub struct GenOptions {
    /// Number of users (0 is allowed and gives empty user files).
    pub users: usize,
    pub seed: u64,
    /// Created if missing.
    pub out_dir: PathBuf,
    /// Users files to write; duplicates are ignored, order does not matter.
    pub formats: Vec<GenFormat>,
    /// Users per `users.json` page, 1..=999 (Graph's maximum; default 999).
    pub json_page_size: usize,
}

impl GenOptions {
    /// `users.csv` only, 999 users per JSON page.
    pub fn new(users: usize, seed: u64, out_dir: impl Into<PathBuf>) -> Self {
        Self {
            users,
            seed,
            out_dir: out_dir.into(),
            formats: vec![GenFormat::Csv],
            json_page_size: DEFAULT_JSON_PAGE_SIZE,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GenSummary {
    pub users: usize,
    /// `userType` Guest.
    pub guests: usize,
    /// `accountEnabled` False (blank is not counted).
    pub disabled: usize,
    /// Rows of `groups.csv`.
    pub groups: usize,
    /// Rows of `assignments.csv`.
    pub assignments: usize,
    /// `accountEnabled` blank / JSON null.
    pub account_enabled_blank: usize,
    /// Rows of `group-members.csv` (user and group members).
    pub group_memberships: usize,
    /// Users whose only membership is a nested group of an assigned group.
    pub nested_only_users: usize,
    /// Users assigned to Salesforce directly (rows of type User in `assignments.csv`).
    pub direct_assignments: usize,
    /// Paths of the files written, manifest last.
    pub files: Vec<PathBuf>,
}

impl GenSummary {
    /// What `scopesim gen` prints: the counts, then every file written.
    pub fn describe(&self, out_dir: &std::path::Path) -> String {
        let mut s = format!(
            "generated {} users ({} guests, {} disabled), {} groups, {} assignments in {}\n",
            self.users,
            self.guests,
            self.disabled,
            self.groups,
            self.assignments,
            out_dir.display()
        );
        for f in &self.files {
            s.push_str(&format!("  {}\n", f.display()));
        }
        s
    }
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("invalid generator options: {0}")]
    InvalidOptions(String),
    #[error("cannot create output directory {}: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot move the finished file into place as {}: {source}", path.display())]
    Persist {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot encode {}: {source}", path.display())]
    Encode {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// Generate a synthetic directory into `opts.out_dir`.
///
/// Runs on the current rayon pool; the files do not depend on its size. Existing files
/// of the same names are replaced; other files in the directory are left alone.
///
/// # Errors
///
/// [`GenError::InvalidOptions`] before anything is written; otherwise an I/O error
/// naming the file. Files are renamed into place only after all of them are complete
/// (data files first, `manifest.json` last), so a failure leaves no partial file.
pub fn generate(opts: &GenOptions) -> Result<GenSummary, GenError> {
    let formats = validate(opts)?;
    let dir = opts.out_dir.as_path();
    fs::create_dir_all(dir).map_err(|source| GenError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;

    let ctx = Ctx {
        seed: opts.seed,
        users: opts.users,
        page_size: opts.json_page_size,
        csv: formats.contains(&GenFormat::Csv),
        json: formats.contains(&GenFormat::Json),
        ndjson: formats.contains(&GenFormat::Ndjson),
        group_ids: group_ids(opts.seed),
        names: NamePlan::new(opts.seed),
        graph_context: format!("{GRAPH_ROOT}/$metadata#users({GRAPH_SELECT})"),
        next_link: format!(
            "{GRAPH_ROOT}/users?$select={GRAPH_SELECT}&$top={}&$skiptoken=",
            opts.json_page_size
        ),
    };

    let mut sinks = Sinks {
        csv: ctx.csv.then(|| Sink::create(dir, USERS_CSV)).transpose()?,
        json: ctx
            .json
            .then(|| Sink::create(dir, USERS_JSON))
            .transpose()?,
        ndjson: ctx
            .ndjson
            .then(|| Sink::create(dir, USERS_NDJSON))
            .transpose()?,
        assignments: Sink::create(dir, ASSIGNMENTS_CSV)?,
        members: Sink::create(dir, GROUP_MEMBERS_CSV)?,
        groups: Sink::create(dir, GROUPS_CSV)?,
    };
    let mut totals = Counts::default();
    let group_assignments = write_prologue(&ctx, &mut sinks, &mut totals)?;
    write_users(&ctx, &mut sinks, &mut totals)?;
    write_epilogue(&ctx, &mut sinks)?;

    let summary_counts = GenSummary {
        users: totals.users,
        guests: totals.guests,
        disabled: totals.disabled,
        groups: GROUPS.len(),
        assignments: group_assignments + totals.direct,
        account_enabled_blank: totals.enabled_blank,
        group_memberships: totals.memberships,
        nested_only_users: totals.nested_only,
        direct_assignments: totals.direct,
        files: Vec::new(),
    };
    let mut files: Vec<Sink> = [sinks.csv, sinks.json, sinks.ndjson]
        .into_iter()
        .flatten()
        .chain([sinks.groups, sinks.members, sinks.assignments])
        .collect();
    let mut manifest = Sink::create(dir, MANIFEST_JSON)?;
    let names: Vec<&str> = files
        .iter()
        .map(|s| s.name)
        .chain([MANIFEST_JSON])
        .collect();
    let bytes = manifest_json(opts, &formats, &summary_counts, &names).map_err(|source| {
        GenError::Encode {
            path: manifest.path.clone(),
            source,
        }
    })?;
    manifest.write(&bytes)?;
    files.push(manifest);

    let mut paths = Vec::with_capacity(files.len());
    for sink in files {
        paths.push(sink.persist()?);
    }
    Ok(GenSummary {
        files: paths,
        ..summary_counts
    })
}

/// Checks options; returns the requested formats, deduplicated, in canonical order.
fn validate(opts: &GenOptions) -> Result<Vec<GenFormat>, GenError> {
    if opts.users > MAX_USERS {
        return Err(GenError::InvalidOptions(format!(
            "--users {} is above the maximum of {MAX_USERS}",
            opts.users
        )));
    }
    if !(1..=DEFAULT_JSON_PAGE_SIZE).contains(&opts.json_page_size) {
        return Err(GenError::InvalidOptions(format!(
            "JSON page size {} is outside 1..={DEFAULT_JSON_PAGE_SIZE} (Graph's limit for /users)",
            opts.json_page_size
        )));
    }
    let formats: Vec<GenFormat> = GenFormat::ALL
        .into_iter()
        .filter(|f| opts.formats.contains(f))
        .collect();
    if formats.is_empty() {
        return Err(GenError::InvalidOptions(
            "no users file format requested (choose csv, json and/or ndjson)".to_owned(),
        ));
    }
    Ok(formats)
}

/// Everything a block needs, shared read-only by the workers.
struct Ctx {
    seed: u64,
    users: usize,
    page_size: usize,
    csv: bool,
    json: bool,
    ndjson: bool,
    group_ids: Vec<String>,
    names: NamePlan,
    graph_context: String,
    next_link: String,
}

/// An output file being written: a temporary file in the output directory.
struct Sink {
    name: &'static str,
    path: PathBuf,
    file: tempfile::NamedTempFile,
}

impl Sink {
    fn create(dir: &Path, name: &'static str) -> Result<Self, GenError> {
        let path = dir.join(name);
        let mut builder = tempfile::Builder::new();
        builder.prefix(".scopesim-gen-").suffix(".tmp");
        // NamedTempFile defaults to 0600; outputs are ordinary files, so ask for 0666
        // and let the umask decide, as `File::create` would.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let file = builder.tempfile_in(dir).map_err(|source| GenError::Write {
            path: path.clone(),
            source,
        })?;
        Ok(Self { name, path, file })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), GenError> {
        self.file
            .as_file_mut()
            .write_all(bytes)
            .map_err(|source| GenError::Write {
                path: self.path.clone(),
                source,
            })
    }

    fn persist(self) -> Result<PathBuf, GenError> {
        let Self { path, file, .. } = self;
        file.persist(&path).map_err(|e| GenError::Persist {
            path: path.clone(),
            source: e.error,
        })?;
        Ok(path)
    }
}

struct Sinks {
    csv: Option<Sink>,
    json: Option<Sink>,
    ndjson: Option<Sink>,
    assignments: Sink,
    members: Sink,
    groups: Sink,
}

/// Tallies of one block, summed over blocks.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    users: usize,
    guests: usize,
    disabled: usize,
    enabled_blank: usize,
    memberships: usize,
    nested_only: usize,
    direct: usize,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.users += o.users;
        self.guests += o.guests;
        self.disabled += o.disabled;
        self.enabled_blank += o.enabled_blank;
        self.memberships += o.memberships;
        self.nested_only += o.nested_only;
        self.direct += o.direct;
    }
}

/// Headers, `groups.csv`, group assignments and group-in-group rows. Returns the
/// number of group assignments.
fn write_prologue(ctx: &Ctx, sinks: &mut Sinks, totals: &mut Counts) -> Result<usize, GenError> {
    let mut buf = Vec::with_capacity(4096);
    if let Some(s) = sinks.csv.as_mut() {
        csv_header(&mut buf);
        s.write(&buf)?;
    }
    if let Some(s) = sinks.json.as_mut() {
        s.write(b"[\n")?;
    }

    buf.clear();
    header(&mut buf, GROUPS_HEADER);
    for (def, id) in GROUPS.iter().zip(&ctx.group_ids) {
        line(&mut buf, &[id, def.name]);
    }
    sinks.groups.write(&buf)?;

    buf.clear();
    header(&mut buf, ASSIGNMENTS_HEADER);
    let mut assigned = 0;
    for (def, id) in GROUPS.iter().zip(&ctx.group_ids) {
        if let Some(app) = def.app {
            line(&mut buf, &[app, "Group", id]);
            assigned += 1;
        }
    }
    sinks.assignments.write(&buf)?;

    buf.clear();
    header(&mut buf, GROUP_MEMBERS_HEADER);
    for (def, id) in GROUPS.iter().zip(&ctx.group_ids) {
        if let Some(parent) = def.nested_in.and_then(|p| ctx.group_ids.get(p)) {
            line(&mut buf, &[parent, id, "Group"]);
            totals.memberships += 1;
        }
    }
    sinks.members.write(&buf)?;
    Ok(assigned)
}

fn header(out: &mut Vec<u8>, header: &str) {
    out.extend_from_slice(header.as_bytes());
    out.push(b'\n');
}

/// One CSV line.
#[inline]
fn line(out: &mut Vec<u8>, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        csv_field(out, f);
    }
    out.push(b'\n');
}

/// The output of one block of users.
#[derive(Default)]
struct BlockOut {
    csv: Vec<u8>,
    json: Vec<u8>,
    ndjson: Vec<u8>,
    members: Vec<u8>,
    assignments: Vec<u8>,
    counts: Counts,
    record: Record,
}

/// Generate all users: rayon fills a window of blocks while this thread writes the
/// previous window.
fn write_users(ctx: &Ctx, sinks: &mut Sinks, totals: &mut Counts) -> Result<(), GenError> {
    let blocks = ctx.users.div_ceil(BLOCK_USERS);
    // Window size only affects memory and overlap, never the output.
    let window = (2 * rayon::current_num_threads()).clamp(2, 16);
    let mut filling: Vec<BlockOut> = (0..window).map(|_| BlockOut::default()).collect();
    let mut full: Vec<BlockOut> = (0..window).map(|_| BlockOut::default()).collect();
    let mut full_len = 0;
    let mut next_block = 0;
    while next_block < blocks {
        let n = window.min(blocks - next_block);
        let first = next_block;
        let (written, ()) = rayon::join(
            || write_window(full.get(..full_len).unwrap_or_default(), sinks, totals),
            || {
                filling
                    .get_mut(..n)
                    .unwrap_or_default()
                    .par_iter_mut()
                    .enumerate()
                    .for_each(|(k, out)| fill_block(ctx, first + k, out));
            },
        );
        written?;
        std::mem::swap(&mut filling, &mut full);
        full_len = n;
        next_block += n;
    }
    write_window(full.get(..full_len).unwrap_or_default(), sinks, totals)
}

fn write_window(outs: &[BlockOut], sinks: &mut Sinks, totals: &mut Counts) -> Result<(), GenError> {
    for out in outs {
        if let Some(s) = sinks.csv.as_mut() {
            s.write(&out.csv)?;
        }
        if let Some(s) = sinks.json.as_mut() {
            s.write(&out.json)?;
        }
        if let Some(s) = sinks.ndjson.as_mut() {
            s.write(&out.ndjson)?;
        }
        sinks.members.write(&out.members)?;
        sinks.assignments.write(&out.assignments)?;
        totals.add(&out.counts);
    }
    Ok(())
}

/// Users `block * BLOCK_USERS ..` into `out` (buffers are cleared, capacity kept).
fn fill_block(ctx: &Ctx, block: usize, out: &mut BlockOut) {
    let start = block * BLOCK_USERS;
    let end = (start + BLOCK_USERS).min(ctx.users);
    let BlockOut {
        csv,
        json,
        ndjson,
        members,
        assignments,
        counts,
        record,
    } = out;
    for buf in [
        &mut *csv,
        &mut *json,
        &mut *ndjson,
        &mut *members,
        &mut *assignments,
    ] {
        buf.clear();
    }
    *counts = Counts::default();
    for index in start..end {
        record.fill(ctx.seed, index as u64, &ctx.names);
        let r = &*record;
        counts.users += 1;
        counts.guests += usize::from(r.guest);
        counts.disabled += usize::from(r.enabled == Some(false));
        counts.enabled_blank += usize::from(r.enabled.is_none());
        counts.nested_only += usize::from(r.nested_only);
        if ctx.csv {
            csv_row(csv, r);
        }
        if ctx.json {
            json_separator(ctx, index, json);
            graph_user(json, r);
        }
        if ctx.ndjson {
            graph_user(ndjson, r);
            ndjson.push(b'\n');
        }
        let object_id = r.col(col::OBJECT_ID);
        for (g, id) in ctx.group_ids.iter().enumerate() {
            if r.groups & (1 << g) != 0 {
                line(members, &[id, object_id, "User"]);
                counts.memberships += 1;
            }
        }
        if let Some(by) = r.direct {
            let principal = match by {
                DirectBy::ObjectId => object_id,
                DirectBy::UserPrincipalName => r.col(col::UPN),
            };
            line(assignments, &[groups::APP_SALESFORCE, "User", principal]);
            counts.direct += 1;
        }
    }
}

/// What goes before user `index` in `users.json`: a page opening (closing the previous
/// page with its `@odata.nextLink`) or a comma.
fn json_separator(ctx: &Ctx, index: usize, out: &mut Vec<u8>) {
    if index % ctx.page_size != 0 {
        out.extend_from_slice(b",\n");
        return;
    }
    if index > 0 {
        out.extend_from_slice(b"\n],\"@odata.nextLink\":\"");
        out.extend_from_slice(ctx.next_link.as_bytes());
        skip_token(ctx.seed, (index / ctx.page_size) as u64, out);
        out.extend_from_slice(b"\"},\n");
    }
    page_open(ctx, out);
}

fn page_open(ctx: &Ctx, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"@odata.context\":\"");
    out.extend_from_slice(ctx.graph_context.as_bytes());
    out.extend_from_slice(b"\",\"value\":[\n");
}

/// An opaque, deterministic, URL-safe `$skiptoken` for page `page`.
fn skip_token(seed: u64, page: u64, out: &mut Vec<u8>) {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = Rng::for_item(seed, STREAM_PAGE, page);
    out.extend_from_slice(b"RFNwdAIAAQAAA");
    for _ in 0..48 {
        out.push(ALPHABET[rng.below(62) as usize]);
    }
}

/// Closes `users.json` (the last page has no `@odata.nextLink`).
fn write_epilogue(ctx: &Ctx, sinks: &mut Sinks) -> Result<(), GenError> {
    if let Some(s) = sinks.json.as_mut() {
        let mut buf = Vec::new();
        if ctx.users == 0 {
            page_open(ctx, &mut buf);
        }
        buf.extend_from_slice(b"\n]}\n]\n");
        s.write(&buf)?;
    }
    Ok(())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Manifest<'a> {
    generator: &'static str,
    format_version: u32,
    options: ManifestOptions<'a>,
    counts: ManifestCounts,
    files: &'a [&'a str],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ManifestOptions<'a> {
    users: usize,
    seed: u64,
    formats: &'a [GenFormat],
    json_page_size: usize,
    block_users: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ManifestCounts {
    users: usize,
    members: usize,
    guests: usize,
    disabled: usize,
    account_enabled_blank: usize,
    groups: usize,
    group_memberships: usize,
    nested_only_users: usize,
    assignments: usize,
    direct_assignments: usize,
}

fn manifest_json(
    opts: &GenOptions,
    formats: &[GenFormat],
    s: &GenSummary,
    files: &[&str],
) -> Result<Vec<u8>, serde_json::Error> {
    let m = Manifest {
        generator: "scopesim gen",
        format_version: FORMAT_VERSION,
        options: ManifestOptions {
            users: opts.users,
            seed: opts.seed,
            formats,
            json_page_size: opts.json_page_size,
            block_users: BLOCK_USERS,
        },
        counts: ManifestCounts {
            users: s.users,
            members: s.users - s.guests,
            guests: s.guests,
            disabled: s.disabled,
            account_enabled_blank: s.account_enabled_blank,
            groups: s.groups,
            group_memberships: s.group_memberships,
            nested_only_users: s.nested_only_users,
            assignments: s.assignments,
            direct_assignments: s.direct_assignments,
        },
        files,
    };
    let mut bytes = serde_json::to_vec_pretty(&m)?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests;
