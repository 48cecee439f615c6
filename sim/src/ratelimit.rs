//! Laravel's `throttle` middleware: a fixed window that opens with a key's first request and
//! lasts `DECAY_MS`; at most `max` requests inside it; the rest answer 429 until it closes.
//! Rejected requests are not counted (Laravel checks `tooManyAttempts` before `hit`).

use std::collections::HashMap;

/// Laravel's `perMinute`: the window is 60 s from the first request of the key.
pub const DECAY_MS: i64 = 60_000;
/// Windows kept at most; the oldest are forgotten first (a closed window is worth nothing).
const MAX_KEYS: usize = 10_000;

/// What the limiter decided for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Served: `remaining` more requests fit in the window.
    Allowed { limit: u32, remaining: u32 },
    /// Refused: the window reopens in `retry_after_s` seconds, at Unix second `reset_at_s`.
    Limited { limit: u32, retry_after_s: u64, reset_at_s: i64 },
}

#[derive(Debug)]
pub struct Limiter {
    max: u32,
    /// key → (window start in ms, requests counted in it).
    windows: HashMap<String, (i64, u32)>,
}

impl Limiter {
    pub fn new(max: u32) -> Limiter {
        Limiter { max: max.max(1), windows: HashMap::new() }
    }

    /// Counts one request of `key` at `now_ms` (Unix milliseconds).
    pub fn hit(&mut self, key: &str, now_ms: i64) -> Decision {
        if self.windows.len() >= MAX_KEYS && !self.windows.contains_key(key) {
            self.windows.retain(|_, (start, _)| now_ms < start.saturating_add(DECAY_MS));
            if self.windows.len() >= MAX_KEYS {
                if let Some(oldest) = self.windows.iter().min_by_key(|(_, (start, _))| *start).map(|(k, _)| k.clone()) {
                    self.windows.remove(&oldest);
                }
            }
        }
        let window = self.windows.entry(key.to_string()).or_insert((now_ms, 0));
        if now_ms >= window.0.saturating_add(DECAY_MS) || now_ms < window.0 {
            *window = (now_ms, 0);
        }
        if window.1 >= self.max {
            let reset_ms = window.0.saturating_add(DECAY_MS);
            // Laravel answers whole seconds; rounding up never reopens the window early.
            let retry_after_s = ((reset_ms - now_ms) as u64).div_ceil(1000).max(1);
            return Decision::Limited { limit: self.max, retry_after_s, reset_at_s: (reset_ms + 999).div_euclid(1000) };
        }
        window.1 += 1;
        Decision::Allowed { limit: self.max, remaining: self.max - window.1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_window_from_the_first_request() {
        let mut l = Limiter::new(3);
        let t0 = 1_800_000_000_500;
        assert_eq!(l.hit("u", t0), Decision::Allowed { limit: 3, remaining: 2 });
        assert_eq!(l.hit("u", t0 + 10_000), Decision::Allowed { limit: 3, remaining: 1 });
        assert_eq!(l.hit("u", t0 + 20_000), Decision::Allowed { limit: 3, remaining: 0 });
        // The fourth inside the window is refused until 60 s after the first, and not counted.
        assert_eq!(l.hit("u", t0 + 30_000), Decision::Limited { limit: 3, retry_after_s: 30, reset_at_s: 1_800_000_061 });
        assert_eq!(l.hit("u", t0 + 59_999), Decision::Limited { limit: 3, retry_after_s: 1, reset_at_s: 1_800_000_061 });
        // Another key has its own window.
        assert_eq!(l.hit("v", t0 + 30_000), Decision::Allowed { limit: 3, remaining: 2 });
        // A fixed window, not a sliding one: all three come back at once.
        assert_eq!(l.hit("u", t0 + 60_000), Decision::Allowed { limit: 3, remaining: 2 });
    }

    #[test]
    fn windows_are_bounded() {
        let mut l = Limiter::new(1);
        for i in 0..(MAX_KEYS as i64 + 50) {
            l.hit(&format!("k{i}"), 1_000 + i);
        }
        assert!(l.windows.len() <= MAX_KEYS);
        assert!(matches!(l.hit("k_new", 2_000), Decision::Allowed { .. }));
    }
}
