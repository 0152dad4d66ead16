//! .NET `Regex.Replace` and group extraction, for the attribute-mapping function `Replace`.
//!
//! A scoping filter only asks whether a pattern matches (`IsMatch`), so the translator
//! normally emits every group as non-capturing. `Replace` needs the groups: its
//! replacement text names them (`${phoneNumber}`), and two of its modes replace or extract
//! one named group. This module compiles a pattern with every .NET group kept as a Rust
//! capture group, remembers which .NET group number each one is, and reproduces what
//! .NET does around the engine:
//!
//! * the replacement syntax of `RegexParser.ScanDollar`: `$$`, `$&`, `` $` ``, `$'`, `$+`,
//!   `$_`, `$n` and `${n}` (the whole decimal number must be a group, or the `$` is
//!   literal), `${name}` (a defined name, or the `$` is literal);
//! * the match iteration of `Regex.Replace`: after an empty match the next search starts
//!   one character later, and an empty match right after a non-empty one is still a
//!   match (`Regex.Replace("aab", "a*", "-")` is `--b-`; Rust's iterator would skip it);
//! * a group's value is its last capture, and a group that did not take part is `""`.
//!
//! `$` without `RegexOptions.Multiline` is emitted as a look-ahead here, never as the
//! consuming `\n?\z` the match-only translation may use, because the matched text matters.
//! One difference remains (S34): after an empty match .NET moves one UTF-16 unit, so
//! between the two halves of a character outside the basic multilingual plane it can
//! find one more empty match; Rust moves one whole character.

use super::{
    Anchoring, BACKTRACK_LIMIT, DFA_SIZE_LIMIT, Engine, GroupLayout, MatchAborted, RUST_NEST_LIMIT,
    RegexError, SIZE_LIMIT, backtracking_error, linear_error, translate_groups,
};
use std::collections::HashMap;
use std::ops::Range;

/// A .NET pattern compiled with its groups, for replacing and extracting.
#[derive(Debug, Clone)]
pub struct CapturingRegex {
    pattern: String,
    compiled: Compiled,
    layout: GroupLayout,
    /// Every .NET group number the pattern defines (0 included), sorted.
    numbers: Vec<u32>,
}

#[derive(Debug, Clone)]
enum Compiled {
    Linear(regex::Regex),
    Backtracking(fancy_regex::Regex),
}

/// One match: its range in the haystack and the last capture of each .NET group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Byte range of the whole match.
    pub range: Range<usize>,
    /// .NET group number -> byte range of its last capture (groups that took part).
    pub groups: HashMap<u32, Range<usize>>,
}

impl CapturingRegex {
    /// Translates and compiles a .NET pattern, keeping every group.
    pub fn new(pattern: &str) -> Result<CapturingRegex, RegexError> {
        let (translation, map, layout) = translate_groups(pattern, Anchoring::Partial, true)?;
        let compiled = match translation.engine {
            Engine::Linear => regex::RegexBuilder::new(&translation.rust_pattern)
                .size_limit(SIZE_LIMIT)
                .dfa_size_limit(DFA_SIZE_LIMIT)
                .nest_limit(RUST_NEST_LIMIT)
                .build()
                .map(Compiled::Linear)
                .map_err(|e| linear_error(&e, &map, pattern.len()))?,
            Engine::Backtracking => fancy_regex::RegexBuilder::new(&translation.rust_pattern)
                .backtrack_limit(BACKTRACK_LIMIT)
                .delegate_size_limit(SIZE_LIMIT)
                .delegate_dfa_size_limit(DFA_SIZE_LIMIT)
                .build()
                .map(Compiled::Backtracking)
                .map_err(|e| backtracking_error(&e, &map, pattern.len()))?,
        };
        let mut numbers: Vec<u32> = layout.slots.clone();
        numbers.push(0);
        numbers.extend(layout.names.values().copied());
        numbers.sort_unstable();
        numbers.dedup();
        Ok(CapturingRegex {
            pattern: pattern.to_owned(),
            compiled,
            layout,
            numbers,
        })
    }

    /// The original .NET pattern.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The .NET group number of a group name, or of a decimal number naming a group
    /// (`Groups["2"]`); `None` when the pattern has no such group.
    pub fn group_number(&self, name: &str) -> Option<u32> {
        if let Some(n) = self.layout.names.get(name) {
            return Some(*n);
        }
        let n: u32 = name.parse().ok()?;
        self.numbers.binary_search(&n).ok().map(|_| n)
    }

    /// Every match, found the way .NET's `Regex.Replace` and `Matches` walk the text.
    pub fn matches(&self, haystack: &str) -> Result<Vec<Match>, MatchAborted> {
        let mut out = Vec::new();
        let mut at = 0;
        while at <= haystack.len() {
            let Some(m) = self.captures_at(haystack, at)? else {
                break;
            };
            let range = m.range.clone();
            out.push(m);
            at = if range.is_empty() {
                match haystack[range.end..].chars().next() {
                    Some(c) => range.end + c.len_utf8(),
                    None => break,
                }
            } else {
                range.end
            };
        }
        Ok(out)
    }

    /// The first match at or after byte `start`.
    fn captures_at(&self, haystack: &str, start: usize) -> Result<Option<Match>, MatchAborted> {
        let mut ranges: Vec<Option<Range<usize>>> = Vec::new();
        match &self.compiled {
            Compiled::Linear(re) => {
                let Some(c) = re.captures_at(haystack, start) else {
                    return Ok(None);
                };
                for i in 0..c.len() {
                    ranges.push(c.get(i).map(|m| m.range()));
                }
            }
            Compiled::Backtracking(re) => {
                let Some(c) = re
                    .captures_from_pos(haystack, start)
                    .map_err(|_| MatchAborted)?
                else {
                    return Ok(None);
                };
                for i in 0..c.len() {
                    ranges.push(c.get(i).map(|m| m.range()));
                }
            }
        }
        let Some(Some(whole)) = ranges.first().cloned() else {
            return Ok(None);
        };
        let mut groups: HashMap<u32, Range<usize>> = HashMap::new();
        groups.insert(0, whole.clone());
        for (i, slot) in self.layout.slots.iter().enumerate() {
            if let Some(Some(r)) = ranges.get(i + 1) {
                // Two groups with one name share a .NET slot: keep the later capture.
                let later = groups.get(slot).is_none_or(|old| r.start >= old.start);
                if later {
                    groups.insert(*slot, r.clone());
                }
            }
        }
        Ok(Some(Match {
            range: whole,
            groups,
        }))
    }

    /// .NET `Regex.Replace(haystack, pattern, replacement)`.
    pub fn replace(
        &self,
        haystack: &str,
        replacement: &Replacement,
    ) -> Result<String, MatchAborted> {
        let matches = self.matches(haystack)?;
        let mut out = String::with_capacity(haystack.len());
        let mut last = 0;
        for m in &matches {
            out.push_str(&haystack[last..m.range.start]);
            replacement.expand(haystack, m, self.last_group(), &mut out);
            last = m.range.end;
        }
        out.push_str(&haystack[last..]);
        Ok(out)
    }

    /// The highest group number (what `$+` reads).
    fn last_group(&self) -> u32 {
        self.numbers.last().copied().unwrap_or(0)
    }
}

/// A parsed .NET replacement pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Group(u32),
    Before,
    After,
    LastGroup,
    Input,
}

impl Replacement {
    /// Parses `text` against the groups of `re` (a `$` that names no group is literal).
    pub fn parse(text: &str, re: &CapturingRegex) -> Replacement {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = text;
        while let Some(p) = rest.find('$') {
            lit.push_str(&rest[..p]);
            let after = &rest[p + 1..];
            match scan_dollar(after, re) {
                Some((part, used)) => {
                    if let Part::Text(t) = &part {
                        lit.push_str(t);
                    } else {
                        if !lit.is_empty() {
                            parts.push(Part::Text(std::mem::take(&mut lit)));
                        }
                        parts.push(part);
                    }
                    rest = &after[used..];
                }
                None => {
                    lit.push('$');
                    rest = after;
                }
            }
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            parts.push(Part::Text(lit));
        }
        Replacement { parts }
    }

    /// A replacement that is only text (no substitutions).
    pub fn literal(text: &str) -> Replacement {
        Replacement {
            parts: vec![Part::Text(text.to_owned())],
        }
    }

    fn expand(&self, haystack: &str, m: &Match, last_group: u32, out: &mut String) {
        let group = |n: u32| m.groups.get(&n).map_or("", |r| &haystack[r.clone()]);
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Group(n) => out.push_str(group(*n)),
                Part::Before => out.push_str(&haystack[..m.range.start]),
                Part::After => out.push_str(&haystack[m.range.end..]),
                Part::LastGroup => out.push_str(group(last_group)),
                Part::Input => out.push_str(haystack),
            }
        }
    }
}

/// What follows a `$` (`text` starts after it): the part and the bytes it used, or
/// `None` when the `$` is literal.
fn scan_dollar(text: &str, re: &CapturingRegex) -> Option<(Part, usize)> {
    let bytes = text.as_bytes();
    match bytes.first()? {
        b'$' => Some((Part::Text("$".into()), 1)),
        b'&' => Some((Part::Group(0), 1)),
        b'`' => Some((Part::Before, 1)),
        b'\'' => Some((Part::After, 1)),
        b'+' => Some((Part::LastGroup, 1)),
        b'_' => Some((Part::Input, 1)),
        b'0'..=b'9' => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            let n: u32 = text[..digits].parse().ok()?;
            re.numbers
                .binary_search(&n)
                .ok()
                .map(|_| (Part::Group(n), digits))
        }
        b'{' => {
            let close = text.find('}')?;
            let name = &text[1..close];
            if name.is_empty() {
                return None;
            }
            let n = if name.bytes().all(|b| b.is_ascii_digit()) {
                let n: u32 = name.parse().ok()?;
                re.numbers.binary_search(&n).ok().map(|_| n)?
            } else {
                *re.layout.names.get(name)?
            };
            Some((Part::Group(n), close + 1))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace(pattern: &str, input: &str, replacement: &str) -> String {
        let re = CapturingRegex::new(pattern).unwrap();
        let r = Replacement::parse(replacement, &re);
        re.replace(input, &r).unwrap()
    }

    #[test]
    fn named_groups_substitute_by_name_and_number() {
        // Microsoft's example: `\+(?<isdCode>\d* )(?<phoneNumber>\d{10})` on "+91 9998887777".
        let p = r"\+(?<isdCode>\d* )(?<phoneNumber>\d{10})";
        assert_eq!(replace(p, "+91 9998887777", "${phoneNumber}"), "9998887777");
        // Named groups are numbered after the unnamed ones (.NET): here 1 and 2.
        assert_eq!(replace(p, "+91 9998887777", "$2/$1"), "9998887777/91 ");
    }

    #[test]
    fn unknown_substitutions_stay_literal() {
        assert_eq!(replace("(a)", "a", "$2"), "$2");
        assert_eq!(replace("(a)", "a", "$12"), "$12");
        assert_eq!(replace("(a)", "a", "${x}"), "${x}");
        assert_eq!(replace("(a)", "a", "$$1"), "$1");
        assert_eq!(replace("(a)", "a", "[$&]"), "[a]");
        assert_eq!(replace("b", "abc", "[$`|$']"), "a[a|c]c");
        assert_eq!(replace("b", "abc", "$_"), "aabcc");
        assert_eq!(replace("(x)?(b)", "abc", "$+"), "abc");
    }

    #[test]
    fn empty_matches_follow_dotnet_iteration() {
        assert_eq!(replace("x*", "abc", "-"), "-a-b-c-");
        // .NET: "--b-"; Rust's own iterator would give "-b-".
        assert_eq!(replace("a*", "aab", "-"), "--b-");
        assert_eq!(replace("[a-zA-Z_]*", "john_doe72", ""), "72");
    }

    #[test]
    fn dollar_does_not_consume_the_final_newline() {
        assert_eq!(replace("a$", "xa\n", "b"), "xb\n");
        assert_eq!(replace("a$", "xa", "b"), "xb");
    }

    #[test]
    fn group_numbers_by_name_or_digits() {
        let re = CapturingRegex::new(r"(?<streetNumber>^\d*)(x)?").unwrap();
        assert_eq!(re.group_number("streetNumber"), Some(2));
        assert_eq!(re.group_number("1"), Some(1));
        assert_eq!(re.group_number("nope"), None);
        let m = re.matches("545 Tremont Street").unwrap();
        assert_eq!(m[0].groups.get(&2), Some(&(0..3)));
    }
}
