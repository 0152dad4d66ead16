//! Character classes (.NET's `ScanCharClass`): items, ranges, the rules for `-` and `]`,
//! and class subtraction.

use super::RegexError;
use super::ast::{Class, ClassItem, PerlKind};
use super::parse::{NoteKind, Opts, Parser};
use super::tables::{SURROGATES, dotnet_char};
use std::ops::Range;

impl Parser<'_> {
    pub(super) fn parse_class(&mut self, open: usize) -> Result<Class, RegexError> {
        let ci = self.opts.has(Opts::I);
        let mut items = Vec::new();
        let mut negated = false;
        let mut ch_prev = 0u32;
        let mut range_start = open;
        let mut dash_pos = open;
        let mut in_range = false;
        let mut first = true;
        let mut closed = false;

        if self.peek() == Some('^') {
            self.bump();
            negated = true;
        }

        while !self.at_end() {
            let item = self.pos;
            let mut translated = false;
            let Some(c) = self.bump() else { break };
            let mut ch = u32::from(c);
            if c == ']' {
                if !first {
                    closed = true;
                    break;
                }
            } else if c == '\\' && !self.at_end() {
                let e = self.peek().unwrap_or('\\');
                match e {
                    'd' | 'D' | 's' | 'S' | 'w' | 'W' | 'p' | 'P' => {
                        self.bump();
                        if in_range {
                            return Err(RegexError::new(
                                range_start..self.pos,
                                format!(
                                    "a range cannot end in the class `{}`",
                                    self.text(item..self.pos)
                                ),
                            )
                            .with_help(format!(
                                "escape the hyphen: `{}\\-{}`",
                                dotnet_char(ch_prev),
                                self.text(item..self.pos)
                            )));
                        }
                        if matches!(e, 'p' | 'P') {
                            let name = self.parse_property(item)?;
                            self.check_property(&name, e == 'P', item)?;
                            items.push(ClassItem::Prop(name, e == 'P'));
                        } else {
                            let kind = match e.to_ascii_lowercase() {
                                'w' => PerlKind::Word,
                                's' => PerlKind::Space,
                                _ => PerlKind::Digit,
                            };
                            if kind == PerlKind::Word {
                                self.note_word(item..self.pos);
                            }
                            items.push(ClassItem::Perl(kind, e.is_ascii_uppercase()));
                        }
                        first = false;
                        continue;
                    }
                    '-' => {
                        self.bump();
                        let dash = u32::from('-');
                        if in_range {
                            if ch_prev > dash {
                                return Err(self.reversed_range(range_start, ch_prev, dash));
                            }
                            items.push(ClassItem::Range(ch_prev, dash));
                            in_range = false;
                        } else {
                            items.push(ClassItem::Range(dash, dash));
                        }
                        first = false;
                        continue;
                    }
                    _ => {
                        ch = self.scan_char_escape(item)?;
                        translated = true;
                    }
                }
            } else if c == '[' && self.peek() == Some(':') {
                self.note_posix(item);
            }

            if ch > 0xFFFF {
                return Err(RegexError::new(
                    item..self.pos,
                    format!(
                        "`{}` is outside the basic multilingual plane: in a .NET character class it stands for its two UTF-16 halves",
                        self.text(item..self.pos)
                    ),
                )
                .with_help("use an alternation instead of the class, as in `(?:😀|😁)`"));
            }
            if SURROGATES.contains(&ch) {
                return Err(lone_surrogate(item..self.pos, self.text(item..self.pos)));
            }

            if in_range {
                in_range = false;
                if ch == u32::from('[') && !translated && !first {
                    // `[a-[b]]`: a subtraction after a single character.
                    items.push(ClassItem::Range(ch_prev, ch_prev));
                    return Err(self.subtraction(dash_pos, item, negated, ci, items));
                }
                if ch_prev > ch {
                    return Err(self.reversed_range(range_start, ch_prev, ch));
                }
                if ch_prev < SURROGATES.start && ch >= SURROGATES.end {
                    self.note(
                        NoteKind::SurrogateRange,
                        range_start..self.pos,
                        format!(
                            "`{}` covers the UTF-16 surrogates: .NET matches each half of a character outside the basic multilingual plane (such as an emoji), Rust the whole character, so counts can differ",
                            self.text(range_start..self.pos)
                        ),
                    );
                }
                items.push(ClassItem::Range(ch_prev, ch));
            } else if self.peek() == Some('-') && self.peek_at(1).is_some_and(|n| n != ']') {
                ch_prev = ch;
                range_start = item;
                dash_pos = self.pos;
                in_range = true;
                self.bump();
            } else if ch == u32::from('-') && !translated && self.peek() == Some('[') && !first {
                return Err(self.subtraction(item, self.pos, negated, ci, items));
            } else {
                items.push(ClassItem::Range(ch, ch));
            }
            first = false;
        }

        if !closed {
            return Err(
                RegexError::new(open..self.pat.len(), "unterminated character class")
                    .with_help("close the class with `]`, or escape the `[` as `\\[`"),
            );
        }
        if ci {
            self.note_case_insensitive(open..self.pos);
        }
        Ok(Class { negated, items, ci })
    }

    pub(super) fn reversed_range(&self, start: usize, from: u32, to: u32) -> RegexError {
        RegexError::new(
            start..self.pos,
            format!(
                "character range `{}` is in reverse order",
                self.text(start..self.pos)
            ),
        )
        .with_help(format!(
            "write it as `{}-{}`",
            dotnet_char(to),
            dotnet_char(from)
        ))
    }

    /// Rejects `-[...]` (character-class subtraction) starting at `dash`; `nested`
    /// is the offset of the `[` of the subtracted class.
    pub(super) fn subtraction(
        &mut self,
        dash: usize,
        nested: usize,
        negated: bool,
        ci: bool,
        outer: Vec<ClassItem>,
    ) -> RegexError {
        self.pos = nested + 1;
        let inner = match self.parse_class(nested) {
            Ok(inner) => inner,
            Err(err) => return err,
        };
        let span = dash..self.pos;
        let err = RegexError::new(
            span.clone(),
            format!(
                "character class subtraction `{}` is not supported",
                self.text(span)
            ),
        );
        match subtract(&outer, &inner).filter(|_| !negated && !ci && !inner.ci) {
            Some(ranges) if !ranges.is_empty() => {
                let mut class = String::from("[");
                for (a, b) in ranges {
                    class.push_str(&dotnet_char(a));
                    if b > a {
                        if b > a + 1 {
                            class.push('-');
                        }
                        class.push_str(&dotnet_char(b));
                    }
                }
                class.push(']');
                err.with_help(format!("list the remaining characters instead: `{class}`"))
            }
            _ => err.with_help(
                "list the remaining characters explicitly, or test the excluded ones with a negative lookahead such as `(?![aeiou])[a-z]`",
            ),
        }
    }
}

/// Ranges left after removing `inner` from `outer`, when both are plain lists of
/// characters and ranges.
pub(super) fn subtract(outer: &[ClassItem], inner: &Class) -> Option<Vec<(u32, u32)>> {
    let plain = |items: &[ClassItem]| -> Option<Vec<(u32, u32)>> {
        items
            .iter()
            .map(|item| match item {
                ClassItem::Range(a, b) => Some((*a, *b)),
                _ => None,
            })
            .collect()
    };
    let mut keep = normalize(plain(outer)?);
    let mut remove = normalize(plain(&inner.items)?);
    if inner.negated {
        remove = complement(&remove);
    }
    for (ra, rb) in remove {
        keep = keep
            .into_iter()
            .flat_map(|(a, b)| {
                let mut parts = Vec::new();
                if rb < a || ra > b {
                    parts.push((a, b));
                } else {
                    if ra > a {
                        parts.push((a, ra - 1));
                    }
                    if rb < b {
                        parts.push((rb + 1, b));
                    }
                }
                parts
            })
            .collect();
    }
    Some(keep)
}

pub(super) fn normalize(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    ranges.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::new();
    for (a, b) in ranges {
        match out.last_mut() {
            Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

pub(super) fn complement(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut next = 0u32;
    for &(a, b) in ranges {
        if a > next {
            out.push((next, a - 1));
        }
        next = b + 1;
    }
    if next <= 0xFFFF {
        out.push((next, 0xFFFF));
    }
    out
}

pub(super) fn lone_surrogate(span: Range<usize>, text: &str) -> RegexError {
    RegexError::new(
        span,
        format!("`{text}` is a lone UTF-16 surrogate, which the Rust engines cannot match"),
    )
    .with_help("write the whole character instead, or a surrogate pair such as `\\uD83D\\uDE00` outside a class")
}
