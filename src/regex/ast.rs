//! The syntax tree of a parsed .NET pattern: what the parser produces and the emitter
//! reads. Spans are byte ranges in the .NET pattern, for errors and notes.

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
    /// Inclusive range of UTF-16 code units or, for escapes, of code points.
    Range(u32, u32),
    Perl(PerlKind, bool),
    Prop(String, bool),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Class {
    pub(super) negated: bool,
    pub(super) items: Vec<ClassItem>,
    pub(super) ci: bool,
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
    Prop {
        name: String,
        negated: bool,
        ci: bool,
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
            | Node::Prop { span, .. }
            | Node::Assert { span, .. }
            | Node::Backref { span, .. }
            | Node::Group { span, .. } => Some(span.clone()),
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
            Node::Concat(nodes) | Node::Alt(nodes) => {
                for node in nodes {
                    node.walk(visit);
                }
            }
            _ => {}
        }
    }
}
