//! Refusing outputs that would destroy inputs: a `--report` or `-o` path that is the
//! directory export, the rules file or another output is refused before anything runs.
//!
//! Paths are compared as files (device and inode on Unix), not as names, so that
//! `./users.csv`, a hard link and a symbolic link to it are all the same file. Device
//! nodes (`/dev/null`, `/dev/stdout`) are never a conflict: writing to them destroys
//! nothing.

use super::atomic::resolve;
use crate::diag::{Code, Diagnostic, Errors};
use std::path::{Path, PathBuf};

/// The identity of an existing regular file.
#[cfg(unix)]
fn identity(p: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(p).ok()?;
    m.is_file().then(|| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(p: &Path) -> Option<PathBuf> {
    let m = std::fs::metadata(p).ok()?;
    if !m.is_file() {
        return None;
    }
    std::fs::canonicalize(p).ok()
}

/// The name a not-yet-existing output will have: its directory made absolute.
fn future_name(p: &Path) -> Option<PathBuf> {
    let p = resolve(p);
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(p.file_name()?))
}

/// [`check_outputs`] for the outputs a command line names, some of them absent.
pub fn check_given(inputs: &[PathBuf], outputs: &[(&str, Option<&Path>)]) -> Result<(), Errors> {
    let given: Vec<(&str, &Path)> = outputs
        .iter()
        .filter_map(|&(f, p)| p.map(|p| (f, p)))
        .collect();
    check_outputs(inputs, &given)
}

/// Checks that no output is an input or the same file as another output. `outputs` are
/// `(option, path)` pairs such as `("--report", "r.csv")`.
pub fn check_outputs(inputs: &[PathBuf], outputs: &[(&str, &Path)]) -> Result<(), Errors> {
    let mut errors = Vec::new();
    for (i, (flag, out)) in outputs.iter().enumerate() {
        let target = resolve(out);
        if let Some(id) = identity(&target) {
            if let Some(input) = inputs.iter().find(|p| identity(p).as_ref() == Some(&id)) {
                errors.push(
                    Diagnostic::error(
                        Code::OutputClobbers,
                        format!(
                            "`{flag} {}` is the input `{}`: writing it would destroy the input",
                            out.display(),
                            input.display()
                        ),
                    )
                    .with_help("write the output to another file"),
                );
                continue;
            }
        }
        for (flag2, other) in outputs.iter().skip(i + 1) {
            let same = match (identity(&target), identity(&resolve(other))) {
                (Some(a), Some(b)) => a == b,
                _ => {
                    std::fs::metadata(&target).map_or(true, |m| m.is_file())
                        && future_name(out).is_some()
                        && future_name(out) == future_name(other)
                }
            };
            if same {
                errors.push(
                    Diagnostic::error(
                        Code::OutputClobbers,
                        format!(
                            "`{flag} {}` and `{flag2} {}` are the same file",
                            out.display(),
                            other.display()
                        ),
                    )
                    .with_help("give each output its own file"),
                );
            }
        }
    }
    Errors::check(errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_onto_inputs_or_each_other_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("users.csv");
        std::fs::write(&input, b"a\n").unwrap();
        let inputs = vec![input.clone()];
        let e = check_outputs(&inputs, &[("--report", &input)]).unwrap_err();
        assert_eq!(e.first().code, Code::OutputClobbers);
        // Through another spelling of the same path.
        let dotted = dir.path().join(".").join("users.csv");
        assert!(check_outputs(&inputs, &[("-o", &dotted)]).is_err());
        #[cfg(unix)]
        {
            let link = dir.path().join("link.csv");
            std::os::unix::fs::symlink(&input, &link).unwrap();
            assert!(check_outputs(&inputs, &[("-o", &link)]).is_err());
            let hard = dir.path().join("hard.csv");
            std::fs::hard_link(&input, &hard).unwrap();
            assert!(check_outputs(&inputs, &[("-o", &hard)]).is_err());
        }
        let out = dir.path().join("out.csv");
        assert!(check_outputs(&inputs, &[("--report", &out), ("-o", &out)]).is_err());
        let other = dir.path().join("summary.json");
        assert!(check_outputs(&inputs, &[("--report", &out), ("-o", &other)]).is_ok());
        let null = Path::new("/dev/null");
        assert!(check_outputs(&inputs, &[("--report", null), ("-o", null)]).is_ok());
    }
}
