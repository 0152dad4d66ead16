//! `unsatisfiable-filter` (S22): a filter whose clauses cannot all hold, from the rules
//! alone.
//!
//! Clauses of a filter are ANDed, so `department EQUALS "A"` next to `department EQUALS
//! "B"` (an author meaning "A or B") matches no one, and Entra says nothing. The check
//! compares clauses on the same attribute pairwise: two different EQUALS, EQUALS and NOT
//! EQUALS of one value, IS NULL with any value operator, IS TRUE with IS FALSE, and an
//! EQUALS whose value fails the other clause (evaluated as the evaluator would). A filter
//! found here is left out of the data analyses that would only repeat it (dead,
//! null-excluded, redundant).

use crate::diag::{Code, Diagnostic};
use crate::regex::{Anchoring, DotnetRegex};
use crate::review::Finding;
use crate::rules::print::clause_text;
use crate::rules::{Clause, Filter, Operator};
use crate::schema::{self, AttrType};
use crate::value::{parse_bool, parse_int};

/// The first pair of clauses of a filter that cannot hold together, as a finding.
pub(super) fn check(filter: &Filter, anchoring: Anchoring) -> Option<Finding> {
    let clauses: Vec<(&Clause, Operator)> = filter
        .clauses
        .iter()
        .filter_map(|c| c.operator.node.known().map(|op| (c, op)))
        .filter(|(_, op)| !op.is_undocumented())
        .collect();
    for (j, &(b, ob)) in clauses.iter().enumerate() {
        for &(a, oa) in &clauses[..j] {
            if a.attribute.node != b.attribute.node {
                continue;
            }
            let why =
                conflict(a, oa, b, ob, anchoring).or_else(|| conflict(b, ob, a, oa, anchoring));
            if let Some(why) = why {
                return Some(Finding::new(
                    Diagnostic::warning(
                        Code::UnsatisfiableFilter,
                        format!(
                            "filter `{}` can never match: `{}` and `{}` cannot both hold",
                            filter.name.node,
                            clause_text(a),
                            clause_text(b)
                        ),
                    )
                    .with_rule("S22")
                    .with_label(b.source, b.span, "contradicts an earlier clause")
                    .with_label(a.source, a.span, "this clause")
                    .with_help(format!("{why}; clauses of a filter are ANDed (S22): to accept either, write one filter for each")),
                ));
            }
        }
    }
    None
}

/// Why clauses `a` and `b` on the same attribute cannot both hold, if they cannot.
fn conflict(
    a: &Clause,
    oa: Operator,
    b: &Clause,
    ob: Operator,
    anchoring: Anchoring,
) -> Option<String> {
    let attr = &a.attribute.node;
    let va = a.value_text();
    let vb = b.value_text();
    match (oa, ob) {
        (Operator::IsNull, Operator::IsNull) => None,
        (Operator::IsNull, Operator::IsNotNull) => {
            Some(format!("`{attr}` cannot be null and not null (S15, S16)"))
        }
        (Operator::IsNull, _) => Some(format!(
            "every operator but IS NULL and IS NOT NULL is false when `{attr}` is null"
        )),
        (Operator::IsTrue, Operator::IsFalse) => {
            Some(format!("`{attr}` cannot be true and false (S13, S14)"))
        }
        (Operator::Equals, Operator::Equals) => match (va, vb) {
            (Some(x), Some(y)) if x != y => {
                Some(format!("`{attr}` cannot equal both {x:?} and {y:?}"))
            }
            _ => None,
        },
        (Operator::Equals, Operator::NotEquals) => match (va, vb) {
            (Some(x), Some(y)) if x == y => {
                Some(format!("`{attr}` cannot equal {x:?} and differ from it"))
            }
            _ => None,
        },
        (Operator::Equals, other) => {
            // Booleans are compared as `True`/`False` text (S4): leave them to the rules above.
            if schema::info(attr).ty == AttrType::Boolean {
                return None;
            }
            let x = va?;
            let holds = match (other, vb) {
                (Operator::Includes, Some(y)) => x.contains(y),
                (Operator::EndsWith, Some(y)) => x.ends_with(y),
                (Operator::RegexMatch, Some(p)) => {
                    DotnetRegex::new(p, anchoring).ok()?.is_match(x).ok()?
                }
                (Operator::NotRegexMatch, Some(p)) => {
                    !DotnetRegex::new(p, anchoring).ok()?.is_match(x).ok()?
                }
                (Operator::GreaterThan, Some(n)) => {
                    let n = parse_int(n)?;
                    parse_int(x).is_some_and(|v| v > n)
                }
                (Operator::GreaterThanOrEquals, Some(n)) => {
                    let n = parse_int(n)?;
                    parse_int(x).is_some_and(|v| v >= n)
                }
                (Operator::IsTrue, _) => parse_bool(x) == Some(true),
                (Operator::IsFalse, _) => parse_bool(x) == Some(false),
                _ => return None,
            };
            (!holds).then(|| {
                format!(
                    "`{attr}` must equal {x:?}, and `{}` is false for that value",
                    clause_text(b)
                )
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::review::lint::{LintOptions, lint};
    use crate::rules::load::load_text;

    #[test]
    fn contradictions_are_found_for_each_kind() {
        let lint_one = |clauses: &str| -> Vec<&'static str> {
            let text = format!("app \"A\" {{\n scope all\n filter \"f\" {{\n{clauses}\n }}\n}}\n");
            let l = load_text("t.scope", &text, None);
            lint(&l, None, &LintOptions::default())
                .iter()
                .map(|f| f.diagnostic.code.as_str())
                .filter(|c| *c == "unsatisfiable-filter")
                .collect()
        };
        let yes = [
            "department EQUALS \"A\"\n department EQUALS \"B\"",
            "department EQUALS \"A\"\n department NOT EQUALS \"A\"",
            "department IS NULL\n department NOT EQUALS \"A\"",
            "department IS NULL\n department IS NOT NULL",
            "accountEnabled IS TRUE\n accountEnabled IS FALSE",
            "department EQUALS \"IT\"\n department Includes \"Sales\"",
            "department EQUALS \"IT\"\n department REGEX MATCH \"^S\"",
            "extensionAttribute1 EQUALS \"5\"\n extensionAttribute1 Greater_Than \"10\"",
        ];
        for c in yes {
            assert_eq!(lint_one(c), vec!["unsatisfiable-filter"], "{c}");
        }
        let no = [
            "department EQUALS \"A\"\n department EQUALS \"A\"",
            "department EQUALS \"A\"\n country EQUALS \"B\"",
            "department IS NULL\n department IS NULL",
            "department EQUALS \"IT\"\n department REGEX MATCH \"^I\"",
            "department NOT EQUALS \"A\"\n department NOT EQUALS \"B\"",
            "extensionAttribute1 EQUALS \"50\"\n extensionAttribute1 Greater_Than \"10\"",
        ];
        for c in no {
            assert!(lint_one(c).is_empty(), "{c}");
        }
    }
}
