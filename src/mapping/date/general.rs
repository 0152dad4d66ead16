//! `CDate`'s reading of a date string: the subset of .NET `DateTime.Parse` (en-US) that
//! Entra's documentation uses, read exactly, and a clear error for the rest.
//!
//! Accepted (surrounding white space ignored):
//! * ISO 8601: `yyyy-MM-dd` or `yyyy/MM/dd`, optionally followed by `T` or a space and
//!   `HH:mm`, `HH:mm:ss` or `HH:mm:ss.fffffff` (up to 7 fraction digits), and by a zone
//!   `Z`, `±HH`, `±HH:mm` or `±HHmm` — also directly after the date, as Workday writes it
//!   (`2020-03-16-07:00`, ED-FUNC's CDate example);
//! * en-US: `M/d/yyyy`, optionally followed by `h:mm` or `h:mm:ss`, an optional `AM`/`PM`
//!   (any letter case), and an optional zone as above — the service's own rendering;
//! * month names: `MMMM d, yyyy` and `d MMMM yyyy` (full or three-letter English names),
//!   optionally followed by a time as above.
//!
//! A zone is converted to UTC; without one the time is read as UTC (the service's local
//! zone is taken to be UTC, [decision]).

use super::{DateError, DateTime, Kind, MONTHS, TICKS_PER_SECOND};

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Between `min` and `max` digits.
    fn digits(&mut self, min: usize, max: usize) -> Option<(i64, usize)> {
        let start = self.i;
        let mut v: i64 = 0;
        while self.i - start < max {
            match self.peek() {
                Some(b @ b'0'..=b'9') => {
                    v = v * 10 + i64::from(b - b'0');
                    self.i += 1;
                }
                _ => break,
            }
        }
        let n = self.i - start;
        if n < min {
            self.i = start;
            None
        } else {
            Some((v, n))
        }
    }

    fn spaces(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
        self.i - start
    }

    fn word(&mut self) -> &str {
        let start = self.i;
        while self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i]).unwrap_or("")
    }

    fn done(&self) -> bool {
        self.i >= self.s.len()
    }
}

const SHAPES: &str = "scopesim reads ISO 8601 (`2021-06-30`, `2021-06-30T08:00:00Z`, `2021-06-30+08:00`), `M/d/yyyy h:mm:ss tt` and `MMMM d, yyyy`; .NET's DateTime.Parse reads more shapes, which scopesim does not guess at";

fn unreadable(text: &str) -> DateError {
    DateError(format!("cannot read `{text}` as a date: {SHAPES}"))
}

/// Reads a date (see the module documentation) as a UTC instant.
pub(super) fn parse(text: &str) -> Result<DateTime, DateError> {
    let t = text.trim();
    let mut c = Cursor {
        s: t.as_bytes(),
        i: 0,
    };
    let (y, mo, d) = date(&mut c).ok_or_else(|| unreadable(text))?;
    let mut h = 0;
    let mut mi = 0;
    let mut s = 0;
    let mut fraction = 0;
    // A time, after `T` or white space.
    let before_time = c.i;
    let had_t = c.eat(b'T');
    if had_t || c.spaces() > 0 {
        match time(&mut c) {
            Some(tm) => (h, mi, s, fraction) = tm,
            None if had_t => return Err(unreadable(text)),
            None => c.i = before_time,
        }
    }
    c.spaces();
    let offset_minutes = zone(&mut c).ok_or_else(|| unreadable(text))?;
    c.spaces();
    if !c.done() {
        return Err(unreadable(text));
    }
    let local = DateTime::from_parts(y, mo, d, h, mi, s, fraction, Kind::Utc).ok_or_else(|| {
        DateError(format!(
            "`{text}` is not a valid date (a day, month or time out of range)"
        ))
    })?;
    let ticks = local.ticks - offset_minutes * 60 * TICKS_PER_SECOND;
    DateTime::from_ticks(ticks, Kind::Utc)
}

fn month_by_name(w: &str) -> Option<i64> {
    let lw = w.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| {
            let lm = m.to_ascii_lowercase();
            lm == lw || (lw.len() == 3 && lm.starts_with(&lw))
        })
        .map(|i| i as i64 + 1)
}

fn date(c: &mut Cursor<'_>) -> Option<(i64, i64, i64)> {
    if c.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
        // `MMMM d, yyyy`
        let m = month_by_name(c.word())?;
        c.spaces();
        let (d, _) = c.digits(1, 2)?;
        c.eat(b',');
        c.spaces();
        let (y, _) = c.digits(4, 4)?;
        return Some((y, m, d));
    }
    let start = c.i;
    let (first, n) = c.digits(1, 4)?;
    if n == 4 {
        // yyyy-MM-dd or yyyy/MM/dd
        let sep = c.peek()?;
        if sep != b'-' && sep != b'/' {
            return None;
        }
        c.i += 1;
        let (m, _) = c.digits(1, 2)?;
        if !c.eat(sep) {
            return None;
        }
        let (d, _) = c.digits(1, 2)?;
        return Some((first, m, d));
    }
    if c.eat(b'/') {
        // M/d/yyyy
        let (d, _) = c.digits(1, 2)?;
        if !c.eat(b'/') {
            return None;
        }
        let (y, _) = c.digits(4, 4)?;
        return Some((y, first, d));
    }
    if c.spaces() > 0 {
        // d MMMM yyyy
        let m = month_by_name(c.word())?;
        c.spaces();
        let (y, _) = c.digits(4, 4)?;
        return Some((y, m, first));
    }
    c.i = start;
    None
}

/// `H:mm[:ss[.fffffff]]` with an optional `AM`/`PM`.
fn time(c: &mut Cursor<'_>) -> Option<(i64, i64, i64, i64)> {
    let (mut h, _) = c.digits(1, 2)?;
    if !c.eat(b':') {
        return None;
    }
    let (mi, _) = c.digits(2, 2)?;
    let mut s = 0;
    let mut fraction = 0;
    if c.eat(b':') {
        s = c.digits(2, 2)?.0;
        if c.eat(b'.') {
            let (f, n) = c.digits(1, 7)?;
            fraction = f * 10_i64.pow(7 - n as u32);
        }
    }
    let before = c.i;
    c.spaces();
    let w = c.word().to_ascii_uppercase();
    match w.as_str() {
        "AM" | "PM" => {
            if !(1..=12).contains(&h) {
                return None;
            }
            h %= 12;
            if w == "PM" {
                h += 12;
            }
        }
        _ => c.i = before,
    }
    Some((h, mi, s, fraction))
}

/// `Z`, `±HH`, `±HH:mm`, `±HHmm`, or nothing: the offset in minutes.
fn zone(c: &mut Cursor<'_>) -> Option<i64> {
    if c.eat(b'Z') || c.eat(b'z') {
        return Some(0);
    }
    let sign = match c.peek() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Some(0),
    };
    c.i += 1;
    let (h, _) = c.digits(2, 2)?;
    let m = if c.eat(b':') {
        c.digits(2, 2)?.0
    } else {
        c.digits(2, 2).map_or(0, |(m, _)| m)
    };
    if h > 14 || m > 59 {
        return None;
    }
    Some(sign * (h * 60 + m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> String {
        parse(s).unwrap().iso()
    }

    #[test]
    fn iso_and_workday_shapes() {
        assert_eq!(iso("2020-03-16-07:00"), "2020-03-16T07:00:00Z");
        assert_eq!(iso("2021-06-30+08:00"), "2021-06-29T16:00:00Z");
        assert_eq!(iso(" 2009-06-15T01:45:30-07:00 "), "2009-06-15T08:45:30Z");
        assert_eq!(iso("2021-08-24"), "2021-08-24T00:00:00Z");
        assert_eq!(iso("2021-08-24 13:05"), "2021-08-24T13:05:00Z");
        assert_eq!(iso("2021-08-24T13:05:06.25Z"), "2021-08-24T13:05:06.25Z");
        assert_eq!(iso("2020-12-31 23:59:59-08:00"), "2021-01-01T07:59:59Z");
        assert_eq!(iso("2020/12/31"), "2020-12-31T00:00:00Z");
    }

    #[test]
    fn en_us_and_month_names() {
        assert_eq!(iso("8/25/2021 5:41:18 PM"), "2021-08-25T17:41:18Z");
        assert_eq!(iso("8/25/2021 12:00:00 AM"), "2021-08-25T00:00:00Z");
        assert_eq!(iso("8/25/2021"), "2021-08-25T00:00:00Z");
        assert_eq!(iso("January 1, 2012"), "2012-01-01T00:00:00Z");
        assert_eq!(iso("1 Jan 2012 11:00 PM"), "2012-01-01T23:00:00Z");
    }

    #[test]
    fn everything_else_is_an_error_that_says_why() {
        for bad in [
            "",
            "yesterday",
            "2021-13-01",
            "2021-02-30",
            "2021-08-24T",
            "20210824",
            "13:00",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.0.contains(&format!("`{bad}`")), "{bad}: {e}");
        }
    }
}
