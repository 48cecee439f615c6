//! The rate limit: on by default, 240 a minute per user, Laravel's headers and 429.

mod common;

use axum::http::StatusCode;
use common::{app, get, send};
use flow_run_sim::Options;

fn header(a: &common::Answer, name: &str) -> Option<String> {
    a.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

#[tokio::test]
async fn a_real_rate_limit_is_on_by_default() {
    assert_eq!(Options::default().rate_limit, Some(240));
    let app = app(Options { runs: 50, ..Options::default() });
    for n in 1..=240u32 {
        let a = get(&app, "/api/v1/flow-runs?per_page=1").await;
        assert_eq!(a.status, StatusCode::OK, "request {n}");
        assert_eq!(header(&a, "x-ratelimit-limit").as_deref(), Some("240"));
        assert_eq!(header(&a, "x-ratelimit-remaining"), Some((240 - n).to_string()));
    }
    let a = get(&app, "/api/v1/flow-runs/3").await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(a.json["message"], "Too Many Attempts.");
    let retry: u64 = header(&a, "retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let reset: i64 = header(&a, "x-ratelimit-reset").unwrap().parse().unwrap();
    let now_s = flow_run_sim::server::now_ms() / 1000;
    assert!(reset > now_s && reset <= now_s + 61, "{reset} vs {now_s}");
    assert_eq!(header(&a, "x-ratelimit-remaining").as_deref(), Some("0"));

    // A login token of the same user shares the window.
    let login = send(
        &app,
        "POST",
        "/fabric/api/login",
        &[("content-type", "application/json")],
        r#"{"username":"demo@example.com","password":"demo-password"}"#,
    )
    .await;
    assert_eq!(login.status, StatusCode::OK, "guests have their own window");
    assert!(header(&login, "x-ratelimit-remaining").is_some());
    let bearer = format!("Bearer {}", login.json["token"].as_str().unwrap());
    assert_eq!(send(&app, "GET", "/api/v1/flow-runs", &[("authorization", &bearer)], "").await.status, StatusCode::TOO_MANY_REQUESTS);
    // The simulator's own endpoints are not limited and carry no limit headers.
    let admin = send(&app, "GET", "/__sim/requests?since=239", &[], "").await;
    assert_eq!(admin.status, StatusCode::OK);
    assert!(header(&admin, "x-ratelimit-limit").is_none());
    let logged: Vec<u64> = admin.json["requests"].as_array().unwrap().iter().map(|r| r["status"].as_u64().unwrap()).collect();
    assert_eq!(logged, [200, 429, 200, 429], "refusals are logged");
}

#[tokio::test]
async fn the_limit_can_be_set_or_turned_off() {
    let small = app(Options { runs: 20, rate_limit: Some(3), ..Options::default() });
    let statuses: Vec<u16> = futures_statuses(&small, 4).await;
    assert_eq!(statuses, [200, 200, 200, 429]);
    let off = app(Options { runs: 20, rate_limit: None, ..Options::default() });
    for _ in 0..300 {
        let a = get(&off, "/api/v1/flow-runs/1").await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(header(&a, "x-ratelimit-limit").is_none());
    }
}

async fn futures_statuses(app: &axum::Router, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(get(app, "/api/v1/flow-runs/1").await.status.as_u16());
    }
    out
}
