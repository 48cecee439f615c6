use crate::api::RunStatus;
use leptos::prelude::*;

/// Colour, icon and text, so that status never rests on colour alone.
#[component]
pub fn StatusBadge(status: Option<RunStatus>) -> impl IntoView {
    let status = status.unwrap_or(RunStatus::Other("none".into()));
    let label = match &status {
        RunStatus::Other(raw) if raw == "none" => "No status".to_string(),
        s => s.label(),
    };
    let title = label.clone();
    view! {
        <span class=format!("badge status-{}", status.css()) title=title>
            <span class="badge-icon" aria-hidden="true">{status.icon()}</span>
            " "
            {label}
        </span>
    }
}
