//! `regex-unanchored` (S7): values an unanchored pattern matches that a whole-value
//! pattern would not.
//!
//! Entra runs .NET `Regex.IsMatch`, which finds the pattern anywhere in the value: the
//! portal's own example `([1-9][0-9])` also matches `100`. For a pattern anchored at
//! neither end, the candidates' values are run through both anchorings and the ones on
//! which they disagree are listed with their counts. Under `--regex-anchoring full` the
//! question does not arise, and a pattern anchored at one end at least shows the author
//! chose what to leave open.

use super::data::Ctx;
use super::regex_spelling::escaped;
use crate::diag::{Code, Diagnostic};
use crate::eval::Bits;
use crate::regex::{Anchoring, DotnetRegex};
use crate::review::{Finding, plural, value_examples};
use crate::rules::Clause;
use crate::rules::Operator;
use crate::rules::print::clause_text;
use crate::schema::{self, AttrType};
use std::collections::BTreeMap;

/// The pattern of a regex clause this analysis looks at (anchored at neither end, not of
/// a Boolean attribute, under Entra's partial anchoring), compiled both ways: as Entra
/// runs it and as a whole-value pattern.
pub(super) fn wants(clause: &Clause, anchoring: Anchoring) -> Option<(DotnetRegex, DotnetRegex)> {
    if anchoring != Anchoring::Partial {
        return None;
    }
    let op = clause.operator.node.known()?;
    if !op.is_regex() || schema::info(&clause.attribute.node).ty == AttrType::Boolean {
        return None;
    }
    let pattern = clause.values.first()?.text.as_str();
    if is_anchored(pattern) {
        // Anchored at one end at least: the author chose what to leave open.
        return None;
    }
    let partial = DotnetRegex::new(pattern, Anchoring::Partial).ok()?;
    let full = DotnetRegex::new(pattern, Anchoring::Full).ok()?;
    Some((partial, full))
}

/// True when the pattern matches `v` as Entra runs it and not as a whole value.
pub(super) fn differs(partial: &DotnetRegex, full: &DotnetRegex, v: &str) -> bool {
    matches!(partial.is_match(v), Ok(true)) && matches!(full.is_match(v), Ok(false))
}

/// S7: values an unanchored pattern matches but a whole-value pattern would not.
pub(super) fn check(
    ctx: &Ctx<'_>,
    clause: &Clause,
    cid: usize,
    cand: &Bits,
    out: &mut Vec<Finding>,
) {
    let Some((partial, full)) = wants(clause, ctx.opts.anchoring) else {
        return;
    };
    let (Some(op), Some(col), Some(value)) = (
        clause.operator.node.known(),
        ctx.plan.clauses[cid].column,
        clause.values.first(),
    ) else {
        return;
    };
    let pattern = value.text.as_str();
    let mut values: BTreeMap<String, usize> = BTreeMap::new();
    let mut users = 0;
    for (_, v) in ctx.values.values(col, cand) {
        if differs(&partial, &full, v) {
            users += 1;
            *values.entry(v.to_string()).or_default() += 1;
        }
    }
    if users == 0 {
        return;
    }
    let verb = if op == Operator::RegexMatch {
        "matches"
    } else {
        "excludes"
    };
    let d = Diagnostic::warning(
        Code::RegexUnanchored,
        format!(
            "`{}` also {verb} {} that a whole-value pattern would not ({})",
            clause_text(clause),
            plural(values.len(), "value"),
            plural(users, "candidate")
        ),
    );
    out.push(
        Finding::new(
            d.with_rule("S7")
                .with_label(clause.source, value.span, "matches anywhere in the value")
                .with_help(format!(
                    "REGEX MATCH finds the pattern anywhere in the value: write `^(?:{pattern})$` if you mean the whole value"
                )),
        )
        .affecting(users)
        .with_examples(value_examples(&values)),
    );
}

/// True when a pattern is anchored at its start or end (`^`, `\A`, `$`, `\z`, `\Z`).
pub fn is_anchored(pattern: &str) -> bool {
    let p = pattern.trim_start_matches('(');
    let q = pattern.trim_end_matches(')');
    p.starts_with('^')
        || p.starts_with("\\A")
        || (q.ends_with('$') && !escaped(q.as_bytes(), q.len() - 1))
        || q.ends_with("\\z")
        || q.ends_with("\\Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_seen_at_either_end() {
        for p in [
            "^Sales", "Sales$", "(^a|b)", "\\ASales", "Sales\\z", "(a|b$)",
        ] {
            assert!(is_anchored(p), "{p}");
        }
        for p in ["Sales", "a[^b]c", "price\\$", "a|b"] {
            assert!(!is_anchored(p), "{p}");
        }
    }
}
