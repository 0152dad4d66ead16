//! The fourteen scoping-filter operators and their spellings.
//!
//! Entra's portal shows operators with mixed spellings (`NOT EQUALS`, `Greater_Than`,
//! `ENDS_WITH`), and the Graph schema JSON uses the same strings (spec S30). Our rule
//! language accepts any letter case with `_` and space interchangeable, and always writes
//! back the canonical spelling, so a converted rule pastes straight into the schema editor.

use serde::Serialize;
use std::fmt;

/// A scoping-filter operator (spec S5 to S17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Operator {
    /// S5: ordinal, case-sensitive equality.
    Equals,
    /// S6: ordinal inequality; false on null.
    NotEquals,
    /// S7: .NET `Regex.IsMatch`, unanchored.
    RegexMatch,
    /// S8: not IsMatch; false on null.
    NotRegexMatch,
    /// S9: ordinal substring (`String.Contains`).
    Includes,
    /// S10: ordinal suffix.
    EndsWith,
    /// S11: integer `>`.
    GreaterThan,
    /// S12: integer `>=`.
    GreaterThanOrEquals,
    /// S13: Boolean true.
    IsTrue,
    /// S14: Boolean false (null is not false).
    IsFalse,
    /// S15: null.
    IsNull,
    /// S16: not null.
    IsNotNull,
    /// S17: `&`, undocumented; parsed but never evaluated.
    BitAnd,
    /// S17: `!&`, undocumented; parsed but never evaluated.
    NotBitAnd,
}

impl Operator {
    /// Every operator, in the order the portal lists them.
    pub const ALL: [Operator; 14] = [
        Operator::BitAnd,
        Operator::NotBitAnd,
        Operator::EndsWith,
        Operator::Equals,
        Operator::GreaterThan,
        Operator::GreaterThanOrEquals,
        Operator::Includes,
        Operator::IsFalse,
        Operator::IsNotNull,
        Operator::IsNull,
        Operator::IsTrue,
        Operator::NotEquals,
        Operator::NotRegexMatch,
        Operator::RegexMatch,
    ];

    /// The canonical spelling: the portal label and the Graph JSON `operatorName`.
    pub fn canonical(self) -> &'static str {
        match self {
            Operator::Equals => "EQUALS",
            Operator::NotEquals => "NOT EQUALS",
            Operator::RegexMatch => "REGEX MATCH",
            Operator::NotRegexMatch => "NOT REGEX MATCH",
            Operator::Includes => "Includes",
            Operator::EndsWith => "ENDS_WITH",
            Operator::GreaterThan => "Greater_Than",
            Operator::GreaterThanOrEquals => "Greater_Than_OR_EQUALS",
            Operator::IsTrue => "IS TRUE",
            Operator::IsFalse => "IS FALSE",
            Operator::IsNull => "IS NULL",
            Operator::IsNotNull => "IS NOT NULL",
            Operator::BitAnd => "&",
            Operator::NotBitAnd => "!&",
        }
    }

    /// The spec rule that defines it.
    pub fn rule(self) -> &'static str {
        match self {
            Operator::Equals => "S5",
            Operator::NotEquals => "S6",
            Operator::RegexMatch => "S7",
            Operator::NotRegexMatch => "S8",
            Operator::Includes => "S9",
            Operator::EndsWith => "S10",
            Operator::GreaterThan => "S11",
            Operator::GreaterThanOrEquals => "S12",
            Operator::IsTrue => "S13",
            Operator::IsFalse => "S14",
            Operator::IsNull => "S15",
            Operator::IsNotNull => "S16",
            Operator::BitAnd | Operator::NotBitAnd => "S17",
        }
    }

    /// Unary operators take no value.
    pub fn is_unary(self) -> bool {
        matches!(
            self,
            Operator::IsTrue | Operator::IsFalse | Operator::IsNull | Operator::IsNotNull
        )
    }

    /// Operators whose value is a regular expression.
    pub fn is_regex(self) -> bool {
        matches!(self, Operator::RegexMatch | Operator::NotRegexMatch)
    }

    /// Operators that compare integers (S18).
    pub fn is_integer(self) -> bool {
        matches!(self, Operator::GreaterThan | Operator::GreaterThanOrEquals)
    }

    /// Operators whose semantics are undocumented and which scopesim refuses to evaluate (S17).
    pub fn is_undocumented(self) -> bool {
        matches!(self, Operator::BitAnd | Operator::NotBitAnd)
    }

    /// Parses a spelling: letter case ignored, `_`, `-` and runs of white space alike.
    pub fn parse(text: &str) -> Option<Operator> {
        let key = normalize(text);
        Operator::ALL
            .into_iter()
            .find(|op| normalize(op.canonical()) == key)
    }

    /// The closest operator to an unknown spelling, for "did you mean".
    pub fn suggest(text: &str) -> Option<Operator> {
        Operator::suggest_with_distance(text).map(|(op, _)| op)
    }

    /// The closest operator and its edit distance (0 for known aliases such as `!=`).
    pub fn suggest_with_distance(text: &str) -> Option<(Operator, usize)> {
        let symbolic = match text.trim() {
            "=" | "==" => Some(Operator::Equals),
            "!=" | "<>" | "≠" => Some(Operator::NotEquals),
            ">" => Some(Operator::GreaterThan),
            ">=" | "≥" => Some(Operator::GreaterThanOrEquals),
            "~" | "=~" | "~=" => Some(Operator::RegexMatch),
            "!~" => Some(Operator::NotRegexMatch),
            _ => None,
        };
        if let Some(op) = symbolic {
            return Some((op, 0));
        }
        let key = normalize(text);
        let aliases: &[(&str, Operator)] = &[
            ("equal", Operator::Equals),
            ("eq", Operator::Equals),
            ("is", Operator::Equals),
            ("ne", Operator::NotEquals),
            ("notequal", Operator::NotEquals),
            ("contains", Operator::Includes),
            ("include", Operator::Includes),
            ("endswith", Operator::EndsWith),
            ("endwith", Operator::EndsWith),
            ("matches", Operator::RegexMatch),
            ("match", Operator::RegexMatch),
            ("regex", Operator::RegexMatch),
            ("gt", Operator::GreaterThan),
            ("ge", Operator::GreaterThanOrEquals),
            ("greaterthanequals", Operator::GreaterThanOrEquals),
            ("greaterorequals", Operator::GreaterThanOrEquals),
            ("isempty", Operator::IsNull),
            ("isnotempty", Operator::IsNotNull),
            ("notnull", Operator::IsNotNull),
            ("true", Operator::IsTrue),
            ("false", Operator::IsFalse),
        ];
        if let Some((_, op)) = aliases.iter().find(|(a, _)| *a == key) {
            return Some((*op, 0));
        }
        Operator::ALL
            .into_iter()
            .map(|op| (strsim::levenshtein(&normalize(op.canonical()), &key), op))
            .filter(|(d, op)| *d <= 3.max(normalize(op.canonical()).len() / 3))
            .min_by_key(|(d, _)| *d)
            .map(|(d, op)| (op, d))
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.canonical())
    }
}

/// Lowercase, with `_`, `-` and white space removed: the key spellings are compared on.
fn normalize(text: &str) -> String {
    text.chars()
        .filter(|c| !(c.is_whitespace() || *c == '_' || *c == '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_canonical_spelling_round_trips() {
        for op in Operator::ALL {
            assert_eq!(Operator::parse(op.canonical()), Some(op), "{op}");
        }
    }

    #[test]
    fn spellings_ignore_case_and_treat_underscore_and_space_alike() {
        assert_eq!(Operator::parse("not_equals"), Some(Operator::NotEquals));
        assert_eq!(Operator::parse("NOT  EQUALS"), Some(Operator::NotEquals));
        assert_eq!(
            Operator::parse("greater than or equals"),
            Some(Operator::GreaterThanOrEquals)
        );
        assert_eq!(Operator::parse("ends with"), Some(Operator::EndsWith));
        assert_eq!(Operator::parse("INCLUDES"), Some(Operator::Includes));
        assert_eq!(Operator::parse("is_not_null"), Some(Operator::IsNotNull));
        assert_eq!(Operator::parse("EQUAL"), None);
    }

    #[test]
    fn near_misses_get_a_suggestion() {
        assert_eq!(Operator::suggest("EQUAL"), Some(Operator::Equals));
        assert_eq!(Operator::suggest("NOT_EQUAL"), Some(Operator::NotEquals));
        assert_eq!(Operator::suggest("contains"), Some(Operator::Includes));
        assert_eq!(Operator::suggest("!="), Some(Operator::NotEquals));
        assert_eq!(
            Operator::suggest("REGEX_MATCHES"),
            Some(Operator::RegexMatch)
        );
        assert_eq!(
            Operator::suggest("GreaterThanEqual"),
            Some(Operator::GreaterThanOrEquals)
        );
        assert_eq!(Operator::suggest("frobnicate"), None);
    }
}
