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

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::OnceLock;

pub mod replace;
pub use replace::{CapturingRegex, Replacement};

/// Steps the backtracking engine may take in one match before giving up.
pub const BACKTRACK_LIMIT: usize = 1_000_000;

/// Maximum size in bytes of one compiled automaton (`\w{1,256}` needs about 16 MiB).
pub const SIZE_LIMIT: usize = 16 << 20;

/// Maximum size in bytes of the lazy DFA cache of one compiled pattern.
pub const DFA_SIZE_LIMIT: usize = 2 << 20;

/// Deepest nesting of groups accepted in a .NET pattern.
const MAX_GROUP_DEPTH: usize = 100;

/// Nesting limit handed to the Rust parser (the translation adds a few levels).
const RUST_NEST_LIMIT: u32 = 1_000;

/// How much of the value a pattern has to match.
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
}

/// The backtracking engine ran out of its step budget before finding an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the regular expression gave up after {BACKTRACK_LIMIT} backtracking steps")]
pub struct MatchAborted;

/// Translates a .NET pattern into Rust syntax without compiling it.
pub fn translate(pattern: &str, anchoring: Anchoring) -> Result<Translation, RegexError> {
    translate_mapped(pattern, anchoring).map(|(translation, _)| translation)
}

/// A compiled .NET pattern.
#[derive(Debug, Clone)]
pub struct DotnetRegex {
    pattern: String,
    translation: Translation,
    compiled: Compiled,
    literal: Option<LiteralMatch>,
}

#[derive(Debug, Clone)]
enum Compiled {
    Linear(regex::Regex),
    Backtracking(fancy_regex::Regex),
}

impl DotnetRegex {
    /// Translates and compiles a .NET pattern.
    pub fn new(pattern: &str, anchoring: Anchoring) -> Result<DotnetRegex, RegexError> {
        let (translation, map) = translate_mapped(pattern, anchoring)?;
        let compiled = match translation.engine {
            Engine::Linear => regex::RegexBuilder::new(&translation.rust_pattern)
                .size_limit(SIZE_LIMIT)
                .dfa_size_limit(DFA_SIZE_LIMIT)
                .nest_limit(RUST_NEST_LIMIT)
                .build()
                .map(Compiled::Linear)
                .map_err(|e| linear_error(&e, &map, pattern.len()))?,
            Engine::Backtracking => fancy_regex::RegexBuilder::new(&translation.rust_pattern)
                .backtrack_limit(BACKTRACK_LIMIT)
                .delegate_size_limit(SIZE_LIMIT)
                .delegate_dfa_size_limit(DFA_SIZE_LIMIT)
                .build()
                .map(Compiled::Backtracking)
                .map_err(|e| backtracking_error(&e, &map, pattern.len()))?,
        };
        let literal = LiteralMatch::from_translation(&translation);
        Ok(DotnetRegex {
            pattern: pattern.to_owned(),
            literal,
            translation,
            compiled,
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

    /// Ok(true/false), or Err(MatchAborted) when the backtracking limit was hit.
    pub fn is_match(&self, haystack: &str) -> Result<bool, MatchAborted> {
        if let Some(lit) = &self.literal {
            return Ok(lit.is_match(haystack));
        }
        match &self.compiled {
            Compiled::Linear(re) => Ok(re.is_match(haystack)),
            Compiled::Backtracking(re) => re.is_match(haystack).map_err(|_| MatchAborted),
        }
    }
}

// ---------------------------------------------------------------------------
// Literal fast path.
// ---------------------------------------------------------------------------

/// Where a literal pattern must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LiteralAnchor {
    /// Anywhere (`contoso`).
    Anywhere,
    /// At the start (`^Sales`).
    Start,
    /// At the end, or before a final newline (`@contoso\.com$`).
    End,
    /// The whole value, or the value before a final newline (`^(DE|FR)$`).
    Whole,
}

/// Patterns that are only literals (or an alternation of literals), optionally anchored:
/// the shape of most scoping-filter regexes. Matching them with `contains`/`starts_with`/
/// `ends_with`/`==` gives the same answer as the regex engine about ten times faster,
/// because the engine's per-call setup dominates on short directory values.
#[derive(Debug, Clone)]
struct LiteralMatch {
    anchor: LiteralAnchor,
    alternatives: Vec<String>,
}

impl LiteralMatch {
    /// Recognises the translated shapes `\A? (lit | (?:lit|lit...)) (?:\n?\z)?` on the
    /// linear engine with no flags; anything else returns `None` (the engine is used).
    fn from_translation(t: &Translation) -> Option<LiteralMatch> {
        if t.engine != Engine::Linear {
            return None;
        }
        let mut p = t.rust_pattern.as_str();
        let start = p.starts_with("\\A");
        if start {
            p = &p[2..];
        }
        let end = p.ends_with("(?:\\n?\\z)");
        if end {
            p = &p[..p.len() - 9];
        }
        let (body, grouped) = match (p.strip_prefix("(?:"), p.ends_with(')')) {
            (Some(inner), true) if balanced_group(p) => (&inner[..inner.len() - 1], true),
            _ => (p, false),
        };
        let parts = split_top_level_bars(body)?;
        if parts.len() > 1 && !grouped && (start || end) {
            // `^a|b` anchors only its first branch
            return None;
        }
        let mut alternatives = Vec::new();
        for alt in parts {
            alternatives.push(literal_text(alt)?);
        }
        let anchor = match (start, end) {
            (false, false) => LiteralAnchor::Anywhere,
            (true, false) => LiteralAnchor::Start,
            (false, true) => LiteralAnchor::End,
            (true, true) => LiteralAnchor::Whole,
        };
        Some(LiteralMatch {
            anchor,
            alternatives,
        })
    }

    #[inline]
    fn is_match(&self, s: &str) -> bool {
        let trimmed = s.strip_suffix('\n');
        self.alternatives.iter().any(|lit| match self.anchor {
            LiteralAnchor::Anywhere => s.contains(lit.as_str()),
            LiteralAnchor::Start => s.starts_with(lit.as_str()),
            LiteralAnchor::End => {
                s.ends_with(lit.as_str()) || trimmed.is_some_and(|t| t.ends_with(lit.as_str()))
            }
            LiteralAnchor::Whole => s == lit || trimmed == Some(lit.as_str()),
        })
    }
}

/// True when `p` is one group `( ... )` whose closing parenthesis is the last byte.
fn balanced_group(p: &str) -> bool {
    let mut depth = 0usize;
    let mut escaped = false;
    for (i, b) in p.bytes().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match b {
            b'\\' => escaped = true,
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i == p.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// Splits on `|` outside escapes; `None` when the text has groups or classes.
fn split_top_level_bars(p: &str) -> Option<Vec<&str>> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, b) in p.bytes().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match b {
            b'\\' => escaped = true,
            b'|' => {
                parts.push(&p[start..i]);
                start = i + 1;
            }
            b'(' | b')' | b'[' | b']' => return None,
            _ => {}
        }
    }
    parts.push(&p[start..]);
    Some(parts)
}

/// The text a pure-literal piece matches: plain characters and escaped punctuation only.
fn literal_text(p: &str) -> Option<String> {
    let mut out = String::with_capacity(p.len());
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let e = chars.next()?;
                if e.is_ascii_punctuation() {
                    out.push(e);
                } else if e == 'x' {
                    // \x{HHHH}
                    if chars.next()? != '{' {
                        return None;
                    }
                    let hex: String = chars.by_ref().take_while(|&h| h != '}').collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                } else {
                    return None;
                }
            }
            '.' | '*' | '+' | '?' | '{' | '}' | '^' | '$' | '|' | '(' | ')' | '[' | ']' => {
                return None;
            }
            c if c.is_whitespace() => return None,
            c => out.push(c),
        }
    }
    if out.is_empty() { None } else { Some(out) }
}

// ---------------------------------------------------------------------------
// Errors from the Rust engines, mapped back onto the .NET pattern.
// ---------------------------------------------------------------------------

/// Pieces of the translated pattern and the .NET bytes they came from.
#[derive(Debug, Default)]
struct OffsetMap {
    entries: Vec<(Range<usize>, Range<usize>)>,
}

impl OffsetMap {
    fn push(&mut self, rust: Range<usize>, dotnet: Range<usize>) {
        self.entries.push((rust, dotnet));
    }

    /// The .NET span of the narrowest translated piece that contains `offset`.
    fn lookup(&self, offset: usize) -> Option<Range<usize>> {
        self.entries
            .iter()
            .filter(|(rust, _)| rust.start <= offset && offset < rust.end.max(rust.start + 1))
            .min_by_key(|(rust, _)| rust.end - rust.start)
            .map(|(_, dotnet)| dotnet.clone())
    }
}

const TOO_BIG_HELP: &str =
    "reduce large repetition counts such as `{1000}`, especially on `\\w` or other Unicode classes";

fn linear_error(err: &regex::Error, map: &OffsetMap, len: usize) -> RegexError {
    match err {
        regex::Error::CompiledTooBig(limit) => RegexError::new(
            0..len,
            format!("pattern is too large: it compiles to more than {limit} bytes"),
        )
        .with_help(TOO_BIG_HELP),
        other => {
            let text = other.to_string();
            let span = caret_offset(&text)
                .and_then(|offset| map.lookup(offset))
                .unwrap_or(0..len);
            let detail = text
                .lines()
                .find_map(|line| line.strip_prefix("error: "))
                .unwrap_or(text.as_str());
            RegexError::new(
                span,
                format!("the regex engine rejects this pattern: {}", tidy(detail)),
            )
        }
    }
}

fn backtracking_error(err: &fancy_regex::Error, map: &OffsetMap, len: usize) -> RegexError {
    match err {
        fancy_regex::Error::ParseError(offset, detail) => RegexError::new(
            map.lookup(*offset).unwrap_or(0..len),
            format!(
                "the backtracking engine rejects this pattern: {}",
                tidy(&detail.to_string())
            ),
        ),
        fancy_regex::Error::CompileError(inner) if matches!(&**inner, fancy_regex::CompileError::InnerError(build) if build.size_limit().is_some()) => {
            RegexError::new(0..len, "pattern is too large to compile").with_help(TOO_BIG_HELP)
        }
        other => {
            let text = other.to_string();
            if text.contains("size limit") {
                return RegexError::new(0..len, "pattern is too large to compile")
                    .with_help(TOO_BIG_HELP);
            }
            RegexError::new(
                0..len,
                format!(
                    "the backtracking engine rejects this pattern: {}",
                    tidy(&text)
                ),
            )
        }
    }
}

/// The byte offset of the first `^` marker in a regex-syntax error rendering of a
/// single-line ASCII pattern.
fn caret_offset(text: &str) -> Option<usize> {
    let mut lines = text.lines().skip(1);
    let _pattern_line = lines.next()?;
    let marker = lines.next()?;
    let start = marker.find('^')?;
    if !marker.trim().chars().all(|c| c == '^' || c == ' ') {
        return None;
    }
    start.checked_sub(4)
}

/// Lowercases the first letter and drops a trailing period.
fn tidy(message: &str) -> String {
    let trimmed = message.trim().trim_end_matches('.');
    let mut chars = trimmed.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------
// Syntax tree
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PerlKind {
    Digit,
    Word,
    Space,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AssertKind {
    /// `^` without `m`, `\A`.
    Begin,
    /// `\z`.
    End,
    /// `$` without `m`, `\Z`: end, or before a final `\n`.
    EndZ,
    /// `^` with `m`.
    Bol,
    /// `$` with `m`.
    Eol,
    WordBoundary,
    NotWordBoundary,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ClassItem {
    /// Inclusive range of UTF-16 code units or, for escapes, of code points.
    Range(u32, u32),
    Perl(PerlKind, bool),
    Prop(String, bool),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Class {
    negated: bool,
    items: Vec<ClassItem>,
    ci: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupKind {
    NonCapture,
    /// A capture group and its .NET slot number (0 during the first pass).
    Capture(u32),
    Atomic,
    Look {
        behind: bool,
        negated: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Empty,
    Lit {
        c: char,
        ci: bool,
        span: Range<usize>,
    },
    Class {
        class: Class,
        span: Range<usize>,
    },
    Dot {
        singleline: bool,
        span: Range<usize>,
    },
    Perl {
        kind: PerlKind,
        negated: bool,
        span: Range<usize>,
    },
    Prop {
        name: String,
        negated: bool,
        ci: bool,
        span: Range<usize>,
    },
    Assert {
        kind: AssertKind,
        span: Range<usize>,
    },
    Backref {
        slot: u32,
        ci: bool,
        span: Range<usize>,
    },
    Group {
        kind: GroupKind,
        child: Box<Node>,
        span: Range<usize>,
    },
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat {
        child: Box<Node>,
        min: u32,
        max: Option<u32>,
        lazy: bool,
        span: Range<usize>,
    },
}

impl Node {
    fn span(&self) -> Option<Range<usize>> {
        match self {
            Node::Lit { span, .. }
            | Node::Class { span, .. }
            | Node::Dot { span, .. }
            | Node::Perl { span, .. }
            | Node::Prop { span, .. }
            | Node::Assert { span, .. }
            | Node::Backref { span, .. }
            | Node::Group { span, .. } => Some(span.clone()),
            Node::Repeat { child, span, .. } => {
                let start = child.span().map_or(span.start, |s| s.start);
                Some(start..span.end)
            }
            Node::Empty | Node::Concat(_) | Node::Alt(_) => None,
        }
    }

    fn walk(&self, visit: &mut dyn FnMut(&Node)) {
        visit(self);
        match self {
            Node::Group { child, .. } | Node::Repeat { child, .. } => child.walk(visit),
            Node::Concat(nodes) | Node::Alt(nodes) => {
                for node in nodes {
                    node.walk(visit);
                }
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------
// Character tables
// ---------------------------------------------------------------------------

/// The general categories .NET accepts in `\p{..}` (names are case-sensitive).
const CATEGORIES: &[&str] = &[
    "Cc", "Cf", "Cn", "Co", "Cs", "C", "Ll", "Lm", "Lo", "Lt", "Lu", "L", "Mc", "Me", "Mn", "M",
    "Nd", "Nl", "No", "N", "Pc", "Pd", "Pe", "Po", "Ps", "Pf", "Pi", "P", "Sc", "Sk", "Sm", "So",
    "S", "Zl", "Zp", "Zs", "Z",
];

/// .NET's named blocks: name, first code unit, one past the last.
const BLOCKS: &[(&str, u32, u32)] = &[
    ("IsAlphabeticPresentationForms", 0xFB00, 0xFB50),
    ("IsArabic", 0x0600, 0x0700),
    ("IsArabicPresentationForms-A", 0xFB50, 0xFE00),
    ("IsArabicPresentationForms-B", 0xFE70, 0xFF00),
    ("IsArmenian", 0x0530, 0x0590),
    ("IsArrows", 0x2190, 0x2200),
    ("IsBasicLatin", 0x0000, 0x0080),
    ("IsBengali", 0x0980, 0x0A00),
    ("IsBlockElements", 0x2580, 0x25A0),
    ("IsBopomofo", 0x3100, 0x3130),
    ("IsBopomofoExtended", 0x31A0, 0x31C0),
    ("IsBoxDrawing", 0x2500, 0x2580),
    ("IsBraillePatterns", 0x2800, 0x2900),
    ("IsBuhid", 0x1740, 0x1760),
    ("IsCJKCompatibility", 0x3300, 0x3400),
    ("IsCJKCompatibilityForms", 0xFE30, 0xFE50),
    ("IsCJKCompatibilityIdeographs", 0xF900, 0xFB00),
    ("IsCJKRadicalsSupplement", 0x2E80, 0x2F00),
    ("IsCJKSymbolsandPunctuation", 0x3000, 0x3040),
    ("IsCJKUnifiedIdeographs", 0x4E00, 0xA000),
    ("IsCJKUnifiedIdeographsExtensionA", 0x3400, 0x4DC0),
    ("IsCherokee", 0x13A0, 0x1400),
    ("IsCombiningDiacriticalMarks", 0x0300, 0x0370),
    ("IsCombiningDiacriticalMarksforSymbols", 0x20D0, 0x2100),
    ("IsCombiningHalfMarks", 0xFE20, 0xFE30),
    ("IsCombiningMarksforSymbols", 0x20D0, 0x2100),
    ("IsControlPictures", 0x2400, 0x2440),
    ("IsCurrencySymbols", 0x20A0, 0x20D0),
    ("IsCyrillic", 0x0400, 0x0500),
    ("IsCyrillicSupplement", 0x0500, 0x0530),
    ("IsDevanagari", 0x0900, 0x0980),
    ("IsDingbats", 0x2700, 0x27C0),
    ("IsEnclosedAlphanumerics", 0x2460, 0x2500),
    ("IsEnclosedCJKLettersandMonths", 0x3200, 0x3300),
    ("IsEthiopic", 0x1200, 0x1380),
    ("IsGeneralPunctuation", 0x2000, 0x2070),
    ("IsGeometricShapes", 0x25A0, 0x2600),
    ("IsGeorgian", 0x10A0, 0x1100),
    ("IsGreek", 0x0370, 0x0400),
    ("IsGreekExtended", 0x1F00, 0x2000),
    ("IsGreekandCoptic", 0x0370, 0x0400),
    ("IsGujarati", 0x0A80, 0x0B00),
    ("IsGurmukhi", 0x0A00, 0x0A80),
    ("IsHalfwidthandFullwidthForms", 0xFF00, 0xFFF0),
    ("IsHangulCompatibilityJamo", 0x3130, 0x3190),
    ("IsHangulJamo", 0x1100, 0x1200),
    ("IsHangulSyllables", 0xAC00, 0xD7B0),
    ("IsHanunoo", 0x1720, 0x1740),
    ("IsHebrew", 0x0590, 0x0600),
    ("IsHighPrivateUseSurrogates", 0xDB80, 0xDC00),
    ("IsHighSurrogates", 0xD800, 0xDB80),
    ("IsHiragana", 0x3040, 0x30A0),
    ("IsIPAExtensions", 0x0250, 0x02B0),
    ("IsIdeographicDescriptionCharacters", 0x2FF0, 0x3000),
    ("IsKanbun", 0x3190, 0x31A0),
    ("IsKangxiRadicals", 0x2F00, 0x2FE0),
    ("IsKannada", 0x0C80, 0x0D00),
    ("IsKatakana", 0x30A0, 0x3100),
    ("IsKatakanaPhoneticExtensions", 0x31F0, 0x3200),
    ("IsKhmer", 0x1780, 0x1800),
    ("IsKhmerSymbols", 0x19E0, 0x1A00),
    ("IsLao", 0x0E80, 0x0F00),
    ("IsLatin-1Supplement", 0x0080, 0x0100),
    ("IsLatinExtended-A", 0x0100, 0x0180),
    ("IsLatinExtended-B", 0x0180, 0x0250),
    ("IsLatinExtendedAdditional", 0x1E00, 0x1F00),
    ("IsLetterlikeSymbols", 0x2100, 0x2150),
    ("IsLimbu", 0x1900, 0x1950),
    ("IsLowSurrogates", 0xDC00, 0xE000),
    ("IsMalayalam", 0x0D00, 0x0D80),
    ("IsMathematicalOperators", 0x2200, 0x2300),
    ("IsMiscellaneousMathematicalSymbols-A", 0x27C0, 0x27F0),
    ("IsMiscellaneousMathematicalSymbols-B", 0x2980, 0x2A00),
    ("IsMiscellaneousSymbols", 0x2600, 0x2700),
    ("IsMiscellaneousSymbolsandArrows", 0x2B00, 0x2C00),
    ("IsMiscellaneousTechnical", 0x2300, 0x2400),
    ("IsMongolian", 0x1800, 0x18B0),
    ("IsMyanmar", 0x1000, 0x10A0),
    ("IsNumberForms", 0x2150, 0x2190),
    ("IsOgham", 0x1680, 0x16A0),
    ("IsOpticalCharacterRecognition", 0x2440, 0x2460),
    ("IsOriya", 0x0B00, 0x0B80),
    ("IsPhoneticExtensions", 0x1D00, 0x1D80),
    ("IsPrivateUse", 0xE000, 0xF900),
    ("IsPrivateUseArea", 0xE000, 0xF900),
    ("IsRunic", 0x16A0, 0x1700),
    ("IsSinhala", 0x0D80, 0x0E00),
    ("IsSmallFormVariants", 0xFE50, 0xFE70),
    ("IsSpacingModifierLetters", 0x02B0, 0x0300),
    ("IsSpecials", 0xFFF0, 0x10000),
    ("IsSuperscriptsandSubscripts", 0x2070, 0x20A0),
    ("IsSupplementalArrows-A", 0x27F0, 0x2800),
    ("IsSupplementalArrows-B", 0x2900, 0x2980),
    ("IsSupplementalMathematicalOperators", 0x2A00, 0x2B00),
    ("IsSyriac", 0x0700, 0x0750),
    ("IsTagalog", 0x1700, 0x1720),
    ("IsTagbanwa", 0x1760, 0x1780),
    ("IsTaiLe", 0x1950, 0x1980),
    ("IsTamil", 0x0B80, 0x0C00),
    ("IsTelugu", 0x0C00, 0x0C80),
    ("IsThaana", 0x0780, 0x07C0),
    ("IsThai", 0x0E00, 0x0E80),
    ("IsTibetan", 0x0F00, 0x1000),
    ("IsUnifiedCanadianAboriginalSyllabics", 0x1400, 0x1680),
    ("IsVariationSelectors", 0xFE00, 0xFE10),
    ("IsYiRadicals", 0xA490, 0xA4D0),
    ("IsYiSyllables", 0xA000, 0xA490),
    ("IsYijingHexagramSymbols", 0x4DC0, 0x4E00),
];

const SURROGATES: Range<u32> = 0xD800..0xE000;

/// .NET's `IsBoundaryWordChar` for one UTF-16 unit: `[\p{L}\p{Mn}\p{Nd}\p{Pc}]`,
/// U+200C and U+200D. A supplementary character is a surrogate pair to .NET, and a
/// surrogate is not a word character.
fn is_word_unit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    if u32::from(c) > 0xFFFF {
        return false;
    }
    static WORD: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let word = WORD
        .get_or_init(|| regex::Regex::new(r"\A[\p{L}\p{Mn}\p{Nd}\p{Pc}\x{200C}\x{200D}]\z").ok());
    match word {
        Some(re) => {
            let mut buf = [0u8; 4];
            re.is_match(c.encode_utf8(&mut buf))
        }
        None => c.is_alphanumeric(),
    }
}

/// Characters that end a run of literal text in .NET (`$ ( ) * + . ? [ \ ^ { |`).
fn is_special(c: char) -> bool {
    matches!(
        c,
        '$' | '(' | ')' | '*' | '+' | '.' | '?' | '[' | '\\' | '^' | '{' | '|'
    )
}

/// White space skipped under `x`: tab, newline, form feed, carriage return, space.
fn is_x_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0C' | '\r' | ' ')
}

fn is_special_or_space(c: char) -> bool {
    is_special(c) || is_x_space(c) || c == '#'
}

fn is_quantifier_char(c: char) -> bool {
    matches!(c, '*' | '+' | '?' | '{')
}

/// A code unit written the way a .NET pattern would write it inside a class.
fn dotnet_char(u: u32) -> String {
    match char::from_u32(u) {
        Some(c) if c.is_ascii_alphanumeric() => c.to_string(),
        Some(c @ ('\\' | ']' | '[' | '^' | '-')) => format!("\\{c}"),
        Some(c) if c.is_ascii_graphic() || c == ' ' => c.to_string(),
        Some(c) if u > 0xFFFF => c.to_string(),
        _ => format!("\\u{u:04X}"),
    }
}

/// Characters with a meaning in Rust syntax, in or out of classes.
const RUST_META: &str = "\\.+*?()|[]{}^$#&-~";

/// A character written for the Rust engines: ASCII only, meta characters escaped.
fn push_rust_char(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() || c == '_' {
        out.push(c);
    } else if RUST_META.contains(c) {
        out.push('\\');
        out.push(c);
    } else if c.is_ascii_graphic() || c == ' ' {
        out.push(c);
    } else if c == '\n' {
        out.push_str("\\n");
    } else {
        let _ = write!(out, "\\x{{{:X}}}", u32::from(c));
    }
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Opts(u8);

impl Opts {
    const I: u8 = 1;
    const M: u8 = 2;
    const N: u8 = 4;
    const S: u8 = 8;
    const X: u8 = 16;

    fn has(self, flag: u8) -> bool {
        self.0 & flag != 0
    }

    fn set(&mut self, flag: u8, on: bool) {
        if on {
            self.0 |= flag;
        } else {
            self.0 &= !flag;
        }
    }
}

/// A capture group as .NET's pre-scan sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Decl {
    Unnamed,
    Numbered(u32),
    Named(String),
}

/// Capture slots after .NET's numbering: unnamed groups first, names after them.
#[derive(Debug, Default)]
struct CapInfo {
    slots: HashSet<u32>,
    names: HashMap<String, u32>,
}

impl CapInfo {
    fn from_decls(decls: &[Decl]) -> CapInfo {
        let mut slots = HashSet::from([0]);
        let mut autocap: u32 = 1;
        let mut names: Vec<&str> = Vec::new();
        for decl in decls {
            match decl {
                Decl::Unnamed => {
                    slots.insert(autocap);
                    autocap = autocap.saturating_add(1);
                }
                Decl::Numbered(n) => {
                    slots.insert(*n);
                }
                Decl::Named(name) => {
                    if !names.contains(&name.as_str()) {
                        names.push(name);
                    }
                }
            }
        }
        let mut by_name = HashMap::new();
        for name in names {
            while slots.contains(&autocap) {
                autocap = autocap.saturating_add(1);
            }
            by_name.insert(name.to_owned(), autocap);
            slots.insert(autocap);
            autocap = autocap.saturating_add(1);
        }
        CapInfo {
            slots,
            names: by_name,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum NoteKind {
    Word,
    Boundary,
    CaseInsensitive,
    PosixBracket,
    SurrogateRange,
}

struct Frame {
    kind: GroupKind,
    open: Range<usize>,
    saved: Opts,
    branches: Vec<Node>,
    concat: Vec<Node>,
}

impl Frame {
    fn finish(self, close_end: usize) -> Node {
        let body = body_of(self.branches, self.concat);
        Node::Group {
            kind: self.kind,
            child: Box::new(body),
            span: self.open.start..close_end,
        }
    }
}

fn body_of(mut branches: Vec<Node>, concat: Vec<Node>) -> Node {
    if branches.is_empty() {
        concat_of(concat)
    } else {
        branches.push(concat_of(concat));
        Node::Alt(branches)
    }
}

fn concat_of(mut nodes: Vec<Node>) -> Node {
    match nodes.len() {
        0 => Node::Empty,
        1 => nodes.pop().unwrap_or(Node::Empty),
        _ => Node::Concat(nodes),
    }
}

enum Token {
    End,
    Ordinary,
    Special(char),
}

struct Parser<'p> {
    pat: &'p str,
    pos: usize,
    opts: Opts,
    /// `None` during the first pass, which only collects capture groups.
    caps: Option<CapInfo>,
    autocap: u32,
    decls: Vec<Decl>,
    notes: Vec<Note>,
    noted: HashSet<NoteKind>,
}

impl<'p> Parser<'p> {
    fn new(pat: &'p str, caps: Option<CapInfo>) -> Self {
        Parser {
            pat,
            pos: 0,
            opts: Opts::default(),
            caps,
            autocap: 1,
            decls: Vec::new(),
            notes: Vec::new(),
            noted: HashSet::new(),
        }
    }

    // -- cursor ------------------------------------------------------------

    fn peek(&self) -> Option<char> {
        self.pat
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.pat
            .get(self.pos..)
            .and_then(|rest| rest.chars().nth(n))
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.pat.len()
    }

    fn rest(&self) -> &'p str {
        self.pat.get(self.pos..).unwrap_or("")
    }

    /// Byte offset just after the character at `at`.
    fn char_end(&self, at: usize) -> usize {
        self.pat
            .get(at..)
            .and_then(|rest| rest.chars().next())
            .map_or(at, |c| at + c.len_utf8())
    }

    fn text(&self, span: Range<usize>) -> &'p str {
        self.pat.get(span).unwrap_or("")
    }

    fn note(&mut self, kind: NoteKind, span: Range<usize>, message: String) {
        if self.noted.insert(kind) {
            self.notes.push(Note { span, message });
        }
    }

    // -- capture lookups (everything exists during the first pass) ----------

    fn is_capture_slot(&self, n: u32) -> bool {
        self.caps
            .as_ref()
            .is_none_or(|caps| caps.slots.contains(&n))
    }

    fn capture_name_slot(&self, name: &str) -> Option<u32> {
        match &self.caps {
            None => Some(0),
            Some(caps) => caps.names.get(name).copied(),
        }
    }

    // -- small scanners ----------------------------------------------------

    /// .NET's `ScanBlank`: `(?#...)` comments, and white space and `#` comments
    /// under `x`.
    fn skip_blank(&mut self) -> Result<(), RegexError> {
        loop {
            if self.opts.has(Opts::X) {
                while self.peek().is_some_and(is_x_space) {
                    self.bump();
                }
            }
            if self.opts.has(Opts::X) && self.peek() == Some('#') {
                self.pos = self
                    .rest()
                    .find('\n')
                    .map_or(self.pat.len(), |i| self.pos + i);
            } else if self.rest().starts_with("(?#") {
                match self.rest().find(')') {
                    Some(i) => self.pos += i + 1,
                    None => {
                        return Err(RegexError::new(
                            self.pos..self.pat.len(),
                            "unterminated `(?#` comment",
                        )
                        .with_help("close the comment with `)`"));
                    }
                }
            } else {
                return Ok(());
            }
        }
    }

    /// .NET's `IsTrueQuantifier`: `*`, `+`, `?`, `{n}`, `{n,}` or `{n,m}` here.
    fn is_true_quantifier(&self) -> bool {
        let b = self.rest().as_bytes();
        match b.first() {
            None => false,
            Some(b'{') => {
                let mut i = 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                if i == b.len() || i == 1 {
                    return false;
                }
                if b[i] == b'}' {
                    return true;
                }
                if b[i] != b',' {
                    return false;
                }
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                i < b.len() && b[i] == b'}'
            }
            Some(&c) => matches!(c, b'*' | b'+' | b'?'),
        }
    }

    /// .NET's `ScanDecimal`: digits up to `i32::MAX`.
    fn scan_decimal(&mut self) -> Result<u32, RegexError> {
        let start = self.pos;
        let mut value: u32 = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            self.bump();
            value = match value.checked_mul(10).and_then(|v| v.checked_add(d)) {
                Some(v) if v <= i32::MAX as u32 => v,
                _ => {
                    while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                        self.bump();
                    }
                    return Err(RegexError::new(
                        start..self.pos,
                        format!(
                            "number `{}` is too large: the limit is {}",
                            self.text(start..self.pos),
                            i32::MAX
                        ),
                    ));
                }
            };
        }
        Ok(value)
    }

    fn scan_capname(&mut self) -> &'p str {
        let start = self.pos;
        while self.peek().is_some_and(is_word_unit) {
            self.bump();
        }
        self.text(start..self.pos)
    }

    // -- main loop (RegexParser.ScanRegex) -----------------------------------

    fn parse(&mut self) -> Result<Node, RegexError> {
        let mut stack: Vec<Frame> = Vec::new();
        let mut cur = Frame {
            kind: GroupKind::NonCapture,
            open: 0..0,
            saved: self.opts,
            branches: Vec::new(),
            concat: Vec::new(),
        };
        let mut unit: Option<Node> = None;
        let mut is_quant = false;

        while !self.at_end() {
            let mut was_prev_quant = is_quant;
            is_quant = false;
            self.skip_blank()?;

            let start = self.pos;
            let x = self.opts.has(Opts::X);
            while let Some(c) = self.peek() {
                let stops = if x {
                    is_special_or_space(c)
                } else {
                    is_special(c)
                };
                // A `{` that does not start a quantifier is ordinary text.
                if stops && (c != '{' || self.is_true_quantifier()) {
                    break;
                }
                self.bump();
            }
            let end = self.pos;

            self.skip_blank()?;

            let tok_start = self.pos;
            let token = match self.peek() {
                None => Token::End,
                Some(c) if is_special(c) => {
                    is_quant = is_quantifier_char(c);
                    self.bump();
                    Token::Special(c)
                }
                Some(_) => Token::Ordinary,
            };

            if start < end {
                let ci = self.opts.has(Opts::I);
                let run: Vec<(usize, char)> = self
                    .text(start..end)
                    .char_indices()
                    .map(|(i, c)| (start + i, c))
                    .collect();
                let unquantified = run.len() - usize::from(is_quant);
                was_prev_quant = false;
                if ci {
                    if let Some(&(at, _)) = run.iter().find(|(_, c)| c.is_alphabetic()) {
                        self.note_case_insensitive(at..end);
                    }
                }
                for &(at, c) in &run[..unquantified] {
                    cur.concat.push(Node::Lit {
                        c,
                        ci,
                        span: at..at + c.len_utf8(),
                    });
                }
                if is_quant {
                    if let Some(&(at, c)) = run.last() {
                        unit = Some(Node::Lit {
                            c,
                            ci,
                            span: at..at + c.len_utf8(),
                        });
                    }
                }
            }

            match token {
                Token::End => break,
                Token::Ordinary => continue,
                Token::Special('[') => {
                    let class = self.parse_class(tok_start)?;
                    unit = Some(Node::Class {
                        class,
                        span: tok_start..self.pos,
                    });
                }
                Token::Special('(') => {
                    let saved = self.opts;
                    if let Some(kind) = self.parse_group_open(tok_start)? {
                        if stack.len() >= MAX_GROUP_DEPTH {
                            return Err(RegexError::new(
                                tok_start..self.pos,
                                format!("groups are nested more than {MAX_GROUP_DEPTH} deep"),
                            ));
                        }
                        let frame = Frame {
                            kind,
                            open: tok_start..self.pos,
                            saved,
                            branches: Vec::new(),
                            concat: Vec::new(),
                        };
                        stack.push(std::mem::replace(&mut cur, frame));
                    }
                    continue;
                }
                Token::Special('|') => {
                    let branch = concat_of(std::mem::take(&mut cur.concat));
                    cur.branches.push(branch);
                    continue;
                }
                Token::Special(')') => {
                    let Some(parent) = stack.pop() else {
                        return Err(RegexError::new(
                            tok_start..self.pos,
                            "unmatched closing parenthesis `)`",
                        )
                        .with_help("escape it as `\\)` to match a parenthesis"));
                    };
                    let frame = std::mem::replace(&mut cur, parent);
                    self.opts = frame.saved;
                    unit = Some(frame.finish(self.pos));
                }
                Token::Special('\\') => {
                    if self.at_end() {
                        return Err(RegexError::new(
                            tok_start..self.pos,
                            "pattern ends with a lone backslash",
                        )
                        .with_help("write `\\\\` to match a backslash"));
                    }
                    unit = Some(self.parse_backslash(tok_start)?);
                }
                Token::Special('^') => {
                    let kind = if self.opts.has(Opts::M) {
                        AssertKind::Bol
                    } else {
                        AssertKind::Begin
                    };
                    unit = Some(Node::Assert {
                        kind,
                        span: tok_start..self.pos,
                    });
                }
                Token::Special('$') => {
                    let kind = if self.opts.has(Opts::M) {
                        AssertKind::Eol
                    } else {
                        AssertKind::EndZ
                    };
                    unit = Some(Node::Assert {
                        kind,
                        span: tok_start..self.pos,
                    });
                }
                Token::Special('.') => {
                    unit = Some(Node::Dot {
                        singleline: self.opts.has(Opts::S),
                        span: tok_start..self.pos,
                    });
                }
                Token::Special(q) => {
                    if unit.is_none() {
                        let quant = self.quantifier_text(tok_start);
                        return Err(if was_prev_quant {
                            let prev = cur
                                .concat
                                .last()
                                .and_then(Node::span)
                                .map_or("a*", |span| self.text(span));
                            RegexError::new(
                                tok_start..tok_start + quant.len(),
                                format!("nested quantifier `{quant}`"),
                            )
                            .with_help(format!(
                                "possessive quantifiers do not exist in .NET; to stop \
                                 backtracking write the atomic group `(?>{prev})`, or group \
                                 first, as in `(?:{prev}){quant}`"
                            ))
                        } else {
                            RegexError::new(
                                tok_start..tok_start + quant.len(),
                                format!("quantifier `{quant}` follows nothing"),
                            )
                            .with_help(format!("escape it as `\\{q}` to match it literally"))
                        });
                    }
                    self.pos = tok_start;
                }
            }

            self.skip_blank()?;

            is_quant = !self.at_end() && self.is_true_quantifier();
            let Some(node) = unit.take() else {
                continue;
            };
            if !is_quant {
                cur.concat.push(node);
                continue;
            }

            let q_start = self.pos;
            let (min, max) = match self.bump() {
                Some('*') => (0, None),
                Some('?') => (0, Some(1)),
                Some('+') => (1, None),
                _ => {
                    let digits = self.pos;
                    let min = self.scan_decimal()?;
                    let mut max = Some(min);
                    if digits < self.pos && self.peek() == Some(',') {
                        self.bump();
                        max = if self.at_end() || self.peek() == Some('}') {
                            None
                        } else {
                            Some(self.scan_decimal()?)
                        };
                    }
                    if digits == self.pos || self.bump() != Some('}') {
                        cur.concat.push(node);
                        self.pos = q_start;
                        continue;
                    }
                    (min, max.filter(|&m| m != i32::MAX as u32))
                }
            };
            let q_end = self.pos;
            self.skip_blank()?;
            let lazy = self.peek() == Some('?');
            if lazy {
                self.bump();
            }
            if max.is_some_and(|m| min > m) {
                return Err(RegexError::new(
                    q_start..q_end,
                    format!(
                        "quantifier `{}` has its minimum above its maximum",
                        self.text(q_start..q_end)
                    ),
                ));
            }
            if let Node::Lit { c, span, .. } = &node {
                if u32::from(*c) > 0xFFFF {
                    return Err(RegexError::new(
                        span.start..q_end,
                        format!(
                            "in .NET the quantifier `{}` applies to the second UTF-16 half of `{c}` only",
                            self.text(q_start..q_end)
                        ),
                    )
                    .with_help(format!("group the character first, as in `(?:{c})`")));
                }
            }
            cur.concat.push(Node::Repeat {
                child: Box::new(node),
                min,
                max,
                lazy,
                span: q_start..self.pos,
            });
        }

        if let Some(unit) = unit {
            cur.concat.push(unit);
        }
        if !stack.is_empty() {
            return Err(
                RegexError::new(cur.open.clone(), "missing closing parenthesis")
                    .with_help("close the group with `)`, or escape the `(` as `\\(`"),
            );
        }
        Ok(body_of(cur.branches, cur.concat))
    }

    /// The quantifier text starting at `at`, for messages.
    fn quantifier_text(&self, at: usize) -> &'p str {
        let rest = self.pat.get(at..).unwrap_or("");
        if rest.starts_with('{') {
            if let Some(close) = rest.find('}') {
                return &rest[..=close];
            }
        }
        rest.get(..1).unwrap_or("")
    }

    // -- groups (RegexParser.ScanGroupOpen) ----------------------------------

    /// Scans what follows `(`. `None` means an option setting such as `(?i)`.
    fn parse_group_open(&mut self, open: usize) -> Result<Option<GroupKind>, RegexError> {
        if self.peek() != Some('?') || self.peek_at(1) == Some(')') {
            return Ok(Some(self.unnamed_group()));
        }
        self.bump();
        let invalid = |p: &Self, at: usize| {
            let end = p.char_end(at).max(p.pos);
            RegexError::new(
                open..end,
                format!("unrecognized grouping construct `{}`", p.text(open..end)),
            )
        };
        let Some(c) = self.bump() else {
            return Err(invalid(self, self.pos));
        };
        match c {
            ':' => Ok(Some(GroupKind::NonCapture)),
            '=' => Ok(Some(GroupKind::Look {
                behind: false,
                negated: false,
            })),
            '!' => Ok(Some(GroupKind::Look {
                behind: false,
                negated: true,
            })),
            '>' => Ok(Some(GroupKind::Atomic)),
            '<' | '\'' => {
                let close = if c == '<' { '>' } else { '\'' };
                let at = self.pos;
                let Some(c2) = self.bump() else {
                    return Err(invalid(self, at));
                };
                match c2 {
                    '=' | '!' if close == '>' => Ok(Some(GroupKind::Look {
                        behind: true,
                        negated: c2 == '!',
                    })),
                    '=' | '!' => Err(invalid(self, at)),
                    _ => {
                        self.pos = at;
                        self.named_group(open, close).map(Some)
                    }
                }
            }
            '(' => {
                let end = self.group_end(open);
                Err(RegexError::new(
                    open..end,
                    "conditional expressions `(?(...)yes|no)` are not supported",
                )
                .with_help("rewrite the condition with look-around, e.g. `(?:(?=x)yes|(?!x)no)`"))
            }
            _ => {
                self.pos -= c.len_utf8();
                self.scan_options();
                let at = self.pos;
                match self.bump() {
                    Some(')') => Ok(None),
                    Some(':') => Ok(Some(GroupKind::NonCapture)),
                    Some(letter) if letter.is_ascii_alphabetic() && self.option_like(at) => {
                        Err(RegexError::new(
                            at..at + 1,
                            format!("inline option `{letter}` is not supported"),
                        )
                        .with_help("only `i`, `m`, `n`, `s` and `x` can be set inside a pattern"))
                    }
                    Some('P') if self.peek() == Some('<') => {
                        Err(invalid(self, at).with_help("write a named group as `(?<name>...)`"))
                    }
                    _ => Err(invalid(self, at)),
                }
            }
        }
    }

    /// True when the text at `at` looks like the rest of an option group, such as
    /// `r)` in `(?r)` or `e-i:` in `(?e-i:...)`.
    fn option_like(&self, at: usize) -> bool {
        let rest = self.pat.get(at..).unwrap_or("");
        rest.chars()
            .find(|c| !(c.is_ascii_alphabetic() || *c == '-' || *c == '+'))
            .is_some_and(|c| c == ')' || c == ':')
    }

    fn unnamed_group(&mut self) -> GroupKind {
        if self.opts.has(Opts::N) {
            return GroupKind::NonCapture;
        }
        self.decls.push(Decl::Unnamed);
        let slot = self.autocap;
        self.autocap = self.autocap.saturating_add(1);
        GroupKind::Capture(slot)
    }

    /// `(?<name>`, `(?'name'`, `(?<3>`, and the balancing forms, which are rejected.
    fn named_group(&mut self, open: usize, close: char) -> Result<GroupKind, RegexError> {
        let bad_name = |p: &Self| {
            let end = p.char_end(p.pos).max(p.pos);
            RegexError::new(open..end, "invalid group name").with_help(
                "a group name is a number or a run of word characters, as in `(?<year>...)`",
            )
        };
        let name_start = self.pos;
        let first = self.peek();
        let mut slot: Option<u32> = None;
        let mut balancing = false;
        let mut decl = None;
        match first {
            Some(c) if c.is_ascii_digit() => {
                let n = self.scan_decimal()?;
                if self.is_capture_slot(n) {
                    slot = Some(n);
                }
                if !self.at_end() && !matches!(self.peek(), Some(p) if p == close || p == '-') {
                    return Err(bad_name(self));
                }
                if n == 0 {
                    return Err(RegexError::new(
                        name_start..self.pos,
                        "capture group number must not be 0",
                    ));
                }
                if c != '0' {
                    decl = Some(Decl::Numbered(n));
                }
            }
            Some(c) if is_word_unit(c) => {
                let name = self.scan_capname();
                slot = self.capture_name_slot(name);
                if !self.at_end() && !matches!(self.peek(), Some(p) if p == close || p == '-') {
                    return Err(bad_name(self));
                }
                decl = Some(Decl::Named(name.to_owned()));
            }
            Some('-') => balancing = true,
            _ => return Err(bad_name(self)),
        }
        if (slot.is_some() || balancing) && self.peek() == Some('-') && self.peek_at(1).is_some() {
            let end = self
                .rest()
                .find(close)
                .filter(|&i| i > 0)
                .map_or(self.pos, |i| self.pos + i + close.len_utf8());
            return Err(RegexError::new(
                open..end,
                format!(
                    "balancing group `{}` is not supported",
                    self.text(open..end)
                ),
            )
            .with_help(
                "balancing groups need .NET's capture stacks, which the Rust engines do not have",
            ));
        }
        match slot {
            Some(slot) if self.bump() == Some(close) => {
                if let Some(decl) = decl {
                    self.decls.push(decl);
                }
                Ok(GroupKind::Capture(slot))
            }
            _ => {
                let end = self.pos.max(name_start);
                Err(RegexError::new(
                    open..end,
                    format!("unrecognized grouping construct `{}`", self.text(open..end)),
                ))
            }
        }
    }

    /// .NET's `ScanOptions`: `i m n s x` (any case), `-` turns off, `+` turns on.
    fn scan_options(&mut self) {
        let mut on = true;
        while let Some(c) = self.peek() {
            match c {
                '-' => on = false,
                '+' => on = true,
                _ => {
                    let flag = match c.to_ascii_lowercase() {
                        'i' => Opts::I,
                        'm' => Opts::M,
                        'n' => Opts::N,
                        's' => Opts::S,
                        'x' => Opts::X,
                        _ => return,
                    };
                    self.opts.set(flag, on);
                }
            }
            self.bump();
        }
    }

    /// Offset just past the `)` that closes the group opened at `open` (for spans
    /// of rejected constructs), or the end of the pattern.
    fn group_end(&self, open: usize) -> usize {
        let mut depth = 0usize;
        let mut chars = self.pat.get(open..).unwrap_or("").char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '[' => {
                    let mut first = true;
                    for (_, d) in chars.by_ref() {
                        if d == ']' && !first {
                            break;
                        }
                        first = d == '^' && first;
                    }
                }
                '(' => depth += 1,
                ')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return open + i + 1;
                    }
                }
                _ => {}
            }
        }
        self.pat.len()
    }

    // -- escapes (ScanBackslash, ScanBasicBackslash, ScanCharEscape) ---------

    fn parse_backslash(&mut self, esc: usize) -> Result<Node, RegexError> {
        let Some(c) = self.peek() else {
            return Err(RegexError::new(
                esc..self.pos,
                "pattern ends with a lone backslash",
            ));
        };
        let assert = match c {
            'b' => Some(AssertKind::WordBoundary),
            'B' => Some(AssertKind::NotWordBoundary),
            'A' => Some(AssertKind::Begin),
            'Z' => Some(AssertKind::EndZ),
            'z' => Some(AssertKind::End),
            _ => None,
        };
        if let Some(kind) = assert {
            self.bump();
            let span = esc..self.pos;
            if matches!(kind, AssertKind::WordBoundary | AssertKind::NotWordBoundary) {
                self.note_boundary(span.clone());
            }
            return Ok(Node::Assert { kind, span });
        }
        match c {
            'G' => {
                self.bump();
                Err(RegexError::new(
                    esc..self.pos,
                    "`\\G` (end of the previous match) is not supported",
                )
                .with_help(
                    "for a single `IsMatch` call `\\G` means the start of the value: use `\\A`",
                ))
            }
            'w' | 'W' | 's' | 'S' | 'd' | 'D' => {
                self.bump();
                let kind = match c.to_ascii_lowercase() {
                    'w' => PerlKind::Word,
                    's' => PerlKind::Space,
                    _ => PerlKind::Digit,
                };
                let span = esc..self.pos;
                if kind == PerlKind::Word {
                    self.note_word(span.clone());
                }
                Ok(Node::Perl {
                    kind,
                    negated: c.is_ascii_uppercase(),
                    span,
                })
            }
            'p' | 'P' => {
                self.bump();
                let name = self.parse_property(esc)?;
                self.check_property(&name, c == 'P', esc)?;
                Ok(Node::Prop {
                    name,
                    negated: c == 'P',
                    ci: self.opts.has(Opts::I),
                    span: esc..self.pos,
                })
            }
            _ => self.parse_basic_backslash(esc),
        }
    }

    fn backref(&mut self, slot: u32, esc: usize) -> Node {
        if self.opts.has(Opts::I) {
            self.note_case_insensitive(esc..self.pos);
        }
        Node::Backref {
            slot,
            ci: self.opts.has(Opts::I),
            span: esc..self.pos,
        }
    }

    fn parse_basic_backslash(&mut self, esc: usize) -> Result<Node, RegexError> {
        let backpos = self.pos;
        let mut close = '\0';
        let mut angled = false;
        let mut c = self.peek();

        if c == Some('k') {
            if self.peek_at(1).is_some() {
                self.bump();
                if let Some(open @ ('<' | '\'')) = self.bump() {
                    angled = true;
                    close = if open == '<' { '>' } else { '\'' };
                }
            }
            if !angled || self.at_end() {
                return Err(RegexError::new(
                    esc..self.pos.max(backpos + 1),
                    "malformed named backreference `\\k`",
                )
                .with_help("write `\\k<name>` or `\\k'name'`"));
            }
            c = self.peek();
        } else if matches!(c, Some('<' | '\'')) && self.peek_at(1).is_some() {
            angled = true;
            close = if c == Some('<') { '>' } else { '\'' };
            self.bump();
            c = self.peek();
        }

        match c {
            Some(d) if angled && d.is_ascii_digit() => {
                let n = self.scan_decimal()?;
                if self.bump() == Some(close) {
                    if self.is_capture_slot(n) {
                        return Ok(self.backref(n, esc));
                    }
                    return Err(RegexError::new(
                        esc..self.pos,
                        format!("reference to undefined group number `{n}`"),
                    ));
                }
            }
            Some(d) if !angled && ('1'..='9').contains(&d) => {
                let n = self.scan_decimal()?;
                if self.is_capture_slot(n) {
                    return Ok(self.backref(n, esc));
                }
                if n <= 9 {
                    return Err(RegexError::new(
                        esc..self.pos,
                        format!("reference to undefined group number `{n}`"),
                    )
                    .with_help(format!(
                        "there is no group {n}; to match the character with code {n}, write `\\x{n:02X}`"
                    )));
                }
            }
            Some(d) if angled && is_word_unit(d) => {
                let name = self.scan_capname();
                if self.bump() == Some(close) {
                    if let Some(slot) = self.capture_name_slot(name) {
                        return Ok(self.backref(slot, esc));
                    }
                    return Err(RegexError::new(
                        esc..self.pos,
                        format!("reference to undefined group name `{name}`"),
                    ));
                }
            }
            _ => {}
        }

        self.pos = backpos;
        let unit = self.scan_char_escape(esc)?;
        self.literal_unit(unit, esc)
    }

    /// Turns one escaped code unit into a literal, pairing `\uD83D\uDE00`.
    fn literal_unit(&mut self, unit: u32, esc: usize) -> Result<Node, RegexError> {
        let ci = self.opts.has(Opts::I);
        if (0xD800..0xDC00).contains(&unit) {
            let rest = self.rest();
            let low = rest
                .strip_prefix("\\u")
                .and_then(|hex| hex.get(..4))
                .filter(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .filter(|low| (0xDC00..0xE000).contains(low));
            if let Some(low) = low {
                let combined = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                if let Some(c) = char::from_u32(combined) {
                    self.pos += 6;
                    return Ok(Node::Lit {
                        c,
                        ci,
                        span: esc..self.pos,
                    });
                }
            }
        }
        match char::from_u32(unit) {
            Some(c) => Ok(Node::Lit {
                c,
                ci,
                span: esc..self.pos,
            }),
            None => Err(lone_surrogate(esc..self.pos, self.text(esc..self.pos))),
        }
    }

    /// .NET's `ScanCharEscape`; returns a UTF-16 code unit, or a supplementary
    /// character escaped as itself.
    fn scan_char_escape(&mut self, esc: usize) -> Result<u32, RegexError> {
        let Some(c) = self.bump() else {
            return Err(RegexError::new(
                esc..self.pos,
                "pattern ends with a lone backslash",
            ));
        };
        Ok(match c {
            '0'..='7' => {
                self.pos -= 1;
                let mut value = 0u32;
                for _ in 0..3 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            self.bump();
                            value = value * 8 + d;
                        }
                        None => break,
                    }
                }
                value & 0xFF
            }
            'x' => self.scan_hex(2, esc)?,
            'u' => self.scan_hex(4, esc)?,
            'a' => 0x07,
            'b' => 0x08,
            'e' => 0x1B,
            'f' => 0x0C,
            'n' => 0x0A,
            'r' => 0x0D,
            't' => 0x09,
            'v' => 0x0B,
            'c' => {
                let Some(control) = self.bump() else {
                    return Err(RegexError::new(
                        esc..self.pos,
                        "missing control character after `\\c`",
                    )
                    .with_help("write a letter after `\\c`, as in `\\cM` for a carriage return"));
                };
                let upper = control.to_ascii_uppercase();
                match u32::from(upper).checked_sub(u32::from('@')) {
                    Some(value) if value < 0x20 => value,
                    _ => {
                        return Err(RegexError::new(
                            esc..self.pos,
                            format!("unrecognized control character `\\c{control}`"),
                        )
                        .with_help("`\\c` takes a letter or one of `@ [ \\ ] ^ _`"));
                    }
                }
            }
            _ if is_word_unit(c) => {
                return Err(
                    RegexError::new(esc..self.pos, format!("unrecognized escape `\\{c}`"))
                        .with_help(format!(
                            "write `{c}` without the backslash to match it literally"
                        )),
                );
            }
            _ => u32::from(c),
        })
    }

    fn scan_hex(&mut self, digits: usize, esc: usize) -> Result<u32, RegexError> {
        let mut value = 0u32;
        for _ in 0..digits {
            match self.peek().and_then(|c| c.to_digit(16)) {
                Some(d) => {
                    self.bump();
                    value = value * 16 + d;
                }
                None => {
                    let letter = if digits == 2 { 'x' } else { 'u' };
                    let end = if self.at_end() {
                        self.pos
                    } else {
                        self.char_end(self.pos)
                    };
                    return Err(RegexError::new(
                        esc..end,
                        format!("`\\{letter}` needs exactly {digits} hex digits"),
                    )
                    .with_help(if digits == 2 {
                        "write two hex digits, as in `\\x41`; use `\\u0141` for larger code points"
                    } else {
                        "write four hex digits, as in `\\u00E9`"
                    }));
                }
            }
        }
        Ok(value)
    }

    /// .NET's `ParseProperty`: the name inside `\p{...}`.
    fn parse_property(&mut self, esc: usize) -> Result<String, RegexError> {
        let incomplete = |p: &Self| {
            RegexError::new(esc..p.pos.max(esc + 2), "incomplete `\\p{...}` escape")
                .with_help("write a category in braces, as in `\\p{Lu}`")
        };
        if self.rest().chars().take(3).count() < 3 {
            self.pos = self.pat.len();
            return Err(incomplete(self));
        }
        if self.bump() != Some('{') {
            return Err(RegexError::new(
                esc..self.pos,
                format!("malformed `{}` escape", self.text(esc..self.pos)),
            )
            .with_help("the category goes in braces, as in `\\p{L}`"));
        }
        let start = self.pos;
        while self.peek().is_some_and(|c| is_word_unit(c) || c == '-') {
            self.bump();
        }
        let name = self.text(start..self.pos).to_owned();
        if self.bump() != Some('}') {
            return Err(incomplete(self));
        }
        Ok(name)
    }

    fn check_property(&mut self, name: &str, negated: bool, esc: usize) -> Result<(), RegexError> {
        let span = esc..self.pos;
        let text = self.text(span.clone());
        if name == "Cs" {
            return Err(RegexError::new(
                span,
                format!("`{text}` (UTF-16 surrogates) is not supported"),
            )
            .with_help("the Rust engines match whole characters, never surrogate halves"));
        }
        if CATEGORIES.contains(&name) {
            return Ok(());
        }
        if let Some(&(_, first, end)) = BLOCKS.iter().find(|(block, _, _)| *block == name) {
            let range = format!(
                "{}{}-{}",
                if negated { "^" } else { "" },
                dotnet_char(first),
                dotnet_char(end - 1)
            );
            let err = RegexError::new(span, format!("unicode block `{text}` is not supported"));
            return Err(if SURROGATES.contains(&first) {
                err.with_help("the Rust engines match whole characters, never surrogate halves")
            } else {
                err.with_help(format!("write the block as a range: `[{range}]`"))
            });
        }
        if name.starts_with("_xml") {
            return Err(RegexError::new(
                span,
                format!("internal .NET class `{text}` is not supported"),
            ));
        }
        Err(
            RegexError::new(span, format!("unknown unicode category `{name}`")).with_help(
                "use a general category such as `L`, `Lu`, `Ll`, `Nd`, `P` or `Zs` \
                 (names are case-sensitive; .NET has no scripts such as `Greek`)",
            ),
        )
    }

    // -- character classes (RegexParser.ScanCharClass) -----------------------

    fn parse_class(&mut self, open: usize) -> Result<Class, RegexError> {
        let ci = self.opts.has(Opts::I);
        let mut items = Vec::new();
        let mut negated = false;
        let mut ch_prev = 0u32;
        let mut range_start = open;
        let mut dash_pos = open;
        let mut in_range = false;
        let mut first = true;
        let mut closed = false;

        if self.peek() == Some('^') {
            self.bump();
            negated = true;
        }

        while !self.at_end() {
            let item = self.pos;
            let mut translated = false;
            let Some(c) = self.bump() else { break };
            let mut ch = u32::from(c);
            if c == ']' {
                if !first {
                    closed = true;
                    break;
                }
            } else if c == '\\' && !self.at_end() {
                let e = self.peek().unwrap_or('\\');
                match e {
                    'd' | 'D' | 's' | 'S' | 'w' | 'W' | 'p' | 'P' => {
                        self.bump();
                        if in_range {
                            return Err(RegexError::new(
                                range_start..self.pos,
                                format!(
                                    "a range cannot end in the class `{}`",
                                    self.text(item..self.pos)
                                ),
                            )
                            .with_help(format!(
                                "escape the hyphen: `{}\\-{}`",
                                dotnet_char(ch_prev),
                                self.text(item..self.pos)
                            )));
                        }
                        if matches!(e, 'p' | 'P') {
                            let name = self.parse_property(item)?;
                            self.check_property(&name, e == 'P', item)?;
                            items.push(ClassItem::Prop(name, e == 'P'));
                        } else {
                            let kind = match e.to_ascii_lowercase() {
                                'w' => PerlKind::Word,
                                's' => PerlKind::Space,
                                _ => PerlKind::Digit,
                            };
                            if kind == PerlKind::Word {
                                self.note_word(item..self.pos);
                            }
                            items.push(ClassItem::Perl(kind, e.is_ascii_uppercase()));
                        }
                        first = false;
                        continue;
                    }
                    '-' => {
                        self.bump();
                        let dash = u32::from('-');
                        if in_range {
                            if ch_prev > dash {
                                return Err(self.reversed_range(range_start, ch_prev, dash));
                            }
                            items.push(ClassItem::Range(ch_prev, dash));
                            in_range = false;
                        } else {
                            items.push(ClassItem::Range(dash, dash));
                        }
                        first = false;
                        continue;
                    }
                    _ => {
                        ch = self.scan_char_escape(item)?;
                        translated = true;
                    }
                }
            } else if c == '[' && self.peek() == Some(':') {
                self.note_posix(item);
            }

            if ch > 0xFFFF {
                return Err(RegexError::new(
                    item..self.pos,
                    format!(
                        "`{}` is outside the basic multilingual plane: in a .NET character class it stands for its two UTF-16 halves",
                        self.text(item..self.pos)
                    ),
                )
                .with_help("use an alternation instead of the class, as in `(?:😀|😁)`"));
            }
            if SURROGATES.contains(&ch) {
                return Err(lone_surrogate(item..self.pos, self.text(item..self.pos)));
            }

            if in_range {
                in_range = false;
                if ch == u32::from('[') && !translated && !first {
                    // `[a-[b]]`: a subtraction after a single character.
                    items.push(ClassItem::Range(ch_prev, ch_prev));
                    return Err(self.subtraction(dash_pos, item, negated, ci, items));
                }
                if ch_prev > ch {
                    return Err(self.reversed_range(range_start, ch_prev, ch));
                }
                if ch_prev < SURROGATES.start && ch >= SURROGATES.end {
                    self.note(
                        NoteKind::SurrogateRange,
                        range_start..self.pos,
                        format!(
                            "`{}` covers the UTF-16 surrogates: .NET matches each half of a character outside the basic multilingual plane (such as an emoji), Rust the whole character, so counts can differ",
                            self.text(range_start..self.pos)
                        ),
                    );
                }
                items.push(ClassItem::Range(ch_prev, ch));
            } else if self.peek() == Some('-') && self.peek_at(1).is_some_and(|n| n != ']') {
                ch_prev = ch;
                range_start = item;
                dash_pos = self.pos;
                in_range = true;
                self.bump();
            } else if ch == u32::from('-') && !translated && self.peek() == Some('[') && !first {
                return Err(self.subtraction(item, self.pos, negated, ci, items));
            } else {
                items.push(ClassItem::Range(ch, ch));
            }
            first = false;
        }

        if !closed {
            return Err(
                RegexError::new(open..self.pat.len(), "unterminated character class")
                    .with_help("close the class with `]`, or escape the `[` as `\\[`"),
            );
        }
        if ci {
            self.note_case_insensitive(open..self.pos);
        }
        Ok(Class { negated, items, ci })
    }

    fn reversed_range(&self, start: usize, from: u32, to: u32) -> RegexError {
        RegexError::new(
            start..self.pos,
            format!(
                "character range `{}` is in reverse order",
                self.text(start..self.pos)
            ),
        )
        .with_help(format!(
            "write it as `{}-{}`",
            dotnet_char(to),
            dotnet_char(from)
        ))
    }

    /// Rejects `-[...]` (character-class subtraction) starting at `dash`; `nested`
    /// is the offset of the `[` of the subtracted class.
    fn subtraction(
        &mut self,
        dash: usize,
        nested: usize,
        negated: bool,
        ci: bool,
        outer: Vec<ClassItem>,
    ) -> RegexError {
        self.pos = nested + 1;
        let inner = match self.parse_class(nested) {
            Ok(inner) => inner,
            Err(err) => return err,
        };
        let span = dash..self.pos;
        let err = RegexError::new(
            span.clone(),
            format!(
                "character class subtraction `{}` is not supported",
                self.text(span)
            ),
        );
        match subtract(&outer, &inner).filter(|_| !negated && !ci && !inner.ci) {
            Some(ranges) if !ranges.is_empty() => {
                let mut class = String::from("[");
                for (a, b) in ranges {
                    class.push_str(&dotnet_char(a));
                    if b > a {
                        if b > a + 1 {
                            class.push('-');
                        }
                        class.push_str(&dotnet_char(b));
                    }
                }
                class.push(']');
                err.with_help(format!("list the remaining characters instead: `{class}`"))
            }
            _ => err.with_help(
                "list the remaining characters explicitly, or test the excluded ones with a negative lookahead such as `(?![aeiou])[a-z]`",
            ),
        }
    }

    // -- notes -------------------------------------------------------------

    fn note_word(&mut self, span: Range<usize>) {
        let text = self.text(span.clone());
        self.note(
            NoteKind::Word,
            span,
            format!(
                "`{text}` uses Rust's Unicode word class, which unlike .NET's `[\\p{{L}}\\p{{Mn}}\\p{{Nd}}\\p{{Pc}}]` also contains spacing and enclosing marks (Mc, Me), letter numbers such as `Ⅻ`, symbols such as `Ⓐ`, and U+200C/U+200D"
            ),
        );
    }

    fn note_boundary(&mut self, span: Range<usize>) {
        let text = self.text(span.clone());
        self.note(
            NoteKind::Boundary,
            span,
            format!(
                "`{text}` finds word boundaries with Rust's wider word class, so it can differ from .NET next to marks (Mc, Me), letter numbers or symbols such as `Ⓐ`"
            ),
        );
    }

    /// `[:name:]` inside a class: a POSIX class elsewhere, plain characters in .NET.
    fn note_posix(&mut self, at: usize) {
        let rest = self.pat.get(at + 2..).unwrap_or("");
        let name_len = rest
            .char_indices()
            .find(|&(_, c)| !is_word_unit(c))
            .map_or(rest.len(), |(i, _)| i);
        if name_len == 0 || !rest[name_len..].starts_with(":]") {
            return;
        }
        let span = at..at + 2 + name_len + 2;
        let text = self.text(span.clone());
        self.note(
            NoteKind::PosixBracket,
            span,
            format!(
                "`{text}` is not a POSIX class in .NET: its characters are matched one by one and its `]` closes the class"
            ),
        );
    }

    fn note_case_insensitive(&mut self, span: Range<usize>) {
        self.note(
            NoteKind::CaseInsensitive,
            span,
            "case-insensitive matching uses Unicode simple case folding in Rust and .NET's case-equivalence table in .NET, which differ for a few characters such as the Turkish `İ` and `ı`".to_owned(),
        );
    }
}

/// Ranges left after removing `inner` from `outer`, when both are plain lists of
/// characters and ranges.
fn subtract(outer: &[ClassItem], inner: &Class) -> Option<Vec<(u32, u32)>> {
    let plain = |items: &[ClassItem]| -> Option<Vec<(u32, u32)>> {
        items
            .iter()
            .map(|item| match item {
                ClassItem::Range(a, b) => Some((*a, *b)),
                _ => None,
            })
            .collect()
    };
    let mut keep = normalize(plain(outer)?);
    let mut remove = normalize(plain(&inner.items)?);
    if inner.negated {
        remove = complement(&remove);
    }
    for (ra, rb) in remove {
        keep = keep
            .into_iter()
            .flat_map(|(a, b)| {
                let mut parts = Vec::new();
                if rb < a || ra > b {
                    parts.push((a, b));
                } else {
                    if ra > a {
                        parts.push((a, ra - 1));
                    }
                    if rb < b {
                        parts.push((rb + 1, b));
                    }
                }
                parts
            })
            .collect();
    }
    Some(keep)
}

fn normalize(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    ranges.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::new();
    for (a, b) in ranges {
        match out.last_mut() {
            Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn complement(ranges: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut next = 0u32;
    for &(a, b) in ranges {
        if a > next {
            out.push((next, a - 1));
        }
        next = b + 1;
    }
    if next <= 0xFFFF {
        out.push((next, 0xFFFF));
    }
    out
}

fn lone_surrogate(span: Range<usize>, text: &str) -> RegexError {
    RegexError::new(
        span,
        format!("`{text}` is a lone UTF-16 surrogate, which the Rust engines cannot match"),
    )
    .with_help("write the whole character instead, or a surrogate pair such as `\\uD83D\\uDE00` outside a class")
}

// ---------------------------------------------------------------------------
// Emitter
// ---------------------------------------------------------------------------

struct Emitter<'a> {
    out: String,
    map: OffsetMap,
    backtracking: bool,
    full: bool,
    /// .NET slot -> number of the capture group in the emitted pattern.
    groups: &'a HashMap<u32, usize>,
    /// Every group captures and `$` never consumes the final newline (for
    /// [`CapturingRegex`], whose callers read the groups and the matched text).
    capture_all: bool,
}

impl Emitter<'_> {
    fn is_referenced(&self, kind: GroupKind) -> bool {
        matches!(kind, GroupKind::Capture(slot) if self.capture_all || self.groups.contains_key(&slot))
    }

    /// True when the node never consumes input (and holds no group a
    /// backreference reads), so repeating it is the same as testing it once.
    fn is_zero_width(&self, node: &Node) -> bool {
        match node {
            Node::Empty | Node::Assert { .. } => true,
            Node::Group { kind, child, .. } => match kind {
                GroupKind::Look { .. } => !self.holds_referenced(child),
                _ => !self.is_referenced(*kind) && self.is_zero_width(child),
            },
            Node::Concat(nodes) | Node::Alt(nodes) => nodes.iter().all(|n| self.is_zero_width(n)),
            Node::Repeat { child, .. } => self.is_zero_width(child),
            _ => false,
        }
    }

    fn holds_referenced(&self, node: &Node) -> bool {
        let mut found = false;
        node.walk(&mut |n| {
            if let Node::Group { kind, .. } = n {
                found |= self.is_referenced(*kind);
            }
        });
        found
    }

    /// Nodes after which a `$` still counts as the end of the pattern.
    fn is_tail_transparent(&self, node: &Node) -> bool {
        match node {
            Node::Empty => true,
            Node::Assert { kind, .. } => *kind == AssertKind::EndZ,
            Node::Concat(nodes) => nodes.iter().all(|n| self.is_tail_transparent(n)),
            Node::Group { kind, child, .. } => {
                matches!(kind, GroupKind::NonCapture | GroupKind::Capture(_))
                    && !self.is_referenced(*kind)
                    && self.is_tail_transparent(child)
            }
            _ => false,
        }
    }

    fn emit(&mut self, node: &Node, tail: bool) {
        let start = self.out.len();
        match node {
            Node::Empty => {}
            Node::Lit { c, ci, .. } => {
                if *ci {
                    self.out.push_str("(?i:");
                }
                push_rust_char(&mut self.out, *c);
                if *ci {
                    self.out.push(')');
                }
            }
            Node::Class { class, .. } => self.emit_class(class),
            Node::Dot { singleline, .. } => {
                self.out.push_str(if *singleline { "(?s:.)" } else { "." });
            }
            Node::Perl { kind, negated, .. } => self.out.push_str(perl(*kind, *negated)),
            Node::Prop {
                name, negated, ci, ..
            } => {
                if *ci && is_cased_letter_category(name) {
                    self.out.push_str(if *negated { "[^" } else { "[" });
                    self.out.push_str(CASED_LETTERS);
                    self.out.push(']');
                } else {
                    let _ = write!(self.out, "\\{}{{{name}}}", if *negated { 'P' } else { 'p' });
                }
            }
            Node::Assert { kind, .. } => {
                let text = match kind {
                    AssertKind::Begin => "\\A",
                    AssertKind::End => "\\z",
                    AssertKind::Bol => "(?m:^)",
                    AssertKind::Eol => "(?m:$)",
                    AssertKind::WordBoundary => "\\b",
                    AssertKind::NotWordBoundary => "\\B",
                    AssertKind::EndZ if tail && self.full => "\\z",
                    AssertKind::EndZ if tail && !self.capture_all => "(?:\\n?\\z)",
                    AssertKind::EndZ => {
                        self.backtracking = true;
                        "(?=\\n?\\z)"
                    }
                };
                self.out.push_str(text);
            }
            Node::Backref { slot, ci, .. } => {
                self.backtracking = true;
                let group = self.groups.get(slot).copied().unwrap_or(0);
                if *ci {
                    let _ = write!(self.out, "(?i:\\k<{group}>)");
                } else {
                    let _ = write!(self.out, "\\k<{group}>");
                }
            }
            Node::Group { kind, child, .. } => {
                let (open, child_tail) = match kind {
                    GroupKind::NonCapture => ("(?:", tail),
                    GroupKind::Capture(_) if self.is_referenced(*kind) => ("(", tail),
                    GroupKind::Capture(_) => ("(?:", tail),
                    GroupKind::Atomic => {
                        self.backtracking = true;
                        ("(?>", tail)
                    }
                    GroupKind::Look { behind, negated } => {
                        self.backtracking = true;
                        let open = match (behind, negated) {
                            (false, false) => "(?=",
                            (false, true) => "(?!",
                            (true, false) => "(?<=",
                            (true, true) => "(?<!",
                        };
                        (open, false)
                    }
                };
                self.out.push_str(open);
                self.emit(child, child_tail);
                self.out.push(')');
            }
            Node::Concat(nodes) => self.emit_concat(nodes, tail),
            Node::Alt(nodes) => {
                for (i, branch) in nodes.iter().enumerate() {
                    if i > 0 {
                        self.out.push('|');
                    }
                    self.emit(branch, tail);
                }
            }
            Node::Repeat {
                child,
                min,
                max,
                lazy,
                ..
            } => {
                if self.is_zero_width(child) {
                    if *min > 0 {
                        self.emit(child, tail);
                    }
                } else {
                    let child_tail = tail && max.is_some_and(|m| m <= 1);
                    let wrap = matches!(**child, Node::Concat(_) | Node::Alt(_));
                    if wrap {
                        self.out.push_str("(?:");
                    }
                    self.emit(child, child_tail);
                    if wrap {
                        self.out.push(')');
                    }
                    match (min, max) {
                        (0, None) => self.out.push('*'),
                        (1, None) => self.out.push('+'),
                        (0, Some(1)) => self.out.push('?'),
                        (n, None) => {
                            let _ = write!(self.out, "{{{n},}}");
                        }
                        (n, Some(m)) if n == m => {
                            let _ = write!(self.out, "{{{n}}}");
                        }
                        (n, Some(m)) => {
                            let _ = write!(self.out, "{{{n},{m}}}");
                        }
                    }
                    if *lazy {
                        self.out.push('?');
                    }
                }
            }
        }
        if let Some(span) = node.span() {
            self.map.push(start..self.out.len(), span);
        }
    }

    fn emit_concat(&mut self, nodes: &[Node], tail: bool) {
        let mut tails = vec![false; nodes.len()];
        let mut rest_transparent = true;
        for (i, node) in nodes.iter().enumerate().rev() {
            tails[i] = tail && rest_transparent;
            rest_transparent = rest_transparent && self.is_tail_transparent(node);
        }
        // Consecutive literals with the same case flag share one `(?i:...)`.
        let mut i = 0;
        while let Some(node) = nodes.get(i) {
            let Node::Lit { ci, .. } = node else {
                self.emit(node, tails[i]);
                i += 1;
                continue;
            };
            let ci = *ci;
            if ci {
                self.out.push_str("(?i:");
            }
            while let Some(Node::Lit {
                c,
                ci: lit_ci,
                span,
            }) = nodes.get(i)
            {
                if *lit_ci != ci {
                    break;
                }
                let start = self.out.len();
                push_rust_char(&mut self.out, *c);
                self.map.push(start..self.out.len(), span.clone());
                i += 1;
            }
            if ci {
                self.out.push(')');
            }
        }
    }

    fn emit_class(&mut self, class: &Class) {
        let has_chars = class
            .items
            .iter()
            .any(|item| matches!(item, ClassItem::Range(..)));
        let fold = class.ci && has_chars;
        let mut body = String::new();
        for item in &class.items {
            match item {
                ClassItem::Range(a, b) => {
                    let mut pieces = Vec::new();
                    if *a < SURROGATES.start {
                        pieces.push((*a, (*b).min(SURROGATES.start - 1)));
                    }
                    if *b >= SURROGATES.end {
                        pieces.push(((*a).max(SURROGATES.end), *b));
                    }
                    if *a < SURROGATES.start && *b >= SURROGATES.end {
                        pieces.push((0x10000, 0x10FFFF));
                    }
                    for (x, y) in pieces {
                        let (Some(x), Some(y)) = (char::from_u32(x), char::from_u32(y)) else {
                            continue;
                        };
                        push_rust_char(&mut body, x);
                        if y != x {
                            body.push('-');
                            push_rust_char(&mut body, y);
                        }
                    }
                }
                ClassItem::Perl(kind, negated) => body.push_str(perl(*kind, *negated)),
                ClassItem::Prop(name, negated) => {
                    if class.ci && is_cased_letter_category(name) {
                        body.push_str(if *negated { "[^" } else { "[" });
                        body.push_str(CASED_LETTERS);
                        body.push(']');
                    } else {
                        let _ = write!(body, "\\{}{{{name}}}", if *negated { 'P' } else { 'p' });
                    }
                }
            }
        }
        if fold {
            self.out.push_str("(?i:");
        }
        if body.is_empty() {
            self.out.push_str(if class.negated {
                "(?s:.)"
            } else {
                "[^\\x{0}-\\x{10FFFF}]"
            });
        } else {
            self.out.push('[');
            if class.negated {
                self.out.push('^');
            }
            self.out.push_str(&body);
            self.out.push(']');
        }
        if fold {
            self.out.push(')');
        }
    }
}

const CASED_LETTERS: &str = "\\p{Lu}\\p{Ll}\\p{Lt}";

/// Under `i`, .NET reads `\p{Lu}`, `\p{Ll}` and `\p{Lt}` as "any cased letter".
fn is_cased_letter_category(name: &str) -> bool {
    matches!(name, "Lu" | "Ll" | "Lt")
}

fn perl(kind: PerlKind, negated: bool) -> &'static str {
    match (kind, negated) {
        (PerlKind::Digit, false) => "\\d",
        (PerlKind::Digit, true) => "\\D",
        (PerlKind::Word, false) => "\\w",
        (PerlKind::Word, true) => "\\W",
        (PerlKind::Space, false) => "\\s",
        (PerlKind::Space, true) => "\\S",
    }
}

// ---------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------

fn translate_mapped(
    pattern: &str,
    anchoring: Anchoring,
) -> Result<(Translation, OffsetMap), RegexError> {
    translate_groups(pattern, anchoring, false).map(|(t, map, _)| (t, map))
}

/// The translation, its offset map, and (with `capture_all`) the .NET slot of each emitted
/// capture group in order, with the slot of each group name.
fn translate_groups(
    pattern: &str,
    anchoring: Anchoring,
    capture_all: bool,
) -> Result<(Translation, OffsetMap, GroupLayout), RegexError> {
    // Pass 1, like .NET's CountCaptures: find the capture groups so that
    // backreferences (even forward ones) can be told from octal escapes.
    let mut first = Parser::new(pattern, None);
    first.parse()?;
    let caps = CapInfo::from_decls(&first.decls);

    // Pass 2: the real parse.
    let mut parser = Parser::new(pattern, Some(caps));
    let tree = parser.parse()?;

    // Backreferences need exactly one group behind their slot.
    let mut definers: HashMap<u32, usize> = HashMap::new();
    let mut order: Vec<u32> = Vec::new();
    let mut refs: Vec<(u32, Range<usize>)> = Vec::new();
    tree.walk(&mut |node| match node {
        Node::Group {
            kind: GroupKind::Capture(slot),
            ..
        } => {
            *definers.entry(*slot).or_default() += 1;
            order.push(*slot);
        }
        Node::Backref { slot, span, .. } => refs.push((*slot, span.clone())),
        _ => {}
    });
    for (slot, span) in &refs {
        let text = pattern.get(span.clone()).unwrap_or("");
        match definers.get(slot).copied().unwrap_or(0) {
            1 => {}
            0 => {
                return Err(RegexError::new(
                    span.clone(),
                    format!("backreference `{text}` to the whole match is not supported"),
                ));
            }
            _ => {
                return Err(RegexError::new(
                    span.clone(),
                    format!(
                        "backreference `{text}` refers to a group defined more than once, which is not supported"
                    ),
                )
                .with_help("give each group its own name or number"));
            }
        }
    }
    let referenced: HashSet<u32> = refs.iter().map(|(slot, _)| *slot).collect();
    let mut groups = HashMap::new();
    if capture_all {
        for (i, slot) in order.iter().enumerate() {
            groups.entry(*slot).or_insert(i + 1);
        }
    } else {
        for slot in &order {
            if referenced.contains(slot) {
                let next = groups.len() + 1;
                groups.entry(*slot).or_insert(next);
            }
        }
    }

    let mut emitter = Emitter {
        out: String::new(),
        map: OffsetMap::default(),
        backtracking: false,
        full: anchoring == Anchoring::Full,
        groups: &groups,
        capture_all,
    };
    if emitter.full {
        emitter.out.push_str("\\A(?:");
    }
    emitter.emit(&tree, true);
    if emitter.full {
        emitter.out.push_str(")\\z");
    }

    let translation = Translation {
        rust_pattern: emitter.out,
        engine: if emitter.backtracking {
            Engine::Backtracking
        } else {
            Engine::Linear
        },
        notes: parser.notes,
    };
    let layout = GroupLayout {
        slots: if capture_all { order } else { Vec::new() },
        names: CapInfo::from_decls(&first.decls).names,
    };
    Ok((translation, emitter.map, layout))
}

/// Where .NET's groups are in a pattern emitted with every group capturing.
#[derive(Debug, Clone, Default)]
struct GroupLayout {
    /// The .NET group number (slot) of each emitted group, in order (Rust group `i + 1`).
    slots: Vec<u32>,
    /// The slot of each group name.
    names: HashMap<String, u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    // -- examples from the spec and Entra's documentation ------------------

    #[test]
    fn two_digit_group_partial_and_full() {
        assert!(m("([1-9][0-9])", "100"));
        assert!(!fm("([1-9][0-9])", "100"));
        assert!(fm("([1-9][0-9])", "10"));
        assert!(!m("([1-9][0-9])", "09"));
    }

    #[test]
    fn country_codes_and_dollar_before_final_newline() {
        let p = "^(DE|FR|NL)$";
        assert!(m(p, "DE"));
        assert!(!m(p, "DEU"));
        assert!(m(p, "DE\n"), ".NET `$` matches before a final newline");
        assert!(!m(p, "DE\n\n"));
        assert!(!m(p, "xDE"));
        assert!(!fm(p, "DE\n"), "the whole value is not matched");
        assert!(fm(p, "NL"));
        assert_eq!(engine(p), Engine::Linear);
        assert_eq!(rust(p), r"\A(?:DE|FR|NL)(?:\n?\z)");
    }

    #[test]
    fn three_digits() {
        assert!(m(r"^\d{3}$", "123"));
        assert!(!m(r"^\d{3}$", "1234"));
        assert!(!m(r"^\d{3}$", "12a"));
        assert!(m(r"^\d{3}$", "١٢٣"), "both dialects read \\d as Unicode Nd");
    }

    #[test]
    fn entra_doc_example_escaped_at_sign() {
        let re = re(r".*\@domain.com");
        assert_eq!(re.engine(), Engine::Linear);
        assert!(re.is_match("jane@domain.com").unwrap_or(false));
        assert!(
            re.is_match("jane@domainXcom").unwrap_or(false),
            "`.` is any character"
        );
        assert!(!re.is_match("jane@other.com").unwrap_or(true));
        assert_eq!(re.rust_pattern(), ".*@domain.com");
        assert!(m(r"\@domain\.com$", "jane@domain.com"));
        assert!(!m(r"\@domain\.com$", "jane@domainXcom"));
    }

    #[test]
    fn open_bracket_inside_class_is_literal() {
        assert!(m("[[]", "["));
        assert!(!m("[[]", "a"));
        assert_eq!(rust("[[]"), r"[\[]");
    }

    #[test]
    fn class_subtraction_is_rejected_with_its_span_and_the_result() {
        let e = err("[a-z-[aeiou]]");
        assert_eq!(e.span, 4..12);
        assert_eq!(&"[a-z-[aeiou]]"[e.span.clone()], "-[aeiou]");
        assert!(e.message.contains("subtraction"), "{}", e.message);
        assert_eq!(
            e.help.as_deref(),
            Some("list the remaining characters instead: `[b-df-hj-np-tv-z]`")
        );
        assert_eq!(err_text("x[0-9-[5]]"), "-[5]");
        assert_eq!(err_text("[a-[b]]"), "-[b]");
    }

    #[test]
    fn lookbehind_runs_on_the_backtracking_engine() {
        let re = re("(?<=x)y");
        assert_eq!(re.engine(), Engine::Backtracking);
        assert_eq!(re.is_match("xy"), Ok(true));
        assert_eq!(re.is_match("zy"), Ok(false));
        assert!(m("(?<=a+)b", "aab"), "variable-length lookbehind works");
        assert!(!m("(?<!a)b", "ab"));
        assert!(m("(?<!a)b", "cb"));
    }

    #[test]
    fn backreference_to_word_character() {
        assert!(m(r"(\w)\1", "aa"));
        assert!(!m(r"(\w)\1", "ab"));
        assert_eq!(engine(r"(\w)\1"), Engine::Backtracking);
    }

    #[test]
    fn brace_without_valid_quantifier_is_literal() {
        assert!(m("a{,3}", "a{,3}"));
        assert!(!m("a{,3}", "aaa"));
        assert!(m("a{", "a{"));
        assert!(m("{foo}", "{foo}"));
        assert!(m("x{2, 3}", "x{2, 3}"), "a space makes it literal");
        assert!(m("a{1", "a{1"));
        assert!(fm("x{2,}", "xxxx"));
        assert!(!fm("x{2,}", "x"));
        assert_eq!(rust("a{,3}"), r"a\{,3\}");
    }

    #[test]
    fn unicode_block_is_rejected_with_its_range() {
        let e = err(r"\p{IsGreek}");
        assert_eq!(e.span, 0..11);
        assert_eq!(
            e.help.as_deref(),
            Some(r"write the block as a range: `[\u0370-\u03FF]`")
        );
        let e = err(r"[a\P{IsBasicLatin}]");
        assert_eq!(e.span, 2..18);
        assert_eq!(
            e.help.as_deref(),
            Some(r"write the block as a range: `[^\u0000-\u007F]`")
        );
        assert!(err(r"\p{IsHighSurrogates}").help.is_some());
    }

    #[test]
    fn explicit_capture_option_is_accepted() {
        assert!(m("(?n)(a)", "a"));
        assert!(!m("(?n)(a)", "b"));
        // Under `n` the unnamed group does not count, so \1 is the named one.
        assert!(m(r"(?n)(a)(?<x>b)\1", "abb"));
        assert!(
            err(r"(?n)(a)\1")
                .message
                .contains("undefined group number `1`")
        );
    }

    #[test]
    fn conditional_is_rejected() {
        let e = err("(?(a)b|c)");
        assert_eq!(e.span, 0..9);
        assert!(e.help.is_some());
        assert_eq!(err_text("x(?(1)y)z"), "(?(1)y)");
    }

    #[test]
    fn possessive_quantifier_is_a_nested_quantifier() {
        let e = err("a*+");
        assert_eq!(e.span, 2..3);
        assert!(e.message.contains("nested quantifier"), "{}", e.message);
        assert!(e.help.is_some_and(|h| h.contains("`(?>a*)`")));
        let e = err(r"x\d+*");
        assert!(
            e.help
                .is_some_and(|h| h.contains(r"`(?>\d+)`") && h.contains(r"`(?:\d+)*`"))
        );
        assert_eq!(err_text("a**"), "*");
        assert_eq!(err_text("a{2}{3}"), "{3}");
        assert_eq!(err_text("a??+"), "+");
    }

    #[test]
    fn catastrophic_backtracking_never_hangs() {
        let haystack = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!";
        let started = std::time::Instant::now();
        let re = re("(?=a)(a+)+$");
        assert_eq!(re.engine(), Engine::Backtracking);
        let answer = re.is_match(haystack);
        assert!(
            matches!(answer, Ok(false) | Err(MatchAborted)),
            "{answer:?}"
        );
        // Here the budget really runs out.
        let re2 = super::tests::re("(?:(?=a)a|a)+b");
        assert_eq!(re2.is_match(haystack), Err(MatchAborted));
        assert_eq!(re2.is_match("aab"), Ok(true));
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }

    // -- anchors ------------------------------------------------------------

    #[test]
    fn dollar_and_backslash_z_upper_match_before_final_newline_only() {
        assert!(m("a$", "a\n"));
        assert!(!m("a$", "a\nb"));
        assert!(!m("a$", "a\n\n"));
        assert!(m(r"a\Z", "a\n"));
        assert!(!m(r"a\z", "a\n"));
        assert!(m(r"a\z", "a"));
        assert!(m("$$", "a\n"));
        assert!(m("a$|b", "a\n"));
        assert_eq!(engine("a$|b"), Engine::Linear);
    }

    #[test]
    fn dollar_not_at_the_end_uses_a_lookahead() {
        assert_eq!(engine("a$\n"), Engine::Backtracking);
        assert!(
            m("a$\n", "a\n"),
            "$ before the final newline, then the newline"
        );
        assert!(!m("a$\n", "a\nb"));
        assert!(
            !m(r"a$\z", "a\n"),
            "consuming the newline would be wrong here"
        );
        assert!(m("(a$)+", "a\n"));
        assert!(m("(?=a$)a", "a\n"));
        assert_eq!(rust("a$b"), r"a(?=\n?\z)b");
        assert!(!m("a$b", "ab"));
    }

    #[test]
    fn full_anchoring_turns_dollar_into_end_of_text() {
        assert!(fm("abc$", "abc"));
        assert!(!fm("abc$", "abc\n"));
        assert!(fm("abc$\n", "abc\n"));
        assert_eq!(
            translate("a|b$", Anchoring::Full).map(|t| t.rust_pattern),
            Ok(r"\A(?:a|b\z)\z".to_owned())
        );
    }

    #[test]
    fn caret_and_multiline() {
        assert!(!m("^b", "a\nb"));
        assert!(m("(?m)^b", "a\nb"));
        assert!(m("(?m)a$", "a\nb"));
        assert!(!m("a$", "a\nb"));
        assert!(m(r"\Ab", "b"));
        assert!(!m(r"(?m)\Ab", "a\nb"));
        assert!(m("(?m:^b$)", "a\nb\nc"));
    }

    #[test]
    fn word_boundaries() {
        assert!(m(r"\bword\b", "a word here"));
        assert!(!m(r"\bword\b", "swordfish"));
        assert!(m(r"\Bor\B", "word"));
        let t = re(r"\bx\b");
        assert_eq!(t.notes().len(), 1);
        assert_eq!(t.notes()[0].span, 0..2);
    }

    #[test]
    fn quantified_assertions_are_valid() {
        assert!(m(r"\b*a", "a"));
        assert!(m("^+a", "a"));
        assert!(!m("^+a", "ba"));
        assert!(m("(?=a)*b", "b"), "zero repetitions of a lookahead");
        assert_eq!(engine("(?=a)*b"), Engine::Linear);
        assert!(!m("(?=a){1,3}b", "b"));
        assert!(m("(?=a){1,3}a", "a"));
    }

    // -- literals and escapes ------------------------------------------------

    #[test]
    fn escaped_punctuation_is_literal() {
        for (pattern, text) in [
            (r"\@", "@"),
            (r"\/", "/"),
            (r"\'", "'"),
            ("\\\"", "\""),
            (r"\!", "!"),
            (r"\#", "#"),
            (r"\ ", " "),
            (r"\%", "%"),
            (r"\,", ","),
            (r"\<", "<"),
            (r"\>", ">"),
            (r"\:", ":"),
            (r"\»", "»"),
            (r"\-", "-"),
            (r"\~", "~"),
            (r"\&", "&"),
        ] {
            assert!(m(pattern, text), "`{pattern}`");
            assert!(!m(pattern, "x"), "`{pattern}`");
        }
    }

    #[test]
    fn word_character_escapes_are_errors() {
        let e = err(r"a\q");
        assert_eq!(e.span, 1..3);
        assert_eq!(e.message, r"unrecognized escape `\q`");
        assert_eq!(err_text(r"\_"), r"\_");
        assert_eq!(err_text(r"\é"), r"\é");
        assert_eq!(err_text(r"a\ä"), r"\ä");
        assert_eq!(err_text(r"\i"), r"\i");
        let e = err(r"a\");
        assert_eq!(e.span, 1..2);
    }

    #[test]
    fn hex_unicode_control_and_named_escapes() {
        assert!(m(r"\x41", "A"));
        assert!(m(r"\x41", "zAz"));
        assert!(m(r"\x412", "A2"), "exactly two hex digits");
        assert!(m(r"\u00e9", "é"));
        assert!(m(r"\u00C9", "É"));
        assert!(m(r"\cM", "\r"));
        assert!(m(r"\ca", "\u{1}"));
        assert!(m(r"\c[", "\u{1b}"));
        assert!(m(r"\e", "\u{1b}"));
        assert!(m(r"\a\f\v\t\r\n", "\u{7}\u{c}\u{b}\t\r\n"));
        assert_eq!(err_text(r"a\x4"), r"\x4");
        assert_eq!(err_text(r"\x4g"), r"\x4g");
        assert_eq!(err_text(r"\u12"), r"\u12");
        assert_eq!(err_text(r"\c1"), r"\c1");
        assert_eq!(err_text(r"\c"), r"\c");
    }

    #[test]
    fn octal_escapes_and_backreference_numbers() {
        assert!(m(r"\0", "\0"));
        assert!(m(r"a\012b", "a\nb"));
        assert!(m(r"\101", "A"));
        assert!(m(r"\0123", "\n3"), "at most three octal digits");
        assert!(m(r"\10", "\u{8}"), "no group 10: octal");
        assert!(m(r"(a)\10", "a\u{8}"), "group 1 only: \\10 is still octal");
        assert!(m(r"\18", "\u{1}8"));
        assert!(m(r"\477", "?"), "octal keeps the low eight bits of 0477");
        assert_eq!(err_text(r"x\1"), r"\1");
        assert_eq!(err_text(r"\8"), r"\8");
        assert_eq!(err_text(r"\99"), r"\9");
        assert!(m(r"(a)\1", "aa"));
        assert!(!m(r"(a)\1", "ab"));
    }

    #[test]
    fn surrogate_pairs_and_supplementary_characters() {
        assert!(m(r"\uD83D\uDE00", "😀"));
        assert!(!m(r"\uD83D\uDE00", "😁"));
        assert_eq!(err_text(r"a\uD83Db"), r"\uD83D");
        assert_eq!(err_text(r"\uDE00"), r"\uDE00");
        assert_eq!(err_text("x😀+"), "😀+");
        assert_eq!(err_text(r"\uD83D\uDE00*"), r"\uD83D\uDE00*");
        assert_eq!(err_text("[a😀]"), "😀");
        assert_eq!(err_text(r"[\uD800-\uDBFF]"), r"\uD800");
        assert!(m("(?:😀)+", "😀😀"));
        assert!(m("😀", "a😀"));
        assert!(m(r"\😀", "😀"));
    }

    #[test]
    fn class_spanning_surrogates_also_covers_supplementary_characters() {
        let re = full(r"[\u0000-\uFFFF]+");
        assert!(re.is_match("a😀").unwrap_or(false));
        assert_eq!(re.notes().len(), 1);
        assert_eq!(re.notes()[0].span, 1..14);
        assert!(!m(r"[^\u0000-\uFFFF]", "😀"));
    }

    // -- character classes --------------------------------------------------

    #[test]
    fn class_edge_syntax() {
        assert!(m("[]a]", "]"));
        assert!(m("[^]a]", "b"));
        assert!(!m("[^]a]", "]"));
        assert!(m("[a-]", "-"));
        assert!(m("[-a]", "-"));
        assert!(m(r"[a\-z]", "-"));
        assert!(!m(r"[a\-z]", "m"));
        assert!(m(r"[\d-z]", "-"));
        assert!(m(r"[\d-z]", "5"));
        assert!(!m(r"[\d-z]", "m"));
        assert!(m(r"[\x41-\x43]", "B"));
        assert!(m(r"[a\]]", "]"));
        assert!(m(r"[\b]", "\u{8}"), "\\b in a class is backspace");
        assert!(m(r"[.]", "."));
        assert!(!m(r"[.]", "a"));
        assert!(m("[ab]", "b"));
        assert!(m("[^ab]", "c"));
    }

    #[test]
    fn rust_set_operators_are_plain_characters_in_dotnet() {
        assert!(m("[a&&b]", "&"));
        assert!(m("[a&&b]", "a"));
        assert!(m("[&&]", "&"));
        assert!(m("[a~~b]", "~"));
        assert!(m("[a~~b]", "b"));
        assert!(m("[--x]", "a"), "a range from `-` to `x`");
        assert_eq!(err_text("[x--]"), "x--", "a reversed range, as in .NET");
        assert!(m("[[a]", "["));
        assert!(m("[[a]]", "a]"));
        assert!(!m("[[a]]", "a"));
    }

    #[test]
    fn posix_bracket_is_plain_text_with_a_note() {
        let re = re("[[:alpha:]]");
        assert!(re.is_match("a]").unwrap_or(false));
        assert!(re.is_match(":]").unwrap_or(false));
        assert!(!re.is_match("b]").unwrap_or(true));
        assert!(
            !re.is_match("a").unwrap_or(true),
            "the last `]` is a literal"
        );
        assert_eq!(re.notes().len(), 1);
        assert_eq!(re.notes()[0].span, 1..10);
    }

    #[test]
    fn class_errors_point_at_the_offending_bytes() {
        let e = err("x[z-a]");
        assert_eq!(e.span, 2..5);
        assert_eq!(e.help.as_deref(), Some("write it as `a-z`"));
        assert_eq!(err_text(r"[a-\d]"), r"a-\d");
        let e = err("a[bc");
        assert_eq!(e.span, 1..4);
        assert_eq!(e.message, "unterminated character class");
        assert_eq!(err_text("[]"), "[]");
    }

    #[test]
    fn unicode_categories() {
        assert!(m(r"\p{Lu}", "É"));
        assert!(!m(r"\p{Lu}", "é"));
        assert!(m(r"\P{Nd}", "x"));
        assert!(!m(r"^\P{Nd}$", "7"));
        assert!(m(r"[\p{L}\d]", "ж"));
        assert!(m(r"\p{Sc}", "€"));
        assert!(m(r"\p{Zs}", "\u{a0}"));
        assert!(m(r"\p{C}", "\u{7}"));
        assert!(m(r"\p{Cn}", "\u{378}"));
        assert_eq!(err_text(r"a\p{Greek}"), r"\p{Greek}");
        assert_eq!(err_text(r"\p{lu}"), r"\p{lu}");
        assert_eq!(err_text(r"\pL"), r"\pL");
        assert_eq!(err_text(r"\p{Cs}"), r"\p{Cs}");
        assert!(err(r"\p{L").message.contains("incomplete"));
        assert!(err(r"\p{_xmlC}").message.contains("internal"));
    }

    #[test]
    fn case_insensitive_cased_letter_categories() {
        assert!(m(r"(?i)\p{Lu}", "é"));
        assert!(m(r"(?i)[\p{Ll}]", "É"));
        assert!(!m(r"(?i)\P{Lu}", "é"));
        assert!(m(r"(?i)\P{Lu}", "1"));
        assert!(!m(r"\p{Lu}", "é"));
    }

    #[test]
    fn whitespace_class_is_the_same_set_in_both_dialects() {
        // .NET's \s is char.IsWhiteSpace: these 25 characters.
        let dotnet: Vec<char> = [
            0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
            0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F,
            0x3000,
        ]
        .iter()
        .filter_map(|&u| char::from_u32(u))
        .collect();
        let s = re(r"\A\s\z");
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let expected = dotnet.contains(&c);
            assert_eq!(
                s.is_match(&c.to_string()),
                Ok(expected),
                "U+{:04X}",
                u32::from(c)
            );
        }
        assert!(re(r"\s").notes().is_empty());
        assert!(re(r"\d\D").notes().is_empty());
    }

    #[test]
    fn rust_word_class_is_a_superset_of_dotnets() {
        let (Ok(dotnet), Ok(rust)) = (
            regex::Regex::new(r"\A[\p{L}\p{Mn}\p{Nd}\p{Pc}]\z"),
            regex::Regex::new(r"\A\w\z"),
        ) else {
            panic!("reference classes compile");
        };
        let mut extra = 0;
        for c in (0..=0xFFFFu32).filter_map(char::from_u32) {
            let s = c.to_string();
            if dotnet.is_match(&s) {
                assert!(rust.is_match(&s), "U+{:04X}", u32::from(c));
            } else if rust.is_match(&s) {
                extra += 1;
            }
        }
        assert!(extra > 0, "the documented difference exists");
        assert!(!m(r"\w", "\u{200D}") || m(r"\w", "\u{200D}"));
        assert!(
            m(r"\w", "Ⓐ"),
            "documented difference: Rust's \\w contains Ⓐ"
        );
    }

    #[test]
    fn word_class_note_is_reported_once() {
        let re = re(r"\w+@\w+");
        assert_eq!(re.notes().len(), 1);
        assert_eq!(re.notes()[0].span, 0..2);
        assert!(re.notes()[0].message.contains("Mc"));
        assert!(re.notes()[0].message.starts_with("`\\w`"));
    }

    // -- groups and options -------------------------------------------------

    #[test]
    fn named_groups_and_backreferences() {
        assert!(m(r"(?<year>\d{4})-\k<year>", "2020-2020"));
        assert!(!m(r"(?<year>\d{4})-\k<year>", "2020-2021"));
        assert!(m(r"(?'y'a)\k'y'", "aa"));
        assert!(m(r"(?<y>a)\<y>", "aa"));
        assert!(m(r"(?<y>a)\k<1>", "aa"));
        assert!(m(r"(?<3>a)\3", "aa"));
        assert_eq!(err_text(r"(a)\k<b>"), r"\k<b>");
        assert_eq!(err_text(r"\k<2>"), r"\k<2>");
        assert_eq!(err_text(r"a\kb"), r"\kb");
    }

    #[test]
    fn unnamed_groups_are_numbered_before_named_ones() {
        assert!(m(r"(?<x>a)(b)\1", "abb"));
        assert!(!m(r"(?<x>a)(b)\1", "aba"));
        assert!(m(r"(?<x>a)(b)\2", "aba"));
    }

    #[test]
    fn forward_and_case_insensitive_backreferences() {
        assert!(m(r"(?:\1b|(a))+", "aab"));
        assert!(!m(r"\1(a)", "aa"), "an unset group never matches");
        assert!(m(r"(?i)(a)\1", "aA"));
        assert!(!m(r"(a)\1", "aA"));
        assert!(!re(r"(?i)(a)\1").notes().is_empty());
    }

    #[test]
    fn unreferenced_groups_do_not_capture() {
        assert_eq!(rust("(a)(?<n>b)"), "(?:a)(?:b)");
        assert_eq!(rust(r"(a)(b)\2"), r"(?:a)(b)\k<1>");
        assert_eq!(engine("(a)(?<n>b)"), Engine::Linear);
    }

    #[test]
    fn duplicate_group_names_and_group_zero() {
        assert!(m("(?<x>a)|(?<x>b)", "b"));
        let e = err(r"(?<x>a)|(?<x>b)\k<x>");
        assert_eq!(e.span, 15..20);
        assert!(e.message.contains("more than once"));
        assert_eq!(err_text(r"a\k<0>"), r"\k<0>");
        assert_eq!(err_text("(?<0>a)"), "0");
    }

    #[test]
    fn balancing_groups_are_rejected() {
        assert_eq!(err_text("(?<o>a)(?<c-o>b)"), "(?<c-o>");
        assert_eq!(err_text("(?<o>a)(?'-o'b)"), "(?'-o'");
        assert!(err("(?<-o>b)").message.contains("balancing"));
    }

    #[test]
    fn contiguity_anchor_is_rejected() {
        let e = err(r"a\Gb");
        assert_eq!(e.span, 1..3);
        assert!(e.help.is_some_and(|h| h.contains(r"\A")));
    }

    #[test]
    fn non_capturing_atomic_and_lookahead_groups() {
        assert!(m("(?:ab)+c", "ababc"));
        assert!(!m("(?>a*)a", "aaa"), "an atomic group gives nothing back");
        assert!(m("(?>a*)b", "aab"));
        assert_eq!(engine("(?>a)"), Engine::Backtracking);
        assert!(m("foo(?!bar)", "foobaz"));
        assert!(!m("foo(?!bar)", "foobar"));
        assert!(m("foo(?=bar)", "foobar"));
    }

    #[test]
    fn inline_options_scope_like_dotnet() {
        assert!(m("(?i)abc", "xABCx"));
        assert!(
            m("a(?i)b|c", "C"),
            "(?i) reaches across `|` to the group end"
        );
        assert!(!m("(a(?i)b)c", "aBC"), "but not past the group");
        assert!(m("(a(?i)b)c", "aBc"));
        assert!(m("(?i:a)b", "Ab"));
        assert!(!m("(?i:a)b", "AB"));
        assert!(m("(?i)a(?-i)b", "Ab"));
        assert!(!m("(?i)a(?-i)b", "AB"));
        assert!(m("(?I)A", "a"), "option letters are case-insensitive");
        assert!(m("(?i-s+m)^a.$", "x\nA\u{1}\ny"));
        assert!(m("(?s).", "\n"));
        assert!(!m(".", "\n"));
        assert!(m("(?-)a", "a"));
        assert!(m("(?i)[a-c]", "B"));
    }

    #[test]
    fn full_anchoring_keeps_flags_and_alternatives_inside() {
        assert!(fm("(?i)a|b", "B"));
        assert!(!fm("a|b", "ab"));
        assert!(fm("a|b", "b"));
        assert!(fm("", ""));
        assert!(!fm("", "x"));
        assert_eq!(
            translate("(?i)a|b", Anchoring::Full).map(|t| t.rust_pattern),
            Ok(r"\A(?:(?i:a)|(?i:b))\z".to_owned())
        );
    }

    #[test]
    fn unknown_inline_options_are_rejected() {
        let e = err("(?r)a");
        assert_eq!(e.span, 2..3);
        assert_eq!(e.message, "inline option `r` is not supported");
        assert_eq!(err_text("(?ie:a)"), "e");
        assert_eq!(err_text("(?P<n>a)"), "(?P");
        assert!(err("(?P<n>a)").help.is_some_and(|h| h.contains("(?<name>")));
        assert_eq!(err_text("(?'=a)"), "(?'=");
    }

    #[test]
    fn ignore_pattern_whitespace_mode() {
        assert!(fm("(?x) a b # comment\n c", "abc"));
        assert!(m("(?x)[ ]", " "), "white space inside a class still counts");
        assert!(fm(r"(?x)a\ b", "a b"));
        assert!(
            fm("(?x)a #c\n*", "aaa"),
            "the quantifier reaches across the comment"
        );
        assert!(fm("(?x)a+ ?b", "ab"));
        assert!(fm("(?x:a b)c d", "abc d"));
        assert!(m("(?x)a#b", "a"));
        assert!(!fm("(?x)a#b", "a#b"));
    }

    #[test]
    fn inline_comments_are_removed() {
        assert!(fm("a(?#x)b", "ab"));
        assert!(fm("a(?#x)*", "aaa"));
        assert!(fm(r"\d(?#x)+", "123"));
        assert_eq!(rust("a(?#comment)b"), "ab");
        let e = err("a(?#open");
        assert_eq!(e.span, 1..8);
    }

    #[test]
    fn lazy_quantifiers() {
        assert!(fm("a+?b", "aab"));
        assert!(fm("a{2,3}?", "aa"));
        assert!(fm("a*?", ""));
        assert!(fm("a??b", "b"));
        assert_eq!(rust("a{2,3}?b{4}c{5,}"), "a{2,3}?b{4}c{5,}");
    }

    #[test]
    fn quantifier_errors() {
        let e = err("*a");
        assert_eq!(e.span, 0..1);
        assert_eq!(e.message, "quantifier `*` follows nothing");
        assert_eq!(
            e.help.as_deref(),
            Some(r"escape it as `\*` to match it literally")
        );
        assert_eq!(err_text("a|+"), "+");
        assert_eq!(err_text("({2}a)"), "{2}");
        let e = err("x{3,2}");
        assert_eq!(e.span, 1..6);
        assert_eq!(err_text("a{99999999999}"), "99999999999");
    }

    #[test]
    fn parenthesis_errors() {
        let e = err("a)b");
        assert_eq!(e.span, 1..2);
        assert_eq!(e.message, "unmatched closing parenthesis `)`");
        let e = err("a(b(?:c)");
        assert_eq!(e.span, 1..2, "the unclosed group");
        assert_eq!(e.message, "missing closing parenthesis");
        assert_eq!(err_text("x(?<n>a"), "(?<n>");
        assert_eq!(err_text("(?"), "(?");
    }

    #[test]
    fn nesting_limit() {
        let deep = "(".repeat(MAX_GROUP_DEPTH + 1) + &")".repeat(MAX_GROUP_DEPTH + 1);
        assert!(err(&deep).message.contains("nested"));
        let ok = "(".repeat(MAX_GROUP_DEPTH) + "a" + &")".repeat(MAX_GROUP_DEPTH);
        assert!(m(&ok, "a"));
    }

    #[test]
    fn empty_pattern_matches_everything() {
        assert!(m("", ""));
        assert!(m("", "anything"));
        assert!(m("()", "x"));
        assert!(m("a|", "b"));
    }

    #[test]
    fn oversized_patterns_are_errors_not_panics() {
        let e = err(r"\w{100000}");
        assert!(e.message.contains("too large"), "{}", e.message);
        assert!(e.help.is_some());
        let e = err(r"(?=x)\w{100000}");
        assert!(e.message.contains("too large"), "{}", e.message);
        assert!(m(r"^\w{1,256}$", "hello"));
    }

    // -- error plumbing -------------------------------------------------------

    #[test]
    fn error_messages_follow_the_style() {
        for pattern in [
            "[a-z-[aeiou]]",
            r"\p{IsGreek}",
            "(?(a)b|c)",
            "a*+",
            r"\G",
            "(?<a-b>x)",
            "(?r)",
            "[abc",
            "a)",
            "(a",
            r"\q",
            r"\x1",
            r"\p{Foo}",
            r"\1",
            "x{2,1}",
            "*",
            r"\uD800",
        ] {
            let e = err(pattern);
            assert!(
                e.span.start < e.span.end,
                "`{pattern}`: empty span {:?}",
                e.span
            );
            assert!(
                e.span.end <= pattern.len(),
                "`{pattern}`: span past the end"
            );
            let first = e.message.chars().next().unwrap_or('X');
            assert!(!first.is_uppercase(), "`{pattern}`: {}", e.message);
            assert!(!e.message.ends_with('.'), "`{pattern}`: {}", e.message);
            assert_eq!(e.to_string(), e.message);
            if let Some(help) = &e.help {
                assert!(!help.ends_with('.'), "`{pattern}`: {help}");
            }
        }
    }

    #[test]
    fn caret_offsets_of_regex_errors_are_read_back() {
        let unbalanced = String::from("ab(cd");
        let Err(e) = regex::Regex::new(&unbalanced) else {
            panic!("unbalanced pattern must fail");
        };
        assert_eq!(caret_offset(&e.to_string()), Some(2));
        let mut map = OffsetMap::default();
        map.push(0..5, 0..9);
        map.push(2..3, 4..6);
        assert_eq!(map.lookup(2), Some(4..6));
        assert_eq!(map.lookup(4), Some(0..9));
        assert_eq!(map.lookup(7), None);
        let mapped = linear_error(&e, &map, 9);
        assert_eq!(mapped.span, 4..6);
        assert!(
            mapped.message.contains("unclosed group"),
            "{}",
            mapped.message
        );
    }

    #[test]
    fn the_translation_is_ascii_and_maps_back() {
        let (t, map) = match translate_mapped("(?i)é+x\\d", Anchoring::Full) {
            Ok(pair) => pair,
            Err(e) => panic!("{e:?}"),
        };
        assert!(t.rust_pattern.is_ascii(), "{}", t.rust_pattern);
        let at = t.rust_pattern.find("\\d").unwrap_or(0);
        assert_eq!(map.lookup(at), Some(8..10));
    }

    #[test]
    fn compiled_regex_is_shareable() {
        fn assert_traits<T: Send + Sync + Clone>() {}
        assert_traits::<DotnetRegex>();
        assert_traits::<RegexError>();
        assert_eq!(Anchoring::default(), Anchoring::Partial);
        let a = re("a+");
        let b = a.clone();
        assert_eq!(b.pattern(), "a+");
        assert_eq!(b.translation().engine, Engine::Linear);
        assert_eq!(b.is_match("caat"), Ok(true));
        assert!(!MatchAborted.to_string().is_empty());
    }

    // -- property: patterns both dialects read the same ------------------------

    fn common_pattern() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("a".to_owned()),
            Just("b".to_owned()),
            Just("c".to_owned()),
            Just("[ab]".to_owned()),
            Just("[^a]".to_owned()),
            Just("[a-c]".to_owned()),
            Just(".".to_owned()),
            Just("\\.".to_owned()),
        ];
        leaf.prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 1..4).prop_map(|v| v.concat()),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("(?:{a}|{b})")),
                inner.clone().prop_map(|a| format!("({a})")),
                (
                    inner,
                    prop_oneof![
                        Just("*"),
                        Just("+"),
                        Just("?"),
                        Just("{2}"),
                        Just("{1,2}"),
                        Just("{0,}"),
                        Just("*?"),
                        Just("+?"),
                        Just("??"),
                        Just("{1,3}?"),
                    ]
                )
                    .prop_map(|(a, q)| format!("(?:{a}){q}")),
            ]
        })
    }

    /// Pattern soup rich in .NET syntax.
    fn dotnet_soup() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("a"),
            Just("b"),
            Just("é"),
            Just("😀"),
            Just(" "),
            Just("\n"),
            Just("0"),
            Just("1"),
            Just("9"),
            Just("("),
            Just(")"),
            Just("["),
            Just("]"),
            Just("{"),
            Just("}"),
            Just("\\"),
            Just("^"),
            Just("$"),
            Just("."),
            Just("*"),
            Just("+"),
            Just("?"),
            Just("|"),
            Just("-"),
            Just(","),
            Just("<"),
            Just(">"),
            Just("'"),
            Just("="),
            Just("!"),
            Just(":"),
            Just("#"),
            Just("&"),
            Just("~"),
            Just("i"),
            Just("m"),
            Just("n"),
            Just("s"),
            Just("x"),
            Just("k"),
            Just("p"),
            Just("P"),
            Just("d"),
            Just("w"),
            Just("W"),
            Just("b"),
            Just("B"),
            Just("L"),
            Just("u"),
            Just("A"),
            Just("Z"),
            Just("z"),
            Just("c"),
            Just("e"),
            Just("_"),
            Just("{2}"),
            Just("{1,}"),
            Just("(?"),
            Just("(?<"),
            Just("(?i)"),
            Just("(?x)"),
            Just("(?#c)"),
            Just("\\k<"),
            Just("\\p{L}"),
            Just("\\u00e9"),
            Just("\\x4"),
            Just("[^"),
        ];
        prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]
        #[test]
        fn any_pattern_translates_compiles_or_is_rejected_cleanly(
            pattern in dotnet_soup(),
            haystack in "[ab é😀\n0-9_{}()]{0,6}",
        ) {
            for anchoring in [Anchoring::Partial, Anchoring::Full] {
                match DotnetRegex::new(&pattern, anchoring) {
                    Ok(re) => {
                        let _ = re.is_match(&haystack);
                    }
                    Err(e) => {
                        prop_assert!(e.span.start <= e.span.end && e.span.end <= pattern.len(),
                            "{:?} for `{}`", e, pattern);
                        prop_assert!(pattern.get(e.span.clone()).is_some(), "{:?} for `{}`", e, pattern);
                        prop_assert!(!e.message.contains("rejects this pattern"),
                            "translation bug: `{}` -> {:?} ({:?})", pattern,
                            translate(&pattern, anchoring).map(|t| t.rust_pattern), e);
                    }
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn shared_syntax_matches_like_the_rust_crate(
            body in common_pattern(),
            anchored in any::<bool>(),
            haystacks in prop::collection::vec("[abc.\n]{0,8}", 1..6),
        ) {
            let pattern = if anchored { format!("^{body}") } else { body };
            let dotnet = DotnetRegex::new(&pattern, Anchoring::Partial);
            let dotnet_full = DotnetRegex::new(&pattern, Anchoring::Full);
            let plain = regex::Regex::new(&pattern);
            let plain_full = regex::Regex::new(&format!(r"\A(?:{pattern})\z"));
            prop_assert!(dotnet.is_ok() && dotnet_full.is_ok() && plain.is_ok() && plain_full.is_ok());
            if let (Ok(dotnet), Ok(dotnet_full), Ok(plain), Ok(plain_full)) =
                (dotnet, dotnet_full, plain, plain_full)
            {
                prop_assert_eq!(dotnet.engine(), Engine::Linear);
                // The same translation must also mean the same on the backtracking engine.
                let fancy = fancy_regex::Regex::new(dotnet.rust_pattern());
                prop_assert!(fancy.is_ok());
                for h in &haystacks {
                    prop_assert_eq!(dotnet.is_match(h), Ok(plain.is_match(h)), "{} on {:?}", pattern, h);
                    prop_assert_eq!(dotnet_full.is_match(h), Ok(plain_full.is_match(h)), "{} on {:?}", pattern, h);
                    if let Ok(fancy) = &fancy {
                        prop_assert_eq!(fancy.is_match(h).ok(), Some(plain.is_match(h)), "fancy {} on {:?}", pattern, h);
                    }
                }
            }
        }
    }

    #[test]
    fn literal_fast_path_agrees_with_the_engine() {
        let patterns = [
            "@contoso\\.com$",
            "^(DE|AT|CH)$",
            "^Sales",
            "contoso",
            "^IT$",
            "a|b",
            "^(x|y)",
            "(DE|FR)$",
            "Sales Manager",
            "\\u00e9$",
            "^$",
            "a.b",
            "^(?i)it$",
            "[ab]",
            "(a)(b)",
            "a\\d",
            "x$|^y",
            "^a|b",
            "a|b$",
        ];
        let values = [
            "",
            "DE",
            "DE\n",
            "DEU",
            "xDE",
            "@contoso.com",
            "a@contoso.com",
            "a@contoso.com\n",
            "a@contoso.comx",
            "Sales",
            "Sales Manager",
            "sales",
            "IT",
            "IT\n",
            "it",
            "ab",
            "b",
            "x",
            "y",
            "ba",
            "xa",
            "b\n",
            "é",
            "caf\u{e9}",
            "a.b",
            "axb",
        ];
        for p in patterns {
            for anchoring in [Anchoring::Partial, Anchoring::Full] {
                let Ok(re) = DotnetRegex::new(p, anchoring) else {
                    continue;
                };
                let Compiled::Linear(engine) = &re.compiled else {
                    continue;
                };
                for v in values {
                    assert_eq!(
                        re.is_match(v).unwrap(),
                        engine.is_match(v),
                        "{p:?} {anchoring:?} on {v:?} (literal {:?})",
                        re.literal
                    );
                }
            }
        }
        assert!(
            DotnetRegex::new("@contoso\\.com$", Anchoring::Partial)
                .unwrap()
                .literal
                .is_some()
        );
        assert!(
            DotnetRegex::new("^(DE|AT|CH)$", Anchoring::Partial)
                .unwrap()
                .literal
                .is_some()
        );
        assert!(
            DotnetRegex::new("a.b", Anchoring::Partial)
                .unwrap()
                .literal
                .is_none()
        );
    }
}
