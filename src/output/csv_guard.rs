//! Neutralises CSV cells that a spreadsheet would run as a formula.
//!
//! Reports carry attribute values from the directory, which anyone who can edit their
//! own profile controls. Excel, LibreOffice and Google Sheets execute a cell starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP "CSV injection"). Such cells
//! get a leading `'`, which spreadsheets show as text; the value stays readable.

use std::borrow::Cow;

/// The cell, prefixed with `'` when a spreadsheet would treat it as a formula.
pub fn guard(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised() {
        for bad in [
            "=1+1",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=HYPERLINK(\"http://x\")",
        ] {
            assert_eq!(guard(bad), format!("'{bad}"));
        }
        for ok in ["", "Sales", "a=b", " =x", "1-2", "'quoted"] {
            assert_eq!(guard(ok), ok);
        }
    }
}
