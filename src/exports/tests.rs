//! Tests of `scopesim exports`: the properties asked for are the rules' attributes after
//! the S3 mapping, and the commands written for the fixture rules give the fixture files.

use super::*;
use crate::regex::Anchoring;
use crate::schema::canonical_name;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn fx(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

fn rollout(app: Option<&str>) -> Exports {
    let rules = Rules::load(&fx("rollout.scope"), Anchoring::Partial).unwrap();
    exports(&rules, app).unwrap()
}

/// The column a `Select-Object` item writes.
fn column(item: &str) -> String {
    match item.strip_prefix("@{n='") {
        Some(rest) => rest.split('\'').next().unwrap_or("").to_string(),
        None => item.to_string(),
    }
}

/// The attribute a column or property is read as (S3), as the readers map it.
fn read_as(name: &str) -> String {
    canonical_name(name).unwrap_or(name).to_string()
}

#[test]
fn s3_the_property_list_equals_the_rules_attributes_after_s3_mapping() {
    let e = rollout(None);
    assert_eq!(
        e.rule_attributes,
        vec![
            "accountEnabled",
            "country",
            "department",
            "employeeType",
            "extensionAttribute1"
        ]
    );
    assert_eq!(
        e.graph_properties(),
        vec![
            "id",
            "userPrincipalName",
            "accountEnabled",
            "country",
            "department",
            "employeeType",
            "onPremisesExtensionAttributes"
        ]
    );
    // The CSV columns the PowerShell pipeline writes are read back as exactly the rules'
    // attributes plus identity.
    let columns: BTreeSet<String> = e
        .select_items()
        .iter()
        .map(|i| read_as(&column(i)))
        .collect();
    let mut want: BTreeSet<String> = e.rule_attributes.iter().cloned().collect();
    want.extend(["objectId".to_string(), "userPrincipalName".to_string()]);
    assert_eq!(columns, want);
    // `-Property` names the same properties as `$select`.
    let ps: Vec<String> = e
        .powershell_properties()
        .iter()
        .map(|p| p.to_lowercase())
        .collect();
    let graph: Vec<String> = e
        .graph_properties()
        .iter()
        .map(|p| p.to_lowercase())
        .collect();
    assert_eq!(ps, graph);
}

#[test]
fn s3_schema_names_map_to_graph_and_back() {
    for (schema, graph, select) in [
        ("mobile", "mobilePhone", "@{n='mobile';e={$_.MobilePhone}}"),
        (
            "physicalDeliveryOfficeName",
            "officeLocation",
            "@{n='physicalDeliveryOfficeName';e={$_.OfficeLocation}}",
        ),
        (
            "telephoneNumber",
            "businessPhones",
            "@{n='telephoneNumber';e={$_.BusinessPhones | Select-Object -First 1}}",
        ),
        (
            "extensionAttribute12",
            "onPremisesExtensionAttributes",
            "@{n='extensionAttribute12';e={$_.OnPremisesExtensionAttributes.ExtensionAttribute12}}",
        ),
        (
            "extension_5bfc8fdacfc943a9a6de214ea9d15fdb_wave",
            "extension_5bfc8fdacfc943a9a6de214ea9d15fdb_wave",
            "@{n='extension_5bfc8fdacfc943a9a6de214ea9d15fdb_wave';e={$_.AdditionalProperties['extension_5bfc8fdacfc943a9a6de214ea9d15fdb_wave']}}",
        ),
        ("objectId", "id", "@{n='objectId';e={$_.Id}}"),
        ("department", "department", "Department"),
    ] {
        let a = Attribute {
            name: schema.to_string(),
            source: source_of(schema),
        };
        assert_eq!(a.graph_property().as_deref(), Some(graph), "{schema}");
        assert_eq!(a.select_item().as_deref(), Some(select), "{schema}");
        // What the readers make of the written column is the schema name again.
        assert_eq!(read_as(&column(select)), schema);
    }
    assert_eq!(source_of("IsSoftDeleted"), Source::NotInGraph);
}

/// The `$select` list of a Graph page's `@odata.context`
/// (`...$metadata#users(id,userPrincipalName,...)`).
fn context_select(rel: &str) -> BTreeSet<String> {
    let page: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fx(rel)).unwrap()).unwrap();
    let ctx = page["@odata.context"].as_str().unwrap();
    let inner = ctx.split('(').nth(1).unwrap().trim_end_matches(')');
    inner.split(',').map(str::to_string).collect()
}

/// A CSV fixture's header, read as scopesim reads it.
fn header(rel: &str) -> BTreeSet<String> {
    let bytes = std::fs::read(fx(rel)).unwrap();
    let text = crate::text::decode_text(&bytes).unwrap();
    let line = text
        .lines()
        .find(|l| !l.starts_with("#TYPE") && !l.trim().is_empty())
        .unwrap();
    line.split([',', ';'])
        .map(|h| read_as(h.trim_matches(['"', '\u{feff}'])))
        .collect()
}

#[test]
fn the_commands_for_the_fixture_rules_give_the_fixture_files() {
    let e = rollout(None);
    // The Graph query asks for what the fixture pages were exported with.
    let selected: BTreeSet<String> = e.graph_properties().into_iter().collect();
    let fixture = context_select("graph/users-page1.json");
    assert!(
        selected.is_subset(&fixture),
        "{selected:?} not in {fixture:?}"
    );
    // The PowerShell pipeline writes columns that the PowerShell fixture has, read as the
    // same attributes (and the CSV fixture too).
    let columns: BTreeSet<String> = e
        .select_items()
        .iter()
        .map(|i| read_as(&column(i)))
        .collect();
    for rel in ["users-ps51.csv", "users.csv"] {
        let have = header(rel);
        assert!(
            columns.is_subset(&have),
            "{rel}: {columns:?} not in {have:?}"
        );
    }
    // And the portal's "Download users" lacks two of them: the README says so.
    let portal = header("exports/download-users.csv");
    let missing: Vec<&String> = columns.difference(&portal).collect();
    assert_eq!(missing, vec!["employeeType", "extensionAttribute1"]);
}

#[test]
fn one_app_and_the_sections_it_needs() {
    let e = rollout(Some("ServiceNow"));
    assert_eq!(
        e.rule_attributes,
        vec!["employeeType", "extensionAttribute1"]
    );
    let text = render(&e);
    assert!(
        text.contains("# Not needed: every app has `scope all`"),
        "{text}"
    );
    assert!(!text.contains("--assignments \"ServiceNow="));
    let all = render(&rollout(None));
    assert!(all.contains("--assignments \"Salesforce=assignments-salesforce.csv\""));
    assert!(all.contains(
        "Get-MgUser -All -Property Id,UserPrincipalName,AccountEnabled,Country,Department,EmployeeType,OnPremisesExtensionAttributes |"
    ));
    assert!(all.contains("synchronization/secrets"));
    let rules = Rules::load(&fx("rollout.scope"), Anchoring::Partial).unwrap();
    let errs = exports(&rules, Some("Workday")).unwrap_err();
    assert_eq!(errs[0].code, "unknown-app");
}
