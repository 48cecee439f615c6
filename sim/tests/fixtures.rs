//! Recorded simulator answers, for the app's decoding tests (`tests/decode_fixtures.rs`).
//! The files under `tests/fixtures/sim/` must match what the simulator answers now: this
//! test fails when they drift. `FRC_RECORD=1 cargo test -p flow-run-sim --test fixtures`
//! records them anew.

use axum::body::Body;
use axum::http::Request;
use flow_run_sim::shapes::Shapes;
use flow_run_sim::{router, Options, Sim};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::path::PathBuf;
use tower::ServiceExt;

async fn answer(app: &axum::Router, method: &str, uri: &str) -> Value {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "sim.test")
        .header("authorization", "demo-key")
        .body(Body::empty())
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    let retry_after = resp.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_string);
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    json!({"request": format!("{method} {uri}"), "status": status, "retry_after": retry_after, "body": body})
}

fn sim(shapes: Shapes, rate_limit: Option<u32>) -> axum::Router {
    router(Sim::new(Options {
        runs: 400,
        seed: 11,
        now_ms: 1_800_000_000_000,
        frozen: true,
        days: 2,
        log_overrides: vec![(396, 240), (12, 8)],
        shapes,
        rate_limit,
        ..Options::default()
    }))
}

#[tokio::test]
async fn recorded_answers_are_current() {
    let app = sim(Shapes::Flat, None);
    let first = |v: &Value, status: u64| {
        v["body"]["data"].as_array().and_then(|d| d.iter().find(|r| r["status"] == status)).map(|r| r["id"].clone())
    };
    let runs = answer(
        &app,
        "GET",
        "/api/v1/flow-runs?include=flow,flowVersion,retriedFlowRun,errorWarningLogs&sort=-started_at&page=1&per_page=100",
    )
    .await;
    let failed = first(&runs, 3).expect("a failed run on the first page");
    let running = first(&runs, 1).expect("a running run on the first page");
    let mut cases = vec![
        ("runs_page", answer(&app, "GET", "/api/v1/flow-runs?include=flow,flowVersion,retriedFlowRun,errorWarningLogs&sort=-started_at&page=2&per_page=10").await),
        (
            "run_full",
            answer(&app, "GET", &format!("/api/v1/flow-runs/{failed}?include=flow,flowVersion.steps,retriedFlowRun,errorWarningLogs,cpuTime,payloadSize,operationsSent,operationsReceived,trackedData,flowRunLogsCount,errorWarningLogsExists")).await,
        ),
        ("logs_page", answer(&app, "GET", "/api/v1/flow-runs/396/flow-run-logs?include=flowStep,flowRunLogMetadata&fields[flowStep]=id,name&load_payload_ids=true&sort=id&page=3&per_page=100").await),
        ("log_one", answer(&app, "GET", "/api/v1/flow-runs/396/flow-run-logs/396000007?include=flowStep,flowRunLogMetadata&load_payload_ids=true").await),
        ("download", answer(&app, "GET", &format!("/api/v1/flow-runs/{failed}/download")).await),
        ("retry_ok", answer(&app, "POST", &format!("/api/v1/flow-runs/{failed}/retry")).await),
        ("stop_ok", answer(&app, "POST", &format!("/api/v1/flow-runs/{running}/stop")).await),
        ("stop_422", answer(&app, "POST", &format!("/api/v1/flow-runs/{running}/stop")).await),
        ("error_400", answer(&app, "GET", "/api/v1/flow-runs?filter[colour]=red").await),
        ("error_404", answer(&app, "GET", "/api/v1/flow-runs/99999").await),
        ("error_422_date", answer(&app, "GET", "/api/v1/flow-runs?filter[started_after]=yesterday").await),
        ("run_logs_included", answer(&app, "GET", "/api/v1/flow-runs/12?include=flowRunLogs.flowStep,trackedData,flow&fields[flow]=id").await),
    ];
    let mixed = sim(Shapes::Mixed, None);
    cases.push((
        "runs_page_mixed",
        answer(
            &mixed,
            "GET",
            "/api/v1/flow-runs?include=flow,flowVersion,retriedFlowRun,errorWarningLogs,cpuTime&sort=-started_at&page=1&per_page=15",
        )
        .await,
    ));
    cases.push(("logs_page_mixed", answer(&mixed, "GET", "/api/v1/flow-runs/396/flow-run-logs?include=flowStep,flowRunLogMetadata&fields[flowStep]=id,name&load_payload_ids=true&sort=id&page=1&per_page=40").await));
    let limited = sim(Shapes::Flat, Some(1));
    answer(&limited, "GET", "/api/v1/flow-runs?per_page=1").await;
    let mut too_many = answer(&limited, "GET", "/api/v1/flow-runs?per_page=1").await;
    // Seconds left in the window depend on the clock: recorded as the whole window.
    too_many["retry_after"] = json!("60");
    cases.push(("error_429", too_many));
    let req = Request::builder().uri("/api/v1/flow-runs").body(Body::empty()).unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    cases.push(("error_401", json!({"request": "GET /api/v1/flow-runs (no credential)", "status": 401, "retry_after": null, "body": serde_json::from_slice::<Value>(&bytes).unwrap()})));

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/sim");
    let record = std::env::var_os("FRC_RECORD").is_some();
    let mut stale = Vec::new();
    for (name, value) in cases {
        let path = dir.join(format!("{name}.json"));
        let text = serde_json::to_string_pretty(&value).unwrap() + "\n";
        if record {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "fixtures differ from the simulator's answers: {stale:?}; record them with FRC_RECORD=1 cargo test -p flow-run-sim --test fixtures"
    );
}
