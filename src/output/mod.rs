//! Output plumbing shared by every renderer: atomic file writes, refusing outputs that
//! would clobber inputs, the spreadsheet formula guard and CSV dialects, the terminal
//! (tables that fit its width, colour, counts and durations as people read them, the
//! progress bar) and the self-contained HTML page every audit page is built with.
//!
//! A leaf (it uses only `diag` and `text`), so that `report`, `review` and later stages can all
//! write evidence the same way without importing each other.

pub mod atomic;
pub mod color;
pub mod console;
pub mod csv_guard;
pub mod dialect;
pub mod format;
pub mod grid;
pub mod help;
pub mod html;
pub mod paths;
pub mod progress;

/// A terminal table in scopesim's one style: condensed Unicode borders, columns wrapped
/// to `width` (the terminal's when `None`).
pub fn table(width: Option<u16>) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    if let Some(w) = width {
        t.set_width(w);
    }
    t
}
