//! The driver: parses a .NET pattern in .NET's two passes, works out which capture
//! groups a reference reads, and emits the Rust pattern (and, when the pattern uses `\b`
//! on the linear engine, its exact-boundary twin).

use super::ast::{CondTest, GroupKind, Node};
use super::emit::{Captures, Emitter, Style, VM_LOOP_MIN};
use super::engine_error::OffsetMap;
use super::parse::{CapInfo, Parser};
use super::{Anchoring, Engine, Note, RegexError, Translation};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// A parsed pattern, ready to emit in any [`Style`].
pub(super) struct Parsed {
    tree: Node,
    notes: Vec<Note>,
    caps: Captures,
    layout: GroupLayout,
}

/// Where .NET's groups are in a pattern emitted with every group capturing.
#[derive(Debug, Clone, Default)]
pub(super) struct GroupLayout {
    /// The .NET group number (slot) of each emitted group, in order (Rust group `i + 1`).
    pub(super) slots: Vec<u32>,
    /// The slot of each group name.
    pub(super) names: HashMap<String, u32>,
}

/// One emission: the Rust pattern, where its pieces came from, and what it needs.
pub(super) struct Emitted {
    pub(super) rust_pattern: String,
    pub(super) map: OffsetMap,
    pub(super) engine: Engine,
    pub(super) units: bool,
    pub(super) rust_boundary: bool,
}

/// Parses `pattern` as .NET does.
pub(super) fn parse(pattern: &str) -> Result<Parsed, RegexError> {
    parse_capturing(pattern, false)
}

/// [`parse`], numbering every group for the emitted pattern when `capture_all`.
fn parse_capturing(pattern: &str, capture_all: bool) -> Result<Parsed, RegexError> {
    // Pass 1, like .NET's CountCaptures: find the capture groups so that
    // backreferences (even forward ones) can be told from octal escapes.
    let mut first = Parser::new(pattern, None);
    first.parse()?;
    let info = CapInfo::from_decls(&first.decls);
    let names = info.names.clone();

    // Pass 2: the real parse.
    let mut parser = Parser::new(pattern, Some(info));
    let tree = parser.parse()?;
    let (caps, slots) = captures(&tree, pattern, capture_all)?;
    Ok(Parsed {
        tree,
        notes: parser.notes,
        caps,
        layout: GroupLayout {
            slots: if capture_all { slots } else { Vec::new() },
            names,
        },
    })
}

/// The translation with every group capturing, its offset map, and where each .NET
/// group is (for [`super::CapturingRegex`]). `\b` is always the exact spelling here: the
/// caller reads the text matched, not only whether there is a match.
pub(super) fn translate_groups(
    pattern: &str,
    anchoring: Anchoring,
    capture_all: bool,
) -> Result<(Translation, OffsetMap, GroupLayout), RegexError> {
    let parsed = parse_capturing(pattern, capture_all)?;
    let style = Style {
        full: anchoring == Anchoring::Full,
        capture_all,
        exact_boundary: capture_all,
        ..Style::default()
    };
    let (translation, map) = if capture_all {
        let e = parsed.emit(style);
        let translation = Translation {
            rust_pattern: e.rust_pattern,
            engine: e.engine,
            notes: parsed.notes.clone(),
            utf16_units: e.units,
            exact_boundary: None,
        };
        (translation, e.map)
    } else {
        parsed.translation(style)
    };
    Ok((translation, map, parsed.layout))
}

impl Parsed {
    pub(super) fn emit(&self, style: Style) -> Emitted {
        let mut emitter = Emitter::new(style, &self.caps);
        if style.full {
            emitter.out.push_str("\\A(?:");
        }
        emitter.emit(&self.tree, true);
        if style.full {
            emitter.out.push_str(")\\z");
        }
        Emitted {
            rust_pattern: emitter.out,
            map: emitter.map,
            engine: if emitter.backtracking {
                Engine::Backtracking
            } else {
                Engine::Linear
            },
            units: emitter.units,
            rust_boundary: emitter.rust_boundary,
        }
    }

    /// True when a counted repetition is large enough to run as a loop of the
    /// backtracking engine (see [`Style::vm_loops`]).
    pub(super) fn has_large_repetition(&self) -> bool {
        let mut found = false;
        self.tree.walk(&mut |n| {
            if let Node::Repeat { min, max, .. } = n {
                found |= *min >= VM_LOOP_MIN || max.is_some_and(|m| m >= VM_LOOP_MIN);
            }
        });
        found
    }

    /// The translation in `style` (`exact_boundary` is decided here): Rust's `\b` on the
    /// linear engine, with the exact spelling alongside; the exact spelling alone when
    /// the pattern needs the backtracking engine anyway.
    pub(super) fn translation(&self, mut style: Style) -> (Translation, OffsetMap) {
        style.exact_boundary = false;
        let mut primary = self.emit(style);
        let mut exact_boundary = None;
        if primary.rust_boundary {
            style.exact_boundary = true;
            let exact = self.emit(style);
            if primary.engine == Engine::Backtracking {
                primary = exact;
            } else {
                exact_boundary = Some(exact.rust_pattern);
            }
        }
        let translation = Translation {
            rust_pattern: primary.rust_pattern,
            engine: primary.engine,
            notes: self.notes.clone(),
            utf16_units: primary.units,
            exact_boundary,
        };
        (translation, primary.map)
    }
}

/// Translates with the default style for `anchoring`.
pub(super) fn translate_mapped(
    pattern: &str,
    anchoring: Anchoring,
) -> Result<(Translation, OffsetMap), RegexError> {
    let parsed = parse(pattern)?;
    Ok(parsed.translation(Style {
        full: anchoring == Anchoring::Full,
        ..Style::default()
    }))
}

/// A capture group as the reference analysis sees it.
struct GroupSite {
    slot: u32,
    span: Range<usize>,
    /// The group can only capture the empty string.
    empty: bool,
    /// Inside a repetition that can run more than once, or inside a look-behind: the
    /// order of its captures is not the order of the pattern.
    unordered: bool,
    /// Inside a look-behind (the innermost look-around is one), which .NET matches
    /// right to left.
    behind: bool,
}

/// What the analysis is inside of.
#[derive(Clone, Copy, Default)]
struct Context {
    unordered: bool,
    behind: bool,
}

/// A reference to a slot: a backreference (`true`) or a conditional's test.
struct RefSite {
    slot: u32,
    span: Range<usize>,
    backref: bool,
}

#[derive(Default)]
struct Sites {
    groups: Vec<GroupSite>,
    refs: Vec<RefSite>,
    /// An atomic group inside a look-behind that can choose between matches.
    atomic_behind: Option<Range<usize>>,
}

fn collect(node: &Node, cx: Context, sites: &mut Sites) {
    match node {
        Node::Group { kind, child, span } => {
            let mut inner = cx;
            match kind {
                GroupKind::Capture(slot) => sites.groups.push(GroupSite {
                    slot: *slot,
                    span: span.clone(),
                    empty: Emitter::consumes_nothing(child),
                    unordered: cx.unordered,
                    behind: cx.behind,
                }),
                GroupKind::Look { behind, .. } => {
                    inner.behind = *behind;
                    inner.unordered |= *behind;
                }
                GroupKind::Atomic if cx.behind && !is_choice_free(child) => {
                    sites.atomic_behind.get_or_insert(span.clone());
                }
                _ => {}
            }
            collect(child, inner, sites);
        }
        Node::Repeat { child, max, .. } => {
            let inner = Context {
                unordered: cx.unordered || *max != Some(1),
                ..cx
            };
            collect(child, inner, sites);
        }
        Node::Backref { slot, span, .. } => sites.refs.push(RefSite {
            slot: *slot,
            span: span.clone(),
            backref: true,
        }),
        Node::Cond {
            test,
            yes,
            no,
            span,
        } => {
            match test {
                CondTest::Group(slot) => sites.refs.push(RefSite {
                    slot: *slot,
                    span: span.clone(),
                    backref: false,
                }),
                CondTest::Look(cond) => collect(cond, cx, sites),
            }
            collect(yes, cx, sites);
            collect(no, cx, sites);
        }
        Node::Concat(nodes) | Node::Alt(nodes) => {
            for n in nodes {
                collect(n, cx, sites);
            }
        }
        _ => {}
    }
}

/// True when the node matches in one way only (no alternation, no variable
/// repetition): its atomic group then means the same in either direction.
fn is_choice_free(node: &Node) -> bool {
    match node {
        Node::Alt(_) | Node::Cond { .. } => false,
        Node::Repeat {
            child, min, max, ..
        } => *max == Some(*min) && is_choice_free(child),
        Node::Group {
            kind: GroupKind::Look { .. },
            ..
        } => true,
        Node::Group { child, .. } => is_choice_free(child),
        Node::Concat(nodes) => nodes.iter().all(is_choice_free),
        _ => true,
    }
}

/// Numbers the groups that backreferences and conditionals read (every group when
/// `capture_all`); returns them with the .NET slot of each emitted group, in order.
fn captures(
    tree: &Node,
    pattern: &str,
    capture_all: bool,
) -> Result<(Captures, Vec<u32>), RegexError> {
    let mut sites = Sites::default();
    collect(tree, Context::default(), &mut sites);
    let text = |span: &Range<usize>| pattern.get(span.clone()).unwrap_or("").to_owned();
    if let Some(span) = sites.atomic_behind {
        let atomic = text(&span);
        return Err(RegexError::not_simulated(
            span,
            format!(
                "the atomic group `{atomic}` inside a look-behind cannot be simulated: .NET matches a look-behind right to left, so the group commits to a different choice than a left-to-right engine would"
            ),
        )
        .with_help("write the look-behind without the atomic group, or with a group that can match in one way only"));
    }
    let referenced: HashSet<u32> = sites.refs.iter().map(|r| r.slot).collect();
    for r in &sites.refs {
        let defining: Vec<&GroupSite> = sites.groups.iter().filter(|g| g.slot == r.slot).collect();
        if let Some(g) = defining.iter().find(|g| g.behind) {
            let (group, reader) = (text(&g.span), text(&r.span));
            return Err(RegexError::not_simulated(
                g.span.clone(),
                format!(
                    "the group `{group}` inside a look-behind is read by `{reader}`, which cannot be simulated: .NET matches a look-behind right to left, so what the group holds can differ"
                ),
            )
            .with_help("capture the text outside the look-behind, or drop the reference"));
        }
        // A conditional asks whether any of the groups has captured, in any order; a
        // backreference reads the latest capture, whose order must follow the pattern.
        if r.backref && defining.len() > 1 && defining.iter().any(|g| g.unordered) {
            let reader = text(&r.span);
            return Err(RegexError::not_simulated(
                r.span.clone(),
                format!(
                    "`{reader}` reads a group name or number that several groups capture, one of them repeated: which of them captured last is only known to .NET's capture stack, so this pattern cannot be simulated"
                ),
            )
            .with_help("give each group its own name, or move the repeated group out of the repetition"));
        }
    }
    let mut groups = sites.groups;
    let mut caps = Captures::default();
    // Emitted groups are numbered by the order of their `(`, which is pattern order.
    groups.sort_by_key(|g| g.span.start);
    let mut emitted_slots = Vec::new();
    for g in groups
        .iter()
        .filter(|g| capture_all || referenced.contains(&g.slot))
    {
        let number = caps.numbers.len() + 1;
        caps.numbers.insert(g.span.start, number);
        emitted_slots.push(g.slot);
        if g.empty && referenced.contains(&g.slot) {
            caps.empty.insert(number);
        }
    }
    let mut by_slot: HashMap<u32, Vec<(usize, usize)>> = HashMap::new();
    for g in &groups {
        if let Some(&number) = caps.numbers.get(&g.span.start) {
            by_slot
                .entry(g.slot)
                .or_default()
                .push((g.span.end, number));
        }
    }
    for (slot, mut list) in by_slot {
        // .NET records a capture when its group closes: the group that closes last in
        // the pattern captures last.
        list.sort_by_key(|&(end, _)| std::cmp::Reverse(end));
        caps.slots
            .insert(slot, list.into_iter().map(|(_, n)| n).collect());
    }
    Ok((caps, emitted_slots))
}
