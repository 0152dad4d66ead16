//! Static checks of an expression: what can be known wrong before any user is evaluated.
//!
//! * Function names are exact (ED-FUNC: "The syntax is case-sensitive"): `append(` is an
//!   unknown function with a did-you-mean `Append`; a name Graph's catalog lists but
//!   ED-FUNC does not document is an error naming where it appears (S39).
//! * Argument counts follow the documented signatures (`Switch` takes pairs).
//! * Constant arguments are checked for what their parameter needs: whole numbers,
//!   `DateAdd`/`DateDiff` intervals, `InStr` compare types, `DateTimeStyles`, culture
//!   names, .NET date formats, and regular expressions (translated by [`crate::regex`]).
//! * A comparison stands only where ED-FUNC shows one (IIF's condition, CBool's
//!   argument); a bare name only as InStr's compare type; `SelectUniqueValue` only at the
//!   top ("This function must be at the top-level and can't be nested").
//! * Attribute names are compared with the names the user's values have, when given:
//!   one matching only in letter case is a warning (S3), an unknown one a warning with a
//!   did-you-mean (it evaluates to NULL).

use super::ast::{Call, Expr, ExprKind};
use super::date::{DateTime, Interval, Styles};
use super::functions::{self, Function, Ty};
use crate::diag::{Code, Diagnostic};
use crate::source::{SourceId, Span};

/// What the checker compares the expression with.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions<'a> {
    /// The text the expression's spans point into.
    pub source: SourceId,
    /// The attribute names values are given for (`None`: do not check names).
    pub attributes: Option<&'a [String]>,
}

/// Every static problem of `expr`, in reading order.
pub fn check(expr: &Expr, opts: &CheckOptions<'_>) -> Vec<Diagnostic> {
    let mut c = Checker {
        opts,
        diags: Vec::new(),
        reported: Vec::new(),
    };
    c.visit(expr, None, 0);
    crate::diag::sort(&mut c.diags);
    c.diags
}

struct Checker<'a> {
    opts: &'a CheckOptions<'a>,
    diags: Vec<Diagnostic>,
    /// Attribute names already reported (one finding per name).
    reported: Vec<String>,
}

/// Where a node stands: the function and argument position it is in.
type Parent = Option<(&'static Function, usize, usize)>;

impl Checker<'_> {
    fn push(&mut self, mut d: Diagnostic, span: Span, label: &str) {
        d.rule = d.code.rule();
        self.diags.push(d.with_label(self.opts.source, span, label));
    }

    fn error(
        &mut self,
        code: Code,
        span: Span,
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        let mut d = Diagnostic::error(code, message);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.push(d, span, label);
    }

    fn visit(&mut self, e: &Expr, parent: Parent, depth: usize) {
        match &e.kind {
            ExprKind::Call(c) => self.call(c, e.span, depth),
            ExprKind::Compare(cmp) => {
                let allowed =
                    matches!(parent, Some((f, 0, _)) if f.name == "IIF" || f.name == "CBool");
                if !allowed {
                    self.error(
                        Code::ComparisonPlacement,
                        cmp.op_span,
                        format!("a comparison with `{}` stands only in IIF's condition or CBool's argument", cmp.op.as_str()),
                        "not allowed here",
                        Some("ED-FUNC documents comparison operators only for IIF (and CBool); write `IIF(a = b, \"True\", \"False\")` for a value".into()),
                    );
                }
                for side in [&cmp.left, &cmp.right] {
                    if matches!(side.kind, ExprKind::Compare(_)) {
                        self.error(
                            Code::ComparisonPlacement,
                            side.span,
                            "a comparison cannot compare comparisons".into(),
                            "nested",
                            Some("IIF has no AND or OR: nest IIF calls (ED-FUNC)".into()),
                        );
                    }
                    self.visit(side, None, depth + 1);
                }
            }
            ExprKind::Name(n) => {
                let allowed = matches!(parent, Some((f, 3, _)) if f.name == "InStr");
                if !allowed {
                    self.error(
                        Code::UnknownName,
                        e.span,
                        format!("`{n}` is not a value the language knows"),
                        "a bare name",
                        Some(format!(
                            "an attribute is written `[{n}]`, a string `\"{n}\"`, a function call `{n}(...)`"
                        )),
                    );
                }
            }
            ExprKind::Attribute(name) => self.attribute(name, e.span),
            _ => {}
        }
        if let Some((f, i, n)) = parent {
            if let Some(p) = f.param_in(i, n) {
                self.argument(f, p.ty, p.name, e);
            }
        }
    }

    fn attribute(&mut self, name: &str, span: Span) {
        let Some(names) = self.opts.attributes else {
            return;
        };
        if names.iter().any(|n| n == name) || self.reported.iter().any(|n| n == name) {
            return;
        }
        self.reported.push(name.to_owned());
        if let Some(other) = names
            .iter()
            .find(|n| n.to_lowercase() == name.to_lowercase())
        {
            self.push(
                Diagnostic::warning(
                    Code::ExpressionAttributeCase,
                    format!(
                        "`[{name}]` matches the value given for `{other}` only ignoring letter case"
                    ),
                )
                .with_help(format!(
                    "write `[{other}]`; scopesim reads it ignoring case, as it does for rules (S3)"
                )),
                span,
                "letter case differs",
            );
            return;
        }
        let suggestion = crate::schema::suggest(name, names.iter().map(String::as_str));
        let mut d = Diagnostic::warning(
            Code::ExpressionUnknownAttribute,
            format!("no value is given for `[{name}]`, so it is NULL"),
        );
        d = match suggestion {
            Some(s) => d.with_help(format!("did you mean `[{s}]`?")),
            None => d.with_help(format!(
                "give it with `--set {name}=VALUE` if the user has one"
            )),
        };
        self.push(d, span, "NULL");
    }

    fn call(&mut self, c: &Call, span: Span, depth: usize) {
        let Some(f) = functions::lookup(&c.name) else {
            if let Some(where_) = functions::undocumented(&c.name) {
                self.error(
                    Code::UndocumentedFunction,
                    c.name_span,
                    format!("`{}` is not a documented expression function", c.name),
                    "undocumented",
                    Some(format!(
                        "it appears in {where_}, but Microsoft's function reference (ED-FUNC) does not document what it does, so scopesim does not evaluate it"
                    )),
                );
            } else {
                let help = match functions::suggest(&c.name) {
                    Some(s) if s.eq_ignore_ascii_case(&c.name) => {
                        format!("did you mean `{s}`? the syntax is case-sensitive")
                    }
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "the documented functions are listed in the README".into(),
                };
                self.error(
                    Code::UnknownFunction,
                    c.name_span,
                    format!("unknown function `{}`", c.name),
                    "not a function",
                    Some(help),
                );
            }
            for a in &c.args {
                if let Some(e) = &a.expr {
                    self.visit(e, None, depth + 1);
                }
            }
            return;
        };
        let n = c.args.len();
        if n < f.min || f.max.is_some_and(|m| n > m) || (f.pairs && n >= 2 && (n - 2) % 2 != 0) {
            self.error(
                Code::FunctionArity,
                span,
                format!("`{}` takes {} arguments, not {n}", f.name, f.arity()),
                "wrong number of arguments",
                Some(format!("the documented form is `{}`", f.signature())),
            );
        }
        if f.name == "SelectUniqueValue" && depth > 0 {
            self.error(
                Code::SelectUniqueValueNested,
                c.name_span,
                "`SelectUniqueValue` must be the whole expression".into(),
                "nested",
                Some(
                    "ED-FUNC: \"This function must be at the top-level and can't be nested\""
                        .into(),
                ),
            );
        }
        if f.name == "Replace" && super::replace::mode(c).is_none() && n > 1 {
            self.error(
                Code::ArgumentType,
                span,
                "this `Replace` gives none of the documented argument combinations".into(),
                "no mode",
                Some("give oldValue with replacementValue or template, or regexPattern with replacementValue (and regexGroupName), or regexPattern, regexGroupName and replacementAttributeName".into()),
            );
        }
        for (i, a) in c.args.iter().enumerate() {
            if let Some(e) = &a.expr {
                self.visit(e, Some((f, i, n)), depth + 1);
            }
        }
    }

    /// Checks a constant argument against what its parameter needs.
    fn argument(&mut self, f: &Function, ty: Ty, param: &str, e: &Expr) {
        if ty == Ty::Date && matches!(e.kind, ExprKind::Str(_) | ExprKind::Number(_)) {
            self.error(
                Code::ArgumentType,
                e.span,
                format!("`{}`'s {param} must be a DateTime, not a string", f.name),
                "a string",
                Some("wrap it in `CDate(...)` (ED-FUNC: \"When passing a date string as input, use CDate function\")".into()),
            );
            return;
        }
        let Some(text) = e.constant_text() else {
            return;
        };
        let problem: Option<(String, Option<String>)> = match ty {
            Ty::Int => super::eval::read_int(&text).is_none().then(|| {
                (
                    format!(
                        "`{}`'s {param} must be a whole number, not `{text}`",
                        f.name
                    ),
                    None,
                )
            }),
            Ty::Interval => Interval::parse(&text).is_none().then(|| {
                let names: Vec<&str> = Interval::NAMES.to_vec();
                let near = crate::rules::parse::suggest_word(&text, &names);
                (
                    format!("`{text}` is not a {} interval", f.name),
                    Some(match near {
                        Some(s) => format!(
                            "did you mean `\"{s}\"`? the intervals are yyyy, m, d, ww, h, n, s"
                        ),
                        None => "the intervals are yyyy, m, d, ww, h, n, s".into(),
                    }),
                )
            }),
            Ty::CompareType => (text != "vbTextCompare" && text != "vbBinaryCompare").then(|| {
                (
                    format!("`{text}` is not an InStr compare type"),
                    Some("use `vbTextCompare` or `vbBinaryCompare`".into()),
                )
            }),
            Ty::Styles => (!text.trim().is_empty())
                .then(|| Styles::parse(&text).err())
                .flatten()
                .map(|e| (e.0, None)),
            Ty::Culture => (!text.is_empty() && super::text::culture_is_turkic(&text).is_none())
                .then(|| {
                    (
                        format!("`{text}` is not a culture name"),
                        Some("write an RFC 4646 name such as `en-US`".into()),
                    )
                }),
            Ty::DateFormat => {
                let probe =
                    DateTime::utc(2000, 1, 1, 0, 0, 0).map(|d| super::date::format(d, &text));
                match probe {
                    Some(Err(e)) => Some((e.0, None)),
                    _ => None,
                }
            }
            Ty::Regex => match crate::regex::CapturingRegex::new(&text) {
                Err(err) => Some((
                    format!("the pattern `{text}` cannot be used: {}", err.message),
                    err.help,
                )),
                Ok(_) => None,
            },
            _ => None,
        };
        if let Some((message, help)) = problem {
            let code = if ty == Ty::Regex {
                Code::InvalidRegex
            } else {
                Code::ArgumentType
            };
            self.error(code, e.span, message, "here", help);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Sources;

    fn diags(text: &str, attrs: Option<&[String]>) -> Vec<Diagnostic> {
        let mut s = Sources::new();
        let id = s.add("e", None, text);
        let (e, mut d) = super::super::parse::parse_source(&s, id);
        if let Some(e) = e {
            d.extend(check(
                &e,
                &CheckOptions {
                    source: id,
                    attributes: attrs,
                },
            ));
        }
        d
    }

    const NONE: [Code; 0] = [];

    fn codes(text: &str) -> Vec<Code> {
        diags(text, None).iter().map(|d| d.code).collect()
    }

    #[test]
    fn s39_the_syntax_is_case_sensitive() {
        let d = diags(r#"append([a], "b")"#, None);
        assert_eq!(d[0].code, Code::UnknownFunction);
        assert_eq!(d[0].message, "unknown function `append`");
        assert_eq!(
            d[0].help.as_deref(),
            Some("did you mean `Append`? the syntax is case-sensitive")
        );
        assert_eq!(d[0].labels[0].span, Span::new(0, 6));
    }

    #[test]
    fn s39_undocumented_functions_are_errors_naming_them() {
        let d = diags("Prepend(\"x\", [a])", None);
        assert_eq!(d[0].code, Code::UndocumentedFunction);
        assert!(d[0].message.contains("`Prepend`"));
    }

    #[test]
    fn arity_and_argument_kinds() {
        assert_eq!(codes("Mid([a], 1)"), [Code::FunctionArity]);
        assert_eq!(codes(r#"Switch([a], "d", "k")"#), [Code::FunctionArity]);
        assert_eq!(codes(r#"Switch([a], "d", "k", "v")"#), NONE);
        assert_eq!(codes(r#"Mid([a], "one", 2)"#), [Code::ArgumentType]);
        assert_eq!(codes(r#"DateAdd("days", 1, Now())"#), [Code::ArgumentType]);
        assert_eq!(
            codes(r#"DateAdd("d", 1, "2021-01-01")"#),
            [Code::ArgumentType]
        );
        assert_eq!(codes(r#"InStr("a", "b", 1, vbTextCompare)"#), NONE);
        assert_eq!(codes(r#"InStr("a", "b", 1, vbText)"#), [Code::ArgumentType]);
        assert_eq!(
            codes(r#"Replace([a], , "(", , "x", , )"#),
            [Code::InvalidRegex]
        );
        assert_eq!(codes(r#"Replace([a], , , , , , )"#), [Code::ArgumentType]);
        assert_eq!(
            codes(r#"FormatDateTime([a], "Sometimes", "yyyy", "yyyy")"#),
            [Code::ArgumentType]
        );
        assert_eq!(codes(r#"ToLower([a], "english")"#), [Code::ArgumentType]);
        assert_eq!(codes(r#"Append(vbTextCompare, "x")"#), [Code::UnknownName]);
    }

    #[test]
    fn placement_rules() {
        assert_eq!(
            codes(r#"Append([a] = "b", "x")"#),
            [Code::ComparisonPlacement]
        );
        assert_eq!(codes(r#"IIF([a] = "b", "x", "y")"#), NONE);
        assert_eq!(codes(r#"CBool([a] = [b])"#), NONE);
        assert_eq!(
            codes(r#"ToLower(SelectUniqueValue([a], [b]))"#),
            [Code::SelectUniqueValueNested]
        );
        assert_eq!(codes(r#"SelectUniqueValue([a], [b])"#), NONE);
    }

    #[test]
    fn attribute_names_against_the_given_values() {
        let given = vec!["userPrincipalName".to_string(), "mail".to_string()];
        let d = diags("Append([userPrincipalname], [mial])", Some(&given));
        assert_eq!(d[0].code, Code::ExpressionAttributeCase);
        assert_eq!(d[1].code, Code::ExpressionUnknownAttribute);
        assert_eq!(d[1].help.as_deref(), Some("did you mean `[mail]`?"));
    }
}
