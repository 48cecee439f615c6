use crate::api::budget::BACKGROUND_SHARE;
use crate::api::{ApiClient, ApiError, FlowRun, FlowRunLog, PageMeta, RunStatus, Slot};
use crate::browser;
use crate::components::log_detail::LogDetail;
use crate::components::log_list::{css_level, LogList, TimeShown};
use crate::components::pager::group_thousands;
use crate::components::{ErrorView, Pager};
use crate::logs::{json_line, load_cost, minutes_text, page_of, step_match, text_line, LoadPlan, LogStore, CONFIRM_PAGES, LOAD_PER_PAGE};
use crate::state::{use_app, AppState};
use crate::url_state::{LogsView, PAGE_SIZES};
use leptos::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Requests in flight while loading everything.
const WORKERS: usize = 3;
/// The list redraws at most this often while a load appends entries.
const REDRAW_MS: i64 = 250;

/// What the list holds.
#[derive(Clone, Debug, PartialEq)]
enum Mode {
    /// One server page, as the URL says.
    Paged,
    /// Loading every page: pages appended so far, of how many.
    Loading { pages_done: u32, pages: u32 },
    /// Every entry is loaded (live tail may add more).
    All,
    /// A load ended early (cancelled or failed); what was loaded stays, and can be resumed.
    Stopped(String),
}

/// Live tail of a running run, once everything is loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tail {
    Off,
    Following,
    Ended,
}

/// Everything the page's async work needs; all of it is cheap to copy.
#[derive(Clone, Copy)]
struct Ctx {
    app: AppState,
    run_id: Memo<String>,
    view: Memo<LogsView>,
    store: StoredValue<LogStore, LocalStorage>,
    version: RwSignal<u64>,
    mode: RwSignal<Mode>,
    tail: RwSignal<Tail>,
    run: RwSignal<Option<FlowRun>>,
    total: RwSignal<Option<u64>>,
    /// Work of an older generation (a load, a tail) stops at its next step.
    generation: StoredValue<u64>,
    load_slots: StoredValue<Vec<Slot>, LocalStorage>,
    alive: StoredValue<Arc<AtomicBool>>,
}

impl Ctx {
    fn bump(self) {
        self.version.update(|v| *v += 1);
    }

    fn current(self, gen: u64) -> bool {
        self.generation.get_value() == gen && self.alive.with_value(|a| a.load(Ordering::Relaxed))
    }

    /// Stops loads and tails: bumps the generation and aborts requests in flight.
    fn stop_work(self) {
        self.generation.update_value(|g| *g += 1);
        self.load_slots.update_value(|slots| slots.drain(..).for_each(|s| s.cancel()));
        self.tail.set(Tail::Off);
    }

    fn client(self) -> Option<ApiClient> {
        let c = self.app.client().background();
        c.credential.is_some().then_some(c)
    }

    /// Loads every page from where the store ends (`resume`) or from the start.
    fn load_all(self, resume: bool) {
        let Some(client) = self.client() else {
            self.mode.set(Mode::Stopped(ApiError::Unauthorized.message()));
            return;
        };
        self.stop_work();
        let gen = self.generation.get_value();
        if !resume {
            self.store.update_value(LogStore::clear);
            self.bump();
        }
        let first = page_of(self.store.with_value(LogStore::len), LOAD_PER_PAGE);
        self.mode.set(Mode::Loading { pages_done: first - 1, pages: first });
        let (rid, v) = (self.run_id.get_untracked(), self.view.get_untracked());
        leptos::task::spawn_local(async move {
            let answer = client.list_logs(&rid, &v.api_query(first, LOAD_PER_PAGE), None).await;
            self.app.observe(&answer);
            if !self.current(gen) {
                return;
            }
            let page = match answer {
                Ok(p) => p,
                Err(e) => return self.stopped(&e),
            };
            let last = (page.meta.last_page.min(u64::from(u32::MAX)) as u32).max(first);
            self.total.set(page.meta.total);
            self.store.update_value(|s| {
                s.append(page.items);
            });
            self.bump();
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
                let slot = Slot::default();
                self.load_slots.update_value(|s| s.push(slot.clone()));
                leptos::task::spawn_local(async move {
                    loop {
                        if !self.current(gen) {
                            return;
                        }
                        let Some(page) = plan.borrow_mut().take() else { break };
                        let answer = client.list_logs(&rid, &v.api_query(page, LOAD_PER_PAGE), Some(&slot)).await;
                        self.app.observe(&answer);
                        if !self.current(gen) {
                            return;
                        }
                        match answer {
                            Ok(p) => {
                                let ready = plan.borrow_mut().put(page, p.items);
                                if !ready.is_empty() {
                                    self.store.update_value(|s| {
                                        s.append(ready);
                                    });
                                }
                                let done = plan.borrow().next_append - 1;
                                self.mode.set(Mode::Loading { pages_done: done, pages: last });
                                let now = browser::now_ms();
                                if now - last_redraw.get() >= REDRAW_MS {
                                    last_redraw.set(now);
                                    self.bump();
                                }
                            }
                            Err(e) => return self.stopped(&e),
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

    fn cancel(self) {
        self.stop_work();
        let n = self.store.with_value(LogStore::len);
        self.mode.set(Mode::Stopped(format!("Loading cancelled after {} entries.", group_thousands(n as u64))));
        self.bump();
    }

    fn loaded(self) {
        self.load_slots.update_value(Vec::clear);
        self.mode.set(Mode::All);
        self.bump();
        if self.run.with_untracked(|r| r.as_ref().is_some_and(|r| r.status == Some(RunStatus::Running))) {
            self.follow();
        }
    }

    /// Polls a running run for new entries and appends them, until it finishes.
    fn follow(self) {
        let gen = self.generation.get_value();
        self.tail.set(Tail::Following);
        let every = self.app.config.with_value(|c| c.refresh_seconds) * 1000;
        let (rid, v) = (self.run_id.get_untracked(), self.view.get_untracked());
        leptos::task::spawn_local(async move {
            loop {
                gloo_timers::future::TimeoutFuture::new(every).await;
                if !self.current(gen) {
                    return;
                }
                let Some(client) = self.client() else { continue };
                if browser::page_hidden() {
                    continue;
                }
                let answer = client.get_run(&rid, &["flowVersion.steps"], None).await;
                let still_running = match &answer {
                    Ok(r) => r.status == Some(RunStatus::Running),
                    Err(_) => true,
                };
                if !self.current(gen) {
                    return;
                }
                if let Ok(r) = answer {
                    self.run.set(Some(r));
                }
                // New entries: from the page where the store ends, while pages come back full.
                loop {
                    let page = page_of(self.store.with_value(LogStore::len), LOAD_PER_PAGE);
                    let Ok(p) = client.list_logs(&rid, &v.api_query(page, LOAD_PER_PAGE), None).await else { break };
                    if !self.current(gen) {
                        return;
                    }
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
                    return;
                }
            }
        });
    }
}

/// `/runs/:id/logs`: a run's log, a server page at a time or all of it in one virtual list,
/// with a level filter, search, permalinks, live tail and exports.
#[component]
pub fn LogsPage() -> impl IntoView {
    let app = use_app();
    let nav = crate::nav::use_nav();
    let here = nav.location_for(crate::nav::View::Logs);
    let run_id = Memo::new(move |_| here.with(|l| crate::nav::run_id_of(l)));
    let parsed = Memo::new(move |_| {
        let pairs = here.with(|l| crate::nav::query_of(l));
        LogsView::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    });
    let view_state = Memo::new(move |_| parsed.with(|(v, _)| v.clone()));
    let go = Callback::new(move |(v, replace): (LogsView, bool)| nav.navigate(&v.href(&run_id.get_untracked()), replace));

    let alive = Arc::new(AtomicBool::new(true));
    let ctx = Ctx {
        app,
        run_id,
        view: view_state,
        store: StoredValue::new_local(LogStore::new()),
        version: RwSignal::new(0),
        mode: RwSignal::new(Mode::Paged),
        tail: RwSignal::new(Tail::Off),
        run: RwSignal::new(None),
        total: RwSignal::new(None),
        generation: StoredValue::new(0),
        load_slots: StoredValue::new_local(Vec::new()),
        alive: StoredValue::new(alive.clone()),
    };
    on_cleanup(move || {
        alive.store(false, Ordering::Relaxed);
        ctx.stop_work();
    });
    let Ctx { store, version, mode, tail, run, total, .. } = ctx;
    let meta = RwSignal::new(None::<PageMeta>);
    let error = RwSignal::new(None::<ApiError>);
    let loading = RwSignal::new(false);
    let page_slot = StoredValue::new_local(Slot::default());

    // The run: its steps for the filter, its start for offsets, its status for live tail.
    Effect::new(move |_| {
        let rid = run_id.get();
        app.connection.track();
        run.set(None);
        let client = app.client().background();
        if client.credential.is_none() {
            return;
        }
        leptos::task::spawn_local(async move {
            if let Ok(r) = client.get_run(&rid, &["flowVersion.steps"], None).await {
                run.try_set(Some(r));
            }
        });
    });

    let current = RwSignal::new(None::<usize>);
    let scroll_to = RwSignal::new(None::<(usize, u64)>);
    let nonce = StoredValue::new(0u64);
    let request_scroll = move |row: usize| {
        nonce.update_value(|n| *n += 1);
        scroll_to.set(Some((row, nonce.get_value())));
    };
    let jump_to_first_match = move || {
        let first = store.with_value(|s| s.match_from(0));
        current.set(first);
        if let Some(row) = first.and_then(|n| store.with_value(|s| s.match_row(n))) {
            request_scroll(row);
        }
    };

    // A server page, whenever the run, step filter, page or page size changes.
    let fetch_key = Memo::new(move |_| view_state.with(|v| (run_id.get(), v.step.clone(), v.page, v.per_page)));
    let fetch_page = move || {
        let (rid, _, page, per_page) = fetch_key.get_untracked();
        let v = view_state.get_untracked();
        let client = app.client();
        if client.credential.is_none() {
            error.set(Some(ApiError::Unauthorized));
            return;
        }
        let gen = ctx.generation.get_value();
        let slot = page_slot.get_value();
        loading.set(true);
        leptos::task::spawn_local(async move {
            let answer = client.list_logs(&rid, &v.api_query(page, per_page), Some(&slot)).await;
            app.observe(&answer);
            if !ctx.current(gen) {
                return;
            }
            loading.set(false);
            match answer {
                Err(ApiError::Aborted) => {}
                Err(e) => error.set(Some(e)),
                Ok(p) => {
                    store.update_value(|s| {
                        s.clear();
                        s.append(p.items);
                    });
                    total.set(p.meta.total);
                    meta.set(Some(p.meta));
                    error.set(None);
                    ctx.bump();
                    // A search in the URL lands on its first match on this page.
                    jump_to_first_match();
                }
            }
        });
    };
    Effect::new(move |_| {
        fetch_key.track();
        app.connection.track();
        ctx.stop_work();
        mode.set(Mode::Paged);
        fetch_page();
    });

    // Level filter and search apply to what is loaded, without a request.
    Effect::new(move |prev_q: Option<String>| {
        let (levels, q) = view_state.with(|v| (v.levels.clone(), v.q.clone()));
        store.update_value(|s| {
            s.set_levels(levels);
            s.set_query(&q);
        });
        ctx.bump();
        // A new search term jumps to its first match, as a browser's find does.
        if prev_q.as_ref() != Some(&q) {
            jump_to_first_match();
        }
        q
    });
    let current_row = Signal::derive(move || {
        version.track();
        current.get().and_then(|n| store.with_value(|s| s.match_row(n)))
    });
    let goto_match = move |forward: bool| {
        let next = store.with_value(|s| step_match(current.get_untracked(), s.match_count(), forward));
        current.set(next);
        if let Some(row) = next.and_then(|n| store.with_value(|s| s.match_row(n))) {
            request_scroll(row);
        }
    };

    // The entry of `?log=`: scrolled to once when it is loaded, else fetched on its own.
    let lone = RwSignal::new(None::<(String, Result<FlowRunLog, ApiError>)>);
    let scrolled_for = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        version.track();
        let Some(lid) = view_state.with(|v| v.log.clone()) else {
            scrolled_for.set_value(None);
            return;
        };
        if let Some(pos) = store.with_value(|s| s.position_of(&lid)) {
            if scrolled_for.with_value(|s| s.as_deref() != Some(lid.as_str())) {
                scrolled_for.set_value(Some(lid));
                request_scroll(pos);
            }
            return;
        }
        if store.with_value(|s| s.get(&lid).is_some()) || lone.with_untracked(|l| l.as_ref().is_some_and(|(id, _)| *id == lid)) {
            return;
        }
        // Not loaded: fetch it alone (once per id).
        let client = app.client();
        if client.credential.is_none() {
            return;
        }
        lone.set(Some((lid.clone(), Err(ApiError::Aborted))));
        let rid = run_id.get_untracked();
        leptos::task::spawn_local(async move {
            let answer = client.get_log(&rid, &lid).await;
            app.observe(&answer);
            lone.try_set(Some((lid, answer)));
        });
    });
    let select = Callback::new(move |id: String| {
        scrolled_for.set_value(Some(id.clone()));
        go.run((LogsView { log: Some(id), ..view_state.get_untracked() }, true));
    });
    let close = Callback::new(move |_| go.run((LogsView { log: None, ..view_state.get_untracked() }, true)));

    // Keyboard: `/` focuses search, Escape closes the entry.
    // Not in a script widget: the host page's keys are the host's.
    let in_widget = browser::widget_app_url().is_some();
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if in_widget {
            return;
        }
        let in_input = browser::typing_in_field(&ev);
        match ev.key().as_str() {
            "/" if !in_input && !ev.ctrl_key() && !ev.meta_key() => {
                if let Some(el) = browser::element_by_id("log-search") {
                    ev.prevent_default();
                    let _ = el.focus();
                }
            }
            "Escape" if !in_input && view_state.with_untracked(|v| v.log.is_some()) => close.run(()),
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());

    let time = Signal::derive(move || TimeShown {
        zone: app.zone.get(),
        offsets_from: view_state.with(|v| v.offsets).then(|| run.with(|r| r.as_ref().and_then(|r| r.started_at_ms))).flatten(),
    });
    let visible_len = Memo::new(move |_| {
        version.track();
        store.with_value(LogStore::visible_len)
    });
    let wrap_allowed = move || visible_len.get() <= 2_000;
    let wrap = Signal::derive(move || view_state.with(|v| v.wrap) && wrap_allowed());
    let selected = Signal::derive(move || view_state.with(|v| v.log.clone()));
    let follow = Signal::derive(move || tail.get() == Tail::Following);
    let is_running = Memo::new(move |_| run.with(|r| r.as_ref().is_some_and(|r| r.status == Some(RunStatus::Running))));

    let back = move || browser::app_href(&format!("/runs/{}", crate::api::query::encode_component(&run_id.get())));
    let page_href = Callback::new(move |n: u64| {
        LogsView { page: n.min(u64::from(u32::MAX)) as u32, log: None, ..view_state.get_untracked() }.href(&run_id.get_untracked())
    });
    let retry = Callback::new(move |_| fetch_page());

    view! {
        <section class="page logs-page">
            <p class="crumbs"><a href=back>"← Run #"{move || run_id.get()}</a></p>
            <div class="page-head">
                <h1>"Logs of run #"{move || run_id.get()}</h1>
                <span class="run-state">{move || run.with(|r| r.as_ref().and_then(|r| r.status.as_ref().map(|s| s.label())))}</span>
            </div>
            {move || parsed.with(|(_, notices)| (!notices.is_empty()).then(|| view! {
                <ul class="notice" role="status">{notices.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}</ul>
            }))}
            <Toolbar ctx view=view_state go current goto_match=Callback::new(move |f: bool| goto_match(f)) wrap_allowed=Signal::derive(wrap_allowed)/>
            <LoadBar ctx is_running/>
            {move || error.get().map(|e| view! { <ErrorView error=e on_retry=retry/> })}
            <div class="log-view" class:with-detail=move || selected.with(Option::is_some) aria-busy=move || loading.get().to_string()>
                {move || {
                    let empty = visible_len.get() == 0 && !loading.get() && error.with(Option::is_none);
                    empty.then(|| {
                        let any = store.with_value(|s| !s.is_empty());
                        view! { <p class="empty-state">{if any { "No entries at the chosen levels." } else { "No log entries." }}</p> }
                    })
                }}
                <LogList store version time wrap selected current=current_row scroll_to follow on_select=select/>
            </div>
            {move || (mode.get() == Mode::Paged).then(|| meta.get().map(|m| view! {
                <div class="table-foot">
                    <Pager meta=m.clone() href=page_href/>
                    <label class="inline">"Per page "
                        <select name="per_page" prop:value=move || view_state.with(|v| v.per_page.to_string())
                            on:change=move |ev| {
                                let n = event_target_value(&ev).parse().unwrap_or(crate::url_state::LOG_PAGE_SIZE);
                                go.run((LogsView { per_page: n, page: 1, log: None, ..view_state.get_untracked() }, false));
                            }>
                            {PAGE_SIZES.into_iter().map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                        </select>
                    </label>
                    {m.total.map(|t| view! { <span class="total">{format!("{} entries", group_thousands(t))}</span> })}
                </div>
            }))}
            <Detail ctx lone on_close=close/>
        </section>
    }
}

/// Step and level filters, search with match navigation, time and wrap, exports.
#[component]
fn Toolbar(
    ctx: Ctx,
    view: Memo<LogsView>,
    go: Callback<(LogsView, bool)>,
    current: RwSignal<Option<usize>>,
    goto_match: Callback<bool>,
    wrap_allowed: Signal<bool>,
) -> impl IntoView {
    let Ctx { store, version, run, mode, run_id, .. } = ctx;
    let set = move |f: &dyn Fn(&mut LogsView), replace: bool| {
        let mut v = view.get_untracked();
        f(&mut v);
        go.run((v, replace));
    };
    let counts = Memo::new(move |_| {
        version.track();
        store.with_value(LogStore::counts)
    });
    let matches = Memo::new(move |_| {
        version.track();
        store.with_value(|s| (s.query().is_empty(), s.match_count()))
    });
    let scope = move || if mode.with(|m| *m == Mode::Paged) { "on this page" } else { "loaded" };
    let export = move |jsonl: bool| {
        let text = store.with_value(|s| s.rows().map(|e| if jsonl { json_line(e) } else { text_line(e) }).collect::<String>());
        let name = format!("run-{}-logs.{}", run_id.get_untracked(), if jsonl { "jsonl" } else { "txt" });
        browser::download_text(&name, if jsonl { "application/x-ndjson" } else { "text/plain;charset=utf-8" }, &text);
    };
    view! {
        // Two rows, the one whose content arrives with the data (steps, level counts) below
        // the one that never changes, so nothing below the toolbar jumps when data comes.
        <div class="log-toolbar">
            <div class="log-toolbar-row">
                <div class="log-search">
                    <input id=crate::nav::id("log-search") type="search" placeholder="Search loaded entries  ( / )" aria-label="Search loaded entries"
                        prop:value=move || view.with(|v| v.q.clone())
                        on:input=move |ev| { let q = event_target_value(&ev); set(&|v| v.q = q.clone(), true); }
                        on:keydown=move |ev: web_sys::KeyboardEvent| if ev.key() == "Enter" { ev.prevent_default(); goto_match.run(!ev.shift_key()); }/>
                    <span class="match-count" aria-live="polite">{move || {
                        let (blank, m) = matches.get();
                        if blank { String::new() } else if m == 0 { "no match".into() } else {
                            match current.get() { Some(c) => format!("match {} of {}", group_thousands(c as u64 + 1), group_thousands(m as u64)), None => format!("{} matches", group_thousands(m as u64)) }
                        }
                    }}</span>
                    <button type="button" class="button" title="Previous match (Shift+Enter)" on:click=move |_| goto_match.run(false)>"↑"</button>
                    <button type="button" class="button" title="Next match (Enter)" on:click=move |_| goto_match.run(true)>"↓"</button>
                </div>
                <label class="inline">"Time "
                    <select id=crate::nav::id("log-time") prop:value=move || if view.with(|v| v.offsets) { "run" } else { "clock" }
                        on:change=move |ev| { let run = event_target_value(&ev) == "run"; set(&|v| v.offsets = run, true); }>
                        <option value="clock">"clock"</option>
                        <option value="run">"since run start"</option>
                    </select>
                </label>
                <label class="check" title=move || if wrap_allowed.get() { "Show long messages whole" } else { "Wrapping needs 2,000 rows or fewer; open an entry to read it whole" }>
                    <input type="checkbox" id=crate::nav::id("log-wrap") prop:checked=move || view.with(|v| v.wrap) disabled=move || !wrap_allowed.get()
                        on:change=move |ev| { let w = event_target_checked(&ev); set(&|v| v.wrap = w, true); }/>
                    "Wrap"
                </label>
                <div class="exports">
                    <button type="button" class="button" id=crate::nav::id("export-txt") title="Download the entries shown as text, made in your browser" on:click=move |_| export(false)>".txt"</button>
                    <button type="button" class="button" id=crate::nav::id("export-jsonl") title="Download the entries shown as JSON Lines, made in your browser" on:click=move |_| export(true)>".jsonl"</button>
                </div>
            </div>
            <div class="log-toolbar-row">
                <label class="inline">"Step "
                    <select class="log-step-filter" id=crate::nav::id("log-step") prop:value=move || view.with(|v| v.step.first().cloned().unwrap_or_default())
                        on:change=move |ev| {
                            let s = event_target_value(&ev);
                            set(&|v| { v.step = if s.is_empty() { Vec::new() } else { vec![s.clone()] }; v.page = 1; v.log = None; }, false);
                        }>
                        <option value="">"All steps"</option>
                        {move || run.with(|r| r.as_ref().map(|r| r.steps.iter().map(|s| {
                            let label = s.name.clone().map(|n| format!("{n} ({})", s.id)).unwrap_or_else(|| s.id.clone());
                            view! { <option value=s.id.clone()>{label}</option> }
                        }).collect_view()))}
                        // A step of the URL that the run does not list still shows.
                        {move || view.with(|v| v.step.first().cloned()).filter(|id| !run.with(|r| r.as_ref().is_some_and(|r| r.steps.iter().any(|s| s.id == *id))))
                            .map(|id| view! { <option value=id.clone()>{format!("step {id}")}</option> })}
                    </select>
                </label>
                <div class="level-chips" role="group" aria-label="Levels">
                    {move || counts.get().into_iter().filter_map(|(level, n)| level.map(|l| (l, n))).map(|(level, n)| {
                        let on = view.with(|v| v.levels.contains(&level));
                        let class = format!("chip level-chip lvl-{}", css_level(level.label()));
                        let l = level.clone();
                        view! {
                            <button type="button" class=class class:on=on aria-pressed=on.to_string()
                                on:click=move |_| set(&|v| { if !v.levels.remove(&l) { v.levels.insert(l.clone()); } }, true)>
                                {level.label().to_string()}" "<span class="count">{group_thousands(n as u64)}</span>
                            </button>
                        }
                    }).collect_view()}
                    {move || view.with(|v| !v.levels.is_empty()).then(|| view! {
                        <button type="button" class="link-button" on:click=move |_| set(&|v| v.levels.clear(), true)>"all levels"</button>
                    })}
                    <span class="scope">{scope}</span>
                </div>
            </div>
        </div>
    }
}

/// Load all (with its cost first when large), progress and cancel, live tail, server download.
#[component]
fn LoadBar(ctx: Ctx, is_running: Memo<bool>) -> impl IntoView {
    let Ctx { app, mode, tail, total, store, version, run_id, .. } = ctx;
    let confirm = RwSignal::new(false);
    let download = RwSignal::new(None::<Result<String, String>>);
    let per_minute = app.config.with_value(|c| c.requests_per_minute);
    let background = ((f64::from(per_minute) * BACKGROUND_SHARE).floor() as u32).max(1);
    let start = move || {
        confirm.set(false);
        ctx.load_all(false);
    };
    let ask = move || {
        let pages = total.get_untracked().map(|t| t.div_ceil(u64::from(LOAD_PER_PAGE))).unwrap_or(0);
        if pages > CONFIRM_PAGES {
            confirm.set(true);
        } else {
            start();
        }
    };
    let queue = move || {
        let client = app.client();
        let rid = run_id.get_untracked();
        download.set(Some(Ok("Asking the server…".into())));
        leptos::task::spawn_local(async move {
            let answer = client.queue_download(&rid).await;
            app.observe(&answer);
            download.try_set(Some(match answer {
                Ok(o) => Ok(o.message.unwrap_or_else(|| "Queued. The file will appear in Patchworks under File Downloads.".into())),
                Err(e) => Err(e.message()),
            }));
        });
    };
    let loaded = move || {
        version.track();
        store.with_value(LogStore::len) as u64
    };
    view! {
        <div class="load-bar">
            {move || match mode.get() {
                Mode::Paged => view! {
                    <button type="button" class="button primary" id=crate::nav::id("load-all") on:click=move |_| ask()>
                        {move || match total.get() { Some(t) => format!("Load all {} entries", group_thousands(t)), None => "Load all entries".into() }}
                    </button>
                    {move || is_running.get().then(|| view! { <span class="hint">"The run is still running: once everything is loaded, new entries are followed live."</span> })}
                }.into_any(),
                Mode::Loading { pages_done, pages } => {
                    let of = total.get().unwrap_or(0);
                    view! {
                        <progress id=crate::nav::id("load-progress") max=pages.max(1).to_string() value=pages_done.to_string()></progress>
                        <span class="progress-text" aria-live="polite">{move || format!("Loading: page {} of {} · {} of {} entries",
                            group_thousands(u64::from(pages_done)), group_thousands(u64::from(pages)), group_thousands(loaded()), group_thousands(of))}</span>
                        <button type="button" class="button" id=crate::nav::id("load-cancel") on:click=move |_| ctx.cancel()>"Cancel"</button>
                    }.into_any()
                }
                Mode::All => view! {
                    <span class="loaded-all" id=crate::nav::id("loaded-all")>{move || format!("All {} entries loaded.", group_thousands(loaded()))}</span>
                    {move || match tail.get() {
                        Tail::Following => Some(view! { <span class="live-tail" id=crate::nav::id("live-tail")>"● Following live: new entries appear at the bottom."</span> }.into_any()),
                        Tail::Ended => Some(view! { <span class="live-tail ended" id=crate::nav::id("live-tail")>"The run has finished; live tail stopped."</span> }.into_any()),
                        Tail::Off => None,
                    }}
                    <button type="button" class="link-button" on:click=move |_| ctx.load_all(false)>"reload"</button>
                }.into_any(),
                Mode::Stopped(why) => view! {
                    <span class="notice load-stopped" role="status">{why}</span>
                    <button type="button" class="button" id=crate::nav::id("load-resume") on:click=move |_| ctx.load_all(true)>"Resume"</button>
                }.into_any(),
            }}
            <button type="button" class="link-button" id=crate::nav::id("server-download") title="The server prepares the whole log as a file (Patchworks → File Downloads)" on:click=move |_| queue()>"Server-side download…"</button>
            {move || download.get().map(|d| match d {
                Ok(m) => view! { <span class="download-note" role="status">{m}</span> }.into_any(),
                Err(m) => view! { <span class="download-note error" role="alert">{m}</span> }.into_any(),
            })}
        </div>
        {move || confirm.get().then(|| {
            let entries = total.get_untracked().unwrap_or(0);
            let cost = load_cost(entries, background);
            view! {
                <div class="confirm load-confirm" role="dialog" aria-label="Load every entry?">
                    <p>{format!(
                        "Loading all {} entries takes {} requests: {} at this app's request budget ({} background requests a minute), {} at the API's limit of 240 a minute. The list stays usable while it loads, and you can cancel.",
                        group_thousands(entries), group_thousands(cost.requests), minutes_text(cost.minutes_at_budget), background, minutes_text(cost.minutes_at_api)
                    )}</p>
                    <p>"The server can prepare the whole log as a file instead (it appears in Patchworks under File Downloads)."</p>
                    <button type="button" class="button primary" id=crate::nav::id("load-confirm") on:click=move |_| start()>"Load all"</button>
                    <button type="button" class="button" on:click=move |_| { confirm.set(false); queue(); }>"Queue the server download"</button>
                    <button type="button" class="button" on:click=move |_| confirm.set(false)>"Cancel"</button>
                </div>
            }
        })}
    }
}

/// What the entry pane shows (compared, so loads and live tail that bump the list's version
/// do not rebuild the pane and its JSON trees).
#[derive(Clone, PartialEq)]
enum DetailShown {
    Entry(Box<FlowRunLog>, Option<String>),
    Failed(String),
    Loading,
}

/// The entry of `?log=`, from the loaded entries or fetched on its own.
#[component]
fn Detail(ctx: Ctx, lone: RwSignal<Option<(String, Result<FlowRunLog, ApiError>)>>, on_close: Callback<()>) -> impl IntoView {
    let Ctx { app, store, version, view, run_id, mode, .. } = ctx;
    let shown = Memo::new(move |_| {
        version.track();
        let lid = view.with(|v| v.log.clone())?;
        if let Some(e) = store.with_value(|s| s.get(&lid).cloned()) {
            let hidden = store.with_value(|s| s.position_of(&lid).is_none());
            let note = hidden.then(|| "The level filter hides this entry in the list.".to_string());
            return Some((lid, DetailShown::Entry(Box::new(e), note)));
        }
        let where_ = if mode.with(|m| *m == Mode::Paged) { "on this page" } else { "among the loaded entries" };
        let what = match lone.get() {
            Some((id, Ok(e))) if id == lid => DetailShown::Entry(
                Box::new(e),
                Some(format!("This entry is not {where_}; it was fetched on its own. Load all to see it in context.")),
            ),
            Some((id, Err(e))) if id == lid && !matches!(e, ApiError::Aborted) => DetailShown::Failed(e.message()),
            _ => DetailShown::Loading,
        };
        Some((lid, what))
    });
    move || {
        let (lid, what) = shown.get()?;
        let permalink = LogsView { log: Some(lid.clone()), ..LogsView::default() }.href(&run_id.get());
        let zone = app.zone.get();
        Some(match what {
            DetailShown::Entry(e, Some(note)) => view! { <LogDetail entry=*e zone permalink note on_close/> }.into_any(),
            DetailShown::Entry(e, None) => view! { <LogDetail entry=*e zone permalink on_close/> }.into_any(),
            DetailShown::Failed(message) => view! {
                <section class="log-detail"><p class="error">{format!("Entry #{lid}: {message}")}</p>
                <button type="button" class="button" on:click=move |_| on_close.run(())>"Close"</button></section>
            }
            .into_any(),
            DetailShown::Loading => {
                view! { <p class="loading log-detail" aria-busy="true">{format!("Loading entry #{lid}…")}</p> }.into_any()
            }
        })
    }
}
