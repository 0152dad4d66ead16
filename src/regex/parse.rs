//! The parser: .NET's `RegexParser` rule by rule (its scan loop, group openings,
//! options and quantifiers), producing an [`ast::Node`](super::ast::Node) tree. Escapes,
//! character classes and notes are further `impl Parser` blocks in their own files.

use super::ast::{AssertKind, CondTest, GroupKind, Node};
use super::tables::{
    is_quantifier_char, is_special, is_special_or_space, is_word_unit, is_x_space, unit_char,
    utf16_units,
};
use super::{MAX_GROUP_DEPTH, Note, RegexError};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Opts(u8);

impl Opts {
    pub(super) const I: u8 = 1;
    pub(super) const M: u8 = 2;
    pub(super) const N: u8 = 4;
    pub(super) const S: u8 = 8;
    pub(super) const X: u8 = 16;

    pub(super) fn has(self, flag: u8) -> bool {
        self.0 & flag != 0
    }

    pub(super) fn set(&mut self, flag: u8, on: bool) {
        if on {
            self.0 |= flag;
        } else {
            self.0 &= !flag;
        }
    }
}

/// A capture group as .NET's pre-scan sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Decl {
    Unnamed,
    Numbered(u32),
    Named(String),
}

/// Capture slots after .NET's numbering: unnamed groups first, names after them.
#[derive(Debug, Default)]
pub(super) struct CapInfo {
    pub(super) slots: HashSet<u32>,
    pub(super) names: HashMap<String, u32>,
}

impl CapInfo {
    pub(super) fn from_decls(decls: &[Decl]) -> CapInfo {
        let mut slots = HashSet::from([0]);
        let mut autocap: u32 = 1;
        let mut names: Vec<&str> = Vec::new();
        for decl in decls {
            match decl {
                Decl::Unnamed => {
                    slots.insert(autocap);
                    autocap = autocap.saturating_add(1);
                }
                Decl::Numbered(n) => {
                    slots.insert(*n);
                }
                Decl::Named(name) => {
                    if !names.contains(&name.as_str()) {
                        names.push(name);
                    }
                }
            }
        }
        let mut by_name = HashMap::new();
        for name in names {
            while slots.contains(&autocap) {
                autocap = autocap.saturating_add(1);
            }
            by_name.insert(name.to_owned(), autocap);
            slots.insert(autocap);
            autocap = autocap.saturating_add(1);
        }
        CapInfo {
            slots,
            names: by_name,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum NoteKind {
    CaseInsensitive,
    PosixBracket,
}

/// What an open parenthesis started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FrameKind {
    Group(GroupKind),
    /// `(?(1)` or `(?(name)`: a conditional on a group's slot.
    CondRef(u32),
    /// `(?(`: a conditional on an expression; its first group is the condition.
    CondExpr,
}

pub(super) struct Frame {
    pub(super) kind: FrameKind,
    pub(super) open: Range<usize>,
    pub(super) saved: Opts,
    pub(super) branches: Vec<Node>,
    pub(super) concat: Vec<Node>,
    /// The condition of a [`FrameKind::CondExpr`], once its group has closed.
    pub(super) cond: Option<Node>,
}

impl Frame {
    fn new(kind: FrameKind, open: Range<usize>, saved: Opts) -> Frame {
        Frame {
            kind,
            open,
            saved,
            branches: Vec::new(),
            concat: Vec::new(),
            cond: None,
        }
    }

    /// True when a group closing now is this conditional's condition (.NET's
    /// `PopGroup`: "the first () inside a Testgroup group goes directly to the group").
    fn wants_condition(&self) -> bool {
        self.kind == FrameKind::CondExpr && self.cond.is_none()
    }

    pub(super) fn finish(self, close_end: usize, pat: &str) -> Result<Node, RegexError> {
        let span = self.open.start..close_end;
        let test = match self.kind {
            FrameKind::Group(kind) => {
                return Ok(Node::Group {
                    kind,
                    child: Box::new(body_of(self.branches, self.concat)),
                    span,
                });
            }
            FrameKind::CondRef(slot) => CondTest::Group(slot),
            FrameKind::CondExpr => match self.cond {
                Some(cond) => CondTest::Look(Box::new(cond)),
                None => {
                    return Err(
                        RegexError::new(span, "illegal conditional `(?(...))` expression")
                            .with_help("write the condition as a group, as in `(?(?=x)yes|no)`"),
                    );
                }
            },
        };
        let mut branches = self.branches;
        branches.push(concat_of(self.concat));
        if branches.len() > 2 {
            let text = pat.get(span.clone()).unwrap_or("");
            return Err(RegexError::new(
                span,
                format!("too many `|` in the conditional `{text}`"),
            )
            .with_help("a conditional has one `yes` and one `no` branch: group further alternatives, as in `(?(1)a|(?:b|c))`"));
        }
        let mut branches = branches.into_iter();
        let yes = branches.next().unwrap_or(Node::Empty);
        let no = branches.next().unwrap_or(Node::Empty);
        Ok(Node::Cond {
            test,
            yes: Box::new(yes),
            no: Box::new(no),
            span,
        })
    }
}

pub(super) fn body_of(mut branches: Vec<Node>, concat: Vec<Node>) -> Node {
    if branches.is_empty() {
        concat_of(concat)
    } else {
        branches.push(concat_of(concat));
        Node::Alt(branches)
    }
}

pub(super) fn concat_of(mut nodes: Vec<Node>) -> Node {
    match nodes.len() {
        0 => Node::Empty,
        1 => nodes.pop().unwrap_or(Node::Empty),
        _ => Node::Concat(nodes),
    }
}

/// What [`Parser::parse_group_kind`] found after `(`.
enum GroupOpen {
    Group(GroupKind),
    Cond(FrameKind),
    /// `(?imnsx-imnsx)`: options change, no group opens.
    Options,
}

pub(super) enum Token {
    End,
    Ordinary,
    Special(char),
}

pub(super) struct Parser<'p> {
    pub(super) pat: &'p str,
    pub(super) pos: usize,
    pub(super) opts: Opts,
    /// `None` during the first pass, which only collects capture groups.
    pub(super) caps: Option<CapInfo>,
    pub(super) autocap: u32,
    pub(super) decls: Vec<Decl>,
    pub(super) notes: Vec<Note>,
    pub(super) noted: HashSet<NoteKind>,
    /// .NET's `_ignoreNextParen`: the `(` of a conditional's condition does not capture.
    pub(super) ignore_next_paren: bool,
}

impl<'p> Parser<'p> {
    pub(super) fn new(pat: &'p str, caps: Option<CapInfo>) -> Self {
        Parser {
            pat,
            pos: 0,
            opts: Opts::default(),
            caps,
            autocap: 1,
            decls: Vec::new(),
            notes: Vec::new(),
            noted: HashSet::new(),
            ignore_next_paren: false,
        }
    }

    // -- cursor ------------------------------------------------------------

    pub(super) fn peek(&self) -> Option<char> {
        self.pat
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
    }

    pub(super) fn peek_at(&self, n: usize) -> Option<char> {
        self.pat
            .get(self.pos..)
            .and_then(|rest| rest.chars().nth(n))
    }

    pub(super) fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.pat.len()
    }

    pub(super) fn rest(&self) -> &'p str {
        self.pat.get(self.pos..).unwrap_or("")
    }

    /// Byte offset just after the character at `at`.
    pub(super) fn char_end(&self, at: usize) -> usize {
        self.pat
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .map_or(at, |c| at + c.len_utf8())
    }

    pub(super) fn text(&self, span: Range<usize>) -> &'p str {
        self.pat.get(span).unwrap_or("")
    }

    pub(super) fn note(&mut self, kind: NoteKind, span: Range<usize>, message: String) {
        if self.noted.insert(kind) {
            self.notes.push(Note { span, message });
        }
    }

    // -- capture lookups (everything exists during the first pass) ----------

    pub(super) fn is_capture_slot(&self, n: u32) -> bool {
        self.caps
            .as_ref()
            .is_none_or(|caps| caps.slots.contains(&n))
    }

    pub(super) fn capture_name_slot(&self, name: &str) -> Option<u32> {
        match &self.caps {
            None => Some(0),
            Some(caps) => caps.names.get(name).copied(),
        }
    }

    // -- small scanners ----------------------------------------------------

    /// .NET's `ScanBlank`: `(?#...)` comments, and white space and `#` comments
    /// under `x`.
    pub(super) fn skip_blank(&mut self) -> Result<(), RegexError> {
        loop {
            if self.opts.has(Opts::X) {
                while self.peek().is_some_and(is_x_space) {
                    self.bump();
                }
            }
            if self.opts.has(Opts::X) && self.peek() == Some('#') {
                self.pos = self
                    .rest()
                    .find('\n')
                    .map_or(self.pat.len(), |i| self.pos + i);
            } else if self.rest().starts_with("(?#") {
                match self.rest().find(')') {
                    Some(i) => self.pos += i + 1,
                    None => {
                        return Err(RegexError::new(
                            self.pos..self.pat.len(),
                            "unterminated `(?#` comment",
                        )
                        .with_help("close the comment with `)`"));
                    }
                }
            } else {
                return Ok(());
            }
        }
    }

    /// .NET's `IsTrueQuantifier`: `*`, `+`, `?`, `{n}`, `{n,}` or `{n,m}` here.
    pub(super) fn is_true_quantifier(&self) -> bool {
        let b = self.rest().as_bytes();
        match b.first() {
            None => false,
            Some(b'{') => {
                let mut i = 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                if i == b.len() || i == 1 {
                    return false;
                }
                if b[i] == b'}' {
                    return true;
                }
                if b[i] != b',' {
                    return false;
                }
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                i < b.len() && b[i] == b'}'
            }
            Some(&c) => matches!(c, b'*' | b'+' | b'?'),
        }
    }

    /// .NET's `ScanDecimal`: digits up to `i32::MAX`.
    pub(super) fn scan_decimal(&mut self) -> Result<u32, RegexError> {
        let start = self.pos;
        let mut value: u32 = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            self.bump();
            value = match value.checked_mul(10).and_then(|v| v.checked_add(d)) {
                Some(v) if v <= i32::MAX as u32 => v,
                _ => {
                    while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                        self.bump();
                    }
                    return Err(RegexError::new(
                        start..self.pos,
                        format!(
                            "number `{}` is too large: the limit is {}",
                            self.text(start..self.pos),
                            i32::MAX
                        ),
                    ));
                }
            };
        }
        Ok(value)
    }

    pub(super) fn scan_capname(&mut self) -> &'p str {
        let start = self.pos;
        while self.peek().is_some_and(is_word_unit) {
            self.bump();
        }
        self.text(start..self.pos)
    }

    // -- main loop (RegexParser.ScanRegex) -----------------------------------

    pub(super) fn parse(&mut self) -> Result<Node, RegexError> {
        let mut stack: Vec<Frame> = Vec::new();
        let mut cur = Frame::new(FrameKind::Group(GroupKind::NonCapture), 0..0, self.opts);
        let mut unit: Option<Node> = None;
        let mut is_quant = false;

        while !self.at_end() {
            let mut was_prev_quant = is_quant;
            is_quant = false;
            self.skip_blank()?;

            let start = self.pos;
            let x = self.opts.has(Opts::X);
            while let Some(c) = self.peek() {
                let stops = if x {
                    is_special_or_space(c)
                } else {
                    is_special(c)
                };
                // A `{` that does not start a quantifier is ordinary text.
                if stops && (c != '{' || self.is_true_quantifier()) {
                    break;
                }
                self.bump();
            }
            let end = self.pos;

            self.skip_blank()?;

            let tok_start = self.pos;
            let token = match self.peek() {
                None => Token::End,
                Some(c) if is_special(c) => {
                    is_quant = is_quantifier_char(c);
                    self.bump();
                    Token::Special(c)
                }
                Some(_) => Token::Ordinary,
            };

            if start < end {
                let ci = self.opts.has(Opts::I);
                // S34: one entry per UTF-16 unit; both halves of a supplementary character
                // carry its span.
                let mut run: Vec<(usize, char)> = Vec::new();
                for (i, c) in self.text(start..end).char_indices() {
                    let (first, second) = utf16_units(c);
                    run.push((start + i, unit_char(first)));
                    if let Some(second) = second {
                        run.push((start + i, unit_char(second)));
                    }
                }
                let unquantified = run.len() - usize::from(is_quant);
                was_prev_quant = false;
                if ci {
                    if let Some(&(at, _)) = run.iter().find(|(_, c)| c.is_alphabetic()) {
                        self.note_case_insensitive(at..end);
                    }
                }
                for &(at, c) in &run[..unquantified] {
                    cur.concat.push(Node::Lit {
                        c,
                        ci,
                        span: at..self.char_end(at),
                    });
                }
                if is_quant {
                    if let Some(&(at, c)) = run.last() {
                        unit = Some(Node::Lit {
                            c,
                            ci,
                            span: at..self.char_end(at),
                        });
                    }
                }
            }

            match token {
                Token::End => break,
                Token::Ordinary => continue,
                Token::Special('[') => {
                    let class = self.parse_class(tok_start)?;
                    unit = Some(Node::Class {
                        class,
                        span: tok_start..self.pos,
                    });
                }
                Token::Special('(') => {
                    let saved = self.opts;
                    let in_cond = cur.kind == FrameKind::CondExpr;
                    if let Some(kind) = self.parse_group_open(tok_start, in_cond)? {
                        if stack.len() >= MAX_GROUP_DEPTH {
                            return Err(RegexError::new(
                                tok_start..self.pos,
                                format!("groups are nested more than {MAX_GROUP_DEPTH} deep"),
                            ));
                        }
                        let frame = Frame::new(kind, tok_start..self.pos, saved);
                        stack.push(std::mem::replace(&mut cur, frame));
                    } else if cur.wants_condition() && cur.concat.is_empty() {
                        // `(?((?i))...)`: the condition must be a group.
                        return Err(RegexError::new(
                            cur.open.start..self.pos,
                            "illegal conditional `(?(...))` expression",
                        )
                        .with_help("write the condition as a group, as in `(?(?=x)yes|no)`"));
                    }
                    continue;
                }
                Token::Special('|') => {
                    let branch = concat_of(std::mem::take(&mut cur.concat));
                    cur.branches.push(branch);
                    continue;
                }
                Token::Special(')') => {
                    let Some(parent) = stack.pop() else {
                        return Err(RegexError::new(
                            tok_start..self.pos,
                            "unmatched closing parenthesis `)`",
                        )
                        .with_help("escape it as `\\)` to match a parenthesis"));
                    };
                    let frame = std::mem::replace(&mut cur, parent);
                    self.opts = frame.saved;
                    let node = frame.finish(self.pos, self.pat)?;
                    if cur.wants_condition() {
                        cur.cond = Some(node);
                        continue;
                    }
                    unit = Some(node);
                }
                Token::Special('\\') => {
                    if self.at_end() {
                        return Err(RegexError::new(
                            tok_start..self.pos,
                            "pattern ends with a lone backslash",
                        )
                        .with_help("write `\\\\` to match a backslash"));
                    }
                    match self.parse_backslash(tok_start)? {
                        // S34: an escaped supplementary character is two UTF-16 units,
                        // and a quantifier after it applies to the second only.
                        Node::Concat(mut halves) => {
                            unit = halves.pop();
                            cur.concat.extend(halves);
                        }
                        node => unit = Some(node),
                    }
                }
                Token::Special('^') => {
                    let kind = if self.opts.has(Opts::M) {
                        AssertKind::Bol
                    } else {
                        AssertKind::Begin
                    };
                    unit = Some(Node::Assert {
                        kind,
                        span: tok_start..self.pos,
                    });
                }
                Token::Special('$') => {
                    let kind = if self.opts.has(Opts::M) {
                        AssertKind::Eol
                    } else {
                        AssertKind::EndZ
                    };
                    unit = Some(Node::Assert {
                        kind,
                        span: tok_start..self.pos,
                    });
                }
                Token::Special('.') => {
                    unit = Some(Node::Dot {
                        singleline: self.opts.has(Opts::S),
                        span: tok_start..self.pos,
                    });
                }
                Token::Special(q) => {
                    if unit.is_none() {
                        let quant = self.quantifier_text(tok_start);
                        return Err(if was_prev_quant {
                            let prev = cur
                                .concat
                                .last()
                                .and_then(Node::span)
                                .map_or("a*", |span| self.text(span));
                            RegexError::new(
                                tok_start..tok_start + quant.len(),
                                format!("nested quantifier `{quant}`"),
                            )
                            .with_help(format!(
                                "possessive quantifiers do not exist in .NET; to stop \
                                 backtracking write the atomic group `(?>{prev})`, or group \
                                 first, as in `(?:{prev}){quant}`"
                            ))
                        } else {
                            RegexError::new(
                                tok_start..tok_start + quant.len(),
                                format!("quantifier `{quant}` follows nothing"),
                            )
                            .with_help(format!("escape it as `\\{q}` to match it literally"))
                        });
                    }
                    self.pos = tok_start;
                }
            }

            self.skip_blank()?;

            is_quant = !self.at_end() && self.is_true_quantifier();
            let Some(node) = unit.take() else {
                continue;
            };
            if !is_quant {
                cur.concat.push(node);
                continue;
            }

            let q_start = self.pos;
            let (min, max) = match self.bump() {
                Some('*') => (0, None),
                Some('?') => (0, Some(1)),
                Some('+') => (1, None),
                _ => {
                    let digits = self.pos;
                    let min = self.scan_decimal()?;
                    let mut max = Some(min);
                    if digits < self.pos && self.peek() == Some(',') {
                        self.bump();
                        max = if self.at_end() || self.peek() == Some('}') {
                            None
                        } else {
                            Some(self.scan_decimal()?)
                        };
                    }
                    if digits == self.pos || self.bump() != Some('}') {
                        cur.concat.push(node);
                        self.pos = q_start;
                        continue;
                    }
                    (min, max.filter(|&m| m != i32::MAX as u32))
                }
            };
            let q_end = self.pos;
            self.skip_blank()?;
            let lazy = self.peek() == Some('?');
            if lazy {
                self.bump();
            }
            if max.is_some_and(|m| min > m) {
                return Err(RegexError::new(
                    q_start..q_end,
                    format!(
                        "quantifier `{}` has its minimum above its maximum",
                        self.text(q_start..q_end)
                    ),
                ));
            }
            cur.concat.push(Node::Repeat {
                child: Box::new(node),
                min,
                max,
                lazy,
                span: q_start..self.pos,
            });
        }

        if let Some(unit) = unit {
            cur.concat.push(unit);
        }
        if !stack.is_empty() {
            return Err(
                RegexError::new(cur.open.clone(), "missing closing parenthesis")
                    .with_help("close the group with `)`, or escape the `(` as `\\(`"),
            );
        }
        Ok(body_of(cur.branches, cur.concat))
    }

    /// The quantifier text starting at `at`, for messages.
    pub(super) fn quantifier_text(&self, at: usize) -> &'p str {
        let rest = self.pat.get(at..).unwrap_or("");
        if rest.starts_with('{') {
            if let Some(close) = rest.find('}') {
                return &rest[..=close];
            }
        }
        rest.get(..1).unwrap_or("")
    }

    // -- groups (RegexParser.ScanGroupOpen) ----------------------------------

    /// Scans what follows `(`. `None` means an option setting such as `(?i)`.
    /// `in_cond`: the innermost open group is a conditional on an expression, where
    /// .NET does not scan inline options (`(?i:...)` there is an unrecognized group).
    pub(super) fn parse_group_open(
        &mut self,
        open: usize,
        in_cond: bool,
    ) -> Result<Option<FrameKind>, RegexError> {
        Ok(match self.parse_group_kind(open, in_cond)? {
            GroupOpen::Group(kind) => Some(FrameKind::Group(kind)),
            GroupOpen::Cond(kind) => Some(kind),
            GroupOpen::Options => None,
        })
    }

    fn parse_group_kind(&mut self, open: usize, in_cond: bool) -> Result<GroupOpen, RegexError> {
        use GroupOpen::Group as G;
        let ignore = self.ignore_next_paren;
        if self.caps.is_none() {
            // .NET's first pass (`CountCaptures`) forgets `_ignoreNextParen` at every `(`;
            // the real parse only when a plain `(` uses it. So after `(?(?=x)...)` the
            // next plain group is numbered but does not capture, as in .NET.
            self.ignore_next_paren = false;
        }
        if self.peek() != Some('?') || self.peek_at(1) == Some(')') {
            self.ignore_next_paren = false;
            return Ok(G(self.unnamed_group(ignore)));
        }
        self.bump();
        let invalid = |p: &Self, at: usize| {
            let end = p.char_end(at).max(p.pos);
            RegexError::new(
                open..end,
                format!("unrecognized grouping construct `{}`", p.text(open..end)),
            )
        };
        let Some(c) = self.bump() else {
            return Err(invalid(self, self.pos));
        };
        match c {
            ':' => Ok(G(GroupKind::NonCapture)),
            '=' => Ok(G(GroupKind::Look {
                behind: false,
                negated: false,
            })),
            '!' => Ok(G(GroupKind::Look {
                behind: false,
                negated: true,
            })),
            '>' => Ok(G(GroupKind::Atomic)),
            '<' | '\'' => {
                let close = if c == '<' { '>' } else { '\'' };
                let at = self.pos;
                let Some(c2) = self.bump() else {
                    return Err(invalid(self, at));
                };
                match c2 {
                    '=' | '!' if close == '>' => Ok(G(GroupKind::Look {
                        behind: true,
                        negated: c2 == '!',
                    })),
                    '=' | '!' => Err(invalid(self, at)),
                    _ => {
                        self.pos = at;
                        self.named_group(open, close).map(G)
                    }
                }
            }
            '(' => self.conditional(open).map(GroupOpen::Cond),
            _ => {
                self.pos -= c.len_utf8();
                let at = self.pos;
                if in_cond && c != ')' {
                    // .NET's ScanGroupOpen: "disallow options in the children of a
                    // testgroup node".
                    return Err(invalid(self, at).with_help(
                        "inline options cannot stand directly inside `(?(condition)...)`: wrap them in a group, as in `(?:(?i:x))`",
                    ));
                }
                self.scan_options();
                let at = self.pos;
                match self.bump() {
                    Some(')') => Ok(GroupOpen::Options),
                    Some(':') => Ok(G(GroupKind::NonCapture)),
                    Some(letter) if letter.is_ascii_alphabetic() && self.option_like(at) => {
                        Err(RegexError::new(
                            at..at + 1,
                            format!("inline option `{letter}` is not supported"),
                        )
                        .with_help("only `i`, `m`, `n`, `s` and `x` can be set inside a pattern"))
                    }
                    Some('P') if self.peek() == Some('<') => {
                        Err(invalid(self, at).with_help("write a named group as `(?<name>...)`"))
                    }
                    _ => Err(invalid(self, at)),
                }
            }
        }
    }

    /// True when the text at `at` looks like the rest of an option group, such as
    /// `r)` in `(?r)` or `e-i:` in `(?e-i:...)`.
    pub(super) fn option_like(&self, at: usize) -> bool {
        let rest = self.pat.get(at..).unwrap_or("");
        rest.chars()
            .find(|c| !(c.is_ascii_alphabetic() || *c == '-' || *c == '+'))
            .is_some_and(|c| c == ')' || c == ':')
    }

    /// What follows `(?(` (.NET's `ScanGroupOpen`, case `(`): a number or a group name
    /// followed by `)` tests that group; anything else is an expression whose group
    /// is parsed next as the condition (and does not capture).
    fn conditional(&mut self, open: usize) -> Result<FrameKind, RegexError> {
        let paren = self.pos;
        match self.peek() {
            Some(d) if d.is_ascii_digit() => {
                let n = self.scan_decimal()?;
                if self.bump() != Some(')') {
                    return Err(RegexError::new(
                        open..self.pos,
                        format!("malformed group reference `{n}` in a conditional"),
                    )
                    .with_help("write the group number alone, as in `(?(1)yes|no)`"));
                }
                if !self.is_capture_slot(n) {
                    return Err(RegexError::new(
                        open..self.pos,
                        format!("conditional refers to undefined group number `{n}`"),
                    ));
                }
                return Ok(FrameKind::CondRef(n));
            }
            Some(c) if is_word_unit(c) => {
                let name = self.scan_capname();
                if let Some(slot) = self.capture_name_slot(name) {
                    if self.peek() == Some(')') {
                        self.bump();
                        return Ok(FrameKind::CondRef(slot));
                    }
                }
            }
            _ => {}
        }
        // An expression: parse its group next, as the condition.
        self.pos = paren - 1;
        self.ignore_next_paren = true;
        let rest = self.rest().as_bytes();
        if rest.get(1) == Some(&b'?') {
            let capture = match rest.get(2) {
                Some(b'#') => {
                    return Err(RegexError::new(
                        open..self.group_end(paren - 1),
                        "the condition of a conditional cannot be a comment",
                    ));
                }
                Some(b'\'') => true,
                Some(b'<') => !matches!(rest.get(3), Some(b'!' | b'=') | None),
                _ => false,
            };
            if capture {
                return Err(RegexError::new(
                    open..self.group_end(paren - 1),
                    "the condition of a conditional cannot be a named group",
                )
                .with_help("test the group itself with `(?(name)yes|no)`, or use a look-ahead such as `(?(?=x)yes|no)`"));
            }
        }
        Ok(FrameKind::CondExpr)
    }

    pub(super) fn unnamed_group(&mut self, ignore: bool) -> GroupKind {
        if ignore || self.opts.has(Opts::N) {
            return GroupKind::NonCapture;
        }
        self.decls.push(Decl::Unnamed);
        let slot = self.autocap;
        self.autocap = self.autocap.saturating_add(1);
        GroupKind::Capture(slot)
    }

    /// `(?<name>`, `(?'name'`, `(?<3>`, and the balancing forms, which are rejected.
    pub(super) fn named_group(
        &mut self,
        open: usize,
        close: char,
    ) -> Result<GroupKind, RegexError> {
        let bad_name = |p: &Self| {
            let end = p.char_end(p.pos).max(p.pos);
            RegexError::new(open..end, "invalid group name").with_help(
                "a group name is a number or a run of word characters, as in `(?<year>...)`",
            )
        };
        let name_start = self.pos;
        let first = self.peek();
        let mut slot: Option<u32> = None;
        let mut balancing = false;
        let mut decl = None;
        match first {
            Some(c) if c.is_ascii_digit() => {
                let n = self.scan_decimal()?;
                if self.is_capture_slot(n) {
                    slot = Some(n);
                }
                if !self.at_end() && !matches!(self.peek(), Some(p) if p == close || p == '-') {
                    return Err(bad_name(self));
                }
                if n == 0 {
                    return Err(RegexError::new(
                        name_start..self.pos,
                        "capture group number must not be 0",
                    ));
                }
                if c != '0' {
                    decl = Some(Decl::Numbered(n));
                }
            }
            Some(c) if is_word_unit(c) => {
                let name = self.scan_capname();
                slot = self.capture_name_slot(name);
                if !self.at_end() && !matches!(self.peek(), Some(p) if p == close || p == '-') {
                    return Err(bad_name(self));
                }
                decl = Some(Decl::Named(name.to_owned()));
            }
            Some('-') => balancing = true,
            _ => return Err(bad_name(self)),
        }
        if (slot.is_some() || balancing) && self.peek() == Some('-') && self.peek_at(1).is_some() {
            // `(?<name1-name2>`: .NET requires `name2` to be a group.
            self.bump();
            let other = self.pos;
            match self.peek() {
                Some(d) if d.is_ascii_digit() => {
                    let n = self.scan_decimal()?;
                    if !self.is_capture_slot(n) {
                        return Err(RegexError::new(
                            other..self.pos,
                            format!("reference to undefined group number `{n}`"),
                        ));
                    }
                }
                Some(c) if is_word_unit(c) => {
                    let name = self.scan_capname();
                    if self.capture_name_slot(name).is_none() {
                        return Err(RegexError::new(
                            other..self.pos,
                            format!("reference to undefined group name `{name}`"),
                        ));
                    }
                }
                _ => return Err(bad_name(self)),
            }
            if self.bump() != Some(close) {
                let end = self.pos.max(other);
                return Err(RegexError::new(
                    open..end,
                    format!("unrecognized grouping construct `{}`", self.text(open..end)),
                ));
            }
            if self.caps.is_none() {
                // The first pass only numbers groups; `name1` is one (.NET's CountCaptures).
                if let Some(decl) = decl {
                    self.decls.push(decl);
                }
                return Ok(GroupKind::NonCapture);
            }
            let end = self.pos;
            return Err(RegexError::not_simulated(
                open..end,
                format!(
                    "balancing group `{}` cannot be simulated: .NET accepts it, but it needs .NET's capture stacks, which neither Rust engine has",
                    self.text(open..end)
                ),
            )
            .with_help(
                "scopesim cannot evaluate this filter as Entra would; if the pattern only needs to recognise nesting to a known depth, write the depths out with ordinary groups",
            ));
        }
        match slot {
            Some(slot) if self.bump() == Some(close) => {
                if let Some(decl) = decl {
                    self.decls.push(decl);
                }
                Ok(GroupKind::Capture(slot))
            }
            _ => {
                let end = self.pos.max(name_start);
                Err(RegexError::new(
                    open..end,
                    format!("unrecognized grouping construct `{}`", self.text(open..end)),
                ))
            }
        }
    }

    /// .NET's `ScanOptions`: `i m n s x` (any case), `-` turns off, `+` turns on.
    pub(super) fn scan_options(&mut self) {
        let mut on = true;
        while let Some(c) = self.peek() {
            match c {
                '-' => on = false,
                '+' => on = true,
                _ => {
                    let flag = match c.to_ascii_lowercase() {
                        'i' => Opts::I,
                        'm' => Opts::M,
                        'n' => Opts::N,
                        's' => Opts::S,
                        'x' => Opts::X,
                        _ => return,
                    };
                    self.opts.set(flag, on);
                }
            }
            self.bump();
        }
    }

    /// Offset just past the `)` that closes the group opened at `open` (for spans
    /// of rejected constructs), or the end of the pattern.
    pub(super) fn group_end(&self, open: usize) -> usize {
        let mut depth = 0usize;
        let mut chars = self.pat.get(open..).unwrap_or("").char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '[' => {
                    let mut first = true;
                    for (_, d) in chars.by_ref() {
                        if d == ']' && !first {
                            break;
                        }
                        first = d == '^' && first;
                    }
                }
                '(' => depth += 1,
                ')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return open + i + 1;
                    }
                }
                _ => {}
            }
        }
        self.pat.len()
    }
}
