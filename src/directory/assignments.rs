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
