//! DateTime as Entra's expression service sees it: .NET ticks, .NET parsing and formatting.
//!
//! The date functions (`CDate`, `DateAdd`, `DateDiff`, `DateFromNum`, `NumFromDate`,
//! `FormatDateTime`, `Now`) run on .NET's `DateTime`: 100-nanosecond ticks since
//! 0001-01-01 in the proleptic Gregorian calendar, rendered by the service as
//! `M/d/yyyy h:mm:ss tt` in UTC (en-US, ED-FUNC "The returned string is always in UTC").
//! This module is that type, written out (no date crate reproduces .NET's format strings,
//! two-digit-year window or `Microsoft.VisualBasic.DateDiff`):
//!
//! * [`DateTime::parse`] reads what `CDate` is documented with: ISO 8601 dates with or
//!   without time and offset (`2020-03-16-07:00`, `2009-06-15T01:45:30-07:00`), and the
//!   service's own rendering `M/d/yyyy h:mm:ss tt`. .NET's `DateTime.Parse` reads more
//!   shapes; anything else is an error that says so, never a guess.
//! * [`parse_exact`] and [`format`] implement the .NET custom format specifiers (`d` ..
//!   `dddd`, `f`/`F` x1-7, `g`, `h`, `H`, `K`, `m`, `M` .. `MMMM`, `s`, `t`, `tt`, `y` ..
//!   `yyyyy`, `z` .. `zzz`, `:`, `/`, quoted literals, `%`, `\`) and the single-letter
//!   standard formats, with en-US names and patterns: en-US is the culture the documented
//!   renderings use. Parsing an era (`g`) is not supported and is reported.
//! * The server's local time zone is taken to be UTC [decision]: an offset is converted to
//!   UTC, and a time without one is read as UTC. Only the `DateTimeKind` (which `K` and
//!   `zzz` print) keeps the difference.

use std::fmt::Write as _;

/// Ticks per second (.NET `TimeSpan.TicksPerSecond`).
pub const TICKS_PER_SECOND: i64 = 10_000_000;
const TICKS_PER_MINUTE: i64 = 60 * TICKS_PER_SECOND;
const TICKS_PER_HOUR: i64 = 60 * TICKS_PER_MINUTE;
const TICKS_PER_DAY: i64 = 24 * TICKS_PER_HOUR;
/// `DateTime.MaxValue.Ticks`.
const MAX_TICKS: i64 = 3_155_378_975_999_999_999;
/// Ticks of 1601-01-01, the FILETIME epoch Active Directory counts from.
const FILETIME_EPOCH: i64 = 504_911_232_000_000_000;

/// .NET `DateTimeKind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// No time zone was given.
    Unspecified,
    /// UTC.
    Utc,
    /// The server's local time (taken to be UTC).
    Local,
}

/// A .NET DateTime: ticks since 0001-01-01 00:00 and a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    /// 100-nanosecond ticks.
    pub ticks: i64,
    /// What the ticks are relative to.
    pub kind: Kind,
}

/// Why a date could not be read, computed or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError(pub String);

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, DateError> {
    Err(DateError(msg.into()))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Days from 0001-01-01 to 1970-01-01: .NET ticks count from the first, the shared
/// calendar ([`crate::value::days_from_civil`]) from the second.
const DAYS_TO_UNIX_EPOCH: i64 = 719_162;

/// Days from 0001-01-01 to the given civil date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    crate::value::days_from_civil(y, m, d) + DAYS_TO_UNIX_EPOCH
}

/// The civil date of a day count from 0001-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    crate::value::civil_from_days(days - DAYS_TO_UNIX_EPOCH)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// The parts of a DateTime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// Year, 1..=9999.
    pub year: i64,
    /// Month, 1..=12.
    pub month: i64,
    /// Day, 1..=31.
    pub day: i64,
    /// Hour, 0..=23.
    pub hour: i64,
    /// Minute.
    pub minute: i64,
    /// Second.
    pub second: i64,
    /// Ticks within the second, 0..10^7.
    pub fraction: i64,
    /// 0 = Sunday.
    pub weekday: i64,
}

impl DateTime {
    /// A UTC DateTime from its parts; `None` when they are out of range.
    pub fn utc(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<DateTime> {
        DateTime::from_parts(y, mo, d, h, mi, s, 0, Kind::Utc)
    }

    #[allow(clippy::too_many_arguments)]
    fn from_parts(
        y: i64,
        mo: i64,
        d: i64,
        h: i64,
        mi: i64,
        s: i64,
        fraction: i64,
        kind: Kind,
    ) -> Option<DateTime> {
        if !(1..=9999).contains(&y)
            || !(1..=12).contains(&mo)
            || d < 1
            || d > days_in_month(y, mo)
            || !(0..24).contains(&h)
            || !(0..60).contains(&mi)
            || !(0..60).contains(&s)
            || !(0..TICKS_PER_SECOND).contains(&fraction)
        {
            return None;
        }
        let ticks = days_from_civil(y, mo, d) * TICKS_PER_DAY
            + h * TICKS_PER_HOUR
            + mi * TICKS_PER_MINUTE
            + s * TICKS_PER_SECOND
            + fraction;
        Some(DateTime { ticks, kind })
    }

    /// A DateTime from ticks, when they are in .NET's range.
    pub fn from_ticks(ticks: i64, kind: Kind) -> Result<DateTime, DateError> {
        if (0..=MAX_TICKS).contains(&ticks) {
            Ok(DateTime { ticks, kind })
        } else {
            err("the date is outside the range .NET can hold (years 1 to 9999)")
        }
    }

    /// Year, month, day, time of day and weekday.
    pub fn parts(&self) -> Parts {
        let days = self.ticks.div_euclid(TICKS_PER_DAY);
        let rem = self.ticks.rem_euclid(TICKS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        Parts {
            year,
            month,
            day,
            hour: rem / TICKS_PER_HOUR,
            minute: rem % TICKS_PER_HOUR / TICKS_PER_MINUTE,
            second: rem % TICKS_PER_MINUTE / TICKS_PER_SECOND,
            fraction: rem % TICKS_PER_SECOND,
            // 0001-01-01 was a Monday.
            weekday: (days + 1).rem_euclid(7),
        }
    }

    /// The same instant marked UTC.
    pub fn to_utc(self) -> DateTime {
        DateTime {
            ticks: self.ticks,
            kind: Kind::Utc,
        }
    }

    /// The service's rendering: `M/d/yyyy h:mm:ss tt` (en-US, ED-FUNC).
    pub fn render(&self) -> String {
        let p = self.parts();
        let h12 = match p.hour % 12 {
            0 => 12,
            h => h,
        };
        let tt = if p.hour < 12 { "AM" } else { "PM" };
        format!(
            "{}/{}/{} {}:{:02}:{:02} {tt}",
            p.month, p.day, p.year, h12, p.minute, p.second
        )
    }

    /// An ISO 8601 rendering (`2021-07-02T15:33:38Z`), for stating fixed inputs.
    pub fn iso(&self) -> String {
        let p = self.parts();
        let mut s = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            p.year, p.month, p.day, p.hour, p.minute, p.second
        );
        if p.fraction != 0 {
            let _ = write!(s, ".{:07}", p.fraction);
            while s.ends_with('0') {
                s.pop();
            }
        }
        s.push('Z');
        s
    }

    /// Active Directory's FILETIME (`DateTime.ToFileTimeUtc`): ticks since 1601-01-01.
    pub fn to_filetime(&self) -> Result<i64, DateError> {
        if self.ticks < FILETIME_EPOCH {
            return err("dates before 1601-01-01 have no Active Directory (FILETIME) value");
        }
        Ok(self.ticks - FILETIME_EPOCH)
    }

    /// `DateTime.FromFileTimeUtc`.
    pub fn from_filetime(filetime: i64) -> Result<DateTime, DateError> {
        if filetime < 0 {
            return err("an Active Directory date (FILETIME) cannot be negative");
        }
        match filetime.checked_add(FILETIME_EPOCH) {
            Some(t) => DateTime::from_ticks(t, Kind::Utc),
            None => err("the Active Directory date is beyond the year 9999"),
        }
    }

    /// Reads a date the way `CDate` is documented to (see the module documentation),
    /// as a UTC instant.
    pub fn parse(text: &str) -> Result<DateTime, DateError> {
        general::parse(text)
    }
}

/// A `DateAdd`/`DateDiff` interval (ED-FUNC: `yyyy m d ww h n s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    /// `yyyy`
    Year,
    /// `m`
    Month,
    /// `d`
    Day,
    /// `ww`
    Week,
    /// `h`
    Hour,
    /// `n`
    Minute,
    /// `s`
    Second,
}

impl Interval {
    /// The documented spellings, in the documented order.
    pub const NAMES: [&'static str; 7] = ["yyyy", "m", "d", "ww", "h", "n", "s"];

    /// Reads an interval. Visual Basic reads them ignoring case, and so does this.
    pub fn parse(s: &str) -> Option<Interval> {
        Some(match s.to_ascii_lowercase().as_str() {
            "yyyy" => Interval::Year,
            "m" => Interval::Month,
            "d" => Interval::Day,
            "ww" => Interval::Week,
            "h" => Interval::Hour,
            "n" => Interval::Minute,
            "s" => Interval::Second,
            _ => return None,
        })
    }
}

/// `DateAdd(interval, n, date)`: Visual Basic's `DateAdd` (months and years keep the day,
/// clamped to the month's last day).
pub fn add(interval: Interval, n: i64, date: DateTime) -> Result<DateTime, DateError> {
    let by_ticks = |unit: i64| {
        n.checked_mul(unit)
            .and_then(|d| date.ticks.checked_add(d))
            .map_or_else(
                || err("the date is outside the range .NET can hold (years 1 to 9999)"),
                |t| DateTime::from_ticks(t, date.kind),
            )
    };
    match interval {
        Interval::Second => by_ticks(TICKS_PER_SECOND),
        Interval::Minute => by_ticks(TICKS_PER_MINUTE),
        Interval::Hour => by_ticks(TICKS_PER_HOUR),
        Interval::Day => by_ticks(TICKS_PER_DAY),
        Interval::Week => by_ticks(7 * TICKS_PER_DAY),
        Interval::Month | Interval::Year => {
            let months = if interval == Interval::Year {
                n.checked_mul(12)
            } else {
                Some(n)
            };
            let p = date.parts();
            let total = months.and_then(|m| (p.year * 12 + p.month - 1).checked_add(m));
            let Some(total) = total else {
                return err("the date is outside the range .NET can hold (years 1 to 9999)");
            };
            let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
            if !(1..=9999).contains(&y) {
                return err("the date is outside the range .NET can hold (years 1 to 9999)");
            }
            let d = p.day.min(days_in_month(y, m));
            let day_ticks = date.ticks.rem_euclid(TICKS_PER_DAY);
            DateTime::from_ticks(
                days_from_civil(y, m, d) * TICKS_PER_DAY + day_ticks,
                date.kind,
            )
        }
    }
}

/// `DateDiff(interval, date1, date2)`: `Microsoft.VisualBasic.DateAndTime.DateDiff`.
/// Days, hours, minutes and seconds are the elapsed time truncated toward zero; months and
/// years count calendar boundaries; `ww` counts Sundays crossed (both dates moved back to
/// their week's Sunday, then whole days / 7), which gives ED-FUNC's documented -493.
pub fn diff(interval: Interval, a: DateTime, b: DateTime) -> i64 {
    let elapsed = b.ticks - a.ticks;
    match interval {
        Interval::Second => elapsed / TICKS_PER_SECOND,
        Interval::Minute => elapsed / TICKS_PER_MINUTE,
        Interval::Hour => elapsed / TICKS_PER_HOUR,
        Interval::Day => elapsed / TICKS_PER_DAY,
        Interval::Week => {
            let back = |d: DateTime| d.ticks - d.parts().weekday * TICKS_PER_DAY;
            (back(b) - back(a)) / TICKS_PER_DAY / 7
        }
        Interval::Month => {
            let (pa, pb) = (a.parts(), b.parts());
            (pb.year - pa.year) * 12 + (pb.month - pa.month)
        }
        Interval::Year => b.parts().year - a.parts().year,
    }
}

mod general;
mod pattern;

pub use pattern::{Styles, format, parse_exact};

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> DateTime {
        DateTime::parse(s).unwrap()
    }

    #[test]
    fn civil_round_trip_and_weekday() {
        for days in [0, 1, 58, 59, 60, 365, 146_096, 730_000, 3_652_058] {
            let (y, m, dd) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, dd), days, "{y}-{m}-{dd}");
        }
        // 2021-08-25 was a Wednesday.
        assert_eq!(d("2021-08-25").parts().weekday, 3);
        assert_eq!(DateTime::utc(1, 1, 1, 0, 0, 0).unwrap().ticks, 0);
    }

    #[test]
    fn renders_like_the_service() {
        assert_eq!(d("2020-03-16-07:00").render(), "3/16/2020 7:00:00 AM");
        assert_eq!(d("2021-06-30+08:00").render(), "6/29/2021 4:00:00 PM");
        assert_eq!(
            d("2009-06-15T01:45:30-07:00").render(),
            "6/15/2009 8:45:30 AM"
        );
        assert_eq!(d("2021-01-01T00:00:00Z").render(), "1/1/2021 12:00:00 AM");
        assert_eq!(d("2021-01-01T12:05:09Z").render(), "1/1/2021 12:05:09 PM");
        assert_eq!(d("8/25/2021 5:41:18 PM").iso(), "2021-08-25T17:41:18Z");
    }

    #[test]
    fn filetime_both_ways() {
        let t = DateTime::from_filetime(129_699_324_000_000_000).unwrap();
        assert_eq!(t.render(), "1/1/2012 11:00:00 PM");
        assert_eq!(t.to_filetime().unwrap(), 129_699_324_000_000_000);
        assert!(DateTime::from_filetime(-1).is_err());
    }

    #[test]
    fn add_clamps_months_and_diff_truncates() {
        let jan31 = d("2020-01-31");
        assert_eq!(
            add(Interval::Month, 1, jan31).unwrap().render(),
            "2/29/2020 12:00:00 AM"
        );
        assert_eq!(
            add(Interval::Year, 1, d("2020-02-29")).unwrap().iso(),
            "2021-02-28T00:00:00Z"
        );
        assert_eq!(
            diff(Interval::Day, d("2021-08-24T12:00:00Z"), d("2021-08-25")),
            0
        );
        assert_eq!(
            diff(Interval::Day, d("2021-08-25"), d("2021-08-24T12:00:00Z")),
            0
        );
        assert!(add(Interval::Year, 10_000, jan31).is_err());
    }
}
