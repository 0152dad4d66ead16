//! Tests over `fixtures/`: the same 12 users in every export format read to the same
//! values, the bad inputs give the messages users see, and the assignment, group and
//! target-state files read as documented in `fixtures/README.md`.

use super::assignments::*;
use super::read::{NoProgress, ReadOptions, read_directory, read_directory_with};
use super::{ColumnKind, ColumnSelection, Directory, InputFormat};
use crate::diag::{Diagnostic, Errors, Severity};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn fx(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

fn read(rels: &[&str], opts: &ReadOptions) -> Result<Directory, Errors> {
    let paths: Vec<PathBuf> = rels.iter().map(|r| fx(r)).collect();
    read_directory(&paths, opts, &NoProgress)
}

fn all() -> ReadOptions {
    ReadOptions {
        columns: ColumnSelection::all(),
        ..ReadOptions::default()
    }
}

/// Every row as attribute -> value (non-null values only; lists joined with `; `).
fn table(d: &Directory) -> Vec<BTreeMap<String, String>> {
    (0..d.len())
        .map(|r| {
            d.record(r)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect()
        })
        .collect()
}

const CSV_COLUMNS: &[&str] = &[
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
    "alternateEmailAddress",
    "ageGroup",
    "companyName",
    "employeeId",
    "employeeType",
    "extensionAttribute1",
];

/// The value of `col` in every row, with Booleans lowercased (JSON has `true`, CSV `True`:
/// both read the same under S4).
fn column(rows: &[BTreeMap<String, String>], col: &str) -> Vec<Option<String>> {
    rows.iter()
        .map(|r| {
            r.get(col).map(|v| {
                if col == "accountEnabled" {
                    v.to_ascii_lowercase()
                } else {
                    v.clone()
                }
            })
        })
        .collect()
}

#[test]
fn every_format_reads_the_same_users() {
    let base = read(&["users.csv"], &all()).unwrap();
    assert_eq!(base.len(), 12);
    let want = table(&base);
    let variants: &[(&[&str], InputFormat, &[&str])] = &[
        (
            &["users-ps51.csv"],
            InputFormat::Csv,
            &["alternateEmailAddress"],
        ),
        (&["users-bom.csv"], InputFormat::Csv, &[]),
        (
            &["graph/users-page1.json", "graph/users-page2.json"],
            InputFormat::GraphJson,
            &["alternateEmailAddress"],
        ),
        (
            &["graph/users-pages.json"],
            InputFormat::GraphJson,
            &["alternateEmailAddress"],
        ),
        (
            &["users.ndjson"],
            InputFormat::Ndjson,
            &["alternateEmailAddress"],
        ),
    ];
    for (files, format, missing) in variants {
        for block in [7, 64, 1 << 20] {
            let paths: Vec<PathBuf> = files.iter().map(|r| fx(r)).collect();
            let d = read_directory_with(&paths, &all(), &NoProgress, block).unwrap();
            let got = table(&d);
            assert_eq!(got.len(), 12, "{files:?}");
            assert_eq!(d.inputs()[0].format, *format, "{files:?}");
            for col in CSV_COLUMNS {
                if missing.contains(col) {
                    assert!(!d.available().contains_key(*col), "{files:?} {col}");
                    continue;
                }
                assert!(d.available().contains_key(*col), "{files:?} lacks {col}");
                assert_eq!(
                    column(&got, col),
                    column(&want, col),
                    "{files:?} column {col}"
                );
            }
            assert!(
                d.diagnostics().is_empty(),
                "{files:?}: {:?}",
                d.diagnostics()
            );
        }
    }
}

#[test]
fn input_info_records_encoding_delimiter_and_hash() {
    let d = read(&["users-ps51.csv", "users-bom.csv", "users.csv"], &all()).unwrap();
    assert_eq!(d.len(), 36);
    let info: Vec<_> = d
        .inputs()
        .iter()
        .map(|i| (i.encoding.clone().unwrap(), i.delimiter.unwrap(), i.records))
        .collect();
    assert_eq!(
        info,
        vec![
            ("utf-16le".to_string(), ',', 12),
            ("utf-8-bom".to_string(), ';', 12),
            ("utf-8".to_string(), ',', 12)
        ]
    );
    let bytes = std::fs::read(fx("users.csv")).unwrap();
    use sha2::Digest;
    let want = crate::text::hex(&sha2::Sha256::digest(&bytes));
    assert_eq!(d.inputs()[2].sha256, want);
    assert_eq!(d.inputs()[2].bytes, bytes.len() as u64);
}

#[test]
fn s3_graph_and_powershell_names_are_mapped() {
    let d = read(&["users-ps51.csv"], &all()).unwrap();
    let c = d.column("objectId").unwrap();
    assert_eq!(d.columns()[c].original, vec!["Id".to_string()]);
    let office = d.column("physicalDeliveryOfficeName").unwrap();
    assert_eq!(
        d.columns()[office].original,
        vec!["OfficeLocation".to_string()]
    );
    assert!(d.column("mobile").is_some());
    let j = read(&["users.ndjson"], &all()).unwrap();
    assert_eq!(
        j.value_by_name(0, "telephoneNumber"),
        Some("+49 30 1234 100")
    );
    let phones = j.column("businessPhones").unwrap();
    assert_eq!(j.columns()[phones].kind, ColumnKind::List);
    assert_eq!(j.value_by_name(0, "extensionAttribute1"), Some("150"));
    assert_eq!(j.value_by_name(3, "extensionAttribute1"), Some("007"));
}

#[test]
fn s1_null_absent_and_empty_and_s2_absent_attributes() {
    for files in [&["users.csv"][..], &["users.ndjson"][..]] {
        let d = read(files, &all()).unwrap();
        // Ben's accountEnabled: empty in CSV, null in JSON.
        assert_eq!(d.value_by_name(1, "accountEnabled"), None);
        // Hugo's country: "" in CSV, null in JSON.
        assert_eq!(d.value_by_name(7, "country"), None);
        assert!(d.available().contains_key("country"));
        // S2: never exported.
        assert!(!d.available().contains_key("preferredLanguage"));
        assert!(d.column("preferredLanguage").is_none());
    }
    // Two inputs with different columns: the missing one is null (absent) for the other.
    let d = read(&["users.csv", "users.ndjson"], &all()).unwrap();
    let alt = d.column("alternateEmailAddress").unwrap();
    assert_eq!(d.value(2, alt), Some("carla@example.org"));
    assert_eq!(d.value(14, alt), None);
    assert_eq!(
        d.value_by_name(14, "userPrincipalName"),
        Some("carla.weber@contoso.com")
    );
}

#[test]
fn only_selected_columns_are_kept() {
    let opts = ReadOptions {
        columns: ColumnSelection::only(["department", "country"]),
        ..ReadOptions::default()
    };
    let d = read(&["users.csv"], &opts).unwrap();
    let mut names: Vec<_> = d.columns().iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        vec![
            "accountEnabled",
            "country",
            "department",
            "objectId",
            "userPrincipalName"
        ]
    );
    assert_eq!(d.available().len(), CSV_COLUMNS.len());
}

#[test]
fn whitespace_is_kept_and_booleans_stay_text() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("w.csv");
    std::fs::write(&p, "department,accountEnabled\n  ,TRUE\n IT ,true\n").unwrap();
    let d = read_directory(&[p], &all(), &NoProgress).unwrap();
    assert_eq!(d.value_by_name(0, "department"), Some("  "));
    assert_eq!(d.value_by_name(1, "department"), Some(" IT "));
    assert_eq!(d.value_by_name(0, "accountEnabled"), Some("TRUE"));
}

fn one_error(rel: &str) -> Diagnostic {
    let errs = read(&[rel], &all()).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    let e = errs.into_iter().next().unwrap();
    assert_eq!(e.severity, Severity::Error);
    assert!(e.help.is_some());
    let loc = e.location.clone().unwrap();
    assert!(loc.path.ends_with(rel), "{}", loc.path);
    e
}

fn at(e: &Diagnostic) -> (Option<u64>, Option<u64>, Option<u64>) {
    let l = e.location.as_ref().unwrap();
    (l.line, l.column, l.record)
}

#[test]
fn bad_inputs_say_what_and_where() {
    let e = one_error("bad/too-many-fields.csv");
    assert_eq!(e.code, "csv-too-many-fields");
    assert_eq!(
        e.message,
        "row has 7 fields but the header has 6; field 7 has no header"
    );
    // The column is the first field without a header (a character column).
    assert_eq!(at(&e), (Some(3), Some(108), Some(2)));

    let e = one_error("bad/unterminated-quote.csv");
    assert_eq!(e.code, "csv-unterminated-quote");
    assert!(
        e.message
            .starts_with("unterminated quote in field 2 (`displayName`)"),
        "{}",
        e.message
    );
    assert_eq!(at(&e), (Some(3), Some(25), Some(2)));

    let e = one_error("bad/invalid-utf8.csv");
    assert_eq!(e.code, "encoding");
    assert!(
        e.message
            .contains("bad/invalid-utf8.csv` is not valid UTF-8"),
        "{}",
        e.message
    );
    assert_eq!(at(&e), (Some(3), Some(30), None));
    assert!(e.help.as_ref().unwrap().contains("-Encoding UTF8"));

    let e = one_error("bad/syntax-error.json");
    assert_eq!(e.code, "json-syntax");
    assert!(
        e.message.starts_with("JSON syntax error in `"),
        "{}",
        e.message
    );
    let (line, col, record) = at(&e);
    assert_eq!((line, record), (Some(8), Some(1)));
    assert!(col.is_some());

    let e = one_error("bad/duplicate-headers.csv");
    assert_eq!(e.code, "csv-duplicate-column");
    assert!(
        e.message
            .starts_with("columns 1 (`Id`) and 3 (`objectId`) of `"),
        "{}",
        e.message
    );
    assert!(
        e.message
            .ends_with("bad/duplicate-headers.csv` both hold attribute `objectId`")
    );
    assert_eq!(at(&e), (Some(1), Some(22), None));

    let errs = read_assignments(&fx("bad/bad-principal-type.csv")).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].code, "bad-principal-type");
    assert_eq!(
        errs[0].message,
        "principal type `Guest` is neither `User` nor `Group`"
    );
    assert_eq!(at(&errs[0]), (Some(3), Some(12), None));
    assert!(
        errs[0]
            .location
            .as_ref()
            .unwrap()
            .path
            .ends_with("bad-principal-type.csv")
    );
}

#[test]
fn all_inputs_are_read_and_all_errors_returned() {
    let errs = read(
        &[
            "bad/too-many-fields.csv",
            "users.csv",
            "bad/duplicate-headers.csv",
        ],
        &all(),
    )
    .unwrap_err();
    let codes: Vec<_> = errs.iter().map(|e| e.code).collect();
    assert_eq!(codes, vec!["csv-too-many-fields", "csv-duplicate-column"]);
}

#[test]
fn skip_bad_rows_counts_and_warns() {
    let opts = ReadOptions {
        skip_bad_rows: true,
        ..all()
    };
    let d = read(&["bad/too-many-fields.csv"], &opts).unwrap();
    assert_eq!(d.len(), 2);
    assert_eq!(d.inputs()[0].skipped, 1);
    assert_eq!(d.inputs()[0].records, 2);
    let w = &d.diagnostics()[0];
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.code, "csv-skipped-rows");
    assert!(
        w.message.contains("skipped 1 malformed row in `"),
        "{}",
        w.message
    );
    assert!(
        w.message.contains("line 3: row has 7 fields"),
        "{}",
        w.message
    );
    assert_eq!(w.location.as_ref().unwrap().line, Some(3));
}

#[test]
fn bare_quotes_fall_back_to_exact_cutting_at_any_block_size() {
    // The bare quote in line 3 breaks quote parity; the quoted newline after it must still
    // be read right, wherever blocks are cut.
    let text = "a,b\n1,\"x\ny\"\n2,5\"6\n3,\"p\nq\"\n4,ok\n";
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("q.csv");
    std::fs::write(&p, text).unwrap();
    let opts = ReadOptions {
        skip_bad_rows: true,
        ..all()
    };
    for block in 1..text.len() + 2 {
        let d = read_directory_with(std::slice::from_ref(&p), &opts, &NoProgress, block).unwrap();
        let rows: Vec<_> = (0..d.len())
            .map(|r| d.value(r, 1).unwrap_or("").to_string())
            .collect();
        assert_eq!(rows, vec!["x\ny", "p\nq", "ok"], "block {block}");
        assert_eq!(d.inputs()[0].skipped, 1);
        assert!(
            d.diagnostics()[0]
                .message
                .contains("line 4: quote inside unquoted field 2 (`b`)")
        );
    }
}

#[test]
fn a_cut_short_graph_export_is_warned_about() {
    let d = read(&["graph/users-page1.json"], &all()).unwrap();
    assert_eq!(d.len(), 6);
    assert_eq!(d.diagnostics()[0].code, "graph-next-link");
}

#[test]
fn assignments_by_upn_and_object_id() {
    let a = read_assignments(&fx("assignments.csv")).unwrap();
    let sf: Vec<_> = a
        .items
        .iter()
        .filter(|x| x.app == "Salesforce")
        .map(|x| (x.principal_type, x.principal_id.as_str(), x.line))
        .collect();
    assert_eq!(
        sf,
        vec![
            (
                PrincipalType::Group,
                "6c1d9b8e-52a1-4c55-9a0e-5a1e5a1e0001",
                2
            ),
            (
                PrincipalType::User,
                "146de049-11a3-55e3-9983-6960ccc58899",
                3
            ),
            (PrincipalType::User, "frank.miller@contoso.com", 4),
        ]
    );
    assert_eq!(a.inputs[0].format, InputFormat::Csv);
    let g = read_assignments(&fx("assignments-graph.json")).unwrap();
    assert_eq!(g.items.len(), 4);
    assert_eq!(g.inputs[0].format, InputFormat::GraphJson);
    // Graph gives objectIds only: Frank by id instead of by UPN, otherwise the same.
    for (x, y) in a.items.iter().zip(&g.items) {
        assert_eq!((&x.app, x.principal_type), (&y.app, y.principal_type));
        if x.principal_id != "frank.miller@contoso.com" {
            assert_eq!(x.principal_id, y.principal_id);
        }
    }
    assert_eq!(
        g.items[2].principal_id,
        "4c922ce8-85e8-5ec4-83a0-8af4f8513afc"
    );
}

#[test]
fn group_nesting_and_names() {
    let gm = read_group_members(&[fx("group-members.csv"), fx("groups.csv")]).unwrap();
    assert_eq!(gm.len(), 2);
    let all_group = "6c1d9b8e-52a1-4c55-9a0e-5a1e5a1e0001";
    let nested = "6c1d9b8e-52a1-4c55-9a0e-5a1e5a1e0002";
    let members = gm.members(all_group);
    assert_eq!(members.len(), 11);
    assert_eq!(
        members
            .iter()
            .filter(|m| m.kind == PrincipalType::Group)
            .count(),
        1
    );
    assert!(
        members
            .iter()
            .any(|m| m.id == nested && m.kind == PrincipalType::Group)
    );
    let kim = "d5cdd2bc-bdd0-5218-a3f4-d45043a76967";
    assert!(!members.iter().any(|m| m.id == kim));
    assert_eq!(gm.groups_of(kim), &[nested.to_string()]);
    assert_eq!(gm.display_name(all_group), Some("All Sales+IT"));
    assert_eq!(gm.display_name(nested), Some("IT Contractors"));
    assert_eq!(gm.inputs().len(), 2);
}

#[test]
fn target_state_lists_existing_accounts() {
    let t = read_target_state(
        "Salesforce",
        &fx("target-state/salesforce.csv"),
        Some("userPrincipalName"),
    )
    .unwrap();
    assert_eq!(t.accounts.len(), 4);
    assert_eq!(t.accounts[3].key, "old.leaver@contoso.com");
    assert_eq!(t.accounts[0].active, Some(true));
    let d = read(&["users.csv"], &all()).unwrap();
    let upn = d.column("userPrincipalName").unwrap();
    let known: Vec<bool> = t
        .accounts
        .iter()
        .map(|a| (0..d.len()).any(|r| d.value(r, upn) == Some(a.key.as_str())))
        .collect();
    assert_eq!(known, vec![true, true, true, false]);
}
