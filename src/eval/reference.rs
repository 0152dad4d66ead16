//! A deliberately simple interpreter of the rule model, written straight from the spec.
//!
//! It works on one user at a time, from the AST, with plain string operations and no
//! sharing, caching or bit sets. Its only purpose is to be obviously right, so that
//! property tests can check the compiled, parallel evaluator against it.

use crate::regex::{Anchoring, DotnetRegex};
use crate::rules::resolve::StageView;
use crate::rules::{Clause, Filter, Operator, OperatorName};
use crate::schema::{self, AttrType};
use std::collections::HashMap;

/// A user: attribute name to text. Missing names and empty texts are null (S1).
pub type User<'a> = HashMap<&'a str, &'a str>;

fn value<'a>(user: &User<'a>, attr: &str) -> Option<&'a str> {
    // S3: exact name first, then ignoring case.
    let v = user.get(attr).copied().or_else(|| {
        user.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(attr))
            .map(|(_, v)| *v)
    });
    v.filter(|s| !s.is_empty())
}

fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}'))
}

fn boolean(s: &str) -> Option<bool> {
    match trim(s).to_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn integer(s: &str) -> Option<i64> {
    let t = trim(s);
    if t.is_empty() || t.contains(|c: char| !(c.is_ascii_digit() || c == '-' || c == '+')) {
        return None;
    }
    t.parse::<i64>().ok()
}

/// Does one clause hold? (`None` for clauses that cannot be evaluated.)
pub fn clause(c: &Clause, user: &User<'_>, anchoring: Anchoring) -> Option<bool> {
    let OperatorName::Known(op) = c.operator.node else {
        return None;
    };
    let v = value(user, &c.attribute.node);
    let text = c.values.first().map(|v| v.text.as_str()).unwrap_or("");
    if op == Operator::IsNull {
        return Some(v.is_none());
    }
    if op == Operator::IsNotNull {
        return Some(v.is_some());
    }
    let Some(v) = v else { return Some(false) };
    let boolean_attr = schema::info(&c.attribute.node).ty == AttrType::Boolean;
    let shown = match (boolean_attr, boolean(v)) {
        (true, Some(true)) => "True",
        (true, Some(false)) => "False",
        _ => v,
    };
    Some(match op {
        Operator::Equals => shown == text,
        Operator::NotEquals => shown != text,
        Operator::Includes => shown.contains(text),
        Operator::EndsWith => shown.ends_with(text),
        Operator::RegexMatch => DotnetRegex::new(text, anchoring)
            .ok()?
            .is_match(shown)
            .unwrap_or(false),
        Operator::NotRegexMatch => match DotnetRegex::new(text, anchoring).ok()?.is_match(shown) {
            Ok(m) => !m,
            Err(_) => false,
        },
        Operator::GreaterThan => integer(v).zip(integer(text)).is_some_and(|(a, b)| a > b),
        Operator::GreaterThanOrEquals => integer(v).zip(integer(text)).is_some_and(|(a, b)| a >= b),
        Operator::IsTrue => boolean(v) == Some(true),
        Operator::IsFalse => boolean(v) == Some(false),
        _ => return None,
    })
}

/// Does a filter match? (clauses ANDed, S22)
pub fn filter(f: &Filter, user: &User<'_>, anchoring: Anchoring) -> Option<bool> {
    let mut all = true;
    for c in &f.clauses {
        all &= clause(c, user, anchoring)?;
    }
    Some(all)
}

/// Does a user pass a stage's scoping filters? (filters ORed; none = everyone, S22)
pub fn passes_scoping(view: &StageView<'_>, user: &User<'_>, anchoring: Anchoring) -> Option<bool> {
    if view.scoping.is_empty() {
        return Some(true);
    }
    let mut any = false;
    for f in &view.scoping {
        any |= filter(f, user, anchoring)?;
    }
    Some(any)
}
