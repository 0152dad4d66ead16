//! Reads `.scope` text into the rule model, reporting every mistake of a file at once.
//!
//! pest's parse tree (`Pair`) is `Rc`-based and tied to the text, so it never leaves this
//! module: the builder below turns it into the owned, spanned model of [`super::ast`].
//! The grammar accepts likely mistakes (unknown operators, bad settings, unreadable lines)
//! as recovery nodes, and the builder turns each into one located diagnostic. Only
//! unbalanced braces stop the parse, because then no structure can be trusted.

use super::ast::*;
use super::operator::Operator;
use crate::diag::{Code, Diagnostic};
use crate::source::{SourceId, Sources, Span};
use pest::Parser;
use pest::iterators::Pair;
use std::sync::Arc;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/scopesim.pest"]
struct ScopeParser;

/// Settings an app accepts, for "did you mean".
const SETTINGS: &[&str] = &[
    "scope",
    "skip_out_of_scope_deletions",
    "deletion_threshold",
    "delete_flow",
];
/// Keywords, for "did you mean" on unreadable lines.
const KEYWORDS: &[&str] = &[
    "app",
    "stage",
    "filter",
    "input_filter",
    "category_filter",
    "extends",
    "graph",
    "scope",
    "skip_out_of_scope_deletions",
    "deletion_threshold",
    "delete_flow",
];

/// Parses the `.scope` text of source `id`. Graph files named by stages are not read here
/// (see [`super::load`]); such stages come back with empty filters and `graph` set.
pub fn parse_scope(sources: &Sources, id: SourceId) -> (RuleSet, Vec<Diagnostic>) {
    let Some(file) = sources.get(id) else {
        return (RuleSet::default(), Vec::new());
    };
    let text = file.text.clone();
    let mut b = Builder {
        source: id,
        text: &text,
        diags: Vec::new(),
    };
    let brace_errors = check_braces(&text, id);
    if !brace_errors.is_empty() {
        return (RuleSet::default(), brace_errors);
    }
    let rules = match ScopeParser::parse(Rule::file, &text) {
        Ok(mut pairs) => match pairs.next() {
            Some(file) => b.file(file),
            None => RuleSet::default(),
        },
        Err(e) => {
            b.diags.push(pest_error(e, id));
            RuleSet::default()
        }
    };
    (rules, b.diags)
}

struct Builder<'t> {
    source: SourceId,
    text: &'t str,
    diags: Vec<Diagnostic>,
}

fn span_of(p: &Pair<'_, Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

impl Builder<'_> {
    fn error(
        &mut self,
        code: Code,
        span: Span,
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        let mut d = Diagnostic::error(code, message).with_label(self.source, span, label);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.diags.push(d);
    }

    fn file(&mut self, file: Pair<'_, Rule>) -> RuleSet {
        let mut apps = Vec::new();
        for p in file.into_inner() {
            match p.as_rule() {
                Rule::app => {
                    if let Some(app) = self.app(p) {
                        apps.push(app);
                    }
                }
                Rule::junk_top => self.junk(&p, "an `app \"Name\" { ... }` block"),
                _ => {}
            }
        }
        RuleSet { apps }
    }

    fn app(&mut self, p: Pair<'_, Rule>) -> Option<App> {
        let span = span_of(&p);
        let mut name = None;
        let mut app = App {
            name: Spanned::new(String::new(), span),
            source: self.source,
            span,
            scope: None,
            skip_out_of_scope_deletions: None,
            deletion_threshold: None,
            delete_flow: None,
            object: ObjectSettings::default(),
            stages: Vec::new(),
        };
        let mut direct = FilterSet::default();
        let mut direct_span: Option<Span> = None;
        for item in p.into_inner() {
            match item.as_rule() {
                Rule::name => name = Some(self.name(item)),
                Rule::stage => {
                    if let Some(stage) = self.stage(item) {
                        app.stages.push(stage);
                    }
                }
                Rule::filter => {
                    let f = self.filter(item);
                    direct_span = Some(direct_span.map_or(f.span, |s| s.join(f.span)));
                    direct.push(f);
                }
                Rule::setting => self.setting(item, &mut app),
                Rule::junk_item => self.junk(&item, "a setting, a `stage` or a `filter`"),
                _ => {}
            }
        }
        app.name = name?;
        if direct_span.is_none() && app.stages.is_empty() {
            // No filter anywhere: one stage in which every candidate is in scope (S22).
            app.stages.push(Stage {
                name: Spanned::new("current".to_string(), app.name.span),
                extends: None,
                source: self.source,
                span,
                implicit: true,
                graph: None,
                filters: FilterSet::default(),
            });
        }
        if let Some(dspan) = direct_span {
            if let Some(first) = app.stages.first() {
                let first_span = first.name.span;
                self.diags.push(
                    Diagnostic::error(
                        Code::FiltersAndStages,
                        format!("app `{}` has both stages and filters written directly in it", app.name.node),
                    )
                    .with_label(self.source, dspan, "filters outside any stage")
                    .with_label(self.source, first_span, "first stage")
                    .with_help("filters directly in an app form one stage named `current`; move them into a stage"),
                );
            } else {
                app.stages.push(Stage {
                    name: Spanned::new("current".to_string(), app.name.span),
                    extends: None,
                    source: self.source,
                    span: dspan,
                    implicit: true,
                    graph: None,
                    filters: direct,
                });
            }
        }
        Some(app)
    }

    fn setting(&mut self, p: Pair<'_, Rule>, app: &mut App) {
        let span = span_of(&p);
        let mut inner = p.into_inner();
        let (Some(key), Some(value)) = (inner.next(), inner.next()) else {
            return;
        };
        let key_text = key.as_str();
        let key_span = span_of(&key);
        let value_span = span_of(&value);
        let raw = value.as_str();
        let value_text = value
            .into_inner()
            .next()
            .map(|v| match v.as_rule() {
                Rule::string => self.string(v).text,
                _ => v.as_str().to_string(),
            })
            .unwrap_or_else(|| raw.to_string());
        let duplicate = |b: &mut Self, prev: Option<Span>| {
            if let Some(prev) = prev {
                b.diags.push(
                    Diagnostic::error(Code::DuplicateSetting, format!("`{key_text}` is set twice"))
                        .with_label(b.source, span, "set again here")
                        .with_label(b.source, prev, "first set here")
                        .with_help("keep one of them"),
                );
            }
        };
        match key_text {
            "scope" => {
                duplicate(self, app.scope.as_ref().map(|s| s.span));
                let mode = match value_text.to_ascii_lowercase().as_str() {
                    "assigned" => Some(ScopeMode::Assigned),
                    "all" => Some(ScopeMode::All),
                    _ => None,
                };
                match mode {
                    Some(m) => app.scope = Some(Spanned::new(m, span)),
                    None => self.error(
                        Code::BadSettingValue,
                        value_span,
                        format!("`scope` must be `assigned` or `all`, not `{value_text}`"),
                        "expected `assigned` or `all`",
                        Some("`assigned` is Entra's \"Sync only assigned users and groups\"; `all` is \"Sync all users and groups\"".into()),
                    ),
                }
            }
            "skip_out_of_scope_deletions" | "delete_flow" => {
                let slot = if key_text == "delete_flow" {
                    &app.delete_flow
                } else {
                    &app.skip_out_of_scope_deletions
                };
                duplicate(self, slot.as_ref().map(|s| s.span));
                match parse_bool(&value_text) {
                    Some(v) => {
                        let s = Some(Spanned::new(v, span));
                        if key_text == "delete_flow" {
                            app.delete_flow = s;
                        } else {
                            app.skip_out_of_scope_deletions = s;
                        }
                    }
                    None => self.error(
                        Code::BadSettingValue,
                        value_span,
                        format!("`{key_text}` must be `true` or `false`, not `{value_text}`"),
                        "expected `true` or `false`",
                        None,
                    ),
                }
            }
            "deletion_threshold" => {
                duplicate(self, app.deletion_threshold.as_ref().map(|s| s.span));
                match value_text.parse::<u64>() {
                    Ok(n) if n > 0 => app.deletion_threshold = Some(Spanned::new(n, span)),
                    _ => self.error(
                        Code::BadSettingValue,
                        value_span,
                        format!("`deletion_threshold` must be a positive whole number, not `{value_text}`"),
                        "expected a number of deletions, such as `50`",
                        Some("leave the setting out to turn accidental-deletion prevention off".into()),
                    ),
                }
            }
            other => {
                let help = suggest_word(other, SETTINGS)
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| Some(format!("an app accepts: {}", SETTINGS.join(", "))));
                self.error(
                    Code::UnknownSetting,
                    key_span,
                    format!("unknown setting `{other}`"),
                    "not a setting",
                    help,
                );
            }
        }
    }

    fn stage(&mut self, p: Pair<'_, Rule>) -> Option<Stage> {
        let span = span_of(&p);
        let mut stage = Stage {
            name: Spanned::new(String::new(), span),
            extends: None,
            source: self.source,
            span,
            implicit: false,
            graph: None,
            filters: FilterSet::default(),
        };
        let mut named = false;
        for item in p.into_inner() {
            match item.as_rule() {
                Rule::name => {
                    stage.name = self.name(item);
                    named = true;
                }
                Rule::extends => {
                    if let Some(n) = item.into_inner().find(|i| i.as_rule() == Rule::name) {
                        stage.extends = Some(self.name(n));
                    }
                }
                Rule::graph_ref => {
                    if let Some(s) = item.into_inner().find(|i| i.as_rule() == Rule::string) {
                        let span = span_of(&s);
                        let v = self.string(s);
                        stage.graph = Some(Spanned::new(v.text, span));
                    }
                }
                Rule::stage_body => {
                    for f in item.into_inner() {
                        match f.as_rule() {
                            Rule::filter => {
                                let f = self.filter(f);
                                stage.filters.push(f);
                            }
                            Rule::junk_item => self.junk(&f, "a `filter \"Name\" { ... }` block"),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        named.then_some(stage)
    }

    fn filter(&mut self, p: Pair<'_, Rule>) -> Filter {
        let span = span_of(&p);
        let mut filter = Filter {
            name: Spanned::new(String::new(), span),
            kind: FilterKind::Scoping,
            clauses: Vec::new(),
            source: self.source,
            span,
        };
        for item in p.into_inner() {
            match item.as_rule() {
                Rule::filter_kw => {
                    filter.kind = match item.as_str().to_ascii_lowercase().as_str() {
                        "input_filter" => FilterKind::Input,
                        "category_filter" => FilterKind::Category,
                        _ => FilterKind::Scoping,
                    }
                }
                Rule::name => filter.name = self.name(item),
                Rule::clause => {
                    if let Some(c) = self.clause(item) {
                        filter.clauses.push(c);
                    }
                }
                Rule::junk_clause => self.junk_clause(&item),
                _ => {}
            }
        }
        filter
    }

    fn clause(&mut self, p: Pair<'_, Rule>) -> Option<Clause> {
        let span = span_of(&p);
        let mut attribute = None;
        let mut operator = None;
        let mut values = Vec::new();
        for item in p.into_inner() {
            match item.as_rule() {
                Rule::attribute => {
                    let aspan = span_of(&item);
                    let inner = item.into_inner().next();
                    let text = match inner {
                        Some(i) if i.as_rule() == Rule::string => self.string(i).text,
                        Some(i) => i.as_str().to_string(),
                        None => String::new(),
                    };
                    attribute = Some(Spanned::new(text, aspan));
                }
                Rule::operator => {
                    let ospan = span_of(&item);
                    let Some(op) = item.into_inner().next() else {
                        continue;
                    };
                    let text = op.as_str();
                    match op.as_rule() {
                        Rule::known_op => {
                            let name = match Operator::parse(text) {
                                Some(o) => OperatorName::Known(o),
                                None => OperatorName::Unknown(text.to_string()),
                            };
                            operator = Some(Spanned::new(name, ospan));
                        }
                        _ => {
                            // `EQUAL IT`: an unknown operator followed by an unquoted value.
                            let (op_span, rest) = split_unknown_operator(text, ospan);
                            let op_text = self.text.get(op_span.start..op_span.end).unwrap_or(text);
                            operator = Some(Spanned::new(
                                OperatorName::Unknown(op_text.to_string()),
                                op_span,
                            ));
                            if let Some(rest) = rest {
                                let t = self
                                    .text
                                    .get(rest.start..rest.end)
                                    .unwrap_or("")
                                    .to_string();
                                values.push(Value::plain(t, ValueStyle::Bare, rest));
                            }
                        }
                    }
                }
                Rule::value => {
                    if let Some(v) = item.into_inner().next() {
                        values.push(self.value(v));
                    }
                }
                _ => {}
            }
        }
        Some(Clause {
            attribute: attribute?,
            operator: operator?,
            values,
            source: self.source,
            span,
        })
    }

    fn value(&mut self, v: Pair<'_, Rule>) -> Value {
        let span = span_of(&v);
        match v.as_rule() {
            Rule::string => self.string(v),
            Rule::number => Value::plain(v.as_str(), ValueStyle::Number, span),
            _ => Value::plain(v.as_str(), ValueStyle::Bare, span),
        }
    }

    fn name(&mut self, p: Pair<'_, Rule>) -> Spanned<String> {
        let span = span_of(&p);
        match p.into_inner().next() {
            Some(s) => Spanned::new(self.string(s).text, span),
            None => Spanned::new(String::new(), span),
        }
    }

    /// Decodes a `string` pair (double-quoted or raw) keeping the byte map.
    fn string(&mut self, p: Pair<'_, Rule>) -> Value {
        let span = span_of(&p);
        let Some(inner) = p.into_inner().next() else {
            return Value::plain("", ValueStyle::Quoted, span);
        };
        let raw = matches!(inner.as_rule(), Rule::sq_string);
        let content = inner.into_inner().next();
        let (cstart, ctext) = match &content {
            Some(c) => (c.as_span().start(), c.as_str()),
            None => (span.start + 1, ""),
        };
        if raw {
            if !ctext.contains("''") {
                return Value::plain(ctext, ValueStyle::Raw, span);
            }
            let mut text = String::with_capacity(ctext.len());
            let mut map = Vec::with_capacity(ctext.len() + 1);
            let mut i = 0;
            let bytes = ctext.as_bytes();
            while i < bytes.len() {
                if bytes[i] == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    text.push('\'');
                    map.push((cstart + i) as u32);
                    i += 2;
                } else {
                    let ch_len = utf8_len(bytes[i]);
                    let chunk = ctext.get(i..i + ch_len).unwrap_or("");
                    text.push_str(chunk);
                    for k in 0..chunk.len() {
                        map.push((cstart + i + k) as u32);
                    }
                    i += ch_len.max(1);
                }
            }
            map.push((cstart + ctext.len()) as u32);
            return Value {
                text,
                style: ValueStyle::Raw,
                span,
                map: Some(Arc::from(map)),
            };
        }
        if !ctext.contains('\\') {
            return Value::plain(ctext, ValueStyle::Quoted, span);
        }
        let (text, map, unknown) = unescape(ctext, cstart);
        for (at, esc) in unknown {
            self.diags.push(
                Diagnostic::warning(Code::UnknownEscape, format!("unknown escape `{esc}` in a double-quoted string is kept as written"))
                    .with_label(self.source, Span::new(at, at + esc.len()), "kept as written")
                    .with_help("write patterns as raw strings in single quotes, where a backslash is literal: '^\\d{3}$'"),
            );
        }
        Value {
            text,
            style: ValueStyle::Quoted,
            span,
            map: Some(Arc::from(map)),
        }
    }

    fn junk(&mut self, p: &Pair<'_, Rule>, expected: &str) {
        let span = span_of(p);
        let text = p.as_str();
        let first_line = text.lines().next().unwrap_or("").trim_end();
        let line_span = Span::new(span.start, span.start + first_line.len());
        let word = first_line
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("");
        let mut help = None;
        let message;
        if let Some(kw) = KEYWORDS.iter().find(|k| k.eq_ignore_ascii_case(word)) {
            message = format!("could not read this `{kw}`");
            help = Some(match *kw {
                "app" => "write `app \"Name\" { ... }`".to_string(),
                "stage" => "write `stage \"Name\" { ... }`, `stage \"Name\" extends \"Earlier\" { ... }` or `stage \"Name\" graph \"schema.json\"`".to_string(),
                "filter" | "input_filter" | "category_filter" => format!("write `{kw} \"Name\" {{ ... }}` with one clause per line"),
                "scope" => "write `scope assigned` or `scope all` on its own line".to_string(),
                "deletion_threshold" => "write `deletion_threshold 50` on its own line".to_string(),
                _ => format!("write `{kw} true` or `{kw} false` on its own line"),
            });
            if first_line.contains('"') && first_line.matches('"').count() % 2 == 1 {
                help = Some("this line has an unterminated string: close it with `\"`".to_string());
            } else if (*kw == "stage" || *kw == "filter" || *kw == "app")
                && !first_line.contains(['"', '\''])
            {
                help = Some(format!("names are quoted: `{kw} \"Name\" {{ ... }}`"));
            }
        } else if let Some(s) = suggest_word(word, KEYWORDS) {
            message = format!("unknown keyword `{word}`");
            help = Some(format!("did you mean `{s}`?"));
        } else {
            message = format!("expected {expected}, found `{}`", truncate(first_line, 40));
        }
        let d = Diagnostic::error(Code::Syntax, message).with_label(
            self.source,
            line_span,
            "cannot read this",
        );
        self.diags.push(match help {
            Some(h) => d.with_help(h),
            None => d,
        });
    }

    fn junk_clause(&mut self, p: &Pair<'_, Rule>) {
        let span = span_of(p);
        let text = p.as_str().trim_end();
        let span = Span::new(span.start, span.start + text.len());
        let quotes = text.matches('"').count();
        let (message, label, help) = if quotes % 2 == 1 {
            (
                "unterminated string".to_string(),
                "this string is not closed",
                "close the string with `\"` on the same line".to_string(),
            )
        } else if text.matches('\'').count() % 2 == 1 {
            (
                "unterminated raw string".to_string(),
                "this string is not closed",
                "close the string with `'` on the same line (write `''` for a quote inside it)"
                    .to_string(),
            )
        } else {
            let mut words = text.split_whitespace();
            let attr = words.next().unwrap_or("");
            if words.next().is_none() {
                (
                    format!("expected an operator after `{}`", truncate(attr, 40)),
                    "clause without operator",
                    "a clause is `attribute OPERATOR value`, such as `department EQUALS \"Sales\"`"
                        .to_string(),
                )
            } else {
                (
                    format!("could not read the clause `{}`", truncate(text, 60)),
                    "not a clause",
                    "a clause is `attribute OPERATOR value` on one line, such as `department EQUALS \"Sales\"`; attribute names are letters, digits, `_`, `.` and `-`".to_string(),
                )
            }
        };
        self.diags.push(
            Diagnostic::error(Code::Syntax, message)
                .with_label(self.source, span, label)
                .with_help(help),
        );
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let t: String = s.chars().take(n).collect();
        format!("{t}…")
    }
}

/// Parses `true`/`false` settings (any case, `yes`/`no`, `on`/`off`).
fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// The closest word of a list, for "did you mean".
pub(crate) fn suggest_word<'a>(word: &str, list: &[&'a str]) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    if w.is_empty() {
        return None;
    }
    list.iter()
        .map(|k| (strsim::levenshtein(k, &w), *k))
        .filter(|(d, k)| *d > 0 && *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Splits `EQUAL IT` into an operator part and a trailing unquoted value, when a prefix of
/// the words is a near-miss operator and the whole is not.
fn split_unknown_operator(text: &str, span: Span) -> (Span, Option<Span>) {
    let mut best = Operator::suggest_with_distance(text).map(|(_, d)| (d, text.len()));
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        let sep = c == ' ' || c == '\t' || c == '_';
        if in_word && sep {
            if let Some((_, d)) = Operator::suggest_with_distance(&text[..i]) {
                if best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, i));
                }
            }
        }
        in_word = !sep;
    }
    match best {
        Some((_, cut)) if cut < text.len() => {
            let rest_start = text[cut..]
                .find(|c: char| !(c == ' ' || c == '\t' || c == '_'))
                .map_or(text.len(), |o| cut + o);
            (
                Span::new(span.start, span.start + cut),
                Some(Span::new(span.start + rest_start, span.end)),
            )
        }
        _ => (span, None),
    }
}

/// Decodes backslash escapes, returning the text, the byte map, and unknown escapes
/// (kept as written) with their source offsets.
fn unescape(content: &str, base: usize) -> (String, Vec<u32>, Vec<(usize, String)>) {
    let mut out = String::with_capacity(content.len());
    let mut map: Vec<u32> = Vec::with_capacity(content.len() + 1);
    let mut unknown = Vec::new();
    let mut chars = content.char_indices().peekable();
    let push = |out: &mut String, map: &mut Vec<u32>, c: char, at: usize| {
        let before = out.len();
        out.push(c);
        for _ in before..out.len() {
            map.push(at as u32);
        }
    };
    while let Some((i, c)) = chars.next() {
        let at = base + i;
        if c != '\\' {
            push(&mut out, &mut map, c, at);
            continue;
        }
        match chars.next() {
            Some((_, 'n')) => push(&mut out, &mut map, '\n', at),
            Some((_, 't')) => push(&mut out, &mut map, '\t', at),
            Some((_, 'r')) => push(&mut out, &mut map, '\r', at),
            Some((_, '0')) => push(&mut out, &mut map, '\0', at),
            Some((_, '"')) => push(&mut out, &mut map, '"', at),
            Some((_, '\\')) => push(&mut out, &mut map, '\\', at),
            Some((_, '\'')) => push(&mut out, &mut map, '\'', at),
            Some((j, 'u')) if content[j + 1..].starts_with('{') => {
                let rest = &content[j + 2..];
                let decoded = rest
                    .find('}')
                    .and_then(|end| u32::from_str_radix(&rest[..end], 16).ok().map(|v| (v, end)))
                    .and_then(|(v, end)| char::from_u32(v).map(|ch| (ch, end)));
                match decoded {
                    Some((ch, end)) => {
                        push(&mut out, &mut map, ch, at);
                        // skip `{hex}`
                        for _ in 0..end + 2 {
                            chars.next();
                        }
                    }
                    None => {
                        unknown.push((at, "\\u".to_string()));
                        push(&mut out, &mut map, '\\', at);
                        push(&mut out, &mut map, 'u', at + 1);
                    }
                }
            }
            Some((j, other)) => {
                unknown.push((at, format!("\\{other}")));
                push(&mut out, &mut map, '\\', at);
                push(&mut out, &mut map, other, base + j);
            }
            None => push(&mut out, &mut map, '\\', at),
        }
    }
    map.push((base + content.len()) as u32);
    (out, map, unknown)
}

/// Finds unbalanced braces outside strings and comments.
fn check_braces(text: &str, id: SourceId) -> Vec<Diagnostic> {
    let mut stack: Vec<usize> = Vec::new();
    let mut diags = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < bytes.len() && bytes[i] != q && bytes[i] != b'\n' {
                    if q == b'"' && bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'{' => stack.push(i),
            b'}' if stack.pop().is_none() => {
                diags.push(
                    Diagnostic::error(Code::UnbalancedBrace, "unexpected `}`")
                        .with_label(id, Span::new(i, i + 1), "no `{` to close")
                        .with_help("remove it, or add the `{` it should close"),
                );
            }
            _ => {}
        }
        i += 1;
    }
    for open in stack {
        diags.push(
            Diagnostic::error(Code::UnbalancedBrace, "this `{` is never closed")
                .with_label(id, Span::new(open, open + 1), "opened here")
                .with_help("add the matching `}`"),
        );
    }
    diags
}

/// Turns a pest error into our diagnostic with readable token names.
fn pest_error(e: pest::error::Error<Rule>, id: SourceId) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let span = match e.location {
        InputLocation::Pos(p) => Span::new(p, p),
        InputLocation::Span((a, b)) => Span::new(a, b),
    };
    let expected = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().map(|r| rule_name(*r)).collect();
            names.sort_unstable();
            names.dedup();
            names.join(", ")
        }
        ErrorVariant::CustomError { message } => message.clone(),
    };
    let message = if expected.is_empty() {
        "could not read the rules".to_string()
    } else {
        format!("expected {expected}")
    };
    Diagnostic::error(Code::Syntax, message).with_label(id, span, "here")
}

fn rule_name(r: Rule) -> &'static str {
    match r {
        Rule::app | Rule::kw_app => "`app`",
        Rule::stage | Rule::kw_stage => "`stage`",
        Rule::filter | Rule::filter_kw => "`filter`",
        Rule::name | Rule::string => "a quoted name",
        Rule::operator | Rule::known_op | Rule::unknown_op => "an operator such as `EQUALS`",
        Rule::value => "a value",
        Rule::EOI => "end of file",
        _ => "`}`",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (RuleSet, Vec<Diagnostic>, Sources) {
        let mut sources = Sources::new();
        let id = sources.add("t.scope", None, text);
        let (r, d) = parse_scope(&sources, id);
        (r, d, sources)
    }

    #[test]
    fn parses_settings_stages_filters_clauses() {
        let (r, d, _) = parse(
            "app \"A\" {\n scope all\n skip_out_of_scope_deletions true\n deletion_threshold 5\n stage \"p\" {\n  filter \"f\" {\n   department EQUALS \"IT\"\n   accountEnabled IS TRUE\n   country regex_match '^(DE|FR)$'\n  }\n }\n stage \"q\" extends \"p\" { }\n}\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let app = &r.apps[0];
        assert_eq!(app.name.node, "A");
        assert_eq!(app.scope_mode(), ScopeMode::All);
        assert!(app.skip_deletions());
        assert_eq!(app.deletion_threshold.as_ref().unwrap().node, 5);
        assert_eq!(app.stages.len(), 2);
        let f = &app.stages[0].filters.groups[0];
        assert_eq!(f.clauses.len(), 3);
        assert_eq!(
            f.clauses[1].operator.node,
            OperatorName::Known(Operator::IsTrue)
        );
        assert!(f.clauses[1].values.is_empty());
        assert_eq!(
            f.clauses[2].operator.node,
            OperatorName::Known(Operator::RegexMatch)
        );
        assert_eq!(f.clauses[2].values[0].text, "^(DE|FR)$");
        assert_eq!(app.stages[1].extends.as_ref().unwrap().node, "p");
    }

    #[test]
    fn raw_strings_keep_backslashes_and_double_quotes_escape() {
        let (r, d, _) = parse(
            "app \"A\" { filter \"f\" {\n a REGEX MATCH '^\\d{3}$'\n b EQUALS \"x\\\"y\"\n c EQUALS 'it''s'\n} }",
        );
        assert!(d.is_empty(), "{d:?}");
        let c = &r.apps[0].stages[0].filters.groups[0].clauses;
        assert_eq!(c[0].values[0].text, "^\\d{3}$");
        assert_eq!(c[1].values[0].text, "x\"y");
        assert_eq!(c[2].values[0].text, "it's");
        assert!(r.apps[0].stages[0].implicit);
        assert_eq!(r.apps[0].stages[0].name.node, "current");
    }

    #[test]
    fn value_spans_map_through_escapes() {
        let text = "app \"A\" { filter \"f\" {\n a REGEX MATCH \"a\\\"(b\"\n} }";
        let (r, _, _) = parse(text);
        let v = &r.apps[0].stages[0].filters.groups[0].clauses[0].values[0];
        assert_eq!(v.text, "a\"(b");
        // the `(` is byte 2 of the decoded text
        let s = v.source_span(2..3);
        assert_eq!(&text[s.start..s.end], "(");
    }

    #[test]
    fn one_pass_reports_every_mistake() {
        let (_, d, _) = parse(
            "app \"A\" {\n  scoop all\n  filter \"f\" {\n    department EQUAL \"IT\"\n    country\n  }\n  stag \"x\" { }\n}\n",
        );
        let codes: Vec<_> = d.iter().map(|d| (d.code, d.message.as_str())).collect();
        assert_eq!(d.len(), 3, "{codes:?}");
        assert!(d[0].message.contains("unknown setting `scoop`"));
        assert!(
            d[1].message
                .contains("expected an operator after `country`")
        );
        assert!(d[2].message.contains("unknown keyword `stag`"));
    }

    #[test]
    fn unknown_operator_followed_by_bare_value_is_split() {
        let (r, _, sources) = parse("app \"A\" { filter \"f\" {\n department EQUAL IT\n} }");
        let c = &r.apps[0].stages[0].filters.groups[0].clauses[0];
        assert_eq!(c.operator.node, OperatorName::Unknown("EQUAL".into()));
        assert_eq!(c.values[0].text, "IT");
        assert_eq!(c.values[0].style, ValueStyle::Bare);
        assert_eq!(sources.slice(c.source, c.operator.span), "EQUAL");
    }

    #[test]
    fn unbalanced_braces_are_located() {
        let (_, d, sources) = parse("app \"A\" {\n filter \"f\" {\n a IS NULL\n}\n");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].code, "unbalanced-brace");
        let l = &d[0].labels[0];
        assert_eq!(
            sources.get(l.source).unwrap().line_col(l.span.start).line,
            1
        );
    }

    #[test]
    fn clauses_end_at_line_end_semicolon_or_brace() {
        let (r, d, _) = parse("app \"A\" { filter \"f\" { a IS NULL; b EQUALS \"x\" } }");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(r.apps[0].stages[0].filters.groups[0].clauses.len(), 2);
    }
}
