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
    /// More diagnostics than are printed (the first [`crate::diag::MAX_SHOWN`]); their count.
    MoreDiagnostics = "more-diagnostics", None;
    /// An output path is an input, or the same file as another output.
    OutputClobbers = "output-clobbers", None;
    /// The run was interrupted (SIGINT or SIGTERM); nothing was written.
    Interrupted = "interrupted", None;
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
    /// An operator spelt with other separators or blanks than documented (`IsTrue`,
    /// `ENDSWITH`, `NOT  EQUALS`, ` EQUALS`): read as the operator it spells, with a warning
    /// naming the canonical spelling.
    OperatorSpelling = "operator-spelling", Some("S35");
    /// A clause whose attribute (`sourceOperandName`) is empty.
    EmptyAttribute = "empty-attribute", Some("S30");
    /// A setting kept for old files (`delete_flow`), read as its replacement (`flow_types`).
    DeprecatedSetting = "deprecated-setting", Some("S33");
    /// Braces (or JSON arrays and objects) nested deeper than scopesim reads.
    NestingTooDeep = "nesting-too-deep", None;
    /// `flowTypes` / `flow_types` that is not a list of `Add`, `Update` and `Delete` (or `None`).
    BadFlowTypes = "bad-flow-types", Some("S33");
    /// The user object mapping is disabled (`enabled: false`) or has no flow type: Entra
    /// provisions nobody with it.
    MappingOff = "mapping-off", Some("S33");
    /// A matching attribute whose source is an expression: the value matched is what the
    /// expression gives, evaluated by the attribute-mapping stage.
    MatchingExpression = "matching-expression", Some("S32");
    /// Two matching attributes with the same `matchingPriority`: Entra's order between them
    /// is undocumented; scopesim tries them in the order written.
    MatchingPriority = "matching-priority", Some("S32");
    /// A bad `matchingPriority` or matching attribute in a Graph schema.
    BadMatching = "bad-matching", Some("S32");
    /// `ConvertTo-Json` cut the schema at its default depth: nested objects were written as
    /// text such as `System.Collections.Hashtable` or `@{...}`.
    GraphTruncated = "graph-truncated", Some("S30");
    /// A `graph` stage's schema has object-mapping settings (enabled, flow types, matching)
    /// that a stage cannot carry: they are not applied.
    GraphStageSettings = "graph-stage-settings", Some("S33");
    /// `--app-name` (or `NAME=FILE`) given for rules that name their apps themselves.
    AppNameIgnored = "app-name-ignored", None;
    /// A synchronization-secrets export that cannot be read (shape, values, target app).
    BadSecrets = "bad-secrets", Some("S24");
    /// A setting in the rules differs from the same setting in the secrets export; the
    /// rules win.
    SecretsOverridden = "secrets-overridden", Some("S24");
    /// Two rule files compared by `diff` have no app in common (a schema named after its
    /// file is the usual cause).
    NoAppInBoth = "no-app-in-both", None;

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
    /// A CSV row has fewer fields than the header (a row cut short).
    CsvTooFewFields = "csv-too-few-fields", None;
    /// A CSV header has more columns than scopesim reads (16,384, a spreadsheet's width).
    CsvTooManyColumns = "csv-too-many-columns", None;
    /// A `Get-MgUser` export without `-Property`: the selected columns are empty for everyone.
    PowerShellDefaultProperties = "powershell-default-properties", Some("S2");
    /// PowerShell type names (`System.Collections.Hashtable`, `@{...}`) instead of values: an object not flattened, or `ConvertTo-Json` at its default depth.
    PowerShellTypeNames = "powershell-type-names", Some("S36");
    /// The same Graph user (by id) appears more than once across the pages read.
    GraphDuplicateUsers = "graph-duplicate-users", Some("S36");
    /// Graph pages whose `@odata.nextLink` chain is broken: a page is missing or out of order.
    GraphMissingPage = "graph-missing-page", Some("S36");
    /// A Graph user object without `id` (or `userPrincipalName`): it cannot be matched to anything.
    GraphUserWithoutId = "graph-user-without-id", None;

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
    /// A target-state `managed` value that is neither true, false nor empty.
    BadManagedValue = "bad-managed-value", Some("S31");
    /// Assignments to service principals (`appRoleAssignedTo` lists them too), skipped.
    ServicePrincipalAssignments = "service-principal-assignments", Some("S24");
    /// An input file of the wrong kind (users given as assignments, a schema as members ...).
    WrongInputFile = "wrong-input-file", None;
    /// A group-member export that does not say whether members are users or groups.
    MemberTypesUnknown = "member-types-unknown", Some("S24");
    /// A group-member export that does not say which group it lists.
    MembersWithoutGroup = "members-without-group", None;

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
    /// Groups assigned to an app have no member data (an error unless `--allow-missing-members`).
    MissingGroupMembers = "missing-group-members", Some("S36");
    /// More distinct group members than scopesim numbers (2^31 - 1).
    TooManyMembers = "too-many-members", None;
    /// The groups nested below an app's assigned groups form a cycle.
    GroupCycle = "group-cycle", Some("S24");
    /// Group nesting deeper than scopesim follows (members below are never candidates anyway).
    GroupNestingTooDeep = "group-nesting-too-deep", Some("S24");
    /// A target state with neither `managed` nor `externalId`: every account is pre-existing.
    FirstEnablement = "first-enablement", Some("S31");
    /// Target-state accounts whose `externalId` is no directory user's objectId: pre-existing.
    ExternalIdNoUser = "external-id-no-user", Some("S31");
    /// Managed accounts whose user cannot be told, or a second managed account of a user.
    ManagedOwnerUnclear = "managed-owner-unclear", Some("S31");
    /// A matching attribute absent from the whole directory export.
    MatchingAttributeAbsent = "matching-attribute-absent", Some("S32");
    /// Users without a value for any matching attribute (`ImportSkipped`).
    NoMatchingValue = "no-matching-value", Some("S32");
    /// Users whose matching value differs from an account's only in letter case (compared exactly).
    MatchCase = "match-case", Some("S32");
    /// Users whose matching would fail (`DuplicateSourceEntries`, `DuplicateTargetEntries`).
    MatchFailures = "match-failures", Some("S32");
    /// The user object mapping is disabled: Entra does nothing for the app.
    MappingDisabled = "mapping-disabled", Some("S33");
    /// Actions suppressed by the object mapping's flow types.
    FlowSuppressed = "flow-suppressed", Some("S33");
    /// Integers written with a sign, leading zeros or white space: read as .NET reads them, counted.
    NonCanonicalInteger = "non-canonical-integer", Some("S18");

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
    /// Lint: an integer written with a sign, leading zeros or surrounding white space, or
    /// negative (a rule's value, or users' values read by Greater_Than): scopesim reads it
    /// like .NET Int64.Parse, but Entra documents only whole numbers `[0,1,2,...]` (S18).
    IntegerSpelling = "integer-spelling", Some("S18");
    /// Lint: an ENDS_WITH suffix or user value holds characters on which .NET's
    /// culture-sensitive `EndsWith` and the ordinal comparison scopesim makes can disagree
    /// (ignorable characters such as the soft hyphen, `ß`, combining marks and precomposed
    /// letters); the ordinal choice is a decision (S10).
    EndsWithOrdinal = "ends-with-ordinal", Some("S10");

    // ---- least-privilege audit ----
    /// An app `audit` cannot audit (no `--target-state` for it, or no stage of the name asked): skipped.
    AuditAppSkipped = "audit-app-skipped", Some("S31");
    /// No app is left to audit: none of the selected apps has a target state (and the stage asked).
    NothingToAudit = "nothing-to-audit", Some("S31");
    /// A target state without an `active` column: its accounts are taken as active in the app.
    AccountActivityUnknown = "account-activity-unknown", Some("S31");

    // ---- tests as data ----
    /// A test file that cannot be read as a suite.
    TestFile = "test-file", None;
    /// A test case names no stage for an app that has several.
    MissingStage = "missing-stage", None;
    /// A test case needs a directory that the suite does not give.
    NoDirectory = "no-directory", None;

    // ---- attribute-mapping expressions ----
    /// An attribute-mapping expression that cannot be read (a string never closed, a stray token).
    ExpressionSyntax = "expression-syntax", Some("S39");
    /// An expression longer than the 10,000 characters Entra accepts (ED-KNOWN).
    ExpressionTooLong = "expression-too-long", Some("S39");
    /// Functions nested deeper than scopesim reads (a generated expression, most likely).
    ExpressionTooDeep = "expression-too-deep", None;
    /// A backslash escape other than `\\` and `\"`, which Entra does not document (kept as written).
    ExpressionUnknownEscape = "expression-unknown-escape", Some("S39");
    /// A function name that is not one of the documented functions (the syntax is case-sensitive).
    UnknownFunction = "unknown-function", Some("S39");
    /// A function Graph's catalog lists but Microsoft's function reference does not document.
    UndocumentedFunction = "undocumented-function", Some("S39");
    /// A function called with a number of arguments its documented signature does not allow.
    FunctionArity = "function-arity", Some("S39");
    /// A constant argument that cannot be what its parameter needs (a number, an interval, a format, a mode).
    ArgumentType = "argument-type", Some("S39");
    /// A bare name where only an attribute, a string or a function can stand.
    UnknownName = "unknown-name", Some("S39");
    /// A comparison outside IIF's condition or CBool's argument.
    ComparisonPlacement = "comparison-placement", Some("S39");
    /// `SelectUniqueValue` nested inside another function (it must be the whole expression).
    SelectUniqueValueNested = "select-unique-value-nested", Some("S39");
    /// An expression's attribute matches a given value's name only ignoring letter case.
    ExpressionAttributeCase = "expression-attribute-case", Some("S3");
    /// An expression's attribute has no value given, so it is NULL (with a did-you-mean).
    ExpressionUnknownAttribute = "expression-unknown-attribute", Some("S3");
    /// A Graph `attributeMappingSource` tree of the wrong shape.
    ExpressionTreeShape = "expression-tree-shape", Some("S39");
    /// A mapping source whose `expression` text and `parameters` tree disagree.
    ExpressionTreeMismatch = "expression-tree-mismatch", Some("S39");
    /// A tree parameter key the function does not have.
    UnknownParameterKey = "unknown-parameter-key", Some("S39");
    /// An empty argument in a repeating position, which Graph's tree (dropping empty arguments) cannot hold.
    UnrepresentableArgument = "unrepresentable-argument", Some("S39");
    /// An expression that fails for a user's values (a function given what it cannot use).
    EvaluationFailed = "evaluation-failed", Some("S39");
    /// IIF whose condition reads a NULL or empty attribute: Entra's condition check fails.
    IifNullSource = "iif-null-source", Some("S39");
    /// `Item` asked for a value the multi-valued attribute does not have (it counts from 1).
    ItemOutOfRange = "item-out-of-range", Some("S39");
    /// `Now()` evaluated without a fixed time to stand for the clock.
    FixedInputMissing = "fixed-input-missing", None;
    // ---- provisioning logs and reconciliation ----
    /// A provisioning-log file is not valid JSON or CSV (with the line, column and record).
    LogSyntax = "log-syntax", None;
    /// A provisioning-log record lacks a field reconciliation needs, or holds a value of the
    /// wrong kind (a `sourceIdentity` without `id`, a date that does not parse).
    LogShape = "log-shape", Some("S37");
    /// No event of the logs is for the app being reconciled: the wrong app name, or the
    /// wrong export. Lists the apps the logs do hold.
    LogNoEvents = "log-no-events", Some("S36");
    /// Events with an action or status value Microsoft does not document (counted, kept as
    /// written, never paired as agreeing).
    LogUnknownValue = "log-unknown-value", Some("S38");
    /// The last Graph page of a log export has `@odata.nextLink`: more events exist.
    LogNextLink = "log-next-link", Some("S36");
    /// `--cycle` names a cycle the logs do not hold.
    LogUnknownCycle = "log-unknown-cycle", None;
    /// Which cycle(s) were compared, and why (the latest full cycle by default).
    LogCycle = "log-cycle", Some("S37");
    /// Most users the plan acts on have no event in the compared cycle: an incremental
    /// cycle, a cycle still running, or the logs of another stage.
    LogPartialCycle = "log-partial-cycle", Some("S37");
    /// A `ScopeEvaluationResult` key names a clause the rules do not have: the rules file
    /// and the live configuration differ.
    LogClauseNotInRules = "log-clause-not-in-rules", Some("S38");
    /// A `ScopeEvaluationResult` that is not a JSON object of clause to Boolean.
    LogScopeResult = "log-scope-result", Some("S38");
    /// Users whose logged action agrees with the plan while a clause result differs.
    LogClauseDisagreement = "log-clause-disagreement", Some("S38");
    /// Events scopesim does not pair with users: groups and other object types.
    LogOtherObjects = "log-other-objects", None;
    /// A job-status file that is not the JSON of `GET .../synchronization/jobs/{id}`.
    JobStatus = "job-status", None;
    /// The job's `QuarantineTooManyDeletesThreshold` differs from the rules' deletion threshold.
    JobThresholdDiffers = "job-threshold-differs", Some("S27");

    // ---- payloads (attribute mappings per user) ----
    /// An app's attribute mappings cannot be read, so its matching expressions are not
    /// evaluated and its payloads are not computed.
    MappingsUnreadable = "mappings-unreadable", Some("S39");
    /// `--payloads` for rules whose apps have no attribute mappings.
    NoMappings = "no-mappings", Some("S40");
    /// An attribute mapping reads a source attribute the directory export does not have.
    MappingSourceAbsent = "mapping-source-absent", Some("S36");
    /// Users whose create or update would fail (`MandatoryFieldsMissing`, an expression
    /// that fails for them, a value longer than the app allows, several values for one).
    PayloadFailures = "payload-failures", Some("S40");
    /// An input file changed between the two reads of one run.
    InputChanged = "input-changed", None;
    /// Lint: an attribute mapping that can never flow (`ObjectAddOnly` without the Add
    /// flow, an expression that fails whatever the user's values).
    MappingNeverFlows = "mapping-never-flows", Some("S40");
    /// Lint: a matching attribute mapped from a constant: every user has the same
    /// matching value, so all but one fail with `DuplicateSourceEntries`.
    ConstantMatchingAttribute = "constant-matching-attribute", Some("S32");
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
