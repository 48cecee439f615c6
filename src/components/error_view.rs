use crate::api::ApiError;
use leptos::prelude::*;

/// An API error in plain words, with the next step and, where it helps, a retry button.
#[component]
pub fn ErrorView(error: ApiError, #[prop(optional)] on_retry: Option<Callback<()>>) -> impl IntoView {
    let to_settings = matches!(error, ApiError::Unauthorized | ApiError::BadCredential { .. });
    let details = match &error {
        ApiError::Validation { errors, .. } if !errors.is_empty() => Some(view! {
            <ul class="field-errors">
                {errors
                    .iter()
                    .map(|(field, msgs)| view! { <li><b>{field.clone()}</b>": "{msgs.join(" ")}</li> })
                    .collect_view()}
            </ul>
        }),
        _ => None,
    };
    view! {
        <div class="error-view" role="alert">
            <p class="error-message">{error.message()}</p>
            {details}
            <p class="error-next">{error.next_step()}</p>
            <div class="error-actions">
                {to_settings.then(|| view! { <a class="button sign-in-link" href=crate::browser::app_href(&crate::url_state::settings_href(&crate::browser::current_path()))>"Sign in on the Connection page"</a> })}
                {on_retry.map(|cb| view! { <button class="button" on:click=move |_| cb.run(())>"Try again"</button> })}
            </div>
        </div>
    }
}
