//! Page sizes and the pager's page-number window.

/// Page sizes offered in the UI.
pub const PAGE_SIZES: [u32; 4] = [10, 25, 50, 100];

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
