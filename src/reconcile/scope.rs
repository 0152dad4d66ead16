//! The scoping step's `ScopeEvaluationResult`, compared clause by clause with scopesim's
//! own results (S38).
//!
//! Entra writes, in the `EntrySynchronizationScoping` step of every evaluated object, a
//! JSON *text* of clause → Boolean, `"{}"` when no scoping filter is configured. The only
//! documented example (ED-CTS) is
//! `{"Marketing department filter.department EQUALS 'Marketing'":true}`, so the key format
//! is an inference: `<filter title>.<attribute> <OPERATOR> '<value>'`, the operator spelled
//! as the schema's `operatorName`, the value in single quotes and absent (or `''`) for the
//! unary operators. scopesim first looks a key up exactly as it would write it for each
//! clause of the stage; failing that it parses the key tolerantly (the operator is the
//! earliest known spelling preceded by a space and followed by the end or ` '`; the
//! attribute is what follows the last `.` before it; letter case of the filter title and
//! attribute ignored) so a title with dots, or a value with spaces, still pairs.
//!
//! When a clause differs, the import step's `details` (the attribute values Entra read
//! during the cycle) tell the two explanations apart: if scopesim's own clause on the
//! imported value gives Entra's answer, the data changed between the export and the cycle;
//! if it does not, scopesim and Entra evaluate the same value differently (a fidelity
//! difference, to be reported); without the attribute in the details, nobody can tell.

use super::logs::Event;
use crate::directory::Directory;
use crate::eval::{ClauseId, FilterId, Outcomes, Plan, StageId, Verdict};
use crate::rules::Operator;
use crate::value::parse_bool;
use std::collections::HashMap;

/// The key Entra would write for a clause of a filter.
pub fn clause_key(
    filter_title: &str,
    attribute: &str,
    op: Operator,
    value: Option<&str>,
) -> String {
    match value {
        Some(v) if !op.is_unary() => format!("{filter_title}.{attribute} {} '{v}'", op.canonical()),
        _ => format!("{filter_title}.{attribute} {}", op.canonical()),
    }
}

/// A key taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyParts {
    /// The scoping filter's title.
    pub filter: String,
    /// The attribute.
    pub attribute: String,
    /// The operator.
    pub operator: Operator,
    /// The value, without its quotes.
    pub value: Option<String>,
}

/// Parses `<filter title>.<attribute> <OPERATOR> '<value>'` tolerantly (see the module
/// documentation); `None` when no operator spelling is found.
pub fn parse_key(key: &str) -> Option<KeyParts> {
    let lower = key.to_ascii_lowercase();
    let mut best: Option<(usize, usize, Operator)> = None;
    for op in Operator::ALL {
        let canon = op.canonical().to_ascii_lowercase();
        let spellings = [
            canon.clone(),
            canon.replace('_', " "),
            canon.replace(' ', "_"),
        ];
        for sp in spellings {
            let needle = format!(" {sp}");
            let mut from = 0;
            while let Some(p) = lower[from..].find(&needle) {
                let at = from + p;
                let end = at + needle.len();
                let rest = &key[end..];
                if rest.is_empty() || rest.starts_with(" '") || rest == " ''" {
                    let better = match best {
                        None => true,
                        Some((b, blen, _)) => at < b || (at == b && needle.len() > blen),
                    };
                    if better {
                        best = Some((at, needle.len(), op));
                    }
                    break;
                }
                from = at + 1;
            }
        }
    }
    let (at, len, operator) = best?;
    let left = &key[..at];
    let rest = key[at + len..].trim();
    let (filter, attribute) = match left.rfind('.') {
        Some(p) => (left[..p].to_string(), left[p + 1..].to_string()),
        None => (String::new(), left.to_string()),
    };
    let value = rest
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .map(str::to_string)
        .filter(|v| !(operator.is_unary() && v.is_empty()));
    Some(KeyParts {
        filter,
        attribute,
        operator,
        value,
    })
}

/// One clause of the stage, as the log would name it.
#[derive(Debug, Clone)]
struct Entry {
    filter_title: String,
    filter: FilterId,
    clause: ClauseId,
}

/// The clauses of one stage by the keys Entra writes for them.
#[derive(Debug, Clone)]
pub struct ScopeIndex {
    stage: StageId,
    exact: HashMap<String, usize>,
    entries: Vec<Entry>,
    has_scoping: bool,
}

/// Why a clause result differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The value changed between the export and the cycle: scopesim on the imported value
    /// agrees with Entra.
    DataChanged,
    /// Same value, different result: scopesim and Entra evaluate it differently.
    Fidelity,
    /// The import step does not carry the attribute.
    Unknown,
    /// The log evaluates a clause the rules do not have.
    NotInRules,
    /// The log shows no scoping filter at all, the stage has some.
    NoFilterInLog,
}

/// The first clause whose result differs for one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseDiff {
    /// The key as the log wrote it (or the stage's first clause for [`Cause::NoFilterInLog`]).
    pub key: String,
    /// Entra's result.
    pub logged: Option<bool>,
    /// scopesim's result on the export (`None` when the rules lack the clause).
    pub scopesim: Option<bool>,
    /// The attribute.
    pub attribute: String,
    /// The export's value.
    pub export_value: Option<String>,
    /// The value Entra imported: `None` when the import step does not carry it.
    pub imported: Option<Option<String>>,
    /// What the difference means.
    pub cause: Cause,
    /// How many clauses differ in all.
    pub count: usize,
}

impl ClauseDiff {
    /// `IT pilot.department EQUALS 'IT': Entra true, scopesim false`.
    pub fn clause_text(&self) -> String {
        let b = |v: Option<bool>| match v {
            Some(true) => "true",
            Some(false) => "false",
            None => "not in the rules",
        };
        match self.cause {
            Cause::NoFilterInLog => format!(
                "no scoping filter in the log (ScopeEvaluationResult is {{}}); the rules' stage has `{}`",
                self.key
            ),
            _ => format!(
                "{}: Entra {}, scopesim {}",
                self.key,
                b(self.logged),
                b(self.scopesim)
            ),
        }
    }

    /// What the difference means, in words.
    pub fn cause_text(&self) -> String {
        let show = |v: &Option<String>| match v {
            Some(v) => format!("{v:?}"),
            None => "null".to_string(),
        };
        match (&self.cause, &self.imported) {
            (Cause::DataChanged, Some(imported)) => format!(
                "data changed between export and cycle: `{}` is {} in the export, {} in the cycle",
                self.attribute,
                show(&self.export_value),
                show(imported)
            ),
            (Cause::Fidelity, Some(imported)) => format!(
                "a fidelity difference in scopesim: Entra evaluated `{}` = {} as {}, scopesim evaluates it as {} (please report it)",
                self.attribute,
                show(imported),
                self.logged.unwrap_or_default(),
                !self.logged.unwrap_or_default()
            ),
            (Cause::NotInRules, _) => {
                "the log evaluates a clause the rules do not have: the rules file differs from the live configuration".to_string()
            }
            (Cause::NoFilterInLog, _) => {
                "the live configuration has no scoping filter at this cycle: the rules file differs from it".to_string()
            }
            _ => format!(
                "cannot tell a data change from a fidelity difference: the log's import step does not carry `{}`",
                self.attribute
            ),
        }
    }
}

impl ScopeIndex {
    /// Indexes the clauses of `stage` (scoping and input filters).
    pub fn new(plan: &Plan, stage: StageId) -> ScopeIndex {
        let mut entries = Vec::new();
        let mut exact = HashMap::new();
        let s = &plan.stages[stage];
        for &f in s.scoping.iter().chain(&s.input) {
            let filter = &plan.filters[f];
            for &c in &filter.clauses {
                let clause = &plan.clauses[c];
                let key = clause_key(
                    &filter.name,
                    &clause.attribute,
                    clause.operator,
                    clause.value.as_deref(),
                );
                exact.entry(key).or_insert(entries.len());
                entries.push(Entry {
                    filter_title: filter.name.clone(),
                    filter: f,
                    clause: c,
                });
            }
        }
        ScopeIndex {
            stage,
            exact,
            entries,
            has_scoping: !s.scoping.is_empty(),
        }
    }

    /// The stage indexed.
    pub fn stage(&self) -> StageId {
        self.stage
    }

    /// The clause a key names.
    pub fn lookup(&self, plan: &Plan, key: &str) -> Option<(FilterId, ClauseId)> {
        if let Some(&i) = self.exact.get(key) {
            return self.entries.get(i).map(|e| (e.filter, e.clause));
        }
        let parts = parse_key(key)?;
        let matches = |e: &Entry, title_exact: bool| {
            let c = &plan.clauses[e.clause];
            let title = if title_exact {
                e.filter_title == parts.filter
            } else {
                e.filter_title.eq_ignore_ascii_case(&parts.filter)
            };
            title
                && c.attribute.eq_ignore_ascii_case(&parts.attribute)
                && c.operator == parts.operator
                && (c.operator.is_unary() || c.value.as_deref() == parts.value.as_deref())
        };
        self.entries
            .iter()
            .find(|e| matches(e, true))
            .or_else(|| self.entries.iter().find(|e| matches(e, false)))
            .map(|e| (e.filter, e.clause))
    }

    /// Compares one event's scoping step with scopesim's clause results for user `row`.
    /// `Ok(None)`: no scoping step, or every clause agrees. `Err`: the result is not an
    /// object of Booleans (a message for a warning).
    pub fn compare(
        &self,
        plan: &Plan,
        outcomes: &Outcomes,
        dir: &Directory,
        row: usize,
        event: &Event,
    ) -> Result<Option<ClauseDiff>, String> {
        let Some(step) = event.step("scoping") else {
            return Ok(None);
        };
        let Some(raw) = step.detail("ScopeEvaluationResult") else {
            return Ok(None);
        };
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(raw)
            .map_err(|e| format!("`ScopeEvaluationResult` is not a JSON object ({e}): `{raw}`"))?;
        let import = event.step("import");
        let imported_of = |attr: &str| -> Option<Option<String>> {
            import
                .and_then(|s| s.detail(attr))
                // S1: empty text is null.
                .map(|v| (!v.is_empty()).then(|| v.to_string()))
        };
        if map.is_empty() {
            if !self.has_scoping {
                return Ok(None);
            }
            let first = self.entries.first();
            let (key, attribute) = first.map_or((String::new(), String::new()), |e| {
                let c = &plan.clauses[e.clause];
                (
                    clause_key(
                        &e.filter_title,
                        &c.attribute,
                        c.operator,
                        c.value.as_deref(),
                    ),
                    c.attribute.clone(),
                )
            });
            return Ok(Some(ClauseDiff {
                key,
                logged: None,
                scopesim: None,
                attribute,
                export_value: None,
                imported: None,
                cause: Cause::NoFilterInLog,
                count: 1,
            }));
        }
        let mut first: Option<ClauseDiff> = None;
        let mut count = 0;
        for (key, v) in &map {
            let logged = match v {
                serde_json::Value::Bool(b) => *b,
                serde_json::Value::String(s) => parse_bool(s).ok_or_else(|| {
                    format!("`ScopeEvaluationResult` gives `{key}` the value `{s}`, not a Boolean")
                })?,
                other => {
                    return Err(format!(
                        "`ScopeEvaluationResult` gives `{key}` the value `{other}`, not a Boolean"
                    ));
                }
            };
            let diff = match self.lookup(plan, key) {
                None => Some(ClauseDiff {
                    key: key.clone(),
                    logged: Some(logged),
                    scopesim: None,
                    attribute: parse_key(key).map(|p| p.attribute).unwrap_or_default(),
                    export_value: None,
                    imported: None,
                    cause: Cause::NotInRules,
                    count: 0,
                }),
                Some((_, c)) => {
                    let ours = outcomes.clause(c).get(row);
                    if ours == logged {
                        None
                    } else {
                        let clause = &plan.clauses[c];
                        let export_value = clause
                            .column
                            .and_then(|col| dir.value(row, col))
                            .map(str::to_string);
                        let imported = imported_of(&clause.attribute);
                        let cause = match &imported {
                            None => Cause::Unknown,
                            Some(v) => {
                                let on_imported = clause.eval(v.as_deref()) == Verdict::True;
                                if on_imported == logged && *v != export_value {
                                    Cause::DataChanged
                                } else {
                                    Cause::Fidelity
                                }
                            }
                        };
                        Some(ClauseDiff {
                            key: key.clone(),
                            logged: Some(logged),
                            scopesim: Some(ours),
                            attribute: clause.attribute.clone(),
                            export_value,
                            imported,
                            cause,
                            count: 0,
                        })
                    }
                }
            };
            if let Some(d) = diff {
                count += 1;
                if first.is_none() {
                    first = Some(d);
                }
            }
        }
        Ok(first.map(|mut d| {
            d.count = count;
            d
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s38_keys_parse_as_in_microsofts_example() {
        let p = parse_key("Marketing department filter.department EQUALS 'Marketing'").unwrap();
        assert_eq!(p.filter, "Marketing department filter");
        assert_eq!(p.attribute, "department");
        assert_eq!(p.operator, Operator::Equals);
        assert_eq!(p.value.as_deref(), Some("Marketing"));
        // NOT EQUALS is found before EQUALS; a dotted title keeps its dots.
        let p = parse_key("v1.2 filter.employeeType NOT EQUALS 'Contractor'").unwrap();
        assert_eq!(p.filter, "v1.2 filter");
        assert_eq!(p.operator, Operator::NotEquals);
        // Unary, with or without empty quotes; `_` and space alike.
        let p = parse_key("Enabled.accountEnabled IS TRUE").unwrap();
        assert_eq!((p.operator, p.value), (Operator::IsTrue, None));
        let p = parse_key("Enabled.accountEnabled IS_TRUE ''").unwrap();
        assert_eq!((p.operator, p.value), (Operator::IsTrue, None));
        let p = parse_key("Sales.country REGEX MATCH '^(DE|FR) $'").unwrap();
        assert_eq!(p.value.as_deref(), Some("^(DE|FR) $"));
        assert!(parse_key("no operator here").is_none());
    }

    #[test]
    fn s38_keys_round_trip_through_clause_key() {
        for op in Operator::ALL {
            let value = (!op.is_unary()).then_some("a b.c");
            let key = clause_key("T.1", "department", op, value);
            let p = parse_key(&key).unwrap();
            assert_eq!(p.operator, op, "{key}");
            assert_eq!(p.filter, "T.1");
            assert_eq!(p.value.as_deref(), value);
        }
    }
}
