//! Diagnostics: every problem scopesim reports, with where it is and what to do.
//!
//! Errors, warnings and lint findings share one shape so that all of them can be rendered
//! the same way (with source context for rules, or `file:line:column` for data files),
//! collected and reported together (a file with three mistakes gets three messages), and
//! printed as JSON for machines. Messages follow one style (after cedar's guide): lowercase
//! start, no trailing period, user input in backticks, no Rust type names, and the advice
//! in a separate `help`.

mod codes;
mod excerpt;

pub use codes::Code;

use crate::source::{LineCol, SourceId, Sources, Span};
use serde::Serialize;
use std::fmt;

/// How serious a diagnostic is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run.
    Info,
    /// Probably a mistake or a fidelity caveat; fails a run only with `--fail-on-warnings`.
    Warning,
    /// The input cannot be used as it is.
    Error,
}

impl Severity {
    /// Lowercase name, as used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `info`, `warning`/`warn`, `error`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "info" | "note" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A marked span in a rules or schema text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The text the span indexes.
    pub source: SourceId,
    /// The marked bytes.
    pub span: Span,
    /// A short note printed under the mark.
    pub message: Option<String>,
}

/// A position in a data file (a directory export), which is not kept in memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileLocation {
    /// The path as given by the user.
    pub path: String,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 1-based column (character or field number, as `column_kind` says), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// 1-based record (row or JSON object) number, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
}

impl FileLocation {
    /// A location naming only the file.
    pub fn file(path: impl Into<String>) -> FileLocation {
        FileLocation {
            path: path.into(),
            line: None,
            column: None,
            record: None,
        }
    }

    /// Adds a line.
    pub fn at_line(mut self, line: u64) -> FileLocation {
        self.line = Some(line);
        self
    }

    /// Adds a column.
    pub fn at_column(mut self, column: u64) -> FileLocation {
        self.column = Some(column);
        self
    }

    /// Adds a record number.
    pub fn at_record(mut self, record: u64) -> FileLocation {
        self.record = Some(record);
        self
    }
}

impl fmt::Display for FileLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if let Some(rec) = self.record {
            write!(f, " (record {rec})")?;
        }
        Ok(())
    }
}

/// One problem or finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// How serious it is.
    pub severity: Severity,
    /// A stable identifier from the registry ([`Code`]), for filtering and tests.
    pub code: Code,
    /// The spec rule it enforces or mirrors (`S6`), if any.
    pub rule: Option<&'static str>,
    /// One line, lowercase start, no trailing period.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// Marks in rule or schema texts; the first is the primary location.
    pub labels: Vec<Label>,
    /// Position in a data file, for problems in directory exports (boxed: most
    /// diagnostics have none, and it keeps `Result<_, Diagnostic>` small).
    pub location: Option<Box<FileLocation>>,
}

impl Diagnostic {
    /// A new diagnostic without location.
    pub fn new(severity: Severity, code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            rule: None,
            message: message.into(),
            help: None,
            labels: Vec::new(),
            location: None,
        }
    }

    /// A new error.
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, message)
    }

    /// A new warning.
    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, message)
    }

    /// A new informational note.
    pub fn info(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Info, code, message)
    }

    /// Adds help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Names the spec rule.
    pub fn with_rule(mut self, rule: &'static str) -> Diagnostic {
        self.rule = Some(rule);
        self
    }

    /// Adds a labelled span.
    pub fn with_label(
        mut self,
        source: SourceId,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        let message: String = message.into();
        self.labels.push(Label {
            source,
            span,
            message: if message.is_empty() {
                None
            } else {
                Some(message)
            },
        });
        self
    }

    /// Adds a data-file location.
    pub fn at(mut self, location: FileLocation) -> Diagnostic {
        self.location = Some(Box::new(location));
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The primary location as `file:line:column`, when there is one.
    pub fn primary_location(&self, sources: &Sources) -> Option<String> {
        if let Some(label) = self.labels.first() {
            let file = sources.get(label.source)?;
            let lc = file.line_col(label.span.start);
            return Some(format!("{}:{}:{}", file.name, lc.line, lc.column));
        }
        self.location.as_ref().map(ToString::to_string)
    }

    /// Renders for a terminal: the message, the source excerpt with marks, and the help.
    pub fn render(&self, sources: &Sources, color: bool) -> String {
        render::human(self, sources, color)
    }

    /// Renders as a JSON object (for `--error-format json`).
    pub fn to_json(&self, sources: &Sources) -> serde_json::Value {
        render::json(self, sources)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.severity, self.message)
    }
}

/// At most this many diagnostics of one step are printed; the rest are counted in one
/// `more-diagnostics` note, so a file of random tokens cannot flood a terminal.
pub const MAX_SHOWN: usize = 50;

/// The diagnostics to print: the first [`MAX_SHOWN`], then one note counting the rest.
pub fn capped(diags: &[Diagnostic]) -> (&[Diagnostic], Option<Diagnostic>) {
    if diags.len() <= MAX_SHOWN {
        return (diags, None);
    }
    let rest = diags.len() - MAX_SHOWN;
    let errors = diags[MAX_SHOWN..].iter().filter(|d| d.is_error()).count();
    let note = Diagnostic::info(
        Code::MoreDiagnostics,
        format!(
            "{} more ({} {}) not shown",
            rest,
            errors,
            if errors == 1 { "error" } else { "errors" }
        ),
    )
    .with_help("fix the first ones and run again; `--error-format json` lists the same first ones");
    (&diags[..MAX_SHOWN], Some(note))
}

/// `1 user has` / `3 users have`: a count with its noun (and verb) agreeing.
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A failure: at least one diagnostic, with the texts its labels point into (cedar's
/// `ParseErrors(NonEmpty<..>)`). A function that fails returns one of these, so a caller
/// can never be handed an empty error list, and the renderer has what it needs to show
/// every label in context.
#[derive(Debug, Clone)]
pub struct Errors {
    list: Vec<Diagnostic>,
    sources: Sources,
}

impl Errors {
    /// One diagnostic.
    pub fn new(first: Diagnostic) -> Errors {
        Errors {
            list: vec![first],
            sources: Sources::new(),
        }
    }

    /// The diagnostics of `list`, or `None` when it is empty.
    pub fn from_vec(list: Vec<Diagnostic>) -> Option<Errors> {
        (!list.is_empty()).then(|| Errors {
            list,
            sources: Sources::new(),
        })
    }

    /// `Err` with the diagnostics of `list` when it has an error; `Ok` otherwise.
    pub fn check(list: Vec<Diagnostic>) -> Result<(), Errors> {
        if has_errors(&list) {
            Err(Errors::from(list))
        } else {
            Ok(())
        }
    }

    /// Adds a diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.list.push(d);
    }

    /// Attaches the texts the labels point into.
    pub fn with_sources(mut self, sources: &Sources) -> Errors {
        self.sources = sources.clone();
        self
    }

    /// The texts the labels point into (empty for data-file errors).
    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// The first diagnostic.
    pub fn first(&self) -> &Diagnostic {
        // The list is never empty (every constructor puts one in).
        &self.list[..1][0]
    }

    /// The diagnostics, in order.
    pub fn as_slice(&self) -> &[Diagnostic] {
        &self.list
    }

    /// The diagnostics, in order.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.list
    }

    /// Sorts into reading order (see [`sort`]).
    pub fn sort(&mut self) {
        sort(&mut self.list);
    }
}

/// A step of a command that failed: what the summary line calls it (`None`: no summary
/// line, as for a wrong `--app` or an output that is an input) and its diagnostics.
#[derive(Debug)]
pub struct Failure {
    /// The step, as the summary line names it.
    pub step: Option<String>,
    /// The diagnostics, with the texts they point into.
    pub errors: Errors,
}

impl Failure {
    /// The failure of `step` (`None`: no summary line) with the errors given, for
    /// `map_err`.
    pub fn at(step: Option<&str>) -> impl FnOnce(Errors) -> Failure + '_ {
        move |errors| Failure {
            step: step.map(str::to_string),
            errors,
        }
    }
}

/// A failed write of `what` (a summary, a report), as the error a command prints.
pub fn write_error(what: &str, e: &std::io::Error) -> Errors {
    Diagnostic::error(Code::Io, format!("cannot write {what}: {e}")).into()
}

impl From<Diagnostic> for Errors {
    fn from(d: Diagnostic) -> Errors {
        Errors::new(d)
    }
}

impl From<Vec<Diagnostic>> for Errors {
    /// The diagnostics of `list`; an empty list (a bug: a failure without a reason)
    /// becomes one internal error rather than an empty failure.
    fn from(list: Vec<Diagnostic>) -> Errors {
        Errors::from_vec(list).unwrap_or_else(|| {
            Errors::new(Diagnostic::error(
                Code::Internal,
                "a step failed without saying why",
            ))
        })
    }
}

impl FromIterator<Diagnostic> for Errors {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Errors {
        Errors::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl PartialEq for Errors {
    /// Two failures are equal when their diagnostics are (the sources are context).
    fn eq(&self, other: &Errors) -> bool {
        self.list == other.list
    }
}

impl std::ops::Deref for Errors {
    type Target = [Diagnostic];
    fn deref(&self) -> &[Diagnostic] {
        &self.list
    }
}

impl IntoIterator for Errors {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.into_iter()
    }
}

impl<'a> IntoIterator for &'a Errors {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

impl Extend<Diagnostic> for Errors {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        self.list.extend(iter);
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.list.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

/// True when any diagnostic is an error.
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags.iter().any(Diagnostic::is_error)
}

/// Sorts diagnostics into reading order: by file, then position, then severity.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            d.labels
                .first()
                .map(|l| (l.source.0, l.span.start, l.span.end))
                .unwrap_or((u32::MAX, 0, 0))
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| a.message.cmp(&b.message))
    });
}

mod render {
    use super::excerpt;
    use super::*;
    use crate::text::escape_control;
    use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

    /// miette needs an error type; this wraps our diagnostic for one rendering.
    #[derive(Debug)]
    struct Rendered {
        message: String,
        severity: miette::Severity,
        help: Option<String>,
        code: String,
        source: Option<Src>,
        labels: Vec<LabeledSpan>,
    }

    /// The text shown under a diagnostic: the whole source, or an excerpt of it when its
    /// lines are long or hold control characters.
    #[derive(Debug)]
    enum Src {
        Whole(NamedSource<String>),
        Excerpt(excerpt::Excerpt),
    }

    impl miette::SourceCode for Src {
        fn read_span<'a>(
            &'a self,
            span: &miette::SourceSpan,
            before: usize,
            after: usize,
        ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
            match self {
                Src::Whole(n) => n.read_span(span, before, after),
                Src::Excerpt(e) => e.read_span(span, before, after),
            }
        }
    }

    impl fmt::Display for Rendered {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.message)
        }
    }

    impl std::error::Error for Rendered {}

    impl miette::Diagnostic for Rendered {
        fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
            Some(Box::new(&self.code))
        }
        fn severity(&self) -> Option<miette::Severity> {
            Some(self.severity)
        }
        fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
            self.help
                .as_ref()
                .map(|h| Box::new(h) as Box<dyn fmt::Display>)
        }
        fn source_code(&self) -> Option<&dyn miette::SourceCode> {
            self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
        }
        fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
            if self.labels.is_empty() {
                None
            } else {
                Some(Box::new(self.labels.iter().cloned()))
            }
        }
    }

    pub(super) fn human(d: &Diagnostic, sources: &Sources, color: bool) -> String {
        let severity = match d.severity {
            Severity::Info => miette::Severity::Advice,
            Severity::Warning => miette::Severity::Warning,
            Severity::Error => miette::Severity::Error,
        };
        let primary = d.labels.first().map(|l| l.source);
        let mut message = escape_control(&d.message).into_owned();
        if primary.is_none() {
            if let Some(loc) = &d.location {
                message = format!("{}: {message}", escape_control(&loc.to_string()));
            }
        }
        let primary_file = primary.and_then(|id| sources.get(id));
        // The marks shown in the primary file; far ones are listed as "see also".
        let primary_spans: Vec<Span> = d
            .labels
            .iter()
            .filter(|l| Some(l.source) == primary)
            .map(|l| l.span)
            .collect();
        let cut = primary_file.is_some_and(|f| excerpt::needed(f, &primary_spans));
        let excerpt = match (primary_file, primary_spans.first()) {
            (Some(f), Some(&p)) if cut => Some(excerpt::Excerpt::new(f, p, &primary_spans)),
            _ => None,
        };
        let mut extra = Vec::new();
        let mut labels = Vec::new();
        for l in &d.labels {
            let text = l.message.as_deref().map(|m| escape_control(m).into_owned());
            let far = excerpt.is_some()
                && primary_file.is_some_and(|f| {
                    let p = f
                        .line_col(primary_spans.first().map_or(0, |s| s.start))
                        .line;
                    f.line_col(l.span.start).line.abs_diff(p) > excerpt::MAX_LINE_DISTANCE
                });
            if Some(l.source) == primary && !far {
                let span = match &excerpt {
                    Some(e) => e.map_span(l.span),
                    None => l.span,
                };
                labels.push(LabeledSpan::new(text, span.start, span.len()));
            } else if let Some(file) = sources.get(l.source) {
                let lc = file.line_col(l.span.start);
                extra.push(format!(
                    "{}:{}:{}{}",
                    escape_control(&file.name),
                    lc.line,
                    lc.column,
                    text.map(|m| format!(": {m}")).unwrap_or_default()
                ));
            }
        }
        let source = match excerpt {
            Some(e) => Some(Src::Excerpt(e)),
            None => primary_file.map(|f| {
                Src::Whole(
                    NamedSource::new(f.name.clone(), f.text.to_string()).with_language("scopesim"),
                )
            }),
        };
        let mut help = d.help.as_deref().map(|h| escape_control(h).into_owned());
        if !extra.is_empty() {
            let also = format!("see also {}", extra.join(", "));
            help = Some(match help {
                Some(h) => format!("{h}\n{also}"),
                None => also,
            });
        }
        let code = match d.rule {
            Some(rule) => format!("{} ({rule})", d.code),
            None => d.code.to_string(),
        };
        let r = Rendered {
            message,
            severity,
            help,
            code,
            source,
            labels,
        };
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        let mut out = String::new();
        if handler.render_report(&mut out, &r).is_err() {
            out = format!("{}: {}\n", d.severity, d.message);
        }
        out
    }

    #[derive(Serialize)]
    struct JsonLabel<'a> {
        file: &'a str,
        start: LineCol,
        end: LineCol,
        span: Span,
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<&'a str>,
    }

    pub(super) fn json(d: &Diagnostic, sources: &Sources) -> serde_json::Value {
        let labels: Vec<JsonLabel<'_>> = d
            .labels
            .iter()
            .filter_map(|l| {
                let f = sources.get(l.source)?;
                Some(JsonLabel {
                    file: &f.name,
                    start: f.line_col(l.span.start),
                    end: f.line_col(l.span.end),
                    span: l.span,
                    message: l.message.as_deref(),
                })
            })
            .collect();
        serde_json::json!({
            "severity": d.severity,
            "code": d.code,
            "rule": d.rule,
            "message": d.message,
            "help": d.help,
            "labels": labels,
            "location": d.location,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_source_context_and_help() {
        let mut sources = Sources::new();
        let id = sources.add(
            "r.scope",
            None,
            "app \"A\" {\n  filter \"f\" { department EQUAL \"IT\" }\n}\n",
        );
        let text = sources.get(id).unwrap().text.clone();
        let start = text.find("EQUAL ").unwrap();
        let d = Diagnostic::error(Code::UnknownOperator, "unknown operator `EQUAL`")
            .with_label(id, Span::new(start, start + 5), "not an operator")
            .with_help("did you mean `EQUALS`?");
        let out = d.render(&sources, false);
        assert!(out.contains("unknown operator `EQUAL`"), "{out}");
        assert!(out.contains("r.scope:2:27"), "{out}");
        assert!(out.contains("did you mean `EQUALS`?"), "{out}");
        let j = d.to_json(&sources);
        assert_eq!(j["labels"][0]["start"]["line"], 2);
        assert_eq!(j["labels"][0]["start"]["column"], 27);
        assert_eq!(j["severity"], "error");
    }

    #[test]
    fn data_file_locations_render_as_path_line_column() {
        let d = Diagnostic::error(Code::BadRow, "unterminated quote").at(FileLocation::file(
            "users.csv",
        )
        .at_line(12)
        .at_column(4));
        assert_eq!(
            d.primary_location(&Sources::new()).unwrap(),
            "users.csv:12:4"
        );
        assert!(
            d.render(&Sources::new(), false)
                .contains("users.csv:12:4: unterminated quote")
        );
    }
}
