//! `--shapes mixed`: every variant the client claims to read (api-facts.md, "no real
//! response sample is public"; spec/CORRECTIONS.md), chosen per item from `hash(seed, id)`
//! so a page always looks the same. `--shapes flat` (the default) leaves items as rendered.

use crate::data::mix;
use serde_json::{json, Map, Value};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Shapes {
    /// Flat items, integer codes and ids, seconds: what `render` writes.
    #[default]
    Flat,
    /// Per item: JSON:API or flat, string or numeric ids, status codes as numbers, numeric
    /// strings, labels or unknown values, `has_warnings` as a flag, number, string or list,
    /// durations in seconds, milliseconds or text, relations as objects, lists or null,
    /// unknown triggers and levels.
    Mixed,
}

/// Run-level keys that are relations: JSON:API items carry them under `relationships`.
const RUN_RELATIONS: [&str; 7] =
    ["flow", "flow_version", "retried_flow_run", "error_warning_logs", "flow_run_logs", "tracked_data", "virtual_environment_version"];
const LOG_RELATIONS: [&str; 3] = ["flow_step", "flow_run", "flow_run_log_payloads"];

/// One choice among `n` for aspect `aspect` of item `id`.
fn pick(seed: u64, aspect: u64, id: u64, n: u64) -> u64 {
    mix(seed, 600 + aspect, id) % n
}

impl Shapes {
    pub fn parse(s: &str) -> Result<Shapes, String> {
        match s {
            "flat" => Ok(Shapes::Flat),
            "mixed" => Ok(Shapes::Mixed),
            other => Err(format!("--shapes takes flat or mixed, not {other}")),
        }
    }

    /// Reshapes one rendered run (flat, integer id).
    pub fn run_item(self, v: &mut Value, seed: u64) {
        let (Shapes::Mixed, Some(id), Some(o)) = (self, v.get("id").and_then(Value::as_u64), v.as_object_mut()) else { return };
        let p = |aspect, n| pick(seed, aspect, id, n);
        if let Some(code) = o.get("status").and_then(Value::as_u64) {
            o.insert("status".into(), status(code, p(1, 20)));
        }
        if let Some(flag) = o.get("has_warnings").and_then(Value::as_bool) {
            let warning = json!([{"id": id.wrapping_mul(crate::logs::IDS_PER_RUN).wrapping_add(1), "log_level": "WARNING"}]);
            let shaped = match p(2, 10) {
                0..=3 => json!(flag),
                4..=6 => {
                    if flag {
                        warning
                    } else {
                        json!([])
                    }
                }
                7 | 8 => json!(u8::from(flag)),
                _ => json!(flag.to_string()),
            };
            o.insert("has_warnings".into(), shaped);
        }
        // Durations: only where both time stamps are there, so the unit can be inferred.
        let ended = o.get("finished_at").is_some_and(Value::is_string) && o.get("started_at").is_some_and(Value::is_string);
        if let (true, Some(secs)) = (ended, o.get("duration").and_then(Value::as_f64)) {
            let ms = (secs * 1000.0).round() as u64;
            let cpu_ms = o.get("cpu_time").and_then(Value::as_str).and_then(|s| s.parse::<f64>().ok()).map(|c| (c * 1000.0).round() as u64);
            let (duration, cpu) = match p(3, 20) {
                0..=7 => (json!(secs), None),
                8..=12 => (json!(ms), cpu_ms.map(|c| json!(c.to_string()))),
                13 | 14 => (json!(format!("{secs}")), None),
                15 | 16 => (json!(format!("{:02}:{:02}:{:02}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60)), None),
                17 | 18 => (json!({"milliseconds": ms}), cpu_ms.map(|c| json!({"milliseconds": c}))),
                _ => (json!({"seconds": secs}), None),
            };
            o.insert("duration".into(), duration);
            if let Some(c) = cpu {
                o.insert("cpu_time".into(), c);
            }
        }
        for (k, key) in ["flow_id", "flow_version_id", "retry_flow_run_id"].into_iter().enumerate() {
            if let Some(n) = o.get(key).and_then(Value::as_u64) {
                let shaped = match p(10 + k as u64, 4) {
                    0 | 1 => json!(n),
                    2 => json!(n.to_string()),
                    _ => json!({"id": n}),
                };
                o.insert(key.into(), shaped);
            }
        }
        if let Some(t) = o.get("trigger").and_then(Value::as_str).map(str::to_string) {
            let shaped = match p(4, 20) {
                0 => "Pipeline".to_string(),
                1 => "sftp-poll".to_string(),
                2 | 3 => t.to_lowercase(),
                _ => t,
            };
            o.insert("trigger".into(), json!(shaped));
        }
        for (k, key) in ["flow", "flow_version"].into_iter().enumerate() {
            if let Some(rel) = o.get(key).filter(|r| r.is_object()).cloned() {
                let shaped = match p(20 + k as u64, 20) {
                    0..=11 => rel,
                    12..=16 => json!([rel]),
                    _ => Value::Null,
                };
                o.insert(key.into(), shaped);
            }
        }
        if p(5, 20) == 0 && o.get("retried_flow_run").is_some_and(|r| r.as_array().is_some_and(Vec::is_empty)) {
            o.insert("retried_flow_run".into(), Value::Null);
        }
        if p(6, 3) == 0 {
            o.insert("id".into(), json!(id.to_string()));
        }
        if p(7, 4) == 0 {
            *v = json_api(std::mem::take(o), "flow_runs", &RUN_RELATIONS, p(8, 2) == 0);
        }
    }

    /// Reshapes one rendered log entry (flat, integer id).
    pub fn log_item(self, v: &mut Value, seed: u64) {
        let (Shapes::Mixed, Some(id), Some(o)) = (self, v.get("id").and_then(Value::as_u64), v.as_object_mut()) else { return };
        let p = |aspect, n| pick(seed, aspect, id, n);
        if let Some(level) = o.get("log_level").and_then(Value::as_str).map(str::to_string) {
            let shaped = match p(30, 20) {
                0..=10 => json!(level),
                11..=14 => json!(level.to_lowercase()),
                15..=17 => match level.as_str() {
                    "DEBUG" => json!(100),
                    "INFO" => json!(200),
                    "WARNING" => json!(300),
                    "ERROR" => json!(400),
                    _ => json!(600),
                },
                18 => json!("VERBOSE"),
                _ => json!("audit"),
            };
            o.insert("log_level".into(), shaped);
        }
        if p(31, 4) == 0 {
            for key in ["flow_run_id", "flow_step_id"] {
                if let Some(n) = o.get(key).and_then(Value::as_u64) {
                    o.insert(key.into(), json!(n.to_string()));
                }
            }
        }
        if p(32, 3) == 0 {
            o.insert("id".into(), json!(id.to_string()));
        }
        if p(33, 4) == 0 {
            *v = json_api(std::mem::take(o), "flow_run_logs", &LOG_RELATIONS, p(34, 2) == 0);
        }
    }
}

/// `{id, type, attributes, relationships}`: relations under `relationships.<key>.data`,
/// each related object itself a JSON:API resource when `nested` is set.
fn json_api(mut o: Map<String, Value>, ty: &str, relations: &[&str], nested: bool) -> Value {
    let id = o.remove("id").unwrap_or(Value::Null);
    let id = match id {
        Value::Number(n) => Value::String(n.to_string()),
        other => other,
    };
    let mut rels = Map::new();
    for key in relations {
        if let Some(data) = o.remove(*key) {
            let data = match data {
                Value::Object(item) if nested => resource(item, key),
                Value::Array(items) if nested => {
                    Value::Array(items.into_iter().map(|i| if let Value::Object(m) = i { resource(m, key) } else { i }).collect())
                }
                other => other,
            };
            rels.insert((*key).into(), json!({"data": data}));
        }
    }
    let mut out = Map::new();
    out.insert("id".into(), id);
    out.insert("type".into(), json!(ty));
    out.insert("attributes".into(), Value::Object(o));
    if !rels.is_empty() {
        out.insert("relationships".into(), Value::Object(rels));
    }
    Value::Object(out)
}

fn resource(mut item: Map<String, Value>, key: &str) -> Value {
    let id = item.remove("id").map(|i| if let Value::Number(n) = i { Value::String(n.to_string()) } else { i });
    json!({"id": id, "type": key, "attributes": item})
}

/// A status code as a number, a numeric string, a label (the vendor's MCP server's, or the
/// older client's), or a value nobody knows.
fn status(code: u64, roll: u64) -> Value {
    const MCP: [&str; 5] = ["STARTED", "SUCCESS", "FAILURE", "STOPPED", "PARTIAL_SUCCESS"];
    const OLDER: [&str; 5] = ["running", "success", "failed", "stopped", "partial"];
    let i = (code.clamp(1, 5) - 1) as usize;
    match roll {
        0..=7 => json!(code),
        8..=11 => json!(code.to_string()),
        12..=14 => json!(MCP[i]),
        15..=17 => json!(OLDER[i]),
        18 => json!(9),
        _ => json!("QUEUED"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: u64) -> Value {
        json!({"id": id, "status": 3, "has_warnings": true, "started_at": "2026-01-01T00:00:00.000000Z",
            "finished_at": "2026-01-01T00:02:51.585000Z", "duration": 171.585, "cpu_time": "42.896", "flow_id": 105,
            "flow_version_id": 10502, "retry_flow_run_id": null, "trigger": "Webhook", "flow": {"id": 105, "name": "Orders"},
            "flow_version": {"id": 10502, "version": 2}, "retried_flow_run": []})
    }

    #[test]
    fn flat_is_untouched_and_mixed_is_repeatable() {
        let mut v = run(5);
        Shapes::Flat.run_item(&mut v, 1);
        assert_eq!(v, run(5));
        let shaped = |id, seed| {
            let mut v = run(id);
            Shapes::Mixed.run_item(&mut v, seed);
            v
        };
        assert_eq!(shaped(5, 1), shaped(5, 1));
        assert!((1..200).any(|id| shaped(id, 1) != shaped(id, 2)), "another seed, other shapes");
    }

    #[test]
    fn mixed_serves_every_variant() {
        let items: Vec<Value> = (1..=400)
            .map(|id| {
                let mut v = run(id);
                Shapes::Mixed.run_item(&mut v, 9);
                v
            })
            .collect();
        let attr = |v: &Value, k: &str| v.get("attributes").and_then(|a| a.get(k)).or_else(|| v.get(k)).cloned().unwrap_or(Value::Null);
        let some = |f: &dyn Fn(&Value) -> bool| items.iter().any(f);
        assert!(some(&|v| v["type"] == "flow_runs" && v["attributes"].is_object() && v["relationships"]["flow"]["data"].is_object()));
        assert!(some(&|v| v["relationships"]["flow"]["data"]["attributes"]["name"] == "Orders"));
        assert!(some(&|v| v["id"].is_string()) && some(&|v| v["id"].is_u64()));
        for s in [json!(3), json!("3"), json!("FAILURE"), json!("failed"), json!(9), json!("QUEUED")] {
            assert!(some(&|v| attr(v, "status") == s), "{s}");
        }
        assert!(some(&|v| attr(v, "has_warnings").is_array()) && some(&|v| attr(v, "has_warnings") == json!("true")));
        assert!(some(&|v| attr(v, "duration") == json!(171_585) && attr(v, "cpu_time") == json!("42896")));
        assert!(some(&|v| attr(v, "duration") == json!("00:02:51")));
        assert!(some(&|v| attr(v, "flow_id") == json!({"id": 105})) && some(&|v| attr(v, "flow_id") == json!("105")));
        assert!(some(&|v| v.get("flow") == Some(&Value::Null)) && some(&|v| v["flow"].is_array()));
        assert!(some(&|v| attr(v, "trigger") == json!("Pipeline")));
        // A running run keeps seconds-or-null: no unit to infer from.
        let mut running = run(3);
        running["finished_at"] = Value::Null;
        running["duration"] = Value::Null;
        for seed in 0..50 {
            let mut v = running.clone();
            Shapes::Mixed.run_item(&mut v, seed);
            assert!(attr(&v, "duration").is_null());
        }
    }

    #[test]
    fn mixed_log_levels() {
        let levels: Vec<Value> = (1..=300)
            .map(|id| {
                let mut v = json!({"id": id, "log_level": "ERROR", "flow_step_id": 7, "flow_run_id": 1});
                Shapes::Mixed.log_item(&mut v, 4);
                v.get("attributes").and_then(|a| a.get("log_level")).or_else(|| v.get("log_level")).cloned().unwrap()
            })
            .collect();
        for l in [json!("ERROR"), json!("error"), json!(400), json!("VERBOSE"), json!("audit")] {
            assert!(levels.contains(&l), "{l}");
        }
    }
}
