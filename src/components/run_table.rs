use super::{StatusBadge, Timestamp};
use crate::api::{FlowRun, RunSort, RunStatus};
use crate::time::{format_duration_ms, Zone};
use leptos::prelude::*;
use std::collections::HashSet;

/// The run list as a table. Every text from the API is rendered as text.
///
/// Rows are keyed by run id (`<For>`): a refresh updates the cells of a run in place, so a
/// row keeps its element, and with it keyboard focus and an open failure summary. With
/// `on_open`, a row opens its run on click or Enter; with `expanded`, failed runs expand in
/// place to their warnings and errors (kept across refreshes by run id; fetched on opening,
/// through the app's client); with `sort`, the Started header sorts; with `selected`, each
/// row has a checkbox that adds its run to (or takes it from) the selection for a
/// comparison, in the order chosen.
#[component]
pub fn RunTable(
    #[prop(into)] runs: Signal<Vec<FlowRun>>,
    #[prop(into)] zone: Signal<Zone>,
    #[prop(into)] now_ms: Signal<i64>,
    #[prop(optional)] on_open: Option<Callback<String>>,
    #[prop(optional)] expanded: Option<RwSignal<HashSet<String>>>,
    #[prop(optional)] sort: Option<(Signal<RunSort>, Callback<()>)>,
    #[prop(optional)] selected: Option<RwSignal<Vec<String>>>,
) -> impl IntoView {
    // The page, each id once, computed once per new page; rows find their run in it. (Read
    // through `runs` itself, a derived signal clones the whole page on every read: 100 rows
    // each reading it cloned 10,000 runs per page, a third of the time to build the table.)
    let page = Memo::new(move |_| runs.with(|rs| unique_by_id(rs)));
    let row = move |first: FlowRun| {
        let id = first.id.clone();
        // This row's run in the latest page (the same run, perhaps in a new state).
        let run = {
            let id = id.clone();
            Memo::new(move |_| page.with(|rs| rs.iter().find(|r| r.id == id).cloned()).unwrap_or_else(|| first.clone()))
        };
        let is_open = {
            let id = id.clone();
            move || expanded.is_some_and(|e| e.with(|set| set.contains(&id)))
        };
        let toggle = {
            let id = id.clone();
            move |ev: leptos::ev::MouseEvent| {
                ev.stop_propagation();
                if let Some(e) = expanded {
                    e.update(|set| {
                        if !set.remove(&id) {
                            set.insert(id.clone());
                        }
                    });
                }
            }
        };
        // A memo: a refresh that changes nothing else neither rebuilds nor refetches the summary.
        let failed = Memo::new(move |_| {
            run.with(|r| matches!(r.status, Some(RunStatus::Failure | RunStatus::PartialSuccess)) && r.problem_count != Some(0))
        });
        let summary_id = id.clone();
        let open_id = id.clone();
        let open = move || {
            if let Some(cb) = on_open {
                cb.run(open_id.clone());
            }
        };
        let open2 = open.clone();
        let expander = {
            let is_open = is_open.clone();
            let label = format!("Warnings and errors of run #{id}");
            move || {
                (failed.get() && expanded.is_some()).then(|| {
                    let (is_open, is_open2) = (is_open.clone(), is_open.clone());
                    view! {
                        <button type="button" class="expander" aria-expanded=move || is_open().to_string() title="Show the failure summary" aria-label=label.clone() on:click=toggle.clone()>
                            {move || if is_open2() { "▾" } else { "▸" }}
                        </button>
                    }
                })
            }
        };
        // The summary's entries are fetched when it opens (the list asks only how many).
        let summary = move || {
            (failed.get() && is_open()).then(|| {
                let count = run.with_untracked(|r| r.problem_count);
                view! { <super::failure_summary::FailureSummary run_id=summary_id.clone() count/> }
            })
        };
        let href = crate::browser::app_href(&crate::url_state::run_href(&id));
        let select = selected.map(|sel| {
            let (id, id2) = (id.clone(), id.clone());
            view! {
                <input type="checkbox" class="select-run" aria-label=format!("Select run {id} for comparison")
                    prop:checked=move || sel.with(|s| s.contains(&id2))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        sel.update(|s| {
                            s.retain(|x| x != &id);
                            if on {
                                s.push(id.clone());
                            }
                        })
                    }/>" "
            }
        });
        let dash = || "–".to_string();
        view! {
            <tr data-run-id=id.clone() tabindex=on_open.map(|_| "0") class:clickable=on_open.is_some()
                on:click=move |ev: leptos::ev::MouseEvent| {
                    // Links and buttons in the row do their own thing.
                    let inner = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok());
                    if inner.is_none_or(|el| el.closest("a, button, input").ok().flatten().is_none()) {
                        open()
                    }
                }
                // Enter on the row itself (not on its link, checkbox or expander, which bubble here).
                on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" && !in_input(&ev) && ev.target() == ev.current_target() { open2() }>
                <td class="col-id">{select}<a href=href>"#"{id.clone()}</a></td>
                // Two reactive parts around the status cell (whose expander keeps its own
                // state): a new state of the run rebuilds these cells, never the row itself.
                {move || run.with(|r| view! {
                    <td class="col-flow">{r.flow_name.clone().or_else(|| r.flow_id.clone().map(|id| format!("Flow {id}"))).unwrap_or_else(dash)}</td>
                    <td class="col-version">{r.flow_version.clone().or_else(|| r.flow_version_id.clone()).unwrap_or_else(dash)}</td>
                })}
                <td class="col-status">{expander}{move || view! { <StatusBadge status=run.with(|r| r.status.clone())/> }}</td>
                {move || run.with(|r| view! {
                    <td class="col-trigger">{r.trigger.as_ref().map(|t| t.as_api().to_string()).unwrap_or_else(dash)}</td>
                    <td class="col-started"><Timestamp ms=r.started_at_ms zone now_ms/></td>
                    <td class="col-duration">{r.duration_ms.map(format_duration_ms).unwrap_or_else(dash)}</td>
                    <td class="col-warnings">{match r.has_warnings {
                        Some(true) => view! { <span class="warn-flag" title="This run logged warnings">"⚠ yes"</span> }.into_any(),
                        Some(false) => view! { <span class="muted">"no"</span> }.into_any(),
                        None => view! { <span class="muted">"–"</span> }.into_any(),
                    }}</td>
                    <td class="col-retry">
                        {r.retry_of.clone().map(|id| view! { <a href=crate::browser::app_href(&crate::url_state::run_href(&id))>"retry of #"{id.clone()}</a> })}
                        " "
                        {r.retried_as.iter().map(|l| view! { <a href=crate::browser::app_href(&crate::url_state::run_href(&l.id))>"retried as #"{l.id.clone()}</a> }).collect_view()}
                    </td>
                })}
            </tr>
            {summary}
        }
    };
    // Its own horizontal scroll on narrow screens and at high zoom (the page never scrolls sideways).
    view! {
        <div class="table-scroll">
        <table class="runs">
            <RunTableHead sort/>
            <tbody>
                // Keys must be unique: a page that lists a run twice shows it once.
                <For each=move || page.get() key=|r: &FlowRun| r.id.clone() children=row/>
            </tbody>
        </table>
        </div>
    }
}

/// Whether a key went to a field of the row (its checkbox), not the row itself.
fn in_input(ev: &leptos::ev::KeyboardEvent) -> bool {
    ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()).is_some()
}

/// The runs in order, each id once (the first).
fn unique_by_id(runs: &[FlowRun]) -> Vec<FlowRun> {
    let mut seen = HashSet::new();
    runs.iter().filter(|r| seen.insert(r.id.as_str())).cloned().collect()
}

#[component]
fn RunTableHead(#[prop(optional_no_strip)] sort: Option<(Signal<RunSort>, Callback<()>)>) -> impl IntoView {
    let started = match sort {
        Some((s, cb)) => {
            let says = move || match s.get() {
                RunSort::NewestFirst => ("▼", "descending", "Newest first; click for oldest first"),
                RunSort::OldestFirst => ("▲", "ascending", "Oldest first; click for newest first"),
            };
            view! {
                <th scope="col" aria-sort=move || says().1>
                    <button type="button" class="sort" id=crate::nav::id("sort-started") title=move || says().2 on:click=move |_| cb.run(())>"Started "{move || says().0}</button>
                </th>
            }
            .into_any()
        }
        None => view! { <th scope="col">"Started"</th> }.into_any(),
    };
    view! {
        <thead>
            <tr>
                <th scope="col">"Run"</th>
                <th scope="col">"Flow"</th>
                <th scope="col">"Version"</th>
                <th scope="col">"Status"</th>
                <th scope="col">"Trigger"</th>
                {started}
                <th scope="col">"Duration"</th>
                <th scope="col">"Warnings"</th>
                <th scope="col">"Retries"</th>
            </tr>
        </thead>
    }
}

/// Grey placeholder rows while the first page loads: one cell whose background draws them
/// (10 or 25 rows high), not 225 cells built on the way to the first request's answer.
#[component]
pub fn RunTableSkeleton(rows: u32) -> impl IntoView {
    let class = if rows <= 10 { "skeleton-rows rows-10" } else { "skeleton-rows" };
    view! {
        <div class="table-scroll">
        <table class="runs skeleton" aria-busy="true">
            <RunTableHead sort=None/>
            <tbody>
                <tr><td colspan="9"><div class=class></div></td></tr>
            </tbody>
        </table>
        </div>
    }
}
