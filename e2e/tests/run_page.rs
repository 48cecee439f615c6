//! The run page: summary, retry, stop and download against the simulator.

use e2e::{Browser, Sim};
use fantoccini::Locator;

async fn first_with_status(sim: &Sim, status: u8, nth: usize) -> u64 {
    sim.api("GET", &format!("/api/v1/flow-runs?filter%5Bstatus%5D={status}&per_page=10")).await["data"][nth]["id"]
        .as_u64()
        .unwrap_or_else(|| panic!("a run with status {status}"))
}

async fn posts(sim: &Sim, suffix: &str) -> usize {
    sim.api_requests().await.iter().filter(|c| c["method"] == "POST" && c["path"].as_str().unwrap_or("").ends_with(suffix)).count()
}

#[tokio::test]
async fn retry_links_the_new_run_and_a_double_click_sends_one_post() {
    let sim = Sim::start(&["--runs", "400", "--days", "1", "--seed", "4"]).await;
    let failed = first_with_status(&sim, 3, 0).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url(&format!("/runs/{failed}"))).await;
    b.wait_for("dl.summary").await;
    assert_eq!(b.count(".action-stop").await, 0, "no stop for a failed run");
    b.wait_for(".action-retry").await.click().await.unwrap();
    b.wait_for_text(".confirm", "runs again at once").await;
    b.client.execute("const b = document.querySelector('.confirm-yes'); b.click(); b.click();", vec![]).await.unwrap();
    b.wait_for("a.new-run").await;
    // The page reloads the run after the action; read the link once the reloaded run (which
    // names its retry) is on the page.
    b.wait_for_text("dl.summary", "#401").await;
    let link = b.wait_for("a.new-run").await;
    assert_eq!(link.attr("href").await.unwrap().as_deref(), Some("/runs/401"));
    assert_eq!(posts(&sim, "/retry").await, 1, "a double click sends exactly one request");
    link.click().await.unwrap();
    b.wait_for_text("h1", "Run #401").await;
    b.wait_for_text("dl.summary", &format!("#{failed}")).await;
    b.close().await;
}

#[tokio::test]
async fn stop_a_running_run_and_the_422_paths() {
    let sim = Sim::start(&["--runs", "400", "--days", "1", "--seed", "4"]).await;
    let running = first_with_status(&sim, 1, 0).await;
    let other = first_with_status(&sim, 1, 1).await;
    let failed = first_with_status(&sim, 3, 0).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;

    b.goto(&sim.url(&format!("/runs/{running}"))).await;
    b.wait_for(".action-stop").await.click().await.unwrap();
    b.wait_for(".confirm-yes").await.click().await.unwrap();
    b.wait_for_text(".action-done", "stopped").await;
    b.wait_for_text("dl.summary .badge", "Stopped").await;
    assert_eq!(b.count(".action-retry").await, 1, "a stopped run offers retry");

    // The run ends elsewhere while the page still offers Stop: the API's 422 is shown.
    b.goto(&sim.url(&format!("/runs/{other}"))).await;
    b.wait_for(".action-stop").await;
    sim.api("POST", &format!("/api/v1/flow-runs/{other}/stop")).await;
    b.client.find(Locator::Css(".action-stop")).await.unwrap().click().await.unwrap();
    b.wait_for(".confirm-yes").await.click().await.unwrap();
    b.wait_for_text(".error-view", "Only running flow runs can be stopped.").await;
    b.wait_for_text(".field-errors", "flow_run: The flow run is not running.").await;

    // A retry the API refuses.
    sim.add_fault(r#"{"kind":"status","status":422,"path_suffix":"/retry","message":"This flow is disabled."}"#).await;
    b.goto(&sim.url(&format!("/runs/{failed}"))).await;
    b.wait_for(".action-retry").await.click().await.unwrap();
    b.wait_for(".confirm-yes").await.click().await.unwrap();
    b.wait_for_text(".error-view", "This flow is disabled.").await;

    // Download queues and says where the file goes.
    b.client.find(Locator::Css(".action-download-logs")).await.unwrap().click().await.unwrap();
    b.wait_for(".confirm-yes").await.click().await.unwrap();
    b.wait_for_text(".action-done", "File Downloads").await;
    b.close().await;
}

#[tokio::test]
async fn a_missing_run_links_back_to_the_filtered_list() {
    let sim = Sim::start(&["--runs", "50", "--days", "5"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs?status=2&per_page=10")).await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    b.client.execute("history.pushState(null, '', '/runs/999999'); dispatchEvent(new PopStateEvent('popstate'));", vec![]).await.unwrap();
    b.wait_for_text(".not-found", "There is no run #999999").await;
    let back = b.client.find(Locator::Css(".not-found a")).await.unwrap().attr("href").await.unwrap();
    assert_eq!(back.as_deref(), Some("/runs?status=2&per_page=10"));
    b.close().await;
}

#[tokio::test]
async fn the_steps_table_and_waterfall_have_one_row_per_step() {
    let sim = Sim::start(&["--runs", "60", "--days", "5", "--seed", "3", "--huge-run", "50=230"]).await;
    let steps = sim.api("GET", "/api/v1/flow-runs/50?include=flowVersion.steps").await["data"]["flow_version"]["steps"]
        .as_array()
        .cloned()
        .unwrap();
    assert!(steps.len() >= 3);
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs/50")).await;
    b.wait_for("svg.waterfall").await;
    assert_eq!(b.count("table.step-table tbody tr").await, steps.len());
    assert_eq!(b.count("svg.waterfall rect.wf-bar").await, steps.len(), "230 entries reach every step");
    let first = b.text("table.step-table tbody tr a").await;
    assert_eq!(first, steps[0]["name"].as_str().unwrap());
    let href = b.client.find(Locator::Css("table.step-table tbody tr a")).await.unwrap().attr("href").await.unwrap();
    assert_eq!(href, Some(format!("/runs/50/logs?step={}", steps[0]["id"])));
    let log_calls = sim.api_requests().await.iter().filter(|c| c["path"] == "/api/v1/flow-runs/50/flow-run-logs").count();
    assert_eq!(log_calls, 3, "230 entries in pages of 100");
    b.close().await;
}

#[tokio::test]
async fn a_refresh_of_a_running_run_keeps_its_stop_confirmation_open() {
    let sim = Sim::start(&["--runs", "400", "--days", "1", "--seed", "4", "--config-json", r#"{"refreshSeconds": 5}"#]).await;
    let running = first_with_status(&sim, 1, 0).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url(&format!("/runs/{running}"))).await;
    b.wait_for(".action-stop").await.click().await.unwrap();
    b.wait_for(".confirm-yes").await;
    let path = format!("/api/v1/flow-runs/{running}");
    let gets = async || sim.api_requests().await.iter().filter(|c| c["method"] == "GET" && c["path"] == path.as_str()).count();
    let before = gets().await;
    b.wait_until("the running run is refreshed", std::time::Duration::from_secs(20), async || gets().await > before).await;
    e2e::holds_for("the confirmation stays open through the refresh", std::time::Duration::from_secs(2), async || {
        if b.count(".confirm-yes").await == 1 {
            Ok(())
        } else {
            Err("the confirmation closed".into())
        }
    })
    .await;
    assert_eq!(b.count(".action-done").await, 0, "nothing was stopped");
    b.close().await;
}
