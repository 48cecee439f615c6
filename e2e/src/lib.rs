//! Harness for the end-to-end tests: a simulator process serving the built app, and a
//! headless Chromium driven through chromedriver (WebDriver).
//!
//! `cargo xtask test` builds both and sets `FRC_SIM_BIN` (the simulator binary), `FRC_DIST`
//! (the built app) and `CHROMEDRIVER`. Without them these tests fail, saying so: they never
//! pass by skipping.
//!
//! The harness rule: a test fails on any uncaught exception, unhandled promise rejection or
//! WebAssembly trap in the browser. Chromium runs with its browser log on; every wait of a
//! `Browser`, every `goto` and `close` read that log and panic with the uncaught errors it
//! holds. Failed resource loads (a 500 a fault test asked for) and console messages are not
//! errors. `Browser::browser_errors` reads them without panicking (the harness's self-test).

pub mod a11y;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

pub const WAIT: Duration = Duration::from_secs(20);
pub const API_KEY: &str = "demo-key";

/// How often `wait_until` looks again.
const POLL: Duration = Duration::from_millis(50);

/// What a `wait_until` probe answers: whether the wait is over, with a value, or what it saw
/// instead (for the message on timeout).
pub trait Outcome {
    type Value;
    fn check(self) -> Result<Self::Value, String>;
}

impl Outcome for bool {
    type Value = ();
    fn check(self) -> Result<(), String> {
        if self {
            Ok(())
        } else {
            Err("not yet".into())
        }
    }
}

impl<T> Outcome for Option<T> {
    type Value = T;
    fn check(self) -> Result<T, String> {
        self.ok_or_else(|| "nothing yet".into())
    }
}

impl<T> Outcome for Result<T, String> {
    type Value = T;
    fn check(self) -> Result<T, String> {
        self
    }
}

/// The one polling loop: asks `probe` until it answers that the wait is over, or `limit` has
/// passed (then `Err` with what it last saw). `before_each` runs before every probe.
async fn poll_until<O: Outcome>(
    limit: Duration,
    mut probe: impl AsyncFnMut() -> O,
    mut before_each: impl AsyncFnMut(),
) -> Result<O::Value, String> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        before_each().await;
        let last = match probe().await.check() {
            Ok(v) => return Ok(v),
            Err(last) => last,
        };
        if tokio::time::Instant::now() >= deadline {
            return Err(last);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Waits until `probe` says the wait is over (`true`, `Some(v)` or `Ok(v)`), at most `limit`;
/// then panics naming `what` and what the probe saw last. For conditions outside a browser
/// (the simulator's logs); in a browser use `Browser::wait_until`, which also applies the
/// harness rule.
pub async fn wait_until<O: Outcome>(what: &str, limit: Duration, probe: impl AsyncFnMut() -> O) -> O::Value {
    match poll_until(limit, probe, async || ()).await {
        Ok(v) => v,
        Err(last) => panic!("timed out after {limit:?} waiting until {what}; last seen: {last}"),
    }
}

/// Checks that `probe` stays true for the whole `window`, failing as soon as it does not.
/// Only for claims that something does not happen over a span of time the app itself defines
/// (polling that must have stopped: a refresh period); call it after a positive signal that
/// the app has reacted, never instead of one.
pub async fn holds_for(what: &str, window: Duration, mut probe: impl AsyncFnMut() -> Result<(), String>) {
    let deadline = tokio::time::Instant::now() + window;
    loop {
        if let Err(seen) = probe().await {
            panic!("{what} stopped holding: {seen}");
        }
        if tokio::time::Instant::now() >= deadline {
            return;
        }
        tokio::time::sleep(POLL).await;
    }
}

fn env_path(name: &str) -> PathBuf {
    match std::env::var_os(name) {
        Some(p) => PathBuf::from(p),
        None => panic!("{name} is not set: run the end-to-end tests through `cargo xtask test`"),
    }
}

/// A fresh copy of the built app in a temporary directory (for tests that change a file,
/// as a deployment would); remove it at the end.
pub fn copy_of_dist(tag: &str) -> PathBuf {
    let src = env_path("FRC_DIST");
    let dst = std::env::temp_dir().join(format!("frc-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dst);
    std::fs::create_dir_all(&dst).expect("a temporary directory");
    for e in std::fs::read_dir(&src).expect("the built app").flatten() {
        if e.path().is_file() {
            std::fs::copy(e.path(), dst.join(e.file_name())).expect("copy a file of the app");
        }
    }
    dst
}

/// A simulator on a free loopback port, killed when dropped.
pub struct Sim {
    _child: Child,
    pub base: String,
    addr: String,
}

impl Sim {
    pub async fn start(extra: &[&str]) -> Sim {
        Sim::start_in(&env_path("FRC_DIST"), extra).await
    }

    /// [`Sim::start`] serving the app from `dist` (a changed copy of it).
    pub async fn start_in(dist: &std::path::Path, extra: &[&str]) -> Sim {
        let mut child = Command::new(env_path("FRC_SIM_BIN"))
            .args(["--port", "0", "--api-key", API_KEY, "--dist"])
            .arg(dist)
            .args(extra)
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the simulator starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let base = tokio::time::timeout(WAIT, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix("listening on ") {
                    return url.trim().to_string();
                }
            }
            panic!("the simulator exited before listening");
        })
        .await
        .expect("the simulator listens within the wait");
        // Keep draining its output so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let addr = base.trim_start_matches("http://").to_string();
        Sim { _child: child, base, addr }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET path` over a plain socket; answers the body.
    pub async fn get(&self, path: &str) -> String {
        self.request("GET", path, "").await
    }

    /// An API call with the demo key, as another user of the account would make it.
    pub async fn api(&self, method: &str, path: &str) -> serde_json::Value {
        let body = self.request(method, path, &format!("Authorization: {API_KEY}\r\nContent-Length: 0\r\n")).await;
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null)
    }

    /// The size in bytes of an API answer's body (with the demo key).
    pub async fn api_bytes(&self, path: &str) -> usize {
        self.request("GET", path, &format!("Authorization: {API_KEY}\r\nContent-Length: 0\r\n")).await.len()
    }

    /// Adds a fault rule (`POST /__sim/faults`).
    pub async fn add_fault(&self, rule: &str) {
        let headers = format!("Content-Type: application/json\r\nContent-Length: {}\r\n", rule.len());
        let mut s = tokio::net::TcpStream::connect(&self.addr).await.expect("connect to the simulator");
        let req = format!("POST /__sim/faults HTTP/1.0\r\nHost: {}\r\n{headers}\r\n{rule}", self.addr);
        s.write_all(req.as_bytes()).await.expect("send");
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await.expect("read");
        assert!(
            String::from_utf8_lossy(&buf).starts_with("HTTP/1.0 200") || String::from_utf8_lossy(&buf).starts_with("HTTP/1.1 200"),
            "fault accepted"
        );
    }

    async fn request(&self, method: &str, path: &str, headers: &str) -> String {
        let mut s = tokio::net::TcpStream::connect(&self.addr).await.expect("connect to the simulator");
        let req = format!("{method} {path} HTTP/1.0\r\nHost: {}\r\n{headers}\r\n", self.addr);
        s.write_all(req.as_bytes()).await.expect("send");
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await.expect("read");
        let text = String::from_utf8_lossy(&buf).to_string();
        text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default()
    }

    /// The API requests the simulator has received, oldest first.
    pub async fn requests(&self) -> Vec<Value> {
        let v: Value = serde_json::from_str(&self.get("/__sim/requests").await).expect("request log is JSON");
        v["requests"].as_array().cloned().unwrap_or_default()
    }

    /// The run table's own page requests (not the status chart's `per_page=1` counts).
    pub async fn table_requests(&self) -> Vec<Value> {
        self.api_requests().await.into_iter().filter(is_table_call).collect()
    }

    /// Only the API calls (`/api/...`).
    pub async fn api_requests(&self) -> Vec<Value> {
        self.requests().await.into_iter().filter(|r| r["path"].as_str().is_some_and(|p| p.starts_with("/api/"))).collect()
    }

    /// How many requests fault rule `i` (in the order given) has seen. A rule counts a request
    /// when it arrives, while the request log only has it once answered: a zero-latency rule
    /// is how a test sees a request in flight.
    pub async fn seen(&self, i: usize) -> u64 {
        let v: Value = serde_json::from_str(&self.get("/__sim/faults").await).expect("fault list is JSON");
        v["faults"][i]["seen"].as_u64().unwrap_or_else(|| panic!("no fault rule {i}: {v}"))
    }
}

/// A headless Chromium session; call `close` at the end of a test (dropping it without
/// `close` panics, so that no test skips the harness rule).
pub struct Browser {
    pub client: Client,
    _driver: Child,
    profile: PathBuf,
    driver_port: u16,
    session: String,
    /// Uncaught errors read from the browser's log so far (reading the log empties it).
    errors: Mutex<Vec<String>>,
    closed: bool,
}

/// Whether a browser log entry is an uncaught error: an exception nobody caught (a wasm trap
/// is one: "Uncaught RuntimeError: unreachable") or a rejected promise nobody handled. Chromium
/// logs both with source "javascript" and a message with "Uncaught"; failed resource loads
/// ("network") and console output ("console-api") are not errors of the app.
pub fn is_uncaught_error(entry: &Value) -> bool {
    entry["source"] == "javascript" || entry["message"].as_str().is_some_and(|m| m.contains("Uncaught"))
}

/// One HTTP exchange with chromedriver on loopback (commands fantoccini has no call for);
/// answers the JSON body.
async fn driver_request(port: u16, method: &str, path: &str, body: &str) -> Result<Value, String> {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.map_err(|e| format!("connect to chromedriver: {e}"))?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.map_err(|e| format!("send to chromedriver: {e}"))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let n = s.read(&mut chunk).await.map_err(|e| format!("read from chromedriver: {e}"))?;
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some((head, rest)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case("content-length")))
                .and_then(|(_, v)| v.trim().parse::<usize>().ok());
            if length.is_some_and(|len| rest.len() >= len) || n == 0 {
                return serde_json::from_str(rest.get(..length.unwrap_or(rest.len())).unwrap_or(rest))
                    .map_err(|e| format!("chromedriver answered {head:?} with a body that is not JSON ({e}): {rest}"));
            }
        } else if n == 0 {
            return Err(format!("chromedriver closed the connection: {text}"));
        }
    }
}

impl Browser {
    pub async fn start() -> Browser {
        Browser::start_with_prefs(json!({})).await
    }

    /// A browser whose site data is blocked: `localStorage` and `sessionStorage` throw, as in
    /// strict privacy settings or a sandboxed iframe.
    pub async fn start_without_storage() -> Browser {
        Browser::start_with_prefs(json!({"profile.default_content_setting_values.cookies": 2})).await
    }

    /// A loaded machine can make Chromium miss chromedriver's start-up deadline; a fresh
    /// driver and profile then start fine. Three tries, then the error.
    async fn start_with_prefs(prefs: Value) -> Browser {
        for attempt in 1..=3 {
            match Browser::try_start(&prefs).await {
                Ok(b) => return b,
                Err(e) if attempt < 3 => eprintln!("browser start failed ({e}); trying again"),
                Err(e) => panic!("a WebDriver session: {e}"),
            }
        }
        unreachable!("the loop returns or panics")
    }

    async fn try_start(prefs: &Value) -> Result<Browser, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port");
        let driver = Command::new(env_path("CHROMEDRIVER"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        wait_until("chromedriver listens", WAIT, async || tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok()).await;
        let profile = std::env::temp_dir().join(format!("frc-e2e-{}-{port}", std::process::id()));
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--window-size=1280,900",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("--user-data-dir={}", profile.display())])
        .collect::<Vec<_>>();
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), json!({ "args": args, "prefs": prefs }));
        // The browser log (uncaught errors) for the harness rule.
        caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await
            .map_err(|e| e.to_string())?;
        let session = match client.session_id().await {
            Ok(Some(id)) => id,
            other => {
                let _ = client.close().await;
                return Err(format!("no WebDriver session id: {other:?}"));
            }
        };
        Ok(Browser { client, _driver: driver, profile, driver_port: port, session, errors: Mutex::new(Vec::new()), closed: false })
    }

    /// Every uncaught error the browser has logged in this session so far (all pages, all
    /// navigations), without panicking. Panics only when the log cannot be read.
    pub async fn browser_errors(&self) -> Vec<String> {
        let path = format!("/session/{}/se/log", self.session);
        let answer = driver_request(self.driver_port, "POST", &path, r#"{"type":"browser"}"#)
            .await
            .unwrap_or_else(|e| panic!("the harness cannot read the browser's log: {e}"));
        let entries = answer["value"].as_array().unwrap_or_else(|| panic!("the browser's log is not a list: {answer}"));
        let mut errors = self.errors.lock().unwrap_or_else(|e| e.into_inner());
        errors.extend(entries.iter().filter(|e| is_uncaught_error(e)).map(|e| e["message"].as_str().unwrap_or_default().to_string()));
        errors.clone()
    }

    /// The harness rule: panics with the browser's uncaught errors, if there are any.
    pub async fn assert_no_browser_errors(&self, when: &str) {
        let errors = self.browser_errors().await;
        if !errors.is_empty() {
            panic!("uncaught errors in the browser ({when}):\n  {}", errors.join("\n  "));
        }
    }

    /// Ends the session; panics (after closing) when the browser logged uncaught errors.
    pub async fn close(mut self) {
        let errors = self.browser_errors().await;
        let _ = self.client.clone().close().await;
        let _ = std::fs::remove_dir_all(&self.profile);
        self.closed = true;
        if !errors.is_empty() {
            panic!("uncaught errors in the browser during the test:\n  {}", errors.join("\n  "));
        }
    }

    /// Opens `url`, after checking that the page being left logged no uncaught error.
    pub async fn goto(&self, url: &str) {
        self.assert_no_browser_errors(&format!("before opening {url}")).await;
        self.client.goto(url).await.expect("navigate");
    }

    /// Opens the app and stores the simulator's API key, as a signed-in user has it.
    pub async fn sign_in(&self, sim: &Sim) {
        self.goto(&sim.url("/settings")).await;
        self.store_key(API_KEY).await;
    }

    /// Stores the API key the way the Connection page does (the page must be on the app's origin).
    pub async fn store_key(&self, key: &str) {
        let conn = json!({"apiBase": null, "kind": "key", "token": key}).to_string();
        self.client.execute("localStorage.setItem('frc.connection.v1', arguments[0]);", vec![json!(conn)]).await.expect("set storage");
    }

    /// `wait_until` in this browser: also fails at once on an uncaught error in it, and says
    /// what the page shows when the time is up.
    pub async fn wait_until<O: Outcome>(&self, what: &str, limit: Duration, probe: impl AsyncFnMut() -> O) -> O::Value {
        let rule = async || self.assert_no_browser_errors(&format!("while waiting until {what}")).await;
        match poll_until(limit, probe, rule).await {
            Ok(v) => v,
            Err(last) => {
                let body = self.text("body").await;
                panic!("timed out after {limit:?} waiting until {what}; last seen: {last}; the page says:\n{body}");
            }
        }
    }

    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.wait_until(&format!("an element matches {css}"), WAIT, async || {
            self.client.find(Locator::Css(css)).await.map_err(|e| e.to_string())
        })
        .await
    }

    /// Waits until the element's text contains `needle`; answers the whole text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        self.wait_until(&format!("{css} says {needle:?}"), WAIT, async || {
            let text = self.text(css).await;
            if text.contains(needle) {
                Ok(text)
            } else {
                Err(format!("it says {text:?}"))
            }
        })
        .await
    }

    /// Waits until the path and query of the page's URL contain `needle`; answers them.
    pub async fn wait_for_path(&self, needle: &str) -> String {
        self.wait_until(&format!("the URL has {needle:?}"), WAIT, async || {
            let p = self.path().await;
            if p.contains(needle) {
                Ok(p)
            } else {
                Err(p)
            }
        })
        .await
    }

    /// A Chrome DevTools Protocol command through chromedriver (`goog/cdp/execute`): media
    /// emulation (reduced motion, a narrow or zoomed viewport) that WebDriver has no call for.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let path = format!("/session/{}/goog/cdp/execute", self.session);
        let body = json!({ "cmd": cmd, "params": params }).to_string();
        driver_request(self.driver_port, "POST", &path, &body).await.unwrap_or_else(|e| panic!("CDP {cmd}: {e}"))
    }

    /// Runs `script` in the page and answers its value.
    pub async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{e}: {script}"))
    }

    /// The text of the first match, or "" when nothing matches.
    pub async fn text(&self, css: &str) -> String {
        match self.client.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client.find_all(Locator::Css(css)).await.map(|v| v.len()).unwrap_or(0)
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if self.closed {
            return;
        }
        // End the session so that Chromium does not outlive the test, then remove its profile.
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.driver_port)) {
            use std::io::{Read, Write};
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            let req = format!(
                "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.session, self.driver_port
            );
            if s.write_all(req.as_bytes()).is_ok() {
                let _ = s.read(&mut [0u8; 1024]);
            }
        }
        let _ = std::fs::remove_dir_all(&self.profile);
        if !std::thread::panicking() {
            panic!("a Browser was dropped without close(): its uncaught errors were never checked");
        }
    }
}

/// Whether a call is the run table's own page (not one of the chart's `per_page=1` counts).
pub fn is_table_call(c: &Value) -> bool {
    c["path"] == "/api/v1/flow-runs" && !c["query"].as_str().unwrap_or("").ends_with("per_page=1")
}
