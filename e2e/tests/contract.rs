//! The whole contract end to end (#17): the main walk under `--shapes mixed`, what the run
//! table asks for (fields, counts, no error entries), failure summaries fetched on opening,
//! tracked data, message parts, inferred duration units, the e-mail sign-in at `loginUrl`,
//! and a walk under the simulator's default rate limit that never meets a 429.

use e2e::{Browser, Sim, API_KEY};
use fantoccini::Locator;
use serde_json::Value;

/// Fails on any answer the app got that was not a success.
async fn all_answers_ok(sim: &Sim) {
    let bad: Vec<Value> = sim.requests().await.into_iter().filter(|r| r["status"].as_u64().is_none_or(|s| s >= 400)).collect();
    assert!(bad.is_empty(), "answers that were not successes: {bad:?}");
}

/// Seconds since midnight of a Laravel time stamp (`2026-11-28T17:49:28.000000Z`) and its day.
fn day_and_ms(ts: &str) -> Option<(&str, i64)> {
    let (day, time) = ts.split_once('T')?;
    let time = time.trim_end_matches('Z');
    let mut parts = time.split(':');
    let h: f64 = parts.next()?.parse().ok()?;
    let m: f64 = parts.next()?.parse().ok()?;
    let s: f64 = parts.next()?.parse().ok()?;
    Some((day, ((h * 3600.0 + m * 60.0 + s) * 1000.0).round() as i64))
}

#[tokio::test]
async fn the_main_walk_under_mixed_shapes() {
    let sim = Sim::start(&["--runs", "300", "--days", "3", "--seed", "21", "--shapes", "mixed"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs?per_page=100")).await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    let rows = b.count("table.runs:not(.skeleton) tbody tr[data-run-id]").await;
    assert!(rows >= 50, "a page of runs in every shape: {rows}");
    let flows = b.js("return [...document.querySelectorAll('td.col-flow')].filter(td => td.textContent.trim() !== '–').length").await;
    assert!(flows.as_u64().unwrap_or(0) > 10, "flow names in objects, lists and JSON:API relationships: {flows}");
    let unknown = b.js("return document.querySelectorAll('.badge').length").await;
    assert!(unknown.as_u64().unwrap_or(0) >= rows as u64);

    // A run with a finish time and its log.
    let id = b.js("const r = [...document.querySelectorAll('tr[data-run-id]')].find(tr => tr.querySelector('td.col-duration').textContent.trim() !== '–'); return r.dataset.runId;").await;
    let id = id.as_str().expect("a finished run on the page").to_string();
    b.client.find(Locator::Css(&format!("tr[data-run-id='{id}'] td.col-id a"))).await.unwrap().click().await.unwrap();
    b.wait_for_text("h1", &format!("Run #{id}")).await;
    b.wait_for("dl.summary").await;
    let duration = b.text("dl.summary dd.duration").await;
    assert!(duration.contains("from start and finish"), "{duration}");
    b.client.find(Locator::XPath("//a[text()='Open the logs']")).await.unwrap().click().await.unwrap();
    b.wait_for(".log-row").await;
    let msg = b.text(".log-row .log-msg").await;
    assert!(!msg.trim().is_empty(), "log entries read in every shape");
    b.wait_for(".log-row").await.click().await.unwrap();
    b.wait_for(".log-detail .log-message").await;
    all_answers_ok(&sim).await;
    b.close().await;
}

#[tokio::test]
async fn durations_in_milliseconds_are_inferred_and_said() {
    let sim = Sim::start(&["--runs", "300", "--days", "3", "--seed", "21", "--shapes", "mixed", "--frozen"]).await;
    // A flat run whose `duration` is a bare number of milliseconds.
    let page = sim.api("GET", "/api/v1/flow-runs?per_page=100").await;
    let ms_run = page["data"]
        .as_array()
        .expect("a page")
        .iter()
        .find_map(|r| {
            let n = r.get("duration")?.as_f64()?;
            let (d1, s) = day_and_ms(r.get("started_at")?.as_str()?)?;
            let (d2, f) = day_and_ms(r.get("finished_at")?.as_str()?)?;
            let span = f - s;
            (d1 == d2 && span > 5_000 && (n - span as f64).abs() < 2.0).then(|| r["id"].to_string().trim_matches('"').to_string())
        })
        .expect("a run with its duration in milliseconds");
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url(&format!("/runs/{ms_run}"))).await;
    let text = b.wait_for_text("dl.summary dd.duration", "milliseconds").await;
    let figure = text.split('(').next().unwrap_or_default();
    assert!(figure.ends_with("s ") && !figure.contains('h') && !figure.contains('d'), "not read as seconds (hours long): {text}");
    b.close().await;
}

#[tokio::test]
async fn the_run_table_asks_for_counts_and_fetches_a_summary_only_when_opened() {
    let sim = Sim::start(&["--runs", "300", "--days", "3", "--seed", "22"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs?status=3&per_page=50")).await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    let table = sim.table_requests().await;
    assert!(!table.is_empty());
    for c in &table {
        let q = c["query"].as_str().unwrap_or_default();
        assert!(q.contains("fields%5Bflow%5D=id%2Cname") || q.contains("fields[flow]=id,name"), "{q}");
        assert!(q.contains("errorWarningLogsCount"), "{q}");
        assert!(!q.replace("errorWarningLogsCount", "").contains("errorWarningLogs"), "no error entries on every row: {q}");
    }
    let before = sim.api_requests().await.len();
    let expander = b.wait_for("tr[data-run-id] button.expander").await;
    let id = b.js("return document.querySelector('button.expander').closest('tr').dataset.runId").await;
    let id = id.as_str().unwrap().to_string();
    expander.click().await.unwrap();
    b.wait_for_text(".failure-summary", "ERROR").await;
    let after: Vec<Value> = sim.api_requests().await.into_iter().skip(before).collect();
    let for_run: Vec<&Value> =
        after.iter().filter(|c| c["path"].as_str().is_some_and(|p| p.contains(&format!("/flow-runs/{id}")))).collect();
    assert_eq!(for_run.len(), 1, "one bounded request for the opened run: {after:?}");
    b.close().await;
}

#[tokio::test]
async fn tracked_data_and_message_parts_are_shown_as_text() {
    let sim = Sim::start(&["--runs", "200", "--days", "3", "--seed", "23"]).await;
    let page = sim.api("GET", "/api/v1/flow-runs?per_page=100&include=trackedData").await;
    let run = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tracked_data"].as_array().is_some_and(|t| !t.is_empty()) && r["finished_at"].is_string())
        .expect("a run with tracked data")
        .clone();
    let id = run["id"].as_u64().unwrap();
    let first = &run["tracked_data"][0];
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url(&format!("/runs/{id}"))).await;
    let tracked = b.wait_for_text("table.tracked-data", first["key"].as_str().unwrap()).await;
    assert!(tracked.contains(first["value"].as_str().unwrap()), "{tracked}");

    // An entry with message parts.
    let logs = sim.api("GET", &format!("/api/v1/flow-runs/{id}/flow-run-logs?per_page=100")).await;
    let entry = logs["data"].as_array().unwrap().iter().find(|e| e["message"].is_array()).expect("an entry with message parts").clone();
    let part = entry["message"][0]["text"].as_str().unwrap().to_string();
    b.goto(&sim.url(&format!("/runs/{id}/logs?log={}", entry["id"]))).await;
    let parts = b.wait_for_text(".log-detail .message-parts", "text").await;
    assert!(parts.contains(part.trim()), "{parts}");
    let message = b.text(".log-detail .log-message").await;
    assert!(message.contains(part.trim()), "{message}");
    assert_eq!(b.js("return document.querySelectorAll('.log-detail script, .log-detail b').length").await, serde_json::json!(0));
    b.close().await;
}

#[tokio::test]
async fn login_url_takes_the_email_and_password_and_nothing_else_does() {
    let sim = Sim::start(&["--runs", "50", "--days", "3", "--config-json", r#"{"loginUrl": "/api/v1/login"}"#]).await;
    let b = Browser::start().await;
    b.goto(&sim.url("/settings")).await;
    b.wait_for_text("#sign-in", "E-mail").await;
    b.wait_for("#user").await.send_keys("demo@example.com").await.unwrap();
    b.client.find(Locator::Css("#password")).await.unwrap().send_keys("demo-password").await.unwrap();
    b.client.find(Locator::Css("#sign-in-button")).await.unwrap().click().await.unwrap();
    b.wait_for_text(".form-status", "Signed in as demo@example.com").await;
    b.goto(&sim.url("/runs")).await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    let calls = sim.requests().await;
    let logins: Vec<&Value> = calls.iter().filter(|c| c["path"].as_str().is_some_and(|p| p.ends_with("/login"))).collect();
    assert_eq!(logins.len(), 1, "{logins:?}");
    assert_eq!((logins[0]["path"].as_str(), logins[0]["method"].as_str()), (Some("/api/v1/login"), Some("POST")));
    assert!(sim.table_requests().await.iter().all(|c| c["auth"] == true && c["status"] == 200));
    b.close().await;
}

#[tokio::test]
async fn a_walk_at_the_default_rate_limit_never_meets_a_429() {
    // The simulator's defaults: 240 a minute per credential, as the real API.
    let sim = Sim::start(&["--runs", "400", "--days", "3", "--seed", "24"]).await;
    let b = Browser::start().await;
    b.goto(&sim.url("/__sim/faults")).await;
    b.store_key(API_KEY).await;
    // Another client (a second tab, a script) has spent 215 of the key's 240 this minute. The
    // app's own budget (120) knows nothing of it: only the API's X-RateLimit-Remaining does.
    // Without pacing by it, the status chart's 25 counts meet 429s on the first load.
    for _ in 0..215 {
        sim.api("GET", "/api/v1/flow-runs?per_page=1").await;
    }
    let before = sim.api_requests().await.len();
    for _ in 0..3 {
        b.goto(&sim.url("/runs?per_page=100")).await;
        b.wait_for("table.runs:not(.skeleton) tbody tr").await;
        b.wait_for("tr[data-run-id] td.col-id a").await.click().await.unwrap();
        b.wait_for("dl.summary").await;
        b.client.find(Locator::XPath("//a[text()='Open the logs']")).await.unwrap().click().await.unwrap();
        b.wait_for(".log-row").await;
    }
    let calls: Vec<Value> = sim.api_requests().await.into_iter().skip(before).collect();
    // Three times the table, a run and its log; the chart's counts held back by the pacing.
    assert!(calls.len() >= 9, "a walk worth the name: {}", calls.len());
    let counts =
        calls.iter().filter(|c| c["path"] == "/api/v1/flow-runs" && c["query"].as_str().unwrap_or("").ends_with("per_page=1")).count();
    assert!(counts < 25, "background counts waited for the window, not spending the foreground's last requests: {counts}");
    let limited: Vec<&Value> = calls.iter().filter(|c| c["status"] == 429).collect();
    assert!(limited.is_empty(), "429s: {limited:?}");
    all_answers_ok(&sim).await;
    b.close().await;
}
