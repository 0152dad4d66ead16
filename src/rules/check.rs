//! Static checks: everything that can be known about rules without a directory.
//!
//! Entra only reports a bad filter when a provisioning cycle trips over it (or silently
//! evaluates it to false). These checks catch the mistakes it would not explain: an
//! operator it does not know, a value Greater_Than cannot read (S18), a regex the .NET
//! engine would reject or we cannot run the same way (S19), an attribute it refuses (S20),
//! an operator with undocumented semantics (S17). Every finding has a span, and all of
//! them are reported in one pass.

use super::ast::*;
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

fn check_app(app: &App, opts: CheckOptions, out: &mut Vec<Diagnostic>) {
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
            let help = match Operator::suggest(text) {
                Some(op) => format!("did you mean `{}`?", op.canonical()),
                None => format!(
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
}
