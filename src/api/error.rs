//! One error type for everything a call to the API can end in, with words for people.

use super::decode::{as_string, Fields};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// 400: usually a filter, include or sort the server does not allow.
    #[error("the server rejected the request: {message}")]
    BadRequest { message: String },
    /// 401: no token, a wrong one, or an expired one.
    #[error("not signed in, or the token is no longer valid")]
    Unauthorized,
    /// 403: signed in, but not allowed.
    #[error("permission denied{}", .message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Forbidden { message: Option<String> },
    #[error("not found")]
    NotFound,
    /// 422: the server refused an action, with its reasons per field.
    #[error("{message}")]
    Validation { message: String, errors: Vec<(String, Vec<String>)> },
    /// 429, with the server's `Retry-After` in seconds when it sent one.
    #[error("too many requests")]
    RateLimited { retry_after_s: Option<u32> },
    #[error("the server failed (HTTP {status})")]
    Server { status: u16, message: Option<String> },
    /// Any other status that is not a success.
    #[error("unexpected answer (HTTP {status})")]
    Http { status: u16, message: Option<String> },
    #[error("no answer within {after_ms} ms")]
    Timeout { after_ms: u32 },
    /// The request never got an answer: offline, DNS, CORS, connection refused.
    #[error("could not reach the API: {detail}")]
    Network { detail: String },
    /// An answer came, but not one that could be read: what was read, and where it broke.
    #[error("could not read the {what}: {at}")]
    Decode { what: String, at: String },
    /// The credential cannot be sent (it is not a valid header value); nothing was sent.
    #[error("the token cannot be sent")]
    BadCredential { problem: String },
    /// Superseded by a newer request; never shown to people.
    #[error("cancelled")]
    Aborted,
}

impl ApiError {
    pub fn decode(what: &str, at: impl Into<String>) -> ApiError {
        ApiError::Decode { what: what.to_string(), at: at.into() }
    }

    /// The error for a non-success HTTP answer, from its status, `Retry-After` header and body.
    /// The body is read for Laravel's `{"message": .., "errors": {field: [..]}}`; a body that
    /// is not JSON is ignored rather than shown raw.
    pub fn from_status(status: u16, retry_after: Option<&str>, body: &str) -> ApiError {
        let json: Option<Value> = serde_json::from_str(body).ok();
        let message = json
            .as_ref()
            .and_then(Fields::of)
            .and_then(|f| f.string(&["message", "error", "detail"]))
            .map(|m| truncate(m.trim(), 500))
            .filter(|m| !m.is_empty());
        match status {
            400 => ApiError::BadRequest { message: message.unwrap_or_else(|| "bad request".into()) },
            401 | 419 => ApiError::Unauthorized,
            403 => ApiError::Forbidden { message },
            404 | 410 => ApiError::NotFound,
            422 => ApiError::Validation {
                message: message.unwrap_or_else(|| "The server refused the request.".into()),
                errors: json.as_ref().map(field_errors).unwrap_or_default(),
            },
            429 => ApiError::RateLimited { retry_after_s: retry_after.and_then(parse_retry_after) },
            500..=599 => ApiError::Server { status, message },
            _ => ApiError::Http { status, message },
        }
    }

    /// A sentence for people: what happened.
    pub fn message(&self) -> String {
        match self {
            ApiError::BadRequest { message } => format!("The API rejected this query: {message}"),
            ApiError::Unauthorized => "The API did not accept the token (missing, wrong or expired).".into(),
            ApiError::Forbidden { message } => match message {
                Some(m) => format!("Your account may not do this: {m}"),
                None => "Your account may not do this.".into(),
            },
            ApiError::NotFound => "There is no such item (it may have been deleted, or logs have expired after 7 days).".into(),
            ApiError::Validation { message, .. } => message.clone(),
            ApiError::RateLimited { retry_after_s: Some(s) } if i64::from(*s) * 1000 > super::budget::MAX_PAUSE_MS => format!(
                "The API's rate limit was reached; it asks to wait {s} s, but the app pauses at most {} minutes before it tries again.",
                super::budget::MAX_PAUSE_MS / 60_000
            ),
            ApiError::RateLimited { retry_after_s: Some(s) } => format!("The API's rate limit was reached; it asks to wait {s} s."),
            ApiError::RateLimited { retry_after_s: None } => "The API's rate limit was reached.".into(),
            ApiError::Server { status, message } => match message {
                Some(m) => format!("The API failed (HTTP {status}): {m}"),
                None => format!("The API failed (HTTP {status})."),
            },
            ApiError::Http { status, message } => match message {
                Some(m) => format!("Unexpected answer from the API (HTTP {status}): {m}"),
                None => format!("Unexpected answer from the API (HTTP {status})."),
            },
            ApiError::Timeout { after_ms } => format!("The API did not answer within {} s.", after_ms / 1000),
            ApiError::Network { detail } => format!("Could not reach the API ({detail})."),
            ApiError::Decode { what, at } => format!("The API's answer could not be read ({what}: {at})."),
            ApiError::BadCredential { problem } => format!("The saved token cannot be sent. {problem}"),
            ApiError::Aborted => "Cancelled.".into(),
        }
    }

    /// A sentence for people: what to do next.
    pub fn next_step(&self) -> &'static str {
        match self {
            ApiError::BadRequest { .. } => "Remove the last filter you added, or clear all filters.",
            ApiError::Unauthorized => "Sign in again on the Connection page.",
            ApiError::Forbidden { .. } => "Ask a Patchworks administrator for access, or use another account.",
            ApiError::NotFound => "Check the id, or go back to the run list.",
            ApiError::Validation { .. } => "Read the reasons above; the run may have changed state meanwhile. Reload to see it.",
            ApiError::RateLimited { .. } => "Wait a moment; the app retries by itself when the limit resets.",
            ApiError::Server { .. } | ApiError::Http { .. } => "Try again in a moment; if it persists, tell the Patchworks administrators.",
            ApiError::Timeout { .. } => "Try again; narrow the filters if the query is large.",
            ApiError::Network { .. } => "Check the network and the API address on the Connection page.",
            ApiError::Decode { .. } => "Try again; if it persists, the API may have changed. Report it with the details.",
            ApiError::BadCredential { .. } => "Enter the token again on the Connection page.",
            ApiError::Aborted => "",
        }
    }

    /// Worth retrying automatically (for GETs): transient network and gateway failures.
    pub fn is_transient(&self) -> bool {
        matches!(self, ApiError::Network { .. } | ApiError::Server { status: 502..=504, .. })
    }
}

fn truncate(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn field_errors(v: &Value) -> Vec<(String, Vec<String>)> {
    let Some(errors) = v.get("errors").and_then(Value::as_object) else { return vec![] };
    errors
        .iter()
        .map(|(field, msgs)| {
            let msgs = match msgs {
                Value::Array(items) => items.iter().filter_map(as_string).collect(),
                other => as_string(other).into_iter().collect(),
            };
            (field.clone(), msgs)
        })
        .collect()
}

/// `Retry-After` as delta seconds. (The HTTP-date form needs a clock; callers back off
/// by their own schedule when this answers `None`.)
pub fn parse_retry_after(v: &str) -> Option<u32> {
    let t = v.trim();
    t.parse::<u32>().ok().or_else(|| t.parse::<f64>().ok().filter(|f| *f >= 0.0 && *f < 1.0e6).map(|f| f.ceil() as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_kinds() {
        let not_allowed = r#"{"message":"Requested filter(s) `x` are not allowed. Allowed filter(s) are `status`."}"#;
        assert_eq!(
            ApiError::from_status(400, None, not_allowed),
            ApiError::BadRequest { message: "Requested filter(s) `x` are not allowed. Allowed filter(s) are `status`.".into() }
        );
        assert_eq!(ApiError::from_status(401, None, ""), ApiError::Unauthorized);
        assert_eq!(ApiError::from_status(403, None, "<html>"), ApiError::Forbidden { message: None });
        assert_eq!(ApiError::from_status(404, None, ""), ApiError::NotFound);
        assert_eq!(ApiError::from_status(429, Some(" 30 "), ""), ApiError::RateLimited { retry_after_s: Some(30) });
        assert_eq!(ApiError::from_status(429, Some("Wed, 21 Oct 2015 07:28:00 GMT"), ""), ApiError::RateLimited { retry_after_s: None });
        assert_eq!(ApiError::from_status(503, None, "{}"), ApiError::Server { status: 503, message: None });
        assert_eq!(
            ApiError::from_status(418, None, r#"{"message": "teapot"}"#),
            ApiError::Http { status: 418, message: Some("teapot".into()) }
        );
    }

    #[test]
    fn a_long_retry_after_is_said_to_be_capped() {
        let days = ApiError::from_status(429, Some("950400"), "");
        assert!(days.message().contains("at most 5 minutes"), "{}", days.message());
        assert!(!ApiError::RateLimited { retry_after_s: Some(30) }.message().contains("at most"));
    }

    #[test]
    fn validation_errors_keep_fields() {
        let body = r#"{"message":"This run cannot be retried.","errors":{"flow_run":["It is still running."],"other":"one"}}"#;
        match ApiError::from_status(422, None, body) {
            ApiError::Validation { message, errors } => {
                assert_eq!(message, "This run cannot be retried.");
                assert!(errors.contains(&("flow_run".into(), vec!["It is still running.".into()])));
                assert!(errors.contains(&("other".into(), vec!["one".into()])));
            }
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn every_error_has_words() {
        let all = [
            ApiError::BadRequest { message: "m".into() },
            ApiError::Unauthorized,
            ApiError::Forbidden { message: None },
            ApiError::NotFound,
            ApiError::Validation { message: "m".into(), errors: vec![] },
            ApiError::RateLimited { retry_after_s: None },
            ApiError::Server { status: 500, message: None },
            ApiError::Http { status: 302, message: None },
            ApiError::Timeout { after_ms: 15_000 },
            ApiError::Network { detail: "offline".into() },
            ApiError::decode("run", "x"),
            ApiError::BadCredential { problem: "p".into() },
        ];
        for e in all {
            assert!(!e.message().is_empty() && !e.next_step().is_empty(), "{e:?}");
        }
    }

    #[test]
    fn long_messages_are_cut_on_a_char_boundary() {
        let body = serde_json::json!({"message": "é".repeat(600)}).to_string();
        match ApiError::from_status(400, None, &body) {
            ApiError::BadRequest { message } => assert_eq!(message.chars().count(), 501),
            e => panic!("{e:?}"),
        }
    }
}
