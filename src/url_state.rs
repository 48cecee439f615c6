//! View state that lives in the URL, so that every view can be bookmarked and reloaded.
//! Parsing never fails: a value that cannot be used is dropped with a notice for the user.
//!
//! The run table's URL (documented in the README):
//! `/runs?status=3,4&trigger=Webhook&range=24h&flow=12&version=1201&env=2&user=5&q=orders`
//! `&retried=1&warnings=0&sort=oldest&page=2&per_page=50`; instead of `range`, `from`/`to`
//! (ISO 8601 or Unix ms) or `day=YYYY-MM-DD`.

use crate::api::query::{encode_pairs, MAX_PER_PAGE};
use crate::api::{LogLevel, LogQuery, RunQuery, RunSort, RunStatus, Trigger};
use crate::time::{civil_from_days, format_datetime, parse_iso};
use std::collections::BTreeSet;

/// Page sizes offered in the UI.
pub const PAGE_SIZES: [u32; 4] = [10, 25, 50, 100];

/// Start-time presets, newest window first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    Hour,
    Day,
    Week,
    Month,
    All,
}

impl Preset {
    pub const ALL: [Preset; 5] = [Preset::Hour, Preset::Day, Preset::Week, Preset::Month, Preset::All];

    pub fn key(self) -> &'static str {
        match self {
            Preset::Hour => "1h",
            Preset::Day => "24h",
            Preset::Week => "7d",
            Preset::Month => "30d",
            Preset::All => "all",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Preset::Hour => "Last hour",
            Preset::Day => "Last 24 hours",
            Preset::Week => "Last 7 days",
            Preset::Month => "Last 30 days",
            Preset::All => "Any time",
        }
    }

    pub fn parse(s: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.key().eq_ignore_ascii_case(s.trim()))
    }

    pub fn millis(self) -> Option<i64> {
        Some(match self {
            Preset::Hour => 3_600_000,
            Preset::Day => 86_400_000,
            Preset::Week => 7 * 86_400_000,
            Preset::Month => 30 * 86_400_000,
            Preset::All => return None,
        })
    }
}

/// Which runs by start time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeRange {
    /// Relative to now, recomputed at every fetch. The default is the last 7 days, as in
    /// the vendor's dashboard.
    Preset(Preset),
    /// Absolute bounds in Unix ms (either may be open).
    Between { from: Option<i64>, to: Option<i64> },
    /// One calendar day (days since 1970-01-01), in the zone the user views times in.
    Day(i64),
}

impl Default for TimeRange {
    fn default() -> Self {
        TimeRange::Preset(Preset::Week)
    }
}

/// A tri-state flag filter.
pub fn parse_flag(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Some(true),
        "0" | "false" | "no" => Some(false),
        _ => None,
    }
}

/// The run table's view, as found in `/runs?...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunsView {
    pub status: Vec<RunStatus>,
    pub trigger: Vec<Trigger>,
    pub range: TimeRange,
    pub flow_id: Vec<String>,
    pub flow_version_id: Vec<String>,
    pub environment_id: Vec<String>,
    pub user_id: Vec<String>,
    pub search: String,
    pub retried: Option<bool>,
    pub warnings: Option<bool>,
    pub sort: RunSort,
    pub page: u32,
    pub per_page: u32,
}

impl RunsView {
    pub fn new(per_page: u32) -> RunsView {
        RunsView {
            status: Vec::new(),
            trigger: Vec::new(),
            range: TimeRange::default(),
            flow_id: Vec::new(),
            flow_version_id: Vec::new(),
            environment_id: Vec::new(),
            user_id: Vec::new(),
            search: String::new(),
            retried: None,
            warnings: None,
            sort: RunSort::NewestFirst,
            page: 1,
            per_page: per_page.clamp(1, MAX_PER_PAGE),
        }
    }

    /// Any filter other than the default time range?
    pub fn is_filtered(&self) -> bool {
        let blank = RunsView { sort: self.sort, page: self.page, per_page: self.per_page, ..RunsView::new(self.per_page) };
        *self != blank
    }

    /// Reads the URL's query pairs; `default_per_page` comes from `config.json`.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>, default_per_page: u32) -> (RunsView, Vec<String>) {
        let mut v = RunsView::new(default_per_page);
        let mut notices = Vec::new();
        let mut from = None;
        let mut to = None;
        let mut ignore = |k: &str, val: &str, why: &str| notices.push(format!("Ignored {k}={val}: {why}."));
        let ids = |val: &str, ignore: &mut dyn FnMut(&str, &str, &str), k: &str| -> Vec<String> {
            let mut out = Vec::new();
            for part in val.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                if part.len() <= 40 && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                    if !out.iter().any(|o| o == part) {
                        out.push(part.to_string());
                    }
                } else {
                    ignore(k, part, "not an id");
                }
            }
            out
        };
        for (k, val) in pairs {
            match k {
                "page" => match val.trim().parse::<u32>() {
                    Ok(p) if p >= 1 => v.page = p,
                    _ => ignore(k, val, "not a page number"),
                },
                "per_page" => match val.trim().parse::<u32>() {
                    Ok(n) if (1..=MAX_PER_PAGE).contains(&n) => v.per_page = n,
                    _ => ignore(k, val, "use 1 to 100"),
                },
                "status" => {
                    for part in val.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        let s = part.parse::<i64>().ok().and_then(RunStatus::from_code).or_else(|| RunStatus::from_label(part));
                        match s {
                            Some(s) if !v.status.contains(&s) => v.status.push(s),
                            Some(_) => {}
                            None => ignore(k, part, "not a run status"),
                        }
                    }
                }
                "trigger" => {
                    for part in val.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        match Trigger::parse(part) {
                            Trigger::Other(_) => ignore(k, part, "not a trigger"),
                            t if !v.trigger.contains(&t) => v.trigger.push(t),
                            _ => {}
                        }
                    }
                }
                "range" => match Preset::parse(val) {
                    Some(p) => v.range = TimeRange::Preset(p),
                    None => ignore(k, val, "use 1h, 24h, 7d, 30d or all"),
                },
                "from" | "to" => match parse_instant(val) {
                    Some(ms) if k == "from" => from = Some(ms),
                    Some(ms) => to = Some(ms),
                    None => ignore(k, val, "not a date and time"),
                },
                "day" => match parse_day(val) {
                    Some(d) => v.range = TimeRange::Day(d),
                    None => ignore(k, val, "not a date (YYYY-MM-DD)"),
                },
                "flow" => v.flow_id = ids(val, &mut ignore, k),
                "version" => v.flow_version_id = ids(val, &mut ignore, k),
                "env" => v.environment_id = ids(val, &mut ignore, k),
                "user" => v.user_id = ids(val, &mut ignore, k),
                "q" => v.search = val.trim().chars().take(200).collect(),
                "retried" => match parse_flag(val) {
                    Some(b) => v.retried = Some(b),
                    None => ignore(k, val, "use 1 or 0"),
                },
                "warnings" => match parse_flag(val) {
                    Some(b) => v.warnings = Some(b),
                    None => ignore(k, val, "use 1 or 0"),
                },
                "sort" => match val.trim() {
                    "newest" | "-started_at" => v.sort = RunSort::NewestFirst,
                    "oldest" | "started_at" => v.sort = RunSort::OldestFirst,
                    _ => ignore(k, val, "use newest or oldest"),
                },
                _ => {}
            }
        }
        if from.is_some() || to.is_some() {
            match (from, to) {
                (Some(f), Some(t)) if f > t => notices.push("Ignored from/to: the start is after the end.".into()),
                _ => v.range = TimeRange::Between { from, to },
            }
        }
        (v, notices)
    }

    /// The query pairs, leaving out defaults, in a fixed order.
    pub fn to_pairs(&self, default_per_page: u32) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> = Vec::new();
        let mut push = |k: &str, v: String| p.push((k.to_string(), v));
        if !self.status.is_empty() {
            push("status", self.status.iter().filter_map(|s| s.code()).map(|c| c.to_string()).collect::<Vec<_>>().join(","));
        }
        if !self.trigger.is_empty() {
            push("trigger", self.trigger.iter().map(|t| t.as_api().to_string()).collect::<Vec<_>>().join(","));
        }
        match self.range {
            TimeRange::Preset(Preset::Week) => {}
            TimeRange::Preset(p) => push("range", p.key().into()),
            TimeRange::Between { from, to } => {
                if let Some(f) = from {
                    push("from", format_instant(f));
                }
                if let Some(t) = to {
                    push("to", format_instant(t));
                }
                if from.is_none() && to.is_none() {
                    push("range", "all".into());
                }
            }
            TimeRange::Day(d) => push("day", format_day(d)),
        }
        for (k, ids) in
            [("flow", &self.flow_id), ("version", &self.flow_version_id), ("env", &self.environment_id), ("user", &self.user_id)]
        {
            if !ids.is_empty() {
                push(k, ids.join(","));
            }
        }
        if !self.search.trim().is_empty() {
            push("q", self.search.trim().to_string());
        }
        if let Some(b) = self.retried {
            push("retried", if b { "1" } else { "0" }.into());
        }
        if let Some(b) = self.warnings {
            push("warnings", if b { "1" } else { "0" }.into());
        }
        if self.sort == RunSort::OldestFirst {
            push("sort", "oldest".into());
        }
        if self.page != 1 {
            push("page", self.page.to_string());
        }
        if self.per_page != default_per_page {
            push("per_page", self.per_page.to_string());
        }
        p
    }

    /// The app-relative link to this view.
    pub fn href(&self, default_per_page: u32) -> String {
        let q = encode_pairs(&self.to_pairs(default_per_page));
        if q.is_empty() {
            "/runs".into()
        } else {
            format!("/runs?{q}")
        }
    }

    /// The start-time bounds in Unix ms at `now`; `offset_minutes` places a day filter in the
    /// user's zone.
    pub fn bounds(&self, now_ms: i64, offset_minutes: i32) -> (Option<i64>, Option<i64>) {
        match self.range {
            TimeRange::Preset(p) => (p.millis().map(|d| now_ms - d), None),
            TimeRange::Between { from, to } => (from, to),
            TimeRange::Day(d) => {
                let start = d * 86_400_000 - i64::from(offset_minutes) * 60_000;
                (Some(start), Some(start + 86_400_000))
            }
        }
    }

    /// The API query for this view at `now`.
    pub fn api_query(&self, now_ms: i64, offset_minutes: i32) -> RunQuery {
        let (after, before) = self.bounds(now_ms, offset_minutes);
        RunQuery {
            user_id: self.user_id.clone(),
            flow_id: self.flow_id.clone(),
            flow_version_id: self.flow_version_id.clone(),
            virtual_environment_id: self.environment_id.clone(),
            trigger: self.trigger.clone(),
            status: self.status.clone(),
            search: Some(self.search.trim().to_string()).filter(|s| !s.is_empty()),
            // The API's bounds are exclusive; ours include the start.
            started_after: after.map(|a| a - 1),
            started_before: before,
            started_on: None,
            retried: self.retried,
            has_warnings: self.warnings,
            include: crate::api::client::RUN_LIST_INCLUDES.iter().map(|s| s.to_string()).collect(),
            fields: Vec::new(),
            sort: Some(self.sort),
            page: self.page,
            per_page: self.per_page,
        }
    }
}

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
    pub fn href(&self, run_id: &str) -> String {
        let path = format!("/runs/{}/logs", crate::api::query::encode_component(run_id));
        let q = encode_pairs(&self.to_pairs());
        if q.is_empty() {
            path
        } else {
            format!("{path}?{q}")
        }
    }

    /// The API query for page `page` of `per_page` entries, with this view's step filter.
    pub fn api_query(&self, page: u32, per_page: u32) -> LogQuery {
        LogQuery { flow_step_id: self.step.clone(), ..LogQuery::standard(page, per_page) }
    }
}

/// The app's base path from the pathname of `<base href>`: "" at the root, "/tools/runs"
/// under a sub-path (no trailing slash; only path characters are kept).
pub fn base_path_of(base_pathname: &str) -> String {
    let p = base_pathname.split(['?', '#']).next().unwrap_or_default().trim_end_matches('/');
    if p.is_empty() || !p.starts_with('/') || p.starts_with("//") {
        return String::new();
    }
    p.to_string()
}

/// `path` (an app path such as `/runs?x`) without the base path in front, if it has it.
pub fn strip_base<'a>(base: &str, path: &'a str) -> &'a str {
    if base.is_empty() {
        return path;
    }
    match path.strip_prefix(base) {
        Some("") => "/",
        Some(rest) if rest.starts_with(['/', '?', '#']) => rest,
        _ => path,
    }
}

/// Where embed routes live: `/embed/runs…` shows `/runs…` with minimal chrome.
pub const EMBED_PREFIX: &str = "/embed";

/// Whether an app path is an embed route.
pub fn is_embed_path(path: &str) -> bool {
    path == EMBED_PREFIX || path.starts_with("/embed/") || path.starts_with("/embed?")
}

/// The route of app path `path` in embed mode: run views stay embedded, everything else
/// (the Connection page) is the full app's.
pub fn embed_route(path: &str) -> String {
    if path.starts_with("/runs") && !is_embed_path(path) {
        format!("{EMBED_PREFIX}{path}")
    } else {
        path.to_string()
    }
}

/// The full app's path of an embed route (`/embed/runs/7` → `/runs/7`).
pub fn full_route(path: &str) -> &str {
    match path.strip_prefix(EMBED_PREFIX) {
        Some(rest) if rest.starts_with('/') => rest,
        Some(rest) if rest.is_empty() || rest.starts_with('?') => "/runs",
        _ => path,
    }
}

/// The Connection page, asked to come back to `path` after signing in.
pub fn settings_href(path: &str) -> String {
    match safe_next(path) {
        Some(p) if p != "/settings" => format!("/settings?next={}", crate::api::query::encode_component(&p)),
        _ => "/settings".into(),
    }
}

/// A place to return to: only a path of this app (`/...`), never another origin
/// (`//host`, `/\host`, `https:`), so the parameter cannot send anyone elsewhere.
pub fn safe_next(next: &str) -> Option<String> {
    let n = next.trim();
    let ok = n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.contains(['\\', '\n', '\r']);
    ok.then(|| n.to_string())
}

/// ISO 8601 (any offset, or UTC without one) or Unix ms.
pub fn parse_instant(s: &str) -> Option<i64> {
    let t = s.trim();
    match t.parse::<i64>() {
        Ok(ms) if (0..=253_402_300_799_999).contains(&ms) => Some(ms),
        Ok(_) => None,
        Err(_) => parse_iso(t).filter(|ms| *ms >= 0),
    }
}

/// `2026-11-28T17:49:28Z` (seconds only when not zero).
pub fn format_instant(ms: i64) -> String {
    let full = format_datetime(ms - ms.rem_euclid(1000), 0).replace(" UTC", "Z").replacen(' ', "T", 1);
    match full.strip_suffix(":00Z") {
        Some(short) => format!("{short}Z"),
        None => full,
    }
}

pub fn parse_day(s: &str) -> Option<i64> {
    let t = s.trim();
    (t.len() == 10).then_some(())?;
    parse_iso(t).map(|ms| ms.div_euclid(86_400_000))
}

pub fn format_day(d: i64) -> String {
    let (y, m, dd) = civil_from_days(d);
    format!("{y:04}-{m:02}-{dd:02}")
}

/// Page numbers to offer around `current`: the first, the last, two either side of the
/// current one, and `None` for each gap.
pub fn page_numbers(current: u64, last: u64) -> Vec<Option<u64>> {
    let last = last.max(1);
    let current = current.clamp(1, last);
    let mut out = Vec::new();
    let mut prev = 0;
    for n in 1..=last {
        let near = n + 2 >= current && n <= current + 2;
        if n == 1 || n == last || near {
            if n > prev + 1 {
                out.push(None);
            }
            out.push(Some(n));
            prev = n;
        } else if n > current + 2 {
            // Jump to the last page rather than walking every number in between.
            if last > prev + 1 {
                out.push(None);
            }
            out.push(Some(last));
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::query::decode_query;
    use proptest::prelude::*;

    fn parse(q: &str) -> (RunsView, Vec<String>) {
        let pairs = decode_query(q);
        RunsView::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), 25)
    }

    #[test]
    fn bad_values_are_ignored_with_notices() {
        let (v, n) = parse("page=0&per_page=1000&status=3,banana&trigger=Pigeon,webhook&range=2y&flow=1;drop&retried=maybe&other=x");
        assert_eq!(v.page, 1);
        assert_eq!(v.per_page, 25);
        assert_eq!(v.status, vec![RunStatus::Failure]);
        assert_eq!(v.trigger, vec![Trigger::Webhook]);
        assert_eq!(v.range, TimeRange::default());
        assert!(v.flow_id.is_empty());
        assert_eq!(n.len(), 7, "{n:?}");
    }

    #[test]
    fn a_full_view() {
        let (v, n) = parse("status=failure,4&trigger=API&from=2026-11-01T00:00Z&to=1796000000000&flow=12,13&version=1201&env=2&user=5&q=orders%20eu&retried=1&warnings=0&sort=oldest&page=3&per_page=50");
        assert!(n.is_empty(), "{n:?}");
        assert_eq!(v.status, vec![RunStatus::Failure, RunStatus::Stopped]);
        assert_eq!(v.range, TimeRange::Between { from: Some(1_793_491_200_000), to: Some(1_796_000_000_000) });
        assert_eq!((v.retried, v.warnings, v.sort, v.page, v.per_page), (Some(true), Some(false), RunSort::OldestFirst, 3, 50));
        let q = v.api_query(0, 0);
        assert_eq!(q.started_after, Some(1_793_491_199_999));
        assert_eq!(q.started_before, Some(1_796_000_000_000));
        assert_eq!(q.search.as_deref(), Some("orders eu"));
        assert_eq!(q.flow_id, ["12", "13"]);
    }

    #[test]
    fn presets_and_days_become_bounds() {
        let v = RunsView::new(25);
        assert_eq!(v.bounds(10 * 86_400_000, 0), (Some(3 * 86_400_000), None), "7 days by default");
        let (day, _) = parse("day=2026-03-01");
        assert_eq!(day.bounds(0, 60), (Some(1_772_323_200_000 - 3_600_000), Some(1_772_409_600_000 - 3_600_000)));
        let (all, _) = parse("range=all");
        assert_eq!(all.bounds(5, 0), (None, None));
        assert!(!RunsView::new(25).is_filtered());
        assert!(all.is_filtered());
        assert_eq!(RunsView::new(25).href(25), "/runs");
    }

    #[test]
    fn instants() {
        assert_eq!(format_instant(1_793_491_200_000), "2026-11-01T00:00Z");
        assert_eq!(format_instant(1_793_491_201_000), "2026-11-01T00:00:01Z");
        assert_eq!(parse_instant("2026-11-01T00:00Z"), Some(1_793_491_200_000));
        assert_eq!(parse_instant("-5"), None);
        assert_eq!(parse_day("2026-02-30"), None);
        assert_eq!(format_day(parse_day("2026-02-28").unwrap()), "2026-02-28");
    }

    #[test]
    fn return_paths_stay_in_the_app() {
        assert_eq!(settings_href("/runs?status=3&q=a b"), "/settings?next=%2Fruns%3Fstatus%3D3%26q%3Da%20b");
        assert_eq!(settings_href("/settings"), "/settings");
        assert_eq!(settings_href(""), "/settings");
        for bad in ["//evil.example/x", "https://evil.example", "/\\evil", "javascript:alert(1)", "/runs\nx"] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
        assert_eq!(safe_next(" /runs/7 ").as_deref(), Some("/runs/7"));
    }

    #[test]
    fn gaps() {
        let show = |c, l| page_numbers(c, l).iter().map(|p| p.map_or("…".to_string(), |n| n.to_string())).collect::<Vec<_>>().join(" ");
        assert_eq!(show(1, 1), "1");
        assert_eq!(show(1, 10), "1 2 3 … 10");
        assert_eq!(show(5, 10), "1 … 3 4 5 6 7 … 10");
        assert_eq!(show(10, 10), "1 … 8 9 10");
        assert_eq!(show(4, 7), "1 2 3 4 5 6 7");
        assert_eq!(show(2, 1_000_000), "1 2 3 4 … 1000000");
    }

    fn ids() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec("[0-9a-zA-Z_-]{1,8}", 0..3).prop_map(|mut v| {
            v.dedup();
            let mut seen = Vec::new();
            v.retain(|x| {
                let new = !seen.contains(x);
                seen.push(x.clone());
                new
            });
            v
        })
    }

    fn view() -> impl Strategy<Value = RunsView> {
        let statuses = proptest::sample::subsequence(RunStatus::KNOWN.to_vec(), 0..=5);
        let triggers = proptest::sample::subsequence(Trigger::KNOWN.to_vec(), 0..=4);
        let range = prop_oneof![
            proptest::sample::select(Preset::ALL.to_vec()).prop_map(TimeRange::Preset),
            (proptest::option::of(0i64..4_000_000_000), proptest::option::of(4_000_000_000i64..8_000_000_000))
                .prop_map(|(f, t)| TimeRange::Between { from: f.map(|s| s * 1000), to: t.map(|s| s * 1000) }),
            (0i64..40_000).prop_map(TimeRange::Day),
        ];
        let flags = (proptest::option::of(any::<bool>()), proptest::option::of(any::<bool>()), any::<bool>());
        (statuses, triggers, range, (ids(), ids(), ids(), ids()), "[a-z0-9 é&=#%+]{0,12}", flags, 1u32..10_000, 1u32..=100).prop_map(
            |(status, trigger, range, (flow, version, env, user), search, (retried, warnings, oldest), page, per_page)| RunsView {
                status,
                trigger,
                range,
                flow_id: flow,
                flow_version_id: version,
                environment_id: env,
                user_id: user,
                search: search.trim().to_string(),
                retried,
                warnings,
                sort: if oldest { RunSort::OldestFirst } else { RunSort::NewestFirst },
                page,
                per_page,
            },
        )
    }

    proptest! {
        #[test]
        fn view_round_trips_through_its_href(v in view(), default in 1u32..=100) {
            let href = v.href(default);
            let query = href.split_once('?').map(|(_, q)| q).unwrap_or("");
            let pairs = decode_query(query);
            let (back, notices) = RunsView::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), default);
            prop_assert!(notices.is_empty(), "{:?}", notices);
            // An empty Between reads back as "any time".
            let want = match v.range {
                TimeRange::Between { from: None, to: None } => RunsView { range: TimeRange::Preset(Preset::All), ..v.clone() },
                _ => v.clone(),
            };
            prop_assert_eq!(back, want);
        }

        #[test]
        fn parsing_any_query_never_panics(q in "\\PC{0,80}") {
            let _ = parse(&q);
        }

        #[test]
        fn page_numbers_are_sorted_and_include_ends(current in 1u64..500, last in 1u64..500) {
            let nums: Vec<u64> = page_numbers(current, last).into_iter().flatten().collect();
            prop_assert!(nums.windows(2).all(|w| w[0] < w[1]));
            prop_assert_eq!(nums.first().copied(), Some(1));
            prop_assert_eq!(nums.last().copied(), Some(last));
            prop_assert!(nums.contains(&current.min(last)));
            prop_assert!(nums.len() <= 7);
        }
    }

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

    #[test]
    fn base_paths() {
        assert_eq!(base_path_of("/"), "");
        assert_eq!(base_path_of("/tools/runs/"), "/tools/runs");
        assert_eq!(base_path_of("/tools/runs"), "/tools/runs");
        assert_eq!(base_path_of("//evil/"), "");
        assert_eq!(base_path_of(""), "");
        assert_eq!(strip_base("/tools/runs", "/tools/runs/runs?x=1"), "/runs?x=1");
        assert_eq!(strip_base("/tools/runs", "/tools/runs"), "/");
        assert_eq!(strip_base("/tools/runs", "/tools/runsx"), "/tools/runsx");
        assert_eq!(strip_base("", "/runs"), "/runs");
    }

    #[test]
    fn embed_routes() {
        assert!(is_embed_path("/embed/runs?status=3") && is_embed_path("/embed") && !is_embed_path("/embedded"));
        assert_eq!(embed_route("/runs/7?x=1"), "/embed/runs/7?x=1");
        assert_eq!(embed_route("/embed/runs"), "/embed/runs");
        assert_eq!(embed_route("/settings"), "/settings");
        assert_eq!(full_route("/embed/runs/7/logs?q=a"), "/runs/7/logs?q=a");
        assert_eq!(full_route("/embed"), "/runs");
        assert_eq!(full_route("/runs"), "/runs");
    }
}
