//! Terminal tables that fit the width they are given, in scopesim's one style (condensed
//! Unicode borders, as [`super::table`] draws them).
//!
//! A table is laid out in the first of these that fits: full headers; abbreviated
//! headers (with a line saying what they stand for); text columns wrapped at spaces with
//! full, then abbreviated headers; and when even that does not fit, a list with one
//! entry per row ("title: label value, label value", wrapped). Numbers are never split
//! and never wrapped: a number column is as wide as its widest number, and a table that
//! cannot give it that becomes a list. Counts carry thousands separators
//! ([`Cell::count`]) and data is escaped for the terminal when a cell is made
//! ([`Cell::data`]), so that colour ([`Paint`]) is the only escape sequence a table
//! writes. Columns are a list the caller builds, so a renderer can add optional columns
//! (shown only when some row has a value) without touching the layout.

use super::color::{Paint, Tone};
use unicode_width::UnicodeWidthStr;

/// How a column's cells are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Numbers.
    Right,
}

/// One column: its header, the abbreviation used when space is short, and whether its
/// text may wrap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Full header.
    pub header: String,
    /// Abbreviated header (the full one when there is none).
    pub short: String,
    /// Alignment.
    pub align: Align,
    /// Text that may wrap at spaces (long-word text is cut as a last resort).
    pub wrap: bool,
    /// Narrowest width a wrapping column is given.
    pub min: usize,
    /// Part of a row's title in list form.
    pub key: bool,
}

impl Column {
    /// A text column that does not wrap (names, short values).
    pub fn text(header: &str) -> Column {
        Column {
            header: header.to_string(),
            short: header.to_string(),
            align: Align::Left,
            wrap: false,
            min: 0,
            key: false,
        }
    }

    /// A number column: right-aligned, never split.
    pub fn number(header: &str) -> Column {
        Column {
            align: Align::Right,
            ..Column::text(header)
        }
    }

    /// A text column that wraps, no narrower than `min`.
    pub fn wrapping(header: &str, min: usize) -> Column {
        Column {
            wrap: true,
            min,
            ..Column::text(header)
        }
    }

    /// With an abbreviated header.
    pub fn short(mut self, short: &str) -> Column {
        self.short = short.to_string();
        self
    }

    /// Part of a row's title when the table becomes a list.
    pub fn key(mut self) -> Column {
        self.key = true;
        self
    }
}

/// One cell: text already safe for a terminal, and an optional tone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cell {
    /// The text (control characters escaped).
    pub text: String,
    /// Its colour, when colour is on.
    pub tone: Option<Tone>,
}

impl Cell {
    /// Text from data (user values, names from rule files): control characters are
    /// written as `\u{1b}` (S-independent: [`crate::text::escape_control`]).
    pub fn data(text: &str) -> Cell {
        Cell {
            text: crate::text::escape_control(text).into_owned(),
            tone: None,
        }
    }

    /// A count with thousands separators.
    pub fn count(n: usize) -> Cell {
        Cell {
            text: super::format::count(n),
            tone: None,
        }
    }

    /// In `tone`.
    pub fn tone(mut self, tone: Tone) -> Cell {
        self.tone = Some(tone);
        self
    }

    /// In `tone` when `cond`.
    pub fn tone_if(self, cond: bool, tone: Tone) -> Cell {
        if cond { self.tone(tone) } else { self }
    }
}

/// A table to lay out.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    /// Columns.
    pub columns: Vec<Column>,
    /// Rows, one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

/// How a grid was laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// A table with full headers.
    Full,
    /// A table with abbreviated headers (a legend line follows it).
    Abbreviated,
    /// A list, one entry per row.
    List,
}

/// Display width of `s` (East Asian wide characters count two).
pub fn width_of(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

impl Grid {
    /// An empty grid with these columns.
    pub fn new(columns: Vec<Column>) -> Grid {
        Grid {
            columns,
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells are empty, extra cells are dropped).
    pub fn row(&mut self, mut cells: Vec<Cell>) {
        cells.resize(self.columns.len(), Cell::default());
        self.rows.push(cells);
    }

    /// The grid laid out in `width` columns, and how.
    pub fn render(&self, width: usize, paint: Paint) -> (String, Layout) {
        for (short, wrap) in [(false, false), (true, false), (false, true), (true, true)] {
            if let Some(widths) = self.widths(width, short, wrap) {
                let mut s = self.draw(&widths, short, paint);
                let layout = if short && self.abbreviates() {
                    s.push_str(&self.legend(width));
                    Layout::Abbreviated
                } else {
                    Layout::Full
                };
                return (s, layout);
            }
        }
        (self.list(width, paint), Layout::List)
    }

    /// True when some abbreviation differs from its header.
    fn abbreviates(&self) -> bool {
        self.columns.iter().any(|c| c.short != c.header)
    }

    fn header(&self, i: usize, short: bool) -> &str {
        let c = &self.columns[i];
        if short { &c.short } else { &c.header }
    }

    /// Widest line of each column's cells (and header).
    fn natural(&self, i: usize, short: bool) -> usize {
        let cells = self
            .rows
            .iter()
            .flat_map(|r| r[i].text.lines())
            .map(width_of)
            .max()
            .unwrap_or(0);
        cells.max(width_of(self.header(i, short)))
    }

    /// Column widths that fit `width`, or `None`.
    fn widths(&self, width: usize, short: bool, wrap: bool) -> Option<Vec<usize>> {
        let n = self.columns.len();
        if n == 0 {
            return None;
        }
        let border = 3 * n + 1;
        let natural: Vec<usize> = (0..n).map(|i| self.natural(i, short)).collect();
        if border + natural.iter().sum::<usize>() <= width {
            return Some(natural);
        }
        if !wrap || !self.columns.iter().any(|c| c.wrap) {
            return None;
        }
        let mut widths = natural.clone();
        let fixed: usize = (0..n)
            .filter(|&i| !self.columns[i].wrap)
            .map(|i| natural[i])
            .sum();
        let mut available = width.checked_sub(border + fixed)?;
        let mut open: Vec<usize> = (0..n).filter(|&i| self.columns[i].wrap).collect();
        let min_of = |i: usize| {
            let c = &self.columns[i];
            natural[i].min(c.min.max(width_of(self.header(i, short))).max(1))
        };
        if open.iter().map(|&i| min_of(i)).sum::<usize>() > available {
            return None;
        }
        // Fair shares: a column narrower than its share keeps its natural width and
        // leaves the rest to the others.
        loop {
            let share = available / open.len().max(1);
            let (small, big): (Vec<usize>, Vec<usize>) =
                open.iter().partition(|&&i| natural[i] <= share);
            if small.is_empty() {
                let mut extra = available - share * big.len();
                for &i in &big {
                    widths[i] = share.max(min_of(i));
                    if extra > 0 && widths[i] == share {
                        widths[i] += 1;
                        extra -= 1;
                    }
                }
                break;
            }
            for &i in &small {
                widths[i] = natural[i];
                available -= natural[i];
            }
            open = big;
            if open.is_empty() {
                break;
            }
        }
        let total: usize = widths.iter().sum::<usize>() + border;
        (total <= width).then_some(widths)
    }

    fn draw(&self, widths: &[usize], short: bool, paint: Paint) -> String {
        let rule = |l: &str, fill: &str, mid: &str, r: &str| -> String {
            let parts: Vec<String> = widths.iter().map(|w| fill.repeat(w + 2)).collect();
            format!("{l}{}{r}\n", parts.join(mid))
        };
        let mut s = rule("┌", "─", "┬", "┐");
        let header: Vec<Cell> = (0..self.columns.len())
            .map(|i| Cell {
                text: self.header(i, short).to_string(),
                tone: None,
            })
            .collect();
        self.draw_row(&mut s, &header, widths, true, paint);
        s.push_str(&rule("╞", "═", "╪", "╡"));
        for r in &self.rows {
            self.draw_row(&mut s, r, widths, false, paint);
        }
        s.push_str(&rule("└", "─", "┴", "┘"));
        s
    }

    fn draw_row(
        &self,
        s: &mut String,
        cells: &[Cell],
        widths: &[usize],
        header: bool,
        paint: Paint,
    ) {
        let lines: Vec<Vec<String>> = cells
            .iter()
            .zip(widths)
            .map(|(c, &w)| wrap(&c.text, w))
            .collect();
        let height = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
        for k in 0..height {
            s.push('│');
            for (i, (col, &w)) in lines.iter().zip(widths).enumerate() {
                if i > 0 {
                    s.push('┆');
                }
                let text = col.get(k).map(String::as_str).unwrap_or("");
                let pad = " ".repeat(w.saturating_sub(width_of(text)));
                let right = self.columns[i].align == Align::Right && !header;
                let painted = paint.paint(cells[i].tone, text);
                if right {
                    s.push_str(&format!(" {pad}{painted} "));
                } else {
                    s.push_str(&format!(" {painted}{pad} "));
                }
            }
            s.push_str("│\n");
        }
    }

    /// "Abbreviations: Cand. candidates, ..." for the abbreviated headers, wrapped.
    fn legend(&self, width: usize) -> String {
        let parts: Vec<String> = self
            .columns
            .iter()
            .filter(|c| c.short != c.header)
            .map(|c| format!("{} = {}", c.short, c.header.to_lowercase()))
            .collect();
        fill(&format!("({})", parts.join(", ")), width, "")
    }

    /// One entry per row: the key columns as a title, then `label value` pairs.
    fn list(&self, width: usize, paint: Paint) -> String {
        let mut s = String::new();
        for r in &self.rows {
            let title: Vec<String> = self
                .columns
                .iter()
                .zip(r)
                .filter(|(c, _)| c.key)
                .map(|(_, cell)| paint.paint(Some(Tone::Strong), &cell.text))
                .collect();
            let mut parts = Vec::new();
            for (c, cell) in self.columns.iter().zip(r) {
                if c.key || cell.text.is_empty() {
                    continue;
                }
                parts.push((
                    c.header.to_lowercase(),
                    cell.text.replace('\n', " "),
                    cell.tone,
                ));
            }
            if !title.is_empty() {
                s.push_str(&title.join(" · "));
                s.push('\n');
            }
            // Pairs joined by ", ", wrapped at pair boundaries; a pair wider than the
            // line is wrapped at its spaces (and left unpainted).
            let avail = width.saturating_sub(2).max(10);
            let mut lines = Vec::new();
            let (mut cur, mut cur_w) = (String::new(), 0);
            for (k, (label, value, tone)) in parts.iter().enumerate() {
                let sep = if k + 1 < parts.len() { "," } else { "" };
                let plain = format!("{label} {value}{sep}");
                let w = width_of(&plain);
                if cur_w > 0 && (w > avail || cur_w + 1 + w > avail) {
                    lines.push(std::mem::take(&mut cur));
                    cur_w = 0;
                }
                if w > avail {
                    lines.extend(wrap(&plain, avail));
                    continue;
                }
                if cur_w > 0 {
                    cur.push(' ');
                    cur_w += 1;
                }
                cur.push_str(&format!("{label} {}{sep}", paint.paint(*tone, value)));
                cur_w += w;
            }
            if cur_w > 0 {
                lines.push(cur);
            }
            for l in lines {
                s.push_str("  ");
                s.push_str(&l);
                s.push('\n');
            }
        }
        s
    }
}

/// Wraps `text` at spaces to `width` (words longer than the line are cut); keeps its
/// line breaks. Text containing colour codes is not wrapped.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for para in text.split('\n') {
        if para.contains('\u{1b}') || width_of(para) <= width {
            out.push(para.to_string());
            continue;
        }
        let mut line = String::new();
        for word in para.split(' ') {
            let lw = width_of(&line);
            let ww = width_of(word);
            if !line.is_empty() && lw + 1 + ww <= width {
                line.push(' ');
                line.push_str(word);
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            if ww <= width {
                line.push_str(word);
            } else {
                // Cut a long word (a UPN, a path) at the width.
                let mut piece = String::new();
                for ch in word.chars() {
                    let cw = width_of(ch.encode_utf8(&mut [0; 4]));
                    if width_of(&piece) + cw > width {
                        out.push(std::mem::take(&mut piece));
                    }
                    piece.push(ch);
                }
                line = piece;
            }
        }
        out.push(line);
    }
    if out.is_empty() {
        out.push(String::new());
    }
    out
}

/// `text` wrapped to `width` with every line after the first indented by `indent`, and
/// a final line break. Leading spaces of `text` stay on its first line.
pub fn fill(text: &str, width: usize, indent: &str) -> String {
    let body = text.trim_start_matches(' ');
    let lead = &text[..text.len() - body.len()];
    let mut s = String::new();
    let first = wrap(body, width.saturating_sub(lead.len()).max(10));
    if let Some((head, rest)) = first.split_first() {
        s.push_str(lead);
        s.push_str(head.trim_end());
        s.push('\n');
        let rest = rest.join(" ");
        if !rest.is_empty() {
            for l in wrap(&rest, width.saturating_sub(indent.len()).max(10)) {
                s.push_str(indent);
                s.push_str(l.trim_end());
                s.push('\n');
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        let mut g = Grid::new(vec![
            Column::text("App").key(),
            Column::number("Candidates").short("Cand."),
            Column::wrapping("Why", 8),
        ]);
        g.row(vec![
            Cell::data("Salesforce"),
            Cell::count(100_000),
            Cell::data("matched filter \"IT pilot\" and nothing else"),
        ]);
        g
    }

    #[test]
    fn a_table_that_fits_is_drawn_with_full_headers() {
        let (s, layout) = grid().render(120, Paint::PLAIN);
        assert_eq!(layout, Layout::Full);
        assert!(
            s.contains(
                "│ Salesforce ┆    100,000 ┆ matched filter \"IT pilot\" and nothing else │"
            ),
            "{s}"
        );
    }

    #[test]
    fn numbers_are_never_split_and_text_wraps() {
        let (s, layout) = grid().render(40, Paint::PLAIN);
        assert_eq!(
            layout,
            Layout::Full,
            "full headers first, text wrapped:\n{s}"
        );
        assert!(s.contains("100,000"), "{s}");
        assert!(s.lines().all(|l| width_of(l) <= 40), "{s}");
        let (s, layout) = grid().render(36, Paint::PLAIN);
        assert_eq!(layout, Layout::Abbreviated, "{s}");
        assert!(s.contains("100,000"), "{s}");
        assert!(s.lines().all(|l| width_of(l) <= 36), "{s}");
        assert!(s.contains("Cand. = candidates"), "{s}");
    }

    #[test]
    fn a_table_too_wide_becomes_a_list() {
        let (s, layout) = grid().render(24, Paint::PLAIN);
        assert_eq!(layout, Layout::List, "{s}");
        assert!(s.starts_with("Salesforce\n  candidates 100,000,"), "{s}");
        assert!(s.lines().all(|l| width_of(l) <= 24), "{s}");
    }

    #[test]
    fn data_is_escaped_and_colour_is_ours() {
        let mut g = Grid::new(vec![Column::text("App")]);
        g.row(vec![Cell::data("IT\u{1b}[31m").tone(Tone::Danger)]);
        let (s, _) = g.render(80, Paint::new(true));
        assert!(s.contains("\u{1b}[31mIT\\u{1b}[31m\u{1b}[0m"), "{s}");
    }
}
