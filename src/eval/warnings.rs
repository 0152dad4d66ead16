//! Warnings about values Entra would read differently from what the administrator may
//! expect, counted over the whole evaluation: unreadable Booleans and integers (S4, S18),
//! integers written with a sign, leading zeros or white space (S18), and regexes that
//! gave up (S19).

use super::{Outcomes, Plan};
use crate::diag::{Code, Diagnostic};
use crate::rules::Operator;

/// Warnings about values Entra would read differently from what the admin may expect:
/// unreadable Booleans and integers (S4, S18) and regexes that gave up (S19).
pub fn value_warnings(plan: &Plan, outcomes: &Outcomes) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, c) in plan.clauses.iter().enumerate() {
        let n = outcomes.unreadable(i);
        if n > 0 {
            let (rule, what) = if c.operator.is_integer() {
                ("S18", "an integer")
            } else {
                ("S4", "true or false")
            };
            out.push(
                Diagnostic::warning(
                    Code::UnreadableValues,
                    format!(
                        "{} a `{}` that is not {what}, so `{}` is false for them",
                        crate::diag::count(n, "user has", "users have"),
                        c.attribute,
                        c.text
                    ),
                )
                .with_rule(rule)
                .with_label(c.origin.0, c.origin.1, "")
                .with_help("`scopesim lint --directory ...` lists examples"),
            );
        }
        let n = outcomes.noncanonical(i);
        if n > 0 {
            out.push(
                Diagnostic::warning(
                    Code::NonCanonicalInteger,
                    format!(
                        "{} a `{}` written with a sign, leading zeros or white space (e.g. {}): read as .NET Int64.Parse reads it for `{}`, but Entra documents plain non-negative integers",
                        crate::diag::count(n, "user has", "users have"),
                        c.attribute,
                        outcomes
                            .noncanonical_examples(i)
                            .iter()
                            .map(|v| format!("{v:?}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        c.text
                    ),
                )
                .with_rule("S18")
                .with_label(c.origin.0, c.origin.1, "")
                .with_help("`scopesim lint --directory ...` lists examples; normalise the values in the source if Entra's own reading is in doubt"),
            );
        }
        let n = outcomes.aborted(i);
        if n > 0 {
            // S19 [decision]: a pattern that gives up leaves the clause false, for REGEX
            // MATCH (as if it did not match) and NOT REGEX MATCH (as if it matched) alike;
            // the message says which of the two was assumed.
            let assumed = if c.operator == Operator::NotRegexMatch {
                "it was assumed to match, so `NOT REGEX MATCH` is false for them"
            } else {
                "it was assumed not to match, so `REGEX MATCH` is false for them"
            };
            out.push(
                Diagnostic::warning(
                    Code::RegexAborted,
                    format!(
                        "the pattern of `{}` gave up on {} after {} backtracking steps: {assumed}",
                        c.text,
                        crate::diag::count(n, "user", "users"),
                        crate::regex::BACKTRACK_LIMIT
                    ),
                )
                .with_rule("S19")
                .with_label(c.origin.0, c.origin.1, "")
                .with_help("Entra's .NET engine has no such limit and answers for these users: simplify the pattern (avoid nested quantifiers and back-references) so that scopesim can too"),
            );
        }
    }
    out
}

/// S18: a plain non-negative integer as Entra documents them (`0`, `1`, `150`): no sign,
/// no leading zero, no white space.
pub fn canonical_int(s: &str) -> bool {
    let b = s.as_bytes();
    match b {
        [] => false,
        [b'0'] => true,
        [first, rest @ ..] => (b'1'..=b'9').contains(first) && rest.iter().all(u8::is_ascii_digit),
    }
}

#[cfg(test)]
mod tests {
    use super::canonical_int;

    #[test]
    fn s18_only_plain_non_negative_integers_are_canonical() {
        for ok in ["0", "7", "150", "9223372036854775807"] {
            assert!(canonical_int(ok), "{ok:?}");
        }
        for odd in ["+101", "0101", " 150 ", "-5", "00", "", "1 "] {
            assert!(!canonical_int(odd), "{odd:?}");
        }
    }
}
