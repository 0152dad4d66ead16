//! Reports: evidence an auditor can keep. Tables, CSV, JSON and HTML renderings of plans,
//! and the rules every written file follows (atomic write, formula guard, stated inputs).
pub mod atomic;
pub mod csv_guard;
pub mod explain;
pub mod html;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod plan;
