//! Comparing two runs (#21): from the table's selection, from "Compare with previous run",
//! from a bookmarked URL and as an embed route. What the page must mark is worked out here
//! from the simulator's answers, not from the app's code.

use e2e::{Browser, Sim, WAIT};
use fantoccini::Locator;
use serde_json::Value;
use std::collections::BTreeMap;

const SIM: [&str; 7] = ["--runs", "400", "--days", "2", "--seed", "8", "--frozen"];

/// The summary fields the page compares, as (row label, the API's field).
const FIELDS: [(&str, &str); 7] = [
    ("Status", "status"),
    ("Duration", "duration"),
    ("CPU time", "cpu_time"),
    ("Payload size", "payload_size"),
    ("Operations sent", "operations_sent"),
    ("Operations received", "operations_received"),
    ("Score", "score"),
];

/// What the simulator says about one run.
struct Run {
    json: Value,
    /// The flow version's step ids, in order.
    steps: Vec<String>,
    /// Per step id: (errors, warnings), from every log entry.
    problems: BTreeMap<String, (u64, u64)>,
}

async fn run(sim: &Sim, id: u64) -> Run {
    let json = sim
        .api("GET", &format!("/api/v1/flow-runs/{id}?include=flowVersion.steps,cpuTime,payloadSize,operationsSent,operationsReceived"))
        .await["data"]
        .clone();
    let steps = json["flow_version"]["steps"].as_array().cloned().unwrap_or_default().iter().map(|s| s["id"].to_string()).collect();
    let mut problems = BTreeMap::new();
    for page in 1..=10 {
        let p = sim.api("GET", &format!("/api/v1/flow-runs/{id}/flow-run-logs?per_page=100&page={page}")).await;
        let items = p["data"].as_array().cloned().unwrap_or_default();
        for e in &items {
            let level = e["log_level"].as_str().unwrap_or_default().to_ascii_uppercase();
            let c: &mut (u64, u64) = problems.entry(e["flow_step_id"].to_string()).or_default();
            match level.as_str() {
                "ERROR" | "FATAL" | "CRITICAL" => c.0 += 1,
                "WARNING" => c.1 += 1,
                _ => {}
            }
        }
        if items.len() < 100 {
            break;
        }
    }
    Run { json, steps, problems }
}

/// The first step (id) where one run had errors, warnings or neither and the other another of
/// these; `None` when they agree everywhere. The runs are of one flow: the same steps.
fn first_divergent_step(a: &Run, b: &Run) -> Option<String> {
    let outcome = |r: &Run, s: &str| match r.problems.get(s) {
        Some((e, _)) if *e > 0 => 2,
        Some((_, w)) if *w > 0 => 1,
        _ => 0,
    };
    a.steps.iter().find(|s| outcome(a, s) != outcome(b, s)).cloned()
}

/// A failed run of some flow and the run of that flow that started just before it (both
/// finished, with under 1,000 entries): (flow, previous, failed).
async fn pair(sim: &Sim) -> (String, u64, u64) {
    for flow in 100..120 {
        let list = sim
            .api("GET", &format!("/api/v1/flow-runs?filter%5Bflow_id%5D={flow}&sort=-started_at&include=flowRunLogsCount&per_page=100"))
            .await;
        let runs = list["data"].as_array().cloned().unwrap_or_default();
        for w in runs.windows(2) {
            let (cur, prev) = (&w[0], &w[1]);
            let small = |r: &Value| r["flow_run_logs_count"].as_u64().is_none_or(|n| n < 1000);
            if cur["status"] == 3 && prev["status"] == 2 && small(cur) && small(prev) {
                return (flow.to_string(), prev["id"].as_u64().unwrap(), cur["id"].as_u64().unwrap());
            }
        }
    }
    panic!("no failed run after a successful one of the same flow in the simulator's data");
}

/// Checks the comparison on screen (in the current frame) against the simulator's data.
async fn check(b: &Browser, a: &Run, z: &Run) {
    b.wait_for("table.compare-summary").await;
    for (label, key) in FIELDS {
        let css = format!("table.compare-summary tr[data-field='{label}']");
        let row = b.client.find(Locator::Css(&css)).await.unwrap_or_else(|_| panic!("a row {label}"));
        let marked = row.attr("class").await.unwrap().unwrap_or_default().contains("differs");
        assert_eq!(marked, a.json[key] != z.json[key], "{label}: {} vs {}", a.json[key], z.json[key]);
    }
    assert_eq!(b.count("table.compare-steps tbody tr").await, a.steps.len(), "one row per step of the flow");
    match first_divergent_step(a, z) {
        Some(step) => {
            let first = b.wait_for("table.compare-steps tr.first").await;
            assert_eq!(first.attr("data-step-id").await.unwrap(), Some(step.clone()));
            let n = a.steps.iter().position(|s| *s == step).unwrap() + 1;
            b.wait_for_text("p.first-divergence", &format!("at step {n} ")).await;
        }
        None => {
            b.wait_for_text("p.first-divergence", "No step diverges").await;
        }
    }
    // The failed run logged the simulator's destination error, which the successful one did
    // not; numbers and the quoted step name are masked.
    let (failed, ok) = if z.json["status"] == 3 { (".only-in-b", ".only-in-a") } else { (".only-in-a", ".only-in-b") };
    let only_failed = b.text(failed).await;
    assert!(only_failed.contains("ERROR Step <q> failed: HTTP <n> from destination after <n> attempts (record <n>)"), "{only_failed}");
    assert!(!b.text(ok).await.contains("ERROR"), "the successful run logged no error");
}

#[tokio::test]
async fn two_runs_ticked_in_the_table_are_compared_and_the_comparison_is_bookmarkable() {
    let sim = Sim::start(&SIM).await;
    let (flow, prev, failed) = pair(&sim).await;
    let (a, z) = (run(&sim, prev).await, run(&sim, failed).await);
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url(&format!("/runs?flow={flow}&per_page=100&range=all"))).await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    for id in [prev, failed] {
        let css = format!("input[aria-label='Select run {id} for comparison']");
        b.wait_for(&css).await.click().await.unwrap();
    }
    assert!(b.path().await.starts_with("/runs?"), "ticking opens no run");
    b.wait_for("#compare-selected").await.click().await.unwrap();
    b.wait_for_path(&format!("/compare/{prev}/{failed}")).await;
    check(&b, &a, &z).await;

    // The bookmarked URL, opened afresh.
    b.goto(&sim.url(&format!("/compare/{prev}/{failed}"))).await;
    check(&b, &a, &z).await;
    // Swapped in place (the page stays, its runs change): everything mirrors.
    let swap = b.wait_for("a.swap").await;
    assert_eq!(swap.attr("href").await.unwrap(), Some(format!("/compare/{failed}/{prev}")));
    swap.click().await.unwrap();
    b.wait_for_path(&format!("/compare/{failed}/{prev}")).await;
    b.wait_for_text("table.compare-summary thead th:nth-child(2)", &format!("#{failed}")).await;
    check(&b, &z, &a).await;
    b.close().await;
}

#[tokio::test]
async fn compare_with_previous_run_opens_the_flows_run_before() {
    let sim = Sim::start(&SIM).await;
    let (_, prev, failed) = pair(&sim).await;
    let (a, z) = (run(&sim, prev).await, run(&sim, failed).await);
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url(&format!("/runs/{failed}"))).await;
    b.wait_for("#compare-previous").await.click().await.unwrap();
    b.wait_for_path(&format!("/compare/{prev}/{failed}")).await;
    check(&b, &a, &z).await;
    // It asked for the flow's runs that started before this one, newest first, a few.
    let asked = sim.api_requests().await.into_iter().filter(|r| r["path"] == "/api/v1/flow-runs").collect::<Vec<_>>();
    assert!(asked.iter().any(|r| {
        let q = r["query"].as_str().unwrap_or_default();
        q.contains("filter%5Bflow_id%5D=")
            && q.contains("filter%5Bstarted_before%5D=")
            && q.contains("sort=-started_at")
            && q.ends_with("per_page=5")
    }));
    b.close().await;
}

#[tokio::test]
async fn a_comparison_as_an_embed_route() {
    let sim = Sim::start(&SIM).await;
    let (_, prev, failed) = pair(&sim).await;
    let (a, z) = (run(&sim, prev).await, run(&sim, failed).await);
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url(&format!("/embed/compare/{prev}/{failed}"))).await;
    check(&b, &a, &z).await;
    assert_eq!(b.count("header.app-header").await, 0, "no app header in an embed");
    let open = b.wait_for(".embed-bar a.open-full").await;
    assert_eq!(open.attr("href").await.unwrap(), Some(sim.url(&format!("/compare/{prev}/{failed}"))));
    // Links stay on embed routes.
    let swap = b.wait_for("a.swap").await.attr("href").await.unwrap();
    assert_eq!(swap, Some(format!("/embed/compare/{failed}/{prev}")));
    let run_link = b.wait_for("table.compare-summary thead a").await.attr("href").await.unwrap();
    assert_eq!(run_link, Some(format!("/embed/runs/{prev}")));
    b.close().await;
}

#[tokio::test]
async fn unknown_runs_and_the_same_run_twice() {
    let sim = Sim::start(&SIM).await;
    let (_, prev, failed) = pair(&sim).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url(&format!("/compare/{failed}/999999"))).await;
    b.wait_for_text(".not-found", "There is no run #999999").await;
    b.goto(&sim.url(&format!("/compare/{prev}/{prev}"))).await;
    b.wait_for_text(".notice", "Both sides are the same run.").await;
    b.wait_for("table.compare-steps").await;
    assert_eq!(b.count("tr.differs").await + b.count("tr.diverges").await, 0, "a run is like itself");
    // Ids no run has, one with a slash and a question mark in it: answered in words.
    b.goto(&sim.url("/compare/a%2Fb%3F/999998")).await;
    b.wait_until("both sides answered", WAIT, async || b.count(".compare-page .loading").await == 0).await;
    b.wait_for_text(".compare-page", "There is no run #a/b?").await;
    b.wait_for_text(".compare-page", "There is no run #999998").await;
    b.close().await;
}

#[tokio::test]
async fn leaving_a_comparison_while_its_runs_load() {
    let sim = Sim::start(&SIM).await;
    let (_, prev, failed) = pair(&sim).await;
    // Every single-run request takes 1.5 s; rule 1 counts the first run's as it arrives.
    sim.add_fault(r#"{"kind":"latency","ms":1500,"path_prefix":"/api/v1/flow-runs/"}"#).await;
    sim.add_fault(&format!(r#"{{"kind":"latency","ms":0,"path_prefix":"/api/v1/flow-runs/{prev}","path_suffix":"/flow-runs/{prev}"}}"#))
        .await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url(&format!("/compare/{prev}/{failed}"))).await;
    b.wait_until("the first run's request is in flight", WAIT, async || sim.seen(1).await >= 1).await;
    b.wait_for(".crumbs a").await.click().await.unwrap();
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    let answered = |calls: &[Value]| calls.iter().any(|c| c["path"] == format!("/api/v1/flow-runs/{prev}"));
    assert!(!answered(&sim.api_requests().await), "the comparison was left before its answer");
    // A run opened now is answered after the comparison's requests: by then they have been
    // handled (and dropped) by a page that is gone.
    b.client
        .execute(&format!("history.pushState(null, '', '/runs/{failed}'); dispatchEvent(new PopStateEvent('popstate'));"), vec![])
        .await
        .unwrap();
    b.wait_for("dl.summary").await;
    assert_eq!(b.count(".compare-page").await, 0);
    b.close().await;
}
