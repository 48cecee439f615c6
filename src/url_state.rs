//! View state that lives in the URL, so that every view can be bookmarked and reloaded.
//! Parsing never fails: a value that cannot be used is dropped with a notice for the user.

use crate::api::query::{encode_pairs, MAX_PER_PAGE};
use crate::api::{RunQuery, RunSort};

/// Page sizes offered in the UI.
pub const PAGE_SIZES: [u32; 4] = [10, 25, 50, 100];

/// The run table's view, as found in `/runs?...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunsView {
    pub page: u32,
    pub per_page: u32,
}

impl RunsView {
    /// Reads the URL's query pairs; `default_per_page` comes from `config.json`.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>, default_per_page: u32) -> (RunsView, Vec<String>) {
        let mut view = RunsView { page: 1, per_page: default_per_page.clamp(1, MAX_PER_PAGE) };
        let mut notices = Vec::new();
        for (k, v) in pairs {
            match k {
                "page" => match v.trim().parse::<u32>() {
                    Ok(p) if p >= 1 => view.page = p,
                    _ => notices.push(format!("Ignored page={v}: not a page number.")),
                },
                "per_page" => match v.trim().parse::<u32>() {
                    Ok(n) if (1..=MAX_PER_PAGE).contains(&n) => view.per_page = n,
                    _ => notices.push(format!("Ignored per_page={v}: use 1 to {MAX_PER_PAGE}.")),
                },
                _ => {}
            }
        }
        (view, notices)
    }

    pub fn to_pairs(&self, default_per_page: u32) -> Vec<(String, String)> {
        let mut p = Vec::new();
        if self.page != 1 {
            p.push(("page".into(), self.page.to_string()));
        }
        if self.per_page != default_per_page {
            p.push(("per_page".into(), self.per_page.to_string()));
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

    /// The API query for this view.
    pub fn api_query(&self) -> RunQuery {
        RunQuery {
            include: crate::api::client::RUN_LIST_INCLUDES.iter().map(|s| s.to_string()).collect(),
            sort: Some(RunSort::NewestFirst),
            ..RunQuery::new(self.page, self.per_page)
        }
    }
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
    use proptest::prelude::*;

    #[test]
    fn bad_values_are_ignored_with_notices() {
        let (v, n) = RunsView::from_pairs([("page", "0"), ("per_page", "1000"), ("other", "x")], 25);
        assert_eq!(v, RunsView { page: 1, per_page: 25 });
        assert_eq!(n.len(), 2);
    }

    #[test]
    fn hrefs() {
        assert_eq!(RunsView { page: 1, per_page: 25 }.href(25), "/runs");
        assert_eq!(RunsView { page: 3, per_page: 50 }.href(25), "/runs?page=3&per_page=50");
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

    proptest! {
        #[test]
        fn view_round_trips_through_its_href(page in 1u32..100_000, per_page in 1u32..=100, default in 1u32..=100) {
            let v = RunsView { page, per_page };
            let href = v.href(default);
            let query = href.split_once('?').map(|(_, q)| q).unwrap_or("");
            let pairs: Vec<(&str, &str)> = query.split('&').filter(|s| !s.is_empty()).filter_map(|kv| kv.split_once('=')).collect();
            let (back, notices) = RunsView::from_pairs(pairs, default);
            prop_assert!(notices.is_empty());
            prop_assert_eq!(back, v);
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
}
