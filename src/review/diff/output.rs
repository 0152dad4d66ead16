//! What `diff` writes, decided in the library: which comparison the arguments ask for,
//! the `--report` CSV (staged), and the text, JSON or audit page.
//!
//! The binary parses arguments, calls [`selection`], runs [`super::compare`] and hands
//! the result to [`render_diff`]; what comes back is the text to print and the files to
//! put in place, exactly what the command writes.

use super::html::{DiffPage, diff_html};
use super::render::{TextOptions, render_text, stage_report};
use super::{Diff, Selection};
use crate::diag::{Code, Diagnostic};
use crate::output::atomic::Staged;
use crate::output::color::Paint;
use crate::output::dialect::CsvStyle;
use crate::pipeline::evidence::InputRef;
use crate::source::Sources;
use std::path::Path;

/// The formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// `terraform plan`-style text, tables fitted to the width.
    Table,
    /// JSON: every app, user, breakdown and threshold.
    Json,
    /// A self-contained audit page (charts, users and reasons, inputs with hashes).
    Html,
}

/// The comparison that `files` rules files and `--app`, `--stage`, `--from`, `--to` ask
/// for, or a usage error saying how to ask.
pub fn selection<'s>(
    files: usize,
    app: Option<&'s str>,
    stage: Option<&'s str>,
    from: Option<&'s str>,
    to: Option<&'s str>,
) -> Result<Selection<'s>, Diagnostic> {
    match (files, app, from, to) {
        (1, Some(app), Some(from), Some(to)) => Ok(Selection::Stages { app, from, to }),
        (1, ..) => Err(Diagnostic::error(Code::Usage, "with one rules file, say which stages to compare")
            .with_help("write `scopesim diff RULES --app APP --from STAGE --to STAGE -d users.csv`, or give two files: `scopesim diff OLD NEW -d users.csv`")),
        (_, _, Some(_), _) => Err(Diagnostic::error(Code::Usage, "`--from` and `--to` compare two stages of one file")
            .with_help("with two files, pick a stage with `--stage NAME`, or leave it out to compare each app's last stage")),
        _ => Ok(Selection::Files { stage, app }),
    }
}

/// What the command line asked `diff` to write.
#[derive(Debug, Clone, Copy)]
pub struct DiffOutputs<'a> {
    /// Format.
    pub format: DiffFormat,
    /// `--report FILE.csv`.
    pub report: Option<&'a Path>,
    /// Its CSV style.
    pub csv: CsvStyle,
    /// `--stamp` (HTML only).
    pub stamp: Option<&'a str>,
    /// Users listed per app in the text.
    pub max_users: usize,
    /// Table width.
    pub width: usize,
    /// Colour.
    pub paint: Paint,
}

/// Renders `diff` as `diff` does: stages the report and renders the format. `inputs` are
/// every input with its hash, `sources` the rule texts (for the page).
pub fn render_diff(
    diff: &Diff,
    o: &DiffOutputs<'_>,
    inputs: &[InputRef],
    sources: &Sources,
) -> Result<(String, Vec<Staged>), Diagnostic> {
    let mut staged = Vec::new();
    let mut written = None;
    if let Some(path) = o.report {
        let (s, rows, sha) = stage_report(diff, path, o.csv)?;
        staged.push(s);
        written = Some((path.display().to_string(), rows, sha));
    }
    let text = match o.format {
        DiffFormat::Json => {
            // Serialized straight from the model (the same text as `to_json`'s value,
            // without building that tree of every changed user first).
            let mut s = serde_json::to_string_pretty(diff)
                .map_err(|e| Diagnostic::error(Code::Json, e.to_string()))?;
            s.push('\n');
            s
        }
        DiffFormat::Html => {
            let page = DiffPage {
                inputs,
                warnings: &diff.warnings,
                sources,
                report: written
                    .as_ref()
                    .map(|(p, r, s)| (p.as_str(), *r, s.as_str())),
                stamp: o.stamp,
            };
            diff_html(diff, &page)
        }
        DiffFormat::Table => {
            let opts = TextOptions {
                max_users: o.max_users,
                width: o.width,
                paint: o.paint,
            };
            let mut s = render_text(diff, opts);
            if let Some((path, rows, _)) = &written {
                s.push_str(&format!(
                    "report: {} written to {}\n",
                    crate::output::format::counted(
                        usize::try_from(*rows).unwrap_or(usize::MAX),
                        "row",
                        "rows"
                    ),
                    crate::text::escape_control(path)
                ));
            }
            s
        }
    };
    Ok((text, staged))
}
