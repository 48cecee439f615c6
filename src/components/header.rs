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
    view! {
        <header class="app-header">
            <a class="brand" href="/runs">"Flow Run Console"</a>
            <nav class="main-nav">
                <a href="/runs">"Runs"</a>
                <a href="/settings">"Connection"</a>
            </nav>
            <span class="spacer"></span>
            <a href="/settings" class=move || format!("link-state {}", link.get().css()) data-link-state=move || link.get().css()>
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
