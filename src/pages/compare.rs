//! `/compare/:a/:b`: two runs side by side (the differences from `compare`), and the run
//! page's "Compare with previous run of this flow".

use crate::api::{ApiClient, ApiError, FlowRun};
use crate::browser::app_href;
use crate::compare::{align, first_divergence, messages, summary, Message, StepFig, MAX_MESSAGES};
use crate::components::steps_panel::{read_entries, Entries};
use crate::components::{ErrorView, Timestamp};
use crate::state::use_app;
use crate::steps::{aggregate, StepStats};
use crate::url_state::{compare_href, run_href};
use leptos::prelude::*;

/// The run page's includes with `errorWarningLogs` (the messages compared). Unbounded on the
/// real API, so only here, where two runs are asked for on demand, never in a list.
const COMPARE_INCLUDES: [&str; 8] =
    ["flow", "flowVersion.steps", "retriedFlowRun", "errorWarningLogs", "cpuTime", "payloadSize", "operationsSent", "operationsReceived"];

/// One run as the comparison needs it.
#[derive(Clone)]
struct Side {
    run: FlowRun,
    steps: Vec<StepStats>,
    /// Why the step durations are missing, if they are.
    note: Option<String>,
}

/// The run with the run page's includes, then its entries for step figures (up to the steps
/// panel's limit; past it, errors and warnings per step from the run's own list).
async fn load_side(client: ApiClient, id: String) -> Result<Side, ApiError> {
    let run = client.get_run(&id, &COMPARE_INCLUDES, None).await?;
    let (steps, note) = match read_entries(&client, &run.id).await {
        Ok(Entries::All(entries)) => (aggregate(&run.steps, &entries), None),
        other => {
            let why = match other {
                Ok(Entries::TooMany(n)) => format!("it has {n} log entries"),
                Err(e) => e.message(),
                Ok(Entries::All(_)) => String::new(),
            };
            let mut steps = aggregate(&run.steps, &run.problems);
            steps.iter_mut().for_each(|s| (s.first_ms, s.last_ms) = (None, None));
            (steps, Some(format!("Step durations of run #{} are not shown: {why}.", run.id)))
        }
    };
    Ok(Side { run, steps, note })
}

/// `/compare/:a/:b` (and its embed route).
#[component]
pub fn ComparePage() -> impl IntoView {
    let app = use_app();
    let nav = crate::nav::use_nav();
    let here = nav.location_for(crate::nav::View::Compare);
    let ids = Memo::new(move |_| here.with(|l| crate::nav::compare_ids_of(l)).unwrap_or_default());
    let sides = [RwSignal::new(None::<Result<Side, ApiError>>), RwSignal::new(None)];
    let scope = crate::tasks::Scope::here();
    // The loads of the ids shown: new ids (the router keeps this page for "Swap the runs")
    // stop the old ones, so that an older answer never lands on a newer comparison.
    let current = StoredValue::new_local(None::<crate::tasks::Task>);
    let load = move || {
        let (a, b) = ids.get_untracked();
        let client = app.client();
        if let Some(old) = current.try_update_value(|c| c.take()).flatten() {
            old.stop();
        }
        let Some(group) = scope.group() else { return };
        current.set_value(Some(group.clone()));
        for (side, id) in sides.into_iter().zip([a, b]) {
            side.set(None);
            if client.credential.is_none() {
                side.set(Some(Err(ApiError::Unauthorized)));
                continue;
            }
            let client = client.clone();
            group.spawn(async move {
                let result = load_side(client, id).await;
                app.observe(&result);
                if !matches!(result, Err(ApiError::Aborted)) {
                    side.set(Some(result));
                }
            });
        }
    };
    Effect::new(move |_| {
        ids.track();
        app.connection.track();
        load();
    });
    let retry = Callback::new(move |_| load());
    let title = move || ids.with(|(a, b)| format!("Run #{a} and run #{b}"));
    let swap = move || ids.with(|(a, b)| compare_href(b, a)).map(|h| app_href(&h));
    view! {
        <section class="page compare-page">
            <p class="crumbs"><a href=move || app_href(&app.runs_href.get())>"← Runs"</a></p>
            <h1>"Compare: "{title}</h1>
            <p><a class="swap" href=swap>"⇄ Swap the runs"</a></p>
            {move || match (sides[0].get(), sides[1].get()) {
                (Some(Ok(a)), Some(Ok(b))) => view! { <Comparison a b/> }.into_any(),
                (None, _) | (_, None) => view! { <p class="loading" aria-busy="true">"Loading both runs…"</p> }.into_any(),
                (x, y) => {
                    let (a, b) = ids.get_untracked();
                    [(x, a), (y, b)].into_iter().filter_map(|(r, id)| match r {
                        Some(Err(ApiError::NotFound)) => Some(view! {
                            <p class="empty-state not-found">{format!("There is no run #{id} (it may never have existed, or its logs have expired after 7 days).")}</p>
                        }.into_any()),
                        Some(Err(e)) => Some(view! { <ErrorView error=e on_retry=retry/> }.into_any()),
                        _ => None,
                    }).collect_view().into_any()
                }
            }}
        </section>
    }
}

#[component]
fn Comparison(a: Side, b: Side) -> impl IntoView {
    let app = use_app();
    let zone = app.zone.get_untracked();
    let now_ms = crate::browser::now_ms();
    let link = |r: &FlowRun| view! { <a href=app_href(&run_href(&r.id))>"Run #"{r.id.clone()}</a> };
    let fields = summary(&a.run, &b.run);
    let rows = align(&a.steps, &b.steps);
    let first = first_divergence(&rows);
    let msgs = messages(&a.run.problems, &b.run.problems);
    let flow = |r: &FlowRun| r.flow_name.clone().or(r.flow_id.clone()).unwrap_or_else(|| "–".into());
    let notes: Vec<String> = [
        (a.run.id == b.run.id).then(|| "Both sides are the same run.".to_string()),
        (a.run.flow_id != b.run.flow_id).then(|| "These runs belong to different flows.".to_string()),
        a.note.clone(),
        b.note.clone(),
        (a.run.problems.len().max(b.run.problems.len()) > MAX_MESSAGES)
            .then(|| format!("Messages: the first {MAX_MESSAGES} warnings and errors of each run are compared.")),
    ]
    .into_iter()
    .flatten()
    .collect();
    let dur = |f: &Option<StepFig>, g: fn(&StepFig) -> String| f.as_ref().map(g).unwrap_or_else(|| "–".into());
    let divergence = match first {
        Some(i) => format!("The runs first diverge at step {} (“{}”).", i + 1, rows[i].name),
        None => "No step diverges: both runs had errors and warnings in the same steps.".into(),
    };
    let cell = |f: &Option<StepFig>| {
        view! {
            <td class="num">{dur(f, |f| f.duration_ms.map(crate::time::format_duration_ms).unwrap_or_else(|| "–".into()))}</td>
            <td class="num">{dur(f, |f| f.errors.to_string())}</td>
            <td class="num">{dur(f, |f| f.warnings.to_string())}</td>
        }
    };
    let only = |in_a: bool| {
        let list: Vec<&Message> = msgs.iter().filter(|m| if in_a { m.b == 0 } else { m.a == 0 }).collect();
        let run = if in_a { &a.run.id } else { &b.run.id };
        view! {
            <div class=if in_a { "only-in only-in-a" } else { "only-in only-in-b" }>
                <h3>{format!("Only in run #{run}")}</h3>
                {if list.is_empty() { view! { <p class="muted">"None."</p> }.into_any() } else { view! {
                    <ul>{list.into_iter().map(|m| view! {
                        <li title=m.example.clone()>
                            <span class=if m.error { "level level-error" } else { "level level-warning" }>{if m.error { "ERROR" } else { "WARNING" }}</span>" "
                            <span class="cause">{if m.key.is_empty() { "(no message)".to_string() } else { m.key.clone() }}</span>
                            <span class="count">{format!(" ×{}", if in_a { m.a } else { m.b })}</span>
                        </li>
                    }).collect_view()}</ul>
                }.into_any() }}
            </div>
        }
    };
    let shared = msgs.iter().filter(|m| m.a > 0 && m.b > 0).count();
    view! {
        {(!notes.is_empty()).then(|| view! { <ul class="notice" role="status">{notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul> })}
        <div class="table-scroll"><table class="runs compare-summary">
            <thead><tr><th scope="col"></th><th scope="col">{link(&a.run)}</th><th scope="col">{link(&b.run)}</th></tr></thead>
            <tbody>
                <tr><th scope="row">"Flow"</th><td>{flow(&a.run)}</td><td>{flow(&b.run)}</td></tr>
                <tr><th scope="row">"Started"</th><td><Timestamp ms=a.run.started_at_ms zone now_ms/></td><td><Timestamp ms=b.run.started_at_ms zone now_ms/></td></tr>
                {fields.into_iter().map(|f| view! {
                    <tr class:differs=f.differs data-field=f.label>
                        <th scope="row">{f.label}{f.differs.then_some(" ≠")}</th><td>{f.a}</td><td>{f.b}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
        <h2>"Steps"</h2>
        <p class="first-divergence">{divergence}</p>
        <div class="table-scroll"><table class="runs compare-steps">
            <thead>
                <tr><th scope="col" rowspan="2">"Step"</th><th scope="colgroup" colspan="3">{format!("Run #{}", a.run.id)}</th><th scope="colgroup" colspan="3">{format!("Run #{}", b.run.id)}</th></tr>
                <tr>{(0..2).map(|_| view! { <th scope="col">"Duration"</th><th scope="col">"Errors"</th><th scope="col">"Warnings"</th> }).collect_view()}</tr>
            </thead>
            <tbody>
                {rows.iter().enumerate().map(|(i, r)| view! {
                    <tr data-step-id=r.id.clone() class:diverges=r.diverges class:first=first == Some(i)>
                        <th scope="row">{r.name.clone()}{r.diverges.then_some(" ≠")}</th>
                        {cell(&r.a)}{cell(&r.b)}
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
        <h2>"Warnings and errors"</h2>
        <p class="muted">{format!("Compared with numbers, ids, quoted values and times masked; {shared} in both runs.")}</p>
        <div class="compare-messages">{only(true)}{only(false)}</div>
    }
}

/// The run page's "Compare with previous run of this flow": finds the run of the same flow
/// that started before this one, then opens the comparison (previous first).
#[component]
pub fn ComparePrevious(run: FlowRun) -> impl IntoView {
    let app = use_app();
    let nav = crate::nav::use_nav();
    let scope = crate::tasks::Scope::here();
    let said = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let query = crate::compare::previous_query(&run);
    let offered = query.is_some();
    let find = move |_| {
        let (Some(q), false) = (query.clone(), busy.get_untracked()) else { return };
        busy.set(true);
        said.set(None);
        let (client, run) = (app.client(), run.clone());
        scope.spawn(async move {
            let answer = client.list_runs(&q, None).await;
            app.observe(&answer);
            busy.set(false);
            match answer.map(|p| crate::compare::previous_in(&run, &p.items)) {
                Ok(Some(prev)) => match compare_href(&prev, &run.id) {
                    Some(href) => nav.open(&href),
                    None => said.set(Some("The previous run cannot be linked.".into())),
                },
                Ok(None) => said.set(Some("No earlier run of this flow.".into())),
                Err(ApiError::Aborted) => {}
                Err(e) => said.set(Some(e.message())),
            }
        });
    };
    offered.then(|| {
        view! {
            <p class="compare-previous">
                <button type="button" class="button" id=crate::nav::id("compare-previous") on:click=find aria-busy=move || busy.get().to_string()>
                    "Compare with previous run of this flow"
                </button>
                " "<span class="muted" role="status">{move || said.get()}</span>
            </p>
        }
    })
}
