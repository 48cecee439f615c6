use super::status_badge::badge;
use super::timestamp::timestamp;
use crate::api::{FlowRun, RunSort, RunStatus};
use crate::browser;
use crate::time::{format_duration_ms, Zone};
use leptos::html::{a, button, input, span, td, tr};
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
///
/// Rows are written with Leptos' builder functions and plain functions for their cells, not
/// `view!` and components: a row has seven reactive parts (expander, summary, checkbox, status,
/// the two groups of cells, the relative start time; a failed run's expander adds its state
/// and arrow) and one text node per text, where the
/// macro's row had ten (each wrapped in a shared closure under `erase_components`), split
/// texts and a component per timestamp and badge. Building 100 rows took about a third less (#16:
/// filter change 39.0 → 29.2 ms against a floor of 19.7 ms).
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
        // A memo: a refresh that changes nothing else neither rebuilds nor refetches the summary.
        let failed = Memo::new(move |_| {
            run.with(|r| matches!(r.status, Some(RunStatus::Failure | RunStatus::PartialSuccess)) && r.problem_count != Some(0))
        });
        let expander = {
            let (is_open, id) = (is_open.clone(), id.clone());
            move || (failed.get() && expanded.is_some()).then(|| expander(&id, is_open.clone(), expanded))
        };
        // The summary's entries are fetched when it opens (the list asks only how many).
        let summary = {
            let id = id.clone();
            move || {
                (failed.get() && is_open()).then(|| {
                    let count = run.with_untracked(|r| r.problem_count);
                    view! { <super::failure_summary::FailureSummary run_id=id.clone() count/> }
                })
            }
        };
        let select = selected.map(|sel| (select_box(&id, sel), " "));
        let open = move |id: &str| {
            if let Some(cb) = on_open {
                cb.run(id.to_string());
            }
        };
        let (click_id, key_id) = (id.clone(), id.clone());
        let row = tr()
            .attr("data-run-id", id.clone())
            .tabindex(on_open.map(|_| "0"))
            .attr("class", on_open.map(|_| "clickable"))
            .on(leptos::ev::click, move |ev: leptos::ev::MouseEvent| {
                // Links and buttons in the row do their own thing.
                let inner = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok());
                if inner.is_none_or(|el| el.closest("a, button, input").ok().flatten().is_none()) {
                    open(&click_id)
                }
            })
            // Enter on the row itself (not on its link, checkbox or expander, which bubble here).
            .on(leptos::ev::keydown, move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Enter" && !in_input(&ev) && ev.target() == ev.current_target() {
                    open(&key_id)
                }
            })
            .child((
                td().class("col-id").child((select, a().href(run_link(&id)).child(format!("#{id}")))),
                // Two reactive parts around the status cell (whose expander keeps its own
                // state): a new state of the run rebuilds these cells, never the row itself.
                move || run.with(flow_cells),
                td().class("col-status").child((expander, move || run.with(|r| badge(r.status.clone())))),
                move || run.with(|r| detail_cells(r, zone.get(), now_ms)),
            ));
        (row, summary)
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

fn run_link(id: &str) -> String {
    browser::app_href(&crate::url_state::run_href(id))
}

fn dash() -> String {
    "–".to_string()
}

/// The flow and version cells.
fn flow_cells(r: &FlowRun) -> impl IntoView {
    let flow = r.flow_name.clone().or_else(|| r.flow_id.clone().map(|id| format!("Flow {id}"))).unwrap_or_else(dash);
    let version = r.flow_version.clone().or_else(|| r.flow_version_id.clone()).unwrap_or_else(dash);
    (td().class("col-flow").child(flow), td().class("col-version").child(version))
}

/// The cells after the status: trigger, start, duration, warnings, retries.
fn detail_cells(r: &FlowRun, zone: Zone, now_ms: Signal<i64>) -> impl IntoView {
    let trigger = r.trigger.as_ref().map(|t| t.as_api().to_string()).unwrap_or_else(dash);
    let (class, title, text) = match r.has_warnings {
        Some(true) => ("warn-flag", Some("This run logged warnings"), "⚠ yes"),
        Some(false) => ("muted", None, "no"),
        None => ("muted", None, "–"),
    };
    let retry_of = r.retry_of.as_deref().map(|id| a().href(run_link(id)).child(format!("retry of #{id}")));
    let retried_as: Vec<_> = r.retried_as.iter().map(|l| a().href(run_link(&l.id)).child(format!("retried as #{}", l.id))).collect();
    (
        td().class("col-trigger").child(trigger),
        td().class("col-started").child(timestamp(r.started_at_ms, zone, now_ms)),
        td().class("col-duration").child(r.duration_ms.map(format_duration_ms).unwrap_or_else(dash)),
        td().class("col-warnings").child(span().class(class).attr("title", title).child(text)),
        td().class("col-retry").child((retry_of, " ", retried_as)),
    )
}

/// The button that opens a failed run's summary in place.
fn expander(
    id: &str,
    is_open: impl Fn() -> bool + Clone + Send + Sync + 'static,
    expanded: Option<RwSignal<HashSet<String>>>,
) -> impl IntoView {
    let id = id.to_string();
    let label = format!("Warnings and errors of run #{id}");
    let open2 = is_open.clone();
    button()
        .r#type("button")
        .class("expander")
        .attr("aria-expanded", move || is_open().to_string())
        .title("Show the failure summary")
        .attr("aria-label", label)
        .on(leptos::ev::click, move |ev: leptos::ev::MouseEvent| {
            ev.stop_propagation();
            if let Some(e) = expanded {
                e.update(|set| {
                    if !set.remove(&id) {
                        set.insert(id.clone());
                    }
                });
            }
        })
        .child(move || if open2() { "▾" } else { "▸" })
}

/// The checkbox that adds a run to (or takes it from) the selection for a comparison.
fn select_box(id: &str, sel: RwSignal<Vec<String>>) -> impl IntoView {
    let (id, id2) = (id.to_string(), id.to_string());
    input()
        .r#type("checkbox")
        .class("select-run")
        .attr("aria-label", format!("Select run {id} for comparison"))
        .prop("checked", move || sel.with(|s| s.contains(&id2)))
        .on(leptos::ev::change, move |ev| {
            let on = event_target_checked(&ev);
            sel.update(|s| {
                s.retain(|x| x != &id);
                if on {
                    s.push(id.clone());
                }
            })
        })
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
