//! `/runs/:id/logs`: composition of the log page (its work is in `loader`).

mod detail;
pub mod file;
mod file_read;
mod load_bar;
mod loader;
mod toolbar;

use crate::api::{ApiError, FlowRunLog, RunStatus};
use crate::browser;
use crate::components::log_list::LogList;
use crate::components::pager::group_thousands;
use crate::components::{ErrorView, Pager};
use crate::logs::step_match;
use crate::state::use_app;
use crate::url_state::{LogsView, PAGE_SIZES};
use detail::Detail;
use leptos::prelude::*;
use load_bar::LoadBar;
use loader::{Ctx, Mode, Tail};
use toolbar::Toolbar;

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

    let ctx = Ctx::new(app, run_id, view_state);
    // Leaving aborts the requests in flight (the page's tasks end with it anyway).
    on_cleanup(move || ctx.stop_work());
    let Ctx { store, version, mode, tail, run, meta, error, loading, skipped, .. } = ctx;

    // The run: its steps for the filter, its start for offsets, its status for live tail. A
    // task of this effect: another run (or connection) ends the old request.
    Effect::new(move |_| {
        let rid = run_id.get();
        app.connection.track();
        run.set(None);
        let client = app.client().background();
        if client.credential.is_none() {
            return;
        }
        crate::tasks::spawn(async move {
            if let Ok(r) = client.get_run(&rid, &["flowVersion.steps"], None).await {
                run.set(Some(r));
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
    Effect::new(move |_| {
        // Read, not only tracked: a memo that is never read is never recomputed, and a stale
        // memo does not tell this effect about the next change (the step filter stopped here).
        fetch_key.with(|_| ());
        app.connection.track();
        ctx.fetch_page();
    });
    // A search in the URL lands on its first match on a page that has just arrived.
    Effect::new(move |_| {
        if meta.with(Option::is_some) {
            jump_to_first_match();
        }
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
        // A task of the page, not of this effect (which runs again at every redraw of a load).
        ctx.scope.spawn(async move {
            let answer = client.get_log(&rid, &lid).await;
            app.observe(&answer);
            lone.set(Some((lid, answer)));
        });
    });
    let select = Callback::new(move |id: String| {
        scrolled_for.set_value(Some(id.clone()));
        go.run((LogsView { log: Some(id), ..view_state.get_untracked() }, true));
    });
    // Closing an entry puts focus back on the list it was opened from.
    let log_view = NodeRef::<leptos::html::Div>::new();
    let close = Callback::new(move |_| {
        go.run((LogsView { log: None, ..view_state.get_untracked() }, true));
        if let Some(list) = log_view.get_untracked().and_then(|d| d.query_selector(".log-scroll").ok().flatten()) {
            let _ = wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlElement>(list).focus();
        }
    });

    // Keyboard: `/` focuses search, Escape closes the entry.
    // Not in a script widget: the host page's keys are the host's.
    let in_widget = browser::widget_app_url().is_some();
    let files_open = !in_widget && !browser::embedded();
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

    let time = ctx.time_shown();
    let visible_len = ctx.visible_len();
    let wrap_allowed = move || visible_len.get() <= 2_000;
    let wrap = Signal::derive(move || view_state.with(|v| v.wrap) && wrap_allowed());
    let selected = Signal::derive(move || view_state.with(|v| v.log.clone()));
    let follow = Signal::derive(move || tail.get() == Tail::Following);
    let is_running = Memo::new(move |_| run.with(|r| r.as_ref().is_some_and(|r| r.status == Some(RunStatus::Running))));

    let back = move || browser::app_href(&crate::url_state::run_href(&run_id.get()));
    let page_href = Callback::new(move |n: u64| {
        LogsView { page: n.min(u64::from(u32::MAX)) as u32, log: None, ..view_state.get_untracked() }.href(&run_id.get_untracked())
    });
    let retry = Callback::new(move |_| ctx.fetch_page());

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
            // A log file dropped here opens on the file page (not in a widget or an embed route:
            // they have no such page).
            <div class="log-view" node_ref=log_view class:with-detail=move || selected.with(Option::is_some) aria-busy=move || loading.get().to_string()
                on:dragover=move |ev: web_sys::DragEvent| if files_open { ev.prevent_default() }
                on:drop=move |ev: web_sys::DragEvent| if files_open { if let Some(f) = file::dropped_file(&ev) { file::open_dropped(nav, f) } }>
                {move || {
                    let empty = visible_len.get() == 0 && !loading.get() && error.with(Option::is_none);
                    empty.then(|| {
                        let any = store.with_value(|s| !s.is_empty());
                        // An empty server page past the end (a bookmark kept while a log
                        // shrank, or an answer contradicting itself): point to the last one.
                        let past = (!any && mode.with(|m| *m == Mode::Paged))
                            .then(|| meta.with(|m| m.as_ref().map(|m| (m.last_page, m.total))))
                            .flatten()
                            .and_then(|(last, total)| view_state.with(|v| crate::url_state::page_past_the_last(v.page, v.per_page, last, total)));
                        if let Some(last) = past {
                            return view! {
                                <p class="empty-state past-last">
                                    {format!("Page {} is past the last page of this log. ", view_state.with(|v| v.page))}
                                    <a id=crate::nav::id("to-last-page") href=crate::browser::app_href(&page_href.run(u64::from(last)))>{format!("Go to page {last}")}</a>
                                </p>
                            }.into_any();
                        }
                        view! { <p class="empty-state">{if any { "No entries at the chosen levels." } else { "No log entries." }}</p> }.into_any()
                    })
                }}
                <LogList store version time wrap selected current=current_row scroll_to follow on_select=select/>
            </div>
            // Below the list: it appears with data, so it moves nothing that is already shown.
            {move || (skipped.get() > 0).then(|| view! {
                <p class="notice entries-skipped" role="status">
                    {format!("{} entries could not be read (not entries, or nested too deep) and are not shown; the rest are.", group_thousands(skipped.get() as u64))}
                </p>
            })}
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
