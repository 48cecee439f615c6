//! The run table's status chart: runs over the filtered time range, by outcome, in a few
//! buckets. The API has no aggregate endpoint, so each count is a `per_page=1` request read
//! for `meta.total`: 8 buckets × 3 counts (all, succeeded, failed) = at most 24 requests per
//! chart, made once per filter change as background work.

use crate::api::{RunQuery, RunStatus};
use crate::url_state::{RunsView, TimeRange};

pub const BUCKETS: usize = 8;
/// Without a start bound the chart shows the last 30 days.
const DEFAULT_SPAN_MS: i64 = 30 * 86_400_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Series {
    Success,
    Failure,
    /// Running, stopped, partial success and anything else.
    Other,
}

impl Series {
    pub const ALL: [Series; 3] = [Series::Success, Series::Failure, Series::Other];

    pub fn label(self) -> &'static str {
        match self {
            Series::Success => "Succeeded",
            Series::Failure => "Failed",
            Series::Other => "Other",
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            Series::Success => "success",
            Series::Failure => "failure",
            Series::Other => "other",
        }
    }

    /// The statuses a click on this series narrows the filter to.
    pub fn statuses(self) -> Vec<RunStatus> {
        match self {
            Series::Success => vec![RunStatus::Success],
            Series::Failure => vec![RunStatus::Failure],
            Series::Other => vec![RunStatus::Running, RunStatus::Stopped, RunStatus::PartialSuccess],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Bar {
    pub start_ms: i64,
    pub end_ms: i64,
    pub success: u64,
    pub failure: u64,
    pub other: u64,
}

impl Bar {
    pub fn total(&self) -> u64 {
        self.success + self.failure + self.other
    }
    pub fn count(&self, s: Series) -> u64 {
        match s {
            Series::Success => self.success,
            Series::Failure => self.failure,
            Series::Other => self.other,
        }
    }
}

/// The chart's time span for a view at `now`.
pub fn span(view: &RunsView, now_ms: i64, offset_minutes: i32) -> (i64, i64) {
    let (from, to) = view.bounds(now_ms, offset_minutes);
    let to = to.unwrap_or(now_ms);
    let from = from.unwrap_or(to - DEFAULT_SPAN_MS);
    (from.min(to - 1), to)
}

/// `n` equal buckets over `[from, to)`.
pub fn buckets(from: i64, to: i64, n: usize) -> Vec<(i64, i64)> {
    let n = n.max(1) as i64;
    let width = ((to - from) as f64 / n as f64).max(1.0);
    (0..n).map(|i| (from + (width * i as f64) as i64, if i == n - 1 { to } else { from + (width * (i + 1) as f64) as i64 })).collect()
}

/// The count query for one bucket: the view's filters, the bucket's bounds, `statuses`
/// intersected with the view's own status filter. `None` when the intersection is empty
/// (the count is 0 without asking).
pub fn count_query(view: &RunsView, bucket: (i64, i64), statuses: Option<&[RunStatus]>) -> Option<RunQuery> {
    let status = match statuses {
        None => view.status.clone(),
        Some(wanted) if view.status.is_empty() => wanted.to_vec(),
        Some(wanted) => wanted.iter().filter(|s| view.status.contains(s)).cloned().collect(),
    };
    if statuses.is_some() && status.is_empty() {
        return None;
    }
    let day_view =
        RunsView { range: TimeRange::Between { from: Some(bucket.0), to: Some(bucket.1) }, status, page: 1, per_page: 1, ..view.clone() };
    let mut q = day_view.api_query(0, 0);
    q.include.clear();
    q.sort = None;
    Some(q)
}

/// The part of a view the chart depends on (not its page, size or sort), as a cache key.
pub fn cache_key(view: &RunsView, from: i64, to: i64) -> String {
    let v = RunsView {
        page: 1,
        per_page: 1,
        sort: crate::api::RunSort::NewestFirst,
        range: TimeRange::Between { from: Some(from), to: Some(to) },
        ..view.clone()
    };
    v.href(1)
}

/// Heights in `0..=height` for each series of each bar, largest bar full height.
pub fn heights(bars: &[Bar], height: f64) -> Vec<[f64; 3]> {
    let max = bars.iter().map(Bar::total).max().unwrap_or(0).max(1) as f64;
    bars.iter().map(|b| Series::ALL.map(|s| b.count(s) as f64 / max * height)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url_state::Preset;

    #[test]
    fn buckets_cover_the_span_without_gaps() {
        let b = buckets(0, 1000, 8);
        assert_eq!(b.len(), 8);
        assert_eq!(b[0].0, 0);
        assert_eq!(b[7].1, 1000);
        assert!(b.windows(2).all(|w| w[0].1 == w[1].0));
        assert_eq!(buckets(0, 3, 8).len(), 8, "tiny spans still give n buckets");
    }

    #[test]
    fn at_most_24_requests_and_none_for_empty_intersections() {
        let mut v = RunsView::new(25);
        let (from, to) = span(&v, 10 * 86_400_000, 0);
        assert_eq!((from, to), (3 * 86_400_000, 10 * 86_400_000));
        let bs = buckets(from, to, BUCKETS);
        let per_bucket = |v: &RunsView| {
            [None, Some(&[RunStatus::Success][..]), Some(&[RunStatus::Failure][..])]
                .iter()
                .filter(|s| count_query(v, bs[0], **s).is_some())
                .count()
        };
        assert_eq!(per_bucket(&v) * BUCKETS, 24);
        v.status = vec![RunStatus::Failure];
        assert_eq!(per_bucket(&v), 2, "no success count when only failures are shown");
        let q = count_query(&v, bs[1], Some(&[RunStatus::Failure])).unwrap();
        assert_eq!((q.per_page, q.started_after, q.started_before), (1, Some(bs[1].0 - 1), Some(bs[1].1)));
        assert!(q.include.is_empty());
    }

    #[test]
    fn keys_ignore_page_and_sort() {
        let a = RunsView { page: 3, per_page: 50, ..RunsView::new(25) };
        let b = RunsView { range: TimeRange::Preset(Preset::Day), ..RunsView::new(25) };
        assert_eq!(cache_key(&a, 1, 2), cache_key(&RunsView::new(25), 1, 2));
        assert_eq!(cache_key(&b, 1, 2), cache_key(&RunsView::new(25), 1, 2), "the range is given by the bounds");
        let heights = heights(&[Bar { success: 2, ..Bar::default() }, Bar { success: 1, failure: 3, ..Bar::default() }], 100.0);
        assert_eq!(heights[1], [25.0, 75.0, 0.0]);
        assert_eq!(heights[0], [50.0, 0.0, 0.0]);
    }
}
