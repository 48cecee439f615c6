//! The log viewer against the simulator: paged view and filters, load-all of 200,000
//! entries in a bounded list, search, permalinks, live tail.

use e2e::{holds_for, Browser, Sim, WAIT};
use fantoccini::Locator;
use serde_json::json;
use std::time::Duration;

/// The texts of every element that matches.
async fn texts(b: &Browser, css: &str) -> Vec<String> {
    let v = b
        .client
        .execute("return [...document.querySelectorAll(arguments[0])].map(e => e.textContent)", vec![json!(css)])
        .await
        .expect("texts");
    v.as_array().unwrap().iter().map(|v| v.as_str().unwrap_or("").to_string()).collect()
}

async fn type_into(b: &Browser, css: &str, text: &str) {
    let input = b.wait_for(css).await;
    input.clear().await.unwrap();
    input.send_keys(text).await.unwrap();
}

#[tokio::test]
async fn paged_view_filters_by_step_and_level_and_renders_text_literally() {
    let sim = Sim::start(&["--runs", "60", "--seed", "3", "--frozen", "--huge-run", "5=450"]).await;
    let run = sim.api("GET", "/api/v1/flow-runs/5?include=flowVersion.steps").await;
    let second_step = run["data"]["flow_version"]["steps"][1]["id"].as_u64().expect("a second step");
    let second_name = run["data"]["flow_version"]["steps"][1]["name"].as_str().expect("its name").to_string();
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs/5/logs")).await;
    b.wait_for(".log-row").await;
    b.wait_for_text(".table-foot", "450 entries").await;
    assert!(b.text("#load-all").await.contains("450"));

    // The step filter goes to the server and into the URL.
    b.wait_for(&format!("#log-step option[value='{second_step}']")).await;
    b.client
        .execute(
            "const s = document.getElementById('log-step'); s.value = arguments[0]; s.dispatchEvent(new Event('change'));",
            vec![json!(second_step.to_string())],
        )
        .await
        .unwrap();
    assert!(b.wait_for_path(&format!("step={second_step}")).await.contains(&format!("step={second_step}")));
    b.wait_until("the step filter reaches the API", WAIT, async || {
        sim.api_requests().await.iter().any(|c| {
            let q = c["query"].as_str().unwrap_or("");
            q.contains(&format!("filter%5Bflow_step_id%5D={second_step}")) || q.contains(&format!("filter[flow_step_id]={second_step}"))
        })
    })
    .await;
    b.wait_until("the rows are the second step's", WAIT, async || {
        let steps = texts(&b, ".log-row .log-step").await;
        if !steps.is_empty() && steps.iter().all(|s| s == &second_name || s == &second_step.to_string()) {
            Ok(())
        } else {
            Err(format!("{steps:?}"))
        }
    })
    .await;

    // Level chips filter what is loaded, with counts; the URL keeps them.
    b.goto(&sim.url("/runs/5/logs?per_page=100")).await;
    b.wait_for(".log-row").await;
    let info = b.wait_for(".level-chip.lvl-info").await;
    let chip = info.text().await.unwrap();
    let n: usize = chip.split_whitespace().last().unwrap().replace(',', "").parse().unwrap();
    info.click().await.unwrap();
    b.wait_for(".level-chip.lvl-info.on").await;
    assert!(b.path().await.contains("level=info"));
    b.wait_until("only INFO rows are shown", WAIT, async || {
        let levels = texts(&b, ".log-row .log-level").await;
        (!levels.is_empty() && levels.iter().all(|l| l == "INFO")).then_some(()).ok_or(format!("{levels:?}"))
    })
    .await;
    let page = sim.api("GET", "/api/v1/flow-runs/5/flow-run-logs?per_page=100").await;
    let infos = page["data"].as_array().unwrap().iter().filter(|e| e["log_level"] == "INFO").count();
    assert_eq!(n, infos, "the chip counts the page's INFO entries");

    // HTML-looking messages are text: search finds one, nothing inside the rows is markup.
    b.goto(&sim.url("/runs/5/logs?per_page=100&q=%3Cscript%3E")).await;
    b.wait_for(".log-row.match").await;
    assert_eq!(b.js("return document.querySelectorAll('.log-msg script, .log-msg b, .log-detail script').length").await, json!(0));
    let msg = b.text(".log-row.match .log-msg").await;
    assert!(msg.contains("<script>alert("), "{msg}");
    assert!(b.text(".match-count").await.contains("match 1 of"));
    // Opening an entry shows its metadata as a JSON tree and puts it in the URL.
    b.wait_for(".log-row.match").await.click().await.unwrap();
    b.wait_for(".log-detail .json-tree").await;
    assert!(b.path().await.contains("log="));
    assert!(b.text(".log-detail .log-message").await.contains("<b>not bold</b>"));
    b.close().await;
}

#[tokio::test]
async fn load_all_of_200000_entries_stays_bounded_and_search_and_permalinks_reach_the_end() {
    let sim = Sim::start(&[
        "--runs",
        "40",
        "--seed",
        "5",
        "--frozen",
        "--huge-run",
        "7=200000",
        "--config-json",
        r#"{"requestsPerMinute": 10000}"#,
        // 2,000 pages in a few seconds: an account with a raised limit (the default 240 a
        // minute would take over eight minutes).
        "--rate-limit",
        "20000",
    ])
    .await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    // A permalink to an entry far from page 1: fetched on its own first.
    b.goto(&sim.url("/runs/7/logs?log=7150000")).await;
    b.wait_for_text(".log-detail h2", "Entry #7150000").await;
    b.wait_for_text(".log-detail", "fetched on its own").await;
    assert!(b.text("#load-all").await.contains("200,000"));

    // Load all: the cost comes first.
    b.wait_for("#load-all").await.click().await.unwrap();
    let confirm = b.wait_for_text(".load-confirm", "2,000 requests").await;
    assert!(confirm.contains("about 8 minutes at the API's limit"), "{confirm}");
    // config.json applies on a deep link too (its budget: 10,000 a minute, 75 % for background work).
    assert!(confirm.contains("(7500 background requests a minute)"), "{confirm}");
    b.wait_for("#load-confirm").await.click().await.unwrap();
    b.wait_for("#load-progress").await;
    let mut most_rows = 0;
    b.wait_until("load-all has all 200,000 entries", Duration::from_secs(420), async || {
        most_rows = most_rows.max(b.count(".log-row").await);
        assert!(b.count(".load-stopped").await == 0, "loading stopped: {}", b.text(".load-stopped").await);
        let loaded = b.text("#loaded-all").await;
        loaded.contains("200,000").then_some(()).ok_or(b.text(".load-bar").await)
    })
    .await;
    // The permalinked entry is now in the list, selected and scrolled to.
    b.wait_for(".log-row.selected[data-id='7150000']").await;
    most_rows = most_rows.max(b.count(".log-row").await);
    assert!(most_rows <= 80, "row elements stay bounded by the viewport: {most_rows}");
    let elements = b.js("return document.getElementsByTagName('*').length").await.as_u64().unwrap();
    assert!(elements < 3000, "DOM elements: {elements}");

    // Search covers every loaded entry: a term only entry 199,990 has, near the end.
    type_into(&b, "#log-search", "199990").await;
    b.wait_for_text(".match-count", "match 1 of 1").await;
    b.wait_for(".log-row.current[data-id='7199990']").await;
    let top = b.js("return document.querySelector('.log-scroll').scrollTop").await.as_f64().unwrap();
    assert!(top > 24.0 * 190_000.0, "scrolled near the end: {top}");
    // Only a few hundred requests at a time, never more than 100 entries each.
    let calls = sim.api_requests().await;
    let log_pages = calls.iter().filter(|c| c["path"] == "/api/v1/flow-runs/7/flow-run-logs").count();
    assert!((2000..2010).contains(&log_pages), "one request per page: {log_pages}");
    assert!(calls.iter().all(|c| !c["query"].as_str().unwrap_or("").contains("per_page=1000")));
    assert_eq!(b.count(".log-row.selected").await, 0, "the entry is out of view, its row is gone");
    b.close().await;
}

#[tokio::test]
async fn live_tail_appends_entries_of_a_running_run_and_stops_when_it_ends() {
    let sim = Sim::start(&[
        "--runs",
        "400",
        "--days",
        "1",
        "--seed",
        "9",
        "--live-run",
        "400=14000",
        "--huge-run",
        "400=300",
        "--config-json",
        r#"{"refreshSeconds": 5}"#,
    ])
    .await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs/400/logs")).await;
    b.wait_for(".log-row").await;
    b.wait_for_text(".load-bar .hint", "still running").await;
    b.wait_for("#load-all").await.click().await.unwrap();
    b.wait_for_text("#live-tail", "Following live").await;
    let first: u64 = loaded(&b).await;
    assert!(first < 300, "the run is still writing: {first}");
    // At the bottom, the view follows the new entries.
    b.js("const s = document.querySelector('.log-scroll'); s.scrollTop = s.scrollHeight;").await;
    b.wait_until("the live tail says the run finished", Duration::from_secs(40), async || {
        let t = b.text("#live-tail").await;
        t.contains("finished").then_some(()).ok_or(t)
    })
    .await;
    assert_eq!(loaded(&b).await, 300);
    b.wait_for(".log-row[data-id='400000300']").await;
    // The tail stopped when it saw the run end (the text above): no poll in the next refresh
    // period and a half.
    let polls_then = sim.api_requests().await.len();
    holds_for("no polling after the run ended", Duration::from_millis(7500), async || {
        let now = sim.api_requests().await.len();
        if now == polls_then {
            Ok(())
        } else {
            Err(format!("{} requests since: {:?}", now - polls_then, &sim.api_requests().await[polls_then..]))
        }
    })
    .await;
    assert!(b.client.find(Locator::Css("#load-progress")).await.is_err());
    b.close().await;
}

async fn loaded(b: &Browser) -> u64 {
    let t = b.wait_for_text("#loaded-all", "loaded").await;
    t.split_whitespace().nth(1).unwrap_or("0").replace(',', "").parse().unwrap_or(0)
}

#[tokio::test]
async fn a_log_page_past_the_last_says_so_and_leads_back() {
    let sim = Sim::start(&["--runs", "60", "--seed", "3", "--frozen", "--huge-run", "5=450"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs/5/logs?page=40&per_page=100")).await;
    b.wait_for_text(".past-last", "Page 40 is past the last page of this log").await;
    let link = b.wait_for("#to-last-page").await;
    assert_eq!(link.text().await.unwrap(), "Go to page 5");
    link.click().await.unwrap();
    b.wait_for_path("page=5").await;
    b.wait_for(".log-row").await;
    assert_eq!(b.count(".past-last").await, 0);
    b.close().await;
}
