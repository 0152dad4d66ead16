//! Character tables and small character predicates of the .NET dialect: general
//! categories, named blocks, .NET's word character, the characters that end a literal
//! run, and how a character is written in a .NET message or a Rust pattern.

use std::fmt::Write as _;
use std::ops::Range;
use std::sync::OnceLock;

/// The general categories .NET accepts in `\p{..}` (names are case-sensitive).
pub(super) const CATEGORIES: &[&str] = &[
    "Cc", "Cf", "Cn", "Co", "Cs", "C", "Ll", "Lm", "Lo", "Lt", "Lu", "L", "Mc", "Me", "Mn", "M",
    "Nd", "Nl", "No", "N", "Pc", "Pd", "Pe", "Po", "Ps", "Pf", "Pi", "P", "Sc", "Sk", "Sm", "So",
    "S", "Zl", "Zp", "Zs", "Z",
];

/// .NET's named blocks: name, first code unit, one past the last.
pub(super) const BLOCKS: &[(&str, u32, u32)] = &[
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

pub(super) const SURROGATES: Range<u32> = 0xD800..0xE000;

/// S34: where the stand-ins of the 2,048 UTF-16 surrogates start (plane 15, private use).
/// A value is matched as UTF-16 units by writing each half of a supplementary character
/// as the stand-in of its surrogate: the rewritten value then holds no other character
/// outside the basic multilingual plane, so the stand-ins cannot be confused with text.
pub(super) const STAND_IN_BASE: u32 = 0xF0000;

/// The stand-ins of all surrogates, as a Rust class range.
pub(super) const STAND_INS: &str = "\\x{F0000}-\\x{F07FF}";

/// The character that stands for UTF-16 unit `u`: itself, or a surrogate's stand-in.
pub(super) fn unit_char(u: u32) -> char {
    let code = if SURROGATES.contains(&u) {
        STAND_IN_BASE + (u - SURROGATES.start)
    } else {
        u
    };
    char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// The UTF-16 units of a character: one, or a surrogate pair.
pub(super) fn utf16_units(c: char) -> (u32, Option<u32>) {
    let mut buf = [0u16; 2];
    match c.encode_utf16(&mut buf) {
        [one] => (u32::from(*one), None),
        [high, low] => (u32::from(*high), Some(u32::from(*low))),
        _ => (u32::from(c), None),
    }
}

/// .NET's `IsBoundaryWordChar` for one UTF-16 unit: `[\p{L}\p{Mn}\p{Nd}\p{Pc}]`,
/// U+200C and U+200D. A supplementary character is a surrogate pair to .NET, and a
/// surrogate is not a word character.
pub(super) fn is_word_unit(c: char) -> bool {
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
pub(super) fn is_special(c: char) -> bool {
    matches!(
        c,
        '$' | '(' | ')' | '*' | '+' | '.' | '?' | '[' | '\\' | '^' | '{' | '|'
    )
}

/// White space skipped under `x`: tab, newline, form feed, carriage return, space.
pub(super) fn is_x_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0C' | '\r' | ' ')
}

pub(super) fn is_special_or_space(c: char) -> bool {
    is_special(c) || is_x_space(c) || c == '#'
}

pub(super) fn is_quantifier_char(c: char) -> bool {
    matches!(c, '*' | '+' | '?' | '{')
}

/// A code unit written the way a .NET pattern would write it inside a class.
pub(super) fn dotnet_char(u: u32) -> String {
    match char::from_u32(u) {
        Some(c) if c.is_ascii_alphanumeric() => c.to_string(),
        Some(c @ ('\\' | ']' | '[' | '^' | '-')) => format!("\\{c}"),
        Some(c) if c.is_ascii_graphic() || c == ' ' => c.to_string(),
        Some(c) if u > 0xFFFF => c.to_string(),
        _ => format!("\\u{u:04X}"),
    }
}

/// Characters with a meaning in Rust syntax, in or out of classes.
pub(super) const RUST_META: &str = "\\.+*?()|[]{}^$#&-~";

/// A character written for the Rust engines: ASCII only, meta characters escaped.
pub(super) fn push_rust_char(out: &mut String, c: char) {
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
