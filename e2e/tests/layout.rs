//! Layout stability: nothing on a page moves up or down when its data arrives in parts
//! (table, then chart; log list, then level counts). A jump between the moment a control
//! is seen and the moment it is clicked makes the click land on something else; that is how
//! this was found (a lost click on the Started header while the chart arrived).

use e2e::{Browser, Sim};
use serde_json::Value;

/// Every element the browser reports as shifted vertically (by a pixel or more) since the
/// page started loading, as "class: y before → y after". Elements that appear or disappear
/// are not moves.
async fn vertical_moves(b: &Browser) -> Vec<String> {
    // A buffered observer holds every record so far; `takeRecords` hands them over at once.
    let script = "const out = [];
        const o = new PerformanceObserver(() => {});
        o.observe({ type: 'layout-shift', buffered: true });
        for (const e of o.takeRecords()) {
            for (const s of e.sources) {
                const p = s.previousRect, c = s.currentRect;
                if (p.height > 0 && c.height > 0 && Math.abs(p.y - c.y) >= 1) {
                    const n = s.node;
                    out.push(((n && (n.className || n.nodeName)) || '?') + ': ' + Math.round(p.y) + ' → ' + Math.round(c.y));
                }
            }
        }
        o.disconnect();
        return out;";
    let v = b.client.execute(script, vec![]).await.expect("layout-shift entries");
    match v {
        Value::Array(a) => a.into_iter().map(|s| s.as_str().unwrap_or_default().to_string()).collect(),
        other => panic!("not a list: {other}"),
    }
}

/// Waits until the page has rendered `n` more frames.
async fn frames(b: &Browser, n: u32) {
    b.client
        .execute_async(
            "const [n, done] = arguments; const step = (k) => k === 0 ? done() : requestAnimationFrame(() => step(k - 1)); step(n);",
            vec![serde_json::json!(n)],
        )
        .await
        .expect("frames");
}

#[tokio::test]
async fn pages_do_not_jump_when_their_data_arrives() {
    let sim = Sim::start(&["--runs", "300", "--days", "5", "--seed", "3"]).await;
    let run = sim.api("GET", "/api/v1/flow-runs?filter%5Bstatus%5D=3&per_page=1").await["data"][0]["id"].as_u64().expect("a failed run");
    let b = Browser::start().await;
    b.sign_in(&sim).await;

    // What each page shows once every part has arrived.
    for (path, settled) in [
        ("/runs".to_string(), ["svg.status-chart", "table.runs:not(.skeleton) tbody tr"]),
        (format!("/runs/{run}"), ["svg.waterfall", ".step-table tbody tr"]),
        (format!("/runs/{run}/logs"), [".level-chip", ".log-row"]),
    ] {
        b.goto(&sim.url(&path)).await;
        for part in settled {
            b.wait_for(part).await;
        }
        // Every part is on the page; the browser records shifts when it renders a frame.
        frames(&b, 2).await;
        let moves = vertical_moves(&b).await;
        assert!(moves.is_empty(), "{path}: elements moved while the page loaded: {moves:?}");
    }
    b.close().await;
}
