//! TEMPORARY shim until the .NET translator lands (same API).
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Anchoring {
    #[default]
    Partial,
    Full,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Linear,
    Backtracking,
}
#[derive(Debug, Clone)]
pub struct RegexError {
    pub span: Range<usize>,
    pub message: String,
    pub help: Option<String>,
}
#[derive(Debug, Clone)]
pub struct Note {
    pub span: Range<usize>,
    pub message: String,
}
#[derive(Debug, Clone, Copy)]
pub struct MatchAborted;
#[derive(Debug, Clone)]
pub struct DotnetRegex {
    re: regex::Regex,
    pattern: String,
}
impl DotnetRegex {
    pub fn new(pattern: &str, anchoring: Anchoring) -> Result<DotnetRegex, RegexError> {
        let p = match anchoring {
            Anchoring::Partial => pattern.to_string(),
            Anchoring::Full => format!("\\A(?:{pattern})\\z"),
        };
        regex::Regex::new(&p)
            .map(|re| DotnetRegex {
                re,
                pattern: pattern.to_string(),
            })
            .map_err(|e| RegexError {
                span: 0..pattern.len(),
                message: format!("invalid regular expression: {e}"),
                help: None,
            })
    }
    pub fn engine(&self) -> Engine {
        Engine::Linear
    }
    pub fn notes(&self) -> &[Note] {
        &[]
    }
    pub fn pattern(&self) -> &str {
        &self.pattern
    }
    pub fn is_match(&self, haystack: &str) -> Result<bool, MatchAborted> {
        Ok(self.re.is_match(haystack))
    }
}
