//! Keyboard alone (issue #18): every flow driven by key presses sent to whatever has focus,
//! with a visible focus ring at every stop; the live regions a screen reader hears; the
//! narrow screen, high zoom and reduced motion.

use e2e::a11y::{focused, press, press_with, tab_back_to, tab_to, type_text, wait_focus};
use e2e::{Browser, Sim, WAIT};
use fantoccini::key::Key;
use serde_json::{json, Value};

async fn first_with_status(sim: &Sim, status: u8) -> u64 {
    sim.api("GET", &format!("/api/v1/flow-runs?filter%5Bstatus%5D={status}&per_page=10")).await["data"][0]["id"]
        .as_u64()
        .unwrap_or_else(|| panic!("a run with status {status}"))
}

async fn attr(b: &Browser, css: &str, name: &str) -> Value {
    b.js(&format!("const e = document.querySelector({css:?}); return e && e.getAttribute({name:?})")).await
}

async fn wait_attr(b: &Browser, css: &str, name: &str, want: &str) {
    b.wait_until(&format!("{css} has {name}={want:?}"), WAIT, async || {
        let v = attr(b, css, name).await;
        (v == json!(want)).then_some(()).ok_or(format!("{v}"))
    })
    .await
}

async fn wait_gone(b: &Browser, css: &str) {
    b.wait_until(&format!("{css} is gone"), WAIT, async || b.count(css).await == 0).await
}

#[tokio::test]
async fn the_run_table_by_keys_alone() {
    let sim = Sim::start(&["--runs", "400", "--days", "1", "--seed", "4", "--frozen"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs?per_page=10")).await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    b.wait_for("svg.status-chart rect.seg").await;
    // A screen reader hears what the page brought.
    b.wait_for_text(".runs-announce", "10 runs loaded").await;
    assert_eq!(attr(&b, ".runs-announce", "role").await, json!("status"));

    // A status chip (a toggle button), by Space.
    tab_to(&b, ".chip-toggle.status-failure", 40).await;
    press(&b, ' ').await;
    b.wait_for_path("status=3").await;
    wait_attr(&b, ".chip-toggle.status-failure", "aria-pressed", "true").await;
    // More filters open by Enter on their summary.
    tab_to(&b, "details.filter-more > summary", 10).await;
    press(&b, Key::Enter).await;
    b.wait_for("details.filter-more[open]").await;
    // The chart's bars are controls with a text label, and the chart has a text alternative.
    tab_to(&b, "rect.seg", 60).await;
    let label = attr(&b, "rect.seg", "aria-label").await;
    assert!(label.as_str().is_some_and(|l| l.contains("runs")), "a bar says what it counts: {label}");
    assert!(b.js("return document.querySelector('[id$=chart-text]').textContent").await.as_str().is_some_and(|t| t.contains("runs from")));
    // Sort.
    tab_to(&b, "#sort-started", 120).await;
    press(&b, Key::Enter).await;
    b.wait_for_path("sort=oldest").await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    // Expand a failure, then back to its row.
    tab_to(&b, "button.expander", 10).await;
    press(&b, Key::Enter).await;
    b.wait_for("tr.failure-summary").await;
    assert_eq!(b.js("return document.activeElement.getAttribute('aria-expanded')").await, json!("true"));
    tab_back_to(&b, "tr[data-run-id]", 5).await;
    // The pager.
    tab_to(&b, "a.page-link[aria-label='Next page']", 120).await;
    press(&b, Key::Enter).await;
    b.wait_for_path("page=2").await;
    b.wait_for("table.runs:not(.skeleton) tbody tr").await;
    // `j` focuses a row, Enter opens it.
    press(&b, 'j').await;
    wait_focus(&b, "tr[data-run-id]").await;
    let id = b.js("return document.activeElement.dataset.runId").await;
    press(&b, Key::Enter).await;
    b.wait_for_path(&format!("/runs/{}", id.as_str().unwrap_or("?"))).await;

    // A bar narrows the table to its time and outcome.
    b.goto(&sim.url("/runs?per_page=10")).await;
    b.wait_for("svg.status-chart rect.seg").await;
    tab_to(&b, "rect.seg", 80).await;
    press(&b, Key::Enter).await;
    b.wait_for_path("from=").await;
    b.close().await;
}

#[tokio::test]
async fn retry_and_stop_confirmations_by_keys_alone() {
    let sim = Sim::start(&["--runs", "400", "--days", "1", "--seed", "4", "--frozen"]).await;
    let (failed, running) = (first_with_status(&sim, 3).await, first_with_status(&sim, 1).await);
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url(&format!("/runs/{failed}"))).await;
    b.wait_for("dl.summary").await;
    tab_to(&b, ".action-retry", 40).await;
    press(&b, Key::Enter).await;
    // Focus moves into the confirmation; Escape closes it and focus returns to its button.
    wait_focus(&b, ".confirm .confirm-no").await;
    press(&b, Key::Escape).await;
    wait_gone(&b, ".confirm").await;
    wait_focus(&b, ".action-retry").await;
    // Again, and yes.
    press(&b, Key::Enter).await;
    wait_focus(&b, ".confirm .confirm-no").await;
    press_with(&b, &[Key::Shift.into()], Key::Tab).await;
    wait_focus(&b, ".confirm .confirm-yes").await;
    press(&b, Key::Enter).await;
    // The result is in a live region that was already there.
    b.wait_for_text(".action-result[role=status]", "queued").await;

    b.goto(&sim.url(&format!("/runs/{running}"))).await;
    b.wait_for("dl.summary").await;
    tab_to(&b, ".action-stop", 40).await;
    press(&b, Key::Enter).await;
    wait_focus(&b, ".confirm .confirm-no").await;
    // Cancel by Enter also returns focus.
    press(&b, Key::Enter).await;
    wait_gone(&b, ".confirm").await;
    wait_focus(&b, ".action-stop").await;
    press(&b, ' ').await;
    wait_focus(&b, ".confirm .confirm-no").await;
    press_with(&b, &[Key::Shift.into()], Key::Tab).await;
    press(&b, Key::Enter).await;
    b.wait_for_text(".action-result[role=status]", "stopped").await;
    b.close().await;
}

#[tokio::test]
async fn the_log_viewer_by_keys_alone() {
    // 20,000 entries: load-all asks first (200 requests) and takes long enough to cancel.
    let sim = Sim::start(&["--runs", "60", "--seed", "3", "--frozen", "--huge-run", "5=20000"]).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    b.goto(&sim.url("/runs/5/logs")).await;
    b.wait_for(".log-row").await;
    // Search: `/`, a term, Enter and Enter again; the count is a live region.
    press(&b, '/').await;
    wait_focus(&b, "[id$=log-search]").await;
    type_text(&b, "e").await;
    b.wait_for_text(".match-count", "match 1 of").await;
    press(&b, Key::Enter).await;
    b.wait_for_text(".match-count", "match 2 of").await;
    press_with(&b, &[Key::Shift.into()], Key::Enter).await;
    b.wait_for_text(".match-count", "match 1 of").await;
    assert_eq!(attr(&b, ".match-count", "aria-live").await, json!("polite"));

    // The list: one tab stop, a listbox whose options say where they are.
    tab_to(&b, ".log-scroll", 40).await;
    assert_eq!(attr(&b, ".log-scroll", "role").await, json!("listbox"));
    press(&b, Key::Home).await;
    wait_attr(&b, ".log-scroll", "aria-activedescendant", "logrow-0").await;
    assert_eq!(attr(&b, "#logrow-0", "aria-posinset").await, json!("1"));
    assert_eq!(attr(&b, "#logrow-0", "aria-setsize").await, json!("100"));
    press(&b, Key::Down).await;
    press(&b, Key::Down).await;
    wait_attr(&b, ".log-scroll", "aria-activedescendant", "logrow-2").await;
    press(&b, Key::End).await;
    wait_attr(&b, ".log-scroll", "aria-activedescendant", "logrow-99").await;
    assert_eq!(attr(&b, "#logrow-99", "aria-posinset").await, json!("100"));
    press(&b, Key::Up).await;
    wait_attr(&b, ".log-scroll", "aria-activedescendant", "logrow-98").await;
    let id = attr(&b, "#logrow-98", "data-id").await;
    // Enter opens the entry; its detail is the next stop; Escape closes it.
    press(&b, Key::Enter).await;
    b.wait_for_path(&format!("log={}", id.as_str().unwrap_or("?"))).await;
    b.wait_for(".log-detail h2").await;
    tab_to(&b, ".log-detail *", 30).await;
    press(&b, Key::Escape).await;
    wait_gone(&b, ".log-detail h2").await;
    wait_focus(&b, ".log-scroll").await;

    // Load all: the cost first (focus on its button), then progress announced, then cancel.
    tab_back_to(&b, "[id$=load-all]", 60).await;
    press(&b, Key::Enter).await;
    wait_focus(&b, "[id$=load-confirm]").await;
    press(&b, Key::Escape).await;
    wait_gone(&b, ".load-confirm").await;
    wait_focus(&b, "[id$=load-all]").await;
    press(&b, Key::Enter).await;
    wait_focus(&b, "[id$=load-confirm]").await;
    press(&b, Key::Enter).await;
    wait_focus(&b, "[id$=load-cancel]").await;
    b.wait_for_text("[id$=load-announce]", "Load all: ").await;
    assert!(b.text("[id$=load-announce]").await.is_empty() || attr(&b, "[id$=load-announce]", "role").await == json!("status"));
    let said = b.js("return document.querySelector('[id$=load-announce]').textContent").await;
    assert!(said.as_str().is_some_and(|s| s.ends_with("of 20,000")), "{said}");
    press(&b, Key::Enter).await;
    wait_focus(&b, "[id$=load-resume]").await;
    eprintln!("focus after cancel: {}", focused(&b).await);
    b.close().await;
}

/// Elements wider than the viewport, outside any box that scrolls or clips them.
const OVERFLOW: &str = r#"
    const w = document.documentElement.clientWidth, out = [];
    const clipped = (e) => { for (let p = e.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX; if (o !== 'visible') return true; } return false; };
    for (const e of document.body.querySelectorAll('*')) {
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if ((r.right > w + 1 || r.left < -1) && !clipped(e))
            out.push(e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
    if (document.documentElement.scrollWidth > w + 1) out.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + w);
    return out.slice(0, 12);"#;

/// Adds to `bad` what of this view reaches outside the viewport.
async fn no_sideways_overflow(b: &Browser, what: &str, bad: &mut Vec<String>) {
    let found = b.js(OVERFLOW).await;
    if found != json!([]) {
        bad.push(format!("{what}: {found}"));
    }
}

#[tokio::test]
async fn narrow_screens_high_zoom_and_reduced_motion() {
    let sim = Sim::start(&["--runs", "400", "--days", "1", "--seed", "4", "--frozen", "--huge-run", "5=450"]).await;
    let failed = first_with_status(&sim, 3).await;
    let b = Browser::start().await;
    b.sign_in(&sim).await;
    let mut bad = Vec::new();
    // 360 px wide, then 640 (a 1280 px window at 200 % zoom).
    for width in [360, 640] {
        b.cdp("Emulation.setDeviceMetricsOverride", json!({"width": width, "height": 760, "deviceScaleFactor": 1, "mobile": false})).await;
        b.goto(&sim.url("/runs?per_page=25")).await;
        b.wait_for("table.runs:not(.skeleton) tbody tr").await;
        b.wait_for("svg.status-chart rect.seg").await;
        no_sideways_overflow(&b, &format!("run table at {width} px"), &mut bad).await;
        let scrolls = b.js("const s = document.querySelector('.table-scroll'); return s.scrollWidth > s.clientWidth").await;
        if width == 360 {
            assert_eq!(scrolls, json!(true), "the table scrolls in its own box");
        }
        b.goto(&sim.url(&format!("/runs/{failed}"))).await;
        b.wait_for("dl.summary").await;
        b.wait_for(".run-actions").await;
        no_sideways_overflow(&b, &format!("run page at {width} px"), &mut bad).await;
        b.goto(&sim.url("/runs/5/logs?q=e")).await;
        b.wait_for(".log-row.match").await;
        no_sideways_overflow(&b, &format!("log viewer at {width} px"), &mut bad).await;
        b.goto(&sim.url(&format!("/compare/{failed}/{}", failed + 1))).await;
        b.wait_for(".compare-summary").await;
        no_sideways_overflow(&b, &format!("comparison at {width} px"), &mut bad).await;
        b.goto(&sim.url("/settings")).await;
        b.wait_for(".settings-form").await;
        no_sideways_overflow(&b, &format!("connection page at {width} px"), &mut bad).await;
    }
    assert!(bad.is_empty(), "outside the viewport:\n{}", bad.join("\n"));
    // Reduced motion: no animation, no transition (the placeholders pulse, a stale table fades).
    let motion = "const s = document.createElement('div'); s.className = 'skeleton-rows';
                  const t = document.createElement('div'); t.className = 'stale'; document.body.append(s, t);
                  const a = [getComputedStyle(s).animationName, getComputedStyle(t).transitionDuration]; s.remove(); t.remove(); return a;";
    assert_eq!(b.js(motion).await, json!(["pulse", "0.15s"]));
    b.cdp("Emulation.setEmulatedMedia", json!({"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]})).await;
    assert_eq!(b.js(motion).await, json!(["none", "0s"]));
    b.close().await;
}
