//! "Group failures" on the run list: the failed and partly successful runs under the view's
//! filters (the latest `failures::RUN_LIMIT`), their error entries grouped by cause. The rule
//! and the request plan are `crate::failures`; this is the work and the view.
//!
//! The work is one task of this view (`tasks::Scope`): background priority in the app's
//! request budget, stopped by Stop, a change of filters or leaving the page (its requests
//! are aborted). A finished grouping is kept in memory per API base and filter set, so
//! coming back to the same filters shows it again without a request.

use crate::api::{ApiClient, ApiError, RunQuery};
use crate::browser;
use crate::failures::{self, Group, RunErrors};
use crate::state::use_app;
use crate::tasks::{Scope, Task};
use crate::time::format_datetime;
use crate::url_state::{logs_href, run_href, step_logs_href, LogsView, RunsView};
use leptos::prelude::*;
use std::cell::RefCell;
use std::sync::Arc;

/// Finished groupings kept while the app runs (the latest first).
const CACHE_ENTRIES: usize = 8;
/// Runs listed per group; the rest are counted.
const RUNS_SHOWN: usize = 100;

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    /// Reading pages of runs, then logs.
    Reading,
    Done,
    Stopped,
    Failed(String),
}

/// A grouping, finished or under way.
#[derive(Clone, Debug, PartialEq)]
struct Outcome {
    key: String,
    phase: Phase,
    groups: Arc<Vec<Group>>,
    runs: usize,
    /// Runs in which no error entry was found.
    without_errors: usize,
    requests: u32,
    /// Log lookups done, and to do.
    lookups: (usize, usize),
    /// The limit was reached: older runs were not read.
    limited: bool,
}

thread_local! {
    static CACHE: RefCell<Vec<Outcome>> = const { RefCell::new(Vec::new()) };
}

fn cached(key: &str) -> Option<Outcome> {
    CACHE.with(|c| c.borrow().iter().find(|o| o.key == key).cloned())
}

fn remember(o: Outcome) {
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        c.retain(|x| x.key != o.key);
        c.insert(0, o);
        c.truncate(CACHE_ENTRIES);
    });
}

/// The grouping button, its cost, progress and result.
#[component]
pub fn FailureGroups(#[prop(into)] view: Signal<RunsView>) -> impl IntoView {
    let app = use_app();
    let scope = Scope::here();
    let outcome = RwSignal::new(None::<Outcome>);
    let task = StoredValue::new_local(None::<Task>);
    // Only what the grouping depends on: not the page, its size or the sort.
    let key = Memo::new(move |_| {
        let filters = view.with(|v| RunsView { page: 1, per_page: 1, sort: Default::default(), ..v.clone() }.href(1));
        // And whose: a grouping made with one credential is not shown after a sign-out or to
        // the next one signed in (a fingerprint, so that no token is copied into the key).
        let who = app.connection.with(|c| {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            c.credential.as_ref().and_then(|cr| cr.header_value().ok()).hash(&mut h);
            h.finish()
        });
        format!("{} {who:x} {filters}", app.client().base)
    });
    let stop = move || {
        if let Some(t) = task.get_value() {
            t.stop();
        }
        task.set_value(None);
    };
    // Other filters: the work for the old ones stops; a grouping kept for the new ones shows.
    Effect::new(move |_| {
        let k = key.get();
        if outcome.with_untracked(|o| o.as_ref().is_none_or(|o| o.key != k)) {
            stop();
            outcome.set(cached(&k));
        }
    });
    let start = move |_| {
        stop();
        let client = app.client().background();
        let now = browser::now_ms();
        let q = view.with_untracked(|v| v.api_query(now, browser::zone_offset(app.zone.get_untracked(), now)));
        let k = key.get_untracked();
        outcome.set(Some(Outcome {
            key: k,
            phase: Phase::Reading,
            groups: Arc::default(),
            runs: 0,
            without_errors: 0,
            requests: 0,
            lookups: (0, 0),
            limited: false,
        }));
        task.set_value(scope.spawn(async move {
            work(client, q, outcome).await;
            if let Some(done) = outcome.get_untracked().filter(|o| o.phase == Phase::Done) {
                remember(done);
            }
        }));
    };
    let on_stop = move |_| {
        stop();
        outcome.update(|o| {
            if let Some(o) = o.as_mut().filter(|o| o.phase == Phase::Reading) {
                o.phase = Phase::Stopped;
            }
        });
    };
    let running = move || outcome.with(|o| o.as_ref().is_some_and(|o| o.phase == Phase::Reading));
    let budget = app.config.with_value(|c| c.requests_per_minute);
    let zone = app.zone;
    let when = move |ms: Option<i64>| ms.map(|ms| format_datetime(ms, browser::zone_offset(zone.get(), ms))).unwrap_or_else(|| "–".into());

    view! {
        <section class="failure-groups" aria-label=crate::nav::label("Failures grouped by cause")>
            <div class="fg-head">
                <button type="button" class="button" id=crate::nav::id("group-failures") disabled=running on:click=start>"Group failures"</button>
                <button type="button" class="button" id=crate::nav::id("stop-grouping") hidden=move || !running() on:click=on_stop>"Stop"</button>
                <span class="fg-cost muted">{format!(
                    "Groups the errors of the latest {} failed or partly successful runs under these filters: at most {} requests ({} pages of runs, the same pages with their errors where the answer stays small, up to {} single runs or logs), in the background within the app's {budget} requests a minute.",
                    failures::RUN_LIMIT, failures::max_requests(), failures::LIST_PAGES, failures::LOG_LOOKUPS
                )}</span>
            </div>
            {move || outcome.get().map(|o| {
                let status = match &o.phase {
                    Phase::Reading if o.lookups.1 > 0 => format!("Reading logs: {} of {}…", o.lookups.0, o.lookups.1),
                    Phase::Reading => format!("Reading runs: {} so far…", o.runs),
                    Phase::Done => String::new(),
                    Phase::Stopped => "Stopped: the groups below hold only the runs read so far.".into(),
                    Phase::Failed(m) => format!("Grouping failed: {m} The groups below hold only the runs read so far."),
                };
                let summary = format!(
                    "{} runs read{}, {} causes; {} without an error entry; {} requests.",
                    o.runs,
                    if o.limited { format!(" (the limit: runs older than the latest {} were not read)", failures::RUN_LIMIT) } else { String::new() },
                    o.groups.len(),
                    o.without_errors,
                    o.requests
                );
                let groups = o.groups.clone();
                view! {
                    <p class="fg-status" role="status" data-phase=phase_name(&o.phase)>{status}</p>
                    <p class="fg-summary">{summary}</p>
                    <ol class="fg-list">
                        {groups.iter().map(|g| {
                            let more = g.runs.len().saturating_sub(RUNS_SHOWN);
                            view! {
                                <li class="fg-group" data-runs=g.runs.len()>
                                    <div class="fg-key"><code>{g.key.clone()}</code></div>
                                    <div class="fg-facts">
                                        <span class="fg-count">{format!("{} runs", g.runs.len())}</span>
                                        {format!(" · {} errors · flows: {} · steps: {} · first {} · last {}", g.entries, g.flows.join(", "), g.steps.join(", "), when(g.first_ms), when(g.last_ms))}
                                    </div>
                                    <pre class="fg-example">{g.example.clone()}</pre>
                                    <details>
                                        <summary>"Runs"</summary>
                                        <ul class="fg-runs">
                                            {g.runs.iter().take(RUNS_SHOWN).map(|r| view! {
                                                <li>
                                                    <a class="fg-run" href=browser::app_href(&run_href(&r.run_id))>"#"{r.run_id.clone()}</a>" "
                                                    // The log filtered to the failing step (the whole log where no step is known).
                                                    <a class="fg-log" href=browser::app_href(&r.step_id.as_ref().map_or_else(|| logs_href(&r.run_id, &LogsView::default()), |s| step_logs_href(&r.run_id, s)))>"log"</a>
                                                    " "{when(r.at_ms)}
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                        {if more > 0 { format!("and {more} more") } else { String::new() }}
                                    </details>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }
            })}
        </section>
    }
}

fn phase_name(p: &Phase) -> &'static str {
    match p {
        Phase::Reading => "reading",
        Phase::Done => "done",
        Phase::Stopped => "stopped",
        Phase::Failed(_) => "failed",
    }
}

/// The grouping: list pages with each run's count of warnings and errors; each page again
/// with its entries where they add up to a bounded answer; single runs (or their logs) where
/// not, and logs of failed runs whose entries hold no error. Regroups after each answer.
async fn work(client: ApiClient, view: RunQuery, out: RwSignal<Option<Outcome>>) {
    let mut runs: Vec<RunErrors> = Vec::new();
    let mut pages: Vec<(RunQuery, Vec<crate::api::FlowRun>)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut requests = 0u32;
    let publish = |runs: &[RunErrors], requests: u32, f: &dyn Fn(&mut Outcome)| {
        let groups = Arc::new(failures::group(runs));
        let without = runs.iter().filter(|r| r.errors.is_empty()).count();
        out.update(|o| {
            if let Some(o) = o.as_mut() {
                o.groups = groups;
                o.runs = runs.len();
                o.without_errors = without;
                o.requests = requests;
                f(o);
            }
        });
    };
    let fail = |e: ApiError| out.update(|o| o.iter_mut().for_each(|o| o.phase = Phase::Failed(e.message())));
    let started = browser::now_ms();
    for page in 1..=failures::LIST_PAGES {
        let Some(q) = failures::list_query(&view, page, started) else { break };
        requests += 1;
        let got = match client.list_runs(&q, None).await {
            Ok(p) => p,
            Err(ApiError::Aborted) => return,
            Err(e) => return fail(e),
        };
        let n = got.items.len() + got.skipped;
        // Never more than a page's worth, whatever the answer holds.
        let mine: Vec<_> = got
            .items
            .into_iter()
            .take(failures::PER_PAGE as usize)
            .filter(|r| failures::is_grouped(r) && seen.insert(r.id.clone()))
            .collect();
        runs.extend(mine.iter().map(RunErrors::of));
        pages.push((q, mine));
        let more = failures::more_pages(page, n);
        publish(&runs, requests, &|o| o.limited = page == failures::LIST_PAGES && n >= failures::PER_PAGE as usize);
        if !more {
            break;
        }
    }
    let index: std::collections::HashMap<String, usize> = runs.iter().enumerate().map(|(i, r)| (r.run_id.clone(), i)).collect();
    // Single requests, in the order runs come (newest first), at most LOG_LOOKUPS of them.
    let mut singles: Vec<(usize, failures::Single)> = Vec::new();
    for (q, page_runs) in &pages {
        if failures::page_fits(page_runs) {
            requests += 1;
            match client.list_runs(&failures::entries_query(q), None).await {
                Ok(p) => {
                    // Only the runs this page held when counted (whatever else it holds now).
                    for r in p.items.into_iter().take(failures::PER_PAGE as usize) {
                        if let Some(&i) = index.get(&r.id).filter(|_| page_runs.iter().any(|x| x.id == r.id)) {
                            runs[i].errors = failures::errors_of(&r.problems);
                            if let Some(lq) = failures::log_lookup(&r) {
                                singles.push((i, failures::Single::Log(lq)));
                            }
                        }
                    }
                }
                Err(ApiError::Aborted) => return,
                Err(e) => return fail(e),
            }
            publish(&runs, requests, &|_| {});
        } else {
            for r in page_runs {
                let read = failures::single(r).or_else(|| failures::log_lookup(r).map(failures::Single::Log));
                if let (Some(read), Some(&i)) = (read, index.get(&r.id)) {
                    singles.push((i, read));
                }
            }
        }
    }
    singles.truncate(failures::LOG_LOOKUPS as usize);
    let total = singles.len();
    publish(&runs, requests, &|o| o.lookups = (0, total));
    for (done, (i, read)) in singles.into_iter().enumerate() {
        let id = runs[i].run_id.clone();
        requests += 1;
        let entries = match read {
            failures::Single::Run => client.get_run(&id, &["errorWarningLogs"], None).await.map(|r| r.problems),
            failures::Single::Log(lq) => client.list_logs(&id, &lq, None).await.map(|p| p.items),
        };
        match entries {
            Ok(entries) => {
                let errors = failures::errors_of(&entries);
                if !errors.is_empty() {
                    runs[i].errors = errors;
                }
            }
            Err(ApiError::Aborted) => return,
            // One run that cannot be read leaves it without errors, not the grouping.
            Err(_) => {}
        }
        publish(&runs, requests, &|o| o.lookups = (done + 1, total));
    }
    out.update(|o| o.iter_mut().for_each(|o| o.phase = Phase::Done));
}
