//! Runs as the API sends them: `RunStatus`, `Trigger`, `FlowRun` with its steps and the runs
//! it retried or was retried as.

use super::log::FlowRunLog;
use crate::api::decode::{as_bool, as_i64, as_string, Fields};
use crate::api::duration::{in_unit, run_duration, RunDuration};
use crate::api::units::{count, size_bytes};
use crate::time::parse_timestamp;
use serde_json::Value;

/// A flow run's outcome. The API sends an integer code (1..=5), a numeric string, or a label.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RunStatus {
    Running,
    Success,
    Failure,
    Stopped,
    PartialSuccess,
    /// Anything else, exactly as it came.
    Other(String),
}

impl RunStatus {
    pub const KNOWN: [RunStatus; 5] =
        [RunStatus::Running, RunStatus::Success, RunStatus::Failure, RunStatus::Stopped, RunStatus::PartialSuccess];

    pub fn from_value(v: &Value) -> Option<RunStatus> {
        if let Some(code) = as_i64(v) {
            return Some(Self::from_code(code).unwrap_or_else(|| RunStatus::Other(code.to_string())));
        }
        let raw = as_string(v)?;
        Some(Self::from_label(&raw).unwrap_or(RunStatus::Other(raw)))
    }

    pub fn from_code(code: i64) -> Option<RunStatus> {
        Some(match code {
            1 => RunStatus::Running,
            2 => RunStatus::Success,
            3 => RunStatus::Failure,
            4 => RunStatus::Stopped,
            5 => RunStatus::PartialSuccess,
            _ => return None,
        })
    }

    pub fn from_label(label: &str) -> Option<RunStatus> {
        let norm: String = label.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
        Some(match norm.as_str() {
            "running" | "started" | "inprogress" | "1" => RunStatus::Running,
            "success" | "succeeded" | "successful" | "completed" | "2" => RunStatus::Success,
            "failure" | "failed" | "error" | "3" => RunStatus::Failure,
            "stopped" | "cancelled" | "canceled" | "4" => RunStatus::Stopped,
            "partialsuccess" | "partial" | "5" => RunStatus::PartialSuccess,
            _ => return None,
        })
    }

    /// The integer `filter[status]` takes; `None` for unknown statuses.
    pub fn code(&self) -> Option<u8> {
        Some(match self {
            RunStatus::Running => 1,
            RunStatus::Success => 2,
            RunStatus::Failure => 3,
            RunStatus::Stopped => 4,
            RunStatus::PartialSuccess => 5,
            RunStatus::Other(_) => return None,
        })
    }

    pub fn label(&self) -> String {
        match self {
            RunStatus::Running => "Running".into(),
            RunStatus::Success => "Success".into(),
            RunStatus::Failure => "Failure".into(),
            RunStatus::Stopped => "Stopped".into(),
            RunStatus::PartialSuccess => "Partial success".into(),
            RunStatus::Other(raw) => format!("Unknown ({raw})"),
        }
    }

    /// A CSS-safe class suffix.
    pub fn css(&self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Success => "success",
            RunStatus::Failure => "failure",
            RunStatus::Stopped => "stopped",
            RunStatus::PartialSuccess => "partial",
            RunStatus::Other(_) => "other",
        }
    }

    /// A text icon, so that status never rests on colour alone.
    pub fn icon(&self) -> &'static str {
        match self {
            RunStatus::Running => "⟳",
            RunStatus::Success => "✓",
            RunStatus::Failure => "✕",
            RunStatus::Stopped => "■",
            RunStatus::PartialSuccess => "◐",
            RunStatus::Other(_) => "?",
        }
    }
}

/// What started a run. Compared case-insensitively; unknown triggers are kept.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Trigger {
    Api,
    Manual,
    Router,
    Webhook,
    Schedule,
    Shape,
    Retry,
    Event,
    Callback,
    Other(String),
}

impl Trigger {
    pub const KNOWN: [Trigger; 9] = [
        Trigger::Api,
        Trigger::Manual,
        Trigger::Router,
        Trigger::Webhook,
        Trigger::Schedule,
        Trigger::Shape,
        Trigger::Retry,
        Trigger::Event,
        Trigger::Callback,
    ];

    pub fn parse(raw: &str) -> Trigger {
        match raw.trim().to_ascii_lowercase().as_str() {
            "api" => Trigger::Api,
            "manual" => Trigger::Manual,
            "router" => Trigger::Router,
            "webhook" => Trigger::Webhook,
            "schedule" | "scheduled" => Trigger::Schedule,
            "shape" => Trigger::Shape,
            "retry" => Trigger::Retry,
            "event" => Trigger::Event,
            "callback" => Trigger::Callback,
            _ => Trigger::Other(raw.to_string()),
        }
    }

    /// The value the API uses (and `filter[trigger]` takes).
    pub fn as_api(&self) -> &str {
        match self {
            Trigger::Api => "API",
            Trigger::Manual => "Manual",
            Trigger::Router => "Router",
            Trigger::Webhook => "Webhook",
            Trigger::Schedule => "Schedule",
            Trigger::Shape => "Shape",
            Trigger::Retry => "Retry",
            Trigger::Event => "Event",
            Trigger::Callback => "Callback",
            Trigger::Other(raw) => raw,
        }
    }
}

/// A link to another run (the run this one retried, or a retry of it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunLink {
    pub id: String,
    pub status: Option<RunStatus>,
}

/// One flow run, as far as the API told us. Every field may be missing.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct FlowRun {
    pub id: String,
    pub flow_id: Option<String>,
    pub flow_name: Option<String>,
    pub flow_version_id: Option<String>,
    pub flow_version: Option<String>,
    pub status: Option<RunStatus>,
    pub trigger: Option<Trigger>,
    pub started_at_ms: Option<i64>,
    pub finished_at_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    /// How `duration_ms` was found (time stamps or `duration`, and its unit).
    pub duration: RunDuration,
    pub has_warnings: Option<bool>,
    pub retry_of: Option<String>,
    pub retried_as: Vec<RunLink>,
    pub summary: Option<String>,
    pub cpu_time_ms: Option<i64>,
    pub payload_size_bytes: Option<u64>,
    pub operations_sent: Option<i64>,
    pub operations_received: Option<i64>,
    /// 999 is best.
    pub score: Option<i64>,
    pub starting_payload_count: Option<i64>,
    pub starting_payload_size_bytes: Option<u64>,
    pub steps_with_errors: Option<i64>,
    /// The flow version's steps (`include=flowVersion.steps`), in order.
    pub steps: Vec<FlowStep>,
    /// Warnings and errors (`include=errorWarningLogs`), for the failure summary.
    pub problems: Vec<FlowRunLog>,
    /// How many warnings and errors it logged (`include=errorWarningLogsCount`, or 0 from
    /// `errorWarningLogsExists` false): the run table asks for this, not the entries.
    pub problem_count: Option<u64>,
    /// Tracked data (`include=trackedData`) as key and value, in order.
    pub tracked: Vec<(String, String)>,
}

/// A step of a flow version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowStep {
    pub id: String,
    pub name: Option<String>,
}

impl FlowStep {
    pub fn from_value(v: &Value) -> Option<FlowStep> {
        let f = Fields::of(v)?;
        Some(FlowStep { id: f.id(&["id"])?, name: f.string(&["name"]) })
    }
}

impl FlowRun {
    /// `None` when the item is not an object or has no id: a run without an id cannot be
    /// shown, linked or acted on.
    pub fn from_value(v: &Value) -> Option<FlowRun> {
        let f = Fields::of(v)?;
        let id = f.id(&["id", "flow_run_id"])?;
        let flow = f.object(&["flow"]);
        let version = f.object(&["flow_version", "flowVersion"]);
        let started = f.get(&["started_at"]).and_then(parse_timestamp);
        let finished = f.get(&["finished_at"]).and_then(parse_timestamp);
        let duration = run_duration(f.get(&["duration"]), started, finished);
        let retried_as = f.get(&["retried_flow_run", "retriedFlowRun"]).map(run_links).unwrap_or_default();
        Some(FlowRun {
            id,
            flow_id: f.id(&["flow_id"]).or_else(|| flow.and_then(|o| o.id(&["id"]))),
            flow_name: flow.and_then(|o| o.string(&["name"])).or_else(|| f.string(&["flow_name", "name"])),
            flow_version_id: f.id(&["flow_version_id"]).or_else(|| version.and_then(|o| o.id(&["id"]))),
            flow_version: version.and_then(|o| o.string(&["version", "number", "name"])),
            status: f.get(&["status"]).and_then(RunStatus::from_value),
            trigger: f.string(&["trigger"]).map(|t| Trigger::parse(&t)),
            started_at_ms: started,
            finished_at_ms: finished,
            duration_ms: duration.ms,
            duration,
            has_warnings: f.get(&["has_warnings"]).and_then(as_bool),
            retry_of: f.id(&["retry_flow_run_id"]),
            retried_as,
            summary: f.string(&["summary"]),
            cpu_time_ms: f.get(&["cpu_time", "cpuTime"]).and_then(|v| in_unit(v, duration.unit)),
            payload_size_bytes: f.get(&["payload_size", "payloadSize"]).and_then(size_bytes),
            operations_sent: f.int(&["operations_sent", "operationsSent"]),
            operations_received: f.int(&["operations_received", "operationsReceived"]),
            score: f.int(&["score"]),
            starting_payload_count: f.int(&["starting_payload_count"]),
            starting_payload_size_bytes: f.get(&["starting_payload_size"]).and_then(size_bytes),
            steps_with_errors: f.int(&["flow_steps_with_errors"]),
            steps: version.map(|v| v.list(&["steps"]).iter().filter_map(FlowStep::from_value).collect()).unwrap_or_default(),
            problems: f.list(&["error_warning_logs", "errorWarningLogs"]).iter().filter_map(FlowRunLog::from_value).collect(),
            problem_count: f.get(&["error_warning_logs_count", "errorWarningLogsCount"]).and_then(count).or_else(|| {
                let exists = f.get(&["error_warning_logs_exists", "errorWarningLogsExists"]).and_then(as_bool)?;
                (!exists).then_some(0)
            }),
            tracked: f.list(&["tracked_data", "trackedData"]).iter().filter_map(tracked_item).collect(),
        })
    }
}

/// One tracked datum: `{"key", "value"}` (or `name`/`label` and `value`); other values are
/// shown as compact JSON, never dropped.
fn tracked_item(v: &Value) -> Option<(String, String)> {
    let f = Fields::of(v)?;
    let key = f.string(&["key", "name", "label"])?;
    let value = match f.get(&["value"]) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    Some((key, value))
}

fn run_links(v: &Value) -> Vec<RunLink> {
    let link = |item: &Value| {
        let f = Fields::of(item)?;
        Some(RunLink { id: f.id(&["id"])?, status: f.get(&["status"]).and_then(RunStatus::from_value) })
    };
    match v {
        Value::Array(items) => items.iter().filter_map(link).collect(),
        Value::Object(_) => link(v).into_iter().collect(),
        _ => match crate::api::decode::as_id(v) {
            Some(id) => vec![RunLink { id, status: None }],
            None => vec![],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_variants() {
        for (v, want) in [
            (json!(1), RunStatus::Running),
            (json!("2"), RunStatus::Success),
            (json!("failed"), RunStatus::Failure),
            (json!("FAILURE"), RunStatus::Failure),
            (json!("Partial Success"), RunStatus::PartialSuccess),
            (json!("partial_success"), RunStatus::PartialSuccess),
            (json!("stopped"), RunStatus::Stopped),
            (json!(9), RunStatus::Other("9".into())),
            (json!("Deployed"), RunStatus::Other("Deployed".into())),
        ] {
            assert_eq!(RunStatus::from_value(&v), Some(want), "{v}");
        }
        assert_eq!(RunStatus::from_value(&json!(null)), None);
        assert_eq!(RunStatus::from_value(&json!({"a": 1})), None);
    }

    #[test]
    fn trigger_keeps_unknown_values() {
        assert_eq!(Trigger::parse("webhook"), Trigger::Webhook);
        assert_eq!(Trigger::parse("API"), Trigger::Api);
        assert_eq!(Trigger::parse("Carrier pigeon"), Trigger::Other("Carrier pigeon".into()));
        for t in Trigger::KNOWN {
            assert_eq!(Trigger::parse(t.as_api()), t);
        }
    }

    #[test]
    fn a_run_from_the_published_flat_shape() {
        let v = json!({
            "id": 42, "status": 3, "trigger": "Webhook", "flow_id": {"id": 7},
            "flow": [{"id": 7, "name": "Orders to ERP"}],
            "started_at": "2026-03-01T19:00:00Z", "finished_at": "2026-03-01T19:01:00Z",
            "has_warnings": [{"id": 1}], "retry_flow_run_id": null,
            "retried_flow_run": [{"id": 43, "status": 1}], "unknown": {"deep": [1, 2]}
        });
        let run = FlowRun::from_value(&v).unwrap();
        assert_eq!(run.id, "42");
        assert_eq!(run.flow_id.as_deref(), Some("7"));
        assert_eq!(run.flow_name.as_deref(), Some("Orders to ERP"));
        assert_eq!(run.status, Some(RunStatus::Failure));
        assert_eq!(run.trigger, Some(Trigger::Webhook));
        assert_eq!(run.duration_ms, Some(60_000));
        assert_eq!(run.has_warnings, Some(true));
        assert_eq!(run.retried_as, vec![RunLink { id: "43".into(), status: Some(RunStatus::Running) }]);
    }

    #[test]
    fn a_run_in_json_api_shape() {
        let v = json!({"id": "42", "type": "flowRuns", "attributes": {"status": "success", "trigger": "api", "duration": "00:00:05"},
            "relationships": {"flow": {"data": {"id": "7", "name": "Sync"}}}});
        let run = FlowRun::from_value(&v).unwrap();
        assert_eq!(run.status, Some(RunStatus::Success));
        assert_eq!(run.trigger, Some(Trigger::Api));
        assert_eq!(run.duration_ms, Some(5_000));
        assert_eq!(run.flow_name.as_deref(), Some("Sync"));
    }

    #[test]
    fn tracked_data_and_count_includes() {
        let v = json!({"id": 1, "tracked_data": [{"id": 9, "key": "order_number", "value": "SO-1"}, {"name": "n", "value": 5},
            {"value": "no key"}, "odd"], "error_warning_logs_count": "12", "tracked_data_exists": true, "flow_count": 1});
        let run = FlowRun::from_value(&v).unwrap();
        assert_eq!(run.tracked, vec![("order_number".to_string(), "SO-1".to_string()), ("n".into(), "5".into())]);
        assert_eq!(run.problem_count, Some(12));
        let none = FlowRun::from_value(&json!({"id": 1, "error_warning_logs_exists": false})).unwrap();
        assert_eq!(none.problem_count, Some(0));
        let some = FlowRun::from_value(&json!({"id": 1, "error_warning_logs_exists": "1", "error_warning_logs_count": -3})).unwrap();
        assert_eq!(some.problem_count, None, "exists but not how many");
    }

    #[test]
    fn durations_in_milliseconds_are_read_as_such() {
        let v = json!({"id": 1, "started_at": "2026-03-01T19:00:00Z", "finished_at": "2026-03-01T19:01:05Z", "duration": 65000, "cpu_time": "1250"});
        let run = FlowRun::from_value(&v).unwrap();
        assert_eq!((run.duration_ms, run.cpu_time_ms), (Some(65_000), Some(1_250)));
        assert_eq!(run.duration.unit, crate::api::duration::DurationUnit::Milliseconds);
        let secs = FlowRun::from_value(&json!({"id": 1, "started_at": "2026-03-01T19:00:00Z", "finished_at": "2026-03-01T19:01:05Z",
            "duration": 65, "cpu_time": "1.25"}))
        .unwrap();
        assert_eq!((secs.duration_ms, secs.cpu_time_ms), (Some(65_000), Some(1_250)));
        let running = FlowRun::from_value(&json!({"id": 1, "started_at": "2026-03-01T19:00:00Z", "duration": 12})).unwrap();
        assert_eq!((running.duration_ms, running.duration.from_time_stamps), (Some(12_000), false));
    }
}
