//! The simulator's state: the generated world, what actions changed (the overlay), the
//! credentials it issued, the request log, fault rules, the rate limiter, and the cache of
//! filter results.

use super::auth::Tokens;
use super::Options;
use crate::data::{LiveRun, Run, Status, World};
use crate::faults::Fault;
use crate::logs::{flow_steps, RunLog};
use crate::query::matches;
use crate::ratelimit::Limiter;
use crate::render::RunContext;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard};

/// One request as `/__sim/requests` reports it. The credential itself is never kept.
#[derive(Clone, Debug)]
pub(super) struct Logged {
    pub seq: u64,
    pub at_ms: i64,
    pub method: String,
    pub path: String,
    pub query: String,
    pub auth: bool,
    pub status: u16,
}

pub(super) const LOG_CAP: usize = 50_000;
/// Fault rules kept at most (the oldest go first).
pub(super) const FAULT_CAP: usize = 1_000;
/// CSP violation reports kept at most (the oldest go first).
pub(super) const CSP_REPORT_CAP: usize = 1_000;

/// What actions changed: stopped runs, runs created by retries.
#[derive(Default)]
pub(super) struct Overlay {
    /// Bumped by every change, so cached filter results know when they are stale.
    pub generation: u64,
    pub stopped: HashMap<u64, i64>,
    pub extra: Vec<Run>,
    pub retries: HashMap<u64, Vec<u64>>,
}

pub struct Sim {
    pub opts: Options,
    pub world: World,
    started_real_ms: i64,
    pub(super) tokens: Mutex<Tokens>,
    pub(super) log: Mutex<(u64, VecDeque<Logged>)>,
    pub(super) overlay: RwLock<Overlay>,
    pub(super) faults: Mutex<VecDeque<Fault>>,
    pub(super) limiter: Option<Mutex<Limiter>>,
    filter_cache: Mutex<VecDeque<(String, Arc<Matches>)>>,
    pub(super) csp_reports: Mutex<VecDeque<Value>>,
}

/// The runs matching one set of (non-date) filters, computed once over every run. Runs that
/// had ended when it was built cannot change until the overlay does; the others are checked
/// live on every request.
pub(super) struct Matches {
    generation: u64,
    /// Ids of ended runs that match, ascending.
    pub ended: Vec<u64>,
    /// Ids of runs still running when it was built, ascending.
    pub open: Vec<u64>,
}

const FILTER_CACHE_ENTRIES: usize = 16;

/// A lock even when a thread panicked holding it (the data stays usable).
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Sim {
    pub fn new(opts: Options) -> Arc<Sim> {
        let world = World {
            seed: opts.seed,
            runs: opts.runs,
            anchor_ms: opts.now_ms,
            span_ms: (opts.days.max(1) * 86_400_000) as i64,
            log_overrides: opts.log_overrides.clone(),
            live_overrides: opts.live_overrides.clone(),
        };
        let mut faults: VecDeque<Fault> = opts.faults.iter().cloned().collect();
        while faults.len() > FAULT_CAP {
            faults.pop_front();
        }
        Arc::new(Sim {
            world,
            started_real_ms: super::now_ms(),
            tokens: Mutex::new(Tokens::default()),
            log: Mutex::new((0, VecDeque::new())),
            overlay: RwLock::new(Overlay::default()),
            faults: Mutex::new(faults),
            limiter: opts.rate_limit.map(|n| Mutex::new(Limiter::new(n))),
            filter_cache: Mutex::new(VecDeque::new()),
            csp_reports: Mutex::new(VecDeque::new()),
            opts,
        })
    }

    /// The simulator's clock: the start's `now_ms`, advancing with real time unless frozen.
    pub fn now(&self) -> i64 {
        if self.opts.frozen {
            self.opts.now_ms
        } else {
            self.opts.now_ms + (super::now_ms() - self.started_real_ms)
        }
    }

    pub(super) fn total(&self, ov: &Overlay) -> u64 {
        self.world.runs + ov.extra.len() as u64
    }

    fn base_run(&self, ov: &Overlay, id: u64) -> Option<Run> {
        let mut run = if id <= self.world.runs {
            self.world.run(id)?
        } else {
            ov.extra.get(usize::try_from(id - self.world.runs - 1).ok()?)?.clone()
        };
        if let Some(more) = ov.retries.get(&id) {
            run.retried_as.extend(more);
        }
        Some(run)
    }

    pub(super) fn live(&self, ov: &Overlay, id: u64, now: i64) -> Option<LiveRun> {
        Some(self.base_run(ov, id)?.at(now, ov.stopped.get(&id).copied()))
    }

    pub(super) fn started_at(&self, ov: &Overlay, id: u64) -> i64 {
        if id <= self.world.runs {
            self.world.started_at(id)
        } else {
            usize::try_from(id - self.world.runs - 1).ok().and_then(|i| ov.extra.get(i)).map_or(i64::MAX, |r| r.started_at_ms)
        }
    }

    pub(super) fn run_log(&self, live: &LiveRun) -> RunLog {
        let run = &live.run;
        RunLog {
            seed: self.opts.seed,
            run_id: run.id,
            steps: flow_steps(run.flow_id, self.opts.seed),
            count: live.log_count,
            started_ms: run.started_at_ms,
            spacing_ms: ((run.planned_end_ms - run.started_at_ms) / run.log_count.max(1) as i64).max(1),
            // With --failure-causes, partly successful runs end in errors too.
            failed: live.status == Status::Failure || (self.opts.failure_causes && live.status == Status::PartialSuccess),
            warnings: run.has_warnings,
            causes: self.opts.failure_causes,
        }
    }

    /// What rendering `live` needs: the live state of its retries, its log.
    pub(super) fn context(&self, ov: &Overlay, live: &LiveRun, now: i64) -> RunContext {
        let retried_as = live.run.retried_as.iter().filter_map(|id| self.live(ov, *id, now)).map(|l| (l.run.id, l.status as u8)).collect();
        RunContext { retried_as, log: self.run_log(live) }
    }

    /// The cached matches of these filters, built now if missing or stale.
    pub(super) fn matches_of(&self, ov: &Overlay, filters: &[(String, Vec<String>)], now: i64) -> Arc<Matches> {
        let key = format!("{filters:?}");
        let mut cache = lock(&self.filter_cache);
        if let Some(pos) = cache.iter().position(|(k, m)| *k == key && m.generation == ov.generation) {
            if let Some(hit) = cache.remove(pos) {
                let m = hit.1.clone();
                cache.push_front(hit);
                return m;
            }
        }
        drop(cache);
        let mut ended = Vec::new();
        let mut open = Vec::new();
        for id in 1..=self.total(ov) {
            let Some(live) = self.live(ov, id, now) else { continue };
            if live.status == Status::Running || live.run.planned_end_ms > now {
                open.push(id);
            } else if matches(&live, filters) {
                ended.push(id);
            }
        }
        let m = Arc::new(Matches { generation: ov.generation, ended, open });
        let mut cache = lock(&self.filter_cache);
        cache.retain(|(k, _)| *k != key);
        cache.push_front((key, m.clone()));
        cache.truncate(FILTER_CACHE_ENTRIES);
        m
    }

    pub(super) fn read(&self) -> RwLockReadGuard<'_, Overlay> {
        self.overlay.read().unwrap_or_else(|e| e.into_inner())
    }
}
