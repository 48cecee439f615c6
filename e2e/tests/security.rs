//! The security issue's end-to-end checks: where a token may go (its origin, other deployments,
//! markup widgets), tokens that are no header value, sign-out across tabs, return paths,
//! frames and embeds, and an answer asking the app to pause for days.

use e2e::{Browser, Sim, API_KEY};
use fantoccini::Locator;
use serde_json::{json, Value};
use std::time::Duration;

const CONNECTION_KEY: &str = "frc.connection.v2:/";

async fn js(b: &Browser, script: &str) -> Value {
    b.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{e}: {script}"))
}

async fn stored(b: &Browser) -> (Value, Value) {
    let v = js(b, &format!("return [localStorage.getItem('{CONNECTION_KEY}'), sessionStorage.getItem('{CONNECTION_KEY}')]")).await;
    (v[0].clone(), v[1].clone())
}

/// Writes the deployment's `config.json` as a deployer would, its modification time a step
/// later than the one before (the file server revalidates by seconds, and a rewrite within the
/// same second would otherwise be answered "not modified").
fn write_config(dist: &std::path::Path, step: u64, text: &str) {
    let path = dist.join("config.json");
    std::fs::write(&path, text).unwrap();
    let at = std::time::SystemTime::now() + Duration::from_secs(10 * step);
    std::fs::File::options().write(true).open(&path).and_then(|f| f.set_modified(at)).unwrap();
}

async fn click(b: &Browser, css: &str) {
    b.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.unwrap();
}

/// Types an API key into the Connection page's token field and saves it.
async fn save_key(b: &Browser, key: &str) {
    let token = b.wait_for("#token").await;
    b.client.find(Locator::Css("#token-kind")).await.unwrap().select_by_value("key").await.unwrap();
    token.clear().await.unwrap();
    token.send_keys(key).await.unwrap();
    click(b, "#save-connection").await;
}

async fn sign_in_with_password(b: &Browser) {
    b.wait_for("#user").await.send_keys("demo@example.com").await.unwrap();
    b.client.find(Locator::Css("#password")).await.unwrap().send_keys("demo-password").await.unwrap();
    click(b, "#sign-in-button").await;
}

/// Uncaught errors and rejections of the page from now on (read with `page_errors`).
async fn watch_errors(b: &Browser) {
    js(
        b,
        "window.__errors = []; addEventListener('error', e => __errors.push(String(e.message))); \
         addEventListener('unhandledrejection', e => __errors.push(String(e.reason)));",
    )
    .await;
}

async fn page_errors(b: &Browser) -> Value {
    js(b, "return window.__errors || []").await
}

#[tokio::test]
async fn a_stored_token_stays_behind_when_config_json_moves_the_api_to_another_origin() {
    let dist = e2e::copy_of_dist("sec-origin");
    write_config(&dist, 0, "{}");
    let sim = Sim::start(&["--runs", "30", "--days", "3", "--dist", dist.to_str().unwrap()]).await;
    let b = Browser::start().await;
    b.goto(&sim.url("/settings")).await;
    save_key(&b, API_KEY).await;
    b.wait_for_text(".form-status", "Saved").await;
    let (local, _) = stored(&b).await;
    let record: Value = serde_json::from_str(local.as_str().unwrap_or("{}")).unwrap();
    assert_eq!(record["origin"], json!(sim.base), "the token is stored with the origin it was given for: {record}");
    b.goto(&sim.url("/runs")).await;
    b.wait_for_text(".link-state", "Connected").await;

    // The deployer points config.json at another origin: the stored token does not go there.
    write_config(&dist, 1, r#"{"apiBase": "http://127.0.0.1:9"}"#);
    b.goto(&sim.url("/runs")).await;
    b.wait_for_text(".link-state", "Not connected").await;
    let (local, session) = stored(&b).await;
    assert!(!local.as_str().unwrap_or("").contains(API_KEY) && session.is_null(), "{local} {session}");

    // A connection stored by a version before (no origin, the old key) is read once, and only
    // for the origin it was for: the page's own, the default API base.
    js(&b, "localStorage.clear()").await;
    b.store_key(API_KEY).await;
    b.goto(&sim.url("/runs")).await;
    b.wait_for_text(".link-state", "Not connected").await;
    assert!(js(&b, "return localStorage.getItem('frc.connection.v1')").await.is_null(), "the old key is gone");
    // Read once: the app keeps its own record from now on, so start afresh.
    write_config(&dist, 2, "{}");
    js(&b, "localStorage.clear()").await;
    b.store_key(API_KEY).await;
    b.goto(&sim.url("/runs")).await;
    b.wait_for_text(".link-state", "Connected").await;
    assert!(js(&b, "return localStorage.getItem('frc.connection.v1')").await.is_null());
    assert!(stored(&b).await.0.as_str().unwrap_or("").contains(API_KEY), "moved to this deployment's key");
    b.close().await;
    let _ = std::fs::remove_dir_all(dist);
}

#[tokio::test]
async fn an_api_base_with_a_backslash_is_judged_as_the_browser_reads_it() {
    let sim = Sim::start(&["--runs", "20", "--days", "3"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/settings")).await;
    // `\` ends the host for a browser: this base is evil.test, whatever follows the `@`.
    let host = sim.base.trim_start_matches("http://");
    b.wait_for("#api-base").await.send_keys(&format!("http://evil.test\\@{host}")).await.unwrap();
    click(&b, "#save-connection").await;
    b.wait_for_text(".form-status", "token was cleared").await;
    let (local, _) = stored(&b).await;
    assert!(!local.as_str().unwrap_or("").contains(API_KEY), "{local}");
    b.close().await;
}

#[tokio::test]
async fn a_pasted_token_that_is_no_header_value_is_refused_with_a_reason_and_never_hangs() {
    let sim = Sim::start(&["--runs", "20", "--days", "3"]).await;
    let b = Browser::start().await;
    b.goto(&sim.url("/settings")).await;
    save_key(&b, "“demo-key”").await;
    b.wait_for_text(".form-status", "typographic quote").await;
    assert!(stored(&b).await.0.is_null(), "nothing is saved");
    save_key(&b, "demo-…").await;
    b.wait_for_text(".form-status", "shortened").await;
    // One stored before (or by another version): the requests answer at once, saying why.
    b.store_key("demo-key…").await;
    b.goto(&sim.url("/runs")).await;
    b.wait_for_text(".error-view", "cannot be sent").await;
    b.wait_for_text(".error-view", "shortened").await;
    b.wait_for_text(".link-state", "Token rejected").await;
    assert!(sim.api_requests().await.is_empty(), "nothing was sent");
    b.close().await;
}

const WIDGET_HOST: &str = r#"<!doctype html>
<html><head><title>Host with user content</title></head>
<body>
<div id="own" data-flow-run-console data-view="runs" data-page-size="3" data-credential-type="key" data-token-function="hostToken"></div>
<div class="user-comment">
  <div id="injected" data-flow-run-console data-api-base="http://127.0.0.1:9" data-credential-type="key" data-token-function="hostToken"></div>
</div>
<script>
  window.__sent = [];
  const realFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    try {
      const r = input instanceof Request ? input : new Request(input, init);
      window.__sent.push({ url: r.url, auth: r.headers.get('Authorization') });
    } catch (e) {}
    return realFetch(input, init);
  };
  window.hostToken = () => 'demo-key';
</script>
<script type="module" src="WIDGET"></script>
</body></html>"#;

#[tokio::test]
async fn markup_widgets_cannot_send_the_host_token_to_another_origin() {
    let dist = e2e::copy_of_dist("sec-widget");
    std::fs::write(dist.join("host.html"), WIDGET_HOST.replace("WIDGET", "/widget.js?token=hostToken")).unwrap();
    std::fs::write(dist.join("host-allows.html"), WIDGET_HOST.replace("WIDGET", "/widget.js?token=hostToken&allow=http://127.0.0.1:9"))
        .unwrap();
    // A token function the loader does not list is never called.
    std::fs::write(dist.join("host-unlisted.html"), WIDGET_HOST.replace("WIDGET", "/widget.js")).unwrap();
    let sim = Sim::start(&["--runs", "40", "--days", "3", "--dist", dist.to_str().unwrap()]).await;
    let b = Browser::start().await;
    b.goto(&sim.url("/host.html")).await;
    // The host's own widget works, with the host's token function.
    b.wait_for("#own table.runs tbody tr").await;
    b.wait_for_text("#injected .widget-refused", "not started").await;
    // Once the host's widget has asked with its token, nothing has gone elsewhere.
    let sent = b
        .wait_until("the host's widget asks with its token", e2e::WAIT, async || {
            let sent = js(&b, "return window.__sent").await;
            let asked = sent.as_array().is_some_and(|a| a.iter().any(|r| r["auth"] == json!(API_KEY)));
            if asked {
                Ok(sent)
            } else {
                Err(format!("{sent}"))
            }
        })
        .await;
    let sent = sent.as_array().cloned().unwrap_or_default();
    assert!(sent.iter().all(|r| r["url"].as_str().unwrap_or("").starts_with(&sim.base)), "nothing went elsewhere: {sent:?}");
    // A host that allows that API in its own script tag gets it.
    b.goto(&sim.url("/host-allows.html")).await;
    b.wait_for("#own table.runs tbody tr").await;
    b.wait_until("the allowed API is asked", e2e::WAIT, async || {
        let sent = js(&b, "return window.__sent.filter(r => r.url.startsWith('http://127.0.0.1:9/'))").await;
        if sent.as_array().is_some_and(|a| !a.is_empty()) {
            Ok(())
        } else {
            Err("no request to it yet".to_string())
        }
    })
    .await;
    assert_eq!(b.count("#injected .widget-refused").await, 0);
    b.goto(&sim.url("/host-unlisted.html")).await;
    b.wait_for_text("#own", "Connect").await;
    let sent = js(&b, "return window.__sent").await;
    assert!(sent.as_array().is_some_and(|a| a.iter().all(|r| r["auth"].is_null())), "no token was asked for: {sent:?}");
    b.close().await;
    let _ = std::fs::remove_dir_all(dist);
}

#[tokio::test]
async fn signing_out_in_one_tab_signs_out_the_others() {
    let sim = Sim::start(&["--runs", "20", "--days", "3"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs")).await;
    b.wait_for_text(".link-state", "Connected").await;
    let first = b.client.window().await.unwrap();
    let second = b.client.new_window(true).await.unwrap().handle;
    b.client.switch_to_window(second).await.unwrap();
    b.goto(&sim.url("/settings")).await;
    b.wait_for("#user").await;
    b.client.find(Locator::XPath("//button[text()='Sign out']")).await.unwrap().click().await.unwrap();
    b.wait_for_text(".form-status", "Signed out").await;
    b.client.switch_to_window(first).await.unwrap();
    b.wait_for_text(".link-state", "Not connected").await;
    b.close().await;
}

#[tokio::test]
async fn a_sign_in_token_is_kept_for_this_tab_only_unless_asked() {
    let sim = Sim::start(&["--runs", "20", "--days", "3"]).await;
    let b = Browser::start().await;
    b.goto(&sim.url("/settings")).await;
    let remember = b.wait_for("#remember-sign-in").await;
    assert_eq!(remember.prop("checked").await.unwrap().as_deref(), Some("false"), "off by default");
    sign_in_with_password(&b).await;
    b.wait_for_text(".form-status", "Signed in as").await;
    let (local, session) = stored(&b).await;
    assert!(local.is_null(), "{local}");
    assert!(session.as_str().unwrap_or("").contains("\"kind\":\"bearer\""), "{session}");
    b.close().await;
}

#[tokio::test]
async fn a_return_path_with_a_tab_or_dot_segments_stays_in_the_app() {
    let sim = Sim::start(&["--runs", "20", "--days", "3"]).await;
    let b = Browser::start().await;
    // `/<TAB>/evil.example/`: a browser drops the TAB and reads `//evil.example/`.
    b.goto(&sim.url("/settings?next=/%09/evil.example/")).await;
    sign_in_with_password(&b).await;
    // The return path is taken (or refused) in the same step that shows this message.
    b.wait_for_text(".form-status", "Signed in as").await;
    let url = b.client.current_url().await.unwrap();
    assert_eq!(url.origin().ascii_serialization(), sim.base, "still on the app: {url}");
    // `/.//x` resolves to the path `//x`, which pushState would read as a host: refused, no error.
    b.goto(&sim.url("/settings?next=/.//x")).await;
    watch_errors(&b).await;
    save_key(&b, API_KEY).await;
    b.wait_for_text(".form-status", "Saved").await;
    assert_eq!(page_errors(&b).await, json!([]));
    assert!(b.path().await.starts_with("/settings"), "{}", b.path().await);
    // A plain return path still works.
    b.goto(&sim.url("/settings?next=%2Fruns%3Fstatus%3D3")).await;
    save_key(&b, API_KEY).await;
    b.wait_for("table.runs tbody tr").await;
    assert_eq!(b.path().await, "/runs?status=3");
    b.close().await;
}

/// A host page framing an embed route and a full route.
fn framing_host(run_id: &str) -> String {
    format!(
        r#"<!doctype html><html><head><title>Framing page</title></head><body>
<iframe id="embed" src="/embed/runs?per_page=5" style="width: 900px; height: 300px"></iframe>
<iframe id="full" src="/runs/{run_id}" style="width: 900px; height: 600px"></iframe>
<script>
  window.__heights = [];
  addEventListener('message', (e) => {{ if (e.data && e.data.type === 'flow-run-console:height') window.__heights.push(e.data); }});
</script>
</body></html>"#
    )
}

async fn failed_run(sim: &Sim) -> String {
    let page = sim.api("GET", "/api/v1/flow-runs?filter%5Bstatus%5D=3&per_page=1").await;
    let id = &page["data"][0]["id"];
    id.as_str().map(String::from).or_else(|| id.as_i64().map(|n| n.to_string())).unwrap_or_else(|| panic!("a failed run: {page}"))
}

#[tokio::test]
async fn embeds_post_no_height_unless_a_parent_is_named_and_framed_pages_offer_no_retry() {
    let dist = e2e::copy_of_dist("sec-frames");
    write_config(&dist, 0, "{}");
    let sim = Sim::start(&["--runs", "200", "--days", "3", "--seed", "6", "--frozen", "--dist", dist.to_str().unwrap()]).await;
    // The simulator serves the files as they are on disk at each request.
    std::fs::write(dist.join("host.html"), framing_host(&failed_run(&sim).await)).unwrap();
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/host.html")).await;
    b.client.enter_frame(0).await.unwrap();
    b.wait_for("table.runs tbody tr").await;
    b.client.enter_parent_frame().await.unwrap();
    b.client.enter_frame(1).await.unwrap();
    b.wait_for("dl.summary").await;
    assert_eq!(b.count(".run-actions").await, 0, "a framed full page offers no retry or stop");
    b.client.enter_parent_frame().await.unwrap();
    // Both frames have shown their data (when a height would have been posted): none was.
    assert_eq!(js(&b, "return window.__heights").await, json!([]), "no parent origin configured: nothing posted");

    // Named in config.json: the height goes to that origin.
    write_config(&dist, 1, &json!({ "embedParentOrigin": sim.base }).to_string());
    b.goto(&sim.url("/host.html")).await;
    b.wait_until("a height is posted to the named origin", e2e::WAIT, async || {
        let n = js(&b, "return window.__heights.length").await;
        if n == json!(0) {
            Err("none yet".to_string())
        } else {
            Ok(())
        }
    })
    .await;
    // A full page is read-only in a frame whoever frames it; the same page on its own is not.
    b.goto(&sim.url(&format!("/runs/{}", failed_run(&sim).await))).await;
    b.wait_for(".run-actions .action-retry").await;
    b.close().await;
    let _ = std::fs::remove_dir_all(dist);
}

#[tokio::test]
async fn a_retry_after_of_eleven_days_pauses_the_app_five_minutes_at_most() {
    let sim = Sim::start(&["--runs", "20", "--days", "3"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    sim.add_fault(r#"{"kind":"rate_limit","retry_after":950400,"path_prefix":"/api/v1/flow-runs"}"#).await;
    b.goto(&sim.url("/runs")).await;
    b.wait_for_text(".error-view", "at most 5 minutes").await;
    let note = b.wait_for_text(".budget-note", "Paused").await;
    let secs: u64 = note.split(['(', ' ']).find_map(|w| w.parse().ok()).unwrap_or(u64::MAX);
    assert!(secs <= 300, "{note}");
    b.close().await;
}
