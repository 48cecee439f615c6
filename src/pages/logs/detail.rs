//! The entry pane: the entry of `?log=`, from the loaded entries or fetched on its own.

use super::loader::{Ctx, Mode};
use crate::api::{ApiError, FlowRunLog};
use crate::components::log_detail::LogDetail;
use crate::url_state::LogsView;
use leptos::prelude::*;

/// What the entry pane shows (compared, so loads and live tail that bump the list's version
/// do not rebuild the pane and its JSON trees).
#[derive(Clone, PartialEq)]
enum DetailShown {
    Entry(Box<FlowRunLog>, Option<String>),
    Failed(String),
    Loading,
}

/// The entry of `?log=`, from the loaded entries or fetched on its own.
#[component]
pub fn Detail(ctx: Ctx, lone: RwSignal<Option<(String, Result<FlowRunLog, ApiError>)>>, on_close: Callback<()>) -> impl IntoView {
    let Ctx { app, store, version, view, run_id, mode, .. } = ctx;
    let shown = Memo::new(move |_| {
        version.track();
        let lid = view.with(|v| v.log.clone())?;
        if let Some(e) = store.with_value(|s| s.get(&lid).cloned()) {
            let hidden = store.with_value(|s| s.position_of(&lid).is_none());
            let note = hidden.then(|| "The level filter hides this entry in the list.".to_string());
            return Some((lid, DetailShown::Entry(Box::new(e), note)));
        }
        let where_ = if mode.with(|m| *m == Mode::Paged) { "on this page" } else { "among the loaded entries" };
        let what = match lone.get() {
            Some((id, Ok(e))) if id == lid => DetailShown::Entry(
                Box::new(e),
                Some(format!("This entry is not {where_}; it was fetched on its own. Load all to see it in context.")),
            ),
            Some((id, Err(e))) if id == lid && !matches!(e, ApiError::Aborted) => DetailShown::Failed(e.message()),
            _ if mode.with(|m| *m == Mode::File) => DetailShown::Failed("There is no such entry in this file (yet).".into()),
            _ => DetailShown::Loading,
        };
        Some((lid, what))
    });
    move || {
        let (lid, what) = shown.get()?;
        // An entry of a local file has no address another browser could open.
        let permalink = (mode.get() != Mode::File).then(|| LogsView { log: Some(lid.clone()), ..LogsView::default() }.href(&run_id.get()));
        let zone = app.zone.get();
        Some(match what {
            DetailShown::Entry(e, Some(note)) => view! { <LogDetail entry=*e zone permalink note on_close/> }.into_any(),
            DetailShown::Entry(e, None) => view! { <LogDetail entry=*e zone permalink on_close/> }.into_any(),
            DetailShown::Failed(message) => view! {
                <section class="log-detail"><p class="error">{format!("Entry #{lid}: {message}")}</p>
                <button type="button" class="button" on:click=move |_| on_close.run(())>"Close"</button></section>
            }
            .into_any(),
            DetailShown::Loading => {
                view! { <p class="loading log-detail" aria-busy="true">{format!("Loading entry #{lid}…")}</p> }.into_any()
            }
        })
    }
}
