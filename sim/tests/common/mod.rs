//! Shared by the integration tests: the simulator in process, and one call to it.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use flow_run_sim::{router, Options, Sim};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub const NOW: i64 = 1_800_000_000_000;

/// A frozen simulator with these options.
pub fn app(opts: Options) -> axum::Router {
    router(Sim::new(Options { now_ms: NOW, frozen: true, ..opts }))
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
}

/// One request; `headers` are extra (name, value) pairs.
pub async fn send(app: &axum::Router, method: &str, uri: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let mut req = Request::builder().method(method).uri(uri).header("host", "sim.test");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = app.clone().oneshot(req.body(Body::from(body.to_string())).unwrap()).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).to_string();
    Answer { status, headers, json: serde_json::from_str(&text).unwrap_or(Value::Null), text }
}

/// `GET uri` with the demo key.
pub async fn get(app: &axum::Router, uri: &str) -> Answer {
    send(app, "GET", uri, &[("authorization", "demo-key")], "").await
}
