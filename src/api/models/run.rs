//! Runs as the API sends them: `RunStatus`, `Trigger`, `FlowRun` with its steps and the runs
//! it retried or was retried as.

use super::log::FlowRunLog;
use crate::api::decode::{as_bool, as_i64, as_string, Fields};
use crate::api::units::{duration_ms, size_bytes};
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
        let duration = f.get(&["duration"]).and_then(duration_ms).or_else(|| Some(finished? - started?).filter(|d| *d >= 0));
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
            duration_ms: duration,
            has_warnings: f.get(&["has_warnings"]).and_then(as_bool),
            retry_of: f.id(&["retry_flow_run_id"]),
            retried_as,
            summary: f.string(&["summary"]),
            cpu_time_ms: f.get(&["cpu_time", "cpuTime"]).and_then(duration_ms),
            payload_size_bytes: f.get(&["payload_size", "payloadSize"]).and_then(size_bytes),
            operations_sent: f.int(&["operations_sent", "operationsSent"]),
            operations_received: f.int(&["operations_received", "operationsReceived"]),
            score: f.int(&["score"]),
            starting_payload_count: f.int(&["starting_payload_count"]),
            starting_payload_size_bytes: f.get(&["starting_payload_size"]).and_then(size_bytes),
            steps_with_errors: f.int(&["flow_steps_with_errors"]),
            steps: version.map(|v| v.list(&["steps"]).iter().filter_map(FlowStep::from_value).collect()).unwrap_or_default(),
            problems: f.list(&["error_warning_logs", "errorWarningLogs"]).iter().filter_map(FlowRunLog::from_value).collect(),
        })
    }
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
}
