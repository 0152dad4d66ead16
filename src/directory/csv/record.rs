//! The CSV record state machine, and where blocks of a file may be cut.
//!
//! One state machine decides what a record is, for the block parser, the exact cutter and
//! the small-table reader alike: a quote opens a quoted field only at the start of a field,
//! `""` inside quotes is a quote, and a record ends at a newline outside quotes (`\r\n` or
//! `\n`). Unquoted text is skipped eight bytes at a time (delimiter, quote, newline) and
//! quoted text with `memchr`, so the machine touches only the bytes that matter.

use super::super::input::count;

/// What is wrong with a record. `field` is 0-based; `at` is the byte offset (in the
/// buffer parsed) of the start of the offending field (its opening quote when quoted), so
/// that the error's column is the one an editor jumps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Problem {
    /// More fields than the header has (`field` is the first one without a header).
    TooManyFields {
        fields: usize,
        field: usize,
        at: usize,
    },
    /// Fewer fields than the header has (`at` is the end of the record's last line).
    TooFewFields { fields: usize, at: usize },
    /// A quoted field still open at the end of the file.
    Unterminated { field: usize, at: usize },
    /// A `"` inside a field that did not start with one.
    BareQuote { field: usize, at: usize },
    /// Something other than a delimiter or line end after a closing quote.
    TextAfterQuote { field: usize, at: usize },
}

impl Problem {
    /// Problems that can make quote parity disagree with the state machine.
    pub(crate) fn is_anomaly(self) -> bool {
        matches!(
            self,
            Problem::BareQuote { .. } | Problem::TextAfterQuote { .. }
        )
    }

    /// The byte offset the problem points at.
    pub(crate) fn at(self) -> usize {
        match self {
            Problem::TooManyFields { at, .. }
            | Problem::TooFewFields { at, .. }
            | Problem::Unterminated { at, .. }
            | Problem::BareQuote { at, .. }
            | Problem::TextAfterQuote { at, .. } => at,
        }
    }
}

/// A field of a record: byte range of its text in the buffer (inside the quotes), where
/// it starts (its opening quote when quoted), and whether it holds `""` escapes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) origin: usize,
    pub(crate) escaped: bool,
}

/// One parsed record: where the next one starts, its first problem, and whether a
/// newline ended it (a record cut off by the end of the buffer may go on in the next
/// block).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parsed {
    pub(crate) next: usize,
    pub(crate) problem: Option<Problem>,
    pub(crate) complete: bool,
}

/// The delimiter of a file, and the word-at-a-time masks that find the bytes ending an
/// unquoted field (the delimiter, a quote, a newline).
///
/// This stays hand-written on purpose: memchr's `memchr3` (vectorised, a dispatch per
/// call) and its portable `Three` searcher (which confirms a match byte by byte) both
/// cost about 38% more instructions in the record parser on exports' short fields
/// (callgrind over `cargo bench --bench scopesim read_csv`: 266 M against 192 M for
/// 20,000 users), where the lowest flagged byte of a word is found with one
/// `trailing_zeros`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Specials {
    delim: u8,
}

impl Specials {
    /// The searcher for `delim`.
    pub(crate) fn new(delim: u8) -> Specials {
        Specials { delim }
    }
}

/// The first position at or after `p` holding the delimiter, a quote or a newline (or
/// `buf.len()`). Eight bytes at a time: for each, `has(b)` sets the high bit of every
/// byte equal to `b` (the lowest set bit is exact; higher ones may be false positives,
/// so only the lowest is used).
#[inline]
fn skip_plain(buf: &[u8], mut p: usize, sp: &Specials) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has = |x: u64, b: u8| -> u64 {
        let y = x ^ (LO * u64::from(b));
        y.wrapping_sub(LO) & !y & HI
    };
    while let Some(word) = buf.get(p..p + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let x = u64::from_le_bytes(word);
        let m = has(x, sp.delim) | has(x, b'"') | has(x, b'\n');
        if m == 0 {
            p += 8;
            continue;
        }
        return p + (m.trailing_zeros() / 8) as usize;
    }
    while let Some(&b) = buf.get(p) {
        if b == sp.delim || b == b'"' || b == b'\n' {
            return p;
        }
        p += 1;
    }
    buf.len()
}

/// The first position at or after `p` holding the delimiter or a newline, or `buf.len()`.
#[inline]
fn skip_to_delim_or_newline(buf: &[u8], p: usize, delim: u8) -> usize {
    match buf.get(p..) {
        Some(rest) => memchr::memchr2(delim, b'\n', rest).map_or(buf.len(), |i| p + i),
        None => buf.len(),
    }
}

/// Parses the record starting at `pos` into `fields`.
pub(crate) fn parse_record(
    buf: &[u8],
    pos: usize,
    sp: &Specials,
    fields: &mut Vec<Field>,
) -> Parsed {
    let delim = sp.delim;
    let n = buf.len();
    fields.clear();
    let mut problem: Option<Problem> = None;
    let mut p = pos;
    loop {
        let field = fields.len();
        let origin = p;
        if buf.get(p) == Some(&b'"') {
            let start = p + 1;
            let mut q = start;
            let mut escaped = false;
            loop {
                match memchr::memchr(b'"', buf.get(q..).unwrap_or(&[])) {
                    None => {
                        fields.push(Field {
                            start,
                            end: n,
                            origin,
                            escaped,
                        });
                        return Parsed {
                            next: n,
                            problem: Some(
                                problem.unwrap_or(Problem::Unterminated { field, at: origin }),
                            ),
                            complete: false,
                        };
                    }
                    Some(i) => {
                        let at = q + i;
                        if buf.get(at + 1) == Some(&b'"') {
                            escaped = true;
                            q = at + 2;
                        } else {
                            fields.push(Field {
                                start,
                                end: at,
                                origin,
                                escaped,
                            });
                            p = at + 1;
                            break;
                        }
                    }
                }
            }
            match buf.get(p) {
                None => {
                    return Parsed {
                        next: n,
                        problem,
                        complete: false,
                    };
                }
                Some(&b) if b == delim => p += 1,
                Some(b'\n') => {
                    return Parsed {
                        next: p + 1,
                        problem,
                        complete: true,
                    };
                }
                Some(b'\r') if matches!(buf.get(p + 1), None | Some(b'\n')) => {
                    return Parsed {
                        next: (p + 2).min(n),
                        problem,
                        complete: p + 1 < n,
                    };
                }
                Some(_) => {
                    problem.get_or_insert(Problem::TextAfterQuote { field, at: origin });
                    // The rest of the field is taken literally, as the state machine does.
                    p = skip_to_delim_or_newline(buf, p, delim);
                    match buf.get(p) {
                        None => {
                            return Parsed {
                                next: n,
                                problem,
                                complete: false,
                            };
                        }
                        Some(b'\n') => {
                            return Parsed {
                                next: p + 1,
                                problem,
                                complete: true,
                            };
                        }
                        Some(_) => p += 1,
                    }
                }
            }
        } else {
            let start = p;
            p = skip_plain(buf, p, sp);
            if buf.get(p) == Some(&b'"') {
                problem.get_or_insert(Problem::BareQuote { field, at: origin });
                p = skip_to_delim_or_newline(buf, p, delim);
            }
            match buf.get(p) {
                None => {
                    // A last line ending in a lone `\r` (CRLF file cut before its LF).
                    let end = if n > start && buf.get(n - 1) == Some(&b'\r') {
                        n - 1
                    } else {
                        n
                    };
                    fields.push(Field {
                        start,
                        end,
                        origin,
                        escaped: false,
                    });
                    return Parsed {
                        next: n,
                        problem,
                        complete: false,
                    };
                }
                Some(b'\n') => {
                    let end = if p > start && buf.get(p - 1) == Some(&b'\r') {
                        p - 1
                    } else {
                        p
                    };
                    fields.push(Field {
                        start,
                        end,
                        origin,
                        escaped: false,
                    });
                    return Parsed {
                        next: p + 1,
                        problem,
                        complete: true,
                    };
                }
                Some(_) => {
                    fields.push(Field {
                        start,
                        end: p,
                        origin,
                        escaped: false,
                    });
                    p += 1;
                }
            }
        }
    }
}

/// Checks a record's field count against the header: the first problem of a record
/// that parsed cleanly otherwise. `end` is where the record's text ends (its newline).
pub(crate) fn field_count_problem(
    fields: &[Field],
    header_len: usize,
    end: usize,
) -> Option<Problem> {
    if fields.len() > header_len {
        let at = fields.get(header_len).map_or(end, |f| f.origin);
        return Some(Problem::TooManyFields {
            fields: fields.len(),
            field: header_len,
            at,
        });
    }
    if fields.len() < header_len {
        return Some(Problem::TooFewFields {
            fields: fields.len(),
            at: end,
        });
    }
    None
}

/// Where a record's text ends: before its `\r\n` or `\n` (or at `next` for a last line).
pub(crate) fn record_text_end(buf: &[u8], parsed: &Parsed) -> usize {
    let mut end = parsed.next;
    if parsed.complete && buf.get(end.wrapping_sub(1)) == Some(&b'\n') {
        end -= 1;
    }
    if end > 0 && buf.get(end - 1) == Some(&b'\r') {
        end -= 1;
    }
    end
}

/// Length of an empty line at `pos` (`\n` or `\r\n`), if there is one.
pub(crate) fn empty_line(buf: &[u8], pos: usize) -> Option<usize> {
    match buf.get(pos) {
        Some(b'\n') => Some(1),
        Some(b'\r') if buf.get(pos + 1) == Some(&b'\n') => Some(2),
        _ => None,
    }
}

/// The text of a field, with `""` unescaped into `scratch` when needed.
pub(crate) fn field_text<'a>(text: &'a str, f: Field, scratch: &'a mut String) -> &'a str {
    let raw = text.get(f.start..f.end).unwrap_or("");
    if !f.escaped {
        return raw;
    }
    scratch.clear();
    for (i, part) in raw.split("\"\"").enumerate() {
        if i > 0 {
            scratch.push('"');
        }
        scratch.push_str(part);
    }
    scratch.as_str()
}

/// How blocks are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cut {
    /// Last newline after an even number of quotes (fast; exact for well-formed files).
    Parity,
    /// Last record end found by the parser's state machine.
    Exact,
}

/// Offset just past the last record boundary in `buf` (which starts at a record start).
pub(crate) fn last_boundary(buf: &[u8], cut: Cut, sp: &Specials) -> Option<usize> {
    match cut {
        Cut::Parity => {
            let total = count(buf, b'"');
            let mut after = 0u64;
            let mut end = buf.len();
            while let Some(nl) = memchr::memrchr(b'\n', buf.get(..end).unwrap_or(&[])) {
                after += count(buf.get(nl..end).unwrap_or(&[]), b'"');
                if (total - after) % 2 == 0 {
                    return Some(nl + 1);
                }
                end = nl;
            }
            None
        }
        Cut::Exact => {
            let mut fields = Vec::new();
            let mut pos = 0;
            let mut last = None;
            while pos < buf.len() {
                let r = parse_record(buf, pos, sp, &mut fields);
                // A record cut off by the end of the buffer may go on in the next read.
                if !r.complete {
                    break;
                }
                last = Some(r.next);
                pos = r.next;
            }
            last
        }
    }
}

/// The `,` or `;` that occurs more often outside quotes in the header (`,` on a tie).
pub(crate) fn detect_delimiter(header: &[u8]) -> u8 {
    let (mut commas, mut semis, mut quoted) = (0usize, 0usize, false);
    for &b in header {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semis += 1,
            _ => {}
        }
    }
    if semis > commas { b';' } else { b',' }
}

/// Bytes of a leading `#TYPE ...` line (Windows PowerShell 5.1), including its newline.
pub(crate) fn type_line_len(buf: &[u8]) -> Option<usize> {
    if starts_with_type_line(buf) {
        memchr::memchr(b'\n', buf).map(|i| i + 1)
    } else {
        None
    }
}

/// Whether `buf` starts with `#TYPE` (any case).
pub(crate) fn starts_with_type_line(buf: &[u8]) -> bool {
    buf.get(..5)
        .is_some_and(|h| h.eq_ignore_ascii_case(b"#TYPE"))
}

/// The first newline after an even number of quotes (the end of the first record, unless
/// it has a bare quote), as an offset just past it.
pub(crate) fn first_record_end(buf: &[u8]) -> Option<usize> {
    let mut quotes = 0usize;
    let mut from = 0;
    while let Some(i) = memchr::memchr2(b'"', b'\n', buf.get(from..).unwrap_or(&[])) {
        let at = from + i;
        if buf.get(at) == Some(&b'"') {
            quotes += 1;
        } else if quotes % 2 == 0 {
            return Some(at + 1);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_plain_finds_the_first_special_byte() {
        for text in [
            "abcdefghijklmnop,x",
            "a,b",
            "abcdefgh\n",
            "abcdefg\"",
            ",",
            "",
            "abcdefghijklmnopqrstuvwxyz",
            "ü,ab",
            "12345678,",
        ] {
            let buf = text.as_bytes();
            for start in 0..buf.len() {
                let want = (start..buf.len())
                    .find(|&i| matches!(buf[i], b',' | b'"' | b'\n'))
                    .unwrap_or(buf.len());
                assert_eq!(
                    skip_plain(buf, start, &Specials::new(b',')),
                    want,
                    "{text:?} from {start}"
                );
            }
        }
    }

    #[test]
    fn problems_point_at_the_field_start() {
        let mut f = Vec::new();
        let r = parse_record(b"ab,c\"d,e\n", 0, &Specials::new(b','), &mut f);
        assert_eq!(r.problem, Some(Problem::BareQuote { field: 1, at: 3 }));
        let r = parse_record(b"ab,\"cd\"x,e\n", 0, &Specials::new(b','), &mut f);
        assert_eq!(r.problem, Some(Problem::TextAfterQuote { field: 1, at: 3 }));
        let r = parse_record(b"ab,cd,\"e", 0, &Specials::new(b','), &mut f);
        assert_eq!(r.problem, Some(Problem::Unterminated { field: 2, at: 6 }));
        let r = parse_record(b"ab,cd,e\r\n", 0, &Specials::new(b','), &mut f);
        assert_eq!(
            field_count_problem(&f, 2, record_text_end(b"ab,cd,e\r\n", &r)),
            Some(Problem::TooManyFields {
                fields: 3,
                field: 2,
                at: 6
            })
        );
        assert_eq!(
            field_count_problem(&f, 4, record_text_end(b"ab,cd,e\r\n", &r)),
            Some(Problem::TooFewFields { fields: 3, at: 7 })
        );
    }
}
