//! Character classes (.NET's `ScanCharClass`): items, ranges, the rules for `-` and `]`,
//! POSIX-looking brackets, and class subtraction `[base-[excluded]]`.
//!
//! S34: a class is a set of UTF-16 code units. A supplementary character written in a
//! class is its two surrogates, as .NET sees it; surrogate ranges are allowed.

use super::MAX_GROUP_DEPTH;
use super::RegexError;
use super::ast::{Class, ClassItem, PerlKind};
use super::parse::{Opts, Parser};
use super::tables::{dotnet_char, is_word_unit, utf16_units};

impl Parser<'_> {
    /// Parses a class whose `[` is at `open` (the cursor is just after it).
    pub(super) fn parse_class(&mut self, open: usize) -> Result<Class, RegexError> {
        self.parse_class_at_depth(open, 0)
    }

    fn parse_class_at_depth(&mut self, open: usize, depth: usize) -> Result<Class, RegexError> {
        let ci = self.opts.has(Opts::I);
        let mut items = Vec::new();
        let mut sub = None;
        let mut negated = false;
        let mut ch_prev = 0u32;
        let mut range_start = open;
        let mut in_range = false;
        let mut first = true;
        let mut closed = false;
        // The second UTF-16 unit of a supplementary character just read, and where
        // that character starts.
        let mut pending_low: Option<u32> = None;
        let mut low_at = open;

        if self.peek() == Some('^') {
            self.bump();
            negated = true;
        }

        while pending_low.is_some() || !self.at_end() {
            let mut item = self.pos;
            let mut translated = false;
            let mut ch;
            if let Some(low) = pending_low.take() {
                ch = low;
                item = low_at;
            } else {
                let Some(c) = self.bump() else { break };
                ch = u32::from(c);
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
                                let found = self.property_items(&name, e == 'P', item)?;
                                items.extend(found);
                            } else {
                                let kind = match e.to_ascii_lowercase() {
                                    'w' => PerlKind::Word,
                                    's' => PerlKind::Space,
                                    _ => PerlKind::Digit,
                                };
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
                } else if c == '[' && self.peek() == Some(':') && !in_range {
                    self.skip_posix_name(item);
                }
                if let Some(c) = char::from_u32(ch) {
                    if let (high, Some(low)) = utf16_units(c) {
                        ch = high;
                        pending_low = Some(low);
                        low_at = item;
                    }
                }
            }

            // What follows this unit: the low half of the same character, or the text.
            let next_is_text = pending_low.is_none();
            if in_range {
                in_range = false;
                if ch == u32::from('[') && !translated && !first && next_is_text {
                    // `[a-[b]]`: the character before the hyphen, then a subtraction.
                    items.push(ClassItem::Range(ch_prev, ch_prev));
                    sub = Some(self.subtracted(item, depth)?);
                } else {
                    if ch_prev > ch {
                        return Err(self.reversed_range(range_start, ch_prev, ch));
                    }
                    items.push(ClassItem::Range(ch_prev, ch));
                }
            } else if next_is_text
                && self.peek() == Some('-')
                && self.peek_at(1).is_some_and(|n| n != ']')
            {
                ch_prev = ch;
                range_start = item;
                in_range = true;
                self.bump();
            } else if ch == u32::from('-')
                && !translated
                && next_is_text
                && self.peek() == Some('[')
                && !first
            {
                // `[a-z-[aeiou]]`
                let nested = self.pos;
                self.bump();
                sub = Some(self.subtracted(nested, depth)?);
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
        Ok(Class {
            negated,
            items,
            ci,
            sub: sub.map(Box::new),
        })
    }

    /// The class subtracted by `-[...]` whose `[` is at `nested` (the cursor is just
    /// after it). .NET requires it to be the last element of the class.
    fn subtracted(&mut self, nested: usize, depth: usize) -> Result<Class, RegexError> {
        if depth >= MAX_GROUP_DEPTH {
            return Err(RegexError::new(
                nested..nested + 1,
                format!("character classes are nested more than {MAX_GROUP_DEPTH} deep"),
            ));
        }
        let inner = self.parse_class_at_depth(nested, depth + 1)?;
        if !self.at_end() && self.peek() != Some(']') {
            let at = self.pos;
            return Err(RegexError::new(
                nested..self.char_end(at),
                "a subtraction must be the last element in a character class",
            )
            .with_help(format!(
                "move `{}` before the subtracted class",
                self.text(at..self.char_end(at))
            )));
        }
        Ok(inner)
    }

    /// `[:name:]` inside a class: .NET skips it (a placeholder for POSIX classes that
    /// was never implemented), so only its `[` is a member of the class.
    fn skip_posix_name(&mut self, at: usize) {
        let save = self.pos;
        self.bump();
        while self.peek().is_some_and(is_word_unit) {
            self.bump();
        }
        // As current .NET: the `:]` must not be the last two characters of the pattern.
        if self.rest().starts_with(":]") && self.pos + 2 < self.pat.len() {
            self.pos += 2;
            self.note_posix(at..self.pos);
        } else {
            self.pos = save;
        }
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
}
