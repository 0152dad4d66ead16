//! One request for a whole simulation, from file paths to a finished [`Run`]: what every
//! command that simulates takes (`plan`, `explain`, `reconcile`, `audit`). The order of the
//! steps, the check that no output would overwrite an input, and the name of the step that
//! failed are decided once, here, so that the binary is argument parsing and rendering.

use super::{Columns, DirectorySource, InputFiles, Inputs, Options, Rules, Run, Simulation};
use crate::diag::Failure;
use crate::directory::Progress;
use crate::output::paths::check_given;
use crate::output::progress::{phase, total_size};
use crate::rules::load::LoadOptions;
use std::path::{Path, PathBuf};

/// Everything a simulation reads and writes, by path.
#[derive(Debug, Clone, Copy)]
pub struct SimRequest<'a> {
    /// The rules file (`.scope` or a Graph schema; `NAME=schema.json`).
    pub rules: &'a Path,
    /// How to read a schema given as rules (app name, secrets).
    pub load: &'a LoadOptions,
    /// The directory export.
    pub source: &'a DirectorySource,
    /// Assignments, group members, target states.
    pub files: &'a InputFiles,
    /// Evaluation and rollout options.
    pub options: Options,
    /// `--app` and `--stage`, checked against the rules.
    pub app: Option<&'a str>,
    /// See `app`.
    pub stage: Option<&'a str>,
    /// The outputs the command will write, as `(flag, path)`: none may be an input.
    pub outputs: &'a [(&'a str, Option<&'a Path>)],
    /// Inputs the command reads besides these (provisioning logs, job status).
    pub extra_inputs: &'a [PathBuf],
}

/// A simulation that ran: its rules, inputs, result, and what it read them with (for the
/// stages that read the export again, such as payloads).
#[derive(Debug)]
pub struct Simulated {
    /// The loaded rules.
    pub rules: Rules,
    /// The other inputs as read.
    pub inputs: Inputs,
    /// The result.
    pub run: Run,
    /// The directory export it read.
    pub source: DirectorySource,
    /// Its options.
    pub options: Options,
}

impl Simulated {
    /// The simulation that ran.
    pub fn simulation(&self) -> Simulation<'_> {
        Simulation {
            rules: &self.rules,
            directory: &self.source,
            inputs: &self.inputs,
            options: self.options,
        }
    }
}

impl SimRequest<'_> {
    /// Every file the run reads, for the size of a progress bar.
    pub fn read_paths(&self) -> Vec<PathBuf> {
        let mut paths = vec![self.rules.to_path_buf()];
        paths.extend(self.source.paths.iter().cloned());
        paths.extend(self.files.paths());
        paths
    }

    /// Loads the rules, checks the selection and the outputs, reads the inputs and runs.
    pub fn run(&self, columns: Columns, progress: &dyn Progress) -> Result<Simulated, Failure> {
        progress.phase(phase::RULES);
        let anchoring = self.options.eval.anchoring;
        let rules = Rules::load_with(self.rules, self.load, anchoring)
            .map_err(Failure::at(Some(&self.rules.display().to_string())))?;
        progress.advance(total_size([self.rules]));
        rules
            .check_selection(self.app, self.stage)
            .map_err(Failure::at(None))?;
        let mut input_paths = rules.input_paths();
        input_paths.extend(self.source.paths.iter().cloned());
        input_paths.extend(self.files.paths());
        input_paths.extend(self.extra_inputs.iter().cloned());
        check_given(&input_paths, self.outputs).map_err(Failure::at(None))?;
        progress.phase(phase::INPUTS);
        let inputs = self.files.read().map_err(Failure::at(Some("inputs")))?;
        progress.advance(total_size(self.files.paths().iter().map(PathBuf::as_path)));
        let sim = Simulation {
            rules: &rules,
            directory: self.source,
            inputs: &inputs,
            options: self.options,
        };
        let run = sim
            .run(columns, progress)
            .map_err(|e| Failure::at(Some(&crate::output::console::run_label(&e)))(e))?;
        Ok(Simulated {
            rules,
            inputs,
            run,
            source: self.source.clone(),
            options: self.options,
        })
    }
}
