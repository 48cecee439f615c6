//! Harness for the end-to-end tests: a simulator process serving the built app, and a
//! headless Chromium driven through chromedriver (WebDriver).
//!
//! `cargo xtask test` builds both and sets `FRC_SIM_BIN` (the simulator binary), `FRC_DIST`
//! (the built app) and `CHROMEDRIVER`. Without them these tests fail, saying so: they never
//! pass by skipping.

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

pub const WAIT: Duration = Duration::from_secs(20);
pub const API_KEY: &str = "demo-key";

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
        let mut child = Command::new(env_path("FRC_SIM_BIN"))
            .args(["--port", "0", "--api-key", API_KEY, "--dist"])
            .arg(env_path("FRC_DIST"))
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
}

/// A headless Chromium session; call `close` at the end of a test.
pub struct Browser {
    pub client: Client,
    _driver: Child,
    profile: PathBuf,
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
        let deadline = tokio::time::Instant::now() + WAIT;
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(tokio::time::Instant::now() < deadline, "chromedriver did not listen");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
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
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await
            .map_err(|e| e.to_string())?;
        Ok(Browser { client, _driver: driver, profile })
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }

    pub async fn goto(&self, url: &str) {
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

    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        match self.client.wait().at_most(WAIT).for_element(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => {
                let body = self.text("body").await;
                panic!("no element matches {css} within {WAIT:?} ({e}); the page says:\n{body}");
            }
        }
    }

    /// Waits until the element's text contains `needle`; answers the whole text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let text = self.text(css).await;
            if text.contains(needle) {
                return text;
            }
            if tokio::time::Instant::now() > deadline {
                let body = self.text("body").await;
                panic!("{css} never said {needle:?}; it says {text:?}; the page says:\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
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

/// Whether a call is the run table's own page (not one of the chart's `per_page=1` counts).
pub fn is_table_call(c: &Value) -> bool {
    c["path"] == "/api/v1/flow-runs" && !c["query"].as_str().unwrap_or("").ends_with("per_page=1")
}
