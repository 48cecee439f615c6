use crate::browser::{self, Store};
use crate::saved_views::{self, SavedView, STORAGE_KEY};
use leptos::prelude::*;

fn load() -> Vec<SavedView> {
    browser::storage_get(Store::Local, STORAGE_KEY).map(|t| saved_views::from_json(&t)).unwrap_or_default()
}

/// Save the current view under a name; open, rename or delete saved ones.
#[component]
pub fn SavedViews(#[prop(into)] current_href: Signal<String>) -> impl IntoView {
    let views = RwSignal::new(load());
    let name = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let renaming = RwSignal::new(None::<(String, String)>);
    let store = move |v: Vec<SavedView>| {
        if !browser::storage_set(Store::Local, STORAGE_KEY, &saved_views::to_json(&v)) {
            message.set(Some("This browser does not keep data for this page; the view lasts until you leave.".into()));
        }
        views.set(v);
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut v = views.get_untracked();
        match saved_views::save(&mut v, &name.get_untracked(), &current_href.get_untracked()) {
            Ok(()) => {
                message.set(Some(format!("Saved \"{}\".", name.get_untracked().trim())));
                name.set(String::new());
                store(v);
            }
            Err(e) => message.set(Some(e)),
        }
    };
    view! {
        <details class="saved-views">
            <summary>{move || format!("Saved views ({})", views.with(Vec::len))}</summary>
            <form class="save-view" on:submit=save>
                <input type="text" name="view-name" placeholder="Name this view" aria-label="Name of the view to save" maxlength="80"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <button type="submit" class="button">"Save current view"</button>
            </form>
            {move || message.get().map(|m| view! { <p class="hint" role="status">{m}</p> })}
            <ul class="view-list">
                {move || views.get().into_iter().map(|v| {
                    let n1 = v.name.clone();
                    let n2 = v.name.clone();
                    let n3 = v.name.clone();
                    let editing = move || renaming.with(|r| r.as_ref().is_some_and(|(from, _)| *from == n1));
                    view! {
                        <li>
                            {move || if editing() {
                                view! {
                                    <form class="inline" on:submit=move |ev| {
                                        ev.prevent_default();
                                        if let Some((from, to)) = renaming.get_untracked() {
                                            let mut all = views.get_untracked();
                                            match saved_views::rename(&mut all, &from, &to) {
                                                Ok(()) => { store(all); renaming.set(None); }
                                                Err(e) => message.set(Some(e)),
                                            }
                                        }
                                    }>
                                        <input type="text" aria-label="New name" maxlength="80"
                                            prop:value=move || renaming.with(|r| r.as_ref().map(|(_, t)| t.clone()).unwrap_or_default())
                                            on:input=move |ev| renaming.update(|r| if let Some((_, t)) = r { *t = event_target_value(&ev) })/>
                                        <button type="submit" class="button">"Rename"</button>
                                    </form>
                                }.into_any()
                            } else {
                                view! { <a href=crate::browser::app_href(&v.href)>{v.name.clone()}</a> }.into_any()
                            }}
                            <button type="button" class="link-button" title="Rename" on:click=move |_| renaming.set(Some((n2.clone(), n2.clone())))>"rename"</button>
                            <button type="button" class="link-button" title="Delete" on:click=move |_| {
                                let mut all = views.get_untracked();
                                saved_views::delete(&mut all, &n3);
                                store(all);
                            }>"delete"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </details>
    }
}
