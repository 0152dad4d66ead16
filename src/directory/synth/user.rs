//! Synthesis of one user: attributes, group memberships and direct assignments.
//!
//! A user is a function of `(seed, index)` only: its name pair and address number come
//! from the seeded [`NamePlan`], everything else from the user's own PRNG stream.
//! Composed values (addresses, phone numbers, ids) are written into one scratch
//! `String` that is reused for every user of a block; columns are views into it or
//! `&'static str`s from the word lists, so producing a user allocates nothing once the
//! scratch has grown.

use super::data::{
    BLANKISH_DEPARTMENTS, COUNTRIES, Country, DEPARTMENTS, DEPT_CUSTOMER_SERVICE, DEPT_FINANCE,
    DEPT_IT, DEPT_OPERATIONS, DEPT_SALES, DEPT_SUPPORT, EMPLOYEE_TYPE_WEIGHTS, EMPLOYEE_TYPES,
    EXT1_JUNK, GIVEN_NAMES, GUEST_UPN_DOMAIN, MEMBER_DOMAIN, Name, PARTNERS, PRIVATE_MAIL_DOMAIN,
    Region, SURNAMES,
};
use super::groups::{
    G_FINANCE_REPORTING, G_PROJECT_PHOENIX, G_SF_AMERICAS, G_SF_APAC, G_SF_EMEA, G_SF_PARTNERS,
    G_SF_SERVICE, G_SF_USERS, G_SNOW_AGENTS, G_SNOW_CONTRACTORS, G_SNOW_REQUESTERS,
};
use super::rng::{Rng, STREAM_NAMES, STREAM_USER};

/// Columns of `users.csv`, in the order of the Entra admin center "Download users" file.
pub const CSV_COLUMNS: [&str; 30] = [
    "userPrincipalName",
    "displayName",
    "surname",
    "mail",
    "givenName",
    "objectId",
    "userType",
    "jobTitle",
    "department",
    "accountEnabled",
    "usageLocation",
    "streetAddress",
    "state",
    "country",
    "physicalDeliveryOfficeName",
    "city",
    "postalCode",
    "telephoneNumber",
    "mobile",
    "authenticationAlternativePhoneNumber",
    "authenticationEmail",
    "alternateEmailAddress",
    "ageGroup",
    "consentProvidedForMinor",
    "legalAgeGroupClassification",
    "companyName",
    "employeeId",
    "employeeType",
    "extensionAttribute1",
    "extensionAttribute2",
];

/// Column indexes into [`CSV_COLUMNS`] / [`Record::cols`].
pub(crate) mod col {
    pub(crate) const UPN: usize = 0;
    pub(crate) const DISPLAY_NAME: usize = 1;
    pub(crate) const SURNAME: usize = 2;
    pub(crate) const MAIL: usize = 3;
    pub(crate) const GIVEN_NAME: usize = 4;
    pub(crate) const OBJECT_ID: usize = 5;
    pub(crate) const USER_TYPE: usize = 6;
    pub(crate) const JOB_TITLE: usize = 7;
    pub(crate) const DEPARTMENT: usize = 8;
    pub(crate) const ACCOUNT_ENABLED: usize = 9;
    pub(crate) const USAGE_LOCATION: usize = 10;
    pub(crate) const STREET_ADDRESS: usize = 11;
    pub(crate) const STATE: usize = 12;
    pub(crate) const COUNTRY: usize = 13;
    pub(crate) const OFFICE: usize = 14;
    pub(crate) const CITY: usize = 15;
    pub(crate) const POSTAL_CODE: usize = 16;
    pub(crate) const TELEPHONE: usize = 17;
    pub(crate) const MOBILE: usize = 18;
    pub(crate) const ALTERNATE_EMAIL: usize = 21;
    pub(crate) const COMPANY_NAME: usize = 25;
    pub(crate) const EMPLOYEE_ID: usize = 26;
    pub(crate) const EMPLOYEE_TYPE: usize = 27;
    pub(crate) const EXT1: usize = 28;
    pub(crate) const EXT2: usize = 29;
}

/// One column value: blank, a static string, or a byte range of [`Record::scratch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Txt {
    Empty,
    Lit(&'static str),
    Buf(usize, usize),
}

/// How a directly assigned user is named in `assignments.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DirectBy {
    ObjectId,
    UserPrincipalName,
}

/// A generated user; reused across the users of a block.
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) scratch: String,
    pub(crate) cols: [Txt; 30],
    /// `accountEnabled`: `None` is a blank cell / JSON `null`.
    pub(crate) enabled: Option<bool>,
    pub(crate) guest: bool,
    /// Bit `g` set: direct member of group `g` of [`super::groups::GROUPS`].
    pub(crate) groups: u32,
    /// Member only of a nested group (never a provisioning candidate through groups).
    pub(crate) nested_only: bool,
    /// Directly assigned to Salesforce.
    pub(crate) direct: Option<DirectBy>,
}

impl Default for Record {
    fn default() -> Self {
        Self {
            scratch: String::with_capacity(512),
            cols: [Txt::Empty; 30],
            enabled: None,
            guest: false,
            groups: 0,
            nested_only: false,
            direct: None,
        }
    }
}

const fn bit(g: usize) -> u32 {
    1 << g
}

impl Record {
    /// The text of a column (`""` when blank).
    #[inline]
    pub(crate) fn get(&self, t: Txt) -> &str {
        match t {
            Txt::Empty => "",
            Txt::Lit(s) => s,
            Txt::Buf(a, b) => self.scratch.get(a..b).unwrap_or(""),
        }
    }

    #[inline]
    pub(crate) fn col(&self, c: usize) -> &str {
        self.cols.get(c).map_or("", |&t| self.get(t))
    }

    /// Overwrite `self` with user `index` of the directory generated from `seed`.
    pub(crate) fn fill(&mut self, seed: u64, index: u64, names: &NamePlan) {
        let mut rng = Rng::for_item(seed, STREAM_USER, index);
        self.scratch.clear();
        self.cols = [Txt::Empty; 30];
        self.groups = 0;
        self.nested_only = false;
        self.direct = None;

        let guest = rng.chance(12_000);
        self.guest = guest;
        self.enabled = match rng.below(100_000) {
            0..7_000 => Some(false),
            7_000..8_000 => None,
            _ => Some(true),
        };
        let (given, surname, number) = names.get(index);
        let (hi, lo) = (rng.next_u64(), rng.next_u64());
        let country = COUNTRIES
            .get(rng.weighted(COUNTRY_WEIGHTS))
            .unwrap_or(&COUNTRIES[0]);
        let city = rng.pick(country.cities).unwrap_or(&country.cities[0]);
        let dept_index = rng.weighted(DEPARTMENT_WEIGHTS);
        let dept = DEPARTMENTS.get(dept_index).unwrap_or(&DEPARTMENTS[0]);

        self.set_names(&mut rng, number, given, surname);
        self.cols[col::OBJECT_ID] = self.span(|s| push_uuid(s, hi, lo));
        self.cols[col::USER_TYPE] = Txt::Lit(if guest { "Guest" } else { "Member" });

        // Department and job title.
        self.cols[col::DEPARTMENT] = match rng.below(100_000) {
            0..5_000 => Txt::Empty,
            5_000..6_000 => Txt::Lit(if rng.below(2) == 0 {
                dept.lower
            } else {
                dept.upper
            }),
            6_000..6_300 => Txt::Lit(if rng.below(2) == 0 {
                dept.trailing_space
            } else {
                rng.pick(BLANKISH_DEPARTMENTS).copied().unwrap_or(" ")
            }),
            _ => Txt::Lit(dept.name),
        };
        let title_blank = if guest { 50_000 } else { 4_000 };
        if !rng.chance(title_blank) {
            self.cols[col::JOB_TITLE] = lit(rng.pick(dept.titles).copied());
        }

        // Location.
        let country_blank = if guest { 40_000 } else { 2_000 };
        let country_txt = match rng.below(100_000) {
            r if r < country_blank => Txt::Empty,
            r if r < country_blank + 1_000 => Txt::Lit(country.lower),
            _ => Txt::Lit(country.code),
        };
        self.cols[col::COUNTRY] = country_txt;
        self.cols[col::USAGE_LOCATION] = match rng.below(100_000) {
            0..2_000 => Txt::Empty,
            2_000..4_000 => lit(COUNTRIES.get(rng.weighted(COUNTRY_WEIGHTS)).map(|c| c.code)),
            _ => Txt::Lit(country.code),
        };
        if guest {
            if country_txt != Txt::Empty && rng.chance(30_000) {
                self.cols[col::CITY] = Txt::Lit(city.name);
            }
        } else {
            if rng.chance(35_000) {
                let number = 1 + rng.below(199);
                self.cols[col::STREET_ADDRESS] = self.span(|s| {
                    s.push_str(city.street);
                    s.push(' ');
                    push_u64(s, number);
                });
            }
            self.cols[col::STATE] = lit_nonempty(city.state);
            if rng.chance(65_000) {
                let floor = 1 + rng.below(9);
                self.cols[col::OFFICE] = self.span(|s| {
                    s.push_str(city.office);
                    s.push('-');
                    push_u64(s, floor);
                });
            }
            if !rng.chance(3_000) {
                self.cols[col::CITY] = Txt::Lit(city.name);
            }
            if rng.chance(85_000) {
                let digits = rng.next_u64();
                self.cols[col::POSTAL_CODE] = self.span(|s| push_template(s, city.postal, digits));
            }
            if rng.chance(50_000) {
                let digits = rng.next_u64();
                self.cols[col::TELEPHONE] = self.span(|s| {
                    s.push_str(country.dial);
                    if !city.area.is_empty() {
                        s.push_str(city.area);
                        s.push(' ');
                    }
                    push_template(s, country.local, digits);
                });
            }
        }
        if rng.chance(if guest { 5_000 } else { 40_000 }) {
            let digits = rng.next_u64();
            self.cols[col::MOBILE] = self.span(|s| {
                s.push_str(country.dial);
                push_template(s, country.mobile, digits);
            });
        }

        // Organisation.
        if guest {
            // Set by `set_names` to the partner organisation.
        } else {
            if !rng.chance(2_000) {
                self.cols[col::COMPANY_NAME] = Txt::Lit(country.company);
            }
            if rng.chance(2_000) {
                self.cols[col::ALTERNATE_EMAIL] = self.span(|s| {
                    s.push_str(given.ascii);
                    s.push('.');
                    s.push_str(surname.ascii);
                    push_number(s, number);
                    s.push('@');
                    s.push_str(PRIVATE_MAIL_DOMAIN);
                });
            }
            if !rng.chance(4_000) {
                let id = rng.below(1_000_000);
                self.cols[col::EMPLOYEE_ID] = self.span(|s| push_padded(s, id, 6));
            }
        }
        let employee_type = if guest {
            match rng.below(10) {
                0 => "Vendor",
                1 => "Contractor",
                _ => "",
            }
        } else {
            EMPLOYEE_TYPES
                .get(rng.weighted(EMPLOYEE_TYPE_WEIGHTS))
                .copied()
                .unwrap_or("")
        };
        self.cols[col::EMPLOYEE_TYPE] = lit_nonempty(employee_type);
        self.cols[col::EXT1] = match rng.below(100_000) {
            0..10_000 => Txt::Empty,
            10_000..12_000 => lit(rng.pick(EXT1_JUNK).copied()),
            12_000..15_000 => {
                let v = rng.below(100);
                self.span(|s| push_padded(s, v, 3))
            }
            _ => {
                let v = 1 + rng.below(500);
                self.span(|s| push_u64(s, v))
            }
        };
        self.cols[col::EXT2] = match rng.below(100_000) {
            0..8_000 => Txt::Empty,
            r => {
                let prefix = if r < 8_500 { "cc-" } else { "CC-" };
                let v = 1_000 + rng.below(9_000);
                self.span(|s| {
                    s.push_str(prefix);
                    push_u64(s, v);
                })
            }
        };

        self.set_memberships(&mut rng, dept_index, country);
    }

    /// `userPrincipalName`, `mail`, `displayName`, `givenName`, `surname`, and for
    /// guests the partner organisation.
    fn set_names(
        &mut self,
        rng: &mut Rng,
        number: u64,
        given: &'static Name,
        surname: &'static Name,
    ) {
        self.cols[col::GIVEN_NAME] = Txt::Lit(given.text);
        self.cols[col::SURNAME] = Txt::Lit(surname.text);
        self.cols[col::DISPLAY_NAME] = if rng.chance(2_000) {
            self.span(|s| {
                s.push_str(surname.text);
                s.push_str(", ");
                s.push_str(given.text);
            })
        } else {
            self.span(|s| {
                s.push_str(given.text);
                s.push(' ');
                s.push_str(surname.text);
            })
        };
        if self.guest {
            let (org, domain) = rng.pick(PARTNERS).copied().unwrap_or(("", "outlook.com"));
            self.cols[col::COMPANY_NAME] = lit_nonempty(org);
            // The guest's own address, e.g. jane.doe17@fabrikam.com ...
            let mail = self.span(|s| {
                s.push_str(given.ascii);
                s.push('.');
                s.push_str(surname.ascii);
                push_number(s, number);
                s.push('@');
                s.push_str(domain);
            });
            self.cols[col::MAIL] = mail;
            // ... becomes jane.doe17_fabrikam.com#EXT#@contoso.onmicrosoft.com.
            let (a, b) = match mail {
                Txt::Buf(a, b) => (a, b),
                _ => (0, 0),
            };
            self.cols[col::UPN] = self.span(|s| {
                for i in a..b {
                    let ch = s.as_bytes().get(i).copied().unwrap_or(b'_');
                    s.push(if ch == b'@' { '_' } else { char::from(ch) });
                }
                s.push_str("#EXT#@");
                s.push_str(GUEST_UPN_DOMAIN);
            });
        } else {
            let capitalised = rng.chance(3_000);
            let upn = self.span(|s| {
                push_name(s, given.ascii, capitalised);
                s.push('.');
                push_name(s, surname.ascii, capitalised);
                push_number(s, number);
                s.push('@');
                s.push_str(MEMBER_DOMAIN);
            });
            self.cols[col::UPN] = upn;
            self.cols[col::MAIL] = upn;
        }
    }

    /// Group memberships and direct assignment (see [`super::groups`] for the layout).
    fn set_memberships(&mut self, rng: &mut Rng, dept: usize, country: &Country) {
        let r = rng.below(100_000);
        if r < 3_000 {
            // Only in a nested group: Entra does not provision these users.
            self.nested_only = true;
            self.groups = if rng.below(3) < 2 {
                bit(G_SF_PARTNERS)
            } else {
                bit(G_SNOW_CONTRACTORS)
            };
            return;
        }
        let mut groups = 0;
        if r < 63_000 {
            groups |= bit(match dept {
                DEPT_SALES => match country.region {
                    Region::Emea => G_SF_EMEA,
                    Region::Americas => G_SF_AMERICAS,
                    Region::Apac => G_SF_APAC,
                },
                DEPT_SUPPORT | DEPT_CUSTOMER_SERVICE | DEPT_OPERATIONS => G_SF_SERVICE,
                _ => G_SF_USERS,
            });
        }
        if groups != 0 && rng.chance(800) {
            // Also in the nested group, but a direct member of an assigned group too.
            groups |= bit(G_SF_PARTNERS);
        }
        if (dept == DEPT_IT || dept == DEPT_SUPPORT) && rng.chance(50_000) {
            groups |= bit(G_SNOW_AGENTS);
        }
        if rng.chance(15_000) {
            groups |= bit(G_SNOW_REQUESTERS);
        }
        if rng.chance(1_000) {
            groups |= bit(G_PROJECT_PHOENIX);
        }
        if dept == DEPT_FINANCE && rng.chance(30_000) {
            groups |= bit(G_FINANCE_REPORTING);
        }
        self.groups = groups;
        if rng.chance(2_000) {
            self.direct = Some(if rng.below(2) == 0 {
                DirectBy::ObjectId
            } else {
                DirectBy::UserPrincipalName
            });
        }
    }

    /// Append to the scratch with `f` and return the appended range.
    #[inline]
    fn span(&mut self, f: impl FnOnce(&mut String)) -> Txt {
        let start = self.scratch.len();
        f(&mut self.scratch);
        Txt::Buf(start, self.scratch.len())
    }
}

/// Who user `i` is: name pair `perm[i % P]` with address number `i / P`, where `perm`
/// is a seeded shuffle of the `P` (given name, surname) pairs.
///
/// `given.surname{number}` is then unique without any shared counter, and short: the
/// first `P` users get no number at all (`jose.garcia@`), the next `P` get `1`, ...
#[derive(Debug)]
pub(crate) struct NamePlan {
    perm: Vec<u16>,
}

impl NamePlan {
    pub(crate) fn new(seed: u64) -> Self {
        let pairs = GIVEN_NAMES.len() * SURNAMES.len();
        let mut perm: Vec<u16> = (0..pairs).map(|k| k as u16).collect();
        let mut rng = Rng::for_item(seed, STREAM_NAMES, 0);
        for i in (1..pairs).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            perm.swap(i, j);
        }
        Self { perm }
    }

    #[inline]
    fn get(&self, index: u64) -> (&'static Name, &'static Name, u64) {
        let pairs = self.perm.len() as u64;
        let k = self
            .perm
            .get((index % pairs) as usize)
            .copied()
            .unwrap_or(0);
        let k = usize::from(k);
        let given = GIVEN_NAMES
            .get(k / SURNAMES.len())
            .unwrap_or(&GIVEN_NAMES[0]);
        let surname = SURNAMES.get(k % SURNAMES.len()).unwrap_or(&SURNAMES[0]);
        (given, surname, index / pairs)
    }
}

/// The disambiguating number of an address; none for 0.
#[inline]
fn push_number(s: &mut String, number: u64) {
    if number > 0 {
        push_u64(s, number);
    }
}

static COUNTRY_WEIGHTS: &[u32] = &{
    let mut w = [0u32; COUNTRIES.len()];
    let mut i = 0;
    while i < COUNTRIES.len() {
        w[i] = COUNTRIES[i].weight;
        i += 1;
    }
    w
};

static DEPARTMENT_WEIGHTS: &[u32] = &{
    let mut w = [0u32; DEPARTMENTS.len()];
    let mut i = 0;
    while i < DEPARTMENTS.len() {
        w[i] = DEPARTMENTS[i].weight;
        i += 1;
    }
    w
};

#[inline]
fn lit(s: Option<&'static str>) -> Txt {
    s.map_or(Txt::Empty, lit_nonempty)
}

#[inline]
fn lit_nonempty(s: &'static str) -> Txt {
    if s.is_empty() {
        Txt::Empty
    } else {
        Txt::Lit(s)
    }
}

/// Decimal digits of `v`.
#[inline]
pub(crate) fn push_u64(s: &mut String, v: u64) {
    let mut digits = [0u8; 20];
    let mut n = v;
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in digits[..len].iter().rev() {
        s.push(char::from(d));
    }
}

/// `v` as exactly `width` decimal digits, zero-padded (`v` must be below 10^width).
#[inline]
fn push_padded(s: &mut String, v: u64, width: u32) {
    let mut div = 10u64.pow(width.saturating_sub(1));
    let mut n = v;
    while div > 0 {
        s.push(char::from(b'0' + (n / div % 10) as u8));
        n %= div;
        div /= 10;
    }
}

/// `template` with each `#` replaced by the next decimal digit of `digits`.
#[inline]
fn push_template(s: &mut String, template: &str, mut digits: u64) {
    for ch in template.chars() {
        if ch == '#' {
            s.push(char::from(b'0' + (digits % 10) as u8));
            digits /= 10;
        } else {
            s.push(ch);
        }
    }
}

/// An ASCII name, optionally with its first letter upper-cased (`Jose.Garcia`).
#[inline]
fn push_name(s: &mut String, ascii: &str, capitalised: bool) {
    let mut chars = ascii.chars();
    if capitalised && let Some(first) = chars.next() {
        s.push(first.to_ascii_uppercase());
    }
    s.push_str(chars.as_str());
}

/// A UUID version 4 (random) in lower-case 8-4-4-4-12 form from 128 random bits.
#[inline]
pub(crate) fn push_uuid(s: &mut String, hi: u64, lo: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let hi = (hi & !0xF000) | 0x4000; // version 4
    let lo = (lo & !(0b11 << 62)) | (0b10 << 62); // RFC 4122 variant
    let v = (u128::from(hi) << 64) | u128::from(lo);
    for i in 0..32u32 {
        if matches!(i, 8 | 12 | 16 | 20) {
            s.push('-');
        }
        let nibble = ((v >> (124 - 4 * i)) & 0xF) as usize;
        s.push(char::from(HEX[nibble]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_shape() {
        let mut s = String::new();
        push_uuid(&mut s, u64::MAX, 0);
        assert_eq!(s, "ffffffff-ffff-4fff-8000-000000000000");
        s.clear();
        push_uuid(&mut s, 0, u64::MAX);
        assert_eq!(s, "00000000-0000-4000-bfff-ffffffffffff");
    }

    #[test]
    fn number_helpers() {
        let mut s = String::new();
        push_u64(&mut s, 0);
        s.push(' ');
        push_u64(&mut s, 1_234_567);
        s.push(' ');
        push_padded(&mut s, 7, 3);
        s.push(' ');
        push_padded(&mut s, 42, 6);
        s.push(' ');
        push_template(&mut s, "+49 30 ###", 987);
        assert_eq!(s, "0 1234567 007 000042 +49 30 789");
    }

    #[test]
    fn record_is_a_function_of_seed_and_index() {
        let names = NamePlan::new(1);
        let mut a = Record::default();
        let mut b = Record::default();
        b.fill(1, 99, &names); // different previous contents must not leak
        a.fill(1, 5, &names);
        b.fill(1, 5, &names);
        for c in 0..CSV_COLUMNS.len() {
            assert_eq!(a.col(c), b.col(c));
        }
        assert_eq!(a.enabled, b.enabled);
        assert_eq!(a.groups, b.groups);
    }

    #[test]
    fn guest_upn_shape() {
        let names = NamePlan::new(3);
        let mut r = Record::default();
        let mut seen = 0;
        for i in 0..2_000 {
            r.fill(3, i, &names);
            if r.guest {
                seen += 1;
                let upn = r.col(col::UPN);
                let mail = r.col(col::MAIL);
                assert!(upn.ends_with("#EXT#@contoso.onmicrosoft.com"), "{upn}");
                assert_eq!(
                    upn.trim_end_matches("#EXT#@contoso.onmicrosoft.com"),
                    mail.replace('@', "_")
                );
            } else {
                assert_eq!(r.col(col::UPN), r.col(col::MAIL));
            }
        }
        assert!(seen > 100);
    }

    #[test]
    fn address_names_are_unique() {
        for list in [GIVEN_NAMES, SURNAMES] {
            let mut seen = std::collections::HashSet::new();
            for n in list {
                assert!(
                    n.ascii.bytes().all(|b| b.is_ascii_lowercase()),
                    "{}",
                    n.ascii
                );
                assert!(seen.insert(n.ascii), "{} folds like another name", n.text);
            }
        }
        assert!(GIVEN_NAMES.len() * SURNAMES.len() <= usize::from(u16::MAX));
        let plan = NamePlan::new(9);
        let mut sorted = plan.perm.clone();
        sorted.sort_unstable();
        assert!(sorted.iter().enumerate().all(|(i, &k)| usize::from(k) == i));
        let (g, s, n) = plan.get(plan.perm.len() as u64 + 3);
        let (g0, s0, n0) = plan.get(3);
        assert_eq!((g.text, s.text, n, n0), (g0.text, s0.text, 1, 0));
    }
}
