//! The log viewer's logic, without the browser: the store of loaded entries (`store`), the
//! virtual list's window (`window`), loading everything (`load`), and entries as text:
//! rows, highlights, times and the `.txt`/`.jsonl` exports (`text`).
//!
//! Everything here is incremental where it has to be: appending a page of 100 entries to
//! 200,000 costs O(100), not O(200,000), so loading all stays linear. Callers use the
//! re-exports below (`crate::logs::LogStore`, …), not the submodules.

mod file;
mod file_json;
#[cfg(test)]
mod file_tests;
mod load;
mod store;
mod text;
mod window;

pub use file::{append_all, gzip_size, is_gzip, sniff, FileParser, Format, Stats, MAX_ENTRIES, MAX_LINE, MAX_TEXT_BYTES};
pub use load::{load_cost, minutes_text, page_of, LoadCost, LoadPlan, API_PER_MINUTE, CONFIRM_PAGES, LOAD_PER_PAGE};
pub use store::{fold, step_match, LogStore};
pub use text::{
    clock_ms, collapsed, detail_time, escape_for_export, export_file_name, highlight, iso_ms, json_line, offset_ms, row_text, text_line,
    unsafe_in_export, COLLAPSE_BYTES, ROW_CHARS,
};
pub use window::{scroll_to_row, window, OVERSCAN, ROW_HEIGHT};

/// A log entry for tests: `id`, `level` and `message`, nothing else.
#[cfg(test)]
fn entry(id: u32, level: crate::api::LogLevel, message: &str) -> crate::api::FlowRunLog {
    crate::api::FlowRunLog { id: id.to_string(), level: Some(level), message: message.into(), ..Default::default() }
}
