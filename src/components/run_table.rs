use super::{StatusBadge, Timestamp};
use crate::api::FlowRun;
use crate::time::{format_duration_ms, Zone};
use leptos::prelude::*;

/// The run list as a table. Every text from the API is rendered as text.
#[component]
pub fn RunTable(runs: Vec<FlowRun>, zone: Zone, now_ms: i64) -> impl IntoView {
    let rows = runs
        .into_iter()
        .map(|run| {
            let href = format!("/runs/{}", run.id);
            let flow = run.flow_name.clone().or_else(|| run.flow_id.clone().map(|id| format!("Flow {id}"))).unwrap_or_else(|| "–".into());
            let version = run.flow_version.clone().or_else(|| run.flow_version_id.clone()).unwrap_or_else(|| "–".into());
            let trigger = run.trigger.as_ref().map(|t| t.as_api().to_string()).unwrap_or_else(|| "–".into());
            let duration = run.duration_ms.map(format_duration_ms).unwrap_or_else(|| "–".into());
            let warnings = match run.has_warnings {
                Some(true) => view! { <span class="warn-flag" title="This run logged warnings">"⚠ yes"</span> }.into_any(),
                Some(false) => view! { <span class="muted">"no"</span> }.into_any(),
                None => view! { <span class="muted">"–"</span> }.into_any(),
            };
            let retry_of = run
                .retry_of
                .clone()
                .map(|id| view! { <a href=format!("/runs/{id}") title="This run retried run {id}">"retry of #"{id.clone()}</a> });
            let retried_as =
                run.retried_as.iter().map(|l| view! { <a href=format!("/runs/{}", l.id)>"retried as #"{l.id.clone()}</a> }).collect_view();
            view! {
                <tr data-run-id=run.id.clone()>
                    <td class="col-id"><a href=href>"#"{run.id.clone()}</a></td>
                    <td class="col-flow">{flow}</td>
                    <td class="col-version">{version}</td>
                    <td class="col-status"><StatusBadge status=run.status.clone()/></td>
                    <td class="col-trigger">{trigger}</td>
                    <td class="col-started"><Timestamp ms=run.started_at_ms zone now_ms/></td>
                    <td class="col-duration">{duration}</td>
                    <td class="col-warnings">{warnings}</td>
                    <td class="col-retry">{retry_of}" "{retried_as}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="runs">
            <RunTableHead/>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn RunTableHead() -> impl IntoView {
    view! {
        <thead>
            <tr>
                <th scope="col">"Run"</th>
                <th scope="col">"Flow"</th>
                <th scope="col">"Version"</th>
                <th scope="col">"Status"</th>
                <th scope="col">"Trigger"</th>
                <th scope="col">"Started"</th>
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
            <RunTableHead/>
            <tbody>
                {(0..rows.min(100))
                    .map(|_| view! { <tr>{(0..9).map(|_| view! { <td><span class="skeleton-bar"></span></td> }).collect_view()}</tr> })
                    .collect_view()}
            </tbody>
        </table>
    }
}
