//! The accessibility audit (issue #18): axe-core on every view, in the light and the dark
//! theme. Fails on any serious or critical violation, and on a moderate one that the README's
//! "Accessibility" section does not list as kept (`e2e::a11y::MODERATE_KEPT`).

use e2e::a11y::{assert_clean, audit_both, Finding};
use e2e::{Browser, Sim};

async fn first_with_status(sim: &Sim, status: u8) -> u64 {
    sim.api("GET", &format!("/api/v1/flow-runs?filter%5Bstatus%5D={status}&per_page=10")).await["data"][0]["id"]
        .as_u64()
        .unwrap_or_else(|| panic!("a run with status {status}"))
}

const SIM: [&str; 9] = ["--runs", "400", "--days", "1", "--seed", "4", "--frozen", "--huge-run", "5=450"];

#[tokio::test]
async fn axe_finds_nothing_serious_on_the_run_table_run_page_and_other_pages() {
    let sim = Sim::start(&SIM).await;
    let (failed, running) = (first_with_status(&sim, 3).await, first_with_status(&sim, 1).await);
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    let mut found: Vec<Finding> = Vec::new();

    // The run table: filters open, the chart counted, a failure expanded.
    b.goto(&sim.url("/runs?per_page=25")).await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    b.wait_for("details.filter-more > summary").await.click().await.unwrap();
    b.wait_for("details.filter-more[open]").await;
    b.wait_for("svg.status-chart rect.seg").await;
    b.wait_for("button.expander").await.click().await.unwrap();
    b.wait_for("tr.failure-summary ul").await;
    found.extend(audit_both(&b, "run table", &[]).await);

    // The run page with the retry confirmation open, then a running run's stop confirmation.
    b.goto(&sim.url(&format!("/runs/{failed}"))).await;
    b.wait_for(".action-retry").await.click().await.unwrap();
    b.wait_for(".confirm .confirm-yes").await;
    found.extend(audit_both(&b, "run page, retry confirmation", &[]).await);
    b.goto(&sim.url(&format!("/runs/{running}"))).await;
    b.wait_for(".action-stop").await.click().await.unwrap();
    b.wait_for(".confirm .confirm-yes").await;
    found.extend(audit_both(&b, "run page, stop confirmation", &[]).await);

    // The comparison of two runs, and the log file page before a file is chosen.
    b.goto(&sim.url(&format!("/compare/{failed}/{running}"))).await;
    b.wait_for(".compare-summary").await;
    found.extend(audit_both(&b, "comparison of two runs", &[]).await);
    b.goto(&sim.url("/logs/file")).await;
    b.wait_for(".log-file-page").await;
    found.extend(audit_both(&b, "log file page", &[]).await);

    b.goto(&sim.url("/settings")).await;
    b.wait_for("form.settings-form, .settings-form").await;
    found.extend(audit_both(&b, "connection page", &[]).await);
    b.goto(&sim.url("/no/such/page")).await;
    b.wait_for("main h1").await;
    found.extend(audit_both(&b, "not-found page", &[]).await);

    // The three embed routes.
    b.goto(&sim.url("/embed/runs?per_page=25")).await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    found.extend(audit_both(&b, "embed: run table", &[]).await);
    b.goto(&sim.url(&format!("/embed/runs/{failed}"))).await;
    b.wait_for("dl.summary").await;
    found.extend(audit_both(&b, "embed: run page", &[]).await);
    b.goto(&sim.url("/embed/runs/5/logs")).await;
    b.wait_for(".log-row").await;
    found.extend(audit_both(&b, "embed: log viewer", &[]).await);
    b.close().await;
    assert_clean(&found);
}

#[tokio::test]
async fn axe_finds_nothing_serious_in_the_log_viewer() {
    let sim = Sim::start(&SIM).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    let mut found: Vec<Finding> = Vec::new();
    // Paged, with a search that matches and an entry open.
    b.goto(&sim.url("/runs/5/logs?per_page=100&q=e")).await;
    b.wait_for(".log-row.match").await.click().await.unwrap();
    b.wait_for(".log-detail h2").await;
    b.wait_for_text(".match-count", "of").await;
    found.extend(audit_both(&b, "log viewer, paged with search and an entry", &[]).await);
    // Everything loaded.
    b.wait_for("#load-all").await.click().await.unwrap();
    b.wait_for_text("#loaded-all", "450").await;
    found.extend(audit_both(&b, "log viewer, all loaded", &[]).await);
    b.close().await;
    assert_clean(&found);
}

const HOST: &str = r#"<!doctype html>
<html lang="en"><head><title>Host page</title></head>
<body><main>
<h1>Host dashboard</h1>
<div id="w1" data-flow-run-console data-view="runs" data-status="3" data-page-size="5" data-credential-type="key" data-token-function="frcToken"></div>
<div id="w2"></div>
</main>
<script>window.frcToken = () => Promise.resolve('demo-key');</script>
<script type="module">
  import { mount } from '/widget.js?token=frcToken';
  window.__w2 = await mount(document.getElementById('w2'), { view: 'runs', pageSize: 5, credentialType: 'key', token: 'demo-key' });
</script>
</body></html>"#;

#[tokio::test]
async fn axe_finds_nothing_serious_in_two_script_widgets() {
    let dist = e2e::copy_of_dist("a11y-widget");
    std::fs::write(dist.join("host.html"), HOST).unwrap();
    let sim = Sim::start(&["--runs", "300", "--days", "3", "--seed", "8", "--frozen", "--dist", dist.to_str().unwrap()]).await;
    let b = Browser::start().await;
    b.goto(&sim.url("/host.html")).await;
    for w in ["#w1", "#w2"] {
        b.wait_for(&format!("{w} table.runs:not(.skeleton) tbody tr")).await;
    }
    let found = audit_both(&b, "two script widgets", &["#w1", "#w2"]).await;
    b.close().await;
    let _ = std::fs::remove_dir_all(&dist);
    assert_clean(&found);
}
