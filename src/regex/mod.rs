//! Translation of .NET regular expressions for the Rust regex engines.
//!
//! # Why this module exists
//!
//! Entra ID evaluates the `REGEX MATCH` and `NOT REGEX MATCH` operators of a
//! scoping filter with the .NET engine: `Regex.IsMatch(value, pattern)`, which is
//! case-sensitive and unanchored (a match anywhere in the value counts). scopesim
//! runs offline in Rust, so every pattern is parsed here with .NET's own grammar
//! (the structure of `RegexParser.cs`, rule by rule) and re-emitted in the syntax
//! of the Rust engines:
//!
//! * patterns without look-around, backreferences or atomic groups run on the
//!   linear-time [`regex`] crate ([`Engine::Linear`]);
//! * the others run on [`fancy_regex`] with a backtracking budget of
//!   [`BACKTRACK_LIMIT`] steps ([`Engine::Backtracking`]); a match that runs out of
//!   budget returns [`MatchAborted`] instead of hanging or guessing;
//! * constructs that neither engine can express are rejected with a
//!   [`RegexError`] whose span is the byte range of the construct in the .NET
//!   pattern.
//!
//! # What is translated
//!
//! * Literal text is re-escaped for Rust: .NET escapes of non-word characters
//!   (`\@`, `\/`, `\'`, `\ `, `\#`, ...) become plain literals; `{` that does not
//!   start a valid quantifier (`a{`, `{foo}`, `x{,3}`) is a literal; `]` and `}`
//!   outside a class are literals.
//! * Character classes: `[` is literal inside a class, and `&&`, `--`, `~~` have no
//!   set meaning in .NET, so all of them are escaped. A leading `]` is a literal.
//! * Escapes: `\xFF` (exactly two hex digits), `\uFFFF` (a surrogate pair written as
//!   two `\u` escapes becomes one character), `\cX`, `\e`, `\a`, `\f`, `\v`, octal
//!   `\0`, `\012`, and `\10`-style octal when there is no group 10, exactly as .NET
//!   decides between backreference and octal.
//! * Backreferences `\1`, `\k<name>`, `\k'name'`, `\<name>` use .NET's group
//!   numbering (unnamed groups first, named groups after them) and run on the
//!   backtracking engine. Groups that no backreference uses are emitted as
//!   non-capturing groups, since `IsMatch` never reads captures.
//! * Inline options `(?imnsx-imnsx)` and `(?imnsx-imnsx:...)`, including the scoping
//!   of `(?i)` to the end of the enclosing group. `n` only changes group numbering;
//!   `x` is applied while parsing (white space and `#` comments are dropped, as in
//!   .NET, which unlike Rust keeps white space inside classes); `i`, `m` and `s` are
//!   emitted as scoped flags on the atoms they affect, so the translated pattern
//!   never carries a flag beyond its scope (which keeps [`Anchoring::Full`]'s
//!   wrapper `\A(?:...)\z` safe).
//! * `(?#comments)` are removed.
//! * Anchors: `^`, `\A`, `\z` and the multiline `^`/`$` mean the same in both
//!   dialects. .NET's `$` (without `m`) and `\Z` also match before a final `\n`,
//!   which Rust has no assertion for. When nothing but the end of the pattern can
//!   follow, it is emitted as `(?:\n?\z)` (consuming the final newline does not
//!   change whether a match exists; under [`Anchoring::Full`] it is plain `\z`).
//!   Elsewhere (inside a repeated group, a look-around, or followed by more
//!   pattern) it becomes the lookahead `(?=\n?\z)` and the pattern moves to the
//!   backtracking engine.
//! * A quantifier on a zero-width assertion (`\b*`, `(?=a)+`) is valid .NET; it is
//!   reduced to the assertion itself (minimum at least one) or to nothing.
//! * `\p{Lu}`, `\p{Ll}` and `\p{Lt}` under `i` mean "any cased letter" in .NET and
//!   are emitted that way.
//!
//! # What is rejected
//!
//! Character-class subtraction `[a-z-[aeiou]]` (the help spells out the resulting
//! class when it can), balancing groups `(?<a-b>...)`, conditionals
//! `(?(...)...)`, `\G`, Unicode block names `\p{IsGreek}` (the help gives the
//! block's range), `\p{Cs}`, inline options other than `imnsx` (such as
//! RegexOptions-only `r`, `e`), possessive quantifiers (`a*+` is a nested
//! quantifier in .NET), lone UTF-16 surrogates, characters outside the basic
//! multilingual plane inside a class or directly under a quantifier (in .NET the
//! class or quantifier would apply to one UTF-16 half), backreferences to a group
//! name defined twice or to group 0, and every pattern .NET itself rejects, with
//! .NET's reason.
//!
//! # Known remaining differences
//!
//! These are reported in [`Translation::notes`] when a pattern touches them.
//!
//! * `\w` and `\W`: .NET's word class is `[\p{L}\p{Mn}\p{Nd}\p{Pc}]`; Rust's is the
//!   UTS #18 one, which also contains spacing and enclosing marks (`Mc`, `Me`),
//!   letter numbers such as `Ⅻ`, other alphabetic symbols such as `Ⓐ`, and
//!   U+200C/U+200D. `\b` and `\B` inherit the difference. `\d` (`\p{Nd}`) and `\s`
//!   (the 25 White_Space characters) are the same sets in both.
//! * Case-insensitive matching (`i`) uses Unicode simple case folding in Rust and
//!   .NET's culture-aware case-equivalence table in .NET; they disagree on a few
//!   characters such as the Turkish `İ`/`ı`. Under `i`, a class mixing ranges with
//!   `\p{..}` or `\w`-style escapes also case-folds the latter in Rust.
//! * .NET matches UTF-16 code units, Rust matches Unicode scalar values. On text
//!   inside the basic multilingual plane they agree; a character such as an emoji
//!   is two units for `.`, negated classes and counted quantifiers in .NET and one
//!   in Rust. A class range spanning the whole surrogate block (like
//!   `[\u0000-\uFFFF]`) is extended to all supplementary characters.
//! * Inside a class, `[:alpha:]` is not a POSIX class in .NET (current runtimes):
//!   its characters are ordinary members and its `]` closes the class. This is
//!   reproduced, and noted because other engines read it as a POSIX class.
//! * Unicode tables (`\p{..}`, case folding) follow the Unicode versions of the
//!   Rust crates and of the .NET runtime, which need not be the same.
//! * .NET has no backtracking limit of its own (Entra may apply a timeout); here a
//!   pattern on the backtracking engine gives up after [`BACKTRACK_LIMIT`] steps.

mod ast;
mod class;
mod emit;
mod engine_error;
mod escape;
mod literal;
mod matcher;
mod notes;
mod parse;
mod sets;
mod tables;
#[cfg(test)]
mod tests;
mod translate;

pub use matcher::DotnetRegex;
use std::ops::Range;

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

/// How much of the value a pattern has to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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
}

impl RegexError {
    fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        RegexError {
            span,
            message: message.into(),
            help: None,
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
