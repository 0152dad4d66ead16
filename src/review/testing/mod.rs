//! `scopesim test`: expectations about who is in scope, as data, checked in CI.
//!
//! In the spirit of `opa test` and `cedar run-tests`: a TOML file names the rules, lists
//! users (written inline, or real users of a directory export by UPN or objectId) and what
//! the team expects for each at each app and stage (`in_scope`, `action`, the filter that
//! matches). Real users run through the same pipeline as `plan` on the whole directory
//! (so assignments, nested groups and thresholds count); inline users run on a directory
//! of their own, assigned to the apps they name. A failure shows the stage's filters and
//! clauses with the user's values, the way `explain` does; coverage says which filters
//! were seen both matching and not, and which clauses both true and false, so a suite
//! that never exercises a clause is visible. The file is parsed with spans, so every
//! mistake in it is reported at its line and column.
//!
//! The module follows the stages: [`suite`] reads and validates the file, [`run`] runs
//! the cases and checks the expectations, [`coverage`] counts the outcomes seen, and
//! [`render`] prints the report.

pub mod coverage;
pub mod load;
pub mod render;
pub mod run;
pub mod suite;

pub use coverage::{ClauseCoverage, Coverage, FilterCoverage};
pub use load::{SuiteFailure, run_file};
pub use render::{TestFormat, render, render_text, to_json};
pub use run::{
    CaseResult, ExpectationResult, FailureExplanation, RealUsers, RunError, TestReport, run_suite,
};
pub use suite::{Case, Expectation, Suite, SuiteError, TestUser, load_suite, parse_suite};
