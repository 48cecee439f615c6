use crate::api::FlowRunLog;
use crate::browser;
use crate::logs::{clock_ms, collapsed, highlight, offset_ms, row_text, scroll_to_row, window, LogStore, OVERSCAN, ROW_HEIGHT};
use crate::time::Zone;
use leptos::prelude::*;
use std::hash::{Hash, Hasher};

/// How rows show their time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimeShown {
    pub zone: Zone,
    /// Offsets from this instant (the run's start) instead of clock times.
    pub offsets_from: Option<i64>,
}

impl TimeShown {
    pub fn format(self, ms: Option<i64>) -> String {
        let Some(ms) = ms else { return "–".into() };
        match self.offsets_from {
            Some(start) => offset_ms(ms, start),
            None => clock_ms(ms, browser::zone_offset(self.zone, ms)),
        }
    }
}

/// The entries of a `LogStore` as rows. Unwrapped, the list is virtual: rows have one height
/// and only those in (or near) the viewport exist in the DOM, whatever the number of entries.
/// Wrapped rows (long messages shown whole) are all rendered, so the page allows wrapping
/// only for short lists.
#[component]
pub fn LogList(
    store: StoredValue<LogStore, LocalStorage>,
    /// Bumped whenever the store's entries, filter or search change.
    #[prop(into)]
    version: Signal<u64>,
    #[prop(into)] time: Signal<TimeShown>,
    #[prop(into)] wrap: Signal<bool>,
    #[prop(into)] selected: Signal<Option<String>>,
    /// The row of the current search match.
    #[prop(into)]
    current: Signal<Option<usize>>,
    /// Set to a row (and a fresh number) to bring that row into view.
    scroll_to: RwSignal<Option<(usize, u64)>>,
    /// Keep the view at the bottom as entries arrive, while the user is there.
    #[prop(into)]
    follow: Signal<bool>,
    on_select: Callback<String>,
) -> impl IntoView {
    let container = NodeRef::<leptos::html::Div>::new();
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(480.0f64);
    let at_bottom = StoredValue::new(true);
    let rows = Memo::new(move |_| {
        version.track();
        store.with_value(LogStore::visible_len)
    });
    // Also run from animation frames and scroll events, which can arrive after the list has
    // gone: every read is a `try_`.
    let measure = move || {
        if let Some(Some(el)) = container.try_get_untracked() {
            let top = f64::from(el.scroll_top());
            let height = f64::from(el.client_height());
            at_bottom.set_value(top + height >= f64::from(el.scroll_height()) - ROW_HEIGHT * 1.5);
            scroll_top.set(top);
            if height > 0.0 {
                viewport.set(height);
            }
        }
    };
    request_animation_frame(measure);
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    // Scroll requests: centre the row (virtual), or find its element (wrapped).
    Effect::new(move |_| {
        let Some((row, _)) = scroll_to.get() else { return };
        let Some(el) = container.get_untracked() else { return };
        if wrap.get_untracked() {
            // Looked up inside this list: two lists on a page (widgets) repeat row ids.
            let found = el.query_selector(&format!("#logrow-{row}")).ok().flatten();
            if let Some(r) = found.and_then(|r| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(r).ok()) {
                el.set_scroll_top((r.offset_top() - el.client_height() / 2).max(0));
            }
        } else {
            el.set_scroll_top(scroll_to_row(row, viewport.get_untracked(), ROW_HEIGHT) as i32);
        }
        measure();
    });
    // Following: new rows keep the view at the bottom if it was there.
    Effect::new(move |prev: Option<usize>| {
        let n = rows.get();
        if prev.is_some_and(|p| p < n) && follow.get_untracked() && at_bottom.get_value() {
            // A frame later the list may be gone (the page left in the same frame).
            request_animation_frame(move || {
                if let Some(Some(el)) = container.try_get_untracked() {
                    el.set_scroll_top(el.scroll_height());
                    measure();
                }
            });
        }
        n
    });

    // Keyboard (the listbox pattern): the list takes focus once; arrows, Page Up/Down, Home
    // and End move the active entry (scrolled into view), Enter or Space opens it.
    let active = RwSignal::new(None::<usize>);
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let n = rows.get_untracked();
        let Some(el) = container.get_untracked() else { return };
        if n == 0 {
            return;
        }
        let page = ((viewport.get_untracked() / ROW_HEIGHT) as usize).saturating_sub(1).max(1);
        let at = active.get_untracked().unwrap_or(0).min(n - 1);
        let key = ev.key();
        if key == "Enter" || key == " " {
            ev.prevent_default();
            if let Some(id) = store.with_value(|s| s.row(at).map(|e| e.id.clone())) {
                on_select.run(id);
            }
            return;
        }
        let Some(to) = key_move(&key, at, n, page) else { return };
        ev.prevent_default();
        active.set(Some(to));
        if wrap.get_untracked() {
            if let Some(r) = el.query_selector(&format!("#logrow-{to}")).ok().flatten() {
                r.scroll_into_view_with_bool(false);
            }
        } else {
            let (top, h) = (to as f64 * ROW_HEIGHT, f64::from(el.client_height()));
            let st = f64::from(el.scroll_top());
            if top < st {
                el.set_scroll_top(top as i32);
            } else if top + ROW_HEIGHT > st + h {
                el.set_scroll_top((top + ROW_HEIGHT - h).ceil() as i32);
            }
        }
        measure();
    };
    let items = move || {
        let n = rows.get();
        let wrapped = wrap.get();
        let (start, end) = if wrapped { (0, n) } else { window(scroll_top.get(), viewport.get(), n, ROW_HEIGHT, OVERSCAN) };
        let (sel, cur, t) = (selected.get(), current.get(), time.get());
        store.with_value(|s| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (s.query(), &sel, cur, t, wrapped, s.levels()).hash(&mut h);
            let stamp = h.finish();
            (start..end)
                .filter_map(|p| {
                    let e = s.row(p)?;
                    let flags = (s.is_match(p), cur == Some(p), sel.as_deref() == Some(e.id.as_str()));
                    Some(RowItem { pos: p, entry: e.clone(), flags, stamp })
                })
                .collect::<Vec<_>>()
        })
    };
    let query = move || {
        version.track();
        store.with_value(|s| s.query().to_string())
    };
    view! {
        <div class="log-scroll" class:wrapped=move || wrap.get() node_ref=container on:scroll=move |_| measure() role="listbox" tabindex="0"
            aria-label=move || format!("Log entries, {} in all", rows.get()) on:keydown=on_key
            on:focus=move |_| if active.get_untracked().is_none() { active.set(Some(current.get_untracked().unwrap_or((scroll_top.get_untracked() / ROW_HEIGHT) as usize))) }
            aria-activedescendant=move || active.get().filter(|a| *a < rows.get()).map(|a| format!("logrow-{a}"))>
            <div class="log-canvas" style:height=move || if wrap.get() { "auto".to_string() } else { format!("{}px", rows.get() as f64 * ROW_HEIGHT) }>
                <For each=items key=|r| (r.pos, r.entry.id.clone(), r.stamp) let:r>
                    {row(r, time.get_untracked(), wrap.get_untracked(), query(), on_select, (active, rows))}
                </For>
            </div>
        </div>
    }
}

#[derive(Clone)]
struct RowItem {
    pos: usize,
    entry: FlowRunLog,
    /// (matches the search, is the current match, is selected)
    flags: (bool, bool, bool),
    stamp: u64,
}

/// `aria`: the active row and the number of rows, for the listbox's position and size.
fn row(
    r: RowItem,
    time: TimeShown,
    wrapped: bool,
    query: String,
    on_select: Callback<String>,
    aria: (RwSignal<Option<usize>>, Memo<usize>),
) -> impl IntoView {
    let (active, rows) = aria;
    let pos = r.pos;
    let e = r.entry;
    let (is_match, is_current, is_selected) = r.flags;
    let level = e.level.as_ref().map(|l| l.label().to_string()).unwrap_or_else(|| "–".into());
    let level_class = format!("log-level lvl-{}", e.level.as_ref().map_or("none".to_string(), |l| css_level(l.label())));
    let text = if wrapped {
        match collapsed(&e.message) {
            Some(head) => format!("{head}…"),
            None => e.message.clone(),
        }
    } else {
        row_text(&e.message)
    };
    let pieces = if is_match { highlight(&text, &query) } else { vec![(text, false)] };
    let step = e.step_name.clone().or(e.step_id.clone()).unwrap_or_default();
    let step_title = step.clone();
    let id = e.id.clone();
    let top = (!wrapped).then(|| format!("{}px", r.pos as f64 * ROW_HEIGHT));
    view! {
        <div class="log-row" class:match=is_match class:current=is_current class:selected=is_selected
            id=format!("logrow-{}", r.pos) data-id=e.id.clone() role="option" style:top=top
            aria-selected=is_selected.to_string() aria-posinset=pos + 1 aria-setsize=move || rows.get() class:active=move || active.get() == Some(pos)
            on:click=move |_| { active.set(Some(pos)); on_select.run(id.clone()) }>
            <span class="log-time">{time.format(e.created_at_ms)}</span>
            <span class=level_class>{level}</span>
            <span class="log-step" title=step_title>{step}</span>
            <span class="log-msg">{pieces.into_iter().map(|(t, m)| if m { view! { <mark>{t}</mark> }.into_any() } else { t.into_any() }).collect_view()}</span>
        </div>
    }
}

/// Where a key moves the active row of `n` (`page` rows a screen): arrows by one, Page
/// Up/Down by a screen, Home and End to the ends; `None` for other keys.
pub fn key_move(key: &str, at: usize, n: usize, page: usize) -> Option<usize> {
    let last = n.checked_sub(1)?;
    Some(match key {
        "ArrowDown" => (at + 1).min(last),
        "ArrowUp" => at.saturating_sub(1),
        "PageDown" => at.saturating_add(page).min(last),
        "PageUp" => at.saturating_sub(page),
        "Home" => 0,
        "End" => last,
        _ => return None,
    })
}

/// A level's CSS class suffix: letters only, so no value can reach outside `lvl-…`.
pub fn css_level(label: &str) -> String {
    let s: String = label.chars().filter(char::is_ascii_alphabetic).map(|c| c.to_ascii_lowercase()).collect();
    if s.is_empty() {
        "other".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::key_move;

    #[test]
    fn keys_move_the_active_entry_within_the_list() {
        assert_eq!(key_move("ArrowDown", 0, 200_000, 20), Some(1));
        assert_eq!(key_move("ArrowDown", 199_999, 200_000, 20), Some(199_999));
        assert_eq!(key_move("ArrowUp", 0, 5, 20), Some(0));
        assert_eq!(key_move("PageDown", 10, 25, 20), Some(24));
        assert_eq!(key_move("PageUp", 10, 25, 20), Some(0));
        assert_eq!(key_move("Home", 7, 25, 20), Some(0));
        assert_eq!(key_move("End", 7, 25, 20), Some(24));
        assert_eq!(key_move("x", 7, 25, 20), None);
        assert_eq!(key_move("End", 0, 0, 20), None, "an empty list has no active entry");
    }
}
