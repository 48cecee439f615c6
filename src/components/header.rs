use crate::browser;
use crate::state::use_app;
use crate::time::Zone;
use leptos::prelude::*;

/// Navigation, connection state, time-zone and theme toggles.
#[component]
pub fn Header() -> impl IntoView {
    let app = use_app();
    let link = app.link;
    let toggle_theme = move |_| app.set_theme(app.theme.get_untracked().next(browser::prefers_dark()));
    let toggle_zone = move |_| {
        app.set_zone(match app.zone.get_untracked() {
            Zone::Local => Zone::Utc,
            Zone::Utc => Zone::Local,
        })
    };
    // The request budget, read once a second while the header is shown: shown only when it matters.
    let budget = RwSignal::new(app.scheduler.with_value(|s| s.state()));
    crate::tasks::spawn(async move {
        loop {
            crate::tasks::sleep(1_000).await;
            let now = app.scheduler.with_value(|s| s.state());
            if budget.get_untracked() != now {
                budget.set(now);
            }
        }
    });
    let budget_note = move || {
        let b = budget.get();
        let text = match b.paused_until_ms {
            Some(until) => {
                let secs = ((until - browser::now_ms()).max(0) + 999) / 1000;
                format!("Paused: rate limit ({secs} s)")
            }
            None if b.used_last_minute * 10 >= b.per_minute * 8 => format!("Requests: {} of {} a minute", b.used_last_minute, b.per_minute),
            None => return None,
        };
        Some(view! { <span class="budget-note" role="status" title="The app's share of the API's rate limit">{text}</span> })
    };
    view! {
        <header class="app-header">
            <a class="brand" href=crate::browser::app_href("/runs")>"Flow Run Console"</a>
            <nav class="main-nav">
                <a href=crate::browser::app_href("/runs")>"Runs"</a>
                <a href=crate::browser::app_href("/settings")>"Connection"</a>
            </nav>
            <span class="spacer"></span>
            {budget_note}
            <a href=crate::browser::app_href("/settings") class=move || format!("link-state {}", link.get().css()) data-link-state=move || link.get().css()>
                {move || link.get().label()}
            </a>
            <button class="toggle" on:click=toggle_zone title="Show times in local time or UTC">
                {move || match app.zone.get() { Zone::Local => "Local time", Zone::Utc => "UTC" }}
            </button>
            <button class="toggle" on:click=toggle_theme title="Theme: follow the system, light or dark">
                {move || format!("Theme: {}", app.theme.get().as_str())}
            </button>
        </header>
    }
}
