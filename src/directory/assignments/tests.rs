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

/// Membership built from rows with repeats (a member listed twice in a group, in another
/// letter case, or once as a user and once as a group) against a naive reference: each
/// group's direct members are its first rows per member and kind, in file order (S24),
/// and a member's groups are listed in the order of those rows.
#[test]
fn s24_repeated_member_rows_are_dropped_as_a_naive_reference_drops_them() {
    let members = [
        "d5cdd2bc-bdd0-5218-a3f4-d45043a76967",
        "D5CDD2BC-BDD0-5218-A3F4-D45043A76967",
        "a1b2c3d4-0000-4000-8000-000000000002",
        "kim@contoso.com",
        "KIM@contoso.com",
        "lee@contoso.com",
        "6c1d9b8e-52a1-4c55-9a0e-5a1e5a1e0003",
    ];
    let groups = ["G1", "g1", "G2", "G3", "G4"];
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for _ in 0..200 {
        let rows: Vec<(String, Member)> = (0..1 + next(40))
            .map(|_| {
                let kind = match next(4) {
                    0 => PrincipalType::Group,
                    _ => PrincipalType::User,
                };
                let id = members[next(members.len())].to_string();
                (groups[next(groups.len())].to_string(), Member { id, kind })
            })
            .collect();
        let gm = GroupMembers::from_edges(rows.clone());
        let mut want_members: Vec<(String, Vec<(String, PrincipalType)>)> = Vec::new();
        let mut want_groups: Vec<(String, Vec<String>)> = Vec::new();
        for (g, m) in &rows {
            let (gk, mk) = (g.to_lowercase(), m.id.to_lowercase());
            let at = match want_members.iter().position(|(k, _)| *k == gk) {
                Some(i) => i,
                None => {
                    want_members.push((gk.clone(), Vec::new()));
                    want_members.len() - 1
                }
            };
            let list = &mut want_members[at].1;
            if list.iter().any(|(id, kind)| *id == mk && *kind == m.kind) {
                continue;
            }
            list.push((mk.clone(), m.kind));
            // The group as first written.
            let first = rows.iter().find(|(x, _)| x.to_lowercase() == gk).unwrap();
            match want_groups.iter_mut().find(|(k, _)| *k == mk) {
                Some((_, gs)) => gs.push(first.0.clone()),
                None => want_groups.push((mk, vec![first.0.clone()])),
            }
        }
        for (g, want) in &want_members {
            let got: Vec<(String, PrincipalType)> = gm
                .members(g)
                .into_iter()
                .map(|m| (m.id.to_lowercase(), m.kind))
                .collect();
            assert_eq!(&got, want, "members of {g} from {rows:?}");
        }
        assert_eq!(gm.len(), want_members.len());
        for (m, want) in &want_groups {
            assert_eq!(
                gm.groups_of(m),
                want.as_slice(),
                "groups of {m} from {rows:?}"
            );
        }
    }
}
