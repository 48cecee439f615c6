//! Signing in with a Patchworks account (login → Bearer token) and where the token is kept.

use e2e::{Browser, Sim};
use fantoccini::Locator;

#[tokio::test]
async fn sign_in_with_a_password_then_browse_with_the_bearer_token() {
    let sim = Sim::start(&["--runs", "80", "--days", "5"]).await;
    let b = Browser::start().await;
    b.goto(&sim.url("/settings")).await;
    b.wait_for("#user").await.send_keys("demo@example.com").await.unwrap();
    b.client.find(Locator::Css("#password")).await.unwrap().send_keys("wrong").await.unwrap();
    b.client.find(Locator::Css("#sign-in-button")).await.unwrap().click().await.unwrap();
    b.wait_for_text(".form-status", "username or password was not accepted").await;

    let pw = b.client.find(Locator::Css("#password")).await.unwrap();
    pw.clear().await.unwrap();
    pw.send_keys("demo-password").await.unwrap();
    // This tab only (sign-in tokens are not remembered unless asked): the token goes to
    // session storage, never to local storage.
    b.client.find(Locator::Css("#sign-in-button")).await.unwrap().click().await.unwrap();
    b.wait_for_text(".form-status", "Signed in as demo@example.com until").await;
    b.wait_for_text("#sign-in .hint", "expires").await;
    let stores = b
        .client
        .execute("return [localStorage.getItem('frc.connection.v2:/'), sessionStorage.getItem('frc.connection.v2:/')];", vec![])
        .await
        .unwrap();
    assert!(stores[0].is_null(), "{stores}");
    assert!(stores[1].as_str().unwrap().contains("\"kind\":\"bearer\""), "{stores}");
    assert!(!b.client.source().await.unwrap().contains("sim."), "the token is not in the page");

    b.client.find(Locator::Css(".main-nav a[href='/runs']")).await.unwrap().click().await.unwrap();
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    let calls = sim.table_requests().await;
    assert!(calls.iter().all(|c| c["auth"] == true && c["status"] == 200), "{calls:?}");
    let login = sim.requests().await.into_iter().filter(|c| c["path"] == "/fabric/api/login").count();
    assert_eq!(login, 2);

    // Sign out removes it everywhere.
    b.goto(&sim.url("/settings")).await;
    b.wait_for("#user").await;
    b.client.find(Locator::XPath("//button[text()='Sign out']")).await.unwrap().click().await.unwrap();
    let stores = b
        .client
        .execute("return [localStorage.getItem('frc.connection.v2:/'), sessionStorage.getItem('frc.connection.v2:/')];", vec![])
        .await
        .unwrap();
    assert!(stores[0].is_null() && stores[1].is_null(), "{stores}");
    b.close().await;
}

#[tokio::test]
async fn without_browser_storage_the_app_works_in_memory_and_says_so() {
    let sim = Sim::start(&["--runs", "50", "--days", "5"]).await;
    let b = Browser::start_without_storage().await;
    b.goto(&sim.url("/settings")).await;
    let blocked = b.client.execute("try { localStorage.length; return false } catch (e) { return true }", vec![]).await.unwrap();
    assert_eq!(blocked, serde_json::json!(true), "the browser really blocks storage");
    b.wait_for_text(".storage-unavailable", "kept in memory").await;
    b.wait_for("#token").await.send_keys(e2e::API_KEY).await.unwrap();
    b.client.find(Locator::Css("#save-connection")).await.unwrap().click().await.unwrap();
    b.wait_for_text(".form-status", "kept in memory only").await;
    // In-app navigation keeps the in-memory token.
    b.client.find(Locator::Css("header nav a")).await.unwrap().click().await.unwrap();
    b.wait_for("table.runs tbody tr").await;
    b.close().await;
}

#[tokio::test]
async fn moving_the_api_base_to_another_origin_drops_the_token() {
    let sim = Sim::start(&["--runs", "50", "--days", "5"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/settings")).await;
    let base = b.wait_for("#api-base").await;
    base.send_keys("https://elsewhere.invalid").await.unwrap();
    // Testing would send the saved token to the new origin: it is refused before any request.
    let before = sim.requests().await.len();
    b.client.find(Locator::Css("#save-connection")).await.unwrap().click().await.unwrap();
    b.wait_for_text(".form-status", "token was cleared").await;
    let stored = b.client.execute("return localStorage.getItem('frc.connection.v2:/')", vec![]).await.unwrap();
    let stored = stored.as_str().unwrap_or("");
    assert!(stored.contains("elsewhere.invalid") && !stored.contains(e2e::API_KEY), "{stored}");
    assert_eq!(b.client.find(Locator::Css("#token")).await.unwrap().prop("value").await.unwrap().as_deref(), Some(""));
    assert_eq!(sim.requests().await.len(), before, "nothing was sent with the old token");
    b.close().await;
}

#[tokio::test]
async fn the_token_appears_in_no_url_no_markup_and_no_request_but_its_header() {
    const SECRET: &str = "sekret-TOKEN-4711";
    let sim = Sim::start(&["--runs", "60", "--days", "5", "--api-key", SECRET, "--huge-run", "3=150"]).await;
    let b = Browser::start().await;
    b.goto(&sim.url("/settings")).await;
    b.wait_for("#token").await.send_keys(SECRET).await.unwrap();
    b.client.find(Locator::Css("#save-connection")).await.unwrap().click().await.unwrap();
    b.wait_for_text(".form-status", "Saved").await;
    // Each view, once what it loads is on the page.
    for (path, loaded) in [
        ("/runs?q=x", "table.runs:not(.skeleton) tbody tr, .empty-state"),
        ("/runs", "svg.status-chart"),
        ("/runs/3", ".step-table tbody tr"),
        ("/runs/3/logs?log=3000002", ".log-detail .json-tree"),
        ("/settings", "#api-base"),
    ] {
        b.goto(&sim.url(path)).await;
        b.wait_for("main .page").await;
        b.wait_for(loaded).await;
        let seen = b
            .client
            .execute(
                "const s = arguments[0]; return [location.href.includes(s), document.documentElement.outerHTML.includes(s), document.title.includes(s)];",
                vec![serde_json::json!(SECRET)],
            )
            .await
            .unwrap();
        assert_eq!(seen, serde_json::json!([false, false, false]), "on {path}");
    }
    // The simulator answered with the key, so it was sent — in the header, never in a query.
    let calls = sim.api_requests().await;
    assert!(calls.iter().any(|c| c["auth"] == true && c["status"] == 200));
    assert!(calls
        .iter()
        .all(|c| !c["query"].as_str().unwrap_or("").contains(SECRET) && !c["path"].as_str().unwrap_or("").contains(SECRET)));
    b.close().await;
}
