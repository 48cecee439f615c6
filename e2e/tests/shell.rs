//! The app shell against the simulator: connecting, the run table, deep links, errors.

use e2e::{Browser, Sim, API_KEY};
use fantoccini::Locator;

#[tokio::test]
async fn connecting_on_the_settings_page_shows_the_runs() {
    let sim = Sim::start(&["--runs", "300", "--seed", "5", "--days", "5"]).await;
    let b = Browser::start().await;

    b.goto(&sim.url("/runs")).await;
    b.wait_for_text(".empty-state", "Connect to the Patchworks API").await;
    assert!(sim.api_requests().await.is_empty(), "no API call without a token");

    b.client.find(Locator::LinkText("Set up the connection")).await.unwrap().click().await.unwrap();
    b.wait_for("#token").await.send_keys(API_KEY).await.unwrap();
    b.client.find(Locator::Css("#save-connection")).await.unwrap().click().await.unwrap();
    b.wait_for_text(".form-status", "Saved").await;

    b.client.find(Locator::Css(".main-nav a[href='/runs']")).await.unwrap().click().await.unwrap();
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    assert_eq!(b.count("table.runs tbody tr").await, 25);
    assert_eq!(b.text("table.runs tbody tr td.col-id").await, "#300", "newest first");
    b.wait_for_text(".link-state", "Connected").await;

    let calls = sim.table_requests().await;
    let last = calls.last().expect("the table asked the API");
    assert_eq!(last["path"], "/api/v1/flow-runs");
    assert_eq!(last["auth"], true);
    let query = last["query"].as_str().unwrap();
    assert!(query.starts_with("filter%5Bstarted_after%5D="), "the last 7 days by default: {query}");
    assert!(
        query.ends_with(
            "&include=flow%2CflowVersion%2CretriedFlowRun%2CerrorWarningLogsCount&fields%5Bflow%5D=id%2Cname&sort=-started_at&page=1&per_page=25"
        ),
        "{query}"
    );
    b.close().await;
}

#[tokio::test]
async fn deep_links_reload_and_dashboard_links_redirect() {
    let sim = Sim::start(&["--runs", "300", "--days", "5"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;

    b.goto(&sim.url("/runs/42")).await;
    b.wait_for_text("h1", "Run #42").await;
    b.wait_for("dl.summary").await;
    b.client.refresh().await.unwrap();
    b.wait_for_text("h1", "Run #42").await;
    b.wait_for("dl.summary .badge").await;

    b.goto(&sim.url("/flow-run-logs/7")).await;
    b.wait_for_text("h1", "Run #7").await;
    assert_eq!(b.path().await, "/runs/7");

    b.goto(&sim.url("/runs?page=3&per_page=10")).await;
    b.wait_for("table.runs:not(.skeleton)").await;
    assert_eq!(b.text(".page-link.current").await, "3");
    assert_eq!(b.text("table.runs tbody tr td.col-id").await, "#280");
    assert_eq!(b.count("table.runs tbody tr").await, 10);

    b.goto(&sim.url("/runs?page=zero")).await;
    b.wait_for_text(".notice", "Ignored page=zero").await;

    b.goto(&sim.url("/no/such/page")).await;
    b.wait_for_text("h1", "Page not found").await;
    b.close().await;
}

#[tokio::test]
async fn a_wrong_token_is_explained_and_signing_in_returns_to_the_same_view() {
    let sim = Sim::start(&["--runs", "120", "--days", "5"]).await;
    let b = Browser::start().await;
    b.goto(&sim.url("/settings")).await;
    b.store_key("not-the-key").await;
    b.goto(&sim.url("/runs?status=2&sort=oldest")).await;
    b.wait_for_text(".error-view", "did not accept the token").await;
    b.wait_for_text(".link-state", "Token rejected").await;
    let calls = sim.api_requests().await;
    assert!(calls.iter().all(|c| c["status"] == 401 && c["auth"] == true), "{calls:?}");

    b.client.find(Locator::Css(".sign-in-link")).await.unwrap().click().await.unwrap();
    let token = b.wait_for("#token").await;
    token.clear().await.unwrap();
    token.send_keys(API_KEY).await.unwrap();
    b.client.find(Locator::Css("#save-connection")).await.unwrap().click().await.unwrap();
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    assert_eq!(b.path().await, "/runs?status=2&sort=oldest", "back to the same view");
    b.close().await;
}

#[tokio::test]
async fn untrusted_names_render_as_text() {
    let sim = Sim::start(&["--runs", "300", "--seed", "5", "--days", "5"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs?per_page=100")).await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    let flows = b.client.find_all(Locator::Css("td.col-flow")).await.unwrap();
    let mut texts = Vec::new();
    for f in flows {
        texts.push(f.text().await.unwrap());
    }
    assert!(texts.iter().any(|t| t.contains("<script>alert('x')</script>")), "the HTML-looking flow name is on the page as text");
    assert!(texts.iter().any(|t| t.contains("مزامنة")), "right-to-left text is shown");
    assert_eq!(b.count("table.runs script, table.runs b").await, 0, "no element comes from API text");
    b.close().await;
}
