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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
