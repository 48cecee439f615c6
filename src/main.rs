use flow_run_console::{browser, config::AppConfig, App};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Reads `config.json` beside `index.html`, then mounts the app. A missing or broken file
/// is not fatal: defaults apply and the Connection page says what was wrong.
async fn load_config() -> (AppConfig, Vec<String>) {
    let url = web_sys::Url::new_with_base("config.json", &browser::base_uri()).map(|u| u.href()).unwrap_or_else(|_| "config.json".into());
    let answer = gloo_net::http::Request::get(&url).cache(web_sys::RequestCache::NoCache).send().await;
    match answer {
        Ok(resp) if resp.ok() => match resp.text().await {
            Ok(text) => AppConfig::from_json(&text),
            Err(_) => (AppConfig::default(), vec!["config.json could not be read; using defaults".into()]),
        },
        Ok(resp) => (AppConfig::default(), vec![format!("config.json answered HTTP {}; using defaults", resp.status())]),
        Err(_) => (AppConfig::default(), vec!["config.json could not be fetched; using defaults".into()]),
    }
}

fn main() {
    // Loaded by `widget.js` into another page: widgets mount themselves, the app does not.
    let widget_page = web_sys::window().and_then(|w| js_sys::Reflect::get(&w, &"__frcWidget".into()).ok()).is_some_and(|v| v.is_truthy());
    if widget_page {
        return;
    }
    // App-lifetime: reads config.json, then mounts the app (nothing is mounted before it).
    wasm_bindgen_futures::spawn_local(async {
        let (config, config_warnings) = load_config().await;
        if let Some(boot) = browser::element_by_id("boot") {
            boot.remove();
        }
        leptos::mount::mount_to_body(move || view! { <App config config_warnings/> });
    });
}

/// The bytes of WebAssembly memory the app holds, for benchmarks (the JS heap does not count
/// it): `wasmBindings.frcWasmMemoryBytes()`.
#[wasm_bindgen::prelude::wasm_bindgen(js_name = frcWasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size(0) as f64 * 65_536.0
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// A mounted script widget, as the host page's JavaScript holds it.
#[wasm_bindgen::prelude::wasm_bindgen]
pub struct WidgetHandle {
    widget: flow_run_console::widget::Widget,
    element: web_sys::HtmlElement,
    options: wasm_bindgen::JsValue,
}

#[wasm_bindgen::prelude::wasm_bindgen]
impl WidgetHandle {
    /// Removes the widget and everything it rendered; other widgets carry on.
    pub fn unmount(&mut self) {
        self.widget.unmount();
    }

    /// Shows the widget again with these options merged over the ones it had.
    pub fn update(&mut self, options: wasm_bindgen::JsValue) -> Result<(), wasm_bindgen::JsValue> {
        let merged = js_sys::Object::assign(&js_sys::Object::new(), self.options.unchecked_ref());
        let merged = js_sys::Object::assign(&merged, options.unchecked_ref());
        self.widget.unmount();
        self.widget = flow_run_console::widget::mount(self.element.clone(), &merged)?;
        self.options = merged.into();
        Ok(())
    }
}

/// `mount(element, options)` of `widget.js`: see README (Embedding with a script).
#[wasm_bindgen::prelude::wasm_bindgen(js_name = frcMountWidget)]
pub fn mount_widget(element: web_sys::HtmlElement, options: wasm_bindgen::JsValue) -> Result<WidgetHandle, wasm_bindgen::JsValue> {
    let widget = flow_run_console::widget::mount(element.clone(), &options)?;
    Ok(WidgetHandle { widget, element, options })
}
