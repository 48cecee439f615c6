//! `/logs/file`: a log file opened in this browser (chosen, or dropped here or on a run's log
//! view), shown with the log page's toolbar, list and entry pane. Levels, step, search, the
//! entry and the time mode are in the URL as on a run's log page; the entries are not.

use super::detail::Detail;
use super::file_read::{read, Outcome, Reading};
use super::loader::{Ctx, Mode};
use super::toolbar::Toolbar;
use crate::browser;
use crate::components::log_list::LogList;
use crate::components::pager::group_thousands;
use crate::format::format_bytes;
use crate::logs::{step_match, LogStore};
use crate::state::use_app;
use crate::tasks::Task;
use crate::url_state::LogsView;
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::JsCast;

thread_local! {
    /// A file dropped on a run's log view, for the file page it opens next.
    static DROPPED: RefCell<Option<web_sys::File>> = const { RefCell::new(None) };
}

/// The first file a drop carries, if any (the drop's default, opening it, prevented).
pub fn dropped_file(ev: &web_sys::DragEvent) -> Option<web_sys::File> {
    ev.prevent_default();
    ev.data_transfer()?.files()?.get(0)
}

/// Opens a dropped file on the file page.
pub fn open_dropped(nav: crate::nav::Nav, file: web_sys::File) {
    DROPPED.with(|d| *d.borrow_mut() = Some(file));
    nav.navigate(crate::url_state::LOG_FILE_PATH, false);
}

/// `/logs/file`.
#[component]
pub fn LogFilePage() -> impl IntoView {
    let app = use_app();
    let nav = crate::nav::use_nav();
    let here = nav.location_for(crate::nav::View::LogFile);
    let view_state = Memo::new(move |_| {
        let pairs = here.with(|l| crate::nav::query_of(l));
        LogsView::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).0
    });
    let go = Callback::new(move |(v, replace): (LogsView, bool)| nav.navigate(&crate::url_state::log_file_href(&v), replace));
    let name = RwSignal::new(String::new());
    let ctx = Ctx::new(app, Memo::new(move |_| name.get()), view_state);
    ctx.mode.set(Mode::File);
    let Ctx { store, version, run, .. } = ctx;
    let reading = RwSignal::new(None::<Reading>);
    let outcome = RwSignal::new(None::<Outcome>);
    let task = StoredValue::new(None::<Task>);
    let open = move |file: web_sys::File| {
        if let Some(t) = task.try_update_value(Option::take).flatten() {
            t.stop();
        }
        name.set(file.name());
        outcome.set(None);
        run.set(None);
        store.update_value(LogStore::clear);
        ctx.bump();
        task.set_value(ctx.scope.spawn(read(file, ctx, reading, outcome)));
    };
    if let Some(file) = DROPPED.with(|d| d.borrow_mut().take()) {
        open(file);
    }
    let cancel = move |_| {
        if let Some(t) = task.try_update_value(Option::take).flatten() {
            t.stop();
        }
        reading.set(None);
        let n = store.with_value(LogStore::len) as u64;
        outcome.set(Some(Outcome { summary: format!("Reading cancelled after {} entries.", group_thousands(n)), ..Outcome::default() }));
    };

    let current = RwSignal::new(None::<usize>);
    let scroll_to = RwSignal::new(None::<(usize, u64)>);
    let nonce = StoredValue::new(0u64);
    let show_match = move |n: Option<usize>| {
        current.set(n);
        if let Some(row) = n.and_then(|n| store.with_value(|s| s.match_row(n))) {
            nonce.update_value(|n| *n += 1);
            scroll_to.set(Some((row, nonce.get_value())));
        }
    };
    // Levels, step and search apply to the entries read, and to those still to come.
    Effect::new(move |prev_q: Option<String>| {
        let (levels, step, q) = view_state.with(|v| (v.levels.clone(), v.step.first().cloned(), v.q.clone()));
        store.update_value(|s| {
            s.set_levels(levels);
            s.set_step(step);
            s.set_query(&q);
        });
        ctx.bump();
        if prev_q.as_ref() != Some(&q) {
            show_match(store.with_value(|s| s.match_from(0)));
        }
        q
    });
    let goto_match =
        Callback::new(move |forward: bool| show_match(store.with_value(|s| step_match(current.get_untracked(), s.match_count(), forward))));
    let current_row = Signal::derive(move || {
        version.track();
        current.get().and_then(|n| store.with_value(|s| s.match_row(n)))
    });
    let select = Callback::new(move |id: String| go.run((LogsView { log: Some(id), ..view_state.get_untracked() }, true)));
    let close = Callback::new(move |_| go.run((LogsView { log: None, ..view_state.get_untracked() }, true)));
    let time = ctx.time_shown();
    let visible_len = ctx.visible_len();
    let wrap_allowed = Signal::derive(move || visible_len.get() <= 2_000);
    let wrap = Signal::derive(move || view_state.with(|v| v.wrap) && wrap_allowed.get());
    let selected = Signal::derive(move || view_state.with(|v| v.log.clone()));
    let lone = RwSignal::new(None);

    let dragging = RwSignal::new(false);
    let choose = move |ev: leptos::ev::Event| {
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(file) = input.as_ref().and_then(|i| i.files()).and_then(|f| f.get(0)) {
            open(file);
        }
        // The same file chosen again is a change again.
        if let Some(i) = input {
            i.set_value("");
        }
    };
    view! {
        <section class="page logs-page log-file-page" class:dropping=move || dragging.get()
            on:dragover=move |ev: web_sys::DragEvent| { ev.prevent_default(); dragging.set(true); }
            on:dragleave=move |_| dragging.set(false)
            on:drop=move |ev: web_sys::DragEvent| { dragging.set(false); if let Some(f) = dropped_file(&ev) { open(f); } }>
            <p class="crumbs"><a href=browser::app_href("/runs")>"← Runs"</a></p>
            <div class="page-head"><h1>{move || name.with(|n| if n.is_empty() { "Open a log file".to_string() } else { n.clone() })}</h1></div>
            <div class="load-bar file-bar">
                <label class="button primary" for=crate::nav::id("log-file-input")>"Open a file…"</label>
                <input type="file" class="file-input" id=crate::nav::id("log-file-input") on:change=choose/>
                {move || match reading.get() {
                    Some(r) => view! {
                        <progress id=crate::nav::id("file-progress") max=r.of.unwrap_or(0).max(1).to_string() value=r.read.min(r.of.unwrap_or(u64::MAX)).to_string()></progress>
                        <span class="progress-text" aria-live="polite">{move || format!("Reading: {}{} · {} entries", format_bytes(r.read),
                            r.of.map(|o| format!(" of {}", format_bytes(o))).unwrap_or_default(), { version.track(); group_thousands(store.with_value(LogStore::len) as u64) })}</span>
                        <button type="button" class="button" id=crate::nav::id("file-cancel") on:click=cancel>"Cancel"</button>
                    }.into_any(),
                    None => view! { <span class="hint">"…or drop one here: .jsonl, .txt, .json, .csv, or any of them gzipped. It is read in this browser; nothing is uploaded."</span> }.into_any(),
                }}
            </div>
            {move || outcome.get().map(|o| view! {
                <div class="file-outcome">
                    <p class="loaded-all" id=crate::nav::id("file-done")>{o.summary}</p>
                    {o.error.map(|e| view! { <p class="error" role="alert" id=crate::nav::id("file-error")>{e}</p> })}
                    {(!o.notes.is_empty()).then(|| view! {
                        <ul class="notice" role="status" id=crate::nav::id("file-notes")>{o.notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                    })}
                </div>
            })}
            <Toolbar ctx view=view_state go current goto_match wrap_allowed/>
            <div class="log-view" class:with-detail=move || selected.with(Option::is_some) aria-busy=move || reading.with(Option::is_some).to_string()>
                {move || (visible_len.get() == 0 && reading.with(Option::is_none)).then(|| {
                    let text = if store.with_value(LogStore::is_empty) { "No file open: choose one, or drop it here." } else { "No entries at the chosen levels and step." };
                    view! { <p class="empty-state">{text}</p> }
                })}
                <LogList store version time wrap selected current=current_row scroll_to follow=Signal::derive(|| false) on_select=select/>
            </div>
            <Detail ctx lone on_close=close/>
        </section>
    }
}
