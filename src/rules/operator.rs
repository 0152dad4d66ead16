//! The fourteen scoping-filter operators and their spellings.
//!
//! Entra's portal shows operators with mixed spellings (`NOT EQUALS`, `Greater_Than`,
//! `ENDS_WITH`), and the Graph schema JSON uses the same strings (spec S30). Spellings come
//! in three kinds ([`Spelling`]): the documented one (letter case ignored, `_` and a space
//! alike, S30), which is silent; a variant with the same letters and other separators or
//! blanks (`IsTrue`, `ENDSWITH`, `NOT  EQUALS`, ` EQUALS`), which is read with a warning
//! naming the canonical spelling (S35); and anything else, which is an unknown operator
//! with a suggestion, or with the list of candidates when it could mean several (`IS`).
//! Output always uses the canonical spelling, so a converted rule pastes straight into
//! the schema editor.

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
    /// This accepts documented spellings and variants alike; [`Operator::spelling`] tells
    /// them apart.
    pub fn parse(text: &str) -> Option<Operator> {
        let key = normalize(text);
        Operator::ALL
            .into_iter()
            .find(|op| normalize(op.canonical()) == key)
    }

    /// Classifies a spelling (S30, S35).
    pub fn spelling(text: &str) -> Spelling {
        let documented = documented_key(text);
        if let Some(op) = Operator::ALL
            .into_iter()
            .find(|op| documented_key(op.canonical()) == documented)
        {
            return Spelling::Documented(op);
        }
        match Operator::parse(text) {
            Some(op) => Spelling::Variant(op),
            None => Spelling::Unknown,
        }
    }

    /// The operators an unknown spelling could mean, closest first: one for a near miss
    /// (`EQUAL`), several when it is ambiguous (`IS` could be `IS TRUE`, `IS FALSE`,
    /// `IS NULL` or `IS NOT NULL`), none when nothing is close.
    pub fn candidates(text: &str) -> Vec<Operator> {
        let key = normalize(text);
        if key.len() >= 2 {
            let prefixed: Vec<Operator> = Operator::ALL
                .into_iter()
                .filter(|op| {
                    let name = normalize(op.canonical());
                    name.len() > key.len() && name.starts_with(&key)
                })
                .collect();
            if prefixed.len() > 1 {
                return prefixed;
            }
        }
        Operator::suggest(text).into_iter().collect()
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

/// How an operator name is spelt (S30, S35).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// The documented spelling, ignoring letter case, with `_` and one space alike.
    Documented(Operator),
    /// The same letters with other separators or blanks: read, with a warning.
    Variant(Operator),
    /// Not a spelling of any operator.
    Unknown,
}

/// Lowercase, with each `_` read as a space: the documented equivalence of S30.
fn documented_key(text: &str) -> String {
    text.chars()
        .map(|c| if c == '_' { ' ' } else { c })
        .flat_map(char::to_lowercase)
        .collect()
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
    fn s30_documented_spellings_ignore_case_with_underscore_and_space_alike() {
        for (text, op) in [
            ("NOT EQUALS", Operator::NotEquals),
            ("not_equals", Operator::NotEquals),
            ("Greater Than", Operator::GreaterThan),
            ("GREATER_THAN_OR_EQUALS", Operator::GreaterThanOrEquals),
            ("ends with", Operator::EndsWith),
            ("is_true", Operator::IsTrue),
            ("includes", Operator::Includes),
            ("!&", Operator::NotBitAnd),
        ] {
            assert_eq!(Operator::spelling(text), Spelling::Documented(op), "{text}");
        }
    }

    #[test]
    fn s35_other_spellings_are_variants_naming_the_operator() {
        for (text, op) in [
            ("IsTrue", Operator::IsTrue),
            ("ENDSWITH", Operator::EndsWith),
            ("NOT  EQUALS", Operator::NotEquals),
            (" EQUALS", Operator::Equals),
            ("EQUALS ", Operator::Equals),
            ("not-equals", Operator::NotEquals),
            ("NOT\tREGEX MATCH", Operator::NotRegexMatch),
            ("GreaterThanOrEquals", Operator::GreaterThanOrEquals),
        ] {
            assert_eq!(Operator::spelling(text), Spelling::Variant(op), "{text:?}");
        }
        assert_eq!(Operator::spelling("EQUAL"), Spelling::Unknown);
    }

    #[test]
    fn s35_variants_never_mean_two_operators() {
        // Removing separators and case keeps the fourteen names apart, so a variant is
        // never ambiguous.
        let mut keys: Vec<String> = Operator::ALL
            .iter()
            .map(|o| normalize(o.canonical()))
            .collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), Operator::ALL.len());
    }

    #[test]
    fn s35_an_ambiguous_spelling_lists_every_candidate() {
        assert_eq!(
            Operator::candidates("IS"),
            vec![
                Operator::IsFalse,
                Operator::IsNotNull,
                Operator::IsNull,
                Operator::IsTrue
            ]
        );
        assert_eq!(
            Operator::candidates("Greater"),
            vec![Operator::GreaterThan, Operator::GreaterThanOrEquals]
        );
        assert_eq!(Operator::candidates("EQUAL"), vec![Operator::Equals]);
        assert!(Operator::candidates("frobnicate").is_empty());
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
