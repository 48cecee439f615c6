//! Runs as the API renders them: flat items (the published shape), integer status codes,
//! Laravel's time stamps, and nested objects for each requested include.

use crate::data::{LiveRun, Status};
use crate::details;
use crate::lazy::{Lazies, LazyList, Which};
use crate::logs::{Entry, MessageForm, RunLog};
use serde_json::{json, Map, Value};

/// Laravel's default JSON time stamp: `2026-11-28T17:49:28.000000Z`.
pub fn timestamp(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let s = rem / 1000;
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}Z", s / 3600, s / 60 % 60, s % 60, (rem % 1000) * 1000)
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

/// What a run's JSON needs besides the run itself.
pub struct RunContext {
    /// The live state of each run it retried as (id, status).
    pub retried_as: Vec<(u64, u8)>,
    /// Its log as it stands (steps, entries).
    pub log: RunLog,
}

/// The run's JSON key of a relation include, for its `…Count` and `…Exists` attributes.
fn snake(include: &str) -> String {
    let mut out = String::new();
    for c in include.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// How many related rows a relation include has (`…Count`; `…Exists` is this above 0).
fn relation_count(live: &LiveRun, ctx: &RunContext, relation: &str) -> u64 {
    match relation {
        "flowRunLogs" => live.log_count,
        "errorWarningLogs" => ctx.log.problems().count() as u64,
        "trackedData" => tracked(live, ctx).len() as u64,
        "retriedFlowRun" => ctx.retried_as.len() as u64,
        // One flow, one version, one environment version, one metrics row.
        _ => 1,
    }
}

fn tracked(live: &LiveRun, ctx: &RunContext) -> Vec<Value> {
    details::tracked_data(live, ctx.log.seed, ctx.log.steps.first().map_or(0, |s| s.0))
}

/// The run, flat, as the API renders it; long log lists become placeholders in `lazies`.
pub fn run_json(live: &LiveRun, ctx: &RunContext, includes: &[String], lazies: &mut Lazies) -> Map<String, Value> {
    let run = &live.run;
    let seed = ctx.log.seed;
    let mut o = Map::new();
    o.insert("id".into(), json!(run.id));
    o.insert("flow_id".into(), json!(run.flow_id));
    o.insert("flow_version_id".into(), json!(run.flow_version_id));
    o.insert("user_id".into(), json!(run.user_id));
    o.insert("virtual_environment_id".into(), json!(run.virtual_environment_id));
    o.insert("status".into(), json!(live.status as u8));
    o.insert("trigger".into(), json!(run.trigger));
    o.insert("started_at".into(), json!(timestamp(run.started_at_ms)));
    o.insert("finished_at".into(), live.finished_at_ms.map(timestamp).map_or(Value::Null, Value::from));
    o.insert("created_at".into(), json!(timestamp(run.started_at_ms)));
    o.insert("updated_at".into(), json!(timestamp(live.finished_at_ms.unwrap_or(run.started_at_ms))));
    o.insert("duration".into(), live.finished_at_ms.map_or(Value::Null, |f| json!((f - run.started_at_ms) as f64 / 1000.0)));
    o.insert("has_warnings".into(), json!(run.has_warnings));
    o.insert("retry_flow_run_id".into(), run.retry_of.map_or(Value::Null, Value::from));
    o.insert("starting_payload_count".into(), json!(1 + run.id % 40));
    o.insert("starting_payload_size".into(), json!(format!("{}", 512 + run.id.wrapping_mul(7919) % 900_000)));
    o.insert("flow_steps_with_errors".into(), json!(if live.status == Status::Failure { "1" } else { "0" }));
    o.insert("score".into(), json!((999 - run.id.wrapping_mul(31) % 120 * u64::from(live.status != Status::Success)).to_string()));
    if let Some(name) = details::name(live, seed) {
        o.insert("name".into(), json!(name));
    }
    let failing_step = ctx.log.steps.last().map_or("", |s| s.1);
    if let Some(summary) = details::summary(live, seed, failing_step) {
        o.insert("summary".into(), json!(summary));
    }
    let secs = live.finished_at_ms.unwrap_or(run.started_at_ms) - run.started_at_ms;
    for inc in includes {
        if let Some(rel) = inc.strip_suffix("Count") {
            o.insert(format!("{}_count", snake(rel)), json!(relation_count(live, ctx, rel)));
            continue;
        }
        if let Some(rel) = inc.strip_suffix("Exists") {
            o.insert(format!("{}_exists", snake(rel)), json!(relation_count(live, ctx, rel) > 0));
            continue;
        }
        match inc.as_str() {
            "flow" => {
                o.insert("flow".into(), json!({"id": run.flow_id, "name": run.flow_name}));
            }
            "flowVersion" | "flowVersion.steps" => {
                let mut v = json!({"id": run.flow_version_id, "flow_id": run.flow_id, "version": run.flow_version});
                if inc == "flowVersion.steps" || includes.iter().any(|i| i == "flowVersion.steps") {
                    let steps: Vec<Value> = ctx
                        .log
                        .steps
                        .iter()
                        .enumerate()
                        .map(|(k, (id, name))| json!({"id": id, "name": name, "position": k + 1}))
                        .collect();
                    v["steps"] = Value::Array(steps);
                }
                o.insert("flow_version".into(), v);
            }
            "flowRunLogs" | "flowRunLogs.flowStep" => {
                let with_step = includes.iter().any(|i| i == "flowRunLogs.flowStep");
                let list = lazies.add(LazyList { log: ctx.log.clone(), which: Which::All { with_step } });
                o.insert("flow_run_logs".into(), list);
            }
            "errorWarningLogs" => {
                o.insert("error_warning_logs".into(), lazies.add(LazyList { log: ctx.log.clone(), which: Which::Problems }));
            }
            "trackedData" => {
                o.insert("tracked_data".into(), Value::Array(tracked(live, ctx)));
            }
            "retriedFlowRun" => {
                let list: Vec<Value> = ctx.retried_as.iter().map(|(id, st)| json!({"id": id, "status": st})).collect();
                o.insert("retried_flow_run".into(), Value::Array(list));
            }
            "cpuTime" => {
                o.insert("cpu_time".into(), json!(format!("{:.3}", secs as f64 / 4000.0)));
            }
            "payloadSize" => {
                o.insert("payload_size".into(), json!(format!("{}", 2048 + run.id.wrapping_mul(104_729) % 5_000_000)));
            }
            "operationsSent" => {
                o.insert("operations_sent".into(), json!(format!("{}", live.log_count / 3)));
            }
            "operationsReceived" => {
                o.insert("operations_received".into(), json!(format!("{}", live.log_count / 2)));
            }
            "metrics" => {
                o.insert("metrics".into(), json!([{"name": "records", "value": live.log_count}]));
            }
            "virtualEnvironmentVersion" | "virtualEnvironmentVersion.virtualEnvironment" => {
                let mut v = json!({"id": run.virtual_environment_id * 10, "virtual_environment_id": run.virtual_environment_id});
                if includes.iter().any(|i| i == "virtualEnvironmentVersion.virtualEnvironment") {
                    v["virtual_environment"] =
                        json!({"id": run.virtual_environment_id, "name": format!("Environment {}", run.virtual_environment_id)});
                }
                o.insert("virtual_environment_version".into(), v);
            }
            _ => {}
        }
    }
    o
}

/// How log entries are rendered: which includes and fields were asked for.
#[derive(Default)]
pub struct LogOptions {
    pub load_payload_ids: bool,
    /// `fields[flowStep]`; empty means all.
    pub step_fields: Vec<String>,
}

const REGIONS: [&str; 3] = ["eu", "us", "apac"];

/// `message`: the published schema's "array of objects", item shape undocumented: one
/// `{"type": "text", "text": line}` per line, and for errors a `{"type": "context", ...}`.
fn message_parts(e: &Entry) -> Value {
    let mut parts: Vec<Value> = e.message.lines().map(|l| json!({"type": "text", "text": l})).collect();
    if matches!(e.level.as_str(), "ERROR" | "FATAL") {
        parts.push(json!({"type": "context", "step": e.step_name, "record": e.index + 1, "attempts": e.attempts}));
    }
    Value::Array(parts)
}

pub fn log_json(e: &Entry, run_id: u64, includes: &[String], opts: &LogOptions) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(e.id));
    o.insert("flow_run_id".into(), json!(run_id));
    o.insert("flow_step_id".into(), json!(e.step_id));
    o.insert("log_level".into(), json!(e.level.as_str()));
    if e.form != MessageForm::Parts {
        o.insert("log_message".into(), json!(e.message));
    }
    if e.form != MessageForm::Text {
        o.insert("message".into(), message_parts(e));
    }
    o.insert(
        "meta".into(),
        json!({"attempt": e.attempts, "index": e.index, "source": {"step": e.step_name, "tags": ["sim", e.level.as_str().to_lowercase()]}}),
    );
    o.insert("page_number".into(), json!((1 + e.index / 100).to_string()));
    o.insert("attempts".into(), json!(e.attempts.to_string()));
    o.insert("created_at".into(), json!(timestamp(e.created_at_ms)));
    o.insert("flow_step_payload_count".into(), json!(e.payload_ids.len()));
    for inc in includes {
        match inc.as_str() {
            "flowStep" | "flowStep.payloads" => {
                let all = opts.step_fields.is_empty();
                let mut step = Map::new();
                if all || opts.step_fields.iter().any(|f| f == "id") {
                    step.insert("id".into(), json!(e.step_id));
                }
                if all || opts.step_fields.iter().any(|f| f == "name") {
                    step.insert("name".into(), json!(e.step_name));
                }
                if inc == "flowStep.payloads" || opts.step_fields.iter().any(|f| f == "payload.id") {
                    step.insert("payloads".into(), Value::Array(e.payload_ids.iter().map(|p| json!({"id": p})).collect()));
                }
                o.insert("flow_step".into(), Value::Object(step));
            }
            "flowRunLogMetadata" => {
                o.insert(
                    "flow_run_log_metadata".into(),
                    json!({"id": e.id, "payload_metadata_id": e.payload_ids.first(), "context": {"record": e.index + 1, "region": REGIONS[(e.index % 3) as usize], "ok": e.level.as_str() != "ERROR"}}),
                );
            }
            "flowRunLogPayloads" => {
                o.insert(
                    "flow_run_log_payloads".into(),
                    Value::Array(e.payload_ids.iter().map(|p| json!({"id": p, "flow_run_log_id": e.id})).collect()),
                );
            }
            "flowRun" => {
                o.insert("flow_run".into(), json!({"id": run_id}));
            }
            other => {
                let count = |rel: &str| if rel == "flowRunLogPayloads" { e.payload_ids.len() } else { 1 };
                if let Some(rel) = other.strip_suffix("Count") {
                    o.insert(format!("{}_count", snake(rel)), json!(count(rel)));
                } else if let Some(rel) = other.strip_suffix("Exists") {
                    o.insert(format!("{}_exists", snake(rel)), json!(count(rel) > 0));
                }
            }
        }
    }
    if opts.load_payload_ids {
        o.insert("payload_ids".into(), json!(e.payload_ids.iter().map(u64::to_string).collect::<Vec<_>>().join(",")));
    }
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laravel_timestamps() {
        assert_eq!(timestamp(1_772_391_600_123), "2026-03-01T19:00:00.123000Z");
        assert_eq!(timestamp(0), "1970-01-01T00:00:00.000000Z");
    }
}
