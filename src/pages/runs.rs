use crate::api::{ApiError, FlowRun, Page, RunSort, RunStatus, Slot};
use crate::browser;
use crate::components::pager::group_thousands;
use crate::components::FailureGroups;
use crate::components::{ErrorView, FilterBar, Pager, RunTable, RunTableSkeleton, SavedViews, StatusChart};
use crate::nav::use_nav;
use crate::state::use_app;
use crate::time::format_datetime;
use crate::url_state::{RunsView, PAGE_SIZES};
use leptos::prelude::*;
use std::collections::HashSet;

/// What the table shows: the page, when it was fetched, and for which view.
#[derive(Clone)]
struct Shown {
    page: Page<FlowRun>,
    at_ms: i64,
    view: RunsView,
}

/// What the body of the run list shows.
#[derive(Clone, PartialEq)]
enum Body {
    Connect,
    Failed(ApiError),
    Skeleton,
    /// No rows; `past`: the page asked for lies past the last one, which is this.
    Empty {
        filtered: bool,
        past: Option<u32>,
    },
    Table,
}

/// `/runs`: URL → `RunsView` → API query → page of runs → table.
#[component]
pub fn RunsPage() -> impl IntoView {
    let app = use_app();
    let default_per_page = app.config.with_value(|c| c.page_size);
    let refresh_ms = app.config.with_value(|c| c.refresh_seconds) * 1000;
    let nav = use_nav();
    let here = nav.location_for(crate::nav::View::Runs);
    let parsed = Memo::new(move |_| {
        let pairs = here.with(|l| crate::nav::query_of(l));
        RunsView::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), default_per_page)
    });
    let view_state = Memo::new(move |_| parsed.with(|(v, _)| v.clone()));

    let go = Callback::new(move |(v, replace): (RunsView, bool)| nav.navigate(&v.href(default_per_page), replace));

    // Data: the last good page stays on screen while a newer one loads or a refresh fails.
    let shown = RwSignal::new(None::<Shown>);
    let error = RwSignal::new(None::<ApiError>);
    let loading = RwSignal::new(false);
    let refresh_error = RwSignal::new(None::<ApiError>);
    let expanded = RwSignal::new(HashSet::<String>::new());
    let live_on = RwSignal::new(false);
    // Runs ticked for a comparison, in the order ticked (kept across pages and filters).
    let selected = RwSignal::new(Vec::<String>::new());
    let slot = StoredValue::new_local(Slot::default());
    let scope = crate::tasks::Scope::here();

    // One request for the page the URL names; answers whether it got one. Foreground fetches
    // run as tasks of this page; the live refresh awaits its own inside its poll.
    let request = move |background: bool| {
        let v = view_state.get_untracked();
        let client = if background { app.client().background() } else { app.client() };
        let ready = client.credential.is_some();
        if !ready {
            // Nothing to ask with; nor may an older request (made with a credential since
            // dropped) land after this and show its page.
            slot.with_value(Slot::cancel);
            loading.set(false);
            error.set(Some(ApiError::Unauthorized));
        } else if !background {
            loading.set(true);
        }
        let now = browser::now_ms();
        let q = v.api_query(now, browser::zone_offset(app.zone.get_untracked(), now));
        let slot = slot.get_value();
        async move {
            if !ready {
                return false;
            }
            let result = client.list_runs(&q, Some(&slot)).await;
            app.observe(&result);
            match result {
                Ok(page) => {
                    // For benchmarks (their phase table): the answer is decoded; its rows are
                    // in the DOM (the next frame, before its layout); they are painted (the
                    // frame after).
                    browser::mark("frc:runs-decoded");
                    shown.set(Some(Shown { page, at_ms: browser::now_ms(), view: v }));
                    error.set(None);
                    refresh_error.set(None);
                    loading.set(false);
                    request_animation_frame(|| {
                        browser::mark("frc:runs-table");
                        request_animation_frame(|| browser::mark("frc:runs-painted"));
                    });
                    true
                }
                Err(ApiError::Aborted) => true,
                Err(e) if background => {
                    refresh_error.set(Some(e));
                    false
                }
                Err(e) => {
                    error.set(Some(e));
                    loading.set(false);
                    false
                }
            }
        }
    };
    // Its first step runs at once (`spawn_now`): the request goes out before the rest of the
    // page is built (on a cold load) or updated (after a change of filters).
    let fetch = move || {
        let answer = request(false);
        scope.spawn_now(async move {
            answer.await;
        });
    };

    Effect::new(move |_| app.runs_href.set(view_state.with(|v| v.href(default_per_page))));

    // The first page is asked for now, before the rest of the page is built (effects run only
    // once the whole app is mounted); every later change of view (or of the connection, or
    // of the zone for day filters) fetches again.
    fetch();
    // What that request was made with: the effect's first run fetches again if any of it
    // changed in between (a widget's token function answers in the first microtask).
    let made_with = (view_state.get_untracked(), app.connection.get_untracked(), app.zone.get_untracked());
    Effect::new(move |first_run_done: Option<()>| {
        let now = (view_state.get(), app.connection.get(), app.zone.get());
        if first_run_done.is_some() || now != made_with {
            fetch();
        }
    });

    // Live refresh: while a shown run is running, or when turned on; paused while the tab is
    // hidden; backing off after failures; stopped when the page goes away.
    let any_running =
        Memo::new(move |_| shown.with(|s| s.as_ref().is_some_and(|s| s.page.items.iter().any(|r| r.status == Some(RunStatus::Running)))));
    let live = Memo::new(move |_| live_on.get() || any_running.get());
    scope.poll(refresh_ms, move || {
        let due = live.get_untracked() && !loading.get_untracked() && error.with_untracked(Option::is_none);
        let answer = due.then(|| request(true));
        crate::tasks::asked(answer)
    });

    // Keyboard: `/` focuses search, j/k move between rows, Enter opens (on the row itself).
    // Not in a script widget: the host page's keys are the host's.
    let in_widget = browser::widget_app_url().is_some();
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if in_widget {
            return;
        }
        let target_is_input = browser::typing_in_field(&ev);
        if target_is_input || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        match ev.key().as_str() {
            "/" => {
                if let Some(el) = browser::element_by_id("run-search") {
                    ev.prevent_default();
                    let _ = el.focus();
                }
            }
            k @ ("j" | "k") => move_row_focus(if k == "j" { 1 } else { -1 }),
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());

    let zone = app.zone;
    let on_open = Callback::new(move |id: String| nav.open(&crate::url_state::run_href(&id)));
    let toggle_sort = Callback::new(move |_| {
        let mut v = view_state.get_untracked();
        v.sort = match v.sort {
            RunSort::NewestFirst => RunSort::OldestFirst,
            RunSort::OldestFirst => RunSort::NewestFirst,
        };
        v.page = 1;
        go.run((v, false));
    });
    let page_href = Callback::new(move |n: u64| {
        RunsView { page: n.min(u64::from(u32::MAX)) as u32, ..view_state.get_untracked() }.href(default_per_page)
    });
    let retry = { Callback::new(move |_| fetch()) };
    // What the page's body is; the table's branch stays built while pages of rows replace
    // each other (their rows keyed by run id).
    let body = Memo::new(move |_| {
        if let Some(e) = error.get() {
            if matches!(e, ApiError::Unauthorized) && app.connection.with(|c| c.credential.is_none()) {
                return Body::Connect;
            }
            return Body::Failed(e);
        }
        match shown.with(|s| s.as_ref().map(|s| s.page.items.is_empty())) {
            None => Body::Skeleton,
            Some(true) => {
                let past = shown.with(|s| {
                    s.as_ref().and_then(|s| {
                        let m = &s.page.meta;
                        crate::url_state::page_past_the_last(s.view.page, s.view.per_page, m.last_page, m.total)
                    })
                });
                Body::Empty { filtered: view_state.with(RunsView::is_filtered), past }
            }
            Some(false) => Body::Table,
        }
    });
    let rows = Signal::derive(move || shown.with(|s| s.as_ref().map(|s| s.page.items.clone()).unwrap_or_default()));
    let at_ms = Signal::derive(move || shown.with(|s| s.as_ref().map_or(0, |s| s.at_ms)));
    let shown_sort = Signal::derive(move || shown.with(|s| s.as_ref().map(|s| s.view.sort).unwrap_or_default()));
    let cleared = move || RunsView { sort: view_state.with(|v| v.sort), ..RunsView::new(view_state.with(|v| v.per_page)) };

    view! {
        <section class="page runs-page">
            <div class="page-head">
                <h1>"Flow runs"</h1>
                <div class="live">
                    <label class="check" title="Refresh the table every few seconds with the same filters">
                        <input type="checkbox" id=crate::nav::id("live-toggle") prop:checked=move || live_on.get() on:change=move |ev| live_on.set(event_target_checked(&ev))/>
                        "Live"
                    </label>
                    // Announced: what a new page brought (not the time of every refresh).
                    <span class="sr-only runs-announce" role="status">
                        {move || shown.with(|s| s.as_ref().map(|s| format!("{} runs loaded", s.page.items.len())))}
                    </span>
                    <span class="updated">
                        {move || shown.with(|s| s.as_ref().map(|s| {
                            let t = format_datetime(s.at_ms, browser::zone_offset(zone.get(), s.at_ms));
                            let state = if live.get() { "live, updated " } else { "updated " };
                            format!("{state}{}", t.get(11..19).unwrap_or(&t))
                        }))}
                    </span>
                </div>
            </div>
            <FilterBar view=view_state on_change=go zone=zone/>
            <StatusChart view=view_state on_change=go hold=loading/>
            {(!browser::embedded()).then(|| view! {
                <SavedViews current_href=Signal::derive(move || view_state.with(|v| RunsView { page: 1, ..v.clone() }.href(default_per_page)))/>
            })}
            {move || parsed.with(|(_, notices)| (!notices.is_empty()).then(|| view! {
                <ul class="notice" role="status">{notices.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}</ul>
            }))}
            {move || refresh_error.get().map(|e| view! {
                <p class="notice refresh-failed" role="status">{format!("Refresh failed: {} Showing the last good page; trying again later.", e.message())}</p>
            })}
            {move || match body.get() {
                Body::Connect => view! {
                    <div class="empty-state">
                        <p>"Connect to the Patchworks API to see flow runs."</p>
                        <a class="button primary" href=crate::browser::app_href("/settings")>"Set up the connection"</a>
                    </div>
                }.into_any(),
                Body::Failed(e) => view! { <ErrorView error=e on_retry=retry/> }.into_any(),
                Body::Skeleton => view! { <RunTableSkeleton rows=view_state.with_untracked(|v| v.per_page.min(25))/> }.into_any(),
                Body::Empty { past: Some(last), .. } => view! {
                    <div class="empty-state past-last" aria-busy=move || loading.get().to_string()>
                        <p>{move || format!("Page {} is past the last page of these runs.", view_state.with(|v| v.page))}</p>
                        <a class="button primary" id=crate::nav::id("to-last-page") href=crate::browser::app_href(&page_href.run(u64::from(last)))>
                            {format!("Go to page {last}")}
                        </a>
                    </div>
                }.into_any(),
                Body::Empty { filtered, past: None } => view! {
                    <div class="empty-state" aria-busy=move || loading.get().to_string()>
                        <p>"No runs match."</p>
                        {filtered.then(|| view! { <button type="button" class="button" on:click=move |_| go.run((cleared(), false))>"Clear filters"</button> })}
                    </div>
                }.into_any(),
                // Built once while there are rows: a new page updates the rows in place.
                Body::Table => view! {
                    {move || {
                        let skipped = shown.with(|s| s.as_ref().map_or(0, |s| s.page.skipped));
                        (skipped > 0).then(|| view! { <p class="notice">{format!("{skipped} entries of this page could not be read and are not shown.")}</p> })
                    }}
                    <div class:stale=move || shown.with(|s| s.as_ref().is_some_and(|s| s.view != view_state.get())) aria-busy=move || loading.get().to_string()>
                        <RunTable runs=rows zone=zone now_ms=at_ms on_open expanded sort=(shown_sort, toggle_sort) selected/>
                    </div>
                    <div class="table-foot">
                        <CompareBar selected/>
                        {move || shown.with(|s| s.as_ref().map(|s| s.page.meta.clone())).map(|meta| view! { <Pager meta href=page_href/> })}
                        <label class="inline">"Per page "
                            <select name="per_page" prop:value=move || view_state.with(|v| v.per_page.to_string())
                                on:change=move |ev| {
                                    let n = event_target_value(&ev).parse().unwrap_or(default_per_page);
                                    go.run((RunsView { per_page: n, page: 1, ..view_state.get_untracked() }, false));
                                }>
                                {PAGE_SIZES.into_iter().map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                            </select>
                        </label>
                        {move || shown.with(|s| s.as_ref().and_then(|s| s.page.meta.total)).map(|t| view! { <span class="total">{format!("{} runs", group_thousands(t))}</span> })}
                    </div>
                }.into_any(),
            }}
            // Below the table: its results never move the rows.
            <FailureGroups view=view_state/>
        </section>
    }
}

/// Below the table: "Compare" once exactly two runs are ticked (the first ticked is A).
#[component]
fn CompareBar(selected: RwSignal<Vec<String>>) -> impl IntoView {
    move || {
        selected.with(|s| match s.as_slice() {
            [] => None,
            [a, b] => crate::url_state::compare_href(a, b).map(|h| {
                view! { <a class="button primary" id=crate::nav::id("compare-selected") href=browser::app_href(&h)>{format!("Compare #{a} and #{b}")}</a> }.into_any()
            }),
            [_] => Some(view! { <span class="muted compare-hint">"Tick one more run to compare"</span> }.into_any()),
            _ => Some(view! { <span class="muted compare-hint">"Tick exactly two runs to compare"</span> }.into_any()),
        })
    }
}

/// Moves keyboard focus to the next (`1`) or previous (`-1`) run row.
fn move_row_focus(step: i32) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(rows) = doc.query_selector_all("table.runs tbody tr[data-run-id]") else { return };
    let n = rows.length() as i32;
    if n == 0 {
        return;
    }
    let active = doc.active_element();
    let current = (0..n).find(|i| rows.item(*i as u32).is_some_and(|r| active.as_ref().is_some_and(|a| a.is_same_node(Some(&r)))));
    let next = match current {
        Some(i) => (i + step).clamp(0, n - 1),
        None if step > 0 => 0,
        None => n - 1,
    };
    if let Some(el) = rows.item(next as u32).and_then(|r| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(r).ok()) {
        let _ = el.focus();
    }
}
