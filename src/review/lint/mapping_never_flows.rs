//! `mapping-never-flows` (S40): an attribute mapping that no user's create or update will
//! ever send.
//!
//! Two shapes are certain from the schema alone: a mapping that flows "only during object
//! creation" (`flowType` `ObjectAddOnly`) in an object mapping whose flow types have no
//! `Add` (S33: nothing is ever created), and an expression that fails whatever the user's
//! values are: one that reads no attribute and fails when evaluated, or an `Item` whose
//! index is a constant below 1 (ED-FUNC: it counts from 1, "Index 0 shouldn't be used").
//! Entra reports neither; the users' exports fail one by one.

use crate::diag::{Code, Diagnostic};
use crate::mapping::{Context, ExprKind, Mapping, evaluate};
use crate::review::Finding;
use crate::rules::App;

/// Checks the mappings of one app.
pub(super) fn check(app: &App, mappings: &[Mapping], out: &mut Vec<Finding>) {
    let Some(raw) = &app.object.attribute_mappings else {
        return;
    };
    let src = raw.source;
    for m in mappings {
        if m.flow_type == crate::mapping::FlowType::ObjectAddOnly && !app.flows().add {
            out.push(Finding::new(
                Diagnostic::warning(
                    Code::MappingNeverFlows,
                    format!(
                        "`{}` flows only when an account is created, and the user mapping of `{}` never creates (no `Add` in its flow types)",
                        m.target, app.name.node
                    ),
                )
                .with_rule("S40")
                .with_label(src, m.span, "ObjectAddOnly")
                .with_help("apply the mapping \"Always\", or turn the Add flow on"),
            ));
        }
        let Some(e) = &m.source else { continue };
        if let Some(why) = always_fails(e) {
            out.push(Finding::new(
                Diagnostic::warning(
                    Code::MappingNeverFlows,
                    format!("the source of `{}` fails for every user: {why}", m.target),
                )
                .with_rule("S39")
                .with_label(src, m.span, "never flows")
                .with_help("every create and update of the app fails on it; fix the expression"),
            ));
        }
    }
}

/// Why an expression fails whatever the user's values, when it does.
fn always_fails(e: &crate::mapping::Expr) -> Option<String> {
    let mut found = None;
    e.walk(&mut |n, _| {
        if found.is_some() {
            return;
        }
        if let Some(c) = n.as_call().filter(|c| c.name == "Item") {
            let index = c.arg(1).and_then(|i| match &i.kind {
                ExprKind::Number(k) => Some(*k),
                ExprKind::Str(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            });
            if let Some(k) = index.filter(|k| *k < 1) {
                found = Some(format!(
                    "`Item` counts from 1, so index {k} never names a value"
                ));
            }
        }
    });
    if found.is_some() {
        return found;
    }
    if !e.attributes().is_empty() {
        return None;
    }
    // No attribute: the value is the same for every user. `Now()` gets a time so that
    // only a real failure counts.
    let ctx = Context {
        now: Some(crate::mapping::parse_expression::system_now()),
        ..Context::default()
    };
    evaluate(e, &crate::mapping::MapValues::new(), &ctx)
        .err()
        .map(|err| err.message)
}
