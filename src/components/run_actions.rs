use super::ErrorView;
use crate::api::{ActionOutcome, ApiClient, ApiError, FlowRun, RunStatus};
use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Retry,
    Stop,
    Download,
}

impl Action {
    fn label(self) -> &'static str {
        match self {
            Action::Retry => "Retry",
            Action::Stop => "Stop",
            Action::Download => "Download logs",
        }
    }
}

pub type ActionResult = (Action, Result<ActionOutcome, ApiError>);

/// Which actions a run offers: retry for failed, stopped and partially successful runs;
/// stop only while running; the log download always.
pub fn offered(status: Option<&RunStatus>) -> Vec<Action> {
    let mut out = Vec::new();
    match status {
        Some(RunStatus::Failure | RunStatus::Stopped | RunStatus::PartialSuccess) => out.push(Action::Retry),
        Some(RunStatus::Running) => out.push(Action::Stop),
        _ => {}
    }
    out.push(Action::Download);
    out
}

/// The page's retry, stop and download requests: a Leptos `Action` the run page owns, so a
/// result outlives a refresh that rebuilds the buttons, and nothing of a left page is touched
/// when an answer arrives.
pub type Perform = leptos::prelude::Action<(Action, String), ActionResult>;

/// `client` is read when an action is dispatched.
pub fn perform(client: impl Fn() -> ApiClient + 'static) -> Perform {
    leptos::prelude::Action::new_unsync(move |(action, id): &(Action, String)| {
        let (action, id, client) = (*action, id.clone(), client());
        async move {
            let result = match action {
                Action::Retry => client.retry_run(&id).await,
                Action::Stop => client.stop_run(&id).await,
                Action::Download => client.queue_download(&id).await,
            };
            (action, result)
        }
    })
}

/// Retry, stop and download, each behind a confirmation that says what will happen. A
/// pending action disables its button, so a double click sends one request.
#[component]
pub fn RunActions(run: FlowRun, perform: Perform, #[prop(optional)] read_only: bool) -> impl IntoView {
    let confirming = RwSignal::new(None::<Action>);
    let pending = perform.pending();
    let outcome = perform.value();
    let id = run.id.clone();
    let flow = run.flow_name.clone().unwrap_or_else(|| "its flow".into());
    let actions: Vec<Action> = offered(run.status.as_ref()).into_iter().filter(|a| !read_only || *a == Action::Download).collect();
    // Keyboard: focus moves into a confirmation as it opens (to Cancel, the harmless
    // choice); Escape, Cancel or an answer closes it and focus returns to its button.
    let bar = NodeRef::<leptos::html::Div>::new();
    let cancel = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(el) = cancel.get() {
            let _ = el.focus();
        }
    });
    let close = move || {
        if let Some(a) = confirming.get_untracked() {
            confirming.set(None);
            let sel = format!(".action-{}", a.label().to_ascii_lowercase().replace(' ', "-"));
            if let Some(b) = bar.get_untracked().and_then(|d| d.query_selector(&sel).ok().flatten()) {
                let _ = wasm_bindgen::JsCast::unchecked_into::<web_sys::HtmlElement>(b).focus();
            }
        }
    };
    // The confirmation closes once its request has been answered.
    Effect::new(move |was: Option<bool>| {
        let now = pending.get();
        if was == Some(true) && !now {
            close();
        }
        now
    });

    let perform = {
        let id = id.clone();
        move |action: Action| {
            if !pending.get_untracked() {
                perform.dispatch((action, id.clone()));
            }
        }
    };

    let question = {
        let id = id.clone();
        move |a: Action| {
            match a {
            Action::Retry => format!("Retry run #{id} of {flow}? The flow version it ran runs again at once, as a new run."),
            Action::Stop => format!("Stop run #{id} of {flow}? It ends now, as stopped; steps not yet run will not run."),
            Action::Download => format!("Queue a download of the logs of run #{id}? The file appears in Patchworks under General Settings → File Downloads when it is ready."),
        }
        }
    };

    view! {
        <div class="run-actions" node_ref=bar>
            {actions.into_iter().map(|a| view! {
                <button type="button" class=format!("button action-{}", a.label().to_ascii_lowercase().replace(' ', "-"))
                    disabled=move || pending.get() on:click=move |_| { outcome.set(None); confirming.set(Some(a)) }>
                    {a.label()}
                </button>
            }).collect_view()}
            {move || confirming.get().map(|a| {
                let perform = perform.clone();
                view! {
                    <div class="confirm" role="alertdialog" aria-labelledby=crate::nav::id("confirm-text")
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { ev.stop_propagation(); close() }>
                        <p id=crate::nav::id("confirm-text")>{question(a)}</p>
                        <button type="button" class="button primary confirm-yes" disabled=move || pending.get()
                            on:click=move |_| perform(a)>
                            {move || if pending.get() { format!("{}…", a.label()) } else { format!("{}, yes", a.label()) }}
                        </button>
                        <button type="button" class="button confirm-no" node_ref=cancel disabled=move || pending.get() on:click=move |_| close()>"Cancel"</button>
                    </div>
                }
            })}
            // A live region that stays: each new result is announced.
            <div class="action-result" role="status">
            {move || outcome.get().map(|(a, r)| match r {
                Ok(done) => {
                    let new_run = (a == Action::Retry).then(|| done.run.clone()).flatten();
                    let message = done.message.clone().unwrap_or_else(|| match a {
                        Action::Retry => "The run was queued again.".into(),
                        Action::Stop => "The run was stopped.".into(),
                        Action::Download => "The download was queued.".into(),
                    });
                    view! {
                        <p class="action-done">
                            {message}
                            {new_run.map(|r| view! { " " <a class="new-run" href=crate::browser::app_href(&crate::url_state::run_href(&r.id))>"Open the new run #"{r.id.clone()}</a> })}
                            {(a == Action::Download).then_some(" Find the file in Patchworks under General Settings → File Downloads.")}
                        </p>
                    }.into_any()
                }
                Err(e) => view! { <ErrorView error=e/> }.into_any(),
            })}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_follow_the_status() {
        assert_eq!(offered(Some(&RunStatus::Failure)), [Action::Retry, Action::Download]);
        assert_eq!(offered(Some(&RunStatus::PartialSuccess)), [Action::Retry, Action::Download]);
        assert_eq!(offered(Some(&RunStatus::Stopped)), [Action::Retry, Action::Download]);
        assert_eq!(offered(Some(&RunStatus::Running)), [Action::Stop, Action::Download]);
        assert_eq!(offered(Some(&RunStatus::Success)), [Action::Download]);
        assert_eq!(offered(Some(&RunStatus::Other("9".into()))), [Action::Download]);
        assert_eq!(offered(None), [Action::Download]);
    }
}
