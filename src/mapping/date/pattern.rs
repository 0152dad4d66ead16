//! .NET date format strings: `DateTime.ParseExact(text, format, en-US, styles)` and
//! `DateTime.ToString(format, en-US)`, as `FormatDateTime` uses them.
//!
//! The rules follow .NET's `DateTimeFormat.FormatCustomized` and
//! `DateTimeParse.ParseByFormat`: a letter repeated is one specifier (`yyyy`); a single
//! character format is a standard format (`o`, `s`, `d` ...); `'..'` and `".."` quote
//! literals; `%x` is the specifier `x` alone; `\x` is the character `x`; in parsing a
//! one-letter numeric specifier reads one or two digits and a longer one exactly that
//! many; `F` reads up to its count of fraction digits and `f` exactly; a literal `Z`
//! reads the UTC designator `Z` (or `GMT`). Two-digit years use .NET's window (00-49 →
//! 2000s, 50-99 → 1900s).

use super::{DAYS, DateError, DateTime, Kind, MONTHS, TICKS_PER_SECOND, err};

/// .NET `DateTimeStyles` flags that change how `ParseExact` reads and what kind it gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Styles {
    /// `AllowLeadingWhite`
    pub leading_white: bool,
    /// `AllowTrailingWhite`
    pub trailing_white: bool,
    /// `AllowInnerWhite`
    pub inner_white: bool,
    /// `AdjustToUniversal`
    pub adjust_to_universal: bool,
    /// `AssumeLocal`
    pub assume_local: bool,
    /// `AssumeUniversal`
    pub assume_universal: bool,
    /// `RoundtripKind`
    pub roundtrip_kind: bool,
    /// `NoCurrentDateDefault`
    pub no_current_date_default: bool,
}

impl Styles {
    /// `FormatDateTime`'s default when the argument is empty (ED-FUNC):
    /// `RoundtripKind, AllowLeadingWhite, AllowTrailingWhite`.
    pub const DEFAULT: Styles = Styles {
        leading_white: true,
        trailing_white: true,
        inner_white: false,
        adjust_to_universal: false,
        assume_local: false,
        assume_universal: false,
        roundtrip_kind: true,
        no_current_date_default: false,
    };

    /// Reads a comma-separated list of `DateTimeStyles` names (as `Enum.Parse` does:
    /// ignoring case and white space around names; numbers are not accepted).
    pub fn parse(text: &str) -> Result<Styles, DateError> {
        let mut s = Styles::default();
        for name in text.split(',') {
            let original = name.trim();
            match original.to_ascii_lowercase().as_str() {
                "none" => {}
                "allowleadingwhite" => s.leading_white = true,
                "allowtrailingwhite" => s.trailing_white = true,
                "allowinnerwhite" => s.inner_white = true,
                "allowwhitespaces" => {
                    s.leading_white = true;
                    s.trailing_white = true;
                    s.inner_white = true;
                }
                "adjusttouniversal" => s.adjust_to_universal = true,
                "assumelocal" => s.assume_local = true,
                "assumeuniversal" => s.assume_universal = true,
                "roundtripkind" => s.roundtrip_kind = true,
                "nocurrentdatedefault" => s.no_current_date_default = true,
                _ => {
                    return err(format!(
                        "`{original}` is not a DateTimeStyles value (None, AllowLeadingWhite, AllowTrailingWhite, AllowInnerWhite, AllowWhiteSpaces, NoCurrentDateDefault, AdjustToUniversal, AssumeLocal, AssumeUniversal, RoundtripKind)"
                    ));
                }
            }
        }
        if s.roundtrip_kind && (s.adjust_to_universal || s.assume_local || s.assume_universal) {
            return err(
                "RoundtripKind cannot be combined with AdjustToUniversal, AssumeLocal or AssumeUniversal (.NET rejects it)",
            );
        }
        if s.assume_local && s.assume_universal {
            return err("AssumeLocal and AssumeUniversal exclude each other (.NET rejects it)");
        }
        Ok(s)
    }
}

/// One piece of a format string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A specifier letter and its repeat count.
    Spec(char, usize),
    /// Literal text.
    Lit(String),
}

/// en-US patterns of the standard formats.
fn standard(c: char) -> Option<&'static str> {
    Some(match c {
        'd' => "M/d/yyyy",
        'D' => "dddd, MMMM d, yyyy",
        'f' => "dddd, MMMM d, yyyy h:mm tt",
        'F' | 'U' => "dddd, MMMM d, yyyy h:mm:ss tt",
        'g' => "M/d/yyyy h:mm tt",
        'G' => "M/d/yyyy h:mm:ss tt",
        'm' | 'M' => "MMMM d",
        'o' | 'O' => "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
        'r' | 'R' => "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
        's' => "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
        't' => "h:mm tt",
        'T' => "h:mm:ss tt",
        'u' => "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
        'y' | 'Y' => "MMMM yyyy",
        _ => return None,
    })
}

const SPECIFIERS: &str = "dfFghHKmMstyz";

fn tokenize(format: &str) -> Result<Vec<Token>, DateError> {
    if format.is_empty() {
        return err("the date format is empty");
    }
    let mut chars: Vec<char> = format.chars().collect();
    if chars.len() == 1 {
        let Some(p) = chars.first().copied() else {
            return err("the date format is empty");
        };
        match standard(p) {
            Some(pattern) => chars = pattern.chars().collect(),
            None => {
                return err(format!(
                    "`{format}` is not a .NET standard date format (one letter of d D f F g G m M o O r R s t T u U y Y)"
                ));
            }
        }
    }
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut i = 0;
    let flush = |lit: &mut String, out: &mut Vec<Token>| {
        if !lit.is_empty() {
            out.push(Token::Lit(std::mem::take(lit)));
        }
    };
    while let Some(&c) = chars.get(i) {
        match c {
            '\'' | '"' => {
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return err(format!(
                                "the quote in the date format `{format}` is never closed"
                            ));
                        }
                        Some(&q) if q == c => break,
                        Some('\\') => {
                            i += 1;
                            match chars.get(i) {
                                Some(&e) => lit.push(e),
                                None => {
                                    return err(format!(
                                        "the date format `{format}` ends with a `\\`"
                                    ));
                                }
                            }
                        }
                        Some(&x) => lit.push(x),
                    }
                    i += 1;
                }
                i += 1;
            }
            '\\' => {
                match chars.get(i + 1) {
                    Some(&e) => lit.push(e),
                    None => return err(format!("the date format `{format}` ends with a `\\`")),
                }
                i += 2;
            }
            '%' => {
                match chars.get(i + 1) {
                    Some(&n) if SPECIFIERS.contains(n) => {
                        flush(&mut lit, &mut out);
                        out.push(Token::Spec(n, 1));
                    }
                    _ => {
                        return err(format!(
                            "`%` in the date format `{format}` must be followed by one format letter"
                        ));
                    }
                }
                i += 2;
            }
            ':' | '/' => {
                // en-US time and date separators.
                lit.push(c);
                i += 1;
            }
            c if SPECIFIERS.contains(c) => {
                let mut n = 1;
                while chars.get(i + n) == Some(&c) {
                    n += 1;
                }
                flush(&mut lit, &mut out);
                out.push(Token::Spec(c, n));
                i += n;
            }
            other => {
                lit.push(other);
                i += 1;
            }
        }
    }
    flush(&mut lit, &mut out);
    Ok(out)
}

/// `DateTime.ToString(format)` with en-US names. Offsets print as `+00:00` (the server's
/// zone is UTC); `K` prints `Z` for UTC, `+00:00` for local and nothing for unspecified.
pub fn format(date: DateTime, format: &str) -> Result<String, DateError> {
    let mut date = date;
    if format == "U" {
        date = date.to_utc();
    }
    let p = date.parts();
    let mut out = String::new();
    let pad = |out: &mut String, v: i64, w: usize| out.push_str(&format!("{v:0w$}"));
    for token in tokenize(format)? {
        match token {
            Token::Lit(s) => out.push_str(&s),
            Token::Spec(c, n) => match c {
                'd' => match n {
                    1 | 2 => pad(&mut out, p.day, n),
                    3 => out.push_str(&DAYS[p.weekday as usize % 7][..3]),
                    _ => out.push_str(DAYS[p.weekday as usize % 7]),
                },
                'f' | 'F' => {
                    if n > 7 {
                        return err(format!(
                            "`{}` asks for more than 7 fraction digits (.NET rejects it)",
                            c.to_string().repeat(n)
                        ));
                    }
                    let digits = format!("{:07}", p.fraction);
                    let mut part = digits[..n].to_string();
                    if c == 'F' {
                        while part.ends_with('0') {
                            part.pop();
                        }
                        if part.is_empty() && out.ends_with('.') {
                            out.pop();
                        }
                    }
                    out.push_str(&part);
                }
                'g' => out.push_str("A.D."),
                'h' => {
                    let h = match p.hour % 12 {
                        0 => 12,
                        h => h,
                    };
                    pad(&mut out, h, n.min(2));
                }
                'H' => pad(&mut out, p.hour, n.min(2)),
                'K' => match date.kind {
                    Kind::Utc => out.push('Z'),
                    Kind::Local => out.push_str("+00:00"),
                    Kind::Unspecified => {}
                },
                'm' => pad(&mut out, p.minute, n.min(2)),
                'M' => match n {
                    1 | 2 => pad(&mut out, p.month, n),
                    3 => out.push_str(&MONTHS[p.month as usize - 1][..3]),
                    _ => out.push_str(MONTHS[p.month as usize - 1]),
                },
                's' => pad(&mut out, p.second, n.min(2)),
                't' => {
                    let tt = if p.hour < 12 { "AM" } else { "PM" };
                    out.push_str(if n == 1 { &tt[..1] } else { tt });
                }
                'y' => match n {
                    1 => out.push_str(&(p.year % 100).to_string()),
                    2 => pad(&mut out, p.year % 100, 2),
                    _ => pad(&mut out, p.year, n),
                },
                'z' => match n {
                    1 => out.push_str("+0"),
                    2 => out.push_str("+00"),
                    _ => out.push_str("+00:00"),
                },
                _ => {}
            },
        }
    }
    Ok(out)
}

struct Fields {
    year: Option<i64>,
    two_digit_year: bool,
    month: Option<i64>,
    day: Option<i64>,
    weekday: Option<i64>,
    hour: i64,
    hour12: bool,
    pm: Option<bool>,
    minute: i64,
    second: i64,
    fraction: i64,
    offset_minutes: Option<i64>,
    utc_designator: bool,
}

struct Input<'a> {
    chars: Vec<char>,
    i: usize,
    text: &'a str,
}

impl Input<'_> {
    fn digits(&mut self, n: usize) -> Option<i64> {
        // One-letter specifiers read one or two digits; longer ones exactly n.
        let (min, max) = if n == 1 { (1, 2) } else { (n, n) };
        let start = self.i;
        let mut v: i64 = 0;
        while self.i - start < max {
            match self.chars.get(self.i).and_then(|c| c.to_digit(10)) {
                Some(d) if self.chars.get(self.i).is_some_and(char::is_ascii_digit) => {
                    v = v * 10 + i64::from(d);
                    self.i += 1;
                }
                _ => break,
            }
        }
        if self.i - start < min {
            self.i = start;
            return None;
        }
        Some(v)
    }

    fn word_in(&mut self, names: &[&str], abbreviated: bool) -> Option<usize> {
        let rest: String = self.chars[self.i..].iter().collect();
        let lower = rest.to_lowercase();
        // Longest name first, so `June` is not read as `Jun`.
        let mut best: Option<(usize, usize)> = None;
        for (k, name) in names.iter().enumerate() {
            let name = if abbreviated { &name[..3] } else { name };
            if lower.starts_with(&name.to_lowercase())
                && best.is_none_or(|(_, len)| name.len() > len)
            {
                best = Some((k, name.len()));
            }
        }
        let (k, len) = best?;
        self.i += len;
        Some(k)
    }

    fn skip_white(&mut self) {
        while self.chars.get(self.i).is_some_and(|c| c.is_whitespace()) {
            self.i += 1;
        }
    }

    fn fail<T>(&self, what: &str) -> Result<T, DateError> {
        let at: String = self.chars[self.i.min(self.chars.len())..].iter().collect();
        err(format!(
            "`{}` does not match the date format: expected {what} at `{}`",
            self.text,
            if at.is_empty() { "the end" } else { &at }
        ))
    }
}

/// `DateTime.ParseExact(text, format, en-US, styles)`. `today` fills in the date when the
/// format has none (.NET uses the current date unless `NoCurrentDateDefault`).
pub fn parse_exact(
    text: &str,
    format: &str,
    styles: Styles,
    today: Option<DateTime>,
) -> Result<DateTime, DateError> {
    let tokens = tokenize(format)?;
    let mut inp = Input {
        chars: text.chars().collect(),
        i: 0,
        text,
    };
    if styles.leading_white {
        inp.skip_white();
    }
    let mut f = Fields {
        year: None,
        two_digit_year: false,
        month: None,
        day: None,
        weekday: None,
        hour: 0,
        hour12: false,
        pm: None,
        minute: 0,
        second: 0,
        fraction: 0,
        offset_minutes: None,
        utc_designator: false,
    };
    for token in &tokens {
        match token {
            Token::Lit(s) => {
                for want in s.chars() {
                    if want.is_whitespace() && styles.inner_white {
                        inp.skip_white();
                        continue;
                    }
                    if want == 'Z' {
                        // .NET: a literal `Z` in the format reads the UTC designator.
                        if inp.chars.get(inp.i) == Some(&'Z') {
                            inp.i += 1;
                        } else if inp.chars[inp.i.min(inp.chars.len())..]
                            .starts_with(&['G', 'M', 'T'])
                        {
                            inp.i += 3;
                        } else {
                            return inp.fail("`Z`");
                        }
                        f.utc_designator = true;
                        f.offset_minutes = Some(0);
                        continue;
                    }
                    if inp.chars.get(inp.i) == Some(&want) {
                        inp.i += 1;
                    } else {
                        return inp.fail(&format!("`{want}`"));
                    }
                }
            }
            Token::Spec(c, n) => {
                let (c, n) = (*c, *n);
                match c {
                    'y' => {
                        let v = inp.digits(n).map_or_else(|| inp.fail("a year"), Ok)?;
                        f.two_digit_year = n <= 2;
                        f.year = Some(v);
                    }
                    'M' if n <= 2 => {
                        f.month = Some(inp.digits(n).map_or_else(|| inp.fail("a month"), Ok)?);
                    }
                    'M' => {
                        let k = inp
                            .word_in(&MONTHS, n == 3)
                            .map_or_else(|| inp.fail("a month name"), Ok)?;
                        f.month = Some(k as i64 + 1);
                    }
                    'd' if n <= 2 => {
                        f.day = Some(inp.digits(n).map_or_else(|| inp.fail("a day"), Ok)?);
                    }
                    'd' => {
                        let k = inp
                            .word_in(&DAYS, n == 3)
                            .map_or_else(|| inp.fail("a day name"), Ok)?;
                        f.weekday = Some(k as i64);
                    }
                    'h' | 'H' => {
                        f.hour = inp
                            .digits(n.min(2))
                            .map_or_else(|| inp.fail("an hour"), Ok)?;
                        f.hour12 = c == 'h';
                    }
                    'm' => {
                        f.minute = inp
                            .digits(n.min(2))
                            .map_or_else(|| inp.fail("minutes"), Ok)?;
                    }
                    's' => {
                        f.second = inp
                            .digits(n.min(2))
                            .map_or_else(|| inp.fail("seconds"), Ok)?;
                    }
                    'f' | 'F' => {
                        if n > 7 {
                            return err(format!(
                                "`{}` asks for more than 7 fraction digits (.NET rejects it)",
                                c.to_string().repeat(n)
                            ));
                        }
                        let start = inp.i;
                        let mut v: i64 = 0;
                        while inp.i - start < n
                            && inp.chars.get(inp.i).is_some_and(char::is_ascii_digit)
                        {
                            v = v * 10 + i64::from(inp.chars[inp.i] as u8 - b'0');
                            inp.i += 1;
                        }
                        let got = inp.i - start;
                        if c == 'f' && got < n {
                            return inp.fail(&format!("{n} fraction digit(s)"));
                        }
                        f.fraction = v * 10_i64.pow(7 - got as u32);
                    }
                    't' => {
                        let rest: String = inp.chars[inp.i..].iter().collect();
                        let up = rest.to_uppercase();
                        let (am, pm, len) = if n == 1 {
                            ("A", "P", 1)
                        } else {
                            ("AM", "PM", 2)
                        };
                        if up.starts_with(am) {
                            f.pm = Some(false);
                        } else if up.starts_with(pm) {
                            f.pm = Some(true);
                        } else {
                            return inp.fail("`AM` or `PM`");
                        }
                        inp.i += len;
                    }
                    'z' | 'K' => {
                        if c == 'K' && inp.chars.get(inp.i) == Some(&'Z') {
                            inp.i += 1;
                            f.utc_designator = true;
                            f.offset_minutes = Some(0);
                            continue;
                        }
                        let sign = match inp.chars.get(inp.i) {
                            Some('+') => 1,
                            Some('-') => -1,
                            _ if c == 'K' => continue,
                            _ => return inp.fail("a time-zone offset such as `-08:00`"),
                        };
                        inp.i += 1;
                        let h = inp
                            .digits(if n <= 2 { n } else { 1 })
                            .map_or_else(|| inp.fail("offset hours"), Ok)?;
                        let mut m = 0;
                        if n >= 3 || c == 'K' {
                            if inp.chars.get(inp.i) == Some(&':') {
                                inp.i += 1;
                            }
                            m = inp
                                .digits(2)
                                .map_or_else(|| inp.fail("offset minutes"), Ok)?;
                        }
                        if h > 14 || m > 59 {
                            return inp.fail("a time-zone offset between -14:00 and +14:00");
                        }
                        f.offset_minutes = Some(sign * (h * 60 + m));
                    }
                    'g' => {
                        return err(
                            "reading an era (`g`) is not supported by scopesim; remove it from the input format",
                        );
                    }
                    _ => {}
                }
            }
        }
    }
    if styles.trailing_white {
        inp.skip_white();
    }
    if inp.i < inp.chars.len() {
        return inp.fail("the end of the text");
    }
    build(text, &f, styles, today)
}

fn build(
    text: &str,
    f: &Fields,
    styles: Styles,
    today: Option<DateTime>,
) -> Result<DateTime, DateError> {
    let mut hour = f.hour;
    if let Some(pm) = f.pm {
        if f.hour12 || hour <= 12 {
            if !(1..=12).contains(&hour) && f.hour12 {
                return err(format!("`{text}` has an hour out of range for AM/PM"));
            }
            hour %= 12;
            if pm {
                hour += 12;
            }
        }
    }
    let (mut y, mut mo, mut d) = (f.year, f.month, f.day);
    if y.is_none() && mo.is_none() && d.is_none() {
        if styles.no_current_date_default {
            (y, mo, d) = (Some(1), Some(1), Some(1));
        } else {
            let Some(today) = today else {
                return err(
                    "the input format has no date, so .NET would take today's date: give a fixed time (`--now`)",
                );
            };
            let p = today.parts();
            (y, mo, d) = (Some(p.year), Some(p.month), Some(p.day));
        }
    }
    let mut year = y.unwrap_or(1);
    if f.two_digit_year {
        year += if year < 50 { 2000 } else { 1900 };
    }
    let kind = if f.offset_minutes.is_some() {
        if f.utc_designator && styles.roundtrip_kind || styles.adjust_to_universal {
            Kind::Utc
        } else {
            Kind::Local
        }
    } else if styles.assume_universal || styles.assume_local {
        // Assumed UTC is converted to local time, assumed local stays local; either is
        // UTC after AdjustToUniversal (the server's zone is UTC, so the ticks agree).
        if styles.adjust_to_universal {
            Kind::Utc
        } else {
            Kind::Local
        }
    } else {
        Kind::Unspecified
    };
    let wall = DateTime::from_parts(
        year,
        mo.unwrap_or(1),
        d.unwrap_or(1),
        hour,
        f.minute,
        f.second,
        f.fraction,
        kind,
    )
    .ok_or_else(|| {
        DateError(format!(
            "`{text}` is not a valid date (a field is out of range)"
        ))
    })?;
    if let Some(wd) = f.weekday {
        if wall.parts().weekday != wd {
            return err(format!(
                "`{text}` names the wrong day of the week for its date"
            ));
        }
    }
    let ticks = wall.ticks - f.offset_minutes.unwrap_or(0) * 60 * TICKS_PER_SECOND;
    DateTime::from_ticks(ticks, kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(iso: &str, f: &str) -> String {
        format(DateTime::parse(iso).unwrap(), f).unwrap()
    }

    #[test]
    fn custom_specifiers_format_like_dotnet() {
        let t = "2009-06-15T13:45:30.6175000Z";
        assert_eq!(fmt(t, "yyyy-MM-dd"), "2009-06-15");
        assert_eq!(fmt(t, "M/d/yy h:m:s tt"), "6/15/09 1:45:30 PM");
        assert_eq!(fmt(t, "dddd, MMMM dd"), "Monday, June 15");
        assert_eq!(fmt(t, "ddd MMM"), "Mon Jun");
        assert_eq!(fmt(t, "HH:mm:ss.fff"), "13:45:30.617");
        assert_eq!(fmt(t, "ss.FFFF"), "30.6175");
        assert_eq!(fmt("2009-06-15T13:45:30Z", "ss.FFF"), "30");
        assert_eq!(fmt(t, "'year' yyyy \\y %y"), "year 2009 y 9");
        assert_eq!(fmt(t, "yyyyMMddHHmmss.fZ"), "20090615134530.6Z");
        assert_eq!(fmt(t, "o"), "2009-06-15T13:45:30.6175000Z");
        assert_eq!(fmt(t, "s"), "2009-06-15T13:45:30");
        assert_eq!(fmt(t, "G"), "6/15/2009 1:45:30 PM");
        assert_eq!(fmt(t, "zzz"), "+00:00");
        assert!(format(DateTime::parse(t).unwrap(), "ffffffff").is_err());
        assert!(format(DateTime::parse(t).unwrap(), "q").is_err());
    }

    #[test]
    fn parse_exact_reads_specifiers() {
        let p = |s: &str, f: &str| parse_exact(s, f, Styles::DEFAULT, None).map(|d| d.iso());
        assert_eq!(
            p("20150123105347.1Z", "yyyyMMddHHmmss.fZ").unwrap(),
            "2015-01-23T10:53:47.1Z"
        );
        assert_eq!(
            p("2020-12-31-08:00", "yyyy-MM-ddzzz").unwrap(),
            "2020-12-31T08:00:00Z"
        );
        assert_eq!(
            p("1/2/2021 03:04:05 PM", "M/d/yyyy hh:mm:ss tt").unwrap(),
            "2021-01-02T15:04:05Z"
        );
        assert_eq!(
            p("  2021-01-02 ", "yyyy-MM-dd").unwrap(),
            "2021-01-02T00:00:00Z"
        );
        assert_eq!(
            p("15 June 09", "d MMMM yy").unwrap(),
            "2009-06-15T00:00:00Z"
        );
        assert_eq!(p("15 Jun 51", "d MMM yy").unwrap(), "1951-06-15T00:00:00Z");
        assert!(p("2021-1-02", "yyyy-MM-dd").is_err());
        assert!(p("2021-01-02x", "yyyy-MM-dd").is_err());
        assert!(p("13:00", "HH:mm").is_err());
        let kind = parse_exact("2021-01-02Z", "yyyy-MM-ddK", Styles::DEFAULT, None)
            .unwrap()
            .kind;
        assert_eq!(kind, Kind::Utc);
        let kind = parse_exact("2021-01-02", "yyyy-MM-dd", Styles::DEFAULT, None)
            .unwrap()
            .kind;
        assert_eq!(kind, Kind::Unspecified);
    }

    #[test]
    fn styles_read_like_enum_parse() {
        let s = Styles::parse("AllowLeadingWhite, adjusttouniversal").unwrap();
        assert!(s.leading_white && s.adjust_to_universal && !s.trailing_white);
        assert!(Styles::parse("Sometimes").is_err());
        assert!(Styles::parse("RoundtripKind, AssumeLocal").is_err());
    }
}
