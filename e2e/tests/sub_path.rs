//! One build hosted under a sub-path, configured at deploy time by its `<base href>` only.

use e2e::{Browser, Sim};
use std::path::PathBuf;

/// A copy of the built app with `<base href>` set to `/tools/runs/`, as the README tells
/// deployers to do.
fn deployed_copy() -> PathBuf {
    let dst = e2e::copy_of_dist("subpath");
    let index = dst.join("index.html");
    let html = std::fs::read_to_string(&index).unwrap();
    assert!(html.contains(r#"<base href="/" />"#), "the built index.html has the base line the README names");
    std::fs::write(&index, html.replace(r#"<base href="/" />"#, r#"<base href="/tools/runs/" />"#)).unwrap();
    dst
}

#[tokio::test]
async fn the_app_works_under_a_sub_path_with_deep_links() {
    let dist = deployed_copy();
    let sim = Sim::start(&[
        "--runs",
        "60",
        "--seed",
        "4",
        "--frozen",
        "--dist",
        dist.to_str().unwrap(),
        "--mount",
        "/tools/runs/",
        "--config-json",
        r#"{"pageSize": 10}"#,
    ])
    .await;
    let b = Browser::start().await;
    b.goto(&sim.url("/tools/runs/settings")).await;
    b.wait_for("#api-base").await;
    b.store_key(e2e::API_KEY).await;
    b.goto(&sim.url("/tools/runs/runs")).await;
    // config.json was read from the sub-path: 10 rows a page.
    b.wait_for("table.runs tbody tr").await;
    assert_eq!(b.count("table.runs tbody tr").await, 10);
    let runs_link = b.wait_for("header nav a").await.attr("href").await.unwrap();
    assert_eq!(runs_link.as_deref(), Some("/tools/runs/runs"));
    // In-app navigation stays under the sub-path.
    let first = b.wait_for("table.runs tbody td.col-id a").await;
    let href = first.attr("href").await.unwrap().unwrap();
    assert!(href.starts_with("/tools/runs/runs/"), "{href}");
    first.click().await.unwrap();
    b.wait_for("dl.summary").await;
    assert_eq!(b.path().await, href);
    b.wait_for("a.button[href$='/logs']").await.click().await.unwrap();
    b.wait_for(".log-row").await;
    assert!(b.path().await.starts_with("/tools/runs/runs/") && b.path().await.contains("/logs"));
    // A deep link loads the app, its assets and its routes from the sub-path.
    let id = href.trim_start_matches("/tools/runs/runs/").to_string();
    b.goto(&sim.url(&format!("/tools/runs/runs/{id}/logs?time=run&q=record"))).await;
    b.wait_for(".log-row").await;
    assert!(b.text(".log-row .log-time").await.starts_with('+'));
    // Back to the table with the header link, and the API was called at the API's base.
    b.wait_for("header nav a").await.click().await.unwrap();
    b.wait_for("table.runs tbody tr").await;
    assert_eq!(b.path().await, "/tools/runs/runs");
    assert!(sim.api_requests().await.iter().all(|c| c["path"].as_str().unwrap_or("").starts_with("/api/")));
    b.close().await;
    let _ = std::fs::remove_dir_all(dist);
}
