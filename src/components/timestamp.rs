use crate::browser;
use crate::time::{format_datetime, format_relative, Zone};
use leptos::prelude::*;

/// The time relative to now, with the absolute time (in the chosen zone) on hover.
#[component]
pub fn Timestamp(ms: Option<i64>, #[prop(into)] zone: Signal<Zone>, #[prop(into)] now_ms: Signal<i64>) -> impl IntoView {
    ms.map(|ms| {
        let absolute = move || format_datetime(ms, browser::zone_offset(zone.get(), ms));
        let iso = format_datetime(ms, 0);
        view! { <time datetime=iso title=absolute>{move || format_relative(ms, now_ms.get())}</time> }.into_any()
    })
    .unwrap_or_else(|| view! { <span class="muted" title="not given">"–"</span> }.into_any())
}
