//! The registry of diagnostic codes: every error, warning and lint finding scopesim can
//! report, documented once, with the spec rule it enforces or mirrors.
//!
//! A code is a stable kebab-case name (`unknown-operator`) that scripts and tests match on,
//! and that `--error-format json` prints. Keeping them in one enum (ruff's `codes.rs`)
//! means a typo is a compile error, a new code must be documented here to exist, and the
//! README's list cannot drift from the code.

use serde::Serialize;
use std::fmt;

macro_rules! codes {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $name:literal, $rule:expr; )*) => {
        /// A diagnostic code (see the module documentation).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $( $(#[doc = $doc])+ $variant, )*
        }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable kebab-case name.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The spec rule (`S24`) the code enforces or mirrors, when there is one.
            pub fn rule(self) -> Option<&'static str> {
                match self { $(Code::$variant => $rule,)* }
            }

            /// What the code means (its documentation above).
            pub fn doc(self) -> &'static str {
                match self { $(Code::$variant => concat!($($doc),+),)* }
            }

            /// The code with this name.
            pub fn from_name(name: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.as_str() == name)
            }
        }
    };
}

codes! {
    // ---- usage and I/O ----
    /// The command line is inconsistent (a missing `APP=PATH`, options that exclude each other).
    Usage = "usage", None;
    /// A file cannot be read or written (permissions, a missing directory, a full disk).
    Io = "io", None;
    /// A text file is not valid UTF-8 (or a declared UTF-16 text is broken).
    Encoding = "encoding", None;
    /// Something scopesim guarantees did not hold; please report it.
    Internal = "internal", None;
    /// JSON output could not be produced.
    Json = "json", None;
    /// `scopesim gen` could not write its files.
    Gen = "gen", None;
    /// A Parquet report was asked for, but this build has no Parquet support.
    NoParquet = "no-parquet", None;
    /// The per-user report has more rows than one Excel sheet holds.
    ReportTooBigForExcel = "report-too-big-for-excel", None;
    /// `--app` names an app the rules do not define.
    UnknownApp = "unknown-app", None;
    /// `--stage` names a stage the rules do not define.
    UnknownStage = "unknown-stage", None;
    /// `--user` names no user of the directory export.
    UnknownUser = "unknown-user", None;

    // ---- rule files: syntax ----
    /// The `.scope` text cannot be parsed here.
    Syntax = "syntax", None;
    /// A `}` without its `{`, or a `{` never closed.
    UnbalancedBrace = "unbalanced-brace", None;
    /// An escape in a double-quoted string that the language does not define (kept as written).
    UnknownEscape = "unknown-escape", None;
    /// A setting is written twice in one block.
    DuplicateSetting = "duplicate-setting", None;
    /// A setting has a value of the wrong kind (`scope maybe`, a negative threshold).
    BadSettingValue = "bad-setting-value", None;
    /// An app has both stages and filters written directly in it.
    FiltersAndStages = "filters-and-stages", None;
    /// A Graph schema JSON text is not valid JSON.
    JsonSyntax = "json-syntax", None;
    /// A Graph schema JSON has the wrong shape (a missing `objectMappings`, a clause that is not an object).
    GraphShape = "graph-shape", Some("S30");
    /// A Graph schema without an object mapping for users.
    GraphNoUserMapping = "graph-no-user-mapping", Some("S30");
    /// A setting the language does not have (with a did-you-mean).
    UnknownSetting = "unknown-setting", None;
    /// A `.scope` stage names a Graph schema file that cannot be read.
    GraphFile = "graph-file", None;
    /// A Graph schema has several user object mappings; the first is used.
    GraphSeveralUserMappings = "graph-several-user-mappings", Some("S30");

    // ---- rule files: static checks ----
    /// An operator name that is not one of Entra's (with a did-you-mean).
    UnknownOperator = "unknown-operator", Some("S30");
    /// `&` or `!&`, whose semantics Microsoft does not document: parsed, never evaluated.
    UndocumentedOperator = "undocumented-operator", Some("S17");
    /// An attribute name that is not a known source attribute (with a did-you-mean).
    UnknownAttribute = "unknown-attribute", Some("S3");
    /// An attribute Entra does not support in scoping filters (multi-valued, `manager`, dates ...).
    UnsupportedAttribute = "unsupported-attribute", Some("S20");
    /// The rule's attribute matches an export column only ignoring letter case.
    AttributeCase = "attribute-case", Some("S3");
    /// A binary operator without its value.
    MissingValue = "missing-value", Some("S21");
    /// A unary operator (`IS NULL`, `IS TRUE` ...) given a value.
    ExtraValue = "extra-value", Some("S21");
    /// A Graph clause with several `targetOperand.values`, whose meaning is undocumented.
    SeveralValues = "several-values", Some("S21");
    /// `Greater_Than` or `Greater_Than_OR_EQUALS` with a value that is not an integer.
    NotAnInteger = "not-an-integer", Some("S18");
    /// A value written without quotes where the language needs them.
    UnquotedValue = "unquoted-value", None;
    /// A pattern that .NET or the translator rejects, with a span inside the pattern.
    InvalidRegex = "invalid-regex", Some("S19");
    /// A pattern that .NET accepts but scopesim cannot run exactly (balancing groups, a
    /// look-behind that .NET's right-to-left matching makes order-dependent): the filter
    /// cannot be simulated, so it is refused with the construct and the reason.
    RegexNotSimulated = "regex-not-simulated", Some("S19");
    /// `IS TRUE`/`IS FALSE` on an attribute that is not Boolean.
    BooleanOperator = "boolean-operator", Some("S13");
    /// A string operator compares a Boolean attribute, which Entra renders `True`/`False`.
    BooleanText = "boolean-text", Some("S4");
    /// A category filter, which Graph marks experimental.
    CategoryFilter = "category-filter", Some("S23");
    /// A filter without clauses: it matches every candidate.
    EmptyFilter = "empty-filter", Some("S22");
    /// An app, stage or filter with an empty name.
    EmptyName = "empty-name", None;
    /// Two apps with the same name.
    DuplicateApp = "duplicate-app", None;
    /// Two stages with the same name in one app.
    DuplicateStage = "duplicate-stage", None;
    /// Two filters with the same name in one stage.
    DuplicateFilter = "duplicate-filter", None;
    /// `extends` names a stage that is not an earlier stage of the app.
    BadExtends = "bad-extends", None;

    // ---- directory exports ----
    /// A CSV file has no header line.
    CsvNoHeader = "csv-no-header", None;
    /// Two CSV columns hold the same attribute.
    CsvDuplicateColumn = "csv-duplicate-column", Some("S3");
    /// A CSV column has no header; its values are ignored.
    CsvUnnamedColumn = "csv-unnamed-column", None;
    /// A CSV row has more fields than the header.
    CsvTooManyFields = "csv-too-many-fields", None;
    /// A quoted CSV field is never closed.
    CsvUnterminatedQuote = "csv-unterminated-quote", None;
    /// Text follows the closing quote of a CSV field.
    CsvTextAfterQuote = "csv-text-after-quote", None;
    /// A quote inside an unquoted CSV field.
    CsvBareQuote = "csv-bare-quote", None;
    /// More row errors than are listed, with their count.
    CsvMoreErrors = "csv-more-errors", None;
    /// Malformed rows skipped under `--skip-bad-rows`, with their count.
    CsvSkippedRows = "csv-skipped-rows", None;
    /// A CSV record too large to hold in memory.
    CsvTooLarge = "csv-too-large", None;
    /// A row error (an example of the shape used in tests and docs).
    BadRow = "bad-row", None;
    /// A JSON file that holds nothing.
    JsonEmpty = "json-empty", None;
    /// JSON of a shape no Graph export has (a record that is not an object ...).
    JsonShape = "json-shape", None;
    /// A JSON property that is a list for some users and a single value for others.
    JsonMixedKinds = "json-mixed-kinds", None;
    /// A JSON row group too large to hold.
    JsonTooLarge = "json-too-large", None;
    /// The last Graph page still has `@odata.nextLink`: the export stopped early.
    GraphNextLink = "graph-next-link", Some("S36");
    /// A Parquet file cannot be read.
    Parquet = "parquet", None;
    /// A Parquet column too large to hold.
    ParquetTooLarge = "parquet-too-large", None;
    /// A Parquet input, but this build has no Parquet support.
    ParquetUnsupported = "parquet-unsupported", None;
    /// Two Parquet columns hold the same attribute.
    DuplicateColumn = "duplicate-column", Some("S3");

    // ---- assignments, group members, target state ----
    /// A principal type that is neither `User` nor `Group`.
    BadPrincipalType = "bad-principal-type", Some("S24");
    /// A required column is missing from a CSV input.
    MissingColumn = "missing-column", None;
    /// A required property is missing from a JSON record.
    MissingProperty = "missing-property", None;
    /// A target-state record without the attribute accounts are matched on.
    MissingKey = "missing-key", Some("S31");
    /// Group members that are neither users nor groups (devices, service principals), ignored.
    MemberNotUserOrGroup = "member-not-user-or-group", Some("S24");

    // ---- evaluation and rollout ----
    /// An attribute absent from the whole export: null for everyone, likely an export mistake.
    AbsentAttribute = "absent-attribute", Some("S2");
    /// User values that are not what the operator reads (not an integer, not a Boolean).
    UnreadableValues = "unreadable-values", Some("S18");
    /// A backtracking pattern gave up on some users: the clause is false for them (REGEX
    /// MATCH assumed no match, NOT REGEX MATCH assumed a match), and the message says which.
    RegexAborted = "regex-aborted", Some("S19");
    /// `scope assigned` but no assignments given.
    NoAssignments = "no-assignments", Some("S24");
    /// The assignments name no principal for this app.
    AppNotAssigned = "app-not-assigned", Some("S24");
    /// Assigned principals that are not in the directory export.
    UnknownPrincipal = "unknown-principal", Some("S24");
    /// The export has no `accountEnabled` column: everyone is treated as active.
    NoAccountEnabled = "no-account-enabled", Some("S25");
    /// Users without an `accountEnabled` value, treated as active.
    NullAccountEnabled = "null-account-enabled", Some("S25");
    /// Users whose `accountEnabled` is neither true, false nor null.
    UnreadableAccountEnabled = "unreadable-account-enabled", Some("S25");
    /// A stage's disables and deletes pass the deletion threshold: Entra would hold them.
    DeletionThreshold = "deletion-threshold", Some("S27");

    // ---- lint ----
    /// Lint: no assignments given, so every user is taken as a candidate.
    AssignmentsAssumed = "assignments-assumed", Some("S24");
    /// Lint: a stage puts more than `--max-scope-share` of the directory in scope.
    BroadScope = "broad-scope", None;
    /// Lint: a case-sensitive clause lets through users that differ only in letter case.
    CaseMismatch = "case-mismatch", Some("S5");
    /// Lint: a clause leaves out users whose value differs only in letter case.
    CaseVariant = "case-variant", Some("S5");
    /// Lint: a clause that holds for every user it sees, so it decides nothing.
    ClauseNeverDecides = "clause-never-decides", Some("S22");
    /// Lint: the rules cannot be evaluated, so the data findings were skipped.
    DataLintSkipped = "data-lint-skipped", None;
    /// Lint: a filter that matches no candidate.
    DeadFilter = "dead-filter", Some("S22");
    /// Lint: users disabled in Entra are in scope (they are never created).
    DisabledInScope = "disabled-in-scope", Some("S25");
    /// Lint: guests are in scope.
    GuestsInScope = "guests-in-scope", None;
    /// Lint: no user of the directory is assigned to the app.
    NoCandidates = "no-candidates", Some("S24");
    /// Lint: users with a blank attribute fall out because the operator is false on null.
    NullExcluded = "null-excluded", Some("S6");
    /// Lint: a filter that adds no one the other filters do not already add.
    RedundantFilter = "redundant-filter", Some("S22");
    /// Lint: a pattern whose .NET meaning differs from what a reader may expect.
    RegexDotnetDifference = "regex-dotnet-difference", Some("S19");
    /// Lint: an unanchored pattern matches values a whole-value pattern would not.
    RegexUnanchored = "regex-unanchored", Some("S7");
    /// Lint: an unescaped `.` in a pattern that looks like a domain.
    RegexUnescapedDot = "regex-unescaped-dot", Some("S7");
    /// Lint: a filter whose clauses cannot all hold.
    UnsatisfiableFilter = "unsatisfiable-filter", Some("S22");
    /// Lint: a value that is only white space, which Entra reads as a value, not null.
    WhitespaceValue = "whitespace-value", Some("S1");

    // ---- tests as data ----
    /// A test file that cannot be read as a suite.
    TestFile = "test-file", None;
    /// A test case names no stage for an app that has several.
    MissingStage = "missing-stage", None;
    /// A test case needs a directory that the suite does not give.
    NoDirectory = "no-directory", None;
}

impl Code {
    /// Codes compare by name, so that sorting findings by code is alphabetical.
    fn key(self) -> &'static str {
        self.as_str()
    }
}

impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Code) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Code {
    fn cmp(&self, other: &Code) -> std::cmp::Ordering {
        self.key().cmp(other.key())
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<Code> for &str {
    fn eq(&self, other: &Code) -> bool {
        *self == other.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_kebab_case_and_documented() {
        let mut seen = HashSet::new();
        for c in Code::ALL {
            let n = c.as_str();
            assert!(seen.insert(n), "duplicate code `{n}`");
            assert!(
                n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "`{n}` is not kebab-case"
            );
            assert!(!c.doc().trim().is_empty(), "`{n}` has no documentation");
            assert_eq!(Code::from_name(n), Some(*c));
            if let Some(r) = c.rule() {
                assert!(r.starts_with('S') && r[1..].parse::<u32>().is_ok(), "{r}");
            }
        }
    }
}
