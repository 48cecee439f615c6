//! HTTP: routes, auth, live state and actions, fault injection, the request log and the
//! built app's files.

use crate::data::{LiveRun, Run, Status, World};
use crate::faults::{self, Fault, FaultKind};
use crate::logs::{flow_steps, RunLog};
use crate::paginate::PageRequest;
use crate::query::{matches, parse_log_list, parse_run_list};
use crate::render::{log_json, run_json, LogOptions, RunContext};
use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
    /// Serve every answer with the strict Content-Security-Policy `STRICT_CSP`.
    pub csp: bool,
    /// Where the built app is served: `/` or a sub-path such as `/tools/runs/`.
    pub mount: String,
}

/// The policy the app must run under: no inline script or style, no eval but WebAssembly's,
/// requests only to this origin (where the simulator serves the API). Violations are
/// reported to `/__sim/csp-reports`.
pub const STRICT_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
connect-src 'self'; img-src 'self' data:; font-src 'self'; manifest-src 'self'; base-uri 'self'; form-action 'self'; \
object-src 'none'; report-uri /__sim/csp-reports";

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
            mount: "/".into(),
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

/// What actions changed: stopped runs, runs created by retries.
#[derive(Default)]
struct Overlay {
    /// Bumped by every change, so cached filter results know when they are stale.
    generation: u64,
    stopped: HashMap<u64, i64>,
    extra: Vec<Run>,
    retries: HashMap<u64, Vec<u64>>,
}

pub struct Sim {
    pub opts: Options,
    pub world: World,
    started_real_ms: i64,
    tokens: Mutex<HashMap<String, i64>>,
    log: Mutex<(u64, VecDeque<Logged>)>,
    overlay: RwLock<Overlay>,
    faults: Mutex<Vec<Fault>>,
    filter_cache: Mutex<VecDeque<(String, Arc<Matches>)>>,
    csp_reports: Mutex<Vec<Value>>,
}

/// The runs matching one set of (non-date) filters, computed once over every run. Runs that
/// had ended when it was built cannot change until the overlay does; the others are checked
/// live on every request.
struct Matches {
    generation: u64,
    /// Ids of ended runs that match, ascending.
    ended: Vec<u64>,
    /// Ids of runs still running when it was built, ascending.
    open: Vec<u64>,
}

const FILTER_CACHE_ENTRIES: usize = 16;

impl Sim {
    pub fn new(opts: Options) -> Arc<Sim> {
        let world = World {
            seed: opts.seed,
            runs: opts.runs,
            anchor_ms: opts.now_ms,
            span_ms: (opts.days.max(1) * 86_400_000) as i64,
            log_overrides: opts.log_overrides.clone(),
            live_overrides: opts.live_overrides.clone(),
        };
        let faults = Mutex::new(opts.faults.clone());
        Arc::new(Sim {
            opts,
            world,
            started_real_ms: now_ms(),
            tokens: Mutex::new(HashMap::new()),
            log: Mutex::new((0, VecDeque::new())),
            overlay: RwLock::new(Overlay::default()),
            faults,
            filter_cache: Mutex::new(VecDeque::new()),
            csp_reports: Mutex::new(Vec::new()),
        })
    }

    /// The simulator's clock: the start's `now_ms`, advancing with real time unless frozen.
    pub fn now(&self) -> i64 {
        if self.opts.frozen {
            self.opts.now_ms
        } else {
            self.opts.now_ms + (now_ms() - self.started_real_ms)
        }
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

    fn total(&self, ov: &Overlay) -> u64 {
        self.world.runs + ov.extra.len() as u64
    }

    fn base_run(&self, ov: &Overlay, id: u64) -> Option<Run> {
        let mut run = if id <= self.world.runs { self.world.run(id)? } else { ov.extra.get((id - self.world.runs - 1) as usize)?.clone() };
        if let Some(more) = ov.retries.get(&id) {
            run.retried_as.extend(more);
        }
        Some(run)
    }

    fn live(&self, ov: &Overlay, id: u64, now: i64) -> Option<LiveRun> {
        Some(self.base_run(ov, id)?.at(now, ov.stopped.get(&id).copied()))
    }

    fn started_at(&self, ov: &Overlay, id: u64) -> i64 {
        if id <= self.world.runs {
            self.world.started_at(id)
        } else {
            ov.extra.get((id - self.world.runs - 1) as usize).map_or(i64::MAX, |r| r.started_at_ms)
        }
    }

    fn run_log(&self, live: &LiveRun) -> RunLog {
        let run = &live.run;
        RunLog {
            seed: self.opts.seed,
            run_id: run.id,
            steps: flow_steps(run.flow_id, self.opts.seed),
            count: live.log_count,
            started_ms: run.started_at_ms,
            spacing_ms: ((run.planned_end_ms - run.started_at_ms) / run.log_count.max(1) as i64).max(1),
            failed: live.status == Status::Failure,
            warnings: run.has_warnings,
        }
    }

    fn render_run(&self, ov: &Overlay, live: &LiveRun, includes: &[String], now: i64) -> Value {
        let needs_log = includes.iter().any(|i| i == "errorWarningLogs" || i == "flowVersion.steps");
        let retried_as = live.run.retried_as.iter().filter_map(|id| self.live(ov, *id, now)).map(|l| (l.run.id, l.status as u8)).collect();
        let ctx = RunContext { retried_as, log: needs_log.then(|| self.run_log(live)) };
        run_json(live, &ctx, includes)
    }

    /// The cached matches of these filters, built now if missing or stale.
    fn matches_of(&self, ov: &Overlay, filters: &[(String, Vec<String>)], now: i64) -> Arc<Matches> {
        let key = format!("{filters:?}");
        let mut cache = self.filter_cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pos) = cache.iter().position(|(k, m)| *k == key && m.generation == ov.generation) {
            if let Some(hit) = cache.remove(pos) {
                let m = hit.1.clone();
                cache.push_front(hit);
                return m;
            }
        }
        drop(cache);
        let mut ended = Vec::new();
        let mut open = Vec::new();
        for id in 1..=self.total(ov) {
            let Some(live) = self.live(ov, id, now) else { continue };
            if live.status == Status::Running || live.run.planned_end_ms > now {
                open.push(id);
            } else if matches(&live, filters) {
                ended.push(id);
            }
        }
        let m = Arc::new(Matches { generation: ov.generation, ended, open });
        let mut cache = self.filter_cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.retain(|(k, _)| *k != key);
        cache.push_front((key, m.clone()));
        cache.truncate(FILTER_CACHE_ENTRIES);
        m
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Overlay> {
        self.overlay.read().unwrap_or_else(|e| e.into_inner())
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"message": message}))).into_response()
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

async fn list_runs(State(sim): State<Arc<Sim>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let q = match parse_run_list(&pairs(&raw)) {
        Ok(q) => q,
        Err(msg) => return error(StatusCode::BAD_REQUEST, &msg),
    };
    let now = sim.now();
    let ov = sim.read();
    let total_runs = sim.total(&ov);
    // Start times grow with the id, so the date filters narrow the id range by bisection.
    let first_at_or_after = |ms: i64| {
        let (mut lo, mut hi) = (1u64, total_runs + 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if sim.started_at(&ov, mid) >= ms {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo
    };
    let mut lo = 1u64;
    let mut hi = total_runs;
    let mut rest = Vec::new();
    for (name, values) in &q.filters {
        let ms = values.first().and_then(|v| v.parse::<i64>().ok());
        match (name.as_str(), ms) {
            ("started_after", Some(ms)) => lo = lo.max(first_at_or_after(ms.saturating_add(1))),
            ("started_before", Some(ms)) => hi = hi.min(first_at_or_after(ms).saturating_sub(1)),
            ("started_on", Some(ms)) => {
                let day = ms - ms.rem_euclid(86_400_000);
                lo = lo.max(first_at_or_after(day));
                hi = hi.min(first_at_or_after(day.saturating_add(86_400_000)).saturating_sub(1));
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
    let offset = (q.page - 1).saturating_mul(q.per_page);
    let (total, items) = if rest.is_empty() {
        let total = if lo > hi { 0 } else { hi - lo + 1 };
        let items: Vec<LiveRun> = ids.skip(offset as usize).take(q.per_page as usize).filter_map(|id| sim.live(&ov, id, now)).collect();
        (total, items)
    } else if lo > hi {
        (0, Vec::new())
    } else {
        drop(ids);
        let m = sim.matches_of(&ov, &rest, now);
        let in_range = |v: &[u64]| -> std::ops::Range<usize> { v.partition_point(|id| *id < lo)..v.partition_point(|id| *id <= hi) };
        let ended = &m.ended[in_range(&m.ended)];
        // Runs that were open when the cache was built are checked now. (Runs added since
        // changed the overlay's generation, so the cache was rebuilt with them.)
        let fresh: Vec<u64> =
            m.open[in_range(&m.open)].iter().copied().filter(|id| sim.live(&ov, *id, now).is_some_and(|l| matches(&l, &rest))).collect();
        let total = (ended.len() + fresh.len()) as u64;
        // Merge the two ascending lists, then take the page from the right end.
        let mut all = Vec::with_capacity(ended.len() + fresh.len());
        let (mut i, mut j) = (0, 0);
        while i < ended.len() || j < fresh.len() {
            if j == fresh.len() || (i < ended.len() && ended[i] < fresh[j]) {
                all.push(ended[i]);
                i += 1;
            } else {
                all.push(fresh[j]);
                j += 1;
            }
        }
        let page: Vec<u64> = if q.newest_first {
            all.iter().rev().skip(offset as usize).take(q.per_page as usize).copied().collect()
        } else {
            all.iter().skip(offset as usize).take(q.per_page as usize).copied().collect()
        };
        (total, page.into_iter().filter_map(|id| sim.live(&ov, id, now)).collect())
    };
    let data = items.iter().map(|r| sim.render_run(&ov, r, &q.includes, now)).collect();
    let req = PageRequest { path: &path, other_query: &q.other, page: q.page, per_page: q.per_page, total };
    Json(req.envelope(data)).into_response()
}

async fn get_run(State(sim): State<Arc<Sim>>, Path(id): Path<String>, RawQuery(raw): RawQuery) -> Response {
    let q = match parse_run_list(&pairs(&raw)) {
        Ok(q) => q,
        Err(msg) => return error(StatusCode::BAD_REQUEST, &msg),
    };
    let now = sim.now();
    let ov = sim.read();
    match parse_id(&id).and_then(|id| sim.live(&ov, id, now)) {
        Some(live) => Json(json!({"data": sim.render_run(&ov, &live, &q.includes, now)})).into_response(),
        None => not_found(),
    }
}

/// What both log endpoints start with: the parsed query, the run as it stands, its log.
fn log_request(sim: &Sim, run_id: &str, raw: &Option<String>) -> Result<(crate::query::LogListQuery, LiveRun, RunLog), Box<Response>> {
    let q = parse_log_list(&pairs(raw)).map_err(|msg| Box::new(error(StatusCode::BAD_REQUEST, &msg)))?;
    let now = sim.now();
    let ov = sim.read();
    let live = parse_id(run_id).and_then(|id| sim.live(&ov, id, now)).ok_or_else(|| Box::new(not_found()))?;
    let log = sim.run_log(&live);
    Ok((q, live, log))
}

async fn list_logs(State(sim): State<Arc<Sim>>, Path(id): Path<String>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    let (q, live, log) = match log_request(&sim, &id, &raw) {
        Ok(parts) => parts,
        Err(resp) => return *resp,
    };
    let mut ranges: Vec<(u64, u64)> = match &q.step_ids {
        None => vec![(0, log.count)],
        Some(ids) => ids.iter().filter_map(|s| log.step_range(*s)).collect(),
    };
    ranges.sort_unstable();
    ranges.dedup();
    let total: u64 = ranges.iter().map(|(a, b)| b - a).sum();
    let offset = (q.page - 1).saturating_mul(q.per_page);
    let indexes: Box<dyn Iterator<Item = u64>> = if q.descending {
        Box::new(ranges.clone().into_iter().rev().flat_map(|(a, b)| (a..b).rev()))
    } else {
        Box::new(ranges.clone().into_iter().flat_map(|(a, b)| a..b))
    };
    let opts = LogOptions { load_payload_ids: q.load_payload_ids, step_fields: q.step_fields.clone() };
    let data =
        indexes.skip(offset as usize).take(q.per_page as usize).map(|j| log_json(&log.entry(j), live.run.id, &q.includes, &opts)).collect();
    let path = format!("{}/api/v1/flow-runs/{}/flow-run-logs", base_url(&headers), live.run.id);
    let req = PageRequest { path: &path, other_query: &q.other, page: q.page, per_page: q.per_page, total };
    Json(req.envelope(data)).into_response()
}

async fn get_log(State(sim): State<Arc<Sim>>, Path((run, log_id)): Path<(String, String)>, RawQuery(raw): RawQuery) -> Response {
    let (q, live, log) = match log_request(&sim, &run, &raw) {
        Ok(parts) => parts,
        Err(resp) => return *resp,
    };
    match parse_id(&log_id).and_then(|l| log.index_of(l)) {
        Some(j) => {
            let opts = LogOptions { load_payload_ids: q.load_payload_ids, step_fields: q.step_fields };
            Json(json!({"data": log_json(&log.entry(j), live.run.id, &q.includes, &opts)})).into_response()
        }
        None => error(StatusCode::NOT_FOUND, "No query results for model [App\\Models\\FlowRunLog]."),
    }
}

async fn download(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Response {
    let now = sim.now();
    let ov = sim.read();
    match parse_id(&id).and_then(|id| sim.live(&ov, id, now)) {
        Some(_) => Json(json!({"message": "Your download has been queued. The file will appear in File Downloads when it is ready."}))
            .into_response(),
        None => not_found(),
    }
}

fn unprocessable(message: &str, reason: &str) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"message": message, "errors": {"flow_run": [reason]}}))).into_response()
}

async fn retry(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Response {
    let now = sim.now();
    let mut ov = sim.overlay.write().unwrap_or_else(|e| e.into_inner());
    let Some(live) = parse_id(&id).and_then(|id| sim.live(&ov, id, now)) else { return not_found() };
    if !matches!(live.status, Status::Failure | Status::Stopped | Status::PartialSuccess) {
        let reason = match live.status {
            Status::Running => "The flow run is still running.",
            _ => "The flow run succeeded.",
        };
        return unprocessable("Only failed, stopped or partially successful flow runs can be retried.", reason);
    }
    let new_id = sim.total(&ov) + 1;
    let orig = live.run;
    let run = Run {
        id: new_id,
        final_status: Status::Success,
        trigger: "Retry",
        started_at_ms: now.max(sim.started_at(&ov, new_id - 1) + 1),
        planned_end_ms: now + 20_000,
        has_warnings: false,
        retry_of: Some(orig.id),
        retried_as: Vec::new(),
        log_count: 40,
        ..orig.clone()
    };
    ov.generation += 1;
    ov.extra.push(run.clone());
    ov.retries.entry(orig.id).or_default().push(new_id);
    let live = run.at(now, None);
    let data = sim.render_run(&ov, &live, &["flow".into()], now);
    Json(json!({"message": "The flow run has been queued for retry.", "data": data})).into_response()
}

async fn stop(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Response {
    let now = sim.now();
    let mut ov = sim.overlay.write().unwrap_or_else(|e| e.into_inner());
    let Some(live) = parse_id(&id).and_then(|id| sim.live(&ov, id, now)) else { return not_found() };
    if live.status != Status::Running {
        return unprocessable("Only running flow runs can be stopped.", "The flow run is not running.");
    }
    ov.generation += 1;
    ov.stopped.insert(live.run.id, now);
    let live = live.run.at(now, Some(now));
    let data = sim.render_run(&ov, &live, &[], now);
    Json(json!({"message": "The flow run has been stopped.", "data": data})).into_response()
}

async fn login(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Response {
    let v: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return error(StatusCode::BAD_REQUEST, "The request body is not JSON."),
    };
    // Laravel's `string` rule: present fields must be strings.
    let not_string: Vec<&str> =
        ["username", "email", "password"].into_iter().filter(|k| v.get(*k).is_some_and(|f| !f.is_string() && !f.is_null())).collect();
    if !not_string.is_empty() || !v.is_object() {
        let errors: serde_json::Map<String, Value> =
            not_string.iter().map(|k| (k.to_string(), json!([format!("The {k} field must be a string.")]))).collect();
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"message": "The given data was invalid.", "errors": errors})))
            .into_response();
    }
    let user = v
        .get("username")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
        .or_else(|| v.get("email").and_then(Value::as_str))
        .unwrap_or_default();
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

async fn list_faults(State(sim): State<Arc<Sim>>) -> Response {
    let faults = sim.faults.lock().unwrap_or_else(|e| e.into_inner());
    let items: Vec<Value> = faults.iter().map(|f| json!({"rule": format!("{:?}", f.kind), "seen": f.seen, "fired": f.fired})).collect();
    Json(json!({"faults": items})).into_response()
}

async fn add_faults(State(sim): State<Arc<Sim>>, body: String) -> Response {
    match faults::parse(&body) {
        Ok(rules) => {
            let mut faults = sim.faults.lock().unwrap_or_else(|e| e.into_inner());
            faults.extend(rules);
            Json(json!({"rules": faults.len()})).into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, &e),
    }
}

async fn clear_faults(State(sim): State<Arc<Sim>>) -> StatusCode {
    sim.faults.lock().unwrap_or_else(|e| e.into_inner()).clear();
    StatusCode::NO_CONTENT
}

/// A body that fails at once: hyper then closes the connection without an answer.
fn dropped_connection() -> Response {
    let stream = futures_util_once_error();
    Response::new(Body::from_stream(stream))
}

fn futures_util_once_error() -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    struct Once(bool);
    impl futures_core::Stream for Once {
        type Item = Result<Vec<u8>, std::io::Error>;
        fn poll_next(mut self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
            if self.0 {
                std::task::Poll::Ready(None)
            } else {
                self.0 = true;
                std::task::Poll::Ready(Some(Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "fault: drop"))))
            }
        }
    }
    Once(false)
}

/// Applies body-changing faults to a finished response.
async fn distort(resp: Response, kinds: &[FaultKind]) -> Response {
    let malformed = kinds.contains(&FaultKind::Malformed);
    let truncated = kinds.contains(&FaultKind::Truncated);
    let html = kinds.contains(&FaultKind::ContentType);
    if !(malformed || truncated || html) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024 * 1024).await.unwrap_or_default();
    let mut out = bytes.to_vec();
    if malformed {
        parts.status = StatusCode::OK;
        out = b"{\"data\": [ {\"id\": 1,, oops".to_vec();
    } else if truncated {
        parts.status = StatusCode::OK;
        out.truncate(out.len() / 2);
    }
    if html {
        parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

/// For API and login calls: faults, the credential check, and the request log.
async fn api_gate(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let method = req.method().clone();
    let auth = req.headers().contains_key(header::AUTHORIZATION);
    let is_api = path.starts_with("/api/") || path.starts_with("/fabric/");
    let kinds = if is_api {
        let mut rules = sim.faults.lock().unwrap_or_else(|e| e.into_inner());
        faults::firing(&mut rules, sim.opts.seed, method.as_str(), &path, &query)
    } else {
        Vec::new()
    };
    for k in &kinds {
        if let FaultKind::Latency { ms } = k {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
        }
    }
    let early = kinds.iter().find_map(|k| match k {
        FaultKind::Status { status, message } => Some(error(
            StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            message.as_deref().unwrap_or("Server Error"),
        )),
        FaultKind::RateLimit { retry_after } => {
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, "Too Many Attempts.");
            if let Some(s) = retry_after {
                if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            Some(r)
        }
        FaultKind::Drop => Some(dropped_connection()),
        _ => None,
    });
    let needs_auth = path.starts_with("/api/") && method != Method::OPTIONS;
    let resp = match early {
        Some(r) => r,
        None if needs_auth && !sim.authorised(req.headers()) => error(StatusCode::UNAUTHORIZED, "Unauthenticated."),
        None => distort(next.run(req).await, &kinds).await,
    };
    if is_api {
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
        .route("/api/v1/flow-runs/{flow_run}/flow-run-logs", get(list_logs))
        .route("/api/v1/flow-runs/{flow_run}/flow-run-logs/{flow_run_log}", get(get_log))
        .route("/api/v1/flow-runs/{flow_run}/download", get(download))
        .route("/api/v1/flow-runs/{flow_run}/retry", post(retry))
        .route("/api/v1/flow-runs/{flow_run}/stop", post(stop))
        .route("/api/{*rest}", any(api_not_found))
        .route("/fabric/api/login", post(login))
        .route("/__sim/requests", get(requests_log).delete(clear_requests))
        .route("/__sim/faults", get(list_faults).post(add_faults).delete(clear_faults))
        .route("/__sim/csp-reports", get(csp_reports).post(add_csp_report))
        .layer(middleware::from_fn_with_state(sim.clone(), api_gate))
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
    if sim.opts.csp {
        app.layer(middleware::map_response(|mut r: Response| async move {
            r.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(STRICT_CSP));
            r
        }))
    } else {
        app
    }
}

/// `GET /__sim/csp-reports`: the policy violations browsers reported, oldest first.
async fn csp_reports(State(sim): State<Arc<Sim>>) -> Response {
    let reports = sim.csp_reports.lock().unwrap_or_else(|e| e.into_inner()).clone();
    Json(json!({"reports": reports})).into_response()
}

/// `POST /__sim/csp-reports`: a browser's violation report (`application/csp-report`).
async fn add_csp_report(State(sim): State<Arc<Sim>>, body: String) -> StatusCode {
    let report = serde_json::from_str::<Value>(&body).unwrap_or(Value::String(body));
    let mut reports = sim.csp_reports.lock().unwrap_or_else(|e| e.into_inner());
    if reports.len() < 1000 {
        reports.push(report);
    }
    StatusCode::NO_CONTENT
}
