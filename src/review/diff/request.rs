//! One `diff` run from file paths: load both rule sets (or one, for two of its stages),
//! check that no output is an input, read the inputs, compare with the export streamed
//! ([`super::stream`]). The order of the steps and the name of a failing one are decided
//! here, so that the binary is argument parsing and rendering.

use super::compute::{PairError, attributes, compare_with};
use super::stream::Streamed;
use super::{Diff, DiffOptions, Selection, Side};
use crate::diag::{Diagnostic, Errors, Failure};
use crate::directory::Progress;
use crate::output::console::run_label;
use crate::output::paths::check_given;
use crate::output::progress::phase;
use crate::pipeline::evidence::InputRef;
use crate::pipeline::{DirectorySource, InputFiles, Rules};
use crate::rules::load::LoadOptions;
use std::path::{Path, PathBuf};

/// Everything a diff reads and writes, by path.
#[derive(Debug, Clone, Copy)]
pub struct DiffRequest<'a> {
    /// `OLD` and, when given, `NEW`.
    pub rules: &'a [PathBuf],
    /// How to read a schema given as rules.
    pub load: &'a LoadOptions,
    /// The directory export.
    pub source: &'a DirectorySource,
    /// Assignments and group members.
    pub files: &'a InputFiles,
    /// Which stages are compared.
    pub selection: Selection<'a>,
    /// Evaluation options and threshold boundary.
    pub options: DiffOptions,
    /// The outputs the command will write, as `(flag, path)`: none may be an input.
    pub outputs: &'a [(&'a str, Option<&'a Path>)],
}

/// A finished comparison, with what a report states about its inputs.
#[derive(Debug)]
pub struct Diffed {
    /// The old rules (their texts locate warnings).
    pub old: Rules,
    /// The comparison.
    pub diff: Diff,
    /// The directory's warnings, then the comparison's.
    pub warnings: Vec<Diagnostic>,
    /// Rules, directory and other inputs with their hashes.
    pub evidence: Vec<InputRef>,
}

impl DiffRequest<'_> {
    /// Loads, reads and compares.
    pub fn run(&self, progress: &dyn Progress) -> Result<Diffed, Failure> {
        progress.phase(phase::RULES);
        let anchoring = self.options.eval.anchoring;
        let mut loaded = Vec::new();
        for path in self.rules.iter().take(2) {
            let rules = Rules::load_with(path, self.load, anchoring);
            loaded.push(rules.map_err(Failure::at(Some(&path.display().to_string())))?);
        }
        let mut loaded = loaded.into_iter();
        let (Some(old), new) = (loaded.next(), loaded.next()) else {
            return Err(Failure::at(None)(Errors::from(Diagnostic::error(
                crate::diag::Code::Usage,
                "diff needs one or two rules files".to_string(),
            ))));
        };
        let mut paths = old.input_paths();
        paths.extend(new.iter().flat_map(Rules::input_paths));
        paths.extend(self.source.paths.iter().cloned());
        paths.extend(self.files.paths());
        check_given(&paths, self.outputs).map_err(Failure::at(None))?;
        progress.phase(phase::INPUTS);
        let mut inputs = self.files.read().map_err(Failure::at(Some("inputs")))?;
        let attributes = attributes(old.rules(), new.as_ref().unwrap_or(&old).rules());
        let mut streamed =
            Streamed::new(self.source, &mut inputs, attributes, self.options, progress);
        let mut run =
            |b: Side<'_>, br: &Rules, a: Side<'_>, ar: &Rules| streamed.pair(b, br, a, ar);
        let mut compared = compare_with(&old, new.as_ref(), self.selection, &mut run);
        if compared.is_ok() && streamed.read.is_none() {
            // Nothing to compare: the export is still read, for its warnings and hash.
            if let Err(e) = streamed.read_only(&old) {
                compared = Err(e);
            }
        }
        let read = streamed.read.take();
        let mut warnings = read
            .as_ref()
            .map(|r| r.diagnostics.clone())
            .unwrap_or_default();
        let diff = compared.map_err(|e| {
            // Pairing errors have no summary line; an export's errors are named by
            // their file, as `plan` names them.
            let (step, e) = match e {
                PairError::Pairing(e) => (None, e),
                PairError::Side((_, e)) => (Some("rules".to_string()), e),
                PairError::Input(e) => (Some(run_label(&e)), e),
            };
            let mut all = warnings.clone();
            all.extend(e.iter().cloned());
            let errors = Errors::from(all).with_sources(e.sources());
            Failure { step, errors }
        })?;
        progress.phase(phase::COMPARE);
        warnings.extend(diff.warnings.iter().cloned());
        let mut evidence: Vec<InputRef> = old.evidence();
        evidence.extend(new.iter().flat_map(Rules::evidence));
        evidence.extend(
            read.iter()
                .flat_map(|r| &r.inputs)
                .map(|i| InputRef::from_info("directory", i)),
        );
        evidence.extend(inputs.evidence.iter().cloned());
        Ok(Diffed {
            old,
            diff,
            warnings,
            evidence,
        })
    }
}
