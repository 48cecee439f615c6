//! Embed routes in an iframe tell the host page their content height, so that the host can
//! size the frame without scrollbars. The message, posted to the host's origin only:
//!
//! ```json
//! {"type": "flow-run-console:height", "height": 812, "path": "/embed/runs?status=3"}
//! ```
//!
//! The target origin is `embedParentOrigin` from `config.json`, else the origin of the page
//! that framed this one (`document.referrer`); with neither, nothing is posted.

use crate::browser;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The message's `type`.
pub const HEIGHT_MESSAGE: &str = "flow-run-console:height";

/// Starts reporting the body's height to the parent window whenever it changes.
pub fn report_height(parent_origin: Option<String>) {
    let Some(window) = web_sys::window() else { return };
    let Some(document) = window.document() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    if parent == window {
        return; // not in a frame
    }
    let target = parent_origin.or_else(|| crate::session::origin_of(&document.referrer()));
    let Some(target) = target else { return };
    let Some(body) = document.body() else { return };
    let last = Rc::new(Cell::new(-1i32));
    let post = {
        let body = body.clone();
        move || {
            let height = body.offset_height();
            if height == last.get() {
                return;
            }
            last.set(height);
            let msg = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&msg, &"type".into(), &HEIGHT_MESSAGE.into());
            let _ = js_sys::Reflect::set(&msg, &"height".into(), &JsValue::from(height));
            let _ = js_sys::Reflect::set(&msg, &"path".into(), &JsValue::from_str(&browser::current_path()));
            let _ = parent.post_message(&msg, &target);
        }
    };
    post();
    let callback = Closure::<dyn FnMut()>::new(post);
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(&body);
    }
    // The observer lives as long as the page.
    callback.forget();
}
