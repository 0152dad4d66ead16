//! The test file: TOML read with spans into a validated [`Suite`].
//!
//! A suite names the rules (and, for directory users, the export, assignments and group
//! members), then lists cases: a user, written inline or named by UPN or objectId, and
//! what is expected of it at each app and stage. Every path is relative to the test file
//! (joined lexically, so messages show `fixtures/rollout.scope`), and every mistake (an
//! unknown field, an action that does not exist, a case without a user) is reported at
//! its line and column, all at once. Names that need the rules (apps, stages) or the
//! directory (users) are checked when the suite runs.

use crate::diag::{Code, Diagnostic, FileLocation};
use crate::regex::Anchoring;
use crate::rollout::Action;
use crate::rules::Spanned;
use crate::source::{SourceId, Sources, Span};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    rules: toml::Spanned<String>,
    #[serde(default)]
    directory: Option<toml::Spanned<Paths>>,
    #[serde(default)]
    assignments: Option<toml::Spanned<String>>,
    #[serde(default)]
    group_members: Option<toml::Spanned<Paths>>,
    #[serde(default)]
    regex_anchoring: Option<toml::Spanned<String>>,
    #[serde(default, rename = "case")]
    cases: Vec<CaseSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Paths {
    One(String),
    Many(Vec<String>),
}

impl Paths {
    fn list(&self) -> Vec<String> {
        match self {
            Paths::One(s) => vec![s.clone()],
            Paths::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseSpec {
    name: toml::Spanned<String>,
    #[serde(default)]
    user: Option<toml::Spanned<BTreeMap<String, toml::Spanned<toml::Value>>>>,
    #[serde(default)]
    user_ref: Option<toml::Spanned<String>>,
    #[serde(default)]
    assigned_to: Option<Vec<toml::Spanned<String>>>,
    #[serde(default)]
    managed_in: Option<Vec<toml::Spanned<String>>>,
    expect: Vec<toml::Spanned<ExpectSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectSpec {
    app: toml::Spanned<String>,
    #[serde(default)]
    stage: Option<toml::Spanned<String>>,
    #[serde(default)]
    in_scope: Option<bool>,
    #[serde(default)]
    action: Option<toml::Spanned<String>>,
    #[serde(default)]
    filter: Option<toml::Spanned<String>>,
}

/// A test file, read and validated.
#[derive(Debug, Clone)]
pub struct Suite {
    /// The file as given.
    pub path: PathBuf,
    /// The file's text (one source), for diagnostics.
    pub sources: Sources,
    /// Its id in `sources`.
    pub source: SourceId,
    /// The rules file, relative to the test file.
    pub rules: Spanned<PathBuf>,
    /// Directory exports for `user_ref` cases.
    pub directory: Vec<PathBuf>,
    /// Assignments for the directory users.
    pub assignments: Option<PathBuf>,
    /// Group membership for the directory users.
    pub group_members: Vec<PathBuf>,
    /// `regex_anchoring`, when set.
    pub anchoring: Option<Anchoring>,
    /// The cases, in file order.
    pub cases: Vec<Case>,
}

/// One test case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Its name, where it is written.
    pub name: Spanned<String>,
    /// The user under test.
    pub user: TestUser,
    /// For inline users: the apps they are assigned to (`None`: every app).
    pub assigned_to: Option<Vec<Spanned<String>>>,
    /// For inline users: the apps that already have an account for them.
    pub managed_in: Vec<Spanned<String>>,
    /// What is expected.
    pub expect: Vec<Expectation>,
}

/// Who a case is about.
#[derive(Debug, Clone)]
pub enum TestUser {
    /// Attributes written in the test file (`objectId` defaults to `case-N`).
    Inline(Vec<(String, String)>),
    /// A user of the directory, by UPN or objectId.
    Ref(Spanned<String>),
}

/// One expectation of a case.
#[derive(Debug, Clone)]
pub struct Expectation {
    /// The whole `{ app = ..., ... }`.
    pub span: Span,
    /// App name.
    pub app: Spanned<String>,
    /// Stage name (may be left out for an app with one stage).
    pub stage: Option<Spanned<String>>,
    /// Expected scope.
    pub in_scope: Option<bool>,
    /// Expected action.
    pub action: Option<Action>,
    /// Expected matching scoping filter.
    pub filter: Option<String>,
}

/// A test file that cannot be used, with the text its diagnostics point into.
#[derive(Debug, Clone)]
pub struct SuiteError {
    /// The test file's text (empty when it could not be read).
    pub sources: Sources,
    /// What is wrong, all at once.
    pub diagnostics: Vec<Diagnostic>,
}

const SHAPE_HELP: &str = "a test file has `rules = \"...\"` and `[[case]]` tables with `name`, `user = { attribute = \"value\", ... }` or `user_ref = \"upn\"`, and `expect = [ { app = \"...\", stage = \"...\", in_scope = true, action = \"create\" } ]`; see docs/review-tools.md";

fn action_named(s: &str) -> Option<Action> {
    [
        Action::None,
        Action::Create,
        Action::Update,
        Action::Disable,
        Action::Delete,
        Action::Skip,
        Action::Fail,
    ]
    .into_iter()
    .find(|a| a.as_str().eq_ignore_ascii_case(s.trim()))
}

fn span_of<T>(s: &toml::Spanned<T>) -> Span {
    let r = s.span();
    Span::new(r.start, r.end)
}

fn spanned(s: &toml::Spanned<String>) -> Spanned<String> {
    Spanned::new(s.get_ref().clone(), span_of(s))
}

/// Reads and validates a test file. Paths in it are relative to the file.
pub fn load_suite(path: &Path) -> Result<Suite, SuiteError> {
    let shown = path.display().to_string();
    let text = match crate::rules::load::read_text(path) {
        Ok(t) => t,
        Err(d) => {
            return Err(SuiteError {
                sources: Sources::new(),
                diagnostics: vec![d],
            });
        }
    };
    parse_suite(&shown, &text, path.parent().unwrap_or(Path::new("")))
}

/// Parses and validates a test file's text; `base` is the folder paths are relative to.
pub fn parse_suite(name: &str, text: &str, base: &Path) -> Result<Suite, SuiteError> {
    let mut sources = Sources::new();
    let id = sources.add(name, Some(Path::new(name)), text);
    let fail = |sources: Sources, diagnostics: Vec<Diagnostic>| SuiteError {
        sources,
        diagnostics,
    };
    let spec: FileSpec = match toml::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            let message = e.message().lines().next().unwrap_or("").trim().to_string();
            let mut d = Diagnostic::error(Code::TestFile, format!("invalid test file: {message}"))
                .with_help(SHAPE_HELP);
            match e.span() {
                Some(r) => d = d.with_label(id, Span::new(r.start, r.end), "here"),
                None => d = d.at(FileLocation::file(name)),
            }
            return Err(fail(sources, vec![d]));
        }
    };
    let mut errors = Vec::new();
    let rel = |p: &str| -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            lexical_join(base, p)
        }
    };
    let anchoring = match &spec.regex_anchoring {
        None => None,
        Some(s) => match s.get_ref().as_str() {
            "partial" => Some(Anchoring::Partial),
            "full" => Some(Anchoring::Full),
            other => {
                errors.push(
                    Diagnostic::error(
                        Code::TestFile,
                        format!("unknown regex anchoring `{other}`"),
                    )
                    .with_label(id, span_of(s), "not `partial` or `full`")
                    .with_help("write `regex_anchoring = \"partial\"` (Entra's behaviour) or `\"full\"`"),
                );
                None
            }
        },
    };
    let directory: Vec<PathBuf> = spec
        .directory
        .as_ref()
        .map(|d| d.get_ref().list().iter().map(|p| rel(p)).collect())
        .unwrap_or_default();
    if spec.cases.is_empty() {
        errors.push(
            Diagnostic::error(Code::TestFile, "the test file has no `[[case]]`")
                .at(FileLocation::file(name))
                .with_help(SHAPE_HELP),
        );
    }
    let mut cases = Vec::new();
    for (i, c) in spec.cases.iter().enumerate() {
        let name_span = span_of(&c.name);
        let user = match (&c.user, &c.user_ref) {
            (Some(u), None) => {
                let mut attrs = Vec::new();
                for (k, v) in u.get_ref() {
                    let text = match v.get_ref() {
                        toml::Value::String(s) => s.clone(),
                        toml::Value::Boolean(b) => b.to_string(),
                        toml::Value::Integer(n) => n.to_string(),
                        toml::Value::Float(f) => f.to_string(),
                        toml::Value::Datetime(d) => d.to_string(),
                        toml::Value::Array(_) | toml::Value::Table(_) => {
                            errors.push(
                                Diagnostic::error(
                                    Code::TestFile,
                                    format!("the value of `{k}` must be text, not a list or a table"),
                                )
                                .with_label(id, span_of(v), "one value per attribute")
                                .with_help("scoping filters cannot use multi-valued attributes (S20): write the single value as a string"),
                            );
                            continue;
                        }
                    };
                    attrs.push((k.clone(), text));
                }
                if !attrs.iter().any(|(k, _)| k == "objectId") {
                    attrs.push(("objectId".to_string(), format!("case-{}", i + 1)));
                }
                TestUser::Inline(attrs)
            }
            (None, Some(r)) => {
                if directory.is_empty() {
                    errors.push(
                        Diagnostic::error(
                            Code::TestFile,
                            format!("case `{}` refers to a directory user, but the file names no directory", c.name.get_ref()),
                        )
                        .with_label(id, span_of(r), "needs a directory")
                        .with_help("add `directory = [\"users.csv\"]` at the top of the file (relative to it)"),
                    );
                }
                TestUser::Ref(spanned(r))
            }
            (Some(u), Some(_)) => {
                errors.push(
                    Diagnostic::error(
                        Code::TestFile,
                        format!("case `{}` has both `user` and `user_ref`", c.name.get_ref()),
                    )
                    .with_label(id, span_of(u), "one of the two")
                    .with_help("a case is about one user: write its attributes in `user`, or name a directory user in `user_ref`"),
                );
                continue;
            }
            (None, None) => {
                errors.push(
                    Diagnostic::error(
                        Code::TestFile,
                        format!("case `{}` has no user", c.name.get_ref()),
                    )
                    .with_label(id, name_span, "")
                    .with_help("add `user = { attribute = \"value\", ... }` or `user_ref = \"upn or objectId\"`"),
                );
                continue;
            }
        };
        if matches!(user, TestUser::Ref(_)) {
            for (key, list) in [
                ("assigned_to", &c.assigned_to),
                ("managed_in", &c.managed_in),
            ] {
                if let Some(first) = list.as_ref().and_then(|l| l.first()) {
                    errors.push(
                        Diagnostic::error(
                            Code::TestFile,
                            format!("`{key}` applies to inline users only"),
                        )
                        .with_label(id, span_of(first), "")
                        .with_help("a directory user's assignments come from the `assignments` and `group_members` files"),
                    );
                }
            }
        }
        if c.expect.is_empty() {
            errors.push(
                Diagnostic::error(
                    Code::TestFile,
                    format!("case `{}` expects nothing", c.name.get_ref()),
                )
                .with_label(id, name_span, "")
                .with_help(
                    "add `expect = [ { app = \"...\", stage = \"...\", in_scope = true } ]`",
                ),
            );
        }
        let mut expect = Vec::new();
        for e in &c.expect {
            let x = e.get_ref();
            let action = match &x.action {
                None => None,
                Some(a) => match action_named(a.get_ref()) {
                    Some(act) => Some(act),
                    None => {
                        errors.push(
                            Diagnostic::error(
                                Code::TestFile,
                                format!("unknown action `{}`", a.get_ref()),
                            )
                            .with_label(id, span_of(a), "not an action")
                            .with_help("actions are `create`, `update`, `disable`, `delete`, `skip` and `none`"),
                        );
                        continue;
                    }
                },
            };
            if x.in_scope.is_none() && action.is_none() && x.filter.is_none() {
                errors.push(
                    Diagnostic::error(Code::TestFile, "this expectation checks nothing")
                        .with_label(id, span_of(e), "")
                        .with_help("add `in_scope = true|false`, `action = \"...\"` or `filter = \"filter name\"`"),
                );
                continue;
            }
            expect.push(Expectation {
                span: span_of(e),
                app: spanned(&x.app),
                stage: x.stage.as_ref().map(spanned),
                in_scope: x.in_scope,
                action,
                filter: x.filter.as_ref().map(|f| f.get_ref().clone()),
            });
        }
        cases.push(Case {
            name: spanned(&c.name),
            user,
            assigned_to: c
                .assigned_to
                .as_ref()
                .map(|l| l.iter().map(spanned).collect()),
            managed_in: c
                .managed_in
                .as_ref()
                .map(|l| l.iter().map(spanned).collect())
                .unwrap_or_default(),
            expect,
        });
    }
    if !errors.is_empty() {
        return Err(fail(sources, errors));
    }
    Ok(Suite {
        path: PathBuf::from(name),
        rules: Spanned::new(rel(spec.rules.get_ref()), span_of(&spec.rules)),
        directory,
        assignments: spec.assignments.as_ref().map(|a| rel(a.get_ref())),
        group_members: spec
            .group_members
            .as_ref()
            .map(|g| g.get_ref().list().iter().map(|p| rel(p)).collect())
            .unwrap_or_default(),
        anchoring,
        cases,
        sources,
        source: id,
    })
}

/// `base/p` with `x/..` pairs removed, so that paths in messages read as written from the
/// current directory (`fixtures/rollout.scope`, not `fixtures/tests/../rollout.scope`).
fn lexical_join(base: &Path, p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in base.components().chain(p.components()) {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Suite, SuiteError> {
        parse_suite("t.toml", text, Path::new("/base"))
    }

    fn first_error(text: &str) -> (String, usize, usize) {
        let e = parse(text).err().unwrap();
        let d = &e.diagnostics[0];
        let loc = d
            .labels
            .first()
            .map(|l| e.sources.get(l.source).unwrap().line_col(l.span.start));
        (
            d.message.clone(),
            loc.map_or(0, |l| l.line),
            loc.map_or(0, |l| l.column),
        )
    }

    #[test]
    fn a_valid_file_resolves_paths_and_defaults() {
        let s = parse(
            "rules = \"r.scope\"\ndirectory = \"u.csv\"\n[[case]]\nname = \"a\"\nuser = { department = \"IT\", accountEnabled = true, n = 5 }\nexpect = [ { app = \"A\", in_scope = true, action = \"CREATE\" } ]\n",
        )
        .unwrap();
        assert_eq!(s.rules.node, Path::new("/base/r.scope"));
        assert_eq!(s.directory, vec![PathBuf::from("/base/u.csv")]);
        let TestUser::Inline(attrs) = &s.cases[0].user else {
            panic!("inline user expected");
        };
        assert!(attrs.contains(&("accountEnabled".to_string(), "true".to_string())));
        assert!(attrs.contains(&("n".to_string(), "5".to_string())));
        assert!(attrs.contains(&("objectId".to_string(), "case-1".to_string())));
        assert_eq!(s.cases[0].expect[0].action, Some(Action::Create));
        assert!(s.cases[0].expect[0].stage.is_none());
    }

    #[test]
    fn relative_paths_are_joined_lexically() {
        let j = |b: &str, p: &str| lexical_join(Path::new(b), Path::new(p));
        assert_eq!(
            j("fixtures/tests", "../rollout.scope"),
            Path::new("fixtures/rollout.scope")
        );
        assert_eq!(j("", "./a.csv"), Path::new("a.csv"));
        assert_eq!(j("", "../a.csv"), Path::new("../a.csv"));
        assert_eq!(j("/x/y", "../../z"), Path::new("/z"));
    }

    #[test]
    fn toml_errors_have_line_and_column() {
        let (m, line, col) =
            first_error("rules = \"r.scope\"\n[[case]]\nname = \"a\"\nexpcet = []\n");
        assert!(m.contains("unknown field `expcet`"), "{m}");
        assert_eq!((line, col), (4, 1));
        let (m, line, _) = first_error("rules = \"r.scope\"\n[[case]\n");
        assert!(m.starts_with("invalid test file"), "{m}");
        assert_eq!(line, 2);
    }

    #[test]
    fn shape_mistakes_are_reported_where_they_are() {
        let (m, line, col) = first_error(
            "rules = \"r\"\n[[case]]\nname = \"a\"\nuser = { d = \"x\" }\nexpect = [ { app = \"A\", action = \"remove\" } ]\n",
        );
        assert_eq!(m, "unknown action `remove`");
        assert_eq!((line, col), (5, 34));
        let (m, ..) = first_error(
            "rules = \"r\"\n[[case]]\nname = \"a\"\nuser_ref = \"x@y\"\nexpect = [ { app = \"A\", in_scope = true } ]\n",
        );
        assert!(m.contains("names no directory"), "{m}");
        let (m, ..) = first_error(
            "rules = \"r\"\n[[case]]\nname = \"a\"\nuser = { d = \"x\" }\nexpect = [ { app = \"A\" } ]\n",
        );
        assert_eq!(m, "this expectation checks nothing");
        let (m, ..) = first_error(
            "rules = \"r\"\n[[case]]\nname = \"a\"\nuser = { d = [\"x\"] }\nexpect = [ { app = \"A\", in_scope = true } ]\n",
        );
        assert!(m.contains("must be text"), "{m}");
        let (m, ..) = first_error(
            "rules = \"r\"\n[[case]]\nname = \"a\"\nexpect = [ { app = \"A\", in_scope = true } ]\n",
        );
        assert!(m.contains("has no user"), "{m}");
    }
}
