//! What the API answers, decoded tolerantly into the app's own types: runs (`run`), log
//! entries (`log`), and the pages and single objects they come in (`envelope`). Durations,
//! sizes and counts as the API writes them are read by `api::units`.
//!
//! Decoding goes through `serde_json::Value` and the readers in `decode`, never through
//! derived `Deserialize` impls on these types: one odd field must not lose a whole page.
//! Values the app does not know are kept as they came (`Other(raw)`), never dropped.

mod envelope;
mod log;
mod run;

pub use envelope::{decode_one, without_deep_items, ActionOutcome, LoginToken, Page, PageLink, PageMeta, MAX_JSON_DEPTH};
pub use log::{FlowRunLog, LogLevel};
pub use run::{FlowRun, FlowStep, RunLink, RunStatus, Trigger};
