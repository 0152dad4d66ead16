//! Graph's `attributeMappingSource` tree, read into the expression tree and written from
//! it (GD-AMS, GD-PARSE).
//!
//! A node is `{"expression", "name", "parameters": [{"key", "value": node}], "type"}` with
//! `type` `Attribute` (the default), `Constant` or `Function`. Two quirks of the service
//! shape the reader and the writer (reference §3.4):
//!
//! * parameters carry the service's internal keys (`Replace` uses `source`, `Find`,
//!   `Replacement` ...; see [`super::functions`]), so positions are recovered from the
//!   keys, not from the order;
//! * empty positional arguments are dropped: `Replace([x], "-", , , "_", , )` has three
//!   parameters. Where an empty position stands in a repeating parameter (a `Switch`
//!   pair, a `Join` source) dropping it would shift the rest, so the writer refuses it.
//!
//! Every node also carries its `expression` text. The reader parses the top node's text
//! when present and requires it to say what the tree says (numbers and their quoted forms are the same
//! constant: Graph writes `Mid([x], 1, 8)` with the constant `"1"`); a node without it
//! is read from the tree alone. Comparisons have no documented tree shape: they are
//! written as a `Function` named by the operator with `left` and `right` parameters
//! [decision], and read back the same way.

use super::MAX_DEPTH;
use super::ast::{Arg, Call, Compare, CompareOp, Expr, ExprKind};
use super::functions;
use super::print::print;
use crate::diag::{Code, Diagnostic, Errors};
use crate::rules::json_tree::{Json, JsonKind};
use crate::source::{SourceId, Sources, Span};
use serde_json::{Value as JValue, json};

/// Writes the `attributeMappingSource` tree of an expression.
pub fn to_json(expr: &Expr) -> Result<JValue, Errors> {
    write(expr)
}

fn unrepresentable(call: &Call, i: usize) -> Errors {
    Errors::new(
        Diagnostic::error(
            Code::UnrepresentableArgument,
            format!(
                "argument {} of `{}` is empty, which Graph's tree cannot hold in a repeating position",
                i + 1,
                call.name
            ),
        )
        .with_rule("S39")
        .with_help("Entra's parser drops empty arguments, which would shift the ones after it: give the argument a value (`\"\"` for an empty string)"),
    )
}

fn write(e: &Expr) -> Result<JValue, Errors> {
    let expression = print(e);
    Ok(match &e.kind {
        ExprKind::Attribute(name) => {
            json!({"expression": expression, "name": name, "parameters": [], "type": "Attribute"})
        }
        ExprKind::Call(c) => {
            let f = functions::lookup(&c.name);
            let mut params = Vec::new();
            for (i, a) in c.args.iter().enumerate() {
                let key = match f.and_then(|f| f.param_in(i, c.args.len())) {
                    Some(p) => p.key,
                    None => {
                        return Err(Errors::new(
                            Diagnostic::error(
                                Code::UnknownFunction,
                                format!(
                                    "`{}` is not a documented function with a known tree form",
                                    c.name
                                ),
                            )
                            .with_rule("S39"),
                        ));
                    }
                };
                match &a.expr {
                    Some(arg) => params.push(json!({"key": key, "value": write(arg)?})),
                    None => {
                        let repeating = f.is_some_and(|f| f.repeats() && i + 1 >= f.params.len());
                        let before_last = c.args[i + 1..].iter().any(|a| a.expr.is_some());
                        if repeating && before_last {
                            return Err(unrepresentable(c, i));
                        }
                    }
                }
            }
            json!({"expression": expression, "name": c.name, "parameters": params, "type": "Function"})
        }
        ExprKind::Compare(c) => json!({
            "expression": expression,
            "name": c.op.as_str(),
            "parameters": [
                {"key": "left", "value": write(&c.left)?},
                {"key": "right", "value": write(&c.right)?},
            ],
            "type": "Function",
        }),
        _ => {
            let name = e.constant_text().unwrap_or_default();
            json!({"expression": expression, "name": name, "parameters": [], "type": "Constant"})
        }
    })
}

/// Reads an `attributeMappingSource` tree from `json` (a node of the JSON text `id` of
/// `sources`). An `expression` text is added to `sources` (named after `label`) so its
/// diagnostics and spans point into it.
pub fn from_json(
    json: &Json,
    sources: &mut Sources,
    id: SourceId,
    label: &str,
) -> Result<Expr, Errors> {
    let mut r = Reader {
        id,
        diags: Vec::new(),
    };
    let tree = r.node(json, 0);
    if let Some(err) = Errors::from_vec(std::mem::take(&mut r.diags)) {
        return Err(err.with_sources(sources));
    }
    let Some(tree) = tree else {
        return Err(Errors::new(Diagnostic::error(
            Code::ExpressionTreeShape,
            "the mapping source cannot be read",
        ))
        .with_sources(sources));
    };
    // Prefer the expression text, which keeps empty positions and number literals, when
    // it says what the tree says.
    let Some(text) = json.member("expression").and_then(Json::as_str) else {
        return Ok(tree);
    };
    let expr_id = sources.add(format!("{} ({label})", sources.name(id)), None, text);
    let (parsed, diags) = super::parse::parse_source(sources, expr_id);
    let Some(parsed) = parsed else {
        return Err(Errors::from(diags).with_sources(sources));
    };
    if tree_eq(&parsed, &tree) {
        Ok(parsed)
    } else {
        let span = json.member("expression").map_or(json.span, |e| e.span);
        Err(Errors::new(
            Diagnostic::error(
                Code::ExpressionTreeMismatch,
                format!("the `expression` `{text}` and the `parameters` tree say different things"),
            )
            .with_rule("S39")
            .with_label(id, span, "this text")
            .with_help(format!(
                "the tree reads as `{}`; Entra's behaviour with both is undocumented: make them agree, or remove `expression`",
                print(&tree)
            )),
        )
        .with_sources(sources))
    }
}

/// Equality as the tree can tell: constants by their text (`1` and `"1"` alike), argument
/// lists without their trailing empty positions.
pub fn tree_eq(a: &Expr, b: &Expr) -> bool {
    match (&a.kind, &b.kind) {
        (ExprKind::Attribute(x), ExprKind::Attribute(y)) => x == y,
        (ExprKind::Call(x), ExprKind::Call(y)) => {
            let (xa, ya) = (positional(x), positional(y));
            let trim = |args: &[Option<&Expr>]| -> usize {
                args.iter().rposition(Option::is_some).map_or(0, |i| i + 1)
            };
            let (nx, ny) = (trim(&xa), trim(&ya));
            x.name == y.name
                && nx == ny
                && xa[..nx].iter().zip(&ya[..ny]).all(|(p, q)| match (p, q) {
                    (Some(p), Some(q)) => tree_eq(p, q),
                    (None, None) => true,
                    _ => false,
                })
        }
        (ExprKind::Compare(x), ExprKind::Compare(y)) => {
            x.op == y.op && tree_eq(&x.left, &y.left) && tree_eq(&x.right, &y.right)
        }
        (ExprKind::Call(_) | ExprKind::Compare(_) | ExprKind::Attribute(_), _)
        | (_, ExprKind::Call(_) | ExprKind::Compare(_) | ExprKind::Attribute(_)) => false,
        _ => a.constant_text() == b.constant_text(),
    }
}

/// A call's arguments by parameter position (the three-argument `FormatDateTime` has
/// an empty `dateTimeStyles` position).
fn positional(c: &Call) -> Vec<Option<&Expr>> {
    let mut out: Vec<Option<&Expr>> = c.args.iter().map(|a| a.expr.as_ref()).collect();
    if c.name == "FormatDateTime" && out.len() == 3 {
        out.insert(1, None);
    }
    out
}

struct Reader {
    id: SourceId,
    diags: Vec<Diagnostic>,
}

impl Reader {
    fn shape(&mut self, span: Span, message: String, help: &str) {
        self.diags.push(
            Diagnostic::error(Code::ExpressionTreeShape, message)
                .with_rule("S39")
                .with_label(self.id, span, "here")
                .with_help(help),
        );
    }

    fn node(&mut self, j: &Json, depth: usize) -> Option<Expr> {
        if depth > MAX_DEPTH {
            self.diags.push(
                Diagnostic::error(
                    Code::ExpressionTooDeep,
                    format!("functions are nested more than {MAX_DEPTH} deep"),
                )
                .with_label(self.id, j.span, "too deep"),
            );
            return None;
        }
        if !matches!(j.kind, JsonKind::Object(_)) {
            self.shape(
                j.span,
                format!("a mapping source must be an object, not {}", j.kind_name()),
                "write `{\"name\": ..., \"type\": \"Attribute\"}`",
            );
            return None;
        }
        let ty = match j.member("type") {
            None => "Attribute",
            Some(t) => match t.as_str() {
                Some(s) => s,
                None => {
                    self.shape(
                        t.span,
                        format!("`type` must be a string, not {}", t.kind_name()),
                        "use `Attribute`, `Constant` or `Function`",
                    );
                    return None;
                }
            },
        };
        let name_json = j.member("name");
        let name = name_json.and_then(Json::as_str);
        let span = j.span;
        match ty.to_ascii_lowercase().as_str() {
            "attribute" => {
                let Some(name) = name else {
                    self.shape(
                        span,
                        "an `Attribute` source needs a `name`".into(),
                        "give the source attribute's name",
                    );
                    return None;
                };
                if name.is_empty() || name.contains(['[', ']', '\n']) {
                    self.shape(
                        name_json.map_or(span, |n| n.span),
                        format!("`{name}` cannot be an attribute name"),
                        "attribute names have no brackets or line breaks",
                    );
                    return None;
                }
                Some(Expr {
                    kind: ExprKind::Attribute(name.to_owned()),
                    span,
                })
            }
            "constant" => {
                let text = match name_json.map(|n| &n.kind) {
                    Some(JsonKind::String(v)) => v.text.clone(),
                    Some(JsonKind::Number(n)) => n.clone(),
                    Some(JsonKind::Null) | None => String::new(),
                    Some(_) => {
                        self.shape(
                            span,
                            "a `Constant` source's `name` must be a string".into(),
                            "write the constant's text as a string",
                        );
                        return None;
                    }
                };
                Some(Expr {
                    kind: ExprKind::Str(text),
                    span,
                })
            }
            "function" => {
                let Some(name) = name else {
                    self.shape(
                        span,
                        "a `Function` source needs a `name`".into(),
                        "give the function's name, such as `Append`",
                    );
                    return None;
                };
                let params = match j.member("parameters") {
                    None => &[][..],
                    Some(p) if p.is_null() => &[][..],
                    Some(p) => match p.as_array() {
                        Some(a) => a,
                        None => {
                            self.shape(
                                p.span,
                                "`parameters` must be an array".into(),
                                "write `[{\"key\": ..., \"value\": {...}}]`",
                            );
                            return None;
                        }
                    },
                };
                if let Some(op) = CompareOp::parse(name) {
                    return self.compare(op, params, span, depth);
                }
                self.call(
                    name,
                    name_json.map_or(span, |n| n.span),
                    params,
                    span,
                    depth,
                )
            }
            other => {
                self.shape(
                    j.member("type").map_or(span, |t| t.span),
                    format!("`{other}` is not a mapping source type"),
                    "use `Attribute`, `Constant` or `Function`",
                );
                None
            }
        }
    }

    fn pairs<'j>(&mut self, params: &'j [Json]) -> Vec<(&'j str, Span, &'j Json)> {
        let mut out = Vec::new();
        for p in params {
            let key = p.member("key").and_then(Json::as_str);
            let value = p.member("value");
            match (key, value) {
                (Some(k), Some(v)) => out.push((k, p.span, v)),
                _ => self.shape(
                    p.span,
                    "a parameter needs a string `key` and a `value`".into(),
                    "write `{\"key\": \"source\", \"value\": {...}}`",
                ),
            }
        }
        out
    }

    fn compare(
        &mut self,
        op: CompareOp,
        params: &[Json],
        span: Span,
        depth: usize,
    ) -> Option<Expr> {
        let pairs = self.pairs(params);
        let side = |k: &str| {
            pairs
                .iter()
                .find(|(key, _, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, _, v)| *v)
        };
        let (Some(l), Some(r)) = (side("left"), side("right")) else {
            self.shape(
                span,
                format!(
                    "a `{}` comparison needs `left` and `right` parameters",
                    op.as_str()
                ),
                "write both sides",
            );
            return None;
        };
        let left = self.node(l, depth + 1)?;
        let right = self.node(r, depth + 1)?;
        if matches!(left.kind, ExprKind::Compare(_)) || matches!(right.kind, ExprKind::Compare(_)) {
            self.shape(
                span,
                "a comparison cannot compare comparisons".into(),
                "nest IIF calls instead",
            );
            return None;
        }
        Some(Expr {
            kind: ExprKind::Compare(Box::new(Compare {
                op,
                op_span: span,
                left,
                right,
            })),
            span,
        })
    }

    fn call(
        &mut self,
        name: &str,
        name_span: Span,
        params: &[Json],
        span: Span,
        depth: usize,
    ) -> Option<Expr> {
        let Some(f) = functions::lookup(name) else {
            let help = match functions::suggest(name) {
                Some(s) => format!("did you mean `{s}`? the syntax is case-sensitive"),
                None => "the documented functions are listed in the README".into(),
            };
            let code = if functions::undocumented(name).is_some() {
                Code::UndocumentedFunction
            } else {
                Code::UnknownFunction
            };
            self.diags.push(
                Diagnostic::error(code, format!("unknown function `{name}`"))
                    .with_rule("S39")
                    .with_label(self.id, name_span, "not a documented function")
                    .with_help(help),
            );
            return None;
        };
        let mut fixed: Vec<Option<Expr>> = Vec::new();
        let mut repeated: Vec<Expr> = Vec::new();
        let fixed_count = if f.repeats() {
            f.params.len() - 1
        } else {
            f.params.len()
        };
        for (key, pspan, value) in self.pairs(params) {
            let index = f
                .params
                .iter()
                .position(|p| p.key.eq_ignore_ascii_case(key) || p.name.eq_ignore_ascii_case(key));
            let Some(index) = index else {
                let keys: Vec<String> = f.params.iter().map(|p| format!("`{}`", p.key)).collect();
                self.diags.push(
                    Diagnostic::error(
                        Code::UnknownParameterKey,
                        format!("`{name}` has no parameter `{key}`"),
                    )
                    .with_rule("S39")
                    .with_label(self.id, pspan, "unknown key")
                    .with_help(format!("its keys are {}", keys.join(", "))),
                );
                continue;
            };
            let Some(arg) = self.node(value, depth + 1) else {
                continue;
            };
            if index >= fixed_count {
                repeated.push(arg);
            } else {
                if fixed.len() <= index {
                    fixed.resize(index + 1, None);
                }
                if fixed[index].is_some() {
                    self.shape(
                        pspan,
                        format!("`{name}` has its `{key}` parameter twice"),
                        "give each parameter once",
                    );
                }
                fixed[index] = Some(arg);
            }
        }
        // Keys place arguments in the full parameter list; a FormatDateTime read from
        // keys is the four-argument form (its three-argument text form has no styles).
        if (!repeated.is_empty() || f.name == "FormatDateTime") && fixed.len() < fixed_count {
            fixed.resize(fixed_count, None);
        }
        let args: Vec<Arg> = fixed
            .into_iter()
            .chain(repeated.into_iter().map(Some))
            .map(|expr| Arg {
                span: expr.as_ref().map_or(span, |e| e.span),
                expr,
            })
            .collect();
        Some(Expr {
            kind: ExprKind::Call(Call {
                name: name.to_owned(),
                name_span,
                args,
            }),
            span,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::json_tree::parse_json;

    fn parse(text: &str) -> Expr {
        let mut s = Sources::new();
        let id = s.add("e", None, text);
        super::super::parse::parse_source(&s, id).0.unwrap()
    }

    fn read(json_text: &str) -> Result<Expr, Errors> {
        let mut s = Sources::new();
        let id = s.add("schema.json", None, json_text);
        let j = parse_json(json_text, id).unwrap();
        from_json(&j, &mut s, id, "test")
    }

    /// GD-PARSE's documented response for `Replace([preferredLanguage], "-", , , "_", , )`.
    const GD_PARSE: &str = r#"{
        "expression": "Replace([preferredLanguage], \"-\", , , \"_\", , )",
        "name": "Replace",
        "parameters": [
            {"key": "source", "value": {"expression": "[preferredLanguage]", "name": "preferredLanguage", "parameters": [], "type": "Attribute"}},
            {"key": "Find", "value": {"expression": "\"-\"", "name": "-", "parameters": [], "type": "Constant"}},
            {"key": "Replacement", "value": {"expression": "\"_\"", "name": "_", "parameters": [], "type": "Constant"}}
        ],
        "type": "Function"
    }"#;

    #[test]
    fn s39_reads_graphs_documented_parse_of_replace() {
        let e = read(GD_PARSE).unwrap();
        assert_eq!(
            print(&e),
            r#"Replace([preferredLanguage], "-", , , "_", , )"#
        );
        // Without `expression` texts, the keys place the arguments.
        let bare: String = GD_PARSE
            .lines()
            .filter(|l| !l.trim_start().starts_with("\"expression\""))
            .collect::<Vec<_>>()
            .join("\n");
        let e2 = read(&bare.replace("{\"expression\": \"[preferredLanguage]\", ", "{")).unwrap();
        let c = e2.as_call().unwrap();
        assert!(c.has(0) && c.has(1) && !c.has(2) && !c.has(3) && c.has(4));
        assert!(tree_eq(&e, &e2));
    }

    #[test]
    fn writes_internal_keys_and_drops_empty_positions() {
        let j = to_json(&parse(r#"Replace([preferredLanguage], "-", , , "_", , )"#)).unwrap();
        let keys: Vec<&str> = j["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["key"].as_str().unwrap())
            .collect();
        assert_eq!(keys, ["source", "Find", "Replacement"]);
        assert_eq!(j["parameters"][1]["value"]["expression"], "\"-\"");
        assert_eq!(
            j["expression"],
            r#"Replace([preferredLanguage], "-", , , "_", , )"#
        );
        // GD-AMS: `Mid([userPrincipalName], 1, 8)` has the constants "1" and "8".
        let mid = read(r#"{"expression": "Mid([userPrincipalName], 1, 8)", "name": "Mid", "type": "Function", "parameters": [
            {"key": "source", "value": {"expression": "[userPrincipalName]", "name": "userPrincipalName", "parameters": [], "type": "Attribute"}},
            {"key": "start", "value": {"expression": "\"1\"", "name": "1", "parameters": [], "type": "Constant"}},
            {"key": "length", "value": {"expression": "\"8\"", "name": "8", "parameters": [], "type": "Constant"}}]}"#).unwrap();
        assert_eq!(print(&mid), "Mid([userPrincipalName], 1, 8)");
    }

    #[test]
    fn refuses_what_the_tree_cannot_hold_and_reports_disagreement() {
        assert!(to_json(&parse(r#"Switch([a], "d", , "v")"#)).is_err());
        assert!(to_json(&parse(r#"Join(",", [a], )"#)).is_ok());
        let err =
            read(r#"{"expression": "[mail]", "name": "userPrincipalName", "type": "Attribute"}"#)
                .unwrap_err();
        assert_eq!(err.first().code, Code::ExpressionTreeMismatch);
        let err = read(r#"{"name": "Replace", "type": "Function", "parameters": [{"key": "Finder", "value": {"name": "x", "type": "Constant"}}]}"#).unwrap_err();
        assert_eq!(err.first().code, Code::UnknownParameterKey);
        let err = read(r#"{"name": "append", "type": "Function", "parameters": []}"#).unwrap_err();
        assert!(err.first().help.as_deref().unwrap().contains("`Append`"));
        // The default type is Attribute (GD-AMS).
        assert_eq!(
            read(r#"{"name": "mail"}"#).unwrap().kind,
            ExprKind::Attribute("mail".into())
        );
    }
}
