//! The built app under the strict Content-Security-Policy the README recommends: no inline
//! script or style, no eval but WebAssembly's, requests only to the API's origin.

use e2e::{Browser, Sim};
use serde_json::Value;
use std::time::Duration;

async fn reports(sim: &Sim) -> Vec<Value> {
    let v: Value = serde_json::from_str(&sim.get("/__sim/csp-reports").await).expect("reports are JSON");
    v["reports"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn every_view_works_under_the_strict_csp_without_violations() {
    let sim = Sim::start(&["--runs", "80", "--seed", "2", "--frozen", "--csp", "--huge-run", "3=300"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs")).await;
    b.wait_for("table.runs tbody tr").await;
    b.wait_for(".status-chart").await;
    b.goto(&sim.url("/runs/3")).await;
    b.wait_for("dl.summary").await;
    b.goto(&sim.url("/runs/3/logs?q=record&log=3000002")).await;
    b.wait_for(".log-row.match").await;
    b.wait_for(".log-detail .json-tree").await;
    b.wait_for("#load-all").await.click().await.unwrap();
    b.wait_for_text("#loaded-all", "300").await;
    b.goto(&sim.url("/settings")).await;
    b.wait_for("#api-base").await;
    // Reports are sent asynchronously; give them time to arrive.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let found = reports(&sim).await;
    assert!(found.is_empty(), "CSP violations: {found:#?}");

    // The control: an inline script is blocked and reported, so an empty list means something.
    b.client
        .execute("const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; document.body.appendChild(s); return window.__ran || 0;", vec![])
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while reports(&sim).await.is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "the browser reported no violation for an inline script");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ran = b.client.execute("return window.__ran || 0", vec![]).await.unwrap();
    assert_eq!(ran, serde_json::json!(0), "the inline script did not run");
    b.close().await;
}
