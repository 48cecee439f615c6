//! HTTP to the API: one typed function per endpoint over one request path that waits for
//! the request budget, adds the credential, enforces the timeout, retries what is safe to
//! retry, and turns every failure into an `ApiError`, a credential that cannot be sent
//! included (no request then). Over 400 lines: a quarter of it is its tests, and the request
//! path reads best in one place.

use super::budget::{Budget, BudgetState, Decision, Priority};
pub use super::credential::Credential;
use super::error::ApiError;
use super::models::{decode_one, ActionOutcome, FlowRun, FlowRunLog, LogLevel, LoginToken, Page};
use super::query::{encode_component, encode_pairs, LogQuery, LogSort, RunQuery};
use serde_json::{json, Value};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::{Arc, Mutex};

/// Relationships the run table shows. Not the warnings and errors themselves (unbounded on
/// the real API: a page of failed runs could be megabytes), only how many each run has; the
/// failure summary fetches them for the one run it opens.
pub const RUN_LIST_INCLUDES: [&str; 4] = ["flow", "flowVersion", "retriedFlowRun", "errorWarningLogsCount"];

/// The run table's sparse fieldsets: of the flow only its name and the key Eloquent matches it
/// by. (`flowVersion` allows only `steps.name`, without its key, and `retriedFlowRun` is
/// matched by a column no fieldset allows: either would come back empty, spec/CORRECTIONS.md.)
pub const RUN_LIST_FIELDS: [(&str, &[&str]); 1] = [("flow", &["id", "name"])];

/// At most this many warnings and errors are fetched with a run for its failure summary;
/// above it, the summary reads the last page of the run's log instead.
pub const SUMMARY_MAX_PROBLEMS: u64 = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// Whether to try a failed request again, and after how long. GETs are retried once on
/// network errors and 502/503/504 (after 300–900 ms), and once after a 429 whose
/// `Retry-After` is at most 30 s; POSTs never automatically. `jitter` is in 0..1.
pub fn retry_delay_ms(method: Method, attempt: u32, err: &ApiError, jitter: f64) -> Option<u32> {
    if method != Method::Get || attempt > 0 {
        return None;
    }
    match err {
        ApiError::RateLimited { retry_after_s: Some(s) } if *s <= 30 => Some(s * 1000 + (jitter.clamp(0.0, 1.0) * 250.0) as u32),
        e if e.is_transient() => Some(300 + (jitter.clamp(0.0, 1.0) * 600.0) as u32),
        _ => None,
    }
}

/// Latest-wins for one kind of request (the run table's page, say): starting a new request
/// aborts the one before it, and an answer that arrives after a newer request started is
/// turned into `ApiError::Aborted`, so it can never overwrite newer data.
#[derive(Clone, Default)]
pub struct Slot {
    generation: Rc<Cell<u64>>,
    current: Rc<RefCell<Option<web_sys::AbortController>>>,
}

impl Slot {
    /// A request of this kind is made: it takes the next ticket, so an older one (in flight,
    /// or still waiting for the budget to admit it) can no longer win, whichever the budget
    /// admits first.
    fn claim(&self) -> u64 {
        if let Some(old) = self.current.borrow_mut().take() {
            old.abort();
        }
        let g = self.generation.get() + 1;
        self.generation.set(g);
        g
    }

    /// The request with ticket `g` is sent: its abort handle, unless a newer one was made.
    fn send(&self, g: u64) -> Option<web_sys::AbortController> {
        if !self.is_current(g) {
            return None;
        }
        let controller = web_sys::AbortController::new().ok();
        *self.current.borrow_mut() = controller.clone();
        controller
    }

    /// The request with ticket `g` has its answer: there is nothing left to abort. (Aborting
    /// a finished request at the next claim cost a filter change 2–3 ms: the browser builds an
    /// `AbortError`, stack and all, for a request that no longer needs one.)
    fn finished(&self, g: u64) {
        if self.is_current(g) {
            self.current.borrow_mut().take();
        }
    }

    /// Whether the slot holds an abort handle: a request of this kind was sent and has no
    /// answer yet.
    pub fn in_flight(&self) -> bool {
        self.current.borrow().is_some()
    }

    /// Aborts the request in flight, if any; its answer comes back as `ApiError::Aborted`.
    pub fn cancel(&self) {
        self.claim();
    }

    fn is_current(&self, g: u64) -> bool {
        self.generation.get() == g
    }
}

/// The request budget shared by every client of the app.
#[derive(Clone, Debug)]
pub struct Scheduler(Arc<Mutex<Budget>>);

impl Scheduler {
    pub fn new(per_minute: u32) -> Scheduler {
        Scheduler(Arc::new(Mutex::new(Budget::new(per_minute))))
    }

    fn with<T>(&self, f: impl FnOnce(&mut Budget) -> T) -> T {
        let mut b = self.0.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut b)
    }

    pub fn state(&self) -> BudgetState {
        self.with(|b| b.state(transport::now_ms()))
    }

    /// Waits until the budget lets a request of this priority go, and books it.
    /// Waits until the budget lets a request of `priority` go; false, at once or at the next
    /// wake-up, once `superseded` says a newer request has taken its place.
    async fn admit(&self, priority: Priority, superseded: impl Fn() -> bool) -> bool {
        // Counted as waiting until admitted or dropped: a request whose task is aborted while
        // it waits (its view has gone) must not hold background work back for good.
        struct Waiting<'a>(&'a Scheduler, Priority);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.with(|b| b.waiting(self.1, -1));
            }
        }
        self.with(|b| b.waiting(priority, 1));
        let waiting = Waiting(self, priority);
        loop {
            if superseded() {
                return false;
            }
            let now = transport::now_ms();
            match self.with(|b| b.decide(now, priority)) {
                Decision::Go => break,
                Decision::Wait(ms) => transport::sleep(ms.clamp(10, 5_000) as u32).await,
            }
        }
        drop(waiting);
        self.with(|b| b.sent(transport::now_ms()));
        true
    }

    /// An answer's effect on the budget (`Budget::answered`). `counted`: whether its
    /// rate-limit headers are the data API's count.
    fn observe(&self, result: &Result<transport::RawAnswer, ApiError>, counted: bool) {
        if let Ok(a) = result {
            let header = |h: &Option<String>| h.as_deref().and_then(|v| v.trim().parse::<u32>().ok());
            let retry = a.retry_after.as_deref().and_then(super::error::parse_retry_after);
            self.with(|b| b.answered(transport::now_ms(), a.status, retry, header(&a.rate_limit), header(&a.rate_remaining), counted));
        }
    }
}

/// Whether the path of `url` after `base` has a `.` or `..` segment (as fetch would resolve).
fn dot_segment_after(url: &str, base: &str) -> bool {
    let (path, on_base) = match url.strip_prefix(base) {
        Some(p) => (p, true),
        None => (url, false),
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    // On the API, an empty id makes an empty segment too (`/flow-runs/` is another
    // endpoint: the list). Elsewhere (a sign-in URL) `//` belongs to the address.
    path.split('/').skip(usize::from(on_base)).any(|s| {
        let s = s.to_ascii_lowercase();
        matches!(s.as_str(), "." | ".." | "%2e" | ".%2e" | "%2e." | "%2e%2e") || (on_base && s.is_empty())
    })
}

impl PartialEq for Scheduler {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ApiClient {
    /// Absolute origin (and optional path prefix) of the API, without a trailing slash.
    pub base: String,
    pub credential: Option<Credential>,
    pub timeout_ms: u32,
    pub scheduler: Scheduler,
    pub priority: Priority,
}

impl ApiClient {
    pub fn new(base: &str, credential: Option<Credential>, timeout_ms: u32, scheduler: Scheduler) -> ApiClient {
        ApiClient { base: base.trim().trim_end_matches('/').to_string(), credential, timeout_ms, scheduler, priority: Priority::Foreground }
    }

    /// The same client for background work (refresh, counts, bulk loads).
    pub fn background(&self) -> ApiClient {
        ApiClient { priority: Priority::Background, ..self.clone() }
    }

    /// `{base}{path}` plus `?query` when there is one.
    pub fn url(&self, path: &str, query: &str) -> String {
        if query.is_empty() {
            format!("{}{path}", self.base)
        } else {
            format!("{}{path}?{query}", self.base)
        }
    }

    fn run_path(id: &str) -> String {
        format!("/api/v1/flow-runs/{}", encode_component(id.trim()))
    }

    pub fn runs_url(&self, q: &RunQuery) -> String {
        self.url("/api/v1/flow-runs", &q.to_query_string())
    }

    pub fn run_url(&self, id: &str, include: &[&str]) -> String {
        let query = if include.is_empty() { String::new() } else { encode_pairs(&[("include".into(), include.join(","))]) };
        self.url(&Self::run_path(id), &query)
    }

    pub fn logs_url(&self, run_id: &str, q: &LogQuery) -> String {
        self.url(&format!("{}/flow-run-logs", Self::run_path(run_id)), &q.to_query_string())
    }

    pub fn log_url(&self, run_id: &str, log_id: &str) -> String {
        let q = LogQuery { page: 1, per_page: 1, ..LogQuery::standard(1, 1) };
        let pairs: Vec<(String, String)> =
            q.to_pairs().into_iter().filter(|(k, _)| k != "page" && k != "per_page" && k != "sort").collect();
        self.url(&format!("{}/flow-run-logs/{}", Self::run_path(run_id), encode_component(log_id.trim())), &encode_pairs(&pairs))
    }

    pub async fn list_runs(&self, q: &RunQuery, slot: Option<&Slot>) -> Result<Page<FlowRun>, ApiError> {
        let body = self.call(Method::Get, &self.runs_url(q), None, slot, "run list").await?;
        Page::decode(&body, FlowRun::from_value)
    }

    pub async fn get_run(&self, id: &str, include: &[&str], slot: Option<&Slot>) -> Result<FlowRun, ApiError> {
        let body = self.call(Method::Get, &self.run_url(id, include), None, slot, "run").await?;
        decode_one(&body, "run", FlowRun::from_value)
    }

    pub async fn list_logs(&self, run_id: &str, q: &LogQuery, slot: Option<&Slot>) -> Result<Page<FlowRunLog>, ApiError> {
        let body = self.call(Method::Get, &self.logs_url(run_id, q), None, slot, "log page").await?;
        Page::decode(&body, FlowRunLog::from_value)
    }

    pub async fn get_log(&self, run_id: &str, log_id: &str) -> Result<FlowRunLog, ApiError> {
        let body = self.call(Method::Get, &self.log_url(run_id, log_id), None, None, "log entry").await?;
        decode_one(&body, "log entry", FlowRunLog::from_value)
    }

    /// A failed run's warnings and errors for its summary, bounded: fetched with the run when
    /// it has at most `SUMMARY_MAX_PROBLEMS`; otherwise (or with no count) those among its
    /// last 100 log entries, oldest first, and `true` for "only part of them".
    pub async fn problems(&self, run_id: &str, count: Option<u64>) -> Result<(Vec<FlowRunLog>, bool), ApiError> {
        if count.is_some_and(|c| c <= SUMMARY_MAX_PROBLEMS) {
            return Ok((self.get_run(run_id, &["errorWarningLogs"], None).await?.problems, false));
        }
        let q = LogQuery { sort: Some(LogSort::Newest), ..LogQuery::standard(1, 100) };
        let page = self.list_logs(run_id, &q, None).await?;
        let problem = |e: &FlowRunLog| e.level.as_ref().is_some_and(|l| l.is_error() || *l == LogLevel::Warning);
        Ok((page.items.into_iter().rev().filter(problem).collect(), true))
    }

    /// Queues the server-side log download (the file appears in Patchworks' File Downloads).
    pub async fn queue_download(&self, run_id: &str) -> Result<ActionOutcome, ApiError> {
        let body =
            self.call(Method::Get, &self.url(&format!("{}/download", Self::run_path(run_id)), ""), None, None, "download answer").await?;
        Ok(ActionOutcome::from_value(&body))
    }

    pub async fn retry_run(&self, run_id: &str) -> Result<ActionOutcome, ApiError> {
        let url = self.url(&format!("{}/retry", Self::run_path(run_id)), "");
        let body = self.call(Method::Post, &url, Some("{}".into()), None, "retry answer").await?;
        Ok(ActionOutcome::from_value(&body))
    }

    pub async fn stop_run(&self, run_id: &str) -> Result<ActionOutcome, ApiError> {
        let url = self.url(&format!("{}/stop", Self::run_path(run_id)), "");
        let body = self.call(Method::Post, &url, Some("{}".into()), None, "stop answer").await?;
        Ok(ActionOutcome::from_value(&body))
    }

    /// `POST /fabric/api/login` with a username or an e-mail address; needs no credential.
    pub async fn login(&self, user: &str, password: &str) -> Result<LoginToken, ApiError> {
        let body = login_body(user, password);
        let client = ApiClient { credential: None, ..self.clone() };
        let answer = client.call(Method::Post, &self.url("/fabric/api/login", ""), Some(body), None, "sign-in answer").await?;
        LoginToken::from_value(&answer).ok_or_else(|| ApiError::decode("sign-in answer", "no token in it"))
    }

    /// The second sign-in variant: `{"email", "password"}` posted to `login_url` (from
    /// `config.json`, checked there), with no credential. The token it answers is the API
    /// base's: the caller keeps it for that origin only.
    pub async fn login_email(&self, login_url: &str, email: &str, password: &str) -> Result<LoginToken, ApiError> {
        let body = json!({"email": email.trim(), "password": password}).to_string();
        let client = ApiClient { credential: None, ..self.clone() };
        let answer = client.call(Method::Post, login_url, Some(body), None, "sign-in answer").await?;
        LoginToken::from_value(&answer).ok_or_else(|| ApiError::decode("sign-in answer", "no token in it"))
    }

    async fn call(&self, method: Method, url: &str, body: Option<String>, slot: Option<&Slot>, what: &str) -> Result<Value, ApiError> {
        // A token that is no header value is an answer at once, never a request.
        let authorization = self.credential.as_ref().map(Credential::header_value).transpose()?;
        // An id of "." or ".." (which no encoding can keep from being a dot segment) would send
        // the request, token and all, to another path of the API: there is no such run.
        if dot_segment_after(url, &self.base) {
            return Err(ApiError::NotFound);
        }
        // Latest-wins is decided by when requests are made, not by when the budget admits
        // them: a background refresh made before a change of filters, admitted after it,
        // must not show the old filters' page.
        let generation = slot.map(Slot::claim);
        let superseded = || matches!((slot, generation), (Some(s), Some(g)) if !s.is_current(g));
        let mut attempt = 0;
        loop {
            if !self.scheduler.admit(self.priority, superseded).await {
                return Err(ApiError::Aborted);
            }
            let controller = match (slot, generation) {
                (Some(s), Some(g)) => s.send(g),
                _ => None,
            };
            if superseded() {
                return Err(ApiError::Aborted);
            }
            let req =
                transport::Req { method, url, body: body.as_deref(), authorization: authorization.as_deref(), timeout_ms: self.timeout_ms };
            let raw = transport::send(&req, controller).await;
            self.scheduler.observe(&raw, url.starts_with(&format!("{}/api/v1/flow-runs", self.base)));
            if let (Some(s), Some(g)) = (slot, generation) {
                if !s.is_current(g) {
                    return Err(ApiError::Aborted);
                }
                s.finished(g);
            }
            let result = raw.and_then(|a| parse_answer(a.status, a.retry_after.as_deref(), a.content_type.as_deref(), &a.body, what));
            match result {
                Err(e) => match retry_delay_ms(method, attempt, &e, transport::random()) {
                    Some(ms) => {
                        attempt += 1;
                        transport::sleep(ms).await;
                    }
                    None => return Err(e),
                },
                ok => return ok,
            }
        }
    }
}

/// The login request's JSON: `username`, and `email` too when it looks like one.
pub fn login_body(user: &str, password: &str) -> String {
    let user = user.trim();
    if user.contains('@') {
        json!({"username": user, "email": user, "password": password}).to_string()
    } else {
        json!({"username": user, "password": password}).to_string()
    }
}

/// Turns a raw answer into JSON or the right error. Pure, so it is tested natively.
pub fn parse_answer(status: u16, retry_after: Option<&str>, content_type: Option<&str>, body: &str, what: &str) -> Result<Value, ApiError> {
    if !(200..300).contains(&status) {
        return Err(ApiError::from_status(status, retry_after, body));
    }
    if body.trim().is_empty() {
        return Ok(Value::Null);
    }
    let parsed = serde_json::from_str(body).or_else(|e| {
        // Too deep for the parser: a list keeps its other items (`without_deep_items`).
        let pruned = e.to_string().contains("recursion limit").then(|| super::models::without_deep_items(body)).flatten();
        pruned.and_then(|b| serde_json::from_str(&b).ok()).ok_or(e)
    });
    parsed.map_err(|e| {
        let kind = content_type.unwrap_or("no content type");
        if e.to_string().contains("recursion limit") {
            ApiError::decode(what, format!("it nests deeper than {} levels", super::models::MAX_JSON_DEPTH))
        } else if !kind.contains("json") {
            ApiError::decode(what, format!("expected JSON, got {kind}"))
        } else if e.is_eof() {
            ApiError::decode(what, format!("the answer ends early (after {} bytes)", body.len()))
        } else {
            ApiError::decode(what, format!("invalid JSON at line {} column {}", e.line(), e.column()))
        }
    })
}

mod transport {
    use super::{ApiError, Method};
    use std::cell::Cell;
    use std::rc::Rc;

    pub struct Req<'a> {
        pub method: Method,
        pub url: &'a str,
        pub body: Option<&'a str>,
        /// The `Authorization` header's value (checked: `Credential::header_value`).
        pub authorization: Option<&'a str>,
        pub timeout_ms: u32,
    }

    pub struct RawAnswer {
        pub status: u16,
        pub retry_after: Option<String>,
        pub content_type: Option<String>,
        /// `X-RateLimit-Limit` and `X-RateLimit-Remaining`, where the API sends them.
        pub rate_limit: Option<String>,
        pub rate_remaining: Option<String>,
        pub body: String,
    }

    pub fn now_ms() -> i64 {
        js_sys::Date::now() as i64
    }

    pub fn random() -> f64 {
        js_sys::Math::random()
    }

    pub async fn sleep(ms: u32) {
        gloo_timers::future::TimeoutFuture::new(ms).await;
    }

    /// One request with a timeout through `AbortController` (the slot's, when given, so that
    /// a newer request can abort it too). The credential goes in the `Authorization` header
    /// and nowhere else.
    pub async fn send(req: &Req<'_>, controller: Option<web_sys::AbortController>) -> Result<RawAnswer, ApiError> {
        let controller = match controller {
            Some(c) => c,
            None => {
                web_sys::AbortController::new().map_err(|_| ApiError::Network { detail: "this browser cannot make requests".into() })?
            }
        };
        let timed_out = Rc::new(Cell::new(false));
        let timer = {
            let controller = controller.clone();
            let timed_out = timed_out.clone();
            let ms = req.timeout_ms;
            gloo_timers::callback::Timeout::new(ms, move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        // A request whose future is dropped (its task was aborted: the view that asked has
        // gone) is aborted in the browser too, instead of finishing unread.
        let mut unread = AbortOnDrop(Some(controller.clone()));
        let signal = controller.signal();
        // The headers are set here, where a refused value is an error: gloo's `header` throws,
        // which would leave the request without an answer.
        let bad_header = |_| ApiError::BadCredential { problem: "The browser refused it as a request header.".into() };
        let headers = web_sys::Headers::new().map_err(|_| ApiError::Network { detail: "this browser cannot make requests".into() })?;
        headers.set("Accept", "application/json").map_err(bad_header)?;
        if let Some(value) = req.authorization {
            headers.set("Authorization", value).map_err(bad_header)?;
        }
        let b = match req.method {
            Method::Get => gloo_net::http::Request::get(req.url),
            Method::Post => gloo_net::http::Request::post(req.url),
        }
        .headers(gloo_net::http::Headers::from_raw(headers))
        .abort_signal(Some(&signal));
        let fail = |e: gloo_net::Error| {
            if timed_out.get() {
                ApiError::Timeout { after_ms: req.timeout_ms }
            } else if signal.aborted() {
                ApiError::Aborted
            } else {
                ApiError::Network { detail: network_detail(&e) }
            }
        };
        let sent = match req.body {
            Some(body) => b.header("Content-Type", "application/json").body(body.to_string()).map_err(fail)?.send().await,
            None => b.send().await,
        };
        let resp = sent.map_err(fail)?;
        let status = resp.status();
        let retry_after = resp.headers().get("retry-after");
        let content_type = resp.headers().get("content-type");
        let rate_limit = resp.headers().get("x-ratelimit-limit");
        let rate_remaining = resp.headers().get("x-ratelimit-remaining");
        let body = resp.text().await.map_err(fail)?;
        drop(timer);
        unread.0 = None;
        Ok(RawAnswer { status, retry_after, content_type, rate_limit, rate_remaining, body })
    }

    struct AbortOnDrop(Option<web_sys::AbortController>);

    impl Drop for AbortOnDrop {
        fn drop(&mut self) {
            if let Some(c) = self.0.take() {
                c.abort();
            }
        }
    }

    /// The browser says little about why a fetch failed (by design); never echo the URL.
    fn network_detail(e: &gloo_net::Error) -> String {
        match e {
            gloo_net::Error::JsError(js) => js.message.clone(),
            gloo_net::Error::SerdeError(_) => "unreadable answer".into(),
            gloo_net::Error::GlooError(m) => m.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> ApiClient {
        ApiClient::new(" https://api.example/ ", None, 1000, Scheduler::new(120))
    }

    #[test]
    fn ids_that_are_dot_segments_are_never_sent() {
        let c = client();
        assert!(dot_segment_after(&c.run_url("..", &[]), &c.base));
        assert!(dot_segment_after(&format!("{}/retry", c.run_url(".", &[])), &c.base));
        assert!(!dot_segment_after(&c.run_url("42", &["flow"]), &c.base));
        assert!(!dot_segment_after(&c.run_url("a.b", &[]), &c.base));
        assert!(!dot_segment_after(&c.run_url("../x", &[]), &c.base), "a slash is encoded: one segment");
        assert!(dot_segment_after(&c.run_url("", &["flow"]), &c.base), "no id: not the list endpoint");
        assert!(!dot_segment_after(&c.url("/api/v1/flow-runs", "per_page=1"), &c.base), "the list itself");
        assert!(!dot_segment_after("https://fabric.example/api/v1/login", &c.base), "a sign-in elsewhere");
        assert!(dot_segment_after("https://fabric.example/api/../v1/login", &c.base));
    }

    #[test]
    fn urls() {
        let c = client();
        assert_eq!(c.runs_url(&RunQuery::new(1, 25)), "https://api.example/api/v1/flow-runs?page=1&per_page=25");
        assert_eq!(c.run_url("4 2", &["flow", "flowVersion"]), "https://api.example/api/v1/flow-runs/4%202?include=flow%2CflowVersion");
        assert_eq!(c.run_url("42", &[]), "https://api.example/api/v1/flow-runs/42");
        assert_eq!(c.run_url("../x", &[]), "https://api.example/api/v1/flow-runs/..%2Fx");
        assert_eq!(
            c.logs_url("42", &LogQuery::standard(2, 50)),
            "https://api.example/api/v1/flow-runs/42/flow-run-logs?include=flowStep%2CflowRunLogMetadata&fields%5BflowStep%5D=id%2Cname&sort=id&load_payload_ids=true&page=2&per_page=50"
        );
        assert_eq!(
            c.log_url("42", "7"),
            "https://api.example/api/v1/flow-runs/42/flow-run-logs/7?include=flowStep%2CflowRunLogMetadata&fields%5BflowStep%5D=id%2Cname&load_payload_ids=true"
        );
    }

    #[test]
    fn login_bodies() {
        assert_eq!(login_body(" ops ", "p\"w"), r#"{"password":"p\"w","username":"ops"}"#);
        assert_eq!(login_body("a@b.c", "x"), r#"{"email":"a@b.c","password":"x","username":"a@b.c"}"#);
    }

    #[test]
    fn answers() {
        assert_eq!(parse_answer(200, None, Some("application/json"), "{\"a\":1}", "x").unwrap()["a"], 1);
        assert_eq!(parse_answer(204, None, None, "", "x").unwrap(), Value::Null);
        assert_eq!(parse_answer(401, None, None, "", "x"), Err(ApiError::Unauthorized));
        assert!(
            matches!(parse_answer(200, None, Some("text/html"), "<html>", "run"), Err(ApiError::Decode { at, .. }) if at.contains("text/html"))
        );
        assert!(
            matches!(parse_answer(200, None, Some("application/json"), "{\"data\": [", "run"), Err(ApiError::Decode { at, .. }) if at.contains("ends early"))
        );
        assert!(
            matches!(parse_answer(200, None, Some("application/json"), "{\"data\": x}", "run"), Err(ApiError::Decode { at, .. }) if at.contains("line 1"))
        );
    }

    #[test]
    fn what_is_retried() {
        let net = ApiError::Network { detail: "x".into() };
        assert_eq!(retry_delay_ms(Method::Get, 0, &net, 0.0), Some(300));
        assert_eq!(retry_delay_ms(Method::Get, 0, &net, 1.0), Some(900));
        assert_eq!(retry_delay_ms(Method::Get, 1, &net, 0.5), None, "once only");
        assert_eq!(retry_delay_ms(Method::Post, 0, &net, 0.5), None, "never a POST");
        for s in [502, 503, 504] {
            assert!(retry_delay_ms(Method::Get, 0, &ApiError::Server { status: s, message: None }, 0.5).is_some());
        }
        assert_eq!(retry_delay_ms(Method::Get, 0, &ApiError::Server { status: 500, message: None }, 0.5), None);
        assert_eq!(retry_delay_ms(Method::Get, 0, &ApiError::RateLimited { retry_after_s: Some(2) }, 0.0), Some(2000));
        assert_eq!(retry_delay_ms(Method::Get, 0, &ApiError::RateLimited { retry_after_s: Some(60) }, 0.0), None);
        assert_eq!(retry_delay_ms(Method::Get, 0, &ApiError::RateLimited { retry_after_s: None }, 0.0), None);
        assert_eq!(retry_delay_ms(Method::Get, 0, &ApiError::Unauthorized, 0.0), None);
        assert_eq!(retry_delay_ms(Method::Get, 0, &ApiError::decode("x", "y"), 0.0), None);
    }
}
