//! The request budget of the whole app. The real API allows about 240 requests a minute,
//! shared by everyone on the same account, so the app spends at most its configured budget
//! (120 a minute by default) and keeps headroom for what people ask for: background work
//! (refresh, chart counts, load-all, live tail) may use only part of it, waits behind any
//! waiting foreground request, and stops after a 429 until `Retry-After` has passed, or five
//! minutes at most: an answer cannot stop the app for days.
//!
//! Pure bookkeeping over a clock passed in; the async waiting lives in `client`.

use std::collections::VecDeque;

const WINDOW_MS: i64 = 60_000;
/// Share of the budget background work may use.
pub const BACKGROUND_SHARE: f64 = 0.75;
/// After a 429 without `Retry-After`, wait this long, doubling up to the cap.
const BACKOFF_START_MS: i64 = 5_000;
const BACKOFF_CAP_MS: i64 = 120_000;
/// The longest pause a 429 causes, whatever its `Retry-After` asks (the header shows the pause,
/// and the error says it was cut).
pub const MAX_PAUSE_MS: i64 = 300_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    /// What the user just asked for.
    Foreground,
    /// Refreshes, counts, bulk loads.
    Background,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Go,
    /// Ask again after this many ms.
    Wait(i64),
}

/// What the UI may show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct BudgetState {
    pub used_last_minute: u32,
    pub per_minute: u32,
    /// Until when the API asked us to stop (ms since epoch).
    pub paused_until_ms: Option<i64>,
    pub background_waiting: u32,
}

#[derive(Debug)]
pub struct Budget {
    per_minute: u32,
    sent: VecDeque<i64>,
    paused_until: Option<i64>,
    backoff_ms: i64,
    foreground_waiting: u32,
    background_waiting: u32,
}

impl Budget {
    pub fn new(per_minute: u32) -> Budget {
        Budget {
            per_minute: per_minute.max(1),
            sent: VecDeque::new(),
            paused_until: None,
            backoff_ms: BACKOFF_START_MS,
            foreground_waiting: 0,
            background_waiting: 0,
        }
    }

    fn expire(&mut self, now: i64) {
        while self.sent.front().is_some_and(|t| *t <= now - WINDOW_MS) {
            self.sent.pop_front();
        }
        if self.paused_until.is_some_and(|t| t <= now) {
            self.paused_until = None;
        }
    }

    /// May a request of this priority go now? Call `sent` when it goes.
    pub fn decide(&mut self, now: i64, priority: Priority) -> Decision {
        self.expire(now);
        if let Some(until) = self.paused_until {
            return Decision::Wait(until - now);
        }
        let used = self.sent.len() as f64;
        let limit = match priority {
            Priority::Foreground => f64::from(self.per_minute),
            Priority::Background => (f64::from(self.per_minute) * BACKGROUND_SHARE).floor().max(1.0),
        };
        if priority == Priority::Background && self.foreground_waiting > 0 {
            return Decision::Wait(50);
        }
        if used < limit {
            return Decision::Go;
        }
        // Wait until enough of the window has passed for one more.
        let over = (used - limit) as usize;
        let t = self.sent.get(over).copied().unwrap_or(now);
        Decision::Wait((t + WINDOW_MS - now).max(1))
    }

    pub fn sent(&mut self, now: i64) {
        self.sent.push_back(now);
    }

    /// The API answered 429: stop everything until `Retry-After` (at most `MAX_PAUSE_MS`),
    /// else back off exponentially.
    pub fn rate_limited(&mut self, now: i64, retry_after_s: Option<u32>) {
        let wait = match retry_after_s {
            Some(s) => (i64::from(s) * 1000).min(MAX_PAUSE_MS),
            None => {
                let w = self.backoff_ms;
                self.backoff_ms = (self.backoff_ms * 2).min(BACKOFF_CAP_MS);
                w
            }
        };
        // A pause never outlasts the cap from now, even one set earlier.
        let until = self.paused_until.unwrap_or(now).max(now.saturating_add(wait));
        self.paused_until = Some(until.min(now.saturating_add(MAX_PAUSE_MS)));
    }

    /// A success resets the back-off.
    pub fn succeeded(&mut self) {
        self.backoff_ms = BACKOFF_START_MS;
    }

    pub fn waiting(&mut self, priority: Priority, delta: i32) {
        let slot = match priority {
            Priority::Foreground => &mut self.foreground_waiting,
            Priority::Background => &mut self.background_waiting,
        };
        *slot = slot.saturating_add_signed(delta);
    }

    pub fn state(&mut self, now: i64) -> BudgetState {
        self.expire(now);
        BudgetState {
            used_last_minute: self.sent.len() as u32,
            per_minute: self.per_minute,
            paused_until_ms: self.paused_until,
            background_waiting: self.background_waiting,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreground_uses_the_whole_budget_background_three_quarters() {
        let mut b = Budget::new(8);
        for i in 0..6 {
            assert_eq!(b.decide(i, Priority::Background), Decision::Go);
            b.sent(i);
        }
        assert_eq!(b.decide(10, Priority::Background), Decision::Wait(60_000 - 10));
        assert_eq!(b.decide(10, Priority::Foreground), Decision::Go);
        b.sent(10);
        b.sent(11);
        assert_eq!(b.decide(12, Priority::Foreground), Decision::Wait(60_000 - 12));
        // A minute after the first, room again.
        assert_eq!(b.decide(60_000, Priority::Foreground), Decision::Go);
        assert_eq!(b.state(60_000).used_last_minute, 7);
    }

    #[test]
    fn background_yields_to_waiting_foreground() {
        let mut b = Budget::new(100);
        b.waiting(Priority::Foreground, 1);
        assert!(matches!(b.decide(0, Priority::Background), Decision::Wait(_)));
        assert_eq!(b.decide(0, Priority::Foreground), Decision::Go);
        b.waiting(Priority::Foreground, -1);
        assert_eq!(b.decide(0, Priority::Background), Decision::Go);
    }

    #[test]
    fn a_429_pauses_everything_until_retry_after_or_backs_off() {
        let mut b = Budget::new(100);
        b.rate_limited(1_000, Some(30));
        assert_eq!(b.decide(1_000, Priority::Foreground), Decision::Wait(30_000));
        assert_eq!(b.state(2_000).paused_until_ms, Some(31_000));
        assert_eq!(b.decide(31_000, Priority::Background), Decision::Go);
        b.rate_limited(40_000, None);
        assert_eq!(b.decide(40_000, Priority::Background), Decision::Wait(5_000));
        b.rate_limited(45_000, None);
        assert_eq!(b.decide(45_000, Priority::Background), Decision::Wait(10_000));
        b.succeeded();
        b.rate_limited(60_000, None);
        assert_eq!(b.decide(60_000, Priority::Background), Decision::Wait(5_000));
    }

    #[test]
    fn a_retry_after_of_eleven_days_pauses_five_minutes() {
        let mut b = Budget::new(100);
        b.rate_limited(1_000, Some(11 * 86_400));
        assert_eq!(b.decide(1_000, Priority::Foreground), Decision::Wait(MAX_PAUSE_MS));
        assert_eq!(b.state(1_000).paused_until_ms, Some(1_000 + MAX_PAUSE_MS));
        assert_eq!(b.decide(1_000 + MAX_PAUSE_MS, Priority::Background), Decision::Go);
        b.rate_limited(0, Some(u32::MAX));
        assert_eq!(b.state(0).paused_until_ms, Some(MAX_PAUSE_MS));
    }

    #[test]
    fn a_budget_of_one_still_moves() {
        let mut b = Budget::new(0);
        assert_eq!(b.decide(0, Priority::Background), Decision::Go);
        b.sent(0);
        assert!(matches!(b.decide(1, Priority::Foreground), Decision::Wait(_)));
    }
}
