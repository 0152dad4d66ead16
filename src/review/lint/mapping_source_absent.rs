//! `mapping-source-absent` (S36): an attribute mapping reads a source attribute that the
//! directory export does not have.
//!
//! The attribute is then NULL for every user: nothing flows to its target (or its default
//! does, on create), a matching attribute matches nobody, and an IIF over it fails for
//! everyone. Most often the export simply left the column out (`mailNickname` and
//! `preferredLanguage` are not in the admin center's "Download users"). The computed
//! `IsSoftDeleted` and `appRoleAssignments` (from the app's assignments) are never in an
//! export and are not reported.

use crate::diag::{Code, Diagnostic};
use crate::directory::Directory;
use crate::mapping::Mapping;
use crate::review::Finding;
use crate::rules::App;

/// Checks the mappings of one app against the export's attributes.
pub(super) fn check(app: &App, mappings: &[Mapping], dir: &Directory, out: &mut Vec<Finding>) {
    let Some(raw) = &app.object.attribute_mappings else {
        return;
    };
    let mut seen: Vec<String> = Vec::new();
    for m in mappings {
        let Some(e) = &m.source else { continue };
        for a in e.attributes() {
            let computed = a.eq_ignore_ascii_case("IsSoftDeleted")
                || a.eq_ignore_ascii_case("appRoleAssignments");
            let present = dir.available().keys().any(|k| k.eq_ignore_ascii_case(a));
            if computed || present || seen.iter().any(|s| s.eq_ignore_ascii_case(a)) {
                continue;
            }
            seen.push(a.to_string());
            let what = if m.is_matching() {
                "a matching attribute: no user can be matched on it"
            } else {
                "NULL for every user, so it does not flow"
            };
            out.push(
                Finding::new(
                    Diagnostic::warning(
                        Code::MappingSourceAbsent,
                        format!(
                            "the mapping of `{}` reads `[{a}]`, which the directory export does not have: {what}",
                            m.target
                        ),
                    )
                    .with_rule("S36")
                    .with_label(raw.source, m.span, "absent from the export")
                    .with_help(if a.eq_ignore_ascii_case("manager") {
                        "export the manager's objectId as `manager` (Graph `$expand=manager($select=id)`) to see what Entra writes".to_string()
                    } else {
                        format!("export `{a}` (Graph `$select={a}`, Get-MgUser `-Property {a}`) to see what Entra writes")
                    }),
                )
                .affecting(dir.len()),
            );
        }
    }
}
