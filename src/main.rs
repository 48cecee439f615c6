use flow_run_console::{browser, config::AppConfig, App};
use leptos::prelude::*;

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
