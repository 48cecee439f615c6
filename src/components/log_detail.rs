use crate::api::FlowRunLog;
use crate::browser;
use crate::components::json_tree::JsonTree;
use crate::format::format_bytes;
use crate::logs::{collapsed, detail_time, json_line};
use crate::time::Zone;
use leptos::prelude::*;

/// One entry in full: message (long ones collapsed behind "show all"), the `message` parts
/// array, `meta` and metadata as JSON trees (text nodes only), payload ids, attempts, page number, and copy actions.
#[component]
pub fn LogDetail(
    entry: FlowRunLog,
    zone: Zone,
    /// The app link to this entry; `None` for an entry of a local file, which has none.
    permalink: Option<String>,
    /// Why it is shown apart from the list, if it is.
    #[prop(optional)]
    note: Option<String>,
    on_close: Callback<()>,
) -> impl IntoView {
    let show_all = RwSignal::new(false);
    let copied = RwSignal::new(None::<&'static str>);
    let scope = crate::tasks::Scope::here();
    let copy = move |what: &'static str, text: String| {
        if !browser::copy_text(&text) {
            return;
        }
        copied.set(Some(what));
        scope.after(2_000, move || copied.set(None));
    };
    let e = entry;
    let when = e.created_at_ms.map(|ms| detail_time(ms, browser::zone_offset(zone, ms)));
    let message = e.message.clone();
    let long = collapsed(&message).map(|head| (head.to_string(), message.len()));
    let msg_for_copy = message.clone();
    let json = json_line(&e);
    let link = permalink.map(|p| format!("{}{}", browser::origin(), browser::app_href(&p)));
    view! {
        <section class="log-detail" aria-label=crate::nav::label("Log entry")>
            <header>
                <h2>"Entry #"{e.id.clone()}</h2>
                <div class="actions">
                    {match link {
                        Some(link) => view! { <button type="button" class="link-button copy-permalink" on:click=move |_| copy("link", link.clone())>"copy permalink"</button> }.into_any(),
                        None => view! { <span class="no-permalink" title="A link cannot point into a file on this computer">"no permalink: this entry is in a local file"</span> }.into_any(),
                    }}
                    <button type="button" class="link-button" on:click=move |_| copy("message", msg_for_copy.clone())>"copy message"</button>
                    <button type="button" class="link-button" on:click=move |_| copy("JSON", json.trim_end().to_string())>"copy JSON"</button>
                    <span class="copied" aria-live="polite">{move || copied.get().map(|w| format!("{w} copied"))}</span>
                    <button type="button" class="button close" title="Close (Esc)" on:click=move |_| on_close.run(())>"Close"</button>
                </div>
            </header>
            {note.map(|n| view! { <p class="notice">{n}</p> })}
            <dl class="summary compact">
                <dt>"Time"</dt><dd>{when.unwrap_or_else(|| "–".into())}</dd>
                <dt>"Level"</dt><dd>{e.level.as_ref().map(|l| l.label().to_string()).unwrap_or_else(|| "–".into())}</dd>
                <dt>"Step"</dt><dd>{match (e.step_name.clone(), e.step_id.clone()) {
                    (Some(n), Some(id)) => format!("{n} (id {id})"),
                    (Some(n), None) => n,
                    (None, Some(id)) => format!("id {id}"),
                    (None, None) => "–".into(),
                }}</dd>
                <dt>"Attempts"</dt><dd>{e.attempts.map(|a| a.to_string()).unwrap_or_else(|| "–".into())}</dd>
                <dt>"Page number"</dt><dd>{e.page_number.map(|a| a.to_string()).unwrap_or_else(|| "–".into())}</dd>
                <dt>"Payload ids"</dt><dd class="payload-ids">{if e.payload_ids.is_empty() { "–".to_string() } else { e.payload_ids.join(", ") }}</dd>
            </dl>
            <h3>"Message"</h3>
            {match long {
                None => view! { <pre class="log-message">{message}</pre> }.into_any(),
                Some((head, len)) => view! {
                    <pre class="log-message">{move || if show_all.get() { message.clone() } else { format!("{head}…") }}</pre>
                    <button type="button" class="button show-all" on:click=move |_| show_all.update(|s| *s = !*s)>
                        {move || if show_all.get() { "show less".to_string() } else { format!("show all ({})", format_bytes(len as u64)) }}
                    </button>
                }.into_any(),
            }}
            {e.parts.clone().map(|m| view! { <h3>"message (parts)"</h3><div class="message-parts"><JsonTree text=m/></div> })}
            {e.meta.clone().map(|m| view! { <h3>"meta"</h3><JsonTree text=m/> })}
            {e.metadata.clone().map(|m| view! { <h3>"flow_run_log_metadata"</h3><JsonTree text=m/> })}
        </section>
    }
}
