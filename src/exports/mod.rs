//! `scopesim exports`: the exact commands that produce every input a rule set needs, for
//! the attributes the rules actually read.
//!
//! The classic export mistakes (Graph and `Get-MgUser` return only default properties,
//! S2; PowerShell writes nested objects as type names; Graph names differ from the
//! provisioning schema's, S3) are all avoided by asking for the right properties and
//! flattening them into the columns scopesim reads. So this module maps each schema
//! attribute of the rules to its Graph v1.0 property (`mobile` → `mobilePhone`,
//! `extensionAttribute1` → `onPremisesExtensionAttributes`), and writes the `$select`
//! URL, the `Get-MgUser -Property ... | Select-Object ...` pipeline (PowerShell 7 and
//! Windows PowerShell 5.1) with calculated properties named as the schema names them, and
//! the commands for assignments, group members, the provisioning schema and secrets
//! (where `SyncAll` and `SkipOutOfScopeDeletions` live), and the target state. A consumer
//! of the pipeline's loaded rules; it reads no export.

use crate::diag::{Code, Diagnostic, Errors};
use crate::pipeline::{Rules, rule_attributes};
use crate::rules::{RuleSet, ScopeMode};

/// Where a schema attribute comes from in Graph and PowerShell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A property of the same meaning; `graph` is its Graph name, `powershell` its
    /// `Get-MgUser` property. Renamed when the schema's name differs (S3).
    Property {
        /// Graph v1.0 property (`$select`).
        graph: String,
        /// `Get-MgUser` property (`-Property`, `Select-Object`).
        powershell: String,
    },
    /// The first item of a list property (`telephoneNumber` is `businessPhones[0]`, S3).
    FirstOf {
        /// Graph property.
        graph: &'static str,
        /// PowerShell property.
        powershell: &'static str,
    },
    /// `extensionAttributeN`: inside `onPremisesExtensionAttributes` (S3).
    OnPremisesExtension(u8),
    /// A directory extension `extension_<appid>_<name>`: selected by its name, and found
    /// in `AdditionalProperties` by PowerShell.
    DirectoryExtension(String),
    /// Not a Graph user property (`IsSoftDeleted`: soft-deleted users are not in `/users`).
    NotInGraph,
}

/// One attribute the rules read, and how to export it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// The provisioning schema's name, as the rules write it and scopesim reads it.
    pub name: String,
    /// Where it comes from.
    pub source: Source,
}

impl Attribute {
    /// The Graph property to `$select` (`None` when Graph has none).
    pub fn graph_property(&self) -> Option<String> {
        match &self.source {
            Source::Property { graph, .. } => Some(graph.clone()),
            Source::FirstOf { graph, .. } => Some((*graph).to_string()),
            Source::OnPremisesExtension(_) => Some("onPremisesExtensionAttributes".to_string()),
            Source::DirectoryExtension(name) => Some(name.clone()),
            Source::NotInGraph => None,
        }
    }

    /// The `Get-MgUser -Property` name (`None` when there is none).
    pub fn powershell_property(&self) -> Option<String> {
        match &self.source {
            Source::Property { powershell, .. } => Some(powershell.clone()),
            Source::FirstOf { powershell, .. } => Some((*powershell).to_string()),
            Source::OnPremisesExtension(_) => Some("OnPremisesExtensionAttributes".to_string()),
            Source::DirectoryExtension(name) => Some(name.clone()),
            Source::NotInGraph => None,
        }
    }

    /// The `Select-Object` item that writes a column named as scopesim reads it.
    pub fn select_item(&self) -> Option<String> {
        let n = &self.name;
        match &self.source {
            Source::Property { powershell, .. } if powershell.eq_ignore_ascii_case(n) => {
                Some(powershell.clone())
            }
            Source::Property { powershell, .. } => {
                Some(format!("@{{n='{n}';e={{$_.{powershell}}}}}"))
            }
            Source::FirstOf { powershell, .. } => Some(format!(
                "@{{n='{n}';e={{$_.{powershell} | Select-Object -First 1}}}}"
            )),
            Source::OnPremisesExtension(i) => Some(format!(
                "@{{n='{n}';e={{$_.OnPremisesExtensionAttributes.ExtensionAttribute{i}}}}}"
            )),
            Source::DirectoryExtension(name) => Some(format!(
                "@{{n='{n}';e={{$_.AdditionalProperties['{name}']}}}}"
            )),
            Source::NotInGraph => None,
        }
    }
}

/// How a schema attribute is exported (S3, the reverse of the readers' mapping).
pub fn source_of(name: &str) -> Source {
    let renamed = |graph: &str| Source::Property {
        graph: graph.to_string(),
        powershell: pascal(graph),
    };
    match name {
        "objectId" => renamed("id"),
        "mobile" => renamed("mobilePhone"),
        "physicalDeliveryOfficeName" => renamed("officeLocation"),
        "facsimileTelephoneNumber" => renamed("faxNumber"),
        "userState" => renamed("externalUserState"),
        "telephoneNumber" => Source::FirstOf {
            graph: "businessPhones",
            powershell: "BusinessPhones",
        },
        "IsSoftDeleted" => Source::NotInGraph,
        _ => {
            if let Some(i) = name
                .strip_prefix("extensionAttribute")
                .and_then(|n| n.parse::<u8>().ok())
                .filter(|i| (1..=15).contains(i))
            {
                return Source::OnPremisesExtension(i);
            }
            if crate::schema::is_directory_extension(name) {
                return Source::DirectoryExtension(name.to_string());
            }
            renamed(name)
        }
    }
}

/// `department` → `Department`.
fn pascal(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// One app of the rules and what its exports depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppExports {
    /// The app's name in the rules.
    pub name: String,
    /// `scope assigned` needs assignments and group members.
    pub assigned: bool,
}

/// The commands for one rule set: the attributes (identity and activity first, then the
/// rules' own, sorted) and the apps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exports {
    /// The rules file, as given.
    pub rules_path: String,
    /// The attributes the rules read (schema names, sorted).
    pub rule_attributes: Vec<String>,
    /// Every attribute to export: identity and activity, then the rules' own.
    pub attributes: Vec<Attribute>,
    /// The apps.
    pub apps: Vec<AppExports>,
}

/// Attributes every export needs besides the rules' own: identity (assignments, groups
/// and target state match on them) and activity (S25).
const IDENTITY: &[&str] = &["objectId", "userPrincipalName", "accountEnabled"];

/// The exports for the rules (one app's with `app`).
pub fn exports(rules: &Rules, app: Option<&str>) -> Result<Exports, Errors> {
    rules.check_selection(app, None)?;
    let set = rules.rules();
    let mut selected: RuleSet = set.clone();
    selected
        .apps
        .retain(|a| app.is_none_or(|n| a.name.node == n));
    let rule_attrs = rule_attributes(&selected);
    let mut names: Vec<String> = IDENTITY.iter().map(|s| (*s).to_string()).collect();
    for a in &rule_attrs {
        if !names.iter().any(|n| n == a) {
            names.push(a.clone());
        }
    }
    let attributes = names
        .into_iter()
        .map(|name| Attribute {
            source: source_of(&name),
            name,
        })
        .collect();
    let apps: Vec<AppExports> = selected
        .apps
        .iter()
        .map(|a| AppExports {
            name: a.name.node.clone(),
            assigned: a.scope_mode() == ScopeMode::Assigned,
        })
        .collect();
    if apps.is_empty() {
        return Err(Diagnostic::error(Code::UnknownApp, "the rules define no app").into());
    }
    Ok(Exports {
        rules_path: rules.path.display().to_string(),
        rule_attributes: rule_attrs,
        attributes,
        apps,
    })
}

impl Exports {
    /// The Graph properties to `$select`, in order, without duplicates.
    pub fn graph_properties(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in self.attributes.iter().filter_map(Attribute::graph_property) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }

    /// The `Get-MgUser -Property` names, in order, without duplicates.
    pub fn powershell_properties(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in self
            .attributes
            .iter()
            .filter_map(Attribute::powershell_property)
        {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }

    /// The `Select-Object` items: one column per attribute, named as scopesim reads it.
    pub fn select_items(&self) -> Vec<String> {
        self.attributes
            .iter()
            .filter_map(Attribute::select_item)
            .collect()
    }

    /// The Graph `/users` URL.
    pub fn users_url(&self) -> String {
        format!(
            "https://graph.microsoft.com/v1.0/users?$select={}&$top=999",
            self.graph_properties().join(",")
        )
    }
}

mod render;
pub use render::render;

#[cfg(test)]
mod tests;
