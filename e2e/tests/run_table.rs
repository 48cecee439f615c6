//! The run table: filters in the URL and in the API query, history, sorting, live refresh.

use e2e::{is_table_call, Browser, Sim, WAIT};
use fantoccini::Locator;
use std::time::Duration;

/// The query of the newest call for the table's page, once it contains `needle`.
async fn wait_for_query(b: &Browser, sim: &Sim, needle: &str) -> String {
    b.wait_until(&format!("a run-list call has {needle}"), WAIT, async || {
        let calls = sim.api_requests().await;
        match calls.iter().rev().find(|c| is_table_call(c)).and_then(|c| c["query"].as_str()) {
            Some(q) if q.contains(needle) => Ok(q.to_string()),
            other => Err(format!("the newest is {other:?}")),
        }
    })
    .await
}

#[tokio::test]
async fn filters_live_in_the_url_reach_the_api_and_survive_reload_and_back() {
    let sim = Sim::start(&["--runs", "600", "--seed", "9", "--days", "5"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs")).await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;

    b.client.find(Locator::Css("button[data-status='3']")).await.unwrap().click().await.unwrap();
    b.wait_for_path("status=3").await;
    wait_for_query(&b, &sim, "filter%5Bstatus%5D=3&").await;
    b.wait_for_text(".chips", "Status: Failure").await;

    b.client.find(Locator::Css("#run-search")).await.unwrap().send_keys("orders").await.unwrap();
    b.wait_for_path("q=orders").await;
    let q = wait_for_query(&b, &sim, "filter%5Bsearch%5D=orders").await;
    assert!(q.contains("filter%5Bstatus%5D=3"), "{q}");

    b.client.find(Locator::Css("select[name='range']")).await.unwrap().select_by_value("24h").await.unwrap();
    let path = b.wait_for_path("range=24h").await;
    assert_eq!(path, "/runs?status=3&range=24h&q=orders");
    let q = wait_for_query(&b, &sim, "filter%5Bstarted_after%5D=").await;
    let after: i64 = q.split("filter%5Bstarted_after%5D=").nth(1).unwrap().split('&').next().unwrap().parse().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    assert!((now - 86_400_000 - after).abs() < 120_000, "the last 24 hours: {after} vs {now}");
    b.wait_for("table.runs:not(.skeleton) tbody tr, .empty-state").await;

    // Every row shown matches.
    for badge in b.client.find_all(Locator::Css("table.runs tbody td.col-status .badge")).await.unwrap() {
        assert!(badge.text().await.unwrap().ends_with("Failure"));
    }

    b.client.refresh().await.unwrap();
    b.wait_for_text(".chips", "Search: orders").await;
    assert_eq!(b.text(".chips").await.matches('×').count(), 3, "status, range, search");

    // Back undoes the range (a discrete choice); typing replaced its own entry.
    b.client.back().await.unwrap();
    let path = b.wait_for_path("q=orders").await;
    assert_eq!(path, "/runs?status=3&q=orders");
    b.wait_for_text(".chips", "Search: orders").await;
    b.client.back().await.unwrap();
    assert_eq!(b.wait_for_path("status=3").await, "/runs?status=3");

    b.client.find(Locator::Css(".chip.clear-all")).await.unwrap().click().await.unwrap();
    b.wait_until("the URL is /runs", WAIT, async || {
        let p = b.path().await;
        (p == "/runs").then_some(()).ok_or(p)
    })
    .await;
    b.close().await;
}

#[tokio::test]
async fn sorting_paging_and_page_size() {
    let sim = Sim::start(&["--runs", "300", "--days", "5"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs")).await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    b.client.find(Locator::Css("#sort-started")).await.unwrap().click().await.unwrap();
    b.wait_for_path("sort=oldest").await;
    wait_for_query(&b, &sim, "sort=started_at&").await;
    b.wait_for_text("table.runs tbody tr td.col-id", "#1").await;

    b.client.find(Locator::Css("select[name='per_page']")).await.unwrap().select_by_value("10").await.unwrap();
    b.wait_for_path("per_page=10").await;
    wait_for_query(&b, &sim, "per_page=10").await;
    b.client.find(Locator::Css("a[aria-label='Next page']")).await.unwrap().click().await.unwrap();
    assert_eq!(b.wait_for_path("page=2").await, "/runs?sort=oldest&page=2&per_page=10");
    b.wait_for_text("table.runs tbody tr td.col-id", "#11").await;
    assert_eq!(b.count("table.runs tbody tr[data-run-id]").await, 10);
    b.close().await;
}

#[tokio::test]
async fn live_refresh_picks_up_a_run_that_stops() {
    let sim = Sim::start(&["--runs", "400", "--days", "1", "--seed", "4", "--config-json", r#"{"refreshSeconds": 5}"#]).await;
    let running =
        sim.api("GET", "/api/v1/flow-runs?filter%5Bstatus%5D=1&per_page=1").await["data"][0]["id"].as_u64().expect("a running run");
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url(&format!("/runs?q={running}&range=all"))).await;
    b.wait_for_text("table.runs tbody td.col-status", "Running").await;
    b.wait_for_text(".updated", "live").await;

    b.client.execute("document.querySelector('table.runs tbody tr[data-run-id]').focus();", vec![]).await.unwrap();
    let stopped = sim.api("POST", &format!("/api/v1/flow-runs/{running}/stop")).await;
    assert_eq!(stopped["data"]["status"], 4, "{stopped}");
    // Within two refresh periods the table shows it, without a reload.
    b.wait_until("the table shows the run stopped", Duration::from_secs(12), async || {
        let t = b.text("table.runs tbody td.col-status").await;
        t.contains("Stopped").then_some(()).ok_or(t)
    })
    .await;
    // The refresh puts keyboard focus back on the row (in the frame after it redraws).
    b.wait_until("the refresh kept keyboard focus on the row", WAIT, async || {
        let focused = b.js("return document.activeElement && document.activeElement.getAttribute('data-run-id');").await;
        (focused == serde_json::json!(running.to_string())).then_some(()).ok_or(focused.to_string())
    })
    .await;
    let calls = sim.table_requests().await;
    let refreshes = calls.iter().filter(|c| c["query"].as_str().unwrap_or("").contains(&format!("search%5D={running}"))).count();
    assert!((2..=4).contains(&refreshes), "one load and one or two refreshes, not a flood: {calls:?}");
    b.close().await;
}

/// Opens the saved-views panel without a click, which the chart's layout changes above it
/// could send elsewhere.
async fn open_saved_views(b: &Browser) {
    b.wait_for(".saved-views summary").await;
    b.client.execute("document.querySelector('.saved-views').open = true;", vec![]).await.unwrap();
}

#[tokio::test]
async fn saved_views_are_kept_opened_renamed_and_deleted() {
    let sim = Sim::start(&["--runs", "200", "--days", "5"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs?status=3&range=24h&page=2")).await;
    open_saved_views(&b).await;
    b.client.find(Locator::Css("input[name='view-name']")).await.unwrap().send_keys("Failures today").await.unwrap();
    b.client.find(Locator::Css(".save-view button")).await.unwrap().click().await.unwrap();
    b.wait_for_text(".saved-views", "Saved \"Failures today\"").await;

    b.goto(&sim.url("/runs")).await;
    open_saved_views(&b).await;
    b.client.find(Locator::LinkText("Failures today")).await.unwrap().click().await.unwrap();
    assert_eq!(b.wait_for_path("status=3").await, "/runs?status=3&range=24h", "saved without its page");

    open_saved_views(&b).await;
    b.client.find(Locator::Css(".view-list button[title='Rename']")).await.unwrap().click().await.unwrap();
    let input = b.wait_for(".view-list input").await;
    input.clear().await.unwrap();
    input.send_keys("Recent failures").await.unwrap();
    b.client.find(Locator::Css(".view-list form button")).await.unwrap().click().await.unwrap();
    b.wait_for_text(".view-list", "Recent failures").await;
    b.client.refresh().await.unwrap();
    b.wait_for_text(".saved-views summary", "Saved views (1)").await;
    open_saved_views(&b).await;
    b.client.find(Locator::Css(".view-list button[title='Delete']")).await.unwrap().click().await.unwrap();
    b.wait_for_text(".saved-views summary", "Saved views (0)").await;
    b.close().await;
}

fn count_calls(calls: &[serde_json::Value]) -> usize {
    calls.iter().filter(|c| c["path"] == "/api/v1/flow-runs" && c["query"].as_str().is_some_and(|q| q.ends_with("per_page=1"))).count()
}

#[tokio::test]
async fn the_status_chart_costs_at_most_24_requests_and_narrows_the_filter() {
    let sim = Sim::start(&["--runs", "600", "--days", "5", "--seed", "2"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs")).await;
    b.wait_for("svg.status-chart rect.seg-failure").await;
    let counted = count_calls(&sim.api_requests().await);
    assert!(counted > 0 && counted <= 24, "{counted} count requests");

    // Paging and sorting do not count again.
    b.client.find(Locator::Css("a[aria-label='Next page']")).await.unwrap().click().await.unwrap();
    b.wait_for_path("page=2").await;
    wait_for_query(&b, &sim, "page=2&").await;
    assert_eq!(count_calls(&sim.api_requests().await), counted);

    b.client.find(Locator::Css("svg.status-chart rect.seg-failure")).await.unwrap().click().await.unwrap();
    let path = b.wait_for_path("status=3").await;
    assert!(path.starts_with("/runs?status=3&from=") && path.contains("&to="), "{path}");
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    for badge in b.client.find_all(Locator::Css("table.runs tbody td.col-status .badge")).await.unwrap() {
        assert!(badge.text().await.unwrap().ends_with("Failure"));
    }

    // Collapsed, the chart spends nothing, also after a reload. (Once the narrowed chart is
    // drawn, none of its counts is in flight; a chart that counted after the reload would
    // start with the table's first page, and the second page's answer comes after that.)
    b.wait_for("svg.status-chart").await;
    b.client.find(Locator::Css(".chart-toggle")).await.unwrap().click().await.unwrap();
    let before = count_calls(&sim.api_requests().await);
    b.goto(&sim.url("/runs?range=30d")).await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    b.client.find(Locator::Css("a[aria-label='Next page']")).await.unwrap().click().await.unwrap();
    wait_for_query(&b, &sim, "page=2&").await;
    b.wait_for_text(".page-link.current", "2").await;
    assert_eq!(count_calls(&sim.api_requests().await), before, "no count while collapsed");
    assert_eq!(b.count("svg.status-chart").await, 0);
    b.close().await;
}

#[tokio::test]
async fn a_page_past_the_last_says_so_and_leads_back() {
    // A bookmark of page 40 of 25 runs a page, after the data shrank to 60 runs (3 pages).
    let sim = Sim::start(&["--runs", "60", "--days", "5", "--seed", "3", "--frozen"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs?page=40&per_page=25")).await;
    b.wait_for_text(".past-last", "Page 40 is past the last page").await;
    let link = b.wait_for("#to-last-page").await;
    assert_eq!(link.text().await.unwrap(), "Go to page 3");
    link.click().await.unwrap();
    b.wait_for_path("page=3").await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    assert_eq!(b.count(".past-last").await, 0);
    b.close().await;
}
