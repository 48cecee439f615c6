//! Iframe embedding: minimal chrome, same URL filters, read-only, links to the full app in a
//! new tab, navigation that stays embedded, and the content height posted to the host.

use e2e::{Browser, Sim, WAIT};
use fantoccini::Locator;
use serde_json::json;
use std::path::PathBuf;

const HOST: &str = r#"<!doctype html>
<html><head><title>Host page</title></head>
<body>
<h1 id="host-title">Operations dashboard</h1>
<iframe id="frame" src="/embed/runs?status=3&amp;per_page=10" style="width: 1000px; height: 150px; border: 0"></iframe>
<script>
  window.__heights = [];
  addEventListener('message', (e) => {
    if (e.data && e.data.type === 'flow-run-console:height') {
      window.__heights.push(e.data);
      document.getElementById('frame').style.height = e.data.height + 'px';
    }
  });
</script>
</body></html>"#;

fn host_dist() -> PathBuf {
    let dst = e2e::copy_of_dist("embed");
    std::fs::write(dst.join("host.html"), HOST).unwrap();
    dst
}

async fn heights(b: &Browser) -> Vec<serde_json::Value> {
    b.client.execute("return window.__heights || []", vec![]).await.unwrap().as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn an_iframe_embed_reports_its_height_and_stays_embedded() {
    let dist = host_dist();
    let sim = Sim::start(&["--runs", "200", "--days", "3", "--seed", "6", "--frozen", "--dist", dist.to_str().unwrap()]).await;
    // The height goes only to a parent the deployment names (the host page is on the sim's
    // origin). Newer than its precompressed copies, so that this file is what is served.
    let config = dist.join("config.json");
    std::fs::write(&config, json!({ "embedParentOrigin": sim.base }).to_string()).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(10);
    std::fs::File::options().write(true).open(&config).and_then(|f| f.set_modified(later)).unwrap();
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/host.html")).await;
    b.wait_for("#host-title").await;
    // The frame reports its height once its table is there; the host sizes the frame with it.
    let last = b
        .wait_until("a height over 300 px is posted", WAIT, async || {
            let h = heights(&b).await;
            match h.last() {
                Some(m) if m["height"].as_i64().unwrap_or(0) > 300 => Ok(m.clone()),
                _ => Err(format!("{h:?}")),
            }
        })
        .await;
    assert_eq!(last["path"], json!("/embed/runs?status=3&per_page=10"));
    b.client.enter_frame(0).await.unwrap();
    b.wait_for("table.runs tbody tr").await;
    assert_eq!(b.count("header.app-header").await, 0, "no app header in an embed");
    assert_eq!(b.count(".saved-views").await, 0);
    let rows = b.count("table.runs tbody tr").await;
    assert!((1..=10).contains(&rows), "{rows} rows");
    let badges: Vec<String> = b
        .client
        .execute("return [...document.querySelectorAll('table.runs tbody .badge')].map(e => e.textContent)", vec![])
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect();
    assert!(!badges.is_empty() && badges.iter().all(|t| t.contains("Failure")), "the URL's filter applies: {badges:?}");
    let open = b.wait_for(".embed-bar a.open-full").await;
    assert_eq!(open.attr("target").await.unwrap().as_deref(), Some("_blank"));
    assert_eq!(open.attr("href").await.unwrap(), Some(sim.url("/runs?status=3&per_page=10")));
    // The reported height is the content's.
    let body = b.client.execute("return document.body.offsetHeight", vec![]).await.unwrap();
    b.client.enter_parent_frame().await.unwrap();
    b.wait_until("the last posted height is the content's", WAIT, async || {
        let h = heights(&b).await;
        h.last().is_some_and(|m| m["height"] == body).then_some(()).ok_or(format!("{body} px of content, posted {h:?}"))
    })
    .await;

    // A run opened inside the frame stays embedded and read-only.
    b.client.enter_frame(0).await.unwrap();
    let link = b.wait_for("table.runs tbody td.col-id a").await;
    assert!(link.attr("href").await.unwrap().unwrap().starts_with("/embed/runs/"));
    link.click().await.unwrap();
    b.wait_for("dl.summary").await;
    // (WebDriver's current URL is the top page's; the frame's own location tells.)
    let frame_path = b.client.execute("return location.pathname", vec![]).await.unwrap();
    assert!(frame_path.as_str().unwrap_or("").starts_with("/embed/runs/"), "{frame_path}");
    assert_eq!(b.count(".action-retry").await + b.count(".action-stop").await, 0, "embeds are read-only");
    b.client.enter_parent_frame().await.unwrap();
    assert_eq!(b.path().await, "/host.html", "the host page did not move");
    assert!(b.client.find(Locator::Css("#host-title")).await.is_ok());
    b.close().await;
    let _ = std::fs::remove_dir_all(dist);
}

#[tokio::test]
async fn an_embedded_log_view_offers_no_file_page() {
    // The embed routes have no /logs/file page: neither its link nor a drop may lead there.
    let sim = Sim::start(&["--runs", "50", "--days", "3", "--seed", "6", "--frozen"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs/3/logs")).await;
    b.wait_for(".log-row").await;
    assert_eq!(b.count("#open-file").await, 1, "the full app links to the file page (the control)");
    b.goto(&sim.url("/embed/runs/3/logs")).await;
    b.wait_for(".log-row").await;
    assert_eq!(b.count("#open-file").await, 0, "no link to a page the embed routes do not have");
    b.close().await;
}
