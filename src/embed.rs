//! Embed routes in an iframe tell the host page their content height, so that the host can
//! size the frame without scrollbars. The message:
//!
//! ```json
//! {"type": "flow-run-console:height", "height": 812, "path": "/embed/runs?status=3"}
//! ```
//!
//! It says what the frame shows (its path, its size), so it is posted only to the origin
//! `embedParentOrigin` names in `config.json`; without one, nothing is posted (never to
//! whoever framed the page: any site can frame it where `frame-ancestors` allows).

use crate::browser;
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The message's `type`.
pub const HEIGHT_MESSAGE: &str = "flow-run-console:height";

/// Where the height goes: the configured origin, and nothing else ("*" never: config.rs
/// refuses it, and this refuses it again).
pub fn height_target(configured: Option<&str>) -> Option<&str> {
    configured.filter(|o| *o != "*" && !o.is_empty())
}

/// Starts reporting the body's height to the parent window whenever it changes, if this page
/// is framed and `parent_origin` names the host. Ends with the current owner (the app's).
pub fn report_height(parent_origin: Option<String>) {
    let Some(target) = height_target(parent_origin.as_deref()).map(str::to_string) else { return };
    let Some(window) = web_sys::window() else { return };
    let Some(document) = window.document() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    if parent == window {
        return; // not in a frame
    }
    let Some(body) = document.body() else { return };
    let last = Rc::new(Cell::new(-1i32));
    let measured = body.clone();
    on_resize(&body, move || {
        let height = measured.offset_height();
        if height == last.get() {
            return;
        }
        last.set(height);
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"type".into(), &HEIGHT_MESSAGE.into());
        let _ = js_sys::Reflect::set(&msg, &"height".into(), &JsValue::from(height));
        let _ = js_sys::Reflect::set(&msg, &"path".into(), &JsValue::from_str(&browser::current_path()));
        let _ = parent.post_message(&msg, &target);
    });
}

/// Calls `f` now and whenever `element` changes size, until the current owner is cleaned up:
/// then the `ResizeObserver` is disconnected and `f` dropped.
pub fn on_resize(element: &web_sys::Element, mut f: impl FnMut() + 'static) {
    f();
    let callback = Closure::<dyn FnMut()>::new(f);
    let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) else { return };
    observer.observe(element);
    let held = StoredValue::new_local(Some((observer, callback)));
    // Clean-ups run before the owner's stored values are dropped: the observer is
    // disconnected before its callback is freed, so it never calls a freed closure.
    on_cleanup(move || {
        if let Some((observer, _callback)) = held.try_update_value(Option::take).flatten() {
            observer.disconnect();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_height_goes_only_to_a_named_origin() {
        assert_eq!(height_target(None), None);
        assert_eq!(height_target(Some("*")), None);
        assert_eq!(height_target(Some("")), None);
        assert_eq!(height_target(Some("https://intranet.example")), Some("https://intranet.example"));
    }
}
