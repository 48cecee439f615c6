//! The log page's work: a server page, load-all (three workers, pages put back in order) and
//! the live tail. Hand-made rather than a `LocalResource`: load-all appends hundreds of pages
//! into one store and redraws at most every 250 ms, and the tail polls for entries past the
//! store's end; neither is one value per input. Each is a group of tasks of the page
//! (`tasks::Task`): starting new work stops the old group, and leaving the page ends it, so
//! nothing runs after an `await` for a page, a step or a run that is no longer shown.

use crate::api::{ApiClient, ApiError, FlowRun, PageMeta, RunStatus, Slot};
use crate::browser;
use crate::components::pager::group_thousands;
use crate::logs::{page_of, LoadPlan, LogStore, LOAD_PER_PAGE};
use crate::state::AppState;
use crate::tasks::{Scope, Task, Tick};
use crate::url_state::LogsView;
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Requests in flight while loading everything.
const WORKERS: usize = 3;
/// The list redraws at most this often while a load appends entries.
const REDRAW_MS: i64 = 250;
/// Load-all never asks for more pages than this, whatever an answer claims (10 million entries).
pub const MAX_LOAD_PAGES: u32 = 100_000;

/// What the list holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    /// One server page, as the URL says.
    Paged,
    /// Loading every page: pages appended so far, of how many.
    Loading { pages_done: u32, pages: u32 },
    /// Every entry is loaded (live tail may add more).
    All,
    /// A load ended early (cancelled or failed); what was loaded stays, and can be resumed.
    Stopped(String),
    /// A file opened in the browser (`/logs/file`): no server, no permalinks.
    File,
}

/// Live tail of a running run, once everything is loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tail {
    Off,
    Following,
    Ended,
}

/// The last page load-all fetches: the answer's `last_page`, but never more than its `total`
/// can fill, nor more than `MAX_LOAD_PAGES`; at least `first`.
pub fn last_page_to_load(first: u32, meta: &PageMeta, per_page: u32) -> u32 {
    let by_total = meta.total.map(|t| t.div_ceil(u64::from(per_page.max(1)))).unwrap_or(u64::MAX);
    let last = meta.last_page.min(by_total).min(u64::from(MAX_LOAD_PAGES));
    (last as u32).max(first)
}

/// Everything the page's async work needs; all of it is cheap to copy.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub app: AppState,
    pub run_id: Memo<String>,
    pub view: Memo<LogsView>,
    pub store: StoredValue<LogStore, LocalStorage>,
    pub version: RwSignal<u64>,
    pub mode: RwSignal<Mode>,
    pub tail: RwSignal<Tail>,
    pub run: RwSignal<Option<FlowRun>>,
    pub total: RwSignal<Option<u64>>,
    pub meta: RwSignal<Option<PageMeta>>,
    pub error: RwSignal<Option<ApiError>>,
    pub loading: RwSignal<bool>,
    /// Entries of the answers shown that could not be read (not entries, or nested too deep).
    pub skipped: RwSignal<usize>,
    /// The page's tasks.
    pub scope: Scope,
    /// The work in progress (a page, a load, a tail): stopped when other work starts.
    work: StoredValue<Option<Task>>,
    /// Requests of the work in progress, aborted with it.
    slots: StoredValue<Vec<Slot>, LocalStorage>,
}

impl Ctx {
    /// How times are shown: the zone, and the run's start when the view asks for offsets.
    pub fn time_shown(self) -> Signal<crate::components::log_list::TimeShown> {
        let (app, view, run) = (self.app, self.view, self.run);
        Signal::derive(move || crate::components::log_list::TimeShown {
            zone: app.zone.get(),
            offsets_from: view.with(|v| v.offsets).then(|| run.with(|r| r.as_ref().and_then(|r| r.started_at_ms))).flatten(),
        })
    }

    /// How many entries the store shows, again after every change to it.
    pub fn visible_len(self) -> Memo<usize> {
        let (store, version) = (self.store, self.version);
        Memo::new(move |_| {
            version.track();
            store.with_value(LogStore::visible_len)
        })
    }

    pub fn new(app: AppState, run_id: Memo<String>, view: Memo<LogsView>) -> Ctx {
        Ctx {
            app,
            run_id,
            view,
            store: StoredValue::new_local(LogStore::new()),
            version: RwSignal::new(0),
            mode: RwSignal::new(Mode::Paged),
            tail: RwSignal::new(Tail::Off),
            run: RwSignal::new(None),
            total: RwSignal::new(None),
            meta: RwSignal::new(None),
            error: RwSignal::new(None),
            loading: RwSignal::new(false),
            skipped: RwSignal::new(0),
            scope: Scope::here(),
            work: StoredValue::new(None),
            slots: StoredValue::new_local(Vec::new()),
        }
    }

    pub fn bump(self) {
        self.version.update(|v| *v += 1);
    }

    /// Stops the work in progress: its tasks are not polled again, its requests are aborted.
    pub fn stop_work(self) {
        if let Some(work) = self.work.try_update_value(Option::take).flatten() {
            work.stop();
        }
        // A page fetch stopped before its answer is not loading any more.
        self.loading.set(false);
        self.slots.try_update_value(|slots| slots.drain(..).for_each(|s| s.cancel()));
        self.tail.set(Tail::Off);
    }

    /// A new group for new work, the old work stopped.
    fn begin(self) -> Option<Task> {
        self.stop_work();
        self.next_group()
    }

    /// A new group for new work, once the old work has been stopped.
    fn next_group(self) -> Option<Task> {
        let work = self.scope.group()?;
        self.work.set_value(Some(work.clone()));
        Some(work)
    }

    /// A request slot of the work in progress.
    fn slot(self) -> Slot {
        let slot = Slot::default();
        self.slots.update_value(|s| s.push(slot.clone()));
        slot
    }

    fn client(self) -> Option<ApiClient> {
        let c = self.app.client().background();
        c.credential.is_some().then_some(c)
    }

    /// The server page the URL names.
    pub fn fetch_page(self) {
        // Whatever happens next, older work stops here: after a sign-out, a load-all must not
        // go on sending the token it started with.
        self.stop_work();
        self.mode.set(Mode::Paged);
        let v = self.view.get_untracked();
        let rid = self.run_id.get_untracked();
        let client = self.app.client();
        if client.credential.is_none() {
            self.error.set(Some(ApiError::Unauthorized));
            return;
        }
        let Some(work) = self.next_group() else { return };
        let slot = self.slot();
        self.loading.set(true);
        work.spawn(async move {
            let answer = client.list_logs(&rid, &v.api_query(v.page, v.per_page), Some(&slot)).await;
            self.app.observe(&answer);
            self.loading.set(false);
            match answer {
                Err(ApiError::Aborted) => {}
                Err(e) => self.error.set(Some(e)),
                Ok(p) => {
                    self.store.update_value(|s| {
                        s.clear();
                        s.append(p.items);
                    });
                    self.total.set(p.meta.total);
                    self.skipped.set(p.skipped);
                    self.meta.set(Some(p.meta));
                    self.error.set(None);
                    self.bump();
                }
            }
        });
    }

    /// Loads every page from where the store ends (`resume`) or from the start.
    pub fn load_all(self, resume: bool) {
        let Some(client) = self.client() else {
            self.mode.set(Mode::Stopped(ApiError::Unauthorized.message()));
            return;
        };
        let Some(work) = self.begin() else { return };
        if !resume {
            self.store.update_value(LogStore::clear);
            self.bump();
        }
        let first = page_of(self.store.with_value(LogStore::len), LOAD_PER_PAGE);
        self.mode.set(Mode::Loading { pages_done: first - 1, pages: first });
        let (rid, v) = (self.run_id.get_untracked(), self.view.get_untracked());
        let slot = self.slot();
        let group = work.clone();
        work.spawn(async move {
            let answer = client.list_logs(&rid, &v.api_query(first, LOAD_PER_PAGE), Some(&slot)).await;
            self.app.observe(&answer);
            let page = match answer {
                Ok(p) => p,
                Err(e) => return self.stopped(&e),
            };
            let last = last_page_to_load(first, &page.meta, LOAD_PER_PAGE);
            self.total.set(page.meta.total);
            let empty = page.items.is_empty();
            self.skipped.update(|n| *n = if resume { *n + page.skipped } else { page.skipped });
            self.store.update_value(|s| {
                s.append(page.items);
            });
            self.bump();
            // An empty page is the end, whatever `last_page` said.
            let last = if empty { first } else { last };
            let plan = Rc::new(RefCell::new(LoadPlan::new(first + 1, last)));
            self.mode.set(Mode::Loading { pages_done: first, pages: last });
            if plan.borrow().done() {
                return self.loaded();
            }
            let running = Rc::new(Cell::new(WORKERS));
            let last_redraw = Rc::new(Cell::new(browser::now_ms()));
            for _ in 0..WORKERS {
                let (client, rid, v, plan, running, last_redraw) =
                    (client.clone(), rid.clone(), v.clone(), plan.clone(), running.clone(), last_redraw.clone());
                let slot = self.slot();
                group.spawn(async move {
                    loop {
                        let Some(page) = plan.borrow_mut().take() else { break };
                        let answer = client.list_logs(&rid, &v.api_query(page, LOAD_PER_PAGE), Some(&slot)).await;
                        self.app.observe(&answer);
                        let p = match answer {
                            Ok(p) => p,
                            Err(e) => return self.stopped(&e),
                        };
                        self.skipped.update(|n| *n += p.skipped);
                        if p.items.is_empty() {
                            // The log ends before this page: nothing past it is fetched.
                            let mut plan = plan.borrow_mut();
                            plan.last_page = plan.last_page.min(page - 1);
                        }
                        let ready = plan.borrow_mut().put(page, p.items);
                        if !ready.is_empty() {
                            self.store.update_value(|s| {
                                s.append(ready);
                            });
                        }
                        let (done, of) = {
                            let plan = plan.borrow();
                            (plan.next_append - 1, plan.last_page)
                        };
                        self.mode.set(Mode::Loading { pages_done: done.min(of), pages: of });
                        let now = browser::now_ms();
                        if now - last_redraw.get() >= REDRAW_MS {
                            last_redraw.set(now);
                            self.bump();
                        }
                    }
                    running.set(running.get() - 1);
                    if running.get() == 0 && plan.borrow().done() {
                        self.loaded();
                    }
                });
            }
        });
    }

    fn stopped(self, e: &ApiError) {
        self.stop_work();
        let n = self.store.with_value(LogStore::len);
        self.mode.set(Mode::Stopped(format!("Loading stopped after {} entries: {}", group_thousands(n as u64), e.message())));
        self.bump();
    }

    pub fn cancel(self) {
        self.stop_work();
        let n = self.store.with_value(LogStore::len);
        self.mode.set(Mode::Stopped(format!("Loading cancelled after {} entries.", group_thousands(n as u64))));
        self.bump();
    }

    fn loaded(self) {
        self.mode.set(Mode::All);
        self.bump();
        if self.run.with_untracked(|r| r.as_ref().is_some_and(|r| r.status == Some(RunStatus::Running))) {
            self.follow();
        }
    }

    /// Polls a running run for new entries and appends them, until it finishes.
    fn follow(self) {
        let Some(work) = self.begin() else { return };
        self.tail.set(Tail::Following);
        let every = self.app.config.with_value(|c| c.refresh_seconds) * 1000;
        let (rid, v) = (self.run_id.get_untracked(), self.view.get_untracked());
        work.poll(every, move || {
            let (rid, v) = (rid.clone(), v.clone());
            async move {
                let Some(client) = self.client() else { return Tick::Skipped };
                let answer = client.get_run(&rid, &["flowVersion.steps"], None).await;
                let failed = answer.is_err();
                let still_running = answer.as_ref().map_or(true, |r| r.status == Some(RunStatus::Running));
                if let Ok(r) = answer {
                    self.run.set(Some(r));
                }
                // New entries: from the page where the store ends, while pages come back full,
                // at most as many pages as a tick can mean (a page count is never trusted).
                for _ in 0..MAX_TAIL_PAGES {
                    let page = page_of(self.store.with_value(LogStore::len), LOAD_PER_PAGE);
                    let Ok(p) = client.list_logs(&rid, &v.api_query(page, LOAD_PER_PAGE), None).await else { break };
                    self.total.set(p.meta.total);
                    let full = p.items.len() as u32 >= LOAD_PER_PAGE;
                    let added = self.store.try_update_value(|s| s.append(p.items)).unwrap_or(0);
                    if added > 0 {
                        self.bump();
                    }
                    if !full || added == 0 {
                        break;
                    }
                }
                if !still_running {
                    self.tail.set(Tail::Ended);
                    return Tick::Stop;
                }
                if failed {
                    Tick::Failed
                } else {
                    Tick::Done
                }
            }
        });
    }
}

/// Pages the live tail reads in one tick at most.
const MAX_TAIL_PAGES: u32 = 20;

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(last_page: u64, total: Option<u64>) -> PageMeta {
        PageMeta { last_page, total, ..PageMeta::default() }
    }

    #[test]
    fn load_all_never_trusts_a_page_count() {
        assert_eq!(last_page_to_load(1, &meta(30, Some(3_000)), 100), 30);
        // A last_page of 9e15 with a total of 250: three pages.
        assert_eq!(last_page_to_load(1, &meta(9_000_000_000_000_000, Some(250)), 100), 3);
        // No total: capped.
        assert_eq!(last_page_to_load(1, &meta(u64::MAX, None), 100), MAX_LOAD_PAGES);
        // A resumed load never goes back before where it starts.
        assert_eq!(last_page_to_load(7, &meta(3, Some(250)), 100), 7);
        assert_eq!(last_page_to_load(1, &meta(0, Some(0)), 0), 1);
    }
}
