//! The emitter: writes the syntax tree in the syntax of the Rust engines, decides which
//! engine the pattern needs, and records where each piece came from.
//!
//! Capture groups are emitted as capturing only when a backreference or a conditional
//! reads them ([`Captures`]); `IsMatch` never reads the others. A .NET slot can belong to
//! several groups (a name used twice): a reference then reads the group that captured
//! last, which the emitter spells as a chain of conditionals when that order is fixed by
//! the pattern.

use super::ast::{AssertKind, Class, CondTest, GroupKind, Node};
use super::engine_error::OffsetMap;
use super::sets::{BOUNDARY_WORD, NOTHING, class_text, perl_text};
use super::tables::push_rust_char;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// Counted repetitions at least this large run as loops of the backtracking engine when
/// the linear engine's automaton would be too large (`\w{1000}`).
pub(super) const VM_LOOP_MIN: u32 = 32;

/// The capture groups a reference reads, numbered for the emitted pattern.
#[derive(Debug, Default)]
pub(super) struct Captures {
    /// Emitted group number, by the byte offset of the group's `(` in the .NET pattern.
    pub(super) numbers: HashMap<usize, usize>,
    /// For each referenced slot, the emitted numbers of its groups, the one that
    /// captures last first.
    pub(super) slots: HashMap<u32, Vec<usize>>,
    /// Emitted numbers of the groups that can only capture the empty string: a
    /// backreference to one is a test that it has captured (which also keeps
    /// fancy-regex from mishandling a repeated empty backreference in a look-behind).
    pub(super) empty: HashSet<usize>,
}

/// How to write the constructs that have several exact spellings.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Style {
    /// `Anchoring::Full`: the pattern is wrapped in `\A(?:...)\z`.
    pub(super) full: bool,
    /// `\b` and `\B` as look-around with .NET's word class (backtracking engine) rather
    /// than Rust's `\b`, which agrees with .NET only on values without the characters
    /// its wider word class adds.
    pub(super) exact_boundary: bool,
    /// Large counted repetitions as loops of the backtracking engine.
    pub(super) vm_loops: bool,
    /// Every group captures and `$` never consumes the final newline (for
    /// [`super::CapturingRegex`], whose callers read the groups and the matched text).
    pub(super) capture_all: bool,
}

pub(super) struct Emitter<'a> {
    pub(super) out: String,
    pub(super) map: OffsetMap,
    pub(super) backtracking: bool,
    /// S34: the translation can see a surrogate unit (or a supplementary character), so
    /// a value holding a supplementary character must be matched as UTF-16 units.
    pub(super) units: bool,
    /// The translation uses Rust's `\b` or `\B`.
    pub(super) rust_boundary: bool,
    pub(super) style: Style,
    pub(super) caps: &'a Captures,
    /// Emitting inside a look-behind (the innermost look-around is one), which .NET
    /// matches right to left.
    behind: bool,
}

impl<'a> Emitter<'a> {
    pub(super) fn new(style: Style, caps: &'a Captures) -> Self {
        Emitter {
            out: String::new(),
            map: OffsetMap::default(),
            backtracking: false,
            units: false,
            rust_boundary: false,
            style,
            caps,
            behind: false,
        }
    }

    fn number_of(&self, kind: GroupKind, span_start: usize) -> Option<usize> {
        match kind {
            GroupKind::Capture(_) => self.caps.numbers.get(&span_start).copied(),
            _ => None,
        }
    }

    fn holds_referenced(&self, node: &Node) -> bool {
        let mut found = false;
        node.walk(&mut |n| {
            if let Node::Group { kind, span, .. } = n {
                found |= self.number_of(*kind, span.start).is_some();
            }
        });
        found
    }

    /// True when the node can never consume input, so that repeating it is the same
    /// as testing it once.
    pub(super) fn consumes_nothing(node: &Node) -> bool {
        match node {
            Node::Empty | Node::Assert { .. } => true,
            Node::Group {
                kind: GroupKind::Look { .. },
                ..
            } => true,
            Node::Group { child, .. } => Self::consumes_nothing(child),
            Node::Concat(nodes) | Node::Alt(nodes) => nodes.iter().all(Self::consumes_nothing),
            Node::Repeat { child, max, .. } => *max == Some(0) || Self::consumes_nothing(child),
            Node::Cond { yes, no, .. } => Self::consumes_nothing(yes) && Self::consumes_nothing(no),
            _ => false,
        }
    }

    /// Nodes after which a `$` still counts as the end of the pattern.
    fn is_tail_transparent(&self, node: &Node) -> bool {
        match node {
            Node::Empty => true,
            Node::Assert { kind, .. } => *kind == AssertKind::EndZ,
            Node::Concat(nodes) => nodes.iter().all(|n| self.is_tail_transparent(n)),
            Node::Group { kind, child, span } => {
                matches!(kind, GroupKind::NonCapture | GroupKind::Capture(_))
                    && self.number_of(*kind, span.start).is_none()
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
                self.units |= u32::from(*c) > 0xFFFF;
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
                self.units = true;
                self.out.push_str(if *singleline { "(?s:.)" } else { "." });
            }
            Node::Perl { kind, negated, .. } => {
                let set = perl_text(*kind, *negated);
                self.units |= set.units;
                self.out.push_str(&set.text);
            }
            Node::Assert { kind, .. } => self.emit_assert(*kind, tail),
            Node::Backref { slot, ci, .. } => {
                self.backtracking = true;
                let groups = self.caps.slots.get(slot).cloned().unwrap_or_default();
                self.emit_backref(&groups, *ci);
            }
            Node::Group { kind, child, span } => {
                let (open, child_tail) = match kind {
                    GroupKind::NonCapture => ("(?:", tail),
                    GroupKind::Capture(_) if self.number_of(*kind, span.start).is_some() => {
                        ("(", tail)
                    }
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
                let outer = self.behind;
                if let GroupKind::Look { behind, .. } = kind {
                    self.behind = *behind;
                }
                self.out.push_str(open);
                self.emit(child, child_tail);
                self.out.push(')');
                self.behind = outer;
            }
            Node::Cond {
                test: CondTest::Look(cond),
                yes,
                no,
                ..
            } if self.behind => self.emit_cond_behind(cond, yes, no),
            Node::Cond { test, yes, no, .. } => self.emit_cond(test, yes, no, tail),
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
            } => self.emit_repeat(child, *min, *max, *lazy, tail),
        }
        if let Some(span) = node.span() {
            self.map.push(start..self.out.len(), span);
        }
    }

    fn emit_assert(&mut self, kind: AssertKind, tail: bool) {
        let text = match kind {
            AssertKind::Begin => "\\A",
            AssertKind::End => "\\z",
            AssertKind::Bol => "(?m:^)",
            AssertKind::Eol => "(?m:$)",
            AssertKind::WordBoundary | AssertKind::NotWordBoundary => {
                // S34: a supplementary letter is two non-word units to .NET.
                self.units = true;
                let negated = kind == AssertKind::NotWordBoundary;
                if self.style.exact_boundary {
                    self.backtracking = true;
                    let w = BOUNDARY_WORD;
                    if negated {
                        let _ = write!(self.out, "(?:(?<={w})(?={w})|(?<!{w})(?!{w}))");
                    } else {
                        let _ = write!(self.out, "(?:(?<={w})(?!{w})|(?<!{w})(?={w}))");
                    }
                    return;
                }
                self.rust_boundary = true;
                if negated { "\\B" } else { "\\b" }
            }
            AssertKind::EndZ if tail && self.style.full => "\\z",
            AssertKind::EndZ if tail && !self.style.capture_all => "(?:\\n?\\z)",
            AssertKind::EndZ => {
                self.backtracking = true;
                "(?=\\n?\\z)"
            }
        };
        self.out.push_str(text);
    }

    /// A backreference to a slot whose groups are `groups` (latest capture first): the
    /// first of them that has captured. With no group it never matches, as in .NET
    /// (group 0 and the groups .NET numbers but does not capture).
    fn emit_backref(&mut self, groups: &[usize], ci: bool) {
        let Some((&last, earlier)) = groups.split_first() else {
            self.out.push_str(NOTHING);
            return;
        };
        let empty = &self.caps.empty;
        let reference = |n: usize| {
            if empty.contains(&n) {
                String::new()
            } else if ci {
                format!("(?i:\\k<{n}>)")
            } else {
                format!("\\k<{n}>")
            }
        };
        if earlier.is_empty() && !empty.contains(&last) {
            self.out.push_str(&reference(last));
            return;
        }
        for &n in groups {
            let _ = write!(self.out, "(?({n}){}|", reference(n));
        }
        self.out.push_str("(?!)");
        for _ in groups {
            self.out.push(')');
        }
    }

    /// `(?(test)yes|no)`: the condition is zero-width, and `no` is not tried when the
    /// condition holds but `yes` fails.
    fn emit_cond(&mut self, test: &CondTest, yes: &Node, no: &Node, tail: bool) {
        self.backtracking = true;
        match test {
            CondTest::Group(slot) => {
                let groups = self.caps.slots.get(slot).cloned().unwrap_or_default();
                match groups.as_slice() {
                    [] => {
                        // Never captured: always the `no` branch.
                        self.out.push_str("(?:");
                        self.emit(no, tail);
                        self.out.push(')');
                        return;
                    }
                    [one] => {
                        let _ = write!(self.out, "(?({one})");
                    }
                    several => {
                        // Any of the slot's groups has captured.
                        self.out.push_str("(?((?=");
                        for (i, n) in several.iter().enumerate() {
                            if i > 0 {
                                self.out.push('|');
                            }
                            let _ = write!(self.out, "(?({n})|(?!))");
                        }
                        self.out.push_str("))");
                    }
                }
            }
            CondTest::Look(cond) => {
                self.out.push_str("(?(");
                let is_look = matches!(
                    **cond,
                    Node::Group {
                        kind: GroupKind::Look { .. },
                        ..
                    }
                );
                if is_look {
                    self.emit(cond, false);
                } else {
                    self.out.push_str("(?=");
                    self.emit(cond, false);
                    self.out.push(')');
                }
                self.out.push(')');
            }
        }
        self.out.push_str("(?:");
        self.emit(yes, tail);
        self.out.push_str(")|(?:");
        self.emit(no, tail);
        self.out.push_str("))");
    }

    /// A conditional on an expression inside a look-behind: .NET matches right to
    /// left, so it tests the condition at the conditional's right end (an expression
    /// that is not a look-around is matched right to left there, as a look-behind) and
    /// then matches the branch leftwards. Left to right that is `yes` followed by the
    /// condition, or `no` followed by its negation.
    fn emit_cond_behind(&mut self, cond: &Node, yes: &Node, no: &Node) {
        self.backtracking = true;
        let (look_behind, negated, body) = match cond {
            Node::Group {
                kind: GroupKind::Look { behind, negated },
                child,
                ..
            } => (*behind, *negated, &**child),
            other => (true, false, other),
        };
        let open = |negated: bool| match (look_behind, negated) {
            (false, false) => "(?=",
            (false, true) => "(?!",
            (true, false) => "(?<=",
            (true, true) => "(?<!",
        };
        let outer = self.behind;
        for (i, (branch, negated)) in [(yes, negated), (no, !negated)].into_iter().enumerate() {
            self.out.push_str(if i == 0 { "(?:(?:" } else { "|(?:" });
            self.emit(branch, false);
            let _ = write!(self.out, "){}", open(negated));
            self.behind = look_behind;
            self.emit(body, false);
            self.behind = outer;
            self.out.push(')');
        }
        self.out.push(')');
    }

    fn emit_repeat(&mut self, child: &Node, min: u32, max: Option<u32>, lazy: bool, tail: bool) {
        if Self::consumes_nothing(child) {
            // A zero-width body matches at most once where it stands: `{n,}` with n ≥ 1
            // is the body itself; `{0,}` is the body or nothing, which only matters when
            // the body captures a group that is read later.
            if min > 0 {
                self.emit(child, tail);
            } else if self.holds_referenced(child) {
                if lazy {
                    self.out.push_str("(?:|");
                    self.emit(child, tail);
                    self.out.push(')');
                } else {
                    self.out.push_str("(?:");
                    self.emit(child, tail);
                    self.out.push_str("|)");
                }
            }
            return;
        }
        let child_tail = tail && max.is_some_and(|m| m <= 1);
        let vm_loop = self.style.vm_loops && (min >= VM_LOOP_MIN || max >= Some(VM_LOOP_MIN));
        let wrap = vm_loop || matches!(child, Node::Concat(_) | Node::Alt(_));
        if wrap {
            self.out.push_str("(?:");
        }
        if vm_loop {
            // An empty look-ahead makes the body "hard" for fancy-regex, which then
            // counts the repetitions in its own loop instead of building an automaton
            // with one copy of the body per repetition.
            self.backtracking = true;
            self.out.push_str("(?=)");
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
        if lazy {
            self.out.push('?');
        }
    }

    fn emit_concat(&mut self, nodes: &[Node], tail: bool) {
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
                self.units |= u32::from(*c) > 0xFFFF;
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

    fn emit_class(&mut self, class: &Class) {
        let (set, fold) = class_text(class);
        self.units |= set.units;
        if fold {
            self.out.push_str("(?i:");
        }
        self.out.push_str(&set.text);
        if fold {
            self.out.push(')');
        }
    }
}
