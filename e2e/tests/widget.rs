//! Script widgets in a host page: two at once with their own filters, one by a data
//! attribute and one by `mount()`; host links and styles untouched; update and unmount.

use e2e::{Browser, Sim, WAIT};
use serde_json::{json, Value};

const HOST: &str = r#"<!doctype html>
<html><head><title>Host page</title>
<style>
  body { font-family: serif; }
  h2 { color: rgb(0, 128, 0); }
  button { background-color: rgb(255, 0, 0); }
  td { padding: 30px; }
  .button { border: 7px solid rgb(0, 0, 255); }
</style></head>
<body>
<h2 id="host-heading">Host dashboard</h2>
<a id="host-link" href="/host2.html">Another host page</a>
<button id="host-button" type="button">Host button</button>
<div id="w1" data-flow-run-console data-view="runs" data-status="3" data-page-size="5" data-credential-type="key" data-token-function="frcToken"></div>
<div id="w2"></div>
<script>
  // The first token the host hands out is refused (expired); the widget asks again.
  window.__tokenCalls = 0;
  window.frcToken = () => Promise.resolve(++window.__tokenCalls === 1 ? 'expired-token' : 'demo-key');
</script>
<script type="module">
  import { mount } from '/widget.js?token=frcToken';
  window.__w2 = await mount(document.getElementById('w2'), { view: 'runs', filters: { status: '2' }, pageSize: 5, credentialType: 'key', token: 'demo-key' });
</script>
</body></html>"#;

async fn js(b: &Browser, script: &str) -> Value {
    b.js(script).await
}

async fn badges(b: &Browser, widget: &str) -> Vec<String> {
    let v = js(b, &format!("return [...document.querySelectorAll('#{widget} table.runs tbody .badge')].map(e => e.textContent)")).await;
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap_or("").to_string()).collect()
}

async fn wait_rows(b: &Browser, widget: &str, n: usize) {
    b.wait_until(&format!("{widget} shows {n} rows"), WAIT, async || {
        let rows = js(b, &format!("return document.querySelectorAll('#{widget} table.runs:not(.skeleton) tbody tr').length")).await;
        (rows.as_u64() == Some(n as u64)).then_some(()).ok_or(format!("{rows} rows"))
    })
    .await;
}

#[tokio::test]
async fn two_widgets_live_in_a_host_page_without_taking_it_over() {
    let dist = e2e::copy_of_dist("widget");
    std::fs::write(dist.join("host.html"), HOST).unwrap();
    std::fs::write(dist.join("host2.html"), "<!doctype html><title>Other</title><h1 id='other'>Another host page</h1>").unwrap();
    let sim = Sim::start(&["--runs", "300", "--days", "3", "--seed", "8", "--frozen", "--dist", dist.to_str().unwrap()]).await;
    let b = Browser::start().await;
    b.goto(&sim.url("/host.html")).await;
    wait_rows(&b, "w1", 5).await;
    wait_rows(&b, "w2", 5).await;
    assert_eq!(js(&b, "return window.__tokenCalls").await, json!(2), "a refused token is asked for again, once");
    let (b1, b2) = (badges(&b, "w1").await, badges(&b, "w2").await);
    assert!(b1.iter().all(|t| t.contains("Failure")), "w1 shows its filter: {b1:?}");
    assert!(b2.iter().all(|t| t.contains("Success")), "w2 shows its own: {b2:?}");
    assert!(b.count("header.app-header").await == 0, "no app chrome in a host page");
    // Two widgets of the same view repeat no element id (each widget prefixes its own).
    let ids = js(&b, "return [...document.querySelectorAll('[id]')].map(e => e.id)").await;
    let ids: Vec<&str> = ids.as_array().expect("ids").iter().filter_map(Value::as_str).collect();
    let unique: std::collections::HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "repeated ids: {ids:?}");
    assert!(ids.contains(&"frc1-run-search") && ids.contains(&"frc2-run-search"), "{ids:?}");

    // Styles: the host's are unchanged, and the host's element styles do not reach in.
    let styles = js(
        &b,
        "const cs = (sel) => getComputedStyle(document.querySelector(sel));
         return [cs('#host-heading').color, cs('#host-button').backgroundColor, cs('body').fontFamily,
                 cs('#w1 table.runs td').paddingTop, cs('#w1 .button, #w1 button').borderTopWidth];",
    )
    .await;
    assert_eq!(styles[0], json!("rgb(0, 128, 0)"));
    assert_eq!(styles[1], json!("rgb(255, 0, 0)"));
    assert_eq!(styles[2], json!("serif"));
    assert_ne!(styles[3], json!("30px"), "the host's td rule does not reach the widget");
    assert_ne!(styles[4], json!("7px"), "the host's .button rule does not reach the widget");

    // "Follow the host": light on this light page; dark inside a dark part of it.
    assert_eq!(js(&b, "return document.querySelector('#w1 .frc-widget').dataset.theme").await, json!("light"));
    let dark = b
        .client
        .execute_async(
            "const done = arguments[0];
             const box = document.createElement('div');
             box.style.cssText = 'background: rgb(17, 17, 17); color: rgb(238, 238, 238)';
             document.body.append(box);
             import('/widget.js?token=frcToken').then(m => m.mount(box, { view: 'runs', pageSize: 1, credentialType: 'key', token: 'demo-key' }))
               .then(w => { const t = box.querySelector('.frc-widget').dataset.theme; w.unmount(); box.remove(); done(t); });",
            vec![],
        )
        .await
        .expect("a widget in a dark box");
    assert_eq!(dark, json!("dark"));

    // A widget's own link changes the widget, not the page; it stays read-only.
    js(&b, "document.querySelector('#w1 table.runs tbody td.col-id a').click()").await;
    b.wait_for("#w1 dl.summary").await;
    assert_eq!(b.path().await, "/host.html");
    assert_eq!(b.count("#w1 .action-retry").await + b.count("#w1 .action-stop").await, 0);
    assert_eq!(b.count("#w2 table.runs tbody tr").await, 5, "the other widget is untouched");

    // update() shows new options; unmount() removes one widget and leaves the other working.
    js(&b, "window.__w2.update({ filters: { status: '3' } })").await;
    b.wait_until("update applies", WAIT, async || {
        let now = badges(&b, "w2").await;
        (now.len() == 5 && now.iter().all(|t| t.contains("Failure"))).then_some(()).ok_or(format!("{now:?}"))
    })
    .await;
    js(&b, "window.__w2.unmount()").await;
    assert_eq!(js(&b, "return document.getElementById('w2').children.length").await, json!(0));
    js(&b, "document.querySelector('#w1 .crumbs a').click()").await;
    wait_rows(&b, "w1", 5).await;
    let first = js(&b, "return document.querySelector('#w1 td.col-id a').textContent").await;
    js(&b, "[...document.querySelectorAll('#w1 .page-link')].find(a => a.textContent.includes('Next')).click()").await;
    b.wait_until("w1's pager moves", WAIT, async || {
        js(&b, "const a = document.querySelector('#w1 table.runs:not(.skeleton) td.col-id a'); return a ? a.textContent : ''").await
            != first
    })
    .await;
    assert_eq!(b.path().await, "/host.html", "paging a widget leaves the host's URL alone");

    // The host's own links navigate as they always did.
    b.client.find(fantoccini::Locator::Css("#host-link")).await.unwrap().click().await.unwrap();
    b.wait_for("#other").await;
    assert_eq!(b.path().await, "/host2.html");
    b.close().await;
    let _ = std::fs::remove_dir_all(dist);
}
