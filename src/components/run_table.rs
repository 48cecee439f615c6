use super::{StatusBadge, Timestamp};
use crate::api::{FlowRun, RunSort, RunStatus};
use crate::time::{format_duration_ms, Zone};
use leptos::prelude::*;
use std::collections::HashSet;

/// The run list as a table. Every text from the API is rendered as text.
///
/// With `on_open`, a row opens its run on click or Enter; with `expanded`, failed runs
/// expand in place to their warnings and errors (kept across refreshes by run id); with
/// `sort`, the Started header sorts.
#[component]
pub fn RunTable(
    runs: Vec<FlowRun>,
    zone: Zone,
    now_ms: i64,
    #[prop(optional)] on_open: Option<Callback<String>>,
    #[prop(optional)] expanded: Option<RwSignal<HashSet<String>>>,
    #[prop(optional)] sort: Option<(RunSort, Callback<()>)>,
) -> impl IntoView {
    let rows = runs
        .into_iter()
        .map(|run| {
            let href = crate::url_state::run_href(&run.id);
            let flow = run.flow_name.clone().or_else(|| run.flow_id.clone().map(|id| format!("Flow {id}"))).unwrap_or_else(|| "–".into());
            let version = run.flow_version.clone().or_else(|| run.flow_version_id.clone()).unwrap_or_else(|| "–".into());
            let trigger = run.trigger.as_ref().map(|t| t.as_api().to_string()).unwrap_or_else(|| "–".into());
            let duration = run.duration_ms.map(format_duration_ms).unwrap_or_else(|| "–".into());
            let warnings = match run.has_warnings {
                Some(true) => view! { <span class="warn-flag" title="This run logged warnings">"⚠ yes"</span> }.into_any(),
                Some(false) => view! { <span class="muted">"no"</span> }.into_any(),
                None => view! { <span class="muted">"–"</span> }.into_any(),
            };
            let retry_of = run.retry_of.clone().map(|id| view! { <a href=crate::browser::app_href(&crate::url_state::run_href(&id))>"retry of #"{id.clone()}</a> });
            let retried_as =
                run.retried_as.iter().map(|l| view! { <a href=crate::browser::app_href(&crate::url_state::run_href(&l.id))>"retried as #"{l.id.clone()}</a> }).collect_view();
            let failed = matches!(run.status, Some(RunStatus::Failure | RunStatus::PartialSuccess)) && !run.problems.is_empty();
            let id = run.id.clone();
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
            let expander = (failed && expanded.is_some()).then(|| {
                let is_open2 = is_open.clone();
                let is_open = is_open.clone();
                view! {
                    <button type="button" class="expander" aria-expanded=move || is_open().to_string() title="Show the failure summary" on:click=toggle>
                        {move || if is_open2() { "▾" } else { "▸" }}
                    </button>
                }
            });
            let open_id = id.clone();
            let open = move || {
                if let Some(cb) = on_open {
                    cb.run(open_id.clone());
                }
            };
            let open2 = open.clone();
            let summary = failed.then(|| {
                let problems = run.problems.clone();
                let is_open = is_open.clone();
                move || {
                    is_open().then(|| {
                        view! {
                            <tr class="failure-summary">
                                <td colspan="9">
                                    <ul>
                                        {problems.iter().take(10).map(|p| view! {
                                            <li>
                                                <span class=format!("level level-{}", p.level.as_ref().map(|l| l.label().to_ascii_lowercase()).unwrap_or_default())>
                                                    {p.level.as_ref().map(|l| l.label().to_string()).unwrap_or_else(|| "?".into())}
                                                </span>" "
                                                {p.step_name.clone().map(|s| view! { <b class="step">{s}": "</b> })}
                                                <span class="message">{p.message.chars().take(500).collect::<String>()}</span>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                </td>
                            </tr>
                        }
                    })
                }
            });
            view! {
                <tr data-run-id=run.id.clone() tabindex=on_open.map(|_| "0") class:clickable=on_open.is_some()
                    on:click=move |ev: leptos::ev::MouseEvent| {
                        // Links and buttons in the row do their own thing.
                        let inner = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok());
                        if inner.is_none_or(|el| el.closest("a, button").ok().flatten().is_none()) {
                            open()
                        }
                    }
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { open2() }>
                    <td class="col-id"><a href=crate::browser::app_href(&href)>"#"{run.id.clone()}</a></td>
                    <td class="col-flow">{flow}</td>
                    <td class="col-version">{version}</td>
                    <td class="col-status">{expander}<StatusBadge status=run.status.clone()/></td>
                    <td class="col-trigger">{trigger}</td>
                    <td class="col-started"><Timestamp ms=run.started_at_ms zone now_ms/></td>
                    <td class="col-duration">{duration}</td>
                    <td class="col-warnings">{warnings}</td>
                    <td class="col-retry">{retry_of}" "{retried_as}</td>
                </tr>
                {summary}
            }
        })
        .collect_view();
    view! {
        <table class="runs">
            <RunTableHead sort/>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn RunTableHead(#[prop(optional_no_strip)] sort: Option<(RunSort, Callback<()>)>) -> impl IntoView {
    let started = match sort {
        Some((s, cb)) => {
            let (arrow, aria, title) = match s {
                RunSort::NewestFirst => ("▼", "descending", "Newest first; click for oldest first"),
                RunSort::OldestFirst => ("▲", "ascending", "Oldest first; click for newest first"),
            };
            view! {
                <th scope="col" aria-sort=aria>
                    <button type="button" class="sort" id=crate::nav::id("sort-started") title=title on:click=move |_| cb.run(())>"Started "{arrow}</button>
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

/// Grey placeholder rows while the first page loads.
#[component]
pub fn RunTableSkeleton(rows: u32) -> impl IntoView {
    view! {
        <table class="runs skeleton" aria-busy="true">
            <RunTableHead sort=None/>
            <tbody>
                {(0..rows.min(100))
                    .map(|_| view! { <tr>{(0..9).map(|_| view! { <td><span class="skeleton-bar"></span></td> }).collect_view()}</tr> })
                    .collect_view()}
            </tbody>
        </table>
    }
}
