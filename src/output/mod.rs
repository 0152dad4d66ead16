//! Output plumbing shared by every renderer: atomic file writes, refusing outputs that
//! would clobber inputs, the spreadsheet formula guard and the terminal table style.
//!
//! A leaf (it uses only `diag` and `text`), so that `report`, `review` and later stages can all
//! write evidence the same way without importing each other.

pub mod atomic;
pub mod console;
pub mod csv_guard;
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
