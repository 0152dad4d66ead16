//! Effective filters of a stage: its own plus those of the stages it `extends`.
//!
//! Inheritance is a convenience of our language (Entra stores one flat filter list per
//! object mapping), so it is resolved here once, and everything downstream (compiler,
//! converter, reports) sees the flat list Entra would see at that stage.

use super::ast::*;

/// A stage with its effective filters, inherited ones first.
#[derive(Debug, Clone)]
pub struct StageView<'a> {
    /// The app.
    pub app: &'a App,
    /// Index of the stage in `app.stages`.
    pub index: usize,
    /// The stage.
    pub stage: &'a Stage,
    /// `groups`: ORed; failing users are deprovisioned (S22, S23).
    pub scoping: Vec<&'a Filter>,
    /// `inputFilterGroups`: failing users are skipped, never deprovisioned (S23).
    pub input: Vec<&'a Filter>,
    /// `categoryFilterGroups` (experimental, S23).
    pub category: Vec<&'a Filter>,
}

/// The chain of stages a stage inherits from, nearest last, the stage itself included.
/// Stops at unknown, later or repeated names (the checker reports those).
pub fn chain(app: &App, index: usize) -> Vec<usize> {
    let mut out = vec![index];
    let mut current = index;
    while let Some(parent) = app.stages.get(current).and_then(|s| s.extends.as_ref()) {
        let Some(p) = app.stages[..current]
            .iter()
            .position(|s| s.name.node == parent.node)
        else {
            break;
        };
        if out.contains(&p) {
            break;
        }
        out.push(p);
        current = p;
    }
    out.reverse();
    out
}

/// The effective filters of stage `index` of `app`.
pub fn stage_view(app: &App, index: usize) -> StageView<'_> {
    let mut view = StageView {
        app,
        index,
        stage: &app.stages[index.min(app.stages.len().saturating_sub(1))],
        scoping: Vec::new(),
        input: Vec::new(),
        category: Vec::new(),
    };
    for i in chain(app, index) {
        let Some(stage) = app.stages.get(i) else {
            continue;
        };
        view.scoping.extend(stage.filters.groups.iter());
        view.input.extend(stage.filters.input_groups.iter());
        view.category.extend(stage.filters.category_groups.iter());
    }
    view
}

/// Every stage of every app, in order.
pub fn all_stages(rules: &RuleSet) -> Vec<StageView<'_>> {
    rules
        .apps
        .iter()
        .flat_map(|app| (0..app.stages.len()).map(move |i| stage_view(app, i)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::load::load_text;

    #[test]
    fn extends_inherits_transitively_in_order() {
        let l = load_text(
            "r.scope",
            "app \"A\" {\n stage \"a\" { filter \"fa\" { x IS NULL } }\n stage \"b\" extends \"a\" { filter \"fb\" { x IS NULL } }\n stage \"c\" extends \"b\" { filter \"fc\" { x IS NULL } }\n stage \"d\" { }\n}\n",
            None,
        );
        let app = &l.rules.apps[0];
        let names = |i| -> Vec<String> {
            stage_view(app, i)
                .scoping
                .iter()
                .map(|f| f.name.node.clone())
                .collect()
        };
        assert_eq!(names(2), vec!["fa", "fb", "fc"]);
        assert_eq!(names(1), vec!["fa", "fb"]);
        assert!(names(3).is_empty());
    }
}
