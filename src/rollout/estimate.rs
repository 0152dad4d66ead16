//! How long the initial cycle of a stage would take (S28), from Microsoft's published
//! guidance, always stated as an estimate with its source.
//!
//! Under "Sync assigned", the current page gives 0.01 to 0.08 minutes per assigned user,
//! group and group member [TIME]. Under "Sync all", only the 2023 table by tenant size
//! exists [TIME-2023]; its rows are quoted as published (`< 30 - 120 minutes`), the row
//! that applies is named (the step from 120 to 713 minutes at 10,000 objects is the
//! table's, not ours), and past its last row (100,000) the last row is extrapolated
//! linearly and said so. Later cycles are incremental, about every 40 minutes.

use crate::rules::ScopeMode;
use serde::Serialize;

/// What every estimate adds about the cycles after the first.
pub const INCREMENTAL: &str = "later cycles are incremental, about every 40 minutes";

/// Initial-cycle duration estimate, in minutes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Lower bound.
    pub min: f64,
    /// Upper bound.
    pub max: f64,
    /// The number the guidance is applied to.
    pub basis: usize,
    /// What was counted and which source gives the rule.
    pub source: String,
    /// The published text of the table row used, when it is quoted as is
    /// (`< 30 - 120 minutes`).
    #[serde(skip)]
    pub published: Option<&'static str>,
    /// Which row of the 2023 table applies, for Sync all (`12 users and groups: row
    /// "< 1,000" of the 2023 "Sync all users and groups" table`).
    #[serde(skip)]
    pub row: Option<String>,
}

impl Estimate {
    /// `12–96 min`, `< 30 min`, the published row (`< 30–120 min`), or hours for long
    /// cycles.
    pub fn display(&self) -> String {
        if let Some(p) = self.published {
            return p.to_string();
        }
        let f = |m: f64| -> String {
            if m >= 120.0 {
                format!("{:.1} h", m / 60.0)
            } else if m >= 10.0 {
                format!("{m:.0} min")
            } else {
                format!("{m:.1} min")
            }
        };
        if self.min <= 0.0 {
            format!("< {}", f(self.max))
        } else {
            format!("{}–{}", f(self.min), f(self.max))
        }
    }
}

/// The estimate for one cycle. `assigned` is assigned users + groups + group members;
/// `users` and `groups` are the tenant's sizes (for Sync all).
pub fn estimate(scope: ScopeMode, assigned: usize, users: usize, groups: usize) -> Estimate {
    match scope {
        ScopeMode::Assigned => Estimate {
            min: round(0.01 * assigned as f64),
            max: round(0.08 * assigned as f64),
            basis: assigned,
            source: format!(
                "0.01–0.08 min × {} assigned users, groups and group members (Microsoft Learn, \"Check the status of user provisioning\"); {INCREMENTAL}",
                crate::output::format::count(assigned)
            ),
            published: None,
            row: None,
        },
        ScopeMode::All => {
            let n = users + groups;
            // (min, max, the row as published, its initial-cycle time as published)
            let (min, max, row, time, published) = if n < 1_000 {
                (0.0, 30.0, "< 1,000", "< 30 minutes", Some("< 30 min"))
            } else if n <= 10_000 {
                (
                    0.0,
                    120.0,
                    "1,000 - 10,000",
                    "< 30 - 120 minutes",
                    Some("< 30–120 min"),
                )
            } else {
                (
                    713.0,
                    1425.0,
                    "10,000 - 100,000",
                    "713 - 1,425 minutes",
                    None,
                )
            };
            let (min, max, extrapolated) = if n > 100_000 {
                let k = n as f64 / 100_000.0;
                (
                    round(713.0 * k),
                    round(1425.0 * k),
                    ", extrapolated linearly past the table's last row",
                )
            } else {
                (min, max, "")
            };
            let boundary = if n == 10_000 {
                " (10,000 is in two rows; the smaller applies)"
            } else {
                ""
            };
            Estimate {
                min,
                max,
                basis: n,
                source: format!(
                    "{} users and groups in the tenant: row \"{row}\" (\"{time}\"){boundary} of the \"Sync all users and groups\" timing table (Microsoft Learn, 2023){extrapolated}; {INCREMENTAL}",
                    crate::output::format::count(n)
                ),
                published: if extrapolated.is_empty() {
                    published
                } else {
                    None
                },
                row: Some(format!(
                    "{} users and groups: row \"{row}\" of the 2023 \"Sync all users and groups\" table{}",
                    crate::output::format::count(n),
                    if extrapolated.is_empty() {
                        ""
                    } else {
                        ", extrapolated"
                    }
                )),
            }
        }
    }
}

fn round(m: f64) -> f64 {
    (m * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s28_assigned_scope_uses_the_per_object_formula() {
        let e = estimate(ScopeMode::Assigned, 1_000, 50_000, 10);
        assert_eq!((e.min, e.max), (10.0, 80.0));
        assert_eq!(e.basis, 1_000);
        assert!(e.source.contains("0.01–0.08"));
        assert!(e.source.contains("incremental, about every 40 minutes"));
        assert_eq!(e.display(), "10 min–80 min");
    }

    #[test]
    fn s28_sync_all_quotes_the_row_that_applies_and_says_when_it_extrapolates() {
        assert_eq!(estimate(ScopeMode::All, 0, 500, 10).display(), "< 30 min");
        let e = estimate(ScopeMode::All, 0, 5_000, 0);
        assert_eq!((e.min, e.max), (0.0, 120.0));
        assert_eq!(e.display(), "< 30–120 min", "quoted as published");
        assert!(
            e.source
                .contains("row \"1,000 - 10,000\" (\"< 30 - 120 minutes\")")
        );
        // the table's own step at 10,000: the row is named on both sides
        let at = estimate(ScopeMode::All, 0, 10_000, 0);
        assert!(
            at.source.contains("in two rows; the smaller applies"),
            "{}",
            at.source
        );
        let past = estimate(ScopeMode::All, 0, 10_001, 0);
        assert_eq!((past.min, past.max), (713.0, 1425.0));
        assert!(past.source.contains("row \"10,000 - 100,000\""));
        let e = estimate(ScopeMode::All, 0, 1_000_000, 0);
        assert_eq!((e.min, e.max), (7130.0, 14250.0));
        assert!(e.source.contains("extrapolated"));
        assert!(e.source.contains(INCREMENTAL));
    }
}
