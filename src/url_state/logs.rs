//! The log viewer's view in the URL (`/runs/:id/logs?step=…&level=…&q=…&log=…`). Parsing
//! never fails: a value that cannot be used is dropped with a notice for the user.

use super::runs::parse_flag;
use crate::api::query::MAX_PER_PAGE;
use crate::api::{LogLevel, LogQuery};
use std::collections::BTreeSet;

/// Entries per page of the log viewer unless the URL says otherwise.
pub const LOG_PAGE_SIZE: u32 = 100;

/// The log viewer's view, as found in `/runs/:id/logs?...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogsView {
    pub page: u32,
    pub per_page: u32,
    /// `filter[flow_step_id]`: the server filters by step.
    pub step: Vec<String>,
    /// Levels shown (the API has no level filter, so this filters what is loaded).
    pub levels: BTreeSet<LogLevel>,
    /// Search over the loaded entries.
    pub q: String,
    /// The entry opened (a permalink).
    pub log: Option<String>,
    /// Times as offsets from the run's start instead of clock times.
    pub offsets: bool,
    /// Long messages wrap instead of being cut at the row's end.
    pub wrap: bool,
}

impl Default for LogsView {
    fn default() -> Self {
        LogsView {
            page: 1,
            per_page: LOG_PAGE_SIZE,
            step: Vec::new(),
            levels: BTreeSet::new(),
            q: String::new(),
            log: None,
            offsets: false,
            wrap: false,
        }
    }
}

impl LogsView {
    /// Reads the URL's query pairs; values it cannot use are dropped with a notice.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> (LogsView, Vec<String>) {
        let mut v = LogsView::default();
        let mut notices = Vec::new();
        for (k, raw) in pairs {
            let val = raw.trim();
            match k {
                "page" => match val.parse::<u32>() {
                    Ok(n) if n >= 1 => v.page = n,
                    _ => notices.push(format!("Ignored page \"{raw}\": not a page number.")),
                },
                "per_page" => match val.parse::<u32>() {
                    Ok(n) if (1..=MAX_PER_PAGE).contains(&n) => v.per_page = n,
                    _ => notices.push(format!("Ignored per_page \"{raw}\": use 1 to {MAX_PER_PAGE}.")),
                },
                "step" => {
                    for id in val.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                            notices.push(format!("Ignored step \"{id}\": not a step id."));
                        } else if !v.step.iter().any(|s| s == id) {
                            v.step.push(id.to_string());
                        }
                    }
                }
                "level" => {
                    for l in val.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        match LogLevel::from_value(&serde_json::Value::String(l.to_string())) {
                            Some(level) => {
                                v.levels.insert(level);
                            }
                            None => notices.push(format!("Ignored level \"{l}\".")),
                        }
                    }
                }
                "q" => v.q = raw.to_string(),
                "log" if !val.is_empty() => v.log = Some(val.to_string()),
                "time" => match val {
                    "run" | "offset" => v.offsets = true,
                    "clock" | "" => v.offsets = false,
                    _ => notices.push(format!("Ignored time \"{raw}\": use clock or run.")),
                },
                "wrap" => match parse_flag(val) {
                    Some(b) => v.wrap = b,
                    None => notices.push(format!("Ignored wrap \"{raw}\": use 1 or 0.")),
                },
                _ => {}
            }
        }
        (v, notices)
    }

    /// The query pairs, leaving out defaults, in a fixed order.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = Vec::new();
        if !self.step.is_empty() {
            p.push(("step".into(), self.step.join(",")));
        }
        if !self.levels.is_empty() {
            p.push(("level".into(), self.levels.iter().map(|l| l.label().to_ascii_lowercase()).collect::<Vec<_>>().join(",")));
        }
        if !self.q.trim().is_empty() {
            p.push(("q".into(), self.q.trim().to_string()));
        }
        if self.offsets {
            p.push(("time".into(), "run".into()));
        }
        if self.wrap {
            p.push(("wrap".into(), "1".into()));
        }
        if self.page != 1 {
            p.push(("page".into(), self.page.to_string()));
        }
        if self.per_page != LOG_PAGE_SIZE {
            p.push(("per_page".into(), self.per_page.to_string()));
        }
        if let Some(id) = &self.log {
            p.push(("log".into(), id.clone()));
        }
        p
    }

    /// The app-relative link to this view of run `run_id`'s logs.
    /// (The same as [`logs_href`](super::logs_href), which link sites use.)
    pub fn href(&self, run_id: &str) -> String {
        super::routes::logs_href(run_id, self)
    }

    /// The API query for page `page` of `per_page` entries, with this view's step filter.
    pub fn api_query(&self, page: u32, per_page: u32) -> LogQuery {
        LogQuery { flow_step_id: self.step.clone(), ..LogQuery::standard(page, per_page) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_view_round_trips_and_reports_bad_values() {
        let (v, notices) = LogsView::from_pairs([
            ("step", "110001, 110002,110001"),
            ("level", "Error,warn"),
            ("q", "record 42"),
            ("log", "7000004"),
            ("time", "run"),
            ("wrap", "1"),
            ("page", "3"),
            ("per_page", "50"),
        ]);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(v.step, vec!["110001", "110002"]);
        assert_eq!(v.levels, [LogLevel::Warning, LogLevel::Error].into());
        assert_eq!(
            v.href("7"),
            "/runs/7/logs?step=110001%2C110002&level=warning%2Cerror&q=record%2042&time=run&wrap=1&page=3&per_page=50&log=7000004"
        );
        let pairs = crate::api::query::decode_query(v.href("7").split_once('?').unwrap().1);
        let (back, _) = LogsView::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(back, v);
        assert_eq!(LogsView::default().href("7"), "/runs/7/logs");
        let (bad, notices) =
            LogsView::from_pairs([("page", "0"), ("per_page", "500"), ("step", "1;drop"), ("time", "x"), ("wrap", "maybe")]);
        assert_eq!(bad, LogsView::default());
        assert_eq!(notices.len(), 5);
        let q = v.api_query(2, 100).to_query_string();
        assert!(q.contains("filter%5Bflow_step_id%5D=110001%2C110002") && q.contains("page=2"), "{q}");
    }
}
