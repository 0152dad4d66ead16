//! Reports: evidence an auditor can keep. Tables, CSV, JSON and HTML renderings of plans;
//! the rules every written file follows (atomic write, formula guard) are in
//! [`crate::output`].
pub mod explain;
pub mod html;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod plan;
pub mod plan_output;
