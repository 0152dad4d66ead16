//! A JSON tree that remembers where every value came from.
//!
//! serde_json forgets positions once a document is parsed, but a mistake inside a Graph
//! synchronization schema (an unknown `operatorName`, a bad regex in `values`) must be
//! reported at its line and column like one in a `.scope` file. Schema files are small
//! (kilobytes), so a pest grammar building a spanned tree is simple and fast enough.
//!
//! Both the grammar and the tree builder recurse once per level of nesting, so a linear
//! scan first refuses anything nested deeper than [`MAX_JSON_DEPTH`] with a located error
//! (regorus's `MAX_JSON_DEPTH`): a crafted file of 100,000 `[` cannot exhaust the stack.

use super::ast::{Value, ValueStyle};
use crate::diag::{Code, Diagnostic};
use crate::source::{SourceId, Span};
use pest::Parser;
use pest::iterators::Pair;
use std::sync::Arc;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/json.pest"]
struct JsonParser;

/// A JSON value with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Json {
    /// The value.
    pub kind: JsonKind,
    /// Where it is in the text.
    pub span: Span,
}

/// The JSON value kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonKind {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string, decoded, with its byte map.
    String(Value),
    /// An array.
    Array(Vec<Json>),
    /// An object: keys (decoded) and values, in order.
    Object(Vec<(Value, Json)>),
}

impl Json {
    /// The member `key` of an object (first match).
    pub fn get(&self, key: &str) -> Option<&Json> {
        match &self.kind {
            JsonKind::Object(members) => {
                members.iter().find(|(k, _)| k.text == key).map(|(_, v)| v)
            }
            _ => None,
        }
    }

    /// The member `key` of an object, ignoring ASCII case.
    pub fn get_ignore_case(&self, key: &str) -> Option<&Json> {
        match &self.kind {
            JsonKind::Object(members) => members
                .iter()
                .find(|(k, _)| k.text.eq_ignore_ascii_case(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The member `key` of an object: exact first, then ignoring ASCII case (the Graph
    /// PowerShell SDK writes PascalCase keys, `Expression` for Graph's `expression`).
    pub fn member(&self, key: &str) -> Option<&Json> {
        self.get(key).or_else(|| self.get_ignore_case(key))
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            JsonKind::String(v) => Some(&v.text),
            _ => None,
        }
    }

    /// The string value with its byte map, when this is one.
    pub fn as_value(&self) -> Option<&Value> {
        match &self.kind {
            JsonKind::String(v) => Some(v),
            _ => None,
        }
    }

    /// The items, when this is an array.
    pub fn as_array(&self) -> Option<&[Json]> {
        match &self.kind {
            JsonKind::Array(items) => Some(items),
            _ => None,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.kind, JsonKind::Null)
    }

    /// A short name of the kind, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "a Boolean",
            JsonKind::Number(_) => "a number",
            JsonKind::String(_) => "a string",
            JsonKind::Array(_) => "an array",
            JsonKind::Object(_) => "an object",
        }
    }
}

impl Json {
    /// The value as serde_json holds it (numbers as written when serde_json reads them,
    /// else as their text), for writers that copy a subtree to another document.
    pub fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.kind {
            JsonKind::Null => J::Null,
            JsonKind::Bool(b) => J::Bool(*b),
            JsonKind::Number(n) => serde_json::from_str(n).unwrap_or_else(|_| J::String(n.clone())),
            JsonKind::String(v) => J::String(v.text.clone()),
            JsonKind::Array(items) => J::Array(items.iter().map(Json::to_serde).collect()),
            JsonKind::Object(members) => J::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.text.clone(), v.to_serde()))
                    .collect(),
            ),
        }
    }
}

/// How deep arrays and objects may nest. A synchronization schema nests about ten levels,
/// plus four per level of function nesting in an attribute-mapping expression.
pub const MAX_JSON_DEPTH: usize = 256;

/// Parses a JSON text. A syntax error comes back as one located diagnostic.
pub fn parse_json(text: &str, source: SourceId) -> Result<Json, Diagnostic> {
    if let Some(at) = too_deep(text, MAX_JSON_DEPTH) {
        return Err(Diagnostic::error(
            Code::NestingTooDeep,
            format!("the JSON is nested more than {MAX_JSON_DEPTH} levels deep"),
        )
        .with_label(source, Span::new(at, at + 1), "too deep")
        .with_help("a synchronization schema nests about ten levels: is this the right file?"));
    }
    let mut pairs = JsonParser::parse(Rule::json, text).map_err(|_| syntax_error(text, source))?;
    let root = pairs
        .next()
        .and_then(|json| json.into_inner().find(|p| p.as_rule() != Rule::EOI))
        .ok_or_else(|| Diagnostic::error(Code::JsonSyntax, "invalid JSON: the text is empty"))?;
    Ok(build(root))
}

/// The offset of the first `[` or `{` (outside strings) that opens level `limit + 1`.
fn too_deep(text: &str, limit: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Locates a syntax error with serde_json, whose messages name what was expected.
fn syntax_error(text: &str, source: SourceId) -> Diagnostic {
    let err = match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Err(e) => e,
        Ok(_) => {
            return Diagnostic::error(Code::JsonSyntax, "invalid JSON")
                .with_label(source, Span::new(0, 0), "")
                .with_help("check the file with a JSON validator");
        }
    };
    // serde_json counts columns in bytes from 1; find the byte offset of (line, column).
    let line_start: usize = text
        .split_inclusive('\n')
        .take(err.line().saturating_sub(1))
        .map(str::len)
        .sum();
    let mut at = (line_start + err.column().saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    let message = err.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    Diagnostic::error(Code::JsonSyntax, format!("invalid JSON: {message}"))
        .with_label(source, Span::new(at, end), "here")
        .with_help("check for a missing comma, quote or bracket just before this point")
}

fn build(p: Pair<'_, Rule>) -> Json {
    let s = p.as_span();
    let span = Span::new(s.start(), s.end());
    let kind = match p.as_rule() {
        Rule::object => JsonKind::Object(
            p.into_inner()
                .filter_map(|pair| {
                    let mut inner = pair.into_inner();
                    let key = inner.next()?;
                    let value = inner.next()?;
                    let key = string_value(key);
                    Some((key, build(value)))
                })
                .collect(),
        ),
        Rule::array => JsonKind::Array(p.into_inner().map(build).collect()),
        Rule::string => JsonKind::String(string_value(p)),
        Rule::number => JsonKind::Number(p.as_str().to_string()),
        Rule::boolean => JsonKind::Bool(p.as_str() == "true"),
        _ => JsonKind::Null,
    };
    Json { kind, span }
}

/// Decodes a JSON string pair, keeping the source offset of every decoded byte.
fn string_value(p: Pair<'_, Rule>) -> Value {
    let s = p.as_span();
    let span = Span::new(s.start(), s.end());
    let inner = p.into_inner().next();
    let (base, raw) = match &inner {
        Some(i) => (i.as_span().start(), i.as_str()),
        None => (span.start + 1, ""),
    };
    if !raw.contains('\\') {
        return Value::plain(raw, ValueStyle::Json, span);
    }
    let mut text = String::with_capacity(raw.len());
    let mut map: Vec<usize> = Vec::with_capacity(raw.len() + 1);
    let bytes = raw.as_bytes();
    let mut i = 0;
    let push = |text: &mut String, map: &mut Vec<usize>, c: char, at: usize| {
        let before = text.len();
        text.push(c);
        for _ in before..text.len() {
            map.push(at);
        }
    };
    while i < bytes.len() {
        let at = base + i;
        if bytes[i] != b'\\' {
            let Some(c) = raw[i..].chars().next() else {
                break;
            };
            push(&mut text, &mut map, c, at);
            i += c.len_utf8();
            continue;
        }
        let esc = bytes.get(i + 1).copied().unwrap_or(b'\\');
        let simple = match esc {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            _ => None,
        };
        if let Some(c) = simple {
            push(&mut text, &mut map, c, at);
            i += 2;
            continue;
        }
        // \uXXXX, possibly a surrogate pair
        let hex = |j: usize| {
            raw.get(j..j + 4)
                .and_then(|h| u32::from_str_radix(h, 16).ok())
        };
        let hi = hex(i + 2).unwrap_or(0xfffd);
        let mut consumed = 6;
        let code = if (0xd800..0xdc00).contains(&hi) && raw.get(i + 6..i + 8) == Some("\\u") {
            match hex(i + 8) {
                Some(lo) if (0xdc00..0xe000).contains(&lo) => {
                    consumed = 12;
                    0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                }
                _ => 0xfffd,
            }
        } else {
            hi
        };
        push(
            &mut text,
            &mut map,
            char::from_u32(code).unwrap_or('\u{fffd}'),
            at,
        );
        i += consumed;
    }
    map.push(base + raw.len());
    Value {
        text,
        style: ValueStyle::Json,
        span,
        map: Some(Arc::from(map)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_spans_and_escapes() {
        let text = r#"{"a": [1, true, null, "x\"y\u00e9"], "b": {"c": "\\d+"}}"#;
        let j = parse_json(text, SourceId(0)).unwrap();
        let a = j.get("a").unwrap().as_array().unwrap();
        assert_eq!(a.len(), 4);
        assert_eq!(a[3].as_str(), Some("x\"yé"));
        let c = j.get("b").unwrap().get("c").unwrap().as_value().unwrap();
        assert_eq!(c.text, "\\d+");
        // the `+` of the decoded pattern maps to the `+` in the file
        let s = c.source_span(2..3);
        assert_eq!(&text[s.start..s.end], "+");
    }

    #[test]
    fn syntax_errors_are_located() {
        let text = "{\n  \"a\": 1\n  \"b\": 2\n}";
        let e = parse_json(text, SourceId(0)).unwrap_err();
        assert_eq!(e.message, "invalid JSON: expected `,` or `}`");
        let at = e.labels[0].span.start;
        assert_eq!(crate::source::line_col(text, at).line, 3, "{at}");
    }

    #[test]
    fn a_100000_deep_nesting_is_a_located_error_not_a_stack_overflow() {
        for text in [
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
            format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000)),
            "[".repeat(100_000),
        ] {
            let e = parse_json(&text, SourceId(0)).unwrap_err();
            assert_eq!(e.code, Code::NestingTooDeep);
            assert_eq!(
                e.labels[0].span.start,
                text.match_indices(['[', '{'])
                    .nth(MAX_JSON_DEPTH)
                    .unwrap()
                    .0
            );
        }
    }

    #[test]
    fn the_deepest_accepted_nesting_parses_on_a_test_thread() {
        let text = format!(
            "{}{}",
            "[".repeat(MAX_JSON_DEPTH),
            "]".repeat(MAX_JSON_DEPTH)
        );
        let mut j = parse_json(&text, SourceId(0)).unwrap();
        let mut depth = 1;
        while let JsonKind::Array(mut items) = j.kind {
            match items.pop() {
                Some(inner) => {
                    j = inner;
                    depth += 1;
                }
                None => break,
            }
        }
        assert_eq!(depth, MAX_JSON_DEPTH);
        let objects = format!(
            "{}1{}",
            "{\"a\": ".repeat(MAX_JSON_DEPTH),
            "}".repeat(MAX_JSON_DEPTH)
        );
        assert!(parse_json(&objects, SourceId(0)).is_ok());
        // brackets inside strings do not count
        let quoted = format!("[\"{}\"]", "[".repeat(1000));
        assert!(parse_json(&quoted, SourceId(0)).is_ok());
    }

    #[test]
    fn surrogate_pairs_decode() {
        let j = parse_json(r#""\ud83d\ude00""#, SourceId(0)).unwrap();
        assert_eq!(j.as_str(), Some("😀"));
    }
}
