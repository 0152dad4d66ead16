//! Static word lists behind the synthetic users.
//!
//! Every list is fixed in the source: changing an entry or a weight changes the output
//! of every seed, so treat edits here as a format change (see `FORMAT_VERSION`).

/// A personal name and its ASCII, lower-case form for addresses (`José` -> `jose`).
#[derive(Debug)]
pub(crate) struct Name {
    pub(crate) text: &'static str,
    pub(crate) ascii: &'static str,
}

const fn n(text: &'static str, ascii: &'static str) -> Name {
    Name { text, ascii }
}

pub(crate) static GIVEN_NAMES: &[Name] = &[
    n("James", "james"),
    n("Mary", "mary"),
    n("John", "john"),
    n("Patricia", "patricia"),
    n("Michael", "michael"),
    n("Jennifer", "jennifer"),
    n("David", "david"),
    n("Linda", "linda"),
    n("Maria", "maria"),
    n("Anna", "anna"),
    n("Lukas", "lukas"),
    n("Emma", "emma"),
    n("Léa", "lea"),
    n("Chloé", "chloe"),
    n("Hugo", "hugo"),
    n("Zoë", "zoe"),
    n("José", "jose"),
    n("Sofía", "sofia"),
    n("Łukasz", "lukasz"),
    n("Zofia", "zofia"),
    n("Søren", "soren"),
    n("Åsa", "asa"),
    n("Björn", "bjorn"),
    n("Priya", "priya"),
    n("Arjun", "arjun"),
    n("Aisha", "aisha"),
    n("Hiroshi", "hiroshi"),
    n("Yuki", "yuki"),
    n("Mei", "mei"),
    n("Wei", "wei"),
    n("Olga", "olga"),
    n("João", "joao"),
    n("Giulia", "giulia"),
    n("Marco", "marco"),
    n("François", "francois"),
    n("Noah", "noah"),
    n("Liam", "liam"),
    n("Olivia", "olivia"),
    n("Jürgen", "jurgen"),
    n("Inês", "ines"),
    n("Ngozi", "ngozi"),
    n("Siobhán", "siobhan"),
    n("Mateo", "mateo"),
    n("Fatima", "fatima"),
];

pub(crate) static SURNAMES: &[Name] = &[
    n("Smith", "smith"),
    n("Johnson", "johnson"),
    n("Williams", "williams"),
    n("Brown", "brown"),
    n("Jones", "jones"),
    n("Garcia", "garcia"),
    n("Müller", "muller"),
    n("Schmidt", "schmidt"),
    n("Schneider", "schneider"),
    n("Fischer", "fischer"),
    n("Weber", "weber"),
    n("Martin", "martin"),
    n("Bernard", "bernard"),
    n("Dubois", "dubois"),
    n("Lefèvre", "lefevre"),
    n("de Jong", "dejong"),
    n("Jansen", "jansen"),
    n("van den Berg", "vandenberg"),
    n("Rossi", "rossi"),
    n("Russo", "russo"),
    n("Ferrari", "ferrari"),
    n("Kowalski", "kowalski"),
    n("Nowak", "nowak"),
    n("Wiśniewski", "wisniewski"),
    n("Andersson", "andersson"),
    n("Johansson", "johansson"),
    n("Nielsen", "nielsen"),
    n("Sørensen", "sorensen"),
    n("Patel", "patel"),
    n("Sharma", "sharma"),
    n("Singh", "singh"),
    n("Tanaka", "tanaka"),
    n("Suzuki", "suzuki"),
    n("Satō", "sato"),
    n("Silva", "silva"),
    n("Santos", "santos"),
    n("Oliveira", "oliveira"),
    n("Fernández", "fernandez"),
    n("González", "gonzalez"),
    n("Martínez", "martinez"),
    n("O'Brien", "obrien"),
    n("Murphy", "murphy"),
    n("Nguyen", "nguyen"),
    n("Kim", "kim"),
    n("Chen", "chen"),
    n("Wang", "wang"),
    n("Taylor", "taylor"),
    n("Wilson", "wilson"),
];

/// A department: canonical spelling, the wrong-case and stray-space variants seen in
/// hand-maintained directories, its weight, and job titles that go with it.
#[derive(Debug)]
pub(crate) struct Department {
    pub(crate) name: &'static str,
    pub(crate) lower: &'static str,
    pub(crate) upper: &'static str,
    pub(crate) trailing_space: &'static str,
    pub(crate) weight: u32,
    pub(crate) titles: &'static [&'static str],
}

pub(crate) static DEPARTMENTS: &[Department] = &[
    Department {
        name: "Sales",
        lower: "sales",
        upper: "SALES",
        trailing_space: "Sales ",
        weight: 22,
        titles: &[
            "Account Executive",
            "Sales Manager",
            "Inside Sales Rep",
            "Sales Rep",
            "Director, Sales",
            "Key Account Manager",
        ],
    },
    Department {
        name: "IT",
        lower: "it",
        upper: "It",
        trailing_space: "IT ",
        weight: 12,
        titles: &[
            "Systems Administrator",
            "Service Desk Analyst",
            "Cloud Engineer",
            "IT Manager",
            "Identity Architect",
        ],
    },
    Department {
        name: "Engineering",
        lower: "engineering",
        upper: "ENGINEERING",
        trailing_space: "Engineering ",
        weight: 16,
        titles: &[
            "Software Engineer",
            "Senior Software Engineer",
            "Engineering Manager",
            "QA Engineer",
            "Principal Engineer",
        ],
    },
    Department {
        name: "Finance",
        lower: "finance",
        upper: "FINANCE",
        trailing_space: "Finance ",
        weight: 7,
        titles: &[
            "Accountant",
            "Financial Analyst",
            "Controller",
            "Manager, Accounts Payable",
        ],
    },
    Department {
        name: "HR",
        lower: "hr",
        upper: "Hr",
        trailing_space: "HR ",
        weight: 4,
        titles: &["HR Business Partner", "Recruiter", "HR Generalist"],
    },
    Department {
        name: "Marketing",
        lower: "marketing",
        upper: "MARKETING",
        trailing_space: "Marketing ",
        weight: 7,
        titles: &[
            "Marketing Manager",
            "Content Strategist",
            "Product Marketing Manager",
        ],
    },
    Department {
        name: "Operations",
        lower: "operations",
        upper: "OPERATIONS",
        trailing_space: "Operations ",
        weight: 10,
        titles: &[
            "Operations Analyst",
            "Logistics Coordinator",
            "Operations Manager",
        ],
    },
    Department {
        name: "Legal",
        lower: "legal",
        upper: "LEGAL",
        trailing_space: "Legal ",
        weight: 2,
        titles: &["Legal Counsel", "Paralegal", "Compliance Officer"],
    },
    Department {
        name: "Support",
        lower: "support",
        upper: "SUPPORT",
        trailing_space: "Support ",
        weight: 11,
        titles: &[
            "Support Engineer",
            "Customer Success Manager",
            "Support Team Lead",
        ],
    },
    Department {
        name: "Research",
        lower: "research",
        upper: "RESEARCH",
        trailing_space: "Research ",
        weight: 5,
        titles: &["Research Scientist", "Data Scientist", "Research Associate"],
    },
    Department {
        name: "Customer Service",
        lower: "customer service",
        upper: "CUSTOMER SERVICE",
        trailing_space: "Customer Service ",
        weight: 4,
        titles: &["Customer Service Agent", "Customer Service Lead"],
    },
];

/// Indexes into [`DEPARTMENTS`] that group-membership rules use.
pub(crate) const DEPT_SALES: usize = 0;
pub(crate) const DEPT_IT: usize = 1;
pub(crate) const DEPT_FINANCE: usize = 3;
pub(crate) const DEPT_OPERATIONS: usize = 6;
pub(crate) const DEPT_SUPPORT: usize = 8;
pub(crate) const DEPT_CUSTOMER_SERVICE: usize = 10;

/// Whitespace-only department values.
pub(crate) static BLANKISH_DEPARTMENTS: &[&str] = &[" ", "  "];

/// Sales region, for region-based group membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Region {
    Emea,
    Americas,
    Apac,
}

/// A city with a phone area code and templates (`#` = random digit).
#[derive(Debug)]
pub(crate) struct City {
    pub(crate) name: &'static str,
    pub(crate) state: &'static str,
    pub(crate) area: &'static str,
    pub(crate) postal: &'static str,
    pub(crate) street: &'static str,
    pub(crate) office: &'static str,
}

/// A country: ISO 3166-1 alpha-2 code, lower-case variant, the subsidiary's legal
/// name, phone templates and cities.
#[derive(Debug)]
pub(crate) struct Country {
    pub(crate) code: &'static str,
    pub(crate) lower: &'static str,
    pub(crate) weight: u32,
    pub(crate) region: Region,
    pub(crate) company: &'static str,
    /// `+CC ` prefix of phone numbers.
    pub(crate) dial: &'static str,
    /// Subscriber-number template after the area code.
    pub(crate) local: &'static str,
    /// Mobile template after `dial`.
    pub(crate) mobile: &'static str,
    pub(crate) cities: &'static [City],
}

const fn c(
    name: &'static str,
    state: &'static str,
    area: &'static str,
    postal: &'static str,
    street: &'static str,
    office: &'static str,
) -> City {
    City {
        name,
        state,
        area,
        postal,
        street,
        office,
    }
}

pub(crate) static COUNTRIES: &[Country] = &[
    Country {
        code: "US",
        lower: "us",
        weight: 24,
        region: Region::Americas,
        company: "Contoso, Inc.",
        dial: "+1 ",
        local: "### ####",
        mobile: "### ### ####",
        cities: &[
            c("Seattle", "WA", "206", "981##", "Pike St", "SEA"),
            c("New York", "NY", "212", "100##", "Broadway", "NYC"),
            c("Austin", "TX", "512", "787##", "Congress Ave", "AUS"),
            c("Chicago", "IL", "312", "606##", "Wacker Dr", "CHI"),
        ],
    },
    Country {
        code: "DE",
        lower: "de",
        weight: 14,
        region: Region::Emea,
        company: "Contoso GmbH",
        dial: "+49 ",
        local: "#######",
        mobile: "15# ########",
        cities: &[
            c("Berlin", "", "30", "10###", "Friedrichstraße", "BER"),
            c("München", "", "89", "80###", "Leopoldstraße", "MUC"),
            c("Hamburg", "", "40", "20###", "Jungfernstieg", "HAM"),
        ],
    },
    Country {
        code: "GB",
        lower: "gb",
        weight: 9,
        region: Region::Emea,
        company: "Contoso Ltd",
        dial: "+44 ",
        local: "#### ####",
        mobile: "7### ######",
        cities: &[
            c("London", "", "20", "EC1A #BB", "Old Street", "LON"),
            c("Manchester", "", "161", "M# 3AJ", "Deansgate", "MAN"),
        ],
    },
    Country {
        code: "FR",
        lower: "fr",
        weight: 7,
        region: Region::Emea,
        company: "Contoso SAS",
        dial: "+33 ",
        local: "## ## ## ##",
        mobile: "6 ## ## ## ##",
        cities: &[
            c("Paris", "", "1", "750##", "Rue de Rivoli", "PAR"),
            c("Lyon", "", "4", "6900#", "Rue de la République", "LYS"),
        ],
    },
    Country {
        code: "NL",
        lower: "nl",
        weight: 5,
        region: Region::Emea,
        company: "Contoso B.V.",
        dial: "+31 ",
        local: "### ####",
        mobile: "6 ########",
        cities: &[
            c("Amsterdam", "", "20", "10## AB", "Herengracht", "AMS"),
            c("Rotterdam", "", "10", "30## CD", "Coolsingel", "RTM"),
        ],
    },
    Country {
        code: "IN",
        lower: "in",
        weight: 10,
        region: Region::Apac,
        company: "Contoso Pvt Ltd",
        dial: "+91 ",
        local: "#### ####",
        mobile: "9#### #####",
        cities: &[
            c("Bengaluru", "Karnataka", "80", "5600##", "MG Road", "BLR"),
            c(
                "Hyderabad",
                "Telangana",
                "40",
                "5000##",
                "HITEC City",
                "HYD",
            ),
            c("Pune", "Maharashtra", "20", "4110##", "FC Road", "PNQ"),
        ],
    },
    Country {
        code: "JP",
        lower: "jp",
        weight: 4,
        region: Region::Apac,
        company: "Contoso K.K.",
        dial: "+81 ",
        local: "####-####",
        mobile: "90-####-####",
        cities: &[
            c("Tokyo", "Tokyo", "3", "100-####", "Marunouchi", "TYO"),
            c("Osaka", "Osaka", "6", "530-####", "Umeda", "OSA"),
        ],
    },
    Country {
        code: "BR",
        lower: "br",
        weight: 4,
        region: Region::Americas,
        company: "Contoso Ltda.",
        dial: "+55 ",
        local: "####-####",
        mobile: "9####-####",
        cities: &[
            c(
                "São Paulo",
                "SP",
                "11",
                "01###-000",
                "Avenida Paulista",
                "SAO",
            ),
            c(
                "Rio de Janeiro",
                "RJ",
                "21",
                "20###-000",
                "Rua do Ouvidor",
                "RIO",
            ),
        ],
    },
    Country {
        code: "ES",
        lower: "es",
        weight: 4,
        region: Region::Emea,
        company: "Contoso S.L.",
        dial: "+34 ",
        local: "### ## ##",
        mobile: "6## ### ###",
        cities: &[
            c("Madrid", "", "91", "280##", "Calle de Alcalá", "MAD"),
            c("Barcelona", "", "93", "080##", "Passeig de Gràcia", "BCN"),
        ],
    },
    Country {
        code: "IT",
        lower: "it",
        weight: 3,
        region: Region::Emea,
        company: "Contoso S.r.l.",
        dial: "+39 ",
        local: "### ####",
        mobile: "3## ### ####",
        cities: &[
            c("Milano", "", "02", "201##", "Via Torino", "MIL"),
            c("Roma", "", "06", "001##", "Via del Corso", "ROM"),
        ],
    },
    Country {
        code: "PL",
        lower: "pl",
        weight: 4,
        region: Region::Emea,
        company: "Contoso Sp. z o.o.",
        dial: "+48 ",
        local: "### ## ##",
        mobile: "5## ### ###",
        cities: &[
            c("Warszawa", "", "22", "00-###", "ul. Marszałkowska", "WAW"),
            c("Kraków", "", "12", "31-###", "ul. Floriańska", "KRK"),
        ],
    },
    Country {
        code: "SE",
        lower: "se",
        weight: 3,
        region: Region::Emea,
        company: "Contoso AB",
        dial: "+46 ",
        local: "### ## ##",
        mobile: "70 ### ## ##",
        cities: &[
            c("Stockholm", "", "8", "111 ##", "Drottninggatan", "STO"),
            c("Göteborg", "", "31", "411 ##", "Avenyn", "GOT"),
        ],
    },
    Country {
        code: "CA",
        lower: "ca",
        weight: 4,
        region: Region::Americas,
        company: "Contoso Canada Inc.",
        dial: "+1 ",
        local: "### ####",
        mobile: "### ### ####",
        cities: &[
            c("Toronto", "ON", "416", "M5V #A1", "King St W", "YYZ"),
            c(
                "Montréal",
                "QC",
                "514",
                "H3B #K4",
                "Rue Sainte-Catherine",
                "YUL",
            ),
        ],
    },
    Country {
        code: "AU",
        lower: "au",
        weight: 3,
        region: Region::Apac,
        company: "Contoso Pty Ltd",
        dial: "+61 ",
        local: "#### ####",
        mobile: "4## ### ###",
        cities: &[
            c("Sydney", "NSW", "2", "20##", "George St", "SYD"),
            c("Melbourne", "VIC", "3", "30##", "Collins St", "MEL"),
        ],
    },
    Country {
        code: "IE",
        lower: "ie",
        weight: 2,
        region: Region::Emea,
        company: "Contoso Ireland Ltd",
        dial: "+353 ",
        local: "### ####",
        mobile: "8# ### ####",
        cities: &[c("Dublin", "", "1", "D0# F5P2", "Grafton Street", "DUB")],
    },
    Country {
        code: "SG",
        lower: "sg",
        weight: 2,
        region: Region::Apac,
        company: "Contoso Pte. Ltd.",
        dial: "+65 ",
        local: "6### ####",
        mobile: "9### ####",
        cities: &[c("Singapore", "", "", "0189##", "Raffles Place", "SIN")],
    },
];

/// Organisations that guests come from: display name and mail domain.
pub(crate) static PARTNERS: &[(&str, &str)] = &[
    ("Fabrikam", "fabrikam.com"),
    ("Northwind Traders", "northwindtraders.com"),
    ("Adventure Works", "adventure-works.com"),
    ("Tailspin Toys", "tailspintoys.com"),
    ("Woodgrove Bank", "woodgrovebank.com"),
    ("Litware, Inc.", "litwareinc.com"),
    ("Wide World Importers", "wideworldimporters.com"),
    ("Fourth Coffee", "fourthcoffee.com"),
    ("", "gmail.com"),
    ("", "outlook.com"),
];

/// `employeeType` values and weights; `""` is blank.
pub(crate) static EMPLOYEE_TYPES: &[&str] = &["Employee", "Contractor", "Intern", "Vendor", ""];
pub(crate) static EMPLOYEE_TYPE_WEIGHTS: &[u32] = &[72, 11, 3, 4, 10];

/// Values of `extensionAttribute1` that are not integers.
pub(crate) static EXT1_JUNK: &[&str] = &["n/a", "N/A", "TBD", "unknown", "12a", "1,5", "-", "x"];

/// Domain of member accounts and of the tenant's initial domain for guests.
pub(crate) const MEMBER_DOMAIN: &str = "contoso.com";
pub(crate) const GUEST_UPN_DOMAIN: &str = "contoso.onmicrosoft.com";
pub(crate) const PRIVATE_MAIL_DOMAIN: &str = "outlook.com";
