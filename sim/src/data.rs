//! Deterministic, lazily generated data: run `i` of a seed is computed from `hash(seed, i)`
//! whenever it is asked for, so a million runs cost no memory and every page is O(page).

/// SplitMix64: a fast, well-mixed 64-bit hash of (seed, stream, index).
pub fn mix(seed: u64, stream: u64, i: u64) -> u64 {
    let mut z = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Status codes as the real API sends them (see api-facts.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Running = 1,
    Success = 2,
    Failure = 3,
    Stopped = 4,
    PartialSuccess = 5,
}

pub const TRIGGERS: [&str; 9] = ["API", "Manual", "Router", "Webhook", "Schedule", "Shape", "Retry", "Event", "Callback"];

/// Flow names chosen to catch rendering bugs: unicode, right-to-left, HTML-looking text.
pub const FLOWS: [&str; 12] = [
    "Shopify orders → NetSuite",
    "Inventory sync (hourly)",
    "Customer upsert",
    "Returns to warehouse",
    "Price list export",
    "<b>Legacy</b> <script>alert('x')</script> import",
    "Пересылка заказов",
    "مزامنة المخزون",
    "Fulfilment updates — EU",
    "Product catalogue 🚚 delta",
    "Refunds & credit notes",
    "A flow with a very long name that keeps going to test how the table wraps or truncates it",
];

/// How far back a "recent" run may still be running.
pub const RUNNING_WINDOW_MS: i64 = 10 * 60 * 1000;

#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub id: u64,
    pub flow_id: u64,
    pub flow_name: &'static str,
    pub flow_version_id: u64,
    pub flow_version: u32,
    pub user_id: u64,
    pub virtual_environment_id: u64,
    /// The status once the run has ended.
    pub final_status: Status,
    pub trigger: &'static str,
    pub started_at_ms: i64,
    /// When the run ends (unless stopped first).
    pub planned_end_ms: i64,
    pub has_warnings: bool,
    pub retry_of: Option<u64>,
    pub retried_as: Vec<u64>,
    /// Log entries once the run has ended.
    pub log_count: u64,
}

/// A run as it stands at one instant: running runs grow their logs until they end.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveRun {
    pub run: Run,
    pub status: Status,
    pub finished_at_ms: Option<i64>,
    /// Log entries that exist at that instant.
    pub log_count: u64,
}

impl Run {
    /// The run at `now`, stopped at `stopped_at` if it was.
    pub fn at(&self, now: i64, stopped_at: Option<i64>) -> LiveRun {
        let end = match stopped_at {
            Some(t) if t < self.planned_end_ms => t,
            _ => self.planned_end_ms,
        };
        let span = (self.planned_end_ms - self.started_at_ms).max(1);
        let logs_at = |t: i64| -> u64 {
            let done = (t - self.started_at_ms).clamp(0, span);
            ((self.log_count as i128 * done as i128) / span as i128) as u64
        };
        if now < end {
            LiveRun { run: self.clone(), status: Status::Running, finished_at_ms: None, log_count: logs_at(now) }
        } else if end < self.planned_end_ms {
            LiveRun { run: self.clone(), status: Status::Stopped, finished_at_ms: Some(end), log_count: logs_at(end) }
        } else {
            LiveRun { run: self.clone(), status: self.final_status, finished_at_ms: Some(end), log_count: self.log_count }
        }
    }
}

/// The generated world: `runs` runs spread over `span_ms` before `anchor_ms`.
#[derive(Clone, Debug)]
pub struct World {
    pub seed: u64,
    pub runs: u64,
    pub anchor_ms: i64,
    pub span_ms: i64,
    /// Log sizes forced for some runs (`--huge-run ID=COUNT`).
    pub log_overrides: Vec<(u64, u64)>,
    /// Runs kept running at the anchor and ending this many ms after it (`--live-run ID=MS`).
    pub live_overrides: Vec<(u64, i64)>,
}

/// How many runs later a retry may come.
const RETRY_REACH: u64 = 7;

impl World {
    /// Start time of run `id` (1-based): increasing with the id, evenly spread with jitter.
    pub fn started_at(&self, id: u64) -> i64 {
        let n = self.runs.max(1) as i64;
        let step = (self.span_ms / n).max(1);
        let jitter = (mix(self.seed, 1, id) % (step as u64 / 2 + 1)) as i64;
        self.anchor_ms - (n - id as i64) * step - jitter
    }

    /// `Some(original)` when run `id` is a retry of an earlier run.
    fn retry_target(&self, id: u64) -> Option<u64> {
        let h = mix(self.seed, 2, id);
        if !h.is_multiple_of(16) {
            return None;
        }
        let back = 1 + (h >> 8) % RETRY_REACH;
        (id > back).then(|| id - back)
    }

    pub fn run(&self, id: u64) -> Option<Run> {
        if id == 0 || id > self.runs {
            return None;
        }
        let h = mix(self.seed, 3, id);
        let retry_of = self.retry_target(id);
        let retried_as: Vec<u64> =
            (1..=RETRY_REACH).map(|k| id + k).filter(|&later| later <= self.runs && self.retry_target(later) == Some(id)).collect();
        // A retry runs the flow of the first run of its chain.
        let mut root = id;
        while let Some(orig) = self.retry_target(root) {
            root = orig;
        }
        let flow_seed = mix(self.seed, 3, root);
        let flow_idx = (flow_seed % FLOWS.len() as u64) as usize;
        let flow_id = 100 + flow_idx as u64;
        let flow_version = 1 + ((flow_seed >> 8) % 3) as u32;
        let started = self.started_at(id);
        let roll = (h >> 16) % 100;
        let final_status = if !retried_as.is_empty() {
            if roll < 80 {
                Status::Failure
            } else if roll < 90 {
                Status::Stopped
            } else {
                Status::PartialSuccess
            }
        } else {
            match roll {
                0..=71 => Status::Success,
                72..=84 => Status::Failure,
                85..=92 => Status::PartialSuccess,
                _ => Status::Stopped,
            }
        };
        let trigger = if retry_of.is_some() { "Retry" } else { TRIGGERS[((h >> 24) % 6) as usize] };
        let mut duration = 200 + ((h >> 32) % 180_000) as i64 * if (h >> 40).is_multiple_of(10) { 20 } else { 1 };
        // Most recent runs are still going at the anchor, and end within ten minutes of it.
        if self.anchor_ms - started < RUNNING_WINDOW_MS && (h >> 56) % 10 < 6 && retried_as.is_empty() {
            duration = (self.anchor_ms - started) + 30_000 + ((h >> 8) % 570_000) as i64;
        }
        if let Some((_, ms)) = self.live_overrides.iter().find(|(rid, _)| *rid == id) {
            duration = (self.anchor_ms - started) + (*ms).max(1);
        }
        let log_count = match self.log_overrides.iter().find(|(rid, _)| *rid == id) {
            Some((_, n)) => *n,
            // About 0.5% have no entries, 5% a few thousand, 0.05% 20,000 to 200,000.
            None => match (h >> 4) % 2000 {
                0..=9 => 0,
                10..=109 => 1000 + (h >> 12) % 4000,
                1999 => 20_000 + (h >> 12) % 180_001,
                _ => 5 + (h >> 12) % 295,
            },
        };
        Some(Run {
            id,
            flow_id,
            flow_name: FLOWS[flow_idx],
            flow_version_id: flow_id * 100 + u64::from(flow_version),
            flow_version,
            user_id: 1 + (h >> 44) % 5,
            virtual_environment_id: 1 + (h >> 48) % 3,
            final_status,
            trigger,
            started_at_ms: started,
            planned_end_ms: started + duration,
            has_warnings: final_status == Status::PartialSuccess || (h >> 52).is_multiple_of(5),
            retry_of,
            retried_as,
            log_count,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_override_runs_until_its_end() {
        let mut w = World {
            seed: 7,
            runs: 50,
            anchor_ms: 1_800_000_000_000,
            span_ms: 30 * 86_400_000,
            log_overrides: vec![(10, 500)],
            live_overrides: vec![(10, 20_000)],
        };
        let r = w.run(10).unwrap();
        let now = r.at(w.anchor_ms, None);
        assert_eq!(now.status, Status::Running);
        assert!(now.log_count > 0 && now.log_count < 500);
        let end = r.at(w.anchor_ms + 20_000, None);
        assert_ne!(end.status, Status::Running);
        assert_eq!(end.log_count, 500);
        w.live_overrides.clear();
        assert_ne!(w.run(10).unwrap().at(w.anchor_ms, None).status, Status::Running);
    }

    #[test]
    fn running_runs_grow_then_end_and_stop_freezes_them() {
        let w = World { span_ms: 3_600_000, ..world(3000) };
        let running: Vec<Run> =
            (1..=3000).filter_map(|i| w.run(i)).filter(|r| r.planned_end_ms > w.anchor_ms && r.log_count > 10).collect();
        assert!(!running.is_empty());
        let r = &running[0];
        let early = r.at(w.anchor_ms, None);
        let later = r.at(w.anchor_ms + (r.planned_end_ms - w.anchor_ms) / 2, None);
        let done = r.at(r.planned_end_ms, None);
        assert_eq!(early.status, Status::Running);
        assert!(early.log_count <= later.log_count && later.log_count <= done.log_count);
        assert_eq!(done.status, r.final_status);
        assert_eq!(done.log_count, r.log_count);
        let stopped = r.at(r.planned_end_ms + 1, Some(w.anchor_ms + 1));
        assert_eq!(stopped.status, Status::Stopped);
        assert_eq!(stopped.finished_at_ms, Some(w.anchor_ms + 1));
    }

    fn world(runs: u64) -> World {
        World { seed: 7, runs, anchor_ms: 1_800_000_000_000, span_ms: 30 * 86_400_000, log_overrides: vec![], live_overrides: vec![] }
    }

    #[test]
    fn same_seed_same_runs() {
        let (a, b) = (world(1000), world(1000));
        for id in 1..=1000 {
            assert_eq!(a.run(id), b.run(id));
        }
        assert_eq!(a.run(0), None);
        assert_eq!(a.run(1001), None);
    }

    #[test]
    fn start_times_increase_with_the_id() {
        let w = world(10_000);
        assert!((1..10_000).all(|id| w.started_at(id) < w.started_at(id + 1)));
        assert!(w.started_at(10_000) <= w.anchor_ms);
    }

    #[test]
    fn retries_link_both_ways_and_follow_a_non_success() {
        let w = world(5000);
        let mut links = 0;
        for id in 1..=5000 {
            let r = w.run(id).unwrap();
            for later in &r.retried_as {
                let l = w.run(*later).unwrap();
                assert_eq!(l.retry_of, Some(id));
                assert_eq!(l.trigger, "Retry");
                assert_eq!(l.flow_id, r.flow_id);
                assert_ne!(r.final_status, Status::Success);
                links += 1;
            }
            if let Some(orig) = r.retry_of {
                assert!(w.run(orig).unwrap().retried_as.contains(&id));
            }
        }
        assert!(links > 100, "{links}");
    }

    #[test]
    fn every_status_and_trigger_occurs() {
        let w = World { anchor_ms: 1_800_000_000_000, span_ms: 3_600_000, ..world(3000) };
        let runs: Vec<LiveRun> = (1..=3000).filter_map(|i| w.run(i)).map(|r| r.at(w.anchor_ms, None)).collect();
        for s in [Status::Running, Status::Success, Status::Failure, Status::Stopped, Status::PartialSuccess] {
            assert!(runs.iter().any(|r| r.status == s), "{s:?}");
        }
        for t in ["API", "Manual", "Router", "Webhook", "Schedule", "Shape", "Retry"] {
            assert!(runs.iter().any(|r| r.run.trigger == t), "{t}");
        }
    }
}
