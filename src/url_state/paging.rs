//! Page sizes and the pager's page-number window.

/// Page sizes offered in the UI.
pub const PAGE_SIZES: [u32; 4] = [10, 25, 50, 100];

/// Page numbers to offer around `current`: the first, the last, two either side of the
/// current one, and `None` for each gap. At most seven entries and as many steps, whatever
/// the numbers (an answer may claim 9e15 pages).
pub fn page_numbers(current: u64, last: u64) -> Vec<Option<u64>> {
    let last = last.max(1);
    let current = current.clamp(1, last);
    let from = current.saturating_sub(2).max(1);
    let to = current.saturating_add(2).min(last);
    let mut out = Vec::with_capacity(9);
    if from > 1 {
        out.push(Some(1));
        if from > 2 {
            out.push(None);
        }
    }
    out.extend((from..=to).map(Some));
    if to < last {
        if to + 1 < last {
            out.push(None);
        }
        out.push(Some(last));
    }
    out
}

/// Where an empty page should send people: `Some(last page)` when the page asked for lies
/// past the end (a bookmark kept while the data shrank, or an answer whose `meta` contradicts
/// its `data`: `current_page` 3 of `last_page` 2, a `total` of a million, no items). Never
/// past the page asked for, never below 1; `None` on page 1, which has nowhere to go back to.
pub fn page_past_the_last(asked: u32, per_page: u32, last_page: u64, total: Option<u64>) -> Option<u32> {
    if asked <= 1 {
        return None;
    }
    let by_total = total.map_or(u64::MAX, |t| t.div_ceil(u64::from(per_page.max(1))));
    let last = last_page.min(by_total).min(u64::from(asked - 1)).max(1);
    Some(last as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn an_empty_page_past_the_end_points_back_to_the_last() {
        // A bookmark of page 40 after the data shrank to 3 pages.
        assert_eq!(page_past_the_last(40, 25, 3, Some(70)), Some(3));
        // meta contradicts data: page 3 of 2, a total of a million, no items.
        assert_eq!(page_past_the_last(3, 25, 2, Some(1_000_000)), Some(2));
        // Claims the asked page exists, yet it came back empty: the page before it.
        assert_eq!(page_past_the_last(5, 25, 9_000_000_000_000_000, None), Some(4));
        // Nothing at all: page 1.
        assert_eq!(page_past_the_last(7, 25, 0, Some(0)), Some(1));
        assert_eq!(page_past_the_last(1, 25, 0, Some(0)), None, "page 1 has nowhere to go back to");
        assert_eq!(page_past_the_last(0, 0, 0, None), None);
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
        assert_eq!(show(9_000_000_000_000_000, 9_000_000_000_000_000), "1 … 8999999999999998 8999999999999999 9000000000000000");
        assert_eq!(show(u64::MAX, u64::MAX).split(' ').count(), 5);
        assert_eq!(show(4, 4), "1 2 3 4");
        assert_eq!(show(3, 6), "1 2 3 4 5 6");
    }

    proptest! {
        #[test]
        fn page_numbers_are_sorted_and_include_ends(current in 1u64..500, last in 1u64..500) {
            let nums: Vec<u64> = page_numbers(current, last).into_iter().flatten().collect();
            prop_assert!(nums.windows(2).all(|w| w[0] < w[1]));
            prop_assert_eq!(nums.first().copied(), Some(1));
            prop_assert_eq!(nums.last().copied(), Some(last));
            prop_assert!(nums.contains(&current.min(last)));
            prop_assert!(nums.len() <= 7);
        }

        #[test]
        fn page_numbers_of_huge_ranges_are_few_and_at_once(current in any::<u64>(), last in any::<u64>()) {
            let pages = page_numbers(current, last);
            prop_assert!(pages.len() <= 9);
            let nums: Vec<u64> = pages.into_iter().flatten().collect();
            prop_assert!(nums.windows(2).all(|w| w[0] < w[1]));
            prop_assert_eq!(nums.last().copied(), Some(last.max(1)));
        }
    }
}
