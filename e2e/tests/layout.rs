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

/// The table stays where it is when the first filter's chips appear (and when the last
/// goes): they moved it 33 px down and up again on every such change, and made the browser
/// lay out all its rows again before it could read the answer (#16).
#[tokio::test]
async fn the_first_filter_chip_does_not_move_the_table() {
    let sim = Sim::start(&["--runs", "300", "--days", "5", "--seed", "3"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs")).await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    let top = async || b.js("return document.querySelector('table.runs').getBoundingClientRect().top;").await.as_f64().expect("a position");
    let before = top().await;
    b.wait_for("button.chip-toggle[data-status='3']").await.click().await.expect("the Failure chip");
    b.wait_for_text(".chips", "Status: Failure").await;
    frames(&b, 1).await;
    assert_eq!(top().await, before, "the table moved when the first chip appeared");
    b.wait_for(".chip.clear-all").await.click().await.expect("Clear all");
    b.wait_until("the chips are gone", e2e::WAIT, async || b.count(".chips").await == 0).await;
    frames(&b, 1).await;
    assert_eq!(top().await, before, "the table moved when the last chip went");
    b.close().await;
}
