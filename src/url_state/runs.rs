//! The run table's view in the URL. Parsing never fails: a value that cannot be used is
//! dropped with a notice for the user.
//!
//! The run table's URL (documented in the README):
//! `/runs?status=3,4&trigger=Webhook&range=24h&flow=12&version=1201&env=2&user=5&q=orders`
//! `&retried=1&warnings=0&sort=oldest&page=2&per_page=50`; instead of `range`, `from`/`to`
//! (ISO 8601 or Unix ms) or `day=YYYY-MM-DD`.

use super::range::{format_day, format_instant, parse_day, parse_instant, Preset, TimeRange};
use super::routes::RUNS_PATH;
use crate::api::query::{encode_pairs, MAX_PER_PAGE};
use crate::api::{RunQuery, RunSort, RunStatus, Trigger};

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
            RUNS_PATH.into()
        } else {
            format!("{RUNS_PATH}?{q}")
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
            fields: crate::api::client::RUN_LIST_FIELDS
                .iter()
                .map(|(ty, names)| (ty.to_string(), names.iter().map(|s| s.to_string()).collect()))
                .collect(),
            sort: Some(self.sort),
            page: self.page,
            per_page: self.per_page,
        }
    }
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
    fn the_table_asks_only_for_what_it_shows() {
        let pairs = RunsView::new(100).api_query(0, 0).to_pairs();
        let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("include"), Some("flow,flowVersion,retriedFlowRun,errorWarningLogsCount"), "counts, never the entries");
        assert_eq!(get("fields[flow]"), Some("id,name"));
        assert_eq!(pairs.iter().filter(|(k, _)| k.starts_with("fields[")).count(), 1);
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
    }
}
