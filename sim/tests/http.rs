//! The simulator over HTTP, in process (no socket): auth, shapes, filters, errors.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use flow_run_sim::{router, Options, Sim};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

const NOW: i64 = 1_800_000_000_000;

fn app(dist: Option<std::path::PathBuf>) -> axum::Router {
    router(Sim::new(Options { runs: 1000, seed: 3, now_ms: NOW, dist, ..Options::default() }))
}

async fn call(app: &axum::Router, method: &str, uri: &str, auth: Option<&str>, body: Option<Value>) -> (StatusCode, Value, String) {
    let mut req = Request::builder().method(method).uri(uri).header("host", "sim.test");
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let body = body.map_or(Body::empty(), |b| Body::from(b.to_string()));
    let resp = app.clone().oneshot(req.header("content-type", "application/json").body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).to_string();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null), text)
}

#[tokio::test]
async fn api_needs_a_credential() {
    let app = app(None);
    for auth in [None, Some("wrong"), Some("Bearer demo-key"), Some("")] {
        let (s, v, _) = call(&app, "GET", "/api/v1/flow-runs", auth, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert_eq!(v["message"], "Unauthenticated.");
    }
    let (s, _, _) = call(&app, "GET", "/api/v1/flow-runs", Some("demo-key"), None).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn login_gives_a_bearer_token() {
    let app = app(None);
    let (s, v, _) =
        call(&app, "POST", "/fabric/api/login", None, Some(json!({"email": "demo@example.com", "password": "demo-password"}))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["expires_in"], 86_400);
    let token = v["token"].as_str().unwrap().to_string();
    let (s, _, _) = call(&app, "GET", "/api/v1/flow-runs?per_page=1", Some(&format!("Bearer {token}")), None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _, _) = call(&app, "POST", "/fabric/api/login", None, Some(json!({"username": "demo@example.com", "password": "no"}))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v, _) = call(&app, "POST", "/fabric/api/login", None, Some(json!({"username": ""}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["errors"]["password"].is_array());
}

#[tokio::test]
async fn list_is_a_laravel_page_newest_first() {
    let app = app(None);
    let (_, v, _) = call(&app, "GET", "/api/v1/flow-runs?page=2&per_page=10&include=flow,retriedFlowRun", Some("demo-key"), None).await;
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 10);
    assert_eq!(data[0]["id"], 990);
    assert!(data[0]["flow"]["name"].is_string());
    assert!(data[0]["retried_flow_run"].is_array());
    assert_eq!(v["meta"]["total"], 1000);
    assert_eq!(v["meta"]["last_page"], 100);
    assert_eq!(v["meta"]["from"], 11);
    assert_eq!(v["links"]["next"], "http://sim.test/api/v1/flow-runs?per_page=10&include=flow%2CretriedFlowRun&page=3");
    let statuses: Vec<i64> = data.iter().map(|r| r["status"].as_i64().unwrap()).collect();
    assert!(statuses.iter().all(|s| (1..=5).contains(s)));
}

#[tokio::test]
async fn filters_are_applied_and_unknown_ones_rejected() {
    let app = app(None);
    let (_, v, _) = call(&app, "GET", "/api/v1/flow-runs?filter%5Bstatus%5D=3,4&per_page=100", Some("demo-key"), None).await;
    let data = v["data"].as_array().unwrap();
    assert!(!data.is_empty());
    assert!(data.iter().all(|r| r["status"] == 3 || r["status"] == 4));
    let total = v["meta"]["total"].as_u64().unwrap();
    assert!(total < 1000 && total > 50, "{total}");

    let after = NOW - 86_400_000;
    let (_, v, _) =
        call(&app, "GET", &format!("/api/v1/flow-runs?filter[started_after]={after}&sort=started_at&per_page=100"), Some("demo-key"), None)
            .await;
    let data = v["data"].as_array().unwrap();
    assert!(!data.is_empty());
    let ids: Vec<u64> = data.iter().map(|r| r["id"].as_u64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first");

    let (s, v, _) = call(&app, "GET", "/api/v1/flow-runs?filter[colour]=red", Some("demo-key"), None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["message"].as_str().unwrap().starts_with("Requested filter(s) `colour` are not allowed."));
}

#[tokio::test]
async fn one_run_and_missing_ones() {
    let app = app(None);
    let (s, v, _) = call(&app, "GET", "/api/v1/flow-runs/42?include=flow", Some("demo-key"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["data"]["id"], 42);
    for missing in ["/api/v1/flow-runs/0", "/api/v1/flow-runs/1001", "/api/v1/flow-runs/abc", "/api/v1/nothing"] {
        let (s, v, _) = call(&app, "GET", missing, Some("demo-key"), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{missing}");
        assert!(v["message"].is_string());
    }
}

#[tokio::test]
async fn the_request_log_never_holds_the_token() {
    let app = app(None);
    call(&app, "GET", "/api/v1/flow-runs?page=3", Some("demo-key"), None).await;
    call(&app, "GET", "/api/v1/flow-runs", None, None).await;
    let (_, v, text) = call(&app, "GET", "/__sim/requests", None, None).await;
    let reqs = v["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0]["query"], "page=3");
    assert_eq!(reqs[0]["auth"], true);
    assert_eq!(reqs[1]["status"], 401);
    assert!(!text.contains("demo-key"));
    let (s, _, _) = call(&app, "DELETE", "/__sim/requests", None, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, v, _) = call(&app, "GET", "/__sim/requests", None, None).await;
    assert_eq!(v["requests"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn deep_links_fall_back_to_the_app() {
    let dir = std::env::temp_dir().join(format!("frc-sim-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>app</title>").unwrap();
    std::fs::write(dir.join("config.json"), "{}").unwrap();
    let app = app(Some(dir.clone()));
    for path in ["/", "/runs/42", "/runs/42/logs", "/flow-run-logs/7"] {
        let (s, _, text) = call(&app, "GET", path, None, None).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert!(text.contains("<title>app</title>"), "{path}");
    }
    let (_, _, text) = call(&app, "GET", "/config.json", None, None).await;
    assert_eq!(text, "{}");
    let (s, _, _) = call(&app, "GET", "/api/v1/unknown", Some("demo-key"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    std::fs::remove_dir_all(dir).ok();
}
