//! The values an attribute-mapping expression works on, and the user values it reads.
//!
//! Entra's expression service is .NET and string-typed: an attribute is *absent* (NULL),
//! an empty string, a string, or a list (a multi-valued attribute); Booleans travel as
//! the strings `True`/`False` (.NET `Boolean.ToString`), numbers as their decimal text,
//! and dates as a separate DateTime that renders as `M/d/yyyy h:mm:ss tt` (S39). The
//! three states matter: `IsNull` tells absent from empty, `IsNullOrEmpty` does not, and
//! only a NULL result leaves the target attribute alone (S40).
//!
//! Lengths and positions are counted in UTF-16 code units, as .NET counts them (S34):
//! [`utf16_len`] and [`utf16_slice`] are the only way the functions measure or cut text.

use super::date::DateTime;
use std::collections::BTreeMap;

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Absent: the attribute has no value, or a function gave none. Nothing flows.
    Null,
    /// A string (also numbers and the Booleans `True`/`False`).
    Str(String),
    /// A multi-valued attribute or a `Split` result.
    List(Vec<String>),
    /// A DateTime from `CDate`, `Now`, `DateAdd` or `DateFromNum` (always UTC).
    Date(DateTime),
}

impl Value {
    /// A string value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }

    /// `True` or `False`, as .NET renders a Boolean.
    pub fn bool(b: bool) -> Value {
        Value::Str(if b { "True" } else { "False" }.to_owned())
    }

    /// True for NULL (an empty list is NULL too: it has no value).
    pub fn is_null(&self) -> bool {
        match self {
            Value::Null => true,
            Value::List(items) => items.is_empty(),
            _ => false,
        }
    }

    /// True for NULL or the empty string (or a list of one empty string).
    pub fn is_null_or_empty(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Str(s) => s.is_empty(),
            Value::List(items) => items.iter().all(String::is_empty),
            Value::Date(_) => false,
        }
    }

    /// The text a string function sees: NULL is `None`, a date renders as
    /// `M/d/yyyy h:mm:ss tt`, and a list of one value is that value. A list of several
    /// values is `Err(count)`: what a string function does with one is undocumented.
    pub fn text(&self) -> Result<Option<String>, usize> {
        match self {
            Value::Null => Ok(None),
            Value::Str(s) => Ok(Some(s.clone())),
            Value::Date(d) => Ok(Some(d.render())),
            Value::List(items) => match items.as_slice() {
                [] => Ok(None),
                [one] => Ok(Some(one.clone())),
                many => Err(many.len()),
            },
        }
    }

    /// The values of a multi-valued view: NULL is none, a string is one.
    pub fn items(&self) -> Vec<String> {
        match self {
            Value::Null => Vec::new(),
            Value::Str(s) => vec![s.clone()],
            Value::Date(d) => vec![d.render()],
            Value::List(items) => items.clone(),
        }
    }

    /// The result as Graph's parseExpression reports it (`evaluationResult` is a list of
    /// strings); `None` for NULL.
    pub fn result_strings(&self) -> Option<Vec<String>> {
        match self {
            Value::Null => None,
            Value::List(items) => Some(items.clone()),
            other => Some(other.items()),
        }
    }

    /// A short rendering for messages and the terminal: `"text"`, `["a", "b"]`, `NULL`.
    pub fn display(&self) -> String {
        match self {
            Value::Null => "NULL".to_owned(),
            Value::Str(s) => quote(s),
            Value::Date(d) => format!("{} (a DateTime)", quote(&d.render())),
            Value::List(items) => {
                let inner: Vec<String> = items.iter().map(|s| quote(s)).collect();
                format!("[{}]", inner.join(", "))
            }
        }
    }
}

/// A string in double quotes with `"` and `\` escaped, as the expression language writes it.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The source attributes of one user, as an expression reads them.
pub trait Values {
    /// The value of attribute `name`, or [`Value::Null`] when the user has none.
    fn get(&self, name: &str) -> Value;

    /// The attribute names this user has, for "did you mean" (may be empty).
    fn names(&self) -> Vec<String>;
}

/// User values held in a map, as `scopesim expression --set` gives them.
///
/// Lookup is exact first, then ignoring letter case (S3); [`MapValues::resolve`] tells
/// which name a reference reached, so the checker can warn about the case difference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MapValues {
    values: BTreeMap<String, Value>,
}

impl MapValues {
    /// No values.
    pub fn new() -> MapValues {
        MapValues::default()
    }

    /// Sets a value (a later set of the same name replaces it).
    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        self.values.insert(name.into(), value);
    }

    /// Builder form of [`MapValues::set`] for a single string.
    pub fn with(mut self, name: &str, value: &str) -> MapValues {
        self.set(name, Value::str(value));
        self
    }

    /// Builder form of [`MapValues::set`] for a multi-valued attribute.
    pub fn with_list(mut self, name: &str, items: &[&str]) -> MapValues {
        self.set(
            name,
            Value::List(items.iter().map(|s| (*s).to_owned()).collect()),
        );
        self
    }

    /// The stored name a reference reaches: exact, else the one equal ignoring case.
    pub fn resolve(&self, name: &str) -> Option<&str> {
        if let Some((k, _)) = self.values.get_key_value(name) {
            return Some(k.as_str());
        }
        self.values
            .keys()
            .find(|k| k.eq_ignore_ascii_case(name) || k.to_lowercase() == name.to_lowercase())
            .map(String::as_str)
    }

    /// Every name with its value, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when no attribute is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

impl Values for MapValues {
    fn get(&self, name: &str) -> Value {
        self.resolve(name)
            .and_then(|k| self.values.get(k))
            .cloned()
            .unwrap_or(Value::Null)
    }

    fn names(&self) -> Vec<String> {
        self.values.keys().cloned().collect()
    }
}

/// Length in UTF-16 code units (.NET `String.Length`, S34).
pub fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// A cut at a UTF-16 position that falls between the two halves of a surrogate pair:
/// .NET would keep half a character, which Rust text cannot hold (S34).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HalfPair;

/// The byte offset of UTF-16 unit `unit` (clamped to the end), or [`HalfPair`] when the
/// unit is the second half of a surrogate pair.
pub fn utf16_to_byte(s: &str, unit: usize) -> Result<usize, HalfPair> {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        if units == unit {
            return Ok(i);
        }
        units += c.len_utf16();
        if units > unit {
            return Err(HalfPair);
        }
    }
    Ok(s.len())
}

/// The UTF-16 unit index of byte offset `byte` (which must be a char boundary).
pub fn byte_to_utf16(s: &str, byte: usize) -> usize {
    s.get(..byte).map_or(0, utf16_len)
}

/// `s.Substring(start, len)` in UTF-16 units, clamped to the text; [`HalfPair`] when a
/// cut falls inside a surrogate pair.
pub fn utf16_slice(s: &str, start: usize, len: usize) -> Result<&str, HalfPair> {
    let a = utf16_to_byte(s, start)?;
    let b = utf16_to_byte(s, start.saturating_add(len))?;
    Ok(&s[a..b.max(a)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s34_lengths_and_cuts_count_utf16_units() {
        assert_eq!(utf16_len("Zoë"), 3);
        assert_eq!(utf16_len("a😀b"), 4);
        assert_eq!(utf16_slice("a😀b", 1, 2), Ok("😀"));
        assert_eq!(utf16_slice("a😀b", 2, 1), Err(HalfPair));
        assert_eq!(utf16_slice("abc", 1, 99), Ok("bc"));
        assert_eq!(byte_to_utf16("a😀b", 5), 3);
    }

    #[test]
    fn three_states_and_lists() {
        assert!(Value::Null.is_null());
        assert!(!Value::str("").is_null());
        assert!(Value::str("").is_null_or_empty());
        assert!(Value::List(vec![]).is_null());
        assert_eq!(Value::List(vec!["a".into()]).text(), Ok(Some("a".into())));
        assert_eq!(Value::List(vec!["a".into(), "b".into()]).text(), Err(2));
        assert_eq!(Value::bool(true), Value::str("True"));
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
    }

    #[test]
    fn map_values_look_up_exact_then_ignoring_case() {
        let v = MapValues::new().with("mail", "a@contoso.com");
        assert_eq!(v.get("mail"), Value::str("a@contoso.com"));
        assert_eq!(v.resolve("Mail"), Some("mail"));
        assert_eq!(v.get("Mail"), Value::str("a@contoso.com"));
        assert_eq!(v.get("upn"), Value::Null);
    }
}
