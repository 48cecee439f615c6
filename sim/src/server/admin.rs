//! `/__sim/*`: the request log, fault rules and CSP violation reports, for tests and
//! people. Never rate-limited. Changes (POST, DELETE) are refused unless they come from this
//! machine's pages or from no page at all (a loopback `Origin`, or none), and a POST must say
//! it is JSON: a web page elsewhere cannot add fault rules with a cross-site `text/plain`
//! form post, or send its own CSP reports here.

use super::state::{lock, Sim, CSP_REPORT_CAP, FAULT_CAP};
use super::{error, pairs};
use crate::faults;
use axum::extract::{RawQuery, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

/// Whether an `Origin` header names this machine (`localhost`, `127.0.0.0/8`, `[::1]`).
pub fn loopback_origin(origin: &str) -> bool {
    let Some(rest) = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) else { return false };
    if rest.contains('/') || rest.contains('@') {
        return false;
    }
    let host = if let Some(v6) = rest.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, tail)) if tail.is_empty() || tail.starts_with(':') => h,
            _ => return false,
        }
    } else {
        rest.split(':').next().unwrap_or_default()
    };
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

fn media_type(headers: &HeaderMap) -> String {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    ct.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// The guard in front of `/__sim/*`.
pub(super) async fn guard(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    if method == Method::GET || method == Method::HEAD {
        return next.run(req).await;
    }
    let origin = req.headers().get(header::ORIGIN).map(|o| o.to_str().unwrap_or("?").to_string());
    if let Some(o) = origin.filter(|o| !loopback_origin(o)) {
        return error(
            StatusCode::FORBIDDEN,
            &format!("/__sim refuses changes from the origin {o}: only this machine's pages may make them."),
        );
    }
    if method == Method::POST {
        let media = media_type(req.headers());
        // Browsers send CSP reports as application/csp-report (report-uri) or
        // application/reports+json (Reporting API); neither can be sent cross-site unasked.
        let csp_types = ["application/csp-report", "application/reports+json"];
        let ok = media == "application/json" || (req.uri().path() == "/__sim/csp-reports" && csp_types.contains(&media.as_str()));
        if !ok {
            return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "/__sim takes JSON: send Content-Type: application/json.");
        }
    }
    next.run(req).await
}

pub(super) async fn requests_log(State(sim): State<Arc<Sim>>, RawQuery(raw): RawQuery) -> Response {
    let since = pairs(&raw).into_iter().find(|(k, _)| k == "since").and_then(|(_, v)| v.parse::<u64>().ok()).unwrap_or(0);
    let log = lock(&sim.log);
    let items: Vec<Value> = log
        .1
        .iter()
        .filter(|r| r.seq > since)
        .map(|r| json!({"seq": r.seq, "at_ms": r.at_ms, "method": r.method, "path": r.path, "query": r.query, "auth": r.auth, "status": r.status}))
        .collect();
    Json(json!({"requests": items, "last_seq": log.0})).into_response()
}

pub(super) async fn clear_requests(State(sim): State<Arc<Sim>>) -> StatusCode {
    lock(&sim.log).1.clear();
    StatusCode::NO_CONTENT
}

pub(super) async fn list_faults(State(sim): State<Arc<Sim>>) -> Response {
    let faults = lock(&sim.faults);
    let items: Vec<Value> = faults.iter().map(|f| json!({"rule": format!("{:?}", f.kind), "seen": f.seen, "fired": f.fired})).collect();
    Json(json!({"faults": items})).into_response()
}

pub(super) async fn add_faults(State(sim): State<Arc<Sim>>, body: String) -> Response {
    match faults::parse(&body) {
        Ok(rules) => {
            let mut faults = lock(&sim.faults);
            faults.extend(rules);
            while faults.len() > FAULT_CAP {
                faults.pop_front();
            }
            Json(json!({"rules": faults.len()})).into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, &e),
    }
}

pub(super) async fn clear_faults(State(sim): State<Arc<Sim>>) -> StatusCode {
    lock(&sim.faults).clear();
    StatusCode::NO_CONTENT
}

/// `GET /__sim/csp-reports`: the policy violations browsers reported, oldest first.
pub(super) async fn csp_reports(State(sim): State<Arc<Sim>>) -> Response {
    let reports: Vec<Value> = lock(&sim.csp_reports).iter().cloned().collect();
    Json(json!({"reports": reports})).into_response()
}

/// `POST /__sim/csp-reports`: a browser's violation report.
pub(super) async fn add_csp_report(State(sim): State<Arc<Sim>>, body: String) -> StatusCode {
    let report = serde_json::from_str::<Value>(&body).unwrap_or(Value::String(body));
    let mut reports = lock(&sim.csp_reports);
    reports.push_back(report);
    while reports.len() > CSP_REPORT_CAP {
        reports.pop_front();
    }
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::loopback_origin;

    #[test]
    fn only_this_machine_is_loopback() {
        for ok in ["http://127.0.0.1:8080", "http://localhost:3000", "http://LOCALHOST", "http://[::1]:9", "https://127.1.2.3"] {
            assert!(loopback_origin(ok), "{ok}");
        }
        for bad in [
            "null",
            "http://evil.test",
            "http://127.0.0.1.evil.test",
            "http://localhost.evil.test:80",
            "http://evil.test@127.0.0.1",
            "http://[::2]:80",
            "http://10.0.0.1:8080",
            "file://",
            "http://127.0.0.1:80/x",
        ] {
            assert!(!loopback_origin(bad), "{bad}");
        }
    }
}
