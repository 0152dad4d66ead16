//! Translation of .NET regular expressions for the Rust regex engines.
//!
//! # Why this module exists
//!
//! Entra ID evaluates the `REGEX MATCH` and `NOT REGEX MATCH` operators of a
//! scoping filter with the .NET engine: `Regex.IsMatch(value, pattern)`, which is
//! case-sensitive and unanchored (a match anywhere in the value counts). scopesim
//! runs offline in Rust, so every pattern is parsed here with .NET's own grammar
//! (the structure of `RegexParser.cs`, rule by rule, in its two passes) and
//! re-emitted in the syntax of the Rust engines (S19):
//!
//! * patterns without look-around, backreferences, atomic groups or conditionals
//!   run on the linear-time [`regex`] crate ([`Engine::Linear`]);
//! * the others run on [`fancy_regex`] with a backtracking budget of
//!   [`BACKTRACK_LIMIT`] steps ([`Engine::Backtracking`]); a match that runs out of
//!   budget returns [`MatchAborted`] instead of hanging or guessing;
//! * a pattern .NET rejects is rejected with .NET's reason, and the few that .NET
//!   accepts but no exact translation exists for are refused with the reason
//!   ([`RegexError::dotnet_accepts`]); either way the span is the byte range of the
//!   construct in the .NET pattern.
//!
//! The files follow the pipeline: `parse.rs` (with `escape.rs`,
//! `class.rs`, `notes.rs`) builds the tree of `ast.rs` from the character tables of
//! `tables.rs`; `translate.rs` numbers the groups that references read and drives
//! `emit.rs` and `sets.rs`; `matcher.rs` compiles and matches (with `literal.rs`'s
//! fast path), and `engine_error.rs` maps engine errors back onto the pattern.
//!
//! # UTF-16 (S34)
//!
//! .NET strings are UTF-16: a character outside the basic multilingual plane is two
//! code units for `.`, classes, `\W`, `\S`, `\D`, `\P{..}`, quantifiers and
//! backreferences. The translation works on units: a surrogate is written as a
//! stand-in character of plane 15 (from U+F0000), and a value holding
//! a supplementary character is matched in the same form (each half as its
//! stand-in), so counts and classes are exactly .NET's. Sets that hold no surrogate
//! are restricted to the basic multilingual plane, so values are only rewritten for
//! patterns that can see a half ([`Translation::utf16_units`]), and only when they
//! hold such a character.
//!
//! # What is translated
//!
//! * Literal text, escapes (`\xFF`, `\uFFFF` including lone surrogates, `\cX`,
//!   `\e`, octal, escaped punctuation), `{` that is no quantifier, `]` and `}`
//!   outside a class; inside a class `[`, `&&`, `--`, `~~` are plain characters and
//!   `[:name:]` is skipped, as .NET does.
//! * Classes with subtraction `[a-z-[aeiou]]` (nested, negated, case-insensitive),
//!   general categories `\p{Lu}` (under `i`, `\p{Lu}`/`\p{Ll}`/`\p{Lt}` mean "any
//!   cased letter", as in .NET), `\p{Cs}`, and every named block of .NET's table
//!   (`\p{IsGreek}`, `\p{IsBasicLatin}`, the surrogate blocks) as its unit ranges.
//! * `\w` is .NET's `[\p{L}\p{Mn}\p{Nd}\p{Pc}]`; `\b` and `\B` test .NET's word
//!   class (plus U+200C/U+200D): Rust's `\b` on values where the two agree, the
//!   exact look-around spelling on values holding a character Rust's wider word
//!   class adds ([`Translation::exact_boundary`]).
//! * Anchors, including .NET's `$`/`\Z` before a final `\n`, and `\G`, which for
//!   `IsMatch` is the start of the value wherever it stands.
//! * Groups: .NET's numbering (unnamed first, names after), `(?'name')`, numbered
//!   names, a name or number used by several groups (a reference reads the group
//!   that captured last, when the pattern fixes that order), backreferences to
//!   group 0 or to groups .NET numbers but never fills (they never match).
//! * Conditionals `(?(1)yes|no)`, `(?(name)yes|no)`, `(?(expression)yes|no)` and
//!   `(?(?=x)yes|no)`; a missing `no` is empty (documented since .NET 7); inside a
//!   look-behind the condition is tested at the conditional's right end, as .NET's
//!   right-to-left matching does.
//! * Quantified assertions and look-arounds (`\b*`, `(?=(a))?`), lazy quantifiers,
//!   and counted repetitions of any size .NET accepts: those too large for the
//!   linear engine's automaton run as loops of the backtracking engine.
//! * Inline options `imnsx`, scoped as in .NET, and `(?#comments)`.
//!
//! # What is refused (.NET accepts it, no exact translation exists)
//!
//! Balancing groups `(?<a-b>...)` (they need .NET's capture stacks); inside a
//! look-behind, an atomic group that can choose and a group that a reference reads
//! (.NET matches look-behinds right to left, so both can differ); a reference to a
//! name several groups capture when one of them repeats; the internal `\p{_xml..}`
//! classes; and patterns too large for either engine.
//!
//! # Known remaining differences
//!
//! Reported in [`Translation::notes`] when a pattern touches them:
//!
//! * Case-insensitive matching (`i`) uses Unicode simple case folding; .NET pairs
//!   characters by lower-casing them (with the current culture in .NET Framework),
//!   which differs for a few characters: `ſ`/`s`, `ς`/`σ`, `µ`/`μ`, `ϐ`/`β` and,
//!   outside the invariant culture, the Turkish `İ`/`i`.
//! * `[:alpha:]` in a class: reproduced (skipped), and noted because other engines
//!   read it as a POSIX class.
//!
//! Not noted: Unicode tables (`\p{..}`, case folding) follow the Unicode version of
//! the Rust crates, the .NET runtime its own; .NET has no backtracking limit of its
//! own (Entra may apply a timeout).

mod ast;
mod class;
mod emit;
mod engine_error;
mod escape;
mod literal;
mod matcher;
mod notes;
mod parse;
pub mod replace;
mod sets;
mod tables;
#[cfg(test)]
mod tests;
mod translate;

use engine_error::{backtracking_error, linear_error};
pub use matcher::DotnetRegex;
pub use replace::{CapturingRegex, Replacement};
use std::ops::Range;
use translate::{GroupLayout, translate_groups};

/// Steps the backtracking engine may take in one match before giving up.
pub const BACKTRACK_LIMIT: usize = 1_000_000;

/// Maximum size in bytes of one compiled automaton (`\w{1,256}` needs about 16 MiB).
pub const SIZE_LIMIT: usize = 16 << 20;

/// Maximum size in bytes of the lazy DFA cache of one compiled pattern.
pub const DFA_SIZE_LIMIT: usize = 2 << 20;

/// Deepest nesting of groups accepted in a .NET pattern.
pub(crate) const MAX_GROUP_DEPTH: usize = 100;

/// Nesting limit handed to the Rust parser (the translation adds a few levels).
pub(crate) const RUST_NEST_LIMIT: u32 = 1_000;

/// How much of the value a pattern has to match (S7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Anchoring {
    /// A match anywhere in the value counts, like .NET `Regex.IsMatch`.
    #[default]
    Partial,
    /// The whole value must match the pattern.
    Full,
}

impl Anchoring {
    /// `partial` or `full`, as on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Anchoring::Partial => "partial",
            Anchoring::Full => "full",
        }
    }
}

/// The Rust engine a translated pattern runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The `regex` crate: linear time in the length of the value.
    Linear,
    /// The `fancy_regex` crate: backtracking, bounded by [`BACKTRACK_LIMIT`].
    Backtracking,
}

/// A pattern that cannot be translated or compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RegexError {
    /// Byte range of the offending construct in the original .NET pattern.
    pub span: Range<usize>,
    /// What is wrong: lowercase, no trailing period, user text in backticks.
    pub message: String,
    /// What to do about it, when there is something to do.
    pub help: Option<String>,
    /// True when .NET accepts the pattern and scopesim cannot simulate it exactly (the
    /// message says why): the filter cannot be evaluated as Entra would evaluate it.
    pub dotnet_accepts: bool,
}

impl RegexError {
    fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        RegexError {
            span,
            message: message.into(),
            help: None,
            dotnet_accepts: false,
        }
    }

    /// A pattern .NET accepts that cannot be simulated exactly; the message says why.
    pub(crate) fn not_simulated(span: Range<usize>, message: impl Into<String>) -> Self {
        RegexError {
            dotnet_accepts: true,
            ..RegexError::new(span, message)
        }
    }

    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// A known difference between .NET and the Rust engines that a pattern touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Byte range in the original .NET pattern of the first construct concerned.
    pub span: Range<usize>,
    /// The difference: lowercase, no trailing period.
    pub message: String,
}

/// A .NET pattern rewritten for a Rust engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    /// The pattern in Rust syntax (pure ASCII), anchoring included.
    pub rust_pattern: String,
    /// The engine the pattern needs.
    pub engine: Engine,
    /// Known differences the pattern touches.
    pub notes: Vec<Note>,
    /// S34: the pattern can see a UTF-16 surrogate, so a value holding a character
    /// outside the basic multilingual plane is matched as UTF-16 units.
    pub utf16_units: bool,
    /// The exact spelling of `\b`/`\B` with .NET's word class (backtracking engine),
    /// used on values holding a character Rust's word class adds; `None` when the
    /// pattern runs Rust's `\b` nowhere.
    pub exact_boundary: Option<String>,
}

/// The backtracking engine ran out of its step budget before finding an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the regular expression gave up after {BACKTRACK_LIMIT} backtracking steps")]
pub struct MatchAborted;

/// Translates a .NET pattern into Rust syntax without compiling it.
pub fn translate(pattern: &str, anchoring: Anchoring) -> Result<Translation, RegexError> {
    translate::translate_mapped(pattern, anchoring).map(|(translation, _)| translation)
}
