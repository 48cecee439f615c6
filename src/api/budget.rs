//! The request budget of the whole app. The real API allows about 240 requests a minute,
//! shared by everyone on the same account, so the app spends at most its configured budget
//! (120 a minute by default) and keeps headroom for what people ask for: background work
//! (refresh, chart counts, load-all, live tail) may use only part of it, waits behind any
//! waiting foreground request, and stops after a 429 until `Retry-After` has passed, or five
//! minutes at most: an answer cannot stop the app for days.
//!
//! Where the API says how much of its own limit is left (`X-RateLimit-Remaining`, with
//! `X-RateLimit-Limit`), the budget paces itself by that too: several tabs or widgets on one
//! key then share the real limit, not a guess each. Background work leaves the last quarter of
//! what is left to the foreground; nothing goes once the API's count is spent, until its
//! window (at most a minute from the answer) has passed or a newer answer says otherwise.
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
    server: Option<ServerCount>,
}

/// The API's count as last seen, and how many requests went since.
#[derive(Clone, Copy, Debug)]
struct ServerCount {
    at: i64,
    limit: u32,
    remaining: u32,
    sent_since: u32,
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
            server: None,
        }
    }

    /// An answer's `X-RateLimit-Remaining` (and `-Limit`, when sent). The newest answer's
    /// count is the API's word; a count older than the window says nothing any more.
    pub fn observed(&mut self, now: i64, limit: Option<u32>, remaining: u32) {
        let limit = limit.filter(|l| *l > 0).unwrap_or(self.per_minute).max(remaining);
        self.server = Some(ServerCount { at: now, limit, remaining, sent_since: 0 });
    }

    fn expire(&mut self, now: i64) {
        while self.sent.front().is_some_and(|t| *t <= now - WINDOW_MS) {
            self.sent.pop_front();
        }
        if self.paused_until.is_some_and(|t| t <= now) {
            self.paused_until = None;
        }
        if self.server.is_some_and(|s| s.at <= now - WINDOW_MS) {
            self.server = None;
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
        if let Some(s) = self.server {
            let left = s.remaining.saturating_sub(s.sent_since);
            let reserve = match priority {
                Priority::Foreground => 0,
                // A quarter of the limit, or of this app's own budget where the API's limit is
                // larger (a daily quota of 100,000 must not hold 25,000 back a minute).
                Priority::Background => (f64::from(s.limit.min(self.per_minute.max(1))) * (1.0 - BACKGROUND_SHARE)).ceil() as u32,
            };
            if left <= reserve {
                return Decision::Wait((s.at + WINDOW_MS - now).max(1));
            }
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
        if let Some(s) = &mut self.server {
            s.sent_since = s.sent_since.saturating_add(1);
        }
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

    /// An answer's effect: a 429 pauses (its `Retry-After`, never its "0 remaining", rules
    /// when to go on); a success resets the back-off; the rate-limit headers of a `counted`
    /// answer (the data API's, not a sign-in route's own throttle) are the API's count.
    pub fn answered(
        &mut self,
        now: i64,
        status: u16,
        retry_after_s: Option<u32>,
        limit: Option<u32>,
        remaining: Option<u32>,
        counted: bool,
    ) {
        if status == 429 {
            self.rate_limited(now, retry_after_s);
            return;
        }
        if status < 400 {
            self.succeeded();
        }
        if let (true, Some(remaining)) = (counted, remaining) {
            self.observed(now, limit, remaining);
        }
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
    fn the_apis_remaining_count_paces_the_budget() {
        // Another tab has spent most of the key's 240: this tab's own count says nothing.
        let mut b = Budget::new(120);
        b.observed(1_000, Some(240), 70);
        assert_eq!(b.decide(1_000, Priority::Background), Decision::Go, "70 left, 30 kept for the foreground");
        for i in 0..40 {
            b.sent(1_000 + i);
        }
        assert_eq!(
            b.decide(1_100, Priority::Background),
            Decision::Wait(60_000 - 100),
            "the last quarter of this app's 120 is the foreground's"
        );
        assert_eq!(b.decide(1_100, Priority::Foreground), Decision::Go);
        // A newer answer is the API's word.
        b.observed(2_000, Some(240), 0);
        assert_eq!(b.decide(2_000, Priority::Foreground), Decision::Wait(60_000));
        b.observed(3_000, None, 200);
        assert_eq!(b.decide(3_000, Priority::Background), Decision::Go);
        // A count older than the window is forgotten.
        b.observed(4_000, Some(240), 0);
        assert!(matches!(b.decide(63_999, Priority::Foreground), Decision::Wait(1)));
        assert_eq!(b.decide(64_000, Priority::Foreground), Decision::Go);
    }

    #[test]
    fn a_429_pauses_by_retry_after_not_by_its_zero_remaining() {
        let mut b = Budget::new(120);
        b.answered(0, 429, Some(3), Some(240), Some(0), true);
        assert_eq!(b.decide(1_000, Priority::Foreground), Decision::Wait(2_000));
        assert_eq!(b.decide(3_000, Priority::Foreground), Decision::Go, "the window reset when Retry-After said");
    }

    #[test]
    fn a_sign_ins_throttle_is_not_the_data_apis_count() {
        let mut b = Budget::new(120);
        b.answered(0, 200, None, Some(5), Some(4), false);
        for i in 0..10 {
            assert_eq!(b.decide(i, Priority::Background), Decision::Go);
            b.sent(i);
        }
        b.answered(20, 200, None, Some(5), Some(0), true);
        assert!(matches!(b.decide(21, Priority::Foreground), Decision::Wait(_)), "the data API's own count is believed");
    }

    #[test]
    fn a_huge_limit_does_not_hold_the_background_back() {
        // A gateway's daily quota: 20,000 of 100,000 left is plenty for a minute of refreshes.
        let mut b = Budget::new(120);
        b.observed(0, Some(100_000), 20_000);
        assert_eq!(b.decide(0, Priority::Background), Decision::Go);
    }

    #[test]
    fn a_limit_smaller_than_remaining_or_zero_is_not_believed() {
        let mut b = Budget::new(120);
        // No limit (or 0): the app's own budget stands in for it.
        b.observed(0, Some(0), 5);
        assert!(matches!(b.decide(0, Priority::Background), Decision::Wait(_)), "5 left of 120: the foreground's");
        for i in 0..5 {
            assert_eq!(b.decide(i, Priority::Foreground), Decision::Go);
            b.sent(i);
        }
        assert!(matches!(b.decide(5, Priority::Foreground), Decision::Wait(_)), "spent");
        b.observed(10, Some(10), u32::MAX);
        assert_eq!(b.decide(10, Priority::Foreground), Decision::Go);
    }

    #[test]
    fn a_budget_of_one_still_moves() {
        let mut b = Budget::new(0);
        assert_eq!(b.decide(0, Priority::Background), Decision::Go);
        b.sent(0);
        assert!(matches!(b.decide(1, Priority::Foreground), Decision::Wait(_)));
    }
}
