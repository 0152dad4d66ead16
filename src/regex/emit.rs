//! The emitter: writes the syntax tree in the syntax of the Rust engines, decides which
//! engine the pattern needs, and records where each piece came from.

use super::ast::{AssertKind, Class, ClassItem, GroupKind, Node, PerlKind};
use super::engine_error::OffsetMap;
use super::tables::{SURROGATES, push_rust_char};
use std::collections::HashMap;
use std::fmt::Write as _;

pub(super) struct Emitter<'a> {
    pub(super) out: String,
    pub(super) map: OffsetMap,
    pub(super) backtracking: bool,
    pub(super) full: bool,
    /// .NET slot -> number of the capture group in the emitted pattern.
    pub(super) groups: &'a HashMap<u32, usize>,
}

impl Emitter<'_> {
    pub(super) fn is_referenced(&self, kind: GroupKind) -> bool {
        matches!(kind, GroupKind::Capture(slot) if self.groups.contains_key(&slot))
    }

    /// True when the node never consumes input (and holds no group a
    /// backreference reads), so repeating it is the same as testing it once.
    pub(super) fn is_zero_width(&self, node: &Node) -> bool {
        match node {
            Node::Empty | Node::Assert { .. } => true,
            Node::Group { kind, child, .. } => match kind {
                GroupKind::Look { .. } => !self.holds_referenced(child),
                _ => !self.is_referenced(*kind) && self.is_zero_width(child),
            },
            Node::Concat(nodes) | Node::Alt(nodes) => nodes.iter().all(|n| self.is_zero_width(n)),
            Node::Repeat { child, .. } => self.is_zero_width(child),
            _ => false,
        }
    }

    pub(super) fn holds_referenced(&self, node: &Node) -> bool {
        let mut found = false;
        node.walk(&mut |n| {
            if let Node::Group { kind, .. } = n {
                found |= self.is_referenced(*kind);
            }
        });
        found
    }

    /// Nodes after which a `$` still counts as the end of the pattern.
    pub(super) fn is_tail_transparent(&self, node: &Node) -> bool {
        match node {
            Node::Empty => true,
            Node::Assert { kind, .. } => *kind == AssertKind::EndZ,
            Node::Concat(nodes) => nodes.iter().all(|n| self.is_tail_transparent(n)),
            Node::Group { kind, child, .. } => {
                matches!(kind, GroupKind::NonCapture | GroupKind::Capture(_))
                    && !self.is_referenced(*kind)
                    && self.is_tail_transparent(child)
            }
            _ => false,
        }
    }

    pub(super) fn emit(&mut self, node: &Node, tail: bool) {
        let start = self.out.len();
        match node {
            Node::Empty => {}
            Node::Lit { c, ci, .. } => {
                if *ci {
                    self.out.push_str("(?i:");
                }
                push_rust_char(&mut self.out, *c);
                if *ci {
                    self.out.push(')');
                }
            }
            Node::Class { class, .. } => self.emit_class(class),
            Node::Dot { singleline, .. } => {
                self.out.push_str(if *singleline { "(?s:.)" } else { "." });
            }
            Node::Perl { kind, negated, .. } => self.out.push_str(perl(*kind, *negated)),
            Node::Prop {
                name, negated, ci, ..
            } => {
                if *ci && is_cased_letter_category(name) {
                    self.out.push_str(if *negated { "[^" } else { "[" });
                    self.out.push_str(CASED_LETTERS);
                    self.out.push(']');
                } else {
                    let _ = write!(self.out, "\\{}{{{name}}}", if *negated { 'P' } else { 'p' });
                }
            }
            Node::Assert { kind, .. } => {
                let text = match kind {
                    AssertKind::Begin => "\\A",
                    AssertKind::End => "\\z",
                    AssertKind::Bol => "(?m:^)",
                    AssertKind::Eol => "(?m:$)",
                    AssertKind::WordBoundary => "\\b",
                    AssertKind::NotWordBoundary => "\\B",
                    AssertKind::EndZ if tail && self.full => "\\z",
                    AssertKind::EndZ if tail => "(?:\\n?\\z)",
                    AssertKind::EndZ => {
                        self.backtracking = true;
                        "(?=\\n?\\z)"
                    }
                };
                self.out.push_str(text);
            }
            Node::Backref { slot, ci, .. } => {
                self.backtracking = true;
                let group = self.groups.get(slot).copied().unwrap_or(0);
                if *ci {
                    let _ = write!(self.out, "(?i:\\k<{group}>)");
                } else {
                    let _ = write!(self.out, "\\k<{group}>");
                }
            }
            Node::Group { kind, child, .. } => {
                let (open, child_tail) = match kind {
                    GroupKind::NonCapture => ("(?:", tail),
                    GroupKind::Capture(_) if self.is_referenced(*kind) => ("(", tail),
                    GroupKind::Capture(_) => ("(?:", tail),
                    GroupKind::Atomic => {
                        self.backtracking = true;
                        ("(?>", tail)
                    }
                    GroupKind::Look { behind, negated } => {
                        self.backtracking = true;
                        let open = match (behind, negated) {
                            (false, false) => "(?=",
                            (false, true) => "(?!",
                            (true, false) => "(?<=",
                            (true, true) => "(?<!",
                        };
                        (open, false)
                    }
                };
                self.out.push_str(open);
                self.emit(child, child_tail);
                self.out.push(')');
            }
            Node::Concat(nodes) => self.emit_concat(nodes, tail),
            Node::Alt(nodes) => {
                for (i, branch) in nodes.iter().enumerate() {
                    if i > 0 {
                        self.out.push('|');
                    }
                    self.emit(branch, tail);
                }
            }
            Node::Repeat {
                child,
                min,
                max,
                lazy,
                ..
            } => {
                if self.is_zero_width(child) {
                    if *min > 0 {
                        self.emit(child, tail);
                    }
                } else {
                    let child_tail = tail && max.is_some_and(|m| m <= 1);
                    let wrap = matches!(**child, Node::Concat(_) | Node::Alt(_));
                    if wrap {
                        self.out.push_str("(?:");
                    }
                    self.emit(child, child_tail);
                    if wrap {
                        self.out.push(')');
                    }
                    match (min, max) {
                        (0, None) => self.out.push('*'),
                        (1, None) => self.out.push('+'),
                        (0, Some(1)) => self.out.push('?'),
                        (n, None) => {
                            let _ = write!(self.out, "{{{n},}}");
                        }
                        (n, Some(m)) if n == m => {
                            let _ = write!(self.out, "{{{n}}}");
                        }
                        (n, Some(m)) => {
                            let _ = write!(self.out, "{{{n},{m}}}");
                        }
                    }
                    if *lazy {
                        self.out.push('?');
                    }
                }
            }
        }
        if let Some(span) = node.span() {
            self.map.push(start..self.out.len(), span);
        }
    }

    pub(super) fn emit_concat(&mut self, nodes: &[Node], tail: bool) {
        let mut tails = vec![false; nodes.len()];
        let mut rest_transparent = true;
        for (i, node) in nodes.iter().enumerate().rev() {
            tails[i] = tail && rest_transparent;
            rest_transparent = rest_transparent && self.is_tail_transparent(node);
        }
        // Consecutive literals with the same case flag share one `(?i:...)`.
        let mut i = 0;
        while let Some(node) = nodes.get(i) {
            let Node::Lit { ci, .. } = node else {
                self.emit(node, tails[i]);
                i += 1;
                continue;
            };
            let ci = *ci;
            if ci {
                self.out.push_str("(?i:");
            }
            while let Some(Node::Lit {
                c,
                ci: lit_ci,
                span,
            }) = nodes.get(i)
            {
                if *lit_ci != ci {
                    break;
                }
                let start = self.out.len();
                push_rust_char(&mut self.out, *c);
                self.map.push(start..self.out.len(), span.clone());
                i += 1;
            }
            if ci {
                self.out.push(')');
            }
        }
    }

    pub(super) fn emit_class(&mut self, class: &Class) {
        let has_chars = class
            .items
            .iter()
            .any(|item| matches!(item, ClassItem::Range(..)));
        let fold = class.ci && has_chars;
        let mut body = String::new();
        for item in &class.items {
            match item {
                ClassItem::Range(a, b) => {
                    let mut pieces = Vec::new();
                    if *a < SURROGATES.start {
                        pieces.push((*a, (*b).min(SURROGATES.start - 1)));
                    }
                    if *b >= SURROGATES.end {
                        pieces.push(((*a).max(SURROGATES.end), *b));
                    }
                    if *a < SURROGATES.start && *b >= SURROGATES.end {
                        pieces.push((0x10000, 0x10FFFF));
                    }
                    for (x, y) in pieces {
                        let (Some(x), Some(y)) = (char::from_u32(x), char::from_u32(y)) else {
                            continue;
                        };
                        push_rust_char(&mut body, x);
                        if y != x {
                            body.push('-');
                            push_rust_char(&mut body, y);
                        }
                    }
                }
                ClassItem::Perl(kind, negated) => body.push_str(perl(*kind, *negated)),
                ClassItem::Prop(name, negated) => {
                    if class.ci && is_cased_letter_category(name) {
                        body.push_str(if *negated { "[^" } else { "[" });
                        body.push_str(CASED_LETTERS);
                        body.push(']');
                    } else {
                        let _ = write!(body, "\\{}{{{name}}}", if *negated { 'P' } else { 'p' });
                    }
                }
            }
        }
        if fold {
            self.out.push_str("(?i:");
        }
        if body.is_empty() {
            self.out.push_str(if class.negated {
                "(?s:.)"
            } else {
                "[^\\x{0}-\\x{10FFFF}]"
            });
        } else {
            self.out.push('[');
            if class.negated {
                self.out.push('^');
            }
            self.out.push_str(&body);
            self.out.push(']');
        }
        if fold {
            self.out.push(')');
        }
    }
}

pub(super) const CASED_LETTERS: &str = "\\p{Lu}\\p{Ll}\\p{Lt}";

/// Under `i`, .NET reads `\p{Lu}`, `\p{Ll}` and `\p{Lt}` as "any cased letter".
pub(super) fn is_cased_letter_category(name: &str) -> bool {
    matches!(name, "Lu" | "Ll" | "Lt")
}

pub(super) fn perl(kind: PerlKind, negated: bool) -> &'static str {
    match (kind, negated) {
        (PerlKind::Digit, false) => "\\d",
        (PerlKind::Digit, true) => "\\D",
        (PerlKind::Word, false) => "\\w",
        (PerlKind::Word, true) => "\\W",
        (PerlKind::Space, false) => "\\s",
        (PerlKind::Space, true) => "\\S",
    }
}
