//! The log page's toolbar: search with match navigation, time and wrap, exports, step and
//! level filters.

use super::loader::{Ctx, Mode};
use crate::browser;
use crate::components::log_list::css_level;
use crate::components::pager::group_thousands;
use crate::logs::{export_file_name, json_line, text_line, LogStore};
use crate::url_state::LogsView;
use leptos::prelude::*;

/// Step and level filters, search with match navigation, time and wrap, exports.
#[component]
pub fn Toolbar(
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
    let scope = move || match mode.get() {
        Mode::Paged => "on this page",
        Mode::File => "in this file",
        _ => "loaded",
    };
    let export = move |jsonl: bool| {
        let text = store.with_value(|s| s.rows().map(|e| if jsonl { json_line(e) } else { text_line(e) }).collect::<String>());
        let name = export_file_name(&run_id.get_untracked(), if jsonl { "jsonl" } else { "txt" });
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
                // Not in a widget or an embed route, which have no file page.
                {move || (mode.get() != Mode::File && browser::widget_app_url().is_none() && !browser::embedded()).then(|| view! {
                    <a class="open-file" id=crate::nav::id("open-file") href=browser::app_href(crate::url_state::LOG_FILE_PATH)
                        title="Open a downloaded log file (or drop one on the list); it is read in this browser, nothing is uploaded">"Open a file…"</a>
                })}
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
