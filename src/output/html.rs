//! A self-contained HTML page for evidence: the one design that the plan, diff,
//! reconcile and audit pages share.
//!
//! The page opens anywhere without a server or network: inline CSS, no script, no
//! external font or image; charts are inline SVG drawn here ([`svg`]). It reads at
//! 600 px (tables scroll sideways inside their box, charts scale with their viewBox) and
//! prints (no background needed for meaning, sections kept whole, links shown). Every
//! value that comes from data goes through [`escape`]: HTML escaping, and control
//! characters written as `\u{1b}` as on the terminal, so an export cannot add markup
//! or hide text. Numbers are shown with thousands separators and carry their exact
//! value in a `data-value` attribute, so a test (or a script) reads them back.

use super::format::{count, thousands};
use crate::diag::Diagnostic;
use crate::source::Sources;
use std::fmt::Write;

/// Escapes text for HTML content and attribute values, and writes control characters
/// as `\u{1b}` ([`crate::text::escape_control`]).
pub fn escape(s: &str) -> String {
    let s = crate::text::escape_control(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// [`escape`], with `backtick` spans (as messages write user input and flags) shown as
/// code.
pub fn escape_text(s: &str) -> String {
    let e = escape(s);
    if e.matches('`').count() < 2 {
        return e;
    }
    let mut out = String::with_capacity(e.len() + 16);
    let mut open = false;
    let closing = e.rfind('`').unwrap_or(0);
    for (i, c) in e.char_indices() {
        if c == '`' && (open || i < closing) {
            out.push_str(if open { "</code>" } else { "<code>" });
            open = !open;
        } else {
            out.push(c);
        }
    }
    out
}

/// The colour of each action, the same in every chart and legend.
pub fn action_colour(action: &str) -> &'static str {
    match action {
        "create" => "#2e7d32",
        "update" => "#1565c0",
        "disable" => "#e65100",
        "delete" => "#b71c1c",
        "skip" => "#9e9e9e",
        "fail" => "#6a1b9a",
        "suppressed" => "#f9a825",
        "added" | "gained" => "#2e7d32",
        "removed" | "lost" => "#b71c1c",
        _ => "#d7d7d7",
    }
}

const STYLE: &str = "\
:root{color-scheme:light}\
body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;margin:0 auto;max-width:70rem;padding:1rem 1.25rem 3rem;color:#1b1b1b;background:#fff}\
h1{font-size:1.6rem;margin:.5rem 0 .25rem}h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:2px solid #e3e3e3;padding-bottom:.2rem}\
h3{font-size:1.05rem;margin:1.25rem 0 .4rem}p{margin:.4rem 0}\
.lead{color:#444}.muted{color:#666;font-size:.9em}.stamp{border:2px solid #1b1b1b;display:inline-block;padding:.25rem .6rem;margin:.4rem 0;font-weight:600}\
.safe{background:#e8f5e9;border-left:4px solid #2e7d32;padding:.4rem .7rem;margin:.6rem 0}\
.alert{background:#fdecea;border-left:4px solid #b71c1c;padding:.4rem .7rem;margin:.6rem 0;font-weight:600}\
.box{overflow-x:auto;margin:.5rem 0 1rem}\
table{border-collapse:collapse;font-size:.88em}th,td{border:1px solid #d0d0d0;padding:.2rem .4rem;vertical-align:top}\
th{background:#f2f2f2;text-align:left;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
table.dense{font-size:.8em}table.dense th{hyphens:auto}tr.held td{background:#fdecea}td.held{color:#b71c1c;font-weight:700}\
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em}code{background:#f4f4f4;padding:0 .2em;word-break:break-all}\
pre{background:#f7f7f7;border:1px solid #e3e3e3;padding:.5rem .7rem;overflow-x:auto;white-space:pre-wrap}\
svg{max-width:100%;height:auto;display:block;margin:.3rem 0 .8rem}svg text{font:12px system-ui,sans-serif;fill:#1b1b1b}\
.legend span{display:inline-block;margin-right:.9rem;font-size:.85em;white-space:nowrap}\
.legend i{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:-.05em;border:1px solid #999}\
ul{padding-left:1.3rem}li{margin:.2rem 0}.warn{color:#7a4a00}\
section{break-inside:avoid-page}\
@media (max-width:640px){body{font-size:14px;padding:.6rem}th,td{padding:.2rem .35rem}}\
@media print{body{max-width:none;padding:0;font-size:11pt}h2{break-after:avoid}.box{overflow:visible}\
tr.held td,.alert,.safe{-webkit-print-color-adjust:exact;print-color-adjust:exact}a{color:inherit}}";

/// A page being built: title, then sections of trusted markup made with the helpers
/// below (which escape what they are given).
#[derive(Debug, Clone)]
pub struct Page {
    title: String,
    body: String,
}

impl Page {
    /// A page titled `title` (also its first heading).
    pub fn new(title: &str) -> Page {
        let mut p = Page {
            title: title.to_string(),
            body: String::new(),
        };
        let _ = writeln!(p.body, "<h1>{}</h1>", escape(title));
        p
    }

    /// What every page says under its title: a lead line (what was read), that nothing was
    /// sent (`safe`, which says how the page was made), and the `--stamp` when given.
    pub fn opening(&mut self, lead: &str, safe: &str, stamp: Option<&str>) {
        self.para(Some("lead"), lead);
        self.para(Some("safe"), safe);
        if let Some(stamp) = stamp {
            let _ = writeln!(self.body, "<p class=\"stamp\">{}</p>", escape(stamp));
        }
    }

    /// A heading (`level` 2 or 3) with an anchor id.
    pub fn heading(&mut self, level: u8, id: &str, text: &str) {
        let level = level.clamp(2, 4);
        let _ = writeln!(
            self.body,
            "<h{level} id=\"{}\">{}</h{level}>",
            escape(id),
            escape(text)
        );
    }

    /// A paragraph of text (escaped), with an optional class.
    pub fn para(&mut self, class: Option<&str>, text: &str) {
        match class {
            Some(c) => {
                let _ = writeln!(self.body, "<p class=\"{c}\">{}</p>", escape_text(text));
            }
            None => {
                let _ = writeln!(self.body, "<p>{}</p>", escape_text(text));
            }
        }
    }

    /// Markup built by the caller from escaped parts.
    pub fn markup(&mut self, html: &str) {
        self.body.push_str(html);
        if !html.ends_with('\n') {
            self.body.push('\n');
        }
    }

    /// Text shown as written (rules, options), in a `<pre>`.
    pub fn pre(&mut self, text: &str) {
        let _ = writeln!(self.body, "<pre>{}</pre>", escape(text));
    }

    /// A list of items (escaped), with an optional class on each item.
    pub fn list(&mut self, items: &[String], class: Option<&str>) {
        self.body.push_str("<ul>\n");
        for i in items {
            match class {
                Some(c) => {
                    let _ = writeln!(self.body, "<li class=\"{c}\">{}</li>", escape_text(i));
                }
                None => {
                    let _ = writeln!(self.body, "<li>{}</li>", escape_text(i));
                }
            }
        }
        self.body.push_str("</ul>\n");
    }

    /// A table in a scrolling box.
    pub fn table(&mut self, t: &Table) {
        self.markup(&t.to_html());
    }

    /// The whole document.
    pub fn finish(self) -> String {
        format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{}</title>\n<style>{STYLE}</style></head><body>\n{}</body></html>\n",
            escape(&self.title),
            self.body
        )
    }
}

/// One table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Td {
    /// Text (escaped).
    Text(String),
    /// A count: thousands separators, its value in `data-value`, its field name (for
    /// tests and scripts) in `data-field`.
    Count(&'static str, usize),
    /// Code (escaped), such as a hash or a path.
    Code(String),
    /// Markup built from escaped parts.
    Markup(String),
}

/// One row of a [`Table`]: cells, a class (`held`), and `data-*` attributes.
pub type Row = (Vec<Td>, Option<&'static str>, Vec<(&'static str, String)>);

/// Rows of a diverging chart: a value, users entering and leaving scope.
pub type Counts = Vec<(String, usize, usize)>;

/// A table: header, rows with an optional class and data attributes.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Header cells.
    pub head: Vec<String>,
    /// Rows.
    pub rows: Vec<Row>,
    /// Many narrow columns: smaller type, so that it fits a page.
    pub dense: bool,
}

impl Table {
    /// A table with these headers.
    pub fn new(head: &[&str]) -> Table {
        Table {
            head: head.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            dense: false,
        }
    }

    /// Adds a row.
    pub fn row(&mut self, cells: Vec<Td>) {
        self.rows.push((cells, None, Vec::new()));
    }

    /// Adds a row with a class and data attributes.
    pub fn row_with(
        &mut self,
        cells: Vec<Td>,
        class: Option<&'static str>,
        data: Vec<(&'static str, String)>,
    ) {
        self.rows.push((cells, class, data));
    }

    fn to_html(&self) -> String {
        let mut h = String::from(if self.dense {
            "<div class=\"box\"><table class=\"dense\">\n<thead><tr>"
        } else {
            "<div class=\"box\"><table>\n<thead><tr>"
        });
        for c in &self.head {
            let _ = write!(h, "<th>{}</th>", escape(c));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        for (cells, class, data) in &self.rows {
            h.push_str("<tr");
            if let Some(c) = class {
                let _ = write!(h, " class=\"{c}\"");
            }
            for (k, v) in data {
                let _ = write!(h, " data-{k}=\"{}\"", escape(v));
            }
            h.push('>');
            for c in cells {
                match c {
                    Td::Text(t) => {
                        let _ = write!(h, "<td>{}</td>", escape(t));
                    }
                    Td::Count(field, n) => {
                        let _ = write!(
                            h,
                            "<td class=\"n\" data-field=\"{field}\" data-value=\"{n}\">{}</td>",
                            count(*n)
                        );
                    }
                    Td::Code(t) => {
                        let _ = write!(h, "<td><code>{}</code></td>", escape(t));
                    }
                    Td::Markup(m) => {
                        let _ = write!(h, "<td>{m}</td>");
                    }
                }
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody></table></div>\n");
        h
    }
}

/// A legend: a coloured square and a label per entry.
pub fn legend(entries: &[(&str, &str)]) -> String {
    let mut h = String::from("<p class=\"legend\">");
    for (label, colour) in entries {
        let _ = write!(
            h,
            "<span><i style=\"background:{colour}\"></i>{}</span>",
            escape(label)
        );
    }
    h.push_str("</p>\n");
    h
}

/// What the plan and diff pages say they are.
pub const SIMULATED: &str = "A simulation of Entra ID app provisioning from exported files: nothing was sent to any tenant.";

/// The warnings section: each warning with its code, rule, location and help.
pub fn warnings_section(p: &mut Page, warnings: &[Diagnostic], sources: &Sources) {
    p.heading(2, "warnings", &format!("Warnings ({})", warnings.len()));
    if warnings.is_empty() {
        p.para(None, "None.");
        return;
    }
    let mut h = String::from("<ul>\n");
    for w in warnings {
        let at = w
            .primary_location(sources)
            .map(|l| format!(" <span class=\"muted\">{}</span>", escape(&l)))
            .unwrap_or_default();
        let rule = w.rule.map(|r| format!("[{r}] ")).unwrap_or_default();
        let help = w
            .help
            .as_ref()
            .map(|x| format!("<br><span class=\"muted\">help: {}</span>", escape_text(x)))
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<li class=\"warn\"><code>{}</code> {rule}{}{at}{help}</li>",
            w.code,
            escape_text(&w.message)
        );
    }
    h.push_str("</ul>\n");
    p.markup(&h);
}

/// One input as the inputs section lists it: role, path, records (when meaningful) and
/// SHA-256.
pub type Input<'a> = (&'a str, &'a str, Option<u64>, &'a str);

/// The inputs section: every input with its hash, then the options and version when
/// given, and that the same inputs give the same page (except the stamp).
pub fn inputs_section<'a>(
    p: &mut Page,
    inputs: impl IntoIterator<Item = Input<'a>>,
    options: Option<&str>,
    version: Option<&str>,
    stamped: bool,
) {
    p.heading(2, "inputs", "Inputs");
    let mut t = Table::new(&["Role", "File", "Records", "SHA-256"]);
    for (role, path, records, sha256) in inputs {
        t.row(vec![
            Td::Text(role.to_string()),
            Td::Code(path.to_string()),
            match records {
                Some(r) => Td::Count("records", usize::try_from(r).unwrap_or(usize::MAX)),
                None => Td::Text(String::new()),
            },
            Td::Code(sha256.to_string()),
        ]);
    }
    p.table(&t);
    let mut h = String::from("<p class=\"muted\">");
    if let Some(o) = options {
        let _ = write!(h, "Options: <code>{}</code>. ", escape(o));
    }
    if let Some(v) = version {
        let _ = write!(h, "scopesim {}. ", escape(v));
    }
    let _ = write!(
        h,
        "The same inputs and options give the same page, byte for byte{}.</p>",
        if stamped { ", except the stamp" } else { "" }
    );
    p.markup(&h);
}

/// Where everyone is listed when a page shows the first few: the report (`what`, such
/// as "per-user report") at `path` (or the one `--report FILE.csv` writes), its rows and
/// SHA-256.
pub fn report_pointer(what: &str, path: Option<&str>, rows: u64, sha256: &str) -> String {
    match path {
        Some(path) => format!(
            "Everyone is listed in the {what} `{path}` ({} rows, SHA-256 {sha256}).",
            thousands(rows)
        ),
        None => format!(
            "Everyone is listed in the {what} that `--report FILE.csv` writes ({} rows, SHA-256 {sha256}).",
            thousands(rows)
        ),
    }
}

/// Charts as inline SVG: horizontal bars only, so they read on a phone and on paper.
pub mod svg {
    use super::{action_colour, count, escape};
    use std::fmt::Write;

    /// Width of every chart, in viewBox units (it scales to the page).
    const W: f64 = 640.0;
    /// Where bars start (labels are on their left).
    const LABEL: f64 = 150.0;
    /// Room for the value after the longest bar.
    const VALUE: f64 = 70.0;

    fn open(height: f64, title: &str) -> String {
        format!(
            "<svg viewBox=\"0 0 {W} {height}\" width=\"{W}\" height=\"{height}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>\n",
            t = escape(title)
        )
    }

    /// A label cut to fit the label column.
    fn label(text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        if chars.len() > 22 {
            format!("{}…", chars[..21].iter().collect::<String>())
        } else {
            text.to_string()
        }
    }

    /// One group of a funnel: a heading (the stage) and its bars (label, value).
    #[derive(Debug, Clone)]
    pub struct Group {
        /// The group's name.
        pub name: String,
        /// Bars: label and value.
        pub bars: Vec<(String, usize)>,
    }

    /// Groups of horizontal bars on one scale (a funnel: candidates → in scope →
    /// provisionable, per stage), in three shades of blue by position in the group.
    pub fn funnel(title: &str, groups: &[Group]) -> String {
        let shades = ["#90a4ae", "#5c8db8", "#1565c0"];
        bars(title, groups, &|i, _| shades[i.min(2)])
    }

    /// Groups of labelled horizontal bars on one scale, each bar filled with
    /// `fill(position in its group, label)`; a group with an empty name has no heading.
    /// Each bar's value is written after it.
    pub fn bars(
        title: &str,
        groups: &[Group],
        fill: &dyn Fn(usize, &str) -> &'static str,
    ) -> String {
        let max = groups
            .iter()
            .flat_map(|g| g.bars.iter().map(|b| b.1))
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let named = groups.iter().filter(|g| !g.name.is_empty()).count();
        let bars: usize = groups.iter().map(|g| g.bars.len()).sum();
        let height = 8.0 + named as f64 * 22.0 + bars as f64 * 20.0;
        let mut s = open(height, title);
        let mut y = 4.0;
        for g in groups {
            let indent = if g.name.is_empty() {
                0
            } else {
                let _ = writeln!(
                    s,
                    "<text x=\"0\" y=\"{:.0}\" font-weight=\"600\">{}</text>",
                    y + 14.0,
                    escape(&label(&g.name))
                );
                y += 22.0;
                12
            };
            for (i, (name, v)) in g.bars.iter().enumerate() {
                let w = (W - LABEL - VALUE) * (*v as f64) / max;
                let _ = writeln!(
                    s,
                    "<text x=\"{indent}\" y=\"{:.0}\">{}</text><rect x=\"{LABEL}\" y=\"{y:.0}\" width=\"{w:.1}\" height=\"15\" fill=\"{}\"><title>{}: {}</title></rect><text x=\"{:.1}\" y=\"{:.0}\">{}</text>",
                    y + 12.0,
                    escape(&label(name)),
                    fill(i, name),
                    escape(name),
                    count(*v),
                    LABEL + w + 5.0,
                    y + 12.0,
                    count(*v)
                );
                y += 20.0;
            }
        }
        s.push_str("</svg>\n");
        s
    }

    /// One stacked bar: its label and its segments (name, value); every bar is the full
    /// width, so segments are shares.
    #[derive(Debug, Clone)]
    pub struct Stack {
        /// The bar's label.
        pub label: String,
        /// Segments: name (which picks the colour) and value.
        pub segments: Vec<(&'static str, usize)>,
    }

    /// Stacked horizontal bars, one per stage, segments coloured by [`action_colour`]
    /// and labelled with their count when there is room.
    pub fn stacked(title: &str, stacks: &[Stack]) -> String {
        let height = 6.0 + stacks.len() as f64 * 28.0;
        let mut s = open(height, title);
        let span = W - LABEL - 10.0;
        for (k, st) in stacks.iter().enumerate() {
            let y = 4.0 + k as f64 * 28.0;
            let total: usize = st.segments.iter().map(|x| x.1).sum();
            let _ = writeln!(
                s,
                "<text x=\"0\" y=\"{:.0}\">{}</text>",
                y + 15.0,
                escape(&label(&st.label))
            );
            if total == 0 {
                let _ = writeln!(
                    s,
                    "<rect x=\"{LABEL}\" y=\"{y:.0}\" width=\"{span}\" height=\"20\" fill=\"none\" stroke=\"#bbb\"/><text x=\"{:.0}\" y=\"{:.0}\">nobody</text>",
                    LABEL + 6.0,
                    y + 15.0
                );
                continue;
            }
            let mut x = LABEL;
            for (name, v) in &st.segments {
                if *v == 0 {
                    continue;
                }
                let w = span * (*v as f64) / total as f64;
                let _ = write!(
                    s,
                    "<rect x=\"{x:.1}\" y=\"{y:.0}\" width=\"{w:.1}\" height=\"20\" fill=\"{}\" stroke=\"#fff\" stroke-width=\"0.5\"><title>{name}: {}</title></rect>",
                    action_colour(name),
                    count(*v)
                );
                let text = count(*v);
                if w > 8.0 * text.len() as f64 + 6.0 {
                    let fill = if matches!(*name, "none" | "skip" | "suppressed") {
                        "#1b1b1b"
                    } else {
                        "#fff"
                    };
                    let _ = write!(
                        s,
                        "<text x=\"{:.1}\" y=\"{:.0}\" style=\"fill:{fill}\">{text}</text>",
                        x + 4.0,
                        y + 15.0
                    );
                }
                s.push('\n');
                x += w;
            }
        }
        s.push_str("</svg>\n");
        s
    }

    /// The deletion threshold as a meter: the stage's disables and deletes against the
    /// threshold (a line), red when held.
    pub fn meter(title: &str, rows: &[(String, usize, u64, bool)]) -> String {
        let max = rows
            .iter()
            .map(|r| (r.1 as f64).max(r.2 as f64))
            .fold(1.0, f64::max)
            * 1.15;
        let height = 10.0 + rows.len() as f64 * 30.0;
        let mut s = open(height, title);
        let span = W - LABEL - VALUE - 40.0;
        for (k, (name, value, limit, held)) in rows.iter().enumerate() {
            let y = 4.0 + k as f64 * 30.0;
            let w = span * (*value as f64) / max;
            let lx = LABEL + span * (*limit as f64) / max;
            let fill = if *held { "#b71c1c" } else { "#2e7d32" };
            let _ = writeln!(
                s,
                "<text x=\"0\" y=\"{:.0}\">{}</text><rect x=\"{LABEL}\" y=\"{y:.0}\" width=\"{span:.1}\" height=\"18\" fill=\"#f0f0f0\"/><rect x=\"{LABEL}\" y=\"{y:.0}\" width=\"{w:.1}\" height=\"18\" fill=\"{fill}\"><title>{} disables and deletes</title></rect><line x1=\"{lx:.1}\" x2=\"{lx:.1}\" y1=\"{:.0}\" y2=\"{:.0}\" stroke=\"#1b1b1b\" stroke-width=\"2\"/><text x=\"{:.1}\" y=\"{:.0}\">{} / {}{}</text>",
                y + 14.0,
                escape(&label(name)),
                count(*value),
                y - 3.0,
                y + 21.0,
                LABEL + span + 8.0,
                y + 14.0,
                count(*value),
                super::super::format::thousands(*limit),
                if *held { " HELD" } else { "" }
            );
        }
        s.push_str("</svg>\n");
        s
    }

    /// Added (right, green) and removed (left, red) users by value: one group per
    /// attribute (its name, then one row per value), all on one scale.
    pub fn diverging(title: &str, groups: &[(String, super::Counts)]) -> String {
        let max = groups
            .iter()
            .flat_map(|g| g.1.iter().map(|r| r.1.max(r.2)))
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let rows: usize = groups.iter().map(|g| g.1.len()).sum();
        let height = 24.0 + groups.len() as f64 * 20.0 + rows as f64 * 19.0;
        let mut s = open(height, title);
        let half = (W - LABEL - 2.0 * VALUE) / 2.0;
        let mid = LABEL + VALUE + half;
        let _ = writeln!(
            s,
            "<text x=\"{:.0}\" y=\"12\" text-anchor=\"end\" style=\"fill:{}\">◀ leave scope</text><text x=\"{:.0}\" y=\"12\" style=\"fill:{}\">enter scope ▶</text><line x1=\"{mid}\" x2=\"{mid}\" y1=\"16\" y2=\"{height}\" stroke=\"#888\"/>",
            mid - 6.0,
            action_colour("removed"),
            mid + 6.0,
            action_colour("added")
        );
        let mut y = 20.0;
        for (group, rows) in groups {
            let _ = writeln!(
                s,
                "<text x=\"0\" y=\"{:.0}\" font-weight=\"600\">{}</text>",
                y + 14.0,
                escape(&label(group))
            );
            y += 20.0;
            for (name, added, removed) in rows {
                let wa = half * (*added as f64) / max;
                let wr = half * (*removed as f64) / max;
                let _ = write!(
                    s,
                    "<text x=\"12\" y=\"{:.0}\">{}</text>",
                    y + 12.0,
                    escape(&label(name))
                );
                if *removed > 0 {
                    let _ = write!(
                        s,
                        "<rect x=\"{:.1}\" y=\"{y:.0}\" width=\"{wr:.1}\" height=\"15\" fill=\"{}\"><title>{}: {} leave scope</title></rect><text x=\"{:.1}\" y=\"{:.0}\" text-anchor=\"end\">−{}</text>",
                        mid - wr,
                        action_colour("removed"),
                        escape(name),
                        count(*removed),
                        mid - wr - 4.0,
                        y + 12.0,
                        count(*removed)
                    );
                }
                if *added > 0 {
                    let _ = write!(
                        s,
                        "<rect x=\"{mid}\" y=\"{y:.0}\" width=\"{wa:.1}\" height=\"15\" fill=\"{}\"><title>{}: {} enter scope</title></rect><text x=\"{:.1}\" y=\"{:.0}\">+{}</text>",
                        action_colour("added"),
                        escape(name),
                        count(*added),
                        mid + wa + 4.0,
                        y + 12.0,
                        count(*added)
                    );
                }
                s.push('\n');
                y += 19.0;
            }
        }
        s.push_str("</svg>\n");
        s
    }
}

/// Values shown per attribute in the added/removed charts (the rest are "other").
pub const TOP_VALUES: usize = 10;

/// Counts by value, reduced to the `top` largest (by `added + removed`, then by value)
/// and one "other" row for the rest; null values are shown as `(no value)`.
pub fn top_and_other(mut rows: Vec<(Option<String>, usize, usize)>, top: usize) -> Counts {
    rows.sort_by(|a, b| (b.1 + b.2).cmp(&(a.1 + a.2)).then_with(|| a.0.cmp(&b.0)));
    let mut out: Vec<(String, usize, usize)> = Vec::new();
    let (mut oa, mut or, mut others) = (0, 0, 0);
    for (i, (v, a, r)) in rows.into_iter().enumerate() {
        if i < top {
            out.push((v.unwrap_or_else(|| "(no value)".to_string()), a, r));
        } else {
            oa += a;
            or += r;
            others += 1;
        }
    }
    if others > 0 {
        out.push((format!("other ({others} values)"), oa, or));
    }
    out
}

/// [`top_and_other`] for one count per value: the `top` largest values and "other".
pub fn top_counts(rows: Vec<(String, usize)>, top: usize) -> Vec<(String, usize)> {
    let rows = rows.into_iter().map(|(v, n)| (Some(v), n, 0)).collect();
    top_and_other(rows, top)
        .into_iter()
        .map(|(v, n, _)| (v, n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped_with_control_characters_visible() {
        assert_eq!(
            escape("<script>\"x\"&'y'\u{1b}[2J"),
            "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;\\u{1b}[2J"
        );
    }

    #[test]
    fn backticks_are_code_and_stay_escaped() {
        assert_eq!(
            escape_text("use `--report <f>` or `x"),
            "use <code>--report &lt;f&gt;</code> or `x"
        );
    }

    #[test]
    fn a_page_is_self_contained() {
        let mut p = Page::new("t <x>");
        p.para(None, "a & b");
        let mut t = Table::new(&["App", "Create"]);
        t.row(vec![Td::Text("S<".into()), Td::Count("create", 1234)]);
        p.table(&t);
        p.markup(&svg::stacked(
            "actions",
            &[svg::Stack {
                label: "pilot".into(),
                segments: vec![("create", 3), ("skip", 5)],
            }],
        ));
        let h = p.finish();
        assert!(h.contains("<title>t &lt;x&gt;</title>"));
        assert!(h.contains("data-value=\"1234\">1,234</td>"));
        for bad in [
            "<script", "http://", "https://", "@import", "url(", "<link", "<img",
        ] {
            assert!(!h.contains(bad), "{bad}");
        }
    }

    #[test]
    fn top_ten_and_other() {
        let rows: Vec<(Option<String>, usize, usize)> = (0..12)
            .map(|i| (Some(format!("d{i:02}")), i, 0))
            .chain([(None, 0, 20)])
            .collect();
        let t = top_and_other(rows, 10);
        assert_eq!(t.len(), 11);
        assert_eq!(t[0], ("(no value)".to_string(), 0, 20));
        assert_eq!(t[10], ("other (3 values)".to_string(), 3, 0));
    }

    #[test]
    fn bars_are_coloured_by_position_and_labels_escaped() {
        let groups = [svg::Group {
            name: String::new(),
            bars: vec![("ok <b>".into(), 1200), ("off".into(), 3)],
        }];
        let colours = ["#2e7d32", "#b71c1c"];
        let s = svg::bars("t", &groups, &|i, _| colours[i]);
        assert!(s.contains("fill=\"#2e7d32\"><title>ok &lt;b&gt;: 1,200</title>"));
        assert!(s.contains("fill=\"#b71c1c\"><title>off: 3</title>"));
        assert!(
            !s.contains("font-weight"),
            "a group without a name has no heading"
        );
        assert!(s.contains("height=\"48\""), "{s}");
    }

    #[test]
    fn top_counts_keep_ten_and_sum_the_rest() {
        let rows: Vec<(String, usize)> = (0..13).map(|i| (format!("v{i:02}"), i + 1)).collect();
        let t = top_counts(rows, 10);
        assert_eq!(t.len(), 11);
        assert_eq!(t[0], ("v12".to_string(), 13));
        assert_eq!(t[10], ("other (3 values)".to_string(), 1 + 2 + 3));
    }
}
