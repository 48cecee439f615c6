use crate::api::{ApiClient, ApiError, FlowRun, FlowRunLog, LogQuery};
use crate::state::use_app;
use crate::steps::{aggregate, waterfall, StepState, StepStats};
use crate::time::format_datetime;
use leptos::prelude::*;

/// Runs with more entries than this are not loaded here (the log viewer pages them).
pub const MAX_ENTRIES_FOR_STEPS: u64 = 1_000;
const PER_PAGE: u32 = 100;

#[derive(Clone)]
enum Load {
    Loading,
    Ready(Vec<StepStats>),
    TooMany(u64),
    Failed(String),
}

/// A run's log entries, or how many there are when more than [`MAX_ENTRIES_FOR_STEPS`].
pub enum Entries {
    All(Vec<FlowRunLog>),
    TooMany(u64),
}

/// Reads a run's entries for step figures. Bounded by what the data can mean, not by the
/// answer's `last_page`: at most the pages that `MAX_ENTRIES_FOR_STEPS` entries fill, and
/// never past an empty page.
pub async fn read_entries(client: &ApiClient, run_id: &str) -> Result<Entries, ApiError> {
    let mut entries: Vec<FlowRunLog> = Vec::new();
    let pages = MAX_ENTRIES_FOR_STEPS.div_ceil(u64::from(PER_PAGE)) as u32;
    for page in 1..=pages {
        let p = client.list_logs(run_id, &LogQuery::standard(page, PER_PAGE), None).await?;
        let total = p.meta.total.unwrap_or(0);
        if total > MAX_ENTRIES_FOR_STEPS {
            return Ok(Entries::TooMany(total));
        }
        let empty = p.items.is_empty();
        entries.extend(p.items);
        if empty || u64::from(page) >= p.meta.last_page {
            break;
        }
    }
    Ok(Entries::All(entries))
}

/// Per step: status (errors over warnings), entry counts by level, first and last entry;
/// and a waterfall of step timing across the run. Entries load in the background.
#[component]
pub fn StepsPanel(run: FlowRun) -> impl IntoView {
    let app = use_app();
    let state = RwSignal::new(Load::Loading);
    let client = app.client().background();
    let run_id = run.id.clone();
    let steps = run.steps.clone();
    // A task of this panel: a refresh of a running run rebuilds the panel and ends the old one.
    crate::tasks::spawn(async move {
        state.set(match read_entries(&client, &run_id).await {
            Ok(Entries::All(entries)) => Load::Ready(aggregate(&steps, &entries)),
            Ok(Entries::TooMany(n)) => Load::TooMany(n),
            Err(e) => Load::Failed(e.message()),
        });
    });
    let zone = app.zone.get_untracked();
    let clock = move |ms: Option<i64>| {
        ms.map(|ms| format_datetime(ms, crate::browser::zone_offset(zone, ms)).get(11..19).unwrap_or_default().to_string())
            .unwrap_or_else(|| "–".into())
    };
    let run_id = run.id.clone();
    let (start, end) = (run.started_at_ms, run.finished_at_ms);
    let names = run.steps.clone();
    move || {
        match state.get() {
        Load::Loading => view! { <p class="chart-note" aria-busy="true">"Reading the run's log entries for step figures…"</p> }.into_any(),
        Load::Failed(m) => view! { <p class="chart-note">{format!("Step figures are unavailable: {m}")}</p> }.into_any(),
        Load::TooMany(n) => view! {
            <p class="chart-note">{format!("This run has {n} log entries; step figures are shown for runs of up to {MAX_ENTRIES_FOR_STEPS}. The log viewer pages through them.")}</p>
            <ol class="steps">{names.iter().map(|s| view! { <li><a href=crate::browser::app_href(&crate::url_state::step_logs_href(&run_id, &s.id))>{s.name.clone().unwrap_or_else(|| format!("Step {}", s.id))}</a></li> }).collect_view()}</ol>
        }.into_any(),
        Load::Ready(stats) => {
            let bars = waterfall(&stats, start, end);
            let row_h = 22.0;
            let height = row_h * stats.len().max(1) as f64;
            let rows = stats.iter().map(|s| {
                let (icon, label, css) = match s.state() {
                    StepState::Error => ("✕", "Errors", "failure"),
                    StepState::Warning => ("⚠", "Warnings", "partial"),
                    StepState::Ok => ("✓", "OK", "success"),
                    StepState::Idle => ("·", "No entries", "other"),
                };
                view! {
                    <tr data-step-id=s.id.clone()>
                        <td><span class=format!("badge status-{css}")>{icon}" "{label}</span></td>
                        <td><a href=crate::browser::app_href(&crate::url_state::step_logs_href(&run_id, &s.id))>{s.name.clone()}</a></td>
                        <td class="num">{s.errors}</td><td class="num">{s.warnings}</td><td class="num">{s.info}</td><td class="num">{s.debug}</td>
                        <td>{clock(s.first_ms)}</td><td>{clock(s.last_ms)}</td>
                    </tr>
                }
            }).collect_view();
            let svg_rows = stats.iter().zip(bars).enumerate().map(|(i, (s, bar))| {
                let y = i as f64 * row_h + 4.0;
                let css = match s.state() { StepState::Error => "failure", StepState::Warning => "partial", StepState::Ok => "success", StepState::Idle => "other" };
                let title = format!("{}: {} – {}", s.name, clock(s.first_ms), clock(s.last_ms));
                view! {
                    <text x="0" y=y + 12.0 class="wf-label">{s.name.chars().take(24).collect::<String>()}</text>
                    {bar.map(|(a, b)| view! {
                        <rect class=format!("wf-bar wf-{css}") x=200.0 + a * 590.0 y=y width=((b - a) * 590.0).max(2.0) height=row_h - 8.0>
                            <title>{title.clone()}</title>
                        </rect>
                    })}
                }
            }).collect_view();
            view! {
                <div class="table-scroll"><table class="runs step-table">
                    <thead><tr><th>"Status"</th><th>"Step"</th><th>"Errors"</th><th>"Warnings"</th><th>"Info"</th><th>"Debug"</th><th>"First entry"</th><th>"Last entry"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table></div>
                <h3>"Timing"</h3>
                <svg class="waterfall" viewBox=format!("0 0 800 {height}") role="img" aria-label="Step timing across the run">{svg_rows}</svg>
            }.into_any()
        }
    }
    }
}
