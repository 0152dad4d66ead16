//! The CSV files scopesim writes, in the dialect the reader's spreadsheet expects.
//!
//! The default is RFC 4180 as before (comma, no byte-order mark), what scripts and
//! `csv` libraries read. `--csv-dialect excel` starts the file with a UTF-8 byte-order
//! mark, without which Excel reads UTF-8 as the ANSI code page (`MÃ¼ller` for `Müller`);
//! `--csv-delimiter ';'` writes the separator of the locales whose decimal separator is
//! a comma (German, French, ...), where Excel splits on `;` and a comma file opens as
//! one column. Every cell is still formula-guarded ([`super::csv_guard`]).

use std::io::{self, Write};

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Which CSV convention a written file follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CsvDialect {
    /// RFC 4180: comma-separated, no byte-order mark (scripts, `csv` libraries).
    #[default]
    Standard,
    /// For Excel: a UTF-8 byte-order mark so that non-ASCII text opens intact.
    Excel,
}

/// How CSV output is written: the dialect and the delimiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvStyle {
    /// Start with a UTF-8 byte-order mark.
    pub bom: bool,
    /// Field delimiter.
    pub delimiter: u8,
}

impl Default for CsvStyle {
    fn default() -> CsvStyle {
        CsvStyle {
            bom: false,
            delimiter: b',',
        }
    }
}

impl CsvStyle {
    /// The style of `dialect`, with `delimiter` when given (comma otherwise).
    pub fn new(dialect: CsvDialect, delimiter: Option<u8>) -> CsvStyle {
        CsvStyle {
            bom: dialect == CsvDialect::Excel,
            delimiter: delimiter.unwrap_or(b','),
        }
    }

    /// Writes the byte-order mark, when the style has one.
    pub fn start(&self, w: &mut dyn Write) -> io::Result<()> {
        if self.bom {
            w.write_all(BOM)?;
        }
        Ok(())
    }

    /// A CSV writer over `w` in this style (the byte-order mark already written).
    pub fn writer<W: Write>(&self, mut w: W) -> io::Result<csv::Writer<W>> {
        if self.bom {
            w.write_all(BOM)?;
        }
        Ok(csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .from_writer(w))
    }

    /// True when `field` must be quoted (RFC 4180: it holds the delimiter, a quote or a
    /// line break).
    pub fn needs_quotes(&self, field: &[u8]) -> bool {
        // Vectorised: a report's reasons are long, and most hold a quote early.
        memchr::memchr3(self.delimiter, b'"', b'\n', field).is_some()
            || memchr::memchr(b'\r', field).is_some()
    }
}

/// Parses a one-character delimiter (`tab` or `\t` for a tab).
pub fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "\\t" | "tab" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" && s != "\r" => {
            Ok(s.as_bytes()[0])
        }
        _ => Err(format!(
            "the delimiter must be one ASCII character other than a quote (or `tab`), not `{s}`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_excel_dialect_starts_with_a_bom_and_takes_a_semicolon() {
        let style = CsvStyle::new(CsvDialect::Excel, Some(b';'));
        let mut buf = Vec::new();
        {
            let mut w = style.writer(&mut buf).unwrap();
            w.write_record(["app", "Müller; GmbH"]).unwrap();
            w.flush().unwrap();
        }
        assert_eq!(buf, "\u{feff}app;\"Müller; GmbH\"\n".as_bytes());
        let plain = CsvStyle::default();
        let mut buf = Vec::new();
        {
            let mut w = plain.writer(&mut buf).unwrap();
            w.write_record(["a", "b;c"]).unwrap();
            w.flush().unwrap();
        }
        assert_eq!(buf, b"a,b;c\n");
        assert_eq!(parse_delimiter(";"), Ok(b';'));
        assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
        assert!(parse_delimiter("\"").is_err());
        assert!(parse_delimiter(";;").is_err());
    }

    /// The vectorised search finds what RFC 4180 says must be quoted (the delimiter, a
    /// quote, a line break) at every length up to a few vector widths, anywhere in the
    /// field, and nothing else.
    #[test]
    fn needs_quotes_finds_every_special_byte_at_every_length() {
        for delimiter in [b',', b';', b'\t'] {
            let style = CsvStyle::new(CsvDialect::Standard, Some(delimiter));
            for len in 0..100 {
                let plain = vec![b'a'; len];
                assert!(!style.needs_quotes(&plain), "len {len}");
                for at in 0..len {
                    for special in [delimiter, b'"', b'\n', b'\r'] {
                        let mut field = plain.clone();
                        field[at] = special;
                        assert!(style.needs_quotes(&field), "{special} at {at} of {len}");
                    }
                    let mut other = plain.clone();
                    other[at] = if delimiter == b',' { b';' } else { b',' };
                    assert!(
                        !style.needs_quotes(&other),
                        "another delimiter at {at} of {len}"
                    );
                }
            }
        }
    }
}
