//! The virtual list's window: which rows to render for a scroll position, and where to
//! scroll to show a row.

/// Height of one row of the virtual list, in CSS pixels (the stylesheet uses the same).
pub const ROW_HEIGHT: f64 = 24.0;
/// Rows rendered above and below the viewport.
pub const OVERSCAN: usize = 12;

/// Rows `[start, end)` to render for a viewport at `scroll_top` of height `viewport`.
pub fn window(scroll_top: f64, viewport: f64, rows: usize, row_height: f64, overscan: usize) -> (usize, usize) {
    if rows == 0 || row_height <= 0.0 {
        return (0, 0);
    }
    let top = if scroll_top.is_finite() { scroll_top.max(0.0) } else { 0.0 };
    let height = if viewport.is_finite() { viewport.max(0.0) } else { 0.0 };
    let first = ((top / row_height).floor() as usize).min(rows.saturating_sub(1));
    let shown = (height / row_height).ceil() as usize + 1;
    let start = first.saturating_sub(overscan);
    let end = (first + shown + overscan).min(rows);
    (start, end)
}

/// The scroll position that puts row `pos` in the middle of the viewport.
pub fn scroll_to_row(pos: usize, viewport: f64, row_height: f64) -> f64 {
    (pos as f64 * row_height - (viewport - row_height) / 2.0).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn window_is_bounded_by_the_viewport() {
        assert_eq!(window(0.0, 480.0, 0, 24.0, 12), (0, 0));
        assert_eq!(window(0.0, 480.0, 200_000, 24.0, 12), (0, 33));
        let (s, e) = window(24.0 * 100_000.0, 480.0, 200_000, 24.0, 12);
        assert_eq!((s, e), (99_988, 100_033));
        // Past the end (a shrinking list) still answers rows that exist.
        let (s, e) = window(1e12, 480.0, 50, 24.0, 12);
        assert!(s < e && e == 50);
        assert_eq!(window(f64::NAN, f64::INFINITY, 10, 24.0, 2), (0, 3));
    }

    proptest! {
        #[test]
        fn window_never_exceeds_its_bound(top in 0.0f64..1e8, vh in 0.0f64..4000.0, rows in 0usize..1_000_000) {
            let (s, e) = window(top, vh, rows, ROW_HEIGHT, OVERSCAN);
            prop_assert!(s <= e && e <= rows);
            prop_assert!(e - s <= (vh / ROW_HEIGHT).ceil() as usize + 1 + 2 * OVERSCAN);
        }
    }
}
