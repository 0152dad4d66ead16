//! The catalog of Entra's documented expression functions (ED-FUNC), one entry each.
//!
//! An entry holds what the checker, the JSON reader and writer and the evaluator need to
//! agree on: the exact name (the language is case-sensitive), the parameters in order
//! with the name Microsoft documents and the key Graph's `attributeMappingSource` tree
//! uses for them, how many arguments are allowed, and what offline evaluation can do.
//!
//! The tree keys are the service's internal names where Graph's function catalog shows
//! them (GD-FUNCS, beta `synchronizationSchema: functions`): `Replace` uses `source`,
//! `Find`, `RegularExpression`, `RegularExpressionGroupName`, `Replacement`,
//! `ReplacementPropertyName`, `Template`; `Join` uses `separator` and `source`; `Switch`
//! uses `source`, `defaultValue` and `switchValue` for every key and value. For the other
//! functions the catalog is silent and the documented parameter names are used
//! [decision]; the reader accepts both spellings, ignoring letter case.
//!
//! Graph's catalog also lists functions that ED-FUNC does not document (`DefaultDomain`,
//! `AppRoleAssignments`, `IsNothing`, `Prepend`); they are errors here (S39), never
//! guesses.

/// What an argument must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// Any value, used as text.
    Str,
    /// A whole number (a constant must read as one).
    Int,
    /// Any expression (a value or a condition).
    Any,
    /// A DateTime (`CDate(...)`, `Now()`).
    Date,
    /// A `DateAdd`/`DateDiff` interval: `yyyy m d ww h n s`.
    Interval,
    /// `vbTextCompare` or `vbBinaryCompare`.
    CompareType,
    /// A `DateTimeStyles` list.
    Styles,
    /// An RFC 4646 culture name (`en-US`).
    Culture,
    /// A .NET regular expression.
    Regex,
    /// A .NET date format string.
    DateFormat,
}

/// One parameter of a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// The name ED-FUNC documents.
    pub name: &'static str,
    /// The key of the parameter in Graph's `attributeMappingSource` tree.
    pub key: &'static str,
    /// What the argument must be.
    pub ty: Ty,
}

/// What offline evaluation can do with a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offline {
    /// Exactly what Entra computes.
    Exact,
    /// Depends on the clock: evaluated at the fixed time of the context (`--now`).
    Clock,
    /// Random: evaluated from the fixed seed of the context (`--seed`).
    Random,
    /// Computed offline with a stated limit.
    Limited(&'static str),
}

/// One documented function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Function {
    /// The exact, case-sensitive name.
    pub name: &'static str,
    /// The parameters; when `repeat` is set, the last one repeats.
    pub params: &'static [Param],
    /// Fewest arguments.
    pub min: usize,
    /// Most arguments (`None`: no upper bound).
    pub max: Option<usize>,
    /// Arguments after the fixed ones come in pairs (`Switch`).
    pub pairs: bool,
    /// One line: what it does.
    pub summary: &'static str,
    /// What offline evaluation can do.
    pub offline: Offline,
}

impl Function {
    /// The parameter at argument position `i`.
    pub fn param(&self, i: usize) -> Option<&'static Param> {
        match self.params.get(i) {
            Some(p) => Some(p),
            None if self.repeats() => self.params.last(),
            None => None,
        }
    }

    /// The parameter of argument `i` in a call with `n` arguments: like [`Function::param`],
    /// except that a three-argument `FormatDateTime` is the older
    /// `(source, inputFormat, outputFormat)` of Graph's function catalog (GD-FUNCS).
    pub fn param_in(&self, i: usize, n: usize) -> Option<&'static Param> {
        if self.name == "FormatDateTime" && n == 3 {
            return [0, 2, 3].get(i).and_then(|&k| self.params.get(k));
        }
        self.param(i)
    }

    /// True when the last parameter repeats.
    pub fn repeats(&self) -> bool {
        self.max.is_none()
    }

    /// The signature as documented: `Mid(source, start, length)`.
    pub fn signature(&self) -> String {
        let mut names: Vec<String> = self.params.iter().map(|p| p.name.to_owned()).collect();
        if self.pairs {
            names.push("key1, value1, ...".into());
            names.retain(|n| n != "key, value");
        } else if self.repeats() {
            if let Some(last) = names.last_mut() {
                last.push_str(", ...");
            }
        }
        format!("{}({})", self.name, names.join(", "))
    }

    /// How many arguments are allowed, for messages: `3`, `1 or 2`, `at least 2`.
    pub fn arity(&self) -> String {
        match self.max {
            Some(m) if m == self.min => m.to_string(),
            Some(m) if m == self.min + 1 => format!("{} or {m}", self.min),
            Some(m) => format!("{} to {m}", self.min),
            None if self.pairs => format!("an even number, at least {}", self.min),
            None => format!("at least {}", self.min),
        }
    }
}

macro_rules! p {
    ($name:literal, $ty:ident) => {
        Param {
            name: $name,
            key: $name,
            ty: Ty::$ty,
        }
    };
    ($name:literal as $key:literal, $ty:ident) => {
        Param {
            name: $name,
            key: $key,
            ty: Ty::$ty,
        }
    };
}

macro_rules! f {
    ($name:literal, [$($p:expr),*], $min:expr, $max:expr, $summary:literal) => {
        f!($name, [$($p),*], $min, $max, $summary, Offline::Exact)
    };
    ($name:literal, [$($p:expr),*], $min:expr, $max:expr, $summary:literal, $offline:expr) => {
        Function { name: $name, params: &[$($p),*], min: $min, max: $max, pairs: false, summary: $summary, offline: $offline }
    };
}

/// Every function ED-FUNC documents, in its order.
pub static FUNCTIONS: &[Function] = &[
    f!(
        "Append",
        [p!("source", Str), p!("suffix", Str)],
        2,
        Some(2),
        "the source with the suffix added at its end"
    ),
    f!(
        "AppRoleAssignmentsComplex",
        [p!("[appRoleAssignments]" as "source", Any)],
        1,
        Some(1),
        "every app role of the user, for a SCIM `roles` attribute",
        Offline::Limited(
            "offline the roles are the values given for `[appRoleAssignments]`; Entra sends each as an object with its value and display name from the app's roles, all with `primary` false"
        )
    ),
    f!(
        "BitAnd",
        [p!("value1", Int), p!("value2", Int)],
        2,
        Some(2),
        "the bitwise AND of two numbers"
    ),
    f!(
        "CBool",
        [p!("Expression", Any)],
        1,
        Some(1),
        "True when the expression is non-zero (or True), else False"
    ),
    f!(
        "CDate",
        [p!("expression", Str)],
        1,
        Some(1),
        "the DateTime a date string stands for, in UTC"
    ),
    f!(
        "Coalesce",
        [p!("source", Any)],
        1,
        None,
        "the first argument that is not NULL"
    ),
    f!(
        "ConvertToBase64",
        [p!("source", Str)],
        1,
        Some(1),
        "the base64 of the string's UTF-16LE bytes"
    ),
    f!(
        "ConvertToUTF8Hex",
        [p!("source", Str)],
        1,
        Some(1),
        "the upper-case hex of the string's UTF-8 bytes"
    ),
    f!(
        "Count",
        [p!("attribute", Any)],
        1,
        Some(1),
        "the number of values of a multi-valued attribute"
    ),
    f!(
        "CStr",
        [p!("value", Any)],
        1,
        Some(1),
        "the value as a string"
    ),
    f!(
        "DateAdd",
        [
            p!("interval", Interval),
            p!("value", Int),
            p!("dateTime", Date)
        ],
        3,
        Some(3),
        "a DateTime moved by a number of intervals"
    ),
    f!(
        "DateDiff",
        [
            p!("interval", Interval),
            p!("date1", Date),
            p!("date2", Date)
        ],
        3,
        Some(3),
        "the number of intervals from date1 to date2"
    ),
    f!(
        "DateFromNum",
        [p!("value", Int)],
        1,
        Some(1),
        "the DateTime of an Active Directory (FILETIME) number"
    ),
    f!(
        "FormatDateTime",
        [
            p!("source", Str),
            p!("dateTimeStyles", Styles),
            p!("inputFormat", DateFormat),
            p!("outputFormat", DateFormat)
        ],
        3,
        Some(4),
        "a date string read with one .NET format and written with another"
    ),
    f!("Guid", [], 0, Some(0), "a new random GUID", Offline::Random),
    f!(
        "IgnoreFlowIfNullOrEmpty",
        [p!("expression", Any)],
        1,
        Some(1),
        "the value, or no flow at all when it is NULL or empty"
    ),
    f!(
        "IIF",
        [
            p!("condition", Any),
            p!("valueIfTrue", Any),
            p!("valueIfFalse", Any)
        ],
        3,
        Some(3),
        "one of two values, by a condition"
    ),
    f!(
        "InStr",
        [
            p!("value1", Str),
            p!("value2", Str),
            p!("start", Int),
            p!("compareType", CompareType)
        ],
        2,
        Some(4),
        "the 1-based position of value2 in value1, or 0"
    ),
    f!(
        "IsNull",
        [p!("Expression", Any)],
        1,
        Some(1),
        "True when the value is NULL"
    ),
    f!(
        "IsNullOrEmpty",
        [p!("Expression", Any)],
        1,
        Some(1),
        "True when the value is NULL or empty"
    ),
    f!(
        "IsPresent",
        [p!("Expression", Any)],
        1,
        Some(1),
        "True when the value is neither NULL nor empty"
    ),
    f!(
        "IsString",
        [p!("Expression", Any)],
        1,
        Some(1),
        "True when the value is a string"
    ),
    f!(
        "Item",
        [p!("attribute", Any), p!("index", Int)],
        2,
        Some(2),
        "one value of a multi-valued attribute, counted from 1"
    ),
    f!(
        "Join",
        [p!("separator", Str), p!("source", Any)],
        2,
        None,
        "the values (multi-valued ones expanded) joined by the separator"
    ),
    f!(
        "Left",
        [p!("String", Str), p!("NumChars", Int)],
        2,
        Some(2),
        "the first NumChars characters"
    ),
    f!(
        "Mid",
        [p!("source", Str), p!("start", Int), p!("length", Int)],
        3,
        Some(3),
        "the characters from start (counted from 1), at most length of them"
    ),
    f!(
        "NormalizeDiacritics",
        [p!("source", Str)],
        1,
        Some(1),
        "the string with the documented diacritics replaced"
    ),
    f!(
        "Not",
        [p!("source", Any)],
        1,
        Some(1),
        "False when the source is True, else True"
    ),
    f!(
        "Now",
        [],
        0,
        Some(0),
        "the current UTC time",
        Offline::Clock
    ),
    f!(
        "NumFromDate",
        [p!("value", Str)],
        1,
        Some(1),
        "the Active Directory (FILETIME) number of an ISO 8601 date"
    ),
    f!(
        "PCase",
        [p!("source", Str), p!("wordSeparators", Str)],
        1,
        Some(2),
        "the first letter of each word upper case, the rest lower case"
    ),
    f!(
        "RandomString",
        [
            p!("Length", Int),
            p!("MinimumNumbers", Int),
            p!("MinimumSpecialCharacters", Int),
            p!("MinimumCapital", Int),
            p!("MinimumLowerCase", Int),
            p!("CharactersToAvoid", Str)
        ],
        5,
        Some(6),
        "a random string with the given minimum counts",
        Offline::Random
    ),
    f!(
        "Redact",
        [p!("attribute/value" as "source", Any)],
        1,
        Some(1),
        "the value, shown as `[Redact]` in provisioning logs"
    ),
    f!(
        "RemoveDuplicates",
        [p!("attribute", Any)],
        1,
        Some(1),
        "the multi-valued attribute without repeated values"
    ),
    f!(
        "Replace",
        [
            p!("source", Str),
            p!("oldValue" as "Find", Str),
            p!("regexPattern" as "RegularExpression", Regex),
            p!("regexGroupName" as "RegularExpressionGroupName", Str),
            p!("replacementValue" as "Replacement", Str),
            p!("replacementAttributeName" as "ReplacementPropertyName", Any),
            p!("template" as "Template", Str)
        ],
        1,
        Some(7),
        "the source with text or regex matches replaced (five modes, by the arguments given)"
    ),
    f!(
        "SelectUniqueValue",
        [p!("uniqueValueRule", Any)],
        2,
        None,
        "the first rule's value that is not taken in the target",
        Offline::Limited(
            "uniqueness is checked only against the values the context says are taken; Entra supports this function only for Workday, SuccessFactors and API-driven provisioning to on-premises Active Directory"
        )
    ),
    f!(
        "SingleAppRoleAssignment",
        [p!("[appRoleAssignments]" as "source", Any)],
        1,
        Some(1),
        "the user's one app role, as a string",
        Offline::Limited(
            "with several roles Entra picks one without saying which; scopesim shows the first and says so"
        )
    ),
    f!(
        "Split",
        [p!("source", Str), p!("delimiter", Str)],
        2,
        Some(2),
        "the string split into a multi-valued list"
    ),
    f!(
        "StripSpaces",
        [p!("source", Str)],
        1,
        Some(1),
        "the string without space characters"
    ),
    Function {
        name: "Switch",
        params: &[
            p!("source", Any),
            p!("defaultValue", Any),
            p!("key, value" as "switchValue", Any),
        ],
        min: 4,
        max: None,
        pairs: true,
        summary: "the value paired with the first key equal to the source (case-sensitive), else the default",
        offline: Offline::Exact,
    },
    f!(
        "ToLower",
        [p!("source", Str), p!("culture", Culture)],
        1,
        Some(2),
        "the string in lower case"
    ),
    f!(
        "ToUpper",
        [p!("source", Str), p!("culture", Culture)],
        1,
        Some(2),
        "the string in upper case"
    ),
    f!(
        "Word",
        [
            p!("String", Str),
            p!("WordNumber", Int),
            p!("delimiters", Str)
        ],
        3,
        Some(3),
        "the WordNumber-th word, words being separated by any of the delimiters"
    ),
];

/// Functions Graph's catalog or other pages name but ED-FUNC does not document, with
/// where they are named.
pub static UNDOCUMENTED: &[(&str, &str)] = &[
    ("DefaultDomain", "Graph's function catalog (GD-FUNCS)"),
    ("AppRoleAssignments", "Graph's function catalog (GD-FUNCS)"),
    ("IsNothing", "Graph's function catalog (GD-FUNCS)"),
    ("Prepend", "Graph's function catalog (GD-FUNCS)"),
    (
        "AssertiveAppRoleAssignmentsComplex",
        "the attribute-mapping tutorial (ED-ATTR), for SCIM roles",
    ),
];

/// The function with exactly this name.
pub fn lookup(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// The documented function `name` most likely meant: the same name in another letter case
/// first, then the nearest by edit distance.
pub fn suggest(name: &str) -> Option<&'static str> {
    if let Some(f) = FUNCTIONS.iter().find(|f| f.name.eq_ignore_ascii_case(name)) {
        return Some(f.name);
    }
    let lower = name.to_ascii_lowercase();
    FUNCTIONS
        .iter()
        .map(|f| {
            (
                strsim::levenshtein(&f.name.to_ascii_lowercase(), &lower),
                f.name,
            )
        })
        .filter(|(d, n)| *d <= 2.max(n.len() / 4))
        .min()
        .map(|(_, n)| n)
}

/// Where an undocumented function is named, when it is one scopesim knows of.
pub fn undocumented(name: &str) -> Option<&'static str> {
    UNDOCUMENTED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, w)| *w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s39_the_catalog_is_the_documented_list() {
        let names: Vec<&str> = FUNCTIONS.iter().map(|f| f.name).collect();
        assert_eq!(names.len(), 43, "{names:?}");
        for n in [
            "Append",
            "IIF",
            "InStr",
            "Switch",
            "Word",
            "NormalizeDiacritics",
        ] {
            assert!(lookup(n).is_some(), "{n}");
        }
        assert!(lookup("append").is_none(), "the syntax is case-sensitive");
        assert_eq!(suggest("append"), Some("Append"));
        assert_eq!(suggest("Apend"), Some("Append"));
        assert_eq!(suggest("Coalsce"), Some("Coalesce"));
        assert_eq!(suggest("Frobnicate"), None);
        assert!(undocumented("Prepend").is_some());
    }

    #[test]
    fn params_by_position_and_signature() {
        let join = lookup("Join").unwrap();
        assert_eq!(join.param(0).unwrap().key, "separator");
        assert_eq!(join.param(5).unwrap().key, "source");
        let replace = lookup("Replace").unwrap();
        assert_eq!(replace.param(4).unwrap().key, "Replacement");
        assert!(replace.param(7).is_none());
        let switch = lookup("Switch").unwrap();
        assert_eq!(switch.param(4).unwrap().key, "switchValue");
        assert_eq!(
            switch.signature(),
            "Switch(source, defaultValue, key1, value1, ...)"
        );
        assert_eq!(
            lookup("Mid").unwrap().signature(),
            "Mid(source, start, length)"
        );
        assert_eq!(lookup("InStr").unwrap().arity(), "2 to 4");
        assert_eq!(switch.arity(), "an even number, at least 4");
    }
}
