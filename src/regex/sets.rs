//! Sets of UTF-16 code units written as Rust bracket expressions: character classes,
//! `\d \w \s`, general categories and named blocks.
//!
//! S34: every set is over .NET's alphabet, the 65,536 UTF-16 units, where a surrogate is
//! written as its stand-in ([`STAND_IN_BASE`]). Sets that exclude every surrogate are
//! restricted to the basic multilingual plane, so they match nothing outside it on an
//! unconverted value and the value need not be converted for them. A set that holds a
//! surrogate (`.`-like negations, `\W`, `\S`, `\D`, `\P{..}`, surrogate ranges) reports it
//! with `units`, and the matcher then converts values holding supplementary characters.
//!
//! `\w` is .NET's word class `[\p{L}\p{Mn}\p{Nd}\p{Pc}]` (the same in .NET Framework and
//! .NET 7+), not Rust's wider Unicode word class.

use super::ast::{Class, ClassItem, PerlKind};
use super::tables::{STAND_IN_BASE, STAND_INS, SURROGATES, push_rust_char};
use std::fmt::Write as _;

/// Rust class syntax for "the basic multilingual plane" (Rust has no surrogate chars).
const BMP: &str = "\\x{0}-\\x{FFFF}";

/// .NET's `\w`.
pub(super) const WORD: &str = "[\\p{L}\\p{Mn}\\p{Nd}\\p{Pc}&&\\x{0}-\\x{FFFF}]";

/// .NET's `\W`: every unit `\w` lacks, surrogates included.
const NOT_WORD: &str = "[^\\p{L}\\p{Mn}\\p{Nd}\\p{Pc}]";

/// .NET's `IsBoundaryWordChar`: `\w`, U+200C and U+200D (what `\b` tests).
pub(super) const BOUNDARY_WORD: &str =
    "[\\p{L}\\p{Mn}\\p{Nd}\\p{Pc}\\x{200C}\\x{200D}&&\\x{0}-\\x{FFFF}]";

/// Matches nothing (Rust's empty class).
pub(super) const NOTHING: &str = "[^\\x{0}-\\x{10FFFF}]";

/// A set written for the Rust engines.
#[derive(Debug, Default)]
pub(super) struct SetText {
    /// A bracket expression `[...]` (never wrapped in flags, so it nests in other sets).
    pub(super) text: String,
    /// True when the set holds a surrogate, so values must be matched as UTF-16 units.
    pub(super) units: bool,
}

/// The bracket expression of a class, and whether its case must be folded under `i`
/// (.NET folds the characters listed in a class; `\p{..}` keeps its own meaning).
pub(super) fn class_text(class: &Class) -> (SetText, bool) {
    let mut set = SetText::default();
    set.text = class_body(class, &mut set.units);
    (set, class.ci && class.has_chars())
}

fn class_body(class: &Class, units: &mut bool) -> String {
    let mut body = String::new();
    for item in &class.items {
        item_text(item, class.ci, &mut body, units);
    }
    let mut text = if body.is_empty() {
        // Nothing listed (only possible through subtraction): no unit, or every unit.
        if class.negated {
            *units = true;
            "[\\x{0}-\\x{10FFFF}]".to_owned()
        } else {
            NOTHING.to_owned()
        }
    } else if class.negated {
        // The complement over all characters holds every stand-in the set lacks.
        *units = true;
        format!("[^{body}]")
    } else {
        format!("[{body}]")
    };
    if let Some(sub) = &class.sub {
        let mut ignored = false;
        let removed = class_body(sub, &mut ignored);
        text = format!("[{text}--{removed}]");
    }
    text
}

/// `\d`, `\w`, `\s` and their negations, as a set.
pub(super) fn perl_text(kind: PerlKind, negated: bool) -> SetText {
    let text = match (kind, negated) {
        (PerlKind::Digit, false) => "[\\p{Nd}&&\\x{0}-\\x{FFFF}]",
        (PerlKind::Digit, true) => "[^\\p{Nd}]",
        (PerlKind::Word, false) => WORD,
        (PerlKind::Word, true) => NOT_WORD,
        // `\s` is the same 25 characters in both dialects, all in the BMP.
        (PerlKind::Space, false) => "[\\s]",
        (PerlKind::Space, true) => "[\\S]",
    };
    SetText {
        text: text.to_owned(),
        units: negated,
    }
}

fn item_text(item: &ClassItem, ci: bool, out: &mut String, units: &mut bool) {
    match item {
        ClassItem::Range(a, b) => range_text(*a, *b, out, units),
        ClassItem::Perl(kind, negated) => {
            let set = perl_text(*kind, *negated);
            *units |= set.units;
            out.push_str(&set.text);
        }
        ClassItem::Prop(name, negated) => {
            let positive = category_text(name, ci);
            if *negated {
                *units = true;
                let _ = write!(out, "[^{positive}]");
            } else {
                *units |= category_has_surrogates(name);
                out.push_str(&positive);
            }
        }
    }
}

/// True for the general categories that contain the surrogates (`Cs`, and `C`).
fn category_has_surrogates(name: &str) -> bool {
    matches!(name, "Cs" | "C")
}

/// The units of general category `name`, as a bracket expression.
fn category_text(name: &str, ci: bool) -> String {
    match name {
        // Under `i`, .NET reads `\p{Lu}`, `\p{Ll}` and `\p{Lt}` as "any cased letter".
        "Lu" | "Ll" | "Lt" if ci => format!("[\\p{{Lu}}\\p{{Ll}}\\p{{Lt}}&&{BMP}]"),
        "Cs" => format!("[{STAND_INS}]"),
        "C" => format!("[[\\p{{C}}&&{BMP}]{STAND_INS}]"),
        _ => format!("[\\p{{{name}}}&&{BMP}]"),
    }
}

/// An inclusive range of UTF-16 units: its surrogates become their stand-ins.
fn range_text(a: u32, b: u32, out: &mut String, units: &mut bool) {
    let piece = |x: u32, y: u32, out: &mut String| {
        let (Some(x), Some(y)) = (char::from_u32(x), char::from_u32(y)) else {
            return;
        };
        push_rust_char(out, x);
        if y != x {
            out.push('-');
            push_rust_char(out, y);
        }
    };
    if a < SURROGATES.start {
        piece(a, b.min(SURROGATES.start - 1), out);
    }
    let (sa, sb) = (a.max(SURROGATES.start), b.min(SURROGATES.end - 1));
    if sa <= sb {
        *units = true;
        let base = STAND_IN_BASE - SURROGATES.start;
        piece(base + sa, base + sb, out);
    }
    if b >= SURROGATES.end {
        piece(a.max(SURROGATES.end), b, out);
    }
}
