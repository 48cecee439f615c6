//! The simulator over HTTP, in process (no socket): auth, shapes, filters, errors.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use flow_run_sim::{router, Options, Sim};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

const NOW: i64 = 1_800_000_000_000;

fn app(dist: Option<std::path::PathBuf>) -> axum::Router {
    router(Sim::new(Options { runs: 1000, seed: 3, now_ms: NOW, frozen: true, dist, ..Options::default() }))
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

    // Extreme values are answered, not crashed on.
    for q in [
        "filter[started_on]=253402300799999",
        "filter[started_after]=253402300799999",
        "page=18446744073709551615",
        "filter[started_before]=0",
    ] {
        let (s, v, _) = call(&app, "GET", &format!("/api/v1/flow-runs?{q}"), Some("demo-key"), None).await;
        assert_eq!(s, StatusCode::OK, "{q}");
        assert_eq!(v["data"].as_array().map(Vec::len), Some(0), "{q}");
    }

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

fn app_with(opts: Options) -> axum::Router {
    router(Sim::new(Options { now_ms: NOW, frozen: true, ..opts }))
}

/// The first run (newest first) with this status code.
async fn find_status(app: &axum::Router, status: u8) -> u64 {
    let (_, v, _) = call(app, "GET", &format!("/api/v1/flow-runs?filter[status]={status}&per_page=1"), Some("demo-key"), None).await;
    v["data"][0]["id"].as_u64().unwrap_or_else(|| panic!("a run with status {status}"))
}

#[tokio::test]
async fn logs_page_filter_sort_and_include() {
    let app = app_with(Options { runs: 50, seed: 4, log_overrides: vec![(10, 1234)], ..Options::default() });
    let (s, v, _) = call(&app, "GET", "/api/v1/flow-runs/10/flow-run-logs?per_page=100&page=2&include=flowStep,flowRunLogMetadata&fields[flowStep]=id,name&load_payload_ids=true&sort=id", Some("demo-key"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["meta"]["total"], 1234);
    assert_eq!(v["meta"]["last_page"], 13);
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 100);
    assert_eq!(data[0]["id"], 10_000_101);
    assert!(data[0]["flow_step"]["name"].is_string() && data[0]["flow_step"].get("payloads").is_none());
    assert!(data[0]["flow_run_log_metadata"]["context"].is_object());
    assert!(data[0]["payload_ids"].is_string());
    assert!(["DEBUG", "INFO", "WARNING", "ERROR", "FATAL"].contains(&data[0]["log_level"].as_str().unwrap()));

    let step = data[0]["flow_step_id"].as_u64().unwrap();
    let (_, v, _) = call(
        &app,
        "GET",
        &format!("/api/v1/flow-runs/10/flow-run-logs?filter[flow_step_id]={step}&per_page=100&sort=-id"),
        Some("demo-key"),
        None,
    )
    .await;
    let rows = v["data"].as_array().unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|r| r["flow_step_id"] == step));
    let ids: Vec<u64> = rows.iter().map(|r| r["id"].as_u64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "descending");

    let (s, v, _) = call(&app, "GET", "/api/v1/flow-runs/10/flow-run-logs/10000101?include=flowStep", Some("demo-key"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["data"]["id"], 10_000_101);
    for bad in [
        "/api/v1/flow-runs/10/flow-run-logs/10001235",
        "/api/v1/flow-runs/11/flow-run-logs/10000101",
        "/api/v1/flow-runs/999/flow-run-logs",
    ] {
        assert_eq!(call(&app, "GET", bad, Some("demo-key"), None).await.0, StatusCode::NOT_FOUND, "{bad}");
    }
    let (s, v, _) = call(&app, "GET", "/api/v1/flow-runs/10/flow-run-logs?filter[log_level]=ERROR", Some("demo-key"), None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["message"].as_str().unwrap().contains("Allowed filter(s) are `flow_step_id`"));
}

#[tokio::test]
async fn a_huge_log_pages_quickly() {
    let app = app_with(Options { runs: 20, log_overrides: vec![(3, 200_000)], ..Options::default() });
    let t = std::time::Instant::now();
    let (_, v, _) = call(&app, "GET", "/api/v1/flow-runs/3/flow-run-logs?per_page=100&page=2000", Some("demo-key"), None).await;
    assert_eq!(v["meta"]["total"], 200_000);
    assert_eq!(v["data"].as_array().unwrap().len(), 100);
    assert_eq!(v["data"][99]["id"], 3_200_000);
    assert!(t.elapsed().as_secs() < 2, "{:?}", t.elapsed());
}

#[tokio::test]
async fn retry_and_stop_follow_the_rules() {
    let app = app_with(Options { runs: 2000, seed: 8, days: 1, ..Options::default() });
    let failed = find_status(&app, 3).await;
    let succeeded = find_status(&app, 2).await;
    let running = find_status(&app, 1).await;

    let (s, v, _) = call(&app, "POST", &format!("/api/v1/flow-runs/{succeeded}/retry"), Some("demo-key"), None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["errors"]["flow_run"][0].is_string());
    assert_eq!(
        call(&app, "POST", &format!("/api/v1/flow-runs/{running}/retry"), Some("demo-key"), None).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let (s, v, _) = call(&app, "POST", &format!("/api/v1/flow-runs/{failed}/retry"), Some("demo-key"), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let new_id = v["data"]["id"].as_u64().unwrap();
    assert_eq!(new_id, 2001);
    assert_eq!(v["data"]["trigger"], "Retry");
    assert_eq!(v["data"]["retry_flow_run_id"], failed);
    let (_, v, _) = call(&app, "GET", &format!("/api/v1/flow-runs/{failed}?include=retriedFlowRun"), Some("demo-key"), None).await;
    assert!(v["data"]["retried_flow_run"].as_array().unwrap().iter().any(|r| r["id"] == new_id));
    let (_, v, _) = call(&app, "GET", "/api/v1/flow-runs?per_page=1", Some("demo-key"), None).await;
    assert_eq!(v["data"][0]["id"], new_id, "the retry is the newest run");
    assert_eq!(v["meta"]["total"], 2001);

    assert_eq!(
        call(&app, "POST", &format!("/api/v1/flow-runs/{succeeded}/stop"), Some("demo-key"), None).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (s, v, _) = call(&app, "POST", &format!("/api/v1/flow-runs/{running}/stop"), Some("demo-key"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["data"]["status"], 4);
    let (_, v, _) = call(&app, "GET", &format!("/api/v1/flow-runs/{running}"), Some("demo-key"), None).await;
    assert_eq!(v["data"]["status"], 4);
    assert!(v["data"]["finished_at"].is_string());
    assert_eq!(
        call(&app, "POST", &format!("/api/v1/flow-runs/{running}/stop"), Some("demo-key"), None).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let (s, v, _) = call(&app, "GET", &format!("/api/v1/flow-runs/{failed}/download"), Some("demo-key"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["message"].as_str().unwrap().contains("File Downloads"));
    assert_eq!(call(&app, "POST", "/api/v1/flow-runs/999999/retry", Some("demo-key"), None).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn runs_progress_while_the_clock_runs() {
    let sim = Sim::new(Options { runs: 3000, seed: 8, days: 1, now_ms: NOW, ..Options::default() });
    let app = router(sim.clone());
    let running = find_status(&app, 1).await;
    let first = sim.now();
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    assert!(sim.now() >= first + 30, "the clock advances");
    let (_, v, _) = call(&app, "GET", &format!("/api/v1/flow-runs/{running}"), Some("demo-key"), None).await;
    assert_eq!(v["data"]["status"], 1);
}

#[tokio::test]
async fn faults_are_injected_and_cleared() {
    let app = app(None);
    let add = |rules: &'static str| {
        let app = app.clone();
        async move {
            let req = Request::builder()
                .method("POST")
                .uri("/__sim/faults")
                .header("content-type", "application/json")
                .body(Body::from(rules))
                .unwrap();
            assert_eq!(app.oneshot(req).await.unwrap().status(), StatusCode::OK);
        }
    };
    add(r#"{"kind":"rate_limit","retry_after":7,"times":1}"#).await;
    let resp = app
        .clone()
        .oneshot(Request::builder().uri("/api/v1/flow-runs").header("authorization", "demo-key").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["retry-after"], "7");
    assert_eq!(call(&app, "GET", "/api/v1/flow-runs", Some("demo-key"), None).await.0, StatusCode::OK, "times: 1");

    add(r#"{"kind":"status","status":503,"path_suffix":"/retry"}"#).await;
    assert_eq!(call(&app, "POST", "/api/v1/flow-runs/1/retry", Some("demo-key"), None).await.0, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(call(&app, "GET", "/api/v1/flow-runs/1", Some("demo-key"), None).await.0, StatusCode::OK);

    add(r#"[{"kind":"truncated","times":1},{"kind":"malformed","times":1,"path_prefix":"/api/v1/flow-runs/2"}]"#).await;
    let (s, v, text) = call(&app, "GET", "/api/v1/flow-runs/1", Some("demo-key"), None).await;
    assert_eq!((s, v), (StatusCode::OK, Value::Null), "truncated: {text}");
    assert!(!text.is_empty());
    let (_, v, text) = call(&app, "GET", "/api/v1/flow-runs/2", Some("demo-key"), None).await;
    assert_eq!(v, Value::Null, "malformed: {text}");

    add(r#"{"kind":"content_type","times":1}"#).await;
    let resp = app
        .clone()
        .oneshot(Request::builder().uri("/api/v1/flow-runs/1").header("authorization", "demo-key").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/html"));

    add(r#"{"kind":"drop","times":1}"#).await;
    let resp = app
        .clone()
        .oneshot(Request::builder().uri("/api/v1/flow-runs/1").header("authorization", "demo-key").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert!(resp.into_body().collect().await.is_err(), "the body fails, so the connection is dropped");

    let req = Request::builder().method("DELETE").uri("/__sim/faults").body(Body::empty()).unwrap();
    assert_eq!(app.clone().oneshot(req).await.unwrap().status(), StatusCode::NO_CONTENT);
    assert!(!call(&app, "POST", "/api/v1/flow-runs/1/retry", Some("demo-key"), None).await.0.is_server_error());
    let req = Request::builder()
        .method("POST")
        .uri("/__sim/faults")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"kind":"nope"}"#))
        .unwrap();
    assert_eq!(app.oneshot(req).await.unwrap().status(), StatusCode::BAD_REQUEST);
}

/// Every id the list answers for this query, page by page.
async fn all_ids(app: &axum::Router, query: &str) -> Vec<(u64, Value)> {
    let mut out = Vec::new();
    for page in 1.. {
        let (_, v, _) =
            call(app, "GET", &format!("/api/v1/flow-runs?{query}&per_page=100&page={page}&include=retriedFlowRun"), Some("demo-key"), None)
                .await;
        let data = v["data"].as_array().unwrap().clone();
        if data.is_empty() {
            break;
        }
        out.extend(data.into_iter().map(|r| (r["id"].as_u64().unwrap(), r)));
    }
    out
}

#[tokio::test]
async fn cached_filters_agree_with_a_full_scan_before_and_after_actions() {
    let app = app_with(Options { runs: 1500, seed: 21, days: 1, ..Options::default() });
    let check = |label: &'static str| {
        let app = app.clone();
        async move {
            let everything = all_ids(&app, "sort=-started_at").await;
            for (query, keep) in [
                ("filter[status]=1", &(|r: &Value| r["status"] == 1) as &dyn Fn(&Value) -> bool),
                ("filter[status]=3,4", &|r: &Value| r["status"] == 3 || r["status"] == 4),
                ("filter[retried]=1", &|r: &Value| !r["retried_flow_run"].as_array().unwrap().is_empty()),
                ("filter[trigger]=retry&filter[has_warnings]=0", &|r: &Value| r["trigger"] == "Retry" && r["has_warnings"] == false),
            ] {
                let want: Vec<u64> = everything.iter().filter(|(_, r)| keep(r)).map(|(id, _)| *id).collect();
                let got: Vec<u64> = all_ids(&app, query).await.into_iter().map(|(id, _)| id).collect();
                assert!(!want.is_empty(), "{label} {query}: the data has such runs");
                assert_eq!(got, want, "{label} {query}");
            }
        }
    };
    check("before").await;
    let running = find_status(&app, 1).await;
    let failed = find_status(&app, 3).await;
    assert_eq!(call(&app, "POST", &format!("/api/v1/flow-runs/{running}/stop"), Some("demo-key"), None).await.0, StatusCode::OK);
    assert_eq!(call(&app, "POST", &format!("/api/v1/flow-runs/{failed}/retry"), Some("demo-key"), None).await.0, StatusCode::OK);
    check("after").await;
}
