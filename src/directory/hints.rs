//! What the readers know about how an export was made, for the messages of later stages.
//!
//! When a rule names an attribute the export does not have (S2), the likely causes are
//! different mistakes with different fixes: the rule uses Graph's name instead of the
//! provisioning schema's (`mobilePhone` for `mobile`, S3), PowerShell wrote a nested
//! object as one column (`OnPremisesExtensionAttributes` instead of `extensionAttribute1`),
//! the export has a column of a similar name, or the attribute was simply not exported.
//! The compiler asks here, so the help names the right fix, and a "did you mean" appears
//! only when the export really has a similar column.

#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::Directory;
use crate::schema;

/// The help for a rule attribute `name` that is absent from the whole export, when the
/// export says more than "not exported"; `None` otherwise.
pub fn absent_attribute_help(dir: &Directory, name: &str) -> Option<String> {
    // S3: a Graph or PowerShell name in the rules, for a column the export has under the
    // schema's name (the readers map `mobilePhone` to `mobile`).
    if let Some(canon) = schema::canonical_name(name).filter(|c| *c != name) {
        if let Some(c) = dir.columns().iter().find(|c| c.name == canon) {
            let read_from = c
                .original
                .first()
                .map(|o| format!(" (the export's `{o}` column is read as `{canon}`)"))
                .unwrap_or_default();
            return Some(format!(
                "rules name attributes as the provisioning schema does: write `{canon}`, the schema's name for `{name}`{read_from}"
            ));
        }
        if dir.available().contains_key(canon) {
            return Some(format!(
                "rules name attributes as the provisioning schema does: write `{canon}`, the schema's name for `{name}`"
            ));
        }
    }
    // A nested object exported as one column by PowerShell.
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("extensionattribute")
        && dir
            .available()
            .keys()
            .any(|k| k.eq_ignore_ascii_case("onPremisesExtensionAttributes"))
    {
        let n = name.get("extensionAttribute".len()..).unwrap_or("1");
        return Some(format!(
            "the export has `onPremisesExtensionAttributes` as one column, not `{name}`: export it flattened, e.g. `Select-Object ...,@{{n='{name}';e={{$_.OnPremisesExtensionAttributes.ExtensionAttribute{n}}}}}` (`scopesim exports RULES` prints the whole command)"
        ));
    }
    // A similar column of this export (never a name the export does not have).
    let known: Vec<&str> = dir.available().keys().map(String::as_str).collect();
    similar_column(name, &known).map(|s| {
        format!(
            "the export has `{s}`; did you mean it? Otherwise export with `$select=...` or `-Property ...` naming `{name}`"
        )
    })
}

/// The export column closest to `name` (edit distance at most a quarter of its length,
/// and at least 2), when there is one.
fn similar_column<'a>(name: &str, columns: &[&'a str]) -> Option<&'a str> {
    let key = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for &cand in columns {
        let d = strsim::levenshtein(&cand.to_lowercase(), &key);
        if d == 0 {
            continue;
        }
        let limit = 2.max(cand.len() / 4);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::{ColumnKind, Directory};

    fn dir(columns: &[(&str, &str)]) -> Directory {
        let mut b = Directory::builder();
        for (name, original) in columns {
            b.column(name, original, ColumnKind::Text);
            b.saw_attribute(name, ColumnKind::Text);
        }
        b.build()
    }

    #[test]
    fn s3_a_graph_name_in_the_rules_gets_the_schema_name() {
        let d = dir(&[("mobile", "mobilePhone"), ("objectId", "id")]);
        let help = absent_attribute_help(&d, "mobilePhone").unwrap();
        assert!(help.contains("write `mobile`"), "{help}");
        assert!(
            help.contains("`mobilePhone` column is read as `mobile`"),
            "{help}"
        );
        let help = absent_attribute_help(&d, "id").unwrap();
        assert!(help.contains("write `objectId`"), "{help}");
    }

    #[test]
    fn s2_a_similar_column_is_named_only_when_the_export_has_one() {
        let d = dir(&[("department", "department")]);
        let help = absent_attribute_help(&d, "departmnt").unwrap();
        assert!(help.contains("the export has `department`"), "{help}");
        // `jobTitle` is a schema name close to `jobTitel`, but this export has no such
        // column: no hint.
        assert_eq!(absent_attribute_help(&d, "jobTitel"), None);
    }

    #[test]
    fn an_unflattened_extension_attributes_column_is_explained() {
        let d = dir(&[(
            "onPremisesExtensionAttributes",
            "OnPremisesExtensionAttributes",
        )]);
        let help = absent_attribute_help(&d, "extensionAttribute3").unwrap();
        assert!(
            help.contains("$_.OnPremisesExtensionAttributes.ExtensionAttribute3"),
            "{help}"
        );
    }
}
