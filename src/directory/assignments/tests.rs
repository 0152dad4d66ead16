//! Tests of the assignment, membership and target-state readers.

use super::*;

fn file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    (dir, p)
}

#[test]
fn assignments_csv_any_order_and_case() {
    let (_d, p) = file(
        "a.csv",
        "PrincipalID,APP,principaltype\n1,Salesforce,group\nbob@x.com,Salesforce,User\n",
    );
    let a = read_assignments(&p).unwrap();
    assert_eq!(a.items.len(), 2);
    assert_eq!(a.items[0].principal_type, PrincipalType::Group);
    assert_eq!(a.items[1].principal_id, "bob@x.com");
    assert_eq!(a.items[1].line, 3);
    assert_eq!(a.inputs[0].records, 2);
}

#[test]
fn assignments_json_pages_with_lines() {
    let (_d, p) = file(
        "a.json",
        "[{\"value\":[\n{\"principalId\":\"1\",\"principalType\":\"Group\",\"resourceDisplayName\":\"S\"}]},\n{\"value\":[\n{\"principalId\":\"2\",\"principalType\":\"Device\",\"resourceDisplayName\":\"S\"}]}]",
    );
    let errs = read_assignments(&p).unwrap_err();
    assert_eq!(errs[0].code, "bad-principal-type");
    let l = errs[0].location.as_ref().unwrap();
    assert_eq!((l.line, l.record), (Some(4), Some(2)));
}

#[test]
fn group_members_dedup_nesting_and_names() {
    let (_d, p) = file(
        "m.csv",
        "groupId,memberId,memberType,groupDisplayName\nG1,u1,,All\nG1,u1,User,All\nG1,G2,Group,All\nG2,u2,User,\n",
    );
    let gm = read_group_members(&[p]).unwrap();
    assert_eq!(gm.len(), 2);
    assert_eq!(
        gm.members("g1"),
        [
            Member {
                id: "u1".into(),
                kind: PrincipalType::User
            },
            Member {
                id: "G2".into(),
                kind: PrincipalType::Group
            }
        ]
    );
    assert_eq!(gm.groups_of("U1"), &["G1".to_string()]);
    assert_eq!(gm.groups_of("u2"), &["G2".to_string()]);
    assert_eq!(gm.display_name("G1"), Some("All"));
    assert_eq!(gm.display_name("G2"), None);
    assert!(gm.direct_members("nope").is_empty());
}

#[test]
fn group_members_graph_json() {
    let (_d, p) = file(
        "m.json",
        r##"{"groupId":"G1","value":[{"@odata.type":"#microsoft.graph.user","id":"u1"},{"@odata.type":"#microsoft.graph.group","id":"G2"},{"@odata.type":"#microsoft.graph.device","id":"d1"}]}"##,
    );
    let gm = read_group_members(&[p]).unwrap();
    assert_eq!(gm.direct_members("G1").len(), 2);
    assert_eq!(gm.direct_members("G1")[1].kind(), PrincipalType::Group);
    assert_eq!(gm.diagnostics()[0].code, "member-not-user-or-group");
}

#[test]
fn target_state_keys_active_and_missing_key() {
    let (_d, p) = file(
        "t.csv",
        "User Principal Name,Active\na@x,TRUE\nb@x,false\nc@x,\n",
    );
    let t = read_target_state("S", &p, Some("userPrincipalName")).unwrap();
    let got: Vec<_> = t
        .accounts
        .iter()
        .map(|a| (a.key.as_str(), a.active, a.line))
        .collect();
    assert_eq!(
        got,
        vec![
            ("a@x", Some(true), 2),
            ("b@x", Some(false), 3),
            ("c@x", None, 4)
        ]
    );
    let errs = read_target_state("S", &p, Some("employeeId")).unwrap_err();
    assert!(errs[0].message.contains("no `employeeId` column"));
    assert!(errs[0].help.as_ref().unwrap().contains("--match-on"));
    assert!(
        errs[0]
            .help
            .as_ref()
            .unwrap()
            .contains("`User Principal Name`")
    );
}

#[test]
fn target_state_scim_list_response() {
    let (_d, p) = file(
        "t.json",
        r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,"Resources":[
{"userName":"a@x","active":true},
{"userName":"b@x","active":false}]}"#,
    );
    let t = read_target_state("S", &p, Some("userPrincipalName")).unwrap();
    assert_eq!(t.accounts.len(), 2);
    assert_eq!(
        (
            t.accounts[1].key.as_str(),
            t.accounts[1].active,
            t.accounts[1].line
        ),
        ("b@x", Some(false), 3)
    );
    assert_eq!(t.input.format, InputFormat::GraphJson);
}
