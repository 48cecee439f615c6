//! What the API answers, decoded tolerantly into the app's own types.
//!
//! Decoding goes through `serde_json::Value` and the readers in `decode`, never through
//! derived `Deserialize` impls on these types: one odd field must not lose a whole page.
//! Values the app does not know are kept as they came (`Other(raw)`), never dropped.

use super::decode::{as_bool, as_f64, as_i64, as_string, Fields};
use super::error::ApiError;
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
        _ => match super::decode::as_id(v) {
            Some(id) => vec![RunLink { id, status: None }],
            None => vec![],
        },
    }
}

/// A duration in ms from a number of seconds, a numeric string (seconds), "HH:MM:SS",
/// "1h 2m 3s"-style text, or an object with `milliseconds`, `ms`, `seconds` or `s`.
pub fn duration_ms(v: &Value) -> Option<i64> {
    let secs_to_ms = |s: f64| (0.0..1.0e12).contains(&s).then(|| (s * 1000.0).round() as i64);
    match v {
        Value::Number(_) => as_f64(v).and_then(secs_to_ms),
        Value::String(s) => {
            let t = s.trim();
            if let Ok(f) = t.parse::<f64>() {
                return f.is_finite().then_some(f).and_then(secs_to_ms);
            }
            if t.contains(':') {
                let mut total = 0.0;
                for part in t.split(':') {
                    total = total * 60.0 + part.trim().parse::<f64>().ok()?;
                }
                return total.is_finite().then_some(total).and_then(secs_to_ms);
            }
            parse_unit_duration(t)
        }
        Value::Object(o) => {
            if let Some(ms) = o.get("milliseconds").or_else(|| o.get("ms")).and_then(as_f64) {
                return (ms >= 0.0).then(|| ms.round() as i64);
            }
            o.get("seconds").or_else(|| o.get("s")).and_then(as_f64).and_then(secs_to_ms)
        }
        _ => None,
    }
}

/// "1h 2m 3s", "2 min 5 sec", "850ms".
fn parse_unit_duration(t: &str) -> Option<i64> {
    let mut total = 0.0_f64;
    let mut rest = t;
    let mut any = false;
    while !rest.trim_start().is_empty() {
        rest = rest.trim_start();
        let n_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let n: f64 = rest[..n_end].parse().ok()?;
        rest = rest[n_end..].trim_start();
        let u_end = rest.find(|c: char| !c.is_alphabetic()).unwrap_or(rest.len());
        let factor = match rest[..u_end].to_ascii_lowercase().as_str() {
            "ms" | "msec" | "millisecond" | "milliseconds" => 1.0,
            "s" | "sec" | "secs" | "second" | "seconds" => 1000.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60_000.0,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3_600_000.0,
            "d" | "day" | "days" => 86_400_000.0,
            _ => return None,
        };
        rest = rest[u_end..].trim_start_matches([',', ' ']);
        total += n * factor;
        any = true;
    }
    (any && total.is_finite()).then(|| total.round() as i64)
}

/// Bytes from a number, a numeric string, "1.5 MB"-style text (KB = 1000, KiB = 1024), or an
/// object with `bytes` (or `value` and `unit`).
pub fn size_bytes(v: &Value) -> Option<u64> {
    let clamp = |f: f64| (f.is_finite() && (0.0..1.0e18).contains(&f)).then(|| f.round() as u64);
    match v {
        Value::Number(_) => as_f64(v).and_then(clamp),
        Value::String(s) => {
            let t = s.trim();
            if let Ok(f) = t.parse::<f64>() {
                return clamp(f);
            }
            let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
            let n: f64 = t[..split].trim().parse().ok()?;
            let factor = unit_factor(t[split..].trim())?;
            clamp(n * factor)
        }
        Value::Object(o) => {
            if let Some(b) = o.get("bytes") {
                return size_bytes(b);
            }
            let n = o.get("value").and_then(as_f64)?;
            let unit = o.get("unit").and_then(as_string).unwrap_or_default();
            clamp(n * unit_factor(unit.trim())?)
        }
        _ => None,
    }
}

fn unit_factor(unit: &str) -> Option<f64> {
    Some(match unit.to_ascii_lowercase().as_str() {
        "" | "b" | "byte" | "bytes" => 1.0,
        "kb" | "k" => 1e3,
        "mb" | "m" => 1e6,
        "gb" | "g" => 1e9,
        "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1_048_576.0,
        "gib" => 1_073_741_824.0,
        _ => return None,
    })
}

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
        let message = match f.get(&["log_message", "message"]) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(parts)) if parts.iter().all(Value::is_string) => {
                parts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n")
            }
            Some(other) => other.to_string(),
            None => String::new(),
        };
        let payload_ids = match f.get(&["payload_ids", "payload_metadata_id"]) {
            Some(Value::Array(items)) => items.iter().filter_map(super::decode::as_id).collect(),
            Some(other) => as_string(other)
                .map(|s| s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        Some(FlowRunLog {
            id: f.id(&["id"])?,
            run_id: f.id(&["flow_run_id"]),
            step_id: f.id(&["flow_step_id"]).or_else(|| step.and_then(|s| s.id(&["id"]))),
            step_name: step.and_then(|s| s.string(&["name"])),
            level: f.get(&["log_level", "level"]).and_then(LogLevel::from_value),
            message,
            created_at_ms: f.get(&["created_at"]).and_then(parse_timestamp),
            meta: f.get(&["meta"]).filter(|v| !v.is_null()).map(Value::to_string),
            metadata: f.get(&["flow_run_log_metadata", "flowRunLogMetadata"]).filter(|v| !v.is_null()).map(Value::to_string),
            payload_ids,
            page_number: f.int(&["page_number"]),
            attempts: f.int(&["attempts"]),
        })
    }
}

/// What the login endpoint answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginToken {
    pub token: String,
    pub expires_in_s: Option<i64>,
}

impl LoginToken {
    pub fn from_value(v: &Value) -> Option<LoginToken> {
        let f = Fields::of(v)?;
        let inner = f.object(&["data"]).unwrap_or(f);
        let token = inner.string(&["token", "access_token"]).filter(|t| !t.trim().is_empty())?;
        Some(LoginToken { token, expires_in_s: inner.int(&["expires_in"]) })
    }
}

/// What an action (retry, stop, download) answers: the server's message, and the run it
/// concerns when it sent one.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionOutcome {
    pub message: Option<String>,
    pub run: Option<FlowRun>,
}

impl ActionOutcome {
    pub fn from_value(v: &Value) -> ActionOutcome {
        let f = Fields::of(v);
        ActionOutcome { message: f.and_then(|f| f.string(&["message"])), run: v.get("data").and_then(FlowRun::from_value) }
    }
}

/// One entry of Laravel's `meta.links`: a page number, a gap ("...") or previous/next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageLink {
    pub url: Option<String>,
    pub label: String,
    pub active: bool,
}

/// Where a page sits in the whole result.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PageMeta {
    pub current_page: u64,
    pub last_page: u64,
    pub per_page: u64,
    pub total: Option<u64>,
    pub from: Option<u64>,
    pub to: Option<u64>,
    pub links: Vec<PageLink>,
}

/// One page of a list endpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub meta: PageMeta,
    /// Items that could not be read at all (not objects, or without an id).
    pub skipped: usize,
}

impl<T> Page<T> {
    /// Reads `{data: [...], meta: {...}, links: {...}}`, also with the paginator fields at the
    /// top level (Laravel's plain paginator) or missing altogether.
    pub fn decode(body: &Value, item: impl Fn(&Value) -> Option<T>) -> Result<Page<T>, ApiError> {
        let obj = body.as_object().ok_or_else(|| ApiError::decode("list response", "top level is not an object"))?;
        let data = match obj.get("data") {
            Some(Value::Array(items)) => items,
            Some(_) => return Err(ApiError::decode("list response", "`data` is not a list")),
            None => return Err(ApiError::decode("list response", "no `data` field")),
        };
        let items: Vec<T> = data.iter().filter_map(&item).collect();
        let skipped = data.len() - items.len();
        let m = obj.get("meta").and_then(Fields::of).or_else(|| Fields::of(body));
        let u = |keys: &[&str]| m.and_then(|m| m.get(keys)).and_then(as_i64).and_then(|n| u64::try_from(n).ok());
        let per_page = u(&["per_page"]).filter(|n| *n > 0).unwrap_or(data.len().max(1) as u64);
        let current_page = u(&["current_page"]).filter(|n| *n > 0).unwrap_or(1);
        let total = u(&["total"]);
        let last_page = u(&["last_page"]).or_else(|| total.map(|t| t.div_ceil(per_page))).unwrap_or(current_page).max(1);
        let links = m
            .map(|m| m.list(&["links"]))
            .unwrap_or_default()
            .iter()
            .filter_map(|l| {
                let f = Fields::of(l)?;
                Some(PageLink {
                    url: f.string(&["url"]),
                    label: f.string(&["label"]).unwrap_or_default(),
                    active: f.get(&["active"]).and_then(as_bool).unwrap_or(false),
                })
            })
            .collect();
        Ok(Page { items, meta: PageMeta { current_page, last_page, per_page, total, from: u(&["from"]), to: u(&["to"]), links }, skipped })
    }
}

/// Reads `{data: {...}}` (or a bare object) with `item`.
pub fn decode_one<T>(body: &Value, what: &str, item: impl Fn(&Value) -> Option<T>) -> Result<T, ApiError> {
    let inner = body.get("data").filter(|d| d.is_object()).unwrap_or(body);
    item(inner).ok_or_else(|| ApiError::decode(what, "the object has no usable id"))
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
    fn sizes() {
        assert_eq!(size_bytes(&json!(2048)), Some(2048));
        assert_eq!(size_bytes(&json!("2048")), Some(2048));
        assert_eq!(size_bytes(&json!("1.5 MB")), Some(1_500_000));
        assert_eq!(size_bytes(&json!("2KiB")), Some(2048));
        assert_eq!(size_bytes(&json!({"bytes": "10"})), Some(10));
        assert_eq!(size_bytes(&json!({"value": 3, "unit": "kb"})), Some(3000));
        assert_eq!(size_bytes(&json!("3 parsecs")), None);
        assert_eq!(size_bytes(&json!(-1)), None);
    }

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
    fn login_and_action_answers() {
        let t =
            LoginToken::from_value(&json!({"message": "You have successfully logged in.", "token": "jwt", "expires_in": 86400})).unwrap();
        assert_eq!((t.token.as_str(), t.expires_in_s), ("jwt", Some(86400)));
        assert_eq!(LoginToken::from_value(&json!({"data": {"access_token": "a"}})).unwrap().token, "a");
        assert_eq!(LoginToken::from_value(&json!({"token": ""})), None);
        let a = ActionOutcome::from_value(&json!({"message": "queued", "data": {"id": 9, "trigger": "Retry"}}));
        assert_eq!(a.message.as_deref(), Some("queued"));
        assert_eq!(a.run.map(|r| r.id), Some("9".into()));
        assert_eq!(ActionOutcome::from_value(&json!([])), ActionOutcome { message: None, run: None });
    }

    #[test]
    fn durations() {
        assert_eq!(duration_ms(&json!(83)), Some(83_000));
        assert_eq!(duration_ms(&json!("1.5")), Some(1_500));
        assert_eq!(duration_ms(&json!("00:01:23")), Some(83_000));
        assert_eq!(duration_ms(&json!("1h 2m 3s")), Some(3_723_000));
        assert_eq!(duration_ms(&json!("850ms")), Some(850));
        assert_eq!(duration_ms(&json!({"milliseconds": 1200})), Some(1_200));
        assert_eq!(duration_ms(&json!({"seconds": "2"})), Some(2_000));
        assert_eq!(duration_ms(&json!("soon")), None);
        assert_eq!(duration_ms(&json!(-3)), None);
        assert_eq!(duration_ms(&json!("1e400")), None);
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
    fn a_page_keeps_what_it_can() {
        let body = json!({
            "data": [{"id": 1}, "junk", {"no_id": true}, {"id": "2", "status": "weird"}],
            "meta": {"current_page": 2, "last_page": "9", "per_page": 25, "total": 210, "from": 26, "to": 50,
                     "links": [{"url": null, "label": "&laquo; Previous", "active": false},
                               {"url": "http://x/?page=1", "label": "1", "active": false},
                               {"url": null, "label": "...", "active": false}]},
            "links": {"first": "http://x/?page=1", "last": null, "prev": null, "next": null}
        });
        let page = Page::decode(&body, FlowRun::from_value).unwrap();
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.skipped, 2);
        assert_eq!(page.meta.current_page, 2);
        assert_eq!(page.meta.last_page, 9);
        assert_eq!(page.meta.total, Some(210));
        assert_eq!(page.meta.links.len(), 3);
        assert_eq!(page.items[1].status, Some(RunStatus::Other("weird".into())));
    }

    #[test]
    fn a_page_without_meta_or_with_top_level_paginator() {
        let plain = json!({"data": [{"id": 1}], "current_page": 3, "per_page": 10, "total": 95});
        let page = Page::decode(&plain, FlowRun::from_value).unwrap();
        assert_eq!((page.meta.current_page, page.meta.last_page), (3, 10));
        let bare = json!({"data": []});
        let page = Page::decode(&bare, FlowRun::from_value).unwrap();
        assert_eq!((page.meta.current_page, page.meta.last_page, page.meta.total), (1, 1, None));
    }

    #[test]
    fn non_pages_are_decode_errors() {
        for body in [json!([]), json!({"data": {"id": 1}}), json!({"message": "hi"}), json!("x")] {
            assert!(matches!(Page::decode(&body, FlowRun::from_value), Err(ApiError::Decode { .. })), "{body}");
        }
    }
}
