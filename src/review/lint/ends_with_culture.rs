//! `ends-with-ordinal` (S10): where the ordinal ENDS_WITH scopesim evaluates and .NET's
//! culture-sensitive `EndsWith` can disagree.
//!
//! Entra does not say how ENDS_WITH compares. .NET's `String.EndsWith(string)` is
//! culture-sensitive by default; scopesim compares ordinally, code unit by code unit, like
//! EQUALS and Includes (S10, a decision). The two agree on plain text and differ on a few
//! kinds of characters: those a culture-sensitive comparison ignores (the soft hyphen
//! U+00AD, zero-width joiners and spaces, variation selectors), combining marks against
//! precomposed letters (`e` + U+0301 against `é`, canonically equivalent), and letters
//! NLS (Windows) collation expands (`ß` as `ss`, `æ` as `ae`, `œ` as `oe`). The lint says
//! so statically when the suffix holds such a character, and with a directory counts the
//! candidates on which the two comparisons give different answers, computed by comparing
//! both sides in a culture-like form (canonical decomposition, ignorable characters
//! dropped, those letters expanded). Which answer Entra gives is unknown either way.

use super::data::Ctx;
use crate::diag::{Code, Diagnostic};
use crate::eval::Bits;
use crate::review::{Finding, plural, value_examples};
use crate::rules::print::clause_text;
use crate::rules::{Clause, Operator};
use crate::schema::{self, AttrType};
use std::collections::BTreeMap;
use std::ops::Range;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Why a character may compare differently under a culture-sensitive comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CultureChar {
    /// Default-ignorable (soft hyphen, zero-width characters, variation selectors): a
    /// culture-sensitive comparison skips it.
    Ignorable,
    /// A letter NLS collation reads as two (`ß` as `ss`).
    Expansion(&'static str),
    /// A combining mark: with the letter before it, equivalent to a precomposed letter.
    CombiningMark,
    /// A precomposed letter: equivalent to its letter and combining marks.
    Precomposed,
}

/// Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt), the characters
/// collation gives no weight.
fn is_ignorable(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{34F}' | '\u{61C}' | '\u{115F}'..='\u{1160}' | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}')
}

/// The letters NLS collation expands, with their expansion.
fn expansion(c: char) -> Option<&'static str> {
    match c {
        'ß' => Some("ss"),
        'ẞ' => Some("SS"),
        'æ' => Some("ae"),
        'Æ' => Some("AE"),
        'œ' => Some("oe"),
        'Œ' => Some("OE"),
        _ => None,
    }
}

/// True when `c` has a canonical decomposition other than itself (`é`, `Å`).
fn is_precomposed(c: char) -> bool {
    let mut same = true;
    decompose_canonical(c, |d| same &= d == c);
    !same
}

/// The characters of `s` on which a culture-sensitive comparison may differ from an
/// ordinal one, with their byte ranges, in order. Hangul syllables, which decompose into
/// jamo but are never written decomposed in practice, are left out.
pub fn culture_sensitive_chars(s: &str) -> Vec<(Range<usize>, CultureChar)> {
    if s.is_ascii() {
        return Vec::new();
    }
    s.char_indices()
        .filter_map(|(i, c)| {
            let kind = if is_ignorable(c) {
                CultureChar::Ignorable
            } else if let Some(e) = expansion(c) {
                CultureChar::Expansion(e)
            } else if is_combining_mark(c) {
                CultureChar::CombiningMark
            } else if is_precomposed(c) && !('\u{AC00}'..='\u{D7A3}').contains(&c) {
                CultureChar::Precomposed
            } else {
                return None;
            };
            Some((i..i + c.len_utf8(), kind))
        })
        .collect()
}

/// `s` as a culture-sensitive comparison sees it, approximately: canonically decomposed,
/// ignorable characters dropped, NLS expansions applied. Letter case is kept (a
/// culture-sensitive comparison is case-sensitive too).
fn culture_form(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfd() {
        if is_ignorable(c) {
            continue;
        }
        match expansion(c) {
            Some(e) => out.push_str(e),
            None => out.push(c),
        }
    }
    out
}

/// True when ordinal `value.ends_with(suffix)` (S10, what scopesim evaluates) and a
/// culture-sensitive `EndsWith` may answer differently.
pub fn culture_differs(value: &str, suffix: &str) -> bool {
    if value.is_ascii() && suffix.is_ascii() {
        return false;
    }
    value.ends_with(suffix) != culture_form(value).ends_with(&culture_form(suffix))
}

/// How one character is described in a finding.
fn describe(text: &str, range: &Range<usize>, kind: CultureChar) -> String {
    let c = text
        .get(range.clone())
        .and_then(|s| s.chars().next())
        .unwrap_or('\u{FFFD}');
    let code = format!("U+{:04X}", c as u32);
    match kind {
        CultureChar::Ignorable => {
            let name = match c {
                '\u{AD}' => "a soft hyphen",
                '\u{200B}' => "a zero-width space",
                '\u{200C}' => "a zero-width non-joiner",
                '\u{200D}' => "a zero-width joiner",
                '\u{2060}' => "a word joiner",
                '\u{FEFF}' => "a zero-width no-break space",
                _ => "an invisible character",
            };
            format!("{name} ({code}), which a culture-sensitive comparison ignores")
        }
        CultureChar::Expansion(e) => {
            format!("`{c}`, which a culture-sensitive comparison may read as `{e}`")
        }
        CultureChar::CombiningMark => format!(
            "the combining mark {code}, which a culture-sensitive comparison joins with the letter before it"
        ),
        CultureChar::Precomposed => format!(
            "the precomposed `{c}` ({code}), which a culture-sensitive comparison equates with its letter and combining mark"
        ),
    }
}

/// The ENDS_WITH clause's value, when the clause is one scopesim compares as text.
pub(super) fn wants(clause: &Clause) -> Option<&crate::rules::Value> {
    if clause.operator.node.known()? != Operator::EndsWith {
        return None;
    }
    if schema::info(&clause.attribute.node).ty == AttrType::Boolean {
        // Compared as Entra's `True`/`False` rendering (S4): plain ASCII.
        return None;
    }
    clause.values.first()
}

/// The clause as a finding quotes it: as printed, unless the value holds invisible
/// characters or combining marks, which are then written as escapes (`\u{ad}`).
fn shown(clause: &Clause, value: &crate::rules::Value) -> String {
    let invisible = value
        .text
        .chars()
        .any(|c| is_ignorable(c) || is_combining_mark(c));
    if invisible {
        format!(
            "{} {} {:?}",
            clause.attribute.node,
            Operator::EndsWith.canonical(),
            value.text
        )
    } else {
        clause_text(clause)
    }
}

/// A suffix holding characters on which the two comparisons can differ (an info, at the
/// first such character).
pub(super) fn check_rule(clause: &Clause, out: &mut Vec<Finding>) {
    let Some(value) = wants(clause) else {
        return;
    };
    let text = value.text.as_str();
    let found = culture_sensitive_chars(text);
    let Some((first, _)) = found.first() else {
        return;
    };
    let mut items: Vec<String> = Vec::new();
    for (range, kind) in &found {
        let d = describe(text, range, *kind);
        if !items.contains(&d) {
            items.push(d);
        }
    }
    let listed = items.len().min(3);
    let more = if items.len() > listed {
        format!(" (and {} more)", items.len() - listed)
    } else {
        String::new()
    };
    out.push(Finding::new(
        Diagnostic::info(
            Code::EndsWithOrdinal,
            format!(
                "the suffix of `{}` holds {}{more}: scopesim compares ENDS_WITH ordinally, character by character",
                shown(clause, value),
                items.iter().take(listed).cloned().collect::<Vec<_>>().join("; ")
            ),
        )
        .with_rule("S10")
        .with_label(clause.source, value.source_span(first.clone()), "compared ordinally")
        .with_help("Entra does not document whether ENDS_WITH is ordinal or culture-sensitive (.NET's default); scopesim's ordinal comparison is a decision (S10): with `--directory`, the lint counts the users on whom the two differ"),
    ));
}

/// Candidates on whom ordinal ENDS_WITH and a culture-sensitive EndsWith give different
/// answers.
pub(super) fn check_users(
    ctx: &Ctx<'_>,
    clause: &Clause,
    cid: usize,
    cand: &Bits,
    out: &mut Vec<Finding>,
) {
    let Some(value) = wants(clause) else {
        return;
    };
    let Some(col) = ctx.plan.clauses[cid].column else {
        return;
    };
    let suffix = value.text.as_str();
    let mut values: BTreeMap<String, usize> = BTreeMap::new();
    let (mut only_ordinal, mut only_culture) = (0usize, 0usize);
    for (_, v) in ctx.values.values(col, cand) {
        if culture_differs(v, suffix) {
            if v.ends_with(suffix) {
                only_ordinal += 1;
            } else {
                only_culture += 1;
            }
            *values.entry(v.to_string()).or_default() += 1;
        }
    }
    let users = only_ordinal + only_culture;
    if users == 0 {
        return;
    }
    let text = shown(clause, value);
    let verdict = match (only_ordinal, only_culture) {
        (0, n) => format!(
            "is false for {} for whom a culture-sensitive EndsWith would be true",
            plural(n, "candidate")
        ),
        (n, 0) => format!(
            "is true for {} for whom a culture-sensitive EndsWith would be false",
            plural(n, "candidate")
        ),
        (t, f) => format!(
            "is true for {} and false for {} on whom a culture-sensitive EndsWith would give the other answer",
            plural(t, "candidate"),
            plural(f, "candidate")
        ),
    };
    out.push(
        Finding::new(
            Diagnostic::warning(Code::EndsWithOrdinal, format!("`{text}` {verdict}"))
                .with_rule("S10")
                .with_label(clause.source, value.span, "compared ordinally")
                .with_help("their values hold ignorable characters, combining marks, precomposed letters or `ß`-like letters; Entra does not document whether ENDS_WITH is ordinal or culture-sensitive, and scopesim compares ordinally (S10, a decision): normalise these values in the directory, or check one of these users with provisioning on demand"),
        )
        .affecting(users)
        .with_examples(value_examples(&values)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s10_culture_sensitive_characters_are_found_with_their_kind() {
        let kinds = |s: &str| -> Vec<CultureChar> {
            culture_sensitive_chars(s)
                .into_iter()
                .map(|(_, k)| k)
                .collect()
        };
        assert!(kinds("@contoso.com").is_empty());
        assert_eq!(kinds("Zürich"), vec![CultureChar::Precomposed]);
        assert_eq!(kinds("co\u{AD}op"), vec![CultureChar::Ignorable]);
        assert_eq!(kinds("a\u{200D}b"), vec![CultureChar::Ignorable]);
        assert_eq!(kinds("Straße"), vec![CultureChar::Expansion("ss")]);
        assert_eq!(kinds("cafe\u{301}"), vec![CultureChar::CombiningMark]);
        assert_eq!(kinds("café"), vec![CultureChar::Precomposed]);
        // Hangul syllables decompose, but are left out; other scripts are plain.
        assert!(kinds("서울").is_empty());
        assert!(kinds("Москва").is_empty());
        let ranges: Vec<Range<usize>> = culture_sensitive_chars("x\u{AD}é")
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        assert_eq!(ranges, vec![1..3, 3..5]);
    }

    #[test]
    fn s10_ordinal_and_culture_sensitive_ends_with_differ_on_these_characters() {
        // Ignorable characters: a trailing soft hyphen hides the suffix from ordinal.
        assert!(culture_differs("bob@contoso.com\u{AD}", "@contoso.com"));
        assert!(culture_differs("bob@contoso.com", "@contoso.com\u{200D}"));
        // Combining mark against precomposed letter, either way round.
        assert!(culture_differs("René", "ne\u{301}"));
        assert!(culture_differs("Rene\u{301}", "é"));
        // ß as ss (NLS).
        assert!(culture_differs("Hauptstraße", "strasse"));
        // Plain text, or both sides written alike: no difference.
        assert!(!culture_differs("bob@contoso.com", "@contoso.com"));
        assert!(!culture_differs("bob@fabrikam.com", "@contoso.com"));
        assert!(!culture_differs("René", "né"));
        assert!(!culture_differs("Hauptstraße", "straße"));
        // A soft hyphen inside the value, before the suffix, changes nothing.
        assert!(!culture_differs("bo\u{AD}b@contoso.com", "@contoso.com"));
        // Letter case is not folded by either.
        assert!(!culture_differs("STRAßE", "strasse"));
    }
}
