//! How long the initial cycle of a stage would take (S28), from Microsoft's published
//! guidance, always stated as an estimate with its source.
//!
//! Under "Sync assigned", the current page gives 0.01 to 0.08 minutes per assigned user,
//! group and group member [TIME]. Under "Sync all", only the 2023 table by tenant size
//! exists [TIME-2023]; past its last row (100,000) we extrapolate that row linearly and
//! say so.

use crate::rules::ScopeMode;
use serde::Serialize;

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
}

impl Estimate {
    /// `12–96 min`, `< 30 min`, or hours for long cycles.
    pub fn display(&self) -> String {
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
                "0.01–0.08 min × {assigned} assigned users, groups and group members (Microsoft Learn, \"Check the status of user provisioning\")"
            ),
        },
        ScopeMode::All => {
            let n = users + groups;
            let (min, max, note) = if n < 1_000 {
                (0.0, 30.0, "")
            } else if n <= 10_000 {
                (30.0, 120.0, "")
            } else if n <= 100_000 {
                (713.0, 1425.0, "")
            } else {
                let k = n as f64 / 100_000.0;
                (
                    round(713.0 * k),
                    round(1425.0 * k),
                    ", extrapolated linearly past the table's last row",
                )
            };
            Estimate {
                min,
                max,
                basis: n,
                source: format!(
                    "{n} users and groups in the tenant, \"Sync all users and groups\" row of the 2023 timing table (Microsoft Learn){note}"
                ),
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
        assert_eq!(e.display(), "10 min–80 min");
    }

    #[test]
    fn s28_sync_all_uses_the_table_and_says_when_it_extrapolates() {
        assert_eq!(estimate(ScopeMode::All, 0, 500, 10).display(), "< 30 min");
        let e = estimate(ScopeMode::All, 0, 5_000, 0);
        assert_eq!((e.min, e.max), (30.0, 120.0));
        let e = estimate(ScopeMode::All, 0, 50_000, 0);
        assert_eq!((e.min, e.max), (713.0, 1425.0));
        let e = estimate(ScopeMode::All, 0, 1_000_000, 0);
        assert_eq!((e.min, e.max), (7130.0, 14250.0));
        assert!(e.source.contains("extrapolated"));
    }
}
