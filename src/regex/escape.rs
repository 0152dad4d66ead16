//! Escapes (.NET's `ScanBackslash`, `ScanBasicBackslash`, `ScanCharEscape`): assertions,
//! `\d \w \s`, `\p{..}`, backreferences and the octal/backreference decision, and
//! character escapes down to one UTF-16 code unit.

use super::RegexError;
use super::ast::{AssertKind, Class, ClassItem, Node, PerlKind};
use super::parse::{Opts, Parser};
use super::tables::{BLOCKS, CATEGORIES, is_word_unit, unit_char, utf16_units};

impl Parser<'_> {
    pub(super) fn parse_backslash(&mut self, esc: usize) -> Result<Node, RegexError> {
        let Some(c) = self.peek() else {
            return Err(RegexError::new(
                esc..self.pos,
                "pattern ends with a lone backslash",
            ));
        };
        let assert = match c {
            'b' => Some(AssertKind::WordBoundary),
            'B' => Some(AssertKind::NotWordBoundary),
            'A' => Some(AssertKind::Begin),
            'Z' => Some(AssertKind::EndZ),
            'z' => Some(AssertKind::End),
            _ => None,
        };
        if let Some(kind) = assert {
            self.bump();
            return Ok(Node::Assert {
                kind,
                span: esc..self.pos,
            });
        }
        match c {
            'G' => {
                // `\G` is where the scan started, and `IsMatch` scans from the start of
                // the value: `\A`, wherever it stands (also in .NET's bump-along).
                self.bump();
                Ok(Node::Assert {
                    kind: AssertKind::Begin,
                    span: esc..self.pos,
                })
            }
            'w' | 'W' | 's' | 'S' | 'd' | 'D' => {
                self.bump();
                let kind = match c.to_ascii_lowercase() {
                    'w' => PerlKind::Word,
                    's' => PerlKind::Space,
                    _ => PerlKind::Digit,
                };
                Ok(Node::Perl {
                    kind,
                    negated: c.is_ascii_uppercase(),
                    span: esc..self.pos,
                })
            }
            'p' | 'P' => {
                self.bump();
                let name = self.parse_property(esc)?;
                let items = self.property_items(&name, c == 'P', esc)?;
                let ci = self.opts.has(Opts::I);
                if ci && matches!(items.first(), Some(ClassItem::Range(..))) {
                    self.note_case_insensitive(esc..self.pos);
                }
                Ok(Node::Class {
                    class: Class {
                        negated: false,
                        items,
                        ci,
                        sub: None,
                    },
                    span: esc..self.pos,
                })
            }
            _ => self.parse_basic_backslash(esc),
        }
    }

    pub(super) fn backref(&mut self, slot: u32, esc: usize) -> Node {
        if self.opts.has(Opts::I) {
            self.note_case_insensitive(esc..self.pos);
        }
        Node::Backref {
            slot,
            ci: self.opts.has(Opts::I),
            span: esc..self.pos,
        }
    }

    pub(super) fn parse_basic_backslash(&mut self, esc: usize) -> Result<Node, RegexError> {
        let backpos = self.pos;
        let mut close = '\0';
        let mut angled = false;
        let mut c = self.peek();

        if c == Some('k') {
            if self.peek_at(1).is_some() {
                self.bump();
                if let Some(open @ ('<' | '\'')) = self.bump() {
                    angled = true;
                    close = if open == '<' { '>' } else { '\'' };
                }
            }
            if !angled || self.at_end() {
                return Err(RegexError::new(
                    esc..self.pos.max(backpos + 1),
                    "malformed named backreference `\\k`",
                )
                .with_help("write `\\k<name>` or `\\k'name'`"));
            }
            c = self.peek();
        } else if matches!(c, Some('<' | '\'')) && self.peek_at(1).is_some() {
            angled = true;
            close = if c == Some('<') { '>' } else { '\'' };
            self.bump();
            c = self.peek();
        }

        match c {
            Some(d) if angled && d.is_ascii_digit() => {
                let n = self.scan_decimal()?;
                if self.bump() == Some(close) {
                    if self.is_capture_slot(n) {
                        return Ok(self.backref(n, esc));
                    }
                    return Err(RegexError::new(
                        esc..self.pos,
                        format!("reference to undefined group number `{n}`"),
                    ));
                }
            }
            Some(d) if !angled && ('1'..='9').contains(&d) => {
                let n = self.scan_decimal()?;
                if self.is_capture_slot(n) {
                    return Ok(self.backref(n, esc));
                }
                if n <= 9 {
                    return Err(RegexError::new(
                        esc..self.pos,
                        format!("reference to undefined group number `{n}`"),
                    )
                    .with_help(format!(
                        "there is no group {n}; to match the character with code {n}, write `\\x{n:02X}`"
                    )));
                }
            }
            Some(d) if angled && is_word_unit(d) => {
                let name = self.scan_capname();
                if self.bump() == Some(close) {
                    if let Some(slot) = self.capture_name_slot(name) {
                        return Ok(self.backref(slot, esc));
                    }
                    return Err(RegexError::new(
                        esc..self.pos,
                        format!("reference to undefined group name `{name}`"),
                    ));
                }
            }
            _ => {}
        }

        self.pos = backpos;
        let unit = self.scan_char_escape(esc)?;
        Ok(self.literal_units(unit, esc))
    }

    /// S34: the literal for one escaped character: one UTF-16 unit (a lone surrogate
    /// such as `\uD83D` included, as its stand-in), or, for an escaped supplementary
    /// character such as `\😀`, a concatenation of its two units, which the caller
    /// splits so that a quantifier applies to the second only.
    fn literal_units(&mut self, unit: u32, esc: usize) -> Node {
        let ci = self.opts.has(Opts::I);
        let span = esc..self.pos;
        let lit = |u: u32| Node::Lit {
            c: unit_char(u),
            ci,
            span: span.clone(),
        };
        match char::from_u32(unit).map(utf16_units) {
            Some((first, Some(second))) => Node::Concat(vec![lit(first), lit(second)]),
            _ => lit(unit),
        }
    }

    /// .NET's `ScanCharEscape`; returns a UTF-16 code unit, or a supplementary
    /// character escaped as itself.
    pub(super) fn scan_char_escape(&mut self, esc: usize) -> Result<u32, RegexError> {
        let Some(c) = self.bump() else {
            return Err(RegexError::new(
                esc..self.pos,
                "pattern ends with a lone backslash",
            ));
        };
        Ok(match c {
            '0'..='7' => {
                self.pos -= 1;
                let mut value = 0u32;
                for _ in 0..3 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            self.bump();
                            value = value * 8 + d;
                        }
                        None => break,
                    }
                }
                value & 0xFF
            }
            'x' => self.scan_hex(2, esc)?,
            'u' => self.scan_hex(4, esc)?,
            'a' => 0x07,
            'b' => 0x08,
            'e' => 0x1B,
            'f' => 0x0C,
            'n' => 0x0A,
            'r' => 0x0D,
            't' => 0x09,
            'v' => 0x0B,
            'c' => {
                let Some(control) = self.bump() else {
                    return Err(RegexError::new(
                        esc..self.pos,
                        "missing control character after `\\c`",
                    )
                    .with_help("write a letter after `\\c`, as in `\\cM` for a carriage return"));
                };
                let upper = control.to_ascii_uppercase();
                match u32::from(upper).checked_sub(u32::from('@')) {
                    Some(value) if value < 0x20 => value,
                    _ => {
                        return Err(RegexError::new(
                            esc..self.pos,
                            format!("unrecognized control character `\\c{control}`"),
                        )
                        .with_help("`\\c` takes a letter or one of `@ [ \\ ] ^ _`"));
                    }
                }
            }
            _ if is_word_unit(c) => {
                return Err(
                    RegexError::new(esc..self.pos, format!("unrecognized escape `\\{c}`"))
                        .with_help(format!(
                            "write `{c}` without the backslash to match it literally"
                        )),
                );
            }
            _ => u32::from(c),
        })
    }

    pub(super) fn scan_hex(&mut self, digits: usize, esc: usize) -> Result<u32, RegexError> {
        let mut value = 0u32;
        for _ in 0..digits {
            match self.peek().and_then(|c| c.to_digit(16)) {
                Some(d) => {
                    self.bump();
                    value = value * 16 + d;
                }
                None => {
                    let letter = if digits == 2 { 'x' } else { 'u' };
                    let end = if self.at_end() {
                        self.pos
                    } else {
                        self.char_end(self.pos)
                    };
                    return Err(RegexError::new(
                        esc..end,
                        format!("`\\{letter}` needs exactly {digits} hex digits"),
                    )
                    .with_help(if digits == 2 {
                        "write two hex digits, as in `\\x41`; use `\\u0141` for larger code points"
                    } else {
                        "write four hex digits, as in `\\u00E9`"
                    }));
                }
            }
        }
        Ok(value)
    }

    /// .NET's `ParseProperty`: the name inside `\p{...}`.
    pub(super) fn parse_property(&mut self, esc: usize) -> Result<String, RegexError> {
        let incomplete = |p: &Self| {
            RegexError::new(esc..p.pos.max(esc + 2), "incomplete `\\p{...}` escape")
                .with_help("write a category in braces, as in `\\p{Lu}`")
        };
        if self.rest().chars().take(3).count() < 3 {
            self.pos = self.pat.len();
            return Err(incomplete(self));
        }
        if self.bump() != Some('{') {
            return Err(RegexError::new(
                esc..self.pos,
                format!("malformed `{}` escape", self.text(esc..self.pos)),
            )
            .with_help("the category goes in braces, as in `\\p{L}`"));
        }
        let start = self.pos;
        while self.peek().is_some_and(|c| is_word_unit(c) || c == '-') {
            self.bump();
        }
        let name = self.text(start..self.pos).to_owned();
        if self.bump() != Some('}') {
            return Err(incomplete(self));
        }
        Ok(name)
    }

    /// The class items `\p{name}` (or `\P{name}` when `negated`) stands for: a general
    /// category, or a named block as UTF-16 ranges from .NET's block table.
    pub(super) fn property_items(
        &mut self,
        name: &str,
        negated: bool,
        esc: usize,
    ) -> Result<Vec<ClassItem>, RegexError> {
        let span = esc..self.pos;
        let text = self.text(span.clone());
        if CATEGORIES.contains(&name) {
            return Ok(vec![ClassItem::Prop(name.to_owned(), negated)]);
        }
        if let Some(&(_, first, end)) = BLOCKS.iter().find(|(block, _, _)| *block == name) {
            let last = end - 1;
            return Ok(if !negated {
                vec![ClassItem::Range(first, last)]
            } else {
                let mut items = Vec::new();
                if first > 0 {
                    items.push(ClassItem::Range(0, first - 1));
                }
                if last < 0xFFFF {
                    items.push(ClassItem::Range(last + 1, 0xFFFF));
                }
                items
            });
        }
        if name.starts_with("_xml") {
            return Err(RegexError::not_simulated(
                span,
                format!("internal .NET class `{text}` cannot be simulated: scopesim does not carry .NET's XML name-character tables"),
            )
            .with_help("these undocumented classes are meant for .NET's XML schema validation; write the characters as ranges"));
        }
        Err(
            RegexError::new(span, format!("unknown unicode category `{name}`")).with_help(
                "use a general category such as `L`, `Lu`, `Ll`, `Nd`, `P` or `Zs`, or a block such as `IsGreek` \
                 (names are case-sensitive; .NET has no scripts such as `Greek`)",
            ),
        )
    }
}
