//! Script embedding: `mount(element, options)` puts a run list, a run or a log into another
//! page, politely. The widget keeps its view in memory (never in the host's URL or history),
//! intercepts only clicks on its own links, takes its connection from the options (a token,
//! or a callback that returns one, so a host that holds a token never stores it again), and
//! its stylesheet is scoped under `.frc-widget` with a reset, so that its styles do not leak
//! into the host and the host's element styles do not reach in. Several widgets live on one
//! page independently. The loader `widget.js` (written by `cargo xtask build`) wraps this.
//!
//! Widgets written in markup (`data-flow-run-console`) take their options from attributes a
//! host may let its users write (rendered user HTML often keeps `data-*`): such a widget may
//! send requests, and its host's token, only to the origin `widget.js` comes from, or to an
//! origin the host allowed from script (`widget.js?allow=<origin>`). The loader checks it and
//! so does `mount` (`WidgetOptions::markup_refusal`); `mount()` called by the host's own
//! script takes any API base. Every widget of a page spends one request budget.

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

mod style;
pub use style::{scope_css, theme_for_text_color};

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
    /// Written in markup: the loader read these options from `data-*` attributes.
    pub markup: bool,
    /// API origins besides its own that the loader lets markup widgets use (`?allow=`).
    pub markup_allow: Vec<String>,
    /// Why the loader refused the markup's options, if it did.
    pub refused: Option<String>,
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
            markup: flag("markup").unwrap_or(false),
            markup_allow: f.list(&["markupAllow"]).iter().filter_map(crate::api::decode::as_string).collect(),
            refused: f.string(&["refused"]),
        }
    }

    /// Why a widget written in markup may not run as its options say, or `None`. `resolve`
    /// gives the origin an API base resolves to (the browser's parser); `served` is the origin
    /// `widget.js` comes from. Its API base (its own, else the served origin) must be the
    /// served origin or one the host allowed; a token function is only ever called then.
    pub fn markup_refusal(&self, served: Option<&str>, resolve: impl Fn(&str) -> Option<String>) -> Option<String> {
        if !self.markup {
            return None;
        }
        if let Some(why) = &self.refused {
            return Some(why.clone());
        }
        // No base of its own: the served origin, which is allowed.
        let base = self.api_base.as_deref().map(str::trim).filter(|b| !b.is_empty())?;
        let origin = resolve(base);
        let allowed =
            origin.as_deref().is_some_and(|o| Some(o) == served || self.markup_allow.iter().any(|a| resolve(a).as_deref() == Some(o)));
        (!allowed).then(|| {
            format!(
                "This widget was not started: its data-api-base points to {}, not to {} where widget.js comes from. \
                 A host page allows another API from its own script (mount(), or widget.js?allow=<origin>).",
                origin.as_deref().unwrap_or("an address that is not a web origin"),
                served.unwrap_or("the origin")
            )
        })
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
    let served = crate::browser::url_origin(&app_url);
    crate::browser::set_widget_app_url(&app_url);
    if let Some(css) = opts.css_url.clone() {
        install_styles(css);
    }
    let config = AppConfig {
        api_base: opts.api_base.clone().unwrap_or_else(|| served.clone().unwrap_or_default()),
        page_size: opts.page_size.unwrap_or(25).clamp(1, 100),
        refresh_seconds: opts.refresh_seconds.unwrap_or(30).clamp(5, 3600),
        ..AppConfig::default()
    };
    // Markup that points elsewhere gets a notice, never a request (nor the host's token).
    let refused = opts.markup_refusal(served.as_deref(), crate::browser::url_origin);
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
        if let Some(why) = refused {
            return view! { <div class="frc-widget"><p class="notice widget-refused" role="status">{why}</p></div> }.into_any();
        }
        let state = AppState::for_widget(config, connection, page_scheduler());
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

/// The one request budget of every widget on the page (the account's limit is shared).
pub fn page_scheduler() -> crate::api::Scheduler {
    thread_local! {
        static BUDGET: crate::api::Scheduler = crate::api::Scheduler::new(AppConfig::default().requests_per_minute);
    }
    BUDGET.with(Clone::clone)
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
                View::Compare => view! { <crate::pages::compare::ComparePage/> }.into_any(),
                View::LogFile | View::Other => view! { <p class="notice">"This view is not available in a widget."</p> }.into_any(),
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
        assert_eq!(opts(r#"{"pageSize": "10", "readOnly": "false"}"#).page_size, Some(10));
        assert_eq!(opts("[1]"), WidgetOptions::default());
    }

    #[test]
    fn markup_may_not_send_requests_to_another_origin() {
        let resolve = |b: &str| crate::session::origin_of(b).or_else(|| b.starts_with('/').then(|| "https://host.test".to_string()));
        let served = Some("https://runs.test");
        let refused = |json: &str| opts(json).markup_refusal(served, resolve);
        assert!(refused(r#"{"markup": true, "apiBase": "https://evil.test"}"#).is_some_and(|w| w.contains("https://evil.test")));
        assert!(refused(r#"{"markup": true, "apiBase": "https://runs.test:443/api"}"#).is_none(), "its own origin");
        assert!(refused(r#"{"markup": true}"#).is_none(), "no base: its own origin");
        assert!(refused(r#"{"markup": true, "apiBase": "/api"}"#).is_some(), "a path is on the host page's origin");
        assert!(refused(r#"{"markup": true, "apiBase": "javascript:x"}"#).is_some());
        let allowed = r#"{"markup": true, "apiBase": "https://api.test/v1", "markupAllow": ["https://api.test"]}"#;
        assert!(refused(allowed).is_none(), "allowed by the host's script");
        assert!(refused(r#"{"markup": true, "refused": "no"}"#).is_some(), "the loader's refusal stands");
        // The host's own script may point a widget anywhere.
        assert!(refused(r#"{"apiBase": "https://elsewhere.test"}"#).is_none());
    }

    #[test]
    fn widgets_share_one_request_budget() {
        assert_eq!(page_scheduler(), page_scheduler());
    }
}
