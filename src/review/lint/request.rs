//! One `lint` run from file paths: load the rules (a syntax error leaves nothing to
//! lint), and with a directory read it with the inputs, for the findings that need users.
//! Decided here so that the binary is argument parsing and rendering.

use super::{Finding, LintData, LintOptions, lint};
use crate::diag::{Diagnostic, Errors, Failure};
use crate::directory::{ColumnSelection, Progress};
use crate::output::progress::phase;
use crate::pipeline::{DirectorySource, InputFiles, rule_attributes};
use crate::rules::load::{LoadOptions, LoadedRules, load_path_with};
use crate::source::Sources;
use std::path::Path;

/// What `lint` reads.
#[derive(Debug, Clone, Copy)]
pub struct LintRequest<'a> {
    /// The rules file.
    pub rules: &'a Path,
    /// How to read a schema given as rules.
    pub load: &'a LoadOptions,
    /// The directory export, for the findings that need users (none: static findings).
    pub source: Option<&'a DirectorySource>,
    /// Assignments and group members.
    pub files: &'a InputFiles,
    /// Analysis options.
    pub options: &'a LintOptions,
}

/// The findings, with the rules' texts they point into and the directory's warnings.
#[derive(Debug)]
pub struct Linted {
    /// Every finding, in order.
    pub findings: Vec<Finding>,
    /// The rules as loaded.
    pub loaded: LoadedRules,
    /// Warnings of reading the directory.
    pub warnings: Vec<Diagnostic>,
}

impl Linted {
    /// The rules' texts.
    pub fn sources(&self) -> &Sources {
        &self.loaded.sources
    }
}

impl LintRequest<'_> {
    /// Loads, reads and lints.
    pub fn run(&self, progress: &dyn Progress) -> Result<Linted, Failure> {
        let loaded = load_path_with(self.rules, self.load);
        if loaded.has_errors() {
            let mut errors = Errors::from(loaded.diagnostics.clone()).with_sources(&loaded.sources);
            errors.sort();
            let step = Some(self.rules.display().to_string());
            return Err(Failure { step, errors });
        }
        let Some(source) = self.source else {
            let findings = lint(&loaded, None, self.options);
            return Ok(Linted {
                findings,
                loaded,
                warnings: Vec::new(),
            });
        };
        let inputs = self.files.read().map_err(Failure::at(Some("inputs")))?;
        let mut selection = ColumnSelection::only(rule_attributes(&loaded.rules));
        selection.add("userType");
        let dir = source
            .read(selection, progress)
            .map_err(Failure::at(Some("directory")))?;
        progress.phase(phase::LINT);
        let data = LintData {
            dir: &dir,
            inputs: inputs.rollout_inputs(),
        };
        let findings = lint(&loaded, Some(data), self.options);
        let warnings = dir.diagnostics().to_vec();
        Ok(Linted {
            findings,
            loaded,
            warnings,
        })
    }
}
