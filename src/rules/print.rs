//! Writes the rule model back as `.scope` text, in one canonical layout.
//!
//! Used by `scopesim convert --to scope` (from Graph JSON, or to normalise a file) and by
//! the round-trip tests: printing then parsing must give the same model. Operators are
//! written in their canonical spelling; values containing a backslash are written as raw
//! strings so that regex patterns read exactly as in the portal.

use super::ast::*;
use std::fmt::Write;

/// Options for printing.
#[derive(Debug, Clone, Copy, Default)]
pub struct PrintOptions {
    /// Write the filters of `graph "file"` stages inline instead of the reference.
    pub inline_graph: bool,
}

/// Prints a whole rule set.
pub fn print_rules(rules: &RuleSet, opts: PrintOptions) -> String {
    let mut out = String::new();
    for (i, app) in rules.apps.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        print_app(&mut out, app, opts);
    }
    out
}

fn print_app(out: &mut String, app: &App, opts: PrintOptions) {
    let _ = writeln!(out, "app {} {{", quote(&app.name.node));
    let mut settings = false;
    // A setting taken from a secrets export says so, so that the printed file keeps the
    // provenance for a reader (reading it back, the setting is simply written).
    let from = |setting: &str| -> String {
        app.secrets
            .iter()
            .find(|s| s.setting.starts_with(setting))
            .map(|s| {
                if s.value.len() <= 20 && !s.value.contains('{') {
                    format!("  # {}={} in the secrets export", s.key, s.value)
                } else {
                    format!("  # {} in the secrets export", s.key)
                }
            })
            .unwrap_or_default()
    };
    if let Some(s) = &app.scope {
        let _ = writeln!(out, "  scope {}{}", s.node.as_str(), from("scope "));
        settings = true;
    }
    if let Some(s) = &app.skip_out_of_scope_deletions {
        let _ = writeln!(
            out,
            "  skip_out_of_scope_deletions {}{}",
            s.node,
            from("skip_out_of_scope_deletions ")
        );
        settings = true;
    }
    if let Some(s) = &app.deletion_threshold {
        let _ = writeln!(
            out,
            "  deletion_threshold {}{}",
            s.node,
            from("deletion_threshold ")
        );
        settings = true;
    }
    if let Some(s) = &app.object.enabled {
        let _ = writeln!(out, "  mapping_enabled {}", s.node);
        settings = true;
    }
    if let Some(s) = &app.object.flow_types {
        let _ = writeln!(out, "  flow_types {}", quote(&s.node.as_graph()));
        settings = true;
    }
    for m in &app.object.matching {
        let _ = writeln!(out, "  {}", matching_text(m));
        settings = true;
    }
    let implicit = app.stages.len() == 1 && app.stages[0].implicit;
    if implicit {
        if settings && !app.stages[0].filters.is_empty() {
            out.push('\n');
        }
        print_filters(out, &app.stages[0].filters, "  ");
    } else {
        for stage in &app.stages {
            if settings {
                out.push('\n');
                settings = false;
            }
            let _ = write!(out, "  stage {}", quote(&stage.name.node));
            if let Some(e) = &stage.extends {
                let _ = write!(out, " extends {}", quote(&e.node));
            }
            match (&stage.graph, opts.inline_graph) {
                (Some(g), false) => {
                    let _ = writeln!(out, " graph {}", quote(&g.node));
                }
                _ => {
                    if stage.filters.is_empty() {
                        out.push_str(" {\n  }\n");
                    } else {
                        out.push_str(" {\n");
                        print_filters(out, &stage.filters, "    ");
                        out.push_str("  }\n");
                    }
                }
            }
        }
    }
    out.push_str("}\n");
}

fn print_filters(out: &mut String, filters: &FilterSet, indent: &str) {
    for f in filters.iter() {
        print_filter(out, f, indent);
    }
}

/// Prints one filter block at an indentation.
pub fn print_filter(out: &mut String, f: &Filter, indent: &str) {
    let _ = writeln!(
        out,
        "{indent}{} {} {{",
        f.kind.keyword(),
        quote(&f.name.node)
    );
    for c in &f.clauses {
        let _ = writeln!(out, "{indent}  {}", clause_text(c));
    }
    let _ = writeln!(out, "{indent}}}");
}

/// One matching attribute as a line of `.scope` text (S32).
pub fn matching_text(m: &Matching) -> String {
    let source = match &m.expression {
        // Expressions quote their strings with `"`: a raw string keeps them readable.
        Some(e) if e.contains('"') && !e.contains('\'') && !e.chars().any(char::is_control) => {
            format!("expression '{e}'")
        }
        Some(e) => format!("expression {}", value_literal(e)),
        None => attribute_text(&m.source.node),
    };
    format!(
        "match {source} -> {} priority {}",
        attribute_text(&m.target),
        m.priority
    )
}

fn attribute_text(name: &str) -> String {
    if is_ident(name) {
        name.to_string()
    } else {
        quote(name)
    }
}

/// One clause as a line of `.scope` text.
pub fn clause_text(c: &Clause) -> String {
    let attr = attribute_text(&c.attribute.node);
    let op = match &c.operator.node {
        OperatorName::Known(op) => op.canonical().to_string(),
        OperatorName::Unknown(s) => s.clone(),
    };
    let mut line = format!("{attr} {op}");
    for v in &c.values {
        line.push(' ');
        line.push_str(&value_literal(&v.text));
    }
    line
}

/// A value as a literal: raw `'...'` when it has a backslash and no control characters,
/// double-quoted otherwise.
pub fn value_literal(text: &str) -> String {
    if text.contains('\\') && !text.chars().any(char::is_control) {
        format!("'{}'", text.replace('\'', "''"))
    } else {
        quote(text)
    }
}

/// A double-quoted string with escapes.
pub fn quote(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            '\0' => s.push_str("\\0"),
            c if c.is_control() => {
                let _ = write!(s, "\\u{{{:x}}}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse::parse_scope;
    use crate::source::Sources;

    #[test]
    fn quoting_round_trips_awkward_values() {
        for v in [
            "plain",
            "with \"quote\"",
            "back\\slash",
            "it's \\d",
            "tab\tnew\nline",
            "é😀",
        ] {
            let text = format!(
                "app \"A\" {{ filter \"f\" {{\n a EQUALS {}\n}} }}",
                value_literal(v)
            );
            let mut s = Sources::new();
            let id = s.add("t", None, text);
            let (r, d) = parse_scope(&s, id);
            assert!(d.is_empty(), "{v}: {d:?}");
            assert_eq!(
                r.apps[0].stages[0].filters.groups[0].clauses[0].values[0].text,
                v
            );
        }
    }
}
