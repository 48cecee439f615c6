//! `--shapes mixed`: the variants the client claims to read, fixed per seed and item; the
//! default stays flat.

mod common;

use common::{app, get};
use flow_run_sim::shapes::Shapes;
use flow_run_sim::Options;
use serde_json::{json, Value};

fn opts(shapes: Shapes) -> Options {
    Options { runs: 400, seed: 3, days: 2, shapes, log_overrides: vec![(10, 300)], ..Options::default() }
}

const PAGE: &str = "/api/v1/flow-runs?per_page=100&include=flow,flowVersion,retriedFlowRun,cpuTime,errorWarningLogs";

/// A field wherever the item keeps it: top level or JSON:API `attributes`.
fn attr(v: &Value, k: &str) -> Value {
    v.get("attributes").and_then(|a| a.get(k)).or_else(|| v.get(k)).cloned().unwrap_or(Value::Null)
}

#[tokio::test]
async fn mixed_shapes_are_repeatable_per_item_and_serve_every_variant() {
    let mixed = app(opts(Shapes::Mixed));
    let page = get(&mixed, PAGE).await.json;
    assert_eq!(page, get(&mixed, PAGE).await.json, "the same answer every time");
    let again = get(&app(opts(Shapes::Mixed)), PAGE).await.json;
    assert_eq!(page, again, "and in another simulator with the same seed");
    let other_seed = get(&app(Options { seed: 4, ..opts(Shapes::Mixed) }), PAGE).await.json;
    assert_ne!(page["data"], other_seed["data"]);

    let runs = page["data"].as_array().unwrap();
    let some = |f: &dyn Fn(&Value) -> bool| runs.iter().any(f);
    assert!(some(&|r| r["type"] == "flow_runs" && r["attributes"]["started_at"].is_string() && r["id"].is_string()));
    assert!(some(&|r| r["relationships"]["flow"]["data"]["attributes"]["name"].is_string()));
    assert!(some(&|r| r.get("attributes").is_none() && r["id"].is_string()));
    assert!(some(&|r| attr(r, "status").is_string() && attr(r, "status").as_str().unwrap().parse::<u8>().is_ok()));
    assert!(some(&|r| ["FAILURE", "SUCCESS", "failed", "success"].contains(&attr(r, "status").as_str().unwrap_or(""))));
    assert!(some(&|r| attr(r, "status") == json!(9) || attr(r, "status") == json!("QUEUED")), "unknown statuses");
    assert!(some(&|r| attr(r, "has_warnings").is_array()));
    assert!(some(&|r| r.get("flow") == Some(&Value::Null)), "null relations");
    assert!(some(&|r| r["flow_version"].is_array()), "one-element lists");
    assert!(some(&|r| !["API", "Manual", "Router", "Webhook", "Schedule", "Shape", "Retry", "Event", "Callback"].iter().any(|t| attr(
        r, "trigger"
    )
    .as_str()
    .is_some_and(|s| s.eq_ignore_ascii_case(t)))));
    // Milliseconds only where both time stamps are there (the unit can then be inferred).
    let mut in_ms = 0;
    for r in runs {
        let d = attr(r, "duration");
        if attr(r, "finished_at").is_null() {
            assert!(d.is_null(), "a running run has no duration: {r}");
        } else if d.is_u64() && d.as_u64().unwrap() >= 1000 && attr(r, "cpu_time").as_str().is_some_and(|c| !c.contains('.')) {
            in_ms += 1;
        }
    }
    assert!(in_ms > 3, "{in_ms}");
    // Nested log entries are reshaped too.
    let levels: Vec<Value> = runs
        .iter()
        .flat_map(|r| {
            let list = r.get("error_warning_logs").or_else(|| r.pointer("/relationships/error_warning_logs/data"));
            list.and_then(Value::as_array).cloned().unwrap_or_default()
        })
        .map(|e| attr(&e, "log_level"))
        .collect();
    assert!(levels.iter().any(Value::is_number) && levels.iter().any(|l| l == "warning" || l == "error"));

    let logs = get(&mixed, "/api/v1/flow-runs/10/flow-run-logs?per_page=100&include=flowStep").await.json;
    let entries = logs["data"].as_array().unwrap();
    assert!(entries.iter().any(|e| e["type"] == "flow_run_logs" && e["relationships"]["flow_step"]["data"].is_object()));
    assert!(entries.iter().any(|e| ["VERBOSE", "audit"].contains(&attr(e, "log_level").as_str().unwrap_or(""))), "unknown levels");
    assert!(entries.iter().any(|e| e["id"].is_string()) && entries.iter().any(|e| e["id"].is_u64()));
}

#[tokio::test]
async fn the_default_stays_flat() {
    assert_eq!(Options::default().shapes, Shapes::Flat);
    let page = get(&app(opts(Shapes::Flat)), PAGE).await.json;
    for r in page["data"].as_array().unwrap() {
        assert!(r["id"].is_u64() && r.get("attributes").is_none());
        assert!((1..=5).contains(&r["status"].as_u64().unwrap()));
        assert!(r["has_warnings"].is_boolean() && r["flow"].is_object() && r["flow_version"].is_object());
        assert!(r["duration"].is_null() || r["duration"].is_f64() || r["duration"].is_u64());
        for e in r["error_warning_logs"].as_array().unwrap() {
            assert!(["WARNING", "ERROR", "FATAL"].contains(&e["log_level"].as_str().unwrap()));
        }
    }
}
