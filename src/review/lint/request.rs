//! One `lint` run from file paths: load the rules (a syntax error leaves nothing to
//! lint), and with a directory run them through the pipeline as `plan` does, for the
//! findings that need users: the export streams and a probe keeps only the values the
//! analyses read, so linting 4,000,000 users takes the memory of planning them. Decided
//! here so that the binary is argument parsing and rendering.

use super::data::{DataPass, simulated_rules, simulation_options};
use super::values::{LintValues, ValueProbe};
use super::{Data, Finding, LintData, LintOptions, lint, lint_with};
use crate::diag::{Diagnostic, Errors, Failure};
use crate::directory::{ColumnSelection, Directory, Progress};
use crate::eval::Plan;
use crate::output::progress::phase;
use crate::pipeline::{
    Columns, DirectorySource, InputFiles, Inputs, Rules, Simulation, rule_attributes,
};
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
    /// The data findings through the pipeline, as `plan` runs it (the export streamed
    /// when it can be, the probe reading the values the analyses want as it goes), so
    /// that linting a directory takes the memory of planning it. `None` when the run
    /// fails: the caller then reads the directory whole and reports what stopped it as
    /// the lint always has (a reading error, or evaluation errors as findings).
    fn streamed(
        &self,
        loaded: &LoadedRules,
        source: &DirectorySource,
        inputs: &Inputs,
        progress: &dyn Progress,
    ) -> Option<Linted> {
        let (simulated, assumed) = simulated_rules(&loaded.rules, inputs.assignments.is_some());
        let rules = Rules::from_loaded(
            self.rules,
            LoadedRules {
                rules: simulated.into_owned(),
                sources: loaded.sources.clone(),
                diagnostics: Vec::new(),
                graph: None,
            },
        );
        let sim = Simulation {
            rules: &rules,
            directory: source,
            inputs,
            options: simulation_options(self.options),
        };
        let make =
            |dir: &Directory, plan: &Plan| ValueProbe::new(&loaded.rules, plan, dir, self.options);
        let columns = Columns::Probed(vec!["userType".to_string()]);
        let (run, groups) = sim.run_probed(columns, progress, &make).ok()?;
        progress.phase(phase::LINT);
        let dir = &run.directory;
        let probe = make(dir, &run.evaluated.plan);
        let values = LintValues::new(&probe, dir.len(), groups);
        let pass = DataPass {
            dir,
            evaluated: &run.evaluated,
            values: &values,
            assumed,
        };
        let findings = lint_with(loaded, Some(Data::Evaluated(pass)), self.options);
        Some(Linted {
            findings,
            loaded: loaded.clone(),
            warnings: dir.diagnostics().to_vec(),
        })
    }

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
        let mut inputs = self.files.read().map_err(Failure::at(Some("inputs")))?;
        // The data pass simulates no existing accounts.
        inputs.target_states.clear();
        if let Some(linted) = self.streamed(&loaded, source, &inputs, progress) {
            return Ok(linted);
        }
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
