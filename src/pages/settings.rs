use crate::api::{ApiClient, Credential, RunQuery};
use crate::session::Connection;
use crate::state::use_app;
use leptos::prelude::*;

/// `/settings`: the API base and the credential.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let app = use_app();
    let current = app.connection.get_untracked();
    let base = RwSignal::new(current.api_base.clone().unwrap_or_default());
    let (kind0, token0) = match &current.credential {
        Some(Credential::ApiKey(k)) => ("key", k.clone()),
        Some(Credential::Bearer(t)) => ("bearer", t.clone()),
        None => ("key", String::new()),
    };
    let kind = RwSignal::new(kind0.to_string());
    let token = RwSignal::new(token0);
    let status = RwSignal::new(None::<(bool, String)>);
    let testing = RwSignal::new(false);

    let form_connection = move || {
        let t = token.get_untracked().trim().to_string();
        let credential =
            (!t.is_empty()).then(|| if kind.get_untracked() == "bearer" { Credential::Bearer(t) } else { Credential::ApiKey(t) });
        let b = base.get_untracked().trim().trim_end_matches('/').to_string();
        Connection { api_base: (!b.is_empty()).then_some(b), credential }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let c = form_connection();
        let has_token = c.credential.is_some();
        app.save_connection(c);
        status.set(Some((
            true,
            if has_token { "Saved. The run list now uses this connection.".into() } else { "Saved without a token.".into() },
        )));
    };
    let test = move |_| {
        let c = form_connection();
        let saved = app.connection.get_untracked();
        app.connection.set(c.clone());
        let client = app.client();
        app.connection.set(saved);
        let timeout = client.timeout_ms;
        testing.set(true);
        leptos::task::spawn_local(async move {
            let client = ApiClient { timeout_ms: timeout, ..client };
            let outcome = match client.list_runs(&RunQuery::new(1, 1), None).await {
                Ok(page) => (
                    true,
                    format!(
                        "Connected to {}: {} runs visible.",
                        client.base,
                        page.meta.total.map_or("some".to_string(), |t| t.to_string())
                    ),
                ),
                Err(e) => (false, format!("{} {}", e.message(), e.next_step())),
            };
            status.set(Some(outcome));
            testing.set(false);
        });
    };
    let sign_out = move |_| {
        app.sign_out();
        token.set(String::new());
        status.set(Some((true, "Signed out: the token was removed from this browser.".into())));
    };
    let default_base = move || {
        let cfg = app.config.with_value(|c| c.api_base.clone());
        if cfg.is_empty() {
            format!("{} (this page's origin)", crate::browser::origin())
        } else {
            cfg
        }
    };
    let warnings = app.config_warnings.get_value();

    view! {
        <section class="page settings-page">
            <h1>"Connection"</h1>
            {(!warnings.is_empty()).then(|| view! {
                <ul class="notice" role="status">{warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
            })}
            <form class="settings-form" on:submit=save>
                <label for="api-base">"API base URL"</label>
                <input id="api-base" name="api-base" type="url" placeholder=default_base
                    prop:value=move || base.get() on:input=move |ev| base.set(event_target_value(&ev))/>
                <p class="hint">"Leave empty to use the deployment's default."</p>

                <label for="token-kind">"Credential"</label>
                <select id="token-kind" name="token-kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                    <option value="key">"API key"</option>
                    <option value="bearer">"Bearer token (from sign-in)"</option>
                </select>

                <label for="token">"Token"</label>
                <input id="token" name="token" type="password" autocomplete="off" spellcheck="false"
                    prop:value=move || token.get() on:input=move |ev| token.set(event_target_value(&ev))/>

                <div class="form-actions">
                    <button type="submit" class="button primary" id="save-connection">"Save"</button>
                    <button type="button" class="button" on:click=test disabled=move || testing.get()>
                        {move || if testing.get() { "Testing…" } else { "Test connection" }}
                    </button>
                    <button type="button" class="button" on:click=sign_out>"Sign out"</button>
                </div>
            </form>
            {move || status.get().map(|(ok, msg)| view! {
                <p class=if ok { "form-status ok" } else { "form-status bad" } role="status">{msg}</p>
            })}
        </section>
    }
}
