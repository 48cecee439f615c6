//! View state that lives in the URL, so that every view can be bookmarked and reloaded:
//! the run table's (`runs`, with its time ranges in `range`), the log viewer's (`logs`),
//! app paths and the link builder (`routes`), and the pager's numbers (`paging`). Callers use
//! the re-exports below (`crate::url_state::RunsView`, …), not the submodules.

mod logs;
mod paging;
mod range;
mod routes;
mod runs;

pub use logs::{LogsView, LOG_PAGE_SIZE};
pub use paging::{page_numbers, page_past_the_last, PAGE_SIZES};
pub use range::{format_day, format_instant, parse_day, parse_instant, Preset, TimeRange};
pub use routes::{
    base_path_of, compare_href, embed_route, full_route, is_embed_path, log_file_href, logs_href, run_href, safe_next, settings_href,
    step_logs_href, strip_base, COMPARE_PATH, EMBED_PREFIX, LOG_FILE_PATH, RUNS_PATH,
};
pub use runs::{parse_flag, RunsView};
