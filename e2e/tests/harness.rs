//! The harness rule can fail: an uncaught exception and an unhandled promise rejection in a
//! page are both reported, across navigations, and fail `close` and the next `goto`; a failed
//! resource load and console output are not errors; a `Browser` dropped without `close`
//! fails the test. Plain pages, not the app: this tests the harness.

use e2e::{wait_until, Browser, Sim, WAIT};
use std::path::PathBuf;

const PAGE: &str = "<!doctype html><title>Plain</title><h1 id='plain'>A plain page</h1>";

/// A directory the simulator serves instead of the app: two plain pages.
fn pages() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("frc-harness-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("one.html"), PAGE).unwrap();
    std::fs::write(dir.join("two.html"), PAGE).unwrap();
    dir
}

/// Runs `f` to its end and answers the message it panicked with (a panic is what fails a
/// test); fails when it did not panic.
async fn panic_of(what: &str, f: impl std::future::Future<Output = ()> + 'static) -> String {
    let outcome = tokio::task::LocalSet::new().run_until(async { tokio::task::spawn_local(f).await }).await;
    let e = match outcome {
        Ok(()) => panic!("{what}: it did not fail"),
        Err(e) => e,
    };
    assert!(e.is_panic(), "{what}: the task was cancelled, not failed: {e}");
    let payload = e.into_panic();
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(not a text)".into())
}

#[tokio::test]
async fn uncaught_errors_and_rejections_fail_the_test_and_failed_loads_do_not() {
    let dir = pages();
    let sim = Sim::start(&["--dist", dir.to_str().unwrap()]).await;
    let b = Browser::start().await;
    b.goto(&sim.url("/one.html")).await;
    b.wait_for("#plain").await;

    // Not errors: a failed load (a 404 here, a 500 in a fault test) and console output.
    b.js("fetch('/no-such-file').then(r => { window.__status = r.status; }); console.error('logged, not thrown'); console.warn('a warning');").await;
    wait_until("the 404 has come back", WAIT, async || b.js("return window.__status || 0").await == 404).await;
    assert!(b.browser_errors().await.is_empty(), "{:?}", b.browser_errors().await);

    // An exception nobody catches and a rejection nobody handles.
    b.js("setTimeout(() => { throw new Error('boom') }); Promise.reject(new Error('nope'));").await;
    let errors = wait_until("both are reported", WAIT, async || {
        let e = b.browser_errors().await;
        if e.iter().any(|m| m.contains("boom")) && e.iter().any(|m| m.contains("nope")) {
            Ok(e)
        } else {
            Err(format!("{e:?}"))
        }
    })
    .await;
    assert!(errors.iter().all(|m| m.contains("Uncaught")), "{errors:?}");
    assert_eq!(errors.len(), 2, "{errors:?}");

    // They are kept across a navigation, and errors of the next page add to them.
    // (`client.goto` and the free `wait_until`: the browser's own would fail here, rightly.)
    b.client.goto(&sim.url("/two.html")).await.unwrap();
    wait_until("the second page is there", WAIT, async || b.js("return location.pathname").await == "/two.html").await;
    b.js("setTimeout(() => { throw new TypeError('after navigating') });").await;
    wait_until("the second page's error is reported", WAIT, async || b.browser_errors().await.len() == 3).await;

    // `close` fails the test with all of them (after ending the session).
    let message = panic_of("close with uncaught errors", b.close()).await;
    for needle in ["Uncaught Error: boom", "Error: nope", "Uncaught TypeError: after navigating"] {
        assert!(message.contains(needle), "{needle:?} missing from: {message}");
    }
    assert!(!message.contains("no-such-file") && !message.contains("logged, not thrown"), "{message}");

    // So does the next `goto`, before it leaves the page.
    let b = Browser::start().await;
    b.goto(&sim.url("/one.html")).await;
    b.js("Promise.reject(new Error('unhandled before leaving'));").await;
    let next = sim.url("/two.html");
    let message = panic_of("goto after an uncaught error", async move { b.goto(&next).await }).await;
    assert!(message.contains("unhandled before leaving") && message.contains("before opening"), "{message}");

    // And so does every wait of the browser, at once, not at its time limit.
    let b = Browser::start().await;
    b.goto(&sim.url("/one.html")).await;
    b.js("setTimeout(() => { throw new Error('while waiting') }, 200);").await;
    let started = std::time::Instant::now();
    let message = panic_of("a wait after an uncaught error", async move {
        b.wait_for("#never-there").await;
    })
    .await;
    assert!(message.contains("while waiting") && message.contains("#never-there"), "{message}");
    assert!(started.elapsed() < WAIT / 2, "failed at once, not at the time limit: {:?}", started.elapsed());

    // A browser dropped without `close` fails the test: its errors would go unchecked.
    let message = panic_of("dropping a browser without close", async { drop(Browser::start().await) }).await;
    assert!(message.contains("without close()"), "{message}");

    // The control: a clean page closes without complaint.
    let b = Browser::start().await;
    b.goto(&sim.url("/one.html")).await;
    b.wait_for("#plain").await;
    b.close().await;
    let _ = std::fs::remove_dir_all(dir);
}
