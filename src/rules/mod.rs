//! Scoping-filter rules: the model, the two syntaxes that produce it, and the checks.
pub mod ast;
pub mod check;
pub mod convert;
pub mod graph_json;
pub mod graph_write;
pub mod json_tree;
pub mod load;
pub mod operator;
pub mod parse;
pub mod print;
pub mod resolve;
pub mod secrets;

pub use ast::*;
pub use operator::Operator;
