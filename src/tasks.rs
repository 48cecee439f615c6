//! Tasks that belong to a view and end with it.
//!
//! Every async task, timer and poll of the app's views starts here (or in Leptos' own
//! `LocalResource` and `Action`). A task runs under a child of the reactive owner of the view
//! that started it; when that view is cleaned up (its route left, its part of the page
//! rebuilt, its widget unmounted), the child is cleaned up with it and the task is aborted:
//! it is never polled again, so it can never read the view's disposed storage after an
//! `await` (which, under `panic = immediate-abort`, would trap the whole app).
//!
//! The owner is a child, not the view's own owner, because a task holds its owner strongly:
//! holding the view's owner would keep a left route's owner alive, and its clean-up (the
//! abort) would never run. A parent cleans up its children however it ends.

use crate::browser;
use leptos::prelude::*;
use leptos::reactive::owner::WeakOwner;
use std::future::Future;

/// Waits at least this long between two polls after failures (5 minutes).
pub const MAX_POLL_WAIT_MS: u32 = 300_000;

/// The view that tasks belong to, captured where the view is built (a component's body), so
/// that work started later from an event handler or an effect still belongs to the view, not
/// to the part of it that happened to run the handler. A copyable handle: it lives in the
/// view's own storage, so once the view is gone it starts nothing.
#[derive(Clone, Copy)]
pub struct Scope(StoredValue<Option<WeakOwner>>);

/// A running task (or a group of them): `stop` ends it before its view does.
#[derive(Clone)]
pub struct Task(Owner);

impl Task {
    /// Aborts the task(s): not polled again.
    pub fn stop(&self) {
        self.0.cleanup();
    }

    /// Spawns another task into the same group (stopped together). The task is untracked:
    /// started from an effect, its reads must not subscribe that effect (they would make the
    /// effect depend on whatever the task reads after an `await`).
    pub fn spawn(&self, task: impl Future<Output = ()> + 'static) {
        // Boxed here, once: the executor boxes every task anyway, and one concrete type keeps
        // the cancellation wrapper from being compiled again for each task of the app.
        let task: std::pin::Pin<Box<dyn Future<Output = ()>>> = Box::pin(task);
        untrack(|| self.0.with(|| leptos::task::spawn_local_scoped_with_cancellation(task)));
    }

    /// Like `spawn`, but the task takes its first step now, under this group's owner: a
    /// request it makes is sent while the view is still being built, not after the whole
    /// page has been built and mounted (measured: about 90 ms later on a cold load).
    pub fn spawn_now(&self, task: impl Future<Output = ()> + 'static) {
        let mut task: std::pin::Pin<Box<dyn Future<Output = ()>>> = Box::pin(task);
        // The executor polls it again before anything can wake it (a task is first polled in
        // the next microtask; answers arrive in later tasks), and every poll registers its
        // waker anew, so this first step's no-op waker is never the one that counts.
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        if untrack(|| self.0.with(|| task.as_mut().poll(&mut cx))).is_pending() {
            self.spawn(task);
        }
    }

    /// A poll (see `Scope::poll`) in this group.
    pub fn poll<F, Fut>(&self, every_ms: u32, tick: F)
    where
        F: FnMut() -> Fut + 'static,
        Fut: Future<Output = Tick> + 'static,
    {
        self.spawn(polling(every_ms, tick));
    }
}

impl Scope {
    /// The view being built now.
    pub fn here() -> Scope {
        Scope(StoredValue::new(Owner::current().map(|o| o.downgrade())))
    }

    /// A scope that starts nothing.
    #[cfg(test)]
    fn none() -> Scope {
        Scope(StoredValue::new(None))
    }

    /// A new, empty group of tasks owned by this view (`None` once the view is gone).
    pub fn group(&self) -> Option<Task> {
        let owner = self.0.try_with_value(|w| w.as_ref().and_then(WeakOwner::upgrade)).flatten()?;
        Some(Task(owner.child()))
    }

    /// Runs `task` until it ends or the view goes away, whichever comes first. Once the view
    /// is gone nothing is started.
    pub fn spawn(&self, task: impl Future<Output = ()> + 'static) -> Option<Task> {
        let group = self.group()?;
        group.spawn(task);
        Some(group)
    }

    /// `spawn`, taking the first step now (see `Task::spawn_now`).
    pub fn spawn_now(&self, task: impl Future<Output = ()> + 'static) -> Option<Task> {
        let group = self.group()?;
        group.spawn_now(task);
        Some(group)
    }

    /// Runs `f` after `ms`, unless the view has gone away by then (or the task is stopped).
    pub fn after(&self, ms: u32, f: impl FnOnce() + 'static) -> Option<Task> {
        self.spawn(async move {
            sleep(ms).await;
            f();
        })
    }

    /// Polls: runs `tick` every `every_ms` while the page is visible, waiting longer after
    /// failures (`poll_wait`), until the view goes away or a tick says `Stop`.
    pub fn poll<F, Fut>(&self, every_ms: u32, tick: F) -> Option<Task>
    where
        F: FnMut() -> Fut + 'static,
        Fut: Future<Output = Tick> + 'static,
    {
        self.spawn(polling(every_ms, tick))
    }
}

/// The one polling loop of the app (run table, run page, live tail).
async fn polling<F, Fut>(every_ms: u32, mut tick: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Tick>,
{
    let mut failures = 0;
    loop {
        sleep(poll_wait(every_ms, failures)).await;
        if browser::page_hidden() {
            continue;
        }
        match tick().await {
            Tick::Done => failures = 0,
            Tick::Failed => failures += 1,
            Tick::Skipped => {}
            Tick::Stop => return,
        }
    }
}

/// `Scope::here().spawn(task)`: a task of the view being built (or of the part of the page
/// whose effect or handler is running).
pub fn spawn(task: impl Future<Output = ()> + 'static) -> Option<Task> {
    Scope::here().spawn(task)
}

/// What one poll did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tick {
    /// Asked, and got an answer.
    Done,
    /// Asked, and failed: wait longer before the next poll.
    Failed,
    /// Nothing to ask this time (not live, busy, …).
    Skipped,
    /// Nothing more to poll for (a run has finished).
    Stop,
}

/// The tick of a poll that asked (`Some`: a request answering whether it got an answer) or
/// had nothing to ask (`None`).
pub async fn asked(request: Option<impl Future<Output = bool>>) -> Tick {
    let Some(answer) = request else { return Tick::Skipped };
    if answer.await {
        Tick::Done
    } else {
        Tick::Failed
    }
}

/// The wait before the next poll: `every_ms`, doubled for each failure in a row (up to 16×),
/// at most five minutes, at least a tenth of a second.
pub fn poll_wait(every_ms: u32, failures: u32) -> u32 {
    every_ms.saturating_mul(1 << failures.min(4)).clamp(100, MAX_POLL_WAIT_MS)
}

/// A timer future, cleared when dropped (as an aborted task drops it).
pub async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_back_off_after_failures_and_stay_bounded() {
        assert_eq!(poll_wait(30_000, 0), 30_000);
        assert_eq!(poll_wait(30_000, 1), 60_000);
        assert_eq!(poll_wait(30_000, 2), 120_000);
        assert_eq!(poll_wait(30_000, 3), 240_000);
        assert_eq!(poll_wait(30_000, 9), MAX_POLL_WAIT_MS);
        assert_eq!(poll_wait(5_000, 100), 80_000, "at most 16× the interval");
        assert_eq!(poll_wait(u32::MAX, 3), MAX_POLL_WAIT_MS);
        assert_eq!(poll_wait(0, 0), 100, "a zero interval cannot spin");
    }

    #[test]
    fn a_scope_without_an_owner_starts_nothing() {
        let scope = Scope::none();
        assert!(scope.group().is_none());
        assert!(scope.spawn(async {}).is_none());
    }

    #[test]
    fn a_group_ends_with_its_view() {
        let view = Owner::new();
        let scope = view.with(Scope::here);
        let group = scope.group().expect("a live view has groups");
        let ended = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = ended.clone();
        group.0.with(|| on_cleanup(move || flag.store(true, std::sync::atomic::Ordering::Relaxed)));
        drop(view);
        assert!(ended.load(std::sync::atomic::Ordering::Relaxed), "dropping the view cleans up its groups");
        assert!(scope.group().is_none(), "nothing starts in a view that is gone");
    }
}
