//! Failures grouped by cause (#20): the simulator with `--failure-causes` ends its failed and
//! partly successful runs in errors of four causes whose ids and numbers vary, and states
//! each cause's key and runs at `/__sim/failure-causes` (written there by hand, without the
//! app's code). The app's grouping must find exactly those causes with those run counts,
//! within its stated request cost; stopping it and leaving the page mid-way must be clean.

use e2e::{Browser, Sim, WAIT};
use fantoccini::Locator;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The grouping's own run-list requests (the run table asks with other includes).
const GROUPING_QUERY: &str = "include=flow%2CerrorWarningLogs";

fn is_grouping_list(c: &Value) -> bool {
    c["path"] == "/api/v1/flow-runs" && c["query"].as_str().is_some_and(|q| q.contains(GROUPING_QUERY))
}

async fn expected(sim: &Sim) -> Value {
    serde_json::from_str(&sim.get("/__sim/failure-causes").await).expect("the causes are JSON")
}

async fn click(b: &Browser, css: &str) {
    b.wait_for(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// The groups on screen: key → run count.
async fn groups_shown(b: &Browser) -> BTreeMap<String, u64> {
    let v = b
        .js("return [...document.querySelectorAll('li.fg-group')].map(g => [g.querySelector('.fg-key').textContent, g.dataset.runs])")
        .await;
    v.as_array().unwrap().iter().map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_str().unwrap().parse().unwrap())).collect()
}

#[tokio::test]
async fn finds_exactly_the_simulators_causes_with_their_counts_within_the_stated_cost() {
    let sim = Sim::start(&["--runs", "400", "--seed", "5", "--days", "5", "--frozen", "--failure-causes"]).await;
    let want = expected(&sim).await;
    let want_groups: BTreeMap<String, u64> =
        want["causes"].as_array().unwrap().iter().map(|c| (c["key"].as_str().unwrap().to_string(), c["runs"].as_u64().unwrap())).collect();
    assert_eq!(want_groups.len(), 4, "every cause occurs: {want}");
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs")).await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    let cost = b.text(".fg-cost").await;
    assert!(cost.contains("latest 500") && cost.contains("at most 30 requests"), "the cost is stated before it starts: {cost}");

    click(&b, "#group-failures").await;
    b.wait_for(".fg-status[data-phase='done']").await;
    assert_eq!(groups_shown(&b).await, want_groups);
    let summary = b.text(".fg-summary").await;
    assert!(summary.starts_with(&format!("{} runs read, 4 causes; {} without", want["runs"], want["without_errors"])), "{summary}");
    // Largest first, as the simulator's weights make them.
    let first = b.text("li.fg-group .fg-key").await;
    assert_eq!(want_groups[&first], *want_groups.values().max().unwrap());

    // Within the stated cost: at most 5 pages of counts, the same pages with their entries,
    // and 20 single runs or logs. Never a page's entries unless their counts were asked first.
    let calls = sim.api_requests().await;
    let lists = calls.iter().filter(|c| is_grouping_list(c)).count();
    let counted =
        calls.iter().filter(|c| is_grouping_list(c) && c["query"].as_str().unwrap_or("").contains("errorWarningLogsCount")).count();
    let singles = calls
        .iter()
        .filter(|c| {
            let p = c["path"].as_str().unwrap_or("");
            p.ends_with("/flow-run-logs")
                || (p.starts_with("/api/v1/flow-runs/") && c["query"].as_str().unwrap_or("").contains("errorWarningLogs"))
        })
        .count();
    assert!(
        (1..=5).contains(&counted) && lists <= 2 * counted && singles <= 20,
        "{lists} list requests ({counted} of counts), {singles} single"
    );
    assert!(summary.contains(&format!("{} requests", lists + singles)), "{summary}");

    // Each run of a group links to its run and to its log filtered to the failing step.
    let key = b.text("li.fg-group .fg-key").await;
    let ids: Vec<String> = want["causes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == key.as_str())
        .map(|c| c["run_ids"].as_array().unwrap().iter().map(|i| i.to_string()).collect())
        .unwrap();
    let links = b
        .js("return [...document.querySelector('li.fg-group').querySelectorAll('.fg-runs li')].map(li => [li.querySelector('a.fg-run').getAttribute('href'), li.querySelector('a.fg-log').getAttribute('href')])")
        .await;
    let links = links.as_array().unwrap();
    assert_eq!(links.len(), ids.len());
    for l in links {
        let (run, log) = (l[0].as_str().unwrap(), l[1].as_str().unwrap());
        let id = run.strip_prefix("/runs/").unwrap_or_else(|| panic!("a run link: {run}"));
        assert!(ids.contains(&id.to_string()), "run {id} has this cause");
        assert!(log.starts_with(&format!("/runs/{id}/logs?")) && log.contains("step="), "{log}");
    }

    // Open a run from the group, come back: the grouping is still there, not asked again.
    b.client.find(Locator::Css("li.fg-group details summary")).await.unwrap().click().await.unwrap();
    click(&b, "li.fg-group a.fg-run").await;
    b.wait_for_path("/runs/").await;
    b.wait_for(".run-page").await;
    b.client.back().await.unwrap();
    b.wait_for(".fg-status[data-phase='done']").await;
    assert_eq!(groups_shown(&b).await, want_groups);
    let again = sim.api_requests().await.iter().filter(|c| is_grouping_list(c)).count();
    assert_eq!(again, lists, "kept in memory for the same filters");

    // Another credential in the same tab (a sign-in's token instead of the API key), reached
    // without reloading: the grouping kept for the first one is not shown to it.
    click(&b, ".main-nav a[href='/settings']").await;
    b.wait_for("#user").await.send_keys("demo@example.com").await.unwrap();
    b.client.find(Locator::Css("#password")).await.unwrap().send_keys("demo-password").await.unwrap();
    click(&b, "#sign-in-button").await;
    b.wait_for_text(".form-status", "Signed in as demo@example.com").await;
    click(&b, ".main-nav a[href='/runs']").await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    b.wait_for(".fg-cost").await;
    assert_eq!(b.count("li.fg-group").await, 0, "a grouping made with another credential is not shown");
    b.close().await;
}

/// No grouping request arrives for twice the latency after `at` had (a claim over a period
/// the test's latency defines; called after the app has shown it reacted).
async fn no_grouping_request_for(b: &Browser, sim: &Sim, at: u64, when: &str) {
    e2e::holds_for(&format!("no grouping request {when}"), std::time::Duration::from_secs(3), async || {
        let n = sim.seen(0).await;
        if n == at {
            Ok(())
        } else {
            Err(format!("{n} grouping requests, {at} before"))
        }
    })
    .await;
    b.assert_no_browser_errors(when).await;
}

#[tokio::test]
async fn stopping_and_leaving_mid_way_end_the_work_without_errors() {
    // Every grouping list request takes 1.5 s; rule 0 counts them as they arrive.
    let slow = json!({"kind": "latency", "ms": 1500, "path_prefix": "/api/v1/flow-runs", "query_contains": GROUPING_QUERY}).to_string();
    let sim = Sim::start(&["--runs", "3000", "--seed", "6", "--days", "5", "--frozen", "--failure-causes", "--fault", &slow]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs")).await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;

    // Stop once the first groups show (the counts' pages, then the first page of entries):
    // the groups so far stay, nothing more is asked.
    click(&b, "#group-failures").await;
    b.wait_for("li.fg-group").await;
    click(&b, "#stop-grouping").await;
    b.wait_for(".fg-status[data-phase='stopped']").await;
    let arrived = sim.seen(0).await;
    assert!(b.count("li.fg-group").await > 0, "the groups of the runs read so far");
    // A grouping still at work would ask again within one answer's latency (1.5 s).
    no_grouping_request_for(&b, &sim, arrived, "after the stop").await;

    // Start again, and leave the page while a request is in flight.
    click(&b, "#group-failures").await;
    b.wait_until("a grouping request arrives", WAIT, async || {
        let n = sim.seen(0).await;
        (n > arrived).then_some(n).ok_or(format!("{n}"))
    })
    .await;
    click(&b, ".main-nav a[href='/settings']").await;
    b.wait_for("#api-base").await;
    let left_at = sim.seen(0).await;
    let answered = sim.api_requests().await.iter().filter(|c| is_grouping_list(c)).count() as u64;
    assert!(answered < left_at, "the page was left with a grouping request in flight ({answered} of {left_at} answered)");
    no_grouping_request_for(&b, &sim, left_at, "after leaving").await;
    // The app still works, and the stopped grouping was not kept as a result.
    click(&b, ".main-nav a[href='/runs']").await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    assert_eq!(b.count(".fg-status").await, 0, "only finished groupings are kept");
    b.close().await;
}
