use crate::api::RunStatus;
use leptos::html::span;
use leptos::prelude::*;

/// Colour, icon and text, so that status never rests on colour alone.
#[component]
pub fn StatusBadge(status: Option<RunStatus>) -> impl IntoView {
    badge(status)
}

/// [`StatusBadge`] as a plain function (the run table builds one a row, without a component each).
pub fn badge(status: Option<RunStatus>) -> impl IntoView {
    let status = status.unwrap_or(RunStatus::Other("none".into()));
    let label = match &status {
        RunStatus::Other(raw) if raw == "none" => "No status".to_string(),
        s => s.label(),
    };
    span().class(format!("badge status-{}", status.css())).title(label.clone()).child((
        span().class("badge-icon").attr("aria-hidden", "true").child(status.icon()),
        " ",
        label,
    ))
}
