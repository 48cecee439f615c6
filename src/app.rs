//! The app: state, the header (or the embed bar) and the routes.

use crate::components::Header;
use crate::config::AppConfig;
use crate::nav::Nav;
use crate::pages::{compare::ComparePage, logs::LogsPage, not_found::NotFoundPage, run::RunPage, runs::RunsPage, settings::SettingsPage};
use crate::state::AppState;
use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::hooks::use_params_map;
use leptos_router::path;

#[component]
pub fn App(config: AppConfig, #[prop(optional)] config_warnings: Vec<String>) -> impl IntoView {
    let parent_origin = config.embed_parent_origin.clone();
    provide_context(AppState::new(config, config_warnings));
    let embedded = crate::browser::embedded();
    if embedded {
        crate::embed::report_height(parent_origin);
    }
    view! {
        <Router base=crate::browser::base_path()>
            <RouterNav>
            {if embedded { view! { <EmbedBar/> }.into_any() } else { view! { <Header/> }.into_any() }}
            <main id="main" class:embedded=embedded>
                <Routes fallback=NotFoundPage>
                    // The same views with minimal chrome, for iframes in other pages.
                    <Route path=path!("/embed/runs") view=RunsPage/>
                    <Route path=path!("/embed/runs/:id") view=RunPage/>
                    <Route path=path!("/embed/runs/:id/logs") view=LogsPage/>
                    <Route path=path!("/embed/compare/:a/:b") view=ComparePage/>
                    <Route path=path!("/") view=|| view! { <Redirect path="/runs"/> }/>
                    <Route path=path!("/runs") view=RunsPage/>
                    <Route path=path!("/runs/:id") view=RunPage/>
                    <Route path=path!("/runs/:id/logs") view=LogsPage/>
                    <Route path=path!("/compare/:a/:b") view=ComparePage/>
                    <Route path=path!("/settings") view=SettingsPage/>
                    <Route path=path!("/logs/file") view=crate::pages::logs::file::LogFilePage/>
                    // The vendor dashboard's run links, pasted as they are.
                    <Route path=path!("/flow-run-logs/:id") view=DashboardRedirect/>
                </Routes>
            </main>
            </RouterNav>
        </Router>
    }
}

/// Provides `Nav` from the router: the browser's URL, without the base path.
#[component]
fn RouterNav(children: Children) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let navigate = leptos_router::hooks::use_navigate();
    let here = Signal::derive(move || {
        let search = location.search.get();
        let sep = if search.is_empty() || search.starts_with('?') { "" } else { "?" };
        let path = format!("{}{sep}{search}", location.pathname.get());
        crate::url_state::strip_base(&crate::browser::base_path(), &path).to_string()
    });
    let go = Callback::new(move |(path, replace, scroll): (String, bool, bool)| {
        navigate(&crate::browser::route(&path), leptos_router::NavigateOptions { replace, scroll, ..Default::default() })
    });
    provide_context(Nav::new(here, go));
    children()
}

/// The embed routes' only chrome: a link to the same view in the full app, in a new tab.
#[component]
fn EmbedBar() -> impl IntoView {
    let nav = crate::nav::use_nav();
    let href = move || nav.location.with(|l| crate::browser::full_app_href(l));
    view! {
        <nav class="embed-bar" aria-label="Flow Run Console">
            <a class="open-full" href=href target="_blank" rel="noopener">"Open in Flow Run Console ↗"</a>
        </nav>
    }
}

#[component]
fn DashboardRedirect() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").unwrap_or_default());
    view! { <Redirect path=crate::url_state::run_href(&id)/> }
}
