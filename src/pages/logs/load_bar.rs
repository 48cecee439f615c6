//! Load all (with its cost first when large), progress and cancel, live tail, server download.

use super::loader::{Ctx, Mode, Tail};
use crate::api::budget::BACKGROUND_SHARE;
use crate::components::pager::group_thousands;
use crate::logs::{load_cost, minutes_text, LogStore, CONFIRM_PAGES, LOAD_PER_PAGE};
use leptos::prelude::*;

/// Load all (with its cost first when large), progress and cancel, live tail, server download.
#[component]
pub fn LoadBar(ctx: Ctx, is_running: Memo<bool>) -> impl IntoView {
    let Ctx { app, mode, tail, total, store, version, run_id, .. } = ctx;
    let confirm = RwSignal::new(false);
    let download = RwSignal::new(None::<Result<String, String>>);
    // The bar's tasks (not those of the confirmation, which closes as the download starts).
    let scope = crate::tasks::Scope::here();
    let per_minute = app.config.with_value(|c| c.requests_per_minute);
    let background = ((f64::from(per_minute) * BACKGROUND_SHARE).floor() as u32).max(1);
    // Keyboard: a button that a click replaces hands focus to the one that takes its place.
    let focus_soon = |id: &'static str| {
        let id = crate::nav::id(id);
        request_animation_frame(move || {
            if let Some(el) = crate::browser::element_by_id(&id) {
                let _ = el.focus();
            }
        })
    };
    // The button pressed is replaced by Cancel, which takes the focus (shown only to keyboard users).
    let start = move || {
        confirm.set(false);
        ctx.load_all(false);
        focus_soon("load-cancel");
    };
    let ask = move || {
        let pages = total.get_untracked().map(|t| t.div_ceil(u64::from(LOAD_PER_PAGE))).unwrap_or(0);
        if pages > CONFIRM_PAGES {
            confirm.set(true);
            focus_soon("load-confirm");
        } else {
            start();
        }
    };
    let queue = move || {
        let client = app.client();
        let rid = run_id.get_untracked();
        download.set(Some(Ok("Asking the server…".into())));
        scope.spawn(async move {
            let answer = client.queue_download(&rid).await;
            app.observe(&answer);
            download.set(Some(match answer {
                Ok(o) => Ok(o.message.unwrap_or_else(|| "Queued. The file will appear in Patchworks under File Downloads.".into())),
                Err(e) => Err(e.message()),
            }));
        });
    };
    let loaded = move || {
        version.track();
        store.with_value(LogStore::len) as u64
    };
    // Announced at each tenth of a load and at its end, not at every page.
    let step = Memo::new(move |_| match mode.get() {
        Mode::Loading { .. } => Some(tenth(loaded(), total.get().unwrap_or(0))),
        Mode::All => Some(DONE),
        _ => None,
    });
    let announce = move || step.get().map(|s| announcement(s, store.with_value(LogStore::len) as u64, total.get_untracked().unwrap_or(0)));
    view! {
        <span class="sr-only" id=crate::nav::id("load-announce") role="status">{announce}</span>
        <div class="load-bar">
            {move || match mode.get() {
                Mode::Paged => view! {
                    <button type="button" class="button primary" id=crate::nav::id("load-all") on:click=move |_| ask()>
                        {move || match total.get() { Some(t) => format!("Load all {} entries", group_thousands(t)), None => "Load all entries".into() }}
                    </button>
                    {move || is_running.get().then(|| view! { <span class="hint">"The run is still running: once everything is loaded, new entries are followed live."</span> })}
                }.into_any(),
                Mode::Loading { pages_done, pages } => {
                    let of = total.get().unwrap_or(0);
                    view! {
                        <progress id=crate::nav::id("load-progress") max=pages.max(1).to_string() value=pages_done.to_string()></progress>
                        <span class="progress-text">{move || format!("Loading: page {} of {} · {} of {} entries",
                            group_thousands(u64::from(pages_done)), group_thousands(u64::from(pages)), group_thousands(loaded()), group_thousands(of))}</span>
                        <button type="button" class="button" id=crate::nav::id("load-cancel") on:click=move |_| { ctx.cancel(); focus_soon("load-resume") }>"Cancel"</button>
                    }.into_any()
                }
                Mode::All => view! {
                    <span class="loaded-all" id=crate::nav::id("loaded-all")>{move || format!("All {} entries loaded.", group_thousands(loaded()))}</span>
                    {move || match tail.get() {
                        Tail::Following => Some(view! { <span class="live-tail" id=crate::nav::id("live-tail")>"● Following live: new entries appear at the bottom."</span> }.into_any()),
                        Tail::Ended => Some(view! { <span class="live-tail ended" id=crate::nav::id("live-tail")>"The run has finished; live tail stopped."</span> }.into_any()),
                        Tail::Off => None,
                    }}
                    <button type="button" class="link-button" on:click=move |_| ctx.load_all(false)>"reload"</button>
                }.into_any(),
                Mode::File => ().into_any(),
                Mode::Stopped(why) => view! {
                    <span class="notice load-stopped" role="status">{why}</span>
                    <button type="button" class="button" id=crate::nav::id("load-resume") on:click=move |_| ctx.load_all(true)>"Resume"</button>
                }.into_any(),
            }}
            <button type="button" class="link-button" id=crate::nav::id("server-download") title="The server prepares the whole log as a file (Patchworks → File Downloads)" on:click=move |_| queue()>"Server-side download…"</button>
            {move || download.get().map(|d| match d {
                Ok(m) => view! { <span class="download-note" role="status">{m}</span> }.into_any(),
                Err(m) => view! { <span class="download-note error" role="alert">{m}</span> }.into_any(),
            })}
        </div>
        {move || confirm.get().then(|| {
            let entries = total.get_untracked().unwrap_or(0);
            let cost = load_cost(entries, background);
            view! {
                <div class="confirm load-confirm" role="dialog" aria-label="Load every entry?"
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { ev.stop_propagation(); confirm.set(false); focus_soon("load-all") }>
                    <p>{format!(
                        "Loading all {} entries takes {} requests: {} at this app's request budget ({} background requests a minute), {} at the API's limit of 240 a minute. The list stays usable while it loads, and you can cancel.",
                        group_thousands(entries), group_thousands(cost.requests), minutes_text(cost.minutes_at_budget), background, minutes_text(cost.minutes_at_api)
                    )}</p>
                    <p>"The server can prepare the whole log as a file instead (it appears in Patchworks under File Downloads)."</p>
                    <button type="button" class="button primary" id=crate::nav::id("load-confirm") on:click=move |_| start()>"Load all"</button>
                    <button type="button" class="button" on:click=move |_| { confirm.set(false); queue(); }>"Queue the server download"</button>
                    <button type="button" class="button" on:click=move |_| confirm.set(false)>"Cancel"</button>
                </div>
            }
        })}
    }
}

/// `tenth` of a load that is over.
const DONE: u64 = 11;

/// How many tenths of `total` are loaded (0 to 10).
fn tenth(loaded: u64, total: u64) -> u64 {
    loaded.saturating_mul(10).checked_div(total).map_or(0, |t| t.min(10))
}

/// What a screen reader hears of a load at a tenth (`DONE` at its end).
fn announcement(tenth: u64, loaded: u64, total: u64) -> String {
    if tenth == DONE {
        format!("All {} entries loaded", group_thousands(loaded))
    } else {
        format!("Load all: {} of {}", group_thousands(loaded), group_thousands(total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_load_is_announced_by_tenths() {
        assert_eq!(tenth(12_000, 200_000), 0);
        assert_eq!(tenth(20_000, 200_000), 1);
        assert_eq!(tenth(200_000, 200_000), 10);
        assert_eq!(tenth(5, 0), 0);
        assert_eq!(tenth(u64::MAX, 3), 10);
        assert_eq!(announcement(0, 12_000, 200_000), "Load all: 12,000 of 200,000");
        assert_eq!(announcement(DONE, 200_000, 200_000), "All 200,000 entries loaded");
    }
}
