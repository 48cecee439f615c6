//! A failed run's warnings and errors, fetched when its row is expanded (the run list asks
//! only how many there are): at most one bounded request per opening, a task of this view.

use crate::api::{ApiError, FlowRunLog};
use crate::state::use_app;
use leptos::prelude::*;

/// Shown at most, of what was fetched.
const SHOWN: usize = 10;

#[component]
pub fn FailureSummary(run_id: String, count: Option<u64>) -> impl IntoView {
    let app = use_app();
    let answer = RwSignal::new(None::<Result<(Vec<FlowRunLog>, bool), ApiError>>);
    let client = app.connection.with_untracked(|c| app.client_for(c));
    let scope = crate::tasks::Scope::here();
    let id = run_id.clone();
    scope.spawn(async move {
        let result = client.problems(&id, count).await;
        answer.set(Some(result));
    });
    let logs = crate::browser::app_href(&crate::url_state::logs_href(&run_id, &Default::default()));
    let body = move || match answer.get() {
        None => view! { <p class="loading" aria-busy="true">"Loading the warnings and errors…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="form-status bad">{e.message()}</p> }.into_any(),
        Some(Ok((problems, partial))) => {
            let note = match (partial, count) {
                (true, Some(n)) => Some(format!("{n} warnings and errors in all; these are from the run's last 100 log entries.")),
                (true, None) => Some("These are from the run's last 100 log entries.".to_string()),
                (false, _) if problems.len() > SHOWN => {
                    Some(format!("{} warnings and errors; the first {SHOWN} are shown.", problems.len()))
                }
                _ => None,
            };
            let empty = problems.is_empty();
            view! {
                <ul>
                    {problems.into_iter().take(SHOWN).map(|p| view! {
                        <li>
                            <span class=format!("level level-{}", p.level.as_ref().map(|l| l.label().to_ascii_lowercase()).unwrap_or_default())>
                                {p.level.as_ref().map(|l| l.label().to_string()).unwrap_or_else(|| "?".into())}
                            </span>" "
                            {p.step_name.clone().map(|s| view! { <b class="step">{s}": "</b> })}
                            <span class="message">{p.message.chars().take(500).collect::<String>()}</span>
                        </li>
                    }).collect_view()}
                </ul>
                {empty.then_some("No warnings or errors were found.")}
                {note.map(|n| view! { <p class="hint">{n}</p> })}
            }
            .into_any()
        }
    };
    view! {
        <tr class="failure-summary">
            <td colspan="9">{body}<a href=logs>"Open the logs"</a></td>
        </tr>
    }
}
