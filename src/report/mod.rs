//! Reports: evidence an auditor can keep. Tables, CSV, JSON and HTML renderings of plans,
//! and the rules every written file follows (atomic write, formula guard, stated inputs).
pub mod atomic;
pub mod csv_guard;
pub mod explain;
pub mod html;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod plan;

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
