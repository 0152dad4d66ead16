//! `constant-matching-attribute` (S32): a matching attribute whose value is the same for
//! every user.
//!
//! A matching attribute is how Entra finds a user's existing account; mapped from a
//! constant (a `Constant` source, a default value without a source, or an expression that
//! reads no attribute), every user has the same matching value, so every user but the
//! first would fail with `DuplicateSourceEntries` and all would match the same account.

use crate::diag::{Code, Diagnostic};
use crate::mapping::Mapping;
use crate::review::Finding;
use crate::rules::App;

/// Checks the matching mappings of one app.
pub(super) fn check(app: &App, mappings: &[Mapping], out: &mut Vec<Finding>) {
    let Some(raw) = &app.object.attribute_mappings else {
        return;
    };
    for m in mappings.iter().filter(|m| m.is_matching()) {
        let constant = m.source.as_ref().is_none_or(|e| e.attributes().is_empty());
        if !constant {
            continue;
        }
        out.push(Finding::new(
            Diagnostic::warning(
                Code::ConstantMatchingAttribute,
                format!(
                    "the matching attribute `{}` of `{}` is a constant: every user has the same matching value",
                    m.target, app.name.node
                ),
            )
            .with_rule("S32")
            .with_label(raw.source, m.span, "reads no attribute")
            .with_help("match on an attribute that tells users apart, such as `userPrincipalName`, `mail` or `objectId`; with a constant, all but one user fail with DuplicateSourceEntries"),
        ));
    }
}
