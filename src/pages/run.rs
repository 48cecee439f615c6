use crate::api::{ApiError, FlowRun, Slot};
use crate::components::{ErrorView, StatusBadge, Timestamp};
use crate::state::use_app;
use crate::time::format_duration_ms;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

const RUN_INCLUDES: [&str; 3] = ["flow", "flowVersion", "retriedFlowRun"];

/// `/runs/:id`: one run's summary.
#[component]
pub fn RunPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let slot = Slot::default();
    let run = LocalResource::new(move || {
        let client = app.client();
        let id = id.get();
        let slot = slot.clone();
        async move {
            if client.credential.is_none() {
                return Err(ApiError::Unauthorized);
            }
            let result = client.get_run(&id, &RUN_INCLUDES, Some(&slot)).await;
            app.observe(&result);
            result.map(|r| (r, crate::browser::now_ms()))
        }
    });
    let retry = Callback::new(move |_| run.refetch());
    view! {
        <section class="page run-page">
            <p class="crumbs"><a href="/runs">"← Runs"</a></p>
            <h1>"Run #"{move || id.get()}</h1>
            {move || match run.get() {
                None | Some(Err(ApiError::Aborted)) => view! { <p class="loading" aria-busy="true">"Loading the run…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorView error=e on_retry=retry/> }.into_any(),
                Some(Ok((r, now))) => view! { <RunSummary run=r now_ms=now/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn RunSummary(run: FlowRun, now_ms: i64) -> impl IntoView {
    let app = use_app();
    let zone = app.zone.get_untracked();
    let dash = || "–".to_string();
    let logs_href = format!("/runs/{}/logs", run.id);
    view! {
        <dl class="summary">
            <dt>"Status"</dt><dd><StatusBadge status=run.status.clone()/></dd>
            <dt>"Flow"</dt><dd>{run.flow_name.clone().unwrap_or_else(dash)}{run.flow_id.clone().map(|id| format!(" (id {id})"))}</dd>
            <dt>"Version"</dt><dd>{run.flow_version.clone().or(run.flow_version_id.clone()).unwrap_or_else(dash)}</dd>
            <dt>"Trigger"</dt><dd>{run.trigger.as_ref().map(|t| t.as_api().to_string()).unwrap_or_else(dash)}</dd>
            <dt>"Started"</dt><dd><Timestamp ms=run.started_at_ms zone now_ms/></dd>
            <dt>"Finished"</dt><dd><Timestamp ms=run.finished_at_ms zone now_ms/></dd>
            <dt>"Duration"</dt><dd>{run.duration_ms.map(format_duration_ms).unwrap_or_else(dash)}</dd>
            <dt>"Warnings"</dt><dd>{match run.has_warnings { Some(true) => "yes", Some(false) => "no", None => "–" }}</dd>
            <dt>"Retry of"</dt><dd>{run.retry_of.clone().map(|id| view! { <a href=format!("/runs/{id}")>"#"{id.clone()}</a> }.into_any()).unwrap_or_else(|| "–".into_any())}</dd>
            <dt>"Retried as"</dt><dd>{if run.retried_as.is_empty() { "–".into_any() } else {
                run.retried_as.iter().map(|l| view! { <a href=format!("/runs/{}", l.id)>"#"{l.id.clone()}</a>" " }).collect_view().into_any()
            }}</dd>
        </dl>
        {run.summary.clone().map(|s| view! { <h2>"Summary"</h2><pre class="run-summary-text">{s}</pre> })}
        <p><a class="button" href=logs_href>"Open the logs"</a></p>
    }
}
