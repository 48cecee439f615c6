use crate::api::credential::token_problem;
use crate::api::{Credential, RunQuery};
use crate::browser::url_origin;
use crate::session::{credential_for_base, expiry_at, Connection};
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
    let remember = RwSignal::new(current.remember || current.credential.is_none());
    // A sign-in token is for this tab unless asked otherwise: it is a password's worth.
    let remember_sign_in = RwSignal::new(false);
    let user = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Where to go back to once signed in (`?next=/runs?...`, paths of this app only).
    let nav = crate::nav::use_nav();
    let next = move || {
        let pairs = nav.location.with_untracked(|l| crate::nav::query_of(l));
        pairs.into_iter().find(|(k, _)| k == "next").and_then(|(_, n)| crate::browser::safe_next(&n))
    };
    let go_back = StoredValue::new(move || {
        if let Some(n) = next() {
            nav.open(&n);
        }
    });

    let form_connection = move || -> (Connection, bool) {
        let t = token.get_untracked().trim().to_string();
        let credential =
            (!t.is_empty()).then(|| if kind.get_untracked() == "bearer" { Credential::Bearer(t) } else { Credential::ApiKey(t) });
        let b = base.get_untracked().trim().trim_end_matches('/').to_string();
        let mut c =
            Connection { api_base: (!b.is_empty()).then_some(b), credential, remember: remember.get_untracked(), ..Connection::default() };
        // The saved token goes to no other origin (as the browser reads them): a new base
        // needs its own token.
        let (old_origin, old) = app.connection.with_untracked(|o| (url_origin(&app.base_for(o)), o.credential.clone()));
        let entered = c.credential.is_some();
        let new_origin = url_origin(&app.base_for(&c));
        c.credential = credential_for_base(old_origin.as_deref(), old.as_ref(), new_origin.as_deref(), c.credential.take());
        (c, entered)
    };
    // A token that cannot be sent is refused where it is typed, saying why.
    let unusable = move || {
        let t = token.get_untracked();
        (!t.trim().is_empty()).then(|| token_problem(&t)).flatten()
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(problem) = unusable() {
            status.set(Some((false, format!("Not saved. {problem}"))));
            return;
        }
        let (c, entered) = form_connection();
        let has_token = c.credential.is_some();
        if entered && !has_token {
            token.set(String::new());
        }
        let stored = if app.save_connection(c) { "" } else { " It is kept in memory only: this browser does not allow storage here." };
        if has_token {
            go_back.with_value(|f| f());
        }
        status.set(Some((
            has_token || !entered,
            if has_token {
                format!("Saved. The run list now uses this connection.{stored}")
            } else if entered {
                "The API base is on another origin now, so the token was cleared: enter the token for the new API.".into()
            } else {
                "Saved without a token.".into()
            },
        )));
    };
    // Test and sign-in are Leptos actions: their answers land in the action, never in a page
    // that has gone; what the page does with them runs only while it is shown.
    let tester = Action::new_unsync(move |c: &Connection| {
        let client = app.client_for(c);
        async move {
            match client.list_runs(&RunQuery::new(1, 1), None).await {
                Ok(page) => (
                    true,
                    format!(
                        "Connected to {}: {} runs visible.",
                        client.base,
                        page.meta.total.map_or("some".to_string(), |t| t.to_string())
                    ),
                ),
                Err(e) => (false, format!("{} {}", e.message(), e.next_step())),
            }
        }
    });
    let testing = tester.pending();
    Effect::new(move |_| {
        if let Some(outcome) = tester.value().get() {
            status.set(Some(outcome));
        }
    });
    let test = move |_| {
        if let Some(problem) = unusable() {
            status.set(Some((false, problem)));
            return;
        }
        let (c, entered) = form_connection();
        if entered && c.credential.is_none() {
            status.set(Some((false, "The API base is on another origin: enter the token for it before testing.".into())));
            return;
        }
        tester.dispatch(c);
    };
    let sign_out = move |_| {
        app.sign_out();
        token.set(String::new());
        status
            .set(Some((true, "Signed out: the token was removed from this browser, and the app's other tabs are signed out too.".into())));
    };
    // With `loginUrl` the password goes there (and only there); the token is kept for the
    // API base below, as any sign-in token is.
    let login_url = app.config.with_value(|c| c.login_url.clone());
    let by_email = login_url.is_some();
    let signer = Action::new_unsync(move |(base_only, u, p): &(Connection, String, String)| {
        let client = app.client_for(base_only);
        let (base_only, u, p, at) = (base_only.clone(), u.clone(), p.clone(), login_url.clone());
        async move {
            let answer = match at {
                Some(url) => client.login_email(&url, &u, &p).await,
                None => client.login(&u, &p).await,
            };
            (base_only, u, answer)
        }
    });
    let signing_in = signer.pending();
    Effect::new(move |_| {
        let Some((base_only, u, answer)) = signer.value().get() else { return };
        match answer {
            Ok(t) if token_problem(&t.token).is_some() => {
                let problem = token_problem(&t.token).unwrap_or_default();
                status.set(Some((false, format!("The sign-in answer holds a token the app cannot send. {problem}"))));
            }
            Ok(t) => {
                let expires_at_ms = expiry_at(crate::browser::now_ms(), t.expires_in_s);
                let until = expires_at_ms
                    .map(|ms| {
                        format!(" until {}", crate::time::format_datetime(ms, crate::browser::zone_offset(app.zone.get_untracked(), ms)))
                    })
                    .unwrap_or_default();
                let remember = remember_sign_in.get_untracked();
                app.save_connection(Connection { credential: Some(Credential::Bearer(t.token)), expires_at_ms, remember, ..base_only });
                kind.set("bearer".into());
                token.set(String::new());
                password.set(String::new());
                status.set(Some((true, format!("Signed in as {}{until}.", u.trim()))));
                go_back.with_value(|f| f());
            }
            Err(crate::api::ApiError::Unauthorized) => status.set(Some((false, "The username or password was not accepted.".into()))),
            Err(e) => status.set(Some((false, format!("{} {}", e.message(), e.next_step())))),
        }
    });
    let sign_in = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if signing_in.get_untracked() {
            return;
        }
        let (mut base_only, _) = form_connection();
        base_only.credential = None;
        signer.dispatch((base_only, user.get_untracked(), password.get_untracked()));
    };
    let expiry = move || {
        app.connection.with(|c| c.expires_at_ms).map(|ms| {
            format!("The sign-in token expires {}.", crate::time::format_datetime(ms, crate::browser::zone_offset(app.zone.get(), ms)))
        })
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
            {(!app.storage_ok.get_value()).then(|| view! {
                <p class="notice storage-unavailable" role="status">
                    "This browser does not let the app store anything here (a sandboxed frame or strict privacy settings). "
                    "The app still works: the connection is kept in memory for this page and is gone when it reloads."
                </p>
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

                <label class="check"><input type="checkbox" id="remember" prop:checked=move || remember.get() on:change=move |ev| remember.set(event_target_checked(&ev))/>
                    "Remember on this device (otherwise only for this tab)"</label>
                <div class="form-actions">
                    <button type="submit" class="button primary" id="save-connection">"Save"</button>
                    <button type="button" class="button" on:click=test disabled=move || testing.get()>
                        {move || if testing.get() { "Testing…" } else { "Test connection" }}
                    </button>
                    <button type="button" class="button" on:click=sign_out>"Sign out"</button>
                </div>
            </form>
            <h2>"Or sign in with a Patchworks account"</h2>
            <form class="settings-form" id="sign-in" on:submit=sign_in>
                <label for="user">{if by_email { "E-mail" } else { "Username or e-mail" }}</label>
                <input id="user" name="user" type=if by_email { "email" } else { "text" } autocomplete="username" prop:value=move || user.get() on:input=move |ev| user.set(event_target_value(&ev))/>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                <label class="check"><input type="checkbox" id="remember-sign-in" prop:checked=move || remember_sign_in.get() on:change=move |ev| remember_sign_in.set(event_target_checked(&ev))/>
                    "Remember on this device (otherwise only for this tab)"</label>
                <div class="form-actions">
                    <button type="submit" class="button primary" id="sign-in-button" disabled=move || signing_in.get()>
                        {move || if signing_in.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </div>
                <p class="hint">{expiry}</p>
            </form>
            {move || status.get().map(|(ok, msg)| view! {
                <p class=if ok { "form-status ok" } else { "form-status bad" } role="status">{msg}</p>
            })}
        </section>
    }
}
