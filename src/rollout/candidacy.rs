//! Who is a candidate for an app (S24): assigned directly, or a direct member of an
//! assigned group; members of nested groups never are (but are evaluated and skipped, so
//! the report can say why). Also the S36 check that every assigned group has member data.
//!
//! Group nesting comes from an export and may be arbitrarily deep or even cyclic, so it
//! is walked with an explicit stack (no recursion on user input), with a depth limit and
//! cycle detection; a cycle or a cut-off is a warning that names the groups.

use super::{Candidacy, RolloutInputs};
use crate::diag::{Code, Diagnostic, FileLocation};
use crate::directory::assignments::{Assignment, GroupMembers, MemberEntry, PrincipalType};
use crate::rules::{App, ScopeMode};
use std::collections::HashSet;

use super::facts::{IdIndex, NO_ROW, UserFacts};

/// Nesting levels followed below an assigned group. Members further down are never
/// candidates anyway (S24); the limit only bounds the walk, and passing it is reported.
pub const MAX_NESTING_DEPTH: usize = 1_000;

/// Everything reachable below some groups.
#[derive(Debug, Default)]
pub(crate) struct Reach {
    /// Members that are users, directly in the groups or nested below; a member may
    /// appear more than once.
    pub users: Vec<MemberEntry>,
    /// Cycles found, each as the groups along it (as written), first group repeated last.
    pub cycles: Vec<Vec<String>>,
    /// A group at which the walk stopped because of [`MAX_NESTING_DEPTH`].
    pub too_deep: Option<String>,
}

/// Every user reachable from the groups at `roots` (positions among the groups read,
/// [`GroupMembers::group_position`]), directly and through nested groups, walked
/// depth-first with an explicit stack. Each group is walked once.
pub(crate) fn reachable_members(g: &GroupMembers, roots: impl IntoIterator<Item = u32>) -> Reach {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let mut reach = Reach::default();
    let mut marks = vec![Mark::New; g.len()];
    let mark = |marks: &[Mark], p: u32| marks.get(p as usize).copied().unwrap_or(Mark::Done);
    for root in roots {
        if mark(&marks, root) != Mark::New {
            continue;
        }
        // The path from the root: (group, its members, index of the next).
        let mut path: Vec<(u32, &[MemberEntry], usize)> = Vec::new();
        if let Some(m) = marks.get_mut(root as usize) {
            *m = Mark::OnPath;
        }
        path.push((root, g.members_at(root), 0));
        while let Some((group, members, next)) = path.last_mut() {
            let Some(&m) = members.get(*next) else {
                if let Some(m) = marks.get_mut(*group as usize) {
                    *m = Mark::Done;
                }
                path.pop();
                continue;
            };
            *next += 1;
            if m.kind() == PrincipalType::User {
                reach.users.push(m);
                continue;
            }
            let Some(nested) = g.nested_group(m) else {
                // A group without member data: nothing below it, but the walk has
                // reached the depth limit if it is that deep.
                if path.len() >= MAX_NESTING_DEPTH && reach.too_deep.is_none() {
                    reach.too_deep = Some(g.member_id(m).into_owned());
                }
                continue;
            };
            match mark(&marks, nested) {
                Mark::Done => {}
                Mark::OnPath => {
                    if reach.cycles.len() < 3 {
                        let from = path.iter().position(|(p, _, _)| *p == nested).unwrap_or(0);
                        let mut cycle: Vec<String> = path
                            .iter()
                            .skip(from)
                            .map(|(p, _, _)| g.group_id(*p).to_string())
                            .collect();
                        cycle.push(g.group_id(nested).to_string());
                        reach.cycles.push(cycle);
                    }
                }
                Mark::New if path.len() >= MAX_NESTING_DEPTH => {
                    if reach.too_deep.is_none() {
                        reach.too_deep = Some(g.group_id(nested).to_string());
                    }
                    if let Some(x) = marks.get_mut(nested as usize) {
                        *x = Mark::Done;
                    }
                }
                Mark::New => {
                    if let Some(x) = marks.get_mut(nested as usize) {
                        *x = Mark::OnPath;
                    }
                    path.push((nested, g.members_at(nested), 0));
                }
            }
        }
    }
    reach
}

/// The directory row of a member that is a user: by the row the directory stream found
/// for its number, or (an id that is not a GUID) by the id index.
pub(crate) fn member_row(
    g: &GroupMembers,
    m: MemberEntry,
    index: &IdIndex,
    member_rows: &[u32],
) -> Option<usize> {
    if g.member_is_text(m) {
        return index.get(&g.member_id(m));
    }
    member_rows
        .get(m.number() as usize)
        .filter(|&&r| r != NO_ROW)
        .map(|&r| r as usize)
}

/// An app's candidates and what the estimate counts.
pub(crate) struct AppCandidates {
    /// Candidacy of every user, as [`Candidacy`] codes.
    pub candidacy: Vec<u8>,
    /// Assigned users + groups + group members (S28).
    pub assigned_count: usize,
    /// Assigned user ids not in the directory.
    pub unknown: Vec<String>,
    /// Warnings about the group nesting (cycles, depth).
    pub warnings: Vec<Diagnostic>,
}

/// Candidacy of every user for one app.
pub(crate) fn candidates(
    app: &App,
    n: usize,
    facts: &UserFacts,
    inputs: RolloutInputs<'_>,
) -> AppCandidates {
    let index = &facts.index;
    let name = app.name.node.as_str();
    let mut out = AppCandidates {
        candidacy: vec![Candidacy::NotAssigned as u8; n],
        assigned_count: 0,
        unknown: Vec::new(),
        warnings: Vec::new(),
    };
    if app.scope_mode() == ScopeMode::All {
        out.candidacy = vec![Candidacy::SyncAll as u8; n];
        out.assigned_count = n;
        return out;
    }
    let Some(assignments) = inputs.assignments else {
        return out;
    };
    let cand = &mut out.candidacy;
    let mut set = |row: usize, c: Candidacy| {
        let rank = |c: Candidacy| match c {
            Candidacy::Direct => 4,
            Candidacy::ViaGroup => 3,
            Candidacy::NestedOnly => 2,
            _ => 1,
        };
        if let Some(cur) = cand.get_mut(row) {
            if rank(c) > rank(Candidacy::from_u8(*cur)) {
                *cur = c as u8;
            }
        }
    };
    let mut nested_roots: Vec<u32> = Vec::new();
    for a in assignments.items.iter().filter(|a| a.app == name) {
        out.assigned_count += 1;
        match a.principal_type {
            PrincipalType::User => match index.get(&a.principal_id) {
                Some(row) => set(row, Candidacy::Direct),
                None => out.unknown.push(a.principal_id.clone()),
            },
            PrincipalType::Group => {
                let Some(g) = inputs.group_members else {
                    continue;
                };
                for &m in g.direct_members(&a.principal_id) {
                    out.assigned_count += 1;
                    match m.kind() {
                        PrincipalType::User => {
                            if let Some(row) = member_row(g, m, index, &facts.member_rows) {
                                set(row, Candidacy::ViaGroup);
                            }
                        }
                        PrincipalType::Group => nested_roots.extend(g.nested_group(m)),
                    }
                }
            }
        }
    }
    if let Some(g) = inputs.group_members {
        let reach = reachable_members(g, nested_roots);
        for &m in &reach.users {
            if let Some(row) = member_row(g, m, index, &facts.member_rows) {
                set(row, Candidacy::NestedOnly);
            }
        }
        out.warnings.extend(nesting_warnings(g, name, &reach));
    }
    out
}

fn group_name(g: &GroupMembers, id: &str) -> String {
    match g.display_name(id) {
        Some(n) => format!("`{n}` ({id})"),
        None => format!("`{id}`"),
    }
}

fn members_location(g: &GroupMembers) -> Option<FileLocation> {
    match g.inputs() {
        [one] => Some(FileLocation::file(&one.path)),
        _ => None,
    }
}

/// Warnings for cycles and cut-offs in the nesting below an app's groups.
fn nesting_warnings(g: &GroupMembers, app: &str, reach: &Reach) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for cycle in &reach.cycles {
        let path: Vec<String> = cycle.iter().map(|c| group_name(g, c)).collect();
        let mut d = Diagnostic::warning(
            Code::GroupCycle,
            format!(
                "the groups nested in `{app}`'s assigned groups form a cycle: {}",
                path.join(" → ")
            ),
        )
        .with_rule("S24")
        .with_help("Entra provisions direct members of assigned groups only, so the cycle changes no candidate; check the membership export, a group cannot contain itself in Entra");
        if let Some(l) = members_location(g) {
            d = d.at(l);
        }
        out.push(d);
    }
    if let Some(deep) = &reach.too_deep {
        let mut d = Diagnostic::warning(
            Code::GroupNestingTooDeep,
            format!(
                "group nesting below `{app}`'s assigned groups is deeper than {MAX_NESTING_DEPTH} levels; members below {} are not followed",
                group_name(g, deep)
            ),
        )
        .with_rule("S24")
        .with_help("members of nested groups are never candidates (S24): only their reasons in the report are affected");
        if let Some(l) = members_location(g) {
            d = d.at(l);
        }
        out.push(d);
    }
    out
}

/// S36: an app's assigned groups that have no member data. Each is an error, or with
/// `allow` a warning that counts them (their members are then no candidates).
pub(crate) fn missing_members(
    app: &App,
    inputs: RolloutInputs<'_>,
    allow: bool,
) -> Option<Diagnostic> {
    if app.scope_mode() != ScopeMode::Assigned {
        return None;
    }
    let assignments = inputs.assignments?;
    let name = app.name.node.as_str();
    let mut seen: HashSet<String> = HashSet::new();
    let missing: Vec<&Assignment> = assignments
        .items
        .iter()
        .filter(|a| a.app == name && a.principal_type == PrincipalType::Group)
        .filter(|a| {
            !inputs
                .group_members
                .is_some_and(|g| g.has_group(&a.principal_id))
        })
        .filter(|a| seen.insert(a.principal_id.to_lowercase()))
        .collect();
    let first = missing.first()?;
    let shown: Vec<String> = missing
        .iter()
        .take(5)
        .map(|a| format!("`{}`", a.principal_id))
        .collect();
    let more = if missing.len() > shown.len() {
        format!(" and {} more", missing.len() - shown.len())
    } else {
        String::new()
    };
    let groups = crate::diag::count(missing.len() as u64, "group", "groups");
    let mut location = None;
    if let [one] = assignments.inputs.as_slice() {
        location = Some(FileLocation::file(&one.path).at_line(first.line));
    }
    let d = if allow {
        Diagnostic::warning(
            Code::MissingGroupMembers,
            format!(
                "{groups} assigned to `{name}` {} no member data and {} treated as empty (--allow-missing-members): {}{more}",
                if missing.len() == 1 { "has" } else { "have" },
                if missing.len() == 1 { "is" } else { "are" },
                shown.join(", ")
            ),
        )
        .with_help("their members are not candidates; pass `--group-members` with their members to see them")
    } else {
        Diagnostic::error(
            Code::MissingGroupMembers,
            format!(
                "{groups} assigned to `{name}` {} no member data: {}{more}",
                if missing.len() == 1 { "has" } else { "have" },
                shown.join(", ")
            ),
        )
        .with_help("pass their direct members with `--group-members FILE` (`Get-MgGroupMember -GroupId ID -All`, or Graph `GET /groups/{id}/members`); a group that really has no members is a CSV row with its `groupId` and an empty `memberId`; or pass `--allow-missing-members` to treat them as empty")
    };
    let d = d.with_rule("S36");
    Some(match location {
        Some(l) => d.at(l),
        None => d,
    })
}
