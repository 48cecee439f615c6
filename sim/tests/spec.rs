//! Every parameter and field of the published reference (`../shared/spec/flow-run-logs-openapi.md`,
//! copied here as lists) is in `spec/openapi.yaml` and `spec/CORRECTIONS.md`, accepted by the
//! simulator, and (fields) served somewhere or explained.

mod common;

use axum::http::StatusCode;
use common::{app, get};
use flow_run_sim::Options;
use serde_json::Value;

/// (endpoint, published query parameters with a valid value).
const PARAMS: [(&str, &[(&str, &str)]); 4] = [
    ("/api/v1/flow-runs", RUN_PARAMS),
    ("/api/v1/flow-runs/7", RUN_PARAMS),
    ("/api/v1/flow-runs/7/flow-run-logs", LOG_PARAMS),
    ("/api/v1/flow-runs/7/flow-run-logs/7000001", LOG_PARAMS),
];
const RUN_PARAMS: &[(&str, &str)] = &[
    ("filter[user_id]", "1"),
    ("filter[flow_id]", "101"),
    ("filter[flow_version_id]", "10101"),
    ("filter[virtual_environment_id]", "1"),
    ("filter[trigger]", "API"),
    ("filter[status]", "2"),
    ("filter[search]", "orders"),
    ("filter[started_before]", "1772391627000"),
    ("filter[started_after]", "1772391627000"),
    ("filter[started_on]", "1772391627000"),
    ("filter[retried]", "0"),
    ("filter[has_warnings]", "1"),
    ("include", "flowVersion,flowVersion.steps,flow,flowRunLogs,errorWarningLogs,flowRunLogs.flowStep,trackedData,metrics,cpuTime,payloadSize,operationsSent,operationsReceived,retriedFlowRun,virtualEnvironmentVersion,virtualEnvironmentVersion.virtualEnvironment"),
    ("sort", "started_at"),
    ("fields[trackedData]", "id"),
    ("fields[flow]", "id,name"),
    ("fields[flowVersion]", "steps.name"),
    ("fields[retriedFlowRun]", "id,status"),
    ("page", "1"),
    ("per_page", "100"),
];
const LOG_PARAMS: &[(&str, &str)] = &[
    ("filter[flow_step_id]", "101001"),
    ("include", "flowRun,flowStep,flowRunLogMetadata,flowRunLogPayloads,flowStep.payloads"),
    ("fields[flowStep]", "id,name,payload.id"),
    ("page", "1"),
    ("per_page", "100"),
];

const RUN_FIELDS: [&str; 31] = [
    "id",
    "name",
    "payload.id",
    "steps.name",
    "status",
    "created_at",
    "updated_at",
    "flow_id",
    "flow_version_id",
    "virtual_environment_version",
    "user_id",
    "trigger",
    "summary",
    "started_at",
    "finished_at",
    "duration",
    "retry_flow_run_id",
    "retried_flow_run",
    "has_warnings",
    "flow_run_logs",
    "flow",
    "flow_version",
    "metrics",
    "cpu_time",
    "payload_size",
    "operations_sent",
    "operations_received",
    "score",
    "starting_payload_count",
    "starting_payload_size",
    "flow_steps_with_errors",
];
const LOG_FIELDS: [&str; 15] = [
    "id",
    "flow_run_id",
    "flow_step_id",
    "log_level",
    "log_message",
    "message",
    "meta",
    "page_number",
    "attempts",
    "created_at",
    "flow_run",
    "flow_step",
    "flow_step_payload_count",
    "flow_run_log_metadata",
    "payload_ids",
];
/// Published as properties, but spatie field names, not attributes (CORRECTIONS.md).
const NOT_FIELDS: [&str; 2] = ["payload.id", "steps.name"];

fn spec(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../spec/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn every_published_parameter_and_field_is_in_the_contract() {
    let (yaml, corrections) = (spec("openapi.yaml"), spec("CORRECTIONS.md"));
    for (_, params) in PARAMS {
        for (name, _) in params {
            assert!(yaml.contains(&format!("name: \"{name}\"")) || yaml.contains(&format!("name: {name}\n")), "openapi.yaml: {name}");
            assert!(corrections.contains(&format!("`{name}`")) || *name == "include", "CORRECTIONS.md: {name}");
        }
    }
    for f in RUN_FIELDS.iter().chain(&LOG_FIELDS) {
        assert!(corrections.contains(&format!("`{f}`")), "CORRECTIONS.md: {f}");
        assert!(NOT_FIELDS.contains(f) || yaml.contains(&format!(" {f}:")), "openapi.yaml: {f}");
    }
}

#[tokio::test]
async fn every_published_parameter_is_accepted_and_every_field_served() {
    let app = app(Options { runs: 300, seed: 3, days: 2, rate_limit: None, log_overrides: vec![(7, 40)], ..Options::default() });
    for (path, params) in PARAMS {
        for (name, value) in params {
            let a = get(&app, &format!("{path}?{name}={value}")).await;
            assert!([StatusCode::OK, StatusCode::NOT_FOUND].contains(&a.status), "{path}?{name}={value}: {} {}", a.status, a.text);
        }
    }
    let includes = RUN_PARAMS.iter().find(|(k, _)| *k == "include").unwrap().1;
    let runs = get(&app, &format!("/api/v1/flow-runs?per_page=100&include={includes}")).await.json["data"].as_array().unwrap().clone();
    for f in RUN_FIELDS.iter().filter(|f| !NOT_FIELDS.contains(f)) {
        assert!(runs.iter().any(|r| !r.get(*f).unwrap_or(&Value::Null).is_null()), "no run has {f}");
    }
    let logs = LOG_PARAMS.iter().find(|(k, _)| *k == "include").unwrap().1;
    let entries = get(&app, &format!("/api/v1/flow-runs/7/flow-run-logs?per_page=40&load_payload_ids=true&include={logs}")).await.json
        ["data"]
        .as_array()
        .unwrap()
        .clone();
    for f in LOG_FIELDS {
        assert!(entries.iter().any(|e| !e.get(f).unwrap_or(&Value::Null).is_null()), "no entry has {f}");
    }
}
