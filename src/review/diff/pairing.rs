//! Choosing the two sides of a comparison.
//!
//! Two rule files are paired app by app, by name, in NEW's order: each app's `--stage`
//! when given (apps lacking it in either file are set aside and listed), else the last
//! stage of each, the one a rollout ends on. Apps only in one file are listed, not
//! compared. Two stages of one app are paired by name. Every name that matches nothing
//! is an error with the names that exist.

use super::Side;
use crate::diag::{Code, Diagnostic};
use crate::rules::{App, RuleSet};

/// Apps paired across two rule files.
#[derive(Debug, Clone)]
pub struct Pairing<'a> {
    /// (OLD, NEW) for each app present in both, in NEW's order.
    pub pairs: Vec<(Side<'a>, Side<'a>)>,
    /// Apps only in OLD.
    pub only_before: Vec<String>,
    /// Apps only in NEW.
    pub only_after: Vec<String>,
    /// Apps in both without the requested stage.
    pub without_stage: Vec<String>,
}

/// Pairs the apps of two rule files by name: each app's `stage` if given (apps lacking
/// it in either file are set aside), else the last stage of each. `only_app` narrows to
/// one app, which must be in both.
pub fn pair_files<'a>(
    before: &'a RuleSet,
    after: &'a RuleSet,
    stage: Option<&str>,
    only_app: Option<&str>,
) -> Result<Pairing<'a>, Box<Diagnostic>> {
    let mut p = Pairing {
        pairs: Vec::new(),
        only_before: before
            .apps
            .iter()
            .filter(|a| !after.apps.iter().any(|b| b.name.node == a.name.node))
            .map(|a| a.name.node.clone())
            .collect(),
        only_after: Vec::new(),
        without_stage: Vec::new(),
    };
    for (ai, a) in after.apps.iter().enumerate() {
        if only_app.is_some_and(|n| n != a.name.node) {
            continue;
        }
        let Some(bi) = before.apps.iter().position(|b| b.name.node == a.name.node) else {
            p.only_after.push(a.name.node.clone());
            continue;
        };
        let b = &before.apps[bi];
        let stages = match stage {
            None => match (b.stages.len().checked_sub(1), a.stages.len().checked_sub(1)) {
                (Some(x), Some(y)) => Some((x, y)),
                _ => None,
            },
            Some(s) => b
                .stages
                .iter()
                .position(|x| x.name.node == s)
                .zip(a.stages.iter().position(|x| x.name.node == s)),
        };
        match stages {
            Some((bs, as_)) => p.pairs.push((
                Side {
                    rules: before,
                    app: bi,
                    stage: bs,
                },
                Side {
                    rules: after,
                    app: ai,
                    stage: as_,
                },
            )),
            None => p.without_stage.push(a.name.node.clone()),
        }
    }
    if let Some(name) = only_app {
        if p.pairs.is_empty() && p.without_stage.is_empty() {
            return Err(Box::new(
                Diagnostic::error(
                    Code::UnknownApp,
                    format!("app `{name}` is not in both rule files"),
                )
                .with_help(format!(
                    "apps in both: {}",
                    names_in_both(before, after).join(", ")
                )),
            ));
        }
    }
    if p.pairs.is_empty() && p.without_stage.is_empty() && only_app.is_none() {
        // Nothing in common is not "nothing changed": usually a schema named after its file.
        let names = |r: &RuleSet| -> String {
            let n: Vec<String> = r
                .apps
                .iter()
                .map(|a| format!("`{}`", a.name.node))
                .collect();
            if n.is_empty() {
                "no app".to_string()
            } else {
                n.join(", ")
            }
        };
        let help = before
            .apps
            .iter()
            .chain(&after.apps)
            .find_map(App::naming_help)
            .unwrap_or_else(|| {
                "apps are paired by name: name the app alike in both files".to_string()
            });
        return Err(Box::new(
            Diagnostic::error(
                Code::NoAppInBoth,
                format!(
                    "the two rule files have no app in common: OLD has {}, NEW has {}",
                    names(before),
                    names(after)
                ),
            )
            .with_help(help),
        ));
    }
    if only_app.is_some() {
        // Narrowed to one app: the others are not part of the comparison.
        p.only_before.clear();
    }
    if let Some(s) = stage {
        if p.pairs.is_empty() {
            return Err(Box::new(
                Diagnostic::error(
                    Code::UnknownStage,
                    format!("no app has a stage `{s}` in both rule files"),
                )
                .with_help("leave out `--stage` to compare the last stage of each app"),
            ));
        }
    }
    Ok(p)
}

fn names_in_both(before: &RuleSet, after: &RuleSet) -> Vec<String> {
    after
        .apps
        .iter()
        .filter(|a| before.apps.iter().any(|b| b.name.node == a.name.node))
        .map(|a| format!("`{}`", a.name.node))
        .collect()
}

/// The two sides for comparing stages `from` and `to` of `app` in one rule set.
pub fn pair_stages<'a>(
    rules: &'a RuleSet,
    app: &str,
    from: &str,
    to: &str,
) -> Result<(Side<'a>, Side<'a>), Box<Diagnostic>> {
    let Some(ai) = rules.apps.iter().position(|a| a.name.node == app) else {
        let names: Vec<String> = rules
            .apps
            .iter()
            .map(|a| format!("`{}`", a.name.node))
            .collect();
        return Err(Box::new(
            Diagnostic::error(Code::UnknownApp, format!("no app `{app}` in the rules"))
                .with_help(format!("apps: {}", names.join(", "))),
        ));
    };
    let a = &rules.apps[ai];
    let find = |s: &str| -> Result<usize, Box<Diagnostic>> {
        a.stages
            .iter()
            .position(|x| x.name.node == s)
            .ok_or_else(|| {
                let names: Vec<String> = a
                    .stages
                    .iter()
                    .map(|x| format!("`{}`", x.name.node))
                    .collect();
                Box::new(
                    Diagnostic::error(
                        Code::UnknownStage,
                        format!("app `{app}` has no stage `{s}`"),
                    )
                    .with_help(format!("stages of `{app}`: {}", names.join(", "))),
                )
            })
    };
    let (f, t) = (find(from)?, find(to)?);
    Ok((
        Side {
            rules,
            app: ai,
            stage: f,
        },
        Side {
            rules,
            app: ai,
            stage: t,
        },
    ))
}
