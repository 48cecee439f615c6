use crate::api::{ApiError, Slot};
use crate::browser;
use crate::components::{ErrorView, Pager, RunTable, RunTableSkeleton};
use crate::state::use_app;
use crate::url_state::RunsView;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `/runs`: the run table. URL → `RunsView` → API query → page of runs → table.
#[component]
pub fn RunsPage() -> impl IntoView {
    let app = use_app();
    let default_per_page = app.config.with_value(|c| c.page_size);
    let query = use_query_map();
    let parsed = Memo::new(move |_| query.with(|q| RunsView::from_pairs(q.into_iter().map(|(k, v)| (k.as_ref(), v)), default_per_page)));
    let view_state = Memo::new(move |_| parsed.with(|(v, _)| v.clone()));
    let slot = Slot::default();
    let runs = LocalResource::new(move || {
        let client = app.client();
        let q = view_state.get().api_query();
        let slot = slot.clone();
        async move {
            if client.credential.is_none() {
                return Err(ApiError::Unauthorized);
            }
            let result = client.list_runs(&q, Some(&slot)).await;
            app.observe(&result);
            result.map(|page| (page, browser::now_ms()))
        }
    });
    let retry = Callback::new(move |_| runs.refetch());
    let page_href = Callback::new(move |n: u64| {
        RunsView { page: n.min(u64::from(u32::MAX)) as u32, ..view_state.get_untracked() }.href(default_per_page)
    });

    view! {
        <section class="page runs-page">
            <h1>"Flow runs"</h1>
            {move || parsed.with(|(_, notices)| (!notices.is_empty()).then(|| view! {
                <ul class="notice" role="status">{notices.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}</ul>
            }))}
            {move || match runs.get() {
                None => view! { <RunTableSkeleton rows=view_state.with(|v| v.per_page.min(25))/> }.into_any(),
                Some(Err(ApiError::Unauthorized)) if app.connection.with(|c| c.credential.is_none()) => view! {
                    <div class="empty-state">
                        <p>"Connect to the Patchworks API to see flow runs."</p>
                        <a class="button primary" href="/settings">"Set up the connection"</a>
                    </div>
                }.into_any(),
                // A superseded request: a newer answer is on its way.
                Some(Err(ApiError::Aborted)) => view! { <RunTableSkeleton rows=view_state.with(|v| v.per_page.min(25))/> }.into_any(),
                Some(Err(e)) => view! { <ErrorView error=e on_retry=retry/> }.into_any(),
                Some(Ok((page, now))) => {
                    let zone = app.zone.get();
                    let skipped = page.skipped;
                    if page.items.is_empty() {
                        view! { <div class="empty-state"><p>"No runs match."</p></div> }.into_any()
                    } else {
                        view! {
                            {(skipped > 0).then(|| view! { <p class="notice">{format!("{skipped} entries of this page could not be read and are not shown.")}</p> })}
                            <RunTable runs=page.items zone now_ms=now/>
                            <Pager meta=page.meta href=page_href/>
                        }.into_any()
                    }
                }
            }}
        </section>
    }
}
