//! The app: state, the header and the routes.

use crate::components::Header;
use crate::config::AppConfig;
use crate::pages::{logs::LogsPage, not_found::NotFoundPage, run::RunPage, runs::RunsPage, settings::SettingsPage};
use crate::state::AppState;
use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::hooks::use_params_map;
use leptos_router::path;

#[component]
pub fn App(config: AppConfig, #[prop(optional)] config_warnings: Vec<String>) -> impl IntoView {
    provide_context(AppState::new(config, config_warnings));
    view! {
        <Router base=crate::browser::base_path()>
            <Header/>
            <main id="main">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=|| view! { <Redirect path="/runs"/> }/>
                    <Route path=path!("/runs") view=RunsPage/>
                    <Route path=path!("/runs/:id") view=RunPage/>
                    <Route path=path!("/runs/:id/logs") view=LogsPage/>
                    <Route path=path!("/settings") view=SettingsPage/>
                    // The vendor dashboard's run links, pasted as they are.
                    <Route path=path!("/flow-run-logs/:id") view=DashboardRedirect/>
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn DashboardRedirect() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").unwrap_or_default());
    view! { <Redirect path=format!("/runs/{}", crate::api::query::encode_component(&id))/> }
}
