//! The fixed set of groups and app assignments of a synthetic directory.
//!
//! Layout (`->` = assigned to the app, `⊂` = nested, i.e. a member of type Group):
//!
//! | group                         | assignment              | members                                  |
//! |-------------------------------|-------------------------|------------------------------------------|
//! | SG-Salesforce-Sales-EMEA      | -> Salesforce           | Sales users in Europe                    |
//! | SG-Salesforce-Sales-Americas  | -> Salesforce           | Sales users in the Americas              |
//! | SG-Salesforce-Sales-APAC      | -> Salesforce           | Sales users in Asia-Pacific              |
//! | SG-Salesforce-Service         | -> Salesforce           | Support, Customer Service, Operations    |
//! | SG-Salesforce-Users           | -> Salesforce           | everyone else given Salesforce           |
//! | SG-Salesforce-Partners        | ⊂ SG-Salesforce-Users   | ~2% nested-only users, ~0.5% overlap     |
//! | SG-ServiceNow-Agents          | -> ServiceNow           | half of IT and Support                   |
//! | SG-ServiceNow-Requesters      | -> ServiceNow           | ~15% of users                            |
//! | SG-ServiceNow-Contractors     | ⊂ SG-ServiceNow-Agents  | ~1% nested-only users                    |
//! | SG-Project-Phoenix            | (none)                  | ~1% of users                             |
//! | SG-Finance-Reporting          | (none)                  | ~30% of Finance                          |
//!
//! About 60% of users are direct members of one Salesforce group; ~3% are members of a
//! nested group only, so Entra (which provisions direct members of assigned groups
//! only) does not consider them; ~2% are assigned to Salesforce directly.

use super::rng::{Rng, STREAM_GROUP};
use super::user::push_uuid;

pub(crate) const APP_SALESFORCE: &str = "Salesforce";
pub(crate) const APP_SERVICENOW: &str = "ServiceNow";

/// A group of the fixed layout.
#[derive(Debug)]
pub(crate) struct GroupDef {
    pub(crate) name: &'static str,
    /// App the group is assigned to, if any.
    pub(crate) app: Option<&'static str>,
    /// Index of the group this one is a member of, if nested.
    pub(crate) nested_in: Option<usize>,
}

const fn g(name: &'static str, app: Option<&'static str>, nested_in: Option<usize>) -> GroupDef {
    GroupDef {
        name,
        app,
        nested_in,
    }
}

pub(crate) const G_SF_EMEA: usize = 0;
pub(crate) const G_SF_AMERICAS: usize = 1;
pub(crate) const G_SF_APAC: usize = 2;
pub(crate) const G_SF_SERVICE: usize = 3;
pub(crate) const G_SF_USERS: usize = 4;
pub(crate) const G_SF_PARTNERS: usize = 5;
pub(crate) const G_SNOW_AGENTS: usize = 6;
pub(crate) const G_SNOW_REQUESTERS: usize = 7;
pub(crate) const G_SNOW_CONTRACTORS: usize = 8;
pub(crate) const G_PROJECT_PHOENIX: usize = 9;
pub(crate) const G_FINANCE_REPORTING: usize = 10;

pub(crate) static GROUPS: [GroupDef; 11] = [
    g("SG-Salesforce-Sales-EMEA", Some(APP_SALESFORCE), None),
    g("SG-Salesforce-Sales-Americas", Some(APP_SALESFORCE), None),
    g("SG-Salesforce-Sales-APAC", Some(APP_SALESFORCE), None),
    g("SG-Salesforce-Service", Some(APP_SALESFORCE), None),
    g("SG-Salesforce-Users", Some(APP_SALESFORCE), None),
    g("SG-Salesforce-Partners", None, Some(G_SF_USERS)),
    g("SG-ServiceNow-Agents", Some(APP_SERVICENOW), None),
    g("SG-ServiceNow-Requesters", Some(APP_SERVICENOW), None),
    g("SG-ServiceNow-Contractors", None, Some(G_SNOW_AGENTS)),
    g("SG-Project-Phoenix", None, None),
    g("SG-Finance-Reporting", None, None),
];

/// The object ids of [`GROUPS`] for one seed (UUID-shaped, lower-case).
pub(crate) fn group_ids(seed: u64) -> Vec<String> {
    (0..GROUPS.len() as u64)
        .map(|i| {
            let mut rng = Rng::for_item(seed, STREAM_GROUP, i);
            let mut s = String::with_capacity(36);
            push_uuid(&mut s, rng.next_u64(), rng.next_u64());
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_points_at_assigned_groups() {
        for def in &GROUPS {
            if let Some(parent) = def.nested_in {
                assert!(def.app.is_none());
                assert!(GROUPS[parent].app.is_some());
            }
        }
        let ids = group_ids(1);
        assert_eq!(ids.len(), GROUPS.len());
        assert!(ids.iter().all(|id| id.len() == 36));
    }
}
