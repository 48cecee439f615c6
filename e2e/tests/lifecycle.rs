//! Leaving a view while its requests are in flight, and a user's quick clicking, against an
//! API that takes 1.5 s for every answer. A view whose answer arrives after it has gone must
//! neither trap nor throw (the harness rule checks the browser's log in every wait and at
//! the end), and the app must still move and load afterwards.
//!
//! How a test knows a request is in flight: the simulator logs a request only once it has
//! answered, so each test adds zero-latency fault rules ("watches") that count matching
//! requests as they arrive. Arrived but not in the log = in flight. After leaving, the test
//! checks the request was still unanswered (else it would test nothing), then waits for data
//! the app requested after leaving: with the same latency, that answer comes after the one
//! left behind, so by then the old answer has been handled.

use e2e::{Browser, Sim, WAIT};
use fantoccini::Locator;
use serde_json::{json, Value};

const LATENCY_MS: u64 = 1500;

/// Requests a test waits for: paths starting with `prefix` and ending with `suffix`, queries
/// containing `query`.
struct Watch {
    prefix: String,
    suffix: String,
    query: String,
}

impl Watch {
    fn new(prefix: &str, suffix: &str, query: &str) -> Watch {
        Watch { prefix: prefix.into(), suffix: suffix.into(), query: query.into() }
    }

    /// The GET of one run (`/api/v1/flow-runs/{id}`).
    fn run(id: u64) -> Watch {
        Watch::new(&format!("/api/v1/flow-runs/{id}"), &format!("/flow-runs/{id}"), "")
    }

    /// Pages of one run's log.
    fn logs(id: u64, query: &str) -> Watch {
        Watch::new(&format!("/api/v1/flow-runs/{id}/flow-run-logs"), "/flow-run-logs", query)
    }

    /// The run list, with `query` in its query.
    fn runs(query: &str) -> Watch {
        Watch::new("/api/v1/flow-runs", "/flow-runs", query)
    }

    fn rule(&self) -> String {
        json!({"kind": "latency", "ms": 0, "path_prefix": self.prefix, "path_suffix": self.suffix, "query_contains": self.query})
            .to_string()
    }

    fn matches(&self, c: &Value) -> bool {
        let path = c["path"].as_str().unwrap_or_default();
        path.starts_with(&self.prefix) && path.ends_with(&self.suffix) && c["query"].as_str().unwrap_or_default().contains(&self.query)
    }
}

/// A simulator whose API answers after 1.5 s, with watches on the requests a test leaves in
/// flight (watch `i` is fault rule `i + 1`; rule 0 is the latency).
struct Slow {
    sim: Sim,
    watches: Vec<Watch>,
}

impl Slow {
    async fn start(args: &[&str], watches: Vec<Watch>) -> Slow {
        let latency = json!({"kind": "latency", "ms": LATENCY_MS}).to_string();
        let rules: Vec<String> = watches.iter().map(Watch::rule).collect();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--fault", &latency]);
        for r in &rules {
            all.extend(["--fault", r.as_str()]);
        }
        Slow { sim: Sim::start(&all).await, watches }
    }

    fn url(&self, path: &str) -> String {
        self.sim.url(path)
    }

    /// How many requests of watch `w` have arrived.
    async fn arrived(&self, w: usize) -> u64 {
        self.sim.seen(w + 1).await
    }

    /// How many of them have been answered.
    async fn answered(&self, w: usize) -> u64 {
        self.sim.requests().await.iter().filter(|c| self.watches[w].matches(c)).count() as u64
    }

    /// Waits until more than `after` requests of watch `w` have arrived; answers how many.
    async fn wait_arrival(&self, b: &Browser, w: usize, after: u64) -> u64 {
        let what = format!("a request to {}…{}?…{} arrives", self.watches[w].prefix, self.watches[w].suffix, self.watches[w].query);
        b.wait_until(&what, WAIT, async || {
            let n = self.arrived(w).await;
            (n > after).then_some(n).ok_or(format!("{n} so far"))
        })
        .await
    }

    /// Fails unless a request of watch `w` is still unanswered: the test left while it was in
    /// flight (otherwise the test would prove nothing).
    async fn assert_in_flight(&self, w: usize, what: &str) {
        let (arrived, answered) = (self.arrived(w).await, self.answered(w).await);
        assert!(
            arrived > answered,
            "{what}: every request to {}…{} was answered before the test left ({answered} of {arrived}); the machine was too slow for this test",
            self.watches[w].prefix,
            self.watches[w].suffix
        );
    }
}

async fn click(b: &Browser, css: &str) {
    b.wait_for(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Signs in with the API key and opens `path` with it (the app reads the stored key when it
/// starts).
async fn open(b: &Browser, slow: &Slow, path: &str) {
    b.sign_in(&slow.sim).await;
    b.goto(&slow.url(path)).await;
}

/// The app still moves and loads: in the app, to the Connection page and to the run table,
/// whose rows come from a request sent after the test left the view (the table starts empty
/// on every visit).
async fn still_works(b: &Browser) {
    click(b, ".main-nav a[href='/settings']").await;
    b.wait_for("#api-base").await;
    click(b, ".main-nav a[href='/runs']").await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    b.assert_no_browser_errors("after leaving views with requests in flight").await;
}

fn run_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["--runs", "300", "--days", "5", "--seed", "4", "--frozen"];
    v.extend_from_slice(extra);
    v
}

#[tokio::test]
async fn typing_a_search_and_opening_a_run_within_300_ms() {
    let slow = Slow::start(&run_args(&[]), vec![]).await;
    let b = Browser::start().await;
    open(&b, &slow, "/runs").await;
    b.wait_for("table.runs:not(.skeleton) tbody td.col-id a").await;
    // One task, well within the search's 300 ms pause: type, then open the first run.
    let href = b
        .js("const i = document.getElementById('run-search');
             i.value = 'orders'; i.dispatchEvent(new Event('input', { bubbles: true }));
             const a = document.querySelector('table.runs tbody td.col-id a');
             a.click(); return a.getAttribute('href');")
        .await;
    let href = href.as_str().expect("the run's link").to_string();
    // The run arrives 1.5 s later, long after the search's timer would have fired.
    b.wait_for("dl.summary").await;
    assert_eq!(b.path().await, href, "the search typed on the run table does not take the user back to it");
    still_works(&b).await;
    b.close().await;
}

#[tokio::test]
async fn back_while_the_run_table_loads() {
    let slow = Slow::start(&run_args(&[]), vec![Watch::runs("per_page=25")]).await;
    let b = Browser::start().await;
    open(&b, &slow, "/settings").await;
    b.wait_for("#api-base").await;
    click(&b, ".main-nav a[href='/runs']").await;
    slow.wait_arrival(&b, 0, 0).await;
    b.client.back().await.unwrap();
    slow.assert_in_flight(0, "the run table's page").await;
    b.wait_for("#api-base").await;
    still_works(&b).await;
    b.close().await;
}

#[tokio::test]
async fn back_while_a_run_loads() {
    let slow = Slow::start(&run_args(&[]), vec![Watch::run(300)]).await;
    let b = Browser::start().await;
    open(&b, &slow, "/runs").await;
    click(&b, "table.runs:not(.skeleton) tbody tr[data-run-id='300'] td.col-id a").await;
    slow.wait_arrival(&b, 0, 0).await;
    b.client.back().await.unwrap();
    slow.assert_in_flight(0, "the run").await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    still_works(&b).await;
    b.close().await;
}

/// The run whose log the tests open: one that has ended (a running run's log is still
/// growing, so its size and cost are not the ones the test gives it).
const LOG_RUN: u64 = 298;

/// Opens the run page of `LOG_RUN`, once it has made its own requests.
async fn open_log_run_page(b: &Browser, slow: &Slow) {
    open(b, slow, &format!("/runs/{LOG_RUN}")).await;
    let badge = b.wait_for("dl.summary .badge").await.text().await.unwrap();
    assert!(!badge.contains("Running"), "run {LOG_RUN} has ended in this data: {badge}");
    // The steps panel has read the log's first page (the run is too long for more).
    b.wait_for_text(".chart-note", "step figures are shown for runs of up to").await;
}

/// Opens the log of `LOG_RUN` from its run page (in the app, so that Back stays in it).
async fn open_log_from_run_page(b: &Browser, slow: &Slow) {
    open_log_run_page(b, slow).await;
    click(b, "a.button[href$='/logs']").await;
}

#[tokio::test]
async fn back_while_the_log_viewer_loads_its_first_page() {
    let slow = Slow::start(&run_args(&["--huge-run", "298=2500"]), vec![Watch::logs(LOG_RUN, "")]).await;
    let b = Browser::start().await;
    open_log_run_page(&b, &slow).await;
    let before = slow.arrived(0).await;
    click(&b, "a.button[href$='/logs']").await;
    slow.wait_arrival(&b, 0, before).await;
    b.client.back().await.unwrap();
    slow.assert_in_flight(0, "the log's first page").await;
    b.wait_for("dl.summary").await;
    still_works(&b).await;
    b.close().await;
}

#[tokio::test]
async fn back_during_load_all_after_its_confirmation() {
    // 6,000 entries: 60 pages, so the cost is asked first.
    let slow = Slow::start(&run_args(&["--huge-run", "298=6000"]), vec![Watch::logs(LOG_RUN, "")]).await;
    let b = Browser::start().await;
    open_log_from_run_page(&b, &slow).await;
    b.wait_for(".log-row").await;
    let before = slow.arrived(0).await;
    click(&b, "#load-all").await;
    click(&b, "#load-confirm").await;
    slow.wait_arrival(&b, 0, before).await;
    b.client.back().await.unwrap();
    slow.assert_in_flight(0, "load-all's first page").await;
    b.wait_for("dl.summary").await;
    still_works(&b).await;
    b.close().await;
}

#[tokio::test]
async fn back_during_load_all_while_its_workers_fetch() {
    // 2,500 entries: 25 pages, loaded without asking; leave once the workers are fetching.
    let slow = Slow::start(&run_args(&["--huge-run", "298=2500"]), vec![Watch::logs(LOG_RUN, "")]).await;
    let b = Browser::start().await;
    open_log_from_run_page(&b, &slow).await;
    b.wait_for(".log-row").await;
    let before = slow.arrived(0).await;
    click(&b, "#load-all").await;
    b.wait_for("#load-progress").await;
    // The first page, then the workers' pages.
    slow.wait_arrival(&b, 0, before + 2).await;
    b.client.back().await.unwrap();
    slow.assert_in_flight(0, "load-all's pages").await;
    b.wait_for("dl.summary").await;
    still_works(&b).await;
    b.close().await;
}

#[tokio::test]
async fn back_while_following_a_running_run_live() {
    let slow = Slow::start(
        &[
            "--runs",
            "400",
            "--days",
            "1",
            "--seed",
            "9",
            "--live-run",
            "400=120000",
            "--huge-run",
            "400=300",
            "--config-json",
            r#"{"refreshSeconds": 5}"#,
        ],
        vec![Watch::run(400)],
    )
    .await;
    let b = Browser::start().await;
    open(&b, &slow, "/runs/400").await;
    b.wait_for("dl.summary").await;
    click(&b, "a.button[href$='/logs']").await;
    b.wait_for(".log-row").await;
    click(&b, "#load-all").await;
    b.wait_for_text("#live-tail", "Following live").await;
    // The tail asks for the run every 5 s: leave while it waits for that answer.
    let before = slow.arrived(0).await;
    slow.wait_arrival(&b, 0, before).await;
    b.client.back().await.unwrap();
    slow.assert_in_flight(0, "the live tail's request").await;
    b.wait_for("dl.summary").await;
    still_works(&b).await;
    b.close().await;
}

#[tokio::test]
async fn back_while_the_connection_is_tested() {
    let slow = Slow::start(&run_args(&[]), vec![Watch::runs("page=1&per_page=1")]).await;
    let b = Browser::start().await;
    open(&b, &slow, "/runs/300").await;
    b.wait_for("dl.summary").await;
    click(&b, ".main-nav a[href='/settings']").await;
    b.wait_for("#api-base").await;
    // (The button has no id.)
    b.client.find(Locator::XPath("//button[normalize-space()='Test connection']")).await.unwrap().click().await.unwrap();
    slow.wait_arrival(&b, 0, 0).await;
    b.client.back().await.unwrap();
    slow.assert_in_flight(0, "the connection test").await;
    b.wait_for("dl.summary").await;
    still_works(&b).await;
    b.close().await;
}

#[tokio::test]
async fn back_while_signing_in() {
    let slow = Slow::start(&run_args(&[]), vec![Watch::new("/fabric/api/login", "/login", "")]).await;
    let b = Browser::start().await;
    open(&b, &slow, "/runs/300").await;
    b.wait_for("dl.summary").await;
    click(&b, ".main-nav a[href='/settings']").await;
    b.wait_for("#user").await.send_keys("demo@example.com").await.unwrap();
    b.wait_for("#password").await.send_keys("demo-password").await.unwrap();
    click(&b, "#sign-in-button").await;
    slow.wait_arrival(&b, 0, 0).await;
    b.client.back().await.unwrap();
    slow.assert_in_flight(0, "the sign-in").await;
    b.wait_for("dl.summary").await;
    still_works(&b).await;
    b.close().await;
}

const HOST: &str = r#"<!doctype html>
<html><head><title>Host page</title></head>
<body>
<h2 id="host-heading">Host dashboard</h2>
<div id="w1"></div>
<div id="w2"></div>
<div id="w3"></div>
<script type="module">
  import { mount } from '/widget.js';
  window.__mount = (id, options) => mount(document.getElementById(id), { view: 'runs', pageSize: 5, credentialType: 'key', token: 'demo-key', ...options })
    .then(w => { window['__' + id] = w; });
  window.__ready = true;
</script>
</body></html>"#;

async fn badges(b: &Browser, widget: &str) -> Vec<String> {
    let v = b
        .js(&format!("return [...document.querySelectorAll('#{widget} table.runs:not(.skeleton) tbody .badge')].map(e => e.textContent)"))
        .await;
    v.as_array().unwrap().iter().map(|x| x.as_str().unwrap_or("").to_string()).collect()
}

/// Waits until `widget` shows five rows, all with a badge containing `status` ("" for any).
async fn wait_widget_rows(b: &Browser, widget: &str, status: &str) {
    b.wait_until(&format!("{widget} shows five rows of {status:?}"), WAIT, async || {
        let now = badges(b, widget).await;
        (now.len() == 5 && now.iter().all(|t| t.contains(status))).then_some(()).ok_or(format!("{now:?}"))
    })
    .await;
}

/// A host page with three places for widgets (`window.__mount(id, options)` mounts one as
/// `window.__<id>`), served by a slow simulator that watches the widgets' run lists.
async fn widget_host(tag: &str) -> (Slow, Browser, std::path::PathBuf) {
    let dist = e2e::copy_of_dist(tag);
    std::fs::write(dist.join("host.html"), HOST).unwrap();
    let slow = Slow::start(&run_args(&["--dist", dist.to_str().unwrap()]), vec![Watch::runs("per_page=5")]).await;
    let b = Browser::start().await;
    b.goto(&slow.url("/host.html")).await;
    b.wait_until("the host page has loaded widget.js", WAIT, async || b.js("return window.__ready === true").await == json!(true)).await;
    (slow, b, dist)
}

/// Mounts a widget at `id` and waits until its handle is there.
async fn mount(b: &Browser, id: &str, options: &str) {
    b.js(&format!("window.__mount('{id}', {options})")).await;
    b.wait_until(&format!("{id} is mounted"), WAIT, async || b.js(&format!("return !!window.__{id}")).await == json!(true)).await;
}

#[tokio::test]
async fn a_widget_unmounted_while_its_first_page_loads() {
    let (slow, b, dist) = widget_host("lifecycle-unmount").await;
    mount(&b, "w1", "{}").await;
    slow.wait_arrival(&b, 0, 0).await;
    b.js("window.__w1.unmount()").await;
    slow.assert_in_flight(0, "w1's first page").await;
    assert_eq!(b.js("return document.getElementById('w1').children.length").await, json!(0));
    // Another widget still loads (its answer comes after the one w1 left behind).
    mount(&b, "w2", "{}").await;
    wait_widget_rows(&b, "w2", "").await;
    b.close().await;
    let _ = std::fs::remove_dir_all(dist);
}

#[tokio::test]
async fn a_widget_updated_twice_while_its_pages_load() {
    let (slow, b, dist) = widget_host("lifecycle-update").await;
    mount(&b, "w1", "{}").await;
    // update() while the first page is in flight, and again while the update's is: the last
    // options win (their answer comes after the others).
    let n = slow.wait_arrival(&b, 0, 0).await;
    b.js("window.__w1.update({ filters: { status: '3' } })").await;
    slow.assert_in_flight(0, "w1's first page").await;
    let n = slow.wait_arrival(&b, 0, n).await;
    b.js("window.__w1.update({ filters: { status: '2' } })").await;
    slow.assert_in_flight(0, "w1's first update").await;
    slow.wait_arrival(&b, 0, n).await;
    wait_widget_rows(&b, "w1", "Success").await;
    b.close().await;
    let _ = std::fs::remove_dir_all(dist);
}

#[tokio::test]
async fn a_widget_unmounted_while_an_update_loads() {
    let (slow, b, dist) = widget_host("lifecycle-update-unmount").await;
    mount(&b, "w1", "{}").await;
    wait_widget_rows(&b, "w1", "").await;
    let n = slow.arrived(0).await;
    b.js("window.__w1.update({ filters: { status: '3' } })").await;
    slow.wait_arrival(&b, 0, n).await;
    b.js("window.__w1.unmount()").await;
    slow.assert_in_flight(0, "w1's update").await;
    assert_eq!(b.js("return document.getElementById('w1').children.length").await, json!(0));
    mount(&b, "w2", "{ filters: { status: '3' } }").await;
    wait_widget_rows(&b, "w2", "Failure").await;
    b.close().await;
    let _ = std::fs::remove_dir_all(dist);
}

#[tokio::test]
async fn switching_the_log_viewers_step_filter_twice_quickly() {
    let run = LOG_RUN;
    let steps_of = |sim_run: &Value| -> Vec<(String, String)> {
        sim_run["data"]["flow_version"]["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .map(|s| {
                let id = s["id"].as_u64().map(|n| n.to_string()).or_else(|| s["id"].as_str().map(String::from)).expect("a step id");
                (id, s["name"].as_str().unwrap_or_default().to_string())
            })
            .collect()
    };
    // The steps, from a simulator with the same data (the slow one answers in 1.5 s).
    let quick = Sim::start(&run_args(&["--huge-run", "298=2500"])).await;
    let steps = steps_of(&quick.api("GET", &format!("/api/v1/flow-runs/{run}?include=flowVersion.steps")).await);
    drop(quick);
    assert!(steps.len() >= 2, "{steps:?}");
    let ((first, _), (second, second_name)) = (steps[0].clone(), steps[1].clone());
    let slow = Slow::start(
        &run_args(&["--huge-run", "298=2500"]),
        vec![
            Watch::logs(run, &format!("filter%5Bflow_step_id%5D={first}&")),
            Watch::logs(run, &format!("filter%5Bflow_step_id%5D={second}&")),
        ],
    )
    .await;
    let b = Browser::start().await;
    open_log_from_run_page(&b, &slow).await;
    b.wait_for(".log-row").await;
    b.wait_for(&format!("#log-step option[value='{second}']")).await;
    let choose =
        "const s = document.getElementById('log-step'); s.value = arguments[0]; s.dispatchEvent(new Event('change', { bubbles: true }));";
    b.client.execute(choose, vec![json!(first)]).await.unwrap();
    slow.wait_arrival(&b, 0, 0).await;
    b.client.execute(choose, vec![json!(second)]).await.unwrap();
    slow.assert_in_flight(0, "the first step's page").await;
    slow.wait_arrival(&b, 1, 0).await;
    b.wait_for_path(&format!("step={second}")).await;
    // Once the second step's page is answered (the first's came before it), its rows stay.
    b.wait_until("the second step's page is answered", WAIT, async || slow.answered(1).await >= 1).await;
    b.wait_until("the rows are the second step's", WAIT, async || {
        let steps = b.js("return [...document.querySelectorAll('.log-row .log-step')].map(e => e.textContent)").await;
        let steps: Vec<String> = steps.as_array().unwrap().iter().map(|v| v.as_str().unwrap_or("").to_string()).collect();
        (!steps.is_empty() && steps.iter().all(|s| *s == second_name || *s == second)).then_some(()).ok_or(format!("{steps:?}"))
    })
    .await;
    assert!(b.path().await.contains(&format!("step={second}")), "{}", b.path().await);
    still_works(&b).await;
    b.close().await;
}

#[tokio::test]
async fn changing_the_run_tables_page_twice_quickly() {
    let slow = Slow::start(&run_args(&[]), vec![Watch::runs("page=2&per_page=10"), Watch::runs("page=3&per_page=10")]).await;
    let b = Browser::start().await;
    open(&b, &slow, "/runs?per_page=10").await;
    b.wait_for_text("table.runs:not(.skeleton) tbody tr td.col-id", "#300").await;
    click(&b, "a.page-link[aria-label='Page 2']").await;
    slow.wait_arrival(&b, 0, 0).await;
    // The table keeps page 1 while page 2 loads; its pager still offers page 3.
    click(&b, "a.page-link[aria-label='Page 3']").await;
    slow.assert_in_flight(0, "page 2").await;
    assert_eq!(b.wait_for_path("page=3").await, "/runs?page=3&per_page=10");
    b.wait_until("page 3 is answered", WAIT, async || slow.answered(1).await >= 1).await;
    b.wait_for_text("table.runs:not(.skeleton) tbody tr td.col-id", "#280").await;
    b.wait_for_text(".page-link.current", "3").await;
    assert_eq!(b.count("table.runs tbody tr[data-run-id]").await, 10);
    assert_eq!(b.text("table.runs tbody tr td.col-id").await, "#280", "page 2's older answer did not replace page 3");
    still_works(&b).await;
    b.close().await;
}
