//! Numbers and durations as people read them: counts with thousands separators and
//! durations in the largest unit that keeps them readable ("4–34 days", not
//! "6195.68–49565.44 min").
//!
//! Every renderer for people (tables, lists, the HTML page) formats through here, so a
//! count reads the same everywhere; machine outputs (CSV, JSON) keep plain numbers.

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// [`thousands`] for a `usize`.
pub fn count(n: usize) -> String {
    thousands(n as u64)
}

/// `1 user`, `1,200 users`.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// The units a duration is written in, smallest first: name, minutes per unit, and the
/// largest number of minutes it is used for.
const UNITS: [(&str, &str, f64, f64); 4] = [
    ("s", "s", 1.0 / 60.0, 2.0),
    ("min", "min", 1.0, 120.0),
    ("h", "h", 60.0, 48.0 * 60.0),
    ("day", "days", 24.0 * 60.0, f64::INFINITY),
];

/// A duration range given in minutes, in one unit chosen by the upper bound (seconds below
/// 2 minutes, minutes below 2 hours, hours below 2 days, then days), whole numbers from 1
/// up and one decimal below: `8–67 s`, `10–80 min`, `4–34 days`, `< 30 min` when the lower
/// bound is zero, `about 4 days` when both round alike.
pub fn duration_range(min_minutes: f64, max_minutes: f64) -> String {
    let max = max_minutes.max(min_minutes).max(0.0);
    if max == 0.0 {
        return "0 min".to_string();
    }
    let (one, many, per, _) = UNITS
        .iter()
        .copied()
        .find(|&(_, _, _, limit)| max < limit)
        .unwrap_or(UNITS[3]);
    let show = |m: f64| -> String {
        let v = m / per;
        if v >= 1.0 || v == 0.0 {
            format!("{}", v.round())
        } else {
            let r = (v * 10.0).round() / 10.0;
            if r == 0.0 {
                "0.1".to_string()
            } else {
                format!("{r}")
            }
        }
    };
    let hi = show(max);
    let unit = if hi == "1" { one } else { many };
    if min_minutes <= 0.0 {
        return format!("< {hi} {unit}");
    }
    let lo = show(min_minutes.max(0.0));
    if lo == hi {
        format!("about {hi} {unit}")
    } else {
        format!("{lo}–{hi} {unit}")
    }
}

/// Parses a percentage between 0 and 100 (`50`, `50%`, `12.5`), as options take it.
pub fn parse_percent(s: &str) -> Result<f64, String> {
    match s.trim_end_matches('%').parse::<f64>() {
        Ok(v) if (0.0..=100.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a percentage between 0 and 100")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(counted(1, "user", "users"), "1 user");
        assert_eq!(counted(12_000, "user", "users"), "12,000 users");
    }

    #[test]
    fn s28_durations_are_in_the_largest_sensible_unit() {
        assert_eq!(duration_range(6195.68, 49565.44), "4–34 days");
        assert_eq!(duration_range(6198.0, 49566.0), "4–34 days");
        assert_eq!(duration_range(0.14, 1.12), "8–67 s");
        assert_eq!(duration_range(10.0, 80.0), "10–80 min");
        assert_eq!(duration_range(713.0, 1425.0), "12–24 h");
        assert_eq!(duration_range(0.0, 30.0), "< 30 min");
        assert_eq!(duration_range(0.0, 0.0), "0 min");
        assert_eq!(duration_range(3000.0, 3100.0), "about 2 days");
        assert_eq!(duration_range(0.5, 0.9), "30–54 s");
        assert_eq!(duration_range(30.0, 150.0), "0.5–3 h");
    }
}
