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
    "mapping_enabled",
    "flow_types",
    "match",
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
    "mapping_enabled",
    "flow_types",
    "match",
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
            object: ObjectSettings::default(),
            stages: Vec::new(),
            name_origin: NameOrigin::Written,
            secrets: Vec::new(),
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
                Rule::matching => self.matching(item, &mut app),
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
        let value = match value.into_inner().next() {
            Some(v) if v.as_rule() == Rule::string => self.string(v),
            Some(v) => Value::plain(v.as_str(), ValueStyle::Bare, value_span),
            None => Value::plain(raw, ValueStyle::Bare, value_span),
        };
        let value_text = value.text.clone();
        let duplicate = |b: &mut Self, prev: Option<Span>, what: &str| {
            if let Some(prev) = prev {
                b.diags.push(
                    Diagnostic::error(Code::DuplicateSetting, format!("{what} set twice"))
                        .with_label(b.source, span, "set again here")
                        .with_label(b.source, prev, "first set here")
                        .with_help("keep one of them"),
                );
            }
        };
        let twice = format!("`{key_text}` is");
        match key_text {
            "scope" => {
                duplicate(self, app.scope.as_ref().map(|s| s.span), &twice);
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
            "skip_out_of_scope_deletions" | "mapping_enabled" => {
                let slot = if key_text == "mapping_enabled" {
                    &app.object.enabled
                } else {
                    &app.skip_out_of_scope_deletions
                };
                duplicate(self, slot.as_ref().map(|s| s.span), &twice);
                match parse_bool(&value_text) {
                    Some(v) => {
                        let s = Some(Spanned::new(v, span));
                        if key_text == "mapping_enabled" {
                            app.object.enabled = s;
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
            "flow_types" => {
                duplicate(
                    self,
                    app.object.flow_types.as_ref().map(|s| s.span),
                    "the flow types are",
                );
                match FlowTypes::parse(&value_text) {
                    Ok(f) => app.object.flow_types = Some(Spanned::new(f, span)),
                    Err(e) => {
                        let at = value.source_span(e.range.clone());
                        self.error(
                            Code::BadFlowTypes,
                            at,
                            format!("`flow_types`: {}", e.message),
                            "not a flow type",
                            Some(format!(
                                "{}; write for example `flow_types \"Add, Update\"`",
                                e.help
                            )),
                        );
                    }
                }
            }
            "delete_flow" => {
                // The older spelling of the Delete flag: an alias of `flow_types` (S33).
                duplicate(
                    self,
                    app.object.flow_types.as_ref().map(|s| s.span),
                    "the flow types are",
                );
                match parse_bool(&value_text) {
                    Some(v) => {
                        let flows = FlowTypes {
                            delete: v,
                            ..FlowTypes::default()
                        };
                        app.object.flow_types = Some(Spanned::new(flows, span));
                        self.diags.push(
                            Diagnostic::warning(
                                Code::DeprecatedSetting,
                                format!("`delete_flow` is deprecated: it sets the flow types to `{}`", flows.as_graph()),
                            )
                            .with_rule("S33")
                            .with_label(self.source, key_span, "deprecated")
                            .with_help(format!(
                                "write `flow_types \"{}\"`; without `Delete`, Entra neither disables nor deletes accounts",
                                flows.as_graph()
                            )),
                        );
                    }
                    None => self.error(
                        Code::BadSettingValue,
                        value_span,
                        format!("`delete_flow` must be `true` or `false`, not `{value_text}`"),
                        "expected `true` or `false`",
                        None,
                    ),
                }
            }
            "deletion_threshold" => {
                duplicate(
                    self,
                    app.deletion_threshold.as_ref().map(|s| s.span),
                    &twice,
                );
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

    /// `match SOURCE -> TARGET [priority N]` (S32).
    fn matching(&mut self, p: Pair<'_, Rule>, app: &mut App) {
        let mut source: Option<(Spanned<String>, Option<String>)> = None;
        let mut target = None;
        let mut priority: Option<(String, Span)> = None;
        for item in p.into_inner() {
            match item.as_rule() {
                Rule::match_source => {
                    let Some(src) = item.into_inner().next() else {
                        continue;
                    };
                    if src.as_rule() == Rule::match_expression {
                        if let Some(s) = src.into_inner().find(|i| i.as_rule() == Rule::string) {
                            let sspan = span_of(&s);
                            let text = self.string(s).text;
                            source = Some(match expression_attribute(&text) {
                                Some(a) => (Spanned::new(a.to_string(), sspan), None),
                                None => (Spanned::new(text.clone(), sspan), Some(text)),
                            });
                        }
                    } else {
                        source = Some((self.attribute(src), None));
                    }
                }
                Rule::attribute => target = Some(self.attribute(item).node),
                Rule::number => priority = Some((item.as_str().to_string(), span_of(&item))),
                _ => {}
            }
        }
        let (Some((source, expression)), Some(target)) = (source, target) else {
            return;
        };
        let priority = match priority {
            None => app
                .object
                .matching
                .iter()
                .map(|m| m.priority)
                .max()
                .map_or(1, |p| p.saturating_add(1)),
            Some((text, pspan)) => match text.parse::<u32>() {
                Ok(n) if n > 0 => n,
                _ => {
                    self.error(
                        Code::BadSettingValue,
                        pspan,
                        format!("a matching priority must be a whole number from 1, not `{text}`"),
                        "not a priority",
                        Some("Entra tries the matching attribute with the lowest priority first; 0 means the attribute is not used for matching".into()),
                    );
                    return;
                }
            },
        };
        app.object.matching.push(Matching {
            source,
            target,
            priority,
            expression,
        });
    }

    /// An `attribute` pair (an identifier or a quoted name).
    fn attribute(&mut self, item: Pair<'_, Rule>) -> Spanned<String> {
        let aspan = span_of(&item);
        let text = match item.into_inner().next() {
            Some(i) if i.as_rule() == Rule::string => self.string(i).text,
            Some(i) => i.as_str().to_string(),
            None => String::new(),
        };
        Spanned::new(text, aspan)
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
                Rule::attribute => attribute = Some(self.attribute(item)),
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
                            // `EQUAL IT`: an unknown operator followed by an unquoted value;
                            // S35: `IsTrue`, `ENDSWITH` are read, with a warning.
                            let (op_span, rest) = match Operator::parse(text) {
                                Some(_) => (ospan, None),
                                None => split_unknown_operator(text, ospan),
                            };
                            let op_text = self.text.get(op_span.start..op_span.end).unwrap_or(text);
                            let name = match Operator::parse(op_text) {
                                Some(op) => {
                                    self.diags.push(spelling_warning(
                                        self.source,
                                        op_text,
                                        op,
                                        op_span,
                                    ));
                                    OperatorName::Known(op)
                                }
                                None => OperatorName::Unknown(op_text.to_string()),
                            };
                            operator = Some(Spanned::new(name, op_span));
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
                    map.push(cstart + i);
                    i += 2;
                } else {
                    let ch_len = utf8_len(bytes[i]);
                    let chunk = ctext.get(i..i + ch_len).unwrap_or("");
                    text.push_str(chunk);
                    for k in 0..chunk.len() {
                        map.push(cstart + i + k);
                    }
                    i += ch_len.max(1);
                }
            }
            map.push(cstart + ctext.len());
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
                "flow_types" => "write `flow_types \"Add, Update, Delete\"` (any of the three, quoted) on its own line".to_string(),
                "match" => "write `match SOURCE -> TARGET priority N` on its own line, such as `match userPrincipalName -> userName priority 1` (spaces around `->`)".to_string(),
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

/// The S35 warning for an operator spelt otherwise than documented (shared with the
/// Graph JSON reader, which applies the same rule).
pub(crate) fn spelling_warning(
    source: SourceId,
    text: &str,
    op: Operator,
    span: Span,
) -> Diagnostic {
    Diagnostic::warning(
        Code::OperatorSpelling,
        format!("operator `{}` is read as `{}`", text.escape_debug(), op.canonical()),
    )
    .with_rule("S35")
    .with_label(source, span, "not the documented spelling")
    .with_help(format!(
        "write `{}`: Entra documents that spelling (letter case and `_` or one space between words aside), and whether it accepts others is not documented",
        op.canonical()
    ))
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
fn unescape(content: &str, base: usize) -> (String, Vec<usize>, Vec<(usize, String)>) {
    let mut out = String::with_capacity(content.len());
    let mut map: Vec<usize> = Vec::with_capacity(content.len() + 1);
    let mut unknown = Vec::new();
    let mut chars = content.char_indices().peekable();
    let push = |out: &mut String, map: &mut Vec<usize>, c: char, at: usize| {
        let before = out.len();
        out.push(c);
        for _ in before..out.len() {
            map.push(at);
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
    map.push(base + content.len());
    (out, map, unknown)
}

/// How deep braces may nest in a `.scope` file. The language needs three levels (app,
/// stage, filter); the bound keeps the parser's recursion over unreadable blocks finite
/// and gives a clear error instead of pest's stack guard.
pub const MAX_BRACE_DEPTH: usize = 64;

/// Finds unbalanced braces outside strings and comments, and nesting deeper than
/// [`MAX_BRACE_DEPTH`]. One linear scan; however many braces are wrong, at most one
/// diagnostic per kind, with the count of the others (so a file of 100,000 `{` gives two
/// lines, not 100,000 snippets).
fn check_braces(text: &str, id: SourceId) -> Vec<Diagnostic> {
    let mut stack: Vec<usize> = Vec::new();
    let mut stray: Vec<usize> = Vec::new();
    let mut too_deep: Option<usize> = None;
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'#' => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
            }
            q @ (b'"' | b'\'') => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    if c == q || c == b'\n' {
                        break;
                    }
                    if q == b'"' && c == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'{' => {
                stack.push(i);
                if stack.len() > MAX_BRACE_DEPTH && too_deep.is_none() {
                    too_deep = Some(i);
                }
            }
            b'}' if stack.pop().is_none() => stray.push(i),
            _ => {}
        }
        i += 1;
    }
    let more = |n: usize, what: &str| match n {
        0 => String::new(),
        n => format!(" ({n} more {what})"),
    };
    let mut diags = Vec::new();
    if let Some(&first) = stray.first() {
        diags.push(
            Diagnostic::error(Code::UnbalancedBrace, "unexpected `}`")
                .with_label(id, Span::new(first, first + 1), "no `{` to close")
                .with_help(format!(
                    "remove it, or add the `{{` it should close{}",
                    more(stray.len() - 1, "`}` without a `{` after it")
                )),
        );
    }
    if let Some(&first) = stack.first() {
        diags.push(
            Diagnostic::error(Code::UnbalancedBrace, "this `{` is never closed")
                .with_label(id, Span::new(first, first + 1), "opened here")
                .with_help(format!(
                    "add the matching `}}`{}",
                    more(stack.len() - 1, "`{` after it, never closed")
                )),
        );
    }
    if diags.is_empty() {
        if let Some(at) = too_deep {
            diags.push(
                Diagnostic::error(
                    Code::NestingTooDeep,
                    format!("braces are nested more than {MAX_BRACE_DEPTH} deep"),
                )
                .with_label(id, Span::new(at, at + 1), "too deep")
                .with_help("a rules file nests three levels: `app { stage { filter { ... } } }`"),
            );
        }
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
        // pest's guards (stack or call limit) end the parse with a custom message.
        ErrorVariant::CustomError { message } if message.contains("limit reached") => {
            return Diagnostic::error(
                Code::NestingTooDeep,
                "the rules are too deeply nested or too long to read",
            )
            .with_label(id, span, "here")
            .with_help("a rules file nests three levels: `app { stage { filter { ... } } }`");
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
#[path = "parse_tests.rs"]
mod tests;
