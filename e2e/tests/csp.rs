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
    b.goto(&sim.url("/compare/2/3")).await;
    b.wait_for("table.compare-steps").await;
    b.goto(&sim.url("/settings")).await;
    b.wait_for("#api-base").await;

    // The controls, last: an inline script and a script from another origin are blocked and
    // reported. Reports go out as violations happen, so once both controls' reports are in,
    // any violation of the views above has been reported too.
    b.client
        .execute(
            "const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; document.body.appendChild(s);
             const t = document.createElement('script'); t.src = 'https://csp-control.invalid/control.js'; document.body.appendChild(t);
             return window.__ran || 0;",
            vec![],
        )
        .await
        .unwrap();
    let blocked = |r: &Value| r["csp-report"]["blocked-uri"].as_str().unwrap_or_default().to_string();
    let found = b
        .wait_until("the controls' violations are reported", Duration::from_secs(10), async || {
            let found = reports(&sim).await;
            // Both controls: their reports may arrive in either order.
            if found.iter().any(|r| blocked(r).contains("csp-control.invalid")) && found.iter().any(|r| blocked(r) == "inline") {
                Ok(found)
            } else {
                Err(format!("{found:?}"))
            }
        })
        .await;
    let mut uris: Vec<String> =
        found.iter().map(blocked).map(|u| if u.contains("csp-control.invalid") { "the other origin".into() } else { u }).collect();
    uris.sort();
    assert_eq!(uris, ["inline", "the other origin"], "CSP violations besides the controls: {found:#?}");
    let ran = b.client.execute("return window.__ran || 0", vec![]).await.unwrap();
    assert_eq!(ran, serde_json::json!(0), "the inline script did not run");
    b.close().await;
}
