//! TEMPORARY: types only, until the readers branch lands.
use super::InputInfo;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalType {
    User,
    Group,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub app: String,
    pub principal_type: PrincipalType,
    pub principal_id: String,
    pub line: u64,
}
#[derive(Debug, Clone, Default)]
pub struct Assignments {
    pub items: Vec<Assignment>,
    pub inputs: Vec<InputInfo>,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub kind: PrincipalType,
}
#[derive(Debug, Clone, Default)]
pub struct GroupMembers {
    members: HashMap<String, Vec<Member>>,
    groups_of: HashMap<String, Vec<String>>,
    names: HashMap<String, String>,
    inputs: Vec<InputInfo>,
}
impl GroupMembers {
    pub fn from_edges(edges: impl IntoIterator<Item = (String, Member)>) -> GroupMembers {
        let mut g = GroupMembers::default();
        for (group, m) in edges {
            g.groups_of
                .entry(m.id.clone())
                .or_default()
                .push(group.clone());
            g.members.entry(group).or_default().push(m);
        }
        g
    }
    pub fn direct_members(&self, group: &str) -> &[Member] {
        self.members.get(group).map_or(&[], |v| v.as_slice())
    }
    pub fn groups_of(&self, member: &str) -> &[String] {
        self.groups_of.get(member).map_or(&[], |v| v.as_slice())
    }
    pub fn len(&self) -> usize {
        self.members.len()
    }
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
    pub fn display_name(&self, group: &str) -> Option<&str> {
        self.names.get(group).map(String::as_str)
    }
    pub fn inputs(&self) -> &[InputInfo] {
        &self.inputs
    }
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetAccount {
    pub key: String,
    pub active: Option<bool>,
    pub line: u64,
}
#[derive(Debug, Clone)]
pub struct TargetState {
    pub app: String,
    pub match_on: String,
    pub accounts: Vec<TargetAccount>,
    pub input: InputInfo,
}

use crate::diag::{Diagnostic, FileLocation};
use std::path::{Path, PathBuf};

fn rows(path: &Path) -> Result<Vec<csv::StringRecord>, Vec<Diagnostic>> {
    let shown = path.display().to_string();
    let mut r = csv::Reader::from_path(path).map_err(|e| {
        vec![
            Diagnostic::error("io", format!("cannot read `{shown}`: {e}"))
                .at(FileLocation::file(&shown)),
        ]
    })?;
    r.records()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| vec![Diagnostic::error("csv", format!("{e}")).at(FileLocation::file(&shown))])
}
fn ptype(s: &str) -> PrincipalType {
    if s.eq_ignore_ascii_case("group") {
        PrincipalType::Group
    } else {
        PrincipalType::User
    }
}
pub fn read_assignments(path: &Path) -> Result<Assignments, Vec<Diagnostic>> {
    let items = rows(path)?
        .iter()
        .enumerate()
        .map(|(i, r)| Assignment {
            app: r.get(0).unwrap_or("").into(),
            principal_type: ptype(r.get(1).unwrap_or("")),
            principal_id: r.get(2).unwrap_or("").into(),
            line: i as u64 + 2,
        })
        .collect();
    Ok(Assignments {
        items,
        inputs: vec![],
    })
}
pub fn read_group_members(paths: &[PathBuf]) -> Result<GroupMembers, Vec<Diagnostic>> {
    let mut edges = Vec::new();
    for p in paths {
        for r in rows(p)? {
            edges.push((
                r.get(0).unwrap_or("").to_string(),
                Member {
                    id: r.get(1).unwrap_or("").into(),
                    kind: ptype(r.get(2).unwrap_or("User")),
                },
            ));
        }
    }
    Ok(GroupMembers::from_edges(edges))
}
pub fn read_target_state(
    app: &str,
    path: &Path,
    match_on: &str,
) -> Result<TargetState, Vec<Diagnostic>> {
    let accounts = rows(path)?
        .iter()
        .enumerate()
        .map(|(i, r)| TargetAccount {
            key: r.get(0).unwrap_or("").into(),
            active: None,
            line: i as u64 + 2,
        })
        .collect();
    Ok(TargetState {
        app: app.into(),
        match_on: match_on.into(),
        accounts,
        input: InputInfo {
            path: path.display().to_string(),
            format: super::InputFormat::Csv,
            sha256: String::new(),
            bytes: 0,
            records: 0,
            skipped: 0,
            encoding: None,
            delimiter: None,
        },
    })
}
