//! Loading every entry of a log: what it costs (requests, minutes at a rate), and the plan
//! that hands pages to a few workers and puts their answers back in order.

use crate::api::FlowRunLog;
use std::collections::BTreeMap;

/// Entries per request when loading everything (the API's maximum).
pub const LOAD_PER_PAGE: u32 = 100;
/// Loading more than this many pages asks first.
pub const CONFIRM_PAGES: u64 = 50;
/// The real API's documented limit, for the estimate shown before a large load.
pub const API_PER_MINUTE: u32 = 240;

/// What loading every entry will take: requests, and minutes at a rate of requests a minute.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadCost {
    pub requests: u64,
    pub minutes_at_budget: f64,
    pub minutes_at_api: f64,
}

pub fn load_cost(entries: u64, per_minute_background: u32) -> LoadCost {
    let requests = entries.div_ceil(u64::from(LOAD_PER_PAGE)).max(1);
    let at = |rate: u32| requests as f64 / f64::from(rate.max(1));
    LoadCost { requests, minutes_at_budget: at(per_minute_background), minutes_at_api: at(API_PER_MINUTE) }
}

/// "about 8 minutes", "under a minute".
pub fn minutes_text(m: f64) -> String {
    if m < 1.0 {
        "under a minute".into()
    } else if m < 90.0 {
        format!("about {} minutes", m.round() as u64)
    } else {
        format!("about {:.1} hours", m / 60.0)
    }
}

/// Pages of a load, handed out to a few workers and put back in order.
#[derive(Debug, Default)]
pub struct LoadPlan {
    pub next_page: u32,
    pub last_page: u32,
    /// Pages fetched ahead of the next one to append, by page number.
    pub pending: BTreeMap<u32, Vec<FlowRunLog>>,
    /// The next page to append to the store.
    pub next_append: u32,
}

impl LoadPlan {
    pub fn new(first_page: u32, last_page: u32) -> LoadPlan {
        LoadPlan { next_page: first_page, last_page, pending: BTreeMap::new(), next_append: first_page }
    }

    /// The next page to fetch, if any is left.
    pub fn take(&mut self) -> Option<u32> {
        (self.next_page <= self.last_page).then(|| {
            self.next_page += 1;
            self.next_page - 1
        })
    }

    /// Files a fetched page; answers the entries now ready to append, in order.
    pub fn put(&mut self, page: u32, items: Vec<FlowRunLog>) -> Vec<FlowRunLog> {
        self.pending.insert(page, items);
        let mut ready = Vec::new();
        while let Some(items) = self.pending.remove(&self.next_append) {
            ready.extend(items);
            self.next_append += 1;
        }
        ready
    }

    pub fn done(&self) -> bool {
        self.next_append > self.last_page
    }
}

/// The page of a log that holds entry number `index` (0-based) at `per_page` a page.
pub fn page_of(index: usize, per_page: u32) -> u32 {
    (index / per_page.max(1) as usize) as u32 + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::LogLevel;
    use crate::logs::entry;
    use proptest::prelude::*;

    #[test]
    fn cost_of_loading_everything() {
        let c = load_cost(200_000, 90);
        assert_eq!(c.requests, 2000);
        assert!((c.minutes_at_api - 8.33).abs() < 0.01);
        assert_eq!(minutes_text(c.minutes_at_api), "about 8 minutes");
        assert_eq!(minutes_text(0.5), "under a minute");
        assert_eq!(load_cost(0, 90).requests, 1);
        assert_eq!(page_of(0, 100), 1);
        assert_eq!(page_of(199_999, 100), 2000);
    }

    proptest! {
        #[test]
        fn plan_appends_every_page_once_in_order(order in Just((1u32..=20).collect::<Vec<_>>()).prop_shuffle()) {
            let mut plan = LoadPlan::new(1, 20);
            let mut taken = Vec::new();
            while let Some(p) = plan.take() { taken.push(p); }
            prop_assert_eq!(taken, (1..=20).collect::<Vec<_>>());
            let mut out = Vec::new();
            for p in order {
                out.extend(plan.put(p, vec![entry(p, LogLevel::Info, "")]));
            }
            prop_assert!(plan.done());
            prop_assert_eq!(out.iter().map(|e| e.id.clone()).collect::<Vec<_>>(), (1..=20).map(|i| i.to_string()).collect::<Vec<_>>());
        }
    }
}
