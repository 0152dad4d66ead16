//! What Entra would write for one user: the target attributes and their values, from the
//! schema's attribute mappings, for a create or an update (S40).
//!
//! The work is split in two so that a user's expressions are evaluated once per app and
//! flowed once per stage: [`AppMappings::evaluate`] computes every mapping's value from the
//! user's values (with `IsSoftDeleted` given by the caller, who knows the rollout), and
//! [`flow`] applies the documented flow rules for the action:
//!
//! * `flowType` `ObjectAddOnly` ("Only during object creation") flows on create only;
//!   `AttributeAddOnly` only while the target has no value (GD-AM);
//! * NULL is never provisioned (ED-ATTR: "doesn't support provisioning null values"), and
//!   a NULL does not clear the target on update: clearing values ("flow null values") is
//!   "not currently supported for outbound application provisioning" (ED-NULL);
//! * `defaultValue` is sent on create when the expression gives NULL, never on update
//!   (ED-ATTR); a mapping without a source (type None) leaves the target unmodified and
//!   fills it with its default when it is empty (ED-ATTR);
//! * `IgnoreFlowIfNullOrEmpty` drops the attribute from the flow (ED-FUNC);
//! * on an update where the switched attribute did not change but another did, a `Switch`
//!   evaluates to NULL and clears its target (ED-FUNC's documented bug): reported as a
//!   note, because a prediction must show what Entra does, bug included.
//!
//! With the account's current values ([`CurrentValues`]) an update is **would change**
//! (the attributes that differ, old → new) or **no change** (Entra logs it as skipped,
//! `RedundantExport`, GD-POD); values compare ignoring case unless the target defines the
//! attribute `caseExact` (ED-FUNC's ToLower note: only a case-exact attribute is updated
//! for a change of case). Predicted failures carry the error code Entra would log.

use super::eval::{Context, EvalError, Evaluation, FixedInputs};
use super::mappings::{FlowType, Mapping};
use super::target::{Current, CurrentValues, Definitions};
use super::value::{Value, Values, utf16_len};
use crate::diag::Code;

/// The action a payload is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// A new account (SCIM `POST`).
    Create,
    /// An existing account (SCIM `PATCH`).
    Update,
}

/// The attribute mappings of one app's user object mapping, ready to evaluate.
#[derive(Debug, Clone)]
pub struct AppMappings {
    /// In schema order.
    pub mappings: Vec<Mapping>,
    /// The target object's attribute definitions (empty when the schema has none).
    pub definitions: Definitions,
    reads_soft_deleted: Vec<bool>,
    switch_sources: Vec<Vec<String>>,
    /// The definition of each mapping's target, looked up once.
    target_defs: Vec<Option<super::target::AttributeDefinition>>,
}

/// Whether a name is Entra's computed `IsSoftDeleted` (S40).
pub fn is_soft_deleted_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("IsSoftDeleted")
}

impl AppMappings {
    /// Prepares mappings read with [`super::read_mappings`].
    pub fn new(mappings: Vec<Mapping>, definitions: Definitions) -> AppMappings {
        let reads_soft_deleted = mappings
            .iter()
            .map(|m| {
                m.source
                    .as_ref()
                    .is_some_and(|e| e.attributes().iter().any(|a| is_soft_deleted_name(a)))
            })
            .collect();
        let switch_sources = mappings
            .iter()
            .map(|m| {
                let mut out: Vec<String> = Vec::new();
                if let Some(e) = &m.source {
                    e.walk(&mut |n, _| {
                        if let Some(c) = n.as_call().filter(|c| c.name == "Switch") {
                            if let Some(src) = c.arg(0) {
                                out.extend(src.attributes().iter().map(|a| (*a).to_string()));
                            }
                        }
                    });
                }
                out.dedup();
                out
            })
            .collect();
        let target_defs = mappings
            .iter()
            .map(|m| definitions.get(&m.target).cloned())
            .collect();
        AppMappings {
            mappings,
            definitions,
            reads_soft_deleted,
            switch_sources,
            target_defs,
        }
    }

    /// The target definition of mapping `i`.
    pub fn definition(&self, i: usize) -> Option<&super::target::AttributeDefinition> {
        self.target_defs.get(i).and_then(Option::as_ref)
    }

    /// The source attributes the mappings read, in first-use order, without repeats and
    /// without the computed `IsSoftDeleted`.
    pub fn source_attributes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for e in self.mappings.iter().filter_map(|m| m.source.as_ref()) {
            for a in e.attributes() {
                if !is_soft_deleted_name(a) && !out.iter().any(|o| o == a) {
                    out.push(a.to_string());
                }
            }
        }
        out
    }

    /// Whether mapping `i` reads `IsSoftDeleted` (its value differs for a disable).
    pub fn reads_soft_deleted(&self, i: usize) -> bool {
        self.reads_soft_deleted.get(i).copied().unwrap_or(false)
    }

    /// Evaluates every mapping for one user. `is_soft_deleted` is what Entra computes for
    /// the user at this cycle (S40: unassigned, out of scope, soft-deleted or
    /// `accountEnabled` false).
    pub fn evaluate(
        &self,
        values: &dyn Values,
        is_soft_deleted: bool,
        ctx: &Context,
    ) -> Vec<Result<Evaluation, EvalError>> {
        let user = UserValues {
            inner: values,
            is_soft_deleted,
        };
        self.mappings
            .iter()
            .map(|m| match &m.source {
                Some(e) => super::eval::evaluate(e, &user, ctx),
                None => Ok(Evaluation {
                    value: Value::Null,
                    ignored: false,
                    fixed: FixedInputs::default(),
                    notes: Vec::new(),
                }),
            })
            .collect()
    }

    /// Re-evaluates only the mappings that read `IsSoftDeleted`, for another value of it
    /// (a disable between two stages); the other results are kept.
    pub fn evaluate_soft_deleted(
        &self,
        values: &dyn Values,
        is_soft_deleted: bool,
        ctx: &Context,
        base: &[Result<Evaluation, EvalError>],
    ) -> Vec<Result<Evaluation, EvalError>> {
        let user = UserValues {
            inner: values,
            is_soft_deleted,
        };
        self.mappings
            .iter()
            .enumerate()
            .map(|(i, m)| match (&m.source, self.reads_soft_deleted(i)) {
                (Some(e), true) => super::eval::evaluate(e, &user, ctx),
                _ => base.get(i).cloned().unwrap_or_else(|| {
                    Ok(Evaluation {
                        value: Value::Null,
                        ignored: false,
                        fixed: FixedInputs::default(),
                        notes: Vec::new(),
                    })
                }),
            })
            .collect()
    }
}

/// A user's values with Entra's computed `IsSoftDeleted` in place of any column of that
/// name (S40).
pub struct UserValues<'a> {
    /// The user's attributes.
    pub inner: &'a dyn Values,
    /// What `[IsSoftDeleted]` reads.
    pub is_soft_deleted: bool,
}

impl Values for UserValues<'_> {
    fn get(&self, name: &str) -> Value {
        if is_soft_deleted_name(name) {
            Value::bool(self.is_soft_deleted)
        } else {
            self.inner.get(name)
        }
    }

    fn names(&self) -> Vec<String> {
        let mut n = self.inner.names();
        n.push("IsSoftDeleted".to_string());
        n
    }
}

/// A predicted failure, with the error code Entra would log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    /// Entra's error code (`MandatoryFieldsMissing`), or scopesim's name for a failure
    /// Entra documents no code for (then `documented` is false).
    pub code: &'static str,
    /// Whether ED-ANALYZE documents the code.
    pub documented: bool,
    /// The target attribute.
    pub attribute: String,
    /// What fails, in words.
    pub message: String,
}

/// Failure codes.
pub mod codes {
    /// A required target attribute has no value on create (ED-ANALYZE).
    pub const MANDATORY_FIELDS_MISSING: &str = "MandatoryFieldsMissing";
    /// Several values into a single-valued target attribute (ED-ANALYZE).
    pub const SINGLE_VALUE: &str = "SchemaPropertyCanOnlyAcceptValue";
    /// The expression fails for the user [decision: no documented code].
    pub const EXPRESSION_FAILED: &str = "ExpressionEvaluationFailed";
    /// A value longer than the target's `MaximumLength` [decision: the app's error].
    pub const TOO_LONG: &str = "ValueTooLong";
}

/// One attribute that flows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The target attribute.
    pub target: String,
    /// Its value (never NULL: NULL does not flow).
    pub value: Value,
    /// The value is the mapping's `defaultValue`.
    pub default: bool,
}

/// One attribute an update changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The target attribute.
    pub target: String,
    /// What the account holds.
    pub old: Current,
    /// What Entra would write.
    pub new: Value,
}

/// Whether an update changes the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeState {
    /// A create (nothing to compare with).
    Create,
    /// At least one attribute differs.
    WouldChange,
    /// Every attribute sent equals the account's: Entra skips it (`RedundantExport`).
    NoChange,
    /// Some attribute's current value is unknown and none is known to differ.
    Unknown,
}

impl ChangeState {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeState::Create => "create",
            ChangeState::WouldChange => "would-change",
            ChangeState::NoChange => "no-change",
            ChangeState::Unknown => "unknown",
        }
    }
}

/// What Entra would write for one user, app and stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    /// Create or update.
    pub op: Op,
    /// The attributes that flow, in mapping order.
    pub attributes: Vec<Sent>,
    /// For an update: the attributes that differ from the account's.
    pub changes: Vec<Change>,
    /// For an update: would change, no change or unknown.
    pub state: ChangeState,
    /// Predicted failures.
    pub failures: Vec<Failure>,
    /// Targets ED-FUNC's Switch bug would set to NULL on this update.
    pub switch_null: Vec<String>,
    /// Where the prediction is limited, or Entra behaves unexpectedly.
    pub notes: Vec<String>,
    /// The fixed inputs (`Now`, `Guid`, `RandomString`) the values used.
    pub fixed: FixedInputs,
}

impl Payload {
    /// The value sent for `target`, if any.
    pub fn value(&self, target: &str) -> Option<&Value> {
        self.attributes
            .iter()
            .find(|s| s.target == target)
            .map(|s| &s.value)
    }
}

fn note(notes: &mut Vec<String>, n: String) {
    if !notes.contains(&n) {
        notes.push(n);
    }
}

fn items(v: &Value) -> Vec<String> {
    v.items()
}

fn as_bool(s: &str) -> Option<bool> {
    crate::value::parse_bool(s)
}

/// Does the account's value equal the one Entra would write? Booleans compare as
/// Booleans, lists as sets, text ignoring case unless the target is case-exact.
pub fn same_value(cur: &Current, new: &Value, case_exact: bool) -> Option<bool> {
    let old: Vec<String> = match cur {
        Current::Unknown => return None,
        Current::Null => Vec::new(),
        Current::Str(s) if s.is_empty() => Vec::new(),
        Current::Str(s) => vec![s.clone()],
        Current::List(l) => l.clone(),
    };
    let new = items(new);
    if old.len() != new.len() {
        return Some(false);
    }
    let norm = |s: &str| -> String {
        match as_bool(s) {
            Some(b) => b.to_string(),
            None if case_exact => s.to_string(),
            None => s.to_lowercase(),
        }
    };
    let mut a: Vec<String> = old.iter().map(|s| norm(s)).collect();
    let mut b: Vec<String> = new.iter().map(|s| norm(s)).collect();
    a.sort();
    b.sort();
    Some(a == b)
}

/// Applies the flow rules (S40) to one user's evaluated mappings for `op`. `current` is
/// the account's values (use [`super::target::NoAccount`] for a create or when unknown).
pub fn flow(
    app: &AppMappings,
    evals: &[Result<Evaluation, EvalError>],
    op: Op,
    current: &dyn CurrentValues,
) -> Payload {
    let mut p = Payload {
        op,
        attributes: Vec::new(),
        changes: Vec::new(),
        state: match op {
            Op::Create => ChangeState::Create,
            Op::Update => ChangeState::NoChange,
        },
        failures: Vec::new(),
        switch_null: Vec::new(),
        notes: Vec::new(),
        fixed: FixedInputs::default(),
    };
    let mut unknown = false;
    let mut unchanged_switches: Vec<(String, bool)> = Vec::new();
    for (i, m) in app.mappings.iter().enumerate() {
        let def = app.definition(i);
        // S40: "Only during object creation".
        if op == Op::Update && m.flow_type == FlowType::ObjectAddOnly {
            continue;
        }
        let ev = match evals.get(i) {
            Some(Ok(ev)) => ev,
            Some(Err(e)) => {
                p.failures.push(expression_failure(m, e));
                continue;
            }
            None => continue,
        };
        merge_fixed(&mut p.fixed, ev.fixed);
        for n in &ev.notes {
            note(&mut p.notes, format!("`{}`: {n}", m.target));
        }
        if ev.ignored {
            // IgnoreFlowIfNullOrEmpty: no flow at all, not even a default.
            continue;
        }
        let cur = || current.current(&m.target);
        let mut default = false;
        let value = if ev.value.is_null() {
            match (op, &m.default_value, &m.source) {
                // ED-ATTR: "Default value if null ... only provisioned when a user is created".
                (Op::Create, Some(d), _) => {
                    default = true;
                    Value::str(d.clone())
                }
                // ED-ATTR mapping type None: "left unmodified ... if the target attribute is
                // ever empty, it populates with the default value".
                (Op::Update, Some(d), None) => match cur() {
                    c if c.is_null() => {
                        default = true;
                        Value::str(d.clone())
                    }
                    Current::Unknown => {
                        unknown = true;
                        note(
                            &mut p.notes,
                            format!(
                                "`{}` (no source): Entra writes its default `{d}` only if the account has no value, which is unknown here",
                                m.target
                            ),
                        );
                        continue;
                    }
                    _ => continue,
                },
                (Op::Update, _, Some(_)) => {
                    // ED-NULL: a NULL never clears the target on outbound provisioning.
                    if let c @ (Current::Str(_) | Current::List(_)) = cur() {
                        if !c.is_null() {
                            note(
                                &mut p.notes,
                                format!(
                                    "`{}` is NULL for this user, but the account holds {}: Entra does not clear it (ED-NULL)",
                                    m.target,
                                    current_display(&c)
                                ),
                            );
                        }
                    }
                    continue;
                }
                _ => continue,
            }
        } else {
            ev.value.clone()
        };
        if op == Op::Update && m.flow_type == FlowType::AttributeAddOnly {
            match cur() {
                c if c.is_null() => {}
                Current::Unknown => {
                    unknown = true;
                    note(
                        &mut p.notes,
                        format!(
                            "`{}` flows only while the account has no value (AttributeAddOnly), which is unknown here",
                            m.target
                        ),
                    );
                    continue;
                }
                _ => continue,
            }
        }
        check_value(m, def, &value, &mut p.failures);
        if op == Op::Update {
            let reference = def.is_some_and(|d| d.reference);
            let c = cur();
            if reference {
                unknown = true;
                note(
                    &mut p.notes,
                    format!(
                        "`{}` is a reference: Entra writes the id of the referenced account in the app, which scopesim cannot know, so it is not compared",
                        m.target
                    ),
                );
            } else {
                let case_exact = def.is_some_and(|d| d.case_exact);
                match same_value(&c, &value, case_exact) {
                    None => unknown = true,
                    Some(true) => {}
                    Some(false) => p.changes.push(Change {
                        target: m.target.clone(),
                        old: c.clone(),
                        new: value.clone(),
                    }),
                }
            }
            if !app.switch_sources.get(i).is_none_or(Vec::is_empty) {
                let known_same = !reference && same_value(&c, &value, false) == Some(true);
                unchanged_switches.push((m.target.clone(), known_same));
            }
        }
        p.attributes.push(Sent {
            target: m.target.clone(),
            value,
            default,
        });
    }
    if op == Op::Create {
        for (i, m) in app.mappings.iter().enumerate() {
            let required = app.definition(i).is_some_and(|d| d.required);
            if required
                && p.value(&m.target).is_none()
                && !p.failures.iter().any(|f| f.attribute == m.target)
            {
                p.failures.push(Failure {
                    code: codes::MANDATORY_FIELDS_MISSING,
                    documented: true,
                    attribute: m.target.clone(),
                    message: format!(
                        "`{}` is required by the app and has no value for this user, so the create fails",
                        m.target
                    ),
                });
            }
        }
    } else {
        p.state = if !p.changes.is_empty() {
            ChangeState::WouldChange
        } else if unknown {
            ChangeState::Unknown
        } else {
            ChangeState::NoChange
        };
        switch_bug(app, &mut p, &unchanged_switches);
    }
    p
}

/// ED-FUNC's documented Switch bug, made visible: on an update where a Switch's source did
/// not change but another mapped attribute did, the Switch gives NULL and the target is
/// cleared. scopesim takes "did not change" to be "the value it maps to equals the
/// account's" [inference].
fn switch_bug(app: &AppMappings, p: &mut Payload, switches: &[(String, bool)]) {
    for (target, known_same) in switches {
        let sources = app
            .mappings
            .iter()
            .position(|m| &m.target == target)
            .and_then(|i| app.switch_sources.get(i))
            .map(|s| {
                s.iter()
                    .map(|a| format!("`[{a}]`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let others_change = p.changes.iter().any(|c| &c.target != target);
        if *known_same && others_change {
            p.switch_null.push(target.clone());
            note(
                &mut p.notes,
                format!(
                    "`{target}` uses Switch on {sources}, which does not change while other attributes do: ED-FUNC documents that Entra then evaluates the Switch to NULL and clears `{target}` in the app (use nested IIF instead)"
                ),
            );
        } else if p.state != ChangeState::NoChange && !others_change {
            note(
                &mut p.notes,
                format!(
                    "`{target}` uses Switch on {sources}: on an update where {sources} does not change but another attribute does, ED-FUNC documents that Entra evaluates it to NULL and clears `{target}`"
                ),
            );
        }
    }
}

fn merge_fixed(into: &mut FixedInputs, f: FixedInputs) {
    if f.now.is_some() {
        into.now = f.now;
    }
    if f.seed.is_some() {
        into.seed = f.seed;
    }
}

fn current_display(c: &Current) -> String {
    match c {
        Current::Str(s) => super::value::quote(s),
        Current::List(l) => Value::List(l.clone()).display(),
        Current::Null => "NULL".into(),
        Current::Unknown => "an unknown value".into(),
    }
}

fn expression_failure(m: &Mapping, e: &EvalError) -> Failure {
    let why = match e.code {
        Code::IifNullSource => "IIF's condition reads a NULL or empty attribute",
        Code::ItemOutOfRange => "Item asks for a value the attribute does not have",
        _ => "the expression fails",
    };
    Failure {
        code: codes::EXPRESSION_FAILED,
        documented: false,
        attribute: m.target.clone(),
        message: format!("`{}`: {why}: {}", m.target, e.message),
    }
}

/// Checks a value against the target's definition: several values into a single-valued
/// attribute, a text longer than `MaximumLength` (in UTF-16 units, as .NET counts, S34).
fn check_value(
    m: &Mapping,
    def: Option<&super::target::AttributeDefinition>,
    value: &Value,
    failures: &mut Vec<Failure>,
) {
    let Some(def) = def else { return };
    let values = items(value);
    if !def.multivalued && values.len() > 1 {
        failures.push(Failure {
            code: codes::SINGLE_VALUE,
            documented: true,
            attribute: m.target.clone(),
            message: format!(
                "`{}` takes one value, but the mapping gives {}",
                m.target,
                values.len()
            ),
        });
    }
    if let Some(max) = def.max_length {
        if let Some(long) = values.iter().find(|v| utf16_len(v) > max) {
            failures.push(Failure {
                code: codes::TOO_LONG,
                documented: false,
                attribute: m.target.clone(),
                message: format!(
                    "`{}` is {} characters long, more than the {max} the app's schema allows (`{long}`)",
                    m.target,
                    utf16_len(long)
                ),
            });
        }
    }
}

#[cfg(test)]
#[path = "payload_tests.rs"]
mod tests;
