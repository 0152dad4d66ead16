//! `Replace(source, oldValue, regexPattern, regexGroupName, replacementValue,
//! replacementAttributeName, template)`: five modes, chosen by which arguments are given.
//!
//! ED-FUNC lists the modes; an argument is *given* when its position is not empty (`""` is
//! given: it is the documented way to delete). They are tried in the documented order and
//! the first that fits is used [decision, when several fit]:
//!
//! 1. `oldValue` and `replacementValue`: every occurrence of oldValue in the source is
//!    replaced (ordinal, case-sensitive, .NET `String.Replace`);
//! 2. `oldValue` and `template`: every occurrence of oldValue in the template is replaced
//!    by the source;
//! 3. `regexPattern` and `replacementValue`: .NET `Regex.Replace`, with `${name}` and the
//!    other .NET substitutions in the replacement;
//! 4. `regexPattern`, `regexGroupName` and `replacementValue`: in every match, the text
//!    the named group captured is replaced by replacementValue (taken literally)
//!    [decision: by the group's position in the match];
//! 5. `regexPattern`, `regexGroupName` and `replacementAttributeName`: the source when it
//!    has a value; otherwise the named group of the first match in the replacement
//!    attribute's value (NULL without a match [decision]).
//!
//! The pattern is .NET syntax, translated by [`crate::regex`] with every group kept.
//! [decision] A NULL source gives NULL in modes 1 to 4; a NULL replacement value is "".

use super::ast::Call;
use super::eval::{Eval, R, fail, fail_help};
use super::value::Value;
use crate::diag::Code;
use crate::regex::{CapturingRegex, Replacement};
use crate::source::Span;

const SOURCE: usize = 0;
const OLD: usize = 1;
const PATTERN: usize = 2;
const GROUP: usize = 3;
const REPLACEMENT: usize = 4;
const ATTRIBUTE: usize = 5;
const TEMPLATE: usize = 6;

/// Which mode the given arguments select, when any.
pub fn mode(c: &Call) -> Option<u8> {
    let has = |i| c.has(i);
    if has(OLD) && has(REPLACEMENT) {
        Some(1)
    } else if has(OLD) && has(TEMPLATE) {
        Some(2)
    } else if has(PATTERN) && has(GROUP) && has(REPLACEMENT) {
        Some(4)
    } else if has(PATTERN) && has(GROUP) && has(ATTRIBUTE) {
        Some(5)
    } else if has(PATTERN) && has(REPLACEMENT) {
        Some(3)
    } else {
        None
    }
}

fn regex(e: &mut Eval<'_>, c: &Call, span: Span) -> R<CapturingRegex> {
    let pattern = e.text(c, PATTERN, span)?.unwrap_or_default();
    let at = c.args.get(PATTERN).map_or(span, |a| a.span);
    CapturingRegex::new(&pattern).or_else(|err| {
        fail_help(
            Code::InvalidRegex,
            at,
            format!(
                "the pattern `{pattern}` is not a .NET regular expression scopesim can run: {}",
                err.message
            ),
            err.help
                .unwrap_or_else(|| "see `scopesim check` for the pattern rules".into()),
        )
    })
}

fn group(e: &mut Eval<'_>, c: &Call, re: &CapturingRegex, span: Span) -> R<u32> {
    let name = e.text(c, GROUP, span)?.unwrap_or_default();
    let at = c.args.get(GROUP).map_or(span, |a| a.span);
    match re.group_number(&name) {
        Some(n) => Ok(n),
        None => fail(
            Code::EvaluationFailed,
            at,
            format!("the pattern `{}` has no group named `{name}`", re.pattern()),
        ),
    }
}

fn aborted<T>(span: Span) -> R<T> {
    fail(
        Code::RegexAborted,
        span,
        format!(
            "the regular expression gave up after {} backtracking steps on this value",
            crate::regex::BACKTRACK_LIMIT
        ),
    )
}

/// Evaluates a `Replace` call.
pub(super) fn replace(e: &mut Eval<'_>, c: &Call, span: Span) -> R<Value> {
    let Some(mode) = mode(c) else {
        return fail_help(
            Code::EvaluationFailed,
            span,
            "this `Replace` gives none of the documented argument combinations",
            "give oldValue with replacementValue or template, or regexPattern with replacementValue (and regexGroupName), or regexPattern, regexGroupName and replacementAttributeName",
        );
    };
    match mode {
        1 => {
            let Some(source) = e.text(c, SOURCE, span)? else {
                return Ok(Value::Null);
            };
            let old = e.text(c, OLD, span)?.unwrap_or_default();
            let new = e.text(c, REPLACEMENT, span)?.unwrap_or_default();
            if old.is_empty() {
                // .NET String.Replace rejects an empty oldValue.
                return fail(
                    Code::EvaluationFailed,
                    c.args[OLD].span,
                    "`Replace`'s oldValue is empty (.NET rejects an empty string to find)",
                );
            }
            Ok(Value::Str(source.replace(&old, &new)))
        }
        2 => {
            let Some(source) = e.text(c, SOURCE, span)? else {
                return Ok(Value::Null);
            };
            let old = e.text(c, OLD, span)?.unwrap_or_default();
            let template = e.text(c, TEMPLATE, span)?.unwrap_or_default();
            if old.is_empty() {
                return fail(
                    Code::EvaluationFailed,
                    c.args[OLD].span,
                    "`Replace`'s oldValue is empty (.NET rejects an empty string to find)",
                );
            }
            Ok(Value::Str(template.replace(&old, &source)))
        }
        3 => {
            let Some(source) = e.text(c, SOURCE, span)? else {
                return Ok(Value::Null);
            };
            let re = regex(e, c, span)?;
            let text = e.text(c, REPLACEMENT, span)?.unwrap_or_default();
            let r = Replacement::parse(&text, &re);
            match re.replace(&source, &r) {
                Ok(s) => Ok(Value::Str(s)),
                Err(_) => aborted(span),
            }
        }
        4 => {
            let Some(source) = e.text(c, SOURCE, span)? else {
                return Ok(Value::Null);
            };
            let re = regex(e, c, span)?;
            let g = group(e, c, &re, span)?;
            let new = e.text(c, REPLACEMENT, span)?.unwrap_or_default();
            let Ok(matches) = re.matches(&source) else {
                return aborted(span);
            };
            let mut out = String::with_capacity(source.len());
            let mut last = 0;
            for m in &matches {
                if let Some(r) = m.groups.get(&g) {
                    if r.start >= last {
                        out.push_str(&source[last..r.start]);
                        out.push_str(&new);
                        last = r.end;
                    }
                }
            }
            out.push_str(&source[last..]);
            Ok(Value::Str(out))
        }
        _ => {
            let source = e.text(c, SOURCE, span)?;
            if let Some(s) = source.filter(|s| !s.is_empty()) {
                return Ok(Value::Str(s));
            }
            let re = regex(e, c, span)?;
            let g = group(e, c, &re, span)?;
            let Some(other) = e.text(c, ATTRIBUTE, span)? else {
                return Ok(Value::Null);
            };
            let Ok(matches) = re.matches(&other) else {
                return aborted(span);
            };
            Ok(matches
                .iter()
                .find_map(|m| {
                    m.groups
                        .get(&g)
                        .map(|r| Value::Str(other[r.clone()].to_owned()))
                })
                .unwrap_or(Value::Null))
        }
    }
}
