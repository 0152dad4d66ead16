//! Directory exports.
pub mod r#gen;
