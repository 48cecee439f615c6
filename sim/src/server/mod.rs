//! HTTP: the options, the routes, and the answers every route shares. The parts:
//! `state` (the simulator's state), `gate` (rate limit, faults, credentials, request log),
//! `auth` (tokens and the two logins), `runs`, `entries` (log entries), `actions`
//! (download, retry, stop), `admin` (`/__sim/*`).

mod actions;
mod admin;
mod auth;
mod entries;
mod gate;
mod runs;
mod state;

pub use admin::loopback_origin;
pub use auth::TOKEN_CAP;
pub use state::Sim;

use crate::faults::Fault;
use crate::query::QueryError;
use crate::shapes::Shapes;
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug)]
pub struct Options {
    pub seed: u64,
    pub runs: u64,
    /// Runs are spread over this many days before `now_ms`.
    pub days: u64,
    /// The simulator's "now" at start; runs end shortly before it.
    pub now_ms: i64,
    /// Keep "now" still instead of letting it advance with the clock (for repeatable tests).
    pub frozen: bool,
    pub api_key: String,
    pub username: String,
    pub password: String,
    /// A built app (`dist/`) to serve beside the API, with the SPA fallback.
    pub dist: Option<PathBuf>,
    /// Served as `/config.json` instead of the built app's (for tests of other deployments).
    pub config_json: Option<String>,
    /// Log sizes forced for some runs: (run id, entries).
    pub log_overrides: Vec<(u64, u64)>,
    pub live_overrides: Vec<(u64, i64)>,
    pub faults: Vec<Fault>,
    /// Serve every answer with the strict Content-Security-Policy (`strict_csp`).
    pub csp: bool,
    /// The strict policy's `frame-ancestors` sources: who may frame the app.
    pub frame_ancestors: String,
    /// Where the built app is served: `/` or a sub-path such as `/tools/runs/`.
    pub mount: String,
    /// Requests a minute per user (Laravel's `throttle`); `None` turns the limit off.
    pub rate_limit: Option<u32>,
    /// How items are shaped: flat as the published reference, or every variant mixed.
    pub shapes: Shapes,
    /// Failed and partly successful runs end in errors of a few causes (`causes`).
    pub failure_causes: bool,
}

/// The real API's rate limit on the common plans (api-facts.md).
pub const DEFAULT_RATE_LIMIT: u32 = 240;

/// The policy the app must run under: no inline script or style, no eval but WebAssembly's,
/// requests only to this origin (where the simulator serves the API), framed only by
/// `frame_ancestors`. Violations are reported to `/__sim/csp-reports`.
pub fn strict_csp(frame_ancestors: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self' data:; \
font-src 'self'; manifest-src 'self'; base-uri 'self'; form-action 'self'; object-src 'none'; frame-ancestors {frame_ancestors}; \
report-uri /__sim/csp-reports"
    )
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 1,
            runs: 500,
            days: 30,
            now_ms: now_ms(),
            frozen: false,
            api_key: "demo-key".into(),
            username: "demo@example.com".into(),
            password: "demo-password".into(),
            dist: None,
            config_json: None,
            log_overrides: Vec::new(),
            live_overrides: Vec::new(),
            faults: Vec::new(),
            csp: false,
            frame_ancestors: "'self'".into(),
            mount: "/".into(),
            rate_limit: Some(DEFAULT_RATE_LIMIT),
            shapes: Shapes::Flat,
            failure_causes: false,
        }
    }
}

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"message": message}))).into_response()
}

/// spatie's 400 `{message}`, or Laravel's 422 `{message, errors}`.
fn refused(e: &QueryError) -> Response {
    match e {
        QueryError::NotAllowed(m) => error(StatusCode::BAD_REQUEST, m),
        QueryError::Invalid(errors) => {
            let mut map = serde_json::Map::new();
            for (field, message) in errors {
                map.insert(field.clone(), json!([message]));
            }
            (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"message": e.message(), "errors": map}))).into_response()
        }
    }
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "No query results for model [App\\Models\\FlowRun].")
}

/// Decodes a raw query string the way PHP does (`+` is a space), keeping the order.
fn pairs(raw: &Option<String>) -> Vec<(String, String)> {
    raw.as_deref().map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default()
}

fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}")
}

fn parse_id(s: &str) -> Option<u64> {
    s.trim().parse::<u64>().ok()
}

async fn api_not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not Found")
}

async fn no_app() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        Body::from("<!doctype html><title>Flow Run Sim</title><p>The simulator is running, but no built app was given (<code>--dist</code>). Run <code>cargo xtask demo</code>.</p>"),
    )
        .into_response()
}

pub fn router(sim: Arc<Sim>) -> Router {
    let admin = Router::new()
        .route("/__sim/requests", get(admin::requests_log).delete(admin::clear_requests))
        .route("/__sim/faults", get(admin::list_faults).post(admin::add_faults).delete(admin::clear_faults))
        .route("/__sim/csp-reports", get(admin::csp_reports).post(admin::add_csp_report))
        .route("/__sim/failure-causes", get(admin::failure_causes))
        .layer(middleware::from_fn(admin::guard));
    let api = Router::new()
        .route("/api/v1/flow-runs", get(runs::list_runs))
        .route("/api/v1/flow-runs/{flow_run}", get(runs::get_run))
        .route("/api/v1/flow-runs/{flow_run}/flow-run-logs", get(entries::list_logs))
        .route("/api/v1/flow-runs/{flow_run}/flow-run-logs/{flow_run_log}", get(entries::get_log))
        .route("/api/v1/flow-runs/{flow_run}/download", get(actions::download))
        .route("/api/v1/flow-runs/{flow_run}/retry", post(actions::retry))
        .route("/api/v1/flow-runs/{flow_run}/stop", post(actions::stop))
        .route("/api/v1/login", post(auth::login_email))
        .route("/api/{*rest}", any(api_not_found))
        .route("/fabric/api/login", post(auth::login))
        .merge(admin)
        .layer(middleware::from_fn_with_state(sim.clone(), gate::api_gate))
        .with_state(sim.clone());
    let prefix = sim.opts.mount.trim().trim_end_matches('/').to_string();
    let api = match sim.opts.config_json.clone() {
        Some(text) => {
            api.route(&format!("{prefix}/config.json"), get(move || async move { ([(header::CONTENT_TYPE, "application/json")], text) }))
        }
        None => api,
    };
    let app = match &sim.opts.dist {
        Some(dist) => {
            let index = tower_http::services::ServeFile::new(dist.join("index.html"));
            let files = tower_http::services::ServeDir::new(dist).fallback(index);
            if prefix.is_empty() {
                api.fallback_service(files)
            } else {
                api.nest_service(&prefix, files).fallback(no_app)
            }
        }
        None => api.fallback(no_app),
    };
    match sim.opts.csp.then(|| HeaderValue::from_str(&strict_csp(&sim.opts.frame_ancestors))) {
        Some(Ok(policy)) => app.layer(middleware::map_response(move |mut r: Response| {
            let policy = policy.clone();
            async move {
                r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy);
                r
            }
        })),
        _ => app,
    }
}
