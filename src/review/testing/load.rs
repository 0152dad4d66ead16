//! A test file end to end: read the suite, load the rules it names, read its real users
//! (directory, assignments, group members) and run it, with every failure named by the
//! step that failed, so the command that prints it is argument parsing and rendering only.

use super::run::{RealUsers, RunError, TestReport, run_suite};
use super::suite::load_suite;
use crate::diag::Errors;
use crate::directory::{ColumnSelection, Progress};
use crate::eval::EvalOptions;
use crate::pipeline::{DirectorySource, InputFiles, Rules};
use crate::regex::Anchoring;
use std::path::Path;

/// Why a test file could not run: the step (the test file's path, the rules' path,
/// `inputs`, `directory` or `rules`) and what went wrong, with its sources.
#[derive(Debug)]
pub struct SuiteFailure {
    /// What the summary line calls the step.
    pub step: String,
    /// The diagnostics, with the texts they point into.
    pub errors: Errors,
}

fn failed(step: impl Into<String>, errors: Errors) -> SuiteFailure {
    SuiteFailure {
        step: step.into(),
        errors,
    }
}

/// Reads and runs the test file at `path`.
pub fn run_file(path: &Path, progress: &dyn Progress) -> Result<TestReport, SuiteFailure> {
    let suite = load_suite(path).map_err(|e| {
        failed(
            path.display().to_string(),
            Errors::from(e.diagnostics).with_sources(&e.sources),
        )
    })?;
    let anchoring = suite.anchoring.unwrap_or(Anchoring::Partial);
    let rules = Rules::load(&suite.rules.node, anchoring)
        .map_err(|e| failed(suite.rules.node.display().to_string(), e))?;
    let real = if suite.directory.is_empty() {
        None
    } else {
        let inputs = InputFiles {
            assignments: suite.assignments.clone().into_iter().collect(),
            group_members: suite.group_members.clone(),
            ..InputFiles::default()
        }
        .read()
        .map_err(|e| failed("inputs", e))?;
        let source = DirectorySource {
            paths: suite.directory.clone(),
            ..DirectorySource::default()
        };
        let dir = source
            .read(ColumnSelection::only(rules.attributes()), progress)
            .map_err(|e| failed("directory", e))?;
        Some((dir, inputs))
    };
    run_suite(
        &suite,
        &rules.loaded,
        real.as_ref().map(|(dir, inputs)| RealUsers {
            dir,
            inputs: inputs.rollout_inputs(),
        }),
        EvalOptions { anchoring },
    )
    .map_err(|e| match e {
        RunError::Suite(d) => failed(
            path.display().to_string(),
            Errors::from(d).with_sources(&suite.sources),
        ),
        RunError::Rules(d) => failed("rules", d.with_sources(rules.sources())),
    })
}
