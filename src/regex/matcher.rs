//! Compiled patterns and matching: the engines, the literal fast path, and the two
//! exactness devices that run only on the values that need them.
//!
//! * S34: a pattern that can see a surrogate unit is matched, on a value holding a
//!   character outside the basic multilingual plane, against the value rewritten as
//!   UTF-16 units (each half as its stand-in, see [`super::tables::STAND_IN_BASE`]).
//!   The rewrite goes to a per-thread buffer; other values are matched as they are.
//! * `\b` runs as Rust's `\b` except on values holding a character Rust's word class
//!   adds to .NET's (spacing marks, letter numbers, ...), which run the exact spelling.
//!
//! Values with neither (nearly all directory values) cost one byte scan at most.

use super::emit::Style;
use super::engine_error::{OffsetMap, TOO_BIG_HELP, backtracking_error, linear_error};
use super::literal::LiteralMatch;
use super::tables::unit_char;
use super::translate::parse;
use super::{
    Anchoring, BACKTRACK_LIMIT, DFA_SIZE_LIMIT, Engine, MatchAborted, Note, RUST_NEST_LIMIT,
    RegexError, SIZE_LIMIT, Translation,
};
use std::cell::RefCell;
use std::sync::OnceLock;

/// A compiled .NET pattern.
#[derive(Debug, Clone)]
pub struct DotnetRegex {
    pattern: String,
    translation: Translation,
    pub(super) compiled: Compiled,
    pub(super) literal: Option<LiteralMatch>,
    /// The exact spelling of `\b`, for values holding a character where Rust's word
    /// class is wider than .NET's.
    exact_boundary: Option<Compiled>,
}

#[derive(Debug, Clone)]
pub(super) enum Compiled {
    Linear(regex::Regex),
    Backtracking(fancy_regex::Regex),
}

/// Why a translation did not compile.
enum CompileError {
    /// The automaton would exceed [`SIZE_LIMIT`].
    TooBig,
    Other(RegexError),
}

fn compile(
    pattern: &str,
    engine: Engine,
    map: &OffsetMap,
    len: usize,
) -> Result<Compiled, CompileError> {
    match engine {
        Engine::Linear => regex::RegexBuilder::new(pattern)
            .size_limit(SIZE_LIMIT)
            .dfa_size_limit(DFA_SIZE_LIMIT)
            .nest_limit(RUST_NEST_LIMIT)
            .build()
            .map(Compiled::Linear)
            .map_err(|e| match e {
                regex::Error::CompiledTooBig(_) => CompileError::TooBig,
                e => CompileError::Other(linear_error(&e, map, len)),
            }),
        Engine::Backtracking => fancy_regex::RegexBuilder::new(pattern)
            .backtrack_limit(BACKTRACK_LIMIT)
            .delegate_size_limit(SIZE_LIMIT)
            .delegate_dfa_size_limit(DFA_SIZE_LIMIT)
            .build()
            .map(Compiled::Backtracking)
            .map_err(|e| {
                let err = backtracking_error(&e, map, len);
                if err.message.contains("too large") {
                    CompileError::TooBig
                } else {
                    CompileError::Other(err)
                }
            }),
    }
}

impl DotnetRegex {
    /// Translates and compiles a .NET pattern.
    ///
    /// A pattern whose automaton would be too large for the linear engine (large counted
    /// repetitions such as `\w{1000}`, which .NET accepts) runs on the backtracking
    /// engine with the repetitions counted in its own loop; only a pattern too large for
    /// that too is an error.
    pub fn new(pattern: &str, anchoring: Anchoring) -> Result<DotnetRegex, RegexError> {
        let parsed = parse(pattern)?;
        let style = Style {
            full: anchoring == Anchoring::Full,
            ..Style::default()
        };
        let len = pattern.len();
        let (mut translation, mut map) = parsed.translation(style);
        let compiled = match compile(&translation.rust_pattern, translation.engine, &map, len) {
            Ok(compiled) => compiled,
            Err(CompileError::Other(e)) => return Err(e),
            Err(CompileError::TooBig) if parsed.has_large_repetition() => {
                (translation, map) = parsed.translation(Style {
                    vm_loops: true,
                    ..style
                });
                match compile(&translation.rust_pattern, translation.engine, &map, len) {
                    Ok(compiled) => compiled,
                    Err(CompileError::Other(e)) => return Err(e),
                    Err(CompileError::TooBig) => return Err(too_big(len)),
                }
            }
            Err(CompileError::TooBig) => return Err(too_big(len)),
        };
        let exact_boundary = match &translation.exact_boundary {
            None => None,
            Some(exact) => match compile(exact, Engine::Backtracking, &OffsetMap::default(), len) {
                Ok(compiled) => Some(compiled),
                Err(CompileError::Other(e)) => return Err(e),
                Err(CompileError::TooBig) => return Err(too_big(len)),
            },
        };
        let literal = LiteralMatch::from_translation(&translation);
        Ok(DotnetRegex {
            pattern: pattern.to_owned(),
            literal,
            translation,
            compiled,
            exact_boundary,
        })
    }

    /// The engine this pattern runs on.
    pub fn engine(&self) -> Engine {
        self.translation.engine
    }

    /// Known .NET-versus-Rust differences this pattern touches.
    pub fn notes(&self) -> &[Note] {
        &self.translation.notes
    }

    /// The original .NET pattern.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The pattern as handed to the Rust engine.
    pub fn rust_pattern(&self) -> &str {
        &self.translation.rust_pattern
    }

    /// True when matching is a plain string test (no regex engine call).
    pub fn is_literal(&self) -> bool {
        self.literal.is_some()
    }

    /// The full translation.
    pub fn translation(&self) -> &Translation {
        &self.translation
    }

    /// `Regex.IsMatch(haystack, pattern)` as .NET answers it: Ok(true/false), or
    /// Err(MatchAborted) when the backtracking limit was hit.
    pub fn is_match(&self, haystack: &str) -> Result<bool, MatchAborted> {
        if self.translation.utf16_units && has_supplementary(haystack) {
            return with_units(haystack, |units| self.match_units(units));
        }
        self.match_units(haystack)
    }

    /// Matches a value already in unit form (or one that need not be converted).
    fn match_units(&self, haystack: &str) -> Result<bool, MatchAborted> {
        if let Some(lit) = &self.literal {
            return Ok(lit.is_match(haystack));
        }
        if let Some(exact) = &self.exact_boundary {
            if !haystack.is_ascii() && has_wider_word_char(haystack) {
                return run(exact, haystack);
            }
        }
        run(&self.compiled, haystack)
    }
}

/// The error for a pattern whose automaton would exceed [`SIZE_LIMIT`] on both engines.
fn too_big(len: usize) -> RegexError {
    RegexError::not_simulated(
        0..len,
        format!("pattern is too large to be simulated: it compiles to more than {SIZE_LIMIT} bytes, even with its counted repetitions run as loops"),
    )
    .with_help(TOO_BIG_HELP)
}

#[inline]
fn run(compiled: &Compiled, haystack: &str) -> Result<bool, MatchAborted> {
    match compiled {
        Compiled::Linear(re) => Ok(re.is_match(haystack)),
        Compiled::Backtracking(re) => re.is_match(haystack).map_err(|_| MatchAborted),
    }
}

/// True when the value holds a character outside the basic multilingual plane (its
/// UTF-8 form starts with a byte of `F0` or above). ASCII values, the common case, are
/// settled by the word-at-a-time ASCII test.
#[inline]
fn has_supplementary(s: &str) -> bool {
    !s.is_ascii() && s.bytes().any(|b| b >= 0xF0)
}

/// Writes `s` as UTF-16 units: each supplementary character as the stand-ins of its
/// two surrogates.
pub(super) fn to_units(s: &str, out: &mut String) {
    out.clear();
    for c in s.chars() {
        let mut buf = [0u16; 2];
        for unit in c.encode_utf16(&mut buf) {
            out.push(unit_char(u32::from(*unit)));
        }
    }
}

thread_local! {
    static UNITS: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Runs `f` on `s` in unit form, in this thread's buffer when it is free.
fn with_units<T>(s: &str, f: impl Fn(&str) -> T) -> T {
    let fallback = |s: &str| {
        let mut own = String::new();
        to_units(s, &mut own);
        f(&own)
    };
    UNITS
        .try_with(|cell| match cell.try_borrow_mut() {
            Ok(mut buf) => {
                to_units(s, &mut buf);
                f(&buf)
            }
            Err(_) => fallback(s),
        })
        .unwrap_or_else(|_| fallback(s))
}

/// True when `s` holds a character that Rust's `\b` counts as a word character and
/// .NET's does not (spacing and enclosing marks, letter numbers, `Ⓐ`, ...). Values
/// reach here in unit form or without supplementary characters, so the basic
/// multilingual plane is all there is to look up: one bit per character, computed once.
fn has_wider_word_char(s: &str) -> bool {
    static WIDER: OnceLock<Option<Vec<u64>>> = OnceLock::new();
    let table = WIDER.get_or_init(|| {
        let re = regex::Regex::new(r"\A[\w--[\p{L}\p{Mn}\p{Nd}\p{Pc}\x{200C}\x{200D}]]\z").ok()?;
        let mut bits = vec![0u64; 0x10000 / 64];
        let mut buf = [0u8; 4];
        for c in (0x80..0x10000u32).filter_map(char::from_u32) {
            if re.is_match(c.encode_utf8(&mut buf)) {
                let u = u32::from(c) as usize;
                if let Some(word) = bits.get_mut(u / 64) {
                    *word |= 1 << (u % 64);
                }
            }
        }
        Some(bits)
    });
    let Some(bits) = table else {
        return true; // no table: use the exact spelling
    };
    s.chars().filter(|c| !c.is_ascii()).any(|c| {
        let u = u32::from(c) as usize;
        bits.get(u / 64)
            .is_some_and(|word| word & (1 << (u % 64)) != 0)
    })
}
