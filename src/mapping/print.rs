//! Writes an expression tree as expression text, in one canonical layout.
//!
//! The layout is the one Graph echoes in `parsedExpression.expression` (GD-PARSE):
//! arguments separated by `, `, an empty position written as nothing
//! (`Replace([x], "-", , , "_", , )`), strings with `\"` and `\\` escaped. Comparisons are
//! written `left = right` (no documented layout exists). Parsing the output gives the same
//! tree, and printing that tree gives the same text (a property test checks both).

use super::ast::{Expr, ExprKind};
use super::value::quote;
use std::fmt::Write as _;

/// The canonical text of an expression.
pub fn print(expr: &Expr) -> String {
    let mut out = String::new();
    write_expr(expr, &mut out);
    out
}

fn write_expr(expr: &Expr, out: &mut String) {
    match &expr.kind {
        ExprKind::Attribute(name) => {
            out.push('[');
            out.push_str(name);
            out.push(']');
        }
        ExprKind::Str(s) => out.push_str(&quote(s)),
        ExprKind::Number(n) => {
            let _ = write!(out, "{n}");
        }
        ExprKind::Hex(h) => {
            let _ = write!(out, "&H{h:X}");
        }
        ExprKind::Name(n) => out.push_str(n),
        ExprKind::Call(c) => {
            out.push_str(&c.name);
            out.push('(');
            for (i, a) in c.args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if let Some(e) = &a.expr {
                    write_expr(e, out);
                }
            }
            out.push(')');
        }
        ExprKind::Compare(c) => {
            write_expr(&c.left, out);
            out.push(' ');
            out.push_str(c.op.as_str());
            out.push(' ');
            write_expr(&c.right, out);
        }
    }
}
