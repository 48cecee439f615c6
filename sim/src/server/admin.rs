//! `/__sim/*`: the request log, fault rules and CSP violation reports, for tests and
//! people. Never rate-limited. Changes (POST, DELETE) are refused unless they come from this
//! machine's pages or from no page at all (a loopback `Origin`, or none), and a POST must say
//! it is JSON: a web page elsewhere cannot add fault rules with a cross-site `text/plain`
//! form post, or send its own CSP reports here.

use super::state::{lock, Sim, CSP_REPORT_CAP, FAULT_CAP};
use super::{error, pairs};
use crate::causes;
use crate::data::Status;
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

/// `GET /__sim/failure-causes`: the runs that have ended failed or partly successful now,
/// by the cause of their error entries (`crate::causes`; without `--failure-causes` every
/// error has the first cause and partly successful runs have none), and how many have no
/// error entry. Optional `flow_id=a,b` narrows to those flows. What a grouping of every such
/// run must find, known without the app.
pub(super) async fn failure_causes(State(sim): State<Arc<Sim>>, RawQuery(raw): RawQuery) -> Response {
    let flows: Vec<u64> = pairs(&raw)
        .into_iter()
        .filter(|(k, _)| k == "flow_id")
        .flat_map(|(_, v)| v.split(',').filter_map(|s| s.trim().parse().ok()).collect::<Vec<u64>>())
        .collect();
    let now = sim.now();
    let ov = sim.read();
    let mut by_cause: Vec<(Vec<u64>, std::collections::BTreeSet<u64>)> = vec![Default::default(); causes::CAUSES.len()];
    let (mut grouped, mut without) = (0u64, 0u64);
    for id in 1..=sim.total(&ov) {
        let Some(live) = sim.live(&ov, id, now) else { continue };
        if !matches!(live.status, Status::Failure | Status::PartialSuccess) || !(flows.is_empty() || flows.contains(&live.run.flow_id)) {
            continue;
        }
        grouped += 1;
        let log = sim.run_log(&live);
        if log.count == 0 || !log.failed {
            without += 1;
            continue;
        }
        let cause = if log.causes { causes::cause_of(log.seed, id) } else { 0 };
        by_cause[cause].0.push(id);
        by_cause[cause].1.insert(live.run.flow_id);
    }
    let items: Vec<Value> = causes::CAUSES
        .iter()
        .zip(by_cause)
        .filter(|(_, (runs, _))| !runs.is_empty())
        .map(|((key, _), (runs, flows))| json!({"key": key, "runs": runs.len(), "run_ids": runs, "flows": flows.len()}))
        .collect();
    Json(json!({"enabled": sim.opts.failure_causes, "runs": grouped, "without_errors": without, "causes": items})).into_response()
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
