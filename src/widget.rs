//! Script embedding: `mount(element, options)` puts a run list, a run or a log into another
//! page, politely. The widget keeps its view in memory (never in the host's URL or history),
//! intercepts only clicks on its own links, takes its connection from the options (a token,
//! or a callback that returns one, so a host that holds a token never stores it again), and
//! its stylesheet is scoped under `.frc-widget` with a reset, so that its styles do not leak
//! into the host and the host's element styles do not reach in. Several widgets live on one
//! page independently. The loader `widget.js` (written by `cargo xtask build`) wraps this.

use crate::api::query::encode_pairs;
use crate::api::Credential;
use crate::config::AppConfig;
use crate::nav::{view_of, Nav, View};
use crate::pages::{logs::LogsPage, run::RunPage, runs::RunsPage};
use crate::session::Connection;
use crate::state::{AppState, LinkState};
use leptos::prelude::*;
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The class every widget's root has, and the scope of its stylesheet.
pub const SCOPE: &str = ".frc-widget";

/// What the host page passes to `mount` (camelCase in JavaScript). Read tolerantly with the
/// API's decoders (numbers may come as strings); unknown keys are ignored.
#[derive(Default, Clone, Debug, PartialEq)]
pub struct WidgetOptions {
    /// The API's base URL; default: the origin the widget's files come from.
    pub api_base: Option<String>,
    pub token: Option<String>,
    /// `"bearer"` (a sign-in token, the default) or `"key"` (an API key, sent as it is).
    pub credential_type: Option<String>,
    /// `"runs"` (default), `"run"` or `"logs"`.
    pub view: Option<String>,
    pub run_id: Option<String>,
    /// The full views' URL filters: `status`, `trigger`, `range`, `flow` (or `flowId`), `q`,
    /// `step`, `level`, …
    pub filters: BTreeMap<String, String>,
    pub page_size: Option<u32>,
    /// Hides retry and stop; on unless set to false.
    pub read_only: Option<bool>,
    /// `"light"`, `"dark"`, or `"host"` (default: light or dark as the host page is where the
    /// widget sits, read from its text colour; the system's choice when that is unreadable).
    pub theme: Option<String>,
    /// Where the full app lives (its links open there); the loader sets it.
    pub app_url: Option<String>,
    /// The app's stylesheet (the loader sets it).
    pub css_url: Option<String>,
    pub refresh_seconds: Option<u32>,
}

thread_local! {
    /// Widgets mounted on this page so far, for their element id prefixes.
    static WIDGETS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// A filter's URL key, from its name or an alias (`flowId`, `flow_id` → `flow`).
fn filter_key(k: &str) -> Option<&'static str> {
    Some(match k {
        "status" => "status",
        "trigger" => "trigger",
        "range" => "range",
        "from" => "from",
        "to" => "to",
        "day" => "day",
        "q" | "search" => "q",
        "flow" | "flowId" | "flow_id" => "flow",
        "version" | "flowVersionId" | "flow_version_id" => "version",
        "env" | "environmentId" | "virtual_environment_id" => "env",
        "user" | "userId" | "user_id" => "user",
        "retried" => "retried",
        "warnings" | "hasWarnings" | "has_warnings" => "warnings",
        "sort" => "sort",
        "step" | "stepId" | "flow_step_id" => "step",
        "level" => "level",
        "time" => "time",
        _ => return None,
    })
}

impl WidgetOptions {
    pub fn from_value(v: &serde_json::Value) -> WidgetOptions {
        let Some(f) = crate::api::decode::Fields::of(v) else { return WidgetOptions::default() };
        let filters = f
            .get(&["filters"])
            .and_then(serde_json::Value::as_object)
            .map(|o| o.iter().filter_map(|(k, v)| crate::api::decode::as_string(v).map(|s| (k.clone(), s))).collect())
            .unwrap_or_default();
        let flag = |k: &str| f.get(&[k]).and_then(crate::api::decode::as_bool);
        let count = |k: &str| f.int(&[k]).and_then(|n| u32::try_from(n).ok());
        WidgetOptions {
            api_base: f.string(&["apiBase"]),
            token: f.string(&["token"]),
            credential_type: f.string(&["credentialType"]),
            view: f.string(&["view"]),
            run_id: f.string(&["runId"]),
            filters,
            page_size: count("pageSize"),
            read_only: flag("readOnly"),
            theme: f.string(&["theme"]),
            app_url: f.string(&["appUrl"]),
            css_url: f.string(&["cssUrl"]),
            refresh_seconds: count("refreshSeconds"),
        }
    }

    pub fn read_only(&self) -> bool {
        self.read_only.unwrap_or(true)
    }

    /// The app path the widget opens at, from `view`, `runId`, `filters` and `pageSize`.
    pub fn initial_location(&self) -> String {
        let mut pairs: Vec<(String, String)> =
            self.filters.iter().filter_map(|(k, v)| filter_key(k.trim()).map(|k| (k.to_string(), v.trim().to_string()))).collect();
        if let Some(n) = self.page_size {
            pairs.push(("per_page".into(), n.clamp(1, 100).to_string()));
        }
        let q = encode_pairs(&pairs);
        let with_query = |path: String| if q.is_empty() { path } else { format!("{path}?{q}") };
        let id = self.run_id.as_deref().map(str::trim).filter(|s| !s.is_empty());
        match (self.view.as_deref().unwrap_or("runs"), id) {
            ("run", Some(id)) => crate::url_state::run_href(id),
            ("logs", Some(id)) => with_query(crate::url_state::logs_href(id, &Default::default())),
            _ => with_query(crate::url_state::RUNS_PATH.into()),
        }
    }

    pub fn credential(&self, token: Option<String>) -> Option<Credential> {
        let t = token.or_else(|| self.token.clone()).map(|t| t.trim().to_string()).filter(|t| !t.is_empty())?;
        Some(if self.credential_type.as_deref() == Some("key") { Credential::ApiKey(t) } else { Credential::Bearer(t) })
    }

    pub fn theme_attr(&self) -> Option<&'static str> {
        match self.theme.as_deref() {
            Some("light") => Some("light"),
            Some("dark") => Some("dark"),
            _ => None,
        }
    }
}

/// The theme of a host whose text, where the widget sits, has the computed colour `color`:
/// light text is written on a dark page. `None` for anything but `rgb()`/`rgba()` (the
/// system's light or dark then decides), and for text so transparent it says nothing.
pub fn theme_for_text_color(color: &str) -> Option<&'static str> {
    let c = color.trim();
    let inner = c.strip_prefix("rgba(").or_else(|| c.strip_prefix("rgb("))?.strip_suffix(')')?;
    let parts: Vec<f64> = inner.split([',', ' ', '/']).filter(|p| !p.is_empty()).map(|p| p.parse::<f64>().ok()).collect::<Option<_>>()?;
    let (r, g, b) = match parts[..] {
        [r, g, b] => (r, g, b),
        [r, g, b, a] if a >= 0.5 => (r, g, b),
        _ => return None,
    };
    // Perceived brightness (ITU-R BT.601 weights), 0 to 255.
    let brightness = 0.299 * r + 0.587 * g + 0.114 * b;
    Some(if brightness > 127.5 { "dark" } else { "light" })
}

/// The app's stylesheet for widgets: every rule under `scope`, `:root`/`html`/`body` as the
/// scope itself, and a reset first, so the host's element styles do not reach in.
pub fn scope_css(css: &str, scope: &str) -> String {
    let css = strip_comments(css);
    let mut out = format!(
        "{scope}{{all:initial;display:block;font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;}}\
         {scope} :where(*:not(svg,svg *)){{all:revert;box-sizing:border-box;}}\n"
    );
    scope_block(&css, scope, &mut out);
    out
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("*/") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

fn scope_block(css: &str, scope: &str, out: &mut String) {
    let mut rest = css;
    loop {
        rest = rest.trim_start();
        let Some(open) = rest.find('{') else { break };
        let prelude = rest[..open].trim();
        let bytes = rest.as_bytes();
        let (mut depth, mut i) = (1usize, open + 1);
        while i < bytes.len() && depth > 0 {
            match bytes[i] {
                b'{' => depth += 1,
                b'}' => depth -= 1,
                _ => {}
            }
            i += 1;
        }
        let body = &rest[open + 1..i.saturating_sub(1).max(open + 1)];
        if prelude.starts_with("@media") || prelude.starts_with("@supports") {
            out.push_str(prelude);
            out.push('{');
            scope_block(body, scope, out);
            out.push_str("}\n");
        } else if prelude.starts_with('@') {
            out.push_str(&format!("{prelude}{{{body}}}\n"));
        } else {
            let selectors: Vec<String> = prelude.split(',').map(|s| scope_selector(s.trim(), scope)).collect();
            out.push_str(&format!("{}{{{body}}}\n", selectors.join(",")));
        }
        rest = &rest[i..];
    }
}

fn scope_selector(sel: &str, scope: &str) -> String {
    for root in [":root", "html", "body"] {
        if let Some(r) = sel.strip_prefix(root) {
            if r.is_empty() || r.starts_with([':', '[', '.']) {
                return format!("{scope}{r}");
            }
            if r.starts_with(' ') || r.starts_with('>') {
                return format!("{scope}{r}");
            }
        }
    }
    format!("{scope} {sel}")
}

/// One mounted widget.
pub struct Widget {
    handle: Option<Box<dyn std::any::Any>>,
    element: web_sys::HtmlElement,
}

impl Widget {
    pub fn unmount(&mut self) {
        self.handle.take();
        self.element.set_text_content(None);
    }
}

/// Mounts a widget into `element`. `options` is the host's object; `getToken` (a function
/// returning a token or a promise of one) is read from it besides the fields above.
pub fn mount(element: web_sys::HtmlElement, options: &JsValue) -> Result<Widget, JsValue> {
    // Functions (getToken) are read apart; the rest goes through JSON.
    let text = js_sys::JSON::stringify(options).ok().and_then(|s| s.as_string()).unwrap_or_default();
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| JsValue::from_str(&format!("flow-run-console: options: {e}")))?;
    let opts = WidgetOptions::from_value(&value);
    let base = opts.app_url.clone().unwrap_or_else(|| format!("{}/", crate::browser::origin()));
    let app_url = base.trim_end_matches('/').to_string();
    crate::browser::set_widget_app_url(&app_url);
    if let Some(css) = opts.css_url.clone() {
        install_styles(css);
    }
    let config = AppConfig {
        api_base: opts.api_base.clone().unwrap_or_else(|| crate::session::origin_of(&app_url).unwrap_or_default()),
        page_size: opts.page_size.unwrap_or(25).clamp(1, 100),
        refresh_seconds: opts.refresh_seconds.unwrap_or(30).clamp(5, 3600),
        ..AppConfig::default()
    };
    let get_token = js_sys::Reflect::get(options, &"getToken".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let connection = Connection { credential: opts.credential(None), ..Connection::default() };
    let read_only = opts.read_only();
    let theme = opts.theme_attr().or_else(|| {
        let color = web_sys::window()?.get_computed_style(&element).ok()??.get_property_value("color").ok()?;
        theme_for_text_color(&color)
    });
    let location = opts.initial_location();
    element.set_text_content(None);
    let handle = leptos::mount::mount_to(element.clone(), move || {
        let state = AppState::for_widget(config, connection);
        provide_context(state);
        provide_context(crate::state::ReadOnly(read_only));
        if let Some(f) = get_token {
            let f = StoredValue::new_local(f);
            let opts = StoredValue::new(opts.clone());
            // Tasks of this widget: `unmount()` (or `update()`) ends a token call in flight.
            let scope = crate::tasks::Scope::here();
            let fetch_token = move || {
                let f = f.get_value();
                scope.spawn(async move {
                    if let Some(token) = call_token(&f).await {
                        let credential = opts.with_value(|o| o.credential(Some(token)));
                        state.connection.update(|c| c.credential = credential);
                    }
                });
            };
            fetch_token();
            // The API refused the token (expired?): ask the host for a fresh one, once for
            // each refusal, so a host that keeps handing out a bad token causes no loop.
            Effect::new(move |prev: Option<LinkState>| {
                let now = state.link.get();
                if now == LinkState::Unauthorized && prev.is_some_and(|p| p != LinkState::Unauthorized) {
                    fetch_token();
                }
                now
            });
        }
        view! { <WidgetRoot location theme/> }.into_any()
    });
    Ok(Widget { handle: Some(Box::new(handle)), element })
}

async fn call_token(f: &js_sys::Function) -> Option<String> {
    let value = f.call0(&JsValue::NULL).ok()?;
    let value = match value.dyn_into::<js_sys::Promise>() {
        Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await.ok()?,
        Err(v) => v,
    };
    value.as_string()
}

/// Adds the scoped stylesheet to the host page once, whatever the number of widgets.
fn install_styles(css_url: String) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if doc.query_selector("style[data-flow-run-console]").ok().flatten().is_some() {
        return;
    }
    let Ok(style) = doc.create_element("style") else { return };
    let _ = style.set_attribute("data-flow-run-console", "");
    if let Some(head) = doc.head() {
        let _ = head.append_child(&style);
    }
    // Not Leptos' executor: this can run before the first widget has started it. Page-lifetime
    // on purpose: the stylesheet serves every widget on the page, now and later.
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(resp) = gloo_net::http::Request::get(&css_url).send().await else { return };
        let Ok(text) = resp.text().await else { return };
        style.set_text_content(Some(&scope_css(&text, SCOPE)));
    });
}

#[component]
fn WidgetRoot(location: String, theme: Option<&'static str>) -> impl IntoView {
    let location = RwSignal::new(location);
    let n = WIDGETS.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    let nav = Nav::for_widget(location.into(), Callback::new(move |(path, _, _): (String, bool, bool)| location.set(path)), n);
    provide_context(nav);
    let view = Memo::new(move |_| location.with(|l| view_of(l)));
    // Only this widget's own links: the app's links point at the full app, so a middle
    // click opens it; a plain click changes the widget's view instead.
    let on_click = move |ev: web_sys::MouseEvent| {
        if ev.default_prevented() || ev.button() != 0 || ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() {
            return;
        }
        let Some(a) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).and_then(|el| el.closest("a").ok().flatten()) else {
            return;
        };
        let (Some(href), Some(base)) = (a.get_attribute("href"), crate::browser::widget_app_url()) else { return };
        if a.get_attribute("target").is_some() {
            return;
        }
        let Some(path) = href.strip_prefix(&base).filter(|p| p.starts_with('/')) else { return };
        if view_of(path) != View::Other {
            ev.prevent_default();
            location.set(path.to_string());
        }
    };
    view! {
        <div class="frc-widget" data-theme=theme on:click=on_click>
            {move || match view.get() {
                View::Runs => view! { <RunsPage/> }.into_any(),
                View::Run => view! { <RunPage/> }.into_any(),
                View::Logs => view! { <LogsPage/> }.into_any(),
                View::Other => view! { <p class="notice">"This view is not available in a widget."</p> }.into_any(),
            }}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(json: &str) -> WidgetOptions {
        WidgetOptions::from_value(&serde_json::from_str(json).unwrap())
    }

    #[test]
    fn options_to_the_first_view() {
        assert_eq!(opts("{}").initial_location(), "/runs");
        assert_eq!(
            opts(r#"{"filters": {"flowId": "123", "status": "3", "bogus": "x"}, "pageSize": 10}"#).initial_location(),
            "/runs?flow=123&status=3&per_page=10"
        );
        assert_eq!(opts(r#"{"view": "run", "runId": "7"}"#).initial_location(), "/runs/7");
        assert_eq!(opts(r#"{"view": "logs", "runId": "7", "filters": {"level": "error"}}"#).initial_location(), "/runs/7/logs?level=error");
        assert_eq!(opts(r#"{"view": "run"}"#).initial_location(), "/runs", "a run view without a run lists runs");
        assert!(opts("{}").read_only() && !opts(r#"{"readOnly": false}"#).read_only());
        assert_eq!(opts(r#"{"token": " k ", "credentialType": "key"}"#).credential(None), Some(Credential::ApiKey("k".into())));
        assert_eq!(opts(r#"{"token": "t"}"#).credential(Some("u".into())), Some(Credential::Bearer("u".into())));
        assert_eq!(opts("{}").credential(None), None);
        assert_eq!(opts(r#"{"theme": "dark"}"#).theme_attr(), Some("dark"));
        assert_eq!(opts(r#"{"theme": "host"}"#).theme_attr(), None);
        assert_eq!(theme_for_text_color("rgb(0, 0, 0)"), Some("light"));
        assert_eq!(theme_for_text_color("rgb(230, 230, 230)"), Some("dark"));
        assert_eq!(theme_for_text_color("rgba(255, 255, 255, 0.87)"), Some("dark"));
        assert_eq!(theme_for_text_color("rgb(20 20 20 / 0.9)"), Some("light"));
        assert_eq!(theme_for_text_color("rgba(255, 255, 255, 0.1)"), None, "too faint to tell");
        assert_eq!(theme_for_text_color("oklch(0.9 0 0)"), None);
        assert_eq!(theme_for_text_color("rgb(a, b, c)"), None);
        assert_eq!(opts(r#"{"pageSize": "10", "readOnly": "false"}"#).page_size, Some(10));
        assert_eq!(opts("[1]"), WidgetOptions::default());
    }

    #[test]
    fn styles_are_scoped() {
        let css = "/* c */ :root { --a: 1; }\n:root[data-theme=\"dark\"] { --a: 2; }\nbody { margin: 0 }\n\
                   .x, table td { color: red }\n@media (prefers-color-scheme: dark) { :root:not([data-theme]) { --a: 3 } }\n\
                   @keyframes pulse { 50% { opacity: .5 } }";
        let out = scope_css(css, ".w");
        assert!(out.contains(".w{ --a: 1; }"), "{out}");
        assert!(out.contains(".w[data-theme=\"dark\"]{"), "{out}");
        assert!(out.contains(".w{ margin: 0 }"), "{out}");
        assert!(out.contains(".w .x,.w table td{ color: red }"), "{out}");
        assert!(out.contains("@media (prefers-color-scheme: dark){.w:not([data-theme]){"), "{out}");
        assert!(out.contains("@keyframes pulse{ 50% { opacity: .5 } }"), "{out}");
        assert!(!out.contains("/* c */"));
        // Every rule outside at-rules starts with the scope.
        for line in out.lines().filter(|l| !l.starts_with('@') && !l.trim().is_empty() && l.trim() != "}") {
            assert!(line.starts_with(".w"), "{line}");
        }
    }
}
