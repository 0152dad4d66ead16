//! The target side of a payload: what the target app's schema says of each attribute
//! (required, multi-valued, case-exact, reference, maximum length), and the value an
//! existing account holds for a mapping's target attribute.
//!
//! Graph's synchronization schema describes the target object in `directories[].objects[]`
//! as `attributeDefinition`s (GD `synchronization-attributedefinition`): `required`,
//! `multivalued`, `caseExact`, `type` (`Reference` for a manager), `referencedObjects`,
//! and `metadata` entries whose key `MaximumLength` is "the maximum character length of
//! the target attribute" (GD `synchronization-attributedefinitionmetadataentry`).
//!
//! A target-state export keeps every column as text (nested SCIM values as JSON text), so
//! a target attribute is found by its exact column first and then by its SCIM path:
//! `name.givenName` in the `name` object, `emails[type eq "work"].value` in the `emails`
//! array, `urn:...:enterprise:2.0:User:department` in the extension's object. A target
//! attribute the export has no column for is [`Current::Unknown`], never NULL: an unknown
//! value cannot tell an update that changes something from one that does not.

use crate::rules::json_tree::{Json, JsonKind};
use std::collections::HashMap;

/// One attribute of the target object, as the schema defines it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttributeDefinition {
    /// Its name (for SCIM, the whole path: `emails[type eq "work"].value`).
    pub name: String,
    /// `required`: a create without it fails (`MandatoryFieldsMissing`).
    pub required: bool,
    /// `multivalued`.
    pub multivalued: bool,
    /// `caseExact`: values differing only in letter case are different.
    pub case_exact: bool,
    /// `type` `Reference` or `referencedObjects` given: Entra sends the referenced
    /// object's id in the target (a manager's account), which scopesim cannot know.
    pub reference: bool,
    /// `metadata` `MaximumLength`, in characters.
    pub max_length: Option<usize>,
}

/// The attribute definitions of a target object, by name ignoring case.
#[derive(Debug, Clone, Default)]
pub struct Definitions {
    by_name: HashMap<String, AttributeDefinition>,
}

impl Definitions {
    /// No definitions (a schema without `directories`).
    pub fn none() -> Definitions {
        Definitions::default()
    }

    /// Reads the `attributes` of an `objects[]` entry. Entries of another shape are
    /// skipped: definitions only add checks, they never change a value.
    pub fn read(object: &Json) -> Definitions {
        let mut by_name = HashMap::new();
        let Some(attrs) = object.member("attributes").and_then(Json::as_array) else {
            return Definitions::default();
        };
        for a in attrs {
            let Some(name) = a.member("name").and_then(Json::as_str) else {
                continue;
            };
            let flag = |k: &str| matches!(a.member(k).map(|v| &v.kind), Some(JsonKind::Bool(true)));
            let ty = a.member("type").and_then(Json::as_str).unwrap_or("");
            let referenced = a
                .member("referencedObjects")
                .and_then(Json::as_array)
                .is_some_and(|r| !r.is_empty());
            let max_length = a
                .member("metadata")
                .and_then(Json::as_array)
                .and_then(|m| {
                    m.iter().find(|e| {
                        e.member("key")
                            .and_then(Json::as_str)
                            .is_some_and(|k| k.eq_ignore_ascii_case("MaximumLength"))
                    })
                })
                .and_then(|e| e.member("value"))
                .and_then(|v| match &v.kind {
                    JsonKind::String(s) => s.text.trim().parse::<usize>().ok(),
                    JsonKind::Number(n) => n.parse::<usize>().ok(),
                    _ => None,
                });
            by_name.insert(
                name.to_lowercase(),
                AttributeDefinition {
                    name: name.to_string(),
                    required: flag("required"),
                    multivalued: flag("multivalued"),
                    case_exact: flag("caseExact"),
                    reference: ty.eq_ignore_ascii_case("Reference") || referenced,
                    max_length,
                },
            );
        }
        Definitions { by_name }
    }

    /// The definition of target attribute `name` (ignoring case).
    pub fn get(&self, name: &str) -> Option<&AttributeDefinition> {
        self.by_name.get(&name.to_lowercase())
    }

    /// True when the schema defined no attribute.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

/// What an existing account holds for a target attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Current {
    /// The export has no column for it (or no target state was given).
    Unknown,
    /// The account has no value.
    Null,
    /// One value.
    Str(String),
    /// Several values (a JSON array of texts).
    List(Vec<String>),
}

impl Current {
    /// The value as the payload file shows it.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Current::Unknown | Current::Null => serde_json::Value::Null,
            Current::Str(s) => serde_json::Value::String(s.clone()),
            Current::List(l) => serde_json::Value::from(l.clone()),
        }
    }

    /// True when the account holds no value.
    pub fn is_null(&self) -> bool {
        match self {
            Current::Null => true,
            Current::Str(s) => s.is_empty(),
            Current::List(l) => l.is_empty(),
            Current::Unknown => false,
        }
    }
}

/// The current values of one account, by target attribute.
pub trait CurrentValues {
    /// What the account holds for target attribute `target`.
    fn current(&self, target: &str) -> Current;
}

/// No account is known: every attribute is [`Current::Unknown`].
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAccount;

impl CurrentValues for NoAccount {
    fn current(&self, _target: &str) -> Current {
        Current::Unknown
    }
}

/// Resolves target attribute `target` against an account's columns. `column(name)` is
/// `None` when the export has no column of that name (ignoring case is the caller's),
/// `Some(None)` when the account's cell is empty, else its text.
pub fn resolve<'a>(target: &str, column: &dyn Fn(&str) -> Option<Option<&'a str>>) -> Current {
    if let Some(cell) = column(target) {
        return match cell {
            None => Current::Null,
            Some(text) => from_text(text),
        };
    }
    let Some(path) = ScimPath::parse(target) else {
        return Current::Unknown;
    };
    let Some(cell) = column(path.column) else {
        return Current::Unknown;
    };
    let Some(text) = cell else {
        return Current::Null;
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Current::Unknown;
    };
    let mut node = &json;
    if let Some(inner) = path.member {
        node = match node.get(inner).or_else(|| get_ignore_case(node, inner)) {
            Some(n) => n,
            None => return Current::Null,
        };
    }
    if let Some((key, want)) = path.filter {
        let Some(items) = node.as_array() else {
            return Current::Unknown;
        };
        let hit = items.iter().find(|item| {
            let v = item.get(key).or_else(|| get_ignore_case(item, key));
            v.is_some_and(|v| scalar_text(v).is_some_and(|t| t.eq_ignore_ascii_case(want)))
        });
        node = match hit {
            Some(h) => h,
            None => return Current::Null,
        };
    }
    if let Some(sub) = path.sub {
        node = match node.get(sub).or_else(|| get_ignore_case(node, sub)) {
            Some(n) => n,
            None => return Current::Null,
        };
    }
    from_json(node)
}

fn get_ignore_case<'j>(v: &'j serde_json::Value, key: &str) -> Option<&'j serde_json::Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn scalar_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn from_json(v: &serde_json::Value) -> Current {
    match v {
        serde_json::Value::Null => Current::Null,
        serde_json::Value::Array(items) => {
            let texts: Vec<String> = items
                .iter()
                .map(|i| scalar_text(i).unwrap_or_else(|| i.to_string()))
                .collect();
            if texts.is_empty() {
                Current::Null
            } else {
                Current::List(texts)
            }
        }
        // A SCIM reference (`manager`) is an object whose `value` is the id.
        serde_json::Value::Object(_) => match v.get("value").and_then(scalar_text) {
            Some(t) => Current::Str(t),
            None => Current::Str(v.to_string()),
        },
        other => scalar_text(other).map_or(Current::Null, Current::Str),
    }
}

/// A cell's text: a JSON array of texts is a list (a multi-valued column of a JSON
/// export), anything else is the text itself.
fn from_text(text: &str) -> Current {
    if text.starts_with('[') {
        if let Ok(serde_json::Value::Array(items)) = serde_json::from_str(text) {
            return from_json(&serde_json::Value::Array(items));
        }
    }
    Current::Str(text.to_string())
}

/// A SCIM attribute path as Entra's SCIM mappings write them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ScimPath<'a> {
    /// The top-level column: `name`, `emails`, or an extension's schema URN.
    column: &'a str,
    /// Within an extension's object: the attribute (`department`).
    member: Option<&'a str>,
    /// `[key eq "value"]`.
    filter: Option<(&'a str, &'a str)>,
    /// `.sub`.
    sub: Option<&'a str>,
}

impl<'a> ScimPath<'a> {
    fn parse(target: &'a str) -> Option<ScimPath<'a>> {
        // `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`
        let (column, member, rest) = if target.starts_with("urn:") {
            let at = target.rfind(':')?;
            let attr = &target[at + 1..];
            let end = attr.find(['[', '.']).unwrap_or(attr.len());
            (&target[..at], Some(&attr[..end]), &attr[end..])
        } else {
            let end = target.find(['[', '.'])?;
            (&target[..end], None, &target[end..])
        };
        let mut rest = rest;
        let mut filter = None;
        if let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']')?;
            let f = &inner[..close];
            let (key, value) = f.split_once(" eq ")?;
            let value = value.trim().strip_prefix('"')?.strip_suffix('"')?;
            filter = Some((key.trim(), value));
            rest = &inner[close + 1..];
        }
        let sub = match rest.strip_prefix('.') {
            Some(s) if !s.is_empty() && !s.contains(['.', '[']) => Some(s),
            Some(_) => return None,
            None if rest.is_empty() => None,
            None => return None,
        };
        if column.is_empty() || (member.is_none() && filter.is_none() && sub.is_none()) {
            return None;
        }
        Some(ScimPath {
            column,
            member,
            filter,
            sub,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols<'a>(
        pairs: &'a [(&'a str, Option<&'a str>)],
    ) -> impl Fn(&str) -> Option<Option<&'a str>> + 'a {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| *v)
        }
    }

    #[test]
    fn scim_paths_are_found_in_the_nested_json_of_a_target_state() {
        let pairs = [
            ("userName", Some("anna@contoso.com")),
            (
                "name",
                Some(r#"{"givenName":"Anna","familyName":"Schmidt"}"#),
            ),
            (
                "emails",
                Some(r#"[{"type":"work","value":"anna@contoso.com","primary":true}]"#),
            ),
            (
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                Some(r#"{"department":"IT","manager":{"value":"m-1"}}"#),
            ),
            ("title", None),
        ];
        let c = cols(&pairs);
        assert_eq!(
            resolve("userName", &c),
            Current::Str("anna@contoso.com".into())
        );
        assert_eq!(resolve("name.givenName", &c), Current::Str("Anna".into()));
        assert_eq!(
            resolve("emails[type eq \"work\"].value", &c),
            Current::Str("anna@contoso.com".into())
        );
        assert_eq!(
            resolve("emails[type eq \"other\"].value", &c),
            Current::Null
        );
        assert_eq!(
            resolve(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                &c
            ),
            Current::Str("IT".into())
        );
        assert_eq!(
            resolve(
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
                &c
            ),
            Current::Str("m-1".into())
        );
        assert_eq!(resolve("title", &c), Current::Null);
        assert_eq!(
            resolve("phoneNumbers[type eq \"work\"].value", &c),
            Current::Unknown,
            "no column: unknown, not null"
        );
    }

    #[test]
    fn definitions_read_required_and_maximum_length() {
        let text = r#"{"name": "User", "attributes": [
            {"name": "Alias", "required": true, "type": "String", "metadata": [{"key": "MaximumLength", "value": "8"}]},
            {"name": "manager", "type": "Reference", "referencedObjects": [{"referencedObjectName": "User"}]},
            {"name": "emails[type eq \"work\"].value", "caseExact": false, "multivalued": false}
        ]}"#;
        let j = crate::rules::json_tree::parse_json(text, crate::source::SourceId(0)).unwrap();
        let d = Definitions::read(&j);
        let alias = d.get("alias").unwrap();
        assert!(alias.required && alias.max_length == Some(8));
        assert!(d.get("manager").unwrap().reference);
        assert!(d.get("EMAILS[type eq \"work\"].value").is_some());
    }
}
