//! The app against a misbehaving API (the simulator's fault injection).

use e2e::{holds_for, Browser, Sim};
use std::time::Duration;

#[tokio::test]
async fn a_failing_gateway_is_retried_once() {
    let sim = Sim::start(&[
        "--runs",
        "120",
        "--fault",
        r#"{"kind":"status","status":503,"times":1,"path_prefix":"/api/v1/flow-runs","query_contains":"per_page=25"}"#,
    ])
    .await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs")).await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    let calls = sim.table_requests().await;
    let statuses: Vec<u64> = calls.iter().map(|c| c["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [503, 200], "one failure, one retry: {calls:?}");
    b.close().await;
}

#[tokio::test]
async fn unreadable_answers_are_explained_not_crashed_on() {
    let sim = Sim::start(&[
        "--runs",
        "50",
        "--fault",
        r#"{"kind":"truncated","path_prefix":"/api/v1/flow-runs","query_contains":"per_page=25"}"#,
    ])
    .await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs")).await;
    b.wait_for_text(".error-view", "could not be read").await;
    // The app is still alive: navigation works.
    b.goto(&sim.url("/settings")).await;
    b.wait_for_text("h1", "Connection").await;
    b.close().await;
}

#[tokio::test]
async fn a_rate_limit_is_shown_and_not_hammered() {
    let sim = Sim::start(&["--runs", "50", "--fault", r#"{"kind":"rate_limit","retry_after":120}"#]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs")).await;
    b.wait_for_text(".error-view", "rate limit").await;
    b.wait_for_text(".budget-note", "Paused: rate limit").await;
    assert_eq!(sim.table_requests().await.len(), 1, "a 429 with a long Retry-After is not retried");
    // At most the chart's first count raced the table's request; then everything paused: no
    // retry (a GET's comes within 900 ms) and no further count while the app shows the pause.
    holds_for("at most two API requests during the pause", Duration::from_millis(1500), async || {
        let calls = sim.api_requests().await;
        if calls.len() <= 2 {
            Ok(())
        } else {
            Err(format!("{calls:?}"))
        }
    })
    .await;
    b.close().await;
}

#[tokio::test]
async fn a_slow_api_times_out_with_a_clear_message() {
    let sim = Sim::start(&["--runs", "20", "--latency-ms", "4000", "--config-json", r#"{"requestTimeoutMs": 1000}"#]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs")).await;
    b.wait_for_text(".error-view", "did not answer within 1 s").await;
    b.wait_for_text(".link-state", "API unreachable").await;
    b.close().await;
}
