//! The text `scopesim exports` prints: one section per input, each with the commands to
//! run (PowerShell 7, Windows PowerShell 5.1, Graph) and the `scopesim` option that reads
//! what they write. Lines starting with `#` are comments in PowerShell too, so a section
//! can be pasted whole.

use super::{Exports, Source};
use std::fmt::Write;

/// The whole text.
pub fn render(e: &Exports) -> String {
    let mut out = String::new();
    let props = e.powershell_properties().join(",");
    let select = e.select_items().join(",");
    let attrs = if e.rule_attributes.is_empty() {
        "(none)".to_string()
    } else {
        e.rule_attributes.join(", ")
    };
    let _ = writeln!(out, "# Exports for {} ({})", e.rules_path, app_names(e));
    let _ = writeln!(out, "# The rules read: {attrs}");
    let _ = writeln!(
        out,
        "# Graph properties: {} (identity and accountEnabled added)",
        e.graph_properties().join(", ")
    );
    let not_in_graph: Vec<&str> = e
        .attributes
        .iter()
        .filter(|a| a.source == Source::NotInGraph)
        .map(|a| a.name.as_str())
        .collect();
    if !not_in_graph.is_empty() {
        let _ = writeln!(
            out,
            "# Not in Graph: {} (soft-deleted users are not in /users; add the column yourself if you have it)",
            not_in_graph.join(", ")
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "## 1. Users (-d users.csv)");
    let _ = writeln!(out, "# PowerShell 7 (Microsoft.Graph module):");
    let _ = writeln!(out, "Connect-MgGraph -Scopes 'User.Read.All'");
    let _ = writeln!(out, "Get-MgUser -All -Property {props} |");
    let _ = writeln!(out, "  Select-Object {select} |");
    let _ = writeln!(
        out,
        "  Export-Csv users.csv -NoTypeInformation -Encoding utf8"
    );
    let _ = writeln!(
        out,
        "# Windows PowerShell 5.1: the same two first lines, then (its default encoding, ASCII, loses letters such as ü):"
    );
    let _ = writeln!(
        out,
        "#   ... | Export-Csv users.csv -NoTypeInformation -Encoding UTF8"
    );
    let _ = writeln!(
        out,
        "# Graph (one file per page; follow @odata.nextLink until a page has none):"
    );
    let _ = writeln!(out, "$uri = '{}'; $n = 1", e.users_url());
    let _ = writeln!(out, "while ($uri) {{");
    let _ = writeln!(
        out,
        "  $page = Invoke-MgGraphRequest -Method GET -Uri $uri -OutputType Json"
    );
    let _ = writeln!(
        out,
        "  Set-Content -Path \"users-page$n.json\" -Value $page -Encoding utf8"
    );
    let _ = writeln!(
        out,
        "  $uri = ($page | ConvertFrom-Json).'@odata.nextLink'; $n++"
    );
    let _ = writeln!(out, "}}");
    let _ = writeln!(
        out,
        "# then: scopesim plan {} -d users-page1.json -d users-page2.json ...",
        e.rules_path
    );
    let assigned: Vec<&str> = e
        .apps
        .iter()
        .filter(|a| a.assigned)
        .map(|a| a.name.as_str())
        .collect();
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "## 2. Assignments (--assignments APP=FILE, one per app)"
    );
    if assigned.is_empty() {
        let _ = writeln!(
            out,
            "# Not needed: every app has `scope all` (SyncAll), so every user is a candidate."
        );
    }
    for app in &assigned {
        let file = slug(app);
        let _ = writeln!(
            out,
            "$sp = Get-MgServicePrincipal -Filter \"displayName eq '{}'\"",
            app.replace('\'', "''")
        );
        let _ = writeln!(
            out,
            "Get-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $sp.Id -All |"
        );
        let _ = writeln!(out, "  Select-Object PrincipalType,PrincipalId |");
        let _ = writeln!(
            out,
            "  Export-Csv assignments-{file}.csv -NoTypeInformation -Encoding utf8"
        );
        let _ = writeln!(
            out,
            "# or Graph: GET https://graph.microsoft.com/v1.0/servicePrincipals/{{id}}/appRoleAssignedTo (saved as approleassignedto-{file}.json)"
        );
        let _ = writeln!(
            out,
            "# then: --assignments \"{app}=assignments-{file}.csv\" (service principals in the list are skipped)"
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "## 3. Group members (--group-members FILE, for the groups assigned)"
    );
    if assigned.is_empty() {
        let _ = writeln!(out, "# Not needed without assignments.");
    } else {
        let _ = writeln!(
            out,
            "# For each app's $sp (section 2): the direct members of its assigned groups (S24: nested groups' members are not candidates)"
        );
        let _ = writeln!(
            out,
            "Get-MgServicePrincipalAppRoleAssignedTo -ServicePrincipalId $sp.Id -All | Where-Object PrincipalType -eq 'Group' | ForEach-Object {{"
        );
        let _ = writeln!(out, "  $g = $_.PrincipalId");
        let _ = writeln!(out, "  Get-MgGroupMember -GroupId $g -All |");
        let _ = writeln!(
            out,
            "    Select-Object @{{n='groupId';e={{$g}}}},@{{n='memberId';e={{$_.Id}}}},@{{n='memberType';e={{$_.AdditionalProperties['@odata.type'] -replace '#microsoft.graph.',''}}}}"
        );
        let _ = writeln!(
            out,
            "}} | Export-Csv group-members.csv -NoTypeInformation -Encoding utf8"
        );
        let _ = writeln!(
            out,
            "# or Graph: GET https://graph.microsoft.com/v1.0/groups/{{id}}/members?$select=id, saved per group: --group-members \"{{id}}=members.json\""
        );
        let _ = writeln!(
            out,
            "# or the admin center: Groups > the group > Members > Download members: --group-members \"{{id}}=members.csv\""
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "## 4. The provisioning configuration (to compare with the rules: scopesim diff)"
    );
    for app in &e.apps {
        let _ = writeln!(
            out,
            "$sp = Get-MgServicePrincipal -Filter \"displayName eq '{}'\"   # then the lines below, once per app",
            app.name.replace('\'', "''")
        );
    }
    let _ = writeln!(
        out,
        "$job = Get-MgServicePrincipalSynchronizationJob -ServicePrincipalId $sp.Id"
    );
    let _ = writeln!(
        out,
        "Invoke-MgGraphRequest -Method GET -Uri \"https://graph.microsoft.com/v1.0/servicePrincipals/$($sp.Id)/synchronization/jobs/$($job.Id)/schema\" -OutputType Json | Set-Content schema.json -Encoding utf8"
    );
    let _ = writeln!(
        out,
        "# SyncAll (scope all) and SkipOutOfScopeDeletions are not in the schema: they are secrets of the job."
    );
    let _ = writeln!(
        out,
        "# Graph documents only PUT on this path; scopesim assumes GET returns the same key/value list. It holds credentials: keep only SyncAll and SkipOutOfScopeDeletions before sharing it."
    );
    let _ = writeln!(
        out,
        "Invoke-MgGraphRequest -Method GET -Uri \"https://graph.microsoft.com/beta/servicePrincipals/$($sp.Id)/synchronization/secrets\" -OutputType Json | Set-Content secrets.json -Encoding utf8"
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "## 5. Accounts the apps already have (--target-state APP=FILE, matched on --match-on, default userPrincipalName)"
    );
    for app in &e.apps {
        let _ = writeln!(
            out,
            "# {}: the app's own user export (CSV with the matching attribute and `active`), or its SCIM endpoint's GET /Users (a ListResponse): --target-state \"{}={}-users.csv\"",
            app.name,
            app.name,
            slug(&app.name)
        );
    }
    out
}

fn app_names(e: &Exports) -> String {
    let names: Vec<&str> = e.apps.iter().map(|a| a.name.as_str()).collect();
    match names.len() {
        1 => format!("app {}", names.join("")),
        _ => format!("apps {}", names.join(", ")),
    }
}

/// A file-name form of an app name: `ServiceNow` → `servicenow`.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s.trim_matches('-').to_string()
}
