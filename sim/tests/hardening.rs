//! The security issue: `/__sim` changes only as JSON from this machine, bounded lists,
//! overflowing values answered (never a panic), and framing limited by the strict CSP.

mod common;

use axum::http::StatusCode;
use common::{app, get, send};
use flow_run_sim::Options;
use serde_json::json;

fn opts() -> Options {
    Options { runs: 50, rate_limit: None, ..Options::default() }
}

const RULE: &str = r#"{"kind":"status","status":503}"#;

#[tokio::test]
async fn sim_changes_need_json_from_this_machine() {
    let app = app(opts());
    let faults = |app: &axum::Router| {
        let app = app.clone();
        async move { send(&app, "GET", "/__sim/faults", &[], "").await.json["faults"].as_array().unwrap().len() }
    };
    // What a web page elsewhere can send without asking: a text/plain form post.
    let a = send(&app, "POST", "/__sim/faults", &[("content-type", "text/plain"), ("origin", "http://evil.test")], RULE).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = send(&app, "POST", "/__sim/faults", &[("content-type", "text/plain")], RULE).await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let a = send(&app, "POST", "/__sim/faults", &[], RULE).await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "no content type either");
    let a = send(&app, "POST", "/__sim/faults", &[("content-type", "application/json"), ("origin", "null")], RULE).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(faults(&app).await, 0, "nothing was added");
    let a = send(&app, "DELETE", "/__sim/requests", &[("origin", "http://127.0.0.1.evil.test")], "").await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);

    let a = send(&app, "POST", "/__sim/faults", &[("content-type", "application/json; charset=utf-8")], RULE).await;
    assert_eq!(a.status, StatusCode::OK);
    let a = send(&app, "POST", "/__sim/faults", &[("content-type", "application/json"), ("origin", "http://localhost:8080")], RULE).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(faults(&app).await, 2);
    assert_eq!(send(&app, "DELETE", "/__sim/faults", &[("origin", "http://127.0.0.1:3000")], "").await.status, StatusCode::NO_CONTENT);

    // Browsers' own report types are taken on the report endpoint, from this machine.
    let report = r#"{"csp-report":{"violated-directive":"script-src"}}"#;
    let ok =
        send(&app, "POST", "/__sim/csp-reports", &[("content-type", "application/csp-report"), ("origin", "http://127.0.0.1:9")], report)
            .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT);
    let bad =
        send(&app, "POST", "/__sim/csp-reports", &[("content-type", "application/csp-report"), ("origin", "https://evil.test")], report)
            .await;
    assert_eq!(bad.status, StatusCode::FORBIDDEN, "a page elsewhere pointing its report-uri here");
    assert_eq!(
        send(&app, "POST", "/__sim/csp-reports", &[("content-type", "text/plain")], report).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        send(&app, "POST", "/__sim/faults", &[("content-type", "application/csp-report")], RULE).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
}

#[tokio::test]
async fn fault_rules_and_csp_reports_are_bounded_oldest_first() {
    let app = app(opts());
    let json_h = [("content-type", "application/json")];
    let rules: Vec<_> = (0..1_100).map(|i| json!({"kind": "latency", "ms": 0, "query_contains": format!("rule{i}")})).collect();
    let a = send(&app, "POST", "/__sim/faults", &json_h, &serde_json::to_string(&rules).unwrap()).await;
    assert_eq!(a.json["rules"], 1_000);
    for i in 0..1_050 {
        send(&app, "POST", "/__sim/csp-reports", &json_h, &json!({"n": i}).to_string()).await;
    }
    let reports = send(&app, "GET", "/__sim/csp-reports", &[], "").await.json["reports"].as_array().unwrap().clone();
    assert_eq!(reports.len(), 1_000);
    assert_eq!((reports[0]["n"].as_u64(), reports[999]["n"].as_u64()), (Some(50), Some(1_049)), "the newest kept");
}

#[tokio::test]
async fn overflowing_values_are_answered_never_panicked_on() {
    let app = app(Options { runs: 50, rate_limit: None, log_overrides: vec![(5, 30)], ..Options::default() });
    let huge =
        ["-9223372036854775808", "9223372036854775807", "-1", "18446744073709551615", "99999999999999999999999", "1e400", "NaN", "-0"];
    for v in huge {
        for q in [
            format!("filter[started_on]={v}"),
            format!("filter[started_after]={v}"),
            format!("filter[started_before]={v}"),
            format!("page={v}&per_page={v}"),
            format!("filter[user_id]={v}&filter[status]={v}&filter[search]={v}"),
        ] {
            for path in ["/api/v1/flow-runs", "/api/v1/flow-runs/5", &format!("/api/v1/flow-runs/{v}"), "/api/v1/flow-runs/5/flow-run-logs"]
            {
                let a = get(&app, &format!("{path}?{q}")).await;
                assert!([200, 400, 404, 422].contains(&a.status.as_u16()), "{path}?{q}: {} {}", a.status, a.text);
                assert!(a.json["message"].is_string() || a.json["data"].is_array() || a.json["data"].is_object(), "{path}?{q}");
            }
        }
        let a = get(&app, &format!("/api/v1/flow-runs/5/flow-run-logs/{v}?filter[flow_step_id]={v}")).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{v}");
    }
    let a = get(&app, "/api/v1/flow-runs?filter[started_on]=-9223372036854775808").await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(a.json["errors"]["filter.started_on"][0], "The filter.started on field must be at least 0.");
}

#[tokio::test]
async fn the_strict_csp_says_who_may_frame_the_app() {
    let csp = |a: &common::Answer| a.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let default = get(&app(Options { csp: true, ..opts() }), "/").await;
    assert!(csp(&default).contains("; frame-ancestors 'self'; "), "{}", csp(&default));
    let host =
        get(&app(Options { csp: true, frame_ancestors: "'self' http://127.0.0.1:9000".into(), ..opts() }), "/api/v1/flow-runs").await;
    assert!(csp(&host).contains("frame-ancestors 'self' http://127.0.0.1:9000;"));
    assert!(csp(&get(&app(opts()), "/").await).is_empty(), "no policy without --csp");
}
