use crate::browser;
use crate::time::{format_datetime, format_relative, Zone};
use leptos::either::Either;
use leptos::html::{span, time};
use leptos::prelude::*;

/// The time relative to now, with the absolute time (in the chosen zone) on hover.
#[component]
pub fn Timestamp(ms: Option<i64>, #[prop(into)] zone: Signal<Zone>, #[prop(into)] now_ms: Signal<i64>) -> impl IntoView {
    move || timestamp(ms, zone.get(), now_ms)
}

/// [`Timestamp`] for one zone, as a plain function (the run table builds one a row, inside
/// cells that are rebuilt when the zone changes).
pub fn timestamp(ms: Option<i64>, zone: Zone, now_ms: Signal<i64>) -> impl IntoView {
    match ms {
        Some(ms) => Either::Left(
            time()
                .datetime(format_datetime(ms, 0))
                .title(format_datetime(ms, browser::zone_offset(zone, ms)))
                .child(move || format_relative(ms, now_ms.get())),
        ),
        None => Either::Right(span().class("muted").title("not given").child("–")),
    }
}
