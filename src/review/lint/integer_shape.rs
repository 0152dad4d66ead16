//! `integer-spelling` (S18): integers written other than as Entra documents them.
//!
//! Entra's only published rule for Greater_Than and Greater_Than_OR_EQUALS is that both
//! sides "must be an integer [0,1,2,...]". scopesim reads integers as .NET `Int64.Parse`
//! does (an optional sign, leading zeros, surrounding white space), so `+101`, `0101`,
//! `" 150 "` and `-5` are evaluated, as numbers; what Entra does with them is
//! undocumented. The lint makes that assumption visible: statically for a rule's value,
//! and with a directory for the users whose values have such a shape (counted once per
//! attribute, among the candidates of the apps that read it). Values that are not
//! integers at all are `unreadable-values`, not this.

use super::data::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::review::{Finding, plural, value_examples};
use crate::rules::Clause;
use crate::rules::print::clause_text;
use crate::value::parse_int;
use std::collections::{BTreeMap, HashSet};

/// How an integer is written, against Entra's documented `[0,1,2,...]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IntegerShape {
    /// Written with a `+` sign.
    pub plus_sign: bool,
    /// Written with a `-` sign (a negative number, or `-0`).
    pub minus_sign: bool,
    /// More than one digit, the first a `0` (`007`).
    pub leading_zeros: bool,
    /// White space before or after the digits.
    pub padded: bool,
}

impl IntegerShape {
    /// True for plain digits without leading zeros (`0`, `7`, `150`): the documented form.
    pub fn is_documented(self) -> bool {
        self == IntegerShape::default()
    }

    /// The parts that differ from the documented form, each fitting "written with ...".
    pub fn describe(self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.plus_sign {
            out.push("a `+` sign");
        }
        if self.minus_sign {
            out.push("a `-` sign");
        }
        if self.leading_zeros {
            out.push("leading zeros");
        }
        if self.padded {
            out.push("surrounding white space");
        }
        out
    }

    /// Both shapes' parts.
    fn union(self, other: IntegerShape) -> IntegerShape {
        IntegerShape {
            plus_sign: self.plus_sign || other.plus_sign,
            minus_sign: self.minus_sign || other.minus_sign,
            leading_zeros: self.leading_zeros || other.leading_zeros,
            padded: self.padded || other.padded,
        }
    }
}

/// The shape of `s` when it reads as an integer (S18, [`parse_int`]); `None` when it
/// does not.
pub fn integer_shape(s: &str) -> Option<IntegerShape> {
    parse_int(s)?;
    // The white space parse_int trims.
    let t = s.trim_matches(|c: char| matches!(c, '\u{9}'..='\u{d}' | ' '));
    let (plus_sign, minus_sign, digits) = match t.as_bytes().first() {
        Some(b'+') => (true, false, &t[1..]),
        Some(b'-') => (false, true, &t[1..]),
        _ => (false, false, t),
    };
    Some(IntegerShape {
        plus_sign,
        minus_sign,
        leading_zeros: digits.len() > 1 && digits.starts_with('0'),
        padded: t.len() != s.len(),
    })
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[&str]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// A rule's value for Greater_Than / Greater_Than_OR_EQUALS that reads as an integer but
/// is not written as `[0,1,2,...]`.
pub(super) fn check_rule(clause: &Clause, out: &mut Vec<Finding>) {
    let Some(op) = clause.operator.node.known() else {
        return;
    };
    let Some(value) = clause.values.first() else {
        return;
    };
    if !op.is_integer() {
        return;
    }
    let (Some(shape), Some(n)) = (integer_shape(&value.text), parse_int(&value.text)) else {
        return;
    };
    if shape.is_documented() {
        return;
    }
    let help = if n < 0 {
        "what Entra does with a negative value is undocumented; scopesim compares it as a signed 64-bit number (S18): check one user with provisioning on demand before relying on it".to_string()
    } else {
        format!(
            "write `{n}`: what Entra does with this spelling is undocumented, and scopesim reads it as .NET Int64.Parse does (S18)"
        )
    };
    out.push(Finding::new(
        Diagnostic::warning(
            Code::IntegerSpelling,
            format!(
                "the value {:?} of `{}` is written with {}: scopesim reads it as {n}, but Entra documents only whole numbers `[0,1,2,...]`",
                value.text,
                clause_text(clause),
                or_list(&shape.describe())
            ),
        )
        .with_rule("S18")
        .with_label(clause.source, value.span, "not written as `[0,1,2,...]`")
        .with_help(help),
    ));
}

/// True for an integer not written as `[0,1,2,...]`.
pub(super) fn undocumented(v: &str) -> bool {
    integer_shape(v).is_some_and(|s| !s.is_documented())
}

/// Users whose values of an attribute read by Greater_Than / Greater_Than_OR_EQUALS are
/// integers not written as `[0,1,2,...]`, among the candidates of the apps that read it.
pub(super) fn check_users(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let mut seen: HashSet<&str> = HashSet::new();
    for (cid, c) in ctx.plan.clauses.iter().enumerate() {
        if !c.operator.is_integer() {
            continue;
        }
        let Some(col) = c.column else {
            continue;
        };
        if !seen.insert(c.attribute.as_str()) {
            continue;
        }
        let mut values: BTreeMap<String, usize> = BTreeMap::new();
        let mut users = 0;
        let mut shapes = IntegerShape::default();
        let readers = ctx.users_of_clause(cid);
        for (_, v) in ctx.values.values(col, &readers) {
            match integer_shape(v) {
                Some(shape) if !shape.is_documented() => {
                    users += 1;
                    shapes = shapes.union(shape);
                    *values.entry(v.to_string()).or_default() += 1;
                }
                _ => {}
            }
        }
        if users == 0 {
            continue;
        }
        out.push(
            Finding::new(
                Diagnostic::warning(
                    Code::IntegerSpelling,
                    format!(
                        "the `{}` of {} is written with {}: `{}` reads {} as .NET Int64.Parse does, but Entra documents only whole numbers `[0,1,2,...]`",
                        c.attribute,
                        plural(users, "user"),
                        or_list(&shapes.describe()),
                        c.text,
                        if users == 1 { "it" } else { "them" }
                    ),
                )
                .with_rule("S18")
                .with_label(c.origin.0, c.origin.1, "reads these values as integers")
                .with_help("what Entra does with these spellings is undocumented (S18): write the values as plain digits in the directory (`007` as `7`), or check one of these users with provisioning on demand"),
            )
            .affecting(users)
            .with_examples(value_examples(&values)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s18_integer_shapes_are_read_like_int64_parse() {
        let shape = |s: &str| integer_shape(s).map(|x| x.describe());
        assert_eq!(shape("0"), Some(vec![]));
        assert_eq!(shape("150"), Some(vec![]));
        assert_eq!(shape("+101"), Some(vec!["a `+` sign"]));
        assert_eq!(shape("0101"), Some(vec!["leading zeros"]));
        assert_eq!(shape(" 150 "), Some(vec!["surrounding white space"]));
        assert_eq!(shape("\t7"), Some(vec!["surrounding white space"]));
        assert_eq!(shape("-5"), Some(vec!["a `-` sign"]));
        assert_eq!(shape("-0"), Some(vec!["a `-` sign"]));
        assert_eq!(
            shape(" -007"),
            Some(vec![
                "a `-` sign",
                "leading zeros",
                "surrounding white space"
            ])
        );
        // Not integers at all: unreadable-values, not this.
        for s in ["", " ", "+", "1.5", "1e3", "12a", "99999999999999999999"] {
            assert_eq!(integer_shape(s), None, "{s:?}");
        }
    }

    #[test]
    fn lists_read_as_prose() {
        assert_eq!(or_list(&["a"]), "a");
        assert_eq!(or_list(&["a", "b"]), "a or b");
        assert_eq!(or_list(&["a", "b", "c"]), "a, b or c");
    }
}
