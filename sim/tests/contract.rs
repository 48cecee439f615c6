//! The parts of the published contract the simulator serves since the contract issue:
//! sparse fieldsets, includes that render, `…Count`/`…Exists`, message parts, names and
//! summaries, every error and warning, Laravel's 422 for dates, the e-mail login.

mod common;

use axum::http::StatusCode;
use common::{app, get, send};
use flow_run_sim::Options;
use serde_json::{json, Value};

fn opts() -> Options {
    Options { runs: 400, seed: 3, days: 2, ..Options::default() }
}

fn data(v: &Value) -> Vec<Value> {
    v["data"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn sparse_fieldsets_narrow_relations_and_refuse_unknown_fields() {
    let app = app(opts());
    let base = "/api/v1/flow-runs?per_page=50&include=flow,flowVersion,retriedFlowRun,trackedData";
    let all = get(&app, base).await.json;
    assert!(data(&all).iter().any(|r| !r["retried_flow_run"].as_array().unwrap().is_empty()));
    assert!(data(&all).iter().any(|r| !r["tracked_data"].as_array().unwrap().is_empty()));

    let v = get(&app, &format!("{base}&fields[flow]=id,name")).await.json;
    for r in data(&v) {
        let keys: Vec<&String> = r["flow"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["id", "name"], "only the named fields");
        assert!(r["flow_version"]["version"].is_number(), "another type is untouched");
        assert!(r["flow_id"].is_number() && r["status"].is_number(), "the run's own columns stay");
    }
    let v = get(
        &app,
        &format!("{base}&fields[flow]=name&fields[flowVersion]=steps.name&fields[retriedFlowRun]=id,status&fields[trackedData]=id"),
    )
    .await;
    assert_eq!(v.status, StatusCode::OK);
    for r in data(&v.json) {
        // Eloquent cannot match a relation loaded without its key: spatie adds none.
        assert_eq!((&r["flow"], &r["flow_version"]), (&Value::Null, &Value::Null));
        assert_eq!((&r["retried_flow_run"], &r["tracked_data"]), (&json!([]), &json!([])));
    }
    let one = get(&app, "/api/v1/flow-runs/5?include=flow&fields[flow]=id").await.json;
    assert_eq!(one["data"]["flow"], json!({"id": one["data"]["flow_id"]}));

    let allowed = "trackedData.id, flow.id, flow.name, flowVersion.steps.name, retriedFlowRun.id, retriedFlowRun.status";
    for (q, bad) in [
        ("fields[flowRuns]=id,status", "flowRuns.id, flowRuns.status"),
        ("fields[flow_runs]=id", "flow_runs.id"),
        ("fields[flow]=id,colour", "flow.colour"),
        ("fields[flowRunLogs]=id", "flowRunLogs.id"),
    ] {
        for path in ["/api/v1/flow-runs", "/api/v1/flow-runs/5"] {
            let a = get(&app, &format!("{path}?{q}")).await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "{path}?{q}");
            assert_eq!(a.json["message"], format!("Requested field(s) `{bad}` are not allowed. Allowed field(s) are `{allowed}`."));
        }
    }
}

/// The first run (newest first) matching `query`.
async fn first(app: &axum::Router, query: &str) -> Value {
    let v = get(app, &format!("/api/v1/flow-runs?per_page=1&{query}")).await.json;
    v["data"][0].clone()
}

#[tokio::test]
async fn includes_render_logs_steps_tracked_data_counts_and_exists() {
    let app = app(Options { log_overrides: vec![(10, 30)], ..opts() });
    let q = "include=flowRunLogs.flowStep,trackedData,flowRunLogsCount,flowRunLogsExists,errorWarningLogs,errorWarningLogsCount,trackedDataCount,retriedFlowRunExists,flowExists";
    let a = get(&app, &format!("/api/v1/flow-runs/10?{q}")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let r = &a.json["data"];
    let logs = r["flow_run_logs"].as_array().unwrap();
    assert_eq!(logs.len(), 30);
    assert_eq!(r["flow_run_logs_count"], 30);
    assert_eq!(r["flow_run_logs_exists"], true);
    assert_eq!(logs[0]["id"], 10_000_001);
    assert!(logs.iter().all(|e| e["flow_step"]["name"].is_string() && e["flow_step"]["id"] == e["flow_step_id"]));
    assert_eq!(r["error_warning_logs_count"].as_u64(), Some(r["error_warning_logs"].as_array().unwrap().len() as u64));
    assert_eq!(r["tracked_data_count"].as_u64(), Some(r["tracked_data"].as_array().unwrap().len() as u64));
    assert_eq!(r["flow_exists"], true);
    assert!(r["retried_flow_run_exists"].is_boolean());
    // The same entries as the logs endpoint.
    let page = get(&app, "/api/v1/flow-runs/10/flow-run-logs?per_page=100").await.json;
    let ids = |v: &[Value]| v.iter().map(|e| e["id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(logs), ids(&data(&page)));

    let plain = get(&app, "/api/v1/flow-runs/10?include=flowRunLogs").await.json;
    assert!(plain["data"]["flow_run_logs"][0].get("flow_step").is_none(), "no step unless flowRunLogs.flowStep");

    let tracked = first(&app, "include=trackedData,trackedDataCount&filter[status]=2").await;
    assert!(tracked["tracked_data"].is_array());
    let v = get(&app, "/api/v1/flow-runs?per_page=100&include=trackedData").await.json;
    let item = data(&v).into_iter().flat_map(|r| r["tracked_data"].as_array().unwrap().clone()).next().expect("some runs track data");
    assert!(item["key"].is_string() && item["value"].is_string() && item["flow_run_id"].is_number());
    // Not every include has a count: computed values are not relations.
    assert_eq!(get(&app, "/api/v1/flow-runs?include=cpuTimeCount").await.status, StatusCode::BAD_REQUEST);
    let logs = get(&app, "/api/v1/flow-runs/10/flow-run-logs?include=flowRunLogPayloadsCount,flowStepExists").await.json;
    assert!(data(&logs).iter().all(|e| e["flow_run_log_payloads_count"].is_u64() && e["flow_step_exists"] == true));
}

#[tokio::test]
async fn some_entries_carry_message_parts_besides_or_instead_of_log_message() {
    let app = app(Options { log_overrides: vec![(10, 400)], ..opts() });
    let mut entries = Vec::new();
    for page in 1..=4 {
        entries.extend(data(&get(&app, &format!("/api/v1/flow-runs/10/flow-run-logs?per_page=100&page={page}")).await.json));
    }
    let text = entries.iter().filter(|e| e["log_message"].is_string() && e.get("message").is_none()).count();
    let both = entries.iter().filter(|e| e["log_message"].is_string() && e["message"].is_array()).count();
    let parts = entries.iter().filter(|e| e.get("log_message").is_none() && e["message"].is_array()).count();
    assert_eq!(text + both + parts, 400, "every entry has one or both");
    assert!(text > 250 && both > 10 && parts > 3, "{text} {both} {parts}");
    for e in entries.iter().filter(|e| e["message"].is_array()) {
        let items = e["message"].as_array().unwrap();
        assert!(!items.is_empty() && items.iter().all(Value::is_object), "{e}");
        assert!(items.iter().any(|i| i["type"] == "text" && i["text"].is_string()));
    }
}

#[tokio::test]
async fn some_runs_carry_a_summary_and_a_name() {
    let app = app(opts());
    let runs = data(&get(&app, "/api/v1/flow-runs?per_page=100&include=flow").await.json);
    let named: Vec<&Value> = runs.iter().filter(|r| r["name"].is_string()).collect();
    assert!(!named.is_empty() && named.len() < runs.len());
    assert!(named.iter().all(|r| r["name"] != r["flow"]["name"]), "a run's name is not its flow's");
    assert!(runs.iter().filter(|r| r["status"] == 3).all(|r| r["summary"].is_string()), "failures are summarised");
    assert!(runs.iter().any(|r| r["status"] == 2 && r["summary"].is_string()));
    assert!(runs.iter().filter(|r| r["status"] == 1).all(|r| r.get("summary").is_none()));
}

#[tokio::test]
async fn error_warning_logs_hold_every_warning_and_error() {
    let found = app(Options { rate_limit: None, ..opts() });
    let id = first(&found, "filter[has_warnings]=1&filter[status]=3").await["id"].as_u64().unwrap();
    let app = app(Options { rate_limit: None, log_overrides: vec![(id, 3000)], ..opts() });
    let r = get(&app, &format!("/api/v1/flow-runs/{id}?include=errorWarningLogs")).await.json["data"].clone();
    let problems = r["error_warning_logs"].as_array().unwrap();
    let mut want = Vec::new();
    for page in 1..=30 {
        for e in data(&get(&app, &format!("/api/v1/flow-runs/{id}/flow-run-logs?per_page=100&page={page}")).await.json) {
            if ["WARNING", "ERROR", "FATAL"].contains(&e["log_level"].as_str().unwrap()) {
                want.push(e["id"].clone());
            }
        }
    }
    assert!(want.len() > 20, "more than the old cap: {}", want.len());
    assert_eq!(problems.iter().map(|e| e["id"].clone()).collect::<Vec<_>>(), want, "all of them, in id order");
}

#[tokio::test]
async fn a_date_filter_that_is_not_unix_ms_answers_laravels_422() {
    let app = app(opts());
    let a = get(&app, "/api/v1/flow-runs?filter[started_on]=yesterday").await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        a.json,
        json!({"message": "The filter.started on field must be an integer.", "errors": {"filter.started_on": ["The filter.started on field must be an integer."]}})
    );
    let a = get(&app, "/api/v1/flow-runs/5?filter[started_after]=-1&filter[started_before]=1e3").await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json["message"], "The filter.started after field must be at least 0. (and 1 more error)");
    assert!(a.json["errors"]["filter.started_before"][0].is_string());
}

#[tokio::test]
async fn the_single_run_and_entry_apply_the_filters_the_reference_lists_for_them() {
    let app = app(Options { log_overrides: vec![(10, 50)], ..opts() });
    let r = get(&app, "/api/v1/flow-runs/10").await.json["data"].clone();
    let other = if r["status"] == 2 { 3 } else { 2 };
    assert_eq!(get(&app, &format!("/api/v1/flow-runs/10?filter[status]={}", r["status"])).await.status, StatusCode::OK);
    assert_eq!(get(&app, &format!("/api/v1/flow-runs/10?filter[status]={other}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/api/v1/flow-runs/10?filter[started_after]=253402300799999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/api/v1/flow-runs/10?sort=-started_at&page=3&per_page=5").await.status, StatusCode::OK);
    let e = get(&app, "/api/v1/flow-runs/10/flow-run-logs/10000001").await.json["data"].clone();
    let step = &e["flow_step_id"];
    assert_eq!(get(&app, &format!("/api/v1/flow-runs/10/flow-run-logs/10000001?filter[flow_step_id]={step}")).await.status, StatusCode::OK);
    assert_eq!(get(&app, "/api/v1/flow-runs/10/flow-run-logs/10000001?filter[flow_step_id]=1").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_email_login_variant_on_api_v1_login() {
    let app = app(opts());
    let json_h = [("content-type", "application/json")];
    let a = send(&app, "POST", "/api/v1/login", &json_h, r#"{"email":"demo@example.com","password":"demo-password"}"#).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert_eq!(a.json["expires_in"], 86_400);
    let token = a.json["token"].as_str().unwrap();
    let bearer = format!("Bearer {token}");
    assert_eq!(send(&app, "GET", "/api/v1/flow-runs?per_page=1", &[("authorization", &bearer)], "").await.status, StatusCode::OK);
    let a = send(&app, "POST", "/api/v1/login", &json_h, r#"{"username":"demo@example.com","password":"demo-password"}"#).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "this variant takes an e-mail address only");
    assert_eq!(a.json["errors"]["email"][0], "The email field is required.");
    let a = send(&app, "POST", "/api/v1/login", &json_h, r#"{"email":"demo@example.com","password":"nope"}"#).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let a = send(&app, "POST", "/api/v1/login", &json_h, r#"{"email":5}"#).await;
    assert_eq!(a.json["message"], "The email field must be a string.");
    // The first variant still takes either.
    let a = send(&app, "POST", "/fabric/api/login", &json_h, r#"{"username":"demo@example.com","password":"demo-password"}"#).await;
    assert_eq!(a.status, StatusCode::OK);
}
