//! HTTP: routes, auth, the request log and the built app's files.

use crate::data::World;
use crate::paginate::PageRequest;
use crate::query::{matches, parse_run_list};
use crate::render::run_json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug)]
pub struct Options {
    pub seed: u64,
    pub runs: u64,
    /// Runs are spread over this many days before `now_ms`.
    pub days: u64,
    /// The simulator's "now"; runs end shortly before it.
    pub now_ms: i64,
    pub api_key: String,
    pub username: String,
    pub password: String,
    /// A built app (`dist/`) to serve beside the API, with the SPA fallback.
    pub dist: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 1,
            runs: 500,
            days: 30,
            now_ms: now_ms(),
            api_key: "demo-key".into(),
            username: "demo@example.com".into(),
            password: "demo-password".into(),
            dist: None,
        }
    }
}

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// One request as `/__sim/requests` reports it. The credential itself is never kept.
#[derive(Clone, Debug)]
struct Logged {
    seq: u64,
    at_ms: i64,
    method: String,
    path: String,
    query: String,
    auth: bool,
    status: u16,
}

const LOG_CAP: usize = 50_000;

pub struct Sim {
    pub opts: Options,
    pub world: World,
    tokens: Mutex<HashMap<String, i64>>,
    log: Mutex<(u64, VecDeque<Logged>)>,
}

impl Sim {
    pub fn new(opts: Options) -> Arc<Sim> {
        let world = World { seed: opts.seed, runs: opts.runs, anchor_ms: opts.now_ms, span_ms: (opts.days.max(1) * 86_400_000) as i64 };
        Arc::new(Sim { opts, world, tokens: Mutex::new(HashMap::new()), log: Mutex::new((0, VecDeque::new())) })
    }

    fn authorised(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else { return false };
        let value = value.trim();
        if let Some(token) = value.strip_prefix("Bearer ") {
            let tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
            return tokens.get(token.trim()).is_some_and(|exp| *exp > now_ms());
        }
        !value.is_empty() && value == self.opts.api_key
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"message": message}))).into_response()
}

/// Decodes a raw query string the way PHP does (`+` is a space), keeping the order.
fn pairs(raw: &Option<String>) -> Vec<(String, String)> {
    raw.as_deref().map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default()
}

fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}")
}

async fn list_runs(State(sim): State<Arc<Sim>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let q = match parse_run_list(&pairs(&raw)) {
        Ok(q) => q,
        Err(msg) => return error(StatusCode::BAD_REQUEST, &msg),
    };
    let w = &sim.world;
    // Start times grow with the id, so the date filters narrow the id range by bisection.
    let mut lo = 1u64;
    let mut hi = w.runs;
    let mut rest = Vec::new();
    for (name, values) in &q.filters {
        let ms = values.first().and_then(|v| v.parse::<i64>().ok());
        match (name.as_str(), ms) {
            ("started_after", Some(ms)) => lo = lo.max(first_id_at_or_after(w, ms + 1)),
            ("started_before", Some(ms)) => hi = hi.min(first_id_at_or_after(w, ms).saturating_sub(1)),
            ("started_on", Some(ms)) => {
                let day = ms - ms.rem_euclid(86_400_000);
                lo = lo.max(first_id_at_or_after(w, day));
                hi = hi.min(first_id_at_or_after(w, day + 86_400_000).saturating_sub(1));
            }
            ("started_after" | "started_before" | "started_on", None) => {
                return error(StatusCode::BAD_REQUEST, &format!("The filter {name} takes a Unix time in milliseconds."))
            }
            _ => rest.push((name.clone(), values.clone())),
        }
    }
    let ids: Box<dyn Iterator<Item = u64>> = if lo > hi {
        Box::new(std::iter::empty())
    } else if q.newest_first {
        Box::new((lo..=hi).rev())
    } else {
        Box::new(lo..=hi)
    };
    let path = format!("{}/api/v1/flow-runs", base_url(&headers));
    let (total, items) = if rest.is_empty() {
        let total = if lo > hi { 0 } else { hi - lo + 1 };
        let req = PageRequest { path: &path, other_query: &q.other, page: q.page, per_page: q.per_page, total };
        let items = ids.skip(req.offset() as usize).take(q.per_page as usize).filter_map(|id| w.run(id)).collect::<Vec<_>>();
        (total, items)
    } else {
        let offset = (q.page - 1).saturating_mul(q.per_page);
        let mut total = 0u64;
        let mut items = Vec::new();
        for run in ids.filter_map(|id| w.run(id)).filter(|r| matches(r, &rest)) {
            if total >= offset && (items.len() as u64) < q.per_page {
                items.push(run);
            }
            total += 1;
        }
        (total, items)
    };
    let data = items.iter().map(|r| run_json(w, r, &q.includes)).collect();
    let req = PageRequest { path: &path, other_query: &q.other, page: q.page, per_page: q.per_page, total };
    Json(req.envelope(data)).into_response()
}

/// The smallest id whose start is at or after `ms` (`runs + 1` when none is).
fn first_id_at_or_after(w: &World, ms: i64) -> u64 {
    let (mut lo, mut hi) = (1u64, w.runs + 1);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if w.started_at(mid) >= ms {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

async fn get_run(State(sim): State<Arc<Sim>>, Path(id): Path<String>, RawQuery(raw): RawQuery) -> Response {
    let q = match parse_run_list(&pairs(&raw)) {
        Ok(q) => q,
        Err(msg) => return error(StatusCode::BAD_REQUEST, &msg),
    };
    match id.trim().parse::<u64>().ok().and_then(|id| sim.world.run(id)) {
        Some(run) => Json(json!({"data": run_json(&sim.world, &run, &q.includes)})).into_response(),
        None => error(StatusCode::NOT_FOUND, "No query results for model [App\\Models\\FlowRun]."),
    }
}

async fn login(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Response {
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return error(StatusCode::BAD_REQUEST, "The request body is not JSON."),
    };
    let user = v.get("username").or_else(|| v.get("email")).and_then(Value::as_str).unwrap_or_default();
    let password = v.get("password").and_then(Value::as_str).unwrap_or_default();
    if user.is_empty() || password.is_empty() {
        let mut errors = serde_json::Map::new();
        if user.is_empty() {
            errors.insert("username".into(), json!(["The username field is required."]));
        }
        if password.is_empty() {
            errors.insert("password".into(), json!(["The password field is required."]));
        }
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"message": "The given data was invalid.", "errors": errors})))
            .into_response();
    }
    if user != sim.opts.username || password != sim.opts.password {
        return error(StatusCode::UNAUTHORIZED, "These credentials do not match our records.");
    }
    let expires_in = 86_400;
    let mut tokens = sim.tokens.lock().unwrap_or_else(|e| e.into_inner());
    let token = format!("sim.{:016x}.{:x}", crate::data::mix(sim.opts.seed, 99, tokens.len() as u64), now_ms());
    tokens.insert(token.clone(), now_ms() + expires_in * 1000);
    Json(json!({"message": "You have successfully logged in.", "token": token, "expires_in": expires_in})).into_response()
}

async fn requests_log(State(sim): State<Arc<Sim>>, RawQuery(raw): RawQuery) -> Response {
    let since = pairs(&raw).into_iter().find(|(k, _)| k == "since").and_then(|(_, v)| v.parse::<u64>().ok()).unwrap_or(0);
    let log = sim.log.lock().unwrap_or_else(|e| e.into_inner());
    let items: Vec<Value> = log
        .1
        .iter()
        .filter(|r| r.seq > since)
        .map(|r| json!({"seq": r.seq, "at_ms": r.at_ms, "method": r.method, "path": r.path, "query": r.query, "auth": r.auth, "status": r.status}))
        .collect();
    Json(json!({"requests": items, "last_seq": log.0})).into_response()
}

async fn clear_requests(State(sim): State<Arc<Sim>>) -> StatusCode {
    sim.log.lock().unwrap_or_else(|e| e.into_inner()).1.clear();
    StatusCode::NO_CONTENT
}

/// Checks the credential of API calls and records every API call for `/__sim/requests`.
async fn api_gate(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let method = req.method().clone();
    let auth = req.headers().contains_key(header::AUTHORIZATION);
    let needs_auth = path.starts_with("/api/") && method != Method::OPTIONS;
    let resp = if needs_auth && !sim.authorised(req.headers()) {
        error(StatusCode::UNAUTHORIZED, "Unauthenticated.")
    } else {
        next.run(req).await
    };
    if path.starts_with("/api/") || path.starts_with("/fabric/") {
        let mut log = sim.log.lock().unwrap_or_else(|e| e.into_inner());
        log.0 += 1;
        let seq = log.0;
        log.1.push_back(Logged { seq, at_ms: now_ms(), method: method.to_string(), path, query, auth, status: resp.status().as_u16() });
        if log.1.len() > LOG_CAP {
            log.1.pop_front();
        }
    }
    resp
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
    let api = Router::new()
        .route("/api/v1/flow-runs", get(list_runs))
        .route("/api/v1/flow-runs/{flow_run}", get(get_run))
        .route("/api/{*rest}", any(api_not_found))
        .route("/fabric/api/login", post(login))
        .route("/__sim/requests", get(requests_log).delete(clear_requests))
        .layer(middleware::from_fn_with_state(sim.clone(), api_gate))
        .with_state(sim.clone());
    match &sim.opts.dist {
        Some(dist) => {
            let index = tower_http::services::ServeFile::new(dist.join("index.html"));
            api.fallback_service(tower_http::services::ServeDir::new(dist).fallback(index))
        }
        None => api.fallback(no_app),
    }
}
