//! Evaluation of scoping filters: compile rules against a directory, run them in
//! parallel, and explain every verdict.
pub mod bits;
pub mod compile;
pub mod explain;
pub mod reference;
pub mod run;
pub mod warnings;

pub use bits::Bits;
pub use compile::{
    ClauseId, CompiledClause, CompiledFilter, CompiledStage, EvalOptions, FilterId, Plan, StageId,
    Verdict, compile,
};
pub use run::{ChunkOutcome, Outcomes, assemble, evaluate, evaluate_chunk};
pub use warnings::value_warnings;
