//! Evaluates an expression for one user, function by function as ED-FUNC documents them.
//!
//! The evaluator walks the tree (whose depth the parser and the JSON reader bound) with the
//! user's values and a [`Context`] holding the inputs no offline tool can know: the time
//! `Now()` returns, the seed `Guid()` and `RandomString()` draw from, and the target values
//! `SelectUniqueValue` must avoid. The [`Evaluation`] says which of them the result was
//! computed from, and carries notes where offline evaluation is limited.
//!
//! Conventions that hold for every function unless its doc comment says otherwise (each
//! is a [decision] where ED-FUNC is silent, and is listed in the README):
//! * a NULL source gives NULL (nothing flows), except where ED-FUNC documents another
//!   result (`Left` and `Word` give `""`; `Coalesce`, `Join`, `Switch`, the `Is*`
//!   functions and `IgnoreFlowIfNullOrEmpty` look at NULL on purpose);
//! * a multi-valued value given to a function that takes one string is an error naming
//!   the function, unless it holds exactly one value (then it is that value);
//! * an empty argument position is NULL;
//! * integers are read as .NET's `Int64.Parse` reads them (S18), and `&H..` as hex;
//! * Booleans are read as `Boolean.Parse` reads them (S4) and written `True`/`False`, and
//!   a Boolean source attribute (`accountEnabled`, `IsSoftDeleted`) is rendered
//!   `True`/`False` before any function sees it, as the service does.

use super::ast::{Call, Compare, CompareOp, Expr, ExprKind};
use super::date::{self, DateTime, Interval, Styles};
use super::random::{RandomSpec, Rng};
use super::text;
use super::value::{Value, Values};
use crate::diag::{Code, Diagnostic};
use crate::source::{SourceId, Span};
use std::collections::BTreeSet;

/// The inputs offline evaluation cannot know, stated up front.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// What `Now()` returns; `None` makes `Now()` an error.
    pub now: Option<DateTime>,
    /// The seed `Guid()` and `RandomString()` draw from.
    pub seed: u64,
    /// Values already present in the target, which `SelectUniqueValue` skips. `None`:
    /// uniqueness cannot be checked (the first rule's value is taken, with a note).
    pub taken: Option<BTreeSet<String>>,
}

/// Which fixed inputs a result was computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FixedInputs {
    /// `Now()` was evaluated at this time.
    pub now: Option<DateTime>,
    /// `Guid()` or `RandomString()` drew from this seed.
    pub seed: Option<u64>,
}

impl FixedInputs {
    /// True when the result depends on neither.
    pub fn is_empty(&self) -> bool {
        self.now.is_none() && self.seed.is_none()
    }
}

/// The result of evaluating an expression for one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The value; NULL means nothing flows.
    pub value: Value,
    /// `IgnoreFlowIfNullOrEmpty` dropped the attribute from the flow.
    pub ignored: bool,
    /// Fixed inputs the value was computed from.
    pub fixed: FixedInputs,
    /// Where offline evaluation is limited or Entra's logs differ (`Redact`).
    pub notes: Vec<String>,
}

/// An expression that fails for this user, as Entra's evaluation would (`IIF` on a NULL
/// source, `Item` out of range), or cannot be evaluated offline as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalError {
    /// The diagnostic code.
    pub code: Code,
    /// What failed: lowercase, user values in backticks.
    pub message: String,
    /// The node that failed.
    pub span: Span,
    /// What to do.
    pub help: Option<String>,
}

impl EvalError {
    fn new(code: Code, span: Span, message: impl Into<String>) -> EvalError {
        EvalError {
            code,
            message: message.into(),
            span,
            help: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> EvalError {
        self.help = Some(help.into());
        self
    }

    /// The error as a diagnostic pointing into the expression's source.
    pub fn to_diagnostic(&self, source: SourceId) -> Diagnostic {
        let mut d = Diagnostic::error(self.code, self.message.clone())
            .with_rule("S39")
            .with_label(source, self.span, "fails here");
        if let Some(h) = &self.help {
            d = d.with_help(h.clone());
        }
        d
    }
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EvalError {}

/// Why evaluation stopped early.
pub(super) enum Halt {
    /// The expression fails.
    Error(EvalError),
    /// `IgnoreFlowIfNullOrEmpty` found NULL or empty: the attribute does not flow.
    IgnoreFlow,
}

impl From<EvalError> for Halt {
    fn from(e: EvalError) -> Halt {
        Halt::Error(e)
    }
}

pub(super) type R<T> = Result<T, Halt>;

/// Evaluates `expr` for the user whose values are `values`.
pub fn evaluate(expr: &Expr, values: &dyn Values, ctx: &Context) -> Result<Evaluation, EvalError> {
    let mut e = Eval {
        values,
        ctx,
        rng: None,
        fixed: FixedInputs::default(),
        notes: Vec::new(),
    };
    match e.eval(expr) {
        Ok(value) => Ok(Evaluation {
            value,
            ignored: false,
            fixed: e.fixed,
            notes: e.notes,
        }),
        Err(Halt::IgnoreFlow) => Ok(Evaluation {
            value: Value::Null,
            ignored: true,
            fixed: e.fixed,
            notes: e.notes,
        }),
        Err(Halt::Error(err)) => Err(err),
    }
}

pub(super) struct Eval<'a> {
    values: &'a dyn Values,
    ctx: &'a Context,
    rng: Option<Rng>,
    fixed: FixedInputs,
    pub(super) notes: Vec<String>,
}

/// An error at a span.
pub(super) fn fail<T>(code: Code, span: Span, message: impl Into<String>) -> R<T> {
    Err(Halt::Error(EvalError::new(code, span, message)))
}

/// An evaluation error with help.
pub(super) fn fail_help<T>(
    code: Code,
    span: Span,
    message: impl Into<String>,
    help: impl Into<String>,
) -> R<T> {
    Err(Halt::Error(EvalError::new(code, span, message).help(help)))
}

/// Reads an integer as the service does: `Int64.Parse` (S18), or `&H` hex.
pub(super) fn read_int(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Some(hex) = t.strip_prefix("&H").or_else(|| t.strip_prefix("&h")) {
        return u64::from_str_radix(hex, 16).ok().map(|v| v as i64);
    }
    crate::value::parse_int(t)
}

impl Eval<'_> {
    pub(super) fn eval(&mut self, e: &Expr) -> R<Value> {
        match &e.kind {
            ExprKind::Attribute(name) => Ok(self.attribute(name)),
            ExprKind::Call(c) => self.call(c, e.span),
            ExprKind::Compare(c) => self.compare(c, e.span).map(Value::bool),
            _ => Ok(Value::Str(e.constant_text().unwrap_or_default())),
        }
    }

    fn attribute(&self, name: &str) -> Value {
        let v = self.values.get(name);
        // The service renders Boolean attributes as .NET does: `True`/`False` (S4).
        if crate::schema::info(name).ty == crate::schema::AttrType::Boolean {
            if let Value::Str(s) = &v {
                return Value::str(crate::value::boolean_rendering(s));
            }
        }
        v
    }

    /// Argument `i`, or NULL for an empty or missing position.
    pub(super) fn arg(&mut self, c: &Call, i: usize) -> R<Value> {
        match c.arg(i) {
            Some(e) => self.eval(e),
            None => Ok(Value::Null),
        }
    }

    fn arg_span(c: &Call, i: usize, call: Span) -> Span {
        c.args.get(i).map_or(call, |a| a.span)
    }

    /// Argument `i` as one string (NULL is `None`).
    pub(super) fn text(&mut self, c: &Call, i: usize, call: Span) -> R<Option<String>> {
        let v = self.arg(c, i)?;
        match v.text() {
            Ok(t) => Ok(t),
            Err(n) => fail_help(
                Code::EvaluationFailed,
                Self::arg_span(c, i, call),
                format!(
                    "`{}` takes one value here, but the argument has {n} values",
                    c.name
                ),
                "Entra does not document what a string function does with a multi-valued attribute: pick one value with `Item(..., 1)` or combine them with `Join`",
            ),
        }
    }

    /// Argument `i` as an integer (NULL is `None`).
    pub(super) fn int(&mut self, c: &Call, i: usize, what: &str, call: Span) -> R<Option<i64>> {
        let Some(t) = self.text(c, i, call)? else {
            return Ok(None);
        };
        match read_int(&t) {
            Some(n) => Ok(Some(n)),
            None => fail(
                Code::EvaluationFailed,
                Self::arg_span(c, i, call),
                format!("`{}`'s {what} must be a whole number, not `{t}`", c.name),
            ),
        }
    }

    /// Argument `i` as a required integer.
    fn int_required(&mut self, c: &Call, i: usize, what: &str, call: Span) -> R<i64> {
        match self.int(c, i, what, call)? {
            Some(n) => Ok(n),
            None => fail(
                Code::EvaluationFailed,
                Self::arg_span(c, i, call),
                format!("`{}`'s {what} is NULL", c.name),
            ),
        }
    }

    /// Argument `i` as a DateTime (NULL is `None`).
    fn date(&mut self, c: &Call, i: usize, call: Span) -> R<Option<DateTime>> {
        match self.arg(c, i)? {
            Value::Null => Ok(None),
            Value::Date(d) => Ok(Some(d)),
            other => fail_help(
                Code::EvaluationFailed,
                Self::arg_span(c, i, call),
                format!(
                    "`{}` needs a DateTime here, not the string {}",
                    c.name,
                    other.display()
                ),
                "ED-FUNC: \"When passing a date string as input, use CDate function to wrap the datetime string\"; scopesim does not convert it silently",
            ),
        }
    }

    fn interval(&mut self, c: &Call, call: Span) -> R<Interval> {
        let t = self.text(c, 0, call)?.unwrap_or_default();
        match Interval::parse(&t) {
            Some(i) => Ok(i),
            None => fail_help(
                Code::EvaluationFailed,
                Self::arg_span(c, 0, call),
                format!("`{t}` is not a {} interval", c.name),
                format!(
                    "use one of {}",
                    Interval::NAMES.map(|n| format!("`\"{n}\"`")).join(", ")
                ),
            ),
        }
    }

    fn rng(&mut self) -> &mut Rng {
        self.fixed.seed = Some(self.ctx.seed);
        self.rng.get_or_insert_with(|| Rng::new(self.ctx.seed))
    }

    fn note(&mut self, n: impl Into<String>) {
        let n = n.into();
        if !self.notes.contains(&n) {
            self.notes.push(n);
        }
    }

    /// A comparison (IIF and CBool conditions). [decision] Both sides whole numbers:
    /// compared as numbers; both DateTimes: as instants; otherwise as strings, ordinally
    /// and case-sensitively (Visual Basic's default `Option Compare Binary`). A NULL side
    /// fails, as IIF's documented limitation says the condition check does.
    fn compare(&mut self, c: &Compare, span: Span) -> R<bool> {
        let l = self.eval(&c.left)?;
        let r = self.eval(&c.right)?;
        if l.is_null() || r.is_null() {
            let side = if l.is_null() { &c.left } else { &c.right };
            return fail_help(
                Code::IifNullSource,
                side.span,
                "the comparison has a NULL side, so the condition check fails".to_string(),
                "ED-FUNC: if the source attribute used within IIF is empty or null, the condition check fails; test for empty values with `Switch([attr], [attr], \"\", \"Other\")`",
            );
        }
        let ord = match (&l, &r) {
            (Value::Date(a), Value::Date(b)) => a.ticks.cmp(&b.ticks),
            _ => {
                let (a, b) = match (l.text(), r.text()) {
                    (Ok(Some(a)), Ok(Some(b))) => (a, b),
                    _ => {
                        return fail(
                            Code::EvaluationFailed,
                            span,
                            "a comparison needs one value on each side, not a multi-valued attribute",
                        );
                    }
                };
                match (crate::value::parse_int(&a), crate::value::parse_int(&b)) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    _ => a.cmp(&b),
                }
            }
        };
        use std::cmp::Ordering::*;
        Ok(match c.op {
            CompareOp::Eq => ord == Equal,
            CompareOp::Ne => ord != Equal,
            CompareOp::Gt => ord == Greater,
            CompareOp::Ge => ord != Less,
            CompareOp::Lt => ord == Less,
            CompareOp::Le => ord != Greater,
        })
    }

    fn call(&mut self, c: &Call, span: Span) -> R<Value> {
        let Some(f) = super::functions::lookup(&c.name) else {
            let help = match super::functions::suggest(&c.name) {
                Some(s) => format!("did you mean `{s}`? the syntax is case-sensitive"),
                None => "see the list of documented functions in the README".to_string(),
            };
            return fail_help(
                Code::UnknownFunction,
                c.name_span,
                format!("unknown function `{}`", c.name),
                help,
            );
        };
        let n = c.args.len();
        if n < f.min || f.max.is_some_and(|m| n > m) || (f.pairs && (n - 2) % 2 != 0) {
            return fail_help(
                Code::FunctionArity,
                span,
                format!("`{}` takes {} arguments, not {n}", f.name, f.arity()),
                format!("the documented form is `{}`", f.signature()),
            );
        }
        match f.name {
            "Append" => {
                let Some(s) = self.text(c, 0, span)? else {
                    return Ok(Value::Null);
                };
                let suffix = self.text(c, 1, span)?.unwrap_or_default();
                Ok(Value::Str(s + &suffix))
            }
            "AppRoleAssignmentsComplex" => {
                let v = self.arg(c, 0)?;
                self.note("AppRoleAssignmentsComplex: each role is shown by the value given; Entra sends objects with the role's value and display name from the app's roles, all with primary false, and the mapping does not work with \"Sync all users and groups\"");
                Ok(if v.is_null() {
                    Value::Null
                } else {
                    Value::List(v.items())
                })
            }
            "BitAnd" => {
                let (Some(a), Some(b)) = (
                    self.int(c, 0, "value1", span)?,
                    self.int(c, 1, "value2", span)?,
                ) else {
                    return Ok(Value::Null);
                };
                Ok(Value::Str((a & b).to_string()))
            }
            "CBool" => {
                if let Some(Expr {
                    kind: ExprKind::Compare(cmp),
                    span: s,
                }) = c.arg(0)
                {
                    return self.compare(cmp, *s).map(Value::bool);
                }
                let t = self.text(c, 0, span)?;
                let Some(t) = t else {
                    return fail(
                        Code::EvaluationFailed,
                        Self::arg_span(c, 0, span),
                        "`CBool` of NULL fails (Visual Basic: invalid use of Null)",
                    );
                };
                match (crate::value::parse_bool(&t), read_int(&t)) {
                    (Some(b), _) => Ok(Value::bool(b)),
                    (None, Some(n)) => Ok(Value::bool(n != 0)),
                    (None, None) => fail(
                        Code::EvaluationFailed,
                        Self::arg_span(c, 0, span),
                        format!("`CBool` cannot read `{t}` as a number or a Boolean"),
                    ),
                }
            }
            "CDate" => {
                let v = self.arg(c, 0)?;
                match v {
                    Value::Date(d) => Ok(Value::Date(d)),
                    other => match other.text() {
                        Ok(None) => Ok(Value::Null),
                        Ok(Some(t)) => DateTime::parse(&t).map(Value::Date).or_else(|e| {
                            fail(Code::EvaluationFailed, Self::arg_span(c, 0, span), e.0)
                        }),
                        Err(n) => fail(
                            Code::EvaluationFailed,
                            Self::arg_span(c, 0, span),
                            format!("`CDate` takes one value, not {n}"),
                        ),
                    },
                }
            }
            // ED-FUNC: the first source that isn't NULL; the default (the last argument)
            // is returned when all are NULL, which is the same rule applied to it.
            "Coalesce" => {
                for i in 0..n {
                    let v = self.arg(c, i)?;
                    if !v.is_null() {
                        return Ok(v);
                    }
                }
                Ok(Value::Null)
            }
            "ConvertToBase64" => Ok(self
                .text(c, 0, span)?
                .map_or(Value::Null, |s| Value::Str(text::base64_utf16le(&s)))),
            "ConvertToUTF8Hex" => Ok(self
                .text(c, 0, span)?
                .map_or(Value::Null, |s| Value::Str(text::utf8_hex(&s)))),
            // [decision] NULL counts 0 values.
            "Count" => Ok(Value::Str(self.arg(c, 0)?.items().len().to_string())),
            "CStr" => {
                let v = self.arg(c, 0)?;
                match v.text() {
                    Ok(t) => Ok(t.map_or(Value::Null, Value::Str)),
                    Err(k) => fail(
                        Code::EvaluationFailed,
                        Self::arg_span(c, 0, span),
                        format!("`CStr` takes one value, not {k}"),
                    ),
                }
            }
            "DateAdd" => {
                let interval = self.interval(c, span)?;
                let Some(by) = self.int(c, 1, "value", span)? else {
                    return Ok(Value::Null);
                };
                let Some(d) = self.date(c, 2, span)? else {
                    return Ok(Value::Null);
                };
                date::add(interval, by, d)
                    .map(Value::Date)
                    .or_else(|e| fail(Code::EvaluationFailed, span, e.0))
            }
            "DateDiff" => {
                let interval = self.interval(c, span)?;
                let (Some(a), Some(b)) = (self.date(c, 1, span)?, self.date(c, 2, span)?) else {
                    return Ok(Value::Null);
                };
                Ok(Value::Str(date::diff(interval, a, b).to_string()))
            }
            "DateFromNum" => {
                let Some(ft) = self.int(c, 0, "value", span)? else {
                    return Ok(Value::Null);
                };
                DateTime::from_filetime(ft)
                    .map(Value::Date)
                    .or_else(|e| fail(Code::EvaluationFailed, Self::arg_span(c, 0, span), e.0))
            }
            "FormatDateTime" => self.format_date_time(c, span),
            "Guid" => {
                let g = super::random::guid(self.rng());
                Ok(Value::Str(g))
            }
            "IgnoreFlowIfNullOrEmpty" => {
                let v = self.arg(c, 0)?;
                if v.is_null_or_empty() {
                    Err(Halt::IgnoreFlow)
                } else {
                    Ok(v)
                }
            }
            "IIF" => self.iif(c, span),
            "InStr" => {
                let Some(hay) = self.text(c, 0, span)? else {
                    return Ok(Value::Null);
                };
                let Some(needle) = self.text(c, 1, span)? else {
                    return Ok(Value::Null);
                };
                let start = self.int(c, 2, "start", span)?.unwrap_or(1);
                let mode = self.text(c, 3, span)?;
                let text_compare = match mode.as_deref() {
                    None | Some("vbBinaryCompare") => false,
                    Some("vbTextCompare") => true,
                    Some(other) => {
                        return fail_help(
                            Code::EvaluationFailed,
                            Self::arg_span(c, 3, span),
                            format!("`{other}` is not an InStr compare type"),
                            "use `vbTextCompare` or `vbBinaryCompare`",
                        );
                    }
                };
                if start < 1 {
                    return fail(
                        Code::EvaluationFailed,
                        Self::arg_span(c, 2, span),
                        format!("`InStr`'s start must be 1 or more, not {start}"),
                    );
                }
                Ok(Value::Str(
                    text::instr(&hay, &needle, start as usize, text_compare).to_string(),
                ))
            }
            "IsNull" => Ok(Value::bool(self.arg(c, 0)?.is_null())),
            "IsNullOrEmpty" => Ok(Value::bool(self.arg(c, 0)?.is_null_or_empty())),
            "IsPresent" => Ok(Value::bool(!self.arg(c, 0)?.is_null_or_empty())),
            // [decision] A string is a string; NULL, a list and a DateTime are not.
            "IsString" => Ok(Value::bool(matches!(self.arg(c, 0)?, Value::Str(_)))),
            "Item" => {
                let v = self.arg(c, 0)?;
                let index = self.int_required(c, 1, "index", span)?;
                if v.is_null() {
                    return Ok(Value::Null);
                }
                let items = v.items();
                if index < 1 || index as usize > items.len() {
                    return fail_help(
                        Code::ItemOutOfRange,
                        Self::arg_span(c, 1, span),
                        format!("`Item` asks for value {index} of {}", items.len()),
                        "Item counts from 1 (ED-FUNC: \"Index 0 shouldn't be used\"); Entra's evaluation fails for this user",
                    );
                }
                Ok(Value::Str(items[index as usize - 1].clone()))
            }
            // ED-FUNC: multi-valued sources are expanded; the documented example
            // `Join(", ", "", [surname], [givenName])` gives "Doe, John", so empty values
            // are skipped, and NULLs too. [decision] NULL when nothing is left.
            "Join" => {
                let sep = self.text(c, 0, span)?.unwrap_or_default();
                let mut parts = Vec::new();
                for i in 1..n {
                    for item in self.arg(c, i)?.items() {
                        if !item.is_empty() {
                            parts.push(item);
                        }
                    }
                }
                Ok(if parts.is_empty() {
                    Value::Null
                } else {
                    Value::Str(parts.join(&sep))
                })
            }
            "Left" => {
                // ED-FUNC: NULL gives "", 0 gives "", a negative count the whole string.
                let s = self.text(c, 0, span)?.unwrap_or_default();
                let k = self.int_required(c, 1, "NumChars", span)?;
                text::left(&s, k)
                    .map(Value::Str)
                    .or_else(|m| fail(Code::EvaluationFailed, span, m))
            }
            "Mid" => {
                let Some(s) = self.text(c, 0, span)? else {
                    return Ok(Value::Null);
                };
                let start = self.int_required(c, 1, "start", span)?;
                let len = self.int_required(c, 2, "length", span)?;
                text::mid(&s, start, len)
                    .map(Value::Str)
                    .or_else(|m| fail(Code::EvaluationFailed, span, m))
            }
            "NormalizeDiacritics" => Ok(self.text(c, 0, span)?.map_or(Value::Null, |s| {
                Value::Str(super::diacritics::normalize(&s))
            })),
            // ED-FUNC: "If source value is True, returns False. Otherwise, returns True."
            // True is read as Boolean.Parse reads it (S4).
            "Not" => {
                let t = self.text(c, 0, span)?;
                let is_true = t.as_deref().and_then(crate::value::parse_bool) == Some(true);
                Ok(Value::bool(!is_true))
            }
            "Now" => match self.ctx.now {
                Some(now) => {
                    self.fixed.now = Some(now);
                    Ok(Value::Date(now.to_utc()))
                }
                None => fail_help(
                    Code::FixedInputMissing,
                    span,
                    "`Now()` needs a fixed time to be evaluated offline",
                    "give one with `--now 2024-05-01T12:00:00Z`",
                ),
            },
            "NumFromDate" => {
                let d = match self.arg(c, 0)? {
                    Value::Null => return Ok(Value::Null),
                    Value::Date(d) => d,
                    other => match other.text() {
                        Ok(Some(t)) => DateTime::parse(&t).or_else(|e| {
                            fail(Code::EvaluationFailed, Self::arg_span(c, 0, span), e.0)
                        })?,
                        _ => {
                            return fail(
                                Code::EvaluationFailed,
                                Self::arg_span(c, 0, span),
                                "`NumFromDate` takes one date",
                            );
                        }
                    },
                };
                d.to_filetime()
                    .map(|n| Value::Str(n.to_string()))
                    .or_else(|e| fail(Code::EvaluationFailed, span, e.0))
            }
            "PCase" => {
                let Some(s) = self.text(c, 0, span)? else {
                    return Ok(Value::Null);
                };
                let seps = self.text(c, 1, span)?;
                Ok(Value::Str(match seps {
                    Some(seps) => text::pcase_with(&s, &seps),
                    None => text::pcase(&s),
                }))
            }
            "RandomString" => {
                let mut nums = [0usize; 5];
                let names = [
                    "Length",
                    "MinimumNumbers",
                    "MinimumSpecialCharacters",
                    "MinimumCapital",
                    "MinimumLowerCase",
                ];
                for (i, name) in names.iter().enumerate() {
                    let v = self.int_required(c, i, name, span)?;
                    if v < 0 {
                        return fail(
                            Code::EvaluationFailed,
                            Self::arg_span(c, i, span),
                            format!("`RandomString`'s {name} cannot be negative"),
                        );
                    }
                    nums[i] = v as usize;
                }
                let avoid = self.text(c, 5, span)?.unwrap_or_default();
                let spec = RandomSpec {
                    length: nums[0],
                    numbers: nums[1],
                    specials: nums[2],
                    capitals: nums[3],
                    lower: nums[4],
                    avoid,
                };
                super::random::random_string(&spec, self.rng())
                    .map(Value::Str)
                    .or_else(|m| fail(Code::EvaluationFailed, span, m))
            }
            "Redact" => {
                let v = self.arg(c, 0)?;
                self.note("Redact: Entra's provisioning logs show `[Redact]` instead of this value; the target receives the value");
                Ok(v)
            }
            // [decision] Ordinal comparison (.NET `Distinct()`), first occurrence kept.
            "RemoveDuplicates" => {
                let v = self.arg(c, 0)?;
                if v.is_null() {
                    return Ok(Value::Null);
                }
                let mut seen = BTreeSet::new();
                let items: Vec<String> = v
                    .items()
                    .into_iter()
                    .filter(|s| seen.insert(s.clone()))
                    .collect();
                Ok(Value::List(items))
            }
            "Replace" => super::replace::replace(self, c, span),
            "SelectUniqueValue" => self.select_unique_value(c, span),
            "SingleAppRoleAssignment" => {
                let items = self.arg(c, 0)?.items();
                if items.len() > 1 {
                    self.note(format!("SingleAppRoleAssignment: the user has {} app roles; Entra picks one without saying which (ED-FUNC: not supported with several), scopesim shows the first", items.len()));
                }
                Ok(items.into_iter().next().map_or(Value::Null, Value::Str))
            }
            // [decision] .NET `String.Split(delimiter)`: values are not trimmed. ED-FUNC's
            // example shows "PermissionSetOne, PermissionSetTwo" split at "," as
            // ["PermissionSetOne", "PermissionSetTwo"], without the space .NET keeps; the
            // documentation is ambiguous there, and .NET's behaviour is taken.
            "Split" => {
                let Some(s) = self.text(c, 0, span)? else {
                    return Ok(Value::Null);
                };
                let delim = self.text(c, 1, span)?.unwrap_or_default();
                if delim.is_empty() {
                    return Ok(Value::List(vec![s]));
                }
                Ok(Value::List(
                    s.split(delim.as_str()).map(str::to_owned).collect(),
                ))
            }
            "StripSpaces" => Ok(self
                .text(c, 0, span)?
                .map_or(Value::Null, |s| Value::Str(s.replace(' ', "")))),
            "Switch" => self.switch(c, span),
            "ToLower" | "ToUpper" => {
                let Some(s) = self.text(c, 0, span)? else {
                    return Ok(Value::Null);
                };
                let culture = self.text(c, 1, span)?;
                let turkish = match culture.as_deref() {
                    None | Some("") => false,
                    Some(name) => match text::culture_is_turkic(name) {
                        Some(t) => t,
                        None => {
                            return fail_help(
                                Code::EvaluationFailed,
                                Self::arg_span(c, 1, span),
                                format!("`{name}` is not a culture name"),
                                "write an RFC 4646 name such as `en-US` or `tr-TR`",
                            );
                        }
                    },
                };
                Ok(Value::Str(if f.name == "ToLower" {
                    text::to_lower(&s, turkish)
                } else {
                    text::to_upper(&s, turkish)
                }))
            }
            "Word" => {
                // ED-FUNC: NULL gives "", a number below 1 gives "".
                let s = self.text(c, 0, span)?.unwrap_or_default();
                let k = self.int_required(c, 1, "WordNumber", span)?;
                let delims = self.text(c, 2, span)?.unwrap_or_default();
                Ok(Value::Str(text::word(&s, k, &delims)))
            }
            other => fail(
                Code::Internal,
                c.name_span,
                format!("`{other}` is in the catalog but has no evaluator"),
            ),
        }
    }

    /// ED-FUNC: "If the source attribute used within the IIF function is empty or null,
    /// the condition check fails" (its examples include `IsNullOrEmpty([country])` and
    /// `IsPresent([country])` as unsupported): every attribute the condition reads must
    /// have a value, or the evaluation fails for this user.
    fn iif(&mut self, c: &Call, span: Span) -> R<Value> {
        let Some(cond) = c.arg(0) else {
            return fail(Code::EvaluationFailed, span, "`IIF` has no condition");
        };
        for name in cond.attributes() {
            let v = self.attribute(name);
            if v.is_null_or_empty() {
                let at = find_attribute(cond, name).unwrap_or(cond.span);
                return fail_help(
                    Code::IifNullSource,
                    at,
                    format!(
                        "`[{name}]` is {} for this user, so IIF's condition check fails",
                        if v.is_null() { "NULL" } else { "empty" }
                    ),
                    "ED-FUNC documents this limitation; test for NULL or empty with `Switch([attr], [attr], \"\", \"Other\")` instead",
                );
            }
        }
        let truth = match &cond.kind {
            ExprKind::Compare(cmp) => self.compare(cmp, cond.span)?,
            _ => {
                let v = self.eval(cond)?;
                match v
                    .text()
                    .ok()
                    .flatten()
                    .as_deref()
                    .and_then(crate::value::parse_bool)
                {
                    Some(b) => b,
                    None => {
                        return fail(
                            Code::EvaluationFailed,
                            cond.span,
                            format!("IIF's condition gives {}, not True or False", v.display()),
                        );
                    }
                }
            }
        };
        self.arg(c, if truth { 1 } else { 2 })
    }

    /// ED-FUNC: the source is compared with each key, case-sensitively; no match gives
    /// the default. A NULL source matches the key `""` (the documented way to test for an
    /// empty value). [decision] An empty default position gives NULL.
    ///
    /// Entra's documented bug (the Switch-null quirk: on an update where the switched
    /// attribute did not change but another mapped attribute did, Switch evaluates to NULL
    /// and clears the target) belongs to the update flow, not to this value: the
    /// evaluator computes the value; the payload stage applies the quirk.
    fn switch(&mut self, c: &Call, span: Span) -> R<Value> {
        let source = self.text(c, 0, span)?.unwrap_or_default();
        let mut i = 2;
        while i + 1 < c.args.len() {
            let key = self.text(c, i, span)?.unwrap_or_default();
            if key == source {
                return self.arg(c, i + 1);
            }
            i += 2;
        }
        self.arg(c, 1)
    }

    /// `FormatDateTime(source, dateTimeStyles, inputFormat, outputFormat)`; three
    /// arguments are the older `(source, inputFormat, outputFormat)` of GD-FUNCS.
    fn format_date_time(&mut self, c: &Call, span: Span) -> R<Value> {
        let (styles_at, input_at, output_at) = if c.args.len() == 3 {
            (None, 1, 2)
        } else {
            (Some(1), 2, 3)
        };
        let Some(source) = self.text(c, 0, span)? else {
            return Ok(Value::Null);
        };
        let styles = match styles_at {
            Some(i) => match self.text(c, i, span)? {
                None => Styles::DEFAULT,
                Some(t) if t.trim().is_empty() => Styles::DEFAULT,
                Some(t) => Styles::parse(&t)
                    .or_else(|e| fail(Code::EvaluationFailed, Self::arg_span(c, i, span), e.0))?,
            },
            None => Styles::DEFAULT,
        };
        let Some(input) = self.text(c, input_at, span)? else {
            return fail(
                Code::EvaluationFailed,
                Self::arg_span(c, input_at, span),
                "`FormatDateTime` needs an input format",
            );
        };
        let Some(output) = self.text(c, output_at, span)? else {
            return fail(
                Code::EvaluationFailed,
                Self::arg_span(c, output_at, span),
                "`FormatDateTime` needs an output format",
            );
        };
        let today = self.ctx.now;
        let d = date::parse_exact(&source, &input, styles, today)
            .or_else(|e| fail(Code::EvaluationFailed, Self::arg_span(c, 0, span), e.0))?;
        date::format(d, &output).map(Value::Str).or_else(|e| {
            fail(
                Code::EvaluationFailed,
                Self::arg_span(c, output_at, span),
                e.0,
            )
        })
    }

    /// ED-FUNC: the first rule whose value is not already in the target. Offline the
    /// target's values are those of [`Context::taken`]; without them the first rule's
    /// value is returned with a note. Rules giving NULL or empty are skipped
    /// [decision]. All taken: Entra escrows the entry (an error here).
    fn select_unique_value(&mut self, c: &Call, span: Span) -> R<Value> {
        self.note("SelectUniqueValue: Entra supports it only for Workday, SuccessFactors and API-driven provisioning to on-premises Active Directory");
        let taken = self.ctx.taken.as_ref();
        if taken.is_none() {
            self.note("SelectUniqueValue: the target's values are not known, so uniqueness was not checked: the first rule's value is shown");
        }
        let mut tried = Vec::new();
        for i in 0..c.args.len() {
            let Some(v) = self.text(c, i, span)? else {
                continue;
            };
            if v.is_empty() {
                continue;
            }
            match taken {
                Some(set) if set.contains(&v) => tried.push(v),
                _ => return Ok(Value::Str(v)),
            }
        }
        fail_help(
            Code::EvaluationFailed,
            span,
            format!(
                "every value SelectUniqueValue generates is already taken ({})",
                tried.join(", ")
            ),
            "Entra escrows this entry and logs the reason only in the audit logs; add another rule",
        )
    }
}

/// The span of the first reference to attribute `name` under `e`.
fn find_attribute(e: &Expr, name: &str) -> Option<Span> {
    let mut found = None;
    e.walk(&mut |n, _| {
        if found.is_none() {
            if let ExprKind::Attribute(a) = &n.kind {
                if a == name {
                    found = Some(n.span);
                }
            }
        }
    });
    found
}
