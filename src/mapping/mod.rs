//! Attribute mappings: Entra's expression language, read, checked and evaluated offline.
//!
//! Scope decides *who* is provisioned; the schema's attribute mappings decide *what* is
//! written for each of them. Their sources are expressions in Entra's VBA-like language
//! (S39): attribute references `[name]`, string constants, and the documented functions
//! (ED-FUNC), nested freely. This module is that language, shaped like the rule language:
//!
//! ```text
//! expression text --(parse, pest → spanned tree)--> ast::Expr <--(json)-- attributeMappingSource
//!                 --(check)--> diagnostics (did-you-mean, arity, argument kinds)
//!                 --(eval::evaluate, one user's Values + Context)--> Evaluation | EvalError
//! ```
//!
//! * [`parse::parse_source`] reads text (10,000 characters at most, nested at most
//!   [`MAX_DEPTH`] deep); [`print::print`] writes it back in one canonical layout.
//! * [`json::from_json`] and [`json::to_json`] read and write Graph's tree, with the
//!   service's internal parameter keys and its dropped empty arguments.
//! * [`functions::FUNCTIONS`] is the documented catalog; an undocumented function is an
//!   error naming it, never a guess.
//! * [`evaluate`] computes one user's value, with tri-state values ([`value::Value`]),
//!   UTF-16 positions (S34) and .NET dates ([`date`]); `Now`, `Guid` and `RandomString`
//!   take the fixed inputs of a [`Context`], and results say when they used them.
//! * [`mappings::read_mappings`] reads a schema's `attributeMappings` into [`Mapping`]s,
//!   the model the payload stage evaluates per user (S40).
//! * [`parse_expression::parse_expression`] is Graph's `parseExpression` offline, which
//!   `scopesim expression` prints.
//! * [`payload`] is what Entra would write for one user (S40): [`payload::AppMappings`]
//!   evaluates a user's mappings once, [`payload::flow`] applies the flow rules for a
//!   create or an update, and with the account's values ([`target::CurrentValues`]) tells
//!   an update that changes something from one Entra skips (`RedundantExport`).
//!
//! # Example
//!
//! ```
//! use scopesim::mapping::{Context, MapValues, Value, evaluate, parse_text};
//!
//! let expr = parse_text(r#"Join(", ", "", [surname], [givenName])"#).expect("valid");
//! let user = MapValues::new().with("givenName", "John").with("surname", "Doe");
//! let out = evaluate(&expr, &user, &Context::default()).expect("evaluates");
//! assert_eq!(out.value, Value::str("Doe, John"));
//! ```

pub mod ast;
pub mod check;
pub mod date;
mod diacritics;
pub mod eval;
pub mod functions;
pub mod json;
pub mod mappings;
pub mod parse;
pub mod parse_expression;
pub mod payload;
pub mod print;
mod random;
mod replace;
pub mod target;
mod text;
pub mod value;

#[cfg(test)]
mod tests;

pub use ast::{Arg, Call, Compare, CompareOp, Expr, ExprKind};
pub use eval::{Context, EvalError, Evaluation, FixedInputs, evaluate};
pub use mappings::{FlowBehavior, FlowType, Mapping, read_mappings};
pub use payload::{AppMappings, ChangeState, Op, Payload, flow};
pub use target::{Current, CurrentValues, Definitions};
pub use value::{MapValues, Value, Values};

use crate::diag::Errors;
use crate::source::Sources;

/// The longest expression Entra accepts, in UTF-16 units (ED-KNOWN: 10,000 characters).
pub const MAX_EXPRESSION_UNITS: usize = 10_000;

/// The deepest nesting of function calls scopesim reads [decision: Entra documents no
/// limit; 100 is far beyond any real mapping and keeps recursion safe].
pub const MAX_DEPTH: usize = 100;

/// Parses and checks an expression given as text (no attribute names are checked).
pub fn parse_text(text: &str) -> Result<Expr, Errors> {
    let mut sources = Sources::new();
    let id = sources.add("expression", None, text);
    let (expr, mut diags) = parse::parse_source(&sources, id);
    if let Some(e) = &expr {
        diags.extend(check::check(
            e,
            &check::CheckOptions {
                source: id,
                attributes: None,
            },
        ));
    }
    match (expr, crate::diag::has_errors(&diags)) {
        (Some(e), false) => Ok(e),
        _ => Err(Errors::from(diags).with_sources(&sources)),
    }
}
