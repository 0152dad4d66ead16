//! One expression tested on given values, like Graph's `parseExpression` (GD-PARSE):
//! parse, check, evaluate, and render the outcome for a terminal or as JSON.
//!
//! `scopesim expression` is a thin shell around [`parse_expression`] and the two
//! renderings, so a test or another program gets exactly what the command prints. The
//! JSON keeps Graph's field names (`parsingSucceeded`, `evaluationSucceeded`,
//! `evaluationResult`, `parsedExpression`, `error`) and adds what an offline evaluation
//! must state: the fixed inputs used and the notes on what it cannot know.

use super::ast::Expr;
use super::check::{CheckOptions, check};
use super::date::DateTime;
use super::eval::{Context, EvalError, Evaluation, evaluate};
use super::value::{MapValues, Value, Values};
use crate::diag::{Code, Diagnostic, has_errors};
use crate::source::{SourceId, Sources};
use serde_json::{Value as JValue, json};

/// Where the time of `Now()` came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NowSource {
    /// Given by the user (`--now`).
    Given,
    /// Read from the system clock because none was given (stated in the output).
    SystemClock,
}

/// Everything one test of an expression found.
#[derive(Debug, Clone)]
pub struct ParseExpression {
    /// The expression text (and any texts diagnostics point into).
    pub sources: Sources,
    /// The expression's source.
    pub source: SourceId,
    /// The tree, when the text parsed.
    pub expr: Option<Expr>,
    /// Parse and check diagnostics, in reading order.
    pub diagnostics: Vec<Diagnostic>,
    /// The evaluation, when the expression parsed without errors.
    pub result: Option<Result<Evaluation, EvalError>>,
    /// Where `Now()`'s time came from.
    pub now_source: NowSource,
}

impl ParseExpression {
    /// True when the expression parsed, checked and evaluated without error.
    pub fn succeeded(&self) -> bool {
        !has_errors(&self.diagnostics) && matches!(self.result, Some(Ok(_)))
    }

    /// Every diagnostic, the evaluation error included.
    pub fn all_diagnostics(&self) -> Vec<Diagnostic> {
        let mut d = self.diagnostics.clone();
        if let Some(Err(e)) = &self.result {
            d.push(e.to_diagnostic(self.source));
        }
        d
    }
}

/// Parses, checks and evaluates `text` for `values` with the fixed inputs of `ctx`.
pub fn parse_expression(
    text: &str,
    values: &MapValues,
    ctx: &Context,
    now_source: NowSource,
) -> ParseExpression {
    let mut sources = Sources::new();
    let source = sources.add("expression", None, text);
    let (expr, mut diagnostics) = super::parse::parse_source(&sources, source);
    let mut result = None;
    if let Some(e) = &expr {
        let names = values.names();
        diagnostics.extend(check(
            e,
            &CheckOptions {
                source,
                attributes: Some(&names),
            },
        ));
        crate::diag::sort(&mut diagnostics);
        if !has_errors(&diagnostics) {
            result = Some(evaluate(e, values, ctx));
        }
    }
    ParseExpression {
        sources,
        source,
        expr,
        diagnostics,
        result,
        now_source,
    }
}

/// Reads the values and fixed inputs of `scopesim expression`: `name=value` pairs (the
/// first `=` splits; an empty value is the empty string, an attribute not given is
/// NULL), `name=a,b` lists for multi-valued attributes, an ISO 8601 time for `Now()`
/// (the system clock when none is given, and the output says so), and a seed.
pub fn inputs(
    sets: &[String],
    lists: &[String],
    now: Option<&str>,
    seed: Option<u64>,
) -> Result<(MapValues, Context, NowSource), Diagnostic> {
    let mut values = MapValues::new();
    let split = |arg: &str, option: &str| -> Result<(String, String), Diagnostic> {
        match arg.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                Ok((name.trim().to_owned(), value.to_owned()))
            }
            _ => Err(Diagnostic::error(
                Code::Usage,
                format!("`{option} {arg}` needs the form NAME=VALUE"),
            )
            .with_help(format!("for example `{option} mail=john@contoso.com`"))),
        }
    };
    for arg in sets {
        let (name, value) = split(arg, "--set")?;
        values.set(name, Value::Str(value));
    }
    for arg in lists {
        let (name, value) = split(arg, "--set-list")?;
        let items = if value.is_empty() {
            Vec::new()
        } else {
            value.split(',').map(str::to_owned).collect()
        };
        values.set(name, Value::List(items));
    }
    let (now, now_source) = match now {
        Some(text) => match DateTime::parse(text) {
            Ok(d) => (d.to_utc(), NowSource::Given),
            Err(e) => {
                return Err(Diagnostic::error(
                    Code::Usage,
                    format!("`--now {text}` is not a time: {}", e.0),
                )
                .with_help("write an ISO 8601 time such as `2024-05-01T12:00:00Z`"));
            }
        },
        None => (system_now(), NowSource::SystemClock),
    };
    let ctx = Context {
        now: Some(now),
        seed: seed.unwrap_or(0),
        taken: None,
    };
    Ok((values, ctx, now_source))
}

/// The system clock as a DateTime (UTC).
/// The system clock as a UTC DateTime (what `Now()` reads when no `--now` is given).
pub fn system_now() -> DateTime {
    // Ticks of 1970-01-01 (.NET `DateTime.UnixEpoch.Ticks`).
    const UNIX_EPOCH_TICKS: i64 = 621_355_968_000_000_000;
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| (d.as_nanos() / 100) as i64);
    DateTime::from_ticks(UNIX_EPOCH_TICKS + since, super::date::Kind::Utc).unwrap_or(DateTime {
        ticks: UNIX_EPOCH_TICKS,
        kind: super::date::Kind::Utc,
    })
}

fn fixed_line(now: Option<DateTime>, seed: Option<u64>, source: NowSource) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(n) = now {
        let from = match source {
            NowSource::Given => "--now",
            NowSource::SystemClock => "the system clock; pin it with --now",
        };
        parts.push(format!("Now() = {} ({}, {from})", n.render(), n.iso()));
    }
    if let Some(s) = seed {
        parts.push(format!("random values from seed {s} (--seed)"));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The formats of `scopesim expression`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExpressionFormat {
    /// The parsed expression, its result and the fixed inputs used.
    Human,
    /// Graph's parseExpressionResponse fields, plus the fixed inputs and notes.
    Json,
}

/// The test in `format`.
pub fn render(p: &ParseExpression, format: ExpressionFormat) -> String {
    match format {
        ExpressionFormat::Human => render_human(p),
        ExpressionFormat::Json => format!("{:#}\n", render_json(p)),
    }
}

/// The terminal rendering (stdout); diagnostics are printed separately.
pub fn render_human(p: &ParseExpression) -> String {
    let mut out = String::new();
    let Some(expr) = &p.expr else {
        return out;
    };
    out.push_str(&format!("expression:   {}\n", super::print::print(expr)));
    match &p.result {
        Some(Ok(ev)) => {
            let result = if ev.ignored {
                "no flow (IgnoreFlowIfNullOrEmpty: the value is NULL or empty)".to_string()
            } else if ev.value.is_null() {
                "NULL (nothing flows)".to_string()
            } else {
                ev.value.display()
            };
            out.push_str(&format!("result:       {result}\n"));
            if let Some(line) = fixed_line(ev.fixed.now, ev.fixed.seed, p.now_source) {
                out.push_str(&format!("fixed inputs: {line}\n"));
            }
            for n in &ev.notes {
                out.push_str(&format!("note:         {n}\n"));
            }
        }
        Some(Err(_)) => out.push_str("result:       the evaluation fails for these values\n"),
        None => out.push_str("result:       not evaluated (the expression has errors)\n"),
    }
    out
}

/// The JSON rendering, after Graph's `parseExpressionResponse`.
pub fn render_json(p: &ParseExpression) -> JValue {
    let tree = p.expr.as_ref().map(|e| match super::json::to_json(e) {
        Ok(t) => t,
        Err(err) => json!({"error": err.first().message}),
    });
    let error = p
        .all_diagnostics()
        .into_iter()
        .find(Diagnostic::is_error)
        .map(|d| json!({"code": d.code, "message": d.message, "help": d.help}));
    let (result, flows, fixed, notes) = match &p.result {
        Some(Ok(ev)) => (
            json!(ev.value.result_strings()),
            json!(!ev.ignored && !ev.value.is_null()),
            json!({
                "now": ev.fixed.now.map(|n| n.iso()),
                "nowFrom": ev.fixed.now.map(|_| match p.now_source { NowSource::Given => "--now", NowSource::SystemClock => "system clock" }),
                "seed": ev.fixed.seed,
            }),
            json!(ev.notes),
        ),
        _ => (JValue::Null, JValue::Null, JValue::Null, json!([])),
    };
    json!({
        "expression": p.expr.as_ref().map(super::print::print),
        "parsingSucceeded": p.expr.is_some() && !has_errors(&p.diagnostics),
        "evaluationSucceeded": matches!(p.result, Some(Ok(_))),
        "evaluationResult": result,
        "flows": flows,
        "parsedExpression": tree,
        "fixedInputs": fixed,
        "notes": notes,
        "error": error,
    })
}
