//! The syntax tree of a parsed .NET pattern: what the parser produces and the emitter
//! reads. Spans are byte ranges in the .NET pattern, for errors and notes.
//!
//! S34: .NET patterns and values are UTF-16, so the tree speaks in UTF-16 code units.
//! A literal is one unit; a unit that is a surrogate is held as its stand-in character
//! ([`stand_in`](super::tables::stand_in)), which is also what the matcher turns each
//! half of a supplementary character of the value into.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PerlKind {
    Digit,
    Word,
    Space,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AssertKind {
    /// `^` without `m`, `\A`.
    Begin,
    /// `\z`.
    End,
    /// `$` without `m`, `\Z`: end, or before a final `\n`.
    EndZ,
    /// `^` with `m`.
    Bol,
    /// `$` with `m`.
    Eol,
    WordBoundary,
    NotWordBoundary,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ClassItem {
    /// Inclusive range of UTF-16 code units (surrogates included).
    Range(u32, u32),
    /// `\d`, `\w`, `\s` (negated when the flag is set).
    Perl(PerlKind, bool),
    /// A general category such as `Lu` or `L` (negated when the flag is set). Named
    /// blocks (`IsGreek`) are turned into ranges by the parser.
    Prop(String, bool),
}

/// A .NET character class over UTF-16 code units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Class {
    pub(super) negated: bool,
    pub(super) items: Vec<ClassItem>,
    pub(super) ci: bool,
    /// `[base-[subtracted]]`: .NET removes these units after applying `negated` to the base.
    pub(super) sub: Option<Box<Class>>,
}

impl Class {
    /// True when the class, or a class it subtracts, lists characters (ranges), which is
    /// when case folding applies to it under `i`.
    pub(super) fn has_chars(&self) -> bool {
        self.items.iter().any(|i| matches!(i, ClassItem::Range(..)))
            || self.sub.as_ref().is_some_and(|s| s.has_chars())
    }
}

/// What a conditional `(?(...)yes|no)` tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum CondTest {
    /// `(?(1)...)`, `(?(name)...)`: whether the group's slot has captured.
    Group(u32),
    /// `(?(expression)...)`: whether the expression matches here, as a zero-width
    /// positive lookahead (the node is the condition group as written).
    Look(Box<Node>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum GroupKind {
    NonCapture,
    /// A capture group and its .NET slot number (0 during the first pass).
    Capture(u32),
    Atomic,
    Look {
        behind: bool,
        negated: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Node {
    Empty,
    /// One UTF-16 unit: the character itself, or a surrogate's stand-in.
    Lit {
        c: char,
        ci: bool,
        span: Range<usize>,
    },
    Class {
        class: Class,
        span: Range<usize>,
    },
    Dot {
        singleline: bool,
        span: Range<usize>,
    },
    Perl {
        kind: PerlKind,
        negated: bool,
        span: Range<usize>,
    },
    Assert {
        kind: AssertKind,
        span: Range<usize>,
    },
    Backref {
        slot: u32,
        ci: bool,
        span: Range<usize>,
    },
    Group {
        kind: GroupKind,
        child: Box<Node>,
        span: Range<usize>,
    },
    /// `(?(test)yes|no)`; a missing `no` is empty (as documented for .NET 7 and later).
    Cond {
        test: CondTest,
        yes: Box<Node>,
        no: Box<Node>,
        span: Range<usize>,
    },
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat {
        child: Box<Node>,
        min: u32,
        max: Option<u32>,
        lazy: bool,
        span: Range<usize>,
    },
}

impl Node {
    pub(super) fn span(&self) -> Option<Range<usize>> {
        match self {
            Node::Lit { span, .. }
            | Node::Class { span, .. }
            | Node::Dot { span, .. }
            | Node::Perl { span, .. }
            | Node::Assert { span, .. }
            | Node::Backref { span, .. }
            | Node::Group { span, .. }
            | Node::Cond { span, .. } => Some(span.clone()),
            Node::Repeat { child, span, .. } => {
                let start = child.span().map_or(span.start, |s| s.start);
                Some(start..span.end)
            }
            Node::Empty | Node::Concat(_) | Node::Alt(_) => None,
        }
    }

    pub(super) fn walk(&self, visit: &mut dyn FnMut(&Node)) {
        visit(self);
        match self {
            Node::Group { child, .. } | Node::Repeat { child, .. } => child.walk(visit),
            Node::Cond { test, yes, no, .. } => {
                if let CondTest::Look(cond) = test {
                    cond.walk(visit);
                }
                yes.walk(visit);
                no.walk(visit);
            }
            Node::Concat(nodes) | Node::Alt(nodes) => {
                for node in nodes {
                    node.walk(visit);
                }
            }
            _ => {}
        }
    }
}
