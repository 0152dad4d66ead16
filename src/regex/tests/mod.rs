//! Unit tests of the translator, by area. Helpers shared by all of them live here.

mod constructs;
mod groups;
mod properties;
mod syntax;
mod units;

use super::engine_error::{OffsetMap, caret_offset, linear_error};
use super::matcher::Compiled;
use super::translate::translate_mapped;
use super::{Anchoring, DotnetRegex, Engine, MAX_GROUP_DEPTH, MatchAborted, RegexError, translate};

fn re(pattern: &str) -> DotnetRegex {
    match DotnetRegex::new(pattern, Anchoring::Partial) {
        Ok(re) => re,
        Err(e) => panic!("`{pattern}` should compile: {e:?}"),
    }
}

fn full(pattern: &str) -> DotnetRegex {
    match DotnetRegex::new(pattern, Anchoring::Full) {
        Ok(re) => re,
        Err(e) => panic!("`{pattern}` should compile: {e:?}"),
    }
}

/// Partial (IsMatch) result.
fn m(pattern: &str, haystack: &str) -> bool {
    re(pattern)
        .is_match(haystack)
        .unwrap_or_else(|_| panic!("`{pattern}` aborted on {haystack:?}"))
}

/// Full-anchoring result.
fn fm(pattern: &str, haystack: &str) -> bool {
    full(pattern)
        .is_match(haystack)
        .unwrap_or_else(|_| panic!("`{pattern}` aborted on {haystack:?}"))
}

fn err(pattern: &str) -> RegexError {
    match DotnetRegex::new(pattern, Anchoring::Partial) {
        Ok(re) => panic!(
            "`{pattern}` should be rejected, got `{}`",
            re.rust_pattern()
        ),
        Err(e) => e,
    }
}

/// The offending text of an error.
fn err_text(pattern: &str) -> String {
    let e = err(pattern);
    pattern[e.span.clone()].to_owned()
}

fn rust(pattern: &str) -> String {
    match translate(pattern, Anchoring::Partial) {
        Ok(t) => t.rust_pattern,
        Err(e) => panic!("`{pattern}` should translate: {e:?}"),
    }
}

fn engine(pattern: &str) -> Engine {
    re(pattern).engine()
}
