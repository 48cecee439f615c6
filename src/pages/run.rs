use crate::api::{ApiError, FlowRun, RunStatus, Slot};
use crate::browser;
use crate::components::{ErrorView, RunActions, StatusBadge, StepsPanel, Timestamp};
use crate::format::format_bytes;
use crate::state::use_app;
use crate::time::format_duration_ms;
use leptos::prelude::*;

/// Not `errorWarningLogs`: unbounded on the real API, and the page does not show them (the
/// steps panel reads the log itself).
const RUN_INCLUDES: [&str; 8] =
    ["flow", "flowVersion.steps", "retriedFlowRun", "trackedData", "cpuTime", "payloadSize", "operationsSent", "operationsReceived"];

/// `/runs/:id`: one run's summary and actions; refreshes itself while the run is running.
#[component]
pub fn RunPage() -> impl IntoView {
    let app = use_app();
    let nav = crate::nav::use_nav();
    let here = nav.location_for(crate::nav::View::Run);
    let id = Memo::new(move |_| here.with(|l| crate::nav::run_id_of(l)));
    let slot = StoredValue::new_local(Slot::default());
    let run = RwSignal::new(None::<Result<(FlowRun, i64), ApiError>>);
    let perform = crate::components::run_actions::perform(move || app.client());
    let outcome = perform.value();
    let scope = crate::tasks::Scope::here();
    // One request for the run; answers whether it got one.
    let request = move |background: bool| {
        let client = if background { app.client().background() } else { app.client() };
        let id = id.get_untracked();
        let ready = client.credential.is_some();
        if !ready {
            run.set(Some(Err(ApiError::Unauthorized)));
        }
        let slot = slot.get_value();
        async move {
            if !ready {
                return false;
            }
            let result = client.get_run(&id, &RUN_INCLUDES, Some(&slot)).await;
            app.observe(&result);
            let ok = result.is_ok();
            match result {
                Err(ApiError::Aborted) => {}
                // A failed background refresh keeps what is shown.
                Err(_) if background && run.with_untracked(|r| matches!(r, Some(Ok(_)))) => {}
                other => run.set(Some(other.map(|r| (r, browser::now_ms())))),
            }
            ok
        }
    };
    let load = move |background: bool| {
        let answer = request(background);
        scope.spawn(async move {
            answer.await;
        });
    };
    Effect::new(move |_| {
        id.with(|_| ());
        app.connection.track();
        run.set(None);
        outcome.set(None);
        load(false);
    });
    // While the run is running, refresh it; the poll ends with the page.
    let running = Memo::new(move |_| run.with(|r| matches!(r, Some(Ok((f, _))) if f.status == Some(RunStatus::Running))));
    scope.poll(app.config.with_value(|c| c.refresh_seconds) * 1000, move || {
        let answer = running.get_untracked().then(|| request(true));
        crate::tasks::asked(answer)
    });

    let steps_of = Memo::new(move |_| {
        run.with(|r| match r {
            Some(Ok((f, _))) => Some(FlowRun {
                id: f.id.clone(),
                steps: f.steps.clone(),
                started_at_ms: f.started_at_ms,
                finished_at_ms: f.finished_at_ms,
                ..FlowRun::default()
            }),
            _ => None,
        })
    });
    // What the actions offer depends on the run and its state only: a refresh of a running run
    // that changes neither must not rebuild them (it closed an open Stop confirmation).
    let for_actions = Memo::new(move |_| {
        run.with(|r| match r {
            // And what "Compare with previous run" needs (it does not change either).
            Some(Ok((f, _))) => Some(FlowRun {
                id: f.id.clone(),
                flow_name: f.flow_name.clone(),
                flow_id: f.flow_id.clone(),
                started_at_ms: f.started_at_ms,
                status: f.status.clone(),
                ..FlowRun::default()
            }),
            _ => None,
        })
    });
    let back = move || browser::app_href(&app.runs_href.get());
    // Read-only in an embed, in any frame (a framing page must not get clicks on retry or
    // stop), and in a read-only widget.
    let read_only = browser::embedded() || browser::framed() || use_context::<crate::state::ReadOnly>().is_some_and(|r| r.0);
    let retry = Callback::new(move |_| load(false));
    // A retry or stop changes the run: show its new state.
    Effect::new(move |_| {
        if outcome.with(|o| matches!(o, Some((_, Ok(_))))) {
            load(true);
        }
    });
    view! {
        <section class="page run-page">
            <p class="crumbs"><a href=back>"← Runs"</a></p>
            <h1>"Run #"{move || id.get()} <CopyLink/></h1>
            // Embedded views are read-only.
            {move || (!read_only).then(|| for_actions.get().map(|r| view! { <RunActions run=r perform/> }))}
            {move || for_actions.get().map(|r| view! { <super::compare::ComparePrevious run=r/> })}
            {move || match run.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading the run…"</p> }.into_any(),
                Some(Err(ApiError::NotFound)) => view! {
                    <div class="empty-state not-found">
                        <p>{format!("There is no run #{} (it may never have existed, or its logs have expired after 7 days).", id.get())}</p>
                        <a class="button" href=back>"Back to the run list"</a>
                    </div>
                }.into_any(),
                Some(Err(e)) => view! { <ErrorView error=e on_retry=retry/> }.into_any(),
                Some(Ok((r, now))) => view! { <RunSummary run=r now_ms=now/> }.into_any(),
            }}
            // Built once per run and state of its steps, not at every refresh of a running run
            // (which would end its loading before it could finish).
            {move || steps_of.get().map(|run| view! { <h2>"Steps"</h2><StepsPanel run/> })}
        </section>
    }
}

/// Copies the page's address (no token is ever in it).
#[component]
fn CopyLink() -> impl IntoView {
    let copied = RwSignal::new(false);
    let scope = crate::tasks::Scope::here();
    let copy = move |_| {
        let Some(w) = web_sys::window() else { return };
        let Ok(href) = w.location().href() else { return };
        if !browser::copy_text(&href) {
            return;
        }
        copied.set(true);
        scope.after(2_000, move || copied.set(false));
    };
    view! {
        <button type="button" class="link-button copy-link" title="Copy a link to this run" on:click=copy>
            {move || if copied.get() { "copied" } else { "copy link" }}
        </button>
    }
}

#[component]
fn RunSummary(run: FlowRun, now_ms: i64) -> impl IntoView {
    let app = use_app();
    let zone = app.zone.get_untracked();
    let dash = || "–".to_string();
    let num = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_else(dash);
    let logs_href = crate::browser::app_href(&crate::url_state::logs_href(&run.id, &Default::default()));
    view! {
        <dl class="summary">
            <dt>"Status"</dt><dd><StatusBadge status=run.status.clone()/></dd>
            <dt>"Flow"</dt><dd>{run.flow_name.clone().unwrap_or_else(dash)}{run.flow_id.clone().map(|id| format!(" (id {id})"))}</dd>
            <dt>"Version"</dt><dd>{run.flow_version.clone().or(run.flow_version_id.clone()).unwrap_or_else(dash)}</dd>
            <dt>"Trigger"</dt><dd>{run.trigger.as_ref().map(|t| t.as_api().to_string()).unwrap_or_else(dash)}</dd>
            <dt>"Started"</dt><dd><Timestamp ms=run.started_at_ms zone now_ms/></dd>
            <dt>"Finished"</dt><dd><Timestamp ms=run.finished_at_ms zone now_ms/></dd>
            <dt>"Duration"</dt><dd class="duration">{run.duration_ms.map(format_duration_ms).unwrap_or_else(dash)}
                {run.duration.note().map(|n| view! { " " <span class="hint duration-source">"("{n}")"</span> })}</dd>
            <dt>"CPU time"</dt><dd>{run.cpu_time_ms.map(format_duration_ms).unwrap_or_else(dash)}</dd>
            <dt>"Payload size"</dt><dd>{run.payload_size_bytes.map(format_bytes).unwrap_or_else(dash)}</dd>
            <dt>"Operations"</dt><dd>{format!("{} sent, {} received", num(run.operations_sent), num(run.operations_received))}</dd>
            <dt>"Score"</dt><dd>{run.score.map(|s| format!("{s} (999 is best)")).unwrap_or_else(dash)}</dd>
            <dt>"Starting payloads"</dt><dd>{format!("{}, {}", num(run.starting_payload_count), run.starting_payload_size_bytes.map(format_bytes).unwrap_or_else(dash))}</dd>
            <dt>"Steps with errors"</dt><dd>{num(run.steps_with_errors)}</dd>
            <dt>"Warnings"</dt><dd>{match run.has_warnings { Some(true) => "yes", Some(false) => "no", None => "–" }}</dd>
            <dt>"Retry of"</dt><dd>{run.retry_of.clone().map(|id| view! { <a href=browser::app_href(&crate::url_state::run_href(&id))>"#"{id.clone()}</a> }.into_any()).unwrap_or_else(|| "–".into_any())}</dd>
            <dt>"Retried as"</dt><dd class="retried-as">{if run.retried_as.is_empty() { "–".into_any() } else {
                run.retried_as.iter().map(|l| view! { <a href=browser::app_href(&crate::url_state::run_href(&l.id))>"#"{l.id.clone()}</a>" " }).collect_view().into_any()
            }}</dd>
        </dl>
        {run.summary.clone().map(|s| view! { <h2>"Summary"</h2><pre class="run-summary-text">{s}</pre> })}
        {(!run.tracked.is_empty()).then(|| view! {
            <h2>"Tracked data"</h2>
            <table class="tracked-data">
                <tbody>{run.tracked.iter().map(|(k, v)| view! { <tr><th scope="row">{k.clone()}</th><td>{v.clone()}</td></tr> }).collect_view()}</tbody>
            </table>
        })}
        <p><a class="button" href=logs_href>"Open the logs"</a></p>
    }
}
