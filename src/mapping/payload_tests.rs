//! The flow rules of S40 on mappings shaped like Graph's own examples (GD-OM's Salesforce
//! mapping, ED-SCIM's default SCIM mappings).

use super::*;
use crate::mapping::MapValues;
use crate::mapping::target::{Current, CurrentValues, Definitions, NoAccount};
use crate::rules::json_tree::parse_json;
use crate::source::Sources;
use std::collections::HashMap;

/// An app from `attributeMappings` JSON (and, optionally, target `attributes`).
fn app(mappings: &str, attributes: &str) -> AppMappings {
    let text = format!(r#"{{"attributeMappings": {mappings}}}"#);
    let mut s = Sources::new();
    let id = s.add("schema.json", None, text.clone());
    let j = parse_json(&text, id).unwrap();
    let m = crate::mapping::read_mappings(&j, &mut s, id).unwrap();
    let defs_text = format!(r#"{{"attributes": {attributes}}}"#);
    let d = parse_json(&defs_text, id).unwrap();
    AppMappings::new(m, Definitions::read(&d))
}

/// One mapping; its source tree is written by the JSON writer from the expression text.
fn attr(target: &str, source: &str, extra: &str) -> String {
    let expr = crate::mapping::parse_text(source).unwrap();
    let tree = crate::mapping::json::to_json(&expr).unwrap();
    format!(r#"{{"targetAttributeName": "{target}", "source": {tree}{extra}}}"#)
}

struct Account(HashMap<&'static str, &'static str>);

impl CurrentValues for Account {
    fn current(&self, target: &str) -> Current {
        match self.0.get(target) {
            Some(&"") => Current::Null,
            Some(v) => Current::Str((*v).to_string()),
            None => Current::Unknown,
        }
    }
}

fn run(app: &AppMappings, user: &MapValues, op: Op, current: &dyn CurrentValues) -> Payload {
    let evals = app.evaluate(user, false, &Context::default());
    flow(app, &evals, op, current)
}

fn anna() -> MapValues {
    MapValues::new()
        .with("userPrincipalName", "anna.schmidt@contoso.com")
        .with("mail", "anna.schmidt@contoso.com")
        .with("givenName", "Anna")
        .with("surname", "Schmidt")
        .with("department", "IT")
}

#[test]
fn s40_object_add_only_flows_on_create_only() {
    let a = app(
        &format!(
            "[{}, {}]",
            attr(
                "Username",
                "[userPrincipalName]",
                r#", "flowType": "ObjectAddOnly""#
            ),
            attr("Email", "[mail]", "")
        ),
        "[]",
    );
    let create = run(&a, &anna(), Op::Create, &NoAccount);
    assert!(create.value("Username").is_some());
    let update = run(&a, &anna(), Op::Update, &NoAccount);
    assert_eq!(
        update.value("Username"),
        None,
        "ObjectAddOnly does not flow on update"
    );
    assert!(update.value("Email").is_some());
}

#[test]
fn s40_default_value_on_create_only() {
    // GD-OM: LastName <- [surname] with default "."; EmailEncodingKey has no source.
    let a = app(
        &format!(
            r#"[{}, {{"targetAttributeName": "EmailEncodingKey", "source": null, "defaultValue": "ISO-8859-1"}}]"#,
            attr("LastName", "[surname]", r#", "defaultValue": ".""#)
        ),
        "[]",
    );
    let nameless = MapValues::new().with("userPrincipalName", "x@contoso.com");
    let create = run(&a, &nameless, Op::Create, &NoAccount);
    assert_eq!(create.value("LastName"), Some(&Value::str(".")));
    assert_eq!(
        create.value("EmailEncodingKey"),
        Some(&Value::str("ISO-8859-1"))
    );
    assert!(create.attributes.iter().all(|s| s.default));
    // Update: the default of an expression mapping never flows.
    let acc = Account(HashMap::from([
        ("LastName", "Old"),
        ("EmailEncodingKey", "UTF-8"),
    ]));
    let update = run(&a, &nameless, Op::Update, &acc);
    assert_eq!(update.value("LastName"), None);
    assert_eq!(
        update.value("EmailEncodingKey"),
        None,
        "None mapping: left unmodified"
    );
    assert_eq!(update.state, ChangeState::NoChange);
    // ... but a None mapping fills an empty target with its default (ED-ATTR).
    let empty = Account(HashMap::from([
        ("LastName", "Old"),
        ("EmailEncodingKey", ""),
    ]));
    let update = run(&a, &nameless, Op::Update, &empty);
    assert_eq!(
        update.value("EmailEncodingKey"),
        Some(&Value::str("ISO-8859-1"))
    );
    assert_eq!(update.state, ChangeState::WouldChange);
}

#[test]
fn s40_null_does_not_flow_and_does_not_clear_on_update() {
    let a = app(
        &format!("[{}]", attr("Department", "[department]", "")),
        "[]",
    );
    let user = MapValues::new().with("userPrincipalName", "x@contoso.com");
    let create = run(&a, &user, Op::Create, &NoAccount);
    assert!(create.attributes.is_empty(), "NULL is never provisioned");
    let acc = Account(HashMap::from([("Department", "Sales")]));
    let update = run(&a, &user, Op::Update, &acc);
    assert!(update.attributes.is_empty());
    assert_eq!(update.state, ChangeState::NoChange, "ED-NULL: not cleared");
    assert!(update.notes.iter().any(|n| n.contains("does not clear")));
}

#[test]
fn s40_is_soft_deleted_is_given_by_the_caller() {
    // ED-SCIM default: active <- Switch([IsSoftDeleted], , "False", "True", "True", "False")
    let a = app(
        &format!(
            "[{}]",
            attr(
                "active",
                r#"Switch([IsSoftDeleted], , "False", "True", "True", "False")"#,
                ""
            )
        ),
        "[]",
    );
    // An IsSoftDeleted column in the export does not decide: the rollout does.
    let user = anna().with("IsSoftDeleted", "True");
    let live = a.evaluate(&user, false, &Context::default());
    assert_eq!(live[0].as_ref().unwrap().value, Value::str("True"));
    let gone = a.evaluate_soft_deleted(&user, true, &Context::default(), &live);
    assert_eq!(gone[0].as_ref().unwrap().value, Value::str("False"));
}

#[test]
fn s40_ignore_flow_if_null_or_empty_drops_the_attribute_and_its_default() {
    let a = app(
        &format!(
            "[{}]",
            attr(
                "title",
                "IgnoreFlowIfNullOrEmpty([jobTitle])",
                r#", "defaultValue": "Employee""#
            )
        ),
        "[]",
    );
    let p = run(&a, &anna().with("jobTitle", ""), Op::Create, &NoAccount);
    assert!(p.attributes.is_empty());
}

#[test]
fn s40_attribute_add_only_flows_while_the_target_is_empty() {
    let a = app(
        &format!(
            "[{}]",
            attr("Email", "[mail]", r#", "flowType": "AttributeAddOnly""#)
        ),
        "[]",
    );
    let full = Account(HashMap::from([("Email", "old@contoso.com")]));
    assert!(run(&a, &anna(), Op::Update, &full).attributes.is_empty());
    let empty = Account(HashMap::from([("Email", "")]));
    assert!(
        run(&a, &anna(), Op::Update, &empty)
            .value("Email")
            .is_some()
    );
    let p = run(&a, &anna(), Op::Update, &NoAccount);
    assert_eq!(p.state, ChangeState::Unknown);
}

#[test]
fn update_split_would_change_lists_old_and_new_and_no_change_is_redundant_export() {
    let a = app(
        &format!(
            "[{}, {}, {}]",
            attr(
                "userName",
                "[userPrincipalName]",
                r#", "matchingPriority": 1"#
            ),
            attr("name.givenName", "[givenName]", ""),
            attr(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                "[department]",
                ""
            )
        ),
        "[]",
    );
    let same = Account(HashMap::from([
        ("userName", "ANNA.SCHMIDT@contoso.com"),
        ("name.givenName", "Anna"),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
            "IT",
        ),
    ]));
    let p = run(&a, &anna(), Op::Update, &same);
    assert_eq!(
        p.state,
        ChangeState::NoChange,
        "case differences are no change"
    );
    let moved = Account(HashMap::from([
        ("userName", "anna.schmidt@contoso.com"),
        ("name.givenName", "Anna"),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
            "Sales",
        ),
    ]));
    let p = run(&a, &anna(), Op::Update, &moved);
    assert_eq!(p.state, ChangeState::WouldChange);
    assert_eq!(p.changes.len(), 1);
    assert_eq!(p.changes[0].old, Current::Str("Sales".into()));
    assert_eq!(p.changes[0].new, Value::str("IT"));
}

#[test]
fn a_case_exact_target_changes_on_a_change_of_case() {
    let a = app(
        &format!("[{}]", attr("Email", "[mail]", "")),
        r#"[{"name": "Email", "caseExact": true}]"#,
    );
    let acc = Account(HashMap::from([("Email", "ANNA.SCHMIDT@contoso.com")]));
    assert_eq!(
        run(&a, &anna(), Op::Update, &acc).state,
        ChangeState::WouldChange
    );
}

#[test]
fn switch_null_bug_is_a_note_when_another_attribute_changes() {
    let a = app(
        &format!(
            "[{}, {}]",
            attr("displayName", "[displayName]", ""),
            attr(
                "companyName",
                r#"Switch([companyName], "External", "Company A", "A", "Company B", "B")"#,
                ""
            )
        ),
        "[]",
    );
    let user = MapValues::new()
        .with("displayName", "Anna S.")
        .with("companyName", "Company A");
    let acc = Account(HashMap::from([
        ("displayName", "Anna"),
        ("companyName", "A"),
    ]));
    let p = run(&a, &user, Op::Update, &acc);
    assert_eq!(p.state, ChangeState::WouldChange);
    assert_eq!(p.switch_null, vec!["companyName".to_string()]);
    assert!(p.notes.iter().any(|n| n.contains("clears `companyName`")));
}

#[test]
fn failures_carry_entra_error_codes() {
    let a = app(
        &format!(
            "[{}, {}, {}, {}]",
            attr("LastName", "[surname]", ""),
            attr("Alias", "Mid([mailNickname], 1, 12)", ""),
            attr("Country", r#"IIF([country]="USA", "US", "Other")"#, ""),
            attr("Phone", "[otherMails]", "")
        ),
        r#"[{"name": "LastName", "required": true},
            {"name": "Alias", "metadata": [{"key": "MaximumLength", "value": "8"}]},
            {"name": "Phone", "multivalued": false}]"#,
    );
    let user = MapValues::new()
        .with("mailNickname", "annaschmidt01")
        .with_list("otherMails", &["a@x", "b@x"]);
    let p = run(&a, &user, Op::Create, &NoAccount);
    let codes: Vec<&str> = p.failures.iter().map(|f| f.code).collect();
    assert!(codes.contains(&"MandatoryFieldsMissing"), "{codes:?}");
    assert!(codes.contains(&"ValueTooLong"), "{codes:?}");
    assert!(codes.contains(&"ExpressionEvaluationFailed"), "{codes:?}");
    assert!(
        codes.contains(&"SchemaPropertyCanOnlyAcceptValue"),
        "{codes:?}"
    );
    let iif = p
        .failures
        .iter()
        .find(|f| f.attribute == "Country")
        .unwrap();
    assert!(iif.message.contains("IIF"), "{}", iif.message);
    // On update a required NULL is no failure: the account keeps its value.
    let p = run(&a, &MapValues::new(), Op::Update, &NoAccount);
    assert!(
        !p.failures
            .iter()
            .any(|f| f.code == "MandatoryFieldsMissing")
    );
}
