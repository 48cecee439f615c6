//! Components mounted in headless Chromium (`wasm-bindgen-test`), checked through the DOM.
//! Run by `cargo xtask test`; natively this file compiles to nothing.
#![cfg(target_arch = "wasm32")]

use flow_run_console::api::{FlowRun, PageMeta, RunStatus, Trigger};
use flow_run_console::components::{ErrorView, Pager, RunTable, StatusBadge};
use flow_run_console::time::Zone;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts `view` into a fresh `<div>` and hands the div to `check`.
fn mounted<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static, check: impl FnOnce(&web_sys::HtmlElement)) {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone(), view);
    check(&host);
    drop(handle);
    host.remove();
}

fn texts(host: &web_sys::HtmlElement, selector: &str) -> Vec<String> {
    let list = host.query_selector_all(selector).unwrap();
    (0..list.length()).filter_map(|i| list.item(i)).map(|n| n.text_content().unwrap_or_default()).collect()
}

#[wasm_bindgen_test]
fn status_badge_has_icon_text_and_class() {
    mounted(
        || view! { <StatusBadge status=Some(RunStatus::Failure)/> <StatusBadge status=Some(RunStatus::Other("7".into()))/> },
        |host| {
            let badges = host.query_selector_all(".badge").unwrap();
            assert_eq!(badges.length(), 2);
            let first: web_sys::Element = badges.item(0).unwrap().unchecked_into();
            assert!(first.class_list().contains("status-failure"));
            assert_eq!(first.text_content().unwrap(), "✕ Failure");
            assert_eq!(texts(host, ".badge")[1], "? Unknown (7)");
        },
    );
}

fn hostile_run() -> FlowRun {
    FlowRun {
        id: "42".into(),
        flow_name: Some("<img src=x onerror=alert(1)><script>alert(2)</script> مزامنة".into()),
        status: Some(RunStatus::Running),
        trigger: Some(Trigger::Other("<b>bold</b>".into())),
        started_at_ms: Some(1_772_391_600_000),
        duration_ms: Some(83_000),
        has_warnings: Some(true),
        retry_of: Some("41".into()),
        ..FlowRun::default()
    }
}

#[wasm_bindgen_test]
fn run_table_renders_untrusted_text_as_text() {
    let runs = vec![hostile_run(), FlowRun { id: "43".into(), ..FlowRun::default() }];
    mounted(
        move || view! { <RunTable runs zone=Zone::Utc now_ms=1_772_391_660_000/> },
        |host| {
            assert_eq!(host.query_selector_all("tbody tr").unwrap().length(), 2);
            assert!(host.query_selector("img, script, b").unwrap().is_none(), "no element may come from API text");
            let flows = texts(host, "td.col-flow");
            assert!(flows[0].starts_with("<img src=x onerror=alert(1)><script>"));
            assert_eq!(flows[1], "–");
            assert_eq!(texts(host, "td.col-trigger")[0], "<b>bold</b>");
            assert_eq!(texts(host, "td.col-duration")[0], "1 min 23 s");
            assert_eq!(texts(host, "td.col-started time")[0], "1 min ago");
            let link: web_sys::Element = host.query_selector("td.col-id a").unwrap().unwrap();
            assert_eq!(link.get_attribute("href").as_deref(), Some("/runs/42"));
            let abs: web_sys::Element = host.query_selector("td.col-started time").unwrap().unwrap();
            assert_eq!(abs.get_attribute("title").as_deref(), Some("2026-03-01 19:00:00 UTC"));
        },
    );
}

#[wasm_bindgen_test]
fn pager_links_pages_with_gaps() {
    let meta = PageMeta { current_page: 5, last_page: 20, per_page: 25, total: Some(500), from: Some(101), to: Some(125), links: vec![] };
    let href = Callback::new(|n: u64| format!("/runs?page={n}"));
    mounted(
        move || view! { <Pager meta href/> },
        |host| {
            let current = texts(host, ".page-link.current");
            assert_eq!(current, vec!["5".to_string()]);
            assert_eq!(texts(host, ".page-gap").len(), 2);
            let next: web_sys::Element = host.query_selector("a[aria-label='Next page']").unwrap().unwrap();
            assert_eq!(next.get_attribute("href").as_deref(), Some("/runs?page=6"));
            assert_eq!(texts(host, ".pager-range")[0], "101–125 of 500");
        },
    );
}

#[wasm_bindgen_test]
fn error_view_says_what_and_what_next() {
    let error = flow_run_console::api::ApiError::Validation {
        message: "This run cannot be retried.".into(),
        errors: vec![("flow_run".into(), vec!["It is still running.".into()])],
    };
    mounted(
        move || view! { <ErrorView error/> },
        |host| {
            assert_eq!(texts(host, ".error-message")[0], "This run cannot be retried.");
            assert_eq!(texts(host, ".field-errors li")[0], "flow_run: It is still running.");
            assert!(host.query_selector("[role=alert]").unwrap().is_some());
        },
    );
}

async fn tick() {
    gloo_timers::future::TimeoutFuture::new(20).await;
}

fn click(host: &web_sys::HtmlElement, selector: &str) {
    let el: web_sys::HtmlElement = host.query_selector(selector).unwrap().unwrap_or_else(|| panic!("{selector}")).unchecked_into();
    el.click();
}

#[wasm_bindgen_test]
async fn filter_bar_toggles_filters_and_shows_removable_chips() {
    use flow_run_console::components::FilterBar;
    use flow_run_console::url_state::RunsView;
    use std::sync::{Arc, Mutex};

    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let log: Arc<Mutex<Vec<(RunsView, bool)>>> = Arc::default();
    let state = RwSignal::new(RunsView { page: 4, ..RunsView::new(25) });
    let seen = log.clone();
    let handle = leptos::mount::mount_to(host.clone(), move || {
        let on_change = Callback::new(move |(v, replace): (RunsView, bool)| {
            seen.lock().unwrap().push((v.clone(), replace));
            state.set(v);
        });
        view! { <FilterBar view=state on_change zone=Zone::Utc/> }
    });

    assert!(host.query_selector(".chips").unwrap().is_none(), "no chips without filters");
    click(&host, "button[data-status='3']");
    tick().await;
    {
        let log = log.lock().unwrap();
        let (v, replace) = log.last().unwrap();
        assert_eq!(v.status, vec![RunStatus::Failure]);
        assert_eq!(v.page, 1, "a filter change goes back to page 1");
        assert!(!replace, "a discrete choice adds a history entry");
    }
    assert_eq!(host.query_selector("button[data-status='3']").unwrap().unwrap().get_attribute("aria-pressed").as_deref(), Some("true"));
    let chips = texts(&host, ".chip");
    assert_eq!(chips, vec!["Status: Failure ×".to_string(), "Clear all".to_string()]);

    click(&host, "input[data-trigger='Webhook']");
    tick().await;
    assert_eq!(state.get_untracked().trigger, vec![Trigger::Webhook]);
    assert_eq!(texts(&host, ".chip").len(), 3);

    click(&host, "button.chip[aria-label='Remove filter Status: Failure']");
    tick().await;
    assert!(state.get_untracked().status.is_empty());
    assert_eq!(state.get_untracked().trigger, vec![Trigger::Webhook]);

    click(&host, ".chip.clear-all");
    tick().await;
    assert!(!state.get_untracked().is_filtered());
    assert!(host.query_selector(".chips").unwrap().is_none());
    drop(handle);
    host.remove();
}

/// The bar's fields show what the view holds: after text the view did not take (the URL
/// keeps only numeric ids) once the view changes again, and after a change from outside
/// (back, a saved view). A guard for the filter bar's memos (#16): fields people type into
/// are not among them.
#[wasm_bindgen_test]
async fn filter_bar_fields_follow_the_view_not_rejected_text() {
    use flow_run_console::components::FilterBar;
    use flow_run_console::url_state::RunsView;

    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let state = RwSignal::new(RunsView::new(25));
    let handle = leptos::mount::mount_to(host.clone(), move || {
        // As the URL does: ids that are no numbers are dropped.
        let on_change = Callback::new(move |(mut v, _): (RunsView, bool)| {
            v.flow_id.retain(|id| id.chars().all(|c| c.is_ascii_digit()));
            state.set(v);
        });
        view! { <FilterBar view=state on_change zone=Zone::Utc/> }
    });
    let value = |selector: &str| -> String {
        let el = host.query_selector(selector).unwrap().unwrap_or_else(|| panic!("{selector}"));
        js_sys::Reflect::get(&el, &"value".into()).unwrap().as_string().unwrap_or_default()
    };

    let flow: web_sys::HtmlInputElement = host.query_selector("input[name='flow']").unwrap().unwrap().unchecked_into();
    flow.set_value("x!");
    flow.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    tick().await;
    assert!(state.get_untracked().flow_id.is_empty(), "the view did not take the text");
    click(&host, "button[data-status='3']");
    tick().await;
    assert_eq!(value("input[name='flow']"), "", "the next change of view shows what it holds");

    state.set(RunsView { flow_id: vec!["12".into()], retried: Some(true), ..RunsView::new(25) });
    tick().await;
    assert_eq!(value("input[name='flow']"), "12");
    assert_eq!(value("select[name='retried']"), "1");
    drop(handle);
    host.remove();
}

fn log_store(n: u32) -> StoredValue<flow_run_console::logs::LogStore, LocalStorage> {
    use flow_run_console::api::{FlowRunLog, LogLevel};
    let mut s = flow_run_console::logs::LogStore::new();
    s.append((1..=n).map(|i| FlowRunLog {
        id: i.to_string(),
        level: Some(if i % 7 == 0 { LogLevel::Error } else { LogLevel::Info }),
        message: format!("entry {i} <b>not bold</b>"),
        ..FlowRunLog::default()
    }));
    StoredValue::new_local(s)
}

fn row_ids(host: &web_sys::HtmlElement) -> Vec<u32> {
    let list = host.query_selector_all(".log-row").unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.unchecked_into::<web_sys::Element>().get_attribute("data-id"))
        .filter_map(|id| id.parse().ok())
        .collect()
}

#[wasm_bindgen_test]
async fn log_list_keeps_a_bounded_window_of_rows_while_scrolling_100000_entries() {
    use flow_run_console::components::log_list::{LogList, TimeShown};
    let document = web_sys::window().unwrap().document().unwrap();
    // The app's stylesheet is not loaded here: give the list the height it has in the app.
    let style = document.create_element("style").unwrap();
    style.set_text_content(Some(
        ".log-scroll{height:480px;overflow:auto}.log-canvas{position:relative}.log-row{position:absolute;height:24px;left:0;right:0}",
    ));
    document.head().unwrap().append_child(&style).unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let store = log_store(100_000);
    let scroll_to = RwSignal::new(None::<(usize, u64)>);
    let version = RwSignal::new(0u64);
    let time = TimeShown { zone: Zone::Utc, offsets_from: None };
    let (selected, current) = (None::<String>, None::<usize>);
    let on_select = Callback::new(|_: String| {});
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! { <LogList store version time wrap=false selected current scroll_to follow=false on_select/> }
    });
    let tick = || gloo_timers::future::TimeoutFuture::new(100);
    tick().await;
    let bound = 480 / 24 + 1 + 2 * flow_run_console::logs::OVERSCAN;
    let ids = row_ids(&host);
    assert!(!ids.is_empty() && ids.len() <= bound, "{} rows", ids.len());
    assert_eq!(ids.iter().min(), Some(&1));
    let canvas: web_sys::HtmlElement = host.query_selector(".log-canvas").unwrap().unwrap().unchecked_into();
    assert_eq!(canvas.offset_height(), 2_400_000);

    // Scrolling by hand moves the window; the number of rows stays the same.
    let scroller: web_sys::HtmlElement = host.query_selector(".log-scroll").unwrap().unwrap().unchecked_into();
    scroller.set_scroll_top(24 * 50_000);
    tick().await;
    let ids = row_ids(&host);
    assert!(ids.len() <= bound && ids.contains(&50_001), "{ids:?}");
    // A scroll request centres a row.
    scroll_to.set(Some((89_999, 1)));
    tick().await;
    let ids = row_ids(&host);
    assert!(ids.len() <= bound && ids.contains(&90_000), "{ids:?}");
    // Markup-looking text stays text.
    assert!(host.query_selector(".log-msg b").unwrap().is_none());
    assert!(texts(&host, ".log-msg")[0].contains("<b>not bold</b>"));
    // A level filter shrinks the list.
    store.update_value(|s| s.set_levels([flow_run_console::api::LogLevel::Error].into()));
    version.set(1);
    tick().await;
    assert_eq!(canvas.offset_height(), 100_000 / 7 * 24);
    drop(handle);
    host.remove();
    style.remove();
}

#[wasm_bindgen_test]
fn json_tree_nests_collapses_and_keeps_markup_as_text() {
    use flow_run_console::components::json_tree::JsonTree;
    mounted(
        || view! { <JsonTree text=r#"{"a":{"b":[1,"<b>x</b>",{"deep":{"deeper":true}}]},"c":null}"#/> <JsonTree text="not json <i>"/> },
        |host| {
            assert_eq!(texts(host, ".json-key")[..2], ["\"a\"".to_string(), "\"b\"".to_string()]);
            assert!(host.query_selector(".json-tree b").unwrap().is_none());
            // The first two levels are open, deeper ones closed (and not built yet).
            let details = host.query_selector_all("details").unwrap();
            let open: Vec<bool> = (0..details.length())
                .map(|i| details.item(i).unwrap().unchecked_into::<web_sys::Element>().has_attribute("open"))
                .collect();
            assert_eq!(open, vec![true, true, false]);
            assert_eq!(texts(host, ".json-raw"), vec!["not json <i>".to_string()]);
            assert!(host.query_selector("i").unwrap().is_none());
        },
    );
}

#[wasm_bindgen_test]
async fn a_wrapped_log_list_renders_every_row_and_scrolls_to_one_of_its_own() {
    use flow_run_console::components::log_list::{LogList, TimeShown};
    let document = web_sys::window().unwrap().document().unwrap();
    let style = document.create_element("style").unwrap();
    style.set_text_content(Some(".log-scroll{height:240px;overflow:auto}.log-canvas{position:relative}.log-row{display:block;height:24px;overflow:hidden}.tall .log-row{height:100px}"));
    document.head().unwrap().append_child(&style).unwrap();
    // Two lists on one page, as two widgets would have: row ids repeat.
    let mut hosts = Vec::new();
    let mut handles = Vec::new();
    let mut requests = Vec::new();
    for n in 0..2 {
        let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
        if n == 0 {
            // The first list's rows are taller: the same row id sits elsewhere in it.
            host.set_class_name("tall");
        }
        document.body().unwrap().append_child(&host).unwrap();
        let store = log_store(300);
        let scroll_to = RwSignal::new(None::<(usize, u64)>);
        let time = TimeShown { zone: Zone::Utc, offsets_from: None };
        let (selected, current) = (None::<String>, None::<usize>);
        let on_select = Callback::new(|_: String| {});
        let version = RwSignal::new(0u64);
        handles.push(leptos::mount::mount_to(host.clone(), move || {
            view! { <LogList store version time wrap=true selected current scroll_to follow=false on_select/> }
        }));
        hosts.push(host);
        requests.push(scroll_to);
    }
    gloo_timers::future::TimeoutFuture::new(50).await;
    assert_eq!(row_ids(&hosts[1]).len(), 300, "wrapped lists render every row");
    requests[1].set(Some((250, 1)));
    gloo_timers::future::TimeoutFuture::new(50).await;
    let scroller =
        |h: &web_sys::HtmlElement| -> web_sys::HtmlElement { h.query_selector(".log-scroll").unwrap().unwrap().unchecked_into() };
    // Row 250 of the second list is at 6,000 px; centred in 240 px: 5,880.
    let top = scroller(&hosts[1]).scroll_top();
    assert!((5_850..=5_910).contains(&top), "the second list scrolled to its own row 250: {top}");
    assert_eq!(scroller(&hosts[0]).scroll_top(), 0, "the first list did not move");
    drop(handles);
    for h in hosts {
        h.remove();
    }
    style.remove();
}

/// Leptos' executor, as a mounted app has it.
fn start_executor() {
    mounted(|| (), |_| {});
}

/// Waits for the browser's timers: the tasks under test sleep 20 ms.
async fn after_timers() {
    flow_run_console::tasks::sleep(80).await;
}

/// A task that, 20 ms on, reads a signal of its view (a panic, so a trap, once the view is
/// gone) and says so.
fn reading_task(scope: flow_run_console::tasks::Scope, signal: RwSignal<u32>, ran: std::rc::Rc<std::cell::Cell<bool>>) {
    scope.spawn(async move {
        flow_run_console::tasks::sleep(20).await;
        let _ = signal.get_untracked();
        ran.set(true);
    });
}

#[wasm_bindgen_test]
async fn a_task_whose_view_is_gone_before_its_answer_does_nothing() {
    start_executor();
    for leave in [false, true] {
        let ran = std::rc::Rc::new(std::cell::Cell::new(false));
        // The view is dropped, not cleaned up, as the router drops a route it leaves.
        let view = Owner::new();
        let (scope, signal) = view.with(|| (flow_run_console::tasks::Scope::here(), RwSignal::new(1u32)));
        reading_task(scope, signal, ran.clone());
        if leave {
            drop(view);
            after_timers().await;
            assert!(!ran.get(), "the task ran on after its view was gone");
        } else {
            after_timers().await;
            assert!(ran.get(), "a task of a live view runs (the control)");
            drop(view);
        }
    }
}

#[wasm_bindgen_test]
async fn spawn_now_takes_its_first_step_at_once_and_still_ends_with_its_view() {
    start_executor();
    for leave in [false, true] {
        let view = Owner::new();
        let (scope, signal) = view.with(|| (flow_run_console::tasks::Scope::here(), RwSignal::new(1u32)));
        let (first, ran) = (std::rc::Rc::new(std::cell::Cell::new(false)), std::rc::Rc::new(std::cell::Cell::new(false)));
        {
            let (first, ran) = (first.clone(), ran.clone());
            scope.spawn_now(async move {
                first.set(true);
                flow_run_console::tasks::sleep(20).await;
                let _ = signal.get_untracked();
                ran.set(true);
            });
        }
        assert!(first.get(), "the first step ran before spawn_now returned (a request goes out at once)");
        if leave {
            drop(view);
            after_timers().await;
            assert!(!ran.get(), "a task started now ran on after its view was gone");
        } else {
            after_timers().await;
            assert!(ran.get(), "a task started now finishes, woken by its timer after the first step");
            drop(view);
        }
    }
}

#[wasm_bindgen_test]
async fn a_stopped_task_and_a_rebuilt_part_do_nothing() {
    start_executor();
    let view = Owner::new();
    let (scope, signal) = view.with(|| (flow_run_console::tasks::Scope::here(), RwSignal::new(1u32)));
    let ran = std::rc::Rc::new(std::cell::Cell::new(false));
    let task = {
        let ran = ran.clone();
        scope.spawn(async move {
            flow_run_console::tasks::sleep(20).await;
            let _ = signal.get_untracked();
            ran.set(true);
        })
    };
    task.expect("a live view starts tasks").stop();
    after_timers().await;
    assert!(!ran.get(), "a stopped task ran on");
    // A part of the view that is rebuilt (an effect's owner, cleaned up and reused) ends its tasks.
    let part = view.child();
    let ran = std::rc::Rc::new(std::cell::Cell::new(false));
    let part_scope = part.with(flow_run_console::tasks::Scope::here);
    {
        let ran = ran.clone();
        part.with(|| {
            flow_run_console::tasks::spawn(async move {
                flow_run_console::tasks::sleep(20).await;
                ran.set(true);
            })
        });
    }
    part.cleanup();
    after_timers().await;
    assert!(!ran.get(), "a task of a rebuilt part ran on");
    assert!(part_scope.spawn(async {}).is_none(), "a cleaned-up part starts nothing");
    drop(view);
}

/// Lets Leptos' scheduled effects run until `done` holds (at most 50 turns of the executor).
async fn until(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..50 {
        if done() {
            return true;
        }
        leptos::task::tick().await;
    }
    done()
}

#[wasm_bindgen_test]
async fn a_refreshed_run_table_updates_its_rows_in_place_and_keeps_focus() {
    start_executor();
    let run = |id: &str, status| FlowRun { id: id.into(), status: Some(status), ..FlowRun::default() };
    let runs = RwSignal::new(vec![run("1", RunStatus::Running), run("2", RunStatus::Success)]);
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! { <RunTable runs zone=Zone::Utc now_ms=1_772_391_660_000 on_open=Callback::new(|_: String| {})/> }
    });
    let row = |id: &str| host.query_selector(&format!("tr[data-run-id='{id}']")).unwrap();
    let first: web_sys::HtmlElement = row("1").expect("run 1 has a row").unchecked_into();
    first.focus().unwrap();
    // A refresh: run 1 has finished, run 3 is new at the top.
    runs.set(vec![run("3", RunStatus::Failure), run("1", RunStatus::Success), run("2", RunStatus::Success)]);
    assert!(until(|| texts(&host, "tbody tr").len() == 3).await, "the new run's row appears");
    let again = row("1").unwrap();
    assert!(again.is_same_node(Some(&first)), "run 1 keeps its row element");
    assert!(again.text_content().unwrap().contains("Success"), "with its new status");
    assert!(document.active_element().is_some_and(|a| a.is_same_node(Some(&first))), "and keyboard focus");
    let ids: Vec<String> = (0..3)
        .map(|i| {
            host.query_selector_all("tbody tr")
                .unwrap()
                .item(i)
                .unwrap()
                .unchecked_into::<web_sys::Element>()
                .get_attribute("data-run-id")
                .unwrap()
        })
        .collect();
    assert_eq!(ids, ["3", "1", "2"], "in the page's order");
    drop(handle);
    host.remove();
}

#[wasm_bindgen_test]
async fn ticking_runs_selects_them_for_comparison_in_order_without_opening_them() {
    start_executor();
    let run = |id: &str| FlowRun { id: id.into(), status: Some(RunStatus::Success), ..FlowRun::default() };
    let runs = RwSignal::new(vec![run("1"), run("2"), run("3")]);
    let selected = RwSignal::new(Vec::<String>::new());
    let opened = RwSignal::new(0);
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! { <RunTable runs zone=Zone::Utc now_ms=1_772_391_660_000 on_open=Callback::new(move |_: String| opened.update(|n| *n += 1)) selected/> }
    });
    let tick = |id: &str| {
        let b: web_sys::HtmlElement = host
            .query_selector(&format!("input[aria-label='Select run {id} for comparison']"))
            .unwrap()
            .expect("a checkbox")
            .unchecked_into();
        b.click();
    };
    tick("3");
    tick("1");
    assert!(until(|| selected.get_untracked() == ["3", "1"]).await, "in the order ticked: {:?}", selected.get_untracked());
    tick("3");
    assert!(until(|| selected.get_untracked() == ["1"]).await, "unticked: {:?}", selected.get_untracked());
    assert_eq!(opened.get_untracked(), 0, "a tick opens no run");
    // A refresh keeps the ticks (rows are keyed by id).
    runs.set(vec![run("4"), run("1"), run("2")]);
    assert!(until(|| texts(&host, "tbody tr").len() == 3).await);
    let one: web_sys::HtmlInputElement = host.query_selector("tr[data-run-id='1'] input").unwrap().unwrap().unchecked_into();
    assert!(one.checked());
    drop(handle);
    host.remove();
}

// ---- Security: answers that cannot freeze, credentials that cannot hang, owned observers ----

#[wasm_bindgen_test]
async fn a_closed_json_node_builds_nothing_until_it_is_opened() {
    use flow_run_console::components::json_tree::JsonTree;
    start_executor();
    // 300 keys of 300 items each: built eagerly, 90,000 nodes; closed, one line each.
    let text =
        serde_json::json!({"top": (0..300).map(|i| (format!("k{i}"), serde_json::json!(vec![i; 300]))).collect::<serde_json::Map<_, _>>()})
            .to_string();
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone(), move || view! { <JsonTree text=text.clone()/> });
    let count = |sel: &str| host.query_selector_all(sel).unwrap().length();
    assert_eq!(count("details"), 2 + 300, "the root, `top` and its 300 closed children");
    assert_eq!(count(".json-num"), 0, "no item of a closed node is built");
    // Opening one builds its own children, and only those.
    let k7: web_sys::HtmlDetailsElement = host.query_selector_all("details details details").unwrap().item(7).unwrap().unchecked_into();
    k7.set_open(true);
    assert!(eventually(|| count(".json-num") == 300).await, "opened: its 300 items, {} built", count(".json-num"));
    let key = k7.query_selector(".json-key").unwrap().unwrap().text_content().unwrap();
    assert_eq!(format!("\"k{}\"", texts(&host, ".json-num")[0]), key, "the items of the node opened");
    drop(handle);
    host.remove();
}

#[wasm_bindgen_test]
async fn json_tree_strings_inside_opened_nodes_stay_text() {
    use flow_run_console::components::json_tree::JsonTree;
    start_executor();
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone(), || view! { <JsonTree text=r#"{"a":{"b":[1,"<b>x</b>"]}}"#/> });
    let b: web_sys::HtmlDetailsElement = host.query_selector("details details details").unwrap().unwrap().unchecked_into();
    b.set_open(true);
    assert!(eventually(|| texts(&host, ".json-str").iter().any(|s| s == "\"<b>x</b>\"")).await);
    assert!(host.query_selector(".json-tree b").unwrap().is_none());
    drop(handle);
    host.remove();
}

#[wasm_bindgen_test]
fn a_pager_for_9e15_pages_is_built_at_once_and_says_what_it_cut() {
    let huge = 9_000_000_000_000_000u64;
    let meta = PageMeta { current_page: huge, last_page: huge, per_page: 25, total: None, from: None, to: None, links: vec![] };
    let href = Callback::new(|n: u64| format!("/runs?page={n}"));
    mounted(
        move || view! { <Pager meta href/> },
        |host| {
            let numbers = host.query_selector_all(".page-link").unwrap().length();
            assert!(numbers <= 11, "{numbers} links");
            let first: web_sys::Element = host.query_selector("a[aria-label='First page']").unwrap().unwrap();
            assert_eq!(first.get_attribute("href").as_deref(), Some("/runs?page=1"));
            let cut = texts(host, ".pager-cut");
            assert!(cut.len() == 1 && cut[0].contains("9,000,000,000,000,000 pages") && cut[0].contains("4,294,967,295"), "{cut:?}");
            assert_eq!(texts(host, ".page-link.current"), vec!["4294967295".to_string()]);
        },
    );
}

#[wasm_bindgen_test]
async fn a_token_that_is_no_header_value_is_an_answer_not_a_hang() {
    use flow_run_console::api::{ApiClient, ApiError, Credential, RunQuery, Scheduler};
    for token in ["“pasted-key”", "key…", "two\nlines"] {
        // Nothing listens on port 9: were anything sent, the answer would be a network error.
        let client = ApiClient::new("http://127.0.0.1:9", Some(Credential::ApiKey(token.into())), 3_000, Scheduler::new(100));
        let answer = client.list_runs(&RunQuery::new(1, 1), None).await;
        assert!(matches!(&answer, Err(ApiError::BadCredential { .. })), "{token:?}: {answer:?}");
        let said = answer.unwrap_err().message();
        assert!(!said.contains(token), "the message never holds the token: {said}");
    }
}

#[wasm_bindgen_test]
async fn a_resize_observer_ends_with_its_owner() {
    let document = web_sys::window().unwrap().document().unwrap();
    let el: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&el).unwrap();
    let calls = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let owner = Owner::new();
    {
        let calls = calls.clone();
        let el = el.clone();
        owner.with(move || flow_run_console::embed::on_resize(&el, move || calls.set(calls.get() + 1)));
    }
    el.style().set_property("height", "40px").unwrap();
    after_timers().await;
    let seen = calls.get();
    assert!(seen >= 2, "called at once and on a resize: {seen}");
    owner.cleanup();
    el.style().set_property("height", "80px").unwrap();
    after_timers().await;
    assert_eq!(calls.get(), seen, "not called once its owner has ended");
    el.remove();
}

/// Dispatches the `storage` event another tab's write of `key` would bring.
fn storage_event(key: &str, new_value: &str) {
    let dispatch = js_sys::Function::new_with_args("k, v", "window.dispatchEvent(new StorageEvent('storage', { key: k, newValue: v }))");
    dispatch.call2(&wasm_bindgen::JsValue::NULL, &key.into(), &new_value.into()).unwrap();
}

/// Waits (in 20 ms steps, at most a second) until `done` holds: for what a browser event
/// brings, which comes in a task of its own.
async fn eventually(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..50 {
        if done() {
            return true;
        }
        tick().await;
    }
    done()
}

#[wasm_bindgen_test]
async fn signing_out_in_another_tab_signs_this_one_out() {
    use flow_run_console::api::Credential;
    use flow_run_console::state::{AppState, LinkState};
    start_executor();
    let owner = Owner::new();
    let state = owner.with(|| AppState::new(flow_run_console::config::AppConfig::default(), Vec::new()));
    state.save_connection(flow_run_console::session::Connection {
        credential: Some(Credential::ApiKey("k".into())),
        remember: true,
        ..Default::default()
    });
    assert!(state.connection.get_untracked().credential.is_some());
    // What another tab's sign-out looks like here (the browser sends `storage` to other tabs only).
    storage_event(&flow_run_console::session::sign_out_key(""), "1");
    assert_eq!(state.connection.get_untracked().credential, None);
    assert_eq!(state.link.get_untracked(), LinkState::NoToken);
    // Other keys do nothing.
    state.save_connection(flow_run_console::session::Connection {
        credential: Some(Credential::ApiKey("k".into())),
        remember: false,
        ..Default::default()
    });
    storage_event("frc.theme", "dark");
    assert!(state.connection.get_untracked().credential.is_some());
    state.sign_out();
    drop(owner);
}

/// A request that has its answer leaves nothing in its slot to abort: the next request of
/// the kind does not abort a finished one (which costs the browser an `AbortError` each time).
#[wasm_bindgen_test]
async fn an_answered_request_leaves_nothing_to_abort() {
    use flow_run_console::api::{ApiClient, RunQuery, Scheduler, Slot};
    // The test runner's own server answers 404 at once.
    let base = format!("{}/frc-no-api", web_sys::window().unwrap().location().origin().unwrap());
    let client = ApiClient::new(&base, None, 5_000, Scheduler::new(100));
    let slot = Slot::default();
    assert!(!slot.in_flight());
    let _ = client.list_runs(&RunQuery::default(), Some(&slot)).await;
    assert!(!slot.in_flight(), "the answered request's abort handle is let go");
}

/// Latest-wins goes by when requests are made, not by when the budget admits them: a
/// background refresh made before a change of filters, and held by the budget while the
/// change's request goes out, must not come back with the old filters' page afterwards.
#[wasm_bindgen_test]
async fn a_request_made_earlier_but_admitted_later_loses() {
    use flow_run_console::api::{ApiClient, ApiError, RunQuery, Scheduler, Slot};
    // The test runner's own server answers 404 at once: every request is answered quickly.
    let base = format!("{}/frc-no-api", web_sys::window().unwrap().location().origin().unwrap());
    let scheduler = Scheduler::new(4);
    let foreground = ApiClient::new(&base, None, 5_000, scheduler.clone());
    let background = foreground.background();
    let q = RunQuery::default();
    // Three requests spend the background's share (3 of 4 a minute); the foreground has one left.
    for _ in 0..3 {
        let _ = foreground.list_runs(&q, None).await;
    }
    let slot = Slot::default();
    let old = std::rc::Rc::new(std::cell::RefCell::new(None::<Result<(), ApiError>>));
    {
        let (background, slot, q, old) = (background.clone(), slot.clone(), q.clone(), old.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let r = background.list_runs(&q, Some(&slot)).await.map(|_| ());
            *old.borrow_mut() = Some(r);
        });
    }
    // Let the background request start waiting for the budget, then make the newer one.
    flow_run_console::tasks::sleep(30).await;
    assert!(old.borrow().is_none(), "the background request waits for the budget");
    let newer = foreground.list_runs(&q, Some(&slot)).await;
    assert!(!matches!(newer, Err(ApiError::Aborted)), "the newer request is answered: {newer:?}");
    // The older one gives up at its next wake-up (at most 5 s), long before the budget's
    // minute would admit it.
    for _ in 0..80 {
        if old.borrow().is_some() {
            break;
        }
        flow_run_console::tasks::sleep(100).await;
    }
    assert!(
        matches!(*old.borrow(), Some(Err(ApiError::Aborted))),
        "the older request, admitted after the newer one was made, is dropped: {:?}",
        old.borrow()
    );
}
