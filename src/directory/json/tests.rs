//! Tests of the Graph JSON and NDJSON reader.

use super::*;
use crate::directory::Directory;
use crate::directory::input::NoProgress;

fn read_mode(texts: &[&str], cols: &ColumnSelection, lines: bool) -> Result<Directory, Errors> {
    let mut b = Directory::builder();
    let mut st = JsonState::default();
    for (i, t) in texts.iter().enumerate() {
        read_json(
            || Ok(t.as_bytes()),
            &format!("p{}.json", i + 1),
            cols,
            &mut b,
            &NoProgress,
            &mut st,
            lines,
        )?;
    }
    b.extend_diagnostics(st.finish());
    Ok(b.build())
}

/// Reads both ways (line blocks with the stream fallback, and one stream), checks
/// that they agree, and returns the result.
fn read(texts: &[&str], cols: &ColumnSelection) -> Result<Directory, Errors> {
    let stream = read_mode(texts, cols, false);
    let lines = read_mode(texts, cols, true);
    match (&stream, &lines) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.len(), b.len());
            for r in 0..a.len() {
                assert_eq!(a.record(r), b.record(r), "row {r}");
            }
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("the two ways disagree: {stream:?} / {lines:?}"),
    }
    lines
}

#[test]
fn values_spanning_line_blocks_are_read_as_a_stream() {
    // A pretty-printed page mistaken for NDJSON, longer than one block of lines.
    let mut text = String::from("{\n\"value\": [\n");
    let n = LINES_BLOCK / 20 + 10;
    for i in 0..n {
        text.push_str(&format!(
            "{{\"id\": \"{i}\"}}{}\n",
            if i + 1 < n { "," } else { "" }
        ));
    }
    text.push_str("]}\n");
    let d = read(&[&text], &ColumnSelection::all()).unwrap();
    assert_eq!(d.len(), n);
    assert_eq!(d.inputs()[0].format, InputFormat::GraphJson);
}

#[test]
fn ndjson_errors_count_lines_across_blocks() {
    let mut text = String::new();
    let n = LINES_BLOCK / 12 + 5;
    for i in 0..n {
        text.push_str(&format!("{{\"id\":\"{i}\"}}\n"));
    }
    text.push_str("{\"id\":}\n");
    let errs = read(&[&text], &ColumnSelection::all()).unwrap_err();
    let l = errs[0].location.as_ref().unwrap();
    assert_eq!((l.line, l.record), (Some(n as u64 + 1), Some(n as u64 + 1)));
}

fn val<'a>(d: &'a Directory, row: usize, name: &str) -> Option<&'a str> {
    d.value_by_name(row, name)
}

#[test]
fn page_is_flattened_and_mapped() {
    let d = read(
        &[
            r#"{"@odata.context":"x","@odata.nextLink":"https://next","value":[
          {"id":"1","mobilePhone":"+1","officeLocation":"B1","accountEnabled":true,
           "businessPhones":["+49 1","+49 2"],"otherMails":[],"department":null,"city":"",
           "onPremisesExtensionAttributes":{"extensionAttribute1":"150","extensionAttribute2":null},
           "employeeOrgData":{"division":"X","costCenter":7},
           "extension_5bfc8fdacfc943a9a6de214ea9d15fdb_wave":"2","age":1.5},
          {"id":"2","businessPhones":[]}]}"#,
        ],
        &ColumnSelection::all(),
    )
    .unwrap();
    assert_eq!(d.len(), 2);
    assert_eq!(val(&d, 0, "objectId"), Some("1"));
    assert_eq!(val(&d, 0, "mobile"), Some("+1"));
    assert_eq!(val(&d, 0, "physicalDeliveryOfficeName"), Some("B1"));
    assert_eq!(val(&d, 0, "accountEnabled"), Some("True"));
    assert_eq!(val(&d, 0, "telephoneNumber"), Some("+49 1"));
    assert_eq!(val(&d, 1, "telephoneNumber"), None);
    assert_eq!(val(&d, 0, "extensionAttribute1"), Some("150"));
    assert_eq!(val(&d, 0, "employeeOrgData.costCenter"), Some("7"));
    assert_eq!(
        val(&d, 0, "extension_5bfc8fdacfc943a9a6de214ea9d15fdb_wave"),
        Some("2")
    );
    assert_eq!(val(&d, 0, "age"), Some("1.5"));
    let phones = d.column("businessPhones").unwrap();
    assert_eq!(d.list(0, phones), vec!["+49 1", "+49 2"]);
    assert_eq!(d.columns()[phones].kind, ColumnKind::List);
    // S1: null and "" are null; S2: present-but-null attributes are available.
    assert_eq!(val(&d, 0, "department"), None);
    assert_eq!(val(&d, 0, "city"), None);
    assert!(d.available().contains_key("department"));
    assert!(d.available().contains_key("extensionAttribute2"));
    assert_eq!(d.available().get("otherMails"), Some(&ColumnKind::List));
    assert!(!d.available().contains_key("jobTitle"));
    // The last page points further: warned.
    assert_eq!(d.diagnostics()[0].code, "graph-next-link");
}

#[test]
fn ndjson_array_of_users_and_array_of_pages() {
    let cols = ColumnSelection::all();
    let nd = read(
        &["{\"id\":\"1\"}\n\n{\"id\":\"2\",\"city\":\"Bonn\"}\n"],
        &cols,
    )
    .unwrap();
    assert_eq!(nd.inputs()[0].format, InputFormat::Ndjson);
    assert_eq!(val(&nd, 1, "city"), Some("Bonn"));
    assert_eq!(val(&nd, 0, "city"), None);
    let arr = read(&[r#"[{"id":"1"},{"id":"2","city":"Bonn"}]"#], &cols).unwrap();
    assert_eq!(arr.len(), 2);
    let pages = read(
        &[r#"[{"value":[{"id":"1"}],"@odata.nextLink":"n"},{"value":[{"id":"2"}]}]"#],
        &cols,
    )
    .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(val(&pages, 1, "objectId"), Some("2"));
    assert!(pages.diagnostics().is_empty());
}

#[test]
fn utf16_json_is_decoded_and_bad_surrogates_warned() {
    let mut bytes = vec![0xff, 0xfe];
    for u in "[{\"id\":\"J\u{f6}rg\"},{\"id\":\"x".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    bytes.extend_from_slice(&0xd800u16.to_le_bytes());
    for u in "\"}]".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    let mut b = Directory::builder();
    read_json(
        || Ok(&bytes[..]),
        "u.json",
        &ColumnSelection::all(),
        &mut b,
        &NoProgress,
        &mut JsonState::default(),
        false,
    )
    .unwrap();
    let d = b.build();
    assert_eq!(val(&d, 0, "objectId"), Some("J\u{f6}rg"));
    assert_eq!(val(&d, 1, "objectId"), Some("x\u{fffd}"));
    assert_eq!(d.inputs()[0].encoding.as_deref(), Some("utf-16le"));
    assert_eq!(d.diagnostics()[0].code, "encoding");
}

#[test]
fn row_groups_are_split_and_columns_appear_late() {
    let mut text = String::new();
    for i in 0..(ROW_GROUP + 10) {
        if i == ROW_GROUP + 5 {
            text.push_str(&format!("{{\"id\":\"{i}\",\"late\":\"x\"}}\n"));
        } else {
            text.push_str(&format!("{{\"id\":\"{i}\"}}\n"));
        }
    }
    let d = read(&[&text], &ColumnSelection::all()).unwrap();
    assert_eq!(d.len(), ROW_GROUP + 10);
    assert_eq!(d.chunk_slice().len(), 2);
    assert_eq!(val(&d, ROW_GROUP + 5, "late"), Some("x"));
    assert_eq!(val(&d, ROW_GROUP + 4, "late"), None);
    assert_eq!(val(&d, 3, "late"), None);
    assert_eq!(
        val(&d, ROW_GROUP + 9, "objectId"),
        Some(&*format!("{}", ROW_GROUP + 9))
    );
}

#[test]
fn syntax_error_has_line_column_and_record() {
    let errs = read(
        &["{\"value\":[\n{\"id\":\"1\"},\n{\"id\":\"2\",,}\n]}"],
        &ColumnSelection::all(),
    )
    .unwrap_err();
    let l = errs[0].location.as_ref().unwrap();
    assert_eq!(errs[0].code, "json-syntax");
    assert_eq!((l.line, l.record), (Some(3), Some(2)));
    assert!(l.column.is_some());
}

#[test]
fn a_user_that_is_not_an_object_is_an_error() {
    let errs = read(
        &["{\"value\":[{\"id\":\"1\"},\n\"bob\"]}"],
        &ColumnSelection::all(),
    )
    .unwrap_err();
    assert_eq!(errs[0].code, "json-shape");
    assert!(
        errs[0].message.contains("expected a user object"),
        "{}",
        errs[0].message
    );
    let l = errs[0].location.as_ref().unwrap();
    assert_eq!((l.line, l.record), (Some(2), Some(2)));
    let errs = read(&["42"], &ColumnSelection::all()).unwrap_err();
    assert!(errs[0].message.contains("Graph `/users` response"));
}

#[test]
fn unselected_properties_are_seen_not_stored() {
    let d = read(
        &[r#"{"value":[{"id":"1","city":"Bonn","businessPhones":["1"]}]}"#],
        &ColumnSelection::only(["department"]),
    )
    .unwrap();
    let names: Vec<_> = d.columns().iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["objectId"]);
    assert!(d.available().contains_key("city"));
    assert!(d.available().contains_key("telephoneNumber"));
}

#[test]
fn a_top_level_value_that_is_not_a_response_is_an_error() {
    for text in ["null", "42", "\"users\"", "true"] {
        let errs = read_mode(&[text], &ColumnSelection::all(), false).unwrap_err();
        assert_eq!(errs[0].code, "json-shape", "{text}");
        assert!(
            errs[0]
                .message
                .contains("expected a Graph `/users` response"),
            "{text}: {}",
            errs[0].message
        );
    }
}

#[test]
fn a_page_whose_value_is_not_an_array_is_an_error() {
    for (text, what) in [
        (r#"{"@odata.context":"x","value":"nobody"}"#, "a string"),
        (r#"{"value":null}"#, "null"),
        (r#"{"value":{"id":"1"}}"#, "an object"),
        (r#"{"value":3}"#, "a number"),
    ] {
        let errs = read_mode(&[text], &ColumnSelection::all(), false).unwrap_err();
        assert_eq!(errs[0].code, "json-shape", "{text}");
        assert!(
            errs[0]
                .message
                .contains(&format!("`value` is {what}, not the array of users")),
            "{text}: {}",
            errs[0].message
        );
        assert!(errs[0].location.as_ref().unwrap().line.is_some());
    }
}

#[test]
fn a_user_without_any_id_is_an_error() {
    let errs = read(
        &[r#"{"value":[{"id":"1"},{"department":"IT"},{"userPrincipalName":"a@x"},{"city":"B"}]}"#],
        &ColumnSelection::all(),
    )
    .unwrap_err();
    assert_eq!(errs[0].code, "graph-user-without-id");
    assert_eq!(
        errs[0].message,
        "user 2 of `p1.json` has neither `id` nor `userPrincipalName` (nor have 1 more users)"
    );
    assert_eq!(errs[0].location.as_ref().unwrap().record, Some(2));
}

fn page(ids: &[&str], next: Option<&str>) -> String {
    let users: Vec<String> = ids.iter().map(|i| format!("{{\"id\":\"{i}\"}}")).collect();
    let next = next
        .map(|n| {
            format!(
                ",\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/users?$skiptoken={n}\""
            )
        })
        .unwrap_or_default();
    format!(
        "{{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users\",\"value\":[{}]{next}}}",
        users.join(",")
    )
}

fn codes(d: &Directory) -> Vec<&str> {
    d.diagnostics().iter().map(|w| w.code.as_str()).collect()
}

#[test]
fn s36_duplicate_users_across_pages_are_warned_with_a_count() {
    let p1 = page(&["1", "2"], Some("A"));
    let p2 = page(&["3", "2"], Some("B"));
    let p3 = page(&["1", "4"], None);
    let d = read(&[&p1, &p2, &p3], &ColumnSelection::all()).unwrap();
    assert_eq!(d.len(), 6);
    assert_eq!(codes(&d), vec!["graph-duplicate-users"]);
    let w = &d.diagnostics()[0];
    assert!(
        w.message.starts_with(
            "2 users appear more than once in the Graph export (the first: user 2 of `p2.json`)"
        ),
        "{}",
        w.message
    );
    // Ids compare ignoring case, as Entra's do.
    let d = read(
        &[&page(&["AB"], Some("A")), &page(&["ab"], None)],
        &ColumnSelection::all(),
    )
    .unwrap();
    assert_eq!(codes(&d), vec!["graph-duplicate-users"]);
}

#[test]
fn s36_a_broken_next_link_chain_is_warned_naming_the_page() {
    let cols = ColumnSelection::all();
    // The last page of the export in the middle: out of order.
    let d = read(&[&page(&["1"], None), &page(&["2"], Some("A"))], &cols).unwrap();
    let c = codes(&d);
    assert!(c.contains(&"graph-missing-page"), "{c:?}");
    assert!(c.contains(&"graph-next-link"), "{c:?}");
    let w = d
        .diagnostics()
        .iter()
        .find(|w| w.code == "graph-missing-page")
        .unwrap();
    assert!(
        w.message.starts_with("page 1 of `p1.json` has no `@odata.nextLink`, so it ends its export, yet 1 more page follows"),
        "{}",
        w.message
    );
    // The same page twice.
    let p1 = page(&["1"], Some("A"));
    let d = read(&[&p1, &p1, &page(&["2"], None)], &cols).unwrap();
    let w = d
        .diagnostics()
        .iter()
        .find(|w| w.code == "graph-missing-page")
        .unwrap();
    assert!(
        w.message
            .contains("points to the same next page as page 1 of `p1.json`"),
        "{}",
        w.message
    );
    // A missing page, told by `@odata.count` on the first page.
    let first =
        page(&["1", "2"], Some("A")).replacen("\"value\"", "\"@odata.count\":5,\"value\"", 1);
    let d = read(&[&first, &page(&["5"], None)], &cols).unwrap();
    let w = d
        .diagnostics()
        .iter()
        .find(|w| w.code == "graph-missing-page")
        .unwrap();
    assert_eq!(
        w.message,
        "`p1.json` announces 5 users (`@odata.count`), but the pages read hold 3: pages are missing"
    );
    // A whole chain, in order: no warning.
    let d = read(
        &[
            &page(&["1"], Some("A")),
            &page(&["2"], Some("B")),
            &page(&["3"], None),
        ],
        &cols,
    )
    .unwrap();
    assert!(d.diagnostics().is_empty(), "{:?}", d.diagnostics());
    // The last page points further: the missing page is named by its link.
    let d = read(&[&page(&["1"], Some("A"))], &cols).unwrap();
    let w = &d.diagnostics()[0];
    assert_eq!(w.code, "graph-next-link");
    assert!(w.help.as_deref().unwrap().contains("$skiptoken=A"));
}

#[test]
fn the_ndjson_error_for_a_cut_line_names_that_line() {
    let text = "{\"id\":\"1\"}\n{\"id\":\"2\",\"city\":\n{\"id\":\"3\"}\n{\"id\":\"4\"}\n";
    let errs = read_mode(&[text], &ColumnSelection::all(), true).unwrap_err();
    assert_eq!(errs[0].code, "json-syntax");
    assert_eq!(
        errs[0].message,
        "line 2 of `p1.json` ends in the middle of a JSON value"
    );
    assert_eq!(errs[0].location.as_ref().unwrap().line, Some(2));
    // A file cut in the middle of its last line.
    let text = "{\"id\":\"1\"}\n{\"id\":\"2\"}\n{\"id\":\"3\",\"ci";
    let errs = read_mode(&[text], &ColumnSelection::all(), true).unwrap_err();
    assert_eq!(errs[0].location.as_ref().unwrap().line, Some(3), "{errs:?}");
}

#[test]
fn an_error_past_column_65535_of_a_one_line_file_is_located_exactly() {
    // A minified one-line export: the error is at column 70,012, not wrapped at 16 bits.
    let users: Vec<String> = (0..5000)
        .map(|i| format!("{{\"id\":\"{i:08}\"}}"))
        .collect();
    let mut text = format!("{{\"value\":[{}", users.join(","));
    let before = text.chars().count();
    text.push_str(",}]}");
    let errs = read(&[&text], &ColumnSelection::all()).unwrap_err();
    let l = errs[0].location.as_ref().unwrap();
    assert!(before > 65_535);
    assert_eq!(l.line, Some(1));
    assert_eq!(l.column, Some(before as u64 + 2), "{errs:?}");
}

#[test]
fn s36_convert_to_json_at_default_depth_is_warned() {
    let d = read(
        &[r#"{"value":[{"id":"1","onPremisesExtensionAttributes":"System.Collections.Hashtable"},{"id":"2","onPremisesExtensionAttributes":"@{extensionAttribute1=150; extensionAttribute2=}"}]}"#],
        &ColumnSelection::all(),
    )
    .unwrap();
    let w = d
        .diagnostics()
        .iter()
        .find(|w| w.code == "powershell-type-names")
        .unwrap();
    assert!(w.message.starts_with("property `onPremisesExtensionAttributes` of `p1.json` holds `System.Collections.Hashtable` for 2 users"), "{}", w.message);
    assert!(w.help.as_deref().unwrap().contains("-Depth"));
}
