//! HTTP to the API: one typed function per endpoint over one request path that adds the
//! credential, enforces the timeout and turns every failure into an `ApiError`.

use super::error::ApiError;
use super::models::{decode_one, FlowRun, Page};
use super::query::{encode_component, RunQuery};
use serde_json::Value;

/// How the token is sent: API keys bare, login tokens as `Bearer`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    ApiKey(String),
    Bearer(String),
}

impl Credential {
    pub fn header_value(&self) -> String {
        match self {
            Credential::ApiKey(k) => k.trim().to_string(),
            Credential::Bearer(t) => format!("Bearer {}", t.trim()),
        }
    }
}

/// Relationships the run table shows.
pub const RUN_LIST_INCLUDES: [&str; 3] = ["flow", "flowVersion", "retriedFlowRun"];

#[derive(Clone, Debug, PartialEq)]
pub struct ApiClient {
    /// Absolute origin (and optional path prefix) of the API, without a trailing slash.
    pub base: String,
    pub credential: Option<Credential>,
    pub timeout_ms: u32,
}

impl ApiClient {
    pub fn new(base: &str, credential: Option<Credential>, timeout_ms: u32) -> ApiClient {
        ApiClient { base: base.trim().trim_end_matches('/').to_string(), credential, timeout_ms }
    }

    /// `{base}{path}` plus `?query` when there is one.
    pub fn url(&self, path: &str, query: &str) -> String {
        if query.is_empty() {
            format!("{}{path}", self.base)
        } else {
            format!("{}{path}?{query}", self.base)
        }
    }

    pub fn runs_url(&self, q: &RunQuery) -> String {
        self.url("/api/v1/flow-runs", &q.to_query_string())
    }

    pub fn run_url(&self, id: &str, include: &[&str]) -> String {
        let query = if include.is_empty() { String::new() } else { format!("include={}", encode_component(&include.join(","))) };
        self.url(&format!("/api/v1/flow-runs/{}", encode_component(id)), &query)
    }

    pub async fn list_runs(&self, q: &RunQuery) -> Result<Page<FlowRun>, ApiError> {
        let body = self.get_json(&self.runs_url(q), "run list").await?;
        Page::decode(&body, FlowRun::from_value)
    }

    pub async fn get_run(&self, id: &str, include: &[&str]) -> Result<FlowRun, ApiError> {
        let body = self.get_json(&self.run_url(id, include), "run").await?;
        decode_one(&body, "run", FlowRun::from_value)
    }

    async fn get_json(&self, url: &str, what: &str) -> Result<Value, ApiError> {
        let (status, retry_after, content_type, text) = transport::get(url, self.credential.as_ref(), self.timeout_ms).await?;
        parse_answer(status, retry_after.as_deref(), content_type.as_deref(), &text, what)
    }
}

/// Turns a raw answer into JSON or the right error. Pure, so it is tested natively.
pub fn parse_answer(status: u16, retry_after: Option<&str>, content_type: Option<&str>, body: &str, what: &str) -> Result<Value, ApiError> {
    if !(200..300).contains(&status) {
        return Err(ApiError::from_status(status, retry_after, body));
    }
    serde_json::from_str(body).map_err(|e| {
        let kind = content_type.unwrap_or("no content type");
        if !kind.contains("json") {
            ApiError::decode(what, format!("expected JSON, got {kind}"))
        } else if e.is_eof() {
            ApiError::decode(what, format!("the answer ends early (after {} bytes)", body.len()))
        } else {
            ApiError::decode(what, format!("invalid JSON at line {} column {}", e.line(), e.column()))
        }
    })
}

mod transport {
    use super::{ApiError, Credential};
    use std::cell::Cell;
    use std::rc::Rc;

    pub type RawAnswer = (u16, Option<String>, Option<String>, String);

    /// One GET with a timeout through `AbortController`. The credential goes in the
    /// `Authorization` header and nowhere else.
    pub async fn get(url: &str, credential: Option<&Credential>, timeout_ms: u32) -> Result<RawAnswer, ApiError> {
        let controller =
            web_sys::AbortController::new().map_err(|_| ApiError::Network { detail: "this browser cannot make requests".into() })?;
        let timed_out = Rc::new(Cell::new(false));
        let timer = {
            let controller = controller.clone();
            let timed_out = timed_out.clone();
            gloo_timers::callback::Timeout::new(timeout_ms, move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let signal = controller.signal();
        let mut req = gloo_net::http::Request::get(url).header("Accept", "application/json").abort_signal(Some(&signal));
        if let Some(c) = credential {
            req = req.header("Authorization", &c.header_value());
        }
        let fail = |e: gloo_net::Error| {
            if timed_out.get() {
                ApiError::Timeout { after_ms: timeout_ms }
            } else if signal.aborted() {
                ApiError::Aborted
            } else {
                ApiError::Network { detail: network_detail(&e) }
            }
        };
        let resp = req.send().await.map_err(fail)?;
        let status = resp.status();
        let retry_after = resp.headers().get("retry-after");
        let content_type = resp.headers().get("content-type");
        let text = resp.text().await.map_err(fail)?;
        drop(timer);
        Ok((status, retry_after, content_type, text))
    }

    /// The browser says little about why a fetch failed (by design); never echo the URL.
    fn network_detail(e: &gloo_net::Error) -> String {
        match e {
            gloo_net::Error::JsError(js) => js.message.clone(),
            gloo_net::Error::SerdeError(_) => "unreadable answer".into(),
            gloo_net::Error::GlooError(m) => m.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let c = ApiClient::new(" https://api.example/ ", None, 1000);
        assert_eq!(c.runs_url(&RunQuery::new(1, 25)), "https://api.example/api/v1/flow-runs?page=1&per_page=25");
        assert_eq!(c.run_url("4 2", &["flow", "flowVersion"]), "https://api.example/api/v1/flow-runs/4%202?include=flow%2CflowVersion");
        assert_eq!(c.run_url("42", &[]), "https://api.example/api/v1/flow-runs/42");
    }

    #[test]
    fn credentials() {
        assert_eq!(Credential::ApiKey(" k ".into()).header_value(), "k");
        assert_eq!(Credential::Bearer("t".into()).header_value(), "Bearer t");
    }

    #[test]
    fn answers() {
        assert_eq!(parse_answer(200, None, Some("application/json"), "{\"a\":1}", "x").unwrap()["a"], 1);
        assert_eq!(parse_answer(401, None, None, "", "x"), Err(ApiError::Unauthorized));
        assert!(
            matches!(parse_answer(200, None, Some("text/html"), "<html>", "run"), Err(ApiError::Decode { at, .. }) if at.contains("text/html"))
        );
        assert!(
            matches!(parse_answer(200, None, Some("application/json"), "{\"data\": [", "run"), Err(ApiError::Decode { at, .. }) if at.contains("ends early"))
        );
        assert!(
            matches!(parse_answer(200, None, Some("application/json"), "{\"data\": x}", "run"), Err(ApiError::Decode { at, .. }) if at.contains("line 1"))
        );
    }
}
