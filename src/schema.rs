//! The provisioning schema's source attributes: names, aliases, types, and whether Entra
//! lets a scoping filter use them.
//!
//! Rules name attributes as the provisioning schema does (`objectId`, `mobile`,
//! `physicalDeliveryOfficeName`, `extensionAttribute1`), while exports use Graph v1.0 names
//! (`id`, `mobilePhone`, `officeLocation`), legacy names or the admin center's display
//! names (spec S3). This table is the single place where those spellings meet, so the
//! directory readers, the rule checker and the evaluator agree on what a name means.

/// The value type of a source attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum AttrType {
    /// Text; the default for unknown attributes and directory extensions.
    String,
    /// `true`/`false` (S4).
    Boolean,
    /// A date or time: not usable in scoping filters (S20).
    DateTime,
    /// Several values: not usable in scoping filters (S20).
    MultiValued,
    /// A reference to another object (`manager`): not usable (S20).
    Reference,
}

/// What a source attribute is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttrInfo {
    /// The provisioning schema's name, as rules must spell it.
    pub name: &'static str,
    /// Value type.
    pub ty: AttrType,
    /// Other spellings seen in exports (Graph v1.0, legacy, admin-center display names).
    pub aliases: &'static [&'static str],
    /// Why Entra refuses it in a scoping filter (S20), when it does.
    pub unsupported: Option<&'static str>,
}

const NOT_IN_SCOPING: &str = "Entra does not support this attribute in scoping filters";
const MULTI: &str = "filtering is not supported for multi-valued attributes";
const DATE: &str = "date-type attributes aren't supported as scoping filters";

macro_rules! attr {
    ($name:literal, $ty:ident) => {
        AttrInfo { name: $name, ty: AttrType::$ty, aliases: &[], unsupported: None }
    };
    ($name:literal, $ty:ident, [$($alias:literal),*]) => {
        AttrInfo { name: $name, ty: AttrType::$ty, aliases: &[$($alias),*], unsupported: None }
    };
    ($name:literal, $ty:ident, [$($alias:literal),*], $why:expr) => {
        AttrInfo { name: $name, ty: AttrType::$ty, aliases: &[$($alias),*], unsupported: Some($why) }
    };
}

/// Every attribute scopesim knows by name. Anything else (including
/// `extension_<appid>_<name>` directory extensions) is a string attribute.
pub static ATTRIBUTES: &[AttrInfo] = &[
    attr!("objectId", String, ["id", "object id", "objectid"]),
    attr!("userPrincipalName", String, ["user principal name", "upn"]),
    attr!("displayName", String, ["display name", "name"]),
    attr!("givenName", String, ["first name", "given name"]),
    attr!("surname", String, ["sn", "last name"]),
    attr!("mail", String, ["email", "email address"]),
    attr!("mailNickname", String, ["alias"]),
    attr!("jobTitle", String, ["job title"]),
    attr!("department", String),
    attr!("companyName", String, ["company name", "company"]),
    attr!("employeeId", String, ["employee id"]),
    attr!("employeeType", String, ["employee type"]),
    attr!("usageLocation", String, ["usage location"]),
    attr!("streetAddress", String, ["street address"]),
    attr!("state", String, ["state or province"]),
    attr!("country", String, ["country or region"]),
    attr!("city", String),
    attr!("postalCode", String, ["zip or postal code", "postal code"]),
    attr!("preferredLanguage", String, ["preferred language"]),
    attr!(
        "physicalDeliveryOfficeName",
        String,
        ["officeLocation", "office location", "office"]
    ),
    attr!(
        "telephoneNumber",
        String,
        ["office phone", "telephone number"]
    ),
    attr!("mobile", String, ["mobilePhone", "mobile phone"]),
    attr!(
        "facsimileTelephoneNumber",
        String,
        ["faxNumber", "fax number", "fax"]
    ),
    attr!("ageGroup", String, ["age group"]),
    attr!(
        "consentProvidedForMinor",
        String,
        ["consent provided for minor"]
    ),
    attr!("legalAgeGroupClassification", String),
    attr!("authenticationAlternativePhoneNumber", String),
    attr!("authenticationPhoneNumber", String),
    attr!("authenticationEmail", String),
    attr!("alternateEmailAddress", String),
    attr!("creationType", String, ["creation type"]),
    attr!(
        "userState",
        String,
        ["externalUserState", "invitation state", "invitationState"]
    ),
    attr!("passwordPolicies", String),
    attr!(
        "onPremisesImmutableId",
        String,
        ["immutableId", "on-premises immutable id"]
    ),
    attr!("onPremisesDistinguishedName", String),
    attr!("onPremisesDomainName", String),
    attr!("onPremisesUserPrincipalName", String),
    attr!("onPremisesSecurityIdentifier", String),
    attr!("accountEnabled", Boolean, ["account enabled", "enabled"]),
    attr!(
        "dirSyncEnabled",
        Boolean,
        [
            "onPremisesSyncEnabled",
            "directory synced",
            "directorySynced",
            "on-premises sync enabled"
        ]
    ),
    attr!("IsSoftDeleted", Boolean),
    attr!(
        "extensionAttribute1",
        String,
        ["onPremisesExtensionAttributes.extensionAttribute1"]
    ),
    attr!(
        "extensionAttribute2",
        String,
        ["onPremisesExtensionAttributes.extensionAttribute2"]
    ),
    attr!(
        "extensionAttribute3",
        String,
        ["onPremisesExtensionAttributes.extensionAttribute3"]
    ),
    attr!(
        "extensionAttribute4",
        String,
        ["onPremisesExtensionAttributes.extensionAttribute4"]
    ),
    attr!(
        "extensionAttribute5",
        String,
        ["onPremisesExtensionAttributes.extensionAttribute5"]
    ),
    attr!(
        "extensionAttribute6",
        String,
        ["onPremisesExtensionAttributes.extensionAttribute6"]
    ),
    attr!(
        "extensionAttribute7",
        String,
        ["onPremisesExtensionAttributes.extensionAttribute7"]
    ),
    attr!(
        "extensionAttribute8",
        String,
        ["onPremisesExtensionAttributes.extensionAttribute8"]
    ),
    attr!(
        "extensionAttribute9",
        String,
        ["onPremisesExtensionAttributes.extensionAttribute9"]
    ),
    attr!(
        "extensionAttribute10",
        String,
        ["onPremisesExtensionAttributes.extensionAttribute10"]
    ),
    attr!(
        "extensionAttribute11",
        String,
        ["onPremisesExtensionAttributes.extensionAttribute11"]
    ),
    attr!(
        "extensionAttribute12",
        String,
        ["onPremisesExtensionAttributes.extensionAttribute12"]
    ),
    attr!(
        "extensionAttribute13",
        String,
        ["onPremisesExtensionAttributes.extensionAttribute13"]
    ),
    attr!(
        "extensionAttribute14",
        String,
        ["onPremisesExtensionAttributes.extensionAttribute14"]
    ),
    attr!(
        "extensionAttribute15",
        String,
        ["onPremisesExtensionAttributes.extensionAttribute15"]
    ),
    // S20: attributes Entra refuses in scoping filters.
    attr!(
        "userType",
        String,
        ["user type"],
        "userType isn't available as a scoping attribute"
    ),
    attr!("manager", Reference, [], NOT_IN_SCOPING),
    attr!(
        "appRoleAssignments",
        MultiValued,
        [],
        "appRoleAssignments can't be used in scoping filters; use assignment instead"
    ),
    attr!(
        "memberOf",
        MultiValued,
        ["IsMemberOf", "groups"],
        "group membership (IsMemberOf) is not supported in scoping filters; assign the group to the app instead"
    ),
    attr!(
        "members",
        MultiValued,
        [],
        "the group `members` attribute is not supported in scoping filters"
    ),
    attr!("proxyAddresses", MultiValued, ["proxy addresses"], MULTI),
    attr!("otherMails", MultiValued, ["other emails"], MULTI),
    attr!("businessPhones", MultiValued, [], MULTI),
    attr!("imAddresses", MultiValued, [], MULTI),
    attr!("identities", MultiValued, [], MULTI),
    attr!(
        "onPremisesSamAccountName",
        String,
        ["sAMAccountName", "SamAccountName"],
        "SamAccountName isn't available as a source attribute"
    ),
    attr!(
        "createdDateTime",
        DateTime,
        ["created date time", "creation date"],
        DATE
    ),
    attr!("employeeHireDate", DateTime, ["employee hire date"], DATE),
    attr!("employeeLeaveDateTime", DateTime, [], DATE),
    attr!("lastPasswordChangeDateTime", DateTime, [], DATE),
    attr!("refreshTokensValidFromDateTime", DateTime, [], DATE),
    attr!("onPremisesLastSyncDateTime", DateTime, [], DATE),
    attr!("deletedDateTime", DateTime, [], DATE),
    attr!("accountExpires", DateTime, [], DATE),
    attr!("StatusHireDate", DateTime, [], DATE),
    attr!("StatusTerminationDate", DateTime, [], DATE),
    attr!("startDate", DateTime, [], DATE),
    attr!("endDate", DateTime, [], DATE),
    attr!("signInActivity", DateTime, [], DATE),
];

/// The key that spellings are compared on: lowercase letters and digits only.
pub fn name_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Looks up an attribute by its exact provisioning-schema name.
pub fn lookup_exact(name: &str) -> Option<&'static AttrInfo> {
    ATTRIBUTES.iter().find(|a| a.name == name)
}

/// Maps an export's header or property name to the provisioning-schema name (S3), when
/// the name or one of its aliases matches ignoring case, spaces and punctuation.
/// Unknown names (directory extensions, custom columns) give `None` and are kept as they are.
pub fn canonical_name(header: &str) -> Option<&'static str> {
    // Keys of every name and alias, built once: the first attribute (in table order) that
    // has a key wins, as a search through the table would find it. A header of many
    // columns then costs one hash lookup per column.
    static INDEX: std::sync::OnceLock<std::collections::HashMap<String, &'static str>> =
        std::sync::OnceLock::new();
    let key = name_key(header);
    if key.is_empty() {
        return None;
    }
    INDEX
        .get_or_init(|| {
            let mut m = std::collections::HashMap::new();
            for a in ATTRIBUTES {
                m.entry(name_key(a.name)).or_insert(a.name);
                for al in a.aliases {
                    m.entry(name_key(al)).or_insert(a.name);
                }
            }
            m
        })
        .get(&key)
        .copied()
}

/// Information about any attribute name: the catalogue entry, or a plain string attribute.
pub fn info(name: &str) -> AttrInfo {
    if let Some(a) = lookup_exact(name) {
        return *a;
    }
    if let Some(a) = ATTRIBUTES
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
    {
        return *a;
    }
    AttrInfo {
        name: "",
        ty: AttrType::String,
        aliases: &[],
        unsupported: None,
    }
}

/// True for `extension_<appid>_<name>` directory-extension names.
pub fn is_directory_extension(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("extension_") else {
        return false;
    };
    match rest.split_once('_') {
        Some((appid, attr)) => {
            appid.len() == 32 && appid.chars().all(|c| c.is_ascii_hexdigit()) && !attr.is_empty()
        }
        None => false,
    }
}

/// The closest known attribute name, for "did you mean".
pub fn suggest<'a>(name: &str, extra: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let key = name.to_lowercase();
    let mut best: Option<(usize, String)> = None;
    let candidates = ATTRIBUTES
        .iter()
        .map(|a| a.name.to_string())
        .chain(extra.into_iter().map(str::to_string));
    for cand in candidates {
        let d = strsim::levenshtein(&cand.to_lowercase(), &key);
        if d == 0 {
            continue;
        }
        let limit = 2.max(cand.len() / 4);
        if d <= limit && best.as_ref().is_none_or(|(bd, _)| d < *bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_graph_and_legacy_names_map_to_provisioning_names() {
        assert_eq!(canonical_name("id"), Some("objectId"));
        assert_eq!(canonical_name("mobilePhone"), Some("mobile"));
        assert_eq!(
            canonical_name("officeLocation"),
            Some("physicalDeliveryOfficeName")
        );
        assert_eq!(
            canonical_name("physicalDeliveryOfficeName"),
            Some("physicalDeliveryOfficeName")
        );
        assert_eq!(
            canonical_name("User principal name"),
            Some("userPrincipalName")
        );
        assert_eq!(
            canonical_name("onPremisesExtensionAttributes.extensionAttribute7"),
            Some("extensionAttribute7")
        );
        assert_eq!(
            canonical_name("extension_5bfc8fdacfc943a9a6de214ea9d15fdb_rolloutWave"),
            None
        );
        assert_eq!(canonical_name("Custom Thing"), None);
    }

    #[test]
    fn s20_unsupported_attributes_say_why() {
        for name in [
            "userType",
            "manager",
            "proxyAddresses",
            "createdDateTime",
            "appRoleAssignments",
            "memberOf",
        ] {
            assert!(info(name).unsupported.is_some(), "{name}");
        }
        assert!(info("department").unsupported.is_none());
        assert_eq!(info("accountEnabled").ty, AttrType::Boolean);
        assert_eq!(
            info("extension_5bfc8fdacfc943a9a6de214ea9d15fdb_wave").ty,
            AttrType::String
        );
    }

    #[test]
    fn directory_extension_names_are_recognised() {
        assert!(is_directory_extension(
            "extension_5bfc8fdacfc943a9a6de214ea9d15fdb_rolloutWave"
        ));
        assert!(!is_directory_extension("extension_short_x"));
        assert!(!is_directory_extension("extensionAttribute1"));
    }

    #[test]
    fn attribute_suggestions() {
        assert_eq!(suggest("departmnet", []).as_deref(), Some("department"));
        assert_eq!(
            suggest("acountEnabled", []).as_deref(),
            Some("accountEnabled")
        );
        assert_eq!(suggest("zzzzzz", []), None);
    }
}
