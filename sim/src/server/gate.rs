//! What every API and login request passes through: the rate limit, fault rules, the
//! credential check, and the request log.

use super::auth::user_of;
use super::state::{lock, Logged, Sim, LOG_CAP};
use super::{error, now_ms};
use crate::faults::{self, FaultKind};
use crate::ratelimit::Decision;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use std::time::Duration;

/// A body that fails at once: hyper then closes the connection without an answer.
fn dropped_connection() -> Response {
    struct Once(bool);
    impl futures_core::Stream for Once {
        type Item = Result<Vec<u8>, std::io::Error>;
        fn poll_next(mut self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
            if self.0 {
                std::task::Poll::Ready(None)
            } else {
                self.0 = true;
                std::task::Poll::Ready(Some(Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "fault: drop"))))
            }
        }
    }
    Response::new(Body::from_stream(Once(false)))
}

/// Applies body-changing faults to a finished response.
async fn distort(resp: Response, kinds: &[FaultKind]) -> Response {
    let malformed = kinds.contains(&FaultKind::Malformed);
    let truncated = kinds.contains(&FaultKind::Truncated);
    let html = kinds.contains(&FaultKind::ContentType);
    if !(malformed || truncated || html) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, 256 * 1024 * 1024).await.unwrap_or_default();
    let mut out = bytes.to_vec();
    if malformed {
        parts.status = StatusCode::OK;
        out = b"{\"data\": [ {\"id\": 1,, oops".to_vec();
    } else if truncated {
        parts.status = StatusCode::OK;
        out.truncate(out.len() / 2);
    }
    if html {
        parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

fn set(headers: &mut HeaderMap, name: &'static str, value: impl ToString) {
    if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
        headers.insert(name, v);
    }
}

/// Laravel's answer once the window is used up: 429 "Too Many Attempts." with `Retry-After`
/// and `X-RateLimit-Reset` (Unix seconds).
fn too_many(limit: u32, retry_after_s: u64, reset_at_s: i64) -> Response {
    let mut r = error(StatusCode::TOO_MANY_REQUESTS, "Too Many Attempts.");
    let h = r.headers_mut();
    set(h, "x-ratelimit-limit", limit);
    set(h, "x-ratelimit-remaining", 0);
    set(h, "retry-after", retry_after_s);
    set(h, "x-ratelimit-reset", reset_at_s);
    r
}

/// For API and login calls.
pub(super) async fn api_gate(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let method = req.method().clone();
    let auth = req.headers().contains_key(header::AUTHORIZATION);
    let is_api = path.starts_with("/api/") || path.starts_with("/fabric/");
    if !is_api {
        return next.run(req).await;
    }
    // Keyed by user (the API key and its tokens are one user); requests without a valid
    // credential share the guests' window. Preflights are answered before the limit.
    let decision = match (&sim.limiter, method == Method::OPTIONS) {
        (Some(limiter), false) => {
            let key = user_of(&sim, req.headers()).map_or("guest".to_string(), |u| format!("user:{u}"));
            Some(lock(limiter).hit(&key, now_ms()))
        }
        _ => None,
    };
    let resp = match decision {
        Some(Decision::Limited { limit, retry_after_s, reset_at_s }) => too_many(limit, retry_after_s, reset_at_s),
        _ => {
            let mut resp = answer(&sim, req, next, &path, &query, &method).await;
            if let Some(Decision::Allowed { limit, remaining }) = decision {
                set(resp.headers_mut(), "x-ratelimit-limit", limit);
                set(resp.headers_mut(), "x-ratelimit-remaining", remaining);
            }
            resp
        }
    };
    let mut log = lock(&sim.log);
    log.0 += 1;
    let seq = log.0;
    log.1.push_back(Logged { seq, at_ms: now_ms(), method: method.to_string(), path, query, auth, status: resp.status().as_u16() });
    if log.1.len() > LOG_CAP {
        log.1.pop_front();
    }
    resp
}

/// Faults, the credential check, then the route.
async fn answer(sim: &Sim, req: Request, next: Next, path: &str, query: &str, method: &Method) -> Response {
    let kinds = faults::firing(lock(&sim.faults).make_contiguous(), sim.opts.seed, method.as_str(), path, query);
    for k in &kinds {
        if let FaultKind::Latency { ms } = k {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
        }
    }
    let early = kinds.iter().find_map(|k| match k {
        FaultKind::Status { status, message } => Some(error(
            StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            message.as_deref().unwrap_or("Server Error"),
        )),
        FaultKind::RateLimit { retry_after } => {
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, "Too Many Attempts.");
            if let Some(s) = retry_after {
                set(r.headers_mut(), "retry-after", s);
            }
            Some(r)
        }
        FaultKind::Drop => Some(dropped_connection()),
        _ => None,
    });
    let needs_auth = path.starts_with("/api/") && path != "/api/v1/login" && method != Method::OPTIONS;
    match early {
        Some(r) => r,
        None if needs_auth && user_of(sim, req.headers()).is_none() => error(StatusCode::UNAUTHORIZED, "Unauthenticated."),
        None => distort(next.run(req).await, &kinds).await,
    }
}
