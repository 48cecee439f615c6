//! Log entries as the API sends them: `LogLevel` and `FlowRunLog`.

use crate::api::decode::{as_i64, as_string, Fields};
use crate::time::parse_timestamp;
use serde_json::Value;

/// A log entry's level. Compared case-insensitively; Monolog's numbers are understood;
/// anything else is kept as it came.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LogLevel {
    Debug,
    Info,
    Notice,
    Warning,
    Error,
    Critical,
    Fatal,
    Other(String),
}

impl LogLevel {
    pub const KNOWN: [LogLevel; 7] =
        [LogLevel::Debug, LogLevel::Info, LogLevel::Notice, LogLevel::Warning, LogLevel::Error, LogLevel::Critical, LogLevel::Fatal];

    pub fn from_value(v: &Value) -> Option<LogLevel> {
        if let Some(n) = as_i64(v) {
            return Some(match n {
                100 => LogLevel::Debug,
                200 => LogLevel::Info,
                250 => LogLevel::Notice,
                300 => LogLevel::Warning,
                400 => LogLevel::Error,
                500 | 550 => LogLevel::Critical,
                600 => LogLevel::Fatal,
                other => LogLevel::Other(other.to_string()),
            });
        }
        let raw = as_string(v)?;
        Some(match raw.trim().to_ascii_lowercase().as_str() {
            "debug" | "trace" => LogLevel::Debug,
            "info" | "information" => LogLevel::Info,
            "notice" => LogLevel::Notice,
            "warning" | "warn" => LogLevel::Warning,
            "error" | "err" => LogLevel::Error,
            "critical" | "crit" | "alert" => LogLevel::Critical,
            "fatal" | "emergency" | "emerg" => LogLevel::Fatal,
            _ => LogLevel::Other(raw),
        })
    }

    pub fn label(&self) -> &str {
        match self {
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Notice => "NOTICE",
            LogLevel::Warning => "WARNING",
            LogLevel::Error => "ERROR",
            LogLevel::Critical => "CRITICAL",
            LogLevel::Fatal => "FATAL",
            LogLevel::Other(raw) => raw,
        }
    }

    /// Errors and worse.
    pub fn is_error(&self) -> bool {
        matches!(self, LogLevel::Error | LogLevel::Critical | LogLevel::Fatal)
    }
}

/// One log entry of a run.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct FlowRunLog {
    pub id: String,
    pub run_id: Option<String>,
    pub step_id: Option<String>,
    pub step_name: Option<String>,
    pub level: Option<LogLevel>,
    pub message: String,
    pub created_at_ms: Option<i64>,
    /// `meta` as compact JSON text (a log of 200,000 entries keeps these as text, which
    /// costs a fraction of parsed values; the detail view parses one when it is opened).
    pub meta: Option<String>,
    /// `message` when it is the published "array of objects" (or any structure), as compact
    /// JSON text for the detail view; `message_text` is read from it only where
    /// `log_message` is missing.
    pub parts: Option<String>,
    /// `flow_run_log_metadata` (`include=flowRunLogMetadata`) as compact JSON text.
    pub metadata: Option<String>,
    pub payload_ids: Vec<String>,
    pub page_number: Option<i64>,
    pub attempts: Option<i64>,
}

impl FlowRunLog {
    pub fn from_value(v: &Value) -> Option<FlowRunLog> {
        let f = Fields::of(v)?;
        let step = f.object(&["flow_step", "flowStep"]);
        let parts = f.get(&["message"]).filter(|v| v.is_array() || v.is_object());
        let message = f.get(&["log_message"]).filter(|v| !v.is_null()).or(f.get(&["message"])).map(message_text).unwrap_or_default();
        let payload_ids = match f.get(&["payload_ids", "payload_metadata_id"]) {
            Some(Value::Array(items)) => items.iter().filter_map(crate::api::decode::as_id).collect(),
            Some(other) => as_string(other)
                .map(|s| s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        Some(FlowRunLog {
            id: f.id(&["id"])?,
            run_id: f.id(&["flow_run_id"]),
            step_id: f.id(&["flow_step_id"]).or_else(|| step.and_then(|s| s.id(&["id"]))),
            step_name: step.and_then(|s| s.string(&["name"])).or_else(|| f.string(&["flow_step_name"])),
            level: f.get(&["log_level", "level"]).and_then(LogLevel::from_value),
            message,
            created_at_ms: f.get(&["created_at"]).and_then(parse_timestamp),
            parts: parts.map(Value::to_string),
            meta: f.get(&["meta"]).filter(|v| !v.is_null()).map(Value::to_string),
            metadata: f.get(&["flow_run_log_metadata", "flowRunLogMetadata"]).filter(|v| !v.is_null()).map(Value::to_string),
            payload_ids,
            page_number: f.int(&["page_number"]),
            attempts: f.int(&["attempts"]),
        })
    }
}

/// A message as text: a string as it is; a list of parts line by line (a part's `text`, or
/// the part itself as JSON); anything else as JSON.
fn message_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .map(|p| match p.get("text").unwrap_or(p) {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn log_levels() {
        for (v, want) in [
            (json!("INFO"), LogLevel::Info),
            (json!("warn"), LogLevel::Warning),
            (json!("Error"), LogLevel::Error),
            (json!("FATAL"), LogLevel::Fatal),
            (json!(400), LogLevel::Error),
            (json!("300"), LogLevel::Warning),
            (json!("verbose"), LogLevel::Other("verbose".into())),
        ] {
            assert_eq!(LogLevel::from_value(&v), Some(want), "{v}");
        }
        assert!(LogLevel::Fatal.is_error() && !LogLevel::Warning.is_error());
    }

    #[test]
    fn log_entries_in_every_shape() {
        let flat = json!({"id": 5, "flow_run_id": "9", "flow_step_id": 3, "log_level": "ERROR", "log_message": "<b>x</b>",
            "created_at": "2026-03-01T19:00:00Z", "payload_ids": "11, 12", "meta": {"a": [1]}, "flow_step": {"id": 3, "name": "Map"},
            "page_number": "2", "attempts": "1"});
        let e = FlowRunLog::from_value(&flat).unwrap();
        assert_eq!((e.id.as_str(), e.step_name.as_deref(), e.level.clone()), ("5", Some("Map"), Some(LogLevel::Error)));
        assert_eq!(e.payload_ids, ["11", "12"]);
        assert_eq!((e.page_number, e.attempts), (Some(2), Some(1)));
        assert_eq!(e.meta.as_deref(), Some(r#"{"a":[1]}"#));
        let jsonapi = json!({"id": "6", "attributes": {"level": "info", "message": ["line 1", "line 2"], "payload_ids": [7, {"id": 8}]},
            "relationships": {"flowStep": {"data": {"id": "4", "name": "Send"}}}});
        let e = FlowRunLog::from_value(&jsonapi).unwrap();
        assert_eq!(e.message, "line 1\nline 2");
        assert_eq!(e.step_id.as_deref(), Some("4"));
        assert_eq!(e.payload_ids, ["7", "8"]);
        let odd = json!({"id": 7, "log_message": {"structured": true}});
        assert_eq!(FlowRunLog::from_value(&odd).unwrap().message, "{\"structured\":true}");
        assert_eq!(FlowRunLog::from_value(&json!({"log_message": "no id"})), None);
    }

    #[test]
    fn message_parts_are_kept_beside_log_message() {
        let both = json!({"id": 1, "log_message": "Timed out", "message": [{"type": "text", "text": "Timed out"}, {"type": "context", "record": 3}]});
        let e = FlowRunLog::from_value(&both).unwrap();
        assert_eq!(e.message, "Timed out");
        assert_eq!(e.parts.as_deref(), Some(r#"[{"text":"Timed out","type":"text"},{"record":3,"type":"context"}]"#));
        let parts_only = json!({"id": 2, "log_message": null, "message": [{"type": "text", "text": "a"}, {"type": "text", "text": "<b>b</b>"}, {"k": 1}, 7]});
        let e = FlowRunLog::from_value(&parts_only).unwrap();
        assert_eq!(e.message, "a\n<b>b</b>\n{\"k\":1}\n7");
        assert!(e.parts.is_some());
        assert_eq!(FlowRunLog::from_value(&json!({"id": 3, "message": "plain"})).unwrap().parts, None);
    }
}
