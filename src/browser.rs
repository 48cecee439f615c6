//! Thin, failure-tolerant wrappers over the browser APIs the app uses. Each answers a
//! neutral value where the API is missing (sandboxed iframes, privacy modes, native tests).

use wasm_bindgen::JsCast;

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Minutes east of UTC at `ms` in the zone the app shows (UTC, or the browser's).
pub fn zone_offset(zone: crate::time::Zone, ms: i64) -> i32 {
    zone.offset_minutes(ms, local_offset_minutes)
}

/// Minutes east of UTC of the browser's zone at `ms` (JavaScript counts them west).
pub fn local_offset_minutes(ms: i64) -> i32 {
    -(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64)).get_timezone_offset() as i32)
}

/// The page's origin, such as `http://127.0.0.1:8080`.
pub fn origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

/// The origin of `url` (absolute, or a path on this page's origin) by the browser's own URL
/// parser, for http(s) URLs only: what `fetch` will contact. `None` where it cannot say.
pub fn url_origin(url: &str) -> Option<String> {
    let u = web_sys::Url::new_with_base(url.trim(), &format!("{}/", origin())).ok()?;
    matches!(u.protocol().as_str(), "http:" | "https:").then(|| u.origin()).filter(|o| o != "null")
}

/// `next` (an app path from `?next=`) if it stays in this app: the pure pre-check
/// (`url_state::safe_next`), then the browser's own parser, resolving it under the base path,
/// must land on this origin, inside the base path, on a path that does not begin with `//`
/// (which `pushState` would read as another host). Answers the app path it resolves to.
pub fn safe_next(next: &str) -> Option<String> {
    let n = crate::url_state::safe_next(next)?;
    let here = origin();
    let base = base_path();
    let u = web_sys::Url::new_with_base(&format!("{base}{n}"), &format!("{here}/")).ok()?;
    let path = u.pathname();
    if u.origin() != here || path.starts_with("//") {
        return None;
    }
    let inside = if base.is_empty() { Some(path.as_str()) } else { path.strip_prefix(&base).filter(|p| p.starts_with('/')) };
    let app_path = inside?;
    (!app_path.starts_with("//")).then(|| format!("{app_path}{}{}", u.search(), u.hash()))
}

/// Whether the app runs inside a frame of another page (an embed route, or a full route
/// someone framed): then nothing that changes runs is offered (no retry, no stop).
pub fn framed() -> bool {
    thread_local! {
        static FRAMED: bool = web_sys::window().is_some_and(|w| match w.top() {
            Ok(Some(top)) => top != w,
            // The top window cannot even be named: certainly a frame.
            _ => true,
        });
    }
    FRAMED.with(|f| *f)
}

/// The current app path and query, such as `/runs?status=3` (no origin, no fragment, and
/// without the base path when the app is hosted under one).
pub fn current_path() -> String {
    let full = web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.pathname().ok()?, l.search().ok()?))
        })
        .unwrap_or_default();
    crate::url_state::strip_base(&base_path(), &full).to_string()
}

/// The app's base path from `<base href>`: "" at the root, "/tools/runs" under a sub-path.
pub fn base_path() -> String {
    thread_local! {
        static BASE: String = {
            let path = web_sys::Url::new(&base_uri()).map(|u| u.pathname()).unwrap_or_default();
            crate::url_state::base_path_of(&path)
        };
    }
    BASE.with(Clone::clone)
}

/// Whether the page was opened as an embed route (`/embed/…`, in an iframe): then links
/// and navigation stay on embed routes, and the chrome is minimal.
pub fn embedded() -> bool {
    thread_local! {
        static EMBEDDED: bool = crate::url_state::is_embed_path(&current_path());
    }
    EMBEDDED.with(|e| *e)
}

thread_local! {
    /// In a script widget: where the full app lives (every widget of a page comes from one
    /// deployment).
    static WIDGET_APP_URL: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Enters widget mode: links point at the full app at `url` (the widget intercepts its own).
pub fn set_widget_app_url(url: &str) {
    WIDGET_APP_URL.with(|u| *u.borrow_mut() = Some(url.trim_end_matches('/').to_string()));
}

/// The full app's URL in widget mode; `None` in the app itself.
pub fn widget_app_url() -> Option<String> {
    WIDGET_APP_URL.with(|u| u.borrow().clone())
}

/// The route to navigate to for app path `path` (`/runs/7`): the embed route when embedded.
pub fn route(path: &str) -> String {
    if embedded() && widget_app_url().is_none() {
        crate::url_state::embed_route(path)
    } else {
        path.to_string()
    }
}

/// An app path (`/runs/7`) as a link the browser can follow: with the base path in front,
/// and on the embed route when embedded.
pub fn app_href(path: &str) -> String {
    match widget_app_url() {
        Some(app) => format!("{app}{path}"),
        None => format!("{}{}", base_path(), route(path)),
    }
}

/// The full app's link for app path `path`, also from an embed route (for "open in new tab").
pub fn full_app_href(path: &str) -> String {
    format!("{}{}{}", origin(), base_path(), crate::url_state::full_route(path))
}

/// The document's base URL (for files beside `index.html`, which may sit under a sub-path).
pub fn base_uri() -> String {
    web_sys::window().and_then(|w| w.document()).and_then(|d| d.base_uri().ok().flatten()).unwrap_or_default()
}

/// Whether a storage can be written (not in some sandboxed iframes and privacy modes).
pub fn storage_works(which: Store) -> bool {
    const PROBE: &str = "frc.probe";
    let ok = storage_set(which, PROBE, "1");
    storage_remove(which, PROBE);
    ok
}

/// Which browser storage a value lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    Local,
    Session,
}

fn storage(which: Store) -> Option<web_sys::Storage> {
    let w = web_sys::window()?;
    // Both calls throw (Err) in sandboxed frames without allow-same-origin.
    match which {
        Store::Local => w.local_storage().ok().flatten(),
        Store::Session => w.session_storage().ok().flatten(),
    }
}

pub fn storage_get(which: Store, key: &str) -> Option<String> {
    storage(which)?.get_item(key).ok().flatten()
}

/// `false` when the value could not be kept (no storage, quota, privacy mode).
pub fn storage_set(which: Store, key: &str, value: &str) -> bool {
    storage(which).is_some_and(|s| s.set_item(key, value).is_ok())
}

pub fn storage_remove(which: Store, key: &str) {
    if let Some(s) = storage(which) {
        let _ = s.remove_item(key);
    }
}

/// Sets or removes an attribute on `<html>`.
pub fn set_root_attribute(name: &str, value: Option<&str>) {
    let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) else { return };
    let _ = match value {
        Some(v) => root.set_attribute(name, v),
        None => root.remove_attribute(name),
    };
}

pub fn prefers_dark() -> bool {
    web_sys::window().and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten()).is_some_and(|m| m.matches())
}

/// The element with this id, as an `HtmlElement`.
pub fn element_by_id(id: &str) -> Option<web_sys::HtmlElement> {
    web_sys::window()?.document()?.get_element_by_id(id)?.dyn_into().ok()
}

/// Offers `text` as a file download named `name`, made in the browser (nothing is sent
/// anywhere). Answers false where the browser cannot.
pub fn download_text(name: &str, mime: &str, text: &str) -> bool {
    let build = || -> Option<()> {
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type(mime);
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).ok()?;
        let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
        let doc = web_sys::window()?.document()?;
        let a: web_sys::HtmlAnchorElement = doc.create_element("a").ok()?.dyn_into().ok()?;
        a.set_href(&url);
        a.set_download(name);
        a.click();
        // The click has started the download; the URL can go once this task is over. A timer of
        // the page, not of a view: it touches nothing but the URL.
        let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        });
        web_sys::window()?.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000).ok()?;
        Some(())
    };
    build().is_some()
}

/// Puts `text` on the clipboard (asynchronously; a refusal is ignored, never an unhandled
/// rejection). `false` where there is no clipboard: outside secure contexts (a deployment on
/// plain http) `navigator.clipboard` is missing, and calling it would throw.
pub fn copy_text(text: &str) -> bool {
    let Some(w) = web_sys::window() else { return false };
    let navigator = w.navigator();
    let present = js_sys::Reflect::get(&navigator, &"clipboard".into()).is_ok_and(|c| !c.is_undefined() && !c.is_null());
    if !present {
        return false;
    }
    let ignore = wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(|_| {});
    let _ = navigator.clipboard().write_text(text).catch(&ignore);
    ignore.forget();
    true
}

/// Whether the document is hidden (a background tab).
pub fn page_hidden() -> bool {
    web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Hidden)
}

/// A User Timing mark (`performance.mark`), which benchmarks read; nothing else uses it.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Whether a key event comes from a text field or a select (page shortcuts stay out of them).
pub fn typing_in_field(ev: &web_sys::Event) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
}
