//! Tests over `fixtures/exports/`: every export shape of `fixtures/README.md` reads into
//! the same users, assignments and members as its CSV twin, and the classic export
//! mistakes are told with their fix.

use super::assignments::*;
use super::hints::absent_attribute_help;
use super::read::{NoProgress, ReadOptions, read_directory};
use super::{ColumnSelection, Directory};
use crate::diag::{Diagnostic, Errors};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fx(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

fn read(rel: &str, columns: ColumnSelection) -> Result<Directory, Errors> {
    let opts = ReadOptions {
        columns,
        ..ReadOptions::default()
    };
    read_directory(&[fx(rel)], &opts, &NoProgress)
}

fn codes(ds: &[Diagnostic]) -> Vec<&str> {
    ds.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn download_users_reads_like_users_csv_without_employee_type_or_extension_attributes() {
    let portal = read("exports/download-users.csv", ColumnSelection::all()).unwrap();
    let twin = read("users.csv", ColumnSelection::all()).unwrap();
    assert_eq!(portal.len(), 12);
    assert!(
        portal.diagnostics().is_empty(),
        "{:?}",
        portal.diagnostics()
    );
    // Graph names in the portal's header are read as the schema's names (S3).
    for attr in [
        "objectId",
        "userPrincipalName",
        "displayName",
        "department",
        "country",
        "accountEnabled",
        "userType",
        "mobile",
        "physicalDeliveryOfficeName",
        "telephoneNumber",
        "streetAddress",
        "companyName",
    ] {
        for row in 0..12 {
            assert_eq!(
                portal.value_by_name(row, attr),
                twin.value_by_name(row, attr),
                "{attr} of user {row}"
            );
        }
    }
    // What the portal's download does not have, the main example's rules need.
    for absent in ["employeeType", "extensionAttribute1", "employeeId"] {
        assert!(!portal.available().contains_key(absent), "{absent}");
    }
    assert!(portal.available().contains_key("createdDateTime"));
}

/// Assignments as `(app, type, principal id)`, user principal names resolved to object
/// ids through the fixture tenant.
fn assignment_set(a: &Assignments) -> BTreeSet<(String, &'static str, String)> {
    let users = read("users.csv", ColumnSelection::all()).unwrap();
    let (upn, oid) = (
        users.column("userPrincipalName").unwrap(),
        users.column("objectId").unwrap(),
    );
    a.items
        .iter()
        .map(|x| {
            let id = (0..users.len())
                .find(|&r| users.value(r, upn) == Some(x.principal_id.as_str()))
                .and_then(|r| users.value(r, oid))
                .unwrap_or(&x.principal_id)
                .to_lowercase();
            (x.app.clone(), x.principal_type.as_str(), id)
        })
        .collect()
}

fn files(specs: &[&str]) -> Vec<AssignmentFile> {
    specs
        .iter()
        .map(|s| match s.split_once('=') {
            Some((app, rel)) => AssignmentFile {
                app: Some(app.to_string()),
                path: fx(rel),
            },
            None => AssignmentFile {
                app: None,
                path: fx(s),
            },
        })
        .collect()
}

#[test]
fn s24_graph_app_role_assignments_one_file_per_app_skip_service_principals_once() {
    let (graph, warnings) = read_assignment_files(&files(&[
        "exports/approleassignedto-salesforce.json",
        "exports/approleassignedto-servicenow.json",
    ]))
    .unwrap();
    let (twin, none) = read_assignment_files(&files(&["assignments.csv"])).unwrap();
    assert!(none.is_empty());
    assert_eq!(assignment_set(&graph), assignment_set(&twin));
    assert_eq!(graph.inputs.len(), 2);
    // One warning per file, counting the service principals skipped.
    assert_eq!(
        codes(&warnings),
        vec![
            "service-principal-assignments",
            "service-principal-assignments"
        ]
    );
    assert!(
        warnings[0].message.starts_with("1 assignment in `")
            && warnings[0]
                .message
                .ends_with("is to service principals, not users or groups: skipped"),
        "{}",
        warnings[0].message
    );
}

#[test]
fn s24_the_portal_users_and_groups_list_needs_its_app_named() {
    let errs =
        read_assignment_files(&files(&["exports/users-and-groups-salesforce.csv"])).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0]
            .message
            .ends_with("does not say which app its assignments are for")
    );
    assert!(errs[0].help.as_deref().unwrap().contains("Salesforce="));
    let (portal, _) = read_assignment_files(&files(&[
        "Salesforce=exports/users-and-groups-salesforce.csv",
    ]))
    .unwrap();
    let (twin, _) = read_assignment_files(&files(&["assignments.csv"])).unwrap();
    let salesforce: BTreeSet<_> = assignment_set(&twin)
        .into_iter()
        .filter(|(app, _, _)| app == "Salesforce")
        .collect();
    assert_eq!(assignment_set(&portal), salesforce);
    // APP= also renames what a Graph file calls the app.
    let (renamed, _) = read_assignment_files(&files(&[
        "Salesforce (EU)=exports/approleassignedto-salesforce.json",
    ]))
    .unwrap();
    assert!(renamed.items.iter().all(|a| a.app == "Salesforce (EU)"));
}

/// Direct members as `(group, kind, member)`.
fn member_set(gm: &GroupMembers) -> BTreeSet<(String, &'static str, String)> {
    gm.groups()
        .flat_map(|g| {
            gm.members(g)
                .into_iter()
                .map(move |m| (g.to_lowercase(), m.kind.as_str(), m.id.to_lowercase()))
        })
        .collect()
}

fn members(specs: &[&str]) -> Result<GroupMembers, Errors> {
    let files: Vec<MemberFile> = specs
        .iter()
        .map(|s| match s.split_once('=') {
            Some((g, rel)) => MemberFile {
                group: Some(g.to_string()),
                path: fx(rel),
            },
            None => MemberFile {
                group: None,
                path: fx(s),
            },
        })
        .collect();
    read_member_files(&files)
}

const ALL_SALES_IT: &str = "6c1d9b8e-52a1-4c55-9a0e-5a1e5a1e0001";
const IT_CONTRACTORS: &str = "6c1d9b8e-52a1-4c55-9a0e-5a1e5a1e0002";

#[test]
fn s24_graph_member_pages_read_like_the_csv_the_group_from_the_next_link_or_named() {
    let twin = members(&["group-members.csv"]).unwrap();
    let graph = members(&[
        "exports/members-all-sales-it.json",
        &format!("{IT_CONTRACTORS}=exports/members-it-contractors.json"),
    ])
    .unwrap();
    assert_eq!(member_set(&graph), member_set(&twin));
    // The device member is ignored, with one warning.
    assert_eq!(codes(graph.diagnostics()), vec!["member-not-user-or-group"]);
    // A single page without a next link does not name its group: one error.
    let errs = members(&["exports/members-it-contractors.json"]).unwrap_err();
    assert_eq!(codes(&errs), vec!["members-without-group"]);
    assert!(
        errs[0]
            .help
            .as_deref()
            .unwrap()
            .contains("--group-members <group id>=")
    );
}

#[test]
fn s24_get_mggroupmember_and_download_members_csv_read_with_the_group_named() {
    let twin = members(&["group-members.csv"]).unwrap();
    let want: BTreeSet<_> = member_set(&twin)
        .into_iter()
        .filter(|(g, _, _)| g == ALL_SALES_IT)
        .collect();
    let portal = members(&[&format!(
        "{ALL_SALES_IT}=exports/download-members-all-sales-it.csv"
    )])
    .unwrap();
    assert_eq!(member_set(&portal), want);
    assert!(portal.diagnostics().is_empty());
    // Get-MgGroupMember writes no member type: every member is taken as a user (so the
    // nested group is a user nobody has), with one warning saying so.
    let ps = members(&[&format!(
        "{ALL_SALES_IT}=exports/get-mggroupmember-all-sales-it.csv"
    )])
    .unwrap();
    let ids = |s: &BTreeSet<(String, &str, String)>| -> BTreeSet<String> {
        s.iter().map(|(_, _, m)| m.clone()).collect()
    };
    assert_eq!(ids(&member_set(&ps)), ids(&want));
    assert_eq!(codes(ps.diagnostics()), vec!["member-types-unknown"]);
    assert!(ps.diagnostics()[0].message.ends_with("11 taken as users"));
    assert_eq!(ps.inputs()[0].encoding.as_deref(), Some("utf-16le"));
    // Without the group: one error for the file, not one per row.
    let errs = members(&["exports/download-members-all-sales-it.csv"]).unwrap_err();
    assert_eq!(codes(&errs), vec!["members-without-group"]);
}

#[test]
fn a_wrong_file_gets_one_located_error_saying_what_it_looks_like() {
    let errs = read_assignment_files(&files(&["users.csv"])).unwrap_err();
    assert_eq!(codes(&errs), vec!["wrong-input-file"]);
    assert_eq!(errs[0].location.as_ref().unwrap().line, Some(1));
    assert!(
        errs[0]
            .help
            .as_deref()
            .unwrap()
            .starts_with("this looks like a user export")
    );
    for spec in ["users.csv", &format!("{ALL_SALES_IT}=users.csv")] {
        let errs = members(&[spec]).unwrap_err();
        assert_eq!(codes(&errs), vec!["wrong-input-file"], "{spec}");
        assert!(
            errs[0]
                .help
                .as_deref()
                .unwrap()
                .starts_with("this looks like a user export")
        );
    }
    let errs = members(&["assignments.csv"]).unwrap_err();
    assert_eq!(codes(&errs), vec!["wrong-input-file"]);
    assert!(
        errs[0]
            .help
            .as_deref()
            .unwrap()
            .starts_with("this looks like an assignments file")
    );
}

#[test]
fn s2_get_mguser_without_property_is_told_with_the_fix() {
    let rules_attrs = [
        "department",
        "accountEnabled",
        "country",
        "employeeType",
        "extensionAttribute1",
    ];
    let d = read(
        "exports/get-mguser-default.csv",
        ColumnSelection::only(rules_attrs),
    )
    .unwrap();
    assert_eq!(d.len(), 12);
    let w = d
        .diagnostics()
        .iter()
        .find(|w| w.code == "powershell-default-properties")
        .unwrap();
    for col in [
        "`AccountEnabled`",
        "`Country`",
        "`Department`",
        "`EmployeeType`",
    ] {
        assert!(w.message.contains(col), "{col}: {}", w.message);
    }
    assert!(w.help.as_deref().unwrap().contains("scopesim exports"));
    // The extension attributes are one column of type names: the absent-attribute help
    // says how to flatten them.
    let help = absent_attribute_help(&d, "extensionAttribute1").unwrap();
    assert!(
        help.contains("$_.OnPremisesExtensionAttributes.ExtensionAttribute1"),
        "{help}"
    );
    // With every column kept, the type names are listed too.
    let all = read("exports/get-mguser-default.csv", ColumnSelection::all()).unwrap();
    let w = all
        .diagnostics()
        .iter()
        .find(|w| w.code == "powershell-type-names")
        .unwrap();
    assert!(
        w.message.contains("`OnPremisesExtensionAttributes`"),
        "{}",
        w.message
    );
    // A Select-Object export (the fixture users-ps51.csv) is not mistaken for it.
    let fine = read("users-ps51.csv", ColumnSelection::all()).unwrap();
    assert!(fine.diagnostics().is_empty(), "{:?}", fine.diagnostics());
}

#[test]
fn s36_convert_to_json_at_default_depth_is_told_with_the_fix() {
    let d = read(
        "exports/users-convertto-json-depth2.json",
        ColumnSelection::all(),
    )
    .unwrap();
    assert_eq!(d.len(), 12);
    let props: Vec<&str> = d
        .diagnostics()
        .iter()
        .filter(|w| w.code == "powershell-type-names")
        .map(|w| w.message.split('`').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(
        props,
        vec![
            "businessPhones",
            "otherMails",
            "onPremisesExtensionAttributes"
        ]
    );
    assert!(
        d.diagnostics()[0]
            .help
            .as_deref()
            .unwrap()
            .contains("-Depth 10")
    );
    // The same users otherwise.
    let twin = read("graph/users-pages.json", ColumnSelection::all()).unwrap();
    for row in 0..12 {
        for attr in ["objectId", "department", "accountEnabled", "country"] {
            assert_eq!(d.value_by_name(row, attr), twin.value_by_name(row, attr));
        }
    }
}

#[test]
fn name_value_specs_split_only_when_the_path_is_not_a_file() {
    let existing = fx("assignments.csv");
    assert_eq!(AssignmentFile::parse(&existing).app, None);
    let f = AssignmentFile::parse(Path::new("Salesforce=fixtures/x.json"));
    assert_eq!(f.app.as_deref(), Some("Salesforce"));
    assert_eq!(f.path, PathBuf::from("fixtures/x.json"));
    let m = MemberFile::parse(Path::new("dir/a=b.csv"));
    assert_eq!(m.group, None);
}

#[test]
fn a_json_file_that_is_not_a_response_is_an_error_not_zero_users() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("null.json", "null\n"),
        ("number.json", "42"),
        ("string.txt", "\"users\""),
        ("value-string.json", "{\"value\":\"nobody\"}"),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        let errs = read_directory(&[p], &ReadOptions::default(), &NoProgress).unwrap_err();
        assert_eq!(codes(&errs), vec!["json-shape"], "{name}");
    }
}

#[test]
fn utf32_exports_are_refused_with_the_re_export_command() {
    let dir = tempfile::tempdir().unwrap();
    let mut le = vec![0xff, 0xfe, 0, 0];
    for c in "objectId,department\n1,IT\n".chars() {
        le.extend_from_slice(&(c as u32).to_le_bytes());
    }
    let p = dir.path().join("users.csv");
    std::fs::write(&p, &le).unwrap();
    let errs = read_directory(
        std::slice::from_ref(&p),
        &ReadOptions::default(),
        &NoProgress,
    )
    .unwrap_err();
    assert_eq!(codes(&errs), vec!["encoding"]);
    assert!(
        errs[0].message.contains("UTF-32 little-endian"),
        "{}",
        errs[0].message
    );
    // The small-file readers refuse it the same way.
    let errs = read_assignments(&p).unwrap_err();
    assert!(errs[0].message.contains("UTF-32"), "{}", errs[0].message);
}
