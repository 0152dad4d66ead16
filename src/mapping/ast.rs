//! The expression tree: what an attribute-mapping source *is*, whichever form it was read
//! from (the expression text or Graph's `attributeMappingSource` JSON tree).
//!
//! Every node keeps the span it was read from, so the checker and the evaluator can point
//! at the argument that is wrong. Equality ignores spans: two trees are equal when they
//! say the same thing, which is what the round trips (text → tree → text, tree → JSON →
//! tree) promise.

use crate::source::Span;

/// One expression node with its span.
#[derive(Debug, Clone)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Where it was written (in the expression text, or the JSON it was read from).
    pub span: Span,
}

/// The kinds of expression node.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `[name]`: a source attribute.
    Attribute(String),
    /// `"text"`: a string constant, unescaped.
    Str(String),
    /// `123`, `-10`: an integer constant (Entra's JSON tree keeps it as the constant `"123"`).
    Number(i64),
    /// `&HF7`: a hexadecimal constant (BitAnd's documented example).
    Hex(u64),
    /// A bare name, such as `vbTextCompare` (InStr's compare type).
    Name(String),
    /// `Name(arg, ...)`.
    Call(Call),
    /// `left = right` and the other comparisons, inside IIF and CBool.
    Compare(Box<Compare>),
}

/// A function call.
#[derive(Debug, Clone)]
pub struct Call {
    /// The function name as written (the language is case-sensitive).
    pub name: String,
    /// Where the name is.
    pub name_span: Span,
    /// The arguments in order; an empty positional argument is `None`.
    pub args: Vec<Arg>,
}

/// One argument position.
#[derive(Debug, Clone)]
pub struct Arg {
    /// The argument, or `None` for an empty position (`Replace([x], "-", , , "_", , )`).
    pub expr: Option<Expr>,
    /// Where the position is (between its commas).
    pub span: Span,
}

/// A comparison.
#[derive(Debug, Clone)]
pub struct Compare {
    /// The operator.
    pub op: CompareOp,
    /// Where the operator is.
    pub op_span: Span,
    /// Left operand.
    pub left: Expr,
    /// Right operand.
    pub right: Expr,
}

/// The comparison operators IIF documents (ED-FUNC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
}

impl CompareOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "<>",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
        }
    }

    /// Reads an operator.
    pub fn parse(s: &str) -> Option<CompareOp> {
        Some(match s {
            "=" => CompareOp::Eq,
            "<>" => CompareOp::Ne,
            ">" => CompareOp::Gt,
            ">=" => CompareOp::Ge,
            "<" => CompareOp::Lt,
            "<=" => CompareOp::Le,
            _ => return None,
        })
    }

    /// Every operator.
    pub const ALL: [CompareOp; 6] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Lt,
        CompareOp::Le,
    ];
}

impl PartialEq for Expr {
    fn eq(&self, other: &Expr) -> bool {
        self.kind == other.kind
    }
}

impl PartialEq for Call {
    fn eq(&self, other: &Call) -> bool {
        self.name == other.name && self.args == other.args
    }
}

impl PartialEq for Arg {
    fn eq(&self, other: &Arg) -> bool {
        self.expr == other.expr
    }
}

impl PartialEq for Compare {
    fn eq(&self, other: &Compare) -> bool {
        self.op == other.op && self.left == other.left && self.right == other.right
    }
}

impl Expr {
    /// A node without a meaningful span (built by code, not read).
    pub fn new(kind: ExprKind) -> Expr {
        Expr {
            kind,
            span: Span::default(),
        }
    }

    /// The call, when this is one.
    pub fn as_call(&self) -> Option<&Call> {
        match &self.kind {
            ExprKind::Call(c) => Some(c),
            _ => None,
        }
    }

    /// The text of a constant (string, number or hex, as a function reads it), when this
    /// is one.
    pub fn constant_text(&self) -> Option<String> {
        match &self.kind {
            ExprKind::Str(s) => Some(s.clone()),
            ExprKind::Number(n) => Some(n.to_string()),
            ExprKind::Hex(h) => Some(h.to_string()),
            ExprKind::Name(n) => Some(n.clone()),
            _ => None,
        }
    }

    /// Visits this node and every node under it, depth first, with its nesting depth.
    /// The tree's depth is bounded by the parser and the JSON reader, so this recursion is
    /// too ([`super::MAX_DEPTH`]).
    pub fn walk<'a>(&'a self, visit: &mut dyn FnMut(&'a Expr, usize)) {
        self.walk_at(0, visit);
    }

    fn walk_at<'a>(&'a self, depth: usize, visit: &mut dyn FnMut(&'a Expr, usize)) {
        visit(self, depth);
        match &self.kind {
            ExprKind::Call(c) => {
                for a in &c.args {
                    if let Some(e) = &a.expr {
                        e.walk_at(depth + 1, visit);
                    }
                }
            }
            ExprKind::Compare(c) => {
                c.left.walk_at(depth + 1, visit);
                c.right.walk_at(depth + 1, visit);
            }
            _ => {}
        }
    }

    /// The attribute names the expression reads, in first-use order, without repeats.
    pub fn attributes(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        self.walk(&mut |e, _| {
            if let ExprKind::Attribute(n) = &e.kind {
                if !out.contains(&n.as_str()) {
                    out.push(n);
                }
            }
        });
        out
    }

    /// The function names the expression calls, in first-use order, without repeats.
    pub fn functions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        self.walk(&mut |e, _| {
            if let ExprKind::Call(c) = &e.kind {
                if !out.contains(&c.name.as_str()) {
                    out.push(&c.name);
                }
            }
        });
        out
    }
}

impl Call {
    /// The argument at `i`, when the position exists and is not empty.
    pub fn arg(&self, i: usize) -> Option<&Expr> {
        self.args.get(i).and_then(|a| a.expr.as_ref())
    }

    /// True when position `i` exists and holds an argument.
    pub fn has(&self, i: usize) -> bool {
        self.arg(i).is_some()
    }
}
