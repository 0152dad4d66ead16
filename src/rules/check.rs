//! Static checks: everything that can be known about rules without a directory.
//!
//! Entra only reports a bad filter when a provisioning cycle trips over it (or silently
//! evaluates it to false). These checks catch the mistakes it would not explain: an
//! operator it does not know, a value Greater_Than cannot read (S18), a regex the .NET
//! engine would reject or we cannot run the same way (S19), an attribute it refuses (S20),
//! an operator with undocumented semantics (S17). Every finding has a span, and all of
//! them are reported in one pass.

use super::ast::*;
use super::load::LoadedRules;
use super::operator::Operator;
use super::parse::suggest_word;
use super::resolve::stage_view;
use crate::diag::{Code, Diagnostic};
use crate::regex::{Anchoring, DotnetRegex};
use crate::schema::{self, AttrType};
use crate::value::parse_int;
use std::collections::HashMap;

/// Options that change what is valid.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    /// Regex anchoring (S7): patterns are compiled the way they will be evaluated.
    pub anchoring: Anchoring,
}

/// Code of the S17 diagnostic, which `convert` tolerates (it only translates).
pub const UNDOCUMENTED_OPERATOR: Code = Code::UndocumentedOperator;

/// One rules file as `scopesim check` reports it: its diagnostics, and when it has no
/// error the `ok:` line (counts) with a line per app whose job secrets were applied.
pub fn check_file(
    path: &std::path::Path,
    load: &super::load::LoadOptions,
    opts: CheckOptions,
) -> (LoadedRules, Vec<Diagnostic>, Option<String>) {
    let loaded = super::load::load_path_with(path, load);
    let diags = check_loaded(&loaded, opts);
    if crate::diag::has_errors(&diags) {
        return (loaded, diags, None);
    }
    let shown = super::load::split_named_path(path).1.display().to_string();
    let mut report = format!("ok: {shown} ({})\n", Counts::of(&loaded.rules));
    for app in &loaded.rules.apps {
        let file_of = |id| loaded.sources.name(id).to_string();
        if let Some(line) = super::secrets::describe(app, file_of) {
            report.push_str(&format!("  {line}\n"));
        }
    }
    (loaded, diags, Some(report))
}

/// Everything wrong with loaded rules: what reading found and what the checks find, in
/// reading order. The checks run even when reading found errors (a bad setting, an
/// unreadable line), so one run reports every mistake of a file; only a filter left
/// without clauses by an unreadable line is not also called empty.
pub fn check_loaded(loaded: &LoadedRules, opts: CheckOptions) -> Vec<Diagnostic> {
    let mut diags = loaded.diagnostics.clone();
    let read_errors = loaded.has_errors();
    diags.extend(
        check(&loaded.rules, opts)
            .into_iter()
            .filter(|d| !(read_errors && d.code == Code::EmptyFilter)),
    );
    crate::diag::sort(&mut diags);
    diags
}

/// Counts of what a rule set holds, for `check`'s summary line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Apps.
    pub apps: usize,
    /// Stages, over all apps.
    pub stages: usize,
    /// Filters of every kind, each stage's own.
    pub filters: usize,
    /// Clauses in those filters.
    pub clauses: usize,
}

impl Counts {
    /// Counts a rule set.
    pub fn of(rules: &RuleSet) -> Counts {
        let stages = || rules.apps.iter().flat_map(|a| &a.stages);
        Counts {
            apps: rules.apps.len(),
            stages: stages().count(),
            filters: stages().map(|s| s.filters.iter().count()).sum(),
            clauses: stages()
                .flat_map(|s| s.filters.iter())
                .map(|f| f.clauses.len())
                .sum(),
        }
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: usize, s: &str| {
            if n == 1 {
                format!("{n} {s}")
            } else {
                format!("{n} {s}s")
            }
        };
        write!(
            f,
            "{}, {}, {}, {}",
            plural(self.apps, "app"),
            plural(self.stages, "stage"),
            plural(self.filters, "filter"),
            plural(self.clauses, "clause")
        )
    }
}

/// Checks a rule set; returns every finding, errors and warnings.
pub fn check(rules: &RuleSet, opts: CheckOptions) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut apps: HashMap<&str, &App> = HashMap::new();
    for app in &rules.apps {
        if app.name.node.trim().is_empty() {
            out.push(
                Diagnostic::error(Code::EmptyName, "an app needs a name")
                    .with_label(app.source, app.name.span, "empty name")
                    .with_help("name it as in Enterprise applications, such as `app \"Salesforce\" { ... }`"),
            );
        }
        if let Some(prev) = apps.insert(app.name.node.as_str(), app) {
            out.push(
                Diagnostic::error(
                    Code::DuplicateApp,
                    format!("app `{}` is defined twice", app.name.node),
                )
                .with_label(app.source, app.name.span, "defined again here")
                .with_label(prev.source, prev.name.span, "first defined here")
                .with_help("merge the two, or give each app its own name"),
            );
        }
        check_app(app, opts, &mut out);
    }
    out
}

/// S32, S33: the object mapping's own settings.
fn check_object(app: &App, out: &mut Vec<Diagnostic>) {
    let src = app.source;
    if let Some(e) = app.object.enabled.as_ref().filter(|e| !e.node) {
        out.push(
            Diagnostic::warning(
                Code::MappingOff,
                format!(
                    "the user mapping of `{}` is disabled: Entra provisions nobody with it",
                    app.name.node
                ),
            )
            .with_rule("S33")
            .with_label(src, e.span, "disabled")
            .with_help("every user is reported with the action the disabled mapping suppresses"),
        );
    }
    if let Some(f) = app
        .object
        .flow_types
        .as_ref()
        .filter(|f| f.node == FlowTypes::NONE)
    {
        out.push(
            Diagnostic::warning(
                Code::MappingOff,
                format!("the user mapping of `{}` has no flow type: Entra neither creates, updates nor deletes", app.name.node),
            )
            .with_rule("S33")
            .with_label(src, f.span, "no flow")
            .with_help("turn on `Add`, `Update` or `Delete`, as in `flow_types \"Add, Update, Delete\"`"),
        );
    }
    let mut seen: HashMap<u32, &Matching> = HashMap::new();
    for m in &app.object.matching {
        if let Some(e) = &m.expression {
            out.push(
                Diagnostic::warning(
                    Code::MatchingExpression,
                    format!("`{}` is matched on the expression `{e}`", m.target),
                )
                .with_rule("S32")
                .with_label(src, m.source.span, "an expression, not an attribute")
                .with_help("the value matched is what the expression gives; the attribute-mapping stage evaluates it, and without it no account can be matched on this attribute"),
            );
        }
        if let Some(prev) = seen.insert(m.priority, m) {
            out.push(
                Diagnostic::warning(
                    Code::MatchingPriority,
                    format!("`{}` and `{}` have the same matching priority {}", prev.target, m.target, m.priority),
                )
                .with_rule("S32")
                .with_label(src, m.source.span, "same priority")
                .with_label(src, prev.source.span, "as this one")
                .with_help("Entra's order between equal priorities is not documented; scopesim tries them in the order written. Give each its own priority"),
            );
        }
    }
}

fn check_app(app: &App, opts: CheckOptions, out: &mut Vec<Diagnostic>) {
    check_object(app, out);
    let mut stages: HashMap<&str, &Stage> = HashMap::new();
    for (i, stage) in app.stages.iter().enumerate() {
        if stage.name.node.trim().is_empty() {
            out.push(
                Diagnostic::error(Code::EmptyName, "a stage needs a name").with_label(
                    stage.source,
                    stage.name.span,
                    "empty name",
                ),
            );
        }
        if let Some(prev) = stages.insert(stage.name.node.as_str(), stage) {
            out.push(
                Diagnostic::error(
                    Code::DuplicateStage,
                    format!(
                        "stage `{}` is defined twice in app `{}`",
                        stage.name.node, app.name.node
                    ),
                )
                .with_label(stage.source, stage.name.span, "defined again here")
                .with_label(prev.source, prev.name.span, "first defined here")
                .with_help("stage names must be unique within an app"),
            );
        }
        if let Some(parent) = &stage.extends {
            let earlier = app.stages[..i].iter().any(|s| s.name.node == parent.node);
            if !earlier {
                let later = app.stages[i..].iter().any(|s| s.name.node == parent.node);
                let (message, help) = if parent.node == stage.name.node {
                    (
                        format!("stage `{}` extends itself", stage.name.node),
                        "a stage extends an earlier stage of the same app".to_string(),
                    )
                } else if later {
                    (
                        format!(
                            "stage `{}` extends `{}`, which comes later",
                            stage.name.node, parent.node
                        ),
                        "stages run in the order written: move the extended stage before this one"
                            .to_string(),
                    )
                } else {
                    let names: Vec<&str> = app.stages[..i]
                        .iter()
                        .map(|s| s.name.node.as_str())
                        .collect();
                    let help = match suggest_word(&parent.node, &names) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if names.is_empty() => {
                            "this is the first stage of the app; remove `extends`".to_string()
                        }
                        None => format!(
                            "earlier stages of `{}`: {}",
                            app.name.node,
                            names.join(", ")
                        ),
                    };
                    (
                        format!(
                            "stage `{}` extends unknown stage `{}`",
                            stage.name.node, parent.node
                        ),
                        help,
                    )
                };
                out.push(
                    Diagnostic::error(Code::BadExtends, message)
                        .with_label(stage.source, parent.span, "not an earlier stage")
                        .with_help(help),
                );
            }
        }
        check_stage_filters(app, i, out);
        for filter in stage.filters.iter() {
            check_filter(filter, opts, out);
        }
    }
}

/// Duplicate filter names among a stage's effective filters of one kind.
fn check_stage_filters(app: &App, index: usize, out: &mut Vec<Diagnostic>) {
    let view = stage_view(app, index);
    for list in [&view.scoping, &view.input, &view.category] {
        let mut seen: HashMap<&str, &Filter> = HashMap::new();
        for f in list.iter() {
            if let Some(prev) = seen.insert(f.name.node.as_str(), f) {
                // report only where this stage introduced the duplicate
                let own = view.stage.filters.iter().any(|g| std::ptr::eq(g, *f));
                if own {
                    out.push(
                        Diagnostic::error(
                            Code::DuplicateFilter,
                            format!(
                                "filter `{}` appears twice in stage `{}`",
                                f.name.node, view.stage.name.node
                            ),
                        )
                        .with_label(f.source, f.name.span, "again here")
                        .with_label(prev.source, prev.name.span, "first here")
                        .with_help(
                            "filter names must be unique within a stage, inherited ones included",
                        ),
                    );
                }
            }
        }
    }
}

fn check_filter(filter: &Filter, opts: CheckOptions, out: &mut Vec<Diagnostic>) {
    if filter.name.node.trim().is_empty() {
        out.push(
            Diagnostic::warning(Code::EmptyName, "this filter has no name")
                .with_label(filter.source, filter.name.span, "no name")
                .with_help("name filters so that explanations and reports can refer to them"),
        );
    }
    if filter.clauses.is_empty() {
        out.push(
            Diagnostic::warning(
                Code::EmptyFilter,
                format!(
                    "filter `{}` has no clauses and matches every candidate",
                    filter.name.node
                ),
            )
            .with_rule("S22")
            .with_label(filter.source, filter.name.span, "no clauses")
            .with_help("add clauses, or remove the filter"),
        );
    }
    if filter.kind == FilterKind::Category {
        out.push(
            Diagnostic::warning(
                Code::CategoryFilter,
                format!("filter `{}` is a category filter, which Graph marks experimental", filter.name.node),
            )
            .with_rule("S23")
            .with_label(filter.source, filter.name.span, "")
            .with_help("scopesim evaluates it like an input filter: failing users are skipped, never deprovisioned"),
        );
    }
    for clause in &filter.clauses {
        check_clause(clause, opts, out);
    }
}

fn check_clause(c: &Clause, opts: CheckOptions, out: &mut Vec<Diagnostic>) {
    let src = c.source;
    let attr = c.attribute.node.as_str();
    if attr.trim().is_empty() {
        out.push(
            Diagnostic::error(Code::EmptyAttribute, "this clause has no attribute name")
                .with_rule("S30")
                .with_label(src, c.attribute.span, "empty")
                .with_help("name the source attribute the clause tests, such as `department EQUALS \"Sales\"`"),
        );
        return;
    }
    // S20 and attribute names
    let info = schema::lookup_exact(attr).copied();
    match info {
        Some(info) => {
            if let Some(why) = info.unsupported {
                out.push(
                    Diagnostic::error(
                        Code::UnsupportedAttribute,
                        format!("`{attr}` cannot be used in a scoping filter"),
                    )
                    .with_rule("S20")
                    .with_label(src, c.attribute.span, "not supported by Entra")
                    .with_help(why),
                );
            }
        }
        None => {
            if let Some(ci) = schema::ATTRIBUTES
                .iter()
                .find(|a| a.name.eq_ignore_ascii_case(attr))
            {
                out.push(
                    Diagnostic::warning(
                        Code::AttributeCase,
                        format!("attribute `{attr}` differs in case from `{}`", ci.name),
                    )
                    .with_rule("S3")
                    .with_label(src, c.attribute.span, "")
                    .with_help(format!(
                        "Entra matches attribute names exactly: write `{}`",
                        ci.name
                    )),
                );
                if let Some(why) = ci.unsupported {
                    out.push(
                        Diagnostic::error(
                            Code::UnsupportedAttribute,
                            format!("`{}` cannot be used in a scoping filter", ci.name),
                        )
                        .with_rule("S20")
                        .with_label(src, c.attribute.span, "not supported by Entra")
                        .with_help(why),
                    );
                }
            } else if !schema::is_directory_extension(attr) {
                if let Some(s) = schema::suggest(attr, []) {
                    out.push(
                        Diagnostic::warning(
                            Code::UnknownAttribute,
                            format!("`{attr}` is not a known source attribute"),
                        )
                        .with_label(src, c.attribute.span, "")
                        .with_help(format!("did you mean `{s}`?")),
                    );
                }
            }
        }
    }
    let op = match &c.operator.node {
        OperatorName::Known(op) => *op,
        OperatorName::Unknown(text) => {
            let candidates = Operator::candidates(text);
            let help = match candidates.as_slice() {
                [op] => format!("did you mean `{}`?", op.canonical()),
                [rest @ .., last] => format!(
                    "`{text}` could mean {} or `{}`: write the one you mean",
                    rest.iter()
                        .map(|o| format!("`{}`", o.canonical()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    last.canonical()
                ),
                [] => format!(
                    "operators are: {}",
                    Operator::ALL
                        .iter()
                        .map(|o| format!("`{}`", o.canonical()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            out.push(
                Diagnostic::error(Code::UnknownOperator, format!("unknown operator `{text}`"))
                    .with_label(src, c.operator.span, "not an operator")
                    .with_help(help),
            );
            return;
        }
    };
    let ty = info.map_or(AttrType::String, |i| i.ty);
    if op.is_undocumented() {
        out.push(
            Diagnostic::error(
                UNDOCUMENTED_OPERATOR,
                format!("`{}` has no documented meaning, so scopesim will not evaluate it", op.canonical()),
            )
            .with_rule("S17")
            .with_label(src, c.operator.span, "semantics undocumented")
            .with_help("Microsoft has not defined `&` and `!&` (substring or bitwise AND?); rewrite the clause with `Includes`, `EQUALS` or `REGEX MATCH`"),
        );
    }
    if matches!(op, Operator::IsTrue | Operator::IsFalse)
        && info.is_some()
        && ty != AttrType::Boolean
    {
        out.push(
            Diagnostic::warning(Code::BooleanOperator, format!("`{}` applies to Boolean attributes, and `{attr}` is not one", op.canonical()))
                .with_rule("S13")
                .with_label(src, c.operator.span, "")
                .with_help("Entra lists IS TRUE and IS FALSE for Boolean attributes only; scopesim still reads `true`/`false` text (S4)"),
        );
    }
    if op.is_unary() {
        if let Some(v) = c.values.first() {
            out.push(
                Diagnostic::error(
                    Code::ExtraValue,
                    format!("`{}` takes no value", op.canonical()),
                )
                .with_rule(op.rule())
                .with_label(src, v.span, "remove this value")
                .with_help(format!("write `{attr} {}`", op.canonical())),
            );
        }
        return;
    }
    let Some(value) = c.values.first() else {
        out.push(
            Diagnostic::error(
                Code::MissingValue,
                format!("`{}` needs a value", op.canonical()),
            )
            .with_rule(op.rule())
            .with_label(src, c.operator.span, "no value after this operator")
            .with_help(format!("write `{attr} {} \"value\"`", op.canonical())),
        );
        return;
    };
    if c.values.len() > 1 {
        out.push(
            Diagnostic::error(Code::SeveralValues, format!("this clause has {} values; a clause takes exactly one", c.values.len()))
                .with_rule("S21")
                .with_label(src, c.values[1].span, "second value")
                .with_help("Entra does not document what several `targetOperand.values` mean; split the clause into one filter per value (filters are ORed)"),
        );
    }
    if value.style == ValueStyle::Bare {
        out.push(
            Diagnostic::error(
                Code::UnquotedValue,
                format!("the value `{}` must be quoted", value.text),
            )
            .with_label(src, value.span, "unquoted")
            .with_help(format!(
                "write {}",
                super::print::value_literal(&value.text)
            )),
        );
    }
    if op.is_integer() && parse_int(&value.text).is_none() {
        out.push(
            Diagnostic::error(
                Code::NotAnInteger,
                format!(
                    "`{}` needs a whole number, not `{}`",
                    op.canonical(),
                    value.text
                ),
            )
            .with_rule("S18")
            .with_label(src, value.span, "not an integer")
            .with_help("Entra compares integers only: write a value such as \"100\""),
        );
    }
    if op.is_regex() {
        if let Err(e) = DotnetRegex::new(&value.text, opts.anchoring) {
            let span = value.source_span(e.span.clone());
            let code = if e.dotnet_accepts {
                Code::RegexNotSimulated
            } else {
                Code::InvalidRegex
            };
            let mut d = Diagnostic::error(code, e.message.clone())
                .with_rule("S19")
                .with_label(src, span, "here");
            if let Some(h) = &e.help {
                d = d.with_help(h.clone());
            }
            out.push(d);
        }
    }
    if ty == AttrType::Boolean
        && matches!(op, Operator::Equals | Operator::NotEquals)
        && value.text != "True"
        && value.text != "False"
    {
        out.push(
            Diagnostic::warning(
                Code::BooleanText,
                format!("Entra renders Boolean `{attr}` as `True` or `False`, so `{}` compares against that text", op.canonical()),
            )
            .with_rule("S4")
            .with_label(src, value.span, "case-sensitive text")
            .with_help(format!("use `{attr} IS TRUE` / `IS FALSE`, or the exact text \"True\" / \"False\"")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::load::load_text;

    fn diags(text: &str) -> Vec<Diagnostic> {
        let l = load_text("t.scope", text, None);
        let mut d = l.diagnostics.clone();
        d.extend(check(&l.rules, CheckOptions::default()));
        d
    }

    fn codes(text: &str) -> Vec<&'static str> {
        diags(text).iter().map(|d| d.code.as_str()).collect()
    }

    fn one(clause: &str) -> Vec<&'static str> {
        codes(&format!("app \"A\" {{ filter \"f\" {{\n {clause}\n}} }}"))
    }

    #[test]
    fn the_issue_example_is_clean() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/rollout.scope"
        ))
        .unwrap();
        assert!(diags(&text).is_empty(), "{:?}", diags(&text));
    }

    #[test]
    fn clause_checks() {
        assert_eq!(one("department EQUAL \"x\""), vec!["unknown-operator"]);
        assert_eq!(one("department EQUALS"), vec!["missing-value"]);
        assert_eq!(one("accountEnabled IS TRUE \"x\""), vec!["extra-value"]);
        assert_eq!(one("department EQUALS Sales"), vec!["unquoted-value"]);
        assert_eq!(one("department EQUALS \"Sales\""), Vec::<&str>::new());
    }

    #[test]
    fn s17_bitwise_operators_are_refused() {
        assert_eq!(
            one("extensionAttribute1 & \"4\""),
            vec![UNDOCUMENTED_OPERATOR]
        );
        assert_eq!(
            one("extensionAttribute1 !& \"4\""),
            vec![UNDOCUMENTED_OPERATOR]
        );
    }

    #[test]
    fn s18_greater_than_value_must_be_an_integer() {
        assert_eq!(
            one("extensionAttribute1 Greater_Than \"abc\""),
            vec!["not-an-integer"]
        );
        assert_eq!(
            one("extensionAttribute1 Greater_Than \"1.5\""),
            vec!["not-an-integer"]
        );
        assert_eq!(
            one("extensionAttribute1 Greater_Than_OR_EQUALS \"007\""),
            Vec::<&str>::new()
        );
        assert_eq!(
            one("extensionAttribute1 Greater_Than 100"),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn s19_invalid_regex_is_located_inside_the_pattern() {
        let text = "app \"A\" { filter \"f\" {\n country REGEX MATCH '^(DE|FR$'\n} }";
        let d = diags(text);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, "invalid-regex");
        let span = d[0].labels[0].span;
        let pattern_start = text.find("'^").unwrap() + 1;
        assert!(
            span.start >= pattern_start && span.end <= pattern_start + 9,
            "{span:?}"
        );
    }

    #[test]
    fn s20_unsupported_attributes_are_errors() {
        assert_eq!(
            one("userType EQUALS \"Guest\""),
            vec!["unsupported-attribute"]
        );
        assert_eq!(
            one("proxyAddresses Includes \"smtp:\""),
            vec!["unsupported-attribute"]
        );
        assert_eq!(one("manager IS NOT NULL"), vec!["unsupported-attribute"]);
        assert_eq!(
            one("createdDateTime IS NOT NULL"),
            vec!["unsupported-attribute"]
        );
    }

    #[test]
    fn s21_several_values_are_refused() {
        let text = r#"{"groups":[{"name":"x","clauses":[{"sourceOperandName":"department","operatorName":"EQUALS","targetOperand":{"values":["a","b"]}}]}]}"#;
        let l = load_text("s.json", text, None);
        let d = check(&l.rules, CheckOptions::default());
        assert_eq!(
            d.iter().map(|d| d.code).collect::<Vec<_>>(),
            vec!["several-values"]
        );
    }

    #[test]
    fn stage_structure_checks() {
        let c = codes(
            "app \"A\" {\n stage \"a\" extends \"b\" { }\n stage \"b\" { }\n stage \"b\" { }\n stage \"c\" extends \"zz\" { }\n}\napp \"A\" { }\n",
        );
        assert_eq!(
            c,
            vec![
                "bad-extends",
                "duplicate-stage",
                "bad-extends",
                "duplicate-app"
            ]
        );
    }

    #[test]
    fn duplicate_filters_include_inherited_ones() {
        let c = codes(
            "app \"A\" {\n stage \"a\" { filter \"f\" { x IS NULL } }\n stage \"b\" extends \"a\" { filter \"f\" { x IS NULL } }\n}\n",
        );
        assert_eq!(c, vec!["duplicate-filter"]);
    }

    #[test]
    fn attribute_name_warnings() {
        assert_eq!(one("Department EQUALS \"x\""), vec!["attribute-case"]);
        assert_eq!(one("departmnet EQUALS \"x\""), vec!["unknown-attribute"]);
        assert_eq!(
            one("extension_5bfc8fdacfc943a9a6de214ea9d15fdb_wave EQUALS \"x\""),
            Vec::<&str>::new()
        );
        assert_eq!(one("department IS TRUE"), vec!["boolean-operator"]);
        assert_eq!(one("accountEnabled EQUALS \"true\""), vec!["boolean-text"]);
    }

    #[test]
    fn three_mistakes_give_three_located_diagnostics() {
        let text = "app \"A\" {\n  filter \"f\" {\n    department EQUAL \"IT\"\n    extensionAttribute1 Greater_Than \"ten\"\n    country REGEX MATCH '(DE'\n  }\n}\n";
        let l = load_text("t.scope", text, None);
        let d = check(&l.rules, CheckOptions::default());
        assert!(l.diagnostics.is_empty());
        let lines: Vec<usize> = d
            .iter()
            .map(|d| crate::source::line_col(text, d.labels[0].span.start).line)
            .collect();
        assert_eq!(lines, vec![3, 4, 5], "{d:?}");
    }

    fn all(text: &str) -> Vec<Diagnostic> {
        check_loaded(&load_text("t.scope", text, None), CheckOptions::default())
    }

    #[test]
    fn check_reports_every_mistake_after_a_bad_setting() {
        let text = "app \"A\" {\n  scope maybe\n  deletion_threshold 99999999999999999999\n  filter \"f\" {\n    extensionAttribute1 Greater_Than \"99999999999999999999\"\n    department EQUAL \"IT\"\n  }\n}\n";
        let d = all(text);
        let codes: Vec<&str> = d.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "bad-setting-value",
                "bad-setting-value",
                "not-an-integer",
                "unknown-operator"
            ],
            "{d:?}"
        );
        // both integer overflows are reported, each at its own line
        let lines: Vec<usize> = d
            .iter()
            .map(|d| crate::source::line_col(text, d.labels[0].span.start).line)
            .collect();
        assert_eq!(lines, [2, 3, 5, 6]);
    }

    #[test]
    fn a_filter_emptied_by_an_unreadable_line_is_not_also_called_empty() {
        let d = all("app \"A\" {\n  filter \"f\" {\n    country\n  }\n}\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, Code::Syntax);
    }

    #[test]
    fn s30_an_empty_attribute_is_an_error() {
        assert_eq!(one("\"\" EQUALS \"x\""), vec!["empty-attribute"]);
    }

    #[test]
    fn s35_an_ambiguous_operator_lists_what_it_could_mean() {
        let d = diags("app \"A\" { filter \"f\" {\n accountEnabled IS \"x\"\n} }");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            d[0].help.as_deref(),
            Some(
                "`IS` could mean `IS FALSE`, `IS NOT NULL`, `IS NULL` or `IS TRUE`: write the one you mean"
            )
        );
    }

    #[test]
    fn s32_matching_on_an_expression_and_equal_priorities_are_warned() {
        let d = all(
            "app \"A\" {\n  match userPrincipalName -> userName priority 1\n  match mail -> emails priority 1\n  match expression 'Join(\"@\", [mailNickname], \"contoso.com\")' -> externalId priority 2\n}\n",
        );
        let codes: Vec<&str> = d.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["matching-priority", "matching-expression"], "{d:?}");
    }

    #[test]
    fn s33_a_disabled_mapping_or_no_flow_is_warned() {
        let d = all("app \"A\" {\n  mapping_enabled false\n  flow_types \"None\"\n}\n");
        let codes: Vec<&str> = d.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["mapping-off", "mapping-off"], "{d:?}");
        assert!(all("app \"A\" {\n  mapping_enabled true\n  flow_types \"Add\"\n}\n").is_empty());
    }

    #[test]
    fn counts_summarise_a_rule_set() {
        let l = load_text(
            "t.scope",
            "app \"A\" {\n stage \"a\" { filter \"f\" { x IS NULL\n y IS NULL } }\n stage \"b\" { }\n}\n",
            None,
        );
        assert_eq!(
            Counts::of(&l.rules).to_string(),
            "1 app, 2 stages, 1 filter, 2 clauses"
        );
    }
}
