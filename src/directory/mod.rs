//! Directory exports.
pub mod gen;
