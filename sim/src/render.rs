//! Runs as the API renders them: flat items (the published shape), integer status codes,
//! Laravel's time stamps, and nested objects for each requested include.

use crate::data::{Run, World};
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

pub fn run_json(world: &World, run: &Run, includes: &[String]) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(run.id));
    o.insert("flow_id".into(), json!(run.flow_id));
    o.insert("flow_version_id".into(), json!(run.flow_version_id));
    o.insert("user_id".into(), json!(run.user_id));
    o.insert("virtual_environment_id".into(), json!(run.virtual_environment_id));
    o.insert("status".into(), json!(run.status as u8));
    o.insert("trigger".into(), json!(run.trigger));
    o.insert("started_at".into(), json!(timestamp(run.started_at_ms)));
    o.insert("finished_at".into(), run.finished_at_ms.map(timestamp).map_or(Value::Null, Value::from));
    o.insert("created_at".into(), json!(timestamp(run.started_at_ms)));
    o.insert("updated_at".into(), json!(timestamp(run.finished_at_ms.unwrap_or(run.started_at_ms))));
    o.insert("duration".into(), run.finished_at_ms.map_or(Value::Null, |f| json!((f - run.started_at_ms) as f64 / 1000.0)));
    o.insert("has_warnings".into(), json!(run.has_warnings));
    o.insert("retry_flow_run_id".into(), run.retry_of.map_or(Value::Null, Value::from));
    for inc in includes {
        match inc.as_str() {
            "flow" => {
                o.insert("flow".into(), json!({"id": run.flow_id, "name": run.flow_name}));
            }
            "flowVersion" => {
                o.insert("flow_version".into(), json!({"id": run.flow_version_id, "flow_id": run.flow_id, "version": run.flow_version}));
            }
            "retriedFlowRun" => {
                let list: Vec<Value> =
                    run.retried_as.iter().filter_map(|id| world.run(*id)).map(|r| json!({"id": r.id, "status": r.status as u8})).collect();
                o.insert("retried_flow_run".into(), Value::Array(list));
            }
            _ => {}
        }
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
